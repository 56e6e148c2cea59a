//! Media attachments: uploaded images, checked, re-encoded and stored.
//!
//! An upload is sniffed (the declared type is not trusted), size- and
//! dimension-checked, decoded and re-encoded from pixels only (which drops
//! EXIF and any other metadata, GPS included), scaled into a preview, and
//! summarised as a blurhash. Files land in `DATA_DIR/media/` through a
//! temporary file, fsync and rename; the record is written after them, so a
//! crash leaves at worst an orphan file, never a record without its file.

mod process;

use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::error::{NodeError, NodeResult};
use crate::id::Id;
use crate::model::now_ms;
use crate::node::{Node, Viewer};
use crate::store::{Key, Space};

pub use process::MAX_UPLOAD_BYTES;

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
}

impl Media {
    /// File name of the original.
    pub fn file_name(&self) -> String {
        format!("{}.{}", self.id, self.extension)
    }

    /// File name of the preview.
    pub fn preview_file_name(&self) -> String {
        format!("{}_small.{}", self.id, self.extension)
    }
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
        let dir = self.media_dir();
        let processed = tokio::task::spawn_blocking(move || process::process(&bytes, &dir, id))
            .await
            .map_err(|e| NodeError::Internal(e.to_string()))??;
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
        };
        self.write(|txn| txn.put(Key::new(Space::Media).id(id), &media))
            .await?;
        Ok(media)
    }

    /// One of the viewer's uploads.
    pub fn own_media(&self, viewer: &Viewer, id: Id) -> NodeResult<Media> {
        let me = viewer.member()?.id;
        match self.store.get::<Media>(&Key::new(Space::Media).id(id))? {
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
        self.write(|txn| txn.put(Key::new(Space::Media).id(id), &media))
            .await?;
        Ok(media)
    }

    /// The media of a post, in attachment order.
    pub(crate) fn post_media(&self, ids: &[Id]) -> NodeResult<Vec<Media>> {
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            if let Some(m) = self.store.get::<Media>(&Key::new(Space::Media).id(*id))? {
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
            match self.store.get::<Media>(&Key::new(Space::Media).id(id))? {
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
            let key = Key::new(Space::Media).id(*id);
            let mut media: Media = txn.get(&key)?.ok_or(NodeError::NotFound("media"))?;
            if media.post_id.is_some() {
                return Err(NodeError::invalid(
                    "media_ids",
                    format!("{id} is already attached"),
                ));
            }
            media.post_id = Some(post);
            txn.put(key, &media)?;
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

    /// A stored media file by name (`ID.ext` or `ID_small.ext`), with its type.
    pub fn media_file(&self, name: &str) -> NodeResult<(Vec<u8>, String)> {
        let stem = name.split('.').next().unwrap_or("");
        let id: Id = stem
            .trim_end_matches("_small")
            .parse()
            .map_err(|_| NodeError::NotFound("media"))?;
        let media: Media = self
            .store
            .get(&Key::new(Space::Media).id(id))?
            .ok_or(NodeError::NotFound("media"))?;
        if name != media.file_name() && name != media.preview_file_name() {
            return Err(NodeError::NotFound("media"));
        }
        let bytes =
            std::fs::read(self.media_dir().join(name)).map_err(|_| NodeError::NotFound("media"))?;
        Ok((bytes, media.content_type))
    }
}
