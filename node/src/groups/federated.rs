//! Groups across servers (FEP-1b12, as Lemmy federates communities).
//!
//! A local group tells its members on other servers what happens in it:
//! [`Node::announce_in_group`] queues the group's `Announce` of a post, an
//! edit, a deletion, a like or a moderator's action, in the write that
//! does it. A group of another server is a remote account of kind
//! [`AccountKind::Group`]: members here join it by following it, and what
//! it announces is applied here by the `receive_group_*` methods, which
//! the federation layer calls only for an activity the group itself sent
//! (signed by it), about content it has fetched from its origin or knew.
//! The group is trusted about what is in the group (a post shared,
//! removed, pinned, a thread locked, a member banned), never about what a
//! post says.

use super::{GroupBan, ThreadLock};
use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, AccountKind, Member, MemberStatus, NotificationKind, Post, Visibility};
use crate::node::Node;
use crate::remote::{GroupActivity, Outgoing};
use crate::store::{hash_of, tables, Txn};

impl Node {
    /// Queues the `Announce` of `activity` by the group of `post`, inside
    /// `txn`, when that group is a public local group with members on
    /// other servers. Anything else (no group, a remote group, a private
    /// group, nobody elsewhere) queues nothing.
    pub(crate) fn announce_in_group(
        &self,
        txn: &mut Txn<'_>,
        post: &Post,
        activity: GroupActivity,
    ) -> NodeResult<()> {
        match post.group {
            Some(group) => self.announce_for_group(txn, group, activity),
            None => Ok(()),
        }
    }

    /// Queues the `Announce` of `activity` by the local group `group`
    /// inside `txn`, when it is public and has members on other servers.
    pub(crate) fn announce_for_group(
        &self,
        txn: &mut Txn<'_>,
        group: Id,
        activity: GroupActivity,
    ) -> NodeResult<()> {
        let Some(settings) = txn.load::<tables::Group>(group)? else {
            return Ok(());
        };
        if settings.visibility == super::GroupVisibility::Private {
            return Ok(());
        }
        let banned_elsewhere = match &activity {
            GroupActivity::Ban { member, .. } => {
                matches!(txn.load::<tables::Member>(*member)?, Some(m) if !m.is_local())
            }
            _ => false,
        };
        if !banned_elsewhere && !self.has_remote_audience(txn, group, &[], None)? {
            return Ok(());
        }
        self.federate(txn, Outgoing::Group { group, activity })
    }

    /// The known group of another server with the handle `name@host`, or
    /// `NotFound("group")`.
    pub fn remote_group(&self, handle: &str) -> NodeResult<Member> {
        let handle = handle.trim().trim_start_matches('@');
        match self.member_by_name(handle)? {
            Some(m)
                if m.kind == AccountKind::Group
                    && !m.is_local()
                    && m.status == MemberStatus::Active =>
            {
                Ok(m)
            }
            _ => Err(NodeError::NotFound("group")),
        }
    }

    /// Decides, inside the write that stores it, whether a post of another
    /// server's member is in the local group it names: a reply is in its
    /// thread's group and must pass that group's rules (refused, 403,
    /// otherwise: not a member, banned, the thread locked, not public or
    /// unlisted); a thread's first post addressed to a local group is in
    /// it when its author may post there and it is public or unlisted, and
    /// stays an ordinary post otherwise (as a mention). The group
    /// announces its posts to everyone, so a followers-only or direct post
    /// is never one of them, as a post written here must be public or
    /// unlisted to be in a group. A group of another server decided for
    /// itself.
    pub(crate) fn admit_to_group(&self, txn: &Txn<'_>, post: &mut Post) -> NodeResult<()> {
        let Some(gid) = post.group else {
            return Ok(());
        };
        if !txn.has::<tables::Group>(gid)? {
            return Ok(());
        }
        let admitted = if matches!(post.visibility, Visibility::Public | Visibility::Unlisted) {
            Self::check_group_post(txn, gid, post, post.author_id)
        } else {
            Err(NodeError::Forbidden(
                "a post in a group is public or unlisted",
            ))
        };
        match admitted {
            Ok(()) => Ok(()),
            Err(refused) if post.in_reply_to.is_some() => Err(refused),
            Err(_) => {
                post.group = None;
                Ok(())
            }
        }
    }

    /// The local group whose actor id is `uri` (`None` for anything else).
    pub(crate) fn local_group_by_uri(&self, uri: Option<&str>) -> NodeResult<Option<Id>> {
        let Some(protocol::local_urls::LocalUrl::Actor(name)) =
            uri.and_then(|u| self.urls().parse(u))
        else {
            return Ok(None);
        };
        Ok(self
            .member_by_name(name)?
            .filter(|m| m.is_group() && m.is_local())
            .map(|m| m.id))
    }

    /// The known group of another server `name` names, if it is a
    /// `name@host` handle of another host (`None` for anything else,
    /// which is a local group's name or nothing; `NotFound("group")` for
    /// another host's handle that names no group known here).
    pub fn remote_group_named(&self, name: &str) -> NodeResult<Option<Member>> {
        let handle = name.trim().trim_start_matches('@');
        match handle.split_once('@') {
            Some((_, host)) if !host.eq_ignore_ascii_case(&self.config().domain) => {
                self.remote_group(handle).map(Some)
            }
            _ => Ok(None),
        }
    }

    /// The group a new post names (a local group, or a known group of
    /// another server by `name@host`): its id, and whether it takes
    /// discussions (a remote group's own server decides that).
    pub(crate) fn group_to_post_in(&self, name: &str) -> NodeResult<(Id, bool)> {
        if let Some(remote) = self.remote_group_named(name)? {
            return Ok((remote.id, true));
        }
        let group = self.local_group(name)?;
        Ok((group.account.id, group.settings.features.discussion))
    }

    /// The remote group account `group`, if it is one that members here
    /// belong to (else `Forbidden`: nothing it announces is wanted here,
    /// and the federation layer fetches nothing it shares).
    pub fn followed_remote_group(&self, group: &Member) -> NodeResult<Id> {
        if group.is_local() || group.kind != AccountKind::Group {
            return Err(NodeError::Forbidden("not a group of another server"));
        }
        let followed = self
            .store
            .scan::<tables::Followers>((group.id,), false)
            .keys()
            .next()
            .is_some();
        if !followed {
            return Err(NodeError::Forbidden("nobody here belongs to this group"));
        }
        Ok(group.id)
    }

    /// The remote group `group` shares the post `post` (known here: fetched
    /// from its origin, or received before): the post is in the group,
    /// unless it is in another group already. A thread's first post enters
    /// the group's timeline (so members' home feeds); a reply is in the
    /// group only when the post it answers is. Returns whether it changed.
    pub async fn receive_group_share(&self, group: &Member, post: Id) -> NodeResult<bool> {
        let gid = self.followed_remote_group(group)?;
        let changed = self
            .write(|txn| {
                let Some(mut record) = txn.load::<tables::Post>(post)? else {
                    return Ok(false);
                };
                if record.group.is_some() {
                    return Ok(false);
                }
                match record.in_reply_to {
                    None => {
                        txn.store::<tables::AuthorPosts>((gid, post), &None)?;
                        txn.add::<tables::PostCount>(gid, 1)?;
                    }
                    Some(parent) => {
                        let parent_group = txn.load::<tables::Post>(parent)?.and_then(|p| p.group);
                        if parent_group != Some(gid) {
                            return Ok(false);
                        }
                    }
                }
                record.group = Some(gid);
                txn.store::<tables::Post>(post, &record)?;
                Ok(true)
            })
            .await?;
        if changed {
            self.timelines.note_post(gid, post);
        }
        Ok(changed)
    }

    /// The remote group `group` says the post `uri` was removed from it (a
    /// moderator's `Delete`, or its author's): a copy of another server's
    /// post goes; a post of a member here leaves the group's timeline, its
    /// author told, and stays theirs. Returns whether anything changed.
    pub async fn receive_group_removal(&self, group: &Member, uri: &str) -> NodeResult<bool> {
        let gid = self.followed_remote_group(group)?;
        let Some(post) = self.group_post_by_uri(gid, uri)? else {
            return Ok(false);
        };
        if post.remote.is_some() {
            let as_group = crate::node::Viewer::Member(Box::new(group.clone()));
            match self.erase_post(&as_group, post, |_| Ok(())).await {
                Ok(()) => {}
                Err(NodeError::NotFound(_)) => return Ok(false),
                Err(e) => return Err(e),
            }
            let key = hash_of(uri);
            self.write(move |txn| {
                txn.remove::<tables::PostByUri>(key);
                Ok(())
            })
            .await?;
            return Ok(true);
        }
        let author = post.author_id;
        self.write(|txn| {
            self.remove_group_entries(txn, &post)?;
            self.notify_about(
                txn,
                author,
                NotificationKind::GroupPostRemoved,
                gid,
                None,
                Some(gid),
            )
        })
        .await?;
        self.timelines.forget_recent(gid);
        Ok(true)
    }

    /// The remote group `group` banned (or, `!banned`, unbanned) the
    /// member here `member`: banned, they are no longer in it here and may
    /// not post in it (the group has told its server already).
    pub async fn receive_group_ban(
        &self,
        group: &Member,
        member: Id,
        banned: bool,
    ) -> NodeResult<()> {
        if group.is_local() || group.kind != AccountKind::Group {
            return Err(NodeError::Forbidden("not a group of another server"));
        }
        let gid = group.id;
        self.write(|txn| {
            if !banned {
                txn.remove::<tables::GroupBans>((gid, member));
                return Ok(());
            }
            let ban = GroupBan {
                by: gid,
                reason: String::new(),
                at: now_ms(),
            };
            txn.store::<tables::GroupBans>((gid, member), &ban)?;
            self.remove_follow(txn, member, gid)
        })
        .await?;
        self.timelines.forget_following(member);
        Ok(())
    }

    /// The remote group `group` locked (or unlocked) the thread of the post
    /// `uri`: nobody here may reply in it while it is locked.
    pub async fn receive_group_lock(
        &self,
        group: &Member,
        uri: &str,
        locked: bool,
    ) -> NodeResult<bool> {
        let gid = self.followed_remote_group(group)?;
        let Some(post) = self.group_post_by_uri(gid, uri)? else {
            return Ok(false);
        };
        let root = post.thread_root;
        self.write(|txn| {
            if locked {
                let lock = ThreadLock {
                    by: gid,
                    at: now_ms(),
                };
                txn.store::<tables::LockedThreads>(root, &lock)?;
            } else {
                txn.remove::<tables::LockedThreads>(root);
            }
            Ok(true)
        })
        .await
    }

    /// The remote group `group` pinned (`Add` to its `featured`) or
    /// unpinned the post `uri`.
    pub async fn receive_group_pin(
        &self,
        group: &Member,
        uri: &str,
        pinned: bool,
    ) -> NodeResult<bool> {
        let gid = self.followed_remote_group(group)?;
        let Some(post) = self.group_post_by_uri(gid, uri)? else {
            return Ok(false);
        };
        if post.in_reply_to.is_some() {
            return Ok(false);
        }
        self.write(|txn| {
            if pinned {
                txn.store::<tables::GroupPins>((gid, post.id), &now_ms())?;
            } else {
                txn.remove::<tables::GroupPins>((gid, post.id));
            }
            Ok(true)
        })
        .await
    }

    /// The post with ActivityPub id `uri` (another server's, or one of this
    /// node's) if it is in group `gid`.
    fn group_post_by_uri(&self, gid: Id, uri: &str) -> NodeResult<Option<Post>> {
        let id = match self.post_id_by_uri(uri)? {
            Some(id) => Some(id),
            None => match self.urls().parse(uri) {
                Some(protocol::local_urls::LocalUrl::Post { id, .. }) => id.parse().ok(),
                _ => None,
            },
        };
        let Some(id) = id else {
            return Ok(None);
        };
        Ok(self.post_record(id)?.filter(|p| p.group == Some(gid)))
    }
}
