//! # transnorm
//!
//! Turns messy multilingual news text into a clean corpus in which every segment and every
//! edit stays aligned to the source text.
//!
//! A [`Pipeline`] is built once from [`Options`] (glossaries loaded and checked, automata
//! compiled) and then runs on any number of [`Document`]s, from any number of threads:
//! hygiene -> boilerplate -> language -> segments -> names -> artifacts. Each rewriting stage
//! records its changes as [`Edit`]s in original-text coordinates, so applying a document's
//! edits to its original text gives its normalized text (see [`edit`] for why this
//! representation). [`run::run`] streams a whole corpus through the pipeline in parallel
//! batches, and [`io::output`] writes the formats of the output contract.
//!
//! ```
//! use transnorm::{apply_edits, Options, Pipeline};
//!
//! let pipeline = Pipeline::new(&Options::default()).unwrap();
//! let src = "Kazakh President Qasym-Zhomart Toqaev requested the intervention.";
//! let doc = pipeline.normalize("example", src).unwrap();
//! assert_eq!(doc.text(), "Kazakh President Kassym-Jomart Tokayev requested the intervention.");
//! assert_eq!(apply_edits(doc.src(), 0, doc.log.edits()), doc.text());
//! assert_eq!(&*doc.entities[0].id, "kassym-jomart-tokayev");
//! ```
#![deny(missing_docs)]

pub mod alloc;
pub mod document;
pub mod edit;
pub mod error;
pub mod eval;
pub mod glossary;
pub mod io;
pub mod pipeline;
pub mod run;
pub mod shard;
pub mod stages;

pub use document::{Document, Entity, Segment};
pub use edit::{apply_edits, Edit, EditKind, EditLog};
pub use error::{Error, Result};
pub use pipeline::{Options, Pipeline};
