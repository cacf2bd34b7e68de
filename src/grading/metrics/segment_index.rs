//! A packed (sort-tile-recursive) R-tree over segments, built once and queried for the nearest
//! segment to a point. Hausdorff needs "distance from a vertex to the other *line*", which by
//! brute force is n·m point-segment distances; with the tree and an early exit (stop as soon as
//! the vertex is known not to raise the running maximum) it is close to n log m.

use geo::Coord;

use crate::grading::planar::{point_segment, segment_box};
use crate::grading::sweep::segments_touch;

const NODE: usize = 8;

#[derive(Debug, Clone, Copy)]
struct Rect {
    min: Coord,
    max: Coord,
}

impl Rect {
    fn empty() -> Rect {
        Rect {
            min: Coord {
                x: f64::MAX,
                y: f64::MAX,
            },
            max: Coord {
                x: f64::MIN,
                y: f64::MIN,
            },
        }
    }
    fn add(&mut self, o: &Rect) {
        self.min.x = self.min.x.min(o.min.x);
        self.min.y = self.min.y.min(o.min.y);
        self.max.x = self.max.x.max(o.max.x);
        self.max.y = self.max.y.max(o.max.y);
    }
    fn of_segment(a: Coord, b: Coord) -> Rect {
        let (min, max) = segment_box(a, b);
        Rect { min, max }
    }
    fn dist2(&self, p: Coord) -> f64 {
        let dx = (self.min.x - p.x).max(p.x - self.max.x).max(0.0);
        let dy = (self.min.y - p.y).max(p.y - self.max.y).max(0.0);
        dx * dx + dy * dy
    }
    fn overlaps(&self, o: &Rect) -> bool {
        self.min.x <= o.max.x
            && o.min.x <= self.max.x
            && self.min.y <= o.max.y
            && o.min.y <= self.max.y
    }
}

/// Immutable index of segments (a point can be stored as a zero-length segment).
#[derive(Debug, Clone)]
pub(crate) struct SegmentIndex {
    segs: Vec<(Coord, Coord)>,
    /// `levels[0]` has one box per group of `NODE` segments; `levels[k + 1]` one per group of
    /// `NODE` boxes of `levels[k]`. The last level has at most `NODE` boxes.
    levels: Vec<Vec<Rect>>,
}

/// Reusable state for queries, so that a Hausdorff pass does not allocate per vertex.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    stack: Vec<(f64, usize, usize)>,
    /// The leaf where the last query found its segment. Consecutive vertices of a line are
    /// near each other, so their nearest segments mostly share a leaf: looking there first
    /// usually ends an early-exit query after eight distances, without walking the tree.
    hint: Option<usize>,
}

impl SegmentIndex {
    pub(crate) fn new(mut segs: Vec<(Coord, Coord)>) -> SegmentIndex {
        let centre = |s: &(Coord, Coord)| Coord {
            x: (s.0.x + s.1.x) / 2.0,
            y: (s.0.y + s.1.y) / 2.0,
        };
        segs.sort_by(|a, b| centre(a).x.total_cmp(&centre(b).x));
        let leaves = segs.len().div_ceil(NODE);
        let slices = (leaves as f64).sqrt().ceil().max(1.0) as usize;
        let per_slice = slices * NODE;
        for chunk in segs.chunks_mut(per_slice) {
            chunk.sort_by(|a, b| centre(a).y.total_cmp(&centre(b).y));
        }
        let mut levels = Vec::new();
        let mut level: Vec<Rect> = segs
            .chunks(NODE)
            .map(|c| {
                c.iter().fold(Rect::empty(), |mut r, s| {
                    r.add(&Rect::of_segment(s.0, s.1));
                    r
                })
            })
            .collect();
        loop {
            let done = level.len() <= NODE;
            let next: Vec<Rect> = level
                .chunks(NODE)
                .map(|c| {
                    c.iter().fold(Rect::empty(), |mut r, b| {
                        r.add(b);
                        r
                    })
                })
                .collect();
            levels.push(level);
            if done {
                break;
            }
            level = next;
        }
        SegmentIndex { segs, levels }
    }

    pub(crate) fn segments(&self) -> &[(Coord, Coord)] {
        &self.segs
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.segs.is_empty()
    }

    /// Squared distance from `p` to the nearest segment and the nearest point on it. With
    /// `good_enough` ≥ 0 the search stops as soon as a segment within that squared distance is
    /// found (the returned value is then ≤ `good_enough` but not necessarily the minimum).
    pub(crate) fn nearest(
        &self,
        p: Coord,
        good_enough: f64,
        scratch: &mut Scratch,
    ) -> Option<(f64, Coord)> {
        let mut best: Option<(f64, Coord)> = None;
        let best_d = |b: &Option<(f64, Coord)>| b.map_or(f64::INFINITY, |x| x.0);
        // The last query's leaf first: its best is a bound that prunes the walk, and often good
        // enough on its own. (Only an order of looking: the answer is the same either way.)
        let mut best_leaf = scratch.hint;
        if let Some(leaf) = scratch.hint {
            for s in self.segs.iter().skip(leaf * NODE).take(NODE) {
                let (d2, q) = point_segment(p, s.0, s.1);
                if d2 < best_d(&best) {
                    best = Some((d2, q));
                }
            }
            if best_d(&best) <= good_enough {
                return best;
            }
        }
        let stack = &mut scratch.stack;
        stack.clear();
        let top = self.levels.len().checked_sub(1)?;
        if let Some(boxes) = self.levels.get(top) {
            for (i, r) in boxes.iter().enumerate() {
                stack.push((r.dist2(p), top, i));
            }
        }
        stack.sort_by(|a, b| b.0.total_cmp(&a.0));
        while let Some((d, level, i)) = stack.pop() {
            if d >= best_d(&best) {
                continue;
            }
            if level == 0 {
                let from = i * NODE;
                for s in self.segs.iter().skip(from).take(NODE) {
                    let (d2, q) = point_segment(p, s.0, s.1);
                    if d2 < best_d(&best) {
                        best = Some((d2, q));
                        best_leaf = Some(i);
                    }
                }
                if best_d(&best) <= good_enough {
                    scratch.hint = best_leaf;
                    return best;
                }
                continue;
            }
            let Some(children) = self.levels.get(level - 1) else {
                continue;
            };
            let mark = stack.len();
            for (j, r) in children.iter().enumerate().skip(i * NODE).take(NODE) {
                let d = r.dist2(p);
                if d < best_d(&best) {
                    stack.push((d, level - 1, j));
                }
            }
            if let Some(new) = stack.get_mut(mark..) {
                new.sort_by(|a, b| b.0.total_cmp(&a.0));
            }
        }
        scratch.hint = best_leaf;
        best
    }

    /// Whether any indexed segment touches segment `ab`.
    pub(crate) fn touches_segment(&self, a: Coord, b: Coord) -> bool {
        let q = Rect::of_segment(a, b);
        let mut stack: Vec<(usize, usize)> = Vec::new();
        let Some(top) = self.levels.len().checked_sub(1) else {
            return false;
        };
        if let Some(boxes) = self.levels.get(top) {
            stack.extend((0..boxes.len()).map(|i| (top, i)));
        }
        while let Some((level, i)) = stack.pop() {
            let Some(r) = self.levels.get(level).and_then(|l| l.get(i)) else {
                continue;
            };
            if !r.overlaps(&q) {
                continue;
            }
            if level == 0 {
                if self
                    .segs
                    .iter()
                    .skip(i * NODE)
                    .take(NODE)
                    .any(|s| segments_touch(s.0, s.1, a, b))
                {
                    return true;
                }
            } else {
                let n = self.levels.get(level - 1).map_or(0, Vec::len);
                stack.extend((i * NODE..((i + 1) * NODE).min(n)).map(|j| (level - 1, j)));
            }
        }
        false
    }
}

/// Segments of a line (consecutive vertex pairs; a single vertex becomes a point segment).
pub(crate) fn line_segments(line: &[Coord]) -> impl Iterator<Item = (Coord, Coord)> + '_ {
    let single = (line.len() == 1)
        .then(|| line.first().map(|c| (*c, *c)))
        .flatten();
    line.windows(2)
        .filter_map(|w| match w {
            [a, b] => Some((*a, *b)),
            _ => None,
        })
        .chain(single)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn nearest_matches_brute_force() {
        let mut lcg = crate::grading::test_support::Lcg::new(42);
        let mut rnd = || lcg.unit() * 1000.0;
        let segs: Vec<(Coord, Coord)> = (0..500)
            .map(|_| (c(rnd(), rnd()), c(rnd(), rnd())))
            .collect();
        let index = SegmentIndex::new(segs.clone());
        let mut scratch = Scratch::default();
        for _ in 0..200 {
            let p = c(rnd() * 1.5 - 250.0, rnd() * 1.5 - 250.0);
            let brute = segs
                .iter()
                .map(|s| point_segment(p, s.0, s.1).0)
                .fold(f64::INFINITY, f64::min);
            let got = index.nearest(p, -1.0, &mut scratch).map(|x| x.0);
            assert_eq!(got, Some(brute));
            let a = c(rnd(), rnd());
            let b = c(rnd(), rnd());
            let brute_touch = segs.iter().any(|s| segments_touch(s.0, s.1, a, b));
            assert_eq!(index.touches_segment(a, b), brute_touch);
        }
    }
}
