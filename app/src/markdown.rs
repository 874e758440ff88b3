//! Articles' markdown turned into what readers see: sanitized HTML and plain text. Shared by
//! the server (which stores both with every save) and the editor's live preview in the
//! browser, so the preview is exactly what gets published.

/// The markdown articles are written in: CommonMark with tables, strikethrough and callouts
/// (`> [!NOTE]`, `> [!TIP]`, `> [!IMPORTANT]`, `> [!WARNING]`, `> [!CAUTION]`).
const MARKDOWN_OPTIONS: pulldown_cmark::Options = pulldown_cmark::Options::ENABLE_TABLES
    .union(pulldown_cmark::Options::ENABLE_STRIKETHROUGH)
    .union(pulldown_cmark::Options::ENABLE_GFM);

/// The classes callouts are rendered with, the only classes an article keeps.
const CALLOUTS: [&str; 5] =
    ["markdown-alert-note", "markdown-alert-tip", "markdown-alert-important", "markdown-alert-warning", "markdown-alert-caution"];

/// Markdown to HTML for the web portal, sanitized: article bodies are authored content and
/// must never carry script into a customer's browser.
pub fn render_web_html(markdown: &str) -> String {
    use pulldown_cmark::{Parser, html};
    let mut unsafe_html = String::with_capacity(markdown.len() * 3 / 2);
    html::push_html(&mut unsafe_html, Parser::new_ext(markdown, MARKDOWN_OPTIONS));
    ammonia::Builder::default().add_allowed_classes("blockquote", &CALLOUTS).clean(&unsafe_html).to_string()
}

/// Where the article's links and images point, in order.
pub fn link_targets(markdown: &str) -> Vec<String> {
    use pulldown_cmark::{Event, Parser, Tag};
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
    text(markdown, Layout::Line)
}

/// The article as a plain-text message: blocks in paragraphs, list items on lines of their
/// own, no markdown syntax. For replies on channels that read text.
pub fn text_blocks(markdown: &str) -> String {
    text(markdown, Layout::Paragraphs)
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Layout {
    Line,
    Paragraphs,
}

fn text(markdown: &str, layout: Layout) -> String {
    use pulldown_cmark::{Event, Parser, Tag, TagEnd};
    let mut text = String::with_capacity(markdown.len());
    for event in Parser::new_ext(markdown, MARKDOWN_OPTIONS) {
        match event {
            Event::Text(words) | Event::Code(words) => text.push_str(&words),
            Event::Start(Tag::Item) if layout == Layout::Paragraphs => text.push_str("• "),
            Event::SoftBreak | Event::HardBreak | Event::End(TagEnd::TableCell) => text.push(' '),
            Event::End(TagEnd::List(_) | TagEnd::Table) if layout == Layout::Paragraphs => {
                text.truncate(text.trim_end().len());
                text.push_str("\n\n");
            }
            Event::End(end @ (TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow)) => {
                text.truncate(text.trim_end().len());
                let line_ends = matches!(end, TagEnd::Item | TagEnd::TableHead | TagEnd::TableRow);
                text.push_str(match layout {
                    Layout::Line if text.ends_with(['.', ':', '!', '?']) => " ",
                    Layout::Line => ". ",
                    Layout::Paragraphs if line_ends => "\n",
                    Layout::Paragraphs => "\n\n",
                });
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
    fn rendered_markdown_drops_scripts_and_keeps_structure() {
        let html = render_web_html("## Steps\n\n1. Open **Settings**\n\n<script>alert(1)</script>");
        assert!(html.contains("<h2>Steps</h2>"));
        assert!(html.contains("<strong>Settings</strong>"));
        assert!(!html.contains("<script"));
    }

    #[test]
    fn plain_text_keeps_the_words_and_drops_the_syntax() {
        let text = plain_text("## Steps\n\n1. Open **Settings**\n2. Choose `Billing`\n\n[Help](https://x.test)");
        assert_eq!(text, "Steps. Open Settings. Choose Billing. Help.");
        let table = plain_text("| Status | Meaning |\n|---|---|\n| Shipped | On its way |\n");
        assert_eq!(table, "Status Meaning. Shipped On its way.");
    }

    #[test]
    fn callouts_keep_their_kind_and_nothing_else_keeps_a_class() {
        let html = render_web_html("> [!WARNING]\n> Back up first.\n\n<p class=\"evil\" onclick=\"x()\">Hi</p>");
        assert!(html.contains("<blockquote class=\"markdown-alert-warning\">"), "{html}");
        assert!(!html.contains("evil") && !html.contains("onclick"), "{html}");
    }

    #[test]
    fn a_message_keeps_paragraphs_and_list_items_apart() {
        let text = text_blocks("## Steps\n\nOpen the **app**.\n\n- Tap *Orders*\n- Choose `Track`\n\nDone!");
        assert_eq!(text, "Steps\n\nOpen the app.\n\n• Tap Orders\n• Choose Track\n\nDone!");
    }
}
