//! Spatial grading: a pure function from (exercise, answer) to a grade or an answer error.
//! No I/O, no clock, no randomness, no attempt history; deterministic for a given build
//! (spec/grading.md is the contract).
//!
//! # Frames
//! Everything shown to a person or compared with a threshold is geodesic on WGS 84
//! (`geodesic`); shape comparisons (IoU, Hausdorff, Fréchet, containment, point-to-zone
//! distance) run in the EPSG:3006 plane (`project`). Geometry more than 2° outside the map
//! extent is refused before projecting.
//!
//! # Built-in feedback codes
//! Besides the `[[feedback]]` hooks (`near_feature`, `web_mercator`, `axes_swapped`,
//! `wrong_unit`, `score_below`, `option`; code = the `when` name, with the author's `text`),
//! grading adds these codes (no `text`; [`FeedbackItem::message`] renders them):
//!
//! | code | kinds | params | when |
//! |---|---|---|---|
//! | `too_far` | place_point, place_points, read_coordinates | `distance_m` (+ `label`) | distance beyond `full_within_m` |
//! | `label_missing` | place_points | `label` | a key label was not placed |
//! | `low_overlap` | draw_polygon | `iou` | IoU below `full_iou` |
//! | `line_off` | draw_line | `metric`, `distance_m` | the scoring metric beyond `full_within_m` |
//! | `line_reversed` | draw_line (frechet) | — | the reversed answer would be within `full_within_m` |
//! | `selection_incomplete` | select_features | `count` | key features not selected |
//! | `selection_extra` | select_features | `count` | selected features not in the key |
//! | `measure_off` | measure_length, measure_area | `relative_error` | beyond `full_rel` |
//! | `degrees_not_metres` | read_coordinates | — | N and E look like degrees |
//! | `rule_failed` | site | `rule`, `kind`, `value` (+ the rule's `text`) | a rule was not met |
//!
//! # Decisions where the spec leaves room
//! See the module docs of `validate` (touching rings, repeated positions), `json` (size and
//! duplicate keys) and `kinds::site` (rule parameters and values).

mod answer;
#[doc(hidden)]
pub mod bench_support;
mod fast_geometry;
mod feedback;
pub(crate) mod geodesic;
mod geometry;
mod grid;
pub(crate) mod json;
mod kinds;
mod messages;
mod metrics;
mod monotone;
mod planar;
pub(crate) mod project;
mod result;
mod series;
mod spec;
pub mod summary;
mod sweep;
#[cfg(test)]
mod test_support;
pub(crate) mod validate;

use serde_json::Value;

pub use messages::{AnswerError, AnswerErrorCode};
pub use project::{from_crs, to_crs};
pub use result::{FeedbackItem, GradeResult, REVEALING_METRICS, REVEALING_ROLES};
pub use spec::{Kind, Layer, LayerFeature, LayerLookup, LocalizedText, SpecError};

use feedback::FeedbackRule;
use kinds::{BuildCtx, Task};
use spec::Fields;

/// Stored with every attempt; bump when a grade for the same input could change.
pub const GRADER_VERSION: &str = "1";

/// Languages messages are rendered in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    Sv,
    En,
}

/// A parsed, validated, ready-to-grade exercise (immutable; share it behind an `Arc`).
#[derive(Debug)]
pub struct Exercise {
    id: String,
    kind: Kind,
    pass: f64,
    extent: [f64; 4],
    task: Task,
    feedback: Vec<FeedbackRule>,
}

impl Exercise {
    /// Builds from the parts of exercise.toml that grading owns. `grading`, `feedback` and
    /// `options` are the TOML tables as JSON; `key_geojson` is the text of key.geojson where the
    /// kind has a spatial key. Returns every problem, each with a path such as
    /// `grading.full_within_m`, `feedback[2].within_m` or `key.geojson`.
    #[expect(
        clippy::too_many_arguments,
        clippy::needless_pass_by_value,
        reason = "the API agreed with the content loader, which hands its converted tables over"
    )]
    pub fn build(
        id: &str,
        kind: &str,
        grading: Value,
        feedback: Vec<Value>,
        options: Vec<Value>,
        key_geojson: Option<&str>,
        map_extent: [f64; 4],
        layers: &dyn LayerLookup,
    ) -> Result<Exercise, Vec<SpecError>> {
        let mut errors = Vec::new();
        let [lon_min, lat_min, lon_max, lat_max] = map_extent;
        let extent_ok = map_extent.iter().all(|x| x.is_finite())
            && lon_min < lon_max
            && lat_min < lat_max
            && lon_min >= -180.0
            && lon_max <= 180.0
            && lat_min >= -90.0
            && lat_max <= 90.0;
        if !extent_ok {
            errors.push(SpecError::new(
                "map.extent",
                "expected [lon_min, lat_min, lon_max, lat_max] in WGS 84 degrees with min < max",
            ));
        }
        let Some(kind) = Kind::parse(kind) else {
            let names: Vec<&str> = Kind::ALL.iter().map(|k| k.as_str()).collect();
            errors.push(SpecError::new(
                "kind",
                format!("unknown kind \"{kind}\" (one of {})", names.join(", ")),
            ));
            return Err(errors);
        };
        if kind != Kind::Choice && !options.is_empty() {
            errors.push(SpecError::new(
                "option",
                "[[option]] entries belong to choice exercises only",
            ));
        }
        let mut ctx = BuildCtx {
            grading: Fields::new("grading", &grading),
            key: key_geojson,
            extent: map_extent,
            layers,
            options: &options,
            errors: Vec::new(),
        };
        let pass = ctx.grading.f64_opt("pass").unwrap_or(0.7);
        if !(pass > 0.0 && pass <= 1.0) {
            ctx.grading
                .error("pass", format!("must be above 0 and at most 1 (is {pass})"));
        }
        if !extent_ok {
            // Keep checking everything else against the whole world, so that one broken extent
            // does not hide the other problems.
            ctx.extent = [-180.0, -90.0, 180.0, 90.0];
        }
        let task = Task::build(kind, &mut ctx).filter(|_| extent_ok);
        let option_ids = task.as_ref().map(Task::option_ids).unwrap_or_default();
        let mut rules = Vec::new();
        for (i, v) in feedback.iter().enumerate() {
            if let Some(r) = feedback::build_rule(i, v, kind, &option_ids, &mut ctx) {
                rules.push(r);
            }
        }
        let BuildCtx {
            grading: fields,
            errors: ctx_errors,
            ..
        } = ctx;
        errors.extend(fields.finish());
        errors.extend(ctx_errors);
        match task {
            Some(task) if errors.is_empty() => Ok(Exercise {
                id: id.to_owned(),
                kind,
                pass,
                extent: map_extent,
                task,
                feedback: rules,
            }),
            _ => {
                if errors.is_empty() {
                    errors.push(SpecError::new("grading", "the exercise could not be built"));
                }
                Err(errors)
            }
        }
    }

    pub fn id(&self) -> &str {
        &self.id
    }

    pub fn kind(&self) -> Kind {
        self.kind
    }

    /// The pass threshold (`[grading] pass`, default 0.7).
    pub fn pass(&self) -> f64 {
        self.pass
    }

    /// What the player needs to ask the question, never what answers it.
    pub fn question(&self) -> Value {
        let mut q = self.task.question();
        if let Value::Object(m) = &mut q {
            m.insert("kind".to_owned(), Value::from(self.kind.as_str()));
        }
        q
    }

    /// An answer that satisfies the key perfectly (for `kartskola check`); `None` for `site`.
    pub fn self_answer(&self) -> Option<Value> {
        self.task.self_answer()
    }
}

/// Grades one answer given as raw JSON bytes (the HTTP body or the CLI file).
pub fn grade(exercise: &Exercise, answer_json: &[u8]) -> Result<GradeResult, AnswerError> {
    let outcome = exercise.task.grade(answer_json, exercise.extent)?;
    let score = result::round_ratio(outcome.score.clamp(0.0, 1.0));
    let mut feedback = outcome.feedback;
    feedback.extend(
        exercise
            .feedback
            .iter()
            .filter_map(|r| r.fire(&outcome.facts, score)),
    );
    Ok(GradeResult {
        exercise: exercise.id.clone(),
        kind: exercise.kind,
        score,
        passed: score >= exercise.pass,
        metrics: outcome.metrics,
        feedback,
        geometries: result::feature_collection(outcome.geometries),
        grader_version: GRADER_VERSION.to_owned(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::test_support::layers;
    use serde_json::json;

    fn errors(kind: &str, grading: Value, extent: [f64; 4]) -> Vec<String> {
        Exercise::build(
            "x",
            kind,
            grading,
            vec![],
            vec![json!({"id": "a"})],
            None,
            extent,
            &layers(),
        )
        .err()
        .unwrap_or_default()
        .iter()
        .map(ToString::to_string)
        .collect()
    }

    #[test]
    fn build_reports_every_problem_even_with_a_broken_extent() {
        let e = errors(
            "place_point",
            json!({"full_within_m": 5, "zero_beyond_m": 50, "typo": 1}),
            [20.0, 60.0, 10.0, 70.0],
        );
        assert!(e.iter().any(|m| m.starts_with("map.extent:")), "{e:?}");
        assert!(
            e.iter().any(|m| m.starts_with("grading.typo: unknown key")),
            "{e:?}"
        );
        assert!(
            !e.iter().any(|m| m.starts_with("grading.full_within_m")),
            "{e:?}"
        );
        assert!(e.iter().any(|m| m.starts_with("option:")), "{e:?}");
        assert!(e.iter().any(|m| m.starts_with("key.geojson:")), "{e:?}");
        let e = errors("draw_circle", json!({}), [10.0, 55.0, 25.0, 69.5]);
        assert!(
            e.iter()
                .any(|m| m.starts_with("kind: unknown kind \"draw_circle\"")),
            "{e:?}"
        );
    }

    #[test]
    fn question_never_contains_the_answer() {
        let ex = Exercise::build(
            "q",
            "read_coordinates",
            json!({"full_within_m": 5, "zero_beyond_m": 50, "crs": "EPSG:3010"}),
            vec![],
            vec![],
            Some(r#"{"type": "Point", "coordinates": [18.0, 63.0]}"#),
            [10.0, 55.0, 25.0, 69.5],
            &layers(),
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let q = ex.question();
        assert_eq!(q["kind"], json!("read_coordinates"));
        assert_eq!(q["crs"], json!("EPSG:3010"));
        assert!(q.get("n").is_none() && q.get("key_n").is_none(), "{q}");
    }
}
