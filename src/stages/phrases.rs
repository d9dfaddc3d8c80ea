//! Phrase search: anchored at word starts, or from each phrase's rarest four bytes.
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
//! of a DFA (criterion stage/artifacts 122 -> 74 MiB/s), and [`PhraseScan`] looks instead for
//! four bytes of each phrase that text rarely has.

use std::ops::Range;

use aho_corasick::{
    AhoCorasick, AhoCorasickKind, Anchored, BuildError, Input, Match, MatchKind, PatternID,
    StartKind,
};
use rustc_hash::FxHashMap;

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

/// Leftmost-longest phrase matches anywhere in given ranges, found from "anchors" in each
/// phrase rather than by an automaton walked over every byte.
///
/// The scan hashes four bytes of the text at every `stride`-th position into a bit set of the
/// anchors (8 KB, in the first-level cache); where a bit is set, the phrases anchored there
/// are compared with the text around it. An occurrence of a phrase covers `stride` positions
/// in a row at which it can be anchored, exactly one of which the scan looks at: so each
/// phrase has `stride` anchors, the four bytes at each of `stride` offsets in a row, chosen
/// away from spaces and short words, where its letters are rarest among all the phrases. The
/// stride is as long as the shortest phrase allows, up to four. Every occurrence of every
/// phrase is found this way, once; from them, left to right, the longest at the leftmost
/// start is kept and the next must start after it: what `AhoCorasick::find_iter` finds with a
/// leftmost-longest automaton. Phrases shorter than four bytes, if any, are found by an
/// automaton that reports every occurrence ([`MatchKind::Standard`], overlapping).
///
/// Why not the automaton alone: its table for the default rules ran to about 600 KB, past the
/// first-level cache, and each step's load waits on the one before (four interleaved walks
/// scanned 560-580 MB/s). The anchors' loads do not depend on each other.
#[derive(Debug)]
pub(crate) struct PhraseScan {
    /// The phrases, lower-cased when the search ignores ASCII case.
    patterns: Vec<Box<[u8]>>,
    /// For each phrase, 0x20 at each of its ASCII letters when the search ignores ASCII case
    /// (the bit a letter's two cases differ in), else 0: see [`same`].
    letters: Vec<Box<[u8]>>,
    /// [`FOLD`] when the search ignores ASCII case, else 0: or-ed into every four bytes read.
    fold: u32,
    /// Positions apart at which the text is looked at, 1 to [`MAX_STRIDE`].
    stride: usize,
    /// Bit `anchor_hash(anchor)` set for each anchor.
    bits: Box<[u64; ANCHOR_BITS / 64]>,
    /// Anchor (folded, little-endian) -> its phrases and where in them it lies.
    anchored: FxHashMap<u32, Vec<(PatternID, usize)>>,
    /// The phrases shorter than an anchor, every occurrence, and their ids in `patterns`.
    short: Option<(AhoCorasick, Vec<PatternID>)>,
}

/// Bits in the anchor set: 8 KB.
const ANCHOR_BITS: usize = 1 << 16;

/// The bytes of an anchor.
const ANCHOR: usize = 4;

/// The longest stride: the anchors at every fourth position come from one eight-byte load.
const MAX_STRIDE: usize = 4;

/// Sets bit 5 of every byte: ASCII letters to lower case, other bytes to a partner (which
/// only adds candidates that the comparison then rejects).
const FOLD: u32 = 0x2020_2020;

/// What a space, a mark or a byte of a short word adds to an anchor's cost: more than any
/// letter's rarity (the log of a count).
const WEAK_COST: f64 = 20.0;

/// For each byte of `p`: whether it is no letter or digit (ASCII), or in a word of fewer than
/// four bytes (a word: a run of ASCII letters and digits and non-ASCII bytes).
fn weak_bytes(p: &[u8]) -> Vec<bool> {
    let in_word = |b: u8| b.is_ascii_alphanumeric() || !b.is_ascii();
    let mut weak = vec![false; p.len()];
    let mut start = 0; // of the current word
    for i in 0..=p.len() {
        if p.get(i).is_some_and(|&b| in_word(b)) {
            continue;
        }
        if i - start < 4 {
            weak[start..i].fill(true);
        }
        if i < p.len() {
            weak[i] = true;
        }
        start = i + 1;
    }
    weak
}

fn anchor_hash(w: u32) -> usize {
    (w.wrapping_mul(0x9E37_79B1) >> (32 - ANCHOR_BITS.trailing_zeros())) as usize
}

impl PhraseScan {
    /// The scanner of `patterns`, none of them empty.
    pub(crate) fn new<P: AsRef<[u8]>>(
        patterns: &[P],
        ascii_case_insensitive: bool,
    ) -> Result<Self, BuildError> {
        let fold = if ascii_case_insensitive { FOLD } else { 0 };
        let patterns: Vec<Box<[u8]>> = patterns
            .iter()
            .map(|p| match ascii_case_insensitive {
                true => p.as_ref().to_ascii_lowercase().into(),
                false => p.as_ref().into(),
            })
            .collect();
        let letters = patterns
            .iter()
            .map(|p| {
                p.iter()
                    .map(|&b| u8::from(ascii_case_insensitive && b.is_ascii_lowercase()) << 5)
                    .collect()
            })
            .collect();
        // How often each (folded) byte occurs in the phrases: an anchor of rare letters is
        // rarely met in text of the same language.
        let mut freq = [0u32; 256];
        for b in patterns.iter().flat_map(|p| p.iter()) {
            freq[usize::from(b | fold as u8)] += 1;
        }
        // The cost of anchoring `p` on `p[r]`: spaces, marks and words of fewer than four
        // letters (the function words: "the ", " and") cost most, since every sentence has
        // them; then common letters. On the English FLORES-200 sentences, 2.0% of the bytes
        // hit an anchor, against 3.3% on letters alone.
        let cost = |p: &[u8], weak: &[bool], r: Range<usize>| -> f64 {
            r.map(|i| {
                let rarity = f64::from(freq[usize::from(p[i] | fold as u8)] + 1).ln();
                rarity + if weak[i] { WEAK_COST } else { 0.0 }
            })
            .sum()
        };
        let shortest = patterns
            .iter()
            .map(|p| p.len())
            .filter(|&n| n >= ANCHOR)
            .min();
        let stride = shortest.map_or(1, |n| (n + 1 - ANCHOR).min(MAX_STRIDE));
        let mut bits = Box::new([0u64; ANCHOR_BITS / 64]);
        let mut anchored: FxHashMap<u32, Vec<(PatternID, usize)>> = FxHashMap::default();
        let mut short = Vec::new();
        let mut short_ids = Vec::new();
        // The `stride` anchors of a phrase start at `at..at + stride` and span `span` bytes.
        let span = ANCHOR + stride - 1;
        for (i, p) in patterns.iter().enumerate() {
            let id = PatternID::new(i).expect("fewer patterns than PatternID's limit");
            let weak = weak_bytes(p);
            let Some(at) = (0..(p.len() + 1).saturating_sub(span)).min_by(|&a, &b| {
                cost(p, &weak, a..a + span).total_cmp(&cost(p, &weak, b..b + span))
            }) else {
                short.push(p.clone());
                short_ids.push(id);
                continue;
            };
            for off in at..at + stride {
                let w = u32::from_le_bytes(p[off..off + ANCHOR].try_into().expect("four bytes"));
                let h = anchor_hash(w | fold);
                bits[h / 64] |= 1 << (h % 64);
                anchored.entry(w | fold).or_default().push((id, off));
            }
        }
        let short = if short.is_empty() {
            None
        } else {
            let ac = AhoCorasick::builder()
                .match_kind(MatchKind::Standard)
                .ascii_case_insensitive(ascii_case_insensitive)
                .build(&short)?;
            Some((ac, short_ids))
        };
        Ok(PhraseScan {
            patterns,
            letters,
            fold,
            stride,
            bits,
            anchored,
            short,
        })
    }

    /// The matches in each of `ranges` of `hay` (ranges inside `hay`), as a left-to-right
    /// leftmost-longest search of that range alone finds them: at the leftmost position where
    /// some phrase matches, the longest one there; the next search starts where it ends. Each
    /// with the index of its range, in `hay`'s offsets, sorted by start (the ranges should not
    /// overlap).
    pub(crate) fn find_in(&self, hay: &[u8], ranges: &[Range<usize>]) -> Vec<(usize, Match)> {
        let mut out = Vec::new();
        // Every occurrence in one range: (start, pattern).
        let mut found: Vec<(usize, PatternID)> = Vec::new();
        for (k, r) in ranges.iter().enumerate() {
            let r = r.start..r.end.min(hay.len());
            found.clear();
            match self.stride {
                1 => self.occurrences::<1>(hay, r.clone(), &mut found),
                2 => self.occurrences::<2>(hay, r.clone(), &mut found),
                3 => self.occurrences::<3>(hay, r.clone(), &mut found),
                _ => self.occurrences::<4>(hay, r.clone(), &mut found),
            }
            if found.is_empty() {
                continue;
            }
            // At one start the longest first, and of equal ones (the same phrase twice) the
            // first given, as the automaton reports it.
            found.sort_unstable_by_key(|&(s, p)| (s, std::cmp::Reverse(self.patterns[p].len()), p));
            let mut free = r.start;
            for &(s, p) in &found {
                if s >= free {
                    free = s + self.patterns[p].len();
                    out.push((k, Match::new(p, s..free)));
                }
            }
        }
        out.sort_unstable_by_key(|(_, m)| m.start());
        out
    }

    /// Pushes every occurrence of a phrase inside `hay[r]` onto `found`, looking at every
    /// `STRIDE`-th position.
    fn occurrences<const STRIDE: usize>(
        &self,
        hay: &[u8],
        r: Range<usize>,
        found: &mut Vec<(usize, PatternID)>,
    ) {
        let fold = self.fold;
        let seen = |w: u32| {
            let h = anchor_hash(w | fold);
            self.bits[h / 64] >> (h % 64) & 1 != 0
        };
        let bytes = &hay[r.clone()];
        // The positions one eight-byte load holds the anchors of, then the last ones.
        let per_load = (8 - ANCHOR) / STRIDE + 1;
        let mut i = 0;
        while let Some(chunk) = bytes.get(i..i + 8) {
            let x = u64::from_le_bytes(chunk.try_into().expect("eight bytes"));
            for k in 0..per_load {
                let w = (x >> (8 * k * STRIDE)) as u32;
                if seen(w) {
                    self.verify(hay, &r, r.start + i + k * STRIDE, w | fold, found);
                }
            }
            i += per_load * STRIDE;
        }
        while let Some(g) = bytes.get(i..i + ANCHOR) {
            let w = u32::from_le_bytes(g.try_into().expect("four bytes"));
            if seen(w) {
                self.verify(hay, &r, r.start + i, w | fold, found);
            }
            i += STRIDE;
        }
        if let Some((ac, ids)) = &self.short {
            for m in ac.find_overlapping_iter(&hay[r.clone()]) {
                found.push((r.start + m.start(), ids[m.pattern().as_usize()]));
            }
        }
    }

    /// The phrases anchored by the folded bytes `w` found at `at`: those that lie inside `r`
    /// and are there.
    #[cold]
    #[inline(never)]
    fn verify(
        &self,
        hay: &[u8],
        r: &Range<usize>,
        at: usize,
        w: u32,
        found: &mut Vec<(usize, PatternID)>,
    ) {
        let Some(phrases) = self.anchored.get(&w) else {
            return;
        };
        for &(p, off) in phrases {
            let pat = &self.patterns[p];
            let Some(s) = at.checked_sub(off).filter(|&s| s >= r.start) else {
                continue;
            };
            let Some(there) = hay.get(s..s + pat.len()).filter(|_| s + pat.len() <= r.end) else {
                continue;
            };
            if same(there, pat, &self.letters[p]) {
                found.push((s, p));
            }
        }
    }
}

/// Whether `text` is `pat`, either case allowed where `letters` has 0x20 (at the letters of
/// a lower-cased `pat`): what `eq_ignore_ascii_case` answers then, eight bytes at a time. A
/// byte matches a lower-case letter when it is that letter or differs from it in bit 5 alone
/// (its capital), and any other byte only when it is the same.
fn same(text: &[u8], pat: &[u8], letters: &[u8]) -> bool {
    let word = |s: &[u8]| u64::from_le_bytes(s.try_into().expect("eight bytes"));
    let (mut t, mut p, mut l) = (
        text.chunks_exact(8),
        pat.chunks_exact(8),
        letters.chunks_exact(8),
    );
    text.len() == pat.len()
        && (&mut t)
            .zip(&mut p)
            .zip(&mut l)
            .all(|((t, p), l)| (word(t) ^ word(p)) & !word(l) == 0)
        && t.remainder()
            .iter()
            .zip(p.remainder())
            .zip(l.remainder())
            .all(|((t, p), l)| (t ^ p) & !l == 0)
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

    #[test]
    fn spaces_marks_and_short_words_are_weak_anchors() {
        let weak: String = weak_bytes("in the meantime, é-ok".as_bytes())
            .iter()
            .map(|&w| if w { 'w' } else { '.' })
            .collect();
        // `é` is a word of two bytes.
        assert_eq!(weak, "wwwwwww........wwwwwww");
    }

    #[test]
    fn the_scan_keeps_the_longest_phrase_and_the_first_of_equal_ones() {
        let scan = PhraseScan::new(&["folk", "FOLKS", "folks", "ab", "b c"], true).unwrap();
        let hay = b"Folks ab c folk";
        let got: Vec<(usize, &[u8])> = scan
            .find_in(hay, std::slice::from_ref(&(0..hay.len())))
            .into_iter()
            .map(|(_, m)| (m.pattern().as_usize(), &hay[m.range()]))
            .collect();
        let want: Vec<(usize, &[u8])> = vec![(1, b"Folks"), (3, b"ab"), (0, b"folk")];
        assert_eq!(got, want);
    }

    proptest! {
        #[test]
        fn same_is_eq_ignore_ascii_case_against_a_lower_cased_phrase(
            // Bytes whose cases, or whose folds onto bit 5, could be confused: `[` and `{`,
            // `@` and `` ` ``, and the bytes of `é` (C3 A9) and `É` (C3 89).
            pat in "[a-zA-Z0-9 @`\\[{éÉ]{0,20}",
            flips in prop::collection::vec(any::<bool>(), 20),
            edit in prop::option::of((0usize..20, any::<u8>())),
        ) {
            let pat = pat.into_bytes();
            let mut text: Vec<u8> = pat
                .iter()
                .zip(&flips)
                .map(|(&b, &f)| if f { b ^ 0x20 } else { b })
                .collect();
            if let Some((i, b)) = edit {
                if let Some(t) = text.get_mut(i) {
                    *t = b;
                }
            }
            let lower = pat.to_ascii_lowercase();
            let letters: Vec<u8> =
                lower.iter().map(|&b| u8::from(b.is_ascii_lowercase()) << 5).collect();
            prop_assert_eq!(same(&text, &lower, &letters), text.eq_ignore_ascii_case(&pat));
            prop_assert_eq!(same(&text, &pat, &vec![0; pat.len()]), text == pat);
        }

        #[test]
        fn the_scan_finds_in_each_range_what_find_iter_finds_there(
            // Short and long phrases, cases, and bytes that fold onto others (`é` is C3 A9,
            // `ã` C3 A3, `Ã` C3 83: their bytes differ only in bit 5).
            random in prop::collection::vec("[abABéÃ ]{1,12}", 0..8),
            // Pieces of the text, in upper case or not, so that long phrases occur too.
            pieces in prop::collection::vec((0usize..80, 1usize..12, any::<bool>()), 0..8),
            // The shortest phrase's length sets the stride: every stride, and phrases
            // shorter than an anchor.
            shortest in 1usize..8,
            hay in "[abcABéãÃ ]{0,80}",
            cuts in prop::collection::vec(0usize..80, 0..12),
            ci in any::<bool>(),
        ) {
            let piece = |(at, len, upper): (usize, usize, bool)| {
                let at = (0..=at.min(hay.len())).rev().find(|&i| hay.is_char_boundary(i))?;
                let end = (at + len).min(hay.len());
                let end = (end..=hay.len()).find(|&i| hay.is_char_boundary(i))?;
                let p = &hay[at..end];
                Some(if upper { p.to_ascii_uppercase() } else { p.to_string() })
            };
            let mut patterns: Vec<String> = random
                .into_iter()
                .chain(pieces.into_iter().filter_map(piece))
                .filter(|p| p.len() >= shortest)
                .collect();
            if patterns.is_empty() {
                patterns.push("a".repeat(shortest));
            }
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
                for m in ac.find_iter(&hay.as_bytes()[r.clone()]) {
                    want.push((k, Match::new(m.pattern(), r.start + m.start()..r.start + m.end())));
                }
            }
            let got = PhraseScan::new(&patterns, ci)
                .unwrap()
                .find_in(hay.as_bytes(), &ranges);
            prop_assert_eq!(got, want);
        }

        #[test]
        fn word_starts_get_the_longest_phrase_there(
            patterns in prop::collection::vec("[aAbé ]{1,7}", 1..8),
            hay in "[abAB éÃ.]{0,60}",
            ci in any::<bool>(),
        ) {
            let wa = WordAutomaton::new(&patterns, None, ci).unwrap();
            let got: Vec<(usize, usize)> = wa
                .find_iter(&hay)
                .map(|m| (m.start(), m.pattern().as_usize()))
                .collect();
            // At each word start left to right, past the last match: the longest phrase the
            // text starts with there, the first of equal ones.
            let same = |a: &[u8], b: &[u8]| if ci { a.eq_ignore_ascii_case(b) } else { a == b };
            let mut want = Vec::new();
            let mut at = 0;
            for i in (0..hay.len()).filter(|&i| hay.is_char_boundary(i)) {
                if i < at || hay[..i].chars().next_back().is_some_and(is_word_char) {
                    continue;
                }
                let rest = &hay.as_bytes()[i..];
                let starts = |p: &str| rest.get(..p.len()).is_some_and(|t| same(t, p.as_bytes()));
                let best = (0..patterns.len())
                    .filter(|&p| starts(&patterns[p]))
                    .max_by_key(|&p| (patterns[p].len(), std::cmp::Reverse(p)));
                if let Some(p) = best {
                    want.push((i, p));
                    at = i + patterns[p].len();
                }
            }
            prop_assert_eq!(got, want);
        }
    }
}
