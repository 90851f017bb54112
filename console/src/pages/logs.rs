//! Logs: the tenant's events (`GET /api/v2/logs`, newest first, pages with totals), filtered by
//! event type and user with Auth0's `q` (`type:fp AND user_id:"auth0|…"`); an event's detail
//! (`GET logs/{id}`). [`UserLogs`] is a user's own events (`GET users/{id}/logs`), the Logs tab of
//! the Users page. Types are shown with their description (`shared::management::logs`).

use leptos::prelude::*;
use shared::management::logs::{type_description, LogEvent, LogsPage, EVENT_TYPES};

use super::when;
use crate::api::{self, enc};

/// Events per page.
const PER_PAGE: i64 = 25;

/// `type` with its description for people (`fp · Incorrect password`).
fn kind_text(kind: &str) -> String {
    match type_description(kind) {
        Some(d) => format!("{kind} · {d}"),
        None => kind.to_owned(),
    }
}

/// What `q` says for the filters chosen (empty: every event).
fn query_of(kind: &str, user: &str) -> String {
    let mut terms = Vec::new();
    if !kind.is_empty() {
        terms.push(format!("type:{kind}"));
    }
    let user = user.trim().replace('"', "");
    if !user.is_empty() {
        terms.push(format!("user_id:\"{user}\""));
    }
    terms.join(" AND ")
}

/// The Logs page.
#[component]
pub fn Logs() -> impl IntoView {
    let kind = RwSignal::new(String::new());
    let user = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(0i64);
    let selected = RwSignal::new(None::<String>);
    let results = LocalResource::new(move || {
        let (q, p) = (query.get(), page.get());
        async move {
            let mut path = format!("logs?include_totals=true&per_page={PER_PAGE}&page={p}");
            if !q.is_empty() {
                path.push_str(&format!("&q={}", enc(&q)));
            }
            api::get::<LogsPage>(&path).await
        }
    });
    let filter = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(0);
        selected.set(None);
        query.set(query_of(&kind.get_untracked(), &user.get_untracked()));
    };
    view! {
        <p>"What happened in this tenant: logins, sign-ups, token exchanges, password changes, blocks, migrations, imports and Management API writes. Passwords, codes and secrets are never recorded."</p>
        <form class="search" role="search" aria-label="Filter events" on:submit=filter>
            <label for="log-type">"Event type"</label>
            <select id="log-type" prop:value=kind on:change=move |ev| kind.set(event_target_value(&ev))>
                <option value="">"Every type"</option>
                {EVENT_TYPES.iter().map(|(k, d, _)| view! { <option value=*k>{format!("{k} · {d}")}</option> }).collect_view()}
            </select>
            <label for="log-user">"User id"</label>
            <input id="log-user" type="search" placeholder="auth0|…" autocomplete="off"
                prop:value=user on:input=move |ev| user.set(event_target_value(&ev)) />
            <button type="submit" class="primary">"Filter"</button>
            <button type="button" on:click=move |_| results.refetch()>"Refresh"</button>
        </form>
        <Suspense fallback=|| view! { <p>"Loading events…"</p> }>
            {move || results.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let total = v.total;
                    let p = page.get_untracked();
                    let last = (p + 1) * PER_PAGE >= total;
                    view! {
                        <p class="count" role="status">{format!("{total} events")}</p>
                        <LogTable events=v.logs selected caption="Events" />
                        <nav class="pager" aria-label="Event pages">
                            <button type="button" disabled=p == 0 on:click=move |_| page.update(|p| *p -= 1)>"Newer"</button>
                            <span>{format!("Page {} of {}", p + 1, ((total + PER_PAGE - 1) / PER_PAGE).max(1))}</span>
                            <button type="button" disabled=last on:click=move |_| page.update(|p| *p += 1)>"Older"</button>
                        </nav>
                    }.into_any()
                }
            })}
        </Suspense>
        {move || selected.get().map(|id| view! { <LogDetail id /> })}
    }
}

/// A table of events; a row's date opens its detail (`selected`).
#[component]
pub fn LogTable(
    /// The events, in the order to show.
    events: Vec<LogEvent>,
    /// The event whose detail is open.
    selected: RwSignal<Option<String>>,
    /// The table's (visually hidden) caption.
    caption: &'static str,
) -> impl IntoView {
    if events.is_empty() {
        return view! { <p class="hint">"No events."</p> }.into_any();
    }
    view! {
        <table class="list logs">
            <caption class="sr">{caption}</caption>
            <thead><tr><th scope="col">"Date"</th><th scope="col">"Type"</th><th scope="col">"Description"</th>
                <th scope="col">"User"</th><th scope="col">"Client"</th><th scope="col">"IP"</th></tr></thead>
            <tbody>
                {events.into_iter().map(|e| {
                    let id = e.log_id.clone();
                    let fail = e.kind.starts_with('f') || e.kind.starts_with("limit");
                    view! { <tr class=if fail { "fail" } else { "" }>
                        <td><button type="button" class="link" aria-label=format!("Event {} at {}", e.kind, when(Some(&e.date)))
                            on:click=move |_| selected.set(Some(id.clone()))>{when(Some(&e.date))}</button></td>
                        <td>{kind_text(&e.kind)}</td>
                        <td>{e.description.clone().unwrap_or_default()}</td>
                        <td>{e.user_name.clone().or(e.user_id.clone()).unwrap_or_else(|| "—".into())}</td>
                        <td>{e.client_name.clone().or(e.client_id.clone()).unwrap_or_else(|| "—".into())}</td>
                        <td>{e.ip.clone().unwrap_or_else(|| "—".into())}</td>
                    </tr> }
                }).collect_view()}
            </tbody>
        </table>
    }
    .into_any()
}

/// One event, every field (`GET logs/{id}`).
#[component]
pub fn LogDetail(
    /// The event's `log_id`.
    id: String,
) -> impl IntoView {
    let path = format!("logs/{}", enc(&id));
    let event = LocalResource::new(move || {
        let path = path.clone();
        async move { api::get::<LogEvent>(&path).await }
    });
    view! {
        <section class="detail" aria-labelledby="log-detail-title">
            <Suspense fallback=|| view! { <p>"Loading the event…"</p> }>
                {move || event.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(e) => {
                        let field = |name: &'static str, v: Option<String>| v.map(|v| view! { <dt>{name}</dt><dd>{v}</dd> });
                        let details = e.details.as_ref().and_then(|d| serde_json::to_string_pretty(d).ok());
                        view! {
                            <h2 id="log-detail-title">{kind_text(&e.kind)}</h2>
                            <dl class="profile">
                                <dt>"Log id"</dt><dd><code>{e.log_id.clone()}</code></dd>
                                <dt>"Date"</dt><dd>{e.date.clone()}</dd>
                                {field("Description", e.description.clone())}
                                {field("User id", e.user_id.clone())}
                                {field("User name", e.user_name.clone())}
                                {field("Client", e.client_name.clone())}
                                {field("Client id", e.client_id.clone())}
                                {field("Connection", e.connection.clone())}
                                {field("Connection id", e.connection_id.clone())}
                                {field("Strategy", e.strategy.clone())}
                                {field("IP address", e.ip.clone())}
                                {field("User agent", e.user_agent.clone())}
                            </dl>
                            {details.map(|d| view! { <h3>"Details"</h3><pre class="json">{d}</pre> })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// A user's events (the Logs tab of a user): `GET users/{id}/logs`, newest first, in pages.
#[component]
pub fn UserLogs(
    /// The user id (`auth0|…`).
    id: String,
) -> impl IntoView {
    let page = RwSignal::new(0i64);
    let selected = RwSignal::new(None::<String>);
    let base = StoredValue::new(format!("users/{}/logs", enc(&id)));
    let results = LocalResource::new(move || {
        let p = page.get();
        let path = format!("{}?include_totals=true&per_page={PER_PAGE}&page={p}", base.get_value());
        async move { api::get::<LogsPage>(&path).await }
    });
    view! {
        <Suspense fallback=|| view! { <p>"Loading the user's events…"</p> }>
            {move || results.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let total = v.total;
                    let p = page.get_untracked();
                    let last = (p + 1) * PER_PAGE >= total;
                    view! {
                        <p class="count" role="status">{format!("{total} events for this user")}</p>
                        <LogTable events=v.logs selected caption="The user's events" />
                        <nav class="pager" aria-label="The user's event pages">
                            <button type="button" disabled=p == 0 on:click=move |_| page.update(|p| *p -= 1)>"Newer"</button>
                            <button type="button" disabled=last on:click=move |_| page.update(|p| *p += 1)>"Older"</button>
                        </nav>
                    }.into_any()
                }
            })}
        </Suspense>
        {move || selected.get().map(|id| view! { <LogDetail id /> })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filters_become_auth0s_q() {
        assert_eq!(query_of("", ""), "");
        assert_eq!(query_of("fp", ""), "type:fp");
        assert_eq!(query_of("s", " auth0|abc\" "), "type:s AND user_id:\"auth0|abc\"");
        assert_eq!(kind_text("fu"), "fu · Invalid email or username");
        assert_eq!(kind_text("zz"), "zz");
    }
}
