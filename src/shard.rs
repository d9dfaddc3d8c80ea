//! Deterministic shards of a corpus, each written to its own files with a manifest, so that one
//! corpus can be spread over the tasks of a Slurm array (or any engine) and a long run can be
//! resumed.
//!
//! Shard `i` of `n` covers a contiguous stretch of the input in input order, cut by bytes:
//! with at least `n` files, whole files (each file goes to the shard that holds its first
//! byte); with fewer, plain JSONL files are cut at line boundaries (a line goes to the shard
//! that holds its first byte), while `.txt` and `.gz` files stay whole. So the outputs of all
//! shards, concatenated in shard order, are byte for byte the output of one run over the same
//! input.
//!
//! A shard's manifest is written last, atomically, after its outputs are in place: it is the
//! completion marker that `--resume` trusts.

use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::time::Instant;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, Result};
use crate::io::input::{Format, Source};
use crate::io::output::OutputFormat;
use crate::io::sink::{write_atomic, Sink};
use crate::pipeline::{hex, Pipeline};
use crate::run::{run, OnError, Progress, RunOptions, Summary};

/// `I/N`: shard `I` (from 0) of `N`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ShardSpec {
    /// Which shard, from 0.
    pub index: usize,
    /// How many shards.
    pub count: usize,
}

impl FromStr for ShardSpec {
    type Err = String;

    fn from_str(s: &str) -> std::result::Result<Self, String> {
        let bad = || format!("`{s}`: expected I/N with 0 <= I < N, such as 0/8");
        let (i, n) = s.split_once('/').ok_or_else(bad)?;
        let index: usize = i.trim().parse().map_err(|_| bad())?;
        let count: usize = n.trim().parse().map_err(|_| bad())?;
        if count == 0 || index >= count {
            return Err(bad());
        }
        Ok(ShardSpec { index, count })
    }
}

/// Splits `sources` into `count` shards, in input order (see the module docs).
///
/// # Errors
/// Standard input among the sources: it cannot be cut deterministically.
pub fn partition(sources: Vec<Result<Source>>, count: usize) -> Result<Vec<Vec<Result<Source>>>> {
    assert!(count > 0, "at least one shard");
    if sources.iter().flatten().any(Source::is_stdin) {
        return Err(Error::Config(
            "shards need files: standard input cannot be split".into(),
        ));
    }
    let size = |s: &Result<Source>| s.as_ref().ok().and_then(|s| s.size).unwrap_or(0);
    let total: u64 = sources.iter().map(size).sum();
    let n = count as u128;
    // Shard i holds the bytes [bound(i), bound(i + 1)) of the input.
    let bound = |i: usize| -> u64 {
        if total == 0 {
            return 0;
        }
        ((i as u128 * total as u128).div_ceil(n)) as u64
    };
    let shard_of = |offset: u64| -> usize {
        if total == 0 {
            return 0;
        }
        ((offset as u128 * n / total as u128) as usize).min(count - 1)
    };
    let split = sources.len() < count;
    let mut shards: Vec<Vec<Result<Source>>> = (0..count).map(|_| Vec::new()).collect();
    let mut offset = 0u64;
    for source in sources {
        let len = size(&source);
        let start = offset;
        offset += len;
        match source {
            Ok(src) if split && len > 0 && src.format == Format::Jsonl && !src.gz => {
                for (i, shard) in shards
                    .iter_mut()
                    .enumerate()
                    .take(shard_of(start + len - 1) + 1)
                    .skip(shard_of(start))
                {
                    let from = bound(i).max(start) - start;
                    let to = bound(i + 1).min(start + len) - start;
                    if from < to {
                        shard.push(Ok(Source {
                            range: Some(from..to),
                            ..src.clone()
                        }));
                    }
                }
            }
            other => shards[shard_of(start)].push(other),
        }
    }
    Ok(shards)
}

/// One input (or part of one) a shard read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct InputPart {
    /// The path as given.
    pub path: String,
    /// The bytes whose lines were read, `[start, end)`, when only part of the file was.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub bytes: Option<[u64; 2]>,
}

/// One file a shard wrote.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct OutputFile {
    /// Its name in the output folder.
    pub file: String,
    /// Its size.
    pub bytes: u64,
    /// SHA-256 of its contents, in hex.
    pub sha256: String,
}

/// The completion record of a shard, `part-IIIII-of-NNNNN.manifest.json`.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Manifest {
    /// The transnorm version that wrote it.
    pub transnorm: String,
    /// This shard, from 0.
    pub shard: usize,
    /// How many shards.
    pub shards: usize,
    /// SHA-256 of the pipeline (version, options, glossaries), the output format, the shard
    /// count and the inputs (paths and sizes): a resumed run must match it.
    pub config: String,
    /// What the shard read.
    pub inputs: Vec<InputPart>,
    /// Records read (documents and rejects).
    pub records_in: u64,
    /// Documents written.
    pub documents: u64,
    /// Records rejected.
    pub rejected: u64,
    /// Segments written.
    pub segments: u64,
    /// Input bytes read.
    pub bytes_in: u64,
    /// Wall-clock seconds.
    pub seconds: f64,
    /// The files written, with their checksums.
    pub outputs: Vec<OutputFile>,
}

/// Where the shards of a run go and which of them to run.
#[derive(Debug, Clone)]
pub struct ShardRun {
    /// The output folder (created if missing).
    pub dir: PathBuf,
    /// How many shards the input is cut into.
    pub count: usize,
    /// Only this shard (a task of an array job); `None` runs them all, one after another.
    pub only: Option<usize>,
    /// Skip the shards whose manifest says they are complete.
    pub resume: bool,
}

/// What happened to one shard.
#[derive(Debug)]
pub enum ShardOutcome {
    /// It ran; its counts.
    Ran(Summary),
    /// Its manifest said it was complete (`--resume`).
    Skipped(Manifest),
}

/// The stem of shard `i`'s files: `part-00003-of-00016`.
pub fn stem(i: usize, count: usize) -> String {
    format!("part-{i:05}-of-{count:05}")
}

fn output_names(stem: &str, format: OutputFormat, on_error: OnError) -> Vec<String> {
    let mut names = match format {
        OutputFormat::Moses => vec![
            format!("{stem}.src"),
            format!("{stem}.norm"),
            format!("{stem}.ids"),
        ],
        OutputFormat::Tsv => vec![format!("{stem}.tsv")],
        OutputFormat::Jsonl | OutputFormat::Docs => vec![format!("{stem}.jsonl")],
    };
    if on_error == OnError::Skip {
        names.push(format!("{stem}.rejects.jsonl"));
    }
    names
}

/// The fingerprint a shard's manifest must carry for `--resume` to trust it.
fn config(
    pipeline: &Pipeline,
    format: OutputFormat,
    count: usize,
    sources: &[Result<Source>],
) -> String {
    let mut h = Sha256::new();
    h.update(format!("{}\n{format:?}\n{count}\n", pipeline.fingerprint()));
    for s in sources {
        match s {
            Ok(s) => h.update(format!("{}\t{:?}\n", s.path.display(), s.size)),
            Err(e) => h.update(format!("error\t{e}\n")),
        }
    }
    hex(&h.finalize())
}

fn sha256_file(path: &Path) -> Result<(u64, String)> {
    let file = File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = BufReader::with_capacity(1 << 20, file);
    let mut h = Sha256::new();
    let mut buf = vec![0u8; 1 << 20];
    let mut len = 0u64;
    loop {
        let n = reader.read(&mut buf).map_err(|e| Error::io(path, e))?;
        if n == 0 {
            break;
        }
        h.update(&buf[..n]);
        len += n as u64;
    }
    Ok((len, hex(&h.finalize())))
}

/// Whether the manifest at `path` says its shard is complete for this `config`. A manifest of
/// another configuration is an error: mixing its outputs with this run's would be wrong.
fn complete(path: &Path, dir: &Path, config: &str) -> Result<Option<Manifest>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(Error::io(path, e)),
    };
    let manifest: Manifest = serde_json::from_slice(&bytes)
        .map_err(|e| Error::bad_record(path, e.line() as u64, format!("not a manifest: {e}")))?;
    if manifest.config != config {
        return Err(Error::Config(format!(
            "{}: written by a run with other inputs, options, glossaries or shard count; \
             remove it or use another --output-dir",
            path.display()
        )));
    }
    // The outputs must still be there, whole.
    let intact = manifest
        .outputs
        .iter()
        .all(|o| std::fs::metadata(dir.join(&o.file)).is_ok_and(|m| m.len() == o.bytes));
    Ok(intact.then_some(manifest))
}

/// Runs the shards of `plan` over `sources`, writing each shard's files and then its manifest
/// into `plan.dir`; returns what happened to each shard it was asked to run, in order.
///
/// # Errors
/// As [`run`], for the first shard that fails (the shards before it stay complete); a
/// manifest of another configuration under `--resume`; the folder cannot be created.
pub fn run_shards(
    pipeline: &Pipeline,
    sources: Vec<Result<Source>>,
    opts: &RunOptions,
    plan: &ShardRun,
    progress: &dyn Progress,
) -> Result<Vec<(usize, ShardOutcome)>> {
    std::fs::create_dir_all(&plan.dir).map_err(|e| Error::io(&plan.dir, e))?;
    let config = config(pipeline, opts.format, plan.count, &sources);
    let shards = partition(sources, plan.count)?;
    let mut outcomes = Vec::new();
    for (i, shard) in shards.into_iter().enumerate() {
        if plan.only.is_some_and(|only| only != i) {
            continue;
        }
        let stem = stem(i, plan.count);
        let manifest_path = plan.dir.join(format!("{stem}.manifest.json"));
        if plan.resume {
            if let Some(m) = complete(&manifest_path, &plan.dir, &config)? {
                outcomes.push((i, ShardOutcome::Skipped(m)));
                continue;
            }
        }
        // From here until the new manifest is written, this shard is not complete.
        match std::fs::remove_file(&manifest_path) {
            Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                return Err(Error::io(&manifest_path, e))
            }
            _ => {}
        }
        let started = Instant::now();
        let inputs: Vec<InputPart> = shard
            .iter()
            .map(|s| match s {
                Ok(s) => InputPart {
                    path: s.path.display().to_string(),
                    bytes: s.range.as_ref().map(|r| [r.start, r.end]),
                },
                Err(e) => InputPart {
                    path: e
                        .location()
                        .map_or_else(String::new, |l| l.path.display().to_string()),
                    bytes: None,
                },
            })
            .collect();
        let names = output_names(&stem, opts.format, opts.on_error);
        let main = match opts.format {
            OutputFormat::Moses => plan.dir.join(&stem),
            _ => plan.dir.join(&names[0]),
        };
        let rejects = (opts.on_error == OnError::Skip)
            .then(|| plan.dir.join(names.last().expect("rejects name")));
        let sink = Sink::open_with(Some(&main), opts.format, rejects.as_deref(), i == 0)?;
        let summary = run(pipeline, shard, opts, sink, progress)?;
        let outputs = names
            .iter()
            .map(|name| {
                let (bytes, sha256) = sha256_file(&plan.dir.join(name))?;
                Ok(OutputFile {
                    file: name.clone(),
                    bytes,
                    sha256,
                })
            })
            .collect::<Result<Vec<_>>>()?;
        let manifest = Manifest {
            transnorm: env!("CARGO_PKG_VERSION").into(),
            shard: i,
            shards: plan.count,
            config: config.clone(),
            inputs,
            records_in: summary.records_in,
            documents: summary.documents,
            rejected: summary.rejected,
            segments: summary.segments,
            bytes_in: summary.bytes,
            seconds: started.elapsed().as_secs_f64(),
            outputs,
        };
        let mut json = serde_json::to_vec_pretty(&manifest).expect("plain data serializes");
        json.push(b'\n');
        write_atomic(&manifest_path, &json)?;
        outcomes.push((i, ShardOutcome::Ran(summary)));
    }
    Ok(outcomes)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn shard_specs_parse_and_check_their_range() {
        assert_eq!(
            "3/8".parse::<ShardSpec>(),
            Ok(ShardSpec { index: 3, count: 8 })
        );
        for bad in ["8/8", "1/0", "x/2", "2", "-1/4"] {
            assert!(bad.parse::<ShardSpec>().is_err(), "{bad}");
        }
    }

    fn jsonl(dir: &Path, name: &str, lines: usize) -> PathBuf {
        let p = dir.join(name);
        let mut f = File::create(&p).unwrap();
        for i in 0..lines {
            writeln!(f, "{{\"text\":\"{}\"}}", "x".repeat(i % 7)).unwrap();
        }
        p
    }

    fn records(shard: Vec<Result<Source>>) -> Vec<String> {
        let mut reader = crate::io::input::Reader::new(shard);
        std::iter::from_fn(|| reader.next_record())
            .map(|r| r.unwrap().loc.to_string())
            .collect()
    }

    #[test]
    fn one_file_is_cut_at_lines_and_every_line_lands_in_one_shard_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let p = jsonl(dir.path(), "a.jsonl", 101);
        let whole = records(crate::io::input::sources(std::slice::from_ref(&p)));
        assert_eq!(whole.len(), 101);
        for n in [1, 2, 3, 7, 64, 500] {
            let shards = partition(crate::io::input::sources(std::slice::from_ref(&p)), n).unwrap();
            assert_eq!(shards.len(), n);
            let joined: Vec<String> = shards.into_iter().flat_map(records).collect();
            assert_eq!(joined, whole, "{n} shards");
        }
    }

    #[test]
    fn many_files_stay_whole() {
        let dir = tempfile::tempdir().unwrap();
        let paths: Vec<PathBuf> = (0..6)
            .map(|i| jsonl(dir.path(), &format!("{i}.jsonl"), 10))
            .collect();
        let shards = partition(crate::io::input::sources(&paths), 3).unwrap();
        for shard in &shards {
            assert_eq!(shard.len(), 2);
            assert!(shard.iter().all(|s| s.as_ref().unwrap().range.is_none()));
        }
    }

    #[test]
    fn standard_input_cannot_be_sharded() {
        let e = partition(crate::io::input::sources(&[]), 2).unwrap_err();
        assert!(e.to_string().contains("standard input"), "{e}");
    }
}
