//! `tollgate`: the operator's command-line tool for bulk migration.
//!
//! ```sh
//! tollgate import users.json --domain http://127.0.0.1:8787 --client-id demo-m2m --client-secret … \
//!   --connection Username-Password-Authentication [--upsert] [--batch-size 10000]
//! tollgate export users.csv.gz --domain … --client-id … --client-secret … [--connection NAME] \
//!   [--format csv|json] [--fields email,name,user_metadata.plan]
//! ```
//! `import` reads a JSON array (or NDJSON, as exports produce) of any size, one user at a time,
//! posts it as import jobs of `--batch-size` users, shows a progress bar while the jobs run, and
//! prints the error report with each row's position in the original file. `export` runs an
//! export job and downloads the gzip file.
#![deny(missing_docs)]

mod client;
mod read;

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Parser, Subcommand};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;
use shared::management::jobs::{CreateExport, ExportField, ExportFormat, ImportUsers, Job, JobErrors, JobStatus};

use client::Api;

/// What `import` prints when it is done (one JSON line).
#[derive(Serialize)]
struct ImportReport {
    jobs: usize,
    total: usize,
    inserted: i64,
    updated: i64,
    failed: i64,
}

/// What `export` prints when it is done (one JSON line).
#[derive(Serialize)]
struct ExportReport {
    job: String,
    file: String,
    bytes: usize,
}

/// One JSON line.
fn print_json(v: &impl Serialize) {
    println!("{}", serde_json::to_string(v).unwrap_or_default());
}

#[derive(Parser)]
#[command(
    name = "tollgate",
    version,
    about = "Bulk user import and export for Tollgate (Auth0-compatible Management API)"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Args)]
struct Conn {
    /// Origin of the Worker (`https://auth.example.com`).
    #[arg(long, env = "TOLLGATE_DOMAIN")]
    domain: String,
    /// A machine-to-machine client with a grant for the Management API.
    #[arg(long, env = "TOLLGATE_CLIENT_ID")]
    client_id: String,
    /// Its secret.
    #[arg(long, env = "TOLLGATE_CLIENT_SECRET", hide_env_values = true)]
    client_secret: String,
}

#[derive(Subcommand)]
enum Command {
    /// Import a JSON array or NDJSON file of users, split into jobs.
    Import {
        /// The users file.
        file: std::path::PathBuf,
        #[command(flatten)]
        conn: Conn,
        /// Database connection name.
        #[arg(long)]
        connection: String,
        /// Update users that already exist (matched by email).
        #[arg(long)]
        upsert: bool,
        /// Users per import job.
        #[arg(long, default_value_t = 10_000)]
        batch_size: usize,
    },
    /// Export users to a gzip file (NDJSON or CSV).
    Export {
        /// Where to write the `.gz` file.
        out: std::path::PathBuf,
        #[command(flatten)]
        conn: Conn,
        /// Only this connection.
        #[arg(long)]
        connection: Option<String>,
        /// `json` (NDJSON) or `csv`.
        #[arg(long, default_value = "json")]
        format: String,
        /// Comma-separated field paths (default: the server's set).
        #[arg(long, value_delimiter = ',')]
        fields: Vec<String>,
    },
}

fn bar(len: u64, what: &str) -> ProgressBar {
    let pb = ProgressBar::new(len);
    let style = ProgressStyle::with_template(&format!("{{spinner}} {what} [{{bar:40}}] {{pos}}/{{len}} ({{eta}})"))
        .unwrap_or_else(|_| ProgressStyle::default_bar());
    pb.set_style(style.progress_chars("=> "));
    pb
}

fn import(
    api: &Api,
    file: &std::path::Path,
    connection: &str,
    upsert: bool,
    batch_size: usize,
) -> Result<bool, String> {
    let form = ImportUsers {
        connection_id: api.connection_id(connection)?,
        upsert,
        ..ImportUsers::default()
    };
    let mut jobs: Vec<(String, usize, usize)> = Vec::new();
    let mut batch: Vec<Box<serde_json::value::RawValue>> = Vec::with_capacity(batch_size);
    let mut offset = 0usize;
    let mut submit = |batch: &mut Vec<Box<serde_json::value::RawValue>>, offset: &mut usize| -> Result<(), String> {
        if batch.is_empty() {
            return Ok(());
        }
        let body = serde_json::to_vec(&batch).map_err(|e| e.to_string())?;
        let id = api.create_import(&form, &body)?.id;
        eprintln!("job {id}: users {}..{}", *offset, *offset + batch.len());
        jobs.push((id, *offset, batch.len()));
        *offset += batch.len();
        batch.clear();
        Ok(())
    };
    read::each_user(file, |user| {
        batch.push(user);
        if batch.len() >= batch_size {
            submit(&mut batch, &mut offset)?;
        }
        Ok(())
    })?;
    submit(&mut batch, &mut offset)?;
    let total: usize = jobs.iter().map(|j| j.2).sum();
    let pb = bar(total as u64, "importing");
    let mut summaries: Vec<Option<Job>> = vec![None; jobs.len()];
    loop {
        let mut processed = 0u64;
        let mut all_done = true;
        for (i, (id, _, size)) in jobs.iter().enumerate() {
            if summaries[i].is_none() {
                let job = api.job(id)?;
                if job.status.ended() {
                    summaries[i] = Some(job);
                } else {
                    all_done = false;
                    processed += job.percentage_done.unwrap_or(0).max(0) as u64 * *size as u64 / 100;
                    continue;
                }
            }
            processed += *size as u64;
        }
        pb.set_position(processed);
        if all_done {
            break;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
    pb.finish();
    let (mut inserted, mut updated, mut failed) = (0, 0, 0);
    let mut ok = true;
    for ((id, offset, _), job) in jobs.iter().zip(summaries.iter().flatten()) {
        if job.status == JobStatus::Failed {
            ok = false;
            eprintln!("job {id} failed: {}", job.status_details.as_deref().unwrap_or_default());
            continue;
        }
        let summary = job.summary.unwrap_or_default();
        inserted += summary.inserted;
        updated += summary.updated;
        failed += summary.failed;
        if summary.failed > 0 {
            let JobErrors::Rows(rows) = api.job_errors(id)? else {
                continue;
            };
            for e in rows {
                let email = e.email().unwrap_or("(no email)");
                let row = offset + e.index.unwrap_or(0).max(0) as usize;
                for err in &e.errors {
                    println!(
                        "error: job {id} ({email}, file row {row}): {} {} [{}]",
                        err.code, err.message, err.path
                    );
                }
            }
        }
    }
    print_json(&ImportReport {
        jobs: jobs.len(),
        total,
        inserted,
        updated,
        failed,
    });
    Ok(ok)
}

fn export(
    api: &Api,
    out: &std::path::Path,
    connection: Option<&str>,
    format: &str,
    fields: &[String],
) -> Result<bool, String> {
    let format = match format {
        "json" => ExportFormat::Json,
        "csv" => ExportFormat::Csv,
        other => return Err(format!("--format must be json or csv, not {other}")),
    };
    let body = CreateExport {
        connection_id: connection.map(|name| api.connection_id(name)).transpose()?,
        format: Some(format),
        fields: Some(fields.iter().map(ExportField::named).collect()).filter(|f: &Vec<_>| !f.is_empty()),
        limit: None,
    };
    let id = api.create_export(&body)?.id;
    let pb = bar(100, "exporting");
    let done = loop {
        let job = api.job(&id)?;
        pb.set_position(job.percentage_done.unwrap_or(0).max(0) as u64);
        match job.status {
            JobStatus::Completed => break job,
            JobStatus::Failed | JobStatus::Expired => {
                return Err(format!(
                    "export failed: {}",
                    job.status_details.as_deref().unwrap_or_default()
                ))
            }
            JobStatus::Pending | JobStatus::Processing => std::thread::sleep(Duration::from_millis(500)),
        }
    };
    pb.finish();
    let location = done.location.ok_or("completed export without a location")?;
    let bytes = api.download(&location)?;
    std::fs::File::create(out)
        .and_then(|mut f| f.write_all(&bytes))
        .map_err(|e| format!("{}: {e}", out.display()))?;
    print_json(&ExportReport {
        job: id,
        file: out.display().to_string(),
        bytes: bytes.len(),
    });
    Ok(true)
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match &cli.command {
        Command::Import {
            file,
            conn,
            connection,
            upsert,
            batch_size,
        } => Api::connect(&conn.domain, &conn.client_id, &conn.client_secret)
            .and_then(|api| import(&api, file, connection, *upsert, (*batch_size).max(1))),
        Command::Export {
            out,
            conn,
            connection,
            format,
            fields,
        } => Api::connect(&conn.domain, &conn.client_id, &conn.client_secret)
            .and_then(|api| export(&api, out, connection.as_deref(), format, fields)),
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("tollgate: {e}");
            ExitCode::from(2)
        }
    }
}
