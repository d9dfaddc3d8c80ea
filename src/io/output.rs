//! Rendering a processed document in the output formats of the contract
//! (`../shared/spec/output.md`, documented in the README).
//!
//! # Segments and removed text
//!
//! Segments are the sentences the segmenter found, each with its original span. Edits inside a
//! segment's span belong to it. An edit between two segments (removed boilerplate) is attached
//! to the segment after it, whose span then starts where the removed text starts, or to the
//! one before it at the end of a document; a document with nothing left gets one empty
//! segment holding the removal. So every removed character appears in some segment's edits.
//! Edits that only change whitespace between segments (layout) show in `docs` output only.
//!
//! All offsets written are counted in characters (Unicode scalar values).

use std::borrow::Cow;
use std::ops::Range;
use std::sync::Arc;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::document::{Document, Entity, Flag, LangCode};
use crate::edit::{apply_edits, Bias, Edit, OffsetMap};

/// The output formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum OutputFormat {
    /// One JSON line per segment.
    #[default]
    Jsonl,
    /// One JSON line per document: the input record with the normalized text.
    Docs,
    /// Line-aligned `PREFIX.src`, `PREFIX.norm`, `PREFIX.ids`.
    Moses,
    /// Tab-separated `doc, seg, lang, src, text` with a header row.
    Tsv,
}

impl OutputFormat {
    /// The header line the format starts with, if any.
    pub fn header(self) -> Option<&'static [u8]> {
        match self {
            OutputFormat::Tsv => Some(b"doc\tseg\tlang\tsrc\ttext\n"),
            _ => None,
        }
    }
}

/// One segment as the writers see it.
#[derive(Debug)]
pub struct SegmentView<'a> {
    /// Index in the document.
    pub seg: usize,
    /// Paragraph index.
    pub para: usize,
    /// Language.
    pub lang: LangCode,
    /// Span in the original, in bytes.
    pub src: Range<usize>,
    /// The edits inside the span.
    pub edits: &'a [Edit],
    /// The normalized text: borrowed from the original's span where no edit falls in it,
    /// else from the document's current text where it is the same.
    pub text: Cow<'a, str>,
    /// Entities inside the span, with their byte span in `text`.
    pub entities: Vec<(Range<usize>, &'a Entity)>,
}

fn is_layout(doc: &Document, e: &Edit) -> bool {
    let ws = |s: &str| s.chars().all(char::is_whitespace);
    ws(&doc.src()[e.src.clone()]) && ws(&e.to)
}

/// The document's segments with their edits, texts and entities.
pub fn segments(doc: &Document) -> Vec<SegmentView<'_>> {
    let edits = doc.log.edits();
    let mut spans: Vec<(Range<usize>, usize, LangCode)> = doc
        .segments
        .iter()
        .map(|s| (s.src.clone(), s.para, s.lang))
        .collect();
    // Attach the edits that lie outside every segment.
    let mut k = 0;
    for e in edits {
        // The first span that ends after the edit starts: it holds, overlaps or follows it.
        // The edits are sorted and disjoint, so it is never before the last edit's (a merge
        // below joins spans from this one on).
        while spans
            .get(k)
            .is_some_and(|s| s.0.end <= e.src.start && s.0.end < e.src.end)
        {
            k += 1;
        }
        debug_assert_eq!(
            k,
            spans.partition_point(|s| s.0.end <= e.src.start && s.0.end < e.src.end)
        );
        match spans.get_mut(k) {
            Some(s) if s.0.start <= e.src.start && e.src.end <= s.0.end => {}
            _ if is_layout(doc, e) => {}
            Some(s) if s.0.start < e.src.end => {
                // Straddles the span's edge (a rewrite across a boundary): take it in whole.
                s.0 = s.0.start.min(e.src.start)..s.0.end.max(e.src.end);
                merge_overlaps(&mut spans);
            }
            Some(s) => s.0.start = s.0.start.min(e.src.start),
            None => match spans.last_mut() {
                Some(last) => last.0.end = last.0.end.max(e.src.end),
                None => spans.push((e.src.clone(), 0, doc.lang)),
            },
        }
    }
    let mut views = Vec::with_capacity(spans.len());
    // The names stage leaves the entities sorted by start: then each segment's are found by
    // binary search rather than by a pass over all of them (segments times entities).
    let sorted = doc.entities.is_sorted_by_key(|e| e.src.start);
    // The first edit not yet given to a segment, and how much longer the current text is
    // than the original up to the end of `edits[..at]`.
    let mut at = 0;
    let mut grown: isize = 0;
    let grow = |e: &Edit| e.to.len() as isize - e.src.len() as isize;
    // Whether every edit so far lies wholly inside or before the segments given it: then the
    // current text of a segment's span is its normalized text, and is borrowed from it.
    let mut apart = true;
    for (i, (src, para, lang)) in spans.into_iter().enumerate() {
        while at < edits.len() && edits[at].src.start < src.start {
            // layout edits in the gap
            apart &= edits[at].src.end <= src.start;
            grown += grow(&edits[at]);
            at += 1;
        }
        let first = at;
        let start = src.start.checked_add_signed(grown);
        while at < edits.len() && edits[at].src.end <= src.end && edits[at].src.start >= src.start {
            grown += grow(&edits[at]);
            at += 1;
        }
        let mine = &edits[first..at];
        let end = src.end.checked_add_signed(grown);
        let current = match (start, end) {
            (Some(a), Some(b)) if apart && edits.get(at).is_none_or(|e| e.src.start >= src.end) => {
                doc.text().get(a..b)
            }
            _ => None,
        };
        let text = match (mine, current) {
            ([], _) => Cow::Borrowed(&doc.src()[src.clone()]),
            (_, Some(text)) => Cow::Borrowed(text),
            _ => Cow::Owned(apply_edits(&doc.src()[src.clone()], src.start, mine)),
        };
        debug_assert_eq!(text, apply_edits(&doc.src()[src.clone()], src.start, mine));
        let map = OffsetMap::new(mine);
        let candidates = if sorted {
            let lo = doc.entities.partition_point(|e| e.src.start < src.start);
            let hi = doc.entities.partition_point(|e| e.src.start <= src.end);
            &doc.entities[lo..hi]
        } else {
            &doc.entities[..]
        };
        let entities = candidates
            .iter()
            .filter(|e| src.start <= e.src.start && e.src.end <= src.end)
            .map(|e| {
                let a = map.to_cur(e.src.start, Bias::Start) - src.start;
                let b = map.to_cur(e.src.end, Bias::End) - src.start;
                (a..b, e)
            })
            .collect();
        views.push(SegmentView {
            seg: i,
            para,
            lang,
            src,
            edits: mine,
            text,
            entities,
        });
    }
    views
}

fn merge_overlaps(spans: &mut Vec<(Range<usize>, usize, LangCode)>) {
    spans.dedup_by(|b, a| {
        let overlap = b.0.start < a.0.end;
        if overlap {
            a.0.end = a.0.end.max(b.0.end);
        }
        overlap
    });
}

/// Converts byte offsets of one string to character offsets. Each call counts the characters
/// between the offset asked and the one before it, so nearby offsets cost little in any order.
pub struct Chars<'a> {
    s: &'a str,
    ascii: bool,
    byte: usize,
    chars: usize,
}

impl<'a> Chars<'a> {
    /// A converter for `s`.
    pub fn new(s: &'a str) -> Self {
        Chars {
            s,
            ascii: s.is_ascii(),
            byte: 0,
            chars: 0,
        }
    }

    /// The character offset of byte offset `b`.
    pub fn at(&mut self, b: usize) -> usize {
        if self.ascii {
            return b;
        }
        // Counted from the last offset asked, back or forth (a segment's flags come after its
        // end was asked for).
        if b < self.byte {
            self.chars -= self.s[b..self.byte].chars().count();
        } else {
            self.chars += self.s[self.byte..b].chars().count();
        }
        self.byte = b;
        self.chars
    }

    /// A span in characters.
    pub fn span(&mut self, r: &Range<usize>) -> [usize; 2] {
        [self.at(r.start), self.at(r.end)]
    }
}

#[derive(Serialize)]
struct EditOut<'a> {
    src_span: [usize; 2],
    from: &'a str,
    to: &'a str,
    kind: &'static str,
    rule: &'a str,
}

#[derive(Serialize)]
struct EntityOut<'a> {
    span: [usize; 2],
    id: &'a str,
    canonical: &'a str,
    kind: &'a str,
    confidence: f32,
    rule: &'a str,
}

#[derive(Serialize)]
struct FlagOut<'a> {
    src_span: [usize; 2],
    from: &'a str,
    to: &'a str,
    rule: &'a str,
}

fn flag_out<'a>(doc: &'a Document, f: &'a Flag, chars: &mut Chars<'_>) -> FlagOut<'a> {
    FlagOut {
        src_span: chars.span(&f.src),
        from: &doc.src()[f.src.clone()],
        to: &f.to,
        rule: &f.rule,
    }
}

fn edit_out<'a>(doc: &'a Document, e: &'a Edit, chars: &mut Chars<'_>) -> EditOut<'a> {
    EditOut {
        src_span: chars.span(&e.src),
        from: &doc.src()[e.src.clone()],
        to: &e.to,
        kind: e.kind.as_str(),
        rule: &e.rule,
    }
}

fn entity_out<'a>(span: [usize; 2], e: &'a Entity) -> EntityOut<'a> {
    EntityOut {
        span,
        id: &e.id,
        canonical: &e.canonical,
        kind: &e.kind,
        confidence: e.confidence,
        rule: &e.rule,
    }
}

/// An entity's fields after its span, as JSON (`"id":...,"rule":"..."}`), for each distinct
/// entity, written once per rendering thread: the documents of a run name the same entities
/// again and again, and build each from the same few shared strings. Keyed by the addresses
/// of those strings, which the cache holds on to, so that none of them can be freed and its
/// address reused by another string while the key stands.
#[derive(Default)]
struct EntityTails {
    seen: FxHashMap<(usize, usize, usize, usize, u32), Range<usize>>,
    /// The strings the keys are the addresses of.
    held: Vec<[Arc<str>; 4]>,
    bytes: Vec<u8>,
}

/// How many bytes of tails a thread keeps before it starts afresh (some 10,000 entities).
const TAILS_HELD: usize = 1 << 20;

thread_local! {
    static TAILS: std::cell::RefCell<EntityTails> = Default::default();
}

impl EntityTails {
    fn get(&mut self, e: &Entity) -> &[u8] {
        let addr = |s: &Arc<str>| Arc::as_ptr(s).cast::<u8>() as usize;
        let key = (
            addr(&e.id),
            addr(&e.canonical),
            addr(&e.kind),
            addr(&e.rule),
            e.confidence.to_bits(),
        );
        if self.bytes.len() > TAILS_HELD && !self.seen.contains_key(&key) {
            *self = EntityTails::default();
        }
        let (bytes, held) = (&mut self.bytes, &mut self.held);
        let r = self.seen.entry(key).or_insert_with(|| {
            held.push([&e.id, &e.canonical, &e.kind, &e.rule].map(Arc::clone));
            let start = bytes.len();
            bytes.extend_from_slice(b"\"id\":");
            json_escape_simd::escape_into(&e.id, bytes);
            bytes.extend_from_slice(b",\"canonical\":");
            json_escape_simd::escape_into(&e.canonical, bytes);
            bytes.extend_from_slice(b",\"kind\":");
            json_escape_simd::escape_into(&e.kind, bytes);
            bytes.extend_from_slice(b",\"confidence\":");
            serde_json::to_writer(&mut *bytes, &e.confidence)
                .expect("writing to a Vec cannot fail");
            bytes.extend_from_slice(b",\"rule\":");
            json_escape_simd::escape_into(&e.rule, bytes);
            bytes.push(b'}');
            start..bytes.len()
        });
        &self.bytes[r.clone()]
    }
}

/// What one document renders to: the main output, and for `moses` the `.norm` and `.ids`
/// lines (the main output then holds the `.src` lines).
#[derive(Debug, Default)]
pub struct Rendered {
    /// Lines for the main output (or `PREFIX.src`).
    pub main: Vec<u8>,
    /// Lines for `PREFIX.norm`.
    pub norm: Vec<u8>,
    /// Lines for `PREFIX.ids`.
    pub ids: Vec<u8>,
    /// How many segments were written.
    pub segments: usize,
}

/// Renders `doc` in `format`.
pub fn render(doc: &Document, format: OutputFormat) -> Rendered {
    let mut out = Rendered::default();
    match format {
        OutputFormat::Jsonl => {
            let mut chars = Chars::new(doc.src());
            let views = segments(doc);
            out.segments = views.len();
            // Each line holds its segment twice (src and text), its edits' text twice and its
            // entities: the lines of a news document come to five or six times its size. The
            // escaper reserves six bytes a byte of each string before it writes it, so the
            // last segment needs that much room on top; with less, the buffer was copied once
            // more for most documents (callgrind: 1.3% of the instructions).
            let longest = views.iter().map(|v| v.src.len().max(v.text.len())).max();
            out.main
                .reserve(6 * doc.src().len() + 200 * views.len() + 6 * longest.unwrap_or(0));
            // The edits' spans in characters, counted before the segment's end: the counter
            // then only goes forward (asked after the end, each edit counted back to its start,
            // and every segment's text was counted about three times).
            let mut edit_spans: Vec<[usize; 2]> = Vec::new();
            // Strings every line repeats, escaped once: the document's id, and the last
            // language written (a document's segments mostly share one).
            let mut id = Vec::with_capacity(doc.id.len() + 2);
            json_escape_simd::escape_into(&doc.id, &mut id);
            let mut lang: (LangCode, Vec<u8>) = ("", Vec::new());
            for v in views {
                if lang.1.is_empty() || lang.0 != v.lang {
                    lang.0 = v.lang;
                    lang.1.clear();
                    json_escape_simd::escape_into(v.lang, &mut lang.1);
                }
                let mut tchars = Chars::new(&v.text);
                let a = chars.at(v.src.start);
                edit_spans.clear();
                edit_spans.extend(v.edits.iter().map(|e| chars.span(&e.src)));
                let b = chars.at(v.src.end);
                // The line by hand, in the contract's field order, so that the strings go
                // through a SIMD escaper and an entity's fields are escaped once per document;
                // the rare flags go through serde.
                let m = &mut out.main;
                m.extend_from_slice(b"{\"doc\":");
                m.extend_from_slice(&id);
                m.extend_from_slice(b",\"seg\":");
                push_int(m, v.seg);
                m.extend_from_slice(b",\"para\":");
                push_int(m, v.para);
                m.extend_from_slice(b",\"lang\":");
                m.extend_from_slice(&lang.1);
                m.extend_from_slice(b",\"src\":");
                let src_at = m.len();
                json_escape_simd::escape_into(&doc.src()[v.src.clone()], m);
                let src_end = m.len();
                m.extend_from_slice(b",\"text\":");
                if v.edits.is_empty() {
                    // The text is the source span: its escaped form is already written.
                    m.extend_from_within(src_at..src_end);
                } else {
                    json_escape_simd::escape_into(&v.text, m);
                }
                m.extend_from_slice(b",\"src_span\":");
                push_span(m, a, b);
                m.extend_from_slice(b",\"edits\":[");
                for (k, (e, &[a, b])) in v.edits.iter().zip(&edit_spans).enumerate() {
                    if k > 0 {
                        m.push(b',');
                    }
                    m.extend_from_slice(b"{\"src_span\":");
                    push_span(m, a, b);
                    m.extend_from_slice(b",\"from\":");
                    json_escape_simd::escape_into(&doc.src()[e.src.clone()], m);
                    m.extend_from_slice(b",\"to\":");
                    json_escape_simd::escape_into(&e.to, m);
                    // A kind's name is a plain word: nothing in it to escape.
                    m.extend_from_slice(b",\"kind\":\"");
                    m.extend_from_slice(e.kind.as_str().as_bytes());
                    m.push(b'"');
                    m.extend_from_slice(b",\"rule\":");
                    json_escape_simd::escape_into(&e.rule, m);
                    m.push(b'}');
                }
                m.extend_from_slice(b"],\"entities\":[");
                TAILS.with_borrow_mut(|tails| {
                    for (k, (r, e)) in v.entities.iter().enumerate() {
                        if k > 0 {
                            m.push(b',');
                        }
                        let [a, b] = tchars.span(r);
                        m.extend_from_slice(b"{\"span\":");
                        push_span(m, a, b);
                        m.push(b',');
                        m.extend_from_slice(tails.get(e));
                    }
                });
                m.push(b']');
                let flags: Option<Vec<FlagOut>> = doc.flags.as_ref().map(|flags| {
                    flags
                        .iter()
                        .filter(|f| v.src.start <= f.src.start && f.src.end <= v.src.end)
                        .map(|f| flag_out(doc, f, &mut chars))
                        .collect()
                });
                if let Some(flags) = flags {
                    m.extend_from_slice(b",\"flags\":");
                    serde_json::to_writer(&mut *m, &flags).expect("writing to a Vec cannot fail");
                }
                m.extend_from_slice(b"}\n");
            }
        }
        OutputFormat::Docs => {
            out.segments = doc.segments.len();
            serde_json::to_writer(&mut out.main, &DocsRecord::new(doc))
                .expect("writing to a Vec cannot fail");
            out.main.push(b'\n');
        }
        OutputFormat::Moses => {
            let views = segments(doc);
            out.segments = views.len();
            for v in views {
                push_flat(&mut out.main, &doc.src()[v.src.clone()]);
                out.main.push(b'\n');
                push_flat(&mut out.norm, &v.text);
                out.norm.push(b'\n');
                push_flat(&mut out.ids, &doc.id);
                out.ids.push(b'\t');
                push_int(&mut out.ids, v.seg);
                out.ids.push(b'\n');
            }
        }
        OutputFormat::Tsv => {
            let views = segments(doc);
            out.segments = views.len();
            for v in views {
                let m = &mut out.main;
                push_flat(m, &doc.id);
                m.push(b'\t');
                push_int(m, v.seg);
                m.push(b'\t');
                m.extend_from_slice(v.lang.as_bytes());
                m.push(b'\t');
                push_flat(m, &doc.src()[v.src.clone()]);
                m.push(b'\t');
                push_flat(m, &v.text);
                m.push(b'\n');
            }
        }
    }
    out
}

/// Writes `n` in decimal (itoa: no formatting machinery per number).
fn push_int(out: &mut Vec<u8>, n: usize) {
    out.extend_from_slice(itoa::Buffer::new().format(n).as_bytes());
}

/// Writes the JSON array `[a,b]`.
fn push_span(out: &mut Vec<u8>, a: usize, b: usize) {
    out.push(b'[');
    push_int(out, a);
    out.push(b',');
    push_int(out, b);
    out.push(b']');
}

/// Writes `s` with tabs and line breaks as spaces, so it fits one line (and one TSV cell).
fn push_flat(out: &mut Vec<u8>, s: &str) {
    out.extend(s.bytes().map(|b| match b {
        b'\t' | b'\n' | b'\r' => b' ',
        b => b,
    }));
}

/// The `docs` record of a document: the input record's fields in their order, `text`
/// normalized in its place, then `id` (when the record had none), `src`, `lang`,
/// `lang_confidence`, `edits` and `entities` (character offsets in the whole document),
/// `scores`, `flags` (in flag mode) and the metadata the pipeline found (a byline). A field of
/// the input with the name of an added one is replaced in place; found metadata never
/// replaces an input field.
///
/// It serializes straight from the document, with no intermediate JSON tree: the CLI writes it
/// with serde_json, the Python package turns it into a dict.
pub struct DocsRecord<'a> {
    doc: &'a Document,
    edits: Vec<EditOut<'a>>,
    entities: Vec<EntityOut<'a>>,
    flags: Option<Vec<FlagOut<'a>>>,
}

impl<'a> DocsRecord<'a> {
    /// The record of `doc`, its offsets counted.
    pub fn new(doc: &'a Document) -> Self {
        let mut chars = Chars::new(doc.src());
        let edits = doc
            .log
            .edits()
            .iter()
            .map(|e| edit_out(doc, e, &mut chars))
            .collect();
        let map = doc.log.offsets();
        let mut tchars = Chars::new(doc.text());
        let entities = doc
            .entities
            .iter()
            .map(|e| {
                let r = map.to_cur(e.src.start, Bias::Start)..map.to_cur(e.src.end, Bias::End);
                entity_out(tchars.span(&r), e)
            })
            .collect();
        let flags = doc
            .flags
            .as_ref()
            .map(|flags| flags.iter().map(|f| flag_out(doc, f, &mut chars)).collect());
        DocsRecord {
            doc,
            edits,
            entities,
            flags,
        }
    }
}

/// The fields the contract adds to a `docs` record, in their order.
const ADDED: [&str; 8] = [
    "text",
    "src",
    "lang",
    "lang_confidence",
    "edits",
    "entities",
    "scores",
    "flags",
];

impl Serialize for DocsRecord<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let doc = self.doc;
        let confidence = (doc.lang_confidence * 1000.0).round() / 1000.0;
        let added = |map: &mut S::SerializeMap, i: usize| -> Result<(), S::Error> {
            match ADDED[i] {
                "text" => map.serialize_entry("text", doc.text()),
                "src" => map.serialize_entry("src", doc.src()),
                "lang" => map.serialize_entry("lang", doc.lang),
                "lang_confidence" => map.serialize_entry("lang_confidence", &confidence),
                "edits" => map.serialize_entry("edits", &self.edits),
                "entities" => map.serialize_entry("entities", &self.entities),
                "scores" => map.serialize_entry("scores", &doc.scores),
                _ => match &self.flags {
                    Some(flags) => map.serialize_entry("flags", flags),
                    None => Ok(()),
                },
            }
        };
        let mut map = serializer.serialize_map(None)?;
        let mut done = [false; ADDED.len()];
        for (key, value) in &doc.record {
            // An input field named `flags` stays unless flag mode writes its own.
            let ours = ADDED
                .iter()
                .position(|a| a == key)
                .filter(|&i| ADDED[i] != "flags" || self.flags.is_some());
            match ours {
                Some(i) => {
                    added(&mut map, i)?;
                    done[i] = true;
                }
                None => map.serialize_entry(key, value)?,
            }
        }
        if !doc.record.contains_key("id") {
            map.serialize_entry("id", &doc.id)?;
        }
        for (i, _) in done.iter().enumerate().filter(|(_, done)| !**done) {
            added(&mut map, i)?;
        }
        for (key, value) in &doc.found {
            let taken = key == "id"
                || (ADDED.contains(&key.as_str()) && (key != "flags" || self.flags.is_some()));
            if !taken && !doc.record.contains_key(key) {
                map.serialize_entry(key, value)?;
            }
        }
        map.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    fn escaped(s: &str) -> String {
        let mut out = Vec::new();
        json_escape_simd::escape_into(s, &mut out);
        String::from_utf8(out).expect("UTF-8 in, UTF-8 out")
    }

    /// The segment lines write an edit's kind between quotes as it is.
    #[test]
    fn edit_kinds_need_no_escaping() {
        use crate::edit::EditKind::*;
        for kind in [Unicode, Punct, Boilerplate, Name, Artifact] {
            let name = kind.as_str();
            assert_eq!(serde_json::to_string(name).unwrap(), format!("\"{name}\""));
        }
    }

    // The segment lines' strings are escaped by json_escape_simd, the rest by serde_json: the
    // two must agree byte for byte.
    #[test]
    fn the_string_escaper_writes_what_serde_json_writes() {
        for b in 0u8..128 {
            for at in 0..33 {
                let mut s = "abcdefghijklmnopqrstuvwxyz012345".to_string();
                s.insert(at, char::from(b));
                assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap(), "{s:?}");
            }
        }
    }

    proptest! {
        #[test]
        fn char_offsets_are_counted_in_any_order(
            s in "[aé€😀 ]{0,40}",
            picks in proptest::collection::vec(0usize..100, 0..20),
        ) {
            let bounds: Vec<usize> = (0..=s.len()).filter(|&b| s.is_char_boundary(b)).collect();
            let mut chars = Chars::new(&s);
            for p in picks {
                let b = bounds[p % bounds.len()];
                prop_assert_eq!(chars.at(b), s[..b].chars().count());
            }
        }

        #[test]
        fn the_string_escaper_agrees_with_serde_json(s in "(?s).{0,80}") {
            prop_assert_eq!(escaped(&s), serde_json::to_string(&s).unwrap());
        }
    }

    /// Each segment lists the entities inside it, in the document's order, whether the
    /// entities come sorted (binary search) or not (a pass over all).
    #[test]
    fn segments_hold_their_entities_sorted_or_not() {
        use crate::document::Segment;
        let mut doc = Document::new("x", "Ann met Bob. Cy saw Di.");
        for (src, para) in [(0..12, 0), (13..23, 1)] {
            doc.segments.push(Segment {
                src,
                para,
                lang: "en",
            });
        }
        let name: Arc<str> = Arc::from("n");
        let entity = |src: Range<usize>| Entity {
            src,
            id: Arc::clone(&name),
            canonical: Arc::clone(&name),
            kind: Arc::clone(&name),
            confidence: 1.0,
            rule: Arc::clone(&name),
        };
        let spans = [0..3, 8..11, 13..15, 20..22];
        let listed = |doc: &Document| -> Vec<Vec<Range<usize>>> {
            segments(doc)
                .iter()
                .map(|v| v.entities.iter().map(|(_, e)| e.src.clone()).collect())
                .collect()
        };
        doc.entities = spans.iter().cloned().map(entity).collect();
        assert_eq!(listed(&doc), [vec![0..3, 8..11], vec![13..15, 20..22]]);
        doc.entities.reverse();
        assert_eq!(listed(&doc), [vec![8..11, 0..3], vec![20..22, 13..15]]);
    }

    fn keys_and_values(doc: &Document) -> serde_json::Value {
        serde_json::to_value(DocsRecord::new(doc)).unwrap()
    }

    /// An edited segment's text is borrowed from the document's current text only where that
    /// is its text: not after a layout edit that crosses its start (nor before one that
    /// crosses its end), which belongs to no segment.
    #[test]
    fn segment_text_is_the_current_text_only_where_edits_keep_apart() {
        use crate::document::Segment;
        use crate::edit::{EditKind, Replacement};
        let src = "Ann met Bob.   Cy saw Di.   Ed.";
        let rule: Arc<str> = Arc::from("r");
        for (spans, layout) in [
            ([0..12, 13..25], 12..14), // across the second segment's start
            ([0..12, 15..27], 25..28), // across its end
            ([0..12, 15..25], 12..15), // between the two
        ] {
            let mut doc = Document::new("x", src);
            for (para, range) in spans.iter().enumerate() {
                doc.segments.push(Segment {
                    src: range.clone(),
                    para,
                    lang: "en",
                });
            }
            let mut reps = vec![
                Replacement::new(layout.clone(), "\n", EditKind::Unicode, &rule),
                Replacement::new(15..17, "Cyrus", EditKind::Name, &rule),
            ];
            reps.sort_by_key(|r| r.range.start);
            doc.apply(reps);
            for v in segments(&doc) {
                let want = apply_edits(&src[v.src.clone()], v.src.start, v.edits);
                assert_eq!(v.text, want, "{layout:?}");
            }
        }
    }

    /// The entity fields are cached by the addresses of their strings across documents: a
    /// document whose strings are new (most likely where the last document's were freed)
    /// gets its own fields, also once the cache has been cleared for its size.
    #[test]
    fn entity_fields_come_from_the_documents_own_strings() {
        use crate::document::Segment;
        for i in 0..300 {
            let mut doc = Document::new("x", "Ann met Bob.");
            doc.segments.push(Segment {
                src: 0..12,
                para: 0,
                lang: "en",
            });
            let id: Arc<str> = Arc::from(format!("{i:04}{}", "x".repeat(8000)));
            let name: Arc<str> = Arc::from(format!("name {i}"));
            doc.entities.push(Entity {
                src: 0..3,
                id: Arc::clone(&id),
                canonical: Arc::clone(&name),
                kind: Arc::clone(&name),
                confidence: 1.0,
                rule: Arc::clone(&name),
            });
            let out = render(&doc, OutputFormat::Jsonl).main;
            let line: serde_json::Value = serde_json::from_slice(&out).unwrap();
            let e = &line["entities"][0];
            let got = e["id"].as_str().unwrap_or_default();
            assert!(got == &*id, "document {i} got the id of {:?}", got.get(..4));
            assert_eq!(e["rule"].as_str(), Some(&*name), "document {i}");
        }
    }

    #[test]
    fn docs_records_keep_input_fields_in_place_and_add_the_contract_fields() {
        let mut doc = Document::new("x", "Hello world.");
        doc.record = json!({"lang": "zz", "text": null, "flags": [1], "meta": 1})
            .as_object()
            .unwrap()
            .clone();
        doc.found = json!({"byline": "A. Writer", "meta": 2, "lang": "xx"})
            .as_object()
            .unwrap()
            .clone();
        let rec = keys_and_values(&doc);
        let keys: Vec<&str> = rec
            .as_object()
            .unwrap()
            .keys()
            .map(|k| k.as_str())
            .collect();
        assert_eq!(
            keys,
            [
                "lang",
                "text",
                "flags",
                "meta",
                "id",
                "src",
                "lang_confidence",
                "edits",
                "entities",
                "scores",
                "byline"
            ]
        );
        assert_eq!(rec["lang"], "und"); // ours replaces the input's, in place
        assert_eq!(rec["flags"], json!([1])); // no flag mode: the input's stays
        assert_eq!(rec["meta"], 1); // found metadata never replaces an input field
        assert_eq!(rec["id"], "x");
        assert_eq!(rec["text"], "Hello world.");
        doc.flags = Some(Vec::new());
        assert_eq!(keys_and_values(&doc)["flags"], json!([]));
    }
}
