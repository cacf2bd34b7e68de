//! The class map of one exercise (every member's latest answer, on a map and in a list), its
//! data for the map's script, and a trainer's grade override with the notes learners see.

use super::describe::{answer_features, describe};
use super::page::{course_exercises, saved_text};
use super::*;

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

/// A trainer's override as its learner sees it: both grades, who, and the comment.
#[derive(Debug, Clone)]
pub(in crate::web) struct OverrideNote {
    pub exercise_id: String,
    pub summary: String,
    pub comment: String,
}

/// The learner's notes of their overridden attempts (`rows` from `Db::own_overrides`).
pub(in crate::web) fn override_notes(
    rows: Vec<crate::db::OverrideRow>,
    lang: Lang,
) -> Vec<OverrideNote> {
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
    proj4_js: String,
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
        config_json: crate::web::exercises::script_json(&config),
        ol_css: asset_url("vendor/ol.css"),
        ol_js: asset_url("vendor/ol.js"),
        proj4_js: asset_url("vendor/proj4.js"),
        css: asset_url("css/live.css"),
        js: asset_url("js/cohorts/classmap.js"),
    };
    Ok((status, page).into_response())
}

#[derive(Debug, Default, Deserialize)]
pub(in crate::web) struct SavedQuery {
    saved: Option<String>,
}

/// `GET /cohorts/{id}/exercises/{exercise}`: the class map and its list view.
pub(in crate::web) async fn class_map(
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
pub(in crate::web) async fn class_map_data(
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
    Ok(crate::web::exercises::personal(Json(body).into_response()))
}

/// `POST /cohorts/{id}/attempts/{attempt}/override`: `score` (0–100 %) and a `comment`
/// (required). Audited; the learner sees both grades and the comment.
pub(in crate::web) async fn override_grade(
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
