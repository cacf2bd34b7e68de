//! Small planar helpers in EPSG:3006 metres shared by validation, zones, site rules and the
//! segment searches: exact point-in-ring, ring areas, point-to-segment distances, segment boxes.

use geo::Coord;
use geo::kernels::Orientation;

use super::sweep::orient;

/// The box of the segment from `a` to `b`: its lowest and its highest corner.
pub(crate) fn segment_box(a: Coord, b: Coord) -> (Coord, Coord) {
    (
        Coord {
            x: a.x.min(b.x),
            y: a.y.min(b.y),
        },
        Coord {
            x: a.x.max(b.x),
            y: a.y.max(b.y),
        },
    )
}

/// Winding number of `ring` (closed or not) around `p`, with exact orientation tests. Points on
/// the boundary get an arbitrary but deterministic answer; callers that care check the boundary
/// first.
pub(crate) fn winding(p: Coord, ring: &[Coord]) -> i64 {
    let mut wn = 0;
    let n = ring.len();
    for (i, a) in ring.iter().enumerate() {
        let Some(b) = ring.get((i + 1) % n) else {
            continue;
        };
        if a.y <= p.y {
            if b.y > p.y && orient(*a, *b, p) == Orientation::CounterClockwise {
                wn += 1;
            }
        } else if b.y <= p.y && orient(*a, *b, p) == Orientation::Clockwise {
            wn -= 1;
        }
    }
    wn
}

pub(crate) fn inside_ring(p: Coord, ring: &[Coord]) -> bool {
    winding(p, ring) != 0
}

/// Inside a polygon given as rings (first the shell, then holes), boundary excluded or included
/// arbitrarily; see [`winding`].
pub(crate) fn inside_polygon(p: Coord, rings: &[Vec<Coord>]) -> bool {
    let mut it = rings.iter();
    match it.next() {
        Some(shell) if inside_ring(p, shell) => !it.any(|h| inside_ring(p, h)),
        _ => false,
    }
}

/// Signed area (shoelace; counter-clockwise positive), shifted to the first vertex so that
/// large SWEREF coordinates do not cost precision.
pub(crate) fn ring_area_signed(ring: &[Coord]) -> f64 {
    let Some(o) = ring.first() else { return 0.0 };
    let n = ring.len();
    let mut s = 0.0;
    for (i, a) in ring.iter().enumerate() {
        let Some(b) = ring.get((i + 1) % n) else {
            continue;
        };
        s += (a.x - o.x) * (b.y - o.y) - (b.x - o.x) * (a.y - o.y);
    }
    s / 2.0
}

/// Area of a polygon given as rings: |shell| − Σ|holes|.
pub(crate) fn polygon_area(rings: &[Vec<Coord>]) -> f64 {
    let mut it = rings.iter();
    let shell = it.next().map_or(0.0, |r| ring_area_signed(r).abs());
    shell - it.map(|r| ring_area_signed(r).abs()).sum::<f64>()
}

/// Squared distance from `p` to segment `ab`, and the closest point.
pub(crate) fn point_segment(p: Coord, a: Coord, b: Coord) -> (f64, Coord) {
    let (dx, dy) = (b.x - a.x, b.y - a.y);
    let len2 = dx * dx + dy * dy;
    let t = if len2 > 0.0 {
        (((p.x - a.x) * dx + (p.y - a.y) * dy) / len2).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let q = Coord {
        x: a.x + t * dx,
        y: a.y + t * dy,
    };
    let (ex, ey) = (p.x - q.x, p.y - q.y);
    (ex * ex + ey * ey, q)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn winding_and_area() {
        let sq = vec![c(0., 0.), c(4., 0.), c(4., 4.), c(0., 4.), c(0., 0.)];
        let hole = vec![c(1., 1.), c(1., 2.), c(2., 2.), c(2., 1.), c(1., 1.)];
        assert!(inside_ring(c(2., 2.), &sq));
        assert!(!inside_ring(c(5., 2.), &sq));
        assert!((ring_area_signed(&sq) - 16.0).abs() < 1e-12);
        assert!((ring_area_signed(&hole) + 1.0).abs() < 1e-12);
        let rings = vec![sq, hole];
        assert!((polygon_area(&rings) - 15.0).abs() < 1e-12);
        assert!(!inside_polygon(c(1.5, 1.5), &rings));
        assert!(inside_polygon(c(3., 3.), &rings));
    }

    #[test]
    fn point_to_segment() {
        let (d2, q) = point_segment(c(1., 1.), c(0., 0.), c(2., 0.));
        assert_eq!((d2, q), (1.0, c(1., 0.)));
        let (d2, q) = point_segment(c(3., 1.), c(0., 0.), c(2., 0.));
        assert_eq!((d2, q), (2.0, c(2., 0.)));
    }
}
