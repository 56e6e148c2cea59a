//! What a group of another server announces (FEP-1b12, as Lemmy sends a
//! community's activities): new threads and comments, removals, bans,
//! locks and pins, applied to the copy of the group this node keeps for
//! its members there.
//!
//! The announce is signed by the group (checked before this runs). A post
//! it shares is fetched from its own server, or was known: the group's
//! copy is never stored. The group is believed about what is in the
//! group (a post removed, pinned, a thread locked, a member here banned),
//! and about nothing else: it cannot remove a post from outside it, nor
//! ban anyone from anything but itself. An event it announces (Mobilizon
//! relays its events so) is fetched from its origin too
//! (`event_inbound.rs`).

use node::model::Member;
use node::NodeError;
use protocol::activities::{is_post_type, Announce, InnerActivity, ObjectRef};

use crate::error::FederationError;
use crate::inbox::Received;
use crate::service::Federation;
use crate::uris::known_post;

impl Federation {
    /// Applies `announce`, sent by the remote group `group`.
    pub(crate) async fn group_announce(
        &self,
        announce: &Announce,
        group: &Member,
    ) -> Result<Received, FederationError> {
        let inner = match &announce.object {
            None => return Err(FederationError::Malformed("Announce of nothing".into())),
            Some(ObjectRef::Id(id)) => return self.group_share(group, id).await,
            Some(ObjectRef::Object(inner)) => inner,
        };
        let object = inner.object_id().unwrap_or_default();
        let of_event = inner
            .object
            .as_ref()
            .and_then(ObjectRef::object)
            .is_some_and(|o| o.kind.as_str() == "Event");
        if of_event && matches!(inner.kind.as_str(), "Create" | "Update") {
            return self.group_event(group, object).await;
        }
        let outcome = match inner.kind.as_str() {
            "Create" => return self.group_share(group, object).await,
            "Update" => {
                // An edit: what the post says now comes from its origin
                // (a post not known yet is fetched fresh by the share).
                let known = known_post(&self.node, object)?.is_some();
                let shared = self.group_share(group, object).await?;
                if known && shared != Received::Ignored {
                    self.refresh_post(object)
                        .await
                        .map_err(|e| e.obtaining(object))?;
                }
                return Ok(shared);
            }
            kind if is_post_type(kind) => {
                return self
                    .group_share(group, inner.id.as_deref().unwrap_or_default())
                    .await
            }
            "Delete" => self.node.receive_group_removal(group, object).await,
            "Lock" => self.node.receive_group_lock(group, object, true).await,
            "Add" | "Remove" => {
                let pinned = inner.kind.as_str() == "Add";
                self.node.receive_group_pin(group, object, pinned).await
            }
            "Block" => self.group_ban(group, inner, object, true).await,
            "Undo" => match inner.nested() {
                Some(undone) => {
                    let target = undone.object_id().unwrap_or_default();
                    match undone.kind.as_str() {
                        "Lock" => self.node.receive_group_lock(group, target, false).await,
                        "Block" if undone.target_id().is_none_or(|t| t == group_uri(group)) => {
                            self.group_ban(group, inner, target, false).await
                        }
                        _ => return Ok(Received::Ignored),
                    }
                }
                None => return Ok(Received::Ignored),
            },
            // Votes are counted where they are cast; comments and posts
            // come as Create.
            _ => return Ok(Received::Ignored),
        };
        applied(outcome)
    }

    /// The group shares the post `uri`: fetched from its own server unless
    /// known, then placed in the group. A group nobody here belongs to is
    /// ignored before anything is fetched: what it shares is not stored.
    async fn group_share(&self, group: &Member, uri: &str) -> Result<Received, FederationError> {
        if uri.is_empty() {
            return Err(FederationError::Malformed("Announce of nothing".into()));
        }
        if let Err(e) = self.node.followed_remote_group(group) {
            return applied::<()>(Err(e));
        }
        let post = match known_post(&self.node, uri)? {
            Some(p) => p.id,
            None => self
                .fetch_post(uri, 1)
                .await
                .map_err(|e| e.obtaining(uri))?,
        };
        applied(self.node.receive_group_share(group, post).await)
    }

    /// A ban (or its end) from `group` of the member here `object`. The
    /// ban must be from this group (its `target`, when it names one).
    async fn group_ban(
        &self,
        group: &Member,
        block: &InnerActivity,
        object: &str,
        banned: bool,
    ) -> Result<bool, NodeError> {
        if banned && block.target_id().is_some_and(|t| t != group_uri(group)) {
            return Ok(false);
        }
        let Some(name) = crate::uris::local_username(&self.node, object) else {
            return Ok(false);
        };
        let Some(member) = self.node.find_member(name)?.filter(Member::is_local) else {
            return Ok(false);
        };
        self.node
            .receive_group_ban(group, member.id, banned)
            .await
            .map(|()| true)
    }
}

/// The group's actor id.
fn group_uri(group: &Member) -> &str {
    group
        .remote
        .as_ref()
        .map(|r| r.actor_id.as_str())
        .unwrap_or_default()
}

/// What an applied change (or no change) becomes; a group nobody here
/// belongs to is ignored.
fn applied<T>(outcome: Result<T, NodeError>) -> Result<Received, FederationError> {
    match outcome {
        Ok(_) => Ok(Received::Applied),
        Err(NodeError::Forbidden(_)) | Err(NodeError::NotFound(_)) => Ok(Received::Ignored),
        Err(e) => Err(e.into()),
    }
}
