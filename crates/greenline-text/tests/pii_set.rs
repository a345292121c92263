//! A measured test set for the public masker ([`mask_public`]): hand-written sentences of the
//! kind citizens and staff write, each with the identities planted in it (labelled by kind) and
//! the ordinary words around them that must come out as written (addresses, dates, amounts,
//! road numbers, service numbers).
//!
//! The test masks every sentence and counts, per kind:
//! - a planted item is **found** when none of its text is left in the output (its digits, for
//!   numbers, in any spacing);
//! - a mask is **wrong** when it is not explained by a planted item (more marks than items
//!   found), and a kept phrase that does not come out verbatim counts as one wrong mask too.
//!
//! recall = found / planted; precision = found / (found + wrong). Run with `--nocapture` to see
//! the figures and every miss.

use greenline_text::pii::{Identity, mask_public};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Name,
    Mobile,
    Landline,
    IdCard,
    Plate,
}

use Kind::*;

struct Example {
    text: &'static str,
    planted: &'static [(Kind, &'static str)],
    keep: &'static [&'static str],
}

const fn ex(
    text: &'static str,
    planted: &'static [(Kind, &'static str)],
    keep: &'static [&'static str],
) -> Example {
    Example {
        text,
        planted,
        keep,
    }
}

const SET: &[Example] = &[
    // Names after cue words.
    ex("我姓王，住在幸福小区5栋", &[(Name, "王")], &["幸福小区5栋"]),
    ex("联系人：李建国，有事请找他", &[(Name, "李建国")], &[]),
    ex("我叫张伟，是附近的居民", &[(Name, "张伟")], &["附近的居民"]),
    ex(
        "我是刘芳，家住河西路88号",
        &[(Name, "刘芳")],
        &["河西路88号"],
    ),
    ex(
        "举报人：陈晓明（要求保密）",
        &[(Name, "陈晓明")],
        &["要求保密"],
    ),
    ex(
        "投诉人黄丽萍称夜间有异味",
        &[(Name, "黄丽萍")],
        &["夜间有异味"],
    ),
    ex("本人姓欧阳，请勿公开", &[(Name, "欧阳")], &["请勿公开"]),
    ex(
        "联系人赵女士，下午方便接听",
        &[(Name, "赵女士")],
        &["下午方便接听"],
    ),
    ex(
        "我叫孙小红。工厂每天凌晨排烟",
        &[(Name, "孙小红")],
        &["工厂每天凌晨排烟"],
    ),
    ex(
        "举报人是周建华，他说污水流进了河里",
        &[(Name, "周建华")],
        &["污水流进了河里"],
    ),
    ex(
        "我是吴老师，学校旁边的工地太吵",
        &[(Name, "吴老师")],
        &["学校旁边的工地太吵"],
    ),
    ex(
        "姓名：郑国强 地址：龙华区民治街道",
        &[(Name, "郑国强")],
        &["龙华区民治街道"],
    ),
    ex("我姓林，住三楼", &[(Name, "林")], &["住三楼"]),
    ex(
        "来电人马先生反映搅拌站粉尘大",
        &[(Name, "马先生")],
        &["搅拌站粉尘大"],
    ),
    ex(
        "我是胡静怡，昨晚十点又开始了",
        &[(Name, "胡静怡")],
        &["昨晚十点又开始了"],
    ),
    // Mobile numbers.
    ex(
        "电话13912345678，白天打",
        &[(Mobile, "13912345678")],
        &["白天打"],
    ),
    ex(
        "手机 139 1234 5678 随时联系",
        &[(Mobile, "139 1234 5678")],
        &["随时联系"],
    ),
    ex(
        "请拨+86 186-0000-1234回电",
        &[(Mobile, "+86 186-0000-1234")],
        &["回电"],
    ),
    ex(
        "联系方式：+8613700001111。",
        &[(Mobile, "+8613700001111")],
        &[],
    ),
    ex(
        "回电0086 15800002222谢谢",
        &[(Mobile, "0086 15800002222")],
        &["谢谢"],
    ),
    ex(
        "号码是177-1234-0000，王先生",
        &[(Mobile, "177-1234-0000"), (Name, "王先生")],
        &[],
    ),
    ex(
        "打我手机１５９１２３４５６７８",
        &[(Mobile, "１５９１２３４５６７８")],
        &["打我手机"],
    ),
    // Landlines, with an extension.
    ex("座机0755-12345678", &[(Landline, "0755-12345678")], &[]),
    ex(
        "办公电话0755-12345678转8021，找李建国",
        &[(Landline, "0755-12345678转8021"), (Name, "李建国")],
        &[],
    ),
    ex(
        "电话(010)62345678-123周一到周五",
        &[(Landline, "(010)62345678-123")],
        &["周一到周五"],
    ),
    ex(
        "请打 020 8765 4321 联系物业",
        &[(Landline, "020 8765 4321")],
        &["联系物业"],
    ),
    ex(
        "固话：0571-87654321分机206",
        &[(Landline, "0571-87654321分机206")],
        &[],
    ),
    // Identity numbers.
    ex(
        "身份证440305199001011234",
        &[(IdCard, "440305199001011234")],
        &[],
    ),
    ex(
        "证件号码11010519851212002X，请核实",
        &[(IdCard, "11010519851212002X")],
        &["请核实"],
    ),
    ex(
        "我的身份证号是 32010619780315401x 。",
        &[(IdCard, "32010619780315401x")],
        &[],
    ),
    // Plates, ordinary and new-energy.
    ex(
        "车牌粤B12345的渣土车夜里偷倒",
        &[(Plate, "粤B12345")],
        &["的渣土车夜里偷倒"],
    ),
    ex(
        "一辆京A·D12345新能源货车",
        &[(Plate, "京A·D12345")],
        &["新能源货车"],
    ),
    ex("沪C 8K9J2 的黑烟车", &[(Plate, "沪C 8K9J2")], &["的黑烟车"]),
    ex(
        "车号苏E12345F，每天早上来",
        &[(Plate, "苏E12345F")],
        &["每天早上来"],
    ),
    ex("浙a88888冒黑烟", &[(Plate, "浙a88888")], &["冒黑烟"]),
    ex(
        "罐车川A-5B2C9停在河边抽水",
        &[(Plate, "川A-5B2C9")],
        &["停在河边抽水"],
    ),
    ex("鲁Q12345挂车撒漏", &[(Plate, "鲁Q12345")], &["撒漏"]),
    // Several at once.
    ex(
        "举报人张三丰，电话13800001111，身份证110105198512120036，车牌粤B7K8L9",
        &[
            (Name, "张三丰"),
            (Mobile, "13800001111"),
            (IdCard, "110105198512120036"),
            (Plate, "粤B7K8L9"),
        ],
        &[],
    ),
    ex(
        "联系人：钱多多 0755-26661234；我是邻居孙明的朋友",
        &[
            (Name, "钱多多"),
            (Landline, "0755-26661234"),
            (Name, "孙明"),
        ],
        &["邻居"],
    ),
    // Ordinary text: nothing to mask, every word to keep.
    ex(
        "2026年3月5日晚上22:40还在施工",
        &[],
        &["2026年3月5日晚上22:40还在施工"],
    ),
    ex(
        "2026-03-05 23:30 噪声约75分贝",
        &[],
        &["2026-03-05 23:30 噪声约75分贝"],
    ),
    ex(
        "罚款人民币200000元，责令限期整改",
        &[],
        &["罚款人民币200000元，责令限期整改"],
    ),
    ex(
        "G4京港澳高速K1234+500处有人焚烧垃圾",
        &[],
        &["G4京港澳高速K1234+500处"],
    ),
    ex("107国道旁的石料厂", &[], &["107国道旁的石料厂"]),
    ex(
        "S228省道与X012县道交叉口",
        &[],
        &["S228省道与X012县道交叉口"],
    ),
    ex(
        "深南大道10000号腾讯大厦北侧",
        &[],
        &["深南大道10000号腾讯大厦北侧"],
    ),
    ex(
        "龙岗区坂田街道五和大道南1号",
        &[],
        &["龙岗区坂田街道五和大道南1号"],
    ),
    ex("科技园3栋1201室楼下的餐馆油烟", &[], &["科技园3栋1201室"]),
    ex("受理编号GL20260305-0001234", &[], &["GL20260305-0001234"]),
    ex("已拨打12369和12345热线", &[], &["12369和12345"]),
    ex("拨打110报警后民警到场", &[], &["拨打110报警"]),
    ex("服务电话400-800-1234", &[], &["400-800-1234"]),
    ex(
        "排放口COD浓度120mg/L，超标1.5倍",
        &[],
        &["120mg/L，超标1.5倍"],
    ),
    ex(
        "统一社会信用代码91440300MA5F123456",
        &[],
        &["91440300MA5F123456"],
    ),
    ex("本人多次投诉无果", &[], &["本人多次投诉无果"]),
    ex("我是附近居民，深受其害", &[], &["我是附近居民"]),
    ex("我是业主，小区旁边有工厂", &[], &["我是业主"]),
    ex("我是周边居民", &[], &["我是周边居民"]),
    ex("姓名不详，匿名举报", &[], &["姓名不详"]),
    ex(
        "京津冀大气污染传输通道城市",
        &[],
        &["京津冀大气污染传输通道城市"],
    ),
    ex("粤港澳大湾区的建设工地", &[], &["粤港澳大湾区"]),
    ex(
        "面积约3000平方米，日排水500吨",
        &[],
        &["3000平方米，日排水500吨"],
    ),
    ex("王府井大街东侧", &[], &["王府井大街东侧"]),
    ex("黄河路与长江路交叉口", &[], &["黄河路与长江路交叉口"]),
    ex("联系人电话打不通", &[], &["联系人电话打不通"]),
    ex("邮编518057", &[], &["518057"]),
];

fn digits(text: &str) -> String {
    text.chars()
        .filter_map(|c| match c {
            '0'..='9' => Some(c),
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32),
            'X' | 'x' => Some('X'),
            _ => None,
        })
        .collect()
}

const MARKS: [&str; 6] = ["[姓名]", "[电话]", "[证件号]", "[车牌]", "[邮箱]", "[账号]"];

/// Whether a planted item survived the masking: for a number, any group of three or more of
/// its digits (an extension included) left in the output.
fn left_in(output: &str, kind: Kind, item: &str) -> bool {
    match kind {
        Mobile | Landline | IdCard => {
            let out = digits(output);
            let normalised: String = item
                .chars()
                .map(|c| match c {
                    '０'..='９' => {
                        char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c)
                    }
                    c => c,
                })
                .collect();
            normalised
                .split(|c: char| !c.is_ascii_digit() && c != 'X' && c != 'x')
                .filter(|group| group.len() >= 3)
                .any(|group| out.contains(&digits(group)))
        }
        _ => output.contains(item),
    }
}

#[derive(Default)]
struct Tally {
    planted: u32,
    found: u32,
}

#[test]
fn the_public_masker_finds_planted_identities_and_leaves_ordinary_text() {
    let kinds = [Name, Mobile, Landline, IdCard, Plate];
    let mut tally: Vec<Tally> = kinds.iter().map(|_| Tally::default()).collect();
    let mut wrong = 0u32;
    let mut notes = Vec::new();
    for example in SET {
        let out = mask_public(example.text, &Identity::default());
        let mut found_here = 0u32;
        for (kind, item) in example.planted {
            let k = kinds.iter().position(|x| x == kind).unwrap_or(0);
            tally[k].planted += 1;
            if left_in(&out, *kind, item) {
                notes.push(format!("missed {kind:?} {item:?}: {out}"));
            } else {
                tally[k].found += 1;
                found_here += 1;
            }
        }
        let marks: u32 = MARKS.iter().map(|m| out.matches(m).count() as u32).sum();
        if marks > found_here {
            wrong += marks - found_here;
            notes.push(format!("extra mask: {} → {out}", example.text));
        }
        for keep in example.keep {
            if !out.contains(keep) {
                wrong += 1;
                notes.push(format!("mangled {keep:?}: {out}"));
            }
        }
    }
    let planted: u32 = tally.iter().map(|t| t.planted).sum();
    let found: u32 = tally.iter().map(|t| t.found).sum();
    let recall = f64::from(found) / f64::from(planted);
    let precision = f64::from(found) / f64::from(found + wrong);
    println!("{} sentences, {planted} planted items", SET.len());
    for (kind, t) in kinds.iter().zip(&tally) {
        println!("  {kind:?}: {}/{} found", t.found, t.planted);
    }
    println!("recall {recall:.3}, precision {precision:.3} ({wrong} wrong masks)");
    for note in &notes {
        println!("  {note}");
    }
    assert!(recall >= 0.93, "recall {recall:.3}: {notes:#?}");
    assert!(precision >= 0.97, "precision {precision:.3}: {notes:#?}");
}
