//! Phrase automata: one searched only where a whole-word match can begin, one scanned over
//! every byte.
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
//! of a small DFA (criterion stage/artifacts 122 -> 74 MiB/s), so that stage scans, with
//! [`ScanDfa`].

use aho_corasick::automaton::Automaton;
use aho_corasick::{
    dfa, AhoCorasick, AhoCorasickKind, Anchored, BuildError, Input, Match, MatchKind, StartKind,
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

/// Leftmost-longest phrase matches anywhere, by one walk of a DFA over the bytes: what
/// `AhoCorasick::find_iter` finds with the same automaton, in about half its instructions
/// (the generic loop bounds-checks the haystack and tests for special states at every byte;
/// this one steps four bytes between tests, and no state is special but dead and match
/// states, since the DFA has no prefilter). Callgrind, first 3 MB of the seed-7 corpus: the
/// artifact scan fell from 80 to 45 million instructions, about 19 to 11 a byte scanned.
#[derive(Debug)]
pub(crate) struct ScanDfa {
    dfa: dfa::DFA,
}

impl ScanDfa {
    /// The DFA of `patterns`, none of them empty.
    pub(crate) fn new<P: AsRef<[u8]>>(
        patterns: &[P],
        ascii_case_insensitive: bool,
    ) -> Result<Self, BuildError> {
        let dfa = dfa::Builder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .start_kind(StartKind::Unanchored)
            .ascii_case_insensitive(ascii_case_insensitive)
            .prefilter(false)
            .build(patterns)?;
        Ok(ScanDfa { dfa })
    }

    /// Matches in `hay`, left to right, not overlapping: at the leftmost position where some
    /// phrase matches, the longest one there.
    pub(crate) fn find_iter<'h>(&'h self, hay: &'h [u8]) -> impl Iterator<Item = Match> + 'h {
        let mut at = 0;
        std::iter::from_fn(move || {
            let m = self.find(hay, at)?;
            at = m.end();
            Some(m)
        })
    }

    /// The first match in `hay[at..]`.
    ///
    /// Four bytes are stepped at a time while none of the four states is special (dead or a
    /// match); a group that has one is stepped again byte by byte. Not inlined: in its own
    /// frame the loop keeps the haystack and the tables in registers (inlined into the stage,
    /// a loop of one byte took 13 instructions a byte, with two reloads from the stack; this
    /// one takes 38 for four bytes).
    #[inline(never)]
    fn find(&self, hay: &[u8], at: usize) -> Option<Match> {
        let dfa = &self.dfa;
        let step = |sid, b| dfa.next_state(Anchored::No, sid, b);
        let rest = hay.get(at..)?;
        let mut sid = dfa
            .start_state(Anchored::No)
            .expect("the DFA is built for unanchored searches");
        let mut found = None;
        let mut i = 0;
        while i < rest.len() {
            if let Some(&[a, b, c, d]) = rest.get(i..i + 4) {
                let (s1, s2, s3, s4) = {
                    let s1 = step(sid, a);
                    let s2 = step(s1, b);
                    let s3 = step(s2, c);
                    (s1, s2, s3, step(s3, d))
                };
                let special = dfa.is_special(s1)
                    | dfa.is_special(s2)
                    | dfa.is_special(s3)
                    | dfa.is_special(s4);
                if !special {
                    sid = s4;
                    i += 4;
                    continue;
                }
            }
            // One byte with the checks; the loop then tries four again from the next.
            sid = step(sid, rest[i]);
            i += 1;
            if dfa.is_special(sid) {
                if dfa.is_dead(sid) {
                    break;
                }
                // A match state: the longest match so far; a longer one may follow.
                found = Some((at + i, dfa.match_pattern(sid, 0)));
            }
        }
        let (end, pattern) = found?;
        Some(Match::new(pattern, end - dfa.pattern_len(pattern)..end))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

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

    proptest! {
        #[test]
        fn scan_dfa_finds_what_find_iter_finds(
            patterns in prop::collection::vec("[abAB ]{1,4}", 1..12),
            hay in "[abcAB ]{0,60}",
            ci in any::<bool>(),
        ) {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(ci)
                .build(&patterns)
                .unwrap();
            let want: Vec<Match> = ac.find_iter(&hay).collect();
            let got: Vec<Match> = ScanDfa::new(&patterns, ci)
                .unwrap()
                .find_iter(hay.as_bytes())
                .collect();
            prop_assert_eq!(got, want);
        }
    }
}
