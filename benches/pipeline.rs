//! Criterion benchmarks: each stage alone and the whole pipeline through the writer, in bytes
//! of input per second. The corpus is built here from the sample articles (no set-up needed):
//! `cargo bench`.

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use transnorm::io::output::{render, OutputFormat};
use transnorm::{Document, Options, Pipeline};

/// The sample articles, each repeated with a varying prefix until the corpus is `bytes` long.
fn corpus(bytes: usize) -> Vec<String> {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/samples/txt");
    let mut samples: Vec<String> = std::fs::read_dir(dir)
        .expect("samples/txt")
        .map(|e| std::fs::read_to_string(e.expect("entry").path()).expect("sample"))
        .collect();
    samples.sort();
    let mut docs = Vec::new();
    let mut size = 0;
    let mut i = 0;
    while size < bytes {
        let s = &samples[i % samples.len()];
        let doc = format!("Item {i}.\n{s}");
        size += doc.len();
        docs.push(doc);
        i += 1;
    }
    docs
}

fn bench(c: &mut Criterion) {
    let pipeline = Pipeline::new(&Options::default()).expect("default pipeline");
    let docs = corpus(4 << 20);
    let total: usize = docs.iter().map(String::len).sum();

    let mut group = c.benchmark_group("stage");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    for (k, stage) in pipeline.stages().iter().enumerate() {
        // Documents as this stage receives them: the stages before it already run.
        let prepared: Vec<Document> = docs
            .iter()
            .map(|t| {
                let mut d = Document::new("b", t.as_str());
                for s in &pipeline.stages()[..k] {
                    s.run(&mut d).expect("stage runs");
                }
                d
            })
            .collect();
        group.bench_function(stage.name(), |b| {
            b.iter_batched(
                || prepared.clone(),
                |mut ds| {
                    for d in &mut ds {
                        stage.run(d).expect("stage runs");
                    }
                    ds
                },
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    group.bench_function("end_to_end_jsonl", |b| {
        b.iter(|| {
            let mut out = 0;
            for t in &docs {
                let d = pipeline.normalize("b", t).expect("pipeline runs");
                out += render(&d, OutputFormat::Jsonl).main.len();
            }
            black_box(out)
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
