//! Handlers for the password lifecycle: change-password requests, the reset page and its API,
//! email verification, and the development outbox.

use serde::{Deserialize, Serialize};
use shared::wire::{ChangePasswordRequest, ResetDone, ResetInfo, ResetRequest};

use super::errors::WebError;
use super::http::{Request, Response};
use super::pages::{self, OutboxRow};
use super::{parse_json, query_param, App};
use crate::core::accounts::lifecycle;
use crate::core::error::CoreError;
use crate::core::platform::db::{decode, Stmt};

#[derive(Deserialize)]
struct OutboxEntry {
    to_addr: String,
    subject: String,
    body_text: String,
    link: Option<String>,
    kind: String,
}

#[derive(Serialize)]
struct OutboxJson<'a> {
    to: &'a str,
    subject: &'a str,
    text: &'a str,
    link: Option<&'a str>,
    kind: &'a str,
}

impl App<'_> {
    /// `POST /dbconnections/change_password`: plain-text answer, the same for every email.
    pub(super) async fn change_password(&self, req: &Request) -> Result<Response, WebError> {
        let body: ChangePasswordRequest = parse_json(req)?;
        let text = lifecycle::request_reset(&self.core, body, self.client_ip(req)).await?;
        Ok(Response::text(200, text))
    }

    /// `GET /lo/reset?ticket=`: the reset page (the widget in reset mode).
    pub(super) fn reset_page(&self, req: &Request) -> Response {
        match query_param(req, "ticket") {
            Some(t) if !t.is_empty() => pages::reset_page(&t),
            _ => pages::message_page(
                400,
                "Invalid link",
                "This link is incomplete. Request a new password reset.",
            ),
        }
    }

    /// `GET /lo/reset/info?ticket=`: the email and connection policy behind a valid ticket.
    pub(super) async fn reset_info(&self, req: &Request) -> Result<Response, WebError> {
        let ticket = query_param(req, "ticket").ok_or(CoreError::InvalidTicket)?;
        let (user, conn) = lifecycle::reset_info(&self.core, &ticket).await?;
        Ok(Response::json(
            200,
            &ResetInfo {
                email: user.email,
                connection: conn.info(),
            },
        )
        .with_header("cache-control", "no-store"))
    }

    /// `POST /lo/reset`: sets the new password.
    pub(super) async fn reset(&self, req: &Request) -> Result<Response, WebError> {
        let body: ResetRequest = parse_json(req)?;
        let ticket = body.ticket.filter(|t| !t.is_empty()).ok_or(CoreError::InvalidTicket)?;
        let password = body
            .password
            .ok_or_else(|| CoreError::InvalidRequest("Missing password".into()))?;
        let session = req.cookie(crate::core::oauth::sessions::SESSION_COOKIE);
        let user = lifecycle::reset_password(&self.core, &ticket, &password, session).await?;
        Ok(Response::json(
            200,
            &ResetDone {
                ok: true,
                email: user.email,
            },
        ))
    }

    /// `GET /lo/verify?ticket=`: verifies the email, answers with a page.
    pub(super) async fn verify(&self, req: &Request) -> Response {
        let ticket = query_param(req, "ticket").unwrap_or_default();
        match lifecycle::verify_email(&self.core, &ticket).await {
            Ok(user) => pages::message_page(200, "Email verified", &format!("Thanks! {} is verified.", user.email)),
            Err(CoreError::InvalidTicket) => pages::message_page(
                400,
                "Link expired",
                "This verification link is invalid, was already used or has expired.",
            ),
            Err(e) => WebError::Core(e).into_api_response(),
        }
    }

    /// `GET /dev/outbox` (HTML) and `GET /dev/outbox.json?to=` (tests): only with the dev outbox on.
    pub(super) async fn outbox(&self, req: &Request, json_out: bool) -> Result<Response, WebError> {
        if !self.config.dev_outbox {
            return Err(WebError::NotFound);
        }
        let to = query_param(req, "to").map(|t| shared::email::normalize(&t));
        let rows: Vec<OutboxEntry> = decode(
            self.core
                .db
                .query(
                    Stmt::new(
                        "SELECT to_addr, subject, body_text, link, kind FROM dev_outbox \
                         WHERE ?1 IS NULL OR to_addr = ?1 ORDER BY id DESC LIMIT 100",
                    )
                    .bind(to),
                )
                .await
                .map_err(CoreError::from)?,
        )
        .map_err(CoreError::from)?;
        if json_out {
            let out: Vec<OutboxJson> = rows
                .iter()
                .map(|r| OutboxJson {
                    to: &r.to_addr,
                    subject: &r.subject,
                    text: &r.body_text,
                    link: r.link.as_deref(),
                    kind: &r.kind,
                })
                .collect();
            return Ok(Response::json(200, &out));
        }
        let view: Vec<OutboxRow> = rows
            .iter()
            .map(|r| OutboxRow {
                to: &r.to_addr,
                subject: &r.subject,
                text: &r.body_text,
                link: r.link.as_deref(),
            })
            .collect();
        Ok(pages::outbox_page(&view))
    }
}
