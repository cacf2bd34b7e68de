//! A key in words, for people who cannot see the map: what a live reveal says beside it. A line
//! is told by its length and its ends, an area by its size and its centre, measured as grades
//! measure (geodesic lengths and areas, the centre in the EPSG:3006 plane).

use geo::{Centroid, Coord, Geometry, MapCoords};
use serde_json::{Value, json};

use super::geodesic;
use super::project::{from_plane, to_plane};
use super::result::{round_m, round_m2};

/// `{"length_m", "from": [lon, lat], "to": [lon, lat]}` for a line (the first line's start and
/// the last line's end of a multi-line), `{"area_m2", "centre": [lon, lat]}` for an area; `None`
/// for points (their coordinates say it all) and empty geometries.
pub fn describe(geometry: &geojson::Geometry) -> Option<Value> {
    let g = Geometry::<f64>::try_from(geometry.clone()).ok()?;
    let (length_m, area_m2) = geodesic::measure(&g);
    let lonlat = |c: Coord| json!([c.x, c.y]);
    match &g {
        Geometry::LineString(l) => Some(json!({
            "length_m": round_m(length_m),
            "from": lonlat(*l.0.first()?),
            "to": lonlat(*l.0.last()?),
        })),
        Geometry::MultiLineString(m) => Some(json!({
            "length_m": round_m(length_m),
            "from": lonlat(*m.0.first()?.0.first()?),
            "to": lonlat(*m.0.last()?.0.last()?),
        })),
        Geometry::Polygon(_) | Geometry::MultiPolygon(_) => {
            let centre = g.map_coords(to_plane).centroid()?;
            Some(json!({
                "area_m2": round_m2(area_m2),
                "centre": lonlat(from_plane(centre.0)),
            }))
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn geometry(v: Value) -> geojson::Geometry {
        serde_json::from_value(v).unwrap_or_else(|e| panic!("{e}"))
    }

    #[test]
    fn lines_and_areas_in_numbers() {
        // 0.1° of latitude along 18° E: 11 144.64 m (geographiclib), from the first end to the last.
        let line = describe(&geometry(json!({
            "type": "LineString", "coordinates": [[18.0, 62.0], [18.0, 62.05], [18.0, 62.1]]
        })))
        .unwrap_or_default();
        assert_eq!(line["from"], json!([18.0, 62.0]));
        assert_eq!(line["to"], json!([18.0, 62.1]));
        let length = line["length_m"].as_f64().unwrap_or_default();
        assert!((length - 11_144.64).abs() < 0.01, "{length}");
        // The 0.2° × 0.1° rectangle of the draw_polygon golden test: 116 600 283.5 m².
        let area = describe(&geometry(json!({
            "type": "Polygon",
            "coordinates": [[[18.0, 62.0], [18.2, 62.0], [18.2, 62.1], [18.0, 62.1], [18.0, 62.0]]]
        })))
        .unwrap_or_default();
        assert!((area["area_m2"].as_f64().unwrap_or_default() - 116_600_283.5).abs() < 0.1);
        let centre = &area["centre"];
        let (lon, lat) = (
            centre[0].as_f64().unwrap_or_default(),
            centre[1].as_f64().unwrap_or_default(),
        );
        assert!(
            (lon - 18.1).abs() < 1e-3 && (lat - 62.05).abs() < 1e-3,
            "{centre}"
        );
        // A multi-line runs from its first line's start to its last line's end.
        let multi = describe(&geometry(json!({
            "type": "MultiLineString",
            "coordinates": [[[18.0, 62.0], [18.0, 62.05]], [[18.0, 62.05], [18.0, 62.1]]]
        })))
        .unwrap_or_default();
        assert_eq!(
            (&multi["from"], &multi["to"]),
            (&json!([18.0, 62.0]), &json!([18.0, 62.1]))
        );
        assert!((multi["length_m"].as_f64().unwrap_or_default() - 11_144.64).abs() < 0.01);
        // Points need no words beyond their position.
        assert!(
            describe(&geometry(
                json!({"type": "Point", "coordinates": [18.0, 62.0]})
            ))
            .is_none()
        );
    }
}
