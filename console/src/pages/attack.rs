//! Attack protection: identifiers blocked by brute-force protection and IPs throttled for failed
//! logins, each with an unblock button.

use leptos::prelude::*;
use serde_json::Value;

use super::{when, Flash};
use crate::api::{self, enc, s};

/// The Attack protection page.
#[component]
pub fn AttackProtection() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let message = RwSignal::new(Ok(String::new()));
    let blocks = LocalResource::new(move || {
        changed.get();
        async { api::get("attack-protection/blocks").await }
    });
    let unblock = move |b: Value| {
        leptos::task::spawn_local(async move {
            let value = s(&b, "value").to_owned();
            let r = if s(&b, "kind") == "ip" {
                api::delete(&format!("anomaly/blocks/ips/{}", enc(&value))).await
            } else {
                api::delete(&format!("user-blocks?identifier={}", enc(&value))).await
            };
            message.set(r.map(|_| format!("{value} is unblocked.")).map_err(|e| e.to_string()));
            changed.update(|v| *v += 1);
        });
    };
    view! {
        <p>"Brute-force protection blocks an identifier after 10 failed logins; an IP with 100 failed logins in a day is throttled. Both lift by themselves with time, at a password reset, or here."</p>
        <Flash message />
        <Suspense fallback=|| view! { <p>"Loading blocks…"</p> }>
            {move || blocks.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let list = v["blocks"].as_array().cloned().unwrap_or_default();
                    if list.is_empty() {
                        return view! { <p role="status">"Nothing is blocked."</p> }.into_any();
                    }
                    view! {
                        <table class="list">
                            <caption class="sr">"Blocked identifiers and IPs"</caption>
                            <thead><tr><th scope="col">"Blocked"</th><th scope="col">"Kind"</th><th scope="col">"Failures"</th>
                                <th scope="col">"Last failure"</th><th scope="col">"Action"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|b| {
                                    let last = b["last_at"].as_f64().map(|ms| js_sys::Date::new(&ms.into()).to_iso_string().as_string().unwrap_or_default());
                                    let label = format!("Unblock {}", s(&b, "value"));
                                    let b2 = b.clone();
                                    view! { <tr>
                                        <td>{s(&b, "value").to_owned()}</td>
                                        <td>{if s(&b, "kind") == "ip" { "IP address" } else { "Identifier" }}</td>
                                        <td>{b["count"].as_i64().unwrap_or(0)}</td>
                                        <td>{when(&serde_json::json!(last))}</td>
                                        <td><button type="button" aria-label=label on:click=move |_| unblock(b2.clone())>"Unblock"</button></td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}
