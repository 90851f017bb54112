//! What a person does with their own account: sign up, verify their email, reset or change their
//! password (with the connection's policy and history).

pub mod lifecycle;
pub mod signup;
