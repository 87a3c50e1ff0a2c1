//! The contest pass: what a member carries after proving who they are by an SMS code or
//! their member card, so the contest pages know whose attempts to show. It is signed by
//! the server and lasts four hours; it names a membership and nothing else. The web door
//! carries it as a cookie; the contest benchmark writes passes for its load generator.

use huiji_core::{MembershipId, Timestamp};

use crate::keys::Keys;

/// How long a pass lasts: longer than any attempt (at most two hours) started with it.
pub const PASS_MILLIS: i64 = 4 * 3600 * 1000;

fn payload(membership: MembershipId, expires: i64) -> String {
    format!("contest-pass:{membership}:{expires}")
}

/// `{membership}.{expires_ms}.{signature}`: the membership's pass from `now`.
pub fn issue(keys: &Keys, membership: MembershipId, now: Timestamp) -> String {
    let expires = now.millis() + PASS_MILLIS;
    let signature = keys.card_signature(&payload(membership, expires)).to_hex();
    format!("{membership}.{expires}.{signature}")
}

/// The membership a genuine, unexpired pass names.
pub fn verify(keys: &Keys, pass: &str, now: Timestamp) -> Option<MembershipId> {
    let mut parts = pass.splitn(3, '.');
    let membership = MembershipId(parts.next()?.parse().ok()?);
    let expires: i64 = parts.next()?.parse().ok()?;
    let genuine = keys.verify_card_signature(&payload(membership, expires), parts.next()?);
    (genuine && now.millis() <= expires).then_some(membership)
}
