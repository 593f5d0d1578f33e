//! The shingling near-duplicate detection compares documents by, the same as the reference
//! baselines of `bench/baselines/` (datasketch and rensa): text decoded as UTF-8 with replacement, lower-cased, tokens are the `\w+`
//! matches (Unicode word characters), shingles are the set of word 5-grams; a document with
//! fewer than 5 tokens has no shingles and stays out of near dedup. Exact dedup compares the
//! whitespace-normalized text (every whitespace run one space, trimmed).
//!
//! A shingle is kept as a 64-bit hash of its tokens, not as a string: sets stay small and
//! compare fast, and two different shingles share a hash with probability 2⁻⁶⁴, far below
//! anything a Jaccard of a few thousand shingles can show.

use std::borrow::Cow;

/// Words per shingle.
pub const NGRAM: usize = 5;

/// For each ASCII byte: its lower-case form if it is a word character (`\w`: letters,
/// digits, `_`), else 0.
static ASCII_WORD: [u8; 128] = {
    let mut table = [0u8; 128];
    let mut b = 0;
    while b < 128 {
        let c = b as u8;
        if c.is_ascii_alphanumeric() || c == b'_' {
            table[b] = c.to_ascii_lowercase();
        }
        b += 1;
    }
    table
};

const K: u64 = 0x9e37_79b9_7f4a_7c15;

/// murmur3's 64-bit finalizer: every input bit reaches every output bit.
#[inline(always)]
fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^ (h >> 33)
}

/// For each character of the Basic Multilingual Plane from U+0080: its lower-case form and
/// whether that is a word character, packed as `char | WORD`, or `MANY` when it lower-cases
/// to several characters (then worked out in full); and `SELF_WORD` when the character
/// itself is a word character. Built once, on first use: per-character Unicode lookups are
/// binary searches, and non-English text repeats the same few characters many times.
static BMP: std::sync::LazyLock<Vec<u32>> = std::sync::LazyLock::new(|| {
    let word = |c: char, bit: u32| {
        if regex_syntax::is_word_character(c) {
            bit
        } else {
            0
        }
    };
    (0x80u32..0x1_0000)
        .map(|cp| match char::from_u32(cp) {
            None => 0, // a surrogate: never in a str
            Some(c) => {
                let mut lower = c.to_lowercase();
                word(c, SELF_WORD)
                    | match (lower.next(), lower.next()) {
                        (Some(l), None) => u32::from(l) | word(l, WORD),
                        _ => MANY,
                    }
            }
        })
        .collect()
});
const WORD: u32 = 1 << 30;
const MANY: u32 = 1 << 31;
/// The character itself (not its lower-case form) is a word character.
const SELF_WORD: u32 = 1 << 29;

/// Whether `c` is a word character (`\w`: letters, marks, digits, connector punctuation),
/// by table for the BMP: the Unicode property lookups are binary searches.
pub fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return ASCII_WORD[c as usize] != 0;
    }
    match BMP.get(c as usize - 0x80) {
        Some(&packed) => packed & SELF_WORD != 0,
        None => regex_syntax::is_word_character(c),
    }
}

/// Hashes one token's bytes as they are scanned, eight at a time, so the text is read
/// once and never copied.
#[derive(Default)]
struct TokenHasher {
    h: u64,
    word: u64,
    in_word: u32,
    len: u64,
}

impl TokenHasher {
    #[inline(always)]
    fn push(&mut self, b: u8) {
        self.word |= u64::from(b) << (8 * self.in_word);
        self.in_word += 1;
        self.len += 1;
        if self.in_word == 8 {
            self.h = (self.h ^ self.word).wrapping_mul(K).rotate_left(29);
            self.word = 0;
            self.in_word = 0;
        }
    }

    /// The hash of the token so far, if there is one, and a fresh start.
    #[inline(always)]
    fn take(&mut self) -> Option<u64> {
        if self.len == 0 {
            return None;
        }
        let h = (self.h ^ self.word).wrapping_mul(K) ^ self.len;
        *self = Self::default();
        Some(fmix64(h))
    }
}

/// The hash of one (already lower-cased) token, as [`token_hashes`] computes it.
pub fn token_hash(token: &str) -> u64 {
    let mut t = TokenHasher::default();
    token.bytes().for_each(|b| t.push(b));
    t.take().unwrap_or(0)
}

/// The hash of each token of `text` in order, lower-cased first.
pub fn token_hashes(text: &str) -> Vec<u64> {
    let mut out = Vec::with_capacity(text.len() / 6);
    let mut token = TokenHasher::default();
    if text.is_ascii() {
        ascii_token_hashes(text.as_bytes(), &mut out);
        return out;
    } else {
        // Lower-case first, then find words, as `\w+` over `text.lower()` does: lower-casing
        // can change what is a word character (`İ` becomes `i` and a combining dot). Char by
        // char lower-casing differs from the whole string's only for a final capital sigma.
        let text: Cow<str> = if text.contains('\u{3a3}') {
            Cow::Owned(text.to_lowercase())
        } else {
            Cow::Borrowed(text)
        };
        let mut utf8 = [0u8; 4];
        for c in text.chars() {
            if c.is_ascii() {
                match ASCII_WORD[c as usize] {
                    0 => out.extend(token.take()),
                    b => token.push(b),
                }
                continue;
            }
            let packed = BMP.get(c as usize - 0x80).copied().unwrap_or(MANY);
            if packed & MANY == 0 {
                if packed & WORD != 0 {
                    let lower = char::from_u32(packed & !(WORD | SELF_WORD))
                        .expect("a char from the table");
                    lower
                        .encode_utf8(&mut utf8)
                        .bytes()
                        .for_each(|b| token.push(b));
                } else {
                    out.extend(token.take());
                }
                continue;
            }
            for lower in c.to_lowercase() {
                if regex_syntax::is_word_character(lower) {
                    lower
                        .encode_utf8(&mut utf8)
                        .bytes()
                        .for_each(|b| token.push(b));
                } else {
                    out.extend(token.take());
                }
            }
        }
    }
    out.extend(token.take());
    out
}

/// [`token_hashes`] for ASCII text, a token at a time rather than a byte at a time: a
/// bitmap marks the word bytes, runs of ones are found with `trailing_zeros`, and each
/// token is hashed from 8-byte loads of the lower-cased text. Same hashes as
/// [`TokenHasher`], which takes the same little-endian words.
fn ascii_token_hashes(text: &[u8], out: &mut Vec<u64>) {
    let n = text.len();
    let mut lower = Vec::with_capacity(n + 8);
    lower.extend_from_slice(text);
    lower.make_ascii_lowercase();
    lower.extend_from_slice(&[0; 8]);
    let mut bitmap = vec![0u64; n.div_ceil(64) + 1];
    let mut chunks = text.chunks_exact(64);
    for (word, chunk) in bitmap.iter_mut().zip(&mut chunks) {
        *word = word_mask_64(chunk.try_into().expect("64 bytes"));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut m = 0u64;
        for (k, &b) in rest.iter().enumerate() {
            m |= u64::from(ASCII_WORD[b as usize] != 0) << k;
        }
        bitmap[n / 64] = m;
    }
    // The first position at or after `from` whose bit equals `set`, or `n`.
    let next = |from: usize, set: bool| -> usize {
        let flip = if set { 0 } else { u64::MAX };
        let mut idx = from / 64;
        let mut w = (bitmap[idx] ^ flip) & (u64::MAX << (from % 64));
        loop {
            if w != 0 {
                return (idx * 64 + w.trailing_zeros() as usize).min(n);
            }
            idx += 1;
            if idx * 64 >= n {
                return n;
            }
            w = bitmap[idx] ^ flip;
        }
    };
    let mut pos = 0;
    while pos < n {
        let start = next(pos, true);
        if start >= n {
            break;
        }
        let end = next(start, false);
        let mut h = 0u64;
        let mut i = start;
        while i + 8 <= end {
            let w = u64::from_le_bytes(lower[i..i + 8].try_into().expect("8 bytes"));
            h = (h ^ w).wrapping_mul(K).rotate_left(29);
            i += 8;
        }
        let tail = end - i;
        let w = if tail == 0 {
            0
        } else {
            u64::from_le_bytes(lower[i..i + 8].try_into().expect("padded"))
                & (u64::MAX >> (64 - 8 * tail))
        };
        out.push(fmix64((h ^ w).wrapping_mul(K) ^ (end - start) as u64));
        pos = end;
    }
}

/// Bit `k` set when byte `k` is an ASCII word character (the input is ASCII).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn word_mask_64(chunk: &[u8; 64]) -> u64 {
    use std::arch::x86_64::*;
    let mut mask = 0u64;
    for (q, part) in chunk.chunks_exact(16).enumerate() {
        // SAFETY: SSE2 is part of x86_64; the load reads exactly the 16 bytes of `part`.
        let bits = unsafe {
            let v = _mm_loadu_si128(part.as_ptr().cast());
            // Signed compares are right for ASCII: every byte is below 0x80.
            let within = |lo: u8, hi: u8| {
                _mm_and_si128(
                    _mm_cmpgt_epi8(v, _mm_set1_epi8(lo as i8 - 1)),
                    _mm_cmplt_epi8(v, _mm_set1_epi8(hi as i8 + 1)),
                )
            };
            let word = _mm_or_si128(
                _mm_or_si128(within(b'0', b'9'), within(b'a', b'z')),
                _mm_or_si128(
                    within(b'A', b'Z'),
                    _mm_cmpeq_epi8(v, _mm_set1_epi8(b'_' as i8)),
                ),
            );
            _mm_movemask_epi8(word) as u32 as u64
        };
        mask |= bits << (16 * q);
    }
    mask
}

#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn word_mask_64(chunk: &[u8; 64]) -> u64 {
    let mut m = 0u64;
    for (k, &b) in chunk.iter().enumerate() {
        m |= u64::from(ASCII_WORD[b as usize] != 0) << k;
    }
    m
}

/// The sorted, distinct shingle hashes of a token sequence; empty under [`NGRAM`] tokens.
pub fn shingles_of_tokens(tokens: &[u64]) -> Vec<u64> {
    if tokens.len() < NGRAM {
        return Vec::new();
    }
    let mut out: Vec<u64> = tokens
        .windows(NGRAM)
        .map(|w| {
            fmix64(
                w.iter()
                    .fold(0u64, |h, &t| h.wrapping_mul(K).wrapping_add(t)),
            )
        })
        .collect();
    out.sort_unstable();
    out.dedup();
    out
}

/// The shingle set of a text.
pub fn shingles(text: &str) -> Vec<u64> {
    shingles_of_tokens(&token_hashes(text))
}

/// How [`normalized_key`] sees a byte: 0 plain, 1 ASCII whitespace, 2 the lead byte of a
/// UTF-8 sequence that may be Unicode whitespace (U+0085, U+00A0, U+1680, U+2000–U+200A,
/// U+2028, U+2029, U+202F, U+205F, U+3000 all start with C2, E1, E2 or E3).
static SPACE_CLASS: [u8; 256] = {
    let mut table = [0u8; 256];
    table[b' ' as usize] = 1;
    table[b'\t' as usize] = 1;
    table[b'\n' as usize] = 1;
    table[b'\r' as usize] = 1;
    table[0x0b] = 1;
    table[0x0c] = 1;
    table[0xc2] = 2;
    table[0xe1] = 2;
    table[0xe2] = 2;
    table[0xe3] = 2;
    table
};

/// The exact-dedup key: blake3 of the text with every whitespace run made one space and
/// the ends trimmed (so CRLF, tabs and re-indentation do not make a copy look new).
/// Whitespace is Unicode's `White_Space`, as `char::is_whitespace` has it.
pub fn normalized_key(text: &str) -> [u8; 32] {
    let bytes = text.as_bytes();
    let n = bytes.len();
    // Without branches on the common path: every byte is written (whitespace as a space)
    // and the write position moves on unless a space follows a space.
    let mut buf = vec![0u8; n];
    let mut j = 0usize;
    let mut prev_space = 1usize; // leading whitespace is dropped
    let mut i = 0;
    while i < n {
        let b = bytes[i];
        let class = SPACE_CLASS[b as usize];
        let mut len = 1;
        let space = if class == 2 {
            // A lead byte: decode its character (the text is a str, so it is whole).
            let c = text[i..].chars().next().expect("a char starts here");
            if c.is_whitespace() {
                len = c.len_utf8();
                1
            } else {
                0
            }
        } else {
            usize::from(class)
        };
        buf[j] = if space == 1 { b' ' } else { b };
        j += 1 - (space & prev_space);
        prev_space = space;
        i += len;
    }
    if prev_space == 1 && j > 0 {
        j -= 1; // trailing whitespace
    }
    // The reference strips with Python's `str.strip()`, whose whitespace also holds the
    // separators U+001C–U+001F that its `\s` does not: trim those (and spaces next to
    // them) at the ends too.
    let strip = |b: &u8| *b == b' ' || (0x1c..=0x1f).contains(b);
    let start = buf[..j].iter().position(|b| !strip(b)).unwrap_or(j);
    let end = buf[..j]
        .iter()
        .rposition(|b| !strip(b))
        .map_or(start, |e| e + 1);
    *blake3::hash(&buf[start..end]).as_bytes()
}

/// Exact Jaccard of two sorted, distinct sets.
pub fn jaccard(a: &[u64], b: &[u64]) -> f64 {
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let inter = intersection(a, b);
    inter as f64 / (a.len() + b.len() - inter) as f64
}

fn intersection(a: &[u64], b: &[u64]) -> usize {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    n
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_lowercased_word_runs() {
        assert_eq!(
            token_hashes("Foo_bar(BAZ, 42);"),
            ["foo_bar", "baz", "42"].map(token_hash)
        );
        // Unicode word characters, as Python's `\w` sees them.
        assert_eq!(
            token_hashes("Ünïcode—wörd ÉTÉ"),
            ["ünïcode", "wörd", "été"].map(token_hash)
        );
    }

    #[test]
    fn the_token_scanner_handles_every_boundary() {
        // Tokens across 64-byte bitmap words, of every length around 8, at both ends.
        for len in [1usize, 7, 8, 9, 15, 16, 17, 63, 64, 65, 130] {
            for lead in [0usize, 1, 3, 60, 63, 64] {
                let text = format!("{}{}-Ab_9", " ".repeat(lead), "X".repeat(len));
                let lower = text.to_lowercase();
                let expected: Vec<u64> = lower
                    .split(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                    .filter(|t| !t.is_empty())
                    .map(token_hash)
                    .collect();
                assert_eq!(token_hashes(&text), expected, "len {len} lead {lead}");
            }
        }
        assert!(token_hashes("").is_empty());
        assert!(token_hashes(" ;; ").is_empty());
    }

    #[test]
    fn the_word_mask_matches_the_table_for_every_ascii_byte() {
        let bytes: Vec<u8> = (0u8..128).collect();
        for half in bytes.chunks_exact(64) {
            let expected = half.iter().enumerate().fold(0u64, |m, (k, &b)| {
                m | (u64::from(ASCII_WORD[b as usize] != 0) << k)
            });
            assert_eq!(word_mask_64(half.try_into().unwrap()), expected);
        }
    }

    #[test]
    fn the_ascii_path_and_the_unicode_path_agree_on_ascii_words() {
        let ascii = "public function build(): array { return ['#markup' => $this->t('Hi')]; }";
        let mixed = format!("{ascii} é");
        let a = token_hashes(ascii);
        let m = token_hashes(&mixed);
        assert_eq!(&m[..a.len()], &a[..]);
    }

    #[test]
    fn non_ascii_tokens_match_unicode_word_characters() {
        // Marks and connector punctuation are word characters; dashes and spaces are not.
        assert_eq!(
            token_hashes("naïve café‿bar x—y İ"),
            ["naïve", "café‿bar", "x", "y", "i\u{307}"].map(token_hash)
        );
    }

    #[test]
    fn the_table_agrees_with_unicode_for_every_bmp_character() {
        for cp in 0x80u32..0x1_0000 {
            let Some(c) = char::from_u32(cp) else {
                continue;
            };
            let text = format!("a{c}b");
            let lowered = text.to_lowercase();
            let expected: Vec<u64> = lowered
                .split(|ch: char| !regex_syntax::is_word_character(ch))
                .filter(|t| !t.is_empty())
                .map(token_hash)
                .collect();
            assert_eq!(token_hashes(&text), expected, "U+{cp:04X}");
        }
    }

    #[test]
    fn word_characters_by_table_match_unicode() {
        for cp in 0u32..0x3_0000 {
            if let Some(c) = char::from_u32(cp) {
                assert_eq!(
                    is_word_char(c),
                    regex_syntax::is_word_character(c),
                    "U+{cp:04X}"
                );
            }
        }
    }

    #[test]
    fn information_separators_are_stripped_at_the_ends_only() {
        assert_eq!(normalized_key("\u{1c} a b \u{1f}"), normalized_key("a b"));
        assert_ne!(normalized_key("a\u{1c}b"), normalized_key("a b"));
    }

    #[test]
    fn whitespace_at_every_kind_of_lead_byte() {
        for ws in [
            '\u{85}', '\u{a0}', '\u{1680}', '\u{2003}', '\u{2028}', '\u{202f}', '\u{3000}',
        ] {
            assert_eq!(
                normalized_key(&format!("{ws}a{ws}{ws}b{ws}")),
                normalized_key("a b"),
                "{ws:?}"
            );
        }
        // Lead bytes of characters that are not whitespace stay.
        assert_ne!(normalized_key("a\u{a9}b"), normalized_key("a b"));
        assert_ne!(normalized_key("a€b"), normalized_key("ab"));
    }

    #[test]
    fn ascii_and_unicode_whitespace_normalize_alike() {
        assert_eq!(normalized_key("a\u{a0}b é"), normalized_key("a b é"));
        assert_eq!(normalized_key("x\ty"), normalized_key("x y"));
        assert_eq!(normalized_key("\n x\x0by  "), normalized_key("x y"));
    }

    #[test]
    fn fewer_than_five_tokens_have_no_shingles() {
        assert!(shingles("one two three four").is_empty());
        assert_eq!(shingles("one two three four five").len(), 1);
        assert_eq!(
            shingles("a b c d e a b c d e").len(),
            5,
            "a set: repeats count once"
        );
    }

    #[test]
    fn whitespace_does_not_change_the_exact_key() {
        assert_eq!(normalized_key("a  b\r\n\tc\n"), normalized_key(" a b\nc"));
        assert_ne!(normalized_key("a b c"), normalized_key("a bc"));
    }

    #[test]
    fn jaccard_counts_the_overlap() {
        assert_eq!(jaccard(&[1, 2, 3, 4], &[3, 4, 5, 6]), 2.0 / 6.0);
        assert_eq!(jaccard(&[1, 2], &[1, 2]), 1.0);
        assert_eq!(jaccard(&[1], &[]), 0.0);
    }
}
