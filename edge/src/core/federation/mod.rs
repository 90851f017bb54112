//! Logins with accounts people already have: social and enterprise OIDC/OAuth2 connections, the
//! round trip to the provider, profile mapping and account linking. Reaches the authorization
//! server only through its session, transaction and answer surface.

pub mod connections;
pub mod linking;
pub mod profile;
pub mod provider_http;
pub mod round_trip;

#[cfg(test)]
mod tests {
    use super::connections::*;
    use super::linking::*;
    use super::profile::*;
    use super::round_trip::*;
    use crate::core::directory::users::User;
    use crate::core::platform::secrets::b64url;
    use crate::testkit::test_rsa_key;
    use jsonwebtoken::jwk::JwkSet;
    use jsonwebtoken::Algorithm;
    use jsonwebtoken::{encode, EncodingKey, Header};
    use serde_json::{json, Map, Value};

    fn user(id: &str, email: &str, verified: bool) -> User {
        serde_json::from_value(json!({
            "user_id": id, "connection_id": "con_db", "email": email, "email_verified": i64::from(verified),
            "username": null, "password_hash": null, "given_name": null, "family_name": null, "name": null,
            "nickname": null, "picture": null, "phone_number": null, "user_metadata": "{}", "app_metadata": "{}",
            "blocked": 0, "created_at": 1, "updated_at": 1, "migrated_from": null, "migrated_at": null,
            "last_login": null, "logins_count": 0, "password_reset_required": 0,
        }))
        .unwrap()
    }

    fn google_claims() -> Map<String, Value> {
        json!({
            "iss": "https://accounts.google.com", "aud": "client-1", "sub": "1098", "exp": 2_000, "iat": 1_000,
            "nonce": "n-1", "email": "Ada@Example.COM", "email_verified": true, "name": "Ada Lovelace",
            "given_name": "Ada", "family_name": "Lovelace", "picture": "https://pics/ada.png", "locale": "en",
        })
        .as_object()
        .cloned()
        .unwrap()
    }

    #[test]
    fn oidc_claims_become_a_normalized_profile_and_keep_the_raw_one() {
        let p = profile_from_claims(&google_claims()).unwrap();
        assert_eq!(p.provider_user_id, "1098");
        assert_eq!(p.email.as_deref(), Some("ada@example.com"));
        assert!(p.email_verified);
        assert_eq!(
            (p.given_name.as_deref(), p.family_name.as_deref()),
            (Some("Ada"), Some("Lovelace"))
        );
        assert_eq!(p.raw.get("locale"), Some(&json!("en")), "provider attributes are kept");
        assert!(
            p.raw.get("nonce").is_none() && p.raw.get("aud").is_none(),
            "token bookkeeping is not profile"
        );
        // A string "true" counts (some providers send it), anything else does not.
        let mut c = google_claims();
        c.insert("email_verified".into(), json!("true"));
        assert!(profile_from_claims(&c).unwrap().email_verified);
        c.insert("email_verified".into(), json!("yes"));
        assert!(!profile_from_claims(&c).unwrap().email_verified);
        c.remove("sub");
        assert!(profile_from_claims(&c).is_err(), "no sub, no user");
    }

    fn facebook() -> FederatedConnection {
        FederatedConnection {
            id: "con_fb".into(),
            name: "facebook".into(),
            strategy: crate::core::directory::tenant::Strategy::Facebook,
            options: FederatedOptions {
                client_id: "fb".into(),
                ..FederatedOptions::default()
            },
        }
    }

    #[test]
    fn oauth2_profiles_are_mapped_by_dotted_paths() {
        let fb = json!({"id": 4242, "name": "Grace Hopper", "first_name": "Grace", "last_name": "Hopper",
            "email": "GRACE@navy.mil", "picture": {"data": {"url": "https://fb/pic.jpg"}}});
        let p = profile_from_mapping(&fb, &facebook().mapping()).unwrap();
        assert_eq!(p.provider_user_id, "4242", "numeric ids become text");
        assert_eq!(p.email.as_deref(), Some("grace@navy.mil"));
        assert!(p.email_verified, "Facebook only shares confirmed emails");
        assert_eq!(p.picture.as_deref(), Some("https://fb/pic.jpg"));
        assert_eq!(p.given_name.as_deref(), Some("Grace"));
        // No email permission: no email, so nothing is verified either.
        let p = profile_from_mapping(&json!({"id": "7", "name": "No Mail"}), &facebook().mapping()).unwrap();
        assert_eq!((p.email, p.email_verified), (None, false));
        // A generic provider with its own mapping; the page's mapping wins over the defaults.
        let mut generic = facebook();
        generic.strategy = crate::core::directory::tenant::Strategy::Oauth2;
        generic.options.attribute_map =
            json!({"user_id": "account.uid", "email": "account.mail", "email_verified": "account.confirmed"})
                .as_object()
                .cloned()
                .unwrap();
        let p = profile_from_mapping(
            &json!({"account": {"uid": "u-1", "mail": "x@y.z", "confirmed": false}}),
            &generic.mapping(),
        )
        .unwrap();
        assert_eq!(
            (p.provider_user_id.as_str(), p.email.as_deref(), p.email_verified),
            ("u-1", Some("x@y.z"), false)
        );
        assert!(
            profile_from_mapping(&json!({"name": "x"}), &generic.mapping()).is_err(),
            "no id, no user"
        );
    }

    #[test]
    fn linking_needs_the_switch_and_verified_emails_on_both_sides() {
        let mut p = profile_from_claims(&google_claims()).unwrap();
        let verified = [user("u1", "ada@example.com", true)];
        let unverified = [user("u2", "ada@example.com", false)];
        assert!(link_target(&p, &verified, false).is_none(), "off by default");
        assert_eq!(link_target(&p, &verified, true).map(|u| u.user_id.as_str()), Some("u1"));
        assert!(
            link_target(&p, &unverified, true).is_none(),
            "an unverified local account could be anyone's"
        );
        let two = [user("u1", "ada@example.com", true), user("u3", "ada@example.com", true)];
        assert!(link_target(&p, &two, true).is_none(), "ambiguous: no link");
        p.email_verified = false;
        assert!(
            link_target(&p, &verified, true).is_none(),
            "the provider must vouch for the email"
        );
    }

    fn key_set() -> JwkSet {
        let (_, n, e) = test_rsa_key();
        serde_json::from_value(
            json!({"keys": [{"kty": "RSA", "kid": "idp-1", "alg": "RS256", "use": "sig", "n": n, "e": e}]}),
        )
        .unwrap()
    }

    fn id_token(claims: &Map<String, Value>, kid: &str) -> String {
        let mut h = Header::new(Algorithm::RS256);
        h.kid = Some(kid.into());
        encode(
            &h,
            claims,
            &EncodingKey::from_rsa_pem(test_rsa_key().0.as_bytes()).unwrap(),
        )
        .unwrap()
    }

    #[test]
    fn id_tokens_are_checked_for_signature_issuer_audience_expiry_and_nonce() {
        let keys = key_set();
        let iss = "https://accounts.google.com";
        let ok = id_token(&google_claims(), "idp-1");
        assert!(verify_id_token(&ok, &keys, iss, "client-1", "n-1", 1_500).is_ok());
        let err =
            |t: &str, aud: &str, nonce: &str, now: i64| verify_id_token(t, &keys, iss, aud, nonce, now).unwrap_err();
        assert!(
            err(&ok, "other-client", "n-1", 1_500).contains("InvalidAudience"),
            "wrong audience"
        );
        assert_eq!(err(&ok, "client-1", "n-2", 1_500), "nonce mismatch");
        assert_eq!(err(&ok, "client-1", "n-1", 2_100), "expired");
        assert!(
            verify_id_token(&ok, &keys, "https://evil.example", "client-1", "n-1", 1_500)
                .unwrap_err()
                .contains("InvalidIssuer")
        );
        assert_eq!(
            err(&id_token(&google_claims(), "unknown-kid"), "client-1", "n-1", 1_500),
            "no matching key"
        );
        let mut forged = ok.clone();
        forged.replace_range(forged.len() - 6.., "AAAAAA");
        assert!(
            verify_id_token(&forged, &keys, iss, "client-1", "n-1", 1_500).is_err(),
            "bad signature"
        );
        let unsigned = format!(
            "{}.{}.",
            b64url(br#"{"alg":"none"}"#),
            b64url(Value::Object(google_claims()).to_string().as_bytes())
        );
        assert!(
            verify_id_token(&unsigned, &keys, iss, "client-1", "n-1", 1_500).is_err(),
            "alg none"
        );
    }

    #[test]
    fn an_expiry_at_the_end_of_time_does_not_overflow() {
        // Found with the `provider_jwt` fuzz target: `exp + 60` overflowed (a panic where overflow
        // checks are on) for a signed token whose `exp` is near i64::MAX.
        let mut claims = google_claims();
        claims.insert("exp".into(), json!(i64::MAX));
        let token = id_token(&claims, "idp-1");
        let keys = key_set();
        assert!(verify_id_token(&token, &keys, "https://accounts.google.com", "client-1", "n-1", 1_500).is_ok());
    }
}
