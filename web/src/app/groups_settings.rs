//! A group's create and settings forms and its deletion: the fields go to
//! the node as they are typed ([`node::Node::create_group`],
//! [`node::Node::update_group`], [`node::Node::delete_group`]), whose
//! checks and errors are the API's; an error shows next to its field with
//! what was typed kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::groups::{GroupUpdate, GroupView, GroupVisibility, JoinMode, NewGroup, Posting};
use node::NodeError;

use super::feed::typed_tags;
use super::groups::{group_path, GroupItem};
use super::{field, place_error, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Who may read a group, as the forms offer it.
pub const VISIBILITIES: [(&str, &str); 2] = [
    ("public", "Public: anyone may read its posts and member list"),
    (
        "private",
        "Private: only members read its posts and member list (its name and description stay public)",
    ),
];

/// How one joins, as the forms offer it.
pub const JOIN_MODES: [(&str, &str); 3] = [
    ("open", "Open: anyone may join at once"),
    ("approval", "Approval: a moderator answers each request"),
    ("invite", "Invitation only: moderators invite members"),
];

/// Who may post, as the forms offer it.
pub const POSTINGS: [(&str, &str); 2] = [
    ("members", "Every member"),
    ("moderators", "The owner and moderators only"),
];

/// The node's names of the fields the forms show an error next to.
const SHOWN_FIELDS: [&str; 10] = [
    "name",
    "display_name",
    "description",
    "category",
    "tags",
    "rules",
    "visibility",
    "join_mode",
    "member_limit",
    "posting",
];

/// The fields of a group's create or settings form, as typed, and the
/// errors next to them.
#[derive(Debug, Default)]
pub struct GroupForm {
    /// Handle (the create form only).
    pub name: String,
    /// Display name.
    pub display_name: String,
    /// Description (Markdown).
    pub description: String,
    /// Category slug.
    pub category: String,
    /// Tags, separated by spaces or commas.
    pub tags: String,
    /// Rules, one per line.
    pub rules: String,
    /// `public` or `private`.
    pub visibility: String,
    /// `open`, `approval` or `invite`.
    pub join_mode: String,
    /// A whole number, or empty for no limit.
    pub member_limit: String,
    /// `members` or `moderators`.
    pub posting: String,
    /// Errors by the node's field name; `form` for any other.
    pub errors: HashMap<String, String>,
}

impl GroupForm {
    /// An empty create form with the node's defaults chosen.
    fn new_group() -> Self {
        GroupForm {
            visibility: "public".into(),
            join_mode: "open".into(),
            posting: "members".into(),
            ..GroupForm::default()
        }
    }

    /// The settings form filled with the group's settings.
    fn of(view: &GroupView) -> Self {
        GroupForm {
            name: view.name.clone(),
            display_name: view.display_name.clone(),
            description: view.description.clone(),
            category: view.category.clone().unwrap_or_default(),
            tags: view.tags.join(" "),
            rules: view.rules.join("\n"),
            visibility: match view.visibility {
                GroupVisibility::Public => "public",
                GroupVisibility::Private => "private",
            }
            .into(),
            join_mode: match view.join_mode {
                JoinMode::Open => "open",
                JoinMode::Approval => "approval",
                JoinMode::Invite => "invite",
            }
            .into(),
            member_limit: view.member_limit.map(|n| n.to_string()).unwrap_or_default(),
            posting: match view.posting {
                Posting::Members => "members",
                Posting::Moderators => "moderators",
            }
            .into(),
            errors: HashMap::new(),
        }
    }

    /// The posted fields.
    fn read(form: &HashMap<String, String>) -> Self {
        GroupForm {
            name: field(form, "name").into(),
            display_name: field(form, "display_name").into(),
            description: form.get("description").map_or("", |d| d.trim_end()).into(),
            category: field(form, "category").into(),
            tags: field(form, "tags").into(),
            rules: form.get("rules").map_or("", |r| r.trim_end()).into(),
            visibility: field(form, "visibility").into(),
            join_mode: field(form, "join_mode").into(),
            member_limit: field(form, "member_limit").into(),
            posting: field(form, "posting").into(),
            errors: HashMap::new(),
        }
    }

    /// The rules typed, one per line, blank lines left out.
    fn rule_list(&self) -> Vec<String> {
        self.rules
            .lines()
            .map(str::trim)
            .filter(|r| !r.is_empty())
            .map(str::to_string)
            .collect()
    }

    /// The member limit typed: `None` for none, or an error next to it.
    fn limit(&mut self) -> Option<Option<i64>> {
        if self.member_limit.is_empty() {
            return Some(None);
        }
        match self.member_limit.parse::<i64>() {
            Ok(n) => Some(Some(n)),
            Err(_) => {
                self.errors.insert(
                    "member_limit".into(),
                    "enter a whole number, or leave it empty for no limit".into(),
                );
                None
            }
        }
    }

    /// A value typed, `None` when empty.
    fn given(value: &str) -> Option<String> {
        Some(value.to_string()).filter(|v| !v.is_empty())
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

    /// Whether `value` is chosen for the choice `field`.
    pub fn chosen(&self, field: &str, value: &str) -> bool {
        let current = match field {
            "visibility" => &self.visibility,
            "join_mode" => &self.join_mode,
            _ => &self.posting,
        };
        current == value
    }
}

/// The create form.
#[derive(Template)]
#[template(path = "app/groups/new.html")]
pub struct NewGroupPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub form: GroupForm,
    pub visibilities: [(&'static str, &'static str); 2],
    pub join_modes: [(&'static str, &'static str); 3],
    pub postings: [(&'static str, &'static str); 2],
}

fn new_page(
    s: &AppState,
    session: MemberSession,
    form: GroupForm,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        NewGroupPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            form,
            visibilities: VISIBILITIES,
            join_modes: JOIN_MODES,
            postings: POSTINGS,
        },
        status,
    )
}

/// GET /groups/new — the form that creates a group.
pub async fn new_form(
    State(s): State<AppState>,
    session: MemberSession,
) -> Result<Response, AppError> {
    new_page(&s, session, GroupForm::new_group(), StatusCode::OK)
}

/// POST /groups — creates the group (its creator is its owner), limited
/// per account as the API's create is; then to its page (303), or the
/// form again with the errors next to their fields (422; 409 for a taken
/// name).
pub async fn create(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let mut entered = GroupForm::read(&form);
    let Some(member_limit) = entered.limit() else {
        return new_page(&s, session, entered, StatusCode::UNPROCESSABLE_ENTITY);
    };
    if let Err(limited) = s.limiters.check(Action::Post, &session.me.id.to_string()) {
        entered.set_error("form".into(), limited.message);
        return new_page(&s, session, entered, limited.status);
    }
    let new = NewGroup {
        name: entered.name.clone(),
        display_name: GroupForm::given(&entered.display_name),
        description: GroupForm::given(&entered.description),
        category: GroupForm::given(&entered.category),
        tags: typed_tags(&entered.tags),
        rules: entered.rule_list(),
        visibility: GroupForm::given(&entered.visibility),
        join_mode: GroupForm::given(&entered.join_mode),
        member_limit,
        posting: GroupForm::given(&entered.posting),
        ..NewGroup::default()
    };
    match s.node.create_group(&session.viewer, new).await {
        Ok(view) => Ok(Redirect::to(&group_path(&view.name, "?done=created")).into_response()),
        Err(e @ (NodeError::Invalid { .. } | NodeError::TooLarge { .. })) => {
            let e = crate::error::ApiError::from(e);
            entered.set_error(e.field.unwrap_or_default(), e.message);
            new_page(&s, session, entered, StatusCode::UNPROCESSABLE_ENTITY)
        }
        Err(NodeError::Conflict { field, message }) => {
            entered.set_error(field, message);
            new_page(&s, session, entered, StatusCode::CONFLICT)
        }
        Err(e) => Err(e.into()),
    }
}

/// A group's settings and deletion.
#[derive(Template)]
#[template(path = "app/groups/settings.html")]
pub struct SettingsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub group: GroupItem,
    pub form: GroupForm,
    /// An error next to the deletion's confirmation.
    pub delete_error: Option<String>,
    pub visibilities: [(&'static str, &'static str); 2],
    pub join_modes: [(&'static str, &'static str); 3],
    pub postings: [(&'static str, &'static str); 2],
}

fn settings_page(
    s: &AppState,
    session: MemberSession,
    view: &GroupView,
    form: GroupForm,
    delete_error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let group = GroupItem::of(view, &session);
    if !group.moderates && !group.can_delete {
        return Err(AppError::Page(
            StatusCode::FORBIDDEN,
            "Only the group's owner and moderators can change its settings.".into(),
        ));
    }
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        SettingsPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            group,
            form,
            delete_error,
            visibilities: VISIBILITIES,
            join_modes: JOIN_MODES,
            postings: POSTINGS,
        },
        status,
    )
}

/// GET /g/{name}/settings — the settings form (the group's owner and
/// moderators) and the delete form (its owner, or an admin).
pub async fn page(
    State(s): State<AppState>,
    Path(name): Path<String>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let view = s.node.group(&session.viewer, &name)?;
    let form = GroupForm::of(&view);
    settings_page(&s, session, &view, form, None, StatusCode::OK)
}

/// POST /g/{name}/settings — saves every field through the node's
/// `update_group`; back to the group's page with a notice (303), or the
/// form again with the error next to its field (422).
pub async fn save(
    State(s): State<AppState>,
    Path(name): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let mut entered = GroupForm::read(&form);
    let Some(member_limit) = entered.limit() else {
        return settings_again(&s, session, &name, entered);
    };
    let update = GroupUpdate {
        display_name: Some(entered.display_name.clone()),
        description: Some(entered.description.clone()),
        category: Some(entered.category.clone()),
        tags: Some(typed_tags(&entered.tags)),
        rules: Some(entered.rule_list()),
        visibility: GroupForm::given(&entered.visibility),
        join_mode: GroupForm::given(&entered.join_mode),
        member_limit: Some(member_limit),
        posting: GroupForm::given(&entered.posting),
        ..GroupUpdate::default()
    };
    match s.node.update_group(&session.viewer, &name, update).await {
        Ok(view) => Ok(Redirect::to(&group_path(&view.name, "?done=saved")).into_response()),
        Err(e @ (NodeError::Invalid { .. } | NodeError::TooLarge { .. })) => {
            let e = crate::error::ApiError::from(e);
            entered.set_error(e.field.unwrap_or_default(), e.message);
            settings_again(&s, session, &name, entered)
        }
        Err(e) => Err(e.into()),
    }
}

/// The settings form again with what was typed and its errors (422).
fn settings_again(
    s: &AppState,
    session: MemberSession,
    name: &str,
    mut entered: GroupForm,
) -> Result<Response, AppError> {
    let view = s.node.group(&session.viewer, name)?;
    entered.name = view.name.clone();
    settings_page(
        s,
        session,
        &view,
        entered,
        None,
        StatusCode::UNPROCESSABLE_ENTITY,
    )
}

/// POST /g/{name}/delete — deletes the group (its owner, or an admin)
/// once its confirmation box is ticked; then to the directory (303), or
/// the settings again with the error next to the box (422).
pub async fn delete(
    State(s): State<AppState>,
    Path(name): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    if field(&form, "confirm").is_empty() {
        let view = s.node.group(&session.viewer, &name)?;
        let entered = GroupForm::of(&view);
        return settings_page(
            &s,
            session,
            &view,
            entered,
            Some("tick the box to confirm that the group is to be deleted".into()),
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    }
    s.node.delete_group(&session.viewer, &name).await?;
    Ok(Redirect::to("/groups?done=deleted").into_response())
}
