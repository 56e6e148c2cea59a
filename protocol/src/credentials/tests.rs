//! Issuing and verifying whole certificates.

use super::open_badge::{build, CertificateInput, CourseAchievement, IssuerProfile};
use super::status_list::{status_list_credential, Bitstring};
use super::verify::{check_status, parse, verify_credential};
use super::*;
use identity::Ed25519Keypair;
use jiff::Timestamp;
use serde_json::{Map, Value};

fn input(issuer: &Ed25519Keypair, member: &Ed25519Keypair) -> CertificateInput {
    CertificateInput {
        id: "https://learn.example/certificates/01J0000000000000000000000A".into(),
        issuer: IssuerProfile {
            did: issuer.public().to_did_key(),
            name: "Learn Example".into(),
            url: "https://learn.example/".into(),
        },
        subject_did: member.public().to_did_key(),
        subject_name: "Ada".into(),
        achievement: CourseAchievement {
            id: "https://learn.example/courses/01J0000000000000000000000B".into(),
            name: "Rust for gardeners".into(),
            description: "Ownership, **borrowing** and compost.".into(),
            criteria: "Completed every lesson and passed every required assessment.".into(),
            level: "beginner".into(),
            category: "programming".into(),
            tags: vec!["rust".into(), "gardening".into()],
        },
        valid_from: "2026-01-02T03:04:05Z".into(),
        status: Some(("https://learn.example/certificates/status/1".into(), 7)),
    }
}

fn issued(with_jcs: bool) -> (Ed25519Keypair, Map<String, Value>) {
    let issuer = Ed25519Keypair::generate();
    let member = Ed25519Keypair::generate();
    let mut credential = build(&input(&issuer, &member));
    let did = issuer.public().to_did_key();
    sign::<CredentialError>(
        &mut credential,
        &did,
        "2026-01-02T03:04:05Z",
        with_jcs,
        |m| Ok(issuer.sign(m)),
    )
    .expect("sign");
    (issuer, credential)
}

fn now() -> Timestamp {
    "2026-06-01T00:00:00Z".parse().expect("time")
}

#[test]
fn an_issued_certificate_verifies_with_both_proofs() {
    let (_, credential) = issued(true);
    let report = verify_credential(&credential, now(), &contexts::Bundled);
    assert!(report.valid(), "{:?}", report.checks);
    let names: Vec<&str> = report.checks.iter().map(|c| c.what.as_str()).collect();
    assert_eq!(
        names,
        [
            "credential",
            "proof eddsa-rdfc-2022",
            "proof eddsa-jcs-2022",
            "validFrom"
        ]
    );
    assert_eq!(report.status.len(), 1);
    assert_eq!(report.status[0].index, 7);
    // Through text, as a file would arrive.
    let text = serde_json::to_vec(&credential).expect("json");
    let parsed = parse(&text).expect("parse");
    assert!(verify_credential(&parsed, now(), &contexts::Bundled).valid());
}

#[test]
fn a_tampered_certificate_fails_and_says_which_proof() {
    let (_, mut credential) = issued(true);
    credential["credentialSubject"]["achievement"]["name"] = "Rust for surgeons".into();
    let report = verify_credential(&credential, now(), &contexts::Bundled);
    assert!(!report.valid());
    let failed: Vec<&str> = report.failures().map(|c| c.what.as_str()).collect();
    assert_eq!(failed, ["proof eddsa-rdfc-2022", "proof eddsa-jcs-2022"]);
    assert!(report
        .failures()
        .all(|c| c.detail.contains("signature does not match")));
}

#[test]
fn another_signer_dates_and_missing_proofs_are_reported() {
    let (_, credential) = issued(false);
    // Not yet valid.
    let early: Timestamp = "2025-01-01T00:00:00Z".parse().expect("time");
    let report = verify_credential(&credential, early, &contexts::Bundled);
    assert_eq!(
        report
            .failures()
            .map(|c| c.what.as_str())
            .collect::<Vec<_>>(),
        ["validFrom"]
    );
    // A few minutes ahead of our clock (the issuer's runs fast): valid.
    let from: Timestamp = credential["validFrom"]
        .as_str()
        .expect("validFrom")
        .parse()
        .expect("time");
    let skew = jiff::SignedDuration::from_secs(crate::credentials::verify::CLOCK_SKEW_SECS);
    let report = verify_credential(&credential, from - skew, &contexts::Bundled);
    assert!(report.valid(), "{:?}", report.checks);
    let report = verify_credential(
        &credential,
        from - skew - jiff::SignedDuration::from_secs(1),
        &contexts::Bundled,
    );
    assert!(!report.valid());
    // Expired.
    let mut expired = credential.clone();
    expired.insert("validUntil".into(), "2026-02-01T00:00:00Z".into());
    let report = verify_credential(&expired, now(), &contexts::Bundled);
    let failed: Vec<&str> = report.failures().map(|c| c.what.as_str()).collect();
    // validUntil is signed too, so adding it breaks the proof as well.
    assert_eq!(failed, ["proof eddsa-rdfc-2022", "validUntil"]);
    // The issuer swapped for another key: the proof's key is not the issuer's.
    let mut stolen = credential.clone();
    stolen["issuer"]["id"] = Ed25519Keypair::generate().public().to_did_key().into();
    let report = verify_credential(&stolen, now(), &contexts::Bundled);
    let failure = report.failures().next().expect("a failure");
    assert!(
        failure.detail.contains("which is not the issuer"),
        "{failure:?}"
    );
    // No proof at all.
    let mut bare = credential.clone();
    bare.remove("proof");
    let report = verify_credential(&bare, now(), &contexts::Bundled);
    assert_eq!(
        report.failures().next().map(|c| c.what.as_str()),
        Some("proof")
    );
}

#[test]
fn the_status_list_says_revoked_once_the_bit_is_set() {
    let (issuer, credential) = issued(false);
    let did = issuer.public().to_did_key();
    let report = verify_credential(&credential, now(), &contexts::Bundled);
    let entry = &report.status[0];
    let mut bits = Bitstring::new();
    let list_for = |bits: &Bitstring| {
        let mut list = status_list_credential(&entry.list_url, &did, "2026-01-02T03:04:05Z", bits)
            .expect("list");
        sign::<CredentialError>(&mut list, &did, "2026-01-02T03:04:05Z", false, |m| {
            Ok(issuer.sign(m))
        })
        .expect("sign");
        list
    };
    let list = list_for(&bits);
    assert_eq!(
        check_status(entry, &list, &did, now(), &contexts::Bundled),
        Ok(false)
    );
    bits.set(7, true);
    let list = list_for(&bits);
    assert_eq!(
        check_status(entry, &list, &did, now(), &contexts::Bundled),
        Ok(true)
    );
    // A list from another issuer is refused.
    let other = Ed25519Keypair::generate().public().to_did_key();
    assert!(check_status(entry, &list, &other, now(), &contexts::Bundled).is_err());
    // A list whose bits were changed after signing is refused.
    let mut forged = list.clone();
    forged["credentialSubject"]["encodedList"] = Bitstring::new().encode().expect("encode").into();
    let err = check_status(entry, &forged, &did, now(), &contexts::Bundled).expect_err("forged");
    assert!(err.contains("does not verify"), "{err}");
}
