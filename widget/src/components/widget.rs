//! The widget's root: header, flash message, tabs between log in and sign up, social buttons,
//! and the current screen.

use std::sync::Arc;

use reactive_graph::effect::Effect;
use reactive_graph::owner::provide_context;
use reactive_graph::prelude::*;
use reactive_graph::signal::RwSignal;
use wasm_bindgen::JsCast;
use web_sys::Node;

use super::forgot::forgot_password_form;
use super::login::login_form;
use super::signup::signup_form;
use super::social::social_buttons;
use crate::context::{Identifier, Screen, WidgetCtx};
use crate::dom::{by_id, el, text};
use crate::obj;

/// The element id of the tab of `screen` (`{ids}-tab-login`, `{ids}-tab-signup`).
fn tab_id(ids: &str, screen: Screen) -> String {
    let tab = if screen == Screen::SignUp { "signup" } else { "login" };
    format!("{ids}-tab-{tab}")
}

/// One tab button of the log in / sign up tab list; `ids` is the instance's id prefix.
fn tab(screen: RwSignal<Screen>, target: Screen, ids: &str, label: &str) -> Node {
    let ids = ids.to_owned();
    el("button")
        .attr("type", "button")
        .attr("role", "tab")
        .attr("id", &tab_id(&ids, target))
        .attr("class", "tg-tab")
        .attr_with("aria-selected", move || (screen.get() == target).to_string())
        .attr_with("tabindex", move || {
            (if screen.get() == target { "0" } else { "-1" }).to_owned()
        })
        .attr("aria-controls", &format!("{ids}-panel"))
        .on("click", move |_| screen.set(target))
        .on("keydown", move |ev| {
            // Arrow keys move between the two tabs (WAI-ARIA tabs pattern).
            let key = ev.unchecked_ref::<web_sys::KeyboardEvent>().key();
            if matches!(key.as_str(), "ArrowLeft" | "ArrowRight") {
                let next = if screen.get_untracked() == Screen::Login {
                    Screen::SignUp
                } else {
                    Screen::Login
                };
                screen.set(next);
                if let Some(el) = by_id(&tab_id(&ids, next)) {
                    let _ = el.unchecked_into::<web_sys::HtmlElement>().focus();
                }
            }
        })
        .text(label)
        .node()
}

/// One widget: provides the context, renders the chrome and the `initial` screen (if allowed).
pub fn widget(ctx: WidgetCtx, initial: Screen) -> Node {
    let opts = Arc::clone(&ctx.opts);
    let show_signup = ctx.connection.show_signup && opts.allow_sign_up;
    let allowed = |s: Screen| match s {
        Screen::SignUp => show_signup,
        Screen::ForgotPassword => ctx.connection.show_forgot && opts.allow_forgot_password,
        Screen::Login => true,
    };
    let screen = RwSignal::new(if allowed(initial) { initial } else { Screen::Login });
    provide_context(Arc::clone(&ctx.i18n));
    provide_context(screen);
    provide_context(Identifier(RwSignal::new(
        ctx.prefill(!ctx.connection.requires_username),
    )));
    let emit_ctx = ctx.clone();
    Effect::new(move |_| emit_ctx.emit(&format!("{} ready", screen.get().event_prefix()), &obj! {}));
    let t = |k: &str| ctx.t(k);

    let mut root = el("div").attr("class", "tg-widget");
    let title = opts.theme.title.clone().or_else(|| {
        let t = ctx.t("title");
        (t != "title").then_some(t)
    });
    if opts.theme.logo.is_some() || title.is_some() {
        let mut header = el("header").attr("class", "tg-header");
        if let Some(src) = &opts.theme.logo {
            header = header.child(
                el("img")
                    .attr("class", "tg-logo")
                    .attr("src", src)
                    .attr("alt", "")
                    .node(),
            );
        }
        if let Some(title) = &title {
            header = header.child(el("h1").attr("class", "tg-brand").text(title).node());
        }
        root = root.child(header.node());
    }
    if let Some(f) = &opts.flash_message {
        let class = match f.kind.as_str() {
            "error" => "tg-flash tg-flash-error",
            "success" => "tg-flash tg-flash-success",
            _ => "tg-flash",
        };
        let role = if f.kind == "error" { "alert" } else { "status" };
        root = root.child(el("p").attr("class", class).attr("role", role).text(&f.text).node());
    }
    let (login_label, signup_label, tabs_label) = (t("loginLabel"), t("signUpLabel"), t("tabsLabel"));
    let ids = ctx.ids.clone();
    let root = root.dynamic(
        move || show_signup && screen.get() != Screen::ForgotPassword,
        move |shown| {
            if !shown {
                return Vec::new();
            }
            let tabs = el("div")
                .attr("class", "tg-tabs")
                .attr("role", "tablist")
                .attr("aria-label", &tabs_label)
                .child(tab(screen, Screen::Login, &ids, &login_label))
                .child(tab(screen, Screen::SignUp, &ids, &signup_label));
            vec![tabs.node()]
        },
    );
    let has_social = !ctx.social.is_empty();
    let (ids, panel_id) = (ctx.ids.clone(), ctx.id("panel"));
    let separator = t("separatorText");
    provide_context(ctx);
    let panel = el("div")
        .attr("id", &panel_id)
        .attr("role", "tabpanel")
        .attr_with("aria-labelledby", move || tab_id(&ids, screen.get()))
        .dynamic(
            move || has_social && screen.get() != Screen::ForgotPassword,
            move |shown| {
                if !shown {
                    return Vec::new();
                }
                let span = el("span").child(text(&separator));
                vec![
                    social_buttons(),
                    el("p").attr("class", "tg-separator").child(span.node()).node(),
                ]
            },
        )
        .dynamic(
            move || screen.get(),
            |s| {
                vec![match s {
                    Screen::Login => login_form(),
                    Screen::SignUp => signup_form(),
                    Screen::ForgotPassword => forgot_password_form(),
                }]
            },
        );
    root.child(panel.node()).node()
}
