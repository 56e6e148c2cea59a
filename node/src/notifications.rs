//! Notifications: written inside the write that causes them, read with
//! read state, marked read individually or all at once.

use serde::Serialize;

use crate::error::NodeResult;
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{now_ms, Notification, NotificationKind, NotificationView, Post};
use crate::node::{counter, Node, Viewer};
use crate::store::{Key, Space, Txn};

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
        if recipient == actor
            || txn.contains(&Key::new(Space::Blocks).id(recipient).id(actor))?
            || txn.contains(&Key::new(Space::Mutes).id(recipient).id(actor))?
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
        };
        txn.put(Key::new(Space::Notifications).id(recipient).id(id), &n)?;
        txn.put_raw(
            Key::new(Space::UnreadNotifications).id(recipient).id(id),
            Vec::new(),
        );
        txn.add_raw(counter::key(counter::UNREAD, recipient), 1)?;
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
        scan(
            &self.store,
            &Key::new(Space::Notifications).id(me),
            req,
            |id, value| {
                let n: Notification = crate::store::decode_value(value)?;
                if !kinds.is_empty() && !kinds.contains(&n.kind) {
                    return Ok(None);
                }
                let Some(actor) = self.member(n.actor_id)? else {
                    return Ok(None);
                };
                let post = match n.post_id {
                    Some(pid) => match self.store.get::<Post>(&Key::new(Space::Post).id(pid))? {
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
                let read = !self
                    .store
                    .contains(&Key::new(Space::UnreadNotifications).id(me).id(id))?;
                Ok(Some(NotificationView {
                    id,
                    kind: n.kind,
                    actor: Self::summary(&actor),
                    post,
                    read,
                    created_at: n.created_at,
                }))
            },
        )
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
            let key = Key::new(Space::Notifications).id(me).id(id);
            if !txn.contains(&key)? {
                return Err(crate::NodeError::NotFound("notification"));
            }
            txn.delete(key);
            let unread = Key::new(Space::UnreadNotifications).id(me).id(id);
            if txn.contains(&unread)? {
                txn.delete(unread);
                txn.add_raw(counter::key(counter::UNREAD, me), -1)?;
            }
            Ok(())
        })
        .await
    }

    /// Deletes all the viewer's notifications.
    pub async fn clear_notifications(&self, viewer: &Viewer) -> NodeResult<()> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            for space in [Space::Notifications, Space::UnreadNotifications] {
                let keys: Vec<_> = txn
                    .prefix(&Key::new(space).id(me), false)
                    .collect::<Result<_, _>>()?;
                for (key, _) in keys {
                    if let Some(id) = Key::trailing_id(&key) {
                        txn.delete(Key::new(space).id(me).id(id));
                    }
                }
            }
            txn.delete(counter::key(counter::UNREAD, me));
            Ok(())
        })
        .await
    }

    /// How many notifications are unread.
    pub fn unread_count(&self, viewer: &Viewer) -> NodeResult<UnreadCount> {
        let me = viewer.member()?.id;
        Ok(UnreadCount {
            unread: self.store.counter_raw(&counter::key(counter::UNREAD, me))?,
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
                let keys: Vec<Key> = if ids.is_empty() {
                    txn.prefix(&Key::new(Space::UnreadNotifications).id(me), false)
                        .filter_map(|item| item.ok())
                        .filter_map(|(k, _)| Key::trailing_id(&k))
                        .map(|id| Key::new(Space::UnreadNotifications).id(me).id(id))
                        .collect()
                } else {
                    ids.iter()
                        .map(|id| Key::new(Space::UnreadNotifications).id(me).id(*id))
                        .collect()
                };
                let mut cleared = 0;
                for key in keys {
                    if txn.contains(&key)? {
                        txn.delete(key);
                        cleared += 1;
                    }
                }
                txn.add_raw(counter::key(counter::UNREAD, me), -cleared)
            })
            .await?;
        Ok(UnreadCount { unread })
    }
}
