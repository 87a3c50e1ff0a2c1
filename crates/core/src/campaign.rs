//! Targeted SMS invitations (定向短信邀请): the rules a campaign obeys, pure.
//!
//! - [`text`]: the message from the officer's template — signature 【…】 in front, the
//!   personal link and surname put in, opt-out note appended — and its SMS segments.
//! - [`reply`]: which inbound replies opt a mobile out (退订, T, TD, R, N).
//! - [`schedule`]: quiet hours (default 21:00–08:00 China time) and the per-mobile cap
//!   (default one campaign message in 7 days).
//! - [`pace`]: how many messages the sender may hand to the provider in each second.
//! - [`invite`]: the personal invite code of `PUBLIC_URL/i/{code}` and its expiry.
//! - Here: the funnel's stages and a message's delivery state.

pub mod invite;
pub mod pace;
pub mod reply;
pub mod schedule;
pub mod text;

use std::fmt;
use std::str::FromStr;

pub use invite::{InviteCode, InviteCodeError, deal};
pub use pace::SendBudget;
pub use reply::is_opt_out;
pub use schedule::{FrequencyCap, QuietHours, next_send_time};
pub use text::{MessageRules, Signature, SmsLength, Template, TextError, sms_length};

/// The stages of a campaign's funnel, in order: each counts the recipients who got at
/// least that far.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FunnelStage {
    /// Picked by the campaign's filters (and not suppressed).
    Targeted,
    /// Handed to the SMS provider.
    Sent,
    /// Confirmed delivered by the provider's receipt.
    Delivered,
    /// Opened the invite link.
    Clicked,
    /// Submitted an application through it.
    Applied,
    /// Approved: a new member.
    Approved,
}

impl FunnelStage {
    /// Every stage, in funnel order.
    pub const ALL: [FunnelStage; 6] =
        [Self::Targeted, Self::Sent, Self::Delivered, Self::Clicked, Self::Applied, Self::Approved];

    /// The code used in reports and JSON, e.g. `delivered`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Targeted => "targeted",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Clicked => "clicked",
            Self::Applied => "applied",
            Self::Approved => "approved",
        }
    }

    /// The Chinese label.
    pub const fn label_zh(self) -> &'static str {
        match self {
            Self::Targeted => "目标人数",
            Self::Sent => "已发送",
            Self::Delivered => "已送达",
            Self::Clicked => "已点击",
            Self::Applied => "已申请",
            Self::Approved => "已入会",
        }
    }

    /// The English label.
    pub const fn label_en(self) -> &'static str {
        match self {
            Self::Targeted => "Targeted",
            Self::Sent => "Sent",
            Self::Delivered => "Delivered",
            Self::Clicked => "Clicked",
            Self::Applied => "Applied",
            Self::Approved => "Approved",
        }
    }
}

impl fmt::Display for FunnelStage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

/// The text is not a code of this enum.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("unknown code")]
pub struct UnknownCode;

impl FromStr for FunnelStage {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or(UnknownCode)
    }
}

/// Where one campaign message stands.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MessageState {
    /// Waiting for its send time (quiet hours, the cap, the provider's rate).
    Queued,
    /// Not sent: the mobile opted out (or was suppressed) before its turn.
    Suppressed,
    /// Handed to the provider; no receipt yet.
    Sent,
    /// The provider confirmed delivery.
    Delivered,
    /// The provider reported failure.
    Failed,
}

/// What a delivery receipt says.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Receipt {
    /// Delivered to the phone.
    Delivered,
    /// Not deliverable.
    Failed,
}

impl MessageState {
    /// Every state.
    pub const ALL: [MessageState; 5] =
        [Self::Queued, Self::Suppressed, Self::Sent, Self::Delivered, Self::Failed];

    /// The stored code, e.g. `queued`.
    pub const fn code(self) -> &'static str {
        match self {
            Self::Queued => "queued",
            Self::Suppressed => "suppressed",
            Self::Sent => "sent",
            Self::Delivered => "delivered",
            Self::Failed => "failed",
        }
    }

    /// Whether nothing more will happen to the message.
    pub const fn is_final(self) -> bool {
        matches!(self, Self::Suppressed | Self::Delivered | Self::Failed)
    }

    /// The state after a receipt. Providers retry and reorder receipts: a duplicate
    /// changes nothing, a receipt may arrive before the send was recorded (it still
    /// counts), and the first final word stands. A suppressed message was never sent, so
    /// a receipt for it is ignored.
    pub const fn after_receipt(self, receipt: Receipt) -> MessageState {
        match (self, receipt) {
            (Self::Queued | Self::Sent, Receipt::Delivered) => Self::Delivered,
            (Self::Queued | Self::Sent, Receipt::Failed) => Self::Failed,
            (state, _) => state,
        }
    }
}

impl fmt::Display for MessageState {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for MessageState {
    type Err = UnknownCode;

    fn from_str(code: &str) -> Result<Self, Self::Err> {
        Self::ALL.into_iter().find(|s| s.code() == code).ok_or(UnknownCode)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn funnel_stages_in_order() {
        let codes: Vec<&str> = FunnelStage::ALL.iter().map(|s| s.code()).collect();
        assert_eq!(codes, ["targeted", "sent", "delivered", "clicked", "applied", "approved"]);
        assert!(FunnelStage::ALL.windows(2).all(|w| w[0] < w[1]));
        for stage in FunnelStage::ALL {
            assert_eq!(stage.code().parse(), Ok(stage));
            assert_eq!(stage.to_string(), stage.code());
            assert!(!stage.label_zh().is_empty() && !stage.label_en().is_empty());
        }
        assert_eq!("opened".parse::<FunnelStage>(), Err(UnknownCode));
    }

    #[test]
    fn receipts_are_idempotent_and_order_free() {
        use MessageState::*;
        assert_eq!(Sent.after_receipt(Receipt::Delivered), Delivered);
        assert_eq!(Sent.after_receipt(Receipt::Failed), Failed);
        // Before the send was recorded.
        assert_eq!(Queued.after_receipt(Receipt::Delivered), Delivered);
        // Duplicates and late contradictions change nothing.
        assert_eq!(Delivered.after_receipt(Receipt::Delivered), Delivered);
        assert_eq!(Delivered.after_receipt(Receipt::Failed), Delivered);
        assert_eq!(Failed.after_receipt(Receipt::Delivered), Failed);
        assert_eq!(Suppressed.after_receipt(Receipt::Delivered), Suppressed);
        for state in MessageState::ALL {
            assert_eq!(state.code().parse(), Ok(state));
            for receipt in [Receipt::Delivered, Receipt::Failed] {
                let once = state.after_receipt(receipt);
                assert_eq!(once.after_receipt(receipt), once);
                assert!(once.is_final() || state == once);
            }
        }
    }
}
