//! The public HTML pages: course list, course, lesson, and the accessibility and privacy pages.
//! Handlers turn catalogue data into ready-made view structs so templates stay logic-light.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};

use askama::Template;
use askama_web::WebTemplate;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{StatusCode, Uri};
use axum::response::{Html, IntoResponse, Response};

use super::assets::ASSET_VERSION;
use super::error::AppError;
use super::lang::{ReqLang, switch_href};
use crate::content::markdown::{self, Block};
use crate::content::{Catalog, Course};
use crate::i18n::{Lang, Strings};

/// What the base layout needs on every page.
#[derive(Debug)]
pub(super) struct Chrome {
    pub lang: Lang,
    pub other_lang: Lang,
    pub t: &'static Strings,
    pub switch_href: String,
    pub assets: &'static str,
    /// Log-in or account link, demo banner (see `nav`).
    pub nav: super::nav::Nav,
}

impl Chrome {
    pub(super) fn new(lang: Lang, uri: &Uri) -> Self {
        Self {
            lang,
            other_lang: lang.other(),
            t: lang.strings(),
            switch_href: switch_href(uri, lang.other()),
            assets: ASSET_VERSION,
            nav: super::nav::Nav::current(),
        }
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "home.html")]
pub(super) struct HomePage {
    chrome: Chrome,
    courses: Vec<CourseCard>,
}

struct CourseCard {
    slug: String,
    title: String,
    summary: String,
    modules: usize,
    lessons: usize,
    minutes: u32,
}

pub(super) async fn home(
    State(catalog): State<Arc<Catalog>>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
) -> HomePage {
    let courses = catalog
        .courses
        .iter()
        .map(|c| CourseCard {
            slug: c.slug.clone(),
            title: c.title.get(lang).to_owned(),
            summary: c.summary.get(lang).to_owned(),
            modules: c.modules.len(),
            lessons: c.lessons().count(),
            minutes: c.minutes(),
        })
        .collect();
    HomePage {
        chrome: Chrome::new(lang, &uri),
        courses,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "course.html")]
pub(super) struct CoursePage {
    chrome: Chrome,
    title: String,
    summary: String,
    minutes: u32,
    modules: Vec<ModuleView>,
    /// A logged-in reader's standing in the course (see `progress`).
    progress: Option<super::progress::CourseStanding>,
    /// The due dates of the reader's cohorts in this course, earliest first.
    due: Vec<DueItem>,
    c: &'static crate::i18n::CohortStrings,
}

/// A module's due date in one of the reader's cohorts.
struct DueItem {
    text: String,
    iso: String,
    /// Completed: said in words beside the date.
    done: bool,
    /// The date has passed and the module is not completed.
    overdue: bool,
}

struct ModuleView {
    title: String,
    summary: String,
    lessons: Vec<LessonLink>,
}

struct LessonLink {
    href: String,
    title: String,
    minutes: u32,
    /// A logged-in reader's status in the lesson (course page only).
    status: Option<super::progress::Badge>,
}

pub(super) async fn course(
    State(catalog): State<Arc<Catalog>>,
    State(app): State<super::state::AppState>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    super::session::MaybePerson(person): super::session::MaybePerson,
    Path(slug): Path<String>,
) -> Result<CoursePage, AppError> {
    let course = catalog.course(&slug).ok_or(AppError::NotFound)?;
    // Anonymous readers cost no query; a logged-in reader's lesson statuses cost one.
    let standing = match &person {
        Some(person) => Some(super::progress::course_standing(&app, person.id, &slug, lang).await?),
        None => None,
    };
    let c = lang.strings().cohorts;
    let due = match (&person, &standing) {
        (Some(person), Some(standing)) => {
            let now = crate::db::now_ms();
            app.db
                .own_due_dates(person.id, &slug)
                .await?
                .into_iter()
                .filter_map(|d| {
                    let mi = course.modules.iter().position(|m| m.slug == d.module)?;
                    let done = standing.module_completed(mi);
                    let iso = crate::progress::time::date(d.due_at_ms);
                    Some(DueItem {
                        text: crate::i18n::progress::fill(
                            c.due_course_item,
                            &[
                                ("module", &course.modules[mi].title.get(lang)),
                                ("date", &iso),
                                ("cohort", &d.cohort_name),
                            ],
                        ),
                        iso,
                        done,
                        overdue: !done && d.due_at_ms + crate::progress::DAY_MS <= now,
                    })
                })
                .collect()
        }
        _ => Vec::new(),
    };
    let status = |m: usize, l: usize| standing.as_ref().and_then(|s| s.lesson(m, l));
    let modules = course
        .modules
        .iter()
        .enumerate()
        .map(|(mi, m)| ModuleView {
            title: m.title.get(lang).to_owned(),
            summary: m.summary.get(lang).to_owned(),
            lessons: m
                .lessons
                .iter()
                .enumerate()
                .map(|(li, l)| LessonLink {
                    href: format!("/courses/{}/{}/{}", course.slug, m.slug, l.slug),
                    title: l.text(lang).0.title.clone(),
                    minutes: l.minutes,
                    status: status(mi, li),
                })
                .collect(),
        })
        .collect();
    Ok(CoursePage {
        chrome: Chrome::new(lang, &uri),
        title: course.title.get(lang).to_owned(),
        summary: course.summary.get(lang).to_owned(),
        minutes: course.minutes(),
        modules,
        progress: standing,
        due,
        c,
    })
}

#[derive(Template, WebTemplate)]
#[template(path = "lesson.html")]
pub(super) struct LessonPage {
    chrome: Chrome,
    title: String,
    minutes: u32,
    fallback: bool,
    course_slug: String,
    course_title: String,
    module_title: String,
    blocks: Vec<BlockView>,
    prev: Option<LessonLink>,
    next: Option<LessonLink>,
}

enum BlockView {
    Html(String),
    Exercise(ExerciseCard),
}

struct ExerciseCard {
    id: String,
    title: String,
    prompt_html: String,
}

/// Rendered lesson pages. A lesson page is public and its bytes depend only on the lesson, the
/// language, the language-switch link and the header flags (see `nav`), so each variant is
/// rendered once: under load, rendering (the markdown of every exercise card and the template)
/// was about 40 % of a lesson request (docs/performance.md). Bounded: requests with any other
/// query string or spelling of the path are rendered each time, and at most [`PageCache::MAX`]
/// variants are kept.
#[derive(Debug, Clone, Default)]
pub struct PageCache(Arc<RwLock<HashMap<String, Bytes>>>);

impl PageCache {
    const MAX: usize = 4096;

    fn get(&self, key: &str) -> Option<Bytes> {
        self.0.read().ok()?.get(key).cloned()
    }

    fn put(&self, key: String, page: Bytes) {
        if let Ok(mut pages) = self.0.write()
            && pages.len() < Self::MAX
        {
            pages.insert(key, page);
        }
    }
}

pub(super) async fn lesson(
    State(catalog): State<Arc<Catalog>>,
    State(cache): State<PageCache>,
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
    Path((course_slug, module_slug, lesson_slug)): Path<(String, String, String)>,
) -> Result<Response, AppError> {
    let chrome = Chrome::new(lang, &uri);
    // Only the plain spelling of the path is cached (not percent-encoded variants of it), so
    // the variants are bounded by the catalogue and no request can fill the cache with junk.
    let canonical = uri.path() == format!("/courses/{course_slug}/{module_slug}/{lesson_slug}");
    let plain_query = matches!(uri.query(), None | Some("lang=sv" | "lang=en"));
    let key = (canonical && plain_query).then(|| {
        // Every header flag, whatever it holds (signed in, the team and cohorts links, the
        // current page, the demo banner): a flag added to `Nav` cannot be forgotten here.
        format!(
            "{}\n{}\n{}\n{:?}",
            uri.path(),
            lang.code(),
            chrome.switch_href,
            chrome.nav
        )
    });
    if let Some(page) = key.as_deref().and_then(|k| cache.get(k)) {
        return Ok(Html(page).into_response());
    }
    let page = lesson_page(
        &catalog,
        lang,
        chrome,
        &course_slug,
        &module_slug,
        &lesson_slug,
    )?;
    let html = Bytes::from(
        page.render()
            .map_err(|e| AppError::Internal(format!("lesson template: {e}")))?,
    );
    if let Some(key) = key {
        cache.put(key, html.clone());
    }
    Ok(Html(html).into_response())
}

fn lesson_page(
    catalog: &Catalog,
    lang: Lang,
    chrome: Chrome,
    course_slug: &str,
    module_slug: &str,
    lesson_slug: &str,
) -> Result<LessonPage, AppError> {
    let at = catalog
        .lesson(course_slug, module_slug, lesson_slug)
        .ok_or(AppError::NotFound)?;
    let (text, fallback) = at.lesson.text(lang);
    let card = |id: &str| {
        catalog.exercise(id).map(|e| ExerciseCard {
            id: e.id.clone(),
            title: e.title.get(lang).to_owned(),
            prompt_html: markdown::render_inline(e.prompt.get(lang)),
        })
    };
    let mut blocks: Vec<BlockView> = Vec::new();
    for block in &text.blocks {
        match block {
            Block::Html(html) => blocks.push(BlockView::Html(html.clone())),
            Block::Exercise(id) => blocks.extend(card(id).map(BlockView::Exercise)),
        }
    }
    // Exercises listed but not placed inline follow the text, in the listed order.
    let inline: Vec<&String> = text
        .blocks
        .iter()
        .filter_map(|b| {
            if let Block::Exercise(id) = b {
                Some(id)
            } else {
                None
            }
        })
        .collect();
    for id in at.lesson.exercises.iter().filter(|id| !inline.contains(id)) {
        blocks.extend(card(id).map(BlockView::Exercise));
    }
    let (prev, next) = neighbours(at.course, lesson_slug, module_slug, lang);
    Ok(LessonPage {
        chrome,
        title: text.title.clone(),
        minutes: at.lesson.minutes,
        fallback,
        course_slug: at.course.slug.clone(),
        course_title: at.course.title.get(lang).to_owned(),
        module_title: at.module.title.get(lang).to_owned(),
        blocks,
        prev,
        next,
    })
}

fn neighbours(
    course: &Course,
    lesson: &str,
    module: &str,
    lang: Lang,
) -> (Option<LessonLink>, Option<LessonLink>) {
    let all: Vec<_> = course.lessons().collect();
    let Some(index) = all
        .iter()
        .position(|(m, l)| m.slug == module && l.slug == lesson)
    else {
        return (None, None);
    };
    let link = |i: usize| {
        all.get(i).map(|(m, l)| LessonLink {
            href: format!("/courses/{}/{}/{}", course.slug, m.slug, l.slug),
            title: l.text(lang).0.title.clone(),
            minutes: l.minutes,
            status: None,
        })
    };
    (index.checked_sub(1).and_then(link), link(index + 1))
}

#[derive(Template, WebTemplate)]
#[template(path = "text_page.html")]
pub(super) struct TextPage {
    chrome: Chrome,
    title: &'static str,
    paragraphs: &'static [&'static str],
}

pub(super) async fn accessibility(
    ReqLang(lang): ReqLang,
    OriginalUri(uri): OriginalUri,
) -> TextPage {
    let t = lang.strings();
    TextPage {
        chrome: Chrome::new(lang, &uri),
        title: t.accessibility_title,
        paragraphs: t.accessibility_body,
    }
}

pub(super) async fn privacy(ReqLang(lang): ReqLang, OriginalUri(uri): OriginalUri) -> TextPage {
    let t = lang.strings();
    TextPage {
        chrome: Chrome::new(lang, &uri),
        title: t.privacy_title,
        paragraphs: t.privacy_body,
    }
}

#[derive(Template, WebTemplate)]
#[template(path = "error.html")]
pub(super) struct ErrorPage {
    chrome: Chrome,
    status: u16,
    message: String,
}

impl ErrorPage {
    pub(super) fn new(lang: Lang, path: &str, status: StatusCode, message: &str) -> Self {
        let uri = path.parse().unwrap_or_default();
        Self {
            chrome: Chrome::new(lang, &uri),
            status: status.as_u16(),
            message: message.to_owned(),
        }
    }
}
