//! Authentication and account rules below the web layer: password hashing and strength, random
//! tokens and their hashes, the login check with its throttle, and single-use links. Nothing
//! here knows about HTTP; the web layer and the shell call the same functions.

pub mod links;
pub mod login;
pub mod password;
pub mod throttle;
pub mod token;

use crate::db::DbError;

/// Why an authentication step could not be carried out (not: why a login was refused).
#[derive(Debug, thiserror::Error)]
pub enum AuthError {
    #[error(transparent)]
    Db(#[from] DbError),
    #[error(transparent)]
    Password(#[from] password::PasswordError),
    #[error("the system has no randomness: {0}")]
    Random(String),
}

impl From<getrandom::Error> for AuthError {
    fn from(e: getrandom::Error) -> Self {
        Self::Random(e.to_string())
    }
}
