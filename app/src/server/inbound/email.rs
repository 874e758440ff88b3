//! Email in: a raw RFC 5322 message (from an MTA pipe, an inbound-parse provider or an IMAP
//! mailbox) made into an [`InboundMessage`]. The customer's new words become the timeline
//! entry; quoted history and signatures are folded away, and when something was, the original
//! message is kept beside it as `original.eml`, so nothing is lost.

use super::{InboundFile, InboundMessage, InboundPolicy, inbound_file, message_id, too_large};
use crate::{
    error::AppError,
    model::{Channel, IdentityKind, InteractionKind},
    server::identity::Identifier,
};
use mail_parser::{MessageParser, MimeHeaders, decoders::charsets::map::charset_decoder};
use sha2::{Digest, Sha256};

/// Threading looks at this many of the Message-IDs a reply names, newest first.
const MAX_REFERENCES: usize = 20;

/// Reads a raw message, or says what is wrong with it.
pub fn parse(raw: &[u8], policy: &InboundPolicy) -> Result<InboundMessage, AppError> {
    if raw.len() > policy.max_message_bytes {
        return Err(too_large(policy));
    }
    let message = MessageParser::default()
        .parse(raw)
        .filter(|message| !message.headers().is_empty())
        .ok_or_else(|| AppError::invalid("This is not an email message: it has no headers."))?;
    let sender = message
        .from()
        .and_then(|from| from.first())
        .and_then(|addr| Some((addr.address()?, addr.name())))
        .ok_or_else(|| AppError::invalid("The message has no sender address (From)."))?;

    for part in message.parts.iter().filter(|part| part.is_text()) {
        let charset = part.content_type().and_then(|ct| ct.attribute("charset"));
        if let Some(charset) = charset.filter(|c| !is_utf8(c) && charset_decoder(c.as_bytes()).is_none()) {
            return Err(AppError::invalid(format!(
                "The message's text is in a character set we cannot read ({charset:?}); send it as UTF-8."
            )));
        }
    }

    let text = match message.text_part(0) {
        Some(part) if part.is_text_html() => {
            let html = part.text_contents().unwrap_or_default();
            mail_parser::decoders::html::html_to_text(&ammonia::clean(html))
        }
        Some(part) => part.text_contents().unwrap_or_default().to_owned(),
        None => String::new(),
    };
    let (body, folded) = fold(&text);

    let mut replies_to: Vec<String> = header_ids(message.in_reply_to());
    replies_to.extend(header_ids(message.references()).into_iter().rev());
    let mut seen = std::collections::HashSet::new();
    replies_to.retain(|id| seen.insert(id.clone()));
    replies_to.truncate(MAX_REFERENCES);

    let mut files: Vec<InboundFile> = message
        .attachments()
        .map(|part| {
            let content_type = part
                .content_type()
                .map(|ct| format!("{}/{}", ct.ctype(), ct.subtype().unwrap_or("octet-stream")));
            inbound_file(part.attachment_name().unwrap_or("attachment"), content_type.as_deref(), part.contents().to_vec())
        })
        .filter(|file| !file.content.is_empty())
        .collect();
    if folded {
        files.push(inbound_file("original.eml", Some("message/rfc822"), raw.to_vec()));
    }

    // A message without a Message-ID is named by its content, so a redelivery is still one.
    let provider_message_id = match message.message_id() {
        Some(id) if !id.trim().is_empty() => message_id(id),
        _ => format!("<{:x}@inbound.invalid>", Sha256::digest(raw)),
    };
    Ok(InboundMessage {
        channel: Channel::Email,
        kind: InteractionKind::MessageIn,
        from: vec![Identifier::new(IdentityKind::Email, sender.0)],
        display_name: sender.1.unwrap_or_default().to_owned(),
        subject: message.subject().map(str::to_owned),
        body,
        provider_message_id,
        replies_to,
        files,
    })
}

fn is_utf8(charset: &str) -> bool {
    charset.eq_ignore_ascii_case("utf-8") || charset.eq_ignore_ascii_case("utf8")
}

/// The Message-IDs a threading header names.
fn header_ids(value: &mail_parser::HeaderValue<'_>) -> Vec<String> {
    value.as_text_list().unwrap_or_default().iter().map(|id| message_id(id)).collect()
}

/// The customer's new words: the text up to where quoted history or a signature starts, and
/// whether anything was folded away. A message that is all quote is kept whole.
fn fold(text: &str) -> (String, bool) {
    let lines: Vec<&str> = text.lines().collect();
    let mut end = lines
        .iter()
        .enumerate()
        .position(|(at, line)| starts_history(line, lines.get(at + 1).copied()))
        .unwrap_or(lines.len());
    // Trailing quoted lines ("> ...") and blank lines; quotes between answers stay.
    while end > 0 && (lines[end - 1].trim().is_empty() || lines[end - 1].trim_start().starts_with('>')) {
        end -= 1;
    }
    let kept = lines[..end].join("\n").trim().to_owned();
    if kept.is_empty() {
        return (text.trim().to_owned(), false);
    }
    let folded = lines[end..].iter().any(|line| !line.trim().is_empty());
    (kept, folded)
}

/// Whether this line starts what follows the customer's answer: a reply header ("On …
/// wrote:", possibly wrapped over two lines, in a few languages), a forwarded or original
/// message block, a signature delimiter, or a mobile client's sign-off.
fn starts_history(line: &str, next: Option<&str>) -> bool {
    const REPLY_HEADER_ENDS: [&str; 5] = ["wrote:", "a écrit :", "a écrit:", "schrieb:", "escribió:"];
    const SIGN_OFFS: [&str; 4] = ["Sent from my iPhone", "Sent from my iPad", "Sent from my Android", "Get Outlook for"];
    let trimmed = line.trim();
    let header_end = |text: &str| REPLY_HEADER_ENDS.iter().any(|end| text.trim_end().ends_with(end));
    let opens_header = ["On ", "Le ", "Am ", "El "].iter().any(|start| trimmed.starts_with(start));
    (opens_header && (header_end(trimmed) || next.is_some_and(|next| !next.trim().is_empty() && header_end(next))))
        || line == "-- "
        || line == "--"
        || trimmed.starts_with("-----Original Message-----")
        || trimmed.starts_with("---------- Forwarded message")
        || (trimmed.starts_with("________________") && trimmed.chars().all(|c| c == '_'))
        || SIGN_OFFS.iter().any(|sign_off| trimmed.starts_with(sign_off))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy() -> InboundPolicy {
        InboundPolicy::default()
    }

    #[test]
    fn quoted_history_and_signature_are_folded_away() {
        let text = "Thanks, that worked!\n\nAna\n-- \nAna Silva, Lisbon\n\nOn Tue, 1 Dec 2026 at 10:00, Northwind Support <support@northwind.test> wrote:\n> Try restarting the router.\n";
        assert_eq!(fold(text), ("Thanks, that worked!\n\nAna".to_owned(), true));
    }

    #[test]
    fn a_wrapped_reply_header_and_outlook_blocks_are_recognised() {
        let gmail = "Still broken.\n\nOn Tue, Dec 1, 2026 at 10:00 AM Northwind Support <\nsupport@northwind.test> wrote:\n> old";
        assert_eq!(fold(gmail).0, "Still broken.");
        let outlook = "See attached.\n\n________________________________\nFrom: Northwind Support\nSent: Tuesday";
        assert_eq!(fold(outlook).0, "See attached.");
        let original = "Yes please.\n-----Original Message-----\nFrom: x";
        assert_eq!(fold(original).0, "Yes please.");
    }

    #[test]
    fn inline_answers_between_quotes_are_kept() {
        let text = "> Which model?\nThe X200.\n> Since when?\nMonday.";
        assert_eq!(fold(text), (text.to_owned(), false));
    }

    #[test]
    fn a_message_that_is_all_quote_is_kept_whole() {
        let text = "> only a quote\n> nothing new";
        assert_eq!(fold(text), (text.to_owned(), false));
    }

    #[test]
    fn a_reply_names_its_thread_newest_first() {
        let raw = b"From: Ana Silva <ana@example.com>\r\nTo: support@northwind.test\r\nSubject: Re: Router [#7]\r\nMessage-ID: <m3@example.com>\r\nIn-Reply-To: <m2@northwind.test>\r\nReferences: <m1@example.com> <m2@northwind.test>\r\n\r\nThanks!\r\n";
        let message = parse(raw, &policy()).unwrap();
        assert_eq!(message.provider_message_id, "<m3@example.com>");
        assert_eq!(message.replies_to, ["<m2@northwind.test>", "<m1@example.com>"]);
        assert_eq!(message.display_name, "Ana Silva");
        assert_eq!(message.from[0].value, "ana@example.com");
        assert_eq!(message.body, "Thanks!");
        assert!(message.files.is_empty());
    }

    #[test]
    fn html_only_mail_is_sanitized_to_text() {
        let raw = b"From: ana@example.com\r\nSubject: Help\r\nMessage-ID: <h1@example.com>\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>My <b>order</b> is late.</p><script>alert('x')</script><img src=x onerror=alert(1)>\r\n";
        let message = parse(raw, &policy()).unwrap();
        assert_eq!(message.body.trim(), "My order is late.");
    }

    #[test]
    fn charsets_and_encoded_words_are_decoded() {
        let raw = b"From: =?ISO-8859-1?Q?Jos=E9?= <jose@example.com>\r\nSubject: =?UTF-8?B?Q2Fmw6k=?=\r\nMessage-ID: <c1@example.com>\r\nContent-Type: text/plain; charset=iso-8859-1\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nCaf=E9 cr=E8me\r\n";
        let message = parse(raw, &policy()).unwrap();
        assert_eq!(message.display_name, "José");
        assert_eq!(message.subject.as_deref(), Some("Café"));
        assert_eq!(message.body, "Café crème");
    }

    #[test]
    fn attachments_are_kept_with_safe_names() {
        let raw = b"From: ana@example.com\r\nSubject: Photo\r\nMessage-ID: <a1@example.com>\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\nContent-Type: text/plain\r\n\r\nSee the photo.\r\n--b\r\nContent-Type: image/png; name=\"../../etc/router.png\"\r\nContent-Disposition: attachment; filename=\"../../etc/router.png\"\r\nContent-Transfer-Encoding: base64\r\n\r\niVBORw0KGgo=\r\n--b--\r\n";
        let message = parse(raw, &policy()).unwrap();
        assert_eq!(message.body, "See the photo.");
        assert_eq!(message.files.len(), 1);
        assert_eq!(message.files[0].file_name, "router.png");
        assert_eq!(message.files[0].content_type, "image/png");
        assert_eq!(message.files[0].content, b"\x89PNG\r\n\x1a\n");
    }

    #[test]
    fn bad_mail_is_refused_with_the_reason() {
        let no_headers = parse(b"just some text", &policy()).unwrap_err();
        assert!(no_headers.to_string().contains("no headers") || no_headers.to_string().contains("sender"), "{no_headers}");
        let no_sender = parse(b"Subject: hi\r\n\r\nbody", &policy()).unwrap_err();
        assert!(no_sender.to_string().contains("sender"), "{no_sender}");
        let charset = parse(
            b"From: a@example.com\r\nContent-Type: text/plain; charset=x-klingon\r\n\r\nbody",
            &policy(),
        )
        .unwrap_err();
        assert!(charset.to_string().contains("x-klingon"), "{charset}");
        let small = InboundPolicy { max_message_bytes: 10, ..policy() };
        assert!(parse(b"From: a@example.com\r\n\r\nbody", &small).unwrap_err().to_string().contains("larger than"));
    }

    /// The fuzz target's property on every truncation and on byte flips of a rich message:
    /// a message or a reason, never a panic (cargo-fuzz explores further; see fuzz/).
    #[test]
    fn truncated_and_corrupted_mail_is_answered_never_a_panic() {
        let raw = include_bytes!("../../../../fuzz/seeds/email/multipart.eml");
        for cut in 0..raw.len() {
            let _ = parse(&raw[..cut], &policy());
        }
        let mut state = 0x9e37_79b9_u32;
        for _ in 0..2_000 {
            let mut corrupted = raw.to_vec();
            for _ in 0..4 {
                state ^= state << 13;
                state ^= state >> 17;
                state ^= state << 5;
                let at = state as usize % corrupted.len();
                corrupted[at] = (state >> 8) as u8;
            }
            let _ = parse(&corrupted, &policy());
        }
    }

    #[test]
    fn a_message_without_message_id_is_named_by_its_content() {
        let raw = b"From: ana@example.com\r\nSubject: x\r\n\r\nbody";
        let first = parse(raw, &policy()).unwrap().provider_message_id;
        assert_eq!(first, parse(raw, &policy()).unwrap().provider_message_id);
        assert!(first.ends_with("@inbound.invalid>"));
    }
}
