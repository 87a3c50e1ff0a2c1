//! The nearest search's geometry: boxes around a point that grow until they surely hold
//! the k nearest stations, and the ranking of what a box held by great-circle distance.
//!
//! Everything is in GCJ-02, the datum stations are stored in; a worker's WGS-84 position
//! is converted first (`geo::Wgs84::to_gcj02`).

use std::cmp::Ordering;

use crate::geo::Gcj02;

/// Metres in a degree of latitude (and of longitude at the equator) on the mean sphere.
const METRES_PER_DEGREE: f64 = 111_195.0;

/// The radii tried, in metres, smallest first: a worker in a city finds stations within
/// the first or second box; the last one covers the whole country from anywhere in it.
pub const SEARCH_RADII_M: [f64; 7] =
    [2_000.0, 8_000.0, 32_000.0, 128_000.0, 512_000.0, 2_048_000.0, 6_000_000.0];

/// The most results one search returns.
pub const MAX_RESULTS: usize = 50;

/// A latitude/longitude box (GCJ-02 degrees): what the store's indexed range query reads.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct SearchBox {
    /// Southern edge.
    pub min_lat: f64,
    /// Northern edge.
    pub max_lat: f64,
    /// Western edge.
    pub min_lng: f64,
    /// Eastern edge.
    pub max_lng: f64,
}

impl SearchBox {
    /// The box holding every point within `radius_m` of `center` (a little more near
    /// its corners). Longitude degrees shrink towards the poles, so the box is widened
    /// by the cosine of its edge furthest from the equator; near a pole it spans all
    /// longitudes. Boxes never wrap the antimeridian (China is far from it).
    pub fn around(center: Gcj02, radius_m: f64) -> SearchBox {
        let (lat, lng) = (center.point().lat(), center.point().lng());
        let d_lat = radius_m / METRES_PER_DEGREE;
        let min_lat = (lat - d_lat).max(-90.0);
        let max_lat = (lat + d_lat).min(90.0);
        let widest = min_lat.abs().max(max_lat.abs());
        let cos = widest.to_radians().cos();
        let d_lng = if cos <= 1e-6 { 360.0 } else { radius_m / (METRES_PER_DEGREE * cos) };
        SearchBox { min_lat, max_lat, min_lng: (lng - d_lng).max(-180.0), max_lng: (lng + d_lng).min(180.0) }
    }

    /// Whether the box holds a point.
    pub fn contains(&self, point: Gcj02) -> bool {
        let (lat, lng) = (point.point().lat(), point.point().lng());
        (self.min_lat..=self.max_lat).contains(&lat) && (self.min_lng..=self.max_lng).contains(&lng)
    }
}

/// The `limit` candidates nearest to `from`, nearest first, each with its distance in
/// metres (ties by the order given, so the caller's id order breaks them).
pub fn rank<T>(from: Gcj02, candidates: Vec<(T, Gcj02)>, limit: usize) -> Vec<(T, f64)> {
    let mut ranked: Vec<(T, f64)> =
        candidates.into_iter().map(|(item, at)| (item, from.distance_m(at))).collect();
    ranked.sort_by(|a, b| a.1.partial_cmp(&b.1).unwrap_or(Ordering::Equal));
    ranked.truncate(limit);
    ranked
}

/// Whether a box of `radius_m` answered the search: it held `limit` stations and the
/// furthest of those is within the radius, so no station outside the box can be nearer.
/// The caller grows the box otherwise (and takes what the largest one held).
pub fn settled<T>(ranked: &[(T, f64)], limit: usize, radius_m: f64) -> bool {
    ranked.len() >= limit && ranked.last().is_some_and(|(_, d)| *d <= radius_m)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(lat: f64, lng: f64) -> Gcj02 {
        Gcj02::new(lat, lng).unwrap()
    }

    #[test]
    fn ranking_is_by_great_circle_distance() {
        let hefei = at(31.820, 117.227);
        let candidates =
            vec![("bengbu", at(32.916, 117.389)), ("near", at(31.821, 117.227)), ("same", hefei)];
        let ranked = rank(hefei, candidates, 2);
        assert_eq!(ranked.iter().map(|r| r.0).collect::<Vec<_>>(), ["same", "near"]);
        assert_eq!(ranked[0].1, 0.0);
        // 0.001° of latitude is about 111 m.
        assert!((110.0..112.0).contains(&ranked[1].1), "{}", ranked[1].1);
        assert!(settled(&ranked, 2, 2_000.0));
        assert!(!settled(&ranked, 3, 2_000.0));
        assert!(!settled(&ranked, 2, 100.0));
    }

    #[test]
    fn boxes_widen_in_longitude_away_from_the_equator() {
        let b = SearchBox::around(at(31.820, 117.227), 2_000.0);
        assert!((b.max_lat - b.min_lat - 2.0 * 2_000.0 / METRES_PER_DEGREE).abs() < 1e-9);
        assert!(b.max_lng - b.min_lng > b.max_lat - b.min_lat);
        let everywhere = SearchBox::around(at(31.820, 117.227), SEARCH_RADII_M[6]);
        assert!(everywhere.contains(at(53.3, 73.6)) && everywhere.contains(at(18.2, 134.7)));
    }

    proptest! {
        #[test]
        fn a_box_holds_every_point_within_its_radius(
            lat in 15.0f64..56.0, lng in 70.0f64..138.0,
            bearing in 0.0f64..360.0, fraction in 0.0f64..0.999,
            radius in prop::sample::select(SEARCH_RADII_M[..6].to_vec()),
        ) {
            let center = at(lat, lng);
            // A point `fraction * radius` away along `bearing` (spherical destination).
            let d = fraction * radius / 6_371_008.8;
            let (phi, lambda, theta) = (lat.to_radians(), lng.to_radians(), bearing.to_radians());
            let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * theta.cos()).asin();
            let lambda2 = lambda + (theta.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
            let point = at(phi2.to_degrees(), lambda2.to_degrees());
            prop_assume!(center.distance_m(point) < radius);
            prop_assert!(SearchBox::around(center, radius).contains(point));
        }
    }
}
