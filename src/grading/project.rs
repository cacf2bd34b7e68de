//! Transverse Mercator for SWEREF 99 TM (EPSG:3006) and the twelve local SWEREF 99 zones
//! (EPSG:3007–3018), forward and inverse, written out here so that grading needs no PROJ.
//!
//! Shape comparisons (IoU, Hausdorff, Fréchet, containment) run in the EPSG:3006 plane;
//! `read_coordinates` answers are given in one of these CRSs. The method is the Krüger series to
//! sixth order in the third flattening n (Karney 2011, "Transverse Mercator with an accuracy of a
//! few nanometers", eqs. 35–36; the same series as Lantmäteriet's "Gauss-Krüger formulas"), which is
//! also what PROJ's `tmerc` uses, so results agree with PROJ far below a millimetre inside Sweden.

use geo::Coord;

use super::series::{
    atan_small, atanh_small, sin_cos_lat, sin_cos_small, sinh_cosh_small, sinh_small,
};

/// GRS 80 semi-major axis (m).
const A: f64 = 6_378_137.0;
/// GRS 80 flattening.
const F: f64 = 1.0 / 298.257_222_101;

/// One transverse Mercator projection on GRS 80.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct TransverseMercator {
    lon0: f64,
    k0: f64,
    false_easting: f64,
    false_northing: f64,
}

/// A CRS that answers and keys may be read in: SWEREF 99 TM or one of the local zones.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub(crate) struct Crs {
    epsg: u16,
}

/// Central meridians of EPSG:3007 … EPSG:3018 in order (Lantmäteriet's SWEREF 99 local zones).
const LOCAL_MERIDIANS: [f64; 12] = [
    12.00, 13.50, 15.00, 16.50, 18.00, 14.25, 15.75, 17.25, 18.75, 20.25, 21.75, 23.25,
];

impl Crs {
    pub(crate) const SWEREF99_TM: Crs = Crs { epsg: 3006 };

    /// Parses `"EPSG:3006"` … `"EPSG:3018"`.
    pub(crate) fn parse(name: &str) -> Option<Crs> {
        let code: u16 = name.strip_prefix("EPSG:")?.parse().ok()?;
        (3006..=3018).contains(&code).then_some(Crs { epsg: code })
    }

    pub(crate) fn from_epsg(code: u16) -> Option<Crs> {
        (3006..=3018).contains(&code).then_some(Crs { epsg: code })
    }

    pub(crate) fn name(self) -> String {
        format!("EPSG:{}", self.epsg)
    }

    pub(crate) fn projection(self) -> TransverseMercator {
        match self
            .epsg
            .checked_sub(3007)
            .and_then(|i| LOCAL_MERIDIANS.get(usize::from(i)))
        {
            Some(&lon0) => TransverseMercator {
                lon0,
                k0: 1.0,
                false_easting: 150_000.0,
                false_northing: 0.0,
            },
            None => TransverseMercator::SWEREF99_TM,
        }
    }
}

/// Series coefficients derived from the ellipsoid; constant for GRS 80, so computed once.
struct Series {
    /// Rectifying radius A of Karney's eq. (14).
    rect_radius: f64,
    alpha: [f64; 6],
    beta: [f64; 6],
    /// Conformal → geodetic latitude (φ = χ + Σ δ_j sin 2jχ).
    delta: [f64; 6],
    /// Geodetic → conformal latitude (χ = φ + Σ γ_j sin 2jφ; PROJ's `cbg`, Karney 2011 eq. 22's
    /// companion).
    gamma: [f64; 6],
    e: f64,
}

fn series() -> &'static Series {
    static SERIES: std::sync::OnceLock<Series> = std::sync::OnceLock::new();
    SERIES.get_or_init(|| {
        let n = F / (2.0 - F);
        let n2 = n * n;
        let n3 = n2 * n;
        let n4 = n3 * n;
        let n5 = n4 * n;
        let n6 = n5 * n;
        let rect_radius = A / (1.0 + n) * (1.0 + n2 / 4.0 + n4 / 64.0 + n6 / 256.0);
        let alpha = [
            n / 2.0 - 2.0 / 3.0 * n2 + 5.0 / 16.0 * n3 + 41.0 / 180.0 * n4 - 127.0 / 288.0 * n5
                + 7891.0 / 37800.0 * n6,
            13.0 / 48.0 * n2 - 3.0 / 5.0 * n3 + 557.0 / 1440.0 * n4 + 281.0 / 630.0 * n5
                - 1_983_433.0 / 1_935_360.0 * n6,
            61.0 / 240.0 * n3 - 103.0 / 140.0 * n4
                + 15061.0 / 26880.0 * n5
                + 167_603.0 / 181_440.0 * n6,
            49561.0 / 161_280.0 * n4 - 179.0 / 168.0 * n5 + 6_601_661.0 / 7_257_600.0 * n6,
            34729.0 / 80640.0 * n5 - 3_418_889.0 / 1_995_840.0 * n6,
            212_378_941.0 / 319_334_400.0 * n6,
        ];
        let beta = [
            n / 2.0 - 2.0 / 3.0 * n2 + 37.0 / 96.0 * n3 - 1.0 / 360.0 * n4 - 81.0 / 512.0 * n5
                + 96199.0 / 604_800.0 * n6,
            n2 / 48.0 + n3 / 15.0 - 437.0 / 1440.0 * n4 + 46.0 / 105.0 * n5
                - 1_118_711.0 / 3_870_720.0 * n6,
            17.0 / 480.0 * n3 - 37.0 / 840.0 * n4 - 209.0 / 4480.0 * n5 + 5569.0 / 90720.0 * n6,
            4397.0 / 161_280.0 * n4 - 11.0 / 504.0 * n5 - 830_251.0 / 7_257_600.0 * n6,
            4583.0 / 161_280.0 * n5 - 108_847.0 / 3_991_680.0 * n6,
            20_648_693.0 / 638_668_800.0 * n6,
        ];
        let delta = [
            2.0 * n - 2.0 / 3.0 * n2 - 2.0 * n3 + 116.0 / 45.0 * n4 + 26.0 / 45.0 * n5
                - 2854.0 / 675.0 * n6,
            7.0 / 3.0 * n2 - 8.0 / 5.0 * n3 - 227.0 / 45.0 * n4
                + 2704.0 / 315.0 * n5
                + 2323.0 / 945.0 * n6,
            56.0 / 15.0 * n3 - 136.0 / 35.0 * n4 - 1262.0 / 105.0 * n5 + 73814.0 / 2835.0 * n6,
            4279.0 / 630.0 * n4 - 332.0 / 35.0 * n5 - 399_572.0 / 14175.0 * n6,
            4174.0 / 315.0 * n5 - 144_838.0 / 6237.0 * n6,
            601_676.0 / 22275.0 * n6,
        ];
        let gamma = [
            -2.0 * n + 2.0 / 3.0 * n2 + 4.0 / 3.0 * n3 - 82.0 / 45.0 * n4
                + 32.0 / 45.0 * n5
                + 4642.0 / 4725.0 * n6,
            5.0 / 3.0 * n2 - 16.0 / 15.0 * n3 - 13.0 / 9.0 * n4 + 904.0 / 315.0 * n5
                - 1522.0 / 945.0 * n6,
            -26.0 / 15.0 * n3 + 34.0 / 21.0 * n4 + 8.0 / 5.0 * n5 - 12686.0 / 2835.0 * n6,
            1237.0 / 630.0 * n4 - 12.0 / 5.0 * n5 - 24832.0 / 14175.0 * n6,
            -734.0 / 315.0 * n5 + 109_598.0 / 31185.0 * n6,
            444_337.0 / 155_925.0 * n6,
        ];
        let e2 = F * (2.0 - F);
        Series {
            rect_radius,
            alpha,
            beta,
            delta,
            gamma,
            e: e2.sqrt(),
        }
    })
}

/// τ' (tangent of the conformal latitude) from sin φ and cos φ (Karney 2011, eq. 7):
/// τ' = τ √(1 + σ²) − σ √(1 + τ²) with τ = tan φ, so √(1 + τ²) = 1 / cos φ, and
/// σ = sinh(e · atanh(e sin φ)), both by their series (`series`: e sin φ ≤ e, σ < 0.0068 at
/// every latitude; the closed form is the test's reference). From sine and cosine rather than
/// τ because one `sin_cos` costs less than `tan` and the square root it would need.
fn taupf(sin_phi: f64, cos_phi: f64, e: f64) -> f64 {
    let sig = sinh_small(e * atanh_small(e * sin_phi));
    sin_phi / cos_phi * norm(sig, 1.0) - sig / cos_phi
}

/// ξ' = atan2(τ', cos λ) for |λ| ≤ 0.25 without `atan2` (a tenth of a polygon grade's
/// projection): the conformal latitude χ = atan τ' by its series in φ (`gamma`), then ξ' − χ,
/// whose tangent τ'(1 − cos λ) / (cos λ + τ'²) is at most (1 − cos λ) / (2 √cos λ) < 0.016, by
/// atan's. The same route as PROJ's `tmerc`, which also takes χ from that series.
fn xip_near_meridian(
    phi: f64,
    sin_phi: f64,
    cos_phi: f64,
    taup: f64,
    cos_lam: f64,
    gamma: &[f64; 6],
) -> f64 {
    let chi = phi
        + clenshaw_sin(
            2.0 * sin_phi * cos_phi,
            (cos_phi - sin_phi) * (cos_phi + sin_phi),
            gamma,
        );
    chi + atan_small(taup * (1.0 - cos_lam) / (cos_lam + taup * taup))
}

/// √(x² + y²) without `hypot`'s guard against overflow, which costs more than the rest of the
/// sum and is not needed here: the arguments are tangents and hyperbolic sines of latitudes and
/// longitudes within a few tens of degrees of a central meridian (squares far below 1e300).
fn norm(x: f64, y: f64) -> f64 {
    (x * x + y * y).sqrt()
}

impl TransverseMercator {
    pub(crate) const SWEREF99_TM: TransverseMercator = TransverseMercator {
        lon0: 15.0,
        k0: 0.9996,
        false_easting: 500_000.0,
        false_northing: 0.0,
    };

    /// Longitude/latitude in degrees to easting/northing in metres (x = E, y = N).
    pub(crate) fn forward(&self, lon: f64, lat: f64) -> Coord {
        self.forward_sin_cos(lon, lat).0
    }

    /// [`Self::forward`], also giving the sine and cosine of the latitude (`sin_cos_lat`'s), which
    /// a polygon's area terms need again.
    pub(crate) fn forward_sin_cos(&self, lon: f64, lat: f64) -> (Coord, (f64, f64)) {
        let s = series();
        let lam = (lon - self.lon0).to_radians();
        // Within 14° of the central meridian (all of Sweden, for every zone) by the series
        // directly: through `sin_cos_lat`'s table, as the latitude goes, a grade cost 1 % more.
        let near = lam.abs() <= 0.25;
        let (sin_lam, cos_lam) = if near {
            sin_cos_small(lam)
        } else {
            lam.sin_cos()
        };
        let phi = lat.to_radians();
        let (sin_phi, cos_phi) = sin_cos_lat(phi);
        let taup = taupf(sin_phi, cos_phi, s.e);
        // On the conformal sphere: ξ' = atan2(τ', cos λ), sinh η' = sin λ / r with
        // r = √(τ'² + cos² λ). Their double angles, which the series needs, follow from the same
        // quantities (as in GeographicLib's TransverseMercator::Forward), not from sin/cos/exp.
        let r = norm(taup, cos_lam);
        let xip = if near {
            xip_near_meridian(phi, sin_phi, cos_phi, taup, cos_lam, &s.gamma)
        } else {
            taup.atan2(cos_lam)
        };
        let sinh_etap = sin_lam / r;
        let cosh_etap = norm(sinh_etap, 1.0);
        let etap = (sinh_etap.abs() + sinh_etap * sinh_etap / (1.0 + cosh_etap))
            .ln_1p()
            .copysign(sinh_etap);
        let r2 = r * r;
        let double = DoubleAngles {
            sin_2xi: 2.0 * taup * cos_lam / r2,
            cos_2xi: (cos_lam - taup) * (cos_lam + taup) / r2,
            sinh_2eta: 2.0 * sinh_etap * cosh_etap,
            cosh_2eta: 1.0 + 2.0 * sinh_etap * sinh_etap,
        };
        let (xi, eta) = clenshaw_complex(xip, etap, double, &s.alpha, 1.0);
        let scale = self.k0 * s.rect_radius;
        let plane = Coord {
            x: self.false_easting + scale * eta,
            y: self.false_northing + scale * xi,
        };
        (plane, (sin_phi, cos_phi))
    }

    /// Easting/northing in metres (x = E, y = N) to longitude/latitude in degrees.
    pub(crate) fn inverse(&self, c: Coord) -> Coord {
        let s = series();
        let scale = self.k0 * s.rect_radius;
        let xi = (c.y - self.false_northing) / scale;
        let eta = (c.x - self.false_easting) / scale;
        // Within 0.25 (1 600 km) of the central meridian, η's and η''s hyperbolic functions by
        // their series and ξ's and ξ''s sine and cosine by the latitude table, as in `forward`:
        // the inverse runs for every crossing of a polygon overlay.
        let near = eta.abs() <= 0.25;
        let (xip, etap) = if near {
            let (sin_xi, cos_xi) = sin_cos_lat(xi);
            let (sinh_eta, cosh_eta) = sinh_cosh_small(eta);
            let double = DoubleAngles {
                sin_2xi: 2.0 * sin_xi * cos_xi,
                cos_2xi: (cos_xi - sin_xi) * (cos_xi + sin_xi),
                sinh_2eta: 2.0 * sinh_eta * cosh_eta,
                cosh_2eta: 1.0 + 2.0 * sinh_eta * sinh_eta,
            };
            clenshaw_complex(xi, eta, double, &s.beta, -1.0)
        } else {
            krueger(xi, eta, &s.beta, -1.0)
        };
        let near = near && etap.abs() <= 0.25;
        let (sin_xip, cos_xip) = sin_cos_lat(xip);
        let sinh_etap = if near {
            sinh_cosh_small(etap).0
        } else {
            etap.sinh()
        };
        let r = norm(sinh_etap, cos_xip);
        // χ = atan2(sin ξ', r) = ξ' − δ, where tan δ = sin ξ' (r − cos ξ') / (r cos ξ' + sin² ξ')
        // and r − cos ξ' = sinh² η' / (r + cos ξ'): δ is below 0.02 near the meridian, where
        // atan's series takes it.
        let tan_delta =
            sin_xip * (sinh_etap * sinh_etap / (r + cos_xip)) / (r * cos_xip + sin_xip * sin_xip);
        let chi = if near && tan_delta.abs() <= 0.02 {
            xip - atan_small(tan_delta)
        } else {
            sin_xip.atan2(r)
        };
        let lam = sinh_etap.atan2(cos_xip);
        // Conformal to geodetic latitude by its series (Karney 2011, eq. 21's inverse; the
        // δ coefficients of Lantmäteriet's formulas): no Newton iterations needed. The series
        // wants sin 2χ and cos 2χ; sin χ and cos χ are the atan2's arguments over their norm.
        let hyp = norm(sin_xip, r);
        let (sin_chi, cos_chi) = (sin_xip / hyp, r / hyp);
        let phi = chi
            + clenshaw_sin(
                2.0 * sin_chi * cos_chi,
                (cos_chi - sin_chi) * (cos_chi + sin_chi),
                &s.delta,
            );
        Coord {
            x: self.lon0 + lam.to_degrees(),
            y: phi.to_degrees(),
        }
    }
}

/// sin 2ξ, cos 2ξ, sinh 2η and cosh 2η of a complex ζ = ξ + iη.
#[derive(Clone, Copy)]
struct DoubleAngles {
    sin_2xi: f64,
    cos_2xi: f64,
    sinh_2eta: f64,
    cosh_2eta: f64,
}

/// ζ + sign · Σ c_j sin(2jζ) for complex ζ = ξ + iη, summed by Clenshaw's method as in Karney's
/// TransverseMercator.cpp: one sin/cos and one exp per point instead of 24 transcendental calls.
fn krueger(xi: f64, eta: f64, c: &[f64; 6], sign: f64) -> (f64, f64) {
    let (sin_2xi, cos_2xi) = (2.0 * xi).sin_cos();
    let e2 = (2.0 * eta).exp();
    let double = DoubleAngles {
        sin_2xi,
        cos_2xi,
        sinh_2eta: (e2 - 1.0 / e2) / 2.0,
        cosh_2eta: (e2 + 1.0 / e2) / 2.0,
    };
    clenshaw_complex(xi, eta, double, c, sign)
}

/// [`krueger`] given the double angles of ζ.
fn clenshaw_complex(xi: f64, eta: f64, d: DoubleAngles, c: &[f64; 6], sign: f64) -> (f64, f64) {
    let (s0, c0, sh0, ch0) = (d.sin_2xi, d.cos_2xi, d.sinh_2eta, d.cosh_2eta);
    // a = 2 cos(2ζ)
    let (ar, ai) = (2.0 * c0 * ch0, -2.0 * s0 * sh0);
    let (mut y0r, mut y0i, mut y1r, mut y1i) = (0.0, 0.0, 0.0, 0.0);
    for pair in c.rchunks(2) {
        if let [lo, hi] = pair {
            // y1 = a y0 − y1 + c_hi; y0 = a y1 − y0 + c_lo
            let (nr, ni) = (ar * y0r - ai * y0i - y1r + hi, ar * y0i + ai * y0r - y1i);
            y1r = nr;
            y1i = ni;
            let (nr, ni) = (ar * y1r - ai * y1i - y0r + lo, ar * y1i + ai * y1r - y0i);
            y0r = nr;
            y0i = ni;
        }
    }
    // sin(2ζ) = sin 2ξ cosh 2η + i cos 2ξ sinh 2η
    let (sr, si) = (s0 * ch0, c0 * sh0);
    (
        xi + sign * (sr * y0r - si * y0i),
        eta + sign * (sr * y0i + si * y0r),
    )
}

/// Σ c_j sin(2jχ) for real χ, given sin 2χ and cos 2χ, by Clenshaw's method: [`krueger`] on
/// the real line, without its complex arithmetic and its `exp`.
fn clenshaw_sin(s0: f64, c0: f64, c: &[f64; 6]) -> f64 {
    let a = 2.0 * c0;
    let (mut y0, mut y1) = (0.0, 0.0);
    for pair in c.rchunks(2) {
        if let [lo, hi] = pair {
            y1 = a * y0 - y1 + hi;
            y0 = a * y1 - y0 + lo;
        }
    }
    s0 * y0
}

/// Projects WGS 84 lon/lat (degrees) to easting/northing (metres) in EPSG:3006 … EPSG:3018;
/// `None` for other codes.
pub fn to_crs(epsg: u16, lon: f64, lat: f64) -> Option<(f64, f64)> {
    let c = Crs::from_epsg(epsg)?.projection().forward(lon, lat);
    Some((c.x, c.y))
}

/// Inverse of [`to_crs`]: easting/northing (metres) to lon/lat (degrees).
pub fn from_crs(epsg: u16, e: f64, n: f64) -> Option<(f64, f64)> {
    let c = Crs::from_epsg(epsg)?
        .projection()
        .inverse(Coord { x: e, y: n });
    Some((c.x, c.y))
}

/// WGS 84 lon/lat to the EPSG:3006 plane. SWEREF 99 is ETRS89-based and is treated as identical
/// to WGS 84 here, as PROJ does for EPSG:4326 → EPSG:3006 (a null transformation).
pub(crate) fn to_plane(c: Coord) -> Coord {
    TransverseMercator::SWEREF99_TM.forward(c.x, c.y)
}

/// [`to_plane`], also giving the sine and cosine of the latitude.
pub(crate) fn to_plane_sin_cos(c: Coord) -> (Coord, (f64, f64)) {
    TransverseMercator::SWEREF99_TM.forward_sin_cos(c.x, c.y)
}

/// The EPSG:3006 plane back to WGS 84 lon/lat.
pub(crate) fn from_plane(c: Coord) -> Coord {
    TransverseMercator::SWEREF99_TM.inverse(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Inverts [`taupf`] by Newton's method (Karney 2011, eqs. 19–21); converges in 2–3 steps.
    fn tauf(taup: f64, s: &Series) -> f64 {
        let e2m = 1.0 - F * (2.0 - F);
        let mut tau = taup / e2m;
        let tol = f64::EPSILON.sqrt() * 0.1 * taup.abs().max(1.0);
        for _ in 0..8 {
            let taupa = taupf(tau / tau.hypot(1.0), 1.0 / tau.hypot(1.0), s.e);
            let dtau = (taup - taupa) * (1.0 + e2m * tau * tau)
                / (e2m * tau.hypot(1.0) * taupa.hypot(1.0));
            tau += dtau;
            if dtau.is_nan() || dtau.abs() < tol {
                break;
            }
        }
        tau
    }

    /// Eq. 7 as written, with `atanh` and `sinh` from libm.
    fn taupf_closed(tau: f64, e: f64) -> f64 {
        let tau1 = tau.hypot(1.0);
        let sig = (e * (e * tau / tau1).atanh()).sinh();
        tau * sig.hypot(1.0) - sig * tau1
    }

    #[test]
    fn taupf_series_matches_the_closed_form() {
        let s = series();
        for i in 0..=18_000 {
            let lat = -89.99 + 0.009_999 * f64::from(i);
            let tau = lat.to_radians().tan();
            let (sin, cos) = lat.to_radians().sin_cos();
            let (fast, closed) = (taupf(sin, cos, s.e), taupf_closed(tau, s.e));
            assert!(
                (fast - closed).abs() <= 4.0 * f64::EPSILON * closed.abs().max(1e-300),
                "{lat}: {fast} vs {closed}"
            );
        }
    }

    /// The forward projection as first written: ξ', η' and their double angles from libm.
    fn forward_by_libm(lon: f64, lat: f64) -> Coord {
        let s = series();
        let tm = TransverseMercator::SWEREF99_TM;
        let (sin_lam, cos_lam) = (lon - tm.lon0).to_radians().sin_cos();
        let taup = taupf_closed(lat.to_radians().tan(), s.e);
        let xip = taup.atan2(cos_lam);
        let etap = (sin_lam / taup.hypot(cos_lam)).asinh();
        let (xi, eta) = krueger(xip, etap, &s.alpha, 1.0);
        let scale = tm.k0 * s.rect_radius;
        Coord {
            x: tm.false_easting + scale * eta,
            y: tm.false_northing + scale * xi,
        }
    }

    /// The algebraic double angles change nothing that ten nanometres would show, well beyond
    /// Sweden (30° either side of the central meridian, 80° S to 84° N).
    #[test]
    fn forward_matches_the_libm_form() {
        let mut worst: f64 = 0.0;
        for i in 0..=300 {
            for j in 0..=164 {
                let (lon, lat) = (-15.0 + 0.2 * f64::from(i), -80.0 + f64::from(j));
                let (fast, slow) = (
                    to_plane(Coord { x: lon, y: lat }),
                    forward_by_libm(lon, lat),
                );
                worst = worst.max((fast.x - slow.x).abs().max((fast.y - slow.y).abs()));
            }
        }
        // A few units in the last place of coordinates of up to 10 000 km (ulp: 2e-9 m).
        assert!(worst < 1e-8, "{worst} m");
    }

    /// ξ' by the conformal latitude's series and atan's agrees with `atan2` to a few units in
    /// the last place (1e-15 rad is 6 nm on the ground), pole to pole, wherever it is used.
    #[test]
    fn conformal_route_matches_atan2() {
        let s = series();
        let mut worst: f64 = 0.0;
        for i in 0..=1780 {
            let phi = (-89.0 + 0.1 * f64::from(i)).to_radians();
            let (sin_phi, cos_phi) = sin_cos_lat(phi);
            let taup = taupf(sin_phi, cos_phi, s.e);
            assert!(
                (xip_near_meridian(phi, sin_phi, cos_phi, taup, 1.0, &s.gamma) - taup.atan()).abs()
                    < 1e-15
            );
            for j in -50..=50 {
                let (_, cos_lam) = sin_cos_small(0.005 * f64::from(j));
                let fast = xip_near_meridian(phi, sin_phi, cos_phi, taup, cos_lam, &s.gamma);
                worst = worst.max((fast - taup.atan2(cos_lam)).abs());
            }
        }
        assert!(worst < 1e-15, "{worst} rad");
    }

    /// The inverse as first written: libm for every function.
    fn inverse_by_libm(c: Coord) -> Coord {
        let s = series();
        let tm = TransverseMercator::SWEREF99_TM;
        let scale = tm.k0 * s.rect_radius;
        let (xip, etap) = krueger(
            (c.y - tm.false_northing) / scale,
            (c.x - tm.false_easting) / scale,
            &s.beta,
            -1.0,
        );
        let (sin_xip, cos_xip) = xip.sin_cos();
        let sinh_etap = etap.sinh();
        let chi = sin_xip.atan2(sinh_etap.hypot(cos_xip));
        let (phi, _) = krueger(chi, 0.0, &s.delta, 1.0);
        Coord {
            x: tm.lon0 + sinh_etap.atan2(cos_xip).to_degrees(),
            y: phi.to_degrees(),
        }
    }

    /// The series and the table in the inverse change nothing that ten nanometres would show
    /// (1e-13° of latitude is 11 nm; seen: 2e-14°, a few units in the last place), over and well
    /// beyond Sweden.
    #[test]
    fn inverse_matches_the_libm_form() {
        let mut worst: f64 = 0.0;
        for i in 0..=300 {
            for j in 0..=164 {
                let (lon, lat) = (-15.0 + 0.2 * f64::from(i), -80.0 + f64::from(j));
                let plane = to_plane(Coord { x: lon, y: lat });
                let (fast, slow) = (from_plane(plane), inverse_by_libm(plane));
                worst = worst.max((fast.x - slow.x).abs().max((fast.y - slow.y).abs()));
            }
        }
        assert!(worst < 1e-13, "{worst}°");
    }

    /// The latitude series agrees with Newton's method on τ (Karney 2011, eqs. 19–21).
    #[test]
    fn latitude_series_matches_newton() {
        let s = series();
        for i in 0..=900 {
            let lat = -89.9 + 0.1998 * f64::from(i);
            let (sin, cos) = lat.to_radians().sin_cos();
            let taup = taupf(sin, cos, s.e);
            let newton = tauf(taup, s).atan();
            let (series_phi, _) = krueger(taup.atan(), 0.0, &s.delta, 1.0);
            assert!(
                (newton - series_phi).abs() < 2e-15,
                "{lat}: {newton} vs {series_phi}"
            );
            assert!((newton - lat.to_radians()).abs() < 2e-15);
        }
    }

    /// (epsg, lon, lat, E, N) from pyproj 3.7.2 / PROJ (tools/reference_values.py).
    const PROJ_REFERENCE: &[(u16, f64, f64, f64, f64)] = &[
        (3006, 22.1547, 65.5848, 829432.441101, 7292393.925400),
        (3006, 11.0, 55.2, 245472.295990, 6124348.158681),
        (3006, 24.2, 69.1, 865099.305098, 7692970.135190),
        (3006, 15.0, 62.0, 500000.000000, 6874180.147715),
        (3006, 18.0686, 59.3293, 674571.866449, 6580743.008331),
        (3006, 12.5, 58.0, 352247.520262, 6431444.486177),
        (3006, 20.2, 67.9, 718107.812491, 7540893.585626),
        (3006, 13.0, 55.6, 373988.371643, 6163377.116250),
        (3006, 17.1, 61.7, 611058.619553, 6842552.870567),
        (3006, 23.9, 65.9, 904431.583862, 7337514.042844),
        (3007, 22.1547, 65.5848, 616934.224067, 7314353.204007),
        (3007, 11.0, 55.2, 86325.705309, 6119951.688515),
        (3007, 24.2, 69.1, 633160.208631, 7716864.144794),
        (3007, 15.0, 62.0, 307154.572004, 6880564.826797),
        (3008, 22.1547, 65.5848, 548340.212832, 7304007.508349),
        (3008, 11.0, 55.2, -9170.963076, 6122347.636134),
        (3008, 24.2, 69.1, 574312.642796, 7705728.961691),
        (3008, 15.0, 62.0, 228592.349395, 6877839.346232),
        (3009, 22.1547, 65.5848, 479564.266808, 7295312.050220),
        (3009, 11.0, 55.2, -104629.555832, 6126798.878232),
        (3009, 24.2, 69.1, 515245.403259, 7696048.554612),
        (3009, 15.0, 62.0, 150000.000000, 6876930.920083),
        (3010, 22.1547, 65.5848, 410638.383232, 7288266.781871),
        (3010, 11.0, 55.2, -200026.968760, 6133308.332988),
        (3010, 24.2, 69.1, 455989.715603, 7687824.647287),
        (3010, 15.0, 62.0, 71407.650605, 6877839.346232),
        (3011, 22.1547, 65.5848, 341594.295714, 7282871.634094),
        (3011, 11.0, 55.2, -295339.738926, 6141880.249237),
        (3011, 24.2, 69.1, 396576.613176, 7681058.666522),
        (3011, 15.0, 62.0, -7154.572004, 6880564.826797),
        (3012, 22.1547, 65.5848, 513972.975035, 7299453.501819),
        (3012, 11.0, 55.2, -56906.456093, 6124316.194349),
        (3012, 24.2, 69.1, 544804.525799, 7700706.796223),
        (3012, 15.0, 62.0, 189298.056646, 6877158.023457),
        (3013, 22.1547, 65.5848, 445118.078314, 7291583.146393),
        (3013, 11.0, 55.2, -152337.366219, 6129796.094476),
        (3013, 24.2, 69.1, 485639.171696, 7691754.442573),
        (3013, 15.0, 62.0, 110701.943354, 6877158.023457),
        (3014, 22.1547, 65.5848, 376129.140439, 7285362.947519),
        (3014, 11.0, 55.2, -247695.418328, 6137336.166357),
        (3014, 24.2, 69.1, 426300.908363, 7684259.337991),
        (3014, 15.0, 62.0, 32120.888251, 6878974.926327),
        (3015, 22.1547, 65.5848, 307037.783450, 7280792.832743),
        (3015, 11.0, 55.2, -342956.919455, 6146941.317624),
        (3015, 24.2, 69.1, 366820.684004, 7678222.767801),
        (3015, 15.0, 62.0, -46414.950654, 6882609.135617),
        (3016, 22.1547, 65.5848, 237875.447280, 7277872.735265),
        (3016, 11.0, 55.2, -438097.614891, 6158617.756638),
        (3016, 24.2, 69.1, 307229.299141, 7673645.746332),
        (3016, 15.0, 62.0, -124875.290538, 6888061.452910),
        (3017, 22.1547, 65.5848, 168673.445005, 7276602.606388),
        (3017, 11.0, 55.2, -533092.552033, 6172372.964761),
        (3017, 24.2, 69.1, 247557.437505, 7670529.030252),
        (3017, 15.0, 62.0, -203229.640810, 6895333.066761),
        (3018, 22.1547, 65.5848, 99463.018580, 7276982.423468),
        (3018, 11.0, 55.2, -627915.943461, 6188215.662067),
        (3018, 24.2, 69.1, 187835.697642, 7668873.128678),
        (3018, 15.0, 62.0, -281447.220579, 6904425.536066),
    ];

    #[test]
    fn forward_agrees_with_proj_to_a_millimetre() {
        for &(epsg, lon, lat, e, n) in PROJ_REFERENCE {
            let Some(crs) = Crs::from_epsg(epsg) else {
                unreachable!("reference EPSG {epsg} is supported");
            };
            let c = crs.projection().forward(lon, lat);
            // The literals carry 1 µm; agreement is limited by that rounding, not by the series.
            assert!(
                (c.x - e).abs() < 1e-5,
                "E {epsg} {lon} {lat}: {} vs {e}",
                c.x
            );
            assert!(
                (c.y - n).abs() < 1e-5,
                "N {epsg} {lon} {lat}: {} vs {n}",
                c.y
            );
        }
    }

    #[test]
    fn inverse_agrees_with_proj_to_a_millimetre() {
        for &(epsg, lon, lat, e, n) in PROJ_REFERENCE {
            let Some(crs) = Crs::from_epsg(epsg) else {
                unreachable!("reference EPSG {epsg} is supported");
            };
            let g = crs.projection().inverse(Coord { x: e, y: n });
            // 1e-8 degrees is about a millimetre.
            assert!((g.x - lon).abs() < 1e-8, "lon {epsg}: {} vs {lon}", g.x);
            assert!((g.y - lat).abs() < 1e-8, "lat {epsg}: {} vs {lat}", g.y);
        }
    }

    #[test]
    fn round_trip_is_nanometre_exact() {
        for lat in [55.0, 58.3, 61.1, 64.9, 69.0] {
            for lon in [10.5, 13.2, 15.0, 18.7, 24.1] {
                let p = to_plane(Coord { x: lon, y: lat });
                let q = to_plane(from_plane(p));
                assert!((p.x - q.x).abs() < 1e-6 && (p.y - q.y).abs() < 1e-6);
            }
        }
    }

    #[test]
    fn crs_names_parse() {
        assert_eq!(Crs::parse("EPSG:3006"), Some(Crs::SWEREF99_TM));
        assert!(Crs::parse("EPSG:3018").is_some());
        assert!(Crs::parse("EPSG:3019").is_none());
        assert!(Crs::parse("epsg:3006").is_none());
        assert_eq!(
            Crs::parse("EPSG:3010").map(Crs::name).as_deref(),
            Some("EPSG:3010")
        );
    }
}
