//! The shipped model follows the labelling rule: a complaint is typed by what the reporter
//! complains about, not by the facility it comes from.

use greenline_text::{Classifier, Tokenizer};

fn predicted(text: &str) -> (String, Option<String>) {
    let model = Classifier::shipped().expect("the shipped model loads");
    let p = model.predict(Tokenizer::shared(), text);
    (
        p.category.code().to_owned(),
        p.subcategory.map(|s| s.code().to_owned()),
    )
}

fn assert_label(text: &str, category: &str, subcategory: Option<&str>) {
    assert_eq!(
        predicted(text),
        (category.to_owned(), subcategory.map(str::to_owned)),
        "{text}"
    );
}

#[test]
fn a_water_pumps_noise_is_noise_not_water() {
    assert_label(
        "小区地下室的水泵一到晚上就轰轰地响，吵得整栋楼睡不着",
        "noise",
        Some("social_life"),
    );
}

#[test]
fn a_garbage_stations_smell_is_air_but_uncollected_garbage_is_solid_waste() {
    assert_label("垃圾站的臭味飘到家里，熏得人头疼", "air", Some("odor"));
    assert_label(
        "小区垃圾一个星期没人清运，堆得到处都是",
        "solid_waste",
        Some("household"),
    );
}

#[test]
fn a_factorys_noise_at_night_is_industrial_noise() {
    assert_label(
        "厂里的机器晚上一直开，噪音大得没法睡觉",
        "noise",
        Some("industrial"),
    );
}

#[test]
fn home_renovation_is_social_life_noise() {
    assert_label(
        "楼上装修天天电钻响，周末也不停",
        "noise",
        Some("social_life"),
    );
}

#[test]
fn confidence_is_a_probability() {
    let model = Classifier::shipped().expect("the shipped model loads");
    let p = model.predict(Tokenizer::shared(), "工地夜间施工噪音扰民");
    assert!((0.0..=1.0).contains(&p.confidence), "{p:?}");
    assert_eq!(p.category.code(), "noise");
}
