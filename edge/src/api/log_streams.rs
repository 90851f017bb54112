//! Log streams over HTTP: the Management API's `/api/v2/log-streams` (`core::logs::streams`).
//! The authorization value of a sink is accepted, sealed by the core and never answered.

use super::errors::WebError;
use super::http::{Request, Response};
use super::management::body;
use super::App;
use crate::core::logs::streams;

impl App<'_> {
    /// `GET /api/v2/log-streams`.
    pub(crate) async fn log_streams_list(&self) -> Result<Response, WebError> {
        Ok(Response::json(200, &streams::list(self.core.db).await?))
    }

    /// `POST /api/v2/log-streams`.
    pub(crate) async fn log_stream_create(&self, req: &Request) -> Result<Response, WebError> {
        let created = streams::create(&self.core, self.config.kek.as_ref(), body(req)?).await?;
        Ok(Response::json(201, &created))
    }

    /// `GET /api/v2/log-streams/{id}`.
    pub(crate) async fn log_stream_get(&self, id: &str) -> Result<Response, WebError> {
        Ok(Response::json(200, &streams::get(self.core.db, id).await?))
    }

    /// `PATCH /api/v2/log-streams/{id}`.
    pub(crate) async fn log_stream_update(&self, req: &Request, id: &str) -> Result<Response, WebError> {
        let updated = streams::update(&self.core, self.config.kek.as_ref(), id, body(req)?).await?;
        Ok(Response::json(200, &updated))
    }

    /// `DELETE /api/v2/log-streams/{id}`.
    pub(crate) async fn log_stream_delete(&self, id: &str) -> Result<Response, WebError> {
        streams::delete(self.core.db, id).await?;
        Ok(Response::new(204, "text/plain", Vec::new()))
    }
}
