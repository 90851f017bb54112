//! A reference legacy user store implementing Tollgate's legacy-forwarding contract (see the
//! README, "Legacy wire contract"): `POST /{login,get_user,create,verify,change_password,delete}`,
//! JSON in and out, every request signed with HMAC-SHA256 (`v2`, over method, path, timestamp,
//! request id and body) and refused outside a 5-minute window or when its request id was seen
//! before (a replayed `login` carries a password). Users live in SQLite with bcrypt or
//! PBKDF2-SHA256 hashes, like many systems being migrated; an unknown identifier costs the same
//! hash check as a known one, so the store's timing does not tell who exists.
//!
//! ```sh
//! cargo run -p legacy-service -- --port 9090 [--db legacy.db] [--seed-demo]   # secret: LEGACY_SECRET
//! ```
//! For tests only: `POST /__admin/fault {"mode": "none|slow|5xx|malformed|no_id|huge"}` and
//! `GET /__admin/stats` (calls per action, `replays_refused`). Both are refused unless
//! `--test-admin` is given.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use base64::engine::general_purpose::STANDARD_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use rusqlite::{params, Connection, OptionalExtension};
use serde_json::{json, Value};
use sha2::Sha256;
use subtle::ConstantTimeEq;

/// Requests older or newer than this are refused (replay window).
const WINDOW_S: i64 = 300;
/// PBKDF2 iterations for new passwords.
const PBKDF2_ITERATIONS: u32 = 25_000;

struct Args {
    port: u16,
    db: String,
    secret: String,
    seed_demo: bool,
    test_admin: bool,
}

fn args() -> Result<Args, String> {
    let mut a = Args {
        port: 9090,
        db: ":memory:".into(),
        secret: std::env::var("LEGACY_SECRET").unwrap_or_default(),
        seed_demo: false,
        test_admin: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(arg) = it.next() {
        match arg.as_str() {
            "--port" => a.port = it.next().and_then(|p| p.parse().ok()).ok_or("--port needs a number")?,
            "--db" => a.db = it.next().ok_or("--db needs a path")?,
            "--secret" => a.secret = it.next().ok_or("--secret needs a value")?,
            "--seed-demo" => a.seed_demo = true,
            "--test-admin" => a.test_admin = true,
            other => return Err(format!("unknown argument {other}")),
        }
    }
    if a.secret.is_empty() {
        return Err("set LEGACY_SECRET or --secret".into());
    }
    Ok(a)
}

fn now_s() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

fn pbkdf2_phc(password: &str) -> String {
    let mut salt = [0u8; 16];
    let _ = getrandom::getrandom(&mut salt);
    let mut out = [0u8; 32];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, PBKDF2_ITERATIONS, &mut out);
    format!(
        "$pbkdf2-sha256$i={PBKDF2_ITERATIONS},l=32${}${}",
        STANDARD_NO_PAD.encode(salt),
        STANDARD_NO_PAD.encode(out)
    )
}

fn verify_hash(password: &str, hash: &str) -> bool {
    if hash.starts_with("$2") {
        return bcrypt::verify(password, hash).unwrap_or(false);
    }
    let parts: Vec<&str> = hash.split('$').collect();
    let [_, "pbkdf2-sha256", params, salt, expected] = parts.as_slice() else {
        return false;
    };
    let iterations = params
        .split(',')
        .find_map(|p| p.strip_prefix("i="))
        .and_then(|i| i.parse().ok())
        .unwrap_or(0);
    let (Ok(salt), Ok(expected)) = (STANDARD_NO_PAD.decode(salt), STANDARD_NO_PAD.decode(expected)) else {
        return false;
    };
    let mut out = vec![0u8; expected.len()];
    pbkdf2::pbkdf2_hmac::<Sha256>(password.as_bytes(), &salt, iterations, &mut out);
    bool::from(out.ct_eq(&expected))
}

fn open(path: &str) -> rusqlite::Result<Connection> {
    let db = Connection::open(path)?;
    db.execute_batch(
        "CREATE TABLE IF NOT EXISTS users (
           user_id TEXT PRIMARY KEY, email TEXT NOT NULL UNIQUE, username TEXT UNIQUE, name TEXT,
           password_hash TEXT NOT NULL, email_verified INTEGER NOT NULL DEFAULT 0, user_metadata TEXT NOT NULL DEFAULT '{}');",
    )?;
    Ok(db)
}

/// Demo users (also in the README): bcrypt and PBKDF2 hashes, one password too weak for `good`.
fn seed_demo(db: &Connection) -> rusqlite::Result<()> {
    let bcrypt_hash = bcrypt::hash("Alice-Legacy-2019", 10).unwrap_or_default();
    let rows = [
        ("lg-alice", "alice@legacy.example", None, "Alice Anderson", bcrypt_hash),
        (
            "lg-bob",
            "bob@legacy.example",
            None,
            "Bob Brown",
            pbkdf2_phc("bob-legacy"),
        ),
        (
            "lg-carol",
            "carol@legacy.example",
            Some("carol"),
            "Carol Clark",
            pbkdf2_phc("Carol-Legacy-7"),
        ),
    ];
    for (id, email, username, name, hash) in rows {
        db.execute(
            "INSERT OR IGNORE INTO users (user_id, email, username, name, password_hash, email_verified, user_metadata)
             VALUES (?1, ?2, ?3, ?4, ?5, 1, ?6)",
            params![
                id,
                email,
                username,
                name,
                hash,
                json!({"legacy_plan": "classic"}).to_string()
            ],
        )?;
    }
    Ok(())
}

struct Row {
    user_id: String,
    email: String,
    username: Option<String>,
    name: Option<String>,
    hash: String,
    verified: bool,
    meta: String,
}

fn find(db: &Connection, identifier: &str) -> rusqlite::Result<Option<Row>> {
    db.query_row(
        "SELECT user_id, email, username, name, password_hash, email_verified, user_metadata FROM users
         WHERE email = ?1 OR username = ?1",
        params![identifier.trim().to_lowercase()],
        |r| {
            Ok(Row {
                user_id: r.get(0)?,
                email: r.get(1)?,
                username: r.get(2)?,
                name: r.get(3)?,
                hash: r.get(4)?,
                verified: r.get::<_, i64>(5)? != 0,
                meta: r.get(6)?,
            })
        },
    )
    .optional()
}

fn profile(u: &Row, with_hash: bool) -> Value {
    let mut v = json!({
        "user_id": u.user_id, "email": u.email, "email_verified": u.verified, "name": u.name,
        "username": u.username, "user_metadata": serde_json::from_str::<Value>(&u.meta).unwrap_or(json!({})),
    });
    if with_hash {
        v["password_hash"] = json!(u.hash);
    }
    v
}

/// Locks state shared by the request threads (a panicked holder does not poison it for the rest).
/// Password checks run outside the database lock, so concurrent logins verify their hashes in
/// parallel as a real service would.
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

/// A bcrypt hash (cost 10, like the demo users) no password matches: unknown identifiers are
/// checked against it, so they take as long as known ones.
fn dummy_hash() -> &'static str {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    DUMMY.get_or_init(|| bcrypt::hash("no password matches this dummy", 10).unwrap_or_default())
}

fn handle(shared: &Mutex<Connection>, action: &str, body: &Value, fault: &str) -> rusqlite::Result<Value> {
    let s = |k: &str| body[k].as_str().unwrap_or_default().to_owned();
    if action == "login" {
        let found = find(&lock(shared), &s("identifier"))?;
        return Ok(match found {
            None => {
                verify_hash(&s("password"), dummy_hash());
                json!({"verdict": "not_found"})
            }
            Some(u) if verify_hash(&s("password"), &u.hash) => {
                let mut p = profile(&u, false);
                if fault == "no_id" {
                    p["user_id"] = Value::Null;
                }
                json!({"verdict": "password_match", "user": p})
            }
            Some(_) => json!({"verdict": "no_match"}),
        });
    }
    let db = &*lock(shared);
    Ok(match action {
        "get_user" => match find(db, &s("identifier"))? {
            Some(u) => json!({"verdict": "found", "user": profile(&u, body["include_hash"] == json!(true))}),
            None => json!({"verdict": "not_found"}),
        },
        "create" => {
            let u = &body["user"];
            let email = u["email"].as_str().unwrap_or_default().to_lowercase();
            let username = u["username"].as_str().map(str::to_lowercase);
            if find(db, &email)?.is_some()
                || username
                    .as_deref()
                    .map(|n| find(db, n))
                    .transpose()?
                    .flatten()
                    .is_some()
            {
                json!({"verdict": "exists"})
            } else {
                let count: i64 = db.query_row("SELECT COUNT(*) FROM users", [], |r| r.get(0))?;
                let id = format!("lg-new-{}", count + 1);
                db.execute(
                    "INSERT INTO users (user_id, email, username, name, password_hash, user_metadata) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                    params![id, email, username, u["name"].as_str(), pbkdf2_phc(u["password"].as_str().unwrap_or_default()),
                        u.get("user_metadata").cloned().unwrap_or(json!({})).to_string()],
                )?;
                json!({"verdict": "created", "user": {"user_id": id, "email": email, "username": username}})
            }
        }
        "verify" => {
            let n = db.execute(
                "UPDATE users SET email_verified = 1 WHERE email = ?1",
                params![s("email").to_lowercase()],
            )?;
            json!({"verdict": if n > 0 { "verified" } else { "not_found" }})
        }
        "change_password" => {
            let n = db.execute(
                "UPDATE users SET password_hash = ?1 WHERE email = ?2",
                params![pbkdf2_phc(&s("password")), s("email").to_lowercase()],
            )?;
            json!({"verdict": if n > 0 { "changed" } else { "not_found" }})
        }
        "delete" => {
            let n = db.execute("DELETE FROM users WHERE user_id = ?1", params![s("user_id")])?;
            json!({"verdict": if n > 0 { "deleted" } else { "not_found" }})
        }
        _ => json!({"error": "unknown action"}),
    })
}

/// What the signature headers say about a request.
enum Signature {
    Valid,
    Invalid,
    /// Correctly signed, but its request id was seen within the window.
    Replayed,
}

/// Checks `v2=` HMAC-SHA256 over `"POST\n{path}\n{ts}\n{request id}\n{body}"`, the 5-minute window,
/// and that the request id is new (ids are remembered for the window).
fn check_signature(
    secret: &str,
    path: &str,
    headers: &SignedHeaders,
    body: &str,
    seen: &Mutex<HashMap<String, i64>>,
) -> Signature {
    let SignedHeaders { ts, request_id, sig } = headers;
    let Ok(ts_n) = ts.parse::<i64>() else {
        return Signature::Invalid;
    };
    let now = now_s();
    if (now - ts_n).abs() > WINDOW_S || request_id.len() < 16 {
        return Signature::Invalid;
    }
    let Ok(mut mac) = Hmac::<Sha256>::new_from_slice(secret.as_bytes()) else {
        return Signature::Invalid;
    };
    mac.update(format!("POST\n{path}\n{ts}\n{request_id}\n{body}").as_bytes());
    let expected = format!("v2={}", hex::encode(mac.finalize().into_bytes()));
    if !bool::from(expected.as_bytes().ct_eq(sig.as_bytes())) {
        return Signature::Invalid;
    }
    let mut seen = lock(seen);
    seen.retain(|_, at| now - *at <= WINDOW_S);
    if seen.insert(request_id.clone(), now).is_some() {
        return Signature::Replayed;
    }
    Signature::Valid
}

/// The contract's three signature headers.
struct SignedHeaders {
    ts: String,
    request_id: String,
    sig: String,
}

/// An answer: status and body (JSON unless `html`).
struct Answer {
    status: u16,
    body: String,
    html: bool,
}

fn json_response(status: u16, v: &Value) -> Answer {
    Answer {
        status,
        body: v.to_string(),
        html: false,
    }
}

/// What to answer, and how late.
struct Reply {
    answer: Answer,
    /// The `slow` fault: answer after this, past the caller's timeout.
    delay: Option<Duration>,
}

impl From<Answer> for Reply {
    fn from(answer: Answer) -> Self {
        Reply { answer, delay: None }
    }
}

#[tokio::main]
async fn main() {
    let args = match args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("legacy-service: {e}");
            std::process::exit(2);
        }
    };
    let db = match open(&args.db) {
        Ok(db) => db,
        Err(e) => {
            eprintln!("legacy-service: {e}");
            std::process::exit(1);
        }
    };
    if args.seed_demo {
        if let Err(e) = seed_demo(&db) {
            eprintln!("legacy-service: seeding: {e}");
        }
    }
    let listener = match tokio::net::TcpListener::bind(("127.0.0.1", args.port)).await {
        Ok(l) => l,
        Err(e) => {
            eprintln!("legacy-service: {e}");
            std::process::exit(1);
        }
    };
    println!("legacy-service listening on http://127.0.0.1:{}", args.port);
    let state = Arc::new((
        args,
        Shared {
            db: Mutex::new(db),
            fault: Mutex::new(String::from("none")),
            stats: Mutex::new(HashMap::new()),
            seen: Mutex::new(HashMap::new()),
        },
    ));
    loop {
        let Ok((stream, _)) = listener.accept().await else {
            continue;
        };
        let state = Arc::clone(&state);
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req| handle_http(Arc::clone(&state), req));
            let _ = hyper::server::conn::http1::Builder::new()
                .serve_connection(hyper_util::rt::TokioIo::new(stream), service)
                .await;
        });
    }
}

type HttpResponse = hyper::Response<http_body_util::Full<hyper::body::Bytes>>;

/// One HTTP exchange: the body is read (at most 64 KiB), the request decided on a blocking thread
/// (SQLite, password hashing: concurrent logins verify in parallel), the answer sent, late for the
/// `slow` fault without holding up anything else.
async fn handle_http(
    state: Arc<(Args, Shared)>,
    req: hyper::Request<hyper::body::Incoming>,
) -> Result<HttpResponse, std::convert::Infallible> {
    use http_body_util::BodyExt;
    let method = req.method().as_str().to_owned();
    let path = req.uri().path().to_owned();
    let header = |name: &str| {
        req.headers()
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
            .to_owned()
    };
    let signed = SignedHeaders {
        ts: header("x-tollgate-timestamp"),
        request_id: header("x-tollgate-request-id"),
        sig: header("x-tollgate-signature"),
    };
    let body = http_body_util::Limited::new(req.into_body(), 64 * 1024).collect().await;
    let reply = match body.map(|b| String::from_utf8(b.to_bytes().to_vec())) {
        Ok(Ok(body)) => tokio::task::spawn_blocking(move || {
            let (args, shared) = &*state;
            serve(args, shared, &method, &path, &signed, &body)
        })
        .await
        .unwrap_or_else(|_| json_response(500, &json!({"error": "handler failed"})).into()),
        _ => json_response(400, &json!({"error": "unreadable body"})).into(),
    };
    if let Some(delay) = reply.delay {
        tokio::time::sleep(delay).await;
    }
    let Answer { status, body, html } = reply.answer;
    let mut res = hyper::Response::new(http_body_util::Full::new(hyper::body::Bytes::from(body)));
    *res.status_mut() = hyper::StatusCode::from_u16(status).unwrap_or(hyper::StatusCode::INTERNAL_SERVER_ERROR);
    let content_type = if html { "text/html" } else { "application/json" };
    res.headers_mut()
        .insert("content-type", hyper::header::HeaderValue::from_static(content_type));
    Ok(res)
}

/// State shared by the requests.
struct Shared {
    db: Mutex<Connection>,
    /// Test-only fault mode (`/__admin/fault`).
    fault: Mutex<String>,
    /// Calls per action (`/__admin/stats`).
    stats: Mutex<HashMap<String, u64>>,
    /// Request ids seen in the replay window, with when.
    seen: Mutex<HashMap<String, i64>>,
}

fn serve(args: &Args, shared: &Shared, method: &str, path: &str, signed: &SignedHeaders, body: &str) -> Reply {
    if let Some(admin) = path.strip_prefix("/__admin/") {
        return if !args.test_admin {
            json_response(404, &json!({"error": "not found"}))
        } else if admin == "fault" {
            let mode = serde_json::from_str::<Value>(body)
                .ok()
                .and_then(|v| v["mode"].as_str().map(str::to_owned))
                .unwrap_or("none".into());
            *lock(&shared.fault) = mode.clone();
            json_response(200, &json!({"fault": mode}))
        } else {
            json_response(200, &json!(*lock(&shared.stats)))
        }
        .into();
    }
    let action = path.rsplit('/').next().unwrap_or_default().to_owned();
    *lock(&shared.stats).entry(action.clone()).or_default() += 1;
    let fault = lock(&shared.fault).clone();
    if fault == "slow" {
        // Answer late, past the caller's timeout.
        return Reply {
            answer: json_response(200, &json!({"verdict": "not_found"})),
            delay: Some(Duration::from_secs(7)),
        };
    }
    // Checked (and the request id remembered) before any fault is played, so a test sees every
    // request id the Worker sent, retries included.
    let signature = check_signature(&args.secret, path, signed, body, &shared.seen);
    if matches!(signature, Signature::Replayed) {
        *lock(&shared.stats).entry("replays_refused".into()).or_default() += 1;
    }
    match fault.as_str() {
        "5xx" => json_response(503, &json!({"error": "maintenance"})),
        "malformed" => Answer {
            status: 200,
            body: "<html>upstream error</html>".into(),
            html: true,
        },
        _ if method != "POST" => json_response(405, &json!({"error": "POST only"})),
        _ => match signature {
            Signature::Invalid => json_response(401, &json!({"error": "bad signature"})),
            Signature::Replayed => json_response(409, &json!({"error": "replayed request"})),
            Signature::Valid => answer(shared, &action, body, &fault),
        },
    }
    .into()
}

fn answer(shared: &Shared, action: &str, body: &str, fault: &str) -> Answer {
    match serde_json::from_str::<Value>(body) {
        Err(_) => json_response(400, &json!({"error": "body is not JSON"})),
        Ok(v) => match handle(&shared.db, action, &v, fault) {
            Ok(answer) if answer.get("error").is_some() => json_response(404, &answer),
            Ok(mut answer) => {
                if fault == "huge" {
                    // A store gone wrong: a valid verdict padded far beyond what the Worker reads.
                    answer["padding"] = json!("x".repeat(1024 * 1024));
                }
                json_response(200, &answer)
            }
            Err(e) => json_response(500, &json!({"error": e.to_string()})),
        },
    }
}
