//! The glue to `activitypub_federation`'s signing and sending task: a
//! local actor with its key, and an already-rendered activity.

use activitypub_federation::config::Data;
use activitypub_federation::traits::{Activity, Actor, Object};
use async_trait::async_trait;
use serde::{Serialize, Serializer};
use url::Url;

use crate::error::FederationError;

/// A local actor that signs: its id, inbox and PEM keys.
#[derive(Debug, Clone)]
pub struct SigningActor {
    /// The actor id (its key id is `{id}#main-key`).
    pub id: Url,
    /// Its inbox.
    pub inbox: Url,
    /// RSA public key, PEM.
    pub public_key_pem: String,
    /// RSA private key, PKCS#8 PEM.
    pub private_key_pem: String,
}

#[async_trait]
impl Object for SigningActor {
    type DataType = ();
    type Kind = serde_json::Value;
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    async fn read_from_id(_: Url, _: &Data<()>) -> Result<Option<Self>, Self::Error> {
        // Only used to sign; never dereferenced through the library.
        Ok(None)
    }

    async fn into_json(self, _: &Data<()>) -> Result<Self::Kind, Self::Error> {
        Err(FederationError::Internal(
            "local actors are rendered by discovery::person".into(),
        ))
    }

    async fn verify(_: &Self::Kind, _: &Url, _: &Data<()>) -> Result<(), Self::Error> {
        Err(FederationError::Internal("not a received object".into()))
    }

    async fn from_json(_: Self::Kind, _: &Data<()>) -> Result<Self, Self::Error> {
        Err(FederationError::Internal("not a received object".into()))
    }
}

impl Actor for SigningActor {
    fn public_key_pem(&self) -> &str {
        &self.public_key_pem
    }

    fn private_key_pem(&self) -> Option<String> {
        Some(self.private_key_pem.clone())
    }

    fn inbox(&self) -> Url {
        self.inbox.clone()
    }
}

/// An activity already rendered to JSON, sent byte for byte.
#[derive(Debug, Clone)]
pub struct RawActivity {
    /// Its id.
    pub id: Url,
    /// Its actor.
    pub actor: Url,
    /// The JSON body.
    pub json: serde_json::Value,
}

impl Serialize for RawActivity {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.json.serialize(s)
    }
}

#[async_trait]
impl Activity for RawActivity {
    type DataType = ();
    type Error = FederationError;

    fn id(&self) -> &Url {
        &self.id
    }

    fn actor(&self) -> &Url {
        &self.actor
    }

    async fn verify(&self, _: &Data<()>) -> Result<(), Self::Error> {
        Ok(())
    }

    async fn receive(self, _: &Data<()>) -> Result<(), Self::Error> {
        Err(FederationError::Internal(
            "outgoing activities are not received".into(),
        ))
    }
}
