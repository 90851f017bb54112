//! Tenant logs over HTTP: the Management API's `GET /api/v2/logs`, `logs/{id}` and
//! `users/{id}/logs` (`core::logs::query`), and the `sapi`/`fapi` events of its writes (method,
//! path and status — never bodies).

use serde_json::json;

use super::errors::WebError;
use super::http::{Request, Response};
use super::query_param;
use crate::core::logs::query::{self, Filter, Paging};
use crate::core::logs::Event;
use crate::core::Core;

/// A short description of a failure for the log (a core error's own words; never a body).
pub(crate) fn describe(e: &WebError) -> String {
    match e {
        WebError::Core(e) => crate::core::logs::failure(e),
        WebError::PayloadTooLarge => "Payload too large".into(),
        WebError::UnsupportedMediaType(_) => "Unsupported media type".into(),
        WebError::InvalidBody(_) => "Invalid request body".into(),
        WebError::NotFound => "Not found".into(),
        WebError::MethodNotAllowed => "Method not allowed".into(),
    }
}

/// Records a Management API write (`sapi` or `fapi`): method, path and status only.
pub(crate) fn record_api_write(core: &Core<'_>, req: &Request, res: &Response) {
    if matches!(req.method.as_str(), "GET" | "HEAD" | "OPTIONS") {
        return;
    }
    let (kind, description) = if res.status < 400 {
        ("sapi", "Success API Operation")
    } else {
        ("fapi", "Failed API Operation")
    };
    core.record(Event::new(kind, description).details(json!({
        "request": {"method": req.method.to_ascii_lowercase(), "path": req.path},
        "response": {"statusCode": res.status},
    })));
}

/// Records a bulk job's start (`tg_job_start`).
pub(crate) fn job_started(core: &Core<'_>, job: &shared::management::jobs::Job) {
    let mut event = Event::new("tg_job_start", "Bulk job started").details(json!({
        "job_id": job.id, "type": job.kind, "status": job.status}));
    event.connection_id = job.connection_id.clone();
    event.connection = job.connection.clone();
    core.record(event);
}

fn paging(req: &Request) -> Result<Paging, WebError> {
    Ok(Paging::parse(|name| query_param(req, name))?)
}

/// `GET /api/v2/logs`.
pub(crate) async fn list(core: &Core<'_>, req: &Request) -> Result<Response, WebError> {
    let filter = query::parse(query_param(req, "q").as_deref().unwrap_or_default())?;
    let page = paging(req)?;
    Ok(Response::json(200, &query::list(core.db, &filter, &page).await?))
}

/// `GET /api/v2/logs/{id}`.
pub(crate) async fn get(core: &Core<'_>, id: &str) -> Result<Response, WebError> {
    Ok(Response::json(200, &query::get(core.db, id).await?))
}

/// `GET /api/v2/users/{id}/logs`: the user's events, newest first (`page`, `per_page`,
/// `include_totals`).
pub(crate) async fn of_user(core: &Core<'_>, req: &Request, user_id: &str) -> Result<Response, WebError> {
    let filter = Filter {
        user_id: Some(crate::core::directory::users::sub(user_id)),
        ..Filter::default()
    };
    let page = match paging(req)? {
        p @ Paging::Offset { .. } => p,
        Paging::Checkpoint { .. } => {
            return Err(crate::core::error::CoreError::InvalidRequest(
                "users/{id}/logs pages with page and per_page".into(),
            )
            .into())
        }
    };
    Ok(Response::json(200, &query::list(core.db, &filter, &page).await?))
}
