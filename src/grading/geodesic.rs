//! Geodesic measures on the WGS 84 ellipsoid (Karney's method via geo's `Geodesic`, i.e.
//! geographiclib): everything shown to a person or compared with a threshold is measured here.
//! Coordinates are lon/lat degrees (x = lon, y = lat).
//!
//! Ring areas are taken signed and then made absolute, ring by ring: geographiclib's unsigned
//! area of a clockwise ring is the rest of the Earth, and keys and answers may wind either way.

use geo::{Coord, Distance, Geodesic, GeodesicArea, Geometry, Length, LineString, Point, Polygon};

pub(crate) fn distance(a: Coord, b: Coord) -> f64 {
    Geodesic.distance(Point(a), Point(b))
}

pub(crate) fn line_length(line: &[Coord]) -> f64 {
    line.windows(2)
        .map(|w| match w {
            [a, b] => distance(*a, *b),
            _ => 0.0,
        })
        .sum()
}

/// Area enclosed by one ring (closed or not), whatever its winding.
pub(crate) fn ring_area(ring: &[Coord]) -> f64 {
    Polygon::new(LineString::from(ring.to_vec()), vec![])
        .geodesic_area_signed()
        .abs()
}

/// Area of a polygon given as rings: |shell| − Σ|holes|.
pub(crate) fn polygon_area(rings: &[Vec<Coord>]) -> f64 {
    let mut it = rings.iter();
    let shell = it.next().map_or(0.0, |r| ring_area(r));
    shell - it.map(|r| ring_area(r)).sum::<f64>()
}

/// Length of lines, area of polygons (0 for points), of a geo geometry in lon/lat.
pub(crate) fn measure(g: &Geometry) -> (f64, f64) {
    let rings = |p: &Polygon| -> Vec<Vec<Coord>> {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|r| r.0.clone())
            .collect()
    };
    match g {
        Geometry::LineString(l) => (Geodesic.length(l), 0.0),
        Geometry::MultiLineString(m) => (Geodesic.length(m), 0.0),
        Geometry::Polygon(p) => (0.0, polygon_area(&rings(p))),
        Geometry::MultiPolygon(m) => (0.0, m.iter().map(|p| polygon_area(&rings(p))).sum()),
        _ => (0.0, 0.0),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    /// Values from Python geographiclib 2.1 (tools/reference_values.py).
    #[test]
    fn distances_match_geographiclib() {
        let cases = [
            (c(18.0686, 59.3293), c(22.1547, 65.5848), 728012.0002081938),
            (c(11.97, 57.7), c(11.9701, 57.7001), 12.632941491597242),
            (c(13.0, 55.6), c(24.2, 69.1), 1606465.664064394),
        ];
        for (a, b, s) in cases {
            let d = distance(a, b);
            assert!((d - s).abs() < 1e-6, "{d} vs {s}");
        }
    }

    #[test]
    fn area_matches_geographiclib_either_winding() {
        let ring = vec![
            c(17.0, 60.0),
            c(18.0, 60.0),
            c(18.0, 61.0),
            c(17.0, 61.0),
            c(17.0, 60.0),
        ];
        let expected = 6122943163.071411;
        assert!((ring_area(&ring) - expected).abs() < 1e-3);
        let rev: Vec<Coord> = ring.iter().rev().copied().collect();
        assert!((ring_area(&rev) - expected).abs() < 1e-3);
        let perimeter = line_length(&ring);
        assert!((perimeter - 332747.8789852833).abs() < 1e-6);
    }
}
