//! The figures of one union's subtree, as `/console/stats` and its XLSX export show them:
//! members now (by occupation, child union, channel, status), flows by month and by week,
//! members on a past date, review, stations and legal-aid cases, and the other areas'
//! panels (`super::panels`). Every membership count is a sum over rollups (see
//! `huiji_store::StatsStore`).

use std::collections::BTreeMap;

use huiji_core::stats::review::histogram_percentile;
use huiji_core::stats::{
    self, Flows, after, day_key, last_months, last_weeks, members_on, month_key, per_mille,
};
use huiji_core::{Channel, CivilDate, MembershipStatus, Occupation, Org, OrgId};
use huiji_store::{CaseTally, ChildTally, Period, StationFigures};

use super::panels::{Panels, panels};
use super::{StatsError, union_for};
use crate::App;
use crate::actor::Actor;

/// Months the flows table shows.
pub const MONTHS: u32 = 12;
/// Weeks the weekly table shows.
pub const WEEKS: u32 = 12;
/// A year after any the rollups hold.
const LAST_YEAR: i64 = 2999;
/// Days the review, station and case figures look back.
pub const RECENT_DAYS: i64 = 30;

/// Members now through one channel (a platform's joins each on their own line).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ChannelLine {
    /// The door.
    pub channel: Channel,
    /// The platform's name, for platform joins.
    pub platform: Option<String>,
    /// Members held.
    pub members: i64,
}

/// One period's flows and its joins by channel.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PeriodLine {
    /// The month (`YYYYMM`) or the week's Monday (`YYYYMMDD`).
    pub key: i64,
    /// The flows.
    pub flows: Flows,
    /// Joins per channel, in [`Channel::ALL`]'s order.
    pub joins_by_channel: Vec<i64>,
}

/// Members held on a past date.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OnDate {
    /// The date (the end of that China day).
    pub date: CivilDate,
    /// Members held then.
    pub held: i64,
    /// By occupation (those with any then).
    pub by_occupation: Vec<(Occupation, i64)>,
}

/// The review queue's figures over the recent days.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ReviewFigures {
    /// Applications received.
    pub received: i64,
    /// Decided (approved or rejected).
    pub decided: i64,
    /// Median time to an officer's decision (ms).
    pub median_ms: Option<i64>,
    /// 90th percentile of it (ms).
    pub p90_ms: Option<i64>,
    /// Waiting now.
    pub pending: i64,
    /// Waiting past their deadline now.
    pub overdue: i64,
    /// Received and escalated to a parent union.
    pub escalated: i64,
    /// Instant approvals among decisions, per mille.
    pub instant_per_mille: Option<i64>,
}

/// Everything the statistics page shows for one union's subtree.
#[derive(Clone, Debug)]
pub struct Figures {
    /// The union.
    pub org: Org,
    /// Today (China).
    pub today: CivilDate,
    /// Members held now.
    pub held: i64,
    /// Held, by occupation.
    pub by_occupation: Vec<(Occupation, i64)>,
    /// Child unions with their subtrees' members and net growth over the months shown.
    pub by_child: Vec<ChildTally>,
    /// Held, by channel.
    pub by_channel: Vec<ChannelLine>,
    /// Memberships by status (held and ended).
    pub by_status: Vec<(MembershipStatus, i64)>,
    /// The last [`MONTHS`] months, oldest first.
    pub months: Vec<PeriodLine>,
    /// The last [`WEEKS`] weeks, oldest first.
    pub weeks: Vec<PeriodLine>,
    /// The day with the most joins in the months shown.
    pub busiest_day: Option<(CivilDate, i64)>,
    /// Members on the date asked for.
    pub on: Option<OnDate>,
    /// Review over the last [`RECENT_DAYS`] days.
    pub review: ReviewFigures,
    /// Stations and their visits over the last [`RECENT_DAYS`] days.
    pub stations: StationFigures,
    /// Legal-aid cases (closed ones over the last [`RECENT_DAYS`] days).
    pub cases: CaseTally,
    /// Outreach, benefits, innovation and contests.
    pub panels: Panels,
}

fn channel_index(channel: Channel) -> usize {
    Channel::ALL.iter().position(|c| *c == channel).unwrap_or(0)
}

/// The figures of `org`'s subtree; with `on`, also the members held at the end of that day.
///
/// # Errors
///
/// The union is missing or out of scope, or the store's.
pub async fn figures(
    app: &App,
    actor: &Actor,
    org: OrgId,
    on: Option<CivilDate>,
) -> Result<Figures, StatsError> {
    let org = union_for(app, actor, org).await?;
    let store = app.store();
    let now = app.now();
    let today = now.china_date();
    let path = &org.path;

    let tallies = store.membership_tallies(path).await?;
    let mut by_occupation: BTreeMap<Occupation, i64> = BTreeMap::new();
    let mut by_status: BTreeMap<MembershipStatus, i64> = BTreeMap::new();
    let mut by_channel: BTreeMap<(Channel, i64), i64> = BTreeMap::new();
    for t in &tallies {
        *by_status.entry(t.status).or_default() += t.members;
        if t.status.is_held() {
            *by_occupation.entry(t.occupation).or_default() += t.members;
            *by_channel.entry((t.channel, t.platform_id)).or_default() += t.members;
        }
    }
    let held: i64 = by_occupation.values().sum();
    let platforms: BTreeMap<i64, String> = if by_channel.keys().any(|(_, p)| *p != 0) {
        store.platforms().await?.into_iter().map(|p| (p.id, p.name)).collect()
    } else {
        BTreeMap::new()
    };
    let by_channel = by_channel
        .into_iter()
        .filter(|(_, n)| *n != 0)
        .map(|((channel, platform), members)| ChannelLine {
            channel,
            platform: (platform != 0)
                .then(|| platforms.get(&platform).cloned().unwrap_or_else(|| format!("#{platform}"))),
            members,
        })
        .collect();

    let month_keys = last_months(today, MONTHS);
    let first_month = month_keys.first().copied().unwrap_or_else(|| month_key(today));
    let monthly = store.flow_tallies(path, Period::Month, first_month, month_key(today)).await?;
    let months = lines(&month_keys, monthly.iter().map(|t| (t.period, t.channel, &t.flows)));

    let weeks = last_weeks(today, WEEKS);
    let (first_day, last_day) = match (weeks.first(), weeks.last()) {
        (Some(first), Some(last)) => (day_key(first.first), day_key(last.last)),
        _ => (day_key(today), day_key(today)),
    };
    let daily = store.flow_tallies(path, Period::Day, first_day, last_day).await?;
    let week_keys: Vec<i64> = weeks.iter().map(|w| day_key(w.first)).collect();
    let week_of = |day: i64| week_keys.iter().rev().find(|monday| **monday <= day).copied().unwrap_or(day);
    let weeks = lines(&week_keys, daily.iter().map(|t| (week_of(t.period), t.channel, &t.flows)));

    let busiest_day = store
        .busiest_day(path, first_month * 100 + 1, day_key(today))
        .await?
        .and_then(|(day, joins)| Some((stats::date_of_day_key(day)?, joins)));

    let on = match on {
        Some(date) => Some(on_date(app, &org, date, &by_occupation).await?),
        None => None,
    };

    let since = now.plus_days(-RECENT_DAYS);
    let first_day = today.plus_days(1 - RECENT_DAYS).unwrap_or(today);
    let t = store.review_tally(path, first_day, today, now).await?;
    let review = ReviewFigures {
        received: t.received,
        decided: t.decided,
        median_ms: histogram_percentile(&t.officer_times, 50),
        p90_ms: histogram_percentile(&t.officer_times, 90),
        pending: t.pending,
        overdue: t.overdue,
        escalated: t.escalated,
        instant_per_mille: per_mille(t.instant, t.decided),
    };
    let stations = store.station_figures(path, since.china_date(), today).await?;
    let cases = store.case_tally(path, since, now).await?;
    let by_child = store.child_tallies(org.id, first_month).await?;
    let panels = panels(app, &org).await?;

    Ok(Figures {
        org,
        today,
        held,
        by_occupation: by_occupation.into_iter().filter(|(_, n)| *n != 0).collect(),
        by_child,
        by_channel,
        by_status: by_status.into_iter().filter(|(_, n)| *n != 0).collect(),
        months,
        weeks,
        busiest_day,
        on,
        review,
        stations,
        cases,
        panels,
    })
}

/// Flows summed into the given period keys (every key present, oldest first).
fn lines<'a>(keys: &[i64], rows: impl Iterator<Item = (i64, Channel, &'a Flows)>) -> Vec<PeriodLine> {
    let mut by_key: BTreeMap<i64, PeriodLine> = keys
        .iter()
        .map(|k| {
            (
                *k,
                PeriodLine {
                    key: *k,
                    flows: Flows::default(),
                    joins_by_channel: vec![0; Channel::ALL.len()],
                },
            )
        })
        .collect();
    for (key, channel, flows) in rows {
        if let Some(line) = by_key.get_mut(&key) {
            line.flows.add(flows);
            if let Some(n) = line.joins_by_channel.get_mut(channel_index(channel)) {
                *n += flows.joined;
            }
        }
    }
    by_key.into_values().collect()
}

/// Members held at the end of `date`: now, less every flow after it (the years after its
/// year from the yearly rollup, the rest of its year from the monthly one, the rest of its
/// month from the daily one — a few dozen periods however far back).
async fn on_date(
    app: &App,
    org: &Org,
    date: CivilDate,
    now_by_occupation: &BTreeMap<Occupation, i64>,
) -> Result<OnDate, StatsError> {
    let later = after(date);
    let store = app.store();
    let mut net: BTreeMap<Occupation, i64> = BTreeMap::new();
    let ranges = [
        (Period::Year, (later.years_from, LAST_YEAR)),
        (Period::Month, later.months),
        (Period::Day, later.days),
    ];
    for (period, (from, until)) in ranges {
        if from > until {
            continue;
        }
        for t in store.flow_tallies(&org.path, period, from, until).await? {
            *net.entry(t.occupation).or_default() += t.flows.net();
        }
    }
    let by_occupation: Vec<(Occupation, i64)> = Occupation::ALL
        .iter()
        .map(|o| {
            let now = now_by_occupation.get(o).copied().unwrap_or(0);
            (*o, members_on(now, net.get(o).copied().unwrap_or(0)))
        })
        .filter(|(_, n)| *n != 0)
        .collect();
    Ok(OnDate { date, held: by_occupation.iter().map(|(_, n)| n).sum(), by_occupation })
}
