//! A uniform grid over segments' boxes, the candidate search of the two near-linear checks on
//! the request path: the validity check (an answer's segments against each other) and the edge
//! overlay (an answer's edges against the key's). Cells are about as large as a segment, so a
//! drawing's segments meet only their neighbours; each caller keeps its own rule for which pairs
//! it takes from a cell.

use geo::Coord;

use super::planar::segment_box;

/// Items bucketed by the cells their segment's box covers, as compressed rows: the items of cell
/// `c` (row-major) are `items[start[c]..start[c + 1]]`.
#[derive(Debug, Clone)]
pub(crate) struct Grid<T> {
    x0: f64,
    y0: f64,
    /// Columns and rows per unit of x and y.
    inv_x: f64,
    inv_y: f64,
    nx: usize,
    ny: usize,
    start: Vec<u32>,
    items: Vec<T>,
}

/// Column and row ranges (inclusive) of the cells a box covers.
pub(crate) type CellRange = ((usize, usize), (usize, usize));

impl<T: Copy + Default> Grid<T> {
    /// Buckets the segments `segments()` yields (payload and ends; the closure is called three
    /// times and must yield the same segments each time). Cells are sized so that there are at
    /// most `cells_per_segment` of them per segment (more where segments are long); `None` for
    /// fewer than one segment, a degenerate extent, or when the boxes would fill more than
    /// `max_entries_per_segment` cells per segment on average (long spikes across the drawing),
    /// where the caller has a better search.
    pub(crate) fn new<I>(
        segments: impl Fn() -> I,
        cells_per_segment: f64,
        max_entries_per_segment: usize,
    ) -> Option<Grid<T>>
    where
        I: Iterator<Item = (T, Coord, Coord)>,
    {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        let (mut n, mut extent) = (0usize, 0.0);
        for (_, a, b) in segments() {
            x0 = x0.min(a.x.min(b.x));
            x1 = x1.max(a.x.max(b.x));
            y0 = y0.min(a.y.min(b.y));
            y1 = y1.max(a.y.max(b.y));
            extent += (a.x - b.x).abs().max((a.y - b.y).abs());
            n += 1;
        }
        if n == 0 || !(x1 > x0 && y1 > y0) {
            return None;
        }
        let per = n as f64;
        let cell = (extent / per).max(((x1 - x0) * (y1 - y0) / (cells_per_segment * per)).sqrt());
        let nx = (((x1 - x0) / cell) as usize).clamp(1, 4096);
        let ny = (((y1 - y0) / cell) as usize).clamp(1, 4096);
        // Scaled so that the far sides fall inside the last column and row.
        let shrink = 1.0 - 1e-9;
        let mut grid = Grid {
            x0,
            y0,
            inv_x: nx as f64 / (x1 - x0) * shrink,
            inv_y: ny as f64 / (y1 - y0) * shrink,
            nx,
            ny,
            start: vec![0; nx * ny + 1],
            items: Vec::new(),
        };
        // Count per cell, then fill; each segment's cells are computed once.
        let max_entries = max_entries_per_segment.saturating_mul(n);
        let mut entries = 0usize;
        let mut ranges = Vec::with_capacity(n);
        for (_, a, b) in segments() {
            let range @ ((cx0, cx1), (cy0, cy1)) = grid.cells(a, b)?;
            entries += (cx1 - cx0 + 1) * (cy1 - cy0 + 1);
            if entries > max_entries {
                return None;
            }
            for y in cy0..=cy1 {
                for x in cx0..=cx1 {
                    *grid.start.get_mut(y * nx + x + 1)? += 1;
                }
            }
            ranges.push(range);
        }
        for c in 0..nx * ny {
            let before = *grid.start.get(c)?;
            *grid.start.get_mut(c + 1)? += before;
        }
        let mut fill = grid.start.clone();
        grid.items = vec![T::default(); entries];
        for ((item, _, _), ((cx0, cx1), (cy0, cy1))) in segments().zip(ranges) {
            for y in cy0..=cy1 {
                for x in cx0..=cx1 {
                    let at = fill.get_mut(y * nx + x)?;
                    *grid.items.get_mut(*at as usize)? = item;
                    *at += 1;
                }
            }
        }
        Some(grid)
    }

    /// The cells segment `ab`'s box covers, clamped to the grid; `None` when the box lies
    /// wholly outside.
    pub(crate) fn cells(&self, a: Coord, b: Coord) -> Option<CellRange> {
        let range = |lo: f64, hi: f64, origin: f64, inv: f64, n: usize| {
            let (l, h) = ((lo - origin) * inv, (hi - origin) * inv);
            if h < 0.0 || l >= n as f64 {
                return None;
            }
            Some((cell_of(l, n), cell_of(h, n)))
        };
        let (lo, hi) = segment_box(a, b);
        Some((
            range(lo.x, hi.x, self.x0, self.inv_x, self.nx)?,
            range(lo.y, hi.y, self.y0, self.inv_y, self.ny)?,
        ))
    }

    /// The row-major index of the cell holding `p`, clamped to the grid.
    pub(crate) fn index_of(&self, p: Coord) -> usize {
        let x = cell_of((p.x - self.x0) * self.inv_x, self.nx);
        let y = cell_of((p.y - self.y0) * self.inv_y, self.ny);
        y * self.nx + x
    }

    /// The items of the cell in column `x`, row `y`.
    pub(crate) fn cell(&self, x: usize, y: usize) -> &[T] {
        self.at(y * self.nx + x)
    }

    /// Every cell's row-major index and items.
    pub(crate) fn all(&self) -> impl Iterator<Item = (usize, &[T])> {
        (0..self.nx * self.ny).map(|c| (c, self.at(c)))
    }

    fn at(&self, c: usize) -> &[T] {
        match (self.start.get(c), self.start.get(c + 1)) {
            (Some(&s), Some(&e)) => self.items.get(s as usize..e as usize).unwrap_or_default(),
            _ => &[],
        }
    }
}

/// Column (or row) `t` (in cell units from the grid's origin) falls in, clamped to `0..n`.
/// Through `u32` because a saturating cast to it is a few instructions cheaper than to `usize`,
/// and this runs for every segment and query (n ≤ 4096).
fn cell_of(t: f64, n: usize) -> usize {
    (t.max(0.0) as u32 as usize).min(n - 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(x: f64, y: f64) -> Coord {
        Coord { x, y }
    }

    #[test]
    fn every_segment_is_in_each_cell_its_box_covers_and_no_other() {
        // One long diagonal among short segments (cells about as large as the short ones).
        let mut segs = vec![(c(0.0, 0.0), c(10.0, 10.0))];
        segs.extend((0..9).map(|i| {
            let x = f64::from(i) * 1.2;
            (c(x, 9.0 - x), c(x + 0.5, 9.4 - x))
        }));
        let grid: Grid<u32> = Grid::new(
            || segs.iter().enumerate().map(|(i, &(a, b))| (i as u32, a, b)),
            16.0,
            usize::MAX,
        )
        .unwrap_or_else(|| unreachable!("ten segments with an extent"));
        assert!(grid.nx > 1 && grid.ny > 1, "{}×{}", grid.nx, grid.ny);
        for (i, &(a, b)) in segs.iter().enumerate() {
            let Some(((x0, x1), (y0, y1))) = grid.cells(a, b) else {
                unreachable!("inside")
            };
            for (cell, items) in grid.all() {
                let (x, y) = (cell % grid.nx, cell / grid.nx);
                let covered = (x0..=x1).contains(&x) && (y0..=y1).contains(&y);
                assert_eq!(items.contains(&(i as u32)), covered, "{i} in {x},{y}");
            }
        }
        // The far corner falls in the last cell; a box outside covers none.
        assert_eq!(grid.index_of(c(10.0, 10.0)), grid.nx * grid.ny - 1);
        assert!(grid.cells(c(11.0, 0.0), c(12.0, 1.0)).is_none());
        // Too many entries per segment: the caller's other search.
        let long: Option<Grid<u32>> = Grid::new(
            || segs.iter().enumerate().map(|(i, &(a, b))| (i as u32, a, b)),
            16.0,
            1,
        );
        assert!(long.is_none());
    }
}
