//! Skills as the planner compares them: the slug a course tag is stored
//! as (`validate::slug`: `#` trimmed, lower case, letters, digits, `_`
//! and `-`), with runs of spaces written as one `-` first, so that a
//! profile's "Machine Learning" is the tag `machine-learning`.

use std::collections::BTreeMap;

use serde::Serialize;
use serde_json::Value;

use crate::id::Id;

/// Longest skill, in characters (as a tag).
const SKILL_CHARS: usize = 64;

/// `raw` as a skill, or `None` when it cannot be one (empty, too long,
/// other characters).
pub fn skill_of(raw: &str) -> Option<String> {
    let words: Vec<&str> = raw
        .trim()
        .trim_start_matches('#')
        .split_whitespace()
        .collect();
    let s = words.join("-").to_lowercase();
    let ok = !s.is_empty()
        && s.chars().count() <= SKILL_CHARS
        && s.chars()
            .all(|c| c.is_alphanumeric() || c == '_' || c == '-');
    ok.then_some(s)
}

/// Where a member's skill comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum SkillSource {
    /// Their profile lists it (a language or an area).
    Profile,
    /// A course they completed here is tagged with it.
    Course {
        /// The course.
        id: Id,
        /// Its title.
        title: String,
    },
    /// A certificate of another server they handed over names it as a tag
    /// of its achievement.
    Certificate {
        /// The course's URL on its server.
        url: String,
    },
}

/// A member's skills, each with the first source found (profile, then
/// completed courses, then certificates).
#[derive(Debug, Clone, Default)]
pub struct SkillSet(BTreeMap<String, SkillSource>);

impl SkillSet {
    /// Adds each of `raw` that is a skill, from `source`, unless known.
    pub fn add<'a>(&mut self, raw: impl IntoIterator<Item = &'a str>, source: &SkillSource) {
        for s in raw.into_iter().filter_map(skill_of) {
            self.0.entry(s).or_insert_with(|| source.clone());
        }
    }

    /// Where `skill` comes from, if the member has it.
    pub fn source(&self, skill: &str) -> Option<&SkillSource> {
        self.0.get(skill)
    }
}

/// The skills an Open Badges credential's achievement is tagged with
/// (its `tag` list), the `level:…` tag left out.
pub fn credential_tags(credential: &serde_json::Map<String, Value>) -> Vec<&str> {
    credential
        .get("credentialSubject")
        .and_then(|s| s.get("achievement"))
        .and_then(|a| a.get("tag"))
        .and_then(Value::as_array)
        .map(|tags| {
            tags.iter()
                .filter_map(Value::as_str)
                .filter(|t| !t.starts_with("level:"))
                .collect()
        })
        .unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn skills_are_tag_slugs_with_spaces_as_dashes() {
        assert_eq!(skill_of(" #Rust ").as_deref(), Some("rust"));
        assert_eq!(
            skill_of("Machine   Learning").as_deref(),
            Some("machine-learning")
        );
        assert_eq!(skill_of("c++"), None);
        assert_eq!(skill_of("   "), None);
        assert_eq!(skill_of(&"x".repeat(65)), None);
    }

    #[test]
    fn the_first_source_of_a_skill_is_kept() {
        let mut set = SkillSet::default();
        set.add(["Rust"], &SkillSource::Profile);
        set.add(
            ["rust", "sql"],
            &SkillSource::Certificate {
                url: "https://elsewhere.test/c/1".into(),
            },
        );
        assert_eq!(set.source("rust"), Some(&SkillSource::Profile));
        assert!(matches!(
            set.source("sql"),
            Some(SkillSource::Certificate { .. })
        ));
        assert_eq!(set.source("go"), None);
    }

    #[test]
    fn a_credential_names_its_skills_in_its_achievement_tags() {
        let credential = serde_json::json!({
            "credentialSubject": {"achievement": {"tag": ["level:beginner", "rust", 7]}}
        });
        let map = credential.as_object().expect("object");
        assert_eq!(credential_tags(map), vec!["rust"]);
    }
}
