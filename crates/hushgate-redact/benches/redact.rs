//! Redaction and restoration speed over the development set
//! (`$HUSHGATE_EVAL_DIR/dev.jsonl`, else ../shared/eval/dev.jsonl, else a
//! built-in sample). Run: `cargo bench -p hushgate-redact --bench redact`.
//!
//! * `redact/*`: per record (one request, one vault), detection alone versus
//!   detection plus transformation. The `gold` variants transform the set's
//!   labelled spans, so the cost of transformation is measured at a realistic
//!   density of findings whatever recognizers exist today.
//! * `restore/*`: per record, its own vault and an answer with a placeholder
//!   for every labelled span, restored whole and streamed in 16-byte deltas
//!   (`push`, one new `String` per delta; `_into`: `push_into` a reused
//!   `String`, as the gateway does); `restore_plain/*`: the same without
//!   placeholders (raw scanning speed).

#![allow(clippy::expect_used, clippy::unwrap_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hushgate_detect::Engine;
use hushgate_redact::{
    RedactOptions, Redactor, Restorer, StreamMode, StreamRestorer, Transformation, Vault,
};
use hushgate_types::{EntityType, Finding, TenantId};

struct Record {
    text: String,
    gold: Vec<Finding>,
}

fn corpus() -> Vec<Record> {
    let dir = std::env::var("HUSHGATE_EVAL_DIR")
        .unwrap_or_else(|_| concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/eval").into());
    match std::fs::read_to_string(format!("{dir}/dev.jsonl")) {
        Ok(s) => s
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .map(|v| {
                let text = v["text"].as_str().unwrap_or_default().to_owned();
                let offsets: Vec<usize> = text
                    .char_indices()
                    .map(|(i, _)| i)
                    .chain([text.len()])
                    .collect();
                let gold = v["spans"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|s| {
                        let t: EntityType = s["type"].as_str()?.parse().ok()?;
                        let a = offsets[s["start"].as_u64()? as usize];
                        let b = offsets[s["end"].as_u64()? as usize];
                        Some(Finding::new(t, a, b, 1.0, "gold"))
                    })
                    .collect();
                Record { text, gold }
            })
            .collect(),
        Err(_) => (0..2000)
            .map(|i| {
                let text = format!(
                    "Dear Dr. Choi, patient {i} mail ana{i}@corp.example about the visit on \
                     2024-03-{:02}. Reply to ops@corp.example.\n",
                    i % 28 + 1
                );
                Record {
                    text,
                    gold: Vec::new(),
                }
            })
            .collect(),
    }
}

fn tenant() -> TenantId {
    "bench".parse().unwrap()
}

fn bench(c: &mut Criterion) {
    let records = corpus();
    let bytes: u64 = records.iter().map(|r| r.text.len() as u64).sum();
    let pseudo = Redactor::new(Engine::new().unwrap(), RedactOptions::default()).unwrap();
    // Detection alone runs on the redactor's own engine: the same automata and caches, so
    // the difference is the transformation only.
    let engine = pseudo.engine();
    let surro = Redactor::new(
        Engine::new().unwrap(),
        RedactOptions::all(Transformation::Surrogate),
    )
    .unwrap();

    let mut g = c.benchmark_group("redact");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(10);
    g.bench_function("detect_only", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| engine.scan(&r.text).len())
                .sum::<usize>()
        })
    });
    g.bench_function("pseudonymize", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| {
                    let mut v = Vault::with_seed(tenant(), 1);
                    pseudo.redact(&r.text, &mut v).text.len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("detect_plus_gold_pseudonymize", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| {
                    let mut v = Vault::with_seed(tenant(), 1);
                    let n = engine.scan(&r.text).len();
                    n + pseudo.apply(&r.text, &r.gold, &mut v).text.len()
                })
                .sum::<usize>()
        })
    });
    g.bench_function("detect_plus_gold_surrogate", |b| {
        b.iter(|| {
            records
                .iter()
                .map(|r| {
                    let mut v = Vault::with_seed(tenant(), 1);
                    let n = engine.scan(&r.text).len();
                    n + surro.apply(&r.text, &r.gold, &mut v).text.len()
                })
                .sum::<usize>()
        })
    });
    g.finish();

    // Per record, its own vault (one response, one request's vault, as in
    // the gateway) and an answer with placeholders at the set's density
    // (every gold span), some in the forms models write.
    let answers: Vec<(Vault, String, String)> = records
        .iter()
        .map(|r| {
            let mut v = Vault::with_seed(tenant(), 1);
            let a = pseudo
                .apply(&r.text, &r.gold, &mut v)
                .text
                .replace("[PERSON_1]", "[Person_1]'s");
            (v, a, r.text.clone())
        })
        .collect();
    let answer_bytes: u64 = answers.iter().map(|(_, a, _)| a.len() as u64).sum();
    let deltas = |s: &str| -> Vec<(usize, usize)> {
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < s.len() {
            let mut end = (pos + 16).min(s.len());
            while !s.is_char_boundary(end) {
                end += 1;
            }
            out.push((pos, end));
            pos = end;
        }
        out
    };
    let chunked: Vec<Vec<(usize, usize)>> = answers.iter().map(|(_, a, _)| deltas(a)).collect();
    let plain_chunked: Vec<Vec<(usize, usize)>> =
        answers.iter().map(|(_, _, t)| deltas(t)).collect();
    let n_deltas: usize = chunked.iter().map(Vec::len).sum();

    let mut g = c.benchmark_group("restore");
    g.throughput(Throughput::Bytes(answer_bytes));
    g.sample_size(20);
    g.bench_function("whole", |b| {
        b.iter(|| {
            answers
                .iter()
                .map(|(v, a, _)| Restorer::new(v, &tenant()).unwrap().restore(a).len())
                .sum::<usize>()
        })
    });
    g.bench_function("stream_16B_deltas", |b| {
        b.iter(|| {
            let mut n = 0;
            for ((v, a, _), cs) in answers.iter().zip(&chunked) {
                let mut s = StreamRestorer::new(v, &tenant(), StreamMode::Text).unwrap();
                for &(x, y) in cs {
                    n += s.push(&a[x..y]).len();
                }
                n += s.finish().len();
            }
            n
        })
    });
    // The same through `push_into`, appending to one reused `String` (no
    // allocation per delta).
    g.bench_function("stream_16B_deltas_into", |b| {
        let mut out = String::new();
        b.iter(|| {
            let mut n = 0;
            for ((v, a, _), cs) in answers.iter().zip(&chunked) {
                let mut s = StreamRestorer::new(v, &tenant(), StreamMode::Text).unwrap();
                for &(x, y) in cs {
                    out.clear();
                    s.push_into(&a[x..y], &mut out);
                    n += out.len();
                }
                out.clear();
                s.finish_into(&mut out);
                n += out.len();
            }
            n
        })
    });
    g.finish();

    // The same texts without placeholders: the scanner's raw speed.
    let mut g = c.benchmark_group("restore_plain");
    g.throughput(Throughput::Bytes(bytes));
    g.sample_size(20);
    g.bench_function("stream_16B_deltas", |b| {
        b.iter(|| {
            let mut n = 0;
            for ((v, _, t), cs) in answers.iter().zip(&plain_chunked) {
                let mut s = StreamRestorer::new(v, &tenant(), StreamMode::Text).unwrap();
                for &(x, y) in cs {
                    n += s.push(&t[x..y]).len();
                }
                n += s.finish().len();
            }
            n
        })
    });
    g.bench_function("stream_16B_deltas_into", |b| {
        let mut out = String::new();
        b.iter(|| {
            let mut n = 0;
            for ((v, _, t), cs) in answers.iter().zip(&plain_chunked) {
                let mut s = StreamRestorer::new(v, &tenant(), StreamMode::Text).unwrap();
                for &(x, y) in cs {
                    out.clear();
                    s.push_into(&t[x..y], &mut out);
                    n += out.len();
                }
                out.clear();
                s.finish_into(&mut out);
                n += out.len();
            }
            n
        })
    });
    g.finish();
    let placeholders: usize = records.iter().map(|r| r.gold.len()).sum();
    println!(
        "restore corpus: {} records, {answer_bytes} bytes, {placeholders} placeholders, \
         {n_deltas} deltas of <= 16 bytes",
        answers.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
