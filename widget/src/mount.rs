//! Mounting: finds host elements, loads the client configuration from the edge, renders.
//!
//! A host is any element with `data-tollgate-client-id`. Optional attributes:
//! `data-tollgate-domain` (edge origin, default: this page's origin), `data-tollgate-connection`,
//! `data-tollgate-initial-screen` (`login`, `signUp`, `forgotPassword`), `data-tollgate-login-hint`,
//! and `data-tollgate-authorize-tx`, set by the Worker's hosted login page. An element with
//! `data-tollgate-reset-ticket` gets the reset-password screen.

use leptos::prelude::*;
use shared::wire::ClientConfig;
use wasm_bindgen::JsCast;
// Not leptos' spawn_local: its executor is only set up by `mount_to`, which runs after this fetch.
use wasm_bindgen_futures::spawn_local;
use web_sys::HtmlElement;

use crate::api::get_json;
use crate::components::reset::ResetPasswordForm;
use crate::components::widget::Widget;
use crate::context::{Mode, Screen, WidgetCtx};

/// Options of one widget instance.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options {
    /// Application client id.
    pub client_id: String,
    /// Edge origin without trailing slash; empty for same origin.
    pub domain: String,
    /// Database connection name; the client's first one when `None`.
    pub connection: Option<String>,
    /// First screen.
    pub initial_screen: Option<String>,
    /// Prefilled email or username.
    pub login_hint: Option<String>,
    /// Authorization transaction of the hosted page.
    pub authorize_tx: Option<String>,
}

/// Loads the client configuration, then renders the widget into `host`.
pub fn mount(host: HtmlElement, options: Options) {
    spawn_local(async move {
        let url = format!("{}/client/{}.json", options.domain, options.client_id);
        let config: Option<ClientConfig> = get_json(&url).await.ok().and_then(|v| serde_json::from_value(v).ok());
        let connection = config
            .as_ref()
            .and_then(|c| c.database(options.connection.as_deref()).cloned());
        leptos::mount::mount_to(host, move || match connection {
            Some(connection) => {
                let ctx = WidgetCtx {
                    api_base: options.domain,
                    client_id: options.client_id,
                    connection,
                    mode: options.authorize_tx.map_or(Mode::Embedded, |tx| Mode::Hosted { tx }),
                    login_hint: options.login_hint,
                };
                let initial = options.initial_screen.as_deref().and_then(Screen::parse).unwrap_or(Screen::Login);
                view! { <Widget ctx initial /> }.into_any()
            }
            None => view! {
                <div class="tg-widget"><p class="tg-error" role="alert">"This application is not configured for log in."</p></div>
            }
            .into_any(),
        })
        .forget();
    });
}

/// Renders the reset-password screen for `ticket` into `host`.
pub fn mount_reset(host: HtmlElement, ticket: String, domain: String) {
    leptos::mount::mount_to(host, move || {
        view! { <div class="tg-widget"><ResetPasswordForm ticket api_base=domain /></div> }
    })
    .forget();
}

/// Mounts every widget host of the page (see the module docs).
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
    let Ok(hosts) = doc.query_selector_all("[data-tollgate-client-id]") else {
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
        let options = Options {
            client_id,
            domain: attr("domain").unwrap_or_default().trim_end_matches('/').to_owned(),
            connection: attr("connection"),
            initial_screen: attr("initial-screen"),
            login_hint: attr("login-hint"),
            authorize_tx: attr("authorize-tx"),
        };
        mount(host, options);
    }
}
