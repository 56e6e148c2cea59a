//! Paginated member lists: followers, following, requests, blocks, mutes.

use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::MemberSummary;
use crate::node::{Node, Viewer};
use crate::store::{tables, Table};

/// Where [`Node::follow_request_count`] stops counting.
pub const FOLLOW_REQUESTS_COUNTED: usize = 40;

impl Node {
    /// Followers of `username` (hidden when their privacy says so).
    pub fn followers(
        &self,
        viewer: &Viewer,
        username: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<MemberSummary>> {
        self.follow_list::<tables::Followers>(viewer, username, req)
    }

    /// Members `username` follows (hidden when their privacy says so).
    pub fn following(
        &self,
        viewer: &Viewer,
        username: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<MemberSummary>> {
        self.follow_list::<tables::Following>(viewer, username, req)
    }

    fn follow_list<T: Table<Key = (Id, Id)>>(
        &self,
        viewer: &Viewer,
        username: &str,
        req: &PageRequest,
    ) -> NodeResult<Page<MemberSummary>> {
        let member = self.active_member_by_name(username)?;
        if !self.can_see_details(viewer, &member)? {
            return Err(NodeError::Forbidden(
                "this member's connections are private",
            ));
        }
        // Someone the member blocks sees an empty list (as on Mastodon).
        if let Some(me) = viewer.id() {
            if self.is_blocking(member.id, me)? {
                return Ok(Page::empty());
            }
        }
        self.member_list::<T>(member.id, req)
    }

    /// Members waiting for the viewer's approval.
    pub fn follow_requests(
        &self,
        viewer: &Viewer,
        req: &PageRequest,
    ) -> NodeResult<Page<MemberSummary>> {
        let me = viewer.member()?.id;
        self.member_list::<tables::FollowRequests>(me, req)
    }

    /// How many members wait for the viewer's approval, counted up to
    /// [`FOLLOW_REQUESTS_COUNTED`] as Mastodon counts them for
    /// `verify_credentials` (a key scan that stops there, skipping
    /// requesters no longer active).
    pub fn follow_request_count(&self, viewer: &Viewer) -> NodeResult<usize> {
        Ok(self
            .follow_requests(viewer, &PageRequest::first(FOLLOW_REQUESTS_COUNTED))?
            .items
            .len())
    }

    /// Members the viewer blocks.
    pub fn blocks(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<MemberSummary>> {
        let me = viewer.member()?.id;
        self.member_list::<tables::Blocks>(me, req)
    }

    /// Members the viewer mutes.
    pub fn mutes(&self, viewer: &Viewer, req: &PageRequest) -> NodeResult<Page<MemberSummary>> {
        let me = viewer.member()?.id;
        self.member_list::<tables::Mutes>(me, req)
    }

    /// Active members whose ids end the keys of `T` under `head`.
    pub(crate) fn member_list<T: Table<Key = (Id, Id)>>(
        &self,
        head: Id,
        req: &PageRequest,
    ) -> NodeResult<Page<MemberSummary>> {
        scan::<T, _, _>(&self.store, head, req, |id, _| {
            Ok(self
                .member(id)?
                .filter(|m| m.status == crate::model::MemberStatus::Active)
                .map(|m| Self::summary(&m)))
        })
    }
}
