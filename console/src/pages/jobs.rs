//! Import / Export (the User Import/Export Extension): a users file in Auth0's format (a JSON
//! array, or NDJSON of any size — cut at line ends into parts below the API's 100 MB, one job
//! each, as the CLI does), a progress bar per job, the rows that failed; exports with a format,
//! fields and a download link.

use leptos::prelude::*;
use shared::management::connections::Connection;
use shared::management::jobs::{CreateExport, ExportField, ExportFormat, ImportUsers, Job, JobErrors, JobStatus};
use wasm_bindgen_futures::JsFuture;

use super::Flash;
use crate::api::{self, enc};
use crate::auth;

/// Largest part sent as one job (the API takes up to 100 MB per request).
const PART_BYTES: f64 = 90.0 * 1024.0 * 1024.0;

/// One job the operator started here.
#[derive(Debug, Clone, PartialEq)]
struct Started {
    id: String,
    label: String,
    status: Job,
}

async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        if let Some(w) = web_sys::window() {
            let _ = w.set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
        }
    });
    let _ = JsFuture::from(promise).await;
}

async fn text(blob: &web_sys::Blob) -> String {
    match JsFuture::from(blob.text()).await {
        Ok(t) => t.as_string().unwrap_or_default(),
        Err(_) => String::new(),
    }
}

/// The byte ranges of the parts: the whole file, or NDJSON cut after a line end near every
/// [`PART_BYTES`].
async fn parts(file: &web_sys::File) -> Result<Vec<(f64, f64)>, String> {
    let size = file.size();
    if size <= PART_BYTES {
        return Ok(vec![(0.0, size)]);
    }
    let head = file
        .slice_with_f64_and_f64(0.0, 64.0)
        .map_err(|_| "The file cannot be read")?;
    if text(&head).await.trim_start().starts_with('[') {
        return Err(
            "This JSON array is larger than 90 MB: save it as NDJSON (one user per line) and it is imported in parts."
                .into(),
        );
    }
    let mut out = Vec::new();
    let mut start = 0.0;
    while size - start > PART_BYTES {
        let probe = start + PART_BYTES;
        let window = file
            .slice_with_f64_and_f64(probe, (probe + 262_144.0).min(size))
            .map_err(|_| "The file cannot be read")?;
        let bytes = JsFuture::from(window.array_buffer())
            .await
            .map_err(|_| "The file cannot be read")?;
        let bytes = js_sys::Uint8Array::new(&bytes).to_vec();
        let nl = bytes
            .iter()
            .position(|b| *b == b'\n')
            .ok_or("A line of the file is longer than 256 KB")?;
        let end = probe + nl as f64 + 1.0;
        out.push((start, end));
        start = end;
    }
    out.push((start, size));
    Ok(out)
}

/// Follows a job until it ends, updating its row.
async fn follow(jobs: RwSignal<Vec<Started>>, id: String) {
    loop {
        let status = api::get::<Job>(&format!("jobs/{}", enc(&id))).await;
        let done = status.as_ref().map_or(true, |j| j.status.ended());
        jobs.update(|list| {
            if let Some(j) = list.iter_mut().find(|j| j.id == id) {
                match status {
                    Ok(now) => j.status = now,
                    Err(e) => {
                        j.status.status = JobStatus::Failed;
                        j.status.status_details = Some(e.to_string());
                    }
                }
            }
        });
        if done {
            break;
        }
        sleep(1000).await;
    }
}

/// The Import / Export page.
#[component]
pub fn ImportExport() -> impl IntoView {
    let connections = LocalResource::new(|| async { api::get::<Vec<Connection>>("connections?strategy=auth0").await });
    let connection = RwSignal::new(String::new());
    let upsert = RwSignal::new(false);
    let file = RwSignal::new(None::<send_wrapper::SendWrapper<web_sys::File>>);
    let jobs = RwSignal::new(Vec::<Started>::new());
    let message = RwSignal::new(Ok(String::new()));
    let format = RwSignal::new("json".to_owned());
    let fields = RwSignal::new("email, name, user_id, created_at, last_login, logins_count".to_owned());
    let start_import = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(f) = file.get_untracked() else {
            message.set(Err("Choose a users file first.".into()));
            return;
        };
        let conn = connection.get_untracked();
        if conn.is_empty() {
            message.set(Err("Choose the connection the users go to.".into()));
            return;
        }
        let upsert = upsert.get_untracked();
        leptos::task::spawn_local(async move {
            let f = f.take();
            let ranges = match parts(&f).await {
                Ok(r) => r,
                Err(e) => return message.set(Err(e)),
            };
            let n = ranges.len();
            for (k, (a, b)) in ranges.into_iter().enumerate() {
                let form = match web_sys::FormData::new() {
                    Ok(form) => form,
                    Err(_) => return message.set(Err("The browser cannot build the upload".into())),
                };
                let Ok(part) = f.slice_with_f64_and_f64(a, b) else {
                    return;
                };
                let _ = form.append_with_blob_and_filename("users", &part, &f.name());
                let fields = ImportUsers {
                    connection_id: conn.clone(),
                    upsert,
                    ..ImportUsers::default()
                };
                for (name, value) in fields.form_fields() {
                    let _ = form.append_with_str(name, &value);
                }
                match api::post_form::<Job>("jobs/users-imports", form).await {
                    Ok(job) => {
                        let id = job.id.clone();
                        let label = if n == 1 {
                            f.name()
                        } else {
                            format!("{} (part {} of {n})", f.name(), k + 1)
                        };
                        jobs.update(|l| {
                            l.insert(
                                0,
                                Started {
                                    id: id.clone(),
                                    label,
                                    status: job,
                                },
                            )
                        });
                        leptos::task::spawn_local(follow(jobs, id));
                    }
                    Err(e) => return message.set(Err(e.to_string())),
                }
            }
            message.set(Ok(format!("{n} import job(s) started.")));
        });
    };
    let start_export = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let list: Vec<ExportField> = fields
            .get_untracked()
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(ExportField::named)
            .collect();
        let body = CreateExport {
            connection_id: Some(connection.get_untracked()).filter(|c| !c.is_empty()),
            format: Some(if format.get_untracked() == "csv" {
                ExportFormat::Csv
            } else {
                ExportFormat::Json
            }),
            fields: Some(list),
            limit: None,
        };
        leptos::task::spawn_local(async move {
            match api::post::<Job>("jobs/users-exports", &body).await {
                Ok(job) => {
                    let id = job.id.clone();
                    jobs.update(|l| {
                        l.insert(
                            0,
                            Started {
                                id: id.clone(),
                                label: format!("Export ({})", job.format.unwrap_or_default().as_str()),
                                status: job,
                            },
                        )
                    });
                    follow(jobs, id).await;
                }
                Err(e) => message.set(Err(e.to_string())),
            }
        });
    };
    view! {
        <form class="settings" on:submit=start_import aria-labelledby="import-title">
            <h2 id="import-title">"Import users"</h2>
            <label for="import-file">"Users file (JSON or NDJSON, Auth0's import format)"</label>
            <input id="import-file" type="file" accept=".json,.ndjson,.jsonl,application/json"
                on:change=move |ev| file.set(auth::first_file(&ev).map(send_wrapper::SendWrapper::new)) />
            <label for="import-connection">"Connection"</label>
            <select id="import-connection" on:change=move |ev| connection.set(event_target_value(&ev))>
                <option value="">"Choose a connection"</option>
                <Suspense fallback=|| ()>
                    {move || connections.get().and_then(|r| r.ok()).map(|v| v.into_iter().map(|c| {
                        view! { <option value=c.id>{c.name}</option> }
                    }).collect_view())}
                </Suspense>
            </select>
            <label class="check"><input type="checkbox" prop:checked=upsert on:change=move |ev| upsert.set(event_target_checked(&ev)) />
                "Update users who exist already (upsert)"</label>
            <button type="submit" class="primary">"Import"</button>
        </form>
        <form class="settings" on:submit=start_export aria-labelledby="export-title">
            <h2 id="export-title">"Export users"</h2>
            <p class="hint">"Exports the connection chosen above, or every user when none is chosen."</p>
            <label for="export-format">"Format"</label>
            <select id="export-format" on:change=move |ev| format.set(event_target_value(&ev))>
                <option value="json">"NDJSON"</option>
                <option value="csv">"CSV"</option>
            </select>
            <label for="export-fields">"Fields (comma separated)"</label>
            <input id="export-fields" type="text" prop:value=fields on:input=move |ev| fields.set(event_target_value(&ev)) />
            <button type="submit">"Export"</button>
        </form>
        <Flash message />
        <h2>"Jobs"</h2>
        <Show when=move || !jobs.get().is_empty() fallback=|| view! { <p>"No job started from this page yet."</p> }>
            <table class="list">
                <caption class="sr">"Jobs started here"</caption>
                <thead><tr><th scope="col">"File"</th><th scope="col">"Status"</th><th scope="col">"Progress"</th><th scope="col">"Result"</th></tr></thead>
                <tbody>
                    <For each=move || jobs.get() key=|j| (j.id.clone(), j.status.status.as_str(), j.status.percentage_done) let:job>
                        <JobRow job />
                    </For>
                </tbody>
            </table>
        </Show>
    }
}

/// One job: its status, progress bar, summary, failed rows or download link.
#[component]
fn JobRow(
    /// The job.
    job: Started,
) -> impl IntoView {
    let v = &job.status;
    let pct = v.percentage_done.unwrap_or(0);
    let status = v.status.as_str();
    let errors = RwSignal::new(None::<Result<JobErrors, String>>);
    let id = job.id.clone();
    let result = match &v.summary {
        Some(s) => format!(
            "{} inserted, {} updated, {} failed of {}",
            s.inserted, s.updated, s.failed, s.total
        ),
        None => v.status_details.clone().unwrap_or_default(),
    };
    let failed_rows = v.summary.is_some_and(|s| s.failed > 0);
    let location = v.location.clone().unwrap_or_default();
    view! {
        <tr>
            <td>{job.label.clone()}</td>
            <td>{status}</td>
            <td><progress max="100" value=pct aria-label=format!("{} progress", job.label)>{format!("{pct}%")}</progress>" "{format!("{pct}%")}</td>
            <td>
                {result}
                {(!location.is_empty()).then(|| view! { " " <a href=location.clone()>"Download export"</a> })}
                {failed_rows.then(|| view! {
                    " "
                    <button type="button" class="link" on:click=move |_| {
                        let id = id.clone();
                        leptos::task::spawn_local(async move {
                            let rows = api::get::<JobErrors>(&format!("jobs/{}/errors", enc(&id))).await;
                            errors.set(Some(rows.map_err(|e| e.to_string())));
                        });
                    }>"Show failed rows"</button>
                })}
                {move || errors.get().map(|e| match e {
                    Ok(JobErrors::Rows(rows)) => view! {
                        <table class="errors">
                            <caption>"Failed rows"</caption>
                            <thead><tr><th scope="col">"Row"</th><th scope="col">"Code"</th><th scope="col">"Message"</th></tr></thead>
                            <tbody>
                                {rows.into_iter().map(|row| {
                                    let (code, message) = row.errors.into_iter().next().map(|e| (e.code, e.message)).unwrap_or_default();
                                    view! { <tr><td>{row.index.map_or("—".to_owned(), |i| i.to_string())}</td>
                                        <td>{code}</td><td>{message}</td></tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any(),
                    Ok(JobErrors::Failed(job)) => view! { <p class="error" role="alert">{job.status_details.unwrap_or_default()}</p> }.into_any(),
                    Err(e) => view! { <p class="error" role="alert">{e}</p> }.into_any(),
                })}
            </td>
        </tr>
    }
}
