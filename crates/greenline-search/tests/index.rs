//! The index as its users see it: words and phrases found and marked, a changed case replaced,
//! filters and the jurisdiction scope, and an index on disk that remembers how far it got.

use chrono::{DateTime, TimeZone, Utc};
use greenline_domain::{Case, Channel, IntakeForm, NewCase, PollutionType, RegionCode, Stage};
use greenline_search::{SearchIndex, SearchQuery};

fn code(text: &str) -> RegionCode {
    RegionCode::parse(text).expect("region")
}

fn day(d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 3, d, 2, 0, 0)
        .single()
        .expect("time")
}

fn case(id: i64, region: &str, primary: &str, address: &str, description: &str) -> Case {
    let form = IntakeForm {
        channel: "web".into(),
        primary_type: primary.into(),
        region: region.into(),
        address: address.into(),
        description: description.into(),
        anonymous: true,
        ..IntakeForm::default()
    };
    let new = NewCase::parse(&form).expect("valid case");
    Case::registered(id, &new, 1, day(id as u32 % 28 + 1))
}

fn cases() -> Vec<Case> {
    vec![
        case(
            1,
            "440305",
            "noise",
            "科技园南区",
            "工地夜里打桩，噪音很大，严重扰民。",
        ),
        case(
            2,
            "440304",
            "noise",
            "福田区车公庙",
            "KTV夜里唱歌噪音扰民。",
        ),
        case(
            3,
            "440305",
            "air",
            "南山区鑫达化工厂",
            "化工厂排放废气，臭味刺鼻。",
        ),
        case(
            4,
            "440106",
            "air",
            "天河区某小区",
            "楼下烧烤店油烟很大，没有装油烟净化器。",
        ),
        case(
            5,
            "110108",
            "water",
            "海淀区",
            "河道里有人偷排污水，水面发黑发臭 <b>\"急\"</b>。",
        ),
    ]
}

fn index_of(cases: &[Case]) -> SearchIndex {
    let index = SearchIndex::open_in_ram().expect("index");
    index.upsert(cases).expect("upsert");
    index.commit().expect("commit");
    index
}

fn ids(index: &SearchIndex, query: &SearchQuery) -> Vec<i64> {
    let mut ids: Vec<i64> = index
        .search(query)
        .expect("search")
        .hits
        .iter()
        .map(|h| h.case_id)
        .collect();
    ids.sort_unstable();
    ids
}

#[test]
fn a_word_finds_every_case_that_says_it_and_marks_it() {
    let index = index_of(&cases());
    let results = index.search(&SearchQuery::new("噪音")).expect("search");
    assert_eq!(results.total, 2);
    let mut found: Vec<i64> = results.hits.iter().map(|h| h.case_id).collect();
    found.sort_unstable();
    assert_eq!(found, vec![1, 2]);
    for hit in &results.hits {
        assert!(
            hit.snippet_html.contains("<mark>噪音</mark>"),
            "{}",
            hit.snippet_html
        );
        assert!(hit.score > 0.0);
    }
}

#[test]
fn a_word_inside_a_longer_word_is_found_and_marked_alone() {
    let index = index_of(&cases());
    assert_eq!(ids(&index, &SearchQuery::new("化工")), vec![3]);
    let hit = &index
        .search(&SearchQuery::new("化工"))
        .expect("search")
        .hits[0];
    assert!(
        hit.snippet_html.contains("<mark>化工</mark>厂"),
        "{}",
        hit.snippet_html
    );
    assert!(
        hit.address_html.contains("<mark>化工</mark>"),
        "{}",
        hit.address_html
    );
    assert_eq!(ids(&index, &SearchQuery::new("净化器")), vec![4]);
}

#[test]
fn spaces_join_words_and_a_run_of_words_is_a_phrase() {
    let index = index_of(&cases());
    assert_eq!(ids(&index, &SearchQuery::new("噪音 打桩")), vec![1]);
    assert_eq!(ids(&index, &SearchQuery::new("噪音扰民")), vec![2]);
    assert_eq!(
        ids(&index, &SearchQuery::new("扰民噪音")),
        Vec::<i64>::new()
    );
    assert_eq!(ids(&index, &SearchQuery::new("ktv")), vec![2]);
    assert_eq!(ids(&index, &SearchQuery::new("ＫＴＶ")), vec![2]);
}

#[test]
fn the_address_is_searched_too() {
    let index = index_of(&cases());
    assert_eq!(ids(&index, &SearchQuery::new("车公庙")), vec![2]);
    let hit = &index
        .search(&SearchQuery::new("车公庙"))
        .expect("search")
        .hits[0];
    assert_eq!(hit.address_html, "福田区<mark>车公庙</mark>");
    // Nothing found in the description: its beginning stands for it.
    assert!(
        hit.snippet_html.starts_with("KTV夜里"),
        "{}",
        hit.snippet_html
    );
}

#[test]
fn snippets_are_escaped_html() {
    let index = index_of(&cases());
    let hit = &index
        .search(&SearchQuery::new("污水"))
        .expect("search")
        .hits[0];
    assert!(
        hit.snippet_html
            .contains("&#60;b&#62;&#34;急&#34;&#60;/b&#62;"),
        "{}",
        hit.snippet_html
    );
    assert!(!hit.snippet_html.contains("<b>"), "{}", hit.snippet_html);
}

#[test]
fn a_query_without_words_is_refused() {
    let index = index_of(&cases());
    for text in ["", "   ", "，。！"] {
        assert!(index.search(&SearchQuery::new(text)).is_err(), "{text:?}");
    }
}

#[test]
fn an_upsert_replaces_the_case_it_names() {
    let index = index_of(&cases());
    assert_eq!(ids(&index, &SearchQuery::new("打桩")), vec![1]);
    let mut changed = cases()[0].clone();
    changed.description = "搅拌站粉尘很大。".into();
    changed.stage = Stage::Accepted;
    index.upsert(&[changed]).expect("upsert");
    index.commit().expect("commit");
    assert_eq!(index.len(), 5);
    assert_eq!(ids(&index, &SearchQuery::new("打桩")), Vec::<i64>::new());
    assert_eq!(ids(&index, &SearchQuery::new("粉尘")), vec![1]);
    let accepted = SearchQuery {
        stage: Some(Stage::Accepted),
        ..SearchQuery::new("粉尘")
    };
    assert_eq!(ids(&index, &accepted), vec![1]);
}

#[test]
fn the_scope_holds_whatever_the_filters_say() {
    let index = index_of(&cases());
    let nanshan = code("440305");
    assert_eq!(
        ids(&index, &SearchQuery::new("噪音").within(nanshan)),
        vec![1]
    );
    assert_eq!(
        ids(&index, &SearchQuery::new("噪音").within(code("440300"))),
        vec![1, 2]
    );
    assert_eq!(
        ids(&index, &SearchQuery::new("噪音").within(code("440000"))),
        vec![1, 2]
    );
    assert_eq!(
        ids(&index, &SearchQuery::new("噪音").within(code("110000"))),
        Vec::<i64>::new()
    );
    // A filter naming a neighbouring county finds nothing in the scope, not the neighbour's case.
    let widened = SearchQuery {
        region: Some(code("440304")),
        ..SearchQuery::new("噪音").within(nanshan)
    };
    let results = index.search(&widened).expect("search");
    assert_eq!((results.total, results.hits.len()), (0, 0));
    let narrowed = SearchQuery {
        region: Some(code("440304")),
        ..SearchQuery::new("噪音").within(code("440300"))
    };
    assert_eq!(ids(&index, &narrowed), vec![2]);
}

#[test]
fn the_scope_is_every_region_a_case_lies_within() {
    // The index keys a case by its region's ancestry; that must agree with `is_within`.
    for region in RegionCode::all() {
        let ancestry: Vec<RegionCode> = region.code.ancestry().collect();
        for area in [
            RegionCode::NATIONAL,
            code(&format!("{:02}0000", region.code.as_u32() / 10_000)),
        ]
        .into_iter()
        .chain(RegionCode::parse(&format!("{:04}00", region.code.as_u32() / 100)).ok())
        .chain([region.code])
        {
            assert_eq!(
                region.code.is_within(area),
                ancestry.contains(&area),
                "{:?} within {:?}",
                region.code,
                area
            );
        }
    }
}

#[test]
fn filters_narrow_by_type_channel_and_time() {
    let mut all = cases();
    all[1].channel = Channel::Phone;
    all[1]
        .types
        .push(PollutionType::parse("air").expect("type"));
    let index = index_of(&all);
    let noise = SearchQuery::new("噪音");
    let air = PollutionType::parse("air").expect("type");
    let typed = SearchQuery {
        pollution_type: Some(air),
        ..noise.clone()
    };
    assert_eq!(ids(&index, &typed), vec![2]);
    let primary = SearchQuery {
        primary_type: Some(air),
        ..noise.clone()
    };
    assert_eq!(ids(&index, &primary), Vec::<i64>::new());
    let phoned = SearchQuery {
        channel: Some(Channel::Phone),
        ..noise.clone()
    };
    assert_eq!(ids(&index, &phoned), vec![2]);
    // Case 1 arrived on day 2, case 2 on day 3.
    let from_day_3 = SearchQuery {
        received_from: Some(day(3)),
        ..noise.clone()
    };
    assert_eq!(ids(&index, &from_day_3), vec![2]);
    let before_day_3 = SearchQuery {
        received_before: Some(day(3)),
        ..noise.clone()
    };
    assert_eq!(ids(&index, &before_day_3), vec![1]);
}

#[test]
fn pages_split_the_hits_and_count_them_all() {
    let many: Vec<Case> = (1..=25)
        .map(|id| case(id, "440305", "noise", "", &format!("第{id}号工地噪音扰民")))
        .collect();
    let index = index_of(&many);
    let mut seen = Vec::new();
    for page in 0..3 {
        let results = index
            .search(&SearchQuery {
                limit: 10,
                offset: page * 10,
                ..SearchQuery::new("噪音")
            })
            .expect("search");
        assert_eq!(results.total, 25);
        seen.extend(results.hits.iter().map(|h| h.case_id));
    }
    seen.sort_unstable();
    assert_eq!(seen, (1..=25).collect::<Vec<i64>>());
    let every = index.case_ids(&SearchQuery::new("噪音")).expect("ids");
    assert_eq!(every, seen);
    assert_eq!(
        index.case_ids(&SearchQuery::new("第7号")).expect("ids"),
        vec![7]
    );
}

#[test]
fn an_index_on_disk_keeps_its_cases_and_watermark_across_a_restart() {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("search");
    {
        let index = SearchIndex::open(&path).expect("open");
        assert_eq!(index.watermark(), None);
        index.upsert(&cases()).expect("upsert");
        index.commit_at("42").expect("commit");
    }
    let index = SearchIndex::open(&path).expect("reopen");
    assert_eq!(index.watermark().as_deref(), Some("42"));
    assert_eq!(index.len(), 5);
    assert_eq!(ids(&index, &SearchQuery::new("噪音")), vec![1, 2]);
    index.clear().expect("clear");
    index.commit().expect("commit");
    assert_eq!((index.len(), index.watermark()), (0, None));
}

#[test]
fn identities_are_only_found_and_shown_when_the_searcher_may_read_them() {
    use std::collections::HashMap;

    use greenline_text::pii::Identity;

    let index = SearchIndex::open_in_ram().expect("index");
    let case = case(
        1,
        "440305",
        "noise",
        "科技园南区",
        "我叫张伟，电话13812345678，工地夜里打桩",
    );
    let known = HashMap::from([(
        1,
        Identity {
            name: Some("张伟".into()),
            phone: Some("13812345678".into()),
        },
    )]);
    index.upsert_knowing(&[case], &known).expect("upsert");
    index.commit().expect("commit");
    for words in ["13812345678", "张伟"] {
        let masked = SearchQuery::new(words);
        assert_eq!(ids(&index, &masked), Vec::<i64>::new(), "{words} is masked");
        let revealed = SearchQuery {
            reveal_identities: true,
            ..SearchQuery::new(words)
        };
        assert_eq!(ids(&index, &revealed), vec![1], "{words} as written");
    }
    let found = index.search(&SearchQuery::new("打桩")).expect("search");
    let snippet = &found.hits[0].snippet_html;
    assert!(
        snippet.contains("[姓名]") && snippet.contains("[电话]") && !snippet.contains("138"),
        "{snippet}"
    );
}
