//! Full-text search over the case texts of a jurisdiction, from the node's search index.

use std::collections::HashMap;

use greenline_domain::PollutionType;
use greenline_search::{MAX_LIMIT, SearchError, SearchQuery, analyzer};
use greenline_store::CaseFilter;
use serde::Serialize;
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::views::CaseView;
use crate::{App, Caller};

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

impl App {
    /// Reads search parameters (`q`, `region`, `type`, `primary_type`, `stage`, `kind`,
    /// `channel`, `from`, `to`, `limit`, `offset`) into a search within `caller`'s jurisdiction.
    pub fn search_query<'a>(
        &self,
        caller: &Caller,
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ServiceResult<SearchQuery> {
        let mut query = SearchQuery::new("").within(caller.jurisdiction()?);
        query.limit = DEFAULT_LIMIT;
        // Filters the case list also takes are read by its parser, under its names.
        let mut filters: Vec<(&str, &str)> = Vec::new();
        let mut text = None;
        for (key, value) in params {
            let trimmed = value.trim();
            match key {
                "q" => text = Some(trimmed),
                "limit" => {
                    query.limit = trimmed
                        .parse()
                        .ok()
                        .filter(|n| (1..=MAX_LIMIT).contains(n))
                        .ok_or_else(|| {
                            ServiceError::parameter(
                                "limit",
                                format!("a number from 1 to {MAX_LIMIT}"),
                            )
                        })?;
                }
                "offset" => {
                    query.offset = trimmed
                        .parse()
                        .ok()
                        .filter(|n| *n <= MAX_OFFSET)
                        .ok_or_else(|| {
                            ServiceError::parameter(
                                "offset",
                                format!("a number from 0 to {MAX_OFFSET}"),
                            )
                        })?;
                }
                "primary_type" => {
                    query.primary_type = Some(
                        PollutionType::parse(trimmed)
                            .map_err(|e| ServiceError::parameter("primary_type", e.to_string()))?,
                    );
                }
                "from" => filters.push(("received_from", value)),
                "to" => filters.push(("received_to", value)),
                "region" | "type" | "stage" | "kind" | "channel" => filters.push((key, value)),
                other => return Err(ServiceError::parameter(other, "unknown parameter")),
            }
        }
        let filter = CaseFilter::from_params(filters, self.now()).map_err(|e| {
            let field = match e.field.as_str() {
                "received_from" => "from",
                "received_to" => "to",
                other => other,
            };
            ServiceError::parameter(field, e.message)
        })?;
        let text = text.unwrap_or_default();
        if text.chars().count() > MAX_QUERY_CHARS {
            return Err(ServiceError::parameter(
                "q",
                format!("longer than {MAX_QUERY_CHARS} characters"),
            ));
        }
        if analyzer::query_words(text).is_empty() {
            return Err(ServiceError::parameter("q", "give words to search for"));
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
    ///
    /// A caller whose roles may not read reporters searches the index's masked texts and sees
    /// masked passages and cases (see [`crate::masking`]); whatever the query says, the caller
    /// decides.
    pub async fn search_texts(
        &self,
        caller: &Caller,
        mut query: SearchQuery,
    ) -> ServiceResult<SearchPage> {
        query.reveal_identities = caller.may_read_identities();
        let search = self.projections.search.clone();
        let Some(index) = search.index().cloned() else {
            return Err(ServiceError::Unavailable(format!(
                "the search index is being prepared ({} cases read so far); try again shortly",
                search.loaded()
            )));
        };
        let (limit, offset) = (query.limit, query.offset);
        let words: String = query.text.chars().take(200).collect();
        let results = tokio::task::spawn_blocking(move || index.search(&query))
            .await?
            .map_err(|e| match e {
                SearchError::EmptyQuery => ServiceError::parameter("q", e.to_string()),
                other => ServiceError::internal(other),
            })?;
        // What was searched for is recorded: fishing for a neighbour's name shows in the trail.
        self.record(
            caller,
            crate::audit::AuditAction::Search,
            words,
            greenline_store::AuditOutcome::Ok,
            serde_json::json!({ "found": results.total, "offset": offset }),
        )
        .await?;
        let ids: Vec<i64> = results.hits.iter().map(|h| h.case_id).collect();
        let found = self.store.cases_with_text_by_id(&ids).await?;
        let mut cases: HashMap<i64, greenline_domain::Case> = self
            .readable_cases(caller, found)
            .await?
            .into_iter()
            .map(|c| (c.id, c))
            .collect();
        let scope = caller.scope();
        let now = self.now();
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
                    case: CaseView::new(case, &self.deadlines, now),
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
}
