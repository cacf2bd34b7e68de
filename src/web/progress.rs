//! A learner's own progress: the page `/me/progress`, the same as JSON at `/api/me/progress`, and
//! the lesson status the course page shows a logged-in reader. Everything comes from the
//! person's rows of `exercise_progress` and the catalogue, through [`crate::progress`].

use askama::Template;
use askama_web::WebTemplate;
use axum::Json;
use axum::extract::{OriginalUri, State};
use serde_json::{Value, json};

use super::assets::asset_url;
use super::error::AppError;
use super::lang::ReqLang;
use super::pages::Chrome;
use super::session::Person;
use super::state::AppState;
use crate::content::Catalog;
use crate::db::now_ms;
use crate::i18n::progress::fill;
use crate::i18n::{Lang, ProgressStrings};
use crate::progress::completion::Status;
use crate::progress::mastery::Mastery;
use crate::progress::time::{Ago, rfc3339};
use crate::progress::{ExerciseStat, LessonAt, NextStep, Plan, Profile};

/// A person's profile, computed now from their stored stats.
pub(super) async fn own_profile(
    state: &AppState,
    person_id: i64,
) -> Result<(Plan, Profile), AppError> {
    let plan = Plan::new(&state.catalog);
    let rows = state.db.own_exercise_stats(person_id).await?;
    let mut stats: Vec<Option<ExerciseStat>> = vec![None; plan.len()];
    for row in &rows {
        if let Some(slot) = plan.slot(&row.exercise_id) {
            stats[slot] = Some(row.stat());
        }
    }
    let profile = plan.profile(&stats, now_ms());
    Ok((plan, profile))
}

/// A value 0–4 with one decimal, with the reader's decimal sign.
pub(super) fn decimal(lang: Lang, value: f64) -> String {
    let text = format!("{value:.1}");
    match lang {
        Lang::Sv => text.replace('.', ","),
        Lang::En => text,
    }
}

/// A score 0–1 as a whole percentage.
pub(super) fn percent_score(score: f64) -> String {
    format!("{:.0} %", (score.clamp(0.0, 1.0) * 100.0).round())
}

/// The CSS class of a status badge.
pub(super) fn status_class(status: Status) -> &'static str {
    match status {
        Status::NotStarted => "status-not-started",
        Status::InProgress => "status-in-progress",
        Status::Completed => "status-completed",
    }
}

/// A lesson's status as a badge: class and text.
#[derive(Debug, Clone, Copy)]
pub(super) struct Badge {
    pub class: &'static str,
    pub label: &'static str,
}

impl Badge {
    pub(super) fn of(status: Status, t: &ProgressStrings) -> Self {
        Self {
            class: status_class(status),
            label: t.status(status),
        }
    }
}

/// When something last happened, for a `<time>` element.
pub(super) struct When {
    pub iso: String,
    pub text: String,
}

impl When {
    pub(super) fn of(at_ms: i64, now: i64, t: &ProgressStrings) -> Self {
        Self {
            iso: rfc3339(at_ms),
            text: t.ago(Ago::between(at_ms, now)),
        }
    }
}

fn lesson_href(catalog: &Catalog, at: LessonAt) -> Option<(String, String, String)> {
    let course = catalog.courses.get(at.course)?;
    let module = course.modules.get(at.module)?;
    let lesson = module.lessons.get(at.lesson)?;
    Some((
        format!("/courses/{}/{}/{}", course.slug, module.slug, lesson.slug),
        course.slug.clone(),
        format!("{}/{}", module.slug, lesson.slug),
    ))
}

#[derive(Template, WebTemplate)]
#[template(path = "me_progress.html")]
pub(super) struct MePage {
    chrome: Chrome,
    t: &'static ProgressStrings,
    css: String,
    last_activity: Option<When>,
    next: Option<NextView>,
    all_done: bool,
    competences: Vec<CompetenceView>,
    overall: CompetenceView,
    courses: Vec<CourseView>,
    /// The texts of a trainer's overrides.
    c: &'static crate::i18n::CohortStrings,
}

pub(super) struct NextView {
    pub heading: &'static str,
    pub href: String,
    pub title: String,
    pub context: String,
}

pub(super) struct CompetenceView {
    pub name: String,
    pub level: u8,
    pub level_text: String,
    pub value: String,
    /// The width of the value's bar, out of 80.
    pub bar_width: f64,
    pub class: &'static str,
    pub evidence: String,
}

impl CompetenceView {
    fn of(
        name: String,
        levels: &[crate::content::Localized],
        m: Mastery,
        lang: Lang,
        t: &ProgressStrings,
    ) -> Self {
        let level_text = usize::from(m.level)
            .checked_sub(1)
            .and_then(|i| levels.get(i))
            .map_or_else(|| t.level_none.to_owned(), |l| l.get(lang).to_owned());
        Self {
            name,
            level: m.level,
            level_text,
            value: decimal(lang, m.value),
            bar_width: m.value * 20.0,
            class: crate::progress::team::level_class(m.value),
            evidence: fill(
                t.evidence,
                &[("done", &m.evidenced), ("total", &m.exercises)],
            ),
        }
    }
}

struct CourseView {
    href: String,
    title: String,
    badge: Option<Badge>,
    lessons_text: String,
    modules: Vec<ModuleView>,
}

struct ModuleView {
    title: String,
    badge: Option<Badge>,
    lessons: Vec<LessonView>,
}

struct LessonView {
    href: String,
    title: String,
    badge: Option<Badge>,
    exercises: Vec<ExerciseView>,
}

struct ExerciseView {
    href: String,
    title: String,
    best: String,
    attempts: u32,
    result: &'static str,
    by_alternative: bool,
    /// A trainer's changes of this exercise's grades (both grades and the comment).
    overrides: Vec<super::cohorts::OverrideNote>,
}

/// `GET /me/progress`.
pub(super) async fn page(
    State(state): State<AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    person: Person,
) -> Result<MePage, AppError> {
    let (plan, profile) = own_profile(&state, person.id).await?;
    let overrides =
        super::cohorts::override_notes(state.db.own_overrides(person.id, None).await?, lang);
    let catalog = &state.catalog;
    let t = &lang.strings().progress;
    let cohort_texts = lang.strings().cohorts;
    let now = now_ms();
    let next = plan.next_step(&profile).and_then(|step| {
        let (at, heading) = match step {
            NextStep::Start(at) => (at, t.start_heading),
            NextStep::Continue(at) => (at, t.continue_heading),
        };
        let course = catalog.courses.get(at.course)?;
        let module = course.modules.get(at.module)?;
        let lesson = module.lessons.get(at.lesson)?;
        Some(NextView {
            heading,
            href: lesson_href(catalog, at)?.0,
            title: lesson.text(lang).0.title.clone(),
            context: format!("{} · {}", course.title.get(lang), module.title.get(lang)),
        })
    });
    let competences = catalog
        .competences
        .iter()
        .zip(&profile.competences)
        .map(|(c, m)| CompetenceView::of(c.name.get(lang).to_owned(), &c.levels, *m, lang, t))
        .collect();
    let overall = CompetenceView::of(t.overall.to_owned(), &[], profile.overall, lang, t);
    let courses = catalog
        .courses
        .iter()
        .zip(&profile.courses)
        .map(|(course, progress)| CourseView {
            href: format!("/courses/{}", course.slug),
            title: course.title.get(lang).to_owned(),
            badge: progress.lessons.status().map(|s| Badge::of(s, t)),
            lessons_text: fill(
                t.lessons_done,
                &[
                    ("done", &progress.lessons.completed),
                    ("total", &progress.lessons.total),
                ],
            ),
            modules: course
                .modules
                .iter()
                .zip(&progress.modules)
                .map(|(module, mp)| ModuleView {
                    title: module.title.get(lang).to_owned(),
                    badge: mp.counts.status().map(|s| Badge::of(s, t)),
                    lessons: module
                        .lessons
                        .iter()
                        .zip(&mp.lessons)
                        .map(|(lesson, status)| LessonView {
                            href: format!(
                                "/courses/{}/{}/{}",
                                course.slug, module.slug, lesson.slug
                            ),
                            title: lesson.text(lang).0.title.clone(),
                            badge: status.map(|s| Badge::of(s, t)),
                            exercises: lesson
                                .exercises
                                .iter()
                                .filter_map(|id| {
                                    let exercise = catalog.exercise(id)?;
                                    let credit = plan
                                        .slot(id)
                                        .and_then(|s| profile.credits.get(s).copied().flatten());
                                    Some(ExerciseView {
                                        href: format!("/exercises/{id}"),
                                        title: exercise.title.get(lang).to_owned(),
                                        best: credit.map_or_else(
                                            || "–".to_owned(),
                                            |c| percent_score(c.best_score),
                                        ),
                                        attempts: credit.map_or(0, |c| c.attempts),
                                        result: match credit {
                                            None => t.not_done,
                                            Some(c) if c.passed => t.passed,
                                            Some(_) => t.not_passed,
                                        },
                                        by_alternative: credit.is_some_and(|c| c.by_alternative),
                                        overrides: overrides
                                            .iter()
                                            .filter(|o| o.exercise_id == *id)
                                            .cloned()
                                            .collect(),
                                    })
                                })
                                .collect(),
                        })
                        .collect(),
                })
                .collect(),
        })
        .collect();
    let has_exercise_lessons = plan.lessons().any(|(_, l)| !l.exercises.is_empty());
    Ok(MePage {
        chrome: Chrome::new(lang, &uri),
        t,
        css: asset_url("css/team.css"),
        last_activity: profile.last_at_ms.map(|at| When::of(at, now, t)),
        all_done: next.is_none() && has_exercise_lessons && profile.last_at_ms.is_some(),
        next,
        competences,
        overall,
        courses,
        c: cohort_texts,
    })
}

/// `GET /api/me/progress`: the page's data, with stable ids instead of texts.
pub(super) async fn api(
    State(state): State<AppState>,
    person: Person,
) -> Result<Json<Value>, AppError> {
    let (plan, profile) = own_profile(&state, person.id).await?;
    let catalog = &state.catalog;
    let status = |s: Option<Status>| s.map(Status::as_str);
    let mastery = |m: &Mastery| json!({ "value": m.value, "level": m.level, "exercises_done": m.evidenced, "exercises": m.exercises });
    let next = plan.next_step(&profile).and_then(|step| {
        let (at, kind) = match step {
            NextStep::Start(at) => (at, "start"),
            NextStep::Continue(at) => (at, "continue"),
        };
        let (href, course, lesson) = lesson_href(catalog, at)?;
        Some(json!({ "kind": kind, "href": href, "course": course, "lesson": lesson }))
    });
    let courses: Vec<Value> = plan
        .courses
        .iter()
        .zip(&profile.courses)
        .map(|(course, progress)| {
            json!({
                "slug": course.slug,
                "status": status(progress.lessons.status()),
                "lessons_completed": progress.lessons.completed,
                "lessons_total": progress.lessons.total,
                "modules": course.modules.iter().zip(&progress.modules).map(|(module, mp)| json!({
                    "slug": module.slug,
                    "status": status(mp.counts.status()),
                    "lessons": module.lessons.iter().zip(&mp.lessons).map(|(lesson, s)| json!({
                        "slug": lesson.slug,
                        "status": status(*s),
                        "exercises": lesson.exercises.iter().map(|&slot| {
                            let credit = profile.credits.get(slot).copied().flatten();
                            json!({
                                "id": plan.exercise_id(slot),
                                "attempts": credit.map_or(0, |c| c.attempts),
                                "best_score": credit.map(|c| c.best_score),
                                "passed": credit.is_some_and(|c| c.passed),
                            })
                        }).collect::<Vec<_>>(),
                    })).collect::<Vec<_>>(),
                })).collect::<Vec<_>>(),
            })
        })
        .collect();
    Ok(Json(json!({
        "person_id": person.id,
        "last_activity": profile.last_at_ms.map(rfc3339),
        "next": next,
        "overall": mastery(&profile.overall),
        "competences": plan.competences.iter().zip(&profile.competences).map(|(c, m)| {
            let mut v = mastery(m);
            v["id"] = json!(c.id);
            v
        }).collect::<Vec<_>>(),
        "exercises_passed": profile.passed,
        "exercises_total": plan.main_slots().count(),
        "courses": courses,
    })))
}

/// What the course page shows a logged-in reader: their standing in the course, where to go
/// on, and each lesson's status.
pub(super) struct CourseStanding {
    pub css: String,
    pub heading: &'static str,
    pub summary: String,
    pub badge: Option<Badge>,
    pub last_label: &'static str,
    pub last: Option<When>,
    pub next: Option<NextView>,
    pub link_text: &'static str,
    lessons: Vec<Vec<Option<Status>>>,
    t: &'static ProgressStrings,
}

impl CourseStanding {
    /// Whether every lesson with exercises of module `module` is completed (a module without
    /// any counts as completed: there is nothing left to do by a due date).
    pub(super) fn module_completed(&self, module: usize) -> bool {
        self.lessons.get(module).is_none_or(|lessons| {
            crate::progress::completion::Counts::of(lessons.iter().copied())
                .status()
                .is_none_or(|s| s == Status::Completed)
        })
    }

    /// The status badge of lesson `lesson` of module `module` (none for a lesson without exercises).
    pub(super) fn lesson(&self, module: usize, lesson: usize) -> Option<Badge> {
        let status = self.lessons.get(module)?.get(lesson).copied().flatten()?;
        Some(Badge::of(status, self.t))
    }
}

/// The reader's standing in the course `slug` (which the caller found in the catalogue).
pub(super) async fn course_standing(
    state: &AppState,
    person_id: i64,
    slug: &str,
    lang: Lang,
) -> Result<CourseStanding, AppError> {
    let (plan, profile) = own_profile(state, person_id).await?;
    let t = &lang.strings().progress;
    let index = plan.courses.iter().position(|c| c.slug == slug);
    let progress = index.and_then(|i| profile.courses.get(i));
    let next = plan.next_step(&profile).and_then(|step| {
        let (at, heading) = match step {
            NextStep::Start(at) => (at, t.start_heading),
            NextStep::Continue(at) => (at, t.continue_heading),
        };
        if Some(at.course) != index {
            return None;
        }
        let lesson = state
            .catalog
            .courses
            .get(at.course)?
            .modules
            .get(at.module)?
            .lessons
            .get(at.lesson)?;
        Some(NextView {
            heading,
            href: lesson_href(&state.catalog, at)?.0,
            title: lesson.text(lang).0.title.clone(),
            context: String::new(),
        })
    });
    Ok(CourseStanding {
        css: asset_url("css/team.css"),
        heading: t.me_title,
        summary: progress.map_or_else(String::new, |p| {
            fill(
                t.lessons_done,
                &[("done", &p.lessons.completed), ("total", &p.lessons.total)],
            )
        }),
        badge: progress
            .and_then(|p| p.lessons.status())
            .map(|s| Badge::of(s, t)),
        last_label: t.last_activity,
        last: profile.last_at_ms.map(|at| When::of(at, now_ms(), t)),
        next,
        link_text: t.see_all,
        lessons: progress.map_or_else(Vec::new, |p| {
            p.modules.iter().map(|m| m.lessons.clone()).collect()
        }),
        t,
    })
}
