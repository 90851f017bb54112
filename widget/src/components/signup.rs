//! The sign-up form: email, optional username, password with the live checklist, submit.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use shared::email;
use shared::wire::{DbConnectionInfo, SignupRequest};

use super::new_password::NewPasswordField;
use crate::api::{post_json, ApiFailure};
use crate::i18n::signup_error;

/// What the last submit produced.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    SignedUp(String),
    Failed(String),
}

/// Sign-up on a database connection. Validation runs while typing with the same `shared` code the
/// edge enforces; the server's answer (success or error) is announced through an `aria-live` region.
#[component]
pub fn SignupForm(
    /// The database connection, as the client configuration describes it.
    connection: DbConnectionInfo,
    /// The application's client id.
    #[prop(into)]
    client_id: String,
    /// Origin of the edge, without a trailing slash (`""` for same origin).
    #[prop(into)]
    api_base: String,
) -> impl IntoView {
    let policy = connection.policy();
    let rules = connection.username_rules();
    let requires_username = connection.requires_username;
    let (email_value, set_email) = signal(String::new());
    let (username, set_username) = signal(String::new());
    let password = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let (outcome, set_outcome) = signal(Outcome::None);
    let (touched, set_touched) = signal(false);

    let email_ok = move || email::is_valid(&email::normalize(&email_value.get()));
    let username_ok = move || !requires_username || rules.is_valid(&username.get());
    let password_ok = move || policy.check(&password.get());

    let conn_name = connection.name.clone();
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() || !(email_ok() && username_ok() && password_ok()) {
            return;
        }
        set_busy.set(true);
        set_outcome.set(Outcome::None);
        let body = SignupRequest {
            client_id: Some(client_id.clone()),
            connection: Some(conn_name.clone()),
            email: Some(email_value.get_untracked()),
            password: Some(password.get_untracked()),
            username: requires_username.then(|| username.get_untracked()),
            ..SignupRequest::default()
        };
        let url = format!("{api_base}/dbconnections/signup");
        spawn_local(async move {
            let result = post_json(&url, &body).await;
            set_outcome.set(match result {
                Ok(v) => Outcome::SignedUp(v.get("email").and_then(Value::as_str).unwrap_or_default().to_owned()),
                Err(f @ ApiFailure::Server { .. }) | Err(f @ ApiFailure::Network) => {
                    Outcome::Failed(signup_error(&f.code(), f.name().as_deref()).to_owned())
                }
            });
            set_busy.set(false);
        });
    };

    view! {
        <form class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <h2 class="tg-title">"Sign up"</h2>
            <div class="tg-field">
                <label for="tg-signup-email">"Email"</label>
                <input id="tg-signup-email" name="email" type="email" autocomplete="email" required
                    aria-invalid=move || (touched.get() && !email_ok()).to_string()
                    aria-describedby="tg-signup-email-hint"
                    on:input=move |ev| set_email.set(event_target_value(&ev)) />
                <p id="tg-signup-email-hint" class="tg-hint" class:tg-error-text=move || touched.get() && !email_ok()>
                    {move || if touched.get() && !email_ok() { "Enter a valid email address." } else { "" }}
                </p>
            </div>
            {requires_username.then(|| view! {
                <div class="tg-field">
                    <label for="tg-signup-username">"Username"</label>
                    <input id="tg-signup-username" name="username" type="text" autocomplete="username" required
                        aria-invalid=move || (touched.get() && !username_ok()).to_string()
                        aria-describedby="tg-signup-username-hint"
                        on:input=move |ev| set_username.set(event_target_value(&ev)) />
                    <p id="tg-signup-username-hint" class="tg-hint">
                        {format!("Use {}-{} letters, numbers and the characters _ . + - ! # $ ^ ` ~ @ '", rules.min, rules.max)}
                    </p>
                </div>
            })}
            <NewPasswordField id="tg-signup-password" label="Password" policy password touched />
            <button type="submit" class="tg-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Signing up…" } else { "Sign up" }}
            </button>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => view! { <span></span> }.into_any(),
                    Outcome::SignedUp(email) => view! {
                        <p class="tg-success">{format!("Welcome! The account {email} was created.")}</p>
                    }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
