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
use crate::grading::result::{Role, ramp_down, round_m};

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
                Vec::new(),
                Vec::new(),
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

    pub(crate) fn grade(&self, answer: &Value, extent: [f64; 4]) -> Result<Outcome, AnswerError> {
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
            .push((Role::Answer, g.lonlat.clone(), Map::new()));
        out.geometries
            .push((Role::Key, self.key_geometry.clone(), Map::new()));
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
