use super::*;
use proptest::prelude::*;

/// Published WGS-84 → GCJ-02 pairs (lat, lng, lat, lng).
const REFERENCE: [(f64, f64, f64, f64); 4] = [
    // Tiananmen, as given in the project's notes and issue 16.
    (39.90872, 116.39748, 39.910123, 116.403724),
    // The test vectors of googollee/eviltransform (Shanghai, Shenzhen, Beijing).
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
];

#[test]
fn forward_transform_matches_published_points_within_half_a_metre() {
    for (wlat, wlng, glat, glng) in REFERENCE {
        let got = Wgs84::new(wlat, wlng).unwrap().to_gcj02();
        let expected = Gcj02::new(glat, glng).unwrap();
        let miss = got.distance_m(expected);
        assert!(miss < 0.5, "{wlat},{wlng}: {got} is {miss:.3} m from {expected}");
        // The offset itself is hundreds of metres: the test would catch a no-op.
        assert!(Wgs84::new(wlat, wlng).unwrap().point().distance_m(expected.point()) > 100.0);
    }
}

#[test]
fn inverse_recovers_published_points() {
    for (wlat, wlng, glat, glng) in REFERENCE {
        let back = Gcj02::new(glat, glng).unwrap().to_wgs84();
        let miss = back.point().distance_m(LatLng::new(wlat, wlng).unwrap());
        assert!(miss < 0.5, "{glat},{glng}: {miss:.3} m");
    }
}

#[test]
fn outside_china_nothing_changes() {
    for (lat, lng) in [(51.5007, -0.1246), (35.6586, 139.7454), (-33.8568, 151.2153), (55.7539, 37.6208)] {
        let wgs = Wgs84::new(lat, lng).unwrap();
        assert_eq!(wgs.to_gcj02().point(), wgs.point());
        assert_eq!(Gcj02::new(lat, lng).unwrap().to_wgs84().point(), wgs.point());
    }
    // The transform's box is coarse: Singapore lies inside it and is shifted like China.
    assert!(LatLng::new(1.2839, 103.8607).unwrap().in_china());
}

#[test]
fn great_circle_distances() {
    let hefei = LatLng::new(31.820, 117.227).unwrap();
    let bengbu = LatLng::new(32.916, 117.389).unwrap();
    // 1.096° of latitude and a little longitude: about 123 km.
    let d = hefei.distance_m(bengbu);
    assert!((122_000.0..124_000.0).contains(&d), "{d}");
    assert_eq!(hefei.distance_m(hefei), 0.0);
    // A quarter of a meridian.
    let pole = LatLng::new(90.0, 0.0).unwrap();
    let equator = LatLng::new(0.0, 0.0).unwrap();
    let quarter = std::f64::consts::FRAC_PI_2 * EARTH_RADIUS_M;
    assert!((equator.distance_m(pole) - quarter).abs() < 1e-6);
    // Antipodes do not produce NaN.
    assert!(LatLng::new(0.0, 180.0).unwrap().distance_m(equator).is_finite());
}

#[test]
fn amap_picker_text_parses_longitude_first() {
    let p = Gcj02::parse_amap(" 117.227,31.820 ").unwrap();
    assert_eq!((p.point().lat(), p.point().lng()), (31.820, 117.227));
    assert_eq!(Gcj02::parse_amap("117.227，31.820"), Ok(p));
    assert_eq!(Gcj02::parse_amap("117.227, 31.820"), Ok(p));
    assert_eq!(p.to_string(), "117.227000,31.820000");
    assert_eq!(Gcj02::parse_amap(&p.to_string()), Ok(p));
    assert_eq!(Gcj02::parse_amap("31.820,117.227"), Err(CoordError::Latitude));
    assert_eq!(Gcj02::parse_amap("31.820,17.227"), Err(CoordError::OutsideChina));
    assert_eq!(Gcj02::parse_amap("117.227"), Err(CoordError::Format));
    assert_eq!(Gcj02::parse_amap("117.227,"), Err(CoordError::Format));
    assert_eq!(Gcj02::parse_amap("NaN,31.8"), Err(CoordError::Format));
    assert_eq!(Gcj02::parse_amap("1e2,31.8"), Err(CoordError::Format));
    assert_eq!(Gcj02::parse_amap("181,31.8"), Err(CoordError::Longitude));
    assert_eq!(Gcj02::from_cells("117.227", "31.820"), Ok(p));
    assert_eq!(LatLng::new(f64::NAN, 0.0), Err(CoordError::NotANumber));
    assert_eq!(CoordError::OutsideChina.code(), "location.outside_china");
    assert!(CoordError::Latitude.message_zh().contains("纬度"));
}

proptest! {
    #[test]
    fn inverse_undoes_forward_to_a_centimetre(lat in 18.0f64..54.0, lng in 73.0f64..135.0) {
        let wgs = Wgs84::new(lat, lng).unwrap();
        let back = wgs.to_gcj02().to_wgs84();
        prop_assert!(back.point().distance_m(wgs.point()) < 0.01);
    }

    #[test]
    fn the_offset_inside_china_is_under_a_kilometre(lat in 18.0f64..54.0, lng in 73.0f64..135.0) {
        let wgs = Wgs84::new(lat, lng).unwrap();
        let shift = wgs.point().distance_m(wgs.to_gcj02().point());
        prop_assert!(shift < 1_000.0, "{}", shift);
    }

    #[test]
    fn distance_is_symmetric_and_obeys_the_triangle_inequality(
        a in (-90.0f64..=90.0, -180.0f64..=180.0),
        b in (-90.0f64..=90.0, -180.0f64..=180.0),
        c in (-90.0f64..=90.0, -180.0f64..=180.0),
    ) {
        let [a, b, c] = [a, b, c].map(|(lat, lng)| LatLng::new(lat, lng).unwrap());
        prop_assert!((a.distance_m(b) - b.distance_m(a)).abs() < 1e-6);
        prop_assert!(a.distance_m(c) <= a.distance_m(b) + b.distance_m(c) + 1e-6);
    }

    #[test]
    fn parse_amap_never_panics(text in "\\PC{0,40}") {
        let _ = Gcj02::parse_amap(&text);
    }
}
