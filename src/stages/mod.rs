//! The stages a document goes through, one file each, in pipeline order:
//! [`hygiene`] and [`boilerplate`] (clean), [`langid`], [`segment`], [`punct`], [`names`],
//! [`artifacts`].

pub mod artifacts;
pub mod boilerplate;
pub mod hygiene;
pub mod langid;
pub mod mojibake;
pub mod names;
mod phrases;
pub mod punct;
pub mod segment;

use std::sync::LazyLock;

use aho_corasick::AhoCorasick;

use crate::document::Document;
use crate::error::Result;

/// One step of the pipeline. A configured stage is shared by every worker thread.
///
/// Annotating stages write fields of the [`Document`]; rewriting stages go through
/// [`Document::apply`], which keeps every change aligned to the original text.
pub trait Stage: Send + Sync + std::fmt::Debug {
    /// A short name for reports.
    fn name(&self) -> &'static str;
    /// Runs the stage on one document.
    ///
    /// # Errors
    /// Stages fail only on conditions that make the document unusable.
    fn run(&self, doc: &mut Document) -> Result<()>;
}

/// Whether `text[a..b]` stands as whole words: the characters around it are not letters,
/// digits or combining marks (by Unicode, not ASCII: "Erevanè" does not contain "Erevan").
pub(crate) fn is_whole_word(text: &str, a: usize, b: usize) -> bool {
    let before = text[..a].chars().next_back().is_some_and(is_word_char);
    let after = text[b..].chars().next().is_some_and(is_word_char);
    !before && !after
}

/// A character words are made of: a letter, a digit or a combining mark.
pub(crate) fn is_word_char(c: char) -> bool {
    c.is_alphanumeric() || is_mark(c)
}

/// Whether `c` is a space other than the plain one: no-break, thin, ideographic ... (what
/// hygiene folds under `--punct ascii|moses`, and what name matching reads as a plain space).
pub(crate) fn is_exotic_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Where the exotic spaces of `s` are: (byte offset, length), in order. One SIMD-prefiltered
/// search for their UTF-8 forms instead of decoding every character.
pub(crate) fn exotic_spaces(s: &str) -> impl Iterator<Item = (usize, usize)> + '_ {
    static SPACES: LazyLock<AhoCorasick> = LazyLock::new(|| {
        let forms: Vec<String> = ('\u{80}'..='\u{3000}')
            .filter(|&c| is_exotic_space(c))
            .map(String::from)
            .collect();
        AhoCorasick::new(forms).expect("a few short literals")
    });
    SPACES.find_iter(s).map(|m| (m.start(), m.len()))
}

fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}
