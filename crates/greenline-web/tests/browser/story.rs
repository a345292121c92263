//! A citizen's whole story on a 390 px phone, against a server whose SMS go to a recording
//! sender and whose e-mail goes to a real SMTP sink (aiosmtpd): a report with two photos (their
//! EXIF naming the phone and a GPS position) and a map point (the earlier report at the same
//! road is offered and declined) → the receipt → the acceptance SMS
//! and e-mail → staff conclude and reply → the reporter signs in with number and secret, reads
//! the reply and rates it "not solved" → staff see the rating and the report handled again →
//! once published, the result page shows no name, no phone and no point of the reporter's, and
//! its photos carry no EXIF, GPS or phone model.

use std::sync::Arc;

use greenline_app::notices::{NoticeSettings, Notices, RecordingSms, SmtpMailer};
use serde_json::json;

use crate::evidence::choose_files;
use crate::helpers::{Backend, SmtpSink, jpeg_with_exif as photo, spawn_app_notifying};
use crate::place::{seed_report_in_hand, value_of, wait_shown};
use crate::{Browser, Screen, WAIT};

const NAME: &str = "陈小红";
const PHONE: &str = "13812345678";
const EMAIL: &str = "chen.xiaohong@example.com";
/// A name and a phone the reporter typed into the description itself.
const TYPED_NAME: &str = "李四海";
const TYPED_PHONE: &str = "13700001111";
const LATITUDE: &str = "22.5335";
const LONGITUDE: &str = "113.9255";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium, chromedriver and an SMTP sink: run by .ci/run with --ignored"]
async fn a_citizen_reports_is_told_rates_the_reply_and_finds_the_result_published() {
    let sink = SmtpSink::start().await;
    let sms = Arc::new(RecordingSms::default());
    let notices = Notices {
        settings: NoticeSettings {
            portal_url: "https://12369.example.gov.cn/".to_owned(),
            poll_seconds: 3600,
            ..Default::default()
        },
        sms: Some(sms.clone()),
        mail: Some(Arc::new(
            SmtpMailer::new(
                &format!("smtp://127.0.0.1:{}", sink.port),
                "12369 <notices@example.gov.cn>",
            )
            .expect("mailer"),
        )),
    };
    let app = spawn_app_notifying(Backend::Sqlite, notices).await;
    let earlier = seed_report_in_hand(&app).await;
    let browser = Browser::start_on_app(Screen::WidePhone, app).await;

    // 1. The report, with a point; the earlier report at the same road is offered, declined.
    browser.open("/report").await;
    browser.assert_fits_the_screen().await;
    browser.choose("#primary_type", "air").await;
    browser.type_into("#latitude", LATITUDE).await;
    browser.type_into("#longitude", LONGITUDE).await;
    browser.click("#address").await;
    let start = std::time::Instant::now();
    while value_of(&browser, "#county").await != "440305" {
        assert!(start.elapsed() < WAIT, "no county from the point");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    browser.type_into("#address", "解放北路20号").await;
    browser
        .type_into(
            "#description",
            &format!(
                "楼下烧烤店每天晚上油烟直冲我家窗户。我叫{TYPED_NAME}，电话{TYPED_PHONE}，可以来我家看。"
            ),
        )
        .await;
    browser.type_into("#reporter_name", NAME).await;
    browser.type_into("#reporter_phone", PHONE).await;
    browser.type_into("#reporter_email", EMAIL).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    for (name, tint) in [("烟.jpg", [200, 120, 90]), ("窗外.jpg", [90, 140, 200])] {
        let path = dir.path().join(name);
        std::fs::write(&path, photo(1200, 900, tint)).expect("photo");
        paths.push(path.display().to_string());
    }
    choose_files(&browser, &paths).await;
    wait_shown(&browser, "#similar", true).await;
    assert!(browser.text_of("#similar").await.contains(&earlier));
    browser.snapshot("story-1-similar").await;
    browser
        .click("#similar .similar-actions .button:not(.primary)")
        .await;
    wait_shown(&browser, "#similar", false).await;
    browser.click("#report-form button[type=submit]").await;
    let number = browser.text_of("#tracking-no").await;
    let secret = browser.text_of("#secret").await;
    browser.snapshot("story-2-receipt").await;
    browser.assert_fits_the_screen().await;
    let app = &browser.app;
    let id: i64 = number
        .rsplit('-')
        .next()
        .and_then(|n| n.parse().ok())
        .expect("id in the number");
    let mine = app.store.case(id).await.expect("the case");
    assert_eq!(mine.repeat_of, None, "declined: a report of its own");
    let files = app.store.attachments(id).await.expect("files");
    assert_eq!(files.len(), 2, "both photos kept");

    // 2. Accepted: the SMS (recorded) and the e-mail (at the sink) carry the number and a
    //    link, never the secret.
    let nation = app.login("nation").await;
    let accepted = app.act(&nation, id, json!({"action": "accept"})).await;
    assert_eq!(
        accepted.status,
        reqwest::StatusCode::OK,
        "{}",
        accepted.body
    );
    assert!(app.deliver_notices().await >= 2);
    let texts = sms.0.sent();
    let to_me: Vec<_> = texts.iter().filter(|m| m.to == PHONE).collect();
    assert_eq!(to_me.len(), 1, "{texts:?}");
    assert!(to_me[0].text.contains(&number), "{}", to_me[0].text);
    assert!(!to_me[0].text.contains(&secret));
    let mail = sink.messages();
    let mine_mail: Vec<_> = mail.iter().filter(|m| m.starts_with(EMAIL)).collect();
    assert_eq!(mine_mail.len(), 1, "{mail:?}");
    assert!(mine_mail[0].contains(&number), "{}", mine_mail[0]);
    assert!(mine_mail[0].contains("/track"), "{}", mine_mail[0]);
    assert!(!mine_mail[0].contains(&secret));

    // 3. Staff conclude and reply.
    for command in [
        json!({"action": "handle"}),
        json!({"action": "conclude", "outcome": "substantiated",
               "findings": "现场检查，烧烤店未安装油烟净化设施", "enforcement": [{"type": "ordered_to_rectify"}]}),
        json!({"action": "reply", "text": "经查属实，已责令烧烤店限期安装油烟净化设施。"}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.body);
    }

    // 4. The reporter reads the reply and says the problem is not solved.
    browser.open("/track").await;
    browser
        .type_into("#tracking_no", &number.to_lowercase())
        .await;
    browser.type_into("#secret", &secret).await;
    browser.click("main form button[type=submit]").await;
    assert_eq!(browser.text_of("#status").await, "已办结");
    assert!(
        browser
            .source()
            .await
            .contains("已责令烧烤店限期安装油烟净化设施")
    );
    browser.snapshot("story-3-reply").await;
    browser.click("#satisfaction-dissatisfied").await;
    browser.click("#solved-no").await;
    browser.type_into("#note", "晚上还是有油烟").await;
    browser.click("#rate").await;
    let notice = browser.text_of("#notice").await;
    assert!(notice.contains("已重新交办理单位办理"), "{notice}");
    assert_eq!(browser.text_of("#status").await, "办理中");
    browser.snapshot("story-4-rated").await;
    browser.assert_fits_the_screen().await;

    // 5. Staff see the rating and the report handled again.
    browser.sign_in("nation").await;
    browser.open(&format!("/console/cases/{id}")).await;
    let callbacks = browser.text_of("#callbacks").await;
    assert!(callbacks.contains("不满意"), "{callbacks}");
    assert!(browser.source().await.contains("回访：问题未解决"));
    browser
        .client
        .execute(
            "document.getElementById('callbacks').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .expect("scroll");
    browser.snapshot("story-5-staff").await;
    for command in [
        json!({"action": "conclude", "outcome": "substantiated",
               "findings": "复查时烧烤店已安装油烟净化设施并正常使用", "enforcement": [{"type": "ordered_to_rectify"}]}),
        json!({"action": "reply", "text": "经复查，油烟净化设施已安装使用。"}),
        json!({"action": "publish", "summary": "解放北路一烧烤店油烟直排，经查属实，已责令安装油烟净化设施，复查已整改。"}),
    ] {
        let r = app.act(&nation, id, command).await;
        assert_eq!(r.status, reqwest::StatusCode::OK, "{}", r.body);
    }
    browser.sign_out().await;

    // 6. The published result: the official words, none of the reporter's.
    browser.open(&format!("/results/{number}")).await;
    let page = browser.source().await;
    assert!(page.contains("已责令安装油烟净化设施"), "{page}");
    for private in [
        NAME,
        PHONE,
        EMAIL,
        TYPED_NAME,
        TYPED_PHONE,
        LATITUDE,
        LONGITUDE,
        "可以来我家看",
        &secret,
    ] {
        assert!(!page.contains(private), "{private} on the published page");
    }
    let photos = browser
        .client
        .find_all(fantoccini::Locator::Css("#photos img"))
        .await
        .expect("photos");
    assert_eq!(photos.len(), 2, "both photos shown");
    for file in &files {
        let copy = app
            .http
            .get(app.url(&format!("/results/{number}/photos/{}", file.id)))
            .send()
            .await
            .expect("photo");
        assert_eq!(copy.status(), reqwest::StatusCode::OK);
        let bytes = copy.bytes().await.expect("bytes");
        for planted in [&b"Exif"[..], b"SecretPhone", b"GPS"] {
            assert!(
                !bytes.windows(planted.len()).any(|w| w == planted),
                "the published photo carries {}",
                String::from_utf8_lossy(planted)
            );
        }
    }
    browser
        .client
        .execute(
            "document.getElementById('photos').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .expect("scroll");
    browser.snapshot("story-6-published").await;
    browser.assert_fits_the_screen().await;
    browser.finish().await;
}
