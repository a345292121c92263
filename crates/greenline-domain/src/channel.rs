//! Channels (渠道) through which a case reaches the agency.

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// How a case arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// 电话 — the hotline, keyed in by an operator.
    Phone,
    /// 微信 — the WeChat mini-program or official account.
    Wechat,
    /// 网络 — the web portal.
    Web,
    /// 书信 — a letter, keyed in by staff.
    Letter,
    /// 走访 — a visit to the office, keyed in by staff.
    Visit,
    /// 传真
    Fax,
    /// 电子邮件
    Email,
    /// 12345 转办 — transferred in from the 12345 government hotline.
    #[serde(rename = "12345")]
    Transfer12345,
    /// Submitted by another system through the Open311 GeoReport v2 interface.
    Open311,
    /// 其他
    Other,
}

impl Channel {
    pub const ALL: [Channel; 10] = [
        Channel::Phone,
        Channel::Wechat,
        Channel::Web,
        Channel::Letter,
        Channel::Visit,
        Channel::Fax,
        Channel::Email,
        Channel::Transfer12345,
        Channel::Open311,
        Channel::Other,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Channel::Phone => "phone",
            Channel::Wechat => "wechat",
            Channel::Web => "web",
            Channel::Letter => "letter",
            Channel::Visit => "visit",
            Channel::Fax => "fax",
            Channel::Email => "email",
            Channel::Transfer12345 => "12345",
            Channel::Open311 => "open311",
            Channel::Other => "other",
        }
    }

    pub fn parse(code: &str) -> Option<Channel> {
        Self::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn zh(self) -> &'static str {
        match self {
            Channel::Phone => "电话",
            Channel::Wechat => "微信",
            Channel::Web => "网络",
            Channel::Letter => "书信",
            Channel::Visit => "走访",
            Channel::Fax => "传真",
            Channel::Email => "电子邮件",
            Channel::Transfer12345 => "12345转办",
            Channel::Open311 => "Open311",
            Channel::Other => "其他",
        }
    }

    /// Whether citizens submit through this channel themselves (no staff account needed).
    /// Every other channel is keyed in by staff.
    pub fn is_self_service(self) -> bool {
        matches!(self, Channel::Web | Channel::Wechat)
    }
}
