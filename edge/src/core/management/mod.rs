//! The operator's side: who may call the Management API (client-credentials and console tokens),
//! users, connections, applications, and bulk import/export jobs.

pub mod access;
pub mod applications;
pub mod connections;
pub mod jobs;
pub mod members;
pub mod methods;
pub mod users;
