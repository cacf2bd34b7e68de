//! `place_point`: click where something is. The key is a point (geodesic distance) or a zone
//! (0 inside, boundary included, holes outside; else planar distance to its nearest ring).

use geo::{Coord, Geometry, InteriorPoint, MultiPolygon, Point};
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin, distance_band};
use crate::grading::answer::{Planar, geojson_value, single_geometry};
use crate::grading::geodesic;
use crate::grading::geometry::{POINT, ZONE_OR_POINT};
use crate::grading::messages::AnswerError;
use crate::grading::metrics::nearest::Prepared;
use crate::grading::project::from_plane;
use crate::grading::result::{Role, ramp_down, round_m, shown};

/// The key of a point question: a point, or a zone with its planar form.
#[derive(Debug)]
pub(crate) enum PointKey {
    Point(Coord),
    Zone(Box<Prepared>),
}

impl PointKey {
    pub(crate) fn from_checked(lonlat: &Geometry, plane: &Planar) -> Option<PointKey> {
        match plane {
            Planar::Point(_) => match lonlat {
                Geometry::Point(p) => Some(PointKey::Point(p.0)),
                _ => None,
            },
            Planar::Polygons(parts) => Some(PointKey::Zone(Box::new(Prepared::from_planar(
                parts.clone(),
                &[],
                &[],
            )))),
            _ => None,
        }
    }

    /// Distance (m) from an answer point given in lon/lat and in the plane.
    pub(crate) fn distance(&self, lonlat: Coord, plane: Coord) -> f64 {
        match self {
            PointKey::Point(k) => geodesic::distance(lonlat, *k),
            PointKey::Zone(z) => z.nearest_point(plane).0,
        }
    }

    /// A point that satisfies the key: the point, or a point inside the zone (found in the plane,
    /// where containment is decided).
    pub(crate) fn inside_point(&self) -> Coord {
        match self {
            PointKey::Point(k) => *k,
            PointKey::Zone(z) => {
                let mp = MultiPolygon::new(
                    z.polygons
                        .iter()
                        .map(|rings| {
                            let mut it = rings.iter().map(|r| geo::LineString::from(r.clone()));
                            let ext = it.next().unwrap_or_else(|| geo::LineString::new(vec![]));
                            geo::Polygon::new(ext, it.collect())
                        })
                        .collect(),
                );
                let p = mp
                    .interior_point()
                    .map_or(Coord { x: 0.0, y: 0.0 }, |p| p.0);
                from_plane(p)
            }
        }
    }
}

#[derive(Debug)]
pub(crate) struct Task {
    key: PointKey,
    key_geometry: Geometry,
    full: f64,
    zero: f64,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let band = distance_band(ctx);
        let key = ctx.key_geometry(ZONE_OR_POINT)?;
        let (full, zero) = band?;
        Some(Task {
            key: PointKey::from_checked(&key.lonlat, &key.plane)?,
            key_geometry: key.lonlat,
            full,
            zero,
        })
    }

    pub(crate) fn grade(&self, answer: &[u8], extent: [f64; 4]) -> Result<Outcome, AnswerError> {
        let g = single_geometry(answer, POINT, extent)?;
        let (Geometry::Point(p), Planar::Point(pp)) = (&g.lonlat, &g.plane) else {
            return Ok(Outcome::default());
        };
        let distance = self.key.distance(p.0, *pp);
        let score = ramp_down(distance, self.full, self.zero);
        let mut out = Outcome {
            score,
            ..Outcome::default()
        };
        out.metrics
            .insert("distance_m".to_owned(), json!(round_m(distance)));
        if distance > self.full {
            out.feedback
                .push(builtin("too_far", json!({"distance_m": round_m(distance)})));
        }
        out.geometries
            .push((Role::Answer, shown(&g.lonlat), Map::new()));
        out.geometries
            .push((Role::Key, shown(&self.key_geometry), Map::new()));
        out.facts.points.push(p.0);
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        json!({"geometry_type": "Point"})
    }

    pub(crate) fn self_answer(&self) -> Value {
        let p = self.key.inside_point();
        json!({"geometry": geojson_value(&Geometry::Point(Point(p)))})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{
        assert_close, codes, exercise, num, run, self_grade, try_exercise,
    };
    use serde_json::json;

    fn lulea() -> crate::grading::Exercise {
        exercise(
            "place_point",
            json!({"full_within_m": 5000, "zero_beyond_m": 15000}),
            Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
        )
    }

    fn at(lon: f64, lat: f64) -> serde_json::Value {
        json!({"geometry": {"type": "Point", "coordinates": [lon, lat]}})
    }

    #[test]
    fn golden_point_key() {
        let ex = lulea();
        let perfect = run(&ex, &at(22.1567, 65.5848));
        assert_eq!(
            (perfect.score, perfect.passed, num(&perfect, "distance_m")),
            (1.0, true, 0.0)
        );
        // geographiclib: 10 035.180 222 m; ramp (15 000 − d) / 10 000.
        let near = run(&ex, &at(22.1567, 65.6748));
        assert_close(num(&near, "distance_m"), 10035.18, 1e-9, "distance");
        assert_close(near.score, 0.496482, 1e-9, "score");
        assert!(!near.passed);
        assert_eq!(codes(&near), vec!["too_far"]);
        let wrong = run(&ex, &at(17.3069, 62.3908));
        assert_close(num(&wrong, "distance_m"), 427686.595, 1e-9, "distance");
        assert_eq!(wrong.score, 0.0);
        assert_eq!(self_grade(&ex).score, 1.0);
    }

    #[test]
    fn golden_zone_key_with_hole() {
        let ex = exercise(
            "place_point",
            json!({"full_within_m": 500, "zero_beyond_m": 5000, "pass": 0.5}),
            Some(
                json!({"type": "Feature", "properties": {}, "geometry": {"type": "Polygon", "coordinates": [
                [[17.0, 60.0], [17.2, 60.0], [17.2, 60.1], [17.0, 60.1], [17.0, 60.0]],
                [[17.05, 60.03], [17.05, 60.07], [17.15, 60.07], [17.15, 60.03], [17.05, 60.03]]]}}),
            ),
        );
        let inside = run(&ex, &at(17.02, 60.05));
        assert_eq!((num(&inside, "distance_m"), inside.score), (0.0, 1.0));
        // Vertices count as inside (boundary included).
        assert_eq!(run(&ex, &at(17.2, 60.1)).score, 1.0);
        // In the hole: planar distance to the hole's ring (shapely: 2 226.688 m).
        let hole = run(&ex, &at(17.1, 60.05));
        assert_close(num(&hole, "distance_m"), 2226.688, 1e-9, "hole distance");
        assert_close(hole.score, 0.616292, 1e-9, "hole score");
        let outside = run(&ex, &at(17.25, 60.05));
        assert_close(
            num(&outside, "distance_m"),
            2785.245,
            1e-9,
            "outside distance",
        );
        assert_close(outside.score, 0.492168, 1e-9, "outside score");
        assert!(!outside.passed);
        assert_eq!(self_grade(&ex).score, 1.0);
    }

    #[test]
    fn near_feature_hook_fires() {
        let ex = try_exercise(
            "place_point",
            json!({"full_within_m": 5000, "zero_beyond_m": 15000}),
            Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
            vec![],
            vec![json!({"when": "near_feature", "layer": "towns", "id": "sundsvall", "within_m": 5000,
                        "message": {"sv": "Det där är Sundsvall.", "en": "That is Sundsvall."}})],
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        let r = run(&ex, &at(17.31, 62.40));
        let hook = r.feedback.iter().find(|f| f.code == "near_feature");
        assert_eq!(
            hook.and_then(|f| f.text.as_ref()).map(|t| t.sv.as_str()),
            Some("Det där är Sundsvall.")
        );
        assert!(run(&ex, &at(22.1567, 65.5848)).feedback.is_empty());
    }

    #[test]
    fn bad_grading_tables_list_every_problem() {
        let errors = try_exercise(
            "place_point",
            json!({"full_within_m": 20000, "zero_beyond_m": 15000, "pass": 1.5, "colour": "red"}),
            None,
            vec![],
            vec![json!({"when": "web_mercator", "message": {"sv": "x"}}), json!({"when": "near_feature", "layer": "towns", "id": "nowhere", "within_m": 5, "message": {"sv": "x"}})],
        )
        .err()
        .unwrap_or_default();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        for p in [
            "grading.zero_beyond_m",
            "grading.pass",
            "grading.colour",
            "key.geojson",
            "feedback[0].when",
            "feedback[1].id",
        ] {
            assert!(paths.contains(&p), "{p} missing from {paths:?}");
        }
    }
}
