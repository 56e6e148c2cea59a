//! Grading answers: pure functions, no storage. Choices, short answers and
//! numbers are graded at once; free text and code are left for an
//! instructor ([`Mark::pending_review`]).

use icu_normalizer::ComposingNormalizerBorrowed;

use super::model::{Answer, Mark, Question, QuestionKind};

/// Relative slack on numeric comparisons, so a tolerance of 0.01 accepts
/// 2.51 for 2.5 despite binary floating point.
const FLOAT_SLACK: f64 = 1e-9;

/// A short answer as compared: Unicode NFKC (full-width letters, ligatures
/// and the like become their plain forms), lower case, whitespace runs
/// as one space, trimmed.
pub fn normalise(text: &str) -> String {
    let nfkc = ComposingNormalizerBorrowed::new_nfkc().normalize(text);
    nfkc.to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A number as given: a number, or text that reads as one.
fn number_of(answer: &Answer) -> Option<f64> {
    match answer {
        Answer::Number(n) => Some(*n),
        Answer::Text(t) => t.trim().parse::<f64>().ok(),
        Answer::Choices(c) if c.len() == 1 => c.first().map(|n| f64::from(*n)),
        Answer::Choices(_) => None,
    }
    .filter(|n| n.is_finite())
}

/// A single choice as given: an index (a whole number, or a list of one).
fn choice_of(answer: &Answer) -> Option<u32> {
    match answer {
        Answer::Choices(c) if c.len() == 1 => c.first().copied(),
        Answer::Number(n) if n.fract() == 0.0 && *n >= 0.0 && *n <= f64::from(u32::MAX) => {
            // Whole and in range, checked above.
            Some(*n as u32)
        }
        _ => None,
    }
}

/// Whether `answer` is right for an auto-graded `kind` (`None` for the
/// reviewed kinds).
fn is_right(kind: &QuestionKind, answer: &Answer) -> Option<bool> {
    Some(match kind {
        QuestionKind::Single { answer: right, .. } => choice_of(answer) == Some(*right),
        QuestionKind::Multiple { answers, .. } => match answer {
            Answer::Choices(given) => {
                let mut given = given.clone();
                given.sort_unstable();
                given.dedup();
                given == *answers
            }
            other => choice_of(other).is_some_and(|c| answers.as_slice() == [c]),
        },
        QuestionKind::Short { accepted } => {
            let given = match answer {
                Answer::Text(t) => normalise(t),
                Answer::Number(n) => n.to_string(),
                Answer::Choices(_) => return Some(false),
            };
            !given.is_empty() && accepted.iter().any(|a| normalise(a) == given)
        }
        QuestionKind::Numeric {
            answer: right,
            tolerance,
        } => number_of(answer).is_some_and(|n| {
            let slack = FLOAT_SLACK * right.abs().max(1.0);
            (n - right).abs() <= tolerance + slack
        }),
        QuestionKind::Text { .. } | QuestionKind::Code { .. } => return None,
    })
}

/// The mark of `answer` (`None`: left blank) to `question`: full points
/// or none for the auto-graded kinds; waiting for review for the others
/// (a blank one is graded 0 at once).
pub fn grade(question: &Question, answer: Option<&Answer>) -> Mark {
    let max = f64::from(question.points);
    let Some(answer) = answer else {
        return Mark {
            awarded: 0.0,
            max,
            pending_review: false,
            criteria: Vec::new(),
            comment: String::new(),
        };
    };
    match is_right(&question.kind, answer) {
        Some(right) => Mark {
            awarded: if right { max } else { 0.0 },
            max,
            pending_review: false,
            criteria: Vec::new(),
            comment: String::new(),
        },
        None => Mark {
            awarded: 0.0,
            max,
            pending_review: true,
            criteria: Vec::new(),
            comment: String::new(),
        },
    }
}

/// The score of `marks`, percent of the points (0 when there are none).
pub fn score(marks: &[Mark]) -> f64 {
    let max: f64 = marks.iter().map(|m| m.max).sum();
    if max <= 0.0 {
        return 0.0;
    }
    marks.iter().map(|m| m.awarded).sum::<f64>() * 100.0 / max
}

/// Whether `score` reaches `passing` (percent), allowing for the error of
/// floating point in the ratio (7 of 10 points passes at 70).
pub fn passes(score: f64, passing: u8) -> bool {
    score + FLOAT_SLACK >= f64::from(passing)
}
