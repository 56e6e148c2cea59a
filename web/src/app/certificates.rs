//! `/certificates`: the certificates of whoever studies here (a member,
//! or a learner of another server), each linking to its public page.

use askama::Template;
use axum::extract::State;
use axum::response::Response;

use super::learner::Studier;
use super::{render, AppError, Me};
use crate::public_pages::{site, Site};
use crate::state::AppState;

/// A certificate as the list shows it.
pub struct CertificateItem {
    /// The course's title.
    pub title: String,
    /// Its public page.
    pub href: String,
    /// When it was issued, in words.
    pub issued: String,
    /// Whether it was revoked.
    pub revoked: bool,
}

/// The list.
#[derive(Template)]
#[template(path = "app/certificates.html")]
pub struct CertificatesPage {
    pub domain: String,
    pub members: i64,
    pub posts: i64,
    pub me: Option<Me>,
    pub items: Vec<CertificateItem>,
}

/// GET /certificates — the viewer's certificates from this node's
/// courses, newest first.
pub async fn page(State(s): State<AppState>, session: Studier) -> Result<Response, AppError> {
    let items = s
        .node
        .my_certificates(&session.viewer)?
        .iter()
        .map(|c| CertificateItem {
            title: c.title().to_string(),
            href: s.node.urls().certificate_page(c.id),
            issued: crate::admin::when(c.issued_at),
            revoked: c.revoked_at.is_some(),
        })
        .collect();
    let Site {
        domain,
        members,
        posts,
    } = site(&s)?;
    render(CertificatesPage {
        domain,
        members,
        posts,
        me: Some(session.me),
        items,
    })
}
