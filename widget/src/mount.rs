//! Mounting: loads the client configuration and the language pack from the edge, then renders.
//!
//! The loader (`widget.js`) calls [`mount_widget`] with Lock-style options. Hosts written as HTML
//! mount themselves: any element with `data-tollgate-client-id`, with optional
//! `data-tollgate-domain` (edge origin, default: this page's), `-connection`, `-initial-screen`,
//! `-login-hint`, `-language`, and `-authorize-tx` (set by the Worker's hosted login page). An
//! element with `data-tollgate-reset-ticket` gets the reset-password screen.

use std::cell::RefCell;
use std::sync::Arc;

use reactive_graph::owner::provide_context;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlElement;

use crate::api::get_json;
use crate::components::reset::reset_password_form;
use crate::components::widget::widget;
use crate::context::{Mode, Screen, SocialConnection, WidgetCtx};
use crate::dom::{el, mount_to, query, Mounted};
use crate::i18n::{supported, I18n};
use crate::json::Json;
use crate::options::WidgetOptions;

thread_local! {
    /// Mounted instances by id; dropping a handle unmounts its view.
    static MOUNTED: RefCell<Vec<(String, Mounted)>> = const { RefCell::new(Vec::new()) };
}

/// The language to use: the option if supported, else the browser's first supported one.
pub fn choose_language(option: Option<&str>) -> &'static str {
    if let Some(l) = option.and_then(supported) {
        return l;
    }
    let browser = web_sys::window()
        .map(|w| w.navigator().languages())
        .map(|a| a.to_vec())
        .unwrap_or_default();
    browser
        .iter()
        .filter_map(|v| v.as_string())
        .find_map(|t| supported(&t))
        .unwrap_or("en")
}

/// Loads the strings for `lang` from `{asset_base}/i18n/{lang}.json`, with the page's overrides.
pub async fn load_i18n(asset_base: &str, lang: &str, overrides: Option<&Json>) -> I18n {
    let pack = if lang == "en" {
        None
    } else {
        get_json(&format!("{asset_base}/i18n/{lang}.json")).await.ok()
    };
    // A pack that failed to load leaves English, announced as such.
    let lang = if lang != "en" && pack.is_none() { "en" } else { lang };
    I18n::new(lang, pack.as_ref(), overrides)
}

/// The element-id prefix for a widget in `host`: `tg` for the page's first widget, then `tg2`,
/// `tg3`, … — the first that no other host holds (a remounted host keeps its own). Recorded on
/// the host as `data-tollgate-ids`.
pub fn claim_ids(host: &web_sys::Element) -> String {
    let free = |prefix: &String| query(&format!("[data-tollgate-ids=\"{prefix}\"]")).is_none_or(|h| h == *host);
    let ids = (1u32..)
        .map(|n| if n == 1 { "tg".to_owned() } else { format!("tg{n}") })
        .find(free)
        .unwrap_or_default();
    let _ = host.set_attribute("data-tollgate-ids", &ids);
    ids
}

/// Sets the host's `lang` and `dir` (right to left for Arabic) to the strings' language.
fn set_language(host: &HtmlElement, i18n: &I18n) {
    let _ = host.set_attribute("lang", &i18n.lang);
    let _ = host.set_attribute("dir", if crate::i18n::is_rtl(&i18n.lang) { "rtl" } else { "ltr" });
}

/// Removes instance `instance` from the registry, handing back its view (dropping it unmounts).
fn take(instance: &str) -> Option<Mounted> {
    MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        m.iter().position(|(i, _)| i == instance).map(|p| m.remove(p).1)
    })
}

fn keep(instance: String, handle: Mounted) {
    // A remount of the same instance replaces (and so unmounts) the previous view, outside the
    // registry's borrow.
    let old = take(&instance);
    MOUNTED.with(|m| m.borrow_mut().push((instance, handle)));
    drop(old);
}

/// Mounts one widget into `host` with `options` (Lock's option names as JSON). Errors are shown
/// in the host and sent as an `unrecoverable_error` event.
#[wasm_bindgen]
pub fn mount_widget(host: HtmlElement, options: String) {
    let opts = match WidgetOptions::from_json(&options) {
        Ok(o) => o,
        Err(e) => {
            host.set_text_content(Some(&format!("Tollgate: invalid options: {e}")));
            return;
        }
    };
    mount(host, opts);
}

/// Unmounts widget `instance` (the loader's `destroy()` and language switches).
#[wasm_bindgen]
pub fn unmount_widget(instance: &str) {
    drop(take(instance));
}

/// Loads the client configuration and strings, then renders the widget into `host`.
pub fn mount(host: HtmlElement, opts: WidgetOptions) {
    spawn_local(async move {
        let api_base = opts.api_base();
        let asset_base = opts.asset_base.clone().unwrap_or_else(|| api_base.clone());
        let lang = choose_language(opts.language.as_deref());
        let i18n = Arc::new(load_i18n(&asset_base, lang, opts.language_dictionary.as_ref()).await);
        let url = format!(
            "{api_base}/client/{}.json",
            js_sys::encode_uri_component(&opts.client_id)
        );
        let strategies = get_json(&url)
            .await
            .map(|v| crate::config::strategies(&v))
            .unwrap_or_default();
        let connection = strategies
            .iter()
            .filter(|(s, _)| s == "auth0")
            .flat_map(|(_, conns)| conns.iter())
            .find(|c| opts.connection.as_deref().map_or(opts.allows(&c.name), |n| c.name == n))
            .cloned();
        let social = strategies
            .iter()
            .filter(|(s, _)| s != "auth0")
            .flat_map(|(s, conns)| {
                conns.iter().map(|c| SocialConnection {
                    strategy: s.clone(),
                    name: c.name.clone(),
                })
            })
            .filter(|c| opts.allows(&c.name))
            .collect();
        let instance = opts.instance.clone();
        let mode = match &opts.authorize_tx {
            Some(tx) => Mode::Hosted { tx: tx.clone() },
            None if opts.auth.redirect_url.is_some() && opts.auth.redirect != Some(false) => Mode::Redirect,
            None => Mode::Embedded,
        };
        let ids = claim_ids(&host);
        set_language(&host, &i18n);
        let handle = mount_to(&host, move || match connection {
            Some(connection) => {
                let initial = opts
                    .initial_screen
                    .as_deref()
                    .and_then(Screen::parse)
                    .unwrap_or(Screen::Login);
                let ctx = WidgetCtx {
                    api_base,
                    client_id: opts.client_id.clone(),
                    connection,
                    social,
                    mode,
                    opts: Arc::new(opts),
                    i18n,
                    ids,
                };
                vec![widget(ctx, initial)]
            }
            None => {
                crate::events::emit(
                    &opts.instance,
                    "unrecoverable_error",
                    &crate::obj! {"error" => "not_configured"},
                );
                let error = el("p")
                    .attr("class", "tg-error")
                    .attr("role", "alert")
                    .text(&i18n.t("notConfigured"));
                vec![el("div").attr("class", "tg-widget").child(error.node()).node()]
            }
        });
        keep(instance, handle);
    });
}

/// Renders the reset-password screen for `ticket` into `host`, in the browser's language.
pub fn mount_reset(host: HtmlElement, ticket: String, domain: String) {
    spawn_local(async move {
        let i18n = Arc::new(load_i18n(&domain, choose_language(None), None).await);
        set_language(&host, &i18n);
        let page = mount_to(&host, move || {
            provide_context(i18n);
            vec![reset_password_form(ticket, domain)]
        });
        // The reset page shows this one view for as long as it is open.
        std::mem::forget(page);
    });
}

/// Mounts every widget host of the page written as HTML (see the module docs).
pub fn auto_mount() {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Ok(Some(host)) = doc.query_selector("[data-tollgate-reset-ticket]") {
        if let (Ok(host), Some(ticket)) = (
            host.clone().dyn_into::<HtmlElement>(),
            host.get_attribute("data-tollgate-reset-ticket"),
        ) {
            mount_reset(host, ticket, String::new());
        }
    }
    let Ok(hosts) = doc.query_selector_all("[data-tollgate-client-id]:not([data-tollgate-instance])") else {
        return;
    };
    for i in 0..hosts.length() {
        let Some(host) = hosts.item(i).and_then(|n| n.dyn_into::<HtmlElement>().ok()) else {
            continue;
        };
        let attr = |name: &str| {
            host.get_attribute(&format!("data-tollgate-{name}"))
                .filter(|v| !v.is_empty())
        };
        let Some(client_id) = attr("client-id") else {
            continue;
        };
        let instance = format!("html-{i}");
        let _ = host.set_attribute("data-tollgate-instance", &instance);
        let login_hint = attr("login-hint");
        let mut opts = WidgetOptions {
            client_id,
            domain: attr("domain").unwrap_or_default(),
            connection: attr("connection"),
            language: attr("language"),
            initial_screen: attr("initial-screen"),
            authorize_tx: attr("authorize-tx"),
            instance,
            ..WidgetOptions::default()
        };
        if login_hint.as_deref().is_some_and(|h| h.contains('@')) {
            opts.prefill.email = login_hint;
        } else {
            opts.prefill.username = login_hint;
        }
        mount(host, opts);
    }
}
