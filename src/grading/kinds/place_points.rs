//! `place_points`: place several labelled points. Each key label is graded as `place_point`
//! against its point; the score is the mean over the key's labels (a missing label scores 0).

use std::collections::BTreeMap;

use geo::{Coord, Geometry, Point};
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin, distance_band};
use crate::grading::answer::{Planar, ROOT, check, object_fields};
use crate::grading::geodesic;
use crate::grading::geometry::{POINT, parse_geometry};
use crate::grading::messages::{AnswerError, Expected, shape};
use crate::grading::result::{Role, ramp_down, round_m, round_ratio, shown};

#[derive(Debug)]
pub(crate) struct Task {
    /// Label → key point (lon/lat), in label order.
    labels: BTreeMap<String, Coord>,
    full: f64,
    zero: f64,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let band = distance_band(ctx);
        let v = ctx.key_value()?;
        let Some(features) = v
            .get("features")
            .and_then(Value::as_array)
            .filter(|_| v.get("type").and_then(Value::as_str) == Some("FeatureCollection"))
        else {
            ctx.error(
                "key.geojson",
                "expected a FeatureCollection of labelled Points",
            );
            return None;
        };
        let mut labels = BTreeMap::new();
        let mut raws = Vec::new();
        let mut names = Vec::new();
        for (i, f) in features.iter().enumerate() {
            let path = format!("key.geojson: features[{i}]");
            let Some(label) = f.pointer("/properties/label").and_then(Value::as_str) else {
                ctx.error(path, "every feature needs a string properties.label");
                continue;
            };
            if names.iter().any(|n| n == label) {
                ctx.error(path, format!("label \"{label}\" is used twice"));
                continue;
            }
            names.push(label.to_owned());
            match f
                .get("geometry")
                .ok_or_else(|| shape("geometry", Expected::Field("geometry")))
                .and_then(|g| {
                    parse_geometry(g, &format!("features[{i}].geometry"), POINT, false, Some(i))
                }) {
                Ok(raw) => raws.push((label.to_owned(), raw)),
                Err(e) => ctx.key_error(&e),
            }
        }
        if names.is_empty() {
            ctx.error("key.geojson", "the key has no labelled points");
        }
        let (labels_only, raws): (Vec<String>, Vec<_>) = raws.into_iter().unzip();
        match check(raws, ctx.extent, false) {
            Ok(checked) => {
                for (label, c) in labels_only.into_iter().zip(checked) {
                    if let Geometry::Point(p) = c.lonlat {
                        labels.insert(label, p.0);
                    }
                }
            }
            Err(e) => ctx.key_error(&e),
        }
        let (full, zero) = band?;
        (!labels.is_empty() && labels.len() == names.len()).then_some(Task { labels, full, zero })
    }

    pub(crate) fn grade(&self, answer: &Value, extent: [f64; 4]) -> Result<Outcome, AnswerError> {
        let [fc] = object_fields(answer, ROOT, ["features"])?;
        let fc_path = format!("{ROOT}.features");
        let [t, features] = object_fields(fc, &fc_path, ["type", "features"])?;
        if t.as_str() != Some("FeatureCollection") {
            return Err(shape(
                format!("{fc_path}.type"),
                Expected::FeatureCollection,
            ));
        }
        let Some(features) = features.as_array() else {
            return Err(shape(format!("{fc_path}.features"), Expected::Array));
        };
        let mut labels: Vec<String> = Vec::with_capacity(features.len());
        let mut geoms = Vec::with_capacity(features.len());
        for (i, f) in features.iter().enumerate() {
            let path = format!("{fc_path}.features[{i}]");
            let [ft, props, g] = object_fields(f, &path, ["type", "properties", "geometry"])?;
            if ft.as_str() != Some("Feature") {
                return Err(shape(format!("{path}.type"), Expected::FeatureCollection));
            }
            let [label] = object_fields(props, &format!("{path}.properties"), ["label"])?;
            let Some(label) = label.as_str() else {
                return Err(shape(format!("{path}.properties.label"), Expected::String));
            };
            if !self.labels.contains_key(label) {
                return Err(shape(
                    format!("{path}.properties.label"),
                    Expected::KnownLabel(label.to_owned()),
                ));
            }
            if labels.iter().any(|l| l == label) {
                return Err(shape(
                    format!("{path}.properties.label"),
                    Expected::UniqueLabel(label.to_owned()),
                ));
            }
            labels.push(label.to_owned());
            geoms.push((g, format!("{path}.geometry"), i));
        }
        let mut raws = Vec::with_capacity(geoms.len());
        for (g, path, i) in geoms {
            raws.push(parse_geometry(g, &path, POINT, true, Some(i))?);
        }
        let checked = check(raws, extent, true)?;

        let mut out = Outcome::default();
        let mut per_label = Map::new();
        let mut answered: BTreeMap<&str, (Coord, f64, f64)> = BTreeMap::new();
        for (label, c) in labels.iter().zip(&checked) {
            let (Geometry::Point(p), Planar::Point(_)) = (&c.lonlat, &c.plane) else {
                continue;
            };
            let Some(key) = self.labels.get(label) else {
                continue;
            };
            let d = geodesic::distance(p.0, *key);
            answered.insert(label, (p.0, d, ramp_down(d, self.full, self.zero)));
        }
        let mut total = 0.0;
        for label in self.labels.keys() {
            match answered.get(label.as_str()) {
                Some(&(p, d, s)) => {
                    total += s;
                    per_label.insert(
                        label.clone(),
                        json!({"distance_m": round_m(d), "score": round_ratio(s)}),
                    );
                    if d > self.full {
                        out.feedback.push(builtin(
                            "too_far",
                            json!({"label": label, "distance_m": round_m(d)}),
                        ));
                    }
                    let mut props = Map::new();
                    props.insert("label".to_owned(), json!(label));
                    out.geometries
                        .push((Role::Answer, shown(&Geometry::Point(Point(p))), props));
                    out.facts.points.push(p);
                }
                None => {
                    per_label.insert(label.clone(), json!({"score": 0.0}));
                    out.feedback
                        .push(builtin("label_missing", json!({"label": label})));
                }
            }
        }
        for (label, k) in &self.labels {
            let mut props = Map::new();
            props.insert("label".to_owned(), json!(label));
            out.geometries
                .push((Role::Key, shown(&Geometry::Point(Point(*k))), props));
        }
        out.score = total / self.labels.len().max(1) as f64;
        out.metrics
            .insert("per_label".to_owned(), Value::Object(per_label));
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        json!({"geometry_type": "Point", "labels": self.labels.keys().collect::<Vec<_>>()})
    }

    pub(crate) fn self_answer(&self) -> Value {
        let features: Vec<Value> = self
            .labels
            .iter()
            .map(|(l, c)| {
                json!({"type": "Feature", "properties": {"label": l},
                       "geometry": {"type": "Point", "coordinates": [c.x, c.y]}})
            })
            .collect();
        json!({"features": {"type": "FeatureCollection", "features": features}})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{assert_close, codes, exercise, num, run, self_grade};
    use crate::grading::{AnswerErrorCode, grade};
    use serde_json::{Value, json};

    fn ex() -> crate::grading::Exercise {
        exercise(
            "place_points",
            json!({"full_within_m": 5000, "zero_beyond_m": 50000}),
            Some(json!({"type": "FeatureCollection", "features": [
                {"type": "Feature", "properties": {"label": "lulea"}, "geometry": {"type": "Point", "coordinates": [22.1567, 65.5848]}},
                {"type": "Feature", "properties": {"label": "kiruna"}, "geometry": {"type": "Point", "coordinates": [20.2253, 67.8558]}},
                {"type": "Feature", "properties": {"label": "umea"}, "geometry": {"type": "Point", "coordinates": [20.2630, 63.8258]}}]})),
        )
    }

    fn answer(points: &[(&str, f64, f64)]) -> Value {
        let features: Vec<Value> = points
            .iter()
            .map(|(l, x, y)| json!({"type": "Feature", "properties": {"label": l}, "geometry": {"type": "Point", "coordinates": [x, y]}}))
            .collect();
        json!({"features": {"type": "FeatureCollection", "features": features}})
    }

    #[test]
    fn golden() {
        let ex = ex();
        assert_eq!(self_grade(&ex).score, 1.0);
        // Kiruna 5 845.156 m off (geographiclib), Umeå missing: (1 + 0.981 219 + 0) / 3.
        let r = run(
            &ex,
            &answer(&[("lulea", 22.1567, 65.5848), ("kiruna", 20.3, 67.9)]),
        );
        assert_close(
            num(&r, "per_label.kiruna.distance_m"),
            5845.156,
            1e-9,
            "kiruna",
        );
        assert_close(
            num(&r, "per_label.kiruna.score"),
            0.981219,
            1e-9,
            "kiruna score",
        );
        assert_eq!(num(&r, "per_label.umea.score"), 0.0);
        assert_close(r.score, 0.660406, 1e-9, "score");
        assert!(!r.passed);
        assert_eq!(codes(&r), vec!["too_far", "label_missing"]);
        let wrong = run(
            &ex,
            &answer(&[("lulea", 20.2253, 67.8558), ("kiruna", 22.1567, 65.5848)]),
        );
        assert_eq!(wrong.score, 0.0);
    }

    #[test]
    fn unknown_and_duplicate_labels_are_shape_errors() {
        let ex = ex();
        for a in [
            answer(&[("stockholm", 18.0, 59.3)]),
            answer(&[("lulea", 22.1, 65.5), ("lulea", 22.2, 65.6)]),
            json!({"features": {"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"label": "lulea", "x": 1}, "geometry": {"type": "Point", "coordinates": [22.1, 65.5]}}]}}),
        ] {
            let e = grade(&ex, a.to_string().as_bytes()).err().map(|e| e.code);
            assert_eq!(e, Some(AnswerErrorCode::WrongAnswerShape), "{a}");
        }
    }
}
