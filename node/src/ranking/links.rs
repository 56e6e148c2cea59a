//! The links a post shares: the `href` of each anchor of its sanitised
//! HTML that is not a mention or a hashtag (Kodeon marks those with
//! `class="mention"` / `class="hashtag"`, Mastodon with the same classes
//! or `rel="tag"`), then the bare http(s) URLs of its text (Markdown
//! leaves a bare URL as text, and Mastodon apps post them so). Bounded: at most [`MAX_LINKS_PER_POST`] links, each at
//! most [`MAX_LINK_CHARS`] long; the scan is linear and never recurses.

/// Most links counted per post.
pub const MAX_LINKS_PER_POST: usize = 8;
/// Longest link counted, in bytes.
pub const MAX_LINK_CHARS: usize = 2_000;

/// The http(s) links `html` shares, in order, each once, without their
/// fragment.
pub fn shared_links(html: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = html;
    while let Some(start) = rest.find("<a ") {
        let tag_and_after = &rest[start..];
        let Some(end) = tag_and_after.find('>') else {
            break;
        };
        let tag = &tag_and_after[..end];
        rest = &tag_and_after[end..];
        let marked = attribute(tag, "class").is_some_and(|c| {
            c.split_whitespace()
                .any(|c| c == "mention" || c == "hashtag")
        }) || attribute(tag, "rel")
            .is_some_and(|r| r.split_whitespace().any(|r| r == "tag"));
        if marked {
            continue;
        }
        let Some(href) = attribute(tag, "href") else {
            continue;
        };
        if let Some(link) = normalise(&href) {
            if !out.contains(&link) {
                out.push(link);
                if out.len() >= MAX_LINKS_PER_POST {
                    return out;
                }
            }
        }
    }
    for link in bare_urls(html) {
        if !out.contains(&link) {
            out.push(link);
            if out.len() >= MAX_LINKS_PER_POST {
                break;
            }
        }
    }
    out
}

/// The http(s) URLs written as text (outside tags), trailing punctuation
/// left out.
fn bare_urls(html: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = html;
    while !rest.is_empty() && out.len() < MAX_LINKS_PER_POST {
        let text_end = rest.find('<').unwrap_or(rest.len());
        let text = &rest[..text_end];
        let mut from = 0;
        while let Some(at) = find_scheme(&text[from..]) {
            let start = from + at;
            let len = text[start..]
                .find(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | '<' | '>'))
                .unwrap_or(text.len() - start);
            let raw =
                text[start..start + len].trim_end_matches(['.', ',', ';', ':', '!', '?', ')']);
            if let Some(link) = normalise(raw) {
                out.push(link);
            }
            from = start + len.max(1);
        }
        rest = &rest[text_end..];
        match rest.find('>') {
            Some(close) => rest = &rest[close + 1..],
            None => break,
        }
    }
    out
}

/// Where the first `http://` or `https://` of `text` starts.
fn find_scheme(text: &str) -> Option<usize> {
    match (text.find("https://"), text.find("http://")) {
        (Some(a), Some(b)) => Some(a.min(b)),
        (a, b) => a.or(b),
    }
}

/// A link as trends count it: http(s), entities decoded, no fragment,
/// within [`MAX_LINK_CHARS`]; `None` otherwise.
pub fn normalise(raw: &str) -> Option<String> {
    let decoded = raw
        .trim()
        .replace("&amp;", "&")
        .replace("&quot;", "\"")
        .replace("&#39;", "'");
    let no_fragment = decoded.split('#').next().unwrap_or_default();
    let lower = no_fragment.to_ascii_lowercase();
    let web = lower.starts_with("https://") || lower.starts_with("http://");
    let host_present = no_fragment
        .split("://")
        .nth(1)
        .is_some_and(|r| !r.is_empty());
    (web && host_present && no_fragment.len() <= MAX_LINK_CHARS).then(|| no_fragment.to_string())
}

/// The value of attribute `name` in a start tag (quoted with `"` or `'`).
fn attribute(tag: &str, name: &str) -> Option<String> {
    let mut search = tag;
    loop {
        let at = search.find(name)?;
        let before = search[..at].chars().last();
        let after = &search[at + name.len()..];
        search = after;
        if !before.is_some_and(char::is_whitespace) {
            continue;
        }
        let after = after.trim_start();
        let Some(value) = after.strip_prefix('=') else {
            continue;
        };
        let value = value.trim_start();
        let quote = value.chars().next()?;
        if quote != '"' && quote != '\'' {
            continue;
        }
        let body = &value[1..];
        return body.find(quote).map(|end| body[..end].to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn links_leave_out_mentions_and_hashtags() {
        let html = concat!(
            "<p>see <a href=\"https://k.test/@bob\" class=\"mention\">@bob</a> ",
            "<a href=\"https://k.test/tags/rust\" class=\"hashtag\">#rust</a> ",
            "<a href=\"https://m.example/tags/go\" class=\"mention hashtag\" rel=\"tag\">#go</a> ",
            "<a href=\"https://blog.example/post?a=1&amp;b=2#top\" rel=\"nofollow\">x</a> ",
            "<a href='http://two.example/'>y</a> ",
            "<a href=\"https://blog.example/post?a=1&amp;b=2\">again</a> ",
            "<a href=\"javascript:alert(1)\">no</a> <a href=\"mailto:a@b\">no</a> ",
            "and text: https://three.example/x?y=1&amp;z=2. ",
            "<span class=\"invisible\">https://</span>split.example</p>",
        );
        assert_eq!(
            shared_links(html),
            vec![
                "https://blog.example/post?a=1&b=2".to_string(),
                "http://two.example/".to_string(),
                "https://three.example/x?y=1&z=2".to_string(),
            ]
        );
    }

    #[test]
    fn links_are_bounded() {
        let html: String = (0..50)
            .map(|i| format!("<a href=\"https://e.example/{i}\">{i}</a>"))
            .collect();
        assert_eq!(shared_links(&html).len(), MAX_LINKS_PER_POST);
        let long = format!("<a href=\"https://e.example/{}\">x</a>", "a".repeat(3_000));
        assert!(shared_links(&long).is_empty());
        assert!(shared_links("<a href=\"https://e.example/").is_empty());
        assert!(normalise("https://").is_none());
    }
}
