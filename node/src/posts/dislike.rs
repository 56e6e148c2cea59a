//! Downvotes: Lemmy's `Dislike`, from accounts of other servers. Members
//! here have no downvote; a post's `dislikes_count` shows what others
//! cast, and a group of this node announces them to its members elsewhere
//! as it announces likes.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::Member;
use crate::node::{Node, Viewer};
use crate::remote::GroupActivity;
use crate::store::tables;

impl Node {
    /// The account of another server `remote` downvotes the post `id`
    /// (`on`), or takes its downvote back. It must see the post; a second
    /// downvote changes nothing. Returns whether anything changed.
    pub async fn receive_dislike(&self, remote: &Member, id: Id, on: bool) -> NodeResult<bool> {
        if remote.is_local() {
            return Err(NodeError::Forbidden("members here have no downvote"));
        }
        let viewer = Viewer::Member(Box::new(remote.clone()));
        let (post, _) = self.visible_post(&viewer, id)?;
        let me = remote.id;
        self.write(|txn| {
            let voted = txn.has::<tables::Dislikes>((id, me))?;
            if voted == on {
                return Ok(false);
            }
            if on {
                txn.store::<tables::Dislikes>((id, me), &())?;
                txn.add::<tables::DislikeCount>(id, 1)?;
            } else {
                txn.remove::<tables::Dislikes>((id, me));
                txn.add::<tables::DislikeCount>(id, -1)?;
            }
            self.announce_in_group(
                txn,
                &post,
                GroupActivity::Like {
                    member: me,
                    post: id,
                    undone: !on,
                    dislike: true,
                },
            )?;
            Ok(true)
        })
        .await
    }
}
