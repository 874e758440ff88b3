//! The command line: every setting is a flag with an environment variable behind it.

use clap::{Args, Parser, Subcommand, ValueEnum};
use std::net::SocketAddr;

pub const DEFAULT_DATABASE_URL: &str = "sqlite://data/helpdesk.db";
pub const DEFAULT_KEY_FILE: &str = "data/helpdesk.key";

#[derive(Debug, Parser)]
#[command(
    name = "helpdesk",
    version,
    about = "Omnichannel customer support: portal, agent workspace and admin",
    args_conflicts_with_subcommands = true
)]
pub struct Cli {
    /// Database to use: a SQLite file (created on first use) or a PostgreSQL server.
    #[arg(long, env = "DATABASE_URL", default_value = DEFAULT_DATABASE_URL, global = true)]
    pub database_url: String,

    /// The key that seals the secrets stored in the database (mailbox passwords): created on
    /// first use. Back it up apart from the database, and give every server of one database
    /// the same file.
    #[arg(long, env = "HELPDESK_KEY_FILE", default_value = DEFAULT_KEY_FILE, global = true)]
    pub key_file: std::path::PathBuf,

    /// Log filter, e.g. `info` or `helpdesk=debug,sqlx=warn`.
    #[arg(long, env = "LOG_LEVEL", default_value = "info", global = true)]
    pub log_level: String,

    /// `text` for people, `json` for log collectors.
    #[arg(long, env = "LOG_FORMAT", value_enum, default_value_t = LogFormat::Text, global = true)]
    pub log_format: LogFormat,

    /// Settings of `serve` when no command is given.
    #[command(flatten)]
    pub serve: ServeArgs,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum LogFormat {
    Text,
    Json,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Apply pending migrations, then serve the product (the default).
    Serve(ServeArgs),
    /// Apply pending migrations and exit.
    Migrate,
    /// Create an administrator login. Asks for what the flags do not give.
    CreateAdmin(CreateAdminArgs),
    /// Fill an empty database with demo data; a database with logins is left as it is.
    Seed(SeedArgs),
    /// Print the mail waiting to be sent (account links, notices), oldest first, as JSON lines.
    Outbox(OutboxArgs),
    /// Keys for the REST API and the inbound endpoints: create, list, revoke.
    #[command(subcommand)]
    ApiKey(ApiKeyCommand),
    /// IMAP mailboxes whose mail becomes tickets: add, list (with quarantined mail), remove.
    #[command(subcommand)]
    Mailbox(MailboxCommand),
}

#[derive(Debug, Subcommand)]
pub enum MailboxCommand {
    /// Add a mailbox to poll; the password is read from the first line of standard input.
    Add {
        #[arg(long)]
        name: String,
        #[arg(long)]
        host: String,
        #[arg(long, default_value_t = 993)]
        port: u16,
        /// tls (port 993), starttls (port 143) or none (a server on this machine only).
        #[arg(long, default_value = "tls")]
        security: String,
        #[arg(long)]
        username: String,
        #[arg(long, default_value = "INBOX")]
        folder: String,
    },
    /// List the mailboxes, their last poll and the mail they quarantined.
    List,
    /// Stop polling a mailbox.
    Remove { id: i64 },
}

#[derive(Debug, Subcommand)]
pub enum ApiKeyCommand {
    /// Create a key and print it; it is shown this once.
    Create {
        /// Who uses it, e.g. "Postfix pipe" or "CRM sync".
        #[arg(long)]
        name: String,
        /// What it may do (repeat or separate with commas).
        #[arg(long = "scope", value_delimiter = ',', required = true, value_parser = parse_scope)]
        scopes: Vec<app::model::ApiScope>,
        /// Requests a minute this key may make.
        #[arg(long, default_value_t = app::server::api_keys::DEFAULT_RATE_PER_MINUTE)]
        rate_per_minute: u32,
    },
    /// List the keys (never their secrets).
    List,
    /// Revoke a key by its number; requests with it are refused from then on.
    Revoke { id: i64 },
}

fn parse_scope(text: &str) -> Result<app::model::ApiScope, String> {
    text.parse().map_err(|_| {
        let known: Vec<&str> = app::model::ApiScope::ALL.iter().map(|scope| scope.as_str()).collect();
        format!("unknown scope {text:?}; known scopes: {}", known.join(", "))
    })
}

#[derive(Debug, Args)]
pub struct OutboxArgs {
    /// Only mail to this address.
    #[arg(long)]
    pub to: Option<String>,
}

#[derive(Debug, Args)]
pub struct ServeArgs {
    /// Address to listen on. cargo-leptos sets LEPTOS_SITE_ADDR.
    #[arg(long, env = "LEPTOS_SITE_ADDR")]
    pub addr: Option<SocketAddr>,

    /// The URL customers and agents reach the product at (links in emails, logs). An
    /// https URL makes session cookies Secure.
    #[arg(long, env = "PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Staff are signed out after this many minutes without a request.
    #[arg(long, env = "STAFF_IDLE_MINUTES", default_value_t = 30, value_parser = clap::value_parser!(u64).range(1..=720))]
    pub staff_idle_minutes: u64,

    /// Days between a customer asking to erase their account and its erasure; they can
    /// cancel until then.
    #[arg(long, env = "ERASURE_GRACE_DAYS", default_value_t = 14, value_parser = clap::value_parser!(i64).range(0..=365))]
    pub erasure_grace_days: i64,

    /// Where outbound mail goes: smtp://host:25 (a local relay),
    /// smtp://user:password@host:587?tls=required (STARTTLS) or smtps://user:password@host:465.
    /// Without it, mail waits in the outbox (`helpdesk outbox` lists it).
    #[arg(long, env = "SMTP_URL", hide_env_values = true)]
    pub smtp_url: Option<String>,

    /// The sender of outbound mail.
    #[arg(long, env = "MAIL_FROM", default_value = "Northwind Support <support@northwind.test>")]
    pub mail_from: String,

    /// An inbound message joins (or reopens) the customer's latest ticket active within this
    /// many hours, whatever channel it came in on; after that it starts a new one.
    #[arg(long, env = "THREAD_WINDOW_HOURS", default_value_t = 168, value_parser = clap::value_parser!(i64).range(1..=8760))]
    pub thread_window_hours: i64,

    /// The largest inbound message, with its attachments, in megabytes.
    #[arg(long, env = "MAX_INBOUND_MB", default_value_t = 25, value_parser = clap::value_parser!(u64).range(1..=200))]
    pub max_inbound_mb: u64,

    /// The auth token of the Twilio account whose SMS and WhatsApp webhooks point at
    /// /webhooks/twilio; it verifies their signatures. Without it that webhook is off.
    #[arg(long, env = "TWILIO_AUTH_TOKEN", hide_env_values = true)]
    pub twilio_auth_token: Option<String>,

    /// The secret of the Meta app whose Messenger and Instagram webhooks point at
    /// /webhooks/meta; it verifies their signatures. Without it that webhook is off.
    #[arg(long, env = "META_APP_SECRET", hide_env_values = true)]
    pub meta_app_secret: Option<String>,

    /// The verify token entered in the Meta app's webhook settings.
    #[arg(long, env = "META_VERIFY_TOKEN", hide_env_values = true)]
    pub meta_verify_token: Option<String>,

    /// The Twilio account replies by SMS and WhatsApp are sent through (with TWILIO_AUTH_TOKEN).
    #[arg(long, env = "TWILIO_ACCOUNT_SID")]
    pub twilio_account_sid: Option<String>,

    /// The number (E.164) or Messaging Service SID (MG…) SMS replies are sent from.
    #[arg(long, env = "TWILIO_SMS_FROM")]
    pub twilio_sms_from: Option<String>,

    /// The WhatsApp sender number (E.164) replies are sent from.
    #[arg(long, env = "TWILIO_WHATSAPP_FROM")]
    pub twilio_whatsapp_from: Option<String>,

    /// Twilio's REST API.
    #[arg(long, env = "TWILIO_API_URL", default_value = "https://api.twilio.com")]
    pub twilio_api_url: String,

    /// The Facebook page's access token replies by Messenger and Instagram are sent with.
    #[arg(long, env = "META_PAGE_TOKEN", hide_env_values = true)]
    pub meta_page_token: Option<String>,

    /// Seconds between two polls of the IMAP mailboxes (`helpdesk mailbox add`).
    #[arg(long, env = "IMAP_POLL_SECONDS", default_value_t = 30, value_parser = clap::value_parser!(u64).range(5..=3600))]
    pub imap_poll_seconds: u64,

    /// Meta's Graph API, with its version.
    #[arg(long, env = "META_GRAPH_URL", default_value = "https://graph.facebook.com/v19.0")]
    pub meta_graph_url: String,
}

#[derive(Debug, Args)]
pub struct CreateAdminArgs {
    #[arg(long)]
    pub email: Option<String>,
    #[arg(long)]
    pub name: Option<String>,
    /// Read the password from the first line of standard input instead of prompting.
    #[arg(long)]
    pub password_stdin: bool,
}

#[derive(Debug, Args)]
pub struct SeedArgs {
    /// Generated knowledge-base articles on top of the hand-written demo set (for load tests).
    #[arg(long, default_value_t = 0)]
    pub extra_articles: usize,

    /// Generated tickets on top of the demo conversations, five timeline entries each
    /// (benchmarks use 1000000).
    #[arg(long, default_value_t = 0, value_parser = clap::value_parser!(i64).range(0..=10_000_000))]
    pub tickets: i64,
}
