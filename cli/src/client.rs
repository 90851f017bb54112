//! The Management API calls the tool makes (a `client_credentials` token, then JSON and
//! multipart requests). Bodies and answers are the types of `shared::management`.

use std::time::Duration;

use serde::de::DeserializeOwned;
use shared::management::connections::Connection;
use shared::management::errors::ManagementError;
use shared::management::jobs::{CreateExport, ImportUsers, Job, JobErrors};
use shared::wire::{TokenRequest, TokenResponse};
use ureq::Agent;

/// An authenticated Management API client.
pub struct Api {
    agent: Agent,
    base: String,
    token: String,
}

fn read<T: DeserializeOwned>(mut res: ureq::http::Response<ureq::Body>, what: &str) -> Result<T, String> {
    let status = res.status().as_u16();
    let text = res.body_mut().read_to_string().unwrap_or_default();
    if (200..300).contains(&status) {
        return serde_json::from_str(&text).map_err(|e| format!("{what}: the answer was not understood ({e}): {text}"));
    }
    match serde_json::from_str::<ManagementError>(&text) {
        Ok(e) => Err(format!("{what}: HTTP {status} {}", e.message)),
        Err(_) => Err(format!("{what}: HTTP {status} {text}")),
    }
}

impl Api {
    /// Gets a token for `{domain}/api/v2/` with the client's credentials.
    pub fn connect(domain: &str, client_id: &str, client_secret: &str) -> Result<Self, String> {
        let agent: Agent = Agent::config_builder()
            .timeout_global(Some(Duration::from_secs(300)))
            .http_status_as_error(false)
            .build()
            .into();
        let base = domain.trim_end_matches('/').to_owned();
        let res = agent
            .post(&format!("{base}/oauth/token"))
            .send_json(TokenRequest {
                grant_type: Some("client_credentials".into()),
                client_id: Some(client_id.into()),
                client_secret: Some(client_secret.into()),
                audience: Some(format!("{base}/api/v2/")),
                ..TokenRequest::default()
            })
            .map_err(|e| format!("token: {e}"))?;
        let token = read::<TokenResponse>(res, "token")?.access_token;
        Ok(Self { agent, base, token })
    }

    fn get<T: DeserializeOwned>(&self, path: &str) -> Result<T, String> {
        let res = self
            .agent
            .get(&format!("{}/api/v2/{path}", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .call()
            .map_err(|e| format!("GET {path}: {e}"))?;
        read(res, path)
    }

    /// The id of the connection named `name`.
    pub fn connection_id(&self, name: &str) -> Result<String, String> {
        let name_q: String = url::form_urlencoded::byte_serialize(name.as_bytes()).collect();
        let list: Vec<Connection> = self.get(&format!("connections?name={name_q}"))?;
        list.into_iter()
            .next()
            .map(|c| c.id)
            .ok_or_else(|| format!("no connection named {name}"))
    }

    /// Posts one import job (`users` is a JSON array).
    pub fn create_import(&self, form: &ImportUsers, users: &[u8]) -> Result<Job, String> {
        let mut rnd = [0u8; 12];
        getrandom::getrandom(&mut rnd).map_err(|e| e.to_string())?;
        let boundary = format!("tollgate-{}", hex::encode(rnd));
        let mut body = Vec::with_capacity(users.len() + 512);
        for (k, v) in form.form_fields() {
            body.extend(
                format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{k}\"\r\n\r\n{v}\r\n").as_bytes(),
            );
        }
        body.extend(
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"users\"; filename=\"users.json\"\r\nContent-Type: application/json\r\n\r\n")
                .as_bytes(),
        );
        body.extend(users);
        body.extend(format!("\r\n--{boundary}--\r\n").as_bytes());
        let res = self
            .agent
            .post(&format!("{}/api/v2/jobs/users-imports", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .header("content-type", &format!("multipart/form-data; boundary={boundary}"))
            .send(&body[..])
            .map_err(|e| format!("import: {e}"))?;
        read(res, "import")
    }

    /// Posts an export job.
    pub fn create_export(&self, body: &CreateExport) -> Result<Job, String> {
        let res = self
            .agent
            .post(&format!("{}/api/v2/jobs/users-exports", self.base))
            .header("authorization", &format!("Bearer {}", self.token))
            .send_json(body)
            .map_err(|e| format!("export: {e}"))?;
        read(res, "export")
    }

    /// A job's status.
    pub fn job(&self, id: &str) -> Result<Job, String> {
        self.get(&format!("jobs/{id}"))
    }

    /// A job's per-user errors.
    pub fn job_errors(&self, id: &str) -> Result<JobErrors, String> {
        self.get(&format!("jobs/{id}/errors"))
    }

    /// Downloads a signed export link.
    pub fn download(&self, location: &str) -> Result<Vec<u8>, String> {
        let mut res = self.agent.get(location).call().map_err(|e| format!("download: {e}"))?;
        if res.status().as_u16() != 200 {
            return Err(format!("download: HTTP {}", res.status()));
        }
        res.body_mut()
            .with_config()
            .limit(u64::MAX)
            .read_to_vec()
            .map_err(|e| format!("download: {e}"))
    }
}
