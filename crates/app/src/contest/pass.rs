//! The contest pass: what a member carries after proving who they are by an SMS code or
//! their member card, so the contest pages know whose attempts to show. It is signed by
//! the server and lasts four hours; it names a membership and nothing else. The web door
//! carries it as a cookie; the contest benchmark writes passes for its load generator.

use huiji_core::{MembershipId, Timestamp};

use crate::keys::Keys;

/// How long a pass lasts: longer than any attempt (at most two hours) started with it.
pub const PASS_MILLIS: i64 = 4 * 3600 * 1000;

/// What a pass's signature is for.
const PURPOSE: &str = "contest-pass";

/// `{membership}.{expires_ms}.{signature}`: the membership's pass from `now`.
pub fn issue(keys: &Keys, membership: MembershipId, now: Timestamp) -> String {
    keys.expiring_token(PURPOSE, membership.0, now.millis() + PASS_MILLIS)
}

/// The membership a genuine, unexpired pass names.
pub fn verify(keys: &Keys, pass: &str, now: Timestamp) -> Option<MembershipId> {
    keys.verify_expiring_token(PURPOSE, pass, now.millis()).map(MembershipId)
}
