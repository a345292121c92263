//! The place on the report form and "已有人反映过此问题？": a citizen gives a point (typed, with no
//! tile server set), the county is filled in from it, the report already in hand at the same road
//! is offered, and the citizen declines it (on a phone) or follows it (on an office screen). With
//! tiles set, Leaflet draws the map under the pages' strict policy and a tap on it gives the point.

use fantoccini::Locator;
use serde_json::json;

use crate::helpers::TestApp;
use crate::{Browser, Screen, WAIT};

/// A report at 解放北路 in Nanshan with a point, accepted; its tracking number.
async fn seed_report_in_hand(app: &TestApp) -> String {
    let reply = app
        .post(
            None,
            "/api/v1/cases",
            &json!({
                "channel": "web",
                "primary_type": "air",
                "region": "440305",
                "address": "解放北路12号",
                "description": "我叫王小明，电话13911112222，楼下烧烤店油烟直冲窗户",
                "reporter_name": "王小明",
                "reporter_phone": "13911112222",
                "latitude": 22.5320,
                "longitude": 113.9270
            }),
        )
        .await;
    assert_eq!(reply.status, reqwest::StatusCode::CREATED, "{}", reply.body);
    let id = reply.body["id"].as_i64().expect("id");
    let token = app.login("nation").await;
    let accepted = app.act(&token, id, json!({"action": "accept"})).await;
    assert_eq!(
        accepted.status,
        reqwest::StatusCode::OK,
        "{}",
        accepted.body
    );
    reply.body["tracking_no"]
        .as_str()
        .expect("number")
        .to_owned()
}

/// Waits until `css` is shown (its `hidden` attribute gone) or hidden again.
async fn wait_shown(browser: &Browser, css: &str, shown: bool) {
    let script = format!(
        "var e = document.querySelector({css:?}); return !!e && !e.hidden && e.offsetHeight > 0;"
    );
    let start = std::time::Instant::now();
    loop {
        let now = browser
            .client
            .execute(&script, vec![])
            .await
            .expect("script")
            .as_bool()
            .unwrap_or(false);
        if now == shown {
            return;
        }
        assert!(start.elapsed() < WAIT, "{css} never became shown={shown}");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}

async fn value_of(browser: &Browser, css: &str) -> String {
    browser
        .client
        .find(Locator::Css(css))
        .await
        .expect(css)
        .prop("value")
        .await
        .expect("value")
        .unwrap_or_default()
}

/// Fills in the form up to the suggestion box: a typed point, the county it suggests, the road.
async fn fill_with_a_point(browser: &Browser, number: &str) {
    browser.open("/report").await;
    browser.choose("#primary_type", "air").await;
    browser.type_into("#latitude", "22.5335").await;
    browser.type_into("#longitude", "113.9255").await;
    // Leaving the field sends the change: the county is filled in from the point.
    browser.click("#address").await;
    let start = std::time::Instant::now();
    while value_of(browser, "#county").await != "440305" {
        assert!(
            start.elapsed() < WAIT,
            "the county was not filled in from the point"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(value_of(browser, "#province").await, "440000");
    assert_eq!(value_of(browser, "#city").await, "440300");
    assert!(
        browser
            .text_of("#region-suggested")
            .await
            .contains("广东省深圳市南山区")
    );
    browser.type_into("#address", "解放北路20号").await;
    browser
        .type_into("#description", "烧烤店每天晚上油烟很大，开窗就是油烟味。")
        .await;
    browser.click("#reporter_phone").await;
    wait_shown(browser, "#similar", true).await;
    let shown = browser.text_of("#similar").await;
    assert!(shown.contains("已有人反映过此问题？"), "{shown}");
    assert!(shown.contains(number), "{shown}");
    assert!(
        shown.contains("解放北路") && shown.contains("已受理，正在办理"),
        "{shown}"
    );
    for private in ["王小明", "13911112222", "12号", "窗户"] {
        assert!(!shown.contains(private), "{private} shown: {shown}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn on_a_phone_a_citizen_gives_a_point_sees_the_earlier_report_and_declines_it() {
    let browser = Browser::start().await;
    let number = seed_report_in_hand(&browser.app).await;
    fill_with_a_point(&browser, &number).await;
    // Without tiles: no map, the coordinate fields and (where the browser offers it) the
    // location button.
    assert!(!browser.source().await.contains("leaflet"));
    browser.assert_fits_the_screen().await;
    browser
        .client
        .execute(
            "document.getElementById('similar').scrollIntoView({block: 'center'});",
            vec![],
        )
        .await
        .expect("scroll");
    browser.snapshot("place-similar-phone").await;

    browser
        .click("#similar .similar-actions .button:not(.primary)")
        .await;
    wait_shown(&browser, "#similar", false).await;
    assert_eq!(value_of(&browser, "#follows").await, "");
    browser.type_into("#reporter_phone", "13700001111").await;
    browser.click("#report-form button[type=submit]").await;
    let tracking_no = browser.text_of("#tracking-no").await;
    assert!(tracking_no.starts_with("GL"));
    assert!(!browser.source().await.contains("已与受理编号"));
    browser.snapshot("place-receipt-phone").await;
    let mine = browser
        .app
        .store
        .search(&greenline_store::CaseFilter {
            limit: 1,
            ..Default::default()
        })
        .await
        .expect("search")
        .remove(0);
    assert_eq!(mine.repeat_of, None, "declined: a report of its own");
    let point = mine.point.expect("the point is kept");
    assert_eq!((point.latitude, point.longitude), (22.5335, 113.9255));
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn on_an_office_screen_a_citizen_follows_the_earlier_report() {
    let browser = Browser::start_on(Screen::Desktop).await;
    let number = seed_report_in_hand(&browser.app).await;
    fill_with_a_point(&browser, &number).await;
    browser.snapshot("place-similar-desktop").await;
    browser
        .click("#similar .similar-actions .button.primary")
        .await;
    assert_eq!(value_of(&browser, "#follows").await, number);
    assert!(browser.text_of("#similar").await.contains("已选择关注"));
    browser.type_into("#reporter_phone", "13700001111").await;
    browser.click("#report-form button[type=submit]").await;
    let followed = browser.text_of("#followed").await;
    assert!(followed.contains(&number), "{followed}");
    browser.snapshot("place-receipt-desktop").await;
    browser.finish().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs Chromium and chromedriver: run by .ci/run with --ignored"]
async fn with_tiles_set_leaflet_draws_the_map_and_a_tap_gives_the_point() {
    // A tile server that serves nothing: the map draws its panes and takes taps all the same.
    let browser = Browser::start_with(Screen::Phone, |s| {
        s.map_tiles = Some("http://127.0.0.1:9/{z}/{x}/{y}.png".into());
        s.map_attribution = Some("测试底图".into());
    })
    .await;
    browser.open("/report").await;
    wait_shown(&browser, "#point-map", true).await;
    let ready = browser
        .client
        .execute(
            "var m = document.getElementById('point-map'); \
             return [m.classList.contains('leaflet-container'), \
                     !!m.querySelector('.leaflet-map-pane'), \
                     getComputedStyle(m.querySelector('.leaflet-map-pane')).position, \
                     m.querySelector('.leaflet-control-attribution').textContent];",
            vec![],
        )
        .await
        .expect("script");
    assert_eq!(
        ready,
        json!([true, true, "absolute", "测试底图"]),
        "Leaflet's stylesheet and script work under the policy"
    );
    let map = browser
        .client
        .find(Locator::Css("#point-map"))
        .await
        .expect("map");
    map.click().await.expect("tap the map");
    let start = std::time::Instant::now();
    while value_of(&browser, "#latitude").await.is_empty() {
        assert!(start.elapsed() < WAIT, "a tap on the map gave no point");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    let lat: f64 = value_of(&browser, "#latitude")
        .await
        .parse()
        .expect("number");
    let lon: f64 = value_of(&browser, "#longitude")
        .await
        .parse()
        .expect("number");
    assert!(
        (0.0..60.0).contains(&lat) && (70.0..140.0).contains(&lon),
        "{lat},{lon}"
    );
    assert!(browser.source().await.contains("point-marker"));
    browser.assert_fits_the_screen().await;
    browser
        .client
        .execute(
            "document.getElementById('point-picker').scrollIntoView();",
            vec![],
        )
        .await
        .expect("scroll");
    browser.snapshot("place-map-phone").await;
    browser.finish().await;
}
