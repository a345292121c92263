//! The pollution-type taxonomy (污染类型, with sub-types) and the industry list (行业).
//!
//! Both ship as data (`data/taxonomy/`). A [`PollutionType`], [`SubType`] or [`Industry`] can only
//! be made from a code in those files.

use std::fmt;
use std::sync::LazyLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::DomainError;

const TYPES_CSV: &str = include_str!("../data/taxonomy/pollution_types.csv");
const INDUSTRIES_CSV: &str = include_str!("../data/taxonomy/industries.csv");

/// One named entry of a code list.
#[derive(Debug, PartialEq, Eq)]
pub struct Term {
    /// For a sub-type, its type; for an industry division, its section; else the code itself.
    pub parent: String,
    pub code: String,
    pub zh: String,
    pub en: String,
}

fn load(csv_text: &str) -> Vec<Term> {
    let mut reader = csv::ReaderBuilder::new()
        .has_headers(true)
        .from_reader(csv_text.as_bytes());
    reader
        .records()
        .filter_map(Result::ok)
        .filter_map(|row| {
            let field = |i: usize| row.get(i).map(str::to_owned);
            let (parent, code, zh, en) = (field(0)?, field(1)?, field(2)?, field(3)?);
            Some((parent, code, zh, en))
        })
        .map(|(first, second, zh, en)| Term {
            code: if second.is_empty() {
                first.clone()
            } else {
                second
            },
            parent: first,
            zh,
            en,
        })
        .collect()
}

static TYPES: LazyLock<Vec<Term>> = LazyLock::new(|| load(TYPES_CSV));

// industries.csv is `code,section,…`: swap into `Term { parent: section, code }`.
static INDUSTRIES: LazyLock<Vec<Term>> = LazyLock::new(|| {
    load(INDUSTRIES_CSV)
        .into_iter()
        .map(|term| Term {
            parent: term.code,
            code: term.parent,
            zh: term.zh,
            en: term.en,
        })
        .collect()
});

macro_rules! code_type {
    ($(#[$meta:meta])* $name:ident) => {
        $(#[$meta])*
        #[derive(Clone, Copy, PartialEq, Eq)]
        pub struct $name(&'static Term);

        impl $name {
            pub fn code(self) -> &'static str {
                &self.0.code
            }
            pub fn zh(self) -> &'static str {
                &self.0.zh
            }
            pub fn en(self) -> &'static str {
                &self.0.en
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.code())
            }
        }

        impl fmt::Debug for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                write!(f, "{}({} {})", stringify!($name), self.code(), self.zh())
            }
        }

        impl std::hash::Hash for $name {
            fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
                self.code().hash(state)
            }
        }

        impl Serialize for $name {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.code())
            }
        }

        impl<'de> Deserialize<'de> for $name {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                $name::parse(&text).map_err(serde::de::Error::custom)
            }
        }

        impl utoipa::PartialSchema for $name {
            fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
                utoipa::openapi::ObjectBuilder::new()
                    .schema_type(utoipa::openapi::schema::Type::String)
                    .description(Some(concat!(stringify!($name), " code from the shipped code list")))
                    .into()
            }
        }

        impl utoipa::ToSchema for $name {}
    };
}

code_type!(
    /// A top-level pollution type (`air`, `noise`, `water`, …).
    PollutionType
);
code_type!(
    /// A sub-type within one pollution type (`noise/construction`).
    SubType
);
code_type!(
    /// An industry: a GB/T 4754 section (`E`) or division (`62`).
    Industry
);

impl PollutionType {
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        TYPES
            .iter()
            .find(|t| t.parent == t.code && t.code == code)
            .map(PollutionType)
            .ok_or_else(|| DomainError::UnknownType(code.to_owned()))
    }

    pub fn all() -> impl Iterator<Item = PollutionType> {
        TYPES
            .iter()
            .filter(|t| t.parent == t.code)
            .map(PollutionType)
    }

    pub fn sub_types(self) -> impl Iterator<Item = SubType> {
        TYPES
            .iter()
            .filter(move |t| t.parent == self.0.code && t.code != t.parent)
            .map(SubType)
    }
}

impl SubType {
    /// Parses a sub-type code; sub-type codes are unique across types.
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        TYPES
            .iter()
            .find(|t| t.parent != t.code && t.code == code)
            .map(SubType)
            .ok_or_else(|| DomainError::UnknownSubType(code.to_owned()))
    }

    /// The pollution type this sub-type belongs to.
    pub fn pollution_type(self) -> PollutionType {
        PollutionType::parse(&self.0.parent).unwrap_or_else(|_| {
            unreachable!("taxonomy rows name their own types: {}", self.0.parent)
        })
    }
}

impl Industry {
    pub fn parse(code: &str) -> Result<Self, DomainError> {
        INDUSTRIES
            .iter()
            .find(|t| t.code == code)
            .map(Industry)
            .ok_or_else(|| DomainError::UnknownIndustry(code.to_owned()))
    }

    /// The GB/T 4754 section (门类) this industry belongs to.
    pub fn section(self) -> Industry {
        Industry::parse(&self.0.parent).unwrap_or(self)
    }

    pub fn all() -> impl Iterator<Item = Industry> {
        INDUSTRIES.iter().map(Industry)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_taxonomy_has_the_bulletin_types_and_their_sub_types() {
        let codes: Vec<_> = PollutionType::all().map(PollutionType::code).collect();
        assert_eq!(
            codes,
            [
                "air",
                "noise",
                "water",
                "solid_waste",
                "radiation",
                "ecology",
                "soil",
                "marine",
                "other"
            ]
        );
        let noise = PollutionType::parse("noise").expect("noise");
        assert_eq!(noise.zh(), "噪声");
        assert_eq!(noise.sub_types().count(), 4);
        let construction = SubType::parse("construction").expect("sub-type");
        assert_eq!(construction.pollution_type(), noise);
        assert_eq!(construction.zh(), "建筑施工噪声");
    }

    #[test]
    fn unknown_codes_are_errors() {
        assert!(
            PollutionType::parse("odor").is_err(),
            "a sub-type is not a type"
        );
        assert!(SubType::parse("air").is_err(), "a type is not a sub-type");
        assert!(Industry::parse("ZZ").is_err());
    }

    #[test]
    fn industries_roll_up_to_their_section() {
        let catering = Industry::parse("62").expect("catering");
        assert_eq!(catering.zh(), "餐饮业");
        assert_eq!(catering.section().code(), "H");
        assert_eq!(Industry::parse("E").expect("E").section().code(), "E");
        assert_eq!(Industry::all().count(), 38);
        assert_eq!(
            Industry::parse("D").expect("D").zh(),
            "电力、热力、燃气及水生产和供应业"
        );
    }
}
