//! Property tests of the grading contract: scores stay in [0, 1], keys grade themselves 1,
//! a point moved less than `full_within_m` still scores 1, IoU is symmetric, and no input
//! (random bytes, deep nesting, huge numbers, NaN tokens, wrong types) makes grading panic.
//! Case counts are set per property below; `PROPTEST_CASES` overrides them all.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    reason = "a test reports by panicking"
)]

use std::collections::HashMap;
use std::f64::consts::TAU;
use std::sync::OnceLock;

use geo::{Destination, Geodesic, Point};
use kartskola::grading::{Exercise, Layer, grade};
use proptest::prelude::*;
use serde_json::{Value, json};

const EXTENT: [f64; 4] = [10.0, 55.0, 25.0, 69.5];

fn build(kind: &str, grading: Value, key: Option<Value>, options: Vec<Value>) -> Exercise {
    let layers: HashMap<String, Layer> = HashMap::new();
    let key = key.map(|k| k.to_string());
    Exercise::build(
        "prop",
        kind,
        grading,
        vec![],
        options,
        key.as_deref(),
        EXTENT,
        &layers,
    )
    .unwrap_or_else(|e| panic!("{e:?}"))
}

/// A star-shaped (so simple) ring around (lon, lat).
fn star(lon: f64, lat: f64, radii: &[f64], phase: f64) -> Vec<[f64; 2]> {
    let n = radii.len();
    let mut ring: Vec<[f64; 2]> = radii
        .iter()
        .enumerate()
        .map(|(i, r)| {
            let t = phase + TAU * i as f64 / n as f64;
            [
                lon + r * t.cos() / (111_320.0 * lat.to_radians().cos()),
                lat + r * t.sin() / 111_320.0,
            ]
        })
        .collect();
    ring.push(ring[0]);
    ring
}

fn polygon_strategy() -> impl Strategy<Value = Vec<[f64; 2]>> {
    (
        11.0f64..24.0,
        56.0f64..68.5,
        prop::collection::vec(200.0f64..20_000.0, 3..40),
        0.0f64..TAU,
    )
        .prop_map(|(lon, lat, radii, phase)| star(lon, lat, &radii, phase))
}

fn line_strategy() -> impl Strategy<Value = Vec<[f64; 2]>> {
    (
        11.0f64..24.0,
        56.0f64..68.5,
        prop::collection::vec((-0.05f64..0.05, -0.05f64..0.05), 2..30),
    )
        .prop_map(|(lon, lat, steps)| {
            let mut p = [lon, lat];
            let mut out = vec![p];
            for (dx, dy) in steps {
                p = [p[0] + dx + 0.001, p[1] + dy];
                out.push(p);
            }
            out
        })
}

fn score_of(ex: &Exercise, answer: &Value) -> Option<f64> {
    grade(ex, answer.to_string().as_bytes())
        .ok()
        .map(|r| r.score)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, ..ProptestConfig::default() })]

    #[test]
    fn polygon_key_grades_itself_one_and_scores_stay_in_range(key in polygon_strategy(), answer in polygon_strategy()) {
        let ex = build("draw_polygon", json!({}), Some(json!({"type": "Polygon", "coordinates": [key]})), vec![]);
        let own = grade(&ex, ex.self_answer().unwrap().to_string().as_bytes()).unwrap();
        prop_assert_eq!(own.score, 1.0);
        if let Some(s) = score_of(&ex, &json!({"geometry": {"type": "Polygon", "coordinates": [answer]}})) {
            prop_assert!((0.0..=1.0).contains(&s));
        }
    }

    #[test]
    fn iou_is_symmetric(a in polygon_strategy(), b in polygon_strategy()) {
        let ab = build("draw_polygon", json!({}), Some(json!({"type": "Polygon", "coordinates": [a]})), vec![]);
        let ba = build("draw_polygon", json!({}), Some(json!({"type": "Polygon", "coordinates": [b]})), vec![]);
        let r1 = grade(&ab, json!({"geometry": {"type": "Polygon", "coordinates": [b]}}).to_string().as_bytes()).unwrap();
        let r2 = grade(&ba, json!({"geometry": {"type": "Polygon", "coordinates": [a]}}).to_string().as_bytes()).unwrap();
        let (i1, i2) = (r1.metrics["iou"].as_f64().unwrap(), r2.metrics["iou"].as_f64().unwrap());
        prop_assert!((i1 - i2).abs() <= 2e-6, "{} vs {}", i1, i2);
    }

    #[test]
    fn line_key_grades_itself_one(key in line_strategy(), answer in line_strategy(), frechet in any::<bool>()) {
        let metric = if frechet { "frechet" } else { "hausdorff" };
        let ex = build("draw_line", json!({"full_within_m": 100, "zero_beyond_m": 5000, "metric": metric}),
            Some(json!({"type": "LineString", "coordinates": key})), vec![]);
        let own = grade(&ex, ex.self_answer().unwrap().to_string().as_bytes()).unwrap();
        prop_assert_eq!(own.score, 1.0);
        let r = grade(&ex, json!({"geometry": {"type": "LineString", "coordinates": answer}}).to_string().as_bytes());
        if let Ok(r) = r {
            prop_assert!((0.0..=1.0).contains(&r.score));
            let (h, f) = (r.metrics["hausdorff_m"].as_f64().unwrap(), r.metrics["frechet_m"].as_f64().unwrap());
            prop_assert!(f + 1e-3 >= h, "Fréchet {} below Hausdorff {}", f, h);
        }
    }

    #[test]
    fn point_moved_less_than_full_still_scores_one(
        lon in 11.0f64..24.0, lat in 56.0f64..68.5, full in 10.0f64..20_000.0,
        bearing in 0.0f64..360.0, frac in 0.0f64..0.999,
    ) {
        let ex = build("place_point", json!({"full_within_m": full, "zero_beyond_m": full * 3.0}),
            Some(json!({"type": "Point", "coordinates": [lon, lat]})), vec![]);
        let moved = Geodesic.destination(Point::new(lon, lat), bearing, full * frac);
        let s = score_of(&ex, &json!({"geometry": {"type": "Point", "coordinates": [moved.x(), moved.y()]}})).unwrap();
        prop_assert_eq!(s, 1.0);
    }

    #[test]
    fn zone_key_self_answer_is_inside(key in polygon_strategy()) {
        let ex = build("place_point", json!({"full_within_m": 0, "zero_beyond_m": 1000}),
            Some(json!({"type": "Polygon", "coordinates": [key]})), vec![]);
        let own = grade(&ex, ex.self_answer().unwrap().to_string().as_bytes()).unwrap();
        prop_assert_eq!(own.score, 1.0);
    }

    #[test]
    fn measure_and_read_scores_stay_in_range(value in prop::num::f64::ANY, n in -1e10f64..1e10, e in -1e10f64..1e10) {
        let ex = build("measure_length", json!({"unit": "km"}),
            Some(json!({"type": "LineString", "coordinates": [[17.0, 60.0], [17.1, 60.1]]})), vec![]);
        let body = format!("{{\"value\": {value:e}}}");
        if let Ok(r) = grade(&ex, body.as_bytes()) {
            prop_assert!((0.0..=1.0).contains(&r.score));
        }
        let ex = build("read_coordinates", json!({"full_within_m": 10, "zero_beyond_m": 100}),
            Some(json!({"type": "Point", "coordinates": [17.0, 60.0]})), vec![]);
        if let Some(s) = score_of(&ex, &json!({"n": n, "e": e})) {
            prop_assert!((0.0..=1.0).contains(&s));
        }
    }
}

fn exercises() -> &'static Vec<Exercise> {
    static EX: OnceLock<Vec<Exercise>> = OnceLock::new();
    EX.get_or_init(|| {
        let options = vec![
            json!({"id": "a", "text": {"sv": "A"}, "correct": true}),
            json!({"id": "b", "text": {"sv": "B"}}),
        ];
        vec![
            build("place_point", json!({"full_within_m": 10, "zero_beyond_m": 100}), Some(json!({"type": "Point", "coordinates": [17.0, 60.0]})), vec![]),
            build("place_points", json!({"full_within_m": 10, "zero_beyond_m": 100}), Some(json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"label": "a"}, "geometry": {"type": "Point", "coordinates": [17.0, 60.0]}}]})), vec![]),
            build("draw_polygon", json!({}), Some(json!({"type": "Polygon", "coordinates": [[[17.0, 60.0], [17.1, 60.0], [17.1, 60.1], [17.0, 60.0]]]})), vec![]),
            build("draw_line", json!({"full_within_m": 10, "zero_beyond_m": 100}), Some(json!({"type": "LineString", "coordinates": [[17.0, 60.0], [17.1, 60.1]]})), vec![]),
            build("measure_area", json!({}), Some(json!({"type": "Polygon", "coordinates": [[[17.0, 60.0], [17.1, 60.0], [17.1, 60.1], [17.0, 60.0]]]})), vec![]),
            build("read_coordinates", json!({"full_within_m": 10, "zero_beyond_m": 100}), Some(json!({"type": "Point", "coordinates": [17.0, 60.0]})), vec![]),
            build("choice", json!({}), None, options),
            build("site", json!({"geometry": "polygon", "rule": [{"id": "s", "kind": "area_between_m2", "min": 1, "message": {"sv": "s"}}]}), None, vec![]),
        ]
    })
}

/// JSON-ish text built from fragments that stress the parser and the shape checks.
fn hostile_strategy() -> impl Strategy<Value = String> {
    let leaf = prop_oneof![
        Just("NaN".to_owned()),
        Just("Infinity".to_owned()),
        Just("-1e999".to_owned()),
        Just("1e308".to_owned()),
        Just("null".to_owned()),
        Just("\"Polygon\"".to_owned()),
        Just("\"Point\"".to_owned()),
        Just("true".to_owned()),
        any::<f64>().prop_map(|x| format!("{x:e}")),
        any::<i64>().prop_map(|x| x.to_string()),
        "[a-z\"\\\\]{0,6}".prop_map(|s| format!("\"{s}\"")),
    ];
    leaf.prop_recursive(6, 64, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(|v| format!("[{}]", v.join(","))),
            prop::collection::vec(
                (
                    prop_oneof![
                        Just("geometry"),
                        Just("type"),
                        Just("coordinates"),
                        Just("features"),
                        Just("ids"),
                        Just("choices"),
                        Just("value"),
                        Just("n"),
                        Just("e"),
                        Just("properties"),
                        Just("label")
                    ],
                    inner
                ),
                0..5
            )
            .prop_map(|kv| format!(
                "{{{}}}",
                kv.iter()
                    .map(|(k, v)| format!("\"{k}\":{v}"))
                    .collect::<Vec<_>>()
                    .join(",")
            )),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10000, ..ProptestConfig::default() })]

    #[test]
    fn random_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        for ex in exercises() {
            let _ = grade(ex, &bytes);
        }
    }

    #[test]
    fn hostile_json_never_panics(text in hostile_strategy(), wrap in 0usize..3) {
        let body = match wrap {
            0 => text,
            1 => format!("{{\"geometry\":{text}}}"),
            _ => format!("{{\"geometry\":{{\"type\":\"Polygon\",\"coordinates\":{text}}}}}"),
        };
        for ex in exercises() {
            let _ = grade(ex, body.as_bytes());
        }
    }
}

#[test]
fn deep_nesting_and_giant_numbers_are_refused() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    let giant = format!("{{\"value\": 1{}}}", "0".repeat(400));
    for ex in exercises() {
        assert!(grade(ex, deep.as_bytes()).is_err());
        let e = grade(ex, giant.as_bytes());
        assert!(e.is_err() || ex.kind().as_str() == "measure_area");
    }
}
