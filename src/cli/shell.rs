//! What the account commands share: the database (migrated) and the public URL that links are
//! made with, and writing their changes to the audit log as the shell's (no person).

use crate::config::{CommonArgs, ServeArgs};
use crate::db::{AuditEvent, Db};

pub(super) struct Shell {
    pub(super) db: Db,
    /// For invitation and reset links, e.g. `https://kartskola.region.se`.
    pub(super) public_url: String,
}

impl Shell {
    pub(super) async fn open(common: &CommonArgs, serve: &ServeArgs) -> Result<Self, String> {
        let config = serve.resolve(common).map_err(|e| e.to_string())?;
        let db = Db::connect(&config.database)
            .await
            .map_err(|e| e.to_string())?;
        db.migrate().await.map_err(|e| e.to_string())?;
        Ok(Self {
            db,
            public_url: config.public_url,
        })
    }
}

/// Audits a change made from the shell; a failed write is reported, not fatal.
pub(super) async fn audit(db: &Db, action: &str, person_id: i64, detail: Option<&str>) {
    let target = format!("person:{person_id}");
    let detail = detail.map_or_else(|| "shell".to_owned(), |d| format!("shell: {d}"));
    let event = AuditEvent {
        actor: None,
        action,
        target: Some(&target),
        outcome: "success",
        detail: Some(&detail),
        client_addr: None,
    };
    if let Err(e) = db.audit(event).await {
        eprintln!("warning: cannot write the audit log: {e}");
    }
}
