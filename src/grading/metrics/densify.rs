//! Densifying lines in the plane before Hausdorff and Fréchet, as GEOS/Shapely `segmentize`:
//! each segment is split into ceil(len / max_len) equal parts. Without it, two lines with few
//! vertices could be far apart mid-segment and still look close vertex by vertex.

use geo::Coord;

/// The densified vertex count, computed before allocating, so a hostile answer is refused cheaply.
pub(crate) fn densified_len(line: &[Coord], max_len: f64) -> usize {
    let mut n = usize::from(!line.is_empty());
    for w in line.windows(2) {
        if let [a, b] = w {
            n = n.saturating_add(parts(*a, *b, max_len));
        }
    }
    n
}

fn parts(a: Coord, b: Coord, max_len: f64) -> usize {
    let len = (b.x - a.x).hypot(b.y - a.y);
    if len <= max_len {
        1
    } else {
        // Saturating float→int cast: absurd ratios become usize::MAX and are refused upstream.
        (len / max_len).ceil() as usize
    }
}

/// The densified line. Consecutive repeated positions are dropped (as GEOS does); they change
/// neither Hausdorff nor discrete Fréchet.
pub(crate) fn densify(line: &[Coord], max_len: f64) -> Vec<Coord> {
    let mut out: Vec<Coord> = Vec::with_capacity(densified_len(line, max_len).min(1 << 20));
    let push = |c: Coord, out: &mut Vec<Coord>| {
        if out.last() != Some(&c) {
            out.push(c);
        }
    };
    for w in line.windows(2) {
        if let [a, b] = w {
            let n = parts(*a, *b, max_len);
            push(*a, &mut out);
            for k in 1..n {
                let t = k as f64 / n as f64;
                push(
                    Coord {
                        x: a.x + t * (b.x - a.x),
                        y: a.y + t * (b.y - a.y),
                    },
                    &mut out,
                );
            }
        }
    }
    if let Some(last) = line.last() {
        push(*last, &mut out);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splits_into_equal_parts() {
        let l = [Coord { x: 0.0, y: 0.0 }, Coord { x: 2500.0, y: 0.0 }];
        let d = densify(&l, 1000.0);
        let xs: Vec<f64> = d.iter().map(|c| c.x).collect();
        let expected = [0.0, 2500.0 / 3.0, 5000.0 / 3.0, 2500.0];
        assert_eq!(xs.len(), expected.len());
        assert!(
            xs.iter().zip(expected).all(|(a, b)| (a - b).abs() < 1e-9),
            "{xs:?}"
        );
        assert_eq!(densified_len(&l, 1000.0), 4);
        let exact = [Coord { x: 0.0, y: 0.0 }, Coord { x: 1000.0, y: 0.0 }];
        assert_eq!(densify(&exact, 1000.0).len(), 2);
    }
}
