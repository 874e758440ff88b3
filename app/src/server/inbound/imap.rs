//! Email in from IMAP mailboxes: each poll takes the messages above the last UID taken, records
//! them like any inbound email and moves the mark past each one as it is committed, so a
//! restart resumes where the last poll stopped. A message that cannot be recorded is kept in
//! quarantine with the reason and the poll moves on; a failure of our own (the database) stops
//! the poll with the mark before that message, to be taken again next time.

use super::{Ingestor, email};
use crate::{
    error::AppError,
    model::MailboxStatus,
    server::{
        clock,
        db::{Db, with_db},
        sealing::SealingKey,
    },
};
use async_imap::{Client, Session};
use chrono::{DateTime, Utc};
use futures_util::TryStreamExt;
use std::{fmt, sync::Arc, time::Duration};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpStream,
};
use tokio_rustls::{
    TlsConnector,
    rustls::{ClientConfig, RootCertStore, crypto::ring, pki_types::ServerName},
};

/// How the connection to the IMAP server is protected.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Security {
    /// TLS from the first byte (port 993).
    Tls,
    /// Plain connection upgraded with STARTTLS (port 143).
    StartTls,
    /// No encryption: only for a server on the same machine or network.
    None,
}

impl Security {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Tls => "tls",
            Self::StartTls => "starttls",
            Self::None => "none",
        }
    }

    pub fn parse(text: &str) -> Result<Self, AppError> {
        match text {
            "tls" => Ok(Self::Tls),
            "starttls" => Ok(Self::StartTls),
            "none" => Ok(Self::None),
            other => Err(AppError::invalid(format!("{other:?} is not a connection security: use tls, starttls or none."))),
        }
    }
}

/// A mailbox to poll, as an administrator set it up.
#[derive(Clone, Debug)]
pub struct NewMailbox {
    pub name: String,
    pub host: String,
    pub port: u16,
    pub security: Security,
    pub username: String,
    pub password: String,
    pub folder: String,
}

#[derive(Clone, Debug, sqlx::FromRow)]
pub struct Mailbox {
    pub id: i64,
    pub name: String,
    pub host: String,
    pub port: i32,
    pub security: String,
    pub username: String,
    /// Sealed (see [`SealingKey`]) unless stored before sealing began. Never shown; only
    /// the poll opens it.
    password: String,
    password_sealed: bool,
    pub folder: String,
    pub uid_validity: Option<i64>,
    pub last_uid: i64,
    pub last_polled_at: Option<DateTime<Utc>>,
    pub last_error: Option<String>,
}

/// What one poll did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PollReport {
    pub recorded: usize,
    pub quarantined: usize,
}

pub async fn add_mailbox(db: &Db, key: &SealingKey, mailbox: &NewMailbox) -> Result<i64, AppError> {
    for (value, what) in [(&mailbox.name, "a name"), (&mailbox.host, "the server's host name"), (&mailbox.username, "the user name"), (&mailbox.folder, "the folder")] {
        if value.trim().is_empty() || value.chars().any(char::is_control) {
            return Err(AppError::invalid(format!("Give {what}.")));
        }
    }
    let id = with_db!(db, |pool| {
        sqlx::query_scalar::<_, i64>(
            "insert into mailboxes (name, host, port, security, username, password, password_sealed, folder, created_at)
             values ($1, $2, $3, $4, $5, $6, true, $7, $8)
             on conflict (name) do nothing returning id",
        )
        .bind(mailbox.name.trim())
        .bind(mailbox.host.trim())
        .bind(i32::from(mailbox.port))
        .bind(mailbox.security.as_str())
        .bind(mailbox.username.trim())
        .bind(key.seal(&mailbox.password))
        .bind(mailbox.folder.trim())
        .bind(clock::now())
        .fetch_optional(pool)
        .await?
    });
    id.ok_or_else(|| AppError::Conflict(format!("A mailbox is already called {:?}.", mailbox.name.trim())))
}

const MAILBOX_COLUMNS: &str =
    "id, name, host, port, security, username, password, password_sealed, folder, uid_validity, last_uid, last_polled_at, last_error";

pub async fn mailboxes(db: &Db) -> Result<Vec<Mailbox>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, Mailbox>(&format!("select {MAILBOX_COLUMNS} from mailboxes order by id"))
            .fetch_all(pool)
            .await?
    }))
}

/// Seals the passwords stored before sealing began. Returns how many it sealed.
pub async fn seal_stored_passwords(db: &Db, key: &SealingKey) -> Result<usize, AppError> {
    let plain = with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String)>("select id, password from mailboxes where not password_sealed").fetch_all(pool).await?
    });
    for (id, password) in &plain {
        with_db!(db, |pool| {
            sqlx::query("update mailboxes set password = $1, password_sealed = true where id = $2 and not password_sealed")
                .bind(key.seal(password))
                .bind(id)
                .execute(pool)
                .await?;
        });
    }
    Ok(plain.len())
}

/// Every mailbox with how its polling goes, for the admin page.
pub async fn statuses(db: &Db) -> Result<Vec<MailboxStatus>, AppError> {
    type Row = (i64, String, String, String, i32, String, String, Option<DateTime<Utc>>, Option<String>, i64);
    let rows = with_db!(db, |pool| {
        sqlx::query_as::<_, Row>(
            "select m.id, m.name, m.username, m.host, m.port, m.security, m.folder, m.last_polled_at, m.last_error,
                    (select count(*) from quarantined_mail q where q.mailbox_id = m.id)
             from mailboxes m order by m.id",
        )
        .fetch_all(pool)
        .await?
    });
    Ok(rows
        .into_iter()
        .map(|(id, name, username, host, port, security, folder, last_polled_at, last_error, quarantined)| MailboxStatus {
            id,
            name,
            username,
            host,
            port,
            security,
            folder,
            last_polled_at,
            last_error,
            quarantined,
        })
        .collect())
}

pub async fn remove_mailbox(db: &Db, id: i64) -> Result<(), AppError> {
    let removed = with_db!(db, |pool| {
        sqlx::query("delete from mailboxes where id = $1").bind(id).execute(pool).await?.rows_affected()
    });
    if removed == 0 {
        return Err(AppError::NotFound);
    }
    Ok(())
}

/// The quarantined messages of a mailbox: (uid, reason), oldest first.
pub async fn quarantined(db: &Db, mailbox_id: i64) -> Result<Vec<(i64, String)>, AppError> {
    Ok(with_db!(db, |pool| {
        sqlx::query_as::<_, (i64, String)>("select uid, reason from quarantined_mail where mailbox_id = $1 order by id")
            .bind(mailbox_id)
            .fetch_all(pool)
            .await?
    }))
}

/// Any stream IMAP can run over: plain TCP or TLS.
trait Transport: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug {}
impl<T: AsyncRead + AsyncWrite + Unpin + Send + fmt::Debug> Transport for T {}

type ImapSession = Session<Box<dyn Transport>>;

async fn connect(key: &SealingKey, mailbox: &Mailbox) -> Result<ImapSession, String> {
    let password = match mailbox.password_sealed {
        true => key.open(&mailbox.password).ok_or(
            "the stored password was sealed with another key than this server's: give all servers the same key file, or add the mailbox again",
        )?,
        false => mailbox.password.clone(),
    };
    let security = Security::parse(&mailbox.security).map_err(|error| error.to_string())?;
    let tcp = TcpStream::connect((mailbox.host.as_str(), mailbox.port as u16))
        .await
        .map_err(|error| format!("could not connect to {}:{}: {error}", mailbox.host, mailbox.port))?;
    let mut client = match security {
        Security::Tls => Client::new(Box::new(tls(&mailbox.host, tcp).await?) as Box<dyn Transport>),
        Security::None | Security::StartTls => Client::new(Box::new(tcp) as Box<dyn Transport>),
    };
    client.read_response().await.map_err(|error| format!("no greeting: {error}"))?;
    if security == Security::StartTls {
        client.run_command_and_check_ok("STARTTLS", None).await.map_err(|error| format!("STARTTLS refused: {error}"))?;
        let plain = client.into_inner();
        client = Client::new(Box::new(tls(&mailbox.host, plain).await?) as Box<dyn Transport>);
    }
    client
        .login(&mailbox.username, &password)
        .await
        .map_err(|(error, _)| format!("login as {} refused: {error}", mailbox.username))
}

fn tls_config() -> Arc<ClientConfig> {
    let roots = RootCertStore { roots: webpki_roots::TLS_SERVER_ROOTS.to_vec() };
    let config = ClientConfig::builder_with_provider(Arc::new(ring::default_provider()))
        .with_safe_default_protocol_versions()
        .expect("the ring provider supports the default TLS versions")
        .with_root_certificates(roots)
        .with_no_client_auth();
    Arc::new(config)
}

async fn tls<S: AsyncRead + AsyncWrite + Unpin>(host: &str, stream: S) -> Result<tokio_rustls::client::TlsStream<S>, String> {
    let name = ServerName::try_from(host.to_owned()).map_err(|error| format!("{host:?} is not a server name: {error}"))?;
    TlsConnector::from(tls_config()).connect(name, stream).await.map_err(|error| format!("TLS with {host} failed: {error}"))
}

/// Takes the mailbox's new messages. `Err` says why the poll could not run or stopped.
pub async fn poll(db: &Db, ingestor: &Ingestor, key: &SealingKey, mailbox: &Mailbox) -> Result<PollReport, String> {
    let mut session = connect(key, mailbox).await?;
    let selected = session.select(&mailbox.folder).await.map_err(|error| format!("no folder {:?}: {error}", mailbox.folder))?;
    let uid_validity = i64::from(selected.uid_validity.unwrap_or(0));
    let mut last_uid = mailbox.last_uid;
    if mailbox.uid_validity != Some(uid_validity) {
        // First poll, or the server renumbered the folder: read it all again.
        last_uid = 0;
        set_mark(db, mailbox.id, uid_validity, 0).await.map_err(|error| error.to_string())?;
    }
    let mut uids: Vec<u32> = session
        .uid_search(format!("UID {}:*", last_uid + 1))
        .await
        .map_err(|error| format!("search failed: {error}"))?
        .into_iter()
        .filter(|uid| i64::from(*uid) > last_uid)
        .collect();
    uids.sort_unstable();
    let mut report = PollReport::default();
    for chunk in uids.chunks(25) {
        let set = chunk.iter().map(u32::to_string).collect::<Vec<_>>().join(",");
        let mut fetched: Vec<(u32, Vec<u8>)> = session
            .uid_fetch(&set, "(UID RFC822)")
            .await
            .map_err(|error| format!("fetch failed: {error}"))?
            .map_ok(|fetch| (fetch.uid.unwrap_or(0), fetch.body().unwrap_or_default().to_vec()))
            .try_collect()
            .await
            .map_err(|error| format!("fetch failed: {error}"))?;
        fetched.sort_by_key(|(uid, _)| *uid);
        for (uid, raw) in fetched {
            take(db, ingestor, mailbox.id, uid_validity, uid, &raw, &mut report).await.map_err(|error| error.to_string())?;
            set_mark(db, mailbox.id, uid_validity, i64::from(uid)).await.map_err(|error| error.to_string())?;
        }
    }
    let _ = session.logout().await;
    Ok(report)
}

/// Records one message, or quarantines it when it cannot be recorded. `Err` only for our
/// own failures, which must not skip the message.
async fn take(
    db: &Db,
    ingestor: &Ingestor,
    mailbox_id: i64,
    uid_validity: i64,
    uid: u32,
    raw: &[u8],
    report: &mut PollReport,
) -> Result<(), AppError> {
    let outcome = match email::parse(raw, ingestor.policy()) {
        Ok(message) => ingestor.ingest(message).await.map(drop),
        Err(error) => Err(error),
    };
    match outcome {
        Ok(()) => report.recorded += 1,
        Err(AppError::Invalid(reason)) => {
            tracing::warn!(mailbox_id, uid, %reason, "mail quarantined");
            with_db!(db, |pool| {
                sqlx::query(
                    "insert into quarantined_mail (mailbox_id, uid_validity, uid, reason, raw, created_at)
                     values ($1, $2, $3, $4, $5, $6) on conflict (mailbox_id, uid_validity, uid) do nothing",
                )
                .bind(mailbox_id)
                .bind(uid_validity)
                .bind(i64::from(uid))
                .bind(&reason)
                .bind(raw)
                .bind(clock::now())
                .execute(pool)
                .await?;
            });
            report.quarantined += 1;
        }
        Err(other) => return Err(other),
    }
    Ok(())
}

async fn set_mark(db: &Db, mailbox_id: i64, uid_validity: i64, last_uid: i64) -> Result<(), AppError> {
    with_db!(db, |pool| {
        sqlx::query("update mailboxes set uid_validity = $1, last_uid = $2 where id = $3")
            .bind(uid_validity)
            .bind(last_uid)
            .bind(mailbox_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}

/// Polls every mailbox every `period`, one node at a time per mailbox (a claim), until the
/// task is dropped. Each mailbox's last poll and error are kept for the administrator.
pub async fn poll_every(db: Db, ingestor: Ingestor, key: Arc<SealingKey>, period: Duration) {
    let mut ticks = tokio::time::interval(period);
    ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        ticks.tick().await;
        let mailboxes = match mailboxes(&db).await {
            Ok(mailboxes) => mailboxes,
            Err(error) => {
                tracing::error!(%error, "could not read the mailboxes to poll");
                continue;
            }
        };
        for mailbox in mailboxes {
            match claim(&db, mailbox.id).await {
                Ok(true) => {}
                Ok(false) => continue,
                Err(error) => {
                    tracing::error!(%error, "could not claim a mailbox");
                    continue;
                }
            }
            let outcome = poll(&db, &ingestor, &key, &mailbox).await;
            match &outcome {
                Ok(PollReport { recorded: 0, quarantined: 0 }) => {}
                Ok(report) => tracing::info!(mailbox = %mailbox.name, ?report, "mailbox polled"),
                Err(reason) => tracing::warn!(mailbox = %mailbox.name, %reason, "mailbox poll failed"),
            }
            if let Err(error) = release(&db, mailbox.id, outcome.err()).await {
                tracing::error!(%error, "could not record a mailbox poll");
            }
        }
    }
}

/// Takes the mailbox for one poll, unless another node holds it.
async fn claim(db: &Db, mailbox_id: i64) -> Result<bool, AppError> {
    let now = clock::now();
    Ok(with_db!(db, |pool| {
        sqlx::query(
            "update mailboxes set claimed_until = $1
             where id = $2 and (claimed_until is null or claimed_until <= $3)",
        )
        .bind(now + chrono::Duration::minutes(10))
        .bind(mailbox_id)
        .bind(now)
        .execute(pool)
        .await?
        .rows_affected()
            == 1
    }))
}

async fn release(db: &Db, mailbox_id: i64, error: Option<String>) -> Result<(), AppError> {
    with_db!(db, |pool| {
        sqlx::query("update mailboxes set claimed_until = null, last_polled_at = $1, last_error = $2 where id = $3")
            .bind(clock::now())
            .bind(error)
            .bind(mailbox_id)
            .execute(pool)
            .await?;
    });
    Ok(())
}
