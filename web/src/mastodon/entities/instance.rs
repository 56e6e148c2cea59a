//! Instance (v1 and v2) and its rules.

use node::{Node, NodeResult, RegistrationMode};
use serde::Serialize;

use super::Unsupported;

/// The version string clients parse as Mastodon-compatible.
pub fn version() -> String {
    format!("4.2.0 (compatible; Kodeon {})", protocol::SOFTWARE_VERSION)
}

/// Mastodon's V1::Instance.
#[derive(Debug, Clone, Serialize)]
pub struct InstanceV1 {
    /// The domain.
    pub uri: String,
    /// The node's name.
    pub title: String,
    /// Its description.
    pub short_description: String,
    /// Its description.
    pub description: String,
    /// Contact email.
    pub email: String,
    /// See [`version`].
    pub version: String,
    /// Where to stream from.
    pub urls: StreamingApi,
    /// Counts.
    pub stats: Stats,
    /// No thumbnail: always null.
    pub thumbnail: Option<String>,
    /// Always `["en"]`.
    pub languages: Vec<&'static str>,
    /// Whether sign-ups are open.
    pub registrations: bool,
    /// Whether sign-ups are approved by hand.
    pub approval_required: bool,
    /// Whether sign-ups need an invite.
    pub invites_enabled: bool,
    /// Limits.
    pub configuration: Configuration<StreamingApi>,
    /// Always null.
    pub contact_account: Option<Unsupported>,
    /// The node's rules.
    pub rules: Vec<Rule>,
}

/// Mastodon's Instance (v2).
#[derive(Debug, Clone, Serialize)]
pub struct InstanceV2 {
    /// The domain.
    pub domain: String,
    /// The node's name.
    pub title: String,
    /// See [`version`].
    pub version: String,
    /// Always empty.
    pub source_url: &'static str,
    /// Its description.
    pub description: String,
    /// Active members.
    pub usage: Usage,
    /// The banner (the blank header).
    pub thumbnail: Thumbnail,
    /// Always `["en"]`.
    pub languages: Vec<&'static str>,
    /// Limits.
    pub configuration: Configuration<Streaming>,
    /// How sign-ups work.
    pub registrations: Registrations,
    /// Whom to contact.
    pub contact: Contact,
    /// The node's rules.
    pub rules: Vec<Rule>,
}

/// v1's streaming address.
#[derive(Debug, Clone, Serialize)]
pub struct StreamingApi {
    /// `ws://` or `wss://` base.
    pub streaming_api: String,
}

/// v2's streaming address.
#[derive(Debug, Clone, Serialize)]
pub struct Streaming {
    /// `ws://` or `wss://` base.
    pub streaming: String,
}

/// v1's counts.
#[derive(Debug, Clone, Serialize)]
pub struct Stats {
    /// Members.
    pub user_count: i64,
    /// Posts.
    pub status_count: i64,
    /// Always 0.
    pub domain_count: i64,
}

/// v2's usage.
#[derive(Debug, Clone, Serialize)]
pub struct Usage {
    /// Members.
    pub users: ActiveUsers,
}

/// Members active lately.
#[derive(Debug, Clone, Serialize)]
pub struct ActiveUsers {
    /// In the last 30 days.
    pub active_month: i64,
}

/// v2's thumbnail.
#[derive(Debug, Clone, Serialize)]
pub struct Thumbnail {
    /// Image URL.
    pub url: String,
}

/// v2's registrations.
#[derive(Debug, Clone, Serialize)]
pub struct Registrations {
    /// Whether sign-ups are open.
    pub enabled: bool,
    /// Whether sign-ups are approved by hand.
    pub approval_required: bool,
    /// Always null.
    pub message: Option<String>,
}

/// v2's contact.
#[derive(Debug, Clone, Serialize)]
pub struct Contact {
    /// Contact email.
    pub email: String,
    /// Always null.
    pub account: Option<Unsupported>,
}

/// What the node accepts; `U` is the version's streaming address.
#[derive(Debug, Clone, Serialize)]
pub struct Configuration<U> {
    /// Featured accounts and pins (none).
    pub accounts: AccountLimits,
    /// Post limits.
    pub statuses: StatusLimits,
    /// Upload limits.
    pub media_attachments: MediaLimits,
    /// No polls: all zero.
    pub polls: PollLimits,
    /// No translation.
    pub translation: Translation,
    /// Where to stream from.
    pub urls: U,
}

/// Account limits.
#[derive(Debug, Clone, Serialize)]
pub struct AccountLimits {
    /// Always 0.
    pub max_featured_tags: u32,
    /// Always 0.
    pub max_pinned_statuses: u32,
}

/// Post limits.
#[derive(Debug, Clone, Serialize)]
pub struct StatusLimits {
    /// Characters per post.
    pub max_characters: usize,
    /// Attachments per post.
    pub max_media_attachments: usize,
    /// Always 23.
    pub characters_reserved_per_url: u32,
}

/// Upload limits (images only).
#[derive(Debug, Clone, Serialize)]
pub struct MediaLimits {
    /// Accepted image types.
    pub supported_mime_types: Vec<&'static str>,
    /// Bytes.
    pub image_size_limit: usize,
    /// Pixels.
    pub image_matrix_limit: u64,
    /// No video: 0.
    pub video_size_limit: u64,
    /// No video: 0.
    pub video_frame_rate_limit: u64,
    /// No video: 0.
    pub video_matrix_limit: u64,
}

/// Poll limits (no polls: all zero).
#[derive(Debug, Clone, Serialize)]
pub struct PollLimits {
    /// 0.
    pub max_options: u32,
    /// 0.
    pub max_characters_per_option: u32,
    /// 0.
    pub min_expiration: u32,
    /// 0.
    pub max_expiration: u32,
}

/// Translation support.
#[derive(Debug, Clone, Serialize)]
pub struct Translation {
    /// Always false.
    pub enabled: bool,
}

/// Mastodon's Rule: ids are the rule's position, from 1.
#[derive(Debug, Clone, Serialize)]
pub struct Rule {
    /// Position, from 1.
    pub id: String,
    /// The rule.
    pub text: String,
    /// Always empty.
    pub hint: &'static str,
}

/// The node's rules as Rule entities.
pub fn rules(rules: &[String]) -> Vec<Rule> {
    rules
        .iter()
        .enumerate()
        .map(|(i, text)| Rule {
            id: (i + 1).to_string(),
            text: text.clone(),
            hint: "",
        })
        .collect()
}

fn configuration<U>(node: &Node, urls: U) -> Configuration<U> {
    Configuration {
        accounts: AccountLimits {
            max_featured_tags: 0,
            max_pinned_statuses: 0,
        },
        statuses: StatusLimits {
            max_characters: node.limits().post_chars,
            max_media_attachments: node::media::MAX_PER_POST,
            characters_reserved_per_url: 23,
        },
        media_attachments: MediaLimits {
            supported_mime_types: vec!["image/jpeg", "image/png", "image/webp", "image/gif"],
            image_size_limit: node::media::MAX_UPLOAD_BYTES,
            image_matrix_limit: 8192 * 8192,
            video_size_limit: 0,
            video_frame_rate_limit: 0,
            video_matrix_limit: 0,
        },
        polls: PollLimits {
            max_options: 0,
            max_characters_per_option: 0,
            min_expiration: 0,
            max_expiration: 0,
        },
        translation: Translation { enabled: false },
        urls,
    }
}

fn streaming_url(node: &Node) -> String {
    node.urls().base().replacen("http", "ws", 1)
}

/// The node as a v1 Instance.
pub fn instance_v1(node: &Node) -> NodeResult<InstanceV1> {
    let stats = node.stats()?;
    let settings = node.settings();
    let registration = settings.registration;
    Ok(InstanceV1 {
        uri: node.config().domain.clone(),
        title: settings.name,
        short_description: settings.description.clone(),
        description: settings.description,
        email: settings.contact_email,
        version: version(),
        urls: StreamingApi {
            streaming_api: streaming_url(node),
        },
        stats: Stats {
            user_count: stats.members,
            status_count: stats.posts,
            domain_count: 0,
        },
        thumbnail: None,
        languages: vec!["en"],
        registrations: registration != RegistrationMode::Closed,
        approval_required: registration == RegistrationMode::Approval,
        invites_enabled: registration == RegistrationMode::Invite,
        configuration: configuration(
            node,
            StreamingApi {
                streaming_api: streaming_url(node),
            },
        ),
        contact_account: None,
        rules: rules(&settings.rules),
    })
}

/// The node as a v2 Instance.
pub fn instance_v2(node: &Node) -> NodeResult<InstanceV2> {
    let settings = node.settings();
    let registration = settings.registration;
    Ok(InstanceV2 {
        domain: node.config().domain.clone(),
        title: settings.name,
        version: version(),
        source_url: "",
        description: settings.description,
        usage: Usage {
            users: ActiveUsers {
                active_month: node.active_members(30)?,
            },
        },
        thumbnail: Thumbnail {
            url: node.urls().missing_header(),
        },
        languages: vec!["en"],
        configuration: configuration(
            node,
            Streaming {
                streaming: streaming_url(node),
            },
        ),
        registrations: Registrations {
            enabled: registration != RegistrationMode::Closed,
            approval_required: registration == RegistrationMode::Approval,
            message: None,
        },
        contact: Contact {
            email: settings.contact_email,
            account: None,
        },
        rules: rules(&settings.rules),
    })
}
