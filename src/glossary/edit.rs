//! `transnorm glossary add`: one safe command to add a spelling to a glossary file.
//!
//! The entry is validated against every loaded glossary before anything is written: the
//! variant is normalized (NFC, trimmed); a duplicate, a conflict, a chain or cycle, an
//! unreachable spelling or (without `force`) a common word is refused with the reason. The
//! row is appended, keeping the file's order, header and comments; the file is replaced
//! atomically (a temporary file renamed into place) under a lock file beside it, so
//! concurrent adds neither lose an entry nor tear the file.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};

use unicode_normalization::UnicodeNormalization;

use super::lint::{unreachable, CommonWords};
use super::names::{NameGlossary, HEADER};
use super::{DataFile, DataSet, FileKind};
use crate::error::{Error, Result};
use crate::io::sink::write_atomic;

/// What to add.
#[derive(Debug, Clone, Default)]
pub struct NewEntry {
    /// The spelling met in text.
    pub variant: String,
    /// What to write instead (the same as `variant` to keep the spelling and only annotate it).
    pub canonical: String,
    /// The entity; by default the one `canonical` belongs to.
    pub entity: Option<String>,
    /// The language the row is for; `None` for every language.
    pub lang: Option<String>,
    /// The kind, needed for a new entity.
    pub kind: Option<String>,
    /// Add even a common word.
    pub force: bool,
}

/// A validated row, ready to append.
#[derive(Debug, Clone)]
pub struct Planned {
    /// The glossary file.
    pub file: PathBuf,
    /// The file's text with the row appended.
    pub text: String,
    /// The row as written.
    pub row: String,
    /// Its 1-based line number.
    pub line: u64,
    /// The entity it maps to.
    pub entity: String,
    /// Whether the entity is new.
    pub new_entity: bool,
}

impl Planned {
    /// The rule name edits made by this row will cite.
    pub fn rule(&self) -> String {
        format!("{}:{}", shown(&self.file), self.line)
    }

    /// The loaded data with the new row in place of the file's old contents, for a dry run.
    pub fn data_with_row(&self, mut context: DataSet) -> DataSet {
        let path = shown(&self.file);
        context.files.retain(|f| f.path != path);
        context.files.push(DataFile {
            path,
            text: self.text.clone(),
            kind: FileKind::Names,
            default: false,
        });
        context
    }
}

fn shown(p: &Path) -> String {
    p.display().to_string().replace('\\', "/")
}

/// A lock held on `FILE.lock` while a glossary file is read, checked and replaced.
struct Lock {
    file: File,
}

impl Lock {
    fn take(target: &Path) -> Result<Self> {
        let mut p = target.as_os_str().to_owned();
        p.push(".lock");
        let path = PathBuf::from(p);
        let file = OpenOptions::new()
            .create(true)
            .truncate(false)
            .write(true)
            .open(&path)
            .map_err(|e| Error::io(&path, e))?;
        file.lock().map_err(|e| Error::io(&path, e))?;
        Ok(Lock { file })
    }
}

impl Drop for Lock {
    fn drop(&mut self) {
        let _ = self.file.unlock();
    }
}

/// A lower-case id from a name: "Kassym-Jomart Tokayev" -> `kassym-jomart-tokayev`.
pub fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.nfc().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    out.trim_end_matches('-').to_owned()
}

fn csv_row(fields: &[&str]) -> String {
    let mut w = csv::WriterBuilder::new()
        .terminator(csv::Terminator::Any(b'\n'))
        .from_writer(Vec::new());
    w.write_record(fields)
        .expect("writing to a Vec cannot fail");
    String::from_utf8(w.into_inner().expect("flush to a Vec")).expect("UTF-8 in, UTF-8 out")
}

/// Validates `entry` for `file` against `context` (every other loaded glossary) and the file's
/// present text, and returns the row to append.
///
/// # Errors
/// Each refusal names the row it clashes with (`file:line`), or says what to change.
pub fn plan(
    context: &DataSet,
    file: &Path,
    current: Option<&str>,
    entry: &NewEntry,
) -> Result<Planned> {
    let path = shown(file);
    let refuse = |reason: String| Error::glossary(file, 0, reason);
    let variant: String = entry.variant.trim().nfc().collect();
    let canonical: String = entry.canonical.trim().nfc().collect();
    if variant.is_empty() || canonical.is_empty() {
        return Err(refuse(
            "the variant and the canonical form must not be empty".into(),
        ));
    }
    if let Some(why) = unreachable(&variant) {
        return Err(refuse(format!("`{}` {why}", variant.escape_debug())));
    }
    let lang = entry
        .lang
        .as_deref()
        .map(str::trim)
        .filter(|l| !l.is_empty() && *l != "*");
    let text = current.map_or_else(|| format!("{HEADER}\n"), str::to_owned);
    let mut data = context.clone();
    data.files.retain(|f| f.path != path);
    data.files.push(DataFile {
        path: path.clone(),
        text: text.clone(),
        kind: FileKind::Names,
        default: false,
    });
    let g = NameGlossary::load(&data)?;
    let common = CommonWords::new(&data);
    if !entry.force {
        if let Some(l) = common.language_of(&variant, lang) {
            return Err(refuse(format!(
                "`{variant}` is a common word of `{l}`: it would rewrite ordinary text (--force to add it anyway)"
            )));
        }
    }
    let replace = (variant != canonical).then_some(canonical.as_str());
    // Duplicates and conflicts.
    if let Some(old) = g
        .variants
        .iter()
        .find(|v| v.text == variant && v.lang.as_deref() == lang)
    {
        let same_entity = entry
            .entity
            .as_deref()
            .is_none_or(|id| *g.entities[old.entity].id == *id);
        let same = same_entity && old.replace.as_deref() == replace;
        let what = if same {
            "already in the glossary"
        } else {
            "already mapped differently"
        };
        return Err(refuse(format!("`{variant}` is {what} at {}", old.rule)));
    }
    let applies =
        |v: &super::names::Variant| v.lang.as_deref() == lang || v.lang.is_none() || lang.is_none();
    // The entity: given, or the one the canonical form belongs to.
    let entity = match &entry.entity {
        Some(id) => id.trim().to_owned(),
        None => {
            let mut owners: Vec<&str> = g
                .entities
                .iter()
                .filter(|e| *e.canonical == *canonical)
                .map(|e| &*e.id)
                .chain(
                    g.variants
                        .iter()
                        .filter(|v| v.text == canonical || v.replace.as_deref() == Some(&canonical))
                        .map(|v| &*g.entities[v.entity].id),
                )
                .collect();
            owners.sort_unstable();
            owners.dedup();
            match owners[..] {
                [one] => one.to_owned(),
                [] => slug(&canonical),
                _ => {
                    return Err(refuse(format!(
                        "`{canonical}` belongs to several entities ({}): say which with --entity",
                        owners.join(", ")
                    )))
                }
            }
        }
    };
    let known = g.entities.iter().find(|e| *e.id == *entity);
    let new_entity = known.is_none();
    if new_entity && entry.kind.is_none() {
        return Err(refuse(format!(
            "`{entity}` is a new entity: give its --kind (person, place, org, event ...)"
        )));
    }
    // Chains and cycles, from either side.
    if let Some(to) = replace {
        // The row that would apply to `to`: for one language, its own row or else the row for
        // all; for all languages, any.
        let rows_of_to: Vec<&super::names::Variant> =
            g.variants.iter().filter(|v| v.text == to).collect();
        let effective: Vec<&super::names::Variant> = match lang {
            Some(l) => rows_of_to
                .iter()
                .find(|v| v.lang.as_deref() == Some(l))
                .or_else(|| rows_of_to.iter().find(|v| v.lang.is_none()))
                .into_iter()
                .copied()
                .collect(),
            None => rows_of_to,
        };
        if let Some(next) = effective
            .into_iter()
            .find(|v| v.replace.as_deref().is_some_and(|r| r != to))
        {
            return Err(refuse(format!(
                "chain: `{to}` is itself rewritten to `{}` at {}; map `{variant}` to that directly",
                next.replace.as_deref().unwrap_or(""),
                next.rule
            )));
        }
        if let Some(prev) = g
            .variants
            .iter()
            .find(|v| v.replace.as_deref() == Some(&variant) && applies(v))
        {
            return Err(refuse(format!(
                "chain: `{}` is rewritten to `{variant}` at {}, which this entry would rewrite again",
                prev.text, prev.rule
            )));
        }
    }
    // A file that can be read on its own: the first row of an entity in it says its kind and
    // canonical form.
    let defined_here = text
        .lines()
        .any(|l| l.split(',').next() == Some(entity.as_str()));
    let (kind, canon) = match known {
        Some(e) if !defined_here => (e.kind.to_string(), e.canonical.to_string()),
        Some(_) => (String::new(), String::new()),
        None => (entry.kind.clone().unwrap_or_default(), canonical.clone()),
    };
    let row = csv_row(&[
        &entity,
        &kind,
        &canon,
        lang.unwrap_or(""),
        &variant,
        replace.unwrap_or(""),
    ]);
    let mut new_text = text;
    if !new_text.is_empty() && !new_text.ends_with('\n') {
        new_text.push('\n');
    }
    let line = new_text.lines().count() as u64 + 1;
    new_text.push_str(&row);
    // The whole result must load: the final word on conflicts with every glossary.
    let planned = Planned {
        file: file.to_path_buf(),
        text: new_text,
        row: row.trim_end().to_owned(),
        line,
        entity,
        new_entity,
    };
    NameGlossary::load(&planned.data_with_row(context.clone()))?;
    Ok(planned)
}

/// Adds `entry` to `file` (created with its header if missing): validates against `context`,
/// appends, and replaces the file atomically, under a lock.
///
/// # Errors
/// A refusal from [`plan`]; a read-only or unreadable file.
pub fn add(context: &DataSet, file: &Path, entry: &NewEntry) -> Result<Planned> {
    let _lock = Lock::take(file)?;
    let current = match std::fs::read(file) {
        Ok(bytes) => {
            let meta = std::fs::metadata(file).map_err(|e| Error::io(file, e))?;
            if meta.permissions().readonly() {
                return Err(Error::glossary(file, 0, "the file is read-only"));
            }
            Some(String::from_utf8(bytes).map_err(|_| Error::glossary(file, 0, "invalid UTF-8"))?)
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => None,
        Err(e) => return Err(Error::io(file, e)),
    };
    let planned = plan(context, file, current.as_deref(), entry)?;
    write_atomic(file, planned.text.as_bytes())?;
    Ok(planned)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(variant: &str, canonical: &str) -> NewEntry {
        NewEntry {
            variant: variant.into(),
            canonical: canonical.into(),
            ..NewEntry::default()
        }
    }

    fn plan_default(e: &NewEntry) -> Result<Planned> {
        plan(&DataSet::defaults(), Path::new("mine.csv"), None, e)
    }

    #[test]
    fn a_new_spelling_joins_the_entity_of_its_canonical_form() {
        let p = plan_default(&entry(" Pas\u{0327}inyan ", "Pashinyan")).unwrap();
        assert_eq!(
            p.row,
            "nikol-pashinyan,person,Nikol Pashinyan,,Paşinyan,Pashinyan"
        );
        assert_eq!((p.line, p.new_entity), (2, false));
        assert!(p.text.starts_with(HEADER));
    }

    #[test]
    fn refusals_say_why() {
        let cases = [
            (
                entry("Toqaev", "Tokayev"),
                "already in the glossary at glossaries/names/people.csv:",
            ),
            (
                entry("Toqaev", "Toqaev"),
                "already mapped differently at glossaries/names/people.csv:",
            ),
            (
                entry("Tokaeff", "Toqaev"),
                "chain: `Toqaev` is itself rewritten to `Tokayev`",
            ),
            (
                NewEntry {
                    lang: Some("de".into()),
                    ..entry("Tokayev", "Tokajew")
                },
                "chain: `Tokaev` is rewritten to `Tokayev`",
            ),
            (
                entry("Search", "Search Exercise"),
                "`Search` is a common word of `en`",
            ),
            (
                entry("Zzyzx", "Zzyzx Road"),
                "a new entity: give its --kind",
            ),
            (
                entry("Toka\u{200b}yev", "Tokayev"),
                "invisible or control character",
            ),
        ];
        for (e, want) in cases {
            let err = plan_default(&e).unwrap_err().to_string();
            assert!(err.contains(want), "{}: {err}", e.variant);
        }
        let forced = NewEntry {
            force: true,
            kind: Some("event".into()),
            ..entry("Search", "Search Exercise")
        };
        assert!(plan_default(&forced).is_ok());
    }

    #[test]
    fn slugs() {
        assert_eq!(slug("Kassym-Jomart Tokayev"), "kassym-jomart-tokayev");
        assert_eq!(slug("St. Petersburg"), "st-petersburg");
    }
}
