//! `/reputation/{name}`: a member's reputation and why — the score, each
//! claim's score, the attesters who contributed most, the paths by which
//! trust reached them, and the formula, all from
//! [`node::Node::explained_reputation`].

use askama::Template;
use axum::extract::{Path, State};
use axum::response::Response;
use node::trust::{ExplainedReputation, Explanation};

use super::{render, AppError, MaybeMember, Me};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// One line of the "why".
pub struct WhyLine {
    /// What kind of line: `attester`, `path`, `trust`, `note`.
    pub kind: &'static str,
    /// The line in words.
    pub text: String,
}

/// A reputation as pages show it.
pub struct ReputationView {
    /// The score, rounded.
    pub score: String,
    /// Claims and their scores, highest first.
    pub claims: Vec<(String, String)>,
    /// Why.
    pub why: Vec<WhyLine>,
    /// The formula in words.
    pub formula: String,
}

fn number(x: f64) -> String {
    if x >= 10.0 {
        format!("{x:.0}")
    } else {
        format!("{x:.1}")
    }
}

impl ReputationView {
    /// The view of a reputation.
    pub fn of(rep: &ExplainedReputation) -> ReputationView {
        let mut claims: Vec<(String, f64)> =
            rep.claims.iter().map(|(c, s)| (c.clone(), *s)).collect();
        claims.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        let mut why = Vec::new();
        let mut formula = String::new();
        for e in &rep.explain {
            match e {
                Explanation::Formula { text } => formula = text.clone(),
                Explanation::NotComputed { text } => why.push(WhyLine {
                    kind: "note",
                    text: text.clone(),
                }),
                Explanation::Trust {
                    account,
                    rank,
                    of,
                    seed,
                    ..
                } => why.push(WhyLine {
                    kind: "trust",
                    text: format!(
                        "{account} ranks {rank} of {of} accounts by trust{}.",
                        if *seed { " and is a seed (an admin or marked trusted)" } else { "" }
                    ),
                }),
                Explanation::Attester {
                    account,
                    claim,
                    attestation_kind,
                    contribution,
                    share,
                    ..
                } => why.push(WhyLine {
                    kind: "attester",
                    text: format!(
                        "{account} attested {claim} ({attestation_kind}): +{} ({:.0} % of what {account} passes on)",
                        number(*contribution),
                        100.0 * share
                    ),
                }),
                Explanation::Path {
                    reaches_seed,
                    steps,
                } => {
                    let mut text = String::new();
                    for (i, step) in steps.iter().enumerate() {
                        if i > 0 {
                            let how = match (&step.edge, &step.claim) {
                                (Some(_), Some(claim)) => format!(" —attests {claim}→ "),
                                (Some(edge), None) => format!(" —{edge}s→ "),
                                _ => " → ".to_string(),
                            };
                            text.push_str(&how);
                        }
                        text.push_str(&step.account);
                    }
                    if !reaches_seed {
                        text.push_str(" (traced back as far as the bound allows)");
                    }
                    why.push(WhyLine { kind: "path", text });
                }
            }
        }
        ReputationView {
            score: number(rep.score),
            claims: claims.into_iter().map(|(c, s)| (c, number(s))).collect(),
            why,
            formula,
        }
    }
}

/// The page.
#[derive(Template)]
#[template(path = "app/reputation.html")]
pub struct ReputationPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    /// Whose reputation.
    pub name: String,
    /// It.
    pub rep: ReputationView,
}

/// GET /reputation/{name} — a member's reputation and why.
pub async fn page(
    State(s): State<AppState>,
    MaybeMember(session): MaybeMember,
    Path(name): Path<String>,
) -> Result<Response, AppError> {
    let rep = s.node.explained_reputation(&name)?;
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(ReputationPage {
        domain,
        members,
        posts,
        me: session.map(|s| s.me),
        name,
        rep: ReputationView::of(&rep),
    })
}

#[cfg(test)]
#[path = "tests_reputation.rs"]
mod tests;
