//! Reading a corpus: `.txt` files (one document each), `.jsonl` files (one document per line),
//! their `.gz` versions, directories (walked recursively in sorted order) and standard input
//! (JSONL).
//!
//! Reading is split in two so that the expensive part runs in parallel: [`Reader`] hands out
//! [`RawRecord`]s (bytes and where they came from) in input order, and [`RawRecord::parse`]
//! turns one into a [`Document`] or a [`Reject`] on any worker thread.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::ops::Range;
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;
use serde_json::{Map, Value};

use crate::document::Document;
use crate::error::{Error, Location, Result};

/// What a file holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// One document.
    Txt,
    /// One document per line.
    Jsonl,
}

/// One input file (or standard input).
#[derive(Debug, Clone)]
pub struct Source {
    /// The path as shown in messages and ids; `-` for standard input.
    pub path: PathBuf,
    /// The id a `.txt` document gets: its path relative to the argument, without extension.
    pub id: String,
    /// What it holds.
    pub format: Format,
    /// Whether it is gzip-compressed.
    pub gz: bool,
    /// Size on disk, when it is a plain file (for progress).
    pub size: Option<u64>,
    /// Only the lines that start in this byte range (a shard of a plain JSONL file).
    pub range: Option<Range<u64>>,
}

impl Source {
    /// Whether this is standard input.
    pub fn is_stdin(&self) -> bool {
        self.path.as_os_str() == "-"
    }
}

/// What a file name says about its contents: format and compression, or `None`.
fn classify(path: &Path) -> Option<(Format, bool, String)> {
    let name = path.file_name()?.to_str()?;
    let (name, gz) = match name.strip_suffix(".gz") {
        Some(n) => (n, true),
        None => (name, false),
    };
    if let Some(stem) = name.strip_suffix(".txt") {
        return Some((Format::Txt, gz, stem.to_owned()));
    }
    name.strip_suffix(".jsonl")
        .map(|stem| (Format::Jsonl, gz, stem.to_owned()))
}

/// Expands the command-line paths into sources, in order. No path, or `-`, is standard input.
///
/// A path that does not exist or has an unknown extension is an error for the run, or, with
/// `on_missing` returning `Ok`, a reject; files of other types inside directories are skipped.
///
/// # Errors
/// A path that cannot be read or is of an unsupported type.
pub fn sources(paths: &[PathBuf]) -> Vec<Result<Source>> {
    if paths.is_empty() {
        return vec![Ok(stdin_source())];
    }
    let mut out = Vec::new();
    for arg in paths {
        if arg.as_os_str() == "-" {
            out.push(Ok(stdin_source()));
            continue;
        }
        let meta = match std::fs::metadata(arg) {
            Ok(m) => m,
            Err(e) => {
                out.push(Err(Error::io(arg, e)));
                continue;
            }
        };
        if meta.is_dir() {
            for entry in walkdir::WalkDir::new(arg).sort_by_file_name() {
                match entry {
                    Err(e) => {
                        let p = e.path().unwrap_or(arg).to_path_buf();
                        out.push(Err(Error::io(p, e.into())));
                    }
                    Ok(entry) if entry.file_type().is_file() => {
                        let p = entry.path();
                        let Some((format, gz, _)) = classify(p) else {
                            continue;
                        };
                        let rel = p.strip_prefix(arg).unwrap_or(p);
                        let id = strip_ext(rel);
                        let size = entry.metadata().ok().map(|m| m.len());
                        out.push(Ok(Source {
                            path: p.to_path_buf(),
                            id,
                            format,
                            gz,
                            size,
                            range: None,
                        }));
                    }
                    Ok(_) => {}
                }
            }
        } else {
            match classify(arg) {
                Some((format, gz, stem)) => out.push(Ok(Source {
                    path: arg.clone(),
                    id: stem,
                    format,
                    gz,
                    size: Some(meta.len()),
                    range: None,
                })),
                None => out.push(Err(Error::bad_record(
                    arg,
                    0,
                    "unsupported input: expected .txt, .jsonl, .txt.gz or .jsonl.gz",
                ))),
            }
        }
    }
    out
}

fn stdin_source() -> Source {
    Source {
        path: PathBuf::from("-"),
        id: "stdin".into(),
        format: Format::Jsonl,
        gz: false,
        size: None,
        range: None,
    }
}

/// `dir/a.txt.gz` -> `dir/a`, with `/` separators.
fn strip_ext(rel: &Path) -> String {
    let s = rel.to_string_lossy().replace('\\', "/");
    let s = s.strip_suffix(".gz").unwrap_or(&s);
    s.strip_suffix(".txt")
        .or_else(|| s.strip_suffix(".jsonl"))
        .unwrap_or(s)
        .to_owned()
}

/// An input record before parsing.
#[derive(Debug)]
pub struct RawRecord {
    /// Where it came from: file and 1-based line (1 for a whole `.txt` file).
    pub loc: Location,
    /// The id a `.txt` document gets; `None` for JSONL.
    pub txt_id: Option<String>,
    /// The bytes: a whole `.txt` file, or one JSONL line without its line break.
    pub bytes: Vec<u8>,
}

/// A record that could not be used, with why.
#[derive(Debug, Clone)]
pub struct Reject {
    /// Where it is.
    pub loc: Location,
    /// Why it was rejected.
    pub reason: String,
    /// Its bytes, as far as they can be shown (invalid UTF-8 replaced).
    pub raw: String,
}

impl Reject {
    /// The error a rejected record is under `--on-error fail`.
    pub fn to_error(&self) -> Error {
        Error::BadRecord {
            loc: self.loc.clone(),
            reason: self.reason.clone(),
        }
    }

    /// A reject for a whole source that could not be read.
    pub fn from_error(e: &Error) -> Self {
        let loc = e
            .location()
            .cloned()
            .unwrap_or_else(|| Location::new("-", 0));
        let reason = match e {
            Error::Io { err, .. } => err.to_string(),
            Error::BadRecord { reason, .. } | Error::Glossary { reason, .. } => reason.clone(),
            other => other.to_string(),
        };
        Reject {
            loc,
            reason,
            raw: String::new(),
        }
    }
}

impl RawRecord {
    /// Parses the record into a document.
    ///
    /// # Errors
    /// Invalid UTF-8 (with the line of the first bad byte), invalid JSON, a record that is not
    /// an object, a missing or non-string `text`.
    pub fn parse(self) -> std::result::Result<Document, Reject> {
        let RawRecord { loc, txt_id, bytes } = self;
        let text = match String::from_utf8(bytes) {
            Ok(t) => t,
            Err(e) => {
                let at = e.utf8_error().valid_up_to();
                let mut loc = loc;
                if txt_id.is_some() {
                    loc.line = crate::glossary::bytecount_lines(&e.as_bytes()[..at]);
                }
                let reason = format!("invalid UTF-8 at byte {}", at);
                let raw = String::from_utf8_lossy(e.as_bytes()).into_owned();
                return Err(Reject { loc, reason, raw });
            }
        };
        if let Some(id) = txt_id {
            let mut doc = Document::new(id.clone(), text);
            doc.record.insert("id".into(), Value::String(id));
            doc.record.insert("text".into(), Value::Null);
            return Ok(doc);
        }
        let reject = |reason: String, raw: String| Reject {
            loc: loc.clone(),
            reason,
            raw,
        };
        let mut record: Map<String, Value> = match serde_json::from_str::<Value>(&text) {
            Ok(Value::Object(m)) => m,
            Ok(_) => return Err(reject("record is not a JSON object".into(), text)),
            Err(e) => return Err(reject(format!("invalid JSON: {e}"), text)),
        };
        let body = match record.get_mut("text") {
            Some(Value::String(s)) => std::mem::take(s),
            Some(_) => return Err(reject("`text` is not a string".into(), text)),
            None => return Err(reject("record has no `text` field".into(), text)),
        };
        record.insert("text".into(), Value::Null);
        let id = match record.get("id") {
            Some(Value::String(s)) => s.clone(),
            Some(Value::Number(n)) => n.to_string(),
            Some(Value::Null) | None => format!("{}:{}", loc.path.display(), loc.line),
            Some(_) => return Err(reject("`id` is not a string or a number".into(), text)),
        };
        let mut doc = Document::new(id, body);
        doc.record = record;
        Ok(doc)
    }
}

/// Appends one line of `reader` to `line`, through its `\n` or to the end of the input, and
/// returns how many bytes it read: `read_until(b'\n', line)`, but with one allocation for a
/// line held whole in the reader's buffer, where `read_until` grows an empty vector by
/// doubling (eight times for a 3 KB line, whose fresh pages the kernel then zeroes).
fn read_line(reader: &mut impl BufRead, line: &mut Vec<u8>) -> io::Result<usize> {
    let mut n = 0;
    loop {
        let buf = match reader.fill_buf() {
            Ok(buf) => buf,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        let (take, done) = match memchr::memchr(b'\n', buf) {
            Some(i) => (i + 1, true),
            None => (buf.len(), buf.is_empty()),
        };
        line.extend_from_slice(&buf[..take]);
        reader.consume(take);
        n += take;
        if done {
            return Ok(n);
        }
    }
}

/// Hands out the raw records of a list of sources, in order.
pub struct Reader {
    sources: std::vec::IntoIter<Result<Source>>,
    current: Option<Open>,
    /// Bytes of records handed out so far.
    pub bytes: u64,
}

struct Open {
    source: Source,
    reader: Box<dyn BufRead + Send>,
    /// Lines read so far (the line number of the last one).
    line: u64,
    /// Byte offset in the (decompressed) file.
    pos: u64,
    /// No line starting at or after this offset is read.
    end: u64,
}

/// Moves `reader` (at the start of a file) to the first line that starts at or after byte
/// `start`, and returns that offset and the number of lines before it. The lines are counted
/// so that ids and error locations in a shard are the ones a whole run gives.
fn skip_to_line(reader: &mut impl BufRead, start: u64) -> io::Result<(u64, u64)> {
    if start == 0 {
        return Ok((0, 0));
    }
    let (mut pos, mut lines) = (0u64, 0u64);
    // Every byte before `start - 1` is before the first line: count its line breaks.
    while pos < start - 1 {
        let buf = reader.fill_buf()?;
        if buf.is_empty() {
            return Ok((pos, lines));
        }
        let take = buf
            .len()
            .min(usize::try_from(start - 1 - pos).unwrap_or(usize::MAX));
        lines += memchr::memchr_iter(b'\n', &buf[..take]).count() as u64;
        reader.consume(take);
        pos += take as u64;
    }
    // The line holding byte `start - 1` belongs to the shard before.
    let n = reader.skip_until(b'\n')?;
    if n > 0 {
        lines += 1;
    }
    Ok((pos + n as u64, lines))
}

impl Reader {
    /// A reader over `sources` (as [`sources`] returns them).
    pub fn new(sources: Vec<Result<Source>>) -> Self {
        Reader {
            sources: sources.into_iter(),
            current: None,
            bytes: 0,
        }
    }

    fn open(source: Source) -> Result<Open> {
        if let Some(range) = source.range.clone() {
            let file = File::open(&source.path).map_err(|e| Error::io(&source.path, e))?;
            let mut reader = BufReader::with_capacity(1 << 20, file);
            let (pos, line) =
                skip_to_line(&mut reader, range.start).map_err(|e| Error::io(&source.path, e))?;
            return Ok(Open {
                source,
                reader: Box::new(reader),
                line,
                pos,
                end: range.end,
            });
        }
        let raw: Box<dyn Read + Send> = if source.is_stdin() {
            Box::new(io::stdin())
        } else {
            Box::new(File::open(&source.path).map_err(|e| Error::io(&source.path, e))?)
        };
        let raw: Box<dyn Read + Send> = if source.gz {
            Box::new(MultiGzDecoder::new(BufReader::with_capacity(1 << 16, raw)))
        } else {
            raw
        };
        Ok(Open {
            source,
            reader: Box::new(BufReader::with_capacity(1 << 16, raw)),
            line: 0,
            pos: 0,
            end: u64::MAX,
        })
    }

    /// The next record, or the error that made a source unreadable (the reader then moves on
    /// to the next source), or `None` at the end.
    pub fn next_record(&mut self) -> Option<Result<RawRecord>> {
        loop {
            if self.current.is_none() {
                match self.sources.next()? {
                    Err(e) => return Some(Err(e)),
                    Ok(src) => match Self::open(src) {
                        Ok(open) => self.current = Some(open),
                        Err(e) => return Some(Err(e)),
                    },
                }
            }
            let open = self.current.as_mut().expect("just opened");
            let path = open.source.path.clone();
            match open.source.format {
                Format::Txt => {
                    let mut bytes = Vec::new();
                    let res = open.reader.read_to_end(&mut bytes);
                    let id = open.source.id.clone();
                    self.current = None;
                    if let Err(e) = res {
                        return Some(Err(Error::io(path, e)));
                    }
                    self.bytes += bytes.len() as u64;
                    return Some(Ok(RawRecord {
                        loc: Location::new(path, 1),
                        txt_id: Some(id),
                        bytes,
                    }));
                }
                Format::Jsonl => {
                    if open.pos >= open.end {
                        self.current = None; // the end of this shard's range
                        continue;
                    }
                    let mut bytes = Vec::new();
                    match read_line(&mut open.reader, &mut bytes) {
                        Ok(0) => {
                            self.current = None;
                            continue;
                        }
                        Ok(n) => {
                            open.line += 1;
                            open.pos += n as u64;
                            self.bytes += n as u64;
                            while bytes.last().is_some_and(|b| *b == b'\n' || *b == b'\r') {
                                bytes.pop();
                            }
                            // A byte-order mark that Windows tools put at a file's start.
                            if open.line == 1 && bytes.starts_with(b"\xef\xbb\xbf") {
                                bytes.drain(..3);
                            }
                            if bytes.iter().all(u8::is_ascii_whitespace) {
                                continue; // a blank line is not a record
                            }
                            return Some(Ok(RawRecord {
                                loc: Location::new(path, open.line),
                                txt_id: None,
                                bytes,
                            }));
                        }
                        Err(e) => {
                            let line = open.line + 1;
                            self.current = None;
                            return Some(Err(Error::Io {
                                loc: Location::new(path, line),
                                err: e,
                            }));
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(s: &[u8]) -> RawRecord {
        RawRecord {
            loc: Location::new("c.jsonl", 7),
            txt_id: None,
            bytes: s.to_vec(),
        }
    }

    #[test]
    fn jsonl_records_keep_their_fields_and_get_default_ids() {
        let d = raw(br#"{"text":"Hi","source":"x","metadata":{"a":1}}"#)
            .parse()
            .unwrap();
        assert_eq!(d.id, "c.jsonl:7");
        assert_eq!(d.src(), "Hi");
        let keys: Vec<_> = d.record.keys().cloned().collect();
        assert_eq!(keys, ["text", "source", "metadata"]);
    }

    #[test]
    fn bad_records_say_why() {
        let cases: [(&[u8], &str); 5] = [
            (
                b"{\"text\": ",
                "invalid JSON: EOF while parsing a value at line 1 column 9",
            ),
            (b"[1]", "record is not a JSON object"),
            (b"{\"id\":\"a\"}", "record has no `text` field"),
            (b"{\"text\":3}", "`text` is not a string"),
            (b"{\"text\":\"\xff\"}", "invalid UTF-8 at byte 9"),
        ];
        for (input, want) in cases {
            let r = raw(input).parse().unwrap_err();
            assert_eq!(r.reason, want);
            assert_eq!(r.loc.to_string(), "c.jsonl:7");
        }
    }

    proptest::proptest! {
        #[test]
        fn read_line_reads_what_read_until_reads(
            input in proptest::collection::vec(proptest::sample::select(&b"ab\n\r"[..]), 0..200),
            capacity in 1usize..16,
        ) {
            let mut ours = io::BufReader::with_capacity(capacity, &input[..]);
            let mut std = io::BufReader::with_capacity(capacity, &input[..]);
            loop {
                let (mut a, mut b) = (Vec::new(), Vec::new());
                let n = read_line(&mut ours, &mut a).unwrap();
                proptest::prop_assert_eq!(n, std.read_until(b'\n', &mut b).unwrap());
                proptest::prop_assert_eq!(&a, &b);
                if n == 0 {
                    break;
                }
            }
        }
    }

    #[test]
    fn txt_utf8_errors_name_the_line() {
        let r = RawRecord {
            loc: Location::new("a.txt", 1),
            txt_id: Some("a".into()),
            bytes: b"ok\nok\nbad \xff".to_vec(),
        };
        assert_eq!(r.parse().unwrap_err().loc.to_string(), "a.txt:3");
    }
}
