//! Trust over the store: the run, the factor, the seeds an admin marks,
//! and explanations that name real edges.

use crate::model::Role;
use crate::moderation::AuditFilter;
use crate::test_support::{new_member, temp_node};
use crate::trust::Explanation;
use crate::{Node, NodeError, PageRequest, Viewer};

async fn with_role(node: &Node, name: &str, role: Role) -> Viewer {
    let m = node
        .create_member(new_member(name), role)
        .await
        .expect("create");
    Viewer::Member(Box::new(m))
}

fn id(v: &Viewer) -> crate::Id {
    v.member().expect("member").id
}

/// root (admin) attests ann `rust` and follows bob; ann attests carl
/// `rust` and `mentored:meetup`; eve and sam attest each other, reached
/// by nobody.
async fn community(node: &Node) -> [Viewer; 6] {
    let root = with_role(node, "root", Role::Admin).await;
    let ann = with_role(node, "ann", Role::Member).await;
    let bob = with_role(node, "bob", Role::Member).await;
    let carl = with_role(node, "carl", Role::Member).await;
    let eve = with_role(node, "eve", Role::Member).await;
    let sam = with_role(node, "sam", Role::Member).await;
    node.attest(&root, "ann", "rust", "").await.expect("attest");
    node.follow(&root, "bob").await.expect("follow");
    node.attest(&ann, "carl", "rust", "").await.expect("attest");
    node.attest_kind(
        &ann,
        crate::attestations::NewAttestation {
            subject: "carl".into(),
            kind: crate::attestations::AttestationKind::Mentored,
            claim: "meetup".into(),
            comment: String::new(),
            group: None,
        },
    )
    .await
    .expect("attest");
    node.attest(&eve, "sam", "rust", "").await.expect("attest");
    node.attest(&sam, "eve", "rust", "").await.expect("attest");
    [root, ann, bob, carl, eve, sam]
}

#[tokio::test]
async fn trust_flows_from_the_admin_and_the_factor_reads_it() {
    let (node, _dir) = temp_node();
    let [root, ann, bob, carl, eve, _sam] = community(&node).await;
    // Before any run, every account counts fully.
    assert_eq!(node.trust_factor(id(&eve)).expect("factor"), 1.0);
    assert!(node.trust_is_stale().expect("stale"));
    let run = node.clone().recompute_trust_now(&root).await.expect("run");
    assert_eq!(run.accounts, 6);
    assert_eq!(run.seeds, 1);
    assert!(run.converged);
    let score = |v: &Viewer| node.trust_score(id(v)).expect("read").expect("scored");
    assert!(score(&root).seed);
    assert_eq!(score(&root).rank, 1);
    assert!(
        score(&ann).trust > score(&bob).trust,
        "attestations weigh more than follows"
    );
    assert!(score(&carl).trust > 0.0);
    assert_eq!(score(&eve).trust, 0.0);
    assert_eq!(node.trust_factor(id(&eve)).expect("factor"), 0.0);
    assert_eq!(node.trust_factor(id(&root)).expect("factor"), 1.0);
    let carl_factor = node.trust_factor(id(&carl)).expect("factor");
    assert!(carl_factor > 0.0 && carl_factor <= 1.0);
    // A member who joined after the run counts 0 until the next one.
    let late = with_role(&node, "late", Role::Member).await;
    assert_eq!(node.trust_factor(id(&late)).expect("factor"), 0.0);
    // Recomputing is audited.
    let log = node
        .audit_log(&root, AuditFilter::All, &PageRequest::default())
        .expect("log");
    assert!(log.items.iter().any(|e| e.action == "trust.recompute"));
    // Only admins recompute.
    let refused = node.clone().recompute_trust_now(&ann).await;
    assert!(
        matches!(refused, Err(NodeError::Forbidden(_))),
        "{refused:?}"
    );
}

#[tokio::test]
async fn the_explanation_names_real_attesters_claims_and_a_path_from_the_seed() {
    let (node, _dir) = temp_node();
    let [root, ann, _bob, _carl, _eve, _sam] = community(&node).await;
    node.clone().recompute_trust_now(&root).await.expect("run");
    let rep = node.explained_reputation("carl").expect("reputation");
    assert_eq!(
        rep.claims.keys().cloned().collect::<Vec<_>>(),
        vec!["mentored:meetup".to_string(), "rust".to_string()]
    );
    let sum: f64 = rep.claims.values().sum();
    assert!((rep.score - sum).abs() < 1e-9 && rep.score > 0.0);
    let attesters: Vec<(&str, &str, &str)> = rep
        .explain
        .iter()
        .filter_map(|e| match e {
            Explanation::Attester {
                account,
                claim,
                attestation_kind,
                ..
            } => Some((account.as_str(), claim.as_str(), attestation_kind.as_str())),
            _ => None,
        })
        .collect();
    assert!(
        attesters.contains(&("ann", "rust", "skill")),
        "{attesters:?}"
    );
    assert!(
        attesters.contains(&("ann", "mentored:meetup", "mentored")),
        "{attesters:?}"
    );
    assert_eq!(attesters.len(), 2);
    // The contribution is damping × ann's trust × her share (½ each) × 100 × accounts.
    let ann_trust = node
        .trust_score(id(&ann))
        .expect("read")
        .expect("scored")
        .trust;
    let expected = 0.85 * ann_trust * 0.5 * 100.0 * 6.0;
    assert!(
        (rep.claims["rust"] - expected).abs() < 1e-6,
        "{} vs {expected}",
        rep.claims["rust"]
    );
    let path = rep
        .explain
        .iter()
        .find_map(|e| match e {
            Explanation::Path {
                reaches_seed,
                steps,
            } => Some((*reaches_seed, steps.clone())),
            _ => None,
        })
        .expect("a path");
    assert!(path.0);
    let names: Vec<&str> = path.1.iter().map(|s| s.account.as_str()).collect();
    assert_eq!(names, vec!["root", "ann", "carl"]);
    assert_eq!(path.1[1].edge, Some("attestation"));
    assert_eq!(path.1[1].claim.as_deref(), Some("rust"));
    // The unreached ring has attestations and no score.
    let eve = node.explained_reputation("eve").expect("reputation");
    assert_eq!(eve.score, 0.0);
    assert_eq!(eve.claims.get("rust").copied(), Some(0.0));
    // JSON keys scripts rely on.
    let json = serde_json::to_value(&rep).expect("json");
    let keys: Vec<&String> = json.as_object().expect("object").keys().collect();
    assert_eq!(keys.len(), 3);
    assert!(json["explain"][0]["kind"] == "formula");
}

#[tokio::test]
async fn without_seeds_every_account_counts_fully() {
    let (node, _dir) = temp_node();
    let ann = with_role(&node, "ann", Role::Member).await;
    assert!(node.clone().trust_look(false).await.expect("look"));
    let run = node.trust_run().expect("run").expect("some");
    assert_eq!((run.accounts, run.seeds), (1, 0));
    assert_eq!(node.trust_factor(id(&ann)).expect("factor"), 1.0);
    let later = with_role(&node, "later", Role::Member).await;
    assert_eq!(node.trust_factor(id(&later)).expect("factor"), 1.0);
}

#[tokio::test]
async fn before_any_run_the_reputation_says_so() {
    let (node, _dir) = temp_node();
    with_role(&node, "ann", Role::Member).await;
    let rep = node.explained_reputation("ann").expect("reputation");
    assert_eq!(rep.score, 0.0);
    assert!(rep
        .explain
        .iter()
        .any(|e| matches!(e, Explanation::NotComputed { .. })));
    assert!(matches!(
        node.explained_reputation("nobody"),
        Err(NodeError::NotFound(_))
    ));
}

#[tokio::test]
async fn an_admin_marks_a_member_trusted_and_the_worker_recomputes() {
    let (node, _dir) = temp_node();
    let [root, ann, _bob, _carl, eve, sam] = community(&node).await;
    node.clone().recompute_trust_now(&root).await.expect("run");
    assert!(!node.trust_is_stale().expect("stale"));
    // Nothing changed: a look stores nothing, even the full one.
    assert!(!node.clone().trust_look(false).await.expect("look"));
    assert!(!node.clone().trust_look(true).await.expect("look"));
    // Only admins mark.
    let refused = node.set_trusted(&ann, id(&eve), true, "").await;
    assert!(
        matches!(refused, Err(NodeError::Forbidden(_))),
        "{refused:?}"
    );
    node.set_trusted(&root, id(&eve), true, "runs the meetups")
        .await
        .expect("mark");
    let again = node.set_trusted(&root, id(&eve), true, "").await;
    assert!(
        matches!(again, Err(NodeError::Conflict { .. })),
        "{again:?}"
    );
    assert!(node.trust_is_stale().expect("stale"));
    assert!(node.clone().trust_look(false).await.expect("look"));
    assert!(
        node.trust_score(id(&eve))
            .expect("read")
            .expect("scored")
            .seed
    );
    assert!(
        node.trust_score(id(&sam))
            .expect("read")
            .expect("scored")
            .trust
            > 0.0
    );
    assert_eq!(node.trust_run().expect("run").expect("some").seeds, 2);
    let standing = node.trust_standing(&root, id(&eve)).expect("standing");
    assert!(standing.trusted.is_some() && !standing.admin);
    // Unmarking is audited too, and trust follows at the next look.
    node.set_trusted(&root, id(&eve), false, "moved away")
        .await
        .expect("unmark");
    assert!(node.clone().trust_look(false).await.expect("look"));
    assert_eq!(
        node.trust_score(id(&sam))
            .expect("read")
            .expect("scored")
            .trust,
        0.0
    );
    let log = node
        .audit_log(&root, AuditFilter::All, &PageRequest::default())
        .expect("log");
    let actions: Vec<(&str, &str)> = log
        .items
        .iter()
        .map(|e| (e.action.as_str(), e.detail.as_str()))
        .collect();
    assert!(
        actions.contains(&("member.trust", "runs the meetups")),
        "{actions:?}"
    );
    assert!(
        actions.contains(&("member.untrust", "moved away")),
        "{actions:?}"
    );
}

#[tokio::test]
async fn a_new_edge_changes_the_fingerprint_and_the_full_look_stores_it() {
    let (node, _dir) = temp_node();
    let [root, _ann, _bob, _carl, eve, _sam] = community(&node).await;
    node.clone().recompute_trust_now(&root).await.expect("run");
    let before = node.trust_run().expect("run").expect("some");
    node.follow(&root, "eve").await.expect("follow");
    assert!(
        !node.clone().trust_look(false).await.expect("look"),
        "seeds did not change"
    );
    assert!(node.clone().trust_look(true).await.expect("look"));
    let after = node.trust_run().expect("run").expect("some");
    assert_ne!(before.fingerprint, after.fingerprint);
    assert!(
        node.trust_score(id(&eve))
            .expect("read")
            .expect("scored")
            .trust
            > 0.0
    );
}
