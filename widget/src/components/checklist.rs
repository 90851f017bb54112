//! The live password checklist: password-sheriff's rule tree rendered as nested lists.

use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use shared::{PasswordPolicy, RuleResult};
use web_sys::Node;

use crate::context::use_i18n;
use crate::dom::el;
use crate::i18n::I18n;

fn rule_item(i18n: &I18n, rule: RuleResult) -> Node {
    let ok = rule.verified == Some(true);
    let text = i18n.rule(&rule.code, &rule.message, rule.format.as_deref().unwrap_or(&[]));
    let state = i18n.t(if ok { "ruleMet" } else { "ruleNotMet" });
    let item = el("li")
        .attr("class", if ok { "tg-rule tg-ok" } else { "tg-rule" })
        .attr("data-code", &rule.code)
        .attr("data-ok", if ok { "true" } else { "false" })
        .child(el("span").attr("class", "tg-sr").text(&state).text(" ").node())
        .text(&text);
    match rule.items {
        Some(items) if !items.is_empty() => {
            let list = el("ul").children(items.into_iter().map(|r| rule_item(i18n, r)).collect());
            item.child(list.node())
        }
        _ => item,
    }
    .node()
}

/// The rules of `policy` with a verdict for the current `password` (list id `id`), updated as it
/// changes.
pub fn password_checklist(policy: PasswordPolicy, password: RwSignal<String>, id: &str) -> Node {
    let i18n = use_i18n();
    el("ul")
        .attr("class", "tg-checklist")
        .attr("id", id)
        .attr("aria-label", &i18n.t("passwordRequirements"))
        .dynamic(
            move || policy.missing(&password.get()).rules,
            move |rules| rules.into_iter().map(|r| rule_item(&i18n, r)).collect(),
        )
        .node()
}
