//! `GET /api/v1/search` — full-text search over the case texts of the caller's jurisdiction.

use std::collections::HashMap;

use axum::Json;
use axum::extract::rejection::QueryRejection;
use axum::extract::{Query, State};
use greenline_domain::PollutionType;
use greenline_search::{MAX_LIMIT, SearchError, SearchQuery, analyzer};
use greenline_store::CaseFilter;
use serde::Serialize;
use utoipa::ToSchema;

use crate::AppState;
use crate::auth::SignedIn;
use crate::error::{ApiError, ApiResult, Problem};
use crate::views::CaseView;

const DEFAULT_LIMIT: usize = 20;
/// The longest query, in characters.
const MAX_QUERY_CHARS: usize = 200;
/// The deepest page: relevance past this is noise, and paging there costs the index.
const MAX_OFFSET: usize = 10_000;

/// One case found: the passage of its description with the words found in `<mark>`, its
/// address likewise (both HTML-escaped), and the case as staff see it (never its reporter).
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchHitView {
    /// BM25 relevance; higher is better.
    pub score: f32,
    pub snippet_html: String,
    pub address_html: String,
    pub case: CaseView,
}

/// A page of hits, best first, and how many cases match in all.
#[derive(Debug, Serialize, ToSchema)]
pub struct SearchPage {
    pub total: u64,
    pub offset: usize,
    pub limit: usize,
    pub hits: Vec<SearchHitView>,
}

/// Reads the parameters into a search within the caller's jurisdiction.
pub(crate) fn read_query(
    state: &AppState,
    who: &SignedIn,
    params: &HashMap<String, String>,
) -> ApiResult<SearchQuery> {
    let mut query = SearchQuery::new("").within(who.0.unit.region);
    query.limit = DEFAULT_LIMIT;
    // Filters the case search also takes are read by its parser, under its names.
    let mut filters: Vec<(&str, &str)> = Vec::new();
    let mut text = None;
    for (key, value) in params {
        let trimmed = value.trim();
        match key.as_str() {
            "q" => text = Some(trimmed),
            "limit" => {
                query.limit = trimmed
                    .parse()
                    .ok()
                    .filter(|n| (1..=MAX_LIMIT).contains(n))
                    .ok_or_else(|| {
                        ApiError::bad_query("limit", format!("a number from 1 to {MAX_LIMIT}"))
                    })?;
            }
            "offset" => {
                query.offset = trimmed
                    .parse()
                    .ok()
                    .filter(|n| *n <= MAX_OFFSET)
                    .ok_or_else(|| {
                        ApiError::bad_query("offset", format!("a number from 0 to {MAX_OFFSET}"))
                    })?;
            }
            "primary_type" => {
                query.primary_type = Some(
                    PollutionType::parse(trimmed)
                        .map_err(|e| ApiError::bad_query("primary_type", e.to_string()))?,
                );
            }
            "from" => filters.push(("received_from", value)),
            "to" => filters.push(("received_to", value)),
            "region" | "type" | "stage" | "kind" | "channel" => filters.push((key.as_str(), value)),
            other => return Err(ApiError::bad_query(other, "unknown parameter")),
        }
    }
    let filter = CaseFilter::from_params(filters, state.clock.now()).map_err(|e| {
        let field = match e.field.as_str() {
            "received_from" => "from",
            "received_to" => "to",
            other => other,
        };
        ApiError::bad_query(field, e.message)
    })?;
    let text = text.unwrap_or_default();
    if text.chars().count() > MAX_QUERY_CHARS {
        return Err(ApiError::bad_query(
            "q",
            format!("longer than {MAX_QUERY_CHARS} characters"),
        ));
    }
    if analyzer::query_words(text).is_empty() {
        return Err(ApiError::bad_query("q", "give words to search for"));
    }
    query.text = text.to_owned();
    query.region = filter.region;
    query.pollution_type = filter.pollution_type;
    query.stage = filter.stage;
    query.kind = filter.kind;
    query.channel = filter.channel;
    query.received_from = filter.received_from;
    query.received_before = filter.received_before;
    Ok(query)
}

/// Runs a search and reads the cases found from the store.
pub(crate) async fn run(
    state: &AppState,
    who: &SignedIn,
    query: SearchQuery,
) -> ApiResult<SearchPage> {
    let search = state.search.clone();
    let Some(index) = search.index().cloned() else {
        return Err(ApiError::Unavailable(format!(
            "the search index is being prepared ({} cases read so far); try again shortly",
            search.loaded()
        )));
    };
    let (limit, offset) = (query.limit, query.offset);
    let results = tokio::task::spawn_blocking(move || index.search(&query))
        .await
        .map_err(|e| ApiError::Internal(e.into()))?
        .map_err(|e| match e {
            SearchError::EmptyQuery => ApiError::bad_query("q", e.to_string()),
            other => ApiError::Internal(other.into()),
        })?;
    let ids: Vec<i64> = results.hits.iter().map(|h| h.case_id).collect();
    let mut cases: HashMap<i64, greenline_domain::Case> = state
        .store
        .cases_with_text_by_id(&ids)
        .await?
        .into_iter()
        .map(|c| (c.id, c))
        .collect();
    let scope = who.scope();
    let now = state.clock.now();
    let hits = results
        .hits
        .into_iter()
        .filter_map(|hit| {
            let case = cases.remove(&hit.case_id)?;
            // The index already keeps to the scope; the store's word is final.
            scope.can_see(case.region).then(|| SearchHitView {
                score: hit.score,
                snippet_html: hit.snippet_html,
                address_html: hit.address_html,
                case: CaseView::new(case, &state.deadlines, now),
            })
        })
        .collect();
    Ok(SearchPage {
        total: results.total,
        offset,
        limit,
        hits,
    })
}

/// Full-text search over the descriptions and addresses of the caller's jurisdiction, best
/// match first.
///
/// `q`: words separated by spaces; each must occur (in the description or the address), and a
/// run of words without spaces is a phrase (`油烟 扰民` finds both words anywhere; `油烟扰民`
/// the phrase). Filters narrow the caller's jurisdiction and never widen it: a `region`
/// outside it finds nothing.
#[utoipa::path(get, path = "/api/v1/search", tag = "search", operation_id = "search_texts",
    security(("bearer" = [])),
    params(
        ("q" = String, Query, description = "Words to find, at most 200 characters"),
        ("region" = Option<String>, Query, description = "Region code; the whole subtree, within the caller's jurisdiction"),
        ("type" = Option<String>, Query, description = "Pollution type; matches any type a case carries"),
        ("primary_type" = Option<String>, Query, description = "Primary pollution type"),
        ("stage" = Option<String>, Query),
        ("kind" = Option<String>, Query, description = "report | petition | reconsideration"),
        ("channel" = Option<String>, Query),
        ("from" = Option<String>, Query, description = "Received on or after: YYYY-MM-DD (China time) or RFC 3339"),
        ("to" = Option<String>, Query, description = "Received up to: YYYY-MM-DD inclusive, or RFC 3339 exclusive"),
        ("limit" = Option<usize>, Query, description = "1 to 100, default 20"),
        ("offset" = Option<usize>, Query, description = "Hits to skip, at most 10000"),
    ),
    responses(
        (status = 200, body = SearchPage),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 503, body = Problem)))]
pub async fn search(
    State(state): State<AppState>,
    who: SignedIn,
    params: Result<Query<HashMap<String, String>>, QueryRejection>,
) -> ApiResult<Json<SearchPage>> {
    let Query(params) = params.map_err(|e| ApiError::BadRequest {
        detail: e.body_text(),
        errors: Vec::new(),
    })?;
    let query = read_query(&state, &who, &params)?;
    run(&state, &who, query).await.map(Json)
}
