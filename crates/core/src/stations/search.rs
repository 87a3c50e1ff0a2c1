//! The nearest search's geometry: boxes around a point that grow until they surely hold
//! the k nearest stations, and the ranking of what a box held by great-circle distance.
//!
//! Everything is in GCJ-02, the datum stations are stored in; a worker's WGS-84 position
//! is converted first (`geo::Wgs84::to_gcj02`).

use std::cmp::Ordering;

use crate::geo::Gcj02;

/// Metres in a degree of latitude (and of longitude at the equator) on the mean sphere.
const METRES_PER_DEGREE: f64 = 111_195.0;

/// The first box's radius, in metres: a worker in a city often finds enough within it.
pub const FIRST_RADIUS_M: f64 = 2_000.0;

/// The largest box's radius: from anywhere in China it covers the whole country.
pub const LAST_RADIUS_M: f64 = 6_000_000.0;

/// The side of the grid cells the store indexes stations by, in degrees (about 11 km):
/// a box query lists the cells it covers, so it reads about as many stations as the box
/// holds instead of a whole band of latitude.
pub const CELL_DEGREES: f64 = 0.1;

/// Cells in a row of the grid (360° of longitude).
const CELLS_PER_ROW: i64 = 3_600;

/// The most cells one box query lists; a larger box reads a latitude range instead.
pub const MAX_BOX_CELLS: usize = 400;

/// The grid cell a point lies in (row by latitude, then column by longitude).
pub fn grid_cell(at: Gcj02) -> i64 {
    let (row, col) = cell_indices(at.point().lat(), at.point().lng());
    row * CELLS_PER_ROW + col
}

/// A latitude's row and a longitude's column, clamped to the grid (90° and 180° fall in
/// the last ones).
fn cell_indices(lat: f64, lng: f64) -> (i64, i64) {
    // The values are bounded (±90, ±180), so the casts cannot overflow.
    let row = (((lat + 90.0) / CELL_DEGREES).floor() as i64).clamp(0, 1_799);
    let col = (((lng + 180.0) / CELL_DEGREES).floor() as i64).clamp(0, CELLS_PER_ROW - 1);
    (row, col)
}

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

    /// The grid cells the box overlaps (every point inside lies in one of them), or `None`
    /// when there are more than [`MAX_BOX_CELLS`].
    pub fn cells(&self) -> Option<Vec<i64>> {
        let (low_row, low_col) = cell_indices(self.min_lat, self.min_lng);
        let (high_row, high_col) = cell_indices(self.max_lat, self.max_lng);
        let count = usize::try_from((high_row - low_row + 1) * (high_col - low_col + 1)).ok()?;
        if count > MAX_BOX_CELLS {
            return None;
        }
        Some(
            (low_row..=high_row)
                .flat_map(|row| (low_col..=high_col).map(move |col| row * CELLS_PER_ROW + col))
                .collect(),
        )
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

/// A division's centre for `/stations?county=CODE` without a position: the mean of its
/// stations' GCJ-02 positions. The repository has no table of county seats (政府驻地) to
/// compile in, and the stations themselves say where a county's service is; a county's
/// extent is small enough that averaging degrees is as good as a spherical mean.
/// `None` for no stations.
pub fn centre(points: &[Gcj02]) -> Option<Gcj02> {
    if points.is_empty() {
        return None;
    }
    let n = points.len() as f64;
    let (lat, lng) =
        points.iter().fold((0.0, 0.0), |(lat, lng), p| (lat + p.point().lat(), lng + p.point().lng()));
    Gcj02::new(lat / n, lng / n).ok()
}

/// Whether a box of `radius_m` answered the search: it held `limit` stations and the
/// furthest of those is within the radius, so no station outside the box can be nearer.
/// The caller grows the box otherwise (and takes what the largest one held).
pub fn settled<T>(ranked: &[(T, f64)], limit: usize, radius_m: f64) -> bool {
    ranked.len() >= limit && ranked.last().is_some_and(|(_, d)| *d <= radius_m)
}

/// The radius of the next box after one of `radius_m` held `found` stations and did not
/// settle. With `limit` or more found, the `limit`-th nearest's distance is enough (those
/// stations lie within it). With fewer, stations are taken as evenly spread at that scale,
/// so a count grows with the area: the box aims at twice `limit`, growing at least
/// twofold (so the search ends) and at most sixteenfold (so one sparse box does not jump
/// to a country-sized one). Never beyond [`LAST_RADIUS_M`].
pub fn next_radius<T>(radius_m: f64, found: usize, ranked: &[(T, f64)], limit: usize) -> f64 {
    let next = match ranked.get(limit.saturating_sub(1)) {
        Some((_, kth)) if found >= limit && limit > 0 => kth.max(radius_m * 1.01),
        _ => {
            let factor = if found == 0 { 4.0 } else { (2.0 * limit as f64 / found as f64).sqrt() };
            radius_m * factor.clamp(2.0, 16.0)
        }
    };
    next.min(LAST_RADIUS_M)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn at(lat: f64, lng: f64) -> Gcj02 {
        Gcj02::new(lat, lng).unwrap()
    }

    #[test]
    fn a_centre_is_the_mean_of_the_stations() {
        assert_eq!(centre(&[]), None);
        let one = at(31.820, 117.227);
        assert_eq!(centre(&[one]), Some(one));
        let mid = centre(&[at(31.0, 117.0), at(32.0, 118.0), at(31.5, 117.5)]).unwrap();
        assert!((mid.point().lat() - 31.5).abs() < 1e-9 && (mid.point().lng() - 117.5).abs() < 1e-9);
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
    fn cells_cover_boxes() {
        let hefei = at(31.820, 117.227);
        assert_eq!(grid_cell(hefei), 1218 * 3_600 + 2972);
        let small = SearchBox::around(hefei, 2_000.0).cells().unwrap();
        assert!(small.contains(&grid_cell(hefei)) && small.len() <= 4);
        assert_eq!(SearchBox::around(hefei, 16_000.0).cells().map(|c| c.len()), Some(16));
        assert_eq!(SearchBox::around(hefei, 500_000.0).cells(), None);
        assert_eq!(grid_cell(at(90.0, 180.0)), 1_799 * 3_600 + 3_599);
    }

    #[test]
    fn boxes_grow_towards_what_is_wanted() {
        let none: [((), f64); 0] = [];
        assert_eq!(next_radius(2_000.0, 0, &none, 10), 8_000.0);
        // 5 of 10 found: aim at 20, √4 = twice the radius.
        assert_eq!(next_radius(2_000.0, 5, &[((), 1.0); 5], 10), 4_000.0);
        // 1 of 10: √20 ≈ 4.5 times.
        assert!((next_radius(2_000.0, 1, &[((), 1.0)], 10) - 2_000.0 * 20f64.sqrt()).abs() < 1e-9);
        // Enough found, the 10th at 9 km: a 9 km box settles it.
        let ranked: Vec<((), f64)> = (1..=10).map(|i| ((), f64::from(i) * 900.0)).collect();
        assert_eq!(next_radius(8_000.0, 12, &ranked, 10), 9_000.0);
        assert_eq!(next_radius(LAST_RADIUS_M, 0, &none, 10), LAST_RADIUS_M);
    }

    #[test]
    fn boxes_widen_in_longitude_away_from_the_equator() {
        let b = SearchBox::around(at(31.820, 117.227), 2_000.0);
        assert!((b.max_lat - b.min_lat - 2.0 * 2_000.0 / METRES_PER_DEGREE).abs() < 1e-9);
        assert!(b.max_lng - b.min_lng > b.max_lat - b.min_lat);
        let everywhere = SearchBox::around(at(31.820, 117.227), LAST_RADIUS_M);
        assert!(everywhere.contains(at(53.3, 73.6)) && everywhere.contains(at(18.2, 134.7)));
    }

    proptest! {
        #[test]
        fn a_box_holds_every_point_within_its_radius(
            lat in 15.0f64..56.0, lng in 70.0f64..138.0,
            bearing in 0.0f64..360.0, fraction in 0.0f64..0.999,
            radius in prop::sample::select(vec![FIRST_RADIUS_M, 8_000.0, 32_000.0, 128_000.0, 512_000.0, 2_048_000.0]),
        ) {
            let center = at(lat, lng);
            // A point `fraction * radius` away along `bearing` (spherical destination).
            let d = fraction * radius / 6_371_008.8;
            let (phi, lambda, theta) = (lat.to_radians(), lng.to_radians(), bearing.to_radians());
            let phi2 = (phi.sin() * d.cos() + phi.cos() * d.sin() * theta.cos()).asin();
            let lambda2 = lambda + (theta.sin() * d.sin() * phi.cos()).atan2(d.cos() - phi.sin() * phi2.sin());
            let point = at(phi2.to_degrees(), lambda2.to_degrees());
            prop_assume!(center.distance_m(point) < radius);
            let area = SearchBox::around(center, radius);
            prop_assert!(area.contains(point));
            if let Some(cells) = area.cells() {
                prop_assert!(cells.contains(&grid_cell(point)));
            }
        }
    }
}
