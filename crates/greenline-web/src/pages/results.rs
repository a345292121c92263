//! The public results pages: `/results` (办理结果公开: filters by region, type and months of
//! receipt, newest first, a page at a time), `/results/{tracking_no}` (one published case),
//! `/results/feed.atom` (an Atom feed per region and type, with ETag and Last-Modified) and
//! `/figures` (公开统计: monthly counts with a chart, drawn by `static/public.js` with the
//! vendored ECharts, and the same figures in tables).
//!
//! Each handler reads its query, calls one use case of `greenline_app::public` and renders.
//! What the core hands out is already masked; these pages add nothing about a reporter.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, RawQuery, State};
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use chrono::{DateTime, Utc};
use greenline_app::ServiceError;
use greenline_app::public::figures::{FiguresFeed, FiguresFilter, PublicFigures};
use greenline_app::public::published::{PublishedCase, PublishedFilter, PublishedPage};
use greenline_domain::{PollutionType, RegionCode};
use sha2::{Digest, Sha256};

use super::report::{Choice, regions_under};
use super::{Chrome, FieldErrors, PageError, PageResult, render};
use crate::AppState;

pub(super) fn routes() -> Router<AppState> {
    Router::new()
        .route("/results", get(list))
        .route("/results/feed.atom", get(feed))
        .route("/results/{tracking_no}", get(one))
        .route("/results/{tracking_no}/photos/{attachment}", get(photo))
        .route("/figures", get(figures))
        .route("/figures/feed.atom", get(figures_feed))
}

/// The cascade's levels: field name and label.
const LEVELS: [(&str, &str); 3] = [("province", "省份"), ("city", "城市"), ("county", "区县")];

/// One select of the region cascade.
#[derive(Debug)]
struct Level {
    name: &'static str,
    label: &'static str,
    choices: Vec<Choice>,
}

fn value<'a>(params: &'a HashMap<String, String>, key: &str) -> Option<&'a str> {
    params.get(key).map(|v| v.trim()).filter(|v| !v.is_empty())
}

/// The region the query chooses: the deepest of `province`, `city`, `county` that lies under
/// the one above it (a level left over from another choice above is ignored), else `region`.
/// A code that is not a region is handed on as written, for the core to name.
fn chosen_region(params: &HashMap<String, String>) -> Option<String> {
    let mut chosen: Option<String> = None;
    let mut parent = RegionCode::NATIONAL;
    for (key, _) in LEVELS {
        let Some(code) = value(params, key) else {
            break;
        };
        match RegionCode::parse(code) {
            Ok(region) if region.parent() == Some(parent) => {
                chosen = Some(region.to_string());
                parent = region;
            }
            Ok(_) => break,
            Err(_) => return Some(code.to_owned()),
        }
    }
    chosen.or_else(|| value(params, "region").map(str::to_owned))
}

/// The cascade's three selects for `chosen`: every province, the cities of the chosen
/// province, the counties of the chosen city.
fn cascade(chosen: Option<RegionCode>) -> Vec<Level> {
    let mut chain: Vec<RegionCode> = chosen
        .map(|c| {
            c.ancestry()
                .filter(|r| *r != RegionCode::NATIONAL)
                .collect()
        })
        .unwrap_or_default();
    chain.reverse();
    let mut parent = Some(RegionCode::NATIONAL);
    LEVELS
        .iter()
        .enumerate()
        .map(|(i, (name, label))| {
            let selected = chain.get(i).copied();
            let choices = parent
                .map(|p| {
                    regions_under(p)
                        .map(|code| Choice {
                            value: code.to_string(),
                            label: code.name().to_owned(),
                            selected: Some(code) == selected,
                        })
                        .collect()
                })
                .unwrap_or_default();
            parent = selected;
            Level {
                name,
                label,
                choices,
            }
        })
        .collect()
}

fn type_choices(selected: Option<&str>) -> Vec<Choice> {
    PollutionType::all()
        .map(|t| Choice {
            value: t.code().to_owned(),
            label: t.zh().to_owned(),
            selected: Some(t.code()) == selected,
        })
        .collect()
}

/// A query string of the filters (percent-encoded), without the page.
fn query_of(pairs: &[(&str, Option<&str>)]) -> String {
    pairs
        .iter()
        .filter_map(|(k, v)| v.map(|v| format!("{k}={}", encode(v))))
        .collect::<Vec<_>>()
        .join("&")
}

fn encode(text: &str) -> String {
    text.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                char::from(b).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// A bad filter, in Chinese, tied to its field.
fn filter_error(field: &str) -> &'static str {
    match field {
        "region" => "所选地区不存在，请重新选择。",
        "type" => "所选问题类型不存在，请重新选择。",
        "from" | "to" => "请按“年-月”填写月份，例如 2026-03；起始月份不能晚于截止月份。",
        "before" | "limit" => "翻页参数有误，请从第一页重新查看。",
        _ => "筛选条件有误，请检查后重试。",
    }
}

#[derive(Template)]
#[template(path = "results.html")]
struct ResultsPage {
    chrome: Chrome,
    title: &'static str,
    levels: Vec<Level>,
    types: Vec<Choice>,
    from: String,
    to: String,
    errors: FieldErrors,
    page: PublishedPage,
    /// The chosen region's and type's names, for the heading of the list.
    scope: String,
    /// The filters as a query string (for the next page and the feed).
    query: String,
    /// Whether this is a later page.
    later: bool,
}

/// `GET /results` — the published results under the query's filters.
async fn list(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    let region = chosen_region(&params);
    let pollution_type = value(&params, "type").map(str::to_owned);
    let from = value(&params, "from").map(str::to_owned);
    let to = value(&params, "to").map(str::to_owned);
    let filter = PublishedFilter {
        region: region.clone(),
        pollution_type: pollution_type.clone(),
        from: from.clone(),
        to: to.clone(),
        before: value(&params, "before").map(str::to_owned),
        limit: None,
    };
    let mut errors = FieldErrors::default();
    let page = match app.published_results(&filter).await {
        Ok(page) => page,
        Err(ServiceError::BadParameter { field, .. }) => {
            errors.add(&field, filter_error(&field));
            PublishedPage {
                items: Vec::new(),
                next_before: None,
            }
        }
        Err(other) => return Err(other.into()),
    };
    let region_code = region.as_deref().and_then(|r| RegionCode::parse(r).ok());
    let type_known = pollution_type
        .as_deref()
        .and_then(|t| PollutionType::parse(t).ok());
    let scope = [
        region_code.map_or_else(|| "全国".to_owned(), RegionCode::full_name),
        type_known.map_or_else(|| "全部类型".to_owned(), |t| t.zh().to_owned()),
    ]
    .join(" · ");
    let query = query_of(&[
        ("region", region_code.map(|r| r.to_string()).as_deref()),
        ("type", type_known.map(PollutionType::code)),
        ("from", from.as_deref()),
        ("to", to.as_deref()),
    ]);
    let status = if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &ResultsPage {
            chrome: Chrome::default(),
            title: "办理结果公开",
            levels: cascade(region_code),
            types: type_choices(type_known.map(PollutionType::code)),
            from: from.unwrap_or_default(),
            to: to.unwrap_or_default(),
            errors,
            page,
            scope,
            query,
            later: value(&params, "before").is_some(),
        },
    )
}

#[derive(Template)]
#[template(path = "result.html")]
struct ResultPage {
    chrome: Chrome,
    title: String,
    c: PublishedCase,
}

/// `GET /results/{tracking_no}` — one published result.
async fn one(State(app): State<AppState>, Path(tracking_no): Path<String>) -> PageResult {
    let c = app.published_result(&tracking_no).await?;
    render(
        StatusCode::OK,
        &ResultPage {
            chrome: Chrome::default(),
            title: format!("办理结果 {}", c.tracking_no),
            c,
        },
    )
}

/// `GET /results/{tracking_no}/photos/{attachment}`: a published result's photo, as its public
/// copy (re-encoded without metadata); not found for anything else.
async fn photo(
    State(app): State<AppState>,
    Path((tracking_no, attachment)): Path<(String, String)>,
) -> PageResult {
    let attachment: i64 = attachment
        .parse()
        .map_err(|_| PageError::Service(ServiceError::NotFound("photo")))?;
    let photo = app.published_photo(&tracking_no, attachment).await?;
    Ok((
        [
            (
                header::CONTENT_TYPE,
                photo.file_type.media_type().to_owned(),
            ),
            (header::CACHE_CONTROL, "public, max-age=3600".to_owned()),
        ],
        photo.bytes,
    )
        .into_response())
}

/// Results in a feed.
const FEED_ENTRIES: u32 = 50;

#[derive(Template)]
#[template(path = "feed.xml", escape = "html")]
pub(super) struct Feed {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) updated: String,
    pub(super) self_href: String,
    pub(super) alternate_href: String,
    pub(super) entries: Vec<FeedEntry>,
}

pub(super) struct FeedEntry {
    pub(super) id: String,
    pub(super) title: String,
    pub(super) href: String,
    pub(super) updated: String,
    pub(super) published: Option<String>,
    pub(super) summary: String,
    pub(super) category: String,
}

/// An RFC 3339 time in UTC, as Atom writes it.
pub(super) fn atom_time(at: DateTime<Utc>) -> String {
    at.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// `GET /results/feed.atom?region=&type=` — the latest published results of a region and type.
/// Answers 304 to a client that already has this version (`If-None-Match`, else
/// `If-Modified-Since`).
async fn feed(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    let region = value(&params, "region").map(str::to_owned);
    let pollution_type = value(&params, "type").map(str::to_owned);
    let page = app
        .published_results(&PublishedFilter {
            region: region.clone(),
            pollution_type: pollution_type.clone(),
            limit: Some(FEED_ENTRIES.to_string()),
            ..PublishedFilter::default()
        })
        .await?;
    // Both parsed by the core by now.
    let region_code = region.as_deref().and_then(|r| RegionCode::parse(r).ok());
    let type_known = pollution_type
        .as_deref()
        .and_then(|t| PollutionType::parse(t).ok());
    let query = query_of(&[
        ("region", region_code.map(|r| r.to_string()).as_deref()),
        ("type", type_known.map(PollutionType::code)),
    ]);
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let updated_at = page
        .items
        .iter()
        .filter_map(|c| c.published_at)
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let entries = page
        .items
        .iter()
        .map(|c| {
            let at = c.published_at.unwrap_or(DateTime::UNIX_EPOCH);
            let mut summary = c.public_summary.clone();
            if let Some(outcome) = &c.outcome_zh {
                summary = format!("核查结论：{outcome}。{summary}");
            }
            FeedEntry {
                id: format!("tag:greenline,2026:results/{}", c.tracking_no),
                title: format!(
                    "{} {}{} {}",
                    c.tracking_no, c.region_name, c.place, c.type_zh
                ),
                href: format!("/results/{}", c.tracking_no),
                updated: atom_time(at),
                published: c.published_at.map(atom_time),
                summary,
                category: c.type_zh.clone(),
            }
        })
        .collect();
    let feed = Feed {
        id: format!("tag:greenline,2026:results{suffix}"),
        title: format!(
            "办理结果公开 · {} · {}",
            region_code.map_or_else(|| "全国".to_owned(), RegionCode::full_name),
            type_known.map_or("全部类型", PollutionType::zh)
        ),
        updated: atom_time(updated_at),
        self_href: format!("/results/feed.atom{suffix}"),
        alternate_href: format!("/results{suffix}"),
        entries,
    };
    atom(&feed, updated_at, &headers)
}

/// A rendered feed, or 304 to a client that already has this version (`If-None-Match`, else
/// `If-Modified-Since`); with its `ETag` (a digest of the body) and `Last-Modified` (the
/// feed's `updated`).
pub(super) fn atom(
    feed: &Feed,
    updated_at: DateTime<Utc>,
    headers: &HeaderMap,
) -> Result<Response, PageError> {
    let body = feed
        .render()
        .map_err(|e| PageError::Service(ServiceError::internal(anyhow::anyhow!("feed: {e}"))))?;
    let etag = format!(
        "\"{}\"",
        &hex::encode(Sha256::digest(body.as_bytes()))[..32]
    );
    let last_modified = updated_at.format("%a, %d %b %Y %H:%M:%S GMT").to_string();
    let fresh = match headers.get(header::IF_NONE_MATCH) {
        Some(tags) => tags.to_str().is_ok_and(|tags| {
            tags.split(',')
                .map(|t| t.trim().trim_start_matches("W/"))
                .any(|t| t == etag || t == "*")
        }),
        None => headers
            .get(header::IF_MODIFIED_SINCE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| DateTime::parse_from_rfc2822(v).ok())
            .is_some_and(|since| updated_at.timestamp() <= since.timestamp()),
    };
    let mut response = if fresh {
        StatusCode::NOT_MODIFIED.into_response()
    } else {
        (
            [(header::CONTENT_TYPE, "application/atom+xml; charset=utf-8")],
            body,
        )
            .into_response()
    };
    let headers = response.headers_mut();
    headers.insert(
        header::CACHE_CONTROL,
        HeaderValue::from_static("public, no-cache"),
    );
    for (name, value) in [(header::ETAG, etag), (header::LAST_MODIFIED, last_modified)] {
        if let Ok(value) = HeaderValue::from_str(&value) {
            headers.insert(name, value);
        }
    }
    Ok(response)
}

/// `GET /figures/feed.atom?region=&type=` — the public monthly figures of a region and type,
/// one entry per whole month, newest first. An entry's id is the month's (stable across
/// versions); its `updated` is when a case behind its counts last changed; withheld counts
/// read `<3` as on the page.
async fn figures_feed(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Result<Response, PageError> {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    let region = value(&params, "region").map(str::to_owned);
    let pollution_type = value(&params, "type").map(str::to_owned);
    let FiguresFeed {
        figures: f,
        updated,
    } = app
        .figures_feed(&FiguresFilter {
            region,
            pollution_type,
        })
        .await?;
    let region_part = (f.region != RegionCode::NATIONAL.to_string()).then(|| f.region.clone());
    let query = query_of(&[
        ("region", region_part.as_deref()),
        ("type", f.pollution_type.as_deref()),
    ]);
    let suffix = if query.is_empty() {
        String::new()
    } else {
        format!("?{query}")
    };
    let scope = format!(
        "{} · {}",
        f.region_name,
        f.type_zh.as_deref().unwrap_or("全部类型")
    );
    let key = format!(
        "{}/{}",
        f.region,
        f.pollution_type.as_deref().unwrap_or("all")
    );
    let mut entries = Vec::with_capacity(f.months.len());
    for (i, month) in f.months.iter().enumerate().rev() {
        let cell = |cells: &[greenline_app::public::figures::Cell]| {
            cells.get(i).map_or_else(String::new, |c| c.text())
        };
        let at = updated.get(i).copied().unwrap_or(DateTime::UNIX_EPOCH);
        entries.push(FeedEntry {
            id: format!("tag:greenline,2026:figures/{key}/{month}"),
            title: format!("{month} {scope}：收到 {} 件", cell(&f.received)),
            href: format!("/figures{suffix}"),
            updated: atom_time(at),
            published: None,
            summary: format!(
                "{month}收到{}件，其中已受理{}件、已办结{}件（截至{}）。1至{}件的数字不公布，记为“<{}”。",
                cell(&f.received),
                cell(&f.accepted),
                cell(&f.concluded),
                f.as_of,
                f.min_count - 1,
                f.min_count
            ),
            category: f.type_zh.clone().unwrap_or_else(|| "全部类型".to_owned()),
        });
    }
    let updated_at = updated
        .iter()
        .copied()
        .max()
        .unwrap_or(DateTime::UNIX_EPOCH);
    let feed = Feed {
        id: format!("tag:greenline,2026:figures{suffix}"),
        title: format!("公开统计 · {scope}"),
        updated: atom_time(updated_at),
        self_href: format!("/figures/feed.atom{suffix}"),
        alternate_href: format!("/figures{suffix}"),
        entries,
    };
    atom(&feed, updated_at, &headers)
}

#[derive(Template)]
#[template(path = "figures.html")]
struct FiguresPage {
    chrome: Chrome,
    title: &'static str,
    levels: Vec<Level>,
    types: Vec<Choice>,
    errors: FieldErrors,
    f: Option<PublicFigures>,
    /// The figures as JSON for the chart, with `<` escaped so it cannot end the element.
    data: String,
    min_count: u64,
    /// The statistics are still being built after a start: come back shortly.
    preparing: bool,
}

/// `GET /figures` — the public monthly figures of a region and type.
async fn figures(
    State(app): State<AppState>,
    RawQuery(raw): RawQuery,
    Query(params): Query<HashMap<String, String>>,
) -> PageResult {
    super::form::check_utf8(raw.unwrap_or_default().as_bytes())?;
    let region = chosen_region(&params);
    let pollution_type = value(&params, "type").map(str::to_owned);
    let mut errors = FieldErrors::default();
    let mut preparing = false;
    let f = match app
        .public_figures(&FiguresFilter {
            region: region.clone(),
            pollution_type: pollution_type.clone(),
        })
        .await
    {
        Ok(f) => Some(f),
        Err(ServiceError::BadParameter { field, .. }) => {
            errors.add(&field, filter_error(&field));
            None
        }
        Err(ServiceError::Unavailable(_)) => {
            preparing = true;
            None
        }
        Err(other) => return Err(other.into()),
    };
    let data = match &f {
        Some(f) => serde_json::to_string(f)
            .map_err(|e| PageError::Service(ServiceError::internal(e)))?
            .replace('<', "\\u003c"),
        None => "null".to_owned(),
    };
    let status = if preparing {
        StatusCode::SERVICE_UNAVAILABLE
    } else if errors.is_empty() {
        StatusCode::OK
    } else {
        StatusCode::BAD_REQUEST
    };
    render(
        status,
        &FiguresPage {
            chrome: Chrome::default(),
            title: "公开统计",
            levels: cascade(region.as_deref().and_then(|r| RegionCode::parse(r).ok())),
            types: type_choices(pollution_type.as_deref()),
            errors,
            f,
            data,
            min_count: greenline_app::public::figures::MIN_PUBLIC_COUNT,
            preparing,
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(pairs: &[(&str, &str)]) -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    #[test]
    fn the_deepest_consistent_level_of_the_cascade_is_chosen() {
        assert_eq!(
            chosen_region(&params(&[
                ("province", "440000"),
                ("city", "440300"),
                ("county", "440305")
            ])),
            Some("440305".to_owned())
        );
        // A county left over from another city is ignored.
        assert_eq!(
            chosen_region(&params(&[
                ("province", "440000"),
                ("city", "440100"),
                ("county", "440305")
            ])),
            Some("440100".to_owned())
        );
        assert_eq!(
            chosen_region(&params(&[("region", "110000")])),
            Some("110000".to_owned())
        );
        assert_eq!(chosen_region(&params(&[("province", "")])), None);
    }
}
