//! Chat templates rendered byte for byte as transformers'
//! `apply_chat_template(tokenize=False)` renders them, plus where each trained assistant
//! turn sits in the text.
//!
//! The model was trained on text its Jinja2 template produced; training a LoRA on text that
//! differs by one space or one float spelling teaches it a format it never sees at
//! inference. So the environment copies Jinja2 + transformers (ARCHITECTURE.md, "Chat-template parity"):
//!
//! 1. `trim_blocks` and `lstrip_blocks` on, `keep_trailing_newline` off, no auto-escape.
//! 2. `tojson` is `json.dumps(x, ensure_ascii=False)` with HF's arguments ([`python`]).
//! 3. Printed values, `string` and `join` use Python `str()` (floats, `True`, `None`,
//!    `{'a': 1}`).
//! 4. `strip`/`lstrip`/`rstrip`/`split()`/`trim` use Python whitespace (U+001C–U+001F too).
//! 5. Assistant spans: `{% generation %}` blocks are rewritten into a filter that brackets
//!    their output with private-use sentinels; templates without them are diffed prefix by
//!    prefix (see [`ChatTemplate::render_chat`]).
//! 6. Inputs as transformers prepares them: message keys whose value is None are dropped;
//!    `tools`, `documents` (None) and `add_generation_prompt` are always passed with the
//!    special-tokens map; empty conversations are refused; `raise_exception` and
//!    `strftime_now` exist.
//! 7. Refused at load time: Python `%` string formatting on a string literal
//!    (`'%s' % x`), which minijinja cannot evaluate. `~`, the `format` filter and
//!    `.format()` print floats with minijinja's display (`0.00001` where Python writes
//!    `1e-05`, for exponents ≥ 16 or < −4); which values reach them is not knowable
//!    statically, so for templates that use them each render is checked: if the output
//!    contains minijinja's spelling of an input float that Python writes in exponent
//!    form, rendering fails with [`TemplateError::FloatFormatting`] instead of producing
//!    text transformers would not.

pub mod python;
mod scan;

use std::collections::BTreeMap;
use std::fmt;
use std::ops::Range;
use std::path::{Path, PathBuf};

use minijinja::syntax::SyntaxConfig;
use minijinja::value::{Serde, Value};
use minijinja::{AutoEscape, Environment, Error as JinjaError, ErrorKind};
use serde::{Deserialize, Serialize};
use serde_json::Value as Json;
use thiserror::Error;

pub use scan::{GEN_END, GEN_START};

const TEMPLATE_NAME: &str = "chat_template";

/// Where a template came from, for messages and the manifest.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case", tag = "kind", content = "path")]
pub enum TemplateOrigin {
    /// `chat_template.jinja` of a model directory (transformers 5 layout).
    File(PathBuf),
    /// The `chat_template` field of `tokenizer_config.json` (older layout).
    TokenizerConfig(PathBuf),
    /// Given as a string.
    Inline,
}

impl fmt::Display for TemplateOrigin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::File(p) => write!(f, "{}", p.display()),
            Self::TokenizerConfig(p) => write!(f, "the chat_template field of {}", p.display()),
            Self::Inline => f.write_str("the given chat template"),
        }
    }
}

#[derive(Debug, Error)]
pub enum TemplateError {
    #[error("cannot read {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "{dir} has no chat template: neither chat_template.jinja nor a chat_template field in tokenizer_config.json; copy the model's chat template there"
    )]
    NotFound { dir: PathBuf },
    #[error("{path} is not valid JSON ({message}); re-download the model's tokenizer files")]
    BadConfig { path: PathBuf, message: String },
    #[error(
        "{path} lists named chat templates ({names}) but none is called \"default\"; put the one to train with into chat_template.jinja"
    )]
    NoDefault { path: PathBuf, names: String },
    #[error("the chat template in {origin} does not compile: {message}")]
    Syntax { origin: String, message: String },
    #[error(
        "the chat template in {origin} uses Python %-formatting on a string (line {line}), which cannot be rendered exactly as transformers does; rewrite that expression with `+` and the `string` filter"
    )]
    PercentFormatting { origin: String, line: usize },
    #[error("cannot render an empty conversation: give at least one message")]
    EmptyConversation,
    #[error(
        "message {index} is not a JSON object with a role; each message needs \"role\" and \"content\""
    )]
    BadMessage { index: usize },
    #[error(
        "the input contains the reserved character U+{code:X} (used internally to mark generation blocks); remove it from the sample"
    )]
    ReservedCharacter { code: u32 },
    #[error(
        "the chat template printed the float {python} as {value} through {constructs}, where Python writes {python}; rewrite that part of the template (e.g. with the string filter) or remove the value from the data"
    )]
    FloatFormatting {
        constructs: String,
        value: String,
        python: String,
    },
    #[error("the chat template refused the conversation: {message}")]
    Raised { message: String },
    #[error("rendering the chat template failed: {message}")]
    Render { message: String },
    #[error(
        "assistant message {index} is the first message, so its prompt cannot be told apart from its answer; start the conversation with a system or user message"
    )]
    AssistantFirst { index: usize },
    #[error(
        "the chat template renders assistant message {index} differently depending on the messages after it, so its trained span cannot be found by rendering prefixes; train only the last assistant turn, or use a template with {{% generation %}} tags"
    )]
    NotPrefixStable { index: usize },
    #[error("the chat template nests {{% generation %}} blocks, which is not supported")]
    NestedGeneration,
}

/// Which assistant turns are trained.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TrainTurns {
    All,
    Last,
}

/// How assistant spans were found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SpanMethod {
    /// From the template's `{% generation %}` blocks, exactly what transformers'
    /// `return_assistant_tokens_mask` marks.
    GenerationTags,
    /// By rendering the conversation up to each trained assistant message with and
    /// without it.
    PrefixDiff,
}

/// A rendered conversation and the byte ranges of its trained assistant turns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RenderedChat {
    pub text: String,
    /// Byte ranges into `text`, in order, non-overlapping.
    pub assistant_spans: Vec<Range<usize>>,
}

/// A chat template compiled into a Jinja2-compatible environment.
pub struct ChatTemplate {
    source: String,
    source_blake3: String,
    origin: TemplateOrigin,
    special_tokens: BTreeMap<String, String>,
    env: Environment<'static>,
    generation_tags: bool,
    float_sensitive: Vec<&'static str>,
}

impl fmt::Debug for ChatTemplate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("ChatTemplate")
            .field("origin", &self.origin)
            .field("source_blake3", &self.source_blake3)
            .field("special_tokens", &self.special_tokens)
            .field("generation_tags", &self.generation_tags)
            .finish_non_exhaustive()
    }
}

/// The named special tokens transformers passes to every template (its
/// `special_tokens_map`): `bos_token`, `eos_token`, … as strings, plus model-specific
/// named tokens from a dict-valued `extra_special_tokens`.
const NAMED_SPECIAL_TOKENS: [&str; 7] = [
    "bos_token",
    "eos_token",
    "unk_token",
    "sep_token",
    "pad_token",
    "cls_token",
    "mask_token",
];

fn token_string(v: &Json) -> Option<String> {
    match v {
        Json::String(s) => Some(s.clone()),
        Json::Object(o) => o.get("content").and_then(Json::as_str).map(str::to_owned),
        _ => None,
    }
}

/// The special-tokens map of a parsed `tokenizer_config.json`.
pub fn special_tokens_from_config(config: &Json) -> BTreeMap<String, String> {
    let mut map = BTreeMap::new();
    for name in NAMED_SPECIAL_TOKENS {
        if let Some(s) = config.get(name).and_then(token_string) {
            map.insert(name.to_owned(), s);
        }
    }
    if let Some(Json::Object(extra)) = config.get("extra_special_tokens") {
        for (name, v) in extra {
            if let Some(s) = token_string(v) {
                map.insert(name.clone(), s);
            }
        }
    }
    map
}

fn read_to_string(path: &Path) -> Result<String, TemplateError> {
    std::fs::read_to_string(path).map_err(|source| TemplateError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// The error `raise_exception` returns, found again in the error chain after rendering so
/// the template's own message reaches the user unchanged.
#[derive(Debug)]
struct Raised(String);

impl fmt::Display for Raised {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Raised {}

fn raise_exception(message: String) -> Result<Value, JinjaError> {
    Err(JinjaError::new(ErrorKind::InvalidOperation, message.clone()).with_source(Raised(message)))
}

/// Python's `datetime.now().strftime(format)` (local time).
fn strftime_now(format: String) -> Result<String, JinjaError> {
    jiff::fmt::strtime::format(&format, &jiff::Zoned::now())
        .map_err(|e| JinjaError::new(ErrorKind::InvalidOperation, format!("strftime_now: {e}")))
}

fn generation_filter(value: String) -> String {
    format!("{GEN_START}{value}{GEN_END}")
}

fn map_render_error(err: JinjaError) -> TemplateError {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(e) = source {
        if let Some(Raised(message)) = e.downcast_ref::<Raised>() {
            return TemplateError::Raised {
                message: message.clone(),
            };
        }
        source = e.source();
    }
    TemplateError::Render {
        message: err.to_string(),
    }
}

/// Check strings for sentinels, and collect the floats that Python prints in exponent
/// form (where minijinja's own float display differs), recursively.
fn check_input(v: &Json, exponent_floats: &mut Vec<f64>) -> Result<(), TemplateError> {
    match v {
        Json::String(s) => {
            if let Some(c) = s.chars().find(|c| *c == GEN_START || *c == GEN_END) {
                return Err(TemplateError::ReservedCharacter { code: c as u32 });
            }
        }
        Json::Number(n) if n.is_f64() => {
            let x = n.as_f64().unwrap_or_default();
            if python::float_display_differs(x) {
                exponent_floats.push(x);
            }
        }
        Json::Array(items) => {
            for item in items {
                check_input(item, exponent_floats)?;
            }
        }
        Json::Object(map) => {
            for (k, item) in map {
                check_input(&Json::String(k.clone()), exponent_floats)?;
                check_input(item, exponent_floats)?;
            }
        }
        _ => {}
    }
    Ok(())
}

impl ChatTemplate {
    /// Compile `source` with the given special-tokens map (`bos_token`, `eos_token`, …).
    pub fn from_source(
        source: &str,
        special_tokens: BTreeMap<String, String>,
    ) -> Result<Self, TemplateError> {
        Self::build(source.to_owned(), TemplateOrigin::Inline, special_tokens)
    }

    /// Load the template of a model directory the way transformers 5 does:
    /// `chat_template.jinja` if present, else the `chat_template` field of
    /// `tokenizer_config.json` (a string, or a list of `{name, template}` of which
    /// "default" is used). Special tokens come from `tokenizer_config.json`.
    pub fn from_model_dir(dir: &Path) -> Result<Self, TemplateError> {
        let config_path = dir.join("tokenizer_config.json");
        let config: Option<Json> = if config_path.exists() {
            let text = read_to_string(&config_path)?;
            Some(
                serde_json::from_str(&text).map_err(|e| TemplateError::BadConfig {
                    path: config_path.clone(),
                    message: e.to_string(),
                })?,
            )
        } else {
            None
        };
        let special_tokens = config
            .as_ref()
            .map(special_tokens_from_config)
            .unwrap_or_default();
        let jinja_path = dir.join("chat_template.jinja");
        if jinja_path.exists() {
            let source = read_to_string(&jinja_path)?;
            return Self::build(source, TemplateOrigin::File(jinja_path), special_tokens);
        }
        let origin = TemplateOrigin::TokenizerConfig(config_path.clone());
        match config.as_ref().and_then(|c| c.get("chat_template")) {
            Some(Json::String(s)) => Self::build(s.clone(), origin, special_tokens),
            Some(Json::Array(list)) => {
                let named = |want: &str| {
                    list.iter().find_map(|t| {
                        (t.get("name").and_then(Json::as_str) == Some(want))
                            .then(|| t.get("template").and_then(Json::as_str))
                            .flatten()
                    })
                };
                match named("default") {
                    Some(s) => Self::build(s.to_owned(), origin, special_tokens),
                    None => Err(TemplateError::NoDefault {
                        path: config_path,
                        names: list
                            .iter()
                            .filter_map(|t| t.get("name").and_then(Json::as_str))
                            .collect::<Vec<_>>()
                            .join(", "),
                    }),
                }
            }
            _ => Err(TemplateError::NotFound {
                dir: dir.to_path_buf(),
            }),
        }
    }

    fn build(
        source: String,
        origin: TemplateOrigin,
        special_tokens: BTreeMap<String, String>,
    ) -> Result<Self, TemplateError> {
        let facts = scan::inspect(&source);
        if let Some(line) = facts.percent_format_line {
            return Err(TemplateError::PercentFormatting {
                origin: origin.to_string(),
                line,
            });
        }
        let compiled = if facts.has_generation {
            scan::rewrite_generation(&source)
        } else {
            source.clone()
        };
        let mut env = Environment::new();
        let syntax = SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(false)
            .build()
            .map_err(|e| TemplateError::Syntax {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        env.set_syntax(syntax);
        env.set_auto_escape_callback(|_| AutoEscape::None);
        env.set_formatter(python::formatter);
        env.set_unknown_method_callback(python::unknown_method);
        env.add_filter("tojson", python::tojson_filter);
        env.add_filter("string", python::string_filter);
        env.add_filter("join", python::join_filter);
        env.add_filter("trim", python::trim_filter);
        env.add_filter(scan::GENERATION_FILTER, generation_filter);
        env.add_function("raise_exception", raise_exception);
        env.add_function("strftime_now", strftime_now);
        env.add_template_owned(TEMPLATE_NAME, compiled)
            .map_err(|e| TemplateError::Syntax {
                origin: origin.to_string(),
                message: e.to_string(),
            })?;
        Ok(Self {
            source_blake3: blake3::hash(source.as_bytes()).to_hex().to_string(),
            source,
            origin,
            special_tokens,
            env,
            generation_tags: facts.has_generation,
            float_sensitive: facts.float_sensitive,
        })
    }

    /// `~`, `format` and `.format()` print floats with minijinja's display, which writes
    /// `0.00001` where Python writes `1e-05`. If the template has such a construct and
    /// the output holds minijinja's spelling of an input float, that float went through
    /// one of them: refuse rather than train on text transformers would not produce.
    /// (Conservative: the same digits typed in the data also trigger it.)
    fn check_float_spelling(&self, text: &str, floats: &[f64]) -> Result<(), TemplateError> {
        if self.float_sensitive.is_empty() {
            return Ok(());
        }
        for &x in floats {
            let rust = x.abs().to_string();
            if text.contains(&rust) {
                return Err(TemplateError::FloatFormatting {
                    constructs: self.float_sensitive.join(", "),
                    value: rust,
                    python: python::py_float_repr(x.abs()),
                });
            }
        }
        Ok(())
    }

    /// The template text as loaded (before the generation-tag rewrite).
    pub fn source(&self) -> &str {
        &self.source
    }

    /// blake3 of [`Self::source`], recorded in manifests.
    pub fn source_blake3(&self) -> &str {
        &self.source_blake3
    }

    pub fn origin(&self) -> &TemplateOrigin {
        &self.origin
    }

    pub fn special_tokens(&self) -> &BTreeMap<String, String> {
        &self.special_tokens
    }

    /// How [`Self::render_chat`] finds assistant spans for this template.
    pub fn span_method(&self) -> SpanMethod {
        if self.generation_tags {
            SpanMethod::GenerationTags
        } else {
            SpanMethod::PrefixDiff
        }
    }

    /// Render like `apply_chat_template(messages, tools=tools, tokenize=False,
    /// add_generation_prompt=...)`.
    pub fn render(
        &self,
        messages: &[Json],
        tools: Option<&[Json]>,
        add_generation_prompt: bool,
    ) -> Result<String, TemplateError> {
        Ok(self
            .render_marked(messages, tools, add_generation_prompt)?
            .0)
    }

    /// Render and also return the byte ranges that `{% generation %}` blocks produced
    /// (empty for templates without them).
    fn render_marked(
        &self,
        messages: &[Json],
        tools: Option<&[Json]>,
        add_generation_prompt: bool,
    ) -> Result<(String, Vec<Range<usize>>), TemplateError> {
        if messages.is_empty() {
            return Err(TemplateError::EmptyConversation);
        }
        let mut cleaned = Vec::with_capacity(messages.len());
        for (index, m) in messages.iter().enumerate() {
            let Json::Object(map) = m else {
                return Err(TemplateError::BadMessage { index });
            };
            let kept: serde_json::Map<String, Json> = map
                .iter()
                .filter(|(_, v)| !v.is_null())
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            cleaned.push(Json::Object(kept));
        }
        let cleaned = Json::Array(cleaned);
        let mut exponent_floats = Vec::new();
        check_input(&cleaned, &mut exponent_floats)?;
        let tools_value = match tools {
            Some(t) => {
                let t = Json::Array(t.to_vec());
                check_input(&t, &mut exponent_floats)?;
                Value::from(Serde(&t))
            }
            None => Value::from(()),
        };
        let mut ctx: BTreeMap<String, Value> = self
            .special_tokens
            .iter()
            .map(|(k, v)| (k.clone(), Value::from(v.as_str())))
            .collect();
        ctx.insert("messages".into(), Value::from(Serde(&cleaned)));
        ctx.insert("tools".into(), tools_value);
        ctx.insert("documents".into(), Value::from(()));
        ctx.insert(
            "add_generation_prompt".into(),
            Value::from(add_generation_prompt),
        );
        let template = self
            .env
            .get_template(TEMPLATE_NAME)
            .map_err(map_render_error)?;
        let text = template
            .render(Value::from(ctx))
            .map_err(map_render_error)?;
        self.check_float_spelling(&text, &exponent_floats)?;
        if !self.generation_tags {
            return Ok((text, Vec::new()));
        }
        scan::strip_generation_markers(&text).ok_or(TemplateError::NestedGeneration)
    }

    /// Render a conversation and find the byte spans of its trained assistant turns.
    ///
    /// * Templates with `{% generation %}`: the generation blocks, exactly as transformers'
    ///   `return_assistant_tokens_mask` sees them (all blocks, or the last one).
    /// * Other templates (Qwen2.5 and most): for assistant message *i*, render the
    ///   messages before it with `add_generation_prompt=True` (the prompt ending in the
    ///   role header, e.g. `<|im_start|>assistant\n`) and the messages up to and including
    ///   it (for the last message, that is the full render). The text the second adds to
    ///   the first is the turn; its trailing whitespace is cut. The trained span is therefore the answer plus the end-of-turn token
    ///   (`content<|im_end|>`), without the role header and without the newline the
    ///   template writes between turns: the model must learn to emit the end-of-turn
    ///   token (generation stops there) and never generates the separator after it.
    ///   Both renders must be prefixes of the full render; a template whose earlier
    ///   turns change with later messages is refused with
    ///   [`TemplateError::NotPrefixStable`] rather than guessed at.
    pub fn render_chat(
        &self,
        messages: &[Json],
        tools: Option<&[Json]>,
        add_generation_prompt: bool,
        turns: TrainTurns,
    ) -> Result<RenderedChat, TemplateError> {
        let (text, mut spans) = self.render_marked(messages, tools, add_generation_prompt)?;
        if self.generation_tags {
            if turns == TrainTurns::Last {
                spans = spans.pop().into_iter().collect();
            }
            return Ok(RenderedChat {
                text,
                assistant_spans: spans,
            });
        }
        let assistants: Vec<usize> = messages
            .iter()
            .enumerate()
            .filter(|(_, m)| m.get("role").and_then(Json::as_str) == Some("assistant"))
            .map(|(i, _)| i)
            .collect();
        let chosen: &[usize] = match turns {
            TrainTurns::All => &assistants,
            TrainTurns::Last => assistants.last().map_or(&[], std::slice::from_ref),
        };
        let mut spans = Vec::with_capacity(chosen.len());
        for &index in chosen {
            if index == 0 {
                return Err(TemplateError::AssistantFirst { index });
            }
            let prompt = self.render(&messages[..index], tools, true)?;
            // The last message without a generation prompt: that render is the full one,
            // already made (the usual case: one render fewer per sample).
            let through_rendered;
            let through = if index + 1 == messages.len() && !add_generation_prompt {
                text.as_str()
            } else {
                through_rendered = self.render(&messages[..=index], tools, false)?;
                through_rendered.as_str()
            };
            let turn = through
                .strip_prefix(prompt.as_str())
                .ok_or(TemplateError::NotPrefixStable { index })?;
            let trained = python::py_strip(turn, None, false, true);
            let start = prompt.len();
            let stable = text.starts_with(prompt.as_str())
                && text[start..].starts_with(trained)
                && spans
                    .last()
                    .is_none_or(|prev: &Range<usize>| prev.end <= start);
            if !stable {
                return Err(TemplateError::NotPrefixStable { index });
            }
            spans.push(start..start + trained.len());
        }
        Ok(RenderedChat {
            text,
            assistant_spans: spans,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn chatml() -> ChatTemplate {
        let src = "{%- for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";
        ChatTemplate::from_source(src, BTreeMap::new()).unwrap()
    }

    #[test]
    fn percent_templates_are_refused_at_load() {
        let err = ChatTemplate::from_source("{{ '%s!' % messages[0].content }}", BTreeMap::new())
            .unwrap_err();
        assert!(
            matches!(err, TemplateError::PercentFormatting { line: 1, .. }),
            "{err}"
        );
    }

    #[test]
    fn none_keys_are_dropped_and_context_is_complete() {
        let t = ChatTemplate::from_source(
            "{{ messages[0].x is defined }}|{{ tools }}|{{ documents }}|{{ add_generation_prompt }}|{{ eos_token }}",
            BTreeMap::from([("eos_token".to_owned(), "</s>".to_owned())]),
        )
        .unwrap();
        let out = t
            .render(
                &[json!({"role": "user", "content": "a", "x": null})],
                None,
                true,
            )
            .unwrap();
        assert_eq!(out, "False|None|None|True|</s>");
    }

    #[test]
    fn empty_conversations_and_raise_exception() {
        let t = ChatTemplate::from_source(
            "{{ raise_exception('no ' ~ messages[0].role) }}",
            BTreeMap::new(),
        )
        .unwrap();
        assert!(matches!(
            t.render(&[], None, false),
            Err(TemplateError::EmptyConversation)
        ));
        match t.render(&[json!({"role": "tool", "content": ""})], None, false) {
            Err(TemplateError::Raised { message }) => assert_eq!(message, "no tool"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn tilde_with_exponent_floats_is_refused_at_render() {
        let src = "{{ 'x' ~ messages[0].v }}|{{ messages[0].w | tojson }}|{{ 'n' ~ loop_free }}";
        let t = ChatTemplate::from_source(src, BTreeMap::new()).unwrap();
        let ok = t.render(&[json!({"role": "user", "v": 0.5, "w": 1e16})], None, false);
        assert_eq!(
            ok.unwrap(),
            "x0.5|1e+16|n",
            "exponent floats through tojson are fine"
        );
        for v in [json!(1e-05), json!(-1e16)] {
            let err = t
                .render(&[json!({"role": "user", "v": v, "w": 1})], None, false)
                .unwrap_err();
            assert!(
                matches!(err, TemplateError::FloatFormatting { .. }),
                "{err}"
            );
        }
    }

    #[test]
    fn strftime_now_is_available() {
        let t = ChatTemplate::from_source("{{ strftime_now('%Y') }}", BTreeMap::new()).unwrap();
        let year = t.render(&[json!({"role": "user"})], None, false).unwrap();
        assert_eq!(year.len(), 4);
        assert!(year.chars().all(|c| c.is_ascii_digit()));
    }

    #[test]
    fn prefix_diff_spans_cover_answer_and_end_of_turn() {
        let t = chatml();
        let msgs = [
            json!({"role": "user", "content": "hi"}),
            json!({"role": "assistant", "content": "hello"}),
            json!({"role": "user", "content": "more"}),
            json!({"role": "assistant", "content": "sure  "}),
        ];
        let r = t.render_chat(&msgs, None, false, TrainTurns::All).unwrap();
        let spans: Vec<&str> = r
            .assistant_spans
            .iter()
            .map(|s| &r.text[s.clone()])
            .collect();
        assert_eq!(spans, ["hello<|im_end|>", "sure  <|im_end|>"]);
        let last = t.render_chat(&msgs, None, false, TrainTurns::Last).unwrap();
        assert_eq!(last.assistant_spans, r.assistant_spans[1..]);
    }

    #[test]
    fn unstable_templates_are_refused() {
        // The last turn gets a different ending: earlier turns change when more follow.
        let src =
            "{% for m in messages %}[{{ m.content }}{% if loop.last %}!{% endif %}]{% endfor %}";
        let t = ChatTemplate::from_source(src, BTreeMap::new()).unwrap();
        let msgs = [
            json!({"role": "user", "content": "a"}),
            json!({"role": "assistant", "content": "b"}),
            json!({"role": "user", "content": "c"}),
        ];
        let err = t
            .render_chat(&msgs, None, false, TrainTurns::All)
            .unwrap_err();
        assert!(
            matches!(err, TemplateError::NotPrefixStable { index: 1 }),
            "{err}"
        );
    }

    #[test]
    fn generation_blocks_give_spans_and_sentinels_in_input_are_refused() {
        let src = "{% for m in messages %}{% if m.role == 'assistant' %}A:{% generation %}{{ m.content }}</s>{% endgeneration %}\n{% else %}U:{{ m.content }}\n{% endif %}{% endfor %}";
        let t = ChatTemplate::from_source(src, BTreeMap::new()).unwrap();
        assert_eq!(t.span_method(), SpanMethod::GenerationTags);
        let msgs = [
            json!({"role": "user", "content": "q"}),
            json!({"role": "assistant", "content": "a"}),
        ];
        let r = t.render_chat(&msgs, None, false, TrainTurns::All).unwrap();
        assert_eq!(
            r.text, "U:q\nA:a</s>",
            "trim_blocks eats the newline after a block tag"
        );
        assert_eq!(&r.text[r.assistant_spans[0].clone()], "a</s>");
        let bad = [json!({"role": "user", "content": format!("x{GEN_START}")})];
        assert!(matches!(
            t.render(&bad, None, false),
            Err(TemplateError::ReservedCharacter { .. })
        ));
    }

    #[test]
    fn model_dir_template_list_picks_default() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("tokenizer_config.json"),
            r#"{"eos_token": {"content": "</s>"}, "chat_template": [{"name": "tool_use", "template": "T"}, {"name": "default", "template": "D{{ eos_token }}"}]}"#,
        )
        .unwrap();
        let t = ChatTemplate::from_model_dir(dir.path()).unwrap();
        assert_eq!(
            t.render(&[json!({"role": "user", "content": ""})], None, false)
                .unwrap(),
            "D</s>"
        );
        assert!(matches!(t.origin(), TemplateOrigin::TokenizerConfig(_)));
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(
            ChatTemplate::from_model_dir(empty.path()),
            Err(TemplateError::NotFound { .. })
        ));
    }
}
