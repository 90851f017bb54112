//! Server-rendered pages: the password-reset page (which mounts the widget), the email
//! verification result, and the development outbox. Every page is sent with a strict
//! Content-Security-Policy: no inline script or style; `'wasm-unsafe-eval'` only lets the widget's
//! WebAssembly compile.

use html_escape::{encode_double_quoted_attribute, encode_text};

use super::http::Response;
use crate::core::oauth::authorize::AuthorizeRequest;

/// The CSP of our pages.
pub const CSP: &str = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'; img-src 'self' data:; \
                       connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'; object-src 'none'";

fn page(status: u16, title: &str, body: &str, with_widget: bool) -> Response {
    let assets = if with_widget {
        r#"<link rel="stylesheet" href="/widget.css"><script defer src="/widget.js"></script>"#
    } else {
        r#"<link rel="stylesheet" href="/widget.css">"#
    };
    let html = format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{}</title><link rel=\"icon\" href=\"data:,\">{assets}</head>\
         <body class=\"tg-page\"><main class=\"tg-page-main\">{body}</main></body></html>",
        encode_text(title)
    );
    Response::new(status, "text/html; charset=utf-8", html.into_bytes())
        .with_header("content-security-policy", CSP)
        .with_header("x-frame-options", "DENY")
        .with_header("referrer-policy", "no-referrer")
        .with_header("cache-control", "no-store")
}

/// The reset page: the widget in reset mode for `ticket`.
pub fn reset_page(ticket: &str) -> Response {
    // The page's heading names it for screen readers; the widget shows its own title.
    let body = format!(
        "<h1 class=\"tg-sr\">Reset your password</h1><div class=\"tg-host\" data-tollgate-reset-ticket=\"{}\"></div>",
        encode_double_quoted_attribute(ticket)
    );
    page(200, "Reset your password", &body, true)
}

/// The hosted login page (Universal Login): the widget in full-page mode for transaction `tx`,
/// opened at a second factor when `mfa` says the browser's login owes one.
pub fn login_page(tx: &str, req: &AuthorizeRequest, mfa: Option<&shared::wire::MfaStep>) -> Response {
    let attr = |name: &str, value: Option<&str>| {
        value.map_or(String::new(), |v| {
            format!(" data-tollgate-{name}=\"{}\"", encode_double_quoted_attribute(v))
        })
    };
    let screen = if req.screen_hint.as_deref() == Some("signup") {
        "signUp"
    } else {
        "login"
    };
    let body = format!(
        "<h1 class=\"tg-sr\">Log in or sign up</h1>\
         <div class=\"tg-host\" data-tollgate-authorize-tx=\"{}\" data-tollgate-client-id=\"{}\"{}{}{}{}{}></div>",
        encode_double_quoted_attribute(tx),
        encode_double_quoted_attribute(&req.client_id),
        attr("initial-screen", Some(screen)),
        attr("login-hint", req.login_hint.as_deref()),
        attr(
            "language",
            req.ui_locales.as_deref().and_then(|l| l.split_whitespace().next())
        ),
        attr("connection", req.connection.as_deref()),
        attr("mfa", mfa.and_then(|m| serde_json::to_string(m).ok()).as_deref()),
    );
    page(200, "Log in", &body, true)
}

/// The hosted "Manage your passkeys" page: the widget listing the session's passkeys, in the
/// application `client_id`'s settings.
pub fn passkeys_page(client_id: &str, language: Option<&str>) -> Response {
    let lang = language
        .and_then(|l| l.split_whitespace().next())
        .map_or(String::new(), |l| {
            format!(" data-tollgate-language=\"{}\"", encode_double_quoted_attribute(l))
        });
    let body = format!(
        "<h1 class=\"tg-sr\">Manage your passkeys</h1>\
         <div class=\"tg-host\" data-tollgate-client-id=\"{}\" data-tollgate-initial-screen=\"passkeys\"{lang}></div>",
        encode_double_quoted_attribute(client_id)
    );
    page(200, "Manage your passkeys", &body, true)
}

/// A page with one message (verification results, errors).
pub fn message_page(status: u16, title: &str, message: &str) -> Response {
    let body = format!(
        "<div class=\"tg-widget\"><h1 class=\"tg-title\">{}</h1><p>{}</p></div>",
        encode_text(title),
        encode_text(message)
    );
    page(status, title, &body, false)
}

/// One row of the development outbox.
pub struct OutboxRow<'a> {
    /// Recipient.
    pub to: &'a str,
    /// Subject.
    pub subject: &'a str,
    /// Body.
    pub text: &'a str,
    /// Link in the body.
    pub link: Option<&'a str>,
}

/// The development outbox page.
pub fn outbox_page(rows: &[OutboxRow<'_>]) -> Response {
    let mut body = String::from(
        "<div class=\"tg-widget tg-outbox\"><h1 class=\"tg-title\">Development outbox</h1>\
         <p>Mail the Worker \"sent\" while DEV_OUTBOX is on (loopback issuers only). Newest first.</p>",
    );
    if rows.is_empty() {
        body.push_str("<p>No mail yet.</p>");
    }
    for r in rows {
        body.push_str(&format!(
            "<article class=\"tg-mail\"><h2>{}</h2><p>To: {}</p><pre>{}</pre>",
            encode_text(r.subject),
            encode_text(r.to),
            encode_text(r.text)
        ));
        if let Some(link) = r.link {
            body.push_str(&format!(
                "<p><a href=\"{}\">Open the link</a></p>",
                encode_double_quoted_attribute(link)
            ));
        }
        body.push_str("</article>");
    }
    body.push_str("</div>");
    page(200, "Development outbox", &body, false)
}
