//! The Modelfile's TEMPLATE rendered by Go's text/template, as Ollama renders it, against
//! the training chat template rendered as transformers does: the same prompt, byte for
//! byte, for conversations with and without a system prompt and over several turns.
//! `tests/ollama/render.go` is the renderer; Go comes from Debian's `golang-go`
//! (`scripts/test.sh` installs it).
#![allow(clippy::print_stderr)]

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use serde_json::{Value, json};
use tuneforge_export::ollama::{Modelfile, modelfile_for};
use tuneforge_tokens::ChatTemplate;

fn go() -> Option<()> {
    match Command::new("go").arg("version").output() {
        Ok(o) if o.status.success() => Some(()),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_GO").is_some() => {
            panic!("Go is needed to render Ollama templates (apt-get install golang-go)")
        }
        _ => {
            eprintln!("skipped: no Go toolchain (apt-get install golang-go)");
            None
        }
    }
}

fn go_render(template: &str, system: &str, messages: &[Value], cache: &Path) -> String {
    let program = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/ollama/render.go");
    let mut child = Command::new("go")
        .arg("run")
        .arg(program)
        .env("GOCACHE", cache.join("gocache"))
        .env("GOPATH", cache.join("gopath"))
        .env("GOFLAGS", "-mod=mod")
        .env("GOTOOLCHAIN", "local")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let input = json!({"template": template, "system": system, "messages": messages});
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "go run render.go: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn msg(role: &str, content: &str) -> Value {
    json!({"role": role, "content": content})
}

#[test]
fn the_qwen25_template_renders_in_ollama_as_in_transformers() {
    if go().is_none() {
        return;
    }
    let cache = tempfile::tempdir().unwrap();
    let source = include_str!("../../tuneforge-train/data/qwen2.5.jinja");
    let jinja = ChatTemplate::from_source(source, Default::default()).unwrap();
    let modelfile = modelfile_for("./model.gguf", None, &jinja).unwrap();
    // What a user's Ollama reads: the file as written, parsed back.
    let parsed = Modelfile::parse(&modelfile.render("test").unwrap()).unwrap();
    assert_eq!(parsed, modelfile);
    let template = parsed.template.as_deref().unwrap();
    let default_system = parsed.system.clone().unwrap();
    assert!(default_system.starts_with("You are Qwen"));
    assert_eq!(
        parsed.parameters,
        vec![("stop".to_owned(), "<|im_end|>".to_owned())]
    );

    let code = "<?php\n\nnamespace Drupal\\example\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\n";
    let conversations: Vec<(Option<&str>, Vec<Value>)> = vec![
        (None, vec![msg("user", "Write a Drupal 11 block plugin.")]),
        (
            Some("You are a Drupal 11 expert."),
            vec![msg("user", "Explain {{ twig }} autoescaping.\n\nBriefly.")],
        ),
        (
            None,
            vec![
                msg("user", "Create a block plugin."),
                msg("assistant", code),
                msg("user", "Now inject the current user service."),
            ],
        ),
        (
            Some("Answer with code only."),
            vec![
                msg("user", "a"),
                msg("assistant", "b\n"),
                msg("user", "c \"quoted\" \t tab"),
            ],
        ),
    ];
    for (system, messages) in conversations {
        let mut all = Vec::new();
        if let Some(s) = system {
            all.push(msg("system", s));
        }
        all.extend(messages.iter().cloned());
        let expected = jinja.render(&all, None, true).unwrap();
        // Ollama's .System: the request's system prompt, else the Modelfile's SYSTEM.
        let ollama = go_render(
            template,
            system.unwrap_or(&default_system),
            &messages,
            cache.path(),
        );
        assert_eq!(ollama, expected, "system {system:?}");
    }
}
