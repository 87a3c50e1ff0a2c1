//! Unions of the officer's subtree: the list with its filters, a union's detail with its
//! 一会一码 QR code and counts, and (admins only) renaming, the review policy and new
//! unions below one (enterprise unions, industry federations, community unions).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::Response;
use axum::routing::{get, post};
use huiji_app::orgs::qr;
use huiji_core::joining::receives_applications;
use huiji_core::{
    AutoApproval, Level, Occupation, Org, OrgId, OrgKind, OrgKindCode, RegionCode, child_kinds,
};
use huiji_store::OrgFilter;
use serde::Deserialize;

use super::{Frame, Officer, page};
use crate::http::format::date;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

mod changes;

/// Rows per page of the list.
const PAGE: u32 = 100;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/orgs", get(list))
        .route("/console/orgs/{id}", get(detail))
        .route("/console/orgs/{id}/rename", post(changes::rename))
        .route("/console/orgs/{id}/policy", post(changes::policy))
        .route("/console/orgs/{id}/children", post(changes::create_child))
        .route("/console/orgs/{id}/contact", post(changes::contact))
}

/// The kinds, as the list filter and the create form offer them.
const KINDS: [(OrgKindCode, &str, &str); 5] = [
    (OrgKindCode::Federation, "总工会", "Federation"),
    (OrgKindCode::IndustryFederation, "行业工会联合会", "Industry federation"),
    (OrgKindCode::Township, "乡镇（街道）工会", "Township union"),
    (OrgKindCode::Community, "村（社区）工会", "Community union"),
    (OrgKindCode::Enterprise, "企业工会", "Enterprise union"),
];

/// One option of a select or a checkbox group.
struct Choice {
    code: &'static str,
    label: &'static str,
    selected: bool,
}

fn kind_choices(lang: Lang, kinds: &[OrgKindCode], selected: &str) -> Vec<Choice> {
    KINDS
        .iter()
        .filter(|(code, ..)| kinds.contains(code))
        .map(|(code, zh, en)| Choice {
            code: code.code(),
            label: lang.t(zh, en),
            selected: code.code() == selected,
        })
        .collect()
}

/// "市级总工会" / "Federation (city)".
fn kind_label(lang: Lang, kind: OrgKind) -> String {
    let name = KINDS.iter().find(|(code, ..)| *code == kind.code()).map_or("", |(_, zh, en)| lang.t(zh, en));
    match (kind.level(), lang) {
        (Some(level), Lang::Zh) => {
            let zh = match level {
                Level::Province => "省级",
                Level::City => "市级",
                Level::County => "县级",
            };
            format!("{zh}{name}")
        }
        (Some(level), Lang::En) => format!("{name} ({})", level.code()),
        (None, _) => name.to_owned(),
    }
}

fn region_label(state: &WebState, code: RegionCode) -> String {
    state.app.regions().name_path(code).unwrap_or_else(|| code.to_string())
}

struct Row {
    id: i64,
    name: String,
    kind: String,
    region: String,
    join_code: String,
    policy: &'static str,
    review_days: u16,
    receives: bool,
    /// Held members of the union and the unions below it.
    members: u64,
}

#[derive(Template)]
#[template(path = "console/orgs.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
    total: u64,
    kinds: Vec<Choice>,
    region: String,
    /// The name search as typed.
    q: String,
    under: Option<(i64, String)>,
    next: Option<String>,
    problem: Option<&'static str>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListParams {
    kind: String,
    region: String,
    under: String,
    /// Part of a name.
    q: String,
    after: String,
}

async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(params): Query<ListParams>,
) -> Result<Response, WebError> {
    let under = match params.under.trim() {
        "" => None,
        id => Some(officer.org_in_scope(&state, id.parse().map_err(|_| WebError::NotFound)?).await?),
    };
    let mut problem = None;
    let kind = match params.kind.trim() {
        "" => None,
        code => code
            .parse::<OrgKindCode>()
            .map_err(|_| WebError::BadRequest("unknown kind".to_owned()))
            .map(Some)?,
    };
    let region = match params.region.trim() {
        "" => None,
        code => {
            let parsed = code.parse::<RegionCode>().ok();
            if parsed.is_none() {
                problem =
                    Some(lang.t("区划代码应为2、4、6或9位数字", "A region code has 2, 4, 6 or 9 digits"));
            }
            parsed
        }
    };
    let filter = OrgFilter {
        within: Some(under.as_ref().map_or_else(|| officer.scope().clone(), |o| o.path.clone())),
        kind,
        region,
        name_contains: Some(params.q.trim().to_owned()).filter(|q| !q.is_empty()),
        ..OrgFilter::default()
    };
    let total = state.store.count_orgs(&filter).await?;
    let after = params.after.trim().parse().ok().map(OrgId);
    let orgs = state.store.orgs(&OrgFilter { after, limit: Some(PAGE), ..filter }).await?;
    let next = (orgs.len() == PAGE as usize).then(|| orgs.last().map(|o| o.id)).flatten().map(|last| {
        let pairs = [
            ("kind", kind.map_or("", |k| k.code()).to_owned()),
            ("region", region.map(|r| r.to_string()).unwrap_or_default()),
            ("under", under.as_ref().map(|o| o.id.to_string()).unwrap_or_default()),
            ("q", params.q.trim().to_owned()),
            ("after", last.to_string()),
        ];
        let pairs: Vec<_> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_html_form::to_string(pairs).unwrap_or_default()
    });
    let mut rows = Vec::with_capacity(orgs.len());
    for org in orgs {
        // The trigger-kept counts make each a sum over the union's subtree.
        let members = state.store.count_members(&org.path).await?;
        rows.push(Row {
            members,
            id: org.id.0,
            kind: kind_label(lang, org.kind),
            region: region_label(&state, org.region),
            join_code: org.join_code.clone().unwrap_or_default(),
            policy: lang.label(org.auto_approval),
            review_days: org.review_days,
            receives: receives_applications(&org),
            name: org.name,
        });
    }
    let all_kinds: Vec<OrgKindCode> = KINDS.iter().map(|(code, ..)| *code).collect();
    page(&ListPage {
        frame: Frame { lang, officer: &officer, section: "orgs" },
        rows,
        total,
        kinds: kind_choices(lang, &all_kinds, kind.map_or("", |k| k.code())),
        region: region.map(|r| r.to_string()).unwrap_or_else(|| params.region.trim().to_owned()),
        q: params.q.trim().to_owned(),
        under: under.map(|o| (o.id.0, o.name)),
        next,
        problem,
    })
}

/// What a union's QR code section shows.
struct JoinCode {
    code: String,
    url: String,
    svg: String,
}

/// The create form as sent, kept to show again when something is wrong.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ChildForm {
    kind: String,
    name: String,
    credit_code: String,
    occupations: Vec<String>,
}

/// The forms' values and problems when a page is shown again after a POST.
#[derive(Default)]
struct Edits {
    rename: Option<String>,
    rename_error: Option<String>,
    policy_error: Option<String>,
    child: ChildForm,
    child_error: Option<String>,
    /// The contact form as sent, and what was wrong with it.
    contact: Option<ContactForm>,
    contact_error: Option<&'static str>,
}

#[derive(Template)]
#[template(path = "console/org.html")]
struct OrgPage<'a> {
    frame: Frame<'a>,
    org: Org,
    kind: String,
    region: String,
    parent: Option<(i64, String, bool)>,
    occupations: String,
    policy: &'static str,
    receives: bool,
    join: Option<JoinCode>,
    members: u64,
    pending: u64,
    admin: bool,
    policies: Vec<Choice>,
    child_kinds: Vec<Choice>,
    child_occupations: Vec<Choice>,
    industry: bool,
    created: String,
    edits: Edits,
    rename: String,
    notice: Option<&'static str>,
    /// The contact details as saved (or as typed, after a refusal).
    contact: ContactForm,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct DetailParams {
    done: String,
}

async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    Query(params): Query<DetailParams>,
) -> Result<Response, WebError> {
    let org = officer.org_in_scope(&state, OrgId(id)).await?;
    let notice = match params.done.as_str() {
        "renamed" => Some(lang.t("已改名", "Renamed")),
        "policy" => Some(lang.t("审核策略已保存", "Review policy saved")),
        "created" => Some(lang.t("已创建", "Created")),
        "contact" => Some(lang.t("联系方式已保存", "Contact details saved")),
        _ => None,
    };
    render(&state, lang, &officer, org, Edits::default(), notice, StatusCode::OK).await
}

async fn render(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    org: Org,
    edits: Edits,
    notice: Option<&'static str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let receives = receives_applications(&org);
    let join = match org.join_code.as_deref().filter(|_| receives) {
        Some(code) => {
            let url = state.app.join_url(code);
            let svg = qr::svg(&url, 6).map_err(|e| WebError::Internal(e.to_string()))?;
            Some(JoinCode { code: code.to_owned(), url, svg })
        }
        None => None,
    };
    let parent = match org.parent {
        Some(id) => state.store.org(id).await?.map(|p| (p.id.0, p.name, officer.sees(p.path.as_str()))),
        None => None,
    };
    let members = state.store.count_members(&org.path).await?;
    let pending = state.store.count_pending(&org.path).await?;
    let occupations =
        org.occupations.iter().map(|o| lang.t(o.label_zh(), o.label_en())).collect::<Vec<_>>().join("、");
    let policies = AutoApproval::ALL
        .iter()
        .map(|p| Choice { code: p.code(), label: lang.label(*p), selected: *p == org.auto_approval })
        .collect();
    let child_occupations = Occupation::ALL
        .iter()
        .map(|o| Choice {
            code: o.code(),
            label: lang.t(o.label_zh(), o.label_en()),
            selected: edits.child.occupations.iter().any(|c| c == o.code()),
        })
        .collect();
    let contact = match edits.contact.clone() {
        Some(typed) => typed,
        None => {
            let saved = state.store.org_contact(org.id).await?;
            ContactForm { address: saved.address, phone: saved.phone, person: saved.person }
        }
    };
    let mut response = page(&OrgPage {
        contact,
        frame: Frame { lang, officer, section: "orgs" },
        kind: kind_label(lang, org.kind),
        region: region_label(state, org.region),
        parent,
        occupations,
        policy: lang.label(org.auto_approval),
        receives,
        join,
        members,
        pending,
        admin: officer.role.is_admin(),
        policies,
        child_kinds: kind_choices(lang, &child_kinds(&org), &edits.child.kind),
        child_occupations,
        industry: child_kinds(&org).contains(&OrgKindCode::IndustryFederation),
        created: date(org.created_at.millis()),
        rename: edits.rename.clone().unwrap_or_else(|| org.name.clone()),
        edits,
        notice,
        org,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// The contact details form.
#[derive(Deserialize, Default, Clone)]
#[serde(default)]
struct ContactForm {
    address: String,
    phone: String,
    person: String,
}
