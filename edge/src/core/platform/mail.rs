//! Mail: a small interface and its two implementations.
//!
//! - [`HttpMailer`] posts `{"from", "to", "subject", "text"}` as JSON with `Authorization: Bearer
//!   <MAIL_API_KEY>` to `MAIL_API_URL` — the shape of most transactional mail APIs, or of a tiny
//!   relay in front of one.
//! - [`DevOutbox`] stores the mail in the `dev_outbox` table, viewable at `/dev/outbox`, for
//!   development and tests. [`loopback_origin`] refuses it unless the issuer is a loopback
//!   origin, so a production configuration cannot turn it on by accident.

use async_trait::async_trait;
use serde_json::json;

use crate::core::error::{CoreError, CoreResult};
use crate::core::platform::db::{Database, Stmt};
use crate::core::platform::outbound::{HttpClient, OutboundRequest};

/// One message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// Recipient.
    pub to: String,
    /// Subject.
    pub subject: String,
    /// Plain-text body.
    pub text: String,
    /// The action link in the body, if any.
    pub link: Option<String>,
    /// What the mail is for (`reset_password`, `verify_email`).
    pub kind: &'static str,
}

/// Sends mail.
#[async_trait(?Send)]
pub trait Mailer {
    /// Sends one message.
    async fn send(&self, mail: &Mail) -> CoreResult<()>;
}

/// Whether `issuer` is a loopback origin: development switches (the outbox, private outbound
/// URLs) are honoured only then.
pub fn loopback_origin(issuer: &str) -> bool {
    url::Url::parse(issuer)
        .ok()
        .and_then(|u| u.host_str().map(str::to_owned))
        .is_some_and(|h| {
            h == "localhost" || h == "[::1]" || h.parse::<std::net::Ipv4Addr>().is_ok_and(|ip| ip.is_loopback())
        })
}

/// Stores mail in `dev_outbox`.
pub struct DevOutbox<'a> {
    /// The database.
    pub db: &'a dyn Database,
    /// Time of sending.
    pub now_ms: i64,
}

#[async_trait(?Send)]
impl Mailer for DevOutbox<'_> {
    async fn send(&self, mail: &Mail) -> CoreResult<()> {
        self.db
            .execute(
                Stmt::new(
                    "INSERT INTO dev_outbox (to_addr, subject, body_text, link, kind, created_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                )
                .bind(&mail.to)
                .bind(&mail.subject)
                .bind(&mail.text)
                .bind(mail.link.clone())
                .bind(mail.kind)
                .bind(self.now_ms),
            )
            .await?;
        Ok(())
    }
}

/// Posts mail to an HTTP email API.
pub struct HttpMailer<'a> {
    /// Transport.
    pub http: &'a dyn HttpClient,
    /// `MAIL_API_URL`.
    pub url: String,
    /// `MAIL_API_KEY` (never logged).
    pub key: String,
    /// `MAIL_FROM`.
    pub from: String,
}

#[async_trait(?Send)]
impl Mailer for HttpMailer<'_> {
    async fn send(&self, mail: &Mail) -> CoreResult<()> {
        let body = json!({"from": self.from, "to": mail.to, "subject": mail.subject, "text": mail.text});
        let res = self
            .http
            .send(OutboundRequest {
                method: "POST".into(),
                url: self.url.clone(),
                headers: vec![
                    ("content-type".into(), "application/json".into()),
                    ("authorization".into(), format!("Bearer {}", self.key)),
                ],
                body: body.to_string().into_bytes(),
                timeout_ms: Some(10_000),
                max_response_bytes: 4096,
            })
            .await
            .map_err(|e| CoreError::Internal(format!("mail API unreachable: {e}")))?;
        if (200..300).contains(&res.status) {
            Ok(())
        } else {
            Err(CoreError::Internal(format!("mail API answered {}", res.status)))
        }
    }
}

/// Drops mail (no mailer configured); the caller logs that nothing was sent.
pub struct NoMailer;

#[async_trait(?Send)]
impl Mailer for NoMailer {
    async fn send(&self, mail: &Mail) -> CoreResult<()> {
        Err(CoreError::Internal(format!(
            "no mailer configured; {} mail not sent",
            mail.kind
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dev_outbox_only_on_loopback_issuers() {
        assert!(loopback_origin("http://127.0.0.1:8787/"));
        assert!(loopback_origin("http://localhost:3000/"));
        assert!(loopback_origin("https://127.9.9.9/"));
        assert!(!loopback_origin("https://auth.example.com/"));
        assert!(!loopback_origin("https://127.0.0.1.example.com/"));
        assert!(!loopback_origin("https://10.0.0.1/"));
        assert!(!loopback_origin("not a url"));
        assert!(!loopback_origin(""));
    }
}
