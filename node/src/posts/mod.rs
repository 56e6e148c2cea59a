//! Posts and comments (comments are posts that reply to another post).

mod access;
mod boost;
mod create;
mod delete;
mod dislike;
mod edit;
mod like;
pub(crate) mod render;
pub use render::escape as escape_html;
mod search;
mod thread;
mod view;

pub use boost::Boost;
pub use create::NewPost;
pub use edit::PostEdit;
