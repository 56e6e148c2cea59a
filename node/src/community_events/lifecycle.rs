//! Cancelling an event and taking it live.

use super::input;
use super::model::EventStatus;
use super::query::EventView;
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind};
use crate::node::{Node, Viewer};

impl Node {
    /// Cancels an event (its organisers): its status becomes `cancelled`,
    /// its sequence moves on, its reminders are dropped and everyone
    /// registered is told (`event_cancelled`), in one write. Registrations
    /// are kept, so that calendars and lists still show who was coming;
    /// cancelling twice changes nothing.
    pub async fn cancel_event(&self, viewer: &Viewer, id: Id) -> NodeResult<EventView> {
        let me = viewer.member()?.clone();
        let event = self
            .write(|txn| {
                let old = Self::event_in(txn, id)?;
                Self::require_organiser(txn, &old, &me)?;
                if old.status == EventStatus::Cancelled {
                    return Ok(old);
                }
                let mut event = old.clone();
                event.status = EventStatus::Cancelled;
                self.notify_registered(txn, id, NotificationKind::EventCancelled, me.id)?;
                self.save_changed_event(txn, &old, &mut event, me.id)?;
                Ok(event)
            })
            .await?;
        self.event_view(viewer, &event)
    }

    /// Takes an event live (its organisers): sets its stream link (http(s),
    /// 422 naming `stream_url`) and tells everyone registered
    /// (`event_live`), and a public group's event is gossiped again with the
    /// link. Setting the same link again tells nobody. A
    /// cancelled or finished event cannot go live (409 naming `status`).
    pub async fn go_live(
        &self,
        viewer: &Viewer,
        id: Id,
        stream_url: &str,
    ) -> NodeResult<EventView> {
        let me = viewer.member()?.clone();
        let url = input::http_url("stream_url", stream_url)?;
        let event = self
            .write(|txn| {
                let mut event = Self::event_in(txn, id)?;
                Self::require_organiser(txn, &event, &me)?;
                match event.status {
                    EventStatus::Cancelled => {
                        return Err(NodeError::conflict("status", "the event is cancelled"))
                    }
                    EventStatus::Finished => {
                        return Err(NodeError::conflict("status", "the event has finished"))
                    }
                    EventStatus::Draft => {
                        return Err(NodeError::conflict(
                            "status",
                            "a draft cannot go live; open it first",
                        ))
                    }
                    EventStatus::Open => {}
                }
                if event.stream_url.as_deref() == Some(url.as_str()) {
                    return Ok(event);
                }
                event.stream_url = Some(url);
                event.updated_at = now_ms();
                txn.store::<crate::store::tables::CommunityEvent>(id, &event)?;
                self.notify_registered(txn, id, NotificationKind::EventLive, me.id)?;
                // Other nodes' copies carry the stream link as the place to join.
                self.gossip_event(txn, &event)?;
                Ok(event)
            })
            .await?;
        self.event_view(viewer, &event)
    }
}
