//! The alignment invariant of the output contract, checked on rendered output.

use serde_json::Value;

/// Applies char-offset edits (as written in output) to `chars[start..end]`.
fn apply(chars: &[char], start: usize, end: usize, edits: &[Value]) -> String {
    let mut out = String::new();
    let mut at = start;
    for e in edits {
        let s = e["src_span"][0].as_u64().unwrap() as usize;
        let t = e["src_span"][1].as_u64().unwrap() as usize;
        assert!(
            at <= s && s <= t && t <= end,
            "edit {e} out of order or outside [{start}, {end})"
        );
        out.extend(&chars[at..s]);
        let from: String = chars[s..t].iter().collect();
        assert_eq!(e["from"].as_str().unwrap(), from, "`from` of {e}");
        out.push_str(e["to"].as_str().unwrap());
        at = t;
    }
    out.extend(&chars[at..end]);
    out
}

/// Checks every segment line of one document against its original text: `src` is the
/// original at `src_span`, its edits applied give `text`, segments are disjoint and in order,
/// entity spans lie in `text`, and every non-blank original character is inside a segment.
pub fn check_segments(original: &str, segments: &[Value]) {
    let chars: Vec<char> = original.chars().collect();
    let mut covered = vec![false; chars.len()];
    let mut last_end = 0;
    for (i, seg) in segments.iter().enumerate() {
        assert_eq!(seg["seg"].as_u64().unwrap() as usize, i);
        let s = seg["src_span"][0].as_u64().unwrap() as usize;
        let t = seg["src_span"][1].as_u64().unwrap() as usize;
        assert!(
            last_end <= s && s <= t && t <= chars.len(),
            "segment {i} span [{s}, {t})"
        );
        last_end = t;
        let src: String = chars[s..t].iter().collect();
        assert_eq!(seg["src"].as_str().unwrap(), src, "src of segment {i}");
        let text = apply(&chars, s, t, seg["edits"].as_array().unwrap());
        assert_eq!(seg["text"].as_str().unwrap(), text, "text of segment {i}");
        let n = text.chars().count();
        for e in seg["entities"].as_array().unwrap() {
            let (a, b) = (
                e["span"][0].as_u64().unwrap() as usize,
                e["span"][1].as_u64().unwrap() as usize,
            );
            assert!(a < b && b <= n, "entity {e} outside text of segment {i}");
        }
        covered[s..t].iter_mut().for_each(|c| *c = true);
    }
    for (k, c) in chars.iter().enumerate() {
        assert!(
            covered[k] || c.is_whitespace(),
            "character {k} ({c:?}) is in no segment"
        );
    }
}

/// Checks a `docs` record: its edits applied to `src` give `text`.
pub fn check_doc(doc: &Value) {
    let src = doc["src"].as_str().unwrap();
    let chars: Vec<char> = src.chars().collect();
    let text = apply(&chars, 0, chars.len(), doc["edits"].as_array().unwrap());
    assert_eq!(doc["text"].as_str().unwrap(), text);
    let n = text.chars().count();
    for e in doc["entities"].as_array().unwrap() {
        assert!(e["span"][1].as_u64().unwrap() as usize <= n);
    }
}
