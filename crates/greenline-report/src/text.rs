//! The bulletin's text: sentences written from the figures, tables and charts.
//!
//! Sentences are assembled from clauses chosen by the numbers (rise, fall or flat; none, one
//! or several), never from fixed prose with holes. Every number printed comes from a figure,
//! formatted by the helpers here: counts as integers, shares and changes as percentages to one
//! decimal, days and expected counts to one decimal.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use greenline_domain::RejectionReason;
use greenline_domain::deadline::local_date;
use serde::Serialize;

use crate::Period;
use crate::model::{Figures, Item, Trend, TrendResult};

/// A table: a caption, column headings and rows of cells.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    pub caption: String,
    pub header: Vec<String>,
    pub rows: Vec<Vec<String>>,
}

/// A chart drawn from figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Chart {
    /// Horizontal bars, one per label, longest first.
    Bars {
        title: String,
        bars: Vec<(String, u64)>,
    },
    /// A line over time, one point per label.
    Line {
        title: String,
        points: Vec<(String, u64)>,
    },
}

/// One part of a bulletin: a heading, its sentences, tables and charts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Section {
    pub heading: String,
    pub paragraphs: Vec<String>,
    pub tables: Vec<Table>,
    pub charts: Vec<Chart>,
}

impl Section {
    fn new(heading: &str) -> Section {
        Section {
            heading: heading.to_owned(),
            paragraphs: Vec::new(),
            tables: Vec::new(),
            charts: Vec::new(),
        }
    }
}

/// A fraction as a percentage with one decimal (`0.4523` → `45.2`), never `-0.0`.
pub fn percent(fraction: f64) -> String {
    one_decimal(fraction * 100.0)
}

/// A number with one decimal, never `-0.0`.
pub fn one_decimal(value: f64) -> String {
    let text = format!("{value:.1}");
    if text == "-0.0" {
        "0.0".to_owned()
    } else {
        text
    }
}

/// A p-value as bulletins print it: three decimals, or `<0.001`.
pub fn p_value(p: f64) -> String {
    if p < 0.001 {
        "p<0.001".to_owned()
    } else {
        format!("p={p:.3}")
    }
}

fn share_text(share: Option<f64>) -> String {
    share.map_or_else(|| "—".to_owned(), |s| format!("{}%", percent(s)))
}

fn days_text(days: Option<f64>) -> String {
    days.map_or_else(|| "—".to_owned(), one_decimal)
}

const NUMERALS: [&str; 11] = [
    "零", "一", "两", "三", "四", "五", "六", "七", "八", "九", "十",
];

/// A small count in Chinese (`前五位`); larger ones in digits.
fn zh_count(n: usize) -> String {
    NUMERALS
        .get(n)
        .map_or_else(|| n.to_string(), |s| (*s).to_owned())
}

/// How a change reads: `上升23.2%`, `下降10.3%`, `持平`; `None` when there is no base.
fn change_words(change: Option<f64>) -> Option<String> {
    let change = change?;
    let shown = percent(change.abs());
    Some(if shown == "0.0" {
        "持平".to_owned()
    } else if change > 0.0 {
        format!("上升{shown}%")
    } else {
        format!("下降{shown}%")
    })
}

/// `大气污染`, `噪声污染`, `生态破坏`, `其他问题`: how bulletins name a type's reports.
pub fn type_phrase(code: &str, label: &str) -> String {
    match code {
        "ecology" => label.to_owned(),
        "other" => "其他问题".to_owned(),
        _ if label.ends_with("污染") => label.to_owned(),
        _ => format!("{label}污染"),
    }
}

fn channel_phrase(item: &Item) -> String {
    if item.label.ends_with("转办") {
        item.label.clone()
    } else if item.label == "其他" {
        "其他渠道".to_owned()
    } else {
        format!("{}举报", item.label)
    }
}

fn count_share(item: &Item) -> String {
    format!("{}件，占{}", item.count, share_text(item.share))
}

fn month_zh(code: &str) -> String {
    match code.split_once('-') {
        Some((y, m)) => format!("{y}年{}月", m.trim_start_matches('0')),
        None => code.to_owned(),
    }
}

fn date_zh(d: NaiveDate) -> String {
    format!("{}年{}月{}日", d.year(), d.month(), d.day())
}

fn items_table(caption: &str, first: &str, items: &[Item], share_of: &str) -> Table {
    Table {
        caption: caption.to_owned(),
        header: vec![first.to_owned(), "件数".to_owned(), share_of.to_owned()],
        rows: items
            .iter()
            .map(|i| vec![i.label.clone(), i.count.to_string(), share_text(i.share)])
            .collect(),
    }
}

fn bars(title: &str, items: &[Item], label: impl Fn(&Item) -> String) -> Chart {
    Chart::Bars {
        title: title.to_owned(),
        bars: items.iter().map(|i| (label(i), i.count)).collect(),
    }
}

/// Writes the sections of a bulletin from its figures.
pub(crate) fn write_sections(
    period: Period,
    scope_name: &str,
    as_of: DateTime<Utc>,
    f: &Figures,
) -> Vec<Section> {
    let this = period.this_zh();
    let mut sections = vec![overview(period, scope_name, f)];
    if f.totals.received > 0 {
        sections.push(channels(f));
        sections.push(types(f));
        sections.push(industries(f));
        if let Some(s) = regions(this, f) {
            sections.push(s);
        }
        sections.push(timeliness(this, as_of, f));
        sections.push(repeats(this, f));
    }
    sections.push(trends(f));
    sections.push(alerts(this, f));
    sections
}

fn overview(period: Period, scope_name: &str, f: &Figures) -> Section {
    let t = &f.totals;
    let this = period.this_zh();
    let mut s = Section::new("一、总体情况");
    let mut clauses = Vec::new();
    if t.received == 0 {
        clauses.push(format!(
            "{}，{scope_name}未接到生态环境信访举报",
            period.zh()
        ));
    } else {
        clauses.push(format!(
            "{}，{scope_name}共接到生态环境信访举报{}件",
            period.zh(),
            t.received
        ));
    }
    let previous = period.previous_zh();
    let annual = matches!(period, Period::Year(_));
    if !annual {
        clauses.push(match change_words(t.period_on_period) {
            Some(w) => format!("环比{w}（{previous}{}件）", t.previous),
            None if t.previous == 0 => format!("{previous}无举报，不计算环比"),
            None => "环比无法计算".to_owned(),
        });
    }
    let (yoy_word, base_word) = if annual {
        ("比上年", "上年")
    } else {
        ("同比", "上年同期")
    };
    clauses.push(match change_words(t.year_on_year) {
        Some(w) => format!("{yoy_word}{w}（{base_word}{}件）", t.year_earlier),
        None if t.year_earlier == 0 => format!(
            "{base_word}无举报，不计算{}",
            if annual { "增减" } else { "同比" }
        ),
        None => format!("{yoy_word}无法计算"),
    });
    s.paragraphs.push(format!("{}。", clauses.join("，")));

    if t.received > 0 {
        let a = &f.acceptance;
        let mut parts = vec![format!("已受理{}", count_share(&a.accepted))];
        if a.rejected.count > 0 {
            parts.push(format!("不予受理{}", count_share(&a.rejected)));
        }
        if a.pending.count > 0 {
            parts.push(format!("尚待受理{}", count_share(&a.pending)));
        }
        let mut text = format!("{this}接到的举报中，{}", parts.join("；"));
        if a.rejected.count == 0 {
            text.push_str("，无不予受理的举报");
        }
        text.push('。');
        s.paragraphs.push(text);

        if a.rejected.count > 0 {
            let named: Vec<&Item> = a.reasons.iter().filter(|r| r.count > 0).take(3).collect();
            if !a.reasons_ranked {
                s.paragraphs.push(format!(
                    "不予受理的举报较少（{}件），不作原因排序。",
                    a.rejected.count
                ));
            } else if named.len() == 1 {
                s.paragraphs
                    .push(format!("不予受理的原因均为{}。", named[0].label));
            } else if !named.is_empty() {
                let list: Vec<String> = named
                    .iter()
                    .enumerate()
                    .map(|(i, r)| {
                        let of = if i == 0 {
                            "占不予受理总数的"
                        } else {
                            "占"
                        };
                        format!("{}{}件，{of}{}", r.label, r.count, share_text(r.share))
                    })
                    .collect();
                s.paragraphs
                    .push(format!("不予受理的原因主要是：{}。", list.join("；")));
            }
        }
        let status = [a.accepted.clone(), a.rejected.clone(), a.pending.clone()];
        s.tables
            .push(items_table("受理情况", "受理状态", &status, "占举报总量"));
        if a.rejected.count > 0 {
            s.tables.push(items_table(
                "不予受理原因",
                "原因",
                &a.reasons,
                "占不予受理总数",
            ));
        }
    }
    s
}

fn channels(f: &Figures) -> Section {
    let mut s = Section::new("二、举报渠道");
    let list: Vec<String> = f
        .channels
        .iter()
        .map(|c| format!("{}{}", channel_phrase(c), count_share(c)))
        .collect();
    s.paragraphs.push(match list.len() {
        1 => format!(
            "从举报渠道看，举报全部来自{}（{}件）。",
            f.channels[0].label, f.channels[0].count
        ),
        _ => format!("从举报渠道看，{}。", list.join("；")),
    });
    s.tables
        .push(items_table("举报渠道分布", "渠道", &f.channels, "占比"));
    s.charts.push(bars("举报渠道分布（件）", &f.channels, |i| {
        i.label.clone()
    }));
    s
}

fn types(f: &Figures) -> Section {
    let mut s = Section::new("三、污染类型");
    let list: Vec<String> = f
        .types
        .iter()
        .map(|t| format!("{}{}", type_phrase(&t.code, &t.label), count_share(t)))
        .collect();
    if let Some((first, rest)) = list.split_first() {
        let mut text = format!("从污染类型看，涉及{first}");
        if !rest.is_empty() {
            text.push('；');
            text.push_str(&rest.join("；"));
        }
        text.push_str("。一件举报可能同时涉及多种污染类型，各类型占比之和可能超过百分之百。");
        s.paragraphs.push(text);
    }
    for group in &f.sub_types {
        let t = &group.pollution_type;
        let list: Vec<String> = group
            .sub_types
            .iter()
            .map(|st| format!("{}{}", st.label, count_share(st)))
            .collect();
        s.paragraphs.push(format!(
            "{}举报中，{}。",
            type_phrase(&t.code, &t.label),
            list.join("；")
        ));
    }
    let labelled: Vec<Item> = f
        .types
        .iter()
        .map(|t| Item {
            label: type_phrase(&t.code, &t.label),
            ..t.clone()
        })
        .collect();
    s.tables.push(items_table(
        "污染类型分布（多选，占比之和可超过百分之百）",
        "污染类型",
        &labelled,
        "占举报总量",
    ));
    if !f.sub_types.is_empty() {
        s.tables.push(Table {
            caption: "主要污染类型的子类型".to_owned(),
            header: vec![
                "污染类型".to_owned(),
                "子类型".to_owned(),
                "件数".to_owned(),
                "占该类型".to_owned(),
            ],
            rows: f
                .sub_types
                .iter()
                .flat_map(|g| {
                    g.sub_types.iter().map(|st| {
                        vec![
                            type_phrase(&g.pollution_type.code, &g.pollution_type.label),
                            st.label.clone(),
                            st.count.to_string(),
                            share_text(st.share),
                        ]
                    })
                })
                .collect(),
        });
    }
    s.charts.push(bars("污染类型分布（件）", &labelled, |i| {
        i.label.clone()
    }));
    s
}

fn industries(f: &Figures) -> Section {
    let mut s = Section::new("四、涉及行业");
    if f.industry_cases == 0 {
        s.paragraphs.push("举报均未标注涉及行业。".to_owned());
    } else if !f.industries_ranked {
        s.paragraphs.push(format!(
            "标注涉及行业的举报较少（{}件），不作行业排名。",
            f.industry_cases
        ));
    } else {
        let list: Vec<String> = f
            .industries
            .iter()
            .map(|i| {
                format!(
                    "{}（{}件，占举报总量的{}）",
                    i.label,
                    i.count,
                    share_text(i.share)
                )
            })
            .collect();
        s.paragraphs.push(if list.len() == 1 {
            format!("从涉及行业看，标注行业的举报均涉及{}。", list[0])
        } else {
            format!("从涉及行业看，举报较多的行业依次是{}。", list.join("、"))
        });
        s.tables.push(items_table(
            "举报较多的行业",
            "行业",
            &f.industries,
            "占举报总量",
        ));
    }
    s
}

fn regions(this: &str, f: &Figures) -> Option<Section> {
    let r = f.regions.as_ref()?;
    let mut s = Section::new("五、地区分布");
    let level = r.level_zh;
    if r.with_cases == 0 {
        s.paragraphs
            .push(format!("{this}举报均未细分到{level}，不作地区分析。"));
        return Some(s);
    }
    if !r.ranked {
        s.paragraphs.push(format!(
            "{this}举报量较少（{}件），不作地区排名。",
            f.totals.received
        ));
        return Some(s);
    }
    let describe = |ri: &crate::model::RegionItem| {
        let mut text = format!("{}（{}", ri.region.label, count_share(&ri.region));
        if let Some(t) = &ri.leading_type {
            text.push_str(&format!(
                "，以{}为主，占其举报的{}",
                type_phrase(&t.code, &t.label),
                share_text(t.share)
            ));
        }
        text.push('）');
        text
    };
    let list: Vec<String> = r.top.iter().map(describe).collect();
    let text = if r.with_cases == 1 {
        format!("从地区分布看，{this}举报均来自{}。", list.join(""))
    } else {
        let mut text = format!(
            "从地区分布看，{this}共有{}个{level}接到举报。举报量居前{}位的{level}依次是{}",
            r.with_cases,
            zh_count(r.top.len()),
            list.join("、")
        );
        if r.top.len() > 1 && r.top.len() < r.with_cases {
            text.push_str(&format!("，合计占举报总量的{}", share_text(r.top_share)));
        }
        text.push('。');
        text
    };
    s.paragraphs.push(text);
    s.tables.push(Table {
        caption: format!("举报量居前的{level}"),
        header: vec![
            level.to_owned(),
            "件数".to_owned(),
            "占举报总量".to_owned(),
            "主要污染类型".to_owned(),
            "占其举报".to_owned(),
        ],
        rows: r
            .top
            .iter()
            .map(|ri| {
                vec![
                    ri.region.label.clone(),
                    ri.region.count.to_string(),
                    share_text(ri.region.share),
                    ri.leading_type
                        .as_ref()
                        .map_or_else(|| "—".to_owned(), |t| type_phrase(&t.code, &t.label)),
                    share_text(ri.leading_type.as_ref().and_then(|t| t.share)),
                ]
            })
            .collect(),
    });
    let top: Vec<Item> = r.top.iter().map(|ri| ri.region.clone()).collect();
    s.charts.push(bars(
        &format!("举报量居前的{level}（件）"),
        &top,
        |i| i.label.clone(),
    ));
    Some(s)
}

fn timeliness(this: &str, as_of: DateTime<Utc>, f: &Figures) -> Section {
    let t = &f.timeliness;
    let mut s = Section::new("六、办理时效");
    let day = date_zh(local_date(as_of));
    let mut text = match t.on_time_rate {
        Some(rate) => {
            let mut text = format!(
                "截至{day}，{this}接到的举报中已办结案件的按期办结率为{}%",
                percent(rate)
            );
            if let Some(mean) = t.handling_days_mean {
                text.push_str(&format!("，平均办结时间{}天", one_decimal(mean)));
            }
            if let Some(median) = t.handling_days_median {
                text.push_str(&format!("，中位数{}天", one_decimal(median)));
            }
            text
        }
        None => format!("截至{day}，{this}接到的举报尚无办结案件"),
    };
    if let Some(mean) = t.acceptance_days_mean {
        text.push_str(&format!("；已受理案件平均受理时间{}天", one_decimal(mean)));
    }
    text.push('。');
    s.paragraphs.push(text);
    s.paragraphs.push(if t.overdue == 0 {
        "无超期未办结案件。".to_owned()
    } else {
        format!("超期未办结案件{}件，应督促办理。", t.overdue)
    });
    s.tables.push(Table {
        caption: "办理时效".to_owned(),
        header: vec!["指标".to_owned(), "数值".to_owned()],
        rows: vec![
            vec!["按期办结率".to_owned(), share_text(t.on_time_rate)],
            vec![
                "平均办结时间（天）".to_owned(),
                days_text(t.handling_days_mean),
            ],
            vec![
                "办结时间中位数（天）".to_owned(),
                days_text(t.handling_days_median),
            ],
            vec![
                "平均受理时间（天）".to_owned(),
                days_text(t.acceptance_days_mean),
            ],
            vec!["超期未办结（件）".to_owned(), t.overdue.to_string()],
        ],
    });
    s
}

/// The repeat figures, each defined once and named the same way wherever it appears:
/// - merged (已归并): found to be the same source as an earlier report and joined to its group
///   (`repeat_sources`, the engine's `RepeatSource` dimension);
/// - not accepted as already accepted (重复举报（已受理）) and as dissatisfied with the reply
///   (对处理意见不服重复举报): the rejection reasons of section 一, with the same labels and
///   counts.
///
/// Reports the same-source index only suspects, and no one has merged, are not counted here:
/// the bulletin counts what staff decided.
fn repeats(this: &str, f: &Figures) -> Section {
    let r = &f.repeat_sources;
    let mut s = Section::new("七、重复举报");
    let rejected: Vec<&Item> = f
        .acceptance
        .reasons
        .iter()
        .filter(|i| is_repeat_rejection(&i.code) && i.count > 0)
        .collect();
    if r.count == 0 && rejected.is_empty() {
        s.paragraphs.push(format!(
            "{this}没有经核实归并为同一来源的重复举报，也没有因重复举报而不予受理的举报。"
        ));
        return s;
    }
    let mut parts = Vec::new();
    if r.count > 0 {
        parts.push(format!(
            "经核实与先前举报为同一来源、已归并处理的{}件，占举报总量的{}",
            r.count,
            share_text(r.share)
        ));
    }
    for item in &rejected {
        parts.push(format!("因{}不予受理的{}件", item.label, item.count));
    }
    s.paragraphs
        .push(format!("{this}重复举报中，{}。", parts.join("；")));
    s.paragraphs.push(
        "归并的重复举报随先前举报一并办理；已受理事项的重复举报告知举报人通过原件查询进展，对处理意见不服的告知其依法申请复查或复核。"
            .to_owned(),
    );
    s
}

/// Whether a rejection reason's code is a repeat of an earlier report (see [`repeats`]).
fn is_repeat_rejection(code: &str) -> bool {
    [
        RejectionReason::AlreadyAccepted,
        RejectionReason::DissatisfiedWithReply,
    ]
    .iter()
    .any(|r| r.code() == code)
}

fn trend_sentence(t: &Trend, subject: &str) -> String {
    match &t.result {
        TrendResult::TooFewPoints { points, needed } => {
            format!("{subject}仅有{points}个月的数据（不足{needed}个月），不作趋势判断")
        }
        TrendResult::TooFewCases { cases, needed } => format!(
            "{subject}近{}个月共{cases}件（不足{needed}件），不作趋势判断",
            t.months.len()
        ),
        TrendResult::Tested {
            direction,
            p_value: p,
            slope_per_month,
            ..
        } => {
            let slope = one_decimal(slope_per_month.abs());
            let per_month = if slope == "0.0" {
                "Sen斜率接近零".to_owned()
            } else if *slope_per_month > 0.0 {
                format!("Sen斜率为每月增加{slope}件")
            } else {
                format!("Sen斜率为每月减少{slope}件")
            };
            match *direction {
                "increasing" => format!("{subject}呈显著上升趋势（{}，{per_month}）", p_value(*p)),
                "decreasing" => format!("{subject}呈显著下降趋势（{}，{per_month}）", p_value(*p)),
                _ => format!("{subject}无显著趋势（{}）", p_value(*p)),
            }
        }
    }
}

fn trends(f: &Figures) -> Section {
    let tr = &f.trends;
    let mut s = Section::new("八、趋势分析");
    let months = &tr.total.months;
    let span = match (months.first(), months.last()) {
        (Some(a), Some(b)) if months.len() > 1 => {
            format!("{}至{}", month_zh(&a.month), month_zh(&b.month))
        }
        (Some(a), _) => month_zh(&a.month),
        _ => String::new(),
    };
    if months.is_empty() {
        s.paragraphs
            .push("近期无举报数据，不作趋势判断。".to_owned());
        return s;
    }
    s.paragraphs.push(match tr.total.result {
        TrendResult::Tested { .. } => format!(
            "对{span}的月度举报量作Mann-Kendall趋势检验（显著性水平{}），{}。",
            tr.alpha,
            trend_sentence(&tr.total, "举报总量")
        ),
        _ => format!("{}。", trend_sentence(&tr.total, "举报总量")),
    });
    let by_type: Vec<String> = tr
        .by_type
        .iter()
        .map(|t| {
            let subject = format!("{}举报", t.label_phrase());
            trend_sentence(t, &subject)
        })
        .collect();
    if !by_type.is_empty() {
        s.paragraphs
            .push(format!("分类型看，{}。", by_type.join("；")));
    }
    s.tables.push(Table {
        caption: "月度举报量".to_owned(),
        header: vec!["月份".to_owned(), "件数".to_owned()],
        rows: months
            .iter()
            .map(|m| vec![month_zh(&m.month), m.count.to_string()])
            .collect(),
    });
    s.charts.push(Chart::Line {
        title: "月度举报量（件）".to_owned(),
        points: months.iter().map(|m| (m.month.clone(), m.count)).collect(),
    });
    s
}

impl Trend {
    fn label_phrase(&self) -> String {
        match self.code.as_deref() {
            Some(code) => type_phrase(code, &self.label),
            None => self.label.clone(),
        }
    }
}

fn alerts(this: &str, f: &Figures) -> Section {
    let mut s = Section::new("九、异常预警");
    if f.alerts.is_empty() {
        s.paragraphs
            .push(format!("{this}未发现举报量异常增多的地区和类型。"));
        return s;
    }
    let shown: Vec<String> = f
        .alerts
        .iter()
        .take(5)
        .map(|a| {
            let days = if a.first_day == a.last_day {
                date_zh(a.first_day)
            } else {
                format!("{}至{}", date_zh(a.first_day), date_zh(a.last_day))
            };
            format!(
                "{}{}举报在{days}集中出现{}件，预期约{}件",
                a.region,
                type_phrase(&a.pollution_type, &a.type_label),
                a.observed,
                one_decimal(a.expected)
            )
        })
        .collect();
    let mut text = if f.alerts.len() == 1 {
        format!("{this}发现举报量异常增多预警1起：{}", shown.join(""))
    } else {
        format!(
            "{this}共发现举报量异常增多预警{}起：{}",
            f.alerts.len(),
            shown.join("；")
        )
    };
    if f.alerts.len() > shown.len() {
        text.push_str(&format!("；其余{}起见附表", f.alerts.len() - shown.len()));
    }
    text.push_str("。建议相关地区核查是否存在突发环境事件。");
    s.paragraphs.push(text);
    s.tables.push(Table {
        caption: "异常预警".to_owned(),
        header: vec![
            "地区".to_owned(),
            "污染类型".to_owned(),
            "起止日期".to_owned(),
            "件数".to_owned(),
            "预期件数".to_owned(),
        ],
        rows: f
            .alerts
            .iter()
            .map(|a| {
                vec![
                    a.region.clone(),
                    type_phrase(&a.pollution_type, &a.type_label),
                    format!("{}至{}", a.first_day, a.last_day),
                    a.observed.to_string(),
                    one_decimal(a.expected),
                ]
            })
            .collect(),
    });
    s
}

/// A hot topic of the period as the bulletin states it (worked out from the complaint texts,
/// which the statistics index does not hold; see `greenline_text::topics`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HotTopic {
    /// The words a reader sees (农药味、化工园区).
    pub label: String,
    /// Complaints of the period that mention it.
    pub count: u64,
    /// Their share of the complaints read.
    pub share: f64,
    /// Absent before, or at least ten times rarer.
    pub emerging: bool,
}

/// Section 十: the topics that rose against the `baseline_months` before the period.
pub(crate) fn hot_topics(this: &str, topics: &[HotTopic], baseline_months: u32) -> Section {
    let mut s = Section::new("十、热点问题");
    if topics.is_empty() {
        s.paragraphs.push(format!(
            "与此前{baseline_months}个月相比，{this}举报内容中没有明显增多的问题。"
        ));
        return s;
    }
    let list: Vec<String> = topics
        .iter()
        .map(|t| {
            let new = if t.emerging { "，新出现" } else { "" };
            format!(
                "“{}”（{}件，占{}{new}）",
                t.label,
                t.count,
                share_text(Some(t.share))
            )
        })
        .collect();
    s.paragraphs.push(format!(
        "与此前{baseline_months}个月相比，{this}举报内容中明显增多的问题有：{}。",
        list.join("；")
    ));
    s.paragraphs.push(
        "热点问题由举报内容中较此前明显增多的词语归并而成（对数似然比检验，p<0.001），举报人姓名、电话已先行去除。"
            .to_owned(),
    );
    s.tables.push(Table {
        caption: "热点问题".to_owned(),
        header: vec![
            "问题".to_owned(),
            "件数".to_owned(),
            "占举报内容".to_owned(),
            "新出现".to_owned(),
        ],
        rows: topics
            .iter()
            .map(|t| {
                vec![
                    t.label.clone(),
                    t.count.to_string(),
                    share_text(Some(t.share)),
                    if t.emerging { "是" } else { "否" }.to_owned(),
                ]
            })
            .collect(),
    });
    s
}
