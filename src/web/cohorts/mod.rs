//! The trainer's cohort pages (issue #8): `/cohorts` (my cohorts, create one: here),
//! `/cohorts/{id}` (members, due dates per module, the members × lessons progress matrix with
//! overdue modules: `page`), `/cohorts/{id}/exercises/{exercise}` (the class map of every
//! member's latest answer with a list view, and grade overrides: `class_map`, with the answers
//! put in words by `describe`) and the map's data, `/api/cohorts/{id}/exercises/{exercise}/answers`.
//!
//! Who may do what is decided below this layer: the [`CohortRunner`] extractor lets in trainers
//! and admins only (others get the audited 404 of every capability), and every query of
//! `db::cohorts` takes the caller's scope, so a cohort someone else runs is `None` here and the
//! same audited 404 as one that does not exist. Pages are server-rendered forms (with the
//! session's CSRF token) that work without JavaScript; only the class map's drawing needs it.

use std::collections::HashMap;

use askama::Template;
use askama_web::WebTemplate;
use axum::extract::{OriginalUri, Path, Query, State};
use axum::http::{StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Form, Json};
use geo::{Coord, Geodesic, GeodesicArea, Length, LineString, Polygon};
use serde::Deserialize;
use serde_json::{Value, json};

use super::assets::asset_url;
use super::audit::{record, record_change};
use super::client::ClientAddr;
use super::error::AppError;
use super::lang::ReqLang;
use super::login::redirect;
use super::pages::Chrome;
use super::progress::{percent_score, status_class};
use super::session::CohortRunner;
use super::state::AppState;
use crate::content::{Catalog, Course, Exercise};
use crate::db::{
    AddMember, AuditEvent, ClassAnswer, CohortRow, GradeChange, NewCohort, REGIONS, Scope, now_ms,
};
use crate::i18n::progress::fill;
use crate::i18n::{CohortStrings, Lang};
use crate::progress::completion::Status;
use crate::progress::time::{date, parse_date};
use crate::progress::{DAY_MS, ExerciseStat, Plan};

/// Longest cohort name accepted.
const MAX_NAME: usize = 200;
/// Longest override comment accepted.
const MAX_COMMENT: usize = 2000;
/// Groups smaller than this show no totals to non-admins (service spec, "Aggregates").
const MIN_GROUP: usize = 5;

fn one_of<'a>(pairs: &'a [(String, String)], name: &str) -> &'a str {
    pairs
        .iter()
        .find(|(k, _)| k == name)
        .map_or("", |(_, v)| v.as_str())
}

/// A cohort id from the path; anything else is simply not found.
fn cohort_id(raw: &str) -> Result<i64, AppError> {
    raw.parse().map_err(|_| AppError::NotFound)
}

/// The cohort if the caller runs it (any, for an admin); otherwise the audited 404 that hides
/// whether it exists.
async fn runs(
    state: &AppState,
    runner: &CohortRunner,
    id: i64,
    target: &str,
) -> Result<CohortRow, AppError> {
    match state.db.cohort_in_scope(&runner.0.scope(), id).await? {
        Some(cohort) => Ok(cohort),
        None => {
            record(
                state,
                AuditEvent {
                    actor: Some(runner.0.id),
                    action: "access",
                    target: Some(target),
                    outcome: "denied",
                    detail: Some("cohort scope"),
                    client_addr: None,
                },
            )
            .await;
            Err(AppError::NotFound)
        }
    }
}

/// A region's name from the `region` table's rows (id, name).
fn region_name(regions: &[(String, String)], id: &str) -> String {
    regions
        .iter()
        .find(|(region_id, _)| region_id == id)
        .map_or_else(|| id.to_owned(), |(_, name)| name.clone())
}

fn date_or_empty(ms: Option<i64>) -> String {
    ms.map(date).unwrap_or_default()
}

/// A cohort as the pages list it.
struct CohortView {
    id: i64,
    href: String,
    name: String,
    course: String,
    region: String,
    starts: String,
    ends: String,
    members: i64,
}

impl CohortView {
    fn of(row: &CohortRow, catalog: &Catalog, regions: &[(String, String)], lang: Lang) -> Self {
        Self {
            id: row.cohort_id,
            href: format!("/cohorts/{}", row.cohort_id),
            name: row.name.clone(),
            course: catalog
                .course(&row.course)
                .map_or_else(|| row.course.clone(), |c| c.title.get(lang).to_owned()),
            region: region_name(regions, &row.region_id),
            starts: date_or_empty(row.starts_at_ms),
            ends: date_or_empty(row.ends_at_ms),
            members: row.members,
        }
    }
}

/// What the create form held, to show it again with the errors.
#[derive(Default)]
struct CreateForm {
    name: String,
    course: String,
    region: String,
    starts: String,
    ends: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cohorts.html")]
struct ListPage {
    chrome: Chrome,
    t: &'static CohortStrings,
    csrf: String,
    cohorts: Vec<CohortView>,
    courses: Vec<(String, String)>,
    regions: Vec<(&'static str, String)>,
    form: CreateForm,
    errors: Vec<&'static str>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, gathered by the two handlers that show it"
)]
fn list_page(
    state: &AppState,
    regions: &[(String, String)],
    lang: Lang,
    uri: &Uri,
    runner: &CohortRunner,
    cohorts: &[CohortRow],
    form: CreateForm,
    errors: Vec<&'static str>,
) -> Response {
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = ListPage {
        chrome: Chrome::new(lang, uri),
        t: lang.strings().cohorts,
        csrf: runner.0.csrf_token.clone(),
        cohorts: cohorts
            .iter()
            .map(|c| CohortView::of(c, &state.catalog, regions, lang))
            .collect(),
        courses: state
            .catalog
            .courses
            .iter()
            .map(|c| (c.slug.clone(), c.title.get(lang).to_owned()))
            .collect(),
        regions: REGIONS
            .iter()
            .map(|r| (*r, region_name(regions, r)))
            .collect(),
        form: CreateForm {
            region: if form.region.is_empty() {
                runner.0.region_id.clone()
            } else {
                form.region
            },
            ..form
        },
        errors,
    };
    (status, page).into_response()
}

/// `GET /cohorts`: the cohorts the caller runs (every cohort for an admin) and the create form.
pub(super) async fn list(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    runner: CohortRunner,
) -> Result<Response, AppError> {
    let scope = runner.0.scope();
    let (cohorts, regions) =
        tokio::try_join!(state.db.cohorts_in_scope(&scope), state.db.regions())?;
    Ok(list_page(
        &state,
        &regions,
        lang,
        &uri,
        &runner,
        &cohorts,
        CreateForm::default(),
        Vec::new(),
    ))
}

/// `POST /cohorts`: creates a cohort run by the caller; every problem is listed on the form,
/// which keeps what was typed.
pub(super) async fn create(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    runner: CohortRunner,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let t = lang.strings().cohorts;
    let form = CreateForm {
        name: one_of(&pairs, "name").trim().to_owned(),
        course: one_of(&pairs, "course").to_owned(),
        region: one_of(&pairs, "region").to_owned(),
        starts: one_of(&pairs, "starts").trim().to_owned(),
        ends: one_of(&pairs, "ends").trim().to_owned(),
    };
    let mut errors = Vec::new();
    if form.name.is_empty() {
        errors.push(t.error_name_empty);
    } else if form.name.chars().count() > MAX_NAME {
        errors.push(t.error_name_long);
    }
    if state.catalog.course(&form.course).is_none() {
        errors.push(t.error_course);
    }
    if !REGIONS.contains(&form.region.as_str()) {
        errors.push(t.error_region);
    }
    let optional_date = |text: &str, errors: &mut Vec<&'static str>| {
        if text.is_empty() {
            None
        } else {
            let parsed = parse_date(text);
            if parsed.is_none() && !errors.contains(&t.error_date) {
                errors.push(t.error_date);
            }
            parsed
        }
    };
    let starts = optional_date(&form.starts, &mut errors);
    let ends = optional_date(&form.ends, &mut errors);
    if let (Some(s), Some(e)) = (starts, ends)
        && e < s
    {
        errors.push(t.error_end_before_start);
    }
    if !errors.is_empty() {
        let scope = runner.0.scope();
        let (cohorts, regions) =
            tokio::try_join!(state.db.cohorts_in_scope(&scope), state.db.regions())?;
        return Ok(list_page(
            &state, &regions, lang, &uri, &runner, &cohorts, form, errors,
        ));
    }
    let new = NewCohort {
        name: &form.name,
        course: &form.course,
        region_id: &form.region,
        trainer_person_id: runner.0.id,
        starts_at_ms: starts,
        ends_at_ms: ends,
    };
    let id = state
        .db
        .create_cohort(&runner.0.scope(), &new)
        .await?
        .ok_or(AppError::NotFound)?;
    audit_change(&state, &runner, "cohort_create", id, client, None).await;
    Ok(redirect(&format!("/cohorts/{id}?saved=created")))
}

async fn audit_change(
    state: &AppState,
    runner: &CohortRunner,
    action: &str,
    cohort: i64,
    client: Option<std::net::IpAddr>,
    detail: Option<&str>,
) {
    let target = format!("cohort:{cohort}");
    record_change(state, runner.0.id, action, &target, client, detail).await;
}

mod class_map;
mod describe;
mod page;

pub(super) use class_map::{
    OverrideNote, class_map, class_map_data, override_grade, override_notes,
};
pub(super) use page::{add_member, remove_member, set_due, show};
