//! `kodeon verify FILE`: checks a verifiable credential offline (its
//! proofs by the issuer's `did:key`, `eddsa-rdfc-2022` and
//! `eddsa-jcs-2022`, and its dates) and, unless `--offline`, its
//! revocation status from the status list it names.
//!
//! Standard output is the verdict: `valid`, or `invalid` followed by one
//! line per failed check. What passed goes to standard error.

use std::path::Path;
use std::time::Duration;

use anyhow::Context as _;
use protocol::credentials::contexts::Bundled;
use protocol::credentials::verify::{
    check_status, parse, verify_credential, StatusEntry, Timestamp,
};
use protocol::credentials::MAX_CREDENTIAL_BYTES;

/// Runs the check; `Ok(true)` when the credential is valid.
pub async fn verify(file: &Path, offline: bool) -> anyhow::Result<bool> {
    let meta = std::fs::metadata(file).with_context(|| format!("{}", file.display()))?;
    if meta.len() > MAX_CREDENTIAL_BYTES as u64 {
        println!("invalid");
        println!(
            "  file: {} bytes, more than {MAX_CREDENTIAL_BYTES}",
            meta.len()
        );
        return Ok(false);
    }
    let text = std::fs::read(file).with_context(|| format!("{}", file.display()))?;
    let credential = match parse(&text) {
        Ok(c) => c,
        Err(e) => {
            println!("invalid");
            println!("  file: {e}");
            return Ok(false);
        }
    };
    let now = Timestamp::now();
    let report = verify_credential(&credential, now, &Bundled);
    let mut failures: Vec<String> = report
        .failures()
        .map(|c| format!("{}: {}", c.what, c.detail))
        .collect();
    for check in report.checks.iter().filter(|c| c.ok) {
        eprintln!("ok  {}: {}", check.what, check.detail);
    }
    match (&report.issuer, report.status.is_empty()) {
        (_, true) => eprintln!("note: the credential has no status list"),
        (None, false) => {}
        (Some(_), false) if offline => {
            eprintln!("note: status not checked (--offline)")
        }
        (Some(issuer), false) => {
            for entry in &report.status {
                match status(entry, issuer, now).await {
                    Ok(Some(true)) => failures.push(format!(
                        "credentialStatus: {} (bit {} of {} is set)",
                        if entry.purpose == "revocation" {
                            "revoked"
                        } else {
                            entry.purpose.as_str()
                        },
                        entry.index,
                        entry.list_url
                    )),
                    Ok(Some(false)) => eprintln!(
                        "ok  credentialStatus: not {} ({})",
                        if entry.purpose == "revocation" {
                            "revoked"
                        } else {
                            entry.purpose.as_str()
                        },
                        entry.list_url
                    ),
                    Ok(None) => {}
                    Err(e) => failures.push(format!("credentialStatus: {e}")),
                }
            }
        }
    }
    if failures.is_empty() {
        println!("valid");
        Ok(true)
    } else {
        println!("invalid");
        for f in failures {
            println!("  {f}");
        }
        Ok(false)
    }
}

/// The bit of `entry`: `Ok(None)` when the list could not be fetched (said
/// on standard error: status not checked), an error when the list is there
/// but does not verify.
async fn status(entry: &StatusEntry, issuer: &str, now: Timestamp) -> Result<Option<bool>, String> {
    match fetch(&entry.list_url).await {
        Ok(body) => {
            let list = parse(&body).map_err(|e| format!("status list {}: {e}", entry.list_url))?;
            check_status(entry, &list, issuer, now, &Bundled).map(Some)
        }
        Err(e) => {
            eprintln!(
                "note: status not checked: could not fetch {}: {e:#}",
                entry.list_url
            );
            Ok(None)
        }
    }
}

/// GETs a status list credential, at most [`MAX_CREDENTIAL_BYTES`].
async fn fetch(url: &str) -> anyhow::Result<Vec<u8>> {
    kodeon::install_tls_provider();
    // Any address: the operator runs this, possibly against a local node.
    let client = federation::client::build_client(true)?;
    let mut resp = tokio::time::timeout(
        Duration::from_secs(15),
        client
            .get(url)
            .header("accept", "application/vc+ld+json, application/json")
            .send(),
    )
    .await
    .context("timed out")??
    .error_for_status()?;
    let mut body = Vec::new();
    while let Some(chunk) = resp.chunk().await? {
        body.extend_from_slice(&chunk);
        anyhow::ensure!(
            body.len() <= MAX_CREDENTIAL_BYTES,
            "larger than {MAX_CREDENTIAL_BYTES} bytes"
        );
    }
    Ok(body)
}
