//! People, their capabilities and regions.

use sqlx::FromRow;

use super::{Db, DbError, now_ms};

/// Trainer, manager and admin are capabilities added to a person (service spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Capability {
    Trainer,
    Manager,
    Admin,
}

impl Capability {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Trainer => "trainer",
            Self::Manager => "manager",
            Self::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "trainer" => Some(Self::Trainer),
            "manager" => Some(Self::Manager),
            "admin" => Some(Self::Admin),
            _ => None,
        }
    }
}

/// The four regions of the service spec, as stored in `region`.
pub const REGIONS: [&str; 4] = [
    "norrbotten",
    "vasterbotten",
    "jamtland-harjedalen",
    "vasternorrland",
];

#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub person_id: i64,
    pub email: String,
    pub display_name: String,
    pub region_id: String,
    pub organisation_id: Option<i64>,
}

/// A new person; the e-mail is stored lowercased so uniqueness ignores case.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub region_id: &'a str,
    pub password_hash: Option<&'a str>,
    pub capabilities: &'a [Capability],
}

impl Db {
    /// Inserts a person and their capabilities in one transaction; `Ok(None)` if the e-mail is taken.
    pub async fn insert_person(&self, new: &NewPerson<'_>) -> Result<Option<i64>, DbError> {
        let now = now_ms();
        let mut tx = self.writer().begin().await?;
        let inserted = sqlx::query_scalar::<_, i64>(
            "insert into person (email, display_name, password_hash, region_id, created_at_ms, updated_at_ms) \
             values ($1, $2, $3, $4, $5, $5) on conflict (email) do nothing returning person_id",
        )
        .bind(new.email.trim().to_lowercase())
        .bind(new.display_name.trim())
        .bind(new.password_hash)
        .bind(new.region_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(person_id) = inserted else {
            return Ok(None);
        };
        for capability in new.capabilities {
            sqlx::query("insert into person_capability (person_id, capability, granted_at_ms) values ($1, $2, $3)")
                .bind(person_id)
                .bind(capability.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(Some(person_id))
    }

    /// The id and password hash of an enabled person, for login (`None`: no such enabled person).
    pub async fn login_candidate(
        &self,
        email: &str,
    ) -> Result<Option<(i64, Option<String>)>, DbError> {
        Ok(sqlx::query_as::<_, (i64, Option<String>)>(
            "select person_id, password_hash from person \
             where email = $1 and disabled_at_ms is null and pseudonymised_at_ms is null",
        )
        .bind(email.trim().to_lowercase())
        .fetch_optional(self.reader())
        .await?)
    }

    pub async fn capabilities(&self, person_id: i64) -> Result<Vec<Capability>, DbError> {
        let rows = sqlx::query_scalar::<_, String>(
            "select capability from person_capability where person_id = $1",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?;
        Ok(rows.iter().filter_map(|c| Capability::parse(c)).collect())
    }

    pub async fn region_exists(&self, region_id: &str) -> Result<bool, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>("select count(*) from region where region_id = $1")
                .bind(region_id)
                .fetch_one(self.reader())
                .await?
                > 0,
        )
    }
}
