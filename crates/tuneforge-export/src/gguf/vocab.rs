//! The tokenizer metadata llama.cpp needs, from a Hugging Face model directory
//! (`tokenizer.json`, `tokenizer_config.json`, `config.json`, the chat template).
//!
//! Byte-level BPE tokenizers (Qwen2.5, Llama 3, Tekken, SmolLM) are written as llama.cpp's
//! `gpt2` model with the pre-tokenizer named by `tokenizer.ggml.pre`. llama.cpp splits text
//! with its own copy of each known pre-tokenizer's regex, chosen by that name, so the name
//! is read off the regex in `tokenizer.json` rather than guessed: a wrong name would make
//! llama.cpp tokenize differently from training, a missing one degrades generation and an
//! unknown one does not load. A tokenizer whose split is none of the known ones is refused.

use std::collections::BTreeMap;
use std::path::Path;

use serde_json::Value as Json;

use super::format::Value;
use crate::ExportError;

/// llama.cpp's token types.
const NORMAL: i32 = 1;
const CONTROL: i32 = 3;
const USER_DEFINED: i32 = 4;
const UNUSED: i32 = 5;

/// Pre-tokenizer regexes as `tokenizer.json` spells them, and the name llama.cpp knows
/// each by.
const PRE_TOKENIZERS: &[(&str, &str)] = &[
    (
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        "qwen2",
    ),
    (
        r"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        "llama-bpe",
    ),
    (
        r"[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]*[\p{Ll}\p{Lm}\p{Lo}\p{M}]+|[^\r\n\p{L}\p{N}]?[\p{Lu}\p{Lt}\p{Lm}\p{Lo}\p{M}]+[\p{Ll}\p{Lm}\p{Lo}\p{M}]*|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n/]*|\s*[\r\n]+|\s+(?!\S)|\s+",
        "tekken",
    ),
];

/// The `tokenizer.*` metadata of the model in `dir`, for a model of `vocab_size` rows in
/// its embedding (ids the tokenizer does not use become unused `[PAD<id>]` tokens).
/// `add_space_prefix_key`: write tokenizer_config's `add_prefix_space`, as the converter
/// does for the Llama family.
pub fn tokenizer_metadata(
    dir: &Path,
    vocab_size: usize,
    add_space_prefix_key: bool,
) -> Result<Vec<(String, Value)>, ExportError> {
    let tokenizer_path = dir.join("tokenizer.json");
    let tokenizer = read_json(&tokenizer_path)?;
    let config_path = dir.join("tokenizer_config.json");
    let config = if config_path.is_file() {
        read_json(&config_path)?
    } else {
        Json::Null
    };
    let bad = |message: String| ExportError::Weights {
        path: tokenizer_path.clone(),
        message,
    };
    let model = &tokenizer["model"];
    if model["type"].as_str() != Some("BPE") || !is_byte_level(&tokenizer) {
        return Err(bad(format!(
            "a {} tokenizer{}: only byte-level BPE tokenizers (Qwen2.5, Llama 3, Mistral's Tekken) are exported to GGUF",
            model["type"].as_str().unwrap_or("unknown"),
            if model["byte_fallback"].as_bool() == Some(true) {
                " with byte fallback (SentencePiece)"
            } else {
                ""
            }
        )));
    }
    let pre = pre_tokenizer_name(&tokenizer).ok_or_else(|| {
        bad("its pre-tokenizer split is not one llama.cpp knows (Qwen2, Llama 3, Tekken): llama.cpp would tokenize differently from training".into())
    })?;

    let mut by_id: BTreeMap<usize, (String, i32)> = BTreeMap::new();
    let vocab = model["vocab"]
        .as_object()
        .ok_or_else(|| bad("no `model.vocab`".into()))?;
    for (token, id) in vocab {
        let id = id
            .as_u64()
            .ok_or_else(|| bad(format!("token {token:?} has id {id}")))? as usize;
        by_id.insert(id, (token.clone(), NORMAL));
    }
    let empty = Vec::new();
    for added in tokenizer["added_tokens"].as_array().unwrap_or(&empty) {
        let (Some(content), Some(id)) = (added["content"].as_str(), added["id"].as_u64()) else {
            return Err(bad(format!(
                "an added token without content or id: {added}"
            )));
        };
        let special = added["special"].as_bool() == Some(true) || looks_special(content);
        let (text, ty) = if special {
            (content.to_owned(), CONTROL)
        } else {
            // llama.cpp takes user-defined tokens as already normalized text.
            (content.replace('\u{2581}', " "), USER_DEFINED)
        };
        by_id.insert(id as usize, (text, ty));
    }
    let highest = by_id.keys().next_back().copied().unwrap_or(0);
    if highest >= vocab_size {
        return Err(bad(format!(
            "token id {highest} does not fit the model's {vocab_size} embedding rows: the tokenizer belongs to another model"
        )));
    }
    let mut tokens = Vec::with_capacity(vocab_size);
    let mut types = Vec::with_capacity(vocab_size);
    for id in 0..vocab_size {
        match by_id.remove(&id) {
            Some((text, ty)) => {
                tokens.push(text);
                types.push(ty);
            }
            None => {
                tokens.push(format!("[PAD{id}]"));
                types.push(UNUSED);
            }
        }
    }
    let merges = merges(model).map_err(bad)?;

    // The special tokens' ids, looked up before the token list moves into the metadata.
    let model_config = read_json_if_present(&dir.join("config.json"))?;
    let mut specials = Vec::new();
    for (kind, key) in [
        ("bos", "tokenizer.ggml.bos_token_id"),
        ("eos", "tokenizer.ggml.eos_token_id"),
        ("unk", "tokenizer.ggml.unknown_token_id"),
        ("pad", "tokenizer.ggml.padding_token_id"),
    ] {
        let from_config = token_text(&config[format!("{kind}_token")])
            .and_then(|text| tokens.iter().position(|t| *t == text));
        // A multimodal checkpoint keeps its text model's ids in `text_config`.
        let from_model = [&model_config, &model_config["text_config"]]
            .iter()
            .find_map(|c| c[format!("{kind}_token_id")].as_u64())
            .map(|v| v as usize);
        if let Some(id) = from_config.or(from_model).filter(|&id| id < vocab_size) {
            specials.push((key.to_owned(), Value::U32(id as u32)));
        }
    }
    let mut out = vec![
        ("tokenizer.ggml.model".to_owned(), Value::from("gpt2")),
        ("tokenizer.ggml.pre".to_owned(), Value::from(pre)),
        ("tokenizer.ggml.tokens".to_owned(), Value::Strings(tokens)),
        ("tokenizer.ggml.token_type".to_owned(), Value::I32s(types)),
        ("tokenizer.ggml.merges".to_owned(), Value::Strings(merges)),
    ];
    out.extend(specials);
    out.push((
        "tokenizer.ggml.add_bos_token".to_owned(),
        Value::Bool(adds_bos(&config, &tokenizer, pre)),
    ));
    out.push((
        "tokenizer.ggml.add_eos_token".to_owned(),
        Value::Bool(config["add_eos_token"].as_bool() == Some(true)),
    ));
    if add_space_prefix_key && let Some(v) = config["add_prefix_space"].as_bool() {
        out.push(("tokenizer.ggml.add_space_prefix".to_owned(), Value::Bool(v)));
    }
    if let Ok(template) = tuneforge_tokens::ChatTemplate::from_model_dir(dir) {
        out.push((
            "tokenizer.chat_template".to_owned(),
            Value::from(template.source()),
        ));
    }
    Ok(out)
}

fn read_json(path: &Path) -> Result<Json, ExportError> {
    let bytes = std::fs::read(path).map_err(|e| ExportError::io("cannot read", path, e))?;
    serde_json::from_slice(&bytes).map_err(|e| ExportError::Weights {
        path: path.to_path_buf(),
        message: format!("not valid JSON: {e}"),
    })
}

fn read_json_if_present(path: &Path) -> Result<Json, ExportError> {
    if path.is_file() {
        read_json(path)
    } else {
        Ok(Json::Null)
    }
}

/// Whether the tokenizer maps bytes to printable characters the GPT-2 way (a ByteLevel
/// pre-tokenizer or decoder), which is what llama.cpp's `gpt2` model expects.
fn is_byte_level(tokenizer: &Json) -> bool {
    fn has(node: &Json) -> bool {
        match node {
            Json::Object(map) => {
                map.get("type").and_then(Json::as_str) == Some("ByteLevel") || map.values().any(has)
            }
            Json::Array(items) => items.iter().any(has),
            _ => false,
        }
    }
    has(&tokenizer["pre_tokenizer"]) || has(&tokenizer["decoder"])
}

/// llama.cpp's name for the tokenizer's split, found among its pre-tokenizers' `Split`
/// regexes; a plain ByteLevel split with individual digits is SmolLM's.
fn pre_tokenizer_name(tokenizer: &Json) -> Option<&'static str> {
    fn regexes<'a>(node: &'a Json, out: &mut Vec<&'a str>) {
        match node {
            Json::Object(map) => {
                if let Some(r) = map
                    .get("pattern")
                    .and_then(|p| p.get("Regex"))
                    .and_then(Json::as_str)
                {
                    out.push(r);
                }
                map.values().for_each(|v| regexes(v, out));
            }
            Json::Array(items) => items.iter().for_each(|v| regexes(v, out)),
            _ => {}
        }
    }
    let mut found = Vec::new();
    regexes(&tokenizer["pre_tokenizer"], &mut found);
    if let Some(name) = found.iter().find_map(|r| {
        PRE_TOKENIZERS
            .iter()
            .find(|(known, _)| known == r)
            .map(|(_, name)| *name)
    }) {
        return Some(name);
    }
    // SmolLM: Digits(individual) then ByteLevel with its own GPT-2 regex.
    let pre = &tokenizer["pre_tokenizer"];
    let steps = pre["pretokenizers"].as_array()?;
    let digits = steps
        .iter()
        .any(|s| s["type"] == "Digits" && s["individual_digits"] == true);
    let byte_level = steps
        .iter()
        .any(|s| s["type"] == "ByteLevel" && s["use_regex"] == true);
    (found.is_empty() && digits && byte_level && steps.len() == 2).then_some("smollm")
}

/// What convert_hf_to_gguf takes for a control token among non-special added ones.
fn looks_special(token: &str) -> bool {
    matches!(token, "<pad>" | "<mask>" | "<2mass>" | "[@BOS@]")
        || (token.starts_with("<|") && token.ends_with("|>"))
        || (token.starts_with("<\u{ff5c}") && token.ends_with("\u{ff5c}>"))
        || (token.starts_with("<unused") && token.ends_with('>'))
}

/// The merges as `"left right"` strings (tokenizer.json has them so, or as pairs).
fn merges(model: &Json) -> Result<Vec<String>, String> {
    let Some(list) = model["merges"].as_array() else {
        return Err("no `model.merges`".into());
    };
    list.iter()
        .map(|m| match m {
            Json::String(s) => Ok(s.clone()),
            Json::Array(pair) => match (
                pair.first().and_then(Json::as_str),
                pair.get(1).and_then(Json::as_str),
            ) {
                (Some(a), Some(b)) if pair.len() == 2 => Ok(format!("{a} {b}")),
                _ => Err(format!("a merge that is not a pair of strings: {m}")),
            },
            _ => Err(format!("a merge that is not a string or a pair: {m}")),
        })
        .collect()
}

/// A special token's text in tokenizer_config.json: a string or `{"content": …}`.
fn token_text(value: &Json) -> Option<String> {
    match value {
        Json::String(s) => Some(s.clone()),
        Json::Object(map) => map.get("content").and_then(Json::as_str).map(String::from),
        _ => None,
    }
}

/// Whether encoding adds a BOS token: tokenizer_config.json says so, or the
/// post-processor's template starts with the BOS token; otherwise what llama.cpp assumes
/// for the pre-tokenizer when the key is missing (true for Llama 3 and Tekken, false for
/// the others), written out so the file says it.
fn adds_bos(config: &Json, tokenizer: &Json, pre: &str) -> bool {
    if let Some(v) = config["add_bos_token"].as_bool() {
        return v;
    }
    let post = &tokenizer["post_processor"];
    let template = if post["type"] == "TemplateProcessing" {
        Some(post)
    } else {
        post["processors"]
            .as_array()
            .and_then(|ps| ps.iter().find(|p| p["type"] == "TemplateProcessing"))
    };
    if let Some(template) = template {
        let first = template["single"]
            .as_array()
            .and_then(|items| items.first())
            .and_then(|first| first["SpecialToken"]["id"].as_str());
        return first.is_some() && first.map(String::from) == token_text(&config["bos_token"]);
    }
    matches!(pre, "llama-bpe" | "tekken")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokenizer(pre_regex: &str) -> Json {
        serde_json::json!({
            "added_tokens": [
                {"id": 3, "content": "<|im_end|>", "special": true},
                {"id": 4, "content": "<tool_call>", "special": false},
            ],
            "pre_tokenizer": {"type": "Sequence", "pretokenizers": [
                {"type": "Split", "pattern": {"Regex": pre_regex}, "behavior": "Isolated", "invert": false},
                {"type": "ByteLevel", "add_prefix_space": false, "trim_offsets": false, "use_regex": false},
            ]},
            "decoder": {"type": "ByteLevel"},
            "model": {"type": "BPE", "vocab": {"a": 0, "b": 1, "ab": 2}, "merges": [["a", "b"]]},
        })
    }

    fn write(dir: &Path, tokenizer: &Json, config: &Json) {
        std::fs::write(dir.join("tokenizer.json"), tokenizer.to_string()).unwrap();
        std::fs::write(dir.join("tokenizer_config.json"), config.to_string()).unwrap();
    }

    #[test]
    fn a_qwen2_tokenizer_becomes_gpt2_with_qwen2_pre_and_padded_ids() {
        let dir = tempfile::tempdir().unwrap();
        write(
            dir.path(),
            &tokenizer(PRE_TOKENIZERS[0].0),
            &serde_json::json!({"eos_token": "<|im_end|>", "bos_token": null, "chat_template": "{{ messages }}"}),
        );
        let meta: BTreeMap<String, Value> = tokenizer_metadata(dir.path(), 7, false)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(meta["tokenizer.ggml.pre"], Value::from("qwen2"));
        assert_eq!(
            meta["tokenizer.ggml.tokens"],
            Value::Strings(
                [
                    "a",
                    "b",
                    "ab",
                    "<|im_end|>",
                    "<tool_call>",
                    "[PAD5]",
                    "[PAD6]"
                ]
                .map(String::from)
                .to_vec()
            )
        );
        assert_eq!(
            meta["tokenizer.ggml.token_type"],
            Value::I32s(vec![1, 1, 1, 3, 4, 5, 5])
        );
        assert_eq!(
            meta["tokenizer.ggml.merges"],
            Value::Strings(vec!["a b".into()])
        );
        assert_eq!(meta["tokenizer.ggml.eos_token_id"], Value::U32(3));
        assert!(!meta.contains_key("tokenizer.ggml.bos_token_id"));
        assert_eq!(meta["tokenizer.ggml.add_bos_token"], Value::Bool(false));
        assert_eq!(
            meta["tokenizer.chat_template"],
            Value::from("{{ messages }}")
        );
    }

    #[test]
    fn a_llama3_split_is_llama_bpe_and_an_unknown_split_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &tokenizer(PRE_TOKENIZERS[1].0), &Json::Null);
        let meta: BTreeMap<String, Value> = tokenizer_metadata(dir.path(), 5, false)
            .unwrap()
            .into_iter()
            .collect();
        assert_eq!(meta["tokenizer.ggml.pre"], Value::from("llama-bpe"));
        write(dir.path(), &tokenizer(r"\s+|\w+"), &Json::Null);
        let e = tokenizer_metadata(dir.path(), 5, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("tokenizer.json") && e.contains("not one llama.cpp knows"),
            "{e}"
        );
    }

    #[test]
    fn bos_follows_the_config_the_post_processor_or_llama_cpp_s_default_for_the_split() {
        let mut t = tokenizer(PRE_TOKENIZERS[2].0);
        assert!(adds_bos(&Json::Null, &t, "tekken"));
        assert!(!adds_bos(&Json::Null, &t, "qwen2"));
        assert!(!adds_bos(
            &serde_json::json!({"add_bos_token": false}),
            &t,
            "tekken"
        ));
        t["post_processor"] = serde_json::json!({"type": "Sequence", "processors": [
            {"type": "ByteLevel"},
            {"type": "TemplateProcessing", "single": [{"SpecialToken": {"id": "<s>", "type_id": 0}}, {"Sequence": {"id": "A", "type_id": 0}}]},
        ]});
        assert!(adds_bos(
            &serde_json::json!({"bos_token": "<s>"}),
            &t,
            "qwen2"
        ));
        assert!(!adds_bos(
            &serde_json::json!({"bos_token": "<|bos|>"}),
            &t,
            "llama-bpe"
        ));
    }

    #[test]
    fn a_tokenizer_larger_than_the_embedding_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        write(dir.path(), &tokenizer(PRE_TOKENIZERS[0].0), &Json::Null);
        let e = tokenizer_metadata(dir.path(), 4, false)
            .unwrap_err()
            .to_string();
        assert!(
            e.contains("does not fit the model's 4 embedding rows"),
            "{e}"
        );
    }
}
