//! A citizen's photos on the phone: the report form takes two photos (one carrying a GPS
//! position), the receipt says they were kept; the handling staff see them as thumbnails of
//! the copies without metadata, with the originals linked.

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::{PASSWORD, jpeg_with_exif as photo};
use crate::{Browser, Screen};

/// Chooses files in the form's file input: it takes them as paths typed into it, one a line.
pub(crate) async fn choose_files(browser: &Browser, paths: &[String]) {
    browser
        .client
        .find(Locator::Css("#evidence"))
        .await
        .expect("the file input")
        .send_keys(&paths.join("\n"))
        .await
        .expect("choose the files");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn a_citizen_sends_two_photos_with_a_report_from_a_phone() {
    let browser = Browser::start_on(Screen::Phone).await;
    let dir = tempfile::tempdir().expect("temp dir");
    let mut paths = Vec::new();
    for (name, tint) in [("烟囱.jpg", [200, 120, 90]), ("排污口.jpg", [90, 140, 200])] {
        let path = dir.path().join(name);
        std::fs::write(&path, photo(1600, 1200, tint)).expect("write photo");
        paths.push(path.display().to_string());
    }

    browser.open("/report").await;
    browser.choose("#primary_type", "air").await;
    browser.choose("#province", "440000").await;
    browser.choose("#city", "440300").await;
    browser.choose("#county", "440305").await;
    browser
        .type_into("#address", "南山区某工业园三号厂房")
        .await;
    browser
        .type_into(
            "#description",
            "厂房烟囱每天傍晚冒黑烟，气味刺鼻，附现场照片。",
        )
        .await;
    browser.click("#anonymous").await;
    // A text file called a photo is refused by its bytes; what was typed stays.
    let fake = dir.path().join("假照片.jpg");
    std::fs::write(&fake, "这不是照片").expect("write");
    choose_files(&browser, &[fake.display().to_string()]).await;
    browser.click("#report-form button[type=submit]").await;
    let refused = browser.text_of("#evidence-error").await;
    assert!(refused.contains("“假照片.jpg”不是照片或视频"), "{refused}");
    assert_eq!(browser.app.case_count().await, 0);
    let kept = browser
        .client
        .execute(
            "return document.querySelector('#description').value;",
            vec![],
        )
        .await
        .expect("description");
    assert_eq!(
        kept,
        json!("厂房烟囱每天傍晚冒黑烟，气味刺鼻，附现场照片。")
    );
    browser.snapshot("evidence-refused-phone").await;
    browser.assert_fits_the_screen().await;
    choose_files(&browser, &paths).await;
    let chosen = browser
        .client
        .execute(
            "return document.querySelector('#evidence').files.length;",
            vec![],
        )
        .await
        .expect("count");
    assert_eq!(chosen, json!(2));
    browser
        .client
        .execute(
            "document.querySelector('#evidence').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll");
    browser.snapshot("evidence-form-phone").await;
    browser.assert_fits_the_screen().await;
    browser.click("#report-form button[type=submit]").await;
    let tracking_no = browser.text_of("#tracking-no").await;
    assert!(tracking_no.starts_with("GL"), "{tracking_no}");
    assert_eq!(
        browser.text_of("#evidence-count").await,
        "已随举报保存 2 个文件"
    );
    browser.snapshot("evidence-receipt-phone").await;
    browser.assert_fits_the_screen().await;

    // The handling staff's case page lists both photos with their thumbnails.
    let id = browser
        .app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")[0]
        .id;
    let files = browser.app.store.attachments(id).await.expect("files");
    assert_eq!(files.len(), 2);
    assert!(files.iter().all(|f| f.public.is_some()));
    browser.open("/login").await;
    browser.type_into("#username", "nation").await;
    browser.type_into("#password", PASSWORD).await;
    browser.click("main form button[type=submit]").await;
    browser.text_of("header span.who").await;
    browser.open(&format!("/console/cases/{id}#files")).await;
    browser
        .client
        .execute("document.querySelector('#files').scrollIntoView();", vec![])
        .await
        .expect("scroll");
    // The thumbnails load lazily, once in view.
    let mut widths = json!(null);
    for _ in 0..50 {
        widths = browser
            .client
            .execute(
                "return Array.from(document.querySelectorAll('#files img'))
                   .map(i => i.complete && i.naturalWidth);",
                vec![],
            )
            .await
            .expect("thumbnails");
        if widths
            .as_array()
            .is_some_and(|w| w.iter().all(|w| w.is_number()))
        {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    // Both copies shown: 1600 px wide photos are under the public copies' 2048 px.
    assert_eq!(widths, json!([1600, 1600]));
    browser.snapshot("evidence-case-files-phone").await;
    browser.assert_fits_the_screen().await;
    browser.finish().await;
}
