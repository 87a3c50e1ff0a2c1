//! `/stations` and `/stations/nearest`: from the phone's WGS-84 position (the page's
//! script asks the browser and reloads with `lat` and `lng`), or without one from a
//! chosen county (`?county=CODE`), which works without scripts: nearest first to the
//! county's centre (the mean of its stations' positions), with the distance from it.

use askama::Template;
use axum::Json;
use axum::extract::{Query, State};
use axum::response::{Html, IntoResponse, Response};
use huiji_app::stations::nearest::in_region;
use huiji_app::stations::{Nearby, nearest};
use huiji_core::geo::{Wgs84, map_links};
use huiji_core::stations::{StationCode, StationKind};
use huiji_core::{RegionCode, RegionLevel, RegionTable};
use huiji_store::OrgFilter;
use serde::{Deserialize, Serialize};

use super::{StationView, app_error};
use crate::api::ApiError;
use crate::http::abuse::{check_stations, too_many};
use crate::http::client::ClientIp;
use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// Stations a page lists.
const PAGE_RESULTS: usize = 10;

/// Results the JSON gives unless asked for another number (at most 50).
const DEFAULT_RESULTS: usize = 10;

#[derive(Deserialize, Default)]
#[serde(default)]
pub(super) struct Params {
    lat: String,
    lng: String,
    county: String,
    kind: String,
    limit: String,
}

impl Params {
    /// The position, if both numbers are given and valid.
    fn position(&self) -> Option<Result<Wgs84, WebError>> {
        if self.lat.trim().is_empty() && self.lng.trim().is_empty() {
            return None;
        }
        let number = |text: &str| text.trim().parse::<f64>().ok();
        Some(match (number(&self.lat), number(&self.lng)) {
            (Some(lat), Some(lng)) => Wgs84::new(lat, lng).map_err(|e| WebError::BadRequest(e.to_string())),
            _ => Err(WebError::BadRequest("lat and lng must be numbers".to_owned())),
        })
    }

    /// The kind asked for (empty: any).
    fn kind(&self) -> Result<Option<StationKind>, WebError> {
        match self.kind.trim() {
            "" => Ok(None),
            code => code.parse().map(Some).map_err(|_| WebError::BadRequest("unknown kind".to_owned())),
        }
    }
}

/// One result of `/stations/nearest`.
#[derive(Serialize)]
struct NearestJson {
    id: i64,
    code: String,
    name: String,
    kind: &'static str,
    /// GCJ-02.
    lat: f64,
    /// GCJ-02.
    lng: f64,
    /// Great-circle metres in GCJ-02, to a decimetre.
    distance_m: f64,
    address: String,
    county: String,
    phone: Option<String>,
    hours: String,
    open_now: bool,
    amenities: Vec<&'static str>,
    url: String,
    amap_url: String,
    baidu_url: String,
    tencent_url: String,
}

/// `GET /stations/nearest?lat=LAT&lng=LNG[&limit=N][&kind=K]`: WGS-84 in, the nearest
/// open stations out, nearest first.
pub(super) async fn nearest_json(
    State(state): State<WebState>,
    ip: ClientIp,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    // A JSON caller is answered in JSON: the API's `rate_limited` body and `Retry-After`.
    if let Err(retry) = check_stations(&state, ip.0).await {
        tracing::info!(ip = ?ip.0, "nearest-station rate limit reached");
        return Ok(ApiError::rate_limited(retry.seconds()).into_response());
    }
    let from = params
        .position()
        .unwrap_or_else(|| Err(WebError::BadRequest("lat and lng are required".to_owned())))?;
    let limit = match params.limit.trim() {
        "" => DEFAULT_RESULTS,
        n => n.parse().map_err(|_| WebError::BadRequest("limit must be a number".to_owned()))?,
    };
    let found = nearest(&state.app, from, limit, params.kind()?).await.map_err(app_error)?;
    let now = state.app.now();
    let results: Vec<NearestJson> = found
        .into_iter()
        .map(|Nearby { station, distance_m }| {
            let links = map_links(station.location, &station.name, &station.address);
            let code = StationCode::of(station.id).to_string();
            NearestJson {
                id: station.id.0,
                url: format!("{}/s/{code}", state.app.public_url()),
                code,
                kind: station.kind.code(),
                lat: station.location.point().lat(),
                lng: station.location.point().lng(),
                distance_m: (distance_m * 10.0).round() / 10.0,
                county: station.county.to_string(),
                phone: station.phone.as_ref().map(|p| p.as_str().to_owned()),
                hours: station.hours.to_string(),
                open_now: station.hours.is_open(now),
                amenities: station.amenities.iter().map(|a| a.code()).collect(),
                amap_url: links.amap,
                baidu_url: links.baidu,
                tencent_url: links.tencent,
                name: station.name,
                address: station.address,
            }
        })
        .collect();
    Ok(Json(results).into_response())
}

/// A county to choose, under its city.
struct CityCounties {
    city: &'static str,
    counties: Vec<(String, &'static str)>,
}

#[derive(Template)]
#[template(path = "worker/stations.html")]
struct StationsPage {
    lang: Lang,
    /// Whether results are from a position (else from a county, or none yet).
    located: bool,
    /// The chosen county's name.
    county_name: Option<String>,
    county: String,
    kind: String,
    kinds: Vec<(&'static str, &'static str)>,
    cities: Vec<CityCounties>,
    stations: Vec<StationView>,
    /// A position that could not be read.
    bad_position: bool,
}

/// The counties of the province the tree's root serves, by city, for the choice.
async fn counties(state: &WebState) -> Result<Vec<CityCounties>, WebError> {
    let root = state.store.orgs(&OrgFilter { limit: Some(1), ..OrgFilter::default() }).await?;
    let Some(province) = root.first().map(|o| o.region.province()) else {
        return Ok(Vec::new());
    };
    let regions = RegionTable::national();
    Ok(regions
        .descendants_at(province, RegionLevel::City)
        .map(|city| CityCounties {
            city: city.name,
            counties: regions
                .children(city.code)
                .iter()
                .filter(|c| !c.is_placeholder())
                .map(|c| (c.code.to_string(), c.name))
                .collect(),
        })
        .collect())
}

/// `/stations`: the page.
pub(super) async fn page(
    State(state): State<WebState>,
    lang: Lang,
    ip: ClientIp,
    Query(params): Query<Params>,
) -> Result<Response, WebError> {
    let kind = params.kind().unwrap_or(None);
    let now = state.app.now();
    let mut page = StationsPage {
        lang,
        located: false,
        county_name: None,
        county: params.county.trim().to_owned(),
        kind: kind.map_or("", StationKind::code).to_owned(),
        kinds: StationKind::ALL.iter().map(|k| (k.code(), lang.t(k.label_zh(), k.label_en()))).collect(),
        cities: counties(&state).await?,
        stations: Vec::new(),
        bad_position: false,
    };
    match params.position() {
        Some(Ok(from)) => {
            // A position is a nearest search: the same limit as the JSON's, the 429 page.
            if let Err(retry) = check_stations(&state, ip.0).await {
                return Ok(too_many(lang, retry, "/stations"));
            }
            let found = nearest(&state.app, from, PAGE_RESULTS, kind).await.map_err(app_error)?;
            page.located = true;
            page.stations =
                found.iter().map(|n| StationView::new(lang, &n.station, Some(n.distance_m), now)).collect();
        }
        Some(Err(_)) => page.bad_position = true,
        None => {}
    }
    let county = page.county.parse::<RegionCode>().ok();
    let named = county.and_then(|code| RegionTable::national().name_path(code).map(|name| (code, name)));
    if let (false, Some((code, name))) = (page.located, named) {
        let found = in_region(&state.app, code, PAGE_RESULTS, kind).await.map_err(app_error)?;
        // The distance is from the county's centre, not from the worker: say so.
        let from_centre = |mut view: StationView| {
            view.distance = view.distance.map(|d| lang.t("距中心", "from the centre ").to_owned() + &d);
            view
        };
        page.stations = found
            .iter()
            .map(|n| from_centre(StationView::new(lang, &n.station, Some(n.distance_m), now)))
            .collect();
        page.county_name = Some(name.replace(" / ", ""));
    }
    Ok(Html(page.render()?).into_response())
}
