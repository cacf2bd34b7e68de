//! The exercise checks that need the grading engine: the spec of every kind, the key's validity,
//! the key graded against itself (1.0), and every author's `[[example]]` within its bounds.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

use serde_json::Value;

use super::catalog::{Exercise, Layer};
use super::error::ContentErrors;
use super::exercises::Loaded;
use crate::grading;

/// Sweden and a margin: the extent of exercises that show no map (e.g. a plain choice).
const DEFAULT_EXTENT: [f64; 4] = [10.0, 55.0, 25.0, 69.5];

/// Lets grading read the catalogue's layers without knowing how content stores them.
struct Layers<'a>(&'a BTreeMap<String, Arc<Layer>>);

impl grading::LayerLookup for Layers<'_> {
    fn layer(&self, name: &str) -> Option<&grading::Layer> {
        self.0.get(name).map(|l| &*l.features)
    }
}

pub(super) fn build(
    loaded: Loaded,
    layers: &BTreeMap<String, Arc<Layer>>,
    errors: &mut ContentErrors,
) -> Option<Exercise> {
    let Loaded { exercise, source } = loaded;
    let path = source.dir.join("exercise.toml");
    let to_json = |table: &toml::Table| serde_json::to_value(table).unwrap_or(Value::Null);
    let grading_json = to_json(&source.grading);
    let feedback: Vec<Value> = source.feedback.iter().map(to_json).collect();
    let options: Vec<Value> = source.options.iter().map(to_json).collect();
    let extent = exercise.map.as_ref().map_or(DEFAULT_EXTENT, |m| m.extent);
    let built = grading::Exercise::build(
        &exercise.id,
        &exercise.kind,
        grading_json.clone(),
        feedback.clone(),
        options,
        source.key.as_deref(),
        extent,
        &Layers(layers),
    );
    let grader = match built {
        Ok(grader) => grader,
        Err(problems) => {
            for problem in problems {
                let file = if problem.path.starts_with("key") {
                    source.dir.join("key.geojson")
                } else {
                    path.clone()
                };
                errors.push(
                    &file,
                    None,
                    format!("{}: {}", problem.path, problem.message),
                );
            }
            return None;
        }
    };
    check_self_grade(&grader, &path, errors);
    check_examples(&grader, &source.examples, &path, errors);
    if grader.kind() == grading::Kind::Site
        && !source
            .examples
            .iter()
            .any(|e| e.score_at_least.is_some_and(|s| s >= 1.0))
    {
        errors.push(&path, None, "a site exercise needs an [[example]] that meets every rule (score_at_least = 1.0): it is the key's self-test");
    }
    // The grade also depends on the layers it reads; their bytes join the content hash.
    let mut names = Vec::new();
    collect_layer_names(&grading_json, &mut names);
    for entry in &feedback {
        collect_layer_names(entry, &mut names);
    }
    names.sort();
    names.dedup();
    let layer_bytes: Vec<&[u8]> = names
        .iter()
        .filter_map(|n| layers.get(n))
        .map(|l| &*l.geojson)
        .collect();
    Some(exercise.finish(Arc::new(grader), source.examples.len(), &layer_bytes))
}

fn check_self_grade(grader: &grading::Exercise, path: &Path, errors: &mut ContentErrors) {
    let Some(answer) = grader.self_answer() else {
        return;
    };
    let bytes = serde_json::to_vec(&answer).unwrap_or_default();
    match grading::grade(grader, &bytes) {
        Ok(result) if result.score >= 1.0 => {}
        Ok(result) => errors.push(
            path,
            None,
            format!(
                "the key graded against itself scores {}, not 1.0",
                result.score
            ),
        ),
        Err(e) => errors.push(
            path,
            None,
            format!("the key graded against itself is refused: {e}"),
        ),
    }
}

fn check_examples(
    grader: &grading::Exercise,
    examples: &[super::exercises::ExampleFile],
    path: &Path,
    errors: &mut ContentErrors,
) {
    for (index, example) in examples.iter().enumerate() {
        let at = format!("example[{index}]");
        if example.score_at_least.is_none() && example.score_at_most.is_none() {
            errors.push(
                path,
                None,
                format!("{at}: give score_at_least and/or score_at_most"),
            );
            continue;
        }
        let bytes = serde_json::to_vec(&example.answer).unwrap_or_default();
        match grading::grade(grader, &bytes) {
            Ok(result) => {
                if let Some(min) = example.score_at_least
                    && result.score < min
                {
                    errors.push(
                        path,
                        None,
                        format!(
                            "{at}: scores {}, below score_at_least = {min}",
                            result.score
                        ),
                    );
                }
                if let Some(max) = example.score_at_most
                    && result.score > max
                {
                    errors.push(
                        path,
                        None,
                        format!("{at}: scores {}, above score_at_most = {max}", result.score),
                    );
                }
            }
            Err(e) => errors.push(path, None, format!("{at}: the answer is refused: {e}")),
        }
    }
}

fn collect_layer_names(value: &Value, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (key, v) in map {
                if key == "layer"
                    && let Value::String(name) = v
                {
                    out.push(name.clone());
                }
                collect_layer_names(v, out);
            }
        }
        Value::Array(items) => items.iter().for_each(|v| collect_layer_names(v, out)),
        _ => {}
    }
}
