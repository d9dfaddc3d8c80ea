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
//! of a DFA (criterion stage/artifacts 122 -> 74 MiB/s), so that stage scans, with
//! [`ScanDfa`], several segments at once.

use std::ops::Range;

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{
    dfa, AhoCorasick, AhoCorasickKind, Anchored, BuildError, Input, Match, MatchKind, PatternID,
    StartKind,
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

/// Leftmost-longest phrase matches anywhere, by walks of a DFA over the bytes: what
/// `AhoCorasick::find_iter` finds with the same automaton, in about half its instructions
/// (the generic loop bounds-checks the haystack and tests for special states at every byte;
/// this one steps four bytes between tests, and no state is special but dead and match
/// states, since the DFA has no prefilter). Callgrind, first 3 MB of the seed-7 corpus: the
/// artifact scan fell from 80 to 45 million instructions, about 19 to 11 a byte scanned.
///
/// Each step is a table load whose address is the previous one's result, so one walk waits on
/// memory at every byte (the tables are about 600 KB, past the first-level cache).
/// [`ScanDfa::find_in`] walks up to [`LANES`] ranges at once, so that while one lane waits the
/// others step: on the seed-7 corpus's text, one lane scans 300-380 MB/s, four lanes over its
/// segments 560-580 MB/s.
#[derive(Debug)]
pub(crate) struct ScanDfa {
    dfa: dfa::DFA,
}

/// Ranges walked at once by [`ScanDfa::find_in`].
const LANES: usize = 4;

/// One range's walk in [`ScanDfa::find_in`].
#[derive(Debug, Clone, Copy)]
struct Lane {
    /// The range's index.
    range: usize,
    /// The next byte to step.
    i: usize,
    /// Where the range ends.
    end: usize,
    /// The state after the bytes stepped since the current search started.
    sid: StateID,
    /// The longest match of the current search so far: its end and pattern.
    found: Option<(usize, PatternID)>,
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

    /// The matches in each of `ranges` of `hay` (ranges inside `hay`), as a left-to-right
    /// leftmost-longest search of that range alone finds them: at the leftmost position where
    /// some phrase matches, the longest one there; the next search starts where it ends. Each
    /// with the index of its range, in `hay`'s offsets, sorted by start (the ranges should not
    /// overlap).
    ///
    /// The lanes step four bytes at a time, in rounds, while none of their states is special
    /// (dead or a match); a lane whose group has one, or that nears its range's end, steps one
    /// byte with the checks ([`ScanDfa::settle`]) before the rounds go on. Kept out of the
    /// rounds, that path leaves them their registers (about 15% quicker than with it inline).
    pub(crate) fn find_in(&self, hay: &[u8], ranges: &[Range<usize>]) -> Vec<(usize, Match)> {
        let dfa = &self.dfa;
        let step = |sid, b| dfa.next_state(Anchored::No, sid, b);
        let start = dfa
            .start_state(Anchored::No)
            .expect("the DFA is built for unanchored searches");
        let mut out = Vec::new();
        let mut lanes = [Lane {
            range: 0,
            i: 0,
            end: 0,
            sid: start,
            found: None,
        }; LANES];
        let (mut n, mut next) = (0, 0);
        loop {
            while n < LANES && next < ranges.len() {
                let r = &ranges[next];
                lanes[n] = Lane {
                    range: next,
                    i: r.start,
                    end: r.end.min(hay.len()),
                    sid: start,
                    found: None,
                };
                (n, next) = (n + 1, next + 1);
            }
            if n == 0 {
                break;
            }
            // The lane that needs the checks.
            let k = 'rounds: loop {
                for (k, lane) in lanes[..n].iter_mut().enumerate() {
                    let Some(&[a, b, c, d]) = hay
                        .get(lane.i..lane.i + 4)
                        .filter(|_| lane.i + 4 <= lane.end)
                    else {
                        break 'rounds k;
                    };
                    let s1 = step(lane.sid, a);
                    let s2 = step(s1, b);
                    let s3 = step(s2, c);
                    let s4 = step(s3, d);
                    if dfa.is_special(s1)
                        | dfa.is_special(s2)
                        | dfa.is_special(s3)
                        | dfa.is_special(s4)
                    {
                        break 'rounds k;
                    }
                    (lane.sid, lane.i) = (s4, lane.i + 4);
                }
            };
            let lane = &mut lanes[k];
            if self.settle(hay, lane) {
                let Some((end, pattern)) = lane.found.take() else {
                    // The range is done: another takes its lane.
                    n -= 1;
                    lanes[k] = lanes[n];
                    continue;
                };
                let m = Match::new(pattern, end - dfa.pattern_len(pattern)..end);
                out.push((lane.range, m));
                (lane.i, lane.sid) = (end, start);
            }
        }
        out.sort_unstable_by_key(|(_, m)| m.start());
        out
    }

    /// One byte of `lane` with the checks, or the end of its range: whether its search has
    /// ended (a dead state, or the range's end). A match state records the longest match so
    /// far; a longer one may follow.
    #[cold]
    #[inline(never)]
    fn settle(&self, hay: &[u8], lane: &mut Lane) -> bool {
        let dfa = &self.dfa;
        let Some(&b) = hay.get(lane.i).filter(|_| lane.i < lane.end) else {
            return true;
        };
        (lane.sid, lane.i) = (dfa.next_state(Anchored::No, lane.sid, b), lane.i + 1);
        if dfa.is_special(lane.sid) && !dfa.is_dead(lane.sid) {
            lane.found = Some((lane.i, dfa.match_pattern(lane.sid, 0)));
        }
        dfa.is_dead(lane.sid)
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
        fn scan_dfa_finds_in_each_range_what_find_iter_finds_there(
            patterns in prop::collection::vec("[abAB ]{1,4}", 1..12),
            hay in "[abcAB ]{0,80}",
            cuts in prop::collection::vec(0usize..80, 0..12),
            ci in any::<bool>(),
        ) {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::LeftmostLongest)
                .ascii_case_insensitive(ci)
                .build(&patterns)
                .unwrap();
            // Disjoint ranges between sorted cut points, every other gap left out.
            let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c.min(hay.len())).collect();
            cuts.push(0);
            cuts.push(hay.len());
            cuts.sort_unstable();
            let ranges: Vec<Range<usize>> =
                cuts.windows(2).step_by(2).map(|w| w[0]..w[1]).collect();
            let mut want = Vec::new();
            for (k, r) in ranges.iter().enumerate() {
                for m in ac.find_iter(&hay[r.clone()]) {
                    want.push((k, Match::new(m.pattern(), r.start + m.start()..r.start + m.end())));
                }
            }
            let got = ScanDfa::new(&patterns, ci)
                .unwrap()
                .find_in(hay.as_bytes(), &ranges);
            prop_assert_eq!(got, want);
        }
    }
}
