//! The immutable catalogue of everything authored: competences, courses with their modules and
//! lessons, exercises and layers. Built once at start; requests only read it.

use std::collections::BTreeMap;
use std::sync::Arc;

use super::markdown::Block;
use super::text::Localized;
use crate::grading;
use crate::i18n::Lang;

#[derive(Debug)]
pub struct Catalog {
    pub competences: Vec<Competence>,
    pub courses: Vec<Course>,
    pub exercises: BTreeMap<String, Arc<Exercise>>,
    pub layers: BTreeMap<String, Arc<Layer>>,
}

#[derive(Debug, Clone)]
pub struct Competence {
    pub id: String,
    pub name: Localized,
    pub description: Localized,
    /// Levels 1 to 4, in order.
    pub levels: Vec<Localized>,
}

#[derive(Debug)]
pub struct Course {
    pub slug: String,
    pub title: Localized,
    pub summary: Localized,
    pub competences: Vec<String>,
    pub modules: Vec<Module>,
}

#[derive(Debug)]
pub struct Module {
    pub slug: String,
    pub title: Localized,
    pub summary: Localized,
    pub lessons: Vec<Lesson>,
}

#[derive(Debug)]
pub struct Lesson {
    pub slug: String,
    pub minutes: u32,
    pub competences: Vec<String>,
    /// The exercises completion counts, in the order shown.
    pub exercises: Vec<String>,
    pub sv: LessonText,
    pub en: Option<LessonText>,
}

#[derive(Debug)]
pub struct LessonText {
    pub title: String,
    pub blocks: Vec<Block>,
}

impl Lesson {
    /// The text in `lang`, and whether it fell back to Swedish.
    pub fn text(&self, lang: Lang) -> (&LessonText, bool) {
        match (lang, &self.en) {
            (Lang::En, Some(en)) => (en, false),
            (Lang::En, None) => (&self.sv, true),
            (Lang::Sv, _) => (&self.sv, false),
        }
    }
}

/// Who may see the key and the overlay geometries after an attempt (grading spec, "Reveal").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Reveal {
    Never,
    #[default]
    AfterPassOrLast,
    AfterAny,
    Always,
}

/// Helper tools the player may offer (a measuring exercise must not offer `measure`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Tool {
    Pan,
    Zoom,
    Measure,
    Coordinates,
}

#[derive(Debug, Clone, serde::Serialize)]
pub struct MapSpec {
    /// lon_min, lat_min, lon_max, lat_max (WGS 84).
    pub extent: [f64; 4],
    pub layers: Vec<String>,
    pub description: Localized,
    pub tools: Vec<Tool>,
}

#[derive(Debug)]
pub struct Exercise {
    pub id: String,
    pub kind: String,
    pub competences: Vec<String>,
    pub title: Localized,
    pub prompt: Localized,
    /// 0 means unlimited.
    pub attempts: u32,
    pub reveal: Reveal,
    pub accessible_alternative: Option<String>,
    pub map: Option<MapSpec>,
    /// SHA-256 (hex) of every file the grade depends on; stored with each attempt.
    pub content_hash: String,
    /// The ready-to-grade exercise.
    pub grader: Arc<grading::Exercise>,
    /// How many `[[example]]` self-tests the author wrote (all pass, or the content is refused).
    pub examples: usize,
}

impl Exercise {
    /// The words that say what the map shows (empty for an exercise without a map).
    pub fn map_description(&self, lang: Lang) -> &str {
        self.map.as_ref().map_or("", |m| m.description.get(lang))
    }
}

#[derive(Debug)]
pub struct Layer {
    pub name: String,
    /// The file as authored, served as is to the map.
    pub geojson: Arc<[u8]>,
    pub features: Arc<grading::Layer>,
}

/// Where a lesson sits, for navigation.
#[derive(Debug, Clone, Copy)]
pub struct LessonRef<'a> {
    pub course: &'a Course,
    pub module: &'a Module,
    pub lesson: &'a Lesson,
}

impl Catalog {
    pub fn course(&self, slug: &str) -> Option<&Course> {
        self.courses.iter().find(|c| c.slug == slug)
    }

    pub fn lesson(&self, course: &str, module: &str, lesson: &str) -> Option<LessonRef<'_>> {
        let course = self.course(course)?;
        let module = course.modules.iter().find(|m| m.slug == module)?;
        let lesson = module.lessons.iter().find(|l| l.slug == lesson)?;
        Some(LessonRef {
            course,
            module,
            lesson,
        })
    }

    pub fn exercise(&self, id: &str) -> Option<&Arc<Exercise>> {
        self.exercises.get(id)
    }

    pub fn layer(&self, name: &str) -> Option<&Arc<Layer>> {
        self.layers.get(name)
    }

    pub fn competence(&self, id: &str) -> Option<&Competence> {
        self.competences.iter().find(|c| c.id == id)
    }
}

impl Course {
    /// Every lesson in reading order, with its module.
    pub fn lessons(&self) -> impl Iterator<Item = (&Module, &Lesson)> {
        self.modules
            .iter()
            .flat_map(|m| m.lessons.iter().map(move |l| (m, l)))
    }

    pub fn minutes(&self) -> u32 {
        self.lessons().map(|(_, l)| l.minutes).sum()
    }
}

impl Module {
    pub fn minutes(&self) -> u32 {
        self.lessons.iter().map(|l| l.minutes).sum()
    }
}
