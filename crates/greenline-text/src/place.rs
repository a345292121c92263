//! Place resolution (地址解析): from free text to the most precise administrative region that is
//! certain, and the street-level address that follows it.
//!
//! The [`Gazetteer`] indexes every name of the division table and its short forms: 广东省 → 广东,
//! 深圳市 → 深圳, 浦东新区 → 浦东, 延边朝鲜族自治州 → 延边. Short forms that are everyday words
//! (小店, 公安, 商城 … in `data/text/place_common_words.txt`) are left out, and a short form
//! directly followed by 路/街/公园 … is taken for a road or landmark name, not a region (中山路,
//! 北京路). (jieba's part-of-speech tags were tried for this and found unreliable: 保定 is a verb
//! and 大连 an adverb there.)
//!
//! A name may stand for several regions (朝阳区 is in 北京 and in 长春; 鼓楼区 in four cities).
//! Other names in the text narrow it down (南京鼓楼区 → 320106); what cannot be narrowed is left
//! at the level all candidates share: 朝阳区 alone names no region for certain, 江苏鼓楼区 only
//! the province. Nothing is guessed, with one convention: a bare short form stands for the
//! highest-level unit that bears it (河南 is 河南省, not 青海's 河南县; 西安 is 西安市, not a
//! 西安区), unless a name nearby points elsewhere (北京朝阳 → 北京市朝阳区).

use std::collections::{HashMap, HashSet};
use std::sync::LazyLock;

use greenline_domain::{RegionCode, RegionLevel};

pub(crate) const COMMON_WORDS: &str = include_str!("../data/text/place_common_words.txt");
/// Former names of merged or renamed counties, with the region that holds each now.
pub(crate) const FORMER_NAMES: &str = include_str!("../data/text/place/former_names.tsv");
/// Townships, towns and streets (乡级区划) with the county that holds each.
pub(crate) const TOWNSHIPS: &str = include_str!("../data/text/place/townships.tsv");
/// Named places (streets, squares, scenic areas, stations …) with the county that holds each.
pub(crate) const LANDMARKS: &str = include_str!("../data/text/place/landmarks.tsv");

/// The rows of a tab-separated data file: comment lines and blank lines left out.
fn data_rows(text: &'static str) -> impl Iterator<Item = Vec<&'static str>> {
    text.lines()
        .map(str::trim_end)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(|line| line.split('\t').collect())
}

/// Ethnic names inside autonomous regions' names: a short form is what comes before them.
const ETHNIC_MARKERS: &[&str] = &[
    "蒙古",
    "回族",
    "藏族",
    "维吾尔",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "普米族",
    "塔吉克",
    "怒族",
    "鄂温克族",
    "保安族",
    "裕固族",
    "独龙族",
    "鄂伦春",
    "各族",
];

/// Suffixes stripped from prefecture and county names, longest first.
const SUFFIXES: &[&str] = &[
    "特别行政区",
    "新区",
    "林区",
    "地区",
    "自治县",
    "自治旗",
    "市",
    "区",
    "县",
    "旗",
    "盟",
    "省",
];

/// Endings of township names, dropped to find a township named without them.
const TOWNSHIP_SUFFIXES: &[&str] = &["街道办事处", "街道", "镇", "乡", "苏木", "地区"];

/// What may follow a short form when it is part of a road's, park's, building's, shop's or dish's
/// name (紫云轩 is a restaurant, not 紫云县; 重庆小面 is served everywhere).
const LANDMARK_WORDS: &[&str] = &[
    "东路",
    "西路",
    "南路",
    "北路",
    "中路",
    "东街",
    "西街",
    "南街",
    "北街",
    "大街",
    "路",
    "街",
    "大道",
    "道",
    "巷",
    "胡同",
    "公园",
    "广场",
    "小区",
    "花园",
    "大厦",
    "酒店",
    "饭店",
    "宾馆",
    "商场",
    "中学",
    "小学",
    "大学",
    "学校",
    "桥",
    "湖",
    "江",
    "河",
    "山",
    "站",
    "号",
    "村",
    "镇",
    "乡",
    "人",
    // Where people or money come from (台湾老板, 台资, 湖南口音).
    "老板",
    "老乡",
    "口音",
    "籍",
    "资",
    "滩",
    "轩",
    "阁",
    "斋",
    // Dishes and foods named after a place (重庆小面, 德州扒鸡, 金华火腿, 北京烤鸭).
    "小面",
    "扒鸡",
    "火腿",
    "烤鸭",
    "拉面",
    "小吃",
    "米粉",
    "螺蛳粉",
    "热干面",
    "大盘鸡",
    "板鸭",
    "米线",
    "烧鸡",
    "酸辣粉",
    "牛肉面",
    "肉夹馍",
    "凉皮",
    "烩面",
    "锅盔",
    "炒饭",
    "刀削面",
];

/// Idioms, set phrases and things that hold a region's short form but name no place (大同小异,
/// 长治久安, a compound called 江山如画, 大理石): skipped whole.
const NOT_PLACES: &[&str] = &[
    "大同小异",
    "世界大同",
    "长治久安",
    "天长地久",
    "江山如画",
    "锦绣江山",
    "大好江山",
    "安居乐业",
    "平安无事",
    "大理石",
];

/// The province-level units that are cities (直辖市): a township names a county in them as in
/// a prefecture.
const MUNICIPALITIES: &[&str] = &["110000", "120000", "310000", "500000"];

/// Words that begin with a landmark word but say where in the region, not what is named after
/// it: 松江大学城 is in 松江区, 下关江边 by the river in 下关.
const NOT_LANDMARKS: &[&str] = &[
    "大学城",
    "江边",
    "江畔",
    "河边",
    "河畔",
    "湖边",
    "湖畔",
    "山区",
    "山里",
    "乡下",
];

/// Endings of a township's name without its 街道 or 镇 that make it a common kind of place
/// (科技园, 开发区, 火车站, 人民路): such a name alone places nothing, whatever county has a
/// township of it.
const GENERIC_PLACE_ENDINGS: &[char] = &[
    '园', '区', '城', '村', '场', '站', '港', '湖', '山', '桥', '路', '街', '道', '心', '馆', '院',
    '所', '厂', '店', '楼', '市', '镇', '乡', '寺', '庙', '河', '江',
];

/// Characters that end a clause (and so the street-level address).
const CLAUSE_END: &[char] = &[
    '，', '。', '！', '？', '；', '、', ',', '.', '!', '?', ';', ' ', '\n', '\t', '（', '(', '：',
    ':',
];

/// Characters an address ends on (号, 路, 小区 …): the address is cut after the last of them.
const ADDRESS_END: &[char] = &[
    '号', '路', '街', '道', '巷', '村', '区', '园', '栋', '幢', '楼', '室', '弄', '里', '组', '镇',
    '乡', '门', '口', '厂', '场', '站', '店', '苑', '城', '庄', '屯', '桥', '湾', '坊', '府', '寓',
    '厦', '院', '队', '社',
];

/// One name in the text that names one or more regions.
#[derive(Debug, Clone, PartialEq)]
pub struct Mention {
    /// The name as written.
    pub text: String,
    /// Byte range in the text.
    pub start: usize,
    pub end: usize,
    /// Every region the name can stand for, after the other names have narrowed it.
    pub candidates: Vec<RegionCode>,
}

impl Mention {
    /// Whether a candidate of the name lies over `code` (南京 over 鼓楼区 320106).
    fn holds(&self, code: RegionCode) -> bool {
        self.candidates
            .iter()
            .any(|c| *c != code && code.is_within(*c))
    }
}

/// Where a text says the problem is.
#[derive(Debug, Clone, PartialEq)]
pub struct Place {
    /// The most precise region that is certain; `None` when no region is.
    pub region: Option<RegionCode>,
    /// When a name stays ambiguous below `region`: the regions it could be (朝阳区 → 110105,
    /// 220104).
    pub alternatives: Vec<RegionCode>,
    /// The text after the last region name, up to the end of its address (石牌街道龙口西路88号).
    pub address: Option<String>,
    /// The names found.
    pub mentions: Vec<Mention>,
}

impl Place {
    /// The province, prefecture and county of the region, each where certain.
    pub fn levels(&self) -> (Option<RegionCode>, Option<RegionCode>, Option<RegionCode>) {
        let Some(region) = self.region else {
            return (None, None, None);
        };
        let mut levels = (None, None, None);
        for code in region.ancestry() {
            match code.level() {
                RegionLevel::Province => levels.0 = Some(code),
                RegionLevel::Prefecture => levels.1 = Some(code),
                RegionLevel::County => levels.2 = Some(code),
                RegionLevel::National => {}
            }
        }
        levels
    }
}

/// The index of region names and short forms.
#[derive(Debug)]
pub struct Gazetteer {
    names: HashMap<String, Vec<(RegionCode, bool)>>,
    longest: usize,
    /// Townships' names without 街道, 镇 or 乡 (观音桥 of 观音桥街道), with their counties: too
    /// often other words to name a place alone, they only choose between the regions a name
    /// already stands for (江北观音桥 → 江北区 of 重庆, not of 宁波).
    township_stems: HashMap<String, Vec<RegionCode>>,
    longest_stem: usize,
    /// Short forms that are everyday words too (南海, 江南, 城中), with their regions: taken only
    /// right after the name of a region that holds them (佛山南海 → 南海区).
    guarded: HashMap<String, Vec<RegionCode>>,
    /// Names that are only townships' full names (湖南乡 of 临川区): such a name must end where
    /// a word ends (湖南|乡下 is no township).
    township_only: HashSet<String>,
    /// The names and short forms of provinces, cities and counties, current and former.
    divisions: HashSet<String>,
}

static SHARED: LazyLock<Gazetteer> = LazyLock::new(Gazetteer::build);

impl Gazetteer {
    /// The gazetteer of the shipped division table, built once per process.
    pub fn shared() -> &'static Gazetteer {
        &SHARED
    }

    /// Indexes every region's name and its usable short forms.
    pub fn build() -> Gazetteer {
        let common: HashSet<&str> = COMMON_WORDS
            .lines()
            .map(str::trim)
            .filter(|line| !line.is_empty() && !line.starts_with('#'))
            .collect();
        let mut names: HashMap<String, Vec<(RegionCode, bool)>> = HashMap::new();
        let mut guarded: HashMap<String, Vec<RegionCode>> = HashMap::new();
        // A city whose one county-level unit bears its own name (嘉峪关市 620200 over 620201):
        // the name stands for the county, the most precise unit, which lies within the city.
        let named_by_a_county: HashSet<RegionCode> = RegionCode::all()
            .filter(|r| r.code.level() == RegionLevel::County)
            .filter_map(|r| r.code.parent().filter(|p| p.name() == r.name))
            .collect();
        for region in RegionCode::all() {
            let code = region.code;
            // A municipality's prefecture row repeats its name (北京市 110100): the name stands
            // for the province-level unit.
            if code.level() == RegionLevel::Prefecture
                && code.parent().is_some_and(|p| p.name() == region.name)
            {
                continue;
            }
            if named_by_a_county.contains(&code) {
                continue;
            }
            names
                .entry(region.name.clone())
                .or_default()
                .push((code, false));
            for short in short_forms(&region.name) {
                if common.contains(short.as_str()) {
                    guarded.entry(short).or_default().push(code);
                    continue;
                }
                let entry = names.entry(short).or_default();
                if !entry.iter().any(|(c, _)| *c == code) {
                    entry.push((code, true));
                }
            }
        }
        // A former name stands for the region that holds its area now, beside any current unit
        // of the same name; so do its short forms (卢湾 for 卢湾区).
        for row in data_rows(FORMER_NAMES) {
            let (Some(name), Some(code)) = (row.first(), row.get(1)) else {
                continue;
            };
            let Ok(code) = RegionCode::parse(code) else {
                continue;
            };
            // `rare-short`: the short form only where it is no everyday word (公园 of 公园区).
            let rare_only = row.get(3) == Some(&"rare-short");
            let mut forms = vec![((*name).to_owned(), false)];
            // A short form a current unit bears is that unit's: for a former county, a unit of the
            // same city (武昌 is 武昌区, not 江夏区, once 武昌县); for a former city, any unit (淮阴
            // of 淮阴市 is 淮阴区 of 淮安市).
            let city = code.parent();
            let county = code.level() == RegionLevel::County;
            forms.extend(
                short_forms(name)
                    .into_iter()
                    .filter(|s| !common.contains(s.as_str()))
                    .filter(|s| !rare_only || rare_enough(s))
                    .filter(|s| {
                        !names.get(s).is_some_and(|entries| {
                            !county || entries.iter().any(|(c, _)| c.parent() == city)
                        })
                    })
                    .map(|s| (s, true)),
            );
            for (form, short) in forms {
                let entry = names.entry(form).or_default();
                if !entry.iter().any(|(c, _)| *c == code) {
                    entry.push((code, short));
                }
            }
        }
        let divisions: HashSet<String> = names.keys().cloned().collect();
        // A township's full name (周浦镇, 观音桥街道) stands for the county that holds it; a name
        // many counties share is settled by the other places named, or by none.
        let mut township_stems: HashMap<String, Vec<RegionCode>> = HashMap::new();
        let mut township_only = HashSet::new();
        for row in data_rows(TOWNSHIPS) {
            let (Some(name), Some(code)) = (row.first(), row.get(1)) else {
                continue;
            };
            let Ok(code) = RegionCode::parse(code) else {
                continue;
            };
            // A town people call by its old town (同里古镇 of 同里镇) is named so too.
            let old_town = name.strip_suffix('镇').map(|stem| format!("{stem}古镇"));
            for form in std::iter::once((*name).to_owned()).chain(old_town) {
                let entry = names.entry(form.clone()).or_insert_with(|| {
                    township_only.insert(form);
                    Vec::new()
                });
                if !entry.iter().any(|(c, _)| *c == code) {
                    entry.push((code, false));
                }
            }
            if let Some(stem) = TOWNSHIP_SUFFIXES.iter().find_map(|s| name.strip_suffix(s))
                && stem.chars().count() >= 2
            {
                let counties = township_stems.entry(stem.to_owned()).or_default();
                if !counties.contains(&code) {
                    counties.push(code);
                }
            }
        }
        // A named place people write without its city (王府井, 洪崖洞, 宽窄巷子) stands for the
        // county that holds it, unless the name is a region's or a township's already.
        for row in data_rows(LANDMARKS) {
            let (Some(name), Some(code)) = (row.first(), row.get(1)) else {
                continue;
            };
            let Ok(code) = RegionCode::parse(code) else {
                continue;
            };
            names
                .entry((*name).to_owned())
                .or_insert_with(|| vec![(code, false)]);
        }
        let longest = names.keys().map(|n| n.chars().count()).max().unwrap_or(0);
        let longest_stem = township_stems
            .keys()
            .map(|n| n.chars().count())
            .max()
            .unwrap_or(0);
        Gazetteer {
            names,
            longest,
            township_stems,
            longest_stem,
            guarded,
            township_only,
            divisions,
        }
    }

    /// Whether `word` is the name or short form of a province, city or county, current or
    /// former (not of a township or a named place).
    pub fn names_a_division(&self, word: &str) -> bool {
        self.divisions.contains(word)
    }

    /// The regions a name stands for (full name or short form).
    pub fn lookup(&self, name: &str) -> Vec<RegionCode> {
        self.names
            .get(name)
            .map(|entries| entries.iter().map(|(code, _)| *code).collect())
            .unwrap_or_default()
    }

    /// Whether `text` begins with a region's full name of three characters or more.
    fn begins_with_a_name(&self, text: &str) -> bool {
        let ends: Vec<usize> = text
            .char_indices()
            .map(|(i, c)| i + c.len_utf8())
            .take(self.longest)
            .collect();
        ends.iter().skip(2).any(|&end| {
            self.names
                .get(&text[..end])
                .is_some_and(|entries| entries.iter().any(|(_, short)| !*short))
        })
    }

    /// Finds the region names in a text, longest first from the left.
    pub fn mentions(&self, text: &str) -> Vec<Mention> {
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        // Where the segmenter's words begin: read only when a short form needs it.
        let words: std::cell::OnceCell<HashSet<usize>> = std::cell::OnceCell::new();
        let is_boundary = |at: usize| {
            at == text.len()
                || words
                    .get_or_init(|| {
                        crate::Tokenizer::shared()
                            .segments_with_offsets(text)
                            .into_iter()
                            .map(|(at, _)| at)
                            .collect()
                    })
                    .contains(&at)
        };
        let mut found: Vec<Mention> = Vec::new();
        let mut i = 0;
        while i < starts.len() {
            if let Some(phrase) = NOT_PLACES
                .iter()
                .find(|p| text[starts[i]..].starts_with(**p))
            {
                i += phrase.chars().count();
                continue;
            }
            if let Some(len) = self.guarded_after(text, &starts, i, found.last()) {
                let (start, end) = (
                    starts[i],
                    starts.get(i + len).copied().unwrap_or(text.len()),
                );
                let candidates = self.guarded[&text[start..end]]
                    .iter()
                    .copied()
                    .filter(|c| found.last().is_some_and(|m| m.holds(*c)))
                    .collect();
                found.push(Mention {
                    text: text[start..end].to_owned(),
                    start,
                    end,
                    candidates,
                });
                i += len;
                continue;
            }
            let mut matched = None;
            for len in (2..=self.longest.min(starts.len() - i)).rev() {
                let start = starts[i];
                let end = starts.get(i + len).copied().unwrap_or(text.len());
                let name = &text[start..end];
                let Some(entries) = self.names.get(name) else {
                    continue;
                };
                let all_short = entries.iter().all(|(_, short)| *short);
                // A short form across two words is part of neither (南皮 in 江南|皮革厂).
                if all_short && !is_boundary(start) && !is_boundary(end) {
                    continue;
                }
                // Nor one whose first character ends the word before (冬天|全 of 天全).
                let second = starts.get(i + 1).copied().unwrap_or(end);
                if all_short && !is_boundary(start) && is_boundary(second) {
                    continue;
                }
                if all_short && self.names_a_landmark(text, end) {
                    continue;
                }
                if all_short
                    && (names_a_bank(&text[..start], name, &text[end..]) || names_a_gate(name))
                {
                    continue;
                }
                // 湖南|乡下 is no 湖南乡; a town's 镇 ends its name whatever follows (博鳌镇东).
                if self.township_only.contains(name) && name.ends_with('乡') && !is_boundary(end) {
                    continue;
                }
                let mut candidates: Vec<RegionCode> =
                    entries.iter().map(|(code, _)| *code).collect();
                // Right after a region's name, a short form that is also one of its townships
                // without the ending is that township (朝阳区高碑店 is 朝阳区's 高碑店乡, not
                // 高碑店市).
                if all_short
                    && let Some(before) = found.last().filter(|m| m.end == start)
                    && let Some(counties) = self.township_stems.get(name)
                {
                    let held: Vec<RegionCode> = counties
                        .iter()
                        .copied()
                        .filter(|c| before.candidates.iter().any(|b| c.is_within(*b)))
                        .collect();
                    if !held.is_empty() {
                        candidates = held;
                    }
                }
                matched = Some((len, start, end, candidates));
                break;
            }
            // 青岛市南区 is 青岛 + 市南区: a city's 市 may begin a district's name.
            if let Some((len, start, end, _)) = matched
                && len > 2
                && text[..end].ends_with('市')
            {
                let shorter_end = end - '市'.len_utf8();
                let district_follows = (3..=self.longest.min(starts.len() - (i + len - 1)))
                    .rev()
                    .any(|n| {
                        let to = starts.get(i + len - 1 + n).copied().unwrap_or(text.len());
                        self.names.contains_key(&text[shorter_end..to])
                    });
                if district_follows && let Some(entries) = self.names.get(&text[start..shorter_end])
                {
                    let candidates = entries.iter().map(|(code, _)| *code).collect();
                    matched = Some((len - 1, start, shorter_end, candidates));
                }
            }
            match matched {
                Some((len, start, end, candidates)) => {
                    found.push(Mention {
                        text: text[start..end].to_owned(),
                        start,
                        end,
                        candidates,
                    });
                    i += len;
                }
                None => i += 1,
            }
        }
        found
    }

    /// Whether the short form ending at `end` begins a road's, park's, shop's … name: a landmark
    /// word follows it (中山路, 紫云轩), unless that word begins another region's name (重庆江北区
    /// is 重庆 + 江北区) or a word for where in the region (松江大学城, 下关江边).
    fn names_a_landmark(&self, text: &str, end: usize) -> bool {
        let rest = &text[end..];
        if !LANDMARK_WORDS.iter().any(|w| rest.starts_with(w)) {
            return false;
        }
        !self.begins_with_a_name(rest) && !NOT_LANDMARKS.iter().any(|w| rest.starts_with(w))
    }

    /// The length in characters of a guarded short form at `i` that names a region held by the
    /// name just before it (佛山 + 南海), if there is one.
    fn guarded_after(
        &self,
        text: &str,
        starts: &[usize],
        i: usize,
        before: Option<&Mention>,
    ) -> Option<usize> {
        let before = before.filter(|m| m.end == starts[i])?;
        (2..=4.min(starts.len() - i)).rev().find(|&len| {
            let end = starts.get(i + len).copied().unwrap_or(text.len());
            self.guarded
                .get(&text[starts[i]..end])
                .is_some_and(|codes| codes.iter().any(|c| before.holds(*c)))
                && !self.names_a_landmark(text, end)
        })
    }

    /// Townships named without their ending in the text, `shortest` characters or longer and
    /// outside the names found (南山区 holds no 南山街道): for each, the counties that have it.
    fn township_stems_in<'g>(
        &'g self,
        text: &str,
        mentions: &[Mention],
        shortest: usize,
    ) -> Vec<(&'g str, &'g [RegionCode])> {
        let starts: Vec<usize> = text.char_indices().map(|(i, _)| i).collect();
        let mut found = Vec::new();
        for i in 0..starts.len() {
            for len in shortest..=self.longest_stem.min(starts.len() - i) {
                let (start, end) = (
                    starts[i],
                    starts.get(i + len).copied().unwrap_or(text.len()),
                );
                if mentions.iter().any(|m| start < m.end && m.start < end) {
                    continue;
                }
                if let Some((stem, counties)) = self.township_stems.get_key_value(&text[start..end])
                {
                    found.push((stem.as_str(), counties.as_slice()));
                }
            }
        }
        found
    }

    /// The one county of the city `best` (a prefecture, or a municipality) whose township the
    /// text names without its ending; otherwise `best`.
    fn descend_by_township(
        &self,
        text: &str,
        mentions: &[Mention],
        best: RegionCode,
    ) -> RegionCode {
        let city = match best.level() {
            RegionLevel::Prefecture => true,
            RegionLevel::Province => MUNICIPALITIES.contains(&best.to_string().as_str()),
            _ => false,
        };
        if !city {
            return best;
        }
        // Names that point elsewhere (广安 in 北京广安门外) do not hide a township's name.
        let agreeing: Vec<Mention> = mentions
            .iter()
            .filter(|m| {
                m.candidates
                    .iter()
                    .any(|c| best.is_within(*c) || c.is_within(best))
            })
            .cloned()
            .collect();
        let mut counties: Vec<RegionCode> = self
            .township_stems_in(text, &agreeing, 2)
            .into_iter()
            .flat_map(|(_, counties)| counties)
            .copied()
            .filter(|c| c.is_within(best))
            .collect();
        counties.sort();
        counties.dedup();
        match counties.as_slice() {
            [county] => *county,
            _ => best,
        }
    }

    /// With no region named: the county of a township named without its ending (华强北 of
    /// 华强北街道), when the name has three characters or more and one county in the country
    /// has it.
    fn township_alone(&self, text: &str, mentions: &[Mention]) -> Option<RegionCode> {
        let mut counties: Vec<RegionCode> = self
            .township_stems_in(text, mentions, 3)
            .into_iter()
            .filter(|(stem, _)| !stem.ends_with(GENERIC_PLACE_ENDINGS))
            .map(|(_, counties)| counties)
            .filter_map(|found| match found {
                [county] => Some(*county),
                _ => None,
            })
            .collect();
        counties.sort();
        counties.dedup();
        match counties.as_slice() {
            [county] => Some(*county),
            _ => None,
        }
    }

    /// Resolves the place a text names.
    pub fn locate(&self, text: &str) -> Place {
        let mut mentions = self.mentions(text);
        let mut narrowed = narrow_by_context(&mut mentions);
        if mentions.iter().any(|m| m.candidates.len() > 1) {
            let counties: Vec<RegionCode> = self
                .township_stems_in(text, &mentions, 2)
                .into_iter()
                .flat_map(|(_, counties)| counties)
                .copied()
                .collect();
            for (mention, narrowed) in mentions.iter_mut().zip(narrowed.iter_mut()) {
                if mention.candidates.len() < 2 {
                    continue;
                }
                let held: Vec<RegionCode> = mention
                    .candidates
                    .iter()
                    .copied()
                    .filter(|c| counties.iter().any(|county| county.is_within(*c)))
                    .collect();
                if !held.is_empty() && held.len() < mention.candidates.len() {
                    mention.candidates = held;
                    *narrowed = true;
                }
            }
        }
        for (mention, narrowed) in mentions.iter_mut().zip(narrowed) {
            // A township's candidates are all counties, whatever level stands in for a
            // development zone's (金山街道 is in 荷塘区 and under 驻马店市 both): none is the
            // highest unit of that name.
            let township = TOWNSHIP_SUFFIXES.iter().any(|e| mention.text.ends_with(e));
            if !narrowed
                && !township
                && let Some(top) = mention.candidates.iter().map(|c| c.level()).min()
            {
                mention.candidates.retain(|c| c.level() == top);
            }
        }
        let certain: Vec<RegionCode> = mentions
            .iter()
            .map(|m| common_ancestor(&m.candidates))
            .collect();
        // The region most names agree with (a district with its city counts both); between names
        // that disagree, the first one named.
        let best = certain
            .iter()
            .enumerate()
            .filter(|(_, code)| **code != RegionCode::NATIONAL)
            .max_by_key(|(index, code)| {
                let support = mentions
                    .iter()
                    .filter(|m| m.candidates.iter().any(|c| code.is_within(*c)))
                    .count();
                (support, std::cmp::Reverse(*index))
            })
            .map(|(_, code)| *code);
        // Within a city named, a township named without its ending in one of its counties
        // gives the county (上海 … 南京东路 → 黄浦区; 沈阳太原街 → 和平区).
        let best = best
            .map(|b| self.descend_by_township(text, &mentions, b))
            .or_else(|| self.township_alone(text, &mentions));
        let alternatives = mentions
            .iter()
            .filter(|m| m.candidates.len() > 1)
            .filter(|m| best.is_none_or(|b| m.candidates.iter().all(|c| c.is_within(b))))
            .flat_map(|m| m.candidates.iter().copied())
            .collect::<Vec<_>>();
        let mut alternatives_unique = Vec::new();
        for code in alternatives {
            if !alternatives_unique.contains(&code) {
                alternatives_unique.push(code);
            }
        }
        let address = mentions.last().and_then(|m| street_address(&text[m.end..]));
        Place {
            region: best,
            alternatives: alternatives_unique,
            address,
            mentions,
        }
    }
}

/// Whether a short form between `before` and `rest` is a river's, lake's or hill's side, not a
/// region: it begins or ends with a water or hill word and a side follows (萍水河南岸, 北山东头,
/// 小黑河北岸), or it is a side right after such a word (萍水河|南岸).
fn names_a_bank(before: &str, short: &str, rest: &str) -> bool {
    const LAND: &[char] = &['河', '湖', '江', '山'];
    const SIDES: &[char] = &['岸', '畔', '边', '头', '坡', '沿'];
    const DIRECTIONS: &[char] = &['东', '西', '南', '北'];
    let side = rest.trim_start_matches(DIRECTIONS).starts_with(SIDES);
    (side && (short.starts_with(LAND) || short.ends_with(LAND)))
        || (before.ends_with(LAND) && short.starts_with(DIRECTIONS) && short.ends_with(SIDES))
}

/// Whether a short form is a gate's name (北门 of 公园北门, not 北门区).
fn names_a_gate(short: &str) -> bool {
    let mut chars = short.chars();
    matches!(
        (chars.next(), chars.next(), chars.next()),
        (Some(side), Some(door), None) if is_gate(side, door)
    )
}

/// Whether two characters are a gate by its side (东门, 北门): a place, not a region, and what a
/// chain's branch may be named by.
pub(crate) fn is_gate(side: char, door: char) -> bool {
    door == '门' && "东西南北".contains(side)
}

/// Whether a former unit's short form is rare enough in general Chinese to stand for it: 卢湾,
/// 南汇 and 川沙 are; 公园 (of 公园区), 东郊 and 南城 are everyday words.
fn rare_enough(short: &str) -> bool {
    const FORMER_SHORT_FORM_RARITY: f64 = 13.5;
    crate::Tokenizer::shared().rarity(short) >= FORMER_SHORT_FORM_RARITY
}

/// Short forms of a region's name: without its administrative suffix, or, for an autonomous
/// region, without the peoples it is named for. Shorter than two characters is no name.
fn short_forms(name: &str) -> Vec<String> {
    let mut forms = Vec::new();
    if name.contains("自治") {
        if let Some(cut) = ETHNIC_MARKERS.iter().filter_map(|m| name.find(m)).min() {
            forms.push(name[..cut].to_owned());
        } else if let Some(cut) = name.find("自治") {
            forms.push(name[..cut].to_owned());
        }
    } else if let Some(stripped) = SUFFIXES.iter().find_map(|s| name.strip_suffix(s)) {
        forms.push(stripped.to_owned());
    }
    forms.retain(|f| f.chars().count() >= 2 && f != name);
    forms
}

/// Keeps only the candidates of an ambiguous name that lie inside a region named elsewhere in the
/// text (鼓楼区 with 南京 → 南京市鼓楼区), where there are any. Says which mentions it narrowed.
fn narrow_by_context(mentions: &mut [Mention]) -> Vec<bool> {
    let named: Vec<(usize, String, Vec<RegionCode>)> = mentions
        .iter()
        .enumerate()
        .map(|(i, m)| (i, m.text.clone(), m.candidates.clone()))
        .collect();
    let mut narrowed = vec![false; mentions.len()];
    for (i, mention) in mentions.iter_mut().enumerate() {
        if mention.candidates.len() < 2 {
            continue;
        }
        let supported_by = |same: bool| -> Vec<RegionCode> {
            mention
                .candidates
                .iter()
                .copied()
                .filter(|c| {
                    named.iter().any(|(j, text, others)| {
                        *j != i
                            && others.iter().any(|o| {
                                if same {
                                    o == c && *text != mention.text
                                } else {
                                    o != c && c.is_within(*o)
                                }
                            })
                    })
                })
                .collect()
        };
        // Another name for a wider region that holds it (南京 for 鼓楼区); failing that, another
        // name for the same one (观音桥街道 beside 江北, both naming 江北区 of 重庆).
        let mut supported = supported_by(false);
        if supported.is_empty() {
            supported = supported_by(true);
        }
        if supported.len() == mention.candidates.len() {
            continue;
        }
        if !supported.is_empty() {
            mention.candidates = supported;
            narrowed[i] = true;
        }
    }
    narrowed
}

/// The most precise region that contains every candidate.
fn common_ancestor(candidates: &[RegionCode]) -> RegionCode {
    let Some(first) = candidates.first() else {
        return RegionCode::NATIONAL;
    };
    first
        .ancestry()
        .find(|ancestor| candidates.iter().all(|c| c.is_within(*ancestor)))
        .unwrap_or(RegionCode::NATIONAL)
}

/// The street-level address at the start of `rest`: up to the end of the clause, cut after its
/// last address word.
fn street_address(rest: &str) -> Option<String> {
    let rest = rest.trim_start_matches(['的', ' ', '，', ',']);
    let clause = rest.split(CLAUSE_END).next().unwrap_or("");
    let cut = clause
        .char_indices()
        .rfind(|(_, c)| ADDRESS_END.contains(c))
        .map(|(i, c)| i + c.len_utf8())?;
    let address = &clause[..cut];
    (address.chars().count() >= 2).then(|| address.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn locate(text: &str) -> Place {
        Gazetteer::shared().locate(text)
    }

    fn code(text: &str) -> Option<RegionCode> {
        locate(text).region
    }

    fn region(code: &str) -> Option<RegionCode> {
        RegionCode::parse(code).ok()
    }

    #[test]
    fn a_city_and_its_district_abbreviated_resolve_to_the_district() {
        assert_eq!(code("广州天河那边有个工地半夜施工"), region("440106"));
        assert_eq!(code("浦东有家化工厂排废气"), region("310115"));
        assert_eq!(code("深圳市南山区科技园南路12号"), region("440305"));
    }

    #[test]
    fn chongqings_large_districts_and_jiayuguan_are_placed() {
        assert_eq!(code("重庆市渝北区龙溪街道有工地夜间施工"), region("500112"));
        assert_eq!(code("渝北那边有个厂排黑烟"), region("500112"));
        assert_eq!(code("嘉峪关市雄关区有家炼钢厂冒黄烟"), region("620201"));
        // 江北区 is also a district of 宁波: with 重庆 named it is Chongqing's.
        assert_eq!(code("重庆江北区观音桥步行街油烟扰民"), region("500105"));
        assert_eq!(code("宁波江北区有个化工厂"), region("330205"));
    }

    #[test]
    fn a_county_level_city_alone_is_found_with_its_prefecture_and_province() {
        let place = locate("昆山这边河里全是死鱼");
        assert_eq!(place.region, region("320583"));
        let (province, city, county) = place.levels();
        assert_eq!(province.map(|c| c.name()), Some("江苏省"));
        assert_eq!(city.map(|c| c.name()), Some("苏州市"));
        assert_eq!(county.map(|c| c.name()), Some("昆山市"));
    }

    #[test]
    fn a_district_name_shared_by_several_cities_is_not_guessed() {
        let place = locate("朝阳区有个烧烤店油烟很大");
        assert_eq!(place.region, None, "{place:?}");
        assert!(
            place
                .alternatives
                .contains(&RegionCode::parse("110105").expect("code"))
        );
        assert_eq!(place.levels().1, None);
        assert_eq!(code("北京朝阳这边工地太吵"), region("110105"));
    }

    #[test]
    fn a_city_named_nearby_settles_a_shared_district_name() {
        assert_eq!(code("南京鼓楼区中山北路有饭店油烟扰民"), region("320106"));
        assert_eq!(code("我在鼓楼区，就是南京的鼓楼"), region("320106"));
        // Only the province is named: four 鼓楼区 are two in 江苏, so the province is certain.
        assert_eq!(code("江苏鼓楼区"), region("320000"));
    }

    #[test]
    fn a_bare_short_form_is_the_highest_unit_of_that_name() {
        assert_eq!(code("河南这边农村烧秸秆"), region("410000"));
        assert_eq!(code("西安有个工地"), region("610100"));
    }

    #[test]
    fn a_citys_last_character_may_begin_a_districts_name() {
        assert_eq!(code("青岛市南区有家酒吧"), region("370202"));
        assert_eq!(code("青岛市有家酒吧"), region("370200"));
    }

    #[test]
    fn road_and_shop_names_are_not_regions() {
        assert_eq!(code("中山路上有家饭店油烟很大"), None);
        assert_eq!(code("楼下小店天天放音乐"), None);
        assert_eq!(code("北京路步行街"), None);
        // 南皮 (县) lies across 江南 and 皮革厂.
        assert_eq!(code("江南皮革厂旁边那条河又黑又臭"), None);
    }

    #[test]
    fn a_rivers_or_hills_side_and_a_gate_are_no_regions() {
        assert_eq!(code("我家住萍水河南边，对面那个厂"), None);
        assert_eq!(code("溱东镇河南岸那户人家"), code("溱东镇"));
        assert_eq!(code("广武镇北山东头那个石料厂"), None);
        assert_eq!(code("小黑河边上那个厂又在弄了"), None);
        assert_eq!(code("小黑河北岸那个皮革厂"), None);
        assert_eq!(code("西彭那个做铝材的厂，我只晓得是台湾老板开的"), None);
        assert_eq!(code("那一带冬天全结冰了"), None);
        assert_eq!(code("劳动公园北门那边有个烧烤店"), None);
        // The province itself still is one.
        assert_eq!(code("河南那边的厂"), region("410000"));
    }

    #[test]
    fn a_township_alone_that_several_counties_have_places_nothing() {
        assert_eq!(code("金山街道有个厂"), None);
        assert_eq!(code("荷塘区金山街道金山工业园内"), region("430202"));
    }

    #[test]
    fn a_word_for_where_in_a_region_is_no_landmark_name() {
        assert_eq!(code("松江大学城附近有人露天焚烧垃圾"), region("310117"));
        assert_eq!(code("南京下关江边那个码头装卸煤炭"), region("320106"));
        assert_eq!(code("长春路上那个烧烤店天天冒烟"), None);
    }

    #[test]
    fn a_named_place_without_its_city_places_the_text() {
        assert_eq!(code("王府井那边一家烧烤店油烟大"), region("110101"));
        assert_eq!(code("洪崖洞旁边的火锅店油烟直排"), region("500103"));
        // The longer name is read first: 沈阳故宫 is not 北京's 故宫.
        assert_eq!(code("沈阳故宫附近有个工地夜里施工"), region("210103"));
    }

    #[test]
    fn a_town_is_named_by_its_old_town_and_whatever_follows_its_ending() {
        assert_eq!(
            code("周庄古镇里面有人往河里倒垃圾"),
            None,
            "several counties"
        );
        assert_eq!(code("嘉兴西塘古镇河边的民宿烧柴火"), region("330421"));
        assert_eq!(code("博鳌镇上有家海鲜排档油烟直排"), region("469002"));
    }

    #[test]
    fn a_former_city_is_its_city_now_and_its_short_form_stays_the_districts() {
        // 淮阴市 became 淮安市 in 2001; 淮阴区 is one of its districts.
        assert_eq!(code("淮阴市有家化工厂晚上排气"), region("320800"));
        assert_eq!(code("淮安淮阴那边有家化工厂晚上排气"), region("320804"));
        assert_eq!(code("襄樊这边有个石材厂粉尘大"), region("420600"));
    }

    #[test]
    fn a_former_units_everyday_short_form_names_nothing() {
        // 公园区 of 汕头 (merged 1991): 公园 is a park.
        assert_eq!(code("公园里的湖水发绿发臭，还有死鱼"), None);
        assert_eq!(code("汕头公园区那边有个工地"), region("440511"));
        assert_eq!(code("上海川沙那边有个养猪场"), region("310115"));
        assert_eq!(code("北京通县有家小作坊烧塑料"), region("110112"));
    }

    #[test]
    fn a_short_form_right_after_a_region_may_be_one_of_its_townships() {
        // 高碑店 is a county-level city of 保定 and an area (地区) of 朝阳区 in 北京.
        assert_eq!(code("朝阳区高碑店那边有家作坊喷漆"), region("110105"));
        assert_eq!(code("高碑店那边有家作坊喷漆"), region("130684"));
        assert_eq!(code("北京大兴旧宫有个工地夜里施工"), region("110115"));
    }

    #[test]
    fn a_current_district_keeps_its_short_form_from_a_former_county_of_its_city() {
        // 武昌县 is 江夏区 now; 武昌 is 武昌区.
        assert_eq!(code("武汉武昌那边有个工地夜里打桩"), region("420106"));
        assert_eq!(code("天津蓟县山里有人偷偷开采石头"), region("120119"));
    }

    #[test]
    fn an_idiom_or_a_dish_names_no_place() {
        assert_eq!(code("情况和上回大同小异，还是夜里排气"), None);
        assert_eq!(code("楼下扬州炒饭店的油烟太大"), None);
        assert_eq!(code("河边那条小河里全是死鱼"), None);
    }

    #[test]
    fn every_named_place_lies_in_a_region_of_the_table_and_is_no_region_name() {
        let regions: HashSet<String> = RegionCode::all().map(|r| r.name.clone()).collect();
        let mut rows = 0;
        for row in data_rows(LANDMARKS) {
            assert_eq!(row.len(), 4, "{row:?}");
            let code = RegionCode::parse(row[1]).unwrap_or_else(|e| panic!("{row:?}: {e}"));
            assert_eq!(code.name(), row[2], "{row:?}");
            assert!(!regions.contains(row[0]), "{row:?}");
            rows += 1;
        }
        assert!(rows > 400, "{rows}");
    }

    #[test]
    fn a_township_alone_places_a_text_only_where_one_county_has_it() {
        // 回龙观 (地区 / 街道) is in 昌平区 alone.
        assert_eq!(code("回龙观这边一个拌合站晚上加班"), region("110114"));
        // 科技园街道 is in 洛龙区 alone, but a 科技园 is in every city.
        assert_eq!(code("科技园南路88号那个工地晚上施工"), None);
        // 湖南乡 (临川区) is no township in 湖南|乡下.
        assert_eq!(
            code("湖南乡下有个养猪场的粪水直接排到河里"),
            region("430000")
        );
    }

    #[test]
    fn an_everyday_word_names_a_district_right_after_its_city() {
        assert_eq!(code("佛山南海有个铝型材厂酸雾很大"), region("440605"));
        assert_eq!(code("南海有个铝型材厂酸雾很大"), None);
    }

    #[test]
    fn a_township_named_without_its_ending_places_a_city_case_in_its_county() {
        assert_eq!(code("上海南京东路有家店铺外放音响"), region("310101"));
        assert_eq!(code("沈阳太原街商场后面垃圾堆了一星期"), region("210102"));
        // 广安 (市) points elsewhere; 广安门外街道 is in 西城区.
        assert_eq!(code("北京广安门外一个工地夜里还在施工"), region("110102"));
    }

    #[test]
    fn the_street_address_after_the_region_is_returned() {
        let place = locate("深圳市南山区科技园南路12号旁边的工地，晚上很吵");
        assert_eq!(place.address.as_deref(), Some("科技园南路12号"));
    }

    #[test]
    fn short_forms_drop_suffixes_and_peoples() {
        assert_eq!(short_forms("浦东新区"), ["浦东"]);
        assert_eq!(short_forms("延边朝鲜族自治州"), ["延边"]);
        assert_eq!(short_forms("黔西南布依族苗族自治州"), ["黔西南"]);
        assert_eq!(short_forms("广西壮族自治区"), ["广西"]);
        assert!(short_forms("城区").is_empty());
    }
}
