//! The rules of an entry: what may be attached (small PDFs and images, told by their
//! bytes, not their names) and that nothing a judge reads names who entered it.

use crate::labelled::labelled_enum;

/// The largest attachment: 5 MiB.
pub const MAX_ATTACHMENT_BYTES: usize = 5 * 1024 * 1024;

/// Most attachments an entry may carry.
pub const MAX_ATTACHMENTS: usize = 5;

/// Longest attachment name kept, in characters.
const MAX_FILE_NAME_CHARS: usize = 80;

labelled_enum!(
    /// What an attachment is, told by its first bytes.
    AttachmentKind {
        /// A PDF document.
        Pdf = "pdf", "PDF 文档", "PDF document";
        /// A PNG image.
        Png = "png", "PNG 图片", "PNG image";
        /// A JPEG photo.
        Jpeg = "jpeg", "JPEG 图片", "JPEG image";
    }
);

impl AttachmentKind {
    /// The kind of a file by its magic bytes; `None` for anything else (a renamed
    /// executable, a Word file), which is refused.
    pub fn sniff(bytes: &[u8]) -> Option<AttachmentKind> {
        if bytes.starts_with(b"%PDF-") {
            Some(AttachmentKind::Pdf)
        } else if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(AttachmentKind::Png)
        } else if bytes.starts_with(b"\xFF\xD8\xFF") {
            Some(AttachmentKind::Jpeg)
        } else {
            None
        }
    }

    /// The media type it is served with.
    pub const fn content_type(self) -> &'static str {
        match self {
            AttachmentKind::Pdf => "application/pdf",
            AttachmentKind::Png => "image/png",
            AttachmentKind::Jpeg => "image/jpeg",
        }
    }
}

/// Why an attachment is refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum AttachmentError {
    /// An empty file.
    #[error("the file is empty")]
    Empty,
    /// Over [`MAX_ATTACHMENT_BYTES`].
    #[error("the file is larger than 5 MB")]
    TooLarge,
    /// Not a PDF, PNG or JPEG.
    #[error("only PDF, PNG and JPEG files are accepted")]
    Kind,
}

/// Checks a file to attach and tells its kind.
///
/// # Errors
///
/// [`AttachmentError`] for an empty or oversized file or one of another kind.
pub fn check_attachment(bytes: &[u8]) -> Result<AttachmentKind, AttachmentError> {
    if bytes.is_empty() {
        return Err(AttachmentError::Empty);
    }
    if bytes.len() > MAX_ATTACHMENT_BYTES {
        return Err(AttachmentError::TooLarge);
    }
    AttachmentKind::sniff(bytes).ok_or(AttachmentError::Kind)
}

/// The name an attachment is kept under: the last part of what the browser sent (some
/// send a whole Windows path), trimmed and cut to 80 characters; `附件` when nothing is
/// left. Only officers see it: judges see "附件 1", since a name like 张三-焊接.pdf would
/// tell them whose entry it is.
pub fn attachment_name(sent: &str) -> String {
    let base = sent.rsplit(['/', '\\']).next().unwrap_or("").trim();
    let name: String = base.chars().take(MAX_FILE_NAME_CHARS).collect();
    if name.is_empty() { "附件".to_owned() } else { name }
}

/// The first of `names` (authors, the studio, the union) that `text` contains, if any:
/// a title or summary that names its entrant is refused, or the judges would know whose
/// entry it is. Names of one character are ignored (they occur in any text).
pub fn names_entrant<'n>(text: &str, names: &[&'n str]) -> Option<&'n str> {
    names.iter().copied().map(str::trim).find(|name| name.chars().count() >= 2 && text.contains(name))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn attachments_are_told_by_their_bytes() {
        assert_eq!(check_attachment(b"%PDF-1.7\n..."), Ok(AttachmentKind::Pdf));
        assert_eq!(check_attachment(b"\x89PNG\r\n\x1a\n\0\0"), Ok(AttachmentKind::Png));
        assert_eq!(check_attachment(b"\xFF\xD8\xFF\xE0"), Ok(AttachmentKind::Jpeg));
        assert_eq!(check_attachment(b"MZ\x90\0"), Err(AttachmentError::Kind));
        assert_eq!(check_attachment(b""), Err(AttachmentError::Empty));
        let mut big = b"%PDF-".to_vec();
        big.resize(MAX_ATTACHMENT_BYTES, b' ');
        assert_eq!(check_attachment(&big), Ok(AttachmentKind::Pdf), "exactly 5 MiB is accepted");
        big.push(b' ');
        assert_eq!(check_attachment(&big), Err(AttachmentError::TooLarge));
        assert_eq!(AttachmentKind::Jpeg.content_type(), "image/jpeg");
    }

    #[test]
    fn attachment_names_lose_their_paths() {
        assert_eq!(attachment_name("C:\\Users\\王\\成果.pdf"), "成果.pdf");
        assert_eq!(attachment_name("/tmp/a/b.png"), "b.png");
        assert_eq!(attachment_name("  "), "附件");
        assert_eq!(attachment_name(&"长".repeat(100)).chars().count(), 80);
    }

    #[test]
    fn text_naming_the_entrant_is_found() {
        let names = ["张建国", "张建国劳模创新工作室", "马钢集团工会", "王"];
        assert_eq!(names_entrant("一种新型焊接夹具", &names), None);
        assert_eq!(names_entrant("由张建国带领完成", &names), Some("张建国"));
        assert_eq!(names_entrant("马钢集团工会推荐", &names), Some("马钢集团工会"));
        assert_eq!(names_entrant("王牌工艺", &names), None, "one character is no name");
    }
}
