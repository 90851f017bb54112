//! The reset-password screen behind a mailed link (`/lo/reset?ticket=`).

use reactive_graph::prelude::*;
use reactive_graph::signal::{signal, RwSignal};
use shared::wire::DbConnectionInfo;
use wasm_bindgen_futures::spawn_local;
use web_sys::Node;

use super::form::{heading, Field, FormState, Kind, Shell, Status};
use super::new_password::new_password;
use crate::api::{get_json, post_json, ApiFailure};
use crate::context::use_i18n;
use crate::dom::el;
use crate::i18n::I18n;
use crate::obj;

#[derive(Debug, Clone, PartialEq)]
enum Stage {
    Loading,
    Invalid,
    Ready {
        email: String,
        connection: DbConnectionInfo,
    },
}

fn reset_error(i18n: &I18n, f: &ApiFailure) -> String {
    match f.code().as_str() {
        "invalid_ticket" => i18n.t("linkExpired"),
        code => i18n.signup_error(code, f.name().as_deref()),
    }
}

/// Sets a new password with the ticket from a reset link; shows the connection's policy live.
/// `ticket` is the one from the link, `api_base` the edge's origin without a trailing slash (`""`
/// for same origin).
pub fn reset_password_form(ticket: String, api_base: String) -> Node {
    let (stage, set_stage) = signal(Stage::Loading);
    let info_url = format!(
        "{api_base}/lo/reset/info?ticket={}",
        js_sys::encode_uri_component(&ticket)
    );
    spawn_local(async move {
        let next = match get_json(&info_url).await {
            Ok(v) => match (v.str("email"), crate::config::connection(v.get("connection"))) {
                (Some(email), Some(connection)) => Stage::Ready { email, connection },
                _ => Stage::Invalid,
            },
            Err(_) => Stage::Invalid,
        };
        set_stage.set(next);
    });

    let post_url = format!("{api_base}/lo/reset");
    let i18n = use_i18n();
    let screen = move |stage| match stage {
        Stage::Loading => el("p")
            .attr("class", "tg-hint")
            .attr("role", "status")
            .text(&i18n.t("loading"))
            .node(),
        Stage::Invalid => el("div")
            .attr("role", "alert")
            .child(
                el("h2")
                    .attr("class", "tg-title")
                    .text(&i18n.t("linkExpiredTitle"))
                    .node(),
            )
            .child(el("p").attr("class", "tg-error").text(&i18n.t("linkExpired")).node())
            .node(),
        Stage::Ready { email, connection } => reset_ready(email, connection, ticket.clone(), post_url.clone()),
    };
    el("div")
        .attr("class", "tg-widget")
        .dynamic(move || stage.get(), move |s| vec![screen(s)])
        .node()
}

fn reset_ready(email: String, connection: DbConnectionInfo, ticket: String, url: String) -> Node {
    let policy = connection.policy();
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let state = FormState::single_use();
    let touched = state.touched;
    let matches = move || password.get() == confirm.get();
    let i18n = use_i18n();
    let submit_i18n = i18n.clone();

    let on_submit = move || {
        if !state.begin(policy.check(&password.get_untracked()) && matches()) {
            return;
        }
        let body = obj! {"ticket" => &ticket, "password" => password.get_untracked()};
        let url = url.clone();
        let i18n = submit_i18n.clone();
        spawn_local(async move {
            state.finish(match post_json(&url, &body).await {
                Ok(_) => Status::Done(i18n.t("success.reset")),
                Err(f) => Status::Failed(reset_error(&i18n, &f)),
            });
        });
    };

    let t = |k: &str| i18n.t(k);
    let mut body = heading(
        t("resetTitle"),
        i18n.tf("resetFor", &[shared::password::FormatArg::Str(email.clone())]),
    )
    .to_vec();
    // Lets password managers file the new password under the right account.
    body.push(
        el("input")
            .attr("class", "tg-sr")
            .attr("type", "email")
            .attr("name", "username")
            .attr("autocomplete", "username")
            .attr("value", &email)
            .flag("readonly", true)
            .attr("tabindex", "-1")
            .attr("aria-hidden", "true")
            .node(),
    );
    body.extend(new_password(
        "tg-reset-password",
        t("newPasswordLabel"),
        policy,
        password,
        touched,
    ));
    body.push(
        Field::new(
            "tg-reset-confirm",
            "confirm",
            Kind::Password,
            t("confirmPasswordLabel"),
            confirm,
        )
        .autocomplete("new-password")
        .invalid(move || touched.get() && !matches())
        .error(t("passwordsDoNotMatch"))
        .view(),
    );
    let shell = Shell {
        id: "tg-reset-form".to_owned(),
        state,
        submit: t("resetSubmitLabel"),
        busy_label: t("busy.reset"),
    };
    shell.view(Box::new(on_submit), body, Vec::new())
}
