//! The widget's components.

pub mod checklist;
pub mod email_field;
pub mod extra_field;
pub mod forgot;
pub mod form;
pub mod login;
pub mod mfa;
pub mod modal;
pub mod my_passkeys;
pub mod new_password;
pub mod passkeys;
pub mod passwordless;
pub mod reset;
pub mod signup;
pub mod social;
pub mod widget;
