//! The live password checklist: password-sheriff's rule tree rendered as nested lists.

use leptos::prelude::*;
use shared::{PasswordPolicy, RuleResult};

use crate::i18n::rule_text;

fn rule_item(rule: RuleResult) -> impl IntoView {
    let ok = rule.verified == Some(true);
    let text = rule_text(&rule.code, &rule.message, rule.format.as_deref().unwrap_or(&[]));
    let items = rule.items.clone().unwrap_or_default();
    view! {
        <li class="tg-rule" class:tg-ok=ok data-code=rule.code.clone() data-ok=if ok { "true" } else { "false" }>
            <span class="tg-sr">{if ok { "Met: " } else { "Not met: " }}</span>
            {text}
            {(!items.is_empty()).then(|| view! { <ul>{items.into_iter().map(rule_item).collect_view()}</ul> })}
        </li>
    }
    .into_any()
}

/// The rules of `policy` with a verdict for the current `password`, updated as it changes.
#[component]
pub fn PasswordChecklist(
    /// The connection's strength policy.
    policy: PasswordPolicy,
    /// The password typed so far.
    #[prop(into)]
    password: Signal<String>,
    /// The element id, referenced by the password input's `aria-describedby`.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    view! {
        <ul class="tg-checklist" id=id aria-label="Password requirements">
            {move || policy.missing(&password.get()).rules.into_iter().map(rule_item).collect_view()}
        </ul>
    }
}
