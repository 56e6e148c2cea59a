//! The whole check of a credential, offline: its shape, every proof
//! (`eddsa-rdfc-2022` or `eddsa-jcs-2022`, by the issuer's own `did:key`),
//! and its validity dates, each reported as a named [`Check`] so a person
//! reads exactly what failed. Status is the caller's: [`Report::status`]
//! lists the status list entries, and [`check_status`] reads a fetched
//! status list credential.

use super::contexts::{ContextLoader, CREDENTIALS_V2};
use super::status_list::Bitstring;
use super::{rdfc, CredentialError, MAX_CREDENTIAL_BYTES};
use crate::data_integrity;
use identity::PublicKey;
pub use jiff::Timestamp;
use serde_json::{Map, Value};

/// How far ahead of the verifier's clock a `validFrom` may be and still
/// count: the issuer's clock may run ahead of ours, and a credential
/// signed a moment ago must verify when it arrives.
pub const CLOCK_SKEW_SECS: i64 = 300;

/// The most proofs in a proof set looked at.
const MAX_PROOFS: usize = 4;

/// One thing checked and its outcome.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Check {
    /// What was checked (`proof eddsa-rdfc-2022`, `validFrom`...).
    pub what: String,
    /// Whether it passed.
    pub ok: bool,
    /// What was found, in words.
    pub detail: String,
}

/// A status list entry of a credential, for the caller to look up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StatusEntry {
    /// `statusListCredential`: where the list credential is served.
    pub list_url: String,
    /// `statusListIndex`.
    pub index: u64,
    /// `statusPurpose` (`revocation`, `suspension`...).
    pub purpose: String,
}

/// What [`verify_credential`] found.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Report {
    /// Every check, in order.
    pub checks: Vec<Check>,
    /// The issuer's id, if the credential names one.
    pub issuer: Option<String>,
    /// The credential's `BitstringStatusListEntry`s.
    pub status: Vec<StatusEntry>,
}

impl Report {
    /// Whether every check passed (and there was at least one proof).
    pub fn valid(&self) -> bool {
        !self.checks.is_empty() && self.checks.iter().all(|c| c.ok)
    }

    /// The checks that failed.
    pub fn failures(&self) -> impl Iterator<Item = &Check> {
        self.checks.iter().filter(|c| !c.ok)
    }

    fn push(&mut self, what: impl Into<String>, result: Result<String, String>) {
        let (ok, detail) = match result {
            Ok(d) => (true, d),
            Err(d) => (false, d),
        };
        self.checks.push(Check {
            what: what.into(),
            ok,
            detail,
        });
    }
}

/// Parses untrusted credential text: bounded in size (and in depth by
/// serde_json's recursion limit), a JSON object.
pub fn parse(text: &[u8]) -> Result<Map<String, Value>, CredentialError> {
    if text.len() > MAX_CREDENTIAL_BYTES {
        return Err(CredentialError::TooLarge(format!(
            "{} bytes, more than {MAX_CREDENTIAL_BYTES}",
            text.len()
        )));
    }
    match serde_json::from_slice(text) {
        Ok(Value::Object(map)) => Ok(map),
        Ok(_) => Err(CredentialError::Malformed("not a JSON object".into())),
        Err(e) => Err(CredentialError::Malformed(format!("not JSON: {e}"))),
    }
}

/// The issuer's id: `issuer` as a string or as an object's `id`.
pub fn issuer_id(credential: &Map<String, Value>) -> Option<&str> {
    match credential.get("issuer")? {
        Value::String(s) => Some(s),
        Value::Object(o) => o.get("id")?.as_str(),
        _ => None,
    }
}

/// The key of a `did:key` verification method (`did:key:z6Mk…#z6Mk…`)
/// that belongs to `issuer`.
fn issuer_key(method: &str, issuer: &str) -> Result<PublicKey, String> {
    let (did, fragment) = method
        .split_once('#')
        .ok_or_else(|| format!("verificationMethod {method} has no #fragment"))?;
    if did != issuer {
        return Err(format!("signed by {did}, which is not the issuer {issuer}"));
    }
    let key =
        PublicKey::from_did_key(did).map_err(|_| format!("{did} is not an ed25519 did:key"))?;
    if fragment != key.to_multikey() {
        return Err(format!(
            "verificationMethod fragment #{fragment} is not the did:key's key"
        ));
    }
    Ok(key)
}

fn date(credential: &Map<String, Value>, name: &str) -> Result<Option<Timestamp>, String> {
    match credential.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => s
            .parse::<Timestamp>()
            .map(Some)
            .map_err(|_| format!("{name} {s:?} is not an RFC 3339 date-time with a zone")),
        Some(_) => Err(format!("{name} is not a string")),
    }
}

fn check_shape(credential: &Map<String, Value>) -> Result<String, String> {
    let first = match credential.get("@context") {
        Some(Value::Array(items)) => items.first().and_then(Value::as_str),
        _ => None,
    };
    if first != Some(CREDENTIALS_V2) {
        return Err(format!("@context does not start with {CREDENTIALS_V2}"));
    }
    let types: Vec<&str> = match credential.get("type") {
        Some(Value::Array(t)) => t.iter().filter_map(Value::as_str).collect(),
        Some(Value::String(t)) => vec![t.as_str()],
        _ => vec![],
    };
    if !types.contains(&"VerifiableCredential") {
        return Err("type does not include VerifiableCredential".into());
    }
    if credential.get("credentialSubject").is_none() {
        return Err("no credentialSubject".into());
    }
    Ok(format!(
        "a W3C Verifiable Credential 2.0 ({})",
        types.join(", ")
    ))
}

fn check_proof(
    credential: &Map<String, Value>,
    proof: &Map<String, Value>,
    issuer: &str,
    loader: &dyn ContextLoader,
) -> Result<String, String> {
    let text = |name: &str| proof.get(name).and_then(Value::as_str).unwrap_or("");
    if text("type") != "DataIntegrityProof" {
        return Err(format!(
            "proof type {:?} is not DataIntegrityProof",
            text("type")
        ));
    }
    if text("proofPurpose") != "assertionMethod" {
        return Err(format!(
            "proofPurpose {:?} is not assertionMethod",
            text("proofPurpose")
        ));
    }
    let method = text("verificationMethod");
    let key = issuer_key(method, issuer)?;
    match text("cryptosuite") {
        rdfc::CRYPTOSUITE => rdfc::verify_proof(credential, proof, &key, loader)
            .map_err(|e| match e {
                CredentialError::BadSignature => {
                    "the signature does not match the document (it was changed after signing, or signed by another key)".to_string()
                }
                other => other.to_string(),
            })?,
        data_integrity::CRYPTOSUITE => data_integrity::verify_proof_object(credential, proof, &key)
            .map_err(|e| match e {
                data_integrity::ProofError::BadSignature => {
                    "the signature does not match the document (it was changed after signing, or signed by another key)".to_string()
                }
                other => other.to_string(),
            })?,
        other => return Err(format!("cryptosuite {other:?} is not supported")),
    }
    Ok(format!("signed by {method}"))
}

/// The `BitstringStatusListEntry`s `credential` names (at most four).
pub fn status_entries(credential: &Map<String, Value>) -> Result<Vec<StatusEntry>, String> {
    let items: Vec<&Value> = match credential.get("credentialStatus") {
        None => return Ok(vec![]),
        Some(Value::Array(items)) => items.iter().take(MAX_PROOFS).collect(),
        Some(one) => vec![one],
    };
    let mut out = Vec::new();
    for item in items {
        let text = |name: &str| item.get(name).and_then(Value::as_str);
        if text("type") != Some("BitstringStatusListEntry") {
            return Err(format!(
                "credentialStatus type {:?} is not supported",
                text("type").unwrap_or("")
            ));
        }
        let index = text("statusListIndex")
            .and_then(|i| i.parse::<u64>().ok())
            .ok_or("statusListIndex is not a number")?;
        let list_url = text("statusListCredential").ok_or("no statusListCredential")?;
        out.push(StatusEntry {
            list_url: list_url.to_string(),
            index,
            purpose: text("statusPurpose").unwrap_or("").to_string(),
        });
    }
    Ok(out)
}

/// Checks `credential` at `now`: its shape, every proof by the issuer's
/// `did:key`, `validFrom` (up to [`CLOCK_SKEW_SECS`] ahead of `now`) and
/// `validUntil`. Status is not checked here.
pub fn verify_credential(
    credential: &Map<String, Value>,
    now: Timestamp,
    loader: &dyn ContextLoader,
) -> Report {
    let mut report = Report::default();
    report.push("credential", check_shape(credential));
    let issuer = issuer_id(credential).map(str::to_string);
    report.issuer = issuer.clone();
    let Some(issuer) = issuer else {
        report.push("issuer", Err("the credential names no issuer".into()));
        return report;
    };
    let proofs: Vec<&Value> = match credential.get("proof") {
        None => vec![],
        Some(Value::Array(items)) => items.iter().collect(),
        Some(one) => vec![one],
    };
    if proofs.is_empty() {
        report.push("proof", Err("the credential has no proof".into()));
    } else if proofs.len() > MAX_PROOFS {
        report.push("proof", Err(format!("more than {MAX_PROOFS} proofs")));
    }
    for proof in proofs.iter().take(MAX_PROOFS) {
        let Some(proof) = proof.as_object() else {
            report.push("proof", Err("a proof is not an object".into()));
            continue;
        };
        let suite = proof
            .get("cryptosuite")
            .and_then(Value::as_str)
            .unwrap_or("?")
            .chars()
            .take(40)
            .collect::<String>();
        report.push(
            format!("proof {suite}"),
            check_proof(credential, proof, &issuer, loader),
        );
    }
    match date(credential, "validFrom") {
        Ok(Some(from)) if from <= now + jiff::SignedDuration::from_secs(CLOCK_SKEW_SECS) => {
            report.push("validFrom", Ok(format!("valid from {from}")))
        }
        Ok(Some(from)) => report.push("validFrom", Err(format!("not valid before {from}"))),
        Ok(None) => {}
        Err(e) => report.push("validFrom", Err(e)),
    }
    match date(credential, "validUntil") {
        Ok(Some(until)) if now < until => {
            report.push("validUntil", Ok(format!("valid until {until}")))
        }
        Ok(Some(until)) => report.push("validUntil", Err(format!("expired at {until}"))),
        Ok(None) => {}
        Err(e) => report.push("validUntil", Err(e)),
    }
    match status_entries(credential) {
        Ok(entries) => report.status = entries,
        Err(e) => report.push("credentialStatus", Err(e)),
    }
    report
}

/// Reads `entry`'s bit in `list`, the status list credential fetched from
/// `entry.list_url`, after checking that list as a credential of the same
/// `issuer` (signature, dates). `Ok(true)`: the bit is set (revoked, for
/// purpose `revocation`).
pub fn check_status(
    entry: &StatusEntry,
    list: &Map<String, Value>,
    issuer: &str,
    now: Timestamp,
    loader: &dyn ContextLoader,
) -> Result<bool, String> {
    let report = verify_credential(list, now, loader);
    if let Some(failed) = report.failures().next() {
        return Err(format!(
            "the status list does not verify: {}: {}",
            failed.what, failed.detail
        ));
    }
    if report.issuer.as_deref() != Some(issuer) {
        return Err("the status list has another issuer than the credential".into());
    }
    if list.get("id").and_then(Value::as_str) != Some(entry.list_url.as_str()) {
        return Err("the status list's id is not the URL it was fetched from".into());
    }
    let subject = list
        .get("credentialSubject")
        .ok_or("the status list has no credentialSubject")?;
    if subject.get("type").and_then(Value::as_str) != Some("BitstringStatusList") {
        return Err("the status list is not a BitstringStatusList".into());
    }
    if subject.get("statusPurpose").and_then(Value::as_str) != Some(entry.purpose.as_str()) {
        return Err("the status list is for another purpose".into());
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or("the status list has no encodedList")?;
    let bits = Bitstring::decode(encoded).map_err(|e| e.to_string())?;
    let index = usize::try_from(entry.index).map_err(|_| "index out of range".to_string())?;
    bits.get(index)
        .ok_or_else(|| format!("index {} is past the end of the list", entry.index))
}
