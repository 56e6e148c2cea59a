//! Bulk seeding for benchmarks only (cargo feature `bench-seed`): writes
//! many members, posts and events fast, in large batches, through the same index
//! and counter code as the real paths. Members share one key pair and one
//! password hash (generating 100,000 RSA keys would take most of an hour),
//! so seeded accounts can log in but cannot sign; never enable this
//! feature in a node that serves anyone.

use crate::community_events::CommunityEvent;
use crate::courses::Course;
use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus, Post, Profile, Role};
use crate::node::Node;
use crate::store::tables;
use identity::MemberKeys;

/// Members per write.
const MEMBERS_PER_WRITE: usize = 2_000;
/// Posts per write.
const POSTS_PER_WRITE: usize = 1_000;
/// Events per write.
const EVENTS_PER_WRITE: usize = 1_000;
/// Courses per write.
const COURSES_PER_WRITE: usize = 1_000;

impl Node {
    /// Creates `count` active members named `{prefix}{i}` (password
    /// `benchmark-password`); returns their ids.
    pub async fn bench_seed_members(&self, prefix: &str, count: usize) -> NodeResult<Vec<Id>> {
        let keys = MemberKeys::generate(&self.sealer, b"bench")?;
        let hash = crate::members::register::hash_password("benchmark-password")?;
        let mut ids = Vec::with_capacity(count);
        let mut i = 0;
        while i < count {
            let end = (i + MEMBERS_PER_WRITE).min(count);
            let batch: Vec<Member> = (i..end)
                .map(|n| {
                    let now = now_ms();
                    Member {
                        id: self.ids.next(),
                        username: format!("{prefix}{n}"),
                        email: format!("{prefix}{n}@bench.test"),
                        password_hash: hash.clone(),
                        role: Role::Member,
                        status: MemberStatus::Active,
                        locked: false,
                        profile: Profile {
                            full_name: format!("Bench Member {n}"),
                            ..Profile::default()
                        },
                        keys: keys.clone(),
                        created_at: now,
                        last_active_at: now,
                        silenced: false,
                        deleted_at: None,
                        email_unconfirmed: false,
                        remote: None,
                        kind: crate::model::AccountKind::Person,
                    }
                })
                .collect();
            self.write(|txn| {
                for m in &batch {
                    txn.store::<tables::Member>(m.id, m)?;
                    txn.store::<tables::MemberByName>(&m.username, &m.id)?;
                    txn.store::<tables::MemberByEmail>(&m.email, &m.id)?;
                    txn.add::<tables::MemberTotal>((), 1)?;
                    self.count_today(txn, crate::moderation::DailyMetric::Registrations, 1)?;
                }
                Ok(())
            })
            .await?;
            ids.extend(batch.iter().map(|m| m.id));
            i = end;
        }
        Ok(ids)
    }

    /// Writes `count` public posts spread round-robin over `authors`.
    pub async fn bench_seed_posts(&self, authors: &[Id], count: usize) -> NodeResult<()> {
        if authors.is_empty() {
            return Ok(());
        }
        let mut i = 0;
        while i < count {
            let end = (i + POSTS_PER_WRITE).min(count);
            let batch: Vec<Post> = (i..end)
                .map(|n| {
                    let id = self.ids.next();
                    let text = format!("Benchmark post number {n} about #bench things");
                    Post {
                        html: format!("<p>{text}</p>"),
                        source: text,
                        tags: vec!["bench".into()],
                        ..Post::top_level(id, authors[n % authors.len()], now_ms())
                    }
                })
                .collect();
            self.write(|txn| {
                for p in &batch {
                    self.insert_post_with(txn, p, true)?;
                    self.count_today(txn, crate::moderation::DailyMetric::Posts, 1)?;
                    self.note_active(txn, p.author_id)?;
                }
                Ok(())
            })
            .await?;
            i = end;
        }
        Ok(())
    }

    /// Writes `events` as they are, each under a new id (the id given is
    /// ignored), with the indexes `create_event` writes (start time, place,
    /// group, organiser) and nothing else: no federation, no notices.
    /// Returns the new ids in order.
    pub async fn bench_seed_events(&self, events: Vec<CommunityEvent>) -> NodeResult<Vec<Id>> {
        let mut ids = Vec::with_capacity(events.len());
        for chunk in events.chunks(EVENTS_PER_WRITE) {
            let batch: Vec<CommunityEvent> = chunk
                .iter()
                .map(|e| CommunityEvent {
                    id: self.ids.next(),
                    ..e.clone()
                })
                .collect();
            self.write(|txn| {
                for e in &batch {
                    Node::index_event(txn, e)?;
                }
                Ok(())
            })
            .await?;
            ids.extend(batch.iter().map(|e| e.id));
        }
        Ok(ids)
    }

    /// Writes `courses` as they are, each under a new id (the id given is
    /// ignored), with the indexes `create_course` writes (catalogue,
    /// level, category, instructors) and nothing else. Returns the new
    /// ids in order.
    pub async fn bench_seed_courses(&self, courses: Vec<Course>) -> NodeResult<Vec<Id>> {
        let mut ids = Vec::with_capacity(courses.len());
        for chunk in courses.chunks(COURSES_PER_WRITE) {
            let batch: Vec<Course> = chunk
                .iter()
                .map(|c| Course {
                    id: self.ids.next(),
                    ..c.clone()
                })
                .collect();
            self.write(|txn| {
                for c in &batch {
                    txn.store::<tables::Course>(c.id, c)?;
                    crate::courses::index_listing(txn, None, Some(c))?;
                    for m in &c.instructors {
                        txn.store::<tables::CoursesByInstructor>((*m, c.id), &())?;
                    }
                }
                Ok(())
            })
            .await?;
            ids.extend(batch.iter().map(|c| c.id));
        }
        Ok(ids)
    }
}
