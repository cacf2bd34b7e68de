//! `courses/<course>/course.toml`, its `NN-<module>/module.toml` folders and their
//! `NN-<lesson>.sv.md` / `.en.md` lessons, in the order their number prefixes give.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::catalog::{Course, Lesson, LessonText, Module};
use super::error::ContentErrors;
use super::front_matter;
use super::markdown::{self, Block};
use super::read::{entries, file_name, ordered_name, read_text, toml_from, toml_with_offset};
use super::text::{Localized, is_identifier};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct CourseFile {
    title: Localized,
    summary: Localized,
    #[serde(default)]
    competences: Vec<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ModuleFile {
    title: Localized,
    summary: Localized,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct FrontMatter {
    title: String,
    minutes: u32,
    #[serde(default)]
    competences: Vec<String>,
    #[serde(default)]
    exercises: Vec<String>,
}

/// A course as loaded, with the places its references were made (checked once all is loaded).
pub(super) struct Loaded {
    pub course: Course,
    /// (file, competence id) pairs to resolve.
    pub competence_refs: Vec<(std::path::PathBuf, String)>,
    /// (file, exercise id) pairs to resolve.
    pub exercise_refs: Vec<(std::path::PathBuf, String)>,
}

pub(super) fn load_all(courses_dir: &Path, errors: &mut ContentErrors) -> Vec<Loaded> {
    entries(courses_dir, true, errors)
        .into_iter()
        .map(|dir| load_course(&dir, errors))
        .collect()
}

fn load_course(dir: &Path, errors: &mut ContentErrors) -> Loaded {
    let slug = file_name(dir).to_owned();
    if !is_identifier(&slug) {
        errors.push(
            dir,
            None,
            "a course folder name must be lowercase ASCII letters, digits and '-'",
        );
    }
    let course_path = dir.join("course.toml");
    // A broken course.toml still lets the modules be checked, so every error shows at once.
    let file = read_text(&course_path, errors)
        .and_then(|t| toml_from::<CourseFile>(&course_path, &t, errors));
    if let Some(file) = &file {
        for (field, text) in [("title", &file.title), ("summary", &file.summary)] {
            if let Some(problem) = text.problem() {
                errors.push(&course_path, None, format!("{field}: {problem}"));
            }
        }
    }
    let placeholder = Localized {
        sv: String::new(),
        en: None,
    };
    let mut loaded = Loaded {
        course: Course {
            slug,
            title: placeholder.clone(),
            summary: placeholder,
            competences: Vec::new(),
            modules: Vec::new(),
        },
        competence_refs: Vec::new(),
        exercise_refs: Vec::new(),
    };
    let mut numbers = BTreeMap::new();
    for module_dir in entries(dir, true, errors) {
        let name = file_name(&module_dir).to_owned();
        let Some((number, slug)) = ordered_name(&name) else {
            errors.push(
                &module_dir,
                None,
                "a module folder is named NN-<slug>, e.g. 01-kartan",
            );
            continue;
        };
        if let Some(other) = numbers.insert(number, name.clone()) {
            errors.push(
                &module_dir,
                None,
                format!("module number {number:02} is also used by '{other}'"),
            );
        }
        if !is_identifier(slug) {
            errors.push(
                &module_dir,
                None,
                "a module slug must be lowercase ASCII letters, digits and '-'",
            );
        }
        if let Some(module) = load_module(&module_dir, slug, &mut loaded, errors) {
            loaded.course.modules.push(module);
        }
    }
    for file in entries(dir, false, errors) {
        if file_name(&file) != "course.toml" {
            errors.push(
                &file,
                None,
                "unexpected file in a course folder (modules are NN-<slug> folders)",
            );
        }
    }
    if loaded.course.modules.is_empty() {
        errors.push(dir, None, "the course has no modules");
    }
    // Without a usable course.toml the course stays with empty texts; its error is already
    // recorded, so the catalogue is never built from it, but its lessons' references are checked.
    if let Some(file) = file {
        loaded.competence_refs.extend(
            file.competences
                .iter()
                .map(|c| (course_path.clone(), c.clone())),
        );
        loaded.course.title = file.title;
        loaded.course.summary = file.summary;
        loaded.course.competences = file.competences;
    }
    loaded
}

fn load_module(
    dir: &Path,
    slug: &str,
    loaded: &mut Loaded,
    errors: &mut ContentErrors,
) -> Option<Module> {
    let module_path = dir.join("module.toml");
    let file = read_text(&module_path, errors)
        .and_then(|t| toml_from::<ModuleFile>(&module_path, &t, errors));
    if let Some(file) = &file {
        for (field, text) in [("title", &file.title), ("summary", &file.summary)] {
            if let Some(problem) = text.problem() {
                errors.push(&module_path, None, format!("{field}: {problem}"));
            }
        }
    }

    // Group lesson files by their NN-slug stem: sv is required, en optional.
    let mut stems: BTreeMap<
        (u32, String),
        (Option<std::path::PathBuf>, Option<std::path::PathBuf>),
    > = BTreeMap::new();
    let mut slugs = HashSet::new();
    for path in entries(dir, false, errors) {
        let name = file_name(&path).to_owned();
        if name == "module.toml" {
            continue;
        }
        let parsed = name
            .strip_suffix(".sv.md")
            .map(|stem| (stem, true))
            .or_else(|| name.strip_suffix(".en.md").map(|stem| (stem, false)));
        let Some((stem, swedish)) = parsed else {
            errors.push(
                &path,
                None,
                "unexpected file: lessons are NN-<slug>.sv.md and NN-<slug>.en.md",
            );
            continue;
        };
        let Some((number, lesson_slug)) = ordered_name(stem) else {
            errors.push(
                &path,
                None,
                "a lesson file is named NN-<slug>.sv.md, e.g. 01-norra-sverige.sv.md",
            );
            continue;
        };
        if !is_identifier(lesson_slug) {
            errors.push(
                &path,
                None,
                "a lesson slug must be lowercase ASCII letters, digits and '-'",
            );
        }
        let entry = stems.entry((number, lesson_slug.to_owned())).or_default();
        if swedish {
            entry.0 = Some(path)
        } else {
            entry.1 = Some(path)
        }
    }

    let mut lessons = Vec::new();
    let mut numbers = HashSet::new();
    for ((number, lesson_slug), (sv, en)) in stems {
        if !numbers.insert(number) {
            let path = sv.as_deref().or(en.as_deref()).unwrap_or(dir);
            errors.push(
                path,
                None,
                format!("lesson number {number:02} is used by more than one lesson"),
            );
        }
        if !slugs.insert(lesson_slug.clone()) {
            errors.push(
                dir,
                None,
                format!("two lessons share the slug '{lesson_slug}'"),
            );
        }
        let Some(sv) = sv else {
            if let Some(en) = en {
                errors.push(
                    &en,
                    None,
                    "has no Swedish version (.sv.md); Swedish is required",
                );
            }
            continue;
        };
        let Some((sv_front, sv_text)) = load_lesson_text(&sv, loaded, errors) else {
            continue;
        };
        let en_text = en.as_deref().and_then(|en_path| {
            let (en_front, text) = load_lesson_text(en_path, loaded, errors)?;
            if en_front.exercises != sv_front.exercises {
                errors.push(en_path, None, "lists other exercises than the Swedish version; both must list the same, in the same order");
            }
            if en_front.minutes != sv_front.minutes || en_front.competences != sv_front.competences {
                errors.push(en_path, None, "minutes and competences must equal the Swedish version's");
            }
            Some(text)
        });
        lessons.push(Lesson {
            slug: lesson_slug,
            minutes: sv_front.minutes,
            competences: sv_front.competences,
            exercises: sv_front.exercises,
            sv: sv_text,
            en: en_text,
        });
    }
    if lessons.is_empty() {
        errors.push(dir, None, "the module has no lessons");
    }
    let file = file?;
    Some(Module {
        slug: slug.to_owned(),
        title: file.title,
        summary: file.summary,
        lessons,
    })
}

fn load_lesson_text(
    path: &Path,
    loaded: &mut Loaded,
    errors: &mut ContentErrors,
) -> Option<(FrontMatter, LessonText)> {
    let text = read_text(path, errors)?;
    let split = match front_matter::split(&text) {
        Ok(split) => split,
        Err(problem) => {
            errors.push(path, Some(1), problem);
            return None;
        }
    };
    let front: FrontMatter = toml_with_offset(path, split.front_matter, 1, errors)?;
    if front.title.trim().is_empty() {
        errors.push(path, None, "title is empty");
    }
    if front.minutes == 0 {
        errors.push(
            path,
            None,
            "minutes must be a positive estimate of the time the lesson takes",
        );
    }
    let (blocks, problems) = markdown::render(split.body);
    for problem in problems {
        errors.push(
            path,
            Some(split.body_first_line + problem.line - 1),
            problem.message,
        );
    }
    let mut seen = HashSet::new();
    for id in &front.exercises {
        if !seen.insert(id) {
            errors.push(path, None, format!("exercise '{id}' is listed twice"));
        }
        loaded.exercise_refs.push((path.to_path_buf(), id.clone()));
    }
    for block in &blocks {
        if let Block::Exercise(id) = block
            && !front.exercises.contains(id)
        {
            errors.push(
                path,
                None,
                format!("inline exercise '{id}' is missing from the front matter's exercises list"),
            );
        }
    }
    for competence in &front.competences {
        loaded
            .competence_refs
            .push((path.to_path_buf(), competence.clone()));
    }
    let title = front.title.clone();
    Some((front, LessonText { title, blocks }))
}
