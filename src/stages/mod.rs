//! The stages a document goes through, one file each, in pipeline order:
//! [`hygiene`] and [`boilerplate`] (clean), [`langid`], [`segment`], [`punct`], [`names`],
//! [`artifacts`]. Beside them, what stages share: [`mojibake`] (double-encoding repair),
//! `phrases` (phrase search at word starts), `uncover` (what an artifact repair can uncover for
//! the next pass), `lineset` (whole-line pattern sets) and `ascii` (scans eight bytes at a
//! time).

pub mod artifacts;
mod ascii;
pub mod boilerplate;
pub mod hygiene;
pub mod langid;
mod lineset;
pub mod mojibake;
pub mod names;
mod phrases;
pub mod punct;
pub mod segment;
mod uncover;

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
    is_alphanumeric(c) || (!c.is_ascii() && !is_general_punctuation(c) && is_mark(c))
}

/// Curly quotes, dashes, ellipses and the rest of General Punctuation (U+2000..U+206F): the
/// non-ASCII characters of news text in any language, and none a letter, digit or mark. The
/// standard library finds that out by a search through its Unicode tables, a few hundred
/// instructions a character.
fn is_general_punctuation(c: char) -> bool {
    ('\u{2000}'..='\u{206F}').contains(&c)
}

/// `char::is_alphabetic`, answering ASCII and General Punctuation without a table search.
pub(crate) fn is_alphabetic(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphabetic()
    } else {
        !is_general_punctuation(c) && c.is_alphabetic()
    }
}

/// `char::is_alphanumeric`, answering ASCII and General Punctuation without a table search.
pub(crate) fn is_alphanumeric(c: char) -> bool {
    if c.is_ascii() {
        c.is_ascii_alphanumeric()
    } else {
        !is_general_punctuation(c) && c.is_alphanumeric()
    }
}

/// Whether `c` is a space other than the plain one: no-break, thin, ideographic ... (what
/// hygiene folds under `--punct ascii|moses`, and what name matching reads as a plain space).
pub(crate) fn is_exotic_space(c: char) -> bool {
    matches!(
        c,
        '\u{00A0}' | '\u{1680}' | '\u{2000}'..='\u{200A}' | '\u{202F}' | '\u{205F}' | '\u{3000}'
    )
}

/// Where the exotic spaces of `s` are: (byte offset, length), in order. Only four lead bytes
/// can start one; memchr finds them several times faster than decoding every character.
pub(crate) fn exotic_spaces(s: &str) -> Vec<(usize, usize)> {
    let bytes = s.as_bytes();
    // Lead bytes are character boundaries.
    let at = |i: usize| {
        let c = s[i..].chars().next()?;
        is_exotic_space(c).then_some((i, c.len_utf8()))
    };
    let mut found: Vec<(usize, usize)> = memchr::memchr3_iter(0xC2, 0xE1, 0xE2, bytes)
        .filter_map(at)
        .collect();
    let before = found.len();
    found.extend(memchr::memchr_iter(0xE3, bytes).filter_map(at));
    if before > 0 && found.len() > before {
        found.sort_unstable();
    }
    found
}

/// `text.split_inclusive('\n')`: the lines of `text`, each with its line break, found by
/// memchr's vector search. The standard library looks for a line break a word at a time, about
/// 0.75 instructions a byte, a pass of its own over every paragraph in two stages.
pub(crate) fn lines_inclusive(text: &str) -> impl Iterator<Item = &str> + '_ {
    let mut start = 0;
    let mut breaks = memchr::memchr_iter(b'\n', text.as_bytes());
    std::iter::from_fn(move || {
        if start == text.len() {
            return None;
        }
        // After a line break is a character boundary.
        let end = breaks.next().map_or(text.len(), |i| i + 1);
        let line = &text[start..end];
        start = end;
        Some(line)
    })
}

fn is_mark(c: char) -> bool {
    unicode_normalization::char::is_combining_mark(c)
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn lines_are_what_split_inclusive_gives(s in "[a\n\r é]{0,30}") {
            let want: Vec<&str> = s.split_inclusive('\n').collect();
            proptest::prop_assert_eq!(lines_inclusive(&s).collect::<Vec<_>>(), want);
        }
    }

    #[test]
    fn fast_character_classes_agree_with_the_standard_library() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            assert_eq!(is_alphabetic(c), c.is_alphabetic(), "{c:?}");
            assert_eq!(is_alphanumeric(c), c.is_alphanumeric(), "{c:?}");
            assert_eq!(is_word_char(c), c.is_alphanumeric() || is_mark(c), "{c:?}");
        }
    }
}
