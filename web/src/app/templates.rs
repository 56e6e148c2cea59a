//! The app's page models. Templates live in `web/templates/app/` and
//! extend the public pages' `base.html`; they escape by default, and the
//! only `|safe` values are post HTML and a group's description, which the
//! node already sanitised.

use askama::Template;

use super::Me;
use crate::public_pages::Card;

/// The visibilities a post may have, as the compose form offers them.
pub const VISIBILITIES: [(&str, &str); 4] = [
    ("public", "Public"),
    ("unlisted", "Unlisted"),
    ("followers", "Followers only"),
    ("direct", "Mentioned people only"),
];

/// The compose form (a new post, a reply, or an edit): what was entered
/// and what was wrong with it.
#[derive(Debug, Default)]
pub struct Compose {
    /// Markdown content.
    pub content: String,
    /// Chosen visibility.
    pub visibility: String,
    /// Content warning.
    pub spoiler_text: String,
    /// Tags as typed (spaces or commas between them).
    pub tags: String,
    /// Category slug ("" for the default).
    pub category: String,
    /// The image's description (alt text).
    pub image_description: String,
    /// The post replied to ("" for none).
    pub in_reply_to: String,
    /// The group the post is written in ("" for none).
    pub group: String,
    /// The post being edited, if this form edits one.
    pub editing: Option<node::Id>,
    /// Where the form goes back to.
    pub back: String,
    /// Appended to the fields' ids, so that two forms on a page differ.
    pub suffix: &'static str,
    /// An error about the content.
    pub content_error: Option<String>,
    /// An error about the visibility.
    pub visibility_error: Option<String>,
    /// An error about the content warning.
    pub spoiler_error: Option<String>,
    /// An error about the tags.
    pub tags_error: Option<String>,
    /// An error about the category.
    pub category_error: Option<String>,
    /// An error about the image.
    pub image_error: Option<String>,
    /// An error about the image's description.
    pub description_error: Option<String>,
    /// Any other error.
    pub error: Option<String>,
}

impl Compose {
    /// Whether `visibility` is the chosen one.
    pub fn chosen(&self, visibility: &str) -> bool {
        self.visibility == visibility
    }

    /// Where the form posts: `/compose`, or the edited post's edit target.
    pub fn action(&self) -> String {
        match self.editing {
            Some(id) => format!("/posts/{id}/edit"),
            None => "/compose".into(),
        }
    }

    /// Whether the optional fields hold something (or an error), so that
    /// their section shows open.
    pub fn has_extras(&self) -> bool {
        !(self.spoiler_text.is_empty()
            && self.tags.is_empty()
            && self.category.is_empty()
            && self.image_description.is_empty())
            || self.spoiler_error.is_some()
            || self.tags_error.is_some()
            || self.category_error.is_some()
            || self.image_error.is_some()
            || self.description_error.is_some()
    }

    /// The slot for an error about `field` (the node's field names).
    pub fn error_slot(&mut self, field: Option<&str>) -> &mut Option<String> {
        match field {
            Some("content" | "title") => &mut self.content_error,
            Some("visibility") => &mut self.visibility_error,
            Some("spoiler_text") => &mut self.spoiler_error,
            Some("tags" | "tag") => &mut self.tags_error,
            Some("category") => &mut self.category_error,
            Some("file" | "media_ids") => &mut self.image_error,
            Some("description") => &mut self.description_error,
            _ => &mut self.error,
        }
    }
}

/// A post being edited.
#[derive(Template)]
#[template(path = "app/edit.html")]
pub struct EditPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub compose: Compose,
    pub visibilities: [(&'static str, &'static str); 4],
}

/// A feed of posts with a heading (local, federated, a category).
#[derive(Template)]
#[template(path = "app/feed.html")]
pub struct FeedPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The page's heading.
    pub heading: String,
    /// What the feed holds.
    pub about: &'static str,
    /// Shown when it is empty.
    pub empty: &'static str,
    pub feed: Vec<Card>,
    /// The path the pager adds `?max_id=` to.
    pub path: String,
    pub next: Option<node::Id>,
}

/// One post card alone: what live updates and infinite scroll insert.
#[derive(Template)]
#[template(path = "app/card.html")]
pub struct CardFragment {
    pub p: Card,
    pub extra_class: &'static str,
}

/// Errors of the sign-up form, each next to its field.
#[derive(Debug, Default)]
pub struct SignupErrors {
    /// Username.
    pub username: Option<String>,
    /// Email.
    pub email: Option<String>,
    /// Password.
    pub password: Option<String>,
    /// Invite code.
    pub invite_code: Option<String>,
    /// Reason for joining.
    pub reason: Option<String>,
    /// Anything else.
    pub general: Option<String>,
}

/// The sign-in form.
#[derive(Template)]
#[template(path = "app/login.html")]
pub struct LoginPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub csrf: String,
    pub login: String,
    pub login_error: Option<String>,
    pub password_error: Option<String>,
    pub error: Option<String>,
    /// Where to go once signed in (empty: home).
    pub next: String,
}

/// The sign-up form, following the registration mode.
#[derive(Template)]
#[template(path = "app/signup.html")]
pub struct SignupPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub csrf: String,
    /// open, approval, invite or closed.
    pub mode: &'static str,
    pub username: String,
    pub email: String,
    pub invite_code: String,
    pub reason: String,
    pub errors: SignupErrors,
    /// Set once an account awaits approval.
    pub pending: bool,
}

/// The member's home feed with the compose form.
#[derive(Template)]
#[template(path = "app/home.html")]
pub struct HomePage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub compose: Compose,
    pub visibilities: [(&'static str, &'static str); 4],
    pub feed: Vec<Card>,
    pub next: Option<node::Id>,
    /// The newest page (new posts arrive live here, not on older pages).
    pub at_top: bool,
    pub notice: Option<&'static str>,
    /// People to follow, with why (`discover.rs`).
    pub recs: Vec<super::discover::RecItem>,
}

/// A message (an error).
#[derive(Template)]
#[template(path = "app/message.html")]
pub struct MessagePage {
    pub title: String,
    pub message: String,
}

/// A notification as the page lists it.
pub struct NotificationItem {
    /// Its id.
    pub id: node::Id,
    /// What happened, after the actor's name ("followed you").
    pub kind: &'static str,
    /// The actor's username.
    pub actor_username: String,
    /// The name the actor is shown by.
    pub actor_name: String,
    /// The page of the post concerned, if any (and visible).
    pub post_url: Option<String>,
    /// The start of that post's text.
    pub excerpt: String,
    /// Not read yet.
    pub unread: bool,
    /// When (RFC 3339).
    pub created: String,
    /// When, as people read it.
    pub created_text: String,
    /// A follow request still waiting: Accept and Reject forms.
    pub answerable: bool,
    /// The group concerned, if any: its name and the page to go to (the
    /// moderation page for a join request).
    pub group: Option<(String, String)>,
}

/// The member's notifications.
#[derive(Template)]
#[template(path = "app/notifications.html")]
pub struct NotificationsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub items: Vec<NotificationItem>,
    pub next: Option<node::Id>,
}

/// A session as the settings page lists it.
pub struct SessionItem {
    /// Its id.
    pub id: node::Id,
    /// What it was made for ("Web app", "API token", "Admin panel").
    pub kind: &'static str,
    /// The label given when it was made.
    pub label: String,
    /// When it was made (RFC 3339).
    pub created: String,
    /// When it was last used, to within ten minutes (RFC 3339), if known.
    pub last_used: Option<String>,
    /// Whether it is the session of this browser.
    pub current: bool,
}

/// Errors of the password form, each next to its field.
#[derive(Debug, Default)]
pub struct PasswordErrors {
    /// Current password.
    pub current: Option<String>,
    /// New password.
    pub new: Option<String>,
    /// Confirmation.
    pub confirm: Option<String>,
}

/// The member's settings: profile link and avatar, sessions, password,
/// exports.
#[derive(Template)]
#[template(path = "app/settings.html")]
pub struct SettingsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The avatar's URL ("" for none).
    pub avatar: String,
    pub sessions: Vec<SessionItem>,
    pub notice: Option<&'static str>,
    pub errors: PasswordErrors,
}
