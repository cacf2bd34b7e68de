//! Exact discrete Fréchet distance by dynamic programming: O(n·m) time, one row of memory, no
//! recursion (the textbook recursive form overflows the stack on long lines). GEOS's
//! `FrechetDistance` is occasionally inexact; this is the definition itself.

use geo::Coord;

fn d2(a: Coord, b: Coord) -> f64 {
    let (dx, dy) = (a.x - b.x, a.y - b.y);
    dx * dx + dy * dy
}

// Plain comparisons (no NaN handling: inputs are finite) compile to single min/max instructions;
// f64::min/max would not, and the inner loop is all there is to this algorithm.
#[inline(always)]
fn lesser(a: f64, b: f64) -> f64 {
    if a < b { a } else { b }
}

#[inline(always)]
fn greater(a: f64, b: f64) -> f64 {
    if a > b { a } else { b }
}

/// Discrete Fréchet distance between two vertex sequences; 0 when either is empty.
pub(crate) fn discrete_frechet(p: &[Coord], q: &[Coord]) -> f64 {
    // Keep the row over the shorter sequence.
    let (p, q) = if q.len() > p.len() { (q, p) } else { (p, q) };
    let (Some(&p0), Some(&q0)) = (p.first(), q.first()) else {
        return 0.0;
    };
    let mut row: Vec<f64> = Vec::with_capacity(q.len());
    let mut left = d2(p0, q0);
    row.push(left);
    for &qj in q.iter().skip(1) {
        left = greater(left, d2(p0, qj));
        row.push(left);
    }
    for &pi in p.iter().skip(1) {
        let Some(first) = row.first_mut() else { break };
        let mut diag = *first;
        *first = greater(*first, d2(pi, q0));
        let mut left = *first;
        for (cell, &qj) in row.iter_mut().skip(1).zip(q.iter().skip(1)) {
            let up = *cell;
            let v = greater(lesser(lesser(up, diag), left), d2(pi, qj));
            *cell = v;
            left = v;
            diag = up;
        }
    }
    row.last().copied().unwrap_or(0.0).sqrt()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn line(pts: &[(f64, f64)]) -> Vec<Coord> {
        pts.iter().map(|&(x, y)| Coord { x, y }).collect()
    }

    /// Memoised recursive definition (Eiter & Mannila 1994), for small cases only.
    fn reference(p: &[Coord], q: &[Coord]) -> f64 {
        let (n, m) = (p.len(), q.len());
        let mut ca = vec![vec![-1.0f64; m]; n];
        for i in 0..n {
            for j in 0..m {
                let d = d2(p[i], q[j]).sqrt();
                ca[i][j] = match (i, j) {
                    (0, 0) => d,
                    (0, _) => ca[0][j - 1].max(d),
                    (_, 0) => ca[i - 1][0].max(d),
                    _ => ca[i - 1][j].min(ca[i - 1][j - 1]).min(ca[i][j - 1]).max(d),
                };
            }
        }
        ca[n - 1][m - 1]
    }

    #[test]
    fn known_small_cases() {
        let p = line(&[(0., 0.), (1., 0.), (2., 0.)]);
        let q = line(&[(0., 1.), (1., 1.), (2., 1.)]);
        assert_eq!(discrete_frechet(&p, &q), 1.0);
        // Eiter & Mannila's point: the coupling may pause on a vertex.
        let q2 = line(&[(0., 1.), (2., 1.)]);
        assert!((discrete_frechet(&p, &q2) - 2f64.sqrt()).abs() < 1e-15);
        assert_eq!(discrete_frechet(&p, &p), 0.0);
    }

    #[test]
    fn a_line_against_its_reverse_is_its_span() {
        let p = line(&[(0., 0.), (1., 0.), (2., 0.), (3., 0.), (4., 0.)]);
        let r: Vec<Coord> = p.iter().rev().copied().collect();
        // Both walks must start at opposite ends: the first pair is 4 apart, so is the last.
        assert_eq!(discrete_frechet(&p, &r), 4.0);
        let zig = line(&[(0., 0.), (3., 4.), (6., 0.), (9., 4.)]);
        let gaz: Vec<Coord> = zig.iter().rev().copied().collect();
        assert_eq!(discrete_frechet(&zig, &gaz), reference(&zig, &gaz));
    }

    #[test]
    fn matches_the_recursive_definition() {
        let mut seed: u64 = 3;
        let mut rnd = || {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((seed >> 33) % 100) as f64
        };
        for _ in 0..200 {
            let n = 1 + (rnd() as usize % 9);
            let m = 1 + (rnd() as usize % 9);
            let p: Vec<Coord> = (0..n).map(|_| Coord { x: rnd(), y: rnd() }).collect();
            let q: Vec<Coord> = (0..m).map(|_| Coord { x: rnd(), y: rnd() }).collect();
            assert_eq!(discrete_frechet(&p, &q), reference(&p, &q));
            assert_eq!(discrete_frechet(&q, &p), reference(&p, &q));
        }
    }
}
