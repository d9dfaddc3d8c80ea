//! Measurements on the FLORES-200 devtest sentences (1,012 sentences in each of 13 languages,
//! line *i* the same sentence in every language): language identification on documents of 5
//! consecutive sentences and on single sentences, against raw whatlang; and sentence
//! segmentation, by re-splitting paragraphs of 10 consecutive sentences.
//!
//! `cargo run --release --example eval_langid -- ../shared/external/flores200` prints the
//! tables; the integration tests hold the figures to their floor.

use std::path::Path;

use crate::document::LangCode;
use crate::error::{Error, Result};
use crate::stages::langid::{code_of, identify, Detector};
use crate::stages::segment::Segmenter;

/// The FLORES files and the code each language has in our output.
pub const FLORES: &[(&str, LangCode)] = &[
    ("eng_Latn", "en"),
    ("ita_Latn", "it"),
    ("fra_Latn", "fr"),
    ("deu_Latn", "de"),
    ("spa_Latn", "es"),
    ("tur_Latn", "tr"),
    ("rus_Cyrl", "ru"),
    ("ukr_Cyrl", "uk"),
    ("bel_Cyrl", "be"),
    ("kaz_Cyrl", "kk"),
    ("kir_Cyrl", "ky"),
    ("tgk_Cyrl", "tg"),
    ("hye_Armn", "hy"),
];

/// Language identification figures for one language.
#[derive(Debug, Clone)]
pub struct LangScore {
    /// The language.
    pub lang: LangCode,
    /// Documents of 5 sentences, and how many we identified right.
    pub docs: (usize, usize),
    /// Single sentences, and how many we identified right.
    pub sentences: (usize, usize),
    /// How many single sentences raw whatlang (all its languages) identified right.
    pub whatlang_sentences: usize,
}

/// Segmentation figures for one language.
///
/// FLORES lines are translation units: some hold two sentences ("Right now we are doing
/// nothing. I have called ..."), which a correct splitter splits. So two figures: lines whose
/// both ends are segment boundaries (the line is neither merged with a neighbour nor cut
/// across its edge), and lines that came back as exactly one segment.
#[derive(Debug, Clone)]
pub struct SegScore {
    /// The language.
    pub lang: LangCode,
    /// Lines in the joined paragraphs.
    pub sentences: usize,
    /// Lines whose start and end are both segment boundaries.
    pub recovered: usize,
    /// Lines that came back as exactly one segment.
    pub exact: usize,
}

/// Reads the sentences of one FLORES file.
///
/// # Errors
/// The file cannot be read.
pub fn sentences(dir: &Path, stem: &str) -> Result<Vec<String>> {
    let path = dir.join(format!("{stem}.devtest.txt"));
    let text = std::fs::read_to_string(&path).map_err(|e| Error::io(&path, e))?;
    Ok(text.lines().map(str::to_owned).collect())
}

/// Language identification on FLORES, per language.
///
/// # Errors
/// A FLORES file cannot be read.
pub fn langid(dir: &Path, detector: &dyn Detector) -> Result<Vec<LangScore>> {
    let mut out = Vec::new();
    for (stem, lang) in FLORES {
        let lines = sentences(dir, stem)?;
        let docs: Vec<String> = lines.chunks(5).map(|c| c.join(" ")).collect();
        let right = |t: &str| identify(detector, t).0 == *lang;
        let raw = |t: &str| whatlang::detect(t).is_some_and(|i| code_of(i.lang()) == *lang);
        out.push(LangScore {
            lang,
            docs: (docs.len(), docs.iter().filter(|d| right(d)).count()),
            sentences: (lines.len(), lines.iter().filter(|s| right(s)).count()),
            whatlang_sentences: lines.iter().filter(|s| raw(s)).count(),
        });
    }
    Ok(out)
}

/// Segmentation on FLORES, per language: paragraphs of 10 consecutive sentences joined by a
/// space, split again.
///
/// # Errors
/// A FLORES file cannot be read.
pub fn segmentation(dir: &Path, segmenter: &Segmenter) -> Result<Vec<SegScore>> {
    let mut out = Vec::new();
    for (stem, lang) in FLORES {
        let lines = sentences(dir, stem)?;
        let mut score = SegScore {
            lang,
            sentences: 0,
            recovered: 0,
            exact: 0,
        };
        for chunk in lines.chunks(10) {
            let para = chunk.join(" ");
            // Segment boundaries: where each segment's trimmed text starts and ends.
            let mut starts = std::collections::HashSet::new();
            let mut ends = std::collections::HashSet::new();
            let mut at = 0;
            for end in segmenter.sentence_ends(&para, lang) {
                let piece = &para[at..end];
                let lead = piece.len() - piece.trim_start().len();
                starts.insert(at + lead);
                ends.insert(at + piece.trim_end().len());
                at = end;
            }
            let mut start = 0;
            for line in chunk {
                let lead = line.len() - line.trim_start().len();
                let (a, b) = (start + lead, start + line.trim_end().len());
                let bounded = starts.contains(&a) && ends.contains(&b);
                score.sentences += 1;
                score.recovered += usize::from(bounded);
                // Exactly one segment: no boundary strictly inside the line.
                let inside = starts.iter().any(|&s| a < s && s < b);
                score.exact += usize::from(bounded && !inside);
                start += line.len() + 1;
            }
        }
        out.push(score);
    }
    Ok(out)
}
