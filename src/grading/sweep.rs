//! Segment contacts for the validity check, which must be near-linear on the request path: geo's
//! `Validation` compares every pair of segments (hundreds of milliseconds at 5 000 vertices).
//! Candidate pairs come from a uniform grid (`grid`), or, where segments' boxes would fill too
//! many cells, from a sweep: segments sorted by their low end on the axis along which they
//! overlap least, each tested only against those whose interval on that axis overlaps its own.
//! Predicates are exact (robust orientation), so touching is told from crossing without
//! tolerances.

use geo::Coord;
use geo::kernels::{Kernel, Orientation, RobustKernel};

use super::grid::Grid;
use super::monotone::chain_contact;

/// Exact orientation of `r` relative to the directed line `p → q`.
pub(crate) fn orient(p: Coord, q: Coord, r: Coord) -> Orientation {
    <RobustKernel as Kernel<f64>>::orient2d(p, q, r)
}

fn within_box(p: Coord, q: Coord, r: Coord) -> bool {
    r.x >= p.x.min(q.x) && r.x <= p.x.max(q.x) && r.y >= p.y.min(q.y) && r.y <= p.y.max(q.y)
}

/// The sign of the orientation of `r` relative to `p → q` when floating point settles it
/// (Shewchuk's first error bound, as the robust predicate's own fast path), else `None`.
pub(crate) fn quick_side(p: Coord, q: Coord, r: Coord) -> Option<bool> {
    const ERROR_BOUND: f64 = (3.0 + 16.0 * f64::EPSILON) * f64::EPSILON / 2.0;
    let left = (p.x - r.x) * (q.y - r.y);
    let right = (p.y - r.y) * (q.x - r.x);
    let det = left - right;
    (det.abs() > ERROR_BOUND * (left.abs() + right.abs())).then_some(det > 0.0)
}

/// Whether closed segments `ab` and `cd` share at least one point.
pub(crate) fn segments_touch(a: Coord, b: Coord, c: Coord, d: Coord) -> bool {
    // Most candidate pairs lie apart, both ends of one segment strictly on one side of the
    // other: told without the exact predicate's four calls when floating point is sure.
    if let (Some(sc), Some(sd)) = (quick_side(a, b, c), quick_side(a, b, d))
        && sc == sd
    {
        return false;
    }
    let o1 = orient(a, b, c);
    let o2 = orient(a, b, d);
    let o3 = orient(c, d, a);
    let o4 = orient(c, d, b);
    let col = Orientation::Collinear;
    if o1 != o2 && o3 != o4 && o1 != col && o2 != col && o3 != col && o4 != col {
        return true;
    }
    (o1 == col && within_box(a, b, c))
        || (o2 == col && within_box(a, b, d))
        || (o3 == col && within_box(c, d, a))
        || (o4 == col && within_box(c, d, b))
}

/// A segment tagged with who it belongs to, so callers can decide which contacts are allowed.
#[derive(Debug, Clone, Copy)]
pub(crate) struct TaggedSegment {
    pub(crate) a: Coord,
    pub(crate) b: Coord,
    /// Caller's identifier (e.g. ring number and segment index).
    pub(crate) tag: (u32, u32),
    /// Index (in the slice searched) of the segment that follows this one on its ring, or
    /// [`NO_NEXT`]. Consecutive segments share a vertex by construction, so they are never
    /// tested here: the caller checks them itself in one pass along each ring (validation's fold
    /// check), which costs less than meeting them in the grid.
    pub(crate) next: u32,
}

/// [`TaggedSegment::next`] of a segment without a follower.
pub(crate) const NO_NEXT: u32 = u32::MAX;

/// Whether segments `i` and `j` follow one another.
pub(crate) fn consecutive(s: &TaggedSegment, i: u32, t: &TaggedSegment, j: u32) -> bool {
    s.next == j || t.next == i
}

/// Candidate pairs counted before any search: every consecutive pair's boxes overlap (they share
/// a vertex), so budgets count them as before they were skipped.
pub(crate) fn consecutive_pairs(segments: &[TaggedSegment]) -> usize {
    segments.iter().filter(|s| s.next != NO_NEXT).count()
}

/// What a sweep found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sweep {
    /// No pair touches.
    Clear,
    /// A pair touches (in input order).
    Contact(TaggedSegment, TaggedSegment),
    /// More than the budget of candidate pairs (segments whose boxes overlap on both axes):
    /// edges crowd together so much that any overlay of them would be slow.
    TooDense(usize),
}

/// Finds a pair of touching segments, consecutive ones aside. Stops with [`Sweep::TooDense`]
/// after `max_pairs` candidate pairs (segments whose boxes overlap), which bounds the quadratic
/// worst case (all segments overlapping on both axes, as in a fan of spikes); typical drawings
/// need a few candidates per segment.
///
/// Candidates come from monotone chains where rings are smooth (`monotone`: a 1 000-vertex
/// drawing's contact search in a third of the grid's instructions), else from a uniform grid
/// (each pair met in one cell only), or, when the segments' boxes would fill too many cells (long
/// spikes across the drawing), from a sweep along one axis.
/// The sweep alone degrades on jagged rings, whose short edges span many others' positions on
/// any axis: on a 1 000-vertex jittered circle it took 0.16 ms, the grid 0.03 ms.
pub(crate) fn find_contact(segments: &[TaggedSegment], max_pairs: usize) -> Sweep {
    chain_contact(segments, max_pairs)
        .or_else(|| grid_contact(segments, max_pairs))
        .unwrap_or_else(|| sweep_contact(segments, max_pairs))
}

/// Decides a candidate pair (`s` before `t` in input order): `Some` when the search ends there.
pub(crate) fn decide(s: &TaggedSegment, t: &TaggedSegment) -> Option<Sweep> {
    segments_touch(s.a, s.b, t.a, t.b).then_some(Sweep::Contact(*s, *t))
}

/// Cells a grid may fill per segment before the sweep is used instead.
const MAX_CELL_ENTRIES_PER_SEGMENT: usize = 16;

/// [`find_contact`] by a uniform grid; `None` where the sweep should do it.
fn grid_contact(segments: &[TaggedSegment], max_pairs: usize) -> Option<Sweep> {
    if segments.len() < 2 {
        return None;
    }
    // Cells about as large as a segment, at most two per segment: consecutive segments are not
    // searched, so finer cells only add entries (four per segment cost 2 % more instructions).
    let grid: Grid<u32> = Grid::new(
        || {
            segments
                .iter()
                .enumerate()
                .map(|(i, s)| (i as u32, s.a, s.b))
        },
        2.0,
        MAX_CELL_ENTRIES_PER_SEGMENT,
    )?;
    let mut pairs = consecutive_pairs(segments);
    for (c, ids) in grid.all() {
        for (k, &i) in ids.iter().enumerate() {
            let Some(s) = segments.get(i as usize) else {
                continue;
            };
            for &j in ids.iter().skip(k + 1) {
                let Some(t) = segments.get(j as usize) else {
                    continue;
                };
                if consecutive(s, i, t, j) {
                    continue;
                }
                let lo = Coord {
                    x: s.a.x.min(s.b.x).max(t.a.x.min(t.b.x)),
                    y: s.a.y.min(s.b.y).max(t.a.y.min(t.b.y)),
                };
                if lo.x > s.a.x.max(s.b.x).min(t.a.x.max(t.b.x))
                    || lo.y > s.a.y.max(s.b.y).min(t.a.y.max(t.b.y))
                {
                    continue;
                }
                // The pair belongs to the cell of its boxes' overlap's low corner only.
                if grid.index_of(lo) != c {
                    continue;
                }
                pairs += 1;
                if pairs > max_pairs {
                    return Some(Sweep::TooDense(pairs));
                }
                // In input order, so that messages name the earlier segment first.
                let (s1, t1) = if i < j { (s, t) } else { (t, s) };
                if let Some(found) = decide(s1, t1) {
                    return Some(found);
                }
            }
        }
    }
    Some(Sweep::Clear)
}

/// [`find_contact`] by a sweep along one axis.
fn sweep_contact(segments: &[TaggedSegment], max_pairs: usize) -> Sweep {
    // Pick the axis along which the segments are spread out most relative to their own extent.
    let (mut lo_x, mut hi_x, mut lo_y, mut hi_y) = (f64::MAX, f64::MIN, f64::MAX, f64::MIN);
    let (mut sum_x, mut sum_y) = (0.0, 0.0);
    for s in segments {
        lo_x = lo_x.min(s.a.x.min(s.b.x));
        hi_x = hi_x.max(s.a.x.max(s.b.x));
        lo_y = lo_y.min(s.a.y.min(s.b.y));
        hi_y = hi_y.max(s.a.y.max(s.b.y));
        sum_x += (s.a.x - s.b.x).abs();
        sum_y += (s.a.y - s.b.y).abs();
    }
    let use_x = sum_x * (hi_y - lo_y) <= sum_y * (hi_x - lo_x);
    let key = |c: Coord| if use_x { c.x } else { c.y };
    let other = |c: Coord| if use_x { c.y } else { c.x };

    struct Entry {
        lo: f64,
        hi: f64,
        olo: f64,
        ohi: f64,
        i: usize,
    }
    let mut entries: Vec<Entry> = segments
        .iter()
        .enumerate()
        .map(|(i, s)| Entry {
            lo: key(s.a).min(key(s.b)),
            hi: key(s.a).max(key(s.b)),
            olo: other(s.a).min(other(s.b)),
            ohi: other(s.a).max(other(s.b)),
            i,
        })
        .collect();
    entries.sort_by(|p, q| p.lo.total_cmp(&q.lo).then(p.i.cmp(&q.i)));

    let mut pairs = consecutive_pairs(segments);
    for (n, e) in entries.iter().enumerate() {
        let Some(s) = segments.get(e.i) else { continue };
        for f in entries.iter().skip(n + 1) {
            if f.lo > e.hi {
                break;
            }
            if f.olo > e.ohi || f.ohi < e.olo {
                continue;
            }
            let Some(t) = segments.get(f.i) else { continue };
            if consecutive(s, e.i as u32, t, f.i as u32) {
                continue;
            }
            pairs += 1;
            if pairs > max_pairs {
                return Sweep::TooDense(pairs);
            }
            // Report in input order so that messages name the earlier segment first.
            let (s1, t1) = if e.i < f.i { (s, t) } else { (t, s) };
            if let Some(found) = decide(s1, t1) {
                return found;
            }
        }
    }
    Sweep::Clear
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn touching_and_crossing() {
        assert!(segments_touch(c(0., 0.), c(2., 2.), c(0., 2.), c(2., 0.)));
        assert!(segments_touch(c(0., 0.), c(2., 0.), c(1., 0.), c(1., 5.)));
        assert!(segments_touch(c(0., 0.), c(2., 0.), c(1., 0.), c(3., 0.)));
        assert!(!segments_touch(c(0., 0.), c(2., 0.), c(3., 0.), c(4., 0.)));
        assert!(!segments_touch(c(0., 0.), c(2., 0.), c(0., 1.), c(2., 1.)));
        assert!(segments_touch(c(0., 0.), c(2., 0.), c(2., 0.), c(3., 1.)));
    }

    #[test]
    fn sweep_finds_the_only_crossing() {
        let segs: Vec<TaggedSegment> = (0..1000)
            .map(|i| {
                let x = f64::from(i);
                TaggedSegment {
                    a: c(x, 0.),
                    b: c(x + 0.5, 1.),
                    tag: (0, i),
                    next: NO_NEXT,
                }
            })
            .chain(std::iter::once(TaggedSegment {
                a: c(500.2, -1.),
                b: c(500.2, 0.5),
                tag: (1, 0),
                next: NO_NEXT,
            }))
            .collect();
        let hit = match find_contact(&segs, usize::MAX) {
            Sweep::Contact(s, t) => Some((s.tag, t.tag)),
            _ => None,
        };
        assert_eq!(hit, Some(((0, 500), (1, 0))));
        let clear = find_contact(segs.get(..1000).unwrap_or_default(), usize::MAX);
        assert!(matches!(clear, Sweep::Clear));
        let fan: Vec<TaggedSegment> = (0..100)
            .map(|i| {
                let y = f64::from(i) * 0.01;
                TaggedSegment {
                    a: c(0., y),
                    b: c(10., 10. + y),
                    tag: (0, i),
                    next: NO_NEXT,
                }
            })
            .collect();
        let dense = find_contact(&fan, 10);
        assert!(matches!(dense, Sweep::TooDense(11)));
    }

    /// A closed star whose consecutive edges all meet near the centre: neither search reports
    /// them (the caller's fold check does), and both find the one crossing made by moving a tip.
    #[test]
    fn consecutive_segments_are_left_to_the_caller() {
        let ring = |tips: &[Coord]| -> Vec<TaggedSegment> {
            let n = tips.len();
            (0..n)
                .map(|k| TaggedSegment {
                    a: tips[k],
                    b: tips[(k + 1) % n],
                    tag: (0, k as u32),
                    next: ((k + 1) % n) as u32,
                })
                .collect()
        };
        let mut tips: Vec<Coord> = (0..400)
            .map(|k| {
                let t = std::f64::consts::PI * f64::from(k) / 200.0;
                let r = if k % 2 == 0 { 100.0 } else { 0.5 };
                c(r * t.cos(), r * t.sin())
            })
            .collect();
        let star = ring(&tips);
        let tags = |s: Sweep| match s {
            Sweep::Contact(s, t) => Some((s.tag.1, t.tag.1)),
            Sweep::Clear => None,
            Sweep::TooDense(p) => panic!("too dense at {p}"),
        };
        assert_eq!(tags(find_contact(&star, usize::MAX)), None);
        assert_eq!(tags(sweep_contact(&star, usize::MAX)), None);
        // Tip 10 moved past tip 12 into the next valley: edges 9 and 10 cross spike 12's edges
        // 11 and 12, and nothing else.
        let valley = std::f64::consts::PI * 13.0 / 200.0;
        tips[10] = c(100.0 * valley.cos(), 100.0 * valley.sin());
        let crossed = ring(&tips);
        let found = [
            tags(find_contact(&crossed, usize::MAX)),
            tags(sweep_contact(&crossed, usize::MAX)),
        ];
        for hit in found {
            assert!(
                matches!(hit, Some((9 | 10, 11 | 12))),
                "{hit:?} (edges 9 and 10 against 11 and 12)"
            );
        }
    }

    #[test]
    fn the_grid_and_the_sweep_agree() {
        let mut lcg = crate::grading::test_support::Lcg::new(11);
        let mut next = || lcg.unit();
        let mut contacts = 0;
        for case in 0..300 {
            let n = 2 + case % 40;
            let len = [0.5, 3.0, 20.0][case % 3];
            let segs: Vec<TaggedSegment> = (0..n)
                .map(|i| {
                    // Snapped to a coarse grid: touching ends and collinear overlaps happen.
                    let a = c((next() * 100.0).round(), (next() * 100.0).round());
                    let b = c(
                        (a.x + (next() - 0.5) * len).round(),
                        (a.y + (next() - 0.5) * len).round(),
                    );
                    TaggedSegment {
                        a,
                        b,
                        tag: (0, i as u32),
                        next: NO_NEXT,
                    }
                })
                .collect();
            let found = |s: Sweep| match s {
                Sweep::Contact(..) => Some(true),
                Sweep::Clear => Some(false),
                Sweep::TooDense(_) => None,
            };
            let grid = found(find_contact(&segs, usize::MAX));
            let sweep = found(sweep_contact(&segs, usize::MAX));
            assert_eq!(grid, sweep, "case {case}");
            contacts += usize::from(grid == Some(true));
        }
        assert!((50..250).contains(&contacts), "{contacts} of 300 touch");
    }
}
