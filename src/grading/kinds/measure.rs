//! `measure_length` / `measure_area`: the learner measures a shown geometry and types a number
//! in the exercise's unit. Scored on the relative error against the geodesic value.

use geo::{Centroid, Geometry};
use serde_json::{Map, Value, json};

use super::{BuildCtx, MeasureFacts, Outcome, builtin};
use crate::grading::answer::{ROOT, geojson_value, object_fields, plausible_number};
use crate::grading::geodesic;
use crate::grading::geometry::{LINES, POLYGONAL};
use crate::grading::messages::AnswerError;
use crate::grading::result::{Role, ramp_down, round_ratio, shown};

/// Units a measured value may be asked in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Unit {
    M,
    Km,
    M2,
    Ha,
    Km2,
}

impl Unit {
    fn parse(s: &str, area: bool) -> Option<Unit> {
        match (s, area) {
            ("m", false) => Some(Unit::M),
            ("km", false) => Some(Unit::Km),
            ("m2", true) => Some(Unit::M2),
            ("ha", true) => Some(Unit::Ha),
            ("km2", true) => Some(Unit::Km2),
            _ => None,
        }
    }

    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Unit::M => "m",
            Unit::Km => "km",
            Unit::M2 => "m2",
            Unit::Ha => "ha",
            Unit::Km2 => "km2",
        }
    }

    /// Metres or square metres per unit.
    fn si(self) -> f64 {
        match self {
            Unit::M | Unit::M2 => 1.0,
            Unit::Km => 1e3,
            Unit::Ha => 1e4,
            Unit::Km2 => 1e6,
        }
    }

    /// Rounds a value in this unit to 1 mm or 0.01 m².
    fn round(self, x: f64) -> f64 {
        let step = if matches!(self, Unit::M | Unit::Km) {
            1e-3
        } else {
            1e-2
        } / self.si();
        if !x.is_finite() || x.abs() >= 1e15 {
            return x;
        }
        (x / step).round() * step
    }

    /// Factors by which a value in this unit is off when another unit was used by mistake.
    pub(crate) fn confusions(self) -> &'static [f64] {
        match self {
            Unit::M | Unit::Km => &[1e3],
            Unit::M2 => &[1e4, 1e6],
            Unit::Ha => &[1e2, 1e4],
            Unit::Km2 => &[1e2, 1e6],
        }
    }
}

#[derive(Debug)]
pub(crate) struct Task {
    area: bool,
    unit: Unit,
    key_geometry: Geometry,
    /// The key in `unit`.
    key_value: f64,
    key_lat: f64,
    full_rel: f64,
    zero_rel: f64,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>, area: bool) -> Option<Task> {
        let unit_name = ctx.grading.str_opt("unit");
        let unit = match unit_name.as_deref() {
            None => Some(if area { Unit::M2 } else { Unit::M }),
            Some(u) => {
                let parsed = Unit::parse(u, area);
                if parsed.is_none() {
                    let allowed = if area { "m2, ha or km2" } else { "m or km" };
                    ctx.grading
                        .error("unit", format!("unknown unit \"{u}\" (use {allowed})"));
                }
                parsed
            }
        };
        let full_rel = ctx.grading.f64_opt("full_rel").unwrap_or(0.05);
        let zero_rel = ctx.grading.f64_opt("zero_rel").unwrap_or(0.25);
        let mut ok = true;
        if full_rel < 0.0 {
            ctx.grading.error("full_rel", "must not be negative");
            ok = false;
        }
        if zero_rel <= full_rel {
            ctx.grading.error(
                "zero_rel",
                format!("must be greater than full_rel ({full_rel})"),
            );
            ok = false;
        }
        let key = ctx.key_geometry(if area { POLYGONAL } else { LINES })?;
        let (length, area_m2) = geodesic::measure(&key.lonlat);
        let si = if area { area_m2 } else { length };
        let unit = unit?;
        let key_lat = key.lonlat.centroid().map_or(0.0, |c| c.y());
        if si.is_nan() || si <= 0.0 {
            ctx.error("key.geojson", "the key measures 0");
            return None;
        }
        ok.then_some(Task {
            area,
            unit,
            key_value: si / unit.si(),
            key_geometry: key.lonlat,
            key_lat,
            full_rel,
            zero_rel,
        })
    }

    pub(crate) fn grade(&self, answer: &Value) -> Result<Outcome, AnswerError> {
        let [v] = object_fields(answer, ROOT, ["value"])?;
        let value = plausible_number(v, &format!("{ROOT}.value"), 1e15)?;
        let rel = (value - self.key_value).abs() / self.key_value;
        let mut out = Outcome {
            score: ramp_down(rel, self.full_rel, self.zero_rel),
            ..Outcome::default()
        };
        let m = &mut out.metrics;
        m.insert(
            "key_value".to_owned(),
            json!(self.unit.round(self.key_value)),
        );
        m.insert("answer_value".to_owned(), json!(value));
        m.insert("relative_error".to_owned(), json!(round_ratio(rel)));
        m.insert("unit".to_owned(), json!(self.unit.as_str()));
        if rel > self.full_rel {
            out.feedback.push(builtin(
                "measure_off",
                json!({"relative_error": round_ratio(rel)}),
            ));
        }
        out.geometries
            .push((Role::Key, shown(&self.key_geometry), Map::new()));
        out.facts.measure = Some(MeasureFacts {
            answer: value,
            key: self.key_value,
            area: self.area,
            key_lat: self.key_lat,
            unit: self.unit,
            zero_rel: self.zero_rel,
        });
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        json!({"geometry": geojson_value(&self.key_geometry), "unit": self.unit.as_str()})
    }

    pub(crate) fn self_answer(&self) -> Value {
        json!({"value": self.key_value})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{assert_close, codes, num, run, self_grade, try_exercise};
    use serde_json::json;

    const ROAD: [[f64; 2]; 3] = [[17.6389, 59.8586], [17.65, 59.86], [17.67, 59.865]];
    const FIELD: [[f64; 2]; 5] = [
        [16.36, 56.65],
        [16.38, 56.65],
        [16.38, 56.66],
        [16.36, 56.66],
        [16.36, 56.65],
    ];

    fn ex(
        kind: &str,
        unit: &str,
        key: serde_json::Value,
        feedback: Vec<serde_json::Value>,
    ) -> crate::grading::Exercise {
        try_exercise(kind, json!({"unit": unit}), Some(key), vec![], feedback)
            .unwrap_or_else(|e| panic!("{e:?}"))
    }

    #[test]
    fn golden_length() {
        let ex = ex(
            "measure_length",
            "km",
            json!({"type": "LineString", "coordinates": ROAD}),
            vec![],
        );
        let perfect = self_grade(&ex);
        // geographiclib: 1 892.709 460 m.
        assert_eq!((perfect.score, num(&perfect, "key_value")), (1.0, 1.892709));
        let near = run(&ex, &json!({"value": 2.0}));
        assert_close(
            num(&near, "relative_error"),
            0.056686,
            1e-6,
            "relative error",
        );
        assert_close(near.score, 0.966569, 2e-6, "score");
        assert_eq!(codes(&near), vec!["measure_off"]);
        assert_eq!(run(&ex, &json!({"value": 1.0})).score, 0.0);
    }

    #[test]
    fn golden_area_with_hooks() {
        let hooks = vec![
            json!({"when": "web_mercator", "message": {"sv": "Webbmercator blåser upp ytor."}}),
            json!({"when": "wrong_unit", "message": {"sv": "Kontrollera enheten."}}),
            json!({"when": "score_below", "score": 0.5, "message": {"sv": "Försök igen."}}),
        ];
        let ex = ex(
            "measure_area",
            "ha",
            json!({"type": "Polygon", "coordinates": [FIELD]}),
            hooks,
        );
        let perfect = self_grade(&ex);
        // geographiclib: 1 365 940.589 m² = 136.594 059 ha.
        assert_eq!(
            (perfect.score, num(&perfect, "key_value")),
            (1.0, 136.594059)
        );
        assert!(perfect.feedback.is_empty());
        // × 1/cos²φ at the centroid (φ = 56.655°): 3.309 646 → the Web Mercator area.
        let merc = run(&ex, &json!({"value": 136.594059 * 3.309646}));
        assert_eq!(
            codes(&merc),
            vec!["measure_off", "web_mercator", "score_below"]
        );
        let unit = run(&ex, &json!({"value": 1.366}));
        assert_eq!(
            codes(&unit),
            vec!["measure_off", "wrong_unit", "score_below"]
        );
        assert_eq!(
            unit.feedback.get(1).and_then(|f| f.params.get("factor")),
            Some(&json!(100.0))
        );
    }

    #[test]
    fn units_must_fit_the_kind() {
        let e = try_exercise(
            "measure_length",
            json!({"unit": "ha"}),
            Some(json!({"type": "LineString", "coordinates": ROAD})),
            vec![],
            vec![],
        )
        .err();
        assert!(e.is_some_and(|e| e.iter().any(|e| e.path == "grading.unit")));
    }
}
