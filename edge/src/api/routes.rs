//! The route table of everything outside `/api/v2` (which has its own, with scopes:
//! [`super::management::ROUTES`]). Each route states its method, path, the error shape of its
//! group (Auth0's API errors or OAuth 2.0's) and the endpoint; a known path asked with another
//! method is a 405 with `Allow`, in the route's shape. Handlers stay adapters in their files.

use super::errors::WebError;
use super::http::{Request, Response};
use super::App;

/// How a route's errors are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shape {
    /// Auth0's API errors: `{statusCode, error, message}` (and `{name, code, description}` for
    /// `/dbconnections`).
    Api,
    /// OAuth 2.0's `{error, error_description}`.
    OAuth,
    /// The My Account API's problem details: `{type, status, title, detail}`.
    Problem,
}

impl Shape {
    fn render(self, e: WebError) -> Response {
        match self {
            Shape::Api => e.into_api_response(),
            Shape::OAuth => e.into_oauth_response(),
            Shape::Problem => e.into_problem_response(),
        }
    }
}

/// What a route does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Endpoint {
    /// `POST /dbconnections/signup`.
    Signup,
    /// `POST /dbconnections/change_password`: the reset email.
    ChangePassword,
    /// The password reset page.
    ResetPage,
    /// The reset ticket's user and policy (for the page).
    ResetInfo,
    /// A new password from the reset page.
    Reset,
    /// An email verification link.
    VerifyEmail,
    /// The development outbox (HTML).
    Outbox,
    /// The development outbox (JSON).
    OutboxJson,
    /// `/authorize`.
    Authorize,
    /// `/authorize/resume` after the hosted login.
    Resume,
    /// A social button of the hosted page.
    Social,
    /// An identity provider's answer.
    FederatedCallback,
    /// The hosted login form.
    UniversalLogin,
    /// Embedded login (`/co/authenticate`).
    CrossOriginAuthenticate,
    /// `POST /passwordless/start`.
    PasswordlessStart,
    /// A magic link.
    PasswordlessVerifyRedirect,
    /// The hosted page asks for a code or link.
    HostedPasswordlessStart,
    /// The hosted page sends the code typed.
    HostedPasswordlessVerify,
    /// Auth0's native passkey API: a sign-up.
    PasskeyRegister,
    /// Auth0's native passkey API: a login.
    PasskeyChallenge,
    /// The embedded widget's answer to a password login's passkey offer: add it.
    PasskeyEnrollmentVerify,
    /// …or not now.
    PasskeyEnrollmentSkip,
    /// The hosted page starts a passkey ceremony.
    HostedPasskeyStart,
    /// The hosted page finishes one.
    HostedPasskeyFinish,
    /// The hosted page's "not now" to adding a passkey.
    HostedPasskeySkip,
    /// Related Origin Requests.
    WebauthnOrigins,
    /// My Account API: the user's methods.
    MyMethods,
    /// My Account API: start adding a passkey.
    MyMethodStart,
    /// My Account API: one method (read, delete, verify an enrolment).
    MyMethod,
    /// The hosted "Manage your passkeys" page.
    PasskeysPage,
    /// That page's My Account API token.
    PasskeysToken,
    /// `POST /mfa/associate`.
    MfaAssociate,
    /// `POST /mfa/challenge`.
    MfaChallenge,
    /// `GET /mfa/authenticators`.
    MfaAuthenticators,
    /// `DELETE /mfa/authenticators/{id}`.
    MfaRemove,
    /// The hosted page's second factor.
    HostedMfaVerify,
    /// The hosted page's security-key or passkey ceremony as a second factor.
    HostedMfaWebauthn,
    /// `/v2/logout`.
    Logout,
    /// OIDC RP-initiated logout.
    OidcLogout,
    /// The token endpoint.
    Token,
    /// `/userinfo`.
    Userinfo,
    /// The published keys.
    Jwks,
    /// OpenID Connect discovery.
    Discovery,
    /// Liveness.
    Healthz,
    /// A client's configuration for Lock (`/client/{id}.js`).
    ClientConfig,
    /// Lock's country lookup (for SMS dialling codes): we do not locate visitors.
    GeolocCountry,
    /// `make bench`: argon2id timings.
    BenchArgon2,
    /// `make bench`: imported hash timings.
    BenchHashes,
    /// `make bench`: RS256 timings.
    BenchSign,
}

/// One route. A path ending in `/*` matches any path under it.
#[derive(Debug)]
pub struct Route {
    /// HTTP method.
    pub method: &'static str,
    /// Path.
    pub path: &'static str,
    /// Error shape.
    pub shape: Shape,
    /// Endpoint.
    pub endpoint: Endpoint,
}

const fn route(method: &'static str, path: &'static str, shape: Shape, endpoint: Endpoint) -> Route {
    Route {
        method,
        path,
        shape,
        endpoint,
    }
}

use Endpoint as E;
use Shape::{Api, OAuth, Problem};

/// Every route outside the Management API.
pub const ROUTES: &[Route] = &[
    route("POST", "/dbconnections/signup", Api, E::Signup),
    route("POST", "/dbconnections/change_password", Api, E::ChangePassword),
    route("GET", "/lo/reset", Api, E::ResetPage),
    route("POST", "/lo/reset", Api, E::Reset),
    route("GET", "/lo/reset/info", Api, E::ResetInfo),
    route("GET", "/lo/verify", Api, E::VerifyEmail),
    route("GET", "/dev/outbox", Api, E::Outbox),
    route("GET", "/dev/outbox.json", Api, E::OutboxJson),
    route("GET", "/authorize", Api, E::Authorize),
    route("GET", "/authorize/resume", Api, E::Resume),
    route("GET", "/u/social", Api, E::Social),
    route("GET", "/login/callback", Api, E::FederatedCallback),
    route("POST", "/u/login", OAuth, E::UniversalLogin),
    route("POST", "/co/authenticate", OAuth, E::CrossOriginAuthenticate),
    route("POST", "/passwordless/start", OAuth, E::PasswordlessStart),
    route(
        "GET",
        "/passwordless/verify_redirect",
        Api,
        E::PasswordlessVerifyRedirect,
    ),
    route("POST", "/u/passwordless/start", OAuth, E::HostedPasswordlessStart),
    route("POST", "/u/passwordless/verify", OAuth, E::HostedPasswordlessVerify),
    route("POST", "/passkey/register", OAuth, E::PasskeyRegister),
    route("POST", "/passkey/challenge", OAuth, E::PasskeyChallenge),
    route("POST", "/passkey/enrollment/verify", OAuth, E::PasskeyEnrollmentVerify),
    route("POST", "/passkey/enrollment/skip", OAuth, E::PasskeyEnrollmentSkip),
    route("POST", "/u/passkey/start", OAuth, E::HostedPasskeyStart),
    route("POST", "/u/passkey/finish", OAuth, E::HostedPasskeyFinish),
    route("POST", "/u/passkey/skip", OAuth, E::HostedPasskeySkip),
    route("GET", "/.well-known/webauthn", OAuth, E::WebauthnOrigins),
    route("GET", "/me/v1/authentication-methods", Problem, E::MyMethods),
    route("POST", "/me/v1/authentication-methods", Problem, E::MyMethodStart),
    route("GET", "/me/v1/authentication-methods/*", Problem, E::MyMethod),
    route("DELETE", "/me/v1/authentication-methods/*", Problem, E::MyMethod),
    route("POST", "/me/v1/authentication-methods/*", Problem, E::MyMethod),
    route("GET", "/u/passkeys", Api, E::PasskeysPage),
    route("POST", "/u/passkeys/token", OAuth, E::PasskeysToken),
    route("POST", "/mfa/associate", OAuth, E::MfaAssociate),
    route("POST", "/mfa/challenge", OAuth, E::MfaChallenge),
    route("GET", "/mfa/authenticators", OAuth, E::MfaAuthenticators),
    route("DELETE", "/mfa/authenticators/*", OAuth, E::MfaRemove),
    route("POST", "/u/mfa/verify", OAuth, E::HostedMfaVerify),
    route("POST", "/u/mfa/webauthn", OAuth, E::HostedMfaWebauthn),
    route("GET", "/v2/logout", Api, E::Logout),
    route("GET", "/oidc/logout", Api, E::OidcLogout),
    route("POST", "/oidc/logout", Api, E::OidcLogout),
    route("POST", "/oauth/token", OAuth, E::Token),
    route("GET", "/userinfo", OAuth, E::Userinfo),
    route("POST", "/userinfo", OAuth, E::Userinfo),
    route("GET", "/.well-known/jwks.json", OAuth, E::Jwks),
    route("GET", "/.well-known/openid-configuration", OAuth, E::Discovery),
    route("GET", "/healthz", Api, E::Healthz),
    route("GET", "/client/*", Api, E::ClientConfig),
    route("GET", "/user/geoloc/country", Api, E::GeolocCountry),
    route("GET", "/__bench/argon2", Api, E::BenchArgon2),
    route("GET", "/__bench/hashes", Api, E::BenchHashes),
    route("GET", "/__bench/sign", Api, E::BenchSign),
];

fn matches(pattern: &str, path: &str) -> bool {
    match pattern.strip_suffix('*') {
        Some(prefix) => path.len() > prefix.len() && path.starts_with(prefix),
        None => pattern == path,
    }
}

/// What the table says about a request.
#[derive(Debug)]
pub enum Found {
    /// The route to run.
    Route(&'static Route),
    /// The path exists with other methods: the shape of its group and the `Allow` value.
    WrongMethod(Shape, String),
    /// No such path.
    Nothing,
}

/// Finds the route of `method` + `path`; `/__bench/*` exists only when `bench` is on.
pub fn find(method: &str, path: &str, bench: bool) -> Found {
    let mut allow: Vec<&str> = Vec::new();
    let mut shape = Api;
    for r in ROUTES {
        if !matches(r.path, path) || (!bench && r.path.starts_with("/__bench/")) {
            continue;
        }
        if r.method == method {
            return Found::Route(r);
        }
        allow.push(r.method);
        shape = r.shape;
    }
    if allow.is_empty() {
        Found::Nothing
    } else {
        Found::WrongMethod(shape, allow.join(", "))
    }
}

impl App<'_> {
    /// Runs the route of a request outside `/api/v2`.
    pub(super) async fn route_table(&self, req: &Request) -> Response {
        match find(&req.method, &req.path, self.config.bench_routes) {
            Found::Route(r) => self.run(r.endpoint, req).await.unwrap_or_else(|e| r.shape.render(e)),
            Found::WrongMethod(shape, allow) => shape.render(WebError::MethodNotAllowed).with_header("allow", &allow),
            Found::Nothing => WebError::NotFound.into_api_response(),
        }
    }

    async fn run(&self, endpoint: Endpoint, req: &Request) -> Result<Response, WebError> {
        match endpoint {
            E::Signup => self.signup(req).await,
            E::ChangePassword => self.change_password(req).await,
            E::ResetPage => Ok(self.reset_page(req)),
            E::ResetInfo => self.reset_info(req).await,
            E::Reset => self.reset(req).await,
            E::VerifyEmail => Ok(self.verify(req).await),
            E::Outbox => self.outbox(req, false).await,
            E::OutboxJson => self.outbox(req, true).await,
            E::Authorize => self.authorize(req).await,
            E::Resume => self.resume(req).await,
            E::Social => self.social(req).await,
            E::FederatedCallback => self.federated_callback(req).await,
            E::UniversalLogin => self.universal_login(req).await,
            E::CrossOriginAuthenticate => self.co_authenticate(req).await,
            E::PasswordlessStart => self.passwordless_start(req).await,
            E::PasswordlessVerifyRedirect => self.passwordless_verify_redirect(req).await,
            E::HostedPasswordlessStart => self.hosted_passwordless_start(req).await,
            E::HostedPasswordlessVerify => self.hosted_passwordless_verify(req).await,
            E::PasskeyRegister => self.passkey_register(req).await,
            E::PasskeyChallenge => self.passkey_challenge(req).await,
            E::PasskeyEnrollmentVerify => self.passkey_enrollment(req, true).await,
            E::PasskeyEnrollmentSkip => self.passkey_enrollment(req, false).await,
            E::HostedPasskeyStart => self.hosted_passkey_start(req).await,
            E::HostedPasskeyFinish => self.hosted_passkey_finish(req).await,
            E::HostedPasskeySkip => self.hosted_passkey_skip(req).await,
            E::WebauthnOrigins => self.webauthn_origins().await,
            E::MyMethods => self.my_methods(req).await,
            E::MyMethodStart => self.my_method_start(req).await,
            E::MyMethod => self.my_method(req).await,
            E::PasskeysPage => self.passkeys_page(req).await,
            E::PasskeysToken => self.passkeys_token(req).await,
            E::MfaAssociate => self.mfa_associate(req).await,
            E::MfaChallenge => self.mfa_challenge(req).await,
            E::MfaAuthenticators => self.mfa_authenticators(req).await,
            E::MfaRemove => self.mfa_remove(req).await,
            E::HostedMfaVerify => self.hosted_mfa_verify(req).await,
            E::HostedMfaWebauthn => self.hosted_mfa_webauthn(req).await,
            E::Logout => self.logout(req).await,
            E::OidcLogout => self.oidc_logout(req).await,
            E::Token => self.token(req).await,
            E::Userinfo => self.userinfo(req).await,
            E::Jwks => self.jwks().await,
            E::Discovery => Ok(self.discovery()),
            E::Healthz => Ok(Response::json(200, &serde_json::json!({"ok": true}))),
            E::ClientConfig => self.client_config(&req.path).await,
            E::GeolocCountry => Ok(Response::json(200, &serde_json::json!({"country_code": "XX"}))),
            E::BenchArgon2 => self.bench_argon2(req).await,
            E::BenchHashes => Ok(self.bench_hashes(req)),
            E::BenchSign => self.bench_sign().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_known_path_answers_other_methods_with_405_and_allow() {
        for r in ROUTES {
            let probe = r.path.replace('*', "x");
            // No route outside the Management API answers PATCH.
            let other = "PATCH";
            match find(other, &probe, true) {
                Found::WrongMethod(shape, allow) => {
                    assert_eq!(shape, r.shape, "{}", r.path);
                    assert!(allow.split(", ").any(|m| m == r.method), "{}: {allow}", r.path);
                }
                f => panic!("{other} {}: {f:?}", r.path),
            }
        }
        assert!(matches!(find("GET", "/__bench/sign", false), Found::Nothing));
        assert!(matches!(find("GET", "/client/", true), Found::Nothing));
        assert!(matches!(find("GET", "/nope", true), Found::Nothing));
    }
}
