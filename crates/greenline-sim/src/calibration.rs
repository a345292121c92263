//! Every number the simulator draws from, and where it comes from.
//!
//! Sources: the national 12369 platform's bulletins as tabulated in the project's domain notes
//! (`statistics.md`: 2017–2020 annual and monthly figures), the 2020 census for population, and
//! the domain's own explanations of when people complain about what. Where a figure is a
//! judgement rather than a published number, it says so.

/// Reports a year at national scale: the bulletins show 618,856 (2017), 710,117 (2018) and
/// 531,176 (2019); the simulator takes 600,000 as a round middle.
pub const NATIONAL_CASES_PER_YEAR: f64 = 600_000.0;

/// Channel shares (%). The 2019 annual bulletin (电话 50.9, 微信 36.9, 网络 11.7, 其他 0.5) and the
/// 2020 months (微信 45–53 %) show WeChat overtaking the phone; these shares sit between the two.
/// Letters, visits and 12345 transfers split the bulletins' small "other" share (judgement).
pub const CHANNEL_SHARES: [(&str, f64); 7] = [
    ("phone", 45.0),
    ("wechat", 40.5),
    ("web", 12.0),
    ("12345", 1.2),
    ("letter", 0.6),
    ("visit", 0.4),
    ("other", 0.3),
];

/// Primary-type shares (%), chosen so that, with the second types below, the multi-label shares
/// come out near the 2019–2020 bulletins: 大气 ≈ 51–58, 噪声 ≈ 38–53, 水 ≈ 13–16, 固废 ≈ 6–10,
/// 生态 ≈ 2–3, 辐射 ≈ 0.7–1.0.
pub const PRIMARY_TYPE_SHARES: [(&str, f64); 9] = [
    ("air", 44.0),
    ("noise", 37.0),
    ("water", 10.0),
    ("solid_waste", 4.5),
    ("ecology", 1.8),
    ("radiation", 0.8),
    ("soil", 0.4),
    ("marine", 0.2),
    ("other", 1.3),
];

/// Share of cases that carry a second type: the bulletins' type shares add up to 113–131 %, and
/// the figure is about one case in six.
pub const SECOND_TYPE_SHARE: f64 = 1.0 / 6.0;

/// The second type, given the primary: what goes together in practice (a construction site is
/// noisy and dusty; a factory smells and discharges water; burning waste smokes).
pub fn second_type_weights(primary: &str) -> &'static [(&'static str, f64)] {
    match primary {
        "air" => &[
            ("noise", 45.0),
            ("water", 25.0),
            ("solid_waste", 25.0),
            ("soil", 5.0),
        ],
        "noise" => &[("air", 75.0), ("water", 10.0), ("solid_waste", 15.0)],
        "water" => &[("air", 55.0), ("solid_waste", 30.0), ("soil", 15.0)],
        "solid_waste" => &[("air", 50.0), ("water", 35.0), ("soil", 15.0)],
        "ecology" => &[("water", 40.0), ("noise", 30.0), ("air", 30.0)],
        _ => &[("air", 50.0), ("noise", 50.0)],
    }
}

/// Sub-type shares within each type (%). Air: odour 41–52 % and smoke/dust 32 % of air reports,
/// industrial gas 22 % (2018-05, 2019, 2019-08). Noise: construction 42–45 %, industrial 31 %,
/// social life 15 % (2018-05, 2019). The rest of each list is a judgement.
pub fn sub_type_weights(primary: &str) -> &'static [(&'static str, f64)] {
    match primary {
        "air" => &[
            ("odor", 42.0),
            ("industrial_gas", 18.0),
            ("smoke_dust", 10.0),
            ("dust", 9.0),
            ("cooking_fumes", 10.0),
            ("open_burning", 5.0),
            ("vocs", 4.0),
            ("vehicle", 2.0),
        ],
        "noise" => &[
            ("construction", 44.0),
            ("industrial", 30.0),
            ("social_life", 20.0),
            ("traffic", 6.0),
        ],
        "water" => &[
            ("sewage", 38.0),
            ("industrial_wastewater", 30.0),
            ("black_odorous", 15.0),
            ("livestock", 12.0),
            ("drinking_source", 5.0),
        ],
        "solid_waste" => &[
            ("household", 30.0),
            ("construction_waste", 25.0),
            ("industrial_solid", 25.0),
            ("hazardous", 15.0),
            ("medical", 5.0),
        ],
        "radiation" => &[("electromagnetic", 85.0), ("ionizing", 15.0)],
        "ecology" => &[
            ("mining_sand", 40.0),
            ("vegetation", 35.0),
            ("protected_area", 15.0),
            ("wildlife", 10.0),
        ],
        _ => &[],
    }
}

/// The industry of the reported source, by sub-type (GB/T 4754 codes in
/// `crates/greenline-domain/data/taxonomy`). The bulletins put 建筑业 at 43–44 % and 住宿餐饮娱乐业 at 16 % of reports (2019-03, 2019-12).
pub fn industry_weights(sub_type: &str) -> &'static [(&'static str, f64)] {
    match sub_type {
        "construction" | "dust" | "construction_waste" => &[("47", 60.0), ("48", 40.0)],
        "cooking_fumes" => &[("62", 100.0)],
        "social_life" => &[("R", 35.0), ("62", 25.0), ("K", 25.0), ("O", 15.0)],
        "industrial_gas" | "odor" | "vocs" => &[
            ("26", 30.0),
            ("29", 15.0),
            ("30", 15.0),
            ("13", 10.0),
            ("22", 10.0),
            ("33", 10.0),
            ("77", 10.0),
        ],
        "industrial" | "industrial_wastewater" | "industrial_solid" | "smoke_dust" => &[
            ("30", 25.0),
            ("33", 20.0),
            ("26", 15.0),
            ("31", 10.0),
            ("17", 10.0),
            ("39", 10.0),
            ("36", 10.0),
        ],
        "livestock" => &[("03", 100.0)],
        "hazardous" => &[("26", 40.0), ("27", 20.0), ("39", 20.0), ("33", 20.0)],
        "medical" => &[("Q", 100.0)],
        "household" | "sewage" | "black_odorous" => &[("78", 60.0), ("K", 40.0)],
        "mining_sand" => &[("B", 100.0)],
        _ => &[],
    }
}

/// Province weights: 2020 census population in millions (Hong Kong, Macao and Taiwan are not on
/// the platform), times a complaint propensity of 1.3 for 河南 and 1.5 for 重庆, which the
/// bulletins name among the top provinces (2020-12: 河南, 广东, 重庆) above their population rank.
pub const PROVINCE_WEIGHTS: [(u32, f64); 31] = [
    (440000, 126.0),
    (370000, 101.5),
    (410000, 99.4 * 1.3),
    (320000, 84.7),
    (510000, 83.7),
    (130000, 74.6),
    (430000, 66.4),
    (330000, 64.6),
    (340000, 61.0),
    (420000, 57.8),
    (450000, 50.1),
    (530000, 47.2),
    (360000, 45.2),
    (210000, 42.6),
    (350000, 41.5),
    (610000, 39.5),
    (520000, 38.6),
    (140000, 34.9),
    (500000, 32.1 * 1.5),
    (230000, 31.9),
    (650000, 25.9),
    (620000, 25.0),
    (310000, 24.9),
    (150000, 24.0),
    (220000, 24.1),
    (110000, 21.9),
    (120000, 13.9),
    (460000, 10.1),
    (640000, 7.2),
    (630000, 5.9),
    (540000, 3.6),
];

/// Within a province, the capital (its first prefecture, `PP01`) draws this many times the
/// weight of another prefecture of the same size (judgement: capitals are larger and report
/// more). Prefectures otherwise weigh by their number of counties.
pub const CAPITAL_WEIGHT: f64 = 3.0;

/// Share of cases whose place is known only to the prefecture (no county).
pub const PREFECTURE_ONLY_SHARE: f64 = 0.08;

/// Monthly volume factors, January to December: summer highest, the Spring Festival month
/// lowest (2018-05 60,366 vs 2018-11 51,724; 2019-03 45,510, 2019-08 46,271, 2019-12 34,725).
pub const MONTH_VOLUME: [f64; 12] = [
    0.80, 0.70, 0.95, 1.05, 1.15, 1.15, 1.15, 1.10, 1.05, 1.00, 0.95, 0.85,
];

/// Seasonal factors on top of the volume, by sub-type and month (1.0 = no change): what the
/// domain explains. Construction noise follows the building season and the exam weeks of June;
/// open burning peaks at the wheat harvest (June) and the autumn harvest (October–November);
/// odour and smoke rise in the heating season; cooking fumes in summer with windows open.
pub fn seasonal_factor(sub_type: Option<&str>, month: u32) -> f64 {
    let m = month as usize - 1;
    let table: [f64; 12] = match sub_type {
        Some("construction") => [0.5, 0.4, 1.0, 1.2, 1.3, 1.5, 1.3, 1.2, 1.2, 1.1, 1.0, 0.7],
        Some("social_life") => [0.9, 1.0, 0.9, 0.9, 1.0, 1.3, 1.3, 1.3, 1.0, 0.9, 0.9, 0.9],
        Some("open_burning") => [0.4, 0.4, 0.8, 0.8, 1.2, 3.0, 1.0, 0.6, 1.0, 3.0, 2.5, 0.8],
        Some("odor") => [1.2, 1.1, 1.0, 0.9, 0.9, 1.0, 1.0, 1.0, 0.9, 1.0, 1.1, 1.2],
        Some("smoke_dust") => [1.6, 1.4, 1.1, 0.8, 0.7, 0.7, 0.7, 0.7, 0.8, 1.0, 1.5, 1.7],
        Some("cooking_fumes") => [0.7, 0.8, 0.8, 1.0, 1.2, 1.3, 1.4, 1.4, 1.1, 0.9, 0.8, 0.7],
        Some("dust") => [0.7, 0.6, 1.3, 1.4, 1.2, 1.0, 0.9, 0.9, 1.0, 1.1, 1.1, 0.9],
        Some("black_odorous") => [0.6, 0.6, 0.8, 1.0, 1.2, 1.4, 1.5, 1.5, 1.2, 0.9, 0.7, 0.6],
        _ => [1.0; 12],
    };
    table[m]
}

/// Hour-of-day weights (0–23) for calls and messages: few at night, peaks in the morning and
/// the evening; night-time noise pushes late-evening complaints up (judgement from the hotline's
/// working pattern).
pub const HOUR_WEIGHTS: [f64; 24] = [
    1.2, 0.8, 0.5, 0.3, 0.2, 0.3, 0.8, 2.0, 4.0, 5.5, 5.5, 5.0, //
    3.5, 3.5, 4.5, 4.8, 4.6, 4.2, 4.0, 4.5, 5.0, 5.0, 4.0, 2.5,
];

/// Weekday weights, Monday to Sunday: the hotline is busier on working days.
pub const WEEKDAY_WEIGHTS: [f64; 7] = [1.15, 1.1, 1.05, 1.05, 1.0, 0.85, 0.8];

/// Kinds of case: almost all complaints are reports (举报件); petitions and reconsideration
/// applications are a small share of the hotline's cases (judgement).
pub const KIND_SHARES: [(&str, f64); 3] = [
    ("report", 93.0),
    ("petition", 6.5),
    ("reconsideration", 0.5),
];

/// Acceptance: 51,273 of 60,366 (84.9 %, 2018-05), 28,735 of 34,725 (82.7 %, 2019-12),
/// 23,792 of 31,156 (76.4 %, 2020-12): about 81 %.
pub const ACCEPTANCE_RATE: f64 = 0.81;

/// Why the rest were not accepted: bulletins say "举报线索不详或不属于生态环境部门职责范围" (the
/// split between the two and the small rest is a judgement).
pub const REJECTION_REASONS: [(&str, f64); 4] = [
    ("insufficient_detail", 48.0),
    ("outside_remit", 40.0),
    ("already_accepted", 9.0),
    ("other_procedure", 3.0),
];

/// Days from receipt to acceptance: log-normal with this median (the 2017 bulletin gives an
/// average acceptance time of 3 days) and spread (σ of the log).
pub const ACCEPTANCE_DAYS: (f64, f64) = (2.0, 0.8);

/// Days from acceptance to conclusion: log-normal (2017: average completion 24 days).
pub const HANDLING_DAYS: (f64, f64) = (18.0, 0.7);

/// Share of handled cases that overrun the 60-day limit without an extension ("a few percent";
/// the 2017 bulletin's on-time rate was 99.8 %, local platforms show more).
pub const OVERDUE_SHARE: f64 = 0.02;

/// Share of handled cases that are extended once (judgement), by 10–30 days.
pub const EXTENSION_SHARE: f64 = 0.04;

/// Outcomes of investigated reports (judgement: no national figure is published).
pub const REPORT_OUTCOMES: [(&str, f64); 3] = [
    ("substantiated", 42.0),
    ("partly_substantiated", 23.0),
    ("unsubstantiated", 35.0),
];

/// Outcomes of petitions (judgement).
pub const PETITION_OUTCOMES: [(&str, f64); 3] = [
    ("supported", 25.0),
    ("explained", 60.0),
    ("not_supported", 15.0),
];

/// Outcomes of reconsideration (judgement).
pub const RECONSIDERATION_OUTCOMES: [(&str, f64); 3] =
    [("upheld", 70.0), ("revoked", 15.0), ("dismissed", 15.0)];

/// Share of substantiated reports whose result is published (judgement; provinces publish
/// enforcement results as a rule, "谁查处、谁公开").
pub const PUBLISHED_SHARE: f64 = 0.6;

/// Repeat sources: a new case is about a source already reported with this probability, chosen
/// in proportion to how often it was reported before (preferential attachment gives the heavy
/// tail: a few sources reported dozens of times). Judgement, to give duplicate detection and
/// "repeat source" figures something real to find.
pub const REPEAT_SHARE: f64 = 0.22;

/// Share of reporters who stay anonymous (judgement).
pub const ANONYMOUS_SHARE: f64 = 0.15;
