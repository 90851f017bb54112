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
    /// Sends `req`; an `Err` is a connection-level failure (no answer).
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, String>;
}
