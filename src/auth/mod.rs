//! Authentication below the web layer: password hashing and rules, and session tokens.

pub mod password;
pub mod token;
