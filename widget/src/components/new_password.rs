//! A new-password input with the live policy checklist, shared by sign-up and reset.

use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use shared::PasswordPolicy;
use web_sys::Node;

use super::checklist::password_checklist;
use super::form::{Field, Kind};

/// Password input (`autocomplete="new-password"`) described by the policy checklist
/// (`{id}-checklist`) that follows it; invalid once `touched` while the policy is not met.
pub fn new_password(
    id: &str,
    label: String,
    policy: PasswordPolicy,
    password: RwSignal<String>,
    touched: RwSignal<bool>,
) -> [Node; 2] {
    let checklist_id = format!("{id}-checklist");
    [
        Field::new(id, "password", Kind::Password, label, password)
            .autocomplete("new-password")
            .invalid(move || touched.get() && !policy.check(&password.get()))
            .describedby(checklist_id.clone())
            .view(),
        password_checklist(policy, password, &checklist_id),
    ]
}
