//! The app's page models. Templates live in `web/templates/app/` and
//! extend the public pages' `base.html`; they escape by default, and the
//! only `|safe` value is post HTML that the node already sanitised.

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

/// The compose form: what was entered and what was wrong with it.
#[derive(Debug, Default)]
pub struct Compose {
    /// Markdown content.
    pub content: String,
    /// Chosen visibility.
    pub visibility: String,
    /// Content warning.
    pub spoiler_text: String,
    /// The post replied to ("" for none).
    pub in_reply_to: String,
    /// Where the form goes back to.
    pub back: String,
    /// An error about the content.
    pub content_error: Option<String>,
    /// An error about the visibility.
    pub visibility_error: Option<String>,
    /// An error about the content warning.
    pub spoiler_error: Option<String>,
    /// Any other error.
    pub error: Option<String>,
}

impl Compose {
    /// Whether `visibility` is the chosen one.
    pub fn chosen(&self, visibility: &str) -> bool {
        self.visibility == visibility
    }
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
    pub notice: Option<&'static str>,
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
    /// A follow request still waiting: Accept and Reject forms.
    pub answerable: bool,
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
