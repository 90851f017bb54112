//! Buttons for the client's social and enterprise connections. Plain links styled as buttons:
//! reachable with Tab, operable with Enter, and the destination is visible before following it.

use shared::password::FormatArg;
use web_sys::Node;

use crate::context::use_widget;
use crate::dom::el;
use crate::flow::social_url;

/// One button per social connection.
pub fn social_buttons() -> Node {
    let ctx = use_widget();
    let buttons = ctx
        .social
        .iter()
        .map(|c| {
            let label = ctx.tf("socialLoginButton", &[FormatArg::Str(c.display_name())]);
            let (ctx, name) = (ctx.clone(), c.name.clone());
            el("a")
                .attr("class", "tg-social")
                .attr("href", &social_url(&ctx, &c.name))
                .attr("data-strategy", &c.strategy)
                .attr("data-connection", &c.name)
                .on("click", move |_| {
                    ctx.emit(
                        "federated login",
                        &crate::obj! {"name" => &name, "strategy" => "social"},
                    )
                })
                .text(&label)
                .node()
        })
        .collect();
    el("div").attr("class", "tg-socials").children(buttons).node()
}
