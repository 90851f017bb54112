//! Entry points for the fuzz targets in `fuzz/` (cargo-fuzz, `make fuzz`): thin wrappers over the
//! parsers that read attacker-controlled bytes, for the ones that are crate-private or buried in a
//! request handler. Not an API: nothing but the fuzz targets calls these, and they add no behaviour
//! of their own (the multipart reader mirrors `m_import`'s form loop without its storage).

use std::future::Future;
use std::pin::pin;
use std::task::{Context, Poll, Waker};

use serde_json::Value;

use crate::api::errors::WebError;
use crate::api::management::jobs::form_text;
use crate::api::Request;
use crate::core::credentials::hashing::Argon2Config;
use crate::core::credentials::legacy_hash::Work;
use crate::core::directory::tenant::{Connection, ConnectionOptions, Strategy};
use crate::core::management::jobs::split::{Piece, Splitter, StoredRow};
use crate::core::management::jobs::{validate_row, ImportUser, RowError};
use crate::core::oauth::grants::TokenRequest;

/// The verification budget of a tenant with the default argon2id setting (what
/// `PasswordHasher::verification_budget` gives there): 4 × 19456 KiB × 2 passes.
pub fn default_budget() -> f64 {
    let c = Argon2Config::default();
    Work::BUDGET_FACTOR * f64::from(c.m_kib) * f64::from(c.t)
}

/// A database connection with username rules `min..=max` (sanitised as the options are).
pub fn connection(username_min: u32, username_max: u32) -> Connection {
    let mut options = ConnectionOptions::default();
    options.validation.username = Some(shared::username::UsernameRules::new(username_min, username_max));
    Connection {
        id: "con_fuzz".into(),
        name: "Username-Password-Authentication".into(),
        strategy: Strategy::Auth0,
        options,
        foreign_hash_dummy: None,
        foreign_hash_work: 0,
    }
}

/// Splits an import file fed in reads of `step` bytes (the sizes a stream delivers), as
/// `Upload::push` / `Upload::finish` do: every sealed chunk, or why the file was refused.
pub fn split_import(file: &[u8], step: usize) -> Result<Vec<Piece>, String> {
    let mut s = Splitter::new();
    let mut out = Vec::new();
    for part in file.chunks(step.max(1)) {
        s.push(part)?;
        out.extend(s.take_ready());
    }
    out.extend(s.finish()?);
    Ok(out)
}

/// Reads a sealed chunk back as the chunk processor does (`import::process`): its rows' indexes,
/// and each user as a JSON value (`Null` where the row has none or it does not re-parse).
pub fn read_chunk(piece: &Piece) -> Result<Vec<(usize, Value)>, String> {
    let rows: Vec<StoredRow> = serde_json::from_slice(&piece.text).map_err(|e| e.to_string())?;
    Ok(rows
        .into_iter()
        .map(|r| {
            let user = r
                .user
                .and_then(|raw| serde_json::from_str(raw.get()).ok())
                .unwrap_or(Value::Null);
            (r.index, user)
        })
        .collect())
}

/// Validates one import row against Auth0's user schema with the default work budget.
pub fn validate_import_row(row: &Value, conn: &Connection) -> Result<ImportUser, Vec<RowError>> {
    validate_row(row, conn, default_budget())
}

/// A request as the Worker adapter builds it.
pub fn request(method: &str, path_and_query: &str, headers: &[(&str, &str)], body: &[u8]) -> Request {
    let mut r = Request::new(method, path_and_query);
    for (k, v) in headers {
        r = r.with_header(k, v);
    }
    r.body = body.to_vec();
    r
}

/// `parse_json` into a JSON value (the Management API's bodies).
pub fn json_body(req: &Request) -> Result<Value, WebError> {
    crate::api::parse_json(req)
}

/// `parse_json` into each typed body of the authentication API; how many parsed.
pub fn typed_bodies(req: &Request) -> usize {
    use crate::api::parse_json;
    use shared::wire::{
        ChangePasswordRequest, CoAuthenticateRequest, ResetRequest, SignupRequest, UniversalLoginRequest,
    };
    [
        parse_json::<SignupRequest>(req).is_ok(),
        parse_json::<UniversalLoginRequest>(req).is_ok(),
        parse_json::<CoAuthenticateRequest>(req).is_ok(),
        parse_json::<ChangePasswordRequest>(req).is_ok(),
        parse_json::<ResetRequest>(req).is_ok(),
        parse_json::<crate::core::management::jobs::ExportRequest>(req).is_ok(),
    ]
    .iter()
    .filter(|ok| **ok)
    .count()
}

/// The Management API's body reader (`api::management::body`: JSON, then the `shared::management`
/// type with the failing property's path) into each of its body types; how many parsed.
pub fn management_bodies(req: &Request) -> usize {
    use crate::api::management::body;
    use shared::management::client_grants::{CreateClientGrant, UpdateClientGrant};
    use shared::management::clients::{CreateClient, UpdateClient};
    use shared::management::connections::{CreateConnection, LegacyTest, UpdateConnection};
    use shared::management::jobs::VerificationEmail;
    use shared::management::resource_servers::{CreateResourceServer, UpdateResourceServer};
    use shared::management::tickets::{EmailVerificationTicket, PasswordChangeTicket};
    use shared::management::users::{CreateUser, UpdateUser};
    [
        body::<CreateUser>(req).is_ok(),
        body::<UpdateUser>(req).is_ok(),
        body::<CreateConnection>(req).is_ok(),
        body::<UpdateConnection>(req).is_ok(),
        body::<LegacyTest>(req).is_ok(),
        body::<CreateClient>(req).is_ok(),
        body::<UpdateClient>(req).is_ok(),
        body::<CreateClientGrant>(req).is_ok(),
        body::<UpdateClientGrant>(req).is_ok(),
        body::<CreateResourceServer>(req).is_ok(),
        body::<UpdateResourceServer>(req).is_ok(),
        body::<PasswordChangeTicket>(req).is_ok(),
        body::<EmailVerificationTicket>(req).is_ok(),
        body::<VerificationEmail>(req).is_ok(),
        body::<crate::core::management::jobs::ExportRequest>(req).is_ok(),
    ]
    .iter()
    .filter(|ok| **ok)
    .count()
}

/// `/oauth/token`'s body reader (JSON or form).
pub fn token_request(req: &Request) -> Result<TokenRequest, WebError> {
    crate::api::oauth::parse_token_request(req)
}

/// HTTP Basic client credentials.
pub fn basic_credentials(req: &Request) -> Option<(String, String)> {
    crate::api::oauth::basic_credentials(req)
}

/// A bearer token.
pub fn bearer(req: &Request) -> Option<&str> {
    crate::api::oauth::bearer(req)
}

/// The client a request names (CORS): path, Basic, unverified bearer `azp`, or body `client_id`.
pub fn request_client(req: &Request) -> Option<String> {
    crate::api::cors::request_client(req)
}

/// The first value of a query parameter.
pub fn query_param(req: &Request, name: &str) -> Option<String> {
    crate::api::query_param(req, name)
}

/// The Management API route of `method` + the path under `/api/v2/`: its pattern and `{id}`.
pub fn management_route<'r>(method: &str, rest: &'r str) -> Option<(&'static str, &'r str)> {
    match crate::api::management::find(method, rest) {
        crate::api::management::Found::Route(r, id) => Some((r.path, id)),
        _ => None,
    }
}

/// What [`multipart_import`] read.
#[derive(Debug, Default)]
pub struct MultipartImport {
    /// `connection_id`.
    pub connection_id: String,
    /// `upsert`.
    pub upsert: bool,
    /// `external_id`.
    pub external_id: Option<String>,
    /// The users file's chunks.
    pub pieces: Vec<Piece>,
}

/// An import upload's multipart body read as `m_import` reads it (fields, the users file through
/// the splitter), without storing anything; the body arrives in reads of `step` bytes.
pub fn multipart_import(content_type: &str, body: &[u8], step: usize) -> Result<MultipartImport, String> {
    use futures_util::StreamExt;
    let boundary = multer::parse_boundary(content_type).map_err(|e| e.to_string())?;
    let pieces: Vec<Result<bytes::Bytes, std::convert::Infallible>> = body
        .chunks(step.max(1))
        .map(|c| Ok(bytes::Bytes::copy_from_slice(c)))
        .collect();
    let mut form = multer::Multipart::new(futures_util::stream::iter(pieces).boxed(), boundary);
    let read = block_on(async {
        let bad = |e: multer::Error| format!("Invalid multipart body: {e}");
        let mut out = MultipartImport::default();
        let mut splitter: Option<Splitter> = None;
        while let Some(mut field) = form.next_field().await.map_err(bad)? {
            match field.name().unwrap_or_default().to_owned().as_str() {
                "users" if splitter.is_some() => return Err("Only one users file per job".into()),
                "users" => {
                    let s = splitter.insert(Splitter::new());
                    while let Some(piece) = field.chunk().await.map_err(bad)? {
                        s.push(&piece)?;
                        out.pieces.extend(s.take_ready());
                    }
                }
                "connection_id" => out.connection_id = form_text(field).await.map_err(bad)?,
                "upsert" => out.upsert = form_text(field).await.map_err(bad)? == "true",
                "external_id" => out.external_id = Some(form_text(field).await.map_err(bad)?).filter(|s| !s.is_empty()),
                _ => {}
            }
        }
        if out.connection_id.is_empty() {
            return Err("Missing connection_id".into());
        }
        match splitter {
            Some(s) => out.pieces.extend(s.finish()?),
            None => return Err("Missing users file".into()),
        }
        Ok(out)
    });
    read.unwrap_or_else(|| Err("the multipart reader waited on an in-memory body".into()))
}

/// Runs a future over an in-memory stream, whose polls never wait: no executor needed (`None` if
/// it keeps answering `Pending`).
fn block_on<F: Future>(f: F) -> Option<F::Output> {
    let mut f = pin!(f);
    let mut cx = Context::from_waker(Waker::noop());
    for _ in 0..1_000_000 {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return Some(v);
        }
    }
    None
}
