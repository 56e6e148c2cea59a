//! Recommendations of people, groups, events and courses, each with the
//! reasons it was found for ("3 people you follow follow them") and its
//! score by [`formula::recommendation`]. Every read is bounded (the
//! constants below), so a member who follows thousands costs what one
//! who follows [`FOLLOWING_READ`] does. Left out: the member, what they
//! already follow, joined, registered for or enrolled in, accounts
//! blocked either way or muted, suggestions they dismissed, and
//! suspended, silenced or deleted accounts.

use std::collections::{BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::formula::{self, plural, Explanation, RecommendationCounts};
use crate::community_events::{key_ms, EventStatus};
use crate::courses::CourseStatus;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::learning_paths::skill_of;
use crate::model::{now_ms, AccountKind, Member, MemberStatus};
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut};

/// Most accounts the member follows that are read.
pub const FOLLOWING_READ: usize = 500;
/// Most accounts read of each followed person's follows.
pub const SECOND_HOP_READ: usize = 100;
/// Most of the member's groups whose members are read.
pub const GROUPS_FOR_PEOPLE: usize = 50;
/// Most members read of each of those groups.
pub const MEMBERS_PER_GROUP: usize = 200;
/// Most candidates whose records are loaded and scored.
pub const CANDIDATES_SCORED: usize = 300;
/// Most groups of the directory, events ahead and courses of the
/// catalogue looked at.
pub const ITEMS_READ: usize = 300;
/// Most recommendations per request.
pub const MAX_RECOMMENDATIONS: usize = 40;
/// Most names given in a reason ("alice, bob and 3 others").
const NAMES_SHOWN: usize = 3;

/// What to recommend.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecommendationKind {
    /// Accounts to follow.
    People,
    /// Groups to join.
    Groups,
    /// Events ahead to attend.
    Events,
    /// Courses to take.
    Courses,
}

impl RecommendationKind {
    /// Parses `people`, `groups`, `events` or `courses` (422 naming `kind`).
    pub fn parse(raw: &str) -> NodeResult<RecommendationKind> {
        match raw {
            "people" => Ok(RecommendationKind::People),
            "groups" => Ok(RecommendationKind::Groups),
            "events" => Ok(RecommendationKind::Events),
            "courses" => Ok(RecommendationKind::Courses),
            _ => Err(NodeError::invalid(
                "kind",
                "must be people, groups, events or courses",
            )),
        }
    }
}

/// Where a recommendation came from, by name (the structured form of its
/// reasons).
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Found {
    /// Usernames of people you follow who follow it, are its members,
    /// organise or teach it (at most three named; `followed_by_count` is all).
    pub followed_by: Vec<String>,
    /// How many people you follow are behind it.
    pub followed_by_count: u32,
    /// Names of your groups it shares or belongs to.
    pub groups: Vec<String>,
    /// Your skills its skills or tags name.
    pub skills: Vec<String>,
    /// The learning path it is the next step of.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub learning_path: Option<String>,
    /// The town of your profile it is in.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub near: Option<String>,
    /// Its followers, when it is suggested for being followed widely.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub popular_followers: Option<i64>,
}

/// One recommendation.
#[derive(Debug, Clone, Serialize)]
pub struct Recommendation {
    /// What it is.
    pub kind: RecommendationKind,
    /// Its id (member, group account, event or course).
    pub id: Id,
    /// Its handle (people and groups) or id (events, courses).
    pub name: String,
    /// Its display name or title.
    pub title: String,
    /// Why, in sentences.
    pub reasons: Vec<String>,
    /// Why, by name.
    pub found: Found,
    /// The score and how it was computed.
    pub explanation: Explanation,
}

/// Who is asking, read once per request.
struct Me {
    id: Id,
    following: HashSet<Id>,
    people: Vec<Id>,
    groups: Vec<Id>,
    skills: BTreeSet<String>,
    town: Option<String>,
    avoided: HashSet<Id>,
    dismissed: HashSet<Id>,
}

/// A candidate while it is counted.
#[derive(Default)]
struct Cand {
    via: Vec<Id>,
    groups: Vec<Id>,
}

impl Cand {
    fn rough(&self) -> usize {
        3 * self.via.len() + 2 * self.groups.len()
    }
}

/// Skills named by `raw` (profile entries, tags), as slugs.
fn skills_of<'a>(raw: impl IntoIterator<Item = &'a String>) -> BTreeSet<String> {
    raw.into_iter().filter_map(|s| skill_of(s)).collect()
}

/// "alice", "alice and bob", "alice, bob, carol and 2 others".
fn names(list: &[String], total: u32) -> String {
    let shown = list.len() as u32;
    let mut out = match list {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] if shown == total => format!("{} and {last}", init.join(", ")),
        all => all.join(", "),
    };
    if total > shown {
        let more = total - shown;
        out.push_str(&format!(
            " and {more} {}",
            plural(i64::from(more), "other", "others")
        ));
    }
    out
}

impl Node {
    /// Recommendations of `kind` for the viewer, best first (at most
    /// `limit`, up to [`MAX_RECOMMENDATIONS`]).
    pub fn recommendations(
        &self,
        viewer: &Viewer,
        kind: RecommendationKind,
        limit: usize,
    ) -> NodeResult<Vec<Recommendation>> {
        let member = viewer.member()?;
        let me = self.recommendation_context(member)?;
        let limit = limit.clamp(1, MAX_RECOMMENDATIONS);
        let mut out = match kind {
            RecommendationKind::People => self.recommend_people(&me, limit)?,
            RecommendationKind::Groups => self.recommend_groups(&me)?,
            RecommendationKind::Events => self.recommend_events(viewer, &me)?,
            RecommendationKind::Courses => self.recommend_courses(&me)?,
        };
        out.sort_by(|a, b| {
            b.explanation
                .score
                .total_cmp(&a.explanation.score)
                .then_with(|| b.id.cmp(&a.id))
        });
        out.truncate(limit);
        Ok(out)
    }

    /// Stops suggesting `account` to the viewer (kept until they follow
    /// them and unfollow again: the dismissal stays).
    pub async fn dismiss_suggestion(&self, viewer: &Viewer, account: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        if self.member(account)?.is_none() {
            return Err(NodeError::NotFound("member"));
        }
        self.write(|txn| txn.store::<tables::DismissedSuggestions>((me, account), &now_ms()))
            .await
    }

    fn recommendation_context(&self, member: &Member) -> NodeResult<Me> {
        let id = member.id;
        let mut me = Me {
            id,
            following: HashSet::new(),
            people: Vec::new(),
            groups: Vec::new(),
            skills: skills_of(
                member
                    .profile
                    .skills
                    .languages
                    .iter()
                    .chain(&member.profile.skills.areas),
            ),
            town: Some(member.profile.bio.location.trim().to_lowercase()).filter(|t| !t.is_empty()),
            avoided: HashSet::new(),
            dismissed: HashSet::new(),
        };
        for key in self
            .store
            .scan::<tables::Following>((id,), false)
            .keys()
            .take(FOLLOWING_READ)
        {
            let (_, other) = key?;
            me.following.insert(other);
            if self.store.has::<tables::Group>(other)? {
                me.groups.push(other);
            } else {
                me.people.push(other);
            }
        }
        for key in self
            .store
            .scan::<tables::MemberCompletions>((id,), true)
            .keys()
            .take(50)
        {
            let (_, course) = key?;
            if let Some(c) = self.store.load::<tables::Course>(course)? {
                me.skills.extend(skills_of(&c.tags));
            }
        }
        for key in self
            .store
            .scan::<tables::Blocks>((id,), false)
            .keys()
            .take(1_000)
        {
            me.avoided.insert(key?.1);
        }
        for key in self
            .store
            .scan::<tables::BlockedBy>((id,), false)
            .keys()
            .take(1_000)
        {
            me.avoided.insert(key?.1);
        }
        for key in self
            .store
            .scan::<tables::Mutes>((id,), false)
            .keys()
            .take(1_000)
        {
            me.avoided.insert(key?.1);
        }
        for key in self
            .store
            .scan::<tables::DismissedSuggestions>((id,), false)
            .keys()
            .take(1_000)
        {
            me.dismissed.insert(key?.1);
        }
        Ok(me)
    }

    /// A member who may be recommended: active, a person, not silenced.
    fn recommendable(&self, id: Id) -> NodeResult<Option<Member>> {
        Ok(self.member(id)?.filter(|m| {
            m.status == MemberStatus::Active
                && !m.silenced
                && m.deleted_at.is_none()
                && m.kind == AccountKind::Person
        }))
    }

    /// Usernames of the first few of `ids`.
    fn usernames(&self, ids: &[Id]) -> NodeResult<Vec<String>> {
        self.usernames_cached(ids, &mut HashMap::new())
    }

    /// Usernames of the first few of `ids`, each read once per request.
    fn usernames_cached(
        &self,
        ids: &[Id],
        named: &mut HashMap<Id, String>,
    ) -> NodeResult<Vec<String>> {
        let mut out = Vec::new();
        for id in ids.iter().take(NAMES_SHOWN) {
            if let Some(name) = named.get(id) {
                out.push(name.clone());
            } else if let Some(m) = self.member(*id)? {
                named.insert(*id, m.username.clone());
                out.push(m.username);
            }
        }
        Ok(out)
    }

    fn recommend_people(&self, me: &Me, limit: usize) -> NodeResult<Vec<Recommendation>> {
        let eligible = |x: Id| {
            x != me.id
                && !me.following.contains(&x)
                && !me.avoided.contains(&x)
                && !me.dismissed.contains(&x)
        };
        let mut cands: HashMap<Id, Cand> = HashMap::new();
        for f in &me.people {
            for key in self
                .store
                .scan::<tables::Following>((*f,), false)
                .keys()
                .take(SECOND_HOP_READ)
            {
                let (_, x) = key?;
                if eligible(x) {
                    cands.entry(x).or_default().via.push(*f);
                }
            }
        }
        for g in me.groups.iter().take(GROUPS_FOR_PEOPLE) {
            for key in self
                .store
                .scan::<tables::Followers>((*g,), false)
                .keys()
                .take(MEMBERS_PER_GROUP)
            {
                let (_, x) = key?;
                if eligible(x) {
                    cands.entry(x).or_default().groups.push(*g);
                }
            }
        }
        // Only the best by follows and groups are loaded (to read their
        // status and skills): three times what is asked, at most
        // CANDIDATES_SCORED.
        let mut ranked: Vec<(Id, Cand)> = cands.into_iter().collect();
        ranked.sort_by(|a, b| b.1.rough().cmp(&a.1.rough()).then(b.0.cmp(&a.0)));
        ranked.truncate((3 * limit).min(CANDIDATES_SCORED));
        let mut scored = Vec::new();
        for (id, cand) in ranked {
            let Some(m) = self.recommendable(id)? else {
                continue;
            };
            let theirs = skills_of(
                m.profile
                    .skills
                    .languages
                    .iter()
                    .chain(&m.profile.skills.areas),
            );
            let shared: Vec<String> = me.skills.intersection(&theirs).cloned().collect();
            let counts = RecommendationCounts {
                followed_by_followed: cand.via.len() as u32,
                shared_groups: cand.groups.len() as u32,
                shared_skills: shared.len() as u32,
                ..Default::default()
            };
            scored.push((formula::recommendation(&counts), m, cand, shared));
        }
        scored.sort_by(|a, b| b.0.score.total_cmp(&a.0.score).then(b.1.id.cmp(&a.1.id)));
        scored.truncate(limit);
        // Names are read for what is shown only, each once.
        let mut named: HashMap<Id, String> = HashMap::new();
        let mut out = Vec::new();
        for (explanation, m, cand, shared) in scored {
            let found = Found {
                followed_by: self.usernames_cached(&cand.via, &mut named)?,
                followed_by_count: cand.via.len() as u32,
                groups: self.usernames_cached(&cand.groups, &mut named)?,
                skills: shared,
                ..Default::default()
            };
            let mut reasons = Vec::new();
            if found.followed_by_count > 0 {
                let n = found.followed_by_count;
                reasons.push(format!(
                    "{n} {} you follow {} them: {}",
                    plural(i64::from(n), "person", "people"),
                    plural(i64::from(n), "follows", "follow"),
                    names(&found.followed_by, n)
                ));
            }
            if !cand.groups.is_empty() {
                let n = cand.groups.len() as u32;
                reasons.push(format!(
                    "member of {n} of your {}: {}",
                    plural(i64::from(n), "group", "groups"),
                    names(&found.groups, n)
                ));
            }
            if !found.skills.is_empty() {
                reasons.push(format!("shares your skills: {}", found.skills.join(", ")));
            }
            out.push(Recommendation {
                kind: RecommendationKind::People,
                id: m.id,
                name: m.username.clone(),
                title: m.profile.full_name.clone(),
                reasons,
                found,
                explanation,
            });
        }
        if out.len() < limit {
            self.popular_people(me, limit - out.len(), &mut out)?;
        }
        Ok(out)
    }

    /// People suggested for being followed widely: the authors of the
    /// newest local posts (at most 200 read), by followers. Members new
    /// to the node follow nobody yet, and apps ask for suggestions then.
    fn popular_people(
        &self,
        me: &Me,
        wanted: usize,
        out: &mut Vec<Recommendation>,
    ) -> NodeResult<()> {
        let taken: HashSet<Id> = out.iter().map(|r| r.id).collect();
        let mut authors: Vec<Id> = Vec::new();
        for key in self
            .store
            .scan::<tables::LocalTimeline>((), true)
            .keys()
            .take(200)
        {
            if let Some(post) = self.store.load::<tables::Post>(key?)? {
                let a = post.author_id;
                if !authors.contains(&a) {
                    authors.push(a);
                }
            }
        }
        let mut found = Vec::new();
        for a in authors {
            let skip = a == me.id
                || taken.contains(&a)
                || me.following.contains(&a)
                || me.avoided.contains(&a)
                || me.dismissed.contains(&a);
            if skip {
                continue;
            }
            let Some(m) = self.recommendable(a)? else {
                continue;
            };
            let followers = self.store.counter::<tables::FollowerCount>(a)?;
            found.push((followers, m));
        }
        found.sort_by(|a, b| b.0.cmp(&a.0).then(b.1.id.cmp(&a.1.id)));
        for (followers, m) in found.into_iter().take(wanted) {
            let counts = RecommendationCounts {
                popular_followers: followers,
                ..Default::default()
            };
            out.push(Recommendation {
                kind: RecommendationKind::People,
                id: m.id,
                name: m.username.clone(),
                title: m.profile.full_name.clone(),
                reasons: vec![format!(
                    "posted here recently; {followers} {}",
                    plural(followers, "follower", "followers")
                )],
                found: Found {
                    popular_followers: Some(followers),
                    ..Default::default()
                },
                explanation: formula::recommendation(&counts),
            });
        }
        Ok(())
    }

    fn recommend_groups(&self, me: &Me) -> NodeResult<Vec<Recommendation>> {
        let directory: Vec<Id> = self
            .store
            .scan::<tables::GroupDirectory>((), true)
            .keys()
            .take(ITEMS_READ)
            .collect::<NodeResult<_>>()?;
        let listed: HashSet<Id> = directory.iter().copied().collect();
        let mut via: HashMap<Id, Vec<Id>> = HashMap::new();
        for f in &me.people {
            for key in self
                .store
                .scan::<tables::Following>((*f,), false)
                .keys()
                .take(SECOND_HOP_READ)
            {
                let (_, g) = key?;
                if listed.contains(&g) {
                    via.entry(g).or_default().push(*f);
                }
            }
        }
        let mut out = Vec::new();
        for g in directory {
            if me.following.contains(&g) || me.dismissed.contains(&g) {
                continue;
            }
            let Some(settings) = self.store.load::<tables::Group>(g)? else {
                continue;
            };
            let mut tags = skills_of(&settings.tags);
            tags.extend(settings.category.iter().filter_map(|c| skill_of(c)));
            let shared: Vec<String> = me.skills.intersection(&tags).cloned().collect();
            let members = via.remove(&g).unwrap_or_default();
            if (members.is_empty() && shared.is_empty()) || me.avoided.contains(&settings.owner) {
                continue;
            }
            // The account (its name, whether it is suspended) is read only
            // for a group with a reason.
            let Some(account) = self.member(g)? else {
                continue;
            };
            if account.status != MemberStatus::Active {
                continue;
            }
            let n = members.len() as u32;
            let found = Found {
                followed_by: self.usernames(&members)?,
                followed_by_count: n,
                skills: shared,
                ..Default::default()
            };
            let mut reasons = Vec::new();
            if n > 0 {
                reasons.push(format!(
                    "{n} {} you follow {}: {}",
                    plural(i64::from(n), "person", "people"),
                    plural(i64::from(n), "is a member", "are members"),
                    names(&found.followed_by, n)
                ));
            }
            if !found.skills.is_empty() {
                reasons.push(format!("about your skills: {}", found.skills.join(", ")));
            }
            let counts = RecommendationCounts {
                followed_by_followed: n,
                shared_skills: found.skills.len() as u32,
                ..Default::default()
            };
            out.push(Recommendation {
                kind: RecommendationKind::Groups,
                id: g,
                name: account.username.clone(),
                title: account.profile.full_name.clone(),
                reasons,
                found,
                explanation: formula::recommendation(&counts),
            });
        }
        Ok(out)
    }

    fn recommend_events(&self, viewer: &Viewer, me: &Me) -> NodeResult<Vec<Recommendation>> {
        let now = now_ms();
        let mut out = Vec::new();
        let mut group_names: HashMap<Id, String> = HashMap::new();
        for key in self
            .store
            .range::<tables::EventsByStart>(Cut::at((key_ms(now),)), Cut::end(), false)
            .keys()
            .take(ITEMS_READ)
        {
            let (_, id) = key?;
            let Some(event) = self.store.load::<tables::CommunityEvent>(id)? else {
                continue;
            };
            if event.status != EventStatus::Open
                || event.end <= now
                || me.avoided.contains(&event.organiser)
                || self.store.has::<tables::EventRegistrations>((id, me.id))?
                || !self.may_see_event(viewer, &event)?
            {
                continue;
            }
            let mine = event.group.filter(|g| me.groups.contains(g));
            let shared: Vec<String> = me
                .skills
                .intersection(&skills_of(&event.tags))
                .cloned()
                .collect();
            let near = me.town.as_ref().filter(|town| {
                event.location.as_ref().is_some_and(|l| {
                    let locality = l.locality.trim().to_lowercase();
                    (!locality.is_empty()
                        && (town.contains(&locality) || locality.contains(town.as_str())))
                        || l.name.to_lowercase().contains(town.as_str())
                        || l.address.to_lowercase().contains(town.as_str())
                })
            });
            let organiser_followed = me.people.contains(&event.organiser);
            if mine.is_none() && shared.is_empty() && near.is_none() && !organiser_followed {
                continue;
            }
            let mut found = Found {
                skills: shared,
                near: near.cloned(),
                ..Default::default()
            };
            let mut reasons = Vec::new();
            if organiser_followed {
                found.followed_by = self.usernames(&[event.organiser])?;
                found.followed_by_count = 1;
                reasons.push(format!(
                    "organised by {}, whom you follow",
                    names(&found.followed_by, 1)
                ));
            }
            if let Some(g) = mine {
                let name = match group_names.get(&g) {
                    Some(n) => n.clone(),
                    None => {
                        let n = self.member(g)?.map(|m| m.username).unwrap_or_default();
                        group_names.insert(g, n.clone());
                        n
                    }
                };
                reasons.push(format!("in your group {name}"));
                found.groups.push(name);
            }
            if !found.skills.is_empty() {
                reasons.push(format!("about your skills: {}", found.skills.join(", ")));
            }
            if let Some(town) = &found.near {
                reasons.push(format!("near you: in {town}, the place your profile names"));
            }
            let counts = RecommendationCounts {
                followed_by_followed: found.followed_by_count,
                shared_groups: found.groups.len() as u32,
                shared_skills: found.skills.len() as u32,
                near: found.near.is_some(),
                ..Default::default()
            };
            out.push(Recommendation {
                kind: RecommendationKind::Events,
                id,
                name: id.to_string(),
                title: event.title.clone(),
                reasons,
                found,
                explanation: formula::recommendation(&counts),
            });
        }
        Ok(out)
    }

    fn recommend_courses(&self, me: &Me) -> NodeResult<Vec<Recommendation>> {
        // The next step of each saved path: its first local course not
        // completed nor enrolled in.
        let mut steps: HashMap<Id, String> = HashMap::new();
        for key in self
            .store
            .scan::<tables::MemberLearningPaths>((me.id,), true)
            .keys()
            .take(20)
        {
            let (_, path) = key?;
            let Some(saved) = self.store.load::<tables::LearningPath>(path)? else {
                continue;
            };
            for step in &saved.steps {
                let Some(course) = step.course.id else {
                    continue;
                };
                if self.store.has::<tables::MemberCourses>((me.id, course))?
                    || self
                        .store
                        .has::<tables::MemberCompletions>((me.id, course))?
                {
                    continue;
                }
                steps.entry(course).or_insert_with(|| saved.title());
                break;
            }
        }
        let mut ids: Vec<Id> = steps.keys().copied().collect();
        for key in self
            .store
            .scan::<tables::CourseCatalogue>((), true)
            .keys()
            .take(ITEMS_READ)
        {
            let id = key?;
            if !steps.contains_key(&id) {
                ids.push(id);
            }
        }
        let mut out = Vec::new();
        for id in ids {
            let Some(course) = self.store.load::<tables::Course>(id)? else {
                continue;
            };
            if course.status != CourseStatus::Published
                || self.store.has::<tables::MemberCourses>((me.id, id))?
                || self.store.has::<tables::MemberCompletions>((me.id, id))?
            {
                continue;
            }
            let path = steps.get(&id).cloned();
            let mine = course.group.filter(|g| me.groups.contains(g));
            let mut tags = skills_of(&course.tags);
            tags.extend(course.category.iter().filter_map(|c| skill_of(c)));
            let shared: Vec<String> = me.skills.intersection(&tags).cloned().collect();
            let teachers: Vec<Id> = course
                .instructors
                .iter()
                .copied()
                .filter(|i| me.people.contains(i))
                .collect();
            if path.is_none() && mine.is_none() && shared.is_empty() && teachers.is_empty() {
                continue;
            }
            let n = teachers.len() as u32;
            let mut found = Found {
                followed_by: self.usernames(&teachers)?,
                followed_by_count: n,
                skills: shared,
                learning_path: path,
                ..Default::default()
            };
            let mut reasons = Vec::new();
            if let Some(p) = &found.learning_path {
                reasons.push(format!("the next step of your learning path \"{p}\""));
            }
            if let Some(g) = mine {
                let name = self.member(g)?.map(|m| m.username).unwrap_or_default();
                reasons.push(format!("a course of your group {name}"));
                found.groups.push(name);
            }
            if n > 0 {
                reasons.push(format!(
                    "taught by {}, whom you follow",
                    names(&found.followed_by, n)
                ));
            }
            if !found.skills.is_empty() {
                reasons.push(format!("about your skills: {}", found.skills.join(", ")));
            }
            let counts = RecommendationCounts {
                followed_by_followed: n,
                shared_groups: found.groups.len() as u32,
                shared_skills: found.skills.len() as u32,
                path_step: found.learning_path.is_some(),
                ..Default::default()
            };
            out.push(Recommendation {
                kind: RecommendationKind::Courses,
                id,
                name: id.to_string(),
                title: course.title.clone(),
                reasons,
                found,
                explanation: formula::recommendation(&counts),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod unit {
    use super::names;

    #[test]
    fn names_list_the_first_few_and_count_the_rest() {
        let n = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(names(&n(&["a"]), 1), "a");
        assert_eq!(names(&n(&["a", "b"]), 2), "a and b");
        assert_eq!(names(&n(&["a", "b", "c"]), 3), "a, b and c");
        assert_eq!(names(&n(&["a", "b", "c"]), 5), "a, b, c and 2 others");
        assert_eq!(names(&n(&["a", "b", "c"]), 4), "a, b, c and 1 other");
    }
}
