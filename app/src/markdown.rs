//! Articles' and agents' markdown turned into what readers see: sanitized HTML for the web and
//! for email, and plain text. Server-side only: the web HTML is stored with every save, agents'
//! messages are rendered as they are read, and the editor's preview asks the server, so the
//! browser's code carries no markdown parser and its tables.
//!
//! Sanitizing happens on the parsed events rather than on the HTML afterwards: the renderer
//! escapes all text itself, so what can carry script is only raw HTML and link or image
//! addresses, and both are dealt with before anything is written. That needs no HTML
//! sanitizer, and keeps rendering fast.

use pulldown_cmark::{BlockQuoteKind, CodeBlockKind, Event, LinkType, Parser, Tag, TagEnd, html};

/// The markdown articles are written in: CommonMark with tables, strikethrough and callouts
/// (`> [!NOTE]`, `> [!TIP]`, `> [!IMPORTANT]`, `> [!WARNING]`, `> [!CAUTION]`).
const MARKDOWN_OPTIONS: pulldown_cmark::Options = pulldown_cmark::Options::ENABLE_TABLES
    .union(pulldown_cmark::Options::ENABLE_STRIKETHROUGH)
    .union(pulldown_cmark::Options::ENABLE_GFM);

/// Schemes a link may use; anything else (`javascript:`, `data:`, `vbscript:` …) keeps only
/// its text. Addresses without a scheme are relative and stay.
const LINK_SCHEMES: [&str; 4] = ["http", "https", "mailto", "tel"];
/// Schemes an image may be loaded from.
const IMAGE_SCHEMES: [&str; 2] = ["http", "https"];

/// Markdown to HTML for the web portal, sanitized: article bodies are authored content and
/// must never carry script into a customer's browser.
pub fn render_web_html(markdown: &str) -> String {
    let mut html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut html, safe_events(markdown));
    // The renderer aligns a table column with an inline style, which the pages' content
    // security policy refuses; the stylesheet aligns by class. Text escapes `<`, so only the
    // renderer's own cells can match.
    if html.contains(" style=\"text-align: ") {
        for cell in ["th", "td"] {
            for (alignment, class) in [("left", ""), ("center", " class=\"align-center\""), ("right", " class=\"align-right\"")] {
                html = html.replace(&format!("<{cell} style=\"text-align: {alignment}\">"), &format!("<{cell}{class}>"));
            }
        }
    }
    html
}

/// Markdown to HTML for an email's HTML part: the same sanitized content, styled inline (mail
/// clients drop stylesheets and classes). Written in a text box, an email keeps its line
/// breaks. Relative addresses should have been made absolute first ([`with_absolute_links`]):
/// a message has no page to be relative to.
pub fn render_email_html(markdown: &str) -> String {
    let events = safe_events(markdown).flat_map(|event| {
        // Mail clients don't draw callouts from a class: the kind is written out.
        let label = match &event {
            Event::Start(Tag::BlockQuote(Some(kind))) => Some(Event::Html(format!("<p><strong>{}</strong></p>", callout_label(*kind)).into())),
            _ => None,
        };
        let event = match event {
            Event::SoftBreak => Event::HardBreak,
            other => other,
        };
        std::iter::once(event).chain(label)
    });
    let mut html = String::with_capacity(markdown.len() * 2);
    html::push_html(&mut html, events);
    format!("<div style=\"{EMAIL_BODY_STYLE}\">{}</div>", with_inline_styles(&html))
}

/// Root-relative link and image addresses in `markdown` made absolute against `public_url`,
/// so the text still leads somewhere when it is read outside the site (a plain-text email).
pub fn with_absolute_links(markdown: &str, public_url: &str) -> String {
    let base = public_url.trim_end_matches('/');
    let mut insertions = Vec::new();
    for (event, range) in Parser::new_ext(markdown, MARKDOWN_OPTIONS).into_offset_iter() {
        if let Event::Start(Tag::Link { link_type: LinkType::Inline, dest_url, .. } | Tag::Image { link_type: LinkType::Inline, dest_url, .. }) =
            event
            && is_root_relative(&dest_url)
        {
            // An inline link's source ends with `](destination …)`; the last such opening is it.
            let source = &markdown[range.clone()];
            if let Some(at) = source.rfind(&format!("]({dest_url}")).or_else(|| source.rfind(&format!("](<{dest_url}"))) {
                let bracket = usize::from(source[at + 2..].starts_with('<'));
                insertions.push(range.start + at + 2 + bracket);
            }
        }
    }
    // A link around an image names its own address after the image's.
    insertions.sort_unstable();
    let mut absolute = String::with_capacity(markdown.len() + insertions.len() * base.len());
    let mut copied = 0;
    for at in insertions {
        absolute.push_str(&markdown[copied..at]);
        absolute.push_str(base);
        copied = at;
    }
    absolute.push_str(&markdown[copied..]);
    absolute
}

/// The parsed markdown with what could run script taken out. Raw HTML is shown as the text
/// it is (an author sees it wasn't taken as markup, and nothing they wrote is lost); a link
/// or image with a scheme not on our list keeps only its text.
fn safe_events(markdown: &str) -> impl Iterator<Item = Event<'_>> {
    // Whether each open link or image was kept, so its end goes the same way.
    let mut open: Vec<bool> = Vec::new();
    Parser::new_ext(markdown, MARKDOWN_OPTIONS).filter_map(move |event| match event {
        Event::Start(Tag::HtmlBlock) => Some(Event::Start(Tag::CodeBlock(CodeBlockKind::Indented))),
        Event::End(TagEnd::HtmlBlock) => Some(Event::End(TagEnd::CodeBlock)),
        Event::Html(markup) | Event::InlineHtml(markup) => Some(Event::Text(markup)),
        Event::Start(Tag::Link { ref dest_url, .. }) => {
            let kept = allowed(dest_url, &LINK_SCHEMES);
            open.push(kept);
            kept.then_some(event)
        }
        Event::Start(Tag::Image { ref dest_url, .. }) => {
            let kept = allowed(dest_url, &IMAGE_SCHEMES);
            open.push(kept);
            kept.then_some(event)
        }
        Event::End(TagEnd::Link | TagEnd::Image) => open.pop().unwrap_or(false).then_some(event),
        other => Some(other),
    })
}

/// Whether an address is relative or uses one of `schemes`. The scheme is read the way a
/// browser reads it: ignoring leading spaces and control characters, and tabs or newlines
/// anywhere (`java\tscript:` is still `javascript:`).
fn allowed(url: &str, schemes: &[&str]) -> bool {
    let url: String = url.trim_start_matches(|c: char| c <= ' ').chars().filter(|c| !matches!(c, '\t' | '\n' | '\r')).collect();
    match url.find([':', '/', '?', '#']) {
        Some(at) if url[at..].starts_with(':') => schemes.iter().any(|scheme| url[..at].eq_ignore_ascii_case(scheme)),
        _ => true,
    }
}

fn is_root_relative(url: &str) -> bool {
    url.starts_with('/') && !url.starts_with("//")
}

fn callout_label(kind: BlockQuoteKind) -> &'static str {
    match kind {
        BlockQuoteKind::Note => "Note",
        BlockQuoteKind::Tip => "Tip",
        BlockQuoteKind::Important => "Important",
        BlockQuoteKind::Warning => "Warning",
        BlockQuoteKind::Caution => "Caution",
    }
}

const EMAIL_BODY_STYLE: &str = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;font-size:15px;line-height:1.55;color:#1f2328";

/// The inline style mail clients need for each element the renderer writes.
fn email_style(element: &str) -> Option<&'static str> {
    Some(match element {
        "h1" => "font-size:22px;margin:20px 0 8px",
        "h2" => "font-size:19px;margin:20px 0 8px",
        "h3" | "h4" | "h5" | "h6" => "font-size:16px;margin:16px 0 6px",
        "p" | "ul" | "ol" => "margin:0 0 12px",
        "a" => "color:#0b57d0",
        "img" => "max-width:100%;height:auto",
        "blockquote" => "margin:0 0 12px;padding:4px 12px;border-left:4px solid #8c959f;background:#f6f8fa",
        "pre" => "margin:0 0 12px;padding:10px 12px;background:#f6f8fa;border-radius:6px;overflow:auto",
        "code" => "font-family:Menlo,Consolas,monospace;font-size:13px",
        "table" => "border-collapse:collapse;margin:0 0 12px",
        "th" | "td" => "border:1px solid #d0d7de;padding:6px 10px",
        _ => return None,
    })
}

/// Adds [`email_style`] to every opening tag of the sanitized HTML. Every `<` in it starts a
/// tag (text is escaped), so reading tag names is enough. A style the renderer already wrote
/// (a table column's alignment) is kept after ours, so it wins.
fn with_inline_styles(html: &str) -> String {
    let mut styled = String::with_capacity(html.len() * 2);
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        styled.push_str(&rest[..=at]);
        rest = &rest[at + 1..];
        let name_end = rest.find(|c: char| !c.is_ascii_alphanumeric()).unwrap_or(rest.len());
        if let Some(style) = email_style(&rest[..name_end]) {
            styled.push_str(&rest[..name_end]);
            styled.push_str(" style=\"");
            styled.push_str(style);
            rest = &rest[name_end..];
            match rest.strip_prefix(" style=\"") {
                Some(own) => {
                    styled.push(';');
                    rest = own;
                }
                None => styled.push('"'),
            }
        }
    }
    styled.push_str(rest);
    styled
}

/// Markdown as a text message (SMS, WhatsApp, Messenger): what the reader would see, with
/// its line breaks and paragraphs, list items marked, and each link's address after its text.
pub fn message_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    // The next number of each open list; `None` for a bulleted one.
    let mut lists: Vec<Option<u64>> = Vec::new();
    let mut links: Vec<String> = Vec::new();
    let end_block = |text: &mut String| {
        text.truncate(text.trim_end().len());
        text.push_str("\n\n");
    };
    for event in Parser::new_ext(markdown, MARKDOWN_OPTIONS) {
        match event {
            Event::Text(words) | Event::Code(words) | Event::Html(words) | Event::InlineHtml(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak => text.push('\n'),
            Event::Start(Tag::List(first)) => {
                if !text.is_empty() && !text.ends_with('\n') {
                    text.push('\n');
                }
                lists.push(first);
            }
            Event::End(TagEnd::List(_)) => {
                lists.pop();
                if lists.is_empty() {
                    end_block(&mut text);
                }
            }
            Event::Start(Tag::Item) => {
                text.push_str(&"  ".repeat(lists.len().saturating_sub(1)));
                match lists.last_mut() {
                    Some(Some(number)) => {
                        text.push_str(&format!("{number}. "));
                        *number += 1;
                    }
                    _ => text.push_str("- "),
                }
            }
            Event::End(TagEnd::Item) => {
                text.truncate(text.trim_end().len());
                text.push('\n');
            }
            Event::Start(Tag::Link { dest_url, .. }) => links.push(dest_url.into_string()),
            Event::End(TagEnd::Link) => {
                if let Some(url) = links.pop().filter(|url| !text.ends_with(url.as_str())) {
                    text.push_str(&format!(" ({url})"));
                }
            }
            Event::End(TagEnd::TableCell) => text.push_str(" | "),
            Event::End(TagEnd::TableHead | TagEnd::TableRow) => {
                text.truncate(text.trim_end_matches([' ', '|']).len());
                text.push('\n');
            }
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::BlockQuote(_) | TagEnd::Table) if lists.is_empty() => {
                end_block(&mut text)
            }
            Event::End(TagEnd::Paragraph) => text.push('\n'),
            _ => {}
        }
    }
    text.trim_end().to_owned()
}

/// Where the article's links and images point, in order.
pub fn link_targets(markdown: &str) -> Vec<String> {
    Parser::new_ext(markdown, MARKDOWN_OPTIONS)
        .filter_map(|event| match event {
            Event::Start(Tag::Link { dest_url, .. } | Tag::Image { dest_url, .. }) => Some(dest_url.into_string()),
            _ => None,
        })
        .collect()
}

/// The words a reader sees, without markdown syntax: what search indexes and quotes in its
/// snippets, on one line.
pub fn plain_text(markdown: &str) -> String {
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, MARKDOWN_OPTIONS) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::TableCell) => text.push(' '),
            Event::End(TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow) => {
                text.truncate(text.trim_end().len());
                text.push_str(if text.ends_with(['.', ':', '!', '?']) { " " } else { ". " });
            }
            _ => {}
        }
    }
    // Search marks its matches with private-use characters; an article must not fake one.
    text.retain(|c| !matches!(c, '\u{E000}' | '\u{E001}'));
    text.trim_end().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rendered_markdown_keeps_structure_and_shows_raw_html_as_text() {
        let html = render_web_html("## Steps\n\n1. Open **Settings**\n\n<script>alert(1)</script>\n\nSee <b onmouseover=\"x()\">this</b>.");
        assert!(html.contains("<h2>Steps</h2>"), "{html}");
        assert!(html.contains("<strong>Settings</strong>"), "{html}");
        assert!(html.contains("<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;"), "{html}");
        assert!(html.contains("See &lt;b onmouseover=\"x()\"&gt;this&lt;/b&gt;."), "{html}");
        assert!(!html.contains("<script") && !html.contains("<b "), "{html}");
    }

    #[test]
    fn links_and_images_that_could_run_script_keep_only_their_text() {
        for hostile in [
            "[click](javascript:alert(1))",
            "[click](JavaScript:alert(1))",
            "[click](java\tscript:alert(1))",
            "[click](&#106;avascript:alert(1))",
            "[click]( vbscript:msgbox(1))",
            "<javascript:alert(1)>",
            "[click][x]\n\n[x]: javascript:alert(1)",
            "[click](data:text/html;base64,PHNjcmlwdD4=)",
        ] {
            let html = render_web_html(hostile);
            assert!(!html.contains("<a "), "{hostile:?} gave {html}");
        }
        let image = render_web_html("![logo](data:image/svg+xml,<svg onload=alert(1)>)");
        assert!(!image.contains("<img"), "{image}");
        let fine = render_web_html("[Refunds](/articles/refunds) [site](https://example.com/a?b=1&c=\"2\") [mail](mailto:help@example.com) ![map](/kb/images/1/map.png)");
        assert!(fine.contains("href=\"/articles/refunds\""), "{fine}");
        assert!(fine.contains("href=\"https://example.com/a?b=1&amp;c=%222%22\""), "{fine}");
        assert!(fine.contains("href=\"mailto:help@example.com\""), "{fine}");
        assert!(fine.contains("<img src=\"/kb/images/1/map.png\" alt=\"map\" />"), "{fine}");
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_syntax() {
        let text = plain_text("## Steps\n\n1. Open **Settings**\n2. Choose `Billing`\n\n[Help](https://x.test)");
        assert_eq!(text, "Steps. Open Settings. Choose Billing. Help.");
        let table = plain_text("| Status | Meaning |\n|---|---|\n| Shipped | On its way |\n");
        assert_eq!(table, "Status Meaning. Shipped On its way.");
    }

    #[test]
    fn a_text_message_keeps_what_the_reader_sees_and_where_links_lead() {
        let text = message_text(
            "Hi **Ana**,\nyour parcel ships _today_.\n\n## Next\n\n1. Track it [here](https://t.test/NW1)\n2. Sign for it\n   - in person\n\nSee https://help.test or `NW-1`.",
        );
        assert_eq!(
            text,
            "Hi Ana,\nyour parcel ships today.\n\nNext\n\n1. Track it here (https://t.test/NW1)\n2. Sign for it\n  - in person\n\nSee https://help.test or NW-1."
        );
        assert_eq!(message_text("Thanks Rosa, we have asked the courier."), "Thanks Rosa, we have asked the courier.");
    }

    #[test]
    fn callouts_keep_their_kind_and_nothing_else_keeps_a_class() {
        let html = render_web_html("> [!WARNING]\n> Back up first.\n\n<p class=\"evil\" onclick=\"x()\">Hi</p>");
        assert!(html.contains("<blockquote class=\"markdown-alert-warning\">"), "{html}");
        assert!(!html.contains("<p class") && !html.contains("<p onclick"), "{html}");
    }

    #[test]
    fn table_columns_are_aligned_by_class_not_inline_style() {
        let html = render_web_html("| Item | Qty | Price |\n|:--|:-:|--:|\n| Lid | 2 | 4 |\n\nWrite <td style=\"text-align: right\"> in `style=\"text-align: right\"`");
        assert!(html.contains("<th>Item</th><th class=\"align-center\">Qty</th><th class=\"align-right\">Price</th>"), "{html}");
        assert!(html.contains("<td>Lid</td><td class=\"align-center\">2</td><td class=\"align-right\">4</td>"), "{html}");
        assert!(html.contains("Write &lt;td style=\"text-align: right\"&gt; in <code>style=\"text-align: right\"</code>"), "{html}");
    }

    #[test]
    fn email_html_is_styled_inline_with_absolute_addresses() {
        let markdown = "## Steps\n\n> [!TIP]\n> Keep the receipt.\n\n| Item | Price |\n|:--|--:|\n| Lid | 4 |\n\nCall us\nany time: [Refunds](/articles/refunds) ![map](/kb/images/1/map.png) <script>x</script>";
        let html = render_email_html(&with_absolute_links(markdown, "https://help.example.com/"));
        assert!(html.starts_with("<div style=\"font-family:"), "{html}");
        assert!(html.contains("<h2 style=\"font-size:19px;"), "{html}");
        assert!(html.contains("<p style=\"margin:0 0 12px\"><strong>Tip</strong></p>"), "{html}");
        assert!(html.contains("<a style=\"color:#0b57d0\" href=\"https://help.example.com/articles/refunds\">"), "{html}");
        assert!(html.contains("<img style=\"max-width:100%;height:auto\" src=\"https://help.example.com/kb/images/1/map.png\""), "{html}");
        assert!(html.contains("<td style=\"border:1px solid #d0d7de;padding:6px 10px;text-align: right\">4</td>"), "{html}");
        assert!(html.contains("Call us<br />"), "{html}");
        assert!(!html.contains("<script"), "{html}");
    }

    #[test]
    fn relative_links_are_made_absolute_in_the_markdown_itself() {
        let markdown = "See [refunds](/articles/refunds \"Refunds\") and [![map](/kb/images/1/m.png)](/articles/map), [site](https://x.test), [top](#top).";
        assert_eq!(
            with_absolute_links(markdown, "https://help.example.com"),
            "See [refunds](https://help.example.com/articles/refunds \"Refunds\") and [![map](https://help.example.com/kb/images/1/m.png)](https://help.example.com/articles/map), [site](https://x.test), [top](#top)."
        );
    }
}
