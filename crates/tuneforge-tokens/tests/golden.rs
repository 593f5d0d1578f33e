//! Golden test against transformers: `tests/golden/<template>/cases.json` holds what
//! `apply_chat_template(..., tokenize=False)` rendered, the ids of
//! `tokenizer(text, add_special_tokens=False)` and (for `{% generation %}` templates) the
//! `return_assistant_tokens_mask`, produced by `tests/golden/generate.py` with pinned
//! versions. Each model directory beside it is self-contained.
//!
//! With `TUNEFORGE_WORKER_PYTHON` set to a python that has transformers, the script is
//! re-run into a temp dir and must reproduce the checked-in fixtures byte for byte.
//! `TUNEFORGE_REQUIRE_PYTHON=1` makes that python mandatory (CI).

use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde_json::Value as Json;
use tuneforge_tokens::{
    ChatTemplate, IGNORE_INDEX, PrepTokenizer, TemplateError, TrainTurns, tokenize_chat,
};

const TEMPLATES: [&str; 3] = ["qwen2.5", "mistral_v7_style", "chatml_generation"];

fn golden_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/golden")
}

#[derive(Debug, Deserialize)]
struct Cases {
    template: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    messages: Vec<Json>,
    tools: Option<Vec<Json>>,
    add_generation_prompt: bool,
    text: Option<String>,
    input_ids: Option<Vec<u32>>,
    assistant_masks: Option<Vec<u8>>,
    error: Option<String>,
}

fn load(name: &str) -> (ChatTemplate, PrepTokenizer, Cases) {
    let dir = golden_dir().join(name);
    let template = ChatTemplate::from_model_dir(&dir).unwrap();
    let tokenizer = PrepTokenizer::from_model_dir(&dir).unwrap();
    let cases: Cases =
        serde_json::from_slice(&std::fs::read(dir.join("cases.json")).unwrap()).unwrap();
    assert_eq!(cases.template, name);
    (template, tokenizer, cases)
}

/// Compare one case; `Err` describes the first difference.
fn check_case(t: &ChatTemplate, tok: &PrepTokenizer, case: &Case) -> Result<(), String> {
    let tools = case.tools.as_deref();
    let rendered = t.render(&case.messages, tools, case.add_generation_prompt);
    if let Some(want) = &case.error {
        return match rendered {
            Err(TemplateError::Raised { message }) if &message == want => Ok(()),
            other => Err(format!(
                "expected the template to raise {want:?}, got {other:?}"
            )),
        };
    }
    let text = rendered.map_err(|e| e.to_string())?;
    let want_text = case.text.as_deref().unwrap_or_default();
    if text != want_text {
        let at = text
            .char_indices()
            .zip(want_text.chars())
            .find(|((_, a), b)| a != b)
            .map_or(text.len().min(want_text.len()), |((i, _), _)| i);
        return Err(format!(
            "text differs at byte {at}:\n  rust:   {:?}\n  python: {:?}",
            &text[at.saturating_sub(20)..(at + 40).min(text.len())],
            want_text.get(at.saturating_sub(20)..(at + 40).min(want_text.len()))
        ));
    }
    let ids = tok.encode(&text)?.ids;
    if Some(&ids) != case.input_ids.as_ref() {
        return Err("token ids differ".into());
    }
    if let Some(mask) = &case.assistant_masks {
        let chat = tokenize_chat(
            t,
            tok,
            &case.messages,
            tools,
            case.add_generation_prompt,
            TrainTurns::All,
        )
        .map_err(|e| e.to_string())?;
        let ours: Vec<u8> = chat
            .labels
            .iter()
            .map(|l| u8::from(*l != IGNORE_INDEX))
            .collect();
        if &ours != mask {
            return Err(format!(
                "assistant mask differs:\n  rust:   {ours:?}\n  python: {mask:?}"
            ));
        }
    }
    Ok(())
}

#[test]
fn rendering_ids_and_masks_match_transformers() {
    let mut failures = Vec::new();
    let mut summary = Vec::new();
    for name in TEMPLATES {
        let (t, tok, cases) = load(name);
        let (mut ok, mut masks, mut errors) = (0, 0, 0);
        for case in &cases.cases {
            match check_case(&t, &tok, case) {
                Ok(()) => {
                    ok += 1;
                    masks += usize::from(case.assistant_masks.is_some());
                    errors += usize::from(case.error.is_some());
                }
                Err(e) => failures.push(format!("{name}/{}: {e}", case.name)),
            }
        }
        summary.push(format!(
            "{name}: {ok}/{} cases match ({masks} with assistant masks, {errors} refusals)",
            cases.cases.len()
        ));
    }
    println!("{}", summary.join("\n"));
    assert!(
        failures.is_empty(),
        "{}\n\n{}",
        failures.join("\n\n"),
        summary.join("\n")
    );
}

/// Qwen2.5 has no generation tags, so spans come from the prefix diff. Check them against
/// what the format says independently: every assistant message is trained from right after
/// `<|im_start|>assistant\n` through its `<|im_end|>`, nothing else.
#[test]
fn qwen_prefix_diff_spans_are_answer_plus_im_end() {
    let (t, tok, cases) = load("qwen2.5");
    let mut checked = 0;
    for case in &cases.cases {
        let tools = case.tools.as_deref();
        let assistants: Vec<&Json> = case
            .messages
            .iter()
            .filter(|m| m["role"] == "assistant")
            .collect();
        let result = t.render_chat(
            &case.messages,
            tools,
            case.add_generation_prompt,
            TrainTurns::All,
        );
        if case.messages[0]["role"] == "assistant" {
            assert!(
                matches!(result, Err(TemplateError::AssistantFirst { index: 0 })),
                "{}",
                case.name
            );
            continue;
        }
        let r = result.unwrap_or_else(|e| panic!("{}: {e}", case.name));
        assert_eq!(r.assistant_spans.len(), assistants.len(), "{}", case.name);
        for (span, msg) in r.assistant_spans.iter().zip(&assistants) {
            let before = &r.text[..span.start];
            let trained = &r.text[span.clone()];
            assert!(
                before.ends_with("<|im_start|>assistant\n"),
                "{}: {before:?}",
                case.name
            );
            assert!(
                trained.ends_with("<|im_end|>"),
                "{}: {trained:?}",
                case.name
            );
            let content = msg["content"].as_str().unwrap_or_default();
            if msg.get("tool_calls").is_none_or(Json::is_null) {
                assert_eq!(trained, format!("{content}<|im_end|>"), "{}", case.name);
            } else {
                assert!(trained.starts_with(content), "{}", case.name);
                assert!(trained.contains("<tool_call>"), "{}", case.name);
            }
            checked += 1;
        }
        // Trained tokens are exactly the tokens overlapping the spans, and the last
        // trained token of each turn is <|im_end|>.
        let chat = tokenize_chat(
            &t,
            &tok,
            &case.messages,
            tools,
            case.add_generation_prompt,
            TrainTurns::All,
        )
        .unwrap();
        let im_end = tok.tokenizer().token_to_id("<|im_end|>").unwrap();
        let mut runs = Vec::new();
        for (i, l) in chat.labels.iter().enumerate() {
            let prev = i.checked_sub(1).map(|p| chat.labels[p]);
            if *l != IGNORE_INDEX && prev.is_none_or(|p| p == IGNORE_INDEX) {
                runs.push((i, i));
            }
            if *l != IGNORE_INDEX {
                runs.last_mut().unwrap().1 = i;
            }
        }
        assert_eq!(runs.len(), assistants.len(), "{}", case.name);
        for (_, end) in runs {
            assert_eq!(chat.input_ids[end], im_end, "{}", case.name);
        }
    }
    assert!(checked >= 15, "only {checked} spans checked");
}

/// The golden Qwen2.5 template is the one Qwen publishes with its Instruct models (sha256
/// cd8e9439f0570856fd70470bf8889ebd8b5d1107207f67a5efb46e342330527f), and it is the one the
/// binary embeds for tiny models.
#[test]
fn the_golden_qwen_template_is_the_published_one_and_the_embedded_one() {
    let golden = std::fs::read(golden_dir().join("qwen2.5").join("chat_template.jinja")).unwrap();
    assert_eq!(golden.len(), 2507, "the published template has 2,507 bytes");
    assert_eq!(
        blake3::hash(&golden).to_hex().as_str(),
        QWEN25_BLAKE3,
        "tests/golden/qwen2.5/chat_template.jinja is not the published template"
    );
    let embedded =
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../tuneforge-train/data/qwen2.5.jinja");
    assert_eq!(
        std::fs::read(&embedded).unwrap(),
        golden,
        "{} differs from the golden template",
        embedded.display()
    );
}

/// blake3 of the published Qwen2.5 chat template (the file whose sha256 is given above).
const QWEN25_BLAKE3: &str = "72e8302eb275e75b189b6a9ebfaa7aaba1b868c610b169b3b16c5cae2172148e";

fn files_under(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for name in TEMPLATES {
        let mut entries: Vec<PathBuf> = std::fs::read_dir(root.join(name))
            .unwrap_or_else(|e| panic!("{}: {e}", root.join(name).display()))
            .map(|e| e.unwrap().path())
            .collect();
        entries.sort();
        out.extend(
            entries
                .into_iter()
                .map(|p| p.strip_prefix(root).unwrap().to_path_buf()),
        );
    }
    out
}

/// Re-generate the fixtures with transformers and require identical files.
#[test]
fn fixtures_are_still_what_transformers_produces() {
    let Some(python) = std::env::var_os("TUNEFORGE_WORKER_PYTHON") else {
        assert!(
            std::env::var("TUNEFORGE_REQUIRE_PYTHON").as_deref() != Ok("1"),
            "TUNEFORGE_REQUIRE_PYTHON=1 but TUNEFORGE_WORKER_PYTHON is not set: point it at a python with transformers==5.23.0, tokenizers==0.23.3 and jinja2 (see tests/golden/generate.py)"
        );
        return;
    };
    let out = tempfile::tempdir().unwrap();
    let status = std::process::Command::new(&python)
        .arg(golden_dir().join("generate.py"))
        .arg(out.path())
        .stdout(std::process::Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", python.to_string_lossy()));
    assert!(
        status.status.success(),
        "generate.py failed: {}",
        String::from_utf8_lossy(&status.stderr)
    );
    let ours = files_under(&golden_dir());
    assert_eq!(files_under(out.path()), ours, "different file lists");
    for rel in ours {
        let want = std::fs::read(golden_dir().join(&rel)).unwrap();
        let got = std::fs::read(out.path().join(&rel)).unwrap();
        assert!(
            want == got,
            "{} differs from what transformers produces now; re-run generate.py and review the diff",
            rel.display()
        );
    }
}
