//! What in a complaint identifies its source: the names of firms, shops and sites, roads with
//! their house numbers, compounds and villages with their buildings, wider areas (towns,
//! industrial parks), the kinds of problem, the time of day, and the region.
//!
//! Chinese writes names without spaces, so a name is found from its end: a facility word (烧烤店,
//! 工地, 厂), a trade word (化工, 塑料), a legal form (有限公司) or a shop-name ending (轩, 楼).
//! Going left from there, trade words and facility words are peeled off (鑫达|化工|有限公司), and
//! the distinctive stem (鑫达) runs left over jieba's words until a word that cannot be part of a
//! name (的, 旁边, 投诉 … in `data/text/source_terms.tsv`), a road, a region, a number or
//! punctuation. A city named in front of a firm is dropped (深圳市联创电路板 → 联创) unless nothing
//! would be left (河南饭店). Roads are found the same way from their endings (路, 街, 大道 …) and
//! keep their direction (解放北路) and house number; Chinese numerals are read first (一百二十八号
//! → 128号). The kinds of problem are read from what remains once the names are masked, so that
//! 黄河石材厂 says nothing about water.

use std::ops::Range;

use greenline_domain::{PollutionType, RegionCode};
use serde::Serialize;

use super::terms::{FacilityWord, NameWord, Problem, TERMS_TABLE, Terms, type_at};
use crate::place::is_gate;
use crate::{Gazetteer, Tokenizer};

/// Characters that never stand inside a name's stem: particles and pronoun-like words.
const FUNCTION_CHARS: &str = "的了着得在是个把被给让我你他她它们俺咱已到往";

/// One-character words that always end a name on its left (那家公司, 该厂, 某单位, 北门外大排档).
const DETERMINERS: &str = "那这该某其每各此嗰个家座间位上下里内外边侧旁";

/// Characters that, after a village's or compound's one-character ending, make a word of place
/// (村口, 村里, 村东头).
const LOCATIVE: &str = "口里头东西南北后前边委民内外村";

/// Words of relative place after a facility that make it a landmark for another.
const LOCATIVES: &[&str] = &[
    "旁边",
    "隔壁",
    "对面",
    "斜对面",
    "对过",
    "后面",
    "后边",
    "后头",
    "前面",
    "前边",
    "东边",
    "西边",
    "南边",
    "北边",
    "东侧",
    "西侧",
    "南侧",
    "北侧",
    "边上",
    "旁",
    "背后",
    "往东",
    "往西",
    "往南",
    "往北",
    "往前",
    "对门",
    "斜对门",
    "左边",
    "右边",
    "东面",
    "西面",
    "南面",
    "北面",
    "上游",
    "下游",
    "楼上",
    "楼下",
    "附近",
    "周边",
    "周围",
    "一带",
    "外面",
    "外边",
    "上去",
    "下去",
    "进去",
    "过去",
];

/// Who lives above or below a facility: after 楼上 or 楼下 they are the reporter's neighbours,
/// and the facility stays the source (饭店楼上住户).
const RESIDENTS: &[&str] = &[
    "住户", "居民", "邻居", "业主", "人家", "的人", "住的", "我家", "我们",
];

/// Groups of equipment (of `object` in `data/text/source_terms.tsv`) that a facility has as its
/// own plant: after a word of relative place they say where on the facility, not what is near it.
const PLANT: &[&str] = &[
    "flue",
    "fan",
    "outdoor_unit",
    "drain",
    "outfall",
    "pump",
    "stack",
    "spray_booth",
    "purifier",
    "boiler",
    "cooling_tower",
    "compressor",
    "kiln",
    "generator",
    "mixer",
    "cutter",
    "press",
    "crusher",
];

/// Whether `written` is a township's name without its ending (十八里店 of 十八里店地区).
fn names_a_township(written: &str) -> bool {
    ["地区", "街道", "镇", "乡"].iter().any(|ending| {
        !Gazetteer::shared()
            .lookup(&format!("{written}{ending}"))
            .is_empty()
    })
}

/// An old town named as its township (三河古镇 is 三河镇); any other name as it is.
fn old_town_as_township(name: &str) -> String {
    match name.strip_suffix("古镇") {
        Some(stem) if stem.chars().count() >= 2 => format!("{stem}镇"),
        _ => name.to_owned(),
    }
}

/// Whether `rest`, the text right after a name, makes the name a landmark for something else: a
/// word of relative place, maybe after 的 or a demonstrative (盛达板材厂隔壁, 酒店斜对面, 搅拌站
/// 北边的). Not where what follows is a plant of its own (蜀香阁饭店后面的排风机, 碧波洗浴后面那个
/// 下水道口): that names the facility's own equipment, and the facility is the source.
fn landmark_follows(rest: &str) -> bool {
    // Gates of a landmark: what is at one, or facing it, is near (电厂西门对面, 三中后门那个).
    const GATES: &[&str] = &[
        "东门", "西门", "南门", "北门", "正门", "大门", "后门", "侧门", "前门", "门口",
    ];
    let rest = rest.trim_start_matches(['的', '那', '这', '是', '就']);
    let gate = GATES.iter().find(|g| rest.starts_with(**g));
    // Outside a gate is near it (化肥厂东门外的垃圾堆).
    let outside = gate.is_some_and(|g| rest[g.len()..].trim_start_matches('口').starts_with('外'));
    // What is at one of its gates, after 的 (菜市场东门的垃圾站); not at its door (门口的音响
    // is the shop's own).
    let at_gate = gate.is_some_and(|g| {
        *g != "门口" && rest[g.len()..].trim_start_matches('口').starts_with('的')
    });
    let rest = gate.map_or(rest, |g| {
        rest[g.len()..]
            .trim_start_matches(['口', '外'])
            .trim_start_matches(['面', '边'])
            .trim_start_matches('的')
    });
    let word = LOCATIVES.iter().find(|w| rest.starts_with(**w));
    let after = match (word, gate) {
        (Some(word), _) => &rest[word.len()..],
        (None, Some(_)) if outside => rest,
        // At the gate itself, with a demonstrative or 有 before what is there.
        (None, Some(_)) if rest.starts_with(['那', '这', '有']) || at_gate => rest,
        _ => return false,
    };
    if word.is_some_and(|w| matches!(*w, "楼上" | "楼下"))
        && RESIDENTS
            .iter()
            .any(|r| after.trim_start_matches('的').starts_with(r))
    {
        return false;
    }
    let after = after.trim_start_matches(|c| "的那这有个台家根些几一排小".contains(c));
    // Only a word that begins `after` counts; the search need not read further.
    let after = after
        .char_indices()
        .nth(6)
        .map_or(after, |(i, _)| &after[..i]);
    let own_plant = TERMS_TABLE
        .object_matcher
        .find(after)
        .filter(|m| m.start() == 0)
        .and_then(|m| TERMS_TABLE.object_group(&after[..m.end()]))
        .is_some_and(|group| PLANT.contains(&group));
    !own_plant
}

/// What follows a demonstrative and its measure word in `word` (锦程 of 那家锦程, nothing of
/// 商那家), if it holds one.
fn after_demonstrative(word: &str) -> Option<&str> {
    // The last one in the word, wherever jieba cut it (底|商那家|火锅店).
    // Read without a copy of the word: this runs on every piece of every name.
    let mut after = None;
    let mut previous = None;
    for (at, m) in word.char_indices() {
        if previous.is_some_and(|d| "那这该某每此".contains(d))
            && "家个座间位所条处排片栋".contains(m)
        {
            after = Some(&word[at + m.len_utf8()..]);
        }
        previous = Some(m);
    }
    after
}

/// Buildings and parts of them that end like a shop's name (福满楼) but name none.
const BUILDING_PARTS: &[&str] = &[
    "住院楼",
    "门诊楼",
    "教学楼",
    "办公楼",
    "宿舍楼",
    "居民楼",
    "家属楼",
    "写字楼",
    "综合楼",
    "商务楼",
    "实验楼",
    "住宅楼",
    "裙楼",
    "主楼",
    "副楼",
    "塔楼",
];

/// Words before 店 that say what kind of shop it is or point at it, not which branch
/// (鑫瑞汽车销售服务店, 鑫瑞汽车那个店).
const NOT_BRANCHES: &[&str] = &[
    "销售", "服务", "维修", "专卖", "连锁", "旗舰", "直营", "加盟", "体验", "那", "这", "个", "的",
];

/// Words after a number that make it a building's (5栋, 3号楼, 10#楼, B座 is a block).
const BUILDING_COUNTERS: &[&str] = &["栋", "幢", "号楼", "#楼", "座"];

/// Endings of a compound's or village's name that say it is a place, never a shop's name.
const PLACE_ENDINGS: &[&str] = &["小区", "社区", "村", "大院", "宿舍", "大厦"];

/// Whether a stem ends like a division's name (侯镇, 原平市, 开发区), not a firm's: a township's,
/// county's, district's or city's ending, though not a market's (超市, 菜市, 夜市) unless the table
/// names it (辛集市). By its ending otherwise, unlike [`crate::Gazetteer::names_a_division`].
fn ends_like_a_division(stem: &str) -> bool {
    const COUNTY_ENDINGS: &[&str] = &["县", "区", "市"];
    const MARKETS: &[&str] = &["超市", "菜市", "门市", "夜市", "集市", "早市"];
    stem.chars().count() >= 2
        && TOWNSHIP_ENDINGS
            .iter()
            .chain(COUNTY_ENDINGS)
            .any(|e| stem.ends_with(e))
        && (!MARKETS.iter().any(|m| stem.ends_with(m))
            || crate::Gazetteer::shared().names_a_division(stem))
}

/// A numbered branch at the end of a shop's stem, as the name before it and the number in
/// figures (鲜味坊卤味|一 → 1, 老街|2号 → 2), where at least two characters of name are left.
fn numbered_branch(stem: &str) -> Option<(&str, String)> {
    let bare = stem.strip_suffix('号').unwrap_or(stem);
    let digits = bare
        .chars()
        .rev()
        .take_while(|c| c.is_ascii_digit() || chinese_digit(*c).is_some())
        .count();
    let cut = bare.char_indices().rev().nth(digits.checked_sub(1)?)?.0;
    let (name, number) = bare.split_at(cut);
    let figures: Vec<char> = number.chars().collect();
    let value = if figures.iter().all(char::is_ascii_digit) {
        number.parse().ok()?
    } else {
        chinese_number(&figures)?
    };
    (name.chars().count() >= 2 && (1..=99).contains(&value)).then(|| (name, value.to_string()))
}

/// Endings of a township's full name (老庄镇, 通江街道).
pub(crate) const TOWNSHIP_ENDINGS: &[&str] = &["街道", "镇", "乡"];

/// How rare a two-character word on a compound's one-character ending must be to be a
/// compound's name on its own (锦苑 is, 公园 and 校园 are not).
const RARE_COMPOUND: f64 = 14.0;
/// Rarity ([`Tokenizer::rarity`]) at most which a dictionary noun is an everyday word (玩具, 电机,
/// 调料; the same bound as [`RARE_COMPOUND`] from the other side):
/// before a facility word it says what is made or sold there, not whose it is.
const EVERYDAY_NOUN: f64 = 14.0;

/// Longest stems, in characters.
const MAX_NAME_STEM: usize = 8;
const MAX_ROAD_STEM: usize = 6;
const MAX_COMPOUND_STEM: usize = 6;
const MAX_AREA_STEM: usize = 4;
/// Rare words kept per text, and how rare a word must be to count (a word about 4,000 times
/// rarer than the commonest: 附近 and 居民 are not rare, 预制板 and 观音桥 are).
pub(crate) const MAX_RARE_WORDS: usize = 8;
/// The `branch:` spot of a branch whose name the text does not give.
pub(crate) const UNNAMED_BRANCH: &str = "分店";
const MIN_RARITY: f64 = 8.3;

/// A firm, shop, site or other facility the text names or points at.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Facility {
    /// As written, without the region in front (鑫达化工有限公司).
    pub written: String,
    /// The distinctive part (鑫达); empty when the text names none (楼下的饭店).
    pub stem: String,
    /// The word that says what it is (有限公司, 烧烤, 化工), a key of the term list.
    pub word: String,
    /// Named as a landmark for something else: followed by where that is (盛达板材厂隔壁的,
    /// 搅拌站北边).
    pub near: bool,
}

/// A road or street, with the house number where one follows.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Road {
    /// As written (解放北路).
    pub written: String,
    /// The name without direction and ending (解放).
    pub stem: String,
    /// 东, 西, 南, 北 or 中 where the name has one.
    pub direction: Option<char>,
    pub number: Option<u32>,
}

/// A residential compound, building, estate or village, with the building number where given.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Compound {
    /// The name without a generic ending (翠微苑, 和平里; 小区 dropped).
    pub name: String,
    /// Building, block or phase number (5栋, 3号楼, 二期).
    pub building: Option<u32>,
    /// The ending the text writes (苑, 家园, 村; 小区 for any generic one), empty where it
    /// writes none (锦苑 for 锦苑小区 is 苑): 康宁家园 and 康宁小区 are two estates.
    pub ending: String,
}

/// The features of one complaint text that identify its source.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SourceFeatures {
    pub facilities: Vec<Facility>,
    pub roads: Vec<Road>,
    pub compounds: Vec<Compound>,
    /// Towns, sub-districts and parks (团结镇, 城东工业园): a wider area.
    pub areas: Vec<String>,
    /// The kinds of problem, as a bit set over [`PollutionType::all`].
    pub kinds: u16,
    /// Equipment and spots named (发电机, 排风口, 空地), as written.
    pub objects: Vec<String>,
    /// Says it happens at night (晚上, 凌晨 …).
    pub night: bool,
    /// Words rare in general Chinese that are neither the field's vocabulary nor a term of the
    /// list (a landmark's name: 实验小学, 跨河桥; an owner's 老周; a made-up shop name), with
    /// how rare each is ([`Tokenizer::rarity`]), rarest first, at most [`MAX_RARE_WORDS`].
    pub rare_words: Vec<(String, f32)>,
    /// The most precise region the text names for certain, outside the names of roads, firms
    /// and compounds, and only where a city, a province or a full county name (柯桥区, not a bare
    /// 柯桥) says so: a bare county short form is too often something else (小港 for a town).
    pub region: Option<RegionCode>,
    /// Where on a place the source is, each tagged: the side of a landmark or road (`side:东` of
    /// 东边, 西门, 北头), a block (`block:B` of B座), an entrance (`entrance:2` of 2单元), a flat
    /// (`unit:1202` of 9栋1202), a chain's
    /// branch (`branch:人民路` of 人民路店). Two texts that differ here point at two sources.
    pub spots: Vec<String>,
    /// The lines of business the text names (做饲料的, 屠宰, 洗车 …), as a bit set over the
    /// lines of `data/text/source_lines.tsv`.
    pub lines: u128,
    /// The trades within those lines the text names (烧烤, 螺蛳粉; not the general 饭店).
    pub trades: Vec<String>,
    /// Owners' surnames the text gives (老孙家, 姓覃, 陈氏, 张某).
    pub owners: String,
    /// Characters a reporter remembers of a name they do not know (华 of 叫什么华什么的洗浴中心, 巴
    /// of 名字带个巴字).
    pub hints: String,
    /// The kinds of public place the text locates its source by (学校, 加油站, 客运站), as a bit
    /// set over the `landmark` kinds of `data/text/source_terms.tsv`.
    pub public_places: u32,
    /// The characters of the whole (normalised) text, to find a name written without its
    /// facility word in another text. Not kept by the index.
    #[serde(skip)]
    pub(crate) text_chars: Vec<char>,
}

impl SourceFeatures {
    /// Whether the text writes `stem` and, every time, as a landmark for something else
    /// ([`landmark_follows`]: 就在海之恋隔壁, 东方红隔壁的饺子馆), with no facility word between that
    /// would make it a facility of its own.
    pub(crate) fn writes_only_as_landmark(&self, stem: &[char]) -> bool {
        let chars = &self.text_chars;
        if stem.is_empty() || chars.len() < stem.len() {
            return false;
        }
        let mut seen = false;
        for start in 0..=chars.len() - stem.len() {
            if chars[start..start + stem.len()] != *stem {
                continue;
            }
            let end = start + stem.len();
            let rest: String = chars[end..chars.len().min(end + 16)].iter().collect();
            if !landmark_follows(&rest) {
                return false;
            }
            seen = true;
        }
        seen
    }
}

impl SourceFeatures {
    /// Where the text writes a compound's name without its ending (金色阳光那个垃圾房, 和平23号
    /// 楼): `Some` with the building number written right after it, if any.
    pub(crate) fn writes_compound(&self, name: &str) -> Option<Option<u32>> {
        let name: Vec<char> = name.chars().collect();
        let chars = &self.text_chars;
        if name.len() < 2 || chars.len() < name.len() {
            return None;
        }
        let end = (0..=chars.len() - name.len()).find(|&i| chars[i..i + name.len()] == *name)?
            + name.len();
        let digits: String = chars[end..]
            .iter()
            .take_while(|c| c.is_ascii_digit())
            .collect();
        let counter: String = chars[end + digits.chars().count()..]
            .iter()
            .take(2)
            .collect();
        let counted = BUILDING_COUNTERS.iter().any(|c| counter.starts_with(c));
        Some(if counted { digits.parse().ok() } else { None })
    }
}

/// Pieces of addresses and sounds that the segmenter leaves as words but that tell no place
/// from another (青阳|北路, 7|号楼, 嗡嗡响).
const PLACE_FRAGMENTS: &[&str] = &[
    "东路",
    "西路",
    "南路",
    "北路",
    "中路",
    "号楼",
    "大街",
    "大道",
    "路口",
    "村村",
    "路店",
    "楼顶",
    "城东",
    "城西",
    "城南",
    "城北",
    "城中",
    "城郊",
    "东头",
    "西头",
    "南头",
    "北头",
    "嗡嗡响",
    "嗡嗡",
    "轰轰",
    "咚咚",
];

/// Verbs of what is done at a place that begin a description of it, not a name (做红木家具的那家,
/// 改成做包装的), and the words of a likeness (跟锯玻璃似的).
const DOINGS: &[&str] = &["做", "搞", "卖", "收", "改成", "开了", "专门", "跟", "像"];

/// Words of 老 and a surname's character that name no one by their surname.
const NOT_OWNERS: &[&str] = &[
    "老师", "老公", "老汉", "老总", "老大", "老小", "老太", "老爷", "老头", "老伯", "老姐", "老哥",
];

/// What stands in a name a reporter does not know (叫什么华什么的).
const UNKNOWN_NAME: &[&str] = &["什么", "么子", "啥"];

/// The characters a reporter remembers of a name they do not know: between two words for the
/// unknown (什么华什么), after 叫 up to 的, a word for the unknown, 还是 or 字 (叫啥香的, 好像叫永
/// 什么, 叫什么芬还是芳), after 还是 in such a clause, or in 带个巴字.
fn name_hints(chars: &[char]) -> String {
    // What is no remembered part of a name: words of not knowing, of the clause, of the kind.
    const NOT_HINTS: &str =
        "不我名记也忘知道清楚晓得的了来着是个那这就在有厂店家啥么什子叫字还老小大";
    const UNKNOWN: [&[char]; 4] = [&['什', '么'], &['么', '子'], &['啥', '子'], &['啥']];
    let unknown_at = |i: usize| -> usize {
        UNKNOWN
            .iter()
            .find(|w| chars.get(i..i + w.len()) == Some(**w))
            .map_or(0, |w| w.len())
    };
    let hint_char = |c: char| is_han(c) && !NOT_HINTS.contains(c);
    // One or two hint characters from `i`, then what must follow them.
    let run_at = |i: usize, ends: &dyn Fn(usize) -> bool| -> Option<(usize, usize)> {
        (1..=2)
            .find(|n| {
                chars
                    .get(i..i + n)
                    .is_some_and(|r| r.iter().all(|c| hint_char(*c)))
                    && ends(i + n)
            })
            .map(|n| (i, i + n))
    };
    let mut hints = String::new();
    let mut add = |from: usize, to: usize| {
        for c in &chars[from..to] {
            if !hints.contains(*c) {
                hints.push(*c);
            }
        }
    };
    for i in 0..chars.len() {
        let u = unknown_at(i);
        // 什么华什么
        if u > 0
            && let Some((from, to)) = run_at(i + u, &|j| unknown_at(j) > 0)
        {
            add(from, to);
        }
        // 叫什么华的, 叫啥香的, 好像叫永什么, 叫什么芬还是芳
        if chars[i] == '叫' {
            let start = i + 1 + unknown_at(i + 1);
            let ends = |j: usize| {
                unknown_at(j) > 0
                    || chars.get(j) == Some(&'的')
                    || chars.get(j) == Some(&'字')
                    || chars.get(j..j + 2) == Some(&['还', '是'][..])
            };
            if let Some((from, to)) = run_at(start, &ends) {
                add(from, to);
                // …还是芳
                if chars.get(to..to + 2) == Some(&['还', '是'][..])
                    && let Some((from, to)) = run_at(to + 2, &|j| {
                        chars.get(j).is_none_or(|c| !is_han(*c)) || ends(j)
                    })
                {
                    add(from, to);
                }
            }
        }
        // 带个巴字, 有个辉字
        if matches!(chars[i], '带' | '有') {
            let at = i + 1 + usize::from(chars.get(i + 1) == Some(&'个'));
            if chars.get(at + 1) == Some(&'字') && chars.get(at).is_some_and(|c| hint_char(*c)) {
                add(at, at + 1);
            }
        }
    }
    hints
}

/// The lines of business and the words that tell them.
struct Lines {
    matcher: aho_corasick::AhoCorasick,
    /// The lines of each cue, as a bit set over `names`: a general cue tells several (养殖: pigs,
    /// poultry, cattle, fish).
    line_of: Vec<u128>,
    /// Each line's first cue, which names it to staff (饲料, 屠宰, 洗车).
    names: Vec<String>,
    /// The trade within its line each cue tells, if it tells one (烧烤 of 烤串; none of 饭店).
    trade: Vec<Option<String>>,
    /// Pairs of lines one business often spans (纺织 and 印染, 宾馆 and 干洗), as bit sets.
    related: Vec<u128>,
    /// The lines of each trade: those of every cue telling it.
    trade_lines: std::collections::HashMap<String, u128>,
}

pub(crate) const LINES_DATA: &str = include_str!("../../data/text/source_lines.tsv");

static LINES: std::sync::LazyLock<Lines> = std::sync::LazyLock::new(|| {
    let (mut cues, mut line_of, mut codes) = (Vec::new(), Vec::new(), Vec::<&str>::new());
    let (mut names, mut trade, mut related_codes) = (Vec::new(), Vec::new(), Vec::new());
    for line in LINES_DATA.lines() {
        let Some((code, cue)) = line.split_once('\t').filter(|_| !line.starts_with('#')) else {
            continue;
        };
        if code == "related" {
            related_codes.push(cue.trim());
            continue;
        }
        // The trade within the line, where the cue tells one (烧烤; 饭店 tells none).
        let (cue, within) = match cue.split_once('\t') {
            Some((cue, within)) => (cue, Some(within.trim().to_owned())),
            None => (cue, None),
        };
        trade.push(within);
        let mut mask = 0u128;
        for code in code.split(',') {
            let index = codes.iter().position(|c| *c == code).unwrap_or_else(|| {
                codes.push(code);
                names.push(cue.trim().to_owned());
                codes.len() - 1
            });
            mask |= 1u128
                .checked_shl(u32::try_from(index).unwrap_or(u32::MAX))
                .unwrap_or(0);
        }
        cues.push(cue.trim().to_uppercase());
        line_of.push(mask);
    }
    let matcher = aho_corasick::AhoCorasick::new(&cues)
        .unwrap_or_else(|e| unreachable!("the shipped lines of business build: {e}"));
    let bit = |code: &str| {
        let index = codes
            .iter()
            .position(|c| *c == code)
            .unwrap_or_else(|| unreachable!("a related line is a line of the table: {code}"));
        1u128 << index
    };
    let related = related_codes
        .iter()
        .map(|pair| pair.split(',').map(bit).fold(0, |m, b| m | b))
        .collect();
    let mut trade_lines = std::collections::HashMap::new();
    for (within, of) in trade.iter().zip(&line_of) {
        if let Some(within) = within {
            *trade_lines.entry(within.clone()).or_insert(0) |= *of;
        }
    }
    Lines {
        matcher,
        line_of,
        names,
        trade,
        related,
        trade_lines,
    }
});

/// Whether two sets of lines hold a pair of lines one business often spans (纺织 / 印染).
pub(crate) fn lines_related(a: u128, b: u128) -> bool {
    LINES
        .related
        .iter()
        .any(|pair| a & pair != 0 && b & pair != 0 && (a | b) & pair == *pair)
}

/// The lines a trade belongs to (烧烤: catering), as a bit set: those of every cue telling it.
pub(crate) fn trade_lines(trade: &str) -> u128 {
    LINES.trade_lines.get(trade).copied().unwrap_or(0)
}

/// The names of the lines of business in a bit set, for staff (饲料、屠宰).
pub(crate) fn line_names(lines: u128) -> Vec<&'static str> {
    let names = &LINES.names;
    (0..names.len())
        .filter(|i| lines & (1u128 << i) != 0)
        .map(|i| names[i].as_str())
        .collect()
}

/// Loads the lines of business (see [`crate::load_tables`]).
pub(crate) fn load_tables() {
    std::sync::LazyLock::force(&LINES);
}

/// What a reporter writes to set the source apart from another one nearby.
const CONTRASTS: &[&str] = &[
    "不是一家",
    "不是同一家",
    "不是一个",
    "不是同一个",
    "另一家",
    "另外一家",
    "还有一家",
    "我说的是",
    "不是那家",
    "不是那个",
];

/// The clauses of a text that say what its source is not (跟鸿运家具厂不是一家, 和A地块不是一个
/// 施工单位, 另一家快递的转运场), as byte ranges: every contrast but 我说的是, which says what
/// it is.
/// What ends a clause.
const CLAUSE_ENDS: &[char] = &['，', '。', '；', '！', '？', ',', ';', '!', '?', '\n'];

/// What a reporter writes before where they live (我住, 我家在).
const HOME: &[&str] = &[
    "我住",
    "我家在",
    "我家住",
    "我们住",
    "我们家在",
    "俺家在",
    "俺住",
    "家住",
    "住在",
    "我在",
    "俺在",
];

/// Words for the other side of water or a road from the reporter (对岸, 河对面).
const ACROSS: &[&str] = &["对岸", "河对面", "隔着河", "隔河", "对面溪", "江对面"];

/// The clauses in which the reporter says where they live: from [`HOME`] to the clause's end.
fn home_clauses(text: &str) -> Vec<Range<usize>> {
    let mut clauses = Vec::new();
    for word in HOME {
        for (at, _) in text.match_indices(word) {
            let end = text[at..].find(CLAUSE_ENDS).map_or(text.len(), |i| at + i);
            clauses.push(at..end);
        }
    }
    clauses
}

fn negated_clauses(text: &str) -> Vec<Range<usize>> {
    let mut clauses: Vec<Range<usize>> = Vec::new();
    for contrast in CONTRASTS.iter().filter(|c| **c != "我说的是") {
        for (at, _) in text.match_indices(contrast) {
            let start = text[..at].rfind(CLAUSE_ENDS).map_or(0, |i| {
                i + text[i..].chars().next().map_or(0, char::len_utf8)
            });
            let end = text[at..].find(CLAUSE_ENDS).map_or(text.len(), |i| at + i);
            if !clauses.iter().any(|c| c.start == start) {
                clauses.push(start..end);
            }
        }
    }
    // How far the source is from another one is about that other one (距一号厂区约两公里,
    // 与东厂区相距约三公里): from 距 or 与 to the end of the clause or bracket.
    for (at, _) in text.match_indices('距') {
        let end = text[at..]
            .find(|c: char| CLAUSE_ENDS.contains(&c) || c == '）' || c == ')')
            .map_or(text.len(), |i| at + i);
        let clause = &text[at..end];
        if !["公里", "米", "里地"].iter().any(|u| clause.contains(u)) {
            continue;
        }
        let start = text[..at]
            .rfind(['与', '和', '（', '('])
            .filter(|i| text[*i..at].chars().count() <= 8 && !text[*i..at].contains(CLAUSE_ENDS))
            .unwrap_or(at);
        if !clauses.iter().any(|c| c.start <= start && end <= c.end) {
            clauses.push(start..end);
        }
    }
    clauses
}

impl Road {
    /// The road's ending, with 大街 counted as 街 (解放路 and 解放街 are two roads).
    pub fn ending(&self) -> &str {
        let ending = TERMS_TABLE
            .roads
            .iter()
            .find(|r| self.written.ends_with(**r))
            .copied()
            .unwrap_or("");
        if ending == "大街" { "街" } else { ending }
    }
}

impl Facility {
    /// What kind of place it is: class and sort from the term list.
    pub fn class(&self) -> (&'static str, &'static str) {
        match TERMS_TABLE.name_words.get(self.word.as_str()) {
            Some(NameWord::Facility(FacilityWord { class, sort })) => (class, sort),
            Some(NameWord::Trade(class)) => (class, ""),
            Some(NameWord::Legal) => ("firm", ""),
            None => ("", ""),
        }
    }

    pub fn is_named(&self) -> bool {
        !self.stem.is_empty()
    }
}

impl SourceFeatures {
    /// Extracts the features of a complaint text.
    pub fn extract(text: &str) -> SourceFeatures {
        Extractor::new(text).run()
    }

    /// The kinds of problem the text names.
    pub fn pollution_types(&self) -> Vec<PollutionType> {
        (0..16u8)
            .filter(|i| self.kinds & (1 << i) != 0)
            .filter_map(type_at)
            .collect()
    }

    /// Whether the text names anything that can identify a source: a named facility, a road or
    /// a compound.
    pub fn identifies(&self) -> bool {
        self.facilities.iter().any(Facility::is_named)
            || !self.roads.is_empty()
            || !self.compounds.is_empty()
    }
}

/// Chinese numerals before a counter (号, 栋, 期 …) become digits, full-width letters and digits
/// half-width, Latin letters upper case.
/// Quotation marks, dropped by [`normalise`].
const QUOTES: &str = "“”‘’「」『』\"'";

pub(crate) fn normalise(text: &str) -> String {
    const COUNTERS: &[char] = &['号', '栋', '幢', '期', '楼', '单', '座', '段', '层', '组'];
    let chars: Vec<char> = text
        .chars()
        .map(|c| match c {
            '\u{ff01}'..='\u{ff5e}' if c.is_alphanumeric() => {
                char::from_u32(u32::from(c) - 0xfee0).unwrap_or(c)
            }
            _ => c,
        })
        .map(|c| c.to_ascii_uppercase())
        // Quotation marks around a name (“麦霸天下”KTV) would part it from its facility word.
        .filter(|c| !QUOTES.contains(*c))
        .collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < chars.len() {
        let run = chars[i..]
            .iter()
            .take_while(|c| chinese_digit(**c).is_some())
            .count();
        if run > 0 && chars.get(i + run).is_some_and(|c| COUNTERS.contains(c)) {
            let value = chinese_number(&chars[i..i + run]);
            // 一楼 and 两栋 stay words where they are not numbers of a place (一家, 两个 never
            // reach here: 家 and 个 are no counters).
            match value {
                Some(v) => out.push_str(&v.to_string()),
                None => out.extend(&chars[i..i + run]),
            }
            i += run;
            continue;
        }
        if run > 0 {
            out.extend(&chars[i..i + run]);
            i += run;
            continue;
        }
        out.push(chars[i]);
        i += 1;
    }
    out
}

/// The figures right before position `at` (12 of 12楼).
fn digits_before(chars: &[char], at: usize) -> String {
    let start = chars[..at]
        .iter()
        .rposition(|d| !d.is_ascii_digit())
        .map_or(0, |p| p + 1);
    chars[start..at].iter().collect()
}

fn chinese_digit(c: char) -> Option<u32> {
    Some(match c {
        '零' | '〇' => 0,
        '一' => 1,
        '二' | '两' => 2,
        '三' => 3,
        '四' => 4,
        '五' => 5,
        '六' => 6,
        '七' => 7,
        '八' => 8,
        '九' => 9,
        '十' => 10,
        '百' => 100,
        '千' => 1000,
        _ => return None,
    })
}

/// 一百二十八 → 128, 六一八 → 618, 十二 → 12.
fn chinese_number(chars: &[char]) -> Option<u32> {
    let digits: Vec<u32> = chars.iter().filter_map(|c| chinese_digit(*c)).collect();
    if digits.iter().any(|d| *d >= 10) {
        let (mut total, mut current) = (0u32, 0u32);
        for d in digits {
            if d >= 10 {
                total += current.max(1) * d;
                current = 0;
            } else {
                current = current * 10 + d;
            }
        }
        Some(total + current)
    } else {
        digits
            .iter()
            .try_fold(0u32, |n, d| n.checked_mul(10).map(|n| n + d))
    }
}

/// One extraction: the normalised text, its words and what has been found so far.
struct Extractor<'t> {
    terms: &'t Terms,
    text: String,
    /// Byte ranges of jieba's words.
    words: Vec<Range<usize>>,
    /// Spans that end a name on their left: regions, roads, numbers.
    hard: Vec<Range<usize>>,
    /// Spans of regions.
    regions: Vec<Range<usize>>,
    /// The place as first read, with every region name in the text.
    place: Option<crate::Place>,
    /// Spans taken by names (masked when reading the kinds of problem).
    taken: Vec<Range<usize>>,
    /// Spans of compounds, with their names.
    compound_spans: Vec<(Range<usize>, String)>,
    /// Spans of facilities named only as landmarks (加油站 of 加油站后面的厂).
    landmarks: Vec<Range<usize>>,
    /// Branches written right after a chain's name (塞北涮肉|东河店): `branch:` spots.
    branches: Vec<String>,
    /// Clauses that say what the source is not ([`negated_clauses`]).
    negated: Vec<Range<usize>>,
    /// What the text put in quotation marks (“老码头火锅”), in the normalised text: a name.
    quoted: Vec<Range<usize>>,
    features: SourceFeatures,
}

/// The spans in `normalised` of what `text` put in quotation marks, each found after the last.
fn quoted_spans(text: &str, normalised: &str) -> Vec<Range<usize>> {
    let mut spans = Vec::new();
    let mut from = 0;
    let mut rest = text;
    while let Some(open) = rest.find(['“', '「', '『', '"']) {
        let inner = &rest[open..];
        let after_open = inner.chars().next().map_or(1, char::len_utf8);
        let Some(close) = inner[after_open..].find(['”', '」', '』', '"']) else {
            break;
        };
        let content = normalise(&inner[after_open..after_open + close]);
        let n = content.chars().count();
        if (2..=MAX_NAME_STEM + 4).contains(&n)
            && let Some(at) = normalised[from..].find(&content)
        {
            spans.push(from + at..from + at + content.len());
            from += at + content.len();
        }
        rest = &inner[after_open + close..];
        rest = &rest[rest.chars().next().map_or(0, char::len_utf8)..];
    }
    spans
}

impl<'t> Extractor<'t> {
    fn new(original: &str) -> Extractor<'t> {
        let text = normalise(original);
        let quoted = quoted_spans(original, &text);
        let mut words = Vec::new();
        let mut at = 0;
        for word in Tokenizer::shared().segments(&text) {
            words.push(at..at + word.len());
            at += word.len();
        }
        Extractor {
            terms: &TERMS_TABLE,
            text,
            words,
            hard: Vec::new(),
            regions: Vec::new(),
            place: None,
            taken: Vec::new(),
            compound_spans: Vec::new(),
            landmarks: Vec::new(),
            branches: Vec::new(),
            negated: Vec::new(),
            quoted,
            features: SourceFeatures::default(),
        }
    }

    fn run(mut self) -> SourceFeatures {
        let place = Gazetteer::shared().locate(&self.text);
        for mention in &place.mentions {
            self.regions.push(mention.start..mention.end);
            // A township named in full (老庄镇, 通江街道) is an area too, with its ending.
            let name = old_town_as_township(&mention.text);
            if TOWNSHIP_ENDINGS.iter().any(|e| name.ends_with(e))
                && !self.features.areas.contains(&name)
            {
                self.features.areas.push(name);
            }
        }
        self.place = Some(place);
        self.negated = negated_clauses(&self.text);
        self.numbers();
        self.roads();
        self.areas();
        self.compounds();
        self.facilities();
        self.kinds();
        self.rare_words();
        self.features.text_chars = self.text.chars().collect();
        self.spots();
        self.lines_and_owners();
        self.features.hints = name_hints(&self.features.text_chars);
        self.public_places();
        // 叫什么华什么的洗浴中心: the reporter does not know the name.
        for f in &mut self.features.facilities {
            if UNKNOWN_NAME.iter().any(|w| f.stem.contains(w)) {
                f.stem.clear();
            }
        }
        self.region();
        self.features
    }

    /// Lines of business and owners' surnames ([`SourceFeatures::lines`],
    /// [`SourceFeatures::owners`]).
    fn lines_and_owners(&mut self) {
        let table = &*LINES;
        // Not a landmark's line (加油站后面那个锯木头的厂 is no filling station).
        for m in table.matcher.find_overlapping_iter(&self.text) {
            if !Self::inside(&self.landmarks, m.start()) {
                let cue = m.pattern().as_usize();
                self.features.lines |= table.line_of[cue];
                if let Some(trade) = &table.trade[cue]
                    && !self.features.trades.contains(trade)
                {
                    self.features.trades.push(trade.clone());
                }
            }
        }
        let chars = &self.features.text_chars;
        let mut owners = String::new();
        let surname = |i: usize| chars.get(i).copied().filter(|c| crate::pii::is_surname(*c));
        for (i, &c) in chars.iter().enumerate() {
            let found = match c {
                // 姓覃, 姓孙的
                '姓' => surname(i + 1),
                // 陈氏, 张某; not 尉氏县
                '氏' | '某'
                    if !chars
                        .get(i + 1)
                        .is_some_and(|n| "县镇乡村区市".contains(*n)) =>
                {
                    i.checked_sub(1).and_then(surname)
                }
                // 老孙家, 老刘开的, 老周那个
                '老' => surname(i + 1).filter(|_| {
                    chars
                        .get(i + 2)
                        .is_some_and(|n| "家开的那这头".contains(*n))
                }),
                _ => None,
            };
            if let Some(s) = found
                && !owners.contains(s)
            {
                owners.push(s);
            }
        }
        // 老张熏酱, 老|刘|烧烤: 老 and a surname as one word of the segmenter's, or 老 alone
        // before one (not 老陈醋, 老百姓: longer words).
        for (at, _) in self.text.match_indices('老') {
            let Some(word) = self.word_at(at).filter(|w| w.start == at) else {
                continue;
            };
            // Not where a clause ends right after it (烟囱老高，): an adverb there, no one.
            if self.text[word.end..]
                .chars()
                .next()
                .is_none_or(|c| CLAUSE_ENDS.contains(&c))
            {
                continue;
            }
            let written = &self.text[word.clone()];
            let name = match written.chars().count() {
                // Not a word for someone that only looks like one (老师, 老公).
                2 if !NOT_OWNERS.contains(&written) => written.chars().nth(1),
                1 => self
                    .word_at(word.end)
                    .map(|next| &self.text[next])
                    .filter(|next| next.chars().count() == 1)
                    .and_then(|next| next.chars().next()),
                _ => None,
            };
            if let Some(s) = name.filter(|c| crate::pii::is_surname(*c))
                && !owners.contains(s)
            {
                owners.push(s);
            }
        }
        self.features.owners = owners;
    }

    /// Kinds of public place ([`SourceFeatures::public_places`]): not a word inside a name, a
    /// road or a compound (老码头烧烤, 车站路, 学府小区), unless that name is a landmark's.
    fn public_places(&mut self) {
        for m in self.terms.landmark_matcher.find_iter(&self.text) {
            let at = m.start();
            let (_, kind) = self.terms.landmarks[m.pattern().as_usize()];
            // An industrial park is read as a wider area too (荆山工业园), and counts all the
            // same: a works in it is not one on the old street (老街口那个米厂).
            let park = self.terms.landmark_kinds.get(usize::from(kind)) == Some(&"工业区");
            if Self::inside(&self.taken, at) && !Self::inside(&self.landmarks, at) && !park {
                continue;
            }
            self.features.public_places |= 1u32.checked_shl(u32::from(kind)).unwrap_or(0);
        }
    }

    /// Sides, blocks, flats and branches ([`SourceFeatures::spots`]).
    fn spots(&mut self) {
        const SIDES: &str = "东西南北";
        // After a side: 东边, 西门, 北头; not 东门路 or 南门店, which are names.
        const SIDE_WORDS: &str = "边侧头门面端角口岸";
        const NAME_ENDS: &str = "路街店村镇区巷桥站";
        let chars = &self.features.text_chars;
        let mut spots: Vec<String> = Vec::new();
        let mut add = |spot: String| {
            if !spots.contains(&spot) {
                spots.push(spot);
            }
        };
        // Spots inside a clause that says what the source is not are the other one's.
        let byte_at: Vec<usize> = self.text.char_indices().map(|(b, _)| b).collect();
        // Where the reporter lives (我住河西这边) is no side of the source; across the water
        // from it (对岸那个塑料厂), the source is on the other side.
        let home = home_clauses(&self.text);
        let across = ACROSS.iter().any(|w| self.text.contains(w));
        let mut home_sides: Vec<char> = Vec::new();
        for (i, &c) in chars.iter().enumerate() {
            if byte_at
                .get(i)
                .is_some_and(|b| Self::inside(&self.negated, *b))
            {
                continue;
            }
            if SIDES.contains(c) && byte_at.get(i).is_some_and(|b| Self::inside(&home, *b)) {
                home_sides.push(c);
                continue;
            }
            let before = i.checked_sub(1).and_then(|j| chars.get(j)).copied();
            let next = chars.get(i + 1).copied();
            let after = chars.get(i + 2).copied();
            if SIDES.contains(c)
                && !before.is_some_and(|b| SIDES.contains(b))
                && next.is_some_and(|n| SIDE_WORDS.contains(n))
                && !after.is_some_and(|a| NAME_ENDS.contains(a))
            {
                add(format!("side:{c}"));
            }
            // 东北角, 西南方向, 东南边: a corner, read as both its sides.
            if matches!(c, '东' | '西')
                && matches!(next, Some('南' | '北'))
                && !before.is_some_and(|b| SIDES.contains(b))
                && after.is_some_and(|a| "角边侧面头方部".contains(a))
                && !chars.get(i + 3).is_some_and(|a| NAME_ENDS.contains(*a))
                && let Some(n) = next
            {
                add(format!("side:{c}{n}"));
            }
            // 路南, 村东, 桥西, 城北: the side of a road, a village, a bridge, a town; not inside
            // a town's or a district's name (镇北堡镇, 城北区).
            if SIDES.contains(c)
                && before.is_some_and(|b| "路街村河桥镇巷城".contains(b))
                && !byte_at.get(i).is_some_and(|b| self.inside_division(*b))
                && !next.is_some_and(|n| SIDES.contains(n) || NAME_ENDS.contains(n))
            {
                add(format!("side:{c}"));
            }
            // A shop's number after the chain's whole name (川香坊麻辣烫二店, 3号店), where the
            // name reader left it.
            if c == '店' {
                let end = if before == Some('号') { i - 1 } else { i };
                let digits = chars[..end]
                    .iter()
                    .rev()
                    .take_while(|d| d.is_ascii_digit() || chinese_digit(**d).is_some())
                    .count();
                if (1..=2).contains(&digits) && end >= digits + 2 {
                    let head: String = chars[end - digits - 2..i].iter().collect();
                    let lead = &chars[end - digits - 2..end - digits];
                    if lead.iter().all(|l| is_han(*l) && !"第几".contains(*l))
                        && let Some((_, number)) = numbered_branch(&head)
                    {
                        add(format!("branch:{number}"));
                    }
                }
            }
            // 左手边 / 右侧, 靠右那家; not 十点左右.
            if matches!(c, '左' | '右')
                && (next.is_some_and(|n| "边手侧".contains(n)) || before == Some('靠'))
            {
                add(format!("side:{c}"));
            }
            // 村头 / 村尾, 上游 / 下游.
            if matches!(c, '头' | '尾') && before.is_some_and(|b| "村街巷".contains(b)) {
                add(format!("end:{c}"));
            }
            if matches!(c, '上' | '下') && next == Some('游') {
                add(format!("flow:{c}"));
            }
            // A floor (2楼, normalised from 二楼; 126号2楼, 5栋3楼), not a building's number (3号
            // 楼, 3栋), nor the floor the reporter lives on (我家在三楼).
            if c == '楼' && before.is_some_and(|b| b.is_ascii_digit()) {
                let digits = digits_before(chars, i);
                let head = i - digits.chars().count();
                let at_home = byte_at.get(head).is_some_and(|b| Self::inside(&home, *b));
                if !at_home && digits.len() <= 2 {
                    add(format!("floor:{digits}"));
                }
            }
            // A stall's or a door's number off any road (汽配城东排5号铺), not a date (5月5号).
            if c == '号' && next != Some('楼') && before.is_some_and(|b| b.is_ascii_digit()) {
                let digits = digits_before(chars, i);
                let head = i - digits.chars().count();
                let lead = head.checked_sub(1).and_then(|j| chars.get(j)).copied();
                if !lead.is_some_and(|l| "路街道巷弄里月-－之".contains(l) || l.is_ascii_digit())
                    && digits.len() <= 3
                {
                    add(format!("number:{digits}"));
                }
            }
            // The old and the new plant of one firm (老厂 / 新厂区).
            if matches!(c, '老' | '新') && next == Some('厂') {
                add(format!("plant:{c}"));
            }
            // A section of an estate (运河花园东区), not a district (河东区).
            if SIDES.contains(c)
                && next == Some('区')
                && !byte_at
                    .get(i)
                    .is_some_and(|b| self.regions.iter().any(|r| r.start < *b && *b < r.end))
            {
                add(format!("section:{c}"));
            }
            // A numbered section of an estate (嘉园一区 / 二区, 湖光一里22号楼), not a district,
            // a word of area (区域) or a distance (一里多路).
            if (c == '区' || (c == '里' && next.is_some_and(|n| n.is_ascii_digit())))
                && !matches!(next, Some('域' | '县' | '政'))
                && !byte_at
                    .get(i)
                    .is_some_and(|b| self.regions.iter().any(|r| r.start < *b && *b < r.end))
                && let Some(b) = before
            {
                // A lettered section (A区) is a block, read below.
                let earlier = i.checked_sub(2).and_then(|j| chars.get(j)).copied();
                let section = if b.is_ascii_digit() {
                    Some(digits_before(chars, i)).filter(|d| d.len() <= 2)
                } else {
                    chinese_digit(b)
                        .filter(|d| (1..=9).contains(d))
                        .filter(|_| earlier.is_none_or(|e| chinese_digit(e).is_none()))
                        .map(|d| d.to_string())
                };
                if let Some(section) = section {
                    add(format!("section:{section}"));
                }
            }
            // A phase of an estate (2期): 1期3号楼 and 2期3号楼 are two buildings.
            if c == '期' && before.is_some_and(|b| b.is_ascii_digit()) {
                let digits = digits_before(chars, i);
                if digits.len() <= 2 {
                    add(format!("phase:{digits}"));
                }
            }
            // A building where no compound is read (洱海明珠11幢): a spot of its own.
            if matches!(c, '栋' | '幢' | '号')
                && (c != '号' || next == Some('楼'))
                && before.is_some_and(|b| b.is_ascii_digit())
                && !self.features.compounds.iter().any(|c| c.building.is_some())
            {
                let digits = digits_before(chars, i);
                if digits.len() <= 3 {
                    add(format!("building:{digits}"));
                }
            }
            // A village's group or team (二组 / 六组, normalised to 2组; 三队 / 五队), or one of
            // its numbered parts (大屯一村 / 大屯二村).
            if c == '组' && before.is_some_and(|b| b.is_ascii_digit()) {
                let digits = digits_before(chars, i);
                if digits.len() <= 2 {
                    add(format!("group:{digits}"));
                }
            }
            if matches!(c, '队' | '村')
                && let Some(n) =
                    before.filter(|b| "一二三四五六七八九".contains(*b) || b.is_ascii_digit())
                && i.checked_sub(2)
                    .and_then(|j| chars.get(j))
                    .is_some_and(|h| is_han(*h) && !"第几每这那".contains(*h))
                && !next.is_some_and(|n| n.is_ascii_digit())
            {
                let n = chinese_digit(n).map_or_else(|| n.to_string(), |d| d.to_string());
                add(format!("group:{n}"));
            }
            // A building's entrance (2单元, normalised from 二单元).
            if c == '单' && next == Some('元') && before.is_some_and(|b| b.is_ascii_digit()) {
                let digits = digits_before(chars, i);
                if digits.len() <= 2 {
                    add(format!("entrance:{digits}"));
                }
            }
            // 一厂 / 二厂, 第二间 / 第三间: one of several.
            if c == '厂' && before.is_some_and(|b| "一二三四五六七八九".contains(b)) {
                add(format!("plant:{}", before.unwrap_or(' ')));
            }
            // 一分厂 / 二分厂: a firm's branch works.
            let numeral = |n: char| "一二三四五六七八九".contains(n) || n.is_ascii_digit();
            if c == '厂'
                && before == Some('分')
                && let Some(n) = i.checked_sub(2).and_then(|j| chars.get(j))
                && numeral(*n)
            {
                add(format!("plant:{n}"));
            }
            if c == '第'
                && next.is_some_and(|n| "一二三四五六七八九十".contains(n) || n.is_ascii_digit())
                && after.is_some_and(|a| "间家个排栋号".contains(a))
            {
                add(format!("nth:{}", next.unwrap_or(' ')));
            }
            if c.is_ascii_uppercase()
                && (matches!(next, Some('座' | '栋' | '幢' | '区' | '口'))
                    || (next == Some('地') && after == Some('块'))
                    || (next == Some('出') && after == Some('口')))
                && !before.is_some_and(|b| b.is_ascii_alphanumeric())
            {
                add(format!("block:{c}"));
            }
            // A flat's number right after a building's (9栋1202, 3号楼502室).
            if c.is_ascii_digit() && before.is_some_and(|b| "栋幢楼元".contains(b)) {
                let digits: String = chars[i..]
                    .iter()
                    .take_while(|d| d.is_ascii_digit())
                    .collect();
                if (3..=4).contains(&digits.len()) {
                    add(format!("unit:{digits}"));
                }
            }
            // A branch named by the road it is on (人民路店, (金沙路分店)) or by a gate (东门店);
            // one named otherwise is read right after the chain's name (塞北涮肉|巴彦塔拉店).
            if c == '店' && i >= 2 {
                let head: String = chars[i.saturating_sub(8)..i].iter().collect();
                let head = head.strip_suffix('分').unwrap_or(&head);
                if let Some(road) = self
                    .features
                    .roads
                    .iter()
                    .find(|r| head.ends_with(r.written.as_str()))
                {
                    // Its last two characters and ending, where the road's stem ran into the
                    // chain's name (快乐洗衣|人民路店).
                    let suffix = road.written.chars().count() - road.stem.chars().count();
                    let keep = suffix + road.stem.chars().count().min(2);
                    let short: String = road
                        .written
                        .chars()
                        .skip(road.written.chars().count() - keep)
                        .collect();
                    add(format!("branch:{short}"));
                } else if let [.., side, door] = head.chars().collect::<Vec<_>>().as_slice()
                    && is_gate(*side, *door)
                {
                    add(format!("branch:{side}门"));
                } else if let Some(ending) = ["大道", "大街", "路", "街"]
                    .into_iter()
                    .find(|e| head.ends_with(e))
                {
                    // A road the road reader left (山大路店): two characters and the ending.
                    let stem: Vec<char> = head[..head.len() - ending.len()].chars().collect();
                    if let [.., x, y] = stem.as_slice()
                        && [x, y]
                            .iter()
                            .all(|c| is_han(**c) && !"的这那家个".contains(**c))
                    {
                        add(format!("branch:{x}{y}{ending}"));
                    }
                }
            }
        }
        if across {
            for side in home_sides {
                let opposite = match side {
                    '东' => '西',
                    '西' => '东',
                    '南' => '北',
                    _ => '南',
                };
                add(format!("side:{opposite}"));
            }
        }
        for branch in &self.branches {
            add(format!("branch:{branch}"));
        }
        // A branch in brackets after the chain's name (草原红火锅（阿尔丁广场店）), or a works
        // named by its township (北乳乳业新农镇分厂), where no branch is read otherwise.
        if !spots.iter().any(|s| s.starts_with("branch:")) {
            let text = &self.text;
            let bracketed = text.find(['(', '（']).and_then(|open| {
                let inside = &text[open..];
                let inside = &inside[inside.chars().next().map_or(0, char::len_utf8)..];
                let close = inside.find([')', '）'])?;
                let inside = inside[..close].strip_suffix('店')?;
                let name = inside.strip_suffix('分').unwrap_or(inside);
                (2..=8).contains(&name.chars().count()).then_some(name)
            });
            let works = text.find("分厂").and_then(|end| {
                self.features
                    .areas
                    .iter()
                    .find(|a| text[..end].ends_with(a.as_str()))
                    .cloned()
            });
            if let Some(branch) = bracketed.map(str::to_owned).or(works) {
                spots.push(format!("branch:{branch}"));
            }
        }
        // A branch the text does not name (老王烧烤分店): `branch:分店`.
        if !spots.iter().any(|s| s.starts_with("branch:")) && self.text.contains("分店") {
            spots.push(format!("branch:{UNNAMED_BRANCH}"));
        }
        // The reporter sets the source apart from another one nearby (跟旁边那家不是一家).
        if CONTRASTS.iter().any(|c| self.text.contains(c)) {
            spots.push("apart:".to_owned());
        }
        for clause in &self.negated {
            let clause = self.text[clause.clone()].replace(['\t', '\n'], " ");
            spots.push(format!("not:{clause}"));
        }
        self.features.spots = spots;
    }

    /// The region, read again with the names of roads, firms and compounds masked (老北京涮肉,
    /// 枋湖北二路 name no region), and kept only where a city, a province or a full county name
    /// supports it.
    fn region(&mut self) {
        let inside_a_name = self.regions.iter().any(|r| {
            self.taken
                .iter()
                .any(|t| t.start < r.end && r.start < t.end)
        });
        let place = match self.place.take() {
            Some(place) if !inside_a_name => place,
            _ => Gazetteer::shared().locate(&self.masked(false)),
        };
        // A township named alone (长安镇) is no sure region: many counties have one by that
        // name, though the gazetteer may pick one (东莞's, which lies under its city).
        let strong = place.mentions.iter().any(|m| {
            !TOWNSHIP_ENDINGS.iter().any(|e| m.text.ends_with(e))
                && m.candidates.iter().any(|c| {
                    c.level() != greenline_domain::RegionLevel::County || c.name() == m.text
                })
        });
        self.features.region = place.region.filter(|_| strong);
    }

    /// The text with names replaced by a separator, and regions too where asked.
    fn masked(&self, regions: bool) -> String {
        let mut masked = String::with_capacity(self.text.len());
        for (at, c) in self.text.char_indices() {
            if Self::inside(&self.taken, at) || (regions && Self::inside(&self.regions, at)) {
                masked.push('，');
            } else {
                masked.push(c);
            }
        }
        masked
    }

    fn char_at(&self, at: usize) -> Option<char> {
        self.text.get(at..).and_then(|rest| rest.chars().next())
    }

    /// Inside a region's name, a number, a road or an area.
    fn blocked(&self, at: usize) -> bool {
        Self::inside(&self.hard, at) || Self::inside(&self.regions, at)
    }

    /// Whether `at` is inside a division's full name: a district's or county's (城北区; not a
    /// short form, 路北 of 路南 / 路北), or a township's among the areas (镇北堡镇).
    fn inside_division(&self, at: usize) -> bool {
        let full = self.regions.iter().any(|r| {
            r.start <= at && at < r.end && self.text[r.clone()].ends_with(['区', '县', '市', '旗'])
        });
        full || self.features.areas.iter().any(|area| {
            TOWNSHIP_ENDINGS.iter().any(|e| area.ends_with(e))
                && self
                    .text
                    .match_indices(area.as_str())
                    .any(|(start, m)| start <= at && at < start + m.len())
        })
    }

    fn inside(spans: &[Range<usize>], at: usize) -> bool {
        spans.iter().any(|s| s.start <= at && at < s.end)
    }

    /// Where an everyday noun ([`EVERYDAY_NOUN`]) that ends at `end` begins, if it begins at or
    /// after `start`: what a business makes or sells, before its facility word. The shortest
    /// such noun, so that a name ending in one keeps its name (宏发|电机, not 宏|发电机).
    fn everyday_noun_before(&self, start: usize, end: usize) -> Option<usize> {
        let tokenizer = Tokenizer::shared();
        let stem = &self.text[start..end];
        let chars: Vec<(usize, char)> = stem.char_indices().collect();
        (2..=chars.len().min(4)).find_map(|n| {
            let (at, _) = chars[chars.len() - n];
            tokenizer
                .is_common_noun(&stem[at..], EVERYDAY_NOUN)
                .then_some(start + at)
        })
    }

    /// Whether the two to five characters before `end` name a township without its ending,
    /// standing on their own: after the start, a mark, a particle or a region (横店, 在十八里店,
    /// 东阳横店; not 老王店).
    fn township_ending_at(&self, end: usize) -> bool {
        let starts: Vec<usize> = self.text[..end]
            .char_indices()
            .map(|(i, _)| i)
            .rev()
            .skip(1)
            .take(4)
            .collect();
        starts.into_iter().any(|start| {
            let on_its_own = self.text[..start].chars().next_back().is_none_or(|c| {
                !is_han(c) || FUNCTION_CHARS.contains(c) || DETERMINERS.contains(c)
            }) || self.regions.iter().any(|r| r.end == start);
            on_its_own && names_a_township(&self.text[start..end])
        })
    }

    /// The jieba word that contains the byte at `at`.
    fn word_at(&self, at: usize) -> Option<Range<usize>> {
        let i = self.words.partition_point(|w| w.end <= at);
        self.words.get(i).filter(|w| w.start <= at).cloned()
    }

    /// Digits with their counters (128号, 5栋) end names on their left.
    fn numbers(&mut self) {
        let mut spans = Vec::new();
        let mut iter = self.text.char_indices().peekable();
        while let Some((start, c)) = iter.next() {
            if c.is_ascii_digit() {
                let mut end = start + c.len_utf8();
                while let Some((i, d)) = iter.peek().copied() {
                    if d.is_ascii_digit() || "号栋幢期楼层单元座段".contains(d) {
                        end = i + d.len_utf8();
                        iter.next();
                    } else {
                        break;
                    }
                }
                // 2号路 is a road's name, not a house number.
                let rest = &self.text[end..];
                if !(self.text[start..end].ends_with('号')
                    && self.terms.roads.iter().any(|r| rest.starts_with(*r)))
                {
                    spans.push(start..end);
                }
            }
        }
        self.hard.extend(spans);
    }

    /// Where a name ending at `end` begins: left over whole jieba words (the first may be cut
    /// by `end`), stopping at boundary words, punctuation, digits, hard spans, `floor` and
    /// `max` characters.
    fn extend_left(&self, end: usize, floor: usize, max: usize) -> usize {
        self.extend_left_over(end, floor, max, true)
    }

    /// [`Self::extend_left`], with region names as hard stops or not.
    fn extend_left_over(&self, end: usize, floor: usize, max: usize, regions_stop: bool) -> usize {
        let regions: &[Range<usize>] = if regions_stop { &self.regions } else { &[] };
        let floor = self
            .hard
            .iter()
            .chain(regions)
            .filter(|s| s.end <= end)
            .map(|s| s.end)
            .max()
            .unwrap_or(0)
            .max(floor);
        let mut start = end;
        let mut chars = 0;
        let mut i = self.words.partition_point(|w| w.start < end);
        while i > 0 {
            i -= 1;
            let word = &self.words[i];
            let (from, to) = (word.start.max(floor), word.end.min(end));
            if from >= to || to != start {
                break;
            }
            let piece = &self.text[from..to];
            let n = piece.chars().count();
            if piece
                .chars()
                .any(|c| !(is_han(c) || c.is_ascii_alphabetic()))
                || chars + n > max
            {
                break;
            }
            // jieba sometimes joins a particle to a name (了个, 的好): the name begins after it.
            if let Some((k, c)) = piece
                .char_indices()
                .rfind(|(_, c)| FUNCTION_CHARS.contains(*c))
            {
                start = from + k + c.len_utf8();
                break;
            }
            // A demonstrative with its measure word (那家, 这个) ends a name too, also where
            // jieba joined it to the name (那家锦程): the name begins after it.
            if let Some(rest) = after_demonstrative(piece) {
                if !rest.is_empty() {
                    start = to - rest.len();
                }
                break;
            }
            // A one-character boundary word (再, 上) may be part of a name jieba split into
            // characters (好再来): it ends a name only once the name has two characters.
            // Determiners (那, 该) always end it.
            if self.terms.is_boundary(piece) && (n > 1 || chars >= 2 || DETERMINERS.contains(piece))
            {
                break;
            }
            start = from;
            chars += n;
            if from == floor {
                break;
            }
        }
        // Right after a road or a number, a word for where on it is no part of a name (玉林巷|口
        // 冒菜店, 解放路|东头 烧烤店).
        if start == floor && floor > 0 {
            let rest = &self.text[start..end];
            let mut skip = 0;
            let mut chars = rest.chars();
            let first = chars.next();
            let second = chars.next();
            if first.is_some_and(|c| "东西南北".contains(c))
                && second.is_some_and(|c| "口边头侧".contains(c))
            {
                skip = first.map_or(0, char::len_utf8) + second.map_or(0, char::len_utf8);
            } else if first.is_some_and(|c| "口边头侧旁".contains(c)) {
                skip = first.map_or(0, char::len_utf8);
            }
            if skip > 0 && rest[skip..].chars().count() >= 2 {
                start += skip;
            }
        }
        start
    }

    fn roads(&mut self) {
        let mut found = Vec::new();
        let mut at = 0;
        while at < self.text.len() {
            let rest = &self.text[at..];
            let Some(suffix) = self
                .terms
                .roads
                .iter()
                .find(|s| rest.starts_with(**s))
                .copied()
            else {
                at += rest.chars().next().map_or(1, char::len_utf8);
                continue;
            };
            let end = at + suffix.len();
            let after = &self.text[end..];
            let not_road = self
                .terms
                .not_roads
                .iter()
                .any(|w| self.text[..end].ends_with(*w))
                || (suffix == "街" && after.starts_with('道'))
                || (suffix == "路" && after.starts_with(['线', '过', '费', '况', '人']));
            if not_road {
                at = end;
                continue;
            }
            // A numbered road (新港2号路) keeps its number in its name.
            let head = &self.text[..at];
            let numbered = head
                .strip_suffix('号')
                .map(|h| h.trim_end_matches(|c: char| c.is_ascii_digit()))
                .filter(|h| h.len() + '号'.len_utf8() < at)
                .map_or(at, str::len);
            let mut start = self.extend_left(numbered, 0, MAX_ROAD_STEM);
            // A region's short form may begin a road's name (龙湖天街, 枋湖北二路).
            if self.text[start..numbered].chars().count() < 2 {
                start = self.extend_left_over(numbered, 0, MAX_ROAD_STEM, false);
                // Only the region it begins with: a county before that is where the road is
                // (延吉|河南街).
                let adjacent = self
                    .regions
                    .iter()
                    .filter(|r| r.start >= start && r.end <= numbered)
                    .map(|r| r.start)
                    .max();
                if let Some(first) = adjacent
                    && let Some(before) = self
                        .regions
                        .iter()
                        .filter(|r| r.start >= start && r.end <= first)
                        .map(|r| r.end)
                        .max()
                {
                    start = before;
                }
            }
            // A business named before the road is no part of its name (黄河鱼庄|滨河路分店).
            if let Some(cut) = self
                .terms
                .name_matcher
                .find_overlapping_iter(&self.text[start..at])
                .map(|m| start + m.end())
                .filter(|e| self.text[*e..at].chars().count() >= 2)
                .max()
            {
                start = cut;
            }
            // 同一条巷, 那条街, 整条巷子: the road is named by what comes after the measure word.
            if let Some(cut) = ["一条", "这条", "那条", "整条"]
                .iter()
                .filter_map(|m| self.text[start..at].rfind(m).map(|i| start + i + m.len()))
                .max()
            {
                start = cut;
            }
            if numbered < at && start == numbered {
                at = end;
                continue;
            }
            let stem_text = &self.text[start..at];
            // A way or a distance, not a road's name (一里多路, 好几里路, 一百来米路, 隔两条街,
            // 半条街, 满大街).
            let before_last = stem_text.chars().rev().nth(1);
            // Nor the 路 of 路口 right after a road (抚琴西路|路口).
            if stem_text.ends_with(['路', '街', '道', '巷'])
                || stem_text.ends_with(['多', '来', '米', '满'])
                || stem_text.contains('几')
                || (stem_text.ends_with('条')
                    && before_last.is_none_or(|c| "两半整隔成每".contains(c)))
            {
                at = end;
                continue;
            }
            let mut stem: String = stem_text.to_owned();
            let mut direction = None;
            if stem.chars().count() >= 3
                && let Some(last) = stem.chars().next_back()
                && "东西南北中".contains(last)
            {
                direction = Some(last);
                stem.pop();
            }
            let describes = self
                .terms
                .pollution
                .iter()
                .any(|(w, _)| w.chars().count() >= 2 && stem.contains(*w));
            if stem.chars().count() < 2 || describes {
                at = end;
                continue;
            }
            // An optional section (2段) and a house number (56号).
            let mut span_end = end;
            let mut number = None;
            let digits: String = after.chars().take_while(char::is_ascii_digit).collect();
            if !digits.is_empty() {
                let counter_at = end + digits.len();
                match self.char_at(counter_at) {
                    Some('号') => {
                        number = digits.parse().ok();
                        span_end = counter_at + '号'.len_utf8();
                    }
                    Some('段') => span_end = counter_at + '段'.len_utf8(),
                    _ => {}
                }
            }
            // A section by its side (龙泉路北段, 襄阳路东段): part of the road, not of a name
            // after it.
            let mut section = after.chars();
            if let (Some(side), Some('段')) = (section.next(), section.next())
                && "东西南北中".contains(side)
            {
                span_end = end + side.len_utf8() + '段'.len_utf8();
            }
            found.push((
                start..span_end,
                Road {
                    written: self.text[start..end].to_owned(),
                    stem,
                    direction,
                    number,
                },
            ));
            at = span_end;
        }
        for (span, road) in found {
            self.hard.push(span.clone());
            self.taken.push(span);
            if !self.features.roads.contains(&road) {
                self.features.roads.push(road);
            }
        }
    }

    fn areas(&mut self) {
        let mut found = Vec::new();
        for (at, _) in self.text.char_indices() {
            if self.blocked(at) {
                continue;
            }
            let rest = &self.text[at..];
            let Some(suffix) = self.terms.areas.iter().find(|s| rest.starts_with(**s)) else {
                continue;
            };
            // 镇子 is "the town", said of one already named (游客一进镇子).
            if rest.starts_with("镇子") {
                continue;
            }
            let mut start = self.extend_left(at, 0, MAX_AREA_STEM);
            let end = at + suffix.len();
            // A business's words before it are no part of the area's name (老乡厨快餐|高新区店).
            if self.ends_in_name_word(&self.text[start..at]) {
                start = at;
            }
            if self.text[start..at].chars().count() >= 2 {
                // A township keeps its ending, as the gazetteer's do (龙场镇 / 扎佐镇 are two
                // townships; see `township_stem`).
                let name = if TOWNSHIP_ENDINGS.contains(suffix) {
                    &self.text[start..end]
                } else {
                    &self.text[start..at]
                };
                found.push((start..end, old_town_as_township(name)));
            } else if suffix.chars().count() >= 3 {
                // 科技园, 开发区: a name on their own.
                found.push((at..end, (*suffix).to_owned()));
            }
        }
        for (span, name) in found {
            self.hard.push(span.clone());
            self.taken.push(span);
            if !self.features.areas.contains(&name) {
                self.features.areas.push(name);
            }
        }
    }

    fn compounds(&mut self) {
        let mut found: Vec<(Range<usize>, Compound)> = Vec::new();
        for (at, _) in self.text.char_indices() {
            if self.blocked(at) || found.iter().any(|(s, _)| s.start <= at && at < s.end) {
                continue;
            }
            let rest = &self.text[at..];
            let Some((suffix, generic)) = self
                .terms
                .compounds
                .iter()
                .find(|(s, _)| rest.starts_with(*s))
                .copied()
            else {
                continue;
            };
            let end = at + suffix.len();
            // A one-character ending must end its jieba word (苑 of 翠微苑, not 城 of 城市), or
            // begin a word of place (村 of 村口, 村里, 村东).
            if suffix.chars().count() == 1
                && let Some(word) = self.word_at(at)
                && word.end != end
                && !(word.start == at && self.char_at(end).is_some_and(|c| LOCATIVE.contains(c)))
                && !self.village_after_township(at, suffix)
            {
                continue;
            }
            // Nor may it end a common word (学府, 政府, 县城).
            if self
                .terms
                .not_compounds
                .iter()
                .any(|w| self.text[..end].ends_with(*w))
            {
                continue;
            }
            // Nor may it begin or end a facility word (饭庄, 食府, 美食城 are facilities).
            if self.name_word_starting_within(at, end) || self.inside_facility_word(at) {
                continue;
            }
            let floor = found
                .iter()
                .map(|(s, _)| s.end)
                .filter(|e| *e <= at)
                .max()
                .unwrap_or(0);
            let mut start = self.extend_left(at, floor, MAX_COMPOUND_STEM);
            // A compound named like a county (玉龙家园, 长安花园): the region is its name.
            if start == at
                && let Some(region) = self.regions.iter().find(|r| {
                    r.end == at
                        && r.start >= floor
                        && !self.text[r.start..r.end].ends_with(|c| "省市区县旗镇乡".contains(c))
                })
            {
                start = region.start;
            }
            // A rare word of two characters on a one-character ending is a compound's whole
            // name (锦苑, not 公园).
            if self.text[start..at].chars().count() < 2
                && suffix.chars().count() == 1
                && let Some(word) = self.word_at(at)
                && word.end == end
                && word.start >= floor
                && self.text[word.clone()].chars().count() == 2
                && self.text[word.clone()]
                    .chars()
                    .all(|c| is_han(c) && !FUNCTION_CHARS.contains(c))
                && Tokenizer::shared().rarity(&self.text[word.clone()]) >= RARE_COMPOUND
            {
                let word = &self.text[word];
                found.push((
                    end - word.len()..end,
                    Compound {
                        name: word.to_owned(),
                        building: self.building_after(end),
                        ending: suffix.to_owned(),
                    },
                ));
                continue;
            }
            let stem = &self.text[start..at];
            if stem.chars().count() < 2 {
                continue;
            }
            // 装饰材料城, 化工园: a trade or facility word before the ending names a business.
            if self.ends_in_name_word(stem) {
                continue;
            }
            let name = if generic {
                stem.to_owned()
            } else {
                self.text[start..end].to_owned()
            };
            // A generic ending after a named compound (和平里小区): the same compound.
            let mut span_end = end;
            if !generic
                && let Some(g) = ["小区", "社区"]
                    .iter()
                    .find(|g| self.text[end..].starts_with(**g))
            {
                span_end += g.len();
            }
            let building = self.building_after(span_end);
            let ending = if generic { "小区" } else { suffix }.to_owned();
            found.push((
                start..span_end,
                Compound {
                    name,
                    building,
                    ending,
                },
            ));
        }
        for (span, compound) in found {
            self.taken.push(span.clone());
            self.compound_spans.push((span, compound.name.clone()));
            if let Some(same) = self
                .features
                .compounds
                .iter_mut()
                .find(|c| c.name == compound.name)
            {
                same.building = same.building.or(compound.building);
            } else {
                self.features.compounds.push(compound);
            }
        }
    }

    /// Whether the 村 at `at` ends a village's name of two or three characters right after a
    /// township's full name (唐江镇|新圩村, 西果园镇|青石村): a village there, however the words
    /// around it are cut (新圩村大路边, 卢屋村美居家具厂).
    fn village_after_township(&self, at: usize, suffix: &str) -> bool {
        suffix == "村"
            && self.regions.iter().any(|r| {
                let stem = &self.text[r.end.min(at)..at];
                r.end <= at
                    && (2..=3).contains(&stem.chars().count())
                    && stem
                        .chars()
                        .all(|c| is_han(c) && !FUNCTION_CHARS.contains(c))
                    && TOWNSHIP_ENDINGS
                        .iter()
                        .any(|e| self.text[..r.end].ends_with(e))
            })
    }

    /// Whether `stem` ends in a trade or facility word of two characters or more (装饰材料, 快餐).
    fn ends_in_name_word(&self, stem: &str) -> bool {
        stem.char_indices().any(|(i, _)| {
            let tail = &stem[i..];
            tail.chars().count() >= 2 && self.terms.name_words.contains_key(tail)
        })
    }

    /// A building, block or phase number right after a compound (5栋, 3号楼, 2期).
    fn building_after(&self, at: usize) -> Option<u32> {
        let rest = self.text.get(at..)?;
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        if digits.is_empty() {
            return None;
        }
        let counter = &rest[digits.len()..];
        // A phase with a building after it (2期10号楼): the building.
        if let Some(after) = counter.strip_prefix('期')
            && let Some(building) = self
                .building_after(at + digits.len() + '期'.len_utf8())
                .filter(|_| after.starts_with(|c: char| c.is_ascii_digit()))
        {
            return Some(building);
        }
        BUILDING_COUNTERS
            .iter()
            .chain(&["号", "期", "单元"])
            .any(|c| counter.starts_with(*c))
            .then(|| digits.parse().ok())
            .flatten()
    }

    fn name_word_starting_within(&self, from: usize, to: usize) -> bool {
        self.text[from..to].char_indices().any(|(i, _)| {
            let rest = &self.text[from + i..];
            self.name_word_at(rest).is_some_and(|w| {
                matches!(self.terms.name_words.get(w), Some(NameWord::Facility(_)))
                    && w.chars().count() >= 2
            })
        })
    }

    /// Whether a facility word of two or more characters runs over `at` from before it.
    fn inside_facility_word(&self, at: usize) -> bool {
        self.text[..at]
            .char_indices()
            .rev()
            .take(self.terms.longest_name_word)
            .any(|(i, _)| {
                self.name_word_at(&self.text[i..]).is_some_and(|w| {
                    i + w.len() > at
                        && matches!(self.terms.name_words.get(w), Some(NameWord::Facility(_)))
                })
            })
    }

    /// The longest name word at the start of `rest`.
    fn name_word_at<'r>(&self, rest: &'r str) -> Option<&'r str> {
        let ends: Vec<usize> = rest
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(self.terms.longest_name_word)
            .collect();
        ends.iter()
            .rev()
            .map(|e| &rest[..*e])
            .find(|w| self.terms.name_words.contains_key(*w))
    }

    fn facilities(&mut self) {
        // Every name word at every position, as (start, end).
        let mut matches: Vec<(usize, usize)> = self
            .terms
            .name_matcher
            .find_overlapping_iter(&self.text)
            .map(|m| (m.start(), m.end()))
            .filter(|m| !self.blocked(m.0))
            .collect();
        matches.sort_unstable();
        // A name ends where a name word ends and no other begins or runs on (烧烤 in 烧烤店,
        // 装饰材料 in 装饰材料城 are no ends).
        let mut ends: Vec<usize> = matches
            .iter()
            .map(|m| m.1)
            .filter(|e| !matches.iter().any(|m| m.0 == *e || (m.0 < *e && *e < m.1)))
            .filter(|e| {
                !self
                    .char_at(*e)
                    .is_some_and(|c| "家主区房长员站村镇乡路街桥城".contains(c))
            })
            .collect();
        ends.sort_unstable();
        ends.dedup();
        let mut last_end = 0;
        let mut found = Vec::new();
        for end in ends {
            if let Some(facility) = self.facility_ending_at(&matches, end, last_end) {
                last_end = end;
                found.push(facility);
            }
        }
        // Shop names on a one-character ending without a facility word (湘味轩的排烟口).
        for (at, c) in self.text.char_indices() {
            if !self.terms.name_ends.contains(&c)
                || Self::inside(&self.taken, at)
                || self.blocked(at)
                || found.iter().any(|(s, _)| s.start <= at && at < s.end)
            {
                continue;
            }
            let end = at + c.len_utf8();
            // The ending must end its jieba word, and that word must not be an everyday word
            // of two characters (邻居, 大楼, 日记).
            if self
                .word_at(at)
                .is_some_and(|w| w.end != end || self.text[w].chars().count() == 2)
                || self.name_word_at(&self.text[end..]).is_some()
            {
                continue;
            }
            let start = self.extend_left(at, 0, MAX_NAME_STEM - 1);
            // Parts of a building are no shop's name (住院楼, 教学楼).
            if BUILDING_PARTS.iter().any(|p| self.text[..end].ends_with(p)) {
                continue;
            }
            if self.text[start..at].chars().count() >= 2 {
                let name = self.text[start..end].to_owned();
                found.push((
                    start..end,
                    Facility {
                        written: name.clone(),
                        stem: name,
                        word: String::new(),
                        near: false,
                    },
                ));
            }
        }
        // 一家叫艺海的画框厂, 名叫宏远的企业: the name before 的, the kind after it.
        for called in ["名叫", "叫做", "名为", "叫"] {
            for (at, _) in self.text.match_indices(called) {
                let from = at + called.len();
                let Some(de) = self.text[from..].find('的').map(|i| from + i) else {
                    continue;
                };
                let name = &self.text[from..de];
                let n = name.chars().count();
                if !(2..=MAX_NAME_STEM).contains(&n) || !name.chars().all(is_han) {
                    continue;
                }
                let after = de + '的'.len_utf8();
                // Whatever stands right after 的 is what it makes, not a second name (叫雪狐的|
                // 皮草加工店).
                let Some(unnamed) = found.iter_mut().find(|(span, f)| {
                    (!f.is_named() || span.start == after)
                        && span.start >= after
                        && span.start <= after + 9
                }) else {
                    continue;
                };
                // Shown with what it makes, if the text says (雪狐皮草加工店).
                let kind = if unnamed.1.is_named() {
                    &unnamed.1.written
                } else {
                    &unnamed.1.word
                };
                unnamed.1.written = format!("{name}{kind}");
                unnamed.1.stem = name.to_owned();
                unnamed.0.start = from;
            }
        }
        // A township named without its ending (十八里店 of 十八里店地区, 横店, 三十铺) is a
        // place, not a shop.
        found.retain(|(span, f)| {
            !(matches!(f.word.as_str(), "店" | "铺") && self.township_ending_at(span.end))
        });
        // A name in quotation marks is the name, whatever words it holds (“老码头火锅”, “老地方”
        // 烧烤): up to the facility word, or whole where it ends before it.
        for (span, facility) in &mut found {
            // The quotation ends inside the facility's words or right before them.
            let Some(q) = self
                .quoted
                .iter()
                .find(|q| span.start <= q.end && q.end <= span.end)
            else {
                continue;
            };
            let end = if q.end == span.end && self.text[..q.end].ends_with(&facility.word) {
                q.end - facility.word.len()
            } else {
                q.end
            };
            let name = &self.text[q.start..end.max(q.start)];
            if name.chars().count() >= 2
                && name.chars().all(is_han)
                && name.contains(facility.stem.as_str())
                && name != facility.stem
            {
                facility.stem = name.to_owned();
                facility.written = format!("{name}{}", &self.text[end..span.end]);
                span.start = span.start.min(q.start);
            }
        }
        // A shop word with a short stem right after a named business is a branch of it, not a
        // second business (塞北涮肉东河店, 渝味坊火锅南七店).
        found.sort_by_key(|(span, _)| span.start);
        let mut kept: Vec<(Range<usize>, Facility)> = Vec::new();
        for (span, mut facility) in found {
            // A numbered shop of a chain (鲜味坊卤味一店, 老街2号店): the number is its branch.
            if facility.word == "店"
                && let Some((name, number)) = numbered_branch(&facility.stem)
            {
                let name = name.to_owned();
                self.branches.push(number);
                facility.written = format!("{name}店");
                facility.stem = name;
            }
            // What stands between the name and the shop word's stem: some characters of the
            // branch's name that the stem did not take (塞北涮肉|巴彦|塔拉店).
            let gap = kept
                .last()
                .filter(|(prev, f)| f.is_named() && prev.end <= span.start)
                .map(|(prev, _)| &self.text[prev.end..span.start])
                .filter(|gap| gap.chars().all(is_han));
            let branch = gap
                .map(|gap| format!("{gap}{}", facility.stem))
                .filter(|b| !NOT_BRANCHES.iter().any(|w| b.contains(w)));
            // Or any shop word written as a branch (东关分店).
            let branch = branch.or_else(|| {
                (facility.stem.ends_with('分') && facility.word == "店")
                    .then(|| facility.stem.clone())
            });
            // Two to five characters as written, 分 included (阿佳甜茶馆|分店 is the chain's own
            // name before 分店, no branch's).
            let branch = branch
                .filter(|b| (2..=5).contains(&b.chars().count()))
                .map(|b| b.strip_suffix('分').unwrap_or(&b).to_owned());
            // What the shop does is no branch (汽车|美容店, 凯驰汽车|快修店, 五金|加工店).
            let does = |b: &str| {
                LINES.matcher.find(b).is_some()
                    || Tokenizer::shared().is_everyday_word(b, EVERYDAY_NOUN)
            };
            if let Some(branch) = branch
                && facility.word == "店"
                && !branch.is_empty()
                && !does(&branch)
            {
                self.branches.push(branch.to_owned());
                self.taken.push(span);
                continue;
            }
            kept.push((span, facility));
        }
        for (span, mut facility) in kept {
            // What the reporter says is not the source is a landmark too, and so is a market
            // a stall is in (东站夜市里卖烤鱿鱼的那个摊).
            facility.near = self.locative_follows(span.end)
                || Self::inside(&self.negated, span.start)
                || (facility.class().0 == "market" && self.stall_follows(span.end));
            if facility.near {
                self.landmarks.push(span.clone());
            }
            // A shop named like a compound (蜀香园火锅, 蜜雪冰城奶茶店) names no compound; a
            // site named after its estate (华兴大厦工地) does.
            if facility.is_named() && facility.class().0 != "site" {
                let stem = span.start..span.start + facility.stem.len();
                let names: Vec<String> = self
                    .compound_spans
                    .iter()
                    .filter(|(s, _)| *s == stem)
                    .map(|(_, name)| name.clone())
                    .collect();
                self.features.compounds.retain(|c| !names.contains(&c.name));
            }
            self.taken.push(span);
            if !self.features.facilities.contains(&facility) {
                self.features.facilities.push(facility);
            }
        }
    }

    /// Whether what follows `at` puts a stall inside or at the gate of a market (里卖烤鱿鱼的那个
    /// 摊, 门口炸臭豆腐的摊子, 第三个摊位).
    fn stall_follows(&self, at: usize) -> bool {
        let rest = &self.text[at..];
        let clause = rest
            .find(['，', '。', '；', '！', '？', ','])
            .map_or(rest, |i| &rest[..i]);
        ["里", "内", "门口", "第"]
            .iter()
            .any(|w| rest.starts_with(w))
            && ["摊", "档口", "铺位", "摊位", "那家", "那个"]
                .iter()
                .any(|w| clause.contains(w))
    }

    /// Whether a word of relative place follows `at` ([`landmark_follows`]).
    fn locative_follows(&self, at: usize) -> bool {
        landmark_follows(&self.text[at..])
    }

    /// The facility whose name ends at `end`: name words peeled off from the right so as to
    /// cover the most text (鑫达化工厂 is 化工 + 厂, not 化 + 工厂), then the stem.
    fn facility_ending_at(
        &self,
        matches: &[(usize, usize)],
        end: usize,
        floor: usize,
    ) -> Option<(Range<usize>, Facility)> {
        // Longest cover of name words ending at each position, right to left.
        fn cover(
            matches: &[(usize, usize)],
            end: usize,
            floor: usize,
            depth: usize,
        ) -> (usize, usize) {
            // (characters covered in bytes, start)
            let mut best = (0, end);
            if depth > 6 {
                return best;
            }
            for m in matches.iter().filter(|m| m.1 == end && m.0 >= floor) {
                let (more, start) = cover(matches, m.0, floor, depth + 1);
                let total = (m.1 - m.0) + more;
                if total > best.0 {
                    best = (total, start);
                }
            }
            best
        }
        let (_, words_start) = cover(matches, end, floor, 0);
        if words_start >= end {
            return None;
        }
        let words = &self.text[words_start..end];
        // What it is: the most specific facility word of the parse (麻辣烫 of 麻辣烫店), else the
        // last trade word or the legal form.
        let mut word: Option<(&str, bool)> = None;
        let mut best_rank = (false, false);
        let mut at = end;
        while at > words_start {
            let Some(m) = matches
                .iter()
                .filter(|m| m.1 == at && m.0 >= words_start)
                .max_by_key(|m| m.1 - m.0)
            else {
                break;
            };
            let w = &self.text[m.0..m.1];
            match self.terms.name_words.get(w) {
                Some(NameWord::Facility(f)) => {
                    // Of two as specific, the last is the head (物流园|冷库 is a cold store).
                    let rank = (!f.sort.is_empty(), f.class != "shop" && f.class != "firm");
                    if word.is_none_or(|(_, facility)| !facility) || rank > best_rank {
                        word = Some((w, true));
                        best_rank = rank;
                    }
                }
                // A legal form (有限公司) says as much as a facility word.
                Some(NameWord::Legal) if word.is_none_or(|(_, facility)| !facility) => {
                    word = Some((w, true));
                }
                _ if word.is_none() => word = Some((w, false)),
                _ => {}
            }
            at = m.0;
        }
        let (word, is_facility) = word?;
        // A trade word inside a longer word (建筑垃圾) or before a one-character problem word
        // (塑料味, 水泥灰) describes the problem; it names no firm.
        if !is_facility {
            let joined = self.word_at(end - 1).is_some_and(|w| w.end > end);
            let described = self.word_at(end).is_some_and(|w| {
                let next = &self.text[w];
                next.chars().count() == 1 && self.terms.pollution.iter().any(|(p, _)| *p == next)
            });
            if joined || described {
                return None;
            }
        }
        let word = match self.terms.name_words.get(word) {
            Some(NameWord::Legal) => "公司",
            _ => word,
        };
        let mut start = self.extend_left(words_start, floor, MAX_NAME_STEM);
        // A region in front of a firm's name is where it is, not its name, unless without it
        // the name would be too short (河南饭店, 永康木业, 紫云轩茶楼).
        if self.text[start..words_start].chars().count() < 2
            && let Some(region) = self.regions.iter().find(|r| r.end == start)
        {
            start = region.start;
        }
        let mut stem = &self.text[start..words_start];
        // A compound or village in front of a shop's name is where it is (红旗村利民砖厂),
        // except for a site named after its estate (华兴大厦工地).
        let class = match self.terms.name_words.get(word) {
            Some(NameWord::Facility(f)) => f.class,
            Some(NameWord::Trade(class)) => class,
            _ => "firm",
        };
        if class != "site"
            && let Some(cut) = self
                .taken
                .iter()
                .filter(|s| s.start >= start && s.end < words_start && s.end > start)
                .map(|s| s.end)
                .max()
            && self.text[cut..words_start].chars().count() >= 2
        {
            start = cut;
            stem = &self.text[start..words_start];
        }
        // What the business makes, right before the facility word, is no name (石料厂, 生猪养殖场):
        // what is left before it is the name, if it is not a place (茶山村|生猪|养殖场).
        let product = LINES
            .matcher
            .find_overlapping_iter(&self.text[start..end])
            .filter(|m| start + m.end() >= words_start)
            .map(|m| start + m.start())
            .min();
        // Or an everyday noun for it, in the dictionary (玩具厂, 电机厂, 药材市场).
        let mut product = product.or_else(|| self.everyday_noun_before(start, words_start));
        // What it makes may take several words (葵花籽|炒货厂, 玉米|种子加工厂, 汽车|配件厂).
        let product_ending_at = |at: usize| {
            LINES
                .matcher
                .find_overlapping_iter(&self.text[start..at])
                .filter(|m| start + m.end() == at)
                .map(|m| start + m.start())
                .min()
                .or_else(|| {
                    // All that is left, when it is one everyday noun (铝合金|门窗, not 铝|合金).
                    let rest = &self.text[start..at];
                    (rest.chars().count() <= 4
                        && Tokenizer::shared().is_common_noun(rest, EVERYDAY_NOUN))
                    .then_some(start)
                })
                .or_else(|| self.everyday_noun_before(start, at))
        };
        // One character left before it makes the first word part of a name (金|辣椒调味品厂).
        while let Some(at) = product
            && at > start
            && let Some(earlier) = product_ending_at(at)
            && (earlier == start || self.text[start..earlier].chars().count() >= 2)
        {
            product = Some(earlier);
        }
        let mut unnamed = false;
        // Where what it makes begins, when that is all there is before its facility word.
        let mut made = None;
        if class != "site"
            && let Some(at) = product
            && at < words_start
        {
            let before = &self.text[start..at.max(start)];
            if before.chars().count() < 2 || PLACE_ENDINGS.iter().any(|e| before.ends_with(e)) {
                unnamed = true;
                made = Some(at.max(start));
            }
        }
        // A compound's or a village's full name right before the facility word is where it is,
        // not its name (新兴小区垃圾站, 北坡村猪场): the facility has none of its own. Nor is a
        // gate or a side (东门大排档).
        if class != "site" && PLACE_ENDINGS.iter().any(|e| stem.ends_with(e)) {
            unnamed = true;
        }
        // Nor is a township, county or city (侯镇|化工, 熊口镇|龙虾, 原平市|化肥厂).
        if ends_like_a_division(stem) {
            unnamed = true;
        }
        let mut gate = stem.chars();
        if let (Some(side), Some(gate_word), None) = (gate.next(), gate.next(), gate.next())
            && "东西南北".contains(side)
            && "门口头侧边".contains(gate_word)
        {
            unnamed = true;
        }
        // A workshop is named by what is done in it (喷漆车间, 打磨车间), not whose it is; a
        // firm's numbered works (一分厂) by its number.
        if word == "车间"
            || stem
                .chars()
                .all(|c| "一二三四五六七八九十分总".contains(c) || c.is_ascii_digit())
        {
            unnamed = true;
        }
        // What someone does there is no name (做红木家具的, 改成做包装的).
        // 搞 anywhere (周末搞烧烤).
        if DOINGS.iter().any(|d| stem.starts_with(d)) || stem.contains('搞') {
            unnamed = true;
        }
        if unnamed {
            stem = "";
        }
        // A site named by its estate and phase (学府悦城2期工地): the phase number stops the
        // stem, so take the compound before it.
        if class == "site"
            && stem.is_empty()
            && let Some(phase) = self
                .hard
                .iter()
                .find(|h| h.end == words_start && self.text[h.start..h.end].ends_with('期'))
            && let Some(estate) = self.taken.iter().find(|t| t.end == phase.start)
        {
            start = estate.start;
            stem = &self.text[start..words_start];
        }
        for qualifier in &self.terms.qualifiers {
            if let Some(shorter) = stem.strip_suffix(qualifier) {
                stem = shorter;
            }
        }
        // A problem word inside says the stem is a description, not a name (露天堆放砂石).
        let describes = self
            .terms
            .pollution
            .iter()
            .any(|(w, _)| w.chars().count() >= 2 && stem.contains(*w));
        if stem.chars().count() < 2 || describes {
            if !is_facility {
                return None;
            }
            stem = "";
            start = words_start;
        }
        // Shown with what it makes (冒菜店, 石料厂).
        let written = match made {
            Some(at) if stem.is_empty() => self.text[at..end].to_owned(),
            _ => format!("{stem}{words}"),
        };
        Some((
            start..end,
            Facility {
                written,
                stem: stem.to_owned(),
                word: word.to_owned(),
                near: false,
            },
        ))
    }

    /// The text's rare words: what two reporters who name no shop may still share.
    fn rare_words(&mut self) {
        let tokenizer = Tokenizer::shared();
        let mut words: Vec<(String, f32)> = Vec::new();
        // The words the extractor segmented the text into at the start (the text is not changed
        // after).
        for range in &self.words {
            let word = &self.text[range.clone()];
            let word = after_demonstrative(word).unwrap_or(word);
            if word.chars().count() < 2
                || !word.chars().all(is_han)
                || tokenizer.is_stopword(word)
                || tokenizer.is_domain_word(word)
                || self.terms.is_term(word)
                || PLACE_FRAGMENTS.contains(&word)
                || Gazetteer::shared().names_a_division(word)
                // Part of a region's or a township's name, which the place evidence weighs.
                || self
                    .regions
                    .iter()
                    .any(|r| r.start < range.end && range.start < r.end)
                || words.iter().any(|(w, _)| w == word)
            {
                continue;
            }
            // To one decimal, as the index keeps it, so that both compare alike.
            let rarity = (tokenizer.rarity(word) * 10.0).round() / 10.0;
            if rarity >= MIN_RARITY {
                words.push((word.to_owned(), rarity as f32));
            }
        }
        words.sort_by(|a, b| b.1.total_cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        words.truncate(MAX_RARE_WORDS);
        self.features.rare_words = words;
    }

    /// The kinds of problem and the time of day, from the text with names masked.
    fn kinds(&mut self) {
        let masked = self.masked(true);
        for m in self.terms.problem_matcher.find_overlapping_iter(&masked) {
            match self.terms.problem_meanings.get(m.pattern().as_usize()) {
                Some(Problem::Kind(index)) => self.features.kinds |= 1 << index,
                Some(Problem::Night) => self.features.night = true,
                Some(Problem::Day) | None => {}
            }
        }
        // Equipment is read with the facility names in place: 配电房 is both.
        for m in self.terms.object_matcher.find_iter(&self.text) {
            let word = &self.text[m.start()..m.end()];
            if !self.features.objects.iter().any(|o| o == word) {
                self.features.objects.push(word.to_owned());
            }
        }
    }
}

fn is_han(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c) || ('\u{3400}'..='\u{4dbf}').contains(&c)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One field of each facility a text names.
    fn facility_fields<T>(text: &str, field: impl Fn(Facility) -> T) -> Vec<T> {
        SourceFeatures::extract(text)
            .facilities
            .into_iter()
            .map(field)
            .collect()
    }

    fn stems(text: &str) -> Vec<String> {
        facility_fields(text, |f| f.stem)
    }

    fn compound_names(text: &str) -> Vec<String> {
        SourceFeatures::extract(text)
            .compounds
            .into_iter()
            .map(|c| c.name)
            .collect()
    }

    fn written(text: &str) -> Vec<String> {
        facility_fields(text, |f| f.written)
    }

    /// The text's spots of one kind (`branch:`, `side:`).
    fn spots_tagged(text: &str, tag: &str) -> Vec<String> {
        SourceFeatures::extract(text)
            .spots
            .into_iter()
            .filter(|s| s.starts_with(tag))
            .collect()
    }

    #[test]
    fn chinese_numerals_before_counters_become_digits() {
        assert_eq!(normalise("人民路一百二十八号"), "人民路128号");
        assert_eq!(normalise("江南大道六一八号"), "江南大道618号");
        assert_eq!(normalise("三号楼和一家店"), "3号楼和一家店");
        assert_eq!(normalise("ｋｔｖ"), "KTV");
    }

    #[test]
    fn a_firms_stem_drops_trade_words_legal_form_and_city() {
        assert_eq!(
            stems("江阴市临港街道的鑫达化工有限公司夜间排放废气"),
            ["鑫达"]
        );
        assert_eq!(stems("宝安区的深圳市联创电路板有限公司偷排废水"), ["联创"]);
        assert_eq!(stems("投诉天元中路上的恒升机械厂"), ["恒升"]);
    }

    #[test]
    fn a_township_or_city_before_a_trade_word_is_no_name() {
        for text in [
            "侯镇化工园区东路那个化工厂，晚上放的味儿",
            "原平市化肥厂东门外的垃圾堆",
            "熊口镇龙虾一条街那个加工厂",
        ] {
            let stems = stems(text);
            assert!(
                !stems.is_empty() && stems.iter().all(String::is_empty),
                "{text}: {stems:?}"
            );
        }
        // A market's ending is no city's, but a city named like a market is a city.
        assert_eq!(stems("华联超市油烟大"), ["华联"]);
        assert!(
            stems("辛集市皮革城旁边那个硝皮子的")
                .iter()
                .all(String::is_empty)
        );
    }

    #[test]
    fn a_verb_before_a_compound_is_no_part_of_its_name() {
        assert_eq!(
            compound_names("调节池恶臭，影响邻近凤栖苑小区。"),
            ["凤栖苑"]
        );
        assert_eq!(compound_names("油烟扰民，紧邻大学城"), ["大学城"]);
    }

    #[test]
    fn a_village_right_after_its_township_is_one_however_the_words_are_cut() {
        assert_eq!(
            compound_names("南康唐江镇新圩村大路边有家家具厂"),
            ["新圩村"]
        );
        assert_eq!(
            compound_names("唐江镇卢屋村美居家具厂夜间加班开料"),
            ["卢屋村"]
        );
        assert_eq!(stems("唐江镇卢屋村美居家具厂夜间加班开料"), ["美居"]);
    }

    #[test]
    fn a_name_in_quotation_marks_is_the_name() {
        assert_eq!(stems("信州区带湖路“老码头火锅”油烟大"), ["老码头"]);
        assert_eq!(stems("长风街上那家“老地方”烧烤，晚上很吵"), ["老地方"]);
        assert_eq!(
            stems("岳塘区建设北路“净衣坊”干洗店，一股刺鼻的化学味"),
            ["净衣坊"]
        );
    }

    #[test]
    fn what_is_done_there_is_no_name() {
        for text in [
            "仙游县榜头镇，做红木家具的那家，锯木头的声音太吵了",
            "那个老造纸厂，现在改成做包装的了",
        ] {
            let named: Vec<String> = stems(text).into_iter().filter(|s| !s.is_empty()).collect();
            assert!(named.is_empty(), "{text}: {named:?}");
        }
    }

    #[test]
    fn a_crossing_is_no_road() {
        let roads = SourceFeatures::extract("张市镇十字路口往东，过了加油站那个养猪场").roads;
        assert!(roads.is_empty(), "{roads:?}");
        // Nor is a whole lane (整条巷子都是味), a way or a distance.
        for text in [
            "油烟直接往巷子里排，整条巷子都是味",
            "隔两条街都闻得到，走一里多路还有味",
            "臭味满大街都是",
        ] {
            let roads = SourceFeatures::extract(text).roads;
            assert!(roads.is_empty(), "{text}: {roads:?}");
        }
        assert_eq!(SourceFeatures::extract("八里街上的烧烤").roads.len(), 1);
        // The 路 of 路口 right after a road is no second road.
        assert_eq!(
            SourceFeatures::extract("抚琴西路路口第一家烧烤")
                .roads
                .len(),
            1
        );
    }

    #[test]
    fn an_owner_is_named_by_lao_and_a_surname() {
        let owners = |text: &str| SourceFeatures::extract(text).owners;
        assert_eq!(owners("阿城区延川大街老张熏酱，熏肠子的烟大"), "张");
        assert_eq!(owners("老刘烧烤天天烤到两点"), "刘");
        assert_eq!(owners("老周家的羊肉馆油烟大"), "周");
        // A product, the people, a teacher: nobody's surname.
        assert_eq!(owners("美和居老陈醋厂的污水"), "");
        assert_eq!(owners("老百姓反映老师说的那个厂"), "");
        // Very high, and a county's name: nobody's either.
        assert_eq!(owners("南边那个砖窑，烟囱老高，黄烟往镇上飘"), "");
        assert_eq!(owners("尉氏县洧川镇南关村东兴达页岩砖厂"), "");
        assert_eq!(owners("陈氏五金厂冲床噪声"), "陈");
    }

    #[test]
    fn what_a_reporter_remembers_of_a_name_is_kept() {
        let hints = |text: &str| SourceFeatures::extract(text).hints;
        assert_eq!(hints("晓光路上那个叫什么华什么的洗浴中心"), "华");
        assert_eq!(hints("棕林北街红招牌、带个巴字的火锅店"), "巴");
        assert_eq!(hints("那个豆腐皮作坊，叫啥香的，排的水黑乎乎的"), "香");
        assert_eq!(hints("名字叫什么“芬”还是“芳”，印染的水"), "芬芳");
        assert_eq!(hints("好像叫永什么的，烟囱天天冒黄烟"), "永");
        // Not knowing at all leaves nothing to remember.
        assert_eq!(hints("有个化工厂，叫啥不知道，晚上放味"), "");
        assert_eq!(hints("那个砖厂，叫啥我也说不上来"), "");
    }

    #[test]
    fn a_name_after_jiao_outweighs_what_it_makes() {
        assert_eq!(stems("有家叫雪狐的皮草加工店，鞣皮子的味道"), ["雪狐"]);
        assert_eq!(
            written("有家叫雪狐的皮草加工店，鞣皮子的味道"),
            ["雪狐皮草加工店"]
        );
    }

    #[test]
    fn where_the_reporter_lives_is_no_side_and_across_the_water_is_the_other() {
        let spots = |text: &str| SourceFeatures::extract(text).spots;
        assert_eq!(
            spots("我住泗门镇河西这边，每天傍晚对岸那个塑料厂飘过来一股焦臭味"),
            ["side:东"]
        );
        assert!(spots("我家住城南，那个厂的烟飘过来").is_empty());
        // A number after another (18-1号) is no door number of its own.
        assert!(spots("建设大路18-1号那个饺子馆，小锅炉冒黑烟").is_empty());
    }

    #[test]
    fn a_villages_team_or_numbered_part_is_a_spot_and_a_towns_name_no_side() {
        let spots = |text: &str| SourceFeatures::extract(text).spots;
        assert_eq!(spots("镇北堡镇华西村三队那边有个养猪的"), ["group:3"]);
        assert_eq!(spots("李哥庄镇大屯二村帽业加工厂定型废气扰民"), ["group:2"]);
        assert_eq!(
            spots("枣阳市襄阳路东段路北的洗车店"),
            ["side:东", "side:北"]
        );
    }

    #[test]
    fn a_shops_number_is_its_branch() {
        let branches = |text: &str| spots_tagged(text, "branch:");
        assert_eq!(branches("巴山镇鲜味坊卤味一店，熬卤的味道大"), ["branch:1"]);
        assert_eq!(branches("鲜味坊卤味二店熏制烟气扰民"), ["branch:2"]);
        assert_eq!(stems("鲜味坊卤味二店熏制烟气扰民"), ["鲜味坊卤味"]);
        // A one-character name keeps its number (老三店 is nobody's third shop).
        assert!(branches("老三店的油烟").is_empty());
        // A branch by no name.
        assert_eq!(
            branches("张店区马尚街道老王烧烤分店油烟直排"),
            ["branch:分店"]
        );
        assert_eq!(
            branches("老陈鸡饭新风路分店排烟扇对着住户窗户"),
            ["branch:新风路"]
        );
        // A branch in brackets, and a works named by its township.
        assert_eq!(
            branches("昆都仑区钢铁大街草原红火锅（阿尔丁广场店）油烟净化设施未运行"),
            ["branch:阿尔丁广场"]
        );
        assert_eq!(
            branches("举报：北乳乳业新农镇分厂污水处理站异味扰民"),
            ["branch:新农镇"]
        );
    }

    #[test]
    fn what_kind_of_shop_it_is_is_no_branch() {
        for text in [
            "鑫瑞汽车那个店的洗车污水",
            "鑫瑞汽车销售服务店的喷漆房",
            // What the shop does (美容, 快修, 加工), a storefront (门店), closing time (关店).
            "枫林湾小区3号楼底商汽车美容店，打磨抛光作业噪声扰民",
            "凯驰汽车快修店在人行道上露天喷漆",
            "园洲镇黄氏五金加工店酸洗废水直排路边水渠",
            "和平佳苑12号楼下汽修门店露天喷漆",
            "惠万家超市屋顶空调外机噪声扰民，夜间关店后仍运行",
        ] {
            assert!(spots_tagged(text, "branch:").is_empty(), "{text}");
        }
    }

    #[test]
    fn a_shop_word_after_a_chains_name_is_its_branch() {
        for (text, branch) in [
            ("塞北涮肉巴彦塔拉店油烟扰民", "branch:巴彦塔拉"),
            ("渝味坊火锅南七店后厨油烟直排", "branch:南七"),
            ("老乡厨快餐高新区店，排烟管道漏油", "branch:高新区"),
        ] {
            let features = SourceFeatures::extract(text);
            assert_eq!(features.facilities.len(), 1, "{features:?}");
            assert!(features.spots.iter().any(|s| s == branch), "{features:?}");
        }
        // The area is 高新区, not a business's words before it.
        assert_eq!(
            SourceFeatures::extract("老乡厨快餐高新区店，排烟管道漏油").areas,
            ["高新区"]
        );
        // One branch, without the chain's last characters (not 厨快餐南站 beside 南站).
        assert_eq!(
            spots_tagged("老乡厨快餐南站店的油烟太大", "branch:"),
            ["branch:南站"]
        );
    }

    #[test]
    fn how_far_it_is_from_another_plant_is_about_that_plant() {
        let f = SourceFeatures::extract("安海镇福力鞋业二号厂区（距一号厂区约两公里）胶水味浓");
        assert!(f.spots.contains(&"number:2".to_owned()), "{f:?}");
        assert!(!f.spots.contains(&"number:1".to_owned()), "{f:?}");
        let f =
            SourceFeatures::extract("华北钢铁西厂区（与东厂区相距约三公里）炼钢车间夜间噪声扰民");
        assert!(
            f.spots.iter().any(|s| s.starts_with("not:与东厂区")),
            "{f:?}"
        );
        // A distance with no other place in it is no clause about another (距离很近).
        assert!(negated_clauses("那个厂距离我家很近，晚上吵").is_empty());
    }

    #[test]
    fn a_branch_by_road_or_gate_is_that_road_or_gate_alone() {
        let branches = |text: &str| spots_tagged(text, "branch:");
        // Not the chain's last characters with it (坊火锅东门, 鸡饭新风路, 快乐洗衣人民路).
        assert_eq!(branches("蜀味坊火锅东门店油烟扰民"), ["branch:东门"]);
        assert_eq!(
            branches("老陈鸡饭新风路分店排烟扇对着住户窗户"),
            ["branch:新风路"]
        );
        assert_eq!(
            branches("快乐洗衣人民路店的干洗机味道大"),
            ["branch:人民路"]
        );
        assert_eq!(
            branches("车爽洗车（山大路店）门口污水横流"),
            ["branch:山大路"]
        );
        assert_eq!(
            branches("正定欢乐颂KTV燕赵大街店，唱歌声音大"),
            ["branch:燕赵大街"]
        );
    }

    #[test]
    fn a_compound_before_a_facility_word_is_where_it_is() {
        let features = SourceFeatures::extract("新兴小区垃圾站就在楼中间，夏天臭气熏天");
        assert_eq!(stems("新兴小区垃圾站就在楼中间，夏天臭气熏天"), [""]);
        assert_eq!(features.compounds.len(), 1, "{features:?}");
        assert_eq!(features.compounds[0].name, "新兴");
    }

    #[test]
    fn a_demonstrative_ends_a_name_even_inside_a_word() {
        assert_eq!(stems("妇幼保健院旁边那家锦程宾馆的锅炉冒黑烟"), ["锦程"]);
        assert_eq!(stems("锦苑3号楼底商那家火锅店，油烟管子就在楼后面"), [""]);
        // Nor is where along a road, at a gate or in what community it is part of it.
        assert_eq!(
            stems("临河镇G307沿线鼎盛商品混凝土有限公司罐车冲洗"),
            ["鼎盛商品"]
        );
        assert_eq!(stems("虎门镇怀德社区锦泰牛仔洗水厂偷排"), ["锦泰牛仔"]);
        assert_eq!(stems("柘皋河边振华羽绒厂排污"), ["振华羽绒"]);
        assert_eq!(stems("山脚下鸿运石料厂放炮"), ["鸿运石料"]);
        // An auto mall is a place, and what is done there no name.
        assert_eq!(stems("青口汽车城里那个做配件的厂"), [""]);
        // A Cantonese demonstrative and its measure word (嗰间厂: that works).
        assert_eq!(stems("学校围墙后面嗰间厂成日出一股胶味"), [""]);
        assert_eq!(
            stems("紫蓬山门口那家农家乐，周末搞烧烤，烟大得很"),
            ["", ""]
        );
    }

    #[test]
    fn what_a_business_makes_or_where_its_gate_is_is_no_name() {
        assert_eq!(stems("镇平县老庄镇石料厂放炮崩石头"), [""]);
        assert_eq!(stems("那大镇茶山村生猪养殖场粪污直排小溪"), [""]);
        assert_eq!(stems("大河湾小区东门大排档噪声油烟扰民"), [""]);
        assert_eq!(stems("龙水镇刀具厂打磨车间噪声扰民"), ["", ""]);
        assert_eq!(
            stems("甘谷县金辣椒调味品厂磨辣椒面时粉尘外溢"),
            ["金辣椒调味品"]
        );
        assert_eq!(
            SourceFeatures::extract("镇平县老庄镇石料厂放炮崩石头").facilities[0].written,
            "石料厂"
        );
    }

    #[test]
    fn a_side_of_a_town_or_a_river_bank_is_a_side() {
        let sides = |text: &str| spots_tagged(text, "side:");
        assert_eq!(sides("庆城县城东关那家烧烤店天天在外面烤"), ["side:东"]);
        assert_eq!(sides("开原市城北新华街88号金源浴池冒黑烟"), ["side:北"]);
        assert_eq!(sides("桃江县城资江北岸那个竹制品厂晚上切竹子"), ["side:北"]);
        // A road or a district named after a side of town is a name.
        assert!(sides("城南路那家饭店油烟大").is_empty());
        assert!(sides("城北区一家饭店油烟大").is_empty());
    }

    #[test]
    fn an_everyday_noun_before_the_facility_word_is_what_it_makes() {
        assert_eq!(stems("莲下镇那个玩具厂，喷油废气扰民"), [""]);
        assert_eq!(stems("薛阁街道那个药材市场里面有人熏硫磺"), [""]);
        // The shortest noun: the name before it stays (宏发|电机, not 宏|发电机).
        assert_eq!(stems("福安市宏发电机有限公司冲压噪声扰民"), ["宏发电机"]);
        let f = SourceFeatures::extract("开发区那家叫东泰的电机厂，喷漆味道大");
        assert_eq!(f.facilities[0].stem, "东泰", "{:?}", f.facilities);
        // All that is left one noun (铝合金|门窗), or a product on the list (铝板, 卷尺): no name.
        assert_eq!(stems("龙津镇凤凰路北头那家铝合金门窗店，切割声音大"), [""]);
        assert_eq!(stems("回郭镇那个铝板厂，轧机声音一夜不停"), [""]);
        assert_eq!(stems("稍岗集市南头有个卷尺作坊，门口倒废液"), [""]);
    }

    #[test]
    fn a_likeness_or_a_cantonese_that_names_nothing() {
        assert_eq!(
            stems("碑廓镇那个石材厂晚上开锯，吱吱地响，跟锯玻璃似的"),
            [""]
        );
        assert_eq!(stems("天马村路口左手边嗰间不锈钢厂，日日打磨"), [""]);
    }

    #[test]
    fn a_rare_word_or_a_county_names_a_compound_on_its_ending() {
        let names = |text: &str| -> Vec<String> {
            SourceFeatures::extract(text)
                .compounds
                .into_iter()
                .map(|c| c.name)
                .collect()
        };
        assert_eq!(names("藁城锦苑东门口有个烧烤的"), ["锦苑"]);
        assert_eq!(names("玉龙家园5号楼地下室有个木工作坊"), ["玉龙家园"]);
        assert!(names("公园里有人唱歌").is_empty());
        // "My village" names none (俺村, 咱村).
        assert!(names("俺村水塔边上那家榨油的，烟大").is_empty());
        assert!(names("粉尘飘得满村都是").is_empty());
        // Not a full county's name (尖草坪区|新城村).
        assert_eq!(names("尖草坪区新城村老马废品站经常烧电线皮"), ["新城村"]);
    }

    #[test]
    fn a_numbered_section_of_an_estate_is_a_spot_and_an_area_is_not() {
        assert_eq!(
            spots_tagged("天穆镇嘉园一区8栋底下那个修理铺", "section"),
            ["section:1"]
        );
        assert_eq!(
            spots_tagged("涪江花园2区15栋楼下小吃店", "section"),
            ["section:2"]
        );
        assert!(spots_tagged("这一区域的几家工厂晚上排烟", "section").is_empty());
        assert!(spots_tagged("十二区县联合执法", "section").is_empty());
        assert_eq!(
            spots_tagged("湖光一里22号楼下面的排档", "section"),
            ["section:1"]
        );
        assert!(spots_tagged("走一里多路就到", "section").is_empty());
    }

    #[test]
    fn a_floor_after_a_door_or_building_is_read_and_the_reporters_is_not() {
        assert_eq!(
            spots_tagged("坦洲镇南坦路126号二楼火锅店油烟", "floor"),
            ["floor:2"]
        );
        assert_eq!(
            spots_tagged("诸城龙城小区十幢一楼开了家烘焙店", "floor"),
            ["floor:1"]
        );
        assert!(spots_tagged("龙城10号楼下那个面包店，俺在二楼天天被吵醒", "floor").is_empty());
        assert!(spots_tagged("玉龙湾小区A栋底下那家餐厅，我家在三楼", "floor").is_empty());
    }

    #[test]
    fn the_last_of_two_specific_words_says_what_it_is() {
        let words = facility_fields("流亭街道鑫港物流园冷库制冷机组噪声扰民", |f| f.word);
        assert_eq!(words, ["冷库"]);
        // What is a way up from a landmark is near it (草街码头上去一点那家鱼庄).
        let near = facility_fields("草街码头上去一点那家鱼庄，杀鱼的血水", |f| f.near);
        assert_eq!(near, [true, false]);
    }

    #[test]
    fn a_corner_is_both_its_sides() {
        assert_eq!(
            spots_tagged("大王镇大转盘东北角那个轮胎厂", "side"),
            ["side:东北"]
        );
        assert_eq!(
            spots_tagged("大王镇转盘西南方向再生胶厂", "side"),
            ["side:西南"]
        );
        assert!(spots_tagged("东北大学旁边的烧烤", "side").is_empty());
        assert!(
            stems("大王镇转盘西南方向再生胶厂")
                .iter()
                .all(|s| !s.contains("方向"))
        );
    }

    #[test]
    fn phases_and_buildings_without_a_compound_are_spots() {
        let features = SourceFeatures::extract("栾城区御景园一期3号楼底商面馆，油烟直排");
        assert!(
            features.spots.iter().any(|s| s == "phase:1"),
            "{features:?}"
        );
        let features = SourceFeatures::extract("洱海明珠11幢楼顶客栈晚上开派对");
        assert!(
            features.spots.iter().any(|s| s == "building:11"),
            "{features:?}"
        );
    }

    #[test]
    fn a_buildings_part_or_a_dish_is_no_name() {
        assert_eq!(stems("秦川烤肉的烟全往医院住院楼飘"), ["秦川"]);
        assert_eq!(stems("臭豆腐店油烟大"), [""]);
    }

    #[test]
    fn a_road_after_a_measure_word_is_named_after_it() {
        let features = SourceFeatures::extract("同一条巷子里还有一家做凉皮的，在光明巷北口");
        assert!(
            features.roads.iter().all(|r| !r.stem.contains("一条")),
            "{features:?}"
        );
    }

    #[test]
    fn a_market_a_stall_is_in_is_a_landmark() {
        let features = SourceFeatures::extract("东站夜市里卖烤鱿鱼的那个摊，烟特别大");
        assert!(features.facilities.iter().all(|f| f.near), "{features:?}");
        let features = SourceFeatures::extract("菜市场后门污水横流，腥臭");
        assert!(features.facilities.iter().all(|f| !f.near), "{features:?}");
    }

    #[test]
    fn a_township_named_like_a_shop_is_a_place() {
        assert_eq!(
            written("横店那个做磁性材料的厂子，半夜机器还在响"),
            ["厂子"]
        );
        assert_eq!(
            written("十八里店吉祥里小区对面那个洗浴中心，风机响到后半夜"),
            ["洗浴中心"]
        );
        // A shop's name is no township's (胜利饭店, 老王店).
        assert!(written("老王店门口烧烤油烟大").contains(&"老王店".to_owned()));
    }

    #[test]
    fn a_firms_numbered_works_are_spots_not_names() {
        let one = SourceFeatures::extract("阳平镇国道边那个秦机公司的一分厂，天天冒黑烟");
        let two = SourceFeatures::extract("阳平镇秦岭路秦机公司二分厂冲压设备噪声扰民");
        assert!(one.spots.contains(&"plant:一".to_owned()), "{one:?}");
        assert!(two.spots.contains(&"plant:二".to_owned()), "{two:?}");
        for f in [one, two] {
            let stems: Vec<&str> = f.facilities.iter().map(|x| x.stem.as_str()).collect();
            assert_eq!(stems, ["秦机", ""]);
        }
    }

    #[test]
    fn an_old_town_is_its_township_and_a_township_alone_is_no_sure_region() {
        let f = SourceFeatures::extract("三河古镇外面那个米酒厂，游客一进镇子就闻到酸味");
        assert_eq!(f.areas, ["三河镇"]);
        // Many counties have a 长安镇; the county named with it is sure.
        assert_eq!(
            SourceFeatures::extract("长安镇那个皮革厂臭得很").region,
            None
        );
        assert!(
            SourceFeatures::extract("海宁市长安镇兴隆皮革有限公司废水发黑")
                .region
                .is_some()
        );
    }

    #[test]
    fn what_is_at_a_gate_of_a_place_or_facing_it_is_near_it() {
        let near = |text: &str| facility_fields(text, |f| f.near);
        assert_eq!(near("石横电厂西门对面那个小炼油的，烟是黑的"), [true]);
        assert_eq!(near("和顺陶瓷厂大门口那个烧烤摊，烟大"), [true, false]);
        assert_eq!(near("前川菜市场东门的垃圾站，夏天臭得很"), [true, false]);
        // The facility's own gate, where its problem is, keeps it the source.
        assert_eq!(near("鑫达化工厂门口的排污口冒黑水"), [false]);
        // Outside a gate, or somewhere about a place, is near it too.
        assert_eq!(near("原平市化肥厂东门外的垃圾堆长期无人清理"), [true]);
        assert_eq!(
            near("原平市，化肥厂东门外面有个小饭馆，油烟大"),
            [true, false]
        );
        assert_eq!(
            near("黄羊镇皇台酒业附近一家肉牛养殖场粪便露天堆放"),
            [true, false]
        );
    }

    #[test]
    fn a_stalls_number_is_a_spot_and_a_date_is_not() {
        let features = SourceFeatures::extract("汽配城东排5号铺修车噪声");
        assert!(
            features.spots.iter().any(|s| s == "number:5"),
            "{features:?}"
        );
        let features = SourceFeatures::extract("上个月5号开始，建设路18号的饭店油烟大");
        assert!(
            !features.spots.iter().any(|s| s.starts_with("number:")),
            "{features:?}"
        );
    }

    #[test]
    fn a_place_named_after_a_shop_is_no_shop() {
        assert_eq!(written("槐树店站旁边的火锅店油烟太大"), ["火锅店"]);
        assert_eq!(written("王店镇水厂路的饭店油烟"), ["饭店"]);
    }

    #[test]
    fn a_township_keeps_its_ending() {
        assert_eq!(
            SourceFeatures::extract("修文县龙场镇一个冷库，压缩机嗡嗡响").areas,
            ["龙场镇"]
        );
    }

    #[test]
    fn the_lines_of_business_fit_their_bit_set() {
        assert!(LINES.names.len() <= 128, "{}", LINES.names.len());
    }

    #[test]
    fn a_building_after_a_phase_is_the_building() {
        let features = SourceFeatures::extract("盛景嘉园二期10#楼楼顶装了通信基站");
        assert_eq!(features.compounds[0].building, Some(10), "{features:?}");
        let features = SourceFeatures::extract("盛景嘉园二期工地夜间施工");
        assert_eq!(features.compounds[0].building, Some(2), "{features:?}");
    }

    #[test]
    fn a_region_that_is_the_whole_name_stays() {
        assert_eq!(stems("农业路河南饭店的排风机很吵"), ["河南"]);
    }

    #[test]
    fn a_region_that_begins_a_shop_name_stays_in_it() {
        assert_eq!(stems("长江西路紫云轩茶楼空调外机噪音"), ["紫云轩"]);
        assert_eq!(
            SourceFeatures::extract("长江西路紫云轩茶楼空调外机噪音").region,
            None
        );
    }

    #[test]
    fn an_unnamed_facility_keeps_its_kind() {
        let features = SourceFeatures::extract("我家楼下的饭店油烟太大了");
        assert_eq!(features.facilities.len(), 1, "{features:?}");
        assert!(!features.facilities[0].is_named());
        assert_eq!(features.facilities[0].class().0, "restaurant");
    }

    #[test]
    fn roads_keep_direction_and_house_number() {
        let features = SourceFeatures::extract("长沙市雨花区万家丽中路188号的老刘烧烤");
        assert_eq!(features.roads.len(), 1, "{features:?}");
        let road = &features.roads[0];
        assert_eq!(road.stem, "万家丽");
        assert_eq!(road.direction, Some('中'));
        assert_eq!(road.number, Some(188));
        assert_eq!(stems("长沙市雨花区万家丽中路188号的老刘烧烤"), ["老刘"]);
    }

    #[test]
    fn compounds_keep_their_building() {
        let features = SourceFeatures::extract("桂花园小区5栋楼下新开了一家烧烤店");
        assert_eq!(
            features.compounds,
            [Compound {
                name: "桂花园".into(),
                building: Some(5),
                ending: "园".into(),
            }]
        );
    }

    #[test]
    fn kinds_are_read_outside_names() {
        let features = SourceFeatures::extract("滨江路黄河石材厂粉尘很大");
        let types: Vec<&str> = features
            .pollution_types()
            .iter()
            .map(|t| t.code())
            .collect();
        assert_eq!(types, ["air"]);
    }

    #[test]
    fn a_county_or_a_side_of_town_is_no_rare_word() {
        let f = SourceFeatures::extract("定兴县城西那个卖烤鸭的，老板姓董，烤炉烧木柴");
        let words: Vec<&str> = f.rare_words.iter().map(|(w, _)| w.as_str()).collect();
        assert!(
            !words.contains(&"定兴县") && !words.contains(&"城西"),
            "{words:?}"
        );
        let f = SourceFeatures::extract("海韵花园后门外面那个垃圾站，一到中午就臭");
        let words: Vec<&str> = f.rare_words.iter().map(|(w, _)| w.as_str()).collect();
        assert!(words.contains(&"海韵"), "{words:?}");
        // Nor a township's name, or part of one (北井子 of 北井子镇).
        let f = SourceFeatures::extract("东港市北井子镇水产品加工厂废水直排入海，海边腥臭");
        let words: Vec<&str> = f.rare_words.iter().map(|(w, _)| w.as_str()).collect();
        assert!(!words.iter().any(|w| w.contains("井子")), "{words:?}");
    }

    #[test]
    fn a_general_cue_covers_the_lines_it_names_and_a_trade_tells_its_line() {
        let lines = |text: &str| SourceFeatures::extract(text).lines;
        // 养殖场 may be the pig farm another reporter names; it is no chicken farm's rival line.
        let general = lines("三塘镇那个养殖场，粪水流进鱼塘");
        assert!(general & lines("三塘镇金羽养猪场粪污直排") != 0);
        assert!(general & lines("三塘镇一家养鸡场鸡粪臭") != 0);
        // 糖厂 and 酒精厂, 榨油坊 and 米粉厂, a shop's generator and a power plant: two lines.
        for (a, b) in [
            ("庆远镇那个糖厂榨季味道大", "庆远镇一家酒精厂排废醪液"),
            ("灵城街道那个榨油坊臭", "灵城街道三里村米粉厂泡米水直排"),
            ("楼下超市门口的发电机吵", "华电电厂冷却塔噪声"),
        ] {
            let (a, b) = (lines(a), lines(b));
            assert!(a != 0 && b != 0 && a & b == 0, "{a:b} / {b:b}");
        }
    }

    #[test]
    fn a_landmarks_line_of_business_is_not_the_sources() {
        let f = SourceFeatures::extract("瓷城大道加油站后面那个锯木头的厂，噪音特别大");
        assert!(f.facilities.iter().any(|x| x.near), "{f:?}");
        assert!(!line_names(f.lines).contains(&"加油站"), "{f:?}");
        let f = SourceFeatures::extract("瓷城大道加油站卸油的时候汽油味很重");
        assert!(line_names(f.lines).contains(&"加油站"), "{f:?}");
    }

    #[test]
    fn a_facilitys_own_plant_behind_it_keeps_it_the_source() {
        let f = SourceFeatures::extract("幸福路蜀香阁饭店后面的排风机，嗡嗡响到晚上十一点多");
        assert!(f.facilities.iter().all(|x| !x.near), "{f:?}");
        let f = SourceFeatures::extract("蜀香阁饭店后面那个修车铺天天喷漆");
        assert!(f.facilities.iter().any(|x| x.near), "{f:?}");
    }

    #[test]
    fn a_buildings_entrance_is_a_spot_in_figures_or_words() {
        let a = SourceFeatures::extract("怡和苑7号楼2单元一楼装修，电钻从早上七点打到晚上");
        let b = SourceFeatures::extract("怡和苑七号楼二单元楼下装修");
        assert!(a.spots.contains(&"entrance:2".to_owned()), "{:?}", a.spots);
        assert!(b.spots.contains(&"entrance:2".to_owned()), "{:?}", b.spots);
    }

    #[test]
    fn a_name_in_quotation_marks_keeps_its_facility_word() {
        let f = SourceFeatures::extract("即墨鹤山路的“麦霸天下”KTV，半夜还在唱歌");
        assert!(
            f.facilities.iter().any(|x| x.stem == "麦霸天下"),
            "{:?}",
            f.facilities
        );
    }

    #[test]
    fn where_on_a_road_is_no_part_of_the_name_after_it() {
        let f = SourceFeatures::extract("玉林巷口冒菜店屋顶装的那个排风机");
        assert_eq!(f.facilities[0].written, "冒菜店", "{:?}", f.facilities);
        let f = SourceFeatures::extract("解放路东头福满楼饭店油烟大");
        assert_eq!(f.facilities[0].stem, "福满楼", "{:?}", f.facilities);
    }
}
