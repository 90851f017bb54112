//! OAuth / OIDC handlers: `/oauth/token`, `/userinfo`, discovery and JWKS.

use base64::engine::general_purpose::STANDARD;
use base64::Engine;
use percent_encoding::percent_decode_str;
use serde_json::json;

use super::errors::{rate_limit_headers, WebError};
use super::http::{Request, Response, MAX_BODY_BYTES};
use super::App;
use crate::core::directory::tenant::GrantType;
use crate::core::error::CoreError;
use crate::core::logs::Event;
use crate::core::oauth::grants::{self, Origin, TokenRequest, PASSWORD_REALM};
use crate::core::oauth::tokens::Signer;
use crate::core::protection::attack::{self, Bucket};
use crate::core::{oauth::codes, oauth::keys};

/// Parses a token request body: JSON (auth0-js) or form-encoded (spa-js, node-auth0).
pub(crate) fn parse_token_request(req: &Request) -> Result<TokenRequest, WebError> {
    if req.body.len() > MAX_BODY_BYTES {
        return Err(WebError::PayloadTooLarge);
    }
    match req.media_type().as_deref() {
        Some("application/json") => {
            serde_json::from_slice(&req.body).map_err(|e| WebError::InvalidBody(format!("Invalid JSON body: {e}")))
        }
        Some("application/x-www-form-urlencoded") => serde_urlencoded::from_bytes(&req.body)
            .map_err(|e| WebError::InvalidBody(format!("Invalid form body: {e}"))),
        _ => Err(WebError::UnsupportedMediaType(
            "application/json or application/x-www-form-urlencoded",
        )),
    }
}

/// `client_secret_basic`: `Authorization: Basic base64(urlencode(id) ":" urlencode(secret))`.
pub(crate) fn basic_credentials(req: &Request) -> Option<(String, String)> {
    let value = req.header("authorization")?;
    let encoded = value.strip_prefix("Basic ").or_else(|| value.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(encoded.trim()).ok()?).ok()?;
    let (id, secret) = decoded.split_once(':')?;
    let un = |s: &str| {
        percent_decode_str(&s.replace('+', " "))
            .decode_utf8()
            .ok()
            .map(|c| c.into_owned())
    };
    Some((un(id)?, un(secret)?))
}

pub(crate) fn bearer(req: &Request) -> Option<&str> {
    let v = req.header("authorization")?;
    v.strip_prefix("Bearer ")
        .or_else(|| v.strip_prefix("bearer "))
        .map(str::trim)
}

impl App<'_> {
    pub(super) fn client_ip<'r>(&self, req: &'r Request) -> &'r str {
        req.ip.as_deref().unwrap_or("unknown")
    }

    /// The key-encryption key (signing keys and TOTP secrets are sealed with it).
    pub(super) fn kek(&self) -> Result<&[u8; 32], WebError> {
        Ok(self
            .config
            .kek
            .as_ref()
            .ok_or_else(|| CoreError::Internal("KEY_ENCRYPTION_KEY is not configured".into()))?)
    }

    pub(super) async fn signer(&self) -> Result<std::rc::Rc<dyn Signer>, WebError> {
        let kek = self
            .config
            .kek
            .as_ref()
            .ok_or_else(|| CoreError::Internal("KEY_ENCRYPTION_KEY is not configured".into()))?;
        let key = keys::current_signing_key(self.core.db).await?;
        Ok(self.signers.signer(&key, kek).await?)
    }

    /// `POST /oauth/token`.
    pub(super) async fn token(&self, req: &Request) -> Result<Response, WebError> {
        let now = self.core.clock.now_ms();
        let ip = self.client_ip(req);
        // Per isolate, no D1 round trip: a throttle against floods (`protection::local`).
        let quota = self.core.buckets.take(
            &format!("token:{ip}"),
            self.core.settings.limit(Bucket::TOKEN_ENDPOINT),
            1.0,
            now,
        );
        if !quota.granted {
            return Err(CoreError::TooManyRequests(quota).into());
        }
        let mut body = parse_token_request(req)?;
        if let Some((id, secret)) = basic_credentials(req) {
            body.client_id.get_or_insert(id);
            body.client_secret.get_or_insert(secret);
        }
        let exchange = exchange_events(body.grant_type.as_deref().unwrap_or_default());
        let (client, authenticated) =
            match grants::authenticate_client(&self.core, body.client_id.as_deref(), body.client_secret.as_deref())
                .await
            {
                Ok(c) => c,
                Err(e) => {
                    if let Some((_, fail, _)) = exchange {
                        let mut event = Event::new(fail, crate::core::logs::failure(&e));
                        event.client_id = body.client_id.clone();
                        self.core.record(event);
                    }
                    return Err(e.into());
                }
            };
        self.core.events.note_client(&client.client_id, &client.name);
        // The end user's IP, as forwarded by a trusted (authenticated) server-side client.
        let user_ip = match req.header("auth0-forwarded-for") {
            Some(fwd) if authenticated => fwd.split(',').next().unwrap_or(ip).trim(),
            _ => ip,
        };
        let grant = match body.grant_type.as_deref().unwrap_or_default() {
            "" => return Err(CoreError::InvalidRequest("Missing required parameter: grant_type".into()).into()),
            name => GrantType::parse(name).ok_or_else(|| CoreError::UnsupportedGrantType(name.to_owned()))?,
        };
        let signer = self.signer().await?;
        let exchanged = match grant {
            GrantType::ClientCredentials => {
                Some(grants::client_credentials_grant(&self.core, &*signer, &client, authenticated, &body).await)
            }
            GrantType::AuthorizationCode => {
                Some(codes::authorization_code_grant(&self.core, &*signer, &client, &body).await)
            }
            GrantType::RefreshToken => Some(codes::refresh_token_grant(&self.core, &*signer, &client, &body).await),
            _ => None,
        };
        if let (Some(result), Some((ok, fail, what))) = (&exchanged, exchange) {
            self.core.record(match result {
                Ok(t) => {
                    let event = Event::new(ok, format!("Successful exchange of {what}"))
                        .details(json!({"audience": body.audience, "grant_type": body.grant_type}));
                    match token_user(&t.access_token) {
                        Some(user) => event.user_id(&user),
                        None => event,
                    }
                }
                Err(e) => {
                    Event::new(fail, crate::core::logs::failure(e)).details(json!({"grant_type": body.grant_type}))
                }
            });
        }
        let tokens = match grant {
            GrantType::ClientCredentials | GrantType::AuthorizationCode | GrantType::RefreshToken => {
                exchanged.ok_or_else(|| CoreError::Internal("no exchange".into()))??
            }
            GrantType::Password | GrantType::PasswordRealm => {
                let mut tokens =
                    grants::password_grant(&self.core, &*signer, &client, &body, Origin { ip: user_ip }).await?;
                // The embedded widget asks whether to offer a passkey (Tollgate's extension).
                if body.passkey_offer == Some(true) {
                    if let Some(user) = token_user(&tokens.access_token) {
                        match crate::core::passkeys::offer::after_grant(&self.core, &client, &user).await {
                            Ok(offer) => {
                                tokens.passkey_enrollment = offer.map(|s| shared::wire::PasskeyStarted {
                                    auth_session: s.auth_session,
                                    authn_params_public_key: s.options,
                                })
                            }
                            Err(e) => self.core.log(&format!("passkey offer not made: {e}")),
                        }
                    }
                }
                tokens
            }
            GrantType::Webauthn => {
                let browser = req.cookie(crate::core::oauth::sessions::BROWSER_COOKIE);
                crate::core::passkeys::grant::webauthn_grant(&self.core, &*signer, &client, &body, browser, user_ip)
                    .await?
            }
            GrantType::PasswordlessOtp => {
                crate::core::passwordless::flows::otp_grant(
                    &self.core,
                    &*signer,
                    &client,
                    &body,
                    Origin { ip: user_ip },
                )
                .await?
            }
            GrantType::MfaOtp | GrantType::MfaOob | GrantType::MfaRecoveryCode => {
                crate::core::mfa_api::flows::grant(&self.core, self.kek()?, &*signer, &client, grant, &body).await?
            }
            GrantType::Implicit => return Err(CoreError::UnsupportedGrantType("implicit".into()).into()),
        };
        let mut r = Response::json(200, &tokens)
            .with_header("cache-control", "no-store")
            .with_header("pragma", "no-cache");
        r.headers.extend(rate_limit_headers(&quota));
        Ok(r)
    }

    /// `GET|POST /userinfo`.
    pub(super) async fn userinfo(&self, req: &Request) -> Result<Response, WebError> {
        let token = bearer(req).ok_or_else(|| CoreError::InvalidToken("Missing bearer token".into()))?;
        let claims = grants::userinfo(&self.core, token).await?;
        let sub = claims.get("sub").and_then(|v| v.as_str()).unwrap_or_default();
        let quota = attack::take(
            self.core.db,
            &format!("userinfo:{sub}"),
            self.core.settings.limit(Bucket::USERINFO),
            1.0,
            self.core.clock.now_ms(),
        )
        .await?;
        if !quota.granted {
            return Err(CoreError::TooManyRequests(quota).into());
        }
        let mut r = Response::json(200, &claims);
        r.headers.extend(rate_limit_headers(&quota));
        Ok(r)
    }

    /// `GET /.well-known/jwks.json`.
    pub(super) async fn jwks(&self) -> Result<Response, WebError> {
        let keys = keys::verifying_keys(self.core.db).await?;
        Ok(Response::json(200, &keys::jwks(&keys)).with_header("cache-control", "public, max-age=300"))
    }

    /// `GET /.well-known/openid-configuration`: lists exactly what this server supports.
    pub(super) fn discovery(&self) -> Response {
        let iss = &self.core.settings.issuer;
        Response::json(
            200,
            &json!({
                "issuer": iss,
                "authorization_endpoint": format!("{iss}authorize"),
                "token_endpoint": format!("{iss}oauth/token"),
                "userinfo_endpoint": format!("{iss}userinfo"),
                "jwks_uri": format!("{iss}.well-known/jwks.json"),
                "end_session_endpoint": format!("{iss}oidc/logout"),
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "response_types_supported": ["code", "token", "id_token", "id_token token"],
                "response_modes_supported": ["query", "fragment", "form_post", "web_message"],
                "code_challenge_methods_supported": ["S256", "plain"],
                "grant_types_supported": ["authorization_code", "implicit", "refresh_token", "password", PASSWORD_REALM, "client_credentials"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post", "none"],
                "claims_supported": ["aud", "auth_time", "email", "email_verified", "exp", "family_name", "given_name",
                    "iat", "iss", "name", "nickname", "nonce", "picture", "sub", "updated_at"],
                "request_uri_parameter_supported": false,
                "request_parameter_supported": false,
            }),
        )
        .with_header("cache-control", "public, max-age=300")
    }
}

/// The tenant log events of a token exchange (success, failure, what was exchanged).
fn exchange_events(grant_type: &str) -> Option<(&'static str, &'static str, &'static str)> {
    match grant_type {
        "authorization_code" => Some(("seacft", "feacft", "Authorization Code for Access Token")),
        "client_credentials" => Some(("sccft", "fccft", "Client Credentials for Access Token")),
        "refresh_token" => Some(("sertft", "fertft", "Refresh Token for Access Token")),
        _ => None,
    }
}

/// The user a token we just minted was issued to (its `sub`; none for a client's own token).
fn token_user(jwt: &str) -> Option<String> {
    let payload = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(jwt.split('.').nth(1)?)
        .ok()?;
    let claims: serde_json::Value = serde_json::from_slice(&payload).ok()?;
    crate::core::directory::users::id_from_sub(claims.get("sub")?.as_str()?).map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use base64::Engine;

    #[test]
    fn the_user_of_a_token_is_its_sub_and_a_clients_token_has_none() {
        let jwt = |sub: &str| {
            let b = |v: serde_json::Value| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string());
            format!(
                "{}.{}.sig",
                b(serde_json::json!({"alg": "RS256"})),
                b(serde_json::json!({"sub": sub}))
            )
        };
        assert_eq!(super::token_user(&jwt("auth0|abc")).as_deref(), Some("abc"));
        assert_eq!(super::token_user(&jwt("m2m@clients")), None);
        assert_eq!(super::token_user("not a jwt"), None);
    }
}
