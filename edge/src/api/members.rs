//! `/api/v2/members`: the tenant's members, managed by its owners only (`core::management::members`;
//! the caller must be an owner signed in to the console and hold the owner-only scope of the
//! route — no client grant reaches these routes). Errors in the Management API's shape; a known
//! path with another method is a 405 with `Allow`.

use shared::management::members::{InviteMember, UpdateMember};

use super::errors::WebError;
use super::http::{Request, Response};
use super::management::{body, matches};
use super::App;
use crate::core::management::access::{self, Principal};
use crate::core::management::members;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    List,
    Invite,
    Get,
    Update,
    Remove,
    Unblock,
}

/// The routes: method, path under `/api/v2/` (`{id}` is one segment), the owner-only scope, op.
const ROUTES: &[(&str, &str, &str, Op)] = &[
    ("GET", "members", "read:members", Op::List),
    ("POST", "members", "create:members", Op::Invite),
    ("GET", "members/{id}", "read:members", Op::Get),
    ("PATCH", "members/{id}", "update:members", Op::Update),
    ("DELETE", "members/{id}", "delete:members", Op::Remove),
    ("DELETE", "members/{id}/blocks", "update:members", Op::Unblock),
];

impl App<'_> {
    /// Answers `rest` (the path under `/api/v2/`) when it is a members route; `None` otherwise.
    pub(super) async fn members(&self, req: &Request, rest: &str) -> Option<Response> {
        if rest != "members" && !rest.starts_with("members/") {
            return None;
        }
        let mut allow = Vec::new();
        for (method, path, scope, op) in ROUTES {
            if let Some(id) = matches(path, rest) {
                if *method == req.method {
                    let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
                    return Some(
                        self.member_route(req, scope, *op, &id)
                            .await
                            .unwrap_or_else(WebError::into_management_response),
                    );
                }
                allow.push(*method);
            }
        }
        Some(if allow.is_empty() {
            WebError::NotFound.into_management_response()
        } else {
            WebError::MethodNotAllowed
                .into_management_response()
                .with_header("allow", &allow.join(", "))
        })
    }

    async fn member_route(&self, req: &Request, scope: &str, op: Op, id: &str) -> Result<Response, WebError> {
        let caller = access::authenticate(&self.core, super::management::bearer(req)).await?;
        caller.require_owner(&[scope])?;
        let core = &self.core;
        Ok(match op {
            Op::List => Response::json(200, &members::list(core).await?),
            Op::Get => Response::json(200, &members::get(core, id).await?),
            Op::Invite => {
                let body: InviteMember = body(req)?;
                let by = match &caller {
                    Principal::Member { user_id, .. } => crate::core::directory::users::by_id(core.db, user_id)
                        .await
                        .map_err(crate::core::error::CoreError::from)?
                        .map(|u| u.email.as_str().to_owned()),
                    Principal::Client { .. } => None,
                };
                let by = by.unwrap_or_else(|| "An owner".into());
                Response::json(201, &members::invite(core, body, &by).await?)
            }
            Op::Update => {
                let body: UpdateMember = body(req)?;
                Response::json(200, &members::update(core, id, body).await?)
            }
            Op::Remove => {
                members::remove(core, id).await?;
                Response::new(204, "text/plain", Vec::new())
            }
            Op::Unblock => {
                members::unblock(core, id).await?;
                Response::new(204, "text/plain", Vec::new())
            }
        })
    }
}
