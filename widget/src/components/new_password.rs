//! A new-password input with the live policy checklist, shared by sign-up and reset.

use leptos::prelude::*;
use shared::PasswordPolicy;

use super::checklist::PasswordChecklist;
use super::form::{Field, Kind};

/// Password input (`autocomplete="new-password"`) described by the policy checklist
/// (`{id}-checklist`) that follows it; invalid once `touched` while the policy is not met.
pub fn new_password(
    id: &str,
    label: String,
    policy: PasswordPolicy,
    password: RwSignal<String>,
    touched: RwSignal<bool>,
) -> [AnyView; 2] {
    let checklist_id = format!("{id}-checklist");
    let check = policy;
    [
        Field::new(id, "password", Kind::Password, label, password)
            .autocomplete("new-password")
            .invalid(move || touched.get() && !check.check(&password.get()))
            .describedby(checklist_id.clone())
            .view(),
        view! { <PasswordChecklist policy password id=checklist_id /> }.into_any(),
    ]
}
