//! A citizen's photos and videos, written by intake with the case: one `attach` event and one
//! row each, in the case's transaction; keys made of checksums shared between cases; nothing
//! written for a replayed or a refused submission.

use chrono::Duration;
use greenline_domain::{AttachmentKind, FileType, NewCase};
use greenline_store::{
    Actor, IdempotencyKey, IntakeRecord, NewAttachment, NewEvent, NewEvidence, PublicCopy, Store,
    StoreError,
};

use super::{form, now, unit};

fn photo(sha: &str) -> NewEvidence {
    NewEvidence {
        file_name: "IMG_0001.JPG".into(),
        file_type: FileType::Jpeg,
        size_bytes: 2_345_678,
        sha256: sha.into(),
        object_key: format!("evidence/{}/{sha}", &sha[..2]),
        public: Some(PublicCopy {
            object_key: format!("evidence-public/cc/cc{sha}"),
            file_type: FileType::Jpeg,
            size_bytes: 345_678,
            sha256: format!("cc{sha}"),
        }),
    }
}

fn video() -> NewEvidence {
    NewEvidence {
        file_name: "VID_0002.MP4".into(),
        file_type: FileType::Mp4,
        size_bytes: 30_000_000,
        sha256: "bb22".into(),
        object_key: "evidence/bb/bb22".into(),
        public: None,
    }
}

fn record(external_id: Option<&str>, key: Option<&str>) -> IntakeRecord {
    let mut form = form("440305", "noise");
    form.external_id = external_id.map(str::to_owned);
    IntakeRecord {
        case: NewCase::parse(&form).expect("valid"),
        unit_id: 0,
        received_at: now(),
        due_at: Some(now() + Duration::days(15)),
        secret: "SECRET123456".into(),
        secret_hash: "hash".into(),
        actor: Actor::public(),
        idempotency: key.map(|k| IdempotencyKey {
            scope: "public".into(),
            key: k.into(),
            request_hash: "same body".into(),
            secret: "SECRET123456".into(),
        }),
        suggestion: None,
    }
}

async fn with_unit(store: &Store, external_id: Option<&str>, key: Option<&str>) -> IntakeRecord {
    let mut r = record(external_id, key);
    r.unit_id = match store.units().await.expect("units").first() {
        Some(u) => u.id,
        None => unit(store, "全国平台", "000000").await,
    };
    r
}

pub async fn a_reports_files_are_written_with_the_case_and_an_event_each(
    store: Store,
    _url: String,
) {
    let first = with_unit(&store, None, Some("retry-1")).await;
    let receipt = store
        .intake_with_evidence(first.clone(), Vec::new(), vec![photo("aa11"), video()])
        .await
        .expect("intake");
    let id = receipt.case.id;
    let events = store.events(id).await.expect("events");
    let actions: Vec<&str> = events.iter().map(|e| e.action.as_str()).collect();
    assert_eq!(actions, ["register", "attach", "attach"]);
    assert_eq!(events[1].data["sha256"], "aa11");
    assert_eq!(events[1].data["from_reporter"], true);
    assert!(
        !events[1]
            .note
            .clone()
            .unwrap_or_default()
            .contains("IMG_0001")
    );
    let files = store.attachments(id).await.expect("files");
    assert_eq!(files.len(), 2);
    assert!(
        files
            .iter()
            .all(|f| f.from_reporter && f.uploaded_by.is_none())
    );
    assert!(files.iter().all(|f| f.kind == AttachmentKind::SiteEvidence));
    assert_eq!(files[0].file_name, "IMG_0001.JPG");
    assert_eq!(files[0].public, photo("aa11").public);
    assert_eq!(files[0].uploaded_at, receipt.case.received_at);
    assert_eq!(files[1].file_type, FileType::Mp4);
    assert_eq!(files[1].public, None);

    // The same body and key again: the first case, and no second set of rows.
    let again = store
        .intake_with_evidence(first, Vec::new(), vec![photo("aa11"), video()])
        .await
        .expect("replay");
    assert!(again.replayed);
    assert_eq!(again.case.id, id);
    assert_eq!(store.attachments(id).await.expect("files").len(), 2);

    // Another report with the same photo names the same object.
    let other = with_unit(&store, None, None).await;
    let second = store
        .intake_with_evidence(other, Vec::new(), vec![photo("aa11")])
        .await
        .expect("the same object in a second case");
    let shared = store.attachments(second.case.id).await.expect("files");
    assert_eq!(shared[0].object_key, files[0].object_key);

    // A refused submission writes no file row.
    let taken = with_unit(&store, Some("EXT-1"), None).await;
    store
        .intake_with_evidence(taken.clone(), Vec::new(), Vec::new())
        .await
        .expect("first with the id");
    let refused = store
        .intake_with_evidence(taken, Vec::new(), vec![photo("dd44")])
        .await;
    assert!(
        matches!(refused, Err(StoreError::Duplicate(_))),
        "{refused:?}"
    );
    let cases = store
        .search(&greenline_store::CaseFilter {
            limit: 50,
            ..Default::default()
        })
        .await
        .expect("search");
    let rows: usize = {
        let mut n = 0;
        for case in &cases {
            n += store.attachments(case.id).await.expect("files").len();
        }
        n
    };
    assert_eq!(rows, 3, "only the first two reports' files");

    // A staff upload keeps its own shape, with or without a public copy.
    let actor = Actor::system("test");
    let kept = store
        .add_attachment(
            &NewAttachment {
                case_id: id,
                kind: AttachmentKind::OfficialLetter,
                file_name: "交办函.pdf".into(),
                file_type: FileType::Pdf,
                size_bytes: 1000,
                sha256: "ee55".into(),
                object_key: "cases/1/ee55".into(),
                uploaded_by: None,
                public: None,
            },
            NewEvent {
                actor: &actor,
                at: now(),
                note: None,
                data: serde_json::json!({}),
            },
        )
        .await
        .expect("staff file");
    assert!(!kept.from_reporter);
    assert_eq!(kept.public, None);
}
