//! Service stations in the console: the figures of the officer's subtree (stations by
//! kind and county, temporarily closed, visits), the stations listed, and — for admins of
//! the owning union's subtree — adding, changing, closing and deleting one
//! (`stations/edit.rs`). Every write is `app::stations::manage`'s, audited there.

mod edit;

use askama::Template;
use axum::Router;
use axum::extract::{Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use huiji_app::stations::figures::figures;
use huiji_app::stations::{StationError, manage};
use huiji_core::stations::{StationCells, StationCode, StationFieldError, StationId, StationKind};
use huiji_core::{OrgId, RegionTable};
use huiji_store::{StationQuery, StationRecord};
use serde::Deserialize;

use super::{Act, Frame, Officer, page};
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Stations a list page shows.
const PAGE: u32 = 50;

/// Days of visits the figures count.
const FIGURE_DAYS: i64 = 30;

pub(super) fn router() -> Router<WebState> {
    Router::new()
        .route("/console/stations", get(list).post(create))
        .route("/console/stations/{id}", get(edit::detail).post(edit::update))
        .route("/console/stations/{id}/closed", post(edit::closed))
        .route("/console/stations/{id}/delete", post(edit::delete))
        .route("/console/stations/{id}/visit", post(edit::visit))
}

/// A use case's refusal as the console answers it.
pub(super) fn web_error(error: StationError) -> WebError {
    match error {
        StationError::NotFound => WebError::NotFound,
        StationError::Forbidden => WebError::Forbidden,
        StationError::Store(e) => e.into(),
        other => WebError::Internal(other.to_string()),
    }
}

/// What is wrong with the form, in the page's language (`None`: not the form's fault).
pub(super) fn refusal(lang: Lang, error: &StationError) -> Option<String> {
    match error {
        StationError::NameTaken => {
            Some(lang.t("该工会已有同名站点", "The union already has a station of this name").to_owned())
        }
        StationError::Invalid(errors) => {
            Some(errors.iter().map(|e| field_problem(lang, e)).collect::<Vec<_>>().join(lang.t("；", "; ")))
        }
        _ => None,
    }
}

/// One failed field: its label and the rule it broke.
fn field_problem(lang: Lang, error: &StationFieldError) -> String {
    let message = match error.code {
        "name.missing" => lang.t("请填写名称", "Enter a name"),
        "name.too_long" => lang.t("名称最多60个字", "The name is at most 60 characters"),
        "kind.unknown" => lang.t("请选择类型", "Choose a kind"),
        "address.missing" => lang.t("请填写地址", "Enter an address"),
        "address.too_long" => lang.t("地址最多120个字", "The address is at most 120 characters"),
        "county.missing" | "county.unknown" => {
            lang.t("区县应为6位行政区划代码或区县名称", "The county is a 6-digit code or a county's name")
        }
        "county.ambiguous" => {
            lang.t("区县名称重名，请填写代码", "The county name is ambiguous: enter its code")
        }
        "location.outside_china" => lang.t(
            "坐标不在中国境内，请检查经度和纬度是否填反",
            "Outside China: longitude and latitude swapped?",
        ),
        "location.format" | "location.number" | "location.latitude" | "location.longitude" => lang.t(
            "坐标格式应为“经度,纬度”，如高德坐标拾取器的 117.227,31.820",
            "Coordinates read longitude,latitude, as Amap's picker gives them: 117.227,31.820",
        ),
        "phone.format" => lang.t("电话格式不对", "The phone number is not valid"),
        _ => lang.t(
            "开放时间应为“24小时”或如 8:00-20:00 的时段",
            "Hours are “24小时” or ranges such as 8:00-20:00",
        ),
    };
    message.to_owned()
}

/// The station form's fields (as typed, to show again).
#[derive(Debug, Default, Deserialize)]
#[serde(default)]
pub(super) struct StationForm {
    /// The owning union's id (create only; empty: the officer's own).
    org: String,
    name: String,
    kind: String,
    address: String,
    county: String,
    /// Amap's picker text, “117.227,31.820”.
    location: String,
    phone: String,
    hours: String,
    amenities: String,
}

impl StationForm {
    fn cells(&self) -> StationCells<'_> {
        StationCells {
            name: &self.name,
            kind: &self.kind,
            address: &self.address,
            county: &self.county,
            lng: &self.location,
            lat: "",
            phone: &self.phone,
            hours: &self.hours,
            amenities: &self.amenities,
        }
    }

    /// The stored station as the form shows it.
    pub(super) fn of(station: &StationRecord) -> StationForm {
        StationForm {
            org: station.org.to_string(),
            name: station.name.clone(),
            kind: station.kind.code().to_owned(),
            address: station.address.clone(),
            county: station.county.to_string(),
            location: station.location.to_string(),
            phone: station.phone.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
            hours: station.hours.label_zh(),
            amenities: station.amenities.iter().map(|a| a.label_zh()).collect::<Vec<_>>().join("、"),
        }
    }
}

/// The kinds for the form's choice: code, label.
pub(super) fn kinds(lang: Lang) -> Vec<(&'static str, &'static str)> {
    StationKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_zh(), k.label_en()))).collect()
}

/// A station as the list shows it.
struct Row {
    id: i64,
    code: String,
    name: String,
    kind: &'static str,
    county: String,
    closed: bool,
}

#[derive(Template)]
#[template(path = "console/stations.html")]
struct StationsPage<'a> {
    frame: Frame<'a>,
    rows: Vec<Row>,
    next: Option<i64>,
    by_kind: Vec<(&'static str, u64)>,
    by_county: Vec<(String, u64)>,
    total: u64,
    closed: u64,
    member_visits: u64,
    anonymous_visits: u64,
    days: i64,
    kinds: Vec<(&'static str, &'static str)>,
    form: StationForm,
    error: Option<String>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct ListQuery {
    after: String,
}

async fn list_page(
    state: &WebState,
    lang: Lang,
    officer: &Officer,
    after: Option<StationId>,
    form: StationForm,
    error: Option<String>,
) -> Result<Response, WebError> {
    let actor = officer.app_actor();
    let query = StationQuery { within: None, region: None, kind: None, open_only: false, after, limit: PAGE };
    let stations = manage::list(&state.app, &actor, query).await.map_err(web_error)?;
    let now = state.app.now();
    let from = now.plus_days(1 - FIGURE_DAYS).china_date();
    let f = figures(&state.app, &actor, officer.org.id, from, now.china_date()).await.map_err(web_error)?;
    let regions = RegionTable::national();
    let county_name = |code| regions.name_path(code).unwrap_or_default().replace(" / ", "");
    let next = (stations.len() == PAGE as usize).then(|| stations.last().map(|s| s.id.0)).flatten();
    let rows = stations
        .iter()
        .map(|s| Row {
            id: s.id.0,
            code: StationCode::of(s.id).to_string(),
            name: s.name.clone(),
            kind: lang.t(s.kind.label_zh(), s.kind.label_en()),
            county: county_name(s.county),
            closed: s.closed,
        })
        .collect();
    let status = if error.is_some() { StatusCode::UNPROCESSABLE_ENTITY } else { StatusCode::OK };
    let mut response = page(&StationsPage {
        frame: Frame { lang, officer, section: "stations" },
        rows,
        next,
        total: f.by_kind.iter().map(|(_, n)| n).sum(),
        by_kind: f.by_kind.iter().map(|(k, n)| (lang.t(k.label_zh(), k.label_en()), *n)).collect(),
        by_county: f.by_county.iter().map(|(c, n)| (county_name(*c), *n)).collect(),
        closed: f.closed,
        member_visits: f.member_visits,
        anonymous_visits: f.anonymous_visits,
        days: FIGURE_DAYS,
        kinds: kinds(lang),
        form,
        error,
    })?;
    *response.status_mut() = status;
    Ok(response)
}

/// `GET /console/stations`
async fn list(
    State(state): State<WebState>,
    lang: Lang,
    officer: Officer,
    Query(query): Query<ListQuery>,
) -> Result<Response, WebError> {
    let after = query.after.parse().ok().map(StationId);
    list_page(&state, lang, &officer, after, StationForm::default(), None).await
}

/// `POST /console/stations`: an admin adds a station owned by their union or one below.
async fn create(
    State(state): State<WebState>,
    lang: Lang,
    Act { officer, form }: Act<StationForm>,
) -> Result<Response, WebError> {
    let owner = match form.org.trim() {
        "" => officer.org.id,
        id => match id.parse() {
            Ok(id) => OrgId(id),
            Err(_) => {
                let problem = lang.t("所属工会应为工会编号", "The owning union is a union id").to_owned();
                return list_page(&state, lang, &officer, None, form, Some(problem)).await;
            }
        },
    };
    match manage::create(&state.app, &officer.app_actor(), owner, &form.cells()).await {
        Ok(id) => Ok(Redirect::to(&format!("/console/stations/{id}")).into_response()),
        Err(error) => match refusal(lang, &error) {
            Some(problem) => list_page(&state, lang, &officer, None, form, Some(problem)).await,
            None => Err(web_error(error)),
        },
    }
}
