//! Conversations: direct-message threads per participant, newest activity
//! first, with unread state (Mastodon's conversations).
//!
//! Index: `ConversationLast (member, thread root) → last post id` and
//! `Conversations (member, last post id) → thread root`; a new direct post
//! moves each participant's entry to its id in the same atomic write.

use serde::Serialize;

use crate::error::{NodeError, NodeResult};
use crate::feeds::{scan, Page, PageRequest};
use crate::id::Id;
use crate::model::{MemberSummary, Post, PostView, Visibility};
use crate::node::{Node, Viewer};
use crate::store::{tables, Txn};

/// A conversation as one participant sees it.
#[derive(Debug, Clone, Serialize)]
pub struct ConversationView {
    /// The thread's root post id.
    pub id: Id,
    /// Whether there is a message the viewer has not read.
    pub unread: bool,
    /// The other participants.
    pub participants: Vec<MemberSummary>,
    /// The newest message the viewer may see.
    pub last_post: PostView,
}

/// A conversation opened by one of its participants: what their list
/// shows of it, and its messages.
#[derive(Debug, Clone, Serialize)]
pub struct OpenConversation {
    /// The conversation, read now.
    pub conversation: ConversationView,
    /// The thread's posts the viewer may see, in conversation order
    /// (depth-first from the root, or up to the newest message when the
    /// root is hidden from them).
    pub messages: Vec<PostView>,
}

impl Node {
    /// Stages the conversation index for a new direct post.
    pub(crate) fn index_conversation(&self, txn: &mut Txn<'_>, post: &Post) -> NodeResult<()> {
        if post.visibility != Visibility::Direct {
            return Ok(());
        }
        let mut participants = vec![post.author_id];
        participants.extend(post.mentions.iter().copied());
        participants.sort();
        participants.dedup();
        for member in participants {
            let last_key = (member, post.thread_root);
            if let Some(old) = txn.load::<tables::ConversationLast>(last_key)? {
                txn.remove::<tables::Conversations>((member, old));
            }
            txn.store::<tables::ConversationLast>(last_key, &post.id)?;
            txn.store::<tables::Conversations>((member, post.id), &post.thread_root)?;
            let unread = (member, post.thread_root);
            if member == post.author_id {
                txn.remove::<tables::ConversationUnread>(unread);
            } else {
                txn.store::<tables::ConversationUnread>(unread, &())?;
            }
        }
        Ok(())
    }

    /// The viewer's conversations, most recently active first.
    pub fn conversations(
        &self,
        viewer: &Viewer,
        req: &PageRequest,
    ) -> NodeResult<Page<ConversationView>> {
        let me = viewer.member()?.id;
        scan::<tables::Conversations, _, _>(&self.store, me, req, |last_id, root| {
            let Ok(last_post) = self.post(viewer, last_id) else {
                return Ok(None);
            };
            let mut ids: Vec<Id> = last_post.mentions.iter().map(|m| m.id).collect();
            ids.push(last_post.author.id);
            ids.sort();
            ids.dedup();
            ids.retain(|id| *id != me);
            Ok(Some(ConversationView {
                id: root,
                unread: self.store.has::<tables::ConversationUnread>((me, root))?,
                participants: self.summaries(ids)?,
                last_post,
            }))
        })
    }

    /// Marks a conversation read for the viewer.
    pub async fn mark_conversation_read(
        &self,
        viewer: &Viewer,
        root: Id,
    ) -> NodeResult<ConversationView> {
        let me = viewer.member()?.id;
        let last = self.conversation_last(me, root)?;
        self.write(|txn| {
            txn.remove::<tables::ConversationUnread>((me, root));
            Ok(())
        })
        .await?;
        let page = self.conversations(
            viewer,
            &PageRequest {
                max_id: Some(last.successor()),
                limit: Some(1),
                ..PageRequest::default()
            },
        )?;
        page.items
            .into_iter()
            .find(|c| c.id == root)
            .ok_or(NodeError::NotFound("conversation"))
    }

    /// Opens one of the viewer's conversations: marks it read and returns
    /// its messages as the viewer may see them. `NotFound` when the
    /// viewer takes no part in it.
    pub async fn open_conversation(
        &self,
        viewer: &Viewer,
        root: Id,
    ) -> NodeResult<OpenConversation> {
        let conversation = self.mark_conversation_read(viewer, root).await?;
        let thread = match self.thread(viewer, root) {
            Ok(thread) => thread,
            Err(NodeError::NotFound(_) | NodeError::Forbidden(_)) => {
                self.thread(viewer, conversation.last_post.id)?
            }
            Err(e) => return Err(e),
        };
        let mut messages = thread.ancestors;
        messages.push(thread.post);
        messages.extend(thread.descendants.into_iter().map(|d| d.post));
        Ok(OpenConversation {
            conversation,
            messages,
        })
    }

    /// Removes a conversation from the viewer's list (a new message brings it back).
    pub async fn remove_conversation(&self, viewer: &Viewer, root: Id) -> NodeResult<()> {
        let me = viewer.member()?.id;
        let last = self.conversation_last(me, root)?;
        self.write(|txn| {
            txn.remove::<tables::ConversationLast>((me, root));
            txn.remove::<tables::Conversations>((me, last));
            txn.remove::<tables::ConversationUnread>((me, root));
            Ok(())
        })
        .await
    }

    fn conversation_last(&self, member: Id, root: Id) -> NodeResult<Id> {
        self.store
            .load::<tables::ConversationLast>((member, root))?
            .ok_or(NodeError::NotFound("conversation"))
    }
}
