//! The widget's components.

pub mod checklist;
pub mod signup;
