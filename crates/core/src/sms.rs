//! SMS verification codes: 6 digits, valid 5 minutes, 5 tries; and the text of every
//! message a worker receives.

use crate::org::UnionContact;

/// How long a code stays valid.
pub const CODE_TTL_MILLIS: i64 = 5 * 60 * 1000;

/// Wrong tries allowed before a code is void.
pub const MAX_ATTEMPTS: u32 = 5;

/// A new code may be sent to one mobile at most once in this window.
pub const RESEND_INTERVAL_MILLIS: i64 = 60 * 1000;

/// What a mobile's SMS code is for; a code sent for one purpose never proves another.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsPurpose {
    /// Verifying the mobile on the join form.
    Join,
    /// Checking one's application status.
    Status,
    /// Entering a 安康杯 contest as a member.
    Contest,
    /// Filing a legal-aid case on `/legal`.
    Legal,
}

impl SmsPurpose {
    /// The stored code.
    pub const fn code(self) -> &'static str {
        match self {
            SmsPurpose::Join => "join",
            SmsPurpose::Status => "status",
            SmsPurpose::Contest => "contest",
            SmsPurpose::Legal => "legal",
        }
    }
}

/// Formats a random number as a 6-digit code (leading zeros kept). The caller draws the
/// number, so tests choose it.
pub fn code_from_random(random: u32) -> String {
    format!("{:06}", random % 1_000_000)
}

/// Whether a typed code is plausible at all (6 ASCII digits after trimming); anything
/// else is not worth a database round trip, nor a try.
pub fn normalise_code(typed: &str) -> Option<String> {
    let code: String = typed
        .chars()
        .filter(|c| !c.is_whitespace())
        .map(|c| match c {
            '０'..='９' => char::from_u32(c as u32 - '０' as u32 + '0' as u32).unwrap_or(c),
            _ => c,
        })
        .collect();
    (code.len() == 6 && code.bytes().all(|b| b.is_ascii_digit())).then_some(code)
}

/// The outcome of checking a typed code against the latest one sent.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SmsCheck {
    /// Right code, in time: the mobile is verified (and the code is used up).
    Verified,
    /// Wrong code; this many tries remain.
    Wrong {
        /// Tries left before the code is void.
        attempts_left: u32,
    },
    /// The code is older than 5 minutes.
    Expired,
    /// Five wrong tries: a new code must be requested.
    Exhausted,
    /// No code was sent (or it was already used).
    NoCode,
}

/// Judges one try. `attempts` counts earlier wrong tries of this code.
pub fn judge(attempts: u32, expires_at: i64, now: i64, matches: bool) -> SmsCheck {
    if now >= expires_at {
        SmsCheck::Expired
    } else if attempts >= MAX_ATTEMPTS {
        SmsCheck::Exhausted
    } else if matches {
        SmsCheck::Verified
    } else {
        SmsCheck::Wrong { attempts_left: MAX_ATTEMPTS - attempts - 1 }
    }
}

/// The text of a verification code SMS. Every text a worker receives is written here, so
/// the wording (and the 【会籍】 signature the gateways require) lives in one place.
pub fn verification_text(code: &str) -> String {
    format!("【会籍】您的验证码是{code}，5分钟内有效，请勿告诉他人。")
}

/// The welcome SMS a new member gets, whether the union approved them at once or an
/// officer did: their member number (grouped, as people read it everywhere), the union
/// that holds the membership, and the way to the member card — the fixed `/status` page,
/// where the card opens after proving the mobile (SMS providers refuse links as
/// variables, so a card's own token link cannot be sent).
pub fn welcome_text(member_number: &crate::MemberNumber, union: &str, public_url: &str) -> String {
    format!(
        "【会籍】欢迎加入工会！您的会员号是{}，会籍在{}。电子会员证：{public_url}/status",
        member_number.grouped(),
        union
    )
}

/// The SMS telling a member that a union asked for their membership: a fixed link to the
/// fixed `/status` page (SMS providers refuse links as variables), where they agree or
/// refuse after proving the mobile.
pub fn transfer_request_text(union: &str, public_url: &str) -> String {
    format!(
        "【会籍】{union}申请将您的工会会籍转入该会。是否同意，请打开 {public_url}/status 验证本机号码后选择。"
    )
}

/// The longest part of a rejection reason an SMS repeats; `/status` shows all of it.
const SMS_REASON_CHARS: usize = 60;

/// The SMS telling an applicant their application was refused: the reason (shortened to
/// [`SMS_REASON_CHARS`] characters, the whole of it on `/status`), the union that decided
/// with its contact details, and what to do next — the two steps
/// [`crate::notice::REJECTION_NEXT_ZH`] names on `/status`: ask the union, or correct the
/// application and send it again.
pub fn rejection_text(union: &str, reason: &str, contact: &UnionContact, public_url: &str) -> String {
    let mut short: String = reason.chars().take(SMS_REASON_CHARS).collect();
    if reason.chars().count() > SMS_REASON_CHARS {
        short.push('…');
    }
    format!(
        "【会籍】您的入会申请未通过{union}审核，原因：{short}。如有疑问请联系该工会{contact}；如信息填写有误，可修改后重新申请：{public_url}/join。详情：{public_url}/status",
        contact = contact.sms_clause()
    )
}

/// The SMS telling an applicant their review passed its deadline and moved up to `union`
/// (the parent federation), which decides now.
pub fn escalation_text(union: &str, public_url: &str) -> String {
    format!("【会籍】您的入会申请超过审核期限，已转由{union}审核，请耐心等待。查询进度：{public_url}/status")
}

/// The SMS telling a member their membership moved to `union` by a transfer.
pub fn transfer_agreed_text(union: &str, public_url: &str) -> String {
    format!("【会籍】您的工会会籍已转入{union}，会员号不变。电子会员证：{public_url}/status")
}

/// The SMS telling a member that the transfer to `to` was refused: the membership stays at
/// `home`, whose contact details follow.
pub fn transfer_refused_text(to: &str, home: &str, contact: &UnionContact, public_url: &str) -> String {
    format!(
        "【会籍】您的会籍转入{to}的申请未获同意，会籍仍在{home}。如有疑问请联系{home}{}。详情：{public_url}/status",
        contact.sms_clause()
    )
}

/// The SMS telling a pool member they were distributed (分流) to `union`, with its contact
/// details.
pub fn distribution_text(union: &str, contact: &UnionContact, public_url: &str) -> String {
    format!(
        "【会籍】您的会籍已由周转池分流至{union}{}，会员号不变。电子会员证：{public_url}/status",
        contact.sms_clause()
    )
}

/// The SMS confirming a legal-aid case was filed: its number (the worker quotes it when
/// calling), the federation handling it, the first-response promise, and `/status`, where
/// it is followed after proving the mobile.
pub fn case_filed_text(case: crate::case::CaseId, federation: &str, public_url: &str) -> String {
    format!(
        "【会籍】您的维权求助已提交，案件编号{case}，由{federation}办理，1个工作日内答复。查询进度：{public_url}/status"
    )
}

/// The SMS telling the worker an officer of `federation` accepted their case.
pub fn case_accepted_text(case: crate::case::CaseId, federation: &str, public_url: &str) -> String {
    format!("【会籍】您的维权求助（编号{case}）已由{federation}受理。查询进度：{public_url}/status")
}

/// The SMS telling the worker a step was taken on their case (mediation, arbitration …).
pub fn case_step_text(
    case: crate::case::CaseId,
    step: crate::case::StepKind,
    federation: &str,
    public_url: &str,
) -> String {
    format!(
        "【会籍】您的维权求助（编号{case}）有新进展：{federation}已进行{}。详情：{public_url}/status",
        step.label_zh()
    )
}

/// The SMS telling the worker their case closed, with the outcome (and the amount
/// recovered), asking them to rate it on `/status`.
pub fn case_closed_text(
    case: crate::case::CaseId,
    outcome: crate::case::CaseOutcome,
    public_url: &str,
) -> String {
    let how = match outcome {
        crate::case::CaseOutcome::Recovered(amount) => format!("{}{amount}元", outcome.kind().label_zh()),
        _ => outcome.kind().label_zh().to_owned(),
    };
    format!("【会籍】您的维权求助（编号{case}）已办结，结果：{how}。请在{public_url}/status为办理情况评价。")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn case_texts_name_the_case_and_what_happened() {
        use crate::case::{CaseId, CaseOutcome, StepKind};
        use crate::money::Amount;
        let url = "https://h.example";
        assert!(case_filed_text(CaseId(42), "肥东县总工会", url).contains("案件编号42，由肥东县总工会办理"));
        assert!(case_step_text(CaseId(42), StepKind::Mediation, "肥东县总工会", url).contains("已进行调解"));
        let amount = Amount::from_yuan(3200).unwrap();
        let closed = case_closed_text(CaseId(42), CaseOutcome::Recovered(amount), url);
        assert!(closed.contains("追回款项3200.00元") && closed.starts_with("【会籍】"), "{closed}");
        assert!(case_accepted_text(CaseId(42), "肥东县总工会", url).ends_with("https://h.example/status"));
    }

    #[test]
    fn five_minutes_five_tries() {
        assert_eq!(judge(0, 1000, 999, true), SmsCheck::Verified);
        assert_eq!(judge(0, 1000, 1000, true), SmsCheck::Expired);
        assert_eq!(judge(0, 1000, 10, false), SmsCheck::Wrong { attempts_left: 4 });
        assert_eq!(judge(4, 1000, 10, false), SmsCheck::Wrong { attempts_left: 0 });
        assert_eq!(judge(5, 1000, 10, true), SmsCheck::Exhausted);
    }

    #[test]
    fn codes_are_six_digits() {
        assert_eq!(code_from_random(42), "000042");
        assert_eq!(code_from_random(4_123_456), "123456");
        assert_eq!(normalise_code(" １２３ 456 ").as_deref(), Some("123456"));
        assert_eq!(normalise_code("12345"), None);
        assert_eq!(normalise_code("12345a"), None);
    }

    #[test]
    fn decision_texts_say_who_why_and_what_next() {
        let contact = UnionContact::parse("", "0551-63456789", "张敏").unwrap();
        let text = rejection_text("肥东县总工会", &"不".repeat(70), &contact, "https://h.example");
        assert!(text.contains(&format!("原因：{}…。", "不".repeat(60))), "{text}");
        assert!(text.contains("（联系人：张敏，电话：0551-63456789）"), "{text}");
        assert!(
            text.contains("可修改后重新申请：https://h.example/join。") && text.starts_with("【会籍】"),
            "{text}"
        );
        let text = transfer_refused_text("甲工会", "乙工会", &UnionContact::default(), "u");
        assert!(text.contains("会籍仍在乙工会。如有疑问请联系乙工会。"), "{text}");
        assert!(escalation_text("合肥市总工会", "u").contains("转由合肥市总工会审核"));
        assert!(distribution_text("某社区工会", &contact, "u").contains("分流至某社区工会（联系人"));
        assert!(transfer_agreed_text("丙工会", "u").contains("已转入丙工会"));
    }
}
