//! `select_features`: pick the right features of a layer. Scored on the Jaccard index of the
//! selection against the key ids.

use std::collections::BTreeSet;

use geo::Geometry;
use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome, builtin};
use crate::grading::answer::{ROOT, object_fields, unique_strings};
use crate::grading::messages::{AnswerError, Problem};
use crate::grading::result::{Role, ramp_up, round_ratio, shown};

#[derive(Debug)]
pub(crate) struct Task {
    layer: String,
    key: BTreeSet<String>,
    /// Every feature of the layer: id → geometry (for unknown-id checks and the result map).
    features: Vec<(String, Geometry)>,
    zero_jaccard: f64,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let layer = ctx.grading.str_req("layer");
        let ids = if ctx.grading.has("ids") {
            ctx.grading.str_list_opt("ids")
        } else {
            ctx.grading
                .error("ids", "required list of feature ids is missing");
            ctx.grading.raw("ids");
            None
        };
        let zero_jaccard = ctx.grading.f64_opt("zero_jaccard").unwrap_or(0.5);
        let mut ok = true;
        if !(0.0..1.0).contains(&zero_jaccard) {
            ctx.grading
                .error("zero_jaccard", "must be at least 0 and below 1");
            ok = false;
        }
        if ctx.key.is_some() {
            ctx.error(
                "key.geojson",
                "select_features takes its key from grading.ids; remove key.geojson",
            );
            ok = false;
        }
        let layer_name = layer?;
        let ids = ids?;
        let l = ctx.layer("grading.layer", &layer_name)?;
        if ids.is_empty() {
            ctx.error("grading.ids", "must name at least one feature");
            ok = false;
        }
        let mut key = BTreeSet::new();
        for (i, id) in ids.iter().enumerate() {
            if l.feature(id).is_none() {
                ctx.error(
                    format!("grading.ids[{i}]"),
                    format!("layer \"{layer_name}\" has no feature \"{id}\""),
                );
                ok = false;
            }
            if !key.insert(id.clone()) {
                ctx.error(
                    format!("grading.ids[{i}]"),
                    format!("\"{id}\" is listed twice"),
                );
                ok = false;
            }
        }
        let features = l
            .features
            .iter()
            .map(|f| (f.id.clone(), f.geometry.clone()))
            .collect();
        ok.then_some(Task {
            layer: layer_name,
            key,
            features,
            zero_jaccard,
        })
    }

    pub(crate) fn grade(&self, answer: &Value) -> Result<Outcome, AnswerError> {
        let [ids] = object_fields(answer, ROOT, ["ids"])?;
        let chosen = unique_strings(ids, &format!("{ROOT}.ids"))?;
        if let Some(id) = chosen
            .iter()
            .find(|id| !self.features.iter().any(|(f, _)| f == *id))
        {
            return Err(AnswerError::new(Problem::UnknownFeatureId {
                id: id.clone(),
            }));
        }
        let chosen: BTreeSet<String> = chosen.into_iter().collect();
        let hit = chosen.intersection(&self.key).count() as f64;
        let union = chosen.union(&self.key).count() as f64;
        let precision = if chosen.is_empty() {
            0.0
        } else {
            hit / chosen.len() as f64
        };
        let recall = hit / self.key.len().max(1) as f64;
        let jaccard = if union > 0.0 { hit / union } else { 0.0 };
        let missing: Vec<&String> = self.key.difference(&chosen).collect();
        let extra: Vec<&String> = chosen.difference(&self.key).collect();

        let mut out = Outcome {
            score: ramp_up(jaccard, self.zero_jaccard, 1.0),
            ..Outcome::default()
        };
        let m = &mut out.metrics;
        m.insert("precision".to_owned(), json!(round_ratio(precision)));
        m.insert("recall".to_owned(), json!(round_ratio(recall)));
        m.insert("jaccard".to_owned(), json!(round_ratio(jaccard)));
        m.insert("missing".to_owned(), json!(missing));
        m.insert("extra".to_owned(), json!(extra));
        if !missing.is_empty() {
            out.feedback.push(builtin(
                "selection_incomplete",
                json!({"count": missing.len()}),
            ));
        }
        if !extra.is_empty() {
            out.feedback
                .push(builtin("selection_extra", json!({"count": extra.len()})));
        }
        for (id, g) in &self.features {
            let role = if chosen.contains(id) {
                Role::Answer
            } else if self.key.contains(id) {
                Role::Key
            } else {
                continue;
            };
            let mut props = Map::new();
            props.insert("id".to_owned(), json!(id));
            out.geometries.push((role, shown(g), props.clone()));
            if role == Role::Answer && self.key.contains(id) {
                out.geometries.push((Role::Key, shown(g), props));
            }
        }
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        json!({"layer": self.layer})
    }

    pub(crate) fn self_answer(&self) -> Value {
        json!({"ids": self.key})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{
        assert_close, codes, exercise, metric, num, run, self_grade, try_exercise,
    };
    use crate::grading::{AnswerErrorCode, grade};
    use serde_json::json;

    fn ex() -> crate::grading::Exercise {
        exercise(
            "select_features",
            json!({"layer": "parishes", "ids": ["a", "b", "c"], "zero_jaccard": 0.25}),
            None,
        )
    }

    #[test]
    fn golden() {
        let ex = ex();
        assert_eq!(self_grade(&ex).score, 1.0);
        // Two of three right, one extra: precision 2/3, recall 2/3, Jaccard 2/4.
        let r = run(&ex, &json!({"ids": ["a", "b", "d"]}));
        assert_close(num(&r, "precision"), 0.666667, 0.0, "precision");
        assert_close(num(&r, "recall"), 0.666667, 0.0, "recall");
        assert_close(num(&r, "jaccard"), 0.5, 0.0, "jaccard");
        assert_close(r.score, 0.333333, 0.0, "score (0.5 − 0.25) / 0.75");
        assert_eq!(metric(&r, "missing"), json!(["c"]));
        assert_eq!(metric(&r, "extra"), json!(["d"]));
        assert_eq!(codes(&r), vec!["selection_incomplete", "selection_extra"]);
        assert!(r.redacted().metrics.get("missing").is_none());
        let wrong = run(&ex, &json!({"ids": ["d", "e"]}));
        assert_eq!((wrong.score, num(&wrong, "jaccard")), (0.0, 0.0));
        let none = run(&ex, &json!({"ids": []}));
        assert_eq!(none.score, 0.0);
    }

    #[test]
    fn unknown_and_repeated_ids() {
        let ex = ex();
        let code =
            |a: serde_json::Value| grade(&ex, a.to_string().as_bytes()).err().map(|e| e.code);
        assert_eq!(
            code(json!({"ids": ["a", "zz"]})),
            Some(AnswerErrorCode::UnknownFeatureId)
        );
        assert_eq!(
            code(json!({"ids": ["a", "a"]})),
            Some(AnswerErrorCode::WrongAnswerShape)
        );
        assert_eq!(
            code(json!({"ids": "a"})),
            Some(AnswerErrorCode::WrongAnswerShape)
        );
        let spec = try_exercise(
            "select_features",
            json!({"layer": "parishes", "ids": ["a", "zz"]}),
            None,
            vec![],
            vec![],
        )
        .err();
        assert!(spec.is_some_and(|e| e.iter().any(|e| e.path == "grading.ids[1]")));
    }
}
