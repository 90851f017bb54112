//! Jobs (`/api/v2/jobs/...`): bulk user imports (a multipart upload) and exports, verification
//! emails, their status with the import summary, and the per-row errors of an import.

use serde::{Deserialize, Serialize};

/// Where a job is:
/// ```text
/// pending ──first chunk claimed──▶ processing ──last chunk done──▶ completed
///    └──────────────┴──────── a chunk fails for good ──────────▶ failed
/// ```
/// Auth0 also answers `expired` for jobs older than its retention; Tollgate never does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum JobStatus {
    /// Waiting for its first chunk.
    Pending,
    /// Chunks are running.
    Processing,
    /// Every chunk is done.
    Completed,
    /// A chunk failed for good.
    Failed,
    /// Past Auth0's retention.
    Expired,
}

impl JobStatus {
    /// The wire (and column) value.
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "pending",
            Self::Processing => "processing",
            Self::Completed => "completed",
            Self::Failed => "failed",
            Self::Expired => "expired",
        }
    }

    /// Whether the job has ended.
    pub const fn ended(self) -> bool {
        matches!(self, Self::Completed | Self::Failed | Self::Expired)
    }
}

/// What a job does (Auth0's job types).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JobKind {
    /// `users_import`.
    UsersImport,
    /// `users_export`.
    UsersExport,
    /// `verification_email` (done when created).
    VerificationEmail,
}

/// An export's file format.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ExportFormat {
    /// NDJSON, one user per line.
    #[default]
    Json,
    /// CSV (at most 30 fields, no whole metadata objects).
    Csv,
}

impl ExportFormat {
    /// The wire name (and the file's extension).
    pub const fn as_str(self) -> &'static str {
        match self {
            Self::Json => "json",
            Self::Csv => "csv",
        }
    }
}

/// One exported field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportField {
    /// Path in the user (`email`, `user_metadata.plan`, `identities[0].connection`).
    pub name: String,
    /// Column or key name in the file (the path when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub export_as: Option<String>,
}

impl ExportField {
    /// A field exported under its own name.
    pub fn named(name: impl Into<String>) -> Self {
        Self {
            name: name.into(),
            export_as: None,
        }
    }

    /// The key or column name in the output.
    pub fn key(&self) -> &str {
        self.export_as.as_deref().unwrap_or(&self.name)
    }
}

/// `POST /api/v2/jobs/users-exports`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CreateExport {
    /// Only this connection (all when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// The format (`json` when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ExportFormat>,
    /// At most this many users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// The fields (a predefined set when absent).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<ExportField>>,
}

/// `POST /api/v2/jobs/users-imports`: the text parts of the multipart form; the `users` part is
/// the file (a JSON array, or NDJSON, of users in Auth0's import schema).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportUsers {
    /// The database connection to import into.
    pub connection_id: String,
    /// Update users that exist (matched by email).
    #[serde(default)]
    pub upsert: bool,
    /// The caller's correlation id, echoed in the job.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Mail the tenant's owners and admins when the job ends.
    #[serde(default)]
    pub send_completion_email: bool,
}

impl ImportUsers {
    /// The form's text parts, as they are sent (booleans as `"true"`/`"false"`).
    pub fn form_fields(&self) -> Vec<(&'static str, String)> {
        let mut out = vec![
            ("connection_id", self.connection_id.clone()),
            ("upsert", self.upsert.to_string()),
            ("send_completion_email", self.send_completion_email.to_string()),
        ];
        if let Some(e) = &self.external_id {
            out.push(("external_id", e.clone()));
        }
        out
    }

    /// Takes one text part of the form; `false` for a part that is not one of these (ignored).
    pub fn set_field(&mut self, name: &str, value: String) -> bool {
        match name {
            "connection_id" => self.connection_id = value,
            "upsert" => self.upsert = value == "true",
            "external_id" => self.external_id = Some(value).filter(|v| !v.is_empty()),
            "send_completion_email" => self.send_completion_email = value == "true",
            _ => return false,
        }
        true
    }
}

/// `POST /api/v2/jobs/verification-email`: mails the user a verification link now.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct VerificationEmail {
    /// The user.
    pub user_id: String,
    /// The application whose name and login the mail uses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_id: Option<String>,
    /// The user, by provider identity.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identity: Option<super::tickets::TicketIdentity>,
    /// An organization (not supported by Tollgate).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub organization_id: Option<String>,
}

/// What an import did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct JobSummary {
    /// Rows that failed (see the job's errors).
    pub failed: i64,
    /// Users updated (upsert).
    pub updated: i64,
    /// Users inserted.
    pub inserted: i64,
    /// Rows in the file.
    pub total: i64,
}

/// A job (`GET /api/v2/jobs/{id}` and the answers that create one). Which fields are present
/// depends on its type: imports carry `upsert`, `external_id`, `send_completion_email` and the
/// `summary`; exports their `format`, `fields`, `limit` and, once completed, the download
/// `location` (a signed link valid for 60 seconds).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Job {
    /// `job_…`.
    pub id: String,
    /// What it does.
    #[serde(rename = "type")]
    pub kind: JobKind,
    /// Where it is.
    pub status: JobStatus,
    /// Created (ISO 8601).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_at: Option<String>,
    /// The connection it reads or writes.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection_id: Option<String>,
    /// That connection's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub connection: Option<String>,
    /// The caller's correlation id.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub external_id: Option<String>,
    /// Import: existing users are updated.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upsert: Option<bool>,
    /// Import: the owners are mailed at the end.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub send_completion_email: Option<bool>,
    /// Progress, 0–100.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub percentage_done: Option<i64>,
    /// Estimated seconds to go.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time_left_seconds: Option<i64>,
    /// What failed (a failed job).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status_details: Option<String>,
    /// Import: what it did.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub summary: Option<JobSummary>,
    /// Export: the format.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub format: Option<ExportFormat>,
    /// Export: at most this many users.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub limit: Option<i64>,
    /// Export: the fields.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fields: Option<Vec<ExportField>>,
    /// Export: the download link (completed jobs).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub location: Option<String>,
}

impl Job {
    /// A job of this kind and status, every optional field absent.
    pub fn new(id: impl Into<String>, kind: JobKind, status: JobStatus) -> Self {
        Self {
            id: id.into(),
            kind,
            status,
            created_at: None,
            connection_id: None,
            connection: None,
            external_id: None,
            upsert: None,
            send_completion_email: None,
            percentage_done: None,
            time_left_seconds: None,
            status_details: None,
            summary: None,
            format: None,
            limit: None,
            fields: None,
            location: None,
        }
    }
}

/// Why one row of an import failed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ImportError {
    /// `FORMAT`, `INVALID_TYPE`, `DUPLICATED_USER`, `OBJECT_ADDITIONAL_PROPERTIES`, …
    pub code: String,
    /// Explanation.
    pub message: String,
    /// JSON path of the offending field.
    #[serde(default)]
    pub path: String,
}

/// One failed row (`GET /api/v2/jobs/{id}/errors`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct JobErrorRow {
    /// The row as uploaded, password hashes redacted (`*****`).
    pub user: serde_json::Value,
    /// Why it failed.
    pub errors: Vec<ImportError>,
    /// Tollgate: the row's position in the job's file (0-based).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index: Option<i64>,
}

impl JobErrorRow {
    /// The row's `email`, when it has one.
    pub fn email(&self) -> Option<&str> {
        self.user.get("email").and_then(serde_json::Value::as_str)
    }
}

/// `GET /api/v2/jobs/{id}/errors`: the failed rows, or for a failed job the job with what failed.
/// An array is the rows, an object the job (read without buffering, which keeps the console's
/// wasm small).
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum JobErrors {
    /// The rows that failed.
    Rows(Vec<JobErrorRow>),
    /// The job failed as a whole.
    Failed(Box<Job>),
}

impl<'de> Deserialize<'de> for JobErrors {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Either;
        impl<'de> serde::de::Visitor<'de> for Either {
            type Value = JobErrors;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("an array of failed rows or a failed job")
            }
            fn visit_seq<A: serde::de::SeqAccess<'de>>(self, seq: A) -> Result<JobErrors, A::Error> {
                Vec::deserialize(serde::de::value::SeqAccessDeserializer::new(seq)).map(JobErrors::Rows)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(self, map: A) -> Result<JobErrors, A::Error> {
                Job::deserialize(serde::de::value::MapAccessDeserializer::new(map))
                    .map(|j| JobErrors::Failed(Box::new(j)))
            }
        }
        d.deserialize_any(Either)
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use crate::management::vectors;
    use serde_json::json;

    const FILE: &str = include_str!("../../../tests/vectors/management/jobs.json");

    #[test]
    fn jobs_round_trip() {
        let import: Job = vectors::round_trip(FILE, "import_created");
        assert_eq!((import.kind, import.status), (JobKind::UsersImport, JobStatus::Pending));
        let done: Job = vectors::round_trip(FILE, "import_completed");
        assert_eq!(done.summary.unwrap().total, 4);
        let export: Job = vectors::round_trip(FILE, "export_completed");
        assert_eq!(export.format, Some(ExportFormat::Csv));
        vectors::round_trip::<Job>(FILE, "export_created");
        vectors::round_trip::<Job>(FILE, "verification_email");
        vectors::round_trip::<CreateExport>(FILE, "create_export");
        vectors::round_trip::<VerificationEmail>(FILE, "create_verification_email");
        let errors: JobErrors = vectors::round_trip(FILE, "errors");
        assert!(
            matches!(errors, JobErrors::Rows(ref r) if r[0].errors[0].code == "FORMAT" && r[0].email() == Some("broken"))
        );
        let failed: JobErrors = vectors::round_trip(FILE, "errors_of_a_failed_job");
        assert!(matches!(failed, JobErrors::Failed(ref j) if j.status == JobStatus::Failed));
    }

    #[test]
    fn the_import_form_round_trips() {
        let form = ImportUsers {
            connection_id: "con_1".into(),
            upsert: true,
            external_id: Some("ext".into()),
            send_completion_email: false,
        };
        let mut back = ImportUsers::default();
        for (k, v) in form.form_fields() {
            assert!(back.set_field(k, v));
        }
        assert_eq!(back, form);
        assert!(!back.set_field("users", String::new()));
    }

    #[test]
    fn bad_bodies_are_refused_precisely() {
        assert_eq!(
            vectors::refusal::<CreateExport>(json!({"format": "xml"})),
            "Payload validation error: 'No enum match for: \"xml\" (expected json or csv)'."
        );
        assert_eq!(
            vectors::refusal::<CreateExport>(json!({"fields": [{"name": "email", "as": "mail"}]})),
            "Payload validation error: 'Additional properties not allowed: as'."
        );
        assert!(JobStatus::Failed.ended() && !JobStatus::Processing.ended());
    }
}
