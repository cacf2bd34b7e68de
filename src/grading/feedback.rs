//! `[[feedback]]` hooks (targeted hints written by authors) and the texts of the built-in
//! feedback codes. Results store codes and parameters; texts are rendered at read time in the
//! reader's language.

use geo::{Coord, Geometry};
use serde_json::{Map, Value, json};

use super::Lang;
use super::geodesic;
use super::kinds::{BuildCtx, Facts, prepare_feature};
use super::metrics::nearest::Prepared;
use super::project::{from_plane, to_plane};
use super::result::FeedbackItem;
use super::spec::{Fields, Kind, LocalizedText, SpecError};

#[derive(Debug)]
enum Hook {
    NearFeature {
        layer: String,
        id: String,
        within_m: f64,
        geometry: Geometry,
        prepared: Box<Prepared>,
    },
    WebMercator {
        tolerance_rel: f64,
    },
    AxesSwapped,
    WrongUnit,
    ScoreBelow(f64),
    Option(String),
}

/// One `[[feedback]]` entry, validated.
#[derive(Debug)]
pub(crate) struct FeedbackRule {
    when: &'static str,
    hook: Hook,
    message: LocalizedText,
}

const WHENS: &[(&str, &[Kind])] = &[
    ("near_feature", &[Kind::PlacePoint, Kind::PlacePoints]),
    ("web_mercator", &[Kind::MeasureLength, Kind::MeasureArea]),
    ("axes_swapped", &[Kind::ReadCoordinates]),
    ("wrong_unit", &[Kind::MeasureLength, Kind::MeasureArea]),
    ("score_below", &Kind::ALL),
    ("option", &[Kind::Choice]),
];

/// Reads `feedback[i]`; `option_ids` are the exercise's options (for `when = "option"`).
pub(crate) fn build_rule(
    i: usize,
    v: &Value,
    kind: Kind,
    option_ids: &[String],
    ctx: &mut BuildCtx<'_>,
) -> Option<FeedbackRule> {
    let mut f = Fields::new(format!("feedback[{i}]"), v);
    let when = f.str_req("when");
    let message = f.text_req("message");
    let when = when.and_then(|w| {
        let found = WHENS.iter().find(|(name, _)| *name == w);
        match found {
            None => {
                let names: Vec<&str> = WHENS.iter().map(|(n, _)| *n).collect();
                f.error(
                    "when",
                    format!("unknown hook \"{w}\" (one of {})", names.join(", ")),
                );
                None
            }
            Some((name, kinds)) if !kinds.contains(&kind) => {
                f.error(
                    "when",
                    format!("\"{name}\" does not apply to {kind} exercises"),
                );
                None
            }
            Some((name, _)) => Some(*name),
        }
    });
    let hook = match when {
        Some("near_feature") => {
            let layer = f.str_req("layer");
            let id = f.str_req("id");
            let within_m = f.f64_req("within_m");
            if within_m.is_some_and(|w| w < 0.0) {
                f.error("within_m", "must not be negative");
            }
            match (layer, id, within_m) {
                (Some(layer), Some(id), Some(within_m)) => {
                    let path = f.path_of("id");
                    prepare_feature(ctx, &path, &layer, &id).map(|(geometry, prepared)| {
                        Hook::NearFeature {
                            layer,
                            id,
                            within_m,
                            geometry,
                            prepared: Box::new(prepared),
                        }
                    })
                }
                _ => None,
            }
        }
        Some("web_mercator") => {
            let tolerance_rel = f.f64_opt("tolerance_rel").unwrap_or(0.05);
            if !(tolerance_rel > 0.0 && tolerance_rel < 1.0) {
                f.error("tolerance_rel", "must be between 0 and 1");
            }
            Some(Hook::WebMercator { tolerance_rel })
        }
        Some("axes_swapped") => Some(Hook::AxesSwapped),
        Some("wrong_unit") => Some(Hook::WrongUnit),
        Some("score_below") => {
            let s = f.f64_req("score");
            if s.is_some_and(|s| !(s > 0.0 && s <= 1.0)) {
                f.error("score", "must be above 0 and at most 1");
            }
            s.map(Hook::ScoreBelow)
        }
        Some("option") => {
            let id = f.str_req("id");
            if let Some(id) = &id
                && !option_ids.contains(id)
            {
                f.error("id", format!("no [[option]] has id \"{id}\""));
            }
            id.map(Hook::Option)
        }
        _ => None,
    };
    let errors: Vec<SpecError> = f.finish();
    let ok = errors.is_empty();
    ctx.errors.extend(errors);
    let rule = FeedbackRule {
        when: when?,
        hook: hook?,
        message: message?,
    };
    ok.then_some(rule)
}

fn near(a: f64, b: f64, tol: f64) -> bool {
    b != 0.0 && ((a / b) - 1.0).abs() <= tol
}

/// Geodesic distance from an answer point to a feature: 0 inside a polygon, else to the nearest
/// point found in the plane.
fn distance_to_feature(p: Coord, geometry: &Geometry, prepared: &Prepared) -> f64 {
    if let Geometry::Point(q) = geometry {
        return geodesic::distance(p, q.0);
    }
    let (d, q) = prepared.nearest_point(to_plane(p));
    if d == 0.0 {
        0.0
    } else {
        geodesic::distance(p, from_plane(q))
    }
}

impl FeedbackRule {
    /// The feedback item when the hook fires for this grade.
    pub(crate) fn fire(&self, facts: &Facts, rounded_score: f64) -> Option<FeedbackItem> {
        let mut params = Map::new();
        let fired = match &self.hook {
            Hook::NearFeature {
                layer,
                id,
                within_m,
                geometry,
                prepared,
            } => {
                params.insert("layer".to_owned(), json!(layer));
                params.insert("id".to_owned(), json!(id));
                facts
                    .points
                    .iter()
                    .any(|p| distance_to_feature(*p, geometry, prepared) <= *within_m)
            }
            Hook::WebMercator { tolerance_rel } => facts.measure.is_some_and(|m| {
                let c = m.key_lat.to_radians().cos();
                let factor = if m.area { 1.0 / (c * c) } else { 1.0 / c };
                near(m.answer, m.key * factor, *tolerance_rel)
            }),
            Hook::AxesSwapped => facts.axes_swapped,
            Hook::WrongUnit => facts.measure.is_some_and(|m| {
                let hit = m.unit.confusions().iter().find(|&&k| {
                    near(m.answer, m.key * k, m.zero_rel) || near(m.answer, m.key / k, m.zero_rel)
                });
                if let Some(k) = hit {
                    params.insert("factor".to_owned(), json!(k));
                }
                hit.is_some()
            }),
            Hook::ScoreBelow(s) => {
                params.insert("score".to_owned(), json!(s));
                rounded_score < *s
            }
            Hook::Option(id) => {
                params.insert("id".to_owned(), json!(id));
                facts.chosen.contains(id)
            }
        };
        fired.then(|| FeedbackItem {
            code: self.when.to_owned(),
            params,
            text: Some(self.message.clone()),
        })
    }
}

fn num(params: &Map<String, Value>, key: &str) -> String {
    params.get(key).map(Value::to_string).unwrap_or_default()
}

fn text(params: &Map<String, Value>, key: &str) -> String {
    params
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_owned()
}

impl FeedbackItem {
    /// The text to show: the author's message where there is one, else the built-in text of the
    /// code in `lang` (empty for an unknown code).
    pub fn message(&self, lang: Lang) -> String {
        if let Some(t) = &self.text {
            return t.get(lang).to_owned();
        }
        let p = &self.params;
        match (self.code.as_str(), lang) {
            ("too_far", Lang::Sv) => match p.get("label") {
                Some(_) => format!(
                    "\"{}\" ligger {} m från rätt plats.",
                    text(p, "label"),
                    num(p, "distance_m")
                ),
                None => format!("Svaret ligger {} m från rätt plats.", num(p, "distance_m")),
            },
            ("too_far", Lang::En) => match p.get("label") {
                Some(_) => format!(
                    "\"{}\" is {} m from the right place.",
                    text(p, "label"),
                    num(p, "distance_m")
                ),
                None => format!(
                    "Your answer is {} m from the right place.",
                    num(p, "distance_m")
                ),
            },
            ("label_missing", Lang::Sv) => format!("Du placerade inte \"{}\".", text(p, "label")),
            ("label_missing", Lang::En) => format!("You did not place \"{}\".", text(p, "label")),
            ("low_overlap", Lang::Sv) => format!(
                "Ytan överlappar rätt område till {} (IoU); rita gränsen närmare.",
                num(p, "iou")
            ),
            ("low_overlap", Lang::En) => format!(
                "Your area overlaps the right one by {} (IoU); follow the boundary more closely.",
                num(p, "iou")
            ),
            ("line_off", Lang::Sv) => format!(
                "Linjen avviker upp till {} m från rätt sträckning.",
                num(p, "distance_m")
            ),
            ("line_off", Lang::En) => format!(
                "Your line strays up to {} m from the right course.",
                num(p, "distance_m")
            ),
            ("line_reversed", Lang::Sv) => {
                "Linjen har rätt form men är ritad åt fel håll.".to_owned()
            }
            ("line_reversed", Lang::En) => {
                "Your line has the right shape but runs the wrong way.".to_owned()
            }
            ("selection_incomplete", Lang::Sv) => {
                format!("{} objekt saknas i ditt urval.", num(p, "count"))
            }
            ("selection_incomplete", Lang::En) => format!(
                "{} features are missing from your selection.",
                num(p, "count")
            ),
            ("selection_extra", Lang::Sv) => {
                format!("{} valda objekt hör inte till svaret.", num(p, "count"))
            }
            ("selection_extra", Lang::En) => {
                format!("{} selected features do not belong.", num(p, "count"))
            }
            ("measure_off", Lang::Sv) => format!(
                "Mätningen avviker med {} (relativt fel).",
                num(p, "relative_error")
            ),
            ("measure_off", Lang::En) => format!(
                "Your measurement is off by {} (relative error).",
                num(p, "relative_error")
            ),
            ("degrees_not_metres", Lang::Sv) => {
                "Du angav grader; N och E ska anges i meter i det angivna koordinatsystemet."
                    .to_owned()
            }
            ("degrees_not_metres", Lang::En) => {
                "You gave degrees; N and E are metres in the given coordinate system.".to_owned()
            }
            _ => String::new(),
        }
    }
}
