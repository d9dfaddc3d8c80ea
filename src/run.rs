//! The streaming driver: reads a corpus in batches, runs the pipeline on each batch in
//! parallel, and writes the results in input order.
//!
//! Three threads of work overlap: one reads the next batch, the rayon pool processes the
//! current ones (parse, stages, render) in groups of [`GROUP_DOCS`] documents, and one writes
//! the previous one. Channels between them hold one batch each, so memory is bounded by a few
//! batches whatever the corpus size.

use std::collections::BTreeMap;
use std::sync::mpsc::{channel, sync_channel, Receiver};
use std::sync::Arc;
use std::time::{Duration, Instant};

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::document::{Document, LangCode};
use crate::edit::{EditKind, Rule};
use crate::error::{Error, Result};
use crate::io::input::{RawRecord, Reader, Reject, Source};
use crate::io::output::{render, OutputFormat, Rendered};
use crate::io::sink::Sink;
use crate::pipeline::{Pipeline, GROUP_DOCS};

/// What to do with a bad input record.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OnError {
    /// Stop the run with an error (no output file is left).
    #[default]
    Fail,
    /// Write it to the rejects file, count it, and go on.
    Skip,
}

/// How a run goes.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// Output format.
    pub format: OutputFormat,
    /// Bad records: fail or skip.
    pub on_error: OnError,
    /// Worker threads; 0 for one per core.
    pub threads: usize,
    /// A batch closes when its records reach this many bytes ... (2 MiB by default: a
    /// batch's JSONL output is about six times its input, and five batches can be in flight,
    /// so this sets most of the peak memory; 4 MiB peaked 20 MB higher at the same speed.)
    pub batch_bytes: usize,
    /// ... or this many records.
    pub batch_docs: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            format: OutputFormat::Jsonl,
            on_error: OnError::Fail,
            threads: 0,
            batch_bytes: 2 << 20,
            batch_docs: 4096,
        }
    }
}

/// Counts of one run, for the summary on stderr and `--report`.
#[derive(Debug, Default, Clone, Serialize)]
pub struct Summary {
    /// Input records read (documents and rejects).
    pub records_in: u64,
    /// Documents written.
    pub documents: u64,
    /// Records rejected (bad input under `--on-error skip`).
    pub rejected: u64,
    /// Segments written.
    pub segments: u64,
    /// Edits by kind.
    pub edits: BTreeMap<&'static str, u64>,
    /// Edits by rule, most frequent first (the first 20).
    pub top_rules: Vec<(String, u64)>,
    /// Documents by language.
    pub languages: BTreeMap<&'static str, u64>,
    /// Input bytes read.
    pub bytes: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// Input megabytes per second.
    pub mb_per_s: f64,
    /// Documents per second.
    pub docs_per_s: f64,
    #[serde(skip)]
    rules: FxHashMap<Rule, u64>,
    /// Edits by kind as they are counted, into `edits` at the end.
    #[serde(skip)]
    kinds: FxHashMap<EditKind, u64>,
}

impl Summary {
    fn add(&mut self, info: &DocInfo) {
        self.documents += 1;
        self.segments += info.segments as u64;
        *self.languages.entry(info.lang).or_default() += 1;
        // The writer thread counts every edit of the run: no string compared or reference
        // count touched for a kind or rule already seen (the workers touch them too).
        for (kind, rule) in &info.edits {
            *self.kinds.entry(*kind).or_default() += 1;
            match self.rules.get_mut(rule) {
                Some(n) => *n += 1,
                None => {
                    self.rules.insert(Arc::clone(rule), 1);
                }
            }
        }
    }

    fn finish(&mut self, elapsed: Duration) {
        for (kind, n) in self.kinds.drain() {
            *self.edits.entry(kind.as_str()).or_default() += n;
        }
        let mut rules: Vec<(String, u64)> = self
            .rules
            .drain()
            .map(|(r, n)| (r.to_string(), n))
            .collect();
        rules.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
        rules.truncate(20);
        self.top_rules = rules;
        self.seconds = elapsed.as_secs_f64();
        let secs = self.seconds.max(1e-9);
        self.mb_per_s = self.bytes as f64 / 1e6 / secs;
        self.docs_per_s = self.documents as f64 / secs;
    }
}

/// What the writer needs to know about a processed document besides its bytes.
struct DocInfo {
    segments: usize,
    lang: LangCode,
    edits: Vec<(EditKind, Rule)>,
}

enum Outcome {
    Doc(Rendered, DocInfo),
    Reject(Reject),
}

/// Records as the reader hands them out, and their bytes of input.
struct Batch {
    items: Vec<Result<RawRecord>>,
    bytes: u64,
}

/// A batch in the pool: its groups' outcomes arrive on `groups`, each with its index, in the
/// order the jobs finish.
struct InFlight {
    groups: Receiver<(usize, Vec<Result<Outcome>>)>,
    /// How many groups.
    n: usize,
    /// Input bytes.
    bytes: u64,
}

impl InFlight {
    /// The batch's outcomes in input order, once every group is done.
    fn outcomes(self) -> Vec<Result<Outcome>> {
        let mut groups: Vec<Option<Vec<Result<Outcome>>>> = (0..self.n).map(|_| None).collect();
        for (i, outcomes) in self.groups.iter().take(self.n) {
            groups[i] = Some(outcomes);
        }
        groups
            .into_iter()
            .flat_map(|g| g.expect("a group's job ended without its outcomes"))
            .collect()
    }
}

/// Told how far the run has got, after each batch is written.
pub trait Progress: Send + Sync {
    /// `bytes` of input and `docs` records more are done.
    fn advance(&self, bytes: u64, docs: u64);
}

impl Progress for () {
    fn advance(&self, _: u64, _: u64) {}
}

/// Parses, runs and renders one group of records ([`GROUP_DOCS`] at most), the stages one
/// after another over all of its documents ([`Pipeline::run_batch`]). The outcomes are in the
/// records' order; a bad record or an unreadable source becomes a reject in its place.
fn process(
    pipeline: &Pipeline,
    records: Vec<Result<RawRecord>>,
    format: OutputFormat,
) -> Vec<Result<Outcome>> {
    let n = records.len();
    let mut docs = Vec::with_capacity(n);
    // The rejects, with their places among the records.
    let mut rejects = Vec::new();
    for (i, r) in records.into_iter().enumerate() {
        // An unreadable source is a reject like a bad record.
        match r
            .map_err(|e| Reject::from_error(&e))
            .and_then(RawRecord::parse)
        {
            Ok(doc) => docs.push(doc),
            Err(reject) => rejects.push((i, reject)),
        }
    }
    let results = pipeline.run_batch(&mut docs);
    let mut rejects = rejects.into_iter().peekable();
    let mut done = docs.into_iter().zip(results);
    (0..n)
        .map(|i| match rejects.next_if(|(at, _)| *at == i) {
            Some((_, reject)) => Ok(Outcome::Reject(reject)),
            None => {
                let (doc, result) = done.next().expect("a document for every other record");
                result.map(|()| rendered(&doc, format))
            }
        })
        .collect()
}

/// A processed document's output and what the summary counts of it.
fn rendered(doc: &Document, format: OutputFormat) -> Outcome {
    let rendered = render(doc, format);
    let info = DocInfo {
        segments: rendered.segments,
        lang: doc.lang,
        edits: doc
            .log
            .edits()
            .iter()
            .map(|e| (e.kind, Arc::clone(&e.rule)))
            .collect(),
    };
    Outcome::Doc(rendered, info)
}

/// Runs `pipeline` over `sources`, writing to `sink`, and returns the counts.
///
/// # Errors
/// With [`OnError::Fail`], the first bad record or unreadable source, in input order; any
/// write error. The sink is then dropped without being committed, so no output file is left.
pub fn run(
    pipeline: &Pipeline,
    sources: Vec<Result<Source>>,
    opts: &RunOptions,
    mut sink: Sink,
    progress: &dyn Progress,
) -> Result<Summary> {
    let started = Instant::now();
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(opts.threads)
        .thread_name(|i| format!("transnorm-w{i}"))
        .build()
        .map_err(|e| Error::Config(format!("thread pool: {e}")))?;
    let (raw_tx, raw_rx) = sync_channel::<Batch>(1);
    let (out_tx, out_rx) = sync_channel::<InFlight>(1);

    let summary = std::thread::scope(|scope| -> Result<Summary> {
        let named = |name: &str| std::thread::Builder::new().name(name.to_owned());
        let spawn_error = |e: std::io::Error| Error::Config(format!("starting a thread: {e}"));
        named("transnorm-read")
            .spawn_scoped(scope, move || {
                let mut reader = Reader::new(sources);
                loop {
                    let mut batch = Batch {
                        items: Vec::new(),
                        bytes: 0,
                    };
                    let before = reader.bytes;
                    let mut size = 0;
                    while size < opts.batch_bytes && batch.items.len() < opts.batch_docs {
                        match reader.next_record() {
                            Some(r) => {
                                size += r.as_ref().map_or(0, |r| r.bytes.len());
                                batch.items.push(r);
                            }
                            None => break,
                        }
                    }
                    batch.bytes = reader.bytes - before;
                    if batch.items.is_empty() || raw_tx.send(batch).is_err() {
                        return; // done, or the run stopped
                    }
                }
            })
            .map_err(spawn_error)?;

        let writer = named("transnorm-write")
            .spawn_scoped(scope, move || -> Result<(Summary, Sink)> {
                let mut summary = Summary::default();
                let mut untrimmed = 0;
                for batch in out_rx {
                    let bytes = batch.bytes;
                    let items = batch.outcomes();
                    let n = items.len() as u64;
                    for item in items {
                        summary.records_in += 1;
                        match item? {
                            Outcome::Doc(r, info) => {
                                sink.write(&r)?;
                                summary.add(&info);
                            }
                            Outcome::Reject(reject) => match opts.on_error {
                                OnError::Fail => return Err(reject.to_error()),
                                OnError::Skip => {
                                    sink.reject(&reject)?;
                                    summary.rejected += 1;
                                }
                            },
                        }
                    }
                    summary.bytes += bytes;
                    progress.advance(bytes, n);
                    untrimmed += bytes;
                    if untrimmed >= TRIM_BYTES {
                        release_freed_memory();
                        untrimmed = 0;
                    }
                }
                Ok((summary, sink))
            })
            .map_err(spawn_error)?;

        // Every group of every batch is a job of one scope, so the pool goes on to the next
        // batch's groups while the last of a batch finish (a barrier per batch left a core
        // idle for about half a group each time). Jobs spawned from outside the pool run in
        // the order spawned.
        pool.in_place_scope(|jobs| {
            for batch in raw_rx {
                let (tx, groups) = channel();
                let mut items = batch.items.into_iter().peekable();
                let mut n = 0;
                while items.peek().is_some() {
                    let group: Vec<_> = items.by_ref().take(GROUP_DOCS).collect();
                    let tx = tx.clone();
                    jobs.spawn(move |_| {
                        // The writer is gone only when the run has stopped.
                        let _ = tx.send((n, process(pipeline, group, opts.format)));
                    });
                    n += 1;
                }
                let batch = InFlight {
                    groups,
                    n,
                    bytes: batch.bytes,
                };
                if out_tx.send(batch).is_err() {
                    break; // the writer stopped on an error: it says which
                }
            }
        });
        drop(out_tx);
        let (summary, sink) = writer.join().expect("writer thread panicked")?;
        sink.commit()?;
        Ok(summary)
    });
    let mut summary = summary?;
    summary.finish(started.elapsed());
    Ok(summary)
}

/// Input bytes between two [`release_freed_memory`] calls (eight 2 MiB batches). Trimming
/// after every batch cost 13% of the CPU time of a run (`madvise`, then the workers fault the
/// same pages back in and the kernel zeroes them). Every 64 MiB, peak RSS on 1 GB reached
/// 1.16x that on 100 MB (`benches/memory.py`); every 16 MiB it is 1.04x, for about 2% more CPU.
const TRIM_BYTES: u64 = 16 << 20;

/// Hands memory freed by past batches back to the system, where the allocator is glibc's (the
/// library's users, the Python module; the `transnorm` binary uses mimalloc, which keeps its
/// freed pages for the next batch and leaves glibc's heap next to empty, so the call costs
/// nothing there). glibc keeps
/// freed chunks in per-thread arenas; the documents of a batch are allocated on the rayon
/// workers and freed by the writer, and the holes between live chunks can make resident
/// memory creep up with the length of the run.
#[cfg(all(target_os = "linux", target_env = "gnu"))]
fn release_freed_memory() {
    // SAFETY: malloc_trim has no preconditions; it only returns free pages to the kernel.
    unsafe {
        libc::malloc_trim(0);
    }
}

#[cfg(not(all(target_os = "linux", target_env = "gnu")))]
fn release_freed_memory() {}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Location;
    use crate::pipeline::Options;

    fn record(line: u64, bytes: &str) -> Result<RawRecord> {
        Ok(RawRecord {
            loc: Location::new("c.jsonl", line),
            txt_id: None,
            bytes: bytes.as_bytes().to_vec(),
        })
    }

    #[test]
    fn a_group_keeps_its_records_order_with_rejects_in_place() {
        let pipeline = Pipeline::new(&Options::default()).unwrap();
        let unreadable = Err(Error::io("gone.jsonl", std::io::ErrorKind::NotFound.into()));
        let records = vec![
            record(1, r#"{"id":"a","text":"One."}"#),
            record(2, r#"{"text":"#),
            unreadable,
            record(4, r#"{"id":"b","text":"Two."}"#),
            record(5, r#"{"id":"c","text":3}"#),
        ];
        let got: Vec<String> = process(&pipeline, records, OutputFormat::Jsonl)
            .into_iter()
            .map(|o| match o.unwrap() {
                Outcome::Doc(r, _) => String::from_utf8(r.main).unwrap(),
                Outcome::Reject(r) => format!("reject {}", r.loc),
            })
            .collect();
        assert_eq!(got.len(), 5);
        assert!(got[0].starts_with(r#"{"doc":"a","#), "{}", got[0]);
        assert_eq!(got[1], "reject c.jsonl:2");
        assert_eq!(got[2], "reject gone.jsonl");
        assert!(got[3].starts_with(r#"{"doc":"b","#), "{}", got[3]);
        assert_eq!(got[4], "reject c.jsonl:5");
    }
}
