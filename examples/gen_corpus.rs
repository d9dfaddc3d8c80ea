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

#[path = "../benches/support/corpus.rs"]
mod corpus;

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

fn main() {
    let args = args();
    let mut generator = corpus::Generator::new(args.seed, args.flores.as_deref());
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
        let bytes = match &mut jsonl {
            Some(w) => {
                let line = generator.next_jsonl();
                w.write_all(line.as_bytes())
                    .and_then(|_| w.write_all(b"\n"))
                    .expect("write");
                line.len() as u64 + 1
            }
            None => {
                let (id, text) = generator.next_doc();
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
