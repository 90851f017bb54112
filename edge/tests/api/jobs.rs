//! Bulk jobs: the chunk state machine (every job ends), exact accounting, re-claims that do not
//! count their own rows as conflicts, atomic finishes, snapshot exports.

use std::cell::Cell;

use async_trait::async_trait;
use edge::api::Request;
use edge::core::management::jobs::chunks::{self, Claimed, Delivery, LEASE_MS, MAX_ATTEMPTS};
use edge::core::management::jobs::{self, ChunkMessage};
use edge::core::platform::db::{Database, DbError, Row, Stmt};
use edge::core::{Clock, Core};
use edge::testkit::{TestEnv, DB_CONNECTION_ID};
use serde_json::{json, Value};

const READ: &str = "read:users";

async fn get(env: &TestEnv, path: &str) -> Value {
    let token = env.management_token(READ).await;
    env.send(Request::new("GET", path).with_header("authorization", &format!("Bearer {token}")))
        .await
        .json_body()
}

/// Uploads `file` (text) into the test connection; the created job.
async fn upload(env: &TestEnv, file: &str, upsert: bool, external_id: &str) -> Value {
    let fields = [
        ("connection_id", DB_CONNECTION_ID),
        ("upsert", if upsert { "true" } else { "false" }),
        ("external_id", external_id),
    ];
    let r = env.post_import_text(file, &fields).await;
    assert_eq!(r.status, 201, "{}", String::from_utf8_lossy(&r.body));
    r.json_body()
}

async fn status(env: &TestEnv, job: &Value) -> Value {
    get(env, &format!("/api/v2/jobs/{}", job["id"].as_str().unwrap())).await
}

async fn errors(env: &TestEnv, job: &Value) -> Vec<(i64, String)> {
    let e = get(env, &format!("/api/v2/jobs/{}/errors", job["id"].as_str().unwrap())).await;
    e.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["index"].as_i64().unwrap(),
                e["errors"][0]["code"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

async fn chunk_state(env: &TestEnv, job: &Value, chunk: i64) -> (String, i64) {
    let rows = env
        .core()
        .db
        .query(
            Stmt::new("SELECT state, attempts FROM job_chunks WHERE job_id = ?1 AND chunk = ?2")
                .bind(job["id"].as_str().unwrap())
                .bind(chunk),
        )
        .await
        .unwrap();
    (
        rows[0]["state"].as_str().unwrap().to_owned(),
        rows[0]["attempts"].as_i64().unwrap(),
    )
}

async fn count_users(env: &TestEnv, like: &str) -> i64 {
    env.core()
        .db
        .query(Stmt::new("SELECT COUNT(*) AS n FROM users WHERE email LIKE ?1").bind(like))
        .await
        .unwrap()[0]["n"]
        .as_i64()
        .unwrap()
}

#[tokio::test]
async fn every_kind_of_row_is_counted_exactly() {
    let env = TestEnv::new().await;
    // Users already there: an email, a username and a user_id the file runs into.
    let seed = json!([
        {"email": "taken@example.com", "given_name": "Old"},
        {"email": "holder@example.com", "username": "taken_name", "user_id": "taken-id"}
    ]);
    let seeded = upload(&env, &seed.to_string(), false, "seed").await;
    env.run_jobs().await;
    assert_eq!(status(&env, &seeded).await["summary"]["inserted"], 2);

    let big = "x".repeat(300 * 1024);
    let file = format!(
        r#"[
        {{"email": "new-1@example.com"}},
        {{"email": "taken@example.com", "given_name": "New"}},
        {{"email": "NEW-1@example.com"}},
        {{"email": "new-2@example.com", "username": "taken_name"}},
        {{"email": "new-3@example.com", "user_id": "taken-id"}},
        {{"email": "new-4@example.com", "name": "{big}"}},
        {{"email": "new-5@example.com", "email_verified": tru}},
        42,
        {{"email": "not-an-email"}},
        {{"email": "new-6@example.com", "user_metadata": {{"plan": "gold"}}}}
    ]"#
    );
    let job = upload(&env, &file, false, "mixed").await;
    env.run_jobs().await;
    let done = status(&env, &job).await;
    assert_eq!(done["status"], "completed");
    assert_eq!(
        done["summary"],
        json!({"inserted": 2, "updated": 0, "failed": 8, "total": 10})
    );
    assert_eq!(
        errors(&env, &job).await,
        vec![
            (1, "DUPLICATED_USER".into()),
            (2, "DUPLICATED_USER".into()),
            (3, "CONFLICT_USERNAME".into()),
            (4, "CONFLICT".into()),
            (5, "MAX_LENGTH".into()),
            (6, "FORMAT".into()),
            (7, "INVALID_TYPE".into()),
            (8, "FORMAT".into()),
        ]
    );

    // The same file with upsert: the existing email is updated instead.
    let again = upload(&env, &file, true, "mixed-upsert").await;
    env.run_jobs().await;
    let done = status(&env, &again).await;
    assert_eq!(
        done["summary"],
        json!({"inserted": 0, "updated": 3, "failed": 7, "total": 10}),
        "new-1 and new-6 exist now, and are updated too"
    );
    let given = env
        .core()
        .db
        .query(Stmt::new(
            "SELECT given_name FROM users WHERE email = 'taken@example.com'",
        ))
        .await
        .unwrap();
    assert_eq!(given[0]["given_name"], "New");
}

#[tokio::test]
async fn a_chunk_that_fails_once_is_retried_and_the_job_completes() {
    let mut env = TestEnv::new().await;
    env.settings.job_faults = true;
    let n = jobs::split::CHUNK_MAX_ROWS + 500;
    let file: Vec<Value> = (0..n)
        .map(|i| json!({"email": format!("retry-{i}@example.com")}))
        .collect();
    let job = upload(&env, &Value::Array(file).to_string(), false, "fault:fail-first").await;
    let deliveries = env.run_jobs().await;
    let done = status(&env, &job).await;
    assert_eq!(done["status"], "completed", "{done}");
    assert_eq!(
        done["summary"],
        json!({"inserted": n, "updated": 0, "failed": 0, "total": n})
    );
    assert_eq!(chunk_state(&env, &job, 0).await, ("done".into(), 2));
    assert_eq!(chunk_state(&env, &job, 1).await, ("done".into(), 2));
    assert!(
        deliveries >= 8,
        "two chunks, each delivered, retried and duplicated: {deliveries}"
    );
    assert_eq!(count_users(&env, "retry-%").await, n as i64);
}

#[tokio::test]
async fn a_chunk_that_always_fails_ends_the_job_failed_saying_which_and_why() {
    let mut env = TestEnv::new().await;
    env.settings.job_faults = true;
    let job = upload(&env, r#"[{"email": "doomed@example.com"}]"#, false, "fault:fail-always").await;
    env.run_jobs().await;
    let done = status(&env, &job).await;
    assert_eq!(done["status"], "failed");
    assert_eq!(
        done["status_details"],
        format!("chunk 0 failed after {MAX_ATTEMPTS} attempts: internal error: injected fault")
    );
    assert_eq!(chunk_state(&env, &job, 0).await, ("failed".into(), MAX_ATTEMPTS));
    let errors = get(&env, &format!("/api/v2/jobs/{}/errors", job["id"].as_str().unwrap())).await;
    assert_eq!(errors["status"], "failed");
    // A late delivery of the failed chunk does nothing.
    let msg = ChunkMessage {
        job_id: job["id"].as_str().unwrap().into(),
        chunk: 0,
    };
    assert_eq!(jobs::process_chunk(&env.core(), env.jobs(), &msg).await, Delivery::Ack);
}

#[tokio::test]
async fn a_claimed_chunk_is_left_to_its_holder_until_the_lease_ends() {
    let env = TestEnv::new().await;
    let job = upload(&env, r#"[{"email": "leased@example.com"}]"#, false, "lease").await;
    let id = job["id"].as_str().unwrap();
    let core = env.core();
    let Claimed::Held(first) = chunks::claim(&core, id, 0).await.unwrap() else {
        panic!("the first delivery claims the chunk");
    };
    assert_eq!(first.attempts, 1);
    // Another delivery meanwhile: come back when the lease ends.
    let msg = ChunkMessage {
        job_id: id.into(),
        chunk: 0,
    };
    assert_eq!(
        jobs::process_chunk(&core, env.jobs(), &msg).await,
        Delivery::RetryIn((LEASE_MS / 1000) as u32)
    );
    // The holder died without a word; after the lease the chunk is claimed again and finishes.
    env.clock.advance_ms(LEASE_MS + 1);
    assert_eq!(jobs::process_chunk(&core, env.jobs(), &msg).await, Delivery::Ack);
    assert_eq!(chunk_state(&env, &job, 0).await, ("done".into(), 2));
    // The first holder's finish, arriving late, changes nothing.
    core.db
        .batch(chunks::finish(
            id,
            &first,
            chunks::Counts {
                inserted: 1,
                ..Default::default()
            },
            0,
            Vec::new(),
        ))
        .await
        .unwrap();
    let done = status(&env, &job).await;
    assert_eq!(
        done["summary"],
        json!({"inserted": 1, "updated": 0, "failed": 0, "total": 1})
    );
    // A duplicate delivery of the finished chunk is a no-op.
    assert_eq!(jobs::process_chunk(&core, env.jobs(), &msg).await, Delivery::Ack);
    assert_eq!(status(&env, &job).await["summary"], done["summary"]);
}

/// A database whose next batch that marks a chunk done fails (a worker dying at the end of its
/// chunk, after its rows were written).
struct DiesAtFinish<'a> {
    inner: &'a dyn Database,
    armed: Cell<bool>,
}

#[async_trait(?Send)]
impl Database for DiesAtFinish<'_> {
    async fn query(&self, stmt: Stmt) -> Result<Vec<Row>, DbError> {
        self.inner.query(stmt).await
    }
    async fn execute(&self, stmt: Stmt) -> Result<u64, DbError> {
        self.inner.execute(stmt).await
    }
    async fn batch(&self, stmts: Vec<Stmt>) -> Result<Vec<Vec<Row>>, DbError> {
        if self.armed.get() && stmts.iter().any(|s| s.sql.contains("SET state = 'done'")) {
            self.armed.set(false);
            return Err(DbError::Other("the worker died".into()));
        }
        self.inner.batch(stmts).await
    }
}

#[tokio::test]
async fn a_chunk_reclaimed_after_a_crash_does_not_count_its_own_rows_as_conflicts() {
    for upsert in [false, true] {
        let env = TestEnv::new().await;
        let mut file: Vec<Value> = (0..400)
            .map(|i| json!({"email": format!("crash-{i}@example.com")}))
            .collect();
        // One chunk whose finish carries more than 500 error rows.
        file.extend((0..600).map(|i| json!({"email": format!("bad-{i}")})));
        let job = upload(&env, &Value::Array(file).to_string(), upsert, "crash").await;
        let id = job["id"].as_str().unwrap().to_owned();
        env.queue.0.borrow_mut().clear();
        let dying = DiesAtFinish {
            inner: &env.db,
            armed: Cell::new(true),
        };
        let core = Core {
            db: &dying,
            ..env.core()
        };
        // The first attempt writes its users, then dies before its finish: nothing of the finish
        // is visible (counters, error rows and done-mark are one batch).
        let Claimed::Held(claim) = chunks::claim(&core, &id, 0).await.unwrap() else {
            panic!("claimed");
        };
        assert!(jobs::import::process(&core, env.jobs(), &id, &claim).await.is_err());
        assert_eq!(count_users(&env, "crash-%").await, 400, "the rows landed");
        let partial = status(&env, &job).await;
        assert_eq!(partial["summary"]["inserted"], 0);
        assert!(errors(&env, &job).await.is_empty(), "no error rows without the finish");
        // The chunk's message comes back after the lease; the chunk is claimed again.
        env.clock.advance_ms(LEASE_MS + 1);
        let msg = ChunkMessage {
            job_id: id.clone(),
            chunk: 0,
        };
        assert_eq!(jobs::process_chunk(&env.core(), env.jobs(), &msg).await, Delivery::Ack);
        let done = status(&env, &job).await;
        assert_eq!(done["status"], "completed");
        assert_eq!(
            done["summary"],
            json!({"inserted": 400, "updated": 0, "failed": 600, "total": 1000}),
            "upsert {upsert}"
        );
        let errs = errors(&env, &job).await;
        assert_eq!(errs.len(), 600);
        assert!(errs.iter().all(|(i, code)| *i >= 400 && code == "FORMAT"));
        assert_eq!(chunk_state(&env, &job, 0).await, ("done".into(), 2));
    }
}

#[tokio::test]
async fn uploads_become_bounded_chunk_objects_and_bad_files_leave_nothing() {
    let env = TestEnv::new().await;
    let meta = "m".repeat(9 * 1024);
    let file: Vec<Value> = (0..250)
        .map(|i| json!({"email": format!("meta-{i}@example.com"), "user_metadata": {"blob": meta}}))
        .collect();
    let job = upload(&env, &Value::Array(file).to_string(), false, "meta").await;
    let sizes: Vec<usize> = env.files.0.borrow().values().map(Vec::len).collect();
    assert!(sizes.len() >= 3, "2.3 MB in chunks of at most 768 KiB: {sizes:?}");
    assert!(sizes.iter().all(|n| *n <= jobs::split::CHUNK_MAX_BYTES));
    env.run_jobs().await;
    assert_eq!(
        status(&env, &job).await["summary"],
        json!({"inserted": 250, "updated": 0, "failed": 0, "total": 250})
    );
    assert!(env.files.0.borrow().is_empty(), "processed chunks are removed");
    // A user that is not JSON fails alone.
    let fields = [("connection_id", DB_CONNECTION_ID)];
    let job = upload(&env, r#"[{"email":"a@example.com"}, oops]"#, false, "oops").await;
    env.run_jobs().await;
    assert_eq!(
        status(&env, &job).await["summary"],
        json!({"inserted": 1, "updated": 0, "failed": 1, "total": 2})
    );
    assert_eq!(errors(&env, &job).await, vec![(1, "FORMAT".to_owned())]);
    // A file that is not an array of users: 400, no job, no objects left behind.
    for bad in [
        r#"[{"email":"b@example.com"}"#,
        r#"{"email":"b@example.com"} ]"#,
        "",
        "42",
    ] {
        let r = env.post_import_text(bad, &fields).await;
        assert_eq!(r.status, 400, "{bad:?}: {}", String::from_utf8_lossy(&r.body));
    }
    let r = env
        .post_import_text(r#"[{"email":"a@example.com"}]"#, &[("connection_id", "con_nope")])
        .await;
    assert_eq!(r.status, 400);
    assert!(env.files.0.borrow().is_empty());
    let jobs = env
        .core()
        .db
        .query(Stmt::new("SELECT COUNT(*) AS n FROM jobs"))
        .await
        .unwrap();
    assert_eq!(jobs[0]["n"], 2);
}

#[tokio::test]
async fn an_export_is_a_snapshot_in_keyset_pages() {
    let env = TestEnv::new().await;
    let file: Vec<Value> = (0..4500)
        .map(|i| json!({"email": format!("page-{i:05}@example.com")}))
        .collect();
    upload(&env, &Value::Array(file).to_string(), false, "pages").await;
    env.run_jobs().await;
    let token = env.management_token("read:users").await;
    let created = env
        .send(
            Request::new("POST", "/api/v2/jobs/users-exports")
                .with_header("authorization", &format!("Bearer {token}"))
                .with_json(
                    &json!({"connection_id": DB_CONNECTION_ID, "format": "json", "fields": [{"name": "email"}]}),
                ),
        )
        .await
        .json_body();
    assert_eq!(created["status"], "pending");
    // Users arriving and leaving while the export runs do not shift its pages.
    env.clock.advance_ms(1000);
    let late: Vec<Value> = (0..50)
        .map(|i| json!({"email": format!("late-{i}@example.com")}))
        .collect();
    upload(&env, &Value::Array(late).to_string(), false, "late").await;
    env.core()
        .db
        .execute(Stmt::new("DELETE FROM users WHERE email = 'page-00007@example.com'"))
        .await
        .unwrap();
    env.run_jobs().await;
    let done = status(&env, &created).await;
    assert_eq!(done["status"], "completed");
    let location = done["location"].as_str().unwrap();
    let path = location.trim_start_matches(edge::testkit::ISSUER.trim_end_matches('/'));
    let file = env.send(Request::new("GET", path)).await;
    assert_eq!(file.status, 200);
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(&file.body[..]), &mut text).unwrap();
    let emails: Vec<String> = text
        .lines()
        .map(|l| {
            serde_json::from_str::<Value>(l).unwrap()["email"]
                .as_str()
                .unwrap()
                .to_owned()
        })
        .collect();
    assert_eq!(emails.len(), 4499, "the snapshot, less the deleted user");
    let pages = env
        .core()
        .db
        .query(
            Stmt::new("SELECT COUNT(*) AS n FROM job_chunks WHERE job_id = ?1").bind(created["id"].as_str().unwrap()),
        )
        .await
        .unwrap();
    assert_eq!(pages[0]["n"], 3, "pages of 2,000 users");
    let mut sorted = emails.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), 4499, "no user twice");
    assert!(emails.iter().all(|e| e.starts_with("page-")), "no late user");
}

/// Users with large metadata: a page of 2000 of them would be one value over D1's 2 MB string
/// limit (the native database has D1's limits), so pages are cut by bytes and read in slices.
#[tokio::test]
async fn an_export_of_large_users_is_cut_by_bytes() {
    let env = TestEnv::new().await;
    let meta = "\"q\"".repeat(1200); // 3.6 KB stored, more once escaped again
    let file: Vec<Value> = (0..3000)
        .map(|i| json!({"email": format!("big-{i:05}@example.com"), "user_metadata": {"notes": meta}}))
        .collect();
    upload(&env, &Value::Array(file).to_string(), false, "big").await;
    env.run_jobs().await;
    let token = env.management_token("read:users").await;
    let created = env
        .send(
            Request::new("POST", "/api/v2/jobs/users-exports")
                .with_header("authorization", &format!("Bearer {token}"))
                .with_json(&json!({"connection_id": DB_CONNECTION_ID, "format": "json",
                                   "fields": [{"name": "email"}, {"name": "user_metadata"}]})),
        )
        .await
        .json_body();
    env.run_jobs().await;
    let done = status(&env, &created).await;
    assert_eq!(done["status"], "completed", "{done}");
    let pages = env
        .core()
        .db
        .query(
            Stmt::new("SELECT COUNT(*) AS n FROM job_chunks WHERE job_id = ?1").bind(created["id"].as_str().unwrap()),
        )
        .await
        .unwrap();
    // ~6.5 KB stored each (the quotes are escaped in the stored JSON): ~19.5 MB in all, so pages
    // end every ~8 MB (and at the 2,000th user): 3 or 4 pages, not one per user.
    let n = pages[0]["n"].as_i64().unwrap();
    assert!((3..=4).contains(&n), "pages cut by bytes and rows: {pages:?}");
    let location = done["location"].as_str().unwrap();
    let path = location.trim_start_matches(edge::testkit::ISSUER.trim_end_matches('/'));
    let file = env.send(Request::new("GET", path)).await;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(&file.body[..]), &mut text).unwrap();
    let lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    assert_eq!(lines.len(), 3000);
    let mut emails: Vec<&str> = lines.iter().map(|l| l["email"].as_str().unwrap()).collect();
    emails.sort();
    emails.dedup();
    assert_eq!(emails.len(), 3000, "every user once");
    assert!(lines.iter().all(|l| l["user_metadata"]["notes"] == meta));
}

/// `send_completion_email`: once the import ends, the tenant's owners and admins get one mail
/// (not viewers, not end users), however often the chunks are delivered.
#[tokio::test]
async fn an_ended_import_mails_the_administrators_once() {
    let env = TestEnv::new().await;
    env.add_member("owner@example.com", "Console-owner-pass-1", "owner")
        .await;
    env.add_member("viewer@example.com", "Console-viewer-pass-1", "viewer")
        .await;
    let file: Vec<Value> = (0..2500)
        .map(|i| json!({"email": format!("mailed-{i}@example.com")}))
        .collect();
    let fields = [
        ("connection_id", DB_CONNECTION_ID),
        ("upsert", "false"),
        ("send_completion_email", "true"),
    ];
    let created = env.post_import(&Value::Array(file), &fields).await.json_body();
    let quiet = upload(&env, "[{\"email\": \"quiet@example.com\"}]", false, "quiet").await;
    env.run_jobs().await;
    env.run_jobs().await;
    assert_eq!(status(&env, &created).await["status"], "completed");
    assert_eq!(status(&env, &quiet).await["status"], "completed");
    let mails = env
        .core()
        .db
        .query(Stmt::new(
            "SELECT to_addr, subject, body_text FROM dev_outbox WHERE kind = 'import_completed'",
        ))
        .await
        .unwrap();
    assert_eq!(mails.len(), 1, "{mails:?}");
    assert_eq!(mails[0]["to_addr"], "owner@example.com");
    assert!(
        mails[0]["body_text"].as_str().unwrap().contains("2500 inserted"),
        "{mails:?}"
    );
}

async fn export_lines(env: &TestEnv, fields: &[&str]) -> (Vec<Value>, String) {
    let token = env.management_token("read:users").await;
    let fields: Vec<Value> = fields.iter().map(|f| json!({ "name": f })).collect();
    let created = env
        .send(
            Request::new("POST", "/api/v2/jobs/users-exports")
                .with_header("authorization", &format!("Bearer {token}"))
                .with_json(&json!({"connection_id": DB_CONNECTION_ID, "format": "json", "fields": fields})),
        )
        .await
        .json_body();
    env.run_jobs().await;
    let done = status(env, &created).await;
    assert_eq!(done["status"], "completed", "{done}");
    let path = done["location"]
        .as_str()
        .unwrap()
        .trim_start_matches(edge::testkit::ISSUER.trim_end_matches('/'))
        .to_owned();
    let file = env.send(Request::new("GET", &path)).await;
    let mut text = String::new();
    std::io::Read::read_to_string(&mut flate2::read::MultiGzDecoder::new(&file.body[..]), &mut text).unwrap();
    let mut lines: Vec<Value> = text.lines().map(|l| serde_json::from_str(l).unwrap()).collect();
    lines.sort_by_key(|l| l["email"].as_str().unwrap_or_default().to_owned());
    (lines, text)
}

/// The fields SQLite formats (the default set among them) come out exactly as the user formatted
/// in Rust: same keys in the same order, same values, whatever the user holds.
#[tokio::test]
async fn exports_formatted_by_sqlite_equal_the_users_formatted_in_rust() {
    let env = TestEnv::new().await;
    let file = json!([
        {"email": "plain@example.com"},
        {"email": "full@example.com", "name": "Ada \"Countess\" Lovelace", "given_name": "Ada", "family_name": "Byron",
         "nickname": "ada", "picture": "https://example.com/a.png", "email_verified": true,
         "user_metadata": {"note": "é ✓ \u{1F600} \\ \n", "n": 1.5, "deep": {"a": [1, null, true]}},
         "app_metadata": {"plan": "pro"}},
    ]);
    upload(&env, &file.to_string(), false, "parity").await;
    env.run_jobs().await;
    env.exec(Stmt::new(
        "UPDATE users SET last_login = 1767225600123, logins_count = 7, blocked = 1 WHERE email = 'full@example.com'",
    ))
    .await;
    env.exec(Stmt::new(
        "INSERT INTO users (user_id, connection_id, email, created_at, updated_at) \
         VALUES ('google-oauth2|42', 'con_test00000000001', 'social@example.com', 1767225500001, 1767225500999)",
    ))
    .await;
    let fields = edge::core::directory::users::LINE_FIELDS;
    let (by_sql, text) = export_lines(&env, &fields).await;
    let mut forced: Vec<&str> = fields.to_vec();
    forced.push("identities[0].connection");
    let (by_rust, _) = export_lines(&env, &forced).await;
    assert_eq!(by_sql.len(), 3);
    for (a, b) in by_sql.iter().zip(&by_rust) {
        let mut b = b.clone();
        b.as_object_mut().unwrap().remove("identities[0].connection");
        assert_eq!(a, &b);
    }
    for line in text.lines() {
        let at: Vec<usize> = fields
            .iter()
            .map(|f| line.find(&format!("\"{f}\":")).unwrap())
            .collect();
        assert!(
            at.windows(2).all(|w| w[0] < w[1]),
            "keys in the requested order: {line}"
        );
    }
    // The default field set has a query of its own: the same lines again.
    let defaults = [
        "user_id",
        "email",
        "email_verified",
        "username",
        "name",
        "given_name",
        "family_name",
        "nickname",
        "picture",
        "created_at",
        "updated_at",
        "last_login",
        "logins_count",
        "blocked",
    ];
    let (by_default_sql, text) = export_lines(&env, &defaults).await;
    let mut forced = defaults.to_vec();
    forced.push("identities[0].connection");
    let (by_rust, _) = export_lines(&env, &forced).await;
    assert_eq!(by_default_sql.len(), 3);
    for (a, b) in by_default_sql.iter().zip(&by_rust) {
        let mut b = b.clone();
        b.as_object_mut().unwrap().remove("identities[0].connection");
        assert_eq!(a, &b);
    }
    for line in text.lines() {
        let at: Vec<usize> = defaults
            .iter()
            .map(|f| line.find(&format!("\"{f}\":")).unwrap())
            .collect();
        assert!(at.windows(2).all(|w| w[0] < w[1]), "keys in the default order: {line}");
    }
    assert_eq!(by_sql[2]["user_id"], "google-oauth2|42");
    assert_eq!(by_sql[0]["last_login"], "2026-01-01T00:00:00.123Z");
}

/// An export page seeks to its first user through the primary key's index: page k does not scan
/// the k pages before it.
#[tokio::test]
async fn export_pages_seek_instead_of_scanning() {
    let env = TestEnv::new().await;
    for (sql, lines) in [
        (edge::core::directory::users::KEYSET_SQL, false),
        (edge::core::directory::users::KEYSET_LINES_SQL, true),
        (edge::core::directory::users::KEYSET_DEFAULT_LINES_SQL, false),
    ] {
        let mut stmt = Stmt::new(Box::leak(format!("EXPLAIN QUERY PLAN {sql}").into_boxed_str()))
            .bind("con_test00000000001")
            .bind(1_i64)
            .bind("a")
            .bind("z")
            .bind(10_i64)
            .bind(Option::<String>::None)
            .bind(1_000_000_i64);
        if lines {
            stmt = stmt.bind("[]");
        }
        let plan = env.core().db.query(stmt).await;
        let plan = format!("{plan:?}");
        assert!(plan.contains("SEARCH users USING INDEX"), "{plan}");
        assert!(!plan.contains("SCAN users"), "{plan}");
    }
}

/// New users' ids sort by when they were made (the creation second, then random bytes, as Auth0's
/// ObjectId-shaped ids), so a bulk import appends to the users' primary-key index instead of
/// writing random pages of it; imported and signed-up users alike.
#[tokio::test]
async fn new_user_ids_sort_by_creation_time() {
    let env = TestEnv::new().await;
    let mut ids = Vec::new();
    for round in 0..3 {
        let file = json!((0..20)
            .map(|i| json!({"email": format!("r{round}-{i}@example.com")}))
            .collect::<Vec<_>>());
        upload(&env, &file.to_string(), false, &format!("round-{round}")).await;
        env.run_jobs().await;
        let signed_up = env
            .post_json(
                "/dbconnections/signup",
                json!({"client_id": edge::testkit::SPA_CLIENT, "connection": edge::testkit::DB_CONNECTION,
                       "email": format!("s{round}@example.com"), "password": "Analytical1!"}),
            )
            .await;
        assert_eq!(signed_up.status, 200, "{}", String::from_utf8_lossy(&signed_up.body));
        let round_ids: Vec<String> = env
            .core()
            .db
            .query(
                Stmt::new("SELECT user_id FROM users WHERE email LIKE ?1 OR email = ?2")
                    .bind(format!("r{round}-%"))
                    .bind(format!("s{round}@example.com")),
            )
            .await
            .unwrap()
            .iter()
            .map(|r| r["user_id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(round_ids.len(), 21);
        let second = format!("{:08x}", env.clock.now_ms() / 1000);
        for id in &round_ids {
            assert_eq!(id.len(), 24, "{id}");
            assert!(id.starts_with(&second), "{id} was made at second {second}");
        }
        ids.push(round_ids);
        env.clock.advance_ms(1000);
    }
    for pair in ids.windows(2) {
        let (earlier, later) = (&pair[0], &pair[1]);
        assert!(earlier.iter().max() < later.iter().min(), "{earlier:?} then {later:?}");
    }
    // The random part still differs between ids of one second.
    let distinct: std::collections::HashSet<&String> = ids.iter().flatten().collect();
    assert_eq!(distinct.len(), 63);
}
