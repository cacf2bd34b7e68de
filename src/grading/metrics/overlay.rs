//! Polygon overlay in the EPSG:3006 plane with i_overlay: one overlay graph of answer and key
//! gives the intersection (for IoU) and both differences (missed = key − answer, extra = answer −
//! key) without redoing the sweep for each.

use geo::Coord;
use i_overlay::core::extract::BooleanExtractionBuffer;
use i_overlay::core::fill_rule::FillRule;
use i_overlay::core::overlay_rule::OverlayRule;
use i_overlay::core::solver::Solver;
use i_overlay::float::overlay::{FloatOverlay, OverlayOptions};

use crate::grading::planar::ring_area_signed;

/// Polygons as i_overlay takes them: shapes → contours (first outer, then holes) → points,
/// contours implicitly closed.
pub(crate) type Shapes = Vec<Vec<Vec<[f64; 2]>>>;

/// Converts parts → rings (closed, as GeoJSON) into i_overlay shapes.
pub(crate) fn to_shapes(parts: &[Vec<Vec<Coord>>]) -> Shapes {
    parts
        .iter()
        .map(|rings| {
            rings
                .iter()
                .map(|r| {
                    let open = r.get(..r.len().saturating_sub(1)).unwrap_or_default();
                    open.iter().map(|c| [c.x, c.y]).collect()
                })
                .collect()
        })
        .collect()
}

/// Back to parts → rings, closing each ring.
pub(crate) fn from_shapes(shapes: &Shapes) -> Vec<Vec<Vec<Coord>>> {
    shapes
        .iter()
        .map(|s| {
            s.iter()
                .map(|contour| {
                    let mut ring: Vec<Coord> =
                        contour.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
                    if let Some(&f) = ring.first() {
                        ring.push(f);
                    }
                    ring
                })
                .collect()
        })
        .collect()
}

/// Planar area of shapes: outer contours count positive, holes negative.
pub(crate) fn shapes_area(shapes: &Shapes) -> f64 {
    shapes
        .iter()
        .map(|s| {
            s.iter()
                .enumerate()
                .map(|(i, contour)| {
                    let ring: Vec<Coord> =
                        contour.iter().map(|p| Coord { x: p[0], y: p[1] }).collect();
                    let a = ring_area_signed(&ring).abs();
                    if i == 0 { a } else { -a }
                })
                .sum::<f64>()
        })
        .sum()
}

/// What one overlay of an answer (subject) with a key (clip) yields.
#[derive(Debug, Clone, Default)]
pub(crate) struct Overlay {
    pub(crate) intersection: Shapes,
    /// key − answer.
    pub(crate) missed: Shapes,
    /// answer − key.
    pub(crate) extra: Shapes,
}

/// Overlays `answer` and `key`; `with_differences` also extracts missed and extra.
pub(crate) fn overlay(answer: &Shapes, key: &Shapes, with_differences: bool) -> Overlay {
    // i_overlay's automatic choice takes its list solver below 4 000 segments and its tree
    // solver above; on 5 000-vertex polygons the fragment solver was 15 % faster here (and it
    // does not degrade like the list solver when many long segments overlap in x).
    let segments: usize = answer.iter().chain(key).flatten().map(Vec::len).sum();
    let solver = if segments > 4_000 {
        Solver::FRAG
    } else {
        Solver::AUTO
    };
    let mut ov =
        FloatOverlay::with_subj_and_clip_custom(answer, key, OverlayOptions::default(), solver);
    let Some(graph) = ov.build_graph_view(FillRule::EvenOdd) else {
        // No edges at all: both empty.
        return Overlay::default();
    };
    let mut buf = BooleanExtractionBuffer::default();
    let intersection = graph.extract_shapes(OverlayRule::Intersect, &mut buf);
    let (missed, extra) = if with_differences {
        (
            graph.extract_shapes(OverlayRule::InverseDifference, &mut buf),
            graph.extract_shapes(OverlayRule::Difference, &mut buf),
        )
    } else {
        (Vec::new(), Vec::new())
    };
    Overlay {
        intersection,
        missed,
        extra,
    }
}

/// Union of polygons (used once per exercise for site rules).
pub(crate) fn union(shapes: &Shapes) -> Shapes {
    let empty: Shapes = Vec::new();
    let mut ov = FloatOverlay::with_subj_and_clip(shapes, &empty);
    ov.overlay(OverlayRule::Subject, FillRule::NonZero)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::test_support::square;

    #[test]
    fn intersection_and_differences() {
        let a = to_shapes(&[vec![square(500_000.0, 6_500_000.0, 100.0)]]);
        let b = to_shapes(&[vec![square(500_050.0, 6_500_000.0, 100.0)]]);
        let o = overlay(&a, &b, true);
        assert!((shapes_area(&o.intersection) - 5000.0).abs() < 1e-3);
        assert!((shapes_area(&o.missed) - 5000.0).abs() < 1e-3);
        assert!((shapes_area(&o.extra) - 5000.0).abs() < 1e-3);
        let u = union(&[a, b].concat());
        assert!((shapes_area(&u) - 15000.0).abs() < 1e-3);
        let closed = from_shapes(&o.intersection);
        assert!(closed.iter().flatten().all(|r| r.first() == r.last()));
    }
}
