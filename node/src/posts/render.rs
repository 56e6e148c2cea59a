//! Markdown → sanitised HTML, with @mentions and #hashtags linked.
//!
//! Rendering is bounded: a table may have at most [`MAX_TABLE_COLUMNS`]
//! columns and the HTML at most [`html_budget`] bytes. Both are checked
//! while rendering, so a hostile post stops costing as soon as it is over
//! (a 10 kB post with a 1,000-column table used to become 2.4 MB of HTML:
//! pulldown-cmark pads every short row with empty cells).

use std::collections::VecDeque;
use std::fmt;

use protocol::local_urls::LocalUrls;
use pulldown_cmark::{Alignment, CowStr, Event, Options, Parser, Tag, TagEnd};

/// Columns a table may have. A wider table cannot be read on any screen,
/// and every row of it costs that many cells whatever its source length.
pub const MAX_TABLE_COLUMNS: usize = 32;

/// The least HTML any post may render to (64 KiB): enough for any short
/// post whatever its markup (a 500-character post of mentions is ~10 kB).
pub const MIN_HTML_BUDGET: usize = 64 * 1024;

/// The most HTML any post may render to (1 MiB), whatever `post_chars`
/// allows.
pub const MAX_HTML_BUDGET: usize = 1024 * 1024;

/// HTML bytes rendered per source byte at most: the densest ordinary
/// markup stays under it (`"` escaped as `&quot;` is 6×, `**b**` 3.6×, a
/// short table cell ~5×), while padded tables and empty-cell rows go far
/// past it.
pub const HTML_PER_SOURCE_BYTE: usize = 8;

/// The most HTML a post of `source_len` bytes may render to:
/// [`HTML_PER_SOURCE_BYTE`] × its length, within [`MIN_HTML_BUDGET`] and
/// [`MAX_HTML_BUDGET`]. For the default 10,000-character limit that is
/// 64–80 kB, against 2.4 MB before the bound.
pub fn html_budget(source_len: usize) -> usize {
    source_len
        .saturating_mul(HTML_PER_SOURCE_BYTE)
        .clamp(MIN_HTML_BUDGET, MAX_HTML_BUDGET)
}

/// What rendering found in the text.
pub struct Rendered {
    /// Sanitised HTML.
    pub html: String,
    /// Usernames mentioned (`@name`), as written, deduplicated.
    pub mentions: Vec<String>,
    /// Hashtags used (`#tag`), lower-cased, deduplicated.
    pub hashtags: Vec<String>,
}

/// Why a post cannot be rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RenderError {
    /// A table has more than [`MAX_TABLE_COLUMNS`] columns.
    TableTooWide {
        /// Its columns.
        columns: usize,
    },
    /// The HTML would exceed [`html_budget`].
    TooLarge {
        /// The budget, in bytes.
        limit: usize,
    },
}

impl fmt::Display for RenderError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            RenderError::TableTooWide { columns } => write!(
                f,
                "a table may have at most {MAX_TABLE_COLUMNS} columns (this one has {columns})"
            ),
            RenderError::TooLarge { limit } => write!(
                f,
                "renders to more than {} KiB of HTML; shorten it or use less markup (such as fewer table rows or cells)",
                limit / 1024
            ),
        }
    }
}

/// A `fmt::Write` that refuses to grow past `limit` bytes, so rendering
/// stops at the first write over it.
struct Bounded {
    out: String,
    limit: usize,
    over: bool,
}

impl fmt::Write for Bounded {
    fn write_str(&mut self, s: &str) -> fmt::Result {
        if self.out.len() + s.len() > self.limit {
            self.over = true;
            return Err(fmt::Error);
        }
        self.out.push_str(s);
        Ok(())
    }
}

/// Renders Markdown to HTML that is safe to embed: raw HTML in the source
/// is escaped by the sanitiser, links get `rel="nofollow noopener noreferrer"`.
/// `@name` becomes a link to the member's page when `is_member(name)` says
/// they exist; `#tag` links to the tag page. Code spans and blocks are left
/// alone. Refused: a table wider than [`MAX_TABLE_COLUMNS`], HTML over
/// [`html_budget`] (both found while rendering, not after).
pub fn render(
    source: &str,
    urls: &LocalUrls,
    is_member: impl Fn(&str) -> bool,
) -> Result<Rendered, RenderError> {
    let limit = html_budget(source.len());
    let mut mentions: Vec<String> = Vec::new();
    let mut hashtags: Vec<String> = Vec::new();
    let mut too_wide: Option<usize> = None;
    let mut writer = Bounded {
        out: String::with_capacity(source.len().saturating_mul(2).min(limit)),
        limit,
        over: false,
    };
    {
        let mut parser = Parser::new_ext(
            source,
            Options::ENABLE_STRIKETHROUGH | Options::ENABLE_TABLES,
        );
        let mut in_code = 0usize;
        let mut in_link = 0usize;
        let mut pending: VecDeque<Event<'_>> = VecDeque::new();
        // Events flow one at a time from the parser to the HTML writer; a
        // text run may become several (plain text and links).
        let events = std::iter::from_fn(|| loop {
            if let Some(event) = pending.pop_front() {
                return Some(event);
            }
            let event = parser.next()?;
            match &event {
                Event::Start(Tag::Table(columns)) if columns.len() > MAX_TABLE_COLUMNS => {
                    too_wide = Some(columns.len());
                    return None;
                }
                Event::Start(Tag::CodeBlock(_)) => in_code += 1,
                Event::End(TagEnd::CodeBlock) => in_code = in_code.saturating_sub(1),
                Event::Start(Tag::Link { .. }) => in_link += 1,
                Event::End(TagEnd::Link) => in_link = in_link.saturating_sub(1),
                _ => {}
            }
            match event {
                // Alignment becomes a `style` attribute on every cell,
                // which the sanitiser drops: leave it out of the budget.
                Event::Start(Tag::Table(columns)) => {
                    return Some(Event::Start(Tag::Table(vec![
                        Alignment::None;
                        columns.len()
                    ])))
                }
                Event::Text(text) if in_code == 0 && in_link == 0 => {
                    link_tokens(
                        &text,
                        urls,
                        &is_member,
                        &mut mentions,
                        &mut hashtags,
                        &mut pending,
                    );
                }
                // Raw HTML from members is shown as text, never interpreted.
                Event::Html(raw) | Event::InlineHtml(raw) => return Some(Event::Text(raw)),
                other => return Some(other),
            }
        });
        // The only error is `Bounded` refusing a write (`writer.over`).
        let _ = pulldown_cmark::html::write_html_fmt(&mut writer, events);
    }
    if let Some(columns) = too_wide {
        return Err(RenderError::TableTooWide { columns });
    }
    if writer.over {
        return Err(RenderError::TooLarge { limit });
    }
    // The sanitiser's input is within the budget, so its cost is too; its
    // output can still grow a little (`rel` on every link).
    let html = ammonia::Builder::default()
        .link_rel(Some("nofollow noopener noreferrer"))
        .add_tag_attributes("a", &["class"])
        .clean(&writer.out)
        .to_string();
    if html.len() > limit {
        return Err(RenderError::TooLarge { limit });
    }
    Ok(Rendered {
        html,
        mentions,
        hashtags,
    })
}

/// Splits a text run into plain text and links for `@name` / `#tag`.
fn link_tokens<'a>(
    text: &str,
    urls: &LocalUrls,
    is_member: &impl Fn(&str) -> bool,
    mentions: &mut Vec<String>,
    hashtags: &mut Vec<String>,
    out: &mut VecDeque<Event<'a>>,
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
                    "<a href=\"{}\" class=\"mention\">@{word}</a>",
                    urls.profile_page(word)
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
                    "<a href=\"{}\" class=\"hashtag\">#{}</a>",
                    urls.tag(&tag),
                    escape(word)
                ))
            } else {
                None
            };
            if let Some(html) = link {
                if plain_start < pos {
                    out.push_back(Event::Text(CowStr::from(
                        text[plain_start..pos].to_string(),
                    )));
                }
                out.push_back(Event::InlineHtml(CowStr::from(html)));
                plain_start = end;
            }
            i = j.max(i + 1);
            continue;
        }
        i += 1;
    }
    if plain_start < text.len() {
        out.push_back(Event::Text(CowStr::from(text[plain_start..].to_string())));
    }
}

/// `s` with HTML's special characters (`&`, `<`, `>`, `"`) escaped, for
/// text placed in HTML.
pub fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render_simple(src: &str) -> Rendered {
        render(src, &LocalUrls::new("https://k.test"), |name| name == "bob").expect("renders")
    }

    /// A 10 kB post whose table has `columns` columns and short rows that
    /// pulldown-cmark pads with empty cells.
    fn wide_table(columns: usize) -> String {
        let mut s = format!("|{}\n|{}\n", "a|".repeat(columns), "-|".repeat(columns));
        while s.len() + 3 <= 10_000 {
            s.push_str("|x\n");
        }
        s
    }

    #[test]
    fn a_thousand_column_table_is_refused() {
        let source = wide_table(1000);
        assert!(source.len() <= 10_000);
        let err = render(&source, &LocalUrls::new("https://k.test"), |_| false).err();
        assert_eq!(err, Some(RenderError::TableTooWide { columns: 1000 }));
        let message = err.map(|e| e.to_string()).unwrap_or_default();
        assert!(message.contains("at most 32 columns"), "{message}");
    }

    #[test]
    fn padded_rows_are_stopped_at_the_budget() {
        // 32 columns are allowed, but 3,300 one-cell rows padded to 32
        // cells would be ~1 MB of HTML.
        let source = wide_table(MAX_TABLE_COLUMNS);
        let err = render(&source, &LocalUrls::new("https://k.test"), |_| false).err();
        assert_eq!(
            err,
            Some(RenderError::TooLarge {
                limit: html_budget(source.len())
            })
        );
    }

    #[test]
    fn ordinary_markup_fits_its_budget() {
        assert_eq!(html_budget(10), MIN_HTML_BUDGET);
        assert_eq!(html_budget(10_000), 80_000);
        assert_eq!(html_budget(400_000), MAX_HTML_BUDGET);
        // A table of real rows, ampersands that escape to 5 bytes each,
        // and emphasis: all within 8× of their source.
        let mut table = format!("|{}\n|{}\n", "h|".repeat(32), ":-:|".repeat(32));
        for _ in 0..20 {
            table.push_str(&format!("|{}\n", "cell|".repeat(32)));
        }
        let r = render_simple(&table);
        assert_eq!(r.html.matches("<td>").count(), 20 * 32);
        // Centred one-character cells: 5× without the `style` attribute
        // that alignment would add to each (and the sanitiser drops).
        while table.len() < 9_500 {
            table.push_str(&format!("|{}\n", "1|".repeat(32)));
        }
        let r = render_simple(&table);
        assert!(
            r.html.len() > html_budget(table.len()) / 2,
            "{}",
            r.html.len()
        );
        assert!(!r.html.contains("style"));
        let ampersands = "&".repeat(9_000);
        let r = render_simple(&ampersands);
        assert!(r.html.len() > 45_000, "{}", r.html.len());
        let bold = "**b** ".repeat(1_600);
        assert!(render_simple(&bold).html.contains("<strong>b</strong>"));
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
            &LocalUrls::new("http://x"),
            |n| n == "bob@example.org:8080",
        )
        .expect("renders");
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

/// Property tests: whatever a stranger writes, rendering ends, stays
/// within its budget or refuses, and leaves no markup that runs.
#[cfg(test)]
mod fuzz {
    use proptest::prelude::*;

    use super::*;

    /// Text made of the pieces Markdown and our mentions and tags react to.
    fn markdownish() -> impl Strategy<Value = String> {
        let piece = prop_oneof![
            Just("|".to_string()),
            Just("\n".to_string()),
            Just(" ".to_string()),
            Just("-".to_string()),
            Just("*".to_string()),
            Just("_".to_string()),
            Just("`".to_string()),
            Just("```".to_string()),
            Just("#".to_string()),
            Just(">".to_string()),
            Just("[".to_string()),
            Just("](".to_string()),
            Just(")".to_string()),
            Just("!".to_string()),
            Just("~~".to_string()),
            Just("1. ".to_string()),
            Just("    ".to_string()),
            Just("<script>alert(1)</script>".to_string()),
            Just("<img src=x onerror=alert(1)>".to_string()),
            Just("javascript:alert(1)".to_string()),
            Just("&".to_string()),
            Just("\"".to_string()),
            Just("@bob".to_string()),
            Just("@bob@example.org".to_string()),
            Just("#tag".to_string()),
            Just("https://x.example/a?b=c".to_string()),
            "[a-z]{1,6}",
            any::<char>().prop_map(String::from),
        ];
        prop::collection::vec(piece, 0..300).prop_map(|v| v.concat())
    }

    /// The tags of well-formed HTML (as the sanitiser writes it): each
    /// tag's lower-cased name and its attributes with their values.
    fn tags(html: &str) -> Vec<(String, Vec<(String, String)>)> {
        let mut out = Vec::new();
        let mut rest = html;
        while let Some(open) = rest.find('<') {
            rest = &rest[open + 1..];
            let name_end = rest
                .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
                .unwrap_or(rest.len());
            let name = rest[..name_end].to_lowercase();
            rest = &rest[name_end..];
            let mut attributes = Vec::new();
            loop {
                rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
                if rest.is_empty() || rest.starts_with('>') {
                    break;
                }
                let key_end = rest
                    .find(|c: char| c.is_whitespace() || c == '=' || c == '>')
                    .unwrap_or(rest.len());
                let key = rest[..key_end].to_lowercase();
                rest = &rest[key_end..];
                let mut value = String::new();
                if let Some(after) = rest.strip_prefix('=') {
                    if let Some(quoted) = after.strip_prefix('"') {
                        let end = quoted.find('"').unwrap_or(quoted.len());
                        value = quoted[..end].to_string();
                        rest = quoted.get(end + 1..).unwrap_or("");
                    } else {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        value = after[..end].to_string();
                        rest = &after[end..];
                    }
                }
                attributes.push((key, value));
            }
            out.push((name, attributes));
        }
        out
    }

    fn check(source: &str) -> Result<(), TestCaseError> {
        let urls = LocalUrls::new("https://k.test");
        if let Ok(r) = render(source, &urls, |name| name == "bob") {
            prop_assert!(r.html.len() <= html_budget(source.len()));
            // In every tag: no script, no event handler, no script URL
            // (text that only looks like them is escaped, and harmless).
            for (name, attributes) in tags(&r.html) {
                prop_assert!(name != "script" && name != "style", "{}", r.html);
                for (attribute, value) in attributes {
                    prop_assert!(!attribute.starts_with("on"), "{}", r.html);
                    let url = [
                        "href",
                        "src",
                        "cite",
                        "action",
                        "formaction",
                        "poster",
                        "data",
                    ]
                    .contains(&attribute.as_str());
                    prop_assert!(
                        !url || !value.trim_start().to_lowercase().starts_with("javascript:"),
                        "{}",
                        r.html
                    );
                }
            }
        }
        Ok(())
    }

    proptest! {
        #![proptest_config(crate::test_support::proptest_config(256))]

        #[test]
        fn markdown_from_strangers_renders_safely_within_its_budget(source in markdownish()) {
            check(&source)?;
        }

        #[test]
        fn any_text_renders_safely_within_its_budget(source in any::<String>()) {
            check(&source)?;
        }

    }

    proptest! {
        #![proptest_config(crate::test_support::proptest_config(48))]

        #[test]
        fn wide_and_deep_structures_end_within_their_budget(
            columns in 1usize..80,
            rows in 1usize..40,
            depth in 1usize..200,
        ) {
            let header = "|x".repeat(columns) + "|\n" + &"|-".repeat(columns) + "|\n";
            let table = header + &("|".repeat(columns + 1) + "\n").repeat(rows);
            check(&table)?;
            check(&format!("{}x", "> ".repeat(depth)))?;
            check(&format!("{}x", "- ".repeat(depth)))?;
            check(&format!("{}x{}", "[".repeat(depth), "](y)".repeat(depth)))?;
        }
    }
}
