//! GeoJSON geometries read from JSON values, checked step by step in the order the spec fixes
//! (shape → type → empty → non-finite → range → vertex count → map extent → validity), so that a
//! learner always gets the most basic problem first and no geometry algorithm ever sees hostile
//! input. Answers and keys share this code; keys are read leniently (unknown members ignored).

use geo::{Coord, Geometry, LineString, MultiLineString, MultiPolygon, Point, Polygon};
use serde_json::Value;

use super::messages::{AnswerError, Expected, Place, Problem, shape};

/// The most vertices an answer may have (a ring's closing position not counted).
pub(crate) const MAX_VERTICES: usize = 5_000;
/// How far (degrees) geometry may stray outside `map.extent` before it is refused.
pub(crate) const EXTENT_MARGIN_DEG: f64 = 2.0;

/// Geometry types the engine reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GeomType {
    Point,
    LineString,
    Polygon,
    MultiLineString,
    MultiPolygon,
}

impl GeomType {
    pub(crate) fn name(self) -> &'static str {
        match self {
            GeomType::Point => "Point",
            GeomType::LineString => "LineString",
            GeomType::Polygon => "Polygon",
            GeomType::MultiLineString => "MultiLineString",
            GeomType::MultiPolygon => "MultiPolygon",
        }
    }

    pub(crate) fn from_name(s: &str) -> Option<GeomType> {
        Some(match s {
            "Point" => GeomType::Point,
            "LineString" => GeomType::LineString,
            "Polygon" => GeomType::Polygon,
            "MultiLineString" => GeomType::MultiLineString,
            "MultiPolygon" => GeomType::MultiPolygon,
            _ => return None,
        })
    }
}

/// Coordinates as sent, before any check beyond structure. Rings keep their closing position.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Raw {
    Point(Coord),
    Line(Vec<Coord>),
    Polygon(Vec<Vec<Coord>>),
    MultiLine(Vec<Vec<Coord>>),
    MultiPolygon(Vec<Vec<Vec<Coord>>>),
}

/// One geometry of an answer (or key), with the index of its feature where there are several.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawGeometry {
    pub(crate) feature: Option<usize>,
    pub(crate) path: String,
    pub(crate) raw: Raw,
}

/// Allowed type lists, named for the messages.
pub(crate) const POINT: &[&str] = &["Point"];
pub(crate) const LINE: &[&str] = &["LineString"];
pub(crate) const LINES: &[&str] = &["LineString", "MultiLineString"];
pub(crate) const POLYGONAL: &[&str] = &["Polygon", "MultiPolygon"];
pub(crate) const ZONE_OR_POINT: &[&str] = &["Point", "Polygon", "MultiPolygon"];

/// Reads a GeoJSON geometry object: checks its members (strictly for answers), its type against
/// `allowed` and the nesting of its coordinates.
pub(crate) fn parse_geometry(
    v: &Value,
    path: &str,
    allowed: &'static [&'static str],
    strict: bool,
    feature: Option<usize>,
) -> Result<RawGeometry, AnswerError> {
    let Some(obj) = v.as_object() else {
        return Err(shape(path, Expected::Object));
    };
    // A type that is not allowed (a Feature, "point", a LineString for a polygon) is the most
    // telling mistake, so it is reported before the members are looked at.
    if let Some(t) = obj.get("type").and_then(Value::as_str)
        && !allowed.contains(&t)
    {
        return Err(wrong_type(path, t, allowed));
    }
    if strict && let Some(k) = obj.keys().find(|k| *k != "type" && *k != "coordinates") {
        return Err(shape(format!("{path}.{k}"), Expected::NoField(k.clone())));
    }
    let Some(t) = obj.get("type") else {
        return Err(shape(path, Expected::Field("type")));
    };
    let Some(t) = t.as_str() else {
        return Err(shape(format!("{path}.type"), Expected::String));
    };
    let Some(coords) = obj.get("coordinates") else {
        return Err(shape(path, Expected::Field("coordinates")));
    };
    let gt = match GeomType::from_name(t) {
        Some(gt) if allowed.contains(&gt.name()) => gt,
        _ => return Err(wrong_type(path, t, allowed)),
    };
    // Paths are formatted only for an error: 5 000 positions must not format 5 000 strings.
    let cpath = || format!("{path}.coordinates");
    let raw = match gt {
        GeomType::Point => Raw::Point(position(coords, &cpath)?),
        GeomType::LineString => Raw::Line(positions(coords, &cpath, "LineString")?),
        GeomType::Polygon => Raw::Polygon(rings(coords, &cpath, "Polygon")?),
        GeomType::MultiLineString => Raw::MultiLine(rings(coords, &cpath, "MultiLineString")?),
        GeomType::MultiPolygon => {
            let Some(parts) = coords.as_array() else {
                return Err(shape(cpath(), Expected::Nesting("MultiPolygon")));
            };
            let mut out = Vec::with_capacity(parts.len());
            for (i, p) in parts.iter().enumerate() {
                out.push(rings(p, &|| format!("{}[{i}]", cpath()), "MultiPolygon")?);
            }
            Raw::MultiPolygon(out)
        }
    };
    Ok(RawGeometry {
        feature,
        path: path.to_owned(),
        raw,
    })
}

fn wrong_type(path: &str, found: &str, allowed: &'static [&'static str]) -> AnswerError {
    AnswerError::new(Problem::GeometryType {
        path: path.to_owned(),
        found: found.to_owned(),
        allowed,
    })
}

/// The JSON path of a value, formatted only if an error names it.
type PathFn<'a> = &'a dyn Fn() -> String;

fn position(v: &Value, path: PathFn<'_>) -> Result<Coord, AnswerError> {
    let Some(a) = v.as_array() else {
        return Err(shape(path(), Expected::Position));
    };
    let num = |i: usize| -> Result<f64, AnswerError> {
        match a.get(i).map(Value::as_f64) {
            Some(Some(x)) => Ok(x),
            _ => Err(shape(format!("{}[{i}]", path()), Expected::Number)),
        }
    };
    match a.len() {
        2 | 3 => {
            let x = num(0)?;
            let y = num(1)?;
            if a.len() == 3 {
                num(2)?;
            }
            Ok(Coord { x, y })
        }
        _ => Err(shape(path(), Expected::Position)),
    }
}

fn positions(v: &Value, path: PathFn<'_>, t: &'static str) -> Result<Vec<Coord>, AnswerError> {
    let Some(a) = v.as_array() else {
        return Err(shape(path(), Expected::Nesting(t)));
    };
    let mut out = Vec::with_capacity(a.len());
    for (i, p) in a.iter().enumerate() {
        out.push(position(p, &|| format!("{}[{i}]", path()))?);
    }
    Ok(out)
}

fn rings(v: &Value, path: PathFn<'_>, t: &'static str) -> Result<Vec<Vec<Coord>>, AnswerError> {
    let Some(a) = v.as_array() else {
        return Err(shape(path(), Expected::Nesting(t)));
    };
    let mut out = Vec::with_capacity(a.len());
    for (i, r) in a.iter().enumerate() {
        out.push(positions(r, &|| format!("{}[{i}]", path()), t)?);
    }
    Ok(out)
}

impl Raw {
    /// Every position with its place, closing positions included.
    pub(crate) fn for_each_position(
        &self,
        feature: Option<usize>,
        f: &mut impl FnMut(Place, Coord) -> Result<(), AnswerError>,
    ) -> Result<(), AnswerError> {
        let base = Place {
            feature,
            ..Place::default()
        };
        match self {
            Raw::Point(c) => f(
                Place {
                    point: true,
                    ..base
                },
                *c,
            ),
            Raw::Line(l) => each_in_line(l, base, f),
            Raw::Polygon(rs) => each_in_rings(rs, base, f),
            Raw::MultiLine(ls) => {
                for (p, l) in ls.iter().enumerate() {
                    each_in_line(
                        l,
                        Place {
                            part: Some(p),
                            ..base
                        },
                        f,
                    )?;
                }
                Ok(())
            }
            Raw::MultiPolygon(ps) => {
                for (p, rs) in ps.iter().enumerate() {
                    each_in_rings(
                        rs,
                        Place {
                            part: Some(p),
                            ..base
                        },
                        f,
                    )?;
                }
                Ok(())
            }
        }
    }

    fn position_count(&self) -> usize {
        match self {
            Raw::Point(_) => 1,
            Raw::Line(l) => l.len(),
            Raw::Polygon(rs) | Raw::MultiLine(rs) => rs.iter().map(Vec::len).sum(),
            Raw::MultiPolygon(ps) => ps.iter().flatten().map(Vec::len).sum(),
        }
    }

    /// Vertices as the limit counts them: a ring's closing position is not counted.
    pub(crate) fn vertex_count(&self) -> usize {
        let ring = |r: &Vec<Coord>| r.len().saturating_sub(1);
        match self {
            Raw::Point(_) => 1,
            Raw::Line(l) => l.len(),
            Raw::MultiLine(ls) => ls.iter().map(Vec::len).sum(),
            Raw::Polygon(rs) => rs.iter().map(ring).sum(),
            Raw::MultiPolygon(ps) => ps.iter().flatten().map(ring).sum(),
        }
    }

    /// The geometry in `geo` types, coordinates as sent (lon/lat).
    pub(crate) fn into_geo(self) -> Geometry {
        let poly = |rs: Vec<Vec<Coord>>| {
            let mut it = rs.into_iter().map(LineString::from);
            let ext = it.next().unwrap_or_else(|| LineString::new(vec![]));
            Polygon::new(ext, it.collect())
        };
        match self {
            Raw::Point(c) => Geometry::Point(Point(c)),
            Raw::Line(l) => Geometry::LineString(LineString::from(l)),
            Raw::MultiLine(ls) => Geometry::MultiLineString(MultiLineString::new(
                ls.into_iter().map(LineString::from).collect(),
            )),
            Raw::Polygon(rs) => Geometry::Polygon(poly(rs)),
            Raw::MultiPolygon(ps) => {
                Geometry::MultiPolygon(MultiPolygon::new(ps.into_iter().map(poly).collect()))
            }
        }
    }
}

fn each_in_line(
    l: &[Coord],
    base: Place,
    f: &mut impl FnMut(Place, Coord) -> Result<(), AnswerError>,
) -> Result<(), AnswerError> {
    for (v, c) in l.iter().enumerate() {
        f(
            Place {
                vertex: Some(v),
                ..base
            },
            *c,
        )?;
    }
    Ok(())
}

fn each_in_rings(
    rs: &[Vec<Coord>],
    base: Place,
    f: &mut impl FnMut(Place, Coord) -> Result<(), AnswerError>,
) -> Result<(), AnswerError> {
    for (r, ring) in rs.iter().enumerate() {
        each_in_line(
            ring,
            Place {
                ring: Some(r),
                ..base
            },
            f,
        )?;
    }
    Ok(())
}

/// Looks like SWEREF 99 TM metres (E, N) sent where degrees belong.
fn looks_like_sweref(c: Coord) -> bool {
    let (e, n) = (c.x, c.y);
    let plausible = |e: f64, n: f64| {
        (100_000.0..=1_000_000.0).contains(&e) && (6_000_000.0..=7_800_000.0).contains(&n)
    };
    plausible(e, n) || plausible(n, e)
}

/// The checks after structure and type, in the spec's order: empty, non-finite, out of range,
/// too many vertices, out of the map extent (when `extent` is given).
pub(crate) fn check_coordinates(
    geoms: &[RawGeometry],
    extent: Option<[f64; 4]>,
    vertex_limit: Option<usize>,
) -> Result<(), AnswerError> {
    for g in geoms {
        if g.raw.position_count() == 0 {
            return Err(AnswerError::new(Problem::Empty {
                path: g.path.clone(),
            }));
        }
    }
    for g in geoms {
        g.raw.for_each_position(g.feature, &mut |at, c| {
            if c.x.is_finite() && c.y.is_finite() {
                Ok(())
            } else {
                Err(AnswerError::new(Problem::NonFinite { at }))
            }
        })?;
    }
    for g in geoms {
        g.raw.for_each_position(g.feature, &mut |at, c| {
            if c.x.abs() <= 180.0 && c.y.abs() <= 90.0 {
                Ok(())
            } else {
                Err(AnswerError::new(Problem::OutOfRange {
                    at,
                    lon: c.x,
                    lat: c.y,
                    looks_like_sweref: looks_like_sweref(c),
                }))
            }
        })?;
    }
    if let Some(limit) = vertex_limit {
        let count: usize = geoms.iter().map(|g| g.raw.vertex_count()).sum();
        if count > limit {
            return Err(AnswerError::new(Problem::TooManyVertices {
                count,
                limit,
                densified: false,
            }));
        }
    }
    if let Some(extent) = extent {
        for g in geoms {
            g.raw.for_each_position(g.feature, &mut |at, c| {
                if in_extent(c, extent) {
                    Ok(())
                } else {
                    Err(AnswerError::new(Problem::OutOfExtent {
                        at,
                        lon: c.x,
                        lat: c.y,
                        extent,
                    }))
                }
            })?;
        }
    }
    Ok(())
}

/// Within [`EXTENT_MARGIN_DEG`] of the map extent.
pub(crate) fn in_extent(c: Coord, extent: [f64; 4]) -> bool {
    let [lon_min, lat_min, lon_max, lat_max] = extent;
    c.x >= lon_min - EXTENT_MARGIN_DEG
        && c.x <= lon_max + EXTENT_MARGIN_DEG
        && c.y >= lat_min - EXTENT_MARGIN_DEG
        && c.y <= lat_max + EXTENT_MARGIN_DEG
}

/// Reads a key file or a layer-like value: a bare geometry, a Feature or a FeatureCollection of
/// exactly one feature. Returns the geometry value.
pub(crate) fn single_geometry_value(v: &Value) -> Result<&Value, String> {
    match v.get("type").and_then(Value::as_str) {
        Some("Feature") => v
            .get("geometry")
            .filter(|g| !g.is_null())
            .ok_or_else(|| "the Feature has no geometry".to_owned()),
        Some("FeatureCollection") => {
            let fs = v
                .get("features")
                .and_then(Value::as_array)
                .ok_or_else(|| "the FeatureCollection has no features array".to_owned())?;
            match fs.as_slice() {
                [one] => single_geometry_value(one),
                _ => Err(format!("expected exactly one feature, found {}", fs.len())),
            }
        }
        Some(_) => Ok(v),
        None => Err("not a GeoJSON object (no \"type\")".to_owned()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn parse(v: &Value, allowed: &'static [&'static str]) -> Result<RawGeometry, AnswerError> {
        parse_geometry(v, "geometry", allowed, true, None)
    }

    #[test]
    fn fourth_number_is_a_shape_error_third_is_ignored() {
        let ok = parse(
            &json!({"type": "Point", "coordinates": [18.0, 59.0, 12.0]}),
            POINT,
        );
        assert_eq!(
            ok.map(|g| g.raw),
            Ok(Raw::Point(Coord { x: 18.0, y: 59.0 }))
        );
        let e = parse(
            &json!({"type": "Point", "coordinates": [18.0, 59.0, 1.0, 2.0]}),
            POINT,
        );
        assert_eq!(e.map_err(|e| e.code()), Err("wrong_answer_shape"));
    }

    #[test]
    fn type_names_are_case_sensitive() {
        let e = parse(
            &json!({"type": "point", "coordinates": [18.0, 59.0]}),
            POINT,
        );
        assert_eq!(
            e.as_ref().map_err(AnswerError::code),
            Err("wrong_geometry_type")
        );
        let feature = parse(&json!({"type": "Feature", "geometry": null}), POINT);
        assert_eq!(feature.map_err(|e| e.code()), Err("wrong_geometry_type"));
    }

    #[test]
    fn unknown_members_are_refused_for_answers_only() {
        let v = json!({"type": "Point", "coordinates": [18.0, 59.0], "bbox": [0, 0, 1, 1]});
        assert_eq!(
            parse(&v, POINT).map_err(|e| e.code()).map(|_| ()),
            Err("wrong_answer_shape")
        );
        assert!(parse_geometry(&v, "key", POINT, false, None).is_ok());
    }

    /// Paths are built lazily, level by level: each index must land where it belongs.
    #[test]
    fn errors_name_the_exact_nested_position() {
        let message = |v: Value| match parse(&v, POLYGONAL) {
            Err(e) => e.message(crate::grading::Lang::En),
            Ok(_) => String::new(),
        };
        let ring = [[0, 0], [1, 0], [1, 1], [0, 0]];
        let en = message(json!({"type": "Polygon", "coordinates": [ring, [[0, 0], [1, 0], "x"]]}));
        assert!(en.contains("geometry.coordinates[1][2]"), "{en}");
        let en = message(json!({"type": "MultiPolygon",
            "coordinates": [[ring], [ring, [[0, 0], [1, 0], [1, "y"]]]]}));
        assert!(en.contains("geometry.coordinates[1][1][2][1]"), "{en}");
    }

    #[test]
    fn vertex_count_skips_closing_positions() {
        let g = parse(
            &json!({"type": "Polygon", "coordinates": [[[0,0],[1,0],[1,1],[0,0]], [[0.2,0.1],[0.3,0.1],[0.3,0.2],[0.2,0.1]]]}),
            POLYGONAL,
        );
        assert_eq!(g.map(|g| g.raw.vertex_count()), Ok(6));
    }

    #[test]
    fn sweref_metres_are_recognised() {
        assert!(looks_like_sweref(Coord {
            x: 674_571.0,
            y: 6_580_743.0
        }));
        assert!(looks_like_sweref(Coord {
            x: 6_580_743.0,
            y: 674_571.0
        }));
        assert!(!looks_like_sweref(Coord { x: 200.0, y: 95.0 }));
    }
}
