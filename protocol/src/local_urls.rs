//! Every URL and id this node gives out, built and read back in one place.
//!
//! Actor ids, post ids, profile and post pages, follow activity ids, media,
//! tags, the shared inbox and the node's own actor all have their shape
//! here and nowhere else: the node, federation and the web layer ask
//! [`LocalUrls`] for them, and [`LocalUrls::parse`] says what a URL of this
//! node names. A new kind of thing (groups, events, courses) adds its
//! shapes here.
//!
//! Shapes (`BASE` is `https://DOMAIN`, or `http://` in development):
//!
//! | what | URL |
//! |---|---|
//! | member's actor | `BASE/users/NAME` (`/inbox`, `/outbox`, `/followers`, `/following`; key `#main-key`) |
//! | group's actor | `BASE/users/NAME` as a member's, and `/moderators`, `/collections/featured` |
//! | post object | `BASE/users/NAME/statuses/ID` |
//! | profile page | `BASE/@NAME` |
//! | post page | `BASE/@NAME/ID` |
//! | follow activity | `BASE/follows/ID` |
//! | a member's `Join` of another server's event | `BASE/users/NAME/joins/EVENT/NONCE` (its `Leave`: `#leave`) |
//! | course object | `BASE/users/NAME/courses/ID` (under its instructor's or group's actor) |
//! | a member's `Join` of another server's course | `BASE/users/NAME/course-joins/COURSE/NONCE` (its `Leave`: `#leave`) |
//! | the `Offer` of a certificate to its holder | `BASE/certificates/ID/offer` |
//! | the node's actor | `BASE/actor` (inbox `BASE/actor/inbox`) |
//! | shared inbox | `BASE/inbox` |
//! | tag page | `BASE/tags/TAG` |
//! | media file | `BASE/media/FILE` |
//! | e-mail confirmation link | `BASE/confirm-email/TOKEN` |
//! | password reset link | `BASE/reset-password/TOKEN` |
//! | event page | `BASE/events/ID` |
//! | event's calendar (iCalendar) | `BASE/events/ID.ics` |
//! | the node's public events calendar | `BASE/events.ics` |
//! | a group's calendar | `BASE/groups/NAME/calendar.ics` |
//! | a member's secret calendar feed | `BASE/calendar/TOKEN.ics` |
//!
//! Activities are named after what they act on: `OBJECT/activity` creates
//! (and `ACTOR/statuses/BOOST/activity` announces), `OBJECT#updates/TIME`
//! updates, `OBJECT#delete` deletes, `ACTOR#likes/POST` likes,
//! `ACTOR#blocks/MEMBER` blocks, `ACTOR#accept/follows/MEMBER/TIME` (or
//! `reject`) answers a follow, and `ACTIVITY/undo` undoes.

use std::fmt::Display;

/// What a URL of this node names ([`LocalUrls::parse`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LocalUrl<'a> {
    /// A member's actor id (`/users/NAME`).
    Actor(&'a str),
    /// A member's profile page (`/@NAME`).
    ProfilePage(&'a str),
    /// A post's object id (`/users/NAME/statuses/ID`).
    Post {
        /// The author's username.
        author: &'a str,
        /// The post's id, as written in the URL.
        id: &'a str,
    },
    /// A post's page (`/@NAME/ID`).
    PostPage {
        /// The author's username.
        author: &'a str,
        /// The post's id, as written in the URL.
        id: &'a str,
    },
    /// A follow activity of this node (`/follows/ID`).
    Follow(&'a str),
    /// A member's `Join` of an event of another server
    /// (`/users/NAME/joins/EVENT/NONCE`).
    Join {
        /// The member's username.
        member: &'a str,
        /// The (local) id of the event, as written in the URL.
        event: &'a str,
    },
    /// A member's `Join` of a course of another server
    /// (`/users/NAME/course-joins/COURSE/NONCE`).
    CourseJoin {
        /// The member's username.
        member: &'a str,
        /// The (local) id of the course, as written in the URL.
        course: &'a str,
    },
    /// A course's object id (`/users/INSTRUCTOR/courses/ID`).
    Course {
        /// The username of its instructor (or group) whose actor it is under.
        instructor: &'a str,
        /// The course's id, as written in the URL.
        id: &'a str,
    },
    /// An event's object id (`/users/ORGANISER/events/ID`).
    Event {
        /// The organiser's (a member's or a group's) username.
        organiser: &'a str,
        /// The event's id, as written in the URL.
        id: &'a str,
    },
}

/// The URLs of one node, made from its base URL (scheme and authority).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LocalUrls {
    base: String,
}

impl LocalUrls {
    /// The URLs of the node at `base` (`https://example.org`; a trailing
    /// slash is dropped).
    pub fn new(base: impl Into<String>) -> LocalUrls {
        let mut base = base.into();
        while base.ends_with('/') {
            base.pop();
        }
        LocalUrls { base }
    }

    /// The base URL, without a trailing slash.
    pub fn base(&self) -> &str {
        &self.base
    }

    /// A member's actor id.
    pub fn actor(&self, username: &str) -> String {
        format!("{}/users/{username}", self.base)
    }

    /// A member's inbox.
    pub fn inbox(&self, username: &str) -> String {
        format!("{}/inbox", self.actor(username))
    }

    /// A member's outbox collection.
    pub fn outbox(&self, username: &str) -> String {
        format!("{}/outbox", self.actor(username))
    }

    /// A member's followers collection.
    pub fn followers(&self, username: &str) -> String {
        format!("{}/followers", self.actor(username))
    }

    /// A member's following collection.
    pub fn following(&self, username: &str) -> String {
        format!("{}/following", self.actor(username))
    }

    /// A group's moderators collection (its owner and moderators).
    pub fn moderators(&self, username: &str) -> String {
        format!("{}/moderators", self.actor(username))
    }

    /// An actor's featured (pinned posts) collection.
    pub fn featured(&self, username: &str) -> String {
        format!("{}/collections/featured", self.actor(username))
    }

    /// The id of a member's RSA key (HTTP signatures).
    pub fn key_id(&self, username: &str) -> String {
        format!("{}#main-key", self.actor(username))
    }

    /// The shared inbox.
    pub fn shared_inbox(&self) -> String {
        format!("{}/inbox", self.base)
    }

    /// An attestation's ActivityPub object id (`hex`: its record id).
    pub fn attestation(&self, hex: &str) -> String {
        format!("{}/attestations/{hex}", self.base)
    }

    /// The node's own actor (it signs fetches).
    pub fn node_actor(&self) -> String {
        format!("{}/actor", self.base)
    }

    /// The node's own actor's inbox.
    pub fn node_actor_inbox(&self) -> String {
        format!("{}/actor/inbox", self.base)
    }

    /// The node's own actor's outbox.
    pub fn node_actor_outbox(&self) -> String {
        format!("{}/actor/outbox", self.base)
    }

    /// The id of the node's own RSA key.
    pub fn node_key_id(&self) -> String {
        format!("{}#main-key", self.node_actor())
    }

    /// The node's home page.
    pub fn home_page(&self) -> String {
        format!("{}/", self.base)
    }

    /// A post's object id.
    pub fn post(&self, author: &str, id: impl Display) -> String {
        format!("{}/statuses/{id}", self.actor(author))
    }

    /// An event's object id: under its organiser's actor (a member or a
    /// group).
    pub fn event(&self, organiser: &str, id: impl Display) -> String {
        format!("{}/events/{id}", self.actor(organiser))
    }

    /// An event's page (the members' app).
    pub fn event_page(&self, id: impl Display) -> String {
        format!("{}/events/{id}", self.base)
    }

    /// The organisers' `Accept` (or `Reject`) of `member`'s `Join` of an
    /// event, at `at` (ms).
    pub fn join_answer(
        &self,
        organiser: &str,
        accept: bool,
        member: impl Display,
        at: i64,
    ) -> String {
        let kind = if accept { "accept" } else { "reject" };
        format!("{}#{kind}/joins/{member}/{at}", self.actor(organiser))
    }

    /// A member's profile page.
    pub fn profile_page(&self, username: &str) -> String {
        format!("{}/@{username}", self.base)
    }

    /// A post's page.
    pub fn post_page(&self, author: &str, id: impl Display) -> String {
        format!("{}/@{author}/{id}", self.base)
    }

    /// The id of `member`'s `Join` of the event of another server stored
    /// here as `event`; `nonce` makes each registration's distinct.
    pub fn join(&self, member: &str, event: impl Display, nonce: impl Display) -> String {
        format!("{}/joins/{event}/{nonce}", self.actor(member))
    }

    /// A course's object id: under its instructor's or group's actor.
    pub fn course(&self, instructor: &str, id: impl Display) -> String {
        format!("{}/courses/{id}", self.actor(instructor))
    }

    /// The id of `member`'s `Join` of the course of another server stored
    /// here as `course`; `nonce` makes each enrolment's distinct.
    pub fn course_join(&self, member: &str, course: impl Display, nonce: impl Display) -> String {
        format!("{}/course-joins/{course}/{nonce}", self.actor(member))
    }

    /// The id of the `Offer` of the certificate `id` to its holder.
    pub fn certificate_offer(&self, id: impl Display) -> String {
        format!("{}/offer", self.certificate_page(id))
    }

    /// The id of the `Leave` that withdraws the `Join` `join_id`.
    pub fn leave_of(&self, join_id: &str) -> String {
        format!("{join_id}#leave")
    }

    /// The id of a follow activity of this node.
    pub fn follow(&self, id: impl Display) -> String {
        format!("{}/follows/{id}", self.base)
    }

    /// The `Create` of one of this node's objects.
    pub fn create_of(&self, object_id: &str) -> String {
        format!("{object_id}/activity")
    }

    /// An `Update` of one of this node's objects or actors, at `at` (ms).
    pub fn update_of(&self, id: &str, at: i64) -> String {
        format!("{id}#updates/{at}")
    }

    /// The `Delete` of one of this node's objects or actors.
    pub fn delete_of(&self, id: &str) -> String {
        format!("{id}#delete")
    }

    /// The `Undo` of one of this node's activities.
    pub fn undo_of(&self, activity_id: &str) -> String {
        format!("{activity_id}/undo")
    }

    /// A member's `Like` of a post.
    pub fn like(&self, username: &str, post: impl Display) -> String {
        format!("{}#likes/{post}", self.actor(username))
    }

    /// A member's `Announce` (boost), by the boost's id.
    pub fn announce(&self, username: &str, boost: impl Display) -> String {
        self.create_of(&self.post(username, boost))
    }

    /// An activity a group sends (`kind`: `announces`, `bans`, `locks`,
    /// `pins`, `likes`), told apart by `key`.
    pub fn group_activity(&self, group: &str, kind: &str, key: impl Display) -> String {
        format!("{}#{kind}/{key}", self.actor(group))
    }

    /// A group's `Announce` of the activity `activity_id` (the same
    /// activity always gets the same announce id).
    pub fn group_announce(&self, group: &str, activity_id: &str) -> String {
        let digest = blake3::hash(activity_id.as_bytes()).to_hex();
        self.group_activity(group, "announces", &digest.as_str()[..32])
    }

    /// The `Delete` by one of a group's moderators here of `object`, a post
    /// of another server.
    pub fn group_removal(&self, group: &str, object: &str) -> String {
        let digest = blake3::hash(object.as_bytes()).to_hex();
        self.group_activity(group, "removals", &digest.as_str()[..32])
    }

    /// A member's `Block` of another.
    pub fn block(&self, username: &str, blocked: impl Display) -> String {
        format!("{}#blocks/{blocked}", self.actor(username))
    }

    /// A member's `Accept` (or `Reject`) of a follow, at `at` (ms).
    pub fn follow_answer(
        &self,
        username: &str,
        accept: bool,
        follower: impl Display,
        at: i64,
    ) -> String {
        let kind = if accept { "accept" } else { "reject" };
        format!("{}#{kind}/follows/{follower}/{at}", self.actor(username))
    }

    /// A tag's page.
    pub fn tag(&self, tag: &str) -> String {
        format!("{}/tags/{tag}", self.base)
    }

    /// A stored media file.
    pub fn media(&self, file_name: &str) -> String {
        format!("{}/media/{file_name}", self.base)
    }

    /// The link in a sign-up confirmation e-mail (the members' web app
    /// serves it).
    pub fn confirm_email(&self, token: &str) -> String {
        format!("{}/confirm-email/{token}", self.base)
    }

    /// The link in a password reset e-mail (the members' web app serves
    /// it).
    pub fn reset_password(&self, token: &str) -> String {
        format!("{}/reset-password/{token}", self.base)
    }

    /// An event as an iCalendar file.
    pub fn event_calendar(&self, id: impl Display) -> String {
        format!("{}/events/{id}.ics", self.base)
    }

    /// The node's upcoming public events as an iCalendar feed.
    pub fn events_calendar(&self) -> String {
        format!("{}/events.ics", self.base)
    }

    /// A group's events as an iCalendar feed.
    pub fn group_calendar(&self, group: &str) -> String {
        format!("{}/groups/{group}/calendar.ics", self.base)
    }

    /// A member's calendar feed, at its secret token.
    pub fn member_calendar(&self, token: &str) -> String {
        format!("{}/calendar/{token}.ics", self.base)
    }

    /// A course's page.
    pub fn course_page(&self, id: impl Display) -> String {
        format!("{}/courses/{id}", self.base)
    }

    /// A certificate's public page, which is also its credential's id.
    pub fn certificate_page(&self, id: impl Display) -> String {
        format!("{}/certificates/{id}", self.base)
    }

    /// A certificate's credential (JSON).
    pub fn certificate_json(&self, id: impl Display) -> String {
        format!("{}{}/certificates/{id}", self.base, crate::API_PREFIX)
    }

    /// Status list number `n`: the `BitstringStatusListCredential` that
    /// says which of the node's certificates are revoked.
    pub fn certificate_status_list(&self, n: u64) -> String {
        format!("{}/certificates/status/{n}", self.base)
    }

    /// The NodeInfo 2.1 document.
    pub fn nodeinfo(&self) -> String {
        format!("{}/nodeinfo/2.1", self.base)
    }

    /// The image shown for a member without an avatar.
    pub fn missing_avatar(&self) -> String {
        format!("{}/avatars/missing.png", self.base)
    }

    /// The image shown for a member without a header.
    pub fn missing_header(&self) -> String {
        format!("{}/headers/missing.png", self.base)
    }

    /// What `url` names on this node, if it is one of its URLs (the base
    /// compared exactly; no query or fragment, no empty or extra
    /// segments).
    pub fn parse<'u>(&self, url: &'u str) -> Option<LocalUrl<'u>> {
        let path = url.strip_prefix(self.base.as_str())?;
        if path.contains(['?', '#']) {
            return None;
        }
        let segment = |s: &str| !s.is_empty();
        if let Some(rest) = path.strip_prefix("/users/") {
            return match rest.split('/').collect::<Vec<_>>()[..] {
                [name] if segment(name) => Some(LocalUrl::Actor(name)),
                [author, "statuses", id] if segment(author) && segment(id) => {
                    Some(LocalUrl::Post { author, id })
                }
                [organiser, "events", id] if segment(organiser) && segment(id) => {
                    Some(LocalUrl::Event { organiser, id })
                }
                [member, "joins", event, nonce]
                    if segment(member) && segment(event) && segment(nonce) =>
                {
                    Some(LocalUrl::Join { member, event })
                }
                [instructor, "courses", id] if segment(instructor) && segment(id) => {
                    Some(LocalUrl::Course { instructor, id })
                }
                [member, "course-joins", course, nonce]
                    if segment(member) && segment(course) && segment(nonce) =>
                {
                    Some(LocalUrl::CourseJoin { member, course })
                }
                _ => None,
            };
        }
        if let Some(rest) = path.strip_prefix("/@") {
            return match rest.split('/').collect::<Vec<_>>()[..] {
                [name] if segment(name) => Some(LocalUrl::ProfilePage(name)),
                [author, id] if segment(author) && segment(id) => {
                    Some(LocalUrl::PostPage { author, id })
                }
                _ => None,
            };
        }
        match path.strip_prefix("/follows/") {
            Some(id) if segment(id) && !id.contains('/') => Some(LocalUrl::Follow(id)),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shape_is_built_and_read_back() {
        let urls = LocalUrls::new("https://k.example/");
        assert_eq!(urls.base(), "https://k.example");
        assert_eq!(urls.actor("alice"), "https://k.example/users/alice");
        assert_eq!(
            urls.post("alice", 42),
            "https://k.example/users/alice/statuses/42"
        );
        assert_eq!(
            urls.key_id("alice"),
            "https://k.example/users/alice#main-key"
        );
        assert_eq!(urls.post_page("alice", 42), "https://k.example/@alice/42");
        assert_eq!(urls.follow("01J"), "https://k.example/follows/01J");
        assert_eq!(
            urls.confirm_email("t0k"),
            "https://k.example/confirm-email/t0k"
        );
        assert_eq!(
            urls.reset_password("t0k"),
            "https://k.example/reset-password/t0k"
        );
        assert_eq!(urls.event_page("01J"), "https://k.example/events/01J");
        assert_eq!(
            urls.event_calendar("01J"),
            "https://k.example/events/01J.ics"
        );
        assert_eq!(urls.events_calendar(), "https://k.example/events.ics");
        assert_eq!(
            urls.group_calendar("rust"),
            "https://k.example/groups/rust/calendar.ics"
        );
        assert_eq!(
            urls.member_calendar("t0k"),
            "https://k.example/calendar/t0k.ics"
        );
        for (url, parsed) in [
            (urls.actor("alice"), LocalUrl::Actor("alice")),
            (urls.profile_page("alice"), LocalUrl::ProfilePage("alice")),
            (
                urls.post("alice", 42),
                LocalUrl::Post {
                    author: "alice",
                    id: "42",
                },
            ),
            (
                urls.post_page("alice", 42),
                LocalUrl::PostPage {
                    author: "alice",
                    id: "42",
                },
            ),
            (urls.follow("01J"), LocalUrl::Follow("01J")),
            (
                urls.event("rust", 7),
                LocalUrl::Event {
                    organiser: "rust",
                    id: "7",
                },
            ),
            (
                urls.join("alice", 7, 9),
                LocalUrl::Join {
                    member: "alice",
                    event: "7",
                },
            ),
        ] {
            assert_eq!(urls.parse(&url), Some(parsed), "{url}");
        }
    }

    #[test]
    fn courses_and_their_joins_are_read_back() {
        let urls = LocalUrls::new("https://k.example");
        assert_eq!(
            urls.parse(&urls.course("ann", 7)),
            Some(LocalUrl::Course {
                instructor: "ann",
                id: "7"
            })
        );
        let join = urls.course_join("bob", 7, 9);
        assert_eq!(join, "https://k.example/users/bob/course-joins/7/9");
        assert_eq!(
            urls.parse(&join),
            Some(LocalUrl::CourseJoin {
                member: "bob",
                course: "7"
            })
        );
        assert_eq!(urls.parse(&urls.leave_of(&join)), None);
        assert_eq!(
            urls.certificate_offer(3),
            format!("{}/offer", urls.certificate_page(3))
        );
    }

    #[test]
    fn a_leave_is_named_after_its_join_and_names_nothing_here() {
        let urls = LocalUrls::new("https://k.example");
        let join = urls.join("alice", 7, 9);
        assert_eq!(join, "https://k.example/users/alice/joins/7/9");
        assert_eq!(urls.parse(&urls.leave_of(&join)), None);
        assert_eq!(urls.parse("https://k.example/users/alice/joins/7"), None);
    }

    #[test]
    fn other_urls_name_nothing_here() {
        let urls = LocalUrls::new("https://k.example");
        for url in [
            "https://other.example/users/alice",
            "https://k.example.evil/users/alice",
            "https://k.exampleusers/alice",
            "http://k.example/users/alice",
            "https://k.example/users/",
            "https://k.example/users/alice/",
            "https://k.example/users/alice?x=1",
            "https://k.example/users/alice#main-key",
            "https://k.example/users/alice/statuses/",
            "https://k.example/users/alice/outbox",
            "https://k.example/@",
            "https://k.example/@alice/42/x",
            "https://k.example/follows/",
            "https://k.example/follows/1/2",
            "https://k.example/tags/x",
        ] {
            assert_eq!(urls.parse(url), None, "{url}");
        }
    }
}
