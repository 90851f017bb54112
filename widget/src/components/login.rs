//! The login screen: email (or username) and password.

use leptos::prelude::*;
use leptos::task::spawn_local;
use serde_json::{json, Value};

use crate::api::{post_json, ApiFailure};
use crate::context::{use_screen, use_widget, Mode, Screen, WidgetCtx};
use crate::i18n::login_error;

#[derive(Debug, Clone, PartialEq)]
enum Outcome {
    None,
    LoggedIn,
    Failed(String),
}

/// Sends the browser to `url` (the hosted page finishing an authorization).
pub fn navigate(url: &str) {
    if let Some(w) = web_sys::window() {
        let _ = w.location().assign(url);
    }
}

/// Logs in: in hosted mode for the authorization transaction, then follows the redirect; embedded,
/// with the password-realm grant. Takes the context by value: it runs in a spawned task, outside
/// the component's reactive owner.
pub async fn log_in(ctx: WidgetCtx, username: String, password: String) -> Result<Value, ApiFailure> {
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let body = json!({"tx": tx, "username": username, "password": password, "connection": ctx.connection.name});
            let v = post_json(&ctx.url("/u/login"), &body).await?;
            if let Some(url) = v.get("redirect").and_then(Value::as_str) {
                navigate(url);
            }
            Ok(v)
        }
        Mode::Embedded => {
            let body = json!({
                "grant_type": "http://auth0.com/oauth/grant-type/password-realm",
                "client_id": ctx.client_id, "username": username, "password": password,
                "realm": ctx.connection.name, "scope": "openid profile email",
            });
            post_json(&ctx.url("/oauth/token"), &body).await
        }
    }
}

/// The login form.
#[component]
pub fn LoginForm() -> impl IntoView {
    let ctx = use_widget();
    let screen = use_screen();
    let by_username = ctx.connection.requires_username;
    let identifier = RwSignal::new(ctx.login_hint.clone().unwrap_or_default());
    let (password, set_password) = signal(String::new());
    let (touched, set_touched) = signal(false);
    let (busy, set_busy) = signal(false);
    let (outcome, set_outcome) = signal(Outcome::None);
    let (show, set_show) = signal(false);
    let hosted = matches!(ctx.mode, Mode::Hosted { .. });
    let show_forgot = ctx.connection.show_forgot;
    let id_ok = move || !identifier.get().trim().is_empty();
    let pw_ok = move || !password.get().is_empty();

    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        set_touched.set(true);
        if busy.get_untracked() || !(id_ok() && pw_ok()) {
            return;
        }
        set_busy.set(true);
        set_outcome.set(Outcome::None);
        let (u, p) = (identifier.get_untracked(), password.get_untracked());
        let ctx = ctx.clone();
        spawn_local(async move {
            match log_in(ctx, u, p).await {
                // Hosted: the browser is leaving; stay busy so nothing is submitted twice.
                Ok(_) if hosted => {}
                Ok(_) => {
                    set_outcome.set(Outcome::LoggedIn);
                    set_busy.set(false);
                }
                Err(f) => {
                    set_outcome.set(Outcome::Failed(
                        login_error(&f.code(), &f.description(), by_username).to_owned(),
                    ));
                    set_busy.set(false);
                }
            }
        });
    };

    let label = if by_username { "Email or username" } else { "Email" };
    view! {
        <form class="tg-form" novalidate on:submit=on_submit aria-busy=move || busy.get().to_string()>
            <div class="tg-field">
                <label for="tg-login-id">{label}</label>
                <input id="tg-login-id" name="username" type=if by_username { "text" } else { "email" } autocomplete="username" required
                    prop:value=move || identifier.get()
                    aria-invalid=move || (touched.get() && !id_ok()).to_string()
                    on:input=move |ev| identifier.set(event_target_value(&ev)) />
            </div>
            <div class="tg-field">
                <label for="tg-login-password">"Password"</label>
                <div class="tg-password">
                    <input id="tg-login-password" name="password" type=move || if show.get() { "text" } else { "password" }
                        autocomplete="current-password" required
                        aria-invalid=move || (touched.get() && !pw_ok()).to_string()
                        on:input=move |ev| set_password.set(event_target_value(&ev)) />
                    <button type="button" class="tg-link tg-show" aria-controls="tg-login-password" aria-pressed=move || show.get().to_string()
                        on:click=move |_| set_show.update(|s| *s = !*s)>
                        {move || if show.get() { "Hide" } else { "Show" }}
                    </button>
                </div>
            </div>
            {show_forgot.then(|| view! {
                <p class="tg-aside">
                    <button type="button" class="tg-link" on:click=move |_| screen.set(Screen::ForgotPassword)>"Don't remember your password?"</button>
                </p>
            })}
            <button type="submit" class="tg-submit" disabled=move || busy.get()>
                {move || if busy.get() { "Logging in…" } else { "Log in" }}
            </button>
            <div class="tg-status" role="status" aria-live="polite">
                {move || match outcome.get() {
                    Outcome::None => view! { <span></span> }.into_any(),
                    Outcome::LoggedIn => view! { <p class="tg-success">"You are logged in."</p> }.into_any(),
                    Outcome::Failed(msg) => view! { <p class="tg-error">{msg}</p> }.into_any(),
                }}
            </div>
        </form>
    }
}
