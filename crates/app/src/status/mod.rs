//! What an applicant or member reaches from `/status` after proving their mobile with
//! an SMS code: their applications and memberships ([`records`]), and the member's side
//! of a transfer (接转) — asking to move a held membership, answering a union's request
//! for it ([`transfer`]). The officers' side of transfers is `crate::transfers`' business;
//! the member's side lives here because its proof is the status page's SMS check.

pub mod decisions;
pub mod records;
pub mod transfer;

pub use records::{AskLine, MembershipLine, StatusError, StatusRecords, records};
pub use transfer::{MemberTransferError, answer_transfer, request_transfer};
