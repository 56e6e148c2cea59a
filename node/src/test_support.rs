//! Fixtures shared by the node's unit tests: a node in a temporary
//! directory, members and posts.

use std::sync::Arc;

use crate::members::NewMember;
use crate::model::{PostView, Visibility};
use crate::posts::NewPost;
use crate::{Id, Node, NodeConfig, NodeResult, Page, PageRequest, Viewer};

/// A node at `k.test` in a temporary directory (removed when dropped).
pub(crate) struct Fixture {
    pub(crate) node: Arc<Node>,
    _dir: tempfile::TempDir,
}

/// A fresh node.
pub(crate) fn fixture() -> Fixture {
    let (node, dir) = temp_node();
    Fixture { node, _dir: dir }
}

/// A fresh node and the directory it lives in.
pub(crate) fn temp_node() -> (Arc<Node>, tempfile::TempDir) {
    let dir = tempfile::tempdir().expect("tempdir");
    let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open");
    (Arc::new(node), dir)
}

/// A sign-up for `name` (`name@k.test`, the test password).
pub(crate) fn new_member(name: &str) -> NewMember {
    NewMember {
        username: name.into(),
        email: format!("{name}@k.test"),
        password: "password123".into(),
        ..NewMember::default()
    }
}

/// Registers `name`; the member as a viewer.
pub(crate) async fn member(node: &Node, name: &str) -> Viewer {
    let m = node.register(new_member(name)).await.expect("register");
    Viewer::Member(Box::new(m))
}

/// Registers alice, bob and carol.
pub(crate) async fn alice_bob_carol(node: &Node) -> (Viewer, Viewer, Viewer) {
    (
        member(node, "alice").await,
        member(node, "bob").await,
        member(node, "carol").await,
    )
}

/// A new post of `content` with `visibility`.
pub(crate) fn post(content: &str, visibility: Visibility) -> NewPost {
    let v = serde_json::to_value(visibility).expect("enum");
    NewPost {
        content: content.into(),
        visibility: v.as_str().map(str::to_string),
        ..NewPost::default()
    }
}

/// Publishes `content` as `author`, seen by `visibility`.
pub(crate) async fn publish(
    node: &Node,
    author: &Viewer,
    content: &str,
    visibility: Visibility,
) -> PostView {
    node.create_post(author, post(content, visibility))
        .await
        .expect("post")
}

/// The ids of the first page of `viewer`'s home feed.
pub(crate) fn home_ids(node: &Node, viewer: &Viewer, req: &PageRequest) -> Vec<Id> {
    let page = node.home_feed(viewer, req).expect("home");
    page.items.iter().map(|p| p.id).collect()
}

/// The ids of every post of a feed, newest first, read `limit` a page
/// by following `next_max_id`.
pub(crate) fn walk_feed(
    limit: usize,
    mut feed: impl FnMut(&PageRequest) -> NodeResult<Page<PostView>>,
) -> Vec<Id> {
    let mut seen = Vec::new();
    let mut req = PageRequest::first(limit);
    loop {
        let page = feed(&req).expect("page");
        seen.extend(page.items.iter().map(|p| p.id));
        match page.next_max_id {
            Some(next) => {
                req = PageRequest {
                    max_id: Some(next),
                    ..PageRequest::first(limit)
                }
            }
            None => return seen,
        }
    }
}

#[path = "../../protocol/tests/support/mod.rs"]
mod shared;
pub(crate) use shared::proptest_config;
