//! `hushgate serve`: run the gateway.

use std::net::SocketAddr;
use std::path::Path;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use hushgate_config::Config;
use hushgate_gateway::Gateway;

/// Run the OpenAI-compatible gateway.
#[derive(Args)]
#[command(
    long_about = "Run the OpenAI-compatible gateway. Apps keep their OpenAI SDK and change only \
the base URL (http://ADDR/v1) and the key (one made by `hushgate keys create`).\n\n\
Every request is scanned: message content, system prompts, tool calls and tool results in the \
history, tool descriptions and any other text field. Before an external provider each \
sensitive value is replaced by a placeholder ([PERSON_1]); the originals are put back in the \
answer, also while it streams. Requests to a provider marked `self_hosted` go unchanged.\n\n\
Without --config, the embedded default runs: 127.0.0.1:8080, keys and usage in ./hushgate.db \
(SQLite), one tenant `default`, and an `openai` provider with the models gpt-4o-mini, gpt-4o \
and text-embedding-3-small when OPENAI_API_KEY is set.\n\n\
Endpoints: POST /v1/chat/completions, /v1/completions, /v1/embeddings; GET /v1/models, \
/healthz, /readyz, /metrics (Prometheus).\n\n\
Logs go to standard error; HUSHGATE_LOG sets the level (error, warn, info, debug, trace). \
They never contain prompts, answers, keys or detected values.",
    after_help = "Examples:\n  \
export OPENAI_API_KEY=sk-...\n  \
hushgate serve\n  \
hushgate keys create --tenant default     # prints a key for your app\n  \
hushgate serve --config hushgate.toml --listen 0.0.0.0:8080"
)]
pub struct ServeArgs {
    /// Listen on this address instead of the config's `listen` (port 0
    /// picks a free port; the address is printed).
    #[arg(long, value_name = "ADDR")]
    listen: Option<SocketAddr>,
}

pub fn run(config_path: Option<&Path>, args: ServeArgs) -> anyhow::Result<ExitCode> {
    let config = match config_path {
        Some(path) => Config::load(path)?,
        None => Config::embedded_default(),
    };
    init_logging()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("cannot start the async runtime")?;
    runtime.block_on(serve(config, config_path, args))?;
    Ok(ExitCode::SUCCESS)
}

async fn serve(config: Config, path: Option<&Path>, args: ServeArgs) -> anyhow::Result<()> {
    let addr = args.listen.unwrap_or(config.listen);
    for w in &config.warnings {
        eprintln!("hushgate: warning: {w}");
    }
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("cannot listen on {addr}"))?;
    let local = listener
        .local_addr()
        .context("cannot read the bound address")?;
    let summary = describe(&config, path);
    let (gateway, startup) = Gateway::new(config).await?;
    eprintln!(
        "hushgate {} listening on http://{local}/v1",
        env!("CARGO_PKG_VERSION")
    );
    eprint!("{summary}");
    for f in &startup.created_files {
        eprintln!(
            "  created {} (audit key material, mode 0600: back it up, keep it private)",
            f.display()
        );
    }
    for w in &startup.warnings {
        eprintln!("hushgate: warning: {w}");
    }
    for (name, why) in &startup.unusable_providers {
        eprintln!("  provider `{name}` is unusable: {why}");
    }
    if gateway.config().models.is_empty() {
        eprintln!(
            "  no models are configured: set OPENAI_API_KEY for the embedded default, or pass \
             --config FILE with [[providers]] and [[models]] (see examples/gateway.toml)"
        );
    }
    let tenant = gateway
        .config()
        .tenants
        .first()
        .map_or("NAME", |t| t.name.as_str());
    let cfg_flag = path.map_or(String::new(), |p| format!(" --config {}", p.display()));
    eprintln!(
        "Next: create a key with `hushgate keys create{cfg_flag} --tenant {tenant}`, then use \
         base_url=\"http://{local}/v1\" and that key in your OpenAI SDK."
    );
    tracing::info!(%local, "gateway started");
    gateway.serve(listener, shutdown_signal()).await?;
    tracing::info!("gateway stopped");
    Ok(())
}

fn describe(config: &Config, path: Option<&Path>) -> String {
    let source = path.map_or_else(
        || "embedded default (no --config given)".to_owned(),
        |p| p.display().to_string(),
    );
    let tenants: Vec<&str> = config.tenants.iter().map(|t| t.name.as_str()).collect();
    let models: Vec<String> = config
        .models
        .iter()
        .map(|m| format!("{} -> {}", m.alias, m.provider))
        .collect();
    format!(
        "  config:  {source}\n  storage: {}\n  tenants: {}\n  models:  {}\n",
        config.storage.redacted_url(),
        if tenants.is_empty() {
            "(none)".to_owned()
        } else {
            tenants.join(", ")
        },
        if models.is_empty() {
            "(none)".to_owned()
        } else {
            models.join(", ")
        },
    )
}

fn init_logging() -> anyhow::Result<()> {
    let level = match std::env::var("HUSHGATE_LOG") {
        Ok(v) => v
            .parse::<tracing_subscriber::filter::LevelFilter>()
            .map_err(|_| {
                anyhow::anyhow!("HUSHGATE_LOG must be one of error, warn, info, debug, trace, off")
            })?,
        Err(_) => tracing_subscriber::filter::LevelFilter::INFO,
    };
    tracing_subscriber::fmt()
        .with_max_level(level)
        .with_writer(std::io::stderr)
        .with_target(false)
        .try_init()
        .map_err(|e| anyhow::anyhow!("cannot start logging: {e}"))
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = term => {},
    }
}
