//! Every breakpoint of every column of both versions, at it and one reporting step either side,
//! against `breakpoints.csv`: values worked by `oracle.py` in exact fractions from its own copy
//! of the tables, so a wrong number in `data/aqi/` fails here.

use greenline_aqi::{Column, ColumnIaqi, Iaqi, Standard, us_epa_pm25};

const EXPECTED: &str = include_str!("breakpoints.csv");

struct Case<'a> {
    line: usize,
    standard: &'a str,
    column: &'a str,
    concentration: &'a str,
    expected: &'a str,
}

fn cases() -> Vec<Case<'static>> {
    EXPECTED
        .lines()
        .enumerate()
        .skip(1)
        .map(|(i, line)| {
            let fields: Vec<&str> = line.split(',').collect();
            assert_eq!(fields.len(), 4, "breakpoints.csv line {}", i + 1);
            Case {
                line: i + 1,
                standard: fields[0],
                column: fields[1],
                concentration: fields[2],
                expected: fields[3],
            }
        })
        .collect()
}

fn shown(result: ColumnIaqi) -> String {
    match result {
        ColumnIaqi::Index(Iaqi::Value(value)) => value.to_string(),
        ColumnIaqi::Index(Iaqi::BeyondScale) => "beyond".into(),
        ColumnIaqi::UseColumn(column) => format!("use:{column}"),
    }
}

#[test]
fn every_breakpoint_of_both_versions_gives_the_index_worked_independently() {
    let mut failures = Vec::new();
    let mut checked = 0;
    for case in cases().iter().filter(|c| c.standard != "us-epa-2024") {
        let standard = Standard::from_code(case.standard).expect("a version");
        let column = Column::from_key(case.column).expect("a column");
        let value: f64 = case.concentration.parse().expect("a number");
        let table = &standard.phases()[0];
        let got = shown(
            table
                .column_iaqi(column, value)
                .expect("a valid concentration"),
        );
        if got != case.expected {
            failures.push(format!(
                "line {}: {} {} {} → {got}, expected {}",
                case.line, case.standard, case.column, case.concentration, case.expected
            ));
        }
        checked += 1;
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(checked > 400, "only {checked} cases");
}

#[test]
fn the_expected_values_cover_every_breakpoint_in_the_data_on_both_sides() {
    let cases = cases();
    for standard in Standard::ALL {
        for table in standard.phases() {
            for column in Column::ALL {
                let step = 1;
                for (ticks, _) in table.breakpoints(column) {
                    for around in [ticks - step, ticks, ticks + step] {
                        if around < 0 {
                            continue;
                        }
                        let scale = 10f64.powi(table.decimals(column) as i32);
                        let covered = cases.iter().any(|case| {
                            case.standard == standard.code()
                                && case.column == column.key()
                                && (case.concentration.parse::<f64>().expect("a number") * scale)
                                    .round() as i64
                                    == around
                        });
                        assert!(
                            covered,
                            "{} {column}: no expected value at {around} (×10^-{})",
                            standard.name(),
                            table.decimals(column)
                        );
                    }
                }
            }
        }
    }
}

#[test]
fn us_epa_pm25_breakpoints_give_the_index_worked_independently() {
    let mut checked = 0;
    for case in cases().iter().filter(|c| c.standard == "us-epa-2024") {
        let value: f64 = case.concentration.parse().expect("a number");
        let got = match us_epa_pm25(value).expect("a valid concentration") {
            Iaqi::Value(value) => value.to_string(),
            Iaqi::BeyondScale => "beyond".into(),
        };
        assert_eq!(
            got, case.expected,
            "line {}: {}",
            case.line, case.concentration
        );
        checked += 1;
    }
    assert!(checked > 20, "only {checked} cases");
}

#[test]
fn every_concentration_from_zero_to_the_top_gives_the_index_worked_independently() {
    let expected = include_str!("every_concentration.csv");
    let mut checked = 0;
    for (i, line) in expected.lines().enumerate().skip(1) {
        let fields: Vec<&str> = line.split(',').collect();
        let [standard, column, steps, sum, weighted] = fields[..] else {
            panic!("every_concentration.csv line {}", i + 1);
        };
        let table = &Standard::from_code(standard).expect("a version").phases()[0];
        let column = Column::from_key(column).expect("a column");
        let scale = 10f64.powi(table.decimals(column) as i32);
        let steps: u64 = steps.parse().expect("a count");
        let (mut total, mut moments) = (0u64, 0u64);
        for step in 0..steps {
            let value = step as f64 / scale;
            let ColumnIaqi::Index(Iaqi::Value(iaqi)) =
                table.column_iaqi(column, value).expect("valid")
            else {
                panic!("{standard} {column} {value}: not on the scale");
            };
            total += u64::from(iaqi);
            moments += step * u64::from(iaqi);
        }
        assert_eq!(
            (total.to_string(), moments.to_string()),
            (sum.to_owned(), weighted.to_owned()),
            "{standard} {column}: the index differs somewhere between 0 and the top"
        );
        let top = table.breakpoints(column).last().map(|(ticks, _)| ticks);
        assert_eq!(
            top,
            Some(steps as i64 - 1),
            "{standard} {column}: the top is not where the oracle puts it"
        );
        checked += 1;
    }
    assert_eq!(checked, 20, "ten columns in two versions");
}
