//! Scans over ASCII eight bytes at a time (SWAR: one `u64` holds eight bytes). Most bytes of
//! news text are ASCII, and the stages mostly look for the few that are not, or for capitals.
//!
//! On the low seven bits of a byte, adding `0x80 - c` sets its high bit exactly when the byte
//! is at least `c`, and no byte carries into the next: that tests a range of ASCII bytes in
//! all eight lanes at once.

const ONES: u64 = 0x0101_0101_0101_0101;
const HIGH: u64 = 0x8080_8080_8080_8080;

/// The high bit of each lane of `x` (seven-bit bytes) that lies in `lo..=hi`.
fn in_range(x: u64, lo: u8, hi: u8) -> u64 {
    (x + ONES * (0x80 - u64::from(lo))) & !(x + ONES * (0x80 - u64::from(hi) - 1)) & HIGH
}

/// The first index at or after `from` of a byte that is an ASCII capital or not ASCII (or
/// `bytes.len()`).
pub(crate) fn next_capital_or_non_ascii(bytes: &[u8], from: usize) -> usize {
    next_exact(
        bytes,
        from,
        |x| (x & HIGH) | in_range(x & !HIGH, b'A', b'Z'),
        |b| !b.is_ascii() || b.is_ascii_uppercase(),
    )
}

/// The first index at or after `from` of a byte that is no ASCII letter or digit (or
/// `bytes.len()`): where a run of them ends.
pub(crate) fn next_non_alphanumeric(bytes: &[u8], from: usize) -> usize {
    next_exact(
        bytes,
        from,
        |x| {
            let low = x & !HIGH;
            let alnum = in_range(low, b'0', b'9') | letter_lanes(low);
            (x & HIGH) | (!alnum & HIGH)
        },
        |b| !b.is_ascii_alphanumeric(),
    )
}

/// The first index at or after `from` of a byte that is not ASCII (or `bytes.len()`).
pub(crate) fn next_non_ascii(bytes: &[u8], from: usize) -> usize {
    next_exact(bytes, from, |x| x & HIGH, |b| !b.is_ascii())
}

/// How many lanes have their high bit set (only high bits set): the bits summed by one
/// multiplication into the top byte (at most 8, no carry). `count_ones` is a dozen
/// instructions on x86-64 without POPCNT, the default target.
fn count_lanes(high_bits: u64) -> u32 {
    ((high_bits >> 7).wrapping_mul(ONES) >> 56) as u32
}

/// The first index at or after `from` of a byte that `exact` accepts (or `bytes.len()`).
/// `maybe` marks, in the high bit of a lane of eight bytes, every byte `exact` could accept
/// (more is fine): eight bytes it leaves unmarked are passed over at once, the others are
/// tried one by one from the first it marks. Always inlined: the closures are then the
/// caller's code, and the compiler's own choice left it out of line for some callers
/// (sentence ends, hygiene), at a call per candidate byte.
#[inline(always)]
pub(crate) fn next_exact(
    bytes: &[u8],
    from: usize,
    maybe: impl Fn(u64) -> u64,
    exact: impl Fn(u8) -> bool,
) -> usize {
    let mut i = from;
    while let Some(chunk) = bytes.get(i..i + 8) {
        let marked = maybe(u64::from_le_bytes(chunk.try_into().expect("eight bytes")));
        if marked != 0 {
            let first = (marked.trailing_zeros() / 8) as usize;
            if let Some(k) = chunk[first..].iter().position(|&b| exact(b)) {
                return i + first + k;
            }
        }
        i += 8;
    }
    bytes[i.min(bytes.len())..]
        .iter()
        .position(|&b| exact(b))
        .map_or(bytes.len(), |k| i + k)
}

/// For [`next_exact`]: the lanes that are not ASCII, or hold one of the ASCII `bytes`.
pub(crate) fn non_ascii_or(x: u64, bytes: &[u8]) -> u64 {
    let low = x & !HIGH;
    bytes.iter().fold(x & HIGH, |m, &b| m | in_range(low, b, b))
}

/// For [`next_exact`]: the lanes that are not ASCII, or hold an ASCII control character
/// (below 0x20, or 0x7F).
pub(crate) fn non_ascii_or_control(x: u64) -> u64 {
    let low = x & !HIGH;
    (x & HIGH) | in_range(low, 0, 0x1F) | in_range(low, 0x7F, 0x7F)
}

/// The ASCII letters among eight bytes, or `None` when one of them is not ASCII.
pub(crate) fn letters_in(chunk: [u8; 8]) -> Option<u32> {
    let x = u64::from_le_bytes(chunk);
    (x & HIGH == 0).then(|| count_lanes(letter_lanes(x)))
}

/// The high bit of each lane of `x` (seven-bit bytes) that holds an ASCII letter: with the
/// 0x20 bit set, a letter is `a..=z` and no other byte is.
fn letter_lanes(x: u64) -> u64 {
    in_range(x | (ONES * 0x20), b'a', b'z')
}

/// The words that start among eight ASCII bytes (runs of bytes other than space and `\t`
/// ..`\r`), given whether a word runs into them; and whether one runs out of them. `None`
/// when a byte is not ASCII.
pub(crate) fn word_starts_in(chunk: [u8; 8], in_word: bool) -> Option<(u32, bool)> {
    let x = u64::from_le_bytes(chunk);
    if x & HIGH != 0 {
        return None;
    }
    let space = in_range(x, b' ', b' ') | in_range(x, b'\t', b'\r');
    let word = !space & HIGH;
    // Lane i's predecessor is lane i - 1; lane 0's is the last byte before the chunk.
    let before = word << 8 | if in_word { 0x80 } else { 0 };
    Some((count_lanes(word & !before), word >> 63 != 0))
}

/// A word of at most eight bytes, not ending in a NUL byte, as one integer, for hash maps keyed
/// by short words: its bytes (ASCII letters lower-cased when `fold`), zero bytes after them.
/// Two words sharing one would differ by trailing NULs, which neither has. Most words of news
/// text are that short; looked up this way they are neither hashed byte by byte nor compared
/// as strings.
pub(crate) fn short_key(word: &[u8], fold: bool) -> Option<u64> {
    let n = word.len();
    if n > 8 || word.last() == Some(&0) {
        return None;
    }
    // Two loads that overlap (or meet) cover the word; their shared bytes are the same, so
    // OR joins them. Copied into a zeroed array instead, the bytes went through memory and
    // the eight-byte load that followed stalled on the small stores (a quarter of the
    // lookup's time in langid, perf).
    let byte = |i: usize| u64::from(word[i]) << (8 * i);
    let key = match n {
        0 => 0,
        1..=3 => byte(0) | byte(n / 2) | byte(n - 1),
        _ => {
            let head = u32::from_le_bytes(word[..4].try_into().expect("four bytes"));
            let tail = u32::from_le_bytes(word[n - 4..].try_into().expect("four bytes"));
            u64::from(head) | u64::from(tail) << (8 * (n - 4))
        }
    };
    Some(if fold { lower(key) } else { key })
}

/// `x`'s eight bytes with the ASCII capitals lower-cased.
fn lower(x: u64) -> u64 {
    x | (in_range(x & !HIGH, b'A', b'Z') & !x) >> 2
}

#[cfg(test)]
mod tests {
    use super::*;

    const TEXT: &str =
        "[a-zA-Z0-9 @\\[`{~\\x00\\x7f\\n]{0,30}([éж’\\u{1f600}]|[a-zA-Z ]{0,12}){0,6}";

    /// Every byte value at every place of words of one to eight bytes: the bytes in order,
    /// then zeros (ASCII capitals lower-cased when folded).
    #[test]
    fn short_keys_hold_the_bytes_in_order() {
        for len in 1..=8 {
            for at in 0..len {
                for b in 0..=255u8 {
                    let mut word = vec![b'K'; len];
                    word[at] = b;
                    if word[len - 1] == 0 {
                        continue;
                    }
                    for fold in [false, true] {
                        let mut bytes = [0u8; 8];
                        bytes[..len].copy_from_slice(&word);
                        if fold {
                            bytes.make_ascii_lowercase();
                        }
                        assert_eq!(short_key(&word, fold), Some(u64::from_le_bytes(bytes)));
                    }
                }
            }
        }
        assert_eq!(short_key(b"", true), Some(0));
        assert_eq!(short_key(b"ninebytes", true), None);
        assert_eq!(short_key(b"nul\0", true), None);
    }

    /// Every byte value at every place of a run of letters and digits.
    #[test]
    fn runs_of_letters_and_digits_end_at_every_other_byte() {
        for b in 0..=255u8 {
            for at in 0..12 {
                let mut bytes = *b"aZ09mQ7xYz3kB";
                bytes[at] = b;
                let end = if b.is_ascii_alphanumeric() {
                    bytes.len()
                } else {
                    at
                };
                assert_eq!(next_non_alphanumeric(&bytes, 0), end, "{b:#x} at {at}");
            }
        }
    }

    proptest::proptest! {
        /// Two words of up to eight bytes have the same integer only when they are the same
        /// (after folding, when folded).
        #[test]
        fn short_words_are_one_integer_each(
            a in "(?s)([@-_a-z]|.){0,6}[\\x00ab]{0,3}",
            b in "(?s)([@-_a-z]|.){0,6}[\\x00ab]{0,3}",
            fold in proptest::bool::ANY,
        ) {
            let (sa, sb) = (short_key(a.as_bytes(), fold), short_key(b.as_bytes(), fold));
            proptest::prop_assert_eq!(sa.is_some(), a.len() <= 8 && !a.ends_with('\0'));
            // The bytes in order, then zeros.
            if let Some(x) = sa {
                let mut bytes = [0u8; 8];
                bytes[..a.len()].copy_from_slice(a.as_bytes());
                if fold {
                    bytes.make_ascii_lowercase();
                }
                proptest::prop_assert_eq!(x, u64::from_le_bytes(bytes));
            }
            if let (Some(x), Some(y)) = (sa, sb) {
                let same = if fold { a.eq_ignore_ascii_case(&b) } else { a == b };
                proptest::prop_assert_eq!(x == y, same);
            }
        }

        #[test]
        fn scans_find_what_a_byte_loop_finds(s in TEXT, from in 0usize..60) {
            let bytes = s.as_bytes();
            let from = from.min(bytes.len());
            let first = |p: fn(u8) -> bool| (from..bytes.len()).find(|&i| p(bytes[i])).unwrap_or(bytes.len());
            proptest::prop_assert_eq!(
                next_capital_or_non_ascii(bytes, from),
                first(|b| !b.is_ascii() || b.is_ascii_uppercase())
            );
            proptest::prop_assert_eq!(next_non_ascii(bytes, from), first(|b| !b.is_ascii()));
            proptest::prop_assert_eq!(
                next_non_alphanumeric(bytes, from),
                first(|b| !b.is_ascii_alphanumeric())
            );
        }

        #[test]
        fn exact_scans_find_what_a_byte_loop_finds(
            bytes in proptest::collection::vec(
                proptest::sample::select(b"ab.:!?\n\x01\x7f\xc2\xd0\xe2".to_vec()),
                0..60,
            ),
            from in 0usize..60,
        ) {
            let from = from.min(bytes.len());
            let first = |p: &dyn Fn(u8) -> bool| {
                (from..bytes.len()).find(|&i| p(bytes[i])).unwrap_or(bytes.len())
            };
            let terminal = |b: u8| matches!(b, b'.' | b'!' | b'?' | 0xE2);
            proptest::prop_assert_eq!(
                next_exact(&bytes, from, |x| non_ascii_or(x, b".!?"), terminal),
                first(&terminal)
            );
            let control = |b: u8| (b < 0x20 && b != b'\n') || matches!(b, 0x7F | 0xC2);
            proptest::prop_assert_eq!(
                next_exact(&bytes, from, non_ascii_or_control, control),
                first(&control)
            );
        }

        #[test]
        fn word_starts_are_counted_in_eight_ascii_bytes(
            chunk in proptest::array::uniform8(
                proptest::sample::select(b"ab \t\n\r\x0b\x0c.\x80".to_vec()),
            ),
            in_word in proptest::bool::ANY,
        ) {
            let expected = chunk.is_ascii().then(|| {
                let mut inside = in_word;
                let mut n = 0;
                for b in chunk {
                    let word = !b.is_ascii_whitespace() && b != 0x0b;
                    n += u32::from(word && !inside);
                    inside = word;
                }
                (n, inside)
            });
            proptest::prop_assert_eq!(word_starts_in(chunk, in_word), expected);
        }

        #[test]
        fn letters_are_counted_in_eight_ascii_bytes(chunk in proptest::array::uniform8(0u8..=255)) {
            let expected = chunk
                .is_ascii()
                .then(|| chunk.iter().filter(|b| b.is_ascii_alphabetic()).count() as u32);
            proptest::prop_assert_eq!(letters_in(chunk), expected);
        }
    }
}
