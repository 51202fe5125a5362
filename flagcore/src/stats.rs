//! Statistics shared by the rollout plans and the CLI's `simulate`: a chi-square
//! goodness-of-fit test for sample ratio mismatch, and `ln Γ`.

use serde::Serialize;

/// A sample-ratio check of observed counts against expected shares.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ChiSquare {
    /// The statistic, Σ (observed − expected)² / expected.
    pub statistic: f64,
    /// Degrees of freedom (variants with an expected share, minus one).
    pub degrees_of_freedom: u32,
    /// The probability of a deviation at least this large if the split works as configured.
    pub p_value: f64,
}

/// Tests `observed` counts against `expected` shares (same order; shares sum to 1).
///
/// Returns `None` when there is nothing to test: fewer than two variants with an
/// expected share, or no users. A user observed in a variant whose expected share is
/// zero makes the p-value 0 (a certain mismatch).
pub fn chi_square(observed: &[u64], expected: &[f64]) -> Option<ChiSquare> {
    let total: u64 = observed.iter().sum();
    let cells = expected.iter().filter(|&&e| e > 0.0).count();
    if total == 0 || cells < 2 {
        return None;
    }
    let n = total as f64;
    let mut statistic = 0.0;
    for (&o, &share) in observed.iter().zip(expected) {
        if share > 0.0 {
            let e = share * n;
            statistic += (o as f64 - e).powi(2) / e;
        } else if o > 0 {
            statistic = f64::INFINITY;
        }
    }
    let df = (cells - 1) as u32;
    Some(ChiSquare {
        statistic,
        degrees_of_freedom: df,
        p_value: chi_square_survival(statistic, df),
    })
}

/// P(X ≥ x) for a chi-square distribution with `df` degrees of freedom.
pub fn chi_square_survival(x: f64, df: u32) -> f64 {
    if x.is_infinite() {
        return 0.0;
    }
    if x <= 0.0 || df == 0 {
        return 1.0;
    }
    gamma_q(f64::from(df) / 2.0, x / 2.0)
}

/// The regularised upper incomplete gamma function Q(a, x) (Numerical Recipes §6.2:
/// a series below a + 1, a continued fraction above).
fn gamma_q(a: f64, x: f64) -> f64 {
    const EPS: f64 = 1e-15;
    const ITERS: usize = 10_000;
    let ln_prefix = a * x.ln() - x - ln_gamma(a);
    if x < a + 1.0 {
        let mut sum = 1.0 / a;
        let mut term = sum;
        let mut ap = a;
        for _ in 0..ITERS {
            ap += 1.0;
            term *= x / ap;
            sum += term;
            if term.abs() < sum.abs() * EPS {
                break;
            }
        }
        (1.0 - sum * ln_prefix.exp()).clamp(0.0, 1.0)
    } else {
        let tiny = 1e-300;
        let mut b = x + 1.0 - a;
        let mut c = 1.0 / tiny;
        let mut d = 1.0 / b;
        let mut h = d;
        for i in 1..ITERS {
            let an = -(i as f64) * (i as f64 - a);
            b += 2.0;
            d = an * d + b;
            if d.abs() < tiny {
                d = tiny;
            }
            c = b + an / c;
            if c.abs() < tiny {
                c = tiny;
            }
            d = 1.0 / d;
            let delta = d * c;
            h *= delta;
            if (delta - 1.0).abs() < EPS {
                break;
            }
        }
        (ln_prefix.exp() * h).clamp(0.0, 1.0)
    }
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, n = 9; about 15 significant digits).
pub fn ln_gamma(x: f64) -> f64 {
    const G: f64 = 7.0;
    const C: [f64; 9] = [
        0.999_999_999_999_809_9,
        676.520_368_121_885_1,
        -1_259.139_216_722_402_8,
        771.323_428_777_653_1,
        -176.615_029_162_140_6,
        12.507_343_278_686_905,
        -0.138_571_095_265_720_12,
        9.984_369_578_019_572e-6,
        1.505_632_735_149_311_6e-7,
    ];
    if x < 0.5 {
        // Reflection: Γ(x) Γ(1 − x) = π / sin(πx).
        return (std::f64::consts::PI / (std::f64::consts::PI * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut sum = C[0];
    for (i, &c) in C.iter().enumerate().skip(1) {
        sum += c / (x + i as f64);
    }
    let t = x + G + 0.5;
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + sum.ln()
}

/// One-sided exact binomial test of `H0: p ≤ p0`: (continuity-corrected score z, for
/// reports; exact p-value `P(X ≥ failures | n, p0)`; breached when the p-value is below
/// `alpha`). `p0 = 0` breaches on any failure; `p0 ≥ 1` never breaches.
pub(crate) fn absolute_proportion_test(
    failures: u64,
    count: u64,
    p0: f64,
    alpha: f64,
) -> (Option<f64>, Option<f64>, bool) {
    if count == 0 {
        return (None, None, false);
    }
    if p0 <= 0.0 {
        return (None, None, failures > 0);
    }
    if p0 >= 1.0 {
        return (None, None, false);
    }
    let n = count as f64;
    let p = failures as f64 / n;
    let z = (p - p0 - 0.5 / n) / (p0 * (1.0 - p0) / n).sqrt();
    let p_value = binomial_upper_tail(failures, count, p0);
    (Some(z), Some(p_value), p_value < alpha)
}

/// `P(X ≥ x)` for `X ~ Binomial(n, p)`, `0 < p < 1`. At or below the mean it is at least
/// 1/2 and reported as 1 (only small tails decide anything).
pub(crate) fn binomial_upper_tail(x: u64, n: u64, p: f64) -> f64 {
    if x == 0 {
        return 1.0;
    }
    if x > n {
        return 0.0;
    }
    if x as f64 <= n as f64 * p {
        return 1.0;
    }
    let (xf, nf) = (x as f64, n as f64);
    let log_pmf = ln_gamma(nf + 1.0) - ln_gamma(xf + 1.0) - ln_gamma(nf - xf + 1.0)
        + xf * p.ln()
        + (nf - xf) * (-p).ln_1p();
    // Above the mean the terms fall: sum them relative to the first until negligible.
    let odds = p / (1.0 - p);
    let (mut term, mut sum, mut k) = (1.0f64, 1.0f64, x);
    while k < n {
        term *= (n - k) as f64 / (k + 1) as f64 * odds;
        sum += term;
        if term < sum * 1e-17 {
            break;
        }
        k += 1;
    }
    (log_pmf.exp() * sum).min(1.0)
}

/// One-sided Wald test of `H0: pc ≤ r·pk` on Agresti–Caffo adjusted rates.
pub(crate) fn relative_proportion_z(xc: u64, nc: u64, xk: u64, nk: u64, ratio: f64) -> f64 {
    let mc = nc as f64 + 2.0;
    let mk = nk as f64 + 2.0;
    let pc = (xc as f64 + 1.0) / mc;
    let pk = (xk as f64 + 1.0) / mk;
    let variance = pc * (1.0 - pc) / mc + ratio * ratio * pk * (1.0 - pk) / mk;
    (pc - ratio * pk) / variance.sqrt()
}

/// The standard normal quantile (Acklam's rational approximation, relative error below
/// 1.2e-9), for `0 < p < 1`.
pub(crate) fn normal_quantile(p: f64) -> f64 {
    const A: [f64; 6] = [
        -3.969_683_028_665_376e1,
        2.209_460_984_245_205e2,
        -2.759_285_104_469_687e2,
        1.383_577_518_672_69e2,
        -3.066_479_806_614_716e1,
        2.506_628_277_459_239,
    ];
    const B: [f64; 5] = [
        -5.447_609_879_822_406e1,
        1.615_858_368_580_409e2,
        -1.556_989_798_598_866e2,
        6.680_131_188_771_972e1,
        -1.328_068_155_288_572e1,
    ];
    const C: [f64; 6] = [
        -7.784_894_002_430_293e-3,
        -3.223_964_580_411_365e-1,
        -2.400_758_277_161_838,
        -2.549_732_539_343_734,
        4.374_664_141_464_968,
        2.938_163_982_698_783,
    ];
    const D: [f64; 4] = [
        7.784_695_709_041_462e-3,
        3.224_671_290_700_398e-1,
        2.445_134_137_142_996,
        3.754_408_661_907_416,
    ];
    const LOW: f64 = 0.024_25;
    let tail = |q: f64| {
        (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5])
            / ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1.0)
    };
    if p < LOW {
        tail((-2.0 * p.ln()).sqrt())
    } else if p <= 1.0 - LOW {
        let q = p - 0.5;
        let r = q * q;
        (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q
            / (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1.0)
    } else {
        -tail((-2.0 * (1.0 - p).ln()).sqrt())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64, tol: f64) -> bool {
        (a - b).abs() <= tol * b.abs().max(1e-300)
    }

    #[test]
    fn ln_gamma_known_values() {
        assert!(close(ln_gamma(1.0).exp(), 1.0, 1e-12));
        assert!(close(ln_gamma(5.0).exp(), 24.0, 1e-12));
        assert!(close(
            ln_gamma(0.5).exp(),
            std::f64::consts::PI.sqrt(),
            1e-12
        ));
        assert!(close(ln_gamma(100.0), 359.134_205_369_575_4, 1e-12));
    }

    #[test]
    fn critical_values() {
        // Textbook chi-square critical values.
        let cases = [
            (3.841_458_820_694_124, 1, 0.05),
            (10.827_566_170_662_733, 1, 0.001),
            (5.991_464_547_107_979, 2, 0.05),
            (13.815_510_557_964_274, 2, 0.001),
            (16.918_977_604_620_45, 9, 0.05),
            (124.342_113_404_082_7, 100, 0.05),
        ];
        for (x, df, p) in cases {
            let got = chi_square_survival(x, df);
            assert!(close(got, p, 1e-6), "df {df} x {x}: {got} != {p}");
        }
        // df = 2 has a closed form: exp(-x/2).
        for x in [0.1, 1.0, 7.5, 40.0] {
            assert!(close(chi_square_survival(x, 2), (-x / 2.0f64).exp(), 1e-10));
        }
        assert_eq!(chi_square_survival(0.0, 3), 1.0);
        assert_eq!(chi_square_survival(f64::INFINITY, 3), 0.0);
    }

    #[test]
    fn goodness_of_fit() {
        // A perfect 25/75 split.
        let t = chi_square(&[250, 750], &[0.25, 0.75]).unwrap();
        assert_eq!(t.statistic, 0.0);
        assert_eq!(t.p_value, 1.0);
        assert_eq!(t.degrees_of_freedom, 1);
        // 50/50 observed against 25/75 expected: a certain mismatch.
        let t = chi_square(&[5_000, 5_000], &[0.25, 0.75]).unwrap();
        assert!(t.p_value < 1e-12);
        // Users where none are expected.
        let t = chi_square(&[10, 990, 1], &[0.01, 0.99, 0.0]).unwrap();
        assert_eq!(t.p_value, 0.0);
        // Nothing to test.
        assert!(chi_square(&[100], &[1.0]).is_none());
        assert!(chi_square(&[0, 0], &[0.5, 0.5]).is_none());
    }

    #[test]
    fn quantiles() {
        assert!((normal_quantile(0.5)).abs() < 1e-9);
        assert!((normal_quantile(0.975) - 1.959_963_985).abs() < 1e-6);
        assert!((normal_quantile(0.999) - 3.090_232_306).abs() < 1e-6);
        assert!((normal_quantile(0.01) + 2.326_347_874).abs() < 1e-6);
        assert!((normal_quantile(0.999_999) - 4.753_424_309).abs() < 1e-5);
    }

    #[test]
    fn absolute_test_edges() {
        let alpha = 0.001;
        assert_eq!(
            absolute_proportion_test(0, 0, 0.05, alpha),
            (None, None, false)
        );
        assert_eq!(
            absolute_proportion_test(1, 100, 0.0, alpha),
            (None, None, true)
        );
        assert_eq!(
            absolute_proportion_test(0, 100, 0.0, alpha),
            (None, None, false)
        );
        assert_eq!(
            absolute_proportion_test(100, 100, 1.0, alpha),
            (None, None, false)
        );
        // 20% of 200 against 5%: far beyond noise.
        let (z, p, breached) = absolute_proportion_test(40, 200, 0.05, alpha);
        assert!(breached && z.is_some_and(|z| z > 9.0), "{z:?}");
        assert!(p.is_some_and(|p| p < 1e-10), "{p:?}");
        // 6% of 200 against 5%: within noise.
        assert!(!absolute_proportion_test(12, 200, 0.05, alpha).2);
    }

    #[test]
    fn exact_tails() {
        // P(X >= 4 | n = 20, p = 0.05) = 0.015902...; P(X >= 3 | 10, 0.5) = 0.9453125.
        assert!((binomial_upper_tail(4, 20, 0.05) - 0.015_901_5).abs() < 1e-6);
        assert!((binomial_upper_tail(8, 10, 0.5) - 0.054_687_5).abs() < 1e-12);
        assert_eq!(binomial_upper_tail(3, 10, 0.5), 1.0);
        assert_eq!(binomial_upper_tail(11, 10, 0.5), 0.0);
        assert!((binomial_upper_tail(10, 10, 0.5) - 0.5f64.powi(10)).abs() < 1e-15);
        // Large n: the normal approximation is close here (z = 5).
        let n = 1_000_000u64;
        let sd = (n as f64 * 0.05 * 0.95).sqrt();
        let x = (50_000.0 + 5.0 * sd).ceil() as u64;
        let tail = binomial_upper_tail(x, n, 0.05);
        assert!(tail > 1e-7 && tail < 6e-7, "{tail}");
        // Monotone in x.
        let mut prev = 1.0;
        for x in 0..=200 {
            let t = binomial_upper_tail(x, 200, 0.05);
            assert!(t <= prev, "{x}");
            prev = t;
        }
        assert!(
            (ln_gamma(1.0)).abs() < 1e-14 && (ln_gamma(11.0) - 3_628_800f64.ln()).abs() < 1e-12
        );
    }

    #[test]
    fn relative_test_is_monotone_in_canary_failures() {
        for &(nc, xk, nk, r) in &[
            (200u64, 2u64, 4000u64, 1.5f64),
            (50, 0, 50, 1.0),
            (1000, 900, 1000, 1.1),
        ] {
            let mut prev = f64::NEG_INFINITY;
            for xc in 0..=nc {
                let z = relative_proportion_z(xc, nc, xk, nk, r);
                assert!(z >= prev - 1e-12, "xc={xc}: {z} < {prev}");
                prev = z;
            }
        }
    }
}
