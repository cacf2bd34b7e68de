//! Reading the parts of exercise.toml that grading owns (`[grading]`, `[[feedback]]`,
//! `[[option]]`, key.geojson). Authors get every problem at once, each with a path such as
//! `grading.full_within_m` or `feedback[2].within_m`, so reading goes field by field into a list
//! of errors instead of stopping at serde's first one. Unknown keys are errors everywhere
//! (`deny_unknown_fields`).

use std::collections::{BTreeMap, HashMap};
use std::fmt;
use std::hash::BuildHasher;
use std::sync::Arc;

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

/// A problem in an exercise definition, with the path of what is wrong.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{path}: {message}")]
pub struct SpecError {
    pub path: String,
    pub message: String,
}

impl SpecError {
    pub(crate) fn new(path: impl Into<String>, message: impl Into<String>) -> SpecError {
        SpecError {
            path: path.into(),
            message: message.into(),
        }
    }
}

/// Swedish text with an optional English translation (`{ sv = "…", en = "…" }`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LocalizedText {
    pub sv: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LocalizedText {
    /// The text in `lang`, falling back to Swedish.
    pub fn get(&self, lang: super::Lang) -> &str {
        match (lang, &self.en) {
            (super::Lang::En, Some(en)) => en,
            _ => &self.sv,
        }
    }
}

/// The exercise kinds of spec/grading.md.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    PlacePoint,
    PlacePoints,
    DrawPolygon,
    DrawLine,
    SelectFeatures,
    MeasureLength,
    MeasureArea,
    ReadCoordinates,
    Choice,
    Site,
}

impl Kind {
    pub const ALL: [Kind; 10] = [
        Kind::PlacePoint,
        Kind::PlacePoints,
        Kind::DrawPolygon,
        Kind::DrawLine,
        Kind::SelectFeatures,
        Kind::MeasureLength,
        Kind::MeasureArea,
        Kind::ReadCoordinates,
        Kind::Choice,
        Kind::Site,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Kind::PlacePoint => "place_point",
            Kind::PlacePoints => "place_points",
            Kind::DrawPolygon => "draw_polygon",
            Kind::DrawLine => "draw_line",
            Kind::SelectFeatures => "select_features",
            Kind::MeasureLength => "measure_length",
            Kind::MeasureArea => "measure_area",
            Kind::ReadCoordinates => "read_coordinates",
            Kind::Choice => "choice",
            Kind::Site => "site",
        }
    }

    pub fn parse(s: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

impl fmt::Display for Kind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A map layer as loaded from static/layers/<name>.geojson (WGS 84 lon/lat).
#[derive(Debug, Clone, PartialEq)]
pub struct Layer {
    pub name: String,
    pub features: Vec<LayerFeature>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct LayerFeature {
    pub id: String,
    pub name: String,
    pub geometry: geo::Geometry<f64>,
}

impl Layer {
    pub fn feature(&self, id: &str) -> Option<&LayerFeature> {
        self.features.iter().find(|f| f.id == id)
    }
}

/// Where grading finds layers by name; implemented for the maps a content loader is likely to
/// hold, so it can pass its own.
pub trait LayerLookup {
    fn layer(&self, name: &str) -> Option<&Layer>;
}

impl<S: BuildHasher> LayerLookup for HashMap<String, Arc<Layer>, S> {
    fn layer(&self, name: &str) -> Option<&Layer> {
        self.get(name).map(|l| &**l)
    }
}

impl<S: BuildHasher> LayerLookup for HashMap<String, Layer, S> {
    fn layer(&self, name: &str) -> Option<&Layer> {
        self.get(name)
    }
}

impl LayerLookup for BTreeMap<String, Arc<Layer>> {
    fn layer(&self, name: &str) -> Option<&Layer> {
        self.get(name).map(|l| &**l)
    }
}

impl LayerLookup for BTreeMap<String, Layer> {
    fn layer(&self, name: &str) -> Option<&Layer> {
        self.get(name)
    }
}

impl LayerLookup for [Layer] {
    fn layer(&self, name: &str) -> Option<&Layer> {
        self.iter().find(|l| l.name == name)
    }
}

impl LayerLookup for Vec<Layer> {
    fn layer(&self, name: &str) -> Option<&Layer> {
        self.as_slice().layer(name)
    }
}

/// Reads the fields of one TOML table (as JSON) and records every problem.
pub(crate) struct Fields<'a> {
    path: String,
    map: Option<&'a Map<String, Value>>,
    used: Vec<&'static str>,
    pub(crate) errors: Vec<SpecError>,
}

fn describe(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "a table",
    }
}

impl<'a> Fields<'a> {
    pub(crate) fn new(path: impl Into<String>, v: &'a Value) -> Fields<'a> {
        let path = path.into();
        let mut errors = Vec::new();
        let map = v.as_object();
        if map.is_none() && !v.is_null() {
            errors.push(SpecError::new(
                &path,
                format!("expected a table, found {}", describe(v)),
            ));
        }
        Fields {
            path,
            map,
            used: Vec::new(),
            errors,
        }
    }

    pub(crate) fn path_of(&self, key: &str) -> String {
        if self.path.is_empty() {
            key.to_owned()
        } else {
            format!("{}.{key}", self.path)
        }
    }

    pub(crate) fn error(&mut self, key: &str, message: impl Into<String>) {
        let path = self.path_of(key);
        self.errors.push(SpecError::new(path, message));
    }

    pub(crate) fn raw(&mut self, key: &'static str) -> Option<&'a Value> {
        self.used.push(key);
        self.map.and_then(|m| m.get(key))
    }

    pub(crate) fn has(&self, key: &str) -> bool {
        self.map.is_some_and(|m| m.contains_key(key))
    }

    fn typed<T>(
        &mut self,
        key: &'static str,
        what: &str,
        get: impl Fn(&Value) -> Option<T>,
    ) -> Option<T> {
        let v = self.raw(key)?;
        let got = get(v);
        if got.is_none() {
            let found = describe(v);
            self.error(key, format!("expected {what}, found {found}"));
        }
        got
    }

    /// A finite number (TOML integers and floats alike).
    pub(crate) fn f64_opt(&mut self, key: &'static str) -> Option<f64> {
        self.typed(key, "a number", |v| v.as_f64().filter(|x| x.is_finite()))
    }

    pub(crate) fn f64_req(&mut self, key: &'static str) -> Option<f64> {
        if !self.has(key) {
            self.error(key, "required number is missing");
        }
        self.f64_opt(key)
    }

    pub(crate) fn bool_opt(&mut self, key: &'static str) -> Option<bool> {
        self.typed(key, "true or false", Value::as_bool)
    }

    pub(crate) fn str_opt(&mut self, key: &'static str) -> Option<String> {
        self.typed(key, "a string", |v| v.as_str().map(str::to_owned))
    }

    pub(crate) fn str_req(&mut self, key: &'static str) -> Option<String> {
        if !self.has(key) {
            self.error(key, "required string is missing");
        }
        self.str_opt(key)
    }

    pub(crate) fn str_list_opt(&mut self, key: &'static str) -> Option<Vec<String>> {
        self.typed(key, "an array of strings", |v| {
            v.as_array()?
                .iter()
                .map(|s| s.as_str().map(str::to_owned))
                .collect()
        })
    }

    pub(crate) fn text_opt(&mut self, key: &'static str) -> Option<LocalizedText> {
        let v = self.raw(key)?;
        match serde_json::from_value::<LocalizedText>(v.clone()) {
            Ok(t) if t.sv.trim().is_empty() => {
                self.error(key, "the Swedish text (sv) must not be empty");
                None
            }
            Ok(t) => Some(t),
            Err(e) => {
                self.error(key, format!("expected {{ sv = \"…\", en = \"…\" }}: {e}"));
                None
            }
        }
    }

    pub(crate) fn text_req(&mut self, key: &'static str) -> Option<LocalizedText> {
        if !self.has(key) {
            self.error(key, "required text { sv = \"…\", en = \"…\" } is missing");
        }
        self.text_opt(key)
    }

    /// Ends reading: every key not asked for is an unknown key.
    pub(crate) fn finish(mut self) -> Vec<SpecError> {
        if let Some(m) = self.map {
            for k in m.keys() {
                if !self.used.contains(&k.as_str()) {
                    let allowed = self.used.join(", ");
                    let path = self.path_of(k);
                    self.errors.push(SpecError::new(
                        path,
                        format!("unknown key (allowed here: {allowed})"),
                    ));
                }
            }
        }
        self.errors
    }
}

/// Checks a "full" threshold below a "zero" threshold, both non-negative.
pub(crate) fn check_band(
    f: &mut Fields<'_>,
    full_key: &str,
    full: Option<f64>,
    zero_key: &str,
    zero: Option<f64>,
) {
    if let Some(x) = full.filter(|x| *x < 0.0) {
        f.error(full_key, format!("must not be negative (is {x})"));
    }
    if let (Some(a), Some(b)) = (full, zero)
        && a >= b
    {
        f.error(
            zero_key,
            format!("must be greater than {full_key} ({b} is not greater than {a})"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn fields_collect_every_problem() {
        let v = json!({"full_within_m": "far", "zero_beyond_m": 10, "colour": "red"});
        let mut f = Fields::new("grading", &v);
        assert_eq!(f.f64_req("full_within_m"), None);
        assert_eq!(f.f64_req("zero_beyond_m"), Some(10.0));
        assert_eq!(f.f64_req("pass"), None);
        let errors = f.finish();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        assert_eq!(
            paths,
            vec!["grading.full_within_m", "grading.pass", "grading.colour"]
        );
    }

    #[test]
    fn kinds_round_trip() {
        for k in Kind::ALL {
            assert_eq!(Kind::parse(k.as_str()), Some(k));
            assert_eq!(serde_json::to_value(k).ok(), Some(json!(k.as_str())));
        }
    }
}
