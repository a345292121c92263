//! Information-disclosure requests: stored with their applicant apart and an event per change,
//! a stale change refused, the applicant read only with an event and an audit record, the
//! annual report's tallies.

use chrono::NaiveDate;
use greenline_domain::disclosure::{
    AnswerForm, AnswerKind, ApplicationForm, DisclosureStage, DisclosureStep, NewApplication,
    Request, WithholdingGround,
};
use greenline_domain::{RegionCode, WorkingCalendar};
use greenline_store::{
    Actor, AuditEntry, AuditOutcome, AuditQuery, DisclosureChange, DisclosureFilter, NewDisclosure,
    NewEvent, Store, StoreError,
};

use super::{now, unit};

fn application() -> NewApplication {
    NewApplication::parse(&ApplicationForm {
        channel: "web".into(),
        applicant_kind: "natural_person".into(),
        applicant_name: "赵申请".into(),
        applicant_id_number: "110101198801011234".into(),
        phone: Some("13700000000".into()),
        description: "某污水处理厂2025年排污许可执行报告".into(),
        delivery: "paper".into(),
        ..ApplicationForm::default()
    })
    .expect("valid")
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

async fn stored(store: &Store, unit_id: i64, received_on: NaiveDate) -> Request {
    let new = application();
    let request = Request::received(0, unit_id, &new, received_on);
    let calendar = WorkingCalendar::shipped();
    store
        .insert_disclosure(&NewDisclosure {
            request: &request,
            applicant: &new.applicant,
            received_at: now(),
            due_on: request.due(calendar).map(|d| d.last_day),
            secret_hash: "hash".into(),
            actor: &Actor::public(),
        })
        .await
        .expect("stored")
}

async fn step(
    store: &Store,
    request: &Request,
    step: &DisclosureStep,
    on: NaiveDate,
) -> Result<Request, StoreError> {
    let calendar = WorkingCalendar::shipped();
    let next = request.apply(step, on, calendar).expect("allowed");
    let actor = Actor::system("公开办");
    store
        .record_disclosure_change(&DisclosureChange {
            from_version: request.version,
            from_stage: request.stage,
            request: &next,
            due_on: next.due(calendar).map(|d| d.last_day),
            action: step.action().code(),
            event: NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({}),
            },
        })
        .await
}

pub async fn a_disclosure_request_is_kept_with_its_events_and_a_stale_change_is_refused(
    store: Store,
    _url: String,
) {
    let unit_id = unit(&store, "北京市生态环境局", "110000").await;
    let request = stored(&store, unit_id, day(2025, 9, 25)).await;
    assert!(request.id > 0);
    let read = store.disclosure(request.id).await.expect("read");
    assert_eq!(read.request, request);
    assert_eq!(read.due_on, Some(day(2025, 10, 29)));

    let asked = step(
        &store,
        &request,
        &DisclosureStep::AskCorrection {
            what: "请写明年份".into(),
            reply_within_working_days: None,
        },
        day(2025, 9, 26),
    )
    .await
    .expect("asked");
    assert_eq!(asked.version, 1);
    let read = store.disclosure(request.id).await.expect("read");
    assert_eq!(read.request.stage, DisclosureStage::CorrectionRequested);
    assert_eq!(read.due_on, None, "the clock stands");

    // The same step computed from the old version is refused and writes nothing.
    let stale = step(
        &store,
        &request,
        &DisclosureStep::StartConsultation {
            third_party: "某公司".into(),
        },
        day(2025, 9, 26),
    )
    .await;
    assert!(matches!(stale, Err(StoreError::Conflict)), "{stale:?}");

    let corrected = step(
        &store,
        &asked,
        &DisclosureStep::ReceiveCorrection {},
        day(2025, 9, 28),
    )
    .await
    .expect("corrected");
    let read = store.disclosure(request.id).await.expect("read");
    assert_eq!(read.request, corrected);
    assert_eq!(read.due_on, Some(day(2025, 10, 31)));

    let events = store.disclosure_events(request.id).await.expect("events");
    let actions: Vec<_> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["apply", "ask_correction", "receive_correction"]);
    assert_eq!(
        events[1].to_stage,
        Some(DisclosureStage::CorrectionRequested)
    );

    let listed = store
        .disclosure_requests(&DisclosureFilter {
            unit_ids: vec![unit_id],
            open_only: true,
            limit: 10,
        })
        .await
        .expect("list");
    assert_eq!(listed.len(), 1);
    let other_unit = store
        .disclosure_requests(&DisclosureFilter {
            unit_ids: vec![unit_id + 1000],
            open_only: false,
            limit: 10,
        })
        .await
        .expect("list");
    assert!(other_unit.is_empty());
}

pub async fn reading_an_applicant_leaves_an_event_and_an_audit_record(store: Store, _url: String) {
    let unit_id = unit(&store, "北京市生态环境局", "110000").await;
    let request = stored(&store, unit_id, day(2025, 9, 25)).await;
    let actor = Actor::system("公开办");
    let audit = AuditEntry {
        at: now(),
        actor_id: None,
        actor: "公开办 张三".into(),
        region: RegionCode::parse("110000").expect("region"),
        action: "read_applicant".into(),
        target: format!("disclosure:{}", request.id),
        outcome: AuditOutcome::Ok,
        client: "test".into(),
        detail: serde_json::json!({}),
    };
    let applicant = store
        .read_applicant(
            request.id,
            NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({}),
            },
            &audit,
        )
        .await
        .expect("read");
    assert_eq!(applicant.name, "赵申请");
    assert_eq!(applicant.id_number, "110101198801011234");
    let events = store.disclosure_events(request.id).await.expect("events");
    assert_eq!(
        events.last().map(|e| e.action.as_str()),
        Some("view_applicant")
    );
    let records = store
        .audit_records(&AuditQuery {
            action: Some("read_applicant".into()),
            limit: 10,
            ..AuditQuery::default()
        })
        .await
        .expect("audit");
    assert_eq!(records.len(), 1);
    assert_eq!(
        records[0].entry.target,
        format!("disclosure:{}", request.id)
    );
    // The request's own record carries nothing of the applicant but their kind.
    let state = serde_json::to_string(&store.disclosure(request.id).await.expect("read").request)
        .expect("json");
    assert!(
        !state.contains("赵申请") && !state.contains("1101011988"),
        "{state}"
    );
    let missing = store
        .read_applicant(
            request.id + 1000,
            NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({}),
            },
            &audit,
        )
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound(_))),
        "{missing:?}"
    );
}

pub async fn the_annual_tallies_give_each_requests_answer_and_ground(store: Store, _url: String) {
    let unit_id = unit(&store, "北京市生态环境局", "110000").await;
    let answered = stored(&store, unit_id, day(2025, 3, 3)).await;
    step(
        &store,
        &answered,
        &DisclosureStep::Answer {
            answer: Box::new(AnswerForm {
                kind: "partly_disclosed".into(),
                delivery: Some("paper".into()),
                withheld: Some("企业生产工艺参数".into()),
                ground: Some("third_party_rights".into()),
                ..AnswerForm::default()
            }),
        },
        day(2025, 3, 20),
    )
    .await
    .expect("answered");
    stored(&store, unit_id, day(2025, 12, 30)).await;
    stored(&store, unit_id, day(2026, 1, 5)).await;
    let tallies = store
        .disclosure_tallies(unit_id, day(2025, 12, 31))
        .await
        .expect("tallies");
    assert_eq!(tallies.len(), 2, "the 2026 request is left out");
    assert_eq!(tallies[0].answer_kind, Some(AnswerKind::PartlyDisclosed));
    assert_eq!(tallies[0].ground, Some(WithholdingGround::ThirdPartyRights));
    assert_eq!(tallies[0].answered_on, Some(day(2025, 3, 20)));
    assert_eq!(tallies[1].answer_kind, None);
}
