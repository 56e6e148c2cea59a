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

pub(crate) use search::words;
mod thread;
mod view;

pub use boost::Boost;
pub use create::NewPost;
pub use edit::PostEdit;

impl crate::node::Node {
    /// `source` (Markdown) as the HTML posts are rendered to, mentions of
    /// members this node knows linked (422 naming `field` when it is too
    /// heavy to render).
    pub(crate) fn markdown_html(&self, field: &str, source: &str) -> crate::NodeResult<String> {
        let rendered = render::render(source, self.urls(), |name| {
            matches!(self.member_by_name(name), Ok(Some(_)))
        })
        .map_err(|e| crate::NodeError::invalid(field, e.to_string()))?;
        Ok(rendered.html)
    }
}
