//! One module per exercise kind: how its `[grading]` table and key are read, how an answer is
//! graded, what the player is shown to ask the question, and what answer satisfies the key.

pub(crate) mod choice;
pub(crate) mod draw_line;
pub(crate) mod draw_polygon;
pub(crate) mod measure;
pub(crate) mod place_point;
pub(crate) mod place_points;
pub(crate) mod read_coordinates;
pub(crate) mod select_features;
pub(crate) mod site;

use geo::{Coord, Geometry};
use serde_json::{Map, Value};

use super::answer::{Checked, check, parse_json};
use super::geometry::{parse_geometry, single_geometry_value};
use super::messages::AnswerError;
use super::result::{FeedbackItem, Role};
use super::spec::{Fields, Kind, LayerLookup, SpecError};
use super::{Lang, metrics::nearest::Prepared};

/// What building a kind needs: the `[grading]` reader, the key text, the map and the layers.
pub(crate) struct BuildCtx<'a> {
    pub(crate) grading: Fields<'a>,
    pub(crate) key: Option<&'a str>,
    pub(crate) extent: [f64; 4],
    pub(crate) layers: &'a dyn LayerLookup,
    pub(crate) options: &'a [Value],
    pub(crate) errors: Vec<SpecError>,
}

impl<'a> BuildCtx<'a> {
    pub(crate) fn error(&mut self, path: impl Into<String>, message: impl Into<String>) {
        self.errors.push(SpecError::new(path, message));
    }

    /// The parsed key.geojson value, or an error when missing or not JSON.
    pub(crate) fn key_value(&mut self) -> Option<Value> {
        let Some(text) = self.key else {
            self.error("key.geojson", "this kind needs a key.geojson");
            return None;
        };
        match serde_json::from_str::<Value>(text) {
            Ok(v) => Some(v),
            Err(e) => {
                self.error("key.geojson", format!("not valid JSON: {e}"));
                None
            }
        }
    }

    /// The key as one checked geometry of one of `allowed` types.
    pub(crate) fn key_geometry(&mut self, allowed: &'static [&'static str]) -> Option<Checked> {
        let v = self.key_value()?;
        let g = match single_geometry_value(&v) {
            Ok(g) => g,
            Err(m) => {
                self.error("key.geojson", m);
                return None;
            }
        };
        let checked = parse_geometry(g, "key", allowed, false, None)
            .and_then(|raw| check(vec![raw], self.extent, false));
        match checked {
            Ok(mut c) => c.pop(),
            Err(e) => {
                self.key_error(&e);
                None
            }
        }
    }

    pub(crate) fn key_error(&mut self, e: &AnswerError) {
        self.error(
            "key.geojson",
            format!("{} ({})", e.message(Lang::En), e.code()),
        );
    }

    /// A layer by name, or an error at `path`.
    pub(crate) fn layer(&mut self, path: &str, name: &str) -> Option<&'a super::spec::Layer> {
        let layers = self.layers;
        let l = layers.layer(name);
        if l.is_none() {
            self.error(path, format!("unknown layer \"{name}\""));
        }
        l
    }
}

/// Facts a grade exposes to the `[[feedback]]` hooks.
#[derive(Debug, Default)]
pub(crate) struct Facts {
    /// Answer points (lon/lat) for `near_feature`.
    pub(crate) points: Vec<Coord>,
    pub(crate) measure: Option<MeasureFacts>,
    pub(crate) axes_swapped: bool,
    pub(crate) chosen: Vec<String>,
}

#[derive(Debug, Clone, Copy)]
pub(crate) struct MeasureFacts {
    pub(crate) answer: f64,
    /// The key in the exercise's unit.
    pub(crate) key: f64,
    pub(crate) area: bool,
    /// Latitude of the key's centroid (degrees), for the Web Mercator hook.
    pub(crate) key_lat: f64,
    pub(crate) unit: measure::Unit,
    pub(crate) zero_rel: f64,
}

/// What a kind's grading produces before hooks, rounding and assembly.
#[derive(Debug, Default)]
pub(crate) struct Outcome {
    /// Unrounded, in [0, 1].
    pub(crate) score: f64,
    pub(crate) metrics: Map<String, Value>,
    /// The result's feature layer, already in GeoJSON (a key's is built once, at load).
    pub(crate) geometries: Vec<(Role, geojson::Geometry, Map<String, Value>)>,
    pub(crate) feedback: Vec<FeedbackItem>,
    pub(crate) facts: Facts,
}

/// Built-in feedback entry.
pub(crate) fn builtin(code: &str, params: Value) -> FeedbackItem {
    FeedbackItem {
        code: code.to_owned(),
        params: match params {
            Value::Object(m) => m,
            _ => Map::new(),
        },
        text: None,
    }
}

/// A kind's prepared grading data.
#[derive(Debug)]
pub(crate) enum Task {
    PlacePoint(place_point::Task),
    PlacePoints(place_points::Task),
    DrawPolygon(draw_polygon::Task),
    DrawLine(draw_line::Task),
    SelectFeatures(select_features::Task),
    Measure(measure::Task),
    ReadCoordinates(read_coordinates::Task),
    Choice(choice::Task),
    Site(site::Task),
}

impl Task {
    pub(crate) fn build(kind: Kind, ctx: &mut BuildCtx<'_>) -> Option<Task> {
        Some(match kind {
            Kind::PlacePoint => Task::PlacePoint(place_point::Task::build(ctx)?),
            Kind::PlacePoints => Task::PlacePoints(place_points::Task::build(ctx)?),
            Kind::DrawPolygon => Task::DrawPolygon(draw_polygon::Task::build(ctx)?),
            Kind::DrawLine => Task::DrawLine(draw_line::Task::build(ctx)?),
            Kind::SelectFeatures => Task::SelectFeatures(select_features::Task::build(ctx)?),
            Kind::MeasureLength => Task::Measure(measure::Task::build(ctx, false)?),
            Kind::MeasureArea => Task::Measure(measure::Task::build(ctx, true)?),
            Kind::ReadCoordinates => Task::ReadCoordinates(read_coordinates::Task::build(ctx)?),
            Kind::Choice => Task::Choice(choice::Task::build(ctx)?),
            Kind::Site => Task::Site(site::Task::build(ctx)?),
        })
    }

    /// Grades an answer body. The kinds that take one geometry read it from the bytes
    /// themselves (see `answer::single_geometry`); the others get the strictly parsed JSON.
    pub(crate) fn grade(&self, answer: &[u8], extent: [f64; 4]) -> Result<Outcome, AnswerError> {
        let json = || parse_json(answer);
        match self {
            Task::PlacePoint(t) => t.grade(answer, extent),
            Task::PlacePoints(t) => t.grade(&json()?, extent),
            Task::DrawPolygon(t) => t.grade(answer, extent),
            Task::DrawLine(t) => t.grade(answer, extent),
            Task::SelectFeatures(t) => t.grade(&json()?),
            Task::Measure(t) => t.grade(&json()?),
            Task::ReadCoordinates(t) => t.grade(&json()?),
            Task::Choice(t) => t.grade(&json()?),
            Task::Site(t) => t.grade(answer, extent),
        }
    }

    pub(crate) fn question(&self) -> Value {
        match self {
            Task::PlacePoint(t) => t.question(),
            Task::PlacePoints(t) => t.question(),
            Task::DrawPolygon(t) => t.question(),
            Task::DrawLine(t) => t.question(),
            Task::SelectFeatures(t) => t.question(),
            Task::Measure(t) => t.question(),
            Task::ReadCoordinates(t) => t.question(),
            Task::Choice(t) => t.question(),
            Task::Site(t) => t.question(),
        }
    }

    pub(crate) fn self_answer(&self) -> Option<Value> {
        match self {
            Task::PlacePoint(t) => Some(t.self_answer()),
            Task::PlacePoints(t) => Some(t.self_answer()),
            Task::DrawPolygon(t) => Some(t.self_answer()),
            Task::DrawLine(t) => Some(t.self_answer()),
            Task::SelectFeatures(t) => Some(t.self_answer()),
            Task::Measure(t) => Some(t.self_answer()),
            Task::ReadCoordinates(t) => Some(t.self_answer()),
            Task::Choice(t) => Some(t.self_answer()),
            Task::Site(_) => None,
        }
    }

    /// Option ids (choice only), for the `option` hook's validation.
    pub(crate) fn option_ids(&self) -> Vec<String> {
        match self {
            Task::Choice(t) => t.option_ids(),
            _ => Vec::new(),
        }
    }
}

/// Reads `full_within_m` / `zero_beyond_m` (both required).
pub(crate) fn distance_band(ctx: &mut BuildCtx<'_>) -> Option<(f64, f64)> {
    let full = ctx.grading.f64_req("full_within_m");
    let zero = ctx.grading.f64_req("zero_beyond_m");
    super::spec::check_band(
        &mut ctx.grading,
        "full_within_m",
        full,
        "zero_beyond_m",
        zero,
    );
    match (full, zero) {
        (Some(f), Some(z)) if f >= 0.0 && f < z => Some((f, z)),
        _ => None,
    }
}

/// Prepares one layer feature's geometry for distance questions, refusing non-finite or
/// out-of-range coordinates (some geo predicates panic on NaN).
pub(crate) fn prepare_feature(
    ctx: &mut BuildCtx<'_>,
    path: &str,
    layer: &str,
    id: &str,
) -> Option<(Geometry, Prepared)> {
    let l = ctx.layer(path, layer)?;
    let Some(f) = l.feature(id) else {
        ctx.error(path, format!("layer \"{layer}\" has no feature \"{id}\""));
        return None;
    };
    let g = f.geometry.clone();
    if !coords_ok(&g) {
        ctx.error(
            path,
            format!(
                "layer \"{layer}\" feature \"{id}\" has coordinates outside WGS 84 or not finite"
            ),
        );
        return None;
    }
    let p = Prepared::from_lonlat(&g);
    Some((g, p))
}

/// All coordinates finite and within ±180/±90.
pub(crate) fn coords_ok(g: &Geometry) -> bool {
    use geo::CoordsIter;
    g.coords_iter()
        .all(|c| c.x.is_finite() && c.y.is_finite() && c.x.abs() <= 180.0 && c.y.abs() <= 90.0)
}
