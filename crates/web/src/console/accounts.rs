//! Officer accounts of an admin's subtree (`/console/accounts`): the list, a new account,
//! an account's page with its role, `pii.reveal`, disabling, the daily digest and a
//! password reset. The rules and the audit are `huiji_app::accounts::manage::officers`;
//! a new or reset password is shown once, on the answer to the form, never again.

use std::collections::HashMap;

use askama::Template;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::accounts::manage::officers::{self, AccountView, ManageError, OfficerAccount};
use huiji_core::account::AccountRefusal;
use huiji_core::{OrgId, Role};
use huiji_store::{OfficerChange, OrgFilter};
use serde::Deserialize;

use super::{Act, Empty, Frame, NoticeQuery, Officer, Own, notice_query, page};
use crate::http::format::{date, org_names};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The most unions the new-account form offers (a province has about two thousand).
const MAX_UNIONS: u32 = 3_000;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/accounts", get(list).post(create))
        .route("/console/accounts/{id}", get(detail))
        .route("/console/accounts/{id}/role", post(set_role))
        .route("/console/accounts/{id}/reveal", post(set_reveal))
        .route("/console/accounts/{id}/disable", post(disable))
        .route("/console/accounts/{id}/enable", post(enable))
        .route("/console/accounts/{id}/reset-password", post(reset_password))
        .route("/console/accounts/{id}/digest", post(set_digest))
        .route("/console/digest", post(own_digest))
}

/// Officers' names by username, for the usernames a page shows as "who did it" (an
/// account without a name keeps its username).
pub(crate) async fn officer_names<'a>(
    state: &WebState,
    usernames: impl Iterator<Item = &'a str>,
) -> Result<HashMap<String, String>, WebError> {
    let mut wanted: Vec<String> = usernames.map(str::to_owned).collect();
    wanted.sort_unstable();
    wanted.dedup();
    Ok(state.store.officer_names(&wanted).await?.into_iter().collect())
}

/// The roles the console hands out.
const ROLES: [Role; 3] = [Role::Admin, Role::Reviewer, Role::Viewer];

/// One option of a select.
struct Choice {
    value: String,
    label: String,
    selected: bool,
}

fn role_choices(lang: Lang, selected: Role) -> Vec<Choice> {
    ROLES
        .iter()
        .map(|r| Choice {
            value: r.code().to_owned(),
            label: lang.label(*r).to_owned(),
            selected: *r == selected,
        })
        .collect()
}

/// An account as a row of the list and the head of its page.
struct Row {
    id: i64,
    username: String,
    full_name: String,
    mobile: String,
    union: String,
    role: &'static str,
    can_reveal: bool,
    disabled: bool,
    must_change: bool,
    digest: bool,
    created: String,
}

async fn rows(state: &WebState, lang: Lang, accounts: Vec<AccountView>) -> Result<Vec<Row>, WebError> {
    let names = org_names(state, accounts.iter().map(|a| a.record.org_id)).await?;
    Ok(accounts
        .into_iter()
        .map(|a| Row {
            id: a.record.id,
            union: names.get(&a.record.org_id).cloned().unwrap_or_default(),
            role: lang.label(a.record.role),
            can_reveal: a.record.can_reveal,
            disabled: a.record.disabled,
            must_change: a.record.must_change_password,
            digest: a.record.digest,
            created: date(a.record.created_at),
            username: a.record.username,
            full_name: a.record.full_name,
            mobile: a.mobile_masked,
        })
        .collect())
}

/// What the new-account form held.
#[derive(Deserialize, Default)]
#[serde(default)]
struct NewForm {
    username: String,
    full_name: String,
    mobile: String,
    org: String,
    role: String,
    can_reveal: Option<String>,
}

#[derive(Template)]
#[template(path = "console/accounts.html")]
struct ListPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
    unions: Vec<Choice>,
    roles: Vec<Choice>,
    form: NewForm,
    error: Option<&'a str>,
    notice: Option<String>,
}

async fn unions(state: &WebState, officer: &Officer, selected: i64) -> Result<Vec<Choice>, WebError> {
    let filter =
        OrgFilter { within: Some(officer.scope().clone()), limit: Some(MAX_UNIONS), ..OrgFilter::default() };
    let orgs = state.store.orgs(&filter).await?;
    Ok(orgs
        .into_iter()
        .map(|o| Choice { value: o.id.0.to_string(), label: o.name, selected: o.id.0 == selected })
        .collect())
}

/// The list and the new-account form, with what went wrong (`status`) or a notice.
async fn list_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    form: NewForm,
    error: Option<&str>,
    notice: Option<String>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let accounts = officers::list(&state.app, &officer.acting()).await.map_err(refused_by)?;
    let selected = form.org.parse().unwrap_or(officer.org.id.0);
    let role = form.role.parse().unwrap_or(Role::Reviewer);
    let mut response = page(&ListPage {
        frame: Frame { lang, officer, section: "accounts" },
        rows: rows(state, lang, accounts).await?,
        unions: unions(state, officer, selected).await?,
        roles: role_choices(lang, role),
        form,
        error,
        notice,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /console/accounts`
async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    axum::extract::Query(notice): axum::extract::Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = notice.verified(&state);
    list_page(&state, lang, &officer, NewForm::default(), None, notice, StatusCode::OK).await
}

/// The page that shows a new or reset password, once.
#[derive(Template)]
#[template(path = "console/account_password.html")]
struct OneTimePage<'a> {
    frame: Frame<'a>,
    id: i64,
    username: &'a str,
    full_name: &'a str,
    password: &'a str,
    created: bool,
}

/// `POST /console/accounts`
async fn create(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<NewForm>,
) -> Result<Response, WebError> {
    let (Ok(org), Ok(role)) = (form.org.parse::<i64>(), form.role.parse::<Role>()) else {
        return Err(WebError::BadRequest("org and role are required".to_owned()));
    };
    let account = OfficerAccount {
        username: &form.username,
        full_name: &form.full_name,
        mobile: &form.mobile,
        org: OrgId(org),
        role,
        can_reveal: form.can_reveal.is_some(),
    };
    let error = match officers::create(&state.app, &officer.acting(), account).await {
        Ok((id, password)) => {
            return page(&OneTimePage {
                frame: Frame { lang, officer: &officer, section: "accounts" },
                id,
                username: form.username.trim(),
                full_name: form.full_name.trim(),
                password: &password,
                created: true,
            });
        }
        Err(ManageError::Username) => {
            lang.t("用户名为1至64个字符，不含空格", "A username has 1 to 64 characters and no spaces")
        }
        Err(ManageError::UsernameTaken) => lang.t("该用户名已被使用", "This username is taken"),
        Err(ManageError::Name) => lang.t("请填写干部的真实姓名", "Enter the officer's real name"),
        Err(ManageError::Mobile) => lang.t("请填写11位手机号", "Enter an 11-digit mainland mobile"),
        Err(ManageError::Refused(AccountRefusal::RevealNotHeld)) => lang.t(
            "只有本人持有“查看完整信息”权限的管理员才能授予该权限",
            "Only an admin who holds the reveal permission may grant it",
        ),
        Err(ManageError::Refused(AccountRefusal::Role)) => {
            lang.t("控制台只能创建管理员、审核员和查看员", "The console makes admins, reviewers and viewers")
        }
        Err(error) => return Err(refused_by(error)),
    };
    list_page(&state, lang, &officer, form, Some(error), None, StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Template)]
#[template(path = "console/account.html")]
struct DetailPage<'a> {
    frame: Frame<'a>,
    row: Row,
    roles: Vec<Choice>,
    own: bool,
    has_mobile: bool,
    may_grant_reveal: bool,
    notice: Option<String>,
    error: Option<&'a str>,
}

/// `GET /console/accounts/{id}`
async fn detail(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Path(id): Path<i64>,
    axum::extract::Query(notice): axum::extract::Query<NoticeQuery>,
) -> Result<Response, WebError> {
    let notice = notice.verified(&state);
    detail_page(&state, lang, &officer, id, notice, None, StatusCode::OK).await
}

async fn detail_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: i64,
    notice: Option<String>,
    error: Option<&str>,
    status: StatusCode,
) -> Result<Response, WebError> {
    let account = officers::show(&state.app, &officer.acting(), id).await.map_err(refused_by)?;
    let role = account.record.role;
    let has_mobile = account.record.mobile_ct.is_some();
    let row = rows(state, lang, vec![account]).await?.into_iter().next().ok_or(WebError::NotFound)?;
    let mut response = page(&DetailPage {
        frame: Frame { lang, officer, section: "accounts" },
        row,
        roles: role_choices(lang, role),
        own: id == officer.user.id,
        has_mobile,
        may_grant_reveal: officer.may_reveal(),
        notice,
        error,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// Applies a change and goes back to the account's page with a notice, or shows it again
/// with what was refused.
async fn apply(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    id: i64,
    change: OfficerChange,
) -> Result<Response, WebError> {
    let error = match officers::change(&state.app, &officer.acting(), id, change).await {
        Ok(()) => {
            let done = match change {
                OfficerChange::Role(_) => lang.t("角色已修改", "Role changed"),
                OfficerChange::CanReveal(true) => {
                    lang.t("已授予查看完整信息权限", "Reveal permission granted")
                }
                OfficerChange::CanReveal(false) => {
                    lang.t("已收回查看完整信息权限", "Reveal permission withdrawn")
                }
                OfficerChange::Disabled(true) => {
                    lang.t("账户已停用，登录已失效", "Account disabled; its sessions ended")
                }
                OfficerChange::Disabled(false) => lang.t("账户已启用", "Account re-enabled"),
                OfficerChange::Digest(true) => lang.t("已开启每日待审核短信提醒", "Daily review digest on"),
                OfficerChange::Digest(false) => lang.t("已关闭每日待审核短信提醒", "Daily review digest off"),
            };
            let to = format!("/console/accounts/{id}?{}", notice_query(state, done));
            return Ok(Redirect::to(&to).into_response());
        }
        Err(ManageError::Refused(AccountRefusal::OwnAccount)) => lang.t(
            "不能停用、降级或修改本人账户的权限，请由另一位管理员操作",
            "You cannot disable, demote or change the permissions of your own account; another admin can",
        ),
        Err(ManageError::Refused(AccountRefusal::RevealNotHeld)) => lang.t(
            "只有本人持有“查看完整信息”权限的管理员才能授予或收回该权限",
            "Only an admin who holds the reveal permission may grant or withdraw it",
        ),
        Err(ManageError::Refused(AccountRefusal::Role)) => {
            lang.t("控制台只能设置管理员、审核员和查看员", "The console sets admins, reviewers and viewers")
        }
        Err(ManageError::NoMobile) => lang
            .t("该账户没有登记手机号，无法发送短信提醒", "The account has no mobile to text the digest to"),
        Err(error) => return Err(refused_by(error)),
    };
    detail_page(state, lang, officer, id, None, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
}

#[derive(Deserialize)]
struct RoleForm {
    #[serde(default)]
    role: String,
}

#[derive(Deserialize)]
struct SwitchForm {
    #[serde(default)]
    on: String,
}

impl SwitchForm {
    fn on(&self) -> bool {
        self.on == "1"
    }
}

/// `POST /console/accounts/{id}/role`
async fn set_role(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<RoleForm>,
) -> Result<Response, WebError> {
    let role = form.role.parse().map_err(|_| WebError::BadRequest("unknown role".to_owned()))?;
    apply(&state, lang, &officer, id, OfficerChange::Role(role)).await
}

/// `POST /console/accounts/{id}/reveal`
async fn set_reveal(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<SwitchForm>,
) -> Result<Response, WebError> {
    apply(&state, lang, &officer, id, OfficerChange::CanReveal(form.on())).await
}

/// `POST /console/accounts/{id}/disable`
async fn disable(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    apply(&state, lang, &officer, id, OfficerChange::Disabled(true)).await
}

/// `POST /console/accounts/{id}/enable`
async fn enable(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    apply(&state, lang, &officer, id, OfficerChange::Disabled(false)).await
}

/// `POST /console/accounts/{id}/digest`
async fn set_digest(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, form }: Act<SwitchForm>,
) -> Result<Response, WebError> {
    apply(&state, lang, &officer, id, OfficerChange::Digest(form.on())).await
}

/// `POST /console/digest`: any console account turns its own digest on or off.
async fn own_digest(
    State(state): State<WebState>,
    Own { officer, form }: Own<SwitchForm>,
) -> Result<Response, WebError> {
    let id = officer.user.id;
    match officers::change(&state.app, &officer.acting(), id, OfficerChange::Digest(form.on())).await {
        Ok(()) | Err(ManageError::NoMobile) => {}
        Err(error) => return Err(refused_by(error)),
    }
    Ok(Redirect::to("/console/password").into_response())
}

/// `POST /console/accounts/{id}/reset-password`
async fn reset_password(
    State(state): State<WebState>,
    lang: Lang,
    Path(id): Path<i64>,
    Act { officer, .. }: Act<Empty>,
) -> Result<Response, WebError> {
    match officers::reset_password(&state.app, &officer.acting(), id).await {
        Ok(password) => {
            let account = officers::show(&state.app, &officer.acting(), id).await.map_err(refused_by)?;
            page(&OneTimePage {
                frame: Frame { lang, officer: &officer, section: "accounts" },
                id,
                username: &account.record.username,
                full_name: &account.record.full_name,
                password: &password,
                created: false,
            })
        }
        Err(ManageError::Refused(AccountRefusal::OwnAccount)) => {
            let error = lang.t("请在“改密码”页修改本人密码", "Change your own password on the password page");
            detail_page(&state, lang, &officer, id, None, Some(error), StatusCode::UNPROCESSABLE_ENTITY).await
        }
        Err(error) => Err(refused_by(error)),
    }
}

/// The web's answer to what the use case refused.
fn refused_by(error: ManageError) -> WebError {
    match error {
        ManageError::NotFound => WebError::NotFound,
        ManageError::Refused(_) => WebError::Forbidden,
        ManageError::Store(e) => e.into(),
        other => WebError::Internal(other.to_string()),
    }
}
