//! Name canonicalization: one automaton over every glossary variant, plus two ways to find
//! mentions no row spells out.
//!
//! - **Glossary matches.** Leftmost-longest (a full name wins over its surname alone),
//!   case-sensitive (rows with `case=any` also match in capitals and title case), and whole-word
//!   by Unicode letters and digits, so "Toqaev's" and "Toqaev-led" match while "Fb" inside "Fbé"
//!   does not. For each match, the row for the segment's language wins over a row for all
//!   languages; a match with neither is left alone. A variant with a replacement becomes a
//!   `name` edit citing its `file:line`; every match becomes an entity.
//! - **Inflected mentions.** Cyrillic spellings are also matched with the case endings of
//!   `glossaries/inflection/<lang>.txt` (Токаева, Токаеву, Пашиняном, Тоқаевтың): recognized as
//!   the entity, never rewritten.
//! - **Unseen variants.** A capitalized word, or up to three joined by spaces or hyphens, that
//!   no row matched but whose transliteration key ([`crate::glossary::translit`]) equals a
//!   known variant's is the same name spelled another way ("Toqayev"); a Cyrillic word is also
//!   tried without a case ending. Guards: a candidate of one word has at least five letters and
//!   is no common word of any language; its key belongs to one entity only; and it is close to
//!   the variant it matched (the Latin spellings differ in fewer than a third of their letters),
//!   since keys alone merge names that are really different. Such mentions get rule
//!   `translit-key` and confidence 0.7, and are annotated, or with [`Unseen::Replace`]
//!   rewritten to the variant's canonical spelling.
//! - **Glosses.** A name followed by itself in brackets once canonical ("Indestructible
//!   Brotherhood (Indestructible Brotherhood)") loses the repetition (rule `names:gloss`).
//!
//! The automaton is built once and shared by every thread; matching costs the same whatever
//! the glossary's size, beyond the automaton itself.

use std::cell::RefCell;
use std::collections::HashSet;
use std::ops::Range;
use std::rc::Rc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

use aho_corasick::AhoCorasickKind;
use rustc_hash::{FxHashMap, FxHashSet};

use crate::document::{Document, Entity, LangCode};
use crate::edit::{Bias, EditKind, Replacement, Rule};
use crate::error::{Error, Result};
use crate::glossary::names::NameGlossary;
use crate::glossary::translit::Keyer;
use crate::glossary::{DataSet, FileKind};
use crate::stages::ascii::{self, next_capital_or_non_ascii};
use crate::stages::phrases::WordAutomaton;
use crate::stages::{exotic_spaces, is_alphanumeric, is_whole_word, Stage};

/// What to do with a name found by its transliteration key only.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Unseen {
    /// Record the entity, leave the spelling.
    #[default]
    Annotate,
    /// Record the entity and write the canonical spelling.
    Replace,
    /// Do not look for unseen variants.
    Off,
}

/// Confidence of a mention found by its key only.
const KEY_CONFIDENCE: f32 = 0.7;
/// Shortest one-word candidate for a key match, in letters.
const KEY_MIN_LETTERS: usize = 5;

#[derive(Debug, Clone)]
struct Pattern {
    /// The variants (one per language) with this spelling.
    variants: Vec<usize>,
    /// An inflected form: recognized, never rewritten.
    inflected: bool,
}

/// The names stage.
#[derive(Debug)]
pub struct Names {
    glossary: NameGlossary,
    automaton: Option<WordAutomaton>,
    patterns: Vec<Pattern>,
    unseen: Unseen,
    keyer: Keyer,
    /// Transliteration key -> variants with that key.
    keys: FxHashMap<String, Vec<usize>>,
    /// The first word of every key: a capitalized word whose key is none of these starts no
    /// key match (unless a Cyrillic case ending hides it).
    heads: FxHashSet<String>,
    /// Each variant's Latin spelling, for the distance guard (empty when keys are off).
    latin: Vec<String>,
    /// Common words of every language, lower-cased: never a key match.
    common: FxHashSet<String>,
    /// Case endings of Cyrillic names, longest first.
    endings: Vec<String>,
    key_rule: Rule,
    gloss_rule: Rule,
    /// Tells this instance's entries in the per-thread word-key memo from another's.
    id: u64,
}

/// Entries of the per-thread word-key memo before it starts afresh: enough for the words that
/// recur (at 50,000 the memo alone grew peak memory by 5 MB over a 1 GB run, for no speed).
const MEMO_MAX: usize = 5_000;

static NEXT_ID: AtomicU64 = AtomicU64::new(0);

/// The per-thread memo of one `Names` instance.
#[derive(Default)]
struct Memo {
    /// The instance whose entries these are.
    id: u64,
    /// Word -> transliteration key, and whether a glossary key starts with it.
    keys: FxHashMap<Box<str>, WordKey>,
    /// The same for words of at most eight bytes, by [`ascii::short_key`]: most capitalized
    /// words of news text ("The", "Russia", "Tokayev") are looked up without hashing and
    /// comparing a string. With the head test kept here too, 0.9% fewer instructions in all
    /// (callgrind, first 3 MB of the seed-7 corpus).
    short_keys: FxHashMap<u64, WordKey>,
    /// Language -> candidate -> the variant it is an unseen spelling of, if any.
    matches: FxHashMap<LangCode, FxHashMap<Box<str>, Option<usize>>>,
    /// Entries in `matches`.
    n_matches: usize,
}

thread_local! {
    /// Capitalized words recur (sentence starts, the same names): computing a key costs a
    /// microsecond and checking a candidate against the variants with its key (edit distances)
    /// a few more, a lookup a few nanoseconds.
    static MEMO: RefCell<Memo> = RefCell::new(Memo {
        id: u64::MAX,
        ..Memo::default()
    });
}

/// Runs `f` on this thread's memo, emptied first if it is another instance's or full.
fn with_memo<T>(id: u64, f: impl FnOnce(&mut Memo) -> T) -> T {
    MEMO.with(|memo| {
        let mut memo = memo.borrow_mut();
        let words = memo.keys.len() + memo.short_keys.len();
        if memo.id != id || words >= MEMO_MAX || memo.n_matches >= MEMO_MAX {
            memo.keys.clear();
            memo.short_keys.clear();
            memo.matches.clear();
            memo.n_matches = 0;
            memo.id = id;
        }
        f(&mut memo)
    })
}

/// A word's transliteration key, and whether a glossary key starts with it (a head).
type WordKey = (Rc<str>, bool);

fn is_cyrillic(s: &str) -> bool {
    s.chars().any(|c| matches!(c as u32, 0x0400..=0x04FF))
}

/// Whether `s` starts with an upper-case letter.
fn starts_capital(s: &str) -> bool {
    match s.as_bytes().first() {
        Some(b) if b.is_ascii() => b.is_ascii_uppercase(),
        _ => s.chars().next().is_some_and(char::is_uppercase),
    }
}

/// The first word (maximal run of letters and digits) in `text[from..end]`, if any. Runs of
/// ASCII letters and digits are passed over without decoding.
fn next_word(text: &str, from: usize, end: usize) -> Option<Range<usize>> {
    let bytes = &text.as_bytes()[..end];
    // The character at `i` (a boundary): whether it is a letter or digit, and its length.
    let class = |i: usize| {
        if bytes[i].is_ascii() {
            (bytes[i].is_ascii_alphanumeric(), 1)
        } else {
            let c = text[i..].chars().next().unwrap_or_default();
            (is_alphanumeric(c), c.len_utf8())
        }
    };
    let mut i = from;
    let start = loop {
        if i >= end {
            return None;
        }
        match class(i) {
            (true, _) => break i,
            (false, len) => i += len,
        }
    };
    while i < end {
        i = ascii::next_non_alphanumeric(bytes, i);
        if i == end {
            break;
        }
        match class(i) {
            (true, len) => i += len,
            (false, _) => return Some(start..i),
        }
    }
    Some(start..end)
}

/// The first word in `text[from..range.end]` that starts with a capital letter; words are as
/// [`next_word`] finds them in `text[range]`. Lower-case ASCII is skipped eight bytes at a time.
fn next_capital_word(text: &str, from: usize, range: &Range<usize>) -> Option<Range<usize>> {
    let bytes = &text.as_bytes()[..range.end];
    let mut i = from;
    loop {
        i = next_capital_or_non_ascii(bytes, i);
        let Some(&b) = bytes.get(i) else {
            break;
        };
        let len = if b.is_ascii() {
            1 // a capital
        } else {
            let c = text[i..].chars().next()?;
            if !c.is_uppercase() {
                i += c.len_utf8();
                continue;
            }
            c.len_utf8()
        };
        let inside = i > range.start
            && text[range.start..i]
                .chars()
                .next_back()
                .is_some_and(is_alphanumeric);
        if !inside {
            return next_word(text, i, range.end);
        }
        i += len;
    }
    None
}

fn title_case(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut start = true;
    for c in s.chars() {
        if start {
            out.extend(c.to_uppercase());
        } else {
            out.extend(c.to_lowercase());
        }
        start = !is_alphanumeric(c);
    }
    out
}

impl Names {
    /// Builds the automaton for `glossary`, with the inflection endings, transliteration
    /// tables and common words of `data`.
    ///
    /// # Errors
    /// The automaton cannot be built (too large); a bad transliteration table.
    pub fn new(glossary: NameGlossary, data: &DataSet, unseen: Unseen) -> Result<Self> {
        let mut endings: Vec<String> = data
            .of(FileKind::Inflection)
            .flat_map(|f| f.lines().map(|(_, l)| l.to_owned()))
            .collect::<HashSet<_>>()
            .into_iter()
            .collect();
        endings.sort_by(|a, b| b.chars().count().cmp(&a.chars().count()).then(a.cmp(b)));
        let mut info: Vec<Pattern> = Vec::new();
        // Pattern text -> its index in `info` (and in the automaton).
        let mut index: FxHashMap<String, usize> = FxHashMap::default();
        let mut add = |text: String, vi: usize, inflected: bool| {
            let p = *index.entry(text).or_insert_with(|| {
                info.push(Pattern {
                    variants: Vec::new(),
                    inflected,
                });
                info.len() - 1
            });
            if !info[p].variants.contains(&vi) {
                info[p].variants.push(vi);
            }
        };
        for (i, v) in glossary.variants.iter().enumerate() {
            add(v.text.clone(), i, false);
            if v.any_case {
                add(v.text.to_uppercase(), i, false);
                add(title_case(&v.text), i, false);
            }
            if is_cyrillic(&v.text) {
                for e in &endings {
                    add(format!("{}{e}", v.text), i, true);
                }
            }
        }
        let mut patterns = vec![""; index.len()];
        for (text, &p) in &index {
            patterns[p] = text.as_str();
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            // Anchored searches at word starts stay near the root, where a contiguous NFA is
            // as quick as a DFA (3% quicker on stage/names with the default glossaries, whose
            // DFA takes 21 MB against its 0.4 MB) and far cheaper to build.
            Some(
                WordAutomaton::new(&patterns, Some(AhoCorasickKind::ContiguousNFA), false)
                    .or_else(|_| WordAutomaton::new(&patterns, None, false))
                    .map_err(|e| Error::Config(format!("name glossary automaton: {e}")))?,
            )
        };
        let keyer = Keyer::new(data)?;
        let mut keys: FxHashMap<String, Vec<usize>> = FxHashMap::default();
        let mut latin = Vec::new();
        if unseen != Unseen::Off {
            // Words recur across rows (given names, the parts of inflected forms).
            let mut word_keys: FxHashMap<&str, String> = FxHashMap::default();
            for (i, v) in glossary.variants.iter().enumerate() {
                let key = Keyer::key_phrase_by(&v.text, |w| {
                    word_keys.entry(w).or_insert_with(|| keyer.key(w)).clone()
                });
                keys.entry(key).or_default().push(i);
                latin.push(keyer.latin(&v.text));
            }
        }
        let mut heads: FxHashSet<String> = FxHashSet::default();
        for k in keys.keys() {
            let head = k.split(' ').next().unwrap_or_default();
            if !heads.contains(head) {
                heads.insert(head.to_owned());
            }
        }
        let common = data
            .of(FileKind::Common)
            .chain(
                data.of(FileKind::Langid)
                    .filter(|f| f.stem() != "languages" && f.stem() != "letters"),
            )
            .flat_map(|f| f.lines().map(|(_, w)| w.to_lowercase()))
            .collect();
        Ok(Names {
            glossary,
            automaton,
            patterns: info,
            unseen,
            keyer,
            keys,
            heads,
            latin,
            common,
            endings,
            key_rule: Arc::from("translit-key"),
            gloss_rule: Arc::from("names:gloss"),
            id: NEXT_ID.fetch_add(1, Ordering::Relaxed),
        })
    }

    /// The variant among `options` that applies in text of language `lang`.
    fn pick(&self, options: &[usize], lang: &str) -> Option<usize> {
        let v = &self.glossary.variants;
        options
            .iter()
            .find(|&&i| v[i].lang.as_deref() == Some(lang))
            .or_else(|| options.iter().find(|&&i| v[i].lang.is_none()))
            .copied()
    }

    /// Unseen variants in `text[range]` outside the glossary matches `taken`: (range,
    /// variant).
    fn key_matches(
        &self,
        text: &str,
        range: Range<usize>,
        lang: LangCode,
        taken: &[(Range<usize>, usize, bool)],
    ) -> Vec<(Range<usize>, usize)> {
        // A candidate may take in whole glossary matches ("Kamchybek Tashiyev" around
        // "Tashiyev"), never cut through one.
        let free = |r: &Range<usize>| {
            !taken.iter().any(|(t, _, _)| {
                let overlaps = t.start < r.end && r.start < t.end;
                let inside = r.start <= t.start && t.end <= r.end && r.len() > t.len();
                overlaps && !inside
            })
        };
        let capital = |w: &Range<usize>| starts_capital(&text[w.clone()]);
        let mut out = Vec::new();
        let mut at = range.start;
        while let Some(first) = next_capital_word(text, at, &range) {
            at = first.end;
            let head = self.is_head(&text[first.clone()]);
            if !head && !is_cyrillic(&text[first.clone()]) {
                continue;
            }
            // Up to three capitalized words joined by single spaces or hyphens; a name of
            // several words must start with a key's first word.
            let mut group = [first.clone(), 0..0, 0..0];
            let mut len = 1;
            while head && len < 3 {
                let last = group[len - 1].end;
                match next_word(text, last, range.end) {
                    Some(w) if matches!(&text[last..w.start], " " | "-") && capital(&w) => {
                        group[len] = w;
                        len += 1;
                    }
                    _ => break,
                }
            }
            for n in (1..=len).rev() {
                let r = first.start..group[n - 1].end;
                if !free(&r) {
                    continue;
                }
                if let Some(v) = self.key_match_memo(text, &group[..n], lang) {
                    at = r.end;
                    out.push((r, v));
                    break;
                }
            }
        }
        out
    }

    /// The transliteration key of one word and whether it is a head, through the per-thread
    /// memo.
    fn word_key(&self, word: &str) -> WordKey {
        self.with_word_key(word, Clone::clone)
    }

    /// Whether a word's key is a head, through the memo, without a copy of the key.
    fn is_head(&self, word: &str) -> bool {
        self.with_word_key(word, |k| k.1)
    }

    /// `f` of [`Names::word_key`]`(word)`, on the memo's own entry where it has one.
    fn with_word_key<T>(&self, word: &str, f: impl FnOnce(&WordKey) -> T) -> T {
        with_memo(self.id, |memo| {
            let n = ascii::short_key(word.as_bytes(), false);
            let known = match n {
                Some(n) => memo.short_keys.get(&n),
                None => memo.keys.get(word),
            };
            if let Some(k) = known {
                return f(k);
            }
            let key: Rc<str> = self.keyer.key(word).into();
            let head = self.heads.contains(&*key);
            let k = (key, head);
            let got = f(&k);
            match n {
                Some(n) => memo.short_keys.insert(n, k),
                None => memo.keys.insert(word.into(), k),
            };
            got
        })
    }

    /// [`Names::key_match`] of `text[words[0].start..words[last].end]`, whose words are
    /// `words`, through the per-thread memo.
    fn key_match_memo(&self, text: &str, words: &[Range<usize>], lang: LangCode) -> Option<usize> {
        let candidate = &text[words[0].start..words[words.len() - 1].end];
        let known = with_memo(self.id, |memo| {
            memo.matches
                .get(lang)
                .and_then(|m| m.get(candidate))
                .copied()
        });
        if let Some(v) = known {
            return v;
        }
        let key = words
            .iter()
            .map(|w| self.word_key(&text[w.clone()]).0)
            .collect::<Vec<_>>()
            .join(" ");
        let v = self.key_match(candidate, &key, lang);
        with_memo(self.id, |memo| {
            memo.n_matches += 1;
            memo.matches
                .entry(lang)
                .or_default()
                .insert(candidate.into(), v)
        });
        v
    }

    /// The variant `candidate` is an unseen spelling of, if the guards let it through. A
    /// Cyrillic word is also tried without a case ending (Токаєвим -> Токаєв).
    fn key_match(&self, candidate: &str, key: &str, lang: &str) -> Option<usize> {
        let letters = candidate.chars().filter(|c| c.is_alphabetic()).count();
        let one_word = !candidate.contains([' ', '-']);
        if one_word
            && (letters < KEY_MIN_LETTERS || self.common.contains(&candidate.to_lowercase()))
        {
            return None;
        }
        if let Some(v) = self.key_match_exact(candidate, key, lang) {
            return Some(v);
        }
        if one_word && is_cyrillic(candidate) {
            for e in &self.endings {
                if let Some(stem) = candidate.strip_suffix(e.as_str()) {
                    if stem.chars().count() >= 4 {
                        let key = self.keyer.key(stem);
                        if let Some(v) = self.key_match_exact(stem, &key, lang) {
                            return Some(v);
                        }
                    }
                }
            }
        }
        None
    }

    /// As [`Names::key_match`], for a candidate whose key is `key`.
    fn key_match_exact(&self, candidate: &str, key: &str, lang: &str) -> Option<usize> {
        let options = self.keys.get(key)?;
        let v = &self.glossary.variants;
        let entity = v[options[0]].entity;
        if options.iter().any(|&i| v[i].entity != entity) {
            return None; // the key is shared by different names
        }
        let latin = self.keyer.latin(candidate);
        options
            .iter()
            .copied()
            .filter(|&i| v[i].lang.is_none() || v[i].lang.as_deref() == Some(lang))
            .filter(|&i| v[i].text != candidate)
            .map(|i| (strsim::levenshtein(&latin, &self.latin[i]), i))
            .filter(|&(d, _)| d * 3 < latin.chars().count())
            .min()
            .map(|(_, i)| i)
    }
}

/// A segment's text with exotic spaces (no-break, thin ...) read as plain ones, so "Nikol
/// Pashinyan" matches across a no-break space that typography keeps; with a map back to the
/// original byte offsets. Borrows the text when it has no such space.
struct SpaceView<'a> {
    text: std::borrow::Cow<'a, str>,
    /// For each folded space: the view offset just after it, and how many bytes longer the
    /// original is up to there. Ascending.
    shifts: Vec<(usize, usize)>,
}

impl<'a> SpaceView<'a> {
    /// The view of `s`, which starts at offset `base` of the text whose exotic spaces are
    /// `spaces` (those of `s` among them, as [`exotic_spaces`] finds them).
    fn with_spaces(s: &'a str, base: usize, spaces: &[(usize, usize)]) -> Self {
        let lo = spaces.partition_point(|&(i, _)| i < base);
        let hi = spaces.partition_point(|&(i, _)| i < base + s.len());
        let spaces = &spaces[lo..hi];
        if spaces.is_empty() {
            return SpaceView {
                text: s.into(),
                shifts: Vec::new(),
            };
        }
        let mut text = String::with_capacity(s.len());
        let mut shifts = Vec::new();
        let (mut last, mut extra) = (0, 0);
        for &(i, len) in spaces {
            let i = i - base;
            text.push_str(&s[last..i]);
            text.push(' ');
            extra += len - 1;
            shifts.push((text.len(), extra));
            last = i + len;
        }
        text.push_str(&s[last..]);
        SpaceView {
            text: text.into(),
            shifts,
        }
    }

    fn text(&self) -> &str {
        &self.text
    }

    /// The original offset of view offset `at` (a character boundary).
    fn orig(&self, at: usize) -> usize {
        let k = self.shifts.partition_point(|&(v, _)| v <= at);
        at + k.checked_sub(1).map_or(0, |k| self.shifts[k].1)
    }
}

impl Stage for Names {
    fn name(&self) -> &'static str {
        "names"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        let Some(ac) = &self.automaton else {
            return Ok(());
        };
        let text = doc.text();
        let map = doc.log.offsets();
        let mut reps = Vec::new();
        // (range in the text before this stage's rewrites, variant, found by key)
        let mut found: Vec<(Range<usize>, usize, bool)> = Vec::with_capacity(text.len() / 64);
        // Per segment, in buffers reused from one to the next.
        let mut here: Vec<(Range<usize>, usize, bool)> = Vec::new();
        let mut all: Vec<(Range<usize>, usize, bool, bool)> = Vec::new();
        // Found once for the whole text: a search per segment cost about as much again.
        let spaces = exotic_spaces(text);
        let mut to_cur = map.cur_cursor();
        for seg in &doc.segments {
            let range = to_cur(seg.src.start, Bias::Start)..to_cur(seg.src.end, Bias::End);
            let view = SpaceView::with_spaces(&text[range.clone()], range.start, &spaces);
            here.clear();
            for m in ac.find_iter(view.text()) {
                let (a, b) = (
                    range.start + view.orig(m.start()),
                    range.start + view.orig(m.end()),
                );
                if !is_whole_word(text, a, b) {
                    continue;
                }
                let p = &self.patterns[m.pattern().as_usize()];
                let Some(vi) = self.pick(&p.variants, seg.lang) else {
                    continue;
                };
                here.push((a..b, vi, p.inflected));
            }
            // (range, variant, inflected, found by key)
            all.clear();
            all.extend(
                here.iter()
                    .map(|(r, vi, inf)| (r.clone(), *vi, *inf, false)),
            );
            if self.unseen != Unseen::Off {
                let keyed = self.key_matches(text, range.clone(), seg.lang, &here);
                // A key match that takes in glossary matches replaces them.
                all.retain(|m| {
                    !keyed
                        .iter()
                        .any(|(r, _)| r.start <= m.0.start && m.0.end <= r.end)
                });
                all.extend(keyed.into_iter().map(|(r, vi)| (r, vi, false, true)));
                all.sort_by_key(|m| m.0.start);
            }
            for (r, vi, inflected, by_key) in all.drain(..) {
                self.record(text, r, vi, inflected, by_key, &mut reps, &mut found);
            }
        }
        // Positions in the text after this stage's rewrites.
        let mut shift: isize = 0;
        let mut k = 0;
        let mut after: Vec<(Range<usize>, usize, bool)> = Vec::with_capacity(found.len());
        for (r, vi, by_key) in found {
            while k < reps.len() && reps[k].range.end <= r.start {
                shift += reps[k].to.len() as isize - reps[k].range.len() as isize;
                k += 1;
            }
            let a = (r.start as isize + shift) as usize;
            let len = match reps.get(k) {
                Some(rep) if rep.range == r => rep.to.len(),
                _ => r.len(),
            };
            after.push((a..a + len, vi, by_key));
        }
        drop(to_cur);
        drop(map);
        doc.apply(reps);
        let after = self.drop_glosses(doc, after);
        let map = doc.log.offsets();
        let mut to_src = map.src_cursor();
        let entities: Vec<Entity> = after
            .into_iter()
            .map(|(r, vi, by_key)| {
                let v = &self.glossary.variants[vi];
                let info = &self.glossary.entities[v.entity];
                Entity {
                    src: to_src(r.start, Bias::Start)..to_src(r.end, Bias::End),
                    id: Arc::clone(&info.id),
                    canonical: Arc::clone(&info.canonical),
                    kind: Arc::clone(&info.kind),
                    confidence: if by_key { KEY_CONFIDENCE } else { 1.0 },
                    rule: if by_key {
                        Arc::clone(&self.key_rule)
                    } else {
                        Arc::clone(&v.rule)
                    },
                }
            })
            .collect();
        drop(to_src);
        drop(map);
        doc.entities.extend(entities);
        doc.entities.sort_by_key(|e| (e.src.start, e.src.end));
        Ok(())
    }
}

impl Names {
    /// Records one mention: its rewrite, if any, and its place among the entities.
    #[allow(clippy::too_many_arguments)]
    fn record(
        &self,
        text: &str,
        r: Range<usize>,
        vi: usize,
        inflected: bool,
        by_key: bool,
        reps: &mut Vec<Replacement>,
        found: &mut Vec<(Range<usize>, usize, bool)>,
    ) {
        let v = &self.glossary.variants[vi];
        let to = if inflected {
            None
        } else if by_key {
            (self.unseen == Unseen::Replace).then(|| v.replace.as_deref().unwrap_or(&v.text))
        } else {
            v.replace.as_deref()
        };
        if let Some(to) = to.filter(|&to| to != &text[r.clone()]) {
            let rule = if by_key { &self.key_rule } else { &v.rule };
            reps.push(Replacement::new(r.clone(), to, EditKind::Name, rule));
        }
        found.push((r, vi, by_key));
    }

    /// Removes `(B)` after `A` when both are the same entity written the same way.
    fn drop_glosses(
        &self,
        doc: &mut Document,
        found: Vec<(Range<usize>, usize, bool)>,
    ) -> Vec<(Range<usize>, usize, bool)> {
        let text = doc.text();
        let entity = |vi: usize| self.glossary.variants[vi].entity;
        let mut reps = Vec::new();
        let mut keep = vec![true; found.len()];
        for k in 1..found.len() {
            let (a, b) = (&found[k - 1], &found[k]);
            let gloss = entity(a.1) == entity(b.1)
                && text[a.0.clone()] == text[b.0.clone()]
                && text.get(a.0.end..b.0.start) == Some(" (")
                && text[b.0.end..].starts_with(')');
            if gloss && keep[k - 1] {
                reps.push(Replacement::new(
                    a.0.end..b.0.end + 1,
                    "",
                    EditKind::Name,
                    &self.gloss_rule,
                ));
                keep[k] = false;
            }
        }
        if reps.is_empty() {
            return found;
        }
        // Later positions shift by what was removed.
        let mut out = Vec::with_capacity(found.len());
        let mut removed = 0;
        let mut j = 0;
        for (k, (r, vi, by_key)) in found.into_iter().enumerate() {
            while j < reps.len() && reps[j].range.end <= r.start {
                removed += reps[j].range.len();
                j += 1;
            }
            if keep[k] {
                out.push((r.start - removed..r.end - removed, vi, by_key));
            }
        }
        doc.apply(reps);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Segment;
    use crate::glossary::{DataFile, DataSet, FileKind};
    use crate::stages::is_exotic_space;

    fn names(csv: &str) -> Names {
        let data = DataSet {
            files: vec![DataFile {
                path: "g.csv".into(),
                text: format!("entity,kind,canonical,lang,variant,replace\n{csv}"),
                kind: FileKind::Names,
                default: true,
            }],
        };
        let mut all = DataSet::defaults();
        all.files.retain(|f| f.kind != FileKind::Names);
        all.files.extend(data.files);
        Names::new(NameGlossary::load(&all).unwrap(), &all, Unseen::Annotate).unwrap()
    }

    fn run(n: &Names, text: &str, lang: &'static str) -> Document {
        let mut d = Document::new("t", text);
        d.segments.push(Segment {
            src: 0..text.len(),
            para: 0,
            lang,
        });
        n.run(&mut d).unwrap();
        d
    }

    const TOKAYEV: &str = "t,person,Kassym-Jomart Tokayev,,Kassym-Jomart Tokayev,\n\
        t,,,,Qasym-Zhomart Toqaev,Kassym-Jomart Tokayev\nt,,,,Toqaev,Tokayev\nt,,,,Tokayev,\n\
        t,,,ru,Токаев,\nk,place,Kazakhstan,,Kazakhstan,\nk,,,it,Kazakistan,\nk,,,en,Kazakistan,Kazakhstan\n";

    #[test]
    fn longest_variant_wins_and_possessives_match() {
        let d = run(
            &names(TOKAYEV),
            "Qasym-Zhomart Toqaev said. Toqaev's aides and Tokayev.",
            "en",
        );
        assert_eq!(
            d.text(),
            "Kassym-Jomart Tokayev said. Tokayev's aides and Tokayev."
        );
        assert_eq!(d.entities.len(), 3);
        assert!(d.entities.iter().all(|e| &*e.id == "t"));
        assert_eq!(&*d.log.edits()[0].rule, "g.csv:3");
        assert_eq!(&d.src()[d.entities[2].src.clone()], "Tokayev");
    }

    #[test]
    fn a_spelling_inside_a_word_does_not_hide_the_next_word() {
        // "Qasym-Zhomart Toqaev" starts inside "XQasym": no match there, and "Toqaev" still
        // stands on its own.
        let d = run(&names(TOKAYEV), "XQasym-Zhomart Toqaev said.", "en");
        assert_eq!(d.text(), "XQasym-Zhomart Tokayev said.");
        assert_eq!(d.entities.len(), 1);
    }

    #[test]
    fn unseen_spellings_are_found_by_key_and_guarded() {
        let n = names(TOKAYEV);
        let d = run(
            &n,
            "President Tokajeff met Toqayev and Tokarev, Tokai and Tokyo.",
            "en",
        );
        let found: Vec<(&str, f32, &str)> = d
            .entities
            .iter()
            .map(|e| (&d.src()[e.src.clone()], e.confidence, &*e.rule))
            .collect();
        assert_eq!(found, [("Toqayev", 0.7, "translit-key")]);
        assert_eq!(
            d.text(),
            "President Tokajeff met Toqayev and Tokarev, Tokai and Tokyo."
        );
    }

    #[test]
    fn inflected_cyrillic_names_are_recognized_not_rewritten() {
        let d = run(
            &names(TOKAYEV),
            "Встреча с Токаевым и письмо Токаеву.",
            "ru",
        );
        assert_eq!(d.entities.len(), 2);
        assert_eq!(&d.src()[d.entities[0].src.clone()], "Токаевым");
        assert!(d.log.edits().is_empty());
    }

    #[test]
    fn a_gloss_of_the_same_name_is_not_repeated() {
        let n = names("e,event,Indestructible Brotherhood,,Indestructible Brotherhood,\ne,,,,Nerushimoe bratstvo,Indestructible Brotherhood\n");
        let d = run(
            &n,
            "the exercise Nerushimoe bratstvo (Indestructible Brotherhood) began",
            "en",
        );
        assert_eq!(d.text(), "the exercise Indestructible Brotherhood began");
        assert_eq!(d.entities.len(), 1);
        assert_eq!(
            crate::edit::apply_edits(d.src(), 0, d.log.edits()),
            d.text()
        );
    }

    #[test]
    fn names_match_across_no_break_spaces() {
        let d = run(
            &names(TOKAYEV),
            "President Qasym-Zhomart\u{a0}Toqaev said",
            "en",
        );
        assert_eq!(d.text(), "President Kassym-Jomart Tokayev said");
        assert_eq!(d.entities.len(), 1);
    }

    proptest::proptest! {
        /// The view folds each exotic space to one plain space and maps every character
        /// boundary of it back to the same character of the original: the view of a piece
        /// of a text, from the spaces of the whole text.
        #[test]
        fn space_view_maps_back_to_the_original(
            whole in "([a-z]{1,3}|[ ’é]|\u{a0}|\u{1680}|\u{2000}|\u{200a}|\u{202f}|\u{205f}|\u{3000}|\u{2014}|\u{1f600}){0,30}",
            cut in (0usize..200, 0usize..200),
        ) {
            let bounds: Vec<usize> =
                (0..=whole.len()).filter(|&i| whole.is_char_boundary(i)).collect();
            let (a, b) = (bounds[cut.0 % bounds.len()], bounds[cut.1 % bounds.len()]);
            let (a, b) = (a.min(b), a.max(b));
            let s = &whole[a..b];
            let view = SpaceView::with_spaces(s, a, &exotic_spaces(&whole));
            let folded: String = s
                .chars()
                .map(|c| if is_exotic_space(c) { ' ' } else { c })
                .collect();
            proptest::prop_assert_eq!(view.text(), folded.as_str());
            let orig: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
            let at: Vec<usize> = view
                .text()
                .char_indices()
                .map(|(i, _)| i)
                .chain([view.text().len()])
                .collect();
            let mapped: Vec<usize> = at.iter().map(|&a| view.orig(a)).collect();
            proptest::prop_assert_eq!(mapped, orig);
        }

        /// `next_word` finds the run of letters and digits a character-by-character reading
        /// finds, from and up to any character boundaries.
        #[test]
        fn next_word_is_the_first_run_of_letters_and_digits(
            s in "([a-zA-Z0-9]{1,4}|[ ,.’-]|é|Ж|\u{300}|\u{1f600}|\u{3000}){0,16}",
            a in 0usize..40,
            b in 0usize..40,
        ) {
            let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
            let (from, end) = (bounds[a % bounds.len()], bounds[b % bounds.len()]);
            let end = end.max(from);
            let chars: Vec<(usize, char)> = s[from..end].char_indices().collect();
            let first = chars.iter().position(|&(_, c)| is_alphanumeric(c));
            let expected = first.map(|k| {
                let stop = chars[k..]
                    .iter()
                    .find(|&&(_, c)| !is_alphanumeric(c))
                    .map_or(end, |&(i, _)| from + i);
                from + chars[k].0..stop
            });
            proptest::prop_assert_eq!(next_word(&s, from, end), expected);
        }
    }

    #[test]
    fn words_inside_words_do_not_match() {
        let d = run(&names(TOKAYEV), "Toqaevè and XToqaev", "en");
        assert!(d.log.edits().is_empty());
        assert!(d.entities.is_empty());
    }

    #[test]
    fn language_rows_keep_established_forms() {
        let n = names(TOKAYEV);
        let it = run(&n, "Il Kazakistan partecipa", "it");
        assert_eq!(it.text(), "Il Kazakistan partecipa");
        assert_eq!(it.entities.len(), 1);
        let en = run(&n, "Kazakistan is", "en");
        assert_eq!(en.text(), "Kazakhstan is");
        let fr = run(&n, "le Kazakistan", "fr");
        assert!(
            fr.entities.is_empty(),
            "no row for French or for all languages"
        );
    }
}
