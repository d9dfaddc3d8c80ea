//! Transliteration keys: one spelling for the many ways a name crosses alphabets.
//!
//! A key is the name lower-cased, written in Latin letters (`glossaries/translit/cyrillic.tsv`),
//! with letters such as č, š, ş, ž spelled out and other diacritics dropped, then folded by the
//! ordered rules of `glossaries/translit/fold.tsv` (q/k, zh/dzh/dj/j, kh/h, y/i, w/v, sch/sh
//! ...) with doubled letters counted once. Tokayev, Toqaev, Tokaev, Toqayev, Tokaïev, Tokajew and
//! Токаев all have the key `tokaev`.

use rustc_hash::FxHashMap;

use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use super::{DataSet, FileKind};
use crate::error::{Error, Result};

/// Computes transliteration keys.
#[derive(Debug, Clone, Default)]
pub struct Keyer {
    cyrillic: FxHashMap<char, String>,
    folds: Vec<(bool, String, String)>,
}

/// Letters spelled out before diacritics are dropped (their marks carry a sound).
fn spelled(c: char) -> Option<&'static str> {
    Some(match c {
        'č' => "ch",
        'š' | 'ş' | 'ș' => "sh",
        'ž' => "zh",
        'ç' => "ch",
        'ğ' => "g",
        'ı' => "i",
        'ł' => "l",
        'ø' => "o",
        'ß' => "ss",
        'ə' => "a",
        'đ' => "d",
        _ => return None,
    })
}

impl Keyer {
    /// The keyer configured by the `translit/` files of `data`.
    ///
    /// # Errors
    /// A malformed line, named by file and line.
    pub fn new(data: &DataSet) -> Result<Self> {
        let mut k = Keyer::default();
        for f in data.of(FileKind::Translit) {
            for (i, raw) in f.text.lines().enumerate() {
                if raw.trim().is_empty() || raw.starts_with('#') {
                    continue;
                }
                let bad = || Error::glossary(&f.path, i as u64 + 1, "expected FROM<TAB>TO");
                let (from, to) = raw.split_once('\t').ok_or_else(bad)?;
                if f.stem() == "cyrillic" {
                    let mut chars = from.chars();
                    let (Some(c), None) = (chars.next(), chars.next()) else {
                        return Err(bad());
                    };
                    k.cyrillic.insert(c, to.to_owned());
                } else {
                    let (start, from) = match from.strip_prefix('^') {
                        Some(f) => (true, f),
                        None => (false, from),
                    };
                    k.folds.push((start, from.to_owned(), to.to_owned()));
                }
            }
        }
        Ok(k)
    }

    /// The word lower-cased, in Latin letters, without diacritics: what edit distances compare.
    pub fn latin(&self, word: &str) -> String {
        if word.is_ascii() {
            return word.to_ascii_lowercase(); // what the loop below makes of ASCII
        }
        let mut out = String::with_capacity(word.len());
        for c in word.chars().flat_map(char::to_lowercase) {
            if c.is_ascii() {
                out.push(c);
            } else if let Some(l) = self.cyrillic.get(&c) {
                out.push_str(l);
            } else if let Some(s) = spelled(c) {
                out.push_str(s);
            } else {
                let mut base = [0; 4];
                let one: &str = c.encode_utf8(&mut base);
                out.extend(one.nfd().filter(|m| !is_combining_mark(*m)));
            }
        }
        out
    }

    /// The key of one word.
    pub fn key(&self, word: &str) -> String {
        let mut s = self.latin(word);
        // Which bytes occur: a rule whose first byte does not occur cannot apply, and most
        // rules are skipped without a search.
        let mut present = [false; 256];
        s.bytes().for_each(|b| present[usize::from(b)] = true);
        for (start, from, to) in &self.folds {
            if !from.bytes().next().is_some_and(|b| present[usize::from(b)]) {
                continue;
            }
            if *start {
                if s.starts_with(from.as_str()) {
                    s.replace_range(..from.len(), to);
                }
            } else if s.contains(from.as_str()) {
                s = s.replace(from.as_str(), to);
            } else {
                continue;
            }
            // A replacement may bring bytes in (stale bits for bytes it took out are harmless).
            to.bytes().for_each(|b| present[usize::from(b)] = true);
        }
        let mut out = String::with_capacity(s.len());
        let mut last = None;
        for c in s.chars() {
            if last != Some(c) {
                out.push(c);
                last = Some(c);
            }
        }
        out
    }

    /// The key of a name of several words (split at spaces and hyphens).
    pub fn key_phrase(&self, name: &str) -> String {
        Self::key_phrase_by(name, |w| self.key(w))
    }

    /// As [`Keyer::key_phrase`], with each word's key from `key` (a memo, say).
    pub fn key_phrase_by<'n>(name: &'n str, key: impl FnMut(&'n str) -> String) -> String {
        name.split(|c: char| c.is_whitespace() || c == '-')
            .filter(|w| !w.is_empty())
            .map(key)
            .collect::<Vec<_>>()
            .join(" ")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_share_a_key() {
        let k = Keyer::new(&DataSet::defaults()).unwrap();
        for v in [
            "Tokayev",
            "Toqaev",
            "Tokaev",
            "Toqayev",
            "Tokaïev",
            "Tokajew",
            "Токаев",
            "Тоқаев",
        ] {
            assert_eq!(k.key(v), "tokaev", "{v}");
        }
        for v in [
            "Kassym-Jomart",
            "Qasym-Zhomart",
            "Kasim-Jomart",
            "Kasym-Zhomart",
        ] {
            assert_eq!(k.key_phrase(v), "kasim iomart", "{v}");
        }
        for v in ["Pashinyan", "Pashinian", "Paschinjan", "Пашинян"] {
            assert_eq!(k.key(v), "pashinian", "{v}");
        }
        for v in ["Japarov", "Zhaparov", "Dzhaparov", "Жапаров"] {
            assert_eq!(k.key(v), "iaparov", "{v}");
        }
        assert_eq!(k.key("Yerevan"), k.key("Erevan"));
        assert_ne!(k.key("Tokayev"), k.key("Tokarev"));
    }
}
