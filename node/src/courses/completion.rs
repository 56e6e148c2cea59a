//! What a completed course leaves: the completion records (which the
//! certificates will state) and the members' ratings of the course.
//! Completing is [`Node::complete_if_done`], called in the write that
//! marks the last lesson or passes the last required assessment.

use super::model::Completion;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Most completions listed at once.
const COMPLETIONS_BOUND: usize = 1_000;

impl Node {
    /// The viewer's completions, newest course first (at most 1,000).
    pub fn my_completions(&self, viewer: &Viewer) -> NodeResult<Vec<Completion>> {
        let me = viewer.member()?.id;
        let mut out = Vec::new();
        for key in self
            .store
            .scan::<tables::MemberCompletions>((me,), true)
            .keys()
            .take(COMPLETIONS_BOUND)
        {
            let (_, course) = key?;
            if let Some(c) = self.store.load::<tables::CourseCompletion>((course, me))? {
                out.push(c);
            }
        }
        Ok(out)
    }

    /// `member`'s completion of `course`, if recorded.
    pub fn completion(&self, course: Id, member: Id) -> NodeResult<Option<Completion>> {
        self.store
            .load::<tables::CourseCompletion>((course, member))
    }

    /// Rates a course the viewer completed, 1 to 5 stars, once (409
    /// naming `rating` before completion or a second time). The course
    /// keeps the sum and the count.
    pub async fn rate_course(&self, viewer: &Viewer, course: Id, stars: u8) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        if !(1..=5).contains(&stars) {
            return Err(NodeError::invalid("rating", "must be 1 to 5"));
        }
        self.write(|txn| {
            Self::course_in(txn, course)?;
            if !txn.has::<tables::CourseCompletion>((course, me.id))? {
                return Err(NodeError::conflict(
                    "rating",
                    "complete the course before rating it",
                ));
            }
            if txn.has::<tables::CourseRatings>((course, me.id))? {
                return Err(NodeError::conflict(
                    "rating",
                    "you rated this course already",
                ));
            }
            txn.store::<tables::CourseRatings>((course, me.id), &stars)?;
            txn.add::<tables::CourseRatingSum>(course, i64::from(stars))?;
            txn.add::<tables::CourseRatingCount>(course, 1)?;
            Ok(())
        })
        .await
    }
}
