//! [`HttpClient`] over the Workers `fetch` API, with a timeout (the request is aborted when it
//! fires), and [`Secrets`] over the Worker's environment.

use std::time::Duration;

use async_trait::async_trait;
use futures_util::future::{select, Either};
use wasm_bindgen::JsValue;
use worker::{AbortController, Delay, Env, Fetch, Headers, Method, Request, RequestInit};

use crate::core::outbound::{HttpClient, OutboundRequest, OutboundResponse, Secrets};

/// Outbound HTTP from the Worker.
pub struct FetchClient;

#[async_trait(?Send)]
impl HttpClient for FetchClient {
    async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, String> {
        let headers = Headers::new();
        for (k, v) in &req.headers {
            headers.set(k, v).map_err(|e| e.to_string())?;
        }
        let mut init = RequestInit::new();
        init.with_method(Method::from(req.method.clone())).with_headers(headers);
        if !req.body.is_empty() {
            init.with_body(Some(JsValue::from(js_sys::Uint8Array::from(req.body.as_slice()))));
        }
        let request = Request::new_with_init(&req.url, &init).map_err(|e| e.to_string())?;
        let controller = AbortController::default();
        let signal = controller.signal();
        let fetch = Fetch::Request(request);
        let exchange = async {
            let mut res = fetch.send_with_signal(&signal).await.map_err(|e| e.to_string())?;
            let body = res.bytes().await.map_err(|e| e.to_string())?;
            Ok::<_, String>(OutboundResponse {
                status: res.status_code(),
                body,
            })
        };
        let Some(ms) = req.timeout_ms else {
            return exchange.await;
        };
        let timer = Delay::from(Duration::from_millis(ms));
        futures_util::pin_mut!(exchange);
        match select(exchange, timer).await {
            Either::Left((result, _)) => result,
            Either::Right(_) => {
                controller.abort();
                Err(format!("timed out after {ms} ms"))
            }
        }
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
