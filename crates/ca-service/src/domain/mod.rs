//! Application rules: requirements, allowed actions and input validation.

pub mod checked;
pub mod requirements;
pub mod validate;
