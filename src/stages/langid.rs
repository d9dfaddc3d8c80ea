//! Language identification.
//!
//! Behind the [`Detector`] trait so another detector can be added. The default wraps whatlang,
//! run on a bounded sample of the cleaned text (whatlang's cost is per call and per byte; the
//! first couple of kilobytes decide a news article's language), optionally restricted to the
//! languages the user allows. Codes are ISO 639-1 where one exists; `und` when the text is too
//! short or the detector gives no answer.

use crate::document::{Document, LangCode, UND};
use crate::error::{Error, Result};
use crate::stages::Stage;

/// Bytes of text the detector looks at.
const SAMPLE_BYTES: usize = 2048;
/// Fewer letters than this and the language is `und`.
const MIN_LETTERS: usize = 12;
/// Below this many letters, only an answer the detector itself calls reliable is taken.
const SHORT_LETTERS: usize = 80;

/// The confidence from which a short text's language is taken.
const RELIABLE: f64 = 0.2;

/// A language detector: text in, a language and a confidence from 0 to 1 out.
pub trait Detector: Send + Sync + std::fmt::Debug {
    /// The language of `text`, or `None` when it cannot be told.
    fn detect(&self, text: &str) -> Option<(LangCode, f64)>;
}

/// whatlang, with an optional allowlist.
#[derive(Debug)]
pub struct Whatlang {
    inner: whatlang::Detector,
}

/// ISO 639-3 (whatlang) to the code we write: 639-1 where one exists.
const CODES: &[(&str, &str)] = &[
    ("afr", "af"),
    ("aka", "ak"),
    ("amh", "am"),
    ("ara", "ar"),
    ("aze", "az"),
    ("bel", "be"),
    ("ben", "bn"),
    ("bul", "bg"),
    ("cat", "ca"),
    ("ces", "cs"),
    ("cmn", "zh"),
    ("cym", "cy"),
    ("dan", "da"),
    ("deu", "de"),
    ("ell", "el"),
    ("eng", "en"),
    ("epo", "eo"),
    ("est", "et"),
    ("fin", "fi"),
    ("fra", "fr"),
    ("guj", "gu"),
    ("heb", "he"),
    ("hin", "hi"),
    ("hrv", "hr"),
    ("hun", "hu"),
    ("hye", "hy"),
    ("ind", "id"),
    ("ita", "it"),
    ("jav", "jv"),
    ("jpn", "ja"),
    ("kan", "kn"),
    ("kat", "ka"),
    ("khm", "km"),
    ("kor", "ko"),
    ("lat", "la"),
    ("lav", "lv"),
    ("lit", "lt"),
    ("mal", "ml"),
    ("mar", "mr"),
    ("mkd", "mk"),
    ("mya", "my"),
    ("nep", "ne"),
    ("nld", "nl"),
    ("nob", "nb"),
    ("ori", "or"),
    ("pan", "pa"),
    ("pes", "fa"),
    ("pol", "pl"),
    ("por", "pt"),
    ("ron", "ro"),
    ("rus", "ru"),
    ("sin", "si"),
    ("slk", "sk"),
    ("slv", "sl"),
    ("sna", "sn"),
    ("spa", "es"),
    ("srp", "sr"),
    ("swe", "sv"),
    ("tam", "ta"),
    ("tel", "te"),
    ("tgl", "tl"),
    ("tha", "th"),
    ("tuk", "tk"),
    ("tur", "tr"),
    ("ukr", "uk"),
    ("urd", "ur"),
    ("uzb", "uz"),
    ("vie", "vi"),
    ("yid", "yi"),
    ("zul", "zu"),
];

/// The code we write for a whatlang language.
pub fn code_of(lang: whatlang::Lang) -> LangCode {
    let three = lang.code();
    CODES
        .iter()
        .find(|(t, _)| *t == three)
        .map_or(three, |(_, two)| two)
}

/// The whatlang language of a code we write (639-1 or 639-3).
pub fn lang_of(code: &str) -> Option<whatlang::Lang> {
    let three = CODES
        .iter()
        .find(|(_, two)| *two == code)
        .map_or(code, |(t, _)| t);
    whatlang::Lang::from_code(three)
}

impl Whatlang {
    /// A detector over every whatlang language, or only over `allow` (639-1 or 639-3 codes).
    ///
    /// # Errors
    /// An allowed code whatlang does not know.
    pub fn new(allow: &[String]) -> Result<Self> {
        if allow.is_empty() {
            return Ok(Whatlang {
                inner: whatlang::Detector::new(),
            });
        }
        let langs = allow
            .iter()
            .map(|c| {
                lang_of(c).ok_or_else(|| Error::Config(format!("unknown language code `{c}`")))
            })
            .collect::<Result<Vec<_>>>()?;
        Ok(Whatlang {
            inner: whatlang::Detector::with_allowlist(langs),
        })
    }
}

impl Detector for Whatlang {
    fn detect(&self, text: &str) -> Option<(LangCode, f64)> {
        let info = self.inner.detect(text)?;
        Some((code_of(info.lang()), info.confidence()))
    }
}

/// The language identification stage.
#[derive(Debug)]
pub struct LangId {
    detector: Box<dyn Detector>,
}

impl LangId {
    /// A stage using `detector`.
    pub fn new(detector: Box<dyn Detector>) -> Self {
        LangId { detector }
    }
}

/// The first `max` bytes of `text`, cut at a char boundary.
fn sample(text: &str, max: usize) -> &str {
    if text.len() <= max {
        return text;
    }
    let mut end = max;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    &text[..end]
}

impl Stage for LangId {
    fn name(&self) -> &'static str {
        "langid"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        let s = sample(doc.text(), SAMPLE_BYTES);
        let letters = s
            .chars()
            .filter(|c| c.is_alphabetic())
            .take(SHORT_LETTERS)
            .count();
        let found = (letters >= MIN_LETTERS)
            .then(|| self.detector.detect(s))
            .flatten()
            .filter(|&(_, confidence)| letters >= SHORT_LETTERS || confidence >= RELIABLE);
        (doc.lang, doc.lang_confidence) = found.unwrap_or((UND, 0.0));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for l in whatlang::Lang::all() {
            assert_eq!(lang_of(code_of(*l)), Some(*l));
        }
    }

    #[test]
    fn detects_news_languages_and_refuses_short_text() {
        let stage = LangId::new(Box::new(Whatlang::new(&[]).unwrap()));
        for (text, want) in [
            ("The Collective Security Treaty Organization held exercises in Kazakhstan this week.", "en"),
            ("Il Kazakistan partecipa all’esercitazione militare dell’Organizzazione del Trattato.", "it"),
            ("Организация Договора о коллективной безопасности провела учения в Казахстане.", "ru"),
            ("Tags:", "und"),
        ] {
            let mut d = Document::new("t", text);
            stage.run(&mut d).unwrap();
            assert_eq!(d.lang, want, "{text}");
        }
    }
}
