//! Members (owners only): the team that operates the tenant — invite by email, change a role,
//! remove, lift a member's brute-force block. The API refuses the last owner's demotion or removal;
//! the page says so. Non-owners see the API's refusal.

use leptos::prelude::*;
use shared::management::members::{InviteMember, Member, Role, UpdateMember};

use super::{when, Flash, ListTable, Listing};
use crate::api::{self, enc};

const ROLES: [(Role, &str); 3] = [(Role::Owner, "Owner"), (Role::Admin, "Admin"), (Role::Viewer, "Viewer")];

fn role_of(value: &str) -> Role {
    Role::parse(value).unwrap_or(Role::Viewer)
}

/// The Members page.
#[component]
pub fn Members() -> impl IntoView {
    let members = Listing::<Member>::new("members");
    let message = members.message;
    let email = RwSignal::new(String::new());
    let role = RwSignal::new("admin".to_owned());
    let invite = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let body = InviteMember {
            email: email.get_untracked().trim().to_owned(),
            role: role_of(&role.get_untracked()),
        };
        leptos::task::spawn_local(async move {
            let r = api::post::<Member>("members", &body).await;
            if r.is_ok() {
                email.set(String::new());
            }
            members.done(r.map(|m| {
                format!(
                    "{} is invited: the invitation link is on its way (it works once, for 7 days).",
                    m.email
                )
            }));
        });
    };
    let set_role = move |m: Member, value: String| {
        leptos::task::spawn_local(async move {
            let body = UpdateMember { role: role_of(&value) };
            let r = api::patch::<Member>(&format!("members/{}", enc(&m.user_id)), &body).await;
            members.done(r.map(|m| format!("{} is now {}.", m.email, m.role.as_str())));
        });
    };
    let remove = move |m: Member| {
        let ok = web_sys::window()
            .and_then(|w| {
                w.confirm_with_message(&format!(
                    "Remove {} from the team? Their account and sessions end.",
                    m.email
                ))
                .ok()
            })
            .unwrap_or(false);
        if !ok {
            return;
        }
        leptos::task::spawn_local(async move {
            let r = api::delete(&format!("members/{}", enc(&m.user_id))).await;
            members.done(r.map(|_| format!("{} is removed.", m.email)));
        });
    };
    let unblock = move |m: Member| {
        leptos::task::spawn_local(async move {
            let r = api::delete(&format!("members/{}/blocks", enc(&m.user_id))).await;
            members.done(r.map(|_| format!("{} may sign in again.", m.email)));
        });
    };
    view! {
        <p>"The people who operate this tenant. Owners manage the team; admins operate everything else; viewers read. The last owner stays an owner."</p>
        <Flash message />
        <form class="search" on:submit=invite>
            <label for="invite-email">"Invite by email"</label>
            <input id="invite-email" type="email" required autocomplete="off"
                prop:value=email on:input=move |ev| email.set(event_target_value(&ev)) />
            <label for="invite-role">"Role"</label>
            <select id="invite-role" prop:value=role on:change=move |ev| role.set(event_target_value(&ev))>
                {ROLES.iter().map(|(r, label)| view! { <option value=r.as_str() selected=*r == Role::Admin>{*label}</option> }).collect_view()}
            </select>
            <button type="submit" class="primary">"Invite"</button>
        </form>
        <ListTable items=members.items caption="Members"
            headers=&["Email", "Role", "Status", "Last sign-in", "Actions"]
            row=move |m: Member| {
                let status = if m.pending { "Invited" } else if m.blocked { "Blocked" } else { "Active" };
                let select_id = format!("role-{}", m.user_id);
                let role_label = format!("Role of {}", m.email);
                let (m_role, m_remove, m_unblock) = (m.clone(), m.clone(), m.clone());
                let current = m.role;
                view! { <tr>
                    <td>{m.email.clone()}</td>
                    <td>
                        <label class="sr" for=select_id.clone()>{role_label}</label>
                        <select id=select_id on:change=move |ev| set_role(m_role.clone(), event_target_value(&ev))>
                            {ROLES.iter().map(|(r, label)| view! { <option value=r.as_str() selected=*r == current>{*label}</option> }).collect_view()}
                        </select>
                    </td>
                    <td>{status}</td>
                    <td>{when(m.last_login.as_deref())}</td>
                    <td>
                        {m.blocked.then(|| view! {
                            <button type="button" aria-label=format!("Unblock {}", m.email) on:click=move |_| unblock(m_unblock.clone())>"Unblock"</button>
                        })}
                        <button type="button" class="danger" aria-label=format!("Remove {}", m.email)
                            on:click=move |_| remove(m_remove.clone())>"Remove"</button>
                    </td>
                </tr> }
            } />
    }
}
