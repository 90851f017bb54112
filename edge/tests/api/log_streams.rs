//! Log streams (issue 27): `/api/v2/log-streams` with its scopes, the sink's authorization sealed
//! at rest and never answered, and delivery to a fake receiver — batches, filters, pause,
//! back-off and suspension.

use edge::core::logs::delivery::{Next, MAX_BATCH, MAX_FAILURES, SETTLE_MS};
use edge::core::logs::{self, Event, Record};
use edge::core::platform::db::{Database, Stmt};
use edge::core::{Clock, OsRng};
use edge::testkit::{FakeSink, SinkFault, TestEnv, MANAGEMENT_SCOPES};
use serde_json::{json, Value};

const SECRET: &str = "Bearer sink-secret-4f9a1c";

async fn call(env: &TestEnv, method: &str, path: &str, body: Option<Value>) -> edge::api::Response {
    env.management_call(MANAGEMENT_SCOPES, method, path, body).await
}

/// Creates a stream (any filters) to `endpoint`; returns its id.
async fn stream(env: &TestEnv, endpoint: &str, format: &str, filters: Value) -> String {
    let r = call(
        env,
        "POST",
        "log-streams",
        Some(json!({"name": "siem", "type": "http", "filters": filters, "sink": {
            "httpEndpoint": endpoint, "httpContentType": "application/json",
            "httpContentFormat": format, "httpAuthorization": SECRET}})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json_body()["id"].as_str().unwrap().to_owned()
}

/// Writes events of these types now, as a request's sink would after its response.
async fn happen(env: &TestEnv, kinds: &[&'static str]) {
    let records = kinds
        .iter()
        .map(|k| Record {
            event: Event::new(k, "test event").user_id("auth0|abc"),
            ip: Some("203.0.113.9".into()),
            user_agent: None,
        })
        .collect();
    logs::write(&env.db, records, env.clock.now_ms(), &OsRng).await.unwrap();
}

/// The stream as the API shows it.
async fn shown(env: &TestEnv, id: &str) -> Value {
    let r = call(env, "GET", &format!("log-streams/{id}"), None).await;
    assert_eq!(r.status, 200);
    r.json_body()
}

#[tokio::test]
async fn streams_are_managed_with_their_scopes_and_the_authorization_is_never_answered() {
    let env = TestEnv::new().await;
    let id = stream(&env, "https://siem.example.com/in", "JSONARRAY", json!([])).await;
    assert!(id.starts_with("lst_"));
    let list = call(&env, "GET", "log-streams", None).await;
    assert_eq!(list.status, 200);
    let v = list.json_body();
    assert_eq!(v[0]["id"], id.as_str());
    assert_eq!(v[0]["status"], "active");
    assert_eq!(v[0]["sink"]["httpEndpoint"], "https://siem.example.com/in");
    assert_eq!(v[0]["sink"]["httpContentFormat"], "JSONARRAY");
    assert!(v[0]["sink"].get("httpAuthorization").is_none());
    // Nowhere: not in an answer, not in the table in clear, not in the tenant log.
    let one = call(&env, "GET", &format!("log-streams/{id}"), None).await;
    let patched = call(
        &env,
        "PATCH",
        &format!("log-streams/{id}"),
        Some(json!({"name": "renamed", "sink": {"httpAuthorization": "Bearer another-secret-77"}})),
    )
    .await;
    assert_eq!(patched.status, 200);
    assert_eq!(patched.json_body()["name"], "renamed");
    let db: &dyn Database = &env.db;
    let everything = serde_json::to_string(&(
        db.query(Stmt::new("SELECT * FROM log_streams")).await.unwrap(),
        db.query(Stmt::new("SELECT * FROM logs")).await.unwrap(),
    ))
    .unwrap();
    for text in [
        String::from_utf8_lossy(&list.body).into_owned(),
        String::from_utf8_lossy(&one.body).into_owned(),
        String::from_utf8_lossy(&patched.body).into_owned(),
        everything.clone(),
    ] {
        assert!(
            !text.contains("sink-secret") && !text.contains("another-secret"),
            "{text}"
        );
    }
    assert!(
        everything.contains("/api/v2/log-streams"),
        "the writes are logged (sapi)"
    );

    // Scopes: each verb its own.
    let read_only = env
        .management_call("read:log_streams", "POST", "log-streams", Some(json!({})))
        .await;
    assert_eq!(read_only.status, 403);
    assert_eq!(
        env.management_call("read:logs", "GET", "log-streams", None)
            .await
            .status,
        403
    );
    assert_eq!(
        env.management_call("update:log_streams", "DELETE", &format!("log-streams/{id}"), None)
            .await
            .status,
        403
    );

    // Refusals in the Management API's shape.
    for (body, says) in [
        (
            json!({"type": "http", "sink": {"httpEndpoint": "http://127.0.0.1:9/in"}}),
            "must use https",
        ),
        (
            json!({"type": "http", "sink": {"httpEndpoint": "https://10.0.0.1/in"}}),
            "private address",
        ),
        (
            json!({"type": "eventbridge", "sink": {"httpEndpoint": "https://x.example.com/"}}),
            "not supported",
        ),
        (
            json!({"type": "http", "sink": {"httpEndpoint": "https://x.example.com/", "httpAuthorization": "a\r\nx-evil: 1"}}),
            "control characters",
        ),
        (
            json!({"type": "http", "filters": [{"type": "category", "name": "auth.everything"}], "sink": {"httpEndpoint": "https://x.example.com/"}}),
            "not a log stream category filter",
        ),
    ] {
        let r = call(&env, "POST", "log-streams", Some(body)).await;
        assert_eq!(r.status, 400, "{says}");
        let e = r.json_body();
        assert_eq!(e["statusCode"], 400);
        assert!(e["message"].as_str().unwrap().contains(says), "{e}");
    }
    let suspend = call(
        &env,
        "PATCH",
        &format!("log-streams/{id}"),
        Some(json!({"status": "suspended"})),
    )
    .await;
    assert_eq!(suspend.status, 400);

    assert_eq!(
        call(&env, "DELETE", &format!("log-streams/{id}"), None).await.status,
        204
    );
    assert_eq!(call(&env, "GET", &format!("log-streams/{id}"), None).await.status, 404);
    assert_eq!(
        call(&env, "DELETE", &format!("log-streams/{id}"), None).await.status,
        404
    );
}

#[tokio::test]
async fn events_after_the_streams_creation_arrive_in_bounded_batches_with_the_authorization() {
    let env = TestEnv::new().await;
    happen(&env, &["s"]).await;
    env.clock.advance_ms(10);
    let id = stream(
        &env,
        "https://siem.example.com/in",
        "JSONARRAY",
        json!([{"type": "type", "name": "s"}, {"type": "type", "name": "fp"}]),
    )
    .await;
    let sink = FakeSink::default();
    env.clock.advance_ms(10);
    happen(&env, &["s", "fp"]).await;
    // Too young: a request's batch may still be committing.
    assert_eq!(env.deliver_streams(&sink).await, Next::RetryIn(2));
    assert!(sink.requests.borrow().is_empty());
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    let events = sink.events();
    assert_eq!(events.len(), 2, "the event before the stream existed is not sent");
    assert_eq!(events[0]["data"]["type"], "s");
    assert_eq!(events[1]["data"]["type"], "fp");
    assert_eq!(events[0]["data"]["ip"], "203.0.113.9");
    assert_eq!(events[0]["log_id"], events[0]["data"]["log_id"]);
    assert_eq!(sink.header(0, "authorization").as_deref(), Some(SECRET));
    assert_eq!(sink.header(0, "content-type").as_deref(), Some("application/json"));
    let req = sink.requests.borrow()[0].clone();
    assert_eq!(req.url, "https://siem.example.com/in");
    assert!(
        req.timeout_ms.is_some_and(|t| t <= 10_000),
        "the outbound call is bounded"
    );

    // Nothing twice; a burst goes in batches of MAX_BATCH.
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    assert_eq!(sink.requests.borrow().len(), 1);
    let burst: Vec<&'static str> = vec!["s"; 2 * MAX_BATCH as usize + 5];
    happen(&env, &burst).await;
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    let sizes: Vec<usize> = sink.requests.borrow()[1..]
        .iter()
        .map(|r| serde_json::from_slice::<Vec<Value>>(&r.body).unwrap().len())
        .collect();
    assert_eq!(sizes, [MAX_BATCH as usize, MAX_BATCH as usize, 5]);
    let ids = sink.log_ids();
    let mut sorted = ids.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(ids, sorted, "in order, none twice");
    let state = shown(&env, &id).await;
    assert_eq!(state["delivery"]["delivered"], 2 + 2 * MAX_BATCH + 5);
    assert_eq!(state["delivery"]["consecutive_failures"], 0);
}

#[tokio::test]
async fn filters_choose_auth0_categories_or_single_types_and_formats_shape_the_body() {
    let env = TestEnv::new().await;
    stream(
        &env,
        "https://a.example.com/fails",
        "JSONLINES",
        json!([{"type": "category", "name": "auth.login.fail"}]),
    )
    .await;
    stream(
        &env,
        "https://b.example.com/signups",
        "JSONOBJECT",
        json!([{"type": "type", "name": "ss"}]),
    )
    .await;
    let sink = FakeSink::default();
    env.clock.advance_ms(10);
    happen(&env, &["s", "fp", "ss", "fu", "sapi", "ss"]).await;
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    let requests = sink.requests.borrow().clone();
    let to = |host: &str| {
        requests
            .iter()
            .filter(|r| r.url.contains(host))
            .cloned()
            .collect::<Vec<_>>()
    };
    let fails = to("a.example.com");
    assert_eq!(fails.len(), 1, "JSONLINES: one request");
    let kinds: Vec<String> = String::from_utf8_lossy(&fails[0].body)
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["data"]["type"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(kinds, ["fp", "fu"]);
    let signups = to("b.example.com");
    assert_eq!(signups.len(), 2, "JSONOBJECT: one request per event");
    for r in signups {
        assert_eq!(serde_json::from_slice::<Value>(&r.body).unwrap()["data"]["type"], "ss");
    }
}

#[tokio::test]
async fn a_paused_stream_delivers_nothing_and_catches_up_when_active_again() {
    let env = TestEnv::new().await;
    let id = stream(
        &env,
        "https://siem.example.com/in",
        "JSONARRAY",
        json!([{"type": "type", "name": "s"}]),
    )
    .await;
    let paused = call(
        &env,
        "PATCH",
        &format!("log-streams/{id}"),
        Some(json!({"status": "paused"})),
    )
    .await;
    assert_eq!(paused.json_body()["status"], "paused");
    let sink = FakeSink::default();
    env.clock.advance_ms(10);
    happen(&env, &["s", "s"]).await;
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    assert!(sink.requests.borrow().is_empty(), "paused: nothing sent");
    call(
        &env,
        "PATCH",
        &format!("log-streams/{id}"),
        Some(json!({"status": "active"})),
    )
    .await;
    // (The PATCH's own `sapi` event is filtered out once it is old enough.)
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    assert_eq!(sink.events().len(), 2);
}

#[tokio::test]
async fn a_failing_endpoint_is_retried_with_back_off_then_the_stream_is_suspended() {
    let env = TestEnv::new().await;
    let id = stream(
        &env,
        "https://siem.example.com/in",
        "JSONARRAY",
        json!([{"type": "type", "name": "fp"}]),
    )
    .await;
    let sink = FakeSink::default();
    sink.fault.set(SinkFault::Status(503));
    env.clock.advance_ms(10);
    happen(&env, &["fp"]).await;
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::RetryIn(2));
    assert_eq!(
        env.deliver_streams(&sink).await,
        Next::RetryIn(2),
        "backing off: no attempt yet"
    );
    assert_eq!(sink.requests.borrow().len(), 1);
    let mut waits = vec![2];
    for attempt in 2..=MAX_FAILURES {
        if attempt == 4 {
            sink.fault.set(SinkFault::Down);
        }
        if attempt == 6 {
            sink.fault.set(SinkFault::Timeout);
        }
        env.clock.advance_ms(i64::from(*waits.last().unwrap()) * 1000);
        match env.deliver_streams(&sink).await {
            Next::RetryIn(s) => waits.push(s),
            Next::Done => assert_eq!(attempt, MAX_FAILURES, "done only once suspended"),
        }
    }
    assert_eq!(waits, [2, 4, 8, 16, 32, 64, 128]);
    assert_eq!(
        sink.requests.borrow().len(),
        MAX_FAILURES as usize,
        "one request per attempt"
    );
    let state = shown(&env, &id).await;
    assert_eq!(state["status"], "suspended");
    assert_eq!(state["delivery"]["consecutive_failures"], MAX_FAILURES);
    assert!(
        state["delivery"]["last_error"].as_str().unwrap().contains("timed out"),
        "{state}"
    );
    // The tenant log says so.
    let suspended = env
        .management_call("read:logs", "GET", "logs?q=type:tg_log_stream_suspended", None)
        .await
        .json_body();
    assert_eq!(suspended.as_array().unwrap().len(), 1, "{suspended}");
    assert_eq!(suspended[0]["details"]["log_stream_id"], id.as_str());
    // Suspended: no more attempts, whatever the time.
    env.clock.advance_ms(3_600_000);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    assert_eq!(sink.requests.borrow().len(), MAX_FAILURES as usize);
    // The operator makes it active again: the waiting event goes, once.
    sink.fault.set(SinkFault::None);
    let resumed = call(
        &env,
        "PATCH",
        &format!("log-streams/{id}"),
        Some(json!({"status": "active"})),
    )
    .await;
    assert_eq!(resumed.json_body()["delivery"]["consecutive_failures"], 0);
    env.clock.advance_ms(SETTLE_MS + 1);
    assert_eq!(env.deliver_streams(&sink).await, Next::Done);
    let ids = sink.log_ids();
    assert_eq!(
        ids.len(),
        MAX_FAILURES as usize + 1,
        "at least once: the same event each attempt"
    );
    assert!(ids.windows(2).all(|w| w[0] == w[1]));
    assert_eq!(shown(&env, &id).await["delivery"]["delivered"], 1);
}
