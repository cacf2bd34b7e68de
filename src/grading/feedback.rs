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

fn float(params: &Map<String, Value>, key: &str) -> f64 {
    params.get(key).and_then(Value::as_f64).unwrap_or(f64::NAN)
}

/// `x` with `decimals` decimals as the reader's language writes it: "6 330" and "0,46" in
/// Swedish (a no-break space between thousands, so a number never breaks over two lines),
/// "6,330" and "0.46" in English. The params keep the exact JSON numbers for machines; these
/// texts are for people, who were shown "10035.18 m" in a Swedish sentence before.
fn localized(x: f64, decimals: usize, lang: Lang) -> String {
    let (group, point) = match lang {
        Lang::Sv => ('\u{a0}', ','),
        Lang::En => (',', '.'),
    };
    let text = format!("{:.*}", decimals, x.abs());
    let (int, frac) = text.split_once('.').unwrap_or((&text, ""));
    let mut out = String::new();
    if x.is_sign_negative() && text.chars().any(|c| c.is_ascii_digit() && c != '0') {
        out.push('−');
    }
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(group);
        }
        out.push(c);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    out
}

/// A distance in metres for a message: "850 m", "10,0 km", "6 330 km". Whole metres below a
/// kilometre; tenths of a kilometre below 100 km, whole kilometres above (the keys are never
/// finer than that).
fn distance(params: &Map<String, Value>, key: &str, lang: Lang) -> String {
    let m = float(params, key);
    if m < 1000.0 {
        format!("{} m", localized(m.round(), 0, lang))
    } else if m < 100_000.0 {
        format!("{} km", localized(m / 1000.0, 1, lang))
    } else {
        format!("{} km", localized((m / 1000.0).round(), 0, lang))
    }
}

/// A ratio as a whole percentage: "23 %" in Swedish, "23%" in English.
fn percent(params: &Map<String, Value>, key: &str, lang: Lang) -> String {
    let p = localized((float(params, key) * 100.0).round(), 0, lang);
    match lang {
        Lang::Sv => format!("{p}\u{a0}%"),
        Lang::En => format!("{p}%"),
    }
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
                    "\"{}\" ligger {} från rätt plats.",
                    text(p, "label"),
                    distance(p, "distance_m", lang)
                ),
                None => format!(
                    "Svaret ligger {} från rätt plats.",
                    distance(p, "distance_m", lang)
                ),
            },
            ("too_far", Lang::En) => match p.get("label") {
                Some(_) => format!(
                    "\"{}\" is {} from the right place.",
                    text(p, "label"),
                    distance(p, "distance_m", lang)
                ),
                None => format!(
                    "Your answer is {} from the right place.",
                    distance(p, "distance_m", lang)
                ),
            },
            ("label_missing", Lang::Sv) => format!("Du placerade inte \"{}\".", text(p, "label")),
            ("label_missing", Lang::En) => format!("You did not place \"{}\".", text(p, "label")),
            ("low_overlap", Lang::Sv) => format!(
                "Ytan överlappar rätt område till {} (IoU); rita gränsen närmare.",
                localized(float(p, "iou"), 2, lang)
            ),
            ("low_overlap", Lang::En) => format!(
                "Your area overlaps the right one by {} (IoU); follow the boundary more closely.",
                localized(float(p, "iou"), 2, lang)
            ),
            ("line_off", Lang::Sv) => format!(
                "Linjen avviker upp till {} från rätt sträckning.",
                distance(p, "distance_m", lang)
            ),
            ("line_off", Lang::En) => format!(
                "Your line strays up to {} from the right course.",
                distance(p, "distance_m", lang)
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
                percent(p, "relative_error", lang)
            ),
            ("measure_off", Lang::En) => format!(
                "Your measurement is off by {} (relative error).",
                percent(p, "relative_error", lang)
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

#[cfg(test)]
mod tests {
    use super::*;

    use crate::grading::kinds::builtin as item;

    fn both(code: &str, params: Value) -> (String, String) {
        let f = item(code, params);
        (f.message(Lang::Sv), f.message(Lang::En))
    }

    #[test]
    fn numbers_are_written_as_each_language_writes_them() {
        assert_eq!(localized(6330.0, 0, Lang::Sv), "6\u{a0}330");
        assert_eq!(localized(6330.0, 0, Lang::En), "6,330");
        assert_eq!(
            localized(1_234_567.891, 1, Lang::Sv),
            "1\u{a0}234\u{a0}567,9"
        );
        assert_eq!(localized(0.456, 2, Lang::Sv), "0,46");
        assert_eq!(localized(0.456, 2, Lang::En), "0.46");
        assert_eq!(localized(999.0, 0, Lang::En), "999");
        assert_eq!(localized(-12.5, 1, Lang::Sv), "−12,5");
        assert_eq!(
            localized(-0.001, 1, Lang::En),
            "0.0",
            "no minus on a rounded zero"
        );
    }

    #[test]
    fn distances_read_in_metres_or_kilometres() {
        let (sv, en) = both("too_far", json!({"distance_m": 850.4}));
        assert_eq!(sv, "Svaret ligger 850 m från rätt plats.");
        assert_eq!(en, "Your answer is 850 m from the right place.");
        let (sv, en) = both("too_far", json!({"distance_m": 10035.18, "label": "Umeå"}));
        assert_eq!(sv, "\"Umeå\" ligger 10,0 km från rätt plats.");
        assert_eq!(en, "\"Umeå\" is 10.0 km from the right place.");
        // N and E swapped in read_coordinates: thousands of kilometres.
        let (sv, en) = both("too_far", json!({"distance_m": 6_329_727.803}));
        assert_eq!(sv, "Svaret ligger 6\u{a0}330 km från rätt plats.");
        assert_eq!(en, "Your answer is 6,330 km from the right place.");
        let (sv, en) = both(
            "line_off",
            json!({"metric": "hausdorff", "distance_m": 23456.0}),
        );
        assert_eq!(sv, "Linjen avviker upp till 23,5 km från rätt sträckning.");
        assert_eq!(en, "Your line strays up to 23.5 km from the right course.");
    }

    #[test]
    fn ratios_and_counts() {
        let (sv, en) = both("low_overlap", json!({"iou": 0.456789}));
        assert_eq!(
            sv,
            "Ytan överlappar rätt område till 0,46 (IoU); rita gränsen närmare."
        );
        assert!(en.contains("by 0.46 (IoU)"), "{en}");
        let (sv, en) = both("measure_off", json!({"relative_error": 0.234567}));
        assert_eq!(sv, "Mätningen avviker med 23\u{a0}% (relativt fel).");
        assert_eq!(en, "Your measurement is off by 23% (relative error).");
        let (sv, en) = both("selection_incomplete", json!({"count": 2}));
        assert_eq!(sv, "2 objekt saknas i ditt urval.");
        assert_eq!(en, "2 features are missing from your selection.");
    }
}
