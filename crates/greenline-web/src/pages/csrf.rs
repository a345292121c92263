//! Protection of form posts against cross-site request forgery: a random token kept in an
//! HttpOnly, SameSite=Strict cookie and repeated in a hidden field of every form. A post whose
//! field does not match the cookie is refused. Another site can neither read the cookie nor
//! make the browser send it, so it cannot forge a matching pair.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum::response::Response;

use super::PageError;
use crate::AppState;
use crate::auth::new_token;

/// The cookie holding the token.
pub const CSRF_COOKIE: &str = "greenline_csrf";
/// The form field repeating it.
pub const CSRF_FIELD: &str = "csrf_token";

fn cookie_value(headers: &HeaderMap, name: &str) -> Option<String> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(n, v)| *n == name && !v.is_empty())
        .map(|(_, v)| v.to_owned())
}

/// The token for the forms of the page being rendered: the browser's own, or a fresh one that
/// [`Csrf::attach`] then sets as the cookie.
#[derive(Debug, Clone)]
pub struct Csrf {
    pub token: String,
    fresh: bool,
    secure: bool,
}

impl Csrf {
    /// Sets the cookie on `response` if the token is new.
    pub fn attach(&self, mut response: Response) -> Response {
        if self.fresh {
            let secure = if self.secure { "; Secure" } else { "" };
            if let Ok(value) = HeaderValue::from_str(&format!(
                "{CSRF_COOKIE}={}; Path=/; HttpOnly; SameSite=Strict{secure}",
                self.token
            )) {
                response.headers_mut().append(header::SET_COOKIE, value);
            }
        }
        response
    }
}

impl FromRequestParts<AppState> for Csrf {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &AppState,
    ) -> Result<Self, Self::Rejection> {
        let secure = state.config.secure_cookies;
        Ok(match cookie_value(&parts.headers, CSRF_COOKIE) {
            Some(token) if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Csrf {
                    token,
                    fresh: false,
                    secure,
                }
            }
            _ => Csrf {
                token: new_token(),
                fresh: true,
                secure,
            },
        })
    }
}

/// Checks a posted form's token against the cookie; a missing or different one is refused.
pub(crate) fn verify(headers: &HeaderMap, posted: &str) -> Result<(), PageError> {
    let cookie = cookie_value(headers, CSRF_COOKIE).ok_or(PageError::StaleForm)?;
    // Compare every byte, so the time taken does not tell how much matched.
    let same = cookie.len() == posted.len()
        && cookie
            .bytes()
            .zip(posted.bytes())
            .fold(0u8, |acc, (a, b)| acc | (a ^ b))
            == 0;
    if same && !posted.is_empty() {
        Ok(())
    } else {
        Err(PageError::StaleForm)
    }
}
