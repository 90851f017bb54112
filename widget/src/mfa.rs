//! The second factor in the widget, over Auth0's MFA API: after a first factor that answers with
//! an MFA step (the hosted page) or `mfa_required` (the embedded password grant), enrol
//! (`/mfa/associate`) or challenge (`/mfa/challenge`), then finish — the hosted page with
//! `/u/mfa/verify` (a session, then back to the application), an embedded widget with the
//! `mfa-otp` / `mfa-oob` / `mfa-recovery-code` grants (tokens in `authenticated`).

use shared::wire::{
    HostedMfaVerify, MfaAssociateRequest, MfaAssociateResponse, MfaChallengeRequest, MfaChallengeResponse, MfaStep,
    Redirect, TokenRequest, TokenResponse, MFA_OOB_GRANT, MFA_OTP_GRANT, MFA_RECOVERY_GRANT,
};

use crate::api::{post_bearer, post_json, ApiFailure};
use crate::context::{Mode, WidgetCtx};
use crate::flow::{navigate, AuthResult};

/// What the MFA screen shows first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Setup {
    /// Enrol an authenticator app: the QR code (SVG), its key, the recovery code to save.
    Otp {
        /// The `otpauth://` URI as an SVG image.
        svg: String,
        /// The Base32 key, for typing in.
        secret: String,
        /// The recovery code.
        recovery: Option<String>,
    },
    /// A code was mailed (enrolment: with the recovery code to save).
    Email {
        /// The challenge's handle.
        oob_code: String,
        /// The recovery code, at enrolment.
        recovery: Option<String>,
    },
    /// A code from the authenticator app.
    App,
    /// Only a security key or passkey (the hosted page).
    Key,
}

/// The step of an embedded login's `mfa_required` answer.
pub fn step_of(f: &ApiFailure) -> Option<MfaStep> {
    match f {
        ApiFailure::Server { body, .. } if body.code() == Some(shared::wire::ErrorCode::MfaRequired) => {
            body.mfa_token.clone().map(|mfa_token| MfaStep {
                mfa_token,
                // Unknown here: `begin` asks for a challenge and enrols when there is none.
                enroll: false,
                factors: Vec::new(),
                remember_days: None,
            })
        }
        _ => None,
    }
}

/// Starts the step: an enrolment (no factor yet) or a challenge. An embedded widget does not know
/// which: it asks for a challenge and enrols when there is nothing to challenge.
pub async fn begin(ctx: &WidgetCtx, step: &MfaStep) -> Result<Setup, ApiFailure> {
    if !step.factors.is_empty() && step.factors.iter().all(|f| f == "webauthn") {
        return Ok(Setup::Key);
    }
    if step.enroll {
        return enrol(ctx, step).await;
    }
    let body = MfaChallengeRequest {
        client_id: Some(ctx.client_id.clone()),
        mfa_token: Some(step.mfa_token.clone()),
        challenge_type: (!step.factors.is_empty()).then(|| {
            if step.factors.iter().any(|f| f == "otp") {
                "otp"
            } else {
                "oob"
            }
            .into()
        }),
        ..MfaChallengeRequest::default()
    };
    match post_json::<_, MfaChallengeResponse>(&ctx.url("/mfa/challenge"), &body, false).await {
        Ok(c) if c.challenge_type == "otp" => Ok(Setup::App),
        Ok(c) => Ok(Setup::Email {
            oob_code: c.oob_code.ok_or(ApiFailure::Network)?,
            recovery: None,
        }),
        Err(f) if step.factors.is_empty() && f.code() == Some(shared::wire::ErrorCode::AccessDenied) => {
            enrol(ctx, step).await
        }
        Err(f) => Err(f),
    }
}

/// Enrols the first factor: an authenticator app when the tenant offers it, else email.
async fn enrol(ctx: &WidgetCtx, step: &MfaStep) -> Result<Setup, ApiFailure> {
    let offered = |f: &str| step.factors.iter().all(|x| x == "webauthn") || step.factors.iter().any(|x| x == f);
    let mut last = ApiFailure::Network;
    for otp in [true, false] {
        if !offered(if otp { "otp" } else { "email" }) {
            continue;
        }
        let body = MfaAssociateRequest {
            client_id: Some(ctx.client_id.clone()),
            authenticator_types: vec![if otp { "otp" } else { "oob" }.into()],
            oob_channels: (!otp).then(|| vec!["email".into()]),
            ..MfaAssociateRequest::default()
        };
        match post_bearer::<_, MfaAssociateResponse>(&ctx.url("/mfa/associate"), &body, &step.mfa_token).await {
            Ok(a) => {
                let recovery = a.recovery_codes.and_then(|c| c.into_iter().next());
                return match (a.barcode_svg, a.secret, a.oob_code) {
                    (Some(svg), Some(secret), _) => Ok(Setup::Otp { svg, secret, recovery }),
                    (_, _, Some(oob_code)) => Ok(Setup::Email { oob_code, recovery }),
                    _ => Err(ApiFailure::Network),
                };
            }
            Err(f) => last = f,
        }
    }
    Err(last)
}

/// What the person typed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Answer {
    /// The app's code.
    Otp(String),
    /// The mailed code of challenge `oob_code`.
    Oob {
        /// The challenge.
        oob_code: String,
        /// The code.
        code: String,
    },
    /// A recovery code.
    Recovery(String),
}

/// How the step ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Done {
    /// The browser is leaving.
    Leaving,
    /// Embedded: the tokens went out in `authenticated`.
    Stay,
    /// A recovery code was used: the new one to show, then `then` (a URL to go to, or nothing).
    NewRecoveryCode {
        /// The new code.
        code: String,
        /// Where to go after (hosted).
        then: Option<String>,
    },
}

/// Sends the answer.
/// `remember`: the person asked that this browser skip the second factor (hosted page).
pub async fn finish(ctx: WidgetCtx, step: MfaStep, answer: Answer, remember: bool) -> Result<Done, ApiFailure> {
    let (otp, oob_code, binding_code, recovery_code) = match answer {
        Answer::Otp(c) => (Some(c), None, None, None),
        Answer::Oob { oob_code, code } => (None, Some(oob_code), Some(code), None),
        Answer::Recovery(c) => (None, None, None, Some(c)),
    };
    match &ctx.mode {
        Mode::Hosted { tx } => {
            let body = HostedMfaVerify {
                tx: tx.clone(),
                mfa_token: step.mfa_token,
                otp,
                oob_code,
                binding_code,
                recovery_code,
                remember_browser: remember.then_some(true),
                ..HostedMfaVerify::default()
            };
            let r: Redirect = post_json(&ctx.url("/u/mfa/verify"), &body, false).await?;
            if let Some(code) = r.recovery_code {
                return Ok(Done::NewRecoveryCode {
                    code,
                    then: Some(r.redirect),
                });
            }
            navigate(&r.redirect);
            Ok(Done::Leaving)
        }
        _ => {
            let grant = match (&otp, &oob_code) {
                (Some(_), _) => MFA_OTP_GRANT,
                (_, Some(_)) => MFA_OOB_GRANT,
                _ => MFA_RECOVERY_GRANT,
            };
            let body = TokenRequest {
                grant_type: Some(grant.into()),
                client_id: Some(ctx.client_id.clone()),
                mfa_token: Some(step.mfa_token),
                otp,
                oob_code,
                binding_code,
                recovery_code,
                ..TokenRequest::default()
            };
            let tokens: TokenResponse = post_json(&ctx.url("/oauth/token"), &body, false).await?;
            let recovery = tokens.recovery_code.clone();
            ctx.emit("authenticated", &crate::api::js_value(&AuthResult::from(tokens)));
            Ok(match recovery {
                Some(code) => Done::NewRecoveryCode { code, then: None },
                None => Done::Stay,
            })
        }
    }
}
