//! Where a web page says its ActivityPub document is: a
//! `<link rel="alternate" type="application/activity+json" href="...">`
//! in its HTML, or the same link in a `Link` header (RFC 8288), as
//! Mastodon's `FetchResourceService` reads them. The `href` is returned as
//! written; the caller resolves it against the page's URL and checks it
//! like any other URL.

use std::cell::RefCell;

use html5ever::tendril::StrTendril;
use html5ever::tokenizer::states::RawKind;
use html5ever::tokenizer::{
    BufferQueue, Tag, TagKind, Token, TokenSink, TokenSinkResult, Tokenizer, TokenizerOpts,
};

/// Whether a media type names an ActivityStreams document
/// (`application/activity+json`, or `application/ld+json` with or without
/// its profile parameter).
pub fn is_activity_type(media_type: &str) -> bool {
    let essence = media_type
        .split(';')
        .next()
        .unwrap_or_default()
        .trim()
        .to_ascii_lowercase();
    essence == "application/activity+json" || essence == "application/ld+json"
}

/// The `href` of the first `<link rel="alternate">` of an ActivityStreams
/// type in `page`. The page is tokenized as a browser would (html5ever):
/// the text of `<script>`, `<style>`, `<title>` and `<textarea>` is text,
/// so a link written inside a script is not one.
pub fn alternate_in_html(page: &str) -> Option<String> {
    let input = BufferQueue::default();
    input.push_back(StrTendril::from_slice(page));
    let tokenizer = Tokenizer::new(AlternateSink(RefCell::new(None)), TokenizerOpts::default());
    // The sink never asks to pause for a script: one feed reads it all.
    let _ = tokenizer.feed(&input);
    tokenizer.end();
    tokenizer.sink.0.into_inner()
}

/// Collects the first ActivityStreams alternate link.
struct AlternateSink(RefCell<Option<String>>);

impl TokenSink for AlternateSink {
    type Handle = ();

    fn process_token(&self, token: Token, _line: u64) -> TokenSinkResult<()> {
        let Token::TagToken(tag) = token else {
            return TokenSinkResult::Continue;
        };
        if tag.kind != TagKind::StartTag {
            return TokenSinkResult::Continue;
        }
        match &*tag.name {
            "link" => {
                let mut found = self.0.borrow_mut();
                if found.is_none() {
                    *found = activity_link(&tag);
                }
                TokenSinkResult::Continue
            }
            // What the tree builder would switch the tokenizer to.
            "script" => TokenSinkResult::RawData(RawKind::ScriptData),
            "style" | "xmp" | "iframe" | "noembed" | "noframes" => {
                TokenSinkResult::RawData(RawKind::Rawtext)
            }
            "title" | "textarea" => TokenSinkResult::RawData(RawKind::Rcdata),
            "plaintext" => TokenSinkResult::Plaintext,
            _ => TokenSinkResult::Continue,
        }
    }
}

/// The `href` of a `<link>` tag that is an ActivityStreams alternate.
fn activity_link(tag: &Tag) -> Option<String> {
    let attr = |name: &str| {
        tag.attrs
            .iter()
            .find(|a| &*a.name.local == name)
            .map(|a| a.value.to_string())
    };
    let rel = attr("rel")?;
    let alternate = rel
        .split_ascii_whitespace()
        .any(|r| r.eq_ignore_ascii_case("alternate"));
    let href = attr("href")?;
    (alternate && is_activity_type(&attr("type")?) && !href.trim().is_empty())
        .then(|| href.trim().to_string())
}

/// The target of the first link in a `Link` header value whose `rel`
/// includes `alternate` and whose `type` is an ActivityStreams type
/// (`<https://x/users/a>; rel="alternate"; type="application/activity+json"`).
pub fn alternate_in_link_header(value: &str) -> Option<String> {
    let mut rest = value;
    loop {
        let open = rest.find('<')?;
        let close = open + rest.get(open..)?.find('>')?;
        let target = rest.get(open + 1..close)?.trim();
        rest = rest.get(close + 1..)?;
        // The parameters run to the next `,` outside quotes.
        let mut end = rest.len();
        let mut quoted = false;
        for (i, c) in rest.char_indices() {
            match c {
                '"' => quoted = !quoted,
                ',' if !quoted => {
                    end = i;
                    break;
                }
                _ => {}
            }
        }
        let params = rest.get(..end).unwrap_or_default();
        rest = rest.get(end..).unwrap_or_default();
        let param = |name: &str| {
            params.split(';').find_map(|p| {
                let (k, v) = p.split_once('=')?;
                k.trim()
                    .eq_ignore_ascii_case(name)
                    .then(|| v.trim().trim_matches('"').to_string())
            })
        };
        let alternate = param("rel").is_some_and(|rel| {
            rel.split_ascii_whitespace()
                .any(|r| r.eq_ignore_ascii_case("alternate"))
        });
        if alternate && param("type").is_some_and(|t| is_activity_type(&t)) && !target.is_empty() {
            return Some(target.to_string());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_activity_alternate_of_a_page_is_found_as_a_browser_reads_it() {
        let page = r#"<!doctype html><html><head>
            <title>a <link rel="alternate" type="application/activity+json" href="/in-title"></title>
            <script>document.write('<link rel="alternate" type="application/activity+json" href="/in-script">')</script>
            <style>/* <link rel="alternate" type="application/activity+json" href="/in-style"> */</style>
            <!-- <link rel="alternate" type="application/activity+json" href="/in-comment"> -->
            <link rel="alternate" type="application/rss+xml" href="/feed.rss">
            <link rel="stylesheet" type="application/activity+json" href="/not-alternate">
            <LINK REL="Alternate me" TYPE='application/ld+json; profile="https://www.w3.org/ns/activitystreams"'
                  HREF=" https://a.example/users/x?a=1&amp;b=2 ">
            <link rel="alternate" type="application/activity+json" href="/second">
            </head><body></body></html>"#;
        assert_eq!(
            alternate_in_html(page).as_deref(),
            Some("https://a.example/users/x?a=1&b=2")
        );
        assert_eq!(alternate_in_html("<p>nothing here</p>"), None);
        assert_eq!(
            alternate_in_html(r#"<link rel="alternate" type="application/activity+json">"#),
            None
        );
        assert_eq!(
            alternate_in_html("<link rel=alternate type=text/html href=/x"),
            None
        );
        assert_eq!(alternate_in_html(""), None);
    }

    #[test]
    fn the_activity_alternate_of_a_link_header_is_found() {
        assert_eq!(
            alternate_in_link_header(
                r#"<https://a.example/feed>; rel="alternate"; type="application/rss+xml", <https://a.example/users/x,y>; rel="alternate"; type="application/activity+json""#
            )
            .as_deref(),
            Some("https://a.example/users/x,y")
        );
        assert_eq!(
            alternate_in_link_header(
                r#"</users/x>; title="a, b"; type="application/ld+json"; rel=alternate"#
            )
            .as_deref(),
            Some("/users/x")
        );
        assert_eq!(
            alternate_in_link_header(
                r#"<https://a.example/x>; rel="self"; type="application/activity+json""#
            ),
            None
        );
        assert_eq!(alternate_in_link_header("<unterminated"), None);
        assert_eq!(alternate_in_link_header(""), None);
    }

    #[test]
    fn activity_types_are_recognised_by_their_essence() {
        assert!(is_activity_type("application/activity+json"));
        assert!(is_activity_type("Application/Activity+JSON; charset=utf-8"));
        assert!(is_activity_type(
            "application/ld+json; profile=\"https://www.w3.org/ns/activitystreams\""
        ));
        assert!(!is_activity_type("application/json"));
        assert!(!is_activity_type("text/html"));
    }
}
