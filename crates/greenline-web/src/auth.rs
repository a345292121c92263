//! Who calls: the session a request carries (a bearer token for the API, an HttpOnly SameSite
//! cookie for pages) and the extractors handlers use to know it.

use axum::extract::FromRequestParts;
use axum::http::header::InvalidHeaderValue;
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, header};
use axum_extra::extract::cookie::{Cookie, CookieJar, SameSite};
use greenline_app::{App, Caller, Origin};

use crate::error::ApiError;
use crate::extract::ClientIp;

/// The cookie that carries a page session.
pub const SESSION_COOKIE: &str = "greenline_session";

/// The value of cookie `name` in a request.
pub fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    CookieJar::from_headers(headers)
        .get(name)
        .map(|c| c.value().to_owned())
}

/// A `Set-Cookie` value: HttpOnly, SameSite=Strict, the whole site, `Secure` when the settings
/// say the site is served over HTTPS; with a `max_age` in seconds, or for the browser's session
/// without one (age 0 ends it).
pub fn set_cookie(
    app: &App,
    name: &'static str,
    value: &str,
    max_age: Option<i64>,
) -> Result<HeaderValue, InvalidHeaderValue> {
    let mut cookie = Cookie::build((name, value.to_owned()))
        .path("/")
        .http_only(true)
        .same_site(SameSite::Strict)
        .secure(app.settings.secure_cookies);
    if let Some(seconds) = max_age {
        cookie = cookie.max_age(cookie::time::Duration::seconds(seconds));
    }
    HeaderValue::from_str(&cookie.build().to_string())
}

/// The session token a request carries: the bearer token, or else the session cookie.
pub fn token_from(headers: &HeaderMap) -> Option<String> {
    if let Some(bearer) = headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
    {
        return Some(bearer.trim().to_owned());
    }
    cookie(headers, SESSION_COOKIE)
}

/// A signed-in staff member. Extracting it from a request without a live session is a 401.
#[derive(Debug, Clone)]
pub struct SignedIn(pub Caller);

impl std::ops::Deref for SignedIn {
    type Target = Caller;

    fn deref(&self) -> &Caller {
        &self.0
    }
}

impl FromRequestParts<App> for SignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        MaybeSignedIn::from_request_parts(parts, app)
            .await?
            .0
            .ok_or(ApiError::Service(greenline_app::ServiceError::Unauthorized))
    }
}

/// The staff member if the request carries a live session; `None` for the public. A token that
/// is sent but not live is still a 401, so a client learns its session ended.
#[derive(Debug, Clone)]
pub struct MaybeSignedIn(pub Option<SignedIn>);

impl FromRequestParts<App> for MaybeSignedIn {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, ApiError> {
        let Some(token) = token_from(&parts.headers) else {
            return Ok(MaybeSignedIn(None));
        };
        let Ok(ClientIp(ip)) = ClientIp::from_request_parts(parts, app).await;
        let caller = app.session(&token, Origin::Address(ip)).await?;
        Ok(MaybeSignedIn(Some(SignedIn(caller))))
    }
}
