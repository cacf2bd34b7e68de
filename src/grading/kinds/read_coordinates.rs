//! `read_coordinates`: read a shown point's N and E in SWEREF 99 TM or a local zone. Graded on
//! the planar distance in that CRS; a swapped N/E is recognised and reported.

use geo::{Coord, Geometry, Point};
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin, distance_band};
use crate::grading::answer::{ROOT, geojson_value, object_fields, plausible_number};
use crate::grading::geometry::POINT;
use crate::grading::messages::AnswerError;
use crate::grading::project::Crs;
use crate::grading::result::{Role, ramp_down, round_m};

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
                Geometry::Point(Point(answer_lonlat)),
                Map::new(),
            ));
        }
        out.geometries
            .push((Role::Key, Geometry::Point(Point(self.key)), Map::new()));
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
