//! The widget's components.

pub mod checklist;
pub mod new_password;
pub mod reset;
pub mod signup;
