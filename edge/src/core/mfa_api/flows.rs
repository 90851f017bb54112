//! Auth0's MFA API over `mfa`'s tables (the gate after a first factor is `mfa::gate`):
//! `/mfa/associate`, `/mfa/challenge`, `/mfa/authenticators`, the three MFA grants, and the check
//! the hosted page shares with them.

use serde_json::Value;
use shared::wire::{
    MfaAssociateRequest, MfaAssociateResponse, MfaAuthenticator, MfaChallengeRequest, MfaChallengeResponse,
    TokenRequest, TokenResponse,
};

use crate::core::directory::tenant::{self, Client, GrantType};
use crate::core::directory::users::{self, User};
use crate::core::error::{CoreError, CoreResult};
use crate::core::logs::Event;
use crate::core::mfa::authenticators::{self, mask_email, Authenticator, Kind};
use crate::core::mfa::gate::{enrolled, mfa_audience, webauthn_on, AMR_MFA};
use crate::core::mfa::policy;
use crate::core::mfa::tickets::{self, Pending};
use crate::core::mfa::totp;
use crate::core::oauth::grants::{issue_user_tokens, user_api, UserGrant};
use crate::core::oauth::tokens::{split_scope, Signer};
use crate::core::platform::db::{query_one, Stmt};
use crate::core::platform::mail::Mail;
use crate::core::platform::secrets::{ct_eq, decrypt, encrypt, sha256_hex};
use crate::core::protection::attack::{self, Bucket};
use crate::core::Core;

/// Wrong second-factor codes a user may send before waiting (then `too_many_attempts`).
pub const FAILURES_PER_USER: Bucket = Bucket {
    capacity: 10.0,
    period_ms: 15.0 * 60_000.0,
};
/// Emailed codes per user (a challenge mails one).
pub const MAILS_PER_USER: Bucket = Bucket {
    capacity: 5.0,
    period_ms: 15.0 * 60_000.0,
};
/// Lifetime of an emailed code.
pub const OOB_TTL_MS: i64 = 5 * 60 * 1000;

/// `POST /u/mfa/webauthn`: a WebAuthn ceremony for the hosted page's pending login.
pub async fn webauthn_start(
    core: &Core<'_>,
    tx: &str,
    token: &str,
    enroll: bool,
) -> CoreResult<crate::core::passkeys::flows::Started> {
    let pending = tickets::open(core, token, None).await?;
    if pending.tx.as_deref() != Some(tx) {
        return Err(CoreError::InvalidGrant("Malformed mfa_token".into()));
    }
    if !webauthn_on(&policy::settings(core.db).await?) {
        return Err(CoreError::AccessDenied("Security keys are not enabled.".into()));
    }
    let enrolled = !authenticators::active_factors(core, &pending.user_id).await?.is_empty();
    super::webauthn::start(core, &pending, token, enroll, enrolled).await
}

/// Who calls the MFA API: a pending login (its `mfa_token`), or a user with an access token for
/// `{issuer}mfa/`.
enum Holder {
    Pending(Pending),
    /// `mfa`: the token was earned with a second factor (`amr`).
    Token {
        user_id: String,
        mfa: bool,
    },
}

impl Holder {
    fn user_id(&self) -> &str {
        match self {
            Holder::Pending(p) => &p.user_id,
            Holder::Token { user_id, .. } => user_id,
        }
    }
}

async fn holder(core: &Core<'_>, bearer: Option<&str>, scope: &str) -> CoreResult<Holder> {
    let bearer = bearer
        .filter(|b| !b.is_empty())
        .ok_or_else(|| CoreError::Unauthorized("Missing authentication".into()))?;
    if bearer.matches('.').count() != 2 {
        return Ok(Holder::Pending(tickets::open(core, bearer, None).await?));
    }
    let keys = crate::core::oauth::keys::verifying_keys(core.db).await?;
    let claims = crate::core::oauth::tokens::verify(
        bearer,
        &keys,
        &core.settings.issuer,
        &mfa_audience(core),
        core.clock.now_ms() / 1000,
    )
    .map_err(|e| CoreError::InvalidToken(e.to_string()))?;
    let sub = claims.get("sub").and_then(Value::as_str).unwrap_or_default();
    let user_id = users::id_from_sub(sub).ok_or_else(|| CoreError::InvalidToken("not a user token".into()))?;
    let scopes = split_scope(claims.get("scope").and_then(Value::as_str).unwrap_or_default());
    if !scopes.iter().any(|s| s == scope) {
        return Err(CoreError::InsufficientScope(format!(
            "Insufficient scope, expected: {scope}"
        )));
    }
    let mfa = claims
        .get("amr")
        .and_then(Value::as_array)
        .is_some_and(|a| a.iter().any(|m| m == "mfa"));
    Ok(Holder::Token {
        user_id: user_id.to_owned(),
        mfa,
    })
}

async fn user_of(core: &Core<'_>, user_id: &str) -> CoreResult<User> {
    users::by_id(core.db, user_id)
        .await?
        .filter(|u| !u.blocked)
        .ok_or_else(|| CoreError::InvalidGrant("Malformed mfa_token".into()))
}

/// The factor kinds an Auth0 `authenticator_types` / `challenge_type` names.
fn kinds(types: &[String], channels: Option<&[String]>) -> Vec<Kind> {
    let mut out = Vec::new();
    for t in types.iter().flat_map(|t| t.split_whitespace()) {
        match t {
            "otp" => out.push(Kind::Otp),
            "oob" if channels.is_none_or(|c| c.iter().any(|c| c == "email")) => out.push(Kind::Email),
            _ => {}
        }
    }
    out
}

/// `POST /mfa/associate` with an `mfa_token`: the first factor of a user who has none (a user
/// with a factor proves it before adding another: Auth0's "User is already enrolled").
pub async fn associate(
    core: &Core<'_>,
    kek: &[u8; 32],
    bearer: Option<&str>,
    req: &MfaAssociateRequest,
) -> CoreResult<MfaAssociateResponse> {
    let Holder::Pending(pending) = holder(core, bearer, "enroll").await? else {
        return Err(CoreError::AccessDenied(
            "Enrolment takes the mfa_token of a login waiting for its second factor.".into(),
        ));
    };
    let user = user_of(core, &pending.user_id).await?;
    if enrolled(core, &user.user_id).await? {
        return Err(CoreError::AccessDenied("User is already enrolled.".into()));
    }
    let settings = policy::settings(core.db).await?;
    let kind = kinds(&req.authenticator_types, req.oob_channels.as_deref())
        .into_iter()
        .next()
        .ok_or_else(|| {
            CoreError::InvalidRequest(
                "authenticator_types must be [\"otp\"] or [\"oob\"] with oob_channels [\"email\"].".into(),
            )
        })?;
    let factor = if kind == Kind::Otp { "otp" } else { "email" };
    if !settings.enabled().contains(&factor) {
        return Err(CoreError::AccessDenied(format!("The {factor} factor is not enabled.")));
    }
    let recovery = authenticators::new_recovery_code(core, &user.user_id).await?;
    match kind {
        Kind::Otp => {
            let secret = core.random_bytes::<{ totp::SECRET_BYTES }>()?;
            let sealed = encrypt(kek, &core.random_bytes::<12>()?, &secret)?;
            authenticators::add_pending(core, &user.user_id, Kind::Otp, Some(&sealed), None).await?;
            let issuer = tenant::tenant(core.db).await?.name;
            let (b32, uri) = totp::enrolment(&secret, &issuer, &user.email)?;
            Ok(MfaAssociateResponse {
                authenticator_type: "otp".into(),
                secret: Some(b32),
                barcode_svg: Some(totp::qr_svg(&uri)?),
                barcode_uri: Some(uri),
                oob_channel: None,
                oob_code: None,
                binding_method: None,
                recovery_codes: Some(vec![recovery]),
            })
        }
        _ => {
            // Codes go to the user's own address only: an mfa_token cannot send mail elsewhere.
            if req
                .email
                .as_deref()
                .is_some_and(|e| !e.trim().eq_ignore_ascii_case(&user.email))
            {
                return Err(CoreError::InvalidRequest(
                    "The email must be the user's own address.".into(),
                ));
            }
            let id = authenticators::add_pending(core, &user.user_id, Kind::Email, None, Some(&user.email)).await?;
            let a = authenticators::get(core, &user.user_id, &id)
                .await?
                .ok_or_else(|| CoreError::Internal("the new factor vanished".into()))?;
            let oob_code = send_code(core, &pending, &a).await?;
            Ok(MfaAssociateResponse {
                authenticator_type: "oob".into(),
                secret: None,
                barcode_uri: None,
                barcode_svg: None,
                oob_channel: Some("email".into()),
                oob_code: Some(oob_code),
                binding_method: Some("prompt".into()),
                recovery_codes: Some(vec![recovery]),
            })
        }
    }
}

/// Mails a 6-digit code for `a` and stores it for the pending login; the `oob_code` handle.
async fn send_code(core: &Core<'_>, pending: &Pending, a: &Authenticator) -> CoreResult<String> {
    let now = core.clock.now_ms();
    let quota = attack::take(core.db, &format!("mfa-mail:{}", a.user_id), MAILS_PER_USER, 1.0, now).await?;
    if !quota.granted {
        return Err(CoreError::TooManyAttempts(
            "Too many codes sent. Try again later.".into(),
        ));
    }
    let to = a.email.clone().unwrap_or_default();
    let n = u64::from_le_bytes(core.random_bytes::<8>()?) % 1_000_000;
    let code = format!("{n:06}");
    let handle = core.random_token()?;
    core.db
        .batch(vec![Stmt::new(
            "INSERT INTO mfa_oob_codes (oob_hash, token_hash, authenticator_id, code_hash, expires_at) \
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )
        .bind(sha256_hex(handle.as_bytes()))
        .bind(&pending.token_hash)
        .bind(&a.id)
        .bind(sha256_hex(format!("{handle}\n{code}").as_bytes()))
        .bind(now + OOB_TTL_MS)])
        .await?;
    let name = tenant::tenant(core.db).await?.name;
    core.mailer
        .send(&Mail {
            to,
            subject: format!("{code} is your {name} verification code"),
            text: format!(
                "Your verification code is {code}.\n\nIt works once, for 5 minutes. If you did not try to log in, change your password."
            ),
            link: None,
            kind: "mfa_code",
        })
        .await?;
    Ok(handle)
}

/// `POST /mfa/challenge`.
pub async fn challenge(
    core: &Core<'_>,
    client: &Client,
    req: &MfaChallengeRequest,
) -> CoreResult<MfaChallengeResponse> {
    let token = req
        .mfa_token
        .as_deref()
        .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: mfa_token".into()))?;
    let pending = tickets::open(core, token, Some(&client.client_id)).await?;
    let factors = authenticators::active_factors(core, &pending.user_id).await?;
    let wanted = match req.challenge_type.as_deref() {
        Some(t) => kinds(&[t.to_owned()], None),
        None => vec![Kind::Otp, Kind::Email],
    };
    let chosen = factors
        .into_iter()
        .find(|a| req.authenticator_id.as_deref().is_none_or(|id| id == a.id) && wanted.iter().any(|k| a.is(*k)));
    let Some(a) = chosen else {
        return Err(CoreError::AccessDenied(
            "No enrolled authenticator matches the challenge type.".into(),
        ));
    };
    if a.is(Kind::Otp) {
        return Ok(MfaChallengeResponse {
            challenge_type: "otp".into(),
            oob_code: None,
            binding_method: None,
        });
    }
    let oob_code = send_code(core, &pending, &a).await?;
    Ok(MfaChallengeResponse {
        challenge_type: "oob".into(),
        oob_code: Some(oob_code),
        binding_method: Some("prompt".into()),
    })
}

/// `GET /mfa/authenticators` (the `mfa_token`, or an access token with `read:authenticators`).
pub async fn list(core: &Core<'_>, bearer: Option<&str>) -> CoreResult<Vec<MfaAuthenticator>> {
    let h = holder(core, bearer, "read:authenticators").await?;
    Ok(authenticators::of_user(core, h.user_id())
        .await?
        .into_iter()
        .filter(|a| a.active)
        .map(|a| view(&a))
        .collect())
}

/// One factor as `/mfa/authenticators` shows it.
pub fn view(a: &Authenticator) -> MfaAuthenticator {
    let (authenticator_type, oob_channel) = match a.kind.as_str() {
        "otp" => ("otp", None),
        "email" => ("oob", Some("email".to_owned())),
        _ => ("recovery-code", None),
    };
    MfaAuthenticator {
        id: a.id.clone(),
        authenticator_type: authenticator_type.into(),
        active: a.active,
        oob_channel,
        name: a.email.as_deref().map(mask_email),
    }
}

/// `DELETE /mfa/authenticators/{id}`: an access token for `{issuer}mfa/` with
/// `remove:authenticators` (earned with a second factor when the user has one).
pub async fn remove(core: &Core<'_>, bearer: Option<&str>, id: &str) -> CoreResult<()> {
    let h = holder(core, bearer, "remove:authenticators").await?;
    let Holder::Token { user_id, mfa } = h else {
        return Err(CoreError::Unauthorized(
            "Removing an authenticator takes an access token for the MFA API.".into(),
        ));
    };
    if !mfa && !authenticators::active_factors(core, &user_id).await?.is_empty() {
        return Err(CoreError::AccessDenied(
            "Removing an authenticator takes a login with a second factor.".into(),
        ));
    }
    if authenticators::delete(core, &user_id, id).await? {
        Ok(())
    } else {
        Err(CoreError::NotFound("Authenticator does not exist.".into()))
    }
}

/// What a second factor presents.
#[derive(Debug, Clone, Copy)]
pub enum Proof<'a> {
    /// A TOTP code.
    Otp(&'a str),
    /// An emailed code and its challenge's handle.
    Oob {
        /// The handle.
        oob_code: &'a str,
        /// The code.
        binding_code: &'a str,
    },
    /// The recovery code.
    Recovery(&'a str),
    /// A WebAuthn ceremony started with `/u/mfa/webauthn` (the hosted page).
    Webauthn {
        /// Its handle.
        auth_session: &'a str,
        /// The credential.
        credential: &'a crate::core::passkeys::flows::CredentialJson,
        /// The mfa_token (the ceremony is bound to it).
        token: &'a str,
    },
}

impl<'a> Proof<'a> {
    /// The proof a grant carries.
    pub fn of(grant: GrantType, req: &'a TokenRequest) -> CoreResult<Self> {
        let need = |v: &'a Option<String>, name: &str| {
            v.as_deref()
                .ok_or_else(|| CoreError::InvalidRequest(format!("Missing required parameter: {name}")))
        };
        Ok(match grant {
            GrantType::MfaOtp => Proof::Otp(need(&req.otp, "otp")?),
            GrantType::MfaOob => Proof::Oob {
                oob_code: need(&req.oob_code, "oob_code")?,
                binding_code: need(&req.binding_code, "binding_code")?,
            },
            _ => Proof::Recovery(need(&req.recovery_code, "recovery_code")?),
        })
    }

    fn refusal(self) -> CoreError {
        CoreError::InvalidGrant(
            match self {
                Proof::Otp(_) => "Invalid otp_code.",
                Proof::Oob { .. } => "Invalid binding_code.",
                Proof::Recovery(_) => "Invalid recovery_code.",
                Proof::Webauthn { .. } => crate::core::passkeys::flows::REFUSED,
            }
            .into(),
        )
    }
}

/// The second factor of a pending login: on success the token is used up and, for a recovery
/// code, the new one is returned (shown once). Wrong codes count against the token and the user.
pub async fn verify(
    core: &Core<'_>,
    kek: &[u8; 32],
    pending: &Pending,
    proof: Proof<'_>,
) -> CoreResult<Option<String>> {
    let now = core.clock.now_ms();
    let user_key = format!("mfa:{}", pending.user_id);
    if !attack::peek(core.db, &user_key, FAILURES_PER_USER, 1.0, now)
        .await?
        .granted
    {
        core.record(
            crate::core::logs::Event::new("gd_otp_rate_limit_exceed", "Too many failures").user_id(&pending.user_id),
        );
        return Err(CoreError::TooManyAttempts(
            "Too many invalid codes. Try again later.".into(),
        ));
    }
    let (ok, recovery) = match proof {
        Proof::Otp(code) => (check_otp(core, kek, &pending.user_id, code).await?, None),
        Proof::Oob { oob_code, binding_code } => (check_oob(core, pending, oob_code, binding_code).await?, None),
        Proof::Recovery(code) => {
            if authenticators::take_recovery_code(core, &pending.user_id, code).await? {
                (
                    true,
                    Some(authenticators::new_recovery_code(core, &pending.user_id).await?),
                )
            } else {
                (false, None)
            }
        }
        Proof::Webauthn {
            auth_session,
            credential,
            token,
        } => {
            let first = !enrolled(core, &pending.user_id).await?;
            let ok = super::webauthn::check(core, pending, token, auth_session, credential).await?;
            // A first factor enrolled here gets its recovery code now (shown once).
            let recovery = if ok && first {
                Some(authenticators::new_recovery_code(core, &pending.user_id).await?)
            } else {
                None
            };
            (ok, recovery)
        }
    };
    if !ok {
        tickets::fail(core, pending).await?;
        attack::take(core.db, &user_key, FAILURES_PER_USER, 1.0, now).await?;
        core.record(Event::new("gd_auth_failed", "Wrong second factor").user_id(&pending.user_id));
        return Err(proof.refusal());
    }
    if !tickets::consume(core, pending).await? {
        return Err(CoreError::ExpiredToken("mfa_token is expired".into()));
    }
    core.record(Event::new("gd_auth_succeed", "Second factor accepted").user_id(&pending.user_id));
    core.record(Event::new("s", "Successful login").user_id(&pending.user_id));
    Ok(recovery)
}

/// A TOTP code against the user's apps (the unconfirmed one too while none is confirmed); a step
/// is accepted once.
async fn check_otp(core: &Core<'_>, kek: &[u8; 32], user_id: &str, code: &str) -> CoreResult<bool> {
    let all = authenticators::of_user(core, user_id).await?;
    let any_active = all.iter().any(|a| a.active && !a.is(Kind::RecoveryCode));
    let now_s = u64::try_from(core.clock.now_ms() / 1000).unwrap_or(0);
    for a in all.iter().filter(|a| a.is(Kind::Otp) && (a.active || !any_active)) {
        let Some(sealed) = a.secret_sealed.as_deref() else {
            continue;
        };
        let secret = decrypt(kek, sealed)?;
        if let Some(step) = totp::matching_step(&secret, code, now_s) {
            return authenticators::used(core, a, Some(step + 1)).await;
        }
    }
    Ok(false)
}

/// An emailed code: the challenge of this pending login, unused, in time, the digits right.
async fn check_oob(core: &Core<'_>, pending: &Pending, handle: &str, code: &str) -> CoreResult<bool> {
    #[derive(serde::Deserialize)]
    struct Row {
        authenticator_id: String,
        code_hash: String,
    }
    let row: Option<Row> = query_one(
        core.db,
        Stmt::new(
            "SELECT authenticator_id, code_hash FROM mfa_oob_codes WHERE oob_hash = ?1 AND token_hash = ?2 \
             AND used_at IS NULL AND expires_at > ?3",
        )
        .bind(sha256_hex(handle.as_bytes()))
        .bind(&pending.token_hash)
        .bind(core.clock.now_ms()),
    )
    .await?;
    let Some(row) = row else { return Ok(false) };
    let digest = sha256_hex(format!("{handle}\n{}", code.trim()).as_bytes());
    if !ct_eq(digest.as_bytes(), row.code_hash.as_bytes()) {
        return Ok(false);
    }
    core.db
        .batch(vec![Stmt::new(
            "UPDATE mfa_oob_codes SET used_at = ?2 WHERE oob_hash = ?1",
        )
        .bind(sha256_hex(handle.as_bytes()))
        .bind(core.clock.now_ms())])
        .await?;
    match authenticators::get(core, &pending.user_id, &row.authenticator_id).await? {
        Some(a) => authenticators::used(core, &a, None).await,
        None => Ok(false),
    }
}

/// The `mfa-otp`, `mfa-oob` and `mfa-recovery-code` grants: the tokens the first factor asked
/// for, with `amr: ["mfa"]`.
pub async fn grant(
    core: &Core<'_>,
    kek: &[u8; 32],
    signer: &dyn Signer,
    client: &Client,
    grant: GrantType,
    req: &TokenRequest,
) -> CoreResult<TokenResponse> {
    client.require_grant(grant)?;
    let token = req
        .mfa_token
        .as_deref()
        .ok_or_else(|| CoreError::InvalidRequest("Missing required parameter: mfa_token".into()))?;
    let pending = tickets::open(core, token, Some(&client.client_id)).await?;
    if pending.tx.is_some() {
        // The hosted page's logins finish there (`/u/mfa/verify`), into a session.
        return Err(CoreError::InvalidGrant("Malformed mfa_token".into()));
    }
    let recovery = verify(core, kek, &pending, Proof::of(grant, req)?).await?;
    let user = user_of(core, &pending.user_id).await?;
    let api = if pending.audience.as_deref() == Some(mfa_audience(core).as_str()) {
        Some(crate::core::oauth::grants::mfa_api(core))
    } else {
        user_api(core, pending.audience.as_deref()).await?
    };
    let scopes = split_scope(&pending.scope);
    let mut tokens = issue_user_tokens(
        core,
        signer,
        &UserGrant {
            client,
            user: &user,
            scopes: &scopes,
            api: api.as_ref(),
            gty: pending.gty.as_deref(),
            nonce: None,
            auth_time: None,
            amr: AMR_MFA,
        },
    )
    .await?;
    tokens.recovery_code = recovery;
    Ok(tokens)
}

/// The hosted page's second factor for its transaction `tx`: the user, once the proof holds.
pub async fn verify_hosted(
    core: &Core<'_>,
    kek: &[u8; 32],
    tx: &str,
    token: &str,
    proof: Proof<'_>,
) -> CoreResult<(User, Option<String>)> {
    let pending = tickets::open(core, token, None).await?;
    if pending.tx.as_deref() != Some(tx) {
        return Err(CoreError::InvalidGrant("Malformed mfa_token".into()));
    }
    let recovery = verify(core, kek, &pending, proof).await?;
    Ok((user_of(core, &pending.user_id).await?, recovery))
}
