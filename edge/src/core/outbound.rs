//! The outbound HTTP seam (mail API, later legacy systems and identity providers). The Worker
//! implements it with `fetch`; native tests can implement it however they like.

use async_trait::async_trait;

/// An outgoing request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundRequest {
    /// Method.
    pub method: String,
    /// Absolute URL.
    pub url: String,
    /// Headers.
    pub headers: Vec<(String, String)>,
    /// Body.
    pub body: Vec<u8>,
    /// Give up after this long (no answer = connection-level failure).
    pub timeout_ms: Option<u64>,
}

/// Its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct OutboundResponse {
    /// Status code.
    pub status: u16,
    /// Body.
    pub body: Vec<u8>,
}

/// Sends HTTP requests.
#[async_trait(?Send)]
pub trait HttpClient {
    /// Sends `req`; an `Err` is a connection-level failure (no answer, or the timeout passed).
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, String>;
    /// Waits `ms` milliseconds (back-off between retries).
    async fn pause(&self, ms: u64);
}

/// Named secrets (Worker secrets; a map in tests).
pub trait Secrets {
    /// The secret called `name`, if configured.
    fn get(&self, name: &str) -> Option<String>;
}
