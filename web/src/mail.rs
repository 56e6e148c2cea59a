//! Sending e-mail: the [`Mailer`] the binary supplies (SMTP), the words of
//! the node's messages, and the worker that drains the node's outgoing-mail
//! queue ([`node::mail`]).
//!
//! The node queues what to say in the write that calls for it; this module
//! renders each message (plain text, links from [`node::Node::urls`]) and
//! hands it to the mailer, then tells the node it was sent or failed (the
//! node retries later, or gives up).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::Duration;

use node::mail::{MailMessage, OutgoingMail};
use node::Node;
use tokio::sync::{broadcast, watch};

/// One e-mail to send: plain text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// The recipient's address.
    pub to: String,
    /// The subject line.
    pub subject: String,
    /// The body, plain text.
    pub text: String,
}

/// Why an e-mail was not sent.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MailError {
    /// The recipient's address cannot be used.
    #[error("the address {0:?} cannot be used")]
    Address(String),
    /// The mail server refused it, or could not be reached.
    #[error("{0}")]
    Transport(String),
}

/// What a [`Mailer`]'s send returns.
pub type SendFuture<'a> = Pin<Box<dyn Future<Output = Result<(), MailError>> + Send + 'a>>;

/// Sends e-mail (the binary's is SMTP, with `lettre`). A send returns once
/// the mail server has accepted the message.
pub trait Mailer: Send + Sync + fmt::Debug {
    /// Sends one message.
    fn send(&self, email: Email) -> SendFuture<'_>;
}

/// Messages sent per round of the worker.
const BATCH: usize = 20;
/// Longest sleep of the worker when nothing wakes it.
const IDLE: Duration = Duration::from_secs(60);

/// The words of a queued message: subject and plain text, with its link.
pub fn render(node: &Node, mail: &OutgoingMail) -> Email {
    let urls = node.urls();
    let name = node_name(node);
    let (subject, text) = match &mail.message {
        MailMessage::ConfirmEmail { username, token } => (
            format!("Confirm your e-mail address for {name}"),
            format!(
                "Hello {username},\n\n\
                 you signed up on {name}. To confirm this address and sign in, open this link \
                 within a day:\n\n{link}\n\n\
                 If you did not sign up, ignore this message: the account cannot be used \
                 without the link.\n",
                link = urls.confirm_email(token),
            ),
        ),
        MailMessage::ResetPassword { username, token } => (
            format!("Reset your password on {name}"),
            format!(
                "Hello {username},\n\n\
                 someone asked to reset the password of your account on {name}. To choose a \
                 new password, open this link within an hour; it works once:\n\n{link}\n\n\
                 Setting a new password signs you out everywhere. If you did not ask for \
                 this, ignore this message: your password stays as it is.\n",
                link = urls.reset_password(token),
            ),
        ),
    };
    Email {
        to: mail.to.clone(),
        subject,
        text,
    }
}

/// The test message an admin sends from the panel.
pub fn test_email(node: &Node, to: &str) -> Email {
    let name = node_name(node);
    Email {
        to: to.to_string(),
        subject: format!("Test message from {name}"),
        text: format!(
            "This is a test message from the Kodeon node at {base}.\n\n\
             If you can read it, the node can send e-mail: sign-up confirmations and \
             password reset links will arrive.\n",
            base = node.urls().base(),
        ),
    }
}

/// The node's name as messages show it: its configured name, else its
/// domain.
fn node_name(node: &Node) -> String {
    let name = node.settings().name;
    if name.trim().is_empty() {
        node.config().domain.clone()
    } else {
        name
    }
}

/// Drains the node's outgoing-mail queue with `mailer` until `shutdown`
/// turns true: sends what is due, wakes when the node queues more
/// ([`node::events::Event::MailQueued`]) or when a retry falls due.
pub async fn run_mail_worker(
    node: Arc<Node>,
    mailer: Arc<dyn Mailer>,
    mut shutdown: watch::Receiver<bool>,
) {
    let mut events = node.subscribe();
    loop {
        if *shutdown.borrow() {
            break;
        }
        let sleep = match send_due(&node, mailer.as_ref()).await {
            Ok(()) => until_next(&node),
            Err(e) => {
                tracing::warn!(error = %e, "reading the outgoing-mail queue");
                Duration::from_secs(5)
            }
        };
        tokio::select! {
            _ = mail_queued(&mut events) => {}
            _ = tokio::time::sleep(sleep) => {}
            _ = shutdown.changed() => {}
        }
    }
}

/// Sends every message due now, one batch after another.
async fn send_due(node: &Node, mailer: &dyn Mailer) -> node::NodeResult<()> {
    loop {
        let due = node.due_mail(BATCH).await?;
        let full = due.len() == BATCH;
        let mut failures = 0;
        for mail in due {
            let email = render(node, &mail);
            match mailer.send(email).await {
                Ok(()) => {
                    tracing::info!(mail = %mail.id, "e-mail sent");
                    node.mail_sent(mail.id).await?;
                }
                Err(e) => {
                    failures += 1;
                    tracing::warn!(mail = %mail.id, attempts = mail.attempts + 1, error = %e, "sending an e-mail failed; it will be tried again");
                    node.mail_failed(mail.id, &e.to_string()).await?;
                }
            }
        }
        if !full || failures == BATCH {
            return Ok(());
        }
    }
}

/// How long until the next queued message falls due (at most [`IDLE`]).
fn until_next(node: &Node) -> Duration {
    match node.next_mail_due() {
        Ok(Some(at)) => {
            let wait = at.saturating_sub(node::model::now_ms()).max(0);
            Duration::from_millis(u64::try_from(wait).unwrap_or(0)).min(IDLE)
        }
        Ok(None) => IDLE,
        Err(_) => Duration::from_secs(5),
    }
}

/// Returns when the node has queued a message (or events were missed);
/// never, once the node's events end.
async fn mail_queued(events: &mut broadcast::Receiver<node::events::Event>) {
    loop {
        match events.recv().await {
            Ok(node::events::Event::MailQueued) | Err(broadcast::error::RecvError::Lagged(_)) => {
                return
            }
            Ok(_) => {}
            Err(broadcast::error::RecvError::Closed) => std::future::pending::<()>().await,
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use std::sync::Mutex;

    use super::*;

    /// A mailer that keeps what it is given, or fails every send.
    #[derive(Debug, Default)]
    pub(crate) struct Outbox {
        pub(crate) sent: Mutex<Vec<Email>>,
        pub(crate) fail: bool,
    }

    impl Mailer for Outbox {
        fn send(&self, email: Email) -> SendFuture<'_> {
            Box::pin(async move {
                if self.fail {
                    return Err(MailError::Transport("554 relay refused".into()));
                }
                if let Ok(mut sent) = self.sent.lock() {
                    sent.push(email);
                }
                Ok(())
            })
        }
    }

    #[tokio::test]
    async fn the_worker_sends_queued_mail_with_the_node_s_links() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut config = node::NodeConfig::new(dir.path(), "k.test");
        config.email = true;
        let node = Arc::new(Node::open(config).expect("open"));
        let outbox = Arc::new(Outbox::default());
        let (stop, stopped) = watch::channel(false);
        let worker = tokio::spawn(run_mail_worker(node.clone(), outbox.clone(), stopped));
        node.register(node::members::NewMember {
            username: "alice".into(),
            email: "alice@k.test".into(),
            password: "password123".into(),
            ..Default::default()
        })
        .await
        .expect("register");
        let mut sent = Vec::new();
        for _ in 0..200 {
            sent = outbox.sent.lock().map(|s| s.clone()).unwrap_or_default();
            if !sent.is_empty() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(10)).await;
        }
        let _ = stop.send(true);
        let _ = worker.await;
        assert_eq!(sent.len(), 1, "{sent:?}");
        assert_eq!(sent[0].to, "alice@k.test");
        assert!(sent[0].subject.contains("Confirm"), "{:?}", sent[0]);
        assert!(
            sent[0].text.contains("https://k.test/confirm-email/"),
            "{}",
            sent[0].text
        );
        assert!(node.queued_mail().expect("queue").is_empty(), "sent");
    }
}
