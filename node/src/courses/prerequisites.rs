//! The prerequisite graph: edges from a course to the courses to complete
//! first. Checked inside the write that changes it: the local courses
//! named exist (and a draft is named only by its instructors), and no
//! chain of prerequisites leads back to the course.
//!
//! Remote prerequisites are recorded by URL; whether a member completed
//! one is asked of a [`RemoteCompletions`] (certificates from other nodes
//! will answer it), so enrolment says which one is missing meanwhile.

use std::collections::{HashMap, VecDeque};

use serde::Serialize;

use super::model::{Course, CourseStatus, Prerequisite};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::Node;
use crate::store::{tables, Txn};

/// Most courses the cycle check visits: a longer chain is refused.
const GRAPH_BOUND: usize = 5_000;

/// Answers whether a member completed a course of another server.
pub trait RemoteCompletions: Send + Sync {
    /// Whether `member` holds a verified completion of the course at
    /// `url`.
    fn completed(&self, member: &Member, url: &str) -> bool;
}

/// Knows of no completion elsewhere: every remote prerequisite is missing.
#[derive(Debug, Clone, Copy, Default)]
pub struct NoRemoteCompletions;

impl RemoteCompletions for NoRemoteCompletions {
    fn completed(&self, _member: &Member, _url: &str) -> bool {
        false
    }
}

/// A prerequisite a member has not completed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum MissingPrerequisite {
    /// A course of this node.
    Course {
        /// Its id.
        id: Id,
        /// Its title.
        title: String,
    },
    /// A course of another server.
    Remote {
        /// Its URL.
        url: String,
    },
}

impl std::fmt::Display for MissingPrerequisite {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            MissingPrerequisite::Course { id, title } => write!(f, "{title:?} ({id})"),
            MissingPrerequisite::Remote { url } => write!(f, "{url}"),
        }
    }
}

/// How a course is named in messages: its title and id.
fn named(course: &Course) -> String {
    format!("{:?} ({})", course.title, course.id)
}

impl Node {
    /// Checks `course`'s prerequisites inside `txn`: each local one exists
    /// and may be named by `editor` (a draft only by its instructors), and
    /// none leads back to `course`. A cycle is a 409 naming it, in order
    /// (`"A" (id) → "B" (id) → "A" (id)`).
    pub(crate) fn check_prerequisites(
        txn: &Txn<'_>,
        course: &Course,
        editor: &Member,
    ) -> NodeResult<()> {
        for p in &course.prerequisites {
            let Prerequisite::Course { id } = p else {
                continue;
            };
            if *id == course.id {
                return Err(NodeError::conflict(
                    "prerequisites",
                    format!(
                        "this would make a cycle: {} → {}",
                        named(course),
                        named(course)
                    ),
                ));
            }
            let other = txn
                .load::<tables::Course>(*id)?
                .filter(|c| {
                    c.status != CourseStatus::Draft
                        || Self::instructs(txn, c, editor.id).unwrap_or(false)
                })
                .ok_or_else(|| {
                    NodeError::invalid("prerequisites", format!("no course {id} here"))
                })?;
            if let Some(path) = Self::path_to(txn, &other, course.id)? {
                let mut names = vec![named(course)];
                names.extend(path.iter().map(named));
                names.push(named(course));
                return Err(NodeError::conflict(
                    "prerequisites",
                    format!("this would make a cycle: {}", names.join(" → ")),
                ));
            }
        }
        Ok(())
    }

    /// The shortest chain of prerequisites from `from` to a course that
    /// requires `target` (`from` first), if there is one. Reads the
    /// stored graph (breadth first, at most [`GRAPH_BOUND`] courses).
    fn path_to(txn: &Txn<'_>, from: &Course, target: Id) -> NodeResult<Option<Vec<Course>>> {
        let mut parent: HashMap<Id, Option<Id>> = HashMap::new();
        let mut seen: HashMap<Id, Course> = HashMap::new();
        let mut queue = VecDeque::new();
        parent.insert(from.id, None);
        seen.insert(from.id, from.clone());
        queue.push_back(from.id);
        while let Some(at) = queue.pop_front() {
            let Some(course) = seen.get(&at).cloned() else {
                continue;
            };
            for p in &course.prerequisites {
                let Prerequisite::Course { id } = p else {
                    continue;
                };
                if *id == target {
                    let mut path = vec![course.clone()];
                    let mut cursor = parent.get(&at).copied().flatten();
                    while let Some(c) = cursor {
                        if let Some(found) = seen.get(&c) {
                            path.push(found.clone());
                        }
                        cursor = parent.get(&c).copied().flatten();
                    }
                    path.reverse();
                    return Ok(Some(path));
                }
                if parent.contains_key(id) {
                    continue;
                }
                if parent.len() >= GRAPH_BOUND {
                    return Err(NodeError::conflict(
                        "prerequisites",
                        format!("the chain of prerequisites is longer than {GRAPH_BOUND} courses"),
                    ));
                }
                if let Some(next) = txn.load::<tables::Course>(*id)? {
                    parent.insert(*id, Some(at));
                    seen.insert(*id, next);
                    queue.push_back(*id);
                }
            }
        }
        Ok(None)
    }

    /// Updates the reverse edges (`CourseRequiredBy`) from `old` to `new`
    /// prerequisites of `course`.
    pub(crate) fn index_prerequisites(
        txn: &mut Txn<'_>,
        course: Id,
        old: &[Prerequisite],
        new: &[Prerequisite],
    ) -> NodeResult<()> {
        for p in old {
            if let Prerequisite::Course { id } = p {
                if !new.contains(p) {
                    txn.remove::<tables::CourseRequiredBy>((*id, course));
                }
            }
        }
        for p in new {
            if let Prerequisite::Course { id } = p {
                txn.store::<tables::CourseRequiredBy>((*id, course), &())?;
            }
        }
        Ok(())
    }

    /// The prerequisites of `course` that `member` has not completed, in
    /// the course's order: local ones by their `CourseCompletion` (read
    /// in `txn`), remote ones as `remote` answers.
    pub(crate) fn missing_prerequisites_in(
        txn: &Txn<'_>,
        course: &Course,
        member: &Member,
        remote: &dyn RemoteCompletions,
    ) -> NodeResult<Vec<MissingPrerequisite>> {
        missing(
            course,
            member,
            remote,
            |id| txn.has::<tables::CourseCompletion>((id, member.id)),
            |id| Ok(txn.load::<tables::Course>(id)?.map(|c| c.title)),
        )
    }

    /// [`Node::missing_prerequisites_in`], read from the store.
    pub(crate) fn missing_prerequisites(
        &self,
        course: &Course,
        member: &Member,
        remote: &dyn RemoteCompletions,
    ) -> NodeResult<Vec<MissingPrerequisite>> {
        missing(
            course,
            member,
            remote,
            |id| self.store.has::<tables::CourseCompletion>((id, member.id)),
            |id| Ok(self.store.load::<tables::Course>(id)?.map(|c| c.title)),
        )
    }
}

/// The prerequisites of `course` that `member` has not completed:
/// `completed` says whether a local course is, `title` names it.
fn missing(
    course: &Course,
    member: &Member,
    remote: &dyn RemoteCompletions,
    completed: impl Fn(Id) -> NodeResult<bool>,
    title: impl Fn(Id) -> NodeResult<Option<String>>,
) -> NodeResult<Vec<MissingPrerequisite>> {
    let mut out = Vec::new();
    for p in &course.prerequisites {
        match p {
            Prerequisite::Course { id } => {
                if !completed(*id)? {
                    out.push(MissingPrerequisite::Course {
                        id: *id,
                        title: title(*id)?.unwrap_or_default(),
                    });
                }
            }
            Prerequisite::Remote { url } => {
                if !remote.completed(member, url) {
                    out.push(MissingPrerequisite::Remote { url: url.clone() });
                }
            }
        }
    }
    Ok(out)
}
