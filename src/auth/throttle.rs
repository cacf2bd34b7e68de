//! The login throttle's policy (the counting lives in the database, so it holds across
//! processes and restarts). Two counters:
//!
//! - per submitted e-mail, whether or not it has an account (so a refusal reveals nothing):
//!   [`FREE_FAILURES`] failures, then a delay that doubles with each further failure up to
//!   [`MAX_DELAY_MS`]; failures are forgotten [`EMAIL_WINDOW_MS`] after the first, so there is
//!   never a permanent lock;
//! - per client address, failed logins only, up to a high ceiling per [`ADDR_WINDOW_MS`] (a
//!   meeting room of 40 people sits behind one address).

use std::net::IpAddr;

use sha2::{Digest, Sha256};

use crate::db::normalise_email;

/// Failures allowed before the first delay.
pub const FREE_FAILURES: i64 = 5;
/// The delay after the fifth failure; each further failure doubles it.
pub const FIRST_DELAY_MS: i64 = 30_000;
/// The longest delay: a person who forgot their password is never locked out for long.
pub const MAX_DELAY_MS: i64 = 15 * 60_000;
/// An e-mail's failures are counted from the first one for this long.
pub const EMAIL_WINDOW_MS: i64 = 24 * 3_600_000;
/// A client address's failures are counted from the first one for this long.
pub const ADDR_WINDOW_MS: i64 = 15 * 60_000;

/// The throttle key of a submitted e-mail: a hash, so the table holds no addresses.
pub fn email_key(email: &str) -> String {
    format!(
        "email:{}",
        hex::encode(Sha256::digest(normalise_email(email).as_bytes()))
    )
}

/// The throttle key of a client address; IPv6 clients are counted per /64, the block one
/// household or office gets, so rotating addresses within it does not help.
pub fn addr_key(addr: Option<IpAddr>) -> String {
    match addr {
        None => "addr:unknown".to_owned(),
        Some(IpAddr::V4(v4)) => format!("addr:{v4}"),
        Some(IpAddr::V6(v6)) => match v6.to_ipv4_mapped() {
            Some(v4) => format!("addr:{v4}"),
            None => {
                let s = v6.segments();
                format!("addr:{:x}:{:x}:{:x}:{:x}::/64", s[0], s[1], s[2], s[3])
            }
        },
    }
}

/// How long an e-mail is blocked after its `failures`-th failure.
pub fn email_delay_ms(failures: i64) -> i64 {
    if failures < FREE_FAILURES {
        return 0;
    }
    let doublings = u32::try_from((failures - FREE_FAILURES).min(20)).unwrap_or(20);
    FIRST_DELAY_MS
        .saturating_mul(1_i64 << doublings)
        .min(MAX_DELAY_MS)
}

/// Until when an address is blocked after its `failures`-th failure in the window that began
/// at `first_failure_ms` (0: not blocked).
pub fn addr_blocked_until(failures: i64, first_failure_ms: i64, ceiling: u32) -> i64 {
    if failures >= i64::from(ceiling) {
        first_failure_ms + ADDR_WINDOW_MS
    } else {
        0
    }
}

/// Whole seconds to announce in `Retry-After`, at least 1.
pub fn retry_after_secs(blocked_until_ms: i64, now_ms: i64) -> i64 {
    ((blocked_until_ms - now_ms + 999) / 1000).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn five_free_failures_then_a_doubling_capped_delay() {
        assert_eq!(email_delay_ms(1), 0);
        assert_eq!(email_delay_ms(4), 0);
        assert_eq!(email_delay_ms(5), 30_000);
        assert_eq!(email_delay_ms(6), 60_000);
        assert_eq!(email_delay_ms(7), 120_000);
        assert_eq!(email_delay_ms(9), 480_000);
        assert_eq!(email_delay_ms(10), MAX_DELAY_MS);
        assert_eq!(email_delay_ms(10_000), MAX_DELAY_MS);
    }

    #[test]
    fn keys_hide_emails_and_group_ipv6_by_64() {
        let key = email_key(" Anna@Kommun.se ");
        assert_eq!(key, email_key("anna@kommun.se"));
        assert!(!key.contains("anna"));
        let a: IpAddr = "2001:db8:1:2:aaaa::1"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        let b: IpAddr = "2001:db8:1:2:bbbb::9"
            .parse()
            .unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(addr_key(Some(a)), addr_key(Some(b)));
        assert_eq!(addr_key(Some(IpAddr::from([10, 0, 0, 1]))), "addr:10.0.0.1");
        let mapped: IpAddr = "::ffff:10.0.0.1".parse().unwrap_or(IpAddr::from([0; 4]));
        assert_eq!(addr_key(Some(mapped)), "addr:10.0.0.1");
    }

    #[test]
    fn addresses_block_at_the_ceiling_until_the_window_ends() {
        assert_eq!(addr_blocked_until(99, 1_000, 100), 0);
        assert_eq!(addr_blocked_until(100, 1_000, 100), 1_000 + ADDR_WINDOW_MS);
        assert_eq!(retry_after_secs(10_500, 10_000), 1);
        assert_eq!(retry_after_secs(40_000, 10_000), 30);
    }
}
