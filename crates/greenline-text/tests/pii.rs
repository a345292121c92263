//! The identity masker's labelled examples: each text with exactly what must come out. Cases that
//! must stay untouched (dates, amounts, tracking numbers, plates, addresses, times, decibels,
//! 12369, words after a cue that are not names) are as important as those that must be masked.

use greenline_text::pii::{Identity, mask};

/// (text, what the masker must make of it), without a known reporter.
const EXAMPLES: &[(&str, &str)] = &[
    // Mobile numbers, however they are written.
    (
        "我的电话13812345678，请尽快处理",
        "我的电话[电话]，请尽快处理",
    ),
    ("手机：138 1234 5678", "手机：[电话]"),
    ("电话 138-1234-5678 白天打", "电话 [电话] 白天打"),
    ("联系方式+86 139 0000 1111。", "联系方式[电话]。"),
    ("+8615912345678", "[电话]"),
    ("请回电１３８１２３４５６７８", "请回电[电话]"),
    ("面积 300 13812345678", "面积 300 [电话]"),
    // Landlines with an area code.
    ("座机0755-88889999", "座机[电话]"),
    ("办公室电话（0755）88889999", "办公室电话[电话]"),
    ("010 62345678", "[电话]"),
    ("02087654321有人接", "[电话]有人接"),
    // Resident identity numbers.
    ("身份证号440305199001011234", "身份证号[证件号]"),
    ("证件号码 11010519851212002X 。", "证件号码 [证件号] 。"),
    // E-mail addresses.
    ("邮箱 chen.li@example.com 收", "邮箱 [邮箱] 收"),
    ("发到123456@qq.com就行", "发到[邮箱]就行"),
    // QQ and WeChat ids after their cue words.
    ("QQ：12345678", "QQ：[账号]"),
    ("加我微信号 chenli_1988 联系", "加我微信号 [账号] 联系"),
    ("vx:abc12345", "vx:[账号]"),
    // Names after cue words.
    ("我叫张三，住在科技园", "我叫[姓名]，住在科技园"),
    ("本人李小明，家住南山区", "本人[姓名]，家住南山区"),
    ("联系人：王女士", "联系人：[姓名]"),
    ("姓名：欧阳娜娜", "姓名：[姓名]"),
    ("举报人陈大文反映工地噪音", "举报人[姓名]反映工地噪音"),
    ("我姓刘，电话13900001111", "我姓[姓名]，电话[电话]"),
    ("投诉人是赵四", "投诉人是[姓名]"),
    ("约谈负责人欧阳振华", "约谈负责人[姓名]"),
    ("法定代表人：李四海", "法定代表人：[姓名]"),
    ("负责人已到场", "负责人已到场"),
    // Not identities: left as they are.
    (
        "2026年11月27日晚上23:30还在施工",
        "2026年11月27日晚上23:30还在施工",
    ),
    (
        "2026-11-27 23:30 噪声达75分贝",
        "2026-11-27 23:30 噪声达75分贝",
    ),
    (
        "已处罚款20000元，罚没100,000元",
        "已处罚款20000元，罚没100,000元",
    ),
    ("查询编号GL20261127-0000123", "查询编号GL20261127-0000123"),
    ("车牌粤B12345的渣土车", "车牌粤B12345的渣土车"),
    ("车牌号 京A·88888 夜里拉土", "车牌号 京A·88888 夜里拉土"),
    ("打了12369没人管", "打了12369没人管"),
    ("拨打12345热线转办", "拨打12345热线转办"),
    ("高新南七道18号科技园3栋1201", "高新南七道18号科技园3栋1201"),
    (
        "排放口COD浓度 120mg/L，超标1.5倍",
        "排放口COD浓度 120mg/L，超标1.5倍",
    ),
    ("服务热线400-123-4567", "服务热线400-123-4567"),
    ("工单号20261127000123", "工单号20261127000123"),
    ("本人多次投诉无果", "本人多次投诉无果"),
    ("本人曾多次反映", "本人曾多次反映"),
    ("本人于上周拨打热线", "本人于上周拨打热线"),
    ("本人高度关注此事", "本人高度关注此事"),
    ("本人家住三楼", "本人家住三楼"),
    ("本人是附近居民", "本人是附近居民"),
    ("举报人要求保密", "举报人要求保密"),
    ("举报人：匿名", "举报人：匿名"),
    ("联系人电话打不通", "联系人电话打不通"),
    ("姓名不详", "姓名不详"),
    ("我叫了物业来看", "我叫了物业来看"),
    ("老百姓反映强烈", "老百姓反映强烈"),
    ("来电人闻久了头晕恶心", "来电人闻久了头晕恶心"),
    (
        "来电人龙阿姨称，碧水花园二期",
        "来电人[姓名]称，碧水花园二期",
    ),
    ("微信公众号上也投诉过", "微信公众号上也投诉过"),
    ("QQ群里有人说", "QQ群里有人说"),
];

#[test]
fn every_labelled_example_comes_out_as_labelled() {
    let mut wrong = Vec::new();
    for (text, expected) in EXAMPLES {
        let masked = mask(text, &Identity::default());
        if masked != *expected {
            wrong.push(format!(
                "{text:?}\n   got  {masked:?}\n   want {expected:?}"
            ));
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

#[test]
fn the_cases_own_reporter_is_masked_verbatim_wherever_written() {
    let known = Identity {
        name: Some("陈小姐".into()),
        phone: Some("0755-2666 1234".into()),
    };
    assert_eq!(
        mask("陈小姐说工地太吵，回电075526661234或0755 2666 1234", &known),
        "[姓名]说工地太吵，回电[电话]或[电话]"
    );
    // Short local numbers are only masked when they are the reporter's own.
    let local = Identity {
        name: None,
        phone: Some("26661234".into()),
    };
    assert_eq!(mask("打2666-1234找我", &local), "打[电话]找我");
    assert_eq!(
        mask("打2666-1234找我", &Identity::default()),
        "打2666-1234找我"
    );
}

#[test]
fn a_one_character_name_is_not_masked_everywhere() {
    let known = Identity {
        name: Some("王".into()),
        phone: None,
    };
    assert_eq!(mask("王府井附近", &known), "王府井附近");
}

#[test]
fn text_without_identities_is_returned_unchanged_without_copying() {
    let text = "工地夜里打桩，噪音扰民。";
    assert!(matches!(
        mask(text, &Identity::default()),
        std::borrow::Cow::Borrowed(_)
    ));
}
