//! Every table of the store, in one place: its keyspace, its key and its
//! value. A read or a write names a table (`txn.store::<tables::Post>(id,
//! &post)`), and the compiler checks the key and the value.
//!
//! Adding a table: a new [`Space`] byte at the end of the enum, and one
//! line in `tables!` below naming the key kinds (see `parts.rs`) and the
//! value codec (see `codec.rs`). Key layout and value encoding are part
//! of the on-disk format: changing either needs a migration.

use super::codec::{Counter, HashBytes, IdBytes, IdOrEmpty, Json, Raw, Unit};
use super::parts::{Hash, Str};
use super::table::Table;
use crate::id::Id;

/// Keyspaces. The byte values are part of the on-disk format: never reuse
/// or renumber one; add new spaces at the end.
#[repr(u8)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Space {
    /// Node metadata, one table per entry: [`SchemaVersion`], [`NodeKeys`],
    /// [`Settings`], [`SetupToken`], [`AdminExists`].
    Meta = 0x01,
    /// [`Member`].
    Member = 0x02,
    /// [`MemberByName`].
    MemberByName = 0x03,
    /// [`MemberByEmail`].
    MemberByEmail = 0x04,
    /// [`Token`].
    Token = 0x05,
    /// [`MemberTokens`].
    MemberTokens = 0x06,
    /// [`Following`].
    Following = 0x07,
    /// [`Followers`].
    Followers = 0x08,
    /// [`FollowRequests`].
    FollowRequests = 0x09,
    /// [`Blocks`].
    Blocks = 0x0a,
    /// [`Mutes`].
    Mutes = 0x0b,
    /// [`Post`].
    Post = 0x0c,
    /// [`AuthorPosts`].
    AuthorPosts = 0x0d,
    /// [`LocalTimeline`].
    LocalTimeline = 0x0e,
    /// [`TagTimeline`].
    TagTimeline = 0x0f,
    /// [`CategoryTimeline`].
    CategoryTimeline = 0x10,
    // 0x11 is retired (fan-out-on-write home feeds, never released).
    /// [`Replies`].
    Replies = 0x12,
    /// [`Likes`].
    Likes = 0x13,
    /// [`MemberLikes`].
    MemberLikes = 0x14,
    /// [`Bookmarks`].
    Bookmarks = 0x15,
    /// [`MemberBookmarks`].
    MemberBookmarks = 0x16,
    /// [`Notifications`].
    Notifications = 0x17,
    /// [`UnreadNotifications`].
    UnreadNotifications = 0x18,
    /// Counters, one table per kind (the byte after the space): [`FollowerCount`]
    /// and the other `…Count` tables.
    Counter = 0x19,
    /// [`BlockedBy`].
    BlockedBy = 0x1a,
    /// [`Idempotency`].
    Idempotency = 0x1b,
    /// [`App`].
    App = 0x1c,
    /// [`AppByClientId`].
    AppByClientId = 0x1d,
    /// [`AuthCode`].
    AuthCode = 0x1e,
    /// [`AppToken`].
    AppToken = 0x1f,
    /// [`Marker`].
    Marker = 0x20,
    /// [`Tags`].
    Tags = 0x21,
    /// [`Boost`].
    Boost = 0x22,
    /// [`Boosts`].
    Boosts = 0x23,
    /// [`Conversations`].
    Conversations = 0x24,
    /// [`ConversationLast`].
    ConversationLast = 0x25,
    /// [`ConversationUnread`].
    ConversationUnread = 0x26,
    /// [`Media`].
    Media = 0x27,
    /// [`Invite`].
    Invite = 0x28,
    /// [`PendingMembers`].
    PendingMembers = 0x29,
    /// [`Words`].
    Words = 0x2a,
    /// [`ActorByUri`].
    ActorByUri = 0x2b,
    /// [`PostByUri`].
    PostByUri = 0x2c,
    /// [`RemoteTimeline`].
    RemoteTimeline = 0x2d,
    /// Retired in schema 4 (it held every public top-level post, local and
    /// remote; the federated feed now merges `LocalTimeline` and
    /// `RemoteTimeline`). The 3 → 4 migration empties it; the byte stays
    /// reserved.
    FederatedTimeline = 0x2e,
    /// [`Outbox`].
    Outbox = 0x2f,
    /// [`DeliveryQueue`].
    DeliveryQueue = 0x30,
    /// [`Instance`].
    Instance = 0x31,
    /// [`SeenActivity`].
    SeenActivity = 0x32,
    /// [`FollowActivity`].
    FollowActivity = 0x33,
    /// [`DomainBlock`].
    DomainBlock = 0x34,
    /// [`AuditLog`].
    AuditLog = 0x35,
    /// [`Report`].
    Report = 0x36,
    /// [`OpenReport`].
    OpenReport = 0x37,
    /// [`DailyStat`].
    DailyStat = 0x38,
    /// [`LastActive`].
    LastActive = 0x39,
    /// [`PeerBlock`].
    PeerBlock = 0x3a,
    /// [`Envelope`].
    Envelope = 0x40,
    /// [`EnvelopeBySeq`].
    EnvelopeBySeq = 0x41,
    /// [`EnvelopeByAuthor`].
    EnvelopeByAuthor = 0x42,
    /// [`GossipOutbox`].
    GossipOutbox = 0x43,
    /// [`SyncCursor`].
    SyncCursor = 0x44,
    /// [`MemberByKey`].
    MemberByKey = 0x45,
    /// [`Attestation`].
    Attestation = 0x46,
    /// [`AttestationById`].
    AttestationById = 0x47,
    /// [`FollowGraph`].
    FollowGraph = 0x48,
    /// [`ProfileEnvelope`].
    ProfileEnvelope = 0x49,
    /// [`GossipTombstone`].
    GossipTombstone = 0x4a,
    /// [`Parked`].
    Parked = 0x4b,
    /// [`MailOutbox`].
    MailOutbox = 0x4c,
    /// [`EmailToken`].
    EmailToken = 0x4d,
    /// [`MemberEmailToken`].
    MemberEmailToken = 0x4e,
    /// [`Group`].
    Group = 0x4f,
    /// [`GroupDirectory`].
    GroupDirectory = 0x50,
    /// [`GroupsByCategory`].
    GroupsByCategory = 0x51,
    /// [`GroupRoles`].
    GroupRoles = 0x52,
    /// [`GroupBans`].
    GroupBans = 0x53,
    /// [`GroupInvites`].
    GroupInvites = 0x54,
    /// [`GroupModLog`].
    GroupModLog = 0x55,
    /// [`GroupPins`].
    GroupPins = 0x56,
    /// [`LockedThreads`].
    LockedThreads = 0x57,
    /// [`GroupPostAlerts`].
    GroupPostAlerts = 0x58,
    /// [`Dislikes`].
    Dislikes = 0x59,
    /// [`CommunityEvent`].
    CommunityEvent = 0x5a,
    /// [`EventsByStart`].
    EventsByStart = 0x5b,
    /// [`EventsByGroup`].
    EventsByGroup = 0x5c,
    /// [`EventsByOrganiser`].
    EventsByOrganiser = 0x5d,
    /// [`EventRegistrations`].
    EventRegistrations = 0x5e,
    /// [`EventWaitlist`].
    EventWaitlist = 0x5f,
    /// [`MemberEvents`].
    MemberEvents = 0x60,
    /// [`EventReminders`].
    EventReminders = 0x61,
    /// [`CalendarFeedToken`].
    CalendarFeedToken = 0x62,
    /// [`EventJoins`].
    EventJoins = 0x63,
    /// [`MemberCalendarFeed`].
    MemberCalendarFeed = 0x64,
    /// [`EventsByPlace`].
    EventsByPlace = 0x65,
    /// [`RemoteEventByUri`].
    RemoteEventByUri = 0x68,
    /// [`EventGossip`].
    EventGossip = 0x69,
    /// [`Course`].
    Course = 0x70,
    /// [`CourseModule`].
    CourseModule = 0x71,
    /// [`Lesson`].
    Lesson = 0x72,
    /// [`Assessment`].
    Assessment = 0x73,
    /// [`CourseCatalogue`].
    CourseCatalogue = 0x74,
    /// [`CoursesByInstructor`].
    CoursesByInstructor = 0x75,
    /// [`CoursesByGroup`].
    CoursesByGroup = 0x76,
    /// [`CourseRequiredBy`].
    CourseRequiredBy = 0x77,
    /// [`CourseEnrolments`].
    CourseEnrolments = 0x78,
    /// [`MemberCourses`].
    MemberCourses = 0x79,
    /// [`LessonsDone`].
    LessonsDone = 0x7a,
    /// [`Attempt`].
    Attempt = 0x7b,
    /// [`MemberAttempts`].
    MemberAttempts = 0x7c,
    /// [`ReviewQueue`].
    ReviewQueue = 0x7d,
    /// [`AssessmentPassed`].
    AssessmentPassed = 0x7e,
    /// [`CourseCompletion`].
    CourseCompletion = 0x7f,
    /// [`MemberCompletions`].
    MemberCompletions = 0x80,
    /// [`CourseRatings`].
    CourseRatings = 0x81,
    /// [`CoursesByLevel`].
    CoursesByLevel = 0x82,
    /// [`CoursesByCategory`].
    CoursesByCategory = 0x83,
    /// [`CourseWords`].
    CourseWords = 0x84,
    /// [`Certificate`].
    Certificate = 0x90,
    /// [`MemberCertificates`].
    MemberCertificates = 0x91,
    /// [`CourseCertificates`].
    CourseCertificates = 0x92,
    /// [`CertificateStatusList`].
    CertificateStatusList = 0x93,
    /// [`ImportedCertificates`].
    ImportedCertificates = 0x94,
    /// [`SignInNonces`].
    SignInNonces = 0x8c,
    /// [`SignInNoncesByExpiry`].
    SignInNoncesByExpiry = 0x8d,
    /// [`LearnerSessions`].
    LearnerSessions = 0x8e,
    /// [`LearnerSessionsByExpiry`].
    LearnerSessionsByExpiry = 0x8f,
    /// [`LearningPath`].
    LearningPath = 0x85,
    /// [`MemberLearningPaths`].
    MemberLearningPaths = 0x86,
    /// [`RemoteCourse`].
    RemoteCourse = 0x88,
    /// [`RemoteCourseByUri`].
    RemoteCourseByUri = 0x89,
    /// [`RemoteCourseEnrolments`].
    RemoteCourseEnrolments = 0x8A,
    /// [`CourseJoins`].
    CourseJoins = 0x8B,
    /// [`AttestationObject`].
    AttestationObject = 0x95,
    // Trust (`trust/`).
    /// [`TrustScore`].
    TrustScore = 0x9B,
    /// [`TrustedMembers`].
    TrustedMembers = 0x9C,
    /// [`TrustRunState`].
    TrustState = 0x9D,
    /// [`TrendExclusions`].
    TrendExclusions = 0xB0,
    /// [`DismissedSuggestions`].
    DismissedSuggestions = 0xB1,
    // Insights (`insights/`): 0xB8–0xBB.
    /// [`MemberActiveDays`].
    MemberActiveDays = 0xB8,
    /// [`ActiveDayMembers`].
    ActiveDayMembers = 0xB9,
    // Gamification (`gamification/`): 0xA0–0xAF.
    /// [`GamificationSettings`].
    GamificationSettings = 0xA0,
    /// [`PointsHistory`].
    PointsHistory = 0xA1,
    /// [`PointsAwards`].
    PointsAwards = 0xA2,
    /// [`Leaderboard`].
    Leaderboard = 0xA3,
    /// [`LeaderboardScore`].
    LeaderboardScore = 0xA4,
    /// [`MemberBadges`].
    MemberBadges = 0xA5,
    /// [`RegistrationMark`].
    RegistrationMark = 0xA6,
    /// [`RegistrationMarkMembers`].
    RegistrationMarkMembers = 0xA7,
    /// [`LinkedAccounts`].
    LinkedAccounts = 0xA8,
    /// [`Challenge`].
    Challenge = 0xA9,
    /// [`ChallengesByGroup`].
    ChallengesByGroup = 0xAA,
    /// [`ChallengeEntries`].
    ChallengeEntries = 0xAB,
    /// [`MemberChallenges`].
    MemberChallenges = 0xAC,
}

/// Declares tables: `pub Name: Space[head bytes], Key => Codec;` (the head
/// bytes are for tables sharing a space, and are usually absent).
macro_rules! tables {
    ($(
        $(#[doc = $doc:literal])*
        $vis:vis $name:ident: $space:ident $([$head:expr])?, $key:ty => $value:ty;
    )*) => {$(
        $(#[doc = $doc])*
        #[derive(Debug)]
        $vis enum $name {}

        impl Table for $name {
            const SPACE: Space = Space::$space;
            $(const HEAD: &'static [u8] = $head;)?
            type Key = $key;
            type Value = $value;
        }
    )*};
}

/// The head of a node-wide counter: its kind, then the minimum id (the
/// layout a per-record counter of the same kind would have).
const fn global(kind: u8) -> [u8; 17] {
    let mut head = [0u8; 17];
    head[0] = kind;
    head
}

tables! {
    /// The store's schema version (see `migrate.rs`).
    pub SchemaVersion: Meta[b"schema_version\0"], () => Json<u64>;
    /// The node's own keys (its actor's signing keys).
    pub(crate) NodeKeys: Meta[b"node_keys\0"], () => Json<crate::node::NodeKeys>;
    /// The live settings the admin panel edits.
    pub Settings: Meta[b"settings\0"], () => Json<crate::moderation::NodeSettings>;
    /// blake3 of the one-time setup token, until the first admin exists.
    pub SetupToken: Meta[b"setup_token_hash\0"], () => Raw;
    /// Present once the first admin account is made.
    pub AdminExists: Meta[b"admin_exists\0"], () => Json<bool>;

    /// member id → Member (local members and remote accounts).
    pub Member: Member, Id => Json<crate::model::Member>;
    /// lower-cased username → member id.
    pub MemberByName: MemberByName, Str => Json<Id>;
    /// lower-cased email → member id.
    pub MemberByEmail: MemberByEmail, Str => Json<Id>;
    /// blake3(token) → Session.
    pub Token: Token, Hash => Json<crate::model::Session>;
    /// (member, token id) → blake3(token), to list and revoke sessions.
    pub MemberTokens: MemberTokens, (Id, Id) => HashBytes;
    /// (follower, followee) → since (ms).
    pub Following: Following, (Id, Id) => Json<i64>;
    /// (followee, follower) → since (ms).
    pub Followers: Followers, (Id, Id) => Json<i64>;
    /// (target, requester) → requested (ms).
    pub FollowRequests: FollowRequests, (Id, Id) => Json<i64>;
    /// (blocker, blocked) → since (ms).
    pub Blocks: Blocks, (Id, Id) => Json<i64>;
    /// (muter, muted) → since (ms).
    pub Mutes: Mutes, (Id, Id) => Json<i64>;
    /// post id → Post.
    pub Post: Post, Id => Json<crate::model::Post>;
    /// (author, post or boost id) → nothing for a post, the boosted post's
    /// id for a boost.
    pub AuthorPosts: AuthorPosts, (Id, Id) => IdOrEmpty;
    /// Public top-level posts of this node.
    pub LocalTimeline: LocalTimeline, Id => Unit;
    /// (tag, post): public posts by tag.
    pub TagTimeline: TagTimeline, (Str, Id) => Unit;
    /// (category, post): public posts by category.
    pub CategoryTimeline: CategoryTimeline, (Str, Id) => Unit;
    /// (parent post, reply).
    pub Replies: Replies, (Id, Id) => Unit;
    /// (post, member) → like id.
    pub Likes: Likes, (Id, Id) => IdBytes;
    /// (member, like id) → post id: a member's likes, newest first.
    pub MemberLikes: MemberLikes, (Id, Id) => IdBytes;
    /// (member, post) → bookmark id.
    pub Bookmarks: Bookmarks, (Id, Id) => IdBytes;
    /// (member, bookmark id) → post id.
    pub MemberBookmarks: MemberBookmarks, (Id, Id) => IdBytes;
    /// (member, notification id) → Notification.
    pub Notifications: Notifications, (Id, Id) => Json<crate::model::Notification>;
    /// (member, notification id) for unread notifications.
    pub UnreadNotifications: UnreadNotifications, (Id, Id) => Unit;

    /// Followers of a member.
    pub FollowerCount: Counter[&[1]], Id => Counter;
    /// Members a member follows.
    pub FollowingCount: Counter[&[2]], Id => Counter;
    /// Posts of a member.
    pub PostCount: Counter[&[3]], Id => Counter;
    /// Likes of a post.
    pub LikeCount: Counter[&[4]], Id => Counter;
    /// Direct replies to a post.
    pub ReplyCount: Counter[&[5]], Id => Counter;
    /// Unread notifications of a member.
    pub UnreadCount: Counter[&[6]], Id => Counter;
    /// Node-wide: members.
    pub MemberTotal: Counter[&global(7)], () => Counter;
    /// Node-wide: posts.
    pub PostTotal: Counter[&global(8)], () => Counter;
    /// Boosts of a post.
    pub BoostCount: Counter[&[9]], Id => Counter;
    /// Downvotes of a post (Lemmy's `Dislike`, from other servers).
    pub DislikeCount: Counter[&[22]], Id => Counter;
    /// Members registered for an event (holding a seat).
    pub EventRegisteredCount: Counter[&[23]], Id => Counter;
    /// Members on an event's waitlist.
    pub EventWaitlistCount: Counter[&[24]], Id => Counter;
    /// Registrations waiting for an organiser's approval.
    pub EventPendingCount: Counter[&[25]], Id => Counter;
    /// Members checked in at an event.
    pub EventAttendedCount: Counter[&[26]], Id => Counter;
    /// Members holding a seat of a course (enrolled or completed).
    pub CourseEnrolledCount: Counter[&[30]], Id => Counter;
    /// Enrolments of a course waiting for an instructor's approval.
    pub CoursePendingCount: Counter[&[31]], Id => Counter;
    /// Members who completed a course.
    pub CourseCompletedCount: Counter[&[32]], Id => Counter;
    /// Sum of a course's ratings (1–5 each).
    pub CourseRatingSum: Counter[&[33]], Id => Counter;
    /// Number of a course's ratings.
    pub CourseRatingCount: Counter[&[34]], Id => Counter;
    /// Lessons of a course.
    pub CourseLessonCount: Counter[&[35]], Id => Counter;
    /// (course, member): lessons of the course the member has done.
    pub CourseLessonsDone: Counter[&[36]], (Id, Id) => Counter;
    /// (module, member): lessons of the module the member has done.
    pub ModuleLessonsDone: Counter[&[37]], (Id, Id) => Counter;
    /// (assessment, member): attempts started.
    pub AttemptCount: Counter[&[38]], (Id, Id) => Counter;
    /// Attempts of a course waiting for an instructor's review.
    pub CourseReviewCount: Counter[&[39]], Id => Counter;
    /// Status list indexes handed to certificates so far (the next one).
    pub CertificateStatusNext: Counter[&global(46)], () => Counter;
    /// A member's saved learning paths.
    pub LearningPathCount: Counter[&[50]], Id => Counter;
    /// Node-wide: queued deliveries.
    pub DeliveryQueueLength: Counter[&global(10)], () => Counter;
    /// Node-wide: reports waiting for a moderator.
    pub OpenReportCount: Counter[&global(11)], () => Counter;
    /// Node-wide: servers known to federation.
    pub InstanceCount: Counter[&global(12)], () => Counter;
    /// Node-wide: servers marked unreachable.
    pub UnreachableCount: Counter[&global(13)], () => Counter;
    /// Node-wide: federation intents not yet expanded into deliveries.
    /// Counted from the first intent recorded by a build that counts them:
    /// intents pending at an upgrade are not (the count cannot fall below
    /// zero), which the outbox, drained within seconds, soon makes right.
    pub OutboxLength: Counter[&global(14)], () => Counter;
    /// Node-wide: the last gossip envelope sequence number.
    pub GossipSeq: Counter[&global(20)], () => Counter;
    /// Node-wide: gossip records parked until their author is known.
    pub ParkedCount: Counter[&global(21)], () => Counter;

    /// (blocked, blocker): reverse block index.
    pub BlockedBy: BlockedBy, (Id, Id) => Unit;
    /// (member, blake3(idempotency key)) → (post id, created ms).
    pub Idempotency: Idempotency, (Id, Hash) => Json<(Id, i64)>;
    /// app id → App (OAuth client).
    pub App: App, Id => Json<crate::apps::App>;
    /// client_id → app id.
    pub AppByClientId: AppByClientId, Str => Json<Id>;
    /// blake3(authorization code) → AuthCode.
    pub(crate) AuthCode: AuthCode, Hash => Json<crate::apps::AuthCode>;
    /// blake3(app-only token) → AppSession (client_credentials grant).
    pub(crate) AppToken: AppToken, Hash => Json<crate::apps::AppSession>;
    /// (member, timeline name) → Marker.
    pub Marker: Marker, (Id, Str) => Json<crate::markers::Marker>;
    /// tag → number of public posts using it (for hashtag search).
    pub Tags: Tags, Str => Counter;
    /// boost id → Boost.
    pub Boost: Boost, Id => Json<crate::posts::Boost>;
    /// (post, member) → boost id.
    pub Boosts: Boosts, (Id, Id) => Json<Id>;
    /// (member, last post id) → thread root: direct conversations.
    pub Conversations: Conversations, (Id, Id) => Json<Id>;
    /// (member, thread root) → last post id.
    pub ConversationLast: ConversationLast, (Id, Id) => Json<Id>;
    /// (member, thread root) while unread.
    pub ConversationUnread: ConversationUnread, (Id, Id) => Unit;
    /// media id → Media.
    pub Media: Media, Id => Json<crate::media::Media>;
    /// blake3(invite code) → Invite.
    pub Invite: Invite, Hash => Json<crate::members::invites::Invite>;
    /// member id → reason, for members awaiting approval.
    pub PendingMembers: PendingMembers, Id => Json<String>;
    /// (word, post): full-text index of public posts.
    pub Words: Words, (Str, Id) => Unit;
    /// blake3(actor URI) → member id of a remote account.
    pub ActorByUri: ActorByUri, Hash => Json<Id>;
    /// blake3(object URI) → post id of a remote post.
    pub PostByUri: PostByUri, Hash => Json<Id>;
    /// Public top-level posts received from other servers.
    pub RemoteTimeline: RemoteTimeline, Id => Unit;
    /// Retired in schema 4 (it held every public top-level post, local and
    /// remote; the federated feed now merges [`LocalTimeline`] and
    /// [`RemoteTimeline`]). Only the 3 → 4 migration reads it, to empty it.
    pub FederatedTimeline: FederatedTimeline, Id => Unit;
    /// intent id → Outgoing: federation work recorded with the action.
    pub Outbox: Outbox, Id => Json<crate::remote::Outgoing>;
    /// (next attempt ms, delivery id) → Delivery.
    pub DeliveryQueue: DeliveryQueue, (u64, Id) => Json<crate::remote::Delivery>;
    /// domain → InstanceState.
    pub Instance: Instance, Str => Json<crate::remote::InstanceState>;
    /// blake3(activity id) → time seen (ms): inbound de-duplication.
    pub SeenActivity: SeenActivity, Hash => Json<i64>;
    /// (followee, follower) → the Follow activity's id (remote follows
    /// either way), to answer or undo it.
    pub FollowActivity: FollowActivity, (Id, Id) => Json<String>;
    /// domain → DomainBlock.
    pub DomainBlock: DomainBlock, Str => Json<crate::remote::DomainBlock>;
    /// entry id → AuditEntry: every admin and moderator action, and the
    /// node's automatic ones.
    pub AuditLog: AuditLog, Id => Json<crate::moderation::AuditEntry>;
    /// report id → Report.
    pub Report: Report, Id => Json<crate::moderation::Report>;
    /// report id, for reports still open (the moderation queue).
    pub OpenReport: OpenReport, Id => Unit;
    /// (metric byte, day number) → count: the dashboard's charts.
    pub DailyStat: DailyStat, (u8, u64) => Counter;
    /// member id → the last day (days since the epoch) they were active.
    pub LastActive: LastActive, Id => Json<u64>;
    /// libp2p peer id → PeerBlock: gossip peers refused by a moderator.
    pub PeerBlock: PeerBlock, Str => Json<crate::moderation::PeerBlock>;
    /// blake3 envelope id → the envelope's canonical bytes (gossip).
    pub Envelope: Envelope, Hash => Raw;
    /// (kind byte, received seq) → envelope id: sync cursors per kind.
    pub EnvelopeBySeq: EnvelopeBySeq, (u8, u64) => HashBytes;
    /// (author ed25519 key, created ms, envelope id): sync per author.
    pub EnvelopeByAuthor: EnvelopeByAuthor, (Hash, u64, Hash) => Unit;
    /// intent id → GossipIntent: records to sign and publish over gossip.
    pub GossipOutbox: GossipOutbox, Id => Json<crate::gossip::GossipIntent>;
    /// (peer id, kind byte) → the peer's last seq this node has synced.
    pub SyncCursor: SyncCursor, (Str, u8) => Json<u64>;
    /// ed25519 public key → member id: who a did:key is (local members,
    /// and remote accounts whose key is published or gossip-signed).
    pub MemberByKey: MemberByKey, Hash => Json<Id>;
    /// (subject key, attester key, claim) → the current attestations about
    /// an identity.
    pub Attestation: Attestation, (Hash, Hash, Str) => Json<crate::attestations::AttestationRecord>;
    /// attestation envelope id → its record (to withdraw by id).
    pub AttestationById: AttestationById, Hash => Json<crate::attestations::AttestationRecord>;
    /// (subject key, follower key) → follow state: follows between accounts
    /// of other servers, learnt over gossip.
    pub(crate) FollowGraph: FollowGraph, (Hash, Hash) => Json<crate::gossip::apply::FollowState>;
    /// member id → created (ms) of the member's last published profile.
    pub ProfileEnvelope: ProfileEnvelope, Id => Json<i64>;
    /// blake3(post ActivityPub id) → ms: posts deleted by a gossip record
    /// (a late copy of the post is not brought back).
    pub GossipTombstone: GossipTombstone, Hash => Json<i64>;
    /// (author key, envelope id) → canonical bytes: verified records whose
    /// author is not known yet, kept (within bounds) until it is.
    pub Parked: Parked, (Hash, Hash) => Raw;
    /// mail id → OutgoingMail: e-mail to send, written with the change
    /// that calls for it and removed once sent or given up.
    pub MailOutbox: MailOutbox, Id => Json<crate::mail::OutgoingMail>;
    /// blake3(e-mailed token) → EmailToken: sign-up confirmation and
    /// password reset links (the token itself is never stored).
    pub EmailToken: EmailToken, Hash => Json<crate::members::email::EmailToken>;
    /// (member, purpose byte) → the member's live token of that purpose
    /// and when the recent ones were sent (a new one replaces the old).
    pub MemberEmailToken: MemberEmailToken, (Id, u8) => Json<crate::members::email::TokenState>;
    /// group account id → its settings (a group is a `Member` of kind
    /// `Group`; its members are its followers).
    pub Group: Group, Id => Json<crate::groups::GroupSettings>;
    /// Local groups not deleted, by id (newest last): the directory.
    pub GroupDirectory: GroupDirectory, Id => Unit;
    /// (category, group): local groups by category.
    pub GroupsByCategory: GroupsByCategory, (Str, Id) => Unit;
    /// (group, member) → Owner or Moderator (absent: a plain member).
    pub GroupRoles: GroupRoles, (Id, Id) => Json<crate::groups::GroupRole>;
    /// (group, member) → GroupBan: who may not join, and why.
    pub GroupBans: GroupBans, (Id, Id) => Json<crate::groups::GroupBan>;
    /// (group, member) → GroupInvite: invitations not yet used.
    pub GroupInvites: GroupInvites, (Id, Id) => Json<crate::groups::GroupInvite>;
    /// (group, entry id) → GroupModEntry: the group's moderation log.
    pub GroupModLog: GroupModLog, (Id, Id) => Json<crate::groups::GroupModEntry>;
    /// (group, post) → when it was pinned (ms): a group's pinned posts.
    pub GroupPins: GroupPins, (Id, Id) => Json<i64>;
    /// thread root → ThreadLock: threads that take no more replies.
    pub LockedThreads: LockedThreads, Id => Json<crate::groups::ThreadLock>;
    /// (group, member): members told of each new post in the group.
    pub GroupPostAlerts: GroupPostAlerts, (Id, Id) => Unit;
    /// (post, account of another server): its downvote (Lemmy's
    /// `Dislike`); members here have none.
    pub Dislikes: Dislikes, (Id, Id) => Unit;
    /// event id → CommunityEvent (`community_events/`).
    pub CommunityEvent: CommunityEvent, Id => Json<crate::community_events::CommunityEvent>;
    /// (start ms, event): every event by start time (upcoming and past
    /// queries scan it).
    pub EventsByStart: EventsByStart, (u64, Id) => Unit;
    /// (group account, event): a group's events.
    pub EventsByGroup: EventsByGroup, (Id, Id) => Unit;
    /// (member, event): the events a member organises in their own name.
    pub EventsByOrganiser: EventsByOrganiser, (Id, Id) => Unit;
    /// (event, member) → Registration: who registered, in which state.
    pub EventRegistrations: EventRegistrations, (Id, Id) => Json<crate::community_events::Registration>;
    /// (event, arrival id) → member: the waitlist, first come first.
    pub EventWaitlist: EventWaitlist, (Id, Id) => IdBytes;
    /// (member, event start ms, event): a member's registrations by the
    /// event's start (any state).
    pub MemberEvents: MemberEvents, (Id, u64, Id) => Unit;
    /// (due ms, event, reminder kind byte): reminders to send; an entry is
    /// removed in the write that sends it.
    pub EventReminders: EventReminders, (u64, Id, u8) => Unit;
    /// (event, account of another server) → the id of its `Join` of the
    /// event, which the `Accept` or `Reject` names.
    pub EventJoins: EventJoins, (Id, Id) => Json<String>;
    /// blake3(calendar feed token) → member: the secret calendar feeds
    /// (the token itself is never stored).
    pub CalendarFeedToken: CalendarFeedToken, Hash => IdBytes;
    /// member → their calendar feed (what its token is derived from, and
    /// the token's hash), while they have one.
    pub MemberCalendarFeed: MemberCalendarFeed, Id => Json<crate::community_events::CalendarFeed>;
    /// (grid cell, start ms, event) → (lat, lon, end ms): the events with
    /// coordinates by place, then start time (`near` reads the cells a
    /// circle touches; `community_events/geo.rs` numbers the cells).
    pub EventsByPlace: EventsByPlace, (u64, u64, Id) => Json<(f64, f64, i64)>;
    /// blake3(ActivityPub id) → event: the events of other servers stored
    /// here, by their id.
    pub RemoteEventByUri: RemoteEventByUri, Hash => IdBytes;
    /// blake3(event ActivityPub id) → `created` (ms) of the newest gossip
    /// record of that event this node signed (its own events) or applied
    /// (other servers'): older records change nothing.
    pub EventGossip: EventGossip, Hash => Json<i64>;
    /// course id → Course (`courses/`).
    pub Course: Course, Id => Json<crate::courses::Course>;
    /// module id → CourseModule (its course lists its modules in order).
    pub CourseModule: CourseModule, Id => Json<crate::courses::CourseModule>;
    /// lesson id → Lesson (its module lists its lessons in order).
    pub Lesson: Lesson, Id => Json<crate::courses::Lesson>;
    /// assessment id → Assessment, answers included (never shown to
    /// those who take it).
    pub Assessment: Assessment, Id => Json<crate::courses::Assessment>;
    /// The catalogue: published and archived courses, by id (newest
    /// last); drafts are not in it (schema 6 took them out).
    pub CourseCatalogue: CourseCatalogue, Id => Unit;
    /// (level, course): the catalogue by level (`CourseLevel::as_str`).
    pub CoursesByLevel: CoursesByLevel, (Str, Id) => Unit;
    /// (category, level, course): the catalogue by category, each
    /// category's levels apart so that both filters are one range.
    pub CoursesByCategory: CoursesByCategory, (Str, Str, Id) => Unit;
    /// (word, course): the catalogue by the words of each course's title,
    /// tags and description (`posts::words`), for searching it.
    pub CourseWords: CourseWords, (Str, Id) => Unit;
    /// (member, course): the courses a member is listed as instructing.
    pub CoursesByInstructor: CoursesByInstructor, (Id, Id) => Unit;
    /// (group account, course): a group's courses.
    pub CoursesByGroup: CoursesByGroup, (Id, Id) => Unit;
    /// (prerequisite course, course requiring it): the prerequisite
    /// graph's reverse edges.
    pub CourseRequiredBy: CourseRequiredBy, (Id, Id) => Unit;
    /// (course, member) → Enrolment.
    pub CourseEnrolments: CourseEnrolments, (Id, Id) => Json<crate::courses::Enrolment>;
    /// (member, course): a member's enrolments (any state).
    pub MemberCourses: MemberCourses, (Id, Id) => Unit;
    /// (lesson, member) → when the member marked it done (ms).
    pub LessonsDone: LessonsDone, (Id, Id) => Json<i64>;
    /// attempt id → Attempt: an assessment taken by a member.
    pub Attempt: Attempt, Id => Json<crate::courses::Attempt>;
    /// (assessment, member, attempt): a member's attempts, in order.
    pub MemberAttempts: MemberAttempts, (Id, Id, Id) => Unit;
    /// (course, attempt): attempts waiting for an instructor's review.
    pub ReviewQueue: ReviewQueue, (Id, Id) => Unit;
    /// (assessment, member) → the best passing score (percent).
    pub AssessmentPassed: AssessmentPassed, (Id, Id) => Json<f64>;
    /// (course, member) → Completion: who completed which course.
    pub CourseCompletion: CourseCompletion, (Id, Id) => Json<crate::courses::Completion>;
    /// (member, course): a member's completed courses.
    pub MemberCompletions: MemberCompletions, (Id, Id) => Unit;
    /// (course, member) → the member's rating (1–5).
    pub CourseRatings: CourseRatings, (Id, Id) => Json<u8>;

    /// certificate id → Certificate: the signed credential as issued, and
    /// its revocation (`certificates/`).
    pub Certificate: Certificate, Id => Json<crate::certificates::Certificate>;
    /// (member, certificate): a member's certificates.
    pub MemberCertificates: MemberCertificates, (Id, Id) => Unit;
    /// (course, member) → certificate id: one certificate per completion.
    pub CourseCertificates: CourseCertificates, (Id, Id) => IdBytes;
    /// status list number → its bits (16 KiB, bit `i` of list `n` is
    /// certificate status index `n × 131,072 + i`); absent: all clear.
    pub CertificateStatusList: CertificateStatusList, u64 => Raw;
    /// (member, course URL) → a verified certificate of another server the
    /// member handed over; it answers remote prerequisites.
    pub ImportedCertificates: ImportedCertificates, (Id, Str) => Json<crate::certificates::ImportedCertificate>;
    /// blake3(actor id, nonce) of a sign-in ticket accepted here → when its
    /// record may go (ms): a ticket is taken once.
    pub SignInNonces: SignInNonces, Hash => Json<i64>;
    /// (when it may go, ms; the nonce's hash): what prunes `SignInNonces`.
    pub SignInNoncesByExpiry: SignInNoncesByExpiry, (u64, Hash) => Unit;
    /// blake3(learner session token) → a remote member's learner session.
    pub LearnerSessions: LearnerSessions, Hash => Json<crate::members::learner_sessions::LearnerSession>;
    /// (when it ends, ms; the token's hash): what prunes `LearnerSessions`.
    pub LearnerSessionsByExpiry: LearnerSessionsByExpiry, (u64, Hash) => Unit;

    /// path id → SavedPath: a learning path a member saved, its steps as
    /// planned (`learning_paths/`).
    pub LearningPath: LearningPath, Id => Json<crate::learning_paths::SavedPath>;
    /// (member, path): a member's saved learning paths.
    pub MemberLearningPaths: MemberLearningPaths, (Id, Id) => Unit;

    /// course id → a course of another server, as its instructor (or
    /// group) published it (`courses/remote_courses.rs`).
    pub RemoteCourse: RemoteCourse, Id => Json<crate::courses::RemoteCourse>;
    /// hash of a remote course's ActivityPub id, or of its page's URL →
    /// its id here.
    pub RemoteCourseByUri: RemoteCourseByUri, Hash => IdBytes;
    /// (remote course, local member) → the member's enrolment there, as
    /// its server answered their `Join`.
    pub RemoteCourseEnrolments: RemoteCourseEnrolments, (Id, Id) => Json<crate::courses::RemoteEnrolment>;
    /// (local course, remote account) → the id of the account's `Join`,
    /// which the instructors' `Accept` or `Reject` names.
    pub CourseJoins: CourseJoins, (Id, Id) => Json<String>;

    // Attestations (`attestations/`).
    /// attestation record id → the ActivityPub object it came as, with its
    /// FEP-8b32 proof (records received over ActivityPub: what another
    /// verifier checks offline).
    pub AttestationObject: AttestationObject, Hash => Json<serde_json::Map<String, serde_json::Value>>;
    // Trust (`trust/`): each account's computed trust, the members admins
    // mark trusted (seeds beside the admins), and the last computation.
    /// member id → their trust as last computed.
    pub TrustScore: TrustScore, Id => Json<crate::trust::TrustScore>;
    /// member id → who marked them trusted, and when.
    pub TrustedMembers: TrustedMembers, Id => Json<crate::trust::TrustedMark>;
    /// The last trust computation: when, over what, its figures.
    pub TrustRunState: TrustState[b"run\0"], () => Json<crate::trust::TrustRun>;
    /// Changes to the seeds (trusted marks) so far: the trust worker
    /// recomputes when it is past what the last run saw.
    pub TrustSeedChanges: Counter[&global(53)], () => Counter;
    // Ranking (`ranking/`): what trends leave out, suggestions dismissed.
    /// (kind: `tag`, `post` or `link`; the tag, post id or URL) → the
    /// moderator's exclusion of it from trends.
    pub TrendExclusions: TrendExclusions, (Str, Str) => Json<crate::ranking::TrendExclusion>;
    /// (member, account) → when the member dismissed the suggestion to
    /// follow that account (ms).
    pub DismissedSuggestions: DismissedSuggestions, (Id, Id) => Json<i64>;
    // Insights (`insights/`): keyspaces 0xB8–0xBB, counter kinds 71–74.
    /// (member, day since the epoch): the days a local member was active
    /// (posted, replied, liked, boosted, signed in or used a session);
    /// written at most once per member per day, with `LastActive`.
    pub MemberActiveDays: MemberActiveDays, (Id, u64) => Unit;
    /// (day since the epoch, member): the same rows by day, which the
    /// node-wide active-member figures read.
    pub ActiveDayMembers: ActiveDayMembers, (u64, Id) => Unit;
    /// Node-wide, per day: distinct local members active that day.
    pub ActiveOnDay: Counter[&[71]], u64 => Counter;
    /// Node-wide, per (interaction kind, day): likes, boosts and replies
    /// given by local members (`insights::Interaction`).
    pub InteractionsOnDay: Counter[&[72]], (u8, u64) => Counter;
    // Gamification (`gamification/`): spaces 0xA0–0xAF, counter kinds 55–62.
    /// The points, caps, levels and badge rules an admin edits.
    pub GamificationSettings: GamificationSettings, () => Json<crate::gamification::GamificationSettings>;
    /// (member, entry id) → PointsEntry: every award, refusal and reversal,
    /// newest last.
    pub PointsHistory: PointsHistory, (Id, Id) => Json<crate::gamification::PointsEntry>;
    /// (object, earner, activity byte) → the history entry of the award
    /// standing for that object, to reverse it when the object goes.
    pub PointsAwards: PointsAwards, (Id, Id, u8) => IdBytes;
    /// Challenges a member joined and has not completed or seen end.
    pub ActiveChallengeCount: Counter[&[59]], Id => Counter;
    /// (board, u64::MAX − score in hundredths, member): boards in rank order.
    pub Leaderboard: Leaderboard, (Str, u64, Id) => Unit;
    /// (board, member) → score in hundredths (the key to move in [`Leaderboard`]).
    pub LeaderboardScore: LeaderboardScore, (Str, Id) => Counter;
    /// (member, badge) → when and why it was earned.
    pub MemberBadges: MemberBadges, (Id, Str) => Json<crate::gamification::EarnedBadge>;
    /// member id → keyed blake3 of (registration IP, UTC day); never the IP.
    pub RegistrationMark: RegistrationMark, Id => HashBytes;
    /// (registration mark, member): accounts registered together.
    pub RegistrationMarkMembers: RegistrationMarkMembers, (Hash, Id) => Unit;
    /// (member, member) → flagged at (ms): accounts a moderator marked as
    /// controlled together (both directions).
    pub LinkedAccounts: LinkedAccounts, (Id, Id) => Json<i64>;
    /// challenge id → Challenge.
    pub Challenge: Challenge, Id => Json<crate::gamification::Challenge>;
    /// (group, challenge): a group's challenges.
    pub ChallengesByGroup: ChallengesByGroup, (Id, Id) => Unit;
    /// (challenge, member) → the member's entry (baseline, completion).
    pub ChallengeEntries: ChallengeEntries, (Id, Id) => Json<crate::gamification::ChallengeEntry>;
    /// (member, challenge): challenges joined and not yet completed.
    pub MemberChallenges: MemberChallenges, (Id, Id) => Unit;
    /// (member, activity byte, UTC day): awards counted toward the daily cap.
    pub PointsToday: Counter[&[55]], (Id, u8, u64) => Counter;
    /// (member, metric byte): the counts badge rules and challenges read.
    pub MemberMetric: Counter[&[56]], (Id, u8) => Counter;
    /// Members who joined a challenge.
    pub ChallengeJoinedCount: Counter[&[57]], Id => Counter;
    /// Members who completed a challenge.
    pub ChallengeCompletedCount: Counter[&[58]], Id => Counter;
}

/// Scratch entries for tests that need many writes of their own (backups
/// under load): `Meta` keys starting `test-`, which no table of the node
/// uses. Not compiled outside tests.
#[cfg(test)]
#[derive(Debug)]
pub(crate) enum Scratch {}

#[cfg(test)]
impl Table for Scratch {
    const SPACE: Space = Space::Meta;
    const HEAD: &'static [u8] = b"test-";
    type Key = Str;
    type Value = Raw;
}

#[cfg(test)]
mod tests {
    //! Pins the on-disk format: key bytes and value bytes of a few tables,
    //! written through the typed layer and read back raw.

    use std::sync::Arc;

    use super::*;
    use crate::error::NodeError;
    use crate::store::{MemoryEngine, Store, StrStart};

    fn id(byte: u8) -> Id {
        Id::from_bytes([byte; 16])
    }

    fn raw(store: &Store, key: &[u8]) -> Option<Vec<u8>> {
        store.engine.get(key).expect("get")
    }

    #[test]
    fn keys_and_values_keep_their_bytes() -> Result<(), NodeError> {
        let store = Store::with_engine(Arc::new(MemoryEngine::default()))?;
        let hash = [9u8; 32];
        store.write_blocking(|txn| {
            txn.store::<TagTimeline>(("rust", id(7)), &())?;
            txn.store::<Likes>((id(1), id(2)), &id(3))?;
            txn.store::<Following>((id(1), id(2)), &1234)?;
            txn.add::<FollowerCount>(id(4), 258)?;
            txn.add::<MemberTotal>((), 2)?;
            txn.store::<EnvelopeByAuthor>((&hash, 5u64, hash), &())?;
            txn.store::<SyncCursor>(("peer", 3u8), &17)?;
            txn.store::<AuthorPosts>((id(1), id(5)), &Some(id(6)))?;
            txn.store::<GroupRoles>((id(1), id(2)), &crate::groups::GroupRole::Owner)?;
            txn.store::<GroupsByCategory>(("art", id(3)), &())?;
            txn.store::<EventReminders>((0x0102u64, id(5), 2u8), &())?;
            txn.add::<EventRegisteredCount>(id(6), 3)?;
            txn.store::<CalendarFeedToken>(&hash, &id(8))?;
            txn.store::<EventsByPlace>((0x0203u64, 0x0405u64, id(4)), &(1.5, -2.0, 7))?;
            txn.add::<CourseLessonsDone>((id(1), id(2)), 4)?;
            txn.store::<LessonsDone>((id(3), id(4)), &5)?;
            txn.store::<CoursesByCategory>(("art", "beginner", id(9)), &())?;
            Ok(())
        })?;

        let mut tag = vec![0x0f];
        tag.extend_from_slice(b"rust\0");
        tag.extend_from_slice(&[7; 16]);
        assert_eq!(raw(&store, &tag), Some(Vec::new()));

        let mut like = vec![0x13];
        like.extend_from_slice(&[1; 16]);
        like.extend_from_slice(&[2; 16]);
        assert_eq!(raw(&store, &like), Some(vec![3; 16]));

        like[0] = 0x07;
        assert_eq!(raw(&store, &like), Some(b"1234".to_vec()));

        let mut followers = vec![0x19, 1];
        followers.extend_from_slice(&[4; 16]);
        assert_eq!(raw(&store, &followers), Some(vec![0, 0, 0, 0, 0, 0, 1, 2]));

        let mut members = vec![0x19, 7];
        members.extend_from_slice(&[0; 16]);
        assert_eq!(raw(&store, &members), Some(2i64.to_be_bytes().to_vec()));

        let mut by_author = vec![0x42];
        by_author.extend_from_slice(&hash);
        by_author.extend_from_slice(&5u64.to_be_bytes());
        by_author.extend_from_slice(&hash);
        assert_eq!(raw(&store, &by_author), Some(Vec::new()));

        assert_eq!(raw(&store, b"\x44peer\0\x03"), Some(b"17".to_vec()));

        let mut boost = vec![0x0d];
        boost.extend_from_slice(&[1; 16]);
        boost.extend_from_slice(&[5; 16]);
        assert_eq!(raw(&store, &boost), Some(vec![6; 16]));

        let mut role = vec![0x52];
        role.extend_from_slice(&[1; 16]);
        role.extend_from_slice(&[2; 16]);
        assert_eq!(raw(&store, &role), Some(b"\"owner\"".to_vec()));

        let mut by_category = b"\x51art\0".to_vec();
        by_category.extend_from_slice(&[3; 16]);
        assert_eq!(raw(&store, &by_category), Some(Vec::new()));

        let mut reminder = vec![0x61, 0, 0, 0, 0, 0, 0, 1, 2];
        reminder.extend_from_slice(&[5; 16]);
        reminder.push(2);
        assert_eq!(raw(&store, &reminder), Some(Vec::new()));

        let mut feed = vec![0x62];
        feed.extend_from_slice(&hash);
        assert_eq!(raw(&store, &feed), Some(vec![8; 16]));

        let mut place = vec![0x65, 0, 0, 0, 0, 0, 0, 2, 3, 0, 0, 0, 0, 0, 0, 4, 5];
        place.extend_from_slice(&[4; 16]);
        assert_eq!(raw(&store, &place), Some(b"[1.5,-2.0,7]".to_vec()));

        let mut registered = vec![0x19, 23];
        registered.extend_from_slice(&[6; 16]);
        assert_eq!(raw(&store, &registered), Some(3i64.to_be_bytes().to_vec()));

        let mut lessons_done = vec![0x19, 36];
        lessons_done.extend_from_slice(&[1; 16]);
        lessons_done.extend_from_slice(&[2; 16]);
        assert_eq!(
            raw(&store, &lessons_done),
            Some(4i64.to_be_bytes().to_vec())
        );

        let mut lesson_done = vec![0x7a];
        lesson_done.extend_from_slice(&[3; 16]);
        lesson_done.extend_from_slice(&[4; 16]);
        assert_eq!(raw(&store, &lesson_done), Some(b"5".to_vec()));

        let mut course_category = b"\x83art\0beginner\0".to_vec();
        course_category.extend_from_slice(&[9; 16]);
        assert_eq!(raw(&store, &course_category), Some(Vec::new()));

        assert_eq!(
            raw(&store, b"\x01schema_version\0"),
            Some(
                crate::store::migrate::CURRENT_VERSION
                    .to_string()
                    .into_bytes()
            )
        );
        Ok(())
    }

    #[test]
    fn scans_decode_the_keys_they_find() -> Result<(), NodeError> {
        let store = Store::with_engine(Arc::new(MemoryEngine::default()))?;
        store.write_blocking(|txn| {
            for (tag, n) in [("rust", 1), ("rustacean", 2), ("go", 3)] {
                txn.store::<TagTimeline>((tag, id(n)), &())?;
                txn.add::<Tags>(tag, n.into())?;
            }
            Ok(())
        })?;
        let rust: Vec<_> = store
            .scan::<TagTimeline>(("rust",), false)
            .keys()
            .collect::<Result<_, _>>()?;
        assert_eq!(rust, vec![("rust".to_string(), id(1))]);
        let started: Vec<_> = store
            .scan::<Tags>(StrStart("rus"), false)
            .collect::<Result<_, _>>()?;
        assert_eq!(
            started,
            vec![("rust".to_string(), 1), ("rustacean".to_string(), 2)]
        );
        assert_eq!(store.counter::<Tags>("go")?, 3);
        assert_eq!(store.counter::<Tags>("none")?, 0);
        Ok(())
    }
}
