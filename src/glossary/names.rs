//! Name glossaries: CSV rows mapping spellings to entities.
//!
//! ```text
//! entity,kind,canonical,lang,variant,replace
//! kassym-jomart-tokayev,person,Kassym-Jomart Tokayev,,Kassym-Jomart Tokayev,
//! kassym-jomart-tokayev,,,,Qasym-Zhomart Toqaev,Kassym-Jomart Tokayev
//! kassym-jomart-tokayev,,,,Toqaev,Tokayev
//! kazakhstan,place,Kazakhstan,it,Kazakistan,
//! ```
//!
//! - `entity`: a stable id; `kind` and `canonical` are given on (at least) the first row of an
//!   entity and may be left empty on the others.
//! - `lang`: the ISO 639-1 code of the documents the row applies to; empty for all languages.
//!   A row for the document's language wins over a row for all languages.
//! - `variant`: the spelling as it stands in text (matched case-sensitively, as a whole word).
//! - `replace`: what to write instead; empty to keep the spelling and only recognize it.
//! - `case` (optional column): `exact` (the default) matches the spelling as written; `any`
//!   also matches it in capitals and with a capital first letter ("ALMATY" datelines).
//!
//! Two rows that map the same (variant, lang) differently are an error naming both lines;
//! a row in a user's file overrides a default row with the same (variant, lang).

use std::collections::hash_map::Entry;
use std::sync::Arc;

use rustc_hash::FxHashMap;

use serde::Deserialize;
use unicode_normalization::{is_nfc, UnicodeNormalization};

use super::{read_csv, DataFile, DataSet, FileKind};
use crate::error::{Error, Result};

/// The header a names CSV starts with.
pub const HEADER: &str = "entity,kind,canonical,lang,variant,replace";

/// One row as written.
#[derive(Debug, Clone, Deserialize)]
pub(crate) struct Row {
    pub(crate) entity: String,
    #[serde(default)]
    pub(crate) kind: String,
    #[serde(default)]
    pub(crate) canonical: String,
    #[serde(default)]
    pub(crate) lang: String,
    pub(crate) variant: String,
    #[serde(default)]
    pub(crate) replace: String,
    #[serde(default)]
    pub(crate) case: String,
}

/// An entity: what every mention of it is annotated with.
#[derive(Debug, Clone, PartialEq)]
pub struct EntityInfo {
    /// Stable id.
    pub id: Arc<str>,
    /// `person`, `place`, `org`, `event` ...
    pub kind: Arc<str>,
    /// Canonical English form.
    pub canonical: Arc<str>,
}

/// One spelling of an entity.
#[derive(Debug, Clone)]
pub struct Variant {
    /// The spelling as it stands in text.
    pub text: String,
    /// The language it applies to; `None` for all.
    pub lang: Option<String>,
    /// What to write instead, if anything.
    pub replace: Option<String>,
    /// Index into [`NameGlossary::entities`].
    pub entity: usize,
    /// `file:line` of the row.
    pub rule: Arc<str>,
    /// Whether the spelling also matches in capitals and title case.
    pub any_case: bool,
}

/// All name rows, checked and merged.
#[derive(Debug, Clone, Default)]
pub struct NameGlossary {
    /// The entities.
    pub entities: Vec<EntityInfo>,
    /// The variants, in load order, one per (text, lang).
    pub variants: Vec<Variant>,
}

impl NameGlossary {
    /// Reads every names file of `data`.
    ///
    /// # Errors
    /// A malformed row, an entity without kind or canonical form, two definitions of one
    /// entity that disagree, or two rows mapping one (variant, lang) differently in the same
    /// layer (defaults, or user files); each names the file and line, both for conflicts.
    pub fn load(data: &DataSet) -> Result<Self> {
        let mut g = NameGlossary::default();
        let mut entity_ix: FxHashMap<String, (usize, Arc<str>)> = FxHashMap::default();
        let mut variant_ix: FxHashMap<(String, Option<String>), (usize, bool)> =
            FxHashMap::default();
        let mut pending_info: Vec<(usize, u64, &DataFile)> = Vec::new();
        for file in data.of(FileKind::Names) {
            for (line, row) in read_csv::<Row>(file)? {
                let mut row: Row = row;
                for f in [&mut row.canonical, &mut row.variant, &mut row.replace] {
                    if !is_nfc(f) {
                        *f = f.nfc().collect();
                    }
                }
                let rule: Arc<str> = Arc::from(format!("{}:{line}", file.path));
                let bad = |reason: String| Error::glossary(&file.path, line, reason);
                if row.entity.is_empty() {
                    return Err(bad("empty `entity`".into()));
                }
                if row.variant.is_empty() {
                    return Err(bad("empty `variant`".into()));
                }
                let ix = match entity_ix.get(&row.entity) {
                    Some((ix, _)) => *ix,
                    None => {
                        let ix = g.entities.len();
                        g.entities.push(EntityInfo {
                            id: Arc::from(row.entity.as_str()),
                            kind: Arc::from(""),
                            canonical: Arc::from(""),
                        });
                        entity_ix.insert(row.entity.clone(), (ix, Arc::clone(&rule)));
                        pending_info.push((ix, line, file));
                        ix
                    }
                };
                let info = &mut g.entities[ix];
                for (field, value) in [
                    (&mut info.kind, &row.kind),
                    (&mut info.canonical, &row.canonical),
                ] {
                    if value.is_empty() {
                        continue;
                    }
                    if field.is_empty() {
                        *field = Arc::from(value.as_str());
                    } else if **field != **value {
                        let first = &entity_ix[&row.entity].1;
                        return Err(bad(format!(
                            "entity `{}` is defined as `{}` at {first}, here as `{value}`",
                            row.entity, field
                        )));
                    }
                }
                let lang = (!row.lang.is_empty() && row.lang != "*").then(|| row.lang.clone());
                let replace = (!row.replace.is_empty()).then(|| row.replace.clone());
                let any_case = match row.case.as_str() {
                    "" | "exact" => false,
                    "any" => true,
                    other => return Err(bad(format!("`case` is `exact` or `any`, not `{other}`"))),
                };
                let variant = Variant {
                    text: row.variant.clone(),
                    lang: lang.clone(),
                    replace,
                    entity: ix,
                    rule,
                    any_case,
                };
                match variant_ix.entry((row.variant, lang)) {
                    Entry::Vacant(e) => {
                        e.insert((g.variants.len(), file.default));
                        g.variants.push(variant);
                    }
                    Entry::Occupied(mut e) => {
                        let (at, was_default) = *e.get();
                        let old = &g.variants[at];
                        let same = old.entity == variant.entity && old.replace == variant.replace;
                        if was_default && !file.default {
                            // A user's row overrides a default one.
                            g.variants[at] = variant;
                            e.insert((at, false));
                        } else if !same {
                            return Err(bad(format!(
                                "`{}` is already mapped at {} to {}; rows conflict",
                                variant.text,
                                old.rule,
                                describe(&g.entities[old.entity], old.replace.as_deref())
                            )));
                        }
                    }
                }
            }
        }
        for (ix, line, file) in pending_info {
            let e = &g.entities[ix];
            if e.kind.is_empty() || e.canonical.is_empty() {
                return Err(Error::glossary(
                    &file.path,
                    line,
                    format!("entity `{}` has no `kind` or `canonical` on any row", e.id),
                ));
            }
        }
        Ok(g)
    }
}

fn describe(e: &EntityInfo, replace: Option<&str>) -> String {
    match replace {
        Some(r) => format!("`{}` (replace with `{r}`)", e.id),
        None => format!("`{}` (kept as written)", e.id),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn data(files: &[(&str, &str, bool)]) -> DataSet {
        DataSet {
            files: files
                .iter()
                .map(|(p, t, d)| DataFile {
                    path: p.to_string(),
                    text: t.to_string(),
                    kind: FileKind::Names,
                    default: *d,
                })
                .collect(),
        }
    }

    #[test]
    fn rows_inherit_entity_fields_and_cite_their_line() {
        let g = NameGlossary::load(&data(&[(
            "g.csv",
            "entity,kind,canonical,lang,variant,replace\n# a comment\nt,person,Kassym-Jomart Tokayev,,Tokayev,\nt,,,,Toqaev,Tokayev\n",
            true,
        )]))
        .unwrap();
        assert_eq!(g.entities.len(), 1);
        assert_eq!(&*g.variants[1].rule, "g.csv:4");
        assert_eq!(g.variants[1].replace.as_deref(), Some("Tokayev"));
    }

    #[test]
    fn conflicting_rows_name_both_lines() {
        let err = NameGlossary::load(&data(&[
            (
                "a.csv",
                "entity,kind,canonical,lang,variant,replace\nx,person,X,,Fb,Facebook\n",
                true,
            ),
            (
                "b.csv",
                "entity,kind,canonical,lang,variant,replace\ny,org,Y,,Fb,\n",
                true,
            ),
        ]))
        .unwrap_err();
        let msg = err.to_string();
        assert!(msg.starts_with("b.csv:2:"), "{msg}");
        assert!(msg.contains("a.csv:2"), "{msg}");
    }

    #[test]
    fn user_rows_override_defaults() {
        let g = NameGlossary::load(&data(&[
            (
                "a.csv",
                "entity,kind,canonical,lang,variant,replace\nx,person,X,,Fb,Facebook\n",
                true,
            ),
            (
                "u.csv",
                "entity,kind,canonical,lang,variant,replace\nx,,,,Fb,\n",
                false,
            ),
        ]))
        .unwrap();
        assert_eq!(g.variants.len(), 1);
        assert_eq!(g.variants[0].replace, None);
        assert_eq!(&*g.variants[0].rule, "u.csv:2");
    }

    #[test]
    fn bad_rows_are_reported_with_line() {
        let err = NameGlossary::load(&data(&[(
            "a.csv",
            "entity,kind,canonical,lang,variant,replace\nx,person,X,,Fb,Facebook\nx,person\n",
            true,
        )]))
        .unwrap_err();
        assert_eq!(err.to_string(), "a.csv:3: expected 6 fields, found 2");
        let err = NameGlossary::load(&data(&[(
            "a.csv",
            "entity,kind,canonical,lang,variant,replace\nx,,,,Fb,Facebook\n",
            true,
        )]))
        .unwrap_err();
        assert!(
            err.to_string().starts_with("a.csv:2: entity `x` has no"),
            "{err}"
        );
    }
}
