//! Unicode hygiene: the repairs every later stage relies on.
//!
//! In order, each an edit of kind `unicode` with a named rule:
//!
//! 1. `unicode:mojibake`: UTF-8 read as Windows-1252 or Latin-1 is repaired, on local evidence
//!    only (see [`super::mojibake`]).
//! 2. `unicode:newline`: `\r\n` and lone `\r` become `\n`.
//! 3. `unicode:control`: C0/C1 control characters other than tab and newline are removed.
//! 4. `unicode:invisible`: a zero-width space, word joiner or soft hyphen inside a word is
//!    removed ("Toka\u{200b}yev" -> "Tokayev"), and a byte-order mark anywhere. Zero-width
//!    (non-)joiners are kept: they carry meaning in Persian and in emoji.
//! 5. `unicode:space`: with `fold_spaces` (the `ascii` and `moses` punctuation modes),
//!    non-breaking and other exotic spaces become a plain space. By default they stay: French
//!    puts them before `;:!?»`, and many languages inside numbers; names still match across
//!    them.
//! 6. `unicode:entity`: HTML character references (`&amp;`, `&#8217;`) are decoded.
//! 7. `unicode:nfc` (or `unicode:nfkc`): only the runs that are not already normalized are
//!    rewritten, so clean text costs one quick check and gets no edit.
//! 8. `unicode:blanks`: layout runs of blanks inside a line (four or more, or with a tab)
//!    shrink to one space.

use std::ops::Range;
use std::sync::{Arc, LazyLock};

use regex::Regex;
use unicode_normalization::char::canonical_combining_class;
use unicode_normalization::{is_nfc_quick, is_nfkc_quick, IsNormalized, UnicodeNormalization};

use crate::document::Document;
use crate::edit::{EditKind, Replacement, Rule};
use crate::error::Result;
use crate::stages::{ascii, is_alphanumeric, is_exotic_space, mojibake, Stage};

/// Which Unicode normalization form to apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Form {
    /// Canonical composition: changes no meaning.
    #[default]
    Nfc,
    /// Compatibility composition: also folds ligatures, full-width forms, superscripts.
    Nfkc,
}

/// The Unicode hygiene stage.
#[derive(Debug)]
pub struct Hygiene {
    form: Form,
    fold_spaces: bool,
    rules: [Rule; 8],
}

static ENTITY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
        .expect("valid regex")
});

impl Hygiene {
    /// A hygiene stage normalizing to `form`; `fold_spaces` turns exotic spaces into plain ones.
    pub fn new(form: Form, fold_spaces: bool) -> Self {
        let r = |s: &str| Arc::from(s);
        let norm = match form {
            Form::Nfc => "unicode:nfc",
            Form::Nfkc => "unicode:nfkc",
        };
        Hygiene {
            form,
            fold_spaces,
            rules: [
                r("unicode:newline"),
                r("unicode:control"),
                r("unicode:invisible"),
                r("unicode:space"),
                r("unicode:entity"),
                r(norm),
                r("unicode:blanks"),
                r("unicode:mojibake"),
            ],
        }
    }

    /// Newlines, control characters, invisible characters and exotic spaces: one pass over
    /// the bytes that can start one of them.
    fn characters(&self, text: &str) -> Vec<Replacement> {
        let mut reps = Vec::new();
        let bytes = text.as_bytes();
        let mut at = 0;
        loop {
            let i = ascii::next_exact(
                bytes,
                at,
                ascii::non_ascii_or_control,
                may_start_character_edit,
            );
            if i == bytes.len() {
                break;
            }
            let Some(c) = text[i..].chars().next() else {
                break;
            };
            let end = i + c.len_utf8();
            at = end;
            let before = text[..i].chars().next_back();
            let next = text[end..].chars().next();
            let (to, rule) = match c {
                '\r' => {
                    if next == Some('\n') {
                        ("", 0) // the \n that follows stays
                    } else {
                        ("\n", 0)
                    }
                }
                '\t' | '\n' => continue,
                c if c.is_control() => ("", 1),
                '\u{FEFF}' => ("", 2),
                '\u{200B}' | '\u{2060}' | '\u{00AD}' => {
                    let inside =
                        before.is_some_and(is_alphanumeric) && next.is_some_and(is_alphanumeric);
                    if !inside {
                        continue;
                    }
                    ("", 2)
                }
                c if self.fold_spaces && is_exotic_space(c) => (" ", 3),
                _ => continue,
            };
            reps.push(Replacement::new(
                i..end,
                to,
                EditKind::Unicode,
                &self.rules[rule],
            ));
        }
        reps
    }

    fn entities(&self, text: &str) -> Vec<Replacement> {
        if memchr::memchr(b'&', text.as_bytes()).is_none() {
            return Vec::new();
        }
        ENTITY
            .find_iter(text)
            .filter_map(|m| {
                let decoded = html_escape::decode_html_entities(m.as_str());
                let ok = decoded != m.as_str()
                    && !decoded
                        .chars()
                        .any(|c| c.is_control() && c != '\n' && c != '\t');
                ok.then(|| Replacement::new(m.range(), decoded, EditKind::Unicode, &self.rules[4]))
            })
            .collect()
    }

    fn normalize(&self, text: &str) -> Vec<Replacement> {
        let quick = quick_check(text, self.form);
        if quick == IsNormalized::Yes {
            return Vec::new();
        }
        let mut reps = Vec::new();
        for run in unnormalized_runs(text, self.form) {
            let piece = &text[run.clone()];
            let fixed: String = match self.form {
                Form::Nfc => piece.nfc().collect(),
                Form::Nfkc => piece.nfkc().collect(),
            };
            if fixed != piece {
                reps.push(Replacement::new(
                    run,
                    fixed,
                    EditKind::Unicode,
                    &self.rules[5],
                ));
            }
        }
        reps
    }

    /// Layout spacing inside a line: a run of four or more blanks, or one with a tab, becomes
    /// one space. Two or three spaces are left alone (clean text has them as typos, and they change
    /// nothing downstream); so are indentation and blanks at a line's end, which lie outside
    /// every segment.
    fn blanks(&self, text: &str) -> Vec<Replacement> {
        let bytes = text.as_bytes();
        let mut reps = Vec::new();
        if memchr::memchr(b'\t', bytes).is_none() && memchr::memmem::find(bytes, b"    ").is_none()
        {
            return reps; // no run of four blanks, no tab: nothing is layout
        }
        let mut i = 0;
        while i < bytes.len() {
            if bytes[i] != b' ' && bytes[i] != b'\t' {
                i += 1;
                continue;
            }
            let start = i;
            while i < bytes.len() && (bytes[i] == b' ' || bytes[i] == b'\t') {
                i += 1;
            }
            let at_line_end = i == bytes.len() || bytes[i] == b'\n' || bytes[i] == b'\r';
            let at_line_start = start == 0 || bytes[start - 1] == b'\n';
            let run = &bytes[start..i];
            let layout = run.len() >= 4 || run.contains(&b'\t');
            if at_line_end || at_line_start || !layout {
                continue;
            }
            let range = if run[0] == b' ' {
                start + 1..i
            } else {
                start..i
            };
            let to = if run[0] == b' ' { "" } else { " " };
            reps.push(Replacement::new(
                range,
                to,
                EditKind::Unicode,
                &self.rules[6],
            ));
        }
        reps
    }
}

impl Stage for Hygiene {
    fn name(&self) -> &'static str {
        "hygiene"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        for _ in 0..mojibake::ROUNDS {
            let reps: Vec<Replacement> = mojibake::repairs(doc.text())
                .into_iter()
                .map(|(r, fixed)| Replacement::new(r, fixed, EditKind::Unicode, &self.rules[7]))
                .collect();
            if reps.is_empty() {
                break;
            }
            doc.apply(reps);
        }
        let reps = self.characters(doc.text());
        doc.apply(reps);
        let reps = self.entities(doc.text());
        doc.apply(reps);
        let reps = self.normalize(doc.text());
        doc.apply(reps);
        let reps = self.blanks(doc.text());
        doc.apply(reps);
        Ok(())
    }
}

/// Whether a character starting with byte `b` may need an edit in [`Hygiene::characters`]:
/// an ASCII control other than tab and newline, or the lead byte of a C1 control, U+00A0 or
/// U+00AD (0xC2), U+1680 (0xE1), U+2000..U+206F (0xE2), U+3000 (0xE3) or U+FEFF (0xEF).
fn may_start_character_edit(b: u8) -> bool {
    (b < 0x20 && b != b'\n' && b != b'\t') || matches!(b, 0x7F | 0xC2 | 0xE1 | 0xE2 | 0xE3 | 0xEF)
}

/// The normalization quick check of `text`, run only over its non-ASCII stretches: an ASCII
/// character is a normalized starter, so the check starts afresh after one, and the text's
/// answer is the worst of its stretches'.
fn quick_check(text: &str, form: Form) -> IsNormalized {
    let bytes = text.as_bytes();
    let mut answer = IsNormalized::Yes;
    let mut i = 0;
    loop {
        i = ascii::next_non_ascii(bytes, i);
        if i == bytes.len() {
            return answer;
        }
        let end = bytes[i..]
            .iter()
            .position(u8::is_ascii)
            .map_or(bytes.len(), |k| i + k);
        let chars = text[i..end].chars();
        match match form {
            Form::Nfc => is_nfc_quick(chars),
            Form::Nfkc => is_nfkc_quick(chars),
        } {
            IsNormalized::No => return IsNormalized::No,
            IsNormalized::Maybe => answer = IsNormalized::Maybe,
            IsNormalized::Yes => {}
        }
        i = end;
    }
}

/// The byte ranges of `text` that may change under normalization: each starts at a starter
/// before a character that is not known to be normalized, and ends before the next character
/// that is a stable starter (combining class 0 and quick check `Yes`), which nothing before it
/// can compose with.
fn unnormalized_runs(text: &str, form: Form) -> Vec<Range<usize>> {
    let qc_yes = |c: char| {
        let one = std::iter::once(c);
        match form {
            Form::Nfc => is_nfc_quick(one) == IsNormalized::Yes,
            Form::Nfkc => is_nfkc_quick(one) == IsNormalized::Yes,
        }
    };
    let stable = |c: char| canonical_combining_class(c) == 0 && qc_yes(c);
    let mut runs: Vec<Range<usize>> = Vec::new();
    let mut last_starter = 0; // byte index of the last stable starter
    let mut chars = text.char_indices().peekable();
    while let Some((i, c)) = chars.next() {
        if stable(c) {
            last_starter = i;
            continue;
        }
        let start = last_starter;
        let mut end = text.len();
        while let Some(&(j, d)) = chars.peek() {
            if stable(d) {
                end = j;
                break;
            }
            chars.next();
        }
        match runs.last_mut() {
            Some(r) if r.end >= start => r.end = end,
            _ => runs.push(start..end),
        }
        last_starter = end;
    }
    runs
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::edit::apply_edits;

    proptest::proptest! {
        /// Checking only the non-ASCII stretches answers as checking the whole text does.
        #[test]
        fn quick_check_by_stretches_is_the_whole_check(
            s in "([a-z .]{0,4}|[\u{300}\u{301}\u{327}\u{316}]|[éeÅ\u{212b}\u{2000}ﬁ²가\u{1100}\u{1161}’]){0,24}"
        ) {
            proptest::prop_assert_eq!(quick_check(&s, Form::Nfc), is_nfc_quick(s.chars()));
            proptest::prop_assert_eq!(quick_check(&s, Form::Nfkc), is_nfkc_quick(s.chars()));
        }
    }

    fn clean(s: &str) -> Document {
        let mut d = Document::new("t", s);
        Hygiene::new(Form::Nfc, true).run(&mut d).unwrap();
        d
    }

    #[test]
    fn clean_text_gets_no_edit() {
        for s in [
            "Plain ASCII text.\nSecond line.",
            "Il Kazakistan partecipa all’esercitazione",
            "Токаев заявил",
            "7 644",
        ] {
            assert!(clean(s).log.edits().is_empty(), "{s:?}");
        }
    }

    #[test]
    fn default_keeps_typographic_spaces_and_invisible_characters_between_words() {
        let mut d = Document::new(
            "t",
            "Il a dit\u{a0}: «\u{202f}oui\u{202f}» 7\u{a0}644 The AI \u{200b}system",
        );
        Hygiene::new(Form::Nfc, false).run(&mut d).unwrap();
        assert!(d.log.edits().is_empty(), "{:?}", d.log.edits());
    }

    #[test]
    fn invisible_characters_inside_names_go() {
        let d = clean("Toka\u{200b}yev and CS\u{00ad}TO");
        assert_eq!(d.text(), "Tokayev and CSTO");
        assert_eq!(d.log.edits()[0].src, 4..7);
        assert_eq!(&*d.log.edits()[0].rule, "unicode:invisible");
    }

    #[test]
    fn spaces_entities_and_blanks() {
        let d = clean("7\u{00a0}644 km &amp; more    here \t\r\nnext");
        assert_eq!(d.text(), "7 644 km & more here \t\nnext");
        assert_eq!(apply_edits(d.src(), 0, d.log.edits()), d.text());
    }

    #[test]
    fn nfc_touches_only_decomposed_runs() {
        let d = clean("cafe\u{301} and Tokai\u{308}ev");
        assert_eq!(d.text(), "café and Tokaïev");
        assert_eq!(d.log.edits().len(), 2);
        assert_eq!(d.log.edits()[0].src, 3..6);
        assert_eq!(&*d.log.edits()[0].rule, "unicode:nfc");
    }

    #[test]
    fn every_character_edit_starts_with_a_byte_the_scan_stops_at() {
        for fold_spaces in [false, true] {
            let h = Hygiene::new(Form::Nfc, fold_spaces);
            for c in (0..=0x10FFFF).filter_map(char::from_u32) {
                let text = format!("a{c}b");
                if !h.characters(&text).is_empty() {
                    let lead = c.to_string().as_bytes()[0];
                    assert!(may_start_character_edit(lead), "{c:?} {lead:#x}");
                }
            }
        }
    }

    #[test]
    fn runs_agree_with_whole_string_nfc() {
        for s in [
            "a\u{0323}\u{0302}b",
            "\u{212B}ngstrom",
            "\u{0B47}\u{0B3E}",
            "e\u{0301}\u{0301}x",
            "\u{1100}\u{1161}\u{11A8}",
        ] {
            let want: String = s.nfc().collect();
            assert_eq!(clean(s).text(), want, "{s:?}");
        }
    }
}
