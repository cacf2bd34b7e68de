//! `site`: choose a site or route that meets the author's rules (no single right answer). Each
//! rule is a pass/fail predicate with a weight; the score is the weighted share of rules met.
//! Containment and overlap are decided in the EPSG:3006 plane; every quantity compared with a
//! threshold (distances, areas, lengths) is geodesic.
//!
//! Rule tables (`[[grading.rule]]`): `id`, `kind`, `weight` (1), `message = {sv, en}`, and
//! - `within` / `disjoint`: `layer`, optional `ids`. `within` needs polygon features; its value
//!   is how much of the answer lies outside their union (m for a point's distance, m for a line's
//!   length, m² for a polygon's area) and it passes at 0. `disjoint` against polygons reports how
//!   much lies inside (a point: its depth inside, m); against points or lines, how many features
//!   the answer touches. Touching a polygon's boundary is not overlap.
//! - `min_distance_m` / `max_distance_m`: `layer`, optional `ids`, `distance_m`; value = geodesic
//!   distance to the nearest feature (0 when they meet).
//! - `area_between_m2` (polygon answers) / `length_between_m` (line answers): `min` and/or `max`.
//! - `passes_within_m`: `points = [[lon, lat], …]` or `layer` + `ids` of point features, and
//!   `distance_m`; value = the largest distance from a point to the answer (inside a polygon
//!   answer counts as 0).

use geo::{BooleanOps, Coord, Geometry, LineString, MultiLineString, MultiPolygon, Polygon};
use serde_json::{Map, Value, json};

use super::draw_polygon::{geodesic_area, unproject_parts};
use super::{BuildCtx, Outcome, coords_ok};
use crate::grading::answer::{Planar, single_geometry};
use crate::grading::geodesic;
use crate::grading::geometry::{LINE, POINT, POLYGONAL};
use crate::grading::messages::AnswerError;
use crate::grading::metrics::nearest::Prepared;
use crate::grading::metrics::overlay::{Shapes, from_shapes, overlay, to_shapes, union};
use crate::grading::project::{from_plane, to_plane};
use crate::grading::result::{FeedbackItem, Role, round_m, round_m2, shown};
use crate::grading::spec::{Fields, LocalizedText};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SiteGeometry {
    Point,
    Line,
    Polygon,
}

/// Polygons of a layer selection, merged, ready for containment and overlay.
#[derive(Debug)]
struct Area {
    prepared: Prepared,
    shapes: Shapes,
    plane: MultiPolygon,
}

#[derive(Debug)]
enum Check {
    Within(Area),
    DisjointArea(Area),
    DisjointFeatures(Vec<Prepared>),
    MinDistance(Vec<Prepared>, f64),
    MaxDistance(Vec<Prepared>, f64),
    AreaBetween(f64, f64),
    LengthBetween(f64, f64),
    PassesWithin(Vec<Coord>, f64),
}

#[derive(Debug)]
struct Rule {
    id: String,
    kind: &'static str,
    weight: f64,
    message: LocalizedText,
    check: Check,
}

#[derive(Debug)]
pub(crate) struct Task {
    geometry: SiteGeometry,
    rules: Vec<Rule>,
}

const RULE_KINDS: &[&str] = &[
    "within",
    "disjoint",
    "min_distance_m",
    "max_distance_m",
    "area_between_m2",
    "length_between_m",
    "passes_within_m",
];

/// A layer selection's geometries (lon/lat), checked.
fn selection(f: &mut Fields<'_>, ctx: &mut BuildCtx<'_>) -> Option<Vec<Geometry>> {
    let layer = f.str_req("layer")?;
    let ids = f.str_list_opt("ids");
    let path = f.path_of("layer");
    let l = ctx.layer(&path, &layer)?;
    let features: Vec<&crate::grading::spec::LayerFeature> = match &ids {
        Some(ids) => {
            let mut out = Vec::new();
            for id in ids {
                match l.feature(id) {
                    Some(feat) => out.push(feat),
                    None => f.error("ids", format!("layer \"{layer}\" has no feature \"{id}\"")),
                }
            }
            out
        }
        None => l.features.iter().collect(),
    };
    if features.is_empty() {
        f.error("layer", "the selection has no features");
        return None;
    }
    let mut out = Vec::new();
    for feat in features {
        if !coords_ok(&feat.geometry) {
            f.error(
                "layer",
                format!(
                    "feature \"{}\" has coordinates outside WGS 84 or not finite",
                    feat.id
                ),
            );
            return None;
        }
        out.push(feat.geometry.clone());
    }
    Some(out)
}

fn polygons_of(g: &Geometry) -> Option<Vec<Polygon>> {
    match g {
        Geometry::Polygon(p) => Some(vec![p.clone()]),
        Geometry::MultiPolygon(m) => Some(m.0.clone()),
        _ => None,
    }
}

fn area_of(geoms: &[Geometry]) -> Option<Area> {
    let mut parts: Vec<Vec<Vec<Coord>>> = Vec::new();
    for g in geoms {
        for p in polygons_of(g)? {
            parts.push(
                std::iter::once(p.exterior())
                    .chain(p.interiors())
                    .map(|r| r.0.iter().map(|c| to_plane(*c)).collect())
                    .collect(),
            );
        }
    }
    let shapes = union(&to_shapes(&parts));
    let merged = from_shapes(&shapes);
    let plane = MultiPolygon::new(
        merged
            .iter()
            .map(|rings| {
                let mut it = rings.iter().map(|r| LineString::from(r.clone()));
                let ext = it.next().unwrap_or_else(|| LineString::new(vec![]));
                Polygon::new(ext, it.collect())
            })
            .collect(),
    );
    Some(Area {
        prepared: Prepared::from_planar(merged, &[], &[]),
        shapes,
        plane,
    })
}

fn distance_param(f: &mut Fields<'_>) -> Option<f64> {
    let d = f.f64_req("distance_m")?;
    if d < 0.0 {
        f.error("distance_m", "must not be negative");
        return None;
    }
    Some(d)
}

fn bounds(f: &mut Fields<'_>) -> Option<(f64, f64)> {
    let min = f.f64_opt("min");
    let max = f.f64_opt("max");
    if min.is_none() && max.is_none() {
        f.error("min", "give min, max or both");
        return None;
    }
    let (lo, hi) = (min.unwrap_or(0.0), max.unwrap_or(f64::INFINITY));
    if lo > hi {
        f.error("max", format!("must not be below min ({lo})"));
        return None;
    }
    Some((lo, hi))
}

fn build_rule(
    i: usize,
    v: &Value,
    geometry: Option<SiteGeometry>,
    ctx: &mut BuildCtx<'_>,
) -> Option<Rule> {
    let mut f = Fields::new(format!("grading.rule[{i}]"), v);
    let id = f.str_req("id");
    let kind = f.str_req("kind");
    let weight = f.f64_opt("weight").unwrap_or(1.0);
    if weight <= 0.0 {
        f.error("weight", "must be greater than 0");
    }
    let message = f.text_req("message");
    let kind = kind.and_then(|k| {
        let found = RULE_KINDS.iter().find(|known| **known == k).copied();
        if found.is_none() {
            f.error(
                "kind",
                format!(
                    "unknown rule kind \"{k}\" (one of {})",
                    RULE_KINDS.join(", ")
                ),
            );
        }
        found
    });
    let check = match kind {
        Some("within") => selection(&mut f, ctx).and_then(|g| {
            let a = area_of(&g);
            if a.is_none() {
                f.error("layer", "within needs polygon features");
            }
            a.map(Check::Within)
        }),
        Some("disjoint") => selection(&mut f, ctx).map(|g| match area_of(&g) {
            Some(a) => Check::DisjointArea(a),
            None => Check::DisjointFeatures(g.iter().map(Prepared::from_lonlat).collect()),
        }),
        Some("min_distance_m") => {
            let sel = selection(&mut f, ctx);
            let d = distance_param(&mut f);
            sel.zip(d)
                .map(|(g, d)| Check::MinDistance(g.iter().map(Prepared::from_lonlat).collect(), d))
        }
        Some("max_distance_m") => {
            let sel = selection(&mut f, ctx);
            let d = distance_param(&mut f);
            sel.zip(d)
                .map(|(g, d)| Check::MaxDistance(g.iter().map(Prepared::from_lonlat).collect(), d))
        }
        Some("area_between_m2") => {
            if geometry.is_some_and(|g| g != SiteGeometry::Polygon) {
                f.error(
                    "kind",
                    "area_between_m2 needs grading.geometry = \"polygon\"",
                );
            }
            bounds(&mut f).map(|(a, b)| Check::AreaBetween(a, b))
        }
        Some("length_between_m") => {
            if geometry.is_some_and(|g| g != SiteGeometry::Line) {
                f.error("kind", "length_between_m needs grading.geometry = \"line\"");
            }
            bounds(&mut f).map(|(a, b)| Check::LengthBetween(a, b))
        }
        Some("passes_within_m") => {
            let points = if f.has("points") {
                passes_points(&mut f, ctx.extent)
            } else {
                selection(&mut f, ctx).and_then(|g| {
                    let pts: Option<Vec<Coord>> = g
                        .iter()
                        .map(|g| match g {
                            Geometry::Point(p) => Some(p.0),
                            _ => None,
                        })
                        .collect();
                    if pts.is_none() {
                        f.error(
                            "layer",
                            "passes_within_m needs point features (or points = [[lon, lat], …])",
                        );
                    }
                    pts
                })
            };
            let d = distance_param(&mut f);
            points.zip(d).map(|(p, d)| Check::PassesWithin(p, d))
        }
        _ => None,
    };
    let errors = f.finish();
    let ok = errors.is_empty();
    ctx.errors.extend(errors);
    let rule = Rule {
        id: id?,
        kind: kind?,
        weight,
        message: message?,
        check: check?,
    };
    ok.then_some(rule)
}

fn passes_points(f: &mut Fields<'_>, extent: [f64; 4]) -> Option<Vec<Coord>> {
    let v = f.raw("points")?;
    let parsed: Option<Vec<Coord>> = v.as_array().and_then(|a| {
        a.iter()
            .map(|p| match p.as_array().map(Vec::as_slice) {
                Some([x, y]) => Some(Coord {
                    x: x.as_f64()?,
                    y: y.as_f64()?,
                }),
                _ => None,
            })
            .collect()
    });
    let Some(pts) = parsed.filter(|p| !p.is_empty()) else {
        f.error("points", "expected a non-empty array of [lon, lat] pairs");
        return None;
    };
    if pts
        .iter()
        .any(|c| !crate::grading::geometry::in_extent(*c, extent))
    {
        f.error("points", "a point lies more than 2° outside map.extent");
        return None;
    }
    Some(pts)
}

impl Task {
    pub(crate) fn build(ctx: &mut BuildCtx<'_>) -> Option<Task> {
        let geometry = match ctx.grading.str_req("geometry").as_deref() {
            Some("point") => Some(SiteGeometry::Point),
            Some("line") => Some(SiteGeometry::Line),
            Some("polygon") => Some(SiteGeometry::Polygon),
            Some(other) => {
                ctx.grading.error(
                    "geometry",
                    format!(
                        "unknown geometry \"{other}\" (use \"point\", \"line\" or \"polygon\")"
                    ),
                );
                None
            }
            None => None,
        };
        let rules_value = ctx.grading.raw("rule");
        let mut rules = Vec::new();
        let mut ok = true;
        match rules_value.and_then(Value::as_array) {
            Some(list) if !list.is_empty() => {
                for (i, v) in list.iter().enumerate() {
                    match build_rule(i, v, geometry, ctx) {
                        Some(r) => {
                            if rules.iter().any(|o: &Rule| o.id == r.id) {
                                ctx.error(
                                    format!("grading.rule[{i}].id"),
                                    format!("\"{}\" is used twice", r.id),
                                );
                                ok = false;
                            }
                            rules.push(r);
                        }
                        None => ok = false,
                    }
                }
            }
            _ => {
                ctx.error(
                    "grading.rule",
                    "a site exercise needs at least one [[grading.rule]]",
                );
                ok = false;
            }
        }
        if ctx.key.is_some() {
            ctx.error(
                "key.geojson",
                "site has no key; its [[example]] entries are its self-test",
            );
            ok = false;
        }
        let geometry = geometry?;
        ok.then_some(Task { geometry, rules })
    }

    pub(crate) fn grade(&self, answer: &[u8], extent: [f64; 4]) -> Result<Outcome, AnswerError> {
        let allowed = match self.geometry {
            SiteGeometry::Point => POINT,
            SiteGeometry::Line => LINE,
            SiteGeometry::Polygon => POLYGONAL,
        };
        let g = single_geometry(answer, allowed, extent)?;
        let prepared = match &g.plane {
            Planar::Point(p) => Prepared::from_planar(Vec::new(), &[], &[*p]),
            Planar::Line(l) => Prepared::from_planar(Vec::new(), std::slice::from_ref(l), &[]),
            Planar::MultiLine(ls) => Prepared::from_planar(Vec::new(), ls, &[]),
            Planar::Polygons(parts) => Prepared::from_planar(parts.clone(), &[], &[]),
        };
        let (length, area) = geodesic::measure(&g.lonlat);
        let mut out = Outcome::default();
        let mut results = Vec::new();
        let (mut met, mut total) = (0.0, 0.0);
        for rule in &self.rules {
            let (value, passed) = evaluate(&rule.check, &g.plane, &prepared, length, area);
            total += rule.weight;
            if passed {
                met += rule.weight;
            } else {
                out.feedback.push(FeedbackItem {
                    code: "rule_failed".to_owned(),
                    params: json!({"rule": rule.id, "kind": rule.kind, "value": value})
                        .as_object()
                        .cloned()
                        .unwrap_or_default(),
                    text: Some(rule.message.clone()),
                });
            }
            results.push(json!({"id": rule.id, "passed": passed, "value": value}));
        }
        out.score = if total > 0.0 { met / total } else { 0.0 };
        out.metrics
            .insert("rules".to_owned(), Value::Array(results));
        out.geometries
            .push((Role::Answer, shown(&g.lonlat), Map::new()));
        Ok(out)
    }

    pub(crate) fn question(&self) -> Value {
        let t = match self.geometry {
            SiteGeometry::Point => "Point",
            SiteGeometry::Line => "LineString",
            SiteGeometry::Polygon => "Polygon",
        };
        let rules: Vec<Value> = self
            .rules
            .iter()
            .map(|r| json!({"id": r.id, "kind": r.kind, "message": r.message}))
            .collect();
        json!({"geometry_type": t, "rules": rules})
    }
}

/// Geodesic length of the planar pair (a, b) after unprojecting.
fn geodesic_between(a: Coord, b: Coord) -> f64 {
    if a == b {
        0.0
    } else {
        geodesic::distance(from_plane(a), from_plane(b))
    }
}

fn planar_lines(plane: &Planar) -> MultiLineString {
    match plane {
        Planar::Line(l) => MultiLineString::new(vec![LineString::from(l.clone())]),
        Planar::MultiLine(ls) => {
            MultiLineString::new(ls.iter().map(|l| LineString::from(l.clone())).collect())
        }
        _ => MultiLineString::new(vec![]),
    }
}

fn geodesic_length_of(m: &MultiLineString) -> f64 {
    m.iter()
        .map(|l| geodesic::line_length(&l.0.iter().map(|c| from_plane(*c)).collect::<Vec<_>>()))
        .sum()
}

/// How much of the answer lies outside (`outside`) or inside the area, in the rule's unit.
fn amount(area: &Area, plane: &Planar, outside: bool) -> f64 {
    match plane {
        Planar::Point(p) => {
            if outside {
                area.prepared.nearest_point(*p).0
            } else if area.prepared.contains(*p) {
                area.prepared.boundary_distance(*p)
            } else {
                0.0
            }
        }
        Planar::Line(_) | Planar::MultiLine(_) => {
            geodesic_length_of(&area.plane.clip(&planar_lines(plane), outside))
        }
        Planar::Polygons(parts) => {
            let ov = overlay(&to_shapes(parts), &area.shapes, true);
            let part = if outside { &ov.extra } else { &ov.intersection };
            geodesic_area(&unproject_parts(&from_shapes(part)))
        }
    }
}

fn nearest_distance(features: &[Prepared], answer: &Prepared) -> f64 {
    features
        .iter()
        .filter_map(|f| answer.nearest_pair(f))
        .map(|(_, a, b)| geodesic_between(a, b))
        .fold(f64::INFINITY, f64::min)
}

/// (value, passed) of one rule. Values are rounded as the spec rounds distances and areas.
fn evaluate(
    check: &Check,
    plane: &Planar,
    answer: &Prepared,
    length: f64,
    area: f64,
) -> (f64, bool) {
    let is_area = matches!(plane, Planar::Polygons(_));
    let round = |x: f64| if is_area { round_m2(x) } else { round_m(x) };
    match check {
        Check::Within(a) => {
            let v = round(amount(a, plane, true));
            (v, v == 0.0)
        }
        Check::DisjointArea(a) => {
            let v = round(amount(a, plane, false));
            (v, v == 0.0)
        }
        Check::DisjointFeatures(fs) => {
            let touched = fs
                .iter()
                .filter(|f| answer.nearest_pair(f).is_some_and(|(d, _, _)| d == 0.0))
                .count();
            (touched as f64, touched == 0)
        }
        Check::MinDistance(fs, d) => {
            let v = nearest_distance(fs, answer);
            (round_m(v), v >= *d)
        }
        Check::MaxDistance(fs, d) => {
            let v = nearest_distance(fs, answer);
            (round_m(v), v <= *d)
        }
        Check::AreaBetween(lo, hi) => (round_m2(area), area >= *lo && area <= *hi),
        Check::LengthBetween(lo, hi) => (round_m(length), length >= *lo && length <= *hi),
        Check::PassesWithin(points, d) => {
            let v = points
                .iter()
                .map(|p| {
                    let pp = to_plane(*p);
                    let (dist, q) = answer.nearest_point(pp);
                    if dist == 0.0 {
                        0.0
                    } else {
                        geodesic::distance(*p, from_plane(q))
                    }
                })
                .fold(0.0, f64::max);
            (round_m(v), v <= *d)
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::grading::test_support::{assert_close, exercise, metric, run, try_exercise};
    use serde_json::{Value, json};

    fn ex() -> crate::grading::Exercise {
        exercise(
            "site",
            json!({"geometry": "polygon", "rule": [
                {"id": "in-parish", "kind": "within", "layer": "parishes", "ids": ["a"], "message": {"sv": "Inom socken a.", "en": "Inside parish a."}},
                {"id": "dry", "kind": "disjoint", "layer": "lakes", "message": {"sv": "Inte i sjön."}},
                {"id": "size", "kind": "area_between_m2", "min": 1e6, "max": 2e6, "weight": 2, "message": {"sv": "1–2 km²."}},
                {"id": "far-from-town", "kind": "min_distance_m", "layer": "towns", "ids": ["town"], "distance_m": 20000, "message": {"sv": "20 km från orten."}},
                {"id": "by-road", "kind": "passes_within_m", "points": [[17.02, 60.015]], "distance_m": 100, "message": {"sv": "Vid vägen."}}]}),
            None,
        )
    }

    fn poly(coords: &Value) -> Value {
        json!({"geometry": {"type": "Polygon", "coordinates": coords}})
    }

    fn rule(r: &crate::grading::GradeResult, id: &str) -> Value {
        metric(r, "rules")
            .as_array()
            .and_then(|a| a.iter().find(|x| x["id"] == id).cloned())
            .unwrap_or(Value::Null)
    }

    #[test]
    fn golden() {
        let ex = ex();
        assert!(ex.self_answer().is_none());
        // 1.243 km², 22.171 km from the town, overlaps the lake by 0.155 km² (geographiclib/shapely).
        let r = run(
            &ex,
            &poly(&json!([[
                [17.01, 60.01],
                [17.03, 60.01],
                [17.03, 60.02],
                [17.01, 60.02],
                [17.01, 60.01]
            ]])),
        );
        assert_eq!(rule(&r, "in-parish")["passed"], json!(true));
        assert_eq!(rule(&r, "dry")["passed"], json!(false));
        assert_close(
            rule(&r, "dry")["value"].as_f64().unwrap_or(0.0),
            155_360.34,
            1.0,
            "lake overlap",
        );
        assert_close(
            rule(&r, "size")["value"].as_f64().unwrap_or(0.0),
            1_242_801.09,
            0.01,
            "area",
        );
        assert_close(
            rule(&r, "far-from-town")["value"].as_f64().unwrap_or(0.0),
            22_171.412,
            1e-9,
            "distance",
        );
        assert_eq!(rule(&r, "by-road")["value"], json!(0.0));
        // Weights 1 + 0 + 2 + 1 + 1 of 6.
        assert_close(r.score, 5.0 / 6.0, 1e-6, "score");
        let failed: Vec<&str> = r
            .feedback
            .iter()
            .filter(|f| f.code == "rule_failed")
            .filter_map(|f| f.text.as_ref().map(|t| t.sv.as_str()))
            .collect();
        assert_eq!(failed, vec!["Inte i sjön."]);

        let wrong = run(
            &ex,
            &poly(&json!([[
                [17.15, 60.15],
                [17.2, 60.15],
                [17.2, 60.19],
                [17.15, 60.15]
            ]])),
        );
        assert_eq!(rule(&wrong, "in-parish")["passed"], json!(false));
        assert!(wrong.score < 0.5);
        let q = ex.question();
        assert_eq!(q["rules"].as_array().map(Vec::len), Some(5));
    }

    #[test]
    fn rules_are_validated() {
        let errors = try_exercise(
            "site",
            json!({"geometry": "line", "rule": [
                {"id": "x", "kind": "area_between_m2", "min": 5, "message": {"sv": "a"}},
                {"id": "x", "kind": "fly", "message": {"sv": "a"}},
                {"id": "y", "kind": "within", "layer": "towns", "message": {"sv": "a"}},
                {"id": "z", "kind": "min_distance_m", "layer": "rivers", "distance_m": 5, "message": {"sv": "a"}}]}),
            None, vec![], vec![],
        )
        .err()
        .unwrap_or_default();
        let paths: Vec<&str> = errors.iter().map(|e| e.path.as_str()).collect();
        for p in [
            "grading.rule[0].kind",
            "grading.rule[1].kind",
            "grading.rule[2].layer",
            "grading.rule[3].layer",
        ] {
            assert!(paths.contains(&p), "{p} not in {paths:?}");
        }
    }

    #[test]
    fn point_and_line_sites() {
        let ex = exercise(
            "site",
            json!({"geometry": "point", "rule": [
            {"id": "in", "kind": "within", "layer": "parishes", "message": {"sv": "i"}},
            {"id": "near", "kind": "max_distance_m", "layer": "towns", "distance_m": 5000, "message": {"sv": "n"}}]}),
            None,
        );
        let r = run(
            &ex,
            &json!({"geometry": {"type": "Point", "coordinates": [17.22, 60.09]}}),
        );
        assert_eq!(
            (
                rule(&r, "in")["passed"].clone(),
                rule(&r, "near")["passed"].clone()
            ),
            (json!(true), json!(false))
        );
        assert_eq!(r.score, 0.5);
        let ex = exercise(
            "site",
            json!({"geometry": "line", "rule": [
            {"id": "len", "kind": "length_between_m", "min": 1000, "max": 3000, "message": {"sv": "l"}},
            {"id": "dry", "kind": "disjoint", "layer": "lakes", "message": {"sv": "d"}}]}),
            None,
        );
        let r = run(
            &ex,
            &json!({"geometry": {"type": "LineString", "coordinates": [[17.0, 60.01], [17.05, 60.01]]}}),
        );
        assert_eq!(rule(&r, "len")["passed"], json!(true));
        assert_eq!(rule(&r, "dry")["passed"], json!(false));
        assert!(rule(&r, "dry")["value"].as_f64().unwrap_or(0.0) > 800.0);
    }
}
