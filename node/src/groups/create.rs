//! Creating, changing and deleting a group.

use identity::MemberKeys;
use serde::{Deserialize, Deserializer};

use super::{
    GroupFeatures, GroupRole, GroupSettings, GroupView, GroupVisibility, JoinMode, LoadedGroup,
    Posting,
};
use crate::error::{NodeError, NodeResult};
use crate::model::{now_ms, AccountKind, Member, MemberStatus, Profile, Role};
use crate::node::{Node, Viewer};
use crate::store::tables;
use crate::validate;

/// Longest display name, in characters.
const DISPLAY_NAME_CHARS: usize = 100;
/// Most rules a group has.
const MAX_RULES: usize = 20;
/// Longest rule, in characters.
const RULE_CHARS: usize = 500;
/// Largest member limit.
const MAX_MEMBER_LIMIT: i64 = 1_000_000;

/// What creating a group takes. Absent fields take their defaults:
/// public, open, no member limit, members post, discussion on.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct NewGroup {
    /// Handle: as a username (letters, digits, underscores), unique among
    /// usernames and group names.
    pub name: String,
    /// Display name (the handle when empty).
    #[serde(default)]
    pub display_name: Option<String>,
    /// Description (Markdown).
    #[serde(default)]
    pub description: Option<String>,
    /// Category slug.
    #[serde(default)]
    pub category: Option<String>,
    /// Tag slugs.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Rules.
    #[serde(default)]
    pub rules: Vec<String>,
    /// Avatar URL.
    #[serde(default)]
    pub avatar_url: Option<String>,
    /// Banner URL.
    #[serde(default)]
    pub banner_url: Option<String>,
    /// `public` or `private`.
    #[serde(default)]
    pub visibility: Option<String>,
    /// `open`, `approval` or `invite`.
    #[serde(default)]
    pub join_mode: Option<String>,
    /// 1 to 1,000,000, or absent for none.
    #[serde(default)]
    pub member_limit: Option<i64>,
    /// `members` or `moderators`.
    #[serde(default)]
    pub posting: Option<String>,
    /// Feature switches.
    #[serde(default)]
    pub features: Option<GroupFeatures>,
}

/// A change to a group: absent fields stay as they are.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct GroupUpdate {
    /// New display name.
    pub display_name: Option<String>,
    /// New description (Markdown).
    pub description: Option<String>,
    /// New category slug; empty removes it.
    pub category: Option<String>,
    /// New tags (replace the old).
    pub tags: Option<Vec<String>>,
    /// New rules (replace the old).
    pub rules: Option<Vec<String>>,
    /// New avatar URL (empty: none).
    pub avatar_url: Option<String>,
    /// New banner URL (empty: none).
    pub banner_url: Option<String>,
    /// `public` or `private`.
    pub visibility: Option<String>,
    /// `open`, `approval` or `invite`.
    pub join_mode: Option<String>,
    /// A new limit, or `null` for none.
    #[serde(default, deserialize_with = "present")]
    pub member_limit: Option<Option<i64>>,
    /// `members` or `moderators`.
    pub posting: Option<String>,
    /// New feature switches (replace the old).
    pub features: Option<GroupFeatures>,
}

/// Reads a field that may be `null`: present (`Some`) either way, so that
/// `null` can mean "remove" and absence "leave as is".
fn present<'de, D, T>(de: D) -> Result<Option<Option<T>>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    Option::<T>::deserialize(de).map(Some)
}

/// At most `max` characters, else 422 naming `field` (a group's fields
/// are all answered 422 when bad, whatever is wrong with them).
fn max_chars(field: &str, value: &str, max: usize) -> NodeResult<()> {
    if value.chars().count() > max {
        return Err(NodeError::invalid(
            field,
            format!("at most {max} characters"),
        ));
    }
    Ok(())
}

fn visibility(value: &str) -> NodeResult<GroupVisibility> {
    match value {
        "public" => Ok(GroupVisibility::Public),
        "private" => Ok(GroupVisibility::Private),
        _ => Err(NodeError::invalid(
            "visibility",
            "must be public or private",
        )),
    }
}

fn join_mode(value: &str) -> NodeResult<JoinMode> {
    match value {
        "open" => Ok(JoinMode::Open),
        "approval" => Ok(JoinMode::Approval),
        "invite" => Ok(JoinMode::Invite),
        _ => Err(NodeError::invalid(
            "join_mode",
            "must be open, approval or invite",
        )),
    }
}

fn posting(value: &str) -> NodeResult<Posting> {
    match value {
        "members" => Ok(Posting::Members),
        "moderators" => Ok(Posting::Moderators),
        _ => Err(NodeError::invalid(
            "posting",
            "must be members or moderators",
        )),
    }
}

fn member_limit(value: Option<i64>) -> NodeResult<Option<u32>> {
    match value {
        None => Ok(None),
        Some(n) if (1..=MAX_MEMBER_LIMIT).contains(&n) => Ok(u32::try_from(n).ok()),
        Some(_) => Err(NodeError::invalid(
            "member_limit",
            format!("must be between 1 and {MAX_MEMBER_LIMIT}"),
        )),
    }
}

fn display_name(value: &str) -> NodeResult<String> {
    let value = value.trim();
    max_chars("display_name", value, DISPLAY_NAME_CHARS)?;
    Ok(value.to_string())
}

fn category(value: &str) -> NodeResult<Option<String>> {
    if value.trim().is_empty() {
        return Ok(None);
    }
    validate::slug("category", value).map(Some)
}

fn rules(values: &[String]) -> NodeResult<Vec<String>> {
    if values.len() > MAX_RULES {
        return Err(NodeError::invalid(
            "rules",
            format!("at most {MAX_RULES} rules"),
        ));
    }
    let mut out = Vec::with_capacity(values.len());
    for rule in values {
        let rule = rule.trim();
        if rule.is_empty() {
            return Err(NodeError::invalid("rules", "a rule must not be empty"));
        }
        max_chars("rules", rule, RULE_CHARS)?;
        out.push(rule.to_string());
    }
    Ok(out)
}

fn features(value: GroupFeatures) -> NodeResult<GroupFeatures> {
    if let Some(url) = &value.wiki_url {
        validate::optional_url("features.wiki_url", url)?;
    }
    Ok(GroupFeatures {
        wiki_url: value.wiki_url.filter(|u| !u.is_empty()),
        ..value
    })
}

fn url(field: &str, value: &str) -> NodeResult<String> {
    let value = value.trim();
    validate::optional_url(field, value)?;
    Ok(value.to_string())
}

impl Node {
    /// The description and its HTML, rendered as posts are.
    fn group_description(&self, source: &str) -> NodeResult<(String, String)> {
        let source = source.trim();
        max_chars("description", source, self.limits().post_chars)?;
        if source.is_empty() {
            return Ok((String::new(), String::new()));
        }
        let html = self.markdown_html("description", source)?;
        Ok((source.to_string(), html))
    }

    /// Creates a group owned by the viewer, who is its first member. Its
    /// name is taken in the username namespace (409 naming `name` when a
    /// member or group has it).
    pub async fn create_group(&self, viewer: &Viewer, new: NewGroup) -> NodeResult<GroupView> {
        let owner = viewer.member()?.clone();
        if !owner.is_local() || owner.is_group() {
            return Err(NodeError::Forbidden(
                "only members of this node make groups",
            ));
        }
        validate::username("name", &new.name)?;
        let shown = display_name(new.display_name.as_deref().unwrap_or(""))?;
        let (description, description_html) =
            self.group_description(new.description.as_deref().unwrap_or(""))?;
        let settings_category = category(new.category.as_deref().unwrap_or(""))?;
        let tags = validate::tag_slugs("tags", &new.tags, self.limits().tags)?;
        let rules = rules(&new.rules)?;
        let avatar_url = url("avatar_url", new.avatar_url.as_deref().unwrap_or(""))?;
        let banner_url = url("banner_url", new.banner_url.as_deref().unwrap_or(""))?;
        let visibility = new
            .visibility
            .as_deref()
            .map_or(Ok(GroupVisibility::Public), visibility)?;
        let join_mode = new
            .join_mode
            .as_deref()
            .map_or(Ok(JoinMode::Open), join_mode)?;
        let posting = new
            .posting
            .as_deref()
            .map_or(Ok(Posting::Members), posting)?;
        let member_limit = member_limit(new.member_limit)?;
        let features = features(new.features.unwrap_or_default())?;

        let name_key = new.name.to_lowercase();
        // Cheap early check so a taken name costs no key generation;
        // checked again inside the write.
        if self.store.has::<tables::MemberByName>(name_key.as_str())? {
            return Err(NodeError::conflict("name", "is already taken"));
        }
        let id = self.ids.next();
        let sealer = self.sealer.clone();
        // RSA generation is CPU-heavy: keep it off the runtime.
        let keys =
            tokio::task::spawn_blocking(move || MemberKeys::generate(&sealer, &id.to_bytes()))
                .await
                .map_err(|e| NodeError::Internal(e.to_string()))??;
        let now = now_ms();
        let account = Member {
            id,
            username: new.name.clone(),
            email: String::new(),
            password_hash: String::new(),
            role: Role::Member,
            status: MemberStatus::Active,
            locked: join_mode != JoinMode::Open,
            profile: Profile {
                full_name: if shown.is_empty() {
                    new.name.clone()
                } else {
                    shown
                },
                avatar_url,
                ..Profile::default()
            },
            keys,
            created_at: now,
            last_active_at: now,
            silenced: false,
            deleted_at: None,
            remote: None,
            kind: AccountKind::Group,
            email_unconfirmed: false,
        };
        let settings = GroupSettings {
            description,
            description_html,
            category: settings_category,
            tags,
            rules,
            banner_url,
            visibility,
            join_mode,
            member_limit,
            posting,
            features,
            owner: owner.id,
            created_at: now,
        };
        self.write(|txn| {
            if txn.has::<tables::MemberByName>(name_key.as_str())? {
                return Err(NodeError::conflict("name", "is already taken"));
            }
            txn.store::<tables::Member>(id, &account)?;
            txn.store::<tables::MemberByName>(name_key.as_str(), &id)?;
            txn.store::<tables::MemberByKey>(account.keys.ed25519_public.as_bytes(), &id)?;
            txn.store::<tables::Group>(id, &settings)?;
            txn.store::<tables::GroupDirectory>(id, &())?;
            if let Some(c) = &settings.category {
                txn.store::<tables::GroupsByCategory>((c.as_str(), id), &())?;
            }
            txn.store::<tables::GroupRoles>((id, owner.id), &GroupRole::Owner)?;
            self.add_follow_edge(txn, owner.id, id)?;
            self.group_log(txn, viewer, &account, "group.create", "", "")
        })
        .await?;
        self.timelines.forget_following(owner.id);
        tracing::info!(group = %account.username, owner = %owner.username, "group created");
        let group = LoadedGroup { account, settings };
        self.group_view(viewer, &group)
    }

    /// Changes a group's settings (its owner and moderators). Every field
    /// is checked first; a bad one is a 422 naming it and changes nothing.
    pub async fn update_group(
        &self,
        viewer: &Viewer,
        name: &str,
        update: GroupUpdate,
    ) -> NodeResult<GroupView> {
        let me = viewer.member()?.clone();
        let group = self.local_group(name)?;
        let shown = update
            .display_name
            .as_deref()
            .map(display_name)
            .transpose()?;
        let description = update
            .description
            .as_deref()
            .map(|d| self.group_description(d))
            .transpose()?;
        let new_category = update.category.as_deref().map(category).transpose()?;
        let tags = update
            .tags
            .as_deref()
            .map(|t| validate::tag_slugs("tags", t, self.limits().tags))
            .transpose()?;
        let new_rules = update.rules.as_deref().map(rules).transpose()?;
        let avatar = update
            .avatar_url
            .as_deref()
            .map(|u| url("avatar_url", u))
            .transpose()?;
        let banner = update
            .banner_url
            .as_deref()
            .map(|u| url("banner_url", u))
            .transpose()?;
        let new_visibility = update.visibility.as_deref().map(visibility).transpose()?;
        let new_join_mode = update.join_mode.as_deref().map(join_mode).transpose()?;
        let new_posting = update.posting.as_deref().map(posting).transpose()?;
        let limit = update.member_limit.map(member_limit).transpose()?;
        let new_features = update.features.map(features).transpose()?;

        let gid = group.id();
        let updated = self
            .write(|txn| {
                Self::require_group_moderator(txn, gid, &me)?;
                let mut account = txn
                    .load::<tables::Member>(gid)?
                    .ok_or(NodeError::NotFound("group"))?;
                let mut settings = txn
                    .load::<tables::Group>(gid)?
                    .ok_or(NodeError::NotFound("group"))?;
                let mut changed: Vec<&str> = Vec::new();
                if let Some(shown) = shown {
                    account.profile.full_name = if shown.is_empty() {
                        account.username.clone()
                    } else {
                        shown
                    };
                    changed.push("display_name");
                }
                if let Some((source, html)) = description {
                    settings.description = source;
                    settings.description_html = html;
                    changed.push("description");
                }
                if let Some(c) = new_category {
                    if let Some(old) = &settings.category {
                        txn.remove::<tables::GroupsByCategory>((old.as_str(), gid));
                    }
                    if let Some(c) = &c {
                        txn.store::<tables::GroupsByCategory>((c.as_str(), gid), &())?;
                    }
                    settings.category = c;
                    changed.push("category");
                }
                if let Some(tags) = tags {
                    settings.tags = tags;
                    changed.push("tags");
                }
                if let Some(rules) = new_rules {
                    settings.rules = rules;
                    changed.push("rules");
                }
                if let Some(avatar) = avatar {
                    account.profile.avatar_url = avatar;
                    changed.push("avatar_url");
                }
                if let Some(banner) = banner {
                    settings.banner_url = banner;
                    changed.push("banner_url");
                }
                if let Some(v) = new_visibility {
                    settings.visibility = v;
                    changed.push("visibility");
                }
                if let Some(mode) = new_join_mode {
                    settings.join_mode = mode;
                    account.locked = mode != JoinMode::Open;
                    changed.push("join_mode");
                }
                if let Some(p) = new_posting {
                    settings.posting = p;
                    changed.push("posting");
                }
                if let Some(limit) = limit {
                    settings.member_limit = limit;
                    changed.push("member_limit");
                }
                if let Some(f) = new_features {
                    settings.features = f;
                    changed.push("features");
                }
                if changed.is_empty() {
                    return Ok(LoadedGroup { account, settings });
                }
                txn.store::<tables::Member>(gid, &account)?;
                txn.store::<tables::Group>(gid, &settings)?;
                self.group_log(
                    txn,
                    viewer,
                    &account,
                    "group.update",
                    "",
                    &changed.join(", "),
                )?;
                Ok(LoadedGroup { account, settings })
            })
            .await?;
        self.group_view(viewer, &updated)
    }

    /// Deletes a group (its owner, or an admin of the node): it is found
    /// nowhere after, its memberships, requests and invitations end, and
    /// its name stays taken (as a deleted member's does). Its roles, bans
    /// and moderation log are kept for the record. The memberships end in
    /// the one write, which grows with the member count.
    pub async fn delete_group(&self, viewer: &Viewer, name: &str) -> NodeResult<()> {
        let me = viewer.member()?.clone();
        let group = self.local_group(name)?;
        let gid = group.id();
        let members = self
            .write(|txn| {
                let owner = Self::group_role_in(txn, gid, me.id)? == Some(GroupRole::Owner);
                if !owner && me.role != Role::Admin {
                    return Err(NodeError::Forbidden(
                        "only the group's owner or an admin can delete it",
                    ));
                }
                let mut account = txn
                    .load::<tables::Member>(gid)?
                    .ok_or(NodeError::NotFound("group"))?;
                if account.deleted_at.is_some() {
                    return Err(NodeError::NotFound("group"));
                }
                account.deleted_at = Some(now_ms());
                txn.store::<tables::Member>(gid, &account)?;
                txn.remove::<tables::GroupDirectory>(gid);
                if let Some(c) = &group.settings.category {
                    txn.remove::<tables::GroupsByCategory>((c.as_str(), gid));
                }
                let members: Vec<_> = txn
                    .scan::<tables::Followers>((gid,), false)
                    .keys()
                    .collect::<Result<_, _>>()?;
                for (_, member) in &members {
                    self.remove_follow(txn, *member, gid)?;
                }
                let requests: Vec<_> = txn
                    .scan::<tables::FollowRequests>((gid,), false)
                    .keys()
                    .collect::<Result<_, _>>()?;
                for key in requests {
                    txn.remove::<tables::FollowRequests>(key);
                }
                let invites: Vec<_> = txn
                    .scan::<tables::GroupInvites>((gid,), false)
                    .keys()
                    .collect::<Result<_, _>>()?;
                for key in invites {
                    txn.remove::<tables::GroupInvites>(key);
                }
                self.group_log(txn, viewer, &account, "group.delete", "", "")?;
                Ok(members)
            })
            .await?;
        for (_, member) in members {
            self.timelines.forget_following(member);
        }
        tracing::info!(group = %group.account.username, by = %me.username, "group deleted");
        Ok(())
    }
}
