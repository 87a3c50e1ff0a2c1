//! huiji's use cases and the ports to the outside, between the doors (the web pages, the
//! console, the platform API, the command line) and the store. Nothing here speaks HTTP
//! to a caller; every outside effect — the time, randomness, the keys, SMS, the
//! real-name check, outgoing HTTP — goes through a port held by [`App`], so tests control
//! it.

pub mod accounts;
pub mod actor;
pub mod audit;
pub mod benefits;
// Outreach: campaigns.
pub mod campaign;
pub mod cases;
pub mod contest;
pub mod innovation;
pub mod jobs;
pub mod joining;
pub mod keys;
// Two instances, one database: rate limits shared through Redis.
pub mod limits;
pub mod members;
pub mod memberships;
pub mod notices;
pub mod orgs;
pub mod outbound;
pub mod platform;
pub mod pool;
pub mod ports;
pub mod privacy;
pub mod real_name;
pub mod review;
// Outreach: real-name rosters.
pub mod roster;
pub mod sms;
pub mod stations;
pub mod stats;
pub mod status;
#[cfg(feature = "testing")]
pub mod testing;
pub mod transfers;
pub mod webhooks;

use std::sync::Arc;

use huiji_core::calendar::WorkCalendar;
use huiji_core::case::CaseDeadlines;
use huiji_core::{RegionTable, Timestamp};
use huiji_store::Store;
use huiji_vault::Keyring;

use crate::keys::Keys;
use crate::ports::{Clock, OsRandomness, Randomness};
use crate::real_name::RealNameProvider;
use crate::sms::{OutboxSms, SmsSender};

/// The ports every use case reaches, as one value each door holds. Cheap to clone (one
/// shared allocation); the `with_*` methods make a changed copy and leave clones as they
/// were.
#[derive(Clone, Debug)]
pub struct App {
    ports: Arc<Ports>,
}

#[derive(Clone, Debug)]
struct Ports {
    store: Arc<dyn Store>,
    clock: Arc<dyn Clock>,
    keys: Arc<Keys>,
    random: Arc<dyn Randomness>,
    sms: Arc<dyn SmsSender>,
    real_name: Option<Arc<dyn RealNameProvider>>,
    regions: &'static RegionTable,
    public_url: String,
    case_deadlines: CaseDeadlines,
    // China's working-time calendar: the compiled-in one, or it with a deployment's
    // supplement (next year's notice before a release carries it).
    calendar: Arc<WorkCalendar>,
    // Outreach: campaigns.
    campaigns: Arc<campaign::CampaignSettings>,
    // What this instance's campaign sender handed to the provider this second.
    send_budget: Arc<std::sync::Mutex<huiji_core::campaign::SendBudget>>,
    // The write path (issue 14): joining's cached reads, and the wake-up of the notice job.
    join_cache: Arc<joining::cache::JoinCache>,
    notices_due: Arc<tokio::sync::Notify>,
    // Two instances, one database: API keys read lately (issue 14 item 4).
    api_keys: Arc<platform::api_keys::KeyCache>,
    // Two instances, one database: rate limits shared through Redis, when configured.
    shared_limits: Option<Arc<limits::SharedLimits>>,
    // The contest's answers (issue 18): questions and contests read once.
    contest_cache: Arc<contest::cache::ContestCache>,
}

impl App {
    /// An app over a store, a clock and keys, with OS randomness, the outbox SMS provider
    /// and no real-name check; replace parts with the `with_*` methods. `public_url` is
    /// the base URL join links and card links use (a trailing slash is dropped).
    pub fn new(store: Arc<dyn Store>, clock: Arc<dyn Clock>, keyring: Keyring, public_url: &str) -> App {
        let random: Arc<dyn Randomness> = Arc::new(OsRandomness);
        let keys = Arc::new(Keys::new(keyring));
        let sms = Arc::new(OutboxSms::new(store.clone(), keys.clone(), clock.clone(), random.clone()));
        let ports = Ports {
            store,
            clock,
            keys,
            random,
            sms,
            real_name: None,
            regions: RegionTable::national(),
            public_url: public_url.trim_end_matches('/').to_owned(),
            case_deadlines: CaseDeadlines::default(),
            calendar: Arc::new(WorkCalendar::china().clone()),
            campaigns: Arc::new(campaign::CampaignSettings::default()),
            send_budget: Arc::new(std::sync::Mutex::new(huiji_core::campaign::SendBudget::new())),
            join_cache: Arc::new(joining::cache::JoinCache::new(0)),
            notices_due: Arc::new(tokio::sync::Notify::new()),
            api_keys: Arc::new(platform::api_keys::KeyCache::default()),
            shared_limits: None,
            contest_cache: Arc::new(contest::cache::ContestCache::new(0)),
        };
        App { ports: Arc::new(ports) }
    }

    /// Keeps joining's reads of consent versions and a city's unions for `ttl_millis`
    /// (see [`joining::cache`]); `huiji serve` uses [`joining::cache::SERVE_TTL_MILLIS`].
    pub fn with_join_cache(mut self, ttl_millis: i64) -> App {
        Arc::make_mut(&mut self.ports).join_cache = Arc::new(joining::cache::JoinCache::new(ttl_millis));
        self
    }

    /// Keeps contests for `ttl_millis` (see [`contest::cache`]); `huiji serve` uses
    /// [`contest::cache::SERVE_TTL_MILLIS`]. Questions are kept in any case.
    pub fn with_contest_cache(mut self, ttl_millis: i64) -> App {
        Arc::make_mut(&mut self.ports).contest_cache =
            Arc::new(contest::cache::ContestCache::new(ttl_millis));
        self
    }

    /// The contest area's cached reads.
    pub fn contest_cache(&self) -> &contest::cache::ContestCache {
        &self.ports.contest_cache
    }

    /// Joining's cached reads (an admin's change calls its `forget`).
    pub fn join_cache(&self) -> &joining::cache::JoinCache {
        &self.ports.join_cache
    }

    /// Wakes the decision-SMS job ([`notices::spawn_delivery`]): a notice was queued for it.
    pub fn notices_due(&self) -> &tokio::sync::Notify {
        &self.ports.notices_due
    }

    /// Uses another SMS provider.
    pub fn with_sms(mut self, sms: Arc<dyn SmsSender>) -> App {
        Arc::make_mut(&mut self.ports).sms = sms;
        self
    }

    /// Checks applicants' name, ID number and mobile with a real-name provider: then
    /// `all_verified` approves only those who match.
    pub fn with_real_name(mut self, provider: Arc<dyn RealNameProvider>) -> App {
        Arc::make_mut(&mut self.ports).real_name = Some(provider);
        self
    }

    /// Uses another source of randomness (the outbox provider keeps the one it had).
    pub fn with_random(mut self, random: Arc<dyn Randomness>) -> App {
        Arc::make_mut(&mut self.ports).random = random;
        self
    }

    /// Holds legal-aid cases to other deadlines than 1 working day and 30 days.
    pub fn with_case_deadlines(mut self, deadlines: CaseDeadlines) -> App {
        Arc::make_mut(&mut self.ports).case_deadlines = deadlines;
        self
    }

    // Outreach: campaigns.
    /// Sends campaigns by these settings (signatures, quiet hours, the cap, the rate,
    /// the callback token) instead of the defaults.
    pub fn with_campaigns(mut self, settings: campaign::CampaignSettings) -> App {
        Arc::make_mut(&mut self.ports).campaigns = Arc::new(settings);
        self
    }

    /// Keeps the rate limits' buckets in Redis, shared with every instance using it.
    pub fn with_shared_limits(mut self, limits: Arc<limits::SharedLimits>) -> App {
        Arc::make_mut(&mut self.ports).shared_limits = Some(limits);
        self
    }

    /// The shared rate-limit buckets, when configured.
    pub fn shared_limits(&self) -> Option<&limits::SharedLimits> {
        self.ports.shared_limits.as_deref()
    }

    /// The API keys this instance read lately ([`platform::api_keys::authenticate`]).
    pub fn api_key_cache(&self) -> &platform::api_keys::KeyCache {
        &self.ports.api_keys
    }

    /// How campaigns are sent.
    pub fn campaigns(&self) -> &campaign::CampaignSettings {
        &self.ports.campaigns
    }

    /// Counts working time with `calendar` instead of the compiled-in one (see
    /// [`WorkCalendar::supplemented`]).
    pub fn with_calendar(mut self, calendar: WorkCalendar) -> App {
        Arc::make_mut(&mut self.ports).calendar = Arc::new(calendar);
        self
    }

    /// The working-time calendar legal-aid deadlines count in.
    pub fn calendar(&self) -> &WorkCalendar {
        &self.ports.calendar
    }

    /// What the campaign sender of this instance handed to the provider in the current
    /// second (shared by every clone of the app, so rounds from any task count).
    pub fn send_budget(&self) -> &std::sync::Mutex<huiji_core::campaign::SendBudget> {
        &self.ports.send_budget
    }

    /// The deadlines new legal-aid cases get.
    pub fn case_deadlines(&self) -> CaseDeadlines {
        self.ports.case_deadlines
    }

    /// The database.
    pub fn store(&self) -> &Arc<dyn Store> {
        &self.ports.store
    }

    /// The current time (a fixed clock in tests).
    pub fn now(&self) -> Timestamp {
        self.ports.clock.now()
    }

    /// The clock.
    pub fn clock(&self) -> &Arc<dyn Clock> {
        &self.ports.clock
    }

    /// Encryption, blind-index and card-signing keys (replaceable: key rotation).
    pub fn keys(&self) -> &Keys {
        &self.ports.keys
    }

    /// Random numbers (SMS codes, nonces, salts, tokens).
    pub fn random(&self) -> &dyn Randomness {
        self.ports.random.as_ref()
    }

    /// Where SMS go.
    pub fn sms(&self) -> &dyn SmsSender {
        self.ports.sms.as_ref()
    }

    /// The real-name check (运营商三要素), when one is configured.
    pub fn real_name(&self) -> Option<&dyn RealNameProvider> {
        self.ports.real_name.as_deref()
    }

    /// The national division table.
    pub fn regions(&self) -> &'static RegionTable {
        self.ports.regions
    }

    /// The public base URL (no trailing slash) that QR codes and card links use.
    pub fn public_url(&self) -> &str {
        &self.ports.public_url
    }

    /// The URL a union's QR code encodes.
    pub fn join_url(&self, code: &str) -> String {
        orgs::join_url(&self.ports.public_url, code)
    }
}
