//! The outbound HTTP seam (mail API, legacy user stores, identity providers) and the rules every
//! call the core makes follows:
//!
//! - **Where to**: URLs an operator sets through the Management API (legacy base URL, provider
//!   endpoints, issuer discovery) and the endpoints a provider's discovery document names must be
//!   `https` with a public host ([`check_url`]). Plain `http`, `localhost`, loopback, private,
//!   link-local, CGNAT and unique-local addresses are refused unless the deployment sets the
//!   development flag `DEV_ALLOW_PRIVATE_URLS=1` (honoured only with a loopback issuer; `make dev`
//!   and the e2e suite set it). A host *name* that resolves to a private address cannot be seen
//!   from a Worker (no DNS API); on Cloudflare, `fetch` does not reach private networks anyway.
//! - **How much**: every answer is read up to the request's `max_response_bytes` and no further
//!   ([`OutboundError::TooLarge`]); the Worker's adapter stops reading the stream at the bound.
//! - **With which secret**: a connection names the Worker secret it uses, and may only name one
//!   meant for connections: `CONNECTION_SECRET_` followed by `A-Z`, `0-9`, `_`
//!   ([`check_secret_name`]). The signing-key KEK, mail and other deployment secrets are out of
//!   reach by construction.
//! - **Timeouts are final**: a call that timed out may have been processed; it is reported as
//!   [`OutboundError::Timeout`], which callers never retry (a `login` carries a password).
//!
//! The Worker implements [`HttpClient`] with `fetch`; native tests implement it however they like.

use std::fmt;
use std::net::{Ipv4Addr, Ipv6Addr};

use async_trait::async_trait;

use crate::core::error::{CoreError, CoreResult};
use crate::core::Core;

/// The largest answer read from a legacy store or identity provider.
pub const MAX_RESPONSE_BYTES: usize = 256 * 1024;

/// The prefix of every Worker secret a connection may name.
pub const CONNECTION_SECRET_PREFIX: &str = "CONNECTION_SECRET_";

/// An outgoing request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboundRequest {
    /// Method.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Give up after this long ([`OutboundError::Timeout`]).
    pub timeout_ms: Option<u64>,
    /// Stop reading the answer beyond this many bytes ([`OutboundError::TooLarge`]).
    pub max_response_bytes: usize,
}

impl Default for OutboundRequest {
    fn default() -> Self {
        Self {
            method: "GET".into(),
            url: String::new(),
            headers: Vec::new(),
            body: Vec::new(),
            timeout_ms: None,
            max_response_bytes: MAX_RESPONSE_BYTES,
        }
    }
}

/// Its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundResponse {
    /// Status code.
    pub status: u16,
    /// Body (at most the request's `max_response_bytes`).
    pub body: Vec<u8>,
}

/// Why a call got no usable answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OutboundError {
    /// No connection (refused, reset, DNS): nothing was processed, a retry is safe.
    Connect(String),
    /// No answer within the timeout: the request may have been processed; never retried.
    Timeout(u64),
    /// The answer was larger than the request's bound; reading stopped there.
    TooLarge(usize),
    /// The URL breaks the outbound policy ([`check_url`]); nothing was sent.
    Refused(String),
}

impl fmt::Display for OutboundError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Connect(e) => write!(f, "unreachable: {e}"),
            Self::Timeout(ms) => write!(f, "timed out after {ms} ms"),
            Self::TooLarge(max) => write!(f, "answer larger than {max} bytes"),
            Self::Refused(why) => write!(f, "refused by the outbound policy: {why}"),
        }
    }
}

/// Sends HTTP requests.
#[async_trait(?Send)]
pub trait HttpClient {
    /// Sends `req`, reading at most `req.max_response_bytes` of the answer.
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, OutboundError>;
    /// Waits `ms` milliseconds (back-off between retries).
    async fn pause(&self, ms: u64);
}

/// Named secrets (Worker secrets; a map in tests).
pub trait Secrets {
    /// The secret called `name`, if configured.
    fn get(&self, name: &str) -> Option<String>;
}

/// Whether `name` may be used by a connection: `CONNECTION_SECRET_[A-Z0-9_]+`.
pub fn check_secret_name(name: &str) -> Result<(), String> {
    let ok = name.strip_prefix(CONNECTION_SECRET_PREFIX).is_some_and(|rest| {
        !rest.is_empty()
            && rest
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
    });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "{name:?} is not a connection secret: connections may only name Worker secrets called {CONNECTION_SECRET_PREFIX}<A-Z 0-9 _>"
        ))
    }
}

/// The Worker secret `name` of a connection (see [`check_secret_name`]). Never logged.
pub fn connection_secret(core: &Core<'_>, name: &str) -> CoreResult<String> {
    check_secret_name(name).map_err(CoreError::Internal)?;
    core.secrets
        .get(name)
        .ok_or_else(|| CoreError::Internal(format!("connection secret {name} is not set")))
}

fn private_v4(ip: Ipv4Addr) -> bool {
    let [a, b, ..] = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_documentation()
        || ip.is_multicast()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // CGNAT 100.64.0.0/10
        || (a == 192 && b == 0) // 192.0.0.0/24 protocol assignments
        || a >= 240 // reserved
}

fn private_v6(ip: Ipv6Addr) -> bool {
    if let Some(v4) = ip.to_ipv4_mapped() {
        return private_v4(v4);
    }
    let first = ip.segments()[0];
    ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local fc00::/7
        || (first & 0xffc0) == 0xfe80 // link-local fe80::/10
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b // NAT64 (embeds IPv4)
}

/// Whether `host` names this machine or a private network.
fn private_host(host: &url::Host<&str>) -> bool {
    match host {
        url::Host::Ipv4(ip) => private_v4(*ip),
        url::Host::Ipv6(ip) => private_v6(*ip),
        url::Host::Domain(d) => {
            let d = d.trim_end_matches('.').to_ascii_lowercase();
            d == "localhost"
                || [".localhost", ".local", ".internal", ".home.arpa", ".lan"]
                    .iter()
                    .any(|s| d.ends_with(s))
                || !d.contains('.')
        }
    }
}

/// Checks an outbound URL: `https` with a public host, or anything `http(s)` when
/// `allow_private` (the development flag) is set. No credentials in the URL either way.
pub fn check_url(raw: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(raw).map_err(|e| format!("{raw:?} is not a URL: {e}"))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(format!("{raw:?} carries credentials"));
    }
    let host = url.host().ok_or_else(|| format!("{raw:?} has no host"))?;
    match (url.scheme(), allow_private) {
        ("https", _) | ("http", true) => {}
        _ => {
            return Err(format!(
                "{raw:?} must use https (http only with the development flag DEV_ALLOW_PRIVATE_URLS)"
            ))
        }
    }
    if !allow_private && private_host(&host) {
        return Err(format!(
            "{raw:?} points at a loopback or private address (allowed only with the development flag DEV_ALLOW_PRIVATE_URLS)"
        ));
    }
    Ok(url)
}

/// Sends `req` through the core's HTTP client under the outbound policy: the URL is checked
/// first, and an answer over the bound is refused even if the client read it whole.
pub async fn send(core: &Core<'_>, req: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
    check_url(&req.url, core.settings.allow_private_urls).map_err(OutboundError::Refused)?;
    let max = req.max_response_bytes;
    let resp = core.http.send(req).await?;
    if resp.body.len() > max {
        return Err(OutboundError::TooLarge(max));
    }
    Ok(resp)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_connection_secrets_may_be_named() {
        assert!(check_secret_name("CONNECTION_SECRET_GOOGLE").is_ok());
        assert!(check_secret_name("CONNECTION_SECRET_LEGACY_2").is_ok());
        for bad in [
            "KEY_ENCRYPTION_KEY",
            "MAIL_API_KEY",
            "LEGACY_SECRET",
            "ISSUER",
            "CONNECTION_SECRET_",
            "CONNECTION_SECRET_lower",
            "connection_secret_x",
            "CONNECTION_SECRET_X-Y",
        ] {
            assert!(check_secret_name(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn outbound_urls_are_https_to_public_hosts_unless_in_development() {
        for ok in [
            "https://accounts.google.com/.well-known/openid-configuration",
            "https://legacy.example.com/auth",
            "https://93.184.216.34/x",
            "https://[2606:2800:220:1::]/x",
        ] {
            assert!(check_url(ok, false).is_ok(), "{ok}");
        }
        for bad in [
            "http://legacy.example.com/auth",
            "https://localhost/x",
            "https://api.localhost/x",
            "https://127.0.0.1/x",
            "https://127.1.2.3:8443/x",
            "https://10.0.0.5/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/x",
            "https://0.0.0.0/x",
            "https://[::1]/x",
            "https://[fd00::1]/x",
            "https://[fe80::1]/x",
            "https://[::ffff:127.0.0.1]/x",
            "https://intranet/x",
            "https://printer.local/x",
            "https://user:pw@example.com/x",
            "ftp://example.com/x",
            "file:///etc/passwd",
        ] {
            assert!(check_url(bad, false).is_err(), "{bad}");
        }
        assert!(check_url("http://127.0.0.1:8788/auth", true).is_ok(), "development");
        assert!(check_url("file:///etc/passwd", true).is_err());
    }
}
