//! `hushgate keys`: create, list and revoke the API keys clients present to the gateway.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;

use anyhow::{Context, bail};
use clap::{Args, Subcommand, ValueEnum};
use hushgate_config::Config;
use hushgate_store::{KeyId, KeyInfo};
use serde::Serialize;

use super::format_time;

/// Create, list and revoke API keys.
#[derive(Args)]
#[command(
    long_about = "Create, list and revoke the API keys clients present to the gateway \
(`Authorization: Bearer hg_…`). Keys live in the database of [storage] url, stored hashed \
(SHA-256): a key is shown once, when it is created, and never again. Every key belongs to a \
tenant of the config file.",
    after_help = "Examples:\n  \
hushgate keys create --tenant clinic --name billing-app\n  \
export OPENAI_API_KEY=$(hushgate keys create --tenant default)\n  \
hushgate keys list --tenant clinic\n  \
hushgate keys revoke 3f9a0c1b2d4e5f60"
)]
pub struct KeysArgs {
    #[command(subcommand)]
    command: KeysCommand,
}

#[derive(Subcommand)]
enum KeysCommand {
    Create(CreateArgs),
    List(ListArgs),
    Revoke(RevokeArgs),
}

/// Create a key for a tenant and print it (only it) on standard output.
#[derive(Args)]
#[command(
    long_about = "Create an API key for a tenant of the config file and print it, and nothing \
else, on standard output (a note with its id goes to standard error). The key is not stored, \
only its hash: copy it now.",
    after_help = "Example:\n  hushgate keys create --tenant clinic --name billing-app > billing.key"
)]
struct CreateArgs {
    /// The tenant the key belongs to (a `[[tenants]]` name; `default` without a config file).
    #[arg(long, value_name = "NAME")]
    tenant: String,
    /// A label to recognize the key by in `keys list` ("billing app").
    #[arg(long, value_name = "LABEL")]
    name: Option<String>,
}

/// List keys: id, tenant, label, created, revoked (never the key itself).
#[derive(Args)]
#[command(
    long_about = "List API keys, newest first, revoked ones included: id, tenant, label, when \
created and when revoked. The keys themselves are never shown (they are not stored).",
    after_help = "Examples:\n  hushgate keys list\n  hushgate keys list --tenant clinic --format json"
)]
struct ListArgs {
    /// Only this tenant's keys.
    #[arg(long, value_name = "NAME")]
    tenant: Option<String>,
    /// Output format.
    #[arg(long, value_enum, default_value_t = ListFormat::Table)]
    format: ListFormat,
}

#[derive(Clone, Copy, ValueEnum)]
enum ListFormat {
    /// Aligned columns for people.
    Table,
    /// One JSON array.
    Json,
}

/// Revoke a key by its id (as shown by `keys list`); it stops authenticating at once.
#[derive(Args)]
#[command(
    long_about = "Revoke an API key by its id (the 16 hex digits `keys list` shows, also the \
part after `hg_` in the key). A revoked key no longer authenticates; it stays in `keys list`.",
    after_help = "Example:\n  hushgate keys revoke 3f9a0c1b2d4e5f60"
)]
struct RevokeArgs {
    /// The key id.
    #[arg(value_name = "ID")]
    id: String,
}

pub fn run(config: Option<&Path>, args: KeysArgs) -> anyhow::Result<ExitCode> {
    let cfg = super::config_or_embedded(config)?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let store = super::open_store(&cfg).await?;
        let result = match args.command {
            KeysCommand::Create(a) => create(&cfg, &store, a).await,
            KeysCommand::List(a) => list(&store, a).await,
            KeysCommand::Revoke(a) => revoke(&store, a).await,
        };
        store.close().await;
        result
    })
}

/// The tenant must be configured: a key for a typo would authenticate nobody useful.
fn configured_tenant<'a>(cfg: &'a Config, name: &str) -> anyhow::Result<&'a str> {
    if let Some(t) = cfg.tenant(name) {
        return Ok(&t.name);
    }
    let known: Vec<String> = cfg
        .tenants
        .iter()
        .map(|t| format!("`{}`", t.name))
        .collect();
    if known.is_empty() {
        bail!("unknown tenant `{name}`: the config file has no [[tenants]]");
    }
    bail!(
        "unknown tenant `{name}`: configured tenants are {} (add a [[tenants]] entry to the config file)",
        known.join(", ")
    )
}

async fn create(
    cfg: &Config,
    store: &hushgate_store::Store,
    a: CreateArgs,
) -> anyhow::Result<ExitCode> {
    let tenant = configured_tenant(cfg, &a.tenant)?;
    store
        .ensure_tenant(tenant)
        .await
        .with_context(|| format!("cannot record tenant `{tenant}`"))?;
    let (info, key) = store
        .create_key(tenant, a.name.as_deref())
        .await
        .context("cannot create the key")?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "{}", key.expose())?;
    out.flush()?;
    eprintln!(
        "hushgate: created key {} for tenant `{tenant}`; it is shown only this once",
        info.id
    );
    Ok(ExitCode::SUCCESS)
}

#[derive(Serialize)]
struct KeyRow<'a> {
    id: &'a str,
    tenant: &'a str,
    label: Option<&'a str>,
    created: String,
    revoked: Option<String>,
}

impl<'a> KeyRow<'a> {
    fn new(k: &'a KeyInfo) -> Self {
        KeyRow {
            id: k.id.as_str(),
            tenant: &k.tenant,
            label: k.label.as_deref(),
            created: format_time(k.created_at),
            revoked: k.revoked_at.map(format_time),
        }
    }
}

async fn list(store: &hushgate_store::Store, a: ListArgs) -> anyhow::Result<ExitCode> {
    let keys = store
        .list_keys(a.tenant.as_deref())
        .await
        .context("cannot list keys")?;
    let rows: Vec<KeyRow<'_>> = keys.iter().map(KeyRow::new).collect();
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    match a.format {
        ListFormat::Json => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        ListFormat::Table => {
            let cells: Vec<[String; 5]> = rows
                .iter()
                .map(|r| {
                    [
                        r.id.to_owned(),
                        r.tenant.to_owned(),
                        r.label.unwrap_or("-").to_owned(),
                        r.created.clone(),
                        r.revoked.clone().unwrap_or_else(|| "-".into()),
                    ]
                })
                .collect();
            super::write_table(
                &mut out,
                &["ID", "TENANT", "LABEL", "CREATED", "REVOKED"],
                &cells,
            )?;
            if rows.is_empty() {
                eprintln!(
                    "hushgate: no keys (create one with `hushgate keys create --tenant NAME`)"
                );
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

async fn revoke(store: &hushgate_store::Store, a: RevokeArgs) -> anyhow::Result<ExitCode> {
    // Not echoed: a whole key pasted here would end up in the terminal's scrollback twice.
    let id = KeyId::parse(a.id.trim()).context(
        "not a key id (16 hex digits, as `hushgate keys list` shows; the value is not shown)",
    )?;
    if store
        .revoke_key(&id)
        .await
        .context("cannot revoke the key")?
    {
        eprintln!("hushgate: revoked key {id}");
        return Ok(ExitCode::SUCCESS);
    }
    let known = store.list_keys(None).await.context("cannot list keys")?;
    match known.iter().find(|k| k.id == id) {
        Some(k) => {
            let when = k.revoked_at.map(format_time).unwrap_or_default();
            eprintln!("hushgate: key {id} was already revoked ({when})");
            Ok(ExitCode::SUCCESS)
        }
        None => bail!("no key with id {id}"),
    }
}
