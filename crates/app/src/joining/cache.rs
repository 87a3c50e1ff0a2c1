//! What every join reads and officers seldom change, kept in memory for a short while:
//! the consent versions in force and each city's receiving and landing unions (its
//! industry federations and city federation). Each saves a read per join.
//!
//! Honest invalidation: a change made through this instance's app (an admin renaming a
//! union, changing its review policy or adding one, `app::orgs::manage`) forgets
//! everything at once, and a read that began before the change never stores its older
//! answer (a generation counter). Other instances — another `huiji serve` on the same
//! PostgreSQL, or `huiji consent publish` and `huiji seed` from the command line — learn
//! by expiry: an entry lives [`SERVE_TTL_MILLIS`] at most (measured with `App::now`).
//! An app made with `App::new` keeps nothing (TTL 0) until `App::with_join_cache`.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use huiji_core::org::{Level, OrgKindCode};
use huiji_core::{Org, RegionCode, Timestamp};
use huiji_store::{OrgFilter, StoreError};

use crate::App;

/// How long `huiji serve` keeps an entry: how late another instance's change is seen.
pub const SERVE_TTL_MILLIS: i64 = 2_000;

/// An entry and when it was read.
type Entry<T> = (Timestamp, Arc<T>);

/// The cached reads of joining.
#[derive(Debug, Default)]
pub struct JoinCache {
    ttl_millis: i64,
    /// Bumped by every [`JoinCache::forget`]; a read stores its answer only when it is
    /// unchanged since the read began.
    generation: AtomicU64,
    consent: Mutex<Option<Entry<Vec<String>>>>,
    cities: Mutex<HashMap<RegionCode, Entry<Vec<Org>>>>,
}

impl JoinCache {
    /// A cache whose entries live `ttl_millis` (0: nothing is kept).
    pub fn new(ttl_millis: i64) -> JoinCache {
        JoinCache { ttl_millis, ..JoinCache::default() }
    }

    /// Forgets every entry: unions, policies or consent texts changed on this instance.
    pub fn forget(&self) {
        self.generation.fetch_add(1, Ordering::SeqCst);
        *self.consent.lock().unwrap_or_else(PoisonError::into_inner) = None;
        self.cities.lock().unwrap_or_else(PoisonError::into_inner).clear();
    }

    fn fresh<T>(&self, entry: Option<&Entry<T>>, now: Timestamp) -> Option<Arc<T>> {
        entry.filter(|(at, _)| now.0 < at.0 + self.ttl_millis).map(|(_, value)| value.clone())
    }

    fn keeps(&self, generation: u64) -> bool {
        self.ttl_millis > 0 && self.generation.load(Ordering::SeqCst) == generation
    }
}

/// The consent versions in force.
///
/// # Errors
///
/// The store's.
pub async fn consent_versions(app: &App) -> Result<Arc<Vec<String>>, StoreError> {
    let (cache, now) = (app.join_cache(), app.now());
    let cached = cache.fresh(cache.consent.lock().unwrap_or_else(PoisonError::into_inner).as_ref(), now);
    if let Some(versions) = cached {
        return Ok(versions);
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let versions: Arc<Vec<String>> =
        Arc::new(app.store().consent_versions().await?.into_iter().map(|v| v.version).collect());
    if cache.keeps(generation) {
        *cache.consent.lock().unwrap_or_else(PoisonError::into_inner) = Some((now, versions.clone()));
    }
    Ok(versions)
}

/// The unions of a city that receiving and landing choose from: its industry federations
/// and the city federation (with its pool). Only those are read — a city has a hundred or
/// more township unions no join ever lands at.
///
/// # Errors
///
/// The store's.
pub async fn city_orgs(app: &App, city: RegionCode) -> Result<Arc<Vec<Org>>, StoreError> {
    let (cache, now) = (app.join_cache(), app.now());
    let cached = cache.fresh(cache.cities.lock().unwrap_or_else(PoisonError::into_inner).get(&city), now);
    if let Some(orgs) = cached {
        return Ok(orgs);
    }
    let generation = cache.generation.load(Ordering::SeqCst);
    let industry =
        OrgFilter { region: Some(city), kind: Some(OrgKindCode::IndustryFederation), ..OrgFilter::default() };
    let federation = OrgFilter {
        region: Some(city),
        kind: Some(OrgKindCode::Federation),
        level: Some(Level::City),
        ..OrgFilter::default()
    };
    let (mut orgs, federations) =
        tokio::try_join!(app.store().orgs(&industry), app.store().orgs(&federation))?;
    orgs.extend(federations);
    let orgs = Arc::new(orgs);
    if cache.keeps(generation) {
        cache.cities.lock().unwrap_or_else(PoisonError::into_inner).insert(city, (now, orgs.clone()));
    }
    Ok(orgs)
}
