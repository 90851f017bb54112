//! Migration: how the user base was provisioned — signed up, migrated lazily at a login, imported
//! in bulk, social, passwordless — per day, and logins per day. When lazy migrations dwindle while logins go on,
//! the active users have moved and a final bulk import can bring the rest.

use leptos::prelude::*;
use shared::management::stats::{DailyStats, Provisioning, ProvisioningCounts, ProvisioningDay};

use crate::api;

/// How a count is read from the figures.
type Count = fn(&ProvisioningCounts) -> i64;

const KINDS: [(Count, &str, &str); 5] = [
    (|c| c.signed_up, "Signed up", "k-signup"),
    (|c| c.migrated, "Migrated at login", "k-migrated"),
    (|c| c.imported, "Imported in bulk", "k-imported"),
    (|c| c.social, "Social", "k-social"),
    (|c| c.passwordless, "Passwordless", "k-passwordless"),
];

/// The day part of an ISO date.
fn day(d: &ProvisioningDay) -> String {
    d.date.get(..10).unwrap_or_default().to_owned()
}

/// Stacked bars of new users per day by kind, with the same data as a table.
#[component]
fn ProvisioningChart(
    /// `stats/provisioning`'s `days`.
    days: Vec<ProvisioningDay>,
) -> impl IntoView {
    let max = days.iter().map(|d| d.counts().sum()).max().unwrap_or(0).max(1);
    let (w, h, bar) = (620.0, 180.0, 620.0 / days.len().max(1) as f64);
    let bars = days.iter().enumerate().map(|(i, d)| {
        let mut y = h;
        let counts = d.counts();
        KINDS.iter().map(|(count, label, class)| {
            let n = count(&counts);
            let height = n as f64 / max as f64 * (h - 10.0);
            y -= height;
            let date = day(d);
            view! { <rect class=*class x=format!("{:.1}", i as f64 * bar + 1.0) y=format!("{y:.1}") width=format!("{:.1}", (bar - 2.0).max(1.0))
                height=format!("{height:.1}")><title>{format!("{date}: {n} {label}")}</title></rect> }
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
    let provisioning = LocalResource::new(|| async { api::get::<Provisioning>("stats/provisioning").await });
    let daily = LocalResource::new(|| async { api::get::<Vec<DailyStats>>("stats/daily").await });
    view! {
        <Suspense fallback=|| view! { <p>"Loading statistics…"</p> }>
            {move || provisioning.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let total = v.total;
                    let days = v.days;
                    let all = total.sum();
                    view! {
                        <h2>"How the user base was provisioned"</h2>
                        <dl class="totals">
                            {KINDS.iter().map(|(count, label, _)| {
                                let n = count(&total);
                                let share = if all == 0 { 0 } else { n * 100 / all };
                                view! { <div><dt>{*label}</dt><dd>{format!("{n} ({share}%)")}</dd></div> }
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
                                    {days.into_iter().rev().map(|d| {
                                        let counts = d.counts();
                                        view! {
                                            <tr><th scope="row">{day(&d)}</th>
                                                {KINDS.iter().map(|(count, _, _)| view! { <td>{count(&counts)}</td> }).collect_view()}</tr>
                                        }
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
                    let days = v;
                    let max = days.iter().map(|d| d.logins).max().unwrap_or(0).max(1);
                    let step = 620.0 / days.len().max(1) as f64;
                    let points: Vec<String> = days.iter().enumerate()
                        .map(|(i, d)| format!("{:.1},{:.1}", i as f64 * step + step / 2.0, 170.0 - d.logins as f64 / max as f64 * 160.0))
                        .collect();
                    let logins: i64 = days.iter().map(|d| d.logins).sum();
                    let signups: i64 = days.iter().map(|d| d.signups).sum();
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
