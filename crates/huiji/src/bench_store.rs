//! `huiji bench-store`: the storage ceiling of the join benchmark. The same
//! `JoinStore::submit_keyed_batched` a platform's join through the API calls, with the
//! same kind of rows (sealed, routed and decided as the service would, each with its own
//! `Idempotency-Key` and an answer of the API's size), from many concurrent tasks in one
//! process: no HTTP, no request parsing, so the figure is what the database itself
//! allows. A benchmark, run by `bench/run`; not a test.

use std::collections::HashSet;
use std::io::Write;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use huiji_app::keys::Keys;
use huiji_app::ports::{Clock, SystemClock};
use huiji_core::joining::Landing;
use huiji_core::{Channel, Decision, Occupation, OrgId};
use huiji_fixtures::synthetic::{self, Rng, Weighted};
use huiji_store::prelude::*;
use huiji_store::{
    KeyedSubmit, MobileBinding, NewApplication, OwnedKeyedRequest, SharedRenderAnswer, SqlStore,
    SubmitOutcome,
};
use huiji_vault::{Field, Keyring, OsRandom};

use crate::cli::BenchStoreArgs;
use crate::error::CommandError;
use crate::generate::places;

/// Runs the storage benchmark and prints one line of figures.
pub async fn run(
    store: SqlStore,
    keyring: Keyring,
    args: &BenchStoreArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let keys = Keys::new(keyring);
    places::ensure_tree(&store, false, out).await?;
    let places = places::places(&store, false).await?;
    let occupations = Weighted::new(synthetic::ANHUI_2021_OCCUPATIONS);
    let now = SystemClock.now();
    let platform = store.ensure_platform("bench-store", now).await?.id;
    let mut rng = Rng::new(args.seed);
    let mut seen = HashSet::new();
    let mut applications = Vec::with_capacity(args.joins);
    while applications.len() < args.joins {
        let place = places.draw(&mut rng).ok_or_else(no_place)?;
        let occupation = *occupations.draw(&mut rng).ok_or_else(no_place)?;
        let slot = Occupation::MAIN_FOUR.iter().position(|o| *o == occupation).unwrap_or(0);
        let Some(home) = &place.homes[slot] else { continue };
        let birth_area = if place.issues_ids { place.region } else { 110_105 };
        let mut person = synthetic::person(&mut rng, occupation, birth_area, now.china_date());
        while !seen.insert(person.id.key()) {
            person.id.next_order();
        }
        let landing =
            if home.in_pool { Landing::Pool(OrgId(home.org_id)) } else { Landing::Union(OrgId(home.org_id)) };
        applications.push(NewApplication {
            channel: Channel::Platform,
            source: None,
            receiving_org: home.receiving,
            landing: Some(landing),
            name: person.name,
            id_number: keys.seal(Field::IdNumber, &person.id.render(), &mut OsRandom)?,
            mobile: keys.seal(Field::Mobile, &person.mobile, &mut OsRandom)?,
            sex: person.id.sex(),
            occupation,
            region_code: place.region_code.clone(),
            employer_name: None,
            employer_credit_code: None,
            consent_version: "1".to_owned(),
            mobile_verified: true,
            decision: Decision::Approve,
            review_deadline: now.plus_days(3),
            mobile_bound_elsewhere: false,
            real_name: huiji_core::RealNameCheck::NotConfigured,
            consent_at: now,
            platform_id: Some(platform),
            external_ref: None,
        });
    }
    let render = render_answer();

    let applications = Arc::new(applications);
    let store = Arc::new(store);
    let next = Arc::new(AtomicUsize::new(0));
    let started = Instant::now();
    let mut tasks = Vec::new();
    for _ in 0..args.concurrency.max(1) {
        let (applications, store, next, render) =
            (applications.clone(), store.clone(), next.clone(), render.clone());
        let seed = args.seed;
        tasks.push(tokio::spawn(async move {
            let mut latencies = Vec::new();
            let mut approved = 0u64;
            loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(application) = applications.get(index) else { break };
                let began = Instant::now();
                let at = SystemClock.now();
                let request = OwnedKeyedRequest {
                    platform_id: platform,
                    key: format!("bench-store-{seed}-{index}"),
                    request_hash: "bench-store".to_owned(),
                    now: at,
                    expires_at: at.plus_days(1),
                };
                // As the API's join: the binding left to the store where it checks it.
                let binding = if store.checks_mobile_binding_as_it_writes() {
                    MobileBinding::Assumed
                } else {
                    MobileBinding::Read
                };
                let submitted = store
                    .submit_keyed_batched(application.clone(), at, request, render.clone(), binding)
                    .await?;
                latencies.push(began.elapsed().as_secs_f64() * 1000.0);
                approved += u64::from(matches!(
                    submitted,
                    KeyedSubmit::Submitted { outcome: SubmitOutcome::Approved { .. }, .. }
                ));
            }
            Ok::<_, huiji_store::StoreError>((latencies, approved))
        }));
    }
    let mut latencies = Vec::with_capacity(applications.len());
    let mut approved = 0;
    for task in tasks {
        let (mut some, count) =
            task.await.map_err(|e| CommandError::InvalidArgument(format!("a task failed: {e}")))??;
        latencies.append(&mut some);
        approved += count;
    }
    let seconds = started.elapsed().as_secs_f64();
    latencies.sort_by(f64::total_cmp);
    let quantile = |q: f64| {
        latencies
            .get(((latencies.len() as f64 * q) as usize).min(latencies.len().saturating_sub(1)))
            .copied()
            .unwrap_or(0.0)
    };
    writeln!(
        out,
        "{{\"joins\":{},\"approved\":{approved},\"seconds\":{seconds:.3},\"per_second\":{:.1},\"p50_ms\":{:.2},\"p99_ms\":{:.2},\"concurrency\":{}}}",
        latencies.len(),
        latencies.len() as f64 / seconds,
        quantile(0.50),
        quantile(0.99),
        args.concurrency,
    )?;
    Ok(())
}

/// An answer of the API's shape and size for each outcome (the API's own renderer needs
/// the whole app; the store only stores the text).
fn render_answer() -> SharedRenderAnswer {
    Arc::new(|outcome: &SubmitOutcome| {
        let body = match outcome {
            SubmitOutcome::Approved { application_id, membership_id, member_number } => serde_json::json!({
                "status": "approved",
                "application_id": application_id,
                "membership_id": membership_id,
                "member_number": member_number.as_str(),
                "union": {"name": "合肥市总工会新就业形态劳动者联合会", "contact": "0551-00000000"},
            }),
            SubmitOutcome::Pending { existing: true, .. } => return None,
            SubmitOutcome::Pending { application_id, .. } => {
                serde_json::json!({"status": "pending_review", "application_id": application_id})
            }
            SubmitOutcome::AlreadyMember => serde_json::json!({"error": "already_member"}),
        };
        Some((201, body.to_string()))
    })
}

fn no_place() -> CommandError {
    CommandError::InvalidArgument("the union tree serves no county of Anhui".to_owned())
}
