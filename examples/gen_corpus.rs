//! Writes a large, realistic, deterministic corpus for benchmarks and memory measurements.
//!
//! ```text
//! cargo run --release --example gen_corpus -- --size 100M --seed 7 -o corpus.jsonl
//! cargo run --release --example gen_corpus -- --size 1G --format txt -o corpus_dir
//! cargo run --release --example gen_corpus -- --size 100M --flores ../shared/external/flores200 -o mixed.jsonl
//! ```
//!
//! Documents recombine the paragraphs of the sample articles (English-heavy, with the Italian
//! one) and damage them the way the web does: name variants from the glossaries in place of
//! canonical names, spinner phrases in place of their repairs, zero-width and non-breaking
//! spaces, decomposed accents, HTML entities, and boilerplate lines. With `--flores DIR` (the
//! FLORES-200 devtest files), documents in the other languages there are mixed in too, made of
//! paragraphs of 5 consecutive sentences: each language drawn as often as the Italian sample,
//! so about a fifth of the documents are not English. The same arguments give the same bytes.

use std::io::{BufWriter, Write};
use std::path::PathBuf;

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use unicode_normalization::UnicodeNormalization;

const SAMPLES: &[&str] = &[
    include_str!("../samples/txt/000_ef37a1a118df8b80.txt"),
    include_str!("../samples/txt/001_f746b196c47e67ff.txt"),
    include_str!("../samples/txt/002_f6c32bdf33aa97c3.txt"),
    include_str!("../samples/txt/003_f2d3f294bb08212c.txt"),
    include_str!("../samples/txt/004_87378f866307ef84.txt"),
];
const NAMES: &[&str] = &[
    include_str!("../glossaries/names/people.csv"),
    include_str!("../glossaries/names/places.csv"),
];
const ARTIFACTS: &str = include_str!("../glossaries/artifacts/en.csv");
const FURNITURE: &[&str] = &[
    "[ad_1]",
    "[ad_2]",
    "Source link",
    "© All rights reserved",
    "Categories:",
    "Tags:",
    "No responses yet",
    "Leave a Reply",
    "Share this:",
    "Photo: Reuters",
];

struct Args {
    size: u64,
    seed: u64,
    txt: bool,
    out: PathBuf,
    flores: Option<PathBuf>,
}

fn parse_size(s: &str) -> u64 {
    let (num, mult) = match s.chars().last() {
        Some('K' | 'k') => (&s[..s.len() - 1], 1u64 << 10),
        Some('M' | 'm') => (&s[..s.len() - 1], 1 << 20),
        Some('G' | 'g') => (&s[..s.len() - 1], 1 << 30),
        _ => (s, 1),
    };
    num.parse::<u64>().expect("size like 100M or 1G") * mult
}

fn args() -> Args {
    let mut a = Args {
        size: 100 << 20,
        seed: 1,
        txt: false,
        out: PathBuf::from("corpus.jsonl"),
        flores: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().unwrap_or_else(|| panic!("{flag} needs a value"));
        match flag.as_str() {
            "--size" => a.size = parse_size(&value()),
            "--seed" => a.seed = value().parse().expect("numeric seed"),
            "--format" => a.txt = value() == "txt",
            "-o" | "--output" => a.out = PathBuf::from(value()),
            "--flores" => a.flores = Some(PathBuf::from(value())),
            other => panic!("unknown argument {other}; see the example's docs"),
        }
    }
    a
}

/// Rows of a glossary CSV (comments and header skipped), split on commas.
fn rows(csv: &str) -> impl Iterator<Item = Vec<&str>> {
    csv.lines()
        .filter(|l| !l.starts_with('#'))
        .skip(1)
        .map(|l| l.split(',').collect())
}

/// (canonical, variant) from the names glossaries' rows for all languages with a replacement.
fn name_pairs() -> Vec<(String, String)> {
    NAMES
        .iter()
        .flat_map(|c| rows(c))
        .filter(|r| r.len() == 6 && r[3].is_empty() && !r[5].is_empty())
        .map(|r| (r[5].to_owned(), r[4].to_owned()))
        .collect()
}

/// (repair, phrase) from the artifact rules that need no context.
fn artifact_pairs() -> Vec<(String, String)> {
    rows(ARTIFACTS)
        .filter(|r| r.len() == 5 && r[4].is_empty())
        .map(|r| (r[3].to_owned(), r[2].to_owned()))
        .collect()
}

fn damage(
    p: &str,
    rng: &mut ChaCha8Rng,
    names: &[(String, String)],
    spun: &[(String, String)],
) -> String {
    let mut p = p.to_owned();
    for (canonical, variant) in names {
        if p.contains(canonical.as_str()) && rng.gen_bool(0.5) {
            p = p.replacen(canonical.as_str(), variant, 1);
        }
    }
    for (repair, phrase) in spun {
        if p.contains(repair.as_str()) && rng.gen_bool(0.3) {
            p = p.replacen(repair.as_str(), phrase, 1);
        }
    }
    let words: Vec<&str> = p.split(' ').collect();
    let mut out = String::with_capacity(p.len() + 16);
    for (i, w) in words.iter().enumerate() {
        if i > 0 {
            out.push(if rng.gen_bool(0.01) { '\u{a0}' } else { ' ' });
        }
        match rng.gen_range(0..400) {
            0 if w.len() > 3 => {
                let cut = w.char_indices().nth(2).map_or(0, |(b, _)| b);
                out.push_str(&w[..cut]);
                out.push('\u{200b}');
                out.push_str(&w[cut..]);
            }
            1 => out.extend(w.nfd()),
            2 => {
                out.push_str(w);
                out.push_str(" &amp;");
            }
            _ => out.push_str(w),
        }
    }
    out
}

/// The paragraphs of each non-English FLORES-200 devtest file in `dir`: 5 consecutive
/// sentences each, in file-name order.
fn flores_paragraphs(dir: &std::path::Path) -> Vec<Vec<String>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("entry").path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.ends_with(".devtest.txt") && !name.starts_with("eng_")
        })
        .collect();
    files.sort();
    assert!(
        !files.is_empty(),
        "{}: no *.devtest.txt files",
        dir.display()
    );
    files
        .iter()
        .map(|f| {
            let text = std::fs::read_to_string(f).expect("readable FLORES file");
            let lines: Vec<&str> = text.lines().collect();
            lines.chunks(5).map(|c| c.join(" ")).collect()
        })
        .collect()
}

fn main() {
    let args = args();
    let mut rng = ChaCha8Rng::seed_from_u64(args.seed);
    let names = name_pairs();
    let spun = artifact_pairs();
    let flores = args
        .flores
        .as_deref()
        .map(flores_paragraphs)
        .unwrap_or_default();
    let mut paragraphs: Vec<Vec<&str>> = SAMPLES
        .iter()
        .map(|s| s.lines().filter(|l| !l.trim().is_empty()).collect())
        .collect();
    paragraphs.extend(
        flores
            .iter()
            .map(|lang| lang.iter().map(String::as_str).collect()),
    );
    // English-heavy: the Italian sample (000), and each FLORES language, is drawn a tenth as
    // often as each English one.
    let mut weights = vec![1usize, 10, 10, 10, 10];
    weights.extend(std::iter::repeat_n(1, flores.len()));
    let pick: Vec<usize> = weights
        .iter()
        .enumerate()
        .flat_map(|(i, &w)| std::iter::repeat_n(i, w))
        .collect();

    if args.txt {
        std::fs::create_dir_all(&args.out).expect("create output folder");
    }
    let mut jsonl = (!args.txt).then(|| {
        BufWriter::with_capacity(
            1 << 20,
            std::fs::File::create(&args.out).expect("create output"),
        )
    });
    let mut written = 0u64;
    let mut n = 0u64;
    while written < args.size {
        let which = *pick.choose(&mut rng).expect("non-empty");
        let sample = &paragraphs[which];
        // A FLORES language is one long list of paragraphs: an article takes a few.
        let most = if which < SAMPLES.len() {
            sample.len()
        } else {
            8
        };
        let k = rng.gen_range(3..=most.max(3));
        let mut paras: Vec<&str> = sample
            .choose_multiple(&mut rng, k.min(sample.len()))
            .copied()
            .collect();
        if rng.gen_bool(0.2) {
            paras.shuffle(&mut rng);
        }
        let mut text = String::new();
        if rng.gen_bool(0.3) {
            text.push_str(FURNITURE.choose(&mut rng).expect("non-empty"));
            text.push('\n');
        }
        for p in paras {
            text.push_str(&damage(p, &mut rng, &names, &spun));
            text.push('\n');
        }
        if rng.gen_bool(0.4) {
            text.push_str(FURNITURE.choose(&mut rng).expect("non-empty"));
        }
        let id = format!("gen-{n:09}");
        let bytes = match &mut jsonl {
            Some(w) => {
                let line =
                    serde_json::json!({"id": id, "text": text, "source": "gen_corpus"}).to_string();
                w.write_all(line.as_bytes())
                    .and_then(|_| w.write_all(b"\n"))
                    .expect("write");
                line.len() as u64 + 1
            }
            None => {
                let dir = args.out.join(format!("{:04}", n / 1000));
                std::fs::create_dir_all(&dir).expect("create folder");
                std::fs::write(dir.join(format!("{id}.txt")), &text).expect("write");
                text.len() as u64
            }
        };
        written += bytes;
        n += 1;
    }
    if let Some(mut w) = jsonl {
        w.flush().expect("flush");
    }
    eprintln!(
        "gen_corpus: {n} documents, {written} bytes -> {}",
        args.out.display()
    );
}
