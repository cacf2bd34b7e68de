//! `courses/competences.toml`: the competence framework every lesson and exercise is tagged with.

use std::collections::{BTreeMap, HashSet};
use std::path::Path;

use serde::Deserialize;

use super::catalog::Competence;
use super::error::ContentErrors;
use super::read::{read_text, toml_from};
use super::text::{Localized, is_identifier};

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    competence: Vec<Entry>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct Entry {
    id: String,
    name: Localized,
    description: Localized,
    levels: BTreeMap<String, Localized>,
}

pub(super) fn load(path: &Path, errors: &mut ContentErrors) -> Vec<Competence> {
    let Some(text) = read_text(path, errors) else {
        return Vec::new();
    };
    let Some(file) = toml_from::<File>(path, &text, errors) else {
        return Vec::new();
    };
    let mut seen = HashSet::new();
    let mut out = Vec::new();
    for (index, entry) in file.competence.into_iter().enumerate() {
        let at = format!("competence[{index}] ({})", entry.id);
        if !is_identifier(&entry.id) {
            errors.push(
                path,
                None,
                format!("{at}: id must be lowercase ASCII letters, digits and '-'"),
            );
        }
        if !seen.insert(entry.id.clone()) {
            errors.push(path, None, format!("{at}: duplicate competence id"));
        }
        for (field, text) in [("name", &entry.name), ("description", &entry.description)] {
            if let Some(problem) = text.problem() {
                errors.push(path, None, format!("{at}: {field}: {problem}"));
            }
        }
        let mut levels = Vec::new();
        for level in ["1", "2", "3", "4"] {
            match entry.levels.get(level) {
                Some(text) => {
                    if let Some(problem) = text.problem() {
                        errors.push(path, None, format!("{at}: levels.{level}: {problem}"));
                    }
                    levels.push(text.clone());
                }
                None => errors.push(
                    path,
                    None,
                    format!("{at}: levels.{level} is missing (levels 1 to 4 are required)"),
                ),
            }
        }
        for key in entry.levels.keys() {
            if !["1", "2", "3", "4"].contains(&key.as_str()) {
                errors.push(
                    path,
                    None,
                    format!("{at}: levels.{key}: levels are 1, 2, 3 and 4"),
                );
            }
        }
        out.push(Competence {
            id: entry.id,
            name: entry.name,
            description: entry.description,
            levels,
        });
    }
    out
}
