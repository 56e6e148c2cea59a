//! What other servers tell the node: follows and their answers, posts,
//! edits and deletions. The federation layer has already verified who
//! sent each activity; these methods check what that actor may do.
//!
//! Likes, boosts and blocks by remote accounts go through the ordinary
//! member methods with the remote account as the [`Viewer`]: the rules are
//! the same, and intents are only recorded for local actors.

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{
    now_ms, Member, NotificationKind, Post, PostType, RemoteAttachment, RemotePostRef, Visibility,
};
use crate::node::{Node, Viewer};
use crate::store::{hash_of, tables};

use super::outbox::Outgoing;

/// How a remote Follow ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FollowOutcome {
    /// Accepted at once (an Accept is queued).
    Accepted,
    /// The local account approves followers by hand.
    Pending,
    /// Refused (a block; for a group, a ban, an invitation missing, the
    /// group full): a Reject is queued.
    Rejected,
}

/// A post received from another server, already translated and sanitised.
#[derive(Debug, Clone)]
pub struct RemotePost {
    /// Its ActivityPub id.
    pub uri: String,
    /// Its public page.
    pub url: String,
    /// Title (`name` of an Article), or empty.
    pub title: String,
    /// Sanitised HTML.
    pub html: String,
    /// Content warning.
    pub summary: String,
    /// Sensitive.
    pub sensitive: bool,
    /// Visibility derived from its addressing.
    pub visibility: Visibility,
    /// The local id of the post it answers, if known here.
    pub in_reply_to: Option<Id>,
    /// Hashtags (normalised slugs).
    pub tags: Vec<String>,
    /// Mentioned accounts known here.
    pub mentions: Vec<Id>,
    /// Language.
    pub language: Option<String>,
    /// `published` (ms).
    pub published: i64,
    /// `updated` (ms).
    pub updated: Option<i64>,
    /// Attachments.
    pub attachments: Vec<RemoteAttachment>,
    /// The local group it is addressed to (`to`, `cc` or `audience`), if
    /// any: it is posted there if its author may (a reply is in its
    /// thread's group whatever this says).
    pub group: Option<Id>,
}

impl RemotePost {
    /// The public post `uri` (its page at the same address), published at
    /// `published`, with nothing but `html` in it yet: the caller fills in
    /// the rest.
    pub fn public(uri: &str, html: &str, published: i64) -> RemotePost {
        RemotePost {
            uri: uri.into(),
            url: uri.into(),
            title: String::new(),
            html: html.into(),
            summary: String::new(),
            sensitive: false,
            visibility: Visibility::Public,
            in_reply_to: None,
            tags: Vec::new(),
            mentions: Vec::new(),
            language: None,
            published,
            updated: None,
            attachments: Vec::new(),
            group: None,
        }
    }
}

impl Node {
    /// A remote account asks to follow a local member.
    pub async fn receive_follow(
        &self,
        remote: &Member,
        local: Id,
        activity_id: &str,
    ) -> NodeResult<FollowOutcome> {
        let target = self
            .member(local)?
            .filter(|m| m.is_local())
            .ok_or(NodeError::NotFound("member"))?;
        let follower = remote.id;
        let activity = activity_id.to_string();
        let outcome = self
            .write(|txn| {
                txn.store::<tables::FollowActivity>((target.id, follower), &activity)?;
                if target.is_group() {
                    // Joining a group: its rules, as for a member here.
                    return self.receive_group_follow(txn, target.id, follower);
                }
                if txn.has::<tables::Blocks>((target.id, follower))? {
                    self.federate(
                        txn,
                        Outgoing::Reject {
                            follower,
                            followee: target.id,
                            activity_id: activity.clone(),
                        },
                    )?;
                    return Ok(FollowOutcome::Rejected);
                }
                if txn.has::<tables::Following>((follower, target.id))? {
                    // Already following: answer again (their Accept was lost).
                } else if target.locked {
                    let request = (target.id, follower);
                    if !txn.has::<tables::FollowRequests>(request)? {
                        txn.store::<tables::FollowRequests>(request, &now_ms())?;
                        self.notify(
                            txn,
                            target.id,
                            NotificationKind::FollowRequest,
                            follower,
                            None,
                        )?;
                    }
                    return Ok(FollowOutcome::Pending);
                } else {
                    self.add_follow(txn, follower, target.id)?;
                }
                self.federate(
                    txn,
                    Outgoing::Accept {
                        follower,
                        followee: target.id,
                        activity_id: activity.clone(),
                    },
                )?;
                Ok(FollowOutcome::Accepted)
            })
            .await?;
        Ok(outcome)
    }

    /// A remote account accepted a local member's follow request.
    pub async fn receive_follow_accept(&self, remote: &Member, local: Id) -> NodeResult<bool> {
        let followee = remote.id;
        let accepted = self
            .write(|txn| {
                let request = (followee, local);
                if !txn.has::<tables::FollowRequests>(request)? {
                    return Ok(false);
                }
                self.add_follow(txn, local, followee)?;
                if remote.is_group() {
                    // A group of another server with members here is in
                    // the directory (known remote groups).
                    txn.store::<tables::GroupDirectory>(followee, &())?;
                }
                Ok(true)
            })
            .await?;
        self.timelines.forget_following(local);
        Ok(accepted)
    }

    /// A remote account refused (or removed) a local follower.
    pub async fn receive_follow_reject(&self, remote: &Member, local: Id) -> NodeResult<()> {
        self.write(|txn| self.remove_follow(txn, local, remote.id))
            .await?;
        self.timelines.forget_following(local);
        Ok(())
    }

    /// A remote account stopped following a local member.
    pub async fn receive_unfollow(&self, remote: &Member, local: Id) -> NodeResult<()> {
        self.write(|txn| {
            txn.remove::<tables::FollowActivity>((local, remote.id));
            self.remove_follow(txn, remote.id, local)
        })
        .await
    }

    /// The local post id of an object URI received before.
    pub fn post_id_by_uri(&self, uri: &str) -> NodeResult<Option<Id>> {
        self.store.load::<tables::PostByUri>(hash_of(uri))
    }

    /// Loads a post (local or remote) by id, without visibility checks:
    /// for the federation layer, which applies addressing itself.
    pub fn post_record(&self, id: Id) -> NodeResult<Option<Post>> {
        self.store.load::<tables::Post>(id)
    }

    /// Stores a remote post (once: a second delivery of the same object
    /// returns the first id).
    pub async fn receive_post(&self, author: &Member, incoming: RemotePost) -> NodeResult<Id> {
        if author.is_local() {
            return Err(NodeError::invalid("actor", "is not a remote account"));
        }
        let uri_key = hash_of(&incoming.uri);
        if let Some(existing) = self.store.load::<tables::PostByUri>(uri_key)? {
            return Ok(existing);
        }
        let parent = match incoming.in_reply_to {
            Some(id) => self.post_record(id)?,
            None => None,
        };
        let id = self.ids.next();
        let post = Post {
            id,
            author_id: author.id,
            title: incoming.title,
            source: String::new(),
            html: incoming.html,
            post_type: PostType::Discussion,
            category: "general".to_string(),
            tags: incoming.tags,
            visibility: incoming.visibility,
            in_reply_to: parent.as_ref().map(|p| p.id),
            in_reply_to_author: parent.as_ref().map(|p| p.author_id),
            thread_root: parent.as_ref().map(|p| p.thread_root).unwrap_or(id),
            mentions: incoming.mentions,
            media: Vec::new(),
            spoiler_text: incoming.summary,
            sensitive: incoming.sensitive,
            language: incoming.language,
            created_at: incoming.published.min(now_ms()),
            edited_at: incoming.updated,
            remote: Some(RemotePostRef {
                uri: incoming.uri.clone(),
                url: incoming.url,
                attachments: incoming.attachments,
            }),
            group: match &parent {
                Some(parent) => parent.group,
                None => incoming.group,
            },
        };
        let silenced = match &author.remote {
            Some(r) => matches!(
                self.domain_block_for(&r.domain)?,
                Some(super::DomainBlock {
                    severity: super::DomainSeverity::Silence,
                    ..
                })
            ),
            None => false,
        };
        self.store_remote_post(post, uri_key, !silenced).await
    }

    /// Applies an edit of a remote post by its author.
    pub async fn receive_post_update(
        &self,
        author: &Member,
        incoming: RemotePost,
    ) -> NodeResult<()> {
        let id = self
            .post_id_by_uri(&incoming.uri)?
            .ok_or(NodeError::NotFound("post"))?;
        let old = self.post_record(id)?.ok_or(NodeError::NotFound("post"))?;
        if old.author_id != author.id {
            return Err(NodeError::Forbidden("only the author can edit a post"));
        }
        let mut post = old.clone();
        post.title = incoming.title;
        post.html = incoming.html;
        post.spoiler_text = incoming.summary;
        post.sensitive = incoming.sensitive;
        post.tags = incoming.tags;
        post.language = incoming.language;
        post.edited_at = Some(incoming.updated.unwrap_or_else(now_ms));
        if let Some(r) = post.remote.as_mut() {
            r.attachments = incoming.attachments;
        }
        self.write(|txn| {
            self.index_listing(txn, &old, false)?;
            self.index_words(txn, &old, false)?;
            txn.store::<tables::Post>(id, &post)?;
            self.index_listing(txn, &post, true)?;
            self.index_words(txn, &post, true)?;
            txn.emit(crate::events::Event::PostEdited { id });
            self.announce_in_group(txn, &post, super::GroupActivity::Update { post: id })
        })
        .await
    }

    /// Deletes a remote post on its author's word (unknown: nothing to do).
    pub async fn receive_post_delete(&self, author: &Member, uri: &str) -> NodeResult<bool> {
        let Some(id) = self.post_id_by_uri(uri)? else {
            return Ok(false);
        };
        let viewer = Viewer::Member(Box::new(author.clone()));
        match self.delete_post(&viewer, id).await {
            Ok(()) => {
                let key = hash_of(uri);
                self.write(move |txn| {
                    txn.remove::<tables::PostByUri>(key);
                    Ok(())
                })
                .await?;
                Ok(true)
            }
            Err(NodeError::NotFound(_)) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A remote account deleted itself: its posts and follows go.
    pub async fn receive_actor_delete(&self, remote: &Member) -> NodeResult<()> {
        self.drop_remote_posts(remote).await?;
        let mut me = remote.clone();
        me.status = crate::model::MemberStatus::Suspended;
        self.write(|txn| {
            txn.store::<tables::Member>(me.id, &me)?;
            self.audit(
                txn,
                None,
                "remote_account.deleted",
                &me.username,
                "its server sent Delete: its posts here are removed",
            )
        })
        .await
    }

    /// The local member waiting for `remote` to answer the Follow with id
    /// `activity_id`.
    pub fn local_follower_by_activity(
        &self,
        remote: Id,
        activity_id: &str,
    ) -> NodeResult<Option<Member>> {
        for key in self
            .store
            .scan::<tables::FollowRequests>((remote,), false)
            .keys()
        {
            let (_, requester) = key?;
            let stored: Option<String> = self
                .store
                .load::<tables::FollowActivity>((remote, requester))?;
            if stored.as_deref() == Some(activity_id) {
                return self.member(requester);
            }
        }
        Ok(None)
    }

    /// The Follow activity id a remote account sent to follow `local`.
    pub fn follow_activity_id(&self, followee: Id, follower: Id) -> NodeResult<Option<String>> {
        self.store
            .load::<tables::FollowActivity>((followee, follower))
    }
}
