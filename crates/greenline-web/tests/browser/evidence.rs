//! A citizen's photos on the phone: the report form takes two photos (one carrying a GPS
//! position), the receipt says they were kept; the handling staff see them as thumbnails of
//! the copies without metadata, with the originals linked.

use std::io::Cursor;

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::PASSWORD;
use crate::{Browser, Screen};

/// A photo of `width`×`height` in a soft gradient, as a JPEG with an EXIF segment naming a
/// phone and a GPS position inserted after SOI.
pub(crate) fn photo(width: u32, height: u32, tint: [u8; 3]) -> Vec<u8> {
    let picture = image::RgbImage::from_fn(width, height, |x, y| {
        let shade = |c: u8, t: u32| {
            u8::try_from((u32::from(c) * (width + height - t)) / (width + height)).unwrap_or(0)
        };
        image::Rgb([shade(tint[0], x), shade(tint[1], y), shade(tint[2], x / 2)])
    });
    let mut plain = Vec::new();
    picture
        .write_to(&mut Cursor::new(&mut plain), image::ImageFormat::Jpeg)
        .expect("jpeg");
    // TIFF, little-endian: IFD0 with the Model and the GPS IFD pointer; the GPS IFD with
    // LatitudeRef 'N'.
    let mut tiff: Vec<u8> = b"II*\0\x08\0\0\0".to_vec();
    let model = b"SecretPhone X\0";
    let model_at: u32 = 8 + 2 + 2 * 12 + 4;
    let gps_at = model_at + model.len() as u32;
    let entry = |tag: u16, kind: u16, count: u32, value: u32| {
        [
            tag.to_le_bytes().to_vec(),
            kind.to_le_bytes().to_vec(),
            count.to_le_bytes().to_vec(),
            value.to_le_bytes().to_vec(),
        ]
        .concat()
    };
    tiff.extend(2u16.to_le_bytes());
    tiff.extend(entry(0x0110, 2, model.len() as u32, model_at));
    tiff.extend(entry(0x8825, 4, 1, gps_at));
    tiff.extend(0u32.to_le_bytes());
    tiff.extend(model);
    tiff.extend(1u16.to_le_bytes());
    tiff.extend(entry(0x0001, 2, 2, u32::from_le_bytes(*b"N\0\0\0")));
    tiff.extend(0u32.to_le_bytes());
    let mut exif = vec![0xFF, 0xE1];
    exif.extend(u16::try_from(8 + tiff.len()).expect("small").to_be_bytes());
    exif.extend(b"Exif\0\0");
    exif.extend(tiff);
    [&plain[..2], &exif, &plain[2..]].concat()
}

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
