//! `PrepTokenizer::encode` takes a byte-level route for Qwen-style tokenizers; it must give
//! exactly what `tokenizers::Tokenizer::encode(text, false)` gives (ids and byte offsets),
//! for every text. Checked on the golden cases' texts and on generated text full of what
//! could go wrong (control tokens and pieces of them, whitespace runs, `\r\n`, combining
//! marks, compatibility characters, 2–4-byte characters), with the golden tokenizer as it
//! is and with variants: no normalizer, NFKC, NFD, and added tokens with lstrip/rstrip,
//! single_word or normalized set (the last one must fall back to the library).

use std::path::Path;
use std::sync::LazyLock;

use proptest::prelude::*;
use serde_json::Value as Json;
use tuneforge_tokens::PrepTokenizer;

fn golden(name: &str) -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(name)
}

fn tokenizer_json(name: &str) -> Json {
    serde_json::from_slice(&std::fs::read(golden(name).join("tokenizer.json")).unwrap()).unwrap()
}

fn load(json: &Json) -> PrepTokenizer {
    PrepTokenizer::from_bytes(&serde_json::to_vec(json).unwrap()).unwrap()
}

fn add_token(json: &mut Json, content: &str, flags: &[&str]) {
    let id = json["model"]["vocab"].as_object().unwrap().len()
        + json["added_tokens"].as_array().unwrap().len()
        + 10;
    let tokens = json["added_tokens"].as_array_mut().unwrap();
    let mut token = serde_json::json!({
        "id": id, "content": content, "single_word": false, "lstrip": false,
        "rstrip": false, "normalized": false, "special": true,
    });
    for f in flags {
        token[*f] = Json::Bool(true);
    }
    tokens.push(token);
}

/// The golden Qwen2.5 tokenizer and variants of it, loaded once.
fn variants() -> &'static [(&'static str, PrepTokenizer)] {
    static VARIANTS: LazyLock<Vec<(&'static str, PrepTokenizer)>> = LazyLock::new(build_variants);
    &VARIANTS
}

fn build_variants() -> Vec<(&'static str, PrepTokenizer)> {
    let base = tokenizer_json("qwen2.5");
    let mut no_norm = base.clone();
    no_norm["normalizer"] = Json::Null;
    let mut nfkc = base.clone();
    nfkc["normalizer"] = serde_json::json!({"type": "NFKC"});
    let mut nfd = base.clone();
    nfd["normalizer"] = serde_json::json!({"type": "NFD"});
    let mut stripping = base.clone();
    add_token(&mut stripping, "<L>", &["lstrip"]);
    add_token(&mut stripping, "<R>", &["rstrip"]);
    add_token(&mut stripping, "word", &["single_word"]);
    let mut normalized = base.clone();
    add_token(&mut normalized, "ﬁx", &["normalized"]);
    let mut normalized_no_norm = normalized.clone();
    normalized_no_norm["normalizer"] = Json::Null;
    vec![
        ("qwen2.5", load(&base)),
        (
            "mistral_v7_style",
            load(&tokenizer_json("mistral_v7_style")),
        ),
        ("no normalizer", load(&no_norm)),
        ("nfkc", load(&nfkc)),
        ("nfd", load(&nfd)),
        ("strip/single-word tokens", load(&stripping)),
        ("normalized token", load(&normalized)),
        ("normalized token, no normalizer", load(&normalized_no_norm)),
    ]
}

fn assert_same(name: &str, tok: &PrepTokenizer, text: &str) {
    let fast = tok.encode(text).unwrap();
    let library = tok.encode_with_library(text).unwrap();
    assert_eq!(fast, library, "{name}: {text:?}");
}

#[test]
fn golden_texts_encode_as_the_library_does() {
    let mut texts = 0;
    for (name, tok) in variants() {
        for dir in ["qwen2.5", "mistral_v7_style", "chatml_generation"] {
            let cases: Json =
                serde_json::from_slice(&std::fs::read(golden(dir).join("cases.json")).unwrap())
                    .unwrap();
            for case in cases["cases"].as_array().unwrap() {
                if let Some(text) = case["text"].as_str() {
                    assert_same(name, tok, text);
                    texts += 1;
                }
            }
        }
    }
    assert!(texts > 100, "{texts}");
}

#[test]
fn edge_texts_encode_as_the_library_does() {
    let texts = [
        "",
        " ",
        "\n",
        "<|im_end|>",
        "<|im_start|><|im_end|>",
        "a<|im_end|>b",
        "<|im_",
        "x <L> y <R> z",
        "  <L>  <R>  ",
        "word, a word; swordfish words",
        "\r\n\r\n  \t\n",
        "e\u{301}t\u{e9}",
        "\u{fb01}x ﬁx fix",
        "日本語のテキスト、句読点。",
        "emoji 👍🏽 and \u{1F600}\u{200B}",
        "don't I'M you'll THEY'RE",
        "1234567 3.14 -0.5e-10",
        "\u{a0}\u{3000}\u{2028}\u{85} spaces",
    ];
    for (name, tok) in variants() {
        for text in texts {
            assert_same(name, tok, text);
        }
    }
}

fn fragment() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z]{1,8}",
        "[0-9]{1,5}",
        "[ \t\n\r]{1,4}",
        "[.,;:!?'\"(){}<>|/\\\\_$#@-]{1,3}",
        Just("<|im_start|>".to_owned()),
        Just("<|im_end|>".to_owned()),
        Just("<|endoftext|>".to_owned()),
        Just("<|im_".to_owned()),
        Just("<L>".to_owned()),
        Just("<R>".to_owned()),
        Just("word".to_owned()),
        Just("ﬁx".to_owned()),
        Just("'s".to_owned()),
        Just("'LL".to_owned()),
        Just("\u{301}".to_owned()),
        Just("\u{a0}".to_owned()),
        "[éüßøåçñ]{1,3}",
        "[\u{4e00}-\u{4e20}]{1,3}",
        "[\u{1F600}-\u{1F610}]{1,2}",
        "[\u{ac00}-\u{ac10}\u{1100}-\u{1112}\u{1161}-\u{1175}]{1,3}",
        any::<char>().prop_map(String::from),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(400))]
    #[test]
    fn generated_texts_encode_as_the_library_does(
        parts in proptest::collection::vec(fragment(), 0..40)
    ) {
        let text = parts.concat();
        for (name, tok) in variants() {
            let fast = tok.encode(&text).unwrap();
            let library = tok.encode_with_library(&text).unwrap();
            prop_assert_eq!(fast, library, "{}: {:?}", name, text);
        }
    }
}
