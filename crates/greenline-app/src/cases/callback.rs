//! Callbacks (回访): staff record the reporter's satisfaction with a reply and whether the
//! problem is solved; a web reporter rates the reply themselves with their tracking number and
//! secret. Each callback is an event of the case and a row the statistics count; "not solved"
//! reopens a report (see `greenline_domain::callback` for what it leads to by kind).

use std::collections::BTreeMap;
use std::net::IpAddr;

use chrono::{DateTime, NaiveDate, Utc};
use greenline_domain::deadline::local_date;
use greenline_domain::{
    Action, CallbackForm, Case, Command, Followup, RegionCode, Satisfaction, Stage, apply,
};
use greenline_store::{
    Actor, CallbackCount, CallbackQuery, CallbackSource, NewCallback, NewEvent, StepEvent,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::error::{ServiceError, ServiceResult};
use crate::params::RegionPeriod;
use crate::views::UnitView;
use crate::{App, Caller};

/// The event a callback is recorded as.
pub const CALLBACK_EVENT: &str = "callback";

/// What a callback led to.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CallbackReceipt {
    pub followup: Followup,
    /// For a petition not solved: the last day on which the petitioner may ask for a review
    /// (复查).
    pub review_until: Option<NaiveDate>,
    /// The case's stage after the callback (办理中 again when reopened).
    pub stage: Stage,
}

/// A web reporter's rating of the reply: the secret from intake proves the case (sent in the
/// body, never in the address).
#[derive(Debug, Clone, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RatingForm {
    pub secret: String,
    pub satisfaction: Satisfaction,
    pub solved: bool,
    #[serde(default)]
    pub note: Option<String>,
}

/// Which callbacks to count: a region inside the caller's jurisdiction (the whole
/// jurisdiction when left out), one unit, a period of days (China time, both ends included).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CallbackStatsQuery {
    pub region: Option<RegionCode>,
    pub unit_id: Option<i64>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
}

impl CallbackStatsQuery {
    /// Reads `region`, `unit_id`, `from`, `to` (YYYY-MM-DD) given as `key=value` pairs.
    pub fn from_params<'a>(
        params: impl IntoIterator<Item = (&'a str, &'a str)>,
    ) -> ServiceResult<CallbackStatsQuery> {
        let mut query = CallbackStatsQuery::default();
        let mut period = RegionPeriod::default();
        for (key, value) in params {
            let value = value.trim();
            if value.is_empty() || period.take(key, value)? {
                continue;
            }
            match key {
                "unit_id" => {
                    query.unit_id = Some(
                        value
                            .parse()
                            .map_err(|_| ServiceError::parameter(key, "expected a unit id"))?,
                    )
                }
                _ => return Err(ServiceError::parameter(key, "unknown parameter")),
            }
        }
        let period = period.checked()?;
        (query.region, query.from, query.to) = (period.region, period.from, period.to);
        Ok(query)
    }
}

/// The figures of a set of callbacks.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
pub struct CallbackFigures {
    /// 回访数: callbacks recorded.
    pub callbacks: u64,
    /// 满意
    pub satisfied: u64,
    /// 基本满意
    pub basically_satisfied: u64,
    /// 不满意
    pub dissatisfied: u64,
    /// 已解决: the reporter said the problem is solved.
    pub solved: u64,
    /// 满意率 = (满意 + 基本满意) / 回访数; absent without callbacks.
    pub satisfaction_rate: Option<f64>,
    /// 解决率 = 已解决 / 回访数; absent without callbacks.
    pub solved_rate: Option<f64>,
}

impl CallbackFigures {
    fn add(&mut self, count: &CallbackCount) {
        self.callbacks += count.count;
        match count.satisfaction {
            Satisfaction::Satisfied => self.satisfied += count.count,
            Satisfaction::BasicallySatisfied => self.basically_satisfied += count.count,
            Satisfaction::Dissatisfied => self.dissatisfied += count.count,
        }
        if count.solved {
            self.solved += count.count;
        }
    }

    fn with_rates(mut self) -> Self {
        let rate = |n: u64| (self.callbacks > 0).then(|| n as f64 / self.callbacks as f64);
        self.satisfaction_rate = rate(self.satisfied + self.basically_satisfied);
        self.solved_rate = rate(self.solved);
        self
    }
}

/// One unit's figures.
#[derive(Debug, Serialize, ToSchema)]
pub struct UnitCallbackFigures {
    pub unit: UnitView,
    #[serde(flatten)]
    pub figures: CallbackFigures,
}

/// Callback figures of a region, unit and period: the total and each unit's.
#[derive(Debug, Serialize, ToSchema)]
pub struct CallbackStats {
    pub region: RegionCode,
    pub region_name: String,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub total: CallbackFigures,
    /// The units whose replies were rated, most callbacks first.
    pub by_unit: Vec<UnitCallbackFigures>,
}

/// The start of a day in China time.
fn day_start(day: NaiveDate) -> Option<DateTime<Utc>> {
    day.and_hms_opt(0, 0, 0)?
        .and_local_timezone(greenline_domain::deadline::china_time())
        .single()
        .map(|t| t.with_timezone(&Utc))
}

impl App {
    /// Records a callback on case `id`: operators, handlers and supervisors of a jurisdiction
    /// holding the case's place, after a reply. "Not solved" reopens a report.
    pub async fn record_callback(
        &self,
        caller: &Caller,
        id: i64,
        form: &CallbackForm,
    ) -> ServiceResult<CallbackReceipt> {
        let case = self.visible_case(caller, id).await?;
        if !caller.scope().can_call_back(case.region) {
            return Err(ServiceError::Forbidden(
                "operators, handlers and supervisors record callbacks".to_owned(),
            ));
        }
        let actor = caller.actor();
        self.take_callback(case, form, &actor, CallbackSource::Staff)
            .await
    }

    /// A web reporter's rating of the reply to their case, proven by its tracking number and
    /// secret under the public and the per-case limits, once per reply.
    pub async fn rate_reply(
        &self,
        client: IpAddr,
        tracking_no: &str,
        rating: RatingForm,
    ) -> ServiceResult<CallbackReceipt> {
        let case = self
            .proven_by_secret(client, tracking_no, rating.secret)
            .await?;
        let form = CallbackForm {
            satisfaction: rating.satisfaction,
            solved: rating.solved,
            note: rating.note,
        };
        self.rate_proven(case, &form).await
    }

    /// [`App::rate_reply`] from the portal, the case proven by the reporter's pass.
    pub async fn rate_reply_with_pass(
        &self,
        client: IpAddr,
        pass: &str,
        form: &CallbackForm,
    ) -> ServiceResult<CallbackReceipt> {
        let case = self.case_by_pass(client, pass).await?;
        self.rate_proven(case, form).await
    }

    /// The reporter's rating of a case they proved: once per reply.
    async fn rate_proven(&self, case: Case, form: &CallbackForm) -> ServiceResult<CallbackReceipt> {
        let replied = case.replied_at.unwrap_or(case.received_at);
        let rated = self
            .store
            .callbacks(case.id)
            .await?
            .iter()
            .any(|c| c.source == CallbackSource::Reporter && c.at >= replied);
        if rated {
            return Err(ServiceError::conflict("this reply has been rated already"));
        }
        self.take_callback(case, form, &Actor::public(), CallbackSource::Reporter)
            .await
    }

    async fn take_callback(
        &self,
        case: Case,
        form: &CallbackForm,
        actor: &Actor,
        source: CallbackSource,
    ) -> ServiceResult<CallbackReceipt> {
        let now = self.now();
        let limits = self.deadlines.limits_for(case.kind, case.region);
        let review_open = case
            .actions_now(&limits, now)
            .contains(&Action::RequestReview);
        let (note, followup) = form.check(case.kind, case.stage, review_open)?;
        let callback = NewCallback {
            case_id: case.id,
            unit_id: case.unit_id,
            region: case.region,
            at: now,
            satisfaction: form.satisfaction,
            solved: form.solved,
            note: note.clone(),
            source,
            actor_id: actor.staff_id,
            actor: actor.label.clone(),
        };
        let data = serde_json::json!({
            "satisfaction": form.satisfaction,
            "solved": form.solved,
            "source": source.code(),
        });
        let event = NewEvent {
            actor,
            at: now,
            note: note.clone(),
            data,
        };
        let stage = if followup == Followup::Reopened {
            let reason = match &note {
                Some(note) => format!("回访：问题未解决（{note}）"),
                None => "回访：问题未解决".to_owned(),
            };
            let applied = apply(
                &case,
                &Command::Reopen {
                    reason: reason.clone(),
                },
                now,
                &limits,
            )?;
            let due = applied.case.current_deadline(&limits).map(|d| d.due_at);
            let steps = [
                StepEvent {
                    action: CALLBACK_EVENT.to_owned(),
                    from: case.stage,
                    to: case.stage,
                    event,
                },
                StepEvent {
                    action: Action::Reopen.code().to_owned(),
                    from: applied.from,
                    to: applied.to,
                    event: NewEvent {
                        actor,
                        at: now,
                        note: Some(reason),
                        data: serde_json::json!({ "after": "callback" }),
                    },
                },
            ];
            self.store
                .record_change_as(&applied, due, &steps, Some(&callback))
                .await?;
            applied.to
        } else {
            self.store
                .record_callback(&callback, CALLBACK_EVENT, event)
                .await?;
            case.stage
        };
        let review_until = (followup == Followup::ReviewAvailable).then(|| {
            local_date(case.replied_at.unwrap_or(case.received_at))
                + chrono::Days::new(u64::from(limits.review_request_days))
        });
        Ok(CallbackReceipt {
            followup,
            review_until,
            stage,
        })
    }

    /// The callbacks of case `id`, oldest first, for staff who may see it.
    pub async fn case_callbacks(
        &self,
        caller: &Caller,
        id: i64,
    ) -> ServiceResult<Vec<greenline_store::Callback>> {
        self.visible_case(caller, id).await?;
        Ok(self.store.callbacks(id).await?)
    }

    /// Callback figures (回访数, 满意率, 解决率) of a region, unit and period inside `caller`'s
    /// jurisdiction: the total and each unit's. For the dashboards.
    pub async fn callback_stats(
        &self,
        caller: &Caller,
        query: &CallbackStatsQuery,
    ) -> ServiceResult<CallbackStats> {
        let jurisdiction = caller.jurisdiction()?;
        let region = match query.region {
            Some(region) => caller.region(region)?,
            None => jurisdiction,
        };
        let counts = self
            .store
            .callback_counts(&CallbackQuery {
                within: Some(region),
                unit_id: query.unit_id,
                from: query.from.and_then(day_start),
                before: query.to.and_then(|d| d.succ_opt()).and_then(day_start),
            })
            .await?;
        let mut total = CallbackFigures::default();
        let mut per_unit: BTreeMap<i64, CallbackFigures> = BTreeMap::new();
        for count in &counts {
            total.add(count);
            per_unit.entry(count.unit_id).or_default().add(count);
        }
        let units = self.store.units().await?;
        let mut by_unit: Vec<UnitCallbackFigures> = per_unit
            .into_iter()
            .filter_map(|(id, figures)| {
                let unit = units.iter().find(|u| u.id == id)?.clone();
                Some(UnitCallbackFigures {
                    unit: UnitView::from(unit),
                    figures: figures.with_rates(),
                })
            })
            .collect();
        by_unit.sort_by_key(|u| std::cmp::Reverse(u.figures.callbacks));
        Ok(CallbackStats {
            region,
            region_name: region.full_name(),
            from: query.from,
            to: query.to,
            total: total.with_rates(),
            by_unit,
        })
    }
}
