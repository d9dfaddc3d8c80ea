//! Boilerplate removal: page furniture that is not part of the article.
//!
//! Works line by line. A line is furniture when, trimmed, it matches one of the patterns in
//! `glossaries/boilerplate/*.txt` (whole line, case-insensitive), or when it has no letter or
//! digit at all (a lone `)` left by a scraper). A byline at the head of the document (a
//! person's name on one line and a job title from `glossaries/bylines/*.txt` on the next, or
//! "By Name") is moved to the document's `byline` field.
//!
//! Removed lines become `boilerplate` edits, never silent losses. Each run of removed lines is
//! one edit that also takes the blank lines after it, so the text that stays joins up without
//! stray blank lines; a run at the very end takes the line break before it instead.

use std::collections::HashSet;
use std::ops::Range;
use std::sync::Arc;

use serde_json::Value;

use crate::document::Document;
use crate::edit::{EditKind, Replacement, Rule};
use crate::error::{Error, Result};
use crate::glossary::{DataSet, FileKind};
use crate::stages::lineset::LineSet;
use crate::stages::{is_alphanumeric, lines_inclusive, Stage};

/// Lines longer than this are article text, never furniture: skipping them keeps the stage
/// cheap on long paragraphs.
const MAX_FURNITURE_LINE: usize = 300;

/// A person's name on a line of its own: two to four capitalized words.
const NAME_LINE: &str = r"\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){1,3}";
/// "By" and a name; the name is the line after [`BY`] bytes, trimmed.
const BY_LINE: &str = r"(?:By|BY)\s+\p{Lu}[\p{L}'’.-]+(?:\s+\p{Lu}[\p{L}'’.-]+){1,3}";
/// The length of "By".
const BY: usize = 2;

/// The boilerplate stage.
#[derive(Debug)]
pub struct Boilerplate {
    set: LineSet,
    name_line: LineSet,
    by_line: LineSet,
    rules: Vec<Rule>,
    roles: HashSet<String>,
    punct_rule: Rule,
    byline_rule: Rule,
}

impl Boilerplate {
    /// Compiles the patterns of `data`.
    ///
    /// # Errors
    /// A pattern that is not a valid regular expression, named by file and line.
    pub fn new(data: &DataSet) -> Result<Self> {
        let mut patterns = Vec::new();
        let mut places = Vec::new();
        for file in data.of(FileKind::Boilerplate) {
            for (line, pat) in file.lines() {
                patterns.push(pat);
                places.push((&file.path, line));
            }
        }
        let set = LineSet::new(&patterns, true).map_err(|e| {
            // Compiled one by one only now, to name the pattern at fault.
            let bad = patterns.iter().zip(&places).find_map(|(p, (path, line))| {
                LineSet::new(&[p], true)
                    .err()
                    .map(|e| Error::glossary(path, *line, format!("bad pattern: {e}")))
            });
            bad.unwrap_or_else(|| Error::Config(format!("boilerplate patterns: {e}")))
        })?;
        let built_in = |p: &str| LineSet::new(&[p], false).expect("a valid built-in pattern");
        let rules = places
            .iter()
            .map(|(path, line)| Arc::from(format!("{path}:{line}")))
            .collect();
        let roles = data
            .of(FileKind::Bylines)
            .flat_map(|f| f.lines().map(|(_, l)| l.to_lowercase()))
            .collect();
        Ok(Boilerplate {
            set,
            name_line: built_in(NAME_LINE),
            by_line: built_in(BY_LINE),
            rules,
            roles,
            punct_rule: Arc::from("boilerplate:no-letters"),
            byline_rule: Arc::from("boilerplate:byline"),
        })
    }

    /// The rule that marks `line` (trimmed) as furniture, if any.
    fn furniture(&self, line: &str) -> Option<&Rule> {
        if line.len() > MAX_FURNITURE_LINE {
            return None;
        }
        if !line.chars().any(is_alphanumeric) {
            return Some(&self.punct_rule);
        }
        self.set.first_match(line).map(|i| &self.rules[i])
    }

    /// The byline at the head: the lines it spans and the name and role found.
    fn byline(&self, lines: &[Line<'_>]) -> Option<(usize, String, Option<String>)> {
        let mut content = lines.iter().enumerate().filter(|(_, l)| !l.text.is_empty());
        let (i, first) = content.next()?;
        if self.by_line.is_match(first.text) {
            return Some((i, first.text[BY..].trim_start().to_owned(), None));
        }
        let (j, second) = content.next()?;
        let role = second.text.trim_end_matches(['.', ',']);
        (self.name_line.is_match(first.text) && self.roles.contains(&role.to_lowercase()))
            .then(|| (j, first.text.to_owned(), Some(role.to_owned())))
    }
}

struct Line<'a> {
    /// Trimmed text.
    text: &'a str,
    /// From the line's start to just after its line break.
    range: Range<usize>,
}

fn lines(text: &str) -> Vec<Line<'_>> {
    let mut out = Vec::new();
    let mut start = 0;
    for piece in lines_inclusive(text) {
        let end = start + piece.len();
        out.push(Line {
            text: piece.trim(),
            range: start..end,
        });
        start = end;
    }
    out
}

impl Stage for Boilerplate {
    fn name(&self) -> &'static str {
        "boilerplate"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        let text = doc.text();
        let lines = lines(text);
        let mut removed: Vec<Option<Rule>> = lines
            .iter()
            .map(|l| {
                (!l.text.is_empty())
                    .then(|| self.furniture(l.text).cloned())
                    .flatten()
            })
            .collect();
        let byline = self.byline(&lines);
        if let Some((last, _, _)) = &byline {
            for r in removed.iter_mut().take(last + 1) {
                *r = Some(Arc::clone(&self.byline_rule));
            }
        }
        let kept = |i: usize| !lines[i].text.is_empty() && removed[i].is_none();
        // Each removed line is its own edit, from its start to the start of the next removed
        // or kept line, so the blank lines after it go with it; a run at the very end starts
        // at the end of the text before it instead, taking the line break(s) there.
        let mut reps = Vec::new();
        let mut i = 0;
        while i < lines.len() {
            if removed[i].is_none() {
                i += 1;
                continue;
            }
            let mut j = i;
            while j < lines.len() && !kept(j) {
                j += 1;
            }
            let run: Vec<usize> = (i..j).filter(|&k| removed[k].is_some()).collect();
            let end = lines.get(j).map_or(text.len(), |l| l.range.start);
            for (n, &k) in run.iter().enumerate() {
                let start = if n == 0 && j == lines.len() {
                    text[..lines[k].range.start].trim_end().len()
                } else {
                    lines[k].range.start
                };
                let stop = run.get(n + 1).map_or(end, |&next| lines[next].range.start);
                let rule = removed[k].as_ref().expect("removed");
                reps.push(Replacement::new(
                    start..stop,
                    "",
                    EditKind::Boilerplate,
                    rule,
                ));
            }
            i = j;
        }
        doc.apply(reps);
        if let Some((_, name, role)) = byline {
            doc.found.insert("byline".into(), Value::String(name));
            if let Some(role) = role {
                doc.found.insert("byline_role".into(), Value::String(role));
            }
        }
        Ok(())
    }
}
