//! The trainer's cohort pages (issue #8): `/cohorts` (my cohorts, create one), `/cohorts/{id}`
//! (members, due dates per module, the members × lessons progress matrix with overdue modules),
//! `/cohorts/{id}/exercises/{exercise}` (the class map of every member's latest answer, with a
//! list view and grade overrides) and the class map's data, `/api/cohorts/{id}/exercises/{exercise}/answers`.
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
use super::audit::record;
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
    let client = client.map(|c| c.to_string());
    record(
        state,
        AuditEvent {
            actor: Some(runner.0.id),
            action,
            target: Some(&target),
            outcome: "success",
            detail,
            client_addr: client.as_deref(),
        },
    )
    .await;
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct ShowQuery {
    q: Option<String>,
    saved: Option<String>,
}

fn saved_text(t: &'static CohortStrings, saved: Option<&str>) -> Option<&'static str> {
    Some(match saved? {
        "created" => t.saved_created,
        "added" => t.saved_member_added,
        "already" => t.saved_member_already,
        "removed" => t.saved_member_removed,
        "due" => t.saved_due,
        "override" => t.saved_override,
        _ => return None,
    })
}

struct MemberView {
    person_id: i64,
    name: String,
    email: String,
    region: String,
    remove_label: String,
}

struct HitView {
    person_id: i64,
    name: String,
    email: String,
    region: String,
    member: bool,
    add_label: String,
}

struct DueView {
    slug: String,
    title: String,
    value: String,
    save_label: String,
}

/// A column of the matrix: a lesson (with exercises), or the module's own status.
struct Column {
    heading: String,
    module_end: bool,
}

struct MatrixRow {
    name: String,
    cells: Vec<Cell>,
}

struct Cell {
    text: String,
    class: &'static str,
    overdue: bool,
    module_end: bool,
}

struct ExerciseLink {
    href: String,
    title: String,
    module: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cohort.html")]
struct CohortPage {
    chrome: Chrome,
    t: &'static CohortStrings,
    css: String,
    csrf: String,
    cohort: CohortView,
    notice: Option<&'static str>,
    errors: Vec<&'static str>,
    members: Vec<MemberView>,
    query: String,
    hits: Option<Vec<HitView>>,
    email: String,
    dues: Vec<DueView>,
    columns: Vec<Column>,
    rows: Vec<MatrixRow>,
    summary: Option<Vec<String>>,
    exercises: Vec<ExerciseLink>,
}

/// The matrix of a cohort: members × (lessons with exercises, then the module's status).
struct Matrix {
    columns: Vec<Column>,
    rows: Vec<MatrixRow>,
    summary: Option<Vec<String>>,
}

/// Builds the matrix from the members' stats with the progress rules of [`crate::progress`]:
/// lesson status (completed = every exercise passed), module status, and "overdue" when the
/// module's due date has passed and the member has not completed it.
#[expect(
    clippy::too_many_arguments,
    reason = "a pure function of everything the matrix depends on, the clock included, for its callers and tests"
)]
fn matrix(
    plan: &Plan,
    course: &Course,
    names: &[(i64, String)],
    stats: &HashMap<i64, Vec<Option<ExerciseStat>>>,
    due: &HashMap<String, i64>,
    show_totals: bool,
    lang: Lang,
    now: i64,
) -> Matrix {
    let t = lang.strings().cohorts;
    let p = &lang.strings().progress;
    let index = plan.courses.iter().position(|c| c.slug == course.slug);
    let mut columns = Vec::new();
    for (mi, module) in course.modules.iter().enumerate() {
        for lesson in &module.lessons {
            if !lesson.exercises.is_empty() {
                columns.push(Column {
                    heading: format!("{} {}", mi + 1, lesson.text(lang).0.title),
                    module_end: false,
                });
            }
        }
        let due_text = due
            .get(&module.slug)
            .map(|&d| format!(" ({} {})", t.due_date.to_lowercase(), date(d)))
            .unwrap_or_default();
        columns.push(Column {
            heading: format!("{} {}{}", t.module, mi + 1, due_text),
            module_end: true,
        });
    }
    let mut totals = vec![0_usize; columns.len()];
    let empty = Vec::new();
    let rows = names
        .iter()
        .map(|(person_id, name)| {
            let profile = plan.profile(stats.get(person_id).unwrap_or(&empty), now);
            let progress = index.and_then(|i| profile.courses.get(i));
            let mut cells = Vec::new();
            for (mi, module) in course.modules.iter().enumerate() {
                let mp = progress.and_then(|c| c.modules.get(mi));
                for (li, lesson) in module.lessons.iter().enumerate() {
                    if lesson.exercises.is_empty() {
                        continue;
                    }
                    let status = mp
                        .and_then(|m| m.lessons.get(li).copied().flatten())
                        .unwrap_or(Status::NotStarted);
                    if status == Status::Completed {
                        totals[cells.len()] += 1;
                    }
                    cells.push(Cell {
                        text: p.status(status).to_owned(),
                        class: status_class(status),
                        overdue: false,
                        module_end: false,
                    });
                }
                // A module without exercises has no status: nothing to be late with.
                let Some(status) = mp.and_then(|m| m.counts.status()) else {
                    cells.push(Cell {
                        text: "–".to_owned(),
                        class: "",
                        overdue: false,
                        module_end: true,
                    });
                    continue;
                };
                if status == Status::Completed {
                    totals[cells.len()] += 1;
                }
                // Due at the end of the due day (UTC).
                let overdue = due
                    .get(&module.slug)
                    .is_some_and(|&d| d + DAY_MS <= now && status != Status::Completed);
                let text = if overdue {
                    fill(
                        t.overdue_cell,
                        &[
                            ("module", &module.title.get(lang)),
                            ("date", &date(due.get(&module.slug).copied().unwrap_or(0))),
                        ],
                    )
                } else {
                    p.status(status).to_owned()
                };
                cells.push(Cell {
                    text,
                    class: status_class(status),
                    overdue,
                    module_end: true,
                });
            }
            MatrixRow {
                name: name.clone(),
                cells,
            }
        })
        .collect();
    let summary = show_totals.then(|| {
        totals
            .iter()
            .map(|done| fill(t.completed_of, &[("done", done), ("total", &names.len())]))
            .collect()
    });
    Matrix {
        columns,
        rows,
        summary,
    }
}

/// The exercises of a course in reading order, each once.
fn course_exercises<'a>(catalog: &'a Catalog, course: &Course) -> Vec<(usize, &'a Exercise)> {
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::new();
    for (mi, module) in course.modules.iter().enumerate() {
        for lesson in &module.lessons {
            for id in &lesson.exercises {
                if seen.insert(id.clone())
                    && let Some(exercise) = catalog.exercise(id)
                {
                    out.push((mi, exercise.as_ref()));
                }
            }
        }
    }
    out
}

/// What a refused form held, shown again so that nothing typed is lost.
#[derive(Default)]
struct Kept {
    /// The add-by-e-mail field.
    email: String,
    /// A due-date form: module slug and the value typed.
    due: Option<(String, String)>,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, gathered by the handlers that show it after a change or an error"
)]
async fn cohort_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    runner: &CohortRunner,
    cohort: &CohortRow,
    query: ShowQuery,
    errors: Vec<&'static str>,
    kept: Kept,
) -> Result<Response, AppError> {
    let t = lang.strings().cohorts;
    let scope = runner.0.scope();
    let id = cohort.cohort_id;
    let Kept {
        email,
        due: typed_due,
    } = kept;
    let (members, due_rows, stat_rows, regions) = tokio::try_join!(
        state.db.cohort_members_in_scope(&scope, id),
        state.db.cohort_due_dates(&scope, id),
        state.db.cohort_exercise_stats(&scope, id),
        state.db.regions(),
    )?;
    let members = members.unwrap_or_default();
    let text = query.q.unwrap_or_default();
    let hits = if text.trim().is_empty() {
        None
    } else {
        Some(
            state
                .db
                .people_in_reach(&scope, id, &text)
                .await?
                .into_iter()
                .map(|h| HitView {
                    add_label: fill(t.add_label, &[("name", &h.display_name)]),
                    person_id: h.person_id,
                    member: h.member > 0,
                    region: region_name(&regions, &h.region_id),
                    name: h.display_name,
                    email: h.email,
                })
                .collect(),
        )
    };
    let due: HashMap<String, i64> = due_rows.into_iter().collect();
    let plan = Plan::new(&state.catalog);
    let mut stats: HashMap<i64, Vec<Option<ExerciseStat>>> = HashMap::new();
    for row in &stat_rows {
        if let Some(slot) = plan.slot(&row.exercise_id) {
            stats
                .entry(row.person_id)
                .or_insert_with(|| vec![None; plan.len()])[slot] = Some(row.stat());
        }
    }
    let course = state.catalog.course(&cohort.course);
    let names: Vec<(i64, String)> = members
        .iter()
        .map(|m| (m.person_id, m.display_name.clone()))
        .collect();
    let show_totals = scope.is_admin() || names.len() >= MIN_GROUP;
    let Matrix {
        columns,
        rows,
        summary,
    } = match course {
        Some(course) => matrix(
            &plan,
            course,
            &names,
            &stats,
            &due,
            show_totals,
            lang,
            now_ms(),
        ),
        None => Matrix {
            columns: Vec::new(),
            rows: Vec::new(),
            summary: None,
        },
    };
    let dues = course
        .map(|c| {
            c.modules
                .iter()
                .map(|m| {
                    let title = m.title.get(lang).to_owned();
                    let typed = typed_due
                        .as_ref()
                        .filter(|(module, _)| *module == m.slug)
                        .map(|(_, value)| value.clone());
                    DueView {
                        slug: m.slug.clone(),
                        value: typed.unwrap_or_else(|| date_or_empty(due.get(&m.slug).copied())),
                        save_label: fill(t.due_save_label, &[("module", &title)]),
                        title,
                    }
                })
                .collect()
        })
        .unwrap_or_default();
    let exercises = course
        .map(|c| {
            course_exercises(&state.catalog, c)
                .into_iter()
                .map(|(mi, e)| ExerciseLink {
                    href: format!("/cohorts/{id}/exercises/{}", e.id),
                    title: e.title.get(lang).to_owned(),
                    module: c
                        .modules
                        .get(mi)
                        .map(|m| m.title.get(lang).to_owned())
                        .unwrap_or_default(),
                })
                .collect()
        })
        .unwrap_or_default();
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::UNPROCESSABLE_ENTITY
    };
    let page = CohortPage {
        chrome: Chrome::new(lang, uri),
        t,
        css: asset_url("css/team.css"),
        csrf: runner.0.csrf_token.clone(),
        cohort: CohortView::of(cohort, &state.catalog, &regions, lang),
        notice: saved_text(t, query.saved.as_deref()),
        errors,
        members: members
            .into_iter()
            .map(|m| MemberView {
                remove_label: fill(t.remove_label, &[("name", &m.display_name)]),
                person_id: m.person_id,
                region: region_name(&regions, &m.region_id),
                name: m.display_name,
                email: m.email,
            })
            .collect(),
        query: text,
        hits,
        email,
        dues,
        columns,
        rows,
        summary,
        exercises,
    };
    Ok((status, page).into_response())
}

/// `GET /cohorts/{id}` (`?q=` searches people to add).
pub(super) async fn show(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    runner: CohortRunner,
    Path(id): Path<String>,
    Query(query): Query<ShowQuery>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    let cohort = runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    cohort_page(
        &state,
        lang,
        &uri,
        &runner,
        &cohort,
        query,
        Vec::new(),
        Kept::default(),
    )
    .await
}

/// `POST /cohorts/{id}/members`: adds a person found by the search (`person_id`, the trainer's
/// region) or by exact e-mail (`email`, any region).
pub(super) async fn add_member(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    runner: CohortRunner,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    let cohort = runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    let t = lang.strings().cohorts;
    let scope = runner.0.scope();
    let email = one_of(&pairs, "email").trim();
    let person = one_of(&pairs, "person_id").trim();
    let outcome = if !email.is_empty() {
        state
            .db
            .add_cohort_member_by_email(&scope, id, email)
            .await?
    } else {
        match person.parse::<i64>() {
            Ok(person_id) if state.db.add_cohort_member(&scope, id, person_id).await? => {
                AddMember::Added(person_id)
            }
            Ok(person_id) if is_member(&state, &scope, id, person_id).await? => {
                AddMember::AlreadyMember(person_id)
            }
            _ => AddMember::NoSuchPerson,
        }
    };
    let (saved, person_id) = match outcome {
        AddMember::Added(p) => ("added", p),
        AddMember::AlreadyMember(p) => ("already", p),
        AddMember::NoSuchPerson => {
            let error = if email.is_empty() {
                t.error_person
            } else {
                t.error_email_unknown
            };
            return cohort_page(
                &state,
                lang,
                &uri,
                &runner,
                &cohort,
                ShowQuery::default(),
                vec![error],
                Kept {
                    email: email.to_owned(),
                    due: None,
                },
            )
            .await;
        }
    };
    if saved == "added" {
        let detail = format!("person:{person_id}");
        audit_change(
            &state,
            &runner,
            "cohort_member_add",
            id,
            client,
            Some(&detail),
        )
        .await;
    }
    Ok(redirect(&format!("/cohorts/{id}?saved={saved}#members")))
}

async fn is_member(
    state: &AppState,
    scope: &Scope,
    cohort: i64,
    person_id: i64,
) -> Result<bool, AppError> {
    Ok(state
        .db
        .cohort_members_in_scope(scope, cohort)
        .await?
        .is_some_and(|m| m.iter().any(|m| m.person_id == person_id)))
}

/// `POST /cohorts/{id}/members/{person}/remove`.
pub(super) async fn remove_member(
    State(state): State<AppState>,
    ClientAddr(client): ClientAddr,
    runner: CohortRunner,
    Path((id, person)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    let person_id: i64 = person.parse().map_err(|_| AppError::NotFound)?;
    if !state
        .db
        .remove_cohort_member(&runner.0.scope(), id, person_id)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail = format!("person:{person_id}");
    audit_change(
        &state,
        &runner,
        "cohort_member_remove",
        id,
        client,
        Some(&detail),
    )
    .await;
    Ok(redirect(&format!("/cohorts/{id}?saved=removed#members")))
}

/// `POST /cohorts/{id}/due`: `module` and `due` (a date; empty removes the due date).
pub(super) async fn set_due(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    runner: CohortRunner,
    Path(id): Path<String>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    let cohort = runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    let t = lang.strings().cohorts;
    let module = one_of(&pairs, "module");
    let text = one_of(&pairs, "due").trim();
    let known = state
        .catalog
        .course(&cohort.course)
        .is_some_and(|c| c.modules.iter().any(|m| m.slug == module));
    let due = if text.is_empty() {
        Ok(None)
    } else {
        parse_date(text).map(Some).ok_or(t.error_date)
    };
    let due = match (known, due) {
        (false, _) => Err(t.error_module),
        (true, due) => due,
    };
    let due = match due {
        Ok(due) => due,
        Err(error) => {
            return cohort_page(
                &state,
                lang,
                &uri,
                &runner,
                &cohort,
                ShowQuery::default(),
                vec![error],
                Kept {
                    email: String::new(),
                    due: Some((module.to_owned(), text.to_owned())),
                },
            )
            .await;
        }
    };
    if !state
        .db
        .set_cohort_due(&runner.0.scope(), id, module, due)
        .await?
    {
        return Err(AppError::NotFound);
    }
    let detail = format!("module:{module} due:{}", date_or_empty(due));
    audit_change(&state, &runner, "cohort_due", id, client, Some(&detail)).await;
    Ok(redirect(&format!("/cohorts/{id}?saved=due#due")))
}

/// An exercise of the cohort's course, or 404.
fn course_exercise<'a>(
    catalog: &'a Catalog,
    cohort: &CohortRow,
    exercise_id: &str,
) -> Result<&'a Exercise, AppError> {
    let course = catalog.course(&cohort.course).ok_or(AppError::NotFound)?;
    course_exercises(catalog, course)
        .into_iter()
        .map(|(_, e)| e)
        .find(|e| e.id == exercise_id)
        .ok_or(AppError::NotFound)
}

/// The engine's own score of a stored result.
fn engine_score(answer: &ClassAnswer) -> f64 {
    serde_json::from_str::<Value>(&answer.result)
        .ok()
        .and_then(|v| v.get("score").and_then(Value::as_f64))
        .unwrap_or(answer.score)
}

/// The features of a stored answer, as the player sent them: one geometry, or a collection.
fn answer_features(answer: &Value) -> Vec<Value> {
    if let Some(geometry) = answer.get("geometry").filter(|g| g.is_object()) {
        return vec![json!({"type": "Feature", "properties": {}, "geometry": geometry})];
    }
    answer
        .get("features")
        .and_then(|fc| fc.get("features"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default()
}

fn coords(value: &Value) -> Vec<Coord> {
    value
        .as_array()
        .map(|points| {
            points
                .iter()
                .filter_map(|p| {
                    let p = p.as_array()?;
                    Some(Coord {
                        x: p.first()?.as_f64()?,
                        y: p.get(1)?.as_f64()?,
                    })
                })
                .collect()
        })
        .unwrap_or_default()
}

/// A number with the reader's decimal sign and `digits` decimals.
fn number(lang: Lang, value: f64, digits: usize) -> String {
    let text = format!("{value:.digits$}");
    match lang {
        Lang::Sv => text.replace('.', ","),
        Lang::En => text,
    }
}

fn describe_geometry(geometry: &Value, lang: Lang) -> Option<String> {
    let t = lang.strings().cohorts;
    let c = geometry.get("coordinates")?;
    match geometry.get("type")?.as_str()? {
        "Point" => {
            let p = coords(&json!([c])).into_iter().next()?;
            Some(fill(
                t.describe_point,
                &[
                    ("lat", &number(lang, p.y, 3)),
                    ("lon", &number(lang, p.x, 3)),
                ],
            ))
        }
        "LineString" => {
            let line = coords(c);
            let km = Geodesic.length(&LineString::from(line.clone())) / 1000.0;
            Some(fill(
                t.describe_line,
                &[("n", &line.len()), ("km", &number(lang, km, 1))],
            ))
        }
        "Polygon" => {
            let rings: Vec<Vec<Coord>> = c.as_array()?.iter().map(coords).collect();
            let outer = rings.first()?.clone();
            let corners = outer.len().saturating_sub(1);
            let holes = rings.into_iter().skip(1).map(LineString::from).collect();
            let km2 = Polygon::new(LineString::from(outer), holes).geodesic_area_unsigned() / 1e6;
            Some(fill(
                t.describe_polygon,
                &[("n", &corners), ("km2", &number(lang, km2, 0))],
            ))
        }
        _ => None,
    }
}

/// The answer in words, for the list view (and screen readers).
fn describe(answer: &Value, lang: Lang) -> String {
    let t = lang.strings().cohorts;
    let strings = |v: &Value| {
        v.as_array()
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .collect::<Vec<_>>()
                    .join(", ")
            })
            .unwrap_or_default()
    };
    if let Some(choices) = answer.get("choices") {
        return fill(t.describe_choice, &[("list", &strings(choices))]);
    }
    if let Some(ids) = answer.get("ids") {
        return fill(t.describe_selected, &[("list", &strings(ids))]);
    }
    if let Some(value) = answer.get("value").and_then(Value::as_f64) {
        return fill(
            t.describe_value,
            &[(
                "value",
                &number(lang, value, 2)
                    .trim_end_matches(['0'])
                    .trim_end_matches([',', '.'])
                    .to_owned(),
            )],
        );
    }
    if let (Some(n), Some(e)) = (
        answer.get("n").and_then(Value::as_f64),
        answer.get("e").and_then(Value::as_f64),
    ) {
        return fill(
            t.describe_coordinates,
            &[("n", &number(lang, n, 0)), ("e", &number(lang, e, 0))],
        );
    }
    let features = answer_features(answer);
    let texts: Vec<String> = features
        .iter()
        .filter_map(|f| {
            let text = describe_geometry(f.get("geometry")?, lang)?;
            Some(
                match f
                    .get("properties")
                    .and_then(|p| p.get("label"))
                    .and_then(Value::as_str)
                {
                    Some(label) => format!("{label}: {text}"),
                    None => text,
                },
            )
        })
        .collect();
    match texts.len() {
        0 => t.describe_other.to_owned(),
        1 => texts.into_iter().next().unwrap_or_default(),
        n => fill(t.describe_points, &[("n", &n), ("list", &texts.join("; "))]),
    }
}

/// A trainer's override as its learner sees it: both grades, who, and the comment.
#[derive(Debug, Clone)]
pub(super) struct OverrideNote {
    pub exercise_id: String,
    pub summary: String,
    pub comment: String,
}

/// The learner's notes of their overridden attempts (`rows` from `Db::own_overrides`).
pub(super) fn override_notes(rows: Vec<crate::db::OverrideRow>, lang: Lang) -> Vec<OverrideNote> {
    let t = lang.strings().cohorts;
    rows.into_iter()
        .map(|o| {
            let by = if o.by_name.is_empty() {
                t.unknown_trainer.to_owned()
            } else {
                o.by_name.clone()
            };
            OverrideNote {
                summary: fill(
                    t.override_seen,
                    &[
                        ("n", &o.attempt_no),
                        ("original", &percent_score(o.engine_score)),
                        ("score", &percent_score(o.score)),
                        ("by", &by),
                    ],
                ),
                comment: o.comment,
                exercise_id: o.exercise_id,
            }
        })
        .collect()
}

struct AnswerView {
    name: String,
    answered: bool,
    attempt_id: i64,
    attempt_no: i64,
    score: String,
    /// The engine's score, when a trainer changed it.
    original: Option<String>,
    passed: &'static str,
    description: String,
    override_label: String,
    errors: Vec<&'static str>,
    score_value: String,
    comment_value: String,
}

#[derive(Template, WebTemplate)]
#[template(path = "cohort_exercise.html")]
struct ClassMapPage {
    chrome: Chrome,
    t: &'static CohortStrings,
    csrf: String,
    cohort: CohortView,
    exercise_id: String,
    exercise_title: String,
    notice: Option<&'static str>,
    answered: usize,
    rows: Vec<AnswerView>,
    config_json: String,
    ol_css: String,
    ol_js: String,
    css: String,
    js: String,
}

/// An override form sent back with its problems.
struct Refused {
    attempt_id: i64,
    errors: Vec<&'static str>,
    score: String,
    comment: String,
}

#[expect(
    clippy::too_many_arguments,
    reason = "the page's parts, gathered by the handlers that show it after a change or an error"
)]
async fn class_map_page(
    state: &AppState,
    lang: Lang,
    uri: &Uri,
    runner: &CohortRunner,
    cohort: &CohortRow,
    exercise: &Exercise,
    notice: Option<&'static str>,
    refused: Option<Refused>,
) -> Result<Response, AppError> {
    let t = lang.strings().cohorts;
    let scope = runner.0.scope();
    let (members, answers, regions) = tokio::try_join!(
        state.db.cohort_members_in_scope(&scope, cohort.cohort_id),
        state
            .db
            .cohort_latest_answers(&scope, cohort.cohort_id, &exercise.id),
        state.db.regions(),
    )?;
    let by_person: HashMap<i64, &ClassAnswer> = answers.iter().map(|a| (a.person_id, a)).collect();
    let rows = members
        .unwrap_or_default()
        .into_iter()
        .map(|m| {
            let Some(a) = by_person.get(&m.person_id) else {
                return AnswerView {
                    name: m.display_name,
                    answered: false,
                    attempt_id: 0,
                    attempt_no: 0,
                    score: String::new(),
                    original: None,
                    passed: "",
                    description: t.no_answer.to_owned(),
                    override_label: String::new(),
                    errors: Vec::new(),
                    score_value: String::new(),
                    comment_value: String::new(),
                };
            };
            let answer: Value = serde_json::from_str(&a.answer).unwrap_or(Value::Null);
            let engine = engine_score(a);
            let mine = refused.as_ref().filter(|r| r.attempt_id == a.attempt_id);
            AnswerView {
                override_label: fill(
                    t.override_label,
                    &[("name", &m.display_name), ("n", &a.attempt_no)],
                ),
                name: m.display_name,
                answered: true,
                attempt_id: a.attempt_id,
                attempt_no: a.attempt_no,
                score: percent_score(a.score),
                original: (a.overrides > 0).then(|| percent_score(engine)),
                passed: if a.passed > 0 {
                    t.passed_yes
                } else {
                    t.passed_no
                },
                description: describe(&answer, lang),
                errors: mine.map(|r| r.errors.clone()).unwrap_or_default(),
                score_value: mine.map(|r| r.score.clone()).unwrap_or_default(),
                comment_value: mine.map(|r| r.comment.clone()).unwrap_or_default(),
            }
        })
        .collect::<Vec<_>>();
    let config = json!({
        "answers_url": format!("/api/cohorts/{}/exercises/{}/answers", cohort.cohort_id, exercise.id),
        "exercise_url": format!("/api/exercises/{}", exercise.id),
        "tile_url": state.config.tile_url,
        "strings": t,
    });
    let status = if refused.is_some() {
        StatusCode::UNPROCESSABLE_ENTITY
    } else {
        StatusCode::OK
    };
    let page = ClassMapPage {
        chrome: Chrome::new(lang, uri),
        t,
        csrf: runner.0.csrf_token.clone(),
        cohort: CohortView::of(cohort, &state.catalog, &regions, lang),
        exercise_id: exercise.id.clone(),
        exercise_title: exercise.title.get(lang).to_owned(),
        notice,
        answered: answers.len(),
        rows,
        config_json: super::exercises::script_json(&config),
        ol_css: asset_url("vendor/ol.css"),
        ol_js: asset_url("vendor/ol.js"),
        css: asset_url("css/live.css"),
        js: asset_url("js/cohorts/classmap.js"),
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(super) struct SavedQuery {
    saved: Option<String>,
}

/// `GET /cohorts/{id}/exercises/{exercise}`: the class map and its list view.
pub(super) async fn class_map(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    runner: CohortRunner,
    Path((id, exercise)): Path<(String, String)>,
    Query(query): Query<SavedQuery>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    let cohort = runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    let exercise = course_exercise(&state.catalog, &cohort, &exercise)?;
    let notice = saved_text(lang.strings().cohorts, query.saved.as_deref());
    class_map_page(&state, lang, &uri, &runner, &cohort, exercise, notice, None).await
}

/// `GET /api/cohorts/{id}/exercises/{exercise}/answers`: every member's latest answer as
/// GeoJSON features with score, passed and the description of the list view.
pub(super) async fn class_map_data(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    runner: CohortRunner,
    Path((id, exercise)): Path<(String, String)>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    let cohort = runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    let exercise = course_exercise(&state.catalog, &cohort, &exercise)?;
    let answers = state
        .db
        .cohort_latest_answers(&runner.0.scope(), id, &exercise.id)
        .await?;
    let items: Vec<Value> = answers
        .iter()
        .map(|a| {
            let answer: Value = serde_json::from_str(&a.answer).unwrap_or(Value::Null);
            let features: Vec<Value> = answer_features(&answer)
                .into_iter()
                .map(|mut f| {
                    f["properties"] = json!({
                        "person_id": a.person_id,
                        "name": a.display_name,
                        "score": a.score,
                    });
                    f
                })
                .collect();
            json!({
                "person_id": a.person_id,
                "name": a.display_name,
                "attempt_id": a.attempt_id,
                "attempt_no": a.attempt_no,
                "score": a.score,
                "engine_score": engine_score(a),
                "overridden": a.overrides > 0,
                "passed": a.passed > 0,
                "created_at_ms": a.created_at_ms,
                "description": describe(&answer, lang),
                "features": {"type": "FeatureCollection", "features": features},
            })
        })
        .collect();
    let body = json!({
        "cohort_id": id,
        "exercise_id": exercise.id,
        "kind": exercise.kind,
        "members": cohort.members,
        "answers": items,
    });
    Ok(super::exercises::personal(Json(body).into_response()))
}

/// `POST /cohorts/{id}/attempts/{attempt}/override`: `score` (0–100 %) and a `comment`
/// (required). Audited; the learner sees both grades and the comment.
pub(super) async fn override_grade(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    ClientAddr(client): ClientAddr,
    runner: CohortRunner,
    Path((id, attempt)): Path<(String, String)>,
    Form(pairs): Form<Vec<(String, String)>>,
) -> Result<Response, AppError> {
    let id = cohort_id(&id)?;
    let cohort = runs(&state, &runner, id, &format!("cohort:{id}")).await?;
    let attempt_id: i64 = attempt.parse().map_err(|_| AppError::NotFound)?;
    let t = lang.strings().cohorts;
    let score_text = one_of(&pairs, "score").trim().to_owned();
    let comment = one_of(&pairs, "comment").trim().to_owned();
    let exercise_id = one_of(&pairs, "exercise").to_owned();
    let score = score_text
        .replace(',', ".")
        .trim_end_matches('%')
        .trim()
        .parse::<f64>()
        .ok()
        .filter(|s| s.is_finite() && (0.0..=100.0).contains(s));
    let mut errors = Vec::new();
    if score.is_none() {
        errors.push(t.error_score);
    }
    if comment.is_empty() || comment.chars().count() > MAX_COMMENT {
        errors.push(t.error_comment);
    }
    let exercise = course_exercise(&state.catalog, &cohort, &exercise_id).ok();
    if let (false, Some(exercise)) = (errors.is_empty(), exercise) {
        let refused = Refused {
            attempt_id,
            errors,
            score: score_text,
            comment,
        };
        return class_map_page(
            &state,
            lang,
            &uri,
            &runner,
            &cohort,
            exercise,
            None,
            Some(refused),
        )
        .await;
    }
    let Some(score) = score.filter(|_| errors.is_empty()) else {
        // No exercise to show the form again on: the request did not come from its page.
        return Err(AppError::client(
            StatusCode::UNPROCESSABLE_ENTITY,
            "bad_request",
            errors.first().map(|e| (*e).to_owned()),
        ));
    };
    let change = GradeChange {
        cohort_id: id,
        attempt_id,
        score: score / 100.0,
        comment: &comment,
    };
    let catalog = state.catalog.clone();
    let Some(done) = state
        .db
        .override_grade(&runner.0.scope(), &change, |exercise| {
            catalog.exercise(exercise).map(|e| e.grader.pass())
        })
        .await?
    else {
        return Err(deny_attempt(&state, &runner, attempt_id).await);
    };
    let target = format!("attempt:{attempt_id}");
    let detail = format!(
        "cohort:{id} score {:.4} -> {:.4} (engine {:.4})",
        done.previous_score, done.score, done.engine_score
    );
    let client = client.map(|c| c.to_string());
    record(
        &state,
        AuditEvent {
            actor: Some(runner.0.id),
            action: "grade_override",
            target: Some(&target),
            outcome: "success",
            detail: Some(&detail),
            client_addr: client.as_deref(),
        },
    )
    .await;
    Ok(redirect(&format!(
        "/cohorts/{id}/exercises/{}?saved=override",
        done.exercise_id
    )))
}

async fn deny_attempt(state: &AppState, runner: &CohortRunner, attempt_id: i64) -> AppError {
    let target = format!("attempt:{attempt_id}");
    record(
        state,
        AuditEvent {
            actor: Some(runner.0.id),
            action: "access",
            target: Some(&target),
            outcome: "denied",
            detail: Some("cohort scope"),
            client_addr: None,
        },
    )
    .await;
    AppError::NotFound
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_are_described_in_words() {
        let point = json!({"geometry": {"type": "Point", "coordinates": [22.154, 65.584]}});
        assert_eq!(describe(&point, Lang::En), "Point at 65.584° N, 22.154° E");
        assert_eq!(describe(&point, Lang::Sv), "Punkt vid 65,584° N, 22,154° O");
        let line = json!({"geometry": {"type": "LineString", "coordinates": [[20.0, 65.0], [20.0, 66.0]]}});
        // One degree of latitude near 65° N is about 111.5 km (the meridian arc).
        assert_eq!(describe(&line, Lang::En), "Line of 2 points, 111.5 km");
        let square = json!({"geometry": {"type": "Polygon", "coordinates": [[[20.0, 65.0], [20.1, 65.0], [20.1, 65.1], [20.0, 65.1], [20.0, 65.0]]]}});
        let text = describe(&square, Lang::En);
        assert!(text.starts_with("Area with 4 corners, 5"), "{text}");
        let points = json!({"features": {"type": "FeatureCollection", "features": [
            {"type": "Feature", "properties": {"label": "A"}, "geometry": {"type": "Point", "coordinates": [20.0, 64.0]}},
            {"type": "Feature", "properties": {"label": "B"}, "geometry": {"type": "Point", "coordinates": [21.0, 65.0]}}]}});
        assert_eq!(
            describe(&points, Lang::En),
            "2 points: A: Point at 64.000° N, 20.000° E; B: Point at 65.000° N, 21.000° E"
        );
        assert_eq!(
            describe(&json!({"choices": ["a", "c"]}), Lang::En),
            "Chose: a, c"
        );
        assert_eq!(describe(&json!({"ids": ["x"]}), Lang::Sv), "Markerade: x");
        assert_eq!(describe(&json!({"value": 12.5}), Lang::Sv), "Värde: 12,5");
        assert_eq!(describe(&json!({"value": 40.0}), Lang::En), "Value: 40");
        assert_eq!(
            describe(&json!({"n": 7_300_000.0, "e": 800_000.0}), Lang::En),
            "North 7300000, east 800000"
        );
        assert_eq!(describe(&Value::Null, Lang::En), "Answer without a map");
    }
}
