//! Reading the audit trail: pages of records, export (JSON lines or CSV), and stats.

use std::collections::BTreeMap;
use std::io::Write;

use futures::TryStreamExt;
use serde::Serialize;
use sqlx::Row;
use time::OffsetDateTime;

use super::{RECORD_COLUMNS, StoredRecord, read_record};
use crate::db::dispatch;
use crate::util::{from_micros, rfc3339, to_micros, to_u64};
use crate::{Error, Result, Store};

/// Which records to read: all by default.
#[derive(Clone, Debug, Default)]
pub struct AuditFilter {
    /// Only this tenant's records.
    pub tenant: Option<String>,
    /// Records at or after this time.
    pub since: Option<OffsetDateTime>,
    /// Records before this time.
    pub until: Option<OffsetDateTime>,
}

/// Export formats.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExportFormat {
    /// One JSON object per line, every stored field (enough to recompute the chain).
    Jsonl,
    /// RFC 4180 CSV with a header row; lists are `;`-separated.
    Csv,
}

/// Counts for one (tenant, route) over the filter's period.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct StatsRow {
    /// Tenant.
    pub tenant: String,
    /// Route taken (`None`: the request went nowhere, e.g. blocked).
    pub route: Option<String>,
    /// Requests.
    pub requests: u64,
    /// Requests per decision.
    pub decisions: BTreeMap<String, u64>,
    /// Findings per entity type.
    pub findings: BTreeMap<String, u64>,
    /// Requests per HTTP status.
    pub statuses: BTreeMap<i64, u64>,
    /// Requests that failed upstream.
    pub upstream_errors: u64,
    /// Prompt tokens.
    pub prompt_tokens: u64,
    /// Completion tokens.
    pub completion_tokens: u64,
}

impl StatsRow {
    fn add(&mut self, other: &StatsRow) {
        self.requests += other.requests;
        for (k, v) in &other.decisions {
            *self.decisions.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.findings {
            *self.findings.entry(k.clone()).or_default() += v;
        }
        for (k, v) in &other.statuses {
            *self.statuses.entry(*k).or_default() += v;
        }
        self.upstream_errors += other.upstream_errors;
        self.prompt_tokens += other.prompt_tokens;
        self.completion_tokens += other.completion_tokens;
    }
}

/// `audit stats`: one row per (tenant, route), ordered by tenant then route.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct AuditStats {
    /// Start of the period, if bounded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub since: Option<OffsetDateTime>,
    /// End of the period, if bounded.
    #[serde(with = "time::serde::rfc3339::option")]
    pub until: Option<OffsetDateTime>,
    /// The rows.
    pub rows: Vec<StatsRow>,
}

impl AuditStats {
    /// Everything summed (tenant `*`, no route).
    pub fn total(&self) -> StatsRow {
        let mut total = StatsRow {
            tenant: "*".into(),
            ..StatsRow::default()
        };
        for r in &self.rows {
            total.add(r);
        }
        total
    }
}

const FILTER_SQL: &str = "($1 IS NULL OR tenant = $1) AND ($2 IS NULL OR time_us >= $2) \
     AND ($3 IS NULL OR time_us < $3)";

/// A record as exported: every stored field, times also as RFC 3339, hashes as hex.
#[derive(Serialize)]
struct ExportRow<'a> {
    id: i64,
    tenant: &'a str,
    seq: i64,
    time: String,
    time_us: i64,
    key_id: &'a Option<String>,
    request_id: &'a str,
    endpoint: &'a str,
    model: &'a Option<String>,
    route: &'a Option<String>,
    decision: &'a str,
    reasons: &'a [String],
    findings: &'a BTreeMap<String, i64>,
    value_hashes: &'a [(String, String)],
    prompt_tokens: Option<i64>,
    completion_tokens: Option<i64>,
    latency_us: i64,
    status: i64,
    upstream_error: &'a Option<String>,
    redacted_prompt: &'a Option<String>,
    prev_hash: String,
    hash: String,
}

impl<'a> ExportRow<'a> {
    fn new(r: &'a StoredRecord) -> Self {
        let f = &r.fields;
        ExportRow {
            id: r.id,
            tenant: &f.tenant,
            seq: r.seq,
            time: rfc3339(from_micros(f.time_us)),
            time_us: f.time_us,
            key_id: &f.key_id,
            request_id: &f.request_id,
            endpoint: &f.endpoint,
            model: &f.model,
            route: &f.route,
            decision: &f.decision,
            reasons: &f.reasons,
            findings: &f.findings,
            value_hashes: &f.value_hashes,
            prompt_tokens: f.prompt_tokens,
            completion_tokens: f.completion_tokens,
            latency_us: f.latency_us,
            status: f.status,
            upstream_error: &f.upstream_error,
            redacted_prompt: &f.redacted_prompt,
            prev_hash: hex::encode(&r.prev_hash),
            hash: hex::encode(&r.hash),
        }
    }
}

const CSV_HEADER: &str = "id,tenant,seq,time,key_id,request_id,endpoint,model,route,decision,\
reasons,findings,value_hashes,prompt_tokens,completion_tokens,latency_us,status,upstream_error,\
redacted_prompt,prev_hash,hash";

fn csv_field(out: &mut String, s: &str) {
    if s.contains([',', '"', '\n', '\r']) {
        out.push('"');
        out.push_str(&s.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(s);
    }
}

fn csv_line(r: &StoredRecord) -> String {
    let f = &r.fields;
    let opt = |o: &Option<String>| o.clone().unwrap_or_default();
    let num = |o: Option<i64>| o.map(|n| n.to_string()).unwrap_or_default();
    let cells = [
        r.id.to_string(),
        f.tenant.clone(),
        r.seq.to_string(),
        rfc3339(from_micros(f.time_us)),
        opt(&f.key_id),
        f.request_id.clone(),
        f.endpoint.clone(),
        opt(&f.model),
        opt(&f.route),
        f.decision.clone(),
        f.reasons.join(";"),
        f.findings
            .iter()
            .map(|(t, n)| format!("{t}={n}"))
            .collect::<Vec<_>>()
            .join(";"),
        f.value_hashes
            .iter()
            .map(|(t, h)| format!("{t}:{h}"))
            .collect::<Vec<_>>()
            .join(";"),
        num(f.prompt_tokens),
        num(f.completion_tokens),
        f.latency_us.to_string(),
        f.status.to_string(),
        opt(&f.upstream_error),
        opt(&f.redacted_prompt),
        hex::encode(&r.prev_hash),
        hex::encode(&r.hash),
    ];
    let mut line = String::with_capacity(256);
    for (i, c) in cells.iter().enumerate() {
        if i > 0 {
            line.push(',');
        }
        csv_field(&mut line, c);
    }
    line.push('\n');
    line
}

impl Store {
    /// Up to `limit` records matching `filter` with row id greater than `after_id`, by id.
    /// Page with the last id returned.
    pub async fn audit_records(
        &self,
        filter: &AuditFilter,
        after_id: i64,
        limit: u32,
    ) -> Result<Vec<StoredRecord>> {
        let sql = format!(
            "SELECT {RECORD_COLUMNS} FROM audit_records WHERE {FILTER_SQL} AND id > $4 ORDER BY id LIMIT $5"
        );
        let records = dispatch!(&self.db, pool => {
            let rows = sqlx::query(&sql)
                .bind(filter.tenant.as_deref())
                .bind(filter.since.map(to_micros))
                .bind(filter.until.map(to_micros))
                .bind(after_id)
                .bind(i64::from(limit))
                .fetch_all(pool)
                .await?;
            let mut out = Vec::with_capacity(rows.len());
            for row in &rows {
                out.push(read_record!(row).map_err(|(id, _, column)| {
                    Error::invalid("audit record", format!("row id {id}: column `{column}` does not parse"))
                })?);
            }
            out
        });
        Ok(records)
    }

    /// Writes the records matching `filter` to `out`, in row order, a page at a time;
    /// returns how many were written.
    pub async fn export_audit(
        &self,
        filter: &AuditFilter,
        format: ExportFormat,
        out: &mut impl Write,
    ) -> Result<u64> {
        const PAGE: u32 = 1000;
        if format == ExportFormat::Csv {
            writeln!(out, "{CSV_HEADER}")?;
        }
        let mut after = 0;
        let mut n = 0;
        loop {
            let page = self.audit_records(filter, after, PAGE).await?;
            for r in &page {
                match format {
                    ExportFormat::Jsonl => {
                        serde_json::to_writer(&mut *out, &ExportRow::new(r))
                            .map_err(std::io::Error::from)?;
                        out.write_all(b"\n")?;
                    }
                    ExportFormat::Csv => out.write_all(csv_line(r).as_bytes())?,
                }
                n += 1;
            }
            match page.last() {
                Some(last) if page.len() == PAGE as usize => after = last.id,
                _ => break,
            }
        }
        out.flush()?;
        Ok(n)
    }

    /// Requests, decisions, statuses, tokens and findings by type, per tenant and route.
    pub async fn audit_stats(&self, filter: &AuditFilter) -> Result<AuditStats> {
        let sql = format!(
            "SELECT tenant, route, decision, findings, status, upstream_error, prompt_tokens, \
             completion_tokens FROM audit_records WHERE {FILTER_SQL}"
        );
        let mut rows: BTreeMap<(String, Option<String>), StatsRow> = BTreeMap::new();
        dispatch!(&self.db, pool => {
            let mut stream = sqlx::query(&sql)
                .bind(filter.tenant.as_deref())
                .bind(filter.since.map(to_micros))
                .bind(filter.until.map(to_micros))
                .fetch(pool);
            while let Some(r) = stream.try_next().await? {
                let tenant: String = r.try_get("tenant")?;
                let route: Option<String> = r.try_get("route")?;
                let findings: String = r.try_get("findings")?;
                let findings: BTreeMap<String, i64> =
                    serde_json::from_str(&findings).unwrap_or_default();
                let row = rows.entry((tenant.clone(), route.clone())).or_insert_with(|| StatsRow {
                    tenant,
                    route,
                    ..StatsRow::default()
                });
                // A forwarded request has a decision record (status 0) and an
                // outcome record: count the request once, its status once.
                let decision: String = r.try_get("decision")?;
                if decision != super::OUTCOME_DECISION {
                    row.requests += 1;
                    *row.decisions.entry(decision).or_default() += 1;
                    for (t, n) in findings {
                        *row.findings.entry(t).or_default() += to_u64(n);
                    }
                }
                let status: i64 = r.try_get("status")?;
                if status != super::FORWARDED_STATUS {
                    *row.statuses.entry(status).or_default() += 1;
                }
                if r.try_get::<Option<String>, _>("upstream_error")?.is_some() {
                    row.upstream_errors += 1;
                }
                row.prompt_tokens += to_u64(r.try_get::<Option<i64>, _>("prompt_tokens")?.unwrap_or(0));
                row.completion_tokens +=
                    to_u64(r.try_get::<Option<i64>, _>("completion_tokens")?.unwrap_or(0));
            }
        });
        Ok(AuditStats {
            since: filter.since,
            until: filter.until,
            rows: rows.into_values().collect(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_quotes_only_when_needed() {
        let mut s = String::new();
        csv_field(&mut s, "plain");
        s.push('|');
        csv_field(&mut s, "a,\"b\"\nc");
        assert_eq!(s, "plain|\"a,\"\"b\"\"\nc\"");
    }
}
