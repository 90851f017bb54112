//! The Connections page's passwordless part: the `email` connection (codes and links by mail) —
//! created here when there is none, its code's length and lifetime, sign-up on or off, and the
//! applications it is enabled for.

use leptos::prelude::*;
use shared::management::clients::Client;
use shared::management::connections::{Connection, ConnectionOptions, CreateConnection, Totp, UpdateConnection};

use super::Flash;
use crate::api::{self, enc};

/// The passwordless connections, or a button that creates the `email` one.
#[component]
pub fn Passwordless(
    /// The tenant's passwordless connections.
    connections: Vec<Connection>,
) -> impl IntoView {
    let message = RwSignal::new(Ok(String::new()));
    let created = RwSignal::new(None::<Connection>);
    let create = move |_| {
        leptos::task::spawn_local(async move {
            let body = CreateConnection {
                name: "email".into(),
                strategy: "email".into(),
                options: Some(ConnectionOptions {
                    totp: Some(Totp {
                        length: Some(6),
                        time_step: Some(300),
                    }),
                    brute_force_protection: Some(true),
                    ..ConnectionOptions::default()
                }),
                enabled_clients: Some(Vec::new()),
                ..CreateConnection::default()
            };
            match api::post::<Connection>("connections", &body).await {
                Ok(c) => {
                    message.set(Ok(
                        "The email connection is created: choose its applications below.".into()
                    ));
                    created.set(Some(c));
                }
                Err(e) => message.set(Err(e.to_string())),
            }
        });
    };
    let empty = connections.is_empty();
    view! {
        <h2>"Passwordless"</h2>
        <p>"A code or a link by email instead of a password; the first one signs a new address up."</p>
        <Flash message />
        {connections.into_iter().map(|c| view! { <PasswordlessEditor connection=c /> }).collect_view()}
        {move || created.get().map(|c| view! { <PasswordlessEditor connection=c /> })}
        {move || (empty && created.get().is_none()).then(|| view! {
            <button type="button" class="primary" on:click=create>"Create the email connection"</button>
        })}
    }
}

/// One passwordless connection's settings.
#[component]
fn PasswordlessEditor(connection: Connection) -> impl IntoView {
    let Connection {
        id,
        name,
        options,
        enabled_clients,
        ..
    } = connection;
    let totp = options.totp.unwrap_or_default();
    let length = RwSignal::new(totp.length.unwrap_or(6).to_string());
    let lifetime = RwSignal::new(totp.time_step.unwrap_or(300).to_string());
    let signup = RwSignal::new(options.disable_signup != Some(true));
    let enabled = RwSignal::new(enabled_clients.unwrap_or_default());
    let message = RwSignal::new(Ok(String::new()));
    let clients = LocalResource::new(|| async { api::get::<Vec<Client>>("clients").await });
    let original = StoredValue::new(options);
    let ids = format!("pwdless-{name}");
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut o = original.get_value();
        o.totp = Some(Totp {
            length: length.get_untracked().trim().parse().ok(),
            time_step: lifetime.get_untracked().trim().parse().ok(),
        });
        o.disable_signup = Some(!signup.get_untracked());
        let body = UpdateConnection {
            options: Some(o),
            enabled_clients: Some(enabled.get_untracked()),
            ..UpdateConnection::default()
        };
        let path = format!("connections/{}", enc(&id));
        leptos::task::spawn_local(async move {
            let r = api::patch::<Connection>(&path, &body).await;
            message.set(r.map(|_| "Saved.".to_owned()).map_err(|e| e.to_string()));
        });
    };
    let toggle = move |client: String, on: bool| {
        enabled.update(|list| {
            list.retain(|c| *c != client);
            if on {
                list.push(client);
            }
        })
    };
    view! {
        <form class="settings" on:submit=save>
            <h3>{format!("Connection {name}")}</h3>
            <label for=format!("{ids}-length")>"Code length (digits, 4–10)"</label>
            <input id=format!("{ids}-length") type="number" min="4" max="10" prop:value=length
                on:input=move |ev| length.set(event_target_value(&ev)) />
            <label for=format!("{ids}-lifetime")>"Code and link lifetime (seconds, 60–3600)"</label>
            <input id=format!("{ids}-lifetime") type="number" min="60" max="3600" prop:value=lifetime
                on:input=move |ev| lifetime.set(event_target_value(&ev)) />
            <label class="check">
                <input type="checkbox" prop:checked=signup on:change=move |ev| signup.set(event_target_checked(&ev)) />
                "New addresses may sign up"
            </label>
            <fieldset>
                <legend>"Applications"</legend>
                <Suspense fallback=|| view! { <p>"Loading applications…"</p> }>
                    {move || clients.get().map(|r| match r {
                        Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                        Ok(list) => list.into_iter().map(|c| {
                            let (client, checked) = (c.client_id.clone(), c.client_id.clone());
                            view! { <label class="check">
                                <input type="checkbox" prop:checked=move || enabled.get().contains(&checked)
                                    on:change=move |ev| toggle(client.clone(), event_target_checked(&ev)) />
                                {c.name}
                            </label> }
                        }).collect_view().into_any(),
                    })}
                </Suspense>
            </fieldset>
            <button type="submit" class="primary">{format!("Save {name}")}</button>
            <Flash message />
        </form>
    }
}
