//! The tokenizer `tiny::train_tokenizer` writes gives transformers the same ids as
//! tuneforge: transformers rebuilds a `Qwen2TokenizerFast` from its own class, so the file
//! must hold Qwen2's normalizer and pre-tokenizer (a plain byte-level split once gave 844
//! of 846 documents different ids).

mod common;

use common::worker_python;

use std::process::Command;

use tuneforge_core::records::{Message, Role, Sample, SampleMetadata, TrainOn, sample_id};
use tuneforge_train::tiny::train_tokenizer;

fn sample(user: &str, answer: &str) -> Sample {
    let messages = vec![
        Message::new(Role::User, user),
        Message::new(Role::Assistant, answer),
    ];
    Sample {
        id: sample_id(&messages),
        messages,
        train_on: TrainOn::AllAssistant,
        metadata: SampleMetadata {
            domain: "d".into(),
            source: "s".into(),
            generator: "g".into(),
            license: None,
            timestamp: "2026-01-01T00:00:00Z".into(),
            local_model: None,
            expert_model: None,
            adapter: None,
            interaction_id: None,
            group: None,
        },
    }
}

#[test]
fn transformers_reads_the_trained_tokenizer_as_tuneforge_does() {
    let Some(python) = worker_python() else {
        return;
    };
    let texts = [
        "Create a block plugin with the #[Block] attribute, id \"hello_block\" and 11 items.",
        "<?php\n\nnamespace Drupal\\hello\\Plugin\\Block;\n\nfinal class HelloBlock extends BlockBase {\n  public function build(): array {\n    return ['#markup' => $this->t('Héllo wörld — 2026!')];\n  }\n}\n",
        "services:\n  hello.greeter:\n    class: Drupal\\hello\\Greeter\n    arguments: ['@current_user']\n",
        "It's 3.14159 — don't panic; we'll   fix\ttabs\r\nand CRLF.  ",
        "日本語のテキストと emoji 🎉 and combining e\u{301} (NFC)",
    ];
    let samples: Vec<Sample> = (0..40)
        .flat_map(|i| {
            texts
                .iter()
                .map(move |t| sample(&format!("Question {i}: {t}"), &format!("Answer {i}: {t}")))
        })
        .collect();
    let dir = tempfile::tempdir().unwrap();
    train_tokenizer(&samples, 600, dir.path()).unwrap();
    let ours = tuneforge_tokens::PrepTokenizer::from_model_dir(dir.path()).unwrap();
    let expected: Vec<Vec<u32>> = texts.iter().map(|t| ours.encode(t).unwrap().ids).collect();

    let script = r#"
import json, sys
from transformers import AutoTokenizer
tok = AutoTokenizer.from_pretrained(sys.argv[1])
texts = json.loads(sys.stdin.read())
print(json.dumps([tok(t, add_special_tokens=False).input_ids for t in texts]))
"#;
    let mut child = Command::new(&python)
        .args(["-c", script])
        .arg(dir.path())
        .env("HF_HUB_OFFLINE", "1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    use std::io::Write;
    child
        .stdin
        .take()
        .unwrap()
        .write_all(serde_json::to_string(&texts).unwrap().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let got: Vec<Vec<u32>> = serde_json::from_slice(&out.stdout).unwrap();
    for (i, (g, e)) in got.iter().zip(&expected).enumerate() {
        assert_eq!(g, e, "text {i}: {:?}", texts[i]);
    }
}
