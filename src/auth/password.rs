//! Passwords: argon2id with parameters pinned in one place, hashed off the async runtime with a
//! bounded number at once (each hash holds 19 MiB), and the rules a new password must meet.

use std::sync::{Arc, LazyLock};

use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::{Algorithm, Argon2, Params, Version};
use tokio::sync::Semaphore;

/// OWASP's floor for argon2id: 19 MiB, 2 passes, 1 lane.
pub const MEMORY_KIB: u32 = 19 * 1024;
pub const PASSES: u32 = 2;
pub const LANES: u32 = 1;

/// At most this many hashes run at once, so a burst of logins cannot exhaust memory: the
/// hashing memory is bounded by `CONCURRENT_HASHES × MEMORY_KIB` (76 MiB), whatever the load.
pub const CONCURRENT_HASHES: usize = 4;

static HASHING: LazyLock<Arc<Semaphore>> =
    LazyLock::new(|| Arc::new(Semaphore::new(CONCURRENT_HASHES)));

/// A hash of a random password, verified when the e-mail is unknown so that the time and the
/// answer do not reveal who has an account.
static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("kartskola-dummy-password-never-used").unwrap_or_default());

fn argon2() -> Result<Argon2<'static>, PasswordError> {
    let params = Params::new(MEMORY_KIB, PASSES, LANES, None)
        .map_err(|e| PasswordError::Hash(e.to_string()))?;
    Ok(Argon2::new(Algorithm::Argon2id, Version::V0x13, params))
}

#[derive(Debug, thiserror::Error)]
pub enum PasswordError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("password hashing was interrupted")]
    Interrupted,
}

/// Computes the dummy hash now, so that the first login with an unknown e-mail does not take
/// longer than the others (start-up calls this).
pub async fn warm_up() {
    let _ = tokio::task::spawn_blocking(|| DUMMY_HASH.len()).await;
}

/// Hashes on this thread (CLI and seeding); servers use [`hash`].
pub fn hash_blocking(password: &str) -> Result<String, PasswordError> {
    argon2()?
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| PasswordError::Hash(e.to_string()))
}

fn verify_blocking(password: &str, stored: Option<&str>) -> bool {
    let Ok(argon2) = argon2() else { return false };
    let hash = stored.unwrap_or(DUMMY_HASH.as_str());
    let ok = argon2.verify_password(password.as_bytes(), hash).is_ok();
    ok && stored.is_some()
}

/// Hashes a password on a blocking thread, at most [`CONCURRENT_HASHES`] at once.
pub async fn hash(password: String) -> Result<String, PasswordError> {
    let _permit = HASHING
        .clone()
        .acquire_owned()
        .await
        .map_err(|_| PasswordError::Interrupted)?;
    tokio::task::spawn_blocking(move || hash_blocking(&password))
        .await
        .map_err(|_| PasswordError::Interrupted)?
}

/// Verifies a password against a stored hash; with no hash (unknown e-mail, no password set)
/// a dummy hash is verified anyway and the answer is `false`.
pub async fn verify(password: String, stored: Option<String>) -> bool {
    let Ok(_permit) = HASHING.clone().acquire_owned().await else {
        return false;
    };
    tokio::task::spawn_blocking(move || verify_blocking(&password, stored.as_deref()))
        .await
        .unwrap_or(false)
}

/// Why a new password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum WeakPassword {
    #[error("the password must have at least 12 characters")]
    TooShort,
    #[error("the password must have at most 128 characters")]
    TooLong,
    #[error("the password is too common or too easy to guess")]
    Common,
}

/// Words that make a password obviously guessable here: common passwords and words of this service.
const WEAK_WORDS: &[&str] = &[
    "password",
    "passw0rd",
    "iloveyou",
    "monkey",
    "dragon",
    "master",
    "football",
    "sunshine",
    "princess",
    "trustno1",
    "hejsan",
    "hemligt",
    "hemlig",
    "sverige",
    "sweden",
    "asdfgh",
    "zxcvbn",
    "111111",
    "654321",
    "987654",
    "gis",
    "qgis",
    "arcgis",
    "spin",
    "lulea",
    "luleå",
    "umea",
    "umeå",
    "ostersund",
    "östersund",
    "sundsvall",
    "harnosand",
    "härnösand",
    "kiruna",
    "skelleftea",
    "skellefteå",
    "planering",
    "planner",
    "utbildning",
    "demo",
    "lösenord",
    "losenord",
    "qwerty",
    "123456",
    "abc123",
    "letmein",
    "welcome",
    "välkommen",
    "kartskola",
    "karta",
    "kartor",
    "norrbotten",
    "vasterbotten",
    "västerbotten",
    "jamtland",
    "jämtland",
    "harjedalen",
    "härjedalen",
    "vasternorrland",
    "västernorrland",
    "sommar",
    "vinter",
    "admin",
    "region",
];

/// Length 12 to 128 characters, no composition rules, and not built from an obvious word
/// with only digits or a repeated character around it.
pub fn check_strength(password: &str) -> Result<(), WeakPassword> {
    check_strength_for(password, &[])
}

/// [`check_strength`], also refusing a password built from the person's own e-mail or name
/// (`context`: the e-mail and display name, split into words; one-letter words are ignored).
pub fn check_strength_for(password: &str, context: &[&str]) -> Result<(), WeakPassword> {
    let chars = password.chars().count();
    if chars < 12 {
        return Err(WeakPassword::TooShort);
    }
    if chars > 128 {
        return Err(WeakPassword::TooLong);
    }
    let lower = password.to_lowercase();
    // The parts of the e-mail and name, longest first (so "anna" goes before "an").
    let mut personal: Vec<String> = context
        .iter()
        .flat_map(|c| {
            c.to_lowercase()
                .split(|ch: char| !ch.is_alphanumeric())
                .map(str::to_owned)
                .collect::<Vec<_>>()
        })
        .filter(|part| part.chars().count() >= 2)
        .collect();
    personal.sort_by_key(|part| std::cmp::Reverse(part.len()));
    let mut rest = lower.clone();
    for word in WEAK_WORDS
        .iter()
        .copied()
        .chain(personal.iter().map(String::as_str))
    {
        rest = rest.replace(word, "");
    }
    let distinct: std::collections::HashSet<char> = lower.chars().collect();
    let rest_is_trivial = rest
        .chars()
        .all(|c| c.is_ascii_digit() || !c.is_alphanumeric());
    if distinct.len() <= 3 || (rest.len() < lower.len() && rest_is_trivial) || is_sequence(&lower) {
        return Err(WeakPassword::Common);
    }
    Ok(())
}

fn is_sequence(s: &str) -> bool {
    let bytes = s.as_bytes();
    bytes.windows(2).all(|w| w[1].wrapping_sub(w[0]) == 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strength_rules() {
        assert_eq!(check_strength("kort"), Err(WeakPassword::TooShort));
        assert_eq!(check_strength(&"a".repeat(129)), Err(WeakPassword::TooLong));
        assert_eq!(check_strength("aaaaaaaaaaaaaa"), Err(WeakPassword::Common));
        assert_eq!(check_strength("Kartskola2026!"), Err(WeakPassword::Common));
        assert_eq!(check_strength("lösenord123456"), Err(WeakPassword::Common));
        assert_eq!(
            check_strength("abcdefghijklmnop"),
            Err(WeakPassword::Common)
        );
        assert_eq!(check_strength("fjällbjörk i motvind"), Ok(()));
        assert_eq!(check_strength(&"ab3!".repeat(32)), Ok(()));
        assert_eq!(check_strength("Passw0rd2026!!"), Err(WeakPassword::Common));
        assert_eq!(check_strength("sverige-sverige"), Err(WeakPassword::Common));
    }

    #[test]
    fn a_password_made_of_ones_own_name_is_refused() {
        let context = ["anna.lindqvist@boden.se", "Anna Lindqvist"];
        assert_eq!(
            check_strength_for("lindqvist2026!", &context),
            Err(WeakPassword::Common)
        );
        assert_eq!(
            check_strength_for("annalindqvist", &context),
            Err(WeakPassword::Common)
        );
        assert_eq!(check_strength_for("fjällbjörk i motvind", &context), Ok(()));
    }

    #[test]
    fn hashes_verify_and_use_argon2id() {
        let hash = hash_blocking("fjällbjörk i motvind").unwrap_or_default();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(verify_blocking("fjällbjörk i motvind", Some(&hash)));
        assert!(!verify_blocking("fel lösenord här", Some(&hash)));
        assert!(!verify_blocking(
            "kartskola-dummy-password-never-used",
            None
        ));
    }
}
