//! Strict JSON reading for answers: serde_json keeps the last of two equal keys and will happily
//! build a value of ten million numbers, so answers are read through a visitor that refuses
//! duplicated keys and stops once the document holds more values than any answer can need.
//! (A well-formed `{"geometry": …}` answer skips this reader: see `fast_geometry`, which hands
//! everything else, and so every error, back to it.)

use std::cell::Cell;
use std::fmt;

use serde::de::{self, DeserializeSeed, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

/// More JSON values than this (numbers, strings, arrays, …) cannot be a sensible answer: 5 000
/// vertices of three numbers plus their arrays stay far below it. Counting while parsing keeps a
/// hostile body from being materialised at all.
pub(crate) const MAX_VALUES: usize = 100_000;

/// Why strict parsing failed.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum JsonProblem {
    /// Not JSON, not UTF-8, a `NaN` token or a number that overflows a double.
    Syntax {
        line: usize,
        column: usize,
        reason: String,
    },
    /// The same key twice in one object.
    DuplicateKey {
        key: String,
        line: usize,
        column: usize,
    },
    /// Nesting deeper than serde_json's limit of 128.
    TooDeep { line: usize, column: usize },
    /// More than [`MAX_VALUES`] values; `numbers` tells whether they were mostly numbers.
    TooManyValues { mostly_numbers: bool },
}

#[derive(Default)]
struct Budget {
    values: Cell<usize>,
    numbers: Cell<usize>,
    duplicate: Cell<bool>,
    duplicate_key: std::cell::RefCell<String>,
    exhausted: Cell<bool>,
}

impl Budget {
    fn take<E: de::Error>(&self, number: bool) -> Result<(), E> {
        let v = self.values.get() + 1;
        self.values.set(v);
        if number {
            self.numbers.set(self.numbers.get() + 1);
        }
        if v > MAX_VALUES {
            self.exhausted.set(true);
            return Err(E::custom("too many values"));
        }
        Ok(())
    }
}

struct Strict<'b>(&'b Budget);

impl<'de> DeserializeSeed<'de> for Strict<'_> {
    type Value = Value;
    fn deserialize<D: de::Deserializer<'de>>(self, d: D) -> Result<Value, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Strict<'_> {
    type Value = Value;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("any JSON value")
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Value, E> {
        self.0.take::<E>(false)?;
        Ok(Value::Bool(v))
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Value, E> {
        self.0.take::<E>(true)?;
        Ok(Value::from(v))
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Value, E> {
        self.0.take::<E>(true)?;
        Ok(Value::from(v))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Value, E> {
        self.0.take::<E>(true)?;
        // serde_json never yields a non-finite f64 from text; from_f64 maps one to null anyway.
        Ok(serde_json::Number::from_f64(v).map_or(Value::Null, Value::Number))
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<Value, E> {
        self.0.take::<E>(false)?;
        Ok(Value::String(v.to_owned()))
    }
    fn visit_string<E: de::Error>(self, v: String) -> Result<Value, E> {
        self.0.take::<E>(false)?;
        Ok(Value::String(v))
    }
    fn visit_unit<E: de::Error>(self) -> Result<Value, E> {
        self.0.take::<E>(false)?;
        Ok(Value::Null)
    }
    fn visit_none<E: de::Error>(self) -> Result<Value, E> {
        self.visit_unit()
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Value, A::Error> {
        self.0.take::<A::Error>(false)?;
        let mut out = Vec::new();
        while let Some(v) = seq.next_element_seed(Strict(self.0))? {
            out.push(v);
        }
        Ok(Value::Array(out))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Value, A::Error> {
        self.0.take::<A::Error>(false)?;
        let mut out = Map::new();
        while let Some(key) = map.next_key::<String>()? {
            if out.contains_key(&key) {
                self.0.duplicate.set(true);
                *self.0.duplicate_key.borrow_mut() = key;
                return Err(de::Error::custom("duplicate key"));
            }
            let v = map.next_value_seed(Strict(self.0))?;
            out.insert(key, v);
        }
        Ok(Value::Object(out))
    }
}

/// Parses `bytes` as one JSON document, refusing duplicated keys and oversized documents.
pub(crate) fn parse_strict(bytes: &[u8]) -> Result<Value, JsonProblem> {
    let budget = Budget::default();
    let mut de = serde_json::Deserializer::from_slice(bytes);
    let parsed = Strict(&budget)
        .deserialize(&mut de)
        .and_then(|v| de.end().map(|()| v));
    parsed.map_err(|e| {
        if budget.exhausted.get() {
            JsonProblem::TooManyValues {
                mostly_numbers: budget.numbers.get() * 2 > budget.values.get(),
            }
        } else if budget.duplicate.get() {
            JsonProblem::DuplicateKey {
                key: budget.duplicate_key.take(),
                line: e.line(),
                column: e.column(),
            }
        } else if e.to_string().starts_with("recursion limit exceeded") {
            JsonProblem::TooDeep {
                line: e.line(),
                column: e.column(),
            }
        } else {
            let text = e.to_string();
            // serde_json appends " at line L column C"; the message gives those separately.
            let reason = text
                .rsplit_once(" at line ")
                .map_or(text.as_str(), |(head, _)| head)
                .to_owned();
            JsonProblem::Syntax {
                line: e.line(),
                column: e.column(),
                reason,
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn duplicate_keys_are_refused_with_position() {
        let r = parse_strict(
            br#"{"geometry": 1,
 "geometry": 2}"#,
        );
        assert!(
            matches!(r, Err(JsonProblem::DuplicateKey { ref key, line: 2, .. }) if key == "geometry"),
            "{r:?}"
        );
        let nested = parse_strict(br#"{"a": {"b": 1, "b": 1}}"#);
        assert!(matches!(nested, Err(JsonProblem::DuplicateKey { .. })));
    }

    #[test]
    fn syntax_errors_have_line_and_column() {
        let r = parse_strict(b"{\"value\": NaN}");
        assert!(
            matches!(
                r,
                Err(JsonProblem::Syntax {
                    line: 1,
                    column: 11,
                    ..
                })
            ),
            "{r:?}"
        );
        let big = parse_strict(b"{\"value\": 1e400}");
        assert!(matches!(big, Err(JsonProblem::Syntax { .. })), "{big:?}");
        let utf = parse_strict(b"{\"a\": \"\xff\"}");
        assert!(matches!(utf, Err(JsonProblem::Syntax { .. })), "{utf:?}");
        let trailing = parse_strict(b"{} {}");
        assert!(matches!(trailing, Err(JsonProblem::Syntax { .. })));
    }

    #[test]
    fn deep_nesting_is_refused() {
        let mut s = "[".repeat(10_000);
        s.push_str(&"]".repeat(10_000));
        assert!(matches!(
            parse_strict(s.as_bytes()),
            Err(JsonProblem::TooDeep { .. })
        ));
    }

    #[test]
    fn huge_documents_stop_early() {
        let mut s = String::from("[");
        for _ in 0..(MAX_VALUES + 10) {
            s.push_str("1,");
        }
        s.push_str("1]");
        assert_eq!(
            parse_strict(s.as_bytes()),
            Err(JsonProblem::TooManyValues {
                mostly_numbers: true
            })
        );
    }

    #[test]
    fn ordinary_documents_parse() {
        let v = parse_strict(br#"{"ids": ["a", "b"], "n": 1.5, "m": -3, "t": true, "z": null}"#);
        assert_eq!(
            v,
            Ok(serde_json::json!({"ids": ["a", "b"], "n": 1.5, "m": -3, "t": true, "z": null}))
        );
    }
}
