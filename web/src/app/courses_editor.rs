//! The instructors' course editor: `/courses/new` and `/courses/{id}/edit`
//! (the course's fields), with on the edit page the syllabus and its
//! forms: add a module, add a lesson to a module, add an assessment with
//! up to [`QUESTION_SLOTS`] questions, publish. Each form is one node
//! call ([`node::Node::create_course`], `update_course`, `add_module`,
//! `add_lesson`, `add_assessment`, `publish_course`), whose checks and
//! errors are the API's; an error shows on its form with what was typed
//! kept.

use std::collections::HashMap;

use askama::Template;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use node::courses::{
    AssessmentInput, CourseUpdate, CourseView, DurationInput, LessonInput, NewCourse, QuestionInput,
};
use node::{Id, NodeError};
use serde_json::Value;

use super::courses::{level_name, minutes_text, mode_name, notice, path_id, DoneQuery, LEVELS};
use super::{field, render_with_status, AppError, AppForm, Me, MemberSession};
use crate::public_pages::{site, Site};
use crate::rate_limit::Action;
use crate::state::AppState;

/// Question slots the assessment form offers.
pub const QUESTION_SLOTS: usize = 4;

/// How one enrols, as the form offers it.
pub const MODES: [(&str, &str); 3] = [
    ("open", "Open: enrolling takes a seat"),
    (
        "approval",
        "Approval: an instructor approves each enrolment",
    ),
    ("invite", "Invitation only: instructors invite members"),
];

/// Question kinds, as the form offers them.
pub const KINDS: [(&str, &str); 6] = [
    ("single", "One right choice"),
    ("multiple", "Several right choices"),
    ("short", "Short answer"),
    ("numeric", "A number"),
    ("text", "Free text (reviewed)"),
    ("code", "Code (reviewed)"),
];

/// The node's names of the course fields the form shows an error next to.
const SHOWN_FIELDS: [&str; 9] = [
    "title",
    "description",
    "level",
    "duration",
    "category",
    "tags",
    "prerequisites",
    "enrolment",
    "capacity",
];

/// The editor (new course, or a course with its syllabus).
#[derive(Template)]
#[template(path = "app/courses/editor.html")]
pub struct EditorPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// The course, when editing one.
    pub editing: Option<String>,
    pub draft: bool,
    /// The fields' values: typed, or the course's.
    pub values: HashMap<String, String>,
    /// Errors by form (`course`, `module`, `lesson-{m}`,
    /// `assessment-{m}`) or by course field.
    pub errors: HashMap<String, String>,
    /// The form the typed values are for.
    pub active: String,
    /// The syllabus.
    pub modules: Vec<ModuleForms>,
    pub levels: [(&'static str, &'static str); 3],
    pub modes: [(&'static str, &'static str); 3],
    pub kinds: [(&'static str, &'static str); 6],
    pub slots: Vec<usize>,
    pub notice: Option<&'static str>,
}

/// A module on the editor, with the keys of its forms.
pub struct ModuleForms {
    /// Its id.
    pub id: String,
    /// Title.
    pub title: String,
    /// Its lessons: (id, in words).
    pub lessons: Vec<(String, String)>,
    /// Its assessments: (id, in words).
    pub assessments: Vec<(String, String)>,
    /// The key of its lesson form (`lesson-{id}`).
    pub lesson_key: String,
    /// The key of its assessment form (`assessment-{id}`).
    pub assessment_key: String,
}

impl EditorPage {
    /// The value of question slot `k`'s field `name` in form `form`.
    pub fn slot(&self, form: &str, name: &str, k: &usize) -> &str {
        self.value(form, &format!("{name}{k}"))
    }

    /// Whether `value` is chosen for slot `k`'s `name` in form `form`.
    pub fn slot_chosen(&self, form: &str, name: &str, k: &usize, value: &str) -> bool {
        self.slot(form, name, k) == value
    }

    /// The error of a field or form, if any.
    pub fn error(&self, key: &str) -> Option<&str> {
        self.errors.get(key).map(String::as_str)
    }

    /// The value of `name` in form `form`: typed if that form was just
    /// sent, else "" (the course form: the course's).
    pub fn value(&self, form: &str, name: &str) -> &str {
        if self.active == form || form == "course" {
            self.values.get(name).map_or("", String::as_str)
        } else {
            ""
        }
    }

    /// Whether `value` is chosen for `name` in form `form`.
    pub fn chosen(&self, form: &str, name: &str, value: &str) -> bool {
        self.value(form, name) == value
    }

    /// Where the course form goes: the create route, or the course's edit route.
    pub fn action(&self) -> String {
        match &self.editing {
            Some(id) => format!("/courses/{id}/edit"),
            None => "/courses".into(),
        }
    }
}

/// The course form's values from a course.
fn values_of(view: &CourseView) -> HashMap<String, String> {
    let c = &view.course;
    let prerequisites: Vec<String> = c
        .prerequisites
        .iter()
        .map(|p| match p {
            node::courses::Prerequisite::Course { id } => id.to_string(),
            node::courses::Prerequisite::Remote { url } => url.clone(),
        })
        .collect();
    HashMap::from([
        ("title".into(), c.title.clone()),
        ("description".into(), c.description.clone()),
        ("level".into(), level_name(c.level).into()),
        (
            "duration".into(),
            c.duration_text
                .clone()
                .or_else(|| c.duration_minutes.map(|m| format!("{m} min")))
                .unwrap_or_default(),
        ),
        ("category".into(), c.category.clone().unwrap_or_default()),
        ("tags".into(), c.tags.join(" ")),
        ("prerequisites".into(), prerequisites.join("\n")),
        ("enrolment".into(), mode_name(c.enrolment).into()),
        (
            "capacity".into(),
            c.capacity.map(|n| n.to_string()).unwrap_or_default(),
        ),
        (
            "certificate".into(),
            if c.certificate { "yes" } else { "" }.into(),
        ),
    ])
}

/// Renders the editor.
#[allow(clippy::too_many_arguments)]
fn editor(
    s: &AppState,
    session: MemberSession,
    view: Option<&CourseView>,
    typed: Option<(&str, &HashMap<String, String>)>,
    errors: HashMap<String, String>,
    done: Option<&str>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let (active, values) = match (typed, view) {
        (Some(("course", values)), _) => ("course".to_string(), values.clone()),
        (Some((form, values)), Some(v)) => {
            let mut all = values_of(v);
            all.extend(values.iter().map(|(k, val)| (k.clone(), val.clone())));
            (form.to_string(), all)
        }
        (Some((form, values)), None) => (form.to_string(), values.clone()),
        (None, Some(v)) => (String::new(), values_of(v)),
        (None, None) => (
            String::new(),
            HashMap::from([
                ("level".into(), "beginner".into()),
                ("enrolment".into(), "open".into()),
            ]),
        ),
    };
    let modules = view.map_or_else(Vec::new, |v| {
        v.outline
            .iter()
            .map(|m| ModuleForms {
                id: m.id.to_string(),
                title: m.title.clone(),
                lessons: m
                    .lessons
                    .iter()
                    .map(|l| {
                        let text = format!("{} ({})", l.title, minutes_text(u64::from(l.minutes)));
                        (l.id.to_string(), text)
                    })
                    .collect(),
                assessments: m
                    .assessments
                    .iter()
                    .map(|a| {
                        let text = format!("{} ({} questions)", a.title, a.questions);
                        (a.id.to_string(), text)
                    })
                    .collect(),
                lesson_key: format!("lesson-{}", m.id),
                assessment_key: format!("assessment-{}", m.id),
            })
            .collect()
    });
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    render_with_status(
        EditorPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            editing: view.map(|v| v.course.id.to_string()),
            draft: view.is_some_and(|v| v.course.status == node::courses::CourseStatus::Draft),
            values,
            errors,
            active,
            modules,
            levels: LEVELS,
            modes: MODES,
            kinds: KINDS,
            slots: (0..QUESTION_SLOTS).collect(),
            notice: done.and_then(notice),
        },
        status,
    )
}

/// The course `id` for its instructors (403 for anyone else).
pub(super) fn taught(
    s: &AppState,
    session: &MemberSession,
    id: Id,
) -> Result<CourseView, AppError> {
    let view = s.node.course(&session.viewer, id)?;
    if !view.viewer.as_ref().is_some_and(|v| v.instructs) {
        return Err(AppError::Page(
            StatusCode::FORBIDDEN,
            "Only the course's instructors can edit it.".into(),
        ));
    }
    Ok(view)
}

/// A node error as the editor shows it: next to its course field when
/// `form` is the course form, else on `form`; a 5xx or a 403/404 as the
/// error page.
fn placed(e: NodeError, form: &str) -> Result<(HashMap<String, String>, StatusCode), AppError> {
    let field_name = match &e {
        NodeError::Invalid { field, .. }
        | NodeError::TooLarge { field, .. }
        | NodeError::Conflict { field, .. } => Some(field.clone()),
        _ => None,
    };
    let (status, message) = crate::admin::error_text(e);
    let Some(name) = field_name else {
        return Err(AppError::Page(status, message));
    };
    let mut errors = HashMap::new();
    if form == "course" && SHOWN_FIELDS.contains(&name.as_str()) {
        errors.insert(name, message);
    } else {
        errors.insert(form.to_string(), message);
    }
    Ok((errors, status))
}

/// Words separated by spaces or commas.
fn words(raw: &str) -> Vec<String> {
    raw.split([' ', ',', '\n', '\r'])
        .map(str::trim)
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The capacity field: empty for none (422 naming it when not a whole
/// number).
fn capacity_of(form: &HashMap<String, String>) -> Result<Option<i64>, NodeError> {
    let raw = field(form, "capacity");
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| NodeError::invalid("capacity", "must be a whole number, or empty"))
}

/// GET /courses/new — the form of a new course.
pub async fn new_form(
    State(s): State<AppState>,
    session: MemberSession,
) -> Result<Response, AppError> {
    editor(
        &s,
        session,
        None,
        None,
        HashMap::new(),
        None,
        StatusCode::OK,
    )
}

/// POST /courses — creates a draft course (limited as posting is); on to
/// its editor.
pub async fn create(
    State(s): State<AppState>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    s.limiters.check(Action::Post, &session.me.id.to_string())?;
    let made = match capacity_of(&form) {
        Ok(capacity) => {
            let new = NewCourse {
                title: field(&form, "title").into(),
                description: Some(field(&form, "description").into()),
                level: Some(field(&form, "level").into()),
                duration: Some(DurationInput::Text(field(&form, "duration").into())),
                category: Some(field(&form, "category").into()),
                tags: words(field(&form, "tags")),
                prerequisites: words(field(&form, "prerequisites")),
                enrolment: Some(field(&form, "enrolment").into()),
                capacity,
                certificate: !field(&form, "certificate").is_empty(),
                ..NewCourse::default()
            };
            s.node.create_course(&session.viewer, new).await
        }
        Err(e) => Err(e),
    };
    match made {
        Ok(view) => Ok(
            Redirect::to(&format!("/courses/{}/edit?done=created", view.course.id)).into_response(),
        ),
        Err(e) => {
            let (errors, status) = placed(e, "course")?;
            editor(
                &s,
                session,
                None,
                Some(("course", &form)),
                errors,
                None,
                status,
            )
        }
    }
}

/// GET /courses/{id}/edit — the course's fields and its syllabus with
/// their forms (its instructors).
pub async fn edit_form(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
    Query(q): Query<DoneQuery>,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let view = taught(&s, &session, id)?;
    editor(
        &s,
        session,
        Some(&view),
        None,
        HashMap::new(),
        q.done.as_deref(),
        StatusCode::OK,
    )
}

/// POST /courses/{id}/edit — saves the course's fields.
pub async fn save(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let view = taught(&s, &session, id)?;
    let category = field(&form, "category");
    let duration = field(&form, "duration");
    let saved = match capacity_of(&form) {
        Ok(capacity) => {
            let change = CourseUpdate {
                title: Some(field(&form, "title").into()),
                description: Some(field(&form, "description").into()),
                level: Some(field(&form, "level").into()),
                duration: Some(
                    (!duration.is_empty()).then(|| DurationInput::Text(duration.into())),
                ),
                category: Some((!category.is_empty()).then(|| category.to_string())),
                tags: Some(words(field(&form, "tags"))),
                prerequisites: Some(words(field(&form, "prerequisites"))),
                enrolment: Some(field(&form, "enrolment").into()),
                capacity: Some(capacity),
                certificate: Some(!field(&form, "certificate").is_empty()),
                ..CourseUpdate::default()
            };
            s.node.update_course(&session.viewer, id, change).await
        }
        Err(e) => Err(e),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}/edit?done=saved")).into_response()),
        Err(e) => {
            let (errors, status) = placed(e, "course")?;
            editor(
                &s,
                session,
                Some(&view),
                Some(("course", &form)),
                errors,
                None,
                status,
            )
        }
    }
}

/// POST /courses/{id}/publish — publishes the course; on to its page.
pub async fn publish(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    match s.node.publish_course(&session.viewer, id).await {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}?done=published")).into_response()),
        Err(e) => {
            let view = taught(&s, &session, id)?;
            let (errors, status) = placed(e, "publish")?;
            editor(&s, session, Some(&view), None, errors, None, status)
        }
    }
}

/// POST /courses/{id}/modules — adds a module (`title`).
pub async fn add_module(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    match s
        .node
        .add_module(&session.viewer, id, field(&form, "module_title"))
        .await
    {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}/edit?done=module")).into_response()),
        Err(e) => {
            let view = taught(&s, &session, id)?;
            let (errors, status) = placed(e, "module")?;
            editor(
                &s,
                session,
                Some(&view),
                Some(("module", &form)),
                errors,
                None,
                status,
            )
        }
    }
}

/// The module `m` of course `id` (404 otherwise), for its instructors.
fn module_of(
    s: &AppState,
    session: &MemberSession,
    id: Id,
    m: &str,
) -> Result<(CourseView, Id), AppError> {
    let view = taught(s, session, id)?;
    let m = path_id(m, "module")?;
    if !view.outline.iter().any(|o| o.id == m) {
        return Err(AppError::Page(
            StatusCode::NOT_FOUND,
            "No such module.".into(),
        ));
    }
    Ok((view, m))
}

/// POST /courses/{id}/modules/{m}/lessons — adds a lesson (`title`,
/// `body`, `minutes`) to the module.
pub async fn add_lesson(
    State(s): State<AppState>,
    Path((id, m)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let (view, m) = module_of(&s, &session, id, &m)?;
    let key = format!("lesson-{m}");
    let minutes = field(&form, "minutes");
    let added = match minutes.parse::<u32>() {
        Ok(minutes) => {
            let new = LessonInput {
                title: field(&form, "title").into(),
                body: form.get("body").cloned().unwrap_or_default(),
                minutes,
            };
            s.node.add_lesson(&session.viewer, m, new).await
        }
        Err(_) if minutes.is_empty() => Err(NodeError::invalid("minutes", "must not be empty")),
        Err(_) => Err(NodeError::invalid("minutes", "must be a whole number")),
    };
    match added {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}/edit?done=lesson")).into_response()),
        Err(e) => {
            let (errors, status) = placed(e, &key)?;
            editor(
                &s,
                session,
                Some(&view),
                Some((&key, &form)),
                errors,
                None,
                status,
            )
        }
    }
}

/// The questions of the assessment form: each slot with a prompt, in
/// order, with the index of its slot. `answer` is read by kind: the
/// number of the right choice (1 for the first), several numbers, the
/// accepted answers separated by `|`, or a number.
fn questions_of(
    form: &HashMap<String, String>,
    slot_count: usize,
) -> Result<(Vec<QuestionInput>, Vec<usize>), NodeError> {
    let mut out = Vec::new();
    let mut slots = Vec::new();
    for k in 0..slot_count {
        let prompt = field(form, &format!("prompt{k}"));
        if prompt.is_empty() {
            continue;
        }
        let kind = field(form, &format!("kind{k}")).to_string();
        let raw = field(form, &format!("answer{k}"));
        // Named by the slot the member sees.
        let slot_error = |name: &str, what: &str| {
            NodeError::invalid("questions", format!("question {} ({name}): {what}", k + 1))
        };
        let bad = |what: &str| slot_error("answer", what);
        let numbers = || -> Result<Vec<u64>, NodeError> {
            words(raw)
                .iter()
                .map(|w| {
                    w.parse::<u64>()
                        .ok()
                        .filter(|n| *n >= 1)
                        .ok_or_else(|| bad("give the number of each right choice, 1 for the first"))
                })
                .collect()
        };
        let answer = match kind.as_str() {
            "single" => match numbers()?.as_slice() {
                [n] => Some(Value::from(n - 1)),
                _ => return Err(bad("give the number of the right choice, 1 for the first")),
            },
            "multiple" => Some(Value::from(
                numbers()?.into_iter().map(|n| n - 1).collect::<Vec<_>>(),
            )),
            "short" => Some(Value::from(
                raw.split('|')
                    .map(str::trim)
                    .filter(|a| !a.is_empty())
                    .map(str::to_string)
                    .collect::<Vec<_>>(),
            )),
            "numeric" => Some(Value::from(
                raw.parse::<f64>().map_err(|_| bad("must be a number"))?,
            )),
            _ => None,
        };
        let tolerance = field(form, &format!("tolerance{k}"));
        let points = field(form, &format!("points{k}"));
        out.push(QuestionInput {
            kind,
            prompt: prompt.into(),
            choices: field(form, &format!("choices{k}"))
                .lines()
                .map(str::trim)
                .filter(|c| !c.is_empty())
                .map(str::to_string)
                .collect(),
            answer,
            tolerance: if tolerance.is_empty() {
                None
            } else {
                Some(
                    tolerance
                        .parse()
                        .map_err(|_| slot_error("tolerance", "must be a number"))?,
                )
            },
            points: if points.is_empty() {
                None
            } else {
                Some(
                    points
                        .parse()
                        .map_err(|_| slot_error("points", "must be a whole number"))?,
                )
            },
            ..QuestionInput::default()
        });
        slots.push(k);
    }
    Ok((out, slots))
}

/// A number field: empty for none (422 naming it otherwise).
fn optional_number(form: &HashMap<String, String>, name: &str) -> Result<Option<u32>, NodeError> {
    let raw = field(form, name);
    if raw.is_empty() {
        return Ok(None);
    }
    raw.parse()
        .map(Some)
        .map_err(|_| NodeError::invalid(name, "must be a whole number, or empty"))
}

/// The assessment form's fields and its first `slot_count` question
/// slots as the node takes them, with the slots the questions came from.
pub(super) fn assessment_input(
    form: &HashMap<String, String>,
    slot_count: usize,
) -> Result<(AssessmentInput, Vec<usize>), NodeError> {
    let (questions, used) = questions_of(form, slot_count)?;
    let input = AssessmentInput {
        title: field(form, "title").into(),
        instructions: field(form, "instructions").into(),
        passing_score: optional_number(form, "passing_score")?,
        max_attempts: optional_number(form, "max_attempts")?,
        time_limit_secs: optional_number(form, "time_limit_minutes")?.map(|m| m.saturating_mul(60)),
        required: Some(field(form, "optional").is_empty()),
        questions,
    };
    Ok((input, used))
}

/// The node's refusal of an assessment form, naming the slot the member
/// sees (`slots`: the slot of each question given) rather than the index
/// among the filled ones, and the time limit in minutes as the form asks.
pub(super) fn slot_error(e: NodeError, slots: &[usize]) -> NodeError {
    match e {
        NodeError::Invalid { field, message } | NodeError::TooLarge { field, message }
            if field.starts_with("questions[") =>
        {
            let n: Option<usize> = field
                .trim_start_matches("questions[")
                .split(']')
                .next()
                .and_then(|n| n.parse().ok());
            let slot = n.and_then(|n| slots.get(n)).map_or(0, |k| k + 1);
            NodeError::invalid("questions", format!("question {slot} ({field}): {message}"))
        }
        NodeError::Invalid { field, .. } if field == "time_limit_secs" => {
            NodeError::invalid("time_limit_minutes", "must be 1 minute to 24 hours")
        }
        other => other,
    }
}

/// POST /courses/{id}/modules/{m}/assessments — adds an assessment with
/// the questions of the filled slots.
pub async fn add_assessment(
    State(s): State<AppState>,
    Path((id, m)): Path<(String, String)>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let (view, m) = module_of(&s, &session, id, &m)?;
    let key = format!("assessment-{m}");
    let mut slots = Vec::new();
    let added = async {
        let (input, used) = assessment_input(&form, QUESTION_SLOTS)?;
        slots = used;
        s.node.add_assessment(&session.viewer, m, input).await
    }
    .await;
    match added {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{id}/edit?done=assessment")).into_response()),
        Err(e) => {
            let e = slot_error(e, &slots);
            let (errors, status) = placed(e, &key)?;
            editor(
                &s,
                session,
                Some(&view),
                Some((&key, &form)),
                errors,
                None,
                status,
            )
        }
    }
}

/// A lesson's edit form.
#[derive(Template)]
#[template(path = "app/courses/lesson_edit.html")]
pub struct LessonEditPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub id: String,
    pub course_id: String,
    pub title: String,
    pub minutes: String,
    pub body: String,
    /// The node's refusal, if the form was refused.
    pub error: Option<String>,
}

/// Renders lesson `id`'s edit form with `values` (title, minutes, body).
fn lesson_form(
    s: &AppState,
    session: MemberSession,
    id: Id,
    course: Id,
    values: [String; 3],
    error: Option<String>,
    status: StatusCode,
) -> Result<Response, AppError> {
    let Site {
        domain,
        members,
        posts,
    } = site(s)?;
    let [title, minutes, body] = values;
    render_with_status(
        LessonEditPage {
            domain,
            members,
            posts,
            me: Some(session.me),
            id: id.to_string(),
            course_id: course.to_string(),
            title,
            minutes,
            body,
            error,
        },
        status,
    )
}

/// GET /lessons/{id}/edit — a lesson's form (its course's instructors).
pub async fn edit_lesson_form(
    State(s): State<AppState>,
    Path(id): Path<String>,
    session: MemberSession,
) -> Result<Response, AppError> {
    let id = path_id(&id, "lesson")?;
    let lesson = s.node.lesson(&session.viewer, id)?.lesson;
    taught(&s, &session, lesson.course)?;
    let values = [lesson.title, lesson.minutes.to_string(), lesson.body];
    lesson_form(&s, session, id, lesson.course, values, None, StatusCode::OK)
}

/// POST /lessons/{id}/edit — saves the lesson; back to the editor.
pub async fn save_lesson(
    State(s): State<AppState>,
    Path(id): Path<String>,
    AppForm { session, form, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "lesson")?;
    let course = s.node.lesson(&session.viewer, id)?.lesson.course;
    let minutes = field(&form, "minutes");
    let saved = match minutes.parse::<u32>() {
        Ok(minutes) => {
            let new = LessonInput {
                title: field(&form, "title").into(),
                body: form.get("body").cloned().unwrap_or_default(),
                minutes,
            };
            s.node.update_lesson(&session.viewer, id, new).await
        }
        Err(_) => Err(NodeError::invalid("minutes", "must be a whole number")),
    };
    match saved {
        Ok(_) => Ok(Redirect::to(&format!("/courses/{course}/edit?done=saved")).into_response()),
        Err(e) => {
            let (status, message) = crate::admin::error_text(e);
            if status.is_server_error() || status == StatusCode::FORBIDDEN {
                return Err(AppError::Page(status, message));
            }
            let values = [
                field(&form, "title").to_string(),
                minutes.to_string(),
                form.get("body").cloned().unwrap_or_default(),
            ];
            lesson_form(&s, session, id, course, values, Some(message), status)
        }
    }
}

/// POST /courses/{id}/remove/{what}/{item} — removes a module (with its
/// lessons and assessments), a lesson or an assessment of the course;
/// back to the editor.
pub async fn remove(
    State(s): State<AppState>,
    Path((id, what, item)): Path<(String, String, String)>,
    AppForm { session, .. }: AppForm,
) -> Result<Response, AppError> {
    let id = path_id(&id, "course")?;
    let view = taught(&s, &session, id)?;
    let item = path_id(&item, "item")?;
    // Only what this course holds: the outline says.
    let held = view.outline.iter().any(|m| match what.as_str() {
        "module" => m.id == item,
        "lesson" => m.lessons.iter().any(|l| l.id == item),
        "assessment" => m.assessments.iter().any(|a| a.id == item),
        _ => false,
    });
    if !held {
        return Err(AppError::Page(
            StatusCode::NOT_FOUND,
            "No such item in this course.".into(),
        ));
    }
    match what.as_str() {
        "module" => s.node.remove_module(&session.viewer, item).await?,
        "lesson" => s.node.remove_lesson(&session.viewer, item).await?,
        _ => s.node.remove_assessment(&session.viewer, item).await?,
    }
    Ok(Redirect::to(&format!("/courses/{id}/edit?done=removed")).into_response())
}
