//! Applications: clients and their URLs, their grants to APIs, secrets shown once (on creation and
//! rotation).

use leptos::prelude::*;
use shared::management::client_grants::{ClientGrant, CreateClientGrant};
use shared::management::clients::{AppType, Client, CreateClient, UpdateClient};
use shared::management::Metadata;

use super::Flash;
use crate::api::{self, enc};

fn lines(v: &[String]) -> String {
    v.join("\n")
}

fn list_of(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

/// The Applications page.
#[component]
pub fn Applications() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let clients = LocalResource::new(move || {
        changed.get();
        async { api::get::<Vec<Client>>("clients").await }
    });
    let selected = RwSignal::new(None::<String>);
    let message = RwSignal::new(Ok(String::new()));
    let new_name = RwSignal::new(String::new());
    let new_type = RwSignal::new("spa".to_owned());
    let create = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let app_type = AppType::parse(&new_type.get_untracked()).unwrap_or_default();
        let grants: &[&str] = if app_type == AppType::NonInteractive {
            &["client_credentials"]
        } else {
            &["authorization_code", "refresh_token"]
        };
        let body = CreateClient {
            name: new_name.get_untracked(),
            app_type: Some(app_type),
            grant_types: Some(grants.iter().map(|g| (*g).to_owned()).collect()),
            ..CreateClient::default()
        };
        leptos::task::spawn_local(async move {
            match api::post::<Client>("clients", &body).await {
                Ok(c) => {
                    message.set(Ok(match &c.client_secret {
                        None => format!("Created {} (client id {}).", c.name, c.client_id),
                        Some(secret) => format!(
                            "Created {} (client id {}). Its secret, shown this once: {secret}",
                            c.name, c.client_id
                        ),
                    }));
                    selected.set(Some(c.client_id));
                    changed.update(|v| *v += 1);
                }
                Err(e) => message.set(Err(e.to_string())),
            }
        });
    };
    view! {
        <form class="inline" on:submit=create aria-labelledby="new-app">
            <h2 id="new-app">"New application"</h2>
            <label for="app-name">"Name"</label>
            <input id="app-name" type="text" required prop:value=new_name on:input=move |ev| new_name.set(event_target_value(&ev)) />
            <label for="app-type">"Type"</label>
            <select id="app-type" on:change=move |ev| new_type.set(event_target_value(&ev))>
                <option value="spa">"Single-page application"</option>
                <option value="regular_web">"Regular web application"</option>
                <option value="native">"Native application"</option>
                <option value="non_interactive">"Machine to machine"</option>
            </select>
            <button type="submit" class="primary">"Create"</button>
        </form>
        <Flash message />
        <Suspense fallback=|| view! { <p>"Loading applications…"</p> }>
            {move || clients.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => view! {
                    <table class="list">
                        <caption class="sr">"Applications"</caption>
                        <thead><tr><th scope="col">"Name"</th><th scope="col">"Client id"</th><th scope="col">"Type"</th><th scope="col">"Grant types"</th></tr></thead>
                        <tbody>
                            {v.into_iter().map(|c| {
                                let id = c.client_id.clone();
                                let id2 = id.clone();
                                view! { <tr>
                                    <td><button type="button" class="link" on:click=move |_| selected.set(Some(id2.clone()))>{c.name.clone()}</button></td>
                                    <td><code>{id}</code></td>
                                    <td>{c.app_type.map(AppType::as_str).unwrap_or_default()}</td>
                                    <td>{c.grant_types.join(", ")}</td>
                                </tr> }
                            }).collect_view()}
                        </tbody>
                    </table>
                }.into_any(),
            })}
        </Suspense>
        {move || selected.get().map(|id| view! { <ClientEditor id message changed /> })}
    }
}

/// One client: its URLs, secret rotation, deletion, grants.
#[component]
fn ClientEditor(
    /// The client id.
    id: String,
    /// Where results are reported.
    message: RwSignal<Result<String, String>>,
    /// Bumped after a change.
    changed: RwSignal<u32>,
) -> impl IntoView {
    let path = format!("clients/{}", enc(&id));
    let client = LocalResource::new({
        let path = path.clone();
        move || {
            let path = path.clone();
            async move { api::get::<Client>(&path).await }
        }
    });
    let grants = LocalResource::new({
        let id = id.clone();
        move || {
            changed.get();
            let id = id.clone();
            async move { api::get::<Vec<ClientGrant>>(&format!("client-grants?client_id={}", enc(&id))).await }
        }
    });
    let callbacks = RwSignal::new(String::new());
    let origins = RwSignal::new(String::new());
    let logouts = RwSignal::new(String::new());
    let audience = RwSignal::new(String::new());
    let scopes = RwSignal::new(String::new());
    Effect::new(move || {
        if let Some(Ok(c)) = client.get() {
            callbacks.set(lines(&c.callbacks));
            origins.set(lines(&c.web_origins));
            logouts.set(lines(&c.allowed_logout_urls));
        }
    });
    let save_path = path.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = UpdateClient {
            callbacks: Some(list_of(&callbacks.get_untracked())),
            web_origins: Some(list_of(&origins.get_untracked())),
            allowed_logout_urls: Some(list_of(&logouts.get_untracked())),
            ..UpdateClient::default()
        };
        let path = save_path.clone();
        leptos::task::spawn_local(async move {
            let r = api::patch::<Client>(&path, &body).await;
            message.set(
                r.map(|_| "The application's URLs are saved.".to_owned())
                    .map_err(|e| e.to_string()),
            );
            changed.update(|v| *v += 1);
        });
    };
    let rotate_path = format!("{path}/rotate-secret");
    let rotate = move |_| {
        let path = rotate_path.clone();
        leptos::task::spawn_local(async move {
            let r = api::post::<Client>(&path, &Metadata::new()).await;
            message.set(
                r.map(|c| {
                    format!(
                        "New secret, shown this once: {} — the old one no longer works.",
                        c.client_secret.unwrap_or_default()
                    )
                })
                .map_err(|e| e.to_string()),
            );
        });
    };
    let grant_id = id.clone();
    let add_grant = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = CreateClientGrant {
            client_id: grant_id.clone(),
            audience: audience.get_untracked().trim().to_owned(),
            scope: scopes.get_untracked().split_whitespace().map(str::to_owned).collect(),
        };
        leptos::task::spawn_local(async move {
            let r = api::post::<ClientGrant>("client-grants", &body).await;
            message.set(r.map(|_| "The grant is created.".to_owned()).map_err(|e| e.to_string()));
            changed.update(|v| *v += 1);
        });
    };
    let confirm = RwSignal::new(false);
    let delete_path = path.clone();
    view! {
        <section class="detail" aria-labelledby="client-title">
            <h2 id="client-title">{move || client.get().and_then(|r| r.ok()).map(|c| c.name).unwrap_or_default()}</h2>
            <form class="settings" on:submit=save>
                <label for="cb">"Allowed callback URLs (one per line)"</label>
                <textarea id="cb" rows="3" prop:value=callbacks on:input=move |ev| callbacks.set(event_target_value(&ev))></textarea>
                <label for="wo">"Allowed web origins (one per line)"</label>
                <textarea id="wo" rows="2" prop:value=origins on:input=move |ev| origins.set(event_target_value(&ev))></textarea>
                <label for="lo">"Allowed logout URLs (one per line)"</label>
                <textarea id="lo" rows="2" prop:value=logouts on:input=move |ev| logouts.set(event_target_value(&ev))></textarea>
                <button type="submit" class="primary">"Save URLs"</button>
            </form>
            <div class="actions">
                <button type="button" on:click=rotate>"Rotate secret"</button>
                <Show when=move || confirm.get()
                    fallback=move || view! { <button type="button" class="danger" on:click=move |_| confirm.set(true)>"Delete application…"</button> }>
                    {
                        let delete_path = delete_path.clone();
                        view! {
                            <span class="confirm" role="group" aria-label="Confirm deletion">
                                "Delete this application and its grants? "
                                <button type="button" class="danger" on:click=move |_| {
                                    let path = delete_path.clone();
                                    confirm.set(false);
                                    leptos::task::spawn_local(async move {
                                        let r = api::delete(&path).await;
                                        message.set(r.map(|_| "The application is deleted.".to_owned()).map_err(|e| e.to_string()));
                                        changed.update(|v| *v += 1);
                                    });
                                }>"Yes, delete"</button>
                                <button type="button" on:click=move |_| confirm.set(false)>"Cancel"</button>
                            </span>
                        }
                    }
                </Show>
            </div>
            <h3>"Grants"</h3>
            <Suspense fallback=|| ()>
                {move || grants.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(v) => view! { <ul>{v.into_iter().map(|g| view! {
                        <li>{format!("{}: {}", g.audience, g.scope.join(" "))}</li>
                    }).collect_view()}</ul> }.into_any(),
                })}
            </Suspense>
            <form class="inline" on:submit=add_grant>
                <label for="g-aud">"API identifier"</label>
                <input id="g-aud" type="url" required prop:value=audience on:input=move |ev| audience.set(event_target_value(&ev)) />
                <label for="g-scope">"Scopes (space separated)"</label>
                <input id="g-scope" type="text" prop:value=scopes on:input=move |ev| scopes.set(event_target_value(&ev)) />
                <button type="submit">"Grant"</button>
            </form>
        </section>
    }
}
