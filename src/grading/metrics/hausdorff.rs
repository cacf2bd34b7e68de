//! Hausdorff distance as GEOS's `DiscreteHausdorffDistance`: the larger of the two directed
//! distances, each the largest distance from a vertex of one line to the other line's
//! *segments*. (geo's `HausdorffDistance` is vertex to vertex, which overstates the distance
//! between two lines whose vertices are staggered.)

use geo::Coord;

use super::segment_index::{Scratch, SegmentIndex};

/// Largest distance from a vertex in `from` to the segments in `to`, with an early exit per
/// vertex as soon as it cannot raise the maximum (Taha & Hanbury 2015).
pub(crate) fn directed(from: &[Coord], to: &SegmentIndex) -> f64 {
    let mut scratch = Scratch::default();
    let mut max2: f64 = 0.0;
    for &p in from {
        if let Some((d2, _)) = to.nearest(p, max2, &mut scratch) {
            max2 = max2.max(d2);
        }
    }
    max2.sqrt()
}

/// Symmetric Hausdorff distance between two sets of lines given as vertices and indexes.
pub(crate) fn hausdorff(
    a: &[Coord],
    a_index: &SegmentIndex,
    b: &[Coord],
    b_index: &SegmentIndex,
) -> f64 {
    directed(a, b_index).max(directed(b, a_index))
}

#[cfg(test)]
mod tests {
    use super::super::segment_index::line_segments;
    use super::*;
    use geo::{HausdorffDistance, LineString};

    fn line(pts: &[(f64, f64)]) -> Vec<Coord> {
        pts.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    fn h(a: &[Coord], b: &[Coord]) -> f64 {
        let ia = SegmentIndex::new(line_segments(a).collect());
        let ib = SegmentIndex::new(line_segments(b).collect());
        hausdorff(a, &ia, b, &ib)
    }

    #[test]
    fn vertex_to_segment_differs_from_vertex_to_vertex() {
        // Two parallel lines 1 apart whose vertices are staggered by 5.
        let a = line(&[(0., 0.), (10., 0.), (20., 0.)]);
        let b = line(&[(5., 1.), (15., 1.)]);
        // GEOS semantics: a's end vertices are (√26) from b's ends; b's vertices are 1 from a.
        assert!((h(&a, &b) - 26f64.sqrt()).abs() < 1e-12);
        let b2 = line(&[(0., 1.), (5., 1.), (15., 1.), (20., 1.)]);
        assert!((h(&a, &b2) - 1.0).abs() < 1e-12);
        // geo's vertex-to-vertex value is larger: a's middle vertex (10, 0) is √26 from b2's.
        let geo_value = LineString::from(a).hausdorff_distance(&LineString::from(b2));
        assert!((geo_value - 26f64.sqrt()).abs() < 1e-12);
    }

    #[test]
    fn matches_brute_force_on_random_lines() {
        let mut lcg = crate::grading::test_support::Lcg::new(11);
        let mut rnd = || lcg.unit() * 1000.0;
        for _ in 0..50 {
            let a: Vec<Coord> = (0..40).map(|_| Coord { x: rnd(), y: rnd() }).collect();
            let b: Vec<Coord> = (0..30).map(|_| Coord { x: rnd(), y: rnd() }).collect();
            let brute_dir = |p: &[Coord], q: &[Coord]| {
                p.iter()
                    .map(|v| {
                        q.windows(2)
                            .map(|w| crate::grading::planar::point_segment(*v, w[0], w[1]).0)
                            .fold(f64::INFINITY, f64::min)
                    })
                    .fold(0.0, f64::max)
                    .sqrt()
            };
            let brute = brute_dir(&a, &b).max(brute_dir(&b, &a));
            assert!((h(&a, &b) - brute).abs() < 1e-9);
        }
    }
}
