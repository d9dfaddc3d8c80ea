//! What an artifact repair can uncover for the artifacts stage's next pass.
//!
//! A repair changes the text inside its own span only, and a phrase counts only as whole
//! words. Around a repaired span stand characters that are no letters, digits or marks (the
//! match was whole words), which no repair touched: the phrases start and end with word
//! characters, so two repairs never touch. A phrase the next pass finds, and this one did not,
//! must therefore overlap a repaired span, or have one as its context: the token before or after
//! it (spaces skipped), or the character next to it. With the repair's own edges word
//! characters like the phrase's, that character does not change its class, and a phrase never
//! touches the span anyway; the tokens are the repair's first and last words and the phrase's.
//!
//! So, for each rule, once: whether its repair changes what some rule's `before`/`after`
//! condition says of those tokens (then its segment is searched again, whatever the text),
//! and the few phrases that could overlap the repaired text as whole words, each with its offset
//! from the span's start. After a pass, only the segments of repairs where one of those phrases
//! stands (or whose context changed) are searched again: of the default rules, 140 of 188
//! repairs can overlap no phrase at all.

use std::collections::HashMap;
use std::ops::Range;

use crate::glossary::artifacts::ArtifactRule;
use crate::stages::artifacts::{capitalized, token_after, token_before};
use crate::stages::is_word_char;

/// For each rule, what its repair can uncover, as written (`[0]`) and capitalized (`[1]`).
#[derive(Debug)]
pub(crate) struct Uncover {
    rules: Vec<[Probes; 2]>,
    /// The phrases as the scan looks for them (lower-cased; compared ignoring ASCII case).
    patterns: Vec<Box<[u8]>>,
}

#[derive(Debug, Default)]
struct Probes {
    /// The repair changes a context token or an edge's class: search again in any case.
    always: bool,
    /// (pattern, offset of its start from the repaired span's start) of each phrase that
    /// could overlap the repaired text as whole words.
    at: Vec<(usize, isize)>,
}

/// Whether `s` starts and ends with a word character.
fn word_edges(s: &str) -> bool {
    s.chars().next().is_some_and(is_word_char) && s.chars().next_back().is_some_and(is_word_char)
}

impl Uncover {
    /// The probes of `rules`, whose phrases the scan looks for as `patterns`.
    pub(crate) fn new<P: AsRef<str>>(rules: &[ArtifactRule], patterns: &[P]) -> Self {
        // Without word characters at every phrase's edges, repairs may touch: search again.
        let sound = patterns.iter().all(|p| word_edges(p.as_ref()));
        let contexts: Vec<&ArtifactRule> = rules
            .iter()
            .filter(|r| !r.before.tokens.is_empty() || !r.after.tokens.is_empty())
            .collect();
        // Whether some rule's condition says otherwise of `to`'s tokens than of `found`'s.
        let recontexts = |found: &str, to: &str| {
            let (fb, tb) = (token_before(found), token_before(to));
            let (fa, ta) = (token_after(found), token_after(to));
            contexts.iter().any(|c| {
                c.before.holds(fb) != c.before.holds(tb) || c.after.holds(fa) != c.after.holds(ta)
            })
        };
        let patterns: Vec<Box<[u8]>> = patterns
            .iter()
            .map(|p| p.as_ref().as_bytes().into())
            .collect();
        let starts = Starts::new(&patterns);
        // The probes of each repair as written, ignoring ASCII case as the scan does.
        let mut probes: HashMap<Vec<u8>, Vec<(usize, isize)>> = HashMap::new();
        let rules = rules
            .iter()
            .map(|r| {
                // The text found is the phrase as written or capitalized; the repair's first
                // letter follows it (`upper`), as the stage writes it.
                let founds = [r.phrase.clone(), capitalized(&r.phrase)];
                [false, true].map(|upper| {
                    let to = if upper {
                        capitalized(&r.repair)
                    } else {
                        r.repair.clone()
                    };
                    let always = !sound
                        || !word_edges(&to)
                        || founds.iter().any(|f| !word_edges(f) || recontexts(f, &to));
                    Probes {
                        always,
                        at: if always {
                            Vec::new()
                        } else {
                            probes
                                .entry(to.to_ascii_lowercase().into_bytes())
                                .or_insert_with_key(|to| starts.overlapping(to))
                                .clone()
                        },
                    }
                })
            })
            .collect();
        Uncover { rules, patterns }
    }

    /// Whether the span `at` of `text`, repaired by `rule` (`upper`: its first letter
    /// capitalized), may give the next pass something to find.
    pub(crate) fn may_uncover(
        &self,
        text: &str,
        at: &Range<usize>,
        rule: usize,
        upper: bool,
    ) -> bool {
        let probes = &self.rules[rule][usize::from(upper)];
        probes.always
            || probes.at.iter().any(|&(p, d)| {
                let pat = &self.patterns[p];
                at.start
                    .checked_add_signed(d)
                    .and_then(|s| text.as_bytes().get(s..s + pat.len()))
                    .is_some_and(|there| there.eq_ignore_ascii_case(pat))
            })
    }
}

/// The patterns indexed by the (lower-cased) byte at each place a whole-word match of one
/// may start in a repair: at a pattern's start (`heads`), or inside it (`inner`, with the
/// offset).
struct Starts<'a> {
    patterns: &'a [Box<[u8]>],
    heads: Vec<Vec<usize>>,
    inner: Vec<Vec<(usize, isize)>>,
}

impl<'a> Starts<'a> {
    fn new(patterns: &'a [Box<[u8]>]) -> Self {
        let (mut heads, mut inner) = (vec![Vec::new(); 256], vec![Vec::new(); 256]);
        for (p, pat) in patterns.iter().enumerate() {
            for i in word_starts(pat) {
                let b = usize::from(pat[i as usize].to_ascii_lowercase());
                match i {
                    0 => heads[b].push(p),
                    i => inner[b].push((p, i)),
                }
            }
        }
        Starts {
            patterns,
            heads,
            inner,
        }
    }

    /// Each (pattern, offset from the start of `to`) at which a pattern could overlap `to` as
    /// whole words: the overlapping bytes agree (ignoring ASCII case), and no ASCII letter or
    /// digit stands right before or after it, whether in `to` or in the pattern where it
    /// reaches out of `to` (the characters around a repaired span are no word characters).
    fn overlapping(&self, to: &[u8]) -> Vec<(usize, isize)> {
        let Some(&first) = to.first() else {
            return Vec::new();
        };
        let key = |b: u8| usize::from(b.to_ascii_lowercase());
        // A pattern starts at a word start of `to`, or `to` at one inside a pattern.
        let at_starts = word_starts(to)
            .into_iter()
            .flat_map(|d| self.heads[key(to[d as usize])].iter().map(move |&p| (p, d)));
        let inside = self.inner[key(first)].iter().map(|&(p, i)| (p, -i));
        let n = to.len() as isize;
        let mut out: Vec<(usize, isize)> = at_starts
            .chain(inside)
            .filter(|&(p, d)| {
                let pat = &self.patterns[p];
                let m = pat.len() as isize;
                let (lo, hi) = (d.max(0), n.min(d + m));
                let agree =
                    (lo..hi).all(|x| to[x as usize].eq_ignore_ascii_case(&pat[(x - d) as usize]));
                let end_free = match d + m {
                    e if e == n => true,
                    e if e < n => !is_word_byte(to[e as usize]),
                    _ => !is_word_byte(pat[(n - d) as usize]),
                };
                agree && end_free
            })
            .collect();
        out.sort_unstable();
        out
    }
}

/// A byte certainly of a word character: an ASCII letter or digit.
fn is_word_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
}

/// Where a whole-word match may start in `s`: where no ASCII letter or digit stands before.
fn word_starts(s: &[u8]) -> Vec<isize> {
    (0..s.len())
        .filter(|&i| i == 0 || !is_word_byte(s[i - 1]))
        .map(|i| i as isize)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn probes(patterns: &[&str], to: &str) -> Vec<(String, isize)> {
        let pats: Vec<Box<[u8]>> = patterns.iter().map(|p| p.as_bytes().into()).collect();
        Starts::new(&pats)
            .overlapping(to.as_bytes())
            .into_iter()
            .map(|(p, d)| (patterns[p].to_string(), d))
            .collect()
    }

    #[test]
    fn phrases_overlap_a_repair_as_whole_words_only() {
        let pats = [
            "the combat towards",
            "within the",
            "of that call",
            "thereby",
            "in the",
        ];
        // "within the" would have "with" right before the repair, where no letter stands.
        assert_eq!(
            probes(&pats, "in the"),
            [
                ("the combat towards".to_string(), 3),
                ("in the".to_string(), 0)
            ]
        );
        // "thereby" would start inside "other".
        assert!(probes(&pats, "other").is_empty());
        assert_eq!(
            probes(&pats, "Spread Of"),
            [("of that call".to_string(), 7)]
        );
    }
}
