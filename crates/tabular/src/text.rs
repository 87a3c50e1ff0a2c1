//! What a delimited text file is written in: its encoding (detected, never asked) and its
//! delimiter (sniffed among `,` `;` and tab).

use std::io::{self, Read};

use encoding_rs::{Encoding, GB18030, UTF_8, UTF_16BE, UTF_16LE};

/// How much text is read to decide between UTF-8 and GB18030 once the first non-ASCII
/// byte is found; and how much is decoded to sniff the delimiter.
const WINDOW: usize = 64 * 1024;

/// How many non-empty lines the delimiter sniffer looks at.
const SNIFF_LINES: usize = 20;

/// The delimiters a file may use, in the order ties are broken.
const DELIMITERS: [u8; 3] = [b',', b'\t', b';'];

/// The encoding a text file was found to be in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TextEncoding {
    /// UTF-8 without a byte-order mark (plain ASCII files count as this).
    Utf8,
    /// UTF-8 with a byte-order mark (what Excel's "CSV UTF-8" saves).
    Utf8Bom,
    /// GB18030, which includes GBK and GB2312: what Chinese Excel and WPS save by default.
    Gb18030,
    /// UTF-16 little-endian with a byte-order mark (Excel's "Unicode text").
    Utf16Le,
    /// UTF-16 big-endian with a byte-order mark.
    Utf16Be,
}

impl TextEncoding {
    /// The encoding's usual name (`UTF-8`, `GB18030`, ...).
    pub const fn name(self) -> &'static str {
        match self {
            Self::Utf8 => "UTF-8",
            Self::Utf8Bom => "UTF-8 (BOM)",
            Self::Gb18030 => "GB18030",
            Self::Utf16Le => "UTF-16LE",
            Self::Utf16Be => "UTF-16BE",
        }
    }

    pub(crate) fn encoding(self) -> &'static Encoding {
        match self {
            Self::Utf8 | Self::Utf8Bom => UTF_8,
            Self::Gb18030 => GB18030,
            Self::Utf16Le => UTF_16LE,
            Self::Utf16Be => UTF_16BE,
        }
    }
}

/// Detects the encoding from the start of `reader`: a byte-order mark decides; otherwise
/// the text is UTF-8 if the first stretch holding non-ASCII bytes is valid strict UTF-8,
/// else GB18030. Text encoded in GBK is practically never valid UTF-8 (its two-byte
/// sequences break UTF-8's continuation rules within a few characters), so the first
/// 64 KiB after the first non-ASCII byte decide; a file of pure ASCII is UTF-8.
///
/// Reads at most until that decision; the caller rewinds.
pub(crate) fn detect_encoding(reader: &mut impl Read) -> io::Result<TextEncoding> {
    let mut head = [0u8; 3];
    let n = read_up_to(reader, &mut head)?;
    let mut eof = n < head.len();
    let head = &head[..n];
    if head.starts_with(b"\xEF\xBB\xBF") {
        return Ok(TextEncoding::Utf8Bom);
    }
    if head.starts_with(b"\xFF\xFE") {
        return Ok(TextEncoding::Utf16Le);
    }
    if head.starts_with(b"\xFE\xFF") {
        return Ok(TextEncoding::Utf16Be);
    }
    let mut window = head.to_vec();
    let mut chunk = vec![0u8; WINDOW];
    loop {
        match window.iter().position(|b| !b.is_ascii()) {
            None if eof => return Ok(TextEncoding::Utf8),
            // All ASCII so far: nothing to carry over.
            None => window.clear(),
            Some(first) => {
                window.drain(..first);
                if window.len() >= WINDOW || eof {
                    let judged = &window[..window.len().min(WINDOW)];
                    // A character cut by the window's end (not by the file's) is no error.
                    let cut = judged.len() < window.len() || !eof;
                    return Ok(match std::str::from_utf8(judged) {
                        Ok(_) => TextEncoding::Utf8,
                        Err(e) if e.error_len().is_none() && cut => TextEncoding::Utf8,
                        Err(_) => TextEncoding::Gb18030,
                    });
                }
            }
        }
        let n = read_up_to(reader, &mut chunk)?;
        window.extend_from_slice(&chunk[..n]);
        eof = n < chunk.len();
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
pub(crate) fn read_up_to(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Decodes the first stretch of the file for sniffing (a character cut at the end or a
/// malformed byte only costs the sniffer a replacement character).
pub(crate) fn decode_prefix(reader: &mut impl Read, encoding: TextEncoding) -> io::Result<String> {
    let mut bytes = vec![0u8; WINDOW];
    let n = read_up_to(reader, &mut bytes)?;
    let (text, _, _) = encoding.encoding().decode(&bytes[..n]);
    Ok(text.into_owned())
}

/// Picks the delimiter among `,` tab `;`: the one that appears in the first non-empty line
/// and then the same number of times on the most following lines (quoted stretches are
/// not counted); ties go to the larger count in the header, then to the order above. A
/// file where none appears is one column, read with `,`.
pub(crate) fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).take(SNIFF_LINES).collect();
    let Some((header, rest)) = lines.split_first() else {
        return b',';
    };
    let mut best = (0usize, 0usize, b',');
    for delimiter in DELIMITERS {
        let in_header = count_unquoted(header, delimiter);
        if in_header == 0 {
            continue;
        }
        let consistent = rest.iter().filter(|l| count_unquoted(l, delimiter) == in_header).count();
        if (consistent, in_header) > (best.0, best.1) {
            best = (consistent, in_header, delimiter);
        }
    }
    best.2
}

fn count_unquoted(line: &str, delimiter: u8) -> usize {
    let mut quoted = false;
    line.bytes()
        .filter(|&b| {
            if b == b'"' {
                quoted = !quoted;
            }
            b == delimiter && !quoted
        })
        .count()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn detect(bytes: &[u8]) -> TextEncoding {
        detect_encoding(&mut &bytes[..]).unwrap()
    }

    #[test]
    fn byte_order_marks_decide() {
        assert_eq!(detect(b"\xEF\xBB\xBFname"), TextEncoding::Utf8Bom);
        assert_eq!(detect(b"\xFF\xFEn\0"), TextEncoding::Utf16Le);
        assert_eq!(detect(b"\xFE\xFF\0n"), TextEncoding::Utf16Be);
    }

    #[test]
    fn utf8_gbk_and_ascii() {
        assert_eq!(detect("姓名,身份证号\n张三,1".as_bytes()), TextEncoding::Utf8);
        let (gbk, _, _) = GB18030.encode("姓名,身份证号\n张三,1");
        assert_eq!(detect(&gbk), TextEncoding::Gb18030);
        assert_eq!(detect(b"name,id\n"), TextEncoding::Utf8);
        assert_eq!(detect(b""), TextEncoding::Utf8);
    }

    #[test]
    fn a_late_first_non_ascii_byte_still_decides() {
        let mut ascii = b"name,id\n".repeat(30_000);
        let (gbk, _, _) = GB18030.encode("张三,1\n");
        ascii.extend_from_slice(&gbk);
        assert!(ascii.len() > 3 * WINDOW);
        assert_eq!(detect(&ascii), TextEncoding::Gb18030);
        let mut utf8 = b"name,id\n".repeat(30_000);
        utf8.extend_from_slice("张三,1\n".as_bytes());
        assert_eq!(detect(&utf8), TextEncoding::Utf8);
    }

    #[test]
    fn a_character_cut_at_the_window_edge_is_not_gbk() {
        let mut text = "张".repeat(WINDOW / 3 + 1).into_bytes();
        text.extend_from_slice("三".repeat(10).as_bytes());
        assert_eq!(detect(&text), TextEncoding::Utf8);
    }

    #[test]
    fn delimiters_are_sniffed() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3\n"), b',');
        assert_eq!(sniff_delimiter("a;b;c\n1;2;3\n"), b';');
        assert_eq!(sniff_delimiter("a\tb\tc\n1\t2,5\t3\n"), b'\t');
        // Commas inside quoted addresses do not count.
        assert_eq!(sniff_delimiter("姓名;地址\n张三;\"合肥市,蜀山区\"\n李四;\"a,b,c\"\n"), b';');
        assert_eq!(sniff_delimiter("\n\nonly\nvalues\n"), b',');
        assert_eq!(sniff_delimiter(""), b',');
    }
}
