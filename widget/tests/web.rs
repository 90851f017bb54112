//! Component tests in a real browser (`wasm-bindgen-test-runner` + chromedriver + Chromium).
// Test code: a failed lookup should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use leptos::prelude::*;
use leptos::task::tick;
use shared::wire::DbConnectionInfo;
use shared::{PasswordPolicy, PolicyLevel};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlElement, HtmlInputElement};
use widget::components::checklist::PasswordChecklist;
use widget::components::widget::Widget;
use widget::context::{Mode, Screen, WidgetCtx};

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> HtmlElement {
    let doc = document();
    let host = doc.create_element("section").unwrap();
    doc.body().unwrap().append_child(&host).unwrap();
    host.unchecked_into()
}

fn rule_ok(host: &HtmlElement, code: &str) -> Option<bool> {
    host.query_selector(&format!("[data-code='{code}']"))
        .unwrap()
        .map(|el| el.get_attribute("data-ok").as_deref() == Some("true"))
}

fn type_into(host: &HtmlElement, selector: &str, value: &str) {
    let input: HtmlInputElement = host.query_selector(selector).unwrap().unwrap().unchecked_into();
    input.set_value(value);
    let init = EventInit::new();
    init.set_bubbles(true);
    input
        .dispatch_event(&Event::new_with_event_init_dict("input", &init).unwrap())
        .unwrap();
}

#[wasm_bindgen_test]
async fn checklist_follows_the_password() {
    let host = host();
    let (pw, set_pw) = signal(String::new());
    let policy = PasswordPolicy::new(PolicyLevel::Good, None);
    leptos::mount::mount_to(
        host.clone(),
        move || view! { <PasswordChecklist policy password=pw id="c" /> },
    )
    .forget();
    tick().await;
    assert_eq!(rule_ok(&host, "lengthAtLeast"), Some(false));
    assert_eq!(rule_ok(&host, "containsAtLeast"), Some(false));

    set_pw.set("abcdefgh".into());
    tick().await;
    assert_eq!(rule_ok(&host, "lengthAtLeast"), Some(true));
    assert_eq!(rule_ok(&host, "lowerCase"), Some(true));
    assert_eq!(rule_ok(&host, "containsAtLeast"), Some(false));

    set_pw.set("abcdef1!".into());
    tick().await;
    assert_eq!(rule_ok(&host, "containsAtLeast"), Some(true));
    assert_eq!(rule_ok(&host, "specialCharacters"), Some(true));
    assert!(host.text_content().unwrap().contains("At least 8 characters in length"));
}

fn connection(json: serde_json::Value) -> DbConnectionInfo {
    serde_json::from_value(json).unwrap()
}

fn ctx(conn: DbConnectionInfo) -> WidgetCtx {
    WidgetCtx {
        api_base: String::new(),
        client_id: "c".into(),
        connection: conn,
        mode: Mode::Embedded,
        login_hint: None,
    }
}

fn mount_widget(host: &HtmlElement, conn: DbConnectionInfo, initial: Screen) {
    let ctx = ctx(conn);
    leptos::mount::mount_to(host.clone(), move || view! { <Widget ctx initial /> }).forget();
}

#[wasm_bindgen_test]
async fn signup_form_validates_while_typing() {
    let host = host();
    let conn = connection(serde_json::json!({"name": "DB", "passwordPolicy": "excellent"}));
    mount_widget(&host, conn, Screen::SignUp);
    tick().await;

    let email: HtmlInputElement = host
        .query_selector("input[type=email]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(email.get_attribute("autocomplete").as_deref(), Some("email"));
    let password: HtmlInputElement = host
        .query_selector("input[type=password]")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(password.get_attribute("autocomplete").as_deref(), Some("new-password"));
    assert!(
        host.query_selector("input[name=username]").unwrap().is_none(),
        "no username field"
    );
    assert_eq!(
        host.query_selector_all("label").unwrap().length(),
        2,
        "every input has a label"
    );

    type_into(&host, "input[type=password]", "Abcdefg1!!!");
    tick().await;
    assert_eq!(rule_ok(&host, "lengthAtLeast"), Some(true));
    assert_eq!(rule_ok(&host, "identicalChars"), Some(false), "three ! in a row");

    // Submitting with a bad email marks it invalid and sends nothing.
    type_into(&host, "input[type=email]", "not-an-email");
    let form: web_sys::HtmlFormElement = host.query_selector("form").unwrap().unwrap().unchecked_into();
    form.request_submit().unwrap();
    tick().await;
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    let button: web_sys::HtmlButtonElement = host.query_selector("button").unwrap().unwrap().unchecked_into();
    assert!(!button.disabled(), "not busy: nothing was sent");
}

#[wasm_bindgen_test]
async fn username_field_when_required() {
    let host = host();
    let conn = connection(
        serde_json::json!({"name": "DB", "passwordPolicy": "none", "requires_username": true,
        "validation": {"username": {"min": 3, "max": 8}}}),
    );
    mount_widget(&host, conn, Screen::SignUp);
    tick().await;
    let username = host
        .query_selector("input[name=username]")
        .unwrap()
        .expect("username input");
    assert_eq!(username.get_attribute("autocomplete").as_deref(), Some("username"));
    assert!(host.text_content().unwrap().contains("Use 3-8 letters"));
}

#[wasm_bindgen_test]
async fn tabs_switch_screens_and_login_uses_current_password() {
    let host = host();
    mount_widget(
        &host,
        connection(serde_json::json!({"name": "DB", "passwordPolicy": "good"})),
        Screen::Login,
    );
    tick().await;
    let password = host.query_selector("input[type=password]").unwrap().unwrap();
    assert_eq!(
        password.get_attribute("autocomplete").as_deref(),
        Some("current-password")
    );
    assert!(
        host.query_selector(".tg-checklist").unwrap().is_none(),
        "no checklist on login"
    );
    let tabs = host.query_selector_all("[role=tab]").unwrap();
    assert_eq!(tabs.length(), 2);
    let signup_tab: web_sys::HtmlElement = host.query_selector("#tg-tab-signup").unwrap().unwrap().unchecked_into();
    assert_eq!(signup_tab.get_attribute("aria-selected").as_deref(), Some("false"));
    signup_tab.click();
    tick().await;
    assert_eq!(signup_tab.get_attribute("aria-selected").as_deref(), Some("true"));
    assert!(
        host.query_selector(".tg-checklist").unwrap().is_some(),
        "sign-up shows the checklist"
    );

    // Show / hide the password on the login screen.
    let login_tab: web_sys::HtmlElement = host.query_selector("#tg-tab-login").unwrap().unwrap().unchecked_into();
    login_tab.click();
    tick().await;
    let toggle: web_sys::HtmlElement = host.query_selector(".tg-show").unwrap().unwrap().unchecked_into();
    toggle.click();
    tick().await;
    let pw = host.query_selector("#tg-login-password").unwrap().unwrap();
    assert_eq!(pw.get_attribute("type").as_deref(), Some("text"));
    assert_eq!(toggle.get_attribute("aria-pressed").as_deref(), Some("true"));
}

#[wasm_bindgen_test]
async fn forgot_password_screen_and_back() {
    let host = host();
    mount_widget(
        &host,
        connection(serde_json::json!({"name": "DB", "passwordPolicy": "none"})),
        Screen::Login,
    );
    tick().await;
    let link: web_sys::HtmlElement = host
        .query_selector(".tg-aside .tg-link")
        .unwrap()
        .unwrap()
        .unchecked_into();
    link.click();
    tick().await;
    assert!(host.text_content().unwrap().contains("Reset your password"));
    assert!(
        host.query_selector("[role=tablist]").unwrap().is_none(),
        "no tabs on the forgot screen"
    );
    let back: web_sys::HtmlElement = host
        .query_selector(".tg-aside .tg-link")
        .unwrap()
        .unwrap()
        .unchecked_into();
    back.click();
    tick().await;
    assert!(host.query_selector("#tg-login-password").unwrap().is_some());
}
