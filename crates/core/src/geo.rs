//! Positions on the map: the two datums China's maps and phones disagree on, the
//! transform between them, great-circle distances, and links that open a point in the
//! map apps workers already have.
//!
//! Browsers report **WGS-84**; every map published in China (Amap, Tencent; Baidu adds
//! its own offset on top) and so every coordinate an officer picks is **GCJ-02**. The two
//! differ by a few hundred metres inside China, so a worker's position is converted to
//! GCJ-02 before it is compared with stations. The transform is a published
//! approximation: a converted point is good to about a metre, never "exact".

mod gcj02;
mod links;

use std::fmt;

pub use links::{MapLinks, map_links};

/// Mean Earth radius (IUGG), metres: the sphere great-circle distances are measured on.
const EARTH_RADIUS_M: f64 = 6_371_008.8;

/// A latitude and longitude in degrees: finite, latitude within ±90, longitude within
/// ±180. Which datum it is in is said by the wrapper ([`Wgs84`] or [`Gcj02`]).
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LatLng {
    lat: f64,
    lng: f64,
}

/// Why a pair of numbers is not a position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CoordError {
    /// Not two numbers separated by a comma.
    #[error("expected longitude,latitude")]
    Format,
    /// Not a finite number.
    #[error("not a number")]
    NotANumber,
    /// Latitude outside -90..=90.
    #[error("latitude out of range")]
    Latitude,
    /// Longitude outside -180..=180.
    #[error("longitude out of range")]
    Longitude,
    /// A valid position, but not in China, where every station is: most often the two
    /// numbers were swapped.
    #[error("not in China (longitude and latitude swapped?)")]
    OutsideChina,
}

impl CoordError {
    /// Stable code for forms and the API, e.g. `location.latitude`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Format => "location.format",
            Self::NotANumber => "location.number",
            Self::Latitude => "location.latitude",
            Self::Longitude => "location.longitude",
            Self::OutsideChina => "location.outside_china",
        }
    }

    /// What the form says, in Chinese.
    pub const fn message_zh(self) -> &'static str {
        match self {
            Self::Format => "坐标格式应为“经度,纬度”，例如 117.227,31.820",
            Self::NotANumber => "坐标应为数字",
            Self::Latitude => "纬度应在 -90 到 90 之间",
            Self::Longitude => "经度应在 -180 到 180 之间",
            Self::OutsideChina => "坐标不在中国境内，请检查经度和纬度是否填反",
        }
    }

    /// What the form says, in English.
    pub const fn message_en(self) -> &'static str {
        match self {
            Self::Format => "Coordinates must read longitude,latitude, e.g. 117.227,31.820",
            Self::NotANumber => "Coordinates must be numbers",
            Self::Latitude => "Latitude must be between -90 and 90",
            Self::Longitude => "Longitude must be between -180 and 180",
            Self::OutsideChina => "The position is outside China: are longitude and latitude swapped?",
        }
    }
}

impl LatLng {
    /// Checks the ranges.
    ///
    /// # Errors
    ///
    /// [`CoordError::NotANumber`], [`CoordError::Latitude`] or [`CoordError::Longitude`].
    pub fn new(lat: f64, lng: f64) -> Result<LatLng, CoordError> {
        if !lat.is_finite() || !lng.is_finite() {
            return Err(CoordError::NotANumber);
        }
        if !(-90.0..=90.0).contains(&lat) {
            return Err(CoordError::Latitude);
        }
        if !(-180.0..=180.0).contains(&lng) {
            return Err(CoordError::Longitude);
        }
        Ok(LatLng { lat, lng })
    }

    /// Degrees north.
    pub const fn lat(self) -> f64 {
        self.lat
    }

    /// Degrees east.
    pub const fn lng(self) -> f64 {
        self.lng
    }

    /// Whether the point lies in the box where GCJ-02 differs from WGS-84 (the
    /// transform's own definition of China: it includes some neighbours' territory, and
    /// is what every map app uses).
    pub fn in_china(self) -> bool {
        (72.004..=137.8347).contains(&self.lng) && (0.8293..=55.8271).contains(&self.lat)
    }

    /// Great-circle (haversine) distance in metres on the mean-radius sphere: within
    /// 0.5 % of the ellipsoidal distance, plenty for "which station is nearest".
    pub fn distance_m(self, other: LatLng) -> f64 {
        let (phi1, phi2) = (self.lat.to_radians(), other.lat.to_radians());
        let d_phi = phi2 - phi1;
        let d_lambda = (other.lng - self.lng).to_radians();
        let h = (d_phi / 2.0).sin().powi(2) + phi1.cos() * phi2.cos() * (d_lambda / 2.0).sin().powi(2);
        2.0 * EARTH_RADIUS_M * h.sqrt().min(1.0).asin()
    }
}

/// A position in WGS-84, as phones and browsers report it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Wgs84(LatLng);

/// A position in GCJ-02 (国测局坐标), as Amap and Tencent maps show it and officers pick it.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Gcj02(LatLng);

impl Wgs84 {
    /// A checked WGS-84 position.
    ///
    /// # Errors
    ///
    /// As [`LatLng::new`].
    pub fn new(lat: f64, lng: f64) -> Result<Wgs84, CoordError> {
        LatLng::new(lat, lng).map(Wgs84)
    }

    /// The latitude and longitude.
    pub const fn point(self) -> LatLng {
        self.0
    }

    /// The standard forward transform; outside China the two datums are equal.
    pub fn to_gcj02(self) -> Gcj02 {
        Gcj02(gcj02::forward(self.0))
    }
}

impl Gcj02 {
    /// A checked GCJ-02 position.
    ///
    /// # Errors
    ///
    /// As [`LatLng::new`].
    pub fn new(lat: f64, lng: f64) -> Result<Gcj02, CoordError> {
        LatLng::new(lat, lng).map(Gcj02)
    }

    /// The latitude and longitude.
    pub const fn point(self) -> LatLng {
        self.0
    }

    /// The WGS-84 position whose forward transform is this one, found iteratively (to
    /// well under a centimetre); outside China the two datums are equal.
    pub fn to_wgs84(self) -> Wgs84 {
        Wgs84(gcj02::inverse(self.0))
    }

    /// Great-circle distance in metres.
    pub fn distance_m(self, other: Gcj02) -> f64 {
        self.0.distance_m(other.0)
    }

    /// Parses the text Amap's coordinate picker copies, `117.227,31.820` — **longitude
    /// first** — also with a full-width comma or spaces, and requires the point to lie in
    /// China so a swapped pair is caught rather than stored.
    ///
    /// # Errors
    ///
    /// [`CoordError`]: the format, a range, or [`CoordError::OutsideChina`].
    pub fn parse_amap(text: &str) -> Result<Gcj02, CoordError> {
        let text = text.trim();
        let (lng, lat) = text.split_once([',', '，']).ok_or(CoordError::Format)?;
        Self::from_cells(lng, lat)
    }

    /// Parses separate longitude and latitude cells (an import's 经度 and 纬度), with the
    /// same checks as [`Gcj02::parse_amap`].
    ///
    /// # Errors
    ///
    /// [`CoordError`]: the format, a range, or [`CoordError::OutsideChina`].
    pub fn from_cells(lng: &str, lat: &str) -> Result<Gcj02, CoordError> {
        let number = |text: &str| -> Result<f64, CoordError> {
            let text = text.trim();
            let plain = !text.is_empty()
                && text.bytes().all(|b| b.is_ascii_digit() || b == b'.' || b == b'-')
                && !text.starts_with('.');
            if !plain {
                return Err(CoordError::Format);
            }
            text.parse().map_err(|_| CoordError::Format)
        };
        let point = LatLng::new(number(lat)?, number(lng)?)?;
        if point.in_china() { Ok(Gcj02(point)) } else { Err(CoordError::OutsideChina) }
    }
}

impl fmt::Display for Gcj02 {
    /// `117.227000,31.820000`: Amap's order and six decimals (about 0.1 m).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:.6},{:.6}", self.0.lng, self.0.lat)
    }
}

#[cfg(test)]
mod tests;
