//! Request metrics in the Prometheus text format, kept in process: counters by route and
//! status, and a latency histogram by route.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::Mutex;
use std::time::Instant;

use axum::extract::{MatchedPath, Request, State};
use axum::middleware::Next;
use axum::response::Response;

use crate::WebState;

/// Upper bounds (seconds) of the latency histogram's buckets.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0];

#[derive(Debug, Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

#[derive(Debug, Default)]
struct Inner {
    /// (method, route, status) → requests
    requests: BTreeMap<(&'static str, String, u16), u64>,
    /// route → latency
    latency: BTreeMap<String, Histogram>,
}

/// The process's request metrics.
#[derive(Debug, Default)]
pub struct Metrics {
    inner: Mutex<Inner>,
}

/// The methods counted by name: HTTP's own (RFC 9110, plus PATCH). Anyone can invent
/// a method, and each name would be a new series.
const METHODS: [&str; 9] = ["GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"];

/// A method's label: its name if HTTP defines it, else `other`.
fn method_label(method: &str) -> &'static str {
    METHODS.into_iter().find(|m| *m == method).unwrap_or("other")
}

impl Metrics {
    /// Records one finished request. Every label comes from a fixed set, so the number of
    /// series stays bounded whatever clients send: methods are HTTP's own or `other`,
    /// routes the matched pattern (`/j/{code}`, never the raw path) or `unmatched`.
    pub fn observe(&self, method: &str, route: &str, status: u16, seconds: f64) {
        let Ok(mut inner) = self.inner.lock() else {
            return;
        };
        let method = method_label(method);
        *inner.requests.entry((method, route.to_owned(), status)).or_default() += 1;
        let histogram = inner.latency.entry(route.to_owned()).or_default();
        for (count, bound) in histogram.counts.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *count += 1;
            }
        }
        histogram.count += 1;
        histogram.sum += seconds;
    }

    /// The Prometheus text exposition of everything recorded.
    pub fn render(&self) -> String {
        let mut out = String::new();
        let Ok(inner) = self.inner.lock() else {
            return out;
        };
        out.push_str("# HELP huiji_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE huiji_http_requests_total counter\n");
        for ((method, route, status), count) in &inner.requests {
            let _ = writeln!(
                out,
                "huiji_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {count}",
                escape(route)
            );
        }
        out.push_str("# HELP huiji_http_request_duration_seconds HTTP request latency.\n");
        out.push_str("# TYPE huiji_http_request_duration_seconds histogram\n");
        for (route, h) in &inner.latency {
            let route = escape(route);
            for (count, bound) in h.counts.iter().zip(BUCKETS) {
                let _ = writeln!(
                    out,
                    "huiji_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"{bound}\"}} {count}"
                );
            }
            let _ = writeln!(
                out,
                "huiji_http_request_duration_seconds_bucket{{route=\"{route}\",le=\"+Inf\"}} {}",
                h.count
            );
            let _ = writeln!(out, "huiji_http_request_duration_seconds_sum{{route=\"{route}\"}} {}", h.sum);
            let _ =
                writeln!(out, "huiji_http_request_duration_seconds_count{{route=\"{route}\"}} {}", h.count);
        }
        out
    }
}

/// The group-commit writer's batch sizes (see `huiji_store::WriteBatches`) as a Prometheus
/// histogram: a bucket's bound is the largest size it holds, the sum is the writes run.
pub fn render_write_batches(seen: &huiji_store::WriteBatches) -> String {
    let mut out = String::new();
    if !seen.enabled {
        return out;
    }
    out.push_str(
        "# HELP huiji_store_write_batch_size Writes per group-commit transaction (joins written together count one each; PostgreSQL: joins per statement).\n",
    );
    out.push_str("# TYPE huiji_store_write_batch_size histogram\n");
    let mut cumulative = 0;
    for (i, (smallest, batches)) in seen.sizes.iter().enumerate() {
        cumulative += batches;
        // A bucket holds the sizes up to the next one's smallest; the last, only its own.
        let largest = seen.sizes.get(i + 1).map_or(*smallest, |(next, _)| next - 1);
        let _ = writeln!(out, "huiji_store_write_batch_size_bucket{{le=\"{largest}\"}} {cumulative}");
    }
    let _ = writeln!(out, "huiji_store_write_batch_size_bucket{{le=\"+Inf\"}} {cumulative}");
    let _ = writeln!(out, "huiji_store_write_batch_size_sum {}", seen.jobs);
    let _ = writeln!(out, "huiji_store_write_batch_size_count {cumulative}");
    out.push_str(
        "# HELP huiji_store_write_jobs_rolled_back_total Jobs undone to their savepoint, and joins a batch statement left out.\n",
    );
    out.push_str("# TYPE huiji_store_write_jobs_rolled_back_total counter\n");
    let _ = writeln!(out, "huiji_store_write_jobs_rolled_back_total {}", seen.rolled_back);
    out.push_str("# HELP huiji_store_write_jobs_uncommitted_total Jobs whose batch did not commit.\n");
    out.push_str("# TYPE huiji_store_write_jobs_uncommitted_total counter\n");
    let _ = writeln!(out, "huiji_store_write_jobs_uncommitted_total {}", seen.uncommitted);
    out.push_str(
        "# HELP huiji_store_write_batches_kept_total Batches begun on the SQLite write connection kept from the batch before.\n",
    );
    out.push_str("# TYPE huiji_store_write_batches_kept_total counter\n");
    let _ = writeln!(out, "huiji_store_write_batches_kept_total {}", seen.kept);
    out
}

/// Label values escape backslash, quote and newline (Prometheus text format).
fn escape(value: &str) -> String {
    value.replace('\\', "\\\\").replace('"', "\\\"").replace('\n', "\\n")
}

/// Middleware recording every request into [`Metrics`].
pub async fn record(State(state): State<WebState>, request: Request, next: Next) -> Response {
    let started = Instant::now();
    let method = request.method().as_str().to_owned();
    let route = request
        .extensions()
        .get::<MatchedPath>()
        .map_or_else(|| "unmatched".to_owned(), |p| p.as_str().to_owned());
    let response = next.run(request).await;
    state.metrics.observe(&method, &route, response.status().as_u16(), started.elapsed().as_secs_f64());
    response
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let metrics = Metrics::default();
        metrics.observe("GET", "/healthz", 200, 0.002);
        metrics.observe("GET", "/healthz", 200, 0.3);
        metrics.observe("GET", "/x\"y", 404, 0.0001);
        metrics.observe("BREW", "/metrics", 405, 0.0001);
        metrics.observe("PATCH", "/metrics", 405, 0.0001);
        let text = metrics.render();
        assert!(text.contains("{method=\"other\",route=\"/metrics\",status=\"405\"} 1"));
        assert!(text.contains("{method=\"PATCH\",route=\"/metrics\",status=\"405\"} 1"));
        assert!(!text.contains("BREW"));
        assert!(
            text.contains("huiji_http_requests_total{method=\"GET\",route=\"/healthz\",status=\"200\"} 2")
        );
        assert!(text.contains("route=\"/x\\\"y\""));
        assert!(
            text.contains("huiji_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.0025\"} 1")
        );
        assert!(text.contains("huiji_http_request_duration_seconds_bucket{route=\"/healthz\",le=\"0.5\"} 2"));
        assert!(text.contains("huiji_http_request_duration_seconds_count{route=\"/healthz\"} 2"));
    }

    #[test]
    fn renders_batch_sizes_as_a_cumulative_histogram() {
        let seen = huiji_store::WriteBatches {
            enabled: true,
            writers: 1,
            sizes: vec![(1, 5), (2, 0), (4, 2), (8, 0), (16, 0), (32, 0), (64, 1)],
            jobs: 5 + 10 + 64,
            rolled_back: 1,
            uncommitted: 0,
            kept: 6,
        };
        let text = render_write_batches(&seen);
        assert!(text.contains("huiji_store_write_batch_size_bucket{le=\"1\"} 5\n"), "{text}");
        assert!(text.contains("huiji_store_write_batch_size_bucket{le=\"7\"} 7\n"), "{text}");
        assert!(text.contains("huiji_store_write_batch_size_bucket{le=\"63\"} 7\n"), "{text}");
        assert!(text.contains("huiji_store_write_batch_size_bucket{le=\"64\"} 8\n"), "{text}");
        assert!(text.contains("huiji_store_write_batch_size_sum 79\n"), "{text}");
        assert!(text.contains("huiji_store_write_batch_size_count 8\n"), "{text}");
        assert!(text.contains("huiji_store_write_jobs_rolled_back_total 1\n"), "{text}");
        assert!(text.contains("huiji_store_write_batches_kept_total 6\n"), "{text}");
        assert!(render_write_batches(&huiji_store::WriteBatches::default()).is_empty());
    }
}
