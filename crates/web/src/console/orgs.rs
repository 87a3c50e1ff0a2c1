//! Unions of the officer's subtree: the list with its filters, a union's detail with its
//! 一会一码 QR code and counts, and (admins only) renaming, the review policy and new
//! unions below one (enterprise unions, industry federations, community unions).

use askama::Template;
use axum::Router;
use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::orgs::qr;
use huiji_core::joining::receives_applications;
use huiji_core::{AutoApproval, CreditCode, Level, Occupation, Org, OrgId, OrgKind, OrgKindCode, RegionCode};
use huiji_store::{Conflict, DEFAULT_REVIEW_DAYS, NewOrg, OrgFilter, StoreError};
use serde::Deserialize;

use super::{Act, Frame, Officer, page};
use crate::http::format::date;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Rows per page of the list.
const PAGE: u32 = 100;

/// Longest union name the schema accepts (`orgs_name_check`).
const MAX_NAME_CHARS: usize = 100;

/// Review deadlines officers may set, in days (`orgs_review_days_check`).
const REVIEW_DAYS: std::ops::RangeInclusive<u16> = 1..=30;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/orgs", get(list))
        .route("/console/orgs/{id}", get(detail))
        .route("/console/orgs/{id}/rename", post(rename))
        .route("/console/orgs/{id}/policy", post(policy))
        .route("/console/orgs/{id}/children", post(create_child))
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

fn policy_label(lang: Lang, policy: AutoApproval) -> &'static str {
    match policy {
        AutoApproval::Off => lang.t("全部人工审核", "Every application reviewed"),
        AutoApproval::RosterOnly => lang.t("实名库内人员即时批准", "Instant for people on the roster"),
        AutoApproval::AllVerified => {
            lang.t("手机验证即批准（马上入会）", "Instant for every verified applicant")
        }
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
}

#[derive(Template)]
#[template(path = "console/orgs.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
    total: u64,
    kinds: Vec<Choice>,
    region: String,
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
            ("after", last.to_string()),
        ];
        let pairs: Vec<_> = pairs.into_iter().filter(|(_, v)| !v.is_empty()).collect();
        serde_html_form::to_string(pairs).unwrap_or_default()
    });
    let rows = orgs
        .into_iter()
        .map(|org| Row {
            id: org.id.0,
            kind: kind_label(lang, org.kind),
            region: region_label(&state, org.region),
            join_code: org.join_code.clone().unwrap_or_default(),
            policy: policy_label(lang, org.auto_approval),
            review_days: org.review_days,
            receives: receives_applications(&org),
            name: org.name,
        })
        .collect();
    let all_kinds: Vec<OrgKindCode> = KINDS.iter().map(|(code, ..)| *code).collect();
    page(&ListPage {
        frame: Frame { lang, officer: &officer, section: "orgs" },
        rows,
        total,
        kinds: kind_choices(lang, &all_kinds, kind.map_or("", |k| k.code())),
        region: region.map(|r| r.to_string()).unwrap_or_else(|| params.region.trim().to_owned()),
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
}

/// The kinds of union an admin may create directly below `parent` (DESIGN.md: industry
/// federations hang under a city or county federation, community unions under a
/// township, enterprise unions under the union where the enterprise is).
fn child_kinds(parent: &Org) -> Vec<OrgKindCode> {
    match parent.kind {
        OrgKind::Federation(Level::City | Level::County) => {
            vec![OrgKindCode::Enterprise, OrgKindCode::IndustryFederation]
        }
        OrgKind::Township => vec![OrgKindCode::Community, OrgKindCode::Enterprise],
        OrgKind::Federation(Level::Province) | OrgKind::IndustryFederation(_) | OrgKind::Community => {
            vec![OrgKindCode::Enterprise]
        }
        OrgKind::Enterprise => Vec::new(),
    }
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
        .map(|p| Choice { code: p.code(), label: policy_label(lang, *p), selected: *p == org.auto_approval })
        .collect();
    let child_occupations = Occupation::ALL
        .iter()
        .map(|o| Choice {
            code: o.code(),
            label: lang.t(o.label_zh(), o.label_en()),
            selected: edits.child.occupations.iter().any(|c| c == o.code()),
        })
        .collect();
    let mut response = page(&OrgPage {
        frame: Frame { lang, officer, section: "orgs" },
        kind: kind_label(lang, org.kind),
        region: region_label(state, org.region),
        parent,
        occupations,
        policy: policy_label(lang, org.auto_approval),
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

/// A trimmed union name, or why it is not one.
fn union_name(lang: Lang, text: &str) -> Result<String, String> {
    let name = text.trim();
    let chars = name.chars().count();
    if chars == 0 || chars > MAX_NAME_CHARS {
        return Err(name_length(lang));
    }
    Ok(name.to_owned())
}

fn name_length(lang: Lang) -> String {
    lang.t("名称应为1到100个字", "A name has 1 to 100 characters").to_owned()
}

fn name_taken(lang: Lang) -> String {
    lang.t(
        "同一上级工会下已有同名的工会，请换一个名称",
        "A union under the same parent already has this name",
    )
    .to_owned()
}

fn redirect_done(id: OrgId, done: &str) -> Response {
    Redirect::to(&format!("/console/orgs/{id}?done={done}")).into_response()
}

/// The org of a state-changing form: admins only (403 for everyone else, before the id
/// is even looked at), and in scope (404 otherwise).
async fn administered(state: &WebState, officer: &Officer, id: i64) -> Result<Org, WebError> {
    officer.require_admin()?;
    officer.org_in_scope(state, OrgId(id)).await
}

#[derive(Deserialize)]
struct RenameForm {
    #[serde(default)]
    name: String,
}

async fn rename(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<RenameForm>,
) -> Result<Response, WebError> {
    let org = administered(&state, &officer, id).await?;
    let problem = match union_name(lang, &form.name) {
        Ok(name) if name == org.name => return Ok(redirect_done(org.id, "renamed")),
        Ok(name) => match state.store.rename_org(org.id, &name).await {
            Ok(()) => {
                tracing::info!(org = %org.id, actor = %officer.actor(), "union renamed");
                let subject = Some(format!("org:{}", org.id));
                let change = format!("{} → {name}", org.name);
                super::audit(&state, &officer, &org.path, "org.rename", subject, Some(&change)).await?;
                return Ok(redirect_done(org.id, "renamed"));
            }
            Err(StoreError::Conflict(Conflict::NameTaken)) => name_taken(lang),
            Err(e) => return Err(e.into()),
        },
        Err(problem) => problem,
    };
    let edits = Edits { rename: Some(form.name), rename_error: Some(problem), ..Edits::default() };
    render(&state, lang, &officer, org, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Deserialize)]
struct PolicyForm {
    #[serde(default)]
    auto_approval: String,
    #[serde(default)]
    review_days: String,
}

async fn policy(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<PolicyForm>,
) -> Result<Response, WebError> {
    let org = administered(&state, &officer, id).await?;
    let days = form.review_days.trim().parse::<u16>().ok().filter(|d| REVIEW_DAYS.contains(d));
    let problem = match (receives_applications(&org), form.auto_approval.parse::<AutoApproval>(), days) {
        (false, ..) => {
            lang.t("该工会不承接入会申请，无需审核策略", "This union does not receive applications")
        }
        (true, Err(_), _) => lang.t("请选择审核策略", "Choose a policy"),
        (true, Ok(_), None) => lang.t("审核期限应为1到30天", "The review deadline is 1 to 30 days"),
        (true, Ok(policy), Some(days)) => {
            state.store.set_review_policy(org.id, policy, days).await?;
            tracing::info!(org = %org.id, actor = %officer.actor(), %policy, days, "review policy changed");
            let subject = Some(format!("org:{}", org.id));
            let change = format!("{} {}d → {policy} {days}d", org.auto_approval, org.review_days);
            super::audit(&state, &officer, &org.path, "org.policy", subject, Some(&change)).await?;
            return Ok(redirect_done(org.id, "policy"));
        }
    };
    let edits = Edits { policy_error: Some(problem.to_owned()), ..Edits::default() };
    render(&state, lang, &officer, org, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// The union a create form describes, or why it cannot be made. The join code is left
/// for [`create`] to choose.
fn planned_child(lang: Lang, parent: &Org, form: &ChildForm) -> Result<NewOrg, String> {
    let cannot = || lang.t("不能在这里创建这类工会", "This kind of union cannot be created here").to_owned();
    let kind = form
        .kind
        .parse::<OrgKindCode>()
        .ok()
        .filter(|k| child_kinds(parent).contains(k))
        .ok_or_else(cannot)?;
    let name = union_name(lang, &form.name)?;
    let mut child = NewOrg {
        parent: Some(parent.id),
        kind: OrgKind::Enterprise,
        name,
        region: parent.region,
        occupations: Vec::new(),
        turnover_pool: false,
        join_code: None,
        credit_code: None,
        auto_approval: AutoApproval::Off,
        review_days: DEFAULT_REVIEW_DAYS,
    };
    match kind {
        OrgKindCode::Enterprise if !form.credit_code.trim().is_empty() => {
            let code = CreditCode::parse(&form.credit_code)
                .map_err(|e| lang.t(e.message_zh(), &e.to_string()).to_owned())?;
            child.credit_code = Some(code);
        }
        OrgKindCode::Enterprise => {}
        OrgKindCode::IndustryFederation => {
            let level = parent.kind.level().filter(|l| *l != Level::Province).ok_or_else(cannot)?;
            let occupations: Vec<Occupation> = Occupation::ALL
                .into_iter()
                .filter(|o| form.occupations.iter().any(|c| c == o.code()))
                .collect();
            if occupations.is_empty() {
                return Err(lang.t("请至少选择一个从业类型", "Choose at least one occupation").to_owned());
            }
            child.kind = OrgKind::IndustryFederation(level);
            child.occupations = occupations;
            // Like the seeded industry federations: 马上入会 until an officer says otherwise.
            child.auto_approval = AutoApproval::AllVerified;
        }
        OrgKindCode::Community => child.kind = OrgKind::Community,
        OrgKindCode::Federation | OrgKindCode::Township => return Err(cannot()),
    }
    Ok(child)
}

fn credit_code_taken(lang: Lang) -> String {
    lang.t("该统一社会信用代码已登记了企业工会", "An enterprise union with this credit code exists")
        .to_owned()
}

/// Join codes to try for a new industry federation: region code and occupation letter,
/// then the same with a digit when an earlier one is taken.
fn join_codes(child: &NewOrg) -> Vec<String> {
    let Some(first) = child.occupations.first() else { return Vec::new() };
    let base = format!("{}{}", child.region, first.join_code_letter());
    std::iter::once(base.clone()).chain((2..=9).map(|n| format!("{base}{n}"))).collect()
}

async fn create_child(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<ChildForm>,
) -> Result<Response, WebError> {
    let parent = administered(&state, &officer, id).await?;
    let created = match planned_child(lang, &parent, &form) {
        Ok(child) => create(&state, lang, child).await?,
        Err(problem) => Err(problem),
    };
    let problem = match created {
        Ok(org) => {
            tracing::info!(org = %org.id, parent = %parent.id, actor = %officer.actor(), "union created");
            return Ok(redirect_done(org.id, "created"));
        }
        Err(problem) => problem,
    };
    let edits = Edits { child: form, child_error: Some(problem), ..Edits::default() };
    render(&state, lang, &officer, parent, edits, None, StatusCode::UNPROCESSABLE_ENTITY).await
}

/// Creates the union; an industry federation gets the first free join code. The outer
/// error is the store failing, the inner one what the officer can fix.
async fn create(state: &WebState, lang: Lang, mut child: NewOrg) -> Result<Result<Org, String>, WebError> {
    // Enterprise and community unions take no join code: one attempt without. Taken
    // codes and credit codes come back from the database's unique indexes.
    let codes = join_codes(&child);
    let attempts = if codes.is_empty() { vec![None] } else { codes.into_iter().map(Some).collect() };
    for code in attempts {
        child.join_code = code;
        match state.store.create_org(&child, state.app.now()).await {
            Ok(org) => return Ok(Ok(org)),
            Err(StoreError::Conflict(Conflict::JoinCodeTaken)) if child.join_code.is_some() => {}
            Err(StoreError::Conflict(Conflict::NameTaken)) => return Ok(Err(name_taken(lang))),
            Err(StoreError::Conflict(Conflict::CreditCodeTaken)) => return Ok(Err(credit_code_taken(lang))),
            Err(StoreError::Conflict(Conflict::OrgNameLength)) => return Ok(Err(name_length(lang))),
            Err(e) => return Err(e.into()),
        }
    }
    Ok(Err(lang.t("没有可用的入会码，请联系运维", "No join code is free; ask the operator").to_owned()))
}
