//! Learners of other servers: a ticket their home node signed opens a
//! learner session here, once; the session's viewer studies as any
//! member (enrolling as one, `enrol_in_course`); and the tickets
//! refused, each for its own reason.

use identity::Ed25519Keypair;
use protocol::sign_in_ticket::{SignedTicket, TicketClaims};

use super::tests::course_with_lessons;
use crate::model::{now_ms, Member};
use crate::node::{Node, Viewer};
use crate::remote::RemoteActor;
use crate::test_support::{fixture, member};
use crate::NodeError;

const ANA: &str = "https://home.test/users/ana";
/// The fixture node's origin (`k.test`, not in dev mode).
const HERE: &str = "https://k.test";

fn ana_key() -> Ed25519Keypair {
    Ed25519Keypair::from_secret_bytes(&[7u8; 32])
}

/// ana of home.test, whose actor published (and proved) `ana_key`.
async fn ana(node: &Node) -> Member {
    node.upsert_remote_actor(RemoteActor {
        ed25519: Some(ana_key().public()),
        ed25519_proven: true,
        confirmed_handle: Some("ana@home.test".into()),
        ..RemoteActor::person(ANA, "ana")
    })
    .await
    .expect("actor")
}

fn nonce(n: u8) -> [u8; 16] {
    [n; 16]
}

/// A ticket for `aud`, issued `age` seconds ago, signed by `key`.
fn ticket(actor: &str, aud: &str, age: i64, n: u8, key: &Ed25519Keypair) -> SignedTicket {
    let now = now_ms() / 1000;
    let claims = TicketClaims::new(actor, aud, now - age, 120, nonce(n));
    SignedTicket::parse(&claims.sign(key).expect("sign")).expect("parse")
}

fn unauthorized(e: NodeError) -> &'static str {
    match e {
        NodeError::Unauthorized(why) => why,
        other => panic!("expected 401, got {other:?}"),
    }
}

#[tokio::test]
async fn a_ticket_opens_one_learner_session_whose_viewer_studies_the_course() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let ana = ana(&f.node).await;
    let (course, lessons) = course_with_lessons(&f.node, &alice, "Rust", 1, 2).await;

    let t = ticket(ANA, HERE, 0, 1, &ana_key());
    let signed_in = f
        .node
        .open_learner_session(&t, &ana)
        .await
        .expect("session");
    assert_eq!(signed_in.member.id, ana.id);
    let (viewer, session) = f
        .node
        .authenticate_learner(&signed_in.token)
        .expect("learner");
    assert_eq!(viewer.id(), Some(ana.id));
    assert_eq!(session.member, ana.id);
    assert!(session.expires_at > now_ms() + 23 * 3_600_000);

    // The same ticket again: refused, whatever the session's fate.
    let again = f
        .node
        .open_learner_session(&t, &ana)
        .await
        .expect_err("replay");
    assert!(unauthorized(again).contains("replayed"));

    // Not enrolled yet: the lesson is closed to them, as to any member.
    assert!(matches!(
        f.node.mark_lesson_done(&viewer, lessons[0][0]).await,
        Err(NodeError::Forbidden(_))
    ));
    let enrolled = f
        .node
        .enrol_in_course(&viewer, course)
        .await
        .expect("enrol");
    assert!(enrolled.changed);
    let p = f
        .node
        .mark_lesson_done(&viewer, lessons[0][0])
        .await
        .expect("done");
    assert_eq!((p.lessons_done, p.percent), (1, 50));
    assert_eq!(
        f.node
            .course_progress(&viewer, course)
            .expect("progress")
            .percent,
        50
    );

    assert!(f
        .node
        .end_learner_session(&signed_in.token)
        .await
        .expect("end"));
    assert!(f.node.authenticate_learner(&signed_in.token).is_err());
    assert!(!f
        .node
        .end_learner_session(&signed_in.token)
        .await
        .expect("end twice"));
}

#[tokio::test]
async fn tickets_are_refused_for_what_is_wrong_with_them() {
    let f = fixture();
    let ana = ana(&f.node).await;
    let key = ana_key();

    let wrong_aud = ticket(ANA, "https://elsewhere.test", 0, 1, &key);
    assert!(matches!(
        f.node.open_learner_session(&wrong_aud, &ana).await,
        Err(NodeError::Invalid { field, message }) if field == "ticket" && message.contains("audience")
    ));
    let expired = ticket(ANA, HERE, 120 + 31, 2, &key);
    let why = unauthorized(
        f.node
            .open_learner_session(&expired, &ana)
            .await
            .expect_err("expired"),
    );
    assert!(why.contains("expired"), "{why}");
    // Within the allowed skew it is still good.
    let late = ticket(ANA, HERE, 120 + 20, 3, &key);
    f.node
        .open_learner_session(&late, &ana)
        .await
        .expect("within the skew");
    let forged = ticket(ANA, HERE, 0, 4, &Ed25519Keypair::generate());
    let why = unauthorized(
        f.node
            .open_learner_session(&forged, &ana)
            .await
            .expect_err("forged"),
    );
    assert!(why.contains("bad signature"), "{why}");
    // A ticket naming another actor than the account resolved for it.
    let other = ticket("https://home.test/users/bo", HERE, 0, 5, &key);
    let why = unauthorized(
        f.node
            .open_learner_session(&other, &ana)
            .await
            .expect_err("other"),
    );
    assert!(why.contains("unknown actor"), "{why}");

    // A member of this node: never a learner session.
    let alice = member(&f.node, "alice").await;
    let Viewer::Member(alice) = alice else {
        panic!("a member")
    };
    let local = ticket(&f.node.urls().actor("alice"), HERE, 0, 6, &key);
    let why = unauthorized(
        f.node
            .open_learner_session(&local, &alice)
            .await
            .expect_err("local"),
    );
    assert!(why.contains("member of this server"), "{why}");
    // Nothing refused was recorded: the refused nonces are still unused.
    let fresh = ticket(ANA, HERE, 0, 4, &key);
    f.node
        .open_learner_session(&fresh, &ana)
        .await
        .expect("nonce 4 was not burnt by the forgery");
}

#[tokio::test]
async fn a_member_mints_a_ticket_signed_with_their_own_key() {
    let f = fixture();
    let alice = member(&f.node, "alice").await;
    let minted = f
        .node
        .mint_sign_in_ticket(&alice, "https://Host.test:8443/", "/lessons/1")
        .expect("ticket");
    assert_eq!(minted.audience, "https://host.test:8443");
    assert!(minted
        .sign_in_url
        .starts_with("https://host.test:8443/auth/kodeon?ticket="));
    assert!(minted.sign_in_url.ends_with("&next=%2Flessons%2F1"));
    let parsed = SignedTicket::parse(&minted.ticket).expect("parse");
    assert_eq!(parsed.claims.actor, f.node.urls().actor("alice"));
    let (public, _) = f.node.public_keys("alice").expect("keys");
    assert_eq!(parsed.verify(&public), Ok(()));
    assert!(parsed.claims.exp - parsed.claims.iat <= 300);
    assert_eq!(minted.expires_at, parsed.claims.exp * 1000);

    for bad in [
        "host.test",
        "https://host.test/courses",
        "ftp://host.test",
        HERE,
    ] {
        assert!(
            matches!(
                f.node.mint_sign_in_ticket(&alice, bad, "/courses"),
                Err(NodeError::Invalid { ref field, .. }) if field == "audience"
            ),
            "{bad}"
        );
    }
    assert!(matches!(
        f.node
            .mint_sign_in_ticket(&Viewer::Anonymous, "https://host.test", "/"),
        Err(NodeError::Unauthorized(_))
    ));
}
