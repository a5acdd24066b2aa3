//! Engine throughput over the evaluation texts (`$HUSHGATE_EVAL_DIR/dev.jsonl`,
//! by default ../shared/eval next to the repository, or a built-in sample
//! when that is absent), the PERSON and place recognizers alone over the same
//! texts, and one long line. Run: `cargo bench -p hushgate-detect`.

#![allow(clippy::expect_used)]

use std::sync::Arc;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hushgate_detect::recognizers::ner::person::PersonRecognizer;
use hushgate_detect::recognizers::places::Places;
use hushgate_detect::{Engine, TextRecognizer};

/// The evaluation texts, one string each.
fn texts() -> Vec<String> {
    let dir = std::env::var("HUSHGATE_EVAL_DIR").unwrap_or_else(|_| {
        concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/eval").to_owned()
    });
    match std::fs::read_to_string(format!("{dir}/dev.jsonl")) {
        Ok(s) => s
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
            .collect(),
        Err(_) => vec![
            "Dear Dr. Choi, patient Ana Ruiz (DOB 4/23/1947, SSN 219-09-9999) \
             called from +1 415 555 0132 about card 4111 1111 1111 1111.\n"
                .repeat(2000),
        ],
    }
}

/// An engine with one text recognizer and no pattern recognizers.
fn alone(r: Arc<dyn TextRecognizer>) -> Engine {
    Engine::builder()
        .without_builtins()
        .text_recognizer(r)
        .build()
        .expect("engine builds")
}

fn bench(c: &mut Criterion) {
    let texts = texts();
    let bytes: usize = texts.iter().map(String::len).sum();
    let corpus = texts.join("\n\n");

    let engine = Engine::new().expect("engine builds");
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(corpus.len() as u64));
    g.sample_size(20);
    g.bench_function("dev_corpus", |b| b.iter(|| engine.scan(&corpus)));
    g.finish();

    // Record by record, as `hushgate scan --jsonl` and the gateway scan.
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(20);
    g.bench_function("dev_records", |b| {
        b.iter(|| texts.iter().map(|t| engine.scan(t).len()).sum::<usize>())
    });
    g.finish();

    // Text by text, as the gateway scans requests.
    let mut g = c.benchmark_group("text_recognizer");
    g.throughput(Throughput::Bytes(bytes as u64));
    g.sample_size(10);
    for (name, r) in [
        (
            "person",
            Arc::new(PersonRecognizer::new()) as Arc<dyn TextRecognizer>,
        ),
        ("places", Arc::new(Places::new())),
    ] {
        let engine = alone(r);
        g.bench_function(name, |b| {
            b.iter(|| texts.iter().map(|t| engine.scan(t).len()).sum::<usize>())
        });
    }
    g.finish();

    // One 2 MB line: look-backs to the line start must not make it quadratic.
    let line =
        "id=4111111111111111;mail=a.b@example.org;ip=10.0.0.1;token=ghp_;".repeat((2 << 20) / 64);
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(line.len() as u64));
    g.sample_size(10);
    g.bench_function("one_line_2mb", |b| b.iter(|| engine.scan(&line)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
