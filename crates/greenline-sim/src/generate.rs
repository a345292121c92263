//! The simulation itself: day by day, a Poisson number of cases shaped by the calendar, each
//! with its place, channel, types, source, text and history.

use std::collections::VecDeque;

use chrono::{DateTime, Datelike, Days, NaiveDate, TimeZone, Timelike, Utc};
use greenline_domain::deadline::china_time;
use greenline_domain::{PollutionType, RegionCode, RegionLevel, SubType};
use rand::Rng;
use rand::SeedableRng;
use rand::distr::Distribution;
use rand::distr::weighted::WeightedIndex;
use rand_chacha::ChaCha8Rng;
use rand_distr::{LogNormal, Poisson};
use serde::{Deserialize, Serialize};

use crate::calibration as cal;
use crate::places::{RegionSampler, reporter};
use crate::text::{Complaint, Register, Source, complaint_text, invent_source};
use crate::truth::GroundTruth;
use greenline_domain::CaseRecord;
use greenline_domain::record::format_time;

#[derive(Debug, thiserror::Error)]
pub enum SimError {
    #[error("{0} is not a province")]
    NotAProvince(String),
    #[error("{0} is not a prefecture-level city")]
    NotACity(String),
    #[error("nothing to simulate: give a positive number of years or cases")]
    Empty,
}

/// How much of the country to simulate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    National,
    Province(RegionCode),
    City(RegionCode),
}

/// What to simulate.
#[derive(Debug, Clone)]
pub struct SimConfig {
    pub seed: u64,
    /// The first day (China time).
    pub start: NaiveDate,
    /// How many days, unless `cases` stops it first.
    pub days: u32,
    /// Stop after this many cases (the calendar still decides their timing). The period is
    /// then cut to about the days these cases need (with a margin, as volume varies), so that
    /// the injected events and the end of the period fall where the cases are.
    pub cases: Option<u64>,
    pub scale: Scale,
    /// Add the injected events.
    pub inject_events: bool,
}

/// An event added on top of the ordinary flow, for anomaly detection to find.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct InjectedEvent {
    pub id: u32,
    /// What happened, in a word: `chemical_park_odour_surge`, `new_construction_site`.
    pub kind: String,
    pub description: String,
    pub region: RegionCode,
    pub primary_type: PollutionType,
    pub sub_type: SubType,
    pub first_day: NaiveDate,
    pub last_day: NaiveDate,
    /// Extra cases a day while it lasts.
    pub cases_per_day: f64,
    pub source_id: u64,
    pub source: Source,
}

/// A source that has been reported, to be reported again.
#[derive(Debug, Clone)]
struct KnownSource {
    id: u64,
    region: RegionCode,
    primary: PollutionType,
    sub_type: Option<SubType>,
    industry: Option<String>,
    source: Source,
}

/// Recent sources are remembered up to this many; repeats go to them.
const SOURCE_MEMORY: usize = 50_000;
/// Reports remembered for preferential attachment (each report is a "ball" of its source).
const REPORT_MEMORY: usize = 200_000;

struct Weighted<T: Copy> {
    items: Vec<T>,
    index: WeightedIndex<f64>,
}

impl<T: Copy> Weighted<T> {
    fn new(pairs: &[(T, f64)]) -> Option<Self> {
        let index = WeightedIndex::new(pairs.iter().map(|(_, w)| *w)).ok()?;
        Some(Weighted {
            items: pairs.iter().map(|(t, _)| *t).collect(),
            index,
        })
    }

    fn sample(&self, rng: &mut impl Rng) -> T {
        self.items[self.index.sample(rng)]
    }
}

fn pick<'a>(rng: &mut impl Rng, pairs: &'a [(&'a str, f64)]) -> Option<&'a str> {
    let total: f64 = pairs.iter().map(|(_, w)| w).sum();
    if total <= 0.0 {
        return None;
    }
    let mut x = rng.random_range(0.0..total);
    for (item, weight) in pairs {
        if x < *weight {
            return Some(item);
        }
        x -= weight;
    }
    pairs.last().map(|(item, _)| *item)
}

/// The simulator: an iterator over cases in the order they were received.
pub struct Simulator {
    config: SimConfig,
    rng: ChaCha8Rng,
    regions: RegionSampler,
    channels: Weighted<&'static str>,
    kinds: Weighted<&'static str>,
    hours: WeightedIndex<f64>,
    /// The mean number of ordinary cases on an average day.
    daily_mean: f64,
    day: u32,
    emitted: u64,
    pending: VecDeque<(CaseRecord, GroundTruth)>,
    sources: Vec<KnownSource>,
    reports: Vec<u32>,
    next_source: u64,
    events: Vec<InjectedEvent>,
    /// The end of the simulated period: nothing happens after it.
    as_of: DateTime<Utc>,
}

impl std::fmt::Debug for Simulator {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Simulator")
            .field("config", &self.config)
            .field("emitted", &self.emitted)
            .finish_non_exhaustive()
    }
}

fn local_midnight(day: NaiveDate) -> DateTime<Utc> {
    let midnight = day.and_hms_opt(0, 0, 0).unwrap_or_default();
    china_time()
        .from_local_datetime(&midnight)
        .single()
        .map_or_else(Utc::now, |t| t.with_timezone(&Utc))
}

impl Simulator {
    pub fn new(config: SimConfig) -> Result<Simulator, SimError> {
        if config.days == 0 || config.cases == Some(0) {
            return Err(SimError::Empty);
        }
        let area = match config.scale {
            Scale::National => RegionCode::NATIONAL,
            Scale::Province(code) if code.level() == RegionLevel::Province => code,
            Scale::Province(code) => return Err(SimError::NotAProvince(code.to_string())),
            Scale::City(code) if code.level() == RegionLevel::Prefecture => code,
            Scale::City(code) => return Err(SimError::NotACity(code.to_string())),
        };
        let regions = RegionSampler::new(area).ok_or(SimError::Empty)?;
        let mut rng = ChaCha8Rng::seed_from_u64(config.seed);
        let daily_mean = cal::NATIONAL_CASES_PER_YEAR / 365.0 * regions.volume_share;
        let mut config = config;
        if let Some(cases) = config.cases {
            // A quarter more days than the average volume needs, and a month.
            let needed = (cases as f64 / daily_mean * 1.25).ceil() + 30.0;
            if needed < f64::from(config.days) {
                config.days = needed as u32;
            }
        }
        let days = config.days;
        let end = config.start + Days::new(u64::from(days));
        let as_of = local_midnight(end);
        let channels = Weighted::new(&cal::CHANNEL_SHARES).ok_or(SimError::Empty)?;
        let kinds = Weighted::new(&cal::KIND_SHARES).ok_or(SimError::Empty)?;
        let hours = WeightedIndex::new(cal::HOUR_WEIGHTS).map_err(|_| SimError::Empty)?;
        let mut simulator = Simulator {
            rng: ChaCha8Rng::seed_from_u64(rng.random()),
            regions,
            channels,
            kinds,
            hours,
            daily_mean,
            day: 0,
            emitted: 0,
            pending: VecDeque::new(),
            sources: Vec::new(),
            reports: Vec::new(),
            next_source: 1,
            events: Vec::new(),
            as_of,
            config,
        };
        if simulator.config.inject_events {
            simulator.plan_events(&mut rng);
        }
        Ok(simulator)
    }

    /// What the simulator was asked for.
    pub fn config(&self) -> &SimConfig {
        &self.config
    }

    /// The injected events, with their places and times (the sidecar's content).
    pub fn events(&self) -> &[InjectedEvent] {
        &self.events
    }

    fn plan_events(&mut self, rng: &mut ChaCha8Rng) {
        // With a case count, the events fall within the days the cases are expected to span.
        let days = match self.config.cases {
            Some(cases) => {
                ((cases as f64 / self.daily_mean * 0.9) as u32).clamp(1, self.config.days)
            }
            None => self.config.days,
        };
        let scale = (self.daily_mean / 1_600.0).clamp(0.05, 1.0);
        let plans = [
            (
                "chemical_park_odour_surge",
                "化工园区异味突发：周边居民集中反映刺鼻气味",
                "air",
                "odor",
                5u32,
                40.0,
            ),
            (
                "new_construction_site",
                "新开工地夜间施工：附近小区集中反映噪声扰民",
                "noise",
                "construction",
                30,
                8.0,
            ),
        ];
        for (i, (kind, description, primary, sub, length, per_day)) in plans.into_iter().enumerate()
        {
            let length = length.min(days);
            let first = rng.random_range(0..=(days - length));
            let region = self.regions.sample(rng);
            let (Ok(primary_type), Ok(sub_type)) =
                (PollutionType::parse(primary), SubType::parse(sub))
            else {
                continue;
            };
            let source = invent_source(rng, primary_type, Some(sub_type));
            let id = self.next_source;
            self.next_source += 1;
            self.events.push(InjectedEvent {
                id: i as u32 + 1,
                kind: kind.to_owned(),
                description: description.to_owned(),
                region,
                primary_type,
                sub_type,
                first_day: self.config.start + Days::new(u64::from(first)),
                last_day: self.config.start + Days::new(u64::from(first + length - 1)),
                cases_per_day: (per_day * scale).max(3.0),
                source_id: id,
                source,
            });
        }
    }

    /// Fills `pending` with the next day's cases, in time order.
    fn simulate_day(&mut self) -> bool {
        if self.day >= self.config.days {
            return false;
        }
        let date = self.config.start + Days::new(u64::from(self.day));
        self.day += 1;
        let month = date.month();
        let weekday = date.weekday().num_days_from_monday() as usize;
        let weekday_norm: f64 = cal::WEEKDAY_WEIGHTS.iter().sum::<f64>() / 7.0;
        let month_norm: f64 = cal::MONTH_VOLUME.iter().sum::<f64>() / 12.0;
        let mean = self.daily_mean * cal::MONTH_VOLUME[month as usize - 1] / month_norm
            * cal::WEEKDAY_WEIGHTS[weekday]
            / weekday_norm;
        let count = Poisson::new(mean.max(1e-9)).map_or(0.0, |p| p.sample(&mut self.rng)) as u64;
        let midnight = local_midnight(date);
        let mut cases = Vec::with_capacity(count as usize + 64);
        for _ in 0..count {
            let at = self.time_of_day(midnight);
            cases.push(self.ordinary_case(at));
        }
        let active: Vec<InjectedEvent> = self
            .events
            .iter()
            .filter(|e| e.first_day <= date && date <= e.last_day)
            .cloned()
            .collect();
        for event in active {
            let extra =
                Poisson::new(event.cases_per_day).map_or(0.0, |p| p.sample(&mut self.rng)) as u64;
            for _ in 0..extra {
                let at = self.time_of_day(midnight);
                cases.push(self.event_case(&event, at));
            }
        }
        // Times are written to the second in UTC, so their text sorts as they do.
        cases.sort_by(|(a, _): &(CaseRecord, GroundTruth), (b, _)| {
            a.received_at.cmp(&b.received_at)
        });
        self.pending.extend(cases);
        true
    }

    fn time_of_day(&mut self, midnight: DateTime<Utc>) -> DateTime<Utc> {
        let hour = self.hours.sample(&mut self.rng) as i64;
        let second = self.rng.random_range(0..3600) as i64;
        midnight + chrono::Duration::seconds(hour * 3600 + second)
    }

    fn remember(&mut self, known: KnownSource) -> u32 {
        let slot = if self.sources.len() < SOURCE_MEMORY {
            self.sources.push(known);
            self.sources.len() - 1
        } else {
            let slot = (known.id as usize) % SOURCE_MEMORY;
            self.sources[slot] = known;
            slot
        };
        slot as u32
    }

    fn report(&mut self, slot: u32) {
        if self.reports.len() < REPORT_MEMORY {
            self.reports.push(slot);
        } else {
            let i = self.rng.random_range(0..REPORT_MEMORY);
            self.reports[i] = slot;
        }
    }

    fn ordinary_case(&mut self, at: DateTime<Utc>) -> (CaseRecord, GroundTruth) {
        let month = at.with_timezone(&china_time()).month();
        let repeat = !self.reports.is_empty() && self.rng.random_bool(cal::REPEAT_SHARE);
        let slot = if repeat {
            self.reports[self.rng.random_range(0..self.reports.len())]
        } else {
            let known = self.new_source(month);
            self.remember(known)
        };
        self.report(slot);
        let known = self.sources[slot as usize].clone();
        let record = self.case_about(&known, at);
        let truth = GroundTruth {
            external_id: String::new(),
            source_id: known.id,
            event_id: None,
        };
        (record, truth)
    }

    fn event_case(
        &mut self,
        event: &InjectedEvent,
        at: DateTime<Utc>,
    ) -> (CaseRecord, GroundTruth) {
        let known = KnownSource {
            id: event.source_id,
            region: event.region,
            primary: event.primary_type,
            sub_type: Some(event.sub_type),
            industry: None,
            source: event.source.clone(),
        };
        let record = self.case_about(&known, at);
        let truth = GroundTruth {
            external_id: String::new(),
            source_id: event.source_id,
            event_id: Some(event.id),
        };
        (record, truth)
    }

    fn new_source(&mut self, month: u32) -> KnownSource {
        let rng = &mut self.rng;
        let primary_code = pick(rng, &cal::PRIMARY_TYPE_SHARES).unwrap_or("air");
        let primary = PollutionType::parse(primary_code)
            .unwrap_or_else(|_| unreachable!("calibrated types exist"));
        let seasonal: Vec<(&str, f64)> = cal::sub_type_weights(primary_code)
            .iter()
            .map(|(sub, w)| (*sub, w * cal::seasonal_factor(Some(sub), month)))
            .collect();
        let sub_code = pick(rng, &seasonal);
        let sub_type = sub_code.and_then(|c| SubType::parse(c).ok());
        let industry = sub_code
            .and_then(|c| pick(rng, cal::industry_weights(c)))
            .map(str::to_owned);
        let region = self.regions.sample(rng);
        let source = invent_source(rng, primary, sub_type);
        let id = self.next_source;
        self.next_source += 1;
        KnownSource {
            id,
            region,
            primary,
            sub_type,
            industry,
            source,
        }
    }

    fn case_about(&mut self, known: &KnownSource, at: DateTime<Utc>) -> CaseRecord {
        let rng = &mut self.rng;
        let channel = self.channels.sample(rng);
        let kind = self.kinds.sample(rng);
        let mut types = vec![known.primary];
        if rng.random_bool(cal::SECOND_TYPE_SHARE)
            && let Some(second) = pick(rng, cal::second_type_weights(known.primary.code()))
            && let Ok(second) = PollutionType::parse(second)
            && second != known.primary
        {
            types.push(second);
        }
        let local = at.with_timezone(&china_time());
        let place_name = known.region.name();
        let register = match channel {
            "phone" | "12345" => Register::PhoneTranscript,
            "letter" | "visit" => Register::Letter,
            _ => Register::Online,
        };
        let description = complaint_text(
            rng,
            &Complaint {
                primary: known.primary,
                sub_type: known.sub_type,
                other_types: &types[1..],
                source: &known.source,
                place_name,
                hour: local.hour(),
                month: local.month(),
                register,
            },
        );
        let address = match rng.random_range(0..4) {
            0 => format!("{}{}号", known.source.road, rng.random_range(1..400)),
            1 => format!("{}附近", known.source.compound),
            2 => format!("{}{}", known.source.road, known.source.name),
            _ => format!(
                "{}{}号{}",
                known.source.road,
                rng.random_range(1..400),
                known.source.name
            ),
        };
        let anonymous = rng.random_bool(cal::ANONYMOUS_SHARE);
        let (name, phone) = reporter(rng);
        let mut record = CaseRecord {
            // Numbered when it is handed out, in the order of receipt.
            external_id: String::new(),
            kind: kind.to_owned(),
            channel: channel.to_owned(),
            primary_type: known.primary.code().to_owned(),
            types: types.iter().map(|t| t.code()).collect::<Vec<_>>().join(";"),
            sub_type: known.sub_type.map(|s| s.code().to_owned()),
            industry: known.industry.clone(),
            region: known.region.to_string(),
            address,
            description,
            received_at: format_time(at),
            stage: "registered".to_owned(),
            accepted_at: None,
            rejected_at: None,
            rejection_reason: None,
            extension_days: None,
            concluded_at: None,
            outcome: None,
            replied_at: None,
            published_at: None,
            anonymous,
            reporter_name: (!anonymous).then_some(name),
            reporter_phone: (!anonymous).then_some(phone),
        };
        self.live(&mut record, at);
        record
    }

    /// Runs the case's history forward from its receipt, stopping at the end of the period.
    fn live(&mut self, record: &mut CaseRecord, received: DateTime<Utc>) {
        let rng = &mut self.rng;
        let as_of = self.as_of;
        let days = |d: f64| chrono::Duration::seconds((d * 86_400.0) as i64);
        let lognormal = |rng: &mut ChaCha8Rng, (median, sigma): (f64, f64)| {
            LogNormal::new(median.ln(), sigma).map_or(median, |d| d.sample(rng))
        };
        let by = |t: DateTime<Utc>| t <= as_of;
        if !rng.random_bool(cal::ACCEPTANCE_RATE) {
            let at = received + days(lognormal(rng, (1.0, 0.8)).min(14.0));
            if by(at) {
                record.stage = "rejected".to_owned();
                record.rejected_at = Some(format_time(at));
                record.rejection_reason = pick(rng, &cal::REJECTION_REASONS).map(str::to_owned);
            }
            return;
        }
        let accepted = received + days(lognormal(rng, cal::ACCEPTANCE_DAYS).min(14.5));
        if !by(accepted) {
            return;
        }
        record.stage = "accepted".to_owned();
        record.accepted_at = Some(format_time(accepted));
        let mut limit = 60.0;
        if rng.random_bool(cal::EXTENSION_SHARE) {
            let extension = rng.random_range(10..=30);
            record.extension_days = Some(extension);
            limit += f64::from(extension);
        }
        let handling = if rng.random_bool(cal::OVERDUE_SHARE) {
            limit + rng.random_range(1.0..30.0)
        } else {
            let mut d = lognormal(rng, cal::HANDLING_DAYS);
            while d >= limit {
                d = lognormal(rng, cal::HANDLING_DAYS);
            }
            d
        };
        record.stage = "handling".to_owned();
        let concluded = accepted + days(handling);
        if !by(concluded) {
            return;
        }
        let outcomes: &[(&str, f64)] = match record.kind.as_str() {
            "petition" => &cal::PETITION_OUTCOMES,
            "reconsideration" => &cal::RECONSIDERATION_OUTCOMES,
            _ => &cal::REPORT_OUTCOMES,
        };
        record.stage = "concluded".to_owned();
        record.concluded_at = Some(format_time(concluded));
        record.outcome = pick(rng, outcomes).map(str::to_owned);
        let replied = concluded + days(rng.random_range(0.0..2.0));
        if !by(replied) {
            return;
        }
        record.stage = "replied".to_owned();
        record.replied_at = Some(format_time(replied));
        let publishable =
            record.kind == "report" && record.outcome.as_deref() != Some("unsubstantiated");
        if publishable && rng.random_bool(cal::PUBLISHED_SHARE) {
            let published = replied + days(rng.random_range(1.0..10.0));
            if by(published) {
                record.stage = "published".to_owned();
                record.published_at = Some(format_time(published));
            }
        }
    }
}

impl Iterator for Simulator {
    type Item = (CaseRecord, GroundTruth);

    fn next(&mut self) -> Option<Self::Item> {
        if self.config.cases.is_some_and(|limit| self.emitted >= limit) {
            return None;
        }
        while self.pending.is_empty() {
            if !self.simulate_day() {
                return None;
            }
        }
        let (mut record, mut truth) = self.pending.pop_front()?;
        self.emitted += 1;
        record.external_id = format!("SIM{}-{:09}", self.config.seed, self.emitted);
        truth.external_id.clone_from(&record.external_id);
        Some((record, truth))
    }
}
