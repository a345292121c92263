//! Administrative regions (行政区划) by their GB/T 2260 code.
//!
//! The division table ships in `data/regions/adcodes.csv`. A [`RegionCode`] can only be made from
//! a code that is in that table (or the nation as a whole, `000000`), so the rest of the system
//! never re-checks one. Hierarchy follows from the code: province `PP0000`, prefecture `PPCC00`,
//! county `PPCCXX`.

use std::collections::BTreeMap;
use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

const ADCODES_CSV: &str = include_str!("../data/regions/adcodes.csv");

/// The level of an administrative region in the chain of command.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegionLevel {
    /// 全国 — the national level.
    National,
    /// 省级 — province, autonomous region, municipality.
    Province,
    /// 地级 — prefecture-level city (or a municipality's urban area).
    Prefecture,
    /// 县级 — county, district, county-level city.
    County,
}

impl RegionLevel {
    /// The level's name in Chinese as tables and bulletins head it: 全国, 省份, 地市, 区县.
    pub fn zh(self) -> &'static str {
        match self {
            RegionLevel::National => "全国",
            RegionLevel::Province => "省份",
            RegionLevel::Prefecture => "地市",
            RegionLevel::County => "区县",
        }
    }
}

/// A valid six-digit administrative division code, or `000000` for the nation.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RegionCode(u32);

/// One row of the division table.
#[derive(Debug, Clone, PartialEq)]
pub struct Region {
    pub code: RegionCode,
    pub name: String,
    /// Longitude and latitude of the seat, where the table has them.
    pub location: Option<(f64, f64)>,
}

struct RegionTable {
    by_code: BTreeMap<u32, Region>,
}

static TABLE: LazyLock<RegionTable> = LazyLock::new(|| {
    let mut by_code = BTreeMap::new();
    for line in ADCODES_CSV.lines().skip(1) {
        let mut cols = line.split(',');
        let (Some(adcode), Some(name)) = (cols.next(), cols.next()) else {
            continue;
        };
        let Some(code) = adcode.get(..6).and_then(|c| c.parse::<u32>().ok()) else {
            continue;
        };
        let lon = cols.next().and_then(|v| v.parse::<f64>().ok());
        let lat = cols.next().and_then(|v| v.parse::<f64>().ok());
        by_code.insert(
            code,
            Region {
                code: RegionCode(code),
                name: name.to_owned(),
                location: lon.zip(lat),
            },
        );
    }
    RegionTable { by_code }
});

impl RegionCode {
    /// The nation as a whole (全国).
    pub const NATIONAL: RegionCode = RegionCode(0);

    /// Parses a six-digit code (or the twelve-digit padded form) that is in the division table.
    pub fn parse(text: &str) -> Result<Self, DomainError> {
        let text = text.trim();
        let six = match text.len() {
            6 => text,
            12 if text.ends_with("000000") => &text[..6],
            _ => return Err(DomainError::UnknownRegion(text.to_owned())),
        };
        let code: u32 = six
            .parse()
            .map_err(|_| DomainError::UnknownRegion(text.to_owned()))?;
        if code == 0 || TABLE.by_code.contains_key(&code) {
            Ok(RegionCode(code))
        } else {
            Err(DomainError::UnknownRegion(text.to_owned()))
        }
    }

    /// The code as a number (`440305`).
    pub fn as_u32(self) -> u32 {
        self.0
    }

    pub fn level(self) -> RegionLevel {
        if self.0 == 0 {
            RegionLevel::National
        } else if self.0.is_multiple_of(10_000) {
            RegionLevel::Province
        } else if self.0.is_multiple_of(100) {
            RegionLevel::Prefecture
        } else {
            RegionLevel::County
        }
    }

    /// The region directly above, skipping levels the table does not have (a county directly
    /// under its province, 省直辖县级行政区, has the province as parent). The nation has none.
    pub fn parent(self) -> Option<RegionCode> {
        match self.level() {
            RegionLevel::National => None,
            RegionLevel::Province => Some(Self::NATIONAL),
            RegionLevel::Prefecture => Some(RegionCode(self.0 / 10_000 * 10_000)),
            RegionLevel::County => {
                let prefecture = self.0 / 100 * 100;
                if TABLE.by_code.contains_key(&prefecture) {
                    Some(RegionCode(prefecture))
                } else {
                    Some(RegionCode(self.0 / 10_000 * 10_000))
                }
            }
        }
    }

    /// This region and every region above it, from this one up to the nation.
    pub fn ancestry(self) -> impl Iterator<Item = RegionCode> {
        std::iter::successors(Some(self), |code| code.parent())
    }

    /// Whether `self` lies inside `area` (a region is inside itself).
    pub fn is_within(self, area: RegionCode) -> bool {
        match area.level() {
            RegionLevel::National => true,
            RegionLevel::Province => self.0 / 10_000 == area.0 / 10_000 && self.0 != 0,
            RegionLevel::Prefecture => {
                self.0 / 100 == area.0 / 100 && self.level() >= RegionLevel::Prefecture
            }
            RegionLevel::County => self == area,
        }
    }

    /// The half-open range of codes `[low, high)` that make up this region's subtree, for range
    /// queries over codes stored as six-digit text.
    pub fn subtree_range(self) -> (u32, u32) {
        match self.level() {
            RegionLevel::National => (0, 1_000_000),
            RegionLevel::Province => (self.0, self.0 + 10_000),
            RegionLevel::Prefecture => (self.0, self.0 + 100),
            RegionLevel::County => (self.0, self.0 + 1),
        }
    }

    /// The name in the division table (`南山区`); `全国` for the nation.
    pub fn name(self) -> &'static str {
        TABLE
            .by_code
            .get(&self.0)
            .map(|region| region.name.as_str())
            .unwrap_or("全国")
    }

    /// The full name from the province down (`广东省深圳市南山区`), without repeating a
    /// municipality's name at its prefecture level.
    pub fn full_name(self) -> String {
        let mut names: Vec<&str> = self
            .ancestry()
            .filter(|code| *code != Self::NATIONAL)
            .map(|code| code.name())
            .collect();
        names.reverse();
        names.dedup();
        if names.is_empty() {
            "全国".to_owned()
        } else {
            names.concat()
        }
    }

    /// Every region in the table (without the nation), in code order.
    pub fn all() -> impl Iterator<Item = &'static Region> {
        TABLE.by_code.values()
    }
}

impl fmt::Display for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06}", self.0)
    }
}

impl fmt::Debug for RegionCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RegionCode({:06} {})", self.0, self.name())
    }
}

impl std::str::FromStr for RegionCode {
    type Err = DomainError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

impl Serialize for RegionCode {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for RegionCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = String::deserialize(deserializer)?;
        RegionCode::parse(&text).map_err(serde::de::Error::custom)
    }
}

impl utoipa::PartialSchema for RegionCode {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .pattern(Some("^[0-9]{6}$"))
            .description(Some(
                "Six-digit GB/T 2260 administrative division code (000000 = national)",
            ))
            .examples(["440305"])
            .into()
    }
}

impl utoipa::ToSchema for RegionCode {}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(text: &str) -> RegionCode {
        RegionCode::parse(text).expect("code in the table")
    }

    #[test]
    fn the_table_has_every_level_and_drops_the_junk_rows() {
        assert_eq!(RegionCode::all().count(), 3433);
        let provinces = RegionCode::all()
            .filter(|r| r.code.level() == RegionLevel::Province)
            .count();
        assert_eq!(provinces, 34);
        assert!(RegionCode::parse("990000").is_err());
        assert!(RegionCode::parse("999900").is_err());
    }

    #[test]
    fn codes_know_their_level_and_parent() {
        let nanshan = code("440305");
        assert_eq!(nanshan.level(), RegionLevel::County);
        assert_eq!(nanshan.parent(), Some(code("440300")));
        assert_eq!(code("440300").parent(), Some(code("440000")));
        assert_eq!(code("440000").parent(), Some(RegionCode::NATIONAL));
        assert_eq!(RegionCode::NATIONAL.parent(), None);
        assert_eq!(nanshan.full_name(), "广东省深圳市南山区");
        assert_eq!(code("110108").full_name(), "北京市海淀区");
    }

    #[test]
    fn a_county_under_its_province_directly_has_the_province_as_parent() {
        assert_eq!(code("429004").name(), "仙桃市");
        assert_eq!(code("429004").parent(), Some(code("420000")));
        assert!(code("429004").is_within(code("420000")));
    }

    #[test]
    fn subtrees_contain_their_descendants_only() {
        let shenzhen = code("440300");
        assert!(code("440305").is_within(shenzhen));
        assert!(shenzhen.is_within(shenzhen));
        assert!(!code("440106").is_within(shenzhen));
        assert!(!code("440000").is_within(shenzhen));
        assert!(code("440305").is_within(RegionCode::NATIONAL));
        assert!(!RegionCode::NATIONAL.is_within(code("440000")));
        assert!(!code("440306").is_within(code("440305")));
        let (low, high) = shenzhen.subtree_range();
        assert!((low..high).contains(&440305) && !(low..high).contains(&440400));
    }

    #[test]
    fn unknown_or_malformed_codes_are_rejected() {
        for bad in ["", "44030", "4403050", "abcdef", "440399", "-44030"] {
            assert!(RegionCode::parse(bad).is_err(), "{bad} should be rejected");
        }
        assert_eq!(code("440305000000"), code("440305"));
    }
}
