//! The periodic purge (service spec, "Storage"): expired sessions, settled throttle rows,
//! idempotency keys past their 24 hours, and used or expired invitation links.

use super::attempts::IDEMPOTENCY_TTL_MS;
use super::{Db, DbError};

/// What decides expiry; the web layer's settings and the throttle's longest window.
#[derive(Debug, Clone, Copy)]
pub struct PurgePolicy {
    pub session_idle_ms: i64,
    pub session_max_ms: i64,
    pub throttle_window_ms: i64,
}

/// How many rows each part of a purge removed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Purged {
    pub sessions: u64,
    pub throttles: u64,
    pub idempotency_keys: u64,
    pub invitations: u64,
}

impl Db {
    pub async fn purge(&self, now_ms: i64, policy: PurgePolicy) -> Result<Purged, DbError> {
        // A pre-login session has no idle limit (a login form may stay open a while), only the
        // absolute one.
        let sessions = sqlx::query(
            "delete from session where created_at_ms < $1 \
             or (person_id is not null and last_seen_ms < $2)",
        )
        .bind(now_ms - policy.session_max_ms)
        .bind(now_ms - policy.session_idle_ms)
        .execute(self.writer())
        .await?
        .rows_affected();
        let throttles = sqlx::query(
            "delete from throttle where blocked_until_ms < $1 and first_failure_ms < $2",
        )
        .bind(now_ms)
        .bind(now_ms - policy.throttle_window_ms)
        .execute(self.writer())
        .await?
        .rows_affected();
        let idempotency_keys = sqlx::query("delete from idempotency_key where created_at_ms < $1")
            .bind(now_ms - IDEMPOTENCY_TTL_MS)
            .execute(self.writer())
            .await?
            .rows_affected();
        let invitations = sqlx::query(
            "delete from invitation where expires_at_ms < $1 or used_at_ms is not null",
        )
        .bind(now_ms)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(Purged {
            sessions,
            throttles,
            idempotency_keys,
            invitations,
        })
    }
}
