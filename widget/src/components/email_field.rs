//! An email input with syntax feedback from `shared::email`.

use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use shared::email;
use web_sys::Node;

use super::form::{Field, Kind};
use crate::context::use_i18n;

/// Whether `value` is a valid email address after normalisation.
pub fn email_ok(value: &str) -> bool {
    // `email::normalize` with the browser's lower-casing (see `crate::text::lower`).
    email::is_valid(&crate::text::lower(value.trim()))
}

/// Email input (`autocomplete="email"`), invalid state and message shown once the form was submitted.
pub fn email_field(id: &str, value: RwSignal<String>, touched: RwSignal<bool>) -> Node {
    let i18n = use_i18n();
    let invalid = move || touched.get() && !email_ok(&value.get());
    Field::new(id, "email", Kind::Email, i18n.t("emailLabel"), value)
        .autocomplete("email")
        .invalid(invalid)
        .error(i18n.t("invalidEmail"))
        .view()
}
