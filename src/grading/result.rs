//! The grade as stored and shown: language-neutral (codes and parameters; author texts carry both
//! languages), rounded so that a grade never flips on the last bit, and with one place that knows
//! what gives the key away.

use geo::Geometry;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::spec::{Kind, LocalizedText};

/// Metrics that give the key away (marked † in spec/grading.md); [`GradeResult::redacted`]
/// removes them. `verdicts` is this engine's per-option verdict list for `choice`.
pub const REVEALING_METRICS: &[&str] = &[
    "key_area_m2",
    "missed_area_m2",
    "extra_area_m2",
    "key_length_m",
    "missing",
    "key_value",
    "key_n",
    "key_e",
    "missed",
    "verdicts",
];

/// Geometry roles that give the key away.
pub const REVEALING_ROLES: &[&str] = &["key", "missed", "extra"];

/// One feedback entry: a stable code with parameters; `text` only for author messages
/// (`[[feedback]]` entries and site rules), rendered at read time in the reader's language.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeedbackItem {
    pub code: String,
    #[serde(default)]
    pub params: Map<String, Value>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub text: Option<LocalizedText>,
}

/// The result of grading one answer (spec/grading.md, "Result").
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GradeResult {
    pub exercise: String,
    pub kind: Kind,
    pub score: f64,
    pub passed: bool,
    pub metrics: Map<String, Value>,
    pub feedback: Vec<FeedbackItem>,
    /// WGS 84 lon/lat; each feature has `properties.role` = answer | key | missed | extra.
    pub geometries: geojson::FeatureCollection,
    pub grader_version: String,
}

impl GradeResult {
    /// The result without what gives the key away: † metrics and key/missed/extra geometries.
    /// The web layer applies this per the exercise's `reveal` setting.
    #[must_use]
    pub fn redacted(&self) -> GradeResult {
        let mut r = self.clone();
        r.metrics
            .retain(|k, _| !REVEALING_METRICS.contains(&k.as_str()));
        r.geometries.features.retain(|f| {
            let role = f
                .properties
                .as_ref()
                .and_then(|p| p.get("role"))
                .and_then(Value::as_str);
            !role.is_some_and(|role| REVEALING_ROLES.contains(&role))
        });
        r
    }
}

/// A geometry's role in the result's FeatureCollection.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    Answer,
    Key,
    Missed,
    Extra,
}

impl Role {
    fn as_str(self) -> &'static str {
        match self {
            Role::Answer => "answer",
            Role::Key => "key",
            Role::Missed => "missed",
            Role::Extra => "extra",
        }
    }
}

/// Builds the result's FeatureCollection; extra properties (e.g. a label or feature id) are kept.
pub(crate) fn feature_collection(
    items: Vec<(Role, geojson::Geometry, Map<String, Value>)>,
) -> geojson::FeatureCollection {
    let features = items.into_iter().map(|(role, g, mut props)| {
        props.insert("role".to_owned(), Value::from(role.as_str()));
        geojson::Feature {
            geometry: Some(g),
            properties: Some(props),
            ..geojson::Feature::default()
        }
    });
    geojson::FeatureCollection::new(features)
}

/// A lon/lat geometry as the result's GeoJSON shows it: what `geojson`'s `From<&Geometry>`
/// gives, built from coordinate slices so that each list is allocated once at its final size
/// (the crate's conversion goes through `Point`s and grows every list: 6 % of a 1 000-vertex
/// `draw_polygon` grade, whose missed and extra parts are hundreds of small polygons).
pub(crate) fn shown(g: &Geometry) -> geojson::Geometry {
    use geojson::GeometryValue as V;
    let value = match g {
        Geometry::Point(p) => V::Point {
            coordinates: position(p.0),
        },
        Geometry::MultiPoint(ps) => V::MultiPoint {
            coordinates: ps.0.iter().map(|p| position(p.0)).collect(),
        },
        Geometry::LineString(l) => V::LineString {
            coordinates: positions(l),
        },
        Geometry::MultiLineString(ls) => V::MultiLineString {
            coordinates: ls.0.iter().map(positions).collect(),
        },
        Geometry::Polygon(p) => V::Polygon {
            coordinates: rings(p),
        },
        Geometry::MultiPolygon(ps) => V::MultiPolygon {
            coordinates: ps.0.iter().map(rings).collect(),
        },
        // Never built by the engine; the crate's conversion is right for them.
        Geometry::Line(_)
        | Geometry::Triangle(_)
        | Geometry::Rect(_)
        | Geometry::GeometryCollection(_) => return geojson::Geometry::from(g),
    };
    geojson::Geometry::new(value)
}

fn position(c: geo::Coord) -> geojson::Position {
    geojson::Position::from([c.x, c.y])
}

fn positions(l: &geo::LineString) -> Vec<geojson::Position> {
    l.0.iter().copied().map(position).collect()
}

/// A polygon's rings; none at all for an empty exterior, as `geojson` does (not `[[]]`).
fn rings(p: &geo::Polygon) -> Vec<Vec<geojson::Position>> {
    if p.exterior().0.is_empty() {
        return Vec::new();
    }
    let mut out = Vec::with_capacity(1 + p.interiors().len());
    out.push(positions(p.exterior()));
    out.extend(p.interiors().iter().map(positions));
    out
}

/// Replaces a non-finite value (absurd answers) by the largest double, so results stay JSON.
fn finite(x: f64) -> f64 {
    if x.is_nan() {
        f64::MAX
    } else {
        x.clamp(-f64::MAX, f64::MAX)
    }
}

fn round_to(x: f64, step_inv: f64) -> f64 {
    let x = finite(x);
    // Beyond 1e15 the rounding step is below one ulp anyway (and x * step_inv could overflow).
    if x.abs() >= 1e15 {
        return x;
    }
    let r = (x * step_inv).round() / step_inv;
    // Avoid "-0.0" in JSON.
    if r == 0.0 { 0.0 } else { r }
}

/// Distances and lengths: 1 mm.
pub(crate) fn round_m(x: f64) -> f64 {
    round_to(x, 1e3)
}

/// Areas: 0.01 m².
pub(crate) fn round_m2(x: f64) -> f64 {
    round_to(x, 1e2)
}

/// Ratios and scores: 1e-6.
pub(crate) fn round_ratio(x: f64) -> f64 {
    round_to(x, 1e6)
}

/// Score 1 at or below `full`, 0 at or beyond `zero`, linear between (distances, errors).
pub(crate) fn ramp_down(value: f64, full: f64, zero: f64) -> f64 {
    if value.is_nan() {
        return 0.0;
    }
    if value <= full {
        1.0
    } else if value >= zero {
        0.0
    } else {
        ((zero - value) / (zero - full)).clamp(0.0, 1.0)
    }
}

/// Score 0 at or below `zero`, 1 at or above `full`, linear between (IoU, Jaccard).
pub(crate) fn ramp_up(value: f64, zero: f64, full: f64) -> f64 {
    if value.is_nan() {
        return 0.0;
    }
    if value >= full {
        1.0
    } else if value <= zero {
        0.0
    } else {
        ((value - zero) / (full - zero)).clamp(0.0, 1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `shown` must give exactly what the `geojson` crate's conversion gives.
    #[test]
    fn shown_matches_the_geojson_crate() {
        use geo::{Coord, LineString, MultiPoint, MultiPolygon, Point, Polygon, Rect};
        let ring = |x0: f64, n: usize| {
            let mut c: Vec<Coord> = (0..n)
                .map(|i| {
                    let t = i as f64 * std::f64::consts::TAU / n as f64;
                    Coord {
                        x: x0 + t.cos(),
                        y: 60.0 + t.sin(),
                    }
                })
                .collect();
            c.push(c[0]);
            LineString::new(c)
        };
        let holed = Polygon::new(ring(17.0, 40), vec![ring(17.0, 5), ring(17.2, 4)]);
        let cases = vec![
            Geometry::Point(Point::new(17.5, -0.0)),
            Geometry::MultiPoint(MultiPoint::from(vec![(1.0, 2.0), (3.0, 4.0)])),
            Geometry::LineString(ring(18.0, 7)),
            Geometry::LineString(LineString::new(vec![])),
            Geometry::MultiLineString(geo::MultiLineString::new(vec![ring(1.0, 3), ring(2.0, 9)])),
            Geometry::Polygon(holed.clone()),
            Geometry::Polygon(Polygon::new(LineString::new(vec![]), vec![])),
            Geometry::MultiPolygon(MultiPolygon::new(vec![
                holed,
                Polygon::new(ring(20.0, 3), vec![]),
                Polygon::new(LineString::new(vec![]), vec![ring(1.0, 3)]),
            ])),
            Geometry::MultiPolygon(MultiPolygon::new(vec![])),
            Geometry::Rect(Rect::new((0.0, 0.0), (1.0, 1.0))),
        ];
        for g in &cases {
            assert_eq!(shown(g), geojson::Geometry::from(g), "{g:?}");
        }
    }

    #[test]
    fn rounding() {
        assert_eq!(round_m(1234.56789), 1234.568);
        assert_eq!(round_m2(10.005_1), 10.01);
        assert_eq!(round_ratio(0.123_456_789), 0.123_457);
        assert_eq!(round_m(-0.0001), 0.0);
        assert_eq!(round_m(f64::INFINITY), f64::MAX);
        assert_eq!(round_m(1e300), 1e300);
    }

    #[test]
    fn ramps() {
        assert_eq!(ramp_down(5.0, 10.0, 20.0), 1.0);
        assert_eq!(ramp_down(15.0, 10.0, 20.0), 0.5);
        assert_eq!(ramp_down(25.0, 10.0, 20.0), 0.0);
        assert!((ramp_up(0.575, 0.3, 0.85) - 0.5).abs() < 1e-12);
        assert_eq!(ramp_up(0.2, 0.3, 0.85), 0.0);
        assert_eq!(ramp_up(f64::NAN, 0.3, 0.85), 0.0);
    }
}

#[cfg(test)]
mod round_trip {
    use crate::grading::test_support::{exercise, run};
    use crate::grading::{Exercise, GradeResult, Lang};
    use serde_json::json;

    #[test]
    fn results_store_language_neutral_and_read_back() {
        let ex = exercise(
            "place_point",
            json!({"full_within_m": 5000, "zero_beyond_m": 15000}),
            Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
        );
        let r = run(
            &ex,
            &json!({"geometry": {"type": "Point", "coordinates": [22.1567, 65.6748]}}),
        );
        let stored = serde_json::to_string(&r).unwrap_or_default();
        let back: GradeResult =
            serde_json::from_str(&stored).unwrap_or_else(|e| panic!("{e}: {stored}"));
        assert_eq!(back, r);
        let v: serde_json::Value = serde_json::from_str(&stored).unwrap_or_default();
        assert_eq!(v["kind"], json!("place_point"));
        assert_eq!(v["grader_version"], json!("1"));
        assert_eq!(
            v["feedback"][0],
            json!({"code": "too_far", "params": {"distance_m": 10035.18}})
        );
        assert_eq!(v["geometries"]["type"], json!("FeatureCollection"));
        assert_eq!(
            v["geometries"]["features"][1]["properties"]["role"],
            json!("key")
        );
        assert_eq!(
            r.feedback[0].message(Lang::Sv),
            "Svaret ligger 10,0 km från rätt plats."
        );
    }

    #[test]
    fn exercises_are_shareable() {
        fn shareable<T: Send + Sync + 'static>() {}
        shareable::<Exercise>();
        shareable::<GradeResult>();
    }
}
