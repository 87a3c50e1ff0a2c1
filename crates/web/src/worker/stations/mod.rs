//! Service stations on the phone: `/stations` (the nearest open stations to the phone's
//! position, or a chosen county's), `/stations/nearest` (the same as JSON), and one
//! station's page `/s/{code}` with its QR code and printable poster; and the staff's
//! check-in of a member card (`check_in.rs`).

pub(crate) mod check_in;
mod list;
mod station;

use axum::Router;
use axum::routing::{get, post};
use huiji_app::stations::StationError;
use huiji_core::geo::map_links;
use huiji_core::stations::{StationCode, StationKind};
use huiji_core::{RegionTable, Timestamp};
use huiji_store::StationRecord;

use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The stations' worker routes.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/stations", get(list::page))
        .route("/stations/nearest", get(list::nearest_json))
        .route("/s/{code}", get(station::page))
        .route("/s/{code}/poster", get(station::poster))
        .route("/verify/{token}/visit", post(check_in::record))
}

fn app_error(error: StationError) -> WebError {
    match error {
        StationError::Store(e) => e.into(),
        StationError::Internal(e) => WebError::Internal(e),
        _ => WebError::NotFound,
    }
}

/// A station as the pages show it, in the page's language.
pub(crate) struct StationView {
    /// The public code (`/s/{code}`).
    code: String,
    name: String,
    kind: &'static str,
    address: String,
    county: String,
    hours: String,
    open_now: bool,
    closed: bool,
    amenities: String,
    phone: Option<(String, String)>,
    amap: String,
    baidu: String,
    tencent: String,
    /// “约 350 米”: the worker's converted position is an estimate, so is the distance.
    distance: Option<String>,
}

/// “约 350 米” / “about 350 m”, “约 12.4 公里” / “about 12.4 km”.
fn distance_text(lang: Lang, metres: f64) -> String {
    match (lang, metres < 1_000.0) {
        (Lang::Zh, true) => format!("约 {:.0} 米", (metres / 10.0).round() * 10.0),
        (Lang::Zh, false) => format!("约 {:.1} 公里", metres / 1_000.0),
        (Lang::En, true) => format!("about {:.0} m", (metres / 10.0).round() * 10.0),
        (Lang::En, false) => format!("about {:.1} km", metres / 1_000.0),
    }
}

impl StationView {
    pub(crate) fn new(
        lang: Lang,
        station: &StationRecord,
        distance_m: Option<f64>,
        now: Timestamp,
    ) -> StationView {
        let links = map_links(station.location, &station.name, &station.address);
        let kind: StationKind = station.kind;
        StationView {
            code: StationCode::of(station.id).to_string(),
            name: station.name.clone(),
            kind: lang.t(kind.label_zh(), kind.label_en()),
            address: station.address.clone(),
            county: RegionTable::national().name_path(station.county).unwrap_or_default().replace(" / ", ""),
            hours: match lang {
                Lang::Zh => station.hours.label_zh(),
                Lang::En => station.hours.label_en(),
            },
            open_now: !station.closed && station.hours.is_open(now),
            closed: station.closed,
            amenities: station
                .amenities
                .iter()
                .map(|a| lang.t(a.label_zh(), a.label_en()))
                .collect::<Vec<_>>()
                .join(lang.t("、", ", ")),
            phone: station.phone.as_ref().map(|p| (p.as_str().to_owned(), p.tel_uri())),
            amap: links.amap,
            baidu: links.baidu,
            tencent: links.tencent,
            distance: distance_m.map(|m| distance_text(lang, m)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distances_read_as_estimates() {
        assert_eq!(distance_text(Lang::Zh, 347.0), "约 350 米");
        assert_eq!(distance_text(Lang::Zh, 12_449.0), "约 12.4 公里");
        assert_eq!(distance_text(Lang::En, 4.0), "about 0 m");
        assert_eq!(distance_text(Lang::En, 1_000.0), "about 1.0 km");
    }
}
