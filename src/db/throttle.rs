//! The login throttle's counters (policy in `auth::throttle`). In the database, so a restart
//! or a second process does not reset them.

use super::{Db, DbError};

impl Db {
    /// Until when `key` is blocked, if it is blocked at `now_ms`.
    pub async fn throttled_until(&self, key: &str, now_ms: i64) -> Result<Option<i64>, DbError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "select blocked_until_ms from throttle where throttle_key = $1 and blocked_until_ms > $2",
        )
        .bind(key)
        .bind(now_ms)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Counts one failure for `key` (a window older than `window_ms` starts over) and sets the
    /// block `policy(failures, first_failure_ms)` returns, in one transaction so concurrent
    /// failures each count. Returns the failures in the window and the block set.
    pub async fn record_failure(
        &self,
        key: &str,
        now_ms: i64,
        window_ms: i64,
        policy: impl FnOnce(i64, i64) -> i64,
    ) -> Result<(i64, i64), DbError> {
        let mut tx = self.writer().begin().await?;
        let (failures, first_failure_ms) = sqlx::query_as::<_, (i64, i64)>(
            "insert into throttle (throttle_key, failures, first_failure_ms, blocked_until_ms) \
             values ($1, 1, $2, 0) \
             on conflict (throttle_key) do update set \
               failures = case when throttle.first_failure_ms < $3 then 1 else throttle.failures + 1 end, \
               first_failure_ms = case when throttle.first_failure_ms < $3 then $2 else throttle.first_failure_ms end \
             returning failures, first_failure_ms",
        )
        .bind(key)
        .bind(now_ms)
        .bind(now_ms - window_ms)
        .fetch_one(&mut *tx)
        .await?;
        let blocked_until = policy(failures, first_failure_ms);
        sqlx::query("update throttle set blocked_until_ms = $1 where throttle_key = $2")
            .bind(blocked_until)
            .bind(key)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok((failures, blocked_until))
    }

    /// Forgets a key's failures (after a successful login with that e-mail).
    pub async fn clear_throttle(&self, key: &str) -> Result<(), DbError> {
        sqlx::query("delete from throttle where throttle_key = $1")
            .bind(key)
            .execute(self.writer())
            .await?;
        Ok(())
    }
}
