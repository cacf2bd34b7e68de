//! `draw_polygon`: draw an area. Scored on planar IoU in EPSG:3006 from one overlay; the missed
//! and extra parts come from the same overlay and are measured geodesically, like the answer and
//! key areas. The overlay is `edge_overlay` when the boundaries are in general position (nearly
//! every drawing), i_overlay's graph otherwise (a key graded against itself, a vertex on the
//! other boundary).

use geo::{Coord, Geometry, LineString, MultiPolygon, Polygon};
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin};
use crate::grading::answer::{Planar, single_geometry};
use crate::grading::geodesic;
use crate::grading::geometry::POLYGONAL;
use crate::grading::messages::AnswerError;
use crate::grading::metrics::edge_overlay::{self, Prepared};
use crate::grading::metrics::overlay::{Shapes, from_shapes, overlay, shapes_area, to_shapes};
use crate::grading::planar;
use crate::grading::project::from_plane;
use crate::grading::result::{Role, ramp_up, round_m2, round_ratio, shown};

#[derive(Debug)]
pub(crate) struct Task {
    /// The key as the result and the self-answer show it.
    key_shown: geojson::Geometry,
    key_shapes: Shapes,
    /// For the edge overlay; `None` if the key could not be prepared (then i_overlay always).
    key_edges: Option<edge_overlay::Key>,
    key_area_plane: f64,
    key_area_m2: f64,
    zero_iou: f64,
    full_iou: f64,
}

/// Parts → rings in the plane to a lon/lat MultiPolygon (rings closed).
pub(crate) fn unproject_parts(parts: &[Vec<Vec<Coord>>]) -> MultiPolygon {
    MultiPolygon::new(
        parts
            .iter()
            .map(|rings| {
                let mut it = rings.iter().map(|r| {
                    LineString::from(r.iter().map(|c| from_plane(*c)).collect::<Vec<_>>())
                });
                let ext = it.next().unwrap_or_else(|| LineString::new(vec![]));
                Polygon::new(ext, it.collect())
            })
            .collect(),
    )
}

/// Geodesic area of a lon/lat MultiPolygon (ring by ring, either winding).
pub(crate) fn geodesic_area(mp: &MultiPolygon) -> f64 {
    mp.iter()
        .map(|p| {
            let rings: Vec<Vec<Coord>> = std::iter::once(p.exterior())
                .chain(p.interiors())
                .map(|r| r.0.clone())
                .collect();
            geodesic::polygon_area(&rings)
        })
        .sum()
}

fn parts_area_plane(parts: &[Vec<Vec<Coord>>]) -> f64 {
    parts.iter().map(|rings| planar::polygon_area(rings)).sum()
}

/// What a grade reports of the overlay of answer and key, whichever overlay made it.
struct Overlaid {
    /// Planar areas (m², EPSG:3006) of the intersection and the answer.
    intersection_plane: f64,
    answer_plane: f64,
    /// Geodesic areas (m²).
    answer_m2: f64,
    missed_m2: f64,
    extra_m2: f64,
    /// key − answer and answer − key in lon/lat.
    missed: MultiPolygon,
    extra: MultiPolygon,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let zero_iou = ctx.grading.f64_opt("zero_iou").unwrap_or(0.3);
        let full_iou = ctx.grading.f64_opt("full_iou").unwrap_or(0.85);
        let mut ok = true;
        if !(0.0..1.0).contains(&zero_iou) {
            ctx.grading
                .error("zero_iou", "must be at least 0 and below 1");
            ok = false;
        }
        if !(full_iou > zero_iou && full_iou <= 1.0) {
            ctx.grading.error(
                "full_iou",
                format!("must be above zero_iou ({zero_iou}) and at most 1"),
            );
            ok = false;
        }
        let key = ctx.key_geometry(POLYGONAL)?;
        let Planar::Polygons(parts) = &key.plane else {
            return None;
        };
        let key_area_m2 = geodesic::measure(&key.lonlat).1;
        ok.then(|| Task {
            key_shapes: to_shapes(parts),
            key_edges: edge_overlay::Key::new(parts, &key.lonlat),
            key_area_plane: parts_area_plane(parts),
            key_shown: shown(&key.lonlat),
            key_area_m2,
            zero_iou,
            full_iou,
        })
    }

    pub(crate) fn grade(&self, answer: &[u8], extent: [f64; 4]) -> Result<Outcome, AnswerError> {
        let g = single_geometry(answer, POLYGONAL, extent)?;
        let Planar::Polygons(parts) = &g.plane else {
            return Ok(Outcome::default());
        };
        let o = self
            .edge_overlay(parts, &g.lonlat, &g.sin_cos_lat)
            .unwrap_or_else(|| self.graph_overlay(parts, &g.lonlat));
        let union = o.answer_plane + self.key_area_plane - o.intersection_plane;
        let iou = if union > 0.0 {
            (o.intersection_plane / union).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let (missed, extra) = (o.missed, o.extra);

        let mut out = Outcome {
            score: ramp_up(iou, self.zero_iou, self.full_iou),
            ..Outcome::default()
        };
        let m = &mut out.metrics;
        m.insert("iou".to_owned(), json!(round_ratio(iou)));
        m.insert("answer_area_m2".to_owned(), json!(round_m2(o.answer_m2)));
        m.insert("key_area_m2".to_owned(), json!(round_m2(self.key_area_m2)));
        m.insert("missed_area_m2".to_owned(), json!(round_m2(o.missed_m2)));
        m.insert("extra_area_m2".to_owned(), json!(round_m2(o.extra_m2)));
        if iou < self.full_iou {
            out.feedback
                .push(builtin("low_overlap", json!({"iou": round_ratio(iou)})));
        }
        out.geometries
            .push((Role::Answer, shown(&g.lonlat), Map::new()));
        out.geometries
            .push((Role::Key, self.key_shown.clone(), Map::new()));
        if !missed.0.is_empty() {
            out.geometries.push((
                Role::Missed,
                shown(&Geometry::MultiPolygon(missed)),
                Map::new(),
            ));
        }
        if !extra.0.is_empty() {
            out.geometries.push((
                Role::Extra,
                shown(&Geometry::MultiPolygon(extra)),
                Map::new(),
            ));
        }
        Ok(out)
    }

    /// The overlay for boundaries in general position; `None` leaves it to [`Self::graph_overlay`].
    fn edge_overlay(
        &self,
        parts: &[Vec<Vec<Coord>>],
        lonlat: &Geometry,
        sin_cos_lat: &[(f64, f64)],
    ) -> Option<Overlaid> {
        let key = self.key_edges.as_ref()?;
        let answer = Prepared::new(parts, lonlat, sin_cos_lat, key.origin())?;
        let m = edge_overlay::overlay(&answer, key)?;
        Some(Overlaid {
            intersection_plane: m.intersection_plane,
            answer_plane: answer.plane_area(),
            answer_m2: answer.area_m2(),
            missed_m2: m.missed_m2,
            extra_m2: m.extra_m2,
            missed: m.missed,
            extra: m.extra,
        })
    }

    /// i_overlay's graph: any input, touching and shared edges included.
    fn graph_overlay(&self, parts: &[Vec<Vec<Coord>>], lonlat: &Geometry) -> Overlaid {
        let ov = overlay(&to_shapes(parts), &self.key_shapes, true);
        let missed = unproject_parts(&from_shapes(&ov.missed));
        let extra = unproject_parts(&from_shapes(&ov.extra));
        Overlaid {
            intersection_plane: shapes_area(&ov.intersection),
            answer_plane: parts_area_plane(parts),
            answer_m2: geodesic::measure(lonlat).1,
            missed_m2: geodesic_area(&missed),
            extra_m2: geodesic_area(&extra),
            missed,
            extra,
        }
    }

    pub(crate) fn question(&self) -> Value {
        json!({"geometry_type": "Polygon"})
    }

    pub(crate) fn self_answer(&self) -> Value {
        json!({"geometry": serde_json::to_value(&self.key_shown).unwrap_or(Value::Null)})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{assert_close, codes, exercise, num, run, self_grade};
    use serde_json::{Value, json};

    fn rect(x0: f64, y0: f64, x1: f64, y1: f64) -> Value {
        json!([[[x0, y0], [x1, y0], [x1, y1], [x0, y1], [x0, y0]]])
    }

    #[test]
    fn golden() {
        let ex = exercise(
            "draw_polygon",
            json!({}),
            Some(json!({"type": "Polygon", "coordinates": rect(18.0, 62.0, 18.2, 62.1)})),
        );
        let perfect = self_grade(&ex);
        assert_eq!((perfect.score, num(&perfect, "iou")), (1.0, 1.0));
        assert_close(num(&perfect, "missed_area_m2"), 0.0, 0.01, "missed");
        // Shifted 0.02° east: shapely IoU 0.818 084 634, geographiclib areas.
        let near = run(
            &ex,
            &json!({"geometry": {"type": "Polygon", "coordinates": rect(18.02, 62.0, 18.22, 62.1)}}),
        );
        assert_close(num(&near, "iou"), 0.818085, 1e-6, "iou");
        assert_close(near.score, 0.941972, 2e-6, "score");
        assert_close(num(&near, "key_area_m2"), 116_600_283.5, 0.01, "key area");
        assert_close(
            num(&near, "answer_area_m2"),
            116_600_283.5,
            0.01,
            "answer area",
        );
        assert_close(
            num(&near, "missed_area_m2"),
            11_666_877.70,
            117.0,
            "missed area",
        );
        assert_close(
            num(&near, "extra_area_m2"),
            11_666_877.99,
            117.0,
            "extra area",
        );
        assert!(near.passed);
        assert_eq!(codes(&near), vec!["low_overlap"]);
        let roles: Vec<String> = near
            .geometries
            .features
            .iter()
            .filter_map(|f| {
                f.properties
                    .as_ref()?
                    .get("role")?
                    .as_str()
                    .map(str::to_owned)
            })
            .collect();
        assert_eq!(roles, vec!["answer", "key", "missed", "extra"]);
        // Disjoint: IoU 0.
        let wrong = run(
            &ex,
            &json!({"geometry": {"type": "Polygon", "coordinates": [[[18.5, 62.5], [18.6, 62.5], [18.6, 62.6], [18.5, 62.5]]]}}),
        );
        assert_eq!((wrong.score, num(&wrong, "iou")), (0.0, 0.0));
        assert_close(
            num(&wrong, "answer_area_m2"),
            28_720_434.81,
            0.01,
            "far area",
        );
        let redacted = near.redacted();
        assert!(
            redacted.metrics.get("missed_area_m2").is_none()
                && redacted.metrics.get("iou").is_some()
        );
        assert_eq!(redacted.geometries.features.len(), 1);
    }

    #[test]
    fn iou_is_symmetric() {
        let a = json!({"type": "Polygon", "coordinates": rect(18.0, 62.0, 18.2, 62.1)});
        let b = json!({"type": "Polygon", "coordinates": rect(18.05, 62.03, 18.3, 62.2)});
        let ab = run(
            &exercise("draw_polygon", json!({}), Some(a.clone())),
            &json!({"geometry": b}),
        );
        let ba = run(
            &exercise("draw_polygon", json!({}), Some(b)),
            &json!({"geometry": a}),
        );
        assert_close(num(&ab, "iou"), num(&ba, "iou"), 1e-9, "symmetry");
        assert_close(
            num(&ab, "missed_area_m2"),
            num(&ba, "extra_area_m2"),
            0.02,
            "missed/extra",
        );
    }
}
