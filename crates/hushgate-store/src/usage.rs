//! Monthly token usage and budgets, per key or per tenant, shared by every replica.
//!
//! A *scope* is a string the caller chooses, by convention `key:<key id>` or `tenant:<name>`;
//! a *period* is a calendar month in UTC, `"2026-11"` ([`month_period`]). Counters live in the
//! database on both backends (also when Redis holds the per-minute limits): a month's spend
//! must survive restarts.

use sqlx::Row;
use time::OffsetDateTime;

use crate::db::dispatch;
use crate::util::{to_i64, to_u64};
use crate::{Result, Store};

/// Tokens and requests counted in one scope and period.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Usage {
    /// Tokens spent (prompt + completion).
    pub tokens: u64,
    /// Requests counted.
    pub requests: u64,
}

/// The answer to [`Store::reserve_budget`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum BudgetDecision {
    /// The tokens were reserved; `used` includes them.
    Allowed {
        /// Tokens used in the period, including this reservation.
        used: u64,
        /// What is left of the budget.
        remaining: u64,
    },
    /// The reservation would exceed the budget; nothing was counted.
    Exhausted {
        /// Tokens used in the period.
        used: u64,
    },
}

/// The budget period holding `t`: its UTC calendar month, `"YYYY-MM"`.
pub fn month_period(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!("{:04}-{:02}", t.year(), u8::from(t.month()))
}

impl Store {
    /// Usage so far in `scope` during `period` (zero if nothing was counted).
    pub async fn usage(&self, scope: &str, period: &str) -> Result<Usage> {
        let sql = "SELECT tokens, requests FROM usage_counters WHERE scope = $1 AND period = $2";
        let usage = dispatch!(&self.db, pool => {
            match sqlx::query(sql).bind(scope).bind(period).fetch_optional(pool).await? {
                Some(r) => Usage {
                    tokens: to_u64(r.try_get("tokens")?),
                    requests: to_u64(r.try_get("requests")?),
                },
                None => Usage::default(),
            }
        });
        Ok(usage)
    }

    /// Adds to the counters unconditionally (deltas may be negative, e.g. to correct an
    /// estimate reserved with [`Store::reserve_budget`] once the real usage is known).
    pub async fn add_usage(
        &self,
        scope: &str,
        period: &str,
        tokens: i64,
        requests: i64,
    ) -> Result<Usage> {
        let sql = "INSERT INTO usage_counters (scope, period, tokens, requests) VALUES ($1, $2, $3, $4) \
                   ON CONFLICT (scope, period) DO UPDATE SET \
                     tokens = usage_counters.tokens + excluded.tokens, \
                     requests = usage_counters.requests + excluded.requests \
                   RETURNING tokens, requests";
        let usage = dispatch!(&self.db, pool => {
            let r = sqlx::query(sql)
                .bind(scope).bind(period).bind(tokens).bind(requests)
                .fetch_one(pool).await?;
            Usage {
                tokens: to_u64(r.try_get("tokens")?),
                requests: to_u64(r.try_get("requests")?),
            }
        });
        Ok(usage)
    }

    /// Atomically counts one request and `tokens` against `budget` if they fit, in one
    /// statement (a conditional upsert), so concurrent replicas cannot overspend together.
    pub async fn reserve_budget(
        &self,
        scope: &str,
        period: &str,
        tokens: u64,
        budget: u64,
    ) -> Result<BudgetDecision> {
        if tokens > budget {
            let used = self.usage(scope, period).await?.tokens;
            return Ok(BudgetDecision::Exhausted { used });
        }
        let sql = "INSERT INTO usage_counters (scope, period, tokens, requests) VALUES ($1, $2, $3, 1) \
                   ON CONFLICT (scope, period) DO UPDATE SET \
                     tokens = usage_counters.tokens + excluded.tokens, \
                     requests = usage_counters.requests + 1 \
                   WHERE usage_counters.tokens + excluded.tokens <= $4 \
                   RETURNING tokens";
        let used: Option<i64> = dispatch!(&self.db, pool => {
            sqlx::query_scalar(sql)
                .bind(scope).bind(period).bind(to_i64(tokens)).bind(to_i64(budget))
                .fetch_optional(pool).await?
        });
        match used {
            Some(used) => {
                let used = to_u64(used);
                Ok(BudgetDecision::Allowed {
                    used,
                    remaining: budget.saturating_sub(used),
                })
            }
            None => Ok(BudgetDecision::Exhausted {
                used: self.usage(scope, period).await?.tokens,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn periods_are_utc_months() {
        let t = time::macros::datetime!(2026-11-30 23:30 -05:00);
        assert_eq!(month_period(t), "2026-12");
        assert_eq!(
            month_period(time::macros::datetime!(2026-01-01 0:00 UTC)),
            "2026-01"
        );
    }
}
