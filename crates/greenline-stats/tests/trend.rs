//! Trend tests against published worked examples and an independent implementation.

use greenline_stats::trend::{
    Direction, TrendFinding, TrendGuard, assess, assess_seasonal, mann_kendall,
    seasonal_mann_kendall, sens_slope, year_on_year_differences,
};

fn near(a: f64, b: f64, tolerance: f64) -> bool {
    (a - b).abs() <= tolerance
}

/// "A Mann-Kendall Example ('By Hand')", J. Little, College of the Holy Cross
/// (mathcs.holycross.edu/~little/Montserrat/MannKendallByHand.txt): 14 values with one pair of
/// ties; 72 increases, 18 decreases, 1 tie, so S = 54; V = (14)(13)(33)/18 − (2)(1)(9)/18;
/// Z = (S − 1)/√V ≈ 2.9058; one-sided p ≈ .0018 from the normal table.
const HOLY_CROSS: [f64; 14] = [
    12.9, 14.8, 13.2, 15.7, 13.8, 15.6, 12.9, 11.0, 17.3, 15.9, 19.0, 18.3, 20.1, 21.7,
];

#[test]
fn the_holy_cross_worked_example_gives_the_published_s_variance_z_and_p() {
    let test = mann_kendall(&HOLY_CROSS).expect("test");
    assert_eq!(test.s, 54);
    let published_v = (14.0 * 13.0 * 33.0) / 18.0 - (2.0 * 1.0 * 9.0) / 18.0;
    assert!(near(test.var_s, published_v, 1e-9), "Var(S) {}", test.var_s);
    assert!(near(test.z, 2.9058, 5e-5), "Z {}", test.z);
    // The example quotes the one-sided probability; the test reports the two-sided one.
    assert!(near(test.p_value / 2.0, 0.0018, 5e-5), "p {}", test.p_value);
    assert_eq!(test.direction(0.05), Direction::Increasing);
}

/// The same series through pymannkendall 1.4.3 (`original_test`), which statistics.md names
/// as the independent reference: p = 0.0036627, Tau = 0.5934066, Sen's slope = 0.5666667,
/// intercept = 11.9666667.
#[test]
fn sens_slope_and_tau_agree_with_the_reference_implementation() {
    let test = mann_kendall(&HOLY_CROSS).expect("test");
    assert!(near(test.p_value, 0.003_662_723_762_882_347, 1e-9));
    assert!(near(test.tau, 0.593_406_593_406_593_4, 1e-12));
    assert!(near(test.slope, 0.566_666_666_666_667, 1e-12));
    assert!(near(test.intercept, 11.966_666_666_666_663, 1e-9));
}

#[test]
fn sens_slope_of_a_small_series_by_hand() {
    // Pairs of 1, 3, 2, 5: slopes 2, 0.5, 4/3, -1, 1, 3; median of the six = (1 + 4/3)/2.
    let slope = sens_slope(&[1.0, 3.0, 2.0, 5.0]).expect("slope");
    assert!(near(slope, (1.0 + 4.0 / 3.0) / 2.0, 1e-12));
    assert_eq!(sens_slope(&[4.0]), None);
}

/// Three years of a monthly series with a summer peak and a rise of about 1.5 a year. Through
/// pymannkendall 1.4.3 (`seasonal_test`, period 12): S = 36, Var(S) = 44, Z = 5.2764485,
/// p = 1.3171e-7, Tau = 1, slope = 1.5 per year, intercept = 17.3125.
const SEASONAL: [f64; 36] = [
    10.0, 12.0, 15.0, 20.0, 26.0, 30.0, 31.0, 29.0, 22.0, 16.0, 12.0, 10.0, //
    11.0, 13.0, 17.0, 22.0, 27.0, 33.0, 33.0, 30.0, 24.0, 17.0, 13.0, 11.0, //
    13.0, 14.0, 18.0, 24.0, 29.0, 35.0, 36.0, 33.0, 25.0, 19.0, 15.0, 12.0,
];

#[test]
fn the_seasonal_test_compares_each_month_with_itself() {
    let test = seasonal_mann_kendall(&SEASONAL, 12).expect("test");
    assert_eq!(test.s, 36);
    assert!(near(test.var_s, 44.0, 1e-9));
    assert!(near(test.z, 5.276_448_530_110_864, 1e-9));
    assert!(near(test.p_value, 1.317_114_839_416_433_4e-7, 1e-12));
    assert!(near(test.tau, 1.0, 1e-12));
    assert!(near(test.slope, 1.5, 1e-12));
    assert!(near(test.intercept, 17.3125, 1e-9));
    // The same-month differences of the second and third years are all positive.
    let yoy = year_on_year_differences(&SEASONAL, 12);
    assert!(yoy[..12].iter().all(Option::is_none));
    assert!(yoy[12..].iter().all(|d| d.is_some_and(|d| d >= 0.0)));
}

#[test]
fn no_trend_is_claimed_from_too_few_points_or_too_few_cases() {
    let guard = TrendGuard::default();
    assert!(matches!(
        assess(&[10.0, 20.0, 30.0, 40.0], &guard).expect("finding"),
        TrendFinding::TooFewPoints { points: 4, .. }
    ));
    let sparse = [0.0, 1.0, 0.0, 2.0, 1.0, 3.0, 2.0, 4.0, 3.0, 5.0, 4.0, 6.0];
    assert!(matches!(
        assess(&sparse, &guard).expect("finding"),
        TrendFinding::TooFewCases { .. }
    ));
    match assess(&HOLY_CROSS.map(|x| x * 10.0), &guard).expect("finding") {
        TrendFinding::Tested { direction, test } => {
            assert_eq!(direction, Direction::Increasing);
            assert_eq!(test.s, 54, "scaling does not change S");
        }
        other => panic!("expected a test, got {other:?}"),
    }
    assert!(matches!(
        assess_seasonal(&SEASONAL[..20], 12, &guard).expect("finding"),
        TrendFinding::TooFewPoints { needed: 24, .. }
    ));
    let flat = [50.0; 24];
    match assess(&flat, &guard).expect("finding") {
        TrendFinding::Tested { direction, test } => {
            assert_eq!(direction, Direction::NoTrend);
            assert_eq!(test.s, 0);
        }
        other => panic!("expected a test, got {other:?}"),
    }
    assert!(mann_kendall(&[1.0, f64::NAN, 3.0]).is_err());
}
