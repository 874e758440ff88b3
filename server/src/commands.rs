//! What each subcommand does.

use crate::{
    config::{ApiKeyCommand, Cli, Command, CreateAdminArgs, MailboxCommand, OutboxArgs, SeedArgs, ServeArgs},
    router::{router, session_layer},
};
use app::{
    error::AppError,
    model::Role,
    server::{
        accounts::{self, Links},
        api_keys,
        auth::SessionPolicy,
        authoring,
        attachments, events,
        mail::{self, MailSender},
        outbound::{self, ChannelSender, Meta, Twilio},
        inbound::{
            InboundPolicy, Ingestor,
            imap::{self, NewMailbox, Security},
        },
        privacy,
        db::{Db, DbError},
        sealing::{KeyError, SealingKey},
        seed::{self, DEMO_LOGINS, DEMO_PASSWORD, SeedOutcome, SeedSize},
        sessions::Sessions,
        state::{AppState, ChannelSecrets},
        users::{self, NewUser},
    },
};
use leptos::config::get_configuration;
use std::{
    io::{BufRead, Write},
    net::SocketAddr,
    time::Duration,
};
use tokio::net::TcpListener;

#[derive(Debug, thiserror::Error)]
pub enum CommandError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Key(#[from] KeyError),
    #[error("{0}")]
    App(#[from] AppError),
    #[error("could not read the Leptos configuration: {0}")]
    Config(String),
    #[error("could not listen on {addr}: {source}")]
    Bind {
        addr: std::net::SocketAddr,
        source: std::io::Error,
    },
    #[error("server error: {0}")]
    Serve(std::io::Error),
    #[error("could not read input: {0}")]
    Input(std::io::Error),
    #[error("could not write output: {0}")]
    Output(std::io::Error),
    #[error("{0}")]
    Usage(String),
}

pub async fn run(cli: Cli) -> Result<(), CommandError> {
    let command = cli.command.unwrap_or(Command::Serve(cli.serve));
    let db = Db::connect(&cli.database_url).await?;
    db.migrate().await?;
    let outcome = match command {
        Command::Serve(args) => serve(db.clone(), SealingKey::load_or_create(&cli.key_file)?, args).await,
        Command::Migrate => {
            println!("Database is up to date.");
            Ok(())
        }
        Command::CreateAdmin(args) => create_admin(&db, args).await,
        Command::Seed(args) => seed(&db, args).await,
        Command::Outbox(args) => outbox(&db, args).await,
        Command::ApiKey(command) => api_key(&db, command).await,
        Command::Mailbox(command) => mailbox(&db, &SealingKey::load_or_create(&cli.key_file)?, command).await,
    };
    db.close().await;
    outcome
}

async fn serve(db: Db, sealing: SealingKey, args: ServeArgs) -> Result<(), CommandError> {
    let mut leptos_options = get_configuration(None)
        .map_err(|e| CommandError::Config(e.to_string()))?
        .leptos_options;
    if let Some(addr) = args.addr {
        leptos_options.site_addr = addr;
    }
    let addr = leptos_options.site_addr;
    let public_url = args.public_url.unwrap_or_else(|| format!("http://{addr}"));
    let policy = SessionPolicy {
        staff_idle: Duration::from_secs(60 * args.staff_idle_minutes),
        ..SessionPolicy::default()
    };
    let sessions = Sessions::for_db(&db).await?;
    let cleanup = tokio::spawn(sessions.clone().delete_expired_every(Duration::from_secs(600)));
    let https = public_url.starts_with("https://");
    let links = Links { public_url: public_url.clone() };
    let housekeeping = tokio::spawn(housekeeping_every(db.clone(), Duration::from_secs(3600)));
    let sealed = imap::seal_stored_passwords(&db, &sealing).await?;
    if sealed > 0 {
        tracing::info!(sealed, "sealed the mailbox passwords stored before sealing began");
    }
    let mut state = AppState::new(leptos_options, db.clone(), policy, links, sealing);
    state.erasure_grace = chrono::Duration::days(args.erasure_grace_days);
    state.inbound = Ingestor::new(
        db.clone(),
        InboundPolicy {
            thread_window: chrono::Duration::hours(args.thread_window_hours),
            max_message_bytes: (args.max_inbound_mb * 1024 * 1024) as usize,
        },
    );
    let secret = |value: Option<String>| value.filter(|value| !value.trim().is_empty());
    state.channels = ChannelSecrets {
        twilio_auth_token: secret(args.twilio_auth_token),
        meta_app_secret: secret(args.meta_app_secret),
        meta_verify_token: secret(args.meta_verify_token),
    };
    let twilio = match (secret(args.twilio_account_sid), &state.channels.twilio_auth_token) {
        (Some(account_sid), Some(auth_token)) => Some(Twilio {
            api_url: args.twilio_api_url,
            account_sid,
            auth_token: auth_token.clone(),
            sms_from: secret(args.twilio_sms_from),
            whatsapp_from: secret(args.twilio_whatsapp_from),
        }),
        _ => None,
    };
    let meta = secret(args.meta_page_token).map(|page_token| Meta { graph_url: args.meta_graph_url, page_token });
    let channel_delivery = if twilio.is_some() || meta.is_some() {
        let sender = ChannelSender::new(twilio, meta).map_err(CommandError::Config)?;
        Some(tokio::spawn(outbound::deliver_every(db.clone(), sender, Duration::from_secs(2))))
    } else {
        tracing::warn!("neither Twilio nor Meta is set up: replies by SMS, WhatsApp and Messenger wait in the outbox");
        None
    };
    let mail = match &args.smtp_url {
        Some(url) => {
            let sender = MailSender::new(url, &args.mail_from).map_err(|error| CommandError::Config(error.to_string()))?;
            Some(tokio::spawn(mail::deliver_every(db.clone(), sender, Duration::from_secs(2))))
        }
        None => {
            tracing::warn!("SMTP_URL is not set: outbound mail waits in the outbox");
            None
        }
    };
    let polling = tokio::spawn(imap::poll_every(
        db.clone(),
        state.inbound.clone(),
        state.sealing.clone(),
        Duration::from_secs(args.imap_poll_seconds),
    ));
    let publishing = tokio::spawn(authoring::publish_every(db.clone(), Duration::from_secs(30)));
    let live = tokio::spawn(events::pump(db, state.events.clone()));
    let hub = state.events.clone();
    let app = router(state, session_layer(sessions, https), https);
    let listener = TcpListener::bind(addr)
        .await
        .map_err(|source| CommandError::Bind { addr, source })?;
    tracing::info!(%addr, %public_url, "serving");
    let served = axum::serve(listener, app.into_make_service_with_connect_info::<SocketAddr>())
        .with_graceful_shutdown(async move {
            shutdown_signal().await;
            // Open event streams would keep the drain waiting forever.
            hub.close();
        })
        .await;
    cleanup.abort();
    live.abort();
    housekeeping.abort();
    polling.abort();
    publishing.abort();
    for worker in [mail, channel_delivery].into_iter().flatten() {
        worker.abort();
    }
    served.map_err(CommandError::Serve)?;
    tracing::info!("stopped: in-flight requests finished");
    Ok(())
}

/// Now and then: carries out the account erasures whose grace period is over, deletes
/// uploads that no message claimed and live events older than a day.
async fn housekeeping_every(db: Db, period: Duration) {
    let mut ticks = tokio::time::interval(period);
    loop {
        ticks.tick().await;
        match privacy::erase_due(&db).await {
            Ok(0) => {}
            Ok(erased) => tracing::info!(erased, "erased accounts at their owners' request"),
            Err(error) => tracing::error!(%error, "erasing accounts failed; retrying next hour"),
        }
        match attachments::discard_abandoned(&db).await {
            Ok(0) => {}
            Ok(discarded) => tracing::info!(discarded, "discarded uploads never sent"),
            Err(error) => tracing::error!(%error, "discarding abandoned uploads failed; retrying next hour"),
        }
        if let Err(error) = events::prune(&db).await {
            tracing::error!(%error, "pruning old ticket events failed; retrying next hour");
        }
    }
}

/// Resolves on Ctrl-C or SIGTERM; axum then stops accepting and drains open requests.
async fn shutdown_signal() {
    let ctrl_c = async {
        if let Err(error) = tokio::signal::ctrl_c().await {
            tracing::error!(%error, "cannot listen for Ctrl-C");
            std::future::pending::<()>().await;
        }
    };
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(error) => {
                tracing::error!(%error, "cannot listen for SIGTERM");
                std::future::pending::<()>().await;
            }
        }
    };
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutdown requested: finishing in-flight requests");
}

async fn create_admin(db: &Db, args: CreateAdminArgs) -> Result<(), CommandError> {
    let stdin = std::io::stdin();
    let mut input = stdin.lock();
    let email = match args.email {
        Some(email) => email,
        None => prompt(&mut input, "Email: ")?,
    };
    let name = match args.name {
        Some(name) => name,
        None => prompt(&mut input, "Name: ")?,
    };
    let password = if args.password_stdin {
        read_line(&mut input)?
    } else {
        let first = rpassword::prompt_password("Password (at least 10 characters): ")
            .map_err(CommandError::Input)?;
        let again = rpassword::prompt_password("Repeat the password: ").map_err(CommandError::Input)?;
        if first != again {
            return Err(CommandError::Usage("the two passwords differ; nothing was created".into()));
        }
        first
    };
    let id = users::create_user(
        db,
        NewUser { email: &email, display_name: &name, role: Role::Admin, password: &password },
    )
    .await?;
    println!("Created administrator #{id} <{}>.", email.trim().to_lowercase());
    Ok(())
}

fn prompt(input: &mut impl BufRead, label: &str) -> Result<String, CommandError> {
    print!("{label}");
    std::io::stdout().flush().map_err(CommandError::Input)?;
    read_line(input)
}

fn read_line(input: &mut impl BufRead) -> Result<String, CommandError> {
    let mut line = String::new();
    if input.read_line(&mut line).map_err(CommandError::Input)? == 0 {
        return Err(CommandError::Usage("input ended before a value was given".into()));
    }
    Ok(line.trim_end_matches(['\r', '\n']).to_owned())
}

async fn seed(db: &Db, args: SeedArgs) -> Result<(), CommandError> {
    let size = SeedSize { extra_articles: args.extra_articles, tickets: args.tickets };
    match seed::seed(db, size).await? {
        SeedOutcome::Seeded { articles, tickets } => {
            println!("Seeded demo data: {articles} articles, {tickets} tickets.")
        }
        SeedOutcome::AlreadySeeded => println!("The database already has logins; seed skipped."),
    }
    println!("Demo logins (password \"{DEMO_PASSWORD}\"):");
    for (email, name, role) in DEMO_LOGINS {
        println!("  {:<11} {email:<28} {name}", role.as_str());
    }
    Ok(())
}

async fn outbox(db: &Db, args: OutboxArgs) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    for mail in accounts::pending_mail(db, args.to.as_deref()).await? {
        serde_json::to_writer(&mut out, &mail).map_err(|e| CommandError::Output(e.into()))?;
        writeln!(out).map_err(CommandError::Output)?;
    }
    Ok(())
}

async fn api_key(db: &Db, command: ApiKeyCommand) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    let mut print = |line: String| writeln!(out, "{line}").map_err(CommandError::Output);
    match command {
        ApiKeyCommand::Create { name, scopes, rate_per_minute } => {
            let (key, secret) = api_keys::create(db, &name, &scopes, rate_per_minute, None).await?;
            print(format!("Created API key #{} \"{}\". It is shown only now; store it safely:", key.id, key.name))?;
            print(secret)?;
        }
        ApiKeyCommand::List => {
            for key in api_keys::list(db).await? {
                let scopes: Vec<&str> = key.scopes.iter().map(|scope| scope.as_str()).collect();
                let state = match (key.revoked_at, key.last_used_at) {
                    (Some(at), _) => format!("revoked {}", at.format("%Y-%m-%d %H:%M")),
                    (None, Some(at)) => format!("last used {}", at.format("%Y-%m-%d %H:%M")),
                    (None, None) => "never used".to_owned(),
                };
                print(format!(
                    "#{}\t{}\thd_{}_…\t{}\t{}/min\t{state}",
                    key.id,
                    key.name,
                    key.prefix,
                    scopes.join(","),
                    key.rate_per_minute
                ))?;
            }
        }
        ApiKeyCommand::Revoke { id } => {
            api_keys::revoke(db, id, None).await?;
            print(format!("Revoked API key #{id}."))?;
        }
    }
    Ok(())
}

async fn mailbox(db: &Db, key: &SealingKey, command: MailboxCommand) -> Result<(), CommandError> {
    let mut out = std::io::stdout().lock();
    let mut print = |line: String| writeln!(out, "{line}").map_err(CommandError::Output);
    match command {
        MailboxCommand::Add { name, host, port, security, username, folder } => {
            let security = Security::parse(&security)?;
            let mut password = String::new();
            std::io::stdin().lock().read_line(&mut password).map_err(CommandError::Input)?;
            let password = password.trim_end_matches(['\r', '\n']).to_owned();
            let mailbox = NewMailbox { name, host, port, security, username, password, folder };
            let id = imap::add_mailbox(db, key, &mailbox).await?;
            print(format!("Added mailbox #{id} \"{}\"; serve polls it.", mailbox.name))?;
        }
        MailboxCommand::List => {
            for mailbox in imap::mailboxes(db).await? {
                let polled = match (&mailbox.last_polled_at, &mailbox.last_error) {
                    (_, Some(error)) => format!("failing: {error}"),
                    (Some(at), None) => format!("polled {}", at.format("%Y-%m-%d %H:%M")),
                    (None, None) => "not polled yet".to_owned(),
                };
                print(format!(
                    "#{}\t{}\t{}@{}:{} ({})\t{}\tlast UID {}\t{polled}",
                    mailbox.id, mailbox.name, mailbox.username, mailbox.host, mailbox.port, mailbox.security, mailbox.folder, mailbox.last_uid
                ))?;
                for (uid, reason) in imap::quarantined(db, mailbox.id).await? {
                    print(format!("\tquarantined UID {uid}: {reason}"))?;
                }
            }
        }
        MailboxCommand::Remove { id } => {
            imap::remove_mailbox(db, id).await?;
            print(format!("Removed mailbox #{id}."))?;
        }
    }
    Ok(())
}
