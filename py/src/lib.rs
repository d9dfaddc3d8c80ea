//! Python bindings of transnorm: `transnorm.Pipeline` runs the Rust pipeline on Python
//! strings and returns the `docs` records of the output contract as dicts.
//!
//! The Rust library is the one implementation: this module only converts arguments, releases
//! the GIL while the pipeline runs (on its own rayon pool for batches) and turns errors into
//! `transnorm.TransnormError` with the CLI's messages.

mod convert;

use std::path::PathBuf;

use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use pyo3::types::PyString;
use rayon::prelude::*;
use serde_json::Value;

use transnorm::io::output::DocsRecord;
use transnorm::pipeline::DEFAULT_ARTIFACT_THRESHOLD;
use transnorm::stages::artifacts::Mode as ArtifactMode;
use transnorm::stages::hygiene::Form;
use transnorm::stages::names::Unseen;
use transnorm::stages::punct::Punct;
use transnorm::{Document, Options};

use convert::Converter;

create_exception!(
    _transnorm,
    TransnormError,
    PyValueError,
    "A glossary, option or document transnorm cannot use; the message names the file, line and reason."
);

fn err(e: transnorm::Error) -> PyErr {
    TransnormError::new_err(e.to_string())
}

fn choice<T: Copy>(name: &str, value: &str, choices: &[(&str, T)]) -> PyResult<T> {
    choices
        .iter()
        .find(|(k, _)| *k == value)
        .map(|(_, v)| *v)
        .ok_or_else(|| {
            let names: Vec<&str> = choices.iter().map(|(k, _)| *k).collect();
            TransnormError::new_err(format!(
                "{name}: expected one of {}, got {value:?}",
                names.join(", ")
            ))
        })
}

/// A configured transnorm pipeline: glossaries loaded and checked, automata compiled once.
///
/// Build one per process (or per Spark/Ray worker) and reuse it: building costs a few
/// milliseconds with the built-in glossaries, normalizing costs microseconds per kilobyte.
#[pyclass(frozen, module = "transnorm")]
struct Pipeline {
    inner: transnorm::Pipeline,
    pool: rayon::ThreadPool,
}

/// Runs the pipeline on one text; its record's `id` is `id`, or None.
fn one(
    pipeline: &transnorm::Pipeline,
    text: String,
    id: Option<String>,
) -> transnorm::Result<Document> {
    let mut doc = Document::new(id.clone().unwrap_or_default(), text);
    doc.record
        .insert("id".into(), id.map_or(Value::Null, Value::String));
    doc.record.insert("text".into(), Value::Null);
    pipeline.run(&mut doc)?;
    Ok(doc)
}

/// Python's cyclic garbage collector paused while it lives, if it was running.
struct GcPause<'py>(Option<Bound<'py, PyModule>>);

impl<'py> GcPause<'py> {
    fn new(py: Python<'py>) -> PyResult<Self> {
        let gc = py.import("gc")?;
        if gc.call_method0("isenabled")?.is_truthy()? {
            gc.call_method0("disable")?;
            return Ok(GcPause(Some(gc)));
        }
        Ok(GcPause(None))
    }
}

impl Drop for GcPause<'_> {
    fn drop(&mut self) {
        if let Some(gc) = &self.0 {
            let _ = gc.call_method0("enable");
        }
    }
}

fn to_python(py: Python<'_>, doc: &Document) -> PyResult<Py<PyAny>> {
    Ok(Converter::new(py)
        .convert(&DocsRecord::new(doc), None)?
        .unbind())
}

/// Documents per chunk of `normalize_batch`: the pool works on one chunk while the calling
/// thread converts the one before.
const CHUNK_DOCS: usize = 64;

#[pymethods]
impl Pipeline {
    /// Pipeline(glossaries=None, *, default_glossaries=True, unicode="nfc", punct="keep",
    /// keep_boilerplate=False, langs=None, unseen_names="annotate", artifacts="repair",
    /// artifact_threshold=1.5, threads=0)
    ///
    /// `glossaries`: extra glossary files or folders (names or artifact CSVs, pattern lists),
    /// read after the built-in ones and overriding them. The other options are those of
    /// `transnorm normalize`; `threads` sizes the pool of `normalize_batch` (0: one per core).
    ///
    /// Raises TransnormError naming the file, line and reason of a bad glossary row, or the
    /// option and its allowed values.
    #[new]
    #[pyo3(signature = (
        glossaries = None,
        *,
        default_glossaries = true,
        unicode = "nfc",
        punct = "keep",
        keep_boilerplate = false,
        langs = None,
        unseen_names = "annotate",
        artifacts = "repair",
        artifact_threshold = DEFAULT_ARTIFACT_THRESHOLD,
        threads = 0,
    ))]
    #[allow(clippy::too_many_arguments)]
    fn new(
        py: Python<'_>,
        glossaries: Option<Vec<PathBuf>>,
        default_glossaries: bool,
        unicode: &str,
        punct: &str,
        keep_boilerplate: bool,
        langs: Option<Vec<String>>,
        unseen_names: &str,
        artifacts: &str,
        artifact_threshold: f64,
        threads: usize,
    ) -> PyResult<Self> {
        let opts = Options {
            default_glossaries,
            glossaries: glossaries.unwrap_or_default(),
            form: choice(
                "unicode",
                unicode,
                &[("nfc", Form::Nfc), ("nfkc", Form::Nfkc)],
            )?,
            keep_boilerplate,
            langs: langs.unwrap_or_default(),
            artifact_threshold,
            artifacts: choice(
                "artifacts",
                artifacts,
                &[
                    ("repair", Some(ArtifactMode::Repair)),
                    ("flag", Some(ArtifactMode::Flag)),
                    ("off", None),
                ],
            )?,
            punct: choice(
                "punct",
                punct,
                &[
                    ("keep", Punct::Keep),
                    ("ascii", Punct::Ascii),
                    ("moses", Punct::Moses),
                ],
            )?,
            unseen_names: choice(
                "unseen_names",
                unseen_names,
                &[
                    ("annotate", Unseen::Annotate),
                    ("replace", Unseen::Replace),
                    ("off", Unseen::Off),
                ],
            )?,
        };
        let inner = py.detach(|| transnorm::Pipeline::new(&opts)).map_err(err)?;
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .map_err(|e| TransnormError::new_err(format!("thread pool: {e}")))?;
        Ok(Pipeline { inner, pool })
    }

    /// normalize(text, id=None) -> dict
    ///
    /// Normalizes one document and returns its `docs` record: `id`, `text` (normalized),
    /// `src` (the original), `lang`, `lang_confidence`, `edits` and `entities` (character
    /// offsets, as Python indexes a str) and `scores`, exactly as `transnorm normalize
    /// --format docs` writes it.
    #[pyo3(signature = (text, id = None))]
    fn normalize(&self, py: Python<'_>, text: String, id: Option<String>) -> PyResult<Py<PyAny>> {
        let doc = py.detach(|| one(&self.inner, text, id)).map_err(err)?;
        to_python(py, &doc)
    }

    /// normalize_batch(texts, ids=None) -> list[dict]
    ///
    /// Normalizes many documents in parallel on the pipeline's thread pool, with the GIL
    /// released, and returns their `docs` records in input order. `ids`, when given, must be
    /// as long as `texts`. While the pool works on one chunk of documents, the calling thread
    /// turns the chunk before into Python objects, and the `src` (and, for an unchanged
    /// document, `text`) of each record is the very str object that was passed in.
    #[pyo3(signature = (texts, ids = None))]
    fn normalize_batch<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<Bound<'py, PyString>>,
        ids: Option<Vec<Option<String>>>,
    ) -> PyResult<Vec<Py<PyAny>>> {
        let ids = match ids {
            Some(ids) if ids.len() != texts.len() => {
                return Err(TransnormError::new_err(format!(
                    "ids: {} ids for {} texts",
                    ids.len(),
                    texts.len()
                )))
            }
            Some(ids) => ids,
            None => vec![None; texts.len()],
        };
        let strs: Vec<&str> = texts.iter().map(|t| t.to_str()).collect::<PyResult<_>>()?;
        let mut out = Vec::with_capacity(texts.len());
        let mut convert = Converter::new(py);
        // The records are fresh trees of dicts and lists without cycles; left on, Python's
        // cyclic collector would traverse every one of them again and again as they are made.
        let _gc = GcPause::new(py)?;
        let (tx, rx) = std::sync::mpsc::sync_channel::<transnorm::Result<Vec<Document>>>(1);
        std::thread::scope(|scope| -> PyResult<()> {
            let (strs, ids) = (&strs, ids);
            scope.spawn(move || {
                let mut ids = ids.into_iter();
                let mut rest: &[&str] = strs;
                // Small chunks first, so that converting starts early.
                let mut size = 4;
                while !rest.is_empty() {
                    let (chunk, tail) = rest.split_at(size.min(rest.len()));
                    rest = tail;
                    size = (size * 2).min(CHUNK_DOCS);
                    let ids: Vec<Option<String>> = ids.by_ref().take(chunk.len()).collect();
                    let records = self.pool.install(|| {
                        chunk
                            .par_iter()
                            .zip(ids)
                            .map(|(text, id)| one(&self.inner, (*text).to_owned(), id))
                            .collect::<transnorm::Result<Vec<_>>>()
                    });
                    let failed = records.is_err();
                    if tx.send(records).is_err() || failed {
                        return;
                    }
                }
            });
            let mut rx = rx;
            loop {
                // Wait without the GIL (a Receiver is not Sync: it goes in and comes back).
                let (next, back) = py.detach(move || (rx.recv(), rx));
                rx = back;
                let Ok(records) = next else {
                    return Ok(()); // every chunk is in
                };
                let records = records.map_err(err)?;
                for doc in &records {
                    let src = (doc.src(), &texts[out.len()]);
                    out.push(convert.convert(&DocsRecord::new(doc), Some(src))?.unbind());
                }
            }
        })?;
        Ok(out)
    }

    /// A SHA-256 (hex) of the transnorm version, options and glossary contents: two
    /// pipelines with the same fingerprint give the same output.
    #[getter]
    fn fingerprint(&self) -> &str {
        self.inner.fingerprint()
    }

    fn __repr__(&self) -> String {
        format!("<transnorm.Pipeline {}>", &self.inner.fingerprint()[..12])
    }
}

/// The transnorm pipeline for Python: clean, language-tagged, name-canonical text aligned to
/// its source.
#[pymodule]
fn _transnorm(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pipeline>()?;
    m.add("TransnormError", m.py().get_type::<TransnormError>())?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
