//! Media attachments: uploaded images, checked, re-encoded and stored.
//!
//! An upload is sniffed (the declared type is not trusted), size- and
//! dimension-checked, decoded and re-encoded from pixels only (which drops
//! EXIF and any other metadata, GPS included), scaled into a preview, and
//! summarised as a blurhash. Files land in `DATA_DIR/media/` through a
//! temporary file, fsync and rename; the record is written after them, so a
//! crash leaves at worst an orphan file, never a record without its file.
//!
//! Decoding is bounded twice: each image by its header before it is decoded
//! (`process.rs`), and all of them together by the node's [`DecodeBudget`].
//!
//! Files are named `ID-KEY.ext` (`ID-KEY_small.ext` for the preview), KEY
//! being 128 bits from the OS RNG kept in the record: see
//! [`Node::media_file`] for why the name is what guards them.

mod budget;
mod process;
#[cfg(test)]
mod test_images;
#[cfg(test)]
mod tests;

use crate::store::tables;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::{now_ms, Member, MemberStatus, Role, Visibility};
use crate::node::{Node, Viewer};

pub use budget::{DecodeBudget, TOTAL_BYTES as DECODE_BUDGET_BYTES};
pub use process::{inspect, Plan, MAX_DECODE_MEMORY, MAX_UPLOAD_BYTES};

/// Most attachments on one post.
pub const MAX_PER_POST: usize = 4;

/// A stored attachment.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Media {
    /// Id.
    pub id: Id,
    /// Who uploaded it.
    pub owner: Id,
    /// MIME type of the stored file.
    pub content_type: String,
    /// File extension of the stored files.
    pub extension: String,
    /// Original dimensions.
    pub width: u32,
    /// Original dimensions.
    pub height: u32,
    /// Preview dimensions.
    pub preview_width: u32,
    /// Preview dimensions.
    pub preview_height: u32,
    /// Bytes of the stored original.
    pub size: u64,
    /// Blurhash of the image.
    pub blurhash: String,
    /// Alt text.
    pub description: String,
    /// Focal point, -1..1 each.
    pub focus: (f32, f32),
    /// The post it is attached to.
    pub post_id: Option<Id>,
    /// Uploaded (ms).
    pub created_at: i64,
    /// 128 random bits (32 hex digits) in the file names, which nobody can
    /// guess or derive from an id. Empty in records written before there
    /// was one: their files are named by the id alone.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub file_key: String,
}

impl Media {
    /// What both file names start with: `ID-KEY`, or `ID` for old records.
    fn file_stem(&self) -> String {
        if self.file_key.is_empty() {
            self.id.to_string()
        } else {
            format!("{}-{}", self.id, self.file_key)
        }
    }

    /// File name of the original.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.file_stem(), self.extension)
    }

    /// File name of the preview.
    pub fn preview_file_name(&self) -> String {
        format!("{}_small.{}", self.file_stem(), self.extension)
    }
}

/// A media file as served.
#[derive(Debug)]
pub struct MediaFile {
    /// The file's bytes.
    pub bytes: Vec<u8>,
    /// Its MIME type.
    pub content_type: String,
    /// Whether shared caches may keep it (the media of a public or unlisted
    /// post, or an avatar); otherwise only the client's own cache.
    pub public: bool,
}

/// 128 bits from the OS RNG as 32 hex digits.
fn random_file_key() -> String {
    use rand::RngCore;
    let mut bytes = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Compares without stopping at the first difference, so that response
/// times say nothing about how much of a guessed name was right.
fn same_name(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

impl Node {
    fn media_dir(&self) -> PathBuf {
        self.config.data_dir.join("media")
    }

    /// Stores an uploaded image for the viewer.
    pub async fn upload_media(
        &self,
        viewer: &Viewer,
        bytes: Vec<u8>,
        description: Option<String>,
    ) -> NodeResult<Media> {
        let me = viewer.member()?.id;
        let description = description.unwrap_or_default();
        crate::validate::max_chars("description", &description, 1500)?;
        let id = self.ids.next();
        let file_key = random_file_key();
        let stem = format!("{id}-{file_key}");
        let dir = self.media_dir();
        let join = |e: tokio::task::JoinError| NodeError::Internal(e.to_string());
        // The header alone: is it an image we take, and how much memory
        // would processing it need?
        let (bytes, plan) = tokio::task::spawn_blocking(move || {
            let plan = process::inspect(&bytes);
            (bytes, plan)
        })
        .await
        .map_err(join)?;
        let plan = plan?;
        let reservation = self.media_budget.reserve(plan.memory).await?;
        let processed = tokio::task::spawn_blocking(move || {
            let _reservation = reservation;
            process::process(&bytes, &plan, &dir, &stem)
        })
        .await
        .map_err(join)??;
        let media = Media {
            id,
            owner: me,
            content_type: processed.content_type.to_string(),
            extension: processed.extension.to_string(),
            width: processed.width,
            height: processed.height,
            preview_width: processed.preview_width,
            preview_height: processed.preview_height,
            size: processed.size,
            blurhash: processed.blurhash,
            description,
            focus: (0.0, 0.0),
            post_id: None,
            created_at: now_ms(),
            file_key,
        };
        self.write(|txn| txn.store::<tables::Media>(id, &media))
            .await?;
        Ok(media)
    }

    /// One of the viewer's uploads.
    pub fn own_media(&self, viewer: &Viewer, id: Id) -> NodeResult<Media> {
        let me = viewer.member()?.id;
        match self.store.load::<tables::Media>(id)? {
            Some(m) if m.owner == me => Ok(m),
            _ => Err(NodeError::NotFound("media")),
        }
    }

    /// Changes an upload's alt text and focal point.
    pub async fn update_media(
        &self,
        viewer: &Viewer,
        id: Id,
        description: Option<String>,
        focus: Option<(f32, f32)>,
    ) -> NodeResult<Media> {
        let mut media = self.own_media(viewer, id)?;
        if let Some(d) = description {
            crate::validate::max_chars("description", &d, 1500)?;
            media.description = d;
        }
        if let Some((x, y)) = focus {
            if !(-1.0..=1.0).contains(&x) || !(-1.0..=1.0).contains(&y) {
                return Err(NodeError::invalid(
                    "focus",
                    "both values must be between -1 and 1",
                ));
            }
            media.focus = (x, y);
        }
        self.write(|txn| txn.store::<tables::Media>(id, &media))
            .await?;
        Ok(media)
    }

    /// The media of a post, in attachment order.
    pub(crate) fn post_media(&self, ids: &[Id]) -> NodeResult<Vec<Media>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(m) = self.store.load::<tables::Media>(*id)? {
                out.push(m);
            }
        }
        Ok(out)
    }

    /// Checks `media_ids` for a new post by `author`: at most four, their
    /// own, not yet attached.
    pub(crate) fn check_attachable(&self, author: Id, raw: &[String]) -> NodeResult<Vec<Id>> {
        if raw.len() > MAX_PER_POST {
            return Err(NodeError::invalid(
                "media_ids",
                format!("at most {MAX_PER_POST} attachments"),
            ));
        }
        let mut ids = Vec::with_capacity(raw.len());
        for r in raw {
            let id: Id = r
                .parse()
                .map_err(|_| NodeError::invalid("media_ids", format!("{r:?} is not a media id")))?;
            match self.store.load::<tables::Media>(id)? {
                Some(m) if m.owner == author && m.post_id.is_none() => ids.push(id),
                Some(m) if m.owner == author => {
                    return Err(NodeError::invalid(
                        "media_ids",
                        format!("{id} is already attached"),
                    ))
                }
                _ => {
                    return Err(NodeError::invalid(
                        "media_ids",
                        format!("{id}: no such media"),
                    ))
                }
            }
        }
        Ok(ids)
    }

    /// Stages attaching media to a post.
    pub(crate) fn attach_media(
        &self,
        txn: &mut crate::store::Txn<'_>,
        post: Id,
        ids: &[Id],
    ) -> NodeResult<()> {
        for id in ids {
            let key = *id;
            let mut media: Media = txn
                .load::<tables::Media>(key)?
                .ok_or(NodeError::NotFound("media"))?;
            if media.post_id.is_some() {
                return Err(NodeError::invalid(
                    "media_ids",
                    format!("{id} is already attached"),
                ));
            }
            media.post_id = Some(post);
            txn.store::<tables::Media>(key, &media)?;
        }
        Ok(())
    }

    /// Deletes the files of media whose records are gone (after the write
    /// that removed them; a failure only leaves an orphan file).
    pub(crate) fn remove_media_files(&self, media: &[Media]) {
        for m in media {
            for name in [m.file_name(), m.preview_file_name()] {
                if let Err(e) = std::fs::remove_file(self.media_dir().join(&name)) {
                    tracing::warn!(file = %name, error = %e, "could not remove a media file");
                }
            }
        }
    }

    /// A stored media file by name, if `viewer` may fetch it.
    ///
    /// Who may fetch what: images are loaded with plain GETs (an `<img>`
    /// tag, Mastodon apps, other servers fetching the attachment of a
    /// followers-only post delivered to them), which carry no credentials,
    /// so a check of the viewer cannot be the main defence. As in Mastodon,
    /// the URL is the capability: files are named `ID-KEY.ext`, and without
    /// the record's KEY (128 random bits) a name is a 404 for everyone. A
    /// visibility check on top would only stop those who send a token, so
    /// none is made; only `can_view`'s first rule still applies, and a
    /// suspended author's media is served to moderators alone. An upload not
    /// yet attached to a post is likewise served by its full name only.
    ///
    /// Records from before the key (`ID.ext`: guessable, ids being
    /// time-ordered) are served when the rule allows it without one: the
    /// post they are attached to passes [`Node::can_view`] for `viewer`
    /// (anonymous unless the request carries a token), or the file is its
    /// owner's current avatar. An old upload never attached is not served.
    pub fn media_file(&self, viewer: &Viewer, name: &str) -> NodeResult<MediaFile> {
        let not_found = || NodeError::NotFound("media");
        // Both forms start with the 26 characters of the id.
        let id: Id = name
            .get(..26)
            .and_then(|s| s.parse().ok())
            .ok_or_else(not_found)?;
        let media: Media = self
            .store
            .load::<tables::Media>(id)?
            .ok_or_else(not_found)?;
        if !same_name(name, &media.file_name()) && !same_name(name, &media.preview_file_name()) {
            return Err(not_found());
        }
        let public = self.media_access(viewer, &media)?.ok_or_else(not_found)?;
        let bytes = std::fs::read(self.media_dir().join(name)).map_err(|_| not_found())?;
        Ok(MediaFile {
            bytes,
            content_type: media.content_type,
            public,
        })
    }

    /// Whether `viewer` may fetch `media` by its name (see
    /// [`Node::media_file`]): `None` if not, else whether shared caches may
    /// keep it.
    fn media_access(&self, viewer: &Viewer, media: &Media) -> NodeResult<Option<bool>> {
        let keyed = !media.file_key.is_empty();
        let Some(post_id) = media.post_id else {
            let avatar = self.is_current_avatar(media)?;
            return Ok((keyed || avatar).then_some(avatar));
        };
        let Some(post) = self.store.load::<tables::Post>(post_id)? else {
            return Ok(None);
        };
        let Some(author) = self.member(post.author_id)? else {
            return Ok(None);
        };
        let public = matches!(post.visibility, Visibility::Public | Visibility::Unlisted);
        if keyed {
            let hidden =
                author.status == MemberStatus::Suspended && !viewer.has_role(Role::Moderator);
            return Ok((!hidden).then_some(public));
        }
        Ok(self.can_view(viewer, &post, &author)?.then_some(public))
    }

    /// Whether `media`'s preview is its owner's avatar now.
    fn is_current_avatar(&self, media: &Media) -> NodeResult<bool> {
        let owner: Option<Member> = self.member(media.owner)?;
        let suffix = format!("/media/{}", media.preview_file_name());
        Ok(owner.is_some_and(|m| {
            m.status != MemberStatus::Suspended && m.profile.avatar_url.ends_with(&suffix)
        }))
    }
}
