//! Who exists: the tenant, its applications and connections, users (the one owner of the `users`
//! table), tenant administrators, user search and the daily counters.

pub mod admins;
pub mod options;
pub mod stats;
pub mod tenant;
pub mod user_search;
pub mod users;
