//! Hot topics people can read, on a hand-written month: ordinary complaints as before, and two
//! events told in many words — a pesticide smell from a chemical park, and straw burnt after the
//! harvest, told with filler words (以后, 到处, 有人) that used to surface as topics of their own.

use std::collections::HashSet;

use greenline_text::topics::is_filler;
use greenline_text::{DocFreq, Tokenizer, TopicOptions, group_topics, hot_topics};

const ORDINARY: &[&str] = &[
    "楼下饭店油烟很大，晚上呛得睡不着",
    "工地夜间施工噪音扰民，希望管一管",
    "小区旁边的河道发黑发臭",
    "广场舞音响声音太大，影响老人休息",
    "汽修厂喷漆的味道很刺鼻",
    "养猪场的粪水流到沟里了",
    "搅拌站的粉尘落得到处都是",
    "酒吧音乐放到半夜",
];

const PESTICIDE: &[&str] = &[
    "化工园区那边飘来一股农药味，闻了头晕",
    "最近晚上总有农药味，应该是化工园区排的",
    "化工园区的农药味太冲了，窗户都不敢开",
    "一到晚上就是农药味，化工园区附近的居民都受不了",
    "农药味越来越重，怀疑化工园区偷排",
    "化工园区方向的农药味让孩子咳嗽",
    "又闻到农药味了，化工园区能不能管管",
    "化工园区排出的农药味熏得人恶心",
];

const STRAW: &[&str] = &[
    "秋收以后玉米秸秆到处焚烧，烟很大",
    "秋收以后村里到处烧秸秆，呛得人睁不开眼",
    "玉米秸秆焚烧的烟飘进小区",
    "秋收以后每天晚上都有人焚烧秸秆",
    "地里焚烧秸秆，高速上都看不清",
    "秸秆焚烧太严重了，到处是烟",
    "有人在玉米地里焚烧秸秆",
    "秋收以后焚烧秸秆的烟把整个镇都罩住了",
];

#[test]
fn two_events_come_out_as_two_readable_topics_with_their_own_examples() {
    let tokenizer = Tokenizer::shared();
    let mut background = DocFreq::new();
    let mut id = 0;
    for round in 0..30 {
        for text in ORDINARY {
            id += 1;
            background.add(tokenizer, id, &format!("{text}，第{round}次反映"));
        }
    }
    let mut current = DocFreq::with_postings();
    let (mut pesticide, mut straw) = (HashSet::new(), HashSet::new());
    for round in 0..3 {
        for text in ORDINARY {
            id += 1;
            current.add(tokenizer, id, &format!("{text}，第{round}次反映"));
        }
    }
    for (event, ids) in [(PESTICIDE, &mut pesticide), (STRAW, &mut straw)] {
        for text in event {
            id += 1;
            ids.insert(id);
            current.add(tokenizer, id, text);
        }
    }
    let options = TopicOptions {
        min_count: 3,
        limit: 60,
        ..TopicOptions::default()
    };
    let terms = hot_topics(&current, &background, &options);
    let groups = group_topics(&current, &terms, 10);
    let described: Vec<String> = groups
        .iter()
        .map(|g| format!("{} {:?} {:?}", g.label, g.terms, g.examples))
        .collect();

    assert_eq!(groups.len(), 2, "{described:#?}");
    let about = |words: &[&str]| {
        groups
            .iter()
            .find(|g| words.iter().any(|w| g.label.contains(w)))
            .unwrap_or_else(|| panic!("no topic about {words:?}: {described:#?}"))
    };
    let smell = about(&["农药", "化工园区"]);
    let burning = about(&["秸秆", "焚烧"]);
    assert_ne!(smell.label, burning.label);
    for (group, ids) in [(smell, &pesticide), (burning, &straw)] {
        assert!(!group.examples.is_empty());
        assert!(
            group.examples.iter().all(|e| ids.contains(e)),
            "{}: examples from elsewhere {:?}",
            group.label,
            group.examples
        );
        assert!(group.count as usize <= ids.len() + 1, "{described:#?}");
        for part in group.label.split('、') {
            assert!(!is_filler(part), "{} is filler", group.label);
        }
        assert!(group.terms.iter().all(|t| !is_filler(t)), "{described:#?}");
    }
    // The ordinary complaints rise in no topic.
    assert!(
        !groups.iter().any(|g| g
            .terms
            .iter()
            .any(|t| t.contains("油烟") || t.contains("噪音"))),
        "{described:#?}"
    );
}

#[test]
fn filler_words_and_phrases_built_on_them_are_recognised() {
    for filler in ["以后", "秋收以后", "玉米到处", "有人", "有人焚烧"] {
        assert!(is_filler(filler), "{filler}");
    }
    for topic in ["农药味", "化工园区", "焚烧秸秆", "夜间施工", "人民路"] {
        assert!(!is_filler(topic), "{topic}");
    }
}
