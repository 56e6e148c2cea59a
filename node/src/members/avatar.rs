//! A member's avatar from an uploaded image.

use crate::error::{NodeError, NodeResult};
use crate::media::Media;
use crate::model::{MemberView, ProfileUpdate};
use crate::node::{Node, Viewer};

impl Node {
    /// Makes an uploaded image the viewer's avatar: checked, re-encoded
    /// without metadata and stored as any upload ([`Node::upload_media`],
    /// within the node's decoding memory budget), then its preview set as
    /// the avatar through [`Node::update_profile`] (which tells other
    /// servers). Errors about the image name the field `avatar`.
    pub async fn set_avatar(&self, viewer: &Viewer, bytes: Vec<u8>) -> NodeResult<MemberView> {
        let media = self
            .upload_media(viewer, bytes, None)
            .await
            .map_err(|e| match e {
                NodeError::Invalid { message, .. } => NodeError::invalid("avatar", message),
                NodeError::TooLarge { message, .. } => NodeError::too_large("avatar", message),
                other => other,
            })?;
        let update = ProfileUpdate {
            avatar_url: Some(self.avatar_url(&media)),
            ..ProfileUpdate::default()
        };
        self.update_profile(viewer, update).await
    }

    /// The avatar URL an uploaded image gives: its preview's.
    pub fn avatar_url(&self, media: &Media) -> String {
        self.urls().media(&media.preview_file_name())
    }
}
