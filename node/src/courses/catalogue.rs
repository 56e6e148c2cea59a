//! The catalogue: published and archived courses, newest first, filtered
//! by level, category and words, read from three indexes that the writes
//! creating, changing and deleting a course keep in step
//! ([`index_listing`]): `CourseCatalogue` (every listed course),
//! `CoursesByLevel (level, course)` and `CoursesByCategory (category,
//! level, course)`. Drafts are in none of them: their instructors find
//! them among the courses they teach.
//!
//! What a page costs, whatever the number of courses:
//! - no filter, a level, or a category with a level: one reverse range
//!   scan, reading as many keys and courses as the page holds;
//! - a category alone: the merge of its three level ranges, newest first
//!   (the same reads);
//! - words (`q`): the courses of the range the other filters choose are
//!   read newest first and matched until the page is full or
//!   [`TEXT_SCAN_BOUND`] courses were looked at, so a search finds what
//!   the newest [`TEXT_SCAN_BOUND`] courses of that range contain, and
//!   costs at most that many reads.

use std::iter::Peekable;

use super::model::{Course, CourseLevel, CourseStatus};
use crate::error::NodeResult;
use crate::id::Id;
use crate::node::Node;
use crate::store::{tables, Txn};

/// Most courses a search by words reads (the newest of the range the
/// other filters choose).
pub const TEXT_SCAN_BOUND: usize = 1_000;
/// Most courses the catalogue returns at once.
const CATALOGUE_LIMIT: usize = 100;

/// The catalogue's filters.
#[derive(Debug, Clone, Default)]
pub struct CourseQuery {
    /// Words that the title, description or tags contain (any case).
    pub q: Option<String>,
    /// Only this level.
    pub level: Option<CourseLevel>,
    /// Only this category slug.
    pub category: Option<String>,
    /// At most this many (up to 100).
    pub limit: Option<usize>,
}

/// Whether `course` is in the catalogue: published or archived.
fn listed(course: &Course) -> bool {
    course.status != CourseStatus::Draft
}

/// Moves `course`'s catalogue entries from what `old` was (none for a
/// new course) to what `new` is (none for a deleted one), inside the
/// write that changes it.
pub(crate) fn index_listing(
    txn: &mut Txn<'_>,
    old: Option<&Course>,
    new: Option<&Course>,
) -> NodeResult<()> {
    let entry = |c: &Course| listed(c).then(|| (c.id, c.level, c.category.clone()));
    let (before, after) = (old.and_then(entry), new.and_then(entry));
    if before == after {
        return Ok(());
    }
    if let Some((id, level, category)) = before {
        txn.remove::<tables::CourseCatalogue>(id);
        txn.remove::<tables::CoursesByLevel>((level.as_str(), id));
        if let Some(category) = category {
            txn.remove::<tables::CoursesByCategory>((category.as_str(), level.as_str(), id));
        }
    }
    if let Some((id, level, category)) = after {
        txn.store::<tables::CourseCatalogue>(id, &())?;
        txn.store::<tables::CoursesByLevel>((level.as_str(), id), &())?;
        if let Some(category) = category {
            txn.store::<tables::CoursesByCategory>((category.as_str(), level.as_str(), id), &())?;
        }
    }
    Ok(())
}

/// Ids from several newest-first streams, merged newest first.
struct NewestFirst<I: Iterator<Item = NodeResult<Id>>> {
    streams: Vec<Peekable<I>>,
}

impl<I: Iterator<Item = NodeResult<Id>>> Iterator for NewestFirst<I> {
    type Item = NodeResult<Id>;

    fn next(&mut self) -> Option<NodeResult<Id>> {
        let mut newest: Option<(usize, Id)> = None;
        for (i, stream) in self.streams.iter_mut().enumerate() {
            match stream.peek() {
                // An error is handed on at once.
                Some(Err(_)) => return stream.next(),
                Some(Ok(id)) if newest.is_none_or(|(_, n)| *id > n) => newest = Some((i, *id)),
                _ => {}
            }
        }
        let (i, _) = newest?;
        self.streams[i].next()
    }
}

/// The lower-cased words of `q`.
fn words_of(q: Option<&str>) -> Vec<String> {
    q.unwrap_or("")
        .split_whitespace()
        .map(str::to_lowercase)
        .collect()
}

/// Whether the title, description or tags of `course` contain every one
/// of `words` (any case).
fn contains_words(course: &Course, words: &[String]) -> bool {
    let text = format!(
        "{} {} {}",
        course.title,
        course.description,
        course.tags.join(" ")
    )
    .to_lowercase();
    words.iter().all(|w| text.contains(w.as_str()))
}

impl Node {
    /// The catalogue: published and archived courses, newest first, of
    /// `query.level` and `query.category` when given (from their
    /// indexes, so every match is found however many courses there are),
    /// containing the words of `query.q` (among the newest
    /// [`TEXT_SCAN_BOUND`] courses the other filters allow; see the
    /// module's doc for the cost). The same for every viewer.
    pub fn courses(&self, query: &CourseQuery) -> NodeResult<Vec<Course>> {
        let limit = query.limit.unwrap_or(20).clamp(1, CATALOGUE_LIMIT);
        let words = words_of(query.q.as_deref());
        let ids: Box<dyn Iterator<Item = NodeResult<Id>> + '_> =
            match (query.category.as_deref(), query.level) {
                (Some(category), Some(level)) => Box::new(
                    self.store
                        .scan::<tables::CoursesByCategory>((category, level.as_str()), true)
                        .keys()
                        .map(|k| k.map(|(_, _, id)| id)),
                ),
                (Some(category), None) => Box::new(NewestFirst {
                    streams: CourseLevel::ALL
                        .iter()
                        .map(|level| {
                            self.store
                                .scan::<tables::CoursesByCategory>((category, level.as_str()), true)
                                .keys()
                                .map(|k| k.map(|(_, _, id)| id))
                                .peekable()
                        })
                        .collect(),
                }),
                (None, Some(level)) => Box::new(
                    self.store
                        .scan::<tables::CoursesByLevel>((level.as_str(),), true)
                        .keys()
                        .map(|k| k.map(|(_, id)| id)),
                ),
                (None, None) => {
                    Box::new(self.store.scan::<tables::CourseCatalogue>((), true).keys())
                }
            };
        let looked_at = if words.is_empty() {
            usize::MAX
        } else {
            TEXT_SCAN_BOUND
        };
        let mut out = Vec::with_capacity(limit);
        for id in ids.take(looked_at) {
            let Some(course) = self.store.load::<tables::Course>(id?)? else {
                continue;
            };
            if words.is_empty() || contains_words(&course, &words) {
                out.push(course);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }
}
