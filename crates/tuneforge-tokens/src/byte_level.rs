//! A faster route to exactly the ids and offsets `tokenizers::Tokenizer::encode` gives, for
//! byte-level BPE tokenizers shaped like Qwen2/2.5/3's (a `Split` regex followed by
//! `ByteLevel` without its own regex). Llama 3 has that shape too but a
//! `TemplateProcessing` post-processor, which is not accepted (yet), so it takes the
//! library's path.
//!
//! Why: profiling `tuneforge prepare` showed ~85% of its time inside `encode`, and most of
//! that not in the BPE model but in the library's generic plumbing: every regex piece
//! becomes a `NormalizedString` (a copy of the text plus a 16-byte alignment per byte),
//! the byte-level step rewrites each one through a hash map, and the offsets are mapped
//! back piece by piece, with an allocator call per step. This module keeps the library's
//! own parts and only replaces the plumbing between them:
//!
//! * added tokens are found by the library (`AddedVocabulary::extract_and_normalize`,
//!   with its leftmost-longest matching and lstrip/rstrip/single-word rules);
//! * the text between them is split by the pre-tokenizer's own compiled regex
//!   (`Split::regex`, the same engine and the same stop-on-error behaviour);
//! * each piece is mapped to byte-level characters with GPT-2's table and given to the
//!   model's own `tokenize` (the BPE merges and its cache);
//! * offsets are computed as `NormalizedString` would: a token covering byte-level
//!   characters `a..b` of a piece maps to the start of the original character holding
//!   `a` and the end of the one holding `b - 1`.
//!
//! The plan is only made for configurations where this is provably the library's result
//! (see [`ByteLevelPlan::for_tokenizer`]); anything else, and any text the normalizer
//! could change, goes through `Tokenizer::encode`. The equivalence is tested against
//! `encode` on generated text and on the golden tokenizers.

use std::cell::RefCell;

use tokenizers::normalizers::NormalizerWrapper;
use tokenizers::pre_tokenizers::PreTokenizerWrapper;
use tokenizers::pre_tokenizers::byte_level::ByteLevel;
use tokenizers::pre_tokenizers::split::{Split, SplitPattern};
use tokenizers::processors::PostProcessorWrapper;
use tokenizers::utils::SysRegex;
use tokenizers::{Model, OffsetReferential, OffsetType, SplitDelimiterBehavior, Tokenizer};

use crate::encode::TextEncoding;

/// When the tokenizer's normalizer leaves a piece of text unchanged, so that the
/// byte-level route applies to it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Unchanged {
    /// No normalizer: every text.
    Always,
    /// A Unicode normal form: ASCII text (which every normal form maps to itself), and
    /// text for which the form's own iterator, the one the library's normalizer feeds to
    /// `NormalizedString::transform`, gives back every character unchanged in place (see
    /// [`form_keeps`]).
    Form(NormalForm),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum NormalForm {
    Nfc,
    Nfkc,
    Nfd,
    Nfkd,
}

impl Unchanged {
    fn keeps(self, text: &str) -> bool {
        match self {
            Self::Always => true,
            Self::Form(_) if text.is_ascii() => true,
            Self::Form(form) => form_keeps(form, text),
        }
    }
}

/// Whether `form` normalizes `text` to itself with no alignment change: the library's
/// `NormalizedString::nfc()` (and the others) is `transform(text.nfc(), 0)` with this
/// crate's iterator of `(char, change)`; when every change is 0 and every character is
/// the one it replaces, `transform` keeps the text and each character's alignment, so
/// the piece is exactly as if there were no normalizer. Costs one pass of the
/// normalization, a fraction of the library's full path.
fn form_keeps(form: NormalForm, text: &str) -> bool {
    use unicode_normalization_alignments::UnicodeNormalization;
    fn same(text: &str, mut normalized: impl Iterator<Item = (char, isize)>) -> bool {
        let mut chars = text.chars();
        normalized.all(|(c, change)| change == 0 && chars.next() == Some(c))
            && chars.next().is_none()
    }
    match form {
        NormalForm::Nfc => same(text, text.nfc()),
        NormalForm::Nfkc => same(text, text.nfkc()),
        NormalForm::Nfd => same(text, text.nfd()),
        NormalForm::Nfkd => same(text, text.nfkd()),
    }
}

/// Proof, made once per tokenizer, that the byte-level route gives `encode`'s result.
#[derive(Debug, Clone, Copy)]
pub(crate) struct ByteLevelPlan {
    unchanged: Unchanged,
}

impl ByteLevelPlan {
    /// The plan for `tok`, or `None` when its configuration is not the one this module
    /// reproduces. Required: no truncation or padding; no normalizer or a single Unicode
    /// normal form; the pre-tokenizer `Sequence[Split(regex, Isolated, not inverted),
    /// ByteLevel(add_prefix_space false, use_regex false)]`; no post-processor or a
    /// `ByteLevel` one that does not trim offsets (with `add_special_tokens = false`
    /// neither adds anything); and, when there is a normalizer, no added token matched
    /// after normalization (those are matched in normalized text, which the byte-level
    /// route does not produce).
    pub(crate) fn for_tokenizer(tok: &Tokenizer) -> Option<Self> {
        if tok.get_truncation().is_some() || tok.get_padding().is_some() {
            return None;
        }
        let unchanged = match tok.get_normalizer() {
            None => Unchanged::Always,
            Some(NormalizerWrapper::NFC(_)) => Unchanged::Form(NormalForm::Nfc),
            Some(NormalizerWrapper::NFKC(_)) => Unchanged::Form(NormalForm::Nfkc),
            Some(NormalizerWrapper::NFD(_)) => Unchanged::Form(NormalForm::Nfd),
            Some(NormalizerWrapper::NFKD(_)) => Unchanged::Form(NormalForm::Nfkd),
            Some(_) => return None,
        };
        split_regex(tok)?;
        match tok.get_post_processor() {
            None => {}
            Some(PostProcessorWrapper::ByteLevel(b)) if !b.trim_offsets => {}
            Some(_) => return None,
        }
        if unchanged != Unchanged::Always
            && tok
                .get_added_tokens_decoder()
                .values()
                .any(|t| t.normalized)
        {
            return None;
        }
        Some(Self { unchanged })
    }
}

/// The `Split` of a `Sequence[Split, ByteLevel]` pre-tokenizer of the accepted shape.
fn split_regex(tok: &Tokenizer) -> Option<&Split> {
    let Some(PreTokenizerWrapper::Sequence(seq)) = tok.get_pre_tokenizer() else {
        return None;
    };
    match seq.as_ref() {
        [
            PreTokenizerWrapper::Split(
                split @ Split {
                    behavior: SplitDelimiterBehavior::Isolated,
                    invert: false,
                    ..
                },
            ),
            PreTokenizerWrapper::ByteLevel(ByteLevel {
                add_prefix_space: false,
                use_regex: false,
                ..
            }),
        ] => Some(split),
        _ => None,
    }
}

thread_local! {
    /// `Split` regexes compiled again for this thread, by pattern.
    static THREAD_REGEXES: RefCell<Vec<(String, SysRegex)>> = const { RefCell::new(Vec::new()) };
}

/// Run `f` with `split`'s regex compiled for the calling thread.
///
/// Why: the regex engine under fancy-regex keeps its search caches in a pool with a
/// lock-free slot only for the first thread that used the regex; every other thread takes
/// a mutex-guarded stack on every search, which is every word here (about 8% of
/// `prepare`'s CPU on two cores, profiled). A regex compiled per thread from the same
/// pattern with the same constructor `Split::new` uses is the same regex, each with its
/// own first thread. Patterns given as literal strings (escaped by the library) keep
/// the shared regex.
fn with_thread_regex<R>(split: &Split, f: impl FnOnce(&SysRegex) -> R) -> R {
    let SplitPattern::Regex(pattern) = &split.pattern else {
        return f(&split.regex);
    };
    THREAD_REGEXES.with(|cell| {
        let Ok(mut compiled) = cell.try_borrow_mut() else {
            return f(&split.regex);
        };
        let index = match compiled.iter().position(|(p, _)| p == pattern) {
            Some(i) => i,
            None => match SysRegex::new(pattern) {
                Ok(regex) => {
                    compiled.push((pattern.clone(), regex));
                    compiled.len() - 1
                }
                Err(_) => return f(&split.regex),
            },
        };
        f(&compiled[index].1)
    })
}

/// GPT-2's byte-to-character table (the one `ByteLevel` uses): printable Latin-1 bytes
/// stand for themselves, the other 68 become U+0100.. in byte order.
const fn bytes_char() -> [char; 256] {
    let mut table = ['\0'; 256];
    let mut next = 0u32;
    let mut b = 0usize;
    while b < 256 {
        let printable = (b >= 0x21 && b <= 0x7E) || (b >= 0xA1 && b <= 0xAC) || b >= 0xAE;
        let code = if printable {
            b as u32
        } else {
            next += 1;
            0x100 + next - 1
        };
        table[b] = match char::from_u32(code) {
            Some(c) => c,
            None => '\0',
        };
        b += 1;
    }
    table
}

static BYTES_CHAR: [char; 256] = bytes_char();

/// Reused buffers for one `encode` call.
#[derive(Default)]
struct Scratch {
    /// The piece in byte-level characters.
    mapped: String,
    /// Per byte of `mapped`: the range, within the piece, of the original character it
    /// came from (what `NormalizedString` keeps as alignments).
    align: Vec<(usize, usize)>,
}

/// Encode `text` along the plan: ids and byte offsets identical to
/// `tok.encode(text, false)`.
pub(crate) fn encode(
    tok: &Tokenizer,
    plan: ByteLevelPlan,
    text: &str,
) -> Result<TextEncoding, String> {
    let split = split_regex(tok).ok_or("the tokenizer changed after it was checked")?;
    with_thread_regex(split, |regex| encode_with(tok, plan, regex, text))
}

fn encode_with(
    tok: &Tokenizer,
    plan: ByteLevelPlan,
    regex: &SysRegex,
    text: &str,
) -> Result<TextEncoding, String> {
    // With no normalizer, or no added token matched after normalization (the plan checks
    // one of them), the normalizer plays no part in finding added tokens: they are found
    // in the text as it is, and the pieces between them go through the byte-level route
    // when the normalizer leaves them unchanged, else through the library.
    let pieces = tok
        .get_added_vocabulary()
        .extract_and_normalize(None::<&NormalizerWrapper>, text);
    let mut out = TextEncoding {
        ids: Vec::with_capacity(text.len() / 3),
        offsets: Vec::with_capacity(text.len() / 3),
    };
    let mut scratch = Scratch::default();
    for (piece, (start, end), tokens) in
        pieces.get_splits(OffsetReferential::Original, OffsetType::Byte)
    {
        if let Some(tokens) = tokens {
            // An added token: its split is the token (with any stripped spaces), mapped
            // through no normalization.
            for t in tokens {
                out.ids.push(t.id);
                out.offsets.push((start + t.offsets.0, start + t.offsets.1));
            }
            continue;
        }
        let original = &text[start..end];
        let unchanged = piece == original && plan.unchanged.keeps(original);
        if unchanged {
            encode_piece(
                tok.get_model(),
                regex,
                original,
                start,
                &mut scratch,
                &mut out,
            )?;
        } else {
            // Text the normalizer may change: the library, on this piece alone. It holds
            // no added token (matching is leftmost, so none starts between two matches),
            // and pieces between added tokens are normalized and split independently.
            let enc = tok.encode(original, false).map_err(|e| e.to_string())?;
            out.ids.extend_from_slice(enc.get_ids());
            out.offsets.extend(
                enc.get_offsets()
                    .iter()
                    .map(|&(a, b)| (start + a, start + b)),
            );
        }
    }
    Ok(out)
}

/// Split one normalization-free piece with the regex (`Isolated`: matches and the text
/// between them are all words, empty ones dropped) and tokenize each word.
fn encode_piece(
    model: &impl Model,
    regex: &SysRegex,
    piece: &str,
    base: usize,
    scratch: &mut Scratch,
    out: &mut TextEncoding,
) -> Result<(), String> {
    let mut prev = 0;
    for (start, end) in regex.find_iter(piece) {
        if prev < start {
            encode_word(model, &piece[prev..start], base + prev, scratch, out)?;
        }
        if start < end {
            encode_word(model, &piece[start..end], base + start, scratch, out)?;
        }
        prev = end;
    }
    if prev < piece.len() {
        encode_word(model, &piece[prev..], base + prev, scratch, out)?;
    }
    Ok(())
}

fn encode_word(
    model: &impl Model,
    word: &str,
    base: usize,
    scratch: &mut Scratch,
    out: &mut TextEncoding,
) -> Result<(), String> {
    let Scratch { mapped, align } = scratch;
    mapped.clear();
    align.clear();
    for (at, c) in word.char_indices() {
        let char_range = (at, at + c.len_utf8());
        for &b in &word.as_bytes()[char_range.0..char_range.1] {
            let m = BYTES_CHAR[usize::from(b)];
            mapped.push(m);
            align.extend(std::iter::repeat_n(char_range, m.len_utf8()));
        }
    }
    let tokens = model.tokenize(mapped.as_str()).map_err(|e| e.to_string())?;
    for t in tokens {
        let (a, b) = t.offsets;
        // NormalizedString::convert_offsets on the normalized range a..b: empty ranges
        // stay as they are, reversed ones are left unconverted, others expand to the
        // original characters at both ends.
        let range = if a == b {
            Some((a, b))
        } else if a > b {
            None
        } else {
            align
                .get(a..b)
                .and_then(|s| Some((s.first()?.0, s.last()?.1)))
        };
        let (s, e) = range.map_or((a, b), |(s, e)| (base + s, base + e));
        out.ids.push(t.id);
        out.offsets.push((s, e));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn golden_json(name: &str) -> serde_json::Value {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(name)
            .join("tokenizer.json");
        serde_json::from_slice(&std::fs::read(path).unwrap()).unwrap()
    }

    fn plan(json: &serde_json::Value) -> Option<ByteLevelPlan> {
        let tok = Tokenizer::from_bytes(serde_json::to_vec(json).unwrap()).unwrap();
        ByteLevelPlan::for_tokenizer(&tok)
    }

    /// The equivalence tests (tests/byte_level.rs) only mean something if the route is
    /// taken where it should be, and refused where it must be.
    #[test]
    fn plans_are_made_for_the_accepted_shapes_only() {
        let qwen = golden_json("qwen2.5");
        assert_eq!(
            plan(&qwen).map(|p| p.unchanged),
            Some(Unchanged::Form(NormalForm::Nfc))
        );
        let mut no_norm = qwen.clone();
        no_norm["normalizer"] = serde_json::Value::Null;
        assert_eq!(plan(&no_norm).map(|p| p.unchanged), Some(Unchanged::Always));
        let mut lowercase = qwen.clone();
        lowercase["normalizer"] = serde_json::json!({"type": "Lowercase"});
        assert!(plan(&lowercase).is_none());
        let mut normalized_token = qwen.clone();
        normalized_token["added_tokens"][0]["normalized"] = true.into();
        assert!(plan(&normalized_token).is_none());
        let mut trimming = qwen.clone();
        trimming["post_processor"]["trim_offsets"] = true.into();
        assert!(plan(&trimming).is_none());
        let mut gpt2 = qwen.clone();
        gpt2["pre_tokenizer"] = serde_json::json!({"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": true});
        assert!(plan(&gpt2).is_none());
        let mut truncating = qwen;
        truncating["truncation"] = serde_json::json!({"direction": "Right", "max_length": 8, "strategy": "LongestFirst", "stride": 0});
        assert!(plan(&truncating).is_none());
    }

    #[test]
    fn byte_table_is_gpt2s() {
        // Spot checks of GPT-2's published table: space, newline, tab, 0xAD and 0x7F.
        assert_eq!(BYTES_CHAR[b'!' as usize], '!');
        assert_eq!(BYTES_CHAR[b' ' as usize], 'Ġ');
        assert_eq!(BYTES_CHAR[b'\n' as usize], 'Ċ');
        assert_eq!(BYTES_CHAR[b'\t' as usize], 'ĉ');
        assert_eq!(BYTES_CHAR[0x7F], 'ġ');
        assert_eq!(BYTES_CHAR[0xAD], 'Ń');
        assert_eq!(BYTES_CHAR[0xFF], 'ÿ');
        let mut all: Vec<char> = BYTES_CHAR.to_vec();
        all.sort_unstable();
        all.dedup();
        assert_eq!(all.len(), 256, "a bijection");
    }
}
