//! Group commit for attempts on SQLite.
//!
//! With `synchronous=FULL` every commit waits for an `fsync` of the WAL, and SQLite has one
//! writer: one attempt per transaction caps a server at one `fsync` per attempt. Here one task
//! owns the attempt writes: it takes every attempt waiting in its queue (up to [`MAX_BATCH`]),
//! stores them one after the other in one transaction (each with exactly the checks of a lone
//! attempt: idempotency key, limit, number), commits once, and only then answers each waiting
//! request. No attempt is acknowledged before the commit that holds it is durable; if that
//! commit fails, every attempt of the batch gets the error and none was stored.
//!
//! There is no timer: a batch is whatever arrived while the previous one was being committed,
//! so a lone attempt is committed at once and a burst shares `fsync`s.

use tokio::sync::{mpsc, oneshot};

use super::attempts::{Idempotency, NewAttempt, RecordOutcome, Stored, record_in};
use super::{DbError, now_ms};
use sqlx::AnyPool;

/// At most this many attempts share one transaction (bounds the time the writer is held).
const MAX_BATCH: usize = 128;

/// Renders the response body from what was stored (see [`super::Db::record_attempt`]).
pub(super) type Respond = Box<dyn Fn(Stored) -> String + Send + Sync>;

struct Job {
    person_id: i64,
    exercise_id: String,
    answer: String,
    result: String,
    score: f64,
    passed: bool,
    content_hash: String,
    grader_version: String,
    limit: u32,
    idem: Option<(String, String)>,
    respond: Respond,
    reply: oneshot::Sender<Result<RecordOutcome, DbError>>,
}

impl Job {
    fn attempt(&self) -> NewAttempt<'_> {
        NewAttempt {
            person_id: self.person_id,
            exercise_id: &self.exercise_id,
            answer: &self.answer,
            result: &self.result,
            score: self.score,
            passed: self.passed,
            content_hash: &self.content_hash,
            grader_version: &self.grader_version,
            limit: self.limit,
        }
    }

    fn idempotency(&self) -> Option<Idempotency<'_>> {
        self.idem.as_ref().map(|(key, hash)| Idempotency {
            key,
            request_hash: hash,
        })
    }
}

/// The queue to the attempt writer task.
#[derive(Debug, Clone)]
pub(super) struct AttemptBatcher {
    queue: mpsc::Sender<Job>,
}

impl AttemptBatcher {
    /// Starts the writer task on the current runtime; it ends when every sender is dropped.
    pub(super) fn start(write: AnyPool) -> Self {
        let (queue, jobs) = mpsc::channel(4 * MAX_BATCH);
        tokio::spawn(writer(write, jobs));
        Self { queue }
    }

    pub(super) async fn record(
        &self,
        new: &NewAttempt<'_>,
        idem: Option<Idempotency<'_>>,
        respond: Respond,
    ) -> Result<RecordOutcome, DbError> {
        let (reply, answer) = oneshot::channel();
        let job = Job {
            person_id: new.person_id,
            exercise_id: new.exercise_id.to_owned(),
            answer: new.answer.to_owned(),
            result: new.result.to_owned(),
            score: new.score,
            passed: new.passed,
            content_hash: new.content_hash.to_owned(),
            grader_version: new.grader_version.to_owned(),
            limit: new.limit,
            idem: idem.map(|i| (i.key.to_owned(), i.request_hash.to_owned())),
            respond,
            reply,
        };
        let gone = || DbError::Unavailable("the attempt writer has stopped".to_owned());
        self.queue.send(job).await.map_err(|_| gone())?;
        answer.await.map_err(|_| gone())?
    }
}

async fn writer(write: AnyPool, mut jobs: mpsc::Receiver<Job>) {
    let mut batch = Vec::with_capacity(MAX_BATCH);
    while jobs.recv_many(&mut batch, MAX_BATCH).await > 0 {
        match commit(&write, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    // A requester that went away (client disconnected) is simply not told.
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, attempts = batch.len(), "an attempt batch was not stored");
                let unavailable = e.is_unavailable();
                let text = e.to_string();
                for job in batch.drain(..) {
                    let error = if unavailable {
                        DbError::Unavailable(text.clone())
                    } else {
                        DbError::Batch(text.clone())
                    };
                    let _ = job.reply.send(Err(error));
                }
            }
        }
    }
}

/// Stores every job of the batch in one transaction; all or nothing.
async fn commit(write: &AnyPool, batch: &[Job]) -> Result<Vec<RecordOutcome>, DbError> {
    let now = now_ms();
    let mut tx = write.begin().await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let outcome = record_in(
            &mut tx,
            &job.attempt(),
            job.idempotency(),
            &*job.respond,
            now,
        )
        .await?
        // One writer connection: no other transaction can take a number or key meanwhile.
        .ok_or_else(|| DbError::Batch("an attempt number was taken concurrently".to_owned()))?;
        outcomes.push(outcome);
    }
    tx.commit().await?;
    Ok(outcomes)
}
