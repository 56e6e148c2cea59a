//! Markdown → sanitised HTML, with @mentions and #hashtags linked.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, TagEnd};

/// What rendering found in the text.
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Usernames mentioned (`@name`), as written, deduplicated.
    pub mentions: Vec<String>,
    /// Hashtags used (`#tag`), lower-cased, deduplicated.
    pub hashtags: Vec<String>,
}

/// Renders Markdown to HTML that is safe to embed: raw HTML in the source
/// is escaped by the sanitiser, links get `rel="nofollow noopener noreferrer"`.
/// `@name` becomes a link to the member's page when `is_member(name)` says
/// they exist; `#tag` links to the tag page. Code spans and blocks are left
/// alone.
pub fn render(source: &str, base_url: &str, is_member: impl Fn(&str) -> bool) -> Rendered {
    let mut mentions: Vec<String> = Vec::new();
    let mut hashtags: Vec<String> = Vec::new();
    let mut in_code = 0usize;
    let mut in_link = 0usize;
    let mut events: Vec<Event<'_>> = Vec::new();
    for event in Parser::new_ext(
        source,
        Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
    ) {
        match &event {
            Event::Start(Tag::CodeBlock(_)) => in_code += 1,
            Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
            Event::Start(Tag::Link { .. }) => in_link += 1,
            Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
            _ => {}
        }
        match event {
            Event::Text(text) if in_code == 0 && in_link == 0 => {
                link_tokens(
                    &text,
                    base_url,
                    &is_member,
                    &mut mentions,
                    &mut hashtags,
                    &mut events,
                );
            }
            // Raw HTML from members is shown as text, never interpreted.
            Event::Html(raw) | Event::InlineHtml(raw) => events.push(Event::Text(raw)),
            other => events.push(other),
        }
    }
    let mut unsafe_html = String::with_capacity(source.len() * 2);
    pulldown_cmark::html::push_html(&mut unsafe_html, events.into_iter());
    let html = ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .add_tag_attributes("a", &["class"])
        .clean(&unsafe_html)
        .to_string();
    Rendered {
        html,
        mentions,
        hashtags,
    }
}

/// Splits a text run into plain text and links for `@name` / `#tag`.
fn link_tokens<'a>(
    text: &str,
    base_url: &str,
    is_member: &impl Fn(&str) -> bool,
    mentions: &mut Vec<String>,
    hashtags: &mut Vec<String>,
    out: &mut Vec<Event<'a>>,
) {
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut plain_start = 0;
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        let boundary = i == 0 || !(chars[i - 1].1.is_alphanumeric() || chars[i - 1].1 == '_');
        if (c == '@' || c == '#') && boundary {
            let mut j = i + 1;
            while j < chars.len()
                && (chars[j].1.is_alphanumeric()
                    || chars[j].1 == '_'
                    || (c == '#' && chars[j].1 == '-'))
            {
                j += 1;
            }
            // A remote handle: `@name@host` (host may carry a port).
            if c == '@' && j > i + 1 && chars.get(j).is_some_and(|(_, c)| *c == '@') {
                let mut k = j + 1;
                while k < chars.len()
                    && (chars[k].1.is_ascii_alphanumeric() || matches!(chars[k].1, '.' | '-' | ':'))
                {
                    k += 1;
                }
                while k > j + 1 && matches!(chars[k - 1].1, '.' | '-' | ':') {
                    k -= 1;
                }
                if k > j + 1 {
                    j = k;
                }
            }
            let end = chars.get(j).map(|(p, _)| *p).unwrap_or(text.len());
            let word = &text[pos + 1..end];
            let (local_part, _) = word.split_once('@').unwrap_or((word, ""));
            let link = if word.is_empty() {
                None
            } else if c == '@'
                && local_part.len() <= 30
                && word.len() <= 200
                && local_part
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_')
                && is_member(word)
            {
                if !mentions.iter().any(|m| m.eq_ignore_ascii_case(word)) {
                    mentions.push(word.to_string());
                }
                Some(format!(
                    "<a href=\"{base_url}/@{word}\" class=\"mention\">@{word}</a>",
                ))
            } else if c == '#'
                && word.chars().any(char::is_alphabetic)
                && word.chars().count() <= 64
            {
                let tag = word.to_lowercase();
                if !hashtags.contains(&tag) {
                    hashtags.push(tag.clone());
                }
                Some(format!(
                    "<a href=\"{base_url}/tags/{tag}\" class=\"hashtag\">#{}</a>",
                    escape(word)
                ))
            } else {
                None
            };
            if let Some(html) = link {
                if plain_start < pos {
                    out.push(Event::Text(CowStr::from(
                        text[plain_start..pos].to_string(),
                    )));
                }
                out.push(Event::InlineHtml(CowStr::from(html)));
                plain_start = end;
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    if plain_start < text.len() {
        out.push(Event::Text(CowStr::from(text[plain_start..].to_string())));
    }
}

fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_simple(src: &str) -> Rendered {
        render(src, "https://k.test", |name| name == "bob")
    }

    #[test]
    fn markdown_is_rendered_and_scripts_removed() {
        let r = render_simple("**bold** <script>alert(1)</script> [x](javascript:alert(1))");
        assert!(r.html.contains("<strong>bold</strong>"));
        assert!(!r.html.contains("<script"));
        assert!(!r.html.contains("javascript:"));
    }

    #[test]
    fn mentions_and_hashtags_are_linked_outside_code() {
        let r = render_simple("hi @bob and @nobody #Rust `@bob #code`\n\n```\n@bob\n```");
        assert_eq!(r.mentions, vec!["bob".to_string()]);
        assert_eq!(r.hashtags, vec!["rust".to_string()]);
        assert!(r.html.contains("href=\"https://k.test/@bob\""));
        assert!(r.html.contains("href=\"https://k.test/tags/rust\""));
        assert!(r.html.contains("@nobody"));
        assert_eq!(r.html.matches("class=\"mention\"").count(), 1);
    }

    #[test]
    fn remote_handles_are_mentions_when_known() {
        let r = render(
            "hi @bob@example.org:8080. and @eve@nowhere.example",
            "http://x",
            |n| n == "bob@example.org:8080",
        );
        assert_eq!(r.mentions, vec!["bob@example.org:8080".to_string()]);
        assert!(r.html.contains("@bob@example.org:8080</a>."), "{}", r.html);
        assert!(!r.html.contains("@eve@nowhere.example</a>"));
    }

    #[test]
    fn email_addresses_are_not_mentions() {
        let r = render_simple("mail me at me@bob.example");
        assert!(r.mentions.is_empty());
    }
}
