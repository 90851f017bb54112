//! Users: search (`q` in the v3 syntax, or plain text), results with paging, one user's profile,
//! identities and sign-in methods (a passkey or a second factor deleted, every second factor reset;
//! confirmed first), block/unblock, delete (confirmed), reset and verification mail, brute-force
//! blocks lifted; the user's events in a Logs tab (`pages::logs::UserLogs`).

use leptos::prelude::*;
use shared::management::authentication_methods::AuthenticationMethod;
use shared::management::jobs::{Job, VerificationEmail};
use shared::management::tickets::{PasswordChangeTicket, Ticket};
use shared::management::users::{UpdateUser, User, UsersPage};

use super::{when, ConfirmDelete, Flash};
use crate::api::{self, enc};

const PER_PAGE: i64 = 20;

/// What the search box means: a query as typed when it names a field, else an email (exact, or
/// its start) or a name's start.
fn query_of(text: &str) -> String {
    let t = text.trim();
    if t.is_empty() || t.contains(':') {
        t.to_owned()
    } else if t.contains('@') {
        format!("email:\"{t}\"")
    } else if t.chars().count() >= 3 {
        format!("name:\"{t}\"*")
    } else {
        t.to_owned()
    }
}

/// The Users page.
#[component]
pub fn Users() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let query = RwSignal::new(String::new());
    let page = RwSignal::new(0i64);
    let selected = RwSignal::new(None::<String>);
    let message = RwSignal::new(Ok(String::new()));
    let changed = RwSignal::new(0u32);
    let results = LocalResource::new(move || {
        let (q, p, _) = (query.get(), page.get(), changed.get());
        async move {
            let mut path = format!("users?search_engine=v3&include_totals=true&per_page={PER_PAGE}&page={p}");
            if !q.is_empty() {
                path.push_str(&format!("&q={}", enc(&q)));
            }
            api::get::<UsersPage>(&path).await
        }
    });
    let search = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        page.set(0);
        selected.set(None);
        query.set(query_of(&text.get_untracked()));
    };
    view! {
        <form class="search" role="search" on:submit=search>
            <label for="user-search">"Search users"</label>
            <input id="user-search" type="search" placeholder="email, name, or email:ada* name:\"Ada L\"*"
                prop:value=text on:input=move |ev| text.set(event_target_value(&ev)) />
            <button type="submit" class="primary">"Search"</button>
        </form>
        <Flash message />
        <Suspense fallback=|| view! { <p>"Searching…"</p> }>
            {move || results.get().map(|r| match r {
                Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                Ok(v) => {
                    let total = v.total;
                    let users = v.users;
                    let p = page.get_untracked();
                    let last = (p + 1) * PER_PAGE >= total;
                    view! {
                        <p class="count" role="status">{format!("{total} users")}</p>
                        <table class="list">
                            <caption class="sr">"Users found"</caption>
                            <thead><tr><th scope="col">"Email"</th><th scope="col">"Name"</th><th scope="col">"Connection"</th>
                                <th scope="col">"Logins"</th><th scope="col">"Last login"</th><th scope="col">"Status"</th></tr></thead>
                            <tbody>
                                {users.into_iter().map(|u| {
                                    let id = u.user_id.clone();
                                    let conn = u.connection().to_owned();
                                    view! {
                                        <tr>
                                            <td><button type="button" class="link" on:click=move |_| selected.set(Some(id.clone()))>
                                                {u.email().to_owned()}</button></td>
                                            <td>{u.name.clone().unwrap_or_default()}</td>
                                            <td>{conn}</td>
                                            <td>{u.logins_count.unwrap_or(0)}</td>
                                            <td>{when(u.last_login.as_deref())}</td>
                                            <td>{if u.blocked == Some(true) { "Blocked" } else { "Active" }}</td>
                                        </tr>
                                    }
                                }).collect_view()}
                            </tbody>
                        </table>
                        <nav class="pager" aria-label="Result pages">
                            <button type="button" disabled=p == 0 on:click=move |_| page.update(|p| *p -= 1)>"Previous page"</button>
                            <span>{format!("Page {} of {}", p + 1, ((total + PER_PAGE - 1) / PER_PAGE).max(1))}</span>
                            <button type="button" disabled=last on:click=move |_| page.update(|p| *p += 1)>"Next page"</button>
                        </nav>
                    }.into_any()
                }
            })}
        </Suspense>
        {move || selected.get().map(|id| view! { <UserDetail id message changed /> })}
    }
}

/// What an operator does to a user.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Act {
    Block(bool),
    LiftBlocks,
    ResetLink,
    Verify,
    Delete,
}

async fn perform(id: String, act: Act) -> Result<String, String> {
    let path = format!("users/{}", enc(&id));
    let r = match act {
        Act::Block(block) => {
            let body = UpdateUser {
                blocked: Some(block),
                ..UpdateUser::default()
            };
            api::patch::<api::Done>(&path, &body).await.map(|_| {
                if block {
                    "The user is blocked."
                } else {
                    "The user is unblocked."
                }
                .to_owned()
            })
        }
        Act::LiftBlocks => api::delete(&format!("user-blocks/{}", enc(&id)))
            .await
            .map(|_| "Brute-force blocks on this user's identifiers are lifted.".to_owned()),
        Act::ResetLink => {
            let body = PasswordChangeTicket {
                user_id: Some(id),
                send_email: Some(true),
                ..PasswordChangeTicket::default()
            };
            api::post::<Ticket>("tickets/password-change", &body)
                .await
                .map(|t| format!("A password reset email is on its way (the link: {}).", t.ticket))
        }
        Act::Verify => {
            let body = VerificationEmail {
                user_id: id,
                ..VerificationEmail::default()
            };
            api::post::<Job>("jobs/verification-email", &body)
                .await
                .map(|_| "A verification email is on its way.".to_owned())
        }
        Act::Delete => api::delete(&path).await.map(|_| "The user is deleted.".to_owned()),
    };
    r.map_err(|e| e.to_string())
}

/// One user: profile, identities and what an operator may do with them.
#[component]
fn UserDetail(
    /// The user id (`auth0|…`).
    id: String,
    /// Where results are reported.
    message: RwSignal<Result<String, String>>,
    /// Bumped after a change (the list refreshes).
    changed: RwSignal<u32>,
) -> impl IntoView {
    let path = format!("users/{}", enc(&id));
    let user = LocalResource::new(move || {
        let path = path.clone();
        async move { api::get::<User>(&path).await }
    });
    let confirm_delete = RwSignal::new(false);
    // The Logs tab (`users/{id}/logs`) instead of the profile.
    let logs_tab = RwSignal::new(false);
    let run = move |id: String, act: Act| {
        leptos::task::spawn_local(async move {
            message.set(perform(id, act).await);
            user.refetch();
            changed.update(|v| *v += 1);
        });
    };
    view! {
        <section class="detail" aria-labelledby="user-detail-title">
            <Suspense fallback=|| view! { <p>"Loading the user…"</p> }>
                {move || user.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(u) => {
                        let blocked = u.blocked == Some(true);
                        let id = u.user_id.clone();
                        let user_id = u.user_id.clone();
                        let button = move |label: &'static str, act: Act, class: &'static str| {
                            let id = id.clone();
                            view! { <button type="button" class=class on:click=move |_| run(id.clone(), act)>{label}</button> }
                        };
                        view! {
                            <h2 id="user-detail-title">{u.email().to_owned()}</h2>
                            <div role="tablist" aria-label="User" class="tabs">
                                <button type="button" role="tab" id="user-tab-profile" aria-controls="user-panel-profile"
                                    aria-selected=move || (!logs_tab.get()).to_string() on:click=move |_| logs_tab.set(false)>"Profile"</button>
                                <button type="button" role="tab" id="user-tab-logs" aria-controls="user-panel-logs"
                                    aria-selected=move || logs_tab.get().to_string() on:click=move |_| logs_tab.set(true)>"Logs"</button>
                            </div>
                            <div role="tabpanel" id="user-panel-logs" aria-labelledby="user-tab-logs" hidden=move || !logs_tab.get()>
                                {move || logs_tab.get().then(|| view! { <super::logs::UserLogs id=user_id.clone() /> })}
                            </div>
                            <div role="tabpanel" id="user-panel-profile" aria-labelledby="user-tab-profile" hidden=move || logs_tab.get()>
                            <dl class="profile">
                                <dt>"User id"</dt><dd><code>{u.user_id.clone()}</code></dd>
                                <dt>"Name"</dt><dd>{u.name.clone().unwrap_or_default()}</dd>
                                <dt>"Email verified"</dt><dd>{if u.email_verified == Some(true) { "Yes" } else { "No" }}</dd>
                                <dt>"Created"</dt><dd>{when(Some(&u.created_at))}</dd>
                                <dt>"Last login"</dt><dd>{when(u.last_login.as_deref())}</dd>
                                <dt>"Logins"</dt><dd>{u.logins_count.unwrap_or(0)}</dd>
                                <dt>"Status"</dt><dd>{if blocked { "Blocked" } else { "Active" }}</dd>
                            </dl>
                            <h3>"Identities"</h3>
                            <ul class="identities">
                                {u.identities.iter().map(|i| view! {
                                    <li>{format!("{} · {} · {}", i.connection, i.provider, i.user_id)}</li>
                                }).collect_view()}
                            </ul>
                            <Methods id=u.user_id.clone() connection=u.connection().to_owned()
                                database=u.identities.first().is_some_and(|i| i.provider == "auth0") />
                            <div class="actions">
                                {button(if blocked { "Unblock" } else { "Block" }, Act::Block(!blocked), "")}
                                {button("Lift brute-force blocks", Act::LiftBlocks, "")}
                                {button("Send password reset email", Act::ResetLink, "")}
                                {button("Send verification email", Act::Verify, "")}
                                <Show when=move || confirm_delete.get()
                                    fallback=move || view! { <button type="button" class="danger" on:click=move |_| confirm_delete.set(true)>"Delete user…"</button> }>
                                    <span class="confirm" role="group" aria-label="Confirm deletion">
                                        "Delete this user for good? "
                                        {button("Yes, delete", Act::Delete, "danger")}
                                        <button type="button" on:click=move |_| confirm_delete.set(false)>"Cancel"</button>
                                    </span>
                                </Show>
                            </div>
                            </div>
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}

/// What a passkey is, for people: synced (a password manager's or a platform's account) or bound
/// to one device, and whether it is backed up.
fn device_text(m: &AuthenticationMethod) -> String {
    let kind = match m.credential_device_type.as_deref() {
        Some("multi_device") => "Synced across devices",
        Some("single_device") => "One device only",
        Some(other) => other,
        None => return "—".into(),
    };
    match m.credential_backed_up {
        Some(true) => format!("{kind}, backed up"),
        Some(false) => format!("{kind}, not backed up"),
        None => kind.to_owned(),
    }
}

/// A second factor's kind (`totp`, `email`, `recovery-code`), for people; `None` for the others.
fn factor_name(kind: &str) -> Option<&'static str> {
    match kind {
        "totp" => Some("Authenticator app"),
        "email" => Some("Codes by email"),
        "recovery-code" => Some("Recovery code"),
        _ => None,
    }
}

/// A user's ways in (`GET users/{id}/authentication-methods`): the password, each passkey and each
/// second factor. A passkey can be deleted (confirmed first); the edge then ends the user's
/// sessions. A second factor can be deleted, or all of them at once ("Reset MFA", `DELETE
/// users/{id}/authenticators`): the user sets one up again at their next login; "Forget remembered
/// browsers" (`POST users/{id}/multifactor/actions/invalidate-remember-browser`) asks for it again
/// in browsers the user had remembered. A password is not deleted: a reset replaces it.
#[component]
fn Methods(
    /// The user id (`auth0|…`).
    id: String,
    /// The user's connection.
    connection: String,
    /// A database connection's user (who could have a password or passkeys).
    database: bool,
) -> impl IntoView {
    let path = StoredValue::new(format!("users/{}/authentication-methods", enc(&id)));
    let reset_path = StoredValue::new(format!("users/{}/authenticators", enc(&id)));
    let methods = LocalResource::new(move || {
        let path = path.get_value();
        async move { api::get::<Vec<AuthenticationMethod>>(&path).await }
    });
    let message = RwSignal::new(Ok(String::new()));
    let confirm_reset = RwSignal::new(false);
    // Deletes one method (`done`: what to say once it is gone).
    let delete = move |method: String, done: &'static str| {
        let target = format!("{}/{}", path.get_value(), enc(&method));
        leptos::task::spawn_local(async move {
            let r = api::delete(&target).await;
            message.set(r.map(|_| done.to_owned()).map_err(|e| e.to_string()));
            methods.refetch();
        });
    };
    let reset = move |_| {
        let target = reset_path.get_value();
        leptos::task::spawn_local(async move {
            let r = api::delete(&target).await;
            confirm_reset.set(false);
            message.set(
                r.map(|_| "MFA is reset: the user sets up their second step again at their next login.".to_owned())
                    .map_err(|e| e.to_string()),
            );
            methods.refetch();
        });
    };
    // Every browser the user asked to be remembered asks for the second step again.
    let forget_path = StoredValue::new(format!(
        "users/{}/multifactor/actions/invalidate-remember-browser",
        enc(&id)
    ));
    let forget = move |_| {
        let target = forget_path.get_value();
        leptos::task::spawn_local(async move {
            let r = api::post::<api::Done>(&target, &serde_json::json!({})).await;
            message.set(
                r.map(|_| {
                    "Remembered browsers are forgotten: each asks for the second step at its next login.".to_owned()
                })
                .map_err(|e| e.to_string()),
            );
        });
    };
    view! {
        <section aria-labelledby="methods-title">
            <h3 id="methods-title">"Sign-in methods"</h3>
            <Flash message />
            <Suspense fallback=|| view! { <p>"Loading sign-in methods…"</p> }>
                {move || methods.get().map(|r| match r {
                    Err(e) => view! { <p class="error" role="alert">{e.to_string()}</p> }.into_any(),
                    Ok(list) if list.is_empty() => view! {
                        <p class="hint">{if database {
                            "No password and no passkey: this user cannot sign in until they set a password with a reset email.".to_owned()
                        } else {
                            format!("No password and no passkey: this user signs in with {connection}.")
                        }}</p>
                    }.into_any(),
                    Ok(list) => {
                        let has_factors = list.iter().any(|m| factor_name(&m.kind).is_some());
                        view! {
                        <table class="list methods">
                            <caption class="sr">"Sign-in methods"</caption>
                            <thead><tr><th scope="col">"Type"</th><th scope="col">"Name"</th><th scope="col">"Added"</th>
                                <th scope="col">"Last used"</th><th scope="col">"Device"</th><th scope="col">"Actions"</th></tr></thead>
                            <tbody>
                                {list.into_iter().map(|m| {
                                    let device = device_text(&m);
                                    let action = match m.kind.as_str() {
                                        "passkey" => {
                                            let yes = m.id.clone();
                                            let label = m.name.clone().unwrap_or_else(|| "Passkey".into());
                                            view! {
                                                <ConfirmDelete label=format!("Delete {label}…") noun="passkey"
                                                    question="Delete this passkey? The user is signed out everywhere. "
                                                    on_ask=Callback::new(move |_| message.set(Ok(String::new())))
                                                    on_yes=Callback::new(move |_| delete(yes.clone(), "The passkey is deleted and the user is signed out everywhere.")) />
                                            }.into_any()
                                        }
                                        "password" => view! { <span class="hint">"A password reset replaces it"</span> }.into_any(),
                                        kind => match factor_name(kind) {
                                            Some(label) => {
                                                let yes = m.id.clone();
                                                view! {
                                                    <ConfirmDelete label=format!("Delete {label}…") noun="factor"
                                                        question=format!("Delete this {}? ", label.to_lowercase())
                                                        on_ask=Callback::new(move |_| message.set(Ok(String::new())))
                                                        on_yes=Callback::new(move |_| delete(yes.clone(), "The factor is deleted.")) />
                                                }.into_any()
                                            }
                                            None => ().into_any(),
                                        },
                                    };
                                    let name = m.name.clone().or_else(|| factor_name(&m.kind).map(str::to_owned));
                                    view! { <tr>
                                        <td>{m.kind.clone()}</td>
                                        <td>{name.unwrap_or_else(|| "—".into())}</td>
                                        <td>{when(m.created_at.as_deref())}</td>
                                        <td>{when(m.last_auth_at.as_deref())}</td>
                                        <td>{device}</td>
                                        <td>{action}</td>
                                    </tr> }
                                }).collect_view()}
                            </tbody>
                        </table>
                        {has_factors.then(|| view! {
                            <div class="actions">
                                <Show when=move || confirm_reset.get()
                                    fallback=move || view! { <button type="button" class="danger"
                                        on:click=move |_| { message.set(Ok(String::new())); confirm_reset.set(true) }>"Reset MFA…"</button> }>
                                    <span class="confirm" role="group" aria-label="Confirm MFA reset">
                                        "Remove every second factor? The user sets up their second step again at their next login. "
                                        <button type="button" class="danger" on:click=reset>"Yes, reset MFA"</button>
                                        <button type="button" on:click=move |_| confirm_reset.set(false)>"Cancel"</button>
                                    </span>
                                </Show>
                                <button type="button" on:click=forget>"Forget remembered browsers"</button>
                            </div>
                        })}
                        }.into_any()
                    }
                })}
            </Suspense>
        </section>
    }
}
