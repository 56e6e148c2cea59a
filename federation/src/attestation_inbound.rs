//! Attestations received over ActivityPub: a `Create` of a `kd:Attestation`
//! object is believed for its FEP-8b32 proof alone, checked against the
//! ed25519 key its issuer's actor document publishes (`assertionMethod`),
//! whoever relayed it; the object's id and issuer must be on the sending
//! actor's server. A key the document names without an FEP-8b32 proof of
//! its own is read from the document as served, and bound to the issuer
//! once an attestation it verifies names that issuer (see
//! [`node::Node::receive_attestation`]). A `Delete` of its id withdraws it.

use identity::PublicKey;
use node::attestations::ReceivedAttestation;
use node::model::Member;
use protocol::activities::{check_same_origin, embedded_attestation, AttestationObject};
use protocol::data_integrity;

use crate::error::FederationError;
use crate::inbox::Received;
use crate::service::Federation;

/// Whether proof method `method` names `issuer`'s key `key`: a key id of
/// the issuer's document (`ISSUER#...`), or a did:key of that very key.
fn method_of(method: &str, issuer: &str, key: &PublicKey) -> bool {
    let (base, _) = method.split_once('#').unwrap_or((method, ""));
    if base.starts_with("did:key:") {
        return PublicKey::from_did_key(base).is_ok_and(|k| k == *key);
    }
    !base.is_empty() && base == issuer
}

impl Federation {
    /// A `Create` (by `actor`, whose HTTP signature was verified) of an
    /// attestation: read within bounds, its id and issuer checked to be on
    /// `actor`'s server, its proof verified with the issuer's published
    /// key, then stored. `None` when the `Create` carries no attestation.
    pub(crate) async fn receive_attestation(
        &self,
        body: &[u8],
        actor: &Member,
    ) -> Result<Option<Received>, FederationError> {
        let Some(map) = embedded_attestation(body) else {
            return Ok(None);
        };
        let object =
            AttestationObject::read(&map).map_err(|e| FederationError::Malformed(e.to_string()))?;
        let sender = actor
            .remote
            .as_ref()
            .map(|r| r.actor_id.as_str())
            .unwrap_or_default();
        check_same_origin(&object.id, sender)?;
        check_same_origin(&object.issuer, sender)?;
        let issuer = if object.issuer == sender {
            actor.clone()
        } else {
            self.resolve_actor(&object.issuer, false)
                .await
                .map_err(|e| e.obtaining(&object.issuer))?
        };
        let key = match issuer.remote.as_ref() {
            Some(r) if r.has_ed25519 => issuer.keys.ed25519_public,
            // A key the document names without proving it (Fedify's
            // actors carry no proof): read from the document as served.
            _ => {
                let doc = self
                    .fetch(&object.issuer)
                    .await
                    .map_err(|e| e.obtaining(&object.issuer))?;
                crate::actors::parse_actor(&doc, &object.issuer)?
                    .ed25519
                    .ok_or_else(|| {
                        FederationError::Forbidden(format!(
                            "{} publishes no ed25519 key to verify its attestation with",
                            object.issuer
                        ))
                    })?
            }
        };
        let proof = data_integrity::verify_proof(&map, |method| {
            method_of(method, &object.issuer, &key).then_some(key)
        })
        .map_err(|e| FederationError::Signature(format!("attestation proof: {e}")))?;
        if proof.purpose != "assertionMethod" {
            return Err(FederationError::Signature(
                "attestation proof: not for assertionMethod".into(),
            ));
        }
        let created = time::OffsetDateTime::parse(
            &object.published,
            &time::format_description::well_known::Rfc3339,
        )
        .map(|t| (t.unix_timestamp_nanos() / 1_000_000) as i64)
        .map_err(|_| FederationError::Malformed("attestation published".into()))?;
        self.node
            .receive_attestation(
                &issuer,
                key,
                ReceivedAttestation {
                    object_id: object.id,
                    subject_did: object.subject_key,
                    subject_actor: object.about,
                    claim: object.claim,
                    kind: object.kind,
                    comment: object.comment,
                    group: object.group,
                    created,
                    object: map,
                },
            )
            .await?;
        Ok(Some(Received::Applied))
    }

    /// A `Delete` by `actor` of `object_id` (already checked to be on its
    /// server): the attestation it names, if held here, withdrawn.
    pub(crate) async fn receive_attestation_delete(
        &self,
        actor: &Member,
        object_id: &str,
    ) -> Result<Option<Received>, FederationError> {
        if self
            .node
            .receive_attestation_delete(actor, object_id)
            .await?
        {
            return Ok(Some(Received::Applied));
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_proof_method_must_name_the_issuer_s_key() {
        let key = identity::Ed25519Keypair::generate().public();
        let other = identity::Ed25519Keypair::generate().public();
        let issuer = "https://a.example/users/ann";
        assert!(method_of(
            "https://a.example/users/ann#ed25519-key",
            issuer,
            &key
        ));
        assert!(method_of("https://a.example/users/ann", issuer, &key));
        assert!(!method_of("https://a.example/users/bob#key", issuer, &key));
        let did = key.to_did_key();
        assert!(method_of(&format!("{did}#{}", &did[8..]), issuer, &key));
        assert!(!method_of(&other.to_did_key(), issuer, &key));
    }
}
