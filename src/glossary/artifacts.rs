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
//! - `before` (optional): `|`-separated words, one of which must stand right before the phrase
//!   (case-insensitive).

use std::collections::HashMap;
use std::sync::Arc;

use serde::Deserialize;
use unicode_normalization::UnicodeNormalization;

use super::{read_csv, DataSet, FileKind};
use crate::error::{Error, Result};

/// The header an artifacts CSV starts with.
pub const HEADER: &str = "lang,gate,phrase,repair,before";

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
    /// Lower-cased words one of which must precede the phrase; empty for no condition.
    pub before: Vec<String>,
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
    let mut index: HashMap<(String, String, Vec<String>), usize> = HashMap::new();
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
                before: row
                    .before
                    .split('|')
                    .map(|w| w.trim().to_lowercase())
                    .filter(|w| !w.is_empty())
                    .collect(),
                rule: Arc::from(format!("{}:{line}", file.path)),
            };
            let key = (rule.lang.clone(), rule.phrase.clone(), rule.before.clone());
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
