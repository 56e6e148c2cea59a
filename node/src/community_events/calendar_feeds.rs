//! What the calendar feeds list: a member's secret feed of the events they
//! registered for, a public group's events, the node's public events.
//! The web layer writes them as iCalendar; the node knows only which
//! events each feed holds and who may read it.
//!
//! A member's feed is read with a secret token in its URL (calendar
//! programs subscribe without signing in). The token is 256 bits derived
//! from the node secret, the member's id and a random salt; the store
//! keeps the salt and the token's blake3 hash (`CalendarFeedToken`,
//! `MemberCalendarFeed`), never the token, so a copy of the store alone
//! opens no feed. Asking for it again gives the same URL; revoking drops
//! the hash (the old URL is a 404 from then on) and the next request makes
//! a new salt, so a new URL.

use base64::Engine;
use rand::RngCore;
use serde::{Deserialize, Serialize};

use super::model::RegistrationState;
use super::query::{EventQuery, EventView, MAX_PAGE};
use crate::error::{NodeError, NodeResult};
use crate::groups::GroupVisibility;
use crate::id::Id;
use crate::model::{now_ms, AccountKind, MemberStatus, MemberSummary};
use crate::node::{Node, Viewer};
use crate::store::parts::Hash;
use crate::store::{hash_of, tables};

/// Most events one feed lists.
pub const FEED_MAX: usize = 200;
/// Most pages of a list one feed reads (each looks at a bounded number
/// of index entries), so a feed's cost is bounded whatever its filters
/// drop.
const FEED_PAGES: usize = 10;
/// How far back a member's and a group's feeds go: events that ended
/// within this (ms; 30 days) are still listed.
pub const FEED_RECENT_MS: i64 = 30 * 24 * 3_600_000;

/// A member's calendar feed as stored: what its token is derived from and
/// the token's hash (`tables::MemberCalendarFeed`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CalendarFeed {
    /// Random salt (base64url), new for every token.
    pub salt: String,
    /// blake3 of the token (the key of `CalendarFeedToken`).
    pub hash: Hash,
}

/// A member's feed: whose it is and their events.
#[derive(Debug, Clone)]
pub struct MemberCalendar {
    /// The member.
    pub member: MemberSummary,
    /// The events they registered for (holding a seat, waitlisted or
    /// pending approval) that ended at most [`FEED_RECENT_MS`] ago, in
    /// start order, as they see them (`viewer` holds their registration).
    pub events: Vec<EventView>,
}

impl Node {
    /// The token of `member`'s feed made with `salt`.
    fn calendar_token(&self, member: Id, salt: &str) -> String {
        let mut hasher = blake3::Hasher::new_keyed(&self.calendar_key);
        hasher.update(&member.to_bytes());
        hasher.update(salt.as_bytes());
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(hasher.finalize().as_bytes())
    }

    /// The token of `member`'s stored feed, if it still matches its hash
    /// (it does not once the node secret changed).
    fn live_calendar_token(&self, member: Id, feed: &CalendarFeed) -> Option<String> {
        let token = self.calendar_token(member, &feed.salt);
        (hash_of(&token) == feed.hash).then_some(token)
    }

    /// The token of the viewer's calendar feed (its URL is
    /// `LocalUrls::member_calendar`), made the first time: the same token
    /// every time until [`Node::revoke_calendar_feed`].
    pub async fn calendar_feed_token(&self, viewer: &Viewer) -> NodeResult<String> {
        let me = viewer.member()?.id;
        if let Some(feed) = self.store.load::<tables::MemberCalendarFeed>(me)? {
            if let Some(token) = self.live_calendar_token(me, &feed) {
                return Ok(token);
            }
        }
        self.write(|txn| {
            if let Some(old) = txn.load::<tables::MemberCalendarFeed>(me)? {
                if let Some(token) = self.live_calendar_token(me, &old) {
                    return Ok(token);
                }
                txn.remove::<tables::CalendarFeedToken>(&old.hash);
            }
            let mut raw = [0u8; 16];
            rand::rngs::OsRng.fill_bytes(&mut raw);
            let salt = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(raw);
            let token = self.calendar_token(me, &salt);
            let hash = hash_of(&token);
            txn.store::<tables::CalendarFeedToken>(&hash, &me)?;
            txn.store::<tables::MemberCalendarFeed>(me, &CalendarFeed { salt, hash })?;
            Ok(token)
        })
        .await
    }

    /// Revokes the viewer's calendar feed: its URL stops working, and the
    /// next [`Node::calendar_feed_token`] makes a new one. Whether there
    /// was one.
    pub async fn revoke_calendar_feed(&self, viewer: &Viewer) -> NodeResult<bool> {
        let me = viewer.member()?.id;
        self.write(|txn| {
            let Some(feed) = txn.load::<tables::MemberCalendarFeed>(me)? else {
                return Ok(false);
            };
            txn.remove::<tables::CalendarFeedToken>(&feed.hash);
            txn.remove::<tables::MemberCalendarFeed>(me);
            Ok(true)
        })
        .await
    }

    /// The feed whose token is `token`: the member's events (see
    /// [`MemberCalendar::events`]), those they may still see. A revoked,
    /// unknown or malformed token, or a member suspended or gone, is
    /// `NotFound("calendar")`.
    pub fn member_calendar(&self, token: &str) -> NodeResult<MemberCalendar> {
        let not_found = NodeError::NotFound("calendar");
        if token.is_empty() || token.len() > 128 {
            return Err(not_found);
        }
        let member_id = self
            .store
            .load::<tables::CalendarFeedToken>(&hash_of(token))?
            .ok_or(NodeError::NotFound("calendar"))?;
        let member = match self.member(member_id)? {
            Some(m)
                if m.is_local()
                    && m.kind == AccountKind::Person
                    && m.deleted_at.is_none()
                    && m.status == MemberStatus::Active =>
            {
                m
            }
            _ => return Err(not_found),
        };
        let summary = Self::summary(&member);
        let viewer = Viewer::Member(Box::new(member));
        let from = now_ms().saturating_sub(FEED_RECENT_MS);
        let mut events = Vec::new();
        let mut after = None;
        for _ in 0..FEED_PAGES {
            let page = self.my_events(&viewer, Some(from), after, Some(MAX_PAGE))?;
            for view in page.items {
                let joined = view.viewer.as_ref().is_some_and(|r| {
                    matches!(
                        r.state,
                        RegistrationState::Registered
                            | RegistrationState::Waitlisted
                            | RegistrationState::Pending
                    )
                });
                if joined && self.may_see_event(&viewer, &view.event)? {
                    events.push(view);
                }
            }
            match page.next {
                Some(next) if events.len() < FEED_MAX => after = Some(next),
                _ => break,
            }
        }
        events.truncate(FEED_MAX);
        Ok(MemberCalendar {
            member: summary,
            events,
        })
    }

    /// A local group's open events that ended at most [`FEED_RECENT_MS`]
    /// ago or are still to come, in start order, as anyone sees them. A
    /// private group (its events are for its members), an unknown one or
    /// one of another server is `NotFound("group")`.
    pub fn group_calendar(&self, name: &str) -> NodeResult<Vec<EventView>> {
        let group = self.local_group(name)?;
        if group.settings.visibility == GroupVisibility::Private {
            return Err(NodeError::NotFound("group"));
        }
        self.calendar_pages(EventQuery {
            group: Some(group.account.username.clone()),
            from: Some(now_ms().saturating_sub(FEED_RECENT_MS)),
            ..EventQuery::default()
        })
    }

    /// The node's upcoming open events that anyone may see, in start
    /// order (at most [`FEED_MAX`]): its own, not the events of other
    /// servers it stores for its members.
    pub fn public_calendar(&self) -> NodeResult<Vec<EventView>> {
        let mut events = self.calendar_pages(EventQuery::default())?;
        events.retain(|v| !v.event.is_remote());
        Ok(events)
    }

    /// Up to [`FEED_MAX`] events of `query` as anyone sees them, page
    /// after page.
    fn calendar_pages(&self, mut query: EventQuery) -> NodeResult<Vec<EventView>> {
        query.limit = Some(MAX_PAGE);
        let mut events = Vec::new();
        for _ in 0..FEED_PAGES {
            let page = self.upcoming_events(&Viewer::Anonymous, &query)?;
            events.extend(page.items);
            match page.next {
                Some(next) if events.len() < FEED_MAX => query.after = Some(next),
                _ => break,
            }
        }
        events.truncate(FEED_MAX);
        Ok(events)
    }
}
