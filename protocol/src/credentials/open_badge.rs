//! The Open Badges 3.0 `OpenBadgeCredential` a completed course earns: a
//! W3C Verifiable Credential 2.0 whose issuer is the node (an OB `Profile`
//! identified by the node's `did:key`), whose subject is the member's
//! `did:key` and whose `achievement` is the course.
//!
//! Open Badges' context has no term for a course's level, so the level is a
//! `tag` (`level:beginner`), beside the course's own tags; the category is
//! the `fieldOfStudy`.

use super::contexts::{CREDENTIALS_V2, OPEN_BADGES_V3};
use super::status_list::status_entry;
use serde_json::{json, Map, Value};

/// The issuing node, as the credential names it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssuerProfile {
    /// The node's `did:key` (ed25519).
    pub did: String,
    /// The node's name.
    pub name: String,
    /// The node's home page.
    pub url: String,
}

/// The course a certificate is for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CourseAchievement {
    /// The course's URL (the achievement's id).
    pub id: String,
    /// The course's title.
    pub name: String,
    /// The course's description (plain text or Markdown).
    pub description: String,
    /// What earning it takes, in words.
    pub criteria: String,
    /// `beginner`, `intermediate` or `advanced`.
    pub level: String,
    /// The course's category (empty: none).
    pub category: String,
    /// The course's tags.
    pub tags: Vec<String>,
}

/// Everything an `OpenBadgeCredential` for a course completion says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CertificateInput {
    /// The credential's id (its URL on the issuing node).
    pub id: String,
    /// Who issues it.
    pub issuer: IssuerProfile,
    /// The member's `did:key`.
    pub subject_did: String,
    /// The member's display name (empty: left out).
    pub subject_name: String,
    /// The course.
    pub achievement: CourseAchievement,
    /// When it takes effect (RFC 3339, seconds, UTC): the completion time.
    pub valid_from: String,
    /// The status list credential's URL and this credential's index in it.
    pub status: Option<(String, u64)>,
}

/// The unsigned credential for `input`.
pub fn build(input: &CertificateInput) -> Map<String, Value> {
    let a = &input.achievement;
    let mut tags: Vec<Value> = vec![format!("level:{}", a.level).into()];
    tags.extend(a.tags.iter().map(|t| Value::from(t.as_str())));
    let mut achievement = json!({
        "id": a.id,
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": a.name,
        "description": a.description,
        "criteria": {"narrative": a.criteria},
        "tag": tags,
    });
    if !a.category.is_empty() {
        achievement["fieldOfStudy"] = a.category.clone().into();
    }
    let mut subject = json!({
        "id": input.subject_did,
        "type": ["AchievementSubject"],
        "achievement": achievement,
    });
    if !input.subject_name.is_empty() {
        // `name` is an Open Badges term on any object; a subject's name is
        // what a wallet shows beside the badge.
        subject["name"] = input.subject_name.clone().into();
    }
    let mut credential = Map::new();
    credential.insert("@context".into(), json!([CREDENTIALS_V2, OPEN_BADGES_V3]));
    credential.insert("id".into(), input.id.clone().into());
    credential.insert(
        "type".into(),
        json!(["VerifiableCredential", "OpenBadgeCredential"]),
    );
    credential.insert("name".into(), a.name.clone().into());
    credential.insert(
        "issuer".into(),
        json!({
            "id": input.issuer.did,
            "type": ["Profile"],
            "name": input.issuer.name,
            "url": input.issuer.url,
        }),
    );
    credential.insert("validFrom".into(), input.valid_from.clone().into());
    credential.insert("credentialSubject".into(), subject);
    if let Some((list, index)) = &input.status {
        credential.insert("credentialStatus".into(), status_entry(list, *index));
    }
    credential
}
