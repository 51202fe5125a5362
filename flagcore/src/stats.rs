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
}
