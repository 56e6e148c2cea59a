//! A member's own data, gathered for them to download: their account and
//! profile, their relations and reactions, their sessions
//! ([`Node::export_member`]), and their posts page by page
//! ([`Node::export_posts`]), which the web layer writes out as an
//! ActivityPub outbox through federation's own conversion.
//!
//! Never in an export: the password hash, private keys, or session tokens
//! (stored only as hashes anyway).

use serde::Serialize;

use crate::error::{NodeError, NodeResult};
use crate::feeds::MemberPostsFilter;
use crate::id::Id;
use crate::model::{
    now_ms, rfc3339, Member, MemberStatus, PostView, Profile, Role, Session, SessionKind,
};
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::{Page, PageRequest};

/// What an export file says it is, with its format's version.
pub const EXPORT_FORMAT: &str = "kodeon.member-export/1";

/// Posts per page of [`Node::export_posts`].
pub const EXPORT_PAGE: usize = 40;

/// Everything the node holds about a member, as they download it.
#[derive(Debug, Clone, Serialize)]
pub struct MemberExport {
    /// [`EXPORT_FORMAT`].
    pub format: &'static str,
    /// When the export was made (RFC 3339).
    pub exported_at: String,
    /// The account.
    pub account: AccountExport,
    /// The profile: display name, bio, skills, preferences (privacy
    /// included), social links, avatar.
    pub profile: Profile,
    /// Counts the node keeps.
    pub counts: Counts,
    /// Accounts they follow.
    pub following: Vec<AccountRef>,
    /// Accounts following them.
    pub followers: Vec<AccountRef>,
    /// Accounts asking to follow them, waiting for their answer.
    pub follow_requests: Vec<AccountRef>,
    /// Accounts they block.
    pub blocks: Vec<AccountRef>,
    /// Accounts they mute.
    pub mutes: Vec<AccountRef>,
    /// Posts they bookmarked, most recent first.
    pub bookmarks: Vec<PostRef>,
    /// Posts they liked, most recent first.
    pub likes: Vec<PostRef>,
    /// Posts they boosted, most recent first.
    pub boosts: Vec<PostRef>,
    /// Where they are signed in (never the tokens).
    pub sessions: Vec<SessionExport>,
}

/// The account part of an export.
#[derive(Debug, Clone, Serialize)]
pub struct AccountExport {
    /// Member id.
    pub id: Id,
    /// Username.
    pub username: String,
    /// `username@domain`.
    pub handle: String,
    /// ActivityPub actor id.
    pub actor: String,
    /// Profile page.
    pub url: String,
    /// did:key of their ed25519 key.
    pub did: String,
    /// E-mail address.
    pub email: String,
    /// Role on the node.
    pub role: Role,
    /// Account status.
    pub status: MemberStatus,
    /// Whether follows need their approval.
    pub locked: bool,
    /// Whether a moderator silenced them.
    pub silenced: bool,
    /// Joined (RFC 3339).
    pub created_at: String,
    /// Last posted (RFC 3339), if ever.
    pub last_active_at: Option<String>,
}

/// The node's counters for the member.
#[derive(Debug, Clone, Serialize)]
pub struct Counts {
    /// Their posts, as the profile counts them (boosts are not counted).
    pub posts: i64,
    /// Followers.
    pub followers: i64,
    /// Accounts followed.
    pub following: i64,
}

/// Another account, as an export names it.
#[derive(Debug, Clone, Serialize)]
pub struct AccountRef {
    /// Username here (`name@host` for an account of another server).
    pub account: String,
    /// Its ActivityPub actor id.
    pub uri: String,
    /// Since when (RFC 3339).
    pub since: String,
}

/// A post, as an export names it.
#[derive(Debug, Clone, Serialize)]
pub struct PostRef {
    /// Its id on this node.
    pub id: Id,
    /// Its ActivityPub id.
    pub uri: String,
}

/// A session, as an export lists it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionExport {
    /// Session id.
    pub id: Id,
    /// Label given when it was made.
    pub label: String,
    /// What it was made for.
    pub kind: SessionKind,
    /// The OAuth app it was granted to, if any.
    pub app_id: Option<Id>,
    /// Granted scopes (empty: full access).
    pub scopes: Vec<String>,
    /// Made (RFC 3339).
    pub created_at: String,
    /// Last used, to within ten minutes (RFC 3339), if recorded.
    pub last_used_at: Option<String>,
}

impl Node {
    /// The viewer's own data, for them to download. Lists are read whole:
    /// each entry is a few dozen bytes, and posts, the bulk of a member's
    /// data, come separately through [`Node::export_posts`].
    pub fn export_member(&self, viewer: &Viewer) -> NodeResult<MemberExport> {
        let me = viewer.member()?.id;
        let m: Member = self.member(me)?.ok_or(NodeError::NotFound("member"))?;
        let urls = self.urls();
        let account = AccountExport {
            id: m.id,
            handle: format!("{}@{}", m.username, self.config.domain),
            actor: urls.actor(&m.username),
            url: urls.profile_page(&m.username),
            did: m.did(),
            email: m.email.clone(),
            role: m.role,
            status: m.status,
            locked: m.locked,
            silenced: m.silenced,
            created_at: rfc3339::format(m.created_at),
            last_active_at: (m.last_active_at > 0).then(|| rfc3339::format(m.last_active_at)),
            username: m.username.clone(),
        };
        let counts = Counts {
            posts: self.store.counter::<tables::PostCount>(me)?,
            followers: self.store.counter::<tables::FollowerCount>(me)?,
            following: self.store.counter::<tables::FollowingCount>(me)?,
        };
        Ok(MemberExport {
            format: EXPORT_FORMAT,
            exported_at: rfc3339::format(now_ms()),
            account,
            profile: m.profile,
            counts,
            following: self.account_refs(self.store.scan::<tables::Following>((me,), false))?,
            followers: self.account_refs(self.store.scan::<tables::Followers>((me,), false))?,
            follow_requests: self
                .account_refs(self.store.scan::<tables::FollowRequests>((me,), false))?,
            blocks: self.account_refs(self.store.scan::<tables::Blocks>((me,), false))?,
            mutes: self.account_refs(self.store.scan::<tables::Mutes>((me,), false))?,
            bookmarks: self.post_refs(
                self.store
                    .scan::<tables::MemberBookmarks>((me,), true)
                    .values(),
            )?,
            likes: self.post_refs(self.store.scan::<tables::MemberLikes>((me,), true).values())?,
            boosts: self.post_refs(
                self.store
                    .scan::<tables::AuthorPosts>((me,), true)
                    .values()
                    .filter_map(Result::transpose),
            )?,
            sessions: self.session_exports(me)?,
        })
    }

    /// One page ([`EXPORT_PAGE`] posts) of the viewer's own posts, newest
    /// first, older than `max_id`: every post they wrote, whatever its
    /// visibility (followers-only and direct ones included: it is their
    /// own data), boosts left out. Follow `next_max_id` to the end.
    pub fn export_posts(&self, viewer: &Viewer, max_id: Option<Id>) -> NodeResult<Page<PostView>> {
        let me = viewer.member()?;
        let filter = MemberPostsFilter {
            exclude_boosts: true,
            ..MemberPostsFilter::default()
        };
        let req = PageRequest {
            max_id,
            ..PageRequest::first(EXPORT_PAGE)
        };
        let page = self.member_posts(viewer, &me.username, filter, &req)?;
        // Only their own (a boost filtered out above would be someone else's).
        debug_assert!(page.items.iter().all(|p| p.author.id == me.id));
        Ok(page)
    }

    /// The accounts named by the second id of `(member, other) → since`
    /// entries, skipping accounts that no longer exist.
    fn account_refs(
        &self,
        rows: impl Iterator<Item = NodeResult<((Id, Id), i64)>>,
    ) -> NodeResult<Vec<AccountRef>> {
        let mut out = Vec::new();
        for row in rows {
            let ((_, other), since) = row?;
            let Some(m) = self.member(other)? else {
                continue;
            };
            let uri = match &m.remote {
                Some(r) => r.actor_id.clone(),
                None => self.urls().actor(&m.username),
            };
            out.push(AccountRef {
                account: m.username,
                uri,
                since: rfc3339::format(since),
            });
        }
        Ok(out)
    }

    /// The posts of `ids` that still exist, with their ActivityPub ids.
    fn post_refs(&self, ids: impl Iterator<Item = NodeResult<Id>>) -> NodeResult<Vec<PostRef>> {
        let mut out = Vec::new();
        for id in ids {
            let id = id?;
            let Some(post) = self.store.load::<tables::Post>(id)? else {
                continue;
            };
            let uri = match &post.remote {
                Some(r) => r.uri.clone(),
                None => match self.member(post.author_id)? {
                    Some(author) => self.urls().post(&author.username, id),
                    None => continue,
                },
            };
            out.push(PostRef { id, uri });
        }
        Ok(out)
    }

    /// The member's sessions, newest first, without their tokens.
    fn session_exports(&self, member: Id) -> NodeResult<Vec<SessionExport>> {
        let mut out = Vec::new();
        for hash in self
            .store
            .scan::<tables::MemberTokens>((member,), true)
            .values()
        {
            let Some(s): Option<Session> = self.store.load::<tables::Token>(&hash?)? else {
                continue;
            };
            out.push(SessionExport {
                id: s.id,
                label: s.label,
                kind: s.kind,
                app_id: s.app_id,
                scopes: s.scopes,
                created_at: rfc3339::format(s.created_at),
                last_used_at: (s.last_used_at > 0).then(|| rfc3339::format(s.last_used_at)),
            });
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use crate::model::Visibility;
    use crate::test_support::{alice_bob_carol, member, publish, temp_node, walk_feed};

    /// The export holds the member's account, profile, relations,
    /// reactions and sessions, and none of their secrets.
    #[tokio::test]
    async fn the_member_export_holds_their_data_and_no_secrets() {
        let (node, _dir) = temp_node();
        let (alice, bob, carol) = alice_bob_carol(&node).await;
        let dave = member(&node, "dave").await;
        let (issued, _) = node
            .login("alice", "password123", "phone")
            .await
            .expect("login");
        node.follow(&alice, "bob").await.expect("follow");
        node.follow(&carol, "alice").await.expect("follow");
        node.block(&alice, "dave").await.expect("block");
        node.mute(&alice, "carol").await.expect("mute");
        let bobs = publish(&node, &bob, "bob's post", Visibility::Public).await;
        node.like(&alice, bobs.id).await.expect("like");
        node.bookmark(&alice, bobs.id).await.expect("bookmark");
        node.boost(&alice, bobs.id).await.expect("boost");
        publish(&node, &alice, "mine", Visibility::Public).await;
        let _ = dave;

        let export = node.export_member(&alice).expect("export");
        assert_eq!(export.account.username, "alice");
        assert_eq!(export.account.handle, "alice@k.test");
        assert_eq!(export.account.email, "alice@k.test");
        let names = |refs: &[super::AccountRef]| -> Vec<String> {
            refs.iter().map(|r| r.account.clone()).collect()
        };
        assert_eq!(names(&export.following), ["bob"]);
        assert_eq!(names(&export.followers), ["carol"]);
        assert_eq!(names(&export.blocks), ["dave"]);
        assert_eq!(names(&export.mutes), ["carol"]);
        assert_eq!(export.following[0].uri, "https://k.test/users/bob");
        for list in [&export.likes, &export.bookmarks, &export.boosts] {
            let ids: Vec<_> = list.iter().map(|p| p.id).collect();
            assert_eq!(ids, [bobs.id]);
        }
        assert_eq!(export.counts.posts, 1, "the post, not the boost");
        assert_eq!(export.sessions.len(), 1);
        assert_eq!(export.sessions[0].label, "phone");

        let json = serde_json::to_string(&export).expect("json");
        let stored = node
            .member(alice.id().expect("id"))
            .expect("load")
            .expect("alice");
        for secret in [
            "password_hash",
            "$argon2",
            "sealed",
            "PRIVATE KEY",
            issued.token.as_str(),
            stored.password_hash.as_str(),
        ] {
            assert!(!json.contains(secret), "{secret} in {json}");
        }
    }

    /// The posts of an export are all of the member's own, of every
    /// visibility, page after page, without boosts or anyone else's.
    #[tokio::test]
    async fn exported_posts_are_all_the_members_own_and_only_those() {
        let (node, _dir) = temp_node();
        let (alice, bob, _carol) = alice_bob_carol(&node).await;
        let mut mine = Vec::new();
        for i in 0..super::EXPORT_PAGE + 3 {
            mine.push(
                publish(&node, &alice, &format!("post {i}"), Visibility::Public)
                    .await
                    .id,
            );
        }
        mine.push(
            publish(&node, &alice, "friends", Visibility::Followers)
                .await
                .id,
        );
        mine.push(
            publish(&node, &alice, "@bob just you", Visibility::Direct)
                .await
                .id,
        );
        let bobs = publish(&node, &bob, "@carol between us", Visibility::Direct).await;
        let public = publish(&node, &bob, "hello", Visibility::Public).await;
        node.boost(&alice, public.id).await.expect("boost");
        mine.reverse();

        let exported = walk_feed(super::EXPORT_PAGE, |req| {
            node.export_posts(&alice, req.max_id)
        });
        assert_eq!(exported, mine);
        assert!(!exported.contains(&bobs.id) && !exported.contains(&public.id));
    }
}
