//! Tollgate's operator console (`/admin`): the Dashboard and the User Import/Export Extension of
//! the provisioning concept, as Leptos components over the public Management API. Signing in is
//! the console's own code + PKCE flow (`auth`); every page reads and writes through `api` with the
//! operator's token, whose scopes the edge cuts to their role at every call.

mod api;
mod auth;
mod pages;

use leptos::prelude::*;

/// The pages, in navigation order: (hash, link name).
const PAGES: [(&str, &str); 11] = [
    ("users", "Users"),
    ("connections", "Connections"),
    ("applications", "Applications"),
    ("import-export", "Import / Export"),
    ("migration", "Migration"),
    ("attack-protection", "Attack protection"),
    ("mfa", "Multi-factor"),
    ("members", "Members"),
    ("logs", "Logs"),
    ("log-streams", "Log streams"),
    ("hooks", "Hooks"),
];

fn current_page() -> String {
    let hash = web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default();
    let name = hash.trim_start_matches("#/").trim_start_matches('#');
    if PAGES.iter().any(|(h, _)| *h == name) {
        name.to_owned()
    } else {
        "users".to_owned()
    }
}

/// The navigation and the page it selects (hash routing: `#/users`, …).
#[component]
fn Shell() -> impl IntoView {
    let page = RwSignal::new(current_page());
    window_event_listener(leptos::ev::hashchange, move |_| page.set(current_page()));
    let title = move || {
        PAGES
            .iter()
            .find(|(h, _)| *h == page.get())
            .map_or("Users", |(_, t)| *t)
    };
    Effect::new(move || {
        if let Some(d) = web_sys::window().and_then(|w| w.document()) {
            d.set_title(&format!("{} · Tollgate console", title()));
        }
    });
    view! {
        <header class="bar">
            <span class="brand">"Tollgate console"</span>
            <nav aria-label="Console">
                <ul>
                    {PAGES
                        .iter()
                        .map(|(hash, name)| {
                            let hash = *hash;
                            view! {
                                <li>
                                    <a href=format!("#/{hash}")
                                        aria-current=move || (page.get() == hash).then_some("page")>{*name}</a>
                                </li>
                            }
                        })
                        .collect_view()}
                </ul>
            </nav>
            <button type="button" class="link" on:click=|_| auth::sign_out()>"Sign out"</button>
        </header>
        <main id="main">
            <h1>{title}</h1>
            {move || match page.get().as_str() {
                "connections" => view! { <pages::connections::Connections /> }.into_any(),
                "applications" => view! { <pages::applications::Applications /> }.into_any(),
                "import-export" => view! { <pages::jobs::ImportExport /> }.into_any(),
                "migration" => view! { <pages::migration::Migration /> }.into_any(),
                "attack-protection" => view! { <pages::attack::AttackProtection /> }.into_any(),
                "mfa" => view! { <pages::mfa::Mfa /> }.into_any(),
                "members" => view! { <pages::members::Members /> }.into_any(),
                "logs" => view! { <pages::logs::Logs /> }.into_any(),
                "log-streams" => view! { <pages::log_streams::LogStreams /> }.into_any(),
                "hooks" => view! { <pages::hooks::Hooks /> }.into_any(),
                _ => view! { <pages::users::Users /> }.into_any(),
            }}
        </main>
    }
}

/// Not signed in: what the console is and a button to sign in (or why the sign-in failed).
#[component]
fn SignIn(
    /// Why the last sign-in did not give a console.
    refused: Option<String>,
) -> impl IntoView {
    view! {
        <main id="main" class="signin">
            <h1>"Tollgate console"</h1>
            <p>"Operate this tenant: users, connections and their policies, applications, imports and exports, migration."</p>
            {refused.map(|why| view! {
                <p class="error" role="alert">
                    "Not signed in: " {why}
                </p>
            })}
            <button type="button" class="primary" on:click=|_| leptos::task::spawn_local(auth::sign_in())>
                "Sign in"
            </button>
        </main>
    }
}

/// Finishes a sign-in in progress, then shows the console or the sign-in page.
#[component]
fn App() -> impl IntoView {
    let state = LocalResource::new(|| async {
        match auth::finish_sign_in().await {
            Err(why) => Err(why),
            Ok(_) => Ok(auth::token().is_some()),
        }
    });
    view! {
        <Suspense fallback=|| view! { <main id="main"><h1>"Tollgate console"</h1><p>"Loading…"</p></main> }>
            {move || state.get().map(|s| match s {
                Ok(true) => view! { <Shell /> }.into_any(),
                Ok(false) => view! { <SignIn refused=None /> }.into_any(),
                Err(why) => view! { <SignIn refused=Some(why) /> }.into_any(),
            })}
        </Suspense>
    }
}

fn main() {
    mount_to_body(App);
}
