//! `read_coordinates`: read a shown point's N and E in SWEREF 99 TM or a local zone. Graded on
//! the planar distance in that CRS; a swapped N/E is recognised and reported.

use geo::{Coord, Geometry, Point};
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin, distance_band};
use crate::grading::answer::{ROOT, geojson_value, object_fields, plausible_number};
use crate::grading::geometry::POINT;
use crate::grading::messages::AnswerError;
use crate::grading::project::Crs;
use crate::grading::result::{Role, ramp_down, round_m, shown};

#[derive(Debug)]
pub(crate) struct Task {
    crs: Crs,
    key: Coord,
    key_e: f64,
    key_n: f64,
    full: f64,
    zero: f64,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let band = distance_band(ctx);
        let crs = match ctx.grading.str_opt("crs") {
            None => Some(Crs::SWEREF99_TM),
            Some(name) => {
                let c = Crs::parse(&name);
                if c.is_none() {
                    ctx.grading.error(
                        "crs",
                        format!("unsupported CRS \"{name}\" (use \"EPSG:3006\" … \"EPSG:3018\")"),
                    );
                }
                c
            }
        };
        let key = ctx.key_geometry(POINT)?;
        let Geometry::Point(p) = key.lonlat else {
            return None;
        };
        let (full, zero) = band?;
        let crs = crs?;
        let en = crs.projection().forward(p.x(), p.y());
        Some(Task {
            crs,
            key: p.0,
            key_e: en.x,
            key_n: en.y,
            full,
            zero,
        })
    }

    pub(crate) fn grade(&self, answer: &Value) -> Result<Outcome, AnswerError> {
        let [n, e] = object_fields(answer, ROOT, ["n", "e"])?;
        let n = plausible_number(n, &format!("{ROOT}.n"), 1e9)?;
        let e = plausible_number(e, &format!("{ROOT}.e"), 1e9)?;
        let distance = (n - self.key_n).hypot(e - self.key_e);
        let swapped = (e - self.key_n).hypot(n - self.key_e);
        let axes_swapped = swapped <= self.full;
        let mut out = Outcome {
            score: ramp_down(distance, self.full, self.zero),
            ..Outcome::default()
        };
        let m = &mut out.metrics;
        m.insert("distance_m".to_owned(), json!(round_m(distance)));
        m.insert("key_n".to_owned(), json!(round_m(self.key_n)));
        m.insert("key_e".to_owned(), json!(round_m(self.key_e)));
        m.insert("axes_swapped".to_owned(), json!(axes_swapped));
        if n.abs() <= 90.0 && e.abs() <= 180.0 {
            out.feedback.push(builtin("degrees_not_metres", json!({})));
        } else if distance > self.full && !axes_swapped {
            out.feedback
                .push(builtin("too_far", json!({"distance_m": round_m(distance)})));
        }
        // The answer as a point on the map, where it can be placed.
        let answer_lonlat = self.crs.projection().inverse(Coord { x: e, y: n });
        if answer_lonlat.x.is_finite()
            && answer_lonlat.y.abs() <= 90.0
            && answer_lonlat.x.abs() <= 180.0
        {
            out.geometries.push((
                Role::Answer,
                shown(&Geometry::Point(Point(answer_lonlat))),
                Map::new(),
            ));
        }
        out.geometries.push((
            Role::Key,
            shown(&Geometry::Point(Point(self.key))),
            Map::new(),
        ));
        out.facts.axes_swapped = axes_swapped;
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        json!({"geometry": geojson_value(&Geometry::Point(Point(self.key))), "crs": self.crs.name()})
    }

    pub(crate) fn self_answer(&self) -> Value {
        json!({"n": self.key_n, "e": self.key_e})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{
        assert_close, codes, exercise, metric, num, run, self_grade, try_exercise,
    };
    use serde_json::json;

    fn ex(crs: Option<&str>) -> crate::grading::Exercise {
        let mut g = json!({"full_within_m": 10, "zero_beyond_m": 100});
        if let (Some(c), Some(m)) = (crs, g.as_object_mut()) {
            m.insert("crs".to_owned(), json!(c));
        }
        exercise(
            "read_coordinates",
            g,
            Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
        )
    }

    #[test]
    fn golden_sweref99_tm() {
        let ex = ex(None);
        // PROJ: N 7 292 404.416 472, E 829 524.212 543.
        let perfect = self_grade(&ex);
        assert_eq!(perfect.score, 1.0);
        assert_eq!(
            (num(&perfect, "key_n"), num(&perfect, "key_e")),
            (7292404.416, 829524.213)
        );
        let near = run(&ex, &json!({"n": 7292404.0, "e": 829574.0}));
        assert_close(num(&near, "distance_m"), 49.789, 1e-9, "distance");
        assert_close(near.score, (100.0 - 49.789_290) / 90.0, 2e-6, "score");
        let swapped = run(&ex, &json!({"n": 829524.0, "e": 7292404.0}));
        assert_eq!(
            (swapped.score, metric(&swapped, "axes_swapped")),
            (0.0, json!(true))
        );
        let degrees = run(&ex, &json!({"n": 65.5848, "e": 22.1567}));
        assert_eq!(codes(&degrees), vec!["degrees_not_metres"]);
        assert!(swapped.redacted().metrics.get("key_n").is_none());
    }

    #[test]
    fn golden_local_zone() {
        let ex = ex(Some("EPSG:3014"));
        // PROJ EPSG:3014: N 7 285 370.142 512, E 376 221.200 882.
        let r = run(&ex, &json!({"n": 7285370.0, "e": 376221.0}));
        assert_close(num(&r, "distance_m"), 0.246, 1e-9, "distance");
        assert_eq!(r.score, 1.0);
        assert!(
            try_exercise(
                "read_coordinates",
                json!({"full_within_m": 10, "zero_beyond_m": 100, "crs": "EPSG:4326"}),
                Some(json!({"type": "Point", "coordinates": [22.1567, 65.5848]})),
                vec![],
                vec![]
            )
            .is_err()
        );
    }
}
