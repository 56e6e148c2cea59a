//! Trust from the member page: mark or unmark a member trusted (a seed of
//! trust, admins only, audited with the reason) and recompute trust now.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::Response;
use node::trust::TrustStanding;

use super::{field, path_id, see_other, PanelError, PanelForm};
use crate::state::AppState;

/// What the member page shows of a member's trust.
pub struct TrustLine {
    /// Marked trusted by an admin.
    pub trusted: bool,
    /// An admin (always a seed).
    pub admin: bool,
    /// The last computed figures, in words.
    pub summary: String,
}

impl TrustLine {
    /// The line of a standing.
    pub fn of(standing: &TrustStanding) -> TrustLine {
        let summary = match &standing.score {
            Some(s) => format!(
                "trust {:.6} (rank {}), factor {:.2}{}",
                s.trust,
                s.rank,
                s.factor,
                if s.seed { ", a seed" } else { "" }
            ),
            None => "not in the last trust computation".into(),
        };
        TrustLine {
            trusted: standing.trusted.is_some(),
            admin: standing.admin,
            summary,
        }
    }
}

/// POST /admin/members/{id}/trust — `action` is `trust`, `untrust` (with
/// `reason` for the audit log) or `recompute`.
pub async fn act(
    State(s): State<AppState>,
    Path(raw): Path<String>,
    PanelForm { session, form }: PanelForm,
) -> Result<Response, PanelError> {
    let id = path_id(&raw, "member")?;
    let reason = field(&form, "reason");
    let done = match field(&form, "action") {
        "trust" => {
            s.node
                .set_trusted(&session.viewer, id, true, reason)
                .await?;
            "trusted"
        }
        "untrust" => {
            s.node
                .set_trusted(&session.viewer, id, false, reason)
                .await?;
            "untrusted"
        }
        "recompute" => {
            s.node.clone().recompute_trust_now(&session.viewer).await?;
            "recomputed"
        }
        _ => {
            return Err(PanelError::Page(
                StatusCode::UNPROCESSABLE_ENTITY,
                "action: must be trust, untrust or recompute".into(),
            ))
        }
    };
    Ok(see_other(&format!("/admin/members/{id}?done={done}")))
}

#[cfg(test)]
#[path = "trust_tests.rs"]
mod tests;
