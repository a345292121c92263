//! Masking reporters' identities in free text (个人信息遮蔽).
//!
//! Citizens type their phone, name or ID number into the description as often as into the
//! fields meant for them ("我叫张三，电话138…"). Staff whose role may not read the reporter
//! (analysts), exports without personal data and public pages must see such text masked. This
//! module is the one masker they all use: [`mask`] replaces, in any free text,
//!
//! - mainland mobile numbers (11 digits from 13–19, with spaces or dashes, `+86`/`0086`, full-width
//!   digits), landlines with an area code (`0755-88889999`, `（010）62345678`) → `[电话]`;
//! - 18-digit resident identity numbers (a plausible birth date inside, `X` allowed last) →
//!   `[证件号]`;
//! - e-mail addresses → `[邮箱]`;
//! - QQ and WeChat ids after their cue words (QQ, 微信, vx …) → `[账号]`;
//! - personal names after cue words (我叫, 本人, 联系人, 姓名, 举报人, 投诉人, 姓 …): a surname
//!   from `data/text/surnames.txt` with one or two given characters, or with an honorific
//!   (王女士) → `[姓名]`; after 我是 only when the name ends at punctuation or carries a title
//!   (我是刘芳， / 我是吴老师 but not 我是周边居民); and a surname with 先生/女士/小姐 anywhere;
//! - a landline's extension with it (`0755-12345678转8021`, `-123`, `分机206`);
//! - and, when the case's reporter is known ([`Identity`]), their name and phone wherever they
//!   are written, verbatim (the phone in any spacing).
//!
//! What it leaves alone, on purpose: dates and times (2026-11-27 23:30), amounts, decibels,
//! tracking and work-order numbers (`GL20261127-0000123`), plates (粤B12345: [`mask_public`]
//! masks them too, for public outputs), addresses and
//! house numbers, service numbers (12369, 12345, 400-…), short local numbers without an area
//! code (unless they are the reporter's own), and a name written without a cue word (unless it
//! is the reporter's own). A name is only taken after a cue when what follows it ends a name
//! (punctuation, or a word such as 住, 反映, 电话): "本人曾多次投诉" stays as it is. The
//! labelled examples in `tests/pii.rs` are the specification; `tests/pii_set.rs` measures
//! recall and precision of [`mask_public`] on a labelled set of sentences.
//!
//! Masks are fixed Chinese marks, so a masked text reads naturally and says what was there.

use std::borrow::Cow;
use std::collections::HashSet;
use std::sync::LazyLock;

/// What replaces a phone number.
pub const PHONE_MARK: &str = "[电话]";
/// What replaces a person's name.
pub const NAME_MARK: &str = "[姓名]";
/// What replaces a resident identity number.
pub const ID_MARK: &str = "[证件号]";
/// What replaces an e-mail address.
pub const EMAIL_MARK: &str = "[邮箱]";
/// What replaces a QQ or WeChat id.
pub const ACCOUNT_MARK: &str = "[账号]";
/// What replaces a vehicle's plate number (public outputs only: see [`mask_public`]).
pub const PLATE_MARK: &str = "[车牌]";

pub(crate) const SURNAMES: &str = include_str!("../data/text/surnames.txt");

/// The reporter of the case the text belongs to, when known: their own name and phone are
/// masked wherever they appear, with or without a cue word.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Identity {
    pub name: Option<String>,
    pub phone: Option<String>,
}

struct Surnames {
    single: HashSet<char>,
    double: HashSet<[char; 2]>,
}

/// Loads the surname table (see [`crate::load_tables`]).
pub(crate) fn load_tables() {
    LazyLock::force(&SURNAME_TABLE);
}

/// Whether `c` is a one-character surname (张, 陈, 覃 …).
pub(crate) fn is_surname(c: char) -> bool {
    SURNAME_TABLE.single.contains(&c)
}

static SURNAME_TABLE: LazyLock<Surnames> = LazyLock::new(|| {
    let mut table = Surnames {
        single: HashSet::new(),
        double: HashSet::new(),
    };
    for line in SURNAMES.lines().map(str::trim) {
        if line.starts_with('#') {
            continue;
        }
        let chars: Vec<char> = line.chars().collect();
        match chars.as_slice() {
            [one] => {
                table.single.insert(*one);
            }
            [a, b] => {
                table.double.insert([*a, *b]);
            }
            _ => {}
        }
    }
    table
});

/// Words that introduce a person's name.
const NAME_CUES: &[&str] = &[
    "我的名字叫",
    "名字叫",
    "名字是",
    "我叫",
    "名叫",
    "本人",
    "联系人",
    "姓名",
    "举报人",
    "投诉人",
    "来电人",
    "反映人",
    "署名",
    "法定代表人",
    "法人代表",
    "负责人",
];

/// Words that introduce a QQ or WeChat id.
const ACCOUNT_CUES: &[&str] = &[
    "微信号",
    "微信",
    "QQ号",
    "QQ",
    "qq",
    "扣扣",
    "vx",
    "VX",
    "Vx",
    "wx",
    "WX",
    "V信",
    "v信",
];

/// Titles that may follow a surname in place of the given name (王女士, 张师傅).
const HONORIFICS: &[&str] = &[
    "先生", "女士", "小姐", "老师", "师傅", "阿姨", "大爷", "大妈", "同志", "老板", "经理", "工",
    "总", "姐", "哥",
];

/// Characters that are not part of a given name: they end a name, or show that what follows a
/// cue is an ordinary phrase (本人曾多次…, 本人于上周…).
const NOT_NAME: &str = "的了在住家是和与及或反举投电手联号身今昨前后上下多次经曾因对向从于把被就也都还要想\
     说称请现已等年月日个们去来到过看听打给让叫找问告希望求发拨微邮不没很太非常度关注居附近";

fn is_cjk(c: char) -> bool {
    ('\u{4e00}'..='\u{9fff}').contains(&c)
}

fn digit(c: char) -> Option<u8> {
    match c {
        '0'..='9' => Some(c as u8 - b'0'),
        '０'..='９' => Some((c as u32 - '０' as u32) as u8),
        _ => None,
    }
}

/// A phone's digits as written, without a country prefix.
fn national_digits(digits: &str) -> &str {
    for prefix in ["0086", "86"] {
        if let Some(rest) = digits.strip_prefix(prefix)
            && rest.len() == 11
            && rest.starts_with('1')
        {
            return rest;
        }
    }
    digits
}

/// A part of the text to replace, in char positions.
#[derive(Debug, Clone, Copy)]
struct Span {
    start: usize,
    end: usize,
    mark: &'static str,
}

/// `text` with every identity it holds replaced by its mark (see the module doc); borrowed
/// unchanged when there is none.
pub fn mask<'a>(text: &'a str, known: &Identity) -> Cow<'a, str> {
    mask_with(text, known, false)
}

/// What [`mask`] does, and vehicle plate numbers (粤B12345, 京A·D12345, 苏E12345F) replaced by
/// [`PLATE_MARK`]: for what the public reads (published results, feeds, public figures). A
/// plate in a complaint is usually the polluter's truck, which the handling staff and the
/// analysts need to see; in public it names a vehicle's owner, who may be the reporter or a
/// neighbour, so it is masked there.
pub fn mask_public<'a>(text: &'a str, known: &Identity) -> Cow<'a, str> {
    mask_with(text, known, true)
}

fn mask_with<'a>(text: &'a str, known: &Identity, with_plates: bool) -> Cow<'a, str> {
    let chars: Vec<char> = text.chars().collect();
    let mut spans = Vec::new();
    known_name(&chars, known, &mut spans);
    emails(&chars, &mut spans);
    numbers(&chars, known, &mut spans);
    accounts(&chars, &mut spans);
    names(&chars, &mut spans);
    if with_plates {
        plates(&chars, &mut spans);
    }
    if spans.is_empty() {
        return Cow::Borrowed(text);
    }
    // Earliest first, the longest of those starting together; overlaps are dropped.
    spans.sort_by_key(|s| (s.start, std::cmp::Reverse(s.end)));
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for span in spans {
        if span.start < at {
            continue;
        }
        out.extend(&chars[at..span.start]);
        out.push_str(span.mark);
        at = span.end;
    }
    out.extend(&chars[at..]);
    Cow::Owned(out)
}

/// Whether `needle` occurs in `chars` at `at`.
fn starts_with_at(chars: &[char], at: usize, needle: &str) -> bool {
    (at..)
        .zip(needle.chars())
        .all(|(i, c)| chars.get(i) == Some(&c))
}

fn known_name(chars: &[char], known: &Identity, spans: &mut Vec<Span>) {
    let Some(name) = known.name.as_deref().map(str::trim) else {
        return;
    };
    let len = name.chars().count();
    // One character is a surname or a word, not an identity.
    if len < 2 {
        return;
    }
    let mut i = 0;
    while i + len <= chars.len() {
        if starts_with_at(chars, i, name) {
            spans.push(Span {
                start: i,
                end: i + len,
                mark: NAME_MARK,
            });
            i += len;
        } else {
            i += 1;
        }
    }
}

fn emails(chars: &[char], spans: &mut Vec<Span>) {
    let local = |c: char| c.is_ascii_alphanumeric() || "._%+-".contains(c);
    let domain = |c: char| c.is_ascii_alphanumeric() || c == '.' || c == '-';
    for (at, c) in chars.iter().enumerate() {
        if *c != '@' && *c != '＠' {
            continue;
        }
        let mut start = at;
        while start > 0 && local(chars[start - 1]) {
            start -= 1;
        }
        let mut end = at + 1;
        while end < chars.len() && domain(chars[end]) {
            end += 1;
        }
        // A domain does not end with its dot ("…@qq.com。").
        while end > at + 1 && chars[end - 1] == '.' {
            end -= 1;
        }
        let host: String = chars[at + 1..end].iter().collect();
        let dotted = host.split('.').filter(|p| !p.is_empty()).count().ge(&2);
        if start < at && dotted {
            spans.push(Span {
                start,
                end,
                mark: EMAIL_MARK,
            });
        }
    }
}

/// A run of digits (an 18-character identity number may end in X).
#[derive(Debug)]
struct Group {
    start: usize,
    end: usize,
    digits: String,
}

/// Characters that may join the groups of one number: 138 1234 5678, 0755-8888, (0755)8888.
fn joins(c: char) -> bool {
    matches!(c, ' ' | '-' | '－' | '–' | '—' | ')' | '）')
}

fn numbers(chars: &[char], known: &Identity, spans: &mut Vec<Span>) {
    let known_phone: Option<String> = known
        .phone
        .as_deref()
        .map(|p| {
            p.chars()
                .filter_map(digit)
                .map(|d| char::from(b'0' + d))
                .collect()
        })
        .map(|d: String| national_digits(&d).to_owned())
        .filter(|d| d.len() >= 5);
    let mut i = 0;
    while i < chars.len() {
        if digit(chars[i]).is_none() {
            i += 1;
            continue;
        }
        // A run of groups joined by single separators.
        let mut run: Vec<Group> = Vec::new();
        let mut j = i;
        loop {
            let start = j;
            let mut digits = String::new();
            while let Some(d) = chars.get(j).copied().and_then(digit) {
                digits.push(char::from(b'0' + d));
                j += 1;
            }
            if digits.len() == 17 && matches!(chars.get(j), Some('X' | 'x')) {
                digits.push('X');
                j += 1;
            }
            run.push(Group {
                start,
                end: j,
                digits,
            });
            match (chars.get(j), chars.get(j + 1)) {
                (Some(&c), Some(&next)) if joins(c) && digit(next).is_some() => j += 1,
                _ => break,
            }
        }
        // A number glued to letters is a code (GL2026…, 粤B12345), not a phone.
        let glued = i > 0 && chars[i - 1].is_ascii_alphabetic();
        let mut s = usize::from(glued);
        while s < run.len() {
            let mut matched = None;
            for e in (s..run.len()).rev() {
                let digits: String = run[s..=e].iter().map(|g| g.digits.as_str()).collect();
                if let Some(mark) = classify(&digits, known_phone.as_deref()) {
                    matched = Some((e, mark));
                    break;
                }
            }
            match matched {
                Some((e, mark)) => {
                    let mut start = run[s].start;
                    if start > 0 && matches!(chars[start - 1], '+' | '(' | '（') {
                        start -= 1;
                    }
                    let mut end = run[e].end;
                    let mut next = e + 1;
                    if mark == PHONE_MARK && run[s].digits.starts_with('0') {
                        // A landline's extension: 0755-88889999-123, …转8021, …分机206.
                        if run.get(next).is_some_and(|g| g.digits.len() <= 5) {
                            end = run[next].end;
                            next += 1;
                        } else if let Some(ext) = extension_at(chars, end) {
                            end = ext;
                        }
                    }
                    spans.push(Span { start, end, mark });
                    s = next;
                }
                None => s += 1,
            }
        }
        i = j.max(i + 1);
    }
}

/// The end of an extension written after a landline ending at `at` (转8021, 分机206, 转分机 12),
/// if there is one.
fn extension_at(chars: &[char], at: usize) -> Option<usize> {
    let cue = ["转分机", "分机号", "分机", "转", "ext", "EXT"]
        .iter()
        .find(|c| starts_with_at(chars, at, c))?;
    let mut i = at + cue.chars().count();
    while chars
        .get(i)
        .is_some_and(|c| matches!(c, ' ' | ':' | '：' | '.'))
    {
        i += 1;
    }
    let start = i;
    while chars.get(i).copied().and_then(digit).is_some() {
        i += 1;
    }
    (1..=5).contains(&(i - start)).then_some(i)
}

/// The one-character abbreviations of provinces that begin a plate (and 使/领 of embassies).
const PLATE_PROVINCES: &str = "京津沪渝冀豫云辽黑湘皖鲁新苏浙赣鄂桂甘晋蒙陕吉闽贵粤青藏川宁琼使领";

/// Plates: a province's character, a letter (the issuing city), an optional separator (·, a
/// space, a dash), then five characters (ordinary) or six (new energy) of letters and digits
/// with at least three digits, and an optional 挂/学/警 …; not glued to further letters or
/// digits.
fn plates(chars: &[char], spans: &mut Vec<Span>) {
    for at in 0..chars.len() {
        if !PLATE_PROVINCES.contains(chars[at]) {
            continue;
        }
        if !chars.get(at + 1).is_some_and(char::is_ascii_alphabetic) {
            continue;
        }
        let mut i = at + 2;
        if chars
            .get(i)
            .is_some_and(|c| matches!(c, '·' | '•' | '.' | '．' | ' ' | '-' | '－' | '・'))
        {
            i += 1;
        }
        let start = i;
        while chars.get(i).is_some_and(char::is_ascii_alphanumeric) {
            i += 1;
        }
        let body = &chars[start..i];
        let digits = body.iter().filter(|c| c.is_ascii_digit()).count();
        if !(5..=6).contains(&body.len()) || digits < 3 {
            continue;
        }
        if chars
            .get(i)
            .is_some_and(|c| "挂学警港澳领试超".contains(*c))
        {
            i += 1;
        }
        spans.push(Span {
            start: at,
            end: i,
            mark: PLATE_MARK,
        });
    }
}

/// What a number is, if it is an identity.
fn classify(digits: &str, known_phone: Option<&str>) -> Option<&'static str> {
    let national = national_digits(digits);
    if known_phone.is_some_and(|k| k == national) {
        return Some(PHONE_MARK);
    }
    let bytes = national.as_bytes();
    if bytes.len() == 11 && bytes[0] == b'1' && (b'3'..=b'9').contains(&bytes[1]) {
        return Some(PHONE_MARK);
    }
    if (10..=12).contains(&bytes.len()) && bytes[0] == b'0' && bytes[1] != b'0' {
        return Some(PHONE_MARK);
    }
    if is_identity_number(digits) {
        return Some(ID_MARK);
    }
    None
}

/// 18 characters, a region code not starting with 0, then a birth date in 1900–2099.
fn is_identity_number(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 18 || b[0] == b'0' || !b[..17].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let number = |range: std::ops::Range<usize>| text[range].parse::<u32>().unwrap_or(0);
    (1900..=2099).contains(&number(6..10))
        && (1..=12).contains(&number(10..12))
        && (1..=31).contains(&number(12..14))
}

fn accounts(chars: &[char], spans: &mut Vec<Span>) {
    let id_char = |c: char| c.is_ascii_alphanumeric() || c == '_' || c == '-';
    for at in 0..chars.len() {
        let Some(cue) = ACCOUNT_CUES.iter().find(|c| starts_with_at(chars, at, c)) else {
            continue;
        };
        // vx inside an English word is not a cue.
        if at > 0 && chars[at - 1].is_ascii_alphanumeric() {
            continue;
        }
        let mut i = at + cue.chars().count();
        for filler in ["号码", "账号", "号"] {
            if starts_with_at(chars, i, filler) {
                i += filler.chars().count();
                break;
            }
        }
        let mut skipped = 0;
        while skipped < 3 && chars.get(i).is_some_and(|c| ":： 　是为".contains(*c)) {
            i += 1;
            skipped += 1;
        }
        let start = i;
        while chars.get(i).copied().is_some_and(id_char) {
            i += 1;
        }
        if (5..=20).contains(&(i - start)) {
            spans.push(Span {
                start,
                end: i,
                mark: ACCOUNT_MARK,
            });
        }
    }
}

/// The surname at `at`, as its length in characters.
fn surname_at(chars: &[char], at: usize) -> Option<usize> {
    let table = &*SURNAME_TABLE;
    match (chars.get(at), chars.get(at + 1)) {
        (Some(&a), Some(&b)) if table.double.contains(&[a, b]) => Some(2),
        (Some(a), _) if table.single.contains(a) => Some(1),
        _ => None,
    }
}

fn honorific_at(chars: &[char], at: usize) -> Option<usize> {
    HONORIFICS
        .iter()
        .find(|h| starts_with_at(chars, at, h))
        .map(|h| h.chars().count())
}

fn may_be_given(c: char) -> bool {
    is_cjk(c) && !NOT_NAME.contains(c)
}

/// Whether a name may end before `at`: the text ends, or a non-Chinese character or a word that
/// follows names comes next.
fn ends_name(chars: &[char], at: usize) -> bool {
    match chars.get(at) {
        None => true,
        Some(&c) => !is_cjk(c) || NOT_NAME.contains(c) || honorific_at(chars, at).is_some(),
    }
}

/// The length of a name starting at `at`, if one does.
fn name_at(chars: &[char], at: usize) -> Option<usize> {
    let surname = surname_at(chars, at)?;
    let after = at + surname;
    if let Some(title) = honorific_at(chars, after) {
        return Some(surname + title);
    }
    (1..=2).rev().find_map(|given| {
        let all_given =
            (after..after + given).all(|i| chars.get(i).copied().is_some_and(may_be_given));
        (all_given && ends_name(chars, after + given)).then_some(surname + given)
    })
}

/// Cues after which ordinary words are as common as names (我是附近居民, 我是周边居民): a name
/// is only taken when punctuation, a non-Chinese character or the end follows it, or it is a
/// surname with a title (我是吴老师).
const WEAK_NAME_CUES: &[&str] = &["我是"];

/// Titles that mark a surname before them as a person's, with or without a cue (王先生).
const STANDALONE_TITLES: &[&str] = &["先生", "女士", "小姐"];

fn names(chars: &[char], spans: &mut Vec<Span>) {
    for at in 0..chars.len() {
        if let Some(cue) = WEAK_NAME_CUES.iter().find(|c| starts_with_at(chars, at, c)) {
            let i = at + cue.chars().count();
            if let Some(len) = name_at(chars, i) {
                let titled = surname_at(chars, i)
                    .is_some_and(|s| honorific_at(chars, i + s).is_some_and(|t| s + t == len));
                let ended = chars.get(i + len).is_none_or(|c| !is_cjk(*c));
                if titled || ended {
                    spans.push(Span {
                        start: i,
                        end: i + len,
                        mark: NAME_MARK,
                    });
                }
            }
        } else if let Some(surname) = surname_at(chars, at)
            && STANDALONE_TITLES
                .iter()
                .any(|t| starts_with_at(chars, at + surname, t))
        {
            spans.push(Span {
                start: at,
                end: at + surname + 2,
                mark: NAME_MARK,
            });
        }
        if let Some(cue) = NAME_CUES.iter().find(|c| starts_with_at(chars, at, c)) {
            let mut i = at + cue.chars().count();
            let mut skipped = 0;
            while skipped < 3 && chars.get(i).is_some_and(|c| ":： 　是为叫".contains(*c)) {
                i += 1;
                skipped += 1;
            }
            if let Some(len) = name_at(chars, i) {
                spans.push(Span {
                    start: i,
                    end: i + len,
                    mark: NAME_MARK,
                });
            }
        } else if chars[at] == '姓' && chars.get(at + 1) != Some(&'名') {
            // 我姓王, 本人姓欧阳: the surname alone.
            let i = at + 1;
            if let Some(len) = surname_at(chars, i)
                && ends_name(chars, i + len)
            {
                let title = honorific_at(chars, i + len).unwrap_or(0);
                spans.push(Span {
                    start: i,
                    end: i + len + title,
                    mark: NAME_MARK,
                });
            }
        }
    }
}
