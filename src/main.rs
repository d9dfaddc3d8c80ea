//! The `transnorm` command: arguments in, library calls out.

use std::io::IsTerminal;
use std::mem::ManuallyDrop;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use transnorm::glossary::edit::{add, plan, NewEntry};
use transnorm::glossary::names::NameGlossary;
use transnorm::glossary::{lint, DataSet};
use transnorm::io::input::sources;
use transnorm::io::input::Reader;
use transnorm::io::output::OutputFormat;
use transnorm::io::sink::{write_atomic, Sink};
use transnorm::pipeline::DEFAULT_ARTIFACT_THRESHOLD;
use transnorm::run::{run, OnError, Progress, RunOptions, Summary};
use transnorm::shard::{run_shards, ShardOutcome, ShardRun, ShardSpec};
use transnorm::stages::artifacts::Mode as ArtifactMode;
use transnorm::stages::hygiene::Form;
use transnorm::stages::names::Unseen;
use transnorm::stages::punct::Punct;
use transnorm::{Document, Error, Options, Pipeline};

/// mimalloc instead of glibc's malloc: documents are allocated on the workers and freed on the
/// writer thread, and glibc then pays for arena locks and for the pages `malloc_trim` hands back
/// and the workers fault in again. Measured on the seed-7 corpus (README, Performance): 2
/// threads 10-20% faster, start-up 78 -> 52 ms, 4.5% fewer instructions per byte; peak memory
/// 70 -> 110 MB, still flat with corpus size.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Add, check, list and look up glossary entries.
    #[command(subcommand)]
    Glossary(GlossaryCommand),
    /// Show what transnorm does to a text: every edit in place, with the rule that made it.
    /// Reads plain text on stdin, or one document of a corpus with --doc.
    Explain(ExplainArgs),
}

/// Which glossaries are loaded besides the file being worked on.
#[derive(clap::Args, Clone)]
struct GlossaryContext {
    /// Extra glossary file or folder; repeatable.
    #[arg(long, value_name = "PATH")]
    glossary: Vec<PathBuf>,
    /// Do not use the glossaries built into transnorm.
    #[arg(long)]
    no_default_glossaries: bool,
}

impl GlossaryContext {
    fn data(&self) -> transnorm::Result<DataSet> {
        DataSet::load(!self.no_default_glossaries, &self.glossary)
    }
}

#[derive(Subcommand)]
enum GlossaryCommand {
    /// Add a spelling to a names glossary, after checking it against every loaded glossary.
    ///
    /// Example: transnorm glossary add --to my_names.csv --variant Paşinyan --canonical Pashinyan
    Add(AddArgs),
    /// Check glossaries (the built-in ones, or the files under PATH): malformed rows,
    /// conflicts, duplicates, chains and cycles, common words, unreachable spellings.
    /// Prints `file:line: reason` for each problem; exits with 1 if there is any.
    Check {
        /// Glossary files or folders [default: the built-in glossaries].
        paths: Vec<PathBuf>,
    },
    /// List every name variant: file:line, entity, kind, lang, variant, replacement.
    List {
        /// Glossary files or folders [default: the built-in glossaries].
        paths: Vec<PathBuf>,
    },
    /// Which entity a spelling maps to, and from which file and line (exit 1 if none).
    Find {
        /// The spelling.
        text: String,
        #[command(flatten)]
        context: GlossaryContext,
    },
}

#[derive(clap::Args)]
struct AddArgs {
    /// The names CSV to add to (created with its header if it does not exist).
    #[arg(long, value_name = "FILE")]
    to: PathBuf,
    /// The spelling met in text.
    #[arg(long)]
    variant: String,
    /// What to write instead (the variant itself to keep it and only recognize it).
    #[arg(long)]
    canonical: String,
    /// The entity id [default: the entity the canonical form belongs to].
    #[arg(long, value_name = "ID")]
    entity: Option<String>,
    /// Only for documents in this language (ISO 639-1) [default: every language].
    #[arg(long, value_name = "CODE")]
    lang: Option<String>,
    /// The kind of a new entity: person, place, org, event ...
    #[arg(long)]
    kind: Option<String>,
    /// Add even a variant that is a common word of its language.
    #[arg(long)]
    force: bool,
    /// Check and show, but write nothing.
    #[arg(long)]
    dry_run: bool,
    /// With --dry-run: count the matches the entry would make in this corpus, with examples.
    #[arg(long, value_name = "PATH", requires = "dry_run")]
    corpus: Option<PathBuf>,
    #[command(flatten)]
    context: GlossaryContext,
}

#[derive(clap::Args)]
struct ExplainArgs {
    /// Explain document ID of CORPUS instead of reading text on stdin.
    #[arg(long, num_args = 2, value_names = ["ID", "CORPUS"])]
    doc: Option<Vec<String>>,
    /// Colour: auto (when stdout is a terminal), always or never.
    #[arg(long, value_enum, default_value = "auto")]
    color: ProgressArg,
    #[command(flatten)]
    context: GlossaryContext,
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
enum UnseenArg {
    /// Record them as entities (rule translit-key, confidence 0.7); leave the spelling.
    Annotate,
    /// Also write the canonical spelling.
    Replace,
    /// Do not look for them.
    Off,
}

#[derive(Clone, Copy, ValueEnum)]
enum PunctArg {
    /// Leave typography (curly quotes, guillemets, dashes) alone; fix spacing around punctuation.
    Keep,
    /// Fold quotes, dashes, ellipses and exotic spaces to ASCII.
    Ascii,
    /// Moses normalize-punctuation conventions (numbers left as they are).
    Moses,
}

#[derive(Clone, Copy, ValueEnum)]
enum ArtifactsArg {
    /// Rewrite machine-translation and spinner artifacts.
    Repair,
    /// Leave the text alone; list each repair it would make, with its rule, as `flags`.
    Flag,
    /// Do nothing about artifacts.
    Off,
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
    #[arg(short, long, value_name = "OUT", conflicts_with = "output_dir")]
    output: Option<PathBuf>,

    /// Write shards into this folder: `part-IIIII-of-NNNNN.jsonl` (or .tsv, or .src/.norm/.ids),
    /// each followed by its `.manifest.json` once complete. Concatenated in order, the parts
    /// are the output of one run.
    #[arg(long, value_name = "DIR")]
    output_dir: Option<PathBuf>,

    /// Run only shard I of N (from 0), e.g. `--shard "$SLURM_ARRAY_TASK_ID/64"`.
    #[arg(
        long,
        value_name = "I/N",
        requires = "output_dir",
        conflicts_with = "shards"
    )]
    shard: Option<ShardSpec>,

    /// Cut the input into N shards and run them all, one after another [default: 1].
    #[arg(long, value_name = "N", requires = "output_dir", value_parser = clap::value_parser!(u32).range(1..))]
    shards: Option<u32>,

    /// Skip the shards whose manifest says they are complete (after a killed or failed run).
    #[arg(long, requires = "output_dir")]
    resume: bool,

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

    /// Where `--on-error skip` writes bad records [default: OUT.rejects.jsonl; with
    /// --output-dir, one per shard].
    #[arg(long, value_name = "FILE", conflicts_with = "output_dir")]
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

    /// Names no glossary row spells, found by their transliteration key ("Toqayev").
    #[arg(long, value_enum, default_value = "annotate")]
    unseen_names: UnseenArg,

    /// Punctuation.
    #[arg(long, value_enum, default_value = "keep")]
    punct: PunctArg,

    /// Machine-translation and spinner artifacts: repair them, only flag them, or leave them.
    #[arg(long, value_enum, default_value = "repair")]
    artifacts: ArtifactsArg,

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
    transnorm::alloc::keep_freed_pages();
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Normalize(args) => normalize(args),
        Command::Glossary(cmd) => glossary(cmd),
        Command::Explain(args) => explain(args),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            if is_broken_pipe(&e) {
                return ExitCode::SUCCESS; // `transnorm ... | head` is a quiet success
            }
            if e.downcast_ref::<Reported>().is_some() {
                return ExitCode::from(EXIT_FAILED);
            }
            eprintln!("transnorm: error: {e:#}");
            let usage = matches!(e.downcast_ref::<Error>(), Some(Error::Config(_)));
            ExitCode::from(if usage { EXIT_USAGE } else { EXIT_FAILED })
        }
    }
}

fn is_broken_pipe(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        c.downcast_ref::<Error>().is_some_and(Error::is_broken_pipe)
            || c.downcast_ref::<std::io::Error>()
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
        (OnError::Skip, _, _) if args.output_dir.is_some() => None,
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
        unseen_names: match args.unseen_names {
            UnseenArg::Annotate => Unseen::Annotate,
            UnseenArg::Replace => Unseen::Replace,
            UnseenArg::Off => Unseen::Off,
        },
        punct: match args.punct {
            PunctArg::Keep => Punct::Keep,
            PunctArg::Ascii => Punct::Ascii,
            PunctArg::Moses => Punct::Moses,
        },
        artifacts: match args.artifacts {
            ArtifactsArg::Repair => Some(ArtifactMode::Repair),
            ArtifactsArg::Flag => Some(ArtifactMode::Flag),
            ArtifactsArg::Off => None,
        },
    };
    // Never dropped: the process ends once the run does, and the system takes the memory back
    // at once, where freeing the automata one by one costs tens of milliseconds (0.3 billion
    // instructions with 100,000 extra glossary rows).
    let pipeline = ManuallyDrop::new(Pipeline::new(&opts)?);
    let sources = sources(&args.paths);
    let total: Option<u64> = sources
        .iter()
        .map(|s| s.as_ref().ok().filter(|s| !s.gz).and_then(|s| s.size))
        .sum();
    let run_opts = RunOptions {
        format,
        on_error,
        threads: args.threads,
        ..RunOptions::default()
    };
    if let Some(dir) = args.output_dir.clone() {
        let (count, only) = match (args.shard, args.shards) {
            (Some(spec), _) => (spec.count, Some(spec.index)),
            (None, n) => (n.unwrap_or(1) as usize, None),
        };
        let plan = ShardRun {
            dir,
            count,
            only,
            resume: args.resume,
        };
        let bar = progress_bar(args.progress, total);
        let result = run_shards(&pipeline, sources, &run_opts, &plan, &bar);
        bar.bar.finish_and_clear();
        return report_shards(&args, &plan, result?);
    }
    let sink = Sink::open(args.output.as_deref(), format, rejects.as_deref())?;
    let bar = progress_bar(args.progress, total);
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

/// The summary of a sharded run: one line per shard, and the report of the shards that ran.
fn report_shards(
    args: &NormalizeArgs,
    plan: &ShardRun,
    outcomes: Vec<(usize, ShardOutcome)>,
) -> anyhow::Result<()> {
    let mut ran = Vec::new();
    for (i, outcome) in outcomes {
        let name = transnorm::shard::stem(i, plan.count);
        match outcome {
            ShardOutcome::Skipped(m) => {
                if !args.quiet {
                    eprintln!(
                        "transnorm: {name}: complete already ({} documents), skipped",
                        m.documents
                    );
                }
            }
            ShardOutcome::Ran(summary) => {
                if !args.quiet {
                    let line = describe(&summary, None);
                    eprint!(
                        "{}",
                        line.replacen("transnorm: ", &format!("transnorm: {name}: "), 1)
                    );
                }
                ran.push(serde_json::json!({"shard": i, "summary": summary}));
            }
        }
    }
    if let Some(path) = &args.report {
        let mut json = serde_json::to_vec_pretty(&ran).context("serializing the report")?;
        json.push(b'\n');
        write_atomic(path, &json)?;
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

/// A failure that has been reported already: exit 1 without another message.
#[derive(Debug)]
struct Reported;

impl std::fmt::Display for Reported {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("problems found")
    }
}

impl std::error::Error for Reported {}

fn data_of(paths: &[PathBuf]) -> transnorm::Result<DataSet> {
    if paths.is_empty() {
        return Ok(DataSet::defaults());
    }
    let mut data = DataSet::default();
    for p in paths {
        data.add_path(p)?;
    }
    Ok(data)
}

fn glossary(cmd: GlossaryCommand) -> anyhow::Result<()> {
    match cmd {
        GlossaryCommand::Check { paths } => {
            let data = data_of(&paths)?;
            let problems = lint::check(&data);
            for p in &problems {
                println!("{p}");
            }
            let files = data.files.len();
            if problems.is_empty() {
                eprintln!("transnorm: {files} glossary files, no problems");
                Ok(())
            } else {
                eprintln!(
                    "transnorm: {} problems in {files} glossary files",
                    problems.len()
                );
                Err(Reported.into())
            }
        }
        GlossaryCommand::List { paths } => {
            let g = NameGlossary::load(&data_of(&paths)?)?;
            for v in &g.variants {
                let e = &g.entities[v.entity];
                println!(
                    "{}\t{}\t{}\t{}\t{}\t{}",
                    v.rule,
                    e.id,
                    e.kind,
                    v.lang.as_deref().unwrap_or("*"),
                    v.text,
                    v.replace.as_deref().unwrap_or("")
                );
            }
            Ok(())
        }
        GlossaryCommand::Find { text, context } => {
            use unicode_normalization::UnicodeNormalization;
            let g = NameGlossary::load(&context.data()?)?;
            let text: String = text.trim().nfc().collect();
            let lower = text.to_lowercase();
            let mut found = false;
            for v in g
                .variants
                .iter()
                .filter(|v| v.text == text || v.text.to_lowercase() == lower)
            {
                let e = &g.entities[v.entity];
                let what = match &v.replace {
                    Some(r) => format!("written as `{r}`"),
                    None => "kept as written".to_owned(),
                };
                let exact = if v.text == text {
                    ""
                } else {
                    " (differs in case: matching is case-sensitive)"
                };
                println!(
                    "{}: `{}` [{}] -> {} ({}, {}), {what}{exact}",
                    v.rule,
                    v.text,
                    v.lang.as_deref().unwrap_or("all languages"),
                    e.id,
                    e.canonical,
                    e.kind
                );
                found |= v.text == text;
            }
            if found {
                Ok(())
            } else {
                eprintln!("transnorm: `{text}` is in no glossary");
                Err(Reported.into())
            }
        }
        GlossaryCommand::Add(args) => glossary_add(args),
    }
}

fn glossary_add(args: AddArgs) -> anyhow::Result<()> {
    let context = args.context.data()?;
    let entry = NewEntry {
        variant: args.variant,
        canonical: args.canonical,
        entity: args.entity,
        lang: args.lang,
        kind: args.kind,
        force: args.force,
    };
    if !args.dry_run {
        let p = add(&context, &args.to, &entry)?;
        let new = if p.new_entity { " (new entity)" } else { "" };
        println!("added {}: {}{new}", p.rule(), p.row);
        return Ok(());
    }
    let current = match std::fs::read_to_string(&args.to) {
        Ok(t) => Some(t),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(&args.to, e).into()),
    };
    let p = plan(&context, &args.to, current.as_deref(), &entry)?;
    println!("would add {}: {}", p.rule(), p.row);
    let Some(corpus) = args.corpus else {
        return Ok(());
    };
    let pipeline = Pipeline::with_data(&p.data_with_row(context), &Options::default())?;
    let rule = p.rule();
    let (mut matches, mut docs, mut examples) = (0usize, 0usize, Vec::new());
    for_each_document(&corpus, |mut doc| {
        pipeline.run(&mut doc)?;
        let map = doc.log.offsets();
        let mine: Vec<_> = doc.entities.iter().filter(|e| *e.rule == *rule).collect();
        docs += usize::from(!mine.is_empty());
        matches += mine.len();
        for e in mine.into_iter().take(5 - examples.len().min(5)) {
            let text = doc.text();
            let a = map.to_cur(e.src.start, transnorm::edit::Bias::Start);
            let b = map.to_cur(e.src.end, transnorm::edit::Bias::End);
            let from = text[..a].char_indices().rev().nth(40).map_or(0, |(i, _)| i);
            let to = text[b..]
                .char_indices()
                .nth(40)
                .map_or(text.len(), |(i, _)| b + i);
            examples.push(
                format!(
                    "  {}: …{}[{}]{}…",
                    doc.id,
                    &text[from..a],
                    &text[a..b],
                    &text[b..to]
                )
                .replace('\n', " "),
            );
        }
        Ok(())
    })?;
    println!(
        "{matches} matches in {docs} documents of {}",
        corpus.display()
    );
    for e in examples {
        println!("{e}");
    }
    Ok(())
}

/// Calls `f` on every document of `corpus`, in order; stops at the first bad record.
fn for_each_document(
    corpus: &std::path::Path,
    mut f: impl FnMut(Document) -> transnorm::Result<()>,
) -> anyhow::Result<()> {
    let mut reader = Reader::new(sources(&[corpus.to_path_buf()]));
    while let Some(raw) = reader.next_record() {
        let doc = raw?.parse().map_err(|r| r.to_error())?;
        f(doc)?;
    }
    Ok(())
}

fn explain(args: ExplainArgs) -> anyhow::Result<()> {
    let opts = Options {
        default_glossaries: !args.context.no_default_glossaries,
        glossaries: args.context.glossary.clone(),
        ..Options::default()
    };
    let pipeline = Pipeline::new(&opts)?;
    let color = match args.color {
        ProgressArg::Always => true,
        ProgressArg::Never => false,
        ProgressArg::Auto => std::io::stdout().is_terminal(),
    };
    let doc = match args.doc.as_deref() {
        Some([id, corpus]) => {
            let mut found = None;
            for_each_document(std::path::Path::new(corpus), |doc| {
                if found.is_none() && doc.id == *id {
                    found = Some(doc);
                }
                Ok(())
            })?;
            let mut doc =
                found.ok_or_else(|| Error::Config(format!("no document `{id}` in {corpus}")))?;
            pipeline.run(&mut doc)?;
            doc
        }
        _ => {
            let mut text = String::new();
            std::io::Read::read_to_string(&mut std::io::stdin(), &mut text)
                .context("reading stdin")?;
            pipeline.normalize("stdin", &text)?
        }
    };
    print!("{}", transnorm::io::explain::explain(&doc, color));
    Ok(())
}
