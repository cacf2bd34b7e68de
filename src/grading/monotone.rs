//! Monotone chains, the contact search for smooth rings: a run of a ring's segments that all head
//! into one quadrant (x and y each never falling, or never rising) cannot touch itself except
//! where consecutive segments meet, so only segments of different chains whose boxes overlap need
//! testing, and those are found by walking both chains along one axis at once. A drawn or traced
//! boundary of 1 000 vertices has about sixty chains; the grid, which meets every segment's
//! neighbours, cost three times as many instructions on such a ring. Jagged rings (a chain of one
//! or two segments) keep the grid (`sweep::find_contact`).
//!
//! Why a chain cannot touch itself: with consecutive vertices distinct, along a chain heading
//! into (+x, +y) one coordinate grows strictly from each vertex to the next and neither falls, so
//! the boxes of segments `i` and `j ≥ i + 2` are apart in that coordinate (the same for the
//! other quadrants). A pair of segments whose boxes overlap is therefore met once, in the pair of
//! chains holding them, and the candidate count (and so the pair budget) is the grid's.

use geo::Coord;

use super::planar::segment_box;
use super::sweep::{Sweep, TaggedSegment, consecutive, consecutive_pairs, decide};

/// Fewest segments per chain, on average, for chains to be used. On jittered rings (1.3 segments
/// per chain) the grid is cheaper; smooth drawings have 10 to 20.
const MIN_SEGMENTS_PER_CHAIN: usize = 4;

#[derive(Debug, Clone, Copy)]
enum Axis {
    X,
    Y,
}

impl Axis {
    fn of(self, c: Coord) -> f64 {
        match self {
            Axis::X => c.x,
            Axis::Y => c.y,
        }
    }

    fn other(self) -> Axis {
        match self {
            Axis::X => Axis::Y,
            Axis::Y => Axis::X,
        }
    }
}

/// Segments `start..end` of the slice searched, one after another on a ring, all heading into
/// one quadrant.
#[derive(Debug, Clone, Copy)]
struct Chain {
    start: usize,
    end: usize,
    /// Whether x and y grow along the chain (else they never grow).
    grows: (bool, bool),
    lo: Coord,
    hi: Coord,
}

impl Chain {
    /// The chain of the segments `start..end`, from the first's start `a` to the last's end `b`.
    fn new(start: usize, end: usize, grows: (bool, bool), a: Coord, b: Coord) -> Chain {
        let (lo, hi) = segment_box(a, b);
        Chain {
            start,
            end,
            grows,
            lo,
            hi,
        }
    }

    fn len(&self) -> usize {
        self.end - self.start
    }

    fn grows(&self, axis: Axis) -> bool {
        match axis {
            Axis::X => self.grows.0,
            Axis::Y => self.grows.1,
        }
    }

    /// The index of the segment `p`-th in the order of growing `axis`.
    fn at(&self, p: usize, axis: Axis) -> usize {
        if self.grows(axis) {
            self.start + p
        } else {
            self.end - 1 - p
        }
    }

    /// The extent along `axis` of one of its segments: known in order, the chain being monotone.
    fn range(&self, s: &TaggedSegment, axis: Axis) -> (f64, f64) {
        let (a, b) = (axis.of(s.a), axis.of(s.b));
        if self.grows(axis) { (a, b) } else { (b, a) }
    }

    /// Positions (in the order of growing `axis`) of the segments whose extent along `axis`
    /// meets `lo..=hi`: both ends of the extents only grow, so they are one run.
    fn span(
        &self,
        segments: &[TaggedSegment],
        axis: Axis,
        lo: f64,
        hi: f64,
    ) -> std::ops::Range<usize> {
        let range = |p: usize| {
            segments
                .get(self.at(p, axis))
                .map_or((f64::MAX, f64::MAX), |s| self.range(s, axis))
        };
        let first = partition(self.len(), |p| range(p).1 < lo);
        let end = partition(self.len(), |p| range(p).0 <= hi);
        first..end.max(first)
    }
}

/// The first position in `0..len` where `before` is false (it is true for a prefix).
fn partition(len: usize, before: impl Fn(usize) -> bool) -> usize {
    let (mut lo, mut hi) = (0, len);
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        if before(mid) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    lo
}

fn quadrant(s: &TaggedSegment) -> (bool, bool) {
    (s.b.x > s.a.x, s.b.y > s.a.y)
}

/// Splits the segments into chains: a chain goes on while the next segment in the slice is the
/// one that follows on the ring, starts where the last ended, and heads into the same quadrant.
/// `None` as soon as there are more than `max_chains`.
fn chains(segments: &[TaggedSegment], max_chains: usize) -> Option<Vec<Chain>> {
    let mut out = Vec::with_capacity(max_chains.min(segments.len()));
    let mut segs = segments.iter().enumerate();
    let (_, first) = segs.next()?;
    // The chain being extended: where it starts, its first vertex, its quadrant.
    let (mut start, mut from, mut grows, mut last) = (0, first.a, quadrant(first), first);
    for (i, s) in segs {
        if last.next as usize != i || s.a != last.b || quadrant(s) != grows {
            if out.len() == max_chains {
                return None;
            }
            out.push(Chain::new(start, i, grows, from, last.b));
            (start, from, grows) = (i, s.a, quadrant(s));
        }
        last = s;
    }
    if out.len() == max_chains {
        return None;
    }
    out.push(Chain::new(start, segments.len(), grows, from, last.b));
    Some(out)
}

/// `sweep::find_contact` by monotone chains; `None` when the segments form too many chains (a
/// jagged ring), where the grid is cheaper.
pub(crate) fn chain_contact(segments: &[TaggedSegment], max_pairs: usize) -> Option<Sweep> {
    let chains = chains(segments, segments.len() / MIN_SEGMENTS_PER_CHAIN)?;
    // Chains sorted along the axis on which they are spread out most relative to their own
    // extent (a comb of long horizontal chains is swept along y).
    let (mut lo, mut hi) = (
        Coord {
            x: f64::MAX,
            y: f64::MAX,
        },
        Coord {
            x: f64::MIN,
            y: f64::MIN,
        },
    );
    let (mut sum_x, mut sum_y) = (0.0, 0.0);
    for c in &chains {
        lo = Coord {
            x: lo.x.min(c.lo.x),
            y: lo.y.min(c.lo.y),
        };
        hi = Coord {
            x: hi.x.max(c.hi.x),
            y: hi.y.max(c.hi.y),
        };
        sum_x += c.hi.x - c.lo.x;
        sum_y += c.hi.y - c.lo.y;
    }
    let axis = if sum_x * (hi.y - lo.y) <= sum_y * (hi.x - lo.x) {
        Axis::X
    } else {
        Axis::Y
    };
    let across = axis.other();
    let mut order: Vec<&Chain> = chains.iter().collect();
    order.sort_unstable_by(|c, d| axis.of(c.lo).total_cmp(&axis.of(d.lo)));

    let mut pairs = consecutive_pairs(segments);
    for (k, c) in order.iter().enumerate() {
        for d in order.iter().skip(k + 1) {
            if axis.of(d.lo) > axis.of(c.hi) {
                break;
            }
            if across.of(d.lo) > across.of(c.hi) || across.of(d.hi) < across.of(c.lo) {
                continue;
            }
            if let Some(found) = chain_pair(segments, c, d, axis, &mut pairs, max_pairs) {
                return Some(found);
            }
        }
    }
    Some(Sweep::Clear)
}

/// Tests the segments of chains `c` and `d` whose boxes overlap, walking both along `axis`;
/// `Some` when the search ends here.
fn chain_pair(
    segments: &[TaggedSegment],
    c: &Chain,
    d: &Chain,
    axis: Axis,
    pairs: &mut usize,
    max_pairs: usize,
) -> Option<Sweep> {
    let across = axis.other();
    let lo = axis.of(c.lo).max(axis.of(d.lo));
    let hi = axis.of(c.hi).min(axis.of(d.hi));
    let d_span = d.span(segments, axis, lo, hi);
    let mut q0 = d_span.start;
    for p in c.span(segments, axis, lo, hi) {
        let i = c.at(p, axis);
        let Some(s) = segments.get(i) else { continue };
        let (s_lo, s_hi) = c.range(s, axis);
        let (s_across_lo, s_across_hi) = c.range(s, across);
        // The segments of `d` whose extent ends before this one's starts end before every later
        // one's too: their ends only grow along both chains.
        while q0 < d_span.end
            && segments
                .get(d.at(q0, axis))
                .is_some_and(|t| d.range(t, axis).1 < s_lo)
        {
            q0 += 1;
        }
        for q in q0..d_span.end {
            let j = d.at(q, axis);
            let Some(t) = segments.get(j) else { continue };
            if d.range(t, axis).0 > s_hi {
                break;
            }
            let (t_lo, t_hi) = d.range(t, across);
            if t_lo > s_across_hi || t_hi < s_across_lo || consecutive(s, i as u32, t, j as u32) {
                continue;
            }
            *pairs += 1;
            if *pairs > max_pairs {
                return Some(Sweep::TooDense(*pairs));
            }
            // In input order, so that messages name the earlier segment first.
            let (s1, t1) = if i < j { (s, t) } else { (t, s) };
            if let Some(found) = decide(s1, t1) {
                return Some(found);
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::grading::sweep::NO_NEXT;

    fn ring(points: &[(f64, f64)]) -> Vec<TaggedSegment> {
        let n = points.len();
        (0..n)
            .map(|k| {
                let (a, b) = (points[k], points[(k + 1) % n]);
                TaggedSegment {
                    a: Coord { x: a.0, y: a.1 },
                    b: Coord { x: b.0, y: b.1 },
                    tag: (0, k as u32),
                    next: ((k + 1) % n) as u32,
                }
            })
            .collect()
    }

    /// A smooth closed curve of `n` vertices, 800 to 1 200 m from the centre.
    fn curve(n: usize) -> Vec<(f64, f64)> {
        (0..n)
            .map(|k| {
                let t = std::f64::consts::TAU * k as f64 / n as f64;
                let r = 1000.0 + 200.0 * (3.0 * t).sin();
                (r * t.cos(), r * t.sin())
            })
            .collect()
    }

    /// Whether any two segments touch, consecutive ones aside, by testing every pair.
    fn brute_contact(segs: &[TaggedSegment]) -> bool {
        segs.iter().enumerate().any(|(i, s)| {
            segs.iter().enumerate().skip(i + 1).any(|(j, t)| {
                !consecutive(s, i as u32, t, j as u32)
                    && crate::grading::sweep::segments_touch(s.a, s.b, t.a, t.b)
            })
        })
    }

    #[test]
    fn chains_split_where_the_heading_changes_quadrant() {
        let segs = ring(&[(0., -2.), (1., 1.), (2., 3.), (3., 2.), (4., 0.), (2., -1.)]);
        let Some(c) = chains(&segs, 6) else {
            panic!("six segments, at most six chains");
        };
        let runs: Vec<_> = c.iter().map(|c| (c.start, c.end, c.grows)).collect();
        assert_eq!(
            runs,
            [
                (0, 2, (true, true)),
                (2, 4, (true, false)),
                (4, 6, (false, false)),
            ]
        );
        assert_eq!(
            (c[0].lo, c[0].hi),
            (Coord { x: 0., y: -2. }, Coord { x: 2., y: 3. })
        );
        // A chain also ends where the slice's next segment does not follow on the ring.
        let mut cut = segs;
        cut[0].next = NO_NEXT;
        assert_eq!(chains(&cut, 6).map(|c| c.len()), Some(4));
        assert!(chains(&cut, 3).is_none());
    }

    #[test]
    fn a_smooth_ring_is_clear_and_its_crossing_is_found_with_the_grid_s_count() {
        let smooth = ring(&curve(2000));
        assert!(matches!(
            chain_contact(&smooth, 1 << 30),
            Some(Sweep::Clear)
        ));
        // Vertex 500 (at 800 m from the centre) pulled through to beyond the opposite side (at
        // 1 200 m): its two segments cross the ring far along other chains.
        let mut pts = curve(2000);
        pts[500] = (-pts[500].0 * 1.6, -pts[500].1 * 1.6);
        let crossing = ring(&pts);
        let Some(Sweep::Contact(s, t)) = chain_contact(&crossing, 1 << 30) else {
            panic!(
                "crossing not found: {:?}",
                chain_contact(&crossing, 1 << 30)
            );
        };
        assert!(s.tag.1 < t.tag.1);
        assert!(
            crate::grading::sweep::segments_touch(s.a, s.b, t.a, t.b),
            "{s:?} {t:?}"
        );
        assert!([499, 500].contains(&s.tag.1) || [499, 500].contains(&t.tag.1));
        // The candidate count (pairs whose boxes overlap) is the brute-force one, so the budget
        // refuses at the same point as the grid's. A hairpin: up a diagonal and back down beside
        // it, 3.5 m apart, so that every segment's box overlaps one on the other side.
        let mut hairpin: Vec<(f64, f64)> = (0..=100)
            .map(|k| (10.0 * k as f64, 10.0 * k as f64))
            .collect();
        hairpin.extend(
            (0..=100)
                .rev()
                .map(|k| (10.0 * k as f64, 10.0 * k as f64 + 5.0)),
        );
        let hairpin = ring(&hairpin);
        assert_eq!(chains(&hairpin, 100).map(|c| c.len()), Some(3));
        let overlap = |s: &TaggedSegment, t: &TaggedSegment| {
            s.a.x.min(s.b.x) <= t.a.x.max(t.b.x)
                && t.a.x.min(t.b.x) <= s.a.x.max(s.b.x)
                && s.a.y.min(s.b.y) <= t.a.y.max(t.b.y)
                && t.a.y.min(t.b.y) <= s.a.y.max(s.b.y)
        };
        let mut brute = 0;
        for (i, s) in hairpin.iter().enumerate() {
            for t in hairpin.iter().skip(i + 1) {
                brute += usize::from(overlap(s, t));
            }
        }
        assert!(brute > hairpin.len() + 150, "{brute}");
        assert!(matches!(chain_contact(&hairpin, brute), Some(Sweep::Clear)));
        let refused = chain_contact(&hairpin, brute - 1);
        assert!(
            matches!(refused, Some(Sweep::TooDense(n)) if n == brute),
            "{refused:?}, {brute} pairs"
        );
    }

    #[test]
    fn agrees_with_testing_every_pair_on_smooth_rings_with_random_moves() {
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed >> 11) as f64 / (1u64 << 53) as f64
        };
        let (mut clear, mut contact, mut grid) = (0, 0, 0);
        for _ in 0..300 {
            let n = 150 + (next() * 250.0) as usize;
            let mut pts = curve(n);
            // Up to three vertices moved by up to a kilometre (across the ring at times), all
            // snapped to a 1 m grid.
            for _ in 0..(next() * 4.0) as usize {
                let k = (next() * n as f64) as usize % n;
                let reach = next() * 2000.0;
                pts[k].0 += (next() - 0.5) * reach;
                pts[k].1 += (next() - 0.5) * reach;
            }
            for p in &mut pts {
                *p = (p.0.round(), p.1.round());
            }
            // At times a vertex put on another one across the ring: a touch, not a crossing.
            if next() < 0.2 {
                let k = (next() * n as f64) as usize % n;
                pts[k] = pts[(k + n / 2) % n];
            }
            pts.dedup();
            let segs = ring(&pts);
            let expected = brute_contact(&segs);
            match chain_contact(&segs, 1 << 30) {
                Some(Sweep::Clear) => {
                    assert!(!expected, "missed a contact in {pts:?}");
                    clear += 1;
                }
                Some(Sweep::Contact(s, t)) => {
                    assert!(expected && s.tag.1 < t.tag.1);
                    assert!(crate::grading::sweep::segments_touch(s.a, s.b, t.a, t.b));
                    contact += 1;
                }
                Some(Sweep::TooDense(_)) => panic!("no budget was set"),
                None => grid += 1,
            }
        }
        // Both outcomes were exercised, nearly always by chains.
        assert!(
            clear > 30 && contact > 30 && grid < 30,
            "{clear} clear, {contact} contacts, {grid} left to the grid"
        );
    }

    #[test]
    fn jagged_rings_are_left_to_the_grid() {
        let zigzag: Vec<(f64, f64)> = (0..400)
            .map(|k| {
                let t = std::f64::consts::TAU * k as f64 / 400.0;
                let r = if k % 2 == 0 { 1000.0 } else { 1040.0 };
                (r * t.cos(), r * t.sin())
            })
            .collect();
        assert!(chain_contact(&ring(&zigzag), 1 << 30).is_none());
    }
}
