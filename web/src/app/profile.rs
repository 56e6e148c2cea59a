//! The member's profile settings: the profile fields of the seed design
//! (display name, bio, skills, social links, preferences with privacy),
//! whether follows need approval, and the avatar. Saved through the same
//! node methods as the APIs ([`node::Node::update_profile`],
//! [`node::Node::set_avatar`]), so the rules and limits are theirs.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::model::{Bio, HomeOrder, MemberView, Preferences, Privacy, ProfileUpdate, Skills};
use node::NodeError;
use serde::Deserialize;

use super::upload::AppUpload;
use super::{field, place_error, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// The skill levels the form offers ("" for none), as the node names them.
pub const LEVELS: [(&str, &str); 5] = [
    ("", "Not said"),
    ("beginner", "Beginner"),
    ("intermediate", "Intermediate"),
    ("senior", "Senior"),
    ("expert", "Expert"),
];

/// Who may see the profile's details, as the form offers it.
pub const PRIVACIES: [(&str, &str); 3] = [
    ("public", "Everyone, signed in or not"),
    ("members", "Members of this node"),
    ("followers", "My followers only"),
];

/// Notification channels the form always offers (the member may have
/// others, set through the API, which it keeps offering).
const CHANNELS: [&str; 2] = ["email", "push"];

/// The node's names of the fields the form shows an error next to.
const SHOWN_FIELDS: [&str; 14] = [
    "avatar",
    "full_name",
    "bio.about",
    "bio.location",
    "bio.website",
    "bio.company",
    "skills",
    "skills.level",
    "social_links",
    "preferences.language",
    "preferences.timezone",
    "preferences.notifications",
    "privacy",
    "locked",
];

/// Blank social link rows the form adds after the member's links.
const BLANK_LINKS: usize = 2;

/// What the profile form shows in its fields, and the errors next to them.
#[derive(Debug, Default)]
pub struct ProfileForm {
    /// Display name.
    pub full_name: String,
    /// About me.
    pub about: String,
    /// Location.
    pub location: String,
    /// Website.
    pub website: String,
    /// Company.
    pub company: String,
    /// Programming languages, comma-separated.
    pub languages: String,
    /// Areas of expertise, comma-separated.
    pub areas: String,
    /// Skill level.
    pub level: String,
    /// Social links (name, handle or URL), blank rows included.
    pub links: Vec<(String, String)>,
    /// Preferred language.
    pub language: String,
    /// Time zone.
    pub timezone: String,
    /// Notification channels offered, and whether each is wanted.
    pub channels: Vec<(String, bool)>,
    /// Who sees the details.
    pub privacy: String,
    /// How the home feed is ordered: `chronological` or `ranked`.
    pub home_order: String,
    /// Follows need approval.
    pub locked: bool,
    /// Errors by the node's field name (`bio.about`, `skills`...).
    pub errors: HashMap<String, String>,
}

impl ProfileForm {
    /// The form filled with the member's profile.
    fn of(view: &MemberView) -> Self {
        let details = view.details.as_ref();
        let bio = details.map(|d| d.bio.clone()).unwrap_or_default();
        let skills = details.map(|d| d.skills.clone()).unwrap_or_default();
        let links = details.map(|d| d.social_links.clone()).unwrap_or_default();
        let prefs = view
            .private
            .as_ref()
            .map(|p| p.preferences.clone())
            .unwrap_or_default();
        ProfileForm {
            full_name: view.full_name.clone(),
            about: bio.about,
            location: bio.location,
            website: bio.website,
            company: bio.company,
            languages: skills.languages.join(", "),
            areas: skills.areas.join(", "),
            level: skills.level,
            links: with_blank_rows(links.into_iter().collect()),
            language: prefs.language,
            timezone: prefs.timezone,
            channels: channels(&prefs.notifications),
            privacy: privacy_word(prefs.privacy).into(),
            home_order: match prefs.home_order {
                HomeOrder::Ranked => "ranked".into(),
                HomeOrder::Chronological => "chronological".into(),
            },
            locked: view.locked,
            errors: HashMap::new(),
        }
    }

    /// Puts `message` next to `field` (the node's name for it), or above
    /// the form, naming the field, for a field the form does not show.
    fn set_error(&mut self, field: String, message: String) {
        place_error(&mut self.errors, &SHOWN_FIELDS, field, message);
    }

    /// The error of a field (the node's name for it), if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }

    /// Whether `level` is the chosen skill level.
    pub fn level_is(&self, level: &str) -> bool {
        self.level == level
    }

    /// Whether `privacy` is the chosen privacy.
    pub fn privacy_is(&self, privacy: &str) -> bool {
        self.privacy == privacy
    }
}

/// The channels the form offers: the usual ones and the member's own.
fn channels(wanted: &[String]) -> Vec<(String, bool)> {
    let mut out: Vec<(String, bool)> = CHANNELS
        .iter()
        .map(|c| (c.to_string(), wanted.iter().any(|w| w == c)))
        .collect();
    for w in wanted {
        if !out.iter().any(|(c, _)| c == w) {
            out.push((w.clone(), true));
        }
    }
    out
}

fn with_blank_rows(mut links: Vec<(String, String)>) -> Vec<(String, String)> {
    links.extend(std::iter::repeat_n(
        (String::new(), String::new()),
        BLANK_LINKS,
    ));
    links
}

fn privacy_word(p: Privacy) -> &'static str {
    match p {
        Privacy::Public => "public",
        Privacy::Members => "members",
        Privacy::Followers => "followers",
    }
}

/// A comma-separated list, its entries trimmed, empty ones dropped.
fn list(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .collect()
}

/// The numbered fields `prefix{N}` of a form, in the order of N.
fn numbered<'a>(form: &'a HashMap<String, String>, prefix: &str) -> Vec<(usize, &'a str)> {
    let mut out: Vec<(usize, &str)> = form
        .iter()
        .filter_map(|(k, v)| {
            let n = k.strip_prefix(prefix)?.parse().ok()?;
            Some((n, v.trim()))
        })
        .collect();
    out.sort_unstable_by_key(|(n, _)| *n);
    out
}

/// Reads the posted form: what to show again, and the update to make (or
/// the form with the error of a field that could not be read).
fn parse(form: &HashMap<String, String>) -> (ProfileForm, Option<ProfileUpdate>) {
    let names = numbered(form, "link_name_");
    let values = numbered(form, "link_value_");
    let mut rows: Vec<usize> = names.iter().chain(&values).map(|(n, _)| *n).collect();
    rows.sort_unstable();
    rows.dedup();
    let in_row = |fields: &[(usize, &str)], row: usize| {
        fields
            .iter()
            .find(|(n, _)| *n == row)
            .map_or(String::new(), |(_, v)| v.to_string())
    };
    let mut links = Vec::new();
    let mut half = false;
    for row in rows {
        let (name, value) = (in_row(&names, row), in_row(&values, row));
        half |= name.is_empty() != value.is_empty();
        if !name.is_empty() || !value.is_empty() {
            links.push((name, value));
        }
    }
    let wanted: Vec<String> = numbered(form, "notify_")
        .into_iter()
        .map(|(_, c)| c.to_string())
        .filter(|c| !c.is_empty())
        .collect();
    let mut entered = ProfileForm {
        full_name: field(form, "full_name").into(),
        about: form.get("about").map(|a| a.trim_end()).unwrap_or("").into(),
        location: field(form, "location").into(),
        website: field(form, "website").into(),
        company: field(form, "company").into(),
        languages: field(form, "languages").into(),
        areas: field(form, "areas").into(),
        level: field(form, "level").into(),
        links: with_blank_rows(links.clone()),
        language: field(form, "language").into(),
        timezone: field(form, "timezone").into(),
        channels: channels(&wanted),
        privacy: field(form, "privacy").into(),
        home_order: field(form, "home_order").into(),
        locked: !field(form, "locked").is_empty(),
        errors: HashMap::new(),
    };
    let privacy = match entered.privacy.as_str() {
        "public" => Some(Privacy::Public),
        "members" => Some(Privacy::Members),
        "followers" => Some(Privacy::Followers),
        _ => None,
    };
    let Some(privacy) = privacy else {
        entered
            .errors
            .insert("privacy".into(), "choose who may see your details".into());
        return (entered, None);
    };
    if half {
        entered.errors.insert(
            "social_links".into(),
            "each link needs both a name and a handle or URL".into(),
        );
        return (entered, None);
    }
    let update = ProfileUpdate {
        full_name: Some(entered.full_name.clone()),
        bio: Some(Bio {
            about: entered.about.clone(),
            location: entered.location.clone(),
            website: entered.website.clone(),
            company: entered.company.clone(),
        }),
        skills: Some(Skills {
            languages: list(&entered.languages),
            areas: list(&entered.areas),
            level: entered.level.clone(),
        }),
        preferences: Some(Preferences {
            language: entered.language.clone(),
            timezone: entered.timezone.clone(),
            notifications: wanted,
            privacy,
            home_order: if entered.home_order == "ranked" {
                HomeOrder::Ranked
            } else {
                HomeOrder::Chronological
            },
        }),
        social_links: Some(links.into_iter().collect::<BTreeMap<_, _>>()),
        locked: Some(entered.locked),
        ..ProfileUpdate::default()
    };
    (entered, Some(update))
}

/// The profile settings page.
#[derive(Template)]
#[template(path = "app/profile_settings.html")]
pub struct ProfileSettingsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The current avatar's URL ("" for none).
    pub avatar: String,
    /// The fields.
    pub form: ProfileForm,
    /// The skill levels offered.
    pub levels: [(&'static str, &'static str); 5],
    /// The privacies offered.
    pub privacies: [(&'static str, &'static str); 3],
    /// The most bytes an avatar may have, in MiB.
    pub max_avatar_mib: usize,
    /// What was just done.
    pub notice: Option<&'static str>,
    /// The member's reputation and why.
    pub reputation: Option<super::reputation::ReputationView>,
}

fn profile_page(
    s: &AppState,
    session: MemberSession,
    avatar: String,
    form: ProfileForm,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let reputation = s
        .node
        .explained_reputation(&session.me.username)
        .ok()
        .map(|r| super::reputation::ReputationView::of(&r));
    render_with_status(
        ProfileSettingsPage {
            reputation,
            domain,
            members,
            posts,
            me: Some(session.me),
            avatar,
            form,
            levels: LEVELS,
            privacies: PRIVACIES,
            max_avatar_mib: node::media::MAX_UPLOAD_BYTES / (1024 * 1024),
            notice,
        },
        status,
    )
}

/// The query of `/settings/profile`: what was just done.
#[derive(Deserialize)]
pub struct ProfileQuery {
    done: Option<String>,
}

/// GET /settings/profile — the profile form and the avatar upload.
pub async fn page(
    State(s): State<AppState>,
    session: MemberSession,
    Query(query): Query<ProfileQuery>,
) -> Result<Response, AppError> {
    let view = s.node.me(&session.viewer)?;
    let notice = match query.done.as_deref() {
        Some("saved") => Some("Your profile has been saved."),
        Some("avatar") => Some("Your avatar has been changed."),
        _ => None,
    };
    let avatar = view.avatar_url.clone();
    profile_page(
        &s,
        session,
        avatar,
        ProfileForm::of(&view),
        notice,
        StatusCode::OK,
    )
}

/// POST /settings/profile — saves the profile through the node's
/// `update_profile`; back to the form with a notice (303), or the form
/// again with what was entered and the error next to its field (422).
pub async fn save(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let avatar = session
        .viewer
        .member()
        .map(|m| m.profile.avatar_url.clone())
        .unwrap_or_default();
    let (mut entered, update) = parse(&form);
    if let Some(update) = update {
        match s.node.update_profile(&session.viewer, update).await {
            Ok(_) => return Ok(Redirect::to("/settings/profile?done=saved").into_response()),
            Err(NodeError::Invalid { field, message } | NodeError::TooLarge { field, message }) => {
                entered.set_error(field, message)
            }
            Err(e) => return Err(e.into()),
        }
    }
    profile_page(
        &s,
        session,
        avatar,
        entered,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// POST /settings/avatar — a multipart form (its token first): the image
/// becomes the avatar through the node's `set_avatar`, which processes it
/// within the node's memory budget as every upload. Limited per account as
/// the API's uploads, before the file is read. Back to the profile form
/// with a notice (303), or the form with the error next to the file field.
pub async fn avatar(
    State(s): State<AppState>,
    mut upload: AppUpload,
) -> Result<Response, AppError> {
    let failed = |s: &AppState, session: MemberSession, status: StatusCode, message: String| {
        let view = s.node.me(&session.viewer)?;
        let mut form = ProfileForm::of(&view);
        form.set_error("avatar".into(), message);
        profile_page(s, session, view.avatar_url, form, None, status)
    };
    let me = upload.session.me.id.to_string();
    if let Err(limited) = s.limiters.check(Action::MediaUpload, &me) {
        return failed(&s, upload.session, limited.status, limited.message);
    }
    let bytes = match upload.file("avatar", node::media::MAX_UPLOAD_BYTES).await {
        Ok(Some(bytes)) => bytes,
        Ok(None) => {
            return failed(
                &s,
                upload.session,
                StatusCode::UNPROCESSABLE_ENTITY,
                "choose an image file".into(),
            )
        }
        Err(e) => {
            let (status, message) = e.status_and_message();
            return failed(&s, upload.session, status, message);
        }
    };
    let session = upload.session;
    match s.node.set_avatar(&session.viewer, bytes).await {
        Ok(_) => Ok(Redirect::to("/settings/profile?done=avatar").into_response()),
        Err(NodeError::Invalid { message, .. }) => {
            failed(&s, session, StatusCode::UNPROCESSABLE_ENTITY, message)
        }
        Err(NodeError::TooLarge { message, .. }) => {
            failed(&s, session, StatusCode::PAYLOAD_TOO_LARGE, message)
        }
        Err(e) => Err(e.into()),
    }
}
