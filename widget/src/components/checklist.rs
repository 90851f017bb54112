//! The live password checklist: password-sheriff's rule tree rendered as nested lists.

use leptos::prelude::*;
use shared::{PasswordPolicy, RuleResult};

use crate::context::use_i18n;
use crate::i18n::I18n;

fn rule_item(i18n: &I18n, rule: RuleResult) -> AnyView {
    let ok = rule.verified == Some(true);
    let text = i18n.rule(&rule.code, &rule.message, rule.format.as_deref().unwrap_or(&[]));
    let items = rule.items.clone().unwrap_or_default();
    let state = i18n.t(if ok { "ruleMet" } else { "ruleNotMet" });
    view! {
        <li class="tg-rule" class:tg-ok=ok data-code=rule.code.clone() data-ok=if ok { "true" } else { "false" }>
            <span class="tg-sr">{state}" "</span>
            {text}
            {(!items.is_empty()).then(|| view! { <ul>{items.into_iter().map(|r| rule_item(i18n, r)).collect_view()}</ul> })}
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
    password: RwSignal<String>,
    /// The element id, referenced by the password input's `aria-describedby`.
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let i18n = use_i18n();
    let label = i18n.t("passwordRequirements");
    view! {
        <ul class="tg-checklist" id=id aria-label=label>
            {move || policy.missing(&password.get()).rules.into_iter().map(|r| rule_item(&i18n, r)).collect_view()}
        </ul>
    }
}
