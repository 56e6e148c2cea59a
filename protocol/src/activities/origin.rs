//! Who may speak for an id: an id belongs to the server it is on, so an
//! actor may only send activities, and create, change or delete objects,
//! on its own server (no spoofing another server's posts).

use crate::urls::authority_of;

/// Why an activity may not do what it says.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OriginError {
    /// An id on another server than the actor's (or not an http(s) URL).
    #[error("{id} does not belong to {actor}")]
    Foreign {
        /// The id.
        id: String,
        /// The actor.
        actor: String,
    },
    /// An object said to be written by someone else than the sender.
    #[error("attributedTo is not the sending actor")]
    NotTheAuthor,
    /// An `Undo` of another actor's activity.
    #[error("undoing another actor's activity")]
    NotTheActor,
}

/// Checks that `id` is on the same server (authority) as `actor`.
pub fn check_same_origin(id: &str, actor: &str) -> Result<(), OriginError> {
    let host = authority_of(id);
    if host.is_none() || host != authority_of(actor) {
        return Err(OriginError::Foreign {
            id: id.to_string(),
            actor: actor.to_string(),
        });
    }
    Ok(())
}
