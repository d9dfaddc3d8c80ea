//! Segmentation into paragraphs and sentences.
//!
//! A paragraph is a non-blank line of the cleaned text (scraped news puts one paragraph per
//! line). Within it, a sentence ends after `.`, `!`, `?`, `…` or the Armenian `։` (and `:`,
//! which Armenian text often types for it), with any closing quotes or brackets after them
//! (French puts a space before `»`) and any footnote marker glued to them ("said.\[3\]"), when
//! whitespace follows and the next word starts with a capital letter, a digit, or an opening
//! quote or bracket, except after an abbreviation of the document's language
//! (`glossaries/abbreviations/<lang>.txt`), a single capital initial ("A. Lukashenko") or a
//! dotted acronym ("U.S."). Segments never cross paragraphs.
//!
//! Segment spans are stored in original coordinates, so later stages can never leave them
//! stale.

use rustc_hash::{FxHashMap, FxHashSet};

use crate::document::{Document, Segment};
use crate::edit::Bias;
use crate::error::Result;
use crate::glossary::{DataSet, FileKind};
use crate::stages::{ascii, lines_inclusive, Stage};

/// The segmentation stage.
#[derive(Debug, Default)]
pub struct Segmenter {
    /// Abbreviations (without their final period) by language.
    abbreviations: FxHashMap<String, FxHashSet<String>>,
    /// All of them, for documents whose language is not known.
    all: FxHashSet<String>,
}

const TERMINALS: &[char] = &['.', '!', '?', '…', '։', '。', '！', '？'];
const CLOSERS: &[char] = &['"', '\'', '”', '“', '’', '»', ')', ']', '›'];
const SPACED_CLOSERS: &[char] = &['»', '”'];
const OPENERS: &[char] = &['"', '\'', '“', '‘', '«', '„', '(', '[', '¿', '¡', '‹'];

/// Whether `b` can start one of [`TERMINALS`]: the ASCII ones, or the lead byte of the others
/// (E2 for `…`, D6 for `։`, E3 for `。`, EF for the full-width `！` and `？`).
fn may_start_terminal(b: u8) -> bool {
    matches!(b, b'.' | b'!' | b'?' | 0xE2 | 0xD6 | 0xE3 | 0xEF)
}

impl Segmenter {
    /// A segmenter with the abbreviation lists of `data`.
    pub fn new(data: &DataSet) -> Self {
        let mut s = Segmenter::default();
        for file in data.of(FileKind::Abbreviations) {
            let set = s.abbreviations.entry(file.stem().to_owned()).or_default();
            for (_, abbr) in file.lines() {
                let abbr = abbr.trim_end_matches('.');
                set.insert(abbr.to_owned());
                s.all.insert(abbr.to_owned());
            }
        }
        s
    }

    /// Sentence ends in `para`, as byte offsets just after each sentence (the last one is the
    /// paragraph's end).
    pub fn sentence_ends(&self, para: &str, lang: &str) -> Vec<usize> {
        let mut ends = Vec::new();
        self.sentence_ends_into(para, lang, &mut ends);
        ends
    }

    /// [`Segmenter::sentence_ends`] into `ends`, cleared first: one buffer serves every
    /// paragraph of a document.
    fn sentence_ends_into(&self, para: &str, lang: &str, ends: &mut Vec<usize>) {
        ends.clear();
        let abbr = self.abbreviations.get(lang).unwrap_or(&self.all);
        let colon = lang == "hy";
        let is_terminal = |c: char| TERMINALS.contains(&c) || (c == ':' && colon);
        let in_run = |c: char| is_terminal(c) || CLOSERS.contains(&c);
        let len_while = |s: &str, f: &dyn Fn(char) -> bool| -> usize {
            s.chars().take_while(|&c| f(c)).map(char::len_utf8).sum()
        };
        let bytes = para.as_bytes();
        let mut k = 0;
        // From one byte that can start a terminal to the next; the rest is not decoded.
        let marks: &[u8] = if colon { b".!?:" } else { b".!?" };
        loop {
            let i = ascii::next_exact(
                bytes,
                k,
                |x| ascii::non_ascii_or(x, marks),
                |b| may_start_terminal(b) || (colon && b == b':'),
            );
            if i == bytes.len() {
                break;
            }
            let c = para[i..].chars().next().expect("a character starts here");
            k = i + c.len_utf8();
            if !is_terminal(c) {
                continue;
            }
            let single_period = c == '.' && para[k..].chars().next().is_none_or(|d| !in_run(d));
            // The run of terminals and closers.
            let mut m = k + len_while(&para[k..], &in_run);
            // A closing quote after a space: « ... suffisant. »
            let mut after = para[m..].chars();
            if let (Some(' '), Some(q)) = (after.next(), after.next()) {
                if SPACED_CLOSERS.contains(&q) {
                    m += 1 + q.len_utf8();
                }
            }
            // A reference marker glued to the sentence's end: "said.[3] Next", "said.¹ Next".
            if let Some(len) = glued_marker(&para[m..], || plain_word(&para[..i])) {
                m += len;
            }
            let n = m + len_while(&para[m..], &char::is_whitespace);
            k = m;
            let Some(next) = para[n..].chars().next() else {
                continue; // the paragraph's end
            };
            if n == m || !(next.is_uppercase() || next.is_ascii_digit() || OPENERS.contains(&next))
            {
                continue; // no whitespace after, or no sentence start
            }
            if single_period && self.is_abbreviation(&para[..i], abbr) {
                continue;
            }
            ends.push(m);
        }
        ends.push(para.trim_end().len());
    }

    fn is_abbreviation(&self, before: &str, abbr: &FxHashSet<String>) -> bool {
        let word = last_word(before);
        if word.is_empty() {
            return false;
        }
        let mut letters = word.chars();
        let first = letters.next().expect("non-empty");
        // A single capital initial: "A. Lukashenko".
        if first.is_uppercase() && letters.next().is_none() {
            return true;
        }
        // A dotted acronym: "U.S", "z.B", "т.е".
        if word.contains('.')
            && word
                .split('.')
                .all(|p| p.chars().count() <= 2 && !p.is_empty())
        {
            return true;
        }
        abbr.contains(word) || abbr.contains(&word.to_lowercase())
    }
}

const SUPERSCRIPT_DIGITS: &[char] = &['¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹', '⁰'];

/// The length in bytes of a footnote or reference marker at the start of `rest`, when
/// whitespace follows it: `[12]`, `[a]`, superscript digits, and, after a plain word
/// (`after_plain_word`), one or two digits or one lower-case letter ("deutet.x Viele", a stray
/// key typed after the period). Anything else glued to a terminal ("example.com", "2.5",
/// "z.B.") is not a marker.
fn glued_marker(rest: &str, after_plain_word: impl Fn() -> bool) -> Option<usize> {
    let len = rest.find(char::is_whitespace)?; // None: nothing after it
    let mut buf = ['\0'; 5]; // no marker is longer than "[123]"
    let mut n = 0;
    for c in rest[..len].chars() {
        *buf.get_mut(n)? = c;
        n += 1;
    }
    let shape = match &buf[..n] {
        [] => false,
        ['[', inner @ .., ']'] => {
            (1..=3).contains(&inner.len()) && inner.iter().all(|c| c.is_alphanumeric())
        }
        m if m.iter().all(|c| SUPERSCRIPT_DIGITS.contains(c)) => m.len() <= 3,
        [c] if c.is_lowercase() => after_plain_word(),
        m if m.len() <= 2 && m.iter().all(char::is_ascii_digit) => after_plain_word(),
        _ => false,
    };
    shape.then_some(len)
}

/// Whether `before` ends in a word of at least three letters and nothing else: a sentence's
/// last word, not a number, an initial or a dotted abbreviation.
fn plain_word(before: &str) -> bool {
    let word = last_word(before);
    word.chars().count() >= 3 && word.chars().all(char::is_alphabetic)
}

/// What `before` ends with after its last space or opening quote or bracket: the word a
/// terminal follows.
fn last_word(before: &str) -> &str {
    before
        .rsplit(|c: char| c.is_whitespace() || OPENERS.contains(&c))
        .next()
        .unwrap_or("")
}

impl Stage for Segmenter {
    fn name(&self) -> &'static str {
        "segment"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        let text = doc.text();
        let map = doc.log.offsets();
        // Sentences come in order: their ends map back with a cursor, not a search each.
        let mut to_src = map.src_cursor();
        // A sentence of news runs to 100-150 bytes.
        let mut segments = Vec::with_capacity(text.len() / 128 + 1);
        let mut ends = Vec::new();
        let mut start = 0;
        let mut para = 0;
        for line in lines_inclusive(text) {
            let line_start = start;
            start += line.len();
            let lead = line.len() - line.trim_start().len();
            let body = line.trim();
            if body.is_empty() {
                continue;
            }
            let body_start = line_start + lead;
            let mut s = 0;
            self.sentence_ends_into(body, doc.lang, &mut ends);
            for &e in &ends {
                let piece = &body[s..e];
                let trimmed = piece.trim_start();
                let a = body_start + s + (piece.len() - trimmed.len());
                let b = body_start + e;
                if a < b {
                    segments.push(Segment {
                        src: to_src(a, Bias::Start)..to_src(b, Bias::End),
                        para,
                        lang: doc.lang,
                    });
                }
                s = e;
            }
            para += 1;
        }
        // Spans from inside one rewrite can touch; keep them disjoint and in order.
        segments.dedup_by(|b, a| {
            if b.src.start < a.src.end {
                a.src.end = a.src.end.max(b.src.end);
                true
            } else {
                false
            }
        });
        doc.segments = segments;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seg() -> Segmenter {
        Segmenter::new(&DataSet::defaults())
    }

    fn split(s: &str) -> Vec<&str> {
        split_in(s, "en")
    }

    fn split_in<'a>(s: &'a str, lang: &str) -> Vec<&'a str> {
        let mut out = Vec::new();
        let mut at = 0;
        for e in seg().sentence_ends(s, lang) {
            out.push(s[at..e].trim());
            at = e;
        }
        out
    }

    #[test]
    fn sentences_split_at_terminals_before_capitals() {
        assert_eq!(
            split("One. Two! Three? Four"),
            ["One.", "Two!", "Three?", "Four"]
        );
        assert_eq!(
            split("He said “go.” Then left."),
            ["He said “go.”", "Then left."]
        );
        assert_eq!(
            split("3.6 thousand troops, etc. and more."),
            ["3.6 thousand troops, etc. and more."]
        );
    }

    #[test]
    fn abbreviations_initials_and_acronyms_do_not_end_sentences() {
        assert_eq!(
            split("Gen. Smith met A. Lukashenko in St. Petersburg."),
            ["Gen. Smith met A. Lukashenko in St. Petersburg."]
        );
        assert_eq!(
            split("The U.S. President spoke. Next."),
            ["The U.S. President spoke.", "Next."]
        );
    }

    #[test]
    fn abbreviations_of_each_language() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "de",
                "Das gilt z.B. für Gen. Müller. Dann kam er.",
                &["Das gilt z.B. für Gen. Müller.", "Dann kam er."],
            ),
            (
                "ru",
                "Это т.е. проф. Иванов сказал. Потом ушёл.",
                &["Это т.е. проф. Иванов сказал.", "Потом ушёл."],
            ),
            (
                "it",
                "Armi, mezzi ecc. e poi il Sig. Rossi parlò. Fine.",
                &["Armi, mezzi ecc. e poi il Sig. Rossi parlò.", "Fine."],
            ),
            (
                "fr",
                "M. Dupont a dit « c'est fini. » Puis il est parti.",
                &["M. Dupont a dit « c'est fini. »", "Puis il est parti."],
            ),
            (
                "de",
                "Er sagte: „Das ist genug.“ Dann ging er.",
                &["Er sagte: „Das ist genug.“", "Dann ging er."],
            ),
            ("hy", "Նա ասաց։ Հետո գնաց:", &["Նա ասաց։", "Հետո գնաց:"]),
            (
                "en",
                "It rose 3.5 per cent. 200 people came... and left.",
                &["It rose 3.5 per cent.", "200 people came... and left."],
            ),
            (
                "en",
                "He met Mr. A. Lukashenko (in Minsk.) Then spoke.",
                &["He met Mr. A. Lukashenko (in Minsk.)", "Then spoke."],
            ),
        ];
        for (lang, text, want) in cases {
            assert_eq!(split_in(text, lang), *want, "{lang}: {text}");
        }
    }

    #[test]
    fn every_terminal_starts_with_a_byte_the_scan_stops_at() {
        for c in TERMINALS {
            let mut buf = [0; 4];
            assert!(
                may_start_terminal(c.encode_utf8(&mut buf).as_bytes()[0]),
                "{c}"
            );
        }
    }

    #[test]
    fn reference_markers_glued_to_a_sentence_end_stay_with_it() {
        let cases: &[(&str, &str, &[&str])] = &[
            (
                "en",
                "It was said.[3] Then more.",
                &["It was said.[3]", "Then more."],
            ),
            (
                "en",
                "It was said.[a] Then more.",
                &["It was said.[a]", "Then more."],
            ),
            (
                "en",
                "It was said.¹² Then more.",
                &["It was said.¹²", "Then more."],
            ),
            (
                "en",
                "He left Minsk.4 The talks",
                &["He left Minsk.4", "The talks"],
            ),
            (
                "de",
                "Das richtig deutet.x Viele beobachtete",
                &["Das richtig deutet.x", "Viele beobachtete"],
            ),
        ];
        for (lang, text, want) in cases {
            assert_eq!(split_in(text, lang), *want, "{lang}: {text}");
        }
        // Not markers: numbers, domains, abbreviations and initials keep their old reading.
        for text in [
            "Growth was 2.5 Percent higher.",
            "Visit example.com Today.",
            "See p.4 Below and z.B.x Here.",
            "In 2019.12 Experts met.",
            "The code.js File and A.b Test.",
            "He bought shares.xyz Later.",
        ] {
            assert_eq!(split(text), [text], "{text}");
        }
    }

    #[test]
    fn segments_are_per_line_in_original_coordinates() {
        let mut d = Document::new("t", "First one. Second one.\n\nThird.");
        seg().run(&mut d).unwrap();
        let spans: Vec<_> = d
            .segments
            .iter()
            .map(|s| (&d.src()[s.src.clone()], s.para))
            .collect();
        assert_eq!(
            spans,
            [("First one.", 0), ("Second one.", 0), ("Third.", 1)]
        );
    }
}
