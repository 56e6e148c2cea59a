//! Reading events: one event, the upcoming ones (with filters), a
//! member's, and the archive of past ones.
//!
//! Lists walk the start-time index (`EventsByStart`, or a group's or an
//! organiser's index) and look at most [`SCAN_BOUND`] entries per page, so
//! a query's cost is bounded whatever the filters drop. When the bound is
//! reached before the page is full, the page comes back short with a
//! cursor to go on from.
//!
//! `near` reads the place index instead (`geo.rs`): the cells covering the
//! circle, each range-scanned by start time and merged in (start, id)
//! order, each entry kept when its exact (haversine) distance is within
//! the radius and it has not ended; only those events are loaded. A page
//! loads at most [`SCAN_BOUND`] events and looks at most
//! [`PLACE_SCAN_BOUND`] index entries. A circle that covers more than
//! [`super::MAX_CELLS`] cells (a wide radius, or a pole inside) is
//! answered by the start-time scan with the distance as a filter.

use std::cmp::Reverse;
use std::collections::BinaryHeap;

use serde::Serialize;

use super::model::{CommunityEvent, EventFormat, EventStatus, RegistrationState};
use super::{geo, key_ms, MAX_DURATION_MS};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberSummary, Role};
use crate::node::{Node, Viewer};
use crate::store::{tables, Cut, Txn};

/// Most index entries one page of a list looks at (with `near`: most
/// events inside the circle it loads).
pub const SCAN_BOUND: usize = 2_000;
/// Most place-index entries one page of a `near` list looks at (events in
/// the cells but outside the circle cost a decoded entry, not a load).
pub const PLACE_SCAN_BOUND: usize = 20_000;
/// Most events on one page.
pub const MAX_PAGE: usize = 100;
/// The radius of `near` when none is given (km).
pub const DEFAULT_RADIUS_KM: f64 = 50.0;
/// Mean Earth radius (km), for the haversine distance.
pub(crate) const EARTH_RADIUS_KM: f64 = 6371.0088;

/// Where a list stopped: the last event's start and id (lists are in
/// start order, ties by id).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct EventCursor {
    /// Start (ms).
    pub start: i64,
    /// Id.
    pub id: Id,
}

/// Filters of the upcoming-events list (all optional).
#[derive(Debug, Clone, Default)]
pub struct EventQuery {
    /// Events still running at or after this instant (ms; default: now).
    pub from: Option<i64>,
    /// Events starting before this instant (ms).
    pub to: Option<i64>,
    /// A local group's name: its events only.
    pub group: Option<String>,
    /// A category slug.
    pub category: Option<String>,
    /// An organiser's username: the events they made.
    pub organiser: Option<String>,
    /// Online and hybrid events only.
    pub online: bool,
    /// Events whose place is within `radius_km` of (lat, lon).
    pub near: Option<(f64, f64)>,
    /// The radius of `near` (km; default [`DEFAULT_RADIUS_KM`]).
    pub radius_km: Option<f64>,
    /// Go on after this cursor (the previous page's `next`).
    pub after: Option<EventCursor>,
    /// Page size (default 20, at most [`MAX_PAGE`]).
    pub limit: Option<usize>,
}

/// A page of events.
#[derive(Debug, Clone, Serialize)]
pub struct EventPage {
    /// The events, in start order (the archive: newest first).
    pub items: Vec<EventView>,
    /// Pass as `after` for the next page; absent at the end.
    pub next: Option<EventCursor>,
}

/// The viewer's registration, as an event view shows it.
#[derive(Debug, Clone, Serialize)]
pub struct ViewerRegistration {
    /// Its state.
    pub state: RegistrationState,
    /// Whether their name is listed.
    pub listed: bool,
    /// When they were checked in.
    pub attended_at: Option<i64>,
}

/// An event as a viewer sees it.
#[derive(Debug, Clone, Serialize)]
pub struct EventView {
    /// The stored event.
    #[serde(flatten)]
    pub event: CommunityEvent,
    /// Its organiser.
    pub organiser_account: Option<MemberSummary>,
    /// Its group.
    pub group_account: Option<MemberSummary>,
    /// Holding a seat.
    pub registered_count: i64,
    /// Waiting for a seat.
    pub waitlisted_count: i64,
    /// Waiting for approval.
    pub pending_count: i64,
    /// Checked in.
    pub attended_count: i64,
    /// Seats left (absent: no limit).
    pub seats_left: Option<i64>,
    /// The viewer's registration, if any.
    pub viewer: Option<ViewerRegistration>,
    /// Whether the viewer organises it (may edit, cancel, see everyone).
    pub can_edit: bool,
}

/// What [`Node::upcoming_near`] reads: the cells covering the circle, the
/// circle, the time window, where to go on from and the page size.
struct NearScan {
    cells: Vec<u64>,
    point: (f64, f64),
    radius: f64,
    from: i64,
    to: i64,
    after: Option<EventCursor>,
    limit: usize,
}

/// Great-circle distance between two points (degrees), in km.
pub fn haversine_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lon1) = (a.0.to_radians(), a.1.to_radians());
    let (lat2, lon2) = (b.0.to_radians(), b.1.to_radians());
    let h = ((lat2 - lat1) / 2.0).sin().powi(2)
        + lat1.cos() * lat2.cos() * ((lon2 - lon1) / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// A checked `near` point and radius.
fn near_filter(query: &EventQuery) -> NodeResult<Option<((f64, f64), f64)>> {
    let Some((lat, lon)) = query.near else {
        if query.radius_km.is_some() {
            return Err(NodeError::invalid("radius_km", "needs near"));
        }
        return Ok(None);
    };
    if !(-90.0..=90.0).contains(&lat) || !(-180.0..=180.0).contains(&lon) {
        return Err(NodeError::invalid(
            "near",
            "must be LAT,LON with -90 ≤ LAT ≤ 90 and -180 ≤ LON ≤ 180",
        ));
    }
    let radius = query.radius_km.unwrap_or(DEFAULT_RADIUS_KM);
    if !(radius > 0.0 && radius <= 20_040.0) {
        return Err(NodeError::invalid(
            "radius_km",
            "must be more than 0 and at most 20040",
        ));
    }
    Ok(Some(((lat, lon), radius)))
}

impl Node {
    /// Whether `viewer` may see `event`: a draft only its organisers; a
    /// private group's event its members, its organisers and the node's
    /// moderators; anything else anyone.
    pub(crate) fn may_see_event(
        &self,
        viewer: &Viewer,
        event: &CommunityEvent,
    ) -> NodeResult<bool> {
        let member = match viewer {
            Viewer::Member(m) => Some(m.as_ref()),
            Viewer::Anonymous => None,
        };
        if let Some(m) = member {
            if self.organises_now(event, m)? {
                return Ok(true);
            }
        }
        if event.status == EventStatus::Draft {
            return Ok(false);
        }
        self.group_lets_see(event, member, |g, m| {
            self.store.has::<tables::Followers>((g, m))
        })
    }

    /// [`Node::may_see_event`] read inside a write.
    pub(crate) fn may_see_event_in(
        &self,
        txn: &Txn<'_>,
        event: &CommunityEvent,
        member: Option<&Member>,
    ) -> NodeResult<bool> {
        if let Some(m) = member {
            if Self::organises(txn, event, m)? {
                return Ok(true);
            }
        }
        if event.status == EventStatus::Draft {
            return Ok(false);
        }
        self.group_lets_see(event, member, |g, m| txn.has::<tables::Followers>((g, m)))
    }

    /// Whether the group of `event` (if any) lets `member` see it.
    fn group_lets_see(
        &self,
        event: &CommunityEvent,
        member: Option<&Member>,
        is_member: impl Fn(Id, Id) -> NodeResult<bool>,
    ) -> NodeResult<bool> {
        let Some(group) = event.group else {
            return Ok(true);
        };
        let private = self
            .store
            .load::<tables::Group>(group)?
            .is_some_and(|g| g.visibility == crate::groups::GroupVisibility::Private);
        if !private {
            return Ok(true);
        }
        match member {
            Some(m) if m.role >= Role::Moderator => Ok(true),
            Some(m) => is_member(group, m.id),
            None => Ok(false),
        }
    }

    /// One event (404 when the viewer may not see it).
    pub fn event(&self, viewer: &Viewer, id: Id) -> NodeResult<EventView> {
        let event = self
            .store
            .load::<tables::CommunityEvent>(id)?
            .ok_or(NodeError::NotFound("event"))?;
        if !self.may_see_event(viewer, &event)? {
            return Err(NodeError::NotFound("event"));
        }
        self.event_view(viewer, &event)
    }

    /// The stored event `id` as it is, for the layers that render it
    /// elsewhere (calendars, federation), with no viewer check: the caller
    /// decides who may see it ([`Node::event`] does for a viewer).
    pub fn event_record(&self, id: Id) -> NodeResult<Option<CommunityEvent>> {
        self.store.load::<tables::CommunityEvent>(id)
    }

    /// `event` as `viewer` sees it: counts, accounts, their registration.
    pub(crate) fn event_view(
        &self,
        viewer: &Viewer,
        event: &CommunityEvent,
    ) -> NodeResult<EventView> {
        let id = event.id;
        let registered = self.store.counter::<tables::EventRegisteredCount>(id)?;
        let (registration, can_edit) = match viewer {
            Viewer::Member(m) => (
                self.store
                    .load::<tables::EventRegistrations>((id, m.id))?
                    .map(|r| ViewerRegistration {
                        state: r.state,
                        listed: r.listed,
                        attended_at: r.attended_at,
                    }),
                self.organises_now(event, m)?,
            ),
            Viewer::Anonymous => (None, false),
        };
        let (shown, seats_left) = super::remote_events::shown_counts(event, registered);
        let group = event.group.or(event.remote.as_ref().and_then(|r| r.group));
        Ok(EventView {
            organiser_account: self.member(event.organiser)?.as_ref().map(Self::summary),
            group_account: match group {
                Some(g) => self.member(g)?.as_ref().map(Self::summary),
                None => None,
            },
            registered_count: shown,
            waitlisted_count: self.store.counter::<tables::EventWaitlistCount>(id)?,
            pending_count: self.store.counter::<tables::EventPendingCount>(id)?,
            attended_count: self.store.counter::<tables::EventAttendedCount>(id)?,
            seats_left,
            viewer: registration,
            can_edit,
            event: event.clone(),
        })
    }

    /// Upcoming events (still running at `from` or later, in start order)
    /// that the viewer may see, open ones only, with the query's filters.
    /// Looks at most [`SCAN_BOUND`] index entries per page; with a group
    /// or organiser filter, their own index (at most [`SCAN_BOUND`] of
    /// their events, newest made first) instead of the start-time index;
    /// with `near` (and neither), the place index when the circle covers
    /// at most [`super::MAX_CELLS`] cells (see the module's doc).
    pub fn upcoming_events(&self, viewer: &Viewer, query: &EventQuery) -> NodeResult<EventPage> {
        let near = near_filter(query)?;
        let from = query.from.unwrap_or_else(now_ms);
        let to = query.to.unwrap_or(i64::MAX);
        if to <= from {
            return Err(NodeError::invalid("to", "must be after from"));
        }
        let limit = query.limit.unwrap_or(20).clamp(1, MAX_PAGE);
        let category = query
            .category
            .as_deref()
            .map(|c| crate::validate::slug("category", c))
            .transpose()?;
        let keep = |e: &CommunityEvent| -> NodeResult<bool> {
            Ok(e.status == EventStatus::Open
                && e.end > from
                && e.start < to
                && category
                    .as_ref()
                    .is_none_or(|c| e.category.as_ref() == Some(c))
                && (!query.online || e.format != EventFormat::Offline)
                && near.is_none_or(|(point, radius)| {
                    e.location
                        .as_ref()
                        .and_then(|l| Some((l.lat?, l.lon?)))
                        .is_some_and(|at| haversine_km(point, at) <= radius)
                })
                && self.may_see_event(viewer, e)?)
        };
        let after = |e: &CommunityEvent| {
            query
                .after
                .is_none_or(|c| (e.start, e.id) > (c.start, c.id))
        };

        // A group's or organiser's events: their index, sorted here.
        let owned_by = match (&query.group, &query.organiser) {
            (Some(name), _) => {
                let group = self.local_group(name)?;
                Some(self.indexed_events::<tables::EventsByGroup>(group.account.id)?)
            }
            (None, Some(name)) => {
                let member = self.named_member(name)?;
                Some(self.indexed_events::<tables::EventsByOrganiser>(member.id)?)
            }
            (None, None) => None,
        };
        if let Some(mut events) = owned_by {
            if let (Some(_), Some(name)) = (&query.group, &query.organiser) {
                let member = self.named_member(name)?;
                events.retain(|e| e.organiser == member.id);
            }
            events.sort_by_key(|e| (e.start, e.id));
            let mut items = Vec::new();
            for e in events {
                if items.len() == limit {
                    break;
                }
                if after(&e) && keep(&e)? {
                    items.push(e);
                }
            }
            return self.event_page(viewer, items, limit, None);
        }

        // A cursor at or past `to`: nothing more (and no range whose start
        // is past its end, which some engines refuse).
        if query.after.is_some_and(|c| c.start >= to) {
            return Ok(EventPage {
                items: Vec::new(),
                next: None,
            });
        }
        if let Some((point, radius)) = near {
            if let Some(cells) = geo::covering_cells(point, radius) {
                let scan = NearScan {
                    cells,
                    point,
                    radius,
                    from,
                    to,
                    after: query.after,
                    limit,
                };
                return self.upcoming_near(viewer, &scan, keep);
            }
        }

        let start_at = query
            .after
            .map_or(key_ms(from.saturating_sub(MAX_DURATION_MS)), |c| {
                key_ms(c.start)
            });
        let rows = self.store.range::<tables::EventsByStart>(
            Cut::at((start_at,)),
            Cut::at((key_ms(to),)),
            false,
        );
        let mut items = Vec::new();
        let mut last = None;
        let mut scanned = 0;
        for key in rows.keys() {
            let (start, id) = key?;
            scanned += 1;
            last = Some(EventCursor {
                start: i64::try_from(start).unwrap_or(i64::MAX),
                id,
            });
            if let Some(e) = self.store.load::<tables::CommunityEvent>(id)? {
                if after(&e) && keep(&e)? {
                    items.push(e);
                }
            }
            if items.len() == limit || scanned == SCAN_BOUND {
                break;
            }
        }
        let more = items.len() == limit || scanned == SCAN_BOUND;
        self.event_page(viewer, items, limit, if more { last } else { None })
    }

    /// Upcoming events within the circle of `scan`, from the place index:
    /// the cells' entries merged in (start, id) order, those inside the
    /// circle and not ended loaded and passed through `keep`. Stops at a
    /// full page or at a bound ([`SCAN_BOUND`] loads, [`PLACE_SCAN_BOUND`]
    /// entries), with the cursor of the last entry looked at.
    fn upcoming_near(
        &self,
        viewer: &Viewer,
        scan: &NearScan,
        keep: impl Fn(&CommunityEvent) -> NodeResult<bool>,
    ) -> NodeResult<EventPage> {
        let lowest = key_ms(scan.from.saturating_sub(MAX_DURATION_MS));
        let mut rows = Vec::with_capacity(scan.cells.len());
        let mut places = Vec::with_capacity(scan.cells.len());
        let mut heads = BinaryHeap::with_capacity(scan.cells.len());
        for (i, &cell) in scan.cells.iter().enumerate() {
            let lower = match scan.after {
                Some(c) => Cut::after((cell, key_ms(c.start), c.id)),
                None => Cut::at((cell, lowest)),
            };
            let upper = Cut::at((cell, key_ms(scan.to)));
            let mut cell_rows = self
                .store
                .range::<tables::EventsByPlace>(lower, upper, false);
            places.push(match cell_rows.next().transpose()? {
                Some(((_, start, id), place)) => {
                    heads.push(Reverse((start, id, i)));
                    place
                }
                None => (0.0, 0.0, 0),
            });
            rows.push(cell_rows);
        }

        let mut items = Vec::new();
        let (mut examined, mut loaded) = (0, 0);
        let mut last = None;
        while let Some(Reverse((start, id, i))) = heads.pop() {
            let (lat, lon, end) = places[i];
            if let Some(((_, next_start, next_id), place)) = rows[i].next().transpose()? {
                places[i] = place;
                heads.push(Reverse((next_start, next_id, i)));
            }
            examined += 1;
            last = Some(EventCursor {
                start: i64::try_from(start).unwrap_or(i64::MAX),
                id,
            });
            if end > scan.from && haversine_km(scan.point, (lat, lon)) <= scan.radius {
                loaded += 1;
                if let Some(e) = self.store.load::<tables::CommunityEvent>(id)? {
                    if keep(&e)? {
                        items.push(e);
                    }
                }
            }
            if items.len() == scan.limit || loaded == SCAN_BOUND || examined == PLACE_SCAN_BOUND {
                break;
            }
        }
        let more =
            items.len() == scan.limit || loaded == SCAN_BOUND || examined == PLACE_SCAN_BOUND;
        self.event_page(viewer, items, scan.limit, if more { last } else { None })
    }

    /// Up to [`SCAN_BOUND`] events of an index keyed (owner, event),
    /// newest made first.
    fn indexed_events<T>(&self, owner: Id) -> NodeResult<Vec<CommunityEvent>>
    where
        T: crate::store::Table<Key = (Id, Id)>,
    {
        let mut out = Vec::new();
        for key in self.store.scan::<T>((owner,), true).keys().take(SCAN_BOUND) {
            let (_, id) = key?;
            if let Some(e) = self.store.load::<tables::CommunityEvent>(id)? {
                out.push(e);
            }
        }
        Ok(out)
    }

    /// Views of `events`; `next` is the cursor after the last when given,
    /// else after the last item when the page is full.
    fn event_page(
        &self,
        viewer: &Viewer,
        events: Vec<CommunityEvent>,
        limit: usize,
        next: Option<EventCursor>,
    ) -> NodeResult<EventPage> {
        let full = events.len() == limit;
        let last = events.last().map(|e| EventCursor {
            start: e.start,
            id: e.id,
        });
        let items = events
            .iter()
            .map(|e| self.event_view(viewer, e))
            .collect::<NodeResult<Vec<_>>>()?;
        Ok(EventPage {
            items,
            next: next.or(if full { last } else { None }),
        })
    }

    /// Past events (ended before now, open or finished, not cancelled),
    /// newest first, that the viewer may see. `before`: the previous
    /// page's `next`. Looks at most [`SCAN_BOUND`] entries per page.
    pub fn past_events(
        &self,
        viewer: &Viewer,
        before: Option<EventCursor>,
        limit: Option<usize>,
    ) -> NodeResult<EventPage> {
        let now = now_ms();
        let limit = limit.unwrap_or(20).clamp(1, MAX_PAGE);
        let upper = match before {
            Some(c) => Cut::key((key_ms(c.start), c.id)),
            None => Cut::at((key_ms(now),)),
        };
        let mut items = Vec::new();
        let mut last = None;
        let mut scanned = 0;
        for key in self
            .store
            .range::<tables::EventsByStart>(Cut::start(), upper, true)
            .keys()
        {
            let (start, id) = key?;
            scanned += 1;
            last = Some(EventCursor {
                start: i64::try_from(start).unwrap_or(i64::MAX),
                id,
            });
            if let Some(e) = self.store.load::<tables::CommunityEvent>(id)? {
                if e.end <= now
                    && matches!(e.status, EventStatus::Open | EventStatus::Finished)
                    && self.may_see_event(viewer, &e)?
                {
                    items.push(e);
                }
            }
            if items.len() == limit || scanned == SCAN_BOUND {
                break;
            }
        }
        let more = items.len() == limit || scanned == SCAN_BOUND;
        let next = if more { last } else { None };
        let items = items
            .iter()
            .map(|e| self.event_view(viewer, e))
            .collect::<NodeResult<Vec<_>>>()?;
        Ok(EventPage { items, next })
    }

    /// The viewer's events (registered, waiting, pending or invited) still
    /// running at `from` or later (default now), in start order. `after`:
    /// the previous page's `next`.
    pub fn my_events(
        &self,
        viewer: &Viewer,
        from: Option<i64>,
        after: Option<EventCursor>,
        limit: Option<usize>,
    ) -> NodeResult<EventPage> {
        let me = viewer.member()?.id;
        let from = from.unwrap_or_else(now_ms);
        let limit = limit.unwrap_or(20).clamp(1, MAX_PAGE);
        let lower = match after {
            Some(c) => Cut::after((me, key_ms(c.start), c.id)),
            None => Cut::at((me, key_ms(from.saturating_sub(MAX_DURATION_MS)))),
        };
        let mut items = Vec::new();
        for key in self
            .store
            .range::<tables::MemberEvents>(lower, Cut::past((me,)), false)
            .keys()
            .take(SCAN_BOUND)
        {
            let (_, _, id) = key?;
            if let Some(e) = self.store.load::<tables::CommunityEvent>(id)? {
                if e.end > from {
                    items.push(e);
                }
            }
            if items.len() == limit {
                break;
            }
        }
        self.event_page(viewer, items, limit, None)
    }
}
