//! Reads the Bitstring Status Lists of the certificates members imported
//! from other servers and tells the node what they say
//! ([`node::certificates::StatusDue`]): a round every
//! [`STATUS_ROUND`], each status list fetched at most once a round, each
//! checked as a credential of the certificate's own issuer
//! (`protocol::credentials::verify::check_status`) before its bit is read.

use std::collections::HashMap;
use std::future::Future;
use std::sync::Arc;
use std::time::Duration;

use node::certificates::StatusDue;
use node::model::now_ms;
use node::Node;
use protocol::credentials::contexts::Bundled;
use protocol::credentials::verify::{check_status, Timestamp};
use serde_json::{Map, Value};
use tokio::sync::watch;

use crate::client::fetch_plain_json;
use crate::error::FederationError;
use crate::service::Federation;

/// How often the worker looks for certificates due a status read.
pub const STATUS_ROUND: Duration = Duration::from_secs(600);
/// Most certificates one round reads the status of.
pub const STATUS_BATCH: usize = 500;
/// What a status list is asked for as.
const STATUS_ACCEPT: &str = "application/vc+ld+json, application/ld+json, application/json";

/// What one round did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct StatusRound {
    /// Certificates whose lists were read and that stand.
    pub standing: usize,
    /// Certificates found revoked.
    pub revoked: usize,
    /// Certificates whose list could not be read or did not verify.
    pub unreadable: usize,
}

/// One round over the certificates due a status read at `now`, fetching
/// each status list with `fetch` (at most once).
pub async fn check_imported_status<F, Fut>(
    node: &Node,
    now: i64,
    fetch: F,
) -> Result<StatusRound, FederationError>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Map<String, Value>, String>>,
{
    let due = node.imported_status_due(now, STATUS_BATCH)?;
    let mut lists: HashMap<String, Result<Map<String, Value>, String>> = HashMap::new();
    let mut round = StatusRound::default();
    for StatusDue {
        member,
        course_url,
        issuer,
        entries,
    } in due
    {
        let mut revoked = false;
        let mut unread = false;
        for entry in &entries {
            if !lists.contains_key(&entry.list_url) {
                let list = fetch(entry.list_url.clone()).await;
                lists.insert(entry.list_url.clone(), list);
            }
            let outcome = match &lists[&entry.list_url] {
                Ok(list) => check_status(entry, list, &issuer, Timestamp::now(), &Bundled),
                Err(e) => Err(e.clone()),
            };
            match outcome {
                Ok(bit) => revoked |= bit,
                Err(e) => {
                    tracing::info!(list = %entry.list_url, error = %e, "a certificate's status list could not be used");
                    unread = true;
                }
            }
        }
        let finding = if revoked {
            Some(true)
        } else if unread {
            None
        } else {
            Some(false)
        };
        match finding {
            Some(true) => round.revoked += 1,
            Some(false) => round.standing += 1,
            None => round.unreadable += 1,
        }
        node.record_imported_status(member, &course_url, &issuer, finding, now)
            .await?;
    }
    Ok(round)
}

impl Federation {
    /// Reads imported certificates' status lists, a round every
    /// [`STATUS_ROUND`], until `shutdown` turns true.
    #[tracing::instrument(skip_all)]
    pub async fn run_certificate_status(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            if *shutdown.borrow() {
                break;
            }
            let client = self.client.clone();
            let allow_private = self.settings.allow_private;
            let fetched = check_imported_status(&self.node, now_ms(), |url| {
                let client = client.clone();
                async move {
                    match fetch_plain_json(&client, &url, allow_private, STATUS_ACCEPT).await {
                        Ok(Value::Object(list)) => Ok(list),
                        Ok(_) => Err("the status list is not a JSON object".to_string()),
                        Err(e) => Err(e.to_string()),
                    }
                }
            })
            .await;
            match fetched {
                Ok(round) if round != StatusRound::default() => {
                    tracing::info!(?round, "imported certificates' status read");
                }
                Ok(_) => {}
                Err(e) => tracing::warn!(error = %e, "reading imported certificates' status"),
            }
            tokio::select! {
                _ = tokio::time::sleep(STATUS_ROUND) => {}
                _ = shutdown.changed() => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use node::courses::{LessonInput, NewCourse};
    use node::members::NewMember;
    use node::{NodeConfig, Viewer};

    async fn member(node: &Node, name: &str) -> Viewer {
        let m = node
            .register(NewMember {
                username: name.into(),
                email: format!("{name}@k.test"),
                password: "password123".into(),
                ..NewMember::default()
            })
            .await
            .expect("register");
        Viewer::Member(Box::new(m))
    }

    /// A certificate imported, read as standing, then revoked by its
    /// issuer and read as revoked; a list that cannot be fetched changes
    /// nothing.
    #[tokio::test]
    async fn a_round_reads_each_list_once_and_records_revocations() {
        let dir = tempfile::tempdir().expect("tempdir");
        let node = Node::open(NodeConfig::new(dir.path(), "k.test")).expect("open");
        let alice = member(&node, "alice").await;
        let bob = member(&node, "bob").await;
        let course = node
            .create_course(
                &alice,
                NewCourse {
                    title: "Soil".into(),
                    status: Some("published".into()),
                    certificate: true,
                    ..NewCourse::default()
                },
            )
            .await
            .expect("course")
            .course
            .id;
        let module = node
            .add_module(&alice, course, "One")
            .await
            .expect("module");
        let lesson = node
            .add_lesson(
                &alice,
                module.id,
                LessonInput {
                    title: "Loam".into(),
                    body: "Sand.".into(),
                    minutes: 5,
                },
            )
            .await
            .expect("lesson");
        node.enrol_in_course(&bob, course).await.expect("enrol");
        node.mark_lesson_done(&bob, lesson.id).await.expect("done");
        let issued = node.my_certificates(&bob).expect("mine")[0].clone();
        node.import_certificate(&bob, issued.credential.clone())
            .await
            .expect("import");
        let list_number = issued.status_index / 131_072;
        let fetches = std::sync::atomic::AtomicUsize::new(0);
        let serve = |url: String| {
            fetches.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let list = node.certificate_status_list(list_number);
            async move {
                let list = list.map_err(|e| e.to_string())?;
                if list.get("id").and_then(Value::as_str) == Some(url.as_str()) {
                    Ok(list)
                } else {
                    Err(format!("no list at {url}"))
                }
            }
        };

        let failing =
            |url: String| async move { Err::<Map<String, Value>, _>(format!("{url}: down")) };
        let round = check_imported_status(&node, now_ms(), failing)
            .await
            .expect("round");
        assert_eq!(round.unreadable, 1);
        let round = check_imported_status(&node, now_ms(), serve)
            .await
            .expect("round");
        assert_eq!((round.standing, round.revoked), (1, 0));
        assert_eq!(fetches.load(std::sync::atomic::Ordering::SeqCst), 1);
        // Read a moment ago: nothing is due.
        let round = check_imported_status(&node, now_ms(), serve)
            .await
            .expect("round");
        assert_eq!(round, StatusRound::default());

        node.revoke_certificate(&alice, issued.id)
            .await
            .expect("revoke");
        let tomorrow = now_ms() + node::certificates::STATUS_RECHECK_MS;
        let round = check_imported_status(&node, tomorrow, serve)
            .await
            .expect("round");
        assert_eq!(round.revoked, 1);
        let mine = node.my_imported_certificates(&bob).expect("mine");
        assert_eq!(mine[0].revoked_at, Some(tomorrow));
    }
}
