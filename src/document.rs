//! A document on its way through the pipeline.

use std::collections::BTreeMap;
use std::ops::Range;
use std::sync::Arc;

use serde_json::{Map, Value};

use crate::edit::{EditLog, Replacement};

/// A language code as the output contract writes it: ISO 639-1 (`en`, `it`, `ru` ...) where one
/// exists, ISO 639-3 otherwise, `und` when it cannot be told.
pub type LangCode = &'static str;

/// The code for "cannot be told".
pub const UND: LangCode = "und";

/// A sentence-like unit of the document, within one paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Segment {
    /// Span in the original text, in bytes.
    pub src: Range<usize>,
    /// Index of the paragraph, from 0.
    pub para: usize,
    /// The segment's language.
    pub lang: LangCode,
}

/// A recognized name.
#[derive(Debug, Clone, PartialEq)]
pub struct Entity {
    /// Span in the original text, in bytes; it never cuts through an edit.
    pub src: Range<usize>,
    /// The entity's stable id.
    pub id: Arc<str>,
    /// Its canonical English form.
    pub canonical: Arc<str>,
    /// `person`, `place`, `org`, `event` ...
    pub kind: Arc<str>,
    /// How the mention was found: 1.0 for a glossary match, lower for looser evidence.
    pub confidence: f32,
    /// The rule that recognized it (`file:line`).
    pub rule: Arc<str>,
}

/// A change the artifacts stage would make, recorded instead of made under `--artifacts flag`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Flag {
    /// Span in the original text, in bytes.
    pub src: Range<usize>,
    /// The repair it would write.
    pub to: String,
    /// The rule (`file:line`).
    pub rule: Arc<str>,
}

/// One document: the input record, its text and everything the stages found out.
#[derive(Debug, Clone)]
pub struct Document {
    /// The document id (from the record's `id`, or derived from the file and line).
    pub id: String,
    /// The input record without its `text` (every other field is carried through).
    pub record: Map<String, Value>,
    /// Original text, current text and the edits between them.
    pub log: EditLog,
    /// The document's language.
    pub lang: LangCode,
    /// Confidence of `lang`, from 0 to 1.
    pub lang_confidence: f64,
    /// Segments in reading order; empty until the segmenter has run.
    pub segments: Vec<Segment>,
    /// Recognized names, sorted by position.
    pub entities: Vec<Entity>,
    /// Document-level figures such as the artifact score.
    pub scores: BTreeMap<&'static str, f64>,
    /// Fields the stages found about the document (a byline, say), added to `docs` output.
    pub found: Map<String, Value>,
    /// Repairs flagged but not made (`--artifacts flag`); `None` when not flagging.
    pub flags: Option<Vec<Flag>>,
}

impl Document {
    /// A new document with original text `text`.
    pub fn new(id: impl Into<String>, text: impl Into<String>) -> Self {
        Document {
            id: id.into(),
            record: Map::new(),
            log: EditLog::new(text.into()),
            lang: UND,
            lang_confidence: 0.0,
            segments: Vec::new(),
            entities: Vec::new(),
            scores: BTreeMap::new(),
            found: Map::new(),
            flags: None,
        }
    }

    /// The original text.
    pub fn src(&self) -> &str {
        self.log.src()
    }

    /// The current text.
    pub fn text(&self) -> &str {
        self.log.text()
    }

    /// Rewrites current-text ranges; see [`EditLog::apply`].
    pub fn apply(&mut self, reps: Vec<Replacement>) {
        self.log.apply(reps);
    }
}
