//! Connections: the database connections' password policy (with a live preview of the rules, by
//! the same `shared` code the widget and the edge run), username rules, sign-up on/off, lazy
//! migration with a "Test connection" against the legacy store; social and OIDC connections.

use leptos::prelude::*;
use serde_json::{json, Map, Value};
use shared::{PasswordPolicy, PolicyLevel, RuleResult};

use super::Flash;
use crate::api::{self, enc, s};

/// The Connections page.
#[component]
pub fn Connections() -> impl IntoView {
    let list = LocalResource::new(|| async { api::get("connections").await });
    let selected = RwSignal::new(None::<Value>);
    view! {
        <Suspense fallback=|| view! { <p>"Loading connections…"</p> }>
            {move || list.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let all = v.as_array().cloned().unwrap_or_default();
                    let (db, social): (Vec<Value>, Vec<Value>) = all.into_iter().partition(|c| c["strategy"] == "auth0");
                    view! {
                        <h2>"Database connections"</h2>
                        <ul class="cards">
                            {db.into_iter().map(|c| {
                                let name = s(&c, "name").to_owned();
                                let c2 = c.clone();
                                view! { <li><button type="button" class="link" on:click=move |_| selected.set(Some(c2.clone()))>
                                    {name}</button></li> }
                            }).collect_view()}
                        </ul>
                        <h2>"Social and enterprise connections"</h2>
                        <ul class="cards">
                            {social.into_iter().map(|c| view! {
                                <li>{format!("{} ({})", s(&c, "name"), s(&c, "strategy"))}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Suspense>
        {move || selected.get().map(|c| view! { <Editor connection=c /> })}
    }
}

fn opt_bool(o: &Value, path: &[&str]) -> bool {
    path.iter().fold(o, |v, k| &v[*k]).as_bool().unwrap_or(false)
}

fn opt_num(o: &Value, path: &[&str]) -> Option<u32> {
    path.iter().fold(o, |v, k| &v[*k]).as_u64().map(|n| n as u32)
}

/// The rules as the widget lists them, for a password being typed (when given).
#[component]
fn Rules(
    /// The rules with or without verdicts.
    rules: Vec<RuleResult>,
) -> impl IntoView {
    view! {
        <ul class="rules">
            {rules.into_iter().map(|r| {
                let mark = match r.verified { Some(true) => "✓ ", Some(false) => "✗ ", None => "" };
                let items = r.items.clone().filter(|i| !i.is_empty()).map(|items| view! { <Rules rules=items /> }.into_any());
                view! { <li class=match r.verified { Some(true) => "ok", Some(false) => "missing", None => "" }>
                    <span aria-hidden="true">{mark}</span>{r.formatted()}{items}</li> }
            }).collect_view()}
        </ul>
    }
    .into_any()
}

/// One database connection's settings.
#[component]
fn Editor(
    /// The connection as the API lists it.
    connection: Value,
) -> impl IntoView {
    let id = s(&connection, "id").to_owned();
    let name = s(&connection, "name").to_owned();
    let o = connection["options"].clone();
    let level = RwSignal::new(o["passwordPolicy"].as_str().unwrap_or("none").to_owned());
    let min_length = RwSignal::new(
        opt_num(&o, &["password_complexity_options", "min_length"]).map_or(String::new(), |n| n.to_string()),
    );
    let dictionary = RwSignal::new(opt_bool(&o, &["password_dictionary", "enable"]));
    let history = RwSignal::new(opt_bool(&o, &["password_history", "enable"]));
    let history_size = RwSignal::new(opt_num(&o, &["password_history", "size"]).unwrap_or(5).to_string());
    let personal = RwSignal::new(opt_bool(&o, &["password_no_personal_info", "enable"]));
    let requires_username = RwSignal::new(opt_bool(&o, &["requires_username"]));
    let username_min = RwSignal::new(opt_num(&o, &["validation", "username", "min"]).unwrap_or(1).to_string());
    let username_max = RwSignal::new(
        opt_num(&o, &["validation", "username", "max"])
            .unwrap_or(15)
            .to_string(),
    );
    let disable_signup = RwSignal::new(opt_bool(&o, &["disable_signup"]));
    let import_mode = RwSignal::new(opt_bool(&o, &["import_mode"]));
    let legacy_url = RwSignal::new(o["legacy"]["url"].as_str().unwrap_or_default().to_owned());
    let sample = RwSignal::new(String::new());
    let message = RwSignal::new(Ok(String::new()));
    let probe = RwSignal::new(String::new());
    let verdict = RwSignal::new(Ok(String::new()));
    let original = StoredValue::new(o);
    let policy = move || {
        PasswordPolicy::new(
            PolicyLevel::parse(&level.get()).unwrap_or_default(),
            min_length.get().trim().parse().ok(),
        )
    };
    let save_id = id.clone();
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let mut o: Map<String, Value> = original.get_value().as_object().cloned().unwrap_or_default();
        o.insert("passwordPolicy".into(), json!(level.get_untracked()));
        match min_length.get_untracked().trim().parse::<u32>() {
            Ok(n) => {
                o.insert("password_complexity_options".into(), json!({ "min_length": n }));
            }
            Err(_) => {
                o.remove("password_complexity_options");
            }
        }
        let keep_dictionary = o
            .get("password_dictionary")
            .and_then(|d| d.get("dictionary"))
            .cloned()
            .unwrap_or(Value::Null);
        o.insert(
            "password_dictionary".into(),
            json!({"enable": dictionary.get_untracked(),
            "dictionary": if keep_dictionary.is_array() { keep_dictionary } else { json!([]) }}),
        );
        o.insert(
            "password_history".into(),
            json!({"enable": history.get_untracked(),
            "size": history_size.get_untracked().trim().parse::<u32>().unwrap_or(5)}),
        );
        o.insert(
            "password_no_personal_info".into(),
            json!({ "enable": personal.get_untracked() }),
        );
        o.insert("requires_username".into(), json!(requires_username.get_untracked()));
        o.insert(
            "validation".into(),
            json!({"username": {
            "min": username_min.get_untracked().trim().parse::<u32>().unwrap_or(1),
            "max": username_max.get_untracked().trim().parse::<u32>().unwrap_or(15)}}),
        );
        o.insert("disable_signup".into(), json!(disable_signup.get_untracked()));
        o.insert("import_mode".into(), json!(import_mode.get_untracked()));
        let url = legacy_url.get_untracked();
        if url.trim().is_empty() {
            o.remove("legacy");
        } else {
            let mut legacy = o.get("legacy").cloned().unwrap_or_else(|| json!({}));
            legacy["url"] = json!(url.trim());
            o.insert("legacy".into(), legacy);
        }
        let id = save_id.clone();
        leptos::task::spawn_local(async move {
            let r = api::patch(&format!("connections/{}", enc(&id)), &json!({ "options": o })).await;
            if let Ok(c) = &r {
                original.set_value(c["options"].clone());
            }
            message.set(
                r.map(|_| "Saved. The next sign-up and login use these settings.".to_owned())
                    .map_err(|e| e.to_string()),
            );
        });
    };
    let test_id = id.clone();
    let test = move |_| {
        let id = test_id.clone();
        let identifier = probe.get_untracked();
        leptos::task::spawn_local(async move {
            let r = api::post(
                &format!("connections/{}/legacy-test", enc(&id)),
                &json!({ "identifier": identifier }),
            )
            .await;
            verdict.set(match r {
                Ok(v) => match s(&v, "verdict") {
                    "found" => Ok(format!(
                        "Found in the legacy store: {} ({} ms).",
                        s(&v, "email"),
                        v["ms"]
                    )),
                    "not_found" => Ok(format!(
                        "The legacy store does not know this identifier ({} ms).",
                        v["ms"]
                    )),
                    _ => Err(format!(
                        "The legacy store did not answer as expected: {}",
                        s(&v, "detail")
                    )),
                },
                Err(e) => Err(e.to_string()),
            });
        });
    };
    view! {
        <section class="detail" aria-labelledby="conn-title">
            <h2 id="conn-title">{name}</h2>
            <form class="settings" on:submit=save>
                <fieldset>
                    <legend>"Password policy"</legend>
                    <label for="pw-level">"Password strength"</label>
                    <select id="pw-level" on:change=move |ev| level.set(event_target_value(&ev)) prop:value=level>
                        {["none", "low", "fair", "good", "excellent"].into_iter().map(|l| view! {
                            <option value=l selected=move || level.get() == l>{l}</option>
                        }).collect_view()}
                    </select>
                    <label for="pw-min">"Minimum length (empty: the level's)"</label>
                    <input id="pw-min" type="number" min="1" max="72" prop:value=min_length on:input=move |ev| min_length.set(event_target_value(&ev)) />
                    <label class="check"><input type="checkbox" prop:checked=dictionary on:change=move |ev| dictionary.set(event_target_checked(&ev)) />
                        "Refuse common passwords (dictionary)"</label>
                    <label class="check"><input type="checkbox" prop:checked=history on:change=move |ev| history.set(event_target_checked(&ev)) />
                        "Refuse recently used passwords"</label>
                    <label for="pw-history">"Passwords remembered"</label>
                    <input id="pw-history" type="number" min="1" max="24" prop:value=history_size on:input=move |ev| history_size.set(event_target_value(&ev)) />
                    <label class="check"><input type="checkbox" prop:checked=personal on:change=move |ev| personal.set(event_target_checked(&ev)) />
                        "Refuse passwords containing the user's name or email"</label>
                </fieldset>
                <section class="preview" aria-labelledby="preview-title">
                    <h3 id="preview-title">"What users will see"</h3>
                    {move || view! { <Rules rules=policy().explain() /> }}
                    <label for="pw-sample">"Try a password"</label>
                    <input id="pw-sample" type="text" autocomplete="off" prop:value=sample on:input=move |ev| sample.set(event_target_value(&ev)) />
                    {move || (!sample.get().is_empty()).then(|| {
                        let e = policy().missing(&sample.get());
                        view! {
                            <p role="status">{if e.verified { "This password is accepted." } else { "This password is refused." }}</p>
                            <Rules rules=e.rules />
                        }
                    })}
                </section>
                <fieldset>
                    <legend>"Usernames and sign-up"</legend>
                    <label class="check"><input type="checkbox" prop:checked=requires_username on:change=move |ev| requires_username.set(event_target_checked(&ev)) />
                        "Users also have a username"</label>
                    <label for="un-min">"Username minimum length"</label>
                    <input id="un-min" type="number" min="1" max="128" prop:value=username_min on:input=move |ev| username_min.set(event_target_value(&ev)) />
                    <label for="un-max">"Username maximum length"</label>
                    <input id="un-max" type="number" min="1" max="128" prop:value=username_max on:input=move |ev| username_max.set(event_target_value(&ev)) />
                    <label class="check"><input type="checkbox" prop:checked=disable_signup on:change=move |ev| disable_signup.set(event_target_checked(&ev)) />
                        "Disable sign-ups"</label>
                </fieldset>
                <fieldset>
                    <legend>"Lazy migration"</legend>
                    <label class="check"><input type="checkbox" prop:checked=import_mode on:change=move |ev| import_mode.set(event_target_checked(&ev)) />
                        "Import users to this connection at their first login (import mode)"</label>
                    <label for="legacy-url">"Legacy store URL"</label>
                    <input id="legacy-url" type="url" placeholder="https://legacy.example.com/auth" prop:value=legacy_url on:input=move |ev| legacy_url.set(event_target_value(&ev)) />
                    <label for="legacy-probe">"Identifier to look up"</label>
                    <input id="legacy-probe" type="text" prop:value=probe on:input=move |ev| probe.set(event_target_value(&ev)) />
                    <button type="button" on:click=test>"Test connection"</button>
                    <Flash message=verdict />
                </fieldset>
                <button type="submit" class="primary">"Save"</button>
                <Flash message />
            </form>
        </section>
    }
}
