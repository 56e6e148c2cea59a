//! Notifications: written inside the write that causes them, read with
//! read state, marked read individually or all at once.

use serde::Serialize;

use crate::error::NodeResult;
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, Notification, NotificationKind, NotificationView};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// Unread count.
#[derive(Debug, Clone, Serialize)]
pub struct UnreadCount {
    /// Unread notifications.
    pub unread: i64,
}

impl Node {
    /// Stages a notification for `recipient`, unless it is about their own
    /// action or they block or mute the actor.
    pub(crate) fn notify(
        &self,
        txn: &mut Txn<'_>,
        recipient: Id,
        kind: NotificationKind,
        actor: Id,
        post_id: Option<Id>,
    ) -> NodeResult<()> {
        self.notify_about(txn, recipient, kind, actor, post_id, None)
    }

    /// [`Node::notify`] about a group (its account id in `group_id`).
    pub(crate) fn notify_about(
        &self,
        txn: &mut Txn<'_>,
        recipient: Id,
        kind: NotificationKind,
        actor: Id,
        post_id: Option<Id>,
        group_id: Option<Id>,
    ) -> NodeResult<()> {
        self.stage_notification(txn, recipient, kind, actor, post_id, group_id, None, None)
    }

    /// [`Node::notify`] about a community event (its id in `event_id`).
    pub(crate) fn notify_event(
        &self,
        txn: &mut Txn<'_>,
        recipient: Id,
        kind: NotificationKind,
        actor: Id,
        event_id: Id,
    ) -> NodeResult<()> {
        self.stage_notification(
            txn,
            recipient,
            kind,
            actor,
            None,
            None,
            Some(event_id),
            None,
        )
    }

    /// [`Node::notify`] about a course (its id in `course_id`). A
    /// `course_completed` is the member's own doing and is told to them
    /// all the same (the actor is the member).
    pub(crate) fn notify_course(
        &self,
        txn: &mut Txn<'_>,
        recipient: Id,
        kind: NotificationKind,
        actor: Id,
        course_id: Id,
    ) -> NodeResult<()> {
        self.stage_notification(
            txn,
            recipient,
            kind,
            actor,
            None,
            None,
            None,
            Some(course_id),
        )
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn stage_notification(
        &self,
        txn: &mut Txn<'_>,
        recipient: Id,
        kind: NotificationKind,
        actor: Id,
        post_id: Option<Id>,
        group_id: Option<Id>,
        event_id: Option<Id>,
        course_id: Option<Id>,
    ) -> NodeResult<()> {
        // One's own actions are not notified, but for a completed course,
        // which the member did and is told of.
        if recipient == actor && kind != NotificationKind::CourseCompleted
            || txn.has::<tables::Blocks>((recipient, actor))?
            || txn.has::<tables::Mutes>((recipient, actor))?
        {
            return Ok(());
        }
        let id = self.ids.next();
        let n = Notification {
            id,
            kind,
            actor_id: actor,
            post_id,
            created_at: now_ms(),
            group_id,
            event_id,
            course_id,
        };
        txn.store::<tables::Notifications>((recipient, id), &n)?;
        txn.store::<tables::UnreadNotifications>((recipient, id), &())?;
        txn.add::<tables::UnreadCount>(recipient, 1)?;
        txn.emit(crate::events::Event::Notified { recipient, id });
        Ok(())
    }

    /// The viewer's notifications, newest first, optionally only some kinds.
    pub fn notifications(
        &self,
        viewer: &Viewer,
        kinds: &[NotificationKind],
        req: &PageRequest,
    ) -> NodeResult<Page<NotificationView>> {
        let me = viewer.member()?.id;
        scan::<tables::Notifications, _, _>(&self.store, me, req, |id, n| {
            if !kinds.is_empty() && !kinds.contains(&n.kind) {
                return Ok(None);
            }
            let Some(actor) = self.member(n.actor_id)? else {
                return Ok(None);
            };
            let post = match n.post_id {
                Some(pid) => match self.store.load::<tables::Post>(pid)? {
                    Some(post) => match self.member(post.author_id)? {
                        Some(author) if self.can_view(viewer, &post, &author)? => {
                            Some(self.post_view(viewer, &post, &author)?)
                        }
                        _ => return Ok(None),
                    },
                    None => return Ok(None), // the post is gone
                },
                None => None,
            };
            let group = match n.group_id {
                Some(gid) => match self.member(gid)? {
                    Some(g) if g.deleted_at.is_none() => Some(Self::summary(&g)),
                    _ => return Ok(None), // the group is gone
                },
                None => None,
            };
            let read = !self.store.has::<tables::UnreadNotifications>((me, id))?;
            Ok(Some(NotificationView {
                id,
                kind: n.kind,
                actor: Self::summary(&actor),
                post,
                group,
                event_id: n.event_id,
                course_id: n.course_id,
                read,
                created_at: n.created_at,
            }))
        })
    }

    /// One of the viewer's notifications.
    pub fn notification(&self, viewer: &Viewer, id: Id) -> NodeResult<NotificationView> {
        let page = self.notifications(
            viewer,
            &[],
            &PageRequest {
                max_id: Some(id.successor()),
                limit: Some(1),
                ..PageRequest::default()
            },
        )?;
        page.items
            .into_iter()
            .find(|n| n.id == id)
            .ok_or(crate::NodeError::NotFound("notification"))
    }

    /// Deletes one of the viewer's notifications.
    pub async fn dismiss_notification(&self, viewer: &Viewer, id: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            let key = (me, id);
            if !txn.has::<tables::Notifications>(key)? {
                return Err(crate::NodeError::NotFound("notification"));
            }
            txn.remove::<tables::Notifications>(key);
            let unread = (me, id);
            if txn.has::<tables::UnreadNotifications>(unread)? {
                txn.remove::<tables::UnreadNotifications>(unread);
                txn.add::<tables::UnreadCount>(me, -1)?;
            }
            Ok(())
        })
        .await
    }

    /// Deletes all the viewer's notifications.
    pub async fn clear_notifications(&self, viewer: &Viewer) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            let all: Vec<_> = txn
                .scan::<tables::Notifications>((me,), false)
                .keys()
                .collect::<Result<_, _>>()?;
            for key in all {
                txn.remove::<tables::Notifications>(key);
            }
            let unread: Vec<_> = txn
                .scan::<tables::UnreadNotifications>((me,), false)
                .keys()
                .collect::<Result<_, _>>()?;
            for key in unread {
                txn.remove::<tables::UnreadNotifications>(key);
            }
            txn.remove::<tables::UnreadCount>(me);
            Ok(())
        })
        .await
    }

    /// How many notifications are unread.
    pub fn unread_count(&self, viewer: &Viewer) -> NodeResult<UnreadCount> {
        let me = viewer.member()?.id;
        Ok(UnreadCount {
            unread: self.store.counter::<tables::UnreadCount>(me)?,
        })
    }

    /// Marks notifications read: the given ids, or (with `ids` empty) all.
    /// Returns the new unread count.
    pub async fn mark_notifications_read(
        &self,
        viewer: &Viewer,
        ids: &[Id],
    ) -> NodeResult<UnreadCount> {
        let me = viewer.member()?.id;
        let unread = self
            .store
            .write(|txn| {
                let unread: Vec<Id> = if ids.is_empty() {
                    txn.scan::<tables::UnreadNotifications>((me,), false)
                        .keys()
                        .filter_map(|key| key.ok())
                        .map(|(_, id)| id)
                        .collect()
                } else {
                    ids.to_vec()
                };
                let mut cleared = 0;
                for id in unread {
                    if txn.has::<tables::UnreadNotifications>((me, id))? {
                        txn.remove::<tables::UnreadNotifications>((me, id));
                        cleared += 1;
                    }
                }
                txn.add::<tables::UnreadCount>(me, -cleared)
            })
            .await?;
        Ok(UnreadCount { unread })
    }
}
