//! Planning a path for a member: the goal checked, the catalogue and the
//! member's standing read from the store, then the pure planner.

use serde::Deserialize;

use super::planner::{plan, Catalogue, Goal, LearningPlan, PlanCourse, PlanError, Standing};
use super::skills::{credential_tags, skill_of, SkillSource};
use crate::courses::{Course, CourseStatus, EnrolmentState, Prerequisite};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Most goal skills one path may ask for.
pub const MAX_GOAL_SKILLS: usize = 20;
/// Most courses of the catalogue a plan looks at (newest first).
pub const COURSES_CONSIDERED: usize = 1_000;
/// Most courses read beyond those, following prerequisites older than
/// the catalogue's window (and the goal course).
const PREREQUISITE_READS: usize = 500;
/// Most of the member's completions, enrolments and certificates read.
const STANDING_BOUND: usize = 1_000;

/// What a member asks a path for: skills, a course of this node, or both.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LearningGoal {
    /// Skills to learn (at most [`MAX_GOAL_SKILLS`]; compared as tags).
    #[serde(default)]
    pub goal_skills: Vec<String>,
    /// A course of this node to reach, by id (empty: none).
    #[serde(default)]
    pub goal_course: Option<String>,
}

impl LearningGoal {
    /// The goal checked: each skill a skill (422 naming `goal_skills`),
    /// at most [`MAX_GOAL_SKILLS`], the course an id, and something asked.
    fn checked(&self) -> NodeResult<Goal> {
        let mut skills: Vec<String> = Vec::new();
        for raw in &self.goal_skills {
            let skill = skill_of(raw).ok_or_else(|| {
                NodeError::invalid(
                    "goal_skills",
                    format!("{raw:?} must be 1-64 letters, digits, '_' or '-'"),
                )
            })?;
            if !skills.contains(&skill) {
                skills.push(skill);
            }
        }
        if skills.len() > MAX_GOAL_SKILLS {
            return Err(NodeError::invalid(
                "goal_skills",
                format!("at most {MAX_GOAL_SKILLS} skills"),
            ));
        }
        let course = match self.goal_course.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(raw) => Some(raw.parse::<Id>().map_err(|_| {
                NodeError::invalid("goal_course", format!("{raw:?} is not a course id"))
            })?),
        };
        if skills.is_empty() && course.is_none() {
            return Err(NodeError::invalid(
                "goal_skills",
                "name at least one skill or a goal course",
            ));
        }
        Ok(Goal { skills, course })
    }
}

impl Node {
    /// Plans a path to `goal` for the viewer (nothing written): 422
    /// naming `goal_skills` or `goal_course` for a bad goal, an unknown
    /// course, or a path longer than [`super::MAX_STEPS`].
    pub fn plan_learning_path(
        &self,
        viewer: &Viewer,
        goal: &LearningGoal,
    ) -> NodeResult<LearningPlan> {
        let me = viewer.member()?;
        let _span = tracing::debug_span!("plan_learning_path", member = %me.id).entered();
        let goal = goal.checked()?;
        // The profile as stored now, not as it was when the session began.
        let me = self.member(me.id)?.unwrap_or_else(|| me.clone());
        let catalogue = self.plan_catalogue(&me, &goal)?;
        if let Some(id) = goal.course {
            if catalogue.get(id).is_none() {
                return Err(NodeError::invalid(
                    "goal_course",
                    format!("no course {id} here"),
                ));
            }
        }
        let standing = self.standing(&me)?;
        plan(&catalogue, &standing, &goal).map_err(|e| match e {
            PlanError::TooManySteps { field } => NodeError::invalid(field, e.to_string()),
            PlanError::Cycle => NodeError::conflict("prerequisites", e.to_string()),
        })
    }

    /// The courses `member` may plan with: the newest
    /// [`COURSES_CONSIDERED`] of the catalogue they may see, the goal
    /// course, and the prerequisites of those (up to
    /// [`PREREQUISITE_READS`] more reads).
    fn plan_catalogue(&self, member: &Member, goal: &Goal) -> NodeResult<Catalogue> {
        let mut catalogue = Catalogue::default();
        let mut wanted_ids: Vec<Id> = goal.course.into_iter().collect();
        for key in self
            .store
            .scan::<tables::CourseCatalogue>((), true)
            .keys()
            .take(COURSES_CONSIDERED)
        {
            let id = key?;
            if let Some(c) = self.store.load::<tables::Course>(id)? {
                if let Some(pc) = self.plan_course(member, c, goal)? {
                    wanted_ids.extend(local_prerequisites(&pc.prerequisites));
                    catalogue.insert(pc);
                }
            }
        }
        let mut reads = 0;
        while let Some(id) = wanted_ids.pop() {
            if catalogue.get(id).is_some() {
                continue;
            }
            if reads >= PREREQUISITE_READS {
                break;
            }
            reads += 1;
            if let Some(c) = self.store.load::<tables::Course>(id)? {
                if let Some(pc) = self.plan_course(member, c, goal)? {
                    wanted_ids.extend(local_prerequisites(&pc.prerequisites));
                    catalogue.insert(pc);
                }
            }
        }
        Ok(catalogue)
    }

    /// `course` as the planner sees it, if `member` may see it. A course
    /// without a duration counts its lessons' minutes (read only when it
    /// may matter: it teaches a goal skill, or is a prerequisite or the
    /// goal).
    fn plan_course(
        &self,
        member: &Member,
        course: Course,
        goal: &Goal,
    ) -> NodeResult<Option<PlanCourse>> {
        if course.status == CourseStatus::Draft && !self.teaches(&course, member.id)? {
            return Ok(None);
        }
        let skills: Vec<String> = course.tags.iter().filter_map(|t| skill_of(t)).collect();
        let minutes = match course.duration_minutes {
            Some(m) => m,
            None => {
                let may_matter = goal.course == Some(course.id)
                    || skills.iter().any(|s| goal.skills.contains(s))
                    || self
                        .store
                        .scan::<tables::CourseRequiredBy>((course.id,), false)
                        .keys()
                        .next()
                        .is_some();
                if may_matter {
                    self.lesson_minutes(&course)?
                } else {
                    0
                }
            }
        };
        Ok(Some(PlanCourse {
            id: course.id,
            url: self.urls().course_page(course.id),
            title: course.title,
            level: course.level,
            status: course.status,
            minutes,
            skills,
            prerequisites: course.prerequisites,
        }))
    }

    /// The minutes of `course`'s lessons, summed from its modules.
    fn lesson_minutes(&self, course: &Course) -> NodeResult<u32> {
        let mut total = 0u32;
        for module in &course.modules {
            if let Some(m) = self.store.load::<tables::CourseModule>(*module)? {
                total = total.saturating_add(m.lessons.iter().map(|l| l.minutes).sum());
            }
        }
        Ok(total)
    }

    /// What `member` has done: completions here (and the skills of those
    /// courses), enrolments, imported certificates (and the skills their
    /// achievements name; not those their issuer revoked), and the skills
    /// of their profile.
    fn standing(&self, member: &Member) -> NodeResult<Standing> {
        let mut standing = Standing::default();
        let profile = &member.profile.skills;
        standing.skills.add(
            profile
                .languages
                .iter()
                .chain(&profile.areas)
                .map(String::as_str),
            &SkillSource::Profile,
        );
        for key in self
            .store
            .scan::<tables::MemberCompletions>((member.id,), true)
            .keys()
            .take(STANDING_BOUND)
        {
            let (_, course) = key?;
            standing.completed.insert(course);
            if let Some(c) = self.store.load::<tables::Course>(course)? {
                let source = SkillSource::Course {
                    id: c.id,
                    title: c.title.clone(),
                };
                standing
                    .skills
                    .add(c.tags.iter().map(String::as_str), &source);
            }
        }
        for key in self
            .store
            .scan::<tables::MemberCourses>((member.id,), true)
            .keys()
            .take(STANDING_BOUND)
        {
            let (_, course) = key?;
            if let Some(e) = self
                .store
                .load::<tables::CourseEnrolments>((course, member.id))?
            {
                if e.state == EnrolmentState::Completed {
                    standing.completed.insert(course);
                } else {
                    standing.enrolments.insert(course, e.state);
                }
            }
        }
        for row in self
            .store
            .scan::<tables::ImportedCertificates>((member.id,), false)
            .take(STANDING_BOUND)
        {
            let (_, cert) = row?;
            // Revoked by its issuer, it counts for nothing.
            if cert.revoked_at.is_some() {
                continue;
            }
            let source = SkillSource::Certificate {
                url: cert.course_url.clone(),
            };
            standing
                .skills
                .add(credential_tags(&cert.credential), &source);
            standing.certified.insert(cert.course_url);
        }
        Ok(standing)
    }
}

/// The local courses among `prerequisites`.
fn local_prerequisites(prerequisites: &[Prerequisite]) -> impl Iterator<Item = Id> + '_ {
    prerequisites.iter().filter_map(|p| match p {
        Prerequisite::Course { id } => Some(*id),
        Prerequisite::Remote { .. } => None,
    })
}
