//! Sets of regular expressions that must match a whole line, asked which one does first.
//!
//! `regex::RegexSet` compiles each set twice, forward and reversed (the reversed NFA finds
//! where a match starts, which a whole-line match never needs), plus the engines for
//! captures. For the boilerplate patterns, whose bounded repeats (`.{0,200}`) unroll into
//! tens of thousands of NFA states, that was 50 ms of every start-up, the longest of all the
//! builds. [`LineSet`] compiles the forward NFA alone and searches it with a lazy DFA,
//! anchored at the line's start: about 20 ms. A set the lazy DFA cannot run (a Unicode word
//! boundary, `\b` without `(?-u:...)`) goes to a `RegexSet` instead.

use std::panic::{RefUnwindSafe, UnwindSafe};
use std::sync::Arc;

use regex::{RegexSet, RegexSetBuilder};
use regex_automata::hybrid::dfa::{Cache, OverlappingState, DFA};
use regex_automata::nfa::thompson::{self, WhichCaptures};
use regex_automata::util::pool::Pool;
use regex_automata::util::syntax;
use regex_automata::{Anchored, Input, MatchKind};

/// How many bytes each thread's lazy DFA may hold: the boilerplate set needs room for its
/// bounded repeats and Unicode classes (a few megabytes on a long line of letters); with less,
/// it clears its cache over and over.
const CACHE_BYTES: usize = 16 << 20;

/// How many bytes the NFA of a set may take.
const NFA_BYTES: usize = 64 << 20;

type NewCache = Box<dyn Fn() -> Cache + Send + Sync + UnwindSafe + RefUnwindSafe>;

/// Patterns, each matched against a whole line.
pub(crate) struct LineSet {
    engine: Engine,
}

enum Engine {
    Lazy {
        dfa: Arc<DFA>,
        caches: Pool<Cache, NewCache>,
    },
    Set(RegexSet),
}

impl std::fmt::Debug for LineSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let engine = match self.engine {
            Engine::Lazy { .. } => "lazy DFA",
            Engine::Set(_) => "RegexSet",
        };
        f.debug_struct("LineSet").field("engine", &engine).finish()
    }
}

impl LineSet {
    /// The set of `patterns` (regular expressions in `regex` syntax), each to match a whole
    /// line.
    ///
    /// # Errors
    /// A pattern is not valid or the set is too big, as `regex` tells it.
    pub(crate) fn new(
        patterns: &[impl AsRef<str>],
        case_insensitive: bool,
    ) -> Result<Self, regex::Error> {
        let whole: Vec<String> = patterns
            .iter()
            .map(|p| format!("^(?:{})$", p.as_ref()))
            .collect();
        let engine = match lazy(&whole, case_insensitive) {
            Some(dfa) => {
                let dfa = Arc::new(dfa);
                let d = Arc::clone(&dfa);
                let caches = Pool::new(Box::new(move || d.create_cache()) as NewCache);
                Engine::Lazy { dfa, caches }
            }
            None => Engine::Set(
                RegexSetBuilder::new(&whole)
                    .case_insensitive(case_insensitive)
                    .size_limit(NFA_BYTES)
                    .dfa_size_limit(CACHE_BYTES)
                    .build()?,
            ),
        };
        Ok(LineSet { engine })
    }

    /// The first pattern (by index) that matches the whole of `line`.
    pub(crate) fn first_match(&self, line: &str) -> Option<usize> {
        match &self.engine {
            Engine::Lazy { dfa, caches } => {
                let input = Input::new(line).anchored(Anchored::Yes);
                let mut cache = caches.get();
                let mut state = OverlappingState::start();
                let mut first: Option<usize> = None;
                loop {
                    dfa.try_search_overlapping_fwd(&mut cache, &input, &mut state)
                        .expect("built with no quit bytes and never to give up");
                    let Some(m) = state.get_match() else {
                        return first;
                    };
                    let p = m.pattern().as_usize();
                    first = Some(first.map_or(p, |f| f.min(p)));
                }
            }
            Engine::Set(set) => set.matches(line).iter().next(),
        }
    }

    /// Whether one of the patterns matches the whole of `line`.
    pub(crate) fn is_match(&self, line: &str) -> bool {
        match &self.engine {
            Engine::Lazy { .. } => self.first_match(line).is_some(),
            Engine::Set(set) => set.is_match(line),
        }
    }
}

/// The lazy DFA of `patterns`, or `None` when one of them is not valid or has what it cannot
/// run (the `RegexSet` then builds the set, or says what is wrong).
fn lazy(patterns: &[String], case_insensitive: bool) -> Option<DFA> {
    let nfa = thompson::Compiler::new()
        .syntax(syntax::Config::new().case_insensitive(case_insensitive))
        .configure(
            thompson::Config::new()
                .which_captures(WhichCaptures::None)
                .nfa_size_limit(Some(NFA_BYTES)),
        )
        .build_many(patterns)
        .ok()?;
    DFA::builder()
        .configure(
            DFA::config()
                .match_kind(MatchKind::All)
                .cache_capacity(CACHE_BYTES)
                .minimum_cache_clear_count(None),
        )
        .build_from_nfa(nfa)
        .ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn the_first_pattern_matching_the_whole_line_wins() {
        let set = LineSet::new(&["advertisement", "adv.*", "read more.{0,20}"], true).unwrap();
        assert!(matches!(set.engine, Engine::Lazy { .. }));
        assert_eq!(set.first_match("Advertisement"), Some(0));
        assert_eq!(set.first_match("advert"), Some(1));
        assert_eq!(set.first_match("an advertisement"), None);
        assert_eq!(set.first_match("Read more: the news"), Some(2));
        assert_eq!(
            set.first_match("read more: the news of the day, all of it"),
            None
        );
    }

    #[test]
    fn a_unicode_word_boundary_goes_to_the_regex_set() {
        let set = LineSet::new(&[r"click here\b.*", "advertisement"], true).unwrap();
        assert!(matches!(set.engine, Engine::Set(_)));
        assert_eq!(set.first_match("Click here, now"), Some(0));
        assert_eq!(set.first_match("Click heré"), None);
        assert_eq!(set.first_match("ADVERTISEMENT"), Some(1));
    }

    #[test]
    fn bad_patterns_are_errors() {
        assert!(LineSet::new(&["(unclosed"], false).is_err());
    }

    proptest! {
        #[test]
        fn it_agrees_with_a_regex_set(
            patterns in prop::collection::vec("[ab.é]{1,3}(\\*|\\{0,3\\}|\\+)?[ab]?", 1..6),
            line in "[abAÉé ]{0,12}",
            ci in any::<bool>(),
        ) {
            let whole: Vec<String> = patterns.iter().map(|p| format!("^(?:{p})$")).collect();
            let set = RegexSetBuilder::new(&whole).case_insensitive(ci).build().unwrap();
            let lines = LineSet::new(&patterns, ci).unwrap();
            prop_assert_eq!(lines.first_match(&line), set.matches(&line).iter().next());
            prop_assert_eq!(lines.is_match(&line), set.is_match(&line));
        }
    }
}
