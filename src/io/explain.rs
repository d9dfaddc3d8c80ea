//! `transnorm explain`: a document's normalized text with every edit shown where it happened,
//! with the rule (glossary file and line, or built-in rule) that made it.

use std::fmt::Write;

use console::Style;

use crate::document::Document;

/// How `from` of an edit is shown: line breaks and tabs made visible.
fn visible(s: &str) -> String {
    s.replace('\n', "⏎")
        .replace('\t', "⇥")
        .replace('\u{a0}', "⍽")
}

/// The explanation of `doc`: a header line (id, language, scores), the text with each edit as
/// `[from → to | kind rule]` (coloured when `color`), and the entities found.
pub fn explain(doc: &Document, color: bool) -> String {
    let (old, new, rule) = if color {
        (
            Style::new().red().strikethrough().force_styling(true),
            Style::new().green().force_styling(true),
            Style::new().dim().force_styling(true),
        )
    } else {
        (Style::new(), Style::new(), Style::new())
    };
    let mut out = String::new();
    let scores: Vec<String> = doc
        .scores
        .iter()
        .map(|(k, v)| format!("{k} score {v}"))
        .collect();
    let _ = writeln!(
        out,
        "# {} · {} ({:.2}){}{}",
        doc.id,
        doc.lang,
        doc.lang_confidence,
        if scores.is_empty() { "" } else { " · " },
        scores.join(" · ")
    );
    let src = doc.src();
    let mut at = 0;
    for e in doc.log.edits() {
        out.push_str(&src[at..e.src.start]);
        let to = if e.to.is_empty() {
            "∅".to_owned()
        } else {
            visible(&e.to)
        };
        let _ = write!(
            out,
            "[{} → {} | {}]",
            old.apply_to(visible(&src[e.src.clone()])),
            new.apply_to(to),
            rule.apply_to(format!("{} {}", e.kind.as_str(), e.rule))
        );
        at = e.src.end;
    }
    out.push_str(&src[at..]);
    if !out.ends_with('\n') {
        out.push('\n');
    }
    if !doc.entities.is_empty() {
        let mut seen: Vec<(&str, &str, &str, usize)> = Vec::new();
        for e in &doc.entities {
            match seen.iter_mut().find(|s| s.0 == &*e.id) {
                Some(s) => s.3 += 1,
                None => seen.push((&e.id, &e.canonical, &e.kind, 1)),
            }
        }
        let list: Vec<String> = seen
            .iter()
            .map(|(id, c, k, n)| format!("{c} ({k}, {id}) ×{n}"))
            .collect();
        let _ = writeln!(out, "# entities: {}", list.join("; "));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Options, Pipeline};

    #[test]
    fn edits_are_shown_in_place_with_their_rule() {
        let p = Pipeline::new(&Options::default()).unwrap();
        let d = p
            .normalize("x", "[ad_1]\nKazakh President Toqaev spoke.")
            .unwrap();
        let s = explain(&d, false);
        assert!(
            s.contains("[[ad_1]⏎ → ∅ | boilerplate glossaries/boilerplate/en.txt:3]"),
            "{s}"
        );
        assert!(
            s.contains("President [Toqaev → Tokayev | name glossaries/names/people.csv:"),
            "{s}"
        );
        assert!(
            s.contains("# entities: Kassym-Jomart Tokayev (person, kassym-jomart-tokayev) ×1"),
            "{s}"
        );
    }
}
