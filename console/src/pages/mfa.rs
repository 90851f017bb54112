//! Multi-factor: which second factors the tenant offers (`GET /api/v2/guardian/factors`, each
//! switched with `PUT guardian/factors/{name}`) and when a login asks for one (`GET/PUT
//! guardian/policies`: `[]` never, `["all-applications"]` always). Auth0's factors Tollgate does not
//! offer are listed as not available (the API refuses to turn them on). Without the update scopes
//! (viewers) a change shows the API's refusal and the page keeps what is saved. "Remember this
//! browser" (`GET/PUT guardian/remember-browser`) lets a person skip the second step in a browser
//! for a number of days.

use leptos::prelude::*;
use shared::management::guardian::{
    Factor, FactorUpdate, RememberBrowser, ALL_APPLICATIONS, KNOWN_FACTORS, REMEMBER_BROWSER_MAX_DAYS,
    SUPPORTED_FACTORS,
};

use super::Flash;
use crate::api::{self, enc};

/// A factor's name for people.
fn factor_label(name: &str) -> &str {
    match name {
        "otp" => "Authenticator app (TOTP)",
        "email" => "Codes by email",
        "webauthn-roaming" => "Security keys (WebAuthn roaming)",
        "webauthn-platform" => "Device biometrics (WebAuthn platform)",
        "sms" => "Text messages (SMS)",
        "push-notification" => "Push notifications",
        other => other,
    }
}

/// What an offered factor is, in one line.
fn factor_hint(name: &str) -> &'static str {
    match name {
        "otp" => "An app such as Google Authenticator or 1Password: the user scans a QR code once, then types the app's 6-digit code.",
        "email" => "A 6-digit code mailed to the user's own address.",
        "webauthn-roaming" => "A security key (USB or NFC) or a passkey on another device, on the hosted login page.",
        "webauthn-platform" => "The device's own passkey (fingerprint, face or PIN), on the hosted login page.",
        _ => "",
    }
}

/// The Multi-factor page.
#[component]
pub fn Mfa() -> impl IntoView {
    // The offered factors as saved (the switches show them), and the policy as saved.
    let enabled = RwSignal::new(Vec::<String>::new());
    let factors = LocalResource::new(move || async move {
        let r = api::get::<Vec<Factor>>("guardian/factors").await;
        if let Ok(list) = &r {
            enabled.set(list.iter().filter(|f| f.enabled).map(|f| f.name.clone()).collect());
        }
        r
    });
    let factor_message = RwSignal::new(Ok(String::new()));
    let set_factor = move |name: &'static str, on: bool| {
        enabled.update(|l| {
            l.retain(|f| f != name);
            if on {
                l.push(name.to_owned());
            }
        });
        factor_message.set(Ok(String::new()));
        leptos::task::spawn_local(async move {
            let body = FactorUpdate { enabled: on };
            match api::put::<FactorUpdate>(&format!("guardian/factors/{}", enc(name)), &body).await {
                Ok(saved) => factor_message.set(Ok(format!(
                    "{} is {}.",
                    factor_label(name),
                    if saved.enabled { "on" } else { "off" }
                ))),
                Err(e) => {
                    // Not saved: the switch shows what is.
                    enabled.update(|l| {
                        l.retain(|f| f != name);
                        if !on {
                            l.push(name.to_owned());
                        }
                    });
                    factor_message.set(Err(e.to_string()));
                }
            }
        });
    };
    let always = RwSignal::new(false);
    let policies = LocalResource::new(move || async move {
        let r = api::get::<Vec<String>>("guardian/policies").await;
        if let Ok(p) = &r {
            always.set(p.iter().any(|p| p == ALL_APPLICATIONS));
        }
        r
    });
    let policy_message = RwSignal::new(Ok(String::new()));
    let save_policy = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body: Vec<String> = if always.get_untracked() {
            vec![ALL_APPLICATIONS.to_owned()]
        } else {
            Vec::new()
        };
        policy_message.set(Ok(String::new()));
        leptos::task::spawn_local(async move {
            match api::put::<Vec<String>>("guardian/policies", &body).await {
                Ok(saved) => {
                    let on = saved.iter().any(|p| p == ALL_APPLICATIONS);
                    always.set(on);
                    policy_message.set(Ok(if on {
                        "Saved: every login to every application asks for a second step."
                    } else {
                        "Saved: no login asks for a second step."
                    }
                    .to_owned()));
                }
                Err(e) => {
                    policy_message.set(Err(e.to_string()));
                    policies.refetch();
                }
            }
        });
    };
    view! {
        <p>"A second step after the first one (a password or an emailed code), with a recovery code for a lost device. When the policy asks for it, users set up one of the factors that are on at their next login."</p>
        <h2 id="factors-title">"Factors"</h2>
        <Suspense fallback=|| view! { <p>"Loading factors…"</p> }>
            {move || factors.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(list) => {
                    let unavailable: Vec<String> = KNOWN_FACTORS
                        .iter()
                        .map(|n| (*n).to_owned())
                        .chain(list.into_iter().map(|f| f.name))
                        .filter(|n| !SUPPORTED_FACTORS.contains(&n.as_str()))
                        .fold(Vec::new(), |mut acc, n| {
                            if !acc.contains(&n) {
                                acc.push(n);
                            }
                            acc
                        });
                    view! {
                        <fieldset>
                            <legend>"Offered to users"</legend>
                            {SUPPORTED_FACTORS.iter().map(|name| {
                                let name: &'static str = name;
                                let hint_id = format!("factor-{name}-hint");
                                view! {
                                    <label class="check">
                                        <input type="checkbox" aria-describedby=hint_id.clone()
                                            prop:checked=move || enabled.get().iter().any(|f| f == name)
                                            on:change=move |ev| set_factor(name, event_target_checked(&ev)) />
                                        {factor_label(name)}
                                    </label>
                                    <p class="hint" id=hint_id>{factor_hint(name)}</p>
                                }
                            }).collect_view()}
                        </fieldset>
                        <Flash message=factor_message />
                        <h3>"Not available"</h3>
                        <p class="hint">"Auth0 offers these too; Tollgate does not offer them as a second factor yet, and the API refuses to turn them on."</p>
                        <ul class="unavailable">
                            {unavailable.into_iter().map(|n| view! {
                                <li>{factor_label(&n).to_owned()} " " <code>{n.clone()}</code> " — not available"</li>
                            }).collect_view()}
                        </ul>
                    }.into_any()
                }
            })}
        </Suspense>
        <h2>"Policy"</h2>
        <Suspense fallback=|| view! { <p>"Loading the policy…"</p> }>
            {move || policies.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(_) => view! {
                    <form class="settings" on:submit=save_policy>
                        <fieldset>
                            <legend>"Ask for a second step"</legend>
                            <label class="check">
                                <input type="radio" name="mfa-policy" value="never"
                                    prop:checked=move || !always.get() on:change=move |_| always.set(false) />
                                "Never"
                            </label>
                            <label class="check">
                                <input type="radio" name="mfa-policy" value=ALL_APPLICATIONS
                                    prop:checked=move || always.get() on:change=move |_| always.set(true) />
                                "Always, for every application"
                            </label>
                        </fieldset>
                        <p class="hint">"Console administrators are outside this policy: it applies to the tenant's users."</p>
                        {move || (always.get() && enabled.get().is_empty()).then(|| view! {
                            <p class="hint">"No factor is offered: until one is, no login asks for a second step."</p>
                        })}
                        <button type="submit" class="primary">"Save policy"</button>
                        <Flash message=policy_message />
                    </form>
                }.into_any(),
            })}
        </Suspense>
        <RememberSettings />
    }
}

/// "Remember this browser": on or off, and for how many days.
#[component]
fn RememberSettings() -> impl IntoView {
    let on = RwSignal::new(false);
    let days = RwSignal::new(String::from("30"));
    let saved = LocalResource::new(move || async move {
        let r = api::get::<RememberBrowser>("guardian/remember-browser").await;
        if let Ok(s) = &r {
            on.set(s.enabled);
            days.set(s.lifetime_days.to_string());
        }
        r
    });
    let message = RwSignal::new(Ok(String::new()));
    let save = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Ok(lifetime_days) = days.get_untracked().trim().parse::<u32>() else {
            message.set(Err(format!(
                "Days must be a number from 1 to {REMEMBER_BROWSER_MAX_DAYS}."
            )));
            return;
        };
        let body = RememberBrowser {
            enabled: on.get_untracked(),
            lifetime_days,
        };
        message.set(Ok(String::new()));
        leptos::task::spawn_local(async move {
            match api::put::<RememberBrowser>("guardian/remember-browser", &body).await {
                Ok(s) if s.enabled => message.set(Ok(format!(
                    "Saved: the second step offers to remember the browser for {} days.",
                    s.lifetime_days
                ))),
                Ok(_) => message.set(Ok("Saved: every login asks for the second step.".into())),
                Err(e) => {
                    message.set(Err(e.to_string()));
                    saved.refetch();
                }
            }
        });
    };
    view! {
        <h2>"Remember this browser"</h2>
        <Suspense fallback=|| view! { <p>"Loading…"</p> }>
            {move || saved.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(_) => view! {
                    <form class="settings" on:submit=save>
                        <label class="check">
                            <input type="checkbox" aria-describedby="remember-hint"
                                prop:checked=move || on.get() on:change=move |ev| on.set(event_target_checked(&ev)) />
                            "Offer “Remember this browser” on the second step"
                        </label>
                        <p class="hint" id="remember-hint">"A person who ticks it is not asked for the second step in that browser for the days below. Resetting a user's factors, or “Forget remembered browsers” on the user, asks again everywhere."</p>
                        <label for="remember-days">"Days"</label>
                        <input id="remember-days" type="number" min="1" max=REMEMBER_BROWSER_MAX_DAYS.to_string() required
                            prop:value=move || days.get() on:input=move |ev| days.set(event_target_value(&ev)) />
                        <button type="submit" class="primary">"Save"</button>
                        <Flash message=message />
                    </form>
                }.into_any(),
            })}
        </Suspense>
    }
}
