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
use crate::auth::{cookie, set_cookie};
use greenline_app::accounts::new_token;

/// The cookie holding the token.
pub const CSRF_COOKIE: &str = "greenline_csrf";
/// The form field repeating it.
pub const CSRF_FIELD: &str = "csrf_token";

/// The token for the forms of the page being rendered: the browser's own, or a fresh one that
/// [`Csrf::attach`] then sets as the cookie.
#[derive(Debug, Clone)]
pub struct Csrf {
    pub token: String,
    /// The `Set-Cookie` value when the token is new.
    fresh: Option<HeaderValue>,
}

impl Csrf {
    /// Sets the cookie on `response` if the token is new.
    pub fn attach(&self, mut response: Response) -> Response {
        if let Some(value) = &self.fresh {
            response
                .headers_mut()
                .append(header::SET_COOKIE, value.clone());
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
        Ok(match cookie(&parts.headers, CSRF_COOKIE) {
            Some(token) if token.len() == 64 && token.bytes().all(|b| b.is_ascii_hexdigit()) => {
                Csrf { token, fresh: None }
            }
            _ => {
                let token = new_token();
                let fresh = set_cookie(state, CSRF_COOKIE, &token, None).ok();
                Csrf { token, fresh }
            }
        })
    }
}

/// Checks a posted form's token against the cookie; a missing or different one is refused.
pub(crate) fn verify(headers: &HeaderMap, posted: &str) -> Result<(), PageError> {
    let cookie = cookie(headers, CSRF_COOKIE)
        .filter(|c| !c.is_empty())
        .ok_or(PageError::StaleForm)?;
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
