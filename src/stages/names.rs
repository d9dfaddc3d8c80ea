//! Name canonicalization: one automaton over every glossary variant.
//!
//! Matching is leftmost-longest (a full name wins over its surname alone), case-sensitive, and
//! whole-word by Unicode letters and digits, so "Toqaev's" and "Toqaev-led" match while "Fb"
//! inside "Fbé" does not. For each match, the row for the segment's language wins over a row
//! for all languages; a match with neither is left alone. A variant with a replacement becomes
//! a `name` edit citing its `file:line`; every match becomes an entity.
//!
//! The automaton is built once and shared by every thread; matching costs the same whatever
//! the glossary's size, beyond the automaton itself.

use std::ops::Range;
use std::sync::Arc;

use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

use crate::document::{Document, Entity};
use crate::edit::{Bias, EditKind, Replacement};
use crate::error::{Error, Result};
use crate::glossary::names::NameGlossary;
use crate::stages::{is_whole_word, Stage};

/// The names stage.
#[derive(Debug)]
pub struct Names {
    glossary: NameGlossary,
    automaton: Option<AhoCorasick>,
    /// For each automaton pattern, the variants (one per language) with that spelling.
    by_pattern: Vec<Vec<usize>>,
}

impl Names {
    /// Builds the automaton for `glossary`.
    ///
    /// # Errors
    /// The automaton cannot be built (too large).
    pub fn new(glossary: NameGlossary) -> Result<Self> {
        let mut patterns: Vec<&str> = Vec::new();
        let mut by_pattern: Vec<Vec<usize>> = Vec::new();
        let mut index = std::collections::HashMap::new();
        for (i, v) in glossary.variants.iter().enumerate() {
            let p = *index.entry(v.text.as_str()).or_insert_with(|| {
                patterns.push(&v.text);
                by_pattern.push(Vec::new());
                patterns.len() - 1
            });
            by_pattern[p].push(i);
        }
        let automaton = if patterns.is_empty() {
            None
        } else {
            Some(
                AhoCorasick::builder()
                    .match_kind(MatchKind::LeftmostLongest)
                    .kind(Some(AhoCorasickKind::DFA))
                    .build(&patterns)
                    .or_else(|_| {
                        AhoCorasick::builder()
                            .match_kind(MatchKind::LeftmostLongest)
                            .build(&patterns)
                    })
                    .map_err(|e| Error::Config(format!("name glossary automaton: {e}")))?,
            )
        };
        Ok(Names {
            glossary,
            automaton,
            by_pattern,
        })
    }

    /// The glossary in use.
    pub fn glossary(&self) -> &NameGlossary {
        &self.glossary
    }

    /// The variant that applies to a match of `pattern` in text of language `lang`.
    fn pick(&self, pattern: usize, lang: &str) -> Option<usize> {
        let options = &self.by_pattern[pattern];
        let v = &self.glossary.variants;
        options
            .iter()
            .find(|&&i| v[i].lang.as_deref() == Some(lang))
            .or_else(|| options.iter().find(|&&i| v[i].lang.is_none()))
            .copied()
    }
}

/// A segment's text with exotic spaces (no-break, thin ...) read as plain ones, so "Nikol
/// Pashinyan" matches across a no-break space that typography keeps; with a map back to the
/// original byte offsets. Borrows the text when it has no such space.
struct SpaceView<'a> {
    text: std::borrow::Cow<'a, str>,
    /// For each byte offset of the view (and its end), the offset in the original.
    map: Option<Vec<usize>>,
}

fn is_exotic_space(c: char) -> bool {
    c != ' ' && c.is_whitespace() && c != '\n' && c != '\t' && c != '\r'
}

impl<'a> SpaceView<'a> {
    fn new(s: &'a str) -> Self {
        if s.is_ascii() || !s.chars().any(is_exotic_space) {
            return SpaceView {
                text: s.into(),
                map: None,
            };
        }
        let mut text = String::with_capacity(s.len());
        let mut map = Vec::with_capacity(s.len() + 1);
        for (i, c) in s.char_indices() {
            let c = if is_exotic_space(c) { ' ' } else { c };
            for _ in 0..c.len_utf8() {
                map.push(i);
            }
            text.push(c);
        }
        map.push(s.len());
        SpaceView {
            text: text.into(),
            map: Some(map),
        }
    }

    fn text(&self) -> &str {
        &self.text
    }

    fn orig(&self, at: usize) -> usize {
        self.map.as_ref().map_or(at, |m| m[at])
    }
}

impl Stage for Names {
    fn name(&self) -> &'static str {
        "names"
    }

    fn run(&self, doc: &mut Document) -> Result<()> {
        let Some(ac) = &self.automaton else {
            return Ok(());
        };
        let text = doc.text();
        let map = doc.log.offsets();
        let mut reps = Vec::new();
        // (range in the text after this stage's rewrites, variant)
        let mut found: Vec<(Range<usize>, usize)> = Vec::new();
        let mut shift: isize = 0;
        for seg in &doc.segments {
            let range = map.to_cur(seg.src.start, Bias::Start)..map.to_cur(seg.src.end, Bias::End);
            let view = SpaceView::new(&text[range.clone()]);
            for m in ac.find_iter(view.text()) {
                let (a, b) = (
                    range.start + view.orig(m.start()),
                    range.start + view.orig(m.end()),
                );
                if !is_whole_word(text, a, b) {
                    continue;
                }
                let Some(vi) = self.pick(m.pattern().as_usize(), seg.lang) else {
                    continue;
                };
                let v = &self.glossary.variants[vi];
                let new_a = (a as isize + shift) as usize;
                match &v.replace {
                    Some(to) if to != &text[a..b] => {
                        reps.push(Replacement::new(a..b, to.as_str(), EditKind::Name, &v.rule));
                        shift += to.len() as isize - (b - a) as isize;
                        found.push((new_a..new_a + to.len(), vi));
                    }
                    _ => found.push((new_a..new_a + (b - a), vi)),
                }
            }
        }
        drop(map);
        doc.apply(reps);
        let map = doc.log.offsets();
        let entities: Vec<Entity> = found
            .into_iter()
            .map(|(r, vi)| {
                let v = &self.glossary.variants[vi];
                let info = &self.glossary.entities[v.entity];
                Entity {
                    src: map.to_src(r.start, Bias::Start)..map.to_src(r.end, Bias::End),
                    id: Arc::clone(&info.id),
                    canonical: Arc::clone(&info.canonical),
                    kind: Arc::clone(&info.kind),
                    confidence: 1.0,
                    rule: Arc::clone(&v.rule),
                }
            })
            .collect();
        drop(map);
        doc.entities.extend(entities);
        doc.entities.sort_by_key(|e| (e.src.start, e.src.end));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::document::Segment;
    use crate::glossary::{DataFile, DataSet, FileKind};

    fn names(csv: &str) -> Names {
        let data = DataSet {
            files: vec![DataFile {
                path: "g.csv".into(),
                text: format!("entity,kind,canonical,lang,variant,replace\n{csv}"),
                kind: FileKind::Names,
                default: true,
            }],
        };
        Names::new(NameGlossary::load(&data).unwrap()).unwrap()
    }

    fn run(n: &Names, text: &str, lang: &'static str) -> Document {
        let mut d = Document::new("t", text);
        d.segments.push(Segment {
            src: 0..text.len(),
            para: 0,
            lang,
        });
        n.run(&mut d).unwrap();
        d
    }

    const TOKAYEV: &str = "t,person,Kassym-Jomart Tokayev,,Kassym-Jomart Tokayev,\n\
        t,,,,Qasym-Zhomart Toqaev,Kassym-Jomart Tokayev\nt,,,,Toqaev,Tokayev\nt,,,,Tokayev,\n\
        t,,,ru,Токаев,\nk,place,Kazakhstan,,Kazakhstan,\nk,,,it,Kazakistan,\nk,,,en,Kazakistan,Kazakhstan\n";

    #[test]
    fn longest_variant_wins_and_possessives_match() {
        let d = run(
            &names(TOKAYEV),
            "Qasym-Zhomart Toqaev said. Toqaev's aides and Tokayev.",
            "en",
        );
        assert_eq!(
            d.text(),
            "Kassym-Jomart Tokayev said. Tokayev's aides and Tokayev."
        );
        assert_eq!(d.entities.len(), 3);
        assert!(d.entities.iter().all(|e| &*e.id == "t"));
        assert_eq!(&*d.log.edits()[0].rule, "g.csv:3");
        assert_eq!(&d.src()[d.entities[2].src.clone()], "Tokayev");
    }

    #[test]
    fn names_match_across_no_break_spaces() {
        let d = run(
            &names(TOKAYEV),
            "President Qasym-Zhomart\u{a0}Toqaev said",
            "en",
        );
        assert_eq!(d.text(), "President Kassym-Jomart Tokayev said");
        assert_eq!(d.entities.len(), 1);
    }

    #[test]
    fn words_inside_words_do_not_match() {
        let d = run(&names(TOKAYEV), "Toqaevè and XToqaev", "en");
        assert!(d.log.edits().is_empty());
        assert!(d.entities.is_empty());
    }

    #[test]
    fn language_rows_keep_established_forms() {
        let n = names(TOKAYEV);
        let it = run(&n, "Il Kazakistan partecipa", "it");
        assert_eq!(it.text(), "Il Kazakistan partecipa");
        assert_eq!(it.entities.len(), 1);
        let en = run(&n, "Kazakistan is", "en");
        assert_eq!(en.text(), "Kazakhstan is");
        let fr = run(&n, "le Kazakistan", "fr");
        assert!(
            fr.entities.is_empty(),
            "no row for French or for all languages"
        );
    }
}
