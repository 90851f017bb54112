//! Component tests in a real browser (`wasm-bindgen-test-runner` + chromedriver + Chromium).
// Test code: a failed lookup should fail the test loudly.
#![allow(clippy::unwrap_used, clippy::expect_used)]
use any_spawner::Executor;
use leptos::prelude::*;
use shared::wire::DbConnectionInfo;
use shared::{PasswordPolicy, PolicyLevel};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;
use web_sys::{Event, EventInit, HtmlElement, HtmlInputElement};
use widget::components::checklist::PasswordChecklist;
use widget::components::widget::Widget;
use widget::context::{Mode, Screen, SocialConnection, WidgetCtx};
use widget::i18n::I18n;
use widget::options::WidgetOptions;

wasm_bindgen_test_configure!(run_in_browser);

fn host() -> HtmlElement {
    let doc = web_sys::window().unwrap().document().unwrap();
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
    let pw = RwSignal::new(String::new());
    let policy = PasswordPolicy::new(PolicyLevel::Good, None);
    leptos::mount::mount_to(host.clone(), move || {
        provide_context(std::sync::Arc::new(I18n::english()));
        view! { <PasswordChecklist policy password=pw id="c" /> }
    })
    .forget();
    Executor::tick().await;
    assert_eq!(rule_ok(&host, "lengthAtLeast"), Some(false));
    assert_eq!(rule_ok(&host, "containsAtLeast"), Some(false));

    pw.set("abcdefgh".into());
    Executor::tick().await;
    assert_eq!(rule_ok(&host, "lengthAtLeast"), Some(true));
    assert_eq!(rule_ok(&host, "lowerCase"), Some(true));
    assert_eq!(rule_ok(&host, "containsAtLeast"), Some(false));

    pw.set("abcdef1!".into());
    Executor::tick().await;
    assert_eq!(rule_ok(&host, "containsAtLeast"), Some(true));
    assert_eq!(rule_ok(&host, "specialCharacters"), Some(true));
    assert!(host.text_content().unwrap().contains("At least 8 characters in length"));
}

/// A connection entry of the client configuration, read with the shared wire type.
fn connection(json: serde_json::Value) -> DbConnectionInfo {
    serde_json::from_value(json).unwrap()
}

fn ctx(conn: DbConnectionInfo) -> WidgetCtx {
    WidgetCtx {
        api_base: String::new(),
        client_id: "c".into(),
        connection: conn,
        social: vec![],
        passwordless: None,
        passwordless_only: false,
        mode: Mode::Embedded,
        opts: std::sync::Arc::new(WidgetOptions::default()),
        i18n: std::sync::Arc::new(I18n::english()),
        ids: "tg".into(),
    }
}

fn mount_ctx(host: &HtmlElement, ctx: WidgetCtx, initial: Screen) {
    leptos::mount::mount_to(host.clone(), move || view! { <Widget ctx initial /> }).forget();
}

fn mount_widget(host: &HtmlElement, conn: DbConnectionInfo, initial: Screen) {
    mount_ctx(host, ctx(conn), initial);
}

fn options(json: serde_json::Value) -> std::sync::Arc<WidgetOptions> {
    // As the loader hands them over: a plain JS object.
    let object = js_sys::JSON::parse(&json.to_string()).unwrap();
    std::sync::Arc::new(WidgetOptions::from_js(object).unwrap())
}

fn active_id() -> Option<String> {
    web_sys::window()
        .unwrap()
        .document()
        .unwrap()
        .active_element()
        .map(|e| e.id())
}

#[wasm_bindgen_test]
async fn signup_form_validates_while_typing() {
    let host = host();
    let conn = connection(serde_json::json!({"name": "DB", "passwordPolicy": "excellent"}));
    mount_widget(&host, conn, Screen::SignUp);
    Executor::tick().await;

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
    Executor::tick().await;
    assert_eq!(rule_ok(&host, "lengthAtLeast"), Some(true));
    assert_eq!(rule_ok(&host, "identicalChars"), Some(false), "three ! in a row");

    // Submitting with a bad email marks it invalid and sends nothing.
    type_into(&host, "input[type=email]", "not-an-email");
    let form: web_sys::HtmlFormElement = host.query_selector("form").unwrap().unwrap().unchecked_into();
    form.request_submit().unwrap();
    Executor::tick().await;
    assert_eq!(email.get_attribute("aria-invalid").as_deref(), Some("true"));
    let button = host.query_selector("button[type=submit]").unwrap().unwrap();
    assert_eq!(
        button.get_attribute("aria-disabled").as_deref(),
        Some("false"),
        "not busy: nothing was sent"
    );
    // Focus moves to the first invalid field.
    gloo_timers_tick().await;
    assert_eq!(active_id().as_deref(), Some("tg-signup-email"));
}

#[wasm_bindgen_test]
async fn username_field_when_required() {
    let host = host();
    let conn = connection(
        serde_json::json!({"name": "DB", "passwordPolicy": "none", "requires_username": true,
        "validation": {"username": {"min": 3, "max": 8}}}),
    );
    mount_widget(&host, conn, Screen::SignUp);
    Executor::tick().await;
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
    Executor::tick().await;
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
    Executor::tick().await;
    assert_eq!(signup_tab.get_attribute("aria-selected").as_deref(), Some("true"));
    assert!(
        host.query_selector(".tg-checklist").unwrap().is_some(),
        "sign-up shows the checklist"
    );

    // Show / hide the password on the login screen.
    let login_tab: web_sys::HtmlElement = host.query_selector("#tg-tab-login").unwrap().unwrap().unchecked_into();
    login_tab.click();
    Executor::tick().await;
    let toggle: web_sys::HtmlElement = host.query_selector(".tg-show").unwrap().unwrap().unchecked_into();
    toggle.click();
    Executor::tick().await;
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
    Executor::tick().await;
    let link: web_sys::HtmlElement = host
        .query_selector(".tg-aside .tg-link")
        .unwrap()
        .unwrap()
        .unchecked_into();
    link.click();
    Executor::tick().await;
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
    Executor::tick().await;
    assert!(host.query_selector("#tg-login-password").unwrap().is_some());
}

/// Lets `set_timeout(0)` callbacks run.
async fn gloo_timers_tick() {
    let p = js_sys::Promise::new(&mut |resolve, _| {
        web_sys::window()
            .unwrap()
            .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(p).await.unwrap();
}

/// Two widgets on one page: each gets its own id prefix, so every id, label and ARIA reference
/// resolves inside its own widget.
#[wasm_bindgen_test]
async fn two_widgets_on_one_page_have_their_own_ids() {
    use widget::mount::claim_ids;
    let doc = web_sys::window().unwrap().document().unwrap();
    // A widget already on the page holds `tg`.
    let first = host();
    first.set_attribute("data-tollgate-ids", "tg").unwrap();
    let (a, b) = (host(), host());
    let (ids_a, ids_b) = (claim_ids(&a), claim_ids(&b));
    assert_eq!((ids_a.as_str(), ids_b.as_str()), ("tg2", "tg3"));
    assert_eq!(claim_ids(&a), "tg2", "a remounted host keeps its prefix");
    for (host, ids) in [(&a, &ids_a), (&b, &ids_b)] {
        let mut c = ctx(connection(serde_json::json!({"name": "DB", "passwordPolicy": "none"})));
        c.ids = ids.clone();
        mount_ctx(host, c, Screen::SignUp);
    }
    Executor::tick().await;
    for host in [&a, &b] {
        let with_ids = host.query_selector_all("[id]").unwrap();
        assert!(with_ids.length() > 5);
        for i in 0..with_ids.length() {
            let el: web_sys::Element = with_ids.item(i).unwrap().unchecked_into();
            assert_eq!(
                doc.get_element_by_id(&el.id()).as_ref(),
                Some(&el),
                "{} is unique",
                el.id()
            );
        }
        let refs = host
            .query_selector_all("label[for], [aria-controls], [aria-labelledby], [aria-describedby]")
            .unwrap();
        assert!(refs.length() > 3);
        for i in 0..refs.length() {
            let el: web_sys::Element = refs.item(i).unwrap().unchecked_into();
            for attr in ["for", "aria-controls", "aria-labelledby", "aria-describedby"] {
                if let Some(id) = el.get_attribute(attr) {
                    let target = doc.get_element_by_id(&id);
                    assert!(
                        target.is_some_and(|t| host.contains(Some(&t))),
                        "{attr}={id} points into its own widget"
                    );
                }
            }
        }
    }
    assert!(b.query_selector("#tg3-signup-password").unwrap().is_some());
}

/// Listens to the widget's events on `host` (instance `instance`); returns the names seen.
fn record_events(host: &HtmlElement, instance: &str) -> std::rc::Rc<std::cell::RefCell<Vec<String>>> {
    host.set_attribute("data-tollgate-instance", instance).unwrap();
    let events = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let seen = events.clone();
    let listener =
        wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::CustomEvent)>::new(move |e: web_sys::CustomEvent| {
            let name = js_sys::Reflect::get(&e.detail(), &"name".into()).unwrap();
            seen.borrow_mut().push(name.as_string().unwrap());
        });
    host.add_event_listener_with_callback("tollgate", listener.as_ref().unchecked_ref())
        .unwrap();
    listener.forget();
    events
}

/// A submit is a Leptos action: while it is pending the form is busy, its button disabled, and
/// further submits are ignored.
#[wasm_bindgen_test]
async fn a_pending_submit_ignores_more_submits() {
    let host = host();
    let events = record_events(&host, "double");
    let mut c = ctx(connection(serde_json::json!({"name": "DB", "passwordPolicy": "none"})));
    c.opts = options(serde_json::json!({"instance": "double"}));
    mount_ctx(&host, c, Screen::Login);
    Executor::tick().await;
    type_into(&host, "#tg-login-id", "someone@example.com");
    type_into(&host, "#tg-login-password", "whatever");
    let form: web_sys::HtmlFormElement = host.query_selector("form").unwrap().unwrap().unchecked_into();
    form.request_submit().unwrap();
    form.request_submit().unwrap();
    form.request_submit().unwrap();
    Executor::tick().await;
    let submits = events.borrow().iter().filter(|e| *e == "signin submit").count();
    assert_eq!(submits, 1, "one request: {:?}", events.borrow());
    assert_eq!(form.get_attribute("aria-busy").as_deref(), Some("true"));
    let button = host.query_selector("button[type=submit]").unwrap().unwrap();
    assert_eq!(button.get_attribute("aria-disabled").as_deref(), Some("true"));
    assert_eq!(button.text_content().as_deref(), Some("Logging in…"));
    // The test server has no token endpoint: the action ends with an error, the form opens again.
    for _ in 0..500 {
        if form.get_attribute("aria-busy").as_deref() == Some("false") {
            break;
        }
        gloo_timers_tick().await;
    }
    assert_eq!(form.get_attribute("aria-busy").as_deref(), Some("false"));
    assert!(host.query_selector(".tg-status .tg-error").unwrap().is_some());
}

/// A login request still in flight when the user switches to sign-up: its answer arrives for a
/// form that is gone, and the widget carries on.
#[wasm_bindgen_test]
async fn leaving_a_screen_while_its_request_is_in_flight() {
    let host = host();
    let events = record_events(&host, "inflight");
    // What goes wrong later, in the request's task, surfaces as an uncaught error.
    let errors = std::rc::Rc::new(std::cell::RefCell::new(Vec::<String>::new()));
    let caught = errors.clone();
    let on_error = wasm_bindgen::closure::Closure::<dyn FnMut(web_sys::Event)>::new(move |e: web_sys::Event| {
        caught.borrow_mut().push(e.type_());
    });
    let window = web_sys::window().unwrap();
    for kind in ["error", "unhandledrejection"] {
        window
            .add_event_listener_with_callback(kind, on_error.as_ref().unchecked_ref())
            .unwrap();
    }
    let mut c = ctx(connection(serde_json::json!({"name": "DB", "passwordPolicy": "good"})));
    c.opts = options(serde_json::json!({"instance": "inflight"}));
    mount_ctx(&host, c, Screen::Login);
    Executor::tick().await;
    type_into(&host, "#tg-login-id", "someone@example.com");
    type_into(&host, "#tg-login-password", "whatever");
    let submit: HtmlElement = host.query_selector(".tg-submit").unwrap().unwrap().unchecked_into();
    submit.click();
    let signup_tab: HtmlElement = host.query_selector("#tg-tab-signup").unwrap().unwrap().unchecked_into();
    signup_tab.click();
    Executor::tick().await;
    assert!(
        host.query_selector("#tg-login-form").unwrap().is_none(),
        "the login form is gone"
    );
    // The test server has no token endpoint: the login fails and says so to the page.
    for _ in 0..500 {
        if events.borrow().iter().any(|e| e == "authorization_error") {
            break;
        }
        gloo_timers_tick().await;
    }
    assert!(
        events.borrow().iter().any(|e| e == "authorization_error"),
        "the request finished: {:?}",
        events.borrow()
    );
    gloo_timers_tick().await;
    for kind in ["error", "unhandledrejection"] {
        window
            .remove_event_listener_with_callback(kind, on_error.as_ref().unchecked_ref())
            .unwrap();
    }
    assert_eq!(
        *errors.borrow(),
        Vec::<String>::new(),
        "nothing failed after the form was gone"
    );
    type_into(&host, "#tg-signup-password", "abcdefgh");
    Executor::tick().await;
    assert_eq!(
        rule_ok(&host, "lengthAtLeast"),
        Some(true),
        "the sign-up screen still reacts"
    );
}

#[wasm_bindgen_test]
async fn additional_fields_terms_and_options() {
    let host = host();
    let mut c = ctx(connection(serde_json::json!({"name": "DB", "passwordPolicy": "none"})));
    c.opts = options(serde_json::json!({
        "mustAcceptTerms": true,
        "additionalSignUpFields": [
            {"name": "company", "placeholder": "Company"},
            {"name": "plan", "type": "select", "placeholder": "Plan", "options": [{"value": "free", "label": "Free"}]},
            {"name": "news", "type": "checkbox", "placeholder": "Send me news", "prefill": "true"},
            {"name": "source", "type": "hidden", "value": "ad"},
            {"name": "password", "placeholder": "refused: reserved name"}
        ],
        "prefill": {"email": "pre@fill.example"},
        "flashMessage": {"type": "error", "text": "Session ended"},
        "theme": {"logo": "https://example.com/logo.png", "title": "Acme"}
    }));
    mount_ctx(&host, c, Screen::SignUp);
    Executor::tick().await;
    let text = host.text_content().unwrap();
    assert!(text.contains("Session ended") && text.contains("Acme"));
    assert!(host.query_selector("img.tg-logo").unwrap().is_some());
    assert!(host.query_selector("#tg-signup-company").unwrap().is_some());
    assert!(host.query_selector("select#tg-signup-plan").unwrap().is_some());
    assert!(host
        .query_selector("#tg-signup-password[name=password]")
        .unwrap()
        .is_some());
    assert_eq!(
        host.query_selector_all("input[name=password]").unwrap().length(),
        1,
        "reserved name skipped"
    );
    let news: HtmlInputElement = host
        .query_selector("#tg-signup-news")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert!(news.checked());
    let email: HtmlInputElement = host
        .query_selector("#tg-signup-email")
        .unwrap()
        .unwrap()
        .unchecked_into();
    assert_eq!(email.value(), "pre@fill.example");
    // Every visible input has a label.
    let inputs = host
        .query_selector_all("input:not([type=hidden]), select")
        .unwrap()
        .length();
    assert_eq!(host.query_selector_all("label").unwrap().length(), inputs);

    type_into(&host, "#tg-signup-password", "anything");
    let form: web_sys::HtmlFormElement = host.query_selector("form").unwrap().unwrap().unchecked_into();
    form.request_submit().unwrap();
    Executor::tick().await;
    let invalid = |id: &str| {
        host.query_selector(&format!("#{id}"))
            .unwrap()
            .unwrap()
            .get_attribute("aria-invalid")
    };
    assert_eq!(invalid("tg-signup-company").as_deref(), Some("true"));
    assert_eq!(invalid("tg-signup-plan").as_deref(), Some("true"));
    assert_eq!(invalid("tg-signup-terms").as_deref(), Some("true"));
    assert_eq!(invalid("tg-signup-email").as_deref(), Some("false"));
    gloo_timers_tick().await;
    assert_eq!(
        active_id().as_deref(),
        Some("tg-signup-company"),
        "focus on the first error"
    );
    assert!(host.text_content().unwrap().contains("Please accept the terms"));
}

#[wasm_bindgen_test]
async fn translations_overrides_and_social_buttons() {
    let host = host();
    let mut c = ctx(connection(serde_json::json!({"name": "DB", "passwordPolicy": "low"})));
    let pack = serde_json::from_value(serde_json::json!({"loginSubmitLabel": "تسجيل الدخول", "passwordLabel": "كلمة المرور", "socialLoginButton": "المتابعة باستخدام %s"})).unwrap();
    let overrides = serde_json::from_value(serde_json::json!({"emailLabel": "Courriel"})).unwrap();
    c.i18n = std::sync::Arc::new(I18n::new("ar", Some(&pack), Some(&overrides)));
    c.social = vec![SocialConnection {
        strategy: "google-oauth2".into(),
        name: "google-oauth2".into(),
    }];
    c.opts = options(
        serde_json::json!({"allowSignUp": false, "allowShowPassword": false, "auth": {"redirectUrl": "https://app.example/cb"}}),
    );
    mount_ctx(&host, c, Screen::SignUp);
    Executor::tick().await;
    let text = host.text_content().unwrap();
    assert!(text.contains("تسجيل الدخول") && text.contains("كلمة المرور") && text.contains("Courriel"));
    assert!(
        host.query_selector("[role=tablist]").unwrap().is_none(),
        "allowSignUp: false hides the tabs"
    );
    assert!(
        host.query_selector("#tg-login-password").unwrap().is_some(),
        "sign-up not allowed: login shown"
    );
    assert!(
        host.query_selector(".tg-show").unwrap().is_none(),
        "allowShowPassword: false"
    );
    let social = host.query_selector("a.tg-social").unwrap().expect("social button");
    assert_eq!(social.text_content().unwrap().trim(), "المتابعة باستخدام Google");
    let href = social.get_attribute("href").unwrap();
    assert!(
        href.starts_with("/authorize?client_id=c&response_type=code&redirect_uri=https%3A%2F%2Fapp.example%2Fcb"),
        "{href}"
    );
    assert!(href.ends_with("&connection=google-oauth2"), "{href}");
}

#[wasm_bindgen_test]
fn the_browser_lower_cases_like_rust() {
    // `shared` normalises with `str::to_lowercase` on the edge; the widget uses the browser's.
    for s in [
        "ÄNNE@Example.COM",
        "ΣΊΣΥΦΟΣ",
        "İstanbul",
        "\u{212A}elvin",
        "ŒUVRE",
        "plain ascii",
    ] {
        assert_eq!(widget::text::lower(s), s.to_lowercase(), "{s}");
    }
}

/// The edge's answers are read into the shared wire types: the client configuration Lock reads,
/// and either error shape.
#[wasm_bindgen_test]
fn the_edges_answers_read_into_the_shared_types() {
    use shared::wire::{ClientConfig, ErrorBody, ErrorCode};
    use widget::api::decode;
    // As `send` reads them: the browser parses the JSON, serde reads the JS values.
    let parsed = |text: &str| js_sys::JSON::parse(text).unwrap();
    let cfg: ClientConfig = decode(parsed(
        r#"{"id":"c","tenant":"t","subscription":"free","strategies":[{"name":"auth0","connections":[
            {"name":"DB","passwordPolicy":"excellent","password_complexity_options":{"min_length":12},"showSignup":false,
             "requires_username":true,"validation":{"username":{"min":3,"max":20}}}]},
            {"name":"google-oauth2","connections":[{"name":"google-oauth2"}]}]}"#,
    ))
    .unwrap();
    let db = cfg.database(None).unwrap();
    assert_eq!(db.policy().min_length(), 12);
    assert!(!db.show_signup && db.show_forgot && db.requires_username);
    let legacy: ErrorBody = decode(parsed(
        r#"{"name":"BadRequestError","code":"invalid_signup","description":"Invalid sign up","statusCode":400}"#,
    ))
    .unwrap();
    assert_eq!(legacy.code(), Some(ErrorCode::InvalidSignup));
    assert_eq!(legacy.description_text(), "Invalid sign up");
    let oauth: ErrorBody = decode(parsed(r#"{"error":"brand_new_code","error_description":"?"}"#)).unwrap();
    assert_eq!(oauth.code(), Some(ErrorCode::Other));
    assert_eq!(oauth.description_text(), "?");
    // A password error's description is the rule tree: no text, the name says which rule.
    let weak: ErrorBody = decode(parsed(
        r#"{"name":"PasswordStrengthError","code":"invalid_password","message":"Password is too weak",
            "description":{"rules":[{"code":"lengthAtLeast","format":[8],"verified":false}],"verified":false}}"#,
    ))
    .unwrap();
    assert_eq!(weak.code(), Some(ErrorCode::InvalidPassword));
    assert_eq!(
        (weak.name.as_deref(), weak.description_text().as_str()),
        (Some("PasswordStrengthError"), "")
    );
    let signed_up: shared::wire::SignupResponse = decode(parsed(
        r#"{"_id":"u1","email":"a@b.co","email_verified":false,"user_metadata":{"plan":"pro"}}"#,
    ))
    .unwrap();
    assert_eq!(
        signed_up
            .user_metadata
            .unwrap_or_default()
            .get("plan")
            .map(String::as_str),
        Some("pro")
    );
    assert!(
        decode::<ClientConfig>(parsed(r#"{"id": 5}"#)).is_none(),
        "a wrong shape is no answer"
    );
}

#[wasm_bindgen_test]
fn options_are_read_from_the_pages_object_leniently() {
    let object = js_sys::JSON::parse(
        r#"{"clientID":"c","allowSignUp":"no","mustAcceptTerms":true,"prefill":{"email":"a@b.co","username":7},
            "languageDictionary":{"title":"Hi","error":{"login":{"lock.network":"Offline"}},"n":1.5},
            "auth":{"params":{"max_age":0,"scope":"openid"}},"additionalSignUpFields":"nope"}"#,
    )
    .unwrap();
    let o = WidgetOptions::from_js(object).unwrap();
    assert_eq!(o.client_id, "c");
    assert!(o.allow_sign_up(), "a wrong type takes the default");
    assert!(o.must_accept_terms);
    assert_eq!(o.prefill.username.as_deref(), Some("7"));
    assert!(o.additional_sign_up_fields.is_empty());
    let dictionary = o.language_dictionary.unwrap_or_default();
    assert_eq!(dictionary.get("error.login.lock.network"), Some("Offline"));
    assert_eq!(
        dictionary.get("n"),
        Some("1.5"),
        "numbers written as JavaScript writes them"
    );
    assert_eq!(o.auth.params.get("max_age"), Some("0"));
    assert!(WidgetOptions::from_js(js_sys::Array::new().into()).is_err());
    assert!(WidgetOptions::from_js(wasm_bindgen::JsValue::from_str("{}")).is_err());
}
