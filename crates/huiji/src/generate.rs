//! `huiji gen`: synthetic but realistic members at provincial or national scale, through
//! the real code paths — the core's generators and landing rules, the vault's encryption
//! and blind index, `MemberNumber` — loaded in bulk (`huiji_store::BulkLoad`).
//!
//! Drafting and sealing run on every core in batches, each from its own seeded stream,
//! so a seed always makes the same people; the database load runs beside them.

pub(crate) mod places;

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::time::Instant;

use huiji_app::keys::Keys;
use huiji_core::{MemberNumber, Occupation, Timestamp};
use huiji_fixtures::synthetic::{self, Rng, SyntheticId, Weighted};
use huiji_store::{BulkMember, Sealed, SqlStore};
use huiji_vault::{Field, Keyring, OsRandom};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use crate::cli::{GenArgs, Scenario};
use crate::error::CommandError;
use places::{Place, birthplaces};

/// Members per batch: one transaction (SQLite) or one COPY (PostgreSQL).
const BATCH: u64 = 20_000;

/// 2021-01-01 00:00 China time, in ms.
const START_2021: i64 = 1_609_430_400_000;
/// 2022-01-01 00:00 China time, in ms.
const START_2022: i64 = 1_640_966_400_000;
/// 2026-01-01 00:00 China time, in ms.
const START_2026: i64 = 1_767_196_800_000;

/// What a scenario makes.
struct Plan {
    members: u64,
    national: bool,
    occupations: Weighted<Occupation>,
    /// Members joined in [from, until).
    joined: (i64, i64),
}

impl Plan {
    fn of(args: &GenArgs) -> Plan {
        match args.scenario {
            // The article's province in 2021: 412,000 members of the four groups.
            Scenario::Anhui2021 => Plan {
                members: args.members.unwrap_or(412_000),
                national: false,
                occupations: Weighted::new(synthetic::ANHUI_2021_OCCUPATIONS),
                joined: (START_2021, START_2022),
            },
            Scenario::National => Plan {
                members: args.members.unwrap_or(10_000_000),
                national: true,
                occupations: Weighted::new(synthetic::NATIONAL_OCCUPATIONS),
                joined: (START_2021, START_2026),
            },
        }
    }
}

/// A drafted member: sealed, placed and dated, waiting for its id and number.
struct Draft {
    member: BulkMember,
    id: SyntheticId,
}

/// Everything the drafting threads share.
struct Drafter {
    plan: Plan,
    places: Weighted<Place>,
    birthplaces: Vec<u32>,
    keyring: Arc<Keys>,
    seed: u64,
}

impl Drafter {
    /// Batch `index`, from its own stream of the seed.
    fn batch(&self, index: u64) -> Result<Vec<Draft>, CommandError> {
        let mut rng = Rng::stream(self.seed, index);
        let size = BATCH.min(self.plan.members - index * BATCH);
        (0..size).map(|_| self.draft(&mut rng)).collect()
    }

    fn draft(&self, rng: &mut Rng) -> Result<Draft, CommandError> {
        let place = self.places.draw(rng).ok_or_else(no_place)?;
        // Only occupations with a union in this place (all four have one everywhere:
        // an industry federation or the city's pool).
        let (occupation, home) = loop {
            let occupation = *self.plan.occupations.draw(rng).ok_or_else(no_place)?;
            let slot = Occupation::MAIN_FOUR.iter().position(|o| *o == occupation).unwrap_or(0);
            if let Some(home) = &place.homes[slot] {
                break (occupation, home);
            }
        };
        let (from, until) = self.plan.joined;
        let joined_at = from + i64::try_from(rng.below((until - from) as u64)).unwrap_or(0);
        let joined_on = Timestamp(joined_at).china_date();
        // Most work where they were born; a sixth came from elsewhere.
        let birth_area = if place.issues_ids && rng.chance(830) {
            place.region
        } else {
            *rng.pick(&self.birthplaces).ok_or_else(no_place)?
        };
        let person = synthetic::person(rng, occupation, birth_area, joined_on);
        let status = match rng.below(1000) {
            0..965 => "active",
            965..990 => "retained",
            _ => "withdrawn",
        };
        let mut nonces = OsRandom;
        let member = BulkMember {
            id: 0,
            member_number: String::new(),
            status,
            home_org_id: home.org_id,
            home_path: home.path.clone(),
            in_pool: home.in_pool,
            name: person.name,
            id_number: sealed(&self.keyring, Field::IdNumber, &person.id.render())?,
            mobile: self.keyring.seal(Field::Mobile, &person.mobile, &mut nonces).map_err(vault)?,
            sex: person.id.sex().code(),
            occupation: occupation.code(),
            region_code: place.region_code.clone(),
            joined_at,
            // Withdrawn halfway between joining and the scenario's end (no draw from the
            // stream, so a seed makes the same people as before).
            left_at: (status == "withdrawn").then(|| joined_at + (until - joined_at) / 2),
        };
        Ok(Draft { member, id: person.id })
    }
}

fn sealed(keyring: &Keys, field: Field, value: &str) -> Result<Sealed, CommandError> {
    keyring.seal(field, value, &mut OsRandom).map_err(vault)
}

fn vault(error: huiji_vault::VaultError) -> CommandError {
    CommandError::Vault(error)
}

fn no_place() -> CommandError {
    CommandError::InvalidArgument("the union tree serves no county of this scenario".to_owned())
}

/// Runs `huiji gen`.
pub async fn run(
    store: &SqlStore,
    keyring: Keyring,
    args: &GenArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let started = Instant::now();
    let plan = Plan::of(args);
    places::ensure_tree(store, plan.national, out).await?;
    let places = places::places(store, plan.national).await?;
    if places.is_empty() {
        return Err(no_place());
    }
    let members = plan.members;
    let keyring = Arc::new(Keys::new(keyring));
    let drafter = Arc::new(Drafter {
        plan,
        places,
        birthplaces: birthplaces(),
        keyring: keyring.clone(),
        seed: args.seed,
    });
    let mut load = store.begin_bulk_load().await?;

    let batches = members.div_ceil(BATCH);
    let workers = std::thread::available_parallelism().map_or(2, |n| n.get()) as u64;
    let (sender, mut receiver) = tokio::sync::mpsc::channel(usize::try_from(workers * 2).unwrap_or(4));
    let mut threads = Vec::new();
    for worker in 0..workers {
        let (drafter, sender) = (drafter.clone(), sender.clone());
        threads.push(std::thread::spawn(move || {
            for index in (worker..batches).step_by(usize::try_from(workers).unwrap_or(1)) {
                if sender.blocking_send((index, drafter.batch(index))).is_err() {
                    break;
                }
            }
        }));
    }
    drop(sender);

    let progress = ProgressBar::with_draw_target(Some(members), ProgressDrawTarget::stderr());
    progress.set_style(
        ProgressStyle::with_template(
            "{elapsed_precise} [{bar:40}] {human_pos}/{human_len} members ({per_sec}, eta {eta}) {msg}",
        )
        .map_err(|e| CommandError::InvalidArgument(e.to_string()))?
        .progress_chars("=> "),
    );
    // Batches arrive in any order; they are numbered and loaded in order, so ids and the
    // resolution of (rare) ID number collisions do not depend on thread timing.
    let mut waiting = std::collections::BTreeMap::new();
    let mut next = 0u64;
    let mut next_id = load.first_id();
    let mut seen: HashSet<u64> = HashSet::with_capacity(usize::try_from(members).unwrap_or(0));
    while let Some((index, batch)) = receiver.recv().await {
        waiting.insert(index, batch);
        while let Some(batch) = waiting.remove(&next) {
            let mut rows = Vec::with_capacity(BATCH as usize);
            for mut draft in batch? {
                if !seen.insert(draft.id.key()) {
                    while !seen.insert(draft.id.key()) {
                        draft.id.next_order();
                    }
                    draft.member.id_number = sealed(&keyring, Field::IdNumber, &draft.id.render())?;
                }
                let serial = u64::try_from(next_id).unwrap_or(u64::MAX);
                let year = Timestamp(draft.member.joined_at).china_date().year();
                let province = draft.member.region_code.get(..2).unwrap_or("34");
                draft.member.member_number = MemberNumber::new(province, year, serial)
                    .map_err(|_| CommandError::InvalidArgument("more than 99,999,999 members".to_owned()))?
                    .as_str()
                    .to_owned();
                draft.member.id = next_id;
                next_id += 1;
                rows.push(draft.member);
            }
            load.insert(&rows).await?;
            progress.inc(rows.len() as u64);
            next += 1;
        }
    }
    for thread in threads {
        let _ = thread.join();
    }
    if next != batches {
        return Err(CommandError::InvalidArgument("a drafting thread stopped early".to_owned()));
    }
    progress.set_message("building indexes");
    let loaded = started.elapsed();
    load.finish().await?;
    progress.finish_and_clear();
    writeln!(
        out,
        "generated {members} members ({}) in {:.1} s: drafted and loaded in {:.1} s, indexes and statistics in {:.1} s",
        scenario_name(args.scenario),
        started.elapsed().as_secs_f64(),
        loaded.as_secs_f64(),
        (started.elapsed() - loaded).as_secs_f64(),
    )?;
    Ok(())
}

fn scenario_name(scenario: Scenario) -> &'static str {
    match scenario {
        Scenario::Anhui2021 => "anhui-2021",
        Scenario::National => "national",
    }
}
