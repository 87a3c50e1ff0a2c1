//! Rate limits shared by every instance through Redis (the optional `redis_url`): one
//! bucket per caller for all servers behind the balancer, instead of one per process.
//!
//! Each take is one Lua script (GCRA, the token bucket's rule kept as one "theoretical
//! arrival time" per key, on Redis's own clock so the instances' clocks do not matter):
//! atomic, one round trip, the key expiring when the bucket would be full again.
//!
//! **When Redis does not answer** (down, slow beyond [`TIMEOUT`]), a take says
//! [`SharedTake::Unavailable`] and the caller falls back to its own process's buckets:
//! neither open (a flood would pass unchecked during an outage that an attacker could
//! cause) nor closed (the public forms and the API would stop with Redis, which holds no
//! data of ours). The outage is logged as a warning at most once a minute; reconnecting
//! is tried at most every [`RECONNECT_EVERY`], so requests meanwhile pay no connect time.

use std::sync::Mutex;
use std::time::{Duration, Instant};

use huiji_core::rate_limit::{Rate, RetryAfter};
use redis::aio::{ConnectionManager, ConnectionManagerConfig};

/// How long a take waits for Redis before falling back (connecting, or an answer).
pub const TIMEOUT: Duration = Duration::from_millis(250);

/// How often a lost Redis is tried again.
pub const RECONNECT_EVERY: Duration = Duration::from_secs(5);

/// How often an outage is logged again.
const WARN_EVERY: Duration = Duration::from_secs(60);

/// GCRA. KEYS[1]: the bucket; ARGV[1]: milliseconds per token; ARGV[2]: the burst.
/// Returns 0 when a token was taken, else the milliseconds until one is back.
const TAKE: &str = r"
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local interval = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat + interval - burst * interval - now
if wait > 0 then return wait end
tat = tat + interval
redis.call('SET', KEYS[1], tat, 'PX', tat - now + 1)
return 0
";

/// What Redis said about one take.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SharedTake {
    /// A token was taken.
    Allowed,
    /// The bucket is empty: come back then.
    Refused(RetryAfter),
    /// Redis did not answer: use this process's bucket.
    Unavailable,
}

/// The shared buckets: a Redis connection (made on first use, remade after an outage)
/// and the script.
pub struct SharedLimits {
    client: redis::Client,
    /// Every bucket's key starts with this (`<prefix>:rl:`), so one Redis can serve
    /// several deployments and other programs.
    prefix: String,
    script: redis::Script,
    connection: tokio::sync::Mutex<Option<ConnectionManager>>,
    /// When connecting last failed, and when the outage was last logged.
    outage: Mutex<(Option<Instant>, Option<Instant>)>,
}

impl std::fmt::Debug for SharedLimits {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The connection info may hold a password.
        f.debug_struct("SharedLimits").finish_non_exhaustive()
    }
}

impl SharedLimits {
    /// Buckets in the Redis at `url` (`redis://[:password@]host:port/db`), their keys
    /// under `prefix` (the instances of one deployment share it). Nothing is connected
    /// yet: a server starts whether or not Redis answers.
    ///
    /// # Errors
    ///
    /// A URL Redis's client does not take.
    pub fn new(url: &str, prefix: &str) -> Result<SharedLimits, redis::RedisError> {
        Ok(SharedLimits {
            client: redis::Client::open(url)?,
            prefix: format!("{prefix}:rl:"),
            script: redis::Script::new(TAKE),
            connection: tokio::sync::Mutex::new(None),
            outage: Mutex::new((None, None)),
        })
    }

    /// Takes a token of `bucket` (a limiter's name and the caller's key) at `rate`.
    pub async fn take(&self, bucket: &str, rate: Rate) -> SharedTake {
        let Some(mut connection) = self.connection().await else {
            return SharedTake::Unavailable;
        };
        let mut invocation = self.script.key(format!("{}{bucket}", self.prefix));
        invocation.arg(rate.millis_per_token.max(1)).arg(rate.burst.max(1));
        let answer = tokio::time::timeout(TIMEOUT, invocation.invoke_async::<i64>(&mut connection)).await;
        match answer {
            Ok(Ok(0)) => SharedTake::Allowed,
            Ok(Ok(wait)) => SharedTake::Refused(RetryAfter { millis: u64::try_from(wait).unwrap_or(1) }),
            Ok(Err(error)) => {
                self.lost(&error.to_string()).await;
                SharedTake::Unavailable
            }
            Err(_) => {
                self.lost("no answer in time").await;
                SharedTake::Unavailable
            }
        }
    }

    /// Drops a connection that failed, so the requests of the next [`RECONNECT_EVERY`]
    /// use their process's buckets at once instead of each waiting out [`TIMEOUT`].
    async fn lost(&self, why: &str) {
        *self.connection.lock().await = None;
        self.failed(why);
    }

    /// The connection (a cheap clone of the manager, which reconnects by itself once
    /// made); `None` while Redis cannot be reached and [`RECONNECT_EVERY`] has not passed.
    async fn connection(&self) -> Option<ConnectionManager> {
        let mut slot = self.connection.lock().await;
        if let Some(connection) = slot.as_ref() {
            return Some(connection.clone());
        }
        {
            let outage = self.outage.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            if outage.0.is_some_and(|failed| failed.elapsed() < RECONNECT_EVERY) {
                return None;
            }
        }
        let config = ConnectionManagerConfig::new()
            .set_connection_timeout(Some(TIMEOUT))
            .set_response_timeout(Some(TIMEOUT))
            .set_number_of_retries(1);
        let made = tokio::time::timeout(
            TIMEOUT * 2,
            ConnectionManager::new_with_config(self.client.clone(), config),
        )
        .await;
        match made {
            Ok(Ok(connection)) => {
                self.outage.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).0 = None;
                tracing::info!("rate limits shared through Redis");
                *slot = Some(connection.clone());
                Some(connection)
            }
            Ok(Err(error)) => {
                self.failed(&error.to_string());
                None
            }
            Err(_) => {
                self.failed("connecting timed out");
                None
            }
        }
    }

    fn failed(&self, why: &str) {
        self.outage.lock().unwrap_or_else(|poisoned| poisoned.into_inner()).0 = Some(Instant::now());
        self.warn(why);
    }

    fn warn(&self, why: &str) {
        let mut outage = self.outage.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        if outage.1.is_none_or(|logged| logged.elapsed() >= WARN_EVERY) {
            outage.1 = Some(Instant::now());
            tracing::warn!(error = why, "Redis unreachable: rate limits are per process until it answers");
        }
    }
}
