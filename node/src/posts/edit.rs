//! Editing a post: its author changes the text, title, type, category, tags.

use crate::store::tables;
use serde::Deserialize;

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, NotificationKind, Post, PostView};
use crate::node::{Node, Viewer};

/// Changes to a post; absent fields are kept. Visibility cannot change
/// (people who saw it under one audience would be surprised).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct PostEdit {
    /// New title.
    pub title: Option<String>,
    /// New Markdown content.
    pub content: Option<String>,
    /// New type.
    pub post_type: Option<String>,
    /// New category.
    pub category: Option<String>,
    /// New tags (replace the old ones).
    pub tags: Option<Vec<String>>,
    /// New content warning.
    pub spoiler_text: Option<String>,
    /// New sensitive flag.
    pub sensitive: Option<bool>,
    /// New language code.
    pub language: Option<String>,
}

impl Node {
    /// Edits one of the viewer's posts.
    pub async fn edit_post(&self, viewer: &Viewer, id: Id, edit: PostEdit) -> NodeResult<PostView> {
        let me = viewer.member()?.clone();
        let (old, _) = self.visible_post(viewer, id)?;
        if old.author_id != me.id {
            return Err(NodeError::Forbidden("only the author can edit a post"));
        }
        let body = self.validate_body(
            !old.media.is_empty(),
            Some(edit.title.unwrap_or_else(|| old.title.clone())),
            edit.content.unwrap_or_else(|| old.source.clone()),
            Some(edit.post_type.unwrap_or_else(|| post_type_name(&old))),
            Some(edit.category.unwrap_or_else(|| old.category.clone())),
            edit.tags.unwrap_or_else(|| old.tags.clone()),
        )?;
        let mut mentions = body.mentions;
        // Keep the implicit addressee of a direct/followers-only reply.
        for kept in &old.mentions {
            if Some(*kept) == old.in_reply_to_author && !mentions.contains(kept) {
                mentions.push(*kept);
            }
        }
        let spoiler_text = edit
            .spoiler_text
            .map(|s| s.trim().to_string())
            .unwrap_or_else(|| old.spoiler_text.clone());
        crate::validate::max_chars("spoiler_text", &spoiler_text, self.limits().title_chars)?;
        let updated = Post {
            spoiler_text,
            sensitive: edit.sensitive.unwrap_or(old.sensitive),
            language: edit.language.or_else(|| old.language.clone()),
            title: body.title,
            source: body.source,
            html: body.html,
            post_type: body.post_type,
            category: body.category,
            tags: body.tags,
            mentions,
            edited_at: Some(now_ms()),
            ..old.clone()
        };
        self.write(|txn| {
            if !txn.has::<tables::Post>(id)? {
                return Err(NodeError::NotFound("post"));
            }
            self.index_listing(txn, &old, false)?;
            self.index_listing(txn, &updated, true)?;
            self.index_words(txn, &old, false)?;
            self.index_words(txn, &updated, true)?;
            txn.store::<tables::Post>(id, &updated)?;
            txn.emit(crate::events::Event::PostEdited { id });
            let members_only = Self::members_only(txn, &updated)?;
            if !members_only
                && (Self::in_remote_group(txn, &updated)?
                    || self.has_remote_audience(
                        txn,
                        updated.author_id,
                        &updated.mentions,
                        updated.in_reply_to_author,
                    )?)
            {
                self.federate(txn, crate::remote::Outgoing::Update { post: id })?;
            }
            self.announce_in_group(
                txn,
                &updated,
                crate::remote::GroupActivity::Update { post: id },
            )?;
            if updated.remote.is_none()
                && !members_only
                && old.visibility == crate::model::Visibility::Public
            {
                self.gossip_if_on(txn, crate::gossip::GossipIntent::Edit { post: id })?;
            }
            for m in updated
                .mentions
                .iter()
                .filter(|m| !old.mentions.contains(m))
            {
                // In a private group, only members hear of a post.
                if let (true, Some(group)) = (members_only, updated.group) {
                    if !txn.has::<tables::Following>((*m, group))? {
                        continue;
                    }
                }
                self.notify(txn, *m, NotificationKind::Mentioned, me.id, Some(id))?;
            }
            Ok(())
        })
        .await?;
        self.post_view(viewer, &updated, &me)
    }
}

fn post_type_name(post: &Post) -> String {
    serde_json::to_value(post.post_type)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "discussion".into())
}
