//! Remote HTML, made safe to show: Mastodon's allowed subset.

use std::collections::HashSet;
use std::sync::LazyLock;

/// The most remote HTML the sanitiser reads (64 KiB): a longer input is
/// cut first (the sanitiser closes what the cut leaves open) and marked
/// with `…`. html5ever's cost grows faster than linearly on some inputs:
/// cleaning 1 MiB of bare `&` took 14 s (release build), 256 KiB 1 s,
/// 64 KiB 0.06 s. 64 KiB is 50,000 characters or more of text: more than
/// any Mastodon, Misskey or Pleroma post and most long articles.
pub const MAX_REMOTE_INPUT: usize = 64 * 1024;

/// The most HTML a remote post or profile is kept with (128 KiB). The
/// sanitiser escapes as it serialises (`&` becomes `&amp;`, `<` `&lt;`), so
/// 64 KiB read can grow to 320 KiB written, in every feed the post is in.
pub const MAX_REMOTE_HTML: usize = 128 * 1024;

/// Cleans remote HTML: keeps paragraphs, line breaks, links (made
/// `nofollow noopener`), emphasis, code, quotes and lists; drops scripts,
/// styles, event handlers and everything else. Bounded: reads at most
/// [`MAX_REMOTE_INPUT`] and writes at most [`MAX_REMOTE_HTML`]; HTML that
/// would still be longer is kept as its text alone, cut to fit (cutting
/// the output itself could leave markup open).
pub fn sanitize_html(html: &str) -> String {
    let input = cut(html, MAX_REMOTE_INPUT);
    if nesting_depth(input) > MAX_NESTING {
        // html5ever's tree building grows with the square of the nesting
        // (10,000 nested divs: seconds): such HTML is kept as text only,
        // taken apart without it.
        let text = ammonia::clean_text(&strip_tags(input));
        return format!(
            "<p>{}</p>",
            cut_entity_safe(&text, MAX_REMOTE_HTML - "<p></p>".len())
        );
    }
    let mut clean = cleaner().clean(input).to_string();
    if input.len() < html.len() {
        clean.push_str("<p>…</p>");
    }
    if clean.len() <= MAX_REMOTE_HTML {
        return clean;
    }
    // The text alone, escaped by the sanitiser (no `<` left), so cutting it
    // anywhere outside an entity is safe.
    let text = STRIP.clean(input).to_string();
    let kept = cut_entity_safe(&text, MAX_REMOTE_HTML - "<p>…</p>".len());
    format!("<p>{kept}…</p>")
}

/// The deepest element nesting remote HTML may have (Mastodon's
/// sanitiser, Gumbo, stops at 400; posts nest a handful of levels).
pub const MAX_NESTING: usize = 100;

/// The deepest nesting of elements in `html`, estimated in one pass
/// without building a tree: a start tag of an element that has content
/// opens a level, an end tag closes one. Overcounting only ever makes the
/// sanitiser keep text alone, which is safe.
fn nesting_depth(html: &str) -> usize {
    const VOID: [&str; 14] = [
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param",
        "source", "track", "wbr",
    ];
    let bytes = html.as_bytes();
    let (mut depth, mut deepest, mut i) = (0usize, 0usize, 0usize);
    while let Some(offset) = html[i..].find('<') {
        i += offset + 1;
        match bytes.get(i) {
            Some(b'/') => depth = depth.saturating_sub(1),
            Some(c) if c.is_ascii_alphabetic() => {
                let name_end = html[i..]
                    .find(|c: char| !c.is_ascii_alphanumeric())
                    .map_or(html.len(), |n| i + n);
                let name = html[i..name_end].to_ascii_lowercase();
                let tag_end = html[i..].find('>').map_or(html.len(), |n| i + n);
                let self_closing = html[..tag_end].ends_with('/');
                if !VOID.contains(&name.as_str()) && !self_closing {
                    depth += 1;
                    deepest = deepest.max(depth);
                }
            }
            _ => {}
        }
    }
    deepest
}

/// `html` with every `<...>` taken out (a cheap stand-in for parsing,
/// for input too deep to parse).
fn strip_tags(html: &str) -> String {
    let mut out = String::with_capacity(html.len());
    let mut rest = html;
    while let Some(open) = rest.find('<') {
        out.push_str(&rest[..open]);
        match rest[open..].find('>') {
            Some(close) => rest = &rest[open + close + 1..],
            None => {
                rest = "";
            }
        }
    }
    out.push_str(rest);
    out
}

/// The longest prefix of escaped text within `max` bytes that does not end
/// inside an entity.
fn cut_entity_safe(text: &str, max: usize) -> &str {
    let mut kept = cut(text, max);
    if let Some(amp) = kept.rfind('&').filter(|&i| !kept[i..].contains(';')) {
        kept = &kept[..amp];
    }
    kept
}

/// The longest prefix of `s` of at most `max` bytes that ends on a
/// character boundary.
fn cut(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

/// The tag stripper (built once: building a cleaner allocates its tag and
/// attribute sets, which cost more than cleaning the usual short text).
static STRIP: LazyLock<ammonia::Builder<'static>> = LazyLock::new(ammonia::Builder::empty);

/// Mastodon's allowed subset, built once.
fn cleaner() -> &'static ammonia::Builder<'static> {
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
    &CLEANER
}

/// Remote text with every tag removed (names, content warnings), cut to
/// `max_chars` characters.
pub fn plain_text(html: &str, max_chars: usize) -> String {
    if html.is_empty() {
        return String::new();
    }
    let input = cut(html, MAX_REMOTE_INPUT);
    let text = if nesting_depth(input) > MAX_NESTING {
        ammonia::clean_text(&strip_tags(input))
    } else {
        STRIP.clean(input).to_string()
    };
    text.chars().take(max_chars).collect()
}

#[cfg(test)]
mod tests {
    use super::{
        nesting_depth, plain_text, sanitize_html, MAX_NESTING, MAX_REMOTE_HTML, MAX_REMOTE_INPUT,
    };

    #[test]
    fn remote_html_is_bounded() {
        // Ordinary HTML is kept as it is.
        let short = "<p>hello <em>you</em> &amp; me</p>";
        assert_eq!(sanitize_html(short), short);
        // Long HTML is read up to the bound; what it leaves open is closed.
        let long = format!("<p><em>{}</em></p>", "word ".repeat(20_000));
        let out = sanitize_html(&long);
        assert!(out.len() < MAX_REMOTE_INPUT + 64, "{}", out.len());
        assert!(
            out.ends_with("</em></p><p>…</p>"),
            "{}",
            &out[out.len() - 40..]
        );
        // Bare ampersands grow five-fold once escaped (up to 320 KiB from
        // 64 KiB read): the text is kept, cut to the bound.
        let amps = "&".repeat(30_000);
        let out = sanitize_html(&amps);
        assert!(out.len() <= MAX_REMOTE_HTML, "{}", out.len());
        assert!(out.len() > MAX_REMOTE_HTML - 16, "{}", out.len());
        assert!(out.starts_with("<p>&amp;&amp;") && out.ends_with("&amp;…</p>"));
    }

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

    #[test]
    fn deeply_nested_html_is_kept_as_text_without_being_parsed() {
        assert_eq!(
            nesting_depth("<p>a<br><img src=x/><em>b</em></p><p>c</p>"),
            2
        );
        assert_eq!(nesting_depth("<div><div/><span>x</span></div>"), 2);
        // 10,000 nested elements took seconds in html5ever: now text alone,
        // at once, with nothing of the markup left.
        let deep = format!(
            "{}<b>hi</b> &amp; <script>x</script>{}",
            "<div>".repeat(10_000),
            "</div>".repeat(10_000)
        );
        let started = std::time::Instant::now();
        let out = sanitize_html(&deep);
        assert!(
            started.elapsed() < std::time::Duration::from_millis(500),
            "{:?}",
            started.elapsed()
        );
        assert!(
            !out.contains("<div") && !out.contains("<script") && !out.contains("<b>"),
            "{out}"
        );
        assert!(out.starts_with("<p>") && out.contains("hi"), "{out}");
        // Nesting within the bound is parsed as usual.
        assert!(!plain_text(&deep, 100).contains('<'));
        let fine = format!(
            "{}x{}",
            "<blockquote>".repeat(MAX_NESTING),
            "</blockquote>".repeat(MAX_NESTING)
        );
        assert!(sanitize_html(&fine).contains("<blockquote>"));
    }
}
