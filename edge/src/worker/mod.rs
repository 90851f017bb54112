//! The Cloudflare Worker adapter: converts requests, builds the core seams from the environment,
//! calls [`App::handle`], converts the response. No domain logic lives here.
//!
//! Paths not handled by the API fall through to the static assets (the built widget): wrangler's
//! `[assets]` serves files first and invokes the Worker only for paths that are not files.

mod d1;
mod fetch;
mod jobs;
mod webcrypto;

use futures_util::StreamExt;
use wasm_bindgen::{JsCast, JsValue};
use worker::{
    console_error, event, Bucket, ByteStream, Context, D1Database, Env, Headers, MessageBatch, MessageBuilder,
    MessageExt, Queue, QueueRetryOptionsBuilder, Response, Result, ScheduleContext, ScheduledEvent,
};

use std::cell::RefCell;
use std::rc::Rc;
use std::sync::OnceLock;

use crate::api::{self, body_limit, App, Config};
use crate::core::credentials::admission::Admission;
use crate::core::credentials::hashing::{Argon2Config, Argon2idHasher};
use crate::core::error::CoreResult;
use crate::core::logs::delivery::{self, Next, Tick};
use crate::core::logs::writer::{self, Admit};
use crate::core::logs::{self, RequestEvents};
use crate::core::management::jobs::chunks::Delivery;
use crate::core::management::jobs::{process_chunk, ChunkMessage, Jobs};
use crate::core::platform::cache::{CachedDb, ReadCache};
use crate::core::platform::mail::{loopback_origin, DevOutbox, HttpMailer, Mail, Mailer, NoMailer};
use crate::core::platform::outbound::Secrets;
use crate::core::platform::secrets::parse_kek;
use crate::core::{Clock, Core, Logger, OsRng, Settings};

struct ConsoleLogger;

impl Logger for ConsoleLogger {
    fn log(&self, msg: &str) {
        console_error!("{msg}");
    }
}

struct WorkerClock;

impl Clock for WorkerClock {
    fn now_ms(&self) -> i64 {
        worker::Date::now().as_millis() as i64
    }
}

/// Reads at most `limit + 1` bytes, so an oversized body is detected without buffering it.
/// `declared` is the request's `Content-Length`.
async fn read_body(req: &web_sys::Request, declared: Option<&str>, limit: usize) -> Result<Vec<u8>> {
    match declared.map(|v| v.parse::<usize>()) {
        Some(Ok(declared)) if declared > limit => return Ok(vec![0; limit + 1]),
        // A declared length bounds the body (the runtime ends it there): one `arrayBuffer()` and
        // one copy, not a read per chunk through the stream API (~1 ms of a token request's profile).
        Some(Ok(_)) => {
            let buf = wasm_bindgen_futures::JsFuture::from(req.array_buffer()?).await?;
            return Ok(js_sys::Uint8Array::new(&buf).to_vec());
        }
        _ => {}
    }
    // No (valid) declared length: the stream, up to the bound.
    let mut body = Vec::new();
    if let Some(stream) = req.body() {
        let mut stream = ByteStream::from(stream);
        while let Some(chunk) = stream.next().await {
            body.extend_from_slice(&chunk?);
            if body.len() > limit {
                break;
            }
        }
    }
    Ok(body)
}

/// Whether `CF-Connecting-IP` is the client's address: only where Cloudflare sets it (a deployed
/// Worker; `TRUST_CF_CONNECTING_IP = "1"` in wrangler.toml). Under `wrangler dev` or self-hosted
/// workerd the header is whatever the client sent, so it is ignored and every client shares the
/// per-IP counters — strict, never liftable by a header.
fn trust_client_ip(env: &Env) -> bool {
    env.var("TRUST_CF_CONNECTING_IP").is_ok_and(|v| v.to_string() == "1")
}

#[wasm_bindgen::prelude::wasm_bindgen(inline_js = "
export function request_head(r) {
  const u = new URL(r.url);
  let head = r.method + '\\n' + u.pathname + '\\n' + u.search;
  for (const [name, value] of r.headers) head += '\\n' + name + '\\n' + value;
  return head;
}
export function response_of(status, head, body) {
  const headers = new Headers();
  const h = head.split('\\n');
  for (let i = 0; i + 1 < h.length; i += 2) headers.append(h[i], h[i + 1]);
  return new Response(body, { status, headers });
}
")]
extern "C" {
    /// The request's method, path, search and headers in one text ([`api::Request::from_head`]), with
    /// the platform's URL parser.
    fn request_head(req: &web_sys::Request) -> String;
    /// The platform's response from a status, the headers in one text ([`api::Response::head`]) and
    /// the body, copied once.
    #[wasm_bindgen(catch)]
    fn response_of(status: u16, head: &str, body: Vec<u8>) -> std::result::Result<web_sys::Response, JsValue>;
}

/// The runtime's request as the HTTP layer's. It reads the raw `web_sys::Request`, not worker-rs's
/// `Request`, whose construction reads `request.cf` — an object workerd builds on first access, the
/// largest single item of a trivial request's profile — which nothing here uses.
async fn to_api(req: web_sys::Request, trust_ip: bool) -> Result<api::Request> {
    // The head comes over in one call and one string (`request_head`): reading the URL, the method
    // and each header through its own binding was most of a trivial request's glue.
    let mut out = api::Request::from_head(&request_head(&req));
    if trust_ip {
        out.ip = out.header("cf-connecting-ip").map(str::to_owned);
    }
    let upload = out.method == "POST" && out.path == IMPORT_PATH;
    out.body = match out.method.as_str() {
        "GET" | "HEAD" | "OPTIONS" => Vec::new(),
        // An import upload is read as it arrives (split into R2 objects on the way), never whole.
        _ if upload => Vec::new(),
        _ => read_body(&req, out.header("content-length"), body_limit(&out.path)).await?,
    };
    if upload {
        let raw = req
            .body()
            .ok_or_else(|| worker::Error::RustError("no body for request".into()))?;
        let chunks = ByteStream::from(raw).map(|piece| piece.map_err(|e| e.to_string()));
        out.stream = api::BodyStream::new(jobs::LocalStream(Box::pin(chunks)).boxed());
    }
    Ok(out)
}

thread_local! {
    /// This isolate's cache of configuration reads (`core::cache`).
    static CONFIG_READS: std::cell::OnceCell<&'static ReadCache> = const { std::cell::OnceCell::new() };
    /// When this isolate may send its next log stream tick (ms): at most one per
    /// `delivery::TICK_DELAY_S`, and the tick's run delivers everything written until then.
    static NEXT_TICK: std::cell::Cell<i64> = const { std::cell::Cell::new(0) };
    /// The isolate's bindings, by name ([`binding`]).
    static BINDINGS: RefCell<Vec<(&'static str, JsValue)>> = const { RefCell::new(Vec::new()) };
    /// This isolate's tenant log inserts waiting for its writer (`core::logs::writer`).
    static LOG_WRITES: Rc<RefCell<writer::Pending>> = Rc::default();
}

/// A binding looked up once per isolate: bindings do not change within an isolate, and each lookup
/// through `Env` is reflection across the boundary plus a check of the constructor's name (under
/// `wrangler dev`, the D1 lookup alone was ~4 % of a token request's CPU). A missing binding is
/// looked up again next time.
fn binding<T: JsCast>(name: &'static str, lookup: impl FnOnce() -> Result<T>) -> Result<T> {
    BINDINGS.with(|cached| {
        if let Some((_, b)) = cached.borrow().iter().find(|(n, _)| *n == name) {
            return Ok(b.clone().unchecked_into());
        }
        let b = lookup()?;
        cached.borrow_mut().push((name, b.as_ref().clone()));
        Ok(b)
    })
}

/// The D1 database (binding `DB`).
fn database(env: &Env) -> Result<D1Database> {
    binding("DB", || env.d1("DB"))
}

/// The queue bound as `name` (`JOBS`, `LOG_STREAMS`).
fn queue_binding(env: &Env, name: &'static str) -> Result<Queue> {
    binding(name, || env.queue(name))
}

/// The R2 bucket bound as `name` (`JOB_FILES`).
fn bucket_binding(env: &Env, name: &'static str) -> Result<Bucket> {
    binding(name, || env.bucket(name))
}

/// Whether this isolate may send a log stream tick now (and then not for `TICK_DELAY_S`).
fn tick_due() -> bool {
    let now = WorkerClock.now_ms();
    NEXT_TICK.with(|next| {
        let due = next.get() <= now;
        if due {
            next.set(now + i64::from(delivery::TICK_DELAY_S) * 1000);
        }
        due
    })
}

/// The queue of log stream ticks (`core::logs::delivery`).
const LOG_STREAMS_QUEUE: &str = "tollgate-log-streams";

/// The path of import uploads, whose bodies are streamed.
const IMPORT_PATH: &str = "/api/v2/jobs/users-imports";

/// The HTTP layer's response as the platform's. A body in memory (every response but an export
/// download) is built in one call (`response_of`): building the `Headers` one binding call per
/// header, then a `Uint8Array`, a `ResponseInit` and the `Response`, was the response's share of a
/// trivial request's glue.
fn from_api(res: api::Response, files: Option<Bucket>) -> Result<web_sys::Response> {
    if let Some(e) = &res.internal_error {
        console_error!("internal error: {e}");
    }
    if res.objects.is_empty() {
        let head = res
            .head()
            .ok_or_else(|| worker::Error::RustError("a response header with a line break".into()))?;
        return response_of(res.status, &head, res.body).map_err(worker::Error::from);
    }
    // Stored objects (an export's parts) are streamed from R2, one at a time.
    let Some(bucket) = files else {
        return Ok(Response::error("the JOB_FILES bucket binding is missing", 500)?.into());
    };
    let headers = Headers::new();
    for (k, v) in &res.headers {
        headers.append(k, v)?;
    }
    let head = futures_util::stream::once(std::future::ready(Ok::<_, worker::Error>(res.body)));
    let response = Response::from_stream(head.chain(jobs::objects_stream(bucket, res.objects)))?;
    Ok(response.with_status(res.status).with_headers(headers).into())
}

/// A secret (`wrangler secret put`, `.dev.vars`) or, failing that, a plain variable.
fn secret_or_var(env: &Env, name: &str) -> Option<String> {
    fetch::EnvSecrets(env).get(name)
}

fn config(env: &Env, settings: &Settings) -> Config {
    let kek = secret_or_var(env, "KEY_ENCRYPTION_KEY").and_then(|k| match parse_kek(&k) {
        Ok(k) => Some(k),
        Err(e) => {
            console_error!("{e}");
            None
        }
    });
    let wants_outbox = env.var("DEV_OUTBOX").is_ok_and(|v| v.to_string() == "1");
    let dev_outbox = wants_outbox && loopback_origin(&settings.issuer);
    if wants_outbox && !dev_outbox {
        console_error!(
            "DEV_OUTBOX is ignored: the issuer {} is not a loopback origin",
            settings.issuer
        );
    }
    Config {
        kek,
        dev_outbox,
        bench_routes: env.var("BENCH_ROUTES").is_ok_and(|v| v.to_string() == "1"),
    }
}

fn settings(env: &Env) -> Settings {
    let mut issuer = env.var("ISSUER").map(|v| v.to_string()).unwrap_or_default();
    if !issuer.ends_with('/') {
        issuer.push('/');
    }
    let mut settings = Settings::new(&issuer);
    // Development only, and only with a loopback issuer: a deployment cannot turn it on by accident.
    let wants_private = env.var("DEV_ALLOW_PRIVATE_URLS").is_ok_and(|v| v.to_string() == "1");
    settings.allow_private_urls = wants_private && loopback_origin(&issuer);
    if wants_private && !settings.allow_private_urls {
        console_error!("DEV_ALLOW_PRIVATE_URLS is ignored: the issuer {issuer} is not a loopback origin");
    }
    // Test-only job faults, like the private URLs: never with a public issuer.
    settings.job_faults = loopback_origin(&issuer) && env.var("JOB_FAULTS").is_ok_and(|v| v.to_string() == "1");
    settings.passkey_rp_id = env
        .var("PASSKEY_RP_ID")
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.is_empty());
    // Read as a JSON number: `str::parse::<f64>` would link core's 10 KB table of powers of five
    // for this one variable (serde_json parses numbers without it).
    if let Some(scale) = env
        .var("RATE_LIMIT_SCALE")
        .ok()
        .and_then(|v| serde_json::from_str::<f64>(v.to_string().trim()).ok())
    {
        if scale.is_finite() && scale > 0.0 {
            settings.rate_limit_scale = scale;
        }
    }
    settings
}

/// One hasher per isolate, so its dummy hash (for unknown users) is computed once and its
/// admission bound (`credentials::admission`) counts every request of the isolate. Parameters come
/// from `ARGON2_PARAMS` (`m=19456,t=2,p=1`) and `PASSWORD_WORK` (`permits=2,queue=256`), else the
/// defaults.
fn hasher(env: &Env) -> &'static Argon2idHasher {
    static HASHER: OnceLock<Argon2idHasher> = OnceLock::new();
    HASHER.get_or_init(|| {
        let config = configured(env, "ARGON2_PARAMS", Argon2Config::parse);
        let admission = configured(env, "PASSWORD_WORK", Admission::parse);
        Argon2idHasher::with_admission(config, admission)
    })
}

/// The isolate's rate-limit buckets of hot paths (`protection::local`).
fn local_buckets() -> &'static crate::core::protection::local::LocalBuckets {
    static BUCKETS: OnceLock<crate::core::protection::local::LocalBuckets> = OnceLock::new();
    BUCKETS.get_or_init(Default::default)
}

/// A setting parsed from variable `name`; its default when unset or (logged) malformed.
fn configured<T: Default>(env: &Env, name: &str, parse: impl Fn(&str) -> Result<T, String>) -> T {
    match env.var(name).map(|v| parse(&v.to_string())) {
        Ok(Ok(c)) => c,
        Ok(Err(e)) => {
            console_error!("{name} ignored: {e}");
            T::default()
        }
        Err(_) => T::default(),
    }
}

#[event(start)]
fn start() {
    console_error_panic_hook::set_once();
}

/// Sends mail through the HTTP mail API *after* the response (`ctx.wait_until`): a request for a
/// known account (reset link, verification) then answers as fast as one for an unknown account,
/// so response time does not tell who has an account. Failures are logged, without the API key.
struct BackgroundMailer<'a> {
    ctx: &'a Context,
    /// `(MAIL_API_URL, MAIL_API_KEY, MAIL_FROM)`, copied only when a mail is sent.
    config: &'a (String, String, String),
}

#[async_trait::async_trait(?Send)]
impl Mailer for BackgroundMailer<'_> {
    async fn send(&self, mail: &Mail) -> CoreResult<()> {
        let (url, key, from) = self.config;
        let mailer = HttpMailer {
            http: &fetch::FetchClient,
            url: url.clone(),
            key: key.clone(),
            from: from.clone(),
        };
        let mail = mail.clone();
        self.ctx.wait_until(async move {
            if let Err(e) = mailer.send(&mail).await {
                console_error!("{} mail not sent: {e}", mail.kind);
            }
        });
        Ok(())
    }
}

/// What the isolate reads from its environment. Variables and secrets are fixed for an isolate's
/// life (a deployment or `wrangler secret put` starts new isolates), so they are read and parsed
/// once per isolate: each read is a call across the wasm boundary and a string copy, about twenty
/// of them per request before, with the key-encryption key decoded every time.
struct Environment {
    settings: Settings,
    config: Config,
    /// The mail API's URL, key and sender (`MAIL_API_URL`, `MAIL_API_KEY`, `MAIL_FROM`).
    http_mailer: Option<(String, String, String)>,
    trust_ip: bool,
}

fn environment(env: &Env) -> &'static Environment {
    static ENVIRONMENT: OnceLock<Environment> = OnceLock::new();
    ENVIRONMENT.get_or_init(|| {
        let settings = settings(env);
        let config = config(env, &settings);
        let http_mailer = match (secret_or_var(env, "MAIL_API_URL"), secret_or_var(env, "MAIL_API_KEY")) {
            (Some(url), Some(key)) => Some((
                url,
                key,
                secret_or_var(env, "MAIL_FROM").unwrap_or_else(|| "no-reply@localhost".into()),
            )),
            _ => None,
        };
        Environment {
            settings,
            config,
            http_mailer,
            trust_ip: trust_client_ip(env),
        }
    })
}

/// The seams of one invocation, so `fetch` and `queue` build the core the same way.
struct Runtime {
    ctx: Context,
    env: Env,
    db: d1::D1,
    /// The isolate's variables and secrets, read once.
    isolate: &'static Environment,
    /// This invocation's tenant log events (`core::logs`), written by [`Runtime::write_events`].
    events: RequestEvents,
}

impl Runtime {
    fn new(env: Env, ctx: Context) -> Result<Self> {
        let db = d1::D1(database(&env)?);
        let isolate = environment(&env);
        Ok(Self {
            ctx,
            env,
            db,
            isolate,
            events: RequestEvents::default(),
        })
    }

    /// Queues the invocation's tenant log events for the isolate's log writer (`core::logs::writer`)
    /// and, when none is running, becomes it: *after* the response (`ctx.wait_until`, as mail) it
    /// writes everything queued in one D1 batch, then what the requests answered meanwhile queued.
    /// Logging never adds a round trip to the response path, and an isolate under load writes one
    /// batch per round trip instead of one per request.
    fn write_events(&self) {
        let stmts = logs::statements(self.events.take(), WorkerClock.now_ms(), &OsRng);
        let stmts = match LOG_WRITES.with(|pending| pending.borrow_mut().push(stmts)) {
            Admit::Queued => return,
            Admit::Write => None,
            Admit::Full(own) => Some(own),
        };
        let Ok(db) = database(&self.env) else {
            if stmts.is_none() {
                LOG_WRITES.with(|pending| pending.borrow_mut().abandon());
            }
            console_error!("tenant logs not written: no DB binding");
            return;
        };
        let streams = queue_binding(&self.env, "LOG_STREAMS").ok();
        self.ctx.wait_until(async move {
            let db = d1::D1(db);
            let mut written = false;
            let failed = |e: &crate::core::platform::db::DbError| console_error!("tenant logs not written: {e}");
            match stmts {
                // The queue is full: this request's own events, in a batch of their own.
                Some(own) => match crate::core::platform::db::Database::batch(&db, own).await {
                    Ok(_) => written = true,
                    Err(e) => failed(&e),
                },
                None => {
                    let pending = LOG_WRITES.with(Rc::clone);
                    let gather = || worker::Delay::from(std::time::Duration::from_millis(writer::GATHER_MS));
                    written = writer::drain(&pending, &db, gather, failed).await > 0;
                }
            }
            // Log streams: a delayed tick once events are stored (`core::logs::delivery`), at most
            // one per `TICK_DELAY_S` and isolate.
            let Some(queue) = streams.filter(|_| written && tick_due()) else {
                return;
            };
            let message = MessageBuilder::new(Tick {
                written_at: WorkerClock.now_ms(),
            })
            .delay_seconds(delivery::TICK_DELAY_S)
            .build();
            if let Err(e) = queue.send(message).await {
                console_error!("log stream tick not sent: {e}");
            }
        });
    }

    /// Runs `f` with the core seams (the mailer borrows from this runtime).
    async fn with_core<R>(&self, f: impl AsyncFnOnce(Core<'_>) -> R) -> R {
        let outbox = DevOutbox {
            db: &self.db,
            now_ms: WorkerClock.now_ms(),
        };
        let http_mailer = self
            .isolate
            .http_mailer
            .as_ref()
            .map(|config| BackgroundMailer { ctx: &self.ctx, config });
        let mailer: &dyn Mailer = if self.isolate.config.dev_outbox {
            &outbox
        } else if let Some(m) = &http_mailer {
            m
        } else {
            &NoMailer
        };
        let secrets = fetch::EnvSecrets(&self.env);
        let db = CONFIG_READS.with(|cache| CachedDb {
            inner: &self.db,
            // The isolate's cache lives as long as the isolate (a leaked thread-local reference).
            cache: cache.get_or_init(|| Box::leak(Box::default())),
            clock: &WorkerClock,
        });
        let core = Core {
            settings: &self.isolate.settings,
            db: &db,
            clock: &WorkerClock,
            rng: &OsRng,
            hasher: hasher(&self.env),
            mailer,
            logger: &ConsoleLogger,
            http: &fetch::FetchClient,
            secrets: &secrets,
            buckets: local_buckets(),
            events: &self.events,
        };
        f(core).await
    }
}

#[event(fetch)]
async fn fetch(req: web_sys::Request, env: Env, ctx: Context) -> Result<web_sys::Response> {
    let rt = Runtime::new(env, ctx)?;
    let queue = queue_binding(&rt.env, "JOBS").ok();
    let bucket = bucket_binding(&rt.env, "JOB_FILES").ok();
    let (queue_jobs, files) = (jobs::QueueJobs(queue.as_ref()), jobs::R2Files(bucket.clone()));
    let req = to_api(req, rt.isolate.trust_ip).await?;
    rt.events.set_request(req.ip.as_deref(), req.header("user-agent"));
    let res = rt
        .with_core(async |core| {
            let app = App {
                core,
                config: &rt.isolate.config,
                jobs: Jobs {
                    queue: &queue_jobs,
                    files: &files,
                },
                signers: &webcrypto::WebCryptoSigners,
            };
            app.handle(req).await
        })
        .await;
    rt.write_events();
    from_api(res, bucket)
}

/// Cloudflare Queues: job chunks (`tollgate-jobs`), each delivery acknowledged or retried after
/// the delay the chunk's state machine asks for (`core::jobs::chunks`); and log stream ticks
/// (`tollgate-log-streams`), one delivery run per batch (`core::logs::delivery`).
#[event(queue)]
async fn queue(batch: MessageBatch<serde_json::Value>, env: Env, ctx: Context) -> Result<()> {
    let rt = Runtime::new(env, ctx)?;
    if batch.queue() == LOG_STREAMS_QUEUE {
        return log_stream_ticks(&rt, &batch).await;
    }
    let messages = batch.messages()?;
    let queue = queue_binding(&rt.env, "JOBS").ok();
    let (queue_jobs, files) = (
        jobs::QueueJobs(queue.as_ref()),
        jobs::R2Files(bucket_binding(&rt.env, "JOB_FILES").ok()),
    );
    let jobs = Jobs {
        queue: &queue_jobs,
        files: &files,
    };
    rt.with_core(async |core| {
        let chunks: Vec<Option<ChunkMessage>> = messages
            .iter()
            .map(|m| serde_json::from_value(m.body().clone()).ok())
            .collect();
        // The batch's chunks run together: one waits on D1 or R2 while another computes.
        let outcomes = futures_util::future::join_all(chunks.iter().map(|c| async {
            match c {
                Some(chunk) => process_chunk(&core, jobs, chunk).await,
                None => {
                    console_error!("jobs: a message that is no chunk was dropped");
                    Delivery::Ack
                }
            }
        }))
        .await;
        for (m, outcome) in messages.iter().zip(outcomes) {
            match outcome {
                Delivery::Ack => m.ack(),
                Delivery::RetryIn(seconds) => {
                    m.retry_with_options(&QueueRetryOptionsBuilder::new().with_delay_seconds(seconds).build())
                }
            }
        }
    })
    .await;
    rt.write_events();
    Ok(())
}

/// A batch of log stream ticks: one delivery run; one tick comes back when the run asks for it.
async fn log_stream_ticks(rt: &Runtime, batch: &MessageBatch<serde_json::Value>) -> Result<()> {
    let next = rt
        .with_core(async |core| delivery::deliver(&core, rt.isolate.config.kek.as_ref()).await)
        .await;
    let messages = batch.raw_iter();
    let mut again = match next {
        Ok(Next::Done) => None,
        Ok(Next::RetryIn(seconds)) => Some(seconds.clamp(1, 3600)),
        Err(e) => {
            console_error!("log streams: delivery failed: {e}");
            Some(delivery::TICK_DELAY_S)
        }
    };
    for m in messages {
        match again.take() {
            Some(seconds) => m.retry_with_options(&QueueRetryOptionsBuilder::new().with_delay_seconds(seconds).build()),
            None => m.ack(),
        }
    }
    Ok(())
}

/// The cron trigger (`[triggers] crons` in wrangler.toml): deletes tenant log events older than
/// `LOG_RETENTION_DAYS` (30 by default), in bounded chunks (`core::logs::purge`).
#[event(scheduled)]
async fn scheduled(_event: ScheduledEvent, env: Env, _ctx: ScheduleContext) {
    let Ok(db) = database(&env) else {
        console_error!("scheduled: the DB binding is missing");
        return;
    };
    let days = logs::retention_days(env.var("LOG_RETENTION_DAYS").ok().map(|v| v.to_string()).as_deref());
    match logs::purge(&d1::D1(db), WorkerClock.now_ms(), days).await {
        Ok(n) if n > 0 => worker::console_log!("tenant logs: {n} events older than {days} days deleted"),
        Ok(_) => {}
        Err(e) => console_error!("tenant logs not purged: {e}"),
    }
    // A backstop for log streams whose last tick was lost: one delivery run.
    if let Ok(queue) = queue_binding(&env, "LOG_STREAMS") {
        let tick = Tick {
            written_at: WorkerClock.now_ms(),
        };
        if let Err(e) = queue.send(tick).await {
            console_error!("log stream tick not sent: {e}");
        }
    }
}
