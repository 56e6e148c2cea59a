//! Text rules shared by entities: HTML escaping, notes as HTML, and
//! Mastodon's names for visibilities.

use node::model::Visibility;

/// Escapes text for HTML.
pub(super) fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Plain text → the HTML Mastodon shows in `note` (paragraphs, line breaks).
pub fn text_to_html(text: &str) -> String {
    if text.trim().is_empty() {
        return String::new();
    }
    text.split("\n\n")
        .map(|p| format!("<p>{}</p>", escape(p).replace('\n', "<br>")))
        .collect()
}

/// Mastodon's name for a visibility.
pub fn visibility_name(v: Visibility) -> &'static str {
    match v {
        Visibility::Public => "public",
        Visibility::Unlisted => "unlisted",
        Visibility::Followers => "private",
        Visibility::Direct => "direct",
    }
}

/// Kodeon's visibility for Mastodon's name.
pub fn parse_visibility(s: &str) -> Option<&'static str> {
    match s {
        "public" => Some("public"),
        "unlisted" => Some("unlisted"),
        "private" => Some("followers"),
        "direct" => Some("direct"),
        _ => None,
    }
}
