//! Import / Export (the User Import/Export Extension): a users file in Auth0's format (a JSON
//! array, or NDJSON of any size — cut at line ends into parts below the API's 100 MB, one job
//! each, as the CLI does), a progress bar per job, the rows that failed; exports with a format,
//! fields and a download link.

use leptos::prelude::*;
use serde_json::{json, Value};
use wasm_bindgen_futures::JsFuture;

use super::Flash;
use crate::api::{self, enc, s};
use crate::auth;

/// Largest part sent as one job (the API takes up to 100 MB per request).
const PART_BYTES: f64 = 90.0 * 1024.0 * 1024.0;

/// One job the operator started here.
#[derive(Debug, Clone, PartialEq)]
struct Job {
    id: String,
    label: String,
    status: Value,
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
async fn follow(jobs: RwSignal<Vec<Job>>, id: String) {
    loop {
        let status = api::get(&format!("jobs/{}", enc(&id))).await;
        let done = match &status {
            Ok(v) => matches!(s(v, "status"), "completed" | "failed"),
            Err(_) => true,
        };
        let value = status.unwrap_or_else(|e| json!({"status": "failed", "status_details": e.to_string()}));
        jobs.update(|list| {
            if let Some(j) = list.iter_mut().find(|j| j.id == id) {
                j.status = value;
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
    let connections = LocalResource::new(|| async { api::get("connections?strategy=auth0").await });
    let connection = RwSignal::new(String::new());
    let upsert = RwSignal::new(false);
    let file = RwSignal::new(None::<send_wrapper::SendWrapper<web_sys::File>>);
    let jobs = RwSignal::new(Vec::<Job>::new());
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
                let _ = form.append_with_str("connection_id", &conn);
                let _ = form.append_with_str("upsert", if upsert { "true" } else { "false" });
                let _ = form.append_with_str("send_completion_email", "false");
                match api::post_form("jobs/users-imports", form).await {
                    Ok(job) => {
                        let id = s(&job, "id").to_owned();
                        let label = if n == 1 {
                            f.name()
                        } else {
                            format!("{} (part {} of {n})", f.name(), k + 1)
                        };
                        jobs.update(|l| {
                            l.insert(
                                0,
                                Job {
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
        let list: Vec<Value> = fields
            .get_untracked()
            .split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| json!({ "name": f }))
            .collect();
        let mut body = json!({"format": format.get_untracked(), "fields": list});
        let conn = connection.get_untracked();
        if !conn.is_empty() {
            body["connection_id"] = json!(conn);
        }
        leptos::task::spawn_local(async move {
            match api::post("jobs/users-exports", &body).await {
                Ok(job) => {
                    let id = s(&job, "id").to_owned();
                    jobs.update(|l| {
                        l.insert(
                            0,
                            Job {
                                id: id.clone(),
                                label: format!("Export ({})", s(&job, "format")),
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
                    {move || connections.get().and_then(|r| r.ok()).map(|v| v.as_array().cloned().unwrap_or_default().into_iter().map(|c| {
                        view! { <option value=s(&c, "id").to_owned()>{s(&c, "name").to_owned()}</option> }
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
                    <For each=move || jobs.get() key=|j| (j.id.clone(), j.status.to_string()) let:job>
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
    job: Job,
) -> impl IntoView {
    let v = job.status.clone();
    let pct = v["percentage_done"].as_i64().unwrap_or(0);
    let status = s(&v, "status").to_owned();
    let errors = RwSignal::new(None::<Value>);
    let id = job.id.clone();
    let summary = &v["summary"];
    let result = if !summary.is_null() {
        format!(
            "{} inserted, {} updated, {} failed of {}",
            summary["inserted"], summary["updated"], summary["failed"], summary["total"]
        )
    } else {
        s(&v, "status_details").to_owned()
    };
    let failed_rows = summary["failed"].as_i64().unwrap_or(0) > 0;
    let location = s(&v, "location").to_owned();
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
                            errors.set(Some(api::get(&format!("jobs/{}/errors", enc(&id))).await.unwrap_or_else(|e| json!({"error": e.to_string()}))));
                        });
                    }>"Show failed rows"</button>
                })}
                {move || errors.get().map(|e| view! {
                    <table class="errors">
                        <caption>"Failed rows"</caption>
                        <thead><tr><th scope="col">"Row"</th><th scope="col">"Code"</th><th scope="col">"Message"</th></tr></thead>
                        <tbody>
                            {e.as_array().cloned().unwrap_or_default().into_iter().map(|row| {
                                let first = row["errors"][0].clone();
                                view! { <tr><td>{row["user"]["index"].as_i64().or(row["index"].as_i64()).map_or("—".to_owned(), |i| i.to_string())}</td>
                                    <td>{s(&first, "code").to_owned()}</td><td>{s(&first, "message").to_owned()}</td></tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                })}
            </td>
        </tr>
    }
}
