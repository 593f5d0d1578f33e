//! Command-line arguments. Only argument structs live here; `commands/` does the work.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

#[derive(Debug, Parser)]
#[command(
    name = "tuneforge",
    version,
    about = "Turn a domain's code, docs and expert answers into fine-tuned coding models",
    propagate_version = true
)]
pub struct Cli {
    #[command(flatten)]
    pub global: GlobalArgs,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Args)]
pub struct GlobalArgs {
    /// Machine-readable output: one JSON document on stdout.
    #[arg(long, global = true)]
    pub json: bool,
    /// Use caches only; never touch the network.
    #[arg(long, global = true)]
    pub offline: bool,
    /// No progress bars.
    #[arg(long, global = true)]
    pub no_progress: bool,
    /// More log output (-v, -vv).
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Workspace directory (default: the nearest parent holding pipeline.yaml).
    #[arg(long, global = true, env = "TUNEFORGE_WORKSPACE", value_name = "DIR")]
    pub workspace: Option<PathBuf>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a workspace with a commented pipeline.yaml.
    Init(InitArgs),
    /// Record one interaction: your local model's answer and an expert model's better one.
    Collect(Box<CollectArgs>),
    /// Run every stage that is not fresh.
    Run(RunArgs),
    /// Show which stages are fresh, stale or missing, and why.
    Status,
    /// Resolve every source in pipeline.yaml to a pinned commit or content hash
    /// (= run --only discover).
    Discover(NetworkStageArgs),
    /// Fetch every kept git source at its pinned commit into raw/code/ (= run --only acquire).
    Acquire(NetworkStageArgs),
    /// Filter, normalize and redact acquired code and docs into clean/ (= run --only clean).
    ///
    /// Exact and near duplicates are marked in clean/dedup_manifest.json, not deleted.
    Clean(StageArgs),
    /// PHP and Drupal YAML facts into analysis/facts.jsonl (= run --only analyze).
    ///
    /// Classes, plugins, hooks, services, routes, components, \Drupal:: calls, injection,
    /// and uses of deprecated symbols.
    Analyze(StageArgs),
    /// Instruction samples from the analyzed code, docs, a teacher and captured
    /// interactions into sft/ (= run --only generate).
    Generate(StageArgs),
    /// Gated samples → a versioned, grouped, decontaminated dataset/v<N>/ with its card
    /// (= run --only package).
    Package(StageArgs),
    /// Interactions → processed samples → versioned dataset splits (= run --only process).
    Process(ProcessArgs),
    /// Check every line of the workspace's data (= run --only validate).
    Validate(StageArgs),
    /// A new workspace on a built-in sample: the Drupal pipeline on a sample corpus, then a
    /// tiny model trained on the CPU (--preset interactions: the interactions workflow).
    ///
    /// Run it again on the same directory after Ctrl-C stopped its training: the training
    /// continues from its checkpoint.
    Quickstart(QuickstartArgs),
    /// What a drupal/core Composer constraint says about Drupal 11.
    Compat(CompatArgs),
    /// Run the Drupal 11 rules on a file or tree, printed like a linter.
    Check(CheckArgs),
    /// Quality-gate training samples (= run --only gate without FILE).
    ///
    /// Every code block of every trained answer goes through tree-sitter, the Drupal 11
    /// rules, and php -l, phpcs and phpstan when installed. Without FILE: the workspace's
    /// sft/combined.jsonl.
    Gate(GateArgs),
    /// The Drupal 11 rules' data: `rules mine` builds the deprecation list.
    #[command(subcommand)]
    Rules(RulesCommand),
    /// Find exact and near-duplicate files in any directory tree.
    ///
    /// MinHash + LSH over word 5-gram shingles; every pair verified by exact Jaccard.
    Dedup(DedupArgs),
    /// Create the Python environments training runs in.
    ///
    /// Installs uv from PyPI into a venv of tuneforge's own, then the worker's locked
    /// dependencies (torch, transformers, TRL, PEFT, bitsandbytes: about 6 GB once) into a
    /// venv in the user cache, keyed by the lock's hash and never modified afterwards.
    Setup(SetupArgs),
    /// What this machine can train: Python, torch, CUDA, GPUs, bitsandbytes, Unsloth,
    /// free disk, and what that means for each hardware profile.
    Doctor(DoctorArgs),
    /// Train a LoRA/QLoRA adapter on the workspace's dataset.
    ///
    /// Rust renders every sample with the model's chat template, tokenizes, masks and packs
    /// it; the worker (from `tuneforge setup`) runs the training. The adapter and a run
    /// manifest land in adapters/<model>/<domain or all>-lora-v<N>/.
    Train(Box<TrainArgs>),
    /// Evaluate a model, an adapter, or an adapter against its base on Drupal 11 tasks and
    /// executable PHP problems.
    ///
    /// Answers come from an OpenAI-compatible endpoint (--endpoint: vLLM, llama.cpp's
    /// server, Ollama, a hosted API) or from the worker (transformers + PEFT, prompts
    /// rendered with the chat template training used). Results, answers, metrics.json and
    /// report.md/report.html land in eval/<run>/; a rerun judges only what is missing.
    Eval(Box<EvalArgs>),
    /// Merge an adapter into its base model: a standalone model directory (safetensors,
    /// config, tokenizer, chat template), written shard by shard.
    ///
    /// Default: the workspace's newest finished adapter, written beside its run as
    /// adapters/<model>/<scope>-lora-v<N>-merged/.
    Export(ExportArgs),
    /// Merge the newest adapter of a domain (or of all data) into its base model, beside
    /// its run (= export --domain DOMAIN --format merged).
    Deploy(DeployArgs),
    /// An OpenAI-compatible server in front of your local model: point your editor or agent
    /// at http://<listen>/v1 and its requests reach the local model unchanged.
    Proxy(ProxyArgs),
    /// A page on loopback to accept, reject, re-domain or edit captured interactions before
    /// they reach a dataset (keyboard-driven; the printed URL carries this run's token).
    Review(ReviewArgs),
    /// Show samples as the model sees them: rendered with its chat template, the trained
    /// spans highlighted (green on a terminal, else between ⟦ and ⟧).
    Inspect(InspectArgs),
    /// What a dataset is made of: samples per generator, kind, domain and source, the share
    /// from test code, answer lengths, redaction placeholders and the prompt lint.
    Stats(StatsArgs),
    /// Render, tokenize, mask and pack a dataset for a model without training: the
    /// safetensors token data and tokens.json (counts, packing efficiency, rejections).
    Prepare(PrepareArgs),
    /// Build a tiny Qwen2 for trying the pipeline on a CPU: a tokenizer trained on a
    /// dataset's text, a model from a config around it (what the quickstart trains).
    TinyModel(TinyModelArgs),
}

#[derive(Debug, Args)]
pub struct TinyModelArgs {
    /// A dataset directory whose train.jsonl the tokenizer learns from.
    #[arg(long, value_name = "DIR")]
    pub dataset: PathBuf,
    /// The model directory to write.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 4000)]
    pub vocab_size: usize,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
}

#[derive(Debug, Args)]
pub struct PrepareArgs {
    /// A registry model, a Hugging Face repo id, or a model directory.
    #[arg(long)]
    pub model: String,
    #[arg(long)]
    pub revision: Option<String>,
    /// A dataset directory with train.jsonl (and valid.jsonl).
    #[arg(long, value_name = "DIR")]
    pub dataset: PathBuf,
    /// Where the safetensors files and tokens.json go.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    #[arg(long, default_value_t = 2048)]
    pub max_seq_len: u32,
    /// Keep the first max-seq-len tokens of longer samples instead of dropping them.
    #[arg(long)]
    pub truncate: bool,
    /// Break control-token strings found in sample text instead of rejecting the sample.
    #[arg(long)]
    pub escape_control_tokens: bool,
}

#[derive(Debug, Args)]
pub struct StatsArgs {
    /// A dataset version directory (its train, valid and test splits) or a samples .jsonl
    /// file; default: the workspace's newest dataset version.
    pub dataset: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct InspectArgs {
    /// A dataset directory (its train.jsonl) or a samples .jsonl file.
    pub dataset: PathBuf,
    /// A registry model, a Hugging Face repo id, or a model directory.
    #[arg(long)]
    pub model: String,
    #[arg(long)]
    pub revision: Option<String>,
    /// The sample's 1-based line number (default: the first).
    #[arg(long, default_value_t = 1)]
    pub sample: usize,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// A training run directory (default: the newest finished one).
    #[arg(value_name = "ADAPTER_DIR")]
    pub adapter: Option<PathBuf>,
    /// The newest finished run of this domain.
    #[arg(long, conflicts_with = "adapter")]
    pub domain: Option<String>,
    /// What to write: merged (a standalone Hugging Face model directory), gguf (the merged
    /// model as one GGUF file for llama.cpp, Ollama, LM Studio), gguf-adapter (the adapter
    /// alone, for `llama-server --lora`), ollama (a Modelfile and the merged GGUF, for
    /// `ollama create`), ollama-adapter (a Modelfile, the base's GGUF and the adapter's) or
    /// vllm (nothing written: the adapter checked for vLLM, and its `vllm serve` command).
    #[arg(long, default_value = "merged", value_parser = ["merged", "gguf", "gguf-adapter", "ollama", "ollama-adapter", "vllm"])]
    pub format: String,
    /// Tensor types of a GGUF: f32, f16, bf16, q8_0, q4_k or q4_k_m (llama.cpp's Q4_K_M
    /// mix; default f16, and q4_k_m for Ollama); of an adapter GGUF: f32, f16 or bf16
    /// (default f32).
    #[arg(long, value_name = "TYPE")]
    pub quant: Option<String>,
    /// Where to write it (default: beside the run: <run>-merged, <run>-<quant>.gguf,
    /// <run>-lora-<quant>.gguf).
    #[arg(long, value_name = "PATH")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct ProxyArgs {
    /// Address and port to listen on (default: proxy.listen, 127.0.0.1:8787); any address
    /// but loopback needs a token.
    #[arg(long, value_name = "ADDR:PORT")]
    pub listen: Option<std::net::SocketAddr>,
    /// The local model's OpenAI-compatible endpoint, up to /v1 (default: proxy.local.url).
    #[arg(long, value_name = "URL")]
    pub local: Option<String>,
    /// The environment variable holding the local endpoint's API key.
    #[arg(long, value_name = "VAR")]
    pub local_key_env: Option<String>,
    /// The environment variable holding the token clients must send as their API key.
    #[arg(long, value_name = "VAR")]
    pub token_env: Option<String>,
    /// The local model's name in captures (default: proxy.local.model, else the model the
    /// client asks for).
    #[arg(long, value_name = "NAME")]
    pub local_model: Option<String>,
    /// An expert "consult NAME" reaches: its endpoint up to /v1; repeatable.
    #[arg(long, value_name = "NAME=URL")]
    pub expert: Vec<String>,
    /// The model to ask an expert for; repeatable.
    #[arg(long, value_name = "NAME=MODEL")]
    pub expert_model: Vec<String>,
    /// The environment variable holding an expert's API key; repeatable.
    #[arg(long, value_name = "NAME=VAR")]
    pub expert_key_env: Vec<String>,
}

#[derive(Debug, Args)]
pub struct ReviewArgs {
    /// Loopback address and port (default: a free port on 127.0.0.1).
    #[arg(long, value_name = "ADDR:PORT", default_value = "127.0.0.1:0")]
    pub listen: std::net::SocketAddr,
}

#[derive(Debug, Args)]
pub struct DeployArgs {
    /// The domain whose newest adapter is merged (default: the runs on all data).
    pub domain: Option<String>,
}

#[derive(Debug, Args)]
pub struct EvalArgs {
    /// drupal11, php-exec or a JSON Lines suite file; repeatable (default: both built-in suites).
    #[arg(long, value_name = "SUITE|FILE")]
    pub suite: Vec<String>,
    /// The base model: a registry name, a Hugging Face repo id or a directory (default:
    /// the adapter's base).
    #[arg(long)]
    pub model: Option<String>,
    /// Branch, tag or commit of a hub model.
    #[arg(long)]
    pub revision: Option<String>,
    /// A training run directory (adapters/<model>/<scope>-lora-v<N>), or `latest`.
    #[arg(long, value_name = "DIR|latest")]
    pub adapter: Option<String>,
    /// Evaluate the base and the adapter on the same tasks and compare them.
    #[arg(long, value_name = "base,adapter", value_parser = ["base,adapter"])]
    pub compare: Option<String>,
    /// An OpenAI-compatible endpoint, up to /v1 (default: generate with the worker).
    #[arg(long, value_name = "URL")]
    pub endpoint: Option<String>,
    /// The model name the endpoint serves the base under.
    #[arg(long, value_name = "NAME")]
    pub served_model: Option<String>,
    /// The name the endpoint serves the adapter under (vLLM's --lora-modules NAME=DIR).
    #[arg(long, value_name = "NAME")]
    pub served_adapter: Option<String>,
    /// A second endpoint that serves the adapter (llama-server started with --lora).
    #[arg(long, value_name = "URL")]
    pub adapter_endpoint: Option<String>,
    /// The NAME of the environment variable holding the endpoint's API key.
    #[arg(long, value_name = "VAR")]
    pub api_key_env: Option<String>,
    /// How executable problems are asked: chat (instruct models) or completion (base models).
    #[arg(long, value_parser = ["chat", "completion"])]
    pub mode: Option<String>,
    /// Answers per task, for pass@k (more than 1 needs --temperature).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub samples: Option<u32>,
    /// Sampling temperature (default 0: greedy).
    #[arg(long)]
    pub temperature: Option<f64>,
    /// New tokens per answer (default 1024).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_tokens: Option<u64>,
    /// Seed of sample 0 (sample s uses seed + s).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Only the first N tasks of each suite.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub limit: Option<u64>,
    /// Prompts per batch when the worker generates (default 8).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub batch_size: Option<u32>,
    /// Requests in flight to the endpoint (default 4).
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub concurrency: Option<u64>,
    /// The run's directory name under eval/ (default: from the models and settings, so
    /// the same command continues the same run).
    #[arg(long, value_name = "NAME")]
    pub run: Option<String>,
    /// Skip the loss and perplexity on the adapter's test split.
    #[arg(long)]
    pub no_perplexity: bool,
}

#[derive(Debug, Args)]
pub struct TrainArgs {
    /// A registry model (qwen2.5-coder-7b-instruct, qwen2.5-coder-7b, qwen2.5-7b-instruct,
    /// qwen2.5-14b-instruct, ministral-3-8b), a Hugging Face repo id, or a model directory
    /// (default: train.model in pipeline.yaml).
    #[arg(long)]
    pub model: Option<String>,
    /// Branch, tag or commit of a hub model (default: the registry's).
    #[arg(long)]
    pub revision: Option<String>,
    /// Hardware profile: rtx4070-12gb, rtx3090-24gb, rtx4090-24gb, l40s-48gb, gpu-96gb.
    #[arg(long)]
    pub profile: Option<String>,
    /// Train on one domain's splits (dataset/v<N>/domains/<domain>/).
    #[arg(long)]
    pub domain: Option<String>,
    /// A dataset version directory (default: the workspace's newest dataset/v<N>).
    #[arg(long, value_name = "DIR")]
    pub dataset: Option<PathBuf>,
    /// Continue the newest run of this model and domain from its last checkpoint.
    #[arg(long)]
    pub resume: bool,
    /// Passes over the training split (default 3; fractions stop part-way).
    #[arg(long, value_parser = positive_f64)]
    pub epochs: Option<f64>,
    /// Stop after this many optimizer steps, whatever the epochs say.
    #[arg(long, value_parser = clap::value_parser!(u64).range(1..))]
    pub max_steps: Option<u64>,
    /// Peak learning rate of the cosine schedule (default 1e-4).
    #[arg(long, value_parser = positive_f64)]
    pub learning_rate: Option<f64>,
    /// Packed rows per device per step (default: the profile's, else 4).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub micro_batch: Option<u32>,
    /// Steps whose gradients add up before each optimizer step (default: the profile's, else 2).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub grad_accum: Option<u32>,
    /// Tokens per packed row; longer samples are dropped and counted (default: the profile's, else 2048).
    #[arg(long, value_parser = clap::value_parser!(u32).range(16..))]
    pub max_seq_len: Option<u32>,
    /// LoRA rank (default 64).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub lora_r: Option<u32>,
    /// LoRA alpha; the update is scaled by alpha / r (default 64).
    #[arg(long, value_parser = clap::value_parser!(u32).range(1..))]
    pub lora_alpha: Option<u32>,
    /// Load the base in 4 bits (QLoRA).
    #[arg(long, overrides_with = "no_4bit")]
    pub load_in_4bit: bool,
    /// Load the base in 16 bits even if the profile says 4.
    #[arg(long)]
    pub no_4bit: bool,
    /// Seed of LoRA's initialization and the data order (default 42).
    #[arg(long)]
    pub seed: Option<u64>,
    /// Evaluate on the valid split every this many steps (default 50; 0: never).
    #[arg(long)]
    pub eval_every: Option<u64>,
    /// Save a resumable checkpoint every this many steps (default 100; 0: none during the run).
    #[arg(long)]
    pub save_every: Option<u64>,
    /// Worker processes, one per GPU, through torchrun (DDP). Without CUDA they are CPU
    /// processes talking over gloo.
    #[arg(long, default_value_t = 1, value_parser = clap::value_parser!(u32).range(1..=64))]
    pub gpus: u32,
    /// Out-of-memory retries, each with half the micro-batch and twice the accumulation.
    #[arg(long, default_value_t = 3)]
    pub oom_retries: u32,
    /// Train a registry model (7B and up) even without a CUDA GPU. It will be slow.
    #[arg(long)]
    pub allow_cpu: bool,
    /// Testing hook: the worker raises a real out-of-memory error at this step.
    #[arg(long, hide = true)]
    pub test_oom_at_step: Option<u64>,
}

#[derive(Debug, Args)]
pub struct SetupArgs {
    /// Also create the Unsloth environment (needs a CUDA GPU).
    #[arg(long)]
    pub gpu: bool,
    /// The Python 3.11–3.13 interpreter the venvs are made from (default: python3).
    #[arg(long, env = "TUNEFORGE_PYTHON", value_name = "PATH")]
    pub python: Option<PathBuf>,
    /// Add the worker's test dependencies (pytest, jsonschema).
    #[arg(long)]
    pub with_tests: bool,
    /// Print only the worker venv's python path on stdout (for scripts).
    #[arg(long)]
    pub print_python: bool,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// The interpreter `setup` was given, if not python3.
    #[arg(long, env = "TUNEFORGE_PYTHON", value_name = "PATH")]
    pub python: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum PresetArg {
    Drupal11,
    Interactions,
}

#[derive(Debug, Args)]
pub struct InitArgs {
    /// Directory of the new workspace (created if missing).
    pub dir: PathBuf,
    #[arg(long, value_enum, default_value = "drupal11")]
    pub preset: PresetArg,
}

#[derive(Debug, Args)]
pub struct CollectArgs {
    /// What you asked.
    #[arg(
        long,
        conflicts_with = "query_file",
        required_unless_present_any = ["query_file", "last"],
        allow_hyphen_values = true,
        num_args = 1
    )]
    pub query: Option<String>,
    /// Read the query from a file (`-` for stdin).
    #[arg(long, value_name = "PATH")]
    pub query_file: Option<PathBuf>,
    /// What the local model answered.
    #[arg(
        long,
        conflicts_with = "local_answer_file",
        required_unless_present_any = ["local_answer_file", "last"],
        allow_hyphen_values = true,
        num_args = 1
    )]
    pub local_answer: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub local_answer_file: Option<PathBuf>,
    /// What the expert model answered.
    #[arg(
        long,
        conflicts_with = "expert_answer_file",
        required_unless_present_any = ["expert_answer_file", "last"],
        allow_hyphen_values = true,
        num_args = 1
    )]
    pub expert_answer: Option<String>,
    #[arg(long, value_name = "PATH")]
    pub expert_answer_file: Option<PathBuf>,
    /// Domain (default: detected from the keyword rules in pipeline.yaml).
    #[arg(long)]
    pub domain: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub local_model: Option<String>,
    #[arg(long, value_name = "NAME")]
    pub expert_model: Option<String>,
    /// The local model's LoRA adapter, if it used one.
    #[arg(long, value_name = "NAME")]
    pub adapter: Option<String>,
    /// Show which keywords matched and how the domain was chosen.
    #[arg(long)]
    pub explain: bool,
    /// Escalate the proxy's last exchange: ask an expert (proxy.experts) the question the
    /// local model answered last, and record the rescue.
    #[arg(long, conflicts_with_all = ["query", "query_file", "local_answer", "local_answer_file", "expert_answer", "expert_answer_file"])]
    pub last: bool,
    /// The expert --last asks (default: the only one configured).
    #[arg(long, value_name = "NAME", requires = "last")]
    pub expert: Option<String>,
}

#[derive(Debug, Args)]
pub struct RunArgs {
    /// Run this stage and every later one, fresh or not.
    #[arg(long, value_name = "STAGE", conflicts_with = "only")]
    pub from: Option<String>,
    /// Run only this stage.
    #[arg(long, value_name = "STAGE")]
    pub only: Option<String>,
    /// Run even when fresh.
    #[arg(long)]
    pub force: bool,
    /// Re-query network stages even when fresh.
    #[arg(long)]
    pub refresh: bool,
}

#[derive(Debug, Args)]
pub struct StageArgs {
    /// Run even when fresh.
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct NetworkStageArgs {
    #[command(flatten)]
    pub stage: StageArgs,
    /// Query the network again even when fresh.
    #[arg(long)]
    pub refresh: bool,
}

#[derive(Debug, Args)]
pub struct ProcessArgs {
    #[command(flatten)]
    pub stage: StageArgs,
    /// Afterwards copy the dataset to snapshots/v<YYYY-MM-DD>[-N]/.
    #[arg(long)]
    pub snapshot: bool,
}

#[derive(Debug, Args)]
pub struct QuickstartArgs {
    /// Directory of the new workspace.
    #[arg(default_value = "tuneforge-quickstart")]
    pub dir: PathBuf,
    /// drupal11: the built-in sample corpus through discover … package; interactions: the
    /// built-in captured interactions through process and validate.
    #[arg(long, value_enum, default_value = "drupal11")]
    pub preset: PresetArg,
    /// Stop at the dataset: no tiny-model training run (drupal11 preset).
    #[arg(long)]
    pub no_train: bool,
}

#[derive(Debug, Args)]
pub struct CompatArgs {
    /// A Composer constraint, e.g. '^10.3 || ^11'.
    pub constraint: String,
    /// The Drupal 11 release `admits_latest_11` is checked against.
    #[arg(long, value_name = "VERSION", default_value = tuneforge_sources::compat::DEFAULT_LATEST_CORE)]
    pub core: String,
}

#[derive(Debug, Args)]
pub struct DedupArgs {
    /// The tree to read (regular files; symlinks and .git/ are not followed).
    pub dir: PathBuf,
    /// Only files whose name ends with this, e.g. `.php` (repeatable; default: every file).
    #[arg(long, value_name = "SUFFIX")]
    pub ext: Vec<String>,
    /// Files whose shingles reach this exact Jaccard are near duplicates.
    #[arg(long, default_value_t = 0.85)]
    pub threshold: f64,
    /// Also list every verified pair with its Jaccard.
    #[arg(long)]
    pub pairs: bool,
}

#[derive(Debug, Subcommand)]
pub enum RulesCommand {
    /// Mine every `@deprecated in drupal:X and is removed from drupal:Y` docblock and
    /// `trigger_error(…, E_USER_DEPRECATED)` of a Drupal core checkout.
    Mine(MineArgs),
}

#[derive(Debug, Args)]
pub struct MineArgs {
    /// A Drupal checkout (its `core/` is read) or a `drupal/core` tree.
    pub checkout: PathBuf,
    /// Where to write the list (default: the workspace's `rules.deprecations`, else
    /// `rules/deprecations.jsonl`).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// A PHP or Drupal YAML file, or a tree of them.
    pub path: PathBuf,
    /// The mined deprecation list (default: the workspace's `rules.deprecations`, if any).
    #[arg(long, value_name = "FILE")]
    pub deprecations: Option<PathBuf>,
    /// Report PHP files without declare(strict_types=1) (default: the workspace's
    /// `rules.require_strict_types`).
    #[arg(long)]
    pub strict_types: bool,
    /// Check test code too (tests/ directories, test modules and themes, fixtures), which
    /// breaks rules on purpose and is left out by default.
    #[arg(long)]
    pub include_tests: bool,
}

#[derive(Debug, Args)]
pub struct GateArgs {
    /// Sample JSON lines to gate (one tuneforge sample per line).
    pub file: Option<PathBuf>,
    /// Where report.json, rejected.jsonl and accepted.jsonl go (with FILE).
    #[arg(long, value_name = "DIR", default_value = tuneforge_core::layout::QUALITY_DIR)]
    pub out: PathBuf,
    #[command(flatten)]
    pub stage: StageArgs,
}

/// A number above zero (epochs, learning rates).
fn positive_f64(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(v) if v.is_finite() && v > 0.0 => Ok(v),
        Ok(_) => Err("give a number above 0".into()),
        Err(e) => Err(e.to_string()),
    }
}
