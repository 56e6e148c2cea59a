//! The node's e-mail over SMTP (`[email]` in the configuration): the
//! [`web::mail::Mailer`] that the mail worker and the admin panel's test
//! message use. The node itself knows no SMTP: it queues what to send.

use std::time::Duration;

use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use web::mail::{Email, MailError, Mailer, SendFuture};

use crate::config::{ConfigError, EmailConfig};

/// How long one SMTP exchange may take before it fails (the panel waits
/// for the test message's).
const SMTP_TIMEOUT: Duration = Duration::from_secs(20);

/// Sends through one SMTP server, from one address.
#[derive(Debug)]
pub struct SmtpMailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl SmtpMailer {
    /// The mailer `config` describes; `None` when e-mail is off (no
    /// `smtp_url`). Errors name the key at fault. Call it within the
    /// runtime that will send.
    pub fn from_config(config: &EmailConfig) -> Result<Option<SmtpMailer>, ConfigError> {
        Ok(parse(config)?.map(|(builder, from)| SmtpMailer {
            transport: builder.timeout(Some(SMTP_TIMEOUT)).build(),
            from,
        }))
    }

    /// Checks `config` as [`SmtpMailer::from_config`] would, without
    /// making a transport (no runtime needed).
    pub fn check(config: &EmailConfig) -> Result<(), ConfigError> {
        parse(config).map(|_| ())
    }
}

/// The transport's builder and the sender, or `None` when e-mail is off.
fn parse(
    config: &EmailConfig,
) -> Result<Option<(lettre::transport::smtp::AsyncSmtpTransportBuilder, Mailbox)>, ConfigError> {
    let url = config.smtp_url.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let builder = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
        .map_err(|e| ConfigError::key("email.smtp_url", e))?;
    let from = config.from.trim().parse::<Mailbox>().map_err(|_| {
        ConfigError::key(
            "email.from",
            "must be an address such as \"Kodeon <noreply@example.org>\" when email.smtp_url is set",
        )
    })?;
    Ok(Some((builder, from)))
}

impl Mailer for SmtpMailer {
    fn send(&self, email: Email) -> SendFuture<'_> {
        Box::pin(async move {
            let to: Mailbox = email
                .to
                .parse()
                .map_err(|_| MailError::Address(email.to.clone()))?;
            let message = Message::builder()
                .from(self.from.clone())
                .to(to)
                .subject(email.subject)
                .header(ContentType::TEXT_PLAIN)
                .body(email.text)
                .map_err(|e| MailError::Transport(e.to_string()))?;
            self.transport
                .send(message)
                .await
                .map(|_| ())
                .map_err(|e| MailError::Transport(e.to_string()))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(smtp_url: &str, from: &str) -> EmailConfig {
        EmailConfig {
            smtp_url: smtp_url.into(),
            from: from.into(),
        }
    }

    #[tokio::test]
    async fn off_without_a_url_and_checked_with_one() {
        assert!(matches!(SmtpMailer::from_config(&config("", "")), Ok(None)));
        assert!(matches!(
            SmtpMailer::from_config(&config("smtp://127.0.0.1:2525", "Kodeon <noreply@k.test>")),
            Ok(Some(_))
        ));
        assert!(matches!(
            SmtpMailer::from_config(&config(
                "smtps://user:secret@mail.example.org",
                "noreply@example.org"
            )),
            Ok(Some(_))
        ));
        let text = |r: Result<Option<SmtpMailer>, ConfigError>| {
            r.err().map(|e| e.to_string()).unwrap_or_default()
        };
        assert!(
            text(SmtpMailer::from_config(&config("imap://x", "a@b.c"))).contains("email.smtp_url")
        );
        assert!(text(SmtpMailer::from_config(&config("smtp://x", ""))).contains("email.from"));
    }
}
