//! The WGS-84 → GCJ-02 transform as published (the "eviltransform" formulation), on the
//! Krasovsky 1940 ellipsoid that GCJ-02 is defined on.

use std::f64::consts::PI;

use super::LatLng;

/// Krasovsky 1940 semi-major axis, metres.
const A: f64 = 6_378_245.0;

/// Krasovsky 1940 first eccentricity squared, digit for digit as published so the
/// constant can be checked against the literature.
#[allow(clippy::excessive_precision)]
const EE: f64 = 0.006_693_421_622_965_943_23;

/// Iterations of the inverse; each gains roughly four orders of magnitude (the offset's
/// slope is ~1e-4), so 2 reach centimetres and 4 are far below a millimetre.
const INVERSE_ITERATIONS: usize = 4;

/// The offset GCJ-02 adds at a WGS-84 point, in degrees (lat, lng).
fn offset(point: LatLng) -> (f64, f64) {
    let (x, y) = (point.lng - 105.0, point.lat - 35.0);
    let shared = (20.0 * (6.0 * x * PI).sin() + 20.0 * (2.0 * x * PI).sin()) * 2.0 / 3.0;
    let d_lat = -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * x.abs().sqrt()
        + shared
        + (20.0 * (y * PI).sin() + 40.0 * (y / 3.0 * PI).sin()) * 2.0 / 3.0
        + (160.0 * (y / 12.0 * PI).sin() + 320.0 * (y * PI / 30.0).sin()) * 2.0 / 3.0;
    let d_lng = 300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * x.abs().sqrt()
        + shared
        + (20.0 * (x * PI).sin() + 40.0 * (x / 3.0 * PI).sin()) * 2.0 / 3.0
        + (150.0 * (x / 12.0 * PI).sin() + 300.0 * (x / 30.0 * PI).sin()) * 2.0 / 3.0;
    let rad_lat = point.lat.to_radians();
    let magic = 1.0 - EE * rad_lat.sin().powi(2);
    let sqrt_magic = magic.sqrt();
    let lat = d_lat * 180.0 / ((A * (1.0 - EE)) / (magic * sqrt_magic) * PI);
    let lng = d_lng * 180.0 / (A / sqrt_magic * rad_lat.cos() * PI);
    (lat, lng)
}

/// A point shifted by `delta` degrees; the shift is under 0.01° and only applied inside
/// China's box, so the result stays in range.
fn shifted(point: LatLng, (d_lat, d_lng): (f64, f64), sign: f64) -> LatLng {
    LatLng { lat: point.lat + sign * d_lat, lng: point.lng + sign * d_lng }
}

/// WGS-84 → GCJ-02.
pub(super) fn forward(wgs: LatLng) -> LatLng {
    if wgs.in_china() { shifted(wgs, offset(wgs), 1.0) } else { wgs }
}

/// GCJ-02 → WGS-84 by fixed-point iteration: guess, transform, correct by the miss.
pub(super) fn inverse(gcj: LatLng) -> LatLng {
    if !gcj.in_china() {
        return gcj;
    }
    let mut wgs = shifted(gcj, offset(gcj), -1.0);
    for _ in 0..INVERSE_ITERATIONS {
        let back = forward(wgs);
        wgs = LatLng { lat: wgs.lat - (back.lat - gcj.lat), lng: wgs.lng - (back.lng - gcj.lng) };
    }
    wgs
}
