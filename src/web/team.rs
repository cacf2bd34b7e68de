//! The manager's view of their region: the page `/team` and its exports `/team/progress.csv` and
//! `/api/team/progress` (which read-only API tokens may also fetch).
//!
//! Who sees which region is decided once, in [`TeamAccess`]: the caller's scope becomes a
//! [`TeamScope`] (a manager's own region; any region for an admin) or the request is refused
//! with an audited 404, and the organisation and cohort filters must lie in that region. Every
//! number is then computed by [`crate::progress`] from that one set of people, where groups of
//! fewer than five are hidden from non-admins; the handlers only lay the numbers out.

use std::collections::{BTreeMap, HashMap};

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{FromRef, FromRequestParts, OriginalUri, Query, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::assets::asset_url;
use super::audit::{deny, record, request_target};
use super::client::client_addr;
use super::error::AppError;
use super::lang::ReqLang;
use super::pages::Chrome;
use super::progress::{When, decimal};
use super::session::{Person, Reader};
use super::state::AppState;
use crate::content::Catalog;
use crate::db::{
    AuditEvent, FilterOption, Scope, TeamFilter, TeamPersonRow, TeamScope, WeekRow, now_ms,
};
use crate::i18n::progress::fill;
use crate::i18n::{Lang, ProgressStrings};
use crate::progress::chart::{self, TrendChart, WeekPoint};
use crate::progress::csv::{Cell, Dialect, Writer};
use crate::progress::map::region_map;
use crate::progress::mastery::Mastery;
use crate::progress::team::{
    Focus, GroupCompletion, GroupRow, Member, Summary, level_class, share_class, stuck,
};
use crate::progress::time::{date, iso_week, rfc3339, week_start};
use crate::progress::{DAY_MS, ExerciseStat, Plan, Profile};

/// People per page of the matrix.
const PAGE_SIZE: usize = 50;
/// Weeks of the trend, the current one included.
const TREND_WEEKS: i64 = 12;
/// Stuck people listed on the page (the most failures first).
const STUCK_SHOWN: usize = 25;
/// Width of the region map, in SVG units.
const MAP_WIDTH: f64 = 420.0;

/// The query every team route understands.
#[derive(Debug, Default, Deserialize)]
pub(super) struct TeamQuery {
    region: Option<String>,
    organisation: Option<String>,
    cohort: Option<String>,
    focus: Option<String>,
    page: Option<String>,
}

fn parse_id(raw: Option<&str>) -> Result<Option<i64>, AppError> {
    match raw.map(str::trim).filter(|s| !s.is_empty()) {
        None => Ok(None),
        Some(text) => text
            .parse::<i64>()
            .map(Some)
            .map_err(|_| AppError::client(StatusCode::BAD_REQUEST, "bad_request", None)),
    }
}

/// The team a request may look at, and who is asking.
#[derive(Debug, Clone)]
pub(super) struct TeamAccess {
    scope: TeamScope,
    filter: TeamFilter,
    actor: i64,
    via_token: bool,
    client: Option<String>,
    target: String,
    /// The page's own parameters (the exports ignore them).
    focus: Option<String>,
    page: Option<String>,
}

impl TeamAccess {
    async fn resolve(
        state: &AppState,
        parts: &Parts,
        scope: &Scope,
        actor: i64,
        via_token: bool,
    ) -> Result<Self, AppError> {
        let query = Query::<TeamQuery>::try_from_uri(&parts.uri)
            .map_err(|_| AppError::client(StatusCode::BAD_REQUEST, "bad_request", None))?
            .0;
        let Some(team) = TeamScope::for_region(scope, query.region.as_deref()) else {
            return Err(deny(state, parts, Some(actor), "team scope").await);
        };
        let filter = TeamFilter {
            organisation_id: parse_id(query.organisation.as_deref())?,
            cohort_id: parse_id(query.cohort.as_deref())?,
        };
        if !state.db.region_exists(team.region_id()).await?
            || !state.db.team_filter_fits(&team, filter).await?
        {
            return Err(deny(state, parts, Some(actor), "team filter").await);
        }
        Ok(Self {
            scope: team,
            filter,
            actor,
            via_token,
            client: client_addr(&parts.extensions, &parts.headers, &state.config)
                .map(|a| a.to_string()),
            target: request_target(parts),
            focus: query.focus,
            page: query.page,
        })
    }

    /// The query string that selects this team again (for links and exports).
    fn query(&self, admin_region: bool) -> String {
        let mut pairs = Vec::new();
        if admin_region {
            pairs.push(format!("region={}", self.scope.region_id()));
        }
        if let Some(id) = self.filter.organisation_id {
            pairs.push(format!("organisation={id}"));
        }
        if let Some(id) = self.filter.cohort_id {
            pairs.push(format!("cohort={id}"));
        }
        pairs.join("&")
    }

    /// Writes the export to the audit log.
    async fn audit_export(&self, state: &AppState, what: &str) {
        let detail = format!(
            "{what} region={}{}",
            self.scope.region_id(),
            if self.via_token { " via token" } else { "" }
        );
        record(
            state,
            AuditEvent {
                actor: Some(self.actor),
                action: "export",
                target: Some(&self.target),
                outcome: "success",
                detail: Some(&detail),
                client_addr: self.client.as_deref(),
            },
        )
        .await;
    }
}

/// The page's access: a logged-in manager or admin (tokens are for the machine routes).
pub(super) struct PageAccess(TeamAccess);

impl<S> FromRequestParts<S> for PageAccess
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let person = Person::from_request_parts(parts, state).await?;
        let state = AppState::from_ref(state);
        Ok(Self(
            TeamAccess::resolve(&state, parts, &person.scope(), person.id, false).await?,
        ))
    }
}

/// The exports' access: a session or a read-only API token of a manager or admin.
pub(super) struct ExportAccess(TeamAccess);

impl<S> FromRequestParts<S> for ExportAccess
where
    AppState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let reader = Reader::from_request_parts(parts, state).await?;
        let state = AppState::from_ref(state);
        Ok(Self(
            TeamAccess::resolve(
                &state,
                parts,
                &reader.scope,
                reader.person_id,
                reader.via_token,
            )
            .await?,
        ))
    }
}

/// The team's people with their profiles, computed now.
struct TeamData {
    plan: Plan,
    people: Vec<TeamPersonRow>,
    profiles: Vec<Profile>,
    /// When the team's exercises were first passed (for the trend).
    passed_at: Vec<i64>,
    now: i64,
}

impl TeamData {
    async fn load(state: &AppState, access: &TeamAccess) -> Result<Self, AppError> {
        let plan = Plan::new(&state.catalog);
        let now = now_ms();
        let (people, rows) = tokio::try_join!(
            state.db.team_people(&access.scope, access.filter),
            state.db.team_exercise_stats(&access.scope, access.filter),
        )?;
        let index: HashMap<i64, usize> = people
            .iter()
            .enumerate()
            .map(|(i, p)| (p.person_id, i))
            .collect();
        let mut stats: Vec<Vec<Option<ExerciseStat>>> = vec![vec![None; plan.len()]; people.len()];
        for row in &rows {
            if let (Some(&i), Some(slot)) = (index.get(&row.person_id), plan.slot(&row.exercise_id))
            {
                stats[i][slot] = Some(row.stat());
            }
        }
        let profiles = stats.iter().map(|s| plan.profile(s, now)).collect();
        let passed_at = rows
            .iter()
            .filter(|r| index.contains_key(&r.person_id))
            .filter_map(|r| r.passed_at_ms)
            .collect();
        Ok(Self {
            plan,
            people,
            profiles,
            passed_at,
            now,
        })
    }

    fn members(&self) -> Vec<Member<'_>> {
        self.people
            .iter()
            .zip(&self.profiles)
            .map(|(p, profile)| Member {
                organisation_id: p.organisation_id,
                municipality: p.municipality_code.as_deref(),
                profile,
            })
            .collect()
    }
}

/// The first week of the trend (a Monday), so that it holds [`TREND_WEEKS`] weeks with this one.
fn trend_from(now: i64) -> i64 {
    week_start(now) - (TREND_WEEKS - 1) * 7 * DAY_MS
}

/// The 12 weeks of the trend, oldest first, zero-filled: activity from `activity_week`, first
/// passes from the team's own `exercise_progress` rows.
fn trend_points(weeks: &[WeekRow], passed_at: &[i64], from: i64) -> Vec<WeekPoint> {
    let to_u32 = |v: i64| u32::try_from(v).unwrap_or(u32::MAX);
    let mut passes = [0_u32; TREND_WEEKS as usize];
    for &at in passed_at.iter().filter(|&&at| at >= from) {
        if let Some(n) = usize::try_from((at - from) / (7 * DAY_MS))
            .ok()
            .and_then(|i| passes.get_mut(i))
        {
            *n += 1;
        }
    }
    (0..TREND_WEEKS)
        .zip(passes)
        .map(|(i, passes)| {
            let start = from + i * 7 * DAY_MS;
            let week = weeks.iter().find(|w| w.week == i);
            WeekPoint {
                week_start_ms: start,
                week: iso_week(start),
                active_people: week.map_or(0, |w| to_u32(w.active_people)),
                attempts: week.map_or(0, |w| to_u32(w.attempts)),
                passes,
            }
        })
        .collect()
}

fn focus_of(plan: &Plan, raw: Option<&str>) -> Focus {
    raw.and_then(|id| plan.competences.iter().position(|c| c.id == id))
        .map_or(Focus::Overall, Focus::Competence)
}

#[derive(Template, WebTemplate)]
#[template(path = "team.html")]
pub(super) struct TeamPage {
    chrome: Chrome,
    t: &'static ProgressStrings,
    css: String,
    region_name: String,
    admin: bool,
    regions: Vec<Choice>,
    organisations: Vec<Choice>,
    cohorts: Vec<Choice>,
    focuses: Vec<Choice>,
    people: usize,
    active_week: String,
    active_month: String,
    any_hidden: bool,
    competence_names: Vec<String>,
    rows: Vec<MatrixRow>,
    means: Vec<String>,
    overall_mean: String,
    pager: Option<Pager>,
    completion: Vec<CompletionRow>,
    stuck: Vec<StuckRow>,
    trend: Option<TrendView>,
    map: Option<MapView>,
    map_missing: bool,
    municipalities: Vec<GroupView>,
    organisation_rows: Vec<GroupView>,
    csv_href: String,
    json_href: String,
}

struct Choice {
    value: String,
    label: String,
    selected: bool,
}

struct MatrixCell {
    value: String,
    class: &'static str,
    level: u8,
}

impl MatrixCell {
    fn of(m: &Mastery, lang: Lang) -> Self {
        Self {
            value: decimal(lang, m.value),
            class: level_class(m.value),
            level: m.level,
        }
    }
}

struct MatrixRow {
    name: String,
    organisation: String,
    cells: Vec<MatrixCell>,
    overall: MatrixCell,
    lessons: String,
    last: Option<When>,
}

struct Pager {
    text: String,
    prev: Option<String>,
    next: Option<String>,
}

struct CompletionRow {
    title: String,
    course: bool,
    completed: String,
    in_progress: String,
    not_started: String,
    share: String,
    bar_width: u32,
}

struct StuckRow {
    person: String,
    exercise: String,
    href: String,
    failures: u32,
    last: When,
}

struct TrendView {
    chart: TrendChart,
    week_short: &'static str,
    /// Where the axis values end, left of the plot.
    tick_x: f64,
    /// The baseline of the week labels, below the plot.
    week_y: f64,
    /// The top-left corner of each 7×7 marker square.
    markers: Vec<(f64, f64)>,
    rows: Vec<TrendRow>,
}

struct TrendRow {
    week: u32,
    date: String,
    active: u32,
    attempts: u32,
    passes: u32,
}

struct MapView {
    width: f64,
    height: f64,
    outline: String,
    seats: Vec<SeatView>,
}

struct SeatView {
    x: f64,
    y: f64,
    label_x: f64,
    class: &'static str,
    name: String,
    share: String,
}

struct GroupView {
    name: String,
    people: String,
    at_target: String,
    share: String,
    mean: String,
    class: &'static str,
}

fn shown_count(value: Option<usize>, t: &ProgressStrings) -> String {
    value.map_or_else(|| t.fewer_than_five.to_owned(), |v| v.to_string())
}

fn group_view<K>(name: String, row: &GroupRow<K>, lang: Lang, t: &ProgressStrings) -> GroupView {
    GroupView {
        name,
        people: shown_count(row.people, t),
        at_target: row
            .at_target
            .map_or_else(|| "–".to_owned(), |v| v.to_string()),
        share: row
            .share_at_target
            .map_or_else(|| "–".to_owned(), |v| format!("{v} %")),
        mean: row
            .mean
            .map_or_else(|| "–".to_owned(), |v| decimal(lang, v)),
        class: share_class(row.share_at_target),
    }
}

fn completion_row(
    title: String,
    course: bool,
    c: Option<GroupCompletion>,
    t: &ProgressStrings,
) -> CompletionRow {
    let hidden = || t.fewer_than_five.to_owned();
    CompletionRow {
        title,
        course,
        completed: c.map_or_else(hidden, |c| c.completed.to_string()),
        in_progress: c.map_or_else(|| "–".to_owned(), |c| c.in_progress.to_string()),
        not_started: c.map_or_else(|| "–".to_owned(), |c| c.not_started.to_string()),
        share: c.map_or_else(|| "–".to_owned(), |c| format!("{} %", c.percent)),
        bar_width: c.map_or(0, |c| c.percent),
    }
}

/// A municipal seat of the `municipalities` layer.
struct Seat {
    code: String,
    name: String,
    lon: f64,
    lat: f64,
}

/// The municipal seats of the region (`municipalities` layer) and its outline (`counties`), by
/// the region's SCB county code.
fn region_layers(catalog: &Catalog, county: &str) -> (Vec<Seat>, Option<geo::Geometry<f64>>) {
    let features = |name: &str| -> Vec<Value> {
        catalog
            .layer(name)
            .and_then(|l| serde_json::from_slice::<Value>(&l.geojson).ok())
            .and_then(|v| v.get("features").and_then(Value::as_array).cloned())
            .unwrap_or_default()
    };
    let prop = |f: &Value, key: &str| f["properties"][key].as_str().map(str::to_owned);
    let seats = features("municipalities")
        .iter()
        .filter(|f| prop(f, "county_code").as_deref() == Some(county))
        .filter_map(|f| {
            let c = f["geometry"]["coordinates"].as_array()?;
            Some(Seat {
                code: prop(f, "scb_code")?,
                name: prop(f, "name")?,
                lon: c.first()?.as_f64()?,
                lat: c.get(1)?.as_f64()?,
            })
        })
        .collect();
    let outline = features("counties")
        .iter()
        .find(|f| prop(f, "scb_code").as_deref() == Some(county))
        .and_then(|f| prop(f, "id"))
        .and_then(|id| {
            let layer = catalog.layer("counties")?;
            layer.features.feature(&id).map(|f| f.geometry.clone())
        });
    (seats, outline)
}

fn choices(options: &[FilterOption], selected: Option<i64>, t: &ProgressStrings) -> Vec<Choice> {
    std::iter::once(Choice {
        value: String::new(),
        label: t.filter_all.to_owned(),
        selected: selected.is_none(),
    })
    .chain(options.iter().map(|o| Choice {
        value: o.id.to_string(),
        label: o.name.clone(),
        selected: selected == Some(o.id),
    }))
    .collect()
}

/// `GET /team`.
pub(super) async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    PageAccess(access): PageAccess,
) -> Result<TeamPage, AppError> {
    let t = &lang.strings().progress;
    let admin = access.scope.sees_small_groups();
    let from = trend_from(now_ms());
    let (data, weeks, organisations, cohorts, regions) = tokio::try_join!(
        TeamData::load(&state, &access),
        async {
            Ok::<_, AppError>(
                state
                    .db
                    .team_weeks(&access.scope, access.filter, from)
                    .await?,
            )
        },
        async { Ok::<_, AppError>(state.db.team_organisations(&access.scope).await?) },
        async { Ok::<_, AppError>(state.db.team_cohorts(&access.scope).await?) },
        async { Ok::<_, AppError>(state.db.team_regions().await?) },
    )?;
    let catalog = &state.catalog;
    let plan = &data.plan;
    let focus = focus_of(plan, access.focus.as_deref());
    let members = data.members();
    let summary = Summary::compute(plan, &members, focus, data.now, admin);
    let trend = trend_points(&weeks, &data.passed_at, from);
    let (region_name, county) = regions
        .iter()
        .find(|r| r.0 == access.scope.region_id())
        .map(|r| (r.1.clone(), r.2.clone()))
        .unwrap_or_default();

    // The matrix, one page of people.
    let pages = data.people.len().div_ceil(PAGE_SIZE).max(1);
    let page = parse_id(access.page.as_deref())?
        .map_or(1, |p| usize::try_from(p).unwrap_or(1))
        .clamp(1, pages);
    let base_query = access.query(admin);
    let page_href = |p: usize| {
        let mut q = base_query.clone();
        if let Some(f) = access.focus.as_deref().filter(|f| !f.is_empty()) {
            q.push_str(if q.is_empty() { "" } else { "&" });
            q.push_str(&format!("focus={}", super::login::encode_component(f)));
        }
        q.push_str(if q.is_empty() { "" } else { "&" });
        format!("/team?{q}page={p}")
    };
    let rows = data
        .people
        .iter()
        .zip(&data.profiles)
        .skip((page - 1) * PAGE_SIZE)
        .take(PAGE_SIZE)
        .map(|(person, profile)| {
            let (done, total) = profile.courses.iter().fold((0, 0), |(d, t), c| {
                (d + c.lessons.completed, t + c.lessons.total)
            });
            MatrixRow {
                name: person.display_name.clone(),
                organisation: person.organisation_name.clone().unwrap_or_default(),
                cells: profile
                    .competences
                    .iter()
                    .map(|m| MatrixCell::of(m, lang))
                    .collect(),
                overall: MatrixCell::of(&profile.overall, lang),
                lessons: format!("{done}/{total}"),
                last: profile.last_at_ms.map(|at| When::of(at, data.now, t)),
            }
        })
        .collect();
    let pager = (pages > 1).then(|| Pager {
        text: fill(t.page_of, &[("page", &page), ("pages", &pages)]),
        prev: (page > 1).then(|| page_href(page - 1)),
        next: (page < pages).then(|| page_href(page + 1)),
    });

    let mut completion = Vec::new();
    for (course, cc) in catalog.courses.iter().zip(&summary.courses) {
        completion.push(completion_row(
            course.title.get(lang).to_owned(),
            true,
            cc.course,
            t,
        ));
        for (module, mc) in course.modules.iter().zip(&cc.modules) {
            completion.push(completion_row(
                module.title.get(lang).to_owned(),
                false,
                *mc,
                t,
            ));
        }
    }

    let stuck_rows = stuck(plan, &members)
        .into_iter()
        .take(STUCK_SHOWN)
        .filter_map(|s| {
            let person = data.people.get(s.member)?;
            let id = plan.exercise_id(s.slot);
            Some(StuckRow {
                person: person.display_name.clone(),
                exercise: catalog
                    .exercise(id)
                    .map_or_else(|| id.to_owned(), |e| e.title.get(lang).to_owned()),
                href: format!("/exercises/{id}"),
                failures: s.failures,
                last: When::of(s.last_at_ms, data.now, t),
            })
        })
        .collect();

    let trend = summary.shown.then(|| {
        let chart = chart::trend(&trend);
        TrendView {
            tick_x: chart.left - 6.0,
            week_y: chart.bottom + 18.0,
            markers: chart
                .markers
                .iter()
                .map(|m| (m.x - 3.5, m.y - 3.5))
                .collect(),
            chart,
            week_short: t.week_short,
            rows: trend
                .iter()
                .map(|w| TrendRow {
                    week: w.week,
                    date: date(w.week_start_ms),
                    active: w.active_people,
                    attempts: w.attempts,
                    passes: w.passes,
                })
                .collect(),
        }
    });

    // The map and its table: every municipality of the region, then people without one.
    let (seats, outline) = region_layers(catalog, &county);
    let by_code: BTreeMap<Option<String>, &GroupRow<Option<String>>> = summary
        .municipalities
        .iter()
        .map(|g| (g.key.clone(), g))
        .collect();
    let empty = |key: Option<String>| GroupRow {
        key,
        people: admin.then_some(0),
        at_target: admin.then_some(0),
        share_at_target: None,
        mean: None,
    };
    let mut municipalities: Vec<GroupView> = Vec::new();
    let mut seat_views = Vec::new();
    let projected = region_map(
        outline.as_ref(),
        &seats.iter().map(|s| (s.lon, s.lat)).collect::<Vec<_>>(),
        MAP_WIDTH,
        24.0,
    );
    for (i, seat) in seats.iter().enumerate() {
        let key = Some(seat.code.clone());
        let row = by_code
            .get(&key)
            .map_or_else(|| empty(key), |g| (*g).clone());
        let view = group_view(seat.name.clone(), &row, lang, t);
        if let Some((x, y)) = projected.as_ref().and_then(|m| m.seats.get(i).copied()) {
            seat_views.push(SeatView {
                x,
                y,
                label_x: x + 9.0,
                class: view.class,
                name: seat.name.clone(),
                share: view.share.clone(),
            });
        }
        municipalities.push(view);
    }
    for group in &summary.municipalities {
        let known = group
            .key
            .as_ref()
            .is_some_and(|code| seats.iter().any(|s| &s.code == code));
        if !known {
            let name = group
                .key
                .clone()
                .unwrap_or_else(|| t.no_municipality.to_owned());
            municipalities.push(group_view(name, group, lang, t));
        }
    }
    let map = projected.map(|m| MapView {
        width: m.width,
        height: m.height,
        outline: m.outline,
        seats: seat_views,
    });

    let org_names: HashMap<i64, &str> = organisations
        .iter()
        .map(|o| (o.id, o.name.as_str()))
        .collect();
    let organisation_rows = summary
        .organisations
        .iter()
        .map(|g| {
            let name = g
                .key
                .and_then(|id| org_names.get(&id).map(|n| (*n).to_owned()))
                .unwrap_or_else(|| t.no_organisation.to_owned());
            group_view(name, g, lang, t)
        })
        .collect();

    let hidden =
        |v: Option<f64>| v.map_or_else(|| t.fewer_than_five.to_owned(), |v| decimal(lang, v));
    let export_query = if base_query.is_empty() {
        String::new()
    } else {
        format!("?{base_query}")
    };
    let mut focuses = vec![Choice {
        value: String::new(),
        label: t.focus_overall.to_owned(),
        selected: focus == Focus::Overall,
    }];
    focuses.extend(catalog.competences.iter().enumerate().map(|(i, c)| Choice {
        value: c.id.clone(),
        label: c.name.get(lang).to_owned(),
        selected: focus == Focus::Competence(i),
    }));
    Ok(TeamPage {
        chrome: Chrome::new(lang, &uri),
        t,
        css: asset_url("css/team.css"),
        region_name,
        admin,
        regions: regions
            .iter()
            .map(|r| Choice {
                value: r.0.clone(),
                label: r.1.clone(),
                selected: r.0 == access.scope.region_id(),
            })
            .collect(),
        organisations: choices(&organisations, access.filter.organisation_id, t),
        cohorts: choices(&cohorts, access.filter.cohort_id, t),
        focuses,
        people: summary.people,
        active_week: shown_count(summary.active_week, t),
        active_month: shown_count(summary.active_month, t),
        any_hidden: !admin
            && (!summary.shown
                || summary.municipalities.iter().any(|g| g.people.is_none())
                || summary.organisations.iter().any(|g| g.people.is_none())
                || seats.len() > summary.municipalities.len()),
        competence_names: catalog
            .competences
            .iter()
            .map(|c| c.name.get(lang).to_owned())
            .collect(),
        rows,
        means: summary
            .competence_means
            .iter()
            .map(|m| hidden(*m))
            .collect(),
        overall_mean: hidden(summary.overall_mean),
        pager,
        completion,
        stuck: stuck_rows,
        trend,
        map_missing: map.is_none(),
        map,
        municipalities,
        organisation_rows,
        csv_href: format!("/team/progress.csv{export_query}"),
        json_href: format!("/api/team/progress{export_query}"),
    })
}

/// One person of an export: the documented columns (docs/progress.md).
struct ExportRow<'a> {
    person: &'a TeamPersonRow,
    profile: &'a Profile,
    lessons_completed: usize,
    lessons_total: usize,
    exercises_total: usize,
}

fn export_rows(data: &TeamData) -> Vec<ExportRow<'_>> {
    let exercises_total = data.plan.main_slots().count();
    data.people
        .iter()
        .zip(&data.profiles)
        .map(|(person, profile)| {
            let (done, total) = profile.courses.iter().fold((0, 0), |(d, t), c| {
                (d + c.lessons.completed, t + c.lessons.total)
            });
            ExportRow {
                person,
                profile,
                lessons_completed: done,
                lessons_total: total,
                exercises_total,
            }
        })
        .collect()
}

/// `GET /team/progress.csv`: one row per person, UTF-8 with a BOM, formulas neutralised; `;`
/// and decimal commas for Swedish readers, `,` and points for English ones.
pub(super) async fn csv(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    ExportAccess(access): ExportAccess,
) -> Result<Response, AppError> {
    let data = TeamData::load(&state, &access).await?;
    let dialect = match lang {
        Lang::Sv => Dialect::Swedish,
        Lang::En => Dialect::English,
    };
    let mut w = Writer::new(dialect);
    let mut header: Vec<Cell> = [
        "person_id",
        "name",
        "organisation",
        "municipality_code",
        "last_activity",
        "lessons_completed",
        "lessons_total",
        "exercises_passed",
        "exercises_total",
        "overall_value",
        "overall_level",
    ]
    .iter()
    .map(|h| Cell::Raw((*h).to_owned()))
    .collect();
    for c in &data.plan.competences {
        header.push(Cell::Raw(format!("{}_value", c.id)));
        header.push(Cell::Raw(format!("{}_level", c.id)));
    }
    w.row(&header);
    for row in export_rows(&data) {
        let mut cells = vec![
            Cell::Raw(row.person.person_id.to_string()),
            Cell::Text(row.person.display_name.clone()),
            Cell::Text(row.person.organisation_name.clone().unwrap_or_default()),
            Cell::Text(row.person.municipality_code.clone().unwrap_or_default()),
            Cell::Raw(row.profile.last_at_ms.map(date).unwrap_or_default()),
            Cell::Raw(row.lessons_completed.to_string()),
            Cell::Raw(row.lessons_total.to_string()),
            Cell::Raw(row.profile.passed.to_string()),
            Cell::Raw(row.exercises_total.to_string()),
            Cell::Raw(dialect.number(row.profile.overall.value, 1)),
            Cell::Raw(row.profile.overall.level.to_string()),
        ];
        for m in &row.profile.competences {
            cells.push(Cell::Raw(dialect.number(m.value, 1)));
            cells.push(Cell::Raw(m.level.to_string()));
        }
        w.row(&cells);
    }
    access.audit_export(&state, "team csv").await;
    let filename = format!(
        "attachment; filename=\"kartskola-{}-{}.csv\"",
        access.scope.region_id(),
        date(data.now)
    );
    let mut response = w.finish().into_response();
    let headers = response.headers_mut();
    headers.insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static("text/csv; charset=utf-8"),
    );
    headers.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    if let Ok(value) = HeaderValue::from_str(&filename) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// `GET /api/team/progress`: the CSV's data as JSON.
pub(super) async fn json(
    State(state): State<AppState>,
    ExportAccess(access): ExportAccess,
) -> Result<Response, AppError> {
    let data = TeamData::load(&state, &access).await?;
    let mastery = |m: &Mastery| json!({ "value": m.value, "level": m.level });
    let people: Vec<Value> = export_rows(&data)
        .iter()
        .map(|row| {
            let competences: serde_json::Map<String, Value> = data
                .plan
                .competences
                .iter()
                .zip(&row.profile.competences)
                .map(|(c, m)| (c.id.clone(), mastery(m)))
                .collect();
            json!({
                "person_id": row.person.person_id,
                "name": row.person.display_name,
                "organisation": row.person.organisation_name,
                "municipality_code": row.person.municipality_code,
                "last_activity": row.profile.last_at_ms.map(rfc3339),
                "lessons_completed": row.lessons_completed,
                "lessons_total": row.lessons_total,
                "exercises_passed": row.profile.passed,
                "exercises_total": row.exercises_total,
                "overall": mastery(&row.profile.overall),
                "competences": competences,
            })
        })
        .collect();
    access.audit_export(&state, "team json").await;
    let body = json!({
        "region": access.scope.region_id(),
        "organisation": access.filter.organisation_id,
        "cohort": access.filter.cohort_id,
        "generated_at": rfc3339(data.now),
        "competences": data.plan.competences.iter().map(|c| c.id.as_str()).collect::<Vec<_>>(),
        "people": people,
    });
    let mut response = Json(body).into_response();
    response
        .headers_mut()
        .insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    Ok(response)
}

#[cfg(test)]
mod tests {
    use super::super::progress::Badge;
    use super::*;
    use crate::progress::completion::Status;

    #[test]
    fn the_trend_has_twelve_weeks_with_first_passes_in_their_week() {
        let from = trend_from(2_000_000_000_000);
        let week = 7 * DAY_MS;
        let weeks = [WeekRow {
            week: 11,
            active_people: 3,
            attempts: 9,
        }];
        let passed = [
            from - 1,
            from,
            from + week - 1,
            from + 11 * week + 5,
            from + 12 * week,
        ];
        let points = trend_points(&weeks, &passed, from);
        assert_eq!(points.len(), 12);
        assert_eq!(
            points[0].passes, 2,
            "the first week's two, not the one before"
        );
        assert_eq!(points[11].passes, 1, "and not the one after the last week");
        assert_eq!((points[11].active_people, points[11].attempts), (3, 9));
        assert_eq!(points[5].active_people, 0);
        assert!(
            points
                .windows(2)
                .all(|w| w[1].week_start_ms - w[0].week_start_ms == week)
        );
    }

    #[test]
    fn ids_parse_or_are_refused() {
        assert_eq!(parse_id(None).ok(), Some(None));
        assert_eq!(parse_id(Some(" ")).ok(), Some(None));
        assert_eq!(parse_id(Some("12")).ok(), Some(Some(12)));
        assert!(parse_id(Some("12; drop")).is_err());
        let t = &Lang::Sv.strings().progress;
        assert_eq!(Badge::of(Status::Completed, t).class, "status-completed");
    }
}
