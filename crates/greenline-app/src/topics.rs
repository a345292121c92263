//! Hot topics (热点): the terms that stand out in a period's complaints
//! of the caller's jurisdiction against the months before it (see `greenline_text::topics`).
//!
//! The period's texts are read in full (up to [`MAX_TEXTS`]); the background is a sample of
//! about [`BACKGROUND_TEXTS`] texts taken evenly by case id. Answers are kept for
//! [`CACHE_FOR`], since the period's texts are read and segmented each time.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::deadline::china_time;
use greenline_domain::{PollutionType, RegionCode};
use greenline_report::Period;
use greenline_store::CaseFilter;
use greenline_text::{
    DocFreq, Tokenizer, Topic, TopicGroup, TopicOptions, group_topics, hot_topics,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};

use crate::error::{ServiceError, ServiceResult};
use crate::{App, Caller};

/// The most texts of the period read.
pub const MAX_TEXTS: usize = 200_000;
/// About how many background texts are sampled.
pub const BACKGROUND_TEXTS: u64 = 50_000;
/// How long an answer is kept.
pub const CACHE_FOR: Duration = Duration::from_secs(300);

#[derive(Debug, Default, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct TopicParams {
    /// `2026-10`, `2026-Q3` or `2026`.
    pub period: String,
    /// A region within the caller's jurisdiction (default: all of it).
    pub region: Option<String>,
    /// Only cases carrying this pollution type.
    #[serde(rename = "type")]
    pub pollution_type: Option<String>,
    /// Months before the period that make the background (default 12, 1 to 60).
    pub baseline_months: Option<u32>,
    /// Terms returned at most (default 20, up to 100).
    pub limit: Option<usize>,
    /// Texts of the period that must contain a term (default 5).
    pub min_count: Option<u64>,
}

/// Hot topics of a period.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Topics {
    pub period: String,
    pub region: String,
    /// Cases of the period read.
    pub texts: u64,
    /// Background: its months and the texts of its sample.
    pub baseline_from: NaiveDate,
    pub baseline_to: NaiveDate,
    pub background_texts: u64,
    /// The terms that stand out, strongest first.
    pub topics: Vec<Topic>,
    /// The same as topics people read: filler dropped, terms that share their cases grouped
    /// under one label, with example cases.
    pub groups: Vec<TopicGroup>,
}

/// Answers kept by their question, and the questions being answered in the background.
#[derive(Debug, Default)]
pub struct TopicsCache {
    answers: Mutex<HashMap<String, (Instant, Arc<Topics>)>>,
    running: Mutex<std::collections::HashSet<String>>,
}

impl TopicsCache {
    /// Marks `key` as being answered; false if it already is.
    fn start(&self, key: &str) -> bool {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.insert(key.to_owned())
    }

    fn done(&self, key: &str) {
        let mut running = self.running.lock().unwrap_or_else(|e| e.into_inner());
        running.remove(key);
    }

    fn get(&self, key: &str) -> Option<Arc<Topics>> {
        let answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers
            .get(key)
            .filter(|(at, _)| at.elapsed() < CACHE_FOR)
            .map(|(_, topics)| topics.clone())
    }

    fn put(&self, key: String, topics: Arc<Topics>) {
        let mut answers = self.answers.lock().unwrap_or_else(|e| e.into_inner());
        answers.retain(|_, (at, _)| at.elapsed() < CACHE_FOR);
        answers.insert(key, (Instant::now(), topics));
    }
}

/// A checked question about hot topics.
struct TopicQuestion {
    key: String,
    period: Period,
    region: RegionCode,
    pollution_type: Option<PollutionType>,
    months: u32,
    options: TopicOptions,
}

fn start_of(day: NaiveDate) -> DateTime<Utc> {
    day.and_hms_opt(0, 0, 0)
        .and_then(|t| t.and_local_timezone(china_time()).single())
        .map_or(DateTime::<Utc>::MIN_UTC, |t| t.with_timezone(&Utc))
}

impl App {
    /// Hot topics of a period in `caller`'s jurisdiction: terms more frequent than in the
    /// months before, by log-likelihood, with example cases.
    pub async fn topics(&self, caller: &Caller, params: TopicParams) -> ServiceResult<Topics> {
        let asked = self.topic_question(caller, &params)?;
        if let Some(found) = self.topics.get(&asked.key) {
            return Ok(found.as_ref().clone());
        }
        self.answer_topics(asked).await
    }

    /// The hot topics if they are at hand; otherwise `None`, and they are worked out in the
    /// background (a national month reads tens of thousands of texts, several seconds), once
    /// however many ask, for the next request to find.
    pub async fn topics_if_ready(
        &self,
        caller: &Caller,
        params: TopicParams,
    ) -> ServiceResult<Option<Topics>> {
        let asked = self.topic_question(caller, &params)?;
        if let Some(found) = self.topics.get(&asked.key) {
            return Ok(Some(found.as_ref().clone()));
        }
        if self.topics.start(&asked.key) {
            let app = self.clone();
            tokio::spawn(async move {
                let key = asked.key.clone();
                if let Err(error) = app.answer_topics(asked).await {
                    tracing::warn!("hot topics not worked out: {error}");
                }
                app.topics.done(&key);
            });
        }
        Ok(None)
    }

    /// Checks a question about hot topics and gives its cache key.
    fn topic_question(
        &self,
        caller: &Caller,
        params: &TopicParams,
    ) -> ServiceResult<TopicQuestion> {
        let jurisdiction = caller.jurisdiction()?;
        let period = Period::parse(&params.period)
            .map_err(|e| ServiceError::parameter("period", e.to_string()))?;
        let region = match params.region.as_deref() {
            None | Some("") => jurisdiction,
            Some(code) => caller.region(
                RegionCode::parse(code)
                    .map_err(|e| ServiceError::parameter("region", e.to_string()))?,
            )?,
        };
        let pollution_type = params
            .pollution_type
            .as_deref()
            .filter(|t| !t.is_empty())
            .map(PollutionType::parse)
            .transpose()
            .map_err(|e| ServiceError::parameter("type", e.to_string()))?;
        let months = params.baseline_months.unwrap_or(12);
        if !(1..=60).contains(&months) {
            return Err(ServiceError::parameter("baseline_months", "1 to 60"));
        }
        let limit = params.limit.unwrap_or(20);
        if !(1..=100).contains(&limit) {
            return Err(ServiceError::parameter("limit", "1 to 100"));
        }
        let options = TopicOptions {
            min_count: params.min_count.unwrap_or(5).max(1),
            limit,
            ..TopicOptions::default()
        };
        let key = format!(
            "{region}|{}|{months}|{}|{limit}|{}",
            period.code(),
            pollution_type.map_or("", |t| t.code()),
            options.min_count
        );
        Ok(TopicQuestion {
            key,
            period,
            region,
            pollution_type,
            months,
            options,
        })
    }

    async fn answer_topics(&self, asked: TopicQuestion) -> ServiceResult<Topics> {
        let TopicQuestion {
            key,
            period,
            region,
            pollution_type,
            months,
            options,
        } = asked;
        let baseline_from = period
            .first_day()
            .checked_sub_months(chrono::Months::new(months))
            .unwrap_or(NaiveDate::MIN);
        let filter = |from: NaiveDate, to: NaiveDate| CaseFilter {
            within: Some(region),
            pollution_type,
            received_from: Some(start_of(from)),
            received_before: Some(start_of(to)),
            ..CaseFilter::default()
        };
        let now_filter = filter(period.first_day(), period.end());
        let before_filter = filter(baseline_from, period.first_day());
        let current = self.store.texts(&now_filter, 1, MAX_TEXTS).await?;
        let background_all = self.store.count_cases(&before_filter).await?;
        let every =
            u32::try_from(background_all.div_ceil(BACKGROUND_TEXTS).max(1)).unwrap_or(u32::MAX);
        let background = self.store.texts(&before_filter, every, usize::MAX).await?;

        let found = tokio::task::spawn_blocking(move || {
            let tokenizer = Tokenizer::shared();
            // Topics are shown to every role: what reporters typed of their names and phones
            // is masked before the words are counted, so no name can rise as a topic.
            let unknown = greenline_text::pii::Identity::default();
            let mut now = DocFreq::with_postings();
            for (id, text) in &current {
                now.add(tokenizer, *id, &greenline_text::pii::mask(text, &unknown));
            }
            let mut before = DocFreq::new();
            for (id, text) in &background {
                before.add(tokenizer, *id, text);
            }
            // Groups are made from more terms than are listed: a topic's weaker words join it.
            let wide = TopicOptions {
                limit: options.limit.saturating_mul(3),
                ..options
            };
            let mut terms = hot_topics(&now, &before, &wide);
            let groups = group_topics(&now, &terms, options.limit);
            terms.truncate(options.limit);
            (now.texts(), before.texts(), terms, groups)
        })
        .await?;
        let (texts, background_texts, found, groups) = found;
        let answer = Arc::new(Topics {
            period: period.code(),
            region: region.to_string(),
            texts,
            baseline_from,
            baseline_to: period.first_day(),
            background_texts,
            topics: found,
            groups,
        });
        self.topics.put(key, answer.clone());
        Ok(answer.as_ref().clone())
    }
}
