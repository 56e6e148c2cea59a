//! What an attestation says, typed: an endorsed skill, an attended event,
//! a completed course, a mentor, an accepted contribution.
//!
//! An attestation is stored under (subject, attester, claim), so two
//! attestations by one attester about one subject differ by their claim.
//! Every kind but `skill` therefore writes its kind as the claim's prefix
//! (`attended:<event>`, `certificate:<course>`, `mentored:<topic>`,
//! `contribution:<group>:<what>`), and a skill claim may not start with
//! one of those prefixes. Records written before kinds existed carry no
//! kind: they read as `attended` when their claim says so, else `skill`.

use serde::{Deserialize, Serialize};

/// The kind of an attestation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AttestationKind {
    /// A member endorses a skill of another (`rust`, `mentoring`...).
    Skill,
    /// An event's organiser checked the subject in (`attended:<event>`).
    Attended,
    /// The node certifies the subject completed a course
    /// (`certificate:<course>`), signed with the node's key.
    Certificate,
    /// A mentee says the subject mentored them (`mentored:<topic>`).
    Mentored,
    /// A group's owner or moderator says the subject's contribution was
    /// accepted in the group (`contribution:<group>:<what>`).
    Contribution,
}

impl AttestationKind {
    /// Every kind, in the order the API lists them.
    pub const ALL: [AttestationKind; 5] = [
        AttestationKind::Skill,
        AttestationKind::Attended,
        AttestationKind::Certificate,
        AttestationKind::Mentored,
        AttestationKind::Contribution,
    ];

    /// Its name on the wire and in the API.
    pub fn as_str(self) -> &'static str {
        match self {
            AttestationKind::Skill => "skill",
            AttestationKind::Attended => "attended",
            AttestationKind::Certificate => "certificate",
            AttestationKind::Mentored => "mentored",
            AttestationKind::Contribution => "contribution",
        }
    }

    /// The kind named `name`, if any.
    pub fn parse(name: &str) -> Option<AttestationKind> {
        Self::ALL.into_iter().find(|k| k.as_str() == name)
    }

    /// The prefix its claims start with (`None` for `skill`).
    pub fn prefix(self) -> Option<&'static str> {
        match self {
            AttestationKind::Skill => None,
            AttestationKind::Attended => Some("attended:"),
            AttestationKind::Certificate => Some("certificate:"),
            AttestationKind::Mentored => Some("mentored:"),
            AttestationKind::Contribution => Some("contribution:"),
        }
    }

    /// The kind a record without one reads as (written before kinds
    /// existed): `attended` for an `attended:` claim, else `skill`.
    pub fn legacy(claim: &str) -> AttestationKind {
        if claim.starts_with("attended:") {
            AttestationKind::Attended
        } else {
            AttestationKind::Skill
        }
    }

    /// The kind a claim's prefix names (`skill` when none does).
    pub fn of_claim(claim: &str) -> AttestationKind {
        Self::ALL
            .into_iter()
            .find(|k| k.prefix().is_some_and(|p| claim.starts_with(p)))
            .unwrap_or(AttestationKind::Skill)
    }

    /// Checks that `claim` fits this kind: its prefix, and something after
    /// it; a skill claim starts with no kind's prefix.
    pub fn check_claim(self, claim: &str) -> Result<(), String> {
        match self.prefix() {
            None if Self::of_claim(claim) != AttestationKind::Skill => Err(format!(
                "a skill claim may not start with '{}'",
                Self::of_claim(claim).prefix().unwrap_or_default()
            )),
            None => Ok(()),
            Some(p) => match claim.strip_prefix(p) {
                Some(rest) if !rest.is_empty() => Ok(()),
                _ => Err(format!(
                    "a {} claim is '{p}' and what it is about",
                    self.as_str()
                )),
            },
        }
    }

    /// The kind a received record says it is (`None`: written before
    /// kinds, read by [`AttestationKind::legacy`]), checked against its
    /// claim.
    pub fn received(kind: Option<&str>, claim: &str) -> Result<AttestationKind, String> {
        let Some(name) = kind else {
            return Ok(Self::legacy(claim));
        };
        let kind = Self::parse(name).ok_or_else(|| format!("unknown kind '{name}'"))?;
        kind.check_claim(claim)?;
        Ok(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_and_claims_agree() {
        for kind in AttestationKind::ALL {
            assert_eq!(AttestationKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(AttestationKind::parse("badge"), None);
        assert!(AttestationKind::Skill.check_claim("rust").is_ok());
        assert!(AttestationKind::Skill.check_claim("mentored:rust").is_err());
        assert!(AttestationKind::Mentored
            .check_claim("mentored:rust")
            .is_ok());
        assert!(AttestationKind::Mentored.check_claim("mentored:").is_err());
        assert!(AttestationKind::Mentored.check_claim("rust").is_err());
        assert_eq!(
            AttestationKind::of_claim("contribution:rustaceans:docs"),
            AttestationKind::Contribution
        );
        // Records older than kinds.
        assert_eq!(
            AttestationKind::legacy("attended:01abc"),
            AttestationKind::Attended
        );
        assert_eq!(AttestationKind::legacy("rust"), AttestationKind::Skill);
        assert_eq!(
            AttestationKind::received(None, "attended:01abc"),
            Ok(AttestationKind::Attended)
        );
        assert!(AttestationKind::received(Some("certificate"), "rust").is_err());
        assert!(AttestationKind::received(Some("gold"), "rust").is_err());
    }
}
