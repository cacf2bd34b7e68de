//! Reading an answer body into checked geometry: the answer object's fields, then the GeoJSON
//! checks of `geometry.rs`, projection to EPSG:3006 and validity. Keys go through the same steps
//! (without the vertex limit) so that an invalid key is an authoring error, not a bad grade.

use geo::{Coord, Geometry};
use serde_json::Value;

use super::fast_geometry;
use super::geometry::{MAX_VERTICES, Raw, RawGeometry, check_coordinates};
use super::json::{self, JsonProblem};
use super::messages::{AnswerError, Expected, Place, Problem, shape};
use super::project::{to_plane, to_plane_sin_cos};
use super::result::shown;
use super::validate::{validate_line, validate_polygonal};

/// Root name used in answer paths ("answer.geometry.coordinates[0]").
pub(crate) const ROOT: &str = "answer";

/// The answer object's fields, exactly `names` (all required, no others), in that order.
pub(crate) fn object_fields<'a, const N: usize>(
    v: &'a Value,
    path: &str,
    names: [&'static str; N],
) -> Result<[&'a Value; N], AnswerError> {
    let Some(obj) = v.as_object() else {
        return Err(shape(path, Expected::Object));
    };
    if let Some(k) = obj.keys().find(|k| !names.contains(&k.as_str())) {
        return Err(shape(format!("{path}.{k}"), Expected::NoField(k.clone())));
    }
    let mut out = [&Value::Null; N];
    for (slot, name) in out.iter_mut().zip(names) {
        match obj.get(name) {
            Some(v) => *slot = v,
            None => return Err(shape(path, Expected::Field(name))),
        }
    }
    Ok(out)
}

/// An array of unique strings (`ids`, `choices`).
pub(crate) fn unique_strings(v: &Value, path: &str) -> Result<Vec<String>, AnswerError> {
    let Some(a) = v.as_array() else {
        return Err(shape(path, Expected::Array));
    };
    let mut out: Vec<String> = Vec::with_capacity(a.len());
    for (i, s) in a.iter().enumerate() {
        let Some(s) = s.as_str() else {
            return Err(shape(format!("{path}[{i}]"), Expected::String));
        };
        if out.iter().any(|o| o == s) {
            return Err(shape(
                format!("{path}[{i}]"),
                Expected::UniqueId(s.to_owned()),
            ));
        }
        out.push(s.to_owned());
    }
    Ok(out)
}

/// A plain number (measure value, read_coordinates n/e) within ±`limit`, so that nothing
/// derived from it overflows.
pub(crate) fn plausible_number(v: &Value, path: &str, limit: f64) -> Result<f64, AnswerError> {
    match v.as_f64() {
        Some(x) if x.is_finite() && x.abs() <= limit => Ok(x),
        Some(_) => Err(shape(path, Expected::Plausible(limit))),
        None => Err(shape(path, Expected::Number)),
    }
}

/// Geometry in the EPSG:3006 plane, closing positions kept.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Planar {
    Point(Coord),
    Line(Vec<Coord>),
    MultiLine(Vec<Vec<Coord>>),
    /// Polygon or MultiPolygon: parts → rings.
    Polygons(Vec<Vec<Vec<Coord>>>),
}

/// A checked geometry: as sent (lon/lat, altitude dropped) and projected.
#[derive(Debug, Clone)]
pub(crate) struct Checked {
    pub(crate) lonlat: Geometry,
    pub(crate) plane: Planar,
    /// For a Polygon or MultiPolygon, the sine and cosine of every position's latitude (parts,
    /// rings, positions in order), which the projection computed and the area terms need again;
    /// empty for other types.
    pub(crate) sin_cos_lat: Vec<(f64, f64)>,
}

fn project_line(l: &[Coord]) -> Vec<Coord> {
    l.iter().map(|c| to_plane(*c)).collect()
}

/// Projects rings, appending each position's latitude sine and cosine to `sin_cos_lat`.
fn project_rings(rs: &[Vec<Coord>], sin_cos_lat: &mut Vec<(f64, f64)>) -> Vec<Vec<Coord>> {
    rs.iter()
        .map(|r| {
            r.iter()
                .map(|c| {
                    let (plane, sin_cos) = to_plane_sin_cos(*c);
                    sin_cos_lat.push(sin_cos);
                    plane
                })
                .collect()
        })
        .collect()
}

/// Runs the coordinate checks (with the answer vertex limit when `limit_vertices`), projects and
/// validates.
pub(crate) fn check(
    raws: Vec<RawGeometry>,
    extent: [f64; 4],
    limit_vertices: bool,
) -> Result<Vec<Checked>, AnswerError> {
    check_coordinates(&raws, Some(extent), limit_vertices.then_some(MAX_VERTICES))?;
    let mut out = Vec::with_capacity(raws.len());
    for g in raws {
        let base = Place {
            feature: g.feature,
            ..Place::default()
        };
        let mut sin_cos_lat = Vec::new();
        let plane = match &g.raw {
            Raw::Point(c) => Planar::Point(to_plane(*c)),
            Raw::Line(l) => {
                let pl = project_line(l);
                validate_line(&pl, base)?;
                Planar::Line(pl)
            }
            Raw::MultiLine(ls) => {
                let mut parts = Vec::with_capacity(ls.len());
                for (p, l) in ls.iter().enumerate() {
                    let pl = project_line(l);
                    validate_line(
                        &pl,
                        Place {
                            part: Some(p),
                            ..base
                        },
                    )?;
                    parts.push(pl);
                }
                Planar::MultiLine(parts)
            }
            Raw::Polygon(rs) => {
                sin_cos_lat.reserve_exact(rs.iter().map(Vec::len).sum());
                let parts = vec![project_rings(rs, &mut sin_cos_lat)];
                validate_polygonal(&parts, g.feature, false)?;
                Planar::Polygons(parts)
            }
            Raw::MultiPolygon(ps) => {
                sin_cos_lat.reserve_exact(ps.iter().flatten().map(Vec::len).sum());
                let parts: Vec<_> = ps
                    .iter()
                    .map(|rs| project_rings(rs, &mut sin_cos_lat))
                    .collect();
                validate_polygonal(&parts, g.feature, true)?;
                Planar::Polygons(parts)
            }
        };
        out.push(Checked {
            lonlat: g.raw.into_geo(),
            plane,
            sin_cos_lat,
        });
    }
    Ok(out)
}

/// Reads an answer body strictly (see `json`), as every kind but the single-geometry ones does.
pub(crate) fn parse_json(bytes: &[u8]) -> Result<Value, AnswerError> {
    json::parse_strict(bytes).map_err(|p| {
        AnswerError::new(match p {
            JsonProblem::Syntax {
                line,
                column,
                reason,
            } => Problem::Syntax {
                line,
                column,
                reason,
            },
            JsonProblem::DuplicateKey { key, line, column } => {
                Problem::DuplicateKey { key, line, column }
            }
            JsonProblem::TooDeep { line, column } => Problem::TooDeep { line, column },
            JsonProblem::TooManyValues {
                mostly_numbers: true,
            } => Problem::TooManyValues,
            JsonProblem::TooManyValues {
                mostly_numbers: false,
            } => Problem::Shape {
                path: ROOT.to_owned(),
                expected: Expected::FewerValues,
            },
        })
    })
}

/// Reads the single geometry of an answer body `{"geometry": …}` of one of `allowed` types:
/// straight from the bytes when it is well formed, through the strict reader (and its error
/// messages) otherwise.
pub(crate) fn single_geometry(
    bytes: &[u8],
    allowed: &'static [&'static str],
    extent: [f64; 4],
) -> Result<Checked, AnswerError> {
    let path = format!("{ROOT}.geometry");
    let raw = match fast_geometry::read(bytes, allowed, &path) {
        Some(raw) => raw,
        None => {
            let answer = parse_json(bytes)?;
            let [g] = object_fields(&answer, ROOT, ["geometry"])?;
            super::geometry::parse_geometry(g, &path, allowed, true, None)?
        }
    };
    let mut checked = check(vec![raw], extent, true)?;
    checked
        .pop()
        .ok_or_else(|| shape(ROOT, Expected::Field("geometry")))
}

/// GeoJSON geometry object of a lon/lat geometry (for questions and self-answers).
pub(crate) fn geojson_value(g: &Geometry) -> Value {
    serde_json::to_value(shown(g)).unwrap_or(Value::Null)
}
