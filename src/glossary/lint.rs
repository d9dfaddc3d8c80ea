//! `transnorm glossary check`: every problem of a set of glossaries, as `file:line: reason`.
//!
//! Beyond what loading refuses (malformed rows, conflicts, entities without kind or canonical
//! form), the linter reports what loading lets through but damages a corpus or never works:
//!
//! - duplicates: a row that repeats an earlier (variant, lang) with the same mapping never
//!   applies (it is shadowed by the earlier one);
//! - chains and cycles: a row rewriting A to B where B is itself rewritten (to C, or back to
//!   A), so output is not canonical and a second run changes it again;
//! - common words: a single-word variant that is a common word of its language
//!   (`glossaries/common/<lang>.txt`) would rewrite ordinary text;
//! - unreachable spellings: text is normalized (NFC, no invisible characters, single spaces)
//!   before names are matched, so a variant that is not in that form never matches.

use std::collections::{HashMap, HashSet};
use std::fmt;

use regex::Regex;
use unicode_normalization::UnicodeNormalization;

use super::{artifacts, names, read_csv_rows, DataSet, FileKind};
use crate::error::Error;
use crate::stages::langid::ScriptFirst;

/// One problem.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Problem {
    /// The file.
    pub file: String,
    /// The 1-based line (0 for the whole file).
    pub line: u64,
    /// What is wrong.
    pub reason: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}: {}", self.file, self.line, self.reason)
    }
}

impl Problem {
    fn at(file: &str, line: u64, reason: impl Into<String>) -> Self {
        Problem {
            file: file.to_owned(),
            line,
            reason: reason.into(),
        }
    }

    fn from_error(e: &Error) -> Self {
        match e {
            Error::Glossary { loc, reason } | Error::BadRecord { loc, reason } => Problem {
                file: loc.path.display().to_string(),
                line: loc.line,
                reason: reason.clone(),
            },
            other => Problem::at("-", 0, other.to_string()),
        }
    }
}

/// Why a spelling can never match normalized text, if it cannot.
pub(crate) fn unreachable(spelling: &str) -> Option<&'static str> {
    if spelling.nfc().ne(spelling.chars()) {
        Some("is not in NFC, and text is normalized to NFC before matching")
    } else if spelling
        .chars()
        .any(|c| c.is_control() || matches!(c, '\u{200B}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'))
    {
        Some("has an invisible or control character, which text loses before matching")
    } else if spelling.chars().any(|c| c.is_whitespace() && c != ' ') || spelling.contains("  ") {
        Some("has a space other than one plain space, which text never has before matching")
    } else if spelling.trim() != spelling {
        Some("starts or ends with a space")
    } else {
        None
    }
}

/// The common words of each language.
#[derive(Debug, Default)]
pub(crate) struct CommonWords {
    by_lang: HashMap<String, HashSet<String>>,
}

impl CommonWords {
    pub(crate) fn new(data: &DataSet) -> Self {
        let mut by_lang: HashMap<String, HashSet<String>> = HashMap::new();
        for f in data.of(FileKind::Common) {
            let set = by_lang.entry(f.stem().to_owned()).or_default();
            set.extend(f.lines().map(|(_, w)| w.to_lowercase()));
        }
        CommonWords { by_lang }
    }

    /// The language whose common word `variant` is, for a row of `lang` (any language when
    /// `None`).
    pub(crate) fn language_of(&self, variant: &str, lang: Option<&str>) -> Option<&str> {
        if variant.contains(char::is_whitespace) {
            return None;
        }
        let word = variant.to_lowercase();
        let mut langs: Vec<&String> = self.by_lang.keys().collect();
        langs.sort();
        langs
            .into_iter()
            .filter(|l| lang.is_none_or(|want| want == l.as_str()))
            .find(|l| self.by_lang[*l].contains(&word))
            .map(String::as_str)
    }
}

/// A name row with where it stands, fields normalized as loading does.
struct At {
    file: String,
    line: u64,
    entity: String,
    lang: Option<String>,
    variant: String,
    replace: Option<String>,
}

/// Whether a pattern has a `\b` or `\B` written other than as `(?-u:\b)` (an escaped
/// backslash, `\\b`, does not count).
fn has_unicode_word_boundary(pat: &str) -> bool {
    let mut escaped = false;
    for (i, c) in pat.char_indices() {
        if escaped {
            if (c == 'b' || c == 'B') && !pat[..i].ends_with("(?-u:\\") {
                return true;
            }
            escaped = false;
        } else if c == '\\' {
            escaped = true;
        }
    }
    false
}

/// Every problem of the glossaries in `data`, sorted by file and line.
pub fn check(data: &DataSet) -> Vec<Problem> {
    let mut problems = Vec::new();
    check_names(data, &mut problems);
    check_artifacts(data, &mut problems);
    for file in data.of(FileKind::Boilerplate) {
        for (line, pat) in file.lines() {
            if let Err(e) = Regex::new(&format!("^(?:{pat})$")) {
                let first = e.to_string().lines().last().unwrap_or("").trim().to_owned();
                problems.push(Problem::at(
                    &file.path,
                    line,
                    format!("bad pattern: {first}"),
                ));
            } else if has_unicode_word_boundary(pat) {
                problems.push(Problem::at(
                    &file.path,
                    line,
                    "`\\b` makes the pattern set slow on non-ASCII lines; write `(?-u:\\b)`",
                ));
            }
        }
    }
    if let Err(e) = ScriptFirst::new(data, &[]) {
        problems.push(Problem::from_error(&e));
    }
    problems.sort();
    problems.dedup();
    problems
}

fn check_names(data: &DataSet, problems: &mut Vec<Problem>) {
    let common = CommonWords::new(data);
    let mut rows: Vec<At> = Vec::new();
    // entity -> (kind, canonical, file:line of the first row)
    let mut entities: HashMap<String, (String, String, String, u64)> = HashMap::new();
    for file in data.of(FileKind::Names) {
        for row in read_csv_rows::<names::Row>(file) {
            let (line, row) = match row {
                Ok(r) => r,
                Err(e) => {
                    problems.push(Problem::from_error(&e));
                    continue;
                }
            };
            let at = |reason: String| Problem::at(&file.path, line, reason);
            if row.entity.is_empty() || row.variant.is_empty() {
                problems.push(at("empty `entity` or `variant`".into()));
                continue;
            }
            if let Some(why) = unreachable(&row.variant) {
                problems.push(at(format!(
                    "unreachable: `{}` {why}",
                    row.variant.escape_debug()
                )));
            }
            let e = entities
                .entry(row.entity.clone())
                .or_insert_with(|| (String::new(), String::new(), file.path.clone(), line));
            for (field, value, name) in [
                (&mut e.0, &row.kind, "kind"),
                (&mut e.1, &row.canonical, "canonical"),
            ] {
                if value.is_empty() {
                    continue;
                }
                if field.is_empty() {
                    *field = value.clone();
                } else if field != value {
                    problems.push(at(format!(
                        "entity `{}` has {name} `{field}` at {}:{}, here `{value}`",
                        row.entity, e.2, e.3
                    )));
                }
            }
            let lang = (!row.lang.is_empty() && row.lang != "*").then(|| row.lang.clone());
            if let Some(l) = common.language_of(&row.variant, lang.as_deref()) {
                problems.push(at(format!(
                    "`{}` is a common word of `{l}`: it would rewrite ordinary text",
                    row.variant
                )));
            }
            rows.push(At {
                file: file.path.clone(),
                line,
                entity: row.entity,
                lang,
                variant: row.variant.nfc().collect(),
                replace: (!row.replace.is_empty()).then(|| row.replace.nfc().collect()),
            });
        }
    }
    for (id, (kind, canonical, file, line)) in &entities {
        if kind.is_empty() || canonical.is_empty() {
            problems.push(Problem::at(
                file,
                *line,
                format!("entity `{id}` has no `kind` or `canonical` on any row"),
            ));
        }
    }
    let mut first: HashMap<(&str, Option<&str>), &At> = HashMap::new();
    for r in &rows {
        let key = (r.variant.as_str(), r.lang.as_deref());
        match first.get(&key) {
            None => {
                first.insert(key, r);
            }
            Some(old) if old.entity == r.entity && old.replace == r.replace => {
                problems.push(Problem::at(
                    &r.file,
                    r.line,
                    format!("unreachable: duplicate of {}:{}", old.file, old.line),
                ))
            }
            Some(old) => problems.push(Problem::at(
                &r.file,
                r.line,
                format!(
                    "`{}` is already mapped differently at {}:{}",
                    r.variant, old.file, old.line
                ),
            )),
        }
    }
    for r in &rows {
        let Some(to) = &r.replace else { continue };
        let next = first
            .get(&(to.as_str(), r.lang.as_deref()))
            .or_else(|| first.get(&(to.as_str(), None)));
        if let Some(next) = next {
            if let Some(again) = next.replace.as_ref().filter(|again| *again != to) {
                let kind = if *again == r.variant {
                    "cycle"
                } else {
                    "chain"
                };
                problems.push(Problem::at(
                    &r.file,
                    r.line,
                    format!(
                        "{kind}: `{to}` is rewritten again to `{again}` at {}:{}",
                        next.file, next.line
                    ),
                ));
            }
        }
    }
}

fn check_artifacts(data: &DataSet, problems: &mut Vec<Problem>) {
    let mut first: HashMap<(String, String, String), (String, u64, String)> = HashMap::new();
    for file in data.of(FileKind::Artifacts) {
        for row in read_csv_rows::<artifacts::Row>(file) {
            let (line, row) = match row {
                Ok(r) => r,
                Err(e) => {
                    problems.push(Problem::from_error(&e));
                    continue;
                }
            };
            if row.phrase.is_empty() || row.lang.is_empty() {
                problems.push(Problem::at(&file.path, line, "empty `phrase` or `lang`"));
                continue;
            }
            if let Some(why) = unreachable(&row.phrase) {
                problems.push(Problem::at(
                    &file.path,
                    line,
                    format!("unreachable: `{}` {why}", row.phrase),
                ));
            }
            let key = (
                row.lang.clone(),
                row.phrase.nfc().collect(),
                row.before.clone(),
            );
            match first.get(&key) {
                None => {
                    first.insert(key, (file.path.clone(), line, row.repair.clone()));
                }
                Some((f, l, repair)) => {
                    let what = if *repair == row.repair {
                        "unreachable: duplicate of"
                    } else {
                        "conflicts with"
                    };
                    problems.push(Problem::at(&file.path, line, format!("{what} {f}:{l}")));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn unicode_word_boundaries_are_found() {
        assert!(has_unicode_word_boundary(r"click here\b.*"));
        assert!(has_unicode_word_boundary(r"\Bfoo"));
        assert!(!has_unicode_word_boundary(r"click here(?-u:\b).*"));
        assert!(!has_unicode_word_boundary(r"a\\b \d+"));
    }

    use super::*;
    use crate::glossary::DataFile;

    fn names(text: &str) -> DataSet {
        let mut data = DataSet::default();
        data.files.push(DataFile {
            path: "n.csv".into(),
            text: format!("entity,kind,canonical,lang,variant,replace\n{text}"),
            kind: FileKind::Names,
            default: false,
        });
        data.files.push(DataFile {
            path: "common/en.txt".into(),
            text: "search\n".into(),
            kind: FileKind::Common,
            default: false,
        });
        data
    }

    fn reasons(data: &DataSet) -> Vec<String> {
        check(data).into_iter().map(|p| p.to_string()).collect()
    }

    #[test]
    fn the_default_glossaries_are_clean() {
        assert_eq!(check(&DataSet::defaults()), []);
    }

    #[test]
    fn every_kind_of_problem_is_reported_with_its_line() {
        let got = reasons(&names(
            "a,person,A,,Aa,\n\
             a,,,,Ab,Ac\n\
             a,,,,Ac,Ad\n\
             b,person,B,,Bx,By\n\
             b,,,,By,Bx\n\
             a,,,,Aa,\n\
             a,,,,Aa,Zz\n\
             s,event,Search,en,Search,\n\
             z,person,Z,,Zo\u{00a0}ya,\n\
             broken\n",
        ));
        assert_eq!(
            got,
            [
                "n.csv:3: chain: `Ac` is rewritten again to `Ad` at n.csv:4",
                "n.csv:5: cycle: `By` is rewritten again to `Bx` at n.csv:6",
                "n.csv:6: cycle: `Bx` is rewritten again to `By` at n.csv:5",
                "n.csv:7: unreachable: duplicate of n.csv:2",
                "n.csv:8: `Aa` is already mapped differently at n.csv:2",
                "n.csv:9: `Search` is a common word of `en`: it would rewrite ordinary text",
                "n.csv:10: unreachable: `Zo\\u{a0}ya` has a space other than one plain space, which text never has before matching",
                "n.csv:11: expected 6 fields, found 1",
            ]
        );
    }
}
