//! Whole grades per kind (parse, validate, project, measure) through `grade(&exercise, bytes)`,
//! plus the planar metrics alone at 1 000 vertices for comparison with Shapely/GEOS.
//! Run: cargo bench --bench grading -- --warm-up-time 1 --measurement-time 3
//! The `baseline/*` rows grade the very inputs `benches/shapely_baseline.py` times Shapely on
//! (benches/inputs/); that script runs them in the same run and prints the ratios.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic,
    missing_docs,
    reason = "benchmark set-up panics on broken fixtures"
)]

use std::collections::HashMap;
use std::f64::consts::TAU;
use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use geo::{Geometry, Point, polygon};
use kartskola::grading::bench_support::{frechet_lines, hausdorff_lines, iou_rings};
use kartskola::grading::{Exercise, Layer, LayerFeature, grade, to_crs};
use serde_json::{Value, json};

/// The server's allocator (src/main.rs), so that a whole grade is timed as the server runs it:
/// with glibc's malloc the polygon grades were about 7 % slower.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const EXTENT: [f64; 4] = [10.0, 55.0, 25.0, 69.5];
const M_PER_DEG: f64 = 111_320.0;

/// A star-shaped (hence simple) ring of `n` vertices around (lon, lat), radius `r` m.
fn ring(n: usize, lon: f64, lat: f64, r: f64, phase: f64) -> Vec<[f64; 2]> {
    let mut v: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = phase + TAU * i as f64 / n as f64;
            let rr = r * (1.0 + 0.15 * (7.0 * t).sin());
            [
                lon + rr * t.cos() / (M_PER_DEG * lat.to_radians().cos()),
                lat + rr * t.sin() / M_PER_DEG,
            ]
        })
        .collect();
    v.push(v[0]);
    v
}

/// A ring whose radius oscillates `k` times around (lon, lat): two of these with different `k`
/// cross each other's boundary about 2·|k₁ − k₂| + … times, like a hand-drawn answer.
fn wiggly(n: usize, lon: f64, lat: f64, r: f64, k: f64, amp: f64) -> Vec<[f64; 2]> {
    let mut v: Vec<[f64; 2]> = (0..n)
        .map(|i| {
            let t = TAU * i as f64 / n as f64;
            let rr = r * (1.0 + amp * (k * t).sin());
            [
                lon + rr * t.cos() / (M_PER_DEG * lat.to_radians().cos()),
                lat + rr * t.sin() / M_PER_DEG,
            ]
        })
        .collect();
    v.push(v[0]);
    v
}

/// A meandering line of `n` vertices, ~`len` m long, starting at (lon, lat), offset `dy` m north.
fn line(n: usize, lon: f64, lat: f64, len: f64, dy: f64, phase: f64) -> Vec<[f64; 2]> {
    (0..n)
        .map(|i| {
            let x = len * (i as f64 + phase) / n as f64;
            let y = dy + 3000.0 * (x / 7000.0).sin();
            [
                lon + x / (M_PER_DEG * lat.to_radians().cos()),
                lat + y / M_PER_DEG,
            ]
        })
        .collect()
}

fn build(
    kind: &str,
    grading: Value,
    key: Option<Value>,
    options: Vec<Value>,
    layers: &HashMap<String, Layer>,
) -> Exercise {
    let key = key.map(|k| k.to_string());
    Exercise::build(
        "bench",
        kind,
        grading,
        vec![],
        options,
        key.as_deref(),
        EXTENT,
        layers,
    )
    .unwrap()
}

fn bytes(v: &Value) -> Vec<u8> {
    serde_json::to_vec(v).unwrap()
}

fn planar(l: &[[f64; 2]]) -> Vec<[f64; 2]> {
    l.iter()
        .map(|&[lon, lat]| {
            let (e, n) = to_crs(3006, lon, lat).unwrap();
            [e, n]
        })
        .collect()
}

fn benches(c: &mut Criterion) {
    let none: HashMap<String, Layer> = HashMap::new();

    // place_point: point key and zone key.
    let ex = build(
        "place_point",
        json!({"full_within_m": 5000, "zero_beyond_m": 15000}),
        Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
        vec![],
        &none,
    );
    let a = bytes(&json!({"geometry": {"type": "Point", "coordinates": [22.2, 65.6]}}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("place_point/point_key", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
    let zone = ring(1000, 15.0, 62.0, 20_000.0, 0.0);
    let ex = build(
        "place_point",
        json!({"full_within_m": 5000, "zero_beyond_m": 15000}),
        Some(json!({"type": "Polygon", "coordinates": [zone]})),
        vec![],
        &none,
    );
    let a = bytes(&json!({"geometry": {"type": "Point", "coordinates": [15.6, 62.1]}}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("place_point/zone_key_1000v", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });

    // place_points: three labels.
    let key = json!({"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"label": "lulea"}, "geometry": {"type": "Point", "coordinates": [22.1567, 65.5848]}},
        {"type": "Feature", "properties": {"label": "kiruna"}, "geometry": {"type": "Point", "coordinates": [20.2253, 67.8558]}},
        {"type": "Feature", "properties": {"label": "umea"}, "geometry": {"type": "Point", "coordinates": [20.2630, 63.8258]}}]});
    let ex = build(
        "place_points",
        json!({"full_within_m": 5000, "zero_beyond_m": 50000}),
        Some(key),
        vec![],
        &none,
    );
    let a = bytes(
        &json!({"features": {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"label": "lulea"}, "geometry": {"type": "Point", "coordinates": [22.2, 65.6]}},
        {"type": "Feature", "properties": {"label": "umea"}, "geometry": {"type": "Point", "coordinates": [20.3, 63.8]}}]}}),
    );
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("place_points/3_labels", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });

    // draw_polygon at 50, 1000 and 5000 vertices (answer and key alike).
    for n in [50usize, 1000, 5000] {
        let key = ring(n, 18.0, 62.0, 20_000.0, 0.0);
        let ans = ring(n, 18.03, 62.01, 19_000.0, 0.37 / n as f64);
        let ex = build(
            "draw_polygon",
            json!({}),
            Some(json!({"type": "Polygon", "coordinates": [key]})),
            vec![],
            &none,
        );
        let a = bytes(&json!({"geometry": {"type": "Polygon", "coordinates": [ans]}}));
        let r = grade(&ex, &a).unwrap();
        assert!(r.score > 0.5, "{:?}", r.metrics);
        c.bench_function(&format!("draw_polygon/{n}v_vs_{n}v"), |b| {
            b.iter(|| grade(&ex, black_box(&a)))
        });
    }

    // draw_line, 5000 vs 5000 vertices (~100 km; no densifying needed), both metrics; and 1000.
    for n in [1000usize, 5000] {
        let key = line(n, 14.0, 62.0, 100_000.0, 0.0, 0.0);
        let ans = line(n, 14.0, 62.0, 100_000.0, 150.0, 0.5);
        for metric in ["hausdorff", "frechet"] {
            let ex = build(
                "draw_line",
                json!({"full_within_m": 200, "zero_beyond_m": 2000, "metric": metric}),
                Some(json!({"type": "LineString", "coordinates": key})),
                vec![],
                &none,
            );
            let a = bytes(&json!({"geometry": {"type": "LineString", "coordinates": ans}}));
            let r = grade(&ex, &a).unwrap();
            assert!(r.score > 0.9, "{:?}", r.metrics);
            c.bench_function(&format!("draw_line/{metric}_{n}v_vs_{n}v"), |b| {
                b.iter(|| grade(&ex, black_box(&a)))
            });
        }
    }

    // Metrics alone at 1000 vertices (planar EPSG:3006), for comparison with Shapely/GEOS.
    let ka = planar(&ring(1000, 18.0, 62.0, 20_000.0, 0.0));
    let kb = planar(&ring(1000, 18.03, 62.01, 19_000.0, 0.00037));
    c.bench_function("metric/iou_1000v", |b| {
        b.iter(|| iou_rings(black_box(&ka), black_box(&kb)))
    });
    let wa = planar(&wiggly(1000, 18.0, 62.0, 20_000.0, 97.0, 0.02));
    let wb = planar(&wiggly(1000, 18.0, 62.0, 20_000.0, 103.0, 0.02));
    c.bench_function("metric/iou_1000v_206_crossings", |b| {
        b.iter(|| iou_rings(black_box(&wa), black_box(&wb)))
    });
    let la = planar(&line(1000, 14.0, 62.0, 100_000.0, 0.0, 0.0));
    let lb = planar(&line(1000, 14.0, 62.0, 100_000.0, 150.0, 0.5));
    c.bench_function("metric/hausdorff_1000v", |b| {
        b.iter(|| hausdorff_lines(black_box(&la), black_box(&lb)))
    });
    c.bench_function("metric/frechet_1000v", |b| {
        b.iter(|| frechet_lines(black_box(&la), black_box(&lb)))
    });
    let rev: Vec<[f64; 2]> = la.iter().rev().copied().collect();
    c.bench_function("metric/frechet_1000v_vs_reverse", |b| {
        b.iter(|| frechet_lines(black_box(&la), black_box(&rev)))
    });

    // select_features on a 290-feature layer.
    let features: Vec<LayerFeature> = (0..290)
        .map(|i| {
            let x = 12.0 + f64::from(i % 20) * 0.5;
            let y = 56.0 + f64::from(i / 20) * 0.5;
            LayerFeature {
                id: format!("f{i}"),
                name: format!("F {i}"),
                geometry: Geometry::Polygon(polygon![(x: x, y: y), (x: x + 0.4, y: y), (x: x + 0.4, y: y + 0.4), (x: x, y: y)]),
            }
        })
        .collect();
    let mut layers = HashMap::new();
    layers.insert(
        "kommuner".to_owned(),
        Layer {
            name: "kommuner".to_owned(),
            features,
        },
    );
    layers.insert(
        "towns".to_owned(),
        Layer {
            name: "towns".to_owned(),
            features: vec![LayerFeature {
                id: "sundsvall".to_owned(),
                name: "Sundsvall".to_owned(),
                geometry: Geometry::Point(Point::new(17.3069, 62.3908)),
            }],
        },
    );
    let ex = build(
        "select_features",
        json!({"layer": "kommuner", "ids": ["f1", "f2", "f3", "f21"]}),
        None,
        vec![],
        &layers,
    );
    let a = bytes(&json!({"ids": ["f1", "f2", "f22"]}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("select_features/290_features", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });

    // measure_length / measure_area with 1000-vertex keys.
    let ex = build(
        "measure_length",
        json!({"unit": "km"}),
        Some(
            json!({"type": "LineString", "coordinates": line(1000, 14.0, 62.0, 100_000.0, 0.0, 0.0)}),
        ),
        vec![],
        &none,
    );
    let a = bytes(&json!({"value": 120.5}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("measure_length/1000v", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
    let ex = build(
        "measure_area",
        json!({"unit": "km2"}),
        Some(json!({"type": "Polygon", "coordinates": [ring(1000, 18.0, 62.0, 20_000.0, 0.0)]})),
        vec![],
        &none,
    );
    let a = bytes(&json!({"value": 1300.0}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("measure_area/1000v", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });

    // read_coordinates in a local zone.
    let ex = build(
        "read_coordinates",
        json!({"full_within_m": 10, "zero_beyond_m": 100, "crs": "EPSG:3014"}),
        Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
        vec![],
        &none,
    );
    let a = bytes(&json!({"n": 7285362.0, "e": 376129.0}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("read_coordinates/local_zone", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });

    // choice, multiple.
    let options: Vec<Value> = (0..5)
        .map(|i| json!({"id": format!("o{i}"), "text": {"sv": format!("Alt {i}")}, "correct": i % 2 == 0}))
        .collect();
    let ex = build("choice", json!({"multiple": true}), None, options, &none);
    let a = bytes(&json!({"choices": ["o0", "o1", "o2"]}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("choice/multiple_5", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });

    // site: a 1000-vertex polygon with four rules against a 290-feature layer.
    let ex = build(
        "site",
        json!({"geometry": "polygon", "rule": [
        {"id": "inside", "kind": "within", "layer": "kommuner", "ids": ["f0", "f1", "f20", "f21"], "message": {"sv": "Inom kommunerna"}},
        {"id": "size", "kind": "area_between_m2", "min": 1e6, "max": 5e9, "message": {"sv": "Storlek"}},
        {"id": "far", "kind": "min_distance_m", "layer": "towns", "distance_m": 1000, "message": {"sv": "Avstånd"}},
        {"id": "near", "kind": "passes_within_m", "points": [[12.5, 56.5]], "distance_m": 5000, "message": {"sv": "Nära"}}]}),
        None,
        vec![],
        &layers,
    );
    let a = bytes(
        &json!({"geometry": {"type": "Polygon", "coordinates": [ring(1000, 12.45, 56.45, 15_000.0, 0.0)]}}),
    );
    let r = grade(&ex, &a).unwrap();
    assert!(r.score > 0.0, "{:?}", r.metrics);
    c.bench_function("site/polygon_1000v_4_rules", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
}

/// Hostile but well-formed answers: how long a refusal or a worst case takes.
fn hostile(c: &mut Criterion) {
    let none: HashMap<String, Layer> = HashMap::new();
    let ex = build(
        "draw_polygon",
        json!({}),
        Some(
            json!({"type": "Polygon", "coordinates": [[[17.0, 60.0], [17.5, 60.0], [17.5, 60.3], [17.0, 60.0]]]}),
        ),
        vec![],
        &none,
    );
    // A valid 5 000-spike star: i_overlay would need minutes; the sweep's pair budget refuses it.
    let star: Vec<[f64; 2]> = (0..=5000)
        .map(|i| {
            let t = TAU * (i % 5000) as f64 / 5000.0;
            let r = if i % 2 == 0 { 0.2 } else { 0.001 };
            [17.25 + r * t.cos(), 60.15 + r * 0.5 * t.sin()]
        })
        .collect();
    let a = bytes(&json!({"geometry": {"type": "Polygon", "coordinates": [star]}}));
    assert_eq!(
        grade(&ex, &a).err().map(|e| e.code()),
        Some("too_many_vertices")
    );
    c.bench_function("hostile/5000_spike_star_refused", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
    // 5 000 random vertices: refused as self-crossing at the first contact.
    let mut s: u64 = 1;
    let mut rnd = || {
        s = s.wrapping_mul(6364136223846793005).wrapping_add(1);
        (s >> 11) as f64 / (1u64 << 53) as f64
    };
    let mut scribble: Vec<[f64; 2]> = (0..5000)
        .map(|_| [17.0 + 0.5 * rnd(), 60.0 + 0.3 * rnd()])
        .collect();
    scribble.push(scribble[0]);
    let a = bytes(&json!({"geometry": {"type": "Polygon", "coordinates": [scribble]}}));
    assert_eq!(
        grade(&ex, &a).err().map(|e| e.code()),
        Some("invalid_geometry")
    );
    c.bench_function("hostile/5000_random_vertices_refused", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
    // 1 200 holes.
    let mut rings = vec![vec![
        [17.0, 60.0],
        [17.5, 60.0],
        [17.5, 60.3],
        [17.0, 60.3],
        [17.0, 60.0],
    ]];
    for i in 0..40 {
        for j in 0..30 {
            let x = 17.01 + 0.012 * f64::from(i);
            let y = 60.005 + 0.0095 * f64::from(j);
            rings.push(vec![[x, y], [x + 0.005, y], [x, y + 0.004], [x, y]]);
        }
    }
    let a = bytes(&json!({"geometry": {"type": "Polygon", "coordinates": rings}}));
    assert!(grade(&ex, &a).is_ok());
    c.bench_function("hostile/1200_holes", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
    // Both lines at the 20 000-vertex densifying limit (4e8 cells): drawn alike, the band
    // covers a sliver of the table; drawn in opposite directions (the worst case) every pair is
    // within the bound, so the full table is filled after the bands have taken an eighth of it.
    let line_ex = build(
        "draw_line",
        json!({"full_within_m": 100, "zero_beyond_m": 1000, "metric": "frechet", "densify_m": 60}),
        Some(json!({"type": "LineString", "coordinates": [[12.0, 56.0], [20.0, 66.0]]})),
        vec![],
        &none,
    );
    let long: Vec<[f64; 2]> = (0..20)
        .map(|i| {
            [
                12.0 + 0.4 * f64::from(i),
                56.0 + 0.5 * f64::from(i) + if i % 2 == 0 { 0.0 } else { 0.01 },
            ]
        })
        .collect();
    let a = bytes(&json!({"geometry": {"type": "LineString", "coordinates": long}}));
    assert!(grade(&line_ex, &a).is_ok());
    let mut g = c.benchmark_group("hostile");
    g.sample_size(10);
    g.bench_function("frechet_20000x20000_densified", |b| {
        b.iter(|| grade(&line_ex, black_box(&a)))
    });
    let reversed: Vec<[f64; 2]> = long.iter().rev().copied().collect();
    let r = bytes(&json!({"geometry": {"type": "LineString", "coordinates": reversed}}));
    assert!(grade(&line_ex, &r).is_ok());
    g.bench_function("frechet_20000x20000_densified_reversed", |b| {
        b.iter(|| grade(&line_ex, black_box(&r)))
    });
    g.finish();
}

/// One geometry of benches/inputs/ (written by benches/shapely_baseline.py).
fn input(name: &str) -> Value {
    let path = format!("{}/benches/inputs/{name}.json", env!("CARGO_MANIFEST_DIR"));
    serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap()
}

/// Whole grades of the inputs Shapely is timed on: the ratios of the goals.
fn baseline(c: &mut Criterion) {
    let none: HashMap<String, Layer> = HashMap::new();
    // (row, key, answer): boundaries crossing 12, ~270 and ~620 times.
    for (row, key, answer) in [
        ("draw_polygon_iou", "polygon_a", "polygon_b"),
        ("draw_polygon_iou_traced", "polygon_a", "polygon_a_traced"),
        (
            "draw_polygon_iou_noisy",
            "polygon_noisy_a",
            "polygon_noisy_b",
        ),
    ] {
        let ex = build("draw_polygon", json!({}), Some(input(key)), vec![], &none);
        let a = bytes(&json!({"geometry": input(answer)}));
        let r = grade(&ex, &a).unwrap();
        assert!(r.metrics["iou"].as_f64().unwrap() > 0.5, "{:?}", r.metrics);
        c.bench_function(&format!("baseline/{row}"), |b| {
            b.iter(|| grade(&ex, black_box(&a)))
        });
    }
    for metric in ["hausdorff", "frechet"] {
        let ex = build(
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000, "metric": metric}),
            Some(input("line_a")),
            vec![],
            &none,
        );
        let a = bytes(&json!({"geometry": input("line_b")}));
        assert!(grade(&ex, &a).is_ok());
        c.bench_function(&format!("baseline/draw_line_{metric}"), |b| {
            b.iter(|| grade(&ex, black_box(&a)))
        });
    }
    let line = input("line_1100");
    let mut reversed = line.clone();
    if let Some(coords) = reversed["coordinates"].as_array_mut() {
        coords.reverse();
    }
    let ex = build(
        "draw_line",
        json!({"full_within_m": 200, "zero_beyond_m": 2000, "metric": "frechet"}),
        Some(line),
        vec![],
        &none,
    );
    let a = bytes(&json!({"geometry": reversed}));
    let r = grade(&ex, &a).unwrap();
    assert_eq!(r.score, 0.0, "a line against its reverse");
    c.bench_function("baseline/draw_line_frechet_1100_reversed", |b| {
        b.iter(|| grade(&ex, black_box(&a)))
    });
}

criterion_group!(grading, benches, hostile, baseline);
criterion_main!(grading);
