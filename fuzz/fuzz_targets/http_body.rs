//! The HTTP layer's request readers: JSON bodies (`parse_json`, into a value and into every typed
//! body of the authentication API; the Management API's `body` into each of its types),
//! `/oauth/token`'s JSON-or-form body, Basic credentials, bearer tokens, cookies, the media type,
//! query parameters (with the user search's `q` and `sort`), the client a request names (CORS),
//! and both route tables.
//! Input: method byte, then 0xFF-separated content type, authorization, cookie, path, query, body.
#![no_main]

use edge::api::{body_limit, routes};
use edge::core::directory::user_search;
use edge::fuzzing::{
    basic_credentials, bearer, json_body, management_bodies, management_route, query_param, request, request_client,
    token_request, typed_bodies,
};
use libfuzzer_sys::fuzz_target;
use tollgate_fuzz::{fields, text};

const METHODS: [&str; 6] = ["GET", "POST", "PATCH", "DELETE", "OPTIONS", "PUT"];

fuzz_target!(|data: &[u8]| {
    let Some((&method, rest)) = data.split_first() else {
        return;
    };
    let method = METHODS[usize::from(method) % METHODS.len()];
    let [content_type, authorization, cookie, path, query, body] = fields::<6>(rest);
    let (content_type, authorization, cookie) = (text(content_type), text(authorization), text(cookie));
    let path = format!("/{}", text(path).trim_start_matches('/'));
    let query = text(query);
    let mut headers = vec![("content-type", content_type.as_ref()), ("cookie", cookie.as_ref())];
    if !authorization.is_empty() {
        headers.push(("authorization", authorization.as_ref()));
    }
    let req = request(method, &format!("{path}?{query}"), &headers, body);

    let media = req.media_type();
    if json_body(&req).is_ok() {
        assert_eq!(media.as_deref(), Some("application/json"));
        assert!(req.body.len() <= body_limit(&req.path));
    }
    let _ = typed_bodies(&req);
    let _ = management_bodies(&req);
    if token_request(&req).is_ok() {
        assert!(matches!(
            media.as_deref(),
            Some("application/json" | "application/x-www-form-urlencoded")
        ));
    }
    let _ = basic_credentials(&req);
    let _ = bearer(&req);
    let _ = request_client(&req);
    for name in ["tg_session", "tg_browser", "did"] {
        let _ = req.cookie(name);
    }
    if let Some(first) = cookie.split(';').next().and_then(|c| c.split_once('=')) {
        let _ = req.cookie(first.0.trim());
    }
    if let Some(q) = query_param(&req, "q") {
        let _ = user_search::parse(&q);
    }
    if let Some(sort) = query_param(&req, "sort") {
        let _ = user_search::parse_sort(&sort);
    }
    for name in ["client_id", "state", "per_page", "page", "n"] {
        let _ = query_param(&req, name);
    }
    let _ = routes::find(method, &req.path, false);
    if let Some(rest) = req.path.strip_prefix("/api/v2/") {
        if let Some((_, id)) = management_route(method, rest) {
            assert!(!id.contains('/'), "an id is one path segment: {id:?}");
        }
    }
});
