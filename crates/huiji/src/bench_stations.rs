//! `huiji bench-stations`: what `bench/run stations` measures. It loads generated
//! stations over China (owned by the tree's root, through the app's import), refreshes the
//! planner's statistics, then times the app's nearest search — growing boxes over the
//! indexed range query, ranking in GCJ-02 — from random positions, half near stations
//! and half anywhere in eastern China. A benchmark aid, not a test.

use std::io::Write;
use std::time::Instant;

use huiji_app::actor::Actor;
use huiji_app::stations::{import, nearest};
use huiji_core::geo::Wgs84;
use huiji_fixtures::synthetic::Rng;
use huiji_store::prelude::*;
use huiji_store::{SqlStore, StationQuery};

use crate::cli::BenchStationsArgs;
use crate::contest::app_without_keys;
use crate::error::CommandError;

/// Stations handed to the import per call.
const CHUNK: usize = 20_000;

/// The `p`-th percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((sorted.len() as f64 * p).ceil() as usize).clamp(1, sorted.len().max(1));
    sorted.get(rank - 1).copied().unwrap_or(0.0)
}

/// Runs the benchmark; prints one JSON line.
///
/// # Errors
///
/// The store's or the app's; a database without unions.
pub async fn run(
    store: SqlStore,
    public_url: &str,
    args: &BenchStationsArgs,
    out: &mut dyn Write,
) -> Result<(), CommandError> {
    let app = app_without_keys(store.clone(), public_url)?;
    let root = huiji_app::audit::root_scope(app.store().as_ref()).await?.lineage()[0];
    let generated = huiji_fixtures::stations::national(app.regions(), args.stations, args.seed);
    let started = Instant::now();
    let mut added = 0;
    for (i, chunk) in generated.chunks(CHUNK).enumerate() {
        let rows = chunk.iter().cloned().zip(1u64..).map(|(d, n)| (n + (i * CHUNK) as u64, d)).collect();
        added += import::import_drafts(&app, &Actor::Operator, Some(root), rows).await?.added;
    }
    let load_seconds = started.elapsed().as_secs_f64();
    store.analyze_stations().await?;
    let any = StationQuery { within: None, region: None, kind: None, open_only: true, after: None, limit: 1 };
    if store.stations(&any).await?.is_empty() {
        return Err(CommandError::InvalidArgument("no open stations to search".to_owned()));
    }

    // The same seed generates the same stations first: the searches start near loaded ones
    // even when this run loaded none (`--stations 0` on a database loaded before).
    let around = huiji_fixtures::stations::national(app.regions(), args.queries.clamp(1, 10_000), args.seed);
    let mut rng = Rng::new(args.seed ^ 0x5EED);
    let mut samples = Vec::with_capacity(args.queries);
    let mut results = 0usize;
    for q in 0..args.queries {
        let near = around.get(rng.below(around.len() as u64) as usize);
        let (lat, lng) = if let (0, Some(near)) = (q % 2, near) {
            let wgs = near.location.to_wgs84().point();
            (wgs.lat() + (rng.below(2_000) as f64 - 1_000.0) / 100_000.0, wgs.lng())
        } else {
            (20.0 + rng.below(22_000) as f64 / 1_000.0, 100.0 + rng.below(22_000) as f64 / 1_000.0)
        };
        let from = Wgs84::new(lat, lng).map_err(|e| CommandError::InvalidArgument(e.to_string()))?;
        let started = Instant::now();
        let found = nearest(&app, from, args.limit, None).await?;
        samples.push(started.elapsed().as_secs_f64() * 1_000.0);
        results += found.len();
    }
    samples.sort_by(f64::total_cmp);
    writeln!(
        out,
        "{{\"backend\":\"{:?}\",\"stations_added\":{added},\"load_seconds\":{load_seconds:.1},\"queries\":{},\
         \"limit\":{},\"mean_results\":{:.1},\"p50_ms\":{:.3},\"p95_ms\":{:.3},\"p99_ms\":{:.3},\"max_ms\":{:.3}}}",
        store.backend(),
        samples.len(),
        args.limit,
        results as f64 / samples.len().max(1) as f64,
        percentile(&samples, 0.50),
        percentile(&samples, 0.95),
        percentile(&samples, 0.99),
        samples.last().copied().unwrap_or(0.0),
    )?;
    Ok(())
}
