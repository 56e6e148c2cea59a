//! Creating, changing and deleting a course.

use super::input::{self, CourseUpdate, NewCourse, MAX_INSTRUCTORS};
use super::model::{Course, CourseLevel, CourseStatus, EnrolmentMode, EnrolmentState};
use super::query::CourseView;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};
use crate::validate;

impl Node {
    /// Markdown and its HTML, rendered as posts are, at most `max`
    /// characters (413 naming `field` when longer, 422 when too heavy).
    pub(crate) fn course_markdown(
        &self,
        field: &str,
        source: &str,
        max: usize,
    ) -> NodeResult<(String, String)> {
        let source = source.trim();
        validate::max_chars(field, source, max)?;
        if source.is_empty() {
            return Ok((String::new(), String::new()));
        }
        let html = self.markdown_html(field, source)?;
        Ok((source.to_string(), html))
    }

    /// Instructors by username: local people (not groups) of this node,
    /// deduplicated, at most [`MAX_INSTRUCTORS`].
    fn course_instructors(&self, names: &[String]) -> NodeResult<Vec<Id>> {
        let mut out: Vec<Id> = Vec::new();
        for name in names {
            let name = name.trim().trim_start_matches('@');
            let member = self
                .member_by_name(name)?
                .filter(|m| m.deleted_at.is_none() && m.is_local() && !m.is_group())
                .ok_or_else(|| {
                    NodeError::invalid("instructors", format!("no member {name:?} here"))
                })?;
            if !out.contains(&member.id) {
                out.push(member.id);
            }
        }
        if out.len() > MAX_INSTRUCTORS {
            return Err(NodeError::too_large(
                "instructors",
                format!("at most {MAX_INSTRUCTORS}"),
            ));
        }
        Ok(out)
    }

    /// Creates a course taught by the viewer, or owned by a local group
    /// the viewer owns or moderates. Every field is checked first: a bad
    /// one is a 422 naming it; prerequisites are checked in the write
    /// (a cycle is impossible for a new course, but the courses named
    /// must exist).
    pub async fn create_course(&self, viewer: &Viewer, new: NewCourse) -> NodeResult<CourseView> {
        let me = viewer.member()?.clone();
        if !me.is_local() || me.is_group() {
            return Err(NodeError::Forbidden(
                "only members of this node create courses",
            ));
        }
        let title = input::title("title", &new.title)?;
        let (description, description_html) = self.course_markdown(
            "description",
            new.description.as_deref().unwrap_or(""),
            self.limits().post_chars,
        )?;
        let level = new
            .level
            .as_deref()
            .map_or(Ok(CourseLevel::Beginner), input::level)?;
        let (duration_minutes, duration_text) = match &new.duration {
            Some(d) => input::duration(d)?,
            None => (None, None),
        };
        let category = input::category(new.category.as_deref())?;
        let tags = validate::tag_slugs("tags", &new.tags, self.limits().tags)?;
        let group = match new.group.as_deref().map(str::trim) {
            Some(name) if !name.is_empty() => Some(self.local_group(name)?),
            _ => None,
        };
        let mut instructors = Vec::new();
        if group.is_none() {
            instructors.push(me.id);
        }
        for id in self.course_instructors(&new.instructors)? {
            if !instructors.contains(&id) {
                instructors.push(id);
            }
        }
        if instructors.len() > MAX_INSTRUCTORS {
            return Err(NodeError::too_large(
                "instructors",
                format!("at most {MAX_INSTRUCTORS}"),
            ));
        }
        let prerequisites = input::prerequisites(&new.prerequisites)?;
        let status = match new
            .status
            .as_deref()
            .map_or(Ok(CourseStatus::Draft), input::status)?
        {
            s @ (CourseStatus::Draft | CourseStatus::Published) => s,
            CourseStatus::Archived => {
                return Err(NodeError::invalid(
                    "status",
                    "a new course is draft or published",
                ))
            }
        };
        let enrolment = new
            .enrolment
            .as_deref()
            .map_or(Ok(EnrolmentMode::Open), input::enrolment)?;
        input::window(new.enrolment_opens, new.enrolment_closes)?;
        let capacity = input::capacity(new.capacity)?;
        let price = new.price.as_ref().map(input::price).transpose()?;

        let now = now_ms();
        let course = Course {
            id: self.ids.next(),
            title,
            description,
            description_html,
            level,
            duration_minutes,
            duration_text,
            category,
            tags,
            creator: me.id,
            instructors,
            group: group.as_ref().map(|g| g.account.id),
            prerequisites,
            status,
            enrolment,
            enrolment_opens: new.enrolment_opens,
            enrolment_closes: new.enrolment_closes,
            capacity,
            price,
            certificate: new.certificate,
            modules: Vec::new(),
            created_at: now,
            updated_at: now,
        };
        self.write(|txn| {
            if let Some(g) = &group {
                if !txn.has::<tables::GroupRoles>((g.account.id, me.id))? {
                    return Err(NodeError::Forbidden(
                        "only the group's owner and moderators create its courses",
                    ));
                }
            }
            Self::check_prerequisites(txn, &course, &me)?;
            Self::index_prerequisites(txn, course.id, &[], &course.prerequisites)?;
            txn.store::<tables::Course>(course.id, &course)?;
            super::index_listing(txn, None, Some(&course))?;
            Self::index_instructors(txn, course.id, &[], &course.instructors)?;
            if let Some(group) = course.group {
                txn.store::<tables::CoursesByGroup>((group, course.id), &())?;
            }
            if course.status == CourseStatus::Published {
                self.federate_course(txn, &course, true)?;
            }
            Ok(())
        })
        .await?;
        tracing::info!(course = %course.id, by = %me.username, "course created");
        self.course(viewer, course.id)
    }

    /// Updates `CoursesByInstructor` from `old` to `new` instructors.
    fn index_instructors(txn: &mut Txn<'_>, course: Id, old: &[Id], new: &[Id]) -> NodeResult<()> {
        for m in old {
            if !new.contains(m) {
                txn.remove::<tables::CoursesByInstructor>((*m, course));
            }
        }
        for m in new {
            txn.store::<tables::CoursesByInstructor>((*m, course), &())?;
        }
        Ok(())
    }

    /// Changes a course (its instructors). Every field is checked first; a
    /// bad one is a 422 naming it and changes nothing. Prerequisites are
    /// checked for cycles in the write. A course taught by people only
    /// keeps at least one instructor; back to `draft` only while nobody
    /// is enrolled or waiting.
    pub async fn update_course(
        &self,
        viewer: &Viewer,
        id: Id,
        update: CourseUpdate,
    ) -> NodeResult<CourseView> {
        let me = viewer.member()?.clone();
        let title = update
            .title
            .as_deref()
            .map(|t| input::title("title", t))
            .transpose()?;
        let description = update
            .description
            .as_deref()
            .map(|d| self.course_markdown("description", d, self.limits().post_chars))
            .transpose()?;
        let level = update.level.as_deref().map(input::level).transpose()?;
        let duration = update
            .duration
            .as_ref()
            .map(|d| d.as_ref().map_or(Ok((None, None)), input::duration))
            .transpose()?;
        let category = update
            .category
            .as_ref()
            .map(|c| input::category(c.as_deref()))
            .transpose()?;
        let tags = update
            .tags
            .as_deref()
            .map(|t| validate::tag_slugs("tags", t, self.limits().tags))
            .transpose()?;
        let instructors = update
            .instructors
            .as_deref()
            .map(|names| self.course_instructors(names))
            .transpose()?;
        let prerequisites = update
            .prerequisites
            .as_deref()
            .map(input::prerequisites)
            .transpose()?;
        let status = update.status.as_deref().map(input::status).transpose()?;
        let enrolment = update
            .enrolment
            .as_deref()
            .map(input::enrolment)
            .transpose()?;
        let capacity = update.capacity.map(input::capacity).transpose()?;
        let price = update
            .price
            .as_ref()
            .map(|p| p.as_ref().map(input::price).transpose())
            .transpose()?;

        self.write(|txn| {
            let old = Self::course_in(txn, id)?;
            Self::require_instructor(txn, &old, &me)?;
            let mut course = old.clone();
            if let Some(v) = title {
                course.title = v;
            }
            if let Some((source, html)) = description {
                course.description = source;
                course.description_html = html;
            }
            if let Some(v) = level {
                course.level = v;
            }
            if let Some((minutes, text)) = duration {
                course.duration_minutes = minutes;
                course.duration_text = text;
            }
            if let Some(v) = category {
                course.category = v;
            }
            if let Some(v) = tags {
                course.tags = v;
            }
            if let Some(v) = instructors {
                if v.is_empty() && course.group.is_none() {
                    return Err(NodeError::invalid(
                        "instructors",
                        "a course needs at least one instructor",
                    ));
                }
                course.instructors = v;
            }
            if let Some(v) = enrolment {
                course.enrolment = v;
            }
            if let Some(v) = update.enrolment_opens {
                course.enrolment_opens = v;
            }
            if let Some(v) = update.enrolment_closes {
                course.enrolment_closes = v;
            }
            input::window(course.enrolment_opens, course.enrolment_closes)?;
            if let Some(v) = capacity {
                course.capacity = v;
            }
            if let Some(v) = price {
                course.price = v;
            }
            if let Some(v) = update.certificate {
                course.certificate = v;
            }
            if let Some(v) = status {
                if v == CourseStatus::Draft
                    && old.status != CourseStatus::Draft
                    && Self::has_enrolments(txn, id)?
                {
                    return Err(NodeError::conflict(
                        "status",
                        "a course with enrolments cannot go back to draft; archive it",
                    ));
                }
                course.status = v;
            }
            if let Some(v) = prerequisites {
                course.prerequisites = v;
                Self::check_prerequisites(txn, &course, &me)?;
                Self::index_prerequisites(txn, id, &old.prerequisites, &course.prerequisites)?;
            }
            Self::index_instructors(txn, id, &old.instructors, &course.instructors)?;
            course.updated_at = now_ms();
            super::index_listing(txn, Some(&old), Some(&course))?;
            txn.store::<tables::Course>(id, &course)?;
            match (old.status, course.status) {
                (_, CourseStatus::Draft) => {
                    if old.status != CourseStatus::Draft {
                        self.federate_course_deleted(txn, &old)?;
                    }
                }
                (CourseStatus::Draft, _) => self.federate_course(txn, &course, true)?,
                _ => self.federate_course(txn, &course, false)?,
            }
            Ok(())
        })
        .await?;
        self.course(viewer, id)
    }

    /// Publishes a draft (or archived) course: shorthand for an update
    /// of its status.
    pub async fn publish_course(&self, viewer: &Viewer, id: Id) -> NodeResult<CourseView> {
        self.update_course(
            viewer,
            id,
            CourseUpdate {
                status: Some("published".into()),
                ..CourseUpdate::default()
            },
        )
        .await
    }

    /// Whether anyone is enrolled in, completed or waits for `course`
    /// (an invitation alone does not count).
    fn has_enrolments(txn: &Txn<'_>, course: Id) -> NodeResult<bool> {
        for row in txn.scan::<tables::CourseEnrolments>((course,), false) {
            let (_, e) = row?;
            if e.state != EnrolmentState::Invited {
                return Ok(true);
            }
        }
        Ok(false)
    }

    /// Deletes a course (its instructors) with its modules, lessons,
    /// assessments, invitations and whatever progress and attempts are
    /// left; courses requiring it lose that prerequisite. Refused (409)
    /// while anyone is enrolled or waits: archive it instead. Completions
    /// are kept: they are what certificates state.
    pub async fn delete_course(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let course = Self::course_in(txn, id)?;
            Self::require_instructor(txn, &course, &me)?;
            if Self::has_enrolments(txn, id)? {
                return Err(NodeError::conflict(
                    "course",
                    "members are enrolled in this course; archive it instead",
                ));
            }
            if course.status != CourseStatus::Draft {
                self.federate_course_deleted(txn, &course)?;
            }
            self.drop_course_records(txn, &course, &me)
        })
        .await?;
        tracing::info!(course = %id, by = %me.username, "course deleted");
        Ok(())
    }

    /// Removes `course` and everything that hangs off it, inside `txn`.
    fn drop_course_records(
        &self,
        txn: &mut Txn<'_>,
        course: &Course,
        me: &Member,
    ) -> NodeResult<()> {
        let id = course.id;
        let invited: Vec<(Id, Id)> = txn
            .scan::<tables::CourseEnrolments>((id,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for (c, m) in invited {
            txn.remove::<tables::CourseEnrolments>((c, m));
            txn.remove::<tables::MemberCourses>((m, c));
        }
        for module in &course.modules {
            let Some(m) = txn.load::<tables::CourseModule>(*module)? else {
                continue;
            };
            for lesson in &m.lessons {
                Self::drop_lesson_progress(txn, course.id, *module, lesson.id)?;
                txn.remove::<tables::Lesson>(lesson.id);
            }
            for assessment in &m.assessments {
                Self::drop_assessment_records(txn, course.id, assessment.id)?;
            }
            Self::drop_module_counters(txn, *module)?;
            txn.remove::<tables::CourseModule>(*module);
        }
        let dependents: Vec<Id> = txn
            .scan::<tables::CourseRequiredBy>((id,), false)
            .keys()
            .map(|k| k.map(|(_, d)| d))
            .collect::<NodeResult<_>>()?;
        for d in dependents {
            txn.remove::<tables::CourseRequiredBy>((id, d));
            if let Some(mut dependent) = txn.load::<tables::Course>(d)? {
                dependent
                    .prerequisites
                    .retain(|p| *p != super::Prerequisite::Course { id });
                txn.store::<tables::Course>(d, &dependent)?;
            }
        }
        Self::index_prerequisites(txn, id, &course.prerequisites, &[])?;
        Self::index_instructors(txn, id, &course.instructors, &[])?;
        if let Some(group) = course.group {
            txn.remove::<tables::CoursesByGroup>((group, id));
        }
        let ratings: Vec<(Id, Id)> = txn
            .scan::<tables::CourseRatings>((id,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for key in ratings {
            txn.remove::<tables::CourseRatings>(key);
        }
        txn.remove::<tables::CourseRatingSum>(id);
        txn.remove::<tables::CourseRatingCount>(id);
        txn.remove::<tables::CourseEnrolledCount>(id);
        txn.remove::<tables::CoursePendingCount>(id);
        txn.remove::<tables::CourseLessonCount>(id);
        txn.remove::<tables::CourseReviewCount>(id);
        txn.remove::<tables::CourseCompletedCount>(id);
        let done: Vec<(Id, Id)> = txn
            .scan::<tables::CourseLessonsDone>((id,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for key in done {
            txn.remove::<tables::CourseLessonsDone>(key);
        }
        super::index_listing(txn, Some(course), None)?;
        txn.remove::<tables::Course>(id);
        self.audit(
            txn,
            Some(&Viewer::Member(Box::new(me.clone()))),
            "course.delete",
            &course.title,
            &id.to_string(),
        )
    }
}
