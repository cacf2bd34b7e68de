//! A sorted sweep for segment contacts. Validity must be near-linear on the request path: geo's
//! `Validation` compares every pair of segments (hundreds of milliseconds at 5 000 vertices).
//! Segments are sorted by their low end on the axis along which they overlap least, and each is
//! tested only against those whose interval on that axis overlaps its own; predicates are exact
//! (robust orientation), so touching is told from crossing without tolerances.

use geo::Coord;
use geo::kernels::{Kernel, Orientation, RobustKernel};

/// Exact orientation of `r` relative to the directed line `p → q`.
pub(crate) fn orient(p: Coord, q: Coord, r: Coord) -> Orientation {
    <RobustKernel as Kernel<f64>>::orient2d(p, q, r)
}

fn within_box(p: Coord, q: Coord, r: Coord) -> bool {
    r.x >= p.x.min(q.x) && r.x <= p.x.max(q.x) && r.y >= p.y.min(q.y) && r.y <= p.y.max(q.y)
}

/// Whether closed segments `ab` and `cd` share at least one point.
pub(crate) fn segments_touch(a: Coord, b: Coord, c: Coord, d: Coord) -> bool {
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
}

/// What a sweep found.
#[derive(Debug, Clone, Copy)]
pub(crate) enum Sweep {
    /// No relevant pair touches.
    Clear,
    /// A relevant pair touches (in input order).
    Contact(TaggedSegment, TaggedSegment),
    /// More than the budget of candidate pairs (segments whose boxes overlap on both axes):
    /// edges crowd together so much that any overlay of them would be slow.
    TooDense(usize),
}

/// Finds a pair of touching segments for which `relevant(s, t)` holds. Stops with
/// [`Sweep::TooDense`] after `max_pairs` candidate pairs, which bounds the quadratic worst case
/// (all segments overlapping on both axes, as in a fan of spikes); typical drawings need a few
/// candidates per segment.
pub(crate) fn find_contact(
    segments: &[TaggedSegment],
    max_pairs: usize,
    mut relevant: impl FnMut(&TaggedSegment, &TaggedSegment) -> Option<bool>,
) -> Sweep {
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

    let mut pairs = 0usize;
    for (n, e) in entries.iter().enumerate() {
        let Some(s) = segments.get(e.i) else { continue };
        for f in entries.iter().skip(n + 1) {
            if f.lo > e.hi {
                break;
            }
            if f.olo > e.ohi || f.ohi < e.olo {
                continue;
            }
            pairs += 1;
            if pairs > max_pairs {
                return Sweep::TooDense(pairs);
            }
            let Some(t) = segments.get(f.i) else { continue };
            // Report in input order so that messages name the earlier segment first.
            let (s1, t1) = if e.i < f.i { (s, t) } else { (t, s) };
            match relevant(s1, t1) {
                Some(true) => {
                    if segments_touch(s1.a, s1.b, t1.a, t1.b) {
                        return Sweep::Contact(*s1, *t1);
                    }
                }
                Some(false) => {}
                // `None`: the caller decided the pair is a contact on its own terms.
                None => return Sweep::Contact(*s1, *t1),
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
                }
            })
            .chain(std::iter::once(TaggedSegment {
                a: c(500.2, -1.),
                b: c(500.2, 0.5),
                tag: (1, 0),
            }))
            .collect();
        let hit = match find_contact(&segs, usize::MAX, |_, _| Some(true)) {
            Sweep::Contact(s, t) => Some((s.tag, t.tag)),
            _ => None,
        };
        assert_eq!(hit, Some(((0, 500), (1, 0))));
        let clear = find_contact(segs.get(..1000).unwrap_or_default(), usize::MAX, |_, _| {
            Some(true)
        });
        assert!(matches!(clear, Sweep::Clear));
        let fan: Vec<TaggedSegment> = (0..100)
            .map(|i| {
                let y = f64::from(i) * 0.01;
                TaggedSegment {
                    a: c(0., y),
                    b: c(10., 10. + y),
                    tag: (0, i),
                }
            })
            .collect();
        let dense = find_contact(&fan, 10, |_, _| Some(false));
        assert!(matches!(dense, Sweep::TooDense(11)));
    }
}
