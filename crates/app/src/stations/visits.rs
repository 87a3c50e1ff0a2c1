//! Counting visits: a station's staff — an officer (not a viewer) of the owning union's
//! subtree — record a member's visit after scanning the member card, or an anonymous
//! one with the counter button. Only per-day counts are kept, never who visited.
//!
//! A card counts once per station and China day: scanning it again (a double tap, the
//! member back after lunch) answers "already counted" and adds nothing, so a station's
//! member visits are people, not scans. What remembers the card until the day ends is a
//! keyed hash of membership, station and day (as the QR scans' visitors are), deleted
//! with the day. The anonymous counter counts every press: nobody to recognise.

use huiji_core::stations::StationId;
use huiji_store::VisitDay;

use super::{StationError, station_for};
use crate::App;
use crate::actor::Actor;
use crate::joining::card;

/// Who visited.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Visitor<'a> {
    /// A member, by the token of the card the staff scanned (checked to hold a
    /// membership that is still current).
    Member(&'a str),
    /// Someone the staff counted without a card.
    Anonymous,
}

/// What a scan needs to recognise a card the station counted today, signed for.
const VISIT_PURPOSE: &str = "station-visit";

/// Whether a visit was counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Counted {
    /// It was: one more visit today.
    Yes,
    /// The card was already counted at this station today; nothing was added.
    AlreadyToday,
}

/// Counts a visit today (China time): a card once per station and day, every anonymous
/// press.
///
/// # Errors
///
/// The station is missing or out of scope, the actor is a viewer, the card is not a
/// current member's ([`StationError::NotFound`]), or the store's.
pub async fn record(
    app: &App,
    actor: &Actor,
    station: StationId,
    visitor: Visitor<'_>,
) -> Result<Counted, StationError> {
    let record = station_for(app, actor, station).await?;
    if !actor.acts_on(&record.org_path) {
        return Err(StationError::Forbidden);
    }
    let today = app.now().china_date();
    match visitor {
        Visitor::Member(token) => {
            let membership = card::membership(app, token).await?.ok_or(StationError::NotFound)?;
            if !membership.status.is_held() {
                return Err(StationError::NotFound);
            }
            let seen = format!("{VISIT_PURPOSE}:{today}:{station}:{}", membership.id);
            let mark = app.keys().card_signature(&seen).to_hex();
            Ok(if app.store().record_member_visit(station, today, &mark).await? {
                Counted::Yes
            } else {
                Counted::AlreadyToday
            })
        }
        Visitor::Anonymous => {
            app.store().record_visit(station, today, false).await?;
            Ok(Counted::Yes)
        }
    }
}

/// A station's visits over the last `days` days (today included), by day.
///
/// # Errors
///
/// Not found or out of scope, or the store's.
pub async fn recent(
    app: &App,
    actor: &Actor,
    station: StationId,
    days: u16,
) -> Result<Vec<VisitDay>, StationError> {
    station_for(app, actor, station).await?;
    let now = app.now();
    let from = now.plus_days(-i64::from(days.max(1)) + 1).china_date();
    Ok(app.store().station_visits(station, from, now.china_date()).await?)
}
