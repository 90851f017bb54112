//! Buttons for the client's social and enterprise connections. Plain links styled as buttons:
//! reachable with Tab, operable with Enter, and the destination is visible before following it.

use crate::events::object;
use leptos::prelude::*;
use shared::password::FormatArg;

use crate::context::use_widget;
use crate::flow::social_url;

/// One button per social connection.
#[component]
pub fn SocialButtons() -> impl IntoView {
    let ctx = use_widget();
    let buttons = ctx
        .social
        .iter()
        .map(|c| {
            let label = ctx.tf("socialLoginButton", &[FormatArg::Str(c.display_name())]);
            let (ctx, name) = (ctx.clone(), c.name.clone());
            view! {
                <a class="tg-social" href=social_url(&ctx, &c.name) data-strategy=c.strategy.clone()
                    data-connection=c.name.clone()
                    on:click=move |_| ctx.emit("federated login", &object(&[("name", &name), ("strategy", "social")]))>
                    {label}
                </a>
            }
        })
        .collect_view();
    view! { <div class="tg-socials">{buttons}</div> }
}
