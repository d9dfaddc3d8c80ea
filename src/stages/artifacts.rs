//! Repair of machine-translation and spinner artifacts.
//!
//! Rules come from `glossaries/artifacts/*.csv` (see [`crate::glossary::artifacts`]). One
//! ASCII-case-insensitive scan (`phrases::PhraseScan`) finds every phrase; a match counts
//! only when it is a whole word, written as the rule writes it or with its first letter
//! capitalized, in a document of the rule's language, after one of the rule's `before` words
//! if it has any, and not inside a recognized name.
//!
//! The document's artifact score is the number of `always` matches (phrases natural text never
//! has) per thousand words. `spun` rules, which repair words that are only wrong in spun text,
//! fire only when the score reaches the threshold.

use std::collections::HashMap;
use std::ops::Range;

use crate::document::{Document, Flag};
use crate::edit::{Bias, EditKind, Replacement};
use crate::error::{Error, Result};
use crate::glossary::artifacts::{ArtifactRule, Gate};
use crate::stages::phrases::PhraseScan;
use crate::stages::uncover::Uncover;
use crate::stages::{ascii, is_alphanumeric, is_whole_word, Stage};

/// The score key in `docs` output.
pub const SCORE: &str = "artifact";

/// What the stage does with what it finds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Mode {
    /// Rewrite the text.
    #[default]
    Repair,
    /// Leave the text alone and record each repair it would make, with its rule.
    Flag,
}

/// The artifacts stage.
#[derive(Debug)]
pub struct Artifacts {
    mode: Mode,
    rules: Vec<ArtifactRule>,
    scan: Option<PhraseScan>,
    /// For each scanned pattern (a lower-cased phrase), the rules with that phrase.
    by_pattern: Vec<Vec<usize>>,
    /// The languages some rule is for: segments in others are not searched.
    langs: Vec<String>,
    threshold: f64,
    /// What each rule's repair can uncover for the next pass.
    uncover: Uncover,
}

impl Artifacts {
    /// Builds the phrase scan for `rules`; `spun` rules fire at `threshold` and above.
    ///
    /// # Errors
    /// The phrase scan cannot be built.
    pub fn new(rules: Vec<ArtifactRule>, threshold: f64, mode: Mode) -> Result<Self> {
        let mut patterns: Vec<String> = Vec::new();
        let mut by_pattern: Vec<Vec<usize>> = Vec::new();
        let mut index: HashMap<String, usize> = HashMap::new();
        for (i, r) in rules.iter().enumerate() {
            let key = r.phrase.to_ascii_lowercase();
            let p = *index.entry(key.clone()).or_insert_with(|| {
                patterns.push(key);
                by_pattern.push(Vec::new());
                patterns.len() - 1
            });
            by_pattern[p].push(i);
        }
        let scan = if patterns.is_empty() {
            None
        } else {
            Some(
                PhraseScan::new(&patterns, true)
                    .map_err(|e| Error::Config(format!("artifact phrases: {e}")))?,
            )
        };
        let mut langs: Vec<String> = rules.iter().map(|r| r.lang.clone()).collect();
        langs.sort();
        langs.dedup();
        let uncover = Uncover::new(&rules, &patterns);
        Ok(Artifacts {
            mode,
            rules,
            scan,
            by_pattern,
            langs,
            threshold,
            uncover,
        })
    }

    /// Whether `rule` applies to the match `text[a..b]`.
    fn applies(&self, rule: &ArtifactRule, text: &str, a: usize, b: usize, lang: &str) -> bool {
        if rule.lang != lang {
            return false;
        }
        if !written_as(&text[a..b], &rule.phrase) {
            return false;
        }
        // Most rules have no context: the tokens are found only for those that have one.
        (rule.before.tokens.is_empty() || rule.before.holds(token_before(&text[..a])))
            && (rule.after.tokens.is_empty() || rule.after.holds(token_after(&text[b..])))
    }
}

/// The word or punctuation mark right before the end of `s`, skipping spaces.
pub(crate) fn token_before(s: &str) -> Option<&str> {
    let s = s.trim_end();
    let last = s.chars().next_back()?;
    if is_alphanumeric(last) {
        let start = s
            .char_indices()
            .rev()
            .find(|&(_, c)| !is_alphanumeric(c))
            .map_or(0, |(i, c)| i + c.len_utf8());
        Some(&s[start..])
    } else {
        Some(&s[s.len() - last.len_utf8()..])
    }
}

/// The word or punctuation mark right after the start of `s`, skipping spaces.
pub(crate) fn token_after(s: &str) -> Option<&str> {
    let s = s.trim_start();
    let first = s.chars().next()?;
    if is_alphanumeric(first) {
        let end = s.find(|c: char| !is_alphanumeric(c)).unwrap_or(s.len());
        Some(&s[..end])
    } else {
        Some(&s[..first.len_utf8()])
    }
}

/// Whether `found` is `phrase` as written, or with its first letter capitalized (what
/// [`capitalized`] makes of it), without building either.
fn written_as(found: &str, phrase: &str) -> bool {
    if found == phrase {
        return true;
    }
    let mut p = phrase.chars();
    let Some(first) = p.next() else {
        return false;
    };
    let mut f = found.chars();
    first.to_uppercase().all(|u| f.next() == Some(u)) && f.as_str() == p.as_str()
}

/// How many whitespace-separated words `s` has: `s.split_whitespace().count()`, eight ASCII
/// bytes at a time, and without decoding the characters that cannot be white space (every
/// lead byte but those of U+0085, U+00A0, U+1680, U+2000..U+205F and U+3000).
fn count_words(s: &str) -> usize {
    let bytes = s.as_bytes();
    let mut words = 0;
    let mut in_word = false;
    let mut i = 0;
    while i < bytes.len() {
        let chunk = bytes
            .get(i..i + 8)
            .map(|c| c.try_into().expect("eight bytes"));
        if let Some((n, inside)) = chunk.and_then(|c| ascii::word_starts_in(c, in_word)) {
            words += n as usize;
            in_word = inside;
            i += 8;
            continue;
        }
        // Eight bytes one by one (a character may run past them) before the next try.
        let stop = (i + 8).min(bytes.len());
        while i < stop {
            let (space, len) = match bytes[i] {
                b' ' | b'\t'..=b'\r' => (true, 1),
                0xC2 | 0xE1 | 0xE2 | 0xE3 => {
                    let c = s[i..].chars().next().unwrap_or_default();
                    (c.is_whitespace(), c.len_utf8())
                }
                _ => (false, 1),
            };
            words += usize::from(!space && !in_word);
            in_word = !space;
            i += len;
        }
    }
    words
}

/// Spans sorted by start, asked whether any overlaps a range in O(log n).
struct Spans {
    spans: Vec<Range<usize>>,
    /// `max_end[i]`: the largest end among `spans[..=i]`.
    max_end: Vec<usize>,
}

impl Spans {
    fn new(mut spans: Vec<Range<usize>>) -> Self {
        spans.sort_by_key(|r| r.start);
        let max_end = spans
            .iter()
            .scan(0, |m, r| {
                *m = r.end.max(*m);
                Some(*m)
            })
            .collect();
        Spans { spans, max_end }
    }

    /// Whether some span overlaps `a..b`: of those that start before `b`, one ends after `a`.
    fn overlap(&self, a: usize, b: usize) -> bool {
        let k = self.spans.partition_point(|r| r.start < b);
        k > 0 && self.max_end[k - 1] > a
    }
}

pub(crate) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

impl Stage for Artifacts {
    fn name(&self) -> &'static str {
        "artifacts"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        self.passes(doc, false);
        Ok(())
    }
}

/// Passes over one document at most: enough for phrases that overlap two deep.
const MAX_PASSES: usize = 3;

impl Artifacts {
    /// Finds and repairs (or flags) the artifacts of `doc`. A repair can uncover another phrase
    /// that overlapped it ("within the combat towards" -> "in the combat towards" -> "in the
    /// fight against"), so passes repeat until none finds anything; the score comes from the
    /// first. After the first, a pass searches only the segments where a repair may have
    /// uncovered something (`uncover`), or all of them when `exhaustive` (the tests' measure).
    fn passes(&self, doc: &mut Document, exhaustive: bool) {
        let Some(scan) = &self.scan else {
            doc.scores.insert(SCORE, 0.0);
            return;
        };
        let mut spun = None;
        let mut search = vec![true; doc.segments.len()];
        for _ in 0..MAX_PASSES {
            let hits = self.find(doc, scan, &search);
            let spun = *spun.get_or_insert_with(|| {
                let fingerprints = hits
                    .iter()
                    .filter(|h| self.rules[h.2].gate == Gate::Always)
                    .count();
                let score = if fingerprints == 0 {
                    0.0
                } else {
                    let words = count_words(doc.text()).max(1);
                    fingerprints as f64 * 1000.0 / words as f64
                };
                doc.scores.insert(SCORE, (score * 100.0).round() / 100.0);
                score >= self.threshold
            });
            let text = doc.text();
            // (rule, whether its repair is capitalized) of each repair.
            let mut made = Vec::with_capacity(hits.len());
            let reps: Vec<Replacement> = hits
                .into_iter()
                .filter(|h| spun || self.rules[h.2].gate == Gate::Always)
                .map(|(a, b, i)| {
                    let r = &self.rules[i];
                    let upper = text[a..].chars().next().is_some_and(char::is_uppercase)
                        && !r.phrase.chars().next().is_some_and(char::is_uppercase);
                    let to = if upper {
                        capitalized(&r.repair)
                    } else {
                        r.repair.clone()
                    };
                    made.push((i, upper));
                    Replacement::new(a..b, to, EditKind::Artifact, &r.rule)
                })
                .collect();
            if reps.is_empty() {
                break;
            }
            if self.mode == Mode::Flag {
                let map = doc.log.offsets();
                let flags = reps
                    .into_iter()
                    .map(|r| Flag {
                        src: map.to_src(r.range.start, Bias::Start)
                            ..map.to_src(r.range.end, Bias::End),
                        to: r.to,
                        rule: r.rule,
                    })
                    .collect();
                doc.flags = Some(flags);
                break;
            }
            // The repaired spans in the text after the repairs.
            let mut shift: isize = 0;
            let repaired: Vec<Range<usize>> = reps
                .iter()
                .map(|r| {
                    let start = r.range.start.saturating_add_signed(shift);
                    shift += r.to.len() as isize - r.range.len() as isize;
                    start..start + r.to.len()
                })
                .collect();
            doc.apply(reps);
            let text = doc.text();
            let live: Vec<Range<usize>> = repaired
                .into_iter()
                .zip(made)
                .filter(|(r, (i, upper))| {
                    exhaustive || self.uncover.may_uncover(text, r, *i, *upper)
                })
                .map(|(r, _)| r)
                .collect();
            if live.is_empty() {
                break;
            }
            // Per segment: whether a live repair touches it, and whether one stands at its
            // start or end with only spaces between: then the repaired text is the context
            // (the token before or after, spaces skipped) or the neighbouring character of a
            // phrase at the edge of the segment before or after it, which is searched again
            // too. Other segments' text and context did not change.
            let map = doc.log.offsets();
            let mut to_cur = map.cur_cursor();
            let reach: Vec<(bool, bool, bool)> = doc
                .segments
                .iter()
                .map(|seg| {
                    let (a, b) = (
                        to_cur(seg.src.start, Bias::Start),
                        to_cur(seg.src.end, Bias::End),
                    );
                    // Sorted and disjoint, the spans' ends are sorted too: the first that ends
                    // at or after the segment's start is the first that may touch it.
                    let first = live.partition_point(|r| r.end < a);
                    let last = live.partition_point(|r| r.start <= b);
                    if first >= last {
                        return (false, false, false);
                    }
                    let spaces = |r: Range<usize>| text[r].trim_start().is_empty();
                    let at_start = spaces(a..live[first].start.max(a));
                    let at_end = spaces(live[last - 1].end.min(b)..b);
                    (true, at_start, at_end)
                })
                .collect();
            for (i, s) in search.iter_mut().enumerate() {
                *s = exhaustive
                    || reach[i].0
                    || i > 0 && reach[i - 1].2
                    || reach.get(i + 1).is_some_and(|r| r.1);
            }
        }
        if self.mode == Mode::Flag && doc.flags.is_none() {
            doc.flags = Some(Vec::new());
        }
    }
    /// Every rule match in the current text of the segments marked in `search`: (start, end,
    /// rule index), in order.
    fn find(
        &self,
        doc: &Document,
        scan: &PhraseScan,
        search: &[bool],
    ) -> Vec<(usize, usize, usize)> {
        let text = doc.text();
        let map = doc.log.offsets();
        // Entities and segments come in order: mapped with cursors, not a search each.
        let (mut entity_cur, mut to_cur) = (map.cur_cursor(), map.cur_cursor());
        let names = Spans::new(
            doc.entities
                .iter()
                .map(|e| entity_cur(e.src.start, Bias::Start)..entity_cur(e.src.end, Bias::End))
                .collect(),
        );
        let (ranges, langs): (Vec<Range<usize>>, Vec<&str>) = doc
            .segments
            .iter()
            .zip(search)
            .filter(|&(seg, &s)| s && self.langs.iter().any(|l| l == seg.lang))
            .map(|(seg, _)| {
                let range = to_cur(seg.src.start, Bias::Start)..to_cur(seg.src.end, Bias::End);
                (range, seg.lang)
            })
            .unzip();
        let mut hits = Vec::new();
        for (k, m) in scan.find_in(text.as_bytes(), &ranges) {
            let (a, b) = (m.start(), m.end());
            if !is_whole_word(text, a, b) || names.overlap(a, b) {
                continue;
            }
            let rule = self.by_pattern[m.pattern().as_usize()]
                .iter()
                .copied()
                .find(|&i| self.applies(&self.rules[i], text, a, b, langs[k]));
            if let Some(i) = rule {
                hits.push((a, b, i));
            }
        }
        hits
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Segment;
    use crate::glossary::artifacts::Context;
    use crate::glossary::{artifacts, DataFile, DataSet, FileKind};

    fn stage(csv: &str) -> Artifacts {
        let data = DataSet {
            files: vec![DataFile {
                path: "a.csv".into(),
                text: format!("lang,gate,phrase,repair,before,after\n{csv}"),
                kind: FileKind::Artifacts,
                default: true,
            }],
        };
        Artifacts::new(artifacts::load(&data).unwrap(), 1.5, Mode::Repair).unwrap()
    }

    fn run(a: &Artifacts, text: &str) -> Document {
        let mut d = Document::new("t", text);
        d.segments.push(Segment {
            src: 0..text.len(),
            para: 0,
            lang: "en",
        });
        a.run(&mut d).unwrap();
        d
    }

    const RULES: &str =
        "en,always,Collective Safety Treaty Group,Collective Security Treaty Organization,,\n\
        en,spun,folks,people,,\nen,always,12 months,year,the|this,\nen,spun,lower than,less than,,\n\
        en,always,However,But,,\"!,\"\nen,always,Round,Around,,#\n";

    proptest::proptest! {
        #[test]
        fn words_are_counted_as_split_whitespace_counts_them(
            s in "([a-z]{1,3}|[ \t\n\u{b}\u{c}\r]|\u{85}|\u{a0}|\u{1680}|\u{2000}|\u{200b}|\u{2029}|\u{202f}|\u{205f}|\u{3000}|é|ж|\u{1f600}){0,40}"
        ) {
            proptest::prop_assert_eq!(count_words(&s), s.split_whitespace().count());
        }

        #[test]
        fn span_overlap_is_any_overlap(
            spans in proptest::collection::vec((0usize..60, 1usize..15), 0..12),
            a in 0usize..70,
            len in 1usize..10,
        ) {
            let spans: Vec<Range<usize>> = spans.into_iter().map(|(s, l)| s..s + l).collect();
            let b = a + len;
            let any = spans.iter().any(|n| n.start < b && a < n.end);
            proptest::prop_assert_eq!(Spans::new(spans).overlap(a, b), any);
        }
    }

    /// Pieces of text for the test below, in three kinds: words of every phrase and repair
    /// (whole, capitalized, and cut into words); each phrase overlapped by another phrase
    /// where its repair would agree with that one ("within the" by "the combat towards":
    /// "within the combat towards"), in any case; and each phrase next to a phrase with a
    /// context its repair changes ("teh" before "12 months").
    fn pieces(rules: &[ArtifactRule]) -> [Vec<String>; 3] {
        let mut words: Vec<String> = ["12", "the", "a", "in", "of", "army", "day", "-", "—"]
            .map(String::from)
            .into();
        let mut overlaps = Vec::new();
        let mut contexts = Vec::new();
        for r in rules {
            for s in [&r.phrase, &r.repair] {
                words.push(s.clone());
                words.push(capitalized(s));
                words.extend(s.split(' ').map(String::from));
            }
            words.extend(r.before.tokens.iter().chain(&r.after.tokens).cloned());
            let (to, found) = (r.repair.to_lowercase(), r.phrase.to_lowercase());
            for q in rules {
                let p = q.phrase.to_lowercase();
                for d in 1 - p.len() as isize..to.len() as isize {
                    let (lo, hi) = (
                        d.max(0) as usize,
                        to.len().min((d + p.len() as isize) as usize),
                    );
                    let (Some(a), Some(b)) = (
                        to.get(lo..hi),
                        p.get((lo as isize - d) as usize..(hi as isize - d) as usize),
                    ) else {
                        continue;
                    };
                    if a != b {
                        continue;
                    }
                    let left = &p[..(-d).max(0) as usize];
                    let right = p
                        .get((to.len() as isize - d).max(0) as usize..)
                        .unwrap_or("");
                    overlaps.push(format!("{left}{found}{right}"));
                }
                let changes = |c: &Context, t: fn(&str) -> Option<&str>| {
                    c.holds(t(&r.phrase)) != c.holds(t(&r.repair))
                };
                if changes(&q.before, token_before) {
                    contexts.push(format!("{} {}", r.phrase, q.phrase));
                }
                if changes(&q.after, token_after) {
                    contexts.push(format!("{} {}", q.phrase, r.phrase));
                }
            }
        }
        for v in [&mut words, &mut overlaps, &mut contexts] {
            v.sort();
            v.dedup();
        }
        [words, overlaps, contexts]
    }

    /// Rules whose repairs uncover phrases, overlapping them or as their context.
    const CHAINS: &str =
        "en,always,within the,in the,,\nen,always,the combat towards,the fight against,,\n\
        en,always,teh,the,,\nen,always,twelve,12,,\nen,always,uhm,,,\n";

    /// The default rules and [`CHAINS`] in a spun document (every rule fires) and a clean
    /// one (only `always` rules), and their [`pieces`].
    #[allow(clippy::type_complexity)]
    static SPUN_AND_CLEAN: std::sync::OnceLock<([Artifacts; 2], [Vec<String>; 3])> =
        std::sync::OnceLock::new();

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(400))]

        /// Later passes search only the segments where a repair may have uncovered something;
        /// searching every segment in every pass repairs the same.
        #[test]
        fn later_passes_find_what_a_search_of_every_segment_finds(
            picks in proptest::collection::vec((0usize..3, 0usize..100_000, 0usize..8), 1..30),
            spun in proptest::bool::ANY,
        ) {
            let (stages, pieces) = SPUN_AND_CLEAN.get_or_init(|| {
                let mut rules = artifacts::load(&DataSet::defaults()).unwrap();
                rules.extend(stage(CHAINS).rules);
                let pieces = pieces(&rules);
                let stages = [0.0, 1e9]
                    .map(|t| Artifacts::new(rules.clone(), t, Mode::Repair).unwrap());
                (stages, pieces)
            });
            let a = &stages[usize::from(!spun)];
            // Segments end at a full stop or a line break; spaces stand between them.
            let mut text = String::new();
            let mut segments = Vec::new();
            let mut start = 0;
            for (kind, k, sep) in picks {
                text.push_str(&pieces[kind][k % pieces[kind].len()]);
                let sep = [" ", " ", " ", ", ", ". ", "\n", "  ", "\u{a0}"][sep];
                if sep == ". " || sep == "\n" {
                    let end = text.len() + usize::from(sep == ". ");
                    segments.push(start..end);
                    start = text.len() + sep.len();
                }
                text.push_str(sep);
            }
            segments.push(start..text.len());
            let docs = [false, true].map(|exhaustive| {
                let mut d = Document::new("t", &text);
                for src in &segments {
                    d.segments.push(Segment { src: src.clone(), para: 0, lang: "en" });
                }
                a.passes(&mut d, exhaustive);
                d
            });
            proptest::prop_assert_eq!(docs[0].text(), docs[1].text());
            proptest::prop_assert_eq!(docs[0].log.edits(), docs[1].log.edits());
        }
    }

    #[test]
    fn a_repair_that_uncovers_a_phrase_is_followed_by_another_pass() {
        let a = stage(CHAINS);
        let text = "Nothing here.\nThey joined within the combat towards terror.";
        let mut d = Document::new("t", text);
        for (src, para) in [(0..13, 0), (14..text.len(), 1)] {
            d.segments.push(Segment {
                src,
                para,
                lang: "en",
            });
        }
        a.run(&mut d).unwrap();
        assert_eq!(
            d.text(),
            "Nothing here.\nThey joined in the fight against terror."
        );
    }

    /// A deletion leaves the token before it as the context of the phrase after it.
    #[test]
    fn a_deletion_changes_the_context_of_the_phrase_after_it() {
        let a = stage(&format!("{CHAINS}{RULES}"));
        let d = run(&a, "It was the uhm 12 months.");
        assert_eq!(d.text(), "It was the  year.");
    }

    /// A repair at the edge of a segment is the context of a phrase at the edge of the
    /// segment before or after it, which the next pass searches again.
    #[test]
    fn a_repair_at_a_segment_edge_is_context_across_it() {
        let a = stage(&format!("{CHAINS}{RULES}"));
        for (text, split, want) in [
            ("Round\ntwelve came.", 5, "Around\n12 came."),
            (
                "It was teh\n12 months later.",
                10,
                "It was the\nyear later.",
            ),
            (
                "It was teh.\n12 months later.",
                11,
                "It was the.\n12 months later.",
            ),
        ] {
            let mut d = Document::new("t", text);
            for src in [0..split, split + 1..text.len()] {
                d.segments.push(Segment {
                    src,
                    para: 0,
                    lang: "en",
                });
            }
            a.run(&mut d).unwrap();
            assert_eq!(d.text(), want);
        }
    }

    #[test]
    fn phrases_match_as_written_or_capitalized() {
        for (found, phrase, want) in [
            ("final 12 months", "final 12 months", true),
            ("Final 12 months", "final 12 months", true),
            ("FINAL 12 months", "final 12 months", false),
            ("Final 12 Months", "final 12 months", false),
            ("final", "Final", false),
            ("Éleveurs", "éleveurs", true),
        ] {
            assert_eq!(written_as(found, phrase), want, "{found} / {phrase}");
            assert_eq!(found == phrase || found == capitalized(phrase), want);
        }
    }

    #[test]
    fn flag_mode_records_without_rewriting() {
        let data = DataSet {
            files: vec![DataFile {
                path: "a.csv".into(),
                text: format!("lang,gate,phrase,repair,before,after\n{RULES}"),
                kind: FileKind::Artifacts,
                default: true,
            }],
        };
        let a = Artifacts::new(artifacts::load(&data).unwrap(), 1.5, Mode::Flag).unwrap();
        let text = "The Collective Safety Treaty Group met 200 folks.";
        let d = run(&a, text);
        assert_eq!(d.text(), text);
        let flags = d.flags.unwrap();
        assert_eq!(flags.len(), 2);
        assert_eq!(
            (&text[flags[1].src.clone()], flags[1].to.as_str()),
            ("folks", "people")
        );
    }

    #[test]
    fn contexts_on_either_side() {
        let a = stage(RULES);
        let d = run(&a, "However Round 100 came. However, Round table talks.");
        assert_eq!(d.text(), "But Around 100 came. However, Round table talks.");
    }

    #[test]
    fn fingerprints_fire_everywhere_and_raise_the_score() {
        let a = stage(RULES);
        let d = run(
            &a,
            "The Collective Safety Treaty Group began the 12 months. Lower than 200 folks.",
        );
        assert_eq!(
            d.text(),
            "The Collective Security Treaty Organization began the year. Less than 200 people."
        );
        assert!(d.scores[SCORE] > 1.5);
    }

    #[test]
    fn spun_rules_and_contexts_leave_clean_text_alone() {
        let a = stage(RULES);
        let clean = "Folks music for 12 months, lower than expected.";
        let d = run(&a, clean);
        assert_eq!(d.text(), clean);
        assert_eq!(d.scores[SCORE], 0.0);
    }
}
