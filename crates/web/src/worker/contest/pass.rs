//! The contest pass as a cookie: the pass itself (signed, four hours) is
//! [`huiji_app::contest::pass`]; this is how a browser carries it.

use axum::http::HeaderMap;
use huiji_app::contest::pass::PASS_MILLIS;

pub(super) use huiji_app::contest::pass::{issue, verify};

/// The cookie's name.
const COOKIE: &str = "huiji_contest";

/// The pass a request carries, if any.
pub(super) fn carried(headers: &HeaderMap) -> Option<String> {
    crate::http::cookies::value(headers, COOKIE)
}

/// The `Set-Cookie` value: only the contest pages see it; `SameSite=Lax` so a link from a
/// chat opens the pages signed in while no other site can post an answer with it.
pub(super) fn set_cookie(pass: &str, secure: bool) -> String {
    let secure = if secure { "; Secure" } else { "" };
    format!("{COOKIE}={pass}; Path=/contest; HttpOnly; SameSite=Lax; Max-Age={}{secure}", PASS_MILLIS / 1000)
}
