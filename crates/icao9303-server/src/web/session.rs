//! Logging in to the web page: a person gives the tenant's API key once, in a form; the service opens a
//! session and sets a cookie holding 256 random bits (only their SHA-256 is stored, with the hash of the
//! API key: a replaced key ends its sessions). The cookie is `HttpOnly`, `SameSite=Strict`, `Path=/`, and
//! under TLS `Secure` with the `__Host-` prefix; a session lasts [`SESSION_TTL`]; logging out deletes it.
//!
//! CSRF: every form that changes something carries a token. Logged in, it is an HMAC of the session
//! cookie under a key derived from the master key ([`crate::keys::Secrets::csrf_token`]); the login form,
//! before there is a session, carries the value of a separate random cookie (double submit). Both are
//! compared in constant time; SameSite=Strict keeps other sites' pages from sending the cookies at all.

use axum::extract::FromRequestParts;
use axum::http::header::{COOKIE, LOCATION, SET_COOKIE};
use axum::http::request::Parts;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use subtle::ConstantTimeEq;

use crate::api::{ApiError, Shared};
use crate::db::Tenant;

/// How long a web session lasts from the login.
pub const SESSION_TTL_MS: i64 = 8 * 3600 * 1000;

/// The cookie names: `__Host-` prefixed under TLS (the browser then insists on Secure, Path=/ and no
/// Domain).
fn names(tls: bool) -> (&'static str, &'static str) {
    if tls {
        ("__Host-mrtd_session", "__Host-mrtd_login")
    } else {
        ("mrtd_session", "mrtd_login")
    }
}

/// The session cookie's name.
pub fn session_cookie_name(tls: bool) -> &'static str {
    names(tls).0
}

/// A `Set-Cookie` value (`max_age` 0 deletes the cookie).
fn set_cookie(name: &str, value: &str, max_age_secs: i64, tls: bool) -> HeaderValue {
    let secure = if tls { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{name}={value}; Path=/; Max-Age={max_age_secs}; HttpOnly; SameSite=Strict{secure}"
    ))
    .unwrap_or_else(|_| HeaderValue::from_static("invalid=; Max-Age=0"))
}

/// The value of cookie `name` in the request, if it is there once and looks like ours (hex, bounded).
fn cookie(headers: &HeaderMap, name: &str) -> Option<String> {
    let mut found = None;
    for header in headers.get_all(COOKIE) {
        let Ok(text) = header.to_str() else { continue };
        for pair in text.split(';') {
            let Some((k, v)) = pair.trim().split_once('=') else {
                continue;
            };
            if k == name {
                if found.is_some() {
                    return None;
                }
                found = Some(v.to_owned());
            }
        }
    }
    found.filter(|v| v.len() <= 128 && v.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// Constant-time equality of two tokens.
fn same(a: &str, b: &str) -> bool {
    a.len() == b.len() && bool::from(a.as_bytes().ct_eq(b.as_bytes()))
}

/// A person logged in to the web page: the tenant, and the CSRF token its forms carry.
pub struct Person {
    /// The tenant the person acts for.
    pub tenant: Tenant,
    /// The session's CSRF token.
    pub csrf: String,
    token_hash: String,
}

impl Person {
    /// Whether a form's CSRF token is this session's.
    pub fn csrf_ok(&self, token: &str) -> bool {
        same(&self.csrf, token)
    }
}

/// What a request without a valid session gets: to the login page.
pub struct LoginFirst;

impl IntoResponse for LoginFirst {
    fn into_response(self) -> Response {
        redirect("/ui/login")
    }
}

/// 303 See Other to `to`.
pub fn redirect(to: &'static str) -> Response {
    (StatusCode::SEE_OTHER, [(LOCATION, to)]).into_response()
}

impl FromRequestParts<Shared> for Person {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Response> {
        match person(&parts.headers, state).await {
            Ok(Some(p)) => Ok(p),
            Ok(None) => Err(LoginFirst.into_response()),
            Err(e) => Err(super::pages::error_page(None, &e)),
        }
    }
}

/// The person of the request's session cookie, if it names an open session.
pub async fn person(headers: &HeaderMap, state: &Shared) -> Result<Option<Person>, ApiError> {
    let Some(token) = cookie(headers, session_cookie_name(state.tls)) else {
        return Ok(None);
    };
    let token_hash = crate::audit::sha256_hex(token.as_bytes());
    let tenant = state
        .db
        .session_tenant(&token_hash, crate::clock::now_ms())
        .await
        .map_err(|e| ApiError::unavailable(state, &e))?;
    Ok(tenant.map(|tenant| Person {
        tenant,
        csrf: state.secrets.csrf_token(&token),
        token_hash,
    }))
}

/// The login form's CSRF token: the login cookie's value, or a new one to set.
pub fn login_token(
    headers: &HeaderMap,
    tls: bool,
) -> anyhow::Result<(String, Option<HeaderValue>)> {
    if let Some(existing) = cookie(headers, names(tls).1).filter(|v| v.len() == 32) {
        return Ok((existing, None));
    }
    let token = crate::keys::new_id()?;
    let header = set_cookie(names(tls).1, &token, 3600, tls);
    Ok((token, Some(header)))
}

/// Whether the login form's token matches its cookie.
pub fn login_token_ok(headers: &HeaderMap, tls: bool, form_token: &str) -> bool {
    cookie(headers, names(tls).1).is_some_and(|c| same(&c, form_token))
}

/// Opens a session for `tenant` (whose API key is `key`): the `Set-Cookie` headers of the answer (the
/// session cookie, and the login cookie deleted).
pub async fn open(
    state: &Shared,
    tenant: &Tenant,
    key: &str,
) -> Result<[HeaderValue; 2], ApiError> {
    let token = hex::encode(
        crate::keys::random_bytes::<32>()
            .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal error"))?,
    );
    let now = crate::clock::now_ms();
    state
        .db
        .open_session(
            &crate::audit::sha256_hex(token.as_bytes()),
            &tenant.id,
            &crate::api::key_hash(key),
            now,
            now + SESSION_TTL_MS,
        )
        .await
        .map_err(|e| ApiError::unavailable(state, &e))?;
    let (session, login) = names(state.tls);
    Ok([
        set_cookie(session, &token, SESSION_TTL_MS / 1000, state.tls),
        set_cookie(login, "", 0, state.tls),
    ])
}

/// Ends the person's session: the `Set-Cookie` header that deletes the cookie.
pub async fn close(state: &Shared, person: &Person) -> Result<HeaderValue, ApiError> {
    state
        .db
        .close_session(&person.token_hash)
        .await
        .map_err(|e| ApiError::unavailable(state, &e))?;
    Ok(set_cookie(session_cookie_name(state.tls), "", 0, state.tls))
}

/// Adds `Set-Cookie` headers to a response.
pub fn with_cookies(
    mut response: Response,
    cookies: impl IntoIterator<Item = HeaderValue>,
) -> Response {
    for c in cookies {
        response.headers_mut().append(SET_COOKIE, c);
    }
    response
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_read_strictly() {
        let mut h = HeaderMap::new();
        h.insert(
            COOKIE,
            HeaderValue::from_static("a=1; mrtd_session=abcdef01; b=2"),
        );
        assert_eq!(cookie(&h, "mrtd_session").as_deref(), Some("abcdef01"));
        // Twice (a cookie planted by a sibling domain, say): neither is used.
        h.append(COOKIE, HeaderValue::from_static("mrtd_session=00ff"));
        assert_eq!(cookie(&h, "mrtd_session"), None);
        let mut h = HeaderMap::new();
        h.insert(COOKIE, HeaderValue::from_static("mrtd_session=<script>"));
        assert_eq!(cookie(&h, "mrtd_session"), None);
    }

    #[test]
    fn cookie_attributes() {
        let plain = set_cookie("mrtd_session", "ab", 60, false);
        let plain = plain.to_str().unwrap();
        assert!(plain.contains("HttpOnly") && plain.contains("SameSite=Strict"));
        assert!(!plain.contains("Secure"));
        let tls = set_cookie("__Host-mrtd_session", "ab", 60, true);
        assert!(tls.to_str().unwrap().ends_with("; Secure"));
        assert_eq!(session_cookie_name(true), "__Host-mrtd_session");
    }
}
