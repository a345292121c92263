//! Two periods compared: which groups (regions, types, channels …) moved most, and whether each
//! move is more than noise.
//!
//! The counts of both periods come from two runs of one query, the period as a date filter.
//! Each group's move is judged against the move of all the cases the query selects: if the whole
//! rose by a third, a group that rose by a third has not moved. Given the group's `n = a + b`
//! cases in the two periods, under "no change in its share" the later count `b` follows a
//! binomial distribution with `n` trials and `p = B / (A + B)` (the periods' totals). The
//! two-sided p-value is exact for `n` up to [`EXACT_UP_TO`] and from the normal approximation
//! with continuity correction above it. With many groups some small p-values come by chance, so
//! each group also gets the Benjamini–Hochberg q-value over all the groups compared, and a move
//! is called significant when `q < 0.05`.

use chrono::NaiveDate;

use crate::{Index, KeyValue, Query, StatsError, model::Filter};

/// Groups of up to this many cases get the exact binomial test.
pub const EXACT_UP_TO: u64 = 20_000;
/// The false-discovery rate under which a move is called significant.
pub const SIGNIFICANT_Q: f64 = 0.05;

/// A period: its first and last day (China time), inclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: NaiveDate,
    pub last: NaiveDate,
}

/// One group in both periods.
#[derive(Debug, Clone, PartialEq)]
pub struct Move {
    /// The group's values, one per grouping dimension.
    pub keys: Vec<KeyValue>,
    pub before: u64,
    pub after: u64,
    /// The later count the group would have had if its share had stayed the same.
    pub expected: f64,
    /// `after − expected`: how far it moved beyond the whole's move.
    pub excess: f64,
    pub p_value: f64,
    pub q_value: f64,
    pub significant: bool,
}

/// The comparison: both totals and every group, largest move (by `|excess|`) first.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub before_total: u64,
    pub after_total: u64,
    pub moves: Vec<Move>,
}

/// Compares `before` and `after` over `query`'s groups (its measures are ignored; its filters
/// and scope hold for both periods; a date filter of its own is refused, the periods say when).
pub fn compare(
    index: &Index,
    query: &Query,
    before: Period,
    after: Period,
) -> Result<Comparison, StatsError> {
    if query
        .filters
        .iter()
        .any(|f| matches!(f, Filter::Received { .. }))
    {
        return Err(StatsError::InvalidQuery(
            "a comparison takes its dates from the two periods, not from received_from or received_to".to_owned(),
        ));
    }
    for period in [before, after] {
        if period.last < period.first {
            return Err(StatsError::InvalidQuery(format!(
                "a period ends ({}) before it starts ({})",
                period.last, period.first
            )));
        }
    }
    let run = |period: Period| {
        let mut q = query.clone();
        q.measures = vec![crate::Measure::Count];
        q.filters.push(Filter::Received {
            from: period.first,
            until: period.last.succ_opt().unwrap_or(period.last),
        });
        index.query(&q)
    };
    let (a, b) = (run(before)?, run(after)?);
    let mut groups: std::collections::BTreeMap<Vec<KeyValue>, (u64, u64)> =
        std::collections::BTreeMap::new();
    for row in a.rows() {
        groups.entry(row.keys().cloned().collect()).or_default().0 = row.count();
    }
    for row in b.rows() {
        groups.entry(row.keys().cloned().collect()).or_default().1 = row.count();
    }
    let (total_a, total_b) = (a.total, b.total);
    let p = if total_a + total_b == 0 {
        0.5
    } else {
        total_b as f64 / (total_a + total_b) as f64
    };
    let mut moves: Vec<Move> = groups
        .into_iter()
        .map(|(keys, (before, after))| {
            let n = before + after;
            let expected = n as f64 * p;
            Move {
                keys,
                before,
                after,
                expected,
                excess: after as f64 - expected,
                p_value: binomial_two_sided(after, n, p),
                q_value: 1.0,
                significant: false,
            }
        })
        .collect();
    // Benjamini–Hochberg: q of the k-th smallest p is min over j ≥ k of p_j · m / j.
    let m = moves.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|x, y| moves[*x].p_value.total_cmp(&moves[*y].p_value));
    let mut running = 1.0f64;
    for (rank, &i) in order.iter().enumerate().rev() {
        let q = (moves[i].p_value * m as f64 / (rank + 1) as f64).min(1.0);
        running = running.min(q);
        moves[i].q_value = running;
        moves[i].significant = running < SIGNIFICANT_Q;
    }
    moves.sort_by(|x, y| {
        y.excess
            .abs()
            .total_cmp(&x.excess.abs())
            .then_with(|| x.keys.cmp(&y.keys))
    });
    Ok(Comparison {
        before_total: total_a,
        after_total: total_b,
        moves,
    })
}

/// The two-sided p-value of `k` successes in `n` trials of probability `p`: the probability of
/// an outcome no more likely than `k`.
pub fn binomial_two_sided(k: u64, n: u64, p: f64) -> f64 {
    if n == 0 || p <= 0.0 || p >= 1.0 {
        return 1.0;
    }
    if n > EXACT_UP_TO {
        let mean = n as f64 * p;
        let sd = (n as f64 * p * (1.0 - p)).sqrt();
        let z = ((k as f64 - mean).abs() - 0.5).max(0.0) / sd;
        return (2.0 * normal_upper(z)).min(1.0);
    }
    let ln_pmf =
        |i: u64| -> f64 { ln_choose(n, i) + i as f64 * p.ln() + (n - i) as f64 * (1.0 - p).ln() };
    let observed = ln_pmf(k);
    // A relative tolerance, as the exact tests of statistics packages use, so that outcomes as
    // likely as the one observed count whatever the rounding.
    let limit = observed + 1e-7_f64.ln_1p();
    let mut total = 0.0;
    for i in 0..=n {
        let l = ln_pmf(i);
        if l <= limit {
            total += l.exp();
        }
    }
    total.min(1.0)
}

/// ln(n choose k) through the log-gamma function.
fn ln_choose(n: u64, k: u64) -> f64 {
    ln_gamma(n as f64 + 1.0) - ln_gamma(k as f64 + 1.0) - ln_gamma((n - k) as f64 + 1.0)
}

/// ln Γ(x) for x > 0 (Lanczos, g = 7, nine terms: about 15 significant digits).
fn ln_gamma(x: f64) -> f64 {
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
        let pi = std::f64::consts::PI;
        return (pi / (pi * x).sin()).ln() - ln_gamma(1.0 - x);
    }
    let x = x - 1.0;
    let mut a = C[0];
    let t = x + G + 0.5;
    for (i, c) in C.iter().enumerate().skip(1) {
        a += c / (x + i as f64);
    }
    0.5 * (2.0 * std::f64::consts::PI).ln() + (x + 0.5) * t.ln() - t + a.ln()
}

/// P(Z > z) for a standard normal Z (the complementary error function, Numerical Recipes'
/// erfc approximation, relative error under 1.2e-7).
fn normal_upper(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let y = t
        * (-x * x - 1.265_512_23
            + t * (1.000_023_68
                + t * (0.374_091_96
                    + t * (0.096_784_18
                        + t * (-0.186_288_06
                            + t * (0.278_868_07
                                + t * (-1.135_203_98
                                    + t * (1.488_515_87
                                        + t * (-0.822_152_23 + t * 0.170_872_77)))))))))
            .exp();
    let erfc = if x >= 0.0 { y } else { 2.0 - y };
    erfc / 2.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exact_binomial_p_values_match_known_ones() {
        // Nine heads in ten fair tosses: 22/1024.
        assert!((binomial_two_sided(9, 10, 0.5) - 22.0 / 1024.0).abs() < 1e-12);
        // Five of ten: nothing unusual.
        assert!((binomial_two_sided(5, 10, 0.5) - 1.0).abs() < 1e-12);
        // An uneven p: 0 of 20 at p = 0.3 is P(0) + every outcome no more likely.
        let p0 = 0.7f64.powi(20);
        let by_hand: f64 = (0..=20u64)
            .map(|i| {
                let c = (1..=i).fold(1.0, |acc, j| acc * (20 - j + 1) as f64 / j as f64);
                c * 0.3f64.powi(i as i32) * 0.7f64.powi(20 - i as i32)
            })
            .filter(|pi| *pi <= p0 * (1.0 + 1e-7))
            .sum();
        assert!((binomial_two_sided(0, 20, 0.3) - by_hand).abs() < 1e-12);
    }

    #[test]
    fn the_normal_approximation_agrees_with_the_exact_test_where_both_apply() {
        let n = EXACT_UP_TO;
        let k = n / 2 + 200;
        let exact = binomial_two_sided(k, n, 0.5);
        let mean = n as f64 * 0.5;
        let z = ((k as f64 - mean).abs() - 0.5) / (n as f64 * 0.25).sqrt();
        let approx = 2.0 * normal_upper(z);
        assert!((exact - approx).abs() < 2e-4, "{exact} / {approx}");
    }

    #[test]
    fn ln_gamma_of_integers_is_ln_factorial() {
        let mut factorial = 1.0f64;
        for n in 1..30u32 {
            factorial *= f64::from(n);
            assert!((ln_gamma(f64::from(n) + 1.0) - factorial.ln()).abs() < 1e-9);
        }
    }
}
