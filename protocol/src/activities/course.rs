//! A course as Kodeon nodes publish it: an ActivityStreams `Article`
//! (which Mastodon shows as a post with its name, summary and a link to
//! its `url`) carrying Kodeon's terms ([`COURSE_NAMESPACE`]) for what
//! another Kodeon node needs to list it and take enrolments. An `Article`
//! is a course when it has an `enrolmentMode` ([`CourseObject::is_course`]).
//! Read leniently, as every received object is; what is kept and how
//! much of it is the reader's to bound.

use serde::{Deserialize, Serialize};

use super::event::EventTag;
use super::refs::{count, flag, href, reference, string, Audience, HasId, Kind, OneOrMany};
use super::refs::{ObjectRef, Reference};

/// The namespace of Kodeon's terms (`kd:`).
pub const COURSE_NAMESPACE: &str = "https://kodeon.org/ns#";

/// The JSON-LD context of a course: ActivityStreams and Kodeon's terms.
pub fn course_context() -> serde_json::Value {
    serde_json::json!([
        super::CONTEXT,
        {
            "kd": COURSE_NAMESPACE,
            "level": "kd:level",
            "category": "kd:category",
            "moduleCount": {"@id": "kd:moduleCount", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "lessonCount": {"@id": "kd:lessonCount", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "enrolmentMode": "kd:enrolmentMode",
            "capacity": {"@id": "kd:capacity", "@type": "http://www.w3.org/2001/XMLSchema#integer"},
            "grantsCertificate": {"@id": "kd:grantsCertificate", "@type": "http://www.w3.org/2001/XMLSchema#boolean"},
            "prerequisites": {"@id": "kd:prerequisites", "@type": "@id", "@container": "@list"},
            "instructors": {"@id": "kd:instructors", "@type": "@id"},
            "group": {"@id": "kd:group", "@type": "@id"},
            "courseStatus": "kd:courseStatus",
            "price": "kd:price",
            "Hashtag": "as:Hashtag",
        }
    ])
}

/// A course object as another Kodeon node sends it.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct CourseObject {
    /// Its id.
    #[serde(default, deserialize_with = "string")]
    pub id: Option<String>,
    /// `Article`.
    #[serde(rename = "type", default)]
    pub kind: Kind,
    /// Its page (a string or a `Link`).
    #[serde(default, deserialize_with = "href")]
    pub url: Option<String>,
    /// Its title.
    #[serde(default, deserialize_with = "string")]
    pub name: Option<String>,
    /// Level, duration and instructors in words (plain text in HTML).
    #[serde(default, deserialize_with = "string")]
    pub summary: Option<String>,
    /// Its description (HTML).
    #[serde(default, deserialize_with = "string")]
    pub content: Option<String>,
    /// Its instructor, or the group teaching it.
    #[serde(default, deserialize_with = "reference")]
    pub attributed_to: Option<Reference>,
    /// `beginner`, `intermediate` or `advanced`.
    #[serde(default, deserialize_with = "string")]
    pub level: Option<String>,
    /// Category slug.
    #[serde(default, deserialize_with = "string")]
    pub category: Option<String>,
    /// How long it takes (ISO 8601, `PT8H30M`).
    #[serde(default, deserialize_with = "string")]
    pub duration: Option<String>,
    /// Its number of modules.
    #[serde(default, deserialize_with = "count")]
    pub module_count: Option<u32>,
    /// Its number of lessons.
    #[serde(default, deserialize_with = "count")]
    pub lesson_count: Option<u32>,
    /// `open`, `approval` or `invite`.
    #[serde(default, deserialize_with = "string")]
    pub enrolment_mode: Option<String>,
    /// Seats, if limited.
    #[serde(default, deserialize_with = "count")]
    pub capacity: Option<u32>,
    /// Whether completing it earns a certificate.
    #[serde(default, deserialize_with = "flag")]
    pub grants_certificate: Option<bool>,
    /// `published` or `archived`.
    #[serde(default, deserialize_with = "string")]
    pub course_status: Option<String>,
    /// Its price in words (`49.99 USD`), if any.
    #[serde(default, deserialize_with = "string")]
    pub price: Option<String>,
    /// The URLs of the courses to complete first.
    #[serde(default)]
    pub prerequisites: Audience,
    /// The actor ids of its instructors.
    #[serde(default)]
    pub instructors: Audience,
    /// The group teaching it, if a group does.
    #[serde(default, deserialize_with = "reference")]
    pub group: Option<Reference>,
    /// Hashtags.
    #[serde(default)]
    pub tag: OneOrMany<EventTag>,
    /// Primary audience.
    #[serde(default)]
    pub to: Audience,
    /// Secondary audience.
    #[serde(default)]
    pub cc: Audience,
}

impl CourseObject {
    /// Whether it is a course: an `Article` with an `enrolmentMode`.
    pub fn is_course(&self) -> bool {
        self.kind.as_str() == "Article" && self.enrolment_mode.is_some()
    }

    /// The id of the account it belongs to (`attributedTo`).
    pub fn owner(&self) -> Option<&str> {
        self.attributed_to.as_ref().and_then(ObjectRef::id)
    }

    /// Whether it is addressed to everyone.
    pub fn is_public(&self) -> bool {
        let public = |a: &Audience| {
            a.ids().iter().any(|id| {
                id == crate::activitystreams::PUBLIC || id == "as:Public" || id == "Public"
            })
        };
        public(&self.to) || public(&self.cc)
    }

    /// Its duration in minutes, when `duration` is an ISO 8601 duration
    /// of days, hours and minutes (`P1DT2H`, `PT90M`).
    pub fn duration_minutes(&self) -> Option<u32> {
        iso_minutes(self.duration.as_deref()?)
    }
}

impl HasId for CourseObject {
    fn id(&self) -> Option<&str> {
        self.id.as_deref()
    }
}

/// `minutes` as an ISO 8601 duration (`PT8H30M`, `PT0M`).
pub fn iso_duration(minutes: u32) -> String {
    let (h, m) = (minutes / 60, minutes % 60);
    match (h, m) {
        (0, m) => format!("PT{m}M"),
        (h, 0) => format!("PT{h}H"),
        (h, m) => format!("PT{h}H{m}M"),
    }
}

/// The minutes of an ISO 8601 duration of days, hours, minutes (and
/// seconds, dropped); `None` for anything else (years, months, weeks,
/// fractions) or more than `u32::MAX` minutes.
fn iso_minutes(s: &str) -> Option<u32> {
    let rest = s.strip_prefix('P')?;
    let (days, time) = match rest.split_once('T') {
        Some((d, t)) => (d, t),
        None => (rest, ""),
    };
    let mut total: u64 = 0;
    let mut read = |part: &str, units: &[(char, u64)]| -> Option<()> {
        let mut number = String::new();
        for c in part.chars() {
            if c.is_ascii_digit() {
                if number.len() >= 9 {
                    return None;
                }
                number.push(c);
                continue;
            }
            let factor = units.iter().find(|(u, _)| *u == c)?.1;
            total = total.checked_add(number.parse::<u64>().ok()?.checked_mul(factor)?)?;
            number.clear();
        }
        number.is_empty().then_some(())
    };
    read(days, &[('D', 24 * 60 * 60)])?;
    read(time, &[('H', 3_600), ('M', 60), ('S', 1)])?;
    if days.is_empty() && time.is_empty() {
        return None;
    }
    u32::try_from(total / 60).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_go_there_and_back() {
        for m in [0, 45, 60, 150, 480] {
            let object = CourseObject {
                duration: Some(iso_duration(m)),
                ..CourseObject::default()
            };
            assert_eq!(object.duration_minutes(), Some(m), "{}", iso_duration(m));
        }
        assert_eq!(iso_minutes("P1DT30M"), Some(24 * 60 + 30));
        for bad in ["", "P", "8 hours", "P1Y", "PT1.5H", "PT99999999999H", "PTH"] {
            assert_eq!(iso_minutes(bad), None, "{bad}");
        }
    }

    #[test]
    fn a_course_is_an_article_with_an_enrolment_mode_and_reads_leniently() {
        let object: CourseObject = serde_json::from_value(serde_json::json!({
            "id": "https://a.example/users/ann/courses/1",
            "type": "Article",
            "name": "Rust",
            "attributedTo": {"id": "https://a.example/users/ann"},
            "enrolmentMode": "open",
            "capacity": "lots",
            "lessonCount": 12,
            "prerequisites": ["https://a.example/users/ann/courses/0"],
            "to": "https://www.w3.org/ns/activitystreams#Public",
        }))
        .expect("course");
        assert!(object.is_course());
        assert!(object.is_public());
        assert_eq!(object.owner(), Some("https://a.example/users/ann"));
        assert_eq!(
            object.capacity, None,
            "a value of another shape reads as absent"
        );
        assert_eq!(object.lesson_count, Some(12));
        assert_eq!(object.prerequisites.ids().len(), 1);
        let article: CourseObject =
            serde_json::from_value(serde_json::json!({"type": "Article", "name": "A post"}))
                .expect("article");
        assert!(!article.is_course());
    }
}

super::activity! {
    /// An `Offer` of a certificate (an `OpenBadgeCredential`, embedded as
    /// `object`) to the one member it was issued to (`target`, and `to`),
    /// sent by the course's account to that member's inbox alone.
    #[serde(rename_all = "camelCase")]
    pub struct Offer {
        /// The credential offered (an object; anything else reads as
        /// absent).
        #[serde(default, deserialize_with = "json_object")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub object: Option<serde_json::Map<String, serde_json::Value>>,
        /// The member it is for.
        #[serde(default, deserialize_with = "reference")]
        #[serde(skip_serializing_if = "Option::is_none")]
        pub target: Option<Reference>,
        /// Primary audience.
        #[serde(default)]
        pub to: Audience,
    }
}

impl Offer {
    /// The id of the member it is for: `target`, else the only `to`.
    pub fn recipient(&self) -> Option<&str> {
        self.target
            .as_ref()
            .and_then(ObjectRef::id)
            .or_else(|| match self.to.ids() {
                [one] => Some(one.as_str()),
                _ => None,
            })
    }
}

/// A JSON object as it is, anything else as absent.
fn json_object<'de, D: serde::Deserializer<'de>>(
    d: D,
) -> Result<Option<serde_json::Map<String, serde_json::Value>>, D::Error> {
    Ok(match serde_json::Value::deserialize(d)? {
        serde_json::Value::Object(map) => Some(map),
        _ => None,
    })
}
