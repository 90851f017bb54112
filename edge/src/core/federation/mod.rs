//! Logins with accounts people already have: social and enterprise OIDC/OAuth2 connections, the
//! round trip to the provider, profile mapping and account linking. Reaches the authorization
//! server only through its session, transaction and answer surface.

pub mod federated;
pub mod provider_http;
