//! Bulk seeding for the ranking benchmark only (cargo feature
//! `bench-seed`): follows, likes, posts with tags and links, and
//! profiles, written in large batches with the indexes and counters the
//! real paths write. Never enable this feature in a node that serves
//! anyone.

use crate::error::NodeResult;
use crate::id::Id;
use crate::model::{now_ms, Post};
use crate::node::Node;
use crate::store::tables;

/// Rows per write.
const PER_WRITE: usize = 5_000;

/// A post to seed: author, creation time (ms), tags, HTML.
pub type SeedPost = (Id, i64, Vec<String>, String);

impl Node {
    /// Writes the follows `(follower, followee)`: both indexes and both
    /// counters (a follow of a group is a membership).
    pub async fn bench_seed_follows(&self, edges: &[(Id, Id)]) -> NodeResult<()> {
        for chunk in edges.chunks(PER_WRITE) {
            let now = now_ms();
            self.write(|txn| {
                for (a, b) in chunk {
                    if txn.has::<tables::Following>((*a, *b))? {
                        continue;
                    }
                    txn.store::<tables::Following>((*a, *b), &now)?;
                    txn.store::<tables::Followers>((*b, *a), &now)?;
                    txn.add::<tables::FollowingCount>(*a, 1)?;
                    txn.add::<tables::FollowerCount>(*b, 1)?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// Writes the likes `(member, post)`: the like, the member's list and
    /// the post's counter.
    pub async fn bench_seed_likes(&self, likes: &[(Id, Id)]) -> NodeResult<()> {
        for chunk in likes.chunks(PER_WRITE) {
            self.write(|txn| {
                for (member, post) in chunk {
                    if txn.has::<tables::Likes>((*post, *member))? {
                        continue;
                    }
                    let like = self.ids.next();
                    txn.store::<tables::Likes>((*post, *member), &like)?;
                    txn.store::<tables::MemberLikes>((*member, like), post)?;
                    txn.add::<tables::LikeCount>(*post, 1)?;
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }

    /// Writes public top-level posts as given (listed: local timeline,
    /// tags, words); returns their ids in order.
    pub async fn bench_seed_shared_posts(&self, posts: Vec<SeedPost>) -> NodeResult<Vec<Id>> {
        let mut ids = Vec::with_capacity(posts.len());
        for chunk in posts.chunks(1_000) {
            let batch: Vec<Post> = chunk
                .iter()
                .map(|(author, created, tags, html)| Post {
                    html: html.clone(),
                    source: html.clone(),
                    tags: tags.clone(),
                    ..Post::top_level(self.ids.next(), *author, *created)
                })
                .collect();
            self.write(|txn| {
                for p in &batch {
                    self.insert_post_with(txn, p, true)?;
                }
                Ok(())
            })
            .await?;
            ids.extend(batch.iter().map(|p| p.id));
        }
        Ok(ids)
    }

    /// Sets members' skill areas and location.
    pub async fn bench_seed_profiles(
        &self,
        profiles: &[(Id, Vec<String>, String)],
    ) -> NodeResult<()> {
        for chunk in profiles.chunks(PER_WRITE) {
            self.write(|txn| {
                for (id, areas, place) in chunk {
                    if let Some(mut m) = txn.load::<tables::Member>(*id)? {
                        m.profile.skills.areas = areas.clone();
                        m.profile.bio.location = place.clone();
                        txn.store::<tables::Member>(*id, &m)?;
                    }
                }
                Ok(())
            })
            .await?;
        }
        Ok(())
    }
}
