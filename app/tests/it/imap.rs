//! Email in from a real Dovecot IMAP server, started by these tests with a temporary maildir:
//! new mail is recorded once, even when a poll is repeated from an old mark (a restart) or the
//! server renumbers the folder; mail that cannot be recorded is quarantined with the reason.
//! The mailbox's password is stored sealed, and only the server's key opens it.

use app::{
    both_backends,
    model::Channel,
    server::{
        db::Db,
        inbound::{
            InboundPolicy, Ingestor,
            imap::{self, NewMailbox, PollReport, Security},
        },
        sealing::SealingKey,
        tickets,
    },
    with_db,
};
use async_imap::Client;
use std::{
    net::TcpListener,
    os::unix::fs::PermissionsExt,
    process::{Child, Command, Stdio},
    time::{Duration, Instant},
};

const USER: &str = "support@northwind.test";
const PASSWORD: &str = "mailbox-secret";

/// Dovecot on a free local port, serving one user's maildir in a temporary directory.
struct Dovecot {
    child: Child,
    port: u16,
    _dir: tempfile::TempDir,
}

impl Dovecot {
    fn start() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        let home = root.join("home");
        std::fs::create_dir(&home).unwrap();
        // Dovecot's mail processes run as nobody: the maildir's parent must let them in.
        std::fs::set_permissions(root, std::fs::Permissions::from_mode(0o755)).unwrap();
        std::fs::set_permissions(&home, std::fs::Permissions::from_mode(0o777)).unwrap();
        std::fs::write(root.join("users"), format!("{USER}:{{PLAIN}}{PASSWORD}\n")).unwrap();
        let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
        let root = root.display();
        let config = format!(
            "base_dir = {root}/run\nstate_dir = {root}/state\nlog_path = {root}/dovecot.log\n\
             protocols = imap\nlisten = 127.0.0.1\nssl = no\ndisable_plaintext_auth = no\n\
             auth_mechanisms = plain login\n\
             passdb {{\n  driver = passwd-file\n  args = scheme=PLAIN username_format=%u {root}/users\n}}\n\
             userdb {{\n  driver = static\n  args = uid=nobody gid=nogroup home={root}/home/%u\n}}\n\
             mail_location = maildir:~/Maildir\n\
             service imap-login {{\n  inet_listener imap {{\n    address = 127.0.0.1\n    port = {port}\n  }}\n  inet_listener imaps {{\n    port = 0\n  }}\n}}\n"
        );
        let config_path = dir.path().join("dovecot.conf");
        std::fs::write(&config_path, config).unwrap();
        let child = Command::new("dovecot")
            .args(["-F", "-c", &config_path.display().to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("dovecot runs (scripts/setup.sh --test installs dovecot-imapd)");
        let started = Instant::now();
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(started.elapsed() < Duration::from_secs(10), "Dovecot did not start");
            std::thread::sleep(Duration::from_millis(50));
        }
        Self { child, port, _dir: dir }
    }

    fn mailbox(&self) -> NewMailbox {
        NewMailbox {
            name: "Support inbox".into(),
            host: "127.0.0.1".into(),
            port: self.port,
            security: Security::None,
            username: USER.into(),
            password: PASSWORD.into(),
            folder: "INBOX".into(),
        }
    }

    /// Delivers messages into the inbox, as the mail server would.
    async fn deliver(&self, messages: &[String]) {
        let tcp = tokio::net::TcpStream::connect(("127.0.0.1", self.port)).await.unwrap();
        let mut client = Client::new(tcp);
        client.read_response().await.unwrap();
        let mut session = client.login(USER, PASSWORD).await.map_err(|(error, _)| error).unwrap();
        for message in messages {
            session.append("INBOX", None, None, message.as_bytes()).await.unwrap();
        }
        session.logout().await.unwrap();
    }
}

impl Drop for Dovecot {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn mail(from: &str, id: &str, subject: &str, body: &str) -> String {
    format!("From: {from}\r\nTo: {USER}\r\nSubject: {subject}\r\nMessage-ID: <{id}>\r\n\r\n{body}\r\n")
}

async fn count(db: &Db, sql: &str) -> i64 {
    with_db!(db, |pool| sqlx::query_scalar::<_, i64>(sql).fetch_one(pool).await.unwrap())
}

async fn the_mailbox(db: &Db) -> imap::Mailbox {
    imap::mailboxes(db).await.unwrap().remove(0)
}

both_backends!(new_mail_is_taken_once_even_after_a_restart, |db: Db| async move {
    let dovecot = Dovecot::start();
    let ingestor = Ingestor::new(db.clone(), InboundPolicy::default());
    let key = SealingKey::generate();
    imap::add_mailbox(&db, &key, &dovecot.mailbox()).await.unwrap();
    dovecot
        .deliver(&[
            mail("Ana Silva <ana@example.com>", "i1@example.com", "Kettle lid cracked", "It arrived cracked."),
            mail("ben@example.com", "i2@example.com", "Invoice", "Please send the invoice again."),
        ])
        .await;

    let first = imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap();
    assert_eq!(first, PollReport { recorded: 2, quarantined: 0 });
    assert_eq!(imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap(), PollReport::default());

    // Ana answers in the same thread; only her new message is taken.
    dovecot
        .deliver(&[format!(
            "From: ana@example.com\r\nSubject: Re: Kettle lid cracked\r\nMessage-ID: <i3@example.com>\r\nIn-Reply-To: <i1@example.com>\r\n\r\nPhoto attached soon.\r\n"
        )])
        .await;
    assert_eq!(imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap(), PollReport { recorded: 1, quarantined: 0 });
    let tickets = count(&db, "select count(*) from tickets").await;
    assert_eq!(tickets, 2, "the answer joined Ana's ticket");

    // A node died after recording but before moving its mark: the next poll reads the
    // messages again and records nothing twice.
    with_db!(&db, |pool| sqlx::query("update mailboxes set last_uid = 0").execute(pool).await.map(drop).unwrap());
    imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap();
    assert_eq!(count(&db, "select count(*) from interactions where channel = 'email'").await, 3);

    // The server renumbered the folder (a new UIDVALIDITY): read again, nothing doubled.
    with_db!(&db, |pool| sqlx::query("update mailboxes set uid_validity = 1").execute(pool).await.map(drop).unwrap());
    imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap();
    assert_eq!(count(&db, "select count(*) from interactions where channel = 'email'").await, 3);
    let mailbox = the_mailbox(&db).await;
    assert_ne!(mailbox.uid_validity, Some(1));
    assert_eq!(mailbox.last_uid, 3);

    let thread = tickets::ticket_thread(&db, 1).await.unwrap().interactions;
    assert!(thread.iter().all(|entry| entry.channel == Channel::Email));
});

both_backends!(mail_that_cannot_be_recorded_is_quarantined_and_the_poll_moves_on, |db: Db| async move {
    let dovecot = Dovecot::start();
    let ingestor = Ingestor::new(db.clone(), InboundPolicy::default());
    let key = SealingKey::generate();
    let id = imap::add_mailbox(&db, &key, &dovecot.mailbox()).await.unwrap();
    dovecot
        .deliver(&[
            "Subject: no sender at all\r\n\r\nWho wrote this?\r\n".to_owned(),
            "From: ana@example.com\r\nSubject: Odd\r\nMessage-ID: <q2@example.com>\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nnuqneH\r\n".to_owned(),
            mail("ana@example.com", "q3@example.com", "Hello", "A normal message."),
        ])
        .await;
    let report = imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap();
    assert_eq!(report, PollReport { recorded: 1, quarantined: 2 });
    let kept = imap::quarantined(&db, id).await.unwrap();
    assert_eq!(kept.len(), 2);
    assert!(kept[0].1.contains("no sender"), "{kept:?}");
    assert!(kept[1].1.contains("x-klingon"), "{kept:?}");
    // Quarantined once: a repeated poll from an old mark keeps one copy each.
    with_db!(&db, |pool| sqlx::query("update mailboxes set last_uid = 0").execute(pool).await.map(drop).unwrap());
    imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap();
    assert_eq!(imap::quarantined(&db, id).await.unwrap().len(), 2);
});

both_backends!(an_unreachable_or_refusing_server_is_reported_and_nothing_moves, |db: Db| async move {
    let dovecot = Dovecot::start();
    let ingestor = Ingestor::new(db.clone(), InboundPolicy::default());
    let key = SealingKey::generate();
    let wrong_password = NewMailbox { password: "guess".into(), ..dovecot.mailbox() };
    imap::add_mailbox(&db, &key, &wrong_password).await.unwrap();
    let error = imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap_err();
    assert!(error.contains("login as support@northwind.test refused"), "{error}");

    let closed_port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let nowhere = NewMailbox { name: "Old server".into(), port: closed_port, ..dovecot.mailbox() };
    imap::add_mailbox(&db, &key, &nowhere).await.unwrap();
    let error = imap::poll(&db, &ingestor, &key, &imap::mailboxes(&db).await.unwrap()[1]).await.unwrap_err();
    assert!(error.contains("could not connect"), "{error}");
    assert!(imap::add_mailbox(&db, &key, &dovecot.mailbox()).await.unwrap_err().to_string().contains("already called"));
});

both_backends!(the_password_is_stored_sealed_and_only_the_servers_key_opens_it, |db: Db| async move {
    let dovecot = Dovecot::start();
    let ingestor = Ingestor::new(db.clone(), InboundPolicy::default());
    let key = SealingKey::generate();
    imap::add_mailbox(&db, &key, &dovecot.mailbox()).await.unwrap();
    let stored = with_db!(&db, |pool| sqlx::query_scalar::<_, String>("select password from mailboxes").fetch_one(pool).await.unwrap());
    assert!(!stored.contains(PASSWORD), "the database holds {stored:?}");
    dovecot.deliver(&[mail("ana@example.com", "s1@example.com", "Hello", "Sealed, still read.")]).await;

    // A server given another key file cannot log in, and says why.
    let error = imap::poll(&db, &ingestor, &SealingKey::generate(), &the_mailbox(&db).await).await.unwrap_err();
    assert!(error.contains("another key"), "{error}");
    assert_eq!(imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap(), PollReport { recorded: 1, quarantined: 0 });

    // A password stored in the clear before sealing began still works, and is sealed at the next start.
    with_db!(&db, |pool| sqlx::query("update mailboxes set password = $1, password_sealed = false")
        .bind(PASSWORD)
        .execute(pool)
        .await
        .map(drop)
        .unwrap());
    assert_eq!(imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap(), PollReport::default());
    assert_eq!(imap::seal_stored_passwords(&db, &key).await.unwrap(), 1);
    assert_eq!(imap::seal_stored_passwords(&db, &key).await.unwrap(), 0, "sealed once");
    let stored = with_db!(&db, |pool| sqlx::query_scalar::<_, String>("select password from mailboxes").fetch_one(pool).await.unwrap());
    assert_ne!(stored, PASSWORD);
    assert_eq!(imap::poll(&db, &ingestor, &key, &the_mailbox(&db).await).await.unwrap(), PollReport::default());
});
