//! Trend tests for a series of counts (or rates): the Mann–Kendall test with Sen's slope, its
//! seasonal form, and the guard that refuses to claim a trend from too little data.
//!
//! Mann–Kendall: S = Σ_{i<j} sign(x_j − x_i); with ties, Var(S) = [n(n−1)(2n+5) −
//! Σ t(t−1)(2t+5)] / 18 over the groups of t equal values; Z = (S − 1)/√Var(S) for S > 0,
//! (S + 1)/√Var(S) for S < 0, 0 otherwise; the p-value is two-sided from the normal
//! distribution (the normal approximation is poor for fewer than about 10 points, which is one
//! reason for the guard). Sen's slope is the median of all pairwise slopes (x_j − x_i)/(j − i).
//!
//! The seasonal test (Hirsch–Slack seasonal Kendall) sums S and Var(S) over the seasons, each
//! season compared only with itself in other years, so a summer peak is not mistaken for a
//! trend; its slope is the median of within-season slopes, per cycle (per year for months).
//! [`year_on_year_differences`] gives the simpler adjustment: each period minus the same
//! period a year before.

use crate::StatsError;

/// Which way a series goes, if the test says it goes anywhere.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// 上升
    Increasing,
    /// 下降
    Decreasing,
    /// 无显著趋势
    NoTrend,
}

impl Direction {
    pub fn zh(self) -> &'static str {
        match self {
            Direction::Increasing => "上升",
            Direction::Decreasing => "下降",
            Direction::NoTrend => "无显著趋势",
        }
    }
}

/// The outcome of a Mann–Kendall test.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct MannKendall {
    /// Points used.
    pub n: usize,
    pub s: i64,
    /// Var(S), corrected for ties.
    pub var_s: f64,
    pub z: f64,
    /// Two-sided p-value (normal approximation).
    pub p_value: f64,
    /// Kendall's tau: S over the number of pairs compared.
    pub tau: f64,
    /// Sen's slope: per step for the plain test, per cycle for the seasonal one.
    pub slope: f64,
    /// median(x) − median(t)·slope, so the line is intercept + slope·t.
    pub intercept: f64,
}

impl MannKendall {
    /// The direction at significance level `alpha` (two-sided).
    pub fn direction(&self, alpha: f64) -> Direction {
        if self.p_value >= alpha || self.s == 0 {
            Direction::NoTrend
        } else if self.s > 0 {
            Direction::Increasing
        } else {
            Direction::Decreasing
        }
    }
}

fn sign(d: f64) -> i64 {
    if d > 0.0 {
        1
    } else if d < 0.0 {
        -1
    } else {
        0
    }
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    let n = values.len();
    if n == 0 {
        f64::NAN
    } else if n % 2 == 1 {
        values[n / 2]
    } else {
        (values[n / 2 - 1] + values[n / 2]) / 2.0
    }
}

/// S and the tie-corrected Var(S) of one series.
fn s_and_variance(values: &[f64]) -> (i64, f64) {
    let n = values.len();
    let mut s = 0;
    for i in 0..n {
        for j in i + 1..n {
            s += sign(values[j] - values[i]);
        }
    }
    let mut sorted = values.to_vec();
    sorted.sort_by(f64::total_cmp);
    let mut ties = 0.0;
    let mut run = 1.0;
    for w in sorted.windows(2) {
        if w[0] == w[1] {
            run += 1.0;
        } else {
            ties += run * (run - 1.0) * (2.0 * run + 5.0);
            run = 1.0;
        }
    }
    ties += run * (run - 1.0) * (2.0 * run + 5.0);
    let nf = n as f64;
    (s, (nf * (nf - 1.0) * (2.0 * nf + 5.0) - ties) / 18.0)
}

fn z_and_p(s: i64, var_s: f64) -> (f64, f64) {
    let z = if var_s <= 0.0 || s == 0 {
        0.0
    } else if s > 0 {
        (s as f64 - 1.0) / var_s.sqrt()
    } else {
        (s as f64 + 1.0) / var_s.sqrt()
    };
    // Two-sided: P(|N(0,1)| ≥ |z|) = erfc(|z|/√2).
    (z, libm::erfc(z.abs() / std::f64::consts::SQRT_2))
}

fn check(values: &[f64], minimum: usize) -> Result<(), StatsError> {
    if values.iter().any(|v| !v.is_finite()) {
        return Err(StatsError::InvalidQuery(
            "a trend test needs finite values".to_owned(),
        ));
    }
    if values.len() < minimum {
        return Err(StatsError::InvalidQuery(format!(
            "a trend test needs at least {minimum} points, not {}",
            values.len()
        )));
    }
    Ok(())
}

/// Sen's slope: the median of (x_j − x_i)/(j − i) over all i < j. `None` for fewer than two
/// points.
pub fn sens_slope(values: &[f64]) -> Option<f64> {
    let n = values.len();
    if n < 2 {
        return None;
    }
    let mut slopes = Vec::with_capacity(n * (n - 1) / 2);
    for i in 0..n {
        for j in i + 1..n {
            slopes.push((values[j] - values[i]) / (j - i) as f64);
        }
    }
    Some(median(&mut slopes))
}

/// The Mann–Kendall test with Sen's slope, on a series in time order (at least 3 points).
pub fn mann_kendall(values: &[f64]) -> Result<MannKendall, StatsError> {
    check(values, 3)?;
    let n = values.len();
    let (s, var_s) = s_and_variance(values);
    let (z, p_value) = z_and_p(s, var_s);
    let slope = sens_slope(values).unwrap_or(0.0);
    let mut x = values.to_vec();
    let mut t: Vec<f64> = (0..n).map(|i| i as f64).collect();
    let intercept = median(&mut x) - median(&mut t) * slope;
    Ok(MannKendall {
        n,
        s,
        var_s,
        z,
        p_value,
        tau: s as f64 / (n * (n - 1) / 2) as f64,
        slope,
        intercept,
    })
}

/// The seasonal Mann–Kendall test: `values` in time order, `period` seasons to a cycle (12 for
/// monthly data). Needs at least two full cycles. The slope is per cycle.
pub fn seasonal_mann_kendall(values: &[f64], period: usize) -> Result<MannKendall, StatsError> {
    if period < 2 {
        return Err(StatsError::InvalidQuery(
            "a seasonal test needs at least two seasons".to_owned(),
        ));
    }
    check(values, 2 * period)?;
    let mut s = 0;
    let mut var_s = 0.0;
    let mut pairs = 0usize;
    let mut slopes = Vec::new();
    for season in 0..period {
        let series: Vec<f64> = values
            .iter()
            .skip(season)
            .step_by(period)
            .copied()
            .collect();
        let (season_s, season_var) = s_and_variance(&series);
        s += season_s;
        var_s += season_var;
        let m = series.len();
        pairs += m * (m - 1) / 2;
        for i in 0..m {
            for j in i + 1..m {
                slopes.push((series[j] - series[i]) / (j - i) as f64);
            }
        }
    }
    let (z, p_value) = z_and_p(s, var_s);
    let slope = median(&mut slopes);
    let mut x = values.to_vec();
    let mut t: Vec<f64> = (0..values.len()).map(|i| i as f64).collect();
    let intercept = median(&mut x) - median(&mut t) / period as f64 * slope;
    Ok(MannKendall {
        n: values.len(),
        s,
        var_s,
        z,
        p_value,
        tau: if pairs == 0 {
            0.0
        } else {
            s as f64 / pairs as f64
        },
        slope,
        intercept,
    })
}

/// Each value minus the value one cycle earlier (for months: this month minus the same month
/// last year); the first cycle has none.
pub fn year_on_year_differences(values: &[f64], period: usize) -> Vec<Option<f64>> {
    (0..values.len())
        .map(|i| i.checked_sub(period).map(|j| values[i] - values[j]))
        .collect()
}

/// When a trend may be claimed at all.
///
/// Defaults: at least 10 points (below that the normal approximation of S is poor, and a
/// bulletin would be reading tea leaves), at least 100 cases over the whole series (a county
/// with a dozen cases a year has no trend worth a sentence), significance 0.05.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct TrendGuard {
    pub min_points: usize,
    pub min_cases: f64,
    pub alpha: f64,
}

impl Default for TrendGuard {
    fn default() -> Self {
        TrendGuard {
            min_points: 10,
            min_cases: 100.0,
            alpha: 0.05,
        }
    }
}

/// What may be said about a series' trend.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum TrendFinding {
    /// Too few periods to test.
    TooFewPoints { points: usize, needed: usize },
    /// Too few cases in the whole series to say anything.
    TooFewCases { cases: f64, needed: f64 },
    /// Tested: the direction at the guard's significance level, and the test itself.
    Tested {
        direction: Direction,
        test: MannKendall,
    },
}

fn guarded(
    counts: &[f64],
    guard: &TrendGuard,
    minimum: usize,
    test: impl FnOnce() -> Result<MannKendall, StatsError>,
) -> Result<TrendFinding, StatsError> {
    let needed = guard.min_points.max(minimum);
    if counts.len() < needed {
        return Ok(TrendFinding::TooFewPoints {
            points: counts.len(),
            needed,
        });
    }
    let cases: f64 = counts.iter().sum();
    if cases < guard.min_cases {
        return Ok(TrendFinding::TooFewCases {
            cases,
            needed: guard.min_cases,
        });
    }
    let test = test()?;
    Ok(TrendFinding::Tested {
        direction: test.direction(guard.alpha),
        test,
    })
}

/// The trend of a series of counts, or why none can be claimed.
pub fn assess(counts: &[f64], guard: &TrendGuard) -> Result<TrendFinding, StatsError> {
    guarded(counts, guard, 3, || mann_kendall(counts))
}

/// The seasonal trend of a series of counts (`period` seasons a cycle), or why none can be
/// claimed: needs at least two full cycles as well as the guard's minimums.
pub fn assess_seasonal(
    counts: &[f64],
    period: usize,
    guard: &TrendGuard,
) -> Result<TrendFinding, StatsError> {
    guarded(counts, guard, 2 * period, || {
        seasonal_mann_kendall(counts, period)
    })
}
