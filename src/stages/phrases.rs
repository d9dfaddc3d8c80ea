//! A phrase automaton searched only where a whole-word match can begin.
//!
//! Names count only as whole words, so a match must start where a word starts. Rather than
//! walk the automaton over every byte (its tables run to megabytes once a glossary's inflected
//! forms are in, far past the cache), [`WordAutomaton::find_iter`] looks at each word start
//! whose first byte starts some phrase and runs one anchored, leftmost-longest search there.
//! It finds every match an unanchored scan would keep after the whole-word check, and more: a
//! rejected match inside a word no longer hides the word after it.
//!
//! It pays where few word starts qualify (names: capitalized words). Artifact phrases start
//! with most letters in either case; there a search per word start costs more than one scan
//! of a small DFA (criterion stage/artifacts 122 -> 74 MiB/s), so that stage scans.

use aho_corasick::{
    AhoCorasick, AhoCorasickKind, Anchored, BuildError, Input, Match, MatchKind, StartKind,
};

use crate::stages::ascii::next_capital_or_non_ascii;
use crate::stages::is_word_char;

/// Leftmost-longest phrase matches that start at word starts.
#[derive(Debug)]
pub(crate) struct WordAutomaton {
    ac: AhoCorasick,
    /// The bytes a phrase starts with (in both ASCII cases when case-insensitive).
    first: [bool; 256],
    /// Every phrase starts with an ASCII capital or a non-ASCII character (names), so
    /// [`next_capital_or_non_ascii`] may skip to the candidates.
    capitals: bool,
}

impl WordAutomaton {
    /// An automaton of `kind` (the builder's choice when `None`) over `patterns`.
    pub(crate) fn new<P: AsRef<str>>(
        patterns: &[P],
        kind: Option<AhoCorasickKind>,
        ascii_case_insensitive: bool,
    ) -> Result<Self, BuildError> {
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Anchored)
            .ascii_case_insensitive(ascii_case_insensitive)
            .kind(kind)
            .build(patterns.iter().map(AsRef::as_ref))?;
        let mut first = [false; 256];
        for b in patterns
            .iter()
            .filter_map(|p| p.as_ref().as_bytes().first())
        {
            first[usize::from(*b)] = true;
            if ascii_case_insensitive {
                first[usize::from(b.to_ascii_lowercase())] = true;
                first[usize::from(b.to_ascii_uppercase())] = true;
            }
        }
        let capitals = (0..0x80u8).all(|b| !first[usize::from(b)] || b.is_ascii_uppercase());
        Ok(WordAutomaton {
            ac,
            first,
            capitals,
        })
    }

    /// Matches in `text` that start at a word start (its first byte, or a byte after a
    /// character that is no letter, digit or mark), left to right, not overlapping. The end
    /// of a match is not checked.
    pub(crate) fn find_iter<'t>(&'t self, text: &'t str) -> impl Iterator<Item = Match> + 't {
        let bytes = text.as_bytes();
        let mut at = 0;
        std::iter::from_fn(move || {
            while at < bytes.len() {
                if self.capitals {
                    at = next_capital_or_non_ascii(bytes, at);
                    if at == bytes.len() {
                        break;
                    }
                }
                let i = at;
                at += 1;
                if !self.first[usize::from(bytes[i])]
                    || text[..i].chars().next_back().is_some_and(is_word_char)
                {
                    continue;
                }
                // The first byte of a phrase is a character boundary.
                let input = Input::new(text).span(i..text.len()).anchored(Anchored::Yes);
                if let Some(m) = self.ac.find(input) {
                    at = m.end();
                    return Some(m);
                }
            }
            None
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(patterns: &[&str], ci: bool, text: &str) -> Vec<String> {
        let patterns: Vec<String> = patterns.iter().map(|p| p.to_string()).collect();
        let wa = WordAutomaton::new(&patterns, None, ci).unwrap();
        wa.find_iter(text)
            .map(|m| text[m.range()].to_string())
            .collect()
    }

    #[test]
    fn matches_start_at_word_starts_only() {
        assert_eq!(
            found(&["Toqaev", "Qasym Toqaev"], false, "XQasym Toqaev, Toqaev."),
            ["Toqaev", "Toqaev"]
        );
        assert_eq!(
            found(&["erevan"], false, "Érevan éerevan (erevan"),
            ["erevan"]
        );
    }

    #[test]
    fn longest_wins_and_case_folds_when_asked() {
        assert_eq!(
            found(
                &["final", "final 12 months"],
                true,
                "The Final 12 months, final"
            ),
            ["Final 12 months", "final"]
        );
        assert!(found(&["final"], false, "Final").is_empty());
    }
}
