//! [`HttpClient`] over the Workers `fetch` API, with a timeout (the request is aborted when it
//! fires) and a bound on the answer (the stream is read up to it, then abandoned), and
//! [`Secrets`] over the Worker's environment.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::{select, Either};
use futures_util::StreamExt;
use wasm_bindgen::JsValue;
use worker::{AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit};

use crate::core::platform::outbound::{HttpClient, OutboundError, OutboundRequest, OutboundResponse, Secrets};

/// Outbound HTTP from the Worker.
pub struct FetchClient;

/// Reads at most `max` bytes of the answer's stream, and stops there.
async fn read_bounded(res: &mut worker::Response, max: usize) -> Result<Vec<u8>, OutboundError> {
    let mut body = Vec::new();
    let mut stream = res.stream().map_err(|e| OutboundError::Connect(e.to_string()))?;
    while let Some(chunk) = stream.next().await {
        let chunk = chunk.map_err(|e| OutboundError::Connect(e.to_string()))?;
        if body.len() + chunk.len() > max {
            return Err(OutboundError::TooLarge(max));
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

#[async_trait(?Send)]
impl HttpClient for FetchClient {
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
        let refused = |e: worker::Error| OutboundError::Refused(e.to_string());
        let headers = Headers::new();
        for (k, v) in &req.headers {
            headers.set(k, v).map_err(refused)?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::from(req.method.clone())).with_headers(headers);
        if !req.body.is_empty() {
            init.with_body(Some(JsValue::from(js_sys::Uint8Array::from(req.body.as_slice()))));
        }
        let request = Request::new_with_init(&req.url, &init).map_err(refused)?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(request);
        let max = req.max_response_bytes;
        let exchange = async {
            let mut res = fetch
                .send_with_signal(&signal)
                .await
                .map_err(|e| OutboundError::Connect(e.to_string()))?;
            let body = read_bounded(&mut res, max).await?;
            Ok::<_, OutboundError>(OutboundResponse {
                status: res.status_code(),
                body,
            })
        };
        let Some(ms) = req.timeout_ms else {
            return exchange.await;
        };
        let timer = Delay::from(Duration::from_millis(ms));
        futures_util::pin_mut!(exchange);
        let result = match select(exchange, timer).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => Err(OutboundError::Timeout(ms)),
        };
        // Whatever ended the exchange, nothing more is read from that connection.
        controller.abort();
        result
    }

    async fn pause(&self, ms: u64) {
        Delay::from(Duration::from_millis(ms)).await;
    }
}

/// Worker secrets (`wrangler secret put`, `.dev.vars`), falling back to plain variables.
pub struct EnvSecrets<'a>(pub &'a Env);

impl Secrets for EnvSecrets<'_> {
    fn get(&self, name: &str) -> Option<String> {
        self.0
            .secret(name)
            .map(|s| s.to_string())
            .or_else(|_| self.0.var(name).map(|v| v.to_string()))
            .ok()
            .filter(|s| !s.is_empty())
    }
}
