//! What adding or changing an assessment takes, and its validation into
//! stored questions: every field is checked before the write; a bad one
//! is a 422 naming it (`questions[2].answer`), a too large one a 413.

use serde::Deserialize;
use serde_json::Value;

use super::grading::normalise;
use super::model::{Criterion, Question, QuestionKind};
use crate::error::{NodeError, NodeResult};
use crate::validate;

/// Most questions in an assessment.
pub const MAX_QUESTIONS: usize = 100;
/// Longest prompt, in characters.
const PROMPT_CHARS: usize = 5_000;
/// Longest instructions, in characters.
const INSTRUCTIONS_CHARS: usize = 10_000;
/// Most choices of a question.
const MAX_CHOICES: usize = 20;
/// Longest choice, in characters.
const CHOICE_CHARS: usize = 500;
/// Most accepted alternatives of a short answer.
const MAX_ALTERNATIVES: usize = 20;
/// Longest accepted alternative, in characters.
const ALTERNATIVE_CHARS: usize = 200;
/// Most criteria in a rubric.
const MAX_CRITERIA: usize = 20;
/// Most points of a question or a criterion.
const MAX_POINTS: u32 = 1_000;
/// Most attempts an assessment may allow.
const MAX_ATTEMPTS: u32 = 100;
/// Shortest and longest time limit, in seconds.
const TIME_LIMIT_SECS: std::ops::RangeInclusive<u32> = 10..=24 * 3600;

/// A rubric criterion as given.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CriterionInput {
    /// What is judged.
    pub name: String,
    /// Points it is worth (1–1,000).
    pub points: u32,
}

/// A question as given (the Kodeon API's shape). `answer` is, by kind: a
/// choice's index (`single`), a list of indexes (`multiple`), a text or
/// a list of accepted texts (`short`, added to `accepted`), a number
/// (`numeric`); `text` and `code` take a `rubric` instead (without one,
/// a single criterion worth `points`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct QuestionInput {
    /// `single`, `multiple`, `short`, `numeric`, `text` or `code`.
    pub kind: String,
    /// What is asked.
    pub prompt: String,
    /// The choices (`single`, `multiple`).
    #[serde(default)]
    pub choices: Vec<String>,
    /// The answer, as above.
    #[serde(default)]
    pub answer: Option<Value>,
    /// More accepted answers (`short`).
    #[serde(default)]
    pub accepted: Vec<String>,
    /// How far from the answer still counts (`numeric`, default 0).
    #[serde(default)]
    pub tolerance: Option<f64>,
    /// Points (1–1,000, default 1).
    #[serde(default)]
    pub points: Option<u32>,
    /// The rubric (`text`, `code`).
    #[serde(default)]
    pub rubric: Vec<CriterionInput>,
    /// The language expected (`code`).
    #[serde(default)]
    pub language: Option<String>,
}

/// What adding an assessment takes, or replacing one.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AssessmentInput {
    /// Title (1–200 characters).
    pub title: String,
    /// Instructions (plain text).
    #[serde(default)]
    pub instructions: String,
    /// The score (percent, 0–100) that passes; default 70.
    #[serde(default)]
    pub passing_score: Option<u32>,
    /// Most attempts (1–100), or none for no limit.
    #[serde(default)]
    pub max_attempts: Option<u32>,
    /// Seconds an attempt may take (10 s to 24 h), or none.
    #[serde(default)]
    pub time_limit_secs: Option<u32>,
    /// Whether completing the course needs it passed (default yes).
    #[serde(default)]
    pub required: Option<bool>,
    /// The questions (1–100).
    pub questions: Vec<QuestionInput>,
}

/// The checked fields of an assessment.
pub(crate) struct CheckedAssessment {
    pub(crate) title: String,
    pub(crate) instructions: String,
    pub(crate) passing_score: u8,
    pub(crate) max_attempts: Option<u32>,
    pub(crate) time_limit_secs: Option<u32>,
    pub(crate) required: bool,
    pub(crate) questions: Vec<Question>,
}

/// Checks every field of `input`.
pub(crate) fn check(input: &AssessmentInput) -> NodeResult<CheckedAssessment> {
    let title = crate::courses::input::title("title", &input.title)?;
    let instructions = input.instructions.trim().to_string();
    validate::max_chars("instructions", &instructions, INSTRUCTIONS_CHARS)?;
    let passing_score = match input.passing_score {
        None => 70,
        Some(p) => u8::try_from(p)
            .ok()
            .filter(|p| *p <= 100)
            .ok_or_else(|| NodeError::invalid("passing_score", "must be 0 to 100"))?,
    };
    if input
        .max_attempts
        .is_some_and(|n| n == 0 || n > MAX_ATTEMPTS)
    {
        return Err(NodeError::invalid(
            "max_attempts",
            format!("must be 1 to {MAX_ATTEMPTS}"),
        ));
    }
    if input
        .time_limit_secs
        .is_some_and(|s| !TIME_LIMIT_SECS.contains(&s))
    {
        return Err(NodeError::invalid(
            "time_limit_secs",
            "must be 10 seconds to 24 hours",
        ));
    }
    if input.questions.is_empty() {
        return Err(NodeError::invalid("questions", "at least one question"));
    }
    if input.questions.len() > MAX_QUESTIONS {
        return Err(NodeError::too_large(
            "questions",
            format!("at most {MAX_QUESTIONS} questions"),
        ));
    }
    let questions = input
        .questions
        .iter()
        .enumerate()
        .map(|(i, q)| question(&format!("questions[{i}]"), q))
        .collect::<NodeResult<Vec<_>>>()?;
    Ok(CheckedAssessment {
        title,
        instructions,
        passing_score,
        max_attempts: input.max_attempts,
        time_limit_secs: input.time_limit_secs,
        required: input.required.unwrap_or(true),
        questions,
    })
}

/// One question, its fields named under `at` in errors.
fn question(at: &str, q: &QuestionInput) -> NodeResult<Question> {
    let field = |name: &str| format!("{at}.{name}");
    let prompt = q.prompt.trim().to_string();
    if prompt.is_empty() {
        return Err(NodeError::invalid(&field("prompt"), "must not be empty"));
    }
    validate::max_chars(&field("prompt"), &prompt, PROMPT_CHARS)?;
    let points = q.points.unwrap_or(1);
    if points == 0 || points > MAX_POINTS {
        return Err(NodeError::invalid(
            &field("points"),
            format!("must be 1 to {MAX_POINTS}"),
        ));
    }
    let kind = match q.kind.trim() {
        "single" => {
            let choices = choices(&field("choices"), &q.choices)?;
            let answer = index(&field("answer"), q.answer.as_ref(), choices.len())?
                .ok_or_else(|| NodeError::invalid(&field("answer"), "the right choice's index"))?;
            QuestionKind::Single { choices, answer }
        }
        "multiple" => {
            let choices = choices(&field("choices"), &q.choices)?;
            let mut answers = match q.answer.as_ref() {
                Some(Value::Array(items)) => items
                    .iter()
                    .map(|v| index(&field("answer"), Some(v), choices.len()))
                    .collect::<NodeResult<Option<Vec<u32>>>>()?
                    .unwrap_or_default(),
                _ => Vec::new(),
            };
            answers.sort_unstable();
            answers.dedup();
            if answers.is_empty() {
                return Err(NodeError::invalid(
                    &field("answer"),
                    "the right choices' indexes (at least one)",
                ));
            }
            QuestionKind::Multiple { choices, answers }
        }
        "short" => QuestionKind::Short {
            accepted: alternatives(&field("answer"), q.answer.as_ref(), &q.accepted)?,
        },
        "numeric" => {
            let answer = q
                .answer
                .as_ref()
                .and_then(Value::as_f64)
                .filter(|n| n.is_finite())
                .ok_or_else(|| NodeError::invalid(&field("answer"), "must be a number"))?;
            let tolerance = q.tolerance.unwrap_or(0.0);
            if !tolerance.is_finite() || tolerance < 0.0 {
                return Err(NodeError::invalid(
                    &field("tolerance"),
                    "must be a number ≥ 0",
                ));
            }
            QuestionKind::Numeric { answer, tolerance }
        }
        "text" => QuestionKind::Text {
            rubric: rubric(&field("rubric"), &q.rubric, points)?,
        },
        "code" => {
            let language = q
                .language
                .as_deref()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(|l| validate::slug(&field("language"), l))
                .transpose()?;
            QuestionKind::Code {
                language,
                rubric: rubric(&field("rubric"), &q.rubric, points)?,
            }
        }
        _ => {
            return Err(NodeError::invalid(
                &field("kind"),
                "must be single, multiple, short, numeric, text or code",
            ))
        }
    };
    let points = match &kind {
        QuestionKind::Text { rubric } | QuestionKind::Code { rubric, .. } => {
            rubric.iter().map(|c| c.points).sum()
        }
        _ => points,
    };
    Ok(Question {
        prompt,
        points,
        kind,
    })
}

/// 2 to 20 choices, each 1–500 characters.
fn choices(field: &str, values: &[String]) -> NodeResult<Vec<String>> {
    if values.len() < 2 {
        return Err(NodeError::invalid(field, "at least two choices"));
    }
    if values.len() > MAX_CHOICES {
        return Err(NodeError::too_large(
            field,
            format!("at most {MAX_CHOICES} choices"),
        ));
    }
    values
        .iter()
        .map(|c| {
            let c = c.trim();
            if c.is_empty() {
                return Err(NodeError::invalid(field, "a choice must not be empty"));
            }
            validate::max_chars(field, c, CHOICE_CHARS)?;
            Ok(c.to_string())
        })
        .collect()
}

/// A choice index below `len`, if given.
fn index(field: &str, value: Option<&Value>, len: usize) -> NodeResult<Option<u32>> {
    let Some(value) = value else {
        return Ok(None);
    };
    let n = value
        .as_u64()
        .filter(|n| usize::try_from(*n).is_ok_and(|n| n < len))
        .and_then(|n| u32::try_from(n).ok())
        .ok_or_else(|| {
            NodeError::invalid(
                field,
                format!("a choice's index, 0 to {}", len.saturating_sub(1)),
            )
        })?;
    Ok(Some(n))
}

/// A short answer's accepted alternatives: `answer` (a text or a list of
/// texts) and `accepted`, deduplicated by their normal form.
fn alternatives(
    field: &str,
    answer: Option<&Value>,
    accepted: &[String],
) -> NodeResult<Vec<String>> {
    let mut given: Vec<String> = Vec::new();
    match answer {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => given.push(s.clone()),
        Some(Value::Array(items)) => {
            for item in items {
                match item {
                    Value::String(s) => given.push(s.clone()),
                    _ => return Err(NodeError::invalid(field, "accepted answers are texts")),
                }
            }
        }
        Some(Value::Number(n)) => given.push(n.to_string()),
        Some(_) => return Err(NodeError::invalid(field, "accepted answers are texts")),
    }
    given.extend(accepted.iter().cloned());
    let mut out: Vec<String> = Vec::new();
    let mut seen: Vec<String> = Vec::new();
    for a in given {
        let a = a.trim().to_string();
        validate::max_chars(field, &a, ALTERNATIVE_CHARS)?;
        let n = normalise(&a);
        if n.is_empty() {
            return Err(NodeError::invalid(
                field,
                "an accepted answer must not be empty",
            ));
        }
        if !seen.contains(&n) {
            seen.push(n);
            out.push(a);
        }
    }
    if out.is_empty() {
        return Err(NodeError::invalid(field, "at least one accepted answer"));
    }
    if out.len() > MAX_ALTERNATIVES {
        return Err(NodeError::too_large(
            field,
            format!("at most {MAX_ALTERNATIVES} accepted answers"),
        ));
    }
    Ok(out)
}

/// A rubric: the criteria given (1–1,000 points each, at most 20), or one
/// criterion worth `points` when none is.
fn rubric(field: &str, values: &[CriterionInput], points: u32) -> NodeResult<Vec<Criterion>> {
    if values.is_empty() {
        return Ok(vec![Criterion {
            name: "Overall".into(),
            points,
        }]);
    }
    if values.len() > MAX_CRITERIA {
        return Err(NodeError::too_large(
            field,
            format!("at most {MAX_CRITERIA} criteria"),
        ));
    }
    values
        .iter()
        .map(|c| {
            let name = crate::courses::input::title(field, &c.name)?;
            if c.points == 0 || c.points > MAX_POINTS {
                return Err(NodeError::invalid(
                    field,
                    format!("a criterion is worth 1 to {MAX_POINTS} points"),
                ));
            }
            Ok(Criterion {
                name,
                points: c.points,
            })
        })
        .collect()
}
