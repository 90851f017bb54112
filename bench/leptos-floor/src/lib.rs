//! The smallest honest Leptos login form: what any Leptos CSR widget pays before its own features.
//! Two inputs bound to signals, a submit through `Action`, one gloo-net JSON POST with a serde
//! body and a serde answer, a status line. `make bench` builds it with the widget's size flags.
use leptos::prelude::*;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::wasm_bindgen;

#[derive(Serialize)]
struct Login {
    username: String,
    password: String,
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    error_description: Option<String>,
}

async fn log_in(body: Login) -> String {
    let sent = gloo_net::http::Request::post("/oauth/token").json(&body);
    let Ok(request) = sent else { return "invalid".into() };
    match request.send().await {
        Ok(response) => match response.json::<Answer>().await {
            Ok(Answer {
                error_description: Some(e),
            }) => e,
            Ok(_) => "ok".into(),
            Err(_) => "invalid answer".into(),
        },
        Err(_) => "network".into(),
    }
}

#[component]
fn LoginForm() -> impl IntoView {
    let email = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let submit = Action::new_local(|body: &(String, String)| {
        let (username, password) = body.clone();
        log_in(Login { username, password })
    });
    view! {
        <form on:submit=move |ev| {
            ev.prevent_default();
            submit.dispatch_local((email.get(), password.get()));
        }>
            <label>"Email" <input type="email" autocomplete="username" bind:value=email /></label>
            <label>"Password" <input type="password" autocomplete="current-password" bind:value=password /></label>
            <button type="submit" disabled=move || submit.pending().get()>"Log in"</button>
            <p role="status">{move || submit.value().get()}</p>
        </form>
    }
}

#[wasm_bindgen(start)]
pub fn start() {
    mount_to_body(LoginForm);
}
