//! Connections: the database connections' password policy (with a live preview of the rules, by
//! the same `shared` code the widget and the edge run), username rules, sign-up on/off, passkeys
//! (on/off, the offer after a password login), lazy migration with a "Test connection" against the
//! legacy store; social and OIDC connections.

use leptos::prelude::*;
use shared::management::connections::{
    Connection, LegacyTest, LegacyTestResult, LegacyVerdict, MethodSwitch, PasskeyOptions, PasswordDictionary,
    PasswordHistory, Toggle, UpdateConnection,
};
use shared::username::UsernameRules;
use shared::wire::{ComplexityOptions, Validation};
use shared::{PasswordPolicy, PolicyLevel, RuleResult};

use super::Flash;
use crate::api::{self, enc};

/// The Connections page.
#[component]
pub fn Connections() -> impl IntoView {
    let list = LocalResource::new(|| async { api::get::<Vec<Connection>>("connections").await });
    let selected = RwSignal::new(None::<Connection>);
    view! {
        <Suspense fallback=|| view! { <p>"Loading connections…"</p> }>
            {move || list.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let (db, others): (Vec<Connection>, Vec<Connection>) = v.into_iter().partition(Connection::is_database);
                    let (passwordless, social): (Vec<Connection>, Vec<Connection>) =
                        others.into_iter().partition(Connection::is_passwordless);
                    view! {
                        <h2>"Database connections"</h2>
                        <ul class="cards">
                            {db.into_iter().map(|c| {
                                let name = c.name.clone();
                                let c2 = c.clone();
                                view! { <li><button type="button" class="link" on:click=move |_| selected.set(Some(c2.clone()))>
                                    {name}</button></li> }
                            }).collect_view()}
                        </ul>
                        <super::passwordless::Passwordless connections=passwordless />
                        <h2>"Social and enterprise connections"</h2>
                        <ul class="cards">
                            {social.into_iter().map(|c| view! {
                                <li>{format!("{} ({})", c.name, c.strategy)}</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Suspense>
        {move || selected.get().map(|c| view! { <Editor connection=c /> })}
    }
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
    connection: Connection,
) -> impl IntoView {
    let Connection {
        id, name, options: o, ..
    } = connection;
    let level = RwSignal::new(o.password_policy.unwrap_or_default().as_str().to_owned());
    let min_length = RwSignal::new(
        o.password_complexity_options
            .and_then(|c| c.min_length)
            .map_or(String::new(), |n| n.to_string()),
    );
    let dictionary = RwSignal::new(o.password_dictionary.as_ref().is_some_and(|d| d.enable));
    let history = RwSignal::new(o.password_history.is_some_and(|h| h.enable));
    let history_size = RwSignal::new(o.password_history.and_then(|h| h.size).unwrap_or(5).to_string());
    let personal = RwSignal::new(o.password_no_personal_info.is_some_and(|p| p.enable));
    let requires_username = RwSignal::new(o.requires_username == Some(true));
    let username = o.validation.and_then(|v| v.username);
    let username_min = RwSignal::new(username.map_or(1, |u| u.min).to_string());
    let username_max = RwSignal::new(username.map_or(15, |u| u.max).to_string());
    let disable_signup = RwSignal::new(o.disable_signup == Some(true));
    let import_mode = RwSignal::new(o.import_mode == Some(true));
    // The edge's defaults when absent: passkeys off, the offer after a password login on.
    let passkeys = RwSignal::new(
        o.authentication_methods
            .as_ref()
            .and_then(|m| m.passkey.as_ref())
            .and_then(|p| p.enabled)
            == Some(true),
    );
    let enrollment = RwSignal::new(
        o.passkey_options
            .as_ref()
            .and_then(|p| p.progressive_enrollment_enabled)
            != Some(false),
    );
    let legacy_url = RwSignal::new(o.legacy.as_ref().map(|l| l.url.clone()).unwrap_or_default());
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
        let mut o = original.get_value();
        let number = |v: RwSignal<String>, default: u32| v.get_untracked().trim().parse::<u32>().unwrap_or(default);
        o.password_policy = PolicyLevel::parse(&level.get_untracked());
        o.password_complexity_options = min_length
            .get_untracked()
            .trim()
            .parse::<u32>()
            .ok()
            .map(|n| ComplexityOptions { min_length: Some(n) });
        o.password_dictionary = Some(PasswordDictionary {
            enable: dictionary.get_untracked(),
            dictionary: Some(o.password_dictionary.and_then(|d| d.dictionary).unwrap_or_default()),
        });
        o.password_history = Some(PasswordHistory {
            enable: history.get_untracked(),
            size: Some(number(history_size, 5)),
        });
        o.password_no_personal_info = Some(Toggle {
            enable: personal.get_untracked(),
        });
        o.requires_username = Some(requires_username.get_untracked());
        o.validation = Some(Validation {
            username: Some(UsernameRules {
                min: number(username_min, 1),
                max: number(username_max, 15),
            }),
        });
        o.disable_signup = Some(disable_signup.get_untracked());
        o.import_mode = Some(import_mode.get_untracked());
        // Only the two switches change; the other ways in and passkey options stay as they are.
        let mut methods = o.authentication_methods.unwrap_or_default();
        methods.passkey = Some(MethodSwitch {
            enabled: Some(passkeys.get_untracked()),
            ..methods.passkey.unwrap_or_default()
        });
        o.authentication_methods = Some(methods);
        o.passkey_options = Some(PasskeyOptions {
            progressive_enrollment_enabled: Some(enrollment.get_untracked()),
            ..o.passkey_options.unwrap_or_default()
        });
        let url = legacy_url.get_untracked();
        o.legacy = if url.trim().is_empty() {
            None
        } else {
            let mut legacy = o.legacy.unwrap_or_default();
            legacy.url = url.trim().to_owned();
            Some(legacy)
        };
        let id = save_id.clone();
        leptos::task::spawn_local(async move {
            let body = UpdateConnection {
                options: Some(o),
                ..UpdateConnection::default()
            };
            let r = api::patch::<Connection>(&format!("connections/{}", enc(&id)), &body).await;
            if let Ok(c) = &r {
                original.set_value(c.options.clone());
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
            let r = api::post::<LegacyTestResult>(
                &format!("connections/{}/legacy-test", enc(&id)),
                &LegacyTest { identifier },
            )
            .await;
            verdict.set(match r {
                Ok(v) => match v.verdict {
                    LegacyVerdict::Found => Ok(format!(
                        "Found in the legacy store: {} ({} ms).",
                        v.email.unwrap_or_default(),
                        v.ms
                    )),
                    LegacyVerdict::NotFound => {
                        Ok(format!("The legacy store does not know this identifier ({} ms).", v.ms))
                    }
                    LegacyVerdict::Unexpected | LegacyVerdict::Error => Err(format!(
                        "The legacy store did not answer as expected: {}",
                        v.detail.unwrap_or_default()
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
                    <legend>"Passkeys"</legend>
                    <label class="check"><input type="checkbox" prop:checked=passkeys on:change=move |ev| passkeys.set(event_target_checked(&ev)) />
                        "Offer passkeys: sign up and log in without a password"</label>
                    <label class="check"><input type="checkbox" prop:checked=enrollment prop:disabled=move || !passkeys.get()
                        on:change=move |ev| enrollment.set(event_target_checked(&ev)) />
                        "After a password login, offer to add a passkey"</label>
                    <p class="hint">"A user who answers \"Not now\" is not asked again for 30 days."</p>
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
