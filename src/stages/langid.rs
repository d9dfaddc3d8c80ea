//! Language identification, per document and per segment.
//!
//! Behind the [`Detector`] trait so another detector can be added. The default,
//! [`ScriptFirst`], decides by script first and asks whatlang only where the script leaves a
//! choice:
//!
//! - Candidates come from `glossaries/langid/languages.txt` (or `--langs`): the languages of
//!   news. Languages whatlang knows but that almost never carry news here are left out, since
//!   on short text they are its most frequent wrong answers.
//! - A script with one candidate (Armenian, Georgian, Greek ...) decides at once.
//! - Cyrillic text is checked for the letters only Kazakh (ә ұ һ, and ғ қ), Kyrgyz (ң ө ү
//!   without і) and Tajik (ӣ ӯ ҳ ҷ) use, which whatlang does not know; where a short Kyrgyz
//!   text has none, its common words (`glossaries/langid/ky.txt`) against Russian's decide.
//!   Otherwise whatlang chooses among the Cyrillic candidates (Russian, Ukrainian, Belarusian,
//!   Bulgarian ...).
//! - Other scripts go to whatlang, restricted to the candidates.
//! - whatlang chooses only among the candidates the letter facts leave
//!   (`glossaries/langid/letters.txt`: Bulgarian never writes ы, Azerbaijani needs ə ...): two
//!   letters a language never writes rule it out, one only when another candidate has none.
//!   When whatlang is unsure, the common words of the candidates (`glossaries/langid/<lang>.txt`)
//!   decide if one language clearly leads.
//!
//! whatlang runs on a bounded sample (its cost is per call and per byte; the first couple of
//! kilobytes decide a news article). Too short or too uncertain a text is `und`: a wrong
//! confident answer would pick the wrong glossary rows and rules downstream.
//!
//! A segment takes the document's language unless it is clearly other: in another script
//! (a Russian quotation in an English article), or long and confidently detected as another
//! language.

use std::collections::HashMap;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use whatlang::Script;

use crate::document::{Document, LangCode, UND};
use crate::edit::Bias;
use crate::error::{Error, Result};
use crate::glossary::{DataSet, FileKind};
use crate::stages::{ascii, is_alphabetic, Stage};

/// Bytes of text the detector looks at: the first kilobyte decides a news article.
const SAMPLE_BYTES: usize = 1024;
/// Fewer letters than this and the language is `und`.
const MIN_LETTERS: usize = 12;
/// Below this many letters, a text's language is taken only from a confident answer.
const SHORT_LETTERS: usize = 30;
/// The confidence from which a short text's language is taken.
const SHORT_CONFIDENCE: f64 = 0.2;
/// A segment in the document's script switches language only with this many letters ...
const SEGMENT_LETTERS: usize = 150;
/// ... and this confidence.
const SEGMENT_CONFIDENCE: f64 = 0.9;

/// A language detector: text in, a language and a confidence from 0 to 1 out.
pub trait Detector: Send + Sync + std::fmt::Debug {
    /// The language of `text`, or `None` when it cannot be told.
    fn detect(&self, text: &str) -> Option<(LangCode, f64)>;

    /// Whether `text` plainly carries words of `lang`: cheap evidence that lets a segment keep
    /// its document's language without a full detection. `false` when unsure.
    fn speaks(&self, _text: &str, _lang: LangCode) -> bool {
        false
    }
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

/// Languages we add to whatlang's, all written in Cyrillic here.
const KAZAKH: LangCode = "kk";
const KYRGYZ: LangCode = "ky";
const TAJIK: LangCode = "tg";
const OURS: &[(LangCode, &str)] = &[(KAZAKH, "kaz"), (KYRGYZ, "kir"), (TAJIK, "tgk")];

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

/// The code we write for a 639-1 or 639-3 code, if the detector knows the language.
fn code(c: &str) -> Option<LangCode> {
    lang_of(c).map(code_of).or_else(|| ours(c))
}

/// Our code for a language whatlang does not know (`kk`, `kaz` -> `kk`).
fn ours(code: &str) -> Option<LangCode> {
    OURS.iter()
        .find(|(two, three)| *two == code || *three == code)
        .map(|(two, _)| *two)
}

/// The script-first detector.
#[derive(Debug)]
pub struct ScriptFirst {
    /// Candidates whatlang knows.
    whatlang: Vec<whatlang::Lang>,
    /// The Cyrillic ones among them.
    cyrillic: Vec<whatlang::Lang>,
    /// Our own candidates (kk, ky, tg) that are allowed.
    extra: Vec<LangCode>,
    /// Letter facts from `langid/letters.txt`.
    letters: Vec<LetterFact>,
    /// Every letter some fact names: the only ones worth counting.
    fact_letters: std::collections::HashSet<char>,
    /// Common words, and the languages whose lists have them.
    words: CommonWords,
}

/// Common words and the languages whose lists have them. Most words of news text are ASCII
/// and at most eight bytes long: those are looked up as one integer ([`ascii::short_key`],
/// lower-cased), without building a string and hashing its bytes (callgrind, first 3 MB of
/// the seed-7 corpus: the lookups fell from 28 to 22 million instructions). Longer ASCII
/// words pass a filter first, one bit per hash of (length, first letter, last letter): most
/// words of a text are no common word, and an unset bit says so without lower-casing and
/// hashing them.
#[derive(Debug)]
struct CommonWords {
    map: FxHashMap<String, Vec<LangCode>>,
    /// The ASCII words of `map` of at most eight bytes, by [`ascii::short_key`].
    short: FxHashMap<u64, Vec<LangCode>>,
    ascii: Box<[u64; 64]>,
}

impl CommonWords {
    fn new() -> Self {
        CommonWords {
            map: FxHashMap::default(),
            short: FxHashMap::default(),
            ascii: Box::new([0; 64]),
        }
    }

    /// The filter's bit for an ASCII word of `len` bytes from `first` to `last`, lower-cased.
    fn bit(len: usize, first: u8, last: u8) -> usize {
        (len.wrapping_mul(0x9E5) ^ (usize::from(first) << 4) ^ usize::from(last).wrapping_mul(131))
            % (64 * 64)
    }

    /// Records that `lang`'s list has `word`.
    fn insert(&mut self, word: &str, lang: LangCode) {
        let word = word.to_lowercase();
        if let (true, Some(&first), Some(&last)) = (
            word.is_ascii(),
            word.as_bytes().first(),
            word.as_bytes().last(),
        ) {
            let bit = Self::bit(word.len(), first, last);
            self.ascii[bit / 64] |= 1 << (bit % 64);
        }
        if let Some(key) = ascii::short_key(word.as_bytes(), true).filter(|_| word.is_ascii()) {
            let langs = self.short.entry(key).or_default();
            if !langs.contains(&lang) {
                langs.push(lang);
            }
        }
        let langs = self.map.entry(word).or_default();
        if !langs.contains(&lang) {
            langs.push(lang);
        }
    }

    /// The languages whose lists have `word` (not empty) in any case; `lower` is scratch.
    fn get(&self, word: &str, lower: &mut String) -> Option<&[LangCode]> {
        lower.clear();
        if word.is_ascii() {
            let b = word.as_bytes();
            if let Some(key) = ascii::short_key(b, true) {
                return self.short.get(&key).map(Vec::as_slice);
            }
            let (first, last) = (
                b[0].to_ascii_lowercase(),
                b[b.len() - 1].to_ascii_lowercase(),
            );
            let bit = Self::bit(b.len(), first, last);
            if self.ascii[bit / 64] & (1 << (bit % 64)) == 0 {
                return None;
            }
            lower.push_str(word);
            lower.make_ascii_lowercase();
        } else {
            lower.extend(word.chars().flat_map(char::to_lowercase));
        }
        self.map.get(lower.as_str()).map(Vec::as_slice)
    }
}

/// `never`: a text with one of the letters is not in the language; `needs`: a text of some
/// length with none of them is not.
#[derive(Debug)]
struct LetterFact {
    lang: LangCode,
    needs: bool,
    letters: Vec<char>,
}

/// Below this whatlang confidence, common words may overrule whatlang's answer.
const WORDS_DECIDE_BELOW: f64 = 0.5;
/// A `needs` fact applies to texts with at least this many letters.
const NEEDS_LETTERS: usize = 40;

impl ScriptFirst {
    /// A detector choosing among `allow` (codes), or among the candidates of `data` when
    /// `allow` is empty.
    ///
    /// # Errors
    /// A code that is neither whatlang's nor one we add, named with the file and line it came
    /// from (or as a usage error for `--langs`).
    pub fn new(data: &DataSet, allow: &[String]) -> Result<Self> {
        let mut codes: Vec<(String, Option<(String, u64)>)> =
            allow.iter().map(|c| (c.trim().to_owned(), None)).collect();
        let lists = || data.of(FileKind::Langid);
        if codes.is_empty() {
            for f in lists().filter(|f| f.stem() == "languages") {
                codes.extend(
                    f.lines()
                        .map(|(n, c)| (c.to_owned(), Some((f.path.clone(), n)))),
                );
            }
        }
        let unknown = |code: &str, origin: Option<(&str, u64)>| {
            let reason = format!("unknown language code `{code}`");
            match origin {
                Some((path, line)) => Error::glossary(path, line, reason),
                None => Error::Config(reason),
            }
        };
        let mut whatlang = Vec::new();
        let mut extra = Vec::new();
        for (code, origin) in &codes {
            if let Some(l) = lang_of(code) {
                whatlang.push(l);
            } else if let Some(o) = ours(code) {
                extra.push(o);
            } else {
                return Err(unknown(
                    code,
                    origin.as_ref().map(|(p, n)| (p.as_str(), *n)),
                ));
            }
        }
        if codes.is_empty() {
            whatlang = whatlang::Lang::all().to_vec();
            extra = OURS.iter().map(|(c, _)| *c).collect();
        }
        let cyrillic = whatlang
            .iter()
            .copied()
            .filter(|l| script_of(*l) == Some(Script::Cyrillic))
            .collect();
        let mut letters = Vec::new();
        let mut words = CommonWords::new();
        for f in lists().filter(|f| f.stem() != "languages") {
            if f.stem() == "letters" {
                for (n, line) in f.lines() {
                    let parts: Vec<&str> = line.split_whitespace().collect();
                    let fact = match parts[..] {
                        [lang, kind @ ("never" | "needs"), set] => {
                            code(lang).map(|lang| LetterFact {
                                lang,
                                needs: kind == "needs",
                                letters: set.chars().collect(),
                            })
                        }
                        _ => {
                            return Err(Error::glossary(
                                &f.path,
                                n,
                                "expected `LANG never|needs LETTERS`",
                            ))
                        }
                    };
                    letters.push(fact.ok_or_else(|| unknown(parts[0], Some((&f.path, n))))?);
                }
                continue;
            }
            let lang = code(f.stem()).ok_or_else(|| unknown(f.stem(), Some((&f.path, 0))))?;
            for (_, w) in f.lines() {
                words.insert(w, lang);
            }
        }
        let fact_letters = letters
            .iter()
            .flat_map(|f| f.letters.iter().copied())
            .collect();
        Ok(ScriptFirst {
            whatlang,
            cyrillic,
            extra,
            letters,
            fact_letters,
            words,
        })
    }

    /// For each word of `text` (a run of letters), the languages whose common words have it.
    fn word_langs<'s>(
        &'s self,
        text: &'s str,
    ) -> impl Iterator<Item = Option<&'s [LangCode]>> + 's {
        let mut lower = String::new();
        text.split(|c: char| !is_alphabetic(c))
            .filter(|w| !w.is_empty())
            .map(move |w| self.words.get(w, &mut lower))
    }

    /// Common-word evidence: each word scores for the languages whose lists have it, shared
    /// words less. The best of `among` when it clearly leads.
    fn by_words(&self, text: &str, among: impl Fn(LangCode) -> bool) -> Option<(LangCode, f64)> {
        let (ranked, n) = self.word_scores(text, among);
        let best = *ranked.first()?;
        let second = ranked.get(1).map_or(0.0, |s| s.1);
        (best.1 >= 2.0 && best.1 >= 2.0 * second && n >= 3)
            .then(|| (best.0, (best.1 / n as f64).min(1.0)))
    }

    /// The candidates of `among` ranked by common-word score (a word in several lists counts
    /// for each a share), best first, and the number of words in `text`.
    fn word_scores(
        &self,
        text: &str,
        among: impl Fn(LangCode) -> bool,
    ) -> (Vec<(LangCode, f64)>, usize) {
        let mut scores: Vec<(LangCode, f64)> = Vec::new();
        let mut n = 0;
        for langs in self.word_langs(text) {
            n += 1;
            if let Some(langs) = langs {
                add_shares(&mut scores, langs);
            }
        }
        let mut ranked: Vec<(LangCode, f64)> =
            scores.into_iter().filter(|(l, _)| among(l)).collect();
        ranked.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(b.0)));
        (ranked, n)
    }

    /// How many letters of `lang`'s `never` facts the text has (`None`: the language has no
    /// such fact), and whether a `needs` fact rules it out.
    fn fact_hits(
        &self,
        lang: LangCode,
        counts: &HashMap<char, usize>,
        letters: usize,
    ) -> (Option<usize>, bool) {
        let mut never = None;
        let mut lacks = false;
        for f in self.letters.iter().filter(|f| f.lang == lang) {
            let n: usize = f
                .letters
                .iter()
                .map(|c| counts.get(c).copied().unwrap_or(0))
                .sum();
            if f.needs {
                lacks |= letters >= NEEDS_LETTERS && n == 0;
            } else {
                *never.get_or_insert(0) += n;
            }
        }
        (never, lacks)
    }

    /// The candidates the letter facts leave. A language is out when the text lacks letters
    /// it needs, or has two of its `never` letters (one foreign name is not enough), or has one
    /// while another candidate with `never` facts has none: "Це п'ята ... Мартеллі", with one
    /// і, is Ukrainian rather than Bulgarian, and a Belarusian sentence quoting a Russian и
    /// stays Belarusian when every other Cyrillic language is ruled out by more.
    fn by_letters(
        &self,
        candidates: &[whatlang::Lang],
        counts: &HashMap<char, usize>,
        letters: usize,
    ) -> Vec<whatlang::Lang> {
        let hits: Vec<_> = candidates
            .iter()
            .map(|l| self.fact_hits(code_of(*l), counts, letters))
            .collect();
        let fewest = hits.iter().filter_map(|h| h.0).min();
        candidates
            .iter()
            .zip(&hits)
            .filter(|(_, (never, lacks))| {
                !lacks && never.is_none_or(|n| n < 2 && (n == 0 || fewest != Some(0)))
            })
            .map(|(l, _)| *l)
            .collect()
    }

    /// whatlang among `candidates`, checked against the letter facts and, when unsure,
    /// against common words.
    fn choose(&self, text: &str, candidates: &[whatlang::Lang]) -> Option<(LangCode, f64)> {
        let mut present: HashMap<char, usize> = HashMap::new();
        for c in text.chars().flat_map(char::to_lowercase) {
            if self.fact_letters.contains(&c) {
                *present.entry(c).or_default() += 1;
            }
        }
        let letters = text.chars().filter(|c| c.is_alphabetic()).count();
        let allowed = self.by_letters(candidates, &present, letters);
        if allowed.is_empty() {
            return None;
        }
        let info = whatlang::Detector::with_allowlist(allowed.clone()).detect(text)?;
        let (lang, confidence) = (code_of(info.lang()), info.confidence());
        if confidence < WORDS_DECIDE_BELOW {
            let allowed_codes: Vec<LangCode> = allowed.iter().map(|l| code_of(*l)).collect();
            if let Some(better) = self.by_words(text, |l| allowed_codes.contains(&l)) {
                return Some(better);
            }
        }
        Some((lang, confidence))
    }

    fn allows(&self, code: LangCode) -> bool {
        self.extra.contains(&code)
    }

    /// Cyrillic: our letters and words first, then whatlang among the Cyrillic candidates.
    fn cyrillic(&self, text: &str) -> Option<(LangCode, f64)> {
        let (mut tg, mut kk, mut gq, mut ky, mut i) = (0u32, 0u32, 0u32, 0u32, 0u32);
        for c in text.chars() {
            match c {
                'ӣ' | 'Ӣ' | 'ӯ' | 'Ӯ' | 'ҳ' | 'Ҳ' | 'ҷ' | 'Ҷ' => tg += 1,
                'ә' | 'Ә' | 'ұ' | 'Ұ' | 'һ' | 'Һ' => kk += 1,
                'ғ' | 'Ғ' | 'қ' | 'Қ' => gq += 1,
                'ң' | 'Ң' | 'ө' | 'Ө' | 'ү' | 'Ү' => ky += 1,
                'і' | 'І' => i += 1,
                _ => {}
            }
        }
        let sure = |n: u32| 1.0 - 0.5f64.powi(n.min(30) as i32);
        // Kazakh-only letters decide; ғ and қ, shared by Kazakh and Tajik, go with whichever
        // other letters stand beside them; ң ө ү without і are Kyrgyz.
        let kazakh_context = kk > 0 || i > 0 || ky > 0;
        let pick = if tg > 0 && tg >= kk {
            Some(TAJIK)
        } else if kk > 0 || (gq > 0 && kazakh_context) || (ky > 0 && i > 0) {
            Some(KAZAKH)
        } else if gq > 0 {
            Some(TAJIK)
        } else if ky > 0 {
            Some(KYRGYZ)
        } else {
            None
        };
        if let Some(lang) = pick.filter(|l| self.allows(l)) {
            return Some((lang, sure(tg + kk + gq + ky + i)));
        }
        if self.allows(KYRGYZ) {
            // No Kyrgyz letters: Kyrgyz words, and no Russian ones, still tell.
            let (mut ky_hits, mut ru_hits, mut words) = (0u32, 0u32, 0u32);
            for langs in self.word_langs(text) {
                words += 1;
                if let Some(langs) = langs {
                    ky_hits += u32::from(langs.contains(&KYRGYZ));
                    ru_hits += u32::from(langs.contains(&"ru"));
                }
            }
            if ky_hits > 2 * ru_hits && (ky_hits >= 2 || (ru_hits == 0 && words >= 4)) {
                return Some((KYRGYZ, sure(ky_hits)));
            }
        }
        self.choose(text, &self.cyrillic)
    }
}

/// The script a whatlang language is written in, as far as whatlang says.
fn script_of(lang: whatlang::Lang) -> Option<Script> {
    Script::all()
        .iter()
        .copied()
        .find(|s| s.langs().contains(&lang))
}

impl Detector for ScriptFirst {
    fn speaks(&self, text: &str, lang: LangCode) -> bool {
        let mut hits = 0;
        for langs in self.word_langs(text) {
            if langs.is_some_and(|langs| langs == [lang]) {
                hits += 1;
                if hits >= 3 {
                    return true;
                }
            }
        }
        false
    }

    fn detect(&self, text: &str) -> Option<(LangCode, f64)> {
        let script = script(text)?;
        if script == Script::Cyrillic {
            return self.cyrillic(text);
        }
        let mut in_script = self.whatlang.iter().filter(|l| script.langs().contains(l));
        if let (Some(only), None) = (in_script.next(), in_script.next()) {
            return Some((code_of(*only), 1.0));
        }
        // Evidence that stops early: many function words of one candidate, few of any other.
        let allowed = |l: LangCode| self.whatlang.iter().any(|w| code_of(*w) == l);
        if let Some(decided) = self.decisive_words(text, allowed) {
            return Some(decided);
        }
        self.choose(text, &self.whatlang)
    }
}

impl ScriptFirst {
    /// A language the common words alone settle: at least [`DECISIVE_WORDS`] of its words
    /// and four times as many as the next language's, in the words up to some word of `text`.
    ///
    /// The words are read until that happens: an English document of the seed-7 corpus has a
    /// dozen English common words by its 43rd word (median), where its 1 KB sample has about
    /// 150. The answer differs from the one over the whole sample only for a text that
    /// changes language after that point: `examples/eval_langid.rs` (FLORES-200) gives the
    /// same figures either way, and the seed-7 and FLORES-mixed corpora the same output.
    /// Callgrind, first 3 MB of the seed-7 corpus: the document language stage fell from 50
    /// to 23 million instructions.
    fn decisive_words(
        &self,
        text: &str,
        among: impl Fn(LangCode) -> bool,
    ) -> Option<(LangCode, f64)> {
        let mut scores: Vec<(LangCode, f64)> = Vec::new();
        for langs in self.word_langs(text).flatten() {
            add_shares(&mut scores, langs);
            // Scores only grow, so a lead can only become decisive when the leader's does.
            for &l in langs {
                let score = scores.iter().find(|(k, _)| *k == l).map_or(0.0, |s| s.1);
                if score < DECISIVE_WORDS || !among(l) {
                    continue;
                }
                let second = scores
                    .iter()
                    .filter(|(k, _)| *k != l && among(k))
                    .map(|s| s.1)
                    .fold(0.0, f64::max);
                if score >= 4.0 * second {
                    return Some((l, 0.95));
                }
            }
        }
        None
    }
}

/// Adds one word's evidence to `scores`: a share for each language whose list has it.
fn add_shares(scores: &mut Vec<(LangCode, f64)>, langs: &[LangCode]) {
    // A dozen languages at most: a list searched in place beats hashing every word's.
    let share = 1.0 / langs.len() as f64;
    for &l in langs {
        match scores.iter_mut().find(|(k, _)| *k == l) {
            Some((_, score)) => *score += share,
            None => scores.push((l, share)),
        }
    }
}

/// Common words of one language that decide a text's language without whatlang.
const DECISIVE_WORDS: f64 = 12.0;

/// Letters in `text` (counted up to `cap`). ASCII goes eight bytes at a time.
fn letters(text: &str, cap: usize) -> usize {
    let bytes = text.as_bytes();
    let mut n = 0;
    let mut i = 0;
    while i < bytes.len() && n < cap {
        let chunk = bytes
            .get(i..i + 8)
            .map(|c| c.try_into().expect("eight bytes"));
        if let Some(k) = chunk.and_then(ascii::letters_in) {
            n += k as usize;
            i += 8;
            continue;
        }
        // Eight bytes one by one (a character may run past them) before the next try.
        let stop = (i + 8).min(bytes.len());
        while i < stop {
            let b = bytes[i];
            if b.is_ascii() {
                n += usize::from(b.is_ascii_alphabetic());
                i += 1;
            } else {
                let c = text[i..].chars().next().unwrap_or_default();
                n += usize::from(is_alphabetic(c));
                i += c.len_utf8();
            }
        }
    }
    n.min(cap)
}

/// The script of most of `text`'s letters, as whatlang tells it; `None` without letters.
/// whatlang counts ASCII letters and U+0080..U+02AF (Latin-1, Latin Extended, IPA) as Latin and
/// general punctuation (U+2000..U+206F: curly quotes, dashes, ellipsis) as no script's, so
/// text of nothing else is Latin if it has one of the former, without asking: most news in
/// Latin script.
fn script(text: &str) -> Option<Script> {
    if let Some(latin) = only_latin_and_punctuation(text.as_bytes()) {
        return (latin || text.bytes().any(|b| b.is_ascii_alphabetic())).then_some(Script::Latin);
    }
    whatlang::detect_script(text)
}

/// For `bytes` (UTF-8) holding only ASCII, U+0080..U+02AF (lead bytes C2..C9, CA 80..AF) and
/// U+2000..U+206F (E2 80 xx, E2 81 80..AF): whether a character of the second kind is among
/// them. `None` when some other character is.
fn only_latin_and_punctuation(bytes: &[u8]) -> Option<bool> {
    let mut latin = false;
    let mut i = 0;
    loop {
        i = ascii::next_non_ascii(bytes, i);
        if i == bytes.len() {
            break;
        }
        match bytes[i..] {
            [0xC2..=0xC9, ..] => (latin, i) = (true, i + 2),
            [0xCA, c, ..] if c <= 0xAF => (latin, i) = (true, i + 2),
            [0xE2, 0x80, _, ..] => i += 3,
            [0xE2, 0x81, c, ..] if c <= 0xAF => i += 3,
            _ => return None,
        }
    }
    Some(latin)
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

/// The language of a whole text, or `und` with 0 when it cannot be told.
pub fn identify(detector: &dyn Detector, text: &str) -> (LangCode, f64) {
    let s = sample(text, SAMPLE_BYTES);
    let n = letters(s, SHORT_LETTERS);
    (n >= MIN_LETTERS)
        .then(|| detector.detect(s))
        .flatten()
        .filter(|&(_, confidence)| n >= SHORT_LETTERS || confidence >= SHORT_CONFIDENCE)
        .unwrap_or((UND, 0.0))
}

/// The document language stage.
#[derive(Debug)]
pub struct LangId {
    detector: Arc<dyn Detector>,
}

impl LangId {
    /// A stage using `detector`.
    pub fn new(detector: Arc<dyn Detector>) -> Self {
        LangId { detector }
    }
}

impl Stage for LangId {
    fn name(&self) -> &'static str {
        "langid"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        (doc.lang, doc.lang_confidence) = identify(&*self.detector, doc.text());
        Ok(())
    }
}

/// The segment language stage: runs after segmentation.
#[derive(Debug)]
pub struct SegmentLang {
    detector: Arc<dyn Detector>,
}

impl SegmentLang {
    /// A stage using `detector`.
    pub fn new(detector: Arc<dyn Detector>) -> Self {
        SegmentLang { detector }
    }

    /// The language of one segment of a document in `doc_lang` written in `doc_script`.
    pub fn segment_lang(
        &self,
        text: &str,
        doc_lang: LangCode,
        doc_script: Option<Script>,
    ) -> LangCode {
        // A segment of fewer bytes than SEGMENT_LETTERS cannot have that many letters: it is
        // only asked whether it has MIN_LETTERS, which its first words tell.
        let cap = if text.len() < SEGMENT_LETTERS {
            MIN_LETTERS
        } else {
            SEGMENT_LETTERS
        };
        let n = letters(text, cap);
        if n < MIN_LETTERS {
            return doc_lang;
        }
        let script = script(text);
        let other_script = script.is_some() && script != doc_script;
        if !(other_script || doc_lang == UND || n >= SEGMENT_LETTERS) {
            return doc_lang;
        }
        // Words only the document's language has: no need to ask the detector.
        if !other_script && self.detector.speaks(text, doc_lang) {
            return doc_lang;
        }
        match identify(&*self.detector, text) {
            (UND, _) => doc_lang,
            (lang, _) if other_script || doc_lang == UND => lang,
            (lang, c) if c >= SEGMENT_CONFIDENCE => lang,
            _ => doc_lang,
        }
    }
}

impl Stage for SegmentLang {
    fn name(&self) -> &'static str {
        "segment-langid"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        let text = doc.log.text();
        let doc_script = script(sample(text, SAMPLE_BYTES));
        let map = doc.log.offsets();
        let mut to_cur = map.cur_cursor();
        let langs: Vec<LangCode> = doc
            .segments
            .iter()
            .map(|s| {
                let range = to_cur(s.src.start, Bias::Start)..to_cur(s.src.end, Bias::End);
                self.segment_lang(&text[range], doc.lang, doc_script)
            })
            .collect();
        for (s, l) in doc.segments.iter_mut().zip(langs) {
            s.lang = l;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        #[test]
        fn letters_are_counted_up_to_the_cap(
            s in "[a-zA-Z0-9 @\\[`{~.\n]{0,30}([éж’\u{1f600}]|[a-zA-Z ]{0,12}){0,6}",
            cap in 0usize..60,
        ) {
            let expected = s.chars().filter(|c| c.is_alphabetic()).count().min(cap);
            proptest::prop_assert_eq!(letters(&s, cap), expected);
        }

        #[test]
        fn the_common_word_filter_only_rules_out_words_not_listed(
            listed in proptest::collection::vec("[a-zçİ]{1,12}", 1..40),
            asked in proptest::collection::vec("[a-zA-ZçÇİK]{1,12}", 1..40),
        ) {
            let mut words = CommonWords::new();
            for w in &listed {
                words.insert(w, "en");
            }
            let mut lower = String::new();
            for w in listed.iter().map(|w| w.to_uppercase()).chain(asked) {
                let expected = words.map.get(&w.to_lowercase()).map(Vec::as_slice);
                proptest::prop_assert_eq!(words.get(&w, &mut lower), expected);
            }
        }
    }

    fn detector() -> ScriptFirst {
        ScriptFirst::new(&DataSet::defaults(), &[]).unwrap()
    }

    /// Common words decide at the first word that gives one language a dozen and four times
    /// the next one's: what follows is not read.
    #[test]
    fn common_words_decide_at_the_first_word_that_settles_it() {
        let d = detector();
        let any = |_: LangCode| true;
        let english = "the of and to was that with for from by the of ";
        let italian = "il di che della del per con sono gli dei il di che della del per ";
        // Twelve English words, then more Italian ones than four times as many: over the
        // whole text Italian would lead by four times, but English settled it first.
        let text = format!("{english}{italian}{italian}{italian}{italian}");
        assert_eq!(d.decisive_words(&text, any), Some(("en", 0.95)));
        // Eleven English words and one Italian one: nothing settled.
        assert_eq!(
            d.decisive_words("the of and to was that with for from by the il", any),
            None
        );
        // The same twelve words, English not a candidate: Italian's four do not settle it.
        assert_eq!(
            d.decisive_words(&format!("{english}il di che della"), |l| l != "en"),
            None
        );
    }

    #[test]
    fn script_agrees_with_whatlang() {
        // Every character of the planes news uses, alone and beside others of each kind.
        let chars = ('\0'..='\u{3000}').chain(['\u{1E00}', '\u{A720}', '\u{FF01}', '\u{1F600}']);
        for c in chars {
            for text in [
                format!("{c}"),
                format!("12 {c}"),
                format!("abc{c}"),
                format!("{c}\u{2019}\u{e9}"),
                format!("{c}{c}{c} \u{41F}\u{440}"),
            ] {
                assert_eq!(script(&text), whatlang::detect_script(&text), "{text:?}");
            }
        }
        assert_eq!(
            only_latin_and_punctuation("a\u{2019}b\u{206F}".as_bytes()),
            Some(false)
        );
        assert_eq!(
            only_latin_and_punctuation("caf\u{e9} \u{ab}".as_bytes()),
            Some(true)
        );
        assert_eq!(only_latin_and_punctuation("a\u{2070}".as_bytes()), None);
        assert_eq!(only_latin_and_punctuation("a\u{2B0}".as_bytes()), None);
    }

    #[test]
    fn codes_round_trip() {
        for l in whatlang::Lang::all() {
            assert_eq!(lang_of(code_of(*l)), Some(*l));
        }
    }

    #[test]
    fn detects_news_languages_and_refuses_short_text() {
        let d = detector();
        for (text, want) in [
            ("The Collective Security Treaty Organization held exercises in Kazakhstan this week.", "en"),
            ("Il Kazakistan partecipa all’esercitazione militare dell’Organizzazione del Trattato.", "it"),
            ("Организация Договора о коллективной безопасности провела учения в Казахстане.", "ru"),
            ("Ұжымдық қауіпсіздік туралы шарт ұйымы Қазақстанда жаттығу өткізді.", "kk"),
            ("Кыргызстан өз аймагында машыгууларды өткөрүүдөн баш тартты.", "ky"),
            ("Ҷумҳурии Тоҷикистон дар машқҳои низомӣ иштирок кард.", "tg"),
            ("Հայաստանը դուրս է գալիս կազմակերպությունից։", "hy"),
            ("Tags:", "und"),
            ("Pashinian spoke.", "und"),
        ] {
            assert_eq!(identify(&d, text).0, want, "{text}");
        }
    }

    #[test]
    fn one_never_letter_counts_only_beside_a_candidate_without_any() {
        use whatlang::Lang::{Bel, Bul, Deu, Eng, Rus, Tur, Ukr};
        let d = detector();
        let left = |candidates: &[whatlang::Lang], letters: &[(char, usize)]| {
            let counts: HashMap<char, usize> = letters.iter().copied().collect();
            d.by_letters(candidates, &counts, 100)
        };
        let cyrillic = [Bul, Rus, Ukr, Bel];
        // One і: Bulgarian and Russian never write it, Ukrainian may.
        assert_eq!(left(&cyrillic, &[('і', 1)]), [Ukr, Bel]);
        // A Belarusian text quoting a Russian и: every candidate breaks a fact, Belarusian least.
        assert_eq!(left(&cyrillic, &[('и', 1), ('ў', 2), ('і', 2)]), [Bel]);
        // Two letters rule a language out whatever the others do.
        assert_eq!(left(&cyrillic, &[('ы', 2)]), [Rus, Bel]);
        assert_eq!(left(&cyrillic, &[('ы', 2), ('и', 2)]), [Rus]);
        // Languages without facts do not make one foreign letter decisive.
        assert_eq!(left(&[Tur, Eng, Deu], &[('ä', 1)]), [Tur, Eng, Deu]);
        assert_eq!(
            identify(
                &d,
                "Це п'ята Тимчасова виборча рада Мартеллі за чотири роки."
            )
            .0,
            "uk"
        );
    }

    #[test]
    fn langs_restrict_the_candidates_and_unknown_codes_are_usage_errors() {
        let only = ScriptFirst::new(&DataSet::defaults(), &["en".into(), "it".into()]).unwrap();
        let text = "Организация Договора о коллективной безопасности провела учения в Казахстане.";
        assert_eq!(identify(&only, text).0, UND);
        let err = ScriptFirst::new(&DataSet::defaults(), &["xx".into()]).unwrap_err();
        assert!(matches!(err, Error::Config(_)));
    }

    #[test]
    fn a_quoted_sentence_in_another_script_gets_its_own_language() {
        let seg = SegmentLang::new(Arc::new(detector()));
        let ru = "«Россия не оказывает помощи Армении», заявил аналитик.";
        assert_eq!(seg.segment_lang(ru, "en", Some(Script::Latin)), "ru");
        // A short English sentence in an Italian article keeps the article's language.
        assert_eq!(
            seg.segment_lang(
                "No responses yet, said the editor.",
                "it",
                Some(Script::Latin)
            ),
            "it"
        );
    }
}
