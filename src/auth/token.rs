//! Random tokens (session ids, CSRF tokens, link and API tokens) and the hashes they are
//! stored under.

use sha2::{Digest, Sha256};

/// API tokens start with this, so a leaked one is recognisable (secret scanners, logs).
pub const API_TOKEN_PREFIX: &str = "kst_";

/// 32 random bytes as hex: 256 bits, well above the 128 a session id needs.
pub fn random_token() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)?;
    Ok(hex::encode(bytes))
}

/// A new read-only API token: the prefix and 256 random bits.
pub fn new_api_token() -> Result<String, getrandom::Error> {
    Ok(format!("{API_TOKEN_PREFIX}{}", random_token()?))
}

/// A pseudonym: `p-` and 64 random bits, unique in practice and meaningless by design.
pub fn new_pseudonym() -> Result<String, getrandom::Error> {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes)?;
    Ok(format!("p-{}", hex::encode(bytes)))
}

/// What the database keeps of a token: its SHA-256, so a leaked table opens no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Compares two strings in time independent of where they differ (CSRF tokens).
pub fn constant_time_eq(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token().unwrap_or_default();
        let b = random_token().unwrap_or_default();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_ne!(token_hash(&a), a);
        assert_eq!(token_hash(&a), token_hash(&a));
        assert!(constant_time_eq(&a, &a) && !constant_time_eq(&a, &b));
        let api = new_api_token().unwrap_or_default();
        assert!(api.starts_with(API_TOKEN_PREFIX) && api.len() == 68);
        assert!(new_pseudonym().is_ok_and(|p| p.starts_with("p-") && p.len() == 18));
    }
}
