//! The catalogue: published and archived courses, newest first, filtered
//! by level, category and words, read from four indexes that the writes
//! creating, changing and deleting a course keep in step
//! ([`index_listing`]): `CourseCatalogue` (every listed course),
//! `CoursesByLevel (level, course)`, `CoursesByCategory (category,
//! level, course)` and `CourseWords (word, course)` (the distinct words
//! of its title, tags and description, as posts are indexed). Drafts are
//! in none of them: their instructors find them among the courses they
//! teach.
//!
//! What a page costs, whatever the number of courses:
//! - no filter, a level, or a category with a level: one reverse range
//!   scan, reading as many keys and courses as the page holds;
//! - a category alone: the merge of its three level ranges, newest first
//!   (the same reads);
//! - words (`q`, whole words, any case, at most [`MAX_QUERY_WORDS`]):
//!   each word's range and the range the other filters choose are
//!   intersected newest first, keys only, each read at most
//!   [`WORD_SCAN_BUDGET`] keys deep; only the courses in every range are
//!   read. A search finds every match among the newest
//!   [`WORD_SCAN_BUDGET`] courses holding each of its words.

use std::iter::Peekable;

use super::model::{Course, CourseLevel, CourseStatus};
use crate::error::NodeResult;
use crate::id::Id;
use crate::node::Node;
use crate::store::{tables, Txn};

/// Most keys a search by words reads of each range it intersects.
pub const WORD_SCAN_BUDGET: usize = 20_000;
/// Most words of a search used.
pub const MAX_QUERY_WORDS: usize = 5;
/// Most courses the catalogue returns at once.
const CATALOGUE_LIMIT: usize = 100;

/// The catalogue's filters.
#[derive(Debug, Clone, Default)]
pub struct CourseQuery {
    /// Whole words that the title, description or tags contain (any case).
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

/// The words a listed course is found by: those of its title, tags and
/// description.
fn indexed_words(course: &Course) -> Vec<String> {
    crate::posts::words(&format!(
        "{} {} {}",
        course.title,
        course.tags.join(" "),
        course.description
    ))
}

/// Moves `course`'s catalogue entries from what `old` was (none for a
/// new course) to what `new` is (none for a deleted one), inside the
/// write that changes it.
pub(crate) fn index_listing(
    txn: &mut Txn<'_>,
    old: Option<&Course>,
    new: Option<&Course>,
) -> NodeResult<()> {
    let entry =
        |c: &Course| listed(c).then(|| (c.id, c.level, c.category.clone(), indexed_words(c)));
    let (before, after) = (old.and_then(entry), new.and_then(entry));
    if before == after {
        return Ok(());
    }
    if let Some((id, level, category, words)) = before {
        txn.remove::<tables::CourseCatalogue>(id);
        txn.remove::<tables::CoursesByLevel>((level.as_str(), id));
        if let Some(category) = category {
            txn.remove::<tables::CoursesByCategory>((category.as_str(), level.as_str(), id));
        }
        for word in &words {
            txn.remove::<tables::CourseWords>((word.as_str(), id));
        }
    }
    if let Some((id, level, category, words)) = after {
        txn.store::<tables::CourseCatalogue>(id, &())?;
        txn.store::<tables::CoursesByLevel>((level.as_str(), id), &())?;
        if let Some(category) = category {
            txn.store::<tables::CoursesByCategory>((category.as_str(), level.as_str(), id), &())?;
        }
        for word in &words {
            txn.store::<tables::CourseWords>((word.as_str(), id), &())?;
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

/// The ids in every one of several newest-first streams, newest first.
struct InEvery<I: Iterator<Item = NodeResult<Id>>> {
    streams: Vec<Peekable<I>>,
}

impl<I: Iterator<Item = NodeResult<Id>>> Iterator for InEvery<I> {
    type Item = NodeResult<Id>;

    fn next(&mut self) -> Option<NodeResult<Id>> {
        'candidates: loop {
            // The candidate: the oldest of the streams' heads; a newer
            // head cannot be in the stream whose head is older.
            let mut target: Option<Id> = None;
            for stream in &mut self.streams {
                match stream.peek()? {
                    Err(_) => return stream.next(),
                    Ok(id) => target = Some(target.map_or(*id, |t: Id| t.min(*id))),
                }
            }
            let target = target?;
            for stream in &mut self.streams {
                loop {
                    match stream.peek()? {
                        Err(_) => return stream.next(),
                        Ok(id) if *id > target => {
                            stream.next();
                        }
                        Ok(id) if *id == target => break,
                        Ok(_) => continue 'candidates,
                    }
                }
            }
            for stream in &mut self.streams {
                stream.next();
            }
            return Some(Ok(target));
        }
    }
}

impl Node {
    /// The catalogue: published and archived courses, newest first, of
    /// `query.level` and `query.category` when given (from their
    /// indexes, so every match is found however many courses there are),
    /// containing every word of `query.q` (from the word index; see the
    /// module's doc for the cost). The same for every viewer.
    pub fn courses(&self, query: &CourseQuery) -> NodeResult<Vec<Course>> {
        let limit = query.limit.unwrap_or(20).clamp(1, CATALOGUE_LIMIT);
        let filtered = self.listed_ids(query);
        let words: Vec<String> = crate::posts::words(query.q.as_deref().unwrap_or(""))
            .into_iter()
            .take(MAX_QUERY_WORDS)
            .collect();
        let ids: Box<dyn Iterator<Item = NodeResult<Id>> + '_> = if words.is_empty() {
            if query.q.as_deref().is_some_and(|q| !q.trim().is_empty()) {
                // Nothing in it is a word (too short, punctuation): no match.
                return Ok(Vec::new());
            }
            filtered
        } else {
            let mut streams: Vec<Peekable<Box<dyn Iterator<Item = NodeResult<Id>> + '_>>> = words
                .iter()
                .map(|w| {
                    let stream: Box<dyn Iterator<Item = NodeResult<Id>> + '_> = Box::new(
                        self.store
                            .scan::<tables::CourseWords>((w.as_str(),), true)
                            .keys()
                            .map(|k| k.map(|(_, id)| id))
                            .take(WORD_SCAN_BUDGET),
                    );
                    stream.peekable()
                })
                .collect();
            if query.level.is_some() || query.category.is_some() {
                let bounded: Box<dyn Iterator<Item = NodeResult<Id>> + '_> =
                    Box::new(filtered.take(WORD_SCAN_BUDGET));
                streams.push(bounded.peekable());
            }
            Box::new(InEvery { streams })
        };
        let mut out = Vec::with_capacity(limit);
        for id in ids {
            if let Some(course) = self.store.load::<tables::Course>(id?)? {
                out.push(course);
                if out.len() >= limit {
                    break;
                }
            }
        }
        Ok(out)
    }

    /// The listed courses of `query`'s level and category, newest first.
    fn listed_ids(&self, query: &CourseQuery) -> Box<dyn Iterator<Item = NodeResult<Id>> + '_> {
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
            (None, None) => Box::new(self.store.scan::<tables::CourseCatalogue>((), true).keys()),
        }
    }
}
