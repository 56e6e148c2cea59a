//! Learning paths in the members' app: `/paths` (the goal form, the
//! planned steps with their reasons and a save button, the member's saved
//! paths with progress bars), `/paths/{id}` (a saved path, each step's
//! state) and its delete form. Planning is a GET (nothing is written);
//! saving and deleting are forms with the session's form token.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::courses::{CourseQuery, CourseStatus, EnrolmentState};
use node::learning_paths::{
    LearningGoal, LearningPlan, SavedPathView, StepCourse, StepKind, StepState,
};
use node::NodeError;
use serde::Deserialize;

use super::courses::{level_word, minutes_text, path_id};
use super::{field, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// What a `?done=` code says on the paths pages.
fn notice(code: &str) -> Option<&'static str> {
    Some(match code {
        "saved" => "The path is saved: your progress along it shows here.",
        "deleted" => "The path is deleted.",
        _ => return None,
    })
}

/// A step's course as the pages show it.
pub struct StepItem {
    /// Its place.
    pub position: u32,
    /// Its title.
    pub title: String,
    /// A link to it (its page here, or its URL elsewhere).
    pub href: String,
    /// Whether it is another server's.
    pub remote: bool,
    /// Level and length in words ("Beginner · 2 h"), when known.
    pub detail: String,
    /// Why it is there.
    pub reason: String,
    /// The member's enrolment or progress, in words.
    pub state: String,
    /// Lessons done, percent (saved paths).
    pub percent: Option<u32>,
}

/// The link, level and length of `course`.
fn course_parts(course: &StepCourse) -> (String, bool, String) {
    let remote = course.kind == StepKind::Remote;
    let href = match (&course.id, &course.url) {
        (Some(id), _) if !remote => format!("/courses/{id}"),
        (_, Some(url)) => url.clone(),
        _ => String::new(),
    };
    let mut detail: Vec<String> = Vec::new();
    if remote {
        detail.push("on another server".into());
    }
    if let Some(level) = course.level {
        detail.push(level_word(level).into());
    }
    if let Some(m) = course.minutes.filter(|m| *m > 0) {
        detail.push(minutes_text(u64::from(m)));
    }
    if course.status == Some(CourseStatus::Archived) {
        detail.push("archived: no new enrolments".into());
    }
    (href, remote, detail.join(" · "))
}

/// An enrolment in words.
fn enrolment_text(state: Option<EnrolmentState>) -> String {
    match state {
        Some(EnrolmentState::Enrolled) => "enrolled".into(),
        Some(EnrolmentState::Pending) => "enrolment waiting for approval".into(),
        Some(EnrolmentState::Invited) => "invited".into(),
        Some(EnrolmentState::Completed) => "completed".into(),
        None => String::new(),
    }
}

/// A saved path as a list shows it.
pub struct SavedItem {
    /// Its id.
    pub id: String,
    /// Its name.
    pub title: String,
    /// Steps done of steps.
    pub done: u32,
    /// Steps in it.
    pub total: u32,
    /// Percent done.
    pub percent: u32,
}

impl SavedItem {
    fn of(v: &SavedPathView) -> Self {
        SavedItem {
            id: v.id.to_string(),
            title: v.title.clone(),
            done: v.steps_done,
            total: v.steps_total,
            percent: v.percent,
        }
    }
}

/// A planned path, as the page shows it.
pub struct PlanItem {
    /// The steps.
    pub steps: Vec<StepItem>,
    /// The courses left out, with why ("Rust I: you completed it").
    pub skipped: Vec<String>,
    /// The goal skills the member has, with where from.
    pub had: Vec<String>,
    /// Goal skills no course teaches.
    pub uncovered: Vec<String>,
    /// The length of the local steps, in words.
    pub total: String,
}

impl PlanItem {
    fn of(plan: &LearningPlan) -> Self {
        PlanItem {
            steps: plan
                .steps
                .iter()
                .map(|s| {
                    let (href, remote, detail) = course_parts(&s.course);
                    StepItem {
                        position: s.position,
                        title: s.course.title.clone(),
                        href,
                        remote,
                        detail,
                        reason: s.reason.clone(),
                        state: enrolment_text(s.enrolment),
                        percent: None,
                    }
                })
                .collect(),
            skipped: plan
                .skipped
                .iter()
                .map(|s| format!("{}: {}", s.course.title, s.reason))
                .collect(),
            had: plan
                .had_skills
                .iter()
                .map(|h| {
                    let from = match &h.from {
                        node::learning_paths::SkillSource::Profile => "your profile".to_string(),
                        node::learning_paths::SkillSource::Course { title, .. } => {
                            format!("the course {title}")
                        }
                        node::learning_paths::SkillSource::Certificate { url } => {
                            format!("your certificate of {url}")
                        }
                    };
                    format!("{} (from {from})", h.skill)
                })
                .collect(),
            uncovered: plan.uncovered_skills.clone(),
            total: minutes_text(plan.total_minutes),
        }
    }
}

/// The paths page.
#[derive(Template)]
#[template(path = "app/paths/list.html")]
pub struct PathsPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The skills as typed.
    pub goal_skills: String,
    /// The chosen course's id, or "".
    pub goal_course: String,
    /// The courses to choose from: (id, title).
    pub courses: Vec<(String, String)>,
    /// The plan asked for, if any.
    pub plan: Option<PlanItem>,
    /// The member's saved paths.
    pub saved: Vec<SavedItem>,
    pub notice: Option<&'static str>,
    /// Errors by field (`goal_skills`, `goal_course`, `save`).
    pub errors: HashMap<String, String>,
}

impl PathsPage {
    /// The error of a field, if any.
    pub fn error(&self, field: &str) -> Option<&str> {
        self.errors.get(field).map(String::as_str)
    }
}

/// The goal form's fields (the query of `/paths`, the body of a save).
#[derive(Debug, Default, Deserialize)]
pub struct GoalQuery {
    /// Skills, separated by commas.
    goal_skills: Option<String>,
    /// A course id, or "".
    goal_course: Option<String>,
    /// A notice code.
    done: Option<String>,
}

/// The goal of the form's fields: skills split at commas.
fn goal_of(skills: &str, course: &str) -> LearningGoal {
    LearningGoal {
        goal_skills: skills
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(str::to_string)
            .collect(),
        goal_course: Some(course.trim().to_string()).filter(|c| !c.is_empty()),
    }
}

/// The field errors of a refusal the member can act on (422, 409), or the
/// error page.
fn field_error(e: NodeError) -> Result<(StatusCode, HashMap<String, String>), AppError> {
    let field = match &e {
        NodeError::Invalid { field, .. } | NodeError::Conflict { field, .. } => field.clone(),
        _ => String::new(),
    };
    let (status, message) = crate::admin::error_text(e);
    if field.is_empty() {
        return Err(AppError::Page(status, message));
    }
    Ok((status, HashMap::from([(field, message)])))
}

/// Renders `/paths` with the form as typed, the plan, the saved paths.
fn paths_page(
    s: &AppState,
    session: MemberSession,
    (goal_skills, goal_course): (String, String),
    plan: Option<PlanItem>,
    done: Option<&str>,
    errors: HashMap<String, String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let mut courses: Vec<(String, String)> = s
        .node
        .courses(&CourseQuery {
            limit: Some(100),
            ..CourseQuery::default()
        })?
        .into_iter()
        .filter(|c| c.status == CourseStatus::Published)
        .map(|c| (c.id.to_string(), c.title))
        .collect();
    // A goal course older than the list (linked from its page) stays
    // chosen.
    if let Ok(id) = goal_course.trim().parse::<node::Id>() {
        if !courses.iter().any(|(c, _)| *c == goal_course.trim()) {
            if let Ok(view) = s.node.course(&session.viewer, id) {
                courses.insert(0, (id.to_string(), view.course.title));
            }
        }
    }
    let saved = s
        .node
        .learning_paths(&session.viewer)?
        .iter()
        .map(SavedItem::of)
        .collect();
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        PathsPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            goal_skills,
            goal_course,
            courses,
            plan,
            saved,
            notice: done.and_then(notice),
            errors,
        },
        status,
    )
}

/// GET /paths?goal_skills=&goal_course= — the goal form; with a goal, the
/// planned steps with their reasons and a save button; the member's saved
/// paths with their progress.
pub async fn page(
    State(s): State<AppState>,
    session: MemberSession,
    Query(q): Query<GoalQuery>,
) -> Result<Response, AppError> {
    let skills = q.goal_skills.unwrap_or_default();
    let course = q.goal_course.unwrap_or_default();
    let asked = !skills.trim().is_empty() || !course.trim().is_empty();
    let (plan, errors, status) = if asked {
        match s
            .node
            .plan_learning_path(&session.viewer, &goal_of(&skills, &course))
        {
            Ok(plan) => (Some(PlanItem::of(&plan)), HashMap::new(), StatusCode::OK),
            Err(e) => {
                let (status, errors) = field_error(e)?;
                (None, errors, status)
            }
        }
    } else {
        (None, HashMap::new(), StatusCode::OK)
    };
    paths_page(
        &s,
        session,
        (skills, course),
        plan,
        q.done.as_deref(),
        errors,
        status,
    )
}

/// POST /paths — saves the path to the goal of the form; to the saved
/// path, or back to the form with the refusal next to its field.
pub async fn save(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let skills = field(&form, "goal_skills").to_string();
    let course = field(&form, "goal_course").to_string();
    match s
        .node
        .save_learning_path(&session.viewer, &goal_of(&skills, &course))
        .await
    {
        Ok(plan) => {
            let id = plan.id.map(|i| i.to_string()).unwrap_or_default();
            Ok(Redirect::to(&format!("/paths/{id}?done=saved")).into_response())
        }
        Err(e) => {
            let (status, errors) = field_error(e)?;
            paths_page(&s, session, (skills, course), None, None, errors, status)
        }
    }
}

/// A saved path's page.
#[derive(Template)]
#[template(path = "app/paths/path.html")]
pub struct PathPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub id: String,
    pub title: String,
    pub steps: Vec<StepItem>,
    pub done: u32,
    pub total: u32,
    pub percent: u32,
    pub minutes: String,
    pub uncovered: Vec<String>,
    pub notice: Option<&'static str>,
}

/// The query of a path's page.
#[derive(Debug, Default, Deserialize)]
pub struct DoneQuery {
    done: Option<String>,
}

/// GET /paths/{id} — one of the member's saved paths: each step with its
/// state and progress, the path's progress, a delete form.
pub async fn path(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "path")?;
    let view = s.node.learning_path(&session.viewer, id)?;
    let steps = view
        .steps
        .iter()
        .map(|st| {
            let (href, remote, detail) = course_parts(&st.course);
            let state = match st.state {
                StepState::Done => "done".to_string(),
                StepState::InProgress => format!("in progress, {}% of lessons done", st.percent),
                StepState::NotStarted => match enrolment_text(st.enrolment) {
                    e if e.is_empty() => "not started".to_string(),
                    e => format!("not started ({e})"),
                },
            };
            StepItem {
                position: st.position,
                title: st.course.title.clone(),
                href,
                remote,
                detail,
                reason: st.reason.clone(),
                state,
                percent: Some(st.percent),
            }
        })
        .collect();
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render_with_status(
        PathPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            id: view.id.to_string(),
            title: view.title.clone(),
            steps,
            done: view.steps_done,
            total: view.steps_total,
            percent: view.percent,
            minutes: minutes_text(view.total_minutes),
            uncovered: view.uncovered_skills.clone(),
            notice: q.done.as_deref().and_then(notice),
        },
        StatusCode::OK,
    )
}

/// POST /paths/{id}/delete — deletes one of the member's saved paths.
pub async fn delete(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "path")?;
    s.node.delete_learning_path(&session.viewer, id).await?;
    Ok(Redirect::to("/paths?done=deleted").into_response())
}
