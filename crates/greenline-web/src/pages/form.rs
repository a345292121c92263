//! Reading a posted form (or a search form's query string) strictly: a field whose bytes are
//! not UTF-8 is refused with a page naming it, instead of being read with U+FFFD in place of
//! what was sent (which is what `axum::Form` does) and stored as if the reporter had typed it.

use axum::body::{Body, Bytes};
use axum::extract::{Form, FromRequest, Request};
use axum::http::StatusCode;
use serde::de::DeserializeOwned;

use super::PageError;

/// `axum::Form`, refusing a field that is not UTF-8 (see the module doc).
#[derive(Debug)]
pub(crate) struct StrictForm<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for StrictForm<T> {
    type Rejection = PageError;

    async fn from_request(request: Request, state: &S) -> Result<Self, PageError> {
        let (parts, body) = request.into_parts();
        let headers = parts.headers.clone();
        let raw = Bytes::from_request(Request::from_parts(parts, body), state)
            .await
            .map_err(|e| {
                if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                    PageError::TooLarge
                } else {
                    PageError::BadForm
                }
            })?;
        check_utf8(&raw)?;
        let mut again = Request::new(Body::from(raw));
        *again.method_mut() = axum::http::Method::POST;
        *again.headers_mut() = headers;
        let Form(value) = Form::<T>::from_request(again, state).await?;
        Ok(StrictForm(value))
    }
}

/// Refuses an `application/x-www-form-urlencoded` text (a body or a query string) with a
/// name or value that does not decode to UTF-8, naming the first such field.
pub(crate) fn check_utf8(encoded: &[u8]) -> Result<(), PageError> {
    match first_field_not_utf8(encoded) {
        Some(field) => Err(PageError::NotUtf8 { field }),
        None => Ok(()),
    }
}

/// The name of the first field of an urlencoded text whose name or value does not decode to
/// UTF-8 (the API's query strings are checked with it too).
pub(crate) fn first_field_not_utf8(encoded: &[u8]) -> Option<String> {
    encoded.split(|b| *b == b'&').find_map(|pair| {
        let mut halves = pair.splitn(2, |b| *b == b'=');
        let name = decode(halves.next().unwrap_or_default());
        let value = decode(halves.next().unwrap_or_default());
        let valid = std::str::from_utf8(&name).is_ok() && std::str::from_utf8(&value).is_ok();
        (!valid).then(|| String::from_utf8_lossy(&name).into_owned())
    })
}

/// Percent-decodes one component (`+` is a space); a `%` not followed by two hex digits stays.
fn decode(component: &[u8]) -> Vec<u8> {
    let hex = |b: u8| char::from(b).to_digit(16);
    let mut out = Vec::with_capacity(component.len());
    let mut i = 0;
    while i < component.len() {
        match component[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let pair = component
                    .get(i + 1)
                    .copied()
                    .and_then(hex)
                    .zip(component.get(i + 2).copied().and_then(hex));
                if let Some((high, low)) = pair {
                    out.push(u8::try_from(high * 16 + low).unwrap_or(b'?'));
                    i += 3;
                    continue;
                }
                out.push(b'%');
            }
            other => out.push(other),
        }
        i += 1;
    }
    out
}

/// A form field's name in Chinese, for the error page.
pub(crate) fn field_zh(name: &str) -> &str {
    match name {
        "description" => "问题描述",
        "address" => "详细地址",
        "reporter_name" => "姓名",
        "reporter_phone" | "phone" => "联系电话",
        "tracking_no" => "受理编号",
        "secret" => "查询码",
        "username" => "用户名",
        "password" => "密码",
        "note" => "备注",
        "reason" => "理由",
        "findings" => "调查情况",
        "text" => "答复内容",
        "summary" => "公开内容",
        "into" => "重复举报的案件编号",
        "q" => "检索词",
        other => other,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_field_that_is_not_utf8_is_named() {
        assert!(check_utf8(b"description=%E5%B7%A5%E5%9C%B0&address=a+b").is_ok());
        assert!(check_utf8(b"note=100%&x").is_ok());
        let Err(PageError::NotUtf8 { field }) = check_utf8(b"csrf_token=x&description=%E5%B7%FF")
        else {
            panic!("invalid UTF-8 accepted");
        };
        assert_eq!(field, "description");
        assert!(matches!(
            check_utf8(b"reporter_name=\xff"),
            Err(PageError::NotUtf8 { .. })
        ));
    }
}
