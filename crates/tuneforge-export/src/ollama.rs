//! An Ollama `Modelfile` for an exported GGUF: `FROM` the merged model (or the base plus an
//! `ADAPTER`; Ollama takes one adapter per model), a `TEMPLATE` that renders conversations
//! exactly as the training chat template did, the `SYSTEM` prompt that template adds when a
//! conversation has none (Ollama's templates add none of their own), and the stop tokens.
//!
//! Ollama's templates are Go templates, not Jinja, so the training template cannot be
//! copied. Instead its framing is read off renders of probe conversations with sentinel
//! contents (what comes before and after each role's content, the generation prompt, the
//! default system prompt), checked to reproduce the template on every probe, and written as
//! a Go template that prints those strings. A template the framing does not reproduce
//! (one that moves the system prompt into the first user turn, say) is refused rather
//! than approximated: llama.cpp's `llama-server --jinja` serves it as it is.

use serde_json::{Value as Json, json};
use tuneforge_tokens::ChatTemplate;

/// How a chat template frames each role's content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChatFraming {
    pub system_prefix: String,
    pub user_prefix: String,
    pub assistant_prefix: String,
    /// What follows every turn's content (the end-of-turn token and separator).
    pub turn_end: String,
    /// What ends the prompt so the model answers (`<|im_start|>assistant\n`).
    pub generation_prompt: String,
    /// The system prompt the template adds to a conversation without one.
    pub default_system: Option<String>,
}

const SYSTEM: &str = "\u{27e6}SYSTEM\u{27e7}";
const USER_1: &str = "\u{27e6}USER-1\u{27e7}";
const ASSISTANT_1: &str = "\u{27e6}ASSISTANT-1\u{27e7}";
const USER_2: &str = "\u{27e6}USER-2\u{27e7}";

fn message(role: &str, content: &str) -> Json {
    json!({"role": role, "content": content})
}

/// The probes: (with a system message?, the messages after it).
fn probes() -> Vec<(bool, Vec<Json>)> {
    let (u1, a1, u2) = (
        message("user", USER_1),
        message("assistant", ASSISTANT_1),
        message("user", USER_2),
    );
    vec![
        (true, vec![u1.clone()]),
        (true, vec![u1.clone(), a1.clone(), u2.clone()]),
        (false, vec![u1.clone()]),
        (false, vec![u1, a1, u2]),
    ]
}

impl ChatFraming {
    /// Reads the framing of `template`; an error says why it cannot be expressed.
    pub fn of(template: &ChatTemplate) -> Result<Self, String> {
        let render = |messages: &[Json]| {
            template
                .render(messages, None, true)
                .map_err(|e| format!("the chat template does not render a probe conversation: {e}"))
        };
        let full = render(&[
            message("system", SYSTEM),
            message("user", USER_1),
            message("assistant", ASSISTANT_1),
            message("user", USER_2),
        ])?;
        let mut pieces = Vec::new();
        let mut rest = full.as_str();
        for sentinel in [SYSTEM, USER_1, ASSISTANT_1, USER_2] {
            let (before, after) = rest
                .split_once(sentinel)
                .ok_or("the chat template drops or reorders message contents")?;
            pieces.push(before);
            rest = after;
        }
        pieces.push(rest);
        let [
            system_prefix,
            after_system,
            after_user,
            after_assistant,
            tail,
        ] = pieces[..]
        else {
            unreachable!("five pieces around four sentinels")
        };
        // Every turn ends the same way: the common start of what follows each content,
        // minus what the next turn's header shares with the system turn's header.
        let common = [after_user, after_assistant, tail]
            .into_iter()
            .fold(after_system, |acc, s| common_prefix(acc, s));
        let moved = (0..=common.len())
            .rev()
            .filter(|&k| common.is_char_boundary(common.len() - k))
            .find(|&k| system_prefix.starts_with(&common[common.len() - k..]))
            .unwrap_or(0);
        let turn_end = &common[..common.len() - moved];
        let user_prefix = &after_system[turn_end.len()..];
        if after_assistant[turn_end.len()..] != *user_prefix {
            return Err(
                "the chat template frames the first and later user turns differently".into(),
            );
        }
        let default_system = {
            let alone = render(&[message("user", USER_1)])?;
            alone
                .strip_prefix(system_prefix)
                .and_then(|r| r.split_once(turn_end))
                .map(|(d, _)| d.to_owned())
                .filter(|_| !alone.starts_with(user_prefix))
        };
        let framing = Self {
            system_prefix: system_prefix.to_owned(),
            user_prefix: user_prefix.to_owned(),
            assistant_prefix: after_user[turn_end.len()..].to_owned(),
            turn_end: turn_end.to_owned(),
            generation_prompt: tail[turn_end.len()..].to_owned(),
            default_system,
        };
        for (with_system, messages) in probes() {
            let mut all = Vec::new();
            if with_system {
                all.push(message("system", SYSTEM));
            }
            all.extend(messages.iter().cloned());
            let expected = render(&all)?;
            let system = with_system.then_some(SYSTEM);
            if framing.render(system, &messages) != expected {
                return Err("the chat template is not a plain per-role framing (it changes turns by position or moves the system prompt): Ollama's template cannot reproduce it; serve the GGUF with `llama-server --jinja`, which uses the embedded template".into());
            }
        }
        Ok(framing)
    }

    /// What the Go template renders for `system` (Ollama's `.System`: the request's, or the
    /// Modelfile's SYSTEM) and `messages` (user and assistant turns), ending with the
    /// generation prompt after a user turn.
    pub fn render(&self, system: Option<&str>, messages: &[Json]) -> String {
        let mut out = String::new();
        if let Some(system) = system.or(self.default_system.as_deref()) {
            out += &self.system_prefix;
            out += system;
            out += &self.turn_end;
        }
        for (i, m) in messages.iter().enumerate() {
            let last = i + 1 == messages.len();
            let content = m["content"].as_str().unwrap_or("");
            match m["role"].as_str() {
                Some("user") => {
                    out += &self.user_prefix;
                    out += content;
                    out += &self.turn_end;
                    if last {
                        out += &self.generation_prompt;
                    }
                }
                Some("assistant") => {
                    out += &self.assistant_prefix;
                    out += content;
                    if !last {
                        out += &self.turn_end;
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The Go template (Ollama's TEMPLATE) equivalent to [`ChatFraming::render`]. Every
    /// literal is printed from a quoted string, so the template's own layout whitespace can
    /// be trimmed without touching the framing's newlines.
    pub fn go_template(&self) -> String {
        let q = |s: &str| serde_json::to_string(s).expect("strings serialize");
        format!(
            "{{{{- if .System }}}}{{{{ {sp} }}}}{{{{ .System }}}}{{{{ {end} }}}}{{{{ end }}}}\n\
             {{{{- range $i, $_ := .Messages }}}}\n\
             {{{{- $last := eq (len (slice $.Messages $i)) 1 }}}}\n\
             {{{{- if eq .Role \"user\" }}}}{{{{ {up} }}}}{{{{ .Content }}}}{{{{ {end} }}}}{{{{ if $last }}}}{{{{ {gen} }}}}{{{{ end }}}}\n\
             {{{{- else if eq .Role \"assistant\" }}}}{{{{ {ap} }}}}{{{{ .Content }}}}{{{{ if not $last }}}}{{{{ {end} }}}}{{{{ end }}}}\n\
             {{{{- end }}}}\n\
             {{{{- end }}}}",
            sp = q(&self.system_prefix),
            end = q(&self.turn_end),
            up = q(&self.user_prefix),
            ap = q(&self.assistant_prefix),
            gen = q(&self.generation_prompt),
        )
    }
}

/// The Modelfile of a package whose GGUF files are `from` (and `adapter`) beside it, for a
/// model trained with `template`: the template's framing as TEMPLATE, its default system
/// prompt as SYSTEM, and the end of a turn and the end-of-sequence token as stops.
pub fn modelfile_for(
    from: &str,
    adapter: Option<&str>,
    template: &ChatTemplate,
) -> Result<Modelfile, String> {
    let framing = ChatFraming::of(template)?;
    let mut stops: Vec<String> = Vec::new();
    let turn_end = framing.turn_end.trim();
    if !turn_end.is_empty() {
        stops.push(turn_end.to_owned());
    }
    if let Some(eos) = template.special_tokens().get("eos_token")
        && !eos.is_empty()
        && !stops.contains(eos)
    {
        stops.push(eos.clone());
    }
    Ok(Modelfile {
        from: from.to_owned(),
        adapter: adapter.map(str::to_owned),
        template: Some(framing.go_template()),
        system: framing.default_system.clone(),
        parameters: stops.into_iter().map(|s| ("stop".to_owned(), s)).collect(),
    })
}

fn common_prefix<'a>(a: &'a str, b: &str) -> &'a str {
    let mut end = 0;
    for ((i, ca), cb) in a.char_indices().zip(b.chars()) {
        if ca != cb {
            break;
        }
        end = i + ca.len_utf8();
    }
    &a[..end]
}

/// A Modelfile's instructions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Modelfile {
    pub from: String,
    pub adapter: Option<String>,
    pub template: Option<String>,
    pub system: Option<String>,
    /// `PARAMETER` lines in order (Ollama allows repeats, as `stop` does).
    pub parameters: Vec<(String, String)>,
}

impl Modelfile {
    /// The Modelfile's text; an error when a value cannot be quoted.
    pub fn render(&self, comment: &str) -> Result<String, String> {
        let mut out = String::new();
        for line in comment.lines() {
            out += &format!("# {line}\n");
        }
        out += &format!("FROM {}\n", self.from);
        if let Some(adapter) = &self.adapter {
            out += &format!("ADAPTER {adapter}\n");
        }
        for (name, value) in [("TEMPLATE", &self.template), ("SYSTEM", &self.system)] {
            if let Some(value) = value {
                if value.contains("\"\"\"") {
                    return Err(format!(
                        "the {name} holds \"\"\", which a Modelfile cannot quote"
                    ));
                }
                out += &format!("{name} \"\"\"{value}\"\"\"\n");
            }
        }
        for (name, value) in &self.parameters {
            if value.contains('"') || value.contains('\n') {
                return Err(format!("PARAMETER {name} {value:?} cannot be quoted"));
            }
            out += &format!("PARAMETER {name} \"{value}\"\n");
        }
        Ok(out)
    }

    /// Reads a Modelfile (the instructions tuneforge writes; others are kept out).
    pub fn parse(text: &str) -> Result<Self, String> {
        let mut file = Self::default();
        let mut rest = text;
        let mut line_no = 0;
        while !rest.is_empty() {
            let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
            line_no += 1;
            rest = after;
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let (command, value) = line.split_once(char::is_whitespace).unwrap_or((line, ""));
            let value = value.trim_start();
            let quoted =
                |value: &str, rest: &mut &str, line_no: &mut usize| -> Result<String, String> {
                    if let Some(body) = value.strip_prefix("\"\"\"") {
                        if let Some(end) = body.find("\"\"\"") {
                            return Ok(body[..end].to_owned());
                        }
                        // Spans lines: up to the closing quotes.
                        let end = rest
                            .find("\"\"\"")
                            .ok_or(format!("line {line_no}: \"\"\" is not closed"))?;
                        let text = format!("{body}\n{}", &rest[..end]);
                        *line_no += rest[..end].matches('\n').count();
                        *rest = rest[end + 3..].split_once('\n').map_or("", |(_, r)| r);
                        *line_no += 1;
                        return Ok(text);
                    }
                    match value.strip_prefix('"').and_then(|v| v.strip_suffix('"')) {
                        Some(v) => Ok(v.to_owned()),
                        None => Ok(value.to_owned()),
                    }
                };
            match command.to_ascii_uppercase().as_str() {
                "FROM" => file.from = value.to_owned(),
                "ADAPTER" => file.adapter = Some(value.to_owned()),
                "TEMPLATE" => file.template = Some(quoted(value, &mut rest, &mut line_no)?),
                "SYSTEM" => file.system = Some(quoted(value, &mut rest, &mut line_no)?),
                "PARAMETER" => {
                    let (name, v) = value
                        .split_once(char::is_whitespace)
                        .ok_or(format!("line {line_no}: PARAMETER without a value"))?;
                    file.parameters
                        .push((name.to_owned(), quoted(v.trim(), &mut rest, &mut line_no)?));
                }
                other => return Err(format!("line {line_no}: unknown instruction {other}")),
            }
        }
        if file.from.is_empty() {
            return Err("no FROM line".into());
        }
        Ok(file)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CHATML: &str = "{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if add_generation_prompt %}<|im_start|>assistant\n{% endif %}";

    fn qwen25() -> ChatTemplate {
        ChatTemplate::from_source(
            include_str!("../../tuneforge-train/data/qwen2.5.jinja"),
            Default::default(),
        )
        .unwrap()
    }

    #[test]
    fn qwen25_is_chatml_with_its_default_system_prompt() {
        let framing = ChatFraming::of(&qwen25()).unwrap();
        assert_eq!(framing.system_prefix, "<|im_start|>system\n");
        assert_eq!(framing.user_prefix, "<|im_start|>user\n");
        assert_eq!(framing.assistant_prefix, "<|im_start|>assistant\n");
        assert_eq!(framing.turn_end, "<|im_end|>\n");
        assert_eq!(framing.generation_prompt, "<|im_start|>assistant\n");
        assert_eq!(
            framing.default_system.as_deref(),
            Some("You are Qwen, created by Alibaba Cloud. You are a helpful assistant.")
        );
    }

    #[test]
    fn a_template_without_a_default_system_has_none() {
        let framing =
            ChatFraming::of(&ChatTemplate::from_source(CHATML, Default::default()).unwrap())
                .unwrap();
        assert_eq!(framing.default_system, None);
        let rendered = framing.render(None, &[message("user", "hi")]);
        assert_eq!(
            rendered,
            "<|im_start|>user\nhi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn a_template_that_moves_the_system_prompt_is_refused() {
        let mistral = "{% set sys = messages[0].content if messages[0].role == 'system' else '' %}{% for m in messages %}{% if m.role == 'user' %}[INST] {% if loop.index0 <= 1 and sys %}{{ sys }}\n\n{% endif %}{{ m.content }}[/INST]{% elif m.role == 'assistant' %}{{ m.content }}</s>{% endif %}{% endfor %}";
        let e = ChatFraming::of(&ChatTemplate::from_source(mistral, Default::default()).unwrap())
            .unwrap_err();
        assert!(
            e.contains("llama-server --jinja") || e.contains("frames"),
            "{e}"
        );
    }

    #[test]
    fn a_modelfile_reads_back_as_written() {
        let file = Modelfile {
            from: "./model-q4_k_m.gguf".into(),
            adapter: Some("./adapter.gguf".into()),
            template: Some(ChatFraming::of(&qwen25()).unwrap().go_template()),
            system: Some("You are Qwen.\nBe brief.".into()),
            parameters: vec![
                ("stop".into(), "<|im_end|>".into()),
                ("stop".into(), "<|endoftext|>".into()),
            ],
        };
        let text = file.render("made by a test").unwrap();
        assert_eq!(Modelfile::parse(&text).unwrap(), file);
        assert!(Modelfile::parse("TEMPLATE \"\"\"open").is_err());
        assert!(
            Modelfile::parse("# nothing")
                .unwrap_err()
                .contains("no FROM")
        );
    }
}
