//! `exercises/<id>/exercise.toml` (+ `key.geojson`): what the learner is asked, how the map looks,
//! and the parts the grading engine turns into a ready-to-grade exercise.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::Deserialize;
use sha2::{Digest, Sha256};

use super::catalog::{Exercise, MapSpec, Reveal, Tool};
use super::error::ContentErrors;
use super::read::{entries, file_name, read_text, toml_from};
use super::text::{Localized, is_identifier};
use crate::grading;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ExerciseFile {
    kind: String,
    competences: Vec<String>,
    title: Localized,
    prompt: Localized,
    #[serde(default)]
    attempts: u32,
    #[serde(default)]
    reveal: Reveal,
    accessible_alternative: Option<String>,
    map: Option<MapFile>,
    #[serde(default)]
    grading: toml::Table,
    #[serde(default)]
    feedback: Vec<toml::Table>,
    #[serde(default)]
    option: Vec<toml::Table>,
    #[serde(default)]
    example: Vec<ExampleFile>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct MapFile {
    extent: [f64; 4],
    #[serde(default)]
    layers: Vec<String>,
    description: Localized,
    #[serde(default = "default_tools")]
    tools: Vec<Tool>,
}

fn default_tools() -> Vec<Tool> {
    vec![Tool::Pan, Tool::Zoom]
}

/// An author's self-test: an answer and the score bounds it must meet.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub(super) struct ExampleFile {
    pub answer: toml::Value,
    pub score_at_least: Option<f64>,
    pub score_at_most: Option<f64>,
}

/// What grading needs from an exercise folder, kept until layers are loaded.
#[derive(Debug)]
pub(super) struct GradingSource {
    pub dir: PathBuf,
    pub grading: toml::Table,
    pub feedback: Vec<toml::Table>,
    pub options: Vec<toml::Table>,
    pub examples: Vec<ExampleFile>,
    pub key: Option<String>,
}

/// An exercise as read, before grading has built it (which needs every layer loaded).
pub(super) struct Loaded {
    pub exercise: Draft,
    pub source: GradingSource,
}

/// The presentation part of an exercise; `grading` completes it into an [`Exercise`].
#[derive(Debug)]
pub(super) struct Draft {
    pub id: String,
    pub kind: String,
    pub competences: Vec<String>,
    pub title: Localized,
    pub prompt: Localized,
    pub attempts: u32,
    pub reveal: Reveal,
    pub accessible_alternative: Option<String>,
    pub map: Option<MapSpec>,
    /// SHA-256 of exercise.toml and key.geojson; layers the grade reads are added later.
    pub hasher: Sha256,
}

impl Draft {
    pub(super) fn finish(
        self,
        grader: Arc<grading::Exercise>,
        examples: usize,
        layer_bytes: &[&[u8]],
    ) -> Exercise {
        let mut hasher = self.hasher;
        for bytes in layer_bytes {
            hasher.update(b"\0layer\0");
            hasher.update(bytes);
        }
        Exercise {
            id: self.id,
            kind: self.kind,
            competences: self.competences,
            title: self.title,
            prompt: self.prompt,
            attempts: self.attempts,
            reveal: self.reveal,
            accessible_alternative: self.accessible_alternative,
            map: self.map,
            content_hash: hex::encode(hasher.finalize()),
            grader,
            examples,
        }
    }
}

pub(super) fn load_all(dir: &Path, errors: &mut ContentErrors) -> Vec<Loaded> {
    entries(dir, true, errors)
        .into_iter()
        .filter_map(|d| load(&d, errors))
        .collect()
}

pub(super) fn load(dir: &Path, errors: &mut ContentErrors) -> Option<Loaded> {
    let id = file_name(dir).to_owned();
    if !is_identifier(&id) {
        errors.push(
            dir,
            None,
            "an exercise folder name (its id) must be lowercase ASCII letters, digits and '-'",
        );
    }
    let path = dir.join("exercise.toml");
    let text = read_text(&path, errors)?;
    let file: ExerciseFile = toml_from(&path, &text, errors)?;
    for (field, value) in [("title", &file.title), ("prompt", &file.prompt)] {
        if let Some(problem) = value.problem() {
            errors.push(&path, None, format!("{field}: {problem}"));
        }
    }
    if file.competences.is_empty() {
        errors.push(
            &path,
            None,
            "competences is empty; tag every exercise with at least one competence",
        );
    }
    let map = file.map.map(|map| {
        let [lon_min, lat_min, lon_max, lat_max] = map.extent;
        let in_range = map.extent.iter().all(|v| v.is_finite())
            && (-180.0..=180.0).contains(&lon_min)
            && (-180.0..=180.0).contains(&lon_max)
            && (-90.0..=90.0).contains(&lat_min)
            && (-90.0..=90.0).contains(&lat_max);
        if !in_range || lon_min >= lon_max || lat_min >= lat_max {
            errors.push(&path, None, "map.extent must be [lon_min, lat_min, lon_max, lat_max] in WGS 84 degrees, min < max");
        }
        if let Some(problem) = map.description.problem() {
            errors.push(&path, None, format!("map.description: {problem}"));
        }
        MapSpec { extent: map.extent, layers: map.layers, description: map.description, tools: map.tools }
    });

    let key_path = dir.join("key.geojson");
    let key = match std::fs::read(&key_path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(key) => Some(key),
            Err(_) => {
                errors.push(&key_path, None, "is not UTF-8 text");
                None
            }
        },
        Err(_) => None,
    };
    let mut hasher = Sha256::new();
    hasher.update(text.as_bytes());
    if let Some(key) = &key {
        hasher.update(b"\0key.geojson\0");
        hasher.update(key.as_bytes());
    }
    let exercise = Draft {
        id,
        kind: file.kind,
        competences: file.competences,
        title: file.title,
        prompt: file.prompt,
        attempts: file.attempts,
        reveal: file.reveal,
        accessible_alternative: file.accessible_alternative,
        map,
        hasher,
    };
    let source = GradingSource {
        dir: dir.to_path_buf(),
        grading: file.grading,
        feedback: file.feedback,
        options: file.option,
        examples: file.example,
        key,
    };
    Some(Loaded { exercise, source })
}
