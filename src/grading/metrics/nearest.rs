//! Geometry prepared for distance questions in the EPSG:3006 plane: point-to-zone distance,
//! "near this feature" hooks and site rules. Distances between geometries are found in the plane
//! (the nearest pair of points); callers measure that pair geodesically where a person sees it.

use geo::{Coord, Geometry};

use super::segment_index::{Scratch, SegmentIndex, line_segments};
use crate::grading::planar::inside_polygon;
use crate::grading::project::to_plane;

/// A geometry with its planar parts and a segment index.
#[derive(Debug, Clone)]
pub(crate) struct Prepared {
    /// Planar polygons, parts → rings (closed).
    pub(crate) polygons: Vec<Vec<Vec<Coord>>>,
    /// Planar vertices of everything (points, lines, rings).
    pub(crate) vertices: Vec<Coord>,
    index: SegmentIndex,
}

/// Polygons (parts → rings), lines and points.
type Parts = (Vec<Vec<Vec<Coord>>>, Vec<Vec<Coord>>, Vec<Coord>);

/// Planar parts of a lon/lat geometry.
fn planar_parts(g: &Geometry) -> Parts {
    let proj = |l: &geo::LineString| -> Vec<Coord> { l.0.iter().map(|c| to_plane(*c)).collect() };
    let poly = |p: &geo::Polygon| -> Vec<Vec<Coord>> {
        std::iter::once(p.exterior())
            .chain(p.interiors())
            .map(proj)
            .collect()
    };
    let (mut polys, mut lines, mut points) = (Vec::new(), Vec::new(), Vec::new());
    match g {
        Geometry::Point(p) => points.push(to_plane(p.0)),
        Geometry::MultiPoint(m) => points.extend(m.iter().map(|p| to_plane(p.0))),
        Geometry::Line(l) => lines.push(vec![to_plane(l.start), to_plane(l.end)]),
        Geometry::LineString(l) => lines.push(proj(l)),
        Geometry::MultiLineString(m) => lines.extend(m.iter().map(proj)),
        Geometry::Polygon(p) => polys.push(poly(p)),
        Geometry::MultiPolygon(m) => polys.extend(m.iter().map(poly)),
        Geometry::Rect(r) => polys.push(poly(&r.to_polygon())),
        Geometry::Triangle(t) => polys.push(poly(&t.to_polygon())),
        Geometry::GeometryCollection(gc) => {
            for g in gc {
                let (a, b, c) = planar_parts(g);
                polys.extend(a);
                lines.extend(b);
                points.extend(c);
            }
        }
    }
    (polys, lines, points)
}

impl Prepared {
    /// Prepares a lon/lat geometry (projected here).
    pub(crate) fn from_lonlat(g: &Geometry) -> Prepared {
        let (polygons, lines, points) = planar_parts(g);
        Prepared::from_planar(polygons, &lines, &points)
    }

    pub(crate) fn from_planar(
        polygons: Vec<Vec<Vec<Coord>>>,
        lines: &[Vec<Coord>],
        points: &[Coord],
    ) -> Prepared {
        let mut segs = Vec::new();
        let mut vertices = Vec::new();
        for l in polygons.iter().flatten().chain(lines.iter()) {
            segs.extend(line_segments(l));
            vertices.extend_from_slice(l);
        }
        segs.extend(points.iter().map(|p| (*p, *p)));
        vertices.extend_from_slice(points);
        Prepared {
            polygons,
            vertices,
            index: SegmentIndex::new(segs),
        }
    }

    /// Inside a polygon part, boundary excluded (it is found at distance 0 anyway).
    pub(crate) fn contains(&self, p: Coord) -> bool {
        self.polygons.iter().any(|rings| inside_polygon(p, rings))
    }

    /// Distance from `p` to the geometry (0 inside a polygon or on it) and the nearest point.
    pub(crate) fn nearest_point(&self, p: Coord) -> (f64, Coord) {
        if self.contains(p) {
            return (0.0, p);
        }
        let mut scratch = Scratch::default();
        self.index
            .nearest(p, -1.0, &mut scratch)
            .map_or((f64::INFINITY, p), |(d2, q)| (d2.sqrt(), q))
    }

    /// Distance from `p` to the boundary (rings, lines, points), ignoring containment.
    pub(crate) fn boundary_distance(&self, p: Coord) -> f64 {
        let mut scratch = Scratch::default();
        self.index
            .nearest(p, -1.0, &mut scratch)
            .map_or(f64::INFINITY, |(d2, _)| d2.sqrt())
    }

    /// The nearest pair of points between `self` and `other` (self's point first); both the same
    /// point when the geometries meet.
    pub(crate) fn nearest_pair(&self, other: &Prepared) -> Option<(f64, Coord, Coord)> {
        if self.index.is_empty() || other.index.is_empty() {
            return None;
        }
        for &(a, b) in other.index.segments() {
            if self.index.touches_segment(a, b) {
                return Some((0.0, a, a));
            }
        }
        for v in &other.vertices {
            if self.contains(*v) {
                return Some((0.0, *v, *v));
            }
        }
        for v in &self.vertices {
            if other.contains(*v) {
                return Some((0.0, *v, *v));
            }
        }
        let mut scratch = Scratch::default();
        let mut best: Option<(f64, Coord, Coord)> = None;
        for v in &other.vertices {
            if let Some((d2, q)) = self.index.nearest(*v, -1.0, &mut scratch)
                && best.is_none_or(|b| d2 < b.0)
            {
                best = Some((d2, q, *v));
            }
        }
        for v in &self.vertices {
            if let Some((d2, q)) = other.index.nearest(*v, -1.0, &mut scratch)
                && best.is_none_or(|b| d2 < b.0)
            {
                best = Some((d2, *v, q));
            }
        }
        best.map(|(d2, a, b)| (d2.sqrt(), a, b))
    }
}
