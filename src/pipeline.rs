//! The pipeline: configured stages in order, applied to one document or, stage by stage, to a
//! group of documents.

use std::path::PathBuf;
use std::sync::Arc;

use crate::document::Document;
use crate::error::Result;
use crate::glossary::{artifacts, names::NameGlossary, DataSet};
use crate::stages::artifacts::{Artifacts, Mode};
use crate::stages::boilerplate::Boilerplate;
use crate::stages::hygiene::{Form, Hygiene};
use crate::stages::langid::{Detector, LangId, ScriptFirst, SegmentLang};
use crate::stages::names::{Names, Unseen};
use crate::stages::punct::{Punct, PunctStage};
use crate::stages::segment::Segmenter;
use crate::stages::Stage;

/// Default artifact score (fingerprints per thousand words) from which `spun` rules fire.
pub const DEFAULT_ARTIFACT_THRESHOLD: f64 = 1.5;

/// Documents the driver gives [`Pipeline::run_batch`] at once. From 16 to 512 the gain over
/// one at a time was about the same; a 2 MiB batch of news documents still makes about ten
/// groups, enough to keep every core busy to the batch's end.
pub const GROUP_DOCS: usize = 64;

/// What the pipeline does; everything is checked when the pipeline is built.
#[derive(Debug, Clone)]
pub struct Options {
    /// Use the glossaries compiled into the binary.
    pub default_glossaries: bool,
    /// Extra glossary files or folders, read after the defaults (and overriding them).
    pub glossaries: Vec<PathBuf>,
    /// Unicode normalization form.
    pub form: Form,
    /// Keep page furniture instead of removing it.
    pub keep_boilerplate: bool,
    /// Languages the detector may answer (ISO 639-1); empty for all.
    pub langs: Vec<String>,
    /// Artifact score from which `spun` rules fire.
    pub artifact_threshold: f64,
    /// Repair artifacts, only flag them, or leave them (`None`).
    pub artifacts: Option<Mode>,
    /// Punctuation mode.
    pub punct: Punct,
    /// Names found only by their transliteration key: annotate, replace, or do not look.
    pub unseen_names: Unseen,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            default_glossaries: true,
            glossaries: Vec::new(),
            form: Form::Nfc,
            keep_boilerplate: false,
            langs: Vec::new(),
            artifact_threshold: DEFAULT_ARTIFACT_THRESHOLD,
            artifacts: Some(Mode::Repair),
            punct: Punct::Keep,
            unseen_names: Unseen::Annotate,
        }
    }
}

/// A configured pipeline: `Send + Sync`, so one instance serves every thread.
#[derive(Debug)]
pub struct Pipeline {
    stages: Vec<Box<dyn Stage>>,
    fingerprint: String,
}

impl Pipeline {
    /// Loads the glossaries and rules, compiles every automaton and pattern, and returns the
    /// pipeline: read -> hygiene -> boilerplate -> langid -> segment -> segment langid -> punct
    /// -> names -> artifacts.
    ///
    /// # Errors
    /// Any glossary or rule problem, named by file and line; an unknown language code.
    pub fn new(opts: &Options) -> Result<Self> {
        let data = DataSet::load(opts.default_glossaries, &opts.glossaries)?;
        Self::with_data(&data, opts)
    }

    /// Builds the pipeline from data files already in memory; `opts.default_glossaries` and
    /// `opts.glossaries` are not consulted.
    ///
    /// # Errors
    /// As [`Pipeline::new`].
    pub fn with_data(data: &DataSet, opts: &Options) -> Result<Self> {
        // The boilerplate patterns take longest to compile (a regex set with Unicode classes
        // under bounded repeats: two thirds of the start-up), so they get a thread of their own
        // while this one builds the rest. Errors come back in stage order, whichever finished
        // first.
        let (boilerplate, rest) = std::thread::scope(|scope| {
            let build = || Boilerplate::new(data);
            let thread = (!opts.keep_boilerplate).then(|| {
                std::thread::Builder::new()
                    .name("transnorm-build".into())
                    .spawn_scoped(scope, build)
            });
            let rest = Self::after_boilerplate(data, opts);
            let boilerplate = thread.map(|t| match t {
                Ok(handle) => handle
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic)),
                Err(_) => build(), // no thread to be had: build it here
            });
            (boilerplate.transpose(), rest)
        });
        let mut stages: Vec<Box<dyn Stage>> =
            vec![Box::new(Hygiene::new(opts.form, opts.punct != Punct::Keep))];
        if let Some(b) = boilerplate? {
            stages.push(Box::new(b));
        }
        stages.extend(rest?);
        Ok(Pipeline {
            stages,
            fingerprint: fingerprint(data, opts),
        })
    }

    /// The stages after boilerplate, in order.
    fn after_boilerplate(data: &DataSet, opts: &Options) -> Result<Vec<Box<dyn Stage>>> {
        let detector: Arc<dyn Detector> = Arc::new(ScriptFirst::new(data, &opts.langs)?);
        let mut stages: Vec<Box<dyn Stage>> = vec![
            Box::new(LangId::new(Arc::clone(&detector))),
            Box::new(Segmenter::new(data)),
            Box::new(SegmentLang::new(detector)),
            Box::new(PunctStage::new(data, opts.punct)?),
            Box::new(Names::new(
                NameGlossary::load(data)?,
                data,
                opts.unseen_names,
            )?),
        ];
        if let Some(mode) = opts.artifacts {
            stages.push(Box::new(Artifacts::new(
                artifacts::load(data)?,
                opts.artifact_threshold,
                mode,
            )?));
        }
        Ok(stages)
    }

    /// A SHA-256 (hex) of everything that decides the output: the transnorm version, the
    /// options and every data file's path and contents. Two pipelines with the same
    /// fingerprint turn the same input into the same output.
    pub fn fingerprint(&self) -> &str {
        &self.fingerprint
    }

    /// The stages, in order.
    pub fn stages(&self) -> &[Box<dyn Stage>] {
        &self.stages
    }

    /// Runs every stage on `doc`.
    ///
    /// # Errors
    /// The first stage error.
    pub fn run(&self, doc: &mut Document) -> Result<()> {
        for stage in &self.stages {
            stage.run(doc)?;
        }
        Ok(())
    }

    /// Runs every stage on each of `docs`, stage by stage: the first stage on all of them,
    /// then the next. The result of each document is what [`Pipeline::run`] gives it (a
    /// document whose stage fails goes no further; the others do), and so is the document.
    ///
    /// Stage by stage, a stage's automata and code stay in the caches across the group rather
    /// than being evicted by the other six stages' between two documents: over groups of
    /// [`GROUP_DOCS`] documents of the seed-7 corpus, 7-10% more throughput on one thread than
    /// document by document.
    pub fn run_batch(&self, docs: &mut [Document]) -> Vec<Result<()>> {
        let mut results: Vec<Result<()>> = docs.iter().map(|_| Ok(())).collect();
        for stage in &self.stages {
            for (doc, result) in docs.iter_mut().zip(&mut results) {
                if result.is_ok() {
                    *result = stage.run(doc);
                }
            }
        }
        results
    }

    /// Normalizes one text: a convenience for tests and for library users.
    ///
    /// # Errors
    /// See [`Pipeline::run`].
    pub fn normalize(&self, id: &str, text: &str) -> Result<Document> {
        let mut doc = Document::new(id, text);
        self.run(&mut doc)?;
        Ok(doc)
    }
}

fn fingerprint(data: &DataSet, opts: &Options) -> String {
    use sha2::{Digest, Sha256};
    let mut h = Sha256::new();
    h.update(concat!("transnorm ", env!("CARGO_PKG_VERSION"), "\n"));
    h.update(format!("{opts:?}\n"));
    for f in &data.files {
        h.update(format!("{} {}\n", f.path, f.text.len()));
        h.update(&f.text);
    }
    hex(&h.finalize())
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn assert_send_sync<T: Send + Sync>() {}

    #[test]
    fn pipeline_is_shared_across_threads() {
        assert_send_sync::<Pipeline>();
        assert_send_sync::<NameGlossary>();
    }
}
