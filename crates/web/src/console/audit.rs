//! The audit log in the console: the page where admins read the records of their subtree
//! (`/console/audit`); the use cases write the records.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use huiji_core::audit::AuditAction;
use huiji_core::{CivilDate, Timestamp};
use huiji_store::AuditQuery;
use serde::Deserialize;

use super::{Frame, Officer, page};
use crate::http::format::org_names;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Records per page.
const PAGE: u32 = 50;

pub(super) fn router() -> Router<WebState> {
    Router::new().route("/console/audit", get(list))
}

/// The page's filters; empty means any.
#[derive(Default, Deserialize)]
#[serde(default)]
struct Filters {
    action: String,
    actor: String,
    from: String,
    to: String,
    before: String,
}

struct Row {
    when: String,
    actor: String,
    action: String,
    subject: String,
    scope: String,
    reason: String,
    client: String,
}

#[derive(Template)]
#[template(path = "console/audit.html")]
struct AuditPage<'a> {
    frame: Frame<'a>,
    filters: &'a Filters,
    actions: Vec<(&'static str, &'static str)>,
    rows: Vec<Row>,
    problems: Vec<&'static str>,
    next: Option<String>,
}

/// `GET /console/audit`: admins only, the records concerning their subtree.
async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(filters): Query<Filters>,
) -> Result<Response, WebError> {
    officer.require_admin()?;
    let mut problems = Vec::new();
    let mut day = |text: &str| -> Option<CivilDate> {
        let text = text.trim();
        if text.is_empty() {
            return None;
        }
        let parsed = CivilDate::parse_iso(text);
        if parsed.is_none() {
            problems.push(lang.t("日期格式应为 YYYY-MM-DD", "Dates are YYYY-MM-DD"));
        }
        parsed
    };
    let from = day(&filters.from).map(|d| Timestamp::china_day_start(d).millis());
    let to = day(&filters.to).map(|d| Timestamp::china_day_start(d).plus_days(1).millis());
    let action = filters.action.trim();
    let actor = filters.actor.trim();
    let query = AuditQuery {
        within: officer.scope().clone(),
        action: (!action.is_empty()).then(|| action.to_owned()),
        actor_name: (!actor.is_empty()).then(|| actor.to_owned()),
        from,
        to,
        before_id: filters.before.trim().parse().ok(),
        limit: PAGE,
    };
    let records = if problems.is_empty() { state.store.audit_records(&query).await? } else { Vec::new() };
    let scope_orgs = records.iter().filter_map(|r| org_of(&r.scope_path));
    let names = org_names(&state, scope_orgs).await?;
    let next = (records.len() == PAGE as usize).then(|| records.last().map(|r| r.id)).flatten().map(|last| {
        serde_html_form::to_string([
            ("action", action),
            ("actor", actor),
            ("from", filters.from.trim()),
            ("to", filters.to.trim()),
            ("before", &last.to_string()),
        ])
        .unwrap_or_default()
    });
    // Officers by name (accounts in the console).
    let officers = super::accounts::officer_names(
        &state,
        records.iter().filter(|r| r.actor_kind == "officer").map(|r| r.actor_name.as_str()),
    )
    .await?;
    let rows = records
        .into_iter()
        .map(|r| Row {
            when: Timestamp(r.at).china_minute(),
            actor: match officers.get(&r.actor_name) {
                Some(name) => format!("{name} ({})", r.actor_name),
                None => format!("{} ({})", r.actor_name, r.actor_kind),
            },
            action: r
                .action
                .parse::<AuditAction>()
                .map_or_else(|_| r.action.clone(), |a| lang.t(a.label_zh(), a.label_en()).to_owned()),
            subject: r.subject.unwrap_or_default(),
            scope: org_of(&r.scope_path).and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
            client: r.client_addr.unwrap_or_default(),
        })
        .collect();
    let actions = AuditAction::ALL.iter().map(|a| (a.code(), lang.t(a.label_zh(), a.label_en()))).collect();
    let bad = !problems.is_empty();
    let mut response = page(&AuditPage {
        frame: Frame { lang, officer: &officer, section: "audit" },
        filters: &filters,
        actions,
        rows,
        problems,
        next,
    })?;
    if bad {
        *response.status_mut() = StatusCode::UNPROCESSABLE_ENTITY;
    }
    Ok(response)
}

/// The org a scope path ends at.
fn org_of(path: &str) -> Option<i64> {
    path.trim_end_matches('/').rsplit('/').next()?.parse().ok()
}
