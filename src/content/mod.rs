//! Courses, exercises and layers are files in git (content-format spec). This module reads them
//! once into an immutable [`Catalog`] and checks everything `kartskola check` guarantees,
//! collecting every error with its file instead of stopping at the first.

mod catalog;
mod competences;
mod courses;
mod error;
mod exercises;
mod front_matter;
mod grade_check;
mod layers;
pub mod markdown;
mod read;
mod text;

use std::collections::{BTreeMap, HashSet};
use std::path::Path;
use std::sync::Arc;

pub use catalog::{
    Catalog, Competence, Course, Exercise, Layer, Lesson, LessonRef, LessonText, MapSpec, Module,
    Reveal, Tool,
};
pub use error::{ContentError, ContentErrors};
pub use text::{Localized, is_identifier};

/// Loads and checks all content under `root` (`courses/`, `exercises/`, `static/layers/`).
pub fn load(root: &Path) -> Result<Catalog, ContentErrors> {
    let mut errors = ContentErrors::new(root);
    let courses_dir = root.join("courses");
    if !courses_dir.is_dir() {
        errors.push(
            &courses_dir,
            None,
            "is missing: the content root must hold courses/ (see --content-dir)",
        );
        return Err(errors);
    }
    let competences = competences::load(&courses_dir.join("competences.toml"), &mut errors);
    let layers = layers::load_all(&root.join("static").join("layers"), &mut errors);
    let loaded_courses = courses::load_all(&courses_dir, &mut errors);
    let loaded_exercises = exercises::load_all(&root.join("exercises"), &mut errors);

    let competence_ids: HashSet<&str> = competences.iter().map(|c| c.id.as_str()).collect();
    let exercise_kinds: BTreeMap<&str, (&str, &[String])> = loaded_exercises
        .iter()
        .map(|l| {
            (
                l.exercise.id.as_str(),
                (l.exercise.kind.as_str(), l.exercise.competences.as_slice()),
            )
        })
        .collect();

    for course in &loaded_courses {
        for (path, id) in &course.competence_refs {
            if !competence_ids.contains(id.as_str()) {
                errors.push(
                    path,
                    None,
                    format!("unknown competence '{id}' (not in courses/competences.toml)"),
                );
            }
        }
        for (path, id) in &course.exercise_refs {
            if !exercise_kinds.contains_key(id.as_str()) {
                errors.push(
                    path,
                    None,
                    format!("unknown exercise '{id}' (no exercises/{id}/exercise.toml)"),
                );
            }
        }
    }
    for loaded in &loaded_exercises {
        check_exercise_references(
            loaded,
            &competence_ids,
            &exercise_kinds,
            &layers,
            &mut errors,
        );
    }

    let courses = loaded_courses.into_iter().map(|l| l.course).collect();
    let exercises = loaded_exercises
        .into_iter()
        .filter_map(|l| grade_check::build(l, &layers, &mut errors))
        .map(|e| (e.id.clone(), Arc::new(e)))
        .collect();
    if errors.is_empty() {
        Ok(Catalog {
            competences,
            courses,
            exercises,
            layers,
        })
    } else {
        Err(errors)
    }
}

/// Loads one exercise with the layers of its content root (for `kartskola grade`), checked as
/// `load` checks it, without requiring the rest of the content to be clean.
pub fn load_exercise(root: &Path, id: &str) -> Result<Exercise, ContentErrors> {
    let mut errors = ContentErrors::new(root);
    let layers = layers::load_all(&root.join("static").join("layers"), &mut errors);
    let dir = root.join("exercises").join(id);
    if !dir.is_dir() {
        errors.push(
            &dir,
            None,
            "is not an exercise folder (exercises/<id>/exercise.toml)",
        );
        return Err(errors);
    }
    let exercise = exercises::load(&dir, &mut errors)
        .and_then(|l| grade_check::build(l, &layers, &mut errors));
    match exercise {
        Some(exercise) if errors.is_empty() => Ok(exercise),
        _ => Err(errors),
    }
}

fn check_exercise_references(
    loaded: &exercises::Loaded,
    competence_ids: &HashSet<&str>,
    exercise_kinds: &BTreeMap<&str, (&str, &[String])>,
    layers: &BTreeMap<String, Arc<Layer>>,
    errors: &mut ContentErrors,
) {
    let exercise = &loaded.exercise;
    let path = loaded.source.dir.join("exercise.toml");
    for id in &exercise.competences {
        if !competence_ids.contains(id.as_str()) {
            errors.push(
                &path,
                None,
                format!("unknown competence '{id}' (not in courses/competences.toml)"),
            );
        }
    }
    if let Some(map) = &exercise.map {
        for layer in &map.layers {
            if !layers.contains_key(layer) {
                errors.push(
                    &path,
                    None,
                    format!(
                        "map.layers: unknown layer '{layer}' (no static/layers/{layer}.geojson)"
                    ),
                );
            }
        }
    }
    if let Some(alternative) = &exercise.accessible_alternative {
        match exercise_kinds.get(alternative.as_str()) {
            None => errors.push(
                &path,
                None,
                format!("accessible_alternative: unknown exercise '{alternative}'"),
            ),
            Some((kind, competences)) => {
                if !matches!(*kind, "select_features" | "choice") {
                    errors.push(&path, None, format!(
                        "accessible_alternative '{alternative}' is a {kind} exercise; it must be select_features or choice, which need no drawing"
                    ));
                }
                if competences.iter().collect::<HashSet<_>>()
                    != exercise.competences.iter().collect::<HashSet<_>>()
                {
                    errors.push(
                        &path,
                        None,
                        format!(
                            "accessible_alternative '{alternative}' must have the same competences"
                        ),
                    );
                }
            }
        }
    }
}
