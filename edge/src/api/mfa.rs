//! Auth0's MFA API over HTTP (`core::mfa`): `POST /mfa/associate`, `POST /mfa/challenge`,
//! `GET /mfa/authenticators`, `DELETE /mfa/authenticators/{id}` (the grants are the token
//! endpoint's), and the hosted page's `POST /u/mfa/verify`, which finishes its transaction.

use shared::wire::{
    HostedMfaVerify, HostedMfaWebauthn, MfaAssociateRequest, MfaChallengeRequest, PasskeyStarted, Redirect,
};

use super::errors::WebError;
use super::http::{Request, Response};
use super::management::bearer;
use super::{parse_json, App};
use crate::core::error::CoreError;
use crate::core::mfa_api::flows::{self, Proof};
use crate::core::oauth::authorize;
use crate::core::oauth::grants;
use crate::core::oauth::sessions::SESSION_TTL_MS;
use crate::core::passkeys::flows::CredentialJson;

fn no_store(r: Response) -> Response {
    r.with_header("cache-control", "no-store")
}

impl App<'_> {
    /// `POST /mfa/associate`.
    pub(super) async fn mfa_associate(&self, req: &Request) -> Result<Response, WebError> {
        let b: MfaAssociateRequest = parse_json(req)?;
        let answer = flows::associate(&self.core, self.kek()?, bearer(req), &b).await?;
        Ok(no_store(Response::json(200, &answer)))
    }

    /// `POST /mfa/challenge`.
    pub(super) async fn mfa_challenge(&self, req: &Request) -> Result<Response, WebError> {
        let b: MfaChallengeRequest = parse_json(req)?;
        let (client, _) =
            grants::authenticate_client(&self.core, b.client_id.as_deref(), b.client_secret.as_deref()).await?;
        Ok(no_store(Response::json(
            200,
            &flows::challenge(&self.core, &client, &b).await?,
        )))
    }

    /// `GET /mfa/authenticators`.
    pub(super) async fn mfa_authenticators(&self, req: &Request) -> Result<Response, WebError> {
        Ok(no_store(Response::json(
            200,
            &flows::list(&self.core, bearer(req)).await?,
        )))
    }

    /// `DELETE /mfa/authenticators/{id}`.
    pub(super) async fn mfa_remove(&self, req: &Request) -> Result<Response, WebError> {
        let id = req.path.trim_start_matches("/mfa/authenticators/");
        let id = percent_encoding::percent_decode_str(id).decode_utf8_lossy();
        flows::remove(&self.core, bearer(req), &id).await?;
        Ok(Response::new(204, "text/plain", Vec::new()))
    }

    /// `POST /u/mfa/webauthn`: the hosted page starts a security-key or passkey ceremony.
    pub(super) async fn hosted_mfa_webauthn(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedMfaWebauthn = parse_json(req)?;
        let s = flows::webauthn_start(&self.core, &b.tx, &b.mfa_token, b.enroll).await?;
        let answer = PasskeyStarted {
            auth_session: s.auth_session,
            authn_params_public_key: s.options,
        };
        Ok(no_store(Response::json(200, &answer)))
    }

    /// `POST /u/mfa/verify`: the hosted page's second factor; a session and the way back.
    pub(super) async fn hosted_mfa_verify(&self, req: &Request) -> Result<Response, WebError> {
        let b: HostedMfaVerify = parse_json(req)?;
        let credential = b.credential.as_ref().map(CredentialJson::parse).transpose()?;
        let proof = match (
            &b.otp,
            &b.oob_code,
            &b.binding_code,
            &b.recovery_code,
            &b.auth_session,
            &credential,
        ) {
            (Some(otp), ..) => Proof::Otp(otp),
            (_, Some(oob_code), Some(binding_code), ..) => Proof::Oob { oob_code, binding_code },
            (_, _, _, Some(code), ..) => Proof::Recovery(code),
            (_, _, _, _, Some(auth_session), Some(credential)) => Proof::Webauthn {
                auth_session,
                credential,
                token: &b.mfa_token,
            },
            _ => {
                return Err(
                    CoreError::InvalidRequest("Missing otp, binding_code, recovery_code or credential".into()).into(),
                )
            }
        };
        let (user, recovery) = flows::verify_hosted(&self.core, self.kek()?, &b.tx, &b.mfa_token, proof).await?;
        let (token, redirect) = authorize::logged_in(&self.core, &b.tx, &user).await?;
        let answer = Redirect {
            redirect,
            recovery_code: recovery,
            ..Redirect::default()
        };
        let mut res = no_store(Response::json(200, &answer))
            .with_header("set-cookie", &self.session_cookie(&token, SESSION_TTL_MS / 1000));
        if b.remember_browser == Some(true) {
            if let Some((value, ttl_s)) = crate::core::mfa::remember::remember(&self.core, &user.user_id).await? {
                res = res.with_header(
                    "set-cookie",
                    &self.cookie(crate::core::mfa::remember::COOKIE, &value, ttl_s),
                );
            }
        }
        Ok(res)
    }
}
