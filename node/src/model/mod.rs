//! Domain records (what is stored) and views (what callers get back).

mod member;
mod notification;
mod post;
mod profile;

pub use member::{
    AccountKind, Member, MemberDetails, MemberStatus, MemberSummary, MemberView, PrivateDetails,
    Relationship, RemoteAccount, RemoteLink, Role, Session, SessionKind,
};
pub use notification::{Notification, NotificationKind, NotificationView};
pub use post::{
    BoostInfo, Post, PostType, PostView, RemoteAttachment, RemotePostRef, Thread, ThreadEntry,
    Visibility,
};
pub use profile::{Bio, HomeOrder, Preferences, Privacy, Profile, ProfileUpdate, Skills};

/// Milliseconds since the Unix epoch.
pub fn now_ms() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp_nanos() as i64 / 1_000_000
}

/// Serialises millisecond timestamps as RFC 3339 strings for views.
pub mod rfc3339 {
    use serde::Serializer;

    /// Formats `ms` as RFC 3339 (UTC, millisecond precision).
    pub fn format(ms: i64) -> String {
        let nanos = i128::from(ms) * 1_000_000;
        time::OffsetDateTime::from_unix_timestamp_nanos(nanos)
            .ok()
            .and_then(|t| {
                t.format(&time::format_description::well_known::Rfc3339)
                    .ok()
            })
            .unwrap_or_default()
    }

    /// serde `serialize_with` for `i64` millisecond fields.
    pub fn serialize<S: Serializer>(ms: &i64, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&format(*ms))
    }

    /// serde `serialize_with` for optional millisecond fields.
    pub mod option {
        use serde::Serializer;

        /// Formats `Some(ms)` as RFC 3339, `None` as null.
        pub fn serialize<S: Serializer>(ms: &Option<i64>, s: S) -> Result<S::Ok, S::Error> {
            match ms {
                Some(ms) => s.serialize_str(&super::format(*ms)),
                None => s.serialize_none(),
            }
        }
    }
}
