//! Engine throughput over the evaluation texts (or a built-in sample when
//! ../shared/eval/dev.jsonl is absent). Run: `cargo bench -p hushgate-detect`.

#![allow(clippy::expect_used)]

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use hushgate_detect::Engine;

fn corpus() -> String {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/eval/dev.jsonl"
    );
    match std::fs::read_to_string(path) {
        Ok(s) => s
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter_map(|v| v.get("text").and_then(|t| t.as_str()).map(str::to_owned))
            .collect::<Vec<_>>()
            .join("\n\n"),
        Err(_) => "Dear Dr. Choi, patient Ana Ruiz (DOB 4/23/1947, SSN 219-09-9999) \
                   called from +1 415 555 0132 about card 4111 1111 1111 1111.\n"
            .repeat(2000),
    }
}

fn bench(c: &mut Criterion) {
    let engine = Engine::new().expect("engine builds");
    let text = corpus();
    let mut g = c.benchmark_group("scan");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.sample_size(20);
    g.bench_function("dev_corpus", |b| b.iter(|| engine.scan(&text)));
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
