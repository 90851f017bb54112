//! Log streams (`/api/v2/log-streams`): tenant log events delivered to an operator's HTTPS
//! endpoint in batches, Auth0's `http` stream type. The `httpAuthorization` header value is
//! write-only: a create or update may carry it, an answer never does.

use serde::{Deserialize, Serialize};

/// Auth0's log stream filter categories (`filters: [{"type": "category", "name": …}]`).
pub const CATEGORIES: [&str; 20] = [
    "auth.ancillary.fail",
    "auth.ancillary.success",
    "auth.login.fail",
    "auth.login.notification",
    "auth.login.success",
    "auth.logout.fail",
    "auth.logout.success",
    "auth.signup.fail",
    "auth.signup.success",
    "auth.silent_auth.fail",
    "auth.silent_auth.success",
    "auth.token_exchange.fail",
    "auth.token_exchange.success",
    "management.fail",
    "management.success",
    "system.notification",
    "user.fail",
    "user.notification",
    "user.success",
    "other",
];

/// Whether a stream delivers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum StreamStatus {
    /// Delivering.
    Active,
    /// Paused by an operator: nothing is delivered; events wait (until the retention).
    Paused,
    /// Stopped by Tollgate after repeated failed deliveries; an operator sets it `active` again.
    Suspended,
}

impl StreamStatus {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Active => "active",
            Self::Paused => "paused",
            Self::Suspended => "suspended",
        }
    }

    /// The stored name parsed.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "active" => Some(Self::Active),
            "paused" => Some(Self::Paused),
            "suspended" => Some(Self::Suspended),
            _ => None,
        }
    }
}

/// How a batch is written in the request body.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub enum ContentFormat {
    /// One JSON array of the batch's events.
    #[default]
    #[serde(rename = "JSONARRAY")]
    JsonArray,
    /// One event per line.
    #[serde(rename = "JSONLINES")]
    JsonLines,
    /// One JSON object per request (a request per event).
    #[serde(rename = "JSONOBJECT")]
    JsonObject,
}

impl ContentFormat {
    /// The stored name.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::JsonArray => "JSONARRAY",
            Self::JsonLines => "JSONLINES",
            Self::JsonObject => "JSONOBJECT",
        }
    }

    /// The stored name parsed.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "JSONARRAY" => Some(Self::JsonArray),
            "JSONLINES" => Some(Self::JsonLines),
            "JSONOBJECT" => Some(Self::JsonObject),
            _ => None,
        }
    }
}

/// An `http` stream's sink.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpSink {
    /// Where batches are POSTed (`https`, public host).
    pub http_endpoint: String,
    /// The request's `content-type` (default `application/json`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_content_type: Option<String>,
    /// How a batch is written (default `JSONARRAY`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_content_format: Option<ContentFormat>,
    /// The `authorization` header's value. Write-only: never in an answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_authorization: Option<String>,
}

/// A sink's changes (`PATCH`): absent fields stay; `httpAuthorization: ""` removes the header.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct HttpSinkUpdate {
    /// New endpoint.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_endpoint: Option<String>,
    /// New content type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_content_type: Option<String>,
    /// New content format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_content_format: Option<ContentFormat>,
    /// New authorization header value (`""`: none).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub http_authorization: Option<String>,
}

/// One filter: Auth0's `{"type": "category", "name": "auth.login.fail"}`, or Tollgate's
/// `{"type": "type", "name": "fp"}` for a single event type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct StreamFilter {
    /// `category` or `type`.
    #[serde(rename = "type")]
    pub kind: String,
    /// The category's or event type's name.
    pub name: String,
}

/// Where delivery stands (Tollgate's addition to Auth0's stream object; read-only).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct DeliveryState {
    /// Failed attempts in a row (a success resets it).
    pub consecutive_failures: i64,
    /// The last failure, in words (status code or network error; never a body or a secret).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_error: Option<String>,
    /// The last successful delivery (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_delivered_at: Option<String>,
    /// Events delivered so far.
    pub delivered: i64,
}

/// One log stream (`GET /api/v2/log-streams`, `/{id}`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogStream {
    /// `lst_…`.
    pub id: String,
    /// Its name.
    pub name: String,
    /// `http`.
    #[serde(rename = "type")]
    pub kind: String,
    /// Delivering or not.
    pub status: StreamStatus,
    /// The sink, without `httpAuthorization`.
    pub sink: HttpSink,
    /// Which events (none: every event).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub filters: Vec<StreamFilter>,
    /// Delivery state.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub delivery: Option<DeliveryState>,
}

/// `POST /api/v2/log-streams`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateLogStream {
    /// Its name (default: the type).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `http` (the one type Tollgate delivers).
    #[serde(rename = "type")]
    pub kind: String,
    /// The sink.
    pub sink: HttpSink,
    /// Which events (none: every event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<StreamFilter>>,
}

/// `PATCH /api/v2/log-streams/{id}`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct UpdateLogStream {
    /// New name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    /// `active` or `paused` (`suspended` is Tollgate's to set).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<StreamStatus>,
    /// Sink changes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sink: Option<HttpSinkUpdate>,
    /// New filters (`[]`: every event).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub filters: Option<Vec<StreamFilter>>,
}

/// The envelope of one event in a delivered batch (Auth0's: `{"log_id", "data"}`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StreamedEvent {
    /// The event's id.
    pub log_id: String,
    /// The event.
    pub data: super::logs::LogEvent,
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use serde_json::json;

    /// The http stream of Auth0's Management API reference (`POST /api/v2/log-streams`).
    #[test]
    fn auth0s_http_stream_reads_and_the_secret_is_write_only() {
        let body = json!({
            "name": "HTTP log stream",
            "type": "http",
            "filters": [{"type": "category", "name": "auth.login.fail"}],
            "sink": {
                "httpEndpoint": "https://example.com/logs",
                "httpContentType": "application/json",
                "httpContentFormat": "JSONOBJECT",
                "httpAuthorization": "AKIAXXXXXXXXXXXXXXXX"
            }
        });
        let create: CreateLogStream = serde_json::from_value(body).unwrap();
        assert_eq!(create.sink.http_content_format, Some(ContentFormat::JsonObject));
        assert_eq!(create.filters.unwrap()[0].name, "auth.login.fail");
        let shown = LogStream {
            id: "lst_1".into(),
            name: "x".into(),
            kind: "http".into(),
            status: StreamStatus::Paused,
            sink: HttpSink {
                http_endpoint: "https://example.com/logs".into(),
                ..HttpSink::default()
            },
            filters: vec![],
            delivery: None,
        };
        let v = serde_json::to_value(&shown).unwrap();
        assert_eq!(v["status"], "paused");
        assert!(v["sink"].get("httpAuthorization").is_none());
        assert!(serde_json::from_value::<UpdateLogStream>(json!({"colour": "red"})).is_err());
        assert_eq!(StreamStatus::parse("suspended"), Some(StreamStatus::Suspended));
        assert_eq!(
            ContentFormat::parse(ContentFormat::JsonLines.as_str()),
            Some(ContentFormat::JsonLines)
        );
    }
}
