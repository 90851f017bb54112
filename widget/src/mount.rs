//! Mounting: loads the client configuration and the language pack from the edge, then renders.
//!
//! The loader (`widget.js`) calls [`mount_widget`] with Lock-style options. Hosts written as HTML
//! mount themselves: any element with `data-tollgate-client-id`, with optional
//! `data-tollgate-domain` (edge origin, default: this page's), `-connection`, `-initial-screen`,
//! `-login-hint`, `-language`, and `-authorize-tx` (set by the Worker's hosted login page). An
//! element with `data-tollgate-reset-ticket` gets the reset-password screen.

use std::any::Any;
use std::cell::RefCell;
use std::sync::Arc;

use leptos::prelude::*;
use shared::wire::ClientConfig;
use wasm_bindgen::prelude::wasm_bindgen;
use wasm_bindgen::JsCast;
// Not leptos' `spawn_local`: its executor is only set up by `mount_to`, which runs after the fetches.
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlElement;

use crate::api::get_json;
use crate::components::modal::Modal;
use crate::components::reset::ResetPasswordForm;
use crate::components::widget::{NotConfigured, Widget};
use crate::context::{Mode, Screen, SocialConnection, WidgetCtx};
use crate::events::query;
use crate::i18n::{supported, I18n};
use crate::options::{Dictionary, WidgetOptions};

thread_local! {
    /// Mounted instances by id, with their view's unmount handle (dropping it unmounts).
    static MOUNTED: RefCell<Vec<(String, Box<dyn Any>)>> = const { RefCell::new(Vec::new()) };
    /// Whether each modal instance is open (`show()` may come before the view exists).
    static OPEN: RefCell<Vec<(String, ArcRwSignal<bool>)>> = const { RefCell::new(Vec::new()) };
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
pub async fn load_i18n(asset_base: &str, lang: &str, overrides: Option<&Dictionary>) -> I18n {
    let pack: Option<Dictionary> = if lang == "en" {
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
fn take(instance: &str) -> Option<Box<dyn Any>> {
    MOUNTED.with(|m| {
        let mut m = m.borrow_mut();
        m.iter().position(|(i, _)| i == instance).map(|p| m.remove(p).1)
    })
}

fn keep(instance: String, handle: Box<dyn Any>) {
    // A remount of the same instance replaces (and so unmounts) the previous view, outside the
    // registry's borrow.
    let old = take(&instance);
    MOUNTED.with(|m| m.borrow_mut().push((instance, handle)));
    drop(old);
}

/// The open state of modal instance `instance` (created closed on first use). Reference-counted,
/// not owned by a view: it outlives remounts (language switches) of its instance.
fn open_state(instance: &str) -> ArcRwSignal<bool> {
    OPEN.with(|o| {
        let mut o = o.borrow_mut();
        if let Some((_, s)) = o.iter().find(|(i, _)| i == instance) {
            return s.clone();
        }
        let s = ArcRwSignal::new(false);
        o.push((instance.to_owned(), s.clone()));
        s
    })
}

/// Mounts one widget into `host` with `options` (the page's object, Lock's option names). Errors are shown
/// in the host and sent as an `unrecoverable_error` event.
#[wasm_bindgen]
pub fn mount_widget(host: HtmlElement, options: wasm_bindgen::JsValue) {
    let opts = match WidgetOptions::from_js(options) {
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

/// Opens or closes modal instance `instance` (the loader's `show()` / `hide()`).
#[wasm_bindgen]
pub fn set_modal_open(instance: &str, open: bool) {
    open_state(instance).set(open);
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
        let config: Option<ClientConfig> = get_json(&url).await.ok();
        let strategies = config.map(|c| c.strategies).unwrap_or_default();
        let connection = strategies
            .iter()
            .filter(|s| s.name == "auth0")
            .flat_map(|s| s.connections.iter())
            .find(|c| opts.connection.as_deref().map_or(opts.allows(&c.name), |n| c.name == n))
            .cloned();
        let passwordless = strategies
            .iter()
            .filter(|s| s.name == "email")
            .flat_map(|s| s.connections.iter())
            .find(|c| opts.allows(&c.name))
            .map(|c| c.name.clone());
        let social = strategies
            .iter()
            .filter(|s| s.name != "auth0" && s.name != "email")
            .flat_map(|s| {
                s.connections.iter().map(|c| SocialConnection {
                    strategy: s.name.clone(),
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
        let modal = opts
            .modal
            .then(|| (open_state(&instance), opts.closable.unwrap_or(true)));
        // Passwordless only (no database connection offered): its screen, with a placeholder
        // database connection that offers neither sign-up nor forgot-password.
        let passwordless_only = connection.is_none() && passwordless.is_some();
        let connection = connection.or_else(|| {
            passwordless.as_ref().map(|name| shared::wire::DbConnectionInfo {
                name: name.clone(),
                show_signup: false,
                show_forgot: false,
                ..shared::wire::DbConnectionInfo::named()
            })
        });
        let initial = match opts.initial_screen.as_deref().and_then(Screen::parse) {
            _ if passwordless_only => Screen::Passwordless,
            Some(s) => s,
            None => Screen::Login,
        };
        let opts = Arc::new(opts);
        let ctx = connection.map(|connection| WidgetCtx {
            api_base,
            client_id: opts.client_id.clone(),
            connection,
            social,
            passwordless,
            passwordless_only,
            mode,
            opts: Arc::clone(&opts),
            i18n: Arc::clone(&i18n),
            ids,
        });
        if ctx.is_none() {
            crate::events::emit(
                &instance,
                "unrecoverable_error",
                &crate::events::object(&[("error", "not_configured")]),
            );
        }
        let title = opts
            .theme
            .title
            .clone()
            .or_else(|| Some(i18n.t("title")).filter(|t| t != "title"))
            .unwrap_or_else(|| i18n.t("loginLabel"));
        let modal_i18n = Arc::clone(&i18n);
        let body = move || match ctx.clone() {
            Some(ctx) => view! { <Widget ctx initial /> }.into_any(),
            None => view! { <NotConfigured i18n=Arc::clone(&i18n) /> }.into_any(),
        };
        let modal_instance = instance.clone();
        let handle = leptos::mount::mount_to(host, move || {
            match modal.clone() {
            Some((open, closable)) => view! {
                <Modal open=open.clone() closable instance=modal_instance.clone() title=title.clone() i18n=Arc::clone(&modal_i18n)>
                    {body()}
                </Modal>
            }
            .into_any(),
            None => body(),
        }
        });
        keep(instance, Box::new(handle));
    });
}

/// Renders the reset-password screen for `ticket` into `host`, in the browser's language.
pub fn mount_reset(host: HtmlElement, ticket: String, domain: String) {
    spawn_local(async move {
        let i18n = Arc::new(load_i18n(&domain, choose_language(None), None).await);
        set_language(&host, &i18n);
        // The reset page shows this one view for as long as it is open.
        leptos::mount::mount_to(host, move || {
            provide_context(i18n);
            view! { <ResetPasswordForm ticket api_base=domain /> }
        })
        .forget();
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
            // The browser parses the JSON: the wasm links no JSON text parser.
            hosted_mfa: attr("mfa")
                .and_then(|m| js_sys::JSON::parse(&m).ok())
                .and_then(|v| serde_wasm_bindgen::from_value(v).ok()),
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
