//! `huiji bench-contest`: what `bench/run contest` needs beside the HTTP load. It loads
//! finished attempts of a contest in bulk — spread over the organiser's members, scores and
//! times at random — and rebuilds the boards from them (the leaderboard figure at half a
//! million attempts), and it writes members' contest passes, one a line, for the load
//! tool to sign in with. A benchmark aid, not a test.

use std::io::Write;
use std::path::Path;
use std::time::Instant;

use huiji_app::contest::pass;
use huiji_app::keys::Keys;
use huiji_app::ports::{Clock, SystemClock};
use huiji_core::contest::{ContestId, QuestionId};
use huiji_core::{MembershipId, OrgId, OrgPath, Timestamp};
use huiji_fixtures::synthetic::Rng;
use huiji_store::prelude::*;
use huiji_store::{FinishedAttempt, MemberQuery, SqlStore};

use crate::cli::BenchContestArgs;
use crate::error::CommandError;
use crate::setup::load_keyring;

/// Members fetched per query.
const PAGE: u32 = 5_000;

/// Attempts loaded per call.
const BATCH: usize = 50_000;

/// Up to `wanted` held members of the subtree, newest first: id, home union and its path.
async fn members(
    store: &SqlStore,
    within: &OrgPath,
    wanted: usize,
) -> Result<Vec<(i64, i64, OrgPath)>, CommandError> {
    let mut found = Vec::new();
    let mut query = MemberQuery {
        within: Some(within.clone()),
        name_prefix: None,
        member_number: None,
        id_number_bidx: None,
        mobile_bidx: None,
        occupation: None,
        status: Some("active".to_owned()),
        joined_from: None,
        joined_to: None,
        in_pool: false,
        before_id: None,
        from_id: None,
        limit: PAGE,
    };
    while found.len() < wanted {
        let page = store.search_members(&query).await?;
        let last = page.last().map(|m| m.id);
        for m in page {
            if let Some(path) = OrgPath::parse(&m.home_path) {
                found.push((m.id, m.home_org_id, path));
            }
        }
        match last {
            Some(id) => query.before_id = Some(id),
            None => break,
        }
    }
    found.truncate(wanted);
    Ok(found)
}

/// Runs the preparation and prints one JSON line of what it did and how long it took.
pub async fn run(
    store: SqlStore,
    key_file: &Path,
    args: &BenchContestArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let contest = store.contest(ContestId(args.contest)).await?.ok_or_else(|| {
        CommandError::InvalidArgument(format!("--contest {}: no such contest", args.contest))
    })?;
    let questions: Vec<QuestionId> =
        store.bank(&contest.org_path.lineage()).await?.into_iter().map(|q| q.id).collect();
    let per_attempt = usize::try_from(contest.rules.questions_per_attempt()).unwrap_or(0);
    let pool = members(&store, &contest.org_path, args.attempts.max(args.passes)).await?;
    if pool.is_empty() && (args.attempts > 0 || args.passes > 0) {
        return Err(CommandError::InvalidArgument("the organiser's subtree holds no members".to_owned()));
    }
    let mut rng = Rng::new(args.seed);
    let now = SystemClock.now();
    let limit_ms = i64::from(contest.rules.minutes()) * 60_000;
    let started = Instant::now();
    let mut loaded = 0usize;
    while loaded < args.attempts {
        let batch: Vec<FinishedAttempt> = (loaded..args.attempts.min(loaded + BATCH))
            .map(|_| {
                let (id, org, path) = &pool[usize::try_from(rng.below(pool.len() as u64)).unwrap_or(0)];
                let drawn = (0..per_attempt)
                    .filter_map(|_| {
                        questions.get(usize::try_from(rng.below(questions.len().max(1) as u64)).unwrap_or(0))
                    })
                    .copied()
                    .collect();
                // Most members know most answers: a score skewed towards the top.
                let correct = per_attempt
                    .saturating_sub(usize::try_from(rng.below(per_attempt as u64 / 2 + 1)).unwrap_or(0));
                FinishedAttempt {
                    membership: MembershipId(*id),
                    home_org: OrgId(*org),
                    home_path: path.clone(),
                    started_at: Timestamp(now.0 - i64::try_from(rng.below(86_400_000)).unwrap_or(0)),
                    millis: 60_000
                        + i64::try_from(rng.below(u64::try_from(limit_ms).unwrap_or(1))).unwrap_or(0),
                    questions: drawn,
                    correct: u32::try_from(correct).unwrap_or(0),
                }
            })
            .collect();
        store.load_finished_attempts(contest.id, &batch).await?;
        loaded += batch.len();
    }
    let load_seconds = started.elapsed().as_secs_f64();
    let recount = Instant::now();
    if args.attempts > 0 {
        store.recount_contest(contest.id).await?;
    }
    let recount_seconds = recount.elapsed().as_secs_f64();
    if args.passes > 0 {
        let keys = Keys::new(load_keyring(key_file)?);
        let path = args
            .out
            .as_ref()
            .ok_or_else(|| CommandError::InvalidArgument("--passes needs --out FILE".to_owned()))?;
        let mut file = std::io::BufWriter::new(std::fs::File::create(path)?);
        for (id, _, _) in pool.iter().take(args.passes) {
            writeln!(file, "{}", pass::issue(&keys, MembershipId(*id), now))?;
        }
        file.flush()?;
    }
    writeln!(
        out,
        "{{\"attempts\":{loaded},\"load_seconds\":{load_seconds:.1},\"recount_seconds\":{recount_seconds:.1},\"passes\":{}}}",
        args.passes.min(pool.len())
    )?;
    Ok(())
}
