//! Issuing a certificate when a course is completed.

use super::{rfc3339, Certificate, LIST_BITS};
use crate::courses::{Completion, Course, CourseLevel};
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{tables, Txn};
use crate::NodeError;
use protocol::credentials::open_badge::{
    build, CertificateInput, CourseAchievement, IssuerProfile,
};

/// What earning a course's certificate takes, as the credential says it.
const CRITERIA: &str = "Completed every lesson of the course and passed every required assessment.";

impl Node {
    /// Issues `member`'s certificate for `course` in `txn`, the write that
    /// records `completion`: when the course grants one, the member has a
    /// did:key (an account of another server without a published ed25519
    /// key has none: its completion is recorded, no certificate is
    /// issued), and none was issued for this completion yet, with the
    /// node's `certificate` attestation about the member. A
    /// certificate of an account of another server is offered to it in the
    /// same write (`Outgoing::CertificateOffer`). Signing is a
    /// few milliseconds of CPU inside the write; in exchange a completion
    /// can never be durable without its certificate. Returns its id.
    pub(crate) fn issue_certificate(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        member: &Member,
        completion: &Completion,
    ) -> NodeResult<Option<Id>> {
        let subject = member.did();
        if !course.certificate
            || subject.is_empty()
            || txn.has::<tables::CourseCertificates>((course.id, member.id))?
        {
            return Ok(None);
        }
        let id = self.ids.next();
        let index = u64::try_from(txn.add::<tables::CertificateStatusNext>((), 1)? - 1)
            .map_err(|_| NodeError::Internal("status index".into()))?;
        let urls = self.urls();
        let valid_from = rfc3339(completion.completed_at);
        let issuer = self.node_did();
        let input = CertificateInput {
            id: urls.certificate_page(id),
            issuer: IssuerProfile {
                did: issuer.clone(),
                name: self.settings().name,
                url: urls.home_page(),
            },
            subject_did: subject,
            subject_name: if member.profile.full_name.is_empty() {
                member.username.clone()
            } else {
                member.profile.full_name.clone()
            },
            achievement: CourseAchievement {
                id: urls.course_page(course.id),
                name: course.title.clone(),
                description: course.description.clone(),
                criteria: CRITERIA.into(),
                level: match course.level {
                    CourseLevel::Beginner => "beginner",
                    CourseLevel::Intermediate => "intermediate",
                    CourseLevel::Advanced => "advanced",
                }
                .into(),
                category: course.category.clone().unwrap_or_default(),
                tags: course.tags.clone(),
            },
            valid_from: valid_from.clone(),
            status: Some((urls.certificate_status_list(index / LIST_BITS), index)),
        };
        let mut credential = build(&input);
        let key = self.node_ed25519()?;
        protocol::credentials::sign::<NodeError>(
            &mut credential,
            &issuer,
            &valid_from,
            true,
            |m| Ok(key.sign(m)),
        )?;
        let certificate = Certificate {
            id,
            member: member.id,
            course: course.id,
            issued_at: completion.completed_at,
            status_index: index,
            revoked_at: None,
            revoked_by: None,
            credential,
        };
        txn.store::<tables::Certificate>(id, &certificate)?;
        txn.store::<tables::MemberCertificates>((member.id, id), &())?;
        txn.store::<tables::CourseCertificates>((course.id, member.id), &id)?;
        // The node's own attestation of the completion, in the same write.
        self.attest_completion(txn, course, member, completion.completed_at)?;
        if !member.is_local() {
            // Earned here by an account of another server: offered to it
            // alone, at home.
            self.federate(
                txn,
                crate::remote::Outgoing::CertificateOffer { certificate: id },
            )?;
        }
        tracing::info!(certificate = %id, course = %course.id, member = %member.username, "certificate issued");
        Ok(Some(id))
    }
}
