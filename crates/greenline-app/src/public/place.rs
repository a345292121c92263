//! The place a published result shows: the address cut after its road, street or compound.
//!
//! A reporter's address often leads to their door ("幸福小区5栋2单元301"); a published
//! result names the county (from the case's region) and the road or compound, never a house,
//! building, unit or room number. The rule:
//!
//! 1. the address is read up to the first **road or compound word** — 大道, 大街, 公路, 国道,
//!    省道, 县道, 高速, 胡同, 路, 街, 道, 巷, 弄 (roads); 小区, 花园, 新村, 社区, 工业园, 产业园,
//!    科技园, 园区, 广场, 大厦, 村, 苑 (compounds). 街道 and 镇/乡 are administrative areas, not
//!    roads, and are read past; a road word right after a compound word belongs to it
//!    (新村路);
//! 2. without such a word, the address is read up to its first digit, except a road's own
//!    number (107国道, G4京港澳高速, 2号路);
//! 3. nothing after the road word is kept, so no house number ("深南大道10000号" →
//!    "深南大道"), and no trailing separator.
//!
//! Landmarks after the road ("腾讯大厦北侧") are dropped with the rest: they may sit next to a
//! reporter's home as easily as next to the polluter.

/// Road and compound words, longest first so that 大道 is read before 道.
const PLACE_WORDS: &[&str] = &[
    "工业园",
    "产业园",
    "科技园",
    "大道",
    "大街",
    "公路",
    "国道",
    "省道",
    "县道",
    "高速",
    "胡同",
    "小区",
    "花园",
    "新村",
    "社区",
    "园区",
    "广场",
    "大厦",
    "路",
    "街",
    "道",
    "巷",
    "弄",
    "村",
    "苑",
];

/// Administrative words that contain a road word but are not roads.
const AREA_WORDS: &[&str] = &["街道", "街道办"];

/// Road words that may follow a compound word as part of one name (新村路, 花园街).
const ROAD_TAILS: &[&str] = &["大道", "大街", "路", "街", "道", "巷"];

/// Road words that a number may precede as part of the road's name.
const NUMBERED_ROADS: &[&str] = &["国道", "省道", "县道", "高速", "号路", "路"];

fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || ('０'..='９').contains(&c)
}

fn word_at<'a>(chars: &[char], at: usize, words: &[&'a str]) -> Option<&'a str> {
    words.iter().copied().find(|w| {
        w.chars()
            .enumerate()
            .all(|(i, c)| chars.get(at + i) == Some(&c))
    })
}

/// The public part of `address` (see the module doc); empty when nothing of it may be shown.
pub fn public_place(address: &str) -> String {
    let chars: Vec<char> = address.trim().chars().collect();
    let mut end = None;
    let mut i = 0;
    while i < chars.len() {
        if is_digit(chars[i]) {
            // A road's number belongs to its name (107国道, G4京港澳高速); any other is a
            // house's.
            let mut j = i;
            while chars.get(j).copied().is_some_and(is_digit) {
                j += 1;
            }
            let road_class = i > 0
                && matches!(chars[i - 1], 'G' | 'S' | 'X' | 'Y')
                && (i == 1 || !chars[i - 2].is_ascii_alphanumeric());
            if road_class || word_at(&chars, j, NUMBERED_ROADS).is_some() {
                i = j;
                continue;
            }
            break;
        }
        if let Some(area) = word_at(&chars, i, AREA_WORDS) {
            i += area.chars().count();
            continue;
        }
        if let Some(word) = word_at(&chars, i, PLACE_WORDS) {
            let mut stop = i + word.chars().count();
            if let Some(tail) = word_at(&chars, stop, ROAD_TAILS)
                && word_at(&chars, stop, AREA_WORDS).is_none()
            {
                stop += tail.chars().count();
            }
            end = Some(stop);
            break;
        }
        i += 1;
    }
    let end = end.unwrap_or(i);
    let kept: String = chars[..end].iter().collect();
    kept.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '，' | ',' | '、' | '-' | '－' | '（' | '(' | '#' | '＃')
    })
    .to_owned()
}

#[cfg(test)]
mod tests {
    use super::public_place;

    #[test]
    fn an_address_is_cut_after_its_road_or_compound() {
        for (address, place) in [
            ("深南大道10000号腾讯大厦北侧", "深南大道"),
            ("高新南七道18号科技园3栋1201", "高新南七道"),
            ("幸福小区5栋2单元301", "幸福小区"),
            ("龙岗区坂田街道五和大道南1号", "龙岗区坂田街道五和大道"),
            ("河西路88号", "河西路"),
            ("新村路12号", "新村路"),
            ("石岩街道塘头村3组", "石岩街道塘头村"),
            ("碧水花园二期8栋", "碧水花园"),
            ("建设路与人民路交叉口东南角", "建设路"),
            ("107国道旁石料厂", "107国道"),
            ("G4京港澳高速K1234+500处", "G4京港澳高速"),
            ("工业区2号路3号", "工业区2号路"),
            ("某某化工厂后门", "某某化工厂后门"),
            ("城中某工地3号门", "城中某工地"),
            ("  ", ""),
            ("光明区公明街道", "光明区公明街道"),
            ("南山区桃源街道龙珠四路2号", "南山区桃源街道龙珠四路"),
            ("王府井大街1号", "王府井大街"),
            ("锦绣苑A座", "锦绣苑"),
        ] {
            assert_eq!(public_place(address), place, "{address}");
        }
    }

    #[test]
    fn no_digit_of_a_house_building_or_room_is_kept() {
        for address in [
            "高新南七道18号科技园3栋1201",
            "幸福小区5栋2单元301室",
            "某某工业园A区3号厂房",
            "XX镇XX村XX组28号",
        ] {
            let place = public_place(address);
            assert!(
                !place.chars().any(|c| c.is_ascii_digit()),
                "{address} → {place}"
            );
        }
    }
}
