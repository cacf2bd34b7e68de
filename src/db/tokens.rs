//! Read-only API tokens for machines. A token acts with its owner's scope, stops working when
//! it is revoked, expires, or its owner is disabled; only its hash is stored.

use sqlx::FromRow;

use super::{Db, DbError};

/// A token as listed (never the token or its hash).
#[derive(Debug, Clone, FromRow)]
pub struct ApiTokenRow {
    pub api_token_id: i64,
    pub person_id: i64,
    pub owner_email: String,
    pub name: String,
    pub created_at_ms: i64,
    pub expires_at_ms: Option<i64>,
    pub last_used_ms: Option<i64>,
    pub revoked_at_ms: Option<i64>,
}

/// The owner a live token acts as.
#[derive(Debug, Clone, FromRow)]
pub struct TokenOwner {
    pub api_token_id: i64,
    pub person_id: i64,
    pub region_id: String,
    pub last_used_ms: Option<i64>,
}

impl Db {
    pub async fn insert_api_token(
        &self,
        person_id: i64,
        name: &str,
        token_hash: &str,
        now_ms: i64,
        expires_at_ms: Option<i64>,
    ) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "insert into api_token (person_id, name, token_hash, created_at_ms, expires_at_ms) \
             values ($1, $2, $3, $4, $5) returning api_token_id",
        )
        .bind(person_id)
        .bind(name.trim())
        .bind(token_hash)
        .bind(now_ms)
        .bind(expires_at_ms)
        .fetch_one(self.writer())
        .await?)
    }

    /// The owner of a live token; its last use is written at most once a minute.
    pub async fn api_token_owner(
        &self,
        token_hash: &str,
        now_ms: i64,
    ) -> Result<Option<TokenOwner>, DbError> {
        let owner = sqlx::query_as::<_, TokenOwner>(
            "select t.api_token_id, p.person_id, p.region_id, t.last_used_ms \
             from api_token t join person p on p.person_id = t.person_id \
             where t.token_hash = $1 and t.revoked_at_ms is null \
               and (t.expires_at_ms is null or t.expires_at_ms > $2) \
               and p.disabled_at_ms is null and p.pseudonymised_at_ms is null",
        )
        .bind(token_hash)
        .bind(now_ms)
        .fetch_optional(self.reader())
        .await?;
        if let Some(owner) = &owner
            && owner.last_used_ms.is_none_or(|last| now_ms - last > 60_000)
        {
            sqlx::query("update api_token set last_used_ms = $1 where api_token_id = $2")
                .bind(now_ms)
                .bind(owner.api_token_id)
                .execute(self.writer())
                .await?;
        }
        Ok(owner)
    }

    /// Revokes a token; `false` if there is no such live token.
    pub async fn revoke_api_token(&self, api_token_id: i64, now_ms: i64) -> Result<bool, DbError> {
        let changed = sqlx::query(
            "update api_token set revoked_at_ms = $1 where api_token_id = $2 and revoked_at_ms is null",
        )
        .bind(now_ms)
        .bind(api_token_id)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Every token, or one person's, newest first.
    pub async fn api_tokens(&self, person_id: Option<i64>) -> Result<Vec<ApiTokenRow>, DbError> {
        Ok(sqlx::query_as::<_, ApiTokenRow>(
            "select t.api_token_id, t.person_id, p.email as owner_email, t.name, t.created_at_ms, \
                    t.expires_at_ms, t.last_used_ms, t.revoked_at_ms \
             from api_token t join person p on p.person_id = t.person_id \
             where ($1 is null or t.person_id = $1) order by t.api_token_id desc",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?)
    }
}
