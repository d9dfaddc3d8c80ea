//! The alignment core: edits kept in the coordinates of the original text.
//!
//! # Representation, and why
//!
//! A document keeps its original text, its current (normalized) text, and one sorted list of
//! non-overlapping [`Edit`]s, each saying "original bytes `src` became `to`". Positions in the
//! current text are derived on demand from the cumulative length changes of the edits before
//! them ([`OffsetMap`]); nothing else is stored.
//!
//! We chose this over a per-byte alignment vector (Hugging Face tokenizers' `NormalizedString`)
//! for three reasons:
//!
//! - **Cost.** A clean document has no edits and costs nothing beyond its text; an alignment
//!   vector costs two `usize` per byte (about 16x the text) on every document, rebuilt by every
//!   step. News text is mostly clean, so most documents take the free path.
//! - **Provenance.** The edit list *is* what the output contract publishes (`edits` with `from`,
//!   `to`, `kind`, `rule`), so there is no second structure to keep in sync.
//! - **Composition.** A stage rewrites current-text ranges through one entry point
//!   ([`EditLog::apply`]); a rewrite that overlaps earlier edits is merged with them into one
//!   edit over the union of their original spans, so the list stays sorted and non-overlapping
//!   and the invariant "applying the edits to the original gives the current text" holds after
//!   every stage by construction.
//!
//! Offsets are bytes inside the library, always on `char` boundaries; the writers convert them
//! to characters (Unicode scalar values) as the output contract requires.

use std::ops::Range;
use std::sync::Arc;

use serde::Serialize;

/// What kind of change an edit is; the `kind` field of the output contract.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum EditKind {
    /// Unicode repair: normalization, invisible and control characters, spaces, entities.
    Unicode,
    /// Punctuation normalization.
    Punct,
    /// Removed page furniture (ads, comment forms, credits ...).
    Boilerplate,
    /// Canonicalized name.
    Name,
    /// Repaired machine-translation or spinner artifact.
    Artifact,
}

impl EditKind {
    /// The name used in the output contract.
    pub fn as_str(self) -> &'static str {
        match self {
            EditKind::Unicode => "unicode",
            EditKind::Punct => "punct",
            EditKind::Boilerplate => "boilerplate",
            EditKind::Name => "name",
            EditKind::Artifact => "artifact",
        }
    }
}

/// Where a rule came from: `glossaries/names/central_asia.csv:14` or a built-in name such as
/// `unicode:nfc`. Shared between all the edits a rule makes.
pub type Rule = Arc<str>;

/// One change, in original-text coordinates (bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edit {
    /// The replaced range of the original text, in bytes, on char boundaries.
    pub src: Range<usize>,
    /// The replacement (may be empty: a deletion).
    pub to: String,
    /// The kind of change.
    pub kind: EditKind,
    /// The rule that made it.
    pub rule: Rule,
}

/// A rewrite a stage asks for, in current-text coordinates (bytes).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Replacement {
    /// The range of the current text to replace, in bytes, on char boundaries.
    pub range: Range<usize>,
    /// What to put there.
    pub to: String,
    /// The kind of change.
    pub kind: EditKind,
    /// The rule that asks for it.
    pub rule: Rule,
}

impl Replacement {
    /// A replacement of `range` (current-text bytes) by `to`.
    pub fn new(range: Range<usize>, to: impl Into<String>, kind: EditKind, rule: &Rule) -> Self {
        Replacement {
            range,
            to: to.into(),
            kind,
            rule: Arc::clone(rule),
        }
    }
}

/// Which original position a current-text position maps to when it is ambiguous: at a
/// deletion, or inside the replacement of an edit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Bias {
    /// For the start of a span: inside an edit, its start (the span grows to include it); at a
    /// deletion, the end of the deleted text (the deletion stays outside).
    Start,
    /// For the end of a span: inside an edit, its end; at a deletion, its start.
    End,
}

/// The original text, the current text, and the edits between them.
#[derive(Debug, Clone, Default)]
pub struct EditLog {
    src: String,
    text: String,
    edits: Vec<Edit>,
}

impl EditLog {
    /// A log with no edits: the current text equals `src`.
    pub fn new(src: String) -> Self {
        let text = src.clone();
        EditLog {
            src,
            text,
            edits: Vec::new(),
        }
    }

    /// The original text.
    pub fn src(&self) -> &str {
        &self.src
    }

    /// The current text (the original with every edit applied).
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The edits, sorted by original position and non-overlapping.
    pub fn edits(&self) -> &[Edit] {
        &self.edits
    }

    /// A map between current and original positions for the present state.
    pub fn offsets(&self) -> OffsetMap<'_> {
        OffsetMap::new(&self.edits)
    }

    /// Applies rewrites given in current-text coordinates.
    ///
    /// `reps` must be sorted by start and non-overlapping (two insertions at one point are not
    /// allowed), on char boundaries of the current text. A rewrite that overlaps an earlier
    /// edit is merged with it into one edit covering both original spans; the merged edit takes
    /// the kind and rule of the latest rewrite. A rewrite that turns out to change nothing is
    /// dropped. Costs nothing when `reps` is empty.
    pub fn apply(&mut self, reps: Vec<Replacement>) {
        if reps.is_empty() {
            return;
        }
        debug_assert!(reps_are_valid(&self.text, &reps));
        let old = std::mem::take(&mut self.edits);
        let cur = std::mem::take(&mut self.text);
        let grow: usize = reps.iter().map(|r| r.to.len()).sum();
        let mut text = String::with_capacity(cur.len() + grow);
        let mut edits = Vec::with_capacity(old.len() + reps.len());

        let mut old = old.into_iter().peekable();
        let mut reps = reps.into_iter().peekable();
        // Sum of (replacement length - original length) of the old edits consumed so far:
        // an unedited current position `p` after them is original position `p - delta`.
        let mut delta: isize = 0;
        // The old edits of the current group, in a buffer reused from group to group.
        let mut olds: Vec<Edit> = Vec::new();
        let mut copied = 0; // current text copied into `text` up to here
        let cur_range = |e: &Edit, delta: isize| {
            let c = (e.src.start as isize + delta) as usize;
            c..c + e.to.len()
        };

        loop {
            // An old edit that ends before the next rewrite starts is a group of its own, kept
            // as it is; the current text does not change there, so nothing is copied yet.
            while let Some(e) = old.peek() {
                if reps
                    .peek()
                    .is_some_and(|r| cur_range(e, delta).end > r.range.start)
                {
                    break;
                }
                delta += e.to.len() as isize - e.src.len() as isize;
                edits.push(old.next().expect("peeked"));
            }
            // Start a group with whichever item comes first in current coordinates.
            let (first_old, first_rep) = (old.peek(), reps.peek());
            let take_old = match (first_old, first_rep) {
                (None, None) => break,
                (Some(_), None) => true,
                (None, Some(_)) => false,
                (Some(e), Some(r)) => {
                    let c = cur_range(e, delta);
                    let a = r.range.start;
                    if c.start != a {
                        c.start < a
                    } else if c.is_empty() {
                        true // a deletion at the rewrite's start stays before it
                    } else {
                        !r.range.is_empty() // an insertion at an edit's start goes before it
                    }
                }
            };
            let mut group = Group::default();
            olds.clear();
            let start = if take_old {
                cur_range(old.peek().expect("peeked"), delta).start
            } else {
                reps.peek().expect("peeked").range.start
            };
            group.cur = start..start;
            group.src_start = (start as isize - delta) as usize;
            text.push_str(&cur[copied..start]);
            copied = start;
            let text_start = text.len();

            let mut first = true;
            loop {
                if let Some(e) = old.peek() {
                    let c = cur_range(e, delta);
                    if first && take_old || overlaps(&group.cur, &c) {
                        first = false;
                        let e = old.next().expect("peeked");
                        delta += e.to.len() as isize - e.src.len() as isize;
                        group.cur.end = group.cur.end.max(c.end);
                        group.src_end = group.src_end.max(e.src.end);
                        olds.push(e);
                        continue;
                    }
                }
                if let Some(r) = reps.peek() {
                    if first && !take_old || overlaps(&group.cur, &r.range) {
                        first = false;
                        let r = reps.next().expect("peeked");
                        text.push_str(&cur[copied..r.range.start]);
                        text.push_str(&r.to);
                        copied = r.range.end;
                        group.cur.end = group.cur.end.max(r.range.end);
                        group.rep = Some((r.kind, r.rule));
                        continue;
                    }
                }
                break;
            }
            text.push_str(&cur[copied..group.cur.end]);
            copied = group.cur.end;
            let src_end = ((group.cur.end as isize - delta) as usize).max(group.src_end);
            match group.rep {
                None => edits.append(&mut olds),
                Some((kind, rule)) => {
                    let src = group.src_start..src_end;
                    let to = &text[text_start..];
                    if to != &self.src[src.clone()] {
                        edits.push(Edit {
                            src,
                            to: to.to_owned(),
                            kind,
                            rule,
                        });
                    }
                }
            }
        }
        text.push_str(&cur[copied..]);
        self.text = text;
        self.edits = edits;
        debug_assert_eq!(apply_edits(&self.src, 0, &self.edits), self.text);
    }
}

#[derive(Default)]
struct Group {
    cur: Range<usize>,
    src_start: usize,
    src_end: usize,
    rep: Option<(EditKind, Rule)>,
}

/// Whether two current-text ranges overlap. An empty range (a point) overlaps a range only
/// when it lies strictly inside it; two points never overlap.
fn overlaps(a: &Range<usize>, b: &Range<usize>) -> bool {
    if a.is_empty() && b.is_empty() {
        false
    } else if a.is_empty() {
        b.start < a.start && a.start < b.end
    } else if b.is_empty() {
        a.start < b.start && b.start < a.end
    } else {
        a.start < b.end && b.start < a.end
    }
}

fn reps_are_valid(text: &str, reps: &[Replacement]) -> bool {
    let bounds = reps
        .iter()
        .all(|r| text.is_char_boundary(r.range.start) && text.is_char_boundary(r.range.end));
    let sorted = reps.windows(2).all(|w| {
        w[0].range.end <= w[1].range.start
            && !(w[0].range.is_empty() && w[1].range.is_empty() && w[0].range == w[1].range)
    });
    bounds && sorted && reps.iter().all(|r| r.range.start <= r.range.end)
}

/// Applies `edits` (original coordinates, sorted) to the part of `src` that starts at byte
/// `base`: the function every writer and test uses to check the alignment invariant.
pub fn apply_edits(src: &str, base: usize, edits: &[Edit]) -> String {
    let mut out = String::with_capacity(src.len());
    let mut at = 0;
    for e in edits {
        let (s, t) = (e.src.start - base, e.src.end - base);
        out.push_str(&src[at..s]);
        out.push_str(&e.to);
        at = t;
    }
    out.push_str(&src[at..]);
    out
}

/// Maps positions between the current and the original text of one [`EditLog`] state.
///
/// Built in O(edits); each lookup is a binary search.
#[derive(Debug)]
pub struct OffsetMap<'a> {
    edits: &'a [Edit],
    /// Current-text start of each edit's replacement.
    cur_starts: Vec<usize>,
}

impl<'a> OffsetMap<'a> {
    /// A map for `edits` (sorted, non-overlapping).
    pub fn new(edits: &'a [Edit]) -> Self {
        let mut delta: isize = 0;
        let cur_starts = edits
            .iter()
            .map(|e| {
                let c = (e.src.start as isize + delta) as usize;
                delta += e.to.len() as isize - e.src.len() as isize;
                c
            })
            .collect();
        OffsetMap { edits, cur_starts }
    }

    /// The original position of current position `p`.
    pub fn to_src(&self, p: usize, bias: Bias) -> usize {
        // Edits whose replacement starts at or before `p`.
        let n = self.cur_starts.partition_point(|&c| c <= p);
        self.to_src_after(p, bias, n)
    }

    /// [`OffsetMap::to_src`] for positions mostly asked in order, as a document's spans are:
    /// the edits before a position are counted on from the last position's, and searched for
    /// only when a position comes before the last.
    pub fn src_cursor(&self) -> impl FnMut(usize, Bias) -> usize + '_ {
        let mut count = counter(&self.cur_starts, |&c, p| c <= p);
        move |p, bias| self.to_src_after(p, bias, count(p))
    }

    /// [`OffsetMap::to_src`] of `p`, after whose replacements' starts `n` edits come.
    fn to_src_after(&self, p: usize, bias: Bias, n: usize) -> usize {
        if self.edits.is_empty() {
            return p;
        }
        // Walk back over edits that could contain p (deletions at p share its start).
        let mut i = n;
        let mut candidate = None;
        while i > 0 {
            let e = &self.edits[i - 1];
            let c = self.cur_starts[i - 1];
            let end = c + e.to.len();
            if end < p {
                break;
            }
            if c < p && p < end {
                return match bias {
                    Bias::Start => e.src.start,
                    Bias::End => e.src.end,
                };
            }
            // p == c == end (a deletion at p), or p == end, or p == c.
            if e.to.is_empty() {
                // A deletion at p: Start skips over it, End stops before it.
                candidate = Some(match bias {
                    Bias::Start => candidate.unwrap_or(e.src.end),
                    Bias::End => e.src.start,
                });
            } else if p == end {
                return candidate.unwrap_or(e.src.end);
            } else {
                // p == c: the start of a replacement.
                candidate = Some(match bias {
                    Bias::Start => e.src.start,
                    Bias::End => candidate.unwrap_or(e.src.start),
                });
            }
            i -= 1;
        }
        if let Some(c) = candidate {
            return c;
        }
        // In unedited text after edit i-1.
        if i == 0 {
            p
        } else {
            let e = &self.edits[i - 1];
            e.src.end + (p - (self.cur_starts[i - 1] + e.to.len()))
        }
    }

    /// The current position of original position `p`. `p` should not lie strictly inside an
    /// edit's original span; if it does, the bias picks the replacement's start or end.
    pub fn to_cur(&self, p: usize, bias: Bias) -> usize {
        let n = self.edits.partition_point(|e| e.src.start < p);
        self.to_cur_after(p, bias, n)
    }

    /// [`OffsetMap::to_cur`] for positions mostly asked in order, as [`OffsetMap::src_cursor`]
    /// is for [`OffsetMap::to_src`].
    pub fn cur_cursor(&self) -> impl FnMut(usize, Bias) -> usize + '_ {
        let mut count = counter(self.edits, |e: &Edit, p| e.src.start < p);
        move |p, bias| self.to_cur_after(p, bias, count(p))
    }

    /// [`OffsetMap::to_cur`] of `p`, after which `n` edits start.
    fn to_cur_after(&self, p: usize, bias: Bias, n: usize) -> usize {
        if n == 0 {
            return p;
        }
        let e = &self.edits[n - 1];
        let c = self.cur_starts[n - 1];
        if p < e.src.end {
            match bias {
                Bias::Start => c,
                Bias::End => c + e.to.len(),
            }
        } else {
            c + e.to.len() + (p - e.src.end)
        }
    }
}

/// How many of `items` (sorted by `before`) come before each position asked: counted on from
/// the last position's count, and searched for only when a position comes before the last.
fn counter<'a, T>(
    items: &'a [T],
    before: impl Fn(&T, usize) -> bool + 'a,
) -> impl FnMut(usize) -> usize + 'a {
    let (mut n, mut last) = (0, 0);
    move |p| {
        if p < last {
            n = items.partition_point(|t| before(t, p));
        }
        while items.get(n).is_some_and(|t| before(t, p)) {
            n += 1;
        }
        last = p;
        debug_assert_eq!(n, items.partition_point(|t| before(t, p)));
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rule(s: &str) -> Rule {
        Arc::from(s)
    }

    fn rep(range: Range<usize>, to: &str) -> Replacement {
        Replacement::new(range, to, EditKind::Unicode, &rule("t"))
    }

    #[test]
    fn apply_on_clean_text_adds_edits_in_original_coordinates() {
        let mut log = EditLog::new("abc def ghi".into());
        log.apply(vec![rep(4..7, "XY"), rep(8..8, "<")]);
        assert_eq!(log.text(), "abc XY <ghi");
        assert_eq!(log.edits()[0].src, 4..7);
        assert_eq!(log.edits()[1].src, 8..8);
        assert_eq!(apply_edits(log.src(), 0, log.edits()), log.text());
    }

    #[test]
    fn overlapping_rewrite_merges_with_earlier_edit() {
        // A zero-width space removed first, then a name rewrite over the joined word.
        let mut log = EditLog::new("Toka\u{200b}ev said".into());
        log.apply(vec![rep(4..7, "")]);
        assert_eq!(log.text(), "Tokaev said");
        log.apply(vec![Replacement::new(
            0..6,
            "Tokayev",
            EditKind::Name,
            &rule("g:1"),
        )]);
        assert_eq!(log.text(), "Tokayev said");
        assert_eq!(log.edits().len(), 1);
        let e = &log.edits()[0];
        assert_eq!(
            (e.src.clone(), e.to.as_str(), e.kind),
            (0..9, "Tokayev", EditKind::Name)
        );
    }

    #[test]
    fn rewrite_inside_an_earlier_replacement_merges() {
        let mut log = EditLog::new("a &amp; b".into());
        log.apply(vec![rep(2..7, "&")]);
        assert_eq!(log.text(), "a & b");
        log.apply(vec![rep(2..3, "and")]);
        assert_eq!(log.text(), "a and b");
        assert_eq!(log.edits()[0].src, 2..7);
        assert_eq!(log.edits()[0].to, "and");
    }

    #[test]
    fn rewrite_back_to_the_original_drops_the_edit() {
        let mut log = EditLog::new("x y".into());
        log.apply(vec![rep(1..2, "_")]);
        log.apply(vec![rep(1..2, " ")]);
        assert_eq!(log.text(), "x y");
        assert!(log.edits().is_empty());
    }

    #[test]
    fn adjacent_rewrites_stay_separate() {
        let mut log = EditLog::new("abcdef".into());
        log.apply(vec![rep(2..4, "")]);
        log.apply(vec![rep(0..2, "AB"), rep(2..4, "EF")]);
        assert_eq!(log.text(), "ABEF");
        assert_eq!(log.edits().len(), 3);
        assert_eq!(apply_edits(log.src(), 0, log.edits()), log.text());
    }

    proptest::proptest! {
        /// Rounds of random rewrites (insertions, deletions, replacements, rewrites back to
        /// the original) over ASCII text: the log's text is the rewrites spliced in, and its
        /// edits, applied to the source, give that text; they stay sorted, disjoint and none
        /// changes nothing.
        #[test]
        fn rounds_of_rewrites_stay_aligned(
            src in "[ab ]{0,24}",
            rounds in proptest::collection::vec(
                proptest::collection::vec((0usize..30, 0usize..4, "[ab]{0,3}"), 0..6),
                1..5,
            ),
        ) {
            let mut log = EditLog::new(src.clone());
            for round in rounds {
                let len = log.text().len();
                let mut wanted: Vec<(usize, usize, String)> = round
                    .into_iter()
                    .map(|(a, n, to)| (a.min(len), (a + n).min(len), to))
                    .collect();
                wanted.sort_by_key(|w| (w.0, w.1));
                let mut reps: Vec<Replacement> = Vec::new();
                for (a, b, to) in wanted {
                    let fits = reps.last().is_none_or(|r| {
                        r.range.end <= a && !(r.range.is_empty() && a == b && r.range.start == a)
                    });
                    if fits {
                        reps.push(rep(a..b, &to));
                    }
                }
                let mut expected = log.text().to_owned();
                for r in reps.iter().rev() {
                    expected.replace_range(r.range.clone(), &r.to);
                }
                log.apply(reps);
                proptest::prop_assert_eq!(log.text(), expected.as_str());
                proptest::prop_assert_eq!(apply_edits(&src, 0, log.edits()), log.text());
                for w in log.edits().windows(2) {
                    proptest::prop_assert!(w[0].src.end <= w[1].src.start);
                }
                for e in log.edits() {
                    proptest::prop_assert_ne!(&src[e.src.clone()], e.to.as_str());
                }
                // In order, back, and jumping about: the cursor answers as the search does.
                let map = log.offsets();
                let (mut to_src, mut to_cur) = (map.src_cursor(), map.cur_cursor());
                let len = log.text().len().max(src.len());
                for p in (0..=len).chain((0..=len).rev()).chain([len / 2, 0, len]) {
                    for bias in [Bias::Start, Bias::End] {
                        if p <= log.text().len() {
                            proptest::prop_assert_eq!(to_src(p, bias), map.to_src(p, bias));
                        }
                        if p <= src.len() {
                            proptest::prop_assert_eq!(to_cur(p, bias), map.to_cur(p, bias));
                        }
                    }
                }
            }
        }
    }

    #[test]
    fn offset_map_biases() {
        let mut log = EditLog::new("ab--cd EFG h".into());
        log.apply(vec![rep(2..4, ""), rep(7..10, "e")]);
        assert_eq!(log.text(), "abcd e h");
        let m = log.offsets();
        assert_eq!(m.to_src(2, Bias::Start), 4); // at the deletion: skip it
        assert_eq!(m.to_src(2, Bias::End), 2); // ... or stop before it
        assert_eq!(m.to_src(5, Bias::Start), 7); // start of a replacement
        assert_eq!(m.to_src(6, Bias::End), 10); // end of a replacement
        assert_eq!(m.to_src(8, Bias::End), 12);
        assert_eq!(m.to_cur(12, Bias::End), 8);
        assert_eq!(m.to_cur(7, Bias::Start), 5);
        assert_eq!(m.to_cur(4, Bias::Start), 2);
    }
}
