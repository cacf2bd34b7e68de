//! The geometry of the region map, drawn as server-rendered SVG: the county outline and the
//! municipal seats, projected to SWEREF 99 TM (the national grid, true to shape up north where
//! Web Mercator stretches) and scaled into a fixed-width picture. The page colours the seats by
//! the share of people at level 3 and labels them, and a table beside it carries the same data.

use std::fmt::Write as _;

use geo::Geometry;

use crate::grading::to_crs;

/// EPSG:3006, SWEREF 99 TM.
const SWEREF99_TM: u16 = 3006;
/// The smallest extent drawn, in metres.
const MIN_SPAN_M: f64 = 10_000.0;

/// A projected region, in SVG user units (0.1 precision), y downwards.
#[derive(Debug, Clone, PartialEq)]
pub struct RegionMap {
    pub width: f64,
    pub height: f64,
    /// The `d` of a `<path>` drawing the outline (every ring closed).
    pub outline: String,
    /// The seats, in the order given.
    pub seats: Vec<(f64, f64)>,
}

fn rings(geometry: &Geometry<f64>) -> Vec<Vec<(f64, f64)>> {
    let polygon_rings = |p: &geo::Polygon<f64>| {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(|ring| ring.coords().map(|c| (c.x, c.y)).collect())
            .collect::<Vec<Vec<(f64, f64)>>>()
    };
    match geometry {
        Geometry::Polygon(p) => polygon_rings(p),
        Geometry::MultiPolygon(mp) => mp.iter().flat_map(polygon_rings).collect(),
        _ => Vec::new(),
    }
}

fn tenth(v: f64) -> f64 {
    (v * 10.0).round() / 10.0
}

/// Projects `outline` (a WGS 84 polygon or multipolygon; anything else draws nothing) and the
/// `seats` (lon, lat) into a picture `width` wide with `margin` on every side. `None` when there
/// is nothing to draw or the coordinates cannot be projected.
pub fn region_map(
    outline: Option<&Geometry<f64>>,
    seats: &[(f64, f64)],
    width: f64,
    margin: f64,
) -> Option<RegionMap> {
    let project = |(lon, lat): (f64, f64)| to_crs(SWEREF99_TM, lon, lat);
    let rings: Vec<Vec<(f64, f64)>> = outline
        .map(rings)
        .unwrap_or_default()
        .iter()
        .map(|ring| ring.iter().map(|&c| project(c)).collect::<Option<Vec<_>>>())
        .collect::<Option<_>>()?;
    let seats: Vec<(f64, f64)> = seats.iter().map(|&c| project(c)).collect::<Option<_>>()?;
    let all = rings.iter().flatten().chain(seats.iter());
    let (mut min_x, mut min_y, mut max_x, mut max_y) = (
        f64::INFINITY,
        f64::INFINITY,
        f64::NEG_INFINITY,
        f64::NEG_INFINITY,
    );
    for &(x, y) in all {
        min_x = min_x.min(x);
        min_y = min_y.min(y);
        max_x = max_x.max(x);
        max_y = max_y.max(y);
    }
    if !(min_x.is_finite() && min_y.is_finite()) {
        return None;
    }
    // A lone point still gets a picture: at least 10 km, centred.
    for (min, max) in [(&mut min_x, &mut max_x), (&mut min_y, &mut max_y)] {
        if *max - *min < MIN_SPAN_M {
            let centre = (*min + *max) / 2.0;
            (*min, *max) = (centre - MIN_SPAN_M / 2.0, centre + MIN_SPAN_M / 2.0);
        }
    }
    let span_x = max_x - min_x;
    let span_y = max_y - min_y;
    let scale = (width - 2.0 * margin) / span_x;
    let height = tenth(span_y * scale + 2.0 * margin);
    let to_svg = |(x, y): (f64, f64)| {
        (
            tenth(margin + (x - min_x) * scale),
            tenth(margin + (max_y - y) * scale),
        )
    };
    let mut d = String::new();
    for ring in &rings {
        let mut last: Option<(f64, f64)> = None;
        for (i, &c) in ring.iter().enumerate() {
            let (x, y) = to_svg(c);
            // Vertices closer than half a unit to the previous one add bytes, not shape.
            if last.is_some_and(|(lx, ly)| (lx - x).abs() < 0.5 && (ly - y).abs() < 0.5) {
                continue;
            }
            let _ = write!(d, "{}{x} {y}", if i == 0 { 'M' } else { 'L' });
            last = Some((x, y));
        }
        if !ring.is_empty() {
            d.push('Z');
        }
    }
    Some(RegionMap {
        width,
        height,
        outline: d,
        seats: seats.into_iter().map(to_svg).collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use geo::{LineString, Polygon};

    #[test]
    fn a_region_fits_the_width_north_up() {
        // A rough box around Norrbotten, with Luleå and Kiruna as seats.
        let square = Polygon::new(
            LineString::from(vec![
                (17.0, 65.0),
                (24.0, 65.0),
                (24.0, 69.0),
                (17.0, 69.0),
                (17.0, 65.0),
            ]),
            vec![],
        );
        let map = region_map(
            Some(&Geometry::Polygon(square)),
            &[(22.15, 65.58), (20.23, 67.86)],
            400.0,
            10.0,
        )
        .unwrap_or_else(|| panic!("projects"));
        assert_eq!(map.width, 400.0);
        assert!(
            map.height > map.width,
            "Norrbotten is taller than wide: {}",
            map.height
        );
        assert!(map.outline.starts_with('M') && map.outline.ends_with('Z'));
        let (lulea, kiruna) = (map.seats[0], map.seats[1]);
        assert!(kiruna.1 < lulea.1, "north is up");
        assert!(kiruna.0 < lulea.0, "Kiruna is west of Luleå");
        for (x, y) in map.seats {
            assert!((10.0..=390.0).contains(&x) && (10.0..=map.height - 10.0).contains(&y));
        }
    }

    #[test]
    fn seats_alone_or_nothing() {
        let only =
            region_map(None, &[(18.0, 63.0)], 300.0, 20.0).unwrap_or_else(|| panic!("a point"));
        assert_eq!(only.seats, vec![(150.0, 150.0)]);
        assert_eq!(only.height, 300.0);
        assert!(only.outline.is_empty());
        assert_eq!(region_map(None, &[], 300.0, 20.0), None);
        let line = Geometry::LineString(LineString::from(vec![(17.0, 65.0), (18.0, 66.0)]));
        assert_eq!(
            region_map(Some(&line), &[], 300.0, 20.0),
            None,
            "only areas are drawn"
        );
    }
}
