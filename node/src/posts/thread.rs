//! Threads: a post with its ancestors and its tree of replies.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{Thread, ThreadEntry};
use crate::node::{Node, Viewer};
use crate::store::tables;

/// Most ancestors walked up.
const MAX_ANCESTORS: usize = 100;
/// Most descendants returned (a bound on the cost of one request).
const MAX_DESCENDANTS: usize = 500;

impl Node {
    /// The post `id` with its visible ancestors (root first) and visible
    /// descendants (depth-first). A reply the viewer cannot see hides its
    /// whole subtree.
    pub fn thread(&self, viewer: &Viewer, id: Id) -> NodeResult<Thread> {
        let (post, author) = self.visible_post(viewer, id)?;
        let mut ancestors = Vec::new();
        let mut parent = post.in_reply_to;
        while let Some(pid) = parent {
            if ancestors.len() >= MAX_ANCESTORS {
                break;
            }
            match self.visible_post(viewer, pid) {
                Ok((p, a)) => {
                    parent = p.in_reply_to;
                    ancestors.push(self.post_view(viewer, &p, &a)?);
                }
                Err(_) => break,
            }
        }
        ancestors.reverse();

        let mut descendants = Vec::new();
        // Depth-first with an explicit stack; children pushed newest first
        // so that they pop oldest first (conversation order).
        let mut stack: Vec<(Id, u32)> = self
            .child_ids(id)?
            .into_iter()
            .rev()
            .map(|c| (c, 1))
            .collect();
        while let Some((child, depth)) = stack.pop() {
            if descendants.len() >= MAX_DESCENDANTS {
                break;
            }
            let Ok((p, a)) = self.visible_post(viewer, child) else {
                continue;
            };
            descendants.push(ThreadEntry {
                depth,
                post: self.post_view(viewer, &p, &a)?,
            });
            stack.extend(
                self.child_ids(child)?
                    .into_iter()
                    .rev()
                    .map(|c| (c, depth + 1)),
            );
        }
        Ok(Thread {
            ancestors,
            post: self.post_view(viewer, &post, &author)?,
            descendants,
        })
    }

    /// The direct replies to a post that the viewer may see, paged by id
    /// (oldest first with `min_id`, as federation pages them).
    pub fn replies(
        &self,
        viewer: &Viewer,
        id: Id,
        req: &crate::feeds::PageRequest,
    ) -> NodeResult<crate::feeds::Page<crate::model::PostView>> {
        self.visible_post(viewer, id)?;
        let mut authors = crate::feeds::Authors::new(self);
        crate::feeds::scan::<tables::Replies, _, _>(&self.store, id, req, |reply, _| {
            self.feed_item(viewer, &mut authors, reply, &|_, _| Ok(true))
        })
    }

    /// Direct replies to a post, oldest first.
    fn child_ids(&self, parent: Id) -> NodeResult<Vec<Id>> {
        let mut out = Vec::new();
        for key in self.store.scan::<tables::Replies>((parent,), false).keys() {
            out.push(key?.1);
        }
        Ok(out)
    }
}
