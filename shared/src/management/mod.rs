//! The Management API's resources as serde types (`/api/v2/...`), used by the edge (which
//! serialises them), the operator console and the CLI (which deserialise them). Field names and
//! optionality follow Auth0's Management API and the node `auth0` SDK; Tollgate's own resources
//! (members, …) follow the same conventions.

pub mod members;
