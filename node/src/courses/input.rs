//! What creating and changing a course, a module and a lesson take, and
//! their validation: every field is checked before the write; a bad one
//! is a 422 naming it, a too long or too large one a 413 naming it.

use serde::{Deserialize, Deserializer};

use super::model::{CourseLevel, CourseStatus, EnrolmentMode, Prerequisite, Price};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::validate;

/// Longest title (course, module, lesson, assessment), in characters.
pub const TITLE_CHARS: usize = 200;
/// Longest lesson body, in characters.
pub const LESSON_CHARS: usize = 50_000;
/// Most modules in a course.
pub const MAX_MODULES: usize = 50;
/// Most lessons in a module.
pub const MAX_LESSONS: usize = 100;
/// Most assessments in a module.
pub const MAX_ASSESSMENTS: usize = 10;
/// Most prerequisites of a course.
pub const MAX_PREREQUISITES: usize = 20;
/// Most instructors listed on a course.
pub const MAX_INSTRUCTORS: usize = 20;
/// Largest capacity.
pub const MAX_CAPACITY: i64 = 1_000_000;
/// Longest estimate of a lesson, in minutes.
pub const MAX_LESSON_MINUTES: u32 = 10_000;
/// Longest duration given as text, in characters.
const DURATION_CHARS: usize = 60;

/// A duration as given: minutes, or text ("8 hours", "90 min", "8_jam");
/// text in hours or minutes is read as minutes, anything else is kept as
/// written.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum DurationInput {
    /// Minutes.
    Minutes(u32),
    /// Text.
    Text(String),
}

/// An amount as given: a number or a decimal string.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum AmountInput {
    /// A number (49.99).
    Number(f64),
    /// A decimal string ("49.99").
    Text(String),
}

/// A price as given.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PriceInput {
    /// Greater than zero, at most three decimals.
    pub amount: AmountInput,
    /// ISO 4217 code.
    pub currency: String,
}

/// What creating a course takes. Absent fields take their defaults:
/// level `beginner`, status `draft`, enrolment `open`, no capacity, no
/// price, no certificate. The creator instructs it.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewCourse {
    /// Title (1–200 characters).
    pub title: String,
    /// Description (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// `beginner`, `intermediate` or `advanced`.
    #[serde(default)]
    pub level: Option<String>,
    /// How long it takes.
    #[serde(default)]
    pub duration: Option<DurationInput>,
    /// Category slug.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Other instructors: usernames of local members.
    #[serde(default)]
    pub instructors: Vec<String>,
    /// A local group's name: the course is the group's (its owner and
    /// moderators may make it, and teach it).
    #[serde(default)]
    pub group: Option<String>,
    /// Prerequisites: ids of courses of this node, or http(s) URLs of
    /// courses elsewhere.
    #[serde(default)]
    pub prerequisites: Vec<String>,
    /// `draft` or `published`.
    #[serde(default)]
    pub status: Option<String>,
    /// `open`, `approval` or `invite`.
    #[serde(default)]
    pub enrolment: Option<String>,
    /// Enrolment opens (ms).
    #[serde(default)]
    pub enrolment_opens: Option<i64>,
    /// Enrolment closes (ms).
    #[serde(default)]
    pub enrolment_closes: Option<i64>,
    /// Seats (≥ 1), or absent for no limit.
    #[serde(default)]
    pub capacity: Option<i64>,
    /// Its price, if any.
    #[serde(default)]
    pub price: Option<PriceInput>,
    /// Whether completing it earns a certificate.
    #[serde(default)]
    pub certificate: bool,
}

/// A change to a course: absent fields stay as they are; `null` removes
/// what may be absent (duration, category, capacity, price, window).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CourseUpdate {
    /// New title.
    pub title: Option<String>,
    /// New description (Markdown).
    pub description: Option<String>,
    /// New level.
    pub level: Option<String>,
    /// New duration, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    pub duration: Option<Option<DurationInput>>,
    /// New category, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    pub category: Option<Option<String>>,
    /// New tags (replace the old).
    pub tags: Option<Vec<String>>,
    /// New list of instructors (replaces the old; usernames).
    pub instructors: Option<Vec<String>>,
    /// New prerequisites (replace the old).
    pub prerequisites: Option<Vec<String>>,
    /// `draft`, `published` or `archived`.
    pub status: Option<String>,
    /// New enrolment mode.
    pub enrolment: Option<String>,
    /// New opening, or `null` for at once.
    #[serde(default, deserialize_with = "present")]
    pub enrolment_opens: Option<Option<i64>>,
    /// New closing, or `null` for never.
    #[serde(default, deserialize_with = "present")]
    pub enrolment_closes: Option<Option<i64>>,
    /// New capacity, or `null` for no limit.
    #[serde(default, deserialize_with = "present")]
    pub capacity: Option<Option<i64>>,
    /// New price, or `null` for free.
    #[serde(default, deserialize_with = "present")]
    pub price: Option<Option<PriceInput>>,
    /// Whether completing it earns a certificate.
    pub certificate: Option<bool>,
}

/// A new lesson, or a lesson's new content.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LessonInput {
    /// Title (1–200 characters).
    pub title: String,
    /// Body (Markdown, up to [`LESSON_CHARS`] characters).
    #[serde(default)]
    pub body: String,
    /// Estimated minutes (up to [`MAX_LESSON_MINUTES`]).
    #[serde(default)]
    pub minutes: u32,
}

/// Reads a field that may be `null`: present (`Some`) either way.
fn present<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// A title named `field`: trimmed, 1–200 characters.
pub(super) fn title(field: &str, value: &str) -> NodeResult<String> {
    let value = value.trim();
    if value.is_empty() {
        return Err(NodeError::invalid(field, "must not be empty"));
    }
    validate::max_chars(field, value, TITLE_CHARS)?;
    Ok(value.to_string())
}

/// A level by its name.
pub(super) fn level(value: &str) -> NodeResult<CourseLevel> {
    Ok(match value.trim() {
        "beginner" => CourseLevel::Beginner,
        "intermediate" => CourseLevel::Intermediate,
        "advanced" => CourseLevel::Advanced,
        _ => {
            return Err(NodeError::invalid(
                "level",
                "must be beginner, intermediate or advanced",
            ))
        }
    })
}

/// A status by its name.
pub(super) fn status(value: &str) -> NodeResult<CourseStatus> {
    Ok(match value.trim() {
        "draft" => CourseStatus::Draft,
        "published" => CourseStatus::Published,
        "archived" => CourseStatus::Archived,
        _ => {
            return Err(NodeError::invalid(
                "status",
                "must be draft, published or archived",
            ))
        }
    })
}

/// An enrolment mode by its name.
pub(super) fn enrolment(value: &str) -> NodeResult<EnrolmentMode> {
    Ok(match value.trim() {
        "open" => EnrolmentMode::Open,
        "approval" => EnrolmentMode::Approval,
        "invite" => EnrolmentMode::Invite,
        _ => {
            return Err(NodeError::invalid(
                "enrolment",
                "must be open, approval or invite",
            ))
        }
    })
}

/// A duration: minutes, or text read as minutes when it says hours or
/// minutes ("8 hours", "8_jam", "90 min", "90 menit"), else kept as text.
pub(super) fn duration(value: &DurationInput) -> NodeResult<(Option<u32>, Option<String>)> {
    match value {
        DurationInput::Minutes(m) => Ok((Some(*m), None)),
        DurationInput::Text(text) => {
            let text = text.trim();
            if text.is_empty() {
                return Ok((None, None));
            }
            validate::max_chars("duration", text, DURATION_CHARS)?;
            Ok((minutes_of(text), Some(text.to_string())))
        }
    }
}

/// Minutes in "N hours" / "N min" and their Indonesian forms ("N jam",
/// "N menit"), with a space, an underscore or nothing between.
fn minutes_of(text: &str) -> Option<u32> {
    let text = text.to_lowercase();
    let digits: String = text.chars().take_while(char::is_ascii_digit).collect();
    let n: u32 = digits.parse().ok()?;
    let unit = text[digits.len()..].trim_start_matches([' ', '_']);
    match unit {
        "h" | "hr" | "hrs" | "hour" | "hours" | "jam" => n.checked_mul(60),
        "m" | "min" | "mins" | "minute" | "minutes" | "menit" => Some(n),
        _ => None,
    }
}

/// A capacity: 1 to [`MAX_CAPACITY`], or none.
pub(super) fn capacity(value: Option<i64>) -> NodeResult<Option<u32>> {
    match value {
        None => Ok(None),
        Some(n) if n < 1 => Err(NodeError::invalid("capacity", "must be at least 1")),
        Some(n) if n > MAX_CAPACITY => Err(NodeError::invalid(
            "capacity",
            format!("at most {MAX_CAPACITY}"),
        )),
        Some(n) => u32::try_from(n)
            .map(Some)
            .map_err(|_| NodeError::invalid("capacity", "out of range")),
    }
}

/// A price: an amount above zero with at most three decimals, and an
/// ISO 4217 code (three letters, upper-cased).
pub(super) fn price(value: &PriceInput) -> NodeResult<Price> {
    let amount = match &value.amount {
        AmountInput::Number(n) if n.is_finite() => format!("{n}"),
        AmountInput::Number(_) => return Err(NodeError::invalid("price.amount", "not a number")),
        AmountInput::Text(t) => t.trim().to_string(),
    };
    let (whole, fraction) = amount.split_once('.').unwrap_or((&amount, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    if whole.is_empty()
        || whole.len() > 12
        || !digits(whole)
        || fraction.len() > 3
        || !digits(fraction)
        || (amount.contains('.') && fraction.is_empty())
    {
        return Err(NodeError::invalid(
            "price.amount",
            "must be a decimal number such as 49.99",
        ));
    }
    if amount.chars().all(|c| c == '0' || c == '.') {
        return Err(NodeError::invalid(
            "price.amount",
            "must be above zero (a free course has no price)",
        ));
    }
    let currency = value.currency.trim().to_ascii_uppercase();
    if currency.len() != 3 || !currency.chars().all(|c| c.is_ascii_uppercase()) {
        return Err(NodeError::invalid(
            "price.currency",
            "must be an ISO 4217 code such as USD",
        ));
    }
    Ok(Price { amount, currency })
}

/// The enrolment window: opens before it closes.
pub(super) fn window(opens: Option<i64>, closes: Option<i64>) -> NodeResult<()> {
    if let (Some(o), Some(c)) = (opens, closes) {
        if c <= o {
            return Err(NodeError::invalid(
                "enrolment_closes",
                "must be after enrolment opens",
            ));
        }
    }
    Ok(())
}

/// A category: empty means none.
pub(super) fn category(value: Option<&str>) -> NodeResult<Option<String>> {
    match value.map(str::trim) {
        None | Some("") => Ok(None),
        Some(v) => validate::slug("category", v).map(Some),
    }
}

/// Prerequisites as given: a course id of this node, or an http(s) URL
/// of a course elsewhere; duplicates dropped, at most
/// [`MAX_PREREQUISITES`]. Whether a local one exists is checked in the
/// write.
pub(super) fn prerequisites(values: &[String]) -> NodeResult<Vec<Prerequisite>> {
    let mut out: Vec<Prerequisite> = Vec::new();
    for value in values {
        let value = value.trim();
        let p = if let Ok(id) = value.parse::<Id>() {
            Prerequisite::Course { id }
        } else if value.starts_with("http://") || value.starts_with("https://") {
            validate::optional_url("prerequisites", value)?;
            protocol::urls::HttpUrl::parse(value).map_err(|_| {
                NodeError::invalid("prerequisites", format!("{value:?} is not a usable URL"))
            })?;
            Prerequisite::Remote {
                url: value.to_string(),
            }
        } else {
            return Err(NodeError::invalid(
                "prerequisites",
                format!("{value:?} is neither a course id nor an http(s) URL"),
            ));
        };
        if !out.contains(&p) {
            out.push(p);
        }
    }
    if out.len() > MAX_PREREQUISITES {
        return Err(NodeError::too_large(
            "prerequisites",
            format!("at most {MAX_PREREQUISITES}"),
        ));
    }
    Ok(out)
}

/// A lesson's minutes: at most [`MAX_LESSON_MINUTES`].
pub(super) fn lesson_minutes(value: u32) -> NodeResult<u32> {
    if value > MAX_LESSON_MINUTES {
        return Err(NodeError::invalid(
            "minutes",
            format!("at most {MAX_LESSON_MINUTES}"),
        ));
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_in_hours_or_minutes_become_minutes() {
        assert_eq!(minutes_of("8_jam"), Some(480));
        assert_eq!(minutes_of("20 hours"), Some(1200));
        assert_eq!(minutes_of("90min"), Some(90));
        assert_eq!(minutes_of("a weekend"), None);
        let (m, t) = duration(&DurationInput::Text("three evenings".into())).expect("text");
        assert_eq!((m, t.as_deref()), (None, Some("three evenings")));
    }

    #[test]
    fn prices_are_decimal_amounts_with_a_currency() {
        let p = |amount: AmountInput, currency: &str| {
            price(&PriceInput {
                amount,
                currency: currency.into(),
            })
        };
        let ok = p(AmountInput::Number(49.99), "usd").expect("price");
        assert_eq!((ok.amount.as_str(), ok.currency.as_str()), ("49.99", "USD"));
        assert!(p(AmountInput::Text("0.00".into()), "USD").is_err());
        assert!(p(AmountInput::Text("1e3".into()), "USD").is_err());
        assert!(p(AmountInput::Text("12.".into()), "USD").is_err());
        assert!(p(AmountInput::Number(-3.0), "USD").is_err());
        assert!(p(AmountInput::Text("10".into()), "dollars").is_err());
    }
}
