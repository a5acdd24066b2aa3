//! Prometheus metrics (`GET /metrics`). Labels are closed sets Hushgate
//! names itself — endpoint, status, entity type, decision, provider, error
//! kind — never a value, a prompt, a key or a tenant-supplied string other
//! than configured names.

use std::sync::atomic::AtomicU64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct RequestLabels {
    pub endpoint: &'static str,
    pub status: u16,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EndpointLabels {
    pub endpoint: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct EntityLabels {
    pub entity_type: String,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DecisionLabels {
    pub decision: &'static str,
}

#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct UpstreamLabels {
    pub provider: String,
    pub kind: &'static str,
}

/// Every metric the gateway exports.
pub struct Metrics {
    registry: Registry,
    pub requests: Family<RequestLabels, Counter>,
    pub latency: Family<EndpointLabels, Histogram>,
    pub scan_latency: Family<EndpointLabels, Histogram>,
    pub findings: Family<EntityLabels, Counter>,
    pub decisions: Family<DecisionLabels, Counter>,
    pub upstream_errors: Family<UpstreamLabels, Counter>,
    pub unknown_placeholders: Counter,
    pub streams_open: Gauge<i64, std::sync::atomic::AtomicI64>,
    pub scanned_bytes: Counter<u64, AtomicU64>,
}

impl std::fmt::Debug for Metrics {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Metrics")
    }
}

fn seconds_buckets() -> impl Iterator<Item = f64> {
    // 100 µs .. ~52 s
    exponential_buckets(0.0001, 2.0, 20)
}

impl Metrics {
    pub fn new() -> Metrics {
        let mut registry = Registry::with_prefix("hushgate");
        let requests = Family::<RequestLabels, Counter>::default();
        registry.register(
            "requests",
            "Requests answered, by endpoint and HTTP status",
            requests.clone(),
        );
        let latency = Family::<EndpointLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(seconds_buckets())
        });
        registry.register(
            "request_duration_seconds",
            "Time to the response head (streams: to the first byte), by endpoint",
            latency.clone(),
        );
        let scan_latency = Family::<EndpointLabels, Histogram>::new_with_constructor(|| {
            Histogram::new(seconds_buckets())
        });
        registry.register(
            "scan_duration_seconds",
            "Time spent detecting and pseudonymizing a request",
            scan_latency.clone(),
        );
        let findings = Family::<EntityLabels, Counter>::default();
        registry.register(
            "findings",
            "Sensitive values found in requests, by entity type",
            findings.clone(),
        );
        let decisions = Family::<DecisionLabels, Counter>::default();
        registry.register(
            "decisions",
            "What was done with requests: forward, pseudonymize, route_private, block",
            decisions.clone(),
        );
        let upstream_errors = Family::<UpstreamLabels, Counter>::default();
        registry.register(
            "upstream_errors",
            "Failed upstream requests, by provider and error kind",
            upstream_errors.clone(),
        );
        let unknown_placeholders = Counter::default();
        registry.register(
            "unknown_placeholders",
            "Placeholders in answers that the request did not contain (invented by the model)",
            unknown_placeholders.clone(),
        );
        let streams_open = Gauge::default();
        registry.register(
            "streams_open",
            "Streamed answers in progress",
            streams_open.clone(),
        );
        let scanned_bytes = Counter::default();
        registry.register(
            "scanned_bytes",
            "Bytes of request text scanned",
            scanned_bytes.clone(),
        );
        Metrics {
            registry,
            requests,
            latency,
            scan_latency,
            findings,
            decisions,
            upstream_errors,
            unknown_placeholders,
            streams_open,
            scanned_bytes,
        }
    }

    /// The Prometheus text exposition.
    pub fn encode(&self) -> String {
        let mut out = String::new();
        // Writing into a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut out, &self.registry);
        out
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}
