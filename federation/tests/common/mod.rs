//! The local member and post the federation tests start from.

use node::members::NewMember;
use node::model::{Member, PostView};
use node::posts::NewPost;
use node::{Node, Viewer};

/// Registers alice, the local member whose activities the tests read.
pub async fn register_alice(node: &Node) -> Member {
    node.register(NewMember {
        username: "alice".into(),
        email: "alice@kodeon.test".into(),
        password: "password123".into(),
        ..NewMember::default()
    })
    .await
    .expect("register")
}

/// Posts `content` (public) as `author`.
pub async fn post_as(node: &Node, author: &Member, content: &str) -> PostView {
    node.create_post(
        &Viewer::Member(Box::new(author.clone())),
        NewPost {
            content: content.into(),
            ..NewPost::default()
        },
    )
    .await
    .expect("post")
}
