//! The status page and what it shows: the applicant's records, unions' transfer requests,
//! and the outcome of a transfer step.

use askama::Template;
use axum::http::StatusCode;
use axum::response::{Html, IntoResponse, Response};

use crate::WebError;
use crate::http::i18n::Lang;
use crate::worker::joining::WorkerText;

pub(super) struct Row {
    pub(super) name: String,
    pub(super) union: String,
    pub(super) status: &'static str,
    pub(super) date: String,
    pub(super) card_token: Option<String>,
    pub(super) transfer_token: Option<String>,
    /// Whom to ask: the deciding or home union's contact details.
    pub(super) contact: Option<huiji_store::ContactOf>,
    /// An application's decision: who reviews it now or decided it, and why.
    pub(super) decision: Option<Decision>,
}

/// Where an application's decision stands (the facts its SMS told).
pub(super) struct Decision {
    /// The union that reviews it now or decided it.
    pub(super) reviewer: String,
    /// It moved up past its deadline (shown while it waits).
    pub(super) escalated: bool,
    /// A rejection's reason; a rejection also shows what to do next.
    pub(super) reason: Option<String>,
}

/// A decision SMS sent about the mobile's records.
pub(super) struct SentRow {
    pub(super) date: String,
    pub(super) body: String,
}

/// A union's request to take over a held membership, for the member to answer.
pub(super) struct AskRow {
    /// The transfer.
    pub(super) id: i64,
    /// The asking union.
    pub(super) union: String,
    /// Why it asks.
    pub(super) reason: String,
    /// When it asked.
    pub(super) date: String,
    /// The membership's transfer token (the SMS proof).
    pub(super) token: String,
}

/// What the SMS check showed.
pub(super) struct Records {
    pub(super) applications: Vec<Row>,
    pub(super) memberships: Vec<Row>,
    pub(super) asks: Vec<AskRow>,
    /// The decision SMS sent, newest first.
    pub(super) sent: Vec<SentRow>,
    /// Legal-aid cases filed from the mobile, if any.
    pub(super) cases: Option<crate::worker::legal::CaseSection>,
    /// The held membership's benefits and claims, if any.
    pub(super) benefits: Option<crate::worker::benefits::BenefitSection>,
}

/// What a transfer step ended in: a request made or an answer given.
pub(super) struct Done {
    pub(super) title: &'static str,
    pub(super) body: &'static str,
    pub(super) union: String,
}

/// The transfer part of the page: the form again (with what went wrong), or what was done.
pub(super) struct TransferStep {
    /// The token, to try again; empty when it was not genuine.
    pub(super) token: String,
    /// What went wrong.
    pub(super) error: Option<&'static str>,
    /// What was done.
    pub(super) done: Option<Done>,
}

#[derive(Template)]
#[template(path = "status.html")]
pub(super) struct StatusPage<'a> {
    pub(super) lang: Lang,
    pub(super) t: &'static WorkerText,
    pub(super) mobile: &'a str,
    pub(super) notice: Option<&'static str>,
    pub(super) error: Option<&'a str>,
    pub(super) code_sent: bool,
    pub(super) results: Option<Records>,
    pub(super) transfer: Option<TransferStep>,
}

impl StatusPage<'_> {
    /// The page as first shown: the mobile form, empty.
    pub(super) fn empty(lang: Lang) -> StatusPage<'static> {
        StatusPage {
            lang,
            t: WorkerText::of(lang),
            mobile: "",
            notice: None,
            error: None,
            code_sent: false,
            results: None,
            transfer: None,
        }
    }
}

/// The page showing only a transfer step.
pub(super) fn transfer_page(
    lang: Lang,
    status: StatusCode,
    step: TransferStep,
) -> Result<Response, WebError> {
    let page = StatusPage { transfer: Some(step), ..StatusPage::empty(lang) };
    Ok((status, Html(page.render()?)).into_response())
}
