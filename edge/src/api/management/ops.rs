//! Each Management API route's operation: its caller checked against the route's [`Access`], its
//! body parsed into its `shared::management` type ([`body`]), one core call, and the answer
//! serialised from its type.

use percent_encoding::percent_decode_str;
use shared::management::blocks::{Block, BlockKind, Blocks};
use shared::management::guardian::FactorUpdate;

use super::{bearer, body, created, no_content, ok, Access, Op, Route};
use crate::api::errors::WebError;
use crate::api::http::{Request, Response};
use crate::api::{query_param, App};
use crate::core::directory::admins::ADMIN_CONNECTION_ID;
use crate::core::directory::stats;
use crate::core::error::CoreError;
use crate::core::hooks;
use crate::core::management::{access, applications, connections, users};
use crate::core::mfa::policy as mfa_policy;
use crate::core::protection::attack;

/// A query parameter the operation needs.
fn required(req: &Request, name: &str) -> Result<String, WebError> {
    query_param(req, name).ok_or_else(|| CoreError::InvalidRequest(format!("Missing {name}")).into())
}

/// The blocks in their wire shape.
fn blocks_view(list: Vec<attack::Block>) -> Blocks {
    Blocks {
        blocks: list
            .into_iter()
            .map(|b| Block {
                kind: if b.kind == "ip" {
                    BlockKind::Ip
                } else {
                    BlockKind::Identifier
                },
                connection_id: b.connection_id,
                value: b.value,
                ip: b.ip,
                count: b.count,
                last_at: b.last_at,
            })
            .collect(),
    }
}

impl App<'_> {
    pub(super) async fn management_route(&self, req: &Request, route: &Route, id: &str) -> Result<Response, WebError> {
        match route.access {
            Access::Scopes(scopes) => access::authenticate(&self.core, bearer(req)).await?.require(scopes)?,
            Access::AllScopes(scopes) => {
                let caller = access::authenticate(&self.core, bearer(req)).await?;
                for scope in scopes {
                    caller.require(&[scope])?;
                }
            }
            Access::SignedLink => self.check_link(req, id)?,
        }
        let id = &percent_decode_str(id).decode_utf8_lossy();
        let core = &self.core;
        let (from, to) = (query_param(req, "from"), query_param(req, "to"));
        Ok(match route.op {
            Op::ListUsers => {
                let q: Vec<(String, String)> = url::form_urlencoded::parse(req.query.as_bytes()).into_owned().collect();
                ok(&users::list_users(core, &q).await?)
            }
            Op::CreateUser => created(&users::create_user(core, body(req)?).await?),
            Op::GetUser => ok(&users::get_user(core, id).await?),
            Op::UpdateUser => ok(&users::update_user(core, id, body(req)?).await?),
            Op::DeleteUser => {
                users::delete_user(core, id).await?;
                no_content()
            }
            Op::UsersByEmail => ok(&users::users_by_email(core, &required(req, "email")?).await?),
            Op::UnblockIdentifier => {
                users::unblock_identifier(core, &required(req, "identifier")?).await?;
                no_content()
            }
            Op::UnblockUser => {
                users::unblock_user(core, id).await?;
                no_content()
            }
            Op::ListConnections => {
                let (name, strategy) = (query_param(req, "name"), query_param(req, "strategy"));
                // Checkpoint pagination (`take`, `from`) or `include_totals` answer with a page, as Auth0.
                let paged = ["take", "from"].iter().any(|k| query_param(req, k).is_some())
                    || query_param(req, "include_totals").as_deref() == Some("true");
                ok(&connections::list(core, name.as_deref(), strategy.as_deref(), paged).await?)
            }
            Op::CreateConnection => created(&connections::create_connection(core, body(req)?).await?),
            Op::GetConnection => ok(&connections::get_connection(core, id).await?),
            Op::UpdateConnection => ok(&connections::update_connection(core, id, body(req)?).await?),
            Op::DeleteConnection => {
                connections::delete_connection(core, id).await?;
                no_content()
            }
            Op::LegacyTest => ok(&connections::legacy_test(core, id, body(req)?).await?),
            Op::ListClients => ok(&applications::list_clients(core).await?),
            Op::CreateClient => created(&applications::create_client(core, body(req)?).await?),
            Op::GetClient => ok(&applications::get_client(core, id).await?),
            Op::UpdateClient => ok(&applications::update_client(core, id, body(req)?).await?),
            Op::DeleteClient => {
                applications::delete_client(core, id).await?;
                no_content()
            }
            Op::RotateSecret => ok(&applications::rotate_secret(core, id).await?),
            Op::ListGrants => {
                let (client, audience) = (query_param(req, "client_id"), query_param(req, "audience"));
                ok(&applications::list_grants(core, client.as_deref(), audience.as_deref()).await?)
            }
            Op::CreateGrant => created(&applications::create_grant(core, body(req)?).await?),
            Op::UpdateGrant => ok(&applications::update_grant(core, id, body(req)?).await?),
            Op::DeleteGrant => {
                applications::delete_grant(core, id).await?;
                no_content()
            }
            Op::ListResourceServers => ok(&applications::list_resource_servers(core).await?),
            Op::CreateResourceServer => created(&applications::create_resource_server(core, body(req)?).await?),
            Op::GetResourceServer => ok(&applications::get_resource_server(core, id).await?),
            Op::UpdateResourceServer => ok(&applications::update_resource_server(core, id, body(req)?).await?),
            Op::Blocks => {
                let list = attack::blocks(core.db, core.clock.now_ms(), ADMIN_CONNECTION_ID).await?;
                ok(&blocks_view(list))
            }
            Op::IpBlocked => {
                if !attack::ip_blocked(core.db, id, core.clock.now_ms()).await? {
                    return Err(CoreError::NotFound("The IP is not blocked.".into()).into());
                }
                no_content()
            }
            Op::UnblockIp => {
                attack::unblock_ip(core.db, id).await?;
                no_content()
            }
            Op::PasswordChangeTicket => created(&users::password_change_ticket(core, body(req)?).await?),
            Op::EmailVerificationTicket => created(&users::email_verification_ticket(core, body(req)?).await?),
            Op::VerificationEmail => created(&users::verification_email_job(core, body(req)?).await?),
            Op::DailyStats => ok(&stats::daily(core, from.as_deref(), to.as_deref()).await?),
            Op::ActiveUsers => ok(&stats::active_users(core).await?),
            Op::Provisioning => ok(&stats::provisioning(core, from.as_deref(), to.as_deref()).await?),
            Op::Import => self.m_import(req).await?,
            Op::Export => self.m_export(req).await?,
            Op::Job => self.m_job(id).await?,
            Op::ListFactors => ok(&mfa_policy::settings(core.db).await?.factor_list()),
            Op::SetFactor => {
                let b: FactorUpdate = body(req)?;
                mfa_policy::set_factor(core.db, id, b.enabled).await?;
                ok(&b)
            }
            Op::GetPolicies => ok(&mfa_policy::settings(core.db).await?.policies),
            Op::SetPolicies => ok(&mfa_policy::set_policies(core.db, body(req)?).await?),
            Op::GetRememberBrowser => ok(&mfa_policy::settings(core.db).await?.remember_browser()),
            Op::SetRememberBrowser => ok(&mfa_policy::set_remember_browser(core.db, body(req)?).await?),
            Op::InvalidateRememberBrowser => {
                crate::core::management::methods::forget_browsers(core, id).await?;
                no_content()
            }
            Op::ResetAuthenticators => {
                crate::core::management::methods::reset_mfa(core, id).await?;
                no_content()
            }
            Op::JobErrors => ok(&crate::core::management::jobs::job_errors(core, id).await?),
            Op::Download => self.m_download(id).await?,
            Op::ListLogs => crate::api::logs::list(core, req).await?,
            Op::GetLog => crate::api::logs::get(core, id).await?,
            Op::UserLogs => crate::api::logs::of_user(core, req, id).await?,
            Op::ListLogStreams => self.log_streams_list().await?,
            Op::CreateLogStream => self.log_stream_create(req).await?,
            Op::GetLogStream => self.log_stream_get(id).await?,
            Op::UpdateLogStream => self.log_stream_update(req, id).await?,
            Op::DeleteLogStream => self.log_stream_delete(id).await?,
            Op::ListHooks => ok(&hooks::list(core.db).await?),
            Op::CreateHook => created(&hooks::create(core, body(req)?).await?),
            Op::GetHook => ok(&hooks::get(core.db, id).await?),
            Op::UpdateHook => ok(&hooks::update(core, id, body(req)?).await?),
            Op::DeleteHook => {
                hooks::delete(core.db, id).await?;
                no_content()
            }
        })
    }
}
