//! The metrics on their own, for the criterion benchmarks (benches/grading.rs) that compare them
//! with Shapely/GEOS timings. Not part of the grading API: planar EPSG:3006 coordinates in,
//! numbers out.

use geo::Coord;

use super::metrics::frechet::discrete_frechet;
use super::metrics::hausdorff::hausdorff;
use super::metrics::overlay::{overlay, shapes_area, to_shapes};
use super::metrics::segment_index::{SegmentIndex, line_segments};
use super::planar::polygon_area;

fn coords(p: &[[f64; 2]]) -> Vec<Coord> {
    p.iter().map(|&[x, y]| Coord { x, y }).collect()
}

/// Hausdorff distance (vertex to segment, both directions) of two planar lines, index building
/// included.
pub fn hausdorff_lines(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    let (a, b) = (coords(a), coords(b));
    let ia = SegmentIndex::new(line_segments(&a).collect());
    let ib = SegmentIndex::new(line_segments(&b).collect());
    hausdorff(&a, &ia, &b, &ib)
}

/// Discrete Fréchet distance of two planar vertex sequences.
pub fn frechet_lines(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    discrete_frechet(&coords(a), &coords(b))
}

/// IoU of two planar polygons given as closed exterior rings (one overlay).
pub fn iou_rings(a: &[[f64; 2]], b: &[[f64; 2]]) -> f64 {
    let (ra, rb) = (vec![coords(a)], vec![coords(b)]);
    let area_a = polygon_area(&ra);
    let area_b = polygon_area(&rb);
    let ov = overlay(&to_shapes(&[ra]), &to_shapes(&[rb]), false);
    let i = shapes_area(&ov.intersection);
    let union = area_a + area_b - i;
    if union > 0.0 { i / union } else { 0.0 }
}
