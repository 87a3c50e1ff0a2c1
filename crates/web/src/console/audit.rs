//! The audit log in the console: the page where admins read the records of their subtree
//! (`/console/audit`); the use cases write the records.

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::get;
use huiji_core::audit::subject::{self, SubjectKind, SubjectPart};
use huiji_core::audit::{ActorKind, AuditAction};
use huiji_core::{CivilDate, Timestamp};
use huiji_store::AuditQuery;
use serde::Deserialize;
use std::collections::HashMap;

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

/// One record, read as a sentence: who (and as what) did what to which records.
struct Row {
    when: String,
    actor: String,
    actor_kind: &'static str,
    action: String,
    subject: Vec<Piece>,
    scope: String,
    reason: String,
    client: String,
}

/// A piece of a record's subject: words, linked when the console has a page for it.
struct Piece {
    text: String,
    href: Option<String>,
}

/// Where the console shows a record of this kind, if it has a page for one.
fn page_of(kind: SubjectKind, id: i64) -> Option<String> {
    let base = match kind {
        SubjectKind::Application => "/console/applications",
        SubjectKind::Membership => "/console/members",
        SubjectKind::Org => "/console/orgs",
        SubjectKind::Benefit => "/console/benefits",
        SubjectKind::Station => "/console/stations",
        SubjectKind::Case => "/console/cases",
        SubjectKind::Call => "/console/innovation/calls",
        SubjectKind::Entry => "/console/innovation/entries",
        SubjectKind::Contest => "/console/contests",
        SubjectKind::Campaign => "/console/campaigns",
        _ => return None,
    };
    Some(format!("{base}/{id}"))
}

/// A subject in the reader's words: references labelled (unions by name) and linked.
fn pieces(lang: Lang, text: &str, names: &HashMap<i64, String>) -> Vec<Piece> {
    subject::parse(text)
        .into_iter()
        .map(|part| match part {
            SubjectPart::Text(text) => Piece { text: text.to_owned(), href: None },
            SubjectPart::Record(kind, id) => {
                let text = match (kind, names.get(&id)) {
                    (SubjectKind::Org, Some(name)) => name.clone(),
                    _ => format!("{} #{id}", lang.label(kind)),
                };
                Piece { text, href: page_of(kind, id) }
            }
            SubjectPart::Policy(policy) => Piece { text: lang.label(policy).to_owned(), href: None },
            SubjectPart::Lifecycle(action) => Piece { text: lang.label(action).to_owned(), href: None },
            SubjectPart::Days(days) => Piece {
                text: match lang {
                    Lang::Zh => format!("审核期限 {days} 天"),
                    Lang::En => format!("{days}-day review"),
                },
                href: None,
            },
            SubjectPart::Count(count, n) => Piece {
                text: match lang {
                    Lang::Zh => format!("{} {n}", count.label_zh()),
                    Lang::En => format!("{n} {}", count.label_en()),
                },
                href: None,
            },
        })
        .collect()
}

/// Who acted, as the sentence names them: officers and platforms by name, the operator's
/// commands and the jobs as what they are.
fn actor_name(lang: Lang, kind: Option<ActorKind>, name: &str) -> String {
    match (kind, name) {
        (Some(ActorKind::System), "operator") => {
            lang.t("运维人员（命令行）", "The operator (command line)").to_owned()
        }
        _ => name.strip_prefix("user:").unwrap_or(name).to_owned(),
    }
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
    // The unions the records are scoped to and those their subjects name, in one lookup.
    let named_orgs = records.iter().flat_map(|r| {
        let mentioned =
            r.subject.as_deref().map(subject::parse).unwrap_or_default().into_iter().filter_map(|part| {
                match part {
                    SubjectPart::Record(SubjectKind::Org, id) => Some(id),
                    _ => None,
                }
            });
        org_of(&r.scope_path).into_iter().chain(mentioned.collect::<Vec<_>>())
    });
    let names = org_names(&state, named_orgs).await?;
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
            // Officers by name (accounts in the console).
            actor: match officers.get(&r.actor_name) {
                Some(name) => format!("{name} ({})", r.actor_name),
                None => actor_name(lang, r.actor_kind.parse().ok(), &r.actor_name),
            },
            // The operator's name says what it is already.
            actor_kind: match r.actor_kind.parse::<ActorKind>() {
                Ok(ActorKind::System) if r.actor_name == "operator" => "",
                Ok(kind) => lang.label(kind),
                Err(_) => "",
            },
            action: r
                .action
                .parse::<AuditAction>()
                .map_or_else(|_| r.action.clone(), |a| lang.label(a).to_owned()),
            subject: pieces(lang, r.subject.as_deref().unwrap_or_default(), &names),
            scope: org_of(&r.scope_path).and_then(|id| names.get(&id).cloned()).unwrap_or_default(),
            reason: r.reason.unwrap_or_default(),
            client: r.client_addr.unwrap_or_default(),
        })
        .collect();
    let actions = AuditAction::ALL.iter().map(|a| (a.code(), lang.label(*a))).collect();
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
