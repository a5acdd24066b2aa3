//! The HTTP server: state built once at startup, routes, and the request
//! path every proxied endpoint shares.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::Router;
use axum::body::Body;
use axum::extract::State;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use hushgate_config::{Config, ModelConfig, TenantConfig};
use hushgate_policy::Policy;
use hushgate_providers::{Endpoint, Provider};
use hushgate_redact::{Redactor, Restorer, Vault};
use hushgate_store::{
    AuditKeys, AuditOptions, AuditWriter, CorrelationKey, KeyInfo, Limiter, RateDecision,
    RedactedPrompt, Store,
};
use hushgate_types::TenantId;
use serde_json::{Map, Value, json};
use tokio::net::TcpListener;

use crate::decide::{Ask, build_redactor, scan_and_apply};
use crate::error::{ApiError, from_upstream};
use crate::fields;
use crate::metrics::{
    DecisionLabels, EndpointLabels, EntityLabels, Metrics, RequestLabels, UpstreamLabels,
};
use crate::stream::{StreamEnd, restore_events};
use crate::trail::{self, Trail};

/// Why the gateway could not start.
#[derive(Debug, thiserror::Error)]
pub enum StartError {
    #[error("cannot open the storage at {url}: {source}")]
    Store {
        url: String,
        #[source]
        source: hushgate_store::Error,
    },
    #[error("cannot build the detection engine for tenant `{tenant}`: {message}")]
    Engine { tenant: String, message: String },
    #[error("invalid tenant name `{0}`")]
    Tenant(String),
    #[error("invalid policy: {0}")]
    Policy(String),
    #[error("cannot connect to the rate limiter's Redis ([limits] redis_url): {0}")]
    Limiter(#[source] hushgate_store::Error),
    #[error("cannot load the audit keys: {0}")]
    Audit(#[source] hushgate_store::Error),
}

/// What [`Gateway::new`] found worth telling the operator at startup.
#[derive(Debug, Clone, Default)]
pub struct Startup {
    /// Providers that cannot be used, and why (e.g. a key variable unset).
    pub unusable_providers: Vec<(String, String)>,
    /// Key files created on this first start (audit signing key, secret).
    pub created_files: Vec<std::path::PathBuf>,
    /// Other things to tell the operator (e.g. a key file readable by others).
    pub warnings: Vec<String>,
}

/// Per tenant, built once.
struct Tenant {
    config: TenantConfig,
    id: TenantId,
    redactor: Arc<Redactor>,
    /// Has regimes: the policy engine decides its requests.
    policy: bool,
    /// Keys the audit trail's hashes of detected values.
    correlation: CorrelationKey,
}

struct Inner {
    config: Config,
    store: Store,
    limiter: Limiter,
    tenants: HashMap<String, Tenant>,
    policy: Arc<Policy>,
    audit: AuditWriter,
    /// Outcome records and usage corrections still running.
    background: trail::Background,
    providers: HashMap<String, Arc<Provider>>,
    /// Provider name → self-hosted, as the decision reads it (built once).
    self_hosted: Arc<HashMap<String, bool>>,
    unusable: HashMap<String, String>,
    metrics: Metrics,
    /// Texts larger than this are scanned on the blocking pool, so one big
    /// request does not stall the event loop for everyone.
    blocking_scan_bytes: usize,
}

/// The gateway: cheap to clone, shared by every connection.
#[derive(Clone)]
pub struct Gateway(Arc<Inner>);

impl std::fmt::Debug for Gateway {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Gateway")
            .field("tenants", &self.0.tenants.len())
            .field("providers", &self.0.providers.len())
            .finish_non_exhaustive()
    }
}

impl Gateway {
    /// Opens the storage named by `[storage] url` and builds every tenant's
    /// detection engine and every provider. A provider that cannot be built
    /// (its key variable unset) does not stop startup: requests for it are
    /// answered 503 with the reason, and [`Startup`] lists it.
    pub async fn new(config: Config) -> Result<(Gateway, Startup), StartError> {
        let store = Store::connect(&config.storage.url)
            .await
            .map_err(|source| StartError::Store {
                url: config.storage.redacted_url(),
                source,
            })?;
        Gateway::with_store(config, store).await
    }

    /// [`Gateway::new`] on an already opened store. Loads (on a first start,
    /// creates) the audit keys `[audit]` names and starts the audit writer.
    pub async fn with_store(
        config: Config,
        store: Store,
    ) -> Result<(Gateway, Startup), StartError> {
        let keys = AuditKeys::load(&config.audit).map_err(StartError::Audit)?;
        let audit = AuditWriter::start(
            store.clone(),
            keys.signer.clone(),
            AuditOptions::from_config(&config.audit),
        );
        let shared = Arc::new(build_redactor(&config, &config.detection, "(global)")?);
        let mut tenants = HashMap::new();
        for t in &config.tenants {
            let redactor = if t.custom_detection {
                Arc::new(build_redactor(&config, &t.detection, &t.name)?)
            } else {
                Arc::clone(&shared)
            };
            let id = t
                .name
                .parse::<TenantId>()
                .map_err(|_| StartError::Tenant(t.name.clone()))?;
            tenants.insert(
                t.name.clone(),
                Tenant {
                    config: t.clone(),
                    id,
                    redactor,
                    policy: !t.regimes.is_empty(),
                    correlation: keys.secret.correlation_key(&t.name),
                },
            );
        }
        let mut providers = HashMap::new();
        let mut unusable = HashMap::new();
        let mut startup = Startup {
            created_files: keys.created.clone(),
            warnings: keys.warnings.clone(),
            ..Startup::default()
        };
        for p in &config.providers {
            match Provider::from_config(p) {
                Ok(provider) => {
                    providers.insert(p.name.clone(), Arc::new(provider));
                }
                Err(e) => {
                    let why = e.to_string();
                    startup
                        .unusable_providers
                        .push((p.name.clone(), why.clone()));
                    unusable.insert(p.name.clone(), why);
                }
            }
        }
        let policy = Policy::new(&config.policy).map_err(|e| StartError::Policy(e.to_string()))?;
        let limiter = match &config.redis_url {
            Some(url) => Limiter::redis(url).await.map_err(StartError::Limiter)?,
            None => Limiter::database(store.clone()),
        };
        let inner = Inner {
            config,
            store,
            limiter,
            tenants,
            policy: Arc::new(policy),
            audit,
            background: trail::Background::default(),
            self_hosted: Arc::new(
                providers
                    .iter()
                    .map(|(n, p)| (n.clone(), p.is_self_hosted()))
                    .collect(),
            ),
            providers,
            unusable,
            metrics: Metrics::new(),
            blocking_scan_bytes: 32 << 10,
        };
        Ok((Gateway(Arc::new(inner)), startup))
    }

    pub fn config(&self) -> &Config {
        &self.0.config
    }

    pub fn store(&self) -> &Store {
        &self.0.store
    }

    pub fn metrics(&self) -> &Metrics {
        &self.0.metrics
    }

    /// The routes: the OpenAI API under `/v1`, health and metrics.
    pub fn router(&self) -> Router {
        Router::new()
            .route("/v1/chat/completions", post(chat_completions))
            .route("/v1/completions", post(completions))
            .route("/v1/embeddings", post(embeddings))
            .route("/v1/models", get(models))
            .route("/healthz", get(healthz))
            .route("/readyz", get(readyz))
            .route("/metrics", get(metrics))
            .fallback(not_found)
            .with_state(self.clone())
    }

    /// Serves on `listener` until `shutdown` resolves, then finishes the
    /// requests in flight and closes the audit trail (signing its heads).
    pub async fn serve(
        self,
        listener: TcpListener,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        use axum::serve::ListenerExt;
        // Without TCP_NODELAY, each small SSE event waits for the client's
        // delayed ACK (Nagle): ~40 ms per streamed answer.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        let served = axum::serve(listener, self.router())
            .with_graceful_shutdown(shutdown)
            .await;
        // Outcome records and usage corrections of the last responses.
        self.0.background.idle(Duration::from_secs(10)).await;
        if let Err(e) = self.close_audit().await {
            tracing::error!(error = %e, "closing the audit trail failed");
        }
        served
    }

    /// Commits what is queued, signs the chain heads and stops the audit
    /// writer. Afterwards, requests to external providers fail closed.
    pub async fn close_audit(&self) -> Result<(), hushgate_store::Error> {
        self.0.audit.close().await
    }
}

// --- routes ------------------------------------------------------------------

async fn chat_completions(State(gw): State<Gateway>, headers: HeaderMap, body: Body) -> Response {
    gw.proxy(Endpoint::ChatCompletions, headers, body).await
}

async fn completions(State(gw): State<Gateway>, headers: HeaderMap, body: Body) -> Response {
    gw.proxy(Endpoint::Completions, headers, body).await
}

async fn embeddings(State(gw): State<Gateway>, headers: HeaderMap, body: Body) -> Response {
    gw.proxy(Endpoint::Embeddings, headers, body).await
}

async fn models(State(gw): State<Gateway>, headers: HeaderMap) -> Response {
    let started = Instant::now();
    let resp = match gw.authenticate(&headers).await {
        Ok((_, tenant)) => {
            let data: Vec<Value> = gw
                .0
                .config
                .models
                .iter()
                .filter(|m| tenant.config.allows_model(&m.alias))
                .map(|m| {
                    json!({"id": m.alias, "object": "model", "created": 0, "owned_by": m.provider})
                })
                .collect();
            axum::Json(json!({"object": "list", "data": data})).into_response()
        }
        Err(e) => e.into_response(),
    };
    gw.count(Endpoint::Models.path(), &resp, started);
    resp
}

async fn healthz() -> Response {
    axum::Json(json!({"status": "ok"})).into_response()
}

/// Ready when the storage answers: without it no key can be checked.
async fn readyz(State(gw): State<Gateway>) -> Response {
    match gw.0.store.ping().await {
        Ok(()) => axum::Json(json!({"status": "ready"})).into_response(),
        Err(_) => ApiError::unavailable("The storage is not reachable.").into_response(),
    }
}

async fn metrics(State(gw): State<Gateway>) -> Response {
    (
        [(
            header::CONTENT_TYPE,
            "application/openmetrics-text; version=1.0.0; charset=utf-8",
        )],
        gw.0.metrics.encode(),
    )
        .into_response()
}

async fn not_found() -> Response {
    ApiError::new(
        StatusCode::NOT_FOUND,
        "invalid_request_error",
        "Unknown path. Hushgate serves /v1/chat/completions, /v1/completions, \
         /v1/embeddings and /v1/models (OpenAI's API), /healthz, /readyz and /metrics.",
    )
    .code("unknown_url")
    .into_response()
}

// --- the request path --------------------------------------------------------

/// One request after parsing, before forwarding.
struct Prepared {
    body: Value,
    stream: bool,
    provider: Arc<Provider>,
    /// `None` when nothing was replaced (nothing to restore).
    vault: Option<Vault>,
    /// For tenants that keep it in the audit record.
    redacted_prompt: Option<String>,
    estimate: u64,
    /// The decision's label (`allow`, `pseudonymize`, `route_private`).
    action: &'static str,
    route: String,
}

impl Gateway {
    async fn proxy(&self, endpoint: Endpoint, headers: HeaderMap, body: Body) -> Response {
        let started = Instant::now();
        let request_id = new_request_id();
        let mut resp = match self.authenticate(&headers).await {
            Err(e) => e.into_response(),
            Ok((key, tenant)) => {
                let mut trail = Trail::new(
                    &tenant.config.name,
                    key.id.clone(),
                    &request_id,
                    endpoint.path(),
                );
                match self
                    .handle(endpoint, &headers, body, &key, tenant, &mut trail)
                    .await
                {
                    Ok(resp) => resp,
                    Err(e) => {
                        // Answered without forwarding: one record, with the
                        // final status. (Once forwarded, the outcome record
                        // is written where the failure is seen.)
                        if !trail.decided {
                            let record = trail.decision_record(e.status().as_u16());
                            if let Some(record) = record
                                && let Err(err) = self.0.audit.append(record).await
                            {
                                tracing::error!(error = %err, "audit append failed");
                            }
                        }
                        e.into_response()
                    }
                }
            }
        };
        if let Ok(v) = HeaderValue::from_str(&request_id) {
            resp.headers_mut().insert("x-request-id", v);
        }
        self.count(endpoint.path(), &resp, started);
        resp
    }

    fn count(&self, endpoint: &'static str, resp: &Response, started: Instant) {
        let m = &self.0.metrics;
        m.requests
            .get_or_create(&RequestLabels {
                endpoint,
                status: resp.status().as_u16(),
            })
            .inc();
        m.latency
            .get_or_create(&EndpointLabels { endpoint })
            .observe(started.elapsed().as_secs_f64());
    }

    async fn authenticate(&self, headers: &HeaderMap) -> Result<(KeyInfo, &Tenant), ApiError> {
        let presented = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| {
                v.strip_prefix("Bearer ")
                    .or_else(|| v.strip_prefix("bearer "))
            })
            .map(str::trim)
            .filter(|k| !k.is_empty())
            .ok_or_else(|| {
                ApiError::unauthorized(
                    "Missing API key: send `Authorization: Bearer <key>`. \
                     Create a key with `hushgate keys create --tenant <name>`.",
                )
            })?;
        let info = self
            .0
            .store
            .authenticate(presented)
            .await
            .map_err(|_| ApiError::unavailable("The key store is not reachable; try again."))?
            .ok_or_else(|| {
                ApiError::unauthorized("Incorrect API key provided, or the key was revoked.")
            })?;
        let tenant = self.0.tenants.get(&info.tenant).ok_or_else(|| {
            ApiError::unauthorized(format!(
                "This key belongs to tenant `{}`, which is not in this gateway's configuration.",
                info.tenant
            ))
        })?;
        Ok((info, tenant))
    }

    async fn handle(
        &self,
        endpoint: Endpoint,
        headers: &HeaderMap,
        body: Body,
        key: &KeyInfo,
        tenant: &Tenant,
        trail: &mut Trail,
    ) -> Result<Response, ApiError> {
        let raw = read_body(body, headers, self.0.config.server.max_body_bytes).await?;
        let body = parse_json(&raw)?;
        let body_bytes = raw.len();
        drop(raw);
        let (model, body) = self.resolve_model(endpoint, tenant, body)?;
        trail.model = Some(model.alias.clone());
        let limits = tenant.config.limits;
        let estimate = estimate_tokens(endpoint, body_bytes, &body);
        self.check_limits(key, &limits, estimate).await?;
        let prepared = self
            .prepare(endpoint, tenant, model, body, estimate, trail)
            .await?;
        self.forward(endpoint, key, tenant, prepared, trail).await
    }

    fn resolve_model<'a>(
        &'a self,
        endpoint: Endpoint,
        tenant: &Tenant,
        body: Value,
    ) -> Result<(&'a ModelConfig, Map<String, Value>), ApiError> {
        let Value::Object(mut body) = body else {
            return Err(ApiError::bad_request(
                "The request body must be a JSON object.",
            ));
        };
        let alias = match body.get("model") {
            Some(Value::String(m)) => m.clone(),
            Some(_) => {
                return Err(ApiError::bad_request("`model` must be a string.").param("model"));
            }
            None => {
                return Err(
                    ApiError::bad_request("You must provide a model parameter (`model`).")
                        .param("model"),
                );
            }
        };
        let allowed: Vec<&str> = self
            .0
            .config
            .models
            .iter()
            .filter(|m| tenant.config.allows_model(&m.alias))
            .map(|m| m.alias.as_str())
            .collect();
        let model = self
            .0
            .config
            .model(&alias)
            .filter(|m| tenant.config.allows_model(&m.alias))
            .ok_or_else(|| {
                let listed = if allowed.is_empty() {
                    "none are configured for this tenant".to_owned()
                } else {
                    format!("available: {}", allowed.join(", "))
                };
                // The alias is the client's own string; it is a model name,
                // echoed the way OpenAI does, capped in length.
                let shown: String = alias.chars().take(64).collect();
                ApiError::model_not_found(format!(
                    "The model `{shown}` does not exist or you do not have access to it ({listed})."
                ))
            })?;
        if endpoint == Endpoint::ChatCompletions {
            match body.get("messages") {
                Some(Value::Array(m)) if m.len() > self.0.config.server.max_messages => {
                    return Err(ApiError::bad_request(format!(
                        "Too many messages: {} (this gateway accepts at most {}, \
                         `[server] max_messages`).",
                        m.len(),
                        self.0.config.server.max_messages
                    ))
                    .param("messages"));
                }
                Some(Value::Array(_)) => {}
                _ => {
                    return Err(
                        ApiError::bad_request("`messages` must be an array of messages.")
                            .param("messages"),
                    );
                }
            }
        }
        apply_model_defaults(endpoint, model, &mut body);
        Ok((model, body))
    }

    async fn check_limits(
        &self,
        key: &KeyInfo,
        limits: &hushgate_config::Limits,
        estimate: u64,
    ) -> Result<(), ApiError> {
        let id = key.id.as_str();
        let limiter = &self.0.limiter;
        let unavailable = |_| ApiError::unavailable("The rate limiter is not reachable.");
        if let Some(rpm) = limits.requests_per_minute {
            let d = limiter
                .acquire(&format!("rpm:{id}"), 1, rpm)
                .await
                .map_err(unavailable)?;
            if let RateDecision::Limited { retry_after } = d {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "requests",
                    format!("Rate limit reached for this key: {rpm} requests per minute."),
                )
                .code("rate_limit_exceeded")
                .retry_after(retry_after));
            }
        }
        if let Some(tpm) = limits.tokens_per_minute {
            let d = limiter
                .acquire(&format!("tpm:{id}"), estimate.min(tpm), tpm)
                .await
                .map_err(unavailable)?;
            if let RateDecision::Limited { retry_after } = d {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "tokens",
                    format!("Rate limit reached for this key: {tpm} tokens per minute."),
                )
                .code("rate_limit_exceeded")
                .retry_after(retry_after));
            }
        }
        if let Some(budget) = limits.monthly_token_budget {
            let period = hushgate_store::month_period(time::OffsetDateTime::now_utc());
            let d = self
                .0
                .store
                .reserve_budget(&format!("budget:{id}"), &period, estimate, budget)
                .await
                .map_err(unavailable)?;
            if let hushgate_store::BudgetDecision::Exhausted { .. } = d {
                return Err(ApiError::new(
                    StatusCode::TOO_MANY_REQUESTS,
                    "insufficient_quota",
                    format!(
                        "This key's monthly token budget ({budget} tokens) is used up \
                         until the start of next month."
                    ),
                )
                .code("insufficient_quota")
                .retry_after(Duration::from_secs(3600)));
            }
        }
        Ok(())
    }

    /// Scans every text, decides (the tenant's policy, or "pseudonymize
    /// everything external" for a tenant without regimes), and applies the
    /// decision: the route, and which findings are replaced.
    async fn prepare(
        &self,
        endpoint: Endpoint,
        tenant: &Tenant,
        model: &ModelConfig,
        body: Map<String, Value>,
        estimate: u64,
        trail: &mut Trail,
    ) -> Result<Prepared, ApiError> {
        let stream = body.get("stream") == Some(&Value::Bool(true));
        let mut body = Value::Object(body);
        let started = Instant::now();

        let mut texts = Vec::new();
        let walk = fields::for_each_text(&mut body, &mut |s| texts.push(std::mem::take(s)));
        let bytes: usize = texts.iter().map(String::len).sum();
        let ask = Ask {
            endpoint,
            tenant: tenant.config.name.clone(),
            route: model.provider.clone(),
            governed: tenant.policy,
            pseudonymize_all: tenant.config.pseudonymize_all,
            requested_self_hosted: self.is_self_hosted(&model.provider),
            down: self.0.unusable.keys().cloned().collect(),
            media_parts: walk.media_parts,
            block_unscanned: tenant.config.block_unscanned,
        };
        let redactor = Arc::clone(&tenant.redactor);
        let policy = Arc::clone(&self.0.policy);
        let self_hosted = Arc::clone(&self.0.self_hosted);
        let vault = Vault::new(tenant.id.clone());
        let correlation = tenant.correlation.clone();
        let work = move || {
            scan_and_apply(
                &redactor,
                &policy,
                &self_hosted,
                &correlation,
                &ask,
                texts,
                vault,
            )
        };
        let outcome = if bytes > self.0.blocking_scan_bytes {
            tokio::task::spawn_blocking(work)
                .await
                .map_err(|_| ApiError::fail_closed("Detection failed"))??
        } else {
            work()?
        };

        let m = &self.0.metrics;
        m.scanned_bytes.inc_by(bytes as u64);
        m.scan_latency
            .get_or_create(&EndpointLabels {
                endpoint: endpoint.path(),
            })
            .observe(started.elapsed().as_secs_f64());
        for (t, n) in &outcome.counts {
            m.findings
                .get_or_create(&EntityLabels {
                    entity_type: t.as_str().to_owned(),
                })
                .inc_by(*n as u64);
        }
        m.decisions
            .get_or_create(&DecisionLabels {
                decision: outcome.action,
            })
            .inc();
        trail.decision = Some(outcome.action);
        trail.route.clone_from(&outcome.route);
        trail.set_reasons(&outcome.reasons);
        trail.findings.clone_from(&outcome.counts);
        trail.value_hashes = outcome.value_hashes;
        tracing::debug!(
            endpoint = endpoint.path(),
            route = outcome.route.as_deref().unwrap_or("-"),
            decision = outcome.action,
            findings = outcome.counts.values().sum::<usize>(),
            replaced = outcome.replaced,
            scanned_bytes = bytes,
            "request prepared"
        );
        let Some(route) = outcome.route else {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "policy_violation",
                "Blocked by the tenant's policy: this data may not be sent to any available \
                 route. See `reasons` (types and rules only, never values).",
            )
            .code("blocked_by_policy")
            .reasons(outcome.reasons));
        };
        let provider = self.provider(&route)?;
        let upstream_model = if route == model.provider {
            model.model.clone()
        } else {
            self.model_for_route(&route)?
        };
        let mut out = outcome.texts.into_iter();
        let mut missing = false;
        fields::for_each_text(&mut body, &mut |s| match out.next() {
            Some(t) => *s = t,
            None => missing = true,
        });
        if missing {
            return Err(ApiError::fail_closed(
                "Redaction lost track of the request's texts",
            ));
        }
        if let Some(obj) = body.as_object_mut() {
            obj.insert("model".into(), Value::String(upstream_model));
        }
        let redacted_prompt = tenant
            .config
            .audit
            .store_redacted_prompt
            .then(|| redacted_prompt(&body));
        Ok(Prepared {
            redacted_prompt,
            body,
            stream,
            provider,
            vault: (outcome.replaced > 0).then_some(outcome.vault),
            estimate,
            action: outcome.action,
            route,
        })
    }

    fn is_self_hosted(&self, provider: &str) -> bool {
        self.0
            .providers
            .get(provider)
            .is_some_and(|p| p.is_self_hosted())
    }

    /// The upstream model of the first alias served by `route` (the model a
    /// request rerouted there runs on).
    fn model_for_route(&self, route: &str) -> Result<String, ApiError> {
        self.0
            .config
            .models
            .iter()
            .find(|m| m.provider == route)
            .map(|m| m.model.clone())
            .ok_or_else(|| {
                ApiError::fail_closed(&format!(
                    "The policy routes this request to `{route}`, but no [[models]] alias \
                     names that provider"
                ))
            })
    }

    fn provider(&self, name: &str) -> Result<Arc<Provider>, ApiError> {
        if let Some(p) = self.0.providers.get(name) {
            return Ok(Arc::clone(p));
        }
        let why = self
            .0
            .unusable
            .get(name)
            .map_or("it is not configured", String::as_str);
        Err(ApiError::unavailable(format!(
            "The provider `{name}` cannot be used: {why}."
        )))
    }

    async fn forward(
        &self,
        endpoint: Endpoint,
        key: &KeyInfo,
        tenant: &Tenant,
        p: Prepared,
        trail: &mut Trail,
    ) -> Result<Response, ApiError> {
        let provider = p.provider;
        self.record_decision(tenant, &provider, p.redacted_prompt, trail)
            .await?;
        if p.stream && endpoint != Endpoint::Embeddings {
            let upstream = match provider.send_stream(endpoint, &p.body).await {
                Ok(u) => u,
                Err(e) => return Err(self.upstream_failed(&e, trail)),
            };
            let events = upstream.events(self.0.config.server.max_upstream_event_bytes);
            let gw = self.clone();
            let key = key.clone();
            let provider_name = provider.name().to_owned();
            let estimate = p.estimate;
            let trail = trail.clone();
            self.0.metrics.streams_open.inc();
            let body = restore_events(
                events,
                p.vault.map(Arc::new),
                endpoint == Endpoint::ChatCompletions,
                move |end: StreamEnd| {
                    gw.stream_ended(&key, &provider_name, estimate, &trail, end);
                },
            );
            let mut resp = Response::new(Body::from_stream(body));
            let h = resp.headers_mut();
            h.insert(
                header::CONTENT_TYPE,
                HeaderValue::from_static("text/event-stream"),
            );
            h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-cache"));
            decision_headers(h, p.action, &p.route);
            return Ok(resp);
        }
        let answer = match provider.send(endpoint, &p.body).await {
            Ok(a) => a,
            Err(e) => return Err(self.upstream_failed(&e, trail)),
        };
        let mut body = answer.body;
        if let Some(vault) = &p.vault {
            // The vault's own tenant: this cannot fail; were it to, the
            // answer keeps its placeholders, which reveal nothing.
            if let Ok(mut restorer) = Restorer::new(vault, vault.tenant()) {
                if let Some(choices) = body.get_mut("choices") {
                    restorer.restore_value(choices);
                }
                self.0
                    .metrics
                    .unknown_placeholders
                    .inc_by(restorer.unknown() as u64);
            }
        }
        self.settle_usage(key, p.estimate, body.get("usage"));
        self.0.background.append(
            &self.0.audit,
            trail.outcome_record(200, body.get("usage"), None),
        );
        let mut resp = axum::Json(body).into_response();
        decision_headers(resp.headers_mut(), p.action, &p.route);
        Ok(resp)
    }

    /// Makes the decision record durable before anything is forwarded. If
    /// that fails, a request to an external provider is not sent (unless
    /// the tenant set `[tenants.audit] fail_closed = false`).
    async fn record_decision(
        &self,
        tenant: &Tenant,
        provider: &Provider,
        redacted_prompt: Option<String>,
        trail: &mut Trail,
    ) -> Result<(), ApiError> {
        // Status 0 (`hushgate_store::FORWARDED_STATUS`): the outcome record follows.
        let Some(mut record) = trail.decision_record(0) else {
            return Err(ApiError::fail_closed(
                "The audit record could not be formed",
            ));
        };
        record.redacted_prompt = redacted_prompt.map(RedactedPrompt::from_redacted);
        trail.decided = true;
        match self.0.audit.append(record).await {
            Ok(_) => Ok(()),
            Err(e) => {
                tracing::error!(error = %e, "audit append failed before forwarding");
                if tenant.config.audit.fail_closed && !provider.is_self_hosted() {
                    Err(ApiError::unavailable(
                        "The audit trail is unavailable, so this request was not forwarded \
                         (Hushgate fails closed; see [tenants.audit] fail_closed).",
                    )
                    .code("audit_unavailable"))
                } else {
                    Ok(())
                }
            }
        }
    }

    /// An upstream failure after the decision record: its outcome record,
    /// metrics, and the client's error.
    fn upstream_failed(&self, e: &hushgate_providers::Error, trail: &Trail) -> ApiError {
        let err = self.upstream_error(e);
        self.0.background.append(
            &self.0.audit,
            trail.outcome_record(err.status().as_u16(), None, Some(e.kind().as_str())),
        );
        err
    }

    fn upstream_error(&self, e: &hushgate_providers::Error) -> ApiError {
        self.0
            .metrics
            .upstream_errors
            .get_or_create(&UpstreamLabels {
                provider: e.provider().to_owned(),
                kind: e.kind().as_str(),
            })
            .inc();
        tracing::warn!(error = %e, "upstream request failed");
        from_upstream(e)
    }

    fn stream_ended(
        &self,
        key: &KeyInfo,
        provider: &str,
        estimate: u64,
        trail: &Trail,
        end: StreamEnd,
    ) {
        // 499: the client went away before the end (nginx's convention).
        let status = match (&end.error, end.cancelled) {
            (Some(_), _) => 502,
            (None, true) => 499,
            (None, false) => 200,
        };
        self.0.background.append(
            &self.0.audit,
            trail.outcome_record(status, end.usage.as_ref(), end.error),
        );
        let m = &self.0.metrics;
        m.streams_open.dec();
        m.unknown_placeholders
            .inc_by(end.unknown_placeholders as u64);
        if let Some(kind) = end.error {
            m.upstream_errors
                .get_or_create(&UpstreamLabels {
                    provider: provider.to_owned(),
                    kind,
                })
                .inc();
        }
        self.settle_usage(key, estimate, end.usage.as_ref());
    }

    /// Replaces the token estimate counted before the request by the usage
    /// the provider reported, in the background.
    fn settle_usage(&self, key: &KeyInfo, estimate: u64, usage: Option<&Value>) {
        let Some(actual) = usage
            .and_then(|u| u.get("total_tokens"))
            .and_then(Value::as_u64)
        else {
            return;
        };
        let delta =
            i64::try_from(actual).unwrap_or(i64::MAX) - i64::try_from(estimate).unwrap_or(0);
        if delta == 0 {
            return;
        }
        let limits = self
            .0
            .tenants
            .get(&key.tenant)
            .map(|t| t.config.limits)
            .unwrap_or_default();
        let gw = self.clone();
        let id = key.id.as_str().to_owned();
        self.0.background.spawn(async move {
            if limits.tokens_per_minute.is_some() {
                let _ = gw.0.limiter.add(&format!("tpm:{id}"), delta).await;
            }
            if limits.monthly_token_budget.is_some() {
                let period = hushgate_store::month_period(time::OffsetDateTime::now_utc());
                let _ =
                    gw.0.store
                        .add_usage(&format!("budget:{id}"), &period, delta, 0)
                        .await;
            }
        });
    }
}

/// 16 random bytes as hex; a clock-based id if the OS has no randomness.
fn new_request_id() -> String {
    let mut b = [0u8; 16];
    if getrandom::fill(&mut b).is_err() {
        let t = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        b = t.to_le_bytes();
    }
    format!("req_{}", hex::encode(b))
}

/// The redacted texts of a request as sent, one per line, for tenants that
/// keep them in the audit record (capped at 64 KiB).
fn redacted_prompt(body: &Value) -> String {
    let mut out = String::new();
    let mut copy = body.clone();
    fields::for_each_text(&mut copy, &mut |s| {
        if out.len() < 64 << 10 {
            out.push_str(s);
            out.push('\n');
        }
    });
    let mut cut = out.len().min(64 << 10);
    while !out.is_char_boundary(cut) {
        cut -= 1;
    }
    out.truncate(cut);
    out
}

/// `x-hushgate-decision` and `x-hushgate-route`: what was done, for the
/// client's own logs (labels and configured names only).
fn decision_headers(h: &mut HeaderMap, action: &'static str, route: &str) {
    h.insert("x-hushgate-decision", HeaderValue::from_static(action));
    if let Ok(v) = HeaderValue::from_str(route) {
        h.insert("x-hushgate-route", v);
    }
}

/// The alias's system prompt and defaults: added where the client set none.
fn apply_model_defaults(endpoint: Endpoint, model: &ModelConfig, body: &mut Map<String, Value>) {
    if endpoint == Endpoint::Embeddings {
        return;
    }
    if let Some(t) = model.temperature {
        body.entry("temperature").or_insert_with(|| json!(t));
    }
    if let Some(n) = model.max_tokens
        && !body.contains_key("max_completion_tokens")
    {
        body.entry("max_tokens").or_insert_with(|| json!(n));
    }
    if let (Endpoint::ChatCompletions, Some(prompt)) = (endpoint, &model.system_prompt)
        && let Some(Value::Array(messages)) = body.get_mut("messages")
    {
        messages.insert(0, json!({"role": "system", "content": prompt}));
    }
}

/// A cheap upper-bound guess of a request's tokens (4 bytes of body a
/// token, plus the completion it asks for), counted against the limits
/// before the request and corrected by the provider's usage after.
fn estimate_tokens(endpoint: Endpoint, body_bytes: usize, body: &Map<String, Value>) -> u64 {
    let prompt = (body_bytes / 4).max(1) as u64;
    if endpoint == Endpoint::Embeddings {
        return prompt;
    }
    let completion = ["max_completion_tokens", "max_tokens"]
        .iter()
        .find_map(|k| body.get(*k).and_then(Value::as_u64))
        .unwrap_or(256);
    prompt + completion
}

async fn read_body(body: Body, headers: &HeaderMap, limit: usize) -> Result<Vec<u8>, ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > limit as u64) {
        return Err(ApiError::too_large(limit));
    }
    match axum::body::to_bytes(body, limit).await {
        Ok(b) => Ok(b.to_vec()),
        Err(e) => {
            let over = std::error::Error::source(&e)
                .is_some_and(|s| s.is::<http_body_util::LengthLimitError>());
            if over {
                Err(ApiError::too_large(limit))
            } else {
                Err(ApiError::bad_request(
                    "The request body could not be read (the connection broke).",
                ))
            }
        }
    }
}

fn parse_json(raw: &[u8]) -> Result<Value, ApiError> {
    let text = std::str::from_utf8(raw).map_err(|e| {
        ApiError::bad_request(format!(
            "The request body is not valid UTF-8 (first bad byte at offset {}).",
            e.valid_up_to()
        ))
    })?;
    // Syntax errors of a untyped parse name a position and a category,
    // never the text at it.
    serde_json::from_str(text).map_err(|e| {
        ApiError::bad_request(format!(
            "We could not parse the JSON body of your request: {e}. \
             The OpenAI API expects a JSON object."
        ))
    })
}
