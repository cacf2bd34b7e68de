//! Shared fixtures for the unit tests: a few layers, exercise builders and metric lookups.

use geo::{Geometry, Point, polygon};
use serde_json::Value;

use super::{Exercise, GradeResult, Layer, LayerFeature, SpecError, grade};

pub(crate) const EXTENT: [f64; 4] = [10.0, 55.0, 25.0, 69.5];

fn feature(id: &str, geometry: Geometry) -> LayerFeature {
    LayerFeature {
        id: id.to_owned(),
        name: id.to_uppercase(),
        geometry,
    }
}

pub(crate) fn layers() -> Vec<Layer> {
    vec![
        Layer {
            name: "towns".to_owned(),
            features: vec![
                feature("sundsvall", Geometry::Point(Point::new(17.3069, 62.3908))),
                feature("lulea", Geometry::Point(Point::new(22.1567, 65.5848))),
                feature("town", Geometry::Point(Point::new(17.2, 60.2))),
            ],
        },
        Layer {
            name: "lakes".to_owned(),
            features: vec![feature(
                "lake",
                Geometry::Polygon(polygon![(x: 17.025, y: 60.005), (x: 17.04, y: 60.005), (x: 17.04, y: 60.015), (x: 17.025, y: 60.015), (x: 17.025, y: 60.005)]),
            )],
        },
        Layer {
            name: "parishes".to_owned(),
            features: ["a", "b", "c", "d", "e"]
                .iter()
                .enumerate()
                .map(|(i, id)| {
                    let x = 17.0 + 0.1 * i as f64;
                    feature(
                        id,
                        Geometry::Polygon(polygon![(x: x, y: 60.0), (x: x + 0.1, y: 60.0), (x: x + 0.1, y: 60.1), (x: x, y: 60.1), (x: x, y: 60.0)]),
                    )
                })
                .collect(),
        },
    ]
}

pub(crate) fn try_exercise(
    kind: &str,
    grading: Value,
    key: Option<Value>,
    options: Vec<Value>,
    feedback: Vec<Value>,
) -> Result<Exercise, Vec<SpecError>> {
    let key = key.map(|k| k.to_string());
    Exercise::build(
        "test",
        kind,
        grading,
        feedback,
        options,
        key.as_deref(),
        EXTENT,
        &layers(),
    )
}

pub(crate) fn exercise(kind: &str, grading: Value, key: Option<Value>) -> Exercise {
    match try_exercise(kind, grading, key, vec![], vec![]) {
        Ok(e) => e,
        Err(errors) => panic!("exercise does not build: {errors:?}"),
    }
}

pub(crate) fn run(ex: &Exercise, answer: &Value) -> GradeResult {
    match grade(ex, answer.to_string().as_bytes()) {
        Ok(r) => r,
        Err(e) => panic!("answer refused: {e}"),
    }
}

/// A metric by dotted path ("per_label.kiruna.score").
pub(crate) fn metric(r: &GradeResult, path: &str) -> Value {
    let mut parts = path.split('.');
    let first = parts.next().and_then(|p| r.metrics.get(p)).cloned();
    parts
        .fold(first, |v, p| v.and_then(|v| v.get(p).cloned()))
        .unwrap_or(Value::Null)
}

pub(crate) fn num(r: &GradeResult, path: &str) -> f64 {
    metric(r, path).as_f64().unwrap_or(f64::NAN)
}

pub(crate) fn assert_close(got: f64, want: f64, tol: f64, what: &str) {
    assert!(
        (got - want).abs() <= tol,
        "{what}: got {got}, want {want} (±{tol})"
    );
}

/// The self-answer graded against the exercise.
pub(crate) fn self_grade(ex: &Exercise) -> GradeResult {
    let a = ex.self_answer().unwrap_or(Value::Null);
    run(ex, &a)
}

pub(crate) fn codes(r: &GradeResult) -> Vec<&str> {
    r.feedback.iter().map(|f| f.code.as_str()).collect()
}

/// A closed counter-clockwise square ring with its lower left corner at (x0, y0) and side `s`.
pub(crate) fn square(x0: f64, y0: f64, s: f64) -> Vec<geo::Coord> {
    let c = |x: f64, y: f64| geo::Coord { x, y };
    vec![
        c(x0, y0),
        c(x0 + s, y0),
        c(x0 + s, y0 + s),
        c(x0, y0 + s),
        c(x0, y0),
    ]
}

/// The unit tests' random inputs: a seeded linear congruential generator (Knuth's MMIX
/// constants), the same sequence on every run and machine, so a failure can be replayed.
pub(crate) struct Lcg(u64);

impl Lcg {
    pub(crate) fn new(seed: u64) -> Lcg {
        Lcg(seed)
    }

    fn step(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0
    }

    /// Uniform in [0, 1).
    pub(crate) fn unit(&mut self) -> f64 {
        (self.step() >> 11) as f64 / (1u64 << 53) as f64
    }

    /// A whole number below `n` (as f64): small grids, full of ties and collinear points.
    pub(crate) fn below(&mut self, n: u64) -> f64 {
        ((self.step() >> 33) % n) as f64
    }
}
