//! The services (`services.{fmt}`) and their definitions (`services/{code}.{fmt}`): one
//! service per pollution type, its sub-types as the `sub_type` attribute.
//!
//! Why attributes and not a service per sub-type: the type is what the case is filed, counted,
//! dispatched and published under, and staff correct a sub-type in review without the case
//! changing service; a list of eight services stays short enough for a phone's first screen,
//! and a client that does not read definitions still files under the right type. The sub-type
//! is required where the type has sub-types, because it decides which law and which office
//! apply (餐饮油烟 and 社会生活噪声 are partly other departments' remit), which the receiving
//! office reads first.

use greenline_domain::{PollutionType, RegionCode};

use crate::App;
use crate::error::{ServiceError, ServiceResult};

/// The attribute that carries the sub-type.
pub const SUB_TYPE: &str = "sub_type";
/// The attribute that carries a county code when the place cannot be read otherwise.
pub const REGION: &str = "region";

/// One service (`service`).
#[derive(Debug, Clone, PartialEq)]
pub struct Service {
    pub code: String,
    pub name: String,
    pub description: String,
    /// Whether it has a definition with attributes (every one of ours has).
    pub metadata: bool,
    /// `realtime`: a request becomes a case at once.
    pub kind: String,
    pub keywords: Vec<String>,
    pub group: String,
}

/// A service's definition (`service_definition`).
#[derive(Debug, Clone, PartialEq)]
pub struct ServiceDefinition {
    pub code: String,
    pub attributes: Vec<Attribute>,
}

/// One attribute of a definition.
#[derive(Debug, Clone, PartialEq)]
pub struct Attribute {
    /// Whether the client asks the user for it (as opposed to an informational one).
    pub variable: bool,
    pub code: String,
    /// `string`, `number`, `datetime`, `text`, `singlevaluelist` or `multivaluelist`.
    pub datatype: String,
    pub required: bool,
    pub datatype_description: String,
    pub order: u32,
    pub description: String,
    /// For lists: each value's key and name.
    pub values: Vec<(String, String)>,
}

fn service(t: PollutionType) -> Service {
    let subs: Vec<String> = t.sub_types().map(|s| s.zh().to_owned()).collect();
    let description = if subs.is_empty() {
        format!("{}污染问题", t.zh())
    } else {
        format!("{}污染问题：{}", t.zh(), subs.join("、"))
    };
    Service {
        code: t.code().to_owned(),
        name: t.zh().to_owned(),
        description,
        metadata: true,
        kind: "realtime".to_owned(),
        keywords: subs,
        group: "生态环境".to_owned(),
    }
}

/// The service of a code, or not found.
pub fn service_type(code: &str) -> ServiceResult<PollutionType> {
    PollutionType::parse(code.trim()).map_err(|_| ServiceError::NotFound("service"))
}

fn definition(t: PollutionType) -> ServiceDefinition {
    let values: Vec<(String, String)> = t
        .sub_types()
        .map(|s| (s.code().to_owned(), s.zh().to_owned()))
        .collect();
    let mut attributes = Vec::new();
    if !values.is_empty() {
        attributes.push(Attribute {
            variable: true,
            code: SUB_TYPE.to_owned(),
            datatype: "singlevaluelist".to_owned(),
            required: true,
            datatype_description: "从列表中选择一项".to_owned(),
            order: 1,
            description: "具体问题类型".to_owned(),
            values,
        });
    }
    attributes.push(Attribute {
        variable: true,
        code: REGION.to_owned(),
        datatype: "string".to_owned(),
        required: false,
        datatype_description: "六位行政区划代码，如 440305".to_owned(),
        order: 2,
        description: "所在区县（坐标和地址都无法确定区县时填写）".to_owned(),
        values: Vec::new(),
    });
    ServiceDefinition {
        code: t.code().to_owned(),
        attributes,
    }
}

/// A `region` attribute's value: a known region code below the national level.
pub fn region_attribute(value: &str) -> ServiceResult<RegionCode> {
    RegionCode::parse(value.trim())
        .ok()
        .filter(|r| *r != RegionCode::NATIONAL)
        .ok_or_else(|| ServiceError::field("attribute[region]", "not a known region code"))
}

impl App {
    /// Every service, in the taxonomy's order.
    pub fn open311_services(&self, jurisdiction: Option<&str>) -> ServiceResult<Vec<Service>> {
        self.open311_jurisdiction(jurisdiction)?;
        Ok(PollutionType::all().map(service).collect())
    }

    /// The definition of service `code`; not found for an unknown code.
    pub fn open311_service(
        &self,
        code: &str,
        jurisdiction: Option<&str>,
    ) -> ServiceResult<ServiceDefinition> {
        self.open311_jurisdiction(jurisdiction)?;
        Ok(definition(service_type(code)?))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_type_is_a_service_and_sub_types_are_its_required_list() {
        let noise = definition(service_type("noise").expect("noise"));
        let sub = &noise.attributes[0];
        assert_eq!(sub.code, SUB_TYPE);
        assert!(sub.required);
        assert!(sub.values.iter().any(|(k, _)| k == "construction"));
        assert_eq!(noise.attributes[1].code, REGION);
        assert!(!noise.attributes[1].required);
        assert!(matches!(
            service_type("graffiti"),
            Err(ServiceError::NotFound("service"))
        ));
        assert_eq!(
            PollutionType::all().map(service).count(),
            PollutionType::all().count()
        );
    }
}
