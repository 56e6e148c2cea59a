//! Remote HTML, made safe to show: Mastodon's allowed subset.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Cleans remote HTML: keeps paragraphs, line breaks, links (made
/// `nofollow noopener`), emphasis, code, quotes and lists; drops scripts,
/// styles, event handlers and everything else.
pub fn sanitize_html(html: &str) -> String {
    static CLEANER: LazyLock<ammonia::Builder<'static>> = LazyLock::new(|| {
        const CLASSES: [&str; 6] = [
            "mention",
            "hashtag",
            "u-url",
            "h-card",
            "invisible",
            "ellipsis",
        ];
        let tags: HashSet<&str> = [
            "p",
            "br",
            "a",
            "span",
            "strong",
            "b",
            "em",
            "i",
            "u",
            "s",
            "del",
            "code",
            "pre",
            "blockquote",
            "ul",
            "ol",
            "li",
            "h1",
            "h2",
            "h3",
            "h4",
            "h5",
            "h6",
        ]
        .into_iter()
        .collect();
        let mut builder = ammonia::Builder::default();
        builder
            .tags(tags)
            .add_allowed_classes("a", &CLASSES)
            .add_allowed_classes("span", &CLASSES)
            .url_schemes(["http", "https"].into_iter().collect())
            .link_rel(Some("nofollow noopener noreferrer"));
        builder
    });
    CLEANER.clean(html).to_string()
}

/// Remote text with every tag removed (names, content warnings), cut to
/// `max_chars` characters.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    // Built once: building a cleaner allocates its tag and attribute sets,
    // which cost more than cleaning the usual short (often empty) text.
    static STRIP: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);
    if html.is_empty() {
        return String::new();
    }
    STRIP
        .clean(html)
        .to_string()
        .chars()
        .take(max_chars)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{plain_text, sanitize_html};

    #[test]
    fn plain_text_strips_every_tag_and_cuts() {
        assert_eq!(plain_text("", 10), "");
        assert_eq!(plain_text("<b>bold</b> <i>text</i>", 100), "bold text");
        assert_eq!(plain_text("<p>abcdef</p>", 3), "abc");
    }

    #[test]
    fn scripts_handlers_and_bad_schemes_go() {
        let dirty = r#"<p onclick="x()">hi <script>alert(1)</script><a href="javascript:x">j</a> <a href="https://ok.example/" class="mention evil">@a</a><img src=x onerror=y></p>"#;
        let clean = sanitize_html(dirty);
        assert!(!clean.contains("script"));
        assert!(!clean.contains("onclick"));
        assert!(!clean.contains("javascript"));
        assert!(!clean.contains("<img"));
        assert!(!clean.contains("evil"));
        assert!(clean.contains(r#"class="mention""#));
        assert!(clean.contains("https://ok.example/"));
    }
}
