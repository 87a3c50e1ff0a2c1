//! The public home page: who runs this instance and which unions a worker can join, city by
//! city; and the shared stylesheet.

use askama::Template;
use axum::Router;
use axum::extract::State;
use axum::http::header;
use axum::response::{Html, IntoResponse};
use axum::routing::get;
use huiji_core::org::{Level, OrgKindCode};
use huiji_core::{Org, OrgId};
use huiji_store::OrgFilter;

use crate::http::i18n::Lang;
use crate::{WebError, WebState};

/// The home page and static assets.
pub fn router() -> Router<WebState> {
    Router::new()
        .route("/", get(home))
        .route("/static/site.css", get(|| asset("text/css; charset=utf-8", SITE_CSS)))
        .route("/static/poster.css", get(|| asset("text/css; charset=utf-8", POSTER_CSS)))
        .route("/static/console.css", get(|| asset("text/css; charset=utf-8", CONSOLE_CSS)))
        .route("/static/join.js", get(|| asset("text/javascript; charset=utf-8", JOIN_JS)))
        .route("/static/stations.js", get(|| asset("text/javascript; charset=utf-8", STATIONS_JS)))
}

/// One stylesheet for every worker page, small enough to cache on a cheap phone.
pub(crate) const SITE_CSS: &str = include_str!("../../static/site.css");
const POSTER_CSS: &str = include_str!("../../static/poster.css");
const CONSOLE_CSS: &str = include_str!("../../static/console.css");
/// The join form's optional script (the form works without it).
pub(crate) const JOIN_JS: &str = include_str!("../../static/join.js");
/// `/stations`' optional script: the phone's position (the county choice works without it).
const STATIONS_JS: &str = include_str!("../../static/stations.js");

/// Static assets are compiled in, so the binary serves everything offline.
async fn asset(content_type: &'static str, body: &'static str) -> impl IntoResponse {
    ([(header::CONTENT_TYPE, content_type), (header::CACHE_CONTROL, "public, max-age=3600")], body)
}

/// Texts of the home page in one language.
struct HomeText {
    title: &'static str,
    tagline: &'static str,
    figures: &'static str,
    cities: &'static str,
    counties: &'static str,
    industry: &'static str,
    townships: &'static str,
    directory: &'static str,
    city: &'static str,
    industry_federations: &'static str,
    empty: &'static str,
}

const ZH: HomeText = HomeText {
    title: "会籍 · 新就业形态劳动者入会",
    tagline: "货车司机、快递员、网约配送员、网约车司机：扫码填五项，马上入会。",
    figures: "工会组织",
    cities: "市总工会",
    counties: "县级总工会",
    industry: "新就业形态行业工会联合会",
    townships: "乡镇（街道）工会",
    directory: "各市行业工会联合会",
    city: "市",
    industry_federations: "行业工会联合会",
    empty: "尚未建立工会组织。运行 huiji seed anhui 载入安徽省工会组织树。",
};

const EN: HomeText = HomeText {
    title: "huiji · Union membership for new-employment-form workers",
    tagline: "Truck drivers, couriers, delivery riders, ride-hailing drivers: scan, fill five fields, and you are a member.",
    figures: "Unions",
    cities: "City federations",
    counties: "County-level federations",
    industry: "New-employment-form industry federations",
    townships: "Township/street unions",
    directory: "Industry federations by city",
    city: "City",
    industry_federations: "Industry federations",
    empty: "No unions yet. Run `huiji seed anhui` to load Anhui's union tree.",
};

struct CityRow {
    federation: Org,
    industry: Vec<Org>,
}

#[derive(Template)]
#[template(path = "home.html")]
struct HomePage {
    lang: Lang,
    t: &'static HomeText,
    root: Option<Org>,
    counts: [u64; 4],
    cities: Vec<CityRow>,
}

async fn home(State(state): State<WebState>, lang: Lang) -> Result<Html<String>, WebError> {
    let store = &state.store;
    let by_kind = |kind: OrgKindCode, level: Option<Level>| OrgFilter {
        kind: Some(kind),
        level,
        ..OrgFilter::default()
    };
    let root = store
        .orgs(&OrgFilter { limit: Some(1), ..by_kind(OrgKindCode::Federation, Some(Level::Province)) })
        .await?
        .into_iter()
        .next();
    let counts = [
        store.count_orgs(&by_kind(OrgKindCode::Federation, Some(Level::City))).await?,
        store.count_orgs(&by_kind(OrgKindCode::Federation, Some(Level::County))).await?,
        store.count_orgs(&by_kind(OrgKindCode::IndustryFederation, None)).await?,
        store.count_orgs(&by_kind(OrgKindCode::Township, None)).await?,
    ];
    let federations = store.orgs(&by_kind(OrgKindCode::Federation, Some(Level::City))).await?;
    let industry = store.orgs(&by_kind(OrgKindCode::IndustryFederation, Some(Level::City))).await?;
    let cities = federations
        .into_iter()
        .map(|federation| {
            let id: OrgId = federation.id;
            let industry = industry.iter().filter(|o| o.parent == Some(id)).cloned().collect();
            CityRow { federation, industry }
        })
        .collect();
    let page = HomePage {
        lang,
        t: match lang {
            Lang::Zh => &ZH,
            Lang::En => &EN,
        },
        root,
        counts,
        cities,
    };
    Ok(Html(page.render()?))
}

impl HomePage {
    /// An occupation label in the page's language.
    fn occupation_labels(&self, org: &Org) -> String {
        org.occupations
            .iter()
            .map(|o| match self.lang {
                Lang::Zh => o.label_zh(),
                Lang::En => o.label_en(),
            })
            .collect::<Vec<_>>()
            .join(", ")
    }
}
