//! Who may fetch a media file, by name and by viewer.

use std::io::Cursor;

use super::Media;
use crate::model::{Member, MemberStatus, ProfileUpdate, Visibility};
use crate::posts::NewPost;
use crate::store::tables;
use crate::test_support::{alice_bob_carol, fixture, member};
use crate::{Node, NodeError, Viewer};

fn png() -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    image::DynamicImage::new_rgb8(8, 8)
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("png");
    out.into_inner()
}

async fn post_with(node: &Node, author: &Viewer, media: &Media, visibility: Visibility) {
    let v = serde_json::to_value(visibility).expect("enum");
    node.create_post(
        author,
        NewPost {
            content: "look".into(),
            visibility: v.as_str().map(str::to_string),
            media_ids: vec![media.id.to_string()],
            ..NewPost::default()
        },
    )
    .await
    .expect("post");
}

/// Turns a record into one written before file keys: files named by id.
async fn make_legacy(node: &Node, media: &Media) -> Media {
    let dir = node.media_dir();
    let mut old: Media = node
        .store
        .load::<tables::Media>(media.id)
        .expect("get")
        .expect("record");
    let (new_names, key) = (
        [old.file_name(), old.preview_file_name()],
        std::mem::take(&mut old.file_key),
    );
    assert_eq!(key.len(), 32);
    for (from, to) in new_names
        .iter()
        .zip([old.file_name(), old.preview_file_name()])
    {
        std::fs::rename(dir.join(from), dir.join(to)).expect("rename");
    }
    let record = old.clone();
    node.write(|txn| txn.store::<tables::Media>(record.id, &record))
        .await
        .expect("write");
    old
}

fn served(node: &Node, viewer: &Viewer, name: &str) -> Option<bool> {
    match node.media_file(viewer, name) {
        Ok(file) => {
            assert!(!file.bytes.is_empty());
            Some(file.public)
        }
        Err(NodeError::NotFound(_)) => None,
        Err(e) => panic!("{e}"),
    }
}

#[tokio::test]
async fn new_uploads_are_named_by_128_random_bits() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let a = f.node.upload_media(&alice, png(), None).await.expect("a");
    let b = f.node.upload_media(&alice, png(), None).await.expect("b");
    for m in [&a, &b] {
        assert_eq!(m.file_key.len(), 32);
        assert!(m.file_key.bytes().all(|c| c.is_ascii_hexdigit()));
        assert_eq!(m.file_name(), format!("{}-{}.png", m.id, m.file_key));
        assert_eq!(
            m.preview_file_name(),
            format!("{}-{}_small.png", m.id, m.file_key)
        );
    }
    assert_ne!(a.file_key, b.file_key);
    // By its full name, anyone; by anything less, nobody.
    let anonymous = Viewer::Anonymous;
    assert_eq!(served(&f.node, &anonymous, &a.file_name()), Some(false));
    assert_eq!(served(&f.node, &alice, &a.preview_file_name()), Some(false));
    let mut wrong = a.file_name().into_bytes();
    wrong[30] = if wrong[30] == b'0' { b'1' } else { b'0' };
    let wrong = String::from_utf8(wrong).expect("ascii");
    for name in [
        format!("{}.png", a.id),
        format!("{}_small.png", a.id),
        format!("{}-.png", a.id),
        wrong,
        a.file_name().replace(".png", ".jpg"),
        "../../etc/passwd".to_string(),
        "é".repeat(20),
    ] {
        assert_eq!(served(&f.node, &alice, &name), None, "{name}");
    }
}

#[tokio::test]
async fn followers_only_media_by_key_and_old_records_by_visibility() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    f.node.follow(&bob, "alice").await.expect("follow");
    let private = f.node.upload_media(&alice, png(), None).await.expect("up");
    post_with(&f.node, &alice, &private, Visibility::Followers).await;
    let public = f.node.upload_media(&alice, png(), None).await.expect("up");
    post_with(&f.node, &alice, &public, Visibility::Public).await;
    let anonymous = Viewer::Anonymous;
    // With the key: whoever holds the URL (apps send no credentials);
    // shared caches keep only the public post's.
    assert_eq!(
        served(&f.node, &anonymous, &private.file_name()),
        Some(false)
    );
    assert_eq!(served(&f.node, &carol, &private.file_name()), Some(false));
    assert_eq!(served(&f.node, &anonymous, &public.file_name()), Some(true));
    assert_eq!(
        served(&f.node, &anonymous, &format!("{}.png", private.id)),
        None
    );

    // Old records, named by id: only those who may see the post.
    let private = make_legacy(&f.node, &private).await;
    let public = make_legacy(&f.node, &public).await;
    assert_eq!(private.file_name(), format!("{}.png", private.id));
    assert_eq!(served(&f.node, &anonymous, &private.file_name()), None);
    assert_eq!(served(&f.node, &carol, &private.preview_file_name()), None);
    assert_eq!(served(&f.node, &bob, &private.file_name()), Some(false));
    assert_eq!(
        served(&f.node, &alice, &private.preview_file_name()),
        Some(false)
    );
    assert_eq!(served(&f.node, &anonymous, &public.file_name()), Some(true));

    // An old upload never attached: nobody, unless it is the avatar.
    let loose = f.node.upload_media(&alice, png(), None).await.expect("up");
    let loose = make_legacy(&f.node, &loose).await;
    assert_eq!(served(&f.node, &alice, &loose.file_name()), None);
    let url = format!("https://k.test/media/{}", loose.preview_file_name());
    f.node
        .update_profile(
            &alice,
            ProfileUpdate {
                avatar_url: Some(url),
                ..ProfileUpdate::default()
            },
        )
        .await
        .expect("avatar");
    assert_eq!(
        served(&f.node, &anonymous, &loose.preview_file_name()),
        Some(true)
    );
}

#[tokio::test]
async fn a_suspended_authors_media_is_not_served() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let m = f.node.upload_media(&alice, png(), None).await.expect("up");
    post_with(&f.node, &alice, &m, Visibility::Public).await;
    assert_eq!(
        served(&f.node, &Viewer::Anonymous, &m.file_name()),
        Some(true)
    );
    let id = alice.id().expect("id");
    f.node
        .write(|txn| {
            let key = id;
            let mut me: Member = txn
                .load::<tables::Member>(key)?
                .ok_or(NodeError::NotFound("member"))?;
            me.status = MemberStatus::Suspended;
            txn.store::<tables::Member>(key, &me)
        })
        .await
        .expect("suspend");
    assert_eq!(served(&f.node, &Viewer::Anonymous, &m.file_name()), None);
}
