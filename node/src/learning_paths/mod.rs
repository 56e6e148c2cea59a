//! Learning paths: given a goal (skills, a course of this node, or both)
//! and what a member has done, the ordered courses to take, each with
//! why it is there; members keep paths and see their progress along them.
//! No learning model: a few rules over the catalogue, described here.
//!
//! **Skills.** A course teaches its tags. Skills are compared as tags
//! are stored (`validate::slug`: `#` trimmed, lower case; letters,
//! digits, `_`, `-`), runs of spaces first written as one `-`
//! (`skills.rs`): "Machine Learning" on a profile is the tag
//! `machine-learning`. A member has a skill when their profile lists it
//! (languages and areas), when a course they completed here is tagged
//! with it, or when a certificate of another server they handed over
//! names it among its achievement's tags (`level:…` aside; a certificate
//! its issuer revoked counts for nothing).
//!
//! **The plan** (`planner.rs`, pure over a [`Catalogue`] and a
//! [`Standing`]):
//! 1. goal skills the member has are reported in `had_skills`; the rest
//!    are *wanted*;
//! 2. the goal course and its prerequisites, closed transitively, are
//!    all in the path; a course the member completed (a remote one they
//!    hold a certificate of) is left out with its own prerequisites and
//!    reported in `skipped`, as is a prerequisite they may not see;
//! 3. the wanted skills the path does not teach yet are covered greedily
//!    (weighted set cover): among published courses not completed that
//!    teach one, each round takes the course `c` maximising
//!    `gain(c) / (minutes(c) + 1)`, where `minutes(c)` sums the minutes
//!    of `c` and of its prerequisites' closure not yet in the path (what
//!    choosing it really costs) and `gain(c)` counts the wanted skills
//!    still needed that those courses teach; ties go to fewer remote
//!    courses, then fewer minutes, then the older course. The `+ 1` keeps
//!    a course of unknown length (0 minutes) from winning whatever it
//!    teaches. Greedy set cover is a heuristic: within a factor
//!    `ln(skills) + 1` of the shortest cover, not always the shortest;
//! 4. skills no course teaches are `uncovered_skills`;
//! 5. the courses are ordered topologically (Kahn): each after its
//!    prerequisites; among those ready, local before remote, then
//!    shorter, then older.
//!
//! Each step says why it is there: the goal course, each wanted skill it
//! teaches, each step that requires it (`reason` in words, `reasons`
//! structured). A course's minutes are its duration, else its lessons'
//! minutes summed; a remote course (known by URL only) counts none, so
//! `total_minutes` sums the local steps.
//!
//! **Bounds:** at most [`MAX_GOAL_SKILLS`] skills; the newest
//! [`COURSES_CONSIDERED`] courses of the catalogue, plus their
//! prerequisites (a bounded number of further reads); a path of at most
//! [`MAX_STEPS`] courses (a goal needing more is a 422 naming
//! `goal_course` or `goal_skills`). The stored prerequisite graph has no
//! cycle (the write that changes it checks); the planner's walks still
//! keep a visited set and refuse a cycle rather than loop.
//!
//! `skills.rs`: skills and where a member's come from; `planner.rs`: the
//! plan; `plan.rs`: the goal checked and the planner's inputs read;
//! `saved.rs`: saved paths and progress along them.

mod plan;
mod planner;
mod saved;
mod skills;
#[cfg(test)]
mod tests;

pub use plan::{LearningGoal, COURSES_CONSIDERED, MAX_GOAL_SKILLS};
pub use planner::{
    plan, reason_text, Catalogue, Goal, HadSkill, LearningPlan, PlanCourse, PlanError, PlanStep,
    SkipReason, Skipped, Standing, StepCourse, StepKind, StepReason, MAX_STEPS,
};
pub use saved::{SavedPath, SavedPathView, StepProgress, StepState, MAX_SAVED_PATHS};
pub use skills::{skill_of, SkillSet, SkillSource};
