//! An email input with syntax feedback from `shared::email`.

use leptos::prelude::*;
use shared::email;

use crate::context::use_i18n;

/// Whether `value` is a valid email address after normalisation.
pub fn email_ok(value: &str) -> bool {
    // `email::normalize` with the browser's lower-casing (see `crate::text::lower`).
    email::is_valid(&crate::text::lower(value.trim()))
}

/// Email input (`autocomplete="email"`), invalid state shown after the first submit.
#[component]
pub fn EmailField(
    /// Element id.
    #[prop(into)]
    id: String,
    /// The value (written by this field).
    value: RwSignal<String>,
    /// Whether the form was submitted once.
    #[prop(into)]
    touched: Signal<bool>,
    /// `autocomplete` token (`email`, or `username` where the email is the login identifier).
    #[prop(into, default = "email".into())]
    autocomplete: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let hint_id = format!("{id}-hint");
    let invalid = move || touched.get() && !email_ok(&value.get());
    let (label, message) = (i18n.t("emailLabel"), i18n.t("invalidEmail"));
    view! {
        <div class="tg-field">
            <label for=id.clone()>{label}</label>
            <input id=id name="email" type="email" autocomplete=autocomplete required
                prop:value=move || value.get()
                aria-invalid=move || invalid().to_string()
                aria-describedby=hint_id.clone()
                on:input=move |ev| value.set(event_target_value(&ev)) />
            <p id=hint_id class="tg-hint tg-error-text">{move || if invalid() { message.clone() } else { String::new() }}</p>
        </div>
    }
}
