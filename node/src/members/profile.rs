//! Profiles: reading them through the privacy setting, and editing them.

use crate::error::{NodeError, NodeResult};
use crate::model::{
    Member, MemberDetails, MemberView, Privacy, PrivateDetails, ProfileUpdate, Relationship, Role,
};
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

impl Node {
    /// The viewer's own profile, with private details.
    pub fn me(&self, viewer: &Viewer) -> NodeResult<MemberView> {
        let me = viewer.member()?;
        self.member_view(viewer, me)
    }

    /// A member's profile as `viewer` may see it. A member who blocks the
    /// viewer, or a suspended member, is not found.
    pub fn profile(&self, viewer: &Viewer, username: &str) -> NodeResult<MemberView> {
        let member = self.active_member_by_name(username)?;
        if let Some(v) = viewer.id() {
            if self.is_blocking(member.id, v)? {
                return Err(NodeError::NotFound("member"));
            }
        }
        self.member_view(viewer, &member)
    }

    /// Whether `viewer` may see `member`'s details and follow lists.
    pub(crate) fn can_see_details(&self, viewer: &Viewer, member: &Member) -> NodeResult<bool> {
        let Some(viewer_id) = viewer.id() else {
            return Ok(member.profile.preferences.privacy == Privacy::Public);
        };
        if viewer_id == member.id || viewer.has_role(Role::Moderator) {
            return Ok(true);
        }
        Ok(match member.profile.preferences.privacy {
            Privacy::Public | Privacy::Members => true,
            Privacy::Followers => self.is_following(viewer_id, member.id)?,
        })
    }

    pub(crate) fn member_view(&self, viewer: &Viewer, member: &Member) -> NodeResult<MemberView> {
        let is_self = viewer.id() == Some(member.id);
        let details = self
            .can_see_details(viewer, member)?
            .then(|| MemberDetails {
                bio: member.profile.bio.clone(),
                skills: member.profile.skills.clone(),
                social_links: member.profile.social_links.clone(),
            });
        let relationship = match viewer.id() {
            Some(v) if !is_self => Some(self.relationship(v, member.id)?),
            _ => None,
        };
        let private = is_self.then(|| PrivateDetails {
            email: member.email.clone(),
            preferences: member.profile.preferences.clone(),
            status: member.status,
        });
        Ok(MemberView {
            id: member.id,
            username: member.username.clone(),
            full_name: member.profile.full_name.clone(),
            avatar_url: member.profile.avatar_url.clone(),
            locked: member.locked,
            role: member.role,
            did: member.did(),
            created_at: member.created_at,
            followers_count: self.store.counter::<tables::FollowerCount>(member.id)?,
            following_count: self.store.counter::<tables::FollowingCount>(member.id)?,
            posts_count: self.store.counter::<tables::PostCount>(member.id)?,
            details,
            relationship,
            private,
            remote: member.remote.as_ref().map(|r| r.link()),
            kind: member.kind,
        })
    }

    /// How `viewer` relates to `other`.
    pub(crate) fn relationship(
        &self,
        viewer: crate::Id,
        other: crate::Id,
    ) -> NodeResult<Relationship> {
        Ok(Relationship {
            following: self.is_following(viewer, other)?,
            requested: self.store.has::<tables::FollowRequests>((other, viewer))?,
            followed_by: self.is_following(other, viewer)?,
            blocking: self.is_blocking(viewer, other)?,
            blocked_by: self.is_blocking(other, viewer)?,
            muting: self.is_muting(viewer, other)?,
        })
    }

    /// Updates the viewer's profile; absent fields are kept.
    pub async fn update_profile(
        &self,
        viewer: &Viewer,
        update: ProfileUpdate,
    ) -> NodeResult<MemberView> {
        let me = viewer.member()?;
        validate_update(&update, self.limits().bio_chars)?;
        let id = me.id;
        // The profile and the intent to tell other servers are one write.
        let updated = self
            .write(|txn| {
                let key = id;
                let mut m: Member = txn
                    .load::<tables::Member>(key)?
                    .ok_or(NodeError::NotFound("member"))?;
                let p = &mut m.profile;
                if let Some(v) = update.full_name {
                    p.full_name = v;
                }
                if let Some(v) = update.bio {
                    p.bio = v;
                }
                if let Some(v) = update.skills {
                    p.skills = v;
                }
                if let Some(v) = update.preferences {
                    p.preferences = v;
                }
                if let Some(v) = update.social_links {
                    p.social_links = v;
                }
                if let Some(v) = update.avatar_url {
                    p.avatar_url = v;
                }
                if let Some(v) = update.about {
                    p.bio.about = v;
                }
                if let Some(v) = update.language {
                    p.preferences.language = v;
                }
                if let Some(v) = update.locked {
                    m.locked = v;
                }
                txn.store::<tables::Member>(key, &m)?;
                if m.is_local() {
                    self.federate(txn, crate::remote::Outgoing::UpdateProfile { member: id })?;
                    self.gossip_if_on(txn, crate::gossip::GossipIntent::Profile { member: id })?;
                }
                Ok(m)
            })
            .await?;
        self.member_view(&Viewer::Member(Box::new(updated.clone())), &updated)
    }
}

fn validate_update(u: &ProfileUpdate, bio_chars: usize) -> NodeResult<()> {
    if let Some(name) = &u.full_name {
        validate::max_chars("full_name", name, 100)?;
    }
    if let Some(bio) = &u.bio {
        validate::max_chars("bio.about", &bio.about, bio_chars)?;
        validate::max_chars("bio.location", &bio.location, 100)?;
        validate::max_chars("bio.company", &bio.company, 100)?;
        validate::optional_url("bio.website", &bio.website)?;
    }
    if let Some(about) = &u.about {
        validate::max_chars("bio.about", about, bio_chars)?;
    }
    if let Some(language) = &u.language {
        validate::max_chars("preferences.language", language, 35)?;
    }
    if let Some(skills) = &u.skills {
        if skills.languages.len() > 50 || skills.areas.len() > 50 {
            return Err(NodeError::too_large(
                "skills",
                "at most 50 entries per list",
            ));
        }
        for s in skills.languages.iter().chain(&skills.areas) {
            validate::max_chars("skills", s, 50)?;
        }
        const LEVELS: [&str; 5] = ["", "beginner", "intermediate", "senior", "expert"];
        if !LEVELS.contains(&skills.level.as_str()) {
            return Err(NodeError::invalid(
                "skills.level",
                "must be beginner, intermediate, senior or expert",
            ));
        }
    }
    if let Some(prefs) = &u.preferences {
        validate::max_chars("preferences.language", &prefs.language, 35)?;
        validate::max_chars("preferences.timezone", &prefs.timezone, 64)?;
        if prefs.notifications.len() > 10 {
            return Err(NodeError::too_large(
                "preferences.notifications",
                "at most 10 channels",
            ));
        }
    }
    if let Some(links) = &u.social_links {
        if links.len() > 20 {
            return Err(NodeError::too_large("social_links", "at most 20 links"));
        }
        for (k, v) in links {
            validate::max_chars("social_links", k, 50)?;
            validate::max_chars("social_links", v, 500)?;
        }
    }
    if let Some(url) = &u.avatar_url {
        validate::optional_url("avatar_url", url)?;
    }
    Ok(())
}
