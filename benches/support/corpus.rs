//! The corpus generator shared by `examples/gen_corpus.rs` (large corpora on disk) and the
//! criterion benchmarks (a corpus in memory): documents recombined from the sample articles
//! (English-heavy, with the Italian one), damaged the way the web does. See the example's docs.
//! The same seed (and FLORES folder) gives the same documents.

use std::path::{Path, PathBuf};

use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use unicode_normalization::UnicodeNormalization;

const SAMPLES: &[&str] = &[
    include_str!("../../samples/txt/000_ef37a1a118df8b80.txt"),
    include_str!("../../samples/txt/001_f746b196c47e67ff.txt"),
    include_str!("../../samples/txt/002_f6c32bdf33aa97c3.txt"),
    include_str!("../../samples/txt/003_f2d3f294bb08212c.txt"),
    include_str!("../../samples/txt/004_87378f866307ef84.txt"),
];
const NAMES: &[&str] = &[
    include_str!("../../glossaries/names/people.csv"),
    include_str!("../../glossaries/names/places.csv"),
];
const ARTIFACTS: &str = include_str!("../../glossaries/artifacts/en.csv");
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

/// Generated documents, in a deterministic order.
pub struct Generator {
    rng: ChaCha8Rng,
    names: Vec<(String, String)>,
    spun: Vec<(String, String)>,
    /// Paragraphs of each sample, then of each FLORES language.
    paragraphs: Vec<Vec<String>>,
    /// Indices into `paragraphs`, each as often as its weight.
    pick: Vec<usize>,
    n: u64,
}

impl Generator {
    /// Documents from the samples, and with `flores` (the FLORES-200 devtest folder) from
    /// its non-English languages too.
    pub fn new(seed: u64, flores: Option<&Path>) -> Self {
        let flores = flores.map(flores_paragraphs).unwrap_or_default();
        let mut paragraphs: Vec<Vec<String>> = SAMPLES
            .iter()
            .map(|s| {
                s.lines()
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_owned)
                    .collect()
            })
            .collect();
        // English-heavy: the Italian sample (000), and each FLORES language, is drawn a
        // tenth as often as each English one.
        let mut weights = vec![1usize, 10, 10, 10, 10];
        weights.extend(std::iter::repeat_n(1, flores.len()));
        paragraphs.extend(flores);
        let pick = weights
            .iter()
            .enumerate()
            .flat_map(|(i, &w)| std::iter::repeat_n(i, w))
            .collect();
        Generator {
            rng: ChaCha8Rng::seed_from_u64(seed),
            names: name_pairs(),
            spun: artifact_pairs(),
            paragraphs,
            pick,
            n: 0,
        }
    }

    /// The next document: (id, text).
    pub fn next_doc(&mut self) -> (String, String) {
        let rng = &mut self.rng;
        let which = *self.pick.choose(rng).expect("non-empty");
        let sample = &self.paragraphs[which];
        // A FLORES language is one long list of paragraphs: an article takes a few.
        let most = if which < SAMPLES.len() {
            sample.len()
        } else {
            8
        };
        let k = rng.gen_range(3..=most.max(3));
        let mut paras: Vec<&str> = sample
            .choose_multiple(rng, k.min(sample.len()))
            .map(String::as_str)
            .collect();
        if rng.gen_bool(0.2) {
            paras.shuffle(rng);
        }
        let mut text = String::new();
        if rng.gen_bool(0.3) {
            text.push_str(FURNITURE.choose(rng).expect("non-empty"));
            text.push('\n');
        }
        for p in paras {
            text.push_str(&damage(p, rng, &self.names, &self.spun));
            text.push('\n');
        }
        if rng.gen_bool(0.4) {
            text.push_str(FURNITURE.choose(rng).expect("non-empty"));
        }
        let id = format!("gen-{:09}", self.n);
        self.n += 1;
        (id, text)
    }

    /// The next document as a JSONL line (without its newline).
    pub fn next_jsonl(&mut self) -> String {
        let (id, text) = self.next_doc();
        serde_json::json!({"id": id, "text": text, "source": "gen_corpus"}).to_string()
    }
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
fn flores_paragraphs(dir: &Path) -> Vec<Vec<String>> {
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
