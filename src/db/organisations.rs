//! Organisations people belong to: a region, a municipality (with its SCB code), a county board
//! or an authority, each within one region (service spec, "People, regions, roles, scopes").

use sqlx::FromRow;

use super::{Db, DbError, now_ms};

/// The kinds of the `organisation.kind` check constraint.
pub const ORGANISATION_KINDS: [&str; 4] = ["region", "municipality", "county_board", "authority"];

#[derive(Debug, Clone, FromRow)]
pub struct OrganisationRow {
    pub organisation_id: i64,
    pub name: String,
    pub kind: String,
    pub region_id: String,
    pub municipality_code: Option<String>,
    pub people: i64,
}

#[derive(Debug, Clone, Copy)]
pub struct NewOrganisation<'a> {
    pub name: &'a str,
    pub kind: &'a str,
    pub region_id: &'a str,
    /// SCB's four-digit municipality code; only for municipalities.
    pub municipality_code: Option<&'a str>,
}

/// Why an organisation is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum OrganisationRefused {
    #[error("the name is empty or longer than 200 characters")]
    BadName,
    #[error("the kind must be region, municipality, county_board or authority")]
    BadKind,
    #[error("the region does not exist")]
    BadRegion,
    #[error(
        "a municipality needs its four-digit SCB code, starting with its county's code; other kinds have none"
    )]
    BadMunicipalityCode,
    #[error("an organisation of that name already exists in the region")]
    Exists,
}

impl Db {
    /// The regions, as `(region_id, name)`, by name.
    pub async fn regions(&self) -> Result<Vec<(String, String)>, DbError> {
        Ok(sqlx::query_as::<_, (String, String)>(
            "select region_id, name from region order by name",
        )
        .fetch_all(self.reader())
        .await?)
    }

    /// Every organisation (or a region's), with how many people belong to it.
    pub async fn organisations(
        &self,
        region_id: Option<&str>,
    ) -> Result<Vec<OrganisationRow>, DbError> {
        Ok(sqlx::query_as::<_, OrganisationRow>(
            "select o.organisation_id, o.name, o.kind, o.region_id, o.municipality_code, \
                    (select count(*) from person p where p.organisation_id = o.organisation_id) as people \
             from organisation o where ($1 is null or o.region_id = $1) \
             order by o.region_id, o.name",
        )
        .bind(region_id)
        .fetch_all(self.reader())
        .await?)
    }

    /// Finds an organisation by id or exact name (for the shell).
    pub async fn organisation_by_id_or_name(
        &self,
        key: &str,
    ) -> Result<Option<OrganisationRow>, DbError> {
        let id = key.parse::<i64>().ok();
        Ok(sqlx::query_as::<_, OrganisationRow>(
            "select o.organisation_id, o.name, o.kind, o.region_id, o.municipality_code, \
                    (select count(*) from person p where p.organisation_id = o.organisation_id) as people \
             from organisation o where o.organisation_id = $1 or o.name = $2 \
             order by o.organisation_id limit 1",
        )
        .bind(id)
        .bind(key.trim())
        .fetch_optional(self.reader())
        .await?)
    }

    /// Adds an organisation after checking it against the schema's rules, with reasons.
    pub async fn insert_organisation(
        &self,
        new: &NewOrganisation<'_>,
    ) -> Result<Result<i64, OrganisationRefused>, DbError> {
        let name = new.name.trim();
        if name.is_empty() || name.chars().count() > 200 {
            return Ok(Err(OrganisationRefused::BadName));
        }
        if !ORGANISATION_KINDS.contains(&new.kind) {
            return Ok(Err(OrganisationRefused::BadKind));
        }
        let county =
            sqlx::query_scalar::<_, String>("select scb_code from region where region_id = $1")
                .bind(new.region_id)
                .fetch_optional(self.reader())
                .await?;
        let Some(county) = county else {
            return Ok(Err(OrganisationRefused::BadRegion));
        };
        let code = new
            .municipality_code
            .map(str::trim)
            .filter(|c| !c.is_empty());
        let code_fits = match (new.kind, code) {
            ("municipality", Some(code)) => {
                code.len() == 4
                    && code.bytes().all(|b| b.is_ascii_digit())
                    && code.starts_with(&county)
            }
            ("municipality", None) => false,
            (_, code) => code.is_none(),
        };
        if !code_fits {
            return Ok(Err(OrganisationRefused::BadMunicipalityCode));
        }
        let inserted = sqlx::query_scalar::<_, i64>(
            "insert into organisation (name, kind, region_id, municipality_code, created_at_ms) \
             values ($1, $2, $3, $4, $5) on conflict (name, region_id) do nothing returning organisation_id",
        )
        .bind(name)
        .bind(new.kind)
        .bind(new.region_id)
        .bind(code)
        .bind(now_ms())
        .fetch_optional(self.writer())
        .await?;
        Ok(inserted.ok_or(OrganisationRefused::Exists))
    }
}
