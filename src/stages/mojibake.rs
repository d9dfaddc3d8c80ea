//! Mojibake: UTF-8 text that was decoded as Windows-1252 or Latin-1 (once, or twice), such as
//! "KazakhstanÃ¢â‚¬â„¢s" for "Kazakhstan’s" or "sarÃ\u{a0}" for "sarà".
//!
//! Repaired only on local evidence, never by guessing about a whole text: a maximal run of
//! characters that all come from the upper half of Windows-1252 (or the C1 controls Latin-1
//! leaves where Windows-1252 has no character) is turned back into its bytes; the run is
//! repaired only when *all* those bytes form valid UTF-8 and the result has no control
//! character. Legitimate accented text almost never does: "café", "Müller", "São", "Ελλάδα" or
//! Japanese fail at once (an accented letter is not followed by the continuation bytes UTF-8
//! needs, or the characters are outside Windows-1252). Two more checks keep clean text safe
//! where that test alone is not enough: every decoded character must be a plausible one
//! (letters of the common scripts, general punctuation, symbols; not IPA, combining marks or
//! Hebrew points), and a two-character run right after a capital letter is taken for what it
//! looks like ("NESTLÉ®", "VOCÊ…"), as is one decoded letter of a script its neighbours do not
//! use ("5×£35"). Doubly encoded text is repaired by applying the same step again to the
//! result. A lone C1 control character, which is what Latin-1 makes of a Windows-1252
//! punctuation byte, becomes that punctuation ("parlé\u{85}" -> "parlé…").
//! Our own detector: no code or tables from ftfy.

use std::ops::Range;

use crate::stages::ascii;

/// The Windows-1252 characters at bytes 0x80..0xA0 (None where Windows-1252 has none, and
/// Latin-1's C1 control character stands instead).
const CP1252_HIGH: [Option<char>; 32] = [
    Some('€'),
    None,
    Some('‚'),
    Some('ƒ'),
    Some('„'),
    Some('…'),
    Some('†'),
    Some('‡'),
    Some('ˆ'),
    Some('‰'),
    Some('Š'),
    Some('‹'),
    Some('Œ'),
    None,
    Some('Ž'),
    None,
    None,
    Some('‘'),
    Some('’'),
    Some('“'),
    Some('”'),
    Some('•'),
    Some('–'),
    Some('—'),
    Some('˜'),
    Some('™'),
    Some('š'),
    Some('›'),
    Some('œ'),
    None,
    Some('ž'),
    Some('Ÿ'),
];

/// The byte (0x80 and up) that `c` stands for when UTF-8 was read as Windows-1252/Latin-1.
fn high_byte(c: char) -> Option<u8> {
    let n = c as u32;
    if (0xA0..=0xFF).contains(&n) || (0x80..0xA0).contains(&n) {
        // Latin-1 (and C1 controls where Windows-1252 has a gap; elsewhere a C1 control still
        // stands for its byte, as decoders that fall back to Latin-1 write it).
        return Some(n as u8);
    }
    CP1252_HIGH
        .iter()
        .position(|&x| x == Some(c))
        .map(|i| 0x80 + i as u8)
}

/// Whether a character starting with byte `b` may be one [`high_byte`] knows: U+0080..U+00FF
/// (0xC2, 0xC3), Œ œ Š š Ÿ Ž ž ƒ (0xC5, 0xC6), ˆ ˜ (0xCB), punctuation, € and ™ (0xE2).
fn may_start_high(b: u8) -> bool {
    matches!(b, 0xC2 | 0xC3 | 0xC5 | 0xC6 | 0xCB | 0xE2)
}

/// The first index at or after `from` whose byte [`may_start_high`]: ASCII is skipped eight
/// bytes at a time.
fn next_may_start_high(bytes: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    loop {
        i = ascii::next_non_ascii(bytes, i);
        match bytes.get(i) {
            None => return None,
            Some(&b) if may_start_high(b) => return Some(i),
            Some(_) => i += 1,
        }
    }
}

/// Whether `c` is a character UTF-8 mojibake plausibly stood for: letters of the common
/// scripts, general punctuation, symbols; not IPA, combining marks, rare Latin or Cyrillic
/// extensions, Hebrew points.
fn plausible(c: char) -> bool {
    let n = c as u32;
    match n {
        0x00A0..=0x017F => true, // Latin-1 Supplement, Latin Extended-A
        0x0180..=0x024F => matches!(n, 0x01A0..=0x01B0 | 0x01CD..=0x01DC | 0x0218..=0x021B),
        0x0250..=0x036F => false, // IPA, spacing modifiers, combining marks
        0x0370..=0x045F => true,  // Greek, Cyrillic
        // Cyrillic letters of Ukrainian and the Central Asian languages.
        0x0460..=0x052F => matches!(
            n,
            0x0490..=0x0493 | 0x049A..=0x049B | 0x04A2..=0x04A3 | 0x04AE..=0x04B3 | 0x04B6..=0x04BB
                | 0x04D8..=0x04D9 | 0x04E2..=0x04E3 | 0x04E8..=0x04E9 | 0x04EE..=0x04EF
        ),
        0x0530..=0x058F => true,  // Armenian
        0x05D0..=0x05EA => true,  // Hebrew letters
        0x0600..=0x06FF => true,  // Arabic
        0x0900..=0x0E7F => true,  // Indic scripts, Sinhala, Thai
        0x10A0..=0x10FF => true,  // Georgian
        0x0590..=0x1DFF => false, // Hebrew points, Syriac, Thaana, N'Ko ... phonetic extensions
        _ => !c.is_control() && !(0xE000..=0xF8FF).contains(&n) && n != 0xFFFD,
    }
}

/// The script group of a letter, for the isolated-letter check.
fn script(c: char) -> Option<u8> {
    match c as u32 {
        0x0370..=0x03FF => Some(1),
        0x0400..=0x052F => Some(2),
        0x0530..=0x058F => Some(3),
        0x0590..=0x05FF => Some(4),
        0x0600..=0x06FF => Some(5),
        0x1100..=0x11FF | 0xAC00..=0xD7AF => Some(6),
        0x3040..=0x30FF | 0x4E00..=0x9FFF => Some(7),
        _ => None,
    }
}

/// Whether `only`, decoded from `text[range]` (of `chars` characters), is believable there;
/// `before` and `after` are its neighbours once decoded.
fn believable(
    text: &str,
    range: &Range<usize>,
    chars: usize,
    only: char,
    before: Option<char>,
    after: Option<char>,
) -> bool {
    if !plausible(only) {
        return false;
    }
    if let Some(s) = script(only).filter(|s| *s != 1) {
        // One letter of a script nothing around it uses ("5×£35", "Brontë…”").
        let same = |c: Option<char>| c.and_then(script) == Some(s);
        if !same(before) && !same(after) {
            return false;
        }
    }
    let last = text[range.clone()].chars().next_back();
    if chars == 2 && last == Some('\u{a0}') && (only as u32) > 0xFF {
        return false; // a letter, then a no-break space: "SELKÄ\u{a0}EDELLÄ"
    }
    let alone =
        !before.is_some_and(char::is_alphanumeric) && !after.is_some_and(char::is_alphanumeric);
    if alone && (only as u32) > 0xFF && only.is_alphabetic() {
        return false; // a one-letter word of rare Latin: "10 Å—" is not "10 ŗ"
    }
    let first = text[range.clone()].chars().next();
    if chars == 2
        && only.is_lowercase()
        && first.is_some_and(char::is_uppercase)
        && before.is_some_and(char::is_uppercase)
        && !after.is_some_and(char::is_lowercase)
    {
        return false; // a capital in an all-caps word, then a symbol: "AHÅ™,"
    }
    true
}

/// `Ã` at a word's start or after a lower-case letter, then a space: an `à` whose no-break
/// space byte was lost ("jusqu'Ã nos jours", "voilÃ  le"); `Ã s ` is Portuguese `às`.
fn lost_nbsp(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    for (i, _) in text.match_indices("Ã ") {
        let before = text[..i].chars().next_back();
        if before.is_some_and(|c| c.is_uppercase() || c.is_ascii_digit()) {
            continue;
        }
        let rest = &text[i + "Ã ".len()..];
        let next = rest.chars().next();
        if rest.starts_with("s ") {
            out.push((i..i + "Ã s".len(), "às".to_owned()));
        } else if rest.starts_with(' ') {
            out.push((i..i + "Ã  ".len() - 1, "à".to_owned()));
        } else if next.is_some_and(char::is_lowercase) {
            out.push((i..i + "Ã".len(), "à".to_owned()));
        }
    }
    out
}

/// A C1 control character as the Windows-1252 punctuation Latin-1 made of it.
fn c1_as_cp1252(c: char) -> Option<char> {
    let n = c as u32;
    (0x80..0xA0)
        .contains(&n)
        .then(|| CP1252_HIGH[(n - 0x80) as usize])
        .flatten()
}

/// One round: the parts of `text` that decode as UTF-8 read as Windows-1252 or Latin-1, and
/// lone C1 controls, with what they stand for.
fn round(text: &str) -> Vec<(Range<usize>, String)> {
    let mut out = Vec::new();
    let bytes = text.as_bytes();
    // Reused from run to run: English text has one at every curly quote and dash.
    let mut run: Vec<(usize, char, u8)> = Vec::new();
    let mut run_bytes: Vec<u8> = Vec::new();
    let mut decoded: Vec<char> = Vec::new();
    let mut at = 0;
    while let Some(k) = next_may_start_high(bytes, at).map(|i| i - at) {
        let mut chars = text[at + k..]
            .char_indices()
            .map(|(i, c)| (at + k + i, c))
            .peekable();
        let Some(&(i, c)) = chars.peek() else {
            break;
        };
        if high_byte(c).is_none() {
            at = i + c.len_utf8();
            continue;
        }
        // A maximal run of characters standing for bytes 0x80 and up: (offset, char, byte).
        run.clear();
        while let Some(&(i, d)) = chars.peek() {
            let Some(b) = high_byte(d) else { break };
            run.push((i, d, b));
            chars.next();
        }
        let last = run[run.len() - 1];
        at = last.0 + last.1.len_utf8();
        run_bytes.clear();
        run_bytes.extend(run.iter().map(|r| r.2));
        let end_of = |k: usize| {
            run.get(k)
                .map_or_else(|| run[k - 1].0 + run[k - 1].1.len_utf8(), |r| r.0)
        };
        let mut k = 0; // index into `run` of the chunk's first byte
        for chunk in run_bytes.utf8_chunks() {
            decoded.clear();
            decoded.extend(chunk.valid().chars());
            for (n, &ch) in decoded.iter().enumerate() {
                let len = ch.len_utf8();
                let range = run[k].0..end_of(k + len);
                let before = if n > 0 {
                    Some(decoded[n - 1])
                } else {
                    text[..range.start].chars().next_back()
                };
                let after = decoded
                    .get(n + 1)
                    .copied()
                    .or_else(|| text[range.end..].chars().next());
                if believable(text, &range, len, ch, before, after) {
                    out.push((range, ch.to_string()));
                }
                k += len;
            }
            for _ in chunk.invalid() {
                let (i, c, _) = run[k];
                if let Some(p) = c1_as_cp1252(c) {
                    out.push((i..i + c.len_utf8(), p.to_string()));
                }
                k += 1;
            }
        }
    }
    out
}

/// Rounds of repair at most: enough for text encoded wrongly three times.
pub const ROUNDS: usize = 3;

/// The repairs for `text` in one round: byte ranges and their replacements, sorted and
/// non-overlapping. Doubly encoded text needs a second round on the result.
pub fn repairs(text: &str) -> Vec<(Range<usize>, String)> {
    if text.is_ascii() {
        return Vec::new();
    }
    let mut reps = round(text);
    if reps.is_empty() {
        // The lost-space `à` needs evidence that the text is mojibake at all.
        return reps;
    }
    let taken: Vec<Range<usize>> = reps.iter().map(|r| r.0.clone()).collect();
    reps.extend(
        lost_nbsp(text)
            .into_iter()
            .filter(|(r, _)| !taken.iter().any(|t| t.start < r.end && r.start < t.end)),
    );
    reps.sort_by_key(|r| r.0.start);
    reps
}

/// `text` with its mojibake repaired (up to [`ROUNDS`] rounds).
pub fn fix(text: &str) -> String {
    let mut text = text.to_owned();
    for _ in 0..ROUNDS {
        let reps = repairs(&text);
        if reps.is_empty() {
            break;
        }
        let mut out = String::with_capacity(text.len());
        let mut at = 0;
        for (r, fixed) in reps {
            out.push_str(&text[at..r.start]);
            out.push_str(&fixed);
            at = r.end;
        }
        out.push_str(&text[at..]);
        text = out;
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn repairs_single_and_double_encodings() {
        assert_eq!(fix("KazakhstanÃ¢â‚¬â„¢s"), "Kazakhstan’s");
        assert_eq!(fix("Kazakhstanâ€™s"), "Kazakhstan’s");
        assert_eq!(fix("sarÃ\u{a0} un anno"), "sarà un anno");
        assert_eq!(fix("He's Justinâ\u{9d}¤"), "He's Justin❤");
        assert_eq!(fix("Ð¢Ð¾ÐºÐ°ÐµÐ²"), "Токаев");
        assert_eq!(
            fix("beaucoup parlé\u{85} Tu sais"),
            "beaucoup parlé… Tu sais"
        );
    }

    #[test]
    fn every_high_byte_character_starts_with_a_byte_the_scan_stops_at() {
        for c in (0..=0x10FFFF).filter_map(char::from_u32) {
            if high_byte(c).is_some() {
                assert!(may_start_high(c.to_string().as_bytes()[0]), "{c:?}");
            }
        }
    }

    #[test]
    fn leaves_clean_text_alone() {
        for s in [
            "NESTLÉ® requiere",
            "RETWEET SE VOCÊ…",
            "Offering 5×£35 pin ups",
            "SELKÄ\u{a0}EDELLÄ",
            "a radius of 10 Å—",
            "Charlotte Brontë…”",
            "café Müller São Paulo",
            "Ελλάδα",
            "日本語のテキスト",
            "naïve “quotes” — dash",
            "5 × 3 ÷ 2",
            "£5 ½ price ©2024",
        ] {
            assert_eq!(fix(s), s, "{s}");
        }
    }
}
