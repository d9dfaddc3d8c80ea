//! Artifact rules: phrases that machine translation or an article spinner put in place of the
//! right words, and their repairs.
//!
//! ```text
//! lang,gate,phrase,repair,before
//! en,always,Collective Safety Treaty Group,Collective Security Treaty Organization,
//! en,spun,folks,people,
//! en,always,12 months,year,the|a|this|last|next
//! ```
//!
//! - `lang`: the document language the rule is for.
//! - `gate`: `always` for phrases that are never right (they also count towards the document's
//!   artifact score), `spun` for swaps that are only wrong in text that shows other artifacts:
//!   they apply only when the document's artifact score reaches the threshold.
//! - `phrase`: matched as whole words, in the case written or with its first letter
//!   capitalized (the repair's first letter then follows).
//! - `repair`: the replacement.
//! - `before`, `after` (optional): what must stand right before or after the phrase, as
//!   `|`-separated alternatives: a word (case-insensitive), a punctuation mark, or `#` for a
//!   number. A leading `!` turns the list around: none of them may stand there.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::{read_csv, DataSet, FileKind};
use crate::error::{Error, Result};

/// The header an artifacts CSV starts with.
pub const HEADER: &str = "lang,gate,phrase,repair,before,after";

/// A condition on the token next to a phrase.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct Context {
    /// The condition holds when the token is *not* one of `tokens`.
    pub negate: bool,
    /// Lower-cased words, punctuation marks, or `#` for any number; empty for no condition.
    pub tokens: Vec<String>,
}

impl Context {
    fn parse(field: &str) -> Self {
        let (negate, list) = match field.trim().strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, field),
        };
        Context {
            negate,
            tokens: list
                .split('|')
                .map(|w| w.trim().to_lowercase())
                .filter(|w| !w.is_empty())
                .collect(),
        }
    }

    /// Whether the condition holds for `token` (the word or mark next to the phrase, if any).
    pub fn holds(&self, token: Option<&str>) -> bool {
        if self.tokens.is_empty() {
            return true;
        }
        let hit = token.is_some_and(|t| {
            let t = t.to_lowercase();
            self.tokens
                .iter()
                .any(|w| *w == t || (w == "#" && t.chars().all(|c| c.is_ascii_digit())))
        });
        hit != self.negate
    }
}

/// When a rule may fire.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Gate {
    /// In every document: the phrase is never right.
    Always,
    /// Only in documents whose artifact score reaches the threshold.
    Spun,
}

/// One row as written.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Row {
    pub(crate) lang: String,
    pub(crate) gate: Gate,
    pub(crate) phrase: String,
    pub(crate) repair: String,
    #[serde(default)]
    pub(crate) before: String,
    #[serde(default)]
    pub(crate) after: String,
}

/// One artifact rule.
#[derive(Debug, Clone)]
pub struct ArtifactRule {
    /// The language of documents it applies to.
    pub lang: String,
    /// When it may fire.
    pub gate: Gate,
    /// The wrong phrase.
    pub phrase: String,
    /// Its repair.
    pub repair: String,
    /// What must stand right before the phrase.
    pub before: Context,
    /// What must stand right after it.
    pub after: Context,
    /// `file:line` of the row.
    pub rule: Arc<str>,
}

/// Reads every artifacts file of `data`, in load order.
///
/// # Errors
/// A malformed row, an unknown gate, an empty phrase, or the same (lang, phrase, before) twice
/// with different repairs in one layer; a user's row overrides a default one.
pub fn load(data: &DataSet) -> Result<Vec<ArtifactRule>> {
    let mut rules: Vec<(ArtifactRule, bool)> = Vec::new();
    let mut index: HashMap<(String, String, Context, Context), usize> = HashMap::new();
    for file in data.of(FileKind::Artifacts) {
        for (line, row) in read_csv::<Row>(file)? {
            let mut row: Row = row;
            for f in [&mut row.phrase, &mut row.repair] {
                *f = f.nfc().collect();
            }
            if row.phrase.is_empty() || row.lang.is_empty() {
                return Err(Error::glossary(
                    &file.path,
                    line,
                    "empty `phrase` or `lang`",
                ));
            }
            let rule = ArtifactRule {
                lang: row.lang,
                gate: row.gate,
                phrase: row.phrase,
                repair: row.repair,
                before: Context::parse(&row.before),
                after: Context::parse(&row.after),
                rule: Arc::from(format!("{}:{line}", file.path)),
            };
            let key = (
                rule.lang.clone(),
                rule.phrase.clone(),
                rule.before.clone(),
                rule.after.clone(),
            );
            match index.get(&key) {
                None => {
                    index.insert(key, rules.len());
                    rules.push((rule, file.default));
                }
                Some(&at) => {
                    let (old, old_default) = &rules[at];
                    if *old_default && !file.default {
                        rules[at] = (rule, false);
                    } else if old.repair != rule.repair || old.gate != rule.gate {
                        return Err(Error::glossary(
                            &file.path,
                            line,
                            format!("`{}` already has a rule at {}", rule.phrase, old.rule),
                        ));
                    }
                }
            }
        }
    }
    Ok(rules.into_iter().map(|(r, _)| r).collect())
}
