//! MediaAttachment: a local upload, or a remote post's attachment.

use node::media::Media;
use node::model::RemoteAttachment;
use node::Id;
use protocol::local_urls::LocalUrls;
use serde::Serialize;

/// Mastodon's MediaAttachment.
#[derive(Debug, Clone, Serialize)]
pub struct MediaAttachment {
    /// Media id (`POST-INDEX` for a remote post's attachment).
    pub id: String,
    /// `image`, `video`, `audio` or `unknown`.
    #[serde(rename = "type")]
    pub kind: &'static str,
    /// The file.
    pub url: String,
    /// A smaller version (the file itself for a remote attachment).
    pub preview_url: String,
    /// The file on its own server (remote attachments only).
    pub remote_url: Option<String>,
    /// Present, and null, on remote attachments only.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub preview_remote_url: Option<Option<String>>,
    /// Always null.
    pub text_url: Option<String>,
    /// Sizes and focal point (empty for a remote attachment).
    pub meta: Meta,
    /// Alt text, if any.
    pub description: Option<String>,
    /// BlurHash, if known.
    pub blurhash: Option<String>,
}

/// A MediaAttachment's `meta`.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Meta {
    /// The uploaded image.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub original: Option<Size>,
    /// Its preview.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub small: Option<Size>,
    /// The focal point.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub focus: Option<Focus>,
}

/// An image's dimensions.
#[derive(Debug, Clone, Serialize)]
pub struct Size {
    /// Pixels.
    pub width: u32,
    /// Pixels.
    pub height: u32,
    /// `WIDTHxHEIGHT`.
    pub size: String,
    /// width / height (0 for an empty image).
    pub aspect: f64,
}

impl Size {
    fn new(width: u32, height: u32) -> Self {
        Size {
            width,
            height,
            size: format!("{width}x{height}"),
            aspect: if height == 0 {
                0.0
            } else {
                f64::from(width) / f64::from(height)
            },
        }
    }
}

/// A focal point, each coordinate in -1..=1.
#[derive(Debug, Clone, Serialize)]
pub struct Focus {
    /// Horizontal.
    pub x: f64,
    /// Vertical.
    pub y: f64,
}

fn description(text: &str) -> Option<String> {
    Some(text.to_string()).filter(|d| !d.is_empty())
}

/// A local upload as a MediaAttachment.
pub fn attachment(urls: &LocalUrls, m: &Media) -> MediaAttachment {
    MediaAttachment {
        id: m.id.to_string(),
        kind: "image",
        url: urls.media(&m.file_name()),
        preview_url: urls.media(&m.preview_file_name()),
        remote_url: None,
        preview_remote_url: None,
        text_url: None,
        meta: Meta {
            original: Some(Size::new(m.width, m.height)),
            small: Some(Size::new(m.preview_width, m.preview_height)),
            focus: Some(Focus {
                x: f64::from(m.focus.0),
                y: f64::from(m.focus.1),
            }),
        },
        description: description(&m.description),
        blurhash: Some(m.blurhash.clone()),
    }
}

/// A remote post's attachment as a MediaAttachment: served by its own
/// server (`remote_url`), with an id made of the post's and its index.
pub(super) fn remote_attachment(post: Id, index: usize, m: &RemoteAttachment) -> MediaAttachment {
    let kind = match m.media_type.split('/').next() {
        Some("image") => "image",
        Some("video") => "video",
        Some("audio") => "audio",
        _ => "unknown",
    };
    MediaAttachment {
        id: format!("{post}-{index}"),
        kind,
        url: m.url.clone(),
        preview_url: m.url.clone(),
        remote_url: Some(m.url.clone()),
        preview_remote_url: Some(None),
        text_url: None,
        meta: Meta::default(),
        description: description(&m.description),
        blurhash: m.blurhash.clone(),
    }
}
