//! `draw_line`: draw a route or boundary. Both lines are densified in the EPSG:3006 plane, then
//! compared by Hausdorff (shape, direction ignored) and discrete Fréchet (order matters); the
//! exercise's `metric` picks which one scores. Lengths shown are geodesic.

use geo::{Coord, Geometry};
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin, distance_band};
use crate::grading::answer::{Planar, geojson_value, single_geometry};
use crate::grading::geodesic;
use crate::grading::geometry::{LINE, LINES};
use crate::grading::messages::{AnswerError, Problem};
use crate::grading::metrics::densify::{densified_len, densify};
use crate::grading::metrics::frechet::{discrete_frechet, frechet_within};
use crate::grading::metrics::hausdorff::hausdorff;
use crate::grading::metrics::segment_index::{SegmentIndex, line_segments};
use crate::grading::result::{Role, ramp_down, round_m, shown};

/// The most vertices a densified line may have.
pub(crate) const MAX_DENSIFIED: usize = 20_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineMetric {
    Hausdorff,
    Frechet,
}

#[derive(Debug)]
pub(crate) struct Task {
    key_geometry: Geometry,
    key_shown: geojson::Geometry,
    /// Densified key parts (one unless the key is a MultiLineString).
    key_parts: Vec<Vec<Coord>>,
    key_vertices: Vec<Coord>,
    key_index: SegmentIndex,
    key_length_m: f64,
    metric: LineMetric,
    densify_m: f64,
    full: f64,
    zero: f64,
}

/// Densified vertices of all parts, refusing more than [`MAX_DENSIFIED`].
pub(crate) fn densify_parts(
    parts: &[Vec<Coord>],
    densify_m: f64,
) -> Result<Vec<Vec<Coord>>, usize> {
    let count: usize = parts
        .iter()
        .map(|p| densified_len(p, densify_m))
        .fold(0usize, usize::saturating_add);
    if count > MAX_DENSIFIED {
        return Err(count);
    }
    Ok(parts.iter().map(|p| densify(p, densify_m)).collect())
}

fn index_of(parts: &[Vec<Coord>]) -> SegmentIndex {
    SegmentIndex::new(parts.iter().flat_map(|p| line_segments(p)).collect())
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let band = distance_band(ctx);
        let metric = match ctx.grading.str_opt("metric").as_deref() {
            None | Some("hausdorff") => Some(LineMetric::Hausdorff),
            Some("frechet") => Some(LineMetric::Frechet),
            Some(other) => {
                ctx.grading.error(
                    "metric",
                    format!("unknown metric \"{other}\" (use \"hausdorff\" or \"frechet\")"),
                );
                None
            }
        };
        let densify_m = ctx.grading.f64_opt("densify_m").unwrap_or(1000.0);
        let densify_ok = densify_m >= 1.0;
        if !densify_ok {
            ctx.grading.error(
                "densify_m",
                format!("must be at least 1 m (is {densify_m})"),
            );
        }
        let key = ctx.key_geometry(LINES)?;
        let parts = match &key.plane {
            Planar::Line(l) => vec![l.clone()],
            Planar::MultiLine(ls) => {
                if metric == Some(LineMetric::Frechet) {
                    ctx.error(
                        "key.geojson",
                        "a MultiLineString key needs metric = \"hausdorff\" (Fréchet needs one line)",
                    );
                    return None;
                }
                ls.clone()
            }
            _ => return None,
        };
        let (full, zero) = band?;
        let metric = metric?;
        if !densify_ok {
            return None;
        }
        let key_parts = match densify_parts(&parts, densify_m) {
            Ok(p) => p,
            Err(n) => {
                ctx.error(
                    "key.geojson",
                    format!("the key densifies to {n} vertices (limit {MAX_DENSIFIED}); raise grading.densify_m"),
                );
                return None;
            }
        };
        let key_length_m = geodesic::measure(&key.lonlat).0;
        Some(Task {
            key_index: index_of(&key_parts),
            key_vertices: key_parts.concat(),
            key_parts,
            key_shown: shown(&key.lonlat),
            key_geometry: key.lonlat,
            key_length_m,
            metric,
            densify_m,
            full,
            zero,
        })
    }

    pub(crate) fn grade(&self, answer: &[u8], extent: [f64; 4]) -> Result<Outcome, AnswerError> {
        // A multi-part key (Hausdorff only) may be answered with several parts too.
        let allowed = if self.multi() { LINES } else { LINE };
        let g = single_geometry(answer, allowed, extent)?;
        let parts = match &g.plane {
            Planar::Line(l) => std::slice::from_ref(l),
            Planar::MultiLine(ls) => ls.as_slice(),
            _ => return Ok(Outcome::default()),
        };
        let dense_parts = densify_parts(parts, self.densify_m).map_err(|count| {
            AnswerError::new(Problem::TooManyVertices {
                count,
                limit: MAX_DENSIFIED,
                densified: true,
            })
        })?;
        let answer_index = index_of(&dense_parts);
        let dense = dense_parts.concat();
        let h = hausdorff(&dense, &answer_index, &self.key_vertices, &self.key_index);
        let f = match (dense_parts.as_slice(), self.key_parts.as_slice()) {
            ([a], [key]) => Some(discrete_frechet(a, key)),
            _ => None,
        };
        let measured = match (self.metric, f) {
            (LineMetric::Frechet, Some(f)) => f,
            _ => h,
        };
        let score = ramp_down(measured, self.full, self.zero);
        let answer_length = geodesic::measure(&g.lonlat).0;

        let mut out = Outcome {
            score,
            ..Outcome::default()
        };
        out.metrics
            .insert("hausdorff_m".to_owned(), json!(round_m(h)));
        if let Some(f) = f {
            out.metrics
                .insert("frechet_m".to_owned(), json!(round_m(f)));
        }
        out.metrics
            .insert("answer_length_m".to_owned(), json!(round_m(answer_length)));
        out.metrics
            .insert("key_length_m".to_owned(), json!(round_m(self.key_length_m)));
        if measured > self.full {
            let metric = match self.metric {
                LineMetric::Hausdorff => "hausdorff",
                LineMetric::Frechet => "frechet",
            };
            out.feedback.push(builtin(
                "line_off",
                json!({"metric": metric, "distance_m": round_m(measured)}),
            ));
            // Right shape, wrong direction: only then is the second Fréchet pass worth it.
            if self.metric == LineMetric::Frechet
                && h <= self.full
                && let [key] = self.key_parts.as_slice()
            {
                let reversed: Vec<Coord> = dense.iter().rev().copied().collect();
                if frechet_within(&reversed, key, self.full) {
                    out.feedback.push(builtin("line_reversed", json!({})));
                }
            }
        }
        out.geometries
            .push((Role::Answer, shown(&g.lonlat), Map::new()));
        out.geometries
            .push((Role::Key, self.key_shown.clone(), Map::new()));
        Ok(out)
    }

    fn multi(&self) -> bool {
        matches!(self.key_geometry, Geometry::MultiLineString(_))
    }

    pub(crate) fn question(&self) -> Value {
        let t = if self.multi() {
            "MultiLineString"
        } else {
            "LineString"
        };
        json!({"geometry_type": t})
    }

    pub(crate) fn self_answer(&self) -> Value {
        json!({"geometry": geojson_value(&self.key_geometry)})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{
        assert_close, codes, exercise, num, run, self_grade, try_exercise,
    };
    use serde_json::json;

    const KEY: [[f64; 2]; 3] = [[15.0, 62.0], [15.1, 62.05], [15.2, 62.0]];

    fn ex(metric: &str) -> crate::grading::Exercise {
        exercise(
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000, "metric": metric}),
            Some(json!({"type": "LineString", "coordinates": KEY})),
        )
    }

    #[test]
    fn golden() {
        let ex = ex("hausdorff");
        let perfect = self_grade(&ex);
        assert_eq!(
            (
                perfect.score,
                num(&perfect, "hausdorff_m"),
                num(&perfect, "frechet_m")
            ),
            (1.0, 0.0, 0.0)
        );
        // 0.004° north; shapely segmentize + vertex-to-line Hausdorff: 445.608 m.
        let near = run(
            &ex,
            &json!({"geometry": {"type": "LineString", "coordinates": [[15.0, 62.004], [15.1, 62.054], [15.2, 62.004]]}}),
        );
        assert_close(num(&near, "hausdorff_m"), 445.608, 1e-9, "hausdorff");
        assert_close(num(&near, "frechet_m"), 445.608, 1e-9, "frechet");
        assert_close(
            num(&near, "answer_length_m"),
            15291.058,
            1e-9,
            "answer length",
        );
        assert_close(num(&near, "key_length_m"), 15291.994, 1e-9, "key length");
        assert_close(near.score, 0.863551, 2e-6, "score");
        assert_eq!(codes(&near), vec!["line_off"]);
        let wrong = run(
            &ex,
            &json!({"geometry": {"type": "LineString", "coordinates": [[16.0, 63.0], [16.1, 63.1]]}}),
        );
        assert_eq!(wrong.score, 0.0);
    }

    #[test]
    fn frechet_sees_direction_hausdorff_does_not() {
        let reversed = json!({"geometry": {"type": "LineString", "coordinates": [[15.2, 62.0], [15.1, 62.05], [15.0, 62.0]]}});
        let h = run(&ex("hausdorff"), &reversed);
        assert_eq!(h.score, 1.0);
        let f = run(&ex("frechet"), &reversed);
        assert_eq!(f.score, 0.0);
        assert!(num(&f, "frechet_m") > 10_000.0);
        assert_eq!(codes(&f), vec!["line_off", "line_reversed"]);
    }

    #[test]
    fn multilinestring_key_needs_hausdorff() {
        let key =
            json!({"type": "MultiLineString", "coordinates": [KEY, [[15.3, 62.0], [15.4, 62.0]]]});
        let errors = try_exercise(
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000, "metric": "frechet"}),
            Some(key.clone()),
            vec![],
            vec![],
        )
        .err();
        assert!(errors.is_some_and(|e| e.iter().any(|e| e.path == "key.geojson")));
        let ex = exercise(
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000}),
            Some(key),
        );
        let r = self_grade(&ex);
        assert_eq!(r.score, 1.0);
        assert!(r.metrics.get("frechet_m").is_none());
    }

    #[test]
    fn densified_limit_refuses_long_lines() {
        let ex = exercise(
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000, "densify_m": 10}),
            Some(json!({"type": "LineString", "coordinates": [[15.0, 62.0], [15.1, 62.0]]})),
        );
        let long = json!({"geometry": {"type": "LineString", "coordinates": [[12.0, 60.0], [20.0, 66.0]]}});
        let e = crate::grading::grade(&ex, long.to_string().as_bytes()).err();
        assert_eq!(e.map(|e| e.code()), Some("too_many_vertices"));
    }
}
