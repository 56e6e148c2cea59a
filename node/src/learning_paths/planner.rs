//! The planner: pure, over a [`Catalogue`] and a member's [`Standing`],
//! no store. See the module's documentation (`mod.rs`) for the formula.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use serde::{Deserialize, Serialize};

use super::skills::{SkillSet, SkillSource};
use crate::courses::{CourseLevel, CourseStatus, EnrolmentState, Prerequisite};
use crate::id::Id;

/// Most steps a path may have: a goal that needs more is refused (422
/// naming the field that asked for it).
pub const MAX_STEPS: usize = 50;

/// A course of this node as the planner sees it.
#[derive(Debug, Clone)]
pub struct PlanCourse {
    /// Its id (time-ordered: a smaller id is an older course).
    pub id: Id,
    /// Its title.
    pub title: String,
    /// Its page's URL.
    pub url: String,
    /// Its level.
    pub level: CourseLevel,
    /// Where it stands: only published courses are chosen for a skill.
    pub status: CourseStatus,
    /// How long it takes, in minutes (its duration, else its lessons'
    /// minutes summed).
    pub minutes: u32,
    /// The skills it teaches: its tags, as skills.
    pub skills: Vec<String>,
    /// What must be completed first.
    pub prerequisites: Vec<Prerequisite>,
}

/// The courses a plan may use, by id.
#[derive(Debug, Clone, Default)]
pub struct Catalogue {
    courses: HashMap<Id, PlanCourse>,
}

impl Catalogue {
    /// Adds (or replaces) `course`.
    pub fn insert(&mut self, course: PlanCourse) {
        self.courses.insert(course.id, course);
    }

    /// The course `id`, if the plan may use it.
    pub fn get(&self, id: Id) -> Option<&PlanCourse> {
        self.courses.get(&id)
    }

    /// How many courses it holds.
    pub fn len(&self) -> usize {
        self.courses.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.courses.is_empty()
    }
}

/// What a member has done and is doing.
#[derive(Debug, Clone, Default)]
pub struct Standing {
    /// The courses of this node they completed.
    pub completed: HashSet<Id>,
    /// The course URLs of other servers their imported certificates are
    /// for.
    pub certified: HashSet<String>,
    /// Their enrolments that are not completed.
    pub enrolments: HashMap<Id, EnrolmentState>,
    /// The skills they have.
    pub skills: SkillSet,
}

/// What the member wants: skills, a course, or both (already checked).
#[derive(Debug, Clone, Default)]
pub struct Goal {
    /// Skills, normalised, each once.
    pub skills: Vec<String>,
    /// A course of this node, present in the catalogue.
    pub course: Option<Id>,
}

/// A course of a plan: one of this node (`id`) or of another server
/// (`url`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StepCourse {
    /// `local` or `remote`.
    pub kind: StepKind,
    /// A local course's id.
    #[serde(default)]
    pub id: Option<Id>,
    /// Its page: a local course's here, a remote course's URL (which is
    /// all that is known of it).
    #[serde(default)]
    pub url: Option<String>,
    /// Its title (a remote course's URL, as nothing else is known of it).
    pub title: String,
    /// How long it takes, in minutes; unknown for a remote course.
    #[serde(default)]
    pub minutes: Option<u32>,
    /// Its level; unknown for a remote course.
    #[serde(default)]
    pub level: Option<CourseLevel>,
    /// Where a local course stands (an archived one takes no enrolment).
    #[serde(default)]
    pub status: Option<CourseStatus>,
}

/// Whether a step's course is this node's.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StepKind {
    /// A course of this node.
    Local,
    /// A course of another server, known by its URL.
    Remote,
}

/// Why a step is in a path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum StepReason {
    /// It is the course the member asked for.
    GoalCourse,
    /// It teaches a skill the member asked for and does not have.
    GoalSkill {
        /// The skill.
        skill: String,
    },
    /// A later step requires it.
    PrerequisiteOf {
        /// That step's course.
        course: Id,
        /// Its title.
        title: String,
    },
}

impl std::fmt::Display for StepReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StepReason::GoalCourse => write!(f, "the goal course"),
            StepReason::GoalSkill { skill } => write!(f, "teaches the goal skill {skill}"),
            StepReason::PrerequisiteOf { title, .. } => write!(f, "prerequisite of {title}"),
        }
    }
}

/// The reasons in words, joined with "; ".
pub fn reason_text(reasons: &[StepReason]) -> String {
    reasons
        .iter()
        .map(ToString::to_string)
        .collect::<Vec<_>>()
        .join("; ")
}

/// One step of a path.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PlanStep {
    /// Its place, from 1.
    pub position: u32,
    /// Its course.
    pub course: StepCourse,
    /// The member's enrolment in it, when they have one (never
    /// `completed`: completed courses are skipped).
    #[serde(default)]
    pub enrolment: Option<EnrolmentState>,
    /// Why it is there, in words.
    pub reason: String,
    /// Why it is there.
    pub reasons: Vec<StepReason>,
}

/// Why a course the path would need is not a step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum SkipReason {
    /// The member completed it here.
    Completed,
    /// The member handed over a certificate of it from its server.
    Certificate,
    /// A prerequisite that is not a course the member may see here (a
    /// draft, or removed): the path cannot include it.
    Unavailable,
}

/// A course the path leaves out, and why.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    /// The course.
    pub course: StepCourse,
    /// Why, in words.
    pub reason: String,
    /// Why.
    pub why: SkipReason,
}

/// A goal skill the member already has, and where from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HadSkill {
    /// The skill.
    pub skill: String,
    /// Where it comes from.
    pub from: SkillSource,
}

/// A planned path.
#[derive(Debug, Clone, Serialize)]
pub struct LearningPlan {
    /// When saved, its id.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Id>,
    /// The goal's skills, normalised.
    pub goal_skills: Vec<String>,
    /// The goal course.
    pub goal_course: Option<Id>,
    /// The courses to take, in order: prerequisites first.
    pub steps: Vec<PlanStep>,
    /// Courses the path would need that the member has done already (or
    /// cannot see).
    pub skipped: Vec<Skipped>,
    /// Goal skills the member has already.
    pub had_skills: Vec<HadSkill>,
    /// Goal skills no course here teaches.
    pub uncovered_skills: Vec<String>,
    /// The steps' minutes, summed (remote steps count nothing: their
    /// duration is unknown).
    pub total_minutes: u64,
}

/// Why no plan could be made.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PlanError {
    /// The path to the goal would need more than [`MAX_STEPS`] courses;
    /// `field` is the goal's part that asks for them.
    #[error("{field}: the path would need more than {MAX_STEPS} courses")]
    TooManySteps {
        /// `goal_course` or `goal_skills`.
        field: &'static str,
    },
    /// The prerequisites of the goal loop (the store refuses cycles, so
    /// this means a damaged graph).
    #[error("the prerequisites of these courses form a cycle")]
    Cycle,
}

/// A course a path may hold: local by id, remote by URL. Ordered as ties
/// are broken: local before remote, then (in [`order_key`]) shorter, then
/// older.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
enum Node {
    Local(Id),
    Remote(String),
}

/// The state of one plan being made.
struct Planner<'a> {
    catalogue: &'a Catalogue,
    standing: &'a Standing,
    skipped: Vec<Skipped>,
    skipped_seen: HashSet<Node>,
}

impl<'a> Planner<'a> {
    /// The node for a prerequisite.
    fn node_of(p: &Prerequisite) -> Node {
        match p {
            Prerequisite::Course { id } => Node::Local(*id),
            Prerequisite::Remote { url } => Node::Remote(url.clone()),
        }
    }

    /// What the member has done or cannot take of `node`, if anything.
    fn skip_reason(&self, node: &Node) -> Option<SkipReason> {
        match node {
            Node::Local(id) if self.standing.completed.contains(id) => Some(SkipReason::Completed),
            Node::Local(id) if self.catalogue.get(*id).is_none() => Some(SkipReason::Unavailable),
            Node::Remote(url) if self.standing.certified.contains(url) => {
                Some(SkipReason::Certificate)
            }
            _ => None,
        }
    }

    /// Records `node` as skipped (once).
    fn note_skipped(&mut self, node: &Node, why: SkipReason) {
        if !self.skipped_seen.insert(node.clone()) {
            return;
        }
        let reason = match why {
            SkipReason::Completed => "you completed it",
            SkipReason::Certificate => "you hold a certificate of it",
            SkipReason::Unavailable => "a prerequisite that is not available here",
        };
        self.skipped.push(Skipped {
            course: step_course(self.catalogue, node),
            reason: reason.into(),
            why,
        });
    }

    /// `root` and the prerequisites it needs, transitively, that the
    /// member has not done, and that are not in `have`; depth first with
    /// an explicit stack and a visited set, so a damaged graph neither
    /// recurses nor loops. `None` when there are more than `limit`.
    /// Courses done are skipped, and their own prerequisites not followed.
    fn closure(
        &mut self,
        root: &Node,
        have: &BTreeSet<Node>,
        limit: usize,
        record: bool,
    ) -> Option<Vec<Node>> {
        let mut out = Vec::new();
        let mut seen: HashSet<Node> = HashSet::new();
        let mut stack = vec![root.clone()];
        while let Some(node) = stack.pop() {
            if have.contains(&node) || !seen.insert(node.clone()) {
                continue;
            }
            if let Some(why) = self.skip_reason(&node) {
                if record {
                    self.note_skipped(&node, why);
                }
                continue;
            }
            out.push(node.clone());
            if out.len() > limit {
                return None;
            }
            if let Node::Local(id) = &node {
                if let Some(c) = self.catalogue.get(*id) {
                    stack.extend(c.prerequisites.iter().map(Self::node_of));
                }
            }
        }
        Some(out)
    }

    /// Minutes of the local courses among `nodes`.
    fn minutes<'n>(&self, nodes: impl IntoIterator<Item = &'n Node>) -> u64 {
        nodes
            .into_iter()
            .filter_map(|n| match n {
                Node::Local(id) => self.catalogue.get(*id).map(|c| u64::from(c.minutes)),
                Node::Remote(_) => None,
            })
            .sum()
    }

    /// The skills of `needed` that the local courses among `nodes` teach.
    fn taught<'n>(
        &self,
        nodes: impl IntoIterator<Item = &'n Node>,
        needed: &BTreeSet<String>,
    ) -> BTreeSet<String> {
        nodes
            .into_iter()
            .filter_map(|n| match n {
                Node::Local(id) => self.catalogue.get(*id),
                Node::Remote(_) => None,
            })
            .flat_map(|c| c.skills.iter())
            .filter(|s| needed.contains(*s))
            .cloned()
            .collect()
    }
}

/// A chosen course, as the greedy cover compares it.
struct Choice {
    gain: usize,
    minutes: u64,
    remotes: usize,
    id: Id,
}

impl Choice {
    /// Whether `self` is better than `other`: more goal skills per minute
    /// (`gain / (minutes + 1)`, compared by cross-multiplying), then
    /// fewer remote courses, then fewer minutes, then the older course.
    fn beats(&self, other: &Choice) -> bool {
        let mine = (self.gain as u128) * (u128::from(other.minutes) + 1);
        let theirs = (other.gain as u128) * (u128::from(self.minutes) + 1);
        if mine != theirs {
            return mine > theirs;
        }
        (self.remotes, self.minutes, self.id) < (other.remotes, other.minutes, other.id)
    }
}

/// A step's course for `node`.
fn step_course(catalogue: &Catalogue, node: &Node) -> StepCourse {
    match node {
        Node::Local(id) => match catalogue.get(*id) {
            Some(c) => StepCourse {
                kind: StepKind::Local,
                id: Some(c.id),
                url: Some(c.url.clone()),
                title: c.title.clone(),
                minutes: Some(c.minutes),
                level: Some(c.level),
                status: Some(c.status),
            },
            None => StepCourse {
                kind: StepKind::Local,
                id: Some(*id),
                url: None,
                title: id.to_string(),
                minutes: None,
                level: None,
                status: None,
            },
        },
        Node::Remote(url) => StepCourse {
            kind: StepKind::Remote,
            id: None,
            url: Some(url.clone()),
            title: url.clone(),
            minutes: None,
            level: None,
            status: None,
        },
    }
}

/// How ready steps are ordered: local before remote, then shorter, then
/// older (smaller id; remote ones by URL).
fn order_key(catalogue: &Catalogue, node: &Node) -> (bool, u32, Node) {
    match node {
        Node::Local(id) => (
            false,
            catalogue.get(*id).map_or(0, |c| c.minutes),
            node.clone(),
        ),
        Node::Remote(_) => (true, 0, node.clone()),
    }
}

/// Plans a path to `goal` for a member standing at `standing`, over
/// `catalogue` (see the module's documentation for how).
pub fn plan(
    catalogue: &Catalogue,
    standing: &Standing,
    goal: &Goal,
) -> Result<LearningPlan, PlanError> {
    let mut planner = Planner {
        catalogue,
        standing,
        skipped: Vec::new(),
        skipped_seen: HashSet::new(),
    };
    let mut had_skills = Vec::new();
    let mut wanted: BTreeSet<String> = BTreeSet::new();
    for skill in &goal.skills {
        match standing.skills.source(skill) {
            Some(from) => had_skills.push(HadSkill {
                skill: skill.clone(),
                from: from.clone(),
            }),
            None => {
                wanted.insert(skill.clone());
            }
        }
    }

    // The goal course and its prerequisites, all of them.
    let mut chosen: BTreeSet<Node> = BTreeSet::new();
    if let Some(id) = goal.course {
        let added = planner
            .closure(&Node::Local(id), &chosen, MAX_STEPS, true)
            .ok_or(PlanError::TooManySteps {
                field: "goal_course",
            })?;
        chosen.extend(added);
    }
    let mut needed: BTreeSet<String> = wanted
        .difference(&planner.taught(&chosen, &wanted))
        .cloned()
        .collect();

    // Greedy weighted set cover of the skills still needed.
    let candidates: Vec<Id> = {
        let mut ids: Vec<Id> = catalogue
            .courses
            .values()
            .filter(|c| {
                c.status == CourseStatus::Published
                    && !standing.completed.contains(&c.id)
                    && c.skills.iter().any(|s| needed.contains(s))
            })
            .map(|c| c.id)
            .collect();
        ids.sort();
        ids
    };
    // Each candidate's whole closure, walked once, with the skills its
    // courses teach. What choosing it adds is that minus the path so far
    // (the path is closed, so a walk stopping at it finds the same), and
    // the path's courses teach no skill still needed (each one they teach
    // was crossed off when they were chosen), so its gain is its skills
    // still needed. A closure of more than MAX_STEPS never fits.
    let closures: Vec<(Id, Vec<Node>, BTreeSet<String>)> = candidates
        .iter()
        .filter_map(|id| {
            let all = planner.closure(&Node::Local(*id), &BTreeSet::new(), MAX_STEPS, false)?;
            let skills = planner.taught(&all, &needed);
            Some((*id, all, skills))
        })
        .collect();
    while !needed.is_empty() {
        let mut best: Option<Choice> = None;
        for (id, all, skills) in &closures {
            let gain = skills.iter().filter(|s| needed.contains(*s)).count();
            if gain == 0 || chosen.contains(&Node::Local(*id)) {
                continue;
            }
            let (mut count, mut minutes, mut remotes) = (0, 0u64, 0);
            for node in all.iter().filter(|n| !chosen.contains(*n)) {
                count += 1;
                match node {
                    Node::Local(c) => {
                        minutes += catalogue.get(*c).map_or(0, |c| u64::from(c.minutes));
                    }
                    Node::Remote(_) => remotes += 1,
                }
            }
            if chosen.len() + count > MAX_STEPS {
                continue;
            }
            let choice = Choice {
                gain,
                minutes,
                remotes,
                id: *id,
            };
            if best.as_ref().is_none_or(|b| choice.beats(b)) {
                best = Some(choice);
            }
        }
        let Some(choice) = best else {
            // What is left is taught by no course, or only by courses
            // whose path would not fit in MAX_STEPS.
            let fits_nowhere = candidates.iter().any(|id| {
                catalogue
                    .get(*id)
                    .is_some_and(|c| c.skills.iter().any(|s| needed.contains(s)))
                    && !chosen.contains(&Node::Local(*id))
            });
            if fits_nowhere {
                return Err(PlanError::TooManySteps {
                    field: "goal_skills",
                });
            }
            break;
        };
        // Walked again to record what it skips (completed prerequisites).
        let added = planner
            .closure(&Node::Local(choice.id), &chosen, MAX_STEPS, true)
            .unwrap_or_default();
        let gained = planner.taught(&added, &needed);
        needed.retain(|s| !gained.contains(s));
        chosen.extend(added);
    }

    let steps = order(&planner, &chosen, goal, &wanted)?;
    let total_minutes = planner.minutes(&chosen);
    Ok(LearningPlan {
        id: None,
        goal_skills: goal.skills.clone(),
        goal_course: goal.course,
        steps,
        skipped: planner.skipped,
        had_skills,
        uncovered_skills: needed.into_iter().collect(),
        total_minutes,
    })
}

/// The chosen courses in order (Kahn's algorithm: a course comes after
/// every chosen prerequisite; among those ready, [`order_key`]), each
/// with its reasons.
fn order(
    planner: &Planner<'_>,
    chosen: &BTreeSet<Node>,
    goal: &Goal,
    wanted: &BTreeSet<String>,
) -> Result<Vec<PlanStep>, PlanError> {
    let catalogue = planner.catalogue;
    // Edges prerequisite → the chosen courses requiring it.
    let mut required_by: HashMap<&Node, Vec<Id>> = HashMap::new();
    let mut waiting: HashMap<&Node, usize> = chosen.iter().map(|n| (n, 0)).collect();
    for node in chosen {
        let Node::Local(id) = node else { continue };
        let Some(c) = catalogue.get(*id) else {
            continue;
        };
        let mut prerequisites: Vec<Node> = c.prerequisites.iter().map(Planner::node_of).collect();
        prerequisites.sort();
        prerequisites.dedup();
        for p in prerequisites {
            if let Some(p) = chosen.get(&p) {
                required_by.entry(p).or_default().push(*id);
                *waiting.entry(node).or_default() += 1;
            }
        }
    }
    let mut ready: BTreeMap<(bool, u32, Node), &Node> = waiting
        .iter()
        .filter(|(_, n)| **n == 0)
        .map(|(node, _)| (order_key(catalogue, node), *node))
        .collect();
    let mut steps = Vec::with_capacity(chosen.len());
    while let Some((_, node)) = ready.pop_first() {
        for next in required_by.get(node).into_iter().flatten() {
            let next = Node::Local(*next);
            if let Some((key, count)) = waiting.get_key_value(&next).map(|(k, c)| (*k, *c)) {
                let left = count.saturating_sub(1);
                waiting.insert(key, left);
                if left == 0 {
                    ready.insert(order_key(catalogue, key), key);
                }
            }
        }
        let mut reasons = Vec::new();
        if let Node::Local(id) = node {
            if goal.course == Some(*id) {
                reasons.push(StepReason::GoalCourse);
            }
            if let Some(c) = catalogue.get(*id) {
                reasons.extend(
                    c.skills
                        .iter()
                        .filter(|s| wanted.contains(*s))
                        .map(|s| StepReason::GoalSkill { skill: s.clone() }),
                );
            }
        }
        let mut dependants: Vec<Id> = required_by.get(node).cloned().unwrap_or_default();
        dependants.sort();
        reasons.extend(dependants.iter().filter_map(|d| {
            catalogue.get(*d).map(|c| StepReason::PrerequisiteOf {
                course: c.id,
                title: c.title.clone(),
            })
        }));
        steps.push(PlanStep {
            position: u32::try_from(steps.len() + 1).unwrap_or(u32::MAX),
            course: step_course(catalogue, node),
            enrolment: match node {
                Node::Local(id) => planner.standing.enrolments.get(id).copied(),
                Node::Remote(_) => None,
            },
            reason: reason_text(&reasons),
            reasons,
        });
    }
    if steps.len() < chosen.len() {
        return Err(PlanError::Cycle);
    }
    Ok(steps)
}
