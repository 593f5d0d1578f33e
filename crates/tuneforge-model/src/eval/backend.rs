//! Where answers come from: an OpenAI-compatible endpoint through the teacher client, or a
//! base model (with or without an adapter) through the worker.
//!
//! Both take the same [`Ask`]s and give one answer or one error per ask, in order, so the
//! run above them does not care which it talks to. Neither retries what it already has:
//! the endpoint's answers are in the teacher cache (keyed by endpoint, model, adapter,
//! prompt and decoding), the worker's in its answers file, which a rerun continues.

use std::path::{Path, PathBuf};

use serde::Serialize;
use tuneforge_core::records::{Message, Role};
use tuneforge_core::reporter::Reporter;
use tuneforge_teacher::{Prompt, Request, Teacher, TeacherOptions};
use tuneforge_tokens::{ChatTemplate, PrepTokenizer};
use tuneforge_train::env::WorkerEnv;
use tuneforge_train::generate::{
    GenerateReporter, GenerateRequest, GenerateSpec, generate as worker_generate,
};

use crate::ModelError;

/// Decoding settings, the same for every model of a run.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, serde::Deserialize)]
pub struct Decoding {
    /// 0 is greedy.
    pub temperature: f64,
    pub top_p: f64,
    pub max_tokens: u64,
    /// Sample `s` of a task is drawn with seed `seed + s`.
    pub seed: u64,
    /// Answers per task.
    pub samples: u32,
}

impl Default for Decoding {
    fn default() -> Self {
        Self {
            temperature: 0.0,
            top_p: 1.0,
            max_tokens: 1024,
            seed: 0,
            samples: 1,
        }
    }
}

/// One question to a model: a conversation or a raw prompt to continue.
#[derive(Debug, Clone, PartialEq)]
pub struct Ask {
    /// Unique within the run and model (`<suite>/<task>/<sample>`).
    pub id: String,
    pub prompt: Prompt,
    pub stop: Vec<String>,
    pub seed: u64,
}

/// A single user turn.
pub fn user_turn(text: &str) -> Prompt {
    Prompt::Chat(vec![Message::new(Role::User, text.to_owned())])
}

/// The worker's side of a model: the model directory, an optional adapter, and the
/// template and tokenizer that render and tokenize prompts exactly as training did.
pub struct WorkerModel {
    pub env: WorkerEnv,
    pub model_dir: PathBuf,
    pub adapter_dir: Option<PathBuf>,
    pub template: Option<ChatTemplate>,
    pub tokenizer: PrepTokenizer,
    pub pad_token_id: u32,
    pub batch_size: u32,
    pub bf16: bool,
    pub load_in_4bit: bool,
}

/// Where a model's answers come from.
pub enum Backend {
    Endpoint(Box<TeacherOptions>),
    Worker(Box<WorkerModel>),
}

/// The answer to one ask, or why there is none.
pub type Answer = Result<String, String>;

impl Backend {
    /// Whether the model takes conversations (an endpoint always does; a local model when
    /// it has a chat template).
    pub fn has_chat(&self) -> bool {
        match self {
            Backend::Endpoint(_) => true,
            Backend::Worker(w) => w.template.is_some(),
        }
    }

    /// One answer per ask, in order. `work_dir` holds the worker's files for this model.
    pub fn answer(
        &self,
        asks: &[Ask],
        decoding: &Decoding,
        work_dir: &Path,
        reporter: &dyn Reporter,
        generate_reporter: &dyn GenerateReporter,
    ) -> Result<Vec<Answer>, ModelError> {
        match self {
            Backend::Endpoint(options) => {
                let mut options = (**options).clone();
                options.temperature = decoding.temperature;
                options.max_tokens = decoding.max_tokens;
                options.seed = decoding.seed;
                let teacher =
                    Teacher::new(options).map_err(|e| ModelError::Usage(e.to_string()))?;
                let requests: Vec<Request> = asks
                    .iter()
                    .map(|a| Request {
                        prompt: a.prompt.clone(),
                        stop: a.stop.clone(),
                        seed: Some(a.seed),
                    })
                    .collect();
                let task = reporter.task("asking the endpoint", Some(asks.len() as u64));
                let out = teacher.answer_all(&requests, &*task);
                task.finish();
                Ok(out
                    .into_iter()
                    .map(|r| r.map(|c| c.content).map_err(|e| e.to_string()))
                    .collect())
            }
            Backend::Worker(model) => model.answer(asks, decoding, work_dir, generate_reporter),
        }
    }
}

impl WorkerModel {
    fn answer(
        &self,
        asks: &[Ask],
        decoding: &Decoding,
        work_dir: &Path,
        reporter: &dyn GenerateReporter,
    ) -> Result<Vec<Answer>, ModelError> {
        let mut requests = Vec::with_capacity(asks.len());
        let mut refused: Vec<Option<String>> = Vec::with_capacity(asks.len());
        for ask in asks {
            match self.tokenize(&ask.prompt) {
                Ok(input_ids) => {
                    requests.push(GenerateRequest {
                        id: ask.id.clone(),
                        input_ids,
                        max_new_tokens: decoding.max_tokens,
                        stop: ask.stop.clone(),
                        seed: ask.seed,
                    });
                    refused.push(None);
                }
                Err(e) => refused.push(Some(e)),
            }
        }
        let mut spec = GenerateSpec::new(
            self.model_dir.clone(),
            work_dir.join("requests.jsonl"),
            work_dir.join("answers.jsonl"),
            self.pad_token_id,
        );
        spec.adapter_dir = self.adapter_dir.clone();
        spec.batch_size = self.batch_size;
        spec.temperature = decoding.temperature;
        spec.top_p = decoding.top_p;
        spec.bf16 = self.bf16;
        spec.load_in_4bit = self.load_in_4bit;
        let answers = worker_generate(&self.env, &spec, &requests, work_dir, reporter)?;
        let by_id: std::collections::HashMap<&str, &str> = answers
            .iter()
            .map(|a| (a.id.as_str(), a.text.as_str()))
            .collect();
        Ok(asks
            .iter()
            .zip(refused)
            .map(|(ask, refused)| match refused {
                Some(e) => Err(e),
                None => by_id
                    .get(ask.id.as_str())
                    .map(|t| (*t).to_owned())
                    .ok_or_else(|| "the worker gave no answer".to_owned()),
            })
            .collect())
    }

    /// The prompt as training would render it (chat template with the generation prompt),
    /// tokenized.
    fn tokenize(&self, prompt: &Prompt) -> Result<Vec<u32>, String> {
        let text = match prompt {
            Prompt::Text(text) => text.clone(),
            Prompt::Chat(messages) => {
                let Some(template) = &self.template else {
                    return Err(format!(
                        "{} has no chat template: evaluate it in completion mode",
                        self.model_dir.display()
                    ));
                };
                let json: Vec<serde_json::Value> = messages
                    .iter()
                    .map(|m| serde_json::json!({"role": m.role.as_str(), "content": m.content}))
                    .collect();
                template
                    .render(&json, None, true)
                    .map_err(|e| format!("the chat template: {e}"))?
            }
        };
        self.tokenizer
            .encode(&text)
            .map(|e| e.ids)
            .map_err(|e| format!("the tokenizer: {e}"))
    }
}
