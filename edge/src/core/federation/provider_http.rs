//! Talking to identity providers: bounded JSON fetches, and a cache in D1 for the documents that
//! rarely change (OpenID discovery, JWKS) so a social login does not fetch them every time.

use serde::Deserialize;
use serde_json::Value;

use crate::core::platform::db::{query_one, Stmt};
use crate::core::platform::outbound::OutboundRequest;
use crate::core::Core;

/// Per-call timeout for provider requests.
pub const PROVIDER_TIMEOUT_MS: u64 = 8_000;
/// How long discovery documents and key sets are reused.
pub const CACHE_MS: i64 = 60 * 60 * 1000;
/// An ID token with an unknown `kid` refetches the key set at most this often.
pub const REFRESH_COOLDOWN_MS: i64 = 30 * 1000;

/// Sends `req` under the outbound policy (https, public host, bounded answer) and reads a JSON
/// answer (2xx); errors name the URL.
pub async fn fetch_json(core: &Core<'_>, req: OutboundRequest) -> Result<Value, String> {
    let url = req.url.clone();
    let resp = crate::core::platform::outbound::send(core, req)
        .await
        .map_err(|e| format!("{url}: {e}"))?;
    let body: Value =
        serde_json::from_slice(&resp.body).map_err(|_| format!("{url}: not JSON (status {})", resp.status))?;
    if !(200..300).contains(&resp.status) {
        let err = body
            .get("error_description")
            .or_else(|| body.get("error"))
            .and_then(Value::as_str)
            .unwrap_or("error");
        return Err(format!("{url}: {} {err}", resp.status));
    }
    Ok(body)
}

/// A `GET` asking for JSON, with a bearer token when given.
pub fn get(url: &str, bearer: Option<&str>) -> OutboundRequest {
    let mut headers = vec![("accept".to_owned(), "application/json".to_owned())];
    if let Some(t) = bearer {
        headers.push(("authorization".into(), format!("Bearer {t}")));
    }
    OutboundRequest {
        method: "GET".into(),
        url: url.into(),
        headers,
        timeout_ms: Some(PROVIDER_TIMEOUT_MS),
        ..OutboundRequest::default()
    }
}

/// The JSON document at `url`, from the cache when it is younger than `max_age_ms`, else fetched
/// and stored. Returns it with the time it was fetched. A failed fetch stores nothing.
pub async fn cached(core: &Core<'_>, url: &str, max_age_ms: i64) -> Result<(Value, i64), String> {
    #[derive(Deserialize)]
    struct Row {
        body: String,
        fetched_at: i64,
    }
    let now = core.clock.now_ms();
    // `max_age_ms` 0 is a forced refresh: the stored copy is not even read.
    if max_age_ms > 0 {
        let row: Option<Row> = query_one(
            core.db,
            Stmt::new("SELECT body, fetched_at FROM provider_cache WHERE url = ?1").bind(url),
        )
        .await
        .map_err(|e| e.to_string())?;
        if let Some(r) = row.filter(|r| now - r.fetched_at < max_age_ms) {
            if let Ok(v) = serde_json::from_str(&r.body) {
                return Ok((v, r.fetched_at));
            }
        }
    }
    let doc = fetch_json(core, get(url, None)).await?;
    core.db
        .execute(
            Stmt::new(
                "INSERT INTO provider_cache (url, body, fetched_at) VALUES (?1, ?2, ?3) \
                 ON CONFLICT(url) DO UPDATE SET body = excluded.body, fetched_at = excluded.fetched_at",
            )
            .bind(url)
            .bind(doc.to_string())
            .bind(now),
        )
        .await
        .map_err(|e| e.to_string())?;
    Ok((doc, now))
}

#[cfg(test)]
mod tests {
    use std::cell::{Cell, RefCell};

    use async_trait::async_trait;
    use serde_json::json;

    use super::*;
    use crate::core::platform::outbound::{HttpClient, OutboundError, OutboundResponse};
    use crate::core::Clock;
    use crate::testkit::TestEnv;

    const URL: &str = "https://idp.example/.well-known/jwks.json";

    /// A provider that counts requests and answers with whatever `answer` holds.
    #[derive(Default)]
    struct Provider {
        calls: Cell<u32>,
        answer: RefCell<(u16, String)>,
    }

    #[async_trait(?Send)]
    impl HttpClient for Provider {
        async fn send(&self, req: OutboundRequest) -> Result<OutboundResponse, OutboundError> {
            assert_eq!(req.url, URL);
            self.calls.set(self.calls.get() + 1);
            let (status, body) = self.answer.borrow().clone();
            Ok(OutboundResponse {
                status,
                body: body.into_bytes(),
            })
        }
        async fn pause(&self, _ms: u64) {}
    }

    #[tokio::test]
    async fn documents_are_reused_for_an_hour_and_a_failed_refresh_keeps_the_old_one() {
        let env = TestEnv::new().await;
        let idp = Provider::default();
        *idp.answer.borrow_mut() = (200, json!({"keys": ["k1"]}).to_string());
        let core = Core {
            http: &idp,
            ..env.core()
        };

        let (first, at) = cached(&core, URL, CACHE_MS).await.unwrap();
        assert_eq!(first, json!({"keys": ["k1"]}));
        assert_eq!(at, env.clock.now_ms());
        *idp.answer.borrow_mut() = (200, json!({"keys": ["k2"]}).to_string());
        env.clock.advance_ms(CACHE_MS - 1);
        assert_eq!(cached(&core, URL, CACHE_MS).await.unwrap().0, first, "still fresh");
        assert_eq!(idp.calls.get(), 1);

        env.clock.advance_ms(1);
        assert_eq!(
            cached(&core, URL, CACHE_MS).await.unwrap().0,
            json!({"keys": ["k2"]}),
            "aged out"
        );
        assert_eq!(idp.calls.get(), 2);

        *idp.answer.borrow_mut() = (503, json!({"error": "down"}).to_string());
        assert!(cached(&core, URL, 0).await.unwrap_err().contains("503"));
        assert_eq!(idp.calls.get(), 3);
        assert_eq!(
            cached(&core, URL, CACHE_MS).await.unwrap().0,
            json!({"keys": ["k2"]}),
            "kept"
        );
        assert_eq!(idp.calls.get(), 3);
    }
}
