//! Log streams: the tenant's events delivered to an HTTPS endpoint in batches
//! (`/api/v2/log-streams`, Auth0's `http` stream). Create one (endpoint, format, the authorization
//! header value — write-only: sent once, never shown again — and Auth0's event categories), pause
//! and resume it, delete it (confirmed); each stream shows its status and how delivery stands (a
//! stream that kept failing is `suspended`; resuming it retries what waits).

use leptos::prelude::*;
use shared::management::log_streams::{
    ContentFormat, CreateLogStream, HttpSink, LogStream, StreamFilter, StreamStatus, UpdateLogStream, CATEGORIES,
};

use super::{when, ConfirmDelete, Flash, ListTable, Listing};
use crate::api::{self, enc};

const FORMATS: [(ContentFormat, &str); 3] = [
    (ContentFormat::JsonArray, "JSON array (one request per batch)"),
    (ContentFormat::JsonLines, "JSON lines (one request per batch)"),
    (ContentFormat::JsonObject, "JSON object (one request per event)"),
];

fn status_text(s: StreamStatus) -> &'static str {
    match s {
        StreamStatus::Active => "Active",
        StreamStatus::Paused => "Paused",
        StreamStatus::Suspended => "Suspended after repeated failures",
    }
}

fn filters_text(filters: &[StreamFilter]) -> String {
    if filters.is_empty() {
        "Every event".into()
    } else {
        filters.iter().map(|f| f.name.as_str()).collect::<Vec<_>>().join(", ")
    }
}

/// The Log streams page.
#[component]
pub fn LogStreams() -> impl IntoView {
    let streams = Listing::<LogStream>::new("log-streams");
    let message = streams.message;
    let name = RwSignal::new(String::new());
    let endpoint = RwSignal::new(String::new());
    let format = RwSignal::new(ContentFormat::JsonArray.as_str().to_owned());
    let authorization = RwSignal::new(String::new());
    let categories = RwSignal::new(Vec::<&'static str>::new());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let secret = authorization.get_untracked();
        let body = CreateLogStream {
            name: Some(name.get_untracked().trim().to_owned()).filter(|n| !n.is_empty()),
            kind: "http".into(),
            sink: HttpSink {
                http_endpoint: endpoint.get_untracked().trim().to_owned(),
                http_content_type: Some("application/json".into()),
                http_content_format: ContentFormat::parse(&format.get_untracked()),
                http_authorization: Some(secret).filter(|s| !s.is_empty()),
            },
            filters: Some(
                categories
                    .get_untracked()
                    .into_iter()
                    .map(|c| StreamFilter {
                        kind: "category".into(),
                        name: c.to_owned(),
                    })
                    .collect(),
            ),
        };
        leptos::task::spawn_local(async move {
            let r = api::post::<LogStream>("log-streams", &body).await;
            if r.is_ok() {
                // Write-only: the secret leaves the page once sent.
                authorization.set(String::new());
                name.set(String::new());
                endpoint.set(String::new());
                categories.set(Vec::new());
            }
            streams.done(r.map(|s| {
                format!(
                    "{} is created: events from now on go to {}.",
                    s.name, s.sink.http_endpoint
                )
            }));
        });
    };
    let set_status = move |s: LogStream, status: StreamStatus| {
        leptos::task::spawn_local(async move {
            let body = UpdateLogStream {
                status: Some(status),
                ..UpdateLogStream::default()
            };
            let r = api::patch::<LogStream>(&format!("log-streams/{}", enc(&s.id)), &body).await;
            streams.done(r.map(|s| format!("{} is {}.", s.name, s.status.as_str())));
        });
    };
    let remove = move |s: LogStream| {
        leptos::task::spawn_local(async move {
            let r = api::delete(&format!("log-streams/{}", enc(&s.id))).await;
            streams.done(r.map(|_| format!("{} is deleted.", s.name)));
        });
    };
    view! {
        <p>"Send this tenant's events to your own HTTPS endpoint (a SIEM, a data warehouse, a webhook): POSTed in batches as Auth0's log streams send them, retried with back-off; a stream that keeps failing is suspended until you resume it."</p>
        <Flash message />
        <ListTable items=streams.items caption="Log streams" empty="No log streams yet."
            headers=&["Name", "Endpoint", "Events", "Status", "Delivery", "Actions"]
            row=move |s: LogStream| {
                let d = s.delivery.clone().unwrap_or_default();
                let delivery = match (&d.last_error, d.consecutive_failures) {
                    (Some(e), n) if n > 0 => format!("{} delivered; {n} failed attempts in a row (last: {e})", d.delivered),
                    _ => format!("{} delivered; last {}", d.delivered, when(d.last_delivered_at.as_deref())),
                };
                let (s_toggle, s_yes) = (s.clone(), s.clone());
                let delete_label = format!("Delete {}…", s.name);
                let active = s.status == StreamStatus::Active;
                let toggle_label = format!("{} {}", if active { "Pause" } else { "Resume" }, s.name);
                view! { <tr>
                    <td>{s.name.clone()}</td>
                    <td><code>{s.sink.http_endpoint.clone()}</code></td>
                    <td>{filters_text(&s.filters)}</td>
                    <td class=format!("status-{}", s.status.as_str())>{status_text(s.status)}</td>
                    <td>{delivery}</td>
                    <td>
                        <button type="button" aria-label=toggle_label on:click=move |_| set_status(s_toggle.clone(),
                            if active { StreamStatus::Paused } else { StreamStatus::Active })>
                            {if active { "Pause" } else { "Resume" }}</button>
                        <ConfirmDelete label=delete_label noun="stream" question="Delete this stream? "
                            on_yes=Callback::new(move |_| remove(s_yes.clone())) />
                    </td>
                </tr> }
            } />
        <form class="settings" on:submit=create>
            <h2>"New log stream"</h2>
            <label for="stream-name">"Name"</label>
            <input id="stream-name" type="text" autocomplete="off" placeholder="SIEM"
                prop:value=name on:input=move |ev| name.set(event_target_value(&ev)) />
            <label for="stream-endpoint">"Endpoint (https)"</label>
            <input id="stream-endpoint" type="url" required autocomplete="off" placeholder="https://siem.example.com/auth0"
                prop:value=endpoint on:input=move |ev| endpoint.set(event_target_value(&ev)) />
            <label for="stream-format">"Content format"</label>
            <select id="stream-format" prop:value=format on:change=move |ev| format.set(event_target_value(&ev))>
                {FORMATS.iter().map(|(f, label)| view! { <option value=f.as_str()>{*label}</option> }).collect_view()}
            </select>
            <label for="stream-authorization">"Authorization header (optional, write-only: never shown again)"</label>
            <input id="stream-authorization" type="password" autocomplete="new-password" placeholder="Bearer …"
                prop:value=authorization on:input=move |ev| authorization.set(event_target_value(&ev)) />
            <fieldset class="categories">
                <legend>"Event categories (none ticked: every event)"</legend>
                {CATEGORIES.iter().map(|c| {
                    let c: &'static str = c;
                    view! {
                        <label class="check">
                            <input type="checkbox" prop:checked=move || categories.get().contains(&c)
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    categories.update(|l| { l.retain(|x| *x != c); if on { l.push(c); } });
                                } />
                            {c}
                        </label>
                    }
                }).collect_view()}
            </fieldset>
            <div class="actions"><button type="submit" class="primary">"Create stream"</button></div>
        </form>
    }
}
