//! Glossaries and rule files: finding them, reading them, and checking them.
//!
//! All data lives under `glossaries/` as plain files that users edit:
//!
//! | folder | format | read by |
//! | --- | --- | --- |
//! | `names/*.csv` | [`names`] CSV: entity, kind, canonical, lang, variant, replace | the names stage |
//! | `artifacts/*.csv` | [`artifacts`] CSV: lang, gate, phrase, repair, before | the artifacts stage |
//! | `boilerplate/*.txt` | one regular expression per line, matched against whole lines | the boilerplate stage |
//! | `bylines/*.txt` | one job title per line ("Journalist") | the boilerplate stage |
//! | `abbreviations/<lang>.txt` | one abbreviation per line, without its final period | the segmenter |
//! | `langid/languages.txt`, `langid/<lang>.txt` | candidate languages; common words of a language | language identification |
//! | `common/<lang>.txt` | common words a name variant must not be | `glossary add` and `glossary check` |
//! | `punct/<mode>.tsv` | ordered punctuation rules: condition, pattern, replacement | the punctuation stage |
//! | `translit/cyrillic.tsv`, `translit/fold.tsv` | letters and spelling folds for name keys | the names stage (unseen variants) |
//! | `inflection/<lang>.txt` | case endings of names | the names stage (inflected mentions) |
//!
//! The files in the repository are compiled into the binary ([`DataSet::defaults`]); files the
//! user names with `--glossary` are read at run time and override the defaults. A CSV file
//! given by the user is recognized by its header; a `.txt` file by the folder it is in.

pub mod artifacts;
pub mod edit;
pub mod lint;
pub mod names;
pub mod translit;

use std::path::{Path, PathBuf};

use crate::error::{Error, Result};

mod embedded {
    include!(concat!(env!("OUT_DIR"), "/embedded.rs"));
}

/// Which table a data file feeds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// Name glossary (CSV).
    Names,
    /// Artifact rules (CSV).
    Artifacts,
    /// Boilerplate line patterns.
    Boilerplate,
    /// Job titles that mark a byline.
    Bylines,
    /// Abbreviations of one language.
    Abbreviations,
    /// Language identification data: the candidate languages, common words of a language.
    Langid,
    /// Common words of a language, which glossary variants must not be.
    Common,
    /// Punctuation rules of one mode.
    Punct,
    /// Transliteration tables and folds for name keys.
    Translit,
    /// Case endings or suffixes names take in a language.
    Inflection,
}

/// One data file: where it came from, and its text.
#[derive(Debug, Clone)]
pub struct DataFile {
    /// The path cited in rules (`glossaries/names/central_asia.csv`).
    pub path: String,
    /// The file's contents.
    pub text: String,
    /// What it holds.
    pub kind: FileKind,
    /// Whether it is one of the embedded defaults (user files override defaults).
    pub default: bool,
}

impl DataFile {
    /// For `.txt` lists: the language the file is for, from its stem (`it.txt` -> `it`).
    pub fn stem(&self) -> &str {
        let name = self.path.rsplit('/').next().unwrap_or(&self.path);
        name.split('.').next().unwrap_or(name)
    }

    /// The non-empty, non-comment lines of a `.txt` list, with their 1-based line numbers.
    pub fn lines(&self) -> impl Iterator<Item = (u64, &str)> {
        self.text.lines().enumerate().filter_map(|(i, l)| {
            let l = l.trim();
            (!l.is_empty() && !l.starts_with('#')).then_some((i as u64 + 1, l))
        })
    }
}

/// Every data file the pipeline reads, defaults first.
#[derive(Debug, Clone, Default)]
pub struct DataSet {
    /// The files, in load order: embedded defaults, then user files in the order given.
    pub files: Vec<DataFile>,
}

impl DataSet {
    /// The embedded defaults.
    pub fn defaults() -> Self {
        let files = embedded::FILES
            .iter()
            .filter_map(|(path, text)| {
                kind_from_folder(path).map(|kind| DataFile {
                    path: (*path).to_owned(),
                    text: (*text).to_owned(),
                    kind,
                    default: true,
                })
            })
            .collect();
        DataSet { files }
    }

    /// The embedded defaults (when `defaults` is set) and then the user files or folders of
    /// `paths`, whose rows override them: the data a pipeline or a glossary command works on.
    ///
    /// # Errors
    /// As [`DataSet::add_path`].
    pub fn load(defaults: bool, paths: &[PathBuf]) -> Result<Self> {
        let mut data = if defaults {
            DataSet::defaults()
        } else {
            DataSet::default()
        };
        for path in paths {
            data.add_path(path)?;
        }
        Ok(data)
    }

    /// Adds a user file or folder (walked in sorted order).
    ///
    /// # Errors
    /// A missing or unreadable file, a CSV whose header is neither a names nor an artifacts
    /// header, or a `.txt` file outside a folder that says what it is.
    pub fn add_path(&mut self, path: &Path) -> Result<()> {
        let meta = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
        if meta.is_dir() {
            let mut found = Vec::new();
            for entry in walkdir::WalkDir::new(path).sort_by_file_name() {
                let entry = entry.map_err(|e| {
                    let p = e.path().unwrap_or(path).to_path_buf();
                    Error::io(p, e.into())
                })?;
                let p = entry.path();
                if entry.file_type().is_file()
                    && matches!(
                        p.extension().and_then(|e| e.to_str()),
                        Some("csv" | "txt" | "tsv")
                    )
                {
                    found.push(p.to_path_buf());
                }
            }
            for p in found {
                // Files in a folder that says nothing about them (a README.txt) are skipped.
                if let Some(file) = read_user_file(&p, false)? {
                    self.files.push(file);
                }
            }
            Ok(())
        } else {
            let file = read_user_file(path, true)?.expect("strict read returns a file");
            self.files.push(file);
            Ok(())
        }
    }

    /// The files of one kind, in load order.
    pub fn of(&self, kind: FileKind) -> impl Iterator<Item = &DataFile> {
        self.files.iter().filter(move |f| f.kind == kind)
    }
}

fn kind_from_folder(path: &str) -> Option<FileKind> {
    let mut parts = path.rsplit('/');
    let file = parts.next()?;
    let folder = parts.next()?;
    let ext = file.rsplit('.').next()?;
    match (folder, ext) {
        ("names", "csv") => Some(FileKind::Names),
        ("artifacts", "csv") => Some(FileKind::Artifacts),
        ("boilerplate", "txt") => Some(FileKind::Boilerplate),
        ("bylines", "txt") => Some(FileKind::Bylines),
        ("abbreviations", "txt") => Some(FileKind::Abbreviations),
        ("langid", "txt") => Some(FileKind::Langid),
        ("common", "txt") => Some(FileKind::Common),
        ("punct", "tsv") => Some(FileKind::Punct),
        ("translit", "tsv") => Some(FileKind::Translit),
        ("inflection", "txt") => Some(FileKind::Inflection),
        _ => None,
    }
}

/// Reads a user's data file. `strict`: the user named this very file, so a file we cannot
/// classify is an error rather than something to skip.
fn read_user_file(path: &Path, strict: bool) -> Result<Option<DataFile>> {
    let shown = path.display().to_string().replace('\\', "/");
    let bytes = std::fs::read(path).map_err(|e| Error::io(path, e))?;
    let text = String::from_utf8(bytes).map_err(|e| {
        let line = bytecount_lines(&e.as_bytes()[..e.utf8_error().valid_up_to()]);
        Error::glossary(path, line, "invalid UTF-8")
    })?;
    let is_csv = path.extension().is_some_and(|e| e == "csv");
    let kind = if is_csv {
        match csv_kind(&text) {
            Some(k) => Some(k),
            None => {
                return Err(Error::glossary(
                    path,
                    1,
                    format!(
                        "unknown glossary header; expected `{}` or `{}`",
                        names::HEADER,
                        artifacts::HEADER
                    ),
                ))
            }
        }
    } else {
        kind_from_folder(&shown)
    };
    match kind {
        Some(kind) => Ok(Some(DataFile {
            path: shown,
            text,
            kind,
            default: false,
        })),
        None if strict => Err(Error::glossary(
            path,
            0,
            "a .txt or .tsv list must sit in a folder named boilerplate/, bylines/, abbreviations/, langid/, common/, punct/, translit/ or inflection/",
        )),
        None => Ok(None),
    }
}

/// The kind of a CSV glossary, told by the columns of its first non-comment line.
fn csv_kind(text: &str) -> Option<FileKind> {
    let header = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty() && !l.starts_with('#'))?;
    let cols: Vec<&str> = header.split(',').map(str::trim).collect();
    if cols.contains(&"variant") && cols.contains(&"entity") {
        Some(FileKind::Names)
    } else if cols.contains(&"phrase") && cols.contains(&"repair") {
        Some(FileKind::Artifacts)
    } else {
        None
    }
}

/// The 1-based line on which the byte after `prefix` stands.
pub(crate) fn bytecount_lines(prefix: &[u8]) -> u64 {
    memchr::memchr_iter(b'\n', prefix).count() as u64 + 1
}

/// Reads the rows of a CSV data file with serde, stopping at the first bad row, reported as
/// `file:line: reason`.
///
/// Lines starting with `#` are comments; fields are trimmed.
pub(crate) fn read_csv<T: serde::de::DeserializeOwned>(file: &DataFile) -> Result<Vec<(u64, T)>> {
    read_csv_rows(file).into_iter().collect()
}

/// Reads every row of a CSV data file, each as its value or its error, so a linter can report
/// them all.
pub(crate) fn read_csv_rows<T: serde::de::DeserializeOwned>(
    file: &DataFile,
) -> Vec<Result<(u64, T)>> {
    let mut rdr = csv::ReaderBuilder::new()
        .comment(Some(b'#'))
        // Fields are trimmed below, only where they need it: the reader's own trimming copies
        // every record.
        .trim(csv::Trim::Headers)
        .from_reader(file.text.as_bytes());
    let headers = match rdr.headers() {
        Ok(h) => h.clone(),
        Err(e) => return vec![Err(Error::glossary(&file.path, 1, e.to_string()))],
    };
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    loop {
        match rdr.read_record(&mut record) {
            Ok(false) => break,
            Ok(true) => {
                if record.iter().any(|f| f.trim().len() != f.len()) {
                    record.trim();
                }
                let line = record.position().map_or(0, |p| p.line());
                rows.push(
                    record
                        .deserialize(Some(&headers))
                        .map(|row| (line, row))
                        .map_err(|e| Error::glossary(&file.path, line, csv_reason(&e))),
                );
            }
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line());
                rows.push(Err(Error::glossary(&file.path, line, csv_reason(&e))));
                if !matches!(e.kind(), csv::ErrorKind::UnequalLengths { .. }) {
                    break;
                }
            }
        }
    }
    rows
}

fn csv_reason(e: &csv::Error) -> String {
    match e.kind() {
        csv::ErrorKind::UnequalLengths {
            expected_len, len, ..
        } => format!("expected {expected_len} fields, found {len}"),
        csv::ErrorKind::Deserialize { err, .. } => match err.field() {
            Some(_) => err.kind().to_string(),
            None => err.to_string(),
        },
        _ => e.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(serde::Deserialize, Debug, PartialEq)]
    struct Pair {
        a: String,
        b: String,
    }

    #[test]
    fn csv_fields_and_headers_are_trimmed() {
        let file = DataFile {
            path: "t.csv".into(),
            text: "# comment\n a , b\u{a0}\nx,y\n  x x ,\u{2003}y\t\n".into(),
            kind: FileKind::Names,
            default: false,
        };
        let rows: Vec<(u64, Pair)> = read_csv(&file).unwrap();
        let pairs: Vec<(&str, &str)> = rows
            .iter()
            .map(|(_, p)| (p.a.as_str(), p.b.as_str()))
            .collect();
        assert_eq!(pairs, [("x", "y"), ("x x", "y")]);
        assert_eq!(rows[1].0, 4);
    }
}
