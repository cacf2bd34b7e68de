//! Live class sessions: sessions, guests, answers and the event log the live views replay.
//!
//! Every change that a live view shows is written together with its `live_event` row in one
//! transaction that first takes the session row's lock (`update live_session … where …`). That
//! lock orders the events of one session: on PostgreSQL an identity value is taken at insert but
//! becomes visible at commit, so without it event 11 could become visible before event 10 and a
//! stream that had read up to 11 would never see 10. On PostgreSQL the same transaction sends a
//! `NOTIFY`, delivered only if it commits, which is how other server processes learn of it.

use sqlx::postgres::PgListener;
use sqlx::{Any, Transaction};

use super::{Backend, Db, DbError, now_ms};

/// The PostgreSQL channel of live events; a notification's payload is
/// `<session id>:<event id>:<trainer only 0/1>` (ids only: payloads are limited to 8000 bytes).
pub const LIVE_CHANNEL: &str = "kartskola_live";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveSessionRow {
    pub live_session_id: i64,
    pub code: String,
    pub trainer_id: i64,
    pub exercise_id: String,
    pub round: i64,
    pub state: String,
    pub allow_guests: i64,
    pub created_at_ms: i64,
    pub ended_at_ms: Option<i64>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveEventRow {
    pub live_event_id: i64,
    pub kind: String,
    pub trainer_only: i64,
    pub payload: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LiveAnswerRow {
    pub live_answer_id: i64,
    pub answer: String,
    pub result: String,
    pub score: f64,
}

/// An event to append to a session's log.
#[derive(Debug, Clone, Copy)]
pub struct NewLiveEvent<'a> {
    pub kind: &'a str,
    pub trainer_only: bool,
    pub payload: &'a str,
}

/// A graded live answer to store.
#[derive(Debug, Clone, Copy)]
pub struct NewLiveAnswer<'a> {
    pub live_session_id: i64,
    pub round: i64,
    pub exercise_id: &'a str,
    /// `p<person id>` or `g<guest id>`.
    pub participant: &'a str,
    pub person_id: Option<i64>,
    pub answer: &'a str,
    pub result: &'a str,
    pub score: f64,
    pub passed: bool,
}

/// What became of a live answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LiveAnswerOutcome {
    Stored {
        answer_id: i64,
        event_id: i64,
    },
    /// The round is not open (closed, revealed, moved on, or ended).
    NotOpen,
    /// This participant already answered in this round.
    AlreadyAnswered,
}

const SESSION_COLUMNS: &str = "live_session_id, code, trainer_id, exercise_id, round, state, \
                               allow_guests, created_at_ms, ended_at_ms";

impl Db {
    /// Starts a session in its first round, open for answers, with its first event. `None` if
    /// the code is taken (the caller draws another).
    pub async fn create_live_session(
        &self,
        code: &str,
        trainer_id: i64,
        exercise_id: &str,
        allow_guests: bool,
        first_event: impl FnOnce(&LiveSessionRow) -> String,
    ) -> Result<Option<LiveSessionRow>, DbError> {
        let mut tx = self.writer().begin().await?;
        let row = sqlx::query_as::<_, LiveSessionRow>(sqlx::AssertSqlSafe(format!(
            "insert into live_session (code, trainer_id, exercise_id, round, state, allow_guests, \
                                       created_at_ms) values ($1, $2, $3, 1, 'open', $4, $5) \
             returning {SESSION_COLUMNS}"
        )))
        .bind(code)
        .bind(trainer_id)
        .bind(exercise_id)
        .bind(i64::from(allow_guests))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await;
        let row = match row {
            Ok(row) => row,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let payload = first_event(&row);
        self.push_event(
            &mut tx,
            row.live_session_id,
            NewLiveEvent {
                kind: "state",
                trainer_only: false,
                payload: &payload,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(Some(row))
    }

    pub async fn live_session_by_code(
        &self,
        code: &str,
    ) -> Result<Option<LiveSessionRow>, DbError> {
        Ok(
            sqlx::query_as::<_, LiveSessionRow>(sqlx::AssertSqlSafe(format!(
                "select {SESSION_COLUMNS} from live_session where code = $1"
            )))
            .bind(code)
            .fetch_optional(self.reader())
            .await?,
        )
    }

    /// Moves a session from `from_state` in `from_round` to its next state, with the event that
    /// says so. `None` if the session was no longer where the caller saw it (a concurrent
    /// control): nothing is changed then.
    pub async fn live_transition(
        &self,
        session: &LiveSessionRow,
        to_state: &str,
        to_round: i64,
        to_exercise: &str,
        event: NewLiveEvent<'_>,
    ) -> Result<Option<i64>, DbError> {
        let mut tx = self.writer().begin().await?;
        let ended = (to_state == "ended").then(now_ms);
        let changed = sqlx::query(
            "update live_session set state = $1, round = $2, exercise_id = $3, \
                                     ended_at_ms = coalesce(ended_at_ms, $4) \
             where live_session_id = $5 and state = $6 and round = $7",
        )
        .bind(to_state)
        .bind(to_round)
        .bind(to_exercise)
        .bind(ended)
        .bind(session.live_session_id)
        .bind(&session.state)
        .bind(session.round)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if changed == 0 {
            return Ok(None);
        }
        let id = self
            .push_event(&mut tx, session.live_session_id, event)
            .await?;
        if ended.is_some() {
            // The guests' names and tokens go with the session (the answers stay, anonymous).
            sqlx::query("delete from live_guest where live_session_id = $1")
                .bind(session.live_session_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(id))
    }

    /// Appends an event that changes no state (e.g. the best and worst answers), ordered with
    /// the others by the session row's lock.
    pub async fn live_note(
        &self,
        live_session_id: i64,
        event: NewLiveEvent<'_>,
    ) -> Result<i64, DbError> {
        let mut tx = self.writer().begin().await?;
        lock_session(&mut tx, live_session_id).await?;
        let id = self.push_event(&mut tx, live_session_id, event).await?;
        tx.commit().await?;
        Ok(id)
    }

    /// Stores a graded answer if its round is still open and the participant has not answered
    /// it, with the event that shows it. `event` renders that event's payload from the answer's
    /// id and the scores of the round so far (this one included), read under the same lock.
    pub async fn record_live_answer(
        &self,
        new: &NewLiveAnswer<'_>,
        event: impl FnOnce(i64, &[f64]) -> String,
    ) -> Result<LiveAnswerOutcome, DbError> {
        let mut tx = self.writer().begin().await?;
        let open = sqlx::query(
            "update live_session set round = round \
             where live_session_id = $1 and round = $2 and state = 'open'",
        )
        .bind(new.live_session_id)
        .bind(new.round)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if open == 0 {
            return Ok(LiveAnswerOutcome::NotOpen);
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            "insert into live_answer (live_session_id, round, exercise_id, participant, person_id, \
                                      answer, result, score, passed, created_at_ms) \
             values ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) returning live_answer_id",
        )
        .bind(new.live_session_id)
        .bind(new.round)
        .bind(new.exercise_id)
        .bind(new.participant)
        .bind(new.person_id)
        .bind(new.answer)
        .bind(new.result)
        .bind(new.score)
        .bind(i64::from(new.passed))
        .bind(now_ms())
        .fetch_one(&mut *tx)
        .await;
        let answer_id = match inserted {
            Ok(id) => id,
            Err(sqlx::Error::Database(e)) if e.is_unique_violation() => {
                return Ok(LiveAnswerOutcome::AlreadyAnswered);
            }
            Err(e) => return Err(e.into()),
        };
        let scores = sqlx::query_scalar::<_, f64>(
            "select score from live_answer where live_session_id = $1 and round = $2",
        )
        .bind(new.live_session_id)
        .bind(new.round)
        .fetch_all(&mut *tx)
        .await?;
        let payload = event(answer_id, &scores);
        let event_id = self
            .push_event(
                &mut tx,
                new.live_session_id,
                NewLiveEvent {
                    kind: "answer",
                    trainer_only: true,
                    payload: &payload,
                },
            )
            .await?;
        tx.commit().await?;
        Ok(LiveAnswerOutcome::Stored {
            answer_id,
            event_id,
        })
    }

    /// The answers of one round, oldest first.
    pub async fn live_round_answers(
        &self,
        live_session_id: i64,
        round: i64,
    ) -> Result<Vec<LiveAnswerRow>, DbError> {
        Ok(sqlx::query_as::<_, LiveAnswerRow>(
            "select live_answer_id, answer, result, score from live_answer \
             where live_session_id = $1 and round = $2 order by live_answer_id",
        )
        .bind(live_session_id)
        .bind(round)
        .fetch_all(self.reader())
        .await?)
    }

    /// Events after `after` (an SSE `Last-Event-ID`), oldest first, at most `limit`.
    pub async fn live_events_after(
        &self,
        live_session_id: i64,
        after: i64,
        with_trainer_only: bool,
        limit: i64,
    ) -> Result<Vec<LiveEventRow>, DbError> {
        Ok(sqlx::query_as::<_, LiveEventRow>(
            "select live_event_id, kind, trainer_only, payload from live_event \
             where live_session_id = $1 and live_event_id > $2 and trainer_only <= $3 \
             order by live_event_id limit $4",
        )
        .bind(live_session_id)
        .bind(after)
        .bind(i64::from(with_trainer_only))
        .bind(limit)
        .fetch_all(self.reader())
        .await?)
    }

    /// Adds a named guest to a session; the caller keeps the token, only its hash is stored.
    pub async fn insert_live_guest(
        &self,
        live_session_id: i64,
        display_name: &str,
        token_hash: &str,
    ) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "insert into live_guest (live_session_id, display_name, token_hash, created_at_ms) \
             values ($1, $2, $3, $4) returning live_guest_id",
        )
        .bind(live_session_id)
        .bind(display_name)
        .bind(token_hash)
        .bind(now_ms())
        .fetch_one(self.writer())
        .await?)
    }

    /// The guest (id, session id, name) holding the token with this hash.
    pub async fn live_guest(
        &self,
        token_hash: &str,
    ) -> Result<Option<(i64, i64, String)>, DbError> {
        Ok(sqlx::query_as::<_, (i64, i64, String)>(
            "select live_guest_id, live_session_id, display_name from live_guest \
             where token_hash = $1",
        )
        .bind(token_hash)
        .fetch_optional(self.reader())
        .await?)
    }

    /// Deletes the guests of sessions that ended or started before `started_before` (24 h ago).
    pub async fn purge_live_guests(&self, started_before: i64) -> Result<u64, DbError> {
        Ok(sqlx::query(
            "delete from live_guest where live_session_id in \
               (select live_session_id from live_session \
                where ended_at_ms is not null or created_at_ms < $1)",
        )
        .bind(started_before)
        .execute(self.writer())
        .await?
        .rows_affected())
    }

    /// How many guests a session has (for tests and the trainer's count).
    pub async fn live_guest_count(&self, live_session_id: i64) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "select count(*) from live_guest where live_session_id = $1",
        )
        .bind(live_session_id)
        .fetch_one(self.reader())
        .await?)
    }

    async fn push_event(
        &self,
        tx: &mut Transaction<'_, Any>,
        live_session_id: i64,
        event: NewLiveEvent<'_>,
    ) -> Result<i64, DbError> {
        let id = sqlx::query_scalar::<_, i64>(
            "insert into live_event (live_session_id, kind, trainer_only, payload, created_at_ms) \
             values ($1, $2, $3, $4, $5) returning live_event_id",
        )
        .bind(live_session_id)
        .bind(event.kind)
        .bind(i64::from(event.trainer_only))
        .bind(event.payload)
        .bind(now_ms())
        .fetch_one(&mut **tx)
        .await?;
        if self.backend() == Backend::Postgres {
            let note = format!("{live_session_id}:{id}:{}", i64::from(event.trainer_only));
            // Delivered at commit, and only if the transaction commits.
            sqlx::query("select pg_notify($1, $2)")
                .bind(LIVE_CHANNEL)
                .bind(note)
                .execute(&mut **tx)
                .await?;
        }
        Ok(id)
    }
}

/// Takes the session row's lock for the rest of the transaction (see the module comment).
async fn lock_session(tx: &mut Transaction<'_, Any>, live_session_id: i64) -> Result<(), DbError> {
    sqlx::query("update live_session set round = round where live_session_id = $1")
        .bind(live_session_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// A listener on [`LIVE_CHANNEL`] over its own PostgreSQL connection (`LISTEN` holds a
/// connection for good, so it cannot come from the shared `Any` pool).
pub async fn live_listener(url: &str) -> Result<PgListener, DbError> {
    let mut listener = PgListener::connect(url).await.map_err(DbError::connect)?;
    listener
        .listen(LIVE_CHANNEL)
        .await
        .map_err(DbError::connect)?;
    Ok(listener)
}
