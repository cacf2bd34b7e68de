//! The audit log: who did what, when, and with what outcome (logins, denials, capability and
//! placement changes, overrides, exports, account administration). It never holds passwords,
//! hashes, session ids or tokens: callers pass ids and fixed words, and `detail` is short text
//! chosen by the code, never request data.

use sqlx::FromRow;

use super::{Db, DbError, now_ms};

/// One event to write. `action` and `outcome` are fixed words (see `docs/security.md`).
#[derive(Debug, Clone, Copy)]
pub struct AuditEvent<'a> {
    /// The person acting; `None` for the shell or someone not logged in.
    pub actor: Option<i64>,
    pub action: &'a str,
    /// What was acted on, e.g. `person:12`, `attempt:7`, `GET /admin`.
    pub target: Option<&'a str>,
    /// `success`, `failure`, `denied`, `throttled`.
    pub outcome: &'a str,
    pub detail: Option<&'a str>,
    pub client_addr: Option<&'a str>,
}

#[derive(Debug, Clone, FromRow)]
pub struct AuditRow {
    pub audit_event_id: i64,
    pub at_ms: i64,
    pub actor_person_id: Option<i64>,
    pub actor_name: Option<String>,
    pub action: String,
    pub target: Option<String>,
    pub outcome: String,
    pub detail: Option<String>,
    pub client_addr: Option<String>,
}

impl Db {
    pub async fn audit(&self, event: AuditEvent<'_>) -> Result<(), DbError> {
        sqlx::query(
            "insert into audit_event (at_ms, actor_person_id, action, target, outcome, detail, client_addr) \
             values ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(now_ms())
        .bind(event.actor)
        .bind(event.action)
        .bind(event.target)
        .bind(event.outcome)
        .bind(event.detail)
        .bind(event.client_addr)
        .execute(self.writer())
        .await?;
        Ok(())
    }

    /// The latest events, newest first; optionally only those by or about one person.
    pub async fn audit_events(
        &self,
        person_id: Option<i64>,
        limit: i64,
    ) -> Result<Vec<AuditRow>, DbError> {
        let target = person_id.map(|id| format!("person:{id}"));
        Ok(sqlx::query_as::<_, AuditRow>(
            "select a.audit_event_id, a.at_ms, a.actor_person_id, p.display_name as actor_name, a.action, \
                    a.target, a.outcome, a.detail, a.client_addr \
             from audit_event a left join person p on p.person_id = a.actor_person_id \
             where ($1 is null or a.actor_person_id = $1 or a.target = $2) \
             order by a.audit_event_id desc limit $3",
        )
        .bind(person_id)
        .bind(target)
        .bind(limit.clamp(1, 5000))
        .fetch_all(self.reader())
        .await?)
    }
}
