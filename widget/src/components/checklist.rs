//! The live password checklist: password-sheriff's rule tree rendered as nested lists.

use leptos::prelude::*;
use shared::{PasswordPolicy, RuleResult};

use crate::context::use_i18n;

/// One rule with its verdict, and its sub-rules.
#[component]
fn RuleItem(
    /// The rule.
    rule: RuleResult,
) -> impl IntoView {
    let i18n = use_i18n();
    let ok = rule.verified == Some(true);
    let text = i18n.rule(&rule.code, &rule.message, rule.format.as_deref().unwrap_or(&[]));
    let state = i18n.t(if ok { "ruleMet" } else { "ruleNotMet" });
    let items = rule.items.filter(|items| !items.is_empty()).map(|items| {
        view! { <ul>{items.into_iter().map(|rule| view! { <RuleItem rule /> }).collect_view()}</ul> }.into_any()
    });
    view! {
        <li class=if ok { "tg-rule tg-ok" } else { "tg-rule" } data-code=rule.code
            data-ok=if ok { "true" } else { "false" }>
            <span class="tg-sr">{state}" "</span>
            {text}
            {items}
        </li>
    }
}

/// The rules of `policy` with a verdict for the current `password` (list id `id`), updated as it
/// changes.
#[component]
pub fn PasswordChecklist(
    /// The connection's policy.
    policy: PasswordPolicy,
    /// The password being typed.
    password: RwSignal<String>,
    /// Element id of the list (the password input's `aria-describedby`).
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <ul class="tg-checklist" id=id aria-label=i18n.t("passwordRequirements")>
            {move || policy.missing(&password.get()).rules.into_iter().map(|rule| view! { <RuleItem rule /> }).collect_view()}
        </ul>
    }
}
