//! Punctuation, as `--punct keep|ascii|moses` chooses: ordered regular-expression rules kept as
//! data in `glossaries/punct/<mode>.tsv`, each applied to the whole text as one rewrite, so
//! every change is an aligned `punct` edit citing its `file:line`.
//!
//! - `keep` (default): typography stays (curly quotes, guillemets, dashes, French spacing);
//!   only spacing errors around punctuation are fixed ("word , next" -> "word, next").
//! - `ascii`: also folds quotes, dashes and ellipses to ASCII (and, in hygiene, exotic spaces
//!   to plain ones).
//! - `moses`: the conventions of Moses' normalize-punctuation, in its order, except the rule
//!   that rewrites a space inside a number ("7 644" -> "7.644"), which changes the number.

use std::collections::HashSet;
use std::sync::Arc;

use regex::Regex;

use crate::document::Document;
use crate::edit::{EditKind, Replacement, Rule};
use crate::error::{Error, Result};
use crate::glossary::{DataSet, FileKind};
use crate::stages::Stage;

/// The punctuation mode.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Punct {
    /// Leave typography alone; fix spacing.
    #[default]
    Keep,
    /// Fold quotes, dashes and ellipses to ASCII.
    Ascii,
    /// Moses normalize-punctuation conventions.
    Moses,
}

impl Punct {
    /// The rule file's stem.
    pub fn name(self) -> &'static str {
        match self {
            Punct::Keep => "keep",
            Punct::Ascii => "ascii",
            Punct::Moses => "moses",
        }
    }
}

/// A condition on a rule.
#[derive(Debug, Clone)]
enum When {
    Lang { langs: Vec<String>, negate: bool },
    Option { name: String, on: bool },
}

#[derive(Debug, Clone)]
struct PunctRule {
    when: Vec<When>,
    pattern: Regex,
    replacement: String,
    rule: Rule,
}

/// The punctuation stage.
#[derive(Debug)]
pub struct PunctStage {
    rules: Vec<PunctRule>,
    options: HashSet<String>,
}

/// The options each mode turns on (see the header of `glossaries/punct/moses.tsv`).
fn default_options(mode: Punct) -> HashSet<String> {
    match mode {
        Punct::Moses => ["penn", "perl", "quote-commas"]
            .iter()
            .map(|s| s.to_string())
            .collect(),
        _ => HashSet::new(),
    }
}

impl PunctStage {
    /// The stage for `mode` with the rules of `data`.
    ///
    /// # Errors
    /// A malformed rule line or a bad pattern, named by file and line.
    pub fn new(data: &DataSet, mode: Punct) -> Result<Self> {
        Self::with_options(data, mode, default_options(mode))
    }

    /// The stage with the given options on (for the Moses test cases: `numbers`, `perl` ...).
    ///
    /// # Errors
    /// As [`PunctStage::new`].
    pub fn with_options(data: &DataSet, mode: Punct, options: HashSet<String>) -> Result<Self> {
        let mut rules = Vec::new();
        for file in data.of(FileKind::Punct).filter(|f| f.stem() == mode.name()) {
            for (i, raw) in file.text.lines().enumerate() {
                let line = i as u64 + 1;
                if raw.trim().is_empty() || raw.starts_with('#') {
                    continue;
                }
                let bad = |reason: String| Error::glossary(&file.path, line, reason);
                let parts: Vec<&str> = raw.split('\t').collect();
                let [when, pattern, replacement] = parts[..] else {
                    return Err(bad("expected WHEN<TAB>PATTERN<TAB>REPLACEMENT".into()));
                };
                let when = when
                    .split_whitespace()
                    .filter(|w| *w != "*")
                    .map(|w| parse_when(w).ok_or_else(|| bad(format!("bad condition `{w}`"))))
                    .collect::<Result<Vec<_>>>()?;
                let pattern = Regex::new(pattern).map_err(|e| bad(format!("bad pattern: {e}")))?;
                rules.push(PunctRule {
                    when,
                    pattern,
                    replacement: replacement.to_owned(),
                    rule: Arc::from(format!("{}:{line}", file.path)),
                });
            }
        }
        Ok(PunctStage { rules, options })
    }

    fn applies(&self, rule: &PunctRule, lang: &str) -> bool {
        rule.when.iter().all(|w| match w {
            When::Lang { langs, negate } => langs.iter().any(|l| l == lang) != *negate,
            When::Option { name, on } => self.options.contains(name) == *on,
        })
    }

    /// Applies the rules to a plain string (for tests against other tools' cases).
    pub fn normalize_str(&self, text: &str, lang: &'static str) -> String {
        let mut doc = Document::new("p", text);
        doc.lang = lang;
        self.run(&mut doc).expect("punctuation never fails");
        doc.text().to_owned()
    }
}

fn parse_when(w: &str) -> Option<When> {
    if let Some(name) = w.strip_prefix('+') {
        return Some(When::Option {
            name: name.to_owned(),
            on: true,
        });
    }
    if let Some(name) = w.strip_prefix('-') {
        return Some(When::Option {
            name: name.to_owned(),
            on: false,
        });
    }
    let (negate, list) = match (w.strip_prefix("lang!="), w.strip_prefix("lang=")) {
        (Some(l), _) => (true, l),
        (None, Some(l)) => (false, l),
        _ => return None,
    };
    Some(When::Lang {
        langs: list.split('|').map(str::to_owned).collect(),
        negate,
    })
}

impl Stage for PunctStage {
    fn name(&self) -> &'static str {
        "punct"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        for rule in &self.rules {
            if !self.applies(rule, doc.lang) {
                continue;
            }
            let text = doc.text();
            let reps: Vec<Replacement> = rule
                .pattern
                .captures_iter(text)
                .filter_map(|caps| {
                    let m = caps.get(0).expect("group 0");
                    let mut to = String::new();
                    caps.expand(&rule.replacement, &mut to);
                    (to != m.as_str())
                        .then(|| Replacement::new(m.range(), to, EditKind::Punct, &rule.rule))
                })
                .collect();
            doc.apply(reps);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn stage(mode: Punct) -> PunctStage {
        PunctStage::new(&DataSet::defaults(), mode).unwrap()
    }

    #[test]
    fn keep_leaves_punctuation_alone() {
        let s = stage(Punct::Keep);
        for (text, lang) in [
            ("Russia , Belarus “quotes” — dash .", "en"),
            ("Il a dit : « oui » !", "fr"),
        ] {
            assert_eq!(s.normalize_str(text, lang), text);
        }
    }

    #[test]
    fn ascii_folds_quotes_dashes_ellipses_and_fixes_spacing() {
        let s = stage(Punct::Ascii);
        assert_eq!(
            s.normalize_str("“Yes” — it’s… «fine»", "en"),
            "\"Yes\" - it's... \"fine\""
        );
        assert_eq!(
            s.normalize_str("Russia , Belarus ( and ) .", "en"),
            "Russia, Belarus (and)."
        );
    }

    #[test]
    fn moses_keeps_numbers() {
        assert_eq!(
            stage(Punct::Moses).normalize_str("7\u{a0}644 km", "en"),
            "7\u{a0}644 km"
        );
    }
}
