//! Attack protection: identifiers blocked by brute-force protection and IPs throttled for failed
//! logins, each with an unblock button.

use leptos::prelude::*;
use shared::management::blocks::{Block, BlockKind, Blocks};

use super::{when, Flash};
use crate::api::{self, enc};

/// The Attack protection page.
#[component]
pub fn AttackProtection() -> impl IntoView {
    let changed = RwSignal::new(0u32);
    let message = RwSignal::new(Ok(String::new()));
    let blocks = LocalResource::new(move || {
        changed.get();
        async { api::get::<Blocks>("attack-protection/blocks").await }
    });
    let unblock = move |b: Block| {
        leptos::task::spawn_local(async move {
            let value = b.value;
            let r = if b.kind == BlockKind::Ip {
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
                    let list = v.blocks;
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
                                    let last = js_sys::Date::new(&(b.last_at as f64).into()).to_iso_string().as_string();
                                    let label = format!("Unblock {}", b.value);
                                    let b2 = b.clone();
                                    view! { <tr>
                                        <td>{b.value.clone()}</td>
                                        <td>{if b.kind == BlockKind::Ip { "IP address" } else { "Identifier" }}</td>
                                        <td>{b.count}</td>
                                        <td>{when(last.as_deref())}</td>
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
