//! The `transnorm` command: arguments in, library calls out.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use transnorm::io::input::sources;
use transnorm::io::output::OutputFormat;
use transnorm::io::sink::{write_atomic, Sink};
use transnorm::pipeline::DEFAULT_ARTIFACT_THRESHOLD;
use transnorm::run::{run, OnError, Progress, RunOptions, Summary};
use transnorm::stages::hygiene::Form;
use transnorm::{Error, Options, Pipeline};

#[derive(Parser)]
#[command(
    name = "transnorm",
    version,
    about = "Normalize multilingual news text into a clean corpus aligned to its source",
    long_about = "Normalize multilingual news text into a clean corpus aligned to its source.\n\n\
        transnorm repairs Unicode damage, removes page furniture, detects the language, splits \
        sentences, writes names in their canonical spelling and repairs machine-translation and \
        spinner artifacts. Every change is recorded as an edit against the original text.\n\n\
        Example: transnorm normalize samples/txt -o out.jsonl"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Normalize a corpus: .txt and .jsonl files (or .gz), folders, or JSONL on stdin.
    Normalize(NormalizeArgs),
}

#[derive(Clone, Copy, ValueEnum)]
enum FormatArg {
    /// One JSON line per segment, with its source span, edits and entities.
    Jsonl,
    /// One JSON line per document: the input record with normalized text, edits, entities, scores.
    Docs,
    /// PREFIX.src, PREFIX.norm and PREFIX.ids, one segment per line (needs -o PREFIX).
    Moses,
    /// Tab-separated doc, seg, lang, src, text with a header row.
    Tsv,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ProgressArg {
    /// A bar when stderr is a terminal.
    Auto,
    /// Always a bar on stderr.
    Always,
    /// Never.
    Never,
}

#[derive(Clone, Copy, ValueEnum)]
enum OnErrorArg {
    /// Stop at the first bad record; no output file is written.
    Fail,
    /// Write bad records to the rejects file and go on.
    Skip,
}

#[derive(Clone, Copy, ValueEnum)]
enum UnicodeForm {
    /// Canonical composition (changes no meaning).
    Nfc,
    /// Compatibility composition (also folds ligatures and full-width forms).
    Nfkc,
}

#[derive(clap::Args)]
struct NormalizeArgs {
    /// Inputs: .txt (one document), .jsonl (one {"id", "text", ...} per line), their .gz
    /// versions, or folders (walked in sorted order). None, or `-`, reads JSONL from stdin.
    paths: Vec<PathBuf>,

    /// Output file (written atomically); stdout when absent. For `--format moses`, a prefix.
    #[arg(short, long, value_name = "OUT")]
    output: Option<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value = "jsonl")]
    format: FormatArg,

    /// Extra glossary file or folder (names or artifact CSVs, pattern lists); repeatable.
    /// Its rows override the built-in ones.
    #[arg(long, value_name = "PATH")]
    glossary: Vec<PathBuf>,

    /// Do not use the glossaries and rules built into transnorm.
    #[arg(long)]
    no_default_glossaries: bool,

    /// Worker threads [default: one per core].
    #[arg(long, value_name = "N", default_value_t = 0, hide_default_value = true)]
    threads: usize,

    /// Progress bar on stderr.
    #[arg(long, value_enum, default_value = "auto")]
    progress: ProgressArg,

    /// What to do with a bad input record.
    #[arg(long, value_enum, default_value = "fail")]
    on_error: OnErrorArg,

    /// Where `--on-error skip` writes bad records [default: OUT.rejects.jsonl].
    #[arg(long, value_name = "FILE")]
    rejects: Option<PathBuf>,

    /// Write the run's counts as JSON to this file.
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,

    /// Keep page furniture (ads, comment forms, credits) instead of removing it.
    #[arg(long)]
    keep_boilerplate: bool,

    /// Unicode normalization form.
    #[arg(long, value_enum, default_value = "nfc")]
    unicode: UnicodeForm,

    /// Languages the detector may answer, as ISO 639-1 codes: `en,it,ru`.
    #[arg(long, value_delimiter = ',', value_name = "CODES")]
    langs: Vec<String>,

    /// Artifact score (fingerprints per 1,000 words) from which spinner-only repairs apply.
    #[arg(long, value_name = "SCORE", default_value_t = DEFAULT_ARTIFACT_THRESHOLD)]
    artifact_threshold: f64,

    /// No summary on stderr.
    #[arg(short, long)]
    quiet: bool,
}

/// Exit codes of the output contract.
const EXIT_FAILED: u8 = 1;
const EXIT_USAGE: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(args) => normalize(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS; // `transnorm ... | head` is a quiet success
            }
            eprintln!("transnorm: error: {e:#}");
            let usage = matches!(e.downcast_ref::<Error>(), Some(Error::Config(_)));
            ExitCode::from(if usage { EXIT_USAGE } else { EXIT_FAILED })
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<std::io::Error>()
            .is_some_and(|io| io.kind() == std::io::ErrorKind::BrokenPipe)
    })
}

fn normalize(args: NormalizeArgs) -> anyhow::Result<()> {
    let format = match args.format {
        FormatArg::Jsonl => OutputFormat::Jsonl,
        FormatArg::Docs => OutputFormat::Docs,
        FormatArg::Moses => OutputFormat::Moses,
        FormatArg::Tsv => OutputFormat::Tsv,
    };
    let on_error = match args.on_error {
        OnErrorArg::Fail => OnError::Fail,
        OnErrorArg::Skip => OnError::Skip,
    };
    let rejects = match (on_error, &args.rejects, &args.output) {
        (OnError::Fail, _, _) => None,
        (OnError::Skip, Some(r), _) => Some(r.clone()),
        (OnError::Skip, None, Some(out)) => {
            let mut p = out.as_os_str().to_owned();
            p.push(".rejects.jsonl");
            Some(PathBuf::from(p))
        }
        (OnError::Skip, None, None) => {
            return Err(Error::Config(
                "--on-error skip writing to stdout needs --rejects FILE".into(),
            )
            .into())
        }
    };
    // Everything that can fail on configuration fails before any input is read.
    let opts = Options {
        default_glossaries: !args.no_default_glossaries,
        glossaries: args.glossary.clone(),
        form: match args.unicode {
            UnicodeForm::Nfc => Form::Nfc,
            UnicodeForm::Nfkc => Form::Nfkc,
        },
        keep_boilerplate: args.keep_boilerplate,
        langs: args.langs.clone(),
        artifact_threshold: args.artifact_threshold,
    };
    let pipeline = Pipeline::new(&opts)?;
    let sources = sources(&args.paths);
    let total: Option<u64> = sources
        .iter()
        .map(|s| s.as_ref().ok().filter(|s| !s.gz).and_then(|s| s.size))
        .sum();
    let sink = Sink::open(args.output.as_deref(), format, rejects.as_deref())?;
    let bar = progress_bar(args.progress, total);
    let run_opts = RunOptions {
        format,
        on_error,
        threads: args.threads,
        ..RunOptions::default()
    };
    let result = run(&pipeline, sources, &run_opts, sink, &bar);
    bar.bar.finish_and_clear();
    let summary = result?;
    if let Some(path) = &args.report {
        let mut json = serde_json::to_vec_pretty(&summary).context("serializing the report")?;
        json.push(b'\n');
        write_atomic(path, &json)?;
    }
    if !args.quiet {
        eprint!("{}", describe(&summary, rejects.as_deref()));
    }
    Ok(())
}

struct Bar {
    bar: ProgressBar,
    docs: AtomicU64,
    started: Instant,
}

impl Progress for Bar {
    fn advance(&self, bytes: u64, docs: u64) {
        self.bar.inc(bytes);
        let done = self.docs.fetch_add(docs, Ordering::Relaxed) + docs;
        let rate = done as f64 / self.started.elapsed().as_secs_f64().max(1e-3);
        self.bar
            .set_message(format!("{done} docs, {rate:.0} docs/s"));
    }
}

fn progress_bar(mode: ProgressArg, total: Option<u64>) -> Bar {
    let show = match mode {
        ProgressArg::Never => false,
        ProgressArg::Always => true,
        ProgressArg::Auto => std::io::stderr().is_terminal(),
    };
    let bar = if show {
        let target = ProgressDrawTarget::term_like_with_hz(Box::new(console::Term::stderr()), 4);
        let template = match total {
            Some(_) => "{elapsed_precise} [{wide_bar}] {bytes}/{total_bytes} {binary_bytes_per_sec} {msg} ETA {eta}",
            None => "{spinner} {elapsed_precise} {bytes} {binary_bytes_per_sec} {msg}",
        };
        let bar = ProgressBar::with_draw_target(total, target);
        bar.set_style(
            ProgressStyle::with_template(template)
                .expect("valid template")
                .progress_chars("=> "),
        );
        bar.enable_steady_tick(Duration::from_millis(250));
        bar
    } else {
        ProgressBar::hidden()
    };
    Bar {
        bar,
        docs: AtomicU64::new(0),
        started: Instant::now(),
    }
}

fn describe(s: &Summary, rejects: Option<&std::path::Path>) -> String {
    use std::fmt::Write;
    let mut out = String::new();
    let _ = writeln!(
        out,
        "transnorm: {} documents, {} segments from {} records ({} rejected{}); {:.1} MB in {:.2} s, {:.1} MB/s, {:.0} docs/s",
        s.documents,
        s.segments,
        s.records_in,
        s.rejected,
        rejects.map(|p| format!(", see {}", p.display())).unwrap_or_default(),
        s.bytes as f64 / 1e6,
        s.seconds,
        s.mb_per_s,
        s.docs_per_s,
    );
    let list = |m: &mut dyn Iterator<Item = String>| m.collect::<Vec<_>>().join(", ");
    let _ = writeln!(
        out,
        "  edits: {}",
        list(&mut s.edits.iter().map(|(k, n)| format!("{k} {n}")))
    );
    let _ = writeln!(
        out,
        "  languages: {}",
        list(&mut s.languages.iter().map(|(k, n)| format!("{k} {n}")))
    );
    let _ = writeln!(
        out,
        "  top rules: {}",
        list(
            &mut s
                .top_rules
                .iter()
                .take(5)
                .map(|(r, n)| format!("{r} ({n})"))
        )
    );
    out
}
