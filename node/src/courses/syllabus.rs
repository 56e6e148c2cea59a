//! A course's modules and lessons: add, change, remove, reorder (its
//! instructors). Each is one write that reads the course (or module) and
//! checks the instructor and the bounds in it, so concurrent changes
//! never lose a module or a lesson.

use super::input::{self, LessonInput, LESSON_CHARS, MAX_LESSONS, MAX_MODULES};
use super::model::{Course, CourseModule, Lesson, LessonEntry};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// `order` is a permutation of `current`, else a 422 naming `order`.
pub(super) fn same_items(current: &[Id], order: &[Id]) -> NodeResult<()> {
    let mut a = current.to_vec();
    let mut b = order.to_vec();
    a.sort();
    b.sort();
    if a != b {
        return Err(NodeError::invalid(
            "order",
            "must list each of the current items once",
        ));
    }
    Ok(())
}

impl Node {
    /// The module `id` inside a write, or `NotFound("module")`.
    pub(crate) fn module_in(txn: &Txn<'_>, id: Id) -> NodeResult<CourseModule> {
        txn.load::<tables::CourseModule>(id)?
            .ok_or(NodeError::NotFound("module"))
    }

    /// The module `id` and its course inside a write, when `me` teaches
    /// that course (403 otherwise).
    pub(crate) fn module_for_instructor(
        txn: &Txn<'_>,
        id: Id,
        me: &Member,
    ) -> NodeResult<(CourseModule, Course)> {
        let module = Self::module_in(txn, id)?;
        let course = Self::course_in(txn, module.course)?;
        Self::require_instructor(txn, &course, me)?;
        Ok((module, course))
    }

    /// Adds a module at the end of a course (at most [`MAX_MODULES`]).
    pub async fn add_module(
        &self,
        viewer: &Viewer,
        course: Id,
        title: &str,
    ) -> NodeResult<CourseModule> {
        let me = viewer.member()?.clone();
        let title = input::title("title", title)?;
        self.write(|txn| {
            let mut c = Self::course_in(txn, course)?;
            Self::require_instructor(txn, &c, &me)?;
            if c.modules.len() >= MAX_MODULES {
                return Err(NodeError::too_large(
                    "modules",
                    format!("a course has at most {MAX_MODULES} modules"),
                ));
            }
            let now = now_ms();
            let module = CourseModule {
                id: self.ids.next(),
                course,
                title,
                lessons: Vec::new(),
                assessments: Vec::new(),
                created_at: now,
                updated_at: now,
            };
            c.modules.push(module.id);
            self.syllabus_changed(txn, &mut c)?;
            txn.store::<tables::CourseModule>(module.id, &module)?;
            Ok(module)
        })
        .await
    }

    /// Renames a module.
    pub async fn rename_module(
        &self,
        viewer: &Viewer,
        module: Id,
        title: &str,
    ) -> NodeResult<CourseModule> {
        let me = viewer.member()?.clone();
        let title = input::title("title", title)?;
        self.write(|txn| {
            let (mut m, _) = Self::module_for_instructor(txn, module, &me)?;
            m.title = title;
            m.updated_at = now_ms();
            txn.store::<tables::CourseModule>(module, &m)?;
            Ok(m)
        })
        .await
    }

    /// Removes a module with its lessons and assessments, and the
    /// progress and attempts recorded for them.
    pub async fn remove_module(&self, viewer: &Viewer, module: Id) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let (m, mut c) = Self::module_for_instructor(txn, module, &me)?;
            for lesson in &m.lessons {
                Self::drop_lesson_progress(txn, c.id, module, lesson.id)?;
                txn.remove::<tables::Lesson>(lesson.id);
            }
            for assessment in &m.assessments {
                Self::drop_assessment_records(txn, c.id, assessment.id)?;
            }
            Self::drop_module_counters(txn, module)?;
            c.modules.retain(|id| *id != module);
            self.syllabus_changed(txn, &mut c)?;
            txn.remove::<tables::CourseModule>(module);
            Ok(())
        })
        .await
    }

    /// Puts a course's modules in `order` (each of them, once).
    pub async fn reorder_modules(
        &self,
        viewer: &Viewer,
        course: Id,
        order: Vec<Id>,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let mut c = Self::course_in(txn, course)?;
            Self::require_instructor(txn, &c, &me)?;
            same_items(&c.modules, &order)?;
            c.modules = order;
            c.updated_at = now_ms();
            txn.store::<tables::Course>(course, &c)
        })
        .await
    }

    /// A lesson's fields, checked and rendered.
    fn lesson_fields(&self, new: &LessonInput) -> NodeResult<(String, String, String, u32)> {
        let title = input::title("title", &new.title)?;
        let (body, body_html) = self.course_markdown("body", &new.body, LESSON_CHARS)?;
        let minutes = input::lesson_minutes(new.minutes)?;
        Ok((title, body, body_html, minutes))
    }

    /// Adds a lesson at the end of a module (at most [`MAX_LESSONS`]).
    pub async fn add_lesson(
        &self,
        viewer: &Viewer,
        module: Id,
        new: LessonInput,
    ) -> NodeResult<Lesson> {
        let me = viewer.member()?.clone();
        let (title, body, body_html, minutes) = self.lesson_fields(&new)?;
        self.write(|txn| {
            let (mut m, mut c) = Self::module_for_instructor(txn, module, &me)?;
            if m.lessons.len() >= MAX_LESSONS {
                return Err(NodeError::too_large(
                    "lessons",
                    format!("a module has at most {MAX_LESSONS} lessons"),
                ));
            }
            let now = now_ms();
            let lesson = Lesson {
                id: self.ids.next(),
                course: c.id,
                module,
                title,
                body,
                body_html,
                minutes,
                created_at: now,
                updated_at: now,
            };
            m.lessons.push(LessonEntry {
                id: lesson.id,
                title: lesson.title.clone(),
                minutes: lesson.minutes,
            });
            m.updated_at = now;
            txn.store::<tables::CourseModule>(module, &m)?;
            txn.store::<tables::Lesson>(lesson.id, &lesson)?;
            txn.add::<tables::CourseLessonCount>(c.id, 1)?;
            self.syllabus_changed(txn, &mut c)?;
            Ok(lesson)
        })
        .await
    }

    /// Changes a lesson's title, body and minutes.
    pub async fn update_lesson(
        &self,
        viewer: &Viewer,
        lesson: Id,
        new: LessonInput,
    ) -> NodeResult<Lesson> {
        let me = viewer.member()?.clone();
        let (title, body, body_html, minutes) = self.lesson_fields(&new)?;
        self.write(|txn| {
            let mut l = txn
                .load::<tables::Lesson>(lesson)?
                .ok_or(NodeError::NotFound("lesson"))?;
            let c = Self::course_in(txn, l.course)?;
            Self::require_instructor(txn, &c, &me)?;
            l.title = title;
            l.body = body;
            l.body_html = body_html;
            l.minutes = minutes;
            l.updated_at = now_ms();
            txn.store::<tables::Lesson>(lesson, &l)?;
            let mut m = Self::module_in(txn, l.module)?;
            for entry in m.lessons.iter_mut().filter(|e| e.id == lesson) {
                entry.title = l.title.clone();
                entry.minutes = l.minutes;
            }
            txn.store::<tables::CourseModule>(m.id, &m)?;
            Ok(l)
        })
        .await
    }

    /// Removes a lesson and the progress recorded for it.
    pub async fn remove_lesson(&self, viewer: &Viewer, lesson: Id) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let l = txn
                .load::<tables::Lesson>(lesson)?
                .ok_or(NodeError::NotFound("lesson"))?;
            let mut c = Self::course_in(txn, l.course)?;
            Self::require_instructor(txn, &c, &me)?;
            let mut m = Self::module_in(txn, l.module)?;
            m.lessons.retain(|e| e.id != lesson);
            m.updated_at = now_ms();
            txn.store::<tables::CourseModule>(m.id, &m)?;
            Self::drop_lesson_progress(txn, c.id, m.id, lesson)?;
            txn.remove::<tables::Lesson>(lesson);
            self.syllabus_changed(txn, &mut c)?;
            Ok(())
        })
        .await
    }

    /// Puts a module's lessons in `order` (each of them, once).
    pub async fn reorder_lessons(
        &self,
        viewer: &Viewer,
        module: Id,
        order: Vec<Id>,
    ) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        self.write(|txn| {
            let (mut m, _) = Self::module_for_instructor(txn, module, &me)?;
            let ids: Vec<Id> = m.lessons.iter().map(|e| e.id).collect();
            same_items(&ids, &order)?;
            m.lessons
                .sort_by_key(|e| order.iter().position(|id| *id == e.id));
            m.updated_at = now_ms();
            txn.store::<tables::CourseModule>(module, &m)
        })
        .await
    }

    /// Removes the per-member counters of `module`, inside `txn`.
    pub(crate) fn drop_module_counters(txn: &mut Txn<'_>, module: Id) -> NodeResult<()> {
        let keys: Vec<(Id, Id)> = txn
            .scan::<tables::ModuleLessonsDone>((module,), false)
            .keys()
            .collect::<NodeResult<_>>()?;
        for key in keys {
            txn.remove::<tables::ModuleLessonsDone>(key);
        }
        Ok(())
    }

    /// Forgets who did `lesson` (of `module` in `course`): their rows and
    /// their counters, and the course's lesson count, inside `txn`.
    pub(crate) fn drop_lesson_progress(
        txn: &mut Txn<'_>,
        course: Id,
        module: Id,
        lesson: Id,
    ) -> NodeResult<()> {
        let members: Vec<Id> = txn
            .scan::<tables::LessonsDone>((lesson,), false)
            .keys()
            .map(|k| k.map(|(_, m)| m))
            .collect::<NodeResult<_>>()?;
        for m in members {
            txn.remove::<tables::LessonsDone>((lesson, m));
            txn.add::<tables::CourseLessonsDone>((course, m), -1)?;
            txn.add::<tables::ModuleLessonsDone>((module, m), -1)?;
        }
        txn.add::<tables::CourseLessonCount>(course, -1)?;
        Ok(())
    }
}
