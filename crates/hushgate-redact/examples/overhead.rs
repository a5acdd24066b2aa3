//! Paired timing: detection alone vs detection + pseudonymization, alternating passes over the
//! development texts in one process (machine noise hits both alike). Prints the median ratio.
//! Run: `cargo run --release -p hushgate-redact --example overhead -- [PASSES]`.

#![allow(clippy::expect_used, clippy::unwrap_used)]

use std::time::Instant;

use hushgate_detect::Engine;
use hushgate_redact::{RedactOptions, Redactor, Vault};

fn main() {
    let passes: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(15);
    let dir = std::env::var("HUSHGATE_EVAL_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/eval").into());
    let texts: Vec<String> = std::fs::read_to_string(format!("{dir}/dev.jsonl"))
        .expect("dev.jsonl")
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_owned))
        .collect();
    let redactor = Redactor::new(Engine::new().unwrap(), RedactOptions::default()).unwrap();
    let engine = redactor.engine();
    let tenant: hushgate_types::TenantId = "bench".parse().unwrap();
    let mut ratios = Vec::new();
    let (mut d_all, mut r_all) = (Vec::new(), Vec::new());
    for pass in 0..passes + 1 {
        let t = Instant::now();
        let n: usize = texts.iter().map(|t| engine.scan(t).len()).sum();
        let d = t.elapsed();
        let t = Instant::now();
        let m: usize = texts
            .iter()
            .map(|t| {
                let mut v = Vault::with_seed(tenant.clone(), 1);
                redactor.redact(t, &mut v).text.len()
            })
            .sum();
        let r = t.elapsed();
        std::hint::black_box((n, m));
        if pass > 0 {
            ratios.push(r.as_secs_f64() / d.as_secs_f64());
            d_all.push(d.as_secs_f64());
            r_all.push(r.as_secs_f64());
        }
    }
    let med = |v: &mut Vec<f64>| {
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    let ratio = med(&mut ratios);
    println!(
        "passes {passes}: detect {:.1} ms, detect+pseudonymize {:.1} ms (medians); median paired ratio {:.3} (+{:.1}%), range {:.3}..{:.3}",
        med(&mut d_all) * 1e3,
        med(&mut r_all) * 1e3,
        ratio,
        (ratio - 1.0) * 100.0,
        ratios[0],
        ratios[ratios.len() - 1]
    );
}
