//! The one typed key encoder. Keys are never built by hand elsewhere.
//!
//! Layout: one [`Space`] byte, then components in order:
//! - ids: 16 raw bytes (ULIDs: big-endian, so byte order = time order);
//! - strings: UTF-8 bytes then a `0x00` terminator (callers never pass NUL:
//!   usernames, tags and categories are validated slugs);
//! - integers: 8 bytes big-endian.
//!
//! Because every component is self-delimiting, a key built from a prefix of
//! the components is a byte prefix of the longer key: prefix scans work.

use crate::id::Id;

/// Keyspaces. The byte values are part of the on-disk format: never reuse
/// or renumber one; add new spaces at the end.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Node metadata: schema version, node secret, node keys, setup token.
    Meta = 0x01,
    /// member id → Member.
    Member = 0x02,
    /// lower-cased username → member id.
    MemberByName = 0x03,
    /// lower-cased email → member id.
    MemberByEmail = 0x04,
    /// blake3(token) → Session.
    Token = 0x05,
    /// (member, token id) → blake3(token), to list and revoke sessions.
    MemberTokens = 0x06,
    /// (follower, followee) → Follow.
    Following = 0x07,
    /// (followee, follower) → Follow.
    Followers = 0x08,
    /// (target, requester) → FollowRequest.
    FollowRequests = 0x09,
    /// (blocker, blocked) → timestamp.
    Blocks = 0x0a,
    /// (muter, muted) → timestamp.
    Mutes = 0x0b,
    /// post id → Post.
    Post = 0x0c,
    /// (author, post) → ().
    AuthorPosts = 0x0d,
    /// post id → () for public top-level posts of this node.
    LocalTimeline = 0x0e,
    /// (tag, post) → ().
    TagTimeline = 0x0f,
    /// (category, post) → ().
    CategoryTimeline = 0x10,
    // 0x11 is retired (fan-out-on-write home feeds, never released).
    /// (parent post, reply) → ().
    Replies = 0x12,
    /// (post, member) → like id.
    Likes = 0x13,
    /// (member, like id) → post id: a member's likes, newest first.
    MemberLikes = 0x14,
    /// (member, post) → bookmark id.
    Bookmarks = 0x15,
    /// (member, bookmark id) → post id.
    MemberBookmarks = 0x16,
    /// (member, notification id) → Notification.
    Notifications = 0x17,
    /// (member, notification id) → () for unread notifications.
    UnreadNotifications = 0x18,
    /// (counter kind, id) → i64.
    Counter = 0x19,
    /// (blocked, blocker) → () reverse block index.
    BlockedBy = 0x1a,
    /// (member, blake3(idempotency key)) → (post id, created ms).
    Idempotency = 0x1b,
    /// app id → App (OAuth client).
    App = 0x1c,
    /// client_id → app id.
    AppByClientId = 0x1d,
    /// blake3(authorization code) → AuthCode.
    AuthCode = 0x1e,
    /// blake3(app-only token) → AppSession (client_credentials grant).
    AppToken = 0x1f,
    /// (member, timeline name) → Marker.
    Marker = 0x20,
    /// tag → number of public posts using it (for hashtag search).
    Tags = 0x21,
    /// boost id → Boost.
    Boost = 0x22,
    /// (post, member) → boost id.
    Boosts = 0x23,
    /// (member, last post id) → thread root: direct conversations.
    Conversations = 0x24,
    /// (member, thread root) → last post id.
    ConversationLast = 0x25,
    /// (member, thread root) → () while unread.
    ConversationUnread = 0x26,
    /// media id → Media.
    Media = 0x27,
    /// blake3(invite code) → Invite.
    Invite = 0x28,
    /// member id → reason, for members awaiting approval.
    PendingMembers = 0x29,
    /// (word, post) → () — full-text index of public posts.
    Words = 0x2a,
    /// blake3(actor URI) → member id of a remote account.
    ActorByUri = 0x2b,
    /// blake3(object URI) → post id of a remote post.
    PostByUri = 0x2c,
    /// post id → () for public top-level posts received from other servers.
    RemoteTimeline = 0x2d,
    /// Retired in schema 4 (it held every public top-level post, local and
    /// remote; the federated feed now merges `LocalTimeline` and
    /// `RemoteTimeline`). The 3 → 4 migration empties it; the byte stays
    /// reserved.
    FederatedTimeline = 0x2e,
    /// intent id → Outgoing: federation work recorded with the action.
    Outbox = 0x2f,
    /// (next attempt ms, delivery id) → Delivery.
    DeliveryQueue = 0x30,
    /// domain → InstanceState.
    Instance = 0x31,
    /// blake3(activity id) → time seen (ms): inbound de-duplication.
    SeenActivity = 0x32,
    /// (followee, follower) → the Follow activity's id (remote follows
    /// either way), to answer or undo it.
    FollowActivity = 0x33,
    /// domain → DomainBlock.
    DomainBlock = 0x34,
    /// entry id → AuditEntry: every admin and moderator action, and the
    /// node's automatic ones.
    AuditLog = 0x35,
    /// report id → Report.
    Report = 0x36,
    /// report id → () for reports still open (the moderation queue).
    OpenReport = 0x37,
    /// (metric byte, day number) → i64 counter: the dashboard's charts.
    DailyStat = 0x38,
    /// member id → the last day (days since the epoch) they were active.
    LastActive = 0x39,
    /// libp2p peer id → PeerBlock: gossip peers refused by a moderator.
    PeerBlock = 0x3a,
    /// blake3 envelope id → the envelope's canonical bytes (gossip).
    Envelope = 0x40,
    /// (kind byte, received seq) → envelope id: sync cursors per kind.
    EnvelopeBySeq = 0x41,
    /// (author ed25519 key, created ms, envelope id) → (): sync per author.
    EnvelopeByAuthor = 0x42,
    /// intent id → GossipIntent: records to sign and publish over gossip.
    GossipOutbox = 0x43,
    /// (peer id, kind byte) → the peer's last seq this node has synced.
    SyncCursor = 0x44,
    /// ed25519 public key → member id: who a did:key is (local members,
    /// and remote accounts whose key is published or gossip-signed).
    MemberByKey = 0x45,
    /// (subject key, attester key, claim) → Attestation: the current
    /// attestations about an identity.
    Attestation = 0x46,
    /// attestation envelope id → Attestation (to withdraw by id).
    AttestationById = 0x47,
    /// (subject key, follower key) → created ms: follows between accounts
    /// of other servers, learnt over gossip.
    FollowGraph = 0x48,
    /// member id → envelope id of the member's last published profile.
    ProfileEnvelope = 0x49,
    /// blake3(post ActivityPub id) → ms: posts deleted by a gossip record
    /// (a late copy of the post is not brought back).
    GossipTombstone = 0x4a,
    /// (author key, envelope id) → canonical bytes: verified records whose
    /// author is not known yet, kept (within bounds) until it is.
    Parked = 0x4b,
}

/// A typed, self-delimiting key.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Key(Vec<u8>);

impl Key {
    /// Starts a key in `space`.
    pub fn new(space: Space) -> Self {
        let mut bytes = Vec::with_capacity(34);
        bytes.push(space as u8);
        Key(bytes)
    }

    /// Appends an id (16 bytes).
    pub fn id(mut self, id: Id) -> Self {
        self.0.extend_from_slice(&id.to_bytes());
        self
    }

    /// Appends a string and its terminator. NUL bytes are dropped, which
    /// validated slugs never contain.
    pub fn str(mut self, s: &str) -> Self {
        self.0.extend(s.bytes().filter(|b| *b != 0));
        self.0.push(0);
        self
    }

    /// Appends raw bytes of fixed length (hashes).
    pub fn bytes(mut self, b: &[u8]) -> Self {
        self.0.extend_from_slice(b);
        self
    }

    /// Appends a big-endian u64.
    pub fn u64(mut self, n: u64) -> Self {
        self.0.extend_from_slice(&n.to_be_bytes());
        self
    }

    /// Appends one byte (a sub-kind).
    pub fn byte(mut self, b: u8) -> Self {
        self.0.push(b);
        self
    }

    /// The encoded bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    /// The encoded bytes, without copying them.
    pub fn into_bytes(self) -> Vec<u8> {
        self.0
    }

    /// The smallest key greater than every key with this prefix.
    pub fn prefix_end(&self) -> Key {
        let mut end = self.0.clone();
        while let Some(last) = end.pop() {
            if last < 0xff {
                end.push(last + 1);
                return Key(end);
            }
        }
        Key(vec![0xff; 40])
    }

    /// Reads the id stored in the last 16 bytes of a raw key.
    pub fn trailing_id(raw: &[u8]) -> Option<Id> {
        let start = raw.len().checked_sub(16)?;
        Id::from_slice(&raw[start..])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn layout_is_space_then_components() {
        let id = Id::from_bytes([7u8; 16]);
        let key = Key::new(Space::TagTimeline).str("rust").id(id);
        let mut expected = vec![0x0f];
        expected.extend_from_slice(b"rust\0");
        expected.extend_from_slice(&[7u8; 16]);
        assert_eq!(key.as_bytes(), expected.as_slice());
        assert_eq!(Key::trailing_id(key.as_bytes()), Some(id));
    }

    #[test]
    fn string_terminator_keeps_prefixes_apart() {
        // "rust" must not be a prefix of "rustacean".
        let a = Key::new(Space::TagTimeline).str("rust");
        let b = Key::new(Space::TagTimeline)
            .str("rustacean")
            .id(Id::from_bytes([0; 16]));
        assert!(!b.as_bytes().starts_with(a.as_bytes()));
    }

    #[test]
    fn prefix_end_bounds_the_prefix() {
        let p = Key::new(Space::AuthorPosts).id(Id::from_bytes([1; 16]));
        let inside = p.clone().id(Id::from_bytes([0xff; 16]));
        assert!(inside < p.prefix_end());
        assert!(p.clone() < p.prefix_end());
        let u = Key::new(Space::Counter).u64(258);
        assert_eq!(&u.as_bytes()[1..], &[0, 0, 0, 0, 0, 0, 1, 2]);
    }
}
