//! [`HttpClient`] over the Workers `fetch` API.

use async_trait::async_trait;
use wasm_bindgen::JsValue;
use worker::{Fetch, Headers, Method, Request, RequestInit};

use crate::core::outbound::{HttpClient, OutboundRequest, OutboundResponse};

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
        let mut res = Fetch::Request(request).send().await.map_err(|e| e.to_string())?;
        let body = res.bytes().await.map_err(|e| e.to_string())?;
        Ok(OutboundResponse {
            status: res.status_code(),
            body,
        })
    }
}
