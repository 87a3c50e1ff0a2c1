//! SMS verification codes: 6 digits, valid 5 minutes, 5 tries.

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

#[cfg(test)]
mod tests {
    use super::*;

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
}
