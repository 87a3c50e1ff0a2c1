//! Render text as a QR code (error-correction level M) in SVG or PNG form.
//!
//! Both renderers add the standard 4-module light quiet zone around the
//! symbol and draw dark modules black on a white background.

use std::fmt;
use std::fmt::Write as _;

use qrcode::{Color, EcLevel, QrCode};

/// Width of the light border around the symbol, in modules.
const QUIET_ZONE: usize = 4;

/// Largest PNG side length, in pixels, that [`png`] will produce.
const MAX_PNG_SIDE: u32 = 8192;

/// Errors returned when a QR code cannot be produced.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum QrError {
    /// The text does not fit in the largest QR version at level M.
    TooLong,
    /// Any other failure (bad size parameter, encoder or PNG error).
    Encode(String),
}

impl fmt::Display for QrError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            QrError::TooLong => f.write_str("text too long for a QR code"),
            QrError::Encode(msg) => write!(f, "QR encoding failed: {msg}"),
        }
    }
}

impl std::error::Error for QrError {}

impl From<qrcode::types::QrError> for QrError {
    fn from(e: qrcode::types::QrError) -> Self {
        match e {
            qrcode::types::QrError::DataTooLong => QrError::TooLong,
            other => QrError::Encode(other.to_string()),
        }
    }
}

/// Encodes `text` (as UTF-8 bytes) at level M and returns the module matrix,
/// indexed `[row][column]`, `true` meaning dark; no quiet zone is included.
pub fn modules(text: &str) -> Result<Vec<Vec<bool>>, QrError> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M)?;
    let width = code.width();
    let colors = code.into_colors();
    if width == 0 || colors.len() != width * width {
        return Err(QrError::Encode("unexpected matrix size".to_owned()));
    }
    Ok(colors.chunks(width).map(|row| row.iter().map(|c| *c == Color::Dark).collect()).collect())
}

/// Side length in pixels of the rendered image (symbol plus quiet zone).
fn side_px(modules_with_quiet: usize, module_px: u32) -> Result<u32, QrError> {
    if module_px == 0 {
        return Err(QrError::Encode("module_px must be at least 1".to_owned()));
    }
    u32::try_from(modules_with_quiet)
        .ok()
        .and_then(|m| m.checked_mul(module_px))
        .ok_or_else(|| QrError::Encode("image size overflows u32".to_owned()))
}

/// Renders `text` as a compact standalone SVG element (no XML prolog), for
/// inlining in HTML.
///
/// All dark modules form a single `<path>` with one rectangle per horizontal
/// run; the `viewBox` is in module units (symbol plus 4-module quiet zone)
/// and `width`/`height` are that size times `module_px`. Only numbers are
/// interpolated, so the output needs no escaping. `module_px` must be > 0.
pub fn svg(text: &str, module_px: u32) -> Result<String, QrError> {
    let matrix = modules(text)?;
    let size = matrix.len() + 2 * QUIET_ZONE;
    let px = side_px(size, module_px)?;

    let mut d = String::with_capacity(matrix.len() * matrix.len());
    for (y, row) in matrix.iter().enumerate() {
        let mut x = 0;
        while x < row.len() {
            if !row[x] {
                x += 1;
                continue;
            }
            let start = x;
            while x < row.len() && row[x] {
                x += 1;
            }
            let len = x - start;
            // Writing to a String cannot fail.
            let _ = write!(d, "M{} {}h{len}v1h-{len}z", start + QUIET_ZONE, y + QUIET_ZONE);
        }
    }

    Ok(format!(
        concat!(
            r#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {s} {s}" "#,
            r#"width="{px}" height="{px}" shape-rendering="crispEdges">"#,
            r##"<rect width="{s}" height="{s}" fill="#fff"/>"##,
            r##"<path fill="#000" d="{d}"/></svg>"##
        ),
        s = size,
        px = px,
        d = d
    ))
}

/// Renders `text` as a 1-bit grayscale PNG, black modules on white, with the
/// 4-module quiet zone, each module `module_px` pixels square.
///
/// `module_px` must be > 0 and the resulting side at most 8192 pixels.
pub fn png(text: &str, module_px: u32) -> Result<Vec<u8>, QrError> {
    let matrix = modules(text)?;
    let size = matrix.len() + 2 * QUIET_ZONE;
    let side = side_px(size, module_px)?;
    if side > MAX_PNG_SIDE {
        return Err(QrError::Encode(format!(
            "PNG would be {side} px wide, above the {MAX_PNG_SIDE} px limit"
        )));
    }
    let side_us = side as usize;
    let scale = module_px as usize;
    let row_bytes = side_us.div_ceil(8);

    // 1-bit grayscale: bit 0 = black, 1 = white; start all white.
    let mut data = vec![0xFF_u8; row_bytes * side_us];
    for (py, out_row) in data.chunks_mut(row_bytes).enumerate() {
        let Some(row) = (py / scale).checked_sub(QUIET_ZONE).and_then(|my| matrix.get(my)) else {
            continue;
        };
        for (mx, _) in row.iter().enumerate().filter(|(_, dark)| **dark) {
            let first = (mx + QUIET_ZONE) * scale;
            for px in first..first + scale {
                out_row[px / 8] &= !(0x80 >> (px % 8));
            }
        }
    }

    let mut out = Vec::new();
    let mut encoder = ::png::Encoder::new(&mut out, side, side);
    encoder.set_color(::png::ColorType::Grayscale);
    encoder.set_depth(::png::BitDepth::One);
    let png_err = |e: ::png::EncodingError| QrError::Encode(format!("PNG: {e}"));
    let mut writer = encoder.write_header().map_err(png_err)?;
    writer.write_image_data(&data).map_err(png_err)?;
    writer.finish().map_err(png_err)?;
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 30 characters.
    const URL30: &str = "https://union.example/j/ABC123";
    /// 40 characters.
    const URL40: &str = "https://union.example/join/ABCDEFGH12345";

    fn finder_ok(m: &[Vec<bool>], top: usize, left: usize) -> bool {
        (0..7).all(|dy| {
            (0..7).all(|dx| {
                let ring = dy.min(dx).min(6 - dy).min(6 - dx);
                // ring 0 dark, ring 1 light, rings 2..3 (the 3x3 core) dark
                m[top + dy][left + dx] == (ring != 1)
            })
        })
    }

    /// Rebuilds the module matrix from the SVG path (for round-trip checks).
    fn matrix_from_svg(svg: &str, n: usize) -> Vec<Vec<bool>> {
        let d_start = svg.find(" d=\"").unwrap() + 4;
        let d_len = svg[d_start..].find('"').unwrap();
        let d = &svg[d_start..d_start + d_len];
        let mut m = vec![vec![false; n]; n];
        for seg in d.split('z').filter(|s| !s.is_empty()) {
            let rest = seg.strip_prefix('M').unwrap();
            let (xy, rest) = rest.split_once('h').unwrap();
            let (x, y) = xy.split_once(' ').unwrap();
            let (len, tail) = rest.split_once('v').unwrap();
            assert_eq!(tail, format!("1h-{len}"));
            let (x, y, len): (usize, usize, usize) =
                (x.parse().unwrap(), y.parse().unwrap(), len.parse().unwrap());
            for cell in &mut m[y - QUIET_ZONE][x - QUIET_ZONE..x - QUIET_ZONE + len] {
                assert!(!*cell, "overlapping runs");
                *cell = true;
            }
        }
        m
    }

    fn decode_png(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let mut decoder = ::png::Decoder::new(std::io::Cursor::new(bytes));
        decoder.set_transformations(::png::Transformations::EXPAND);
        let mut reader = decoder.read_info().unwrap();
        let mut buf = vec![0; reader.output_buffer_size().unwrap()];
        let info = reader.next_frame(&mut buf).unwrap();
        assert_eq!(info.color_type, ::png::ColorType::Grayscale);
        assert_eq!(info.bit_depth, ::png::BitDepth::Eight);
        buf.truncate(info.line_size * info.height as usize);
        assert_eq!(info.line_size, info.width as usize);
        (info.width, info.height, buf)
    }

    #[test]
    fn thirty_char_url_is_version_3() {
        assert_eq!(URL30.len(), 30);
        let code = QrCode::with_error_correction_level(URL30, EcLevel::M).unwrap();
        assert_eq!(code.version(), qrcode::Version::Normal(3));
        let m = modules(URL30).unwrap();
        assert_eq!(m.len(), 29);
        assert!(m.iter().all(|row| row.len() == 29));
    }

    #[test]
    fn finder_patterns_at_three_corners() {
        let m = modules(URL30).unwrap();
        let n = m.len();
        assert!(finder_ok(&m, 0, 0));
        assert!(finder_ok(&m, 0, n - 7));
        assert!(finder_ok(&m, n - 7, 0));
        assert!(!finder_ok(&m, n - 7, n - 7));
        // Separators next to the finders are light.
        for i in 0..8 {
            assert!(!m[7][i] && !m[i][7]);
            assert!(!m[7][n - 1 - i] && !m[i][n - 8]);
            assert!(!m[n - 8][i] && !m[n - 1 - i][7]);
        }
    }

    #[test]
    fn matrix_is_deterministic_and_depends_on_input() {
        assert_eq!(modules(URL30).unwrap(), modules(URL30).unwrap());
        assert_ne!(modules(URL30).unwrap(), modules(URL40).unwrap());
    }

    #[test]
    fn svg_shape() {
        let n = modules(URL30).unwrap().len();
        let s = svg(URL30, 5).unwrap();
        assert!(s.starts_with("<svg"));
        assert!(s.ends_with("</svg>"));
        assert!(!s.contains("<?xml"));
        let size = n + 8;
        assert!(s.contains(&format!(r#"viewBox="0 0 {size} {size}""#)));
        let px = size * 5;
        assert!(s.contains(&format!(r#"width="{px}" height="{px}""#)));
        assert!(s.contains(r#"shape-rendering="crispEdges""#));
        assert_eq!(s.matches("<path").count(), 1);
        assert_eq!(s.matches("<rect").count(), 1);
        assert!(s.contains(&format!(r##"<rect width="{size}" height="{size}" fill="#fff"/>"##)));
        // The user text never appears verbatim.
        assert!(!s.contains("union.example"));
        assert_eq!(s.matches('<').count(), 4);
    }

    #[test]
    fn svg_path_round_trips_to_matrix() {
        for text in [URL30, URL40, "x", "Ünïcødé member 42"] {
            let m = modules(text).unwrap();
            let s = svg(text, 3).unwrap();
            assert_eq!(matrix_from_svg(&s, m.len()), m, "{text}");
        }
    }

    #[test]
    fn svg_runs_are_merged() {
        let m = modules(URL40).unwrap();
        let s = svg(URL40, 4).unwrap();
        let runs: usize = m
            .iter()
            .map(|r| r.iter().zip(std::iter::once(&false).chain(r)).filter(|(c, p)| **c && !**p).count())
            .sum();
        assert_eq!(s.matches('M').count(), runs);
    }

    #[test]
    fn svg_for_40_char_url_is_small() {
        assert_eq!(URL40.len(), 40);
        let s = svg(URL40, 8).unwrap();
        assert!(s.len() < 6 * 1024, "SVG is {} bytes", s.len());
    }

    #[test]
    fn png_signature_and_decode() {
        let px = 4_u32;
        let bytes = png(URL30, px).unwrap();
        assert!(bytes.starts_with(&[0x89, b'P', b'N', b'G', 0x0D, 0x0A, 0x1A, 0x0A]));
        let n = modules(URL30).unwrap().len() as u32;
        let (w, h, pixels) = decode_png(&bytes);
        let side = (n + 8) * px;
        assert_eq!((w, h), (side, side));
        let at = |x: u32, y: u32| pixels[(y * w + x) as usize];
        // Centre of the top-left finder: module (3, 3) shifted by the quiet zone.
        let c = (4 + 3) * px + px / 2;
        assert_eq!(at(c, c), 0);
        // Centres of the other two finders.
        let far = (4 + n - 4) * px + px / 2;
        assert_eq!(at(far, c), 0);
        assert_eq!(at(c, far), 0);
        // Quiet zone is white.
        assert_eq!(at(0, 0), 255);
        assert_eq!(at(px + 1, px + 1), 255);
        assert_eq!(at(w - 1, h - 1), 255);
        assert_eq!(at(4 * px - 1, c), 255);
    }

    #[test]
    fn png_matches_matrix_pixel_for_pixel() {
        // 3 px/module with 37 modules gives a width not divisible by 8.
        for (text, px) in [(URL30, 3_u32), (URL40, 1), (URL40, 7)] {
            let m = modules(text).unwrap();
            let (w, _, pixels) = decode_png(&png(text, px).unwrap());
            for (y, row) in pixels.chunks(w as usize).enumerate() {
                for (x, &p) in row.iter().enumerate() {
                    let my = (y / px as usize).checked_sub(4);
                    let mx = (x / px as usize).checked_sub(4);
                    let dark = match (my, mx) {
                        (Some(my), Some(mx)) => m.get(my).and_then(|r| r.get(mx)).copied().unwrap_or(false),
                        _ => false,
                    };
                    assert_eq!(p, if dark { 0 } else { 255 }, "{text} px={px} at ({x},{y})");
                }
            }
        }
    }

    #[test]
    fn over_long_input_is_an_error_not_a_panic() {
        let long = "a".repeat(8000);
        assert_eq!(modules(&long), Err(QrError::TooLong));
        assert_eq!(svg(&long, 4), Err(QrError::TooLong));
        assert_eq!(png(&long, 4), Err(QrError::TooLong));
        // Just over the version-40-M byte capacity (2331 bytes).
        assert!(modules(&"a".repeat(2331)).is_ok());
        assert_eq!(modules(&"a".repeat(2332)), Err(QrError::TooLong));
    }

    #[test]
    fn bad_module_px_is_an_error() {
        assert!(matches!(svg(URL30, 0), Err(QrError::Encode(_))));
        assert!(matches!(png(URL30, 0), Err(QrError::Encode(_))));
        assert!(matches!(svg(URL30, u32::MAX), Err(QrError::Encode(_))));
        assert!(matches!(png(URL30, 1000), Err(QrError::Encode(_))));
    }

    #[test]
    fn empty_text_encodes() {
        let m = modules("").unwrap();
        assert_eq!(m.len(), 21);
        assert!(svg("", 1).is_ok());
        assert!(png("", 1).is_ok());
    }

    #[test]
    fn error_display() {
        assert_eq!(QrError::TooLong.to_string(), "text too long for a QR code");
        assert!(QrError::Encode("x".into()).to_string().contains('x'));
        let e: Box<dyn std::error::Error> = Box::new(QrError::TooLong);
        assert!(!e.to_string().is_empty());
    }
}
