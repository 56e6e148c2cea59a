//! Courses in the members' app: the catalogue (`/courses`, with filters,
//! the member's own courses and those they teach), a course's page
//! (`/courses/{id}`: syllabus, instructors, prerequisites met or not,
//! enrol and leave, progress and where to resume; for its instructors
//! the enrolments with approvals and invitations), and what the course
//! pages show of one course ([`CourseItem`]). Lessons and assessments are
//! in `course_study.rs`, the editor in `courses_editor.rs`, the review
//! queue in `course_reviews.rs`.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::courses::{
    Course, CourseLevel, CourseQuery, CourseStatus, CourseView, EnrolmentMode, EnrolmentState,
    MissingPrerequisite, Prerequisite,
};
use node::Id;
use serde::Deserialize;

use super::learner::{Studier, StudyForm};
use super::{field, render_with_status, AppError, AppForm, Me};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// The levels, as the filters and forms offer them.
pub const LEVELS: [(&str, &str); 3] = [
    ("beginner", "Beginner"),
    ("intermediate", "Intermediate"),
    ("advanced", "Advanced"),
];

/// What a `?done=` code says on the course pages. Codes, not free text,
/// so that a link cannot make a page show someone else's words.
pub(super) fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "created" => "The course is created as a draft: add modules and lessons, then publish it.",
        "saved" => "The course is saved.",
        "published" => "The course is published: members can find it and enrol.",
        "module" => "The module is added.",
        "lesson" => "The lesson is added.",
        "assessment" => "The assessment is added.",
        "removed" => "Removed.",
        "enrolled" => "You are enrolled: start with the first lesson.",
        "pending" => "Your enrolment waits for an instructor's approval.",
        "left" => "You left the course.",
        "approved" => "The enrolment is approved.",
        "rejected" => "The enrolment is rejected.",
        "invited" => "The member is invited.",
        "done" => "Lesson marked done.",
        "undone" => "Lesson marked not done.",
        "submitted" => "Your answers are in: the result is below.",
        "reviewed" => "The attempt is graded; its member is told.",
        "rated" => "Thank you for rating the course.",
        _ => return None,
    })
}

/// A course id from a path (404 when it is no id).
pub(super) fn path_id(raw: &str, what: &str) -> Result<Id, AppError> {
    raw.parse()
        .map_err(|_| AppError::Page(StatusCode::NOT_FOUND, format!("No such {what}.")))
}

/// A level in words.
pub(super) fn level_word(level: CourseLevel) -> &'static str {
    match level {
        CourseLevel::Beginner => "Beginner",
        CourseLevel::Intermediate => "Intermediate",
        CourseLevel::Advanced => "Advanced",
    }
}

/// A level's name as forms send it.
pub(super) fn level_name(level: CourseLevel) -> &'static str {
    match level {
        CourseLevel::Beginner => "beginner",
        CourseLevel::Intermediate => "intermediate",
        CourseLevel::Advanced => "advanced",
    }
}

/// An enrolment mode's name as forms send it.
pub(super) fn mode_name(mode: EnrolmentMode) -> &'static str {
    match mode {
        EnrolmentMode::Open => "open",
        EnrolmentMode::Approval => "approval",
        EnrolmentMode::Invite => "invite",
    }
}

/// A status's name.
fn status_name(status: CourseStatus) -> &'static str {
    match status {
        CourseStatus::Draft => "draft",
        CourseStatus::Published => "published",
        CourseStatus::Archived => "archived",
    }
}

/// Where an enrolment stands, in words.
fn state_text(state: EnrolmentState) -> &'static str {
    match state {
        EnrolmentState::Pending => "waiting for approval",
        EnrolmentState::Invited => "invited",
        EnrolmentState::Enrolled => "enrolled",
        EnrolmentState::Completed => "completed",
    }
}

/// Minutes as "1 h 30 min".
pub(super) fn minutes_text(minutes: u64) -> String {
    match (minutes / 60, minutes % 60) {
        (0, m) => format!("{m} min"),
        (h, 0) => format!("{h} h"),
        (h, m) => format!("{h} h {m} min"),
    }
}

/// A course as a list shows it.
#[derive(Debug, Clone)]
pub struct CourseItem {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Level, in words.
    pub level: &'static str,
    /// Category slug.
    pub category: Option<String>,
    /// Tags.
    pub tags: Vec<String>,
    /// `draft`, `published` or `archived`.
    pub status: &'static str,
    /// How long it takes, in words, when known.
    pub duration: Option<String>,
    /// Whether it ends with a certificate.
    pub certificate: bool,
}

impl CourseItem {
    /// The item of `c`.
    pub fn of(c: &Course) -> Self {
        CourseItem {
            id: c.id.to_string(),
            title: c.title.clone(),
            level: level_word(c.level),
            category: c.category.clone(),
            tags: c.tags.clone(),
            status: status_name(c.status),
            duration: c
                .duration_minutes
                .map(|m| minutes_text(u64::from(m)))
                .or_else(|| c.duration_text.clone()),
            certificate: c.certificate,
        }
    }
}

/// A course of the member's, with where they stand.
pub struct MyItem {
    /// The course.
    pub course: CourseItem,
    /// Their enrolment, in words.
    pub state: &'static str,
    /// Lessons done, percent.
    pub percent: u32,
}

/// The catalogue's query.
#[derive(Debug, Default, Deserialize)]
pub struct CatalogueQuery {
    q: Option<String>,
    level: Option<String>,
    category: Option<String>,
}

/// The catalogue.
#[derive(Template)]
#[template(path = "app/courses/list.html")]
pub struct CataloguePage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub q: String,
    pub level: String,
    pub category: String,
    pub levels: [(&'static str, &'static str); 3],
    pub items: Vec<CourseItem>,
    pub mine: Vec<MyItem>,
    pub teaching: Vec<CourseItem>,
    /// A filter the node refused (an unknown level).
    pub error: Option<String>,
    /// Recommended for the member, with why (`discover.rs`).
    pub recs: Vec<super::discover::RecItem>,
}

/// GET /courses?q=&level=&category= — the catalogue with its filters,
/// the member's courses with their progress, and those they teach.
pub async fn list(
    State(s): State<AppState>,
    session: Studier,
    Query(q): Query<CatalogueQuery>,
) -> Result<Response, AppError> {
    let (q_text, level, category) = (
        q.q.unwrap_or_default(),
        q.level.unwrap_or_default(),
        q.category.unwrap_or_default(),
    );
    let mut error = None;
    let level_filter = if level.trim().is_empty() {
        None
    } else {
        match crate::routes::courses::level_of(&level) {
            Ok(l) => Some(l),
            Err(e) => {
                error = Some(crate::admin::error_text(e).1);
                None
            }
        }
    };
    let items = s
        .node
        .courses(&CourseQuery {
            q: Some(q_text.clone()).filter(|q| !q.trim().is_empty()),
            level: level_filter,
            category: Some(category.trim().to_string()).filter(|c| !c.is_empty()),
            limit: Some(100),
        })?
        .iter()
        .map(CourseItem::of)
        .collect();
    let mine = s
        .node
        .my_courses(&session.viewer)?
        .into_iter()
        .map(|m| MyItem {
            course: CourseItem::of(&m.course),
            state: state_text(m.state),
            percent: m.percent,
        })
        .collect();
    let teaching = s
        .node
        .courses_taught(&session.viewer, session.me.id)?
        .iter()
        .map(CourseItem::of)
        .collect();
    let recs = super::discover::recommended(
        &s,
        &session.viewer,
        node::ranking::RecommendationKind::Courses,
        5,
    );
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    let status = if error.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    render_with_status(
        CataloguePage {
            recs,
            domain,
            members,
            posts,
            me: Some(session.me),
            q: q_text,
            level,
            category,
            levels: LEVELS,
            items,
            mine,
            teaching,
            error,
        },
        status,
    )
}

/// A prerequisite as the course page shows it.
pub struct PrerequisiteItem {
    /// Its title (or URL).
    pub title: String,
    /// A link to it.
    pub href: String,
    /// Whether the viewer completed it.
    pub met: bool,
}

/// A lesson or an assessment in the syllabus.
pub struct SyllabusEntry {
    /// Its page.
    pub href: String,
    /// Title.
    pub title: String,
    /// "10 min", "4 questions".
    pub detail: String,
    /// Whether the viewer marked it done (lessons).
    pub done: bool,
}

/// A module in the syllabus.
pub struct SyllabusModule {
    /// Title.
    pub title: String,
    /// Lessons done, percent, for an enrolled viewer.
    pub percent: Option<u32>,
    /// Its lessons.
    pub lessons: Vec<SyllabusEntry>,
    /// Its assessments.
    pub assessments: Vec<SyllabusEntry>,
}

/// An enrolment as the instructors' list shows it.
pub struct EnrolmentItem {
    /// Username.
    pub username: String,
    /// Where it stands, in words.
    pub state: &'static str,
    /// Whether it waits for approval.
    pub pending: bool,
    /// Lessons done, percent.
    pub percent: u32,
}

/// A course's page.
#[derive(Template)]
#[template(path = "app/courses/course.html")]
pub struct CoursePage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub course: CourseItem,
    pub description_html: String,
    pub instructors: Vec<String>,
    pub group: Option<String>,
    pub prerequisites: Vec<PrerequisiteItem>,
    pub modules: Vec<SyllabusModule>,
    pub lessons_total: i64,
    pub minutes: String,
    pub enrolment_text: String,
    pub seats_text: String,
    pub rating_text: Option<String>,
    /// The viewer's enrolment, in words.
    pub my_state: Option<&'static str>,
    /// Whether the viewer may enrol now (published, not enrolled, every
    /// prerequisite met).
    pub can_enrol: bool,
    /// Whether the viewer may study (holds a seat).
    pub studying: bool,
    /// Whether they completed it and may rate it.
    pub can_rate: bool,
    /// Their rating.
    pub my_rating: Option<u8>,
    /// Lessons done, percent.
    pub percent: u32,
    /// The next lesson not done.
    pub resume: Option<(String, String)>,
    /// Whether the viewer teaches it.
    pub instructs: bool,
    /// For instructors: attempts waiting for review.
    pub reviews_waiting: i64,
    /// For instructors: the enrolments.
    pub enrolments: Vec<EnrolmentItem>,
    pub notice: Option<&'static str>,
    /// Errors next to the page's forms (`enrol`, `invite`, `rate`).
    pub errors: HashMap<String, String>,
}

impl CoursePage {
    /// The error of a form, if any.
    pub fn error(&self, form: &str) -> Option<&str> {
        self.errors.get(form).map(String::as_str)
    }
}

/// The query of the course pages: what was just done.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    /// A notice code.
    pub done: Option<String>,
}

/// Renders course `id`'s page for `session` with `errors` next to their
/// forms.
fn course_page(
    s: &AppState,
    session: Studier,
    id: Id,
    done: Option<&str>,
    errors: HashMap<String, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let view: CourseView = s.node.course(&session.viewer, id)?;
    let me = view.viewer.as_ref();
    let state = me.and_then(|v| v.state);
    let studying = state.is_some_and(EnrolmentState::holds_seat);
    let instructs = me.is_some_and(|v| v.instructs);
    let missing: &[MissingPrerequisite] = me.map_or(&[], |v| v.missing_prerequisites.as_slice());
    let progress = if studying {
        s.node.course_progress(&session.viewer, id).ok()
    } else {
        None
    };
    let prerequisites = view
        .course
        .prerequisites
        .iter()
        .map(|p| match p {
            Prerequisite::Course { id: pid } => {
                let gone = missing
                    .iter()
                    .any(|m| matches!(m, MissingPrerequisite::Course { id, .. } if id == pid));
                let title = s
                    .node
                    .course(&session.viewer, *pid)
                    .map(|c| c.course.title)
                    .unwrap_or_else(|_| pid.to_string());
                PrerequisiteItem {
                    title,
                    href: format!("/courses/{pid}"),
                    met: !gone,
                }
            }
            Prerequisite::Remote { url } => PrerequisiteItem {
                title: url.clone(),
                href: url.clone(),
                met: !missing
                    .iter()
                    .any(|m| matches!(m, MissingPrerequisite::Remote { url: u } if u == url)),
            },
        })
        .collect::<Vec<_>>();
    let modules = view
        .outline
        .iter()
        .map(|m| {
            let module = progress
                .as_ref()
                .and_then(|p| p.modules.iter().find(|pm| pm.id == m.id));
            // Which lessons are done: every one or none as the module's
            // counters say; one by one only in a module partly done.
            let done = |l: Id| match module {
                None => false,
                Some(pm) if pm.done == 0 => false,
                Some(pm) if pm.done >= pm.total => true,
                Some(_) => s.node.lesson(&session.viewer, l).is_ok_and(|v| v.done),
            };
            SyllabusModule {
                title: m.title.clone(),
                percent: module.map(|pm| pm.percent),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| SyllabusEntry {
                        href: format!("/lessons/{}", l.id),
                        title: l.title.clone(),
                        detail: minutes_text(u64::from(l.minutes)),
                        done: done(l.id),
                    })
                    .collect(),
                assessments: m
                    .assessments
                    .iter()
                    .map(|a| SyllabusEntry {
                        href: format!("/assessments/{}", a.id),
                        title: a.title.clone(),
                        detail: format!(
                            "{} question{}{}",
                            a.questions,
                            if a.questions == 1 { "" } else { "s" },
                            if a.required { ", required" } else { "" }
                        ),
                        done: false,
                    })
                    .collect(),
            }
        })
        .collect();
    let enrolments = if instructs {
        s.node
            .course_enrolments(&session.viewer, id)?
            .into_iter()
            .map(|r| EnrolmentItem {
                username: r.member.username.clone(),
                state: state_text(r.state),
                pending: r.state == EnrolmentState::Pending,
                percent: r.percent,
            })
            .collect()
    } else {
        Vec::new()
    };
    let c = &view.course;
    let enrolment_text = match (c.enrolment, &c.price) {
        (_, Some(p)) => format!(
            "Price {} {} (paid outside the node): an instructor approves each enrolment",
            p.amount, p.currency
        ),
        (EnrolmentMode::Open, None) => "Open: enrolling takes a seat".into(),
        (EnrolmentMode::Approval, None) => "An instructor approves each enrolment".into(),
        (EnrolmentMode::Invite, None) => "By invitation of an instructor".into(),
    };
    let seats_text = match view.seats_left {
        Some(left) => format!(
            "{left} of {} seats left · {} enrolled",
            c.capacity.unwrap_or(0),
            view.enrolled_count
        ),
        None => format!("{} enrolled", view.enrolled_count),
    };
    let can_enrol = c.status == CourseStatus::Published
        && missing.is_empty()
        && matches!(state, None | Some(EnrolmentState::Invited));
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        CoursePage {
            domain,
            members,
            posts,
            course: CourseItem::of(c),
            description_html: c.description_html.clone(),
            instructors: view
                .instructors
                .iter()
                .map(|m| m.username.clone())
                .collect(),
            group: view.group.as_ref().map(|g| g.username.clone()),
            prerequisites,
            modules,
            lessons_total: view.lessons_total,
            minutes: minutes_text(view.lesson_minutes),
            enrolment_text,
            seats_text,
            rating_text: view.rating_average.map(|avg| {
                format!(
                    "Rated {avg:.1} of 5 by {} member{}",
                    view.rating_count,
                    if view.rating_count == 1 { "" } else { "s" }
                )
            }),
            my_state: state.map(state_text),
            can_enrol,
            studying,
            can_rate: state == Some(EnrolmentState::Completed)
                && me.is_some_and(|v| v.rating.is_none()),
            my_rating: me.and_then(|v| v.rating),
            percent: progress.as_ref().map_or(0, |p| p.percent),
            resume: progress
                .as_ref()
                .and_then(|p| p.resume.as_ref())
                .map(|r| (format!("/lessons/{}", r.lesson), r.title.clone())),
            instructs,
            reviews_waiting: me.and_then(|v| v.reviews_waiting).unwrap_or(0),
            enrolments,
            notice: done.and_then(notice),
            errors,
            me: Some(session.me),
        },
        status,
    )
}

/// GET /courses/{id} — the course: about, instructors, prerequisites
/// (met or not), syllabus with progress, enrol or leave, resume; for
/// its instructors the editor, review queue and enrolments links.
pub async fn page(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: Studier,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    course_page(
        &s,
        session,
        id,
        q.done.as_deref(),
        HashMap::new(),
        StatusCode::OK,
    )
}

/// Shows the course page again with `e` next to `form` when it is a
/// refusal of the node a member can act on (409, 422), else the error
/// page.
fn refused(
    s: &AppState,
    session: Studier,
    id: Id,
    form: &str,
    e: node::NodeError,
) -> Result<Response, AppError> {
    let (status, message) = crate::admin::error_text(e);
    if status == StatusCode::CONFLICT || status == StatusCode::UNPROCESSABLE_ENTITY {
        let errors = HashMap::from([(form.to_string(), message)]);
        course_page(s, session, id, None, errors, status)
    } else {
        Err(AppError::Page(status, message))
    }
}

/// POST /courses/{id}/enrol — enrols the member (or the learner of
/// another server, under the same rules); back to the course with where
/// the enrolment stands; a refusal (full, closed, prerequisites missing)
/// next to the button.
pub async fn enrol(
    State(s): State<AppState>,
    Path(id): Path<String>,
    StudyForm { session, .. }: StudyForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    match s.node.enrol_in_course(&session.viewer, id).await {
        Ok(outcome) => {
            let done = if outcome.state == EnrolmentState::Pending {
                "pending"
            } else {
                "enrolled"
            };
            Ok(Redirect::to(&format!("/courses/{id}?done={done}")).into_response())
        }
        Err(e) => refused(&s, session, id, "enrol", e),
    }
}

/// POST /courses/{id}/leave — the member leaves the course.
pub async fn leave(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    s.node.leave_course(&session.viewer, id).await?;
    Ok(Redirect::to(&format!("/courses/{id}?done=left")).into_response())
}

/// POST /courses/{id}/rate — the member's stars (`rating`, 1–5), once,
/// after completing the course.
pub async fn rate(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let Ok(stars) = field(&form, "rating").parse::<u8>() else {
        let errors = HashMap::from([("rate".to_string(), "Choose 1 to 5 stars.".to_string())]);
        return course_page(
            &s,
            session.into(),
            id,
            None,
            errors,
            StatusCode::UNPROCESSABLE_ENTITY,
        );
    };
    match s.node.rate_course(&session.viewer, id, stars).await {
        Ok(()) => Ok(Redirect::to(&format!("/courses/{id}?done=rated")).into_response()),
        Err(e) => refused(&s, session.into(), id, "rate", e),
    }
}

/// POST /courses/{id}/invite — an instructor invites `username`.
pub async fn invite(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let name = field(&form, "username").trim_start_matches('@').to_string();
    match s.node.invite_to_course(&session.viewer, id, &name).await {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}?done=invited")).into_response()),
        Err(node::NodeError::NotFound(_)) => {
            let errors = HashMap::from([(
                "invite".to_string(),
                format!("There is no member @{name} here."),
            )]);
            course_page(&s, session.into(), id, None, errors, StatusCode::NOT_FOUND)
        }
        Err(e) => refused(&s, session.into(), id, "invite", e),
    }
}

/// POST /courses/{id}/enrolments/{user}/approve|reject — an instructor
/// answers an enrolment waiting for approval.
pub async fn enrolment_action(
    State(s): State<AppState>,
    Path((id, user, action)): Path<(String, String, String)>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let member = crate::routes::courses::member_id(&s.node, &user)?;
    let done = match action.as_str() {
        "approve" => {
            s.node
                .approve_enrolment(&session.viewer, id, member)
                .await?;
            "approved"
        }
        "reject" => {
            s.node.reject_enrolment(&session.viewer, id, member).await?;
            "rejected"
        }
        _ => {
            return Err(AppError::Page(
                StatusCode::NOT_FOUND,
                "No such action.".into(),
            ))
        }
    };
    Ok(Redirect::to(&format!("/courses/{id}?done={done}")).into_response())
}
