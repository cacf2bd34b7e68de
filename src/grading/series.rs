//! Taylor series for the small arguments the projection gives them: every `atanh(e sin φ)` has
//! |e sin φ| ≤ e ≈ 0.082, the sinh of e times that stays below 0.0068, and a longitude within
//! Sweden lies less than 0.25 rad from any SWEREF 99 zone's central meridian. Summed as
//! polynomials they are exact to double precision there and several times cheaper than libm's
//! `log1p`, `exp` and `sin_cos`, which the projection and the area terms would otherwise call for
//! every vertex.

/// atanh u for |u| ≤ 0.1 (u Σ u^2k / (2k + 1); the first omitted term, u^20/21, is below 5e-22 u).
pub(crate) fn atanh_small(u: f64) -> f64 {
    debug_assert!(u.abs() <= 0.1, "atanh_small({u})");
    let u2 = u * u;
    u * (1.0
        + u2 * (1.0 / 3.0
            + u2 * (1.0 / 5.0
                + u2 * (1.0 / 7.0
                    + u2 * (1.0 / 9.0
                        + u2 * (1.0 / 11.0
                            + u2 * (1.0 / 13.0
                                + u2 * (1.0 / 15.0 + u2 * (1.0 / 17.0 + u2 / 19.0)))))))))
}

/// sinh y for |y| ≤ 0.01 (y Σ y^2k / (2k + 1)!; the first omitted term, y^10/11!, is below 3e-28 y).
pub(crate) fn sinh_small(y: f64) -> f64 {
    debug_assert!(y.abs() <= 0.01, "sinh_small({y})");
    let y2 = y * y;
    y * (1.0 + y2 * (1.0 / 6.0 + y2 * (1.0 / 120.0 + y2 * (1.0 / 5040.0 + y2 / 362_880.0))))
}

/// sin x and cos x for |x| ≤ 0.25 (through x^13/13! and x^12/12!; the first omitted terms,
/// x^15/15! and x^14/14!, are below 1e-21 and 5e-20).
pub(crate) fn sin_cos_small(x: f64) -> (f64, f64) {
    debug_assert!(x.abs() <= 0.25, "sin_cos_small({x})");
    let x2 = x * x;
    let sin = x
        * (1.0
            - x2 * (1.0 / 6.0
                - x2 * (1.0 / 120.0
                    - x2 * (1.0 / 5040.0
                        - x2 * (1.0 / 362_880.0
                            - x2 * (1.0 / 39_916_800.0 - x2 / 6_227_020_800.0))))));
    let cos = 1.0
        - x2 * (0.5
            - x2 * (1.0 / 24.0
                - x2 * (1.0 / 720.0
                    - x2 * (1.0 / 40320.0 - x2 * (1.0 / 3_628_800.0 - x2 / 479_001_600.0)))));
    (sin, cos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn series_match_libm_over_their_range() {
        for i in -10_000..=10_000 {
            let u = 0.1 * f64::from(i) / 10_000.0;
            let (fast, exact) = (atanh_small(u), u.atanh());
            assert!(
                (fast - exact).abs() <= 2.0 * f64::EPSILON * exact.abs(),
                "atanh {u}: {fast} vs {exact}"
            );
            let y = 0.01 * f64::from(i) / 10_000.0;
            let (fast, exact) = (sinh_small(y), y.sinh());
            assert!(
                (fast - exact).abs() <= 2.0 * f64::EPSILON * exact.abs(),
                "sinh {y}: {fast} vs {exact}"
            );
            let x = 0.25 * f64::from(i) / 10_000.0;
            let ((sin, cos), (exact_sin, exact_cos)) = (sin_cos_small(x), x.sin_cos());
            assert!(
                (sin - exact_sin).abs() <= 2.0 * f64::EPSILON * exact_sin.abs()
                    && (cos - exact_cos).abs() <= 2.0 * f64::EPSILON,
                "sin_cos {x}: {sin}, {cos} vs {exact_sin}, {exact_cos}"
            );
        }
    }
}
