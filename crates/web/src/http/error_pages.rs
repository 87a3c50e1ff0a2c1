//! Error pages people can read: every error a browser would otherwise show as bare text
//! or an empty body (an unknown path, a wrong method, a body too large, a refused CSRF
//! token, a failed database) becomes a page in the visitor's language with a way back —
//! the worker's front door, or the console's home for officers.
//!
//! A middleware rather than `WebError`'s `IntoResponse`, because most of these answers
//! are made before or outside a handler (the router's 404 and 405, the body limit's 413,
//! the timeout's 408) and only the request knows the language and which door it came
//! through. Answers a handler already rendered as a page (the join form's 422, the 429
//! page) or as JSON pass untouched, and so does `/api/`, whose errors have their own
//! published JSON shape (`api::json_errors`).

use askama::Template;
use axum::extract::Request;
use axum::http::header::{self, HeaderValue};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{Html, IntoResponse, Response};

use crate::http::i18n::Lang;

/// Who is on the other side, which decides the way back.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Door {
    /// Worker pages: back to the front door `/`.
    Worker,
    /// The officers' console: back to `/console`.
    Console,
    /// Machine answers (`/api/`, `/healthz`, `/metrics`, static assets, JSON
    /// endpoints): left alone.
    Machine,
}

impl Door {
    fn of(path: &str) -> Door {
        if path.starts_with("/api/")
            || path == "/api"
            || path == "/healthz"
            || path == "/metrics"
            || path.starts_with("/static/")
            // JSON for the stations page's script and for other sites.
            || path == "/stations/nearest"
        {
            Door::Machine
        } else if path == "/console" || path.starts_with("/console/") {
            Door::Console
        } else {
            Door::Worker
        }
    }
}

/// The texts of one error, in both languages: a title and what to do next.
struct ErrorText {
    title: (&'static str, &'static str),
    advice: (&'static str, &'static str),
}

fn text_for(status: StatusCode, door: Door) -> ErrorText {
    let officer = door == Door::Console;
    match status {
        StatusCode::NOT_FOUND if officer => ErrorText {
            title: ("页面不存在", "Page not found"),
            advice: (
                "这个页面不存在，或不在您的管辖范围内。",
                "This page does not exist, or it is outside the part of the organisation you look after.",
            ),
        },
        StatusCode::NOT_FOUND => ErrorText {
            title: ("页面不存在", "Page not found"),
            advice: (
                "链接可能输错了或已经失效。如果您是扫二维码来的，请向工会工作人员要一个新的二维码，或从首页入会。",
                "The link may be mistyped or out of date. If you scanned a QR code, ask the union's staff for a new one, or join from the home page.",
            ),
        },
        StatusCode::FORBIDDEN => ErrorText {
            title: ("无权操作", "Not allowed"),
            advice: (
                "您没有进行这项操作的权限，或页面已过期。请返回后刷新页面再试。",
                "You may not do this, or the page has expired. Go back, reload the page and try again.",
            ),
        },
        StatusCode::METHOD_NOT_ALLOWED => ErrorText {
            title: ("无法这样打开此页面", "This page cannot be opened this way"),
            advice: ("请从页面上的链接或按钮进入。", "Please use the links and buttons on the pages."),
        },
        StatusCode::PAYLOAD_TOO_LARGE => ErrorText {
            title: ("提交的内容太大", "What you sent is too large"),
            advice: (
                "请缩短填写的内容或换一个较小的文件，再提交一次。",
                "Shorten what you typed or choose a smaller file, then submit again.",
            ),
        },
        StatusCode::TOO_MANY_REQUESTS => ErrorText {
            title: ("请稍后再试", "Please wait a moment"),
            advice: (
                "操作太频繁了。为保护大家的个人信息，请稍等片刻再试。",
                "Too many attempts. To protect everyone's personal information, please wait a little and try again.",
            ),
        },
        StatusCode::REQUEST_TIMEOUT => ErrorText {
            title: ("请求超时", "The request took too long"),
            advice: (
                "网络或服务器较忙，请稍后再试。",
                "The network or the server is busy; please try again shortly.",
            ),
        },
        StatusCode::SERVICE_UNAVAILABLE => ErrorText {
            title: ("服务暂不可用", "Service temporarily unavailable"),
            advice: (
                "系统正在维护或暂时繁忙，请几分钟后再试。",
                "The system is under maintenance or busy. Please try again in a few minutes.",
            ),
        },
        s if s.is_server_error() => ErrorText {
            title: ("服务器出错了", "Something went wrong on our side"),
            advice: (
                "这不是您的问题，我们已记录下来。请稍后再试；急事请拨打职工服务热线 12351。",
                "It is not your fault and it has been logged. Please try again later; for urgent matters call the workers' hotline 12351.",
            ),
        },
        _ => ErrorText {
            title: ("请求有误", "The request could not be understood"),
            advice: (
                "请返回上一页，检查填写的内容后再试。",
                "Go back, check what you entered and try again.",
            ),
        },
    }
}

#[derive(Template)]
#[template(path = "error.html")]
struct ErrorPage {
    lang: Lang,
    status: u16,
    title: &'static str,
    advice: &'static str,
    /// Seconds from `Retry-After`, shown on a 429 or 503.
    retry_after: Option<u64>,
    console: bool,
}

/// Renders the page for an error answer that carries no page of its own.
pub async fn html_errors(request: Request, next: Next) -> Response {
    let door = Door::of(request.uri().path());
    let lang = Lang::negotiate(
        request.uri().query(),
        request.headers().get(header::ACCEPT_LANGUAGE).and_then(|v| v.to_str().ok()),
    );
    let wants_json = wants_json(request.headers());
    let response = next.run(request).await;
    let status = response.status();
    if door == Door::Machine || wants_json || !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let rendered = response.headers().get(header::CONTENT_TYPE).is_some_and(|v| {
        v.as_bytes().starts_with(b"text/html") || v.as_bytes().starts_with(b"application/json")
    });
    if rendered {
        return response;
    }
    let text = text_for(status, door);
    let retry_after = response
        .headers()
        .get(header::RETRY_AFTER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse().ok());
    let page = ErrorPage {
        lang,
        status: status.as_u16(),
        title: lang.t(text.title.0, text.title.1),
        advice: lang.t(text.advice.0, text.advice.1),
        retry_after,
        console: door == Door::Console,
    };
    let mut mapped = match page.render() {
        Ok(html) => Html(html).into_response(),
        Err(error) => {
            tracing::error!(%error, "error page not rendered");
            return response;
        }
    };
    *mapped.status_mut() = status;
    // Only the body is remade: `Allow`, `Retry-After`, `Set-Cookie` and the security
    // headers stay.
    let (parts, _) = response.into_parts();
    for (name, value) in &parts.headers {
        if name != header::CONTENT_TYPE && name != header::CONTENT_LENGTH {
            mapped.headers_mut().append(name, value.clone());
        }
    }
    mapped.headers_mut().insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    mapped
}

/// A script asking for JSON (`fetch` with `Accept: application/json`) gets the plain
/// answer, not a page; a browser's navigation asks for `text/html`.
fn wants_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|accept| accept.contains("application/json") && !accept.contains("text/html"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doors_by_path() {
        assert_eq!(Door::of("/api/v1/applications"), Door::Machine);
        assert_eq!(Door::of("/healthz"), Door::Machine);
        assert_eq!(Door::of("/static/site.css"), Door::Machine);
        assert_eq!(Door::of("/stations/nearest"), Door::Machine);
        assert_eq!(Door::of("/stations"), Door::Worker);
        assert_eq!(Door::of("/console"), Door::Console);
        assert_eq!(Door::of("/console/nope"), Door::Console);
        assert_eq!(Door::of("/consoles"), Door::Worker);
        assert_eq!(Door::of("/j/NOPE"), Door::Worker);
        assert_eq!(Door::of("/"), Door::Worker);
    }

    #[test]
    fn every_status_has_words_in_both_languages() {
        for code in [400, 403, 404, 405, 408, 413, 422, 429, 500, 502, 503] {
            let status = StatusCode::from_u16(code).unwrap_or(StatusCode::BAD_REQUEST);
            for door in [Door::Worker, Door::Console] {
                let text = text_for(status, door);
                assert!(!text.title.0.is_empty() && !text.title.1.is_empty(), "{code}");
                assert!(!text.advice.0.is_ascii(), "{code}: the Chinese advice is Chinese");
                assert!(text.advice.1.is_ascii(), "{code}: the English advice is English");
            }
        }
    }
}
