//! People, their capabilities, regions and organisations; reads of other people go through a
//! [`Scope`], and every change an admin makes checks that the scope is an admin's.

use sqlx::FromRow;

use super::scope::{Scope, answers_visible, bind_scope, visible_person};
use super::{Db, DbError, now_ms};

/// Trainer, manager and admin are capabilities added to a person (service spec).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Capability {
    Trainer,
    Manager,
    Admin,
}

impl Capability {
    pub const ALL: [Self; 3] = [Self::Trainer, Self::Manager, Self::Admin];

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

/// The e-mail domain of `kartskola seed-demo`'s accounts (their password is public).
pub const DEMO_DOMAIN: &str = "@demo.kartskola.se";

/// A person as a scoped reader may see them. A pseudonymised person's name and e-mail are
/// already replaced in the table, so no view can show the old ones.
#[derive(Debug, Clone, FromRow)]
pub struct PersonRow {
    pub person_id: i64,
    pub email: String,
    pub display_name: String,
    pub region_id: String,
    pub organisation_id: Option<i64>,
    pub organisation_name: Option<String>,
    pub disabled: i64,
    pub pseudonymised: i64,
    pub has_password: i64,
    pub is_trainer: i64,
    pub is_manager: i64,
    pub is_admin: i64,
    pub created_at_ms: i64,
    /// Whether the reader may see this person's raw answers (not a manager-only view).
    pub answers_visible: i64,
}

impl PersonRow {
    pub fn capabilities(&self) -> Vec<Capability> {
        [
            (self.is_trainer, Capability::Trainer),
            (self.is_manager, Capability::Manager),
            (self.is_admin, Capability::Admin),
        ]
        .into_iter()
        .filter(|(flag, _)| *flag > 0)
        .map(|(_, c)| c)
        .collect()
    }
}

/// `select <every PersonRow column> from person p left join organisation o <rest>`; the scope
/// is bound as `$1`..`$5`.
macro_rules! person_select {
    ($rest:literal) => {
        concat!(
            "select p.person_id, p.email, p.display_name, p.region_id, p.organisation_id, \
                    o.name as organisation_name, \
                    (case when p.disabled_at_ms is null then 0 else 1 end) as disabled, \
                    (case when p.pseudonymised_at_ms is null then 0 else 1 end) as pseudonymised, \
                    (case when p.password_hash is null then 0 else 1 end) as has_password, \
                    (select count(*) from person_capability pc where pc.person_id = p.person_id and pc.capability = 'trainer') as is_trainer, \
                    (select count(*) from person_capability pc where pc.person_id = p.person_id and pc.capability = 'manager') as is_manager, \
                    (select count(*) from person_capability pc where pc.person_id = p.person_id and pc.capability = 'admin') as is_admin, \
                    p.created_at_ms, ",
            answers_visible!(),
            " as answers_visible \
             from person p left join organisation o on o.organisation_id = p.organisation_id \
             where ",
            visible_person!(),
            " ",
            $rest
        )
    };
}

/// A new person; the e-mail is stored lowercased so uniqueness ignores case.
#[derive(Debug, Clone)]
pub struct NewPerson<'a> {
    pub email: &'a str,
    pub display_name: &'a str,
    pub region_id: &'a str,
    pub organisation_id: Option<i64>,
    /// An argon2id PHC string; `None` until the person sets a password through an invitation.
    pub password_hash: Option<&'a str>,
    pub capabilities: &'a [Capability],
}

/// Why a new person was not created.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InsertRefused {
    EmailTaken,
    /// The organisation does not exist or lies in another region.
    BadOrganisation,
    /// Demo accounts exist: only demo accounts may be added until `seed-demo --remove`.
    DemoPresent,
}

/// Search and paging of the admin's people list.
#[derive(Debug, Clone, Default)]
pub struct PeopleQuery {
    /// Matches anywhere in the name or e-mail, ignoring case.
    pub text: Option<String>,
    pub region_id: Option<String>,
    pub limit: i64,
}

/// A person's region and organisation as an admin sets them.
#[derive(Debug, Clone, Copy)]
pub struct Placement<'a> {
    pub region_id: &'a str,
    pub organisation_id: Option<i64>,
}

/// Lowercased and trimmed: how e-mails are stored and compared.
pub fn normalise_email(email: &str) -> String {
    email.trim().to_lowercase()
}

/// A plausible e-mail address: one `@` with text on both sides, no spaces, at most 254 bytes.
pub fn is_plausible_email(email: &str) -> bool {
    let email = email.trim();
    email.len() <= 254
        && !email.contains(char::is_whitespace)
        && email.split_once('@').is_some_and(|(local, domain)| {
            !local.is_empty() && domain.contains('.') && !domain.contains('@')
        })
}

impl Db {
    /// Inserts a person and their capabilities in one transaction. While demo accounts exist,
    /// only demo accounts may be added, so that no real account is made by or beside a person
    /// who knows the public demo password.
    pub async fn insert_person(
        &self,
        new: &NewPerson<'_>,
    ) -> Result<Result<i64, InsertRefused>, DbError> {
        let email = normalise_email(new.email);
        let now = now_ms();
        let mut tx = self.writer().begin().await?;
        if !email.ends_with(DEMO_DOMAIN) {
            let demo =
                sqlx::query_scalar::<_, i64>("select count(*) from person where email like $1")
                    .bind(format!("%{DEMO_DOMAIN}"))
                    .fetch_one(&mut *tx)
                    .await?;
            if demo > 0 {
                return Ok(Err(InsertRefused::DemoPresent));
            }
        }
        if let Some(organisation_id) = new.organisation_id {
            let fits = sqlx::query_scalar::<_, i64>(
                "select count(*) from organisation where organisation_id = $1 and region_id = $2",
            )
            .bind(organisation_id)
            .bind(new.region_id)
            .fetch_one(&mut *tx)
            .await?;
            if fits == 0 {
                return Ok(Err(InsertRefused::BadOrganisation));
            }
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            "insert into person (email, display_name, password_hash, region_id, organisation_id, created_at_ms, updated_at_ms) \
             values ($1, $2, $3, $4, $5, $6, $6) on conflict (email) do nothing returning person_id",
        )
        .bind(&email)
        .bind(new.display_name.trim())
        .bind(new.password_hash)
        .bind(new.region_id)
        .bind(new.organisation_id)
        .bind(now)
        .fetch_optional(&mut *tx)
        .await?;
        let Some(person_id) = inserted else {
            return Ok(Err(InsertRefused::EmailTaken));
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
        Ok(Ok(person_id))
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
        .bind(normalise_email(email))
        .fetch_optional(self.reader())
        .await?)
    }

    /// The stored password hash of an enabled person (for a password change).
    pub async fn password_hash(&self, person_id: i64) -> Result<Option<String>, DbError> {
        Ok(sqlx::query_scalar::<_, Option<String>>(
            "select password_hash from person \
             where person_id = $1 and disabled_at_ms is null and pseudonymised_at_ms is null",
        )
        .bind(person_id)
        .fetch_optional(self.reader())
        .await?
        .flatten())
    }

    pub async fn capabilities(&self, person_id: i64) -> Result<Vec<Capability>, DbError> {
        let rows = sqlx::query_scalar::<_, String>(
            "select capability from person_capability where person_id = $1",
        )
        .bind(person_id)
        .fetch_all(self.reader())
        .await?;
        let mut capabilities: Vec<Capability> =
            rows.iter().filter_map(|c| Capability::parse(c)).collect();
        capabilities.sort();
        Ok(capabilities)
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

    /// One person, if the scope may see them.
    pub async fn person_in_scope(
        &self,
        scope: &Scope,
        person_id: i64,
    ) -> Result<Option<PersonRow>, DbError> {
        let query = sqlx::query_as::<_, PersonRow>(person_select!("and p.person_id = $6"));
        Ok(bind_scope!(query, scope)
            .bind(person_id)
            .fetch_optional(self.reader())
            .await?)
    }

    /// A person by e-mail, if the scope may see them (the shell and admins find anyone).
    pub async fn person_by_email_in_scope(
        &self,
        scope: &Scope,
        email: &str,
    ) -> Result<Option<PersonRow>, DbError> {
        let query = sqlx::query_as::<_, PersonRow>(person_select!("and p.email = $6"));
        Ok(bind_scope!(query, scope)
            .bind(normalise_email(email))
            .fetch_optional(self.reader())
            .await?)
    }

    /// The people the scope may see, filtered and ordered by name.
    pub async fn people_in_scope(
        &self,
        scope: &Scope,
        filter: &PeopleQuery,
    ) -> Result<Vec<PersonRow>, DbError> {
        let text = filter
            .text
            .as_deref()
            .map(str::trim)
            .filter(|t| !t.is_empty())
            .map(|t| format!("%{}%", t.to_lowercase().replace(['%', '_'], "")));
        let query = sqlx::query_as::<_, PersonRow>(person_select!(
            "and ($6 is null or lower(p.display_name) like $6 or p.email like $6) \
             and ($7 is null or p.region_id = $7) \
             order by lower(p.display_name), p.person_id limit $8"
        ));
        Ok(bind_scope!(query, scope)
            .bind(text)
            .bind(filter.region_id.clone())
            .bind(filter.limit.clamp(1, 1000))
            .fetch_all(self.reader())
            .await?)
    }

    /// Sets exactly these capabilities (admins only); returns the ones held before, or `None`
    /// when the person is not there or the scope is not an admin's.
    pub async fn set_capabilities(
        &self,
        scope: &Scope,
        person_id: i64,
        capabilities: &[Capability],
    ) -> Result<Option<Vec<Capability>>, DbError> {
        if !scope.is_admin() || !self.is_changeable(person_id).await? {
            return Ok(None);
        }
        let before = self.capabilities(person_id).await?;
        let now = now_ms();
        let mut tx = self.writer().begin().await?;
        sqlx::query("delete from person_capability where person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        for capability in capabilities {
            sqlx::query("insert into person_capability (person_id, capability, granted_at_ms) values ($1, $2, $3)")
                .bind(person_id)
                .bind(capability.as_str())
                .bind(now)
                .execute(&mut *tx)
                .await?;
        }
        sqlx::query("update person set updated_at_ms = $1 where person_id = $2")
            .bind(now)
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(Some(before))
    }

    /// Moves a person to a region and organisation (admins only); the organisation must lie in
    /// that region. `false`: not changed.
    pub async fn set_placement(
        &self,
        scope: &Scope,
        person_id: i64,
        placement: Placement<'_>,
    ) -> Result<bool, DbError> {
        if !scope.is_admin() {
            return Ok(false);
        }
        let changed = sqlx::query(
            "update person set region_id = $1, organisation_id = $2, updated_at_ms = $3 \
             where person_id = $4 and pseudonymised_at_ms is null \
               and exists (select 1 from region where region_id = $1) \
               and ($2 is null or exists (select 1 from organisation o where o.organisation_id = $2 and o.region_id = $1))",
        )
        .bind(placement.region_id)
        .bind(placement.organisation_id)
        .bind(now_ms())
        .bind(person_id)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Disables or enables a person (admins only). Disabling ends their sessions at once and
    /// stops their tokens (both lookups also join on enabled people).
    pub async fn set_disabled(
        &self,
        scope: &Scope,
        person_id: i64,
        disabled: bool,
    ) -> Result<bool, DbError> {
        if !scope.is_admin() {
            return Ok(false);
        }
        let now = now_ms();
        let mut tx = self.writer().begin().await?;
        let changed = sqlx::query(
            "update person set disabled_at_ms = $1, updated_at_ms = $2 \
             where person_id = $3 and pseudonymised_at_ms is null",
        )
        .bind(disabled.then_some(now))
        .bind(now)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if disabled {
            sqlx::query("delete from session where person_id = $1")
                .bind(person_id)
                .execute(&mut *tx)
                .await?;
        }
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// Sets a new password hash and ends every session of the person (the caller makes a new
    /// one for the browser that changed it). `false`: no such enabled person.
    pub async fn set_password(&self, person_id: i64, password_hash: &str) -> Result<bool, DbError> {
        let now = now_ms();
        let mut tx = self.writer().begin().await?;
        let changed = sqlx::query(
            "update person set password_hash = $1, updated_at_ms = $2 \
             where person_id = $3 and disabled_at_ms is null and pseudonymised_at_ms is null",
        )
        .bind(password_hash)
        .bind(now)
        .bind(person_id)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        sqlx::query("delete from session where person_id = $1")
            .bind(person_id)
            .execute(&mut *tx)
            .await?;
        tx.commit().await?;
        Ok(changed == 1)
    }

    /// A person's own display name.
    pub async fn set_display_name(
        &self,
        person_id: i64,
        display_name: &str,
    ) -> Result<bool, DbError> {
        let changed = sqlx::query(
            "update person set display_name = $1, updated_at_ms = $2 \
             where person_id = $3 and pseudonymised_at_ms is null",
        )
        .bind(display_name.trim())
        .bind(now_ms())
        .bind(person_id)
        .execute(self.writer())
        .await?
        .rows_affected();
        Ok(changed == 1)
    }

    /// Whether any `@demo.kartskola.se` account exists (the demo banner, `user add`'s refusal).
    pub async fn demo_accounts_exist(&self) -> Result<bool, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>("select count(*) from person where email like $1")
                .bind(format!("%{DEMO_DOMAIN}"))
                .fetch_one(self.reader())
                .await?
                > 0,
        )
    }

    /// How many people have an enabled admin capability (the last admin cannot be removed).
    pub async fn enabled_admins(&self) -> Result<i64, DbError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "select count(*) from person p join person_capability pc on pc.person_id = p.person_id \
             where pc.capability = 'admin' and p.disabled_at_ms is null and p.pseudonymised_at_ms is null",
        )
        .fetch_one(self.reader())
        .await?)
    }

    async fn is_changeable(&self, person_id: i64) -> Result<bool, DbError> {
        Ok(sqlx::query_scalar::<_, i64>(
            "select count(*) from person where person_id = $1 and pseudonymised_at_ms is null",
        )
        .bind(person_id)
        .fetch_one(self.reader())
        .await?
            > 0)
    }

    /// Whether a person with this id exists at all (to tell an out-of-scope request, which is
    /// audited as a denial, from a plain 404).
    pub async fn person_exists(&self, person_id: i64) -> Result<bool, DbError> {
        Ok(
            sqlx::query_scalar::<_, i64>("select count(*) from person where person_id = $1")
                .bind(person_id)
                .fetch_one(self.reader())
                .await?
                > 0,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plausible_emails() {
        assert!(is_plausible_email("anna.berg@kommun.se"));
        assert!(is_plausible_email(" Anna@Region.Se "));
        assert!(!is_plausible_email("anna"));
        assert!(!is_plausible_email("@kommun.se"));
        assert!(!is_plausible_email("anna@kommun"));
        assert!(!is_plausible_email("an na@kommun.se"));
        assert!(!is_plausible_email("a@b@c.se"));
        assert_eq!(normalise_email(" Anna@Region.Se "), "anna@region.se");
    }

    #[test]
    fn capabilities_parse_their_names() {
        for c in Capability::ALL {
            assert_eq!(Capability::parse(c.as_str()), Some(c));
        }
        assert_eq!(Capability::parse("root"), None);
    }
}
