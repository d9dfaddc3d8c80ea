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
    /// as long as `texts`. While the pool works on the next documents, the calling thread
    /// turns the finished ones into Python objects, in order, and the `src` (and, for an unchanged
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
        let n = strs.len();
        let (tx, rx) = std::sync::mpsc::channel::<(usize, transnorm::Result<Document>)>();
        std::thread::scope(|scope| -> PyResult<()> {
            let (strs, ids) = (&strs, &ids);
            // Every pool thread claims the next document in input order until none is left,
            // so the pool never waits on the converter, and results come nearly in order.
            scope.spawn(move || {
                let next = std::sync::atomic::AtomicUsize::new(0);
                self.pool.scope(|s| {
                    for _ in 0..self.pool.current_num_threads() {
                        let (tx, next) = (tx.clone(), &next);
                        s.spawn(move |_| loop {
                            let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
                            if i >= n {
                                return;
                            }
                            let doc = one(&self.inner, strs[i].to_owned(), ids[i].clone());
                            if tx.send((i, doc)).is_err() {
                                return; // the converter stopped on an error
                            }
                        });
                    }
                });
            });
            // Documents that arrived ahead of their turn.
            let mut early: std::collections::BTreeMap<usize, Document> = Default::default();
            let mut rx = rx;
            while out.len() < n {
                let doc = match early.remove(&out.len()) {
                    Some(doc) => doc,
                    None => {
                        // Wait without the GIL (a Receiver is not Sync: it goes in and back).
                        let (got, back) = py.detach(move || (rx.recv(), rx));
                        rx = back;
                        let Ok((i, doc)) = got else {
                            break; // the workers are gone
                        };
                        let doc = doc.map_err(err)?;
                        if i != out.len() {
                            early.insert(i, doc);
                            continue;
                        }
                        doc
                    }
                };
                let src = (doc.src(), &texts[out.len()]);
                out.push(convert.convert(&DocsRecord::new(&doc), Some(src))?.unbind());
            }
            Ok(())
        })?;
        if out.len() != texts.len() {
            // Only a worker that panicked sends nothing, and the scope then panics first.
            return Err(TransnormError::new_err(
                "a worker stopped before the batch was done",
            ));
        }
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
