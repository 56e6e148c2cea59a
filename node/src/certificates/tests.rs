//! Certificates issued on completion, checked, listed and revoked.

use super::STATUS_RECHECK_MS;
use crate::courses::NewCourse;
use crate::id::Id;
use crate::model::Role;
use crate::node::{Node, Viewer};
use crate::test_support::{alice_bob_carol, fixture, new_member};
use crate::NodeError;
use protocol::credentials::contexts::Bundled;
use protocol::credentials::verify::{verify_credential, Timestamp};

/// A published one-lesson course by `by`, granting a certificate or not;
/// its id and its lesson.
async fn course(node: &Node, by: &Viewer, certificate: bool) -> (Id, Id) {
    let id = node
        .create_course(
            by,
            NewCourse {
                title: "Soil science".into(),
                description: Some("What grows, and why.".into()),
                status: Some("published".into()),
                certificate,
                category: Some("gardening".into()),
                tags: vec!["soil".into()],
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    let module = node.add_module(by, id, "Basics").await.expect("module");
    let lesson = node
        .add_lesson(
            by,
            module.id,
            crate::courses::LessonInput {
                title: "Loam".into(),
                body: "Sand, silt and clay.".into(),
                minutes: 5,
            },
        )
        .await
        .expect("lesson");
    (id, lesson.id)
}

async fn complete(node: &Node, who: &Viewer, course: Id, lesson: Id) {
    node.enrol_in_course(who, course).await.expect("enrol");
    node.mark_lesson_done(who, lesson).await.expect("done");
}

#[tokio::test]
async fn completing_a_course_issues_a_signed_open_badge_that_verifies() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (id, lesson) = course(&f.node, &alice, true).await;
    complete(&f.node, &bob, id, lesson).await;

    let mine = f.node.my_certificates(&bob).expect("mine");
    assert_eq!(mine.len(), 1);
    let cert = &mine[0];
    assert_eq!(cert.course, id);
    assert_eq!(cert.title(), "Soil science");
    let c = &cert.credential;
    assert_eq!(c["issuer"]["id"], f.node.node_did());
    assert_eq!(
        c["credentialSubject"]["id"],
        bob.member().expect("bob").did()
    );
    assert_eq!(
        c["credentialSubject"]["achievement"]["id"],
        f.node.urls().course_page(id)
    );
    assert_eq!(c["id"], f.node.urls().certificate_page(cert.id));
    let report = verify_credential(c, Timestamp::now(), &Bundled);
    assert!(report.valid(), "{:?}", report.checks);

    let (_, check) = f.node.check_certificate(cert.id).expect("check");
    assert!(check.valid(), "{check:?}");
    assert!(f.node.my_certificates(&alice).expect("alice's").is_empty());
}

#[tokio::test]
async fn a_course_without_certificate_issues_none() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (id, lesson) = course(&f.node, &alice, false).await;
    complete(&f.node, &bob, id, lesson).await;
    assert!(f
        .node
        .completion(id, bob.id().expect("bob"))
        .expect("read")
        .is_some());
    assert!(f.node.my_certificates(&bob).expect("mine").is_empty());
    // No certificate, so no status list either.
    assert!(matches!(
        f.node.certificate_status_list(0),
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn instructors_and_admins_revoke_and_the_status_list_says_so() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    let (id, lesson) = course(&f.node, &alice, true).await;
    complete(&f.node, &bob, id, lesson).await;
    complete(&f.node, &carol, id, lesson).await;
    let bobs = f.node.my_certificates(&bob).expect("bob's")[0].clone();
    let carols = f.node.my_certificates(&carol).expect("carol's")[0].clone();
    assert_ne!(bobs.status_index, carols.status_index);

    // Neither the holder nor another member may revoke.
    for who in [&bob, &carol] {
        assert!(matches!(
            f.node.revoke_certificate(who, bobs.id).await,
            Err(NodeError::Forbidden(_))
        ));
    }
    let revoked = f
        .node
        .revoke_certificate(&alice, bobs.id)
        .await
        .expect("instructor revokes");
    assert!(revoked.revoked_at.is_some());
    let (_, check) = f.node.check_certificate(bobs.id).expect("check");
    assert_eq!(check.status, Ok(true));
    assert!(check.report.valid(), "the signature still holds");
    assert!(!check.valid());
    // Carol's, on the same list, is untouched.
    let (_, check) = f.node.check_certificate(carols.id).expect("check");
    assert!(check.valid());

    // An admin may revoke too.
    let root = f
        .node
        .create_member(new_member("root"), Role::Admin)
        .await
        .expect("admin");
    let root = Viewer::Member(Box::new(root));
    f.node
        .revoke_certificate(&root, carols.id)
        .await
        .expect("admin revokes");
    let (_, check) = f.node.check_certificate(carols.id).expect("check");
    assert_eq!(check.status, Ok(true));
}

#[tokio::test]
async fn a_certificate_from_another_node_answers_a_remote_prerequisite() {
    let f = fixture();
    let (alice, bob, carol) = alice_bob_carol(&f.node).await;
    // A credential another server issued to bob's did:key.
    let issuer = identity::Ed25519Keypair::generate();
    let url = "https://other.example/courses/7";
    let input = |subject: String| protocol::credentials::open_badge::CertificateInput {
        id: "https://other.example/certificates/1".into(),
        issuer: protocol::credentials::open_badge::IssuerProfile {
            did: issuer.public().to_did_key(),
            name: "Other".into(),
            url: "https://other.example/".into(),
        },
        subject_did: subject,
        subject_name: String::new(),
        achievement: protocol::credentials::open_badge::CourseAchievement {
            id: url.into(),
            name: "Basics elsewhere".into(),
            description: String::new(),
            criteria: "Done.".into(),
            level: "beginner".into(),
            category: String::new(),
            tags: vec![],
        },
        valid_from: "2025-01-01T00:00:00Z".into(),
        status: None,
    };
    let signed = |subject: String| {
        let mut c = protocol::credentials::open_badge::build(&input(subject));
        protocol::credentials::sign::<NodeError>(
            &mut c,
            &issuer.public().to_did_key(),
            "2025-01-01T00:00:00Z",
            false,
            |m| Ok(issuer.sign(m)),
        )
        .expect("sign");
        c
    };
    let advanced = f
        .node
        .create_course(
            &alice,
            NewCourse {
                title: "Advanced".into(),
                status: Some("published".into()),
                prerequisites: vec![url.into()],
                ..NewCourse::default()
            },
        )
        .await
        .expect("course")
        .course
        .id;
    assert!(matches!(
        f.node.enrol_in_course(&bob, advanced).await,
        Err(NodeError::Conflict { .. })
    ));

    // Carol cannot use bob's certificate; a tampered one is refused.
    let bobs = signed(bob.member().expect("bob").did());
    let err = f.node.import_certificate(&carol, bobs.clone()).await;
    assert!(
        matches!(&err, Err(NodeError::Invalid { message, .. }) if message.contains("not your did:key")),
        "{err:?}"
    );
    let mut tampered = bobs.clone();
    tampered.insert("name".into(), "Something else".into());
    let err = f.node.import_certificate(&bob, tampered).await;
    assert!(
        matches!(&err, Err(NodeError::Invalid { message, .. }) if message.contains("signature does not match")),
        "{err:?}"
    );

    let kept = f.node.import_certificate(&bob, bobs).await.expect("import");
    assert_eq!(kept.course_url, url);
    assert_eq!(
        f.node.my_imported_certificates(&bob).expect("mine").len(),
        1
    );
    f.node
        .enrol_in_course(&bob, advanced)
        .await
        .expect("the imported certificate counts");
}

#[tokio::test]
async fn an_imported_certificate_its_issuer_revoked_stops_counting() {
    let f = fixture();
    let (alice, bob, _) = alice_bob_carol(&f.node).await;
    let (id, lesson) = course(&f.node, &alice, true).await;
    complete(&f.node, &bob, id, lesson).await;
    let issued = f.node.my_certificates(&bob).expect("bob's")[0].clone();
    // Bob hands it over as another server's certificate would be.
    let kept = f
        .node
        .import_certificate(&bob, issued.credential.clone())
        .await
        .expect("import");
    let bob_id = bob.id().expect("bob");
    let now = crate::model::now_ms();

    let due = f.node.imported_status_due(now, 10).expect("due");
    assert_eq!(due.len(), 1);
    assert_eq!(due[0].member, bob_id);
    assert_eq!(due[0].course_url, kept.course_url);
    assert_eq!(due[0].issuer, kept.issuer);
    assert_eq!(due[0].entries[0].index, issued.status_index);

    // Read as standing: not due again until a day has passed.
    assert!(f
        .node
        .record_imported_status(bob_id, &kept.course_url, &kept.issuer, Some(false), now)
        .await
        .expect("record"));
    assert!(f
        .node
        .imported_status_due(now + 1, 10)
        .expect("due")
        .is_empty());
    let later = now + STATUS_RECHECK_MS;
    assert_eq!(f.node.imported_status_due(later, 10).expect("due").len(), 1);
    // A status read for another issuer changes nothing.
    assert!(!f
        .node
        .record_imported_status(
            bob_id,
            &kept.course_url,
            "did:key:zOther",
            Some(true),
            later
        )
        .await
        .expect("record"));

    // A course requiring it takes bob while it stands...
    let needs = |title: &str| NewCourse {
        title: title.into(),
        status: Some("published".into()),
        prerequisites: vec![kept.course_url.clone()],
        ..NewCourse::default()
    };
    let first = f
        .node
        .create_course(&alice, needs("Next"))
        .await
        .expect("course")
        .course
        .id;
    f.node
        .enrol_in_course(&bob, first)
        .await
        .expect("the certificate counts");
    // ...and no longer once its issuer revoked it.
    f.node
        .record_imported_status(bob_id, &kept.course_url, &kept.issuer, Some(true), later)
        .await
        .expect("record");
    let mine = f.node.my_imported_certificates(&bob).expect("mine");
    assert_eq!(mine[0].revoked_at, Some(later));
    assert!(f
        .node
        .imported_status_due(later + 2 * STATUS_RECHECK_MS, 10)
        .expect("due")
        .is_empty());
    let second = f
        .node
        .create_course(&alice, needs("After"))
        .await
        .expect("course")
        .course
        .id;
    assert!(matches!(
        f.node.enrol_in_course(&bob, second).await,
        Err(NodeError::Conflict { .. })
    ));
}
