//! One cohort's page: its members (search within reach, add, remove), due dates per module and
//! the members × lessons progress matrix with overdue modules.

use super::*;

#[derive(Debug, Default, Deserialize)]
pub(in crate::web) struct ShowQuery {
    q: Option<String>,
    saved: Option<String>,
}

pub(super) fn saved_text(t: &'static CohortStrings, saved: Option<&str>) -> Option<&'static str> {
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
pub(super) fn course_exercises<'a>(
    catalog: &'a Catalog,
    course: &Course,
) -> Vec<(usize, &'a Exercise)> {
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
pub(in crate::web) async fn show(
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
pub(in crate::web) async fn add_member(
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
pub(in crate::web) async fn remove_member(
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
pub(in crate::web) async fn set_due(
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
