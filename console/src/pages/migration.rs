//! Migration: how the user base was provisioned — signed up, migrated lazily at a login, imported
//! in bulk, social — per day, and logins per day. When lazy migrations dwindle while logins go on,
//! the active users have moved and a final bulk import can bring the rest.

use leptos::prelude::*;
use serde_json::Value;

use crate::api;

const KINDS: [(&str, &str, &str); 4] = [
    ("signed_up", "Signed up", "k-signup"),
    ("migrated", "Migrated at login", "k-migrated"),
    ("imported", "Imported in bulk", "k-imported"),
    ("social", "Social", "k-social"),
];

fn n(v: &Value, k: &str) -> i64 {
    v[k].as_i64().unwrap_or(0)
}

/// Stacked bars of new users per day by kind, with the same data as a table.
#[component]
fn ProvisioningChart(
    /// `stats/provisioning`'s `days`.
    days: Vec<Value>,
) -> impl IntoView {
    let max = days
        .iter()
        .map(|d| KINDS.iter().map(|(k, _, _)| n(d, k)).sum::<i64>())
        .max()
        .unwrap_or(0)
        .max(1);
    let (w, h, bar) = (620.0, 180.0, 620.0 / days.len().max(1) as f64);
    let bars = days.iter().enumerate().map(|(i, d)| {
        let mut y = h;
        KINDS.iter().map(|(k, label, class)| {
            let height = n(d, k) as f64 / max as f64 * (h - 10.0);
            y -= height;
            let date = d["date"].as_str().unwrap_or_default().get(..10).unwrap_or_default().to_owned();
            view! { <rect class=*class x=format!("{:.1}", i as f64 * bar + 1.0) y=format!("{y:.1}") width=format!("{:.1}", (bar - 2.0).max(1.0))
                height=format!("{height:.1}")><title>{format!("{date}: {} {label}", n(d, k))}</title></rect> }
        }).collect_view()
    }).collect_view();
    view! {
        <figure>
            <svg viewBox=format!("0 0 {w} {h}") role="img" aria-labelledby="prov-caption" class="chart">{bars}</svg>
            <figcaption id="prov-caption">"New users per day over the last 30 days, by how they came"</figcaption>
            <ul class="legend">
                {KINDS.iter().map(|(_, label, class)| view! { <li><span class=format!("swatch {class}") aria-hidden="true"></span>{*label}</li> }).collect_view()}
            </ul>
        </figure>
    }
}

/// The Migration page.
#[component]
pub fn Migration() -> impl IntoView {
    let provisioning = LocalResource::new(|| async { api::get("stats/provisioning").await });
    let daily = LocalResource::new(|| async { api::get("stats/daily").await });
    view! {
        <Suspense fallback=|| view! { <p>"Loading statistics…"</p> }>
            {move || provisioning.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let total = v["total"].clone();
                    let days = v["days"].as_array().cloned().unwrap_or_default();
                    let all: i64 = KINDS.iter().map(|(k, _, _)| n(&total, k)).sum();
                    view! {
                        <h2>"How the user base was provisioned"</h2>
                        <dl class="totals">
                            {KINDS.iter().map(|(k, label, _)| {
                                let share = if all == 0 { 0 } else { n(&total, k) * 100 / all };
                                view! { <div><dt>{*label}</dt><dd>{format!("{} ({share}%)", n(&total, k))}</dd></div> }
                            }).collect_view()}
                        </dl>
                        <ProvisioningChart days=days.clone() />
                        <details>
                            <summary>"The numbers per day"</summary>
                            <table class="list">
                                <caption class="sr">"New users per day"</caption>
                                <thead><tr><th scope="col">"Day"</th>
                                    {KINDS.iter().map(|(_, label, _)| view! { <th scope="col">{*label}</th> }).collect_view()}</tr></thead>
                                <tbody>
                                    {days.into_iter().rev().map(|d| view! {
                                        <tr><th scope="row">{d["date"].as_str().unwrap_or_default().get(..10).unwrap_or_default().to_owned()}</th>
                                            {KINDS.iter().map(|(k, _, _)| view! { <td>{n(&d, k)}</td> }).collect_view()}</tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </details>
                    }.into_any()
                }
            })}
        </Suspense>
        <h2>"Logins and sign-ups per day"</h2>
        <Suspense fallback=|| ()>
            {move || daily.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let days = v.as_array().cloned().unwrap_or_default();
                    let max = days.iter().map(|d| n(d, "logins")).max().unwrap_or(0).max(1);
                    let step = 620.0 / days.len().max(1) as f64;
                    let points: Vec<String> = days.iter().enumerate()
                        .map(|(i, d)| format!("{:.1},{:.1}", i as f64 * step + step / 2.0, 170.0 - n(d, "logins") as f64 / max as f64 * 160.0))
                        .collect();
                    let logins: i64 = days.iter().map(|d| n(d, "logins")).sum();
                    let signups: i64 = days.iter().map(|d| n(d, "signups")).sum();
                    view! {
                        <figure>
                            <svg viewBox="0 0 620 180" role="img" aria-labelledby="logins-caption" class="chart">
                                <polyline class="line" points=points.join(" ") fill="none" />
                            </svg>
                            <figcaption id="logins-caption">{format!("Logins per day over the last 30 days: {logins} logins, {signups} sign-ups in all")}</figcaption>
                        </figure>
                    }.into_any()
                }
            })}
        </Suspense>
    }
}
