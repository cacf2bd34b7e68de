//! The login check: throttle first (so a blocked key costs no hash), then the password, with a
//! dummy verify for unknown e-mails so that the time and the answer do not tell whether an
//! account exists. Failures count per e-mail and per client address (`throttle`).

use std::fmt;
use std::net::IpAddr;

use super::AuthError;
use super::password;
use super::throttle::{
    ADDR_WINDOW_MS, EMAIL_WINDOW_MS, addr_blocked_until, addr_key, email_delay_ms, email_key,
    retry_after_secs,
};
use crate::db::{Db, now_ms};

/// One login as submitted.
pub struct Credentials<'a> {
    pub email: &'a str,
    pub password: String,
    /// The client address (after trusted proxies); `None` when unknown.
    pub client: Option<IpAddr>,
    /// Failed logins one address may make per 15 minutes.
    pub addr_ceiling: u32,
}

/// The password never reaches a log.
impl fmt::Debug for Credentials<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Credentials")
            .field("client", &self.client)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LoginOutcome {
    LoggedIn {
        person_id: i64,
    },
    /// Wrong e-mail or password (one answer for both). `person_id` is for the audit log only.
    Refused {
        person_id: Option<i64>,
    },
    /// Too many failures; try again after this many seconds. The password was not checked.
    Throttled {
        retry_after_secs: i64,
    },
}

/// Checks a login and counts a failure.
pub async fn check(db: &Db, credentials: Credentials<'_>) -> Result<LoginOutcome, AuthError> {
    let now = now_ms();
    let email_key = email_key(credentials.email);
    let addr_key = addr_key(credentials.client);
    if let Some(until) = blocked_until(db, &email_key, &addr_key, now).await? {
        return Ok(LoginOutcome::Throttled {
            retry_after_secs: retry_after_secs(until, now),
        });
    }
    let candidate = db.login_candidate(credentials.email).await?;
    let (person_id, stored) = match candidate {
        Some((id, hash)) => (Some(id), hash),
        None => (None, None),
    };
    let verified = password::verify(credentials.password, stored).await;
    if let Some(person_id) = person_id.filter(|_| verified) {
        db.clear_throttle(&email_key).await?;
        return Ok(LoginOutcome::LoggedIn { person_id });
    }
    count_failure(db, &email_key, &addr_key, credentials.addr_ceiling).await?;
    Ok(LoginOutcome::Refused { person_id })
}

/// Checks a logged-in person's current password (a password change), under the same throttle
/// as their e-mail's logins, so a stolen session cannot guess it.
pub async fn check_current(
    db: &Db,
    person_id: i64,
    credentials: Credentials<'_>,
) -> Result<LoginOutcome, AuthError> {
    let now = now_ms();
    let email_key = email_key(credentials.email);
    let addr_key = addr_key(credentials.client);
    if let Some(until) = blocked_until(db, &email_key, &addr_key, now).await? {
        return Ok(LoginOutcome::Throttled {
            retry_after_secs: retry_after_secs(until, now),
        });
    }
    let stored = db.password_hash(person_id).await?;
    if password::verify(credentials.password, stored).await {
        return Ok(LoginOutcome::LoggedIn { person_id });
    }
    count_failure(db, &email_key, &addr_key, credentials.addr_ceiling).await?;
    Ok(LoginOutcome::Refused {
        person_id: Some(person_id),
    })
}

async fn blocked_until(
    db: &Db,
    email_key: &str,
    addr_key: &str,
    now: i64,
) -> Result<Option<i64>, AuthError> {
    let by_email = db.throttled_until(email_key, now).await?;
    let by_addr = db.throttled_until(addr_key, now).await?;
    Ok(by_email.max(by_addr))
}

async fn count_failure(
    db: &Db,
    email_key: &str,
    addr_key: &str,
    addr_ceiling: u32,
) -> Result<(), AuthError> {
    let now = now_ms();
    db.record_failure(
        email_key,
        now,
        EMAIL_WINDOW_MS,
        |failures, _| match email_delay_ms(failures) {
            0 => 0,
            delay => now + delay,
        },
    )
    .await?;
    db.record_failure(addr_key, now, ADDR_WINDOW_MS, |failures, first| {
        addr_blocked_until(failures, first, addr_ceiling)
    })
    .await?;
    Ok(())
}
