//! The administration's tables: units with their state, dispatch rules, reply templates and
//! deadline overrides, each change with its audit record; and intake with automatic routings.

use greenline_domain::{CaseKind, LimitsOverride, NewCase, PollutionType, RegionCode, Stage};
use greenline_store::{
    Actor, AuditQuery, AutoRouting, DISPATCH_ACTOR, IdempotencyKey, IntakeRecord, RuleRecord,
    Store, StoreError, TemplateRecord,
};

use super::{audit_entry, form, now, unit};

fn code(c: &str) -> RegionCode {
    RegionCode::parse(c).expect("region")
}

async fn audited(store: &Store, action: &str) -> usize {
    store
        .audit_records(&AuditQuery {
            within: None,
            actor_id: None,
            text: None,
            action: Some(action.into()),
            outcome: None,
            from: None,
            to: None,
            before: None,
            limit: 100,
        })
        .await
        .expect("audit")
        .len()
}

pub async fn units_rules_templates_and_deadlines_are_kept_with_their_audit_records(
    store: Store,
    _url: String,
) {
    let shenzhen = unit(&store, "深圳市生态环境局", "440300").await;
    let nanshan = store
        .add_unit(
            "深圳市生态环境局南山管理局",
            code("440305"),
            now(),
            &audit_entry(None, "add_unit"),
        )
        .await
        .expect("unit");
    assert_eq!(audited(&store, "add_unit").await, 1);
    store
        .set_unit_disabled(nanshan.id, true, now(), &audit_entry(None, "disable_unit"))
        .await
        .expect("disable");
    let entries = store.unit_entries().await.expect("units");
    assert_eq!(entries.len(), 2);
    assert!(entries[0].disabled_at.is_none());
    assert_eq!(entries[1].disabled_at, Some(now()));
    assert!(matches!(
        store
            .set_unit_disabled(999, true, now(), &audit_entry(None, "disable_unit"))
            .await,
        Err(StoreError::NotFound(_))
    ));
    assert_eq!(
        audited(&store, "disable_unit").await,
        1,
        "the failed one left none"
    );

    let noise = PollutionType::parse("noise").expect("noise");
    let mut rule = RuleRecord {
        owner_unit_id: shenzhen,
        region: code("440305"),
        pollution_type: Some(noise),
        target_unit_id: nanshan.id,
        note: "噪声".into(),
    };
    let stored = store
        .add_dispatch_rule(&rule, now(), &audit_entry(None, "add_dispatch_rule"))
        .await
        .expect("rule");
    assert_eq!(stored.pollution_type, Some(noise));
    assert_eq!(stored.region, code("440305"));
    rule.pollution_type = None;
    let changed = store
        .update_dispatch_rule(stored.id, &rule, now(), &audit_entry(None, "change"))
        .await
        .expect("change");
    assert_eq!(changed.pollution_type, None);
    store
        .set_dispatch_rule_disabled(stored.id, true, now(), &audit_entry(None, "off"))
        .await
        .expect("off");
    let rules = store.dispatch_rules().await.expect("rules");
    assert_eq!(rules.len(), 1);
    assert!(rules[0].disabled_at.is_some());
    assert_eq!(rules[0].note, "噪声");

    let template = TemplateRecord {
        region: code("440300"),
        pollution_type: None,
        title: "通用答复".into(),
        body: "编号 {tracking_no}".into(),
    };
    let saved = store
        .add_reply_template(&template, now(), &audit_entry(None, "add_reply_template"))
        .await
        .expect("template");
    let read = store.reply_template(saved.id).await.expect("read");
    assert_eq!(
        (read.title.as_str(), read.body.as_str()),
        ("通用答复", "编号 {tracking_no}")
    );
    store
        .set_reply_template_disabled(saved.id, true, now(), &audit_entry(None, "off"))
        .await
        .expect("off");
    assert!(
        store.reply_templates().await.expect("list")[0]
            .disabled_at
            .is_some()
    );

    let mut limits = LimitsOverride {
        region: code("440300"),
        kind: CaseKind::Report,
        acceptance_days: Some(5),
        handling_days: None,
        max_extension_days: None,
        review_request_days: None,
        review_decision_days: None,
        re_review_request_days: None,
        re_review_decision_days: None,
    };
    store
        .put_deadline_override(&limits, now(), &audit_entry(None, "set_deadlines"))
        .await
        .expect("put");
    limits.acceptance_days = Some(3);
    limits.handling_days = Some(30);
    store
        .put_deadline_override(&limits, now(), &audit_entry(None, "set_deadlines"))
        .await
        .expect("replace");
    assert_eq!(
        store.deadline_overrides().await.expect("read"),
        vec![limits]
    );
    store
        .remove_deadline_override(code("440300"), CaseKind::Report, &audit_entry(None, "rm"))
        .await
        .expect("remove");
    assert!(store.deadline_overrides().await.expect("read").is_empty());
    assert_eq!(audited(&store, "set_deadlines").await, 2);
}

pub async fn an_intake_routed_by_rules_is_stored_at_its_last_unit_with_an_event_per_step(
    store: Store,
    _url: String,
) {
    let nation = unit(&store, "全国平台", "000000").await;
    let guangdong = unit(&store, "广东省生态环境厅", "440000").await;
    let shenzhen = unit(&store, "深圳市生态环境局", "440300").await;
    let record = IntakeRecord {
        case: NewCase::parse(&form("440305", "air")).expect("form"),
        unit_id: nation,
        received_at: now(),
        due_at: None,
        secret: "SECRET123456".into(),
        secret_hash: "hash".into(),
        actor: Actor::public(),
        idempotency: Some(IdempotencyKey {
            scope: "public".into(),
            key: "k1".into(),
            request_hash: "h".into(),
            secret: "SECRET123456".into(),
        }),
        suggestion: None,
    };
    let routing = vec![
        AutoRouting {
            rule_id: 7,
            from_unit_id: nation,
            to_unit_id: guangdong,
            from_stage: Stage::Registered,
            to_stage: Stage::Registered,
            note: "规则 7".into(),
        },
        AutoRouting {
            rule_id: 8,
            from_unit_id: guangdong,
            to_unit_id: shenzhen,
            from_stage: Stage::Registered,
            to_stage: Stage::Registered,
            note: "规则 8".into(),
        },
    ];
    let receipt = store
        .intake_routed(record.clone(), routing.clone())
        .await
        .expect("intake");
    assert_eq!(receipt.case.unit_id, shenzhen);
    let stored = store.case(receipt.case.id).await.expect("case");
    assert_eq!(stored.unit_id, shenzhen);
    let events = store.events(receipt.case.id).await.expect("events");
    let summary: Vec<(&str, &str, Option<i64>, Option<i64>)> = events
        .iter()
        .map(|e| {
            (
                e.action.as_str(),
                e.actor.as_str(),
                e.data["rule_id"].as_i64(),
                e.data["unit_id"].as_i64(),
            )
        })
        .collect();
    assert_eq!(
        summary,
        vec![
            ("register", "public", None, Some(nation)),
            ("assign", DISPATCH_ACTOR, Some(7), Some(guangdong)),
            ("assign", DISPATCH_ACTOR, Some(8), Some(shenzhen)),
        ]
    );
    assert_eq!(events[2].data["from_unit"], guangdong);
    assert_eq!(events[2].note.as_deref(), Some("规则 8"));

    // A retry with the same key answers the first case and routes nothing again.
    let again = store.intake_routed(record, routing).await.expect("retry");
    assert!(again.replayed);
    assert_eq!(again.case.id, receipt.case.id);
    assert_eq!(
        store.events(receipt.case.id).await.expect("events").len(),
        3
    );
}
