//! Complaint text in the words of citizens (投诉举报内容).
//!
//! A text is assembled from phrase pools: an opener fitting the [`Register`] (an operator's
//! transcript of a call, a web/WeChat message, a formal letter), the core problem of the
//! (sub-)type, and a random selection, in random order, of place, time, duration, sensory detail,
//! impact, season, further issues, earlier attempts and a request, until a drawn target length is
//! reached. Slots in the phrases are filled from the [`Source`] and the circumstances; the result
//! is roughened (typos, homophone slips, dialect words, abbreviations, sloppy punctuation) at rates
//! that depend on the register. Hard cases occur at small fixed rates: vague texts, decoy lead-ins
//! naming another type ("不是垃圾的问题，是…"), misleading keywords in the pools (a residential
//! water pump is noise, a stinking garbage station is air), misleading landmarks.
//!
//! Slots: `{S}` source, `{R}` its road, `{Q}` another road, `{C}` the compound (or "我们小区"),
//! `{c}` the compound's name, `{P}` place name, `{L}` landmark, `{F}` direction, `{M}` distance,
//! `{N}` house number, `{n}` small number, `{A}` a reporter ("张先生"), `{T}` time of day, `{H}`
//! clock time, `{X}` sensory detail, `{K}` an operator's term for the problem; `{我}`, `{我家}`,
//! `{我们}` are the reporter in the register's voice (third person in phone transcripts).

use greenline_domain::{PollutionType, SubType};
use rand::Rng;
use rand::seq::{IndexedRandom, SliceRandom};

/// A polluting source as a citizen would name it.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct Source {
    /// An invented company, shop or site name, e.g. "鑫达化工有限公司", "老王烧烤", "万科城三期工地".
    pub name: String,
    /// An invented road, e.g. "科技园南路", "解放东路".
    pub road: String,
    /// An invented residential compound near it, e.g. "翠湖花园", "幸福里小区".
    pub compound: String,
}

/// What the text is about and its circumstances.
#[derive(Debug, Clone)]
pub struct Complaint<'a> {
    pub primary: PollutionType,
    pub sub_type: Option<SubType>,
    /// Further types the case carries (multi-label); the text mentions them too, mostly.
    pub other_types: &'a [PollutionType],
    pub source: &'a Source,
    /// The county/district or city name, e.g. "南山区", "昆山市" (sometimes mentioned).
    pub place_name: &'a str,
    /// Local hour (0–23) when the case was reported.
    pub hour: u32,
    /// Month 1–12.
    pub month: u32,
    pub register: Register,
}

/// Who wrote the text down.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Register {
    /// An operator's transcript of a call, third person ("来电人反映…").
    PhoneTranscript,
    /// A web or WeChat message, first person, often sloppy.
    Online,
    /// A formal letter.
    Letter,
}

// ---- topics: one per sub-type, and one per type without sub-types ------------------------------

/// How an invented source name starts.
#[derive(Debug, Clone, Copy)]
enum Stem {
    /// Two random characters: "鑫达".
    Firm,
    /// A shopkeeper: "老王", "张记".
    Shop,
    /// A village: "石桥村", "李家庄".
    Village,
    /// A housing project: "锦华城三期".
    Estate,
    /// The source's own road: "解放东路".
    Road,
}

/// One kind of source: name = stem + word + ending; rural sources lie next to villages.
#[derive(Debug)]
struct Kind {
    stem: Stem,
    words: &'static [&'static str],
    ends: &'static [&'static str],
    rural: bool,
}

const fn kind(stem: Stem, words: &'static [&'static str], ends: &'static [&'static str]) -> Kind {
    Kind {
        stem,
        words,
        ends,
        rural: false,
    }
}

const fn rural(stem: Stem, words: &'static [&'static str], ends: &'static [&'static str]) -> Kind {
    Kind {
        stem,
        words,
        ends,
        rural: true,
    }
}

/// What the generator knows about one topic.
#[derive(Debug)]
struct Topic {
    code: &'static str,
    /// Operator's terms for the problem ("油烟扰民").
    terms: &'static [&'static str],
    /// Core problem phrasings.
    core: &'static [&'static str],
    /// Sensory details, as clauses.
    sense: &'static [&'static str],
    /// Impacts particular to the topic.
    harm: &'static [&'static str],
    /// Phrasings that only hint at the problem.
    vague: &'static [&'static str],
    kinds: &'static [Kind],
}

const NO_END: &[&str] = &[""];
const FIRM_END: &[&str] = &["有限公司", "厂", "科技有限公司", "有限公司", "股份有限公司"];
const PLANT_END: &[&str] = &["有限公司", "厂"];

/// air/odor: smells, whatever the facility (garbage stations and sewage wells included).
#[rustfmt::skip]
const ODOR: Topic = Topic { code: "odor", terms: &["恶臭扰民", "异味扰民", "排放臭气", "异味污染"],
    core: &["{S}排出来的气味特别难闻，{X}", "{T}{S}那边就飘过来一股怪味", "{S}天天往外排臭气，{C}里到处都是这个味",
        "{C}旁边的垃圾站臭气熏天，走过去都得捂鼻子", "{S}的臭味一阵一阵的，风一吹家里全是", "一开窗就是{S}的臭味，{X}",
        "{S}的污水池没加盖，臭味散得满街都是", "路边垃圾中转站压缩垃圾的时候臭得要命，{X}", "不知道{S}在生产什么，{T}就有一股化学味",
        "{C}的污水井一直往外冒臭气", "{S}那种发酵的酸臭味，隔着几百米都闻得到", "{S}臭味扰民的问题一直没解决"],
    sense: &["闻起来特别刺鼻", "一股酸臭味", "像臭鸡蛋的味道", "有股烧塑料的焦糊味", "闻了头晕恶心", "有点像农药的味道",
        "又腥又臭", "熏得人想吐", "一股化学药水的味道", "呛得嗓子疼", "像死老鼠一样的臭味"],
    harm: &["家里窗户都不敢开", "{我家}孩子闻了老咳嗽", "晾在外面的衣服都有味", "老人闻了头疼", "晚上经常被臭醒"],
    vague: &["{S}那个味道实在受不了了", "{S}又开始了，到处都是那股味", "{S}附近空气太差"],
    kinds: &[kind(Stem::Firm, &["化工", "制药", "生物科技", "饲料", "橡胶", "皮革", "有机肥", "食品"], FIRM_END),
        kind(Stem::Firm, &["垃圾中转站", "垃圾压缩站", "污水处理厂", "垃圾填埋场", "餐厨垃圾处理中心"], NO_END),
        rural(Stem::Village, &["养猪场", "养鸡场", "屠宰场"], NO_END)] };

/// air/dust: construction and yard dust.
#[rustfmt::skip]
const DUST: Topic = Topic { code: "dust", terms: &["扬尘污染", "粉尘扰民", "施工扬尘", "粉尘污染"],
    core: &["{S}施工扬尘很大，没有围挡也不洒水", "{S}的渣土没盖防尘网，风一刮漫天都是灰", "拉土的车进进出出，路上全是泥，车一过尘土飞扬",
        "{S}露天堆放砂石，{X}", "{S}粉尘很大，周边的树叶都是白的", "{S}的料堆不苫盖，一起风灰就往{C}里吹",
        "{S}打磨石材的粉尘直接排到外面", "{S}门口的路从来不洒水，灰特别大", "{S}煤堆没有覆盖，黑灰到处飘",
        "{S}拆房子也不喷水降尘，整条街都是灰", "{S}的雾炮机摆在那里从来不开", "{S}破碎石头的粉尘{T}最大"],
    sense: &["窗台上一天就落一层灰", "灰蒙蒙的一片", "车上全是白灰", "嗓子里都是沙子", "擦桌子一擦一手黑", "灰大得看不清对面"],
    harm: &["{我们}出门都得戴口罩", "{我家}孩子有鼻炎一直好不了", "家里天天擦灰", "路过的人都被呛得直咳嗽", "衣服晒出去就脏了"],
    vague: &["{S}那边灰太大了", "{S}管理太差了，脏得很", "{S}搞得周边灰头土脸的"],
    kinds: &[kind(Stem::Firm, &["混凝土", "建材", "石材", "水泥", "砂石"], &["有限公司", "搅拌站", "厂"]),
        kind(Stem::Estate, &["工地", "项目工地", "施工现场"], NO_END), rural(Stem::Firm, &["渣土", "煤炭", "物流"], &["堆场", "有限公司"])] };

/// air/cooking_fumes: restaurants and food stalls.
#[rustfmt::skip]
const COOKING_FUMES: Topic = Topic { code: "cooking_fumes", terms: &["油烟扰民", "餐饮油烟污染", "油烟直排"],
    core: &["{S}的油烟直接排到{C}楼下，没装油烟净化器", "{S}的排烟管道对着{我家}窗户，油烟全往家里灌", "{S}烧木炭烤串，{T}烟雾缭绕",
        "{S}在门口露天烧烤，烟大得看不清路", "{S}的排风口离居民窗户就一两米，{X}", "{S}的油烟净化器是摆设，从来不开",
        "{S}炒菜的油烟太大，整栋楼都是辣椒味", "{S}把烟道私接到居民楼的排气管里了", "{S}中午晚上饭点的时候油烟特别大",
        "{C}底商开了好几家饭店，{S}的烟最大", "{S}的油烟管道从来不清洗，还往下滴油", "路边夜宵摊烤串，烟直往楼上飘"],
    sense: &["一股呛人的油烟味", "辣椒味呛得人直流眼泪", "窗户玻璃上都是一层油", "烟熏火燎的", "满屋子都是炸东西的味", "呛得直咳嗽"],
    harm: &["窗户一开满屋都是油烟", "{我家}老人有哮喘受不了", "晒的衣服全是烧烤味", "空调外机上都是油"],
    vague: &["{S}那个烟太影响人了", "楼下饭店的问题一直没人管", "{S}每天都搞得乌烟瘴气"],
    kinds: &[kind(Stem::Shop, &["烧烤", "火锅店", "麻辣烫", "大排档", "烤鱼馆", "串串香", "炸鸡店", "牛肉面馆", "小炒", "酒家",
            "饭店", "烤肉店", "龙虾馆", "羊肉馆", "川菜馆"], NO_END),
        kind(Stem::Firm, &["餐饮管理有限公司", "美食城", "大酒店", "食府"], NO_END)] };

/// air/open_burning: straw, garbage, cable and tyre burning.
#[rustfmt::skip]
const OPEN_BURNING: Topic = Topic { code: "open_burning", terms: &["露天焚烧", "焚烧秸秆", "焚烧垃圾"],
    core: &["{S}有人在露天焚烧秸秆，烟很大", "{S}旁边有人烧垃圾，{X}", "{S}天天晚上偷偷烧电线皮，{X}",
        "{S}在空地上烧废旧轮胎，黑烟滚滚", "有人在{R}边上的空地烧树叶和杂草", "{S}把装修垃圾堆在一起点火烧了",
        "{S}在院子里烧废塑料，冒黑烟", "田里到处都在烧秸秆，{T}烟雾弥漫", "{S}焚烧工业垃圾，有股很冲的味道",
        "{S}后面有人烧东西，烟一直往{C}飘", "{S}的工人拿废木料生火，烟很大"],
    sense: &["黑烟滚滚", "一股烧塑料的臭味", "烟大得看不清对面", "灰烬飘得到处都是", "呛得人喘不过气", "一股烧焦的味道"],
    harm: &["家里全是烟味", "开车路过都看不清路", "{我家}孩子被呛得一直咳嗽", "担心引发火灾"],
    vague: &["{S}那边又在烧东西了", "{S}一直冒烟", "又有人在点火了"],
    kinds: &[rural(Stem::Village, &["", "东头空地", "的麦地", "的玉米地", "后山"], NO_END),
        rural(Stem::Firm, &["废品回收站", "再生资源回收站", "木材加工厂", "家具厂"], NO_END)] };

/// air/industrial_gas: stack and fugitive emissions from plants.
#[rustfmt::skip]
const INDUSTRIAL_GAS: Topic = Topic { code: "industrial_gas", terms: &["偷排废气", "废气超标排放", "废气扰民", "废气污染"],
    core: &["{S}偷排废气，{T}烟囱冒黄烟", "{S}的烟囱一直冒白烟，{X}", "{S}生产的时候废气直接排，没有处理设施",
        "{S}的废气处理设备平时不开，只有检查的时候才开", "{S}趁夜里偷排废气，{X}", "{S}车间门窗大开，废气到处跑",
        "{S}排出来的气体{X}，周边居民都很担心", "{S}的烟囱太矮，废气直接往{C}里飘", "{S}的喷淋塔早就坏了，废气没处理就排了",
        "{S}排的废气把周边的庄稼都熏黄了", "{S}的烟有时候是黄的有时候是黑的", "{S}{T}冒红烟"],
    sense: &["一股刺鼻的酸味", "一股硫磺味", "呛得眼睛疼", "像氨水的味道", "有股焦臭味", "闻了喉咙发紧"],
    harm: &["长期呼吸这种空气，担心得病", "{我家}老人一到晚上就咳", "菜地里的菜叶子都发黄了", "{我们}晚上都不敢开窗"],
    vague: &["{S}排的东西不知道有没有毒", "{S}那个烟囱太吓人了", "{S}又在偷偷排了"],
    kinds: &[kind(Stem::Firm, &["化工", "钢铁", "铸造", "电镀", "热电", "陶瓷", "玻璃", "焦化", "冶炼", "铝业", "制药", "农药"],
        &["有限公司", "厂", "股份有限公司", "集团"])] };

/// air/vehicle: exhaust from trucks, buses, idling cars.
#[rustfmt::skip]
const VEHICLE: Topic = Topic { code: "vehicle", terms: &["机动车尾气污染", "柴油车冒黑烟", "车辆尾气扰民"],
    core: &["{S}的大货车排队进出，尾气很重", "{R}上有很多冒黑烟的柴油车", "{S}的渣土车冒黑烟，一看就不达标",
        "{S}的车停在{C}门口不熄火，一直排尾气", "{S}的车怠速很久，尾气直往窗户里灌", "{S}的车一早就发动，{X}",
        "{S}的叉车货车都是老旧柴油车，排放超标", "地库出口正对着{c}的窗户，汽车尾气很大", "{S}门口天天有黑烟车",
        "{S}的重型卡车夜里进出，尾气熏人"],
    sense: &["一股柴油味", "黑烟一阵一阵的", "尾气熏得人头疼", "呛鼻子"],
    harm: &["孩子上学路上要经过这里，尾气太呛", "窗户一开全是尾气味"],
    vague: &["{S}那些车太多了", "车子太多，空气很差"],
    kinds: &[kind(Stem::Firm, &["物流园", "货运站", "运输公司", "渣土运输公司", "公交场站", "驾校", "汽车站", "停车场"], NO_END)] };

/// air/vocs: paint, ink, glue and solvent smells.
#[rustfmt::skip]
const VOCS: Topic = Topic { code: "vocs", terms: &["喷漆废气扰民", "有机废气污染", "VOCs超标排放"],
    core: &["{S}喷漆没有任何遮挡，{X}", "{S}在露天喷漆，油漆味满小区都是", "{S}的烤漆房废气直接排到外面",
        "{S}在路边给车喷漆", "{S}印刷车间的油墨味很重", "{S}刷油漆的味道特别大，{T}更严重",
        "{S}用的干洗剂味道很冲", "{S}加油的时候油气味很重，油气回收好像没用", "{S}涂胶水的味道飘到居民楼里",
        "{S}的活性炭很久没换了，废气直接排了", "{S}的喷涂车间每天都在排一股香蕉水味"],
    sense: &["油漆味刺鼻", "一股香蕉水的味道", "闻着头晕", "一股甲醛的味道", "胶水味很冲"],
    harm: &["家里有孕妇，担心对身体有影响", "{我}闻久了头晕恶心", "孩子说嗓子疼"],
    vague: &["{S}那个味儿不对劲", "{S}整天有一股怪味"],
    kinds: &[kind(Stem::Firm, &["家具", "印刷", "涂装", "包装", "木业", "鞋业", "喷涂"], PLANT_END),
        kind(Stem::Shop, &["汽修", "汽车美容", "干洗店", "汽车修理厂"], NO_END), kind(Stem::Road, &["加油站"], NO_END)] };

/// air/smoke_dust: boiler and kiln smoke.
#[rustfmt::skip]
const SMOKE_DUST: Topic = Topic { code: "smoke_dust", terms: &["锅炉冒黑烟", "烟尘污染", "烟尘超标排放"],
    core: &["{S}的锅炉烟囱冒黑烟，{X}", "{S}烧煤的锅炉没有除尘，黑灰落得到处都是", "{S}的烟囱一直冒浓烟",
        "{S}烧生物质颗粒，烟尘很大", "{S}的砖窑冒黑烟", "{S}烟囱里飘下来的黑灰落在车上洗都洗不掉",
        "{S}的锅炉房每天{T}冒烟", "{S}用燃煤锅炉烧水，冒的是黑烟", "{S}的除尘设备坏了也不修，烟尘直接排",
        "{S}的大烟囱{T}冒烟，{C}都罩在烟里"],
    sense: &["黑烟滚滚", "烟灰像下雨一样往下掉", "阳台上一层黑灰", "冒的是黄黑色的烟"],
    harm: &["晒的被子都是黑点", "车上一层黑灰", "{我们}出门都得戴口罩"],
    vague: &["{S}烟囱的问题", "{S}一直冒烟"],
    kinds: &[kind(Stem::Firm, &["砖厂", "锅炉房", "供热站", "热力公司", "铸造厂", "洗浴中心", "浴池", "生物质燃料厂"], NO_END)] };

/// noise/industrial: machines in plants, including the pumps and fans of utilities.
#[rustfmt::skip]
const NOISE_INDUSTRIAL: Topic = Topic { code: "industrial", terms: &["工业噪声扰民", "生产噪声扰民", "设备噪音扰民"],
    core: &["{S}的机器{T}一直在响，{X}", "{S}晚上加班生产，噪音很大", "{S}的冷却塔和风机{T}嗡嗡响",
        "{S}车间冲压一下一下的，{X}", "{S}的空压机就放在厂房外面，离{C}很近", "{S}切割钢材的声音特别刺耳",
        "{S}的鼓风机24小时不停", "{S}的曝气风机和水泵日夜运转，声音很大", "{S}装卸货叮叮当当的，{T}也不停",
        "{S}的设备一开，地面都在震", "{S}的木工机械声音刺耳", "{S}冷库的压缩机噪音很大"],
    sense: &["嗡嗡嗡的", "轰隆隆的", "咣当咣当响", "震得窗户都在响", "像打雷一样", "刺耳的尖叫声"],
    harm: &["{我}晚上根本睡不着", "{我家}老人心脏不好，被吵得心慌", "孩子写作业都没法集中精力", "被吵得神经衰弱"],
    vague: &["{S}太吵了", "{S}又开始了，还让不让人睡觉", "{S}那边动静太大"],
    kinds: &[kind(Stem::Firm, &["机械", "木业", "钢构", "石材", "纺织", "五金", "冲压件", "模具", "塑料"], PLANT_END),
        kind(Stem::Firm, &["冷链物流园", "污水处理厂", "自来水厂加压站"], NO_END)] };

/// noise/construction: building sites and road works.
#[rustfmt::skip]
const NOISE_CONSTRUCTION: Topic = Topic { code: "construction", terms: &["夜间施工噪声扰民", "施工噪音扰民", "违规夜间施工"],
    core: &["{S}{T}还在施工，{X}", "{S}夜间施工，打桩的声音特别大", "{S}的混凝土泵车{T}还在浇筑",
        "{S}半夜还在用电锯切割", "{S}的挖掘机和破碎锤一直在干活", "{S}没有夜间施工许可，还在夜里干",
        "{S}一大早五点多就开工", "{S}晚上渣土车进进出出，轰隆隆的", "{S}的塔吊晚上也在作业，还有人拿喇叭喊",
        "{S}周末和中午午休时间也在施工", "{R}修路晚上也在干，破碎机吵死了", "{S}说有夜间施工证明，但天天干到凌晨"],
    sense: &["咚咚咚的打桩声", "轰隆隆的", "震得窗户都在响", "刺耳的电锯声", "哐哐哐的"],
    harm: &["{我家}孩子马上要考试了", "{我}第二天还要上班，一晚上没睡", "老人被吵得血压升高", "宝宝被吵醒哭个不停"],
    vague: &["{S}又在搞了", "工地的问题一直没人管", "{S}整夜不消停"],
    kinds: &[kind(Stem::Estate, &["工地", "项目工地", "施工工地"], NO_END),
        kind(Stem::Road, &["改造工程", "地铁施工段", "管网工程", "道路施工"], NO_END),
        kind(Stem::Firm, &["建筑工程有限公司", "建设集团"], NO_END)] };

/// noise/social_life: shops, bars, dancing, renovation, and building equipment such as pumps.
#[rustfmt::skip]
const NOISE_SOCIAL: Topic = Topic { code: "social_life", terms: &["社会生活噪声扰民", "商业噪音扰民", "噪音扰民"],
    core: &["{C}的二次供水水泵房噪音很大，{X}", "楼上在装修，{T}还在电钻打墙", "{S}门口放大音响招揽顾客，吵死了",
        "{S}的广场舞音乐开得很大，{T}还在跳", "{S}唱歌声音太大，一直唱到凌晨", "{S}的空调外机声音很大，正对着{我家}卧室",
        "{S}夜里音乐震耳欲聋", "楼里的水泵夜里一启动就咚咚响，整栋楼都听得到", "{S}放音乐扔杠铃，声音很大",
        "{S}天天用喇叭循环播促销广告", "{C}地下室的变频水泵一开，床都在震", "{S}的排风机一直响到半夜"],
    sense: &["咚咚咚的低音", "震得心里发慌", "嗡嗡的低频声", "吵得头疼", "音乐声震耳欲聋"],
    harm: &["{我}神经衰弱，整晚失眠", "孩子上网课都听不清", "老人被吵得睡不着"],
    vague: &["{S}太吵了", "晚上太吵了，管一管", "{S}影响休息"],
    kinds: &[kind(Stem::Shop, &["KTV", "酒吧", "超市", "健身房", "棋牌室", "服装店", "手机店"], NO_END),
        kind(Stem::Firm, &["广场", "商场", "量贩KTV", "酒吧", "物业管理有限公司"], NO_END)] };

/// noise/traffic: roads, elevated highways, railways.
#[rustfmt::skip]
const NOISE_TRAFFIC: Topic = Topic { code: "traffic", terms: &["交通噪声扰民", "道路噪音扰民"],
    core: &["{S}上的车{T}轰隆隆的，{X}", "{S}没有装隔音屏，车辆噪音很大", "大货车夜里从{R}经过，喇叭按个不停",
        "{S}上有改装车和摩托车炸街，{T}最厉害", "{S}路面坑坑洼洼，大车一过就哐当响", "{S}的火车经过时声音很大，还鸣笛",
        "{S}的隔音屏破了一直没修", "{S}限速形同虚设，车速太快噪音大", "{S}旁边的减速带，车一压就咣咣响"],
    sense: &["轰隆隆的", "震得窗户响", "喇叭声刺耳", "呼啸而过的声音"],
    harm: &["晚上根本没法开窗睡觉", "{我家}老人一夜要被吵醒好几次"],
    vague: &["{S}的车太吵了", "这条路太吵"],
    kinds: &[kind(Stem::Road, &["高架", "快速路", "立交桥", "主干道"], NO_END), kind(Stem::Firm, &["高速", "绕城高速", "铁路线"], NO_END)] };

/// water/industrial_wastewater: plant effluent.
#[rustfmt::skip]
const INDUSTRIAL_WASTEWATER: Topic = Topic { code: "industrial_wastewater", terms: &["偷排废水", "工业废水直排", "废水超标排放"],
    core: &["{S}偷排废水，河水都变颜色了", "{S}通过暗管往{R}边的河里排污", "{S}趁下雨天偷排生产废水，{X}",
        "{S}的废水没处理就直接排进雨水管", "{S}的污水处理设施没开，废水直接外排", "{S}排出来的水{X}",
        "{S}的排污口就在河边，{T}往外排水", "{S}在厂区挖渗坑排废水", "{S}的电镀废水直接排进下水道",
        "{S}印染后的废水直接排到沟里，{X}", "{S}用罐车把废水拉出去偷倒", "河里的鱼都死了，怀疑是{S}排的废水"],
    sense: &["水是黑红色的", "泛着白沫", "水面一层油花", "颜色发蓝", "有股化学药水的臭味", "死鱼漂了一片"],
    harm: &["下游还有人用这个水浇地", "河里的鱼都死光了", "担心地下水被污染"],
    vague: &["{S}往河里排东西", "{S}排的水不正常"],
    kinds: &[kind(Stem::Firm, &["电镀", "印染", "造纸", "化工", "食品", "洗水", "皮革", "酿酒", "制药", "线路板"], PLANT_END)] };

/// water/sewage: domestic sewage, overflowing septic tanks, restaurants' waste water.
#[rustfmt::skip]
const SEWAGE: Topic = Topic { code: "sewage", terms: &["生活污水直排", "污水外溢", "污水乱排"],
    core: &["{C}的化粪池满了往外冒，污水流得满地都是", "{S}的生活污水直接排进河道", "{R}上的污水井冒水，污水横流",
        "{S}的污水管道堵了，污水流到路面上", "{S}的洗车水直接排到路边", "{S}把泔水和洗碗水倒进雨水井",
        "{S}的污水处理站不正常运行，出水很浑", "{S}的污水管接到了雨水管里，{X}", "{C}楼下的下水道返水，黑水漫到路上",
        "{S}把厕所的污水直接排到旁边的水沟", "村里的生活污水没有收集，全排到{S}附近的沟里"],
    sense: &["污水黑乎乎的", "臭味很大", "水面漂着垃圾和泡沫", "污水漫到了人行道上"],
    harm: &["孩子上学只能踩着污水走", "夏天蚊子苍蝇特别多"],
    vague: &["{S}下水的问题", "{S}那边的水很脏"],
    kinds: &[kind(Stem::Firm, &["洗车行", "洗浴中心", "物业管理有限公司", "污水处理站", "宾馆", "农家乐"], NO_END),
        kind(Stem::Shop, &["洗车", "饭店", "面馆"], NO_END)] };

/// water/black_odorous: black and stinking rivers, ditches and ponds.
#[rustfmt::skip]
const BLACK_ODOROUS: Topic = Topic { code: "black_odorous", terms: &["水体黑臭", "河道黑臭"],
    core: &["{S}的水又黑又臭，{X}", "{S}常年发黑发臭，一直没有治理", "{S}水面漂满垃圾，水是黑色的",
        "{S}整治以后没多久又变黑了", "{S}的水不流动，成死水了", "{S}一到夏天就臭得不行",
        "{S}里面长满了水葫芦和绿藻，水已经发臭", "{S}的淤泥多年没清，{X}", "{S}两边的排水口一直往河里排黑水",
        "{S}的水看上去像墨汁一样"],
    sense: &["臭气熏天", "水面一直冒泡", "散发着恶臭", "水像墨汁一样黑", "漂着死鱼"],
    harm: &["住在河边根本不敢开窗", "孩子在边上玩很危险", "蚊虫滋生"],
    vague: &["{S}这个水太脏了", "{S}什么时候能治理好"],
    kinds: &[kind(Stem::Firm, &["河", "沟", "渠", "排洪沟", "塘", "浜", "港", "溪", "涌"], NO_END)] };

/// water/livestock: manure and effluent from farms.
#[rustfmt::skip]
const LIVESTOCK: Topic = Topic { code: "livestock", terms: &["养殖污染", "畜禽粪污直排", "养殖废水外排"],
    core: &["{S}的粪水直接排到{R}边的沟里", "{S}养猪的粪污没处理就往河里排", "{S}的粪便堆在露天，一下雨就冲到河里",
        "{S}的沼液用管子抽到地里，流得到处都是", "{S}的沼气池漫出来了，{X}", "{S}在水塘边上养鸭，水都变绿了",
        "{S}的养殖废水偷偷排到鱼塘", "{S}存栏几千头猪，粪污处理设施根本不够", "{S}的冲圈水顺着沟流进村里的河",
        "{S}的粪水渗到地下，{我家}的井水都有味了"],
    sense: &["粪水黑乎乎的", "臭味很大", "苍蝇成群", "河水变成了黄绿色"],
    harm: &["{我家}的井水都不敢喝了", "下游的稻田都受影响"],
    vague: &["{S}的问题很严重", "{S}这个养殖场搞得很脏"],
    kinds: &[rural(Stem::Village, &["养猪场", "养鸡场", "养牛场", "养鸭场", "生猪养殖场"], NO_END),
        rural(Stem::Firm, &["畜牧", "养殖", "牧业"], &["有限公司", "专业合作社"])] };

/// water/drinking_source: activities in drinking-water protection zones.
#[rustfmt::skip]
const DRINKING_SOURCE: Topic = Topic { code: "drinking_source", terms: &["污染饮用水水源地", "在水源保护区违法建设"],
    core: &["{S}在饮用水水源保护区里面经营", "{S}在水库边上搞养殖，污染饮用水源", "{S}往水库里排污水，这是{我们}喝的水",
        "水源地附近有人洗衣服钓鱼游泳", "{S}在水源一级保护区里建房子", "{S}在取水口上游开农家乐，污水直接排进水库",
        "{S}在水源地旁边洗砂，水很浑", "{我家}自来水有股怪味，怀疑水源被{S}污染了", "{S}在水库里网箱养鱼，投了很多饲料",
        "{S}的车在水源保护区里倒垃圾"],
    sense: &["水有异味", "水面发绿", "自来水是黄的", "水很浑浊"],
    harm: &["全镇的人都喝这个水", "担心喝水安全"],
    vague: &["{S}在水库边上搞东西", "喝的水不对劲"],
    kinds: &[rural(Stem::Firm, &["农家乐", "山庄", "洗砂场", "养殖场", "度假村"], NO_END)] };

/// solid_waste/industrial_solid: slag, sludge and scrap dumped by plants.
#[rustfmt::skip]
const INDUSTRIAL_SOLID: Topic = Topic { code: "industrial_solid", terms: &["工业固废乱倒", "固体废物非法倾倒"],
    core: &["{S}把工业废渣倒在{R}边的空地上", "{S}的炉渣露天堆放，没有任何防护", "{S}晚上偷偷往河边倒固体废物",
        "{S}的边角废料堆成了山", "{S}把废料拉到村里的荒地里填埋", "{S}的污泥随便堆在厂外面，{X}",
        "{S}的废渣倒进了农田", "有车夜里往{R}旁边的坑里倒工业垃圾", "{S}的粉煤灰堆场没有遮盖",
        "{S}把生产废料混在生活垃圾里扔"],
    sense: &["堆得跟小山一样", "下雨后流出黑水", "散发着怪味"],
    harm: &["占了好几亩地", "一下雨就冲到地里"],
    vague: &["{S}乱倒东西", "{S}把东西堆得到处都是"],
    kinds: &[kind(Stem::Firm, &["钢铁", "铸造", "化工", "建材", "再生资源", "塑料"], PLANT_END)] };

/// solid_waste/hazardous: waste oil, batteries, chemical drums.
#[rustfmt::skip]
const HAZARDOUS: Topic = Topic { code: "hazardous", terms: &["危险废物非法处置", "危废乱堆乱放"],
    core: &["{S}的废机油随便倒在地上", "{S}把废铅酸电池露天堆放", "{S}的危险废物没有专门的贮存间",
        "{S}把油漆桶和废溶剂桶扔在垃圾堆里", "{S}没有资质私自收购废机油", "{S}的电镀污泥随便堆放",
        "{S}偷偷把废酸液倒在厂后面", "{S}在非法拆解废旧电池", "{S}的危废仓库门都没锁，桶都漏了",
        "{S}把废活性炭和油渣混在生活垃圾里", "有人在{R}边上倒了几十个化工桶，{X}"],
    sense: &["桶里流出来黑色的液体", "地面都被腐蚀了", "有股刺鼻的味道"],
    harm: &["担心污染地下水", "附近有小孩玩，太危险了"],
    vague: &["{S}那些桶不知道装的什么", "{S}的东西很危险"],
    kinds: &[kind(Stem::Firm, &["电镀", "化工", "电池回收", "废油回收", "线路板"], PLANT_END), kind(Stem::Shop, &["汽修", "汽修厂"], NO_END)] };

/// solid_waste/household: uncollected household garbage.
#[rustfmt::skip]
const HOUSEHOLD: Topic = Topic { code: "household", terms: &["生活垃圾清运不及时", "垃圾乱堆乱放"],
    core: &["{C}的垃圾好几天没人清运，{X}", "{S}的垃圾桶满了都没人收", "{R}边上垃圾堆积如山，没人管",
        "{S}门口的垃圾点天天满溢", "{S}把生活垃圾随便倒在{R}边上", "村里的垃圾都倒在河边，{X}",
        "{C}的垃圾分类形同虚设，垃圾乱丢", "垃圾车只收一半就走了", "{S}的餐厨垃圾倒在路边",
        "楼道里堆满了垃圾，物业也不清理", "{S}附近有人长期乱扔垃圾"],
    sense: &["苍蝇蚊子到处飞", "污水横流", "堆得比人还高", "都已经发臭了"],
    harm: &["老鼠到处跑", "太影响市容了", "孩子放学要从垃圾堆旁边过"],
    vague: &["{S}太脏了", "环境卫生太差"],
    kinds: &[kind(Stem::Firm, &["物业管理有限公司", "物业服务中心", "农贸市场", "菜市场"], NO_END),
        rural(Stem::Village, &["垃圾点", "垃圾池"], NO_END)] };

/// solid_waste/construction_waste: rubble and renovation waste.
#[rustfmt::skip]
const CONSTRUCTION_WASTE: Topic = Topic { code: "construction_waste", terms: &["建筑垃圾乱倒", "偷倒渣土"],
    core: &["{S}的建筑垃圾倒在{R}边上", "有渣土车夜里往{C}旁边的空地偷倒建筑垃圾", "{S}的装修垃圾在楼道口堆了好久",
        "{S}把拆下来的砖头水泥块倒在河道边", "{S}的渣土乱倒，占了半条路", "{S}的建筑垃圾混着生活垃圾一起扔",
        "{C}的装修垃圾没人清运，堆满了绿化带", "{S}偷倒建筑垃圾，把农田都填了", "{R}桥下被倒了好多建筑垃圾",
        "{S}的渣土车一路撒漏"],
    sense: &["堆得像小山", "碎砖烂瓦一大堆"],
    harm: &["绿化带都被压坏了", "晚上走路容易摔倒"],
    vague: &["{S}乱倒东西", "又有人来倒东西了"],
    kinds: &[kind(Stem::Firm, &["装饰工程有限公司", "渣土运输有限公司", "拆迁公司"], NO_END), kind(Stem::Estate, &["工地"], NO_END)] };

/// solid_waste/medical: needles, gauze and other clinical waste.
#[rustfmt::skip]
const MEDICAL: Topic = Topic { code: "medical", terms: &["医疗废物处置不规范", "医疗垃圾乱扔"],
    core: &["{S}把用过的针头输液管扔进生活垃圾桶", "{S}的医疗废物随便堆在门口", "{S}的医疗垃圾没有按规定转运",
        "{S}的医疗废物暂存间没有上锁", "{S}门口的垃圾桶里好多带血的纱布和针管", "{S}把医疗垃圾卖给收废品的",
        "{S}的过期药品随便丢", "{S}的黄色医疗垃圾袋堆在楼道里"],
    sense: &["有带血的纱布", "针头都露在外面"],
    harm: &["小孩在附近玩，担心被扎到", "担心传染病"],
    vague: &["{S}扔的垃圾不对劲", "{S}的垃圾很危险"],
    kinds: &[kind(Stem::Firm, &["诊所", "社区卫生服务站", "口腔门诊", "医院", "宠物医院", "卫生院"], NO_END),
        kind(Stem::Shop, &["诊所", "中医诊所"], NO_END)] };

/// radiation/electromagnetic: base stations, substations, power lines.
#[rustfmt::skip]
const ELECTROMAGNETIC: Topic = Topic { code: "electromagnetic", terms: &["电磁辐射扰民", "辐射超标"],
    core: &["{C}楼顶装了通信基站，担心有辐射", "{S}离{C}不到{M}，辐射太大了", "{S}的高压线从{C}上空经过",
        "{S}建在居民区旁边，没有公示", "{我家}对面楼顶装了好几个信号发射器", "{S}的天线正对着{我家}窗户",
        "{S}一直有嗡嗡声，还担心电磁辐射", "{S}新建的信号塔离幼儿园很近", "{S}辐射很大", "物业偷偷在{C}里装了5G基站"],
    sense: &["待久了就头疼", "晚上睡不好"],
    harm: &["家里有孕妇和小孩，很担心", "老人说头疼失眠"],
    vague: &["{S}那个东西对身体有害", "{S}装的东西不知道安不安全"],
    kinds: &[kind(Stem::Firm, &["通信基站", "变电站", "110千伏变电站", "广播电视发射塔", "信号塔"], NO_END)] };

/// radiation/ionizing: radiography and radioactive sources.
#[rustfmt::skip]
const IONIZING: Topic = Topic { code: "ionizing", terms: &["放射源管理不规范", "射线探伤无防护"],
    core: &["{S}在露天做射线探伤，没有防护", "{S}的放射源管理不规范", "{S}的放射科没有防护门",
        "{S}存放放射源的地方没有警示标志", "{S}在工地上做探伤，警戒线都没拉", "{S}的CT室墙壁防护不够",
        "{S}拍片的时候门都开着", "听说{S}丢了一个放射源"],
    sense: &["门口没有任何警示", "看到有人拿着仪器在拍"],
    harm: &["担心受到辐射", "附近就有学校"],
    vague: &["{S}做的东西有辐射", "{S}在搞危险的东西"],
    kinds: &[kind(Stem::Firm, &["无损检测有限公司", "检测技术有限公司", "医院", "口腔医院", "探伤公司"], NO_END)] };

/// ecology/mining_sand: quarries and sand dredging.
#[rustfmt::skip]
const MINING_SAND: Topic = Topic { code: "mining_sand", terms: &["非法采砂", "非法采矿", "破坏山体"],
    core: &["{S}在河道里非法采砂，{T}有挖沙船作业", "{S}非法开采山石，山都挖空了", "{S}越界开采，把林地也挖了",
        "{S}采矿不复垦，山上光秃秃的", "{S}采石场放炮，石头飞到村里", "{S}偷采河沙，河床挖得乱七八糟",
        "{S}的采砂船晚上偷偷作业", "{S}采石破坏了大片山体", "{S}在基本农田里挖沙取土", "{S}的采矿证早就过期了还在开采"],
    sense: &["山体一块一块裸露着", "河道坑坑洼洼"],
    harm: &["河堤都被掏空了", "下雨担心山体滑坡"],
    vague: &["{S}在山上乱挖", "{S}天天在挖"],
    kinds: &[rural(Stem::Firm, &["石料厂", "采石场", "矿业有限公司", "砂场", "采砂场"], NO_END),
        rural(Stem::Village, &["采砂点", "砂石场"], NO_END)] };

/// ecology/vegetation: felling, land clearing, wetland filling.
#[rustfmt::skip]
const VEGETATION: Topic = Topic { code: "vegetation", terms: &["毁林", "破坏植被", "乱砍滥伐"],
    core: &["{S}乱砍滥伐，山上的树砍了一大片", "{S}毁林开荒种果树", "{S}把河边的防护林砍了", "{S}占用林地建厂房",
        "{S}砍了{C}里好多大树", "{S}在山上放火烧荒", "{S}把湿地填了搞开发", "{S}把草地推平了建停车场", "{S}在山上挖树卖"],
    sense: &["一大片树桩", "山上光秃秃的"],
    harm: &["水土流失很严重", "好好的林子没了"],
    vague: &["山上的树少了很多", "{S}在山上乱搞"],
    kinds: &[rural(Stem::Firm, &["农业开发有限公司", "园林绿化公司", "林场", "木材加工厂", "房地产开发公司"], NO_END),
        rural(Stem::Village, &["村委会"], NO_END)] };

/// ecology/protected_area: construction and business in nature reserves.
#[rustfmt::skip]
const PROTECTED_AREA: Topic = Topic { code: "protected_area", terms: &["在自然保护区违法建设", "破坏保护区"],
    core: &["{S}在自然保护区里建别墅", "{S}在保护区核心区搞旅游开发", "{S}在湿地公园里违规建设", "{S}在风景区里开山修路",
        "{S}在保护区内搞养殖", "{S}的民宿建在保护区里，污水直接排", "{S}在保护区里开采", "{S}把保护区的界碑都挪了"],
    sense: &["推土机一直在那边干活", "山坡挖开了一大块"],
    harm: &["好好的保护区被破坏了"],
    vague: &["{S}在山里搞建设", "{S}在里面动土"],
    kinds: &[rural(Stem::Firm, &["生态度假村", "山庄", "民宿", "旅游开发公司", "农庄"], NO_END)] };

/// ecology/wildlife: poaching and wildlife trade.
#[rustfmt::skip]
const WILDLIFE: Topic = Topic { code: "wildlife", terms: &["非法捕猎野生动物", "非法售卖野生动物"],
    core: &["{S}在卖野生动物，有穿山甲", "{S}用网捕鸟，网上挂了好多死鸟", "{S}在湿地偷偷捕候鸟",
        "有人在{R}附近的山上下套子抓野生动物", "{S}用电电鱼", "{S}收购野生鸟类", "{S}在湖边下药毒鸟",
        "{S}的菜单上有野味，像是保护动物"],
    sense: &["网上挂着好几只鸟", "笼子里关着好多鸟"],
    harm: &["这些都是保护动物"],
    vague: &["{S}在抓东西", "{S}干的事不合法"],
    kinds: &[rural(Stem::Shop, &["野味馆", "土菜馆", "农家乐"], NO_END), rural(Stem::Firm, &["花鸟市场", "养殖场"], NO_END)] };

/// soil: contaminated land and farmland.
#[rustfmt::skip]
const SOIL: Topic = Topic { code: "soil", terms: &["污染土壤", "污染耕地"],
    core: &["{S}旧厂址的土被污染了，现在要盖房子", "{S}的废水渗进了农田，土都变色了", "{S}把污泥填在了耕地里",
        "{S}搬走后留下的地块有很重的化学味", "{S}周边地里种的庄稼都死了", "{S}往地里倒废液", "{S}用废渣回填场地",
        "{我家}的菜地被{S}的废水淹了，菜都烂了", "{S}周边的土壤重金属超标"],
    sense: &["土是黑红色的", "寸草不生"],
    harm: &["种出来的东西不敢吃"],
    vague: &["{S}那块地有问题", "地里的东西都长不好"],
    kinds: &[rural(Stem::Firm, &["冶炼厂", "化工厂", "废旧物资回收站", "电池厂", "农药厂"], NO_END)] };

/// marine: discharges, dumping and reclamation at sea.
#[rustfmt::skip]
const MARINE: Topic = Topic { code: "marine", terms: &["污染海域", "非法排海"],
    core: &["{S}的养殖尾水直接排到海里", "{S}往海里倒垃圾", "{S}的排污口直接排海，海水都变色了", "{S}在滩涂上围海养殖",
        "{S}的船在港内偷排含油污水", "海边沙滩上全是油污，怀疑是{S}漏的", "{S}在非法填海", "{S}装卸煤的时候煤粉掉到海里",
        "{S}把养殖的泡沫浮球扔进海里"],
    sense: &["海面上一层油", "海水发臭发红"],
    harm: &["海边的贝类都死了", "渔民没法出海"],
    vague: &["{S}海边的问题", "海边被搞得一塌糊涂"],
    kinds: &[rural(Stem::Firm, &["水产养殖场", "码头", "渔港", "海产品加工厂", "船厂"], NO_END)] };

/// other: permits, light pollution and the rest.
#[rustfmt::skip]
const OTHER: Topic = Topic { code: "other", terms: &["未批先建", "环保手续不全"],
    core: &["{S}无证经营，环评手续都没有", "{S}的环评没批就开工了", "{S}在居民楼里开作坊", "{S}违规建设，没有环保手续",
        "{S}的灯晚上照得太亮，家里通亮", "{S}的LED大屏晚上太刺眼", "{S}的玻璃幕墙反光刺眼", "{S}的环保设施跟环评写的不一样"],
    sense: &["晃得眼睛疼", "问了也没人说得清"],
    harm: &["影响居民正常生活"],
    vague: &["{S}有问题，请来查一下", "{S}的手续不知道全不全"],
    kinds: &[kind(Stem::Firm, &["科技有限公司", "商贸有限公司", "广告公司", "文化传媒有限公司", "加工厂"], NO_END)] };

#[rustfmt::skip]
const TOPICS: [&Topic; 31] = [
    &ODOR, &DUST, &COOKING_FUMES, &OPEN_BURNING, &INDUSTRIAL_GAS, &VEHICLE, &VOCS, &SMOKE_DUST, &NOISE_INDUSTRIAL,
    &NOISE_CONSTRUCTION, &NOISE_SOCIAL, &NOISE_TRAFFIC, &INDUSTRIAL_WASTEWATER, &SEWAGE, &BLACK_ODOROUS, &LIVESTOCK,
    &DRINKING_SOURCE, &INDUSTRIAL_SOLID, &HAZARDOUS, &HOUSEHOLD, &CONSTRUCTION_WASTE, &MEDICAL, &ELECTROMAGNETIC,
    &IONIZING, &MINING_SAND, &VEGETATION, &PROTECTED_AREA, &WILDLIFE, &SOIL, &MARINE, &OTHER,
];

// ---- registers --------------------------------------------------------------------------------

/// Everything that depends on the register: pools with the rate of using them, and rates.
#[derive(Debug)]
struct Voice {
    open: (f64, &'static [&'static str]),
    ask: (f64, &'static [&'static str]),
    close: (f64, &'static [&'static str]),
    /// Shares of short (12–35 chars) and long (150–300) targets; the rest aim at 40–150.
    short: f64,
    long: f64,
    /// Rate of an operator's summary ("{S}存在{K}问题") as the core.
    summary: f64,
    /// Rate of naming the source in full (else by a short name or as "那个厂").
    full_name: f64,
    /// `{我}`, `{我家}`, `{我们}`, then "our compound" and "our village".
    me: [&'static [&'static str]; 5],
    /// An operator's attributions ("来电人称").
    attribution: &'static [&'static str],
    /// Rates of typos, dialect words and sloppy punctuation.
    typo: f64,
    dialect: f64,
    mess: f64,
}

#[rustfmt::skip]
const PHONE: Voice = Voice {
    open: (0.96, &["来电人反映：", "市民来电反映，", "来电人称，", "来电反映", "市民来电称：", "群众来电反映：", "来电人（匿名）反映，",
        "来电人{A}反映：", "来电人系{c}居民，反映", "市民通过12345热线来电反映：", "来电人反映称", "来电者反映：", "市民来电投诉：",
        "来电人{A}称，", "市民来电反映（{P}）：", "来电人家住{c}，反映"]),
    ask: (0.7, &["来电人要求相关部门尽快处理", "来电人希望环保部门核实处理", "请相关部门核实并依法查处", "来电人要求回复处理结果",
        "请尽快派人到现场查看", "来电人要求停工整改", "诉求：要求尽快处理", "请相关部门处理并回复来电人", "来电人要求对其信息保密",
        "望有关部门尽快处理"]),
    close: (0.12, &["（来电人要求回访）", "来电人不愿留姓名。", "来电人联系方式已登记。", "（需回复）"]),
    short: 0.12, long: 0.12, summary: 0.3, full_name: 0.7,
    me: [&["来电人", "来电人", "来电人", "其"], &["来电人家", "其家中", "来电人家里"], &["周边居民", "附近居民", "居民们"],
        &["来电人所在小区", "其居住的小区"], &["来电人所在村", "其村里"]],
    attribution: &["来电人称", "来电人表示", "据来电人讲，", "另外"],
    typo: 0.08, dialect: 0.05, mess: 0.03,
};

#[rustfmt::skip]
const ONLINE: Voice = Voice {
    open: (0.45, &["你好，", "您好！", "领导好，", "投诉：", "举报：", "我是{c}的业主，", "我要投诉！", "环保局的同志你们好，",
        "实在忍不了了！", "麻烦管一下，", "我住在{R}{c}，", "请问有人管吗？", "想反映个问题，", "再次投诉！", "【投诉】",
        "各位领导好，我是附近居民，"]),
    ask: (0.55, &["希望尽快处理", "请相关部门管一管", "麻烦环保局来看看", "求求你们管管吧", "希望环保部门尽快来查", "请依法查处",
        "希望能彻底解决", "请尽快回复", "能不能让他们停下来", "要求停工整改", "希望还我们一个好的生活环境", "请晚上派人来看看就知道了",
        "别再拖了", "谢谢"]),
    close: (0.0, &[]),
    short: 0.2, long: 0.1, summary: 0.06, full_name: 0.45,
    me: [&["我"], &["我家", "我们家", "家里"], &["我们", "大家", "居民"], &["我们小区", "我住的小区", "我家小区"], &["我们村", "村里"]],
    attribution: &[],
    typo: 0.3, dialect: 0.2, mess: 0.25,
};

#[rustfmt::skip]
const LETTER: Voice = Voice {
    open: (0.9, &["尊敬的{P}生态环境局领导：", "尊敬的领导：您好！", "{P}环保局：", "致{P}生态环境局：", "尊敬的环保部门领导：",
        "我们是{c}的业主，现就以下问题向贵局反映：", "本人系{c}居民，现实名举报如下：", "尊敬的领导：我是{P}{c}的一名居民，"]),
    ask: (0.95, &["恳请贵局依法查处", "望贵局高度重视，尽快调查处理", "请依法责令其停产整改", "恳请有关部门还居民一个良好的生活环境",
        "特此举报，望予以重视", "请贵局依法查处并将处理结果告知本人"]),
    close: (0.5, &["此致 敬礼！", "举报人：{c}业主", "{c}全体业主", "联系人：{A}", "以上情况属实，盼复。"]),
    short: 0.03, long: 0.35, summary: 0.3, full_name: 0.7,
    me: [&["本人", "我"], &["我家", "本人家中"], &["我们", "广大居民", "周边居民"], &["本小区", "我们小区"], &["本村", "我们村"]],
    attribution: &[],
    typo: 0.04, dialect: 0.0, mess: 0.0,
};

fn voice(register: Register) -> &'static Voice {
    match register {
        Register::PhoneTranscript => &PHONE,
        Register::Online => &ONLINE,
        Register::Letter => &LETTER,
    }
}

// ---- shared pools -------------------------------------------------------------------------------

/// Characters for invented names.
const NAME_CHARS: &str = "鑫达华盛宏远恒信泰丰源兴隆昌利永安金银宝祥瑞福德康明辉光新中天海东西南北嘉和润泽益佳美\
    通顺发富荣强力创博凯越峰腾飞龙凤鹏豪威正诚合协联环宇汇众立成广大长久建科实阳春秋晨星月云江河湖山川林森绿青蓝\
    红紫亮晶玉石岭万千高盈裕旋锦绣夏振昊浩伟俊杰志雅致秀丽芳菲友谊先锋胜旗风图鸿运吉庆如意奥赛维特普罗卡莱澳亚\
    禾仁民鼎碧桂融鲁豫皖湘粤闽浙苏津沪渝蜀晋冀辽赣滇黔陕甘宁琼蒙铭轩宸泓淼焱垚磊晟旺桥湾溪瀚钧锐弘毅邦晖煜琪\
    瑶璟楠桐柏松竹梅兰菊荷莲杉桦榕枫";
const SURNAMES: &str = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程\
    苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔";
#[rustfmt::skip]
const ROAD_STEMS: &[&str] = &["解放", "人民", "建设", "中山", "和平", "科技园", "工业园", "滨江", "新华", "长江", "黄河", "迎宾",
    "朝阳", "文化", "学府", "光明", "胜利", "幸福", "青年", "友谊", "东风", "红旗", "金沙", "银湖", "环城", "振兴", "前进", "育才",
    "体育", "公园", "延安", "民主", "团结", "东湖", "西湖", "凤凰", "机场", "高新", "开发区", "站前"];
#[rustfmt::skip]
const ROAD_ENDS: &[&str] = &["路", "路", "大道", "街", "大街", "东路", "西路", "南路", "北路", "中路", "一路", "二路", "三路", "巷"];
#[rustfmt::skip]
const COMPOUND_STEMS: &[&str] = &["翠湖", "幸福", "阳光", "金色", "碧水", "锦绣", "书香", "枫林", "橡树", "紫荆", "凤凰", "御景",
    "滨江", "世纪", "东方", "华府", "海棠", "丽景", "康桥", "绿地", "明珠", "盛世", "怡景", "龙湖", "春天", "水岸", "翡翠", "香榭"];
#[rustfmt::skip]
const COMPOUND_ENDS: &[&str] = &["花园", "小区", "家园", "苑", "新村", "公寓", "雅苑", "名邸", "华庭", "佳园", "里小区", "府",
    "新城", "嘉园", "花园二期", "小区三期", "公馆", "宿舍区"];
const VILLAGE_ENDS: &[&str] = &["村", "村", "庄", "屯", "湾", "寨"];
#[rustfmt::skip]
const ESTATE_ENDS: &[&str] = &["城", "府", "花园", "广场", "中心", "天地", "国际", "公馆", "壹号", "新城"];
const ESTATE_PHASES: &[&str] = &["", "", "一期", "二期", "三期", "A地块", "北区"];
const SHOP_FORMS: &[&str] = &["老{}", "{}记", "{}姐", "小{}", "{}家", "{}氏", "阿{}"];

/// Landmarks, some misleading (a garbage station next to a noise source).
#[rustfmt::skip]
const LANDMARKS: &[&str] = &["学校", "幼儿园", "菜市场", "公交站", "地铁站", "超市", "医院", "银行", "加油站", "公园", "派出所",
    "小学", "农贸市场", "停车场", "桥头", "红绿灯", "垃圾中转站", "污水处理厂", "变电站", "工地", "化工厂", "烧烤店"];

/// Where the source is.
#[rustfmt::skip]
const LOCATIONS: &[&str] = &["地址在{P}{R}", "位置在{R}和{Q}交叉口附近", "具体位置是{R}{N}号", "就在{c}{F}门对面",
    "在{C}{F}边，离{L}不远", "{R}{L}往{F}{M}左右", "离{C}也就{M}", "在{P}{R}{L}后面", "{R}上，{c}旁边", "紧挨着{C}", "{c}{F}侧",
    "地点：{P}{R}{N}号附近", "在{L}斜对面", "{R}靠近{Q}那一段", "{c}{F}门出来往{F}{M}", "{P}{R}{c}对面", "就在{L}边上，{R}",
    "从{C}{F}门出来就能看到"];

/// Times of day by the reporting hour; `TIME_ANY` fits any hour.
#[rustfmt::skip]
const TIME_NIGHT: &[&str] = &["每天{H}以后", "凌晨两三点", "半夜", "一到夜里", "夜里十一二点", "大半夜", "深更半夜", "后半夜",
    "{H}左右", "整夜"];
const TIME_MORNING: &[&str] = &[
    "一大早",
    "每天早上五六点",
    "每天{H}多",
    "天不亮",
    "上午",
    "清早",
];
const TIME_NOON: &[&str] = &["中午午休的时候", "下午", "每天中午", "白天", "大中午"];
const TIME_EVENING: &[&str] = &["每天傍晚", "晚饭的时候", "一到晚上", "{H}左右", "天一黑"];
#[rustfmt::skip]
const TIME_ANY: &[&str] = &["天天", "经常", "几乎每天", "一天到晚", "不分白天黑夜", "隔三差五", "最近几天"];
#[rustfmt::skip]
const TIME_TAILS: &[&str] = &["都这样", "就开始了", "最严重", "还在继续", "也不停", "特别明显", "尤其厉害"];
#[rustfmt::skip]
const DURATIONS: &[&str] = &["已经持续{n}个多星期了", "连续{n}天了", "已经{n}个多月了", "这种情况有半年多了", "从去年就开始了",
    "好几年了一直这样", "最近一个多星期天天如此", "上个月开始的，到现在也没停", "{n}年多了", "前后有{n}个来月了"];

/// Impacts any complaint can claim.
#[rustfmt::skip]
const GENERIC_HARM: &[&str] = &["严重影响周边居民正常生活", "{我们}苦不堪言", "大家意见很大", "已经影响到身体健康了",
    "业主群里天天有人说这个事", "这样下去谁受得了", "{我家}有老人小孩，实在扛不住", "住在这里太遭罪了"];

/// Vague complaints that name no pollution.
#[rustfmt::skip]
const GENERIC_VAGUE: &[&str] = &["{S}的问题一直没解决", "{S}严重扰民", "{S}影响太大了，受不了", "{S}天天这样，还让不让人活了",
    "{S}违规经营，对周边影响很大", "{S}那边的情况请派人来看一下", "{S}污染严重", "{S}搞得周边乌烟瘴气",
    "{S}的事之前反映过，现在又开始了", "{S}太不像话了"];

/// Core phrasings that name the type but not the sub-type, by type code.
#[rustfmt::skip]
const TYPE_CORE: &[(&str, &[&str])] = &[
    ("air", &["{S}排放的废气很难闻", "{S}的烟和味道都很大", "{S}污染空气，周边都是那股味", "{S}天天冒烟，空气太差了"]),
    ("noise", &["{S}噪音很大，吵得人睡不着", "{S}的声音太大了，{T}也不停", "{S}噪声扰民很严重", "{S}那边一直很吵"]),
    ("water", &["{S}往河里排污水", "{S}的污水没处理就排了", "{S}排的水又脏又臭", "{S}把脏水排到沟里"]),
    ("solid_waste", &["{S}的垃圾乱堆乱放", "{S}乱倒废物", "{S}的废弃物到处都是", "{S}倒的东西堆得到处都是"]),
    ("radiation", &["{S}有辐射，{我们}很担心", "{S}的辐射不知道超没超标"]),
    ("ecology", &["{S}破坏生态环境", "{S}把好好的山和水都破坏了"]),
];

/// An operator's one-line summary; `{K}` is the topic's term.
const SUMMARIES: &[&str] = &[
    "{S}{K}",
    "{S}存在{K}问题",
    "{P}{R}{S}{K}",
    "关于{S}{K}的问题",
];

/// Earlier attempts to get it solved.
#[rustfmt::skip]
const PREVIOUS: &[&str] = &["打过12345没人管", "{我}已经反映过好几次了", "之前投诉过，来人看了一眼就走了", "找过物业，物业说管不了",
    "跟老板说过，老板态度很差", "社区也来过，没有用", "环保局来查的时候就停，人一走又开始", "网上也留言了，一直没回复",
    "上个月反映过，整改了几天又恢复原样", "打了好多次电话了", "报过警，警察说这个归环保管", "{我们}联名写过信，石沉大海",
    "市长热线打过了，说转给环保了，没下文"];

/// Elaborations that make long texts long.
#[rustfmt::skip]
const NARRATIVE: &[&str] = &["{我家}住在{n}楼，正对着{S}", "{我}是上夜班的，白天想补个觉都不行", "前几天还有邻居专门去找他们理论，差点吵起来",
    "{我}拍了照片和视频，可以提供", "附近还有一所小学和一个幼儿园", "{C}住了好几千户人家", "他们说手续齐全，让{我们}随便去告",
    "听说老板有关系，所以一直没人敢管", "周围好几个小区的居民都有意见", "{我}在这里住了十几年了，以前从来没这样过",
    "这个问题是今年才有的，以前没有", "{我}不是无理取闹，实在是影响太大了", "物业和居委会都说管不了，让{我们}找环保",
    "{我家}有刚出生的宝宝，每天都提心吊胆", "邻居家老人因为这个住了好几次院", "他们白天不干，专门挑晚上和周末",
    "有一次{我}过去问，对方说马上就好，结果照样", "上次检查之前好像有人通风报信，当天就停了"];

/// Outbursts in web messages.
#[rustfmt::skip]
const EMOTE: &[&str] = &["真的受不了了", "太过分了", "还让不让人活了", "忍无可忍", "气死了", "有没有人管啊", "天天这样谁受得了",
    "实在是没办法了才来投诉的"];

/// Mentions of a further type of the case (multi-label), by type code.
#[rustfmt::skip]
const SECONDARY: &[(&str, &[&str])] = &[
    ("air", &["而且灰尘也很大", "还有一股很难闻的味道", "烟也很大，呛人", "车一过尘土飞扬", "排的气味也很呛人", "有时候还有刺鼻的味道"]),
    ("noise", &["晚上机器的声音也很吵", "噪音也很大，吵得睡不着", "还天天叮叮咣咣的", "半夜还有车进进出出，很吵", "设备一开嗡嗡响"]),
    ("water", &["污水直接排到旁边的河沟里", "废水流得满路都是", "旁边的河水都被弄脏了", "还往下水道里倒脏水", "冲洗的水直接排进雨水井"]),
    ("solid_waste", &["门口垃圾堆得到处都是", "废料乱堆乱放", "建筑垃圾也随便乱倒", "垃圾也没人清理", "废弃物堆在路边没人管"]),
    ("radiation", &["楼顶还装了个基站，担心有辐射", "听说还有辐射", "旁边还有个变电站，不知道有没有辐射"]),
    ("ecology", &["山上的树也砍了一大片", "把旁边的林地都占了", "河道也被挖得乱七八糟"]),
    ("soil", &["地里的土都被污染了", "周边的庄稼都长不好", "废水都渗到地里去了"]),
    ("marine", &["废水最后都流到海里了", "海边也被弄得很脏"]),
    ("other", &["听说环评手续都没有", "还占道经营", "晚上广告灯也很刺眼"]),
];

/// Words of another type, to mislead ("不是垃圾的问题，是…"), and the frames for them.
#[rustfmt::skip]
const DECOYS: &[(&str, &[&str])] = &[("air", &["味道", "油烟", "灰尘"]), ("noise", &["噪音", "声音"]),
    ("water", &["排污水", "下水道"]), ("solid_waste", &["垃圾", "乱堆乱放"]), ("radiation", &["辐射"]), ("ecology", &["砍树"]),
    ("other", &["手续"])];
#[rustfmt::skip]
const DECOY_FRAMES: &[&str] = &["不是{}的问题，", "倒不是{}，主要是", "{}的事之前反映过了，这次是", "{}还好，主要是", "不是投诉{}，是"];

/// Seasonal remarks: (topics, months, remarks).
#[rustfmt::skip]
const SEASONS: &[(&[&str], &[u32], &[&str])] = &[
    (&["smoke_dust", "industrial_gas"], &[11, 12, 1, 2, 3], &["一到冬天供暖就更严重了", "供暖季天天这样", "冬天烧锅炉烟更大"]),
    (&["cooking_fumes", "odor", "vocs"], &[6, 7, 8, 9], &["大热天想开窗通风都不行", "天一热味道更重了", "夏天开着窗全飘进来"]),
    (&["open_burning"], &[5, 6], &["正是麦收季节，到处在烧秸秆", "收完麦子就开始烧"]),
    (&["open_burning"], &[9, 10, 11], &["秋收以后天天有人烧", "收完玉米到处冒烟"]),
    (&["construction", "social_life", "traffic", "industrial"], &[5, 6], &["马上就要高考了", "孩子中考在即"]),
    (&["construction", "social_life", "traffic", "industrial"], &[7, 8], &["天热开着窗，声音全进来了"]),
    (&["dust"], &[3, 4, 5], &["春天风大，一刮全是灰"]),
    (&["sewage", "black_odorous", "livestock", "industrial_wastewater"], &[5, 6, 7, 8], &["一下雨就更严重", "汛期偷排更厉害了"]),
    (&["household"], &[1, 2], &["过年期间垃圾更多了，没人收"]),
    (&["household", "livestock"], &[7, 8], &["天热了苍蝇特别多"]),
];

/// Typos and homophone slips: (right, wrong).
#[rustfmt::skip]
const TYPOS: &[(&str, &str)] = &[("已经", "以经"), ("反映", "反应"), ("噪音", "躁音"), ("厉害", "利害"), ("在施工", "再施工"),
    ("的时候", "得时候"), ("根本", "跟本"), ("处理", "处里"), ("部门", "部们"), ("难闻", "难问"), ("影响", "影向"), ("睡觉", "水饺"),
    ("油烟", "有烟"), ("排放", "排方"), ("灰尘", "灰层"), ("垃圾", "拉圾"), ("扰民", "饶民"), ("投诉", "投述"), ("整改", "整该"),
    ("尽快", "进快"), ("一直", "一只"), ("污水", "乌水"), ("刺鼻", "刺比"), ("晚上", "晚伤"), ("施工", "师工"), ("严重", "严众"),
    ("味道", "味到"), ("那个", "哪个"), ("再次", "在次")];

/// Dialect and colloquial words, and abbreviations: (standard, local).
#[rustfmt::skip]
const DIALECT: &[(&str, &str)] = &[("什么", "啥"), ("怎么", "咋"), ("特别", "贼"), ("特别", "忒"), ("不知道", "不晓得"),
    ("没有", "冇"), ("没有", "莫得"), ("孩子", "娃"), ("孩子", "伢"), ("晚上", "夜里头"), ("很大", "老大了"), ("很", "蛮"),
    ("太吵了", "吵死个人"), ("这里", "这搭"), ("老人", "老人家"), ("一直", "一直都"), ("非常", "巨"), ("生态环境局", "环保局"),
    ("有限公司", "公司"), ("环保部门", "环保"), ("市长热线", "热线"), ("居委会", "居委"), ("业主群", "群")];
const PARTICLES: &[&str] = &["啊", "哦", "嘛", "咯", "哈", "呀", "哇", "噻"];

/// What a citizen calls a source, by the end of its name; the longest matching end wins.
#[rustfmt::skip]
const NICKNAMES: &[(&str, &str)] = &[("公司", "公司"), ("集团", "公司"), ("厂", "厂"), ("工地", "工地"), ("工程", "工地"),
    ("施工", "工地"), ("现场", "工地"), ("施工段", "工地"), ("店", "店"), ("馆", "饭店"), ("酒家", "饭店"), ("食府", "饭店"),
    ("美食城", "饭店"), ("小炒", "饭店"), ("烧烤", "烧烤店"), ("大排档", "大排档"), ("麻辣烫", "店"), ("串串香", "店"),
    ("汽修", "汽修店"), ("汽车美容", "店"), ("洗车", "洗车店"), ("市场", "市场"), ("场", "场子"), ("站", "站"), ("园", "园区"),
    ("村", "村"), ("村委会", "村委会"), ("KTV", "KTV"), ("酒吧", "酒吧"), ("医院", "医院"), ("门诊", "诊所"), ("诊所", "诊所"),
    ("河", "河"), ("港", "河"), ("浜", "河"), ("涌", "河"), ("沟", "沟"), ("渠", "渠"), ("溪", "溪"), ("塘", "塘"), ("高架", "高架"),
    ("路", "路"), ("主干道", "路"), ("立交桥", "立交桥"), ("高速", "高速"), ("铁路线", "铁路"), ("山庄", "山庄"), ("度假村", "度假村"),
    ("民宿", "民宿"), ("农庄", "农庄"), ("农家乐", "农家乐"), ("合作社", "合作社"), ("塔", "塔"), ("浴池", "浴池"), ("广场", "广场"),
    ("商场", "商场"), ("中心", "中心"), ("点", "点"), ("房", "锅炉房")];
/// Sources left unnamed.
#[rustfmt::skip]
const UNNAMED: &[&str] = &["附近一家", "楼下那家", "旁边那个单位", "对面那个地方", "路边那家", "隔壁那家", "那边那个地方", "后面那家"];
const UNNAMED_FORMAL: &[&str] = &["该单位", "附近某单位", "该处", "附近一家单位"];
/// Nicknames counted with 家 or 条 ("那家店", "这条河"); the rest take 个.
const BY_JIA: &[&str] = &[
    "店",
    "公司",
    "厂",
    "饭店",
    "医院",
    "诊所",
    "烧烤店",
    "汽修店",
    "洗车店",
    "酒吧",
    "农家乐",
    "民宿",
    "商场",
];
const BY_TIAO: &[&str] = &["河", "沟", "渠", "溪", "路", "铁路", "高速"];

// ---- sources ------------------------------------------------------------------------------------

/// Invents a source fitting the (type, sub-type): a chemical plant for industrial gas, a restaurant
/// for cooking fumes, a construction site for construction noise, a farm for livestock, etc.
pub fn invent_source(
    rng: &mut impl Rng,
    primary: PollutionType,
    sub_type: Option<SubType>,
) -> Source {
    let topic = topic_for(rng, primary, sub_type, None);
    let kind = topic.kinds.choose(rng).unwrap_or(&OTHER.kinds[0]);
    let road = stem_or_chars(rng, 0.6, ROAD_STEMS) + pick(rng, ROAD_ENDS);
    let stem = match kind.stem {
        Stem::Firm => two_chars(rng),
        Stem::Shop if rng.random_bool(0.8) => {
            pick(rng, SHOP_FORMS).replace("{}", &one_char(rng, SURNAMES))
        }
        Stem::Shop => two_chars(rng),
        Stem::Village => village(rng),
        Stem::Estate => two_chars(rng) + pick(rng, ESTATE_ENDS) + pick(rng, ESTATE_PHASES),
        Stem::Road => road.clone(),
    };
    let name = stem + pick(rng, kind.words) + pick(rng, kind.ends);
    let compound = if kind.rural && rng.random_bool(0.7) {
        village(rng)
    } else {
        stem_or_chars(rng, 0.5, COMPOUND_STEMS) + pick(rng, COMPOUND_ENDS)
    };
    Source {
        name,
        road,
        compound,
    }
}

fn village(rng: &mut impl Rng) -> String {
    let stem = if rng.random_bool(0.4) {
        one_char(rng, SURNAMES) + "家"
    } else {
        two_chars(rng)
    };
    stem + pick(rng, VILLAGE_ENDS)
}

/// A stem from the pool with probability `p`, else two random characters.
fn stem_or_chars(rng: &mut impl Rng, p: f64, pool: &[&str]) -> String {
    if rng.random_bool(p) {
        pick(rng, pool).to_owned()
    } else {
        two_chars(rng)
    }
}

fn two_chars(rng: &mut impl Rng) -> String {
    one_char(rng, NAME_CHARS) + &one_char(rng, NAME_CHARS)
}

fn one_char(rng: &mut impl Rng, pool: &str) -> String {
    let index = rng.random_range(0..pool.chars().count());
    pool.chars().skip(index).take(1).collect()
}

fn pick<'a>(rng: &mut impl Rng, pool: &[&'a str]) -> &'a str {
    pool.choose(rng).copied().unwrap_or_default()
}

/// The topic of a (type, sub-type). Without a sub-type: a sub-type of the type whose sources
/// look like the named source, else any of them.
fn topic_for(
    rng: &mut impl Rng,
    primary: PollutionType,
    sub: Option<SubType>,
    source: Option<&str>,
) -> &'static Topic {
    if let Some(sub) = sub {
        return topic(sub.code());
    }
    let subs: Vec<&'static Topic> = primary.sub_types().map(|sub| topic(sub.code())).collect();
    let named = |t: &&'static Topic| {
        let mut words = t
            .kinds
            .iter()
            .flat_map(|k| k.words.iter())
            .filter(|w| w.chars().count() > 1);
        source.is_some_and(|name| words.any(|w| name.contains(w)))
    };
    let fitting: Vec<&'static Topic> = subs.iter().copied().filter(named).collect();
    let pool = if fitting.is_empty() { &subs } else { &fitting };
    pool.choose(rng)
        .copied()
        .unwrap_or_else(|| topic(primary.code()))
}

fn topic(code: &str) -> &'static Topic {
    TOPICS
        .iter()
        .copied()
        .find(|t| t.code == code)
        .unwrap_or(&OTHER)
}

// ---- texts --------------------------------------------------------------------------------------

/// The complaint, its topic and voice, for filling slots.
struct Ctx<'c, 'a> {
    c: &'c Complaint<'a>,
    topic: &'static Topic,
    voice: &'static Voice,
}

/// Writes the complaint text.
pub fn complaint_text(rng: &mut impl Rng, complaint: &Complaint<'_>) -> String {
    let topic = topic_for(
        rng,
        complaint.primary,
        complaint.sub_type,
        Some(&complaint.source.name),
    );
    let ctx = Ctx {
        c: complaint,
        topic,
        voice: voice(complaint.register),
    };
    let target = target_len(rng, ctx.voice);
    let vague = rng.random_bool(0.12);
    let opener = maybe(rng, &ctx, ctx.voice.open, 1.0).unwrap_or_default();
    let (core, template) = core_clause(rng, &ctx, vague);
    let short = target < 36;
    let closing: Vec<String> = [
        (ctx.voice.ask, if short { 0.3 } else { 1.0 }),
        (ctx.voice.close, if short { 0.0 } else { 1.0 }),
    ]
    .into_iter()
    .filter_map(|(pool, factor)| maybe(rng, &ctx, pool, factor))
    .collect();
    let mut body = vec![core];
    for mention in secondary(rng, &ctx, vague) {
        let at = rng.random_range(1..=body.len());
        body.insert(at, mention);
    }
    let all = std::iter::once(&opener).chain(&closing).chain(&body);
    let mut len: usize = all.map(|s| chars(s) + 1).sum();
    for (is_place, clause) in optional_clauses(rng, &ctx, vague, template, target >= 150) {
        if len >= target {
            break;
        }
        if body.iter().any(|b| b.contains(&clause)) {
            continue;
        }
        len += chars(&clause) + 1;
        let at = if is_place && rng.random_bool(0.45) {
            0
        } else {
            body.len()
        };
        body.insert(at, clause);
    }
    while len > 370 && body.len() > 1 {
        len -= body.pop().map_or(0, |s| chars(&s) + 1);
    }
    let text = assemble(rng, complaint.register, &opener, &body, &closing);
    let mut text = roughen(rng, ctx.voice, text);
    if chars(&text) < 12 {
        text += &fill_pick(rng, &ctx, ctx.voice.ask.1);
    }
    text.chars().take(400).collect()
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// The length to aim at: mostly 40–150 characters, some short, some long.
fn target_len(rng: &mut impl Rng, voice: &Voice) -> usize {
    let r: f64 = rng.random();
    match r {
        _ if r < voice.short => rng.random_range(12..36),
        _ if r < voice.short + voice.long => rng.random_range(150..300),
        _ => rng.random_range(40..150),
    }
}

/// A filled phrase from the pool, with the pool's rate times `factor`.
fn maybe(
    rng: &mut impl Rng,
    ctx: &Ctx<'_, '_>,
    (p, pool): (f64, &[&str]),
    factor: f64,
) -> Option<String> {
    (!pool.is_empty() && rng.random_bool(p * factor)).then(|| fill_pick(rng, ctx, pool))
}

/// The main problem, and the template it was made from.
fn core_clause(rng: &mut impl Rng, ctx: &Ctx<'_, '_>, vague: bool) -> (String, &'static str) {
    let pool = if vague {
        if rng.random_bool(0.5) {
            ctx.topic.vague
        } else {
            GENERIC_VAGUE
        }
    } else if rng.random_bool(ctx.voice.summary) {
        SUMMARIES
    } else if let Some((_, pool)) = TYPE_CORE
        .iter()
        .find(|(code, _)| *code == ctx.c.primary.code())
        && rng.random_bool(0.15)
    {
        pool
    } else {
        ctx.topic.core
    };
    let template = pick(rng, pool);
    let clause = fill(rng, ctx, template);
    if !vague && rng.random_bool(0.07) {
        return (decoy(rng, ctx) + &clause, template);
    }
    (clause, template)
}

/// A misleading lead-in naming words of a type the case does not carry.
fn decoy(rng: &mut impl Rng, ctx: &Ctx<'_, '_>) -> String {
    let carried = |code: &str| {
        code == ctx.c.primary.code() || ctx.c.other_types.iter().any(|t| t.code() == code)
    };
    let words: Vec<&[&str]> = DECOYS
        .iter()
        .filter(|(code, _)| !carried(code))
        .map(|(_, words)| *words)
        .collect();
    match words.choose(rng) {
        Some(words) => pick(rng, DECOY_FRAMES).replace("{}", pick(rng, words)),
        None => String::new(),
    }
}

/// Mentions of the case's further types.
fn secondary(rng: &mut impl Rng, ctx: &Ctx<'_, '_>, vague: bool) -> Vec<String> {
    let mut out = Vec::new();
    for other in ctx.c.other_types.iter().filter(|t| **t != ctx.c.primary) {
        let pool = SECONDARY
            .iter()
            .find(|(code, _)| *code == other.code())
            .map_or(&[][..], |(_, pool)| *pool);
        out.extend(maybe(rng, ctx, (if vague { 0.5 } else { 0.85 }, pool), 1.0));
    }
    out
}

/// Candidate further clauses in random order, each flagged when it is the location; long texts
/// draw more. No template is used twice.
fn optional_clauses(
    rng: &mut impl Rng,
    ctx: &Ctx<'_, '_>,
    vague: bool,
    core: &'static str,
    long: bool,
) -> Vec<(bool, String)> {
    let (topic, unless_vague) = (ctx.topic, |p: f64| if vague { 0.0 } else { p });
    let time = if core.contains("{T}") { 0.0 } else { 0.6 };
    let (place, when) = (Some(Part::Place), Some(Part::Time));
    #[rustfmt::skip]
    let mut candidates: Vec<(f64, Option<Part>, &[&str])> = vec![(0.75, place, LOCATIONS), (time, when, TIME_TAILS),
        (0.5, None, DURATIONS), (unless_vague(0.6), None, topic.sense), (unless_vague(0.35), None, topic.harm),
        (0.3, None, GENERIC_HARM), (0.3, None, PREVIOUS), (0.15, None, NARRATIVE), (unless_vague(0.25), None, topic.core)];
    if ctx.c.register == Register::Online {
        candidates.push((0.25, None, EMOTE));
    }
    if let Some((_, _, remarks)) = SEASONS
        .iter()
        .find(|(t, m, _)| t.contains(&topic.code) && m.contains(&ctx.c.month))
    {
        candidates.push((unless_vague(0.5), None, remarks));
    }
    if long {
        let more = [
            (0.8, NARRATIVE),
            (0.5, NARRATIVE),
            (0.5, GENERIC_HARM),
            (0.5, PREVIOUS),
        ];
        let topical = [
            (unless_vague(0.6), topic.sense),
            (unless_vague(0.3), topic.core),
        ];
        candidates.extend(
            more.into_iter()
                .chain(topical)
                .map(|(p, pool)| (p, None, pool)),
        );
    }
    let boost = if long { 2.5 } else { 1.0 };
    candidates.retain(|(p, _, _)| rng.random_bool((p * boost).min(1.0)));
    candidates.shuffle(rng);
    let mut used = vec![core];
    let mut out = Vec::new();
    for (_, part, pool) in candidates {
        if part == when {
            let adverb = fill_pick(rng, ctx, fitting_times(ctx.c.hour));
            out.push((false, adverb + pick(rng, TIME_TAILS)));
            continue;
        }
        let fresh: Vec<&'static str> = pool.iter().copied().filter(|t| !used.contains(t)).collect();
        let Some(template) = fresh.choose(rng).copied() else {
            continue;
        };
        used.push(template);
        let attribution = if part == place || !rng.random_bool(0.15) {
            ""
        } else {
            pick(rng, ctx.voice.attribution)
        };
        out.push((
            part == place,
            attribution.to_owned() + &fill(rng, ctx, template),
        ));
    }
    out
}

/// Optional clauses placed or made specially.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// The location, which may also open the text.
    Place,
    /// A time of day fitting the hour, with a tail ("凌晨两三点最严重").
    Time,
}

/// Joins opener, body clauses and closing with the register's punctuation.
fn assemble(
    rng: &mut impl Rng,
    register: Register,
    opener: &str,
    body: &[String],
    closing: &[String],
) -> String {
    let online = register == Register::Online;
    let mut text = opener.to_owned();
    for (i, clause) in body.iter().enumerate() {
        if i > 0 && !ends_in_punctuation(&text) {
            text += match rng.random_range(0..100) {
                0..72 => "，",
                72..94 => "。",
                94..97 if online => " ",
                _ => "，",
            };
        }
        text += clause;
    }
    for line in closing {
        if !ends_in_punctuation(&text) {
            text += if online && rng.random_bool(0.3) {
                "！"
            } else {
                "。"
            };
        }
        text += line;
    }
    if !ends_in_punctuation(&text) {
        text += match rng.random_range(0..10) {
            0..3 if online => "！",
            3 if online => "",
            _ => "。",
        };
    }
    text
}

fn ends_in_punctuation(text: &str) -> bool {
    text.is_empty() || text.ends_with(['，', '。', '！', '？', '：', '；', '）', '】'])
}

// ---- slots ------------------------------------------------------------------------------------

fn fill_pick(rng: &mut impl Rng, ctx: &Ctx<'_, '_>, pool: &[&str]) -> String {
    let template = pick(rng, pool);
    fill(rng, ctx, template)
}

/// Fills the `{…}` slots of a template.
fn fill(rng: &mut impl Rng, ctx: &Ctx<'_, '_>, template: &str) -> String {
    let mut out = String::with_capacity(template.len() * 2);
    let mut rest = template;
    while let Some((before, after)) = rest.split_once('{') {
        let Some((key, after)) = after.split_once('}') else {
            break;
        };
        out += before;
        out += &slot(rng, ctx, key);
        rest = after;
    }
    out + rest
}

fn slot(rng: &mut impl Rng, ctx: &Ctx<'_, '_>, key: &str) -> String {
    let (c, me) = (ctx.c, &ctx.voice.me);
    let text: &str = match key {
        "S" => return source_ref(rng, ctx),
        "R" => &c.source.road,
        "Q" => return stem_or_chars(rng, 0.6, ROAD_STEMS) + pick(rng, ROAD_ENDS),
        "C" if rng.random_bool(0.65) => &c.source.compound,
        "C" if c.source.compound.ends_with(['村', '庄', '屯', '湾', '寨']) => pick(rng, me[4]),
        "C" => pick(rng, me[3]),
        "c" => &c.source.compound,
        "P" => c.place_name,
        "L" => pick(rng, LANDMARKS),
        "F" => pick(rng, &["东", "南", "西", "北"]),
        "M" => return distance(rng),
        "N" | "n" => {
            let n = if key == "N" {
                rng.random_range(1..300)
            } else {
                rng.random_range(2..10)
            };
            return number(rng, n);
        }
        "A" => {
            return one_char(rng, SURNAMES) + pick(rng, &["先生", "女士", "阿姨", "师傅", "大爷"]);
        }
        "T" => {
            let pool = if rng.random_bool(0.75) {
                fitting_times(c.hour)
            } else {
                TIME_ANY
            };
            return fill_pick(rng, ctx, pool);
        }
        "H" => return clock(rng, c.hour),
        "X" => return fill_pick(rng, ctx, ctx.topic.sense),
        "K" => pick(rng, ctx.topic.terms),
        "我" => pick(rng, me[0]),
        "我家" => pick(rng, me[1]),
        "我们" => pick(rng, me[2]),
        _ => "",
    };
    text.to_owned()
}

/// The source by full name, short name, or as "那个厂" / "该厂".
fn source_ref(rng: &mut impl Rng, ctx: &Ctx<'_, '_>) -> String {
    let name = &ctx.c.source.name;
    if rng.random_bool(0.1) {
        let online = ctx.c.register == Register::Online;
        return pick(rng, if online { UNNAMED } else { UNNAMED_FORMAL }).to_owned();
    }
    let r: f64 = rng.random();
    if r < ctx.voice.full_name {
        return name.clone();
    }
    let short = ["股份有限公司", "科技有限公司", "有限公司"]
        .iter()
        .find_map(|end| name.strip_suffix(end));
    if let Some(short) = short.filter(|s| chars(s) >= 3 && r < ctx.voice.full_name + 0.15) {
        return short.to_owned();
    }
    let ends = NICKNAMES.iter().filter(|(end, _)| name.ends_with(end));
    let noun = ends
        .max_by_key(|(end, _)| end.len())
        .map_or("地方", |(_, noun)| *noun);
    if ctx.c.register != Register::Online {
        return format!("该{noun}");
    }
    let measure = match noun {
        _ if BY_JIA.contains(&noun) => "家",
        _ if BY_TIAO.contains(&noun) => "条",
        _ => "个",
    };
    format!("{}{measure}{noun}", pick(rng, &["那", "这"]))
}

fn fitting_times(hour: u32) -> &'static [&'static str] {
    match hour {
        22..=23 | 0..=4 => TIME_NIGHT,
        5..=10 => TIME_MORNING,
        11..=16 => TIME_NOON,
        _ => TIME_EVENING,
    }
}

/// A clock time at the reporting hour: "晚上11点", "23点", "十一点".
fn clock(rng: &mut impl Rng, hour: u32) -> String {
    let hour = hour % 24;
    #[rustfmt::skip]
    let part = match hour { 0..=4 => "凌晨", 5..=8 => "早上", 9..=11 => "上午", 12..=13 => "中午", 14..=17 => "下午", 18..=21 => "晚上", _ => "夜里" };
    let h12 = if hour > 12 { hour - 12 } else { hour.max(1) };
    match rng.random_range(0..10) {
        0..6 => format!("{part}{}点", number(rng, h12)),
        6..8 if hour >= 13 => format!("{hour}点"),
        _ => format!("{}点", number(rng, h12)),
    }
}

fn distance(rng: &mut impl Rng) -> String {
    let metres = [30, 50, 80, 100, 150, 200, 300, 500][rng.random_range(0..8)];
    number(rng, metres) + pick(rng, &["米", "米", "多米", "来米"])
}

/// A number in digits or Chinese numerals ("两" for a leading 2).
fn number(rng: &mut impl Rng, n: u32) -> String {
    if rng.random_bool(0.5) {
        return n.to_string();
    }
    let zh = chinese(n);
    if n == 2 || (zh.starts_with("二百") && rng.random_bool(0.6)) {
        zh.replacen('二', "两", 1)
    } else {
        zh
    }
}

fn chinese(n: u32) -> String {
    const DIGITS: [&str; 10] = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"];
    let digit = |d: u32| DIGITS[(d % 10) as usize];
    let tens = |n: u32| {
        format!(
            "{}十{}",
            if n < 20 { "" } else { digit(n / 10) },
            if n.is_multiple_of(10) { "" } else { digit(n) }
        )
    };
    match n {
        0..=9 => digit(n).to_owned(),
        10..=99 => tens(n),
        100..=999 if n.is_multiple_of(100) => format!("{}百", digit(n / 100)),
        100..=999 if n % 100 < 10 => format!("{}百零{}", digit(n / 100), digit(n)),
        100..=999 => format!(
            "{}百{}十{}",
            digit(n / 100),
            digit(n / 10),
            if n.is_multiple_of(10) { "" } else { digit(n) }
        ),
        _ => n.to_string(),
    }
}

// ---- roughening ---------------------------------------------------------------------------------

/// Typos, dialect words and sloppy punctuation, at the voice's rates.
fn roughen(rng: &mut impl Rng, voice: &Voice, mut text: String) -> String {
    if rng.random_bool(voice.typo) {
        for _ in 0..rng.random_range(1..=2) {
            text = replace_one(rng, text, TYPOS);
        }
    }
    if rng.random_bool(voice.dialect) {
        text = replace_one(rng, text, DIALECT);
        if rng.random_bool(0.5) {
            text = text.replacen('，', &(pick(rng, PARTICLES).to_owned() + "，"), 1);
        }
    }
    if !rng.random_bool(voice.mess) {
        return text;
    }
    match rng.random_range(0..4) {
        0 => text
            .replace(['，', '。', '、', '；'], pick(rng, &[" ", ""]))
            .trim_end()
            .to_owned(),
        1 => text
            .replace('，', ",")
            .replace('。', ".")
            .replace('！', "!")
            .replace('：', ":"),
        2 => {
            text.trim_end_matches(['。', '！']).to_owned()
                + pick(rng, &["！！！", "。。。", "!!", "…"])
        }
        _ => text.replace('。', "，").trim_end_matches('，').to_owned(),
    }
}

fn replace_one(rng: &mut impl Rng, text: String, table: &[(&str, &str)]) -> String {
    let present: Vec<&(&str, &str)> = table
        .iter()
        .filter(|(from, _)| text.contains(from))
        .collect();
    match present.choose(rng) {
        Some((from, to)) => text.replacen(from, to, 1),
        None => text,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;
    use rand_chacha::ChaCha8Rng;
    use std::collections::{BTreeMap, BTreeSet};

    type Pair = (PollutionType, Option<SubType>);
    const PLACES: [&str; 4] = ["南山区", "昆山市", "江北区", ""];

    /// Every (type, sub-type) pair, and every type without a sub-type.
    fn pairs() -> Vec<Pair> {
        let with_subs = |t: PollutionType| {
            std::iter::once((t, None)).chain(t.sub_types().map(move |s| (t, Some(s))))
        };
        PollutionType::all().flat_map(with_subs).collect()
    }

    fn pair(sub: &str) -> Pair {
        let sub = SubType::parse(sub).expect("known sub-type");
        (sub.pollution_type(), Some(sub))
    }

    /// `n` texts with fresh sources and random circumstances; a fifth carry a further type.
    fn texts(
        seed: u64,
        (primary, sub_type): Pair,
        n: usize,
        register: Option<Register>,
    ) -> Vec<String> {
        let mut rng = ChaCha8Rng::seed_from_u64(seed);
        let types: Vec<PollutionType> = PollutionType::all().collect();
        let registers = [
            Register::PhoneTranscript,
            Register::Online,
            Register::Letter,
        ];
        let mut out = Vec::new();
        for _ in 0..n {
            let source = invent_source(&mut rng, primary, sub_type);
            let others: Vec<PollutionType> = types
                .choose(&mut rng)
                .filter(|_| rng.random_bool(0.2))
                .copied()
                .into_iter()
                .collect();
            let complaint = Complaint {
                primary,
                sub_type,
                other_types: &others,
                source: &source,
                place_name: PLACES.choose(&mut rng).expect("places"),
                hour: rng.random_range(0..24),
                month: rng.random_range(1..=12),
                register: register
                    .unwrap_or_else(|| *registers.choose(&mut rng).expect("registers")),
            };
            out.push(complaint_text(&mut rng, &complaint));
        }
        out
    }

    fn distinct(texts: &[String]) -> usize {
        texts.iter().collect::<BTreeSet<_>>().len()
    }

    fn ngrams(texts: &[String], n: usize) -> usize {
        let chars = texts.iter().map(|t| t.chars().collect::<Vec<char>>());
        chars
            .flat_map(|c| c.windows(n).map(<[char]>::to_vec).collect::<Vec<_>>())
            .collect::<BTreeSet<_>>()
            .len()
    }

    #[test]
    fn same_seed_same_texts_other_seed_other_texts() {
        let odor = pair("odor");
        assert_eq!(texts(1, odor, 50, None), texts(1, odor, 50, None));
        let (a, b) = (texts(1, odor, 50, None), texts(2, odor, 50, None));
        assert!(a.iter().zip(&b).filter(|(x, y)| x == y).count() < 3);
    }

    /// Measured: 200 distinct of 200 for every pair; lengths 12..=274.
    #[test]
    fn every_pair_gives_varied_texts_of_sane_length() {
        for (i, p) in pairs().into_iter().enumerate() {
            let all = texts(100 + i as u64, p, 200, None);
            let label = format!("{}/{}", p.0.code(), p.1.map_or("-", |s| s.code()));
            for text in &all {
                let len = text.chars().count();
                assert!((10..=400).contains(&len), "{label}: {len} chars: {text}");
                assert!(!text.contains(['{', '}']), "{label}: unfilled slot: {text}");
            }
            assert!(
                distinct(&all) >= 190,
                "{label}: only {} distinct of 200",
                distinct(&all)
            );
        }
    }

    /// Measured over all pairs: 12% under 40 chars, 70% 40–150, 7% over 200; the longest 277.
    #[test]
    fn lengths_are_mostly_medium_with_short_and_long_ones() {
        let lens: Vec<usize> = pairs()
            .into_iter()
            .flat_map(|p| texts(5, p, 100, None))
            .map(|t| t.chars().count())
            .collect();
        let share = |f: fn(usize) -> bool| {
            lens.iter().filter(|n| f(**n)).count() as f64 / lens.len() as f64
        };
        let (short, medium, long) = (
            share(|n| n < 40),
            share(|n| (40..=150).contains(&n)),
            share(|n| n > 200),
        );
        assert!(
            medium > 0.55 && (0.05..0.3).contains(&short) && (0.03..0.2).contains(&long),
            "{short} {medium} {long}"
        );
    }

    /// Measured: 2,000 odour texts, all distinct, have about 38,000 distinct character 4-grams.
    /// Even a generator of 200 fixed sentences of 60 characters would have under 12,000.
    #[test]
    fn many_distinct_four_grams_for_one_sub_type() {
        let all = texts(9, pair("odor"), 2000, None);
        assert!(
            ngrams(&all, 4) > 20_000,
            "{} distinct 4-grams",
            ngrams(&all, 4)
        );
        assert!(distinct(&all) > 1990, "{} distinct texts", distinct(&all));
    }

    #[test]
    fn phone_transcripts_sound_like_operators_and_web_texts_do_not() {
        let operator = |t: &String| ["来电", "市民", "群众"].iter().any(|p| t.starts_with(p));
        let phone = texts(
            3,
            pair("construction"),
            500,
            Some(Register::PhoneTranscript),
        );
        let share = phone.iter().filter(|t| operator(t)).count() as f64 / 500.0;
        assert!(
            share > 0.9,
            "only {share} of transcripts start like an operator"
        );
        let first_person = phone.iter().filter(|t| t.contains('我')).count();
        assert!(
            first_person < 20,
            "{first_person} of 500 transcripts in the first person"
        );
        for register in [Register::Online, Register::Letter] {
            for text in texts(4, pair("construction"), 500, Some(register)) {
                assert!(
                    !operator(&text) && !text.contains("来电人"),
                    "{register:?}: {text}"
                );
            }
        }
    }

    #[test]
    fn invented_sources_are_varied_and_fit() {
        let mut rng = ChaCha8Rng::seed_from_u64(11);
        for (primary, sub_type) in pairs() {
            let names: BTreeSet<String> = (0..500)
                .map(|_| invent_source(&mut rng, primary, sub_type).name)
                .collect();
            assert!(
                names.len() >= 450,
                "{}: {} distinct names",
                primary.code(),
                names.len()
            );
        }
        assert!(NAME_CHARS.chars().collect::<BTreeSet<_>>().len() >= 200);
        let noise = PollutionType::parse("noise").expect("noise");
        for _ in 0..50 {
            assert_eq!(
                topic_for(&mut rng, noise, None, Some("锦华城三期工地")).code,
                "construction"
            );
        }
    }

    /// A character-bigram naive Bayes trained on one seed and tested on another learns the
    /// sub-types well but not perfectly (measured: 0.944): the texts are not a memorisable
    /// handful of templates, and the hard cases stay hard.
    #[test]
    fn a_classifier_cannot_memorise_the_texts() {
        let subs: Vec<Pair> = pairs().into_iter().filter(|p| p.1.is_some()).collect();
        let bigrams = |t: &str| {
            t.chars()
                .collect::<Vec<_>>()
                .windows(2)
                .map(|w| (w[0], w[1]))
                .collect::<Vec<_>>()
        };
        let mut counts: Vec<BTreeMap<(char, char), f64>> = Vec::new();
        for (i, p) in subs.iter().enumerate() {
            let mut c = BTreeMap::new();
            for g in texts(1000 + i as u64, *p, 300, None)
                .iter()
                .flat_map(|t| bigrams(t))
            {
                *c.entry(g).or_insert(0.0) += 1.0;
            }
            counts.push(c);
        }
        let totals: Vec<f64> = counts.iter().map(|c| c.values().sum()).collect();
        let score = |k: usize, text: &str| -> f64 {
            bigrams(text)
                .iter()
                .map(|g| ((counts[k].get(g).copied().unwrap_or(0.0) + 0.1) / totals[k]).ln())
                .sum()
        };
        let (mut right, mut all) = (0, 0);
        for (i, p) in subs.iter().enumerate() {
            for text in texts(5000 + i as u64, *p, 100, None) {
                let best =
                    (0..subs.len()).max_by(|a, b| score(*a, &text).total_cmp(&score(*b, &text)));
                right += usize::from(best == Some(i));
                all += 1;
            }
        }
        let accuracy = right as f64 / all as f64;
        assert!(accuracy > 0.6 && accuracy < 0.97, "accuracy {accuracy}");
    }

    #[test]
    fn chinese_numerals() {
        let cases = [
            (2, "二"),
            (10, "十"),
            (15, "十五"),
            (23, "二十三"),
            (100, "一百"),
            (105, "一百零五"),
            (115, "一百一十五"),
        ];
        for (n, zh) in cases.into_iter().chain([(250, "二百五十"), (300, "三百")]) {
            assert_eq!(chinese(n), zh);
        }
    }
}
