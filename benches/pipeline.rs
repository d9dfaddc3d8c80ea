//! Criterion benchmarks: each stage alone and the whole pipeline through the writer, in bytes
//! of input per second. The corpus is generated here (`support/corpus.rs`, the generator of
//! `examples/gen_corpus.rs`; no set-up needed):
//! `cargo bench`. Groups: `stage` (each stage alone), `pipeline` (one thread, through the
//! renderer, in the driver's groups of documents), `threads` (the real driver from a JSONL
//! file to an output file on 1, 2 and all cores), `names_scaling` (150, 10,000 and 100,000
//! generated glossary rows) and `names_build` (loading and compiling 100,000 rows).

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, BatchSize, Criterion, Throughput};

use transnorm::glossary::names::NameGlossary;
use transnorm::glossary::{DataFile, DataSet, FileKind};
use transnorm::io::input::sources;
use transnorm::io::output::{render, OutputFormat};
use transnorm::io::sink::Sink;
use transnorm::pipeline::GROUP_DOCS;
use transnorm::run::{run, RunOptions};
use transnorm::stages::names::{Names, Unseen};
use transnorm::stages::Stage;
use transnorm::{Document, Options, Pipeline};

/// The binary's allocator (`src/main.rs`), so that the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[path = "support/corpus.rs"]
mod support;

/// Generated documents (`examples/gen_corpus.rs`'s, seed 7: the sample articles recombined
/// with name variants, spinner phrases, Unicode damage and boilerplate) up to `bytes` of text.
fn corpus(bytes: usize) -> Vec<String> {
    let mut generator = support::Generator::new(7, None);
    let mut docs = Vec::new();
    let mut size = 0;
    while size < bytes {
        let (_, text) = generator.next_doc();
        size += text.len();
        docs.push(text);
    }
    docs
}

/// The documents as the `k`-th stage receives them: the stages before it already run.
fn prepared(pipeline: &Pipeline, docs: &[String], k: usize) -> Vec<Document> {
    docs.iter()
        .map(|t| {
            let mut d = Document::new("b", t.as_str());
            for s in &pipeline.stages()[..k] {
                s.run(&mut d).expect("stage runs");
            }
            d
        })
        .collect()
}

/// Times `stage` alone over a fresh copy of `docs`.
fn bench_stage(b: &mut criterion::Bencher<'_>, stage: &dyn Stage, docs: &[Document]) {
    b.iter_batched(
        || docs.to_vec(),
        |mut ds| {
            for d in &mut ds {
                stage.run(d).expect("stage runs");
            }
            ds
        },
        BatchSize::LargeInput,
    )
}

fn bench(c: &mut Criterion) {
    transnorm::alloc::keep_freed_pages(); // as the binary does
    let pipeline = Pipeline::new(&Options::default()).expect("default pipeline");
    let docs = corpus(4 << 20);
    let total: usize = docs.iter().map(String::len).sum();

    let mut group = c.benchmark_group("stage");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    for (k, stage) in pipeline.stages().iter().enumerate() {
        let input = prepared(&pipeline, &docs, k);
        group.bench_function(stage.name(), |b| bench_stage(b, stage.as_ref(), &input));
    }
    group.finish();

    let mut group = c.benchmark_group("pipeline");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    group.bench_function("end_to_end_jsonl", |b| {
        b.iter(|| {
            // As the driver does: groups of documents, the stages one after another.
            let mut out = 0;
            for texts in docs.chunks(GROUP_DOCS) {
                let mut group: Vec<Document> = texts
                    .iter()
                    .map(|t| Document::new("b", t.as_str()))
                    .collect();
                for result in pipeline.run_batch(&mut group) {
                    result.expect("pipeline runs");
                }
                for d in &group {
                    out += render(d, OutputFormat::Jsonl).main.len();
                }
            }
            black_box(out)
        })
    });
    group.finish();
}

/// The whole run (`transnorm normalize`'s driver: reader thread, rayon pool, writer thread)
/// over a JSONL corpus on disk, with 1, 2 and all cores.
fn threads(c: &mut Criterion) {
    transnorm::alloc::keep_freed_pages();
    let pipeline = Pipeline::new(&Options::default()).expect("default pipeline");
    let dir = tempfile::tempdir().expect("temp dir");
    let input = dir.path().join("corpus.jsonl");
    // 24 MiB, a dozen batches: enough that the last batch's tail, where one core waits for
    // the other, does not set the ratio.
    let mut generator = support::Generator::new(7, None);
    let mut jsonl = String::new();
    while jsonl.len() < 24 << 20 {
        jsonl.push_str(&generator.next_jsonl());
        jsonl.push('\n');
    }
    std::fs::write(&input, &jsonl).expect("corpus written");
    let out = dir.path().join("out.jsonl");
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let mut group = c.benchmark_group("threads");
    group.throughput(Throughput::Bytes(jsonl.len() as u64));
    group.sample_size(10);
    let mut counts = vec![1, 2, cores];
    counts.dedup();
    for n in counts {
        group.bench_function(format!("end_to_end_jsonl_{n}"), |b| {
            b.iter_batched(
                // The last iteration's output goes outside the timing: renaming over a 130 MB
                // file waits for the file system to free its blocks (17-21 ms here), a cost of
                // reusing one path, which a run writing a new file does not pay.
                || {
                    let _ = std::fs::remove_file(&out);
                },
                |()| {
                    let opts = RunOptions {
                        threads: n,
                        ..RunOptions::default()
                    };
                    let sink = Sink::open(Some(&out), OutputFormat::Jsonl, None).expect("sink");
                    let sources = sources(std::slice::from_ref(&input));
                    run(&pipeline, sources, &opts, sink, &()).expect("run")
                },
                BatchSize::PerIteration,
            )
        });
    }
    group.finish();
}

/// The default data plus `n` generated name rows (pseudo-names that never occur in text, so
/// the work measured is the automaton's, not the rewrites').
fn data_with(n: usize) -> DataSet {
    let mut data = DataSet::defaults();
    let mut csv = String::from("entity,kind,canonical,lang,variant,replace\n");
    for i in 0..n {
        csv.push_str(&format!("gen-{i},person,Zorvik Quellan{i},,Zorvik Quellan{i},\ngen-{i},,,,Quellanov{i},Quellan{i}\n"));
    }
    data.files.push(DataFile {
        path: "generated.csv".into(),
        text: csv,
        kind: FileKind::Names,
        default: false,
    });
    data
}

/// Name matching with 100, 10,000 and 100,000 generated rows beside the default glossary.
fn names_scaling(c: &mut Criterion) {
    let pipeline = Pipeline::new(&Options::default()).expect("default pipeline");
    let docs = corpus(2 << 20);
    let total: usize = docs.iter().map(String::len).sum();
    let k = pipeline
        .stages()
        .iter()
        .position(|s| s.name() == "names")
        .expect("a names stage");
    let input = prepared(&pipeline, &docs, k);
    let build = |data: &DataSet| {
        Names::new(
            NameGlossary::load(data).expect("loads"),
            data,
            Unseen::Annotate,
        )
        .expect("builds")
    };
    let mut group = c.benchmark_group("names_scaling");
    group.throughput(Throughput::Bytes(total as u64));
    group.sample_size(10);
    for n in [150, 10_000, 100_000] {
        let names = build(&data_with(n));
        group.bench_function(format!("rows_{n}"), |b| bench_stage(b, &names, &input));
    }
    group.finish();
    let mut group = c.benchmark_group("names_build");
    group.sample_size(10);
    let data = data_with(100_000);
    group.bench_function("load_and_build_100000_rows", |b| {
        b.iter_with_large_drop(|| build(&data))
    });
    group.finish();
}

criterion_group!(benches, bench, threads, names_scaling);
criterion_main!(benches);
