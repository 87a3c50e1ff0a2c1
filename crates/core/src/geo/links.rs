//! Links that open a point in the map apps workers have (each app's documented web URI
//! scheme; on a phone with the app installed the page offers to open it).

use std::fmt::Write as _;

use super::Gcj02;

/// How huiji names itself to the map providers (Baidu's `src`, Tencent's `referer`),
/// which ask callers to identify themselves.
const APP: &str = "huiji";

/// One point's navigation links, all in GCJ-02 (none of them needs a conversion).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MapLinks {
    /// Amap (高德): `uri.amap.com/marker`, longitude first.
    pub amap: String,
    /// Baidu (百度): `api.map.baidu.com/marker`, latitude first, told the point is GCJ-02
    /// (`coord_type=gcj02`) since Baidu's own datum differs.
    pub baidu: String,
    /// Tencent (腾讯): `apis.map.qq.com/uri/v1/marker`, latitude first; GCJ-02 is its
    /// default datum.
    pub tencent: String,
}

/// The three links for a station called `name` at `address`.
pub fn map_links(at: Gcj02, name: &str, address: &str) -> MapLinks {
    let (lat, lng) = (at.point().lat(), at.point().lng());
    let (name_q, address_q) = (percent_encode(name), percent_encode(address));
    let amap =
        format!("https://uri.amap.com/marker?position={lng:.6},{lat:.6}&name={name_q}&coordinate=gaode");
    let baidu = format!(
        "https://api.map.baidu.com/marker?location={lat:.6},{lng:.6}&title={name_q}&content={address_q}\
         &output=html&coord_type=gcj02&src=webapp.{APP}.{APP}"
    );
    // Tencent's marker value is `key:value;key:value` and is split after decoding, so
    // its separators inside a name are replaced by their full-width forms.
    let tencent_safe =
        |text: &str| percent_encode(&text.replace(';', "；").replace(':', "：").replace('|', "｜"));
    let tencent = format!(
        "https://apis.map.qq.com/uri/v1/marker?marker=coord:{lat:.6},{lng:.6};title:{};addr:{}&referer={APP}",
        tencent_safe(name),
        tencent_safe(address)
    );
    MapLinks { amap, baidu, tencent }
}

/// Percent-encodes the UTF-8 bytes of `text`, leaving only RFC 3986's unreserved
/// characters, so a name with `&`, `#`, spaces or Chinese stays one query value.
fn percent_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 3);
    for byte in text.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            // Writing to a String cannot fail.
            let _ = write!(out, "%{byte:02X}");
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_percent_encoded_as_utf8() {
        assert_eq!(percent_encode("司机之家"), "%E5%8F%B8%E6%9C%BA%E4%B9%8B%E5%AE%B6");
        assert_eq!(percent_encode("A&B #1/2=3"), "A%26B%20%231%2F2%3D3");
        assert_eq!(percent_encode("a-b.c_d~"), "a-b.c_d~");
    }

    #[test]
    fn each_app_gets_its_documented_shape() {
        let at = Gcj02::new(31.82, 117.227).unwrap();
        let links = map_links(at, "驿站&1", "合肥市");
        assert_eq!(
            links.amap,
            "https://uri.amap.com/marker?position=117.227000,31.820000&name=%E9%A9%BF%E7%AB%99%261&coordinate=gaode"
        );
        assert_eq!(
            links.baidu,
            "https://api.map.baidu.com/marker?location=31.820000,117.227000&title=%E9%A9%BF%E7%AB%99%261\
             &content=%E5%90%88%E8%82%A5%E5%B8%82&output=html&coord_type=gcj02&src=webapp.huiji.huiji"
        );
        assert_eq!(
            links.tencent,
            "https://apis.map.qq.com/uri/v1/marker?marker=coord:31.820000,117.227000;\
             title:%E9%A9%BF%E7%AB%99%261;addr:%E5%90%88%E8%82%A5%E5%B8%82&referer=huiji"
        );
    }

    #[test]
    fn tencent_separators_in_names_cannot_split_the_marker() {
        let at = Gcj02::new(31.82, 117.227).unwrap();
        let links = map_links(at, "a;addr:x|y", "");
        let marker = links.tencent.split("marker=").nth(1).unwrap().split('&').next().unwrap();
        assert_eq!(marker.matches(';').count(), 2, "{marker}");
        assert!(!marker.contains('|') && marker.matches(':').count() == 3, "{marker}");
    }
}
