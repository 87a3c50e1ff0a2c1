//! The text of an invitation SMS: the officer's template, the federation's signature
//! 【…】 in front, the opt-out text at the end, and what it costs in segments.
//!
//! Providers bill Chinese SMS by characters: up to 70 is one message; a longer one is
//! split into segments of 67 (3 go to the concatenation header). Characters are counted
//! as UTF-16 units, so a rare character outside the BMP (𠮷) counts 2.

use crate::person_name::PersonName;

/// Appended to every campaign message unless configured otherwise.
pub const DEFAULT_OPT_OUT_TEXT: &str = "回T退订";

/// A message up to this many units is one SMS.
pub const SINGLE_SMS_UNITS: usize = 70;

/// Units per segment of a long SMS.
pub const LONG_SMS_SEGMENT_UNITS: usize = 67;

/// Segments a campaign message may take by default (201 units).
pub const DEFAULT_MAX_SEGMENTS: u32 = 3;

/// The placeholder the personal invite link replaces (required, once).
pub const LINK: &str = "{link}";

/// The placeholder the recipient's surname replaces (optional, at most once).
pub const SURNAME: &str = "{surname}";

/// Providers' bounds on a signature's length, in characters.
const SIGNATURE_CHARS: std::ops::RangeInclusive<usize> = 2..=12;

/// Two-character surnames, so 欧阳娜娜 is addressed as 欧阳 and not 欧.
const COMPOUND_SURNAMES: [&str; 30] = [
    "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙", "宇文", "司徒", "夏侯",
    "轩辕", "令狐", "钟离", "端木", "澹台", "申屠", "太史", "闻人", "西门", "南宫", "独孤", "呼延", "万俟",
    "第五", "公羊", "赫连", "百里",
];

/// Why a signature or template is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum TextError {
    /// The signature is not 2–12 characters.
    SignatureLength {
        /// Characters found.
        len: usize,
    },
    /// The signature holds brackets, spaces or control characters.
    SignatureCharacters,
    /// The template is empty.
    TemplateEmpty,
    /// The template has no `{link}`.
    LinkMissing,
    /// `{link}` or `{surname}` appears more than once.
    PlaceholderRepeated,
    /// A `{…}` other than `{link}` and `{surname}` (or a stray brace).
    UnknownPlaceholder,
    /// The template writes its own 【…】: the signature is added by the system.
    SignatureInTemplate,
    /// The template writes its own opt-out: it is appended by the system.
    OptOutInTemplate,
    /// A control character other than a line break.
    ControlCharacter,
    /// The longest possible message takes more segments than allowed.
    TooLong {
        /// Segments the longest message would take.
        segments: u32,
        /// Segments allowed.
        max: u32,
    },
}

impl TextError {
    /// Stable code, e.g. `campaign.text.link_missing`.
    pub const fn code(&self) -> &'static str {
        match self {
            Self::SignatureLength { .. } => "campaign.signature.length",
            Self::SignatureCharacters => "campaign.signature.format",
            Self::TemplateEmpty => "campaign.text.missing",
            Self::LinkMissing => "campaign.text.link_missing",
            Self::PlaceholderRepeated => "campaign.text.placeholder_repeated",
            Self::UnknownPlaceholder => "campaign.text.placeholder_unknown",
            Self::SignatureInTemplate => "campaign.text.signature",
            Self::OptOutInTemplate => "campaign.text.opt_out",
            Self::ControlCharacter => "campaign.text.control",
            Self::TooLong { .. } => "campaign.text.too_long",
        }
    }

    /// The message in Chinese.
    pub fn message_zh(&self) -> String {
        match self {
            Self::SignatureLength { len } => format!("短信签名应为2至12个字，当前为{len}个字"),
            Self::SignatureCharacters => "短信签名不能包含括号、空格或控制字符".to_owned(),
            Self::TemplateEmpty => "请填写短信内容".to_owned(),
            Self::LinkMissing => "短信内容必须包含 {link}（个人邀请链接）".to_owned(),
            Self::PlaceholderRepeated => "{link} 和 {surname} 各只能出现一次".to_owned(),
            Self::UnknownPlaceholder => "短信内容只能使用 {link} 和 {surname} 两个占位符".to_owned(),
            Self::SignatureInTemplate => "短信签名【…】由系统自动添加，请从内容中删除".to_owned(),
            Self::OptOutInTemplate => "退订提示由系统自动添加，请从内容中删除".to_owned(),
            Self::ControlCharacter => "短信内容不能包含控制字符".to_owned(),
            Self::TooLong { segments, max } => {
                format!("短信最长将拆分为{segments}条计费，超过上限{max}条，请精简内容")
            }
        }
    }

    /// The message in English.
    pub fn message_en(&self) -> String {
        match self {
            Self::SignatureLength { len } => format!("The signature must be 2 to 12 characters (got {len})"),
            Self::SignatureCharacters => {
                "The signature may not hold brackets, spaces or control characters".to_owned()
            }
            Self::TemplateEmpty => "Write the message text".to_owned(),
            Self::LinkMissing => "The text must contain {link} (the personal invite link)".to_owned(),
            Self::PlaceholderRepeated => "{link} and {surname} may each appear only once".to_owned(),
            Self::UnknownPlaceholder => "Only the placeholders {link} and {surname} may be used".to_owned(),
            Self::SignatureInTemplate => {
                "The signature 【…】 is added automatically: remove it from the text".to_owned()
            }
            Self::OptOutInTemplate => {
                "The opt-out note is added automatically: remove it from the text".to_owned()
            }
            Self::ControlCharacter => "The text may not contain control characters".to_owned(),
            Self::TooLong { segments, max } => {
                format!(
                    "The longest message would be billed as {segments} SMS, over the limit of {max}: shorten it"
                )
            }
        }
    }
}

/// The federation's SMS signature, as filed with the provider (without the brackets).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signature(String);

impl Signature {
    /// Accepts `安徽省总工会` or `【安徽省总工会】`.
    ///
    /// # Errors
    ///
    /// Length outside 2–12 characters; brackets, spaces or controls inside.
    pub fn parse(text: &str) -> Result<Signature, TextError> {
        let text = text.trim();
        let bare = text.strip_prefix('【').and_then(|t| t.strip_suffix('】')).unwrap_or(text);
        if bare.chars().any(|c| c.is_whitespace() || c.is_control() || "【】[]".contains(c)) {
            return Err(TextError::SignatureCharacters);
        }
        let len = bare.chars().count();
        if !SIGNATURE_CHARS.contains(&len) {
            return Err(TextError::SignatureLength { len });
        }
        Ok(Signature(bare.to_owned()))
    }

    /// The signature without brackets.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// An officer's message text with `{link}` once and `{surname}` at most once.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Template(String);

impl Template {
    /// Checks a template.
    ///
    /// # Errors
    ///
    /// See [`TextError`]; the signature and the opt-out note must not be written in.
    pub fn parse(text: &str) -> Result<Template, TextError> {
        // A browser's textarea sends its line breaks as CR LF; an SMS breaks lines with LF.
        let text = text.trim().replace("\r\n", "\n");
        let text = text.as_str();
        if text.is_empty() {
            return Err(TextError::TemplateEmpty);
        }
        if text.chars().any(|c| c.is_control() && c != '\n') {
            return Err(TextError::ControlCharacter);
        }
        if text.contains(['【', '】']) {
            return Err(TextError::SignatureInTemplate);
        }
        if text.contains("退订") {
            return Err(TextError::OptOutInTemplate);
        }
        match text.matches(LINK).count() {
            0 => return Err(TextError::LinkMissing),
            1 => {}
            _ => return Err(TextError::PlaceholderRepeated),
        }
        if text.matches(SURNAME).count() > 1 {
            return Err(TextError::PlaceholderRepeated);
        }
        if text.replace(LINK, "").replace(SURNAME, "").contains(['{', '}']) {
            return Err(TextError::UnknownPlaceholder);
        }
        Ok(Template(text.to_owned()))
    }

    /// The template as written.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// How long a message is and how many SMS it is billed as.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SmsLength {
    /// UTF-16 units (characters, with a character outside the BMP counting 2).
    pub units: usize,
    /// SMS billed: 1 up to 70 units, else one per 67 units.
    pub segments: u32,
}

/// The length of a message as providers bill it.
pub fn sms_length(text: &str) -> SmsLength {
    let units = text.encode_utf16().count();
    let segments = match units {
        0 => 0,
        1..=SINGLE_SMS_UNITS => 1,
        _ => units.div_ceil(LONG_SMS_SEGMENT_UNITS),
    };
    SmsLength { units, segments: u32::try_from(segments).unwrap_or(u32::MAX) }
}

/// A federation's rules for the texts of its campaigns.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MessageRules {
    /// The signature put in front as 【…】.
    pub signature: Signature,
    /// The opt-out note put at the end.
    pub opt_out_text: String,
    /// The most segments one message may take.
    pub max_segments: u32,
}

impl MessageRules {
    /// The defaults around a signature: "回T退订", at most 3 segments.
    pub fn new(signature: Signature) -> MessageRules {
        MessageRules {
            signature,
            opt_out_text: DEFAULT_OPT_OUT_TEXT.to_owned(),
            max_segments: DEFAULT_MAX_SEGMENTS,
        }
    }

    /// One recipient's message: 【signature】, the template with the link and surname put
    /// in (no surname known: the placeholder is dropped), then the opt-out note — after a
    /// space when the text ends in a URL character, so phones do not read it into the link.
    pub fn compose(&self, template: &Template, link: &str, surname: Option<&str>) -> String {
        let body = template.as_str().replace(LINK, link).replace(SURNAME, surname.unwrap_or(""));
        let gap = if body.ends_with(|c: char| c.is_ascii_graphic()) { " " } else { "" };
        format!("【{}】{body}{gap}{}", self.signature.as_str(), self.opt_out_text)
    }

    /// Checks that the longest message the template can make (a two-character surname,
    /// a link of `link_chars`) fits in the allowed segments; returns that length.
    ///
    /// # Errors
    ///
    /// [`TextError::TooLong`].
    pub fn check(&self, template: &Template, link_chars: usize) -> Result<SmsLength, TextError> {
        let longest = self.compose(template, &"x".repeat(link_chars), Some("欧阳"));
        let length = sms_length(&longest);
        if length.segments > self.max_segments {
            return Err(TextError::TooLong { segments: length.segments, max: self.max_segments });
        }
        Ok(length)
    }
}

/// The surname to address someone by, for Han names of 2–4 characters (欧阳娜娜 → 欧阳,
/// 张三 → 张); `None` for other names (阿依古丽·买买提, Latin names), which have no
/// surname to put before 师傅.
pub fn surname(name: &PersonName) -> Option<&str> {
    let name = name.as_str();
    let chars = name.chars().count();
    let han = name
        .chars()
        .all(|c| matches!(c, '\u{4E00}'..='\u{9FFF}' | '\u{3400}'..='\u{4DBF}' | '\u{20000}'..='\u{3134F}'));
    if !han || !(2..=4).contains(&chars) {
        return None;
    }
    if chars >= 3
        && let Some(compound) = COMPOUND_SURNAMES.iter().find(|s| name.starts_with(**s))
    {
        return Some(compound);
    }
    name.char_indices().nth(1).map(|(end, _)| &name[..end])
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn rules() -> MessageRules {
        MessageRules::new(Signature::parse("【安徽省总工会】").unwrap())
    }

    #[test]
    fn signatures() {
        assert_eq!(Signature::parse(" 安徽省总工会 ").unwrap().as_str(), "安徽省总工会");
        assert_eq!(Signature::parse("【合肥市总工会】").unwrap().as_str(), "合肥市总工会");
        assert_eq!(Signature::parse("工"), Err(TextError::SignatureLength { len: 1 }));
        assert_eq!(Signature::parse(&"工".repeat(13)), Err(TextError::SignatureLength { len: 13 }));
        assert_eq!(Signature::parse("安徽 总工会"), Err(TextError::SignatureCharacters));
        assert_eq!(Signature::parse("【安徽】总工会】"), Err(TextError::SignatureCharacters));
    }

    #[test]
    fn templates_are_checked() {
        assert!(Template::parse("{surname}师傅您好，加入工会点 {link}").is_ok());
        let typed =
            Template::parse("{surname}师傅您好：\r\n加入工会点 {link}").map(|t| t.as_str().to_owned());
        assert_eq!(
            typed.as_deref(),
            Ok("{surname}师傅您好：\n加入工会点 {link}"),
            "a textarea's CR LF is a line break"
        );
        let cases = [
            ("  ", TextError::TemplateEmpty),
            ("欢迎入会", TextError::LinkMissing),
            ("{link} {link}", TextError::PlaceholderRepeated),
            ("{surname}{surname} {link}", TextError::PlaceholderRepeated),
            ("{name}您好 {link}", TextError::UnknownPlaceholder),
            ("您好 {link", TextError::LinkMissing),
            ("您好} {link}", TextError::UnknownPlaceholder),
            ("【工会】您好 {link}", TextError::SignatureInTemplate),
            ("您好 {link} 回T退订", TextError::OptOutInTemplate),
            ("您好\u{7} {link}", TextError::ControlCharacter),
            ("您好\r {link}", TextError::ControlCharacter),
        ];
        for (text, error) in cases {
            assert_eq!(Template::parse(text), Err(error.clone()), "{text}");
            assert!(
                !error.message_zh().is_empty() && !error.message_en().is_empty() && !error.code().is_empty()
            );
        }
    }

    #[test]
    fn messages_are_composed_with_signature_link_surname_and_opt_out() {
        let template = Template::parse("{surname}师傅您好，货车司机入会点 {link}").unwrap();
        let link = "https://hj.example.cn/i/abcdefghjkmnp";
        assert_eq!(
            rules().compose(&template, link, Some("张")),
            format!("【安徽省总工会】张师傅您好，货车司机入会点 {link} 回T退订")
        );
        assert_eq!(
            rules().compose(&template, link, None),
            format!("【安徽省总工会】师傅您好，货车司机入会点 {link} 回T退订")
        );
        let ends_in_chinese = Template::parse("入会点{link}，欢迎").unwrap();
        assert_eq!(rules().compose(&ends_in_chinese, "L", None), "【安徽省总工会】入会点L，欢迎回T退订");
        let custom = MessageRules { opt_out_text: "拒收请回复R".into(), ..rules() };
        assert!(custom.compose(&ends_in_chinese, "L", None).ends_with("欢迎拒收请回复R"));
    }

    #[test]
    fn lengths_and_segments() {
        assert_eq!(sms_length(""), SmsLength { units: 0, segments: 0 });
        assert_eq!(sms_length(&"字".repeat(70)), SmsLength { units: 70, segments: 1 });
        assert_eq!(sms_length(&"字".repeat(71)), SmsLength { units: 71, segments: 2 });
        assert_eq!(sms_length(&"字".repeat(134)), SmsLength { units: 134, segments: 2 });
        assert_eq!(sms_length(&"字".repeat(135)), SmsLength { units: 135, segments: 3 });
        assert_eq!(sms_length("𠮷"), SmsLength { units: 2, segments: 1 });
    }

    #[test]
    fn the_longest_message_must_fit() {
        let template = Template::parse("{surname}师傅您好，诚邀您加入工会：{link}").unwrap();
        let fits = rules().check(&template, 37).unwrap();
        // 【安徽省总工会】(8) + 欧阳师傅您好，诚邀您加入工会：(15) + link 37 + space + 回T退订 (4)
        assert_eq!(fits, SmsLength { units: 65, segments: 1 });
        let long = Template::parse(&format!("{}{{link}}", "很".repeat(200))).unwrap();
        assert_eq!(rules().check(&long, 37), Err(TextError::TooLong { segments: 4, max: 3 }));
    }

    #[test]
    fn surnames() {
        let s = |name: &str| surname(&PersonName::parse(name).unwrap()).map(str::to_owned);
        assert_eq!(s("张三").as_deref(), Some("张"));
        assert_eq!(s("欧阳娜娜").as_deref(), Some("欧阳"));
        assert_eq!(s("欧阳").as_deref(), Some("欧"));
        assert_eq!(s("𠮷野家").as_deref(), Some("𠮷"));
        assert_eq!(s("阿依古丽·买买提"), None);
        assert_eq!(s("Li Wei"), None);
        assert_eq!(s("李"), None);
    }
}
