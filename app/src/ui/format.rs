//! Values as people read them. Dates are built by hand: chrono's strftime machinery would cost
//! the WASM client tens of kilobytes. Times are UTC on the server and in the browser alike, so
//! the server-rendered text and the hydrated one agree.

use crate::model::{MARK_END, MARK_START};
use chrono::{DateTime, Datelike, Timelike, Utc};
use leptos::prelude::*;

const MONTHS: [&str; 12] = [
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
];

/// "22 November 2026".
pub fn long_date(date: DateTime<Utc>) -> String {
    format!("{} {} {}", date.day(), MONTHS[date.month0() as usize], date.year())
}

/// "22 Nov 14:05 UTC".
pub fn short_datetime(at: DateTime<Utc>) -> String {
    format!(
        "{} {} {:02}:{:02} UTC",
        at.day(),
        &MONTHS[at.month0() as usize][..3],
        at.hour(),
        at.minute()
    )
}

/// A timeline entry's text with `class`: what an agent wrote in markdown as its rendered HTML
/// (sanitized by the server), anything else as it was written.
pub fn message_body(body: String, body_html: Option<String>, class: &'static str) -> AnyView {
    match body_html {
        Some(html) => view! { <div class=format!("{class} prose prose--compact") inner_html=html></div> }.into_any(),
        None => view! { <p class=class>{body}</p> }.into_any(),
    }
}

/// How long ago, as the inbox shows waiting time: "just now", "12 min ago", "3 h ago", "2 d ago".
pub fn ago(at: DateTime<Utc>, now: DateTime<Utc>) -> String {
    let minutes = (now - at).num_minutes();
    match minutes {
        ..1 => "just now".into(),
        ..60 => format!("{minutes} min ago"),
        ..1_440 => format!("{} h ago", minutes / 60),
        _ => format!("{} d ago", minutes / 1_440),
    }
}

/// A file's size as people read it: "830 KB", "2.4 MB".
pub fn file_size(bytes: i64) -> String {
    match bytes {
        ..1_024 => format!("{bytes} B"),
        ..1_048_576 => format!("{} KB", (bytes + 512) / 1_024),
        _ => format!("{:.1} MB", bytes as f64 / 1_048_576.0),
    }
}

/// A search snippet with its matched words in `<mark>`; the text itself is never parsed as HTML.
pub fn highlighted(snippet: &str) -> Vec<AnyView> {
    let mut runs = Vec::new();
    let mut rest = snippet;
    while let Some(start) = rest.find(MARK_START) {
        runs.push(rest[..start].to_owned().into_any());
        let marked = &rest[start + MARK_START.len_utf8()..];
        let end = marked.find(MARK_END).unwrap_or(marked.len());
        runs.push(view! { <mark>{marked[..end].to_owned()}</mark> }.into_any());
        rest = marked.get(end + MARK_END.len_utf8()..).unwrap_or_default();
    }
    runs.push(rest.to_owned().into_any());
    runs
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_sizes_read_as_people_write_them() {
        assert_eq!(file_size(830), "830 B");
        assert_eq!(file_size(850_000), "830 KB");
        assert_eq!(file_size(1_048_576), "1.0 MB");
        assert_eq!(file_size(2_500_000), "2.4 MB");
    }
}
