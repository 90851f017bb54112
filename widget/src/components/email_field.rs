//! An email input with syntax feedback from `shared::email`.

use leptos::prelude::*;
use shared::email;

use super::form::{Field, Kind};
use crate::context::use_i18n;

/// Whether `value` is a valid email address after normalisation.
pub fn email_ok(value: &str) -> bool {
    // `email::normalize` with the browser's lower-casing (see `crate::text::lower`).
    email::is_valid(&crate::text::lower(value.trim()))
}

/// Email input (`autocomplete="email"`), invalid state and message shown once the form was submitted.
#[component]
pub fn EmailField(
    /// Element id.
    #[prop(into)]
    id: String,
    /// The value.
    value: RwSignal<String>,
    /// Whether the form was submitted.
    touched: RwSignal<bool>,
) -> impl IntoView {
    let i18n = use_i18n();
    let invalid = Signal::derive(move || touched.get() && !email_ok(&value.get()));
    let message = i18n.t("invalidEmail");
    let hint = Signal::derive(move || if invalid.get() { message.clone() } else { String::new() });
    view! {
        <Field id name="email" kind=Kind::Email label=i18n.t("emailLabel") value autocomplete="email" invalid hint />
    }
}
