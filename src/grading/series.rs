//! Taylor series for the small arguments the projection gives them: every `atanh(e sin φ)` has
//! |e sin φ| ≤ e ≈ 0.082, the sinh of e times that stays below 0.0068, and a longitude within
//! Sweden lies less than 0.25 rad from any SWEREF 99 zone's central meridian (so do η and η' of
//! the inverse, and the conformal sphere's small angles stay below 0.02); a latitude's sine
//! and cosine come from a table of sixteenths of a radian turned by a short series. Summed as
//! polynomials they are exact to double precision there and several times cheaper than libm's
//! `log1p`, `exp`, `sin_cos` and `atan2`, which the projection and the area terms would otherwise
//! call for every vertex. Also rounding to an integer without a library call ([`nearest`]).

/// x rounded to the nearest integer (ties to even), by adding and taking away 1.5 · 2^52, whose
/// ulp is 1. `f64::round` is a library call on baseline x86-64 (no SSE4.1 `roundsd`): the
/// longitude wraps and the latitude table called it for every vertex and edge, 3 % of a polygon
/// grade. No caller depends on how ties go. Beyond ±2^51 (where the trick fails) and for NaN,
/// `f64::round`.
pub(crate) fn nearest(x: f64) -> f64 {
    const SHIFT: f64 = 6_755_399_441_055_744.0;
    const LIMIT: f64 = 2_251_799_813_685_248.0;
    if x.abs() < LIMIT {
        (x + SHIFT) - SHIFT
    } else {
        x.round()
    }
}

/// A longitude difference (radians) wrapped into [−π, π].
pub(crate) fn wrap_rad(dlon: f64) -> f64 {
    dlon - std::f64::consts::TAU * nearest(dlon / std::f64::consts::TAU)
}

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

/// atan t for |t| ≤ 0.02 (t Σ (−t²)^k / (2k + 1) through t^11; the first omitted term, t^13/13,
/// is below 4e-21 t).
pub(crate) fn atan_small(t: f64) -> f64 {
    debug_assert!(t.abs() <= 0.02, "atan_small({t})");
    let t2 = t * t;
    t * (1.0
        - t2 * (1.0 / 3.0 - t2 * (1.0 / 5.0 - t2 * (1.0 / 7.0 - t2 * (1.0 / 9.0 - t2 / 11.0)))))
}

/// sinh x and cosh x for |x| ≤ 0.25 (through x^13/13! and x^14/14!; the first omitted terms,
/// x^15/15! and x^16/16!, are below 1e-21 x and 3e-23).
pub(crate) fn sinh_cosh_small(x: f64) -> (f64, f64) {
    debug_assert!(x.abs() <= 0.25, "sinh_cosh_small({x})");
    let x2 = x * x;
    let sinh = x
        * (1.0
            + x2 * (1.0 / 6.0
                + x2 * (1.0 / 120.0
                    + x2 * (1.0 / 5040.0
                        + x2 * (1.0 / 362_880.0
                            + x2 * (1.0 / 39_916_800.0 + x2 / 6_227_020_800.0))))));
    let cosh = 1.0
        + x2 * (0.5
            + x2 * (1.0 / 24.0
                + x2 * (1.0 / 720.0
                    + x2 * (1.0 / 40320.0
                        + x2 * (1.0 / 3_628_800.0
                            + x2 * (1.0 / 479_001_600.0 + x2 / 87_178_291_200.0))))));
    (sinh, cosh)
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

/// Largest |x| [`sin_cos_lat`] takes from its table (about 80°); beyond, cos x is small enough
/// that the table's rotation would lose its relative precision, and libm answers.
const TABLE_LIMIT: f64 = 1.4;

/// sin and cos of k/16 for k = 0..=23 (0 to 1.44 rad), as libm gives them (the test checks);
/// written out so that no lazy initialisation is checked on each call.
const SIXTEENTHS: [(f64, f64); 24] = [
    (0.0, 1.0),
    (0.0624593178423802, 0.9980475107000991),
    (0.12467473338522769, 0.992197667229329),
    (0.18640329676226988, 0.9824733131012553),
    (0.24740395925452294, 0.9689124217106447),
    (0.30743851458038085, 0.9515679480481722),
    (0.36627252908604757, 0.9305076219123143),
    (0.42367625720393803, 0.9058136834259364),
    (0.479425538604203, 0.8775825618903728),
    (0.5333026735360201, 0.8459244992310679),
    (0.5850972729404622, 0.8109631195052179),
    (0.6346070800152693, 0.7728349461524715),
    (0.6816387600233341, 0.7316888688738209),
    (0.7260086552607126, 0.6876855622205048),
    (0.7675435022360271, 0.6409968581633251),
    (0.806081108260693, 0.5918050750924775),
    (0.8414709848078965, 0.5403023058681398),
    (0.8735749351670711, 0.4866896677019633),
    (0.9022675940990952, 0.4311765167986662),
    (0.9274369173848677, 0.37397963082453317),
    (0.9489846193555862, 0.3153223623952687),
    (0.9668265566961802, 0.2554337668888117),
    (0.9808930570231557, 0.19454770798898718),
    (0.9911291909537616, 0.13290194445282522),
];

/// sin x and cos x of a latitude (radians) within about 80° of the equator, in about half the
/// instructions of libm's `sin_cos`, which the projection and the area terms call for every vertex:
/// x = k/16 + d with |d| ≤ 1/32 (exact, by Sterbenz's lemma), the tabled sine and cosine of k/16
/// turned by d's series (first omitted terms below 1e-22). Within 2 ulp of libm (tested).
pub(crate) fn sin_cos_lat(x: f64) -> (f64, f64) {
    if x.is_nan() || x.abs() > TABLE_LIMIT {
        return x.sin_cos();
    }
    let k = nearest(x.abs() * 16.0);
    let d = x.abs() - k / 16.0;
    let Some(&(sk, ck)) = SIXTEENTHS.get(k as usize) else {
        return x.sin_cos();
    };
    let d2 = d * d;
    let sd =
        d * (1.0 - d2 * (1.0 / 6.0 - d2 * (1.0 / 120.0 - d2 * (1.0 / 5040.0 - d2 / 362_880.0))));
    let cd = 1.0 - d2 * (0.5 - d2 * (1.0 / 24.0 - d2 * (1.0 / 720.0 - d2 / 40320.0)));
    let sin = sk * cd + ck * sd;
    let cos = ck * cd - sk * sd;
    (sin.copysign(x), cos)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn latitude_sin_cos_is_within_two_ulp_of_libm() {
        let ulps = |a: f64, b: f64| (a - b).abs() / (f64::EPSILON * b.abs().max(f64::MIN_POSITIVE));
        let mut worst: f64 = 0.0;
        for i in -200_000..=200_000 {
            let x = 1.5 * f64::from(i) / 200_000.0;
            let ((sin, cos), (exact_sin, exact_cos)) = (sin_cos_lat(x), x.sin_cos());
            worst = worst.max(ulps(sin, exact_sin)).max(ulps(cos, exact_cos));
        }
        assert!(worst <= 2.0, "{worst} ulp");
        for (k, &(sin, cos)) in SIXTEENTHS.iter().enumerate() {
            let (exact_sin, exact_cos) = (k as f64 / 16.0).sin_cos();
            assert!(
                ulps(sin, exact_sin) <= 1.0 && ulps(cos, exact_cos) <= 1.0,
                "k = {k}"
            );
        }
        assert_eq!(sin_cos_lat(-0.0).0.to_bits(), (-0.0f64).to_bits());
        assert!(sin_cos_lat(f64::NAN).0.is_nan());
    }

    #[test]
    fn nearest_rounds_like_round_but_for_ties() {
        let mut x: f64 = 1e-3;
        while x < 1e17 {
            for v in [x, -x, x + 0.25, -x - 0.75, x.floor() + 0.5] {
                let (fast, libm) = (nearest(v), v.round());
                let tie = v.fract().abs() == 0.5;
                assert!(
                    fast == libm || (tie && (fast - libm).abs() == 1.0 && fast % 2.0 == 0.0),
                    "{v}: {fast} vs {libm}"
                );
            }
            x *= 1.37;
        }
        assert_eq!(nearest(2.5), 2.0);
        assert_eq!(nearest(-3.5), -4.0);
        assert!(nearest(f64::NAN).is_nan());
        assert_eq!(nearest(f64::INFINITY), f64::INFINITY);
        let pi = std::f64::consts::PI;
        assert!((wrap_rad(1.5 * pi) + 0.5 * pi).abs() < 1e-15);
        assert!((wrap_rad(-1.9 * pi) - 0.1 * pi).abs() < 1e-15);
        assert_eq!(wrap_rad(0.3), 0.3);
    }

    #[test]
    fn series_match_libm_over_their_range() {
        for i in -10_000..=10_000 {
            let u = 0.1 * f64::from(i) / 10_000.0;
            let (fast, exact) = (atanh_small(u), u.atanh());
            assert!(
                (fast - exact).abs() <= 2.0 * f64::EPSILON * exact.abs(),
                "atanh {u}: {fast} vs {exact}"
            );
            let t = 0.02 * f64::from(i) / 10_000.0;
            let (fast, exact) = (atan_small(t), t.atan());
            assert!(
                (fast - exact).abs() <= 2.0 * f64::EPSILON * exact.abs(),
                "atan {t}: {fast} vs {exact}"
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
            let (sinh, cosh) = sinh_cosh_small(x);
            assert!(
                (sinh - x.sinh()).abs() <= 2.0 * f64::EPSILON * x.sinh().abs()
                    && (cosh - x.cosh()).abs() <= 2.0 * f64::EPSILON * x.cosh(),
                "sinh_cosh {x}: {sinh}, {cosh}"
            );
        }
    }
}
