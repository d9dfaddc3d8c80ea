//! Prints language identification and segmentation figures on FLORES-200:
//! `cargo run --release --example eval_langid -- ../shared/external/flores200`.

use std::path::PathBuf;

use transnorm::eval;
use transnorm::glossary::DataSet;
use transnorm::stages::langid::ScriptFirst;
use transnorm::stages::segment::Segmenter;

fn pct(n: usize, d: usize) -> f64 {
    100.0 * n as f64 / d.max(1) as f64
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let dir = std::env::args()
        .nth(1)
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            PathBuf::from(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/../shared/external/flores200"
            ))
        });
    let data = DataSet::defaults();
    let detector = ScriptFirst::new(&data, &[])?;
    println!("language identification (FLORES-200 devtest)");
    println!("lang  docs of 5 sentences  single sentences  raw whatlang, single");
    for s in eval::langid(&dir, &detector)? {
        println!(
            "{:<4}  {:>6.2}% ({}/{})  {:>9.2}%  {:>16.2}%",
            s.lang,
            pct(s.docs.1, s.docs.0),
            s.docs.1,
            s.docs.0,
            pct(s.sentences.1, s.sentences.0),
            pct(s.whatlang_sentences, s.sentences.0)
        );
    }
    println!("\nsentence segmentation (paragraphs of 10 lines re-split)");
    println!("lang  lines bounded      lines as one segment");
    let seg = Segmenter::new(&data);
    for s in eval::segmentation(&dir, &seg)? {
        println!(
            "{:<4}  {:>6.2}% ({}/{})  {:>6.2}% ({}/{})",
            s.lang,
            pct(s.recovered, s.sentences),
            s.recovered,
            s.sentences,
            pct(s.exact, s.sentences),
            s.exact,
            s.sentences
        );
    }
    Ok(())
}
