//! Attempts and the idempotency keys that guard their creation.

use sqlx::{AnyConnection, FromRow};

use super::{Db, DbError, now_ms};

/// `select <every AttemptRow column> from attempt <rest>`, as one literal.
macro_rules! attempt_select {
    ($rest:literal) => {
        concat!(
            "select attempt_id, person_id, exercise_id, attempt_no, answer, result, score, passed, \
             content_hash, grader_version, created_at_ms from attempt ",
            $rest
        )
    };
}

/// An attempt as stored.
#[derive(Debug, Clone, FromRow)]
pub struct AttemptRow {
    pub attempt_id: i64,
    pub person_id: i64,
    pub exercise_id: String,
    pub attempt_no: i64,
    pub answer: String,
    pub result: String,
    pub score: f64,
    pub passed: i64,
    pub content_hash: String,
    pub grader_version: String,
    pub created_at_ms: i64,
}

/// What a new attempt stores; the result is already graded.
#[derive(Debug, Clone)]
pub struct NewAttempt<'a> {
    pub person_id: i64,
    pub exercise_id: &'a str,
    pub answer: &'a str,
    pub result: &'a str,
    pub score: f64,
    pub passed: bool,
    pub content_hash: &'a str,
    pub grader_version: &'a str,
    /// 0 = unlimited.
    pub limit: u32,
}

/// An `Idempotency-Key` and the hash of the request body it came with.
#[derive(Debug, Clone, Copy)]
pub struct Idempotency<'a> {
    pub key: &'a str,
    pub request_hash: &'a str,
}

/// What the history looked like when the attempt was stored (for the Reveal rule).
#[derive(Debug, Clone, Copy)]
pub struct Stored {
    pub attempt_id: i64,
    pub attempt_no: i64,
    /// Whether an earlier attempt at this exercise passed.
    pub passed_before: bool,
}

#[derive(Debug)]
pub enum RecordOutcome {
    /// Stored; the body is the response that was sent (and kept for a repeat).
    Created { body: String },
    /// A repeat of an earlier request with the same key and body.
    Replayed { status: u16, body: String },
    /// The same key came with another body.
    KeyReused,
    /// Every allowed attempt is used.
    Exhausted,
}

/// Idempotency keys are kept this long (service spec).
pub(super) const IDEMPOTENCY_TTL_MS: i64 = 24 * 3600 * 1000;

impl Db {
    /// A stored response for this key, if any: `Some(Ok(..))` to replay, `Some(Err(()))` when the
    /// key came with another body.
    pub async fn idempotent_response(
        &self,
        person_id: i64,
        idem: Idempotency<'_>,
    ) -> Result<Option<Result<(u16, String), ()>>, DbError> {
        let row = sqlx::query_as::<_, (String, i64, String)>(
            "select request_hash, response_status, response_body from idempotency_key \
             where person_id = $1 and idempotency_key = $2 and created_at_ms > $3",
        )
        .bind(person_id)
        .bind(idem.key)
        .bind(now_ms() - IDEMPOTENCY_TTL_MS)
        .fetch_optional(self.reader())
        .await?;
        Ok(row.map(|(hash, status, body)| {
            if hash == idem.request_hash {
                Ok((u16::try_from(status).unwrap_or(201), body))
            } else {
                Err(())
            }
        }))
    }

    /// Stores an attempt, atomically with its idempotency key: the limit is checked and the
    /// attempt number taken in one transaction, so concurrent submissions cannot exceed it
    /// (and the unique attempt number would refuse one that did). `respond` renders the
    /// response body from what was stored; it is kept with the key for repeats.
    ///
    /// On SQLite the attempt goes to the group-commit writer ([`super::attempt_batch`]): the
    /// attempts waiting at that moment share one transaction and one `fsync`. Either way the
    /// outcome is returned only after the commit.
    pub async fn record_attempt(
        &self,
        new: &NewAttempt<'_>,
        idem: Option<Idempotency<'_>>,
        respond: impl Fn(Stored) -> String + Send + Sync + 'static,
    ) -> Result<RecordOutcome, DbError> {
        if let Some(batcher) = &self.batcher {
            return batcher.record(new, idem, Box::new(respond)).await;
        }
        // PostgreSQL (SQLite has the batcher above). Two transactions of one person at one
        // exercise would count the same attempts and race for the same number, so each first
        // takes a transaction-scoped advisory lock on (exercise, person): they queue, and the
        // second sees the first's attempt (and key). Optimistic retries alone were not enough:
        // with several submissions of one person in flight on two processes, one could lose 20
        // races in a row and end in a 500 (seen in CI's two-process test). The retry stays as the
        // safety net for any writer of attempts that does not take the lock.
        let mut tries = 0;
        loop {
            tries += 1;
            let mut tx = self.writer().begin().await?;
            // (Wrapped, so the row holds an integer: the Any driver has no `void` type.)
            sqlx::query("select 1 from (select pg_advisory_xact_lock(hashtextextended($1, $2))) l")
                .bind(new.exercise_id)
                .bind(new.person_id)
                .execute(&mut *tx)
                .await?;
            match record_in(&mut tx, new, idem, &respond, now_ms()).await? {
                Some(outcome) => {
                    if matches!(outcome, RecordOutcome::Created { .. }) {
                        tx.commit().await?;
                    }
                    return Ok(outcome);
                }
                None if tries < 20 => {}
                None => {
                    return Err(DbError::Query(sqlx::Error::Protocol(
                        "the attempt number stayed contended after 20 tries".to_owned(),
                    )));
                }
            }
        }
    }
    /// How many attempts a person has made at an exercise, and whether one passed.
    pub async fn attempt_summary(
        &self,
        person_id: i64,
        exercise_id: &str,
    ) -> Result<(i64, bool), DbError> {
        let (count, passed) = sqlx::query_as::<_, (i64, Option<i64>)>(
            "select count(*), max(passed) from attempt where person_id = $1 and exercise_id = $2",
        )
        .bind(person_id)
        .bind(exercise_id)
        .fetch_one(self.reader())
        .await?;
        Ok((count, passed.unwrap_or(0) > 0))
    }

    /// The person's latest attempt at an exercise.
    pub async fn latest_attempt(
        &self,
        person_id: i64,
        exercise_id: &str,
    ) -> Result<Option<AttemptRow>, DbError> {
        Ok(sqlx::query_as::<_, AttemptRow>(attempt_select!(
            "where person_id = $1 and exercise_id = $2 order by attempt_no desc limit 1"
        ))
        .bind(person_id)
        .bind(exercise_id)
        .fetch_optional(self.reader())
        .await?)
    }

    /// One attempt, only if it is the caller's own.
    pub async fn own_attempt(
        &self,
        person_id: i64,
        attempt_id: i64,
    ) -> Result<Option<AttemptRow>, DbError> {
        Ok(sqlx::query_as::<_, AttemptRow>(attempt_select!(
            "where attempt_id = $1 and person_id = $2"
        ))
        .bind(attempt_id)
        .bind(person_id)
        .fetch_optional(self.reader())
        .await?)
    }
}

/// The work of storing one attempt inside the caller's transaction (nothing is committed here):
/// the idempotency check, the limit, the insert and the key. `None` when another transaction
/// took the attempt number or the key first (PostgreSQL): the caller rolls back and tries again.
pub(super) async fn record_in(
    conn: &mut AnyConnection,
    new: &NewAttempt<'_>,
    idem: Option<Idempotency<'_>>,
    respond: &(impl Fn(Stored) -> String + ?Sized),
    now: i64,
) -> Result<Option<RecordOutcome>, DbError> {
    if let Some(idem) = idem {
        let existing = sqlx::query_as::<_, (String, i64, String)>(
            "select request_hash, response_status, response_body from idempotency_key \
             where person_id = $1 and idempotency_key = $2",
        )
        .bind(new.person_id)
        .bind(idem.key)
        .fetch_optional(&mut *conn)
        .await?;
        if let Some((hash, status, body)) = existing {
            if hash == idem.request_hash {
                return Ok(Some(RecordOutcome::Replayed {
                    status: u16::try_from(status).unwrap_or(201),
                    body,
                }));
            }
            return Ok(Some(RecordOutcome::KeyReused));
        }
    }
    // The count and "passed before" come from the person's progress row, which the attempt
    // triggers keep in the same transactions: one row, however many attempts there are.
    let (count, passed_before) = sqlx::query_as::<_, (i64, i64)>(
        "select attempts, passed from exercise_progress where person_id = $1 and exercise_id = $2",
    )
    .bind(new.person_id)
    .bind(new.exercise_id)
    .fetch_optional(&mut *conn)
    .await?
    .unwrap_or((0, 0));
    if new.limit > 0 && count >= i64::from(new.limit) {
        return Ok(Some(RecordOutcome::Exhausted));
    }
    let attempt_no = count + 1;
    let attempt_id = sqlx::query_scalar::<_, i64>(
        "insert into attempt (person_id, exercise_id, attempt_no, answer, result, score, passed, \
                              content_hash, grader_version, created_at_ms) \
         values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning attempt_id",
    )
    .bind(new.person_id)
    .bind(new.exercise_id)
    .bind(attempt_no)
    .bind(new.answer)
    .bind(new.result)
    .bind(new.score)
    .bind(i64::from(new.passed))
    .bind(new.content_hash)
    .bind(new.grader_version)
    .bind(now)
    .fetch_one(&mut *conn)
    .await;
    let attempt_id = match attempt_id {
        Ok(id) => id,
        // Another transaction took this number between our count and insert (PostgreSQL).
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    let body = respond(Stored {
        attempt_id,
        attempt_no,
        passed_before: passed_before > 0,
    });
    if let Some(idem) = idem {
        let stored = sqlx::query(
            "insert into idempotency_key (person_id, idempotency_key, request_hash, response_status, \
                                          response_body, created_at_ms) values ($1, $2, $3, $4, $5, $6)",
        )
        .bind(new.person_id)
        .bind(idem.key)
        .bind(idem.request_hash)
        .bind(201_i64)
        .bind(&body)
        .bind(now)
        .execute(&mut *conn)
        .await;
        match stored {
            Ok(_) => {}
            // The same key, sent at once to another process, was stored first: try again, and
            // the repeat is answered from what that one stored.
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Some(RecordOutcome::Created { body }))
}
