//! The sign-up screen: email, optional username, password with the live checklist.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::Value;
use shared::wire::SignupRequest;

use super::email_field::{email_ok, EmailField};
use super::login::log_in;
use super::new_password::NewPasswordField;
use crate::api::post_json;
use crate::context::{use_widget, Mode};
use crate::i18n::signup_error;

/// What the last submit produced.
#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    SignedUp(String),
    Failed(String),
}

/// Sign-up on the widget's database connection. Validation runs while typing with the same
/// `shared` code the edge enforces; the server's answer is announced through an `aria-live`
/// region. On the hosted page the new user is logged in right away (Lock's `loginAfterSignUp`).
#[component]
pub fn SignupForm() -> impl IntoView {
    let ctx = use_widget();
    let policy = ctx.connection.policy();
    let rules = ctx.connection.username_rules();
    let requires_username = ctx.connection.requires_username;
    let hosted = matches!(ctx.mode, Mode::Hosted { .. });
    let email = RwSignal::new(ctx.login_hint.clone().filter(|h| h.contains('@')).unwrap_or_default());
    let (username, set_username) = signal(String::new());
    let password = RwSignal::new(String::new());
    let (busy, set_busy) = signal(false);
    let (outcome, set_outcome) = signal(Outcome::None);
    let (touched, set_touched) = signal(false);

    let username_ok = move || !requires_username || rules.is_valid(&username.get());
    let password_ok = move || policy.check(&password.get());

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() || !(email_ok(&email.get_untracked()) && username_ok() && password_ok()) {
            return;
        }
        set_busy.set(true);
        set_outcome.set(Outcome::None);
        let body = SignupRequest {
            client_id: Some(ctx.client_id.clone()),
            connection: Some(ctx.connection.name.clone()),
            email: Some(email.get_untracked()),
            password: Some(password.get_untracked()),
            username: requires_username.then(|| username.get_untracked()),
            ..SignupRequest::default()
        };
        let url = ctx.url("/dbconnections/signup");
        let ctx = ctx.clone();
        spawn_local(async move {
            match post_json(&url, &body).await {
                Ok(v) if hosted => {
                    let who = v.get("email").and_then(Value::as_str).unwrap_or_default().to_owned();
                    if let Err(f) = log_in(ctx, who, body.password.unwrap_or_default()).await {
                        set_outcome.set(Outcome::Failed(signup_error(&f.code(), f.name().as_deref()).to_owned()));
                        set_busy.set(false);
                    }
                }
                Ok(v) => {
                    set_outcome.set(Outcome::SignedUp(
                        v.get("email").and_then(Value::as_str).unwrap_or_default().to_owned(),
                    ));
                    set_busy.set(false);
                }
                Err(f) => {
                    set_outcome.set(Outcome::Failed(signup_error(&f.code(), f.name().as_deref()).to_owned()));
                    set_busy.set(false);
                }
            }
        });
    };

    view! {
        <form class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <EmailField id="tg-signup-email" value=email touched />
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
