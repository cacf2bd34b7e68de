//! `choice`: multiple choice, single or multiple answers. Options come from `[[option]]`.

use std::collections::BTreeSet;

use serde_json::{Map, Value, json};

use super::{BuildCtx, Outcome};
use crate::grading::answer::{ROOT, object_fields, unique_strings};
use crate::grading::messages::{AnswerError, Expected, Problem, shape};
use crate::grading::spec::{Fields, LocalizedText};

#[derive(Debug)]
struct Opt {
    id: String,
    text: LocalizedText,
    correct: bool,
}

#[derive(Debug)]
pub(crate) struct Task {
    options: Vec<Opt>,
    multiple: bool,
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let multiple = ctx.grading.bool_opt("multiple").unwrap_or(false);
        let mut options = Vec::new();
        let mut ok = true;
        for (i, v) in ctx.options.iter().enumerate() {
            let mut f = Fields::new(format!("option[{i}]"), v);
            let id = f.str_req("id");
            let text = f.text_req("text");
            let correct = f.bool_opt("correct").unwrap_or(false);
            let errors = f.finish();
            ok &= errors.is_empty();
            ctx.errors.extend(errors);
            if let (Some(id), Some(text)) = (id, text) {
                if options.iter().any(|o: &Opt| o.id == id) {
                    ctx.error(format!("option[{i}].id"), format!("\"{id}\" is used twice"));
                    ok = false;
                }
                options.push(Opt { id, text, correct });
            } else {
                ok = false;
            }
        }
        let right = options.iter().filter(|o| o.correct).count();
        if options.len() < 2 {
            ctx.error("option", "a choice needs at least two [[option]] entries");
            ok = false;
        }
        if multiple && right == 0 {
            ctx.error("option", "at least one option must have correct = true");
            ok = false;
        }
        if !multiple && right != 1 {
            ctx.error(
                "option",
                format!("exactly one option must have correct = true when grading.multiple is false (found {right})"),
            );
            ok = false;
        }
        if ctx.key.is_some() {
            ctx.error(
                "key.geojson",
                "choice has no spatial key; remove key.geojson",
            );
            ok = false;
        }
        ok.then_some(Task { options, multiple })
    }

    pub(crate) fn option_ids(&self) -> Vec<String> {
        self.options.iter().map(|o| o.id.clone()).collect()
    }

    pub(crate) fn grade(&self, answer: &Value) -> Result<Outcome, AnswerError> {
        let [choices] = object_fields(answer, ROOT, ["choices"])?;
        let path = format!("{ROOT}.choices");
        let chosen = unique_strings(choices, &path)?;
        if let Some(id) = chosen
            .iter()
            .find(|id| !self.options.iter().any(|o| &o.id == *id))
        {
            return Err(AnswerError::new(Problem::UnknownChoice { id: id.clone() }));
        }
        if !self.multiple && chosen.len() != 1 {
            return Err(shape(path, Expected::ExactlyOneChoice(chosen.len())));
        }
        let chosen_set: BTreeSet<&str> = chosen.iter().map(String::as_str).collect();
        let total_right = self.options.iter().filter(|o| o.correct).count();
        let right = self
            .options
            .iter()
            .filter(|o| o.correct && chosen_set.contains(o.id.as_str()))
            .count();
        let wrong = self
            .options
            .iter()
            .filter(|o| !o.correct && chosen_set.contains(o.id.as_str()))
            .count();
        let missed = total_right - right;
        let score = if self.multiple {
            ((right as f64 - wrong as f64) / total_right.max(1) as f64).max(0.0)
        } else if right == 1 {
            1.0
        } else {
            0.0
        };
        let mut verdicts = Map::new();
        for o in &self.options {
            verdicts.insert(
                o.id.clone(),
                json!({"chosen": chosen_set.contains(o.id.as_str()), "correct": o.correct}),
            );
        }
        let mut out = Outcome {
            score,
            ..Outcome::default()
        };
        out.metrics.insert("right".to_owned(), json!(right));
        out.metrics.insert("wrong".to_owned(), json!(wrong));
        out.metrics.insert("missed".to_owned(), json!(missed));
        out.metrics
            .insert("verdicts".to_owned(), Value::Object(verdicts));
        out.facts.chosen = chosen;
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        let options: Vec<Value> = self
            .options
            .iter()
            .map(|o| json!({"id": o.id, "text": o.text}))
            .collect();
        json!({"options": options, "multiple": self.multiple})
    }

    pub(crate) fn self_answer(&self) -> Value {
        let ids: Vec<&str> = self
            .options
            .iter()
            .filter(|o| o.correct)
            .map(|o| o.id.as_str())
            .collect();
        json!({"choices": ids})
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{codes, metric, run, self_grade, try_exercise};
    use crate::grading::{AnswerErrorCode, grade};
    use serde_json::{Value, json};

    fn options(correct: &[bool]) -> Vec<Value> {
        correct
            .iter()
            .enumerate()
            .map(|(i, c)| json!({"id": format!("o{i}"), "text": {"sv": format!("Alternativ {i}"), "en": format!("Option {i}")}, "correct": c}))
            .collect()
    }

    #[test]
    fn golden_single() {
        let ex = try_exercise(
            "choice",
            json!({}),
            None,
            options(&[false, true, false]),
            vec![json!({"when": "option", "id": "o2", "message": {"sv": "Nej, o2 är fel."}})],
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(self_grade(&ex).score, 1.0);
        let wrong = run(&ex, &json!({"choices": ["o2"]}));
        assert_eq!(
            (
                wrong.score,
                metric(&wrong, "wrong"),
                metric(&wrong, "missed")
            ),
            (0.0, json!(1), json!(1))
        );
        assert_eq!(codes(&wrong), vec!["option"]);
        let two = grade(&ex, br#"{"choices": ["o1", "o2"]}"#)
            .err()
            .map(|e| e.code);
        assert_eq!(two, Some(AnswerErrorCode::WrongAnswerShape));
        let unknown = grade(&ex, br#"{"choices": ["o9"]}"#).err().map(|e| e.code);
        assert_eq!(unknown, Some(AnswerErrorCode::UnknownChoice));
        let q = ex.question();
        assert!(!q.to_string().contains("correct"), "{q}");
    }

    #[test]
    fn golden_multiple() {
        let ex = try_exercise(
            "choice",
            json!({"multiple": true}),
            None,
            options(&[true, true, false, true]),
            vec![],
        )
        .unwrap_or_else(|e| panic!("{e:?}"));
        assert_eq!(self_grade(&ex).score, 1.0);
        // (2 right − 1 wrong) / 3 right.
        let r = run(&ex, &json!({"choices": ["o0", "o1", "o2"]}));
        assert_eq!(r.score, 0.333333);
        assert_eq!(
            (
                metric(&r, "right"),
                metric(&r, "wrong"),
                metric(&r, "missed")
            ),
            (json!(2), json!(1), json!(1))
        );
        assert!(r.redacted().metrics.get("verdicts").is_none());
        assert_eq!(run(&ex, &json!({"choices": ["o2"]})).score, 0.0);
        assert_eq!(run(&ex, &json!({"choices": []})).score, 0.0);
    }

    #[test]
    fn options_are_validated() {
        let e = try_exercise("choice", json!({}), None, options(&[true, true]), vec![]).err();
        assert!(e.is_some_and(|e| e.iter().any(|e| e.path == "option")));
        let bad = vec![
            json!({"id": "a", "text": {"sv": "A"}, "right": true}),
            json!({"id": "a", "text": {"sv": "B"}, "correct": true}),
        ];
        let e = try_exercise("choice", json!({}), None, bad, vec![])
            .err()
            .unwrap_or_default();
        let paths: Vec<&str> = e.iter().map(|e| e.path.as_str()).collect();
        assert!(
            paths.contains(&"option[0].right") && paths.contains(&"option[1].id"),
            "{paths:?}"
        );
    }
}
