//! `tuneforge proxy`: settings from `pipeline.yaml` and flags, keys from the environment,
//! and one line per request served.

use std::io::Write as _;
use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result, bail};
use serde::Serialize;
use std::collections::BTreeMap;

use tuneforge_capture::collect::Stamp;
use tuneforge_capture::rescue::{Rescue as CaptureRescue, capture_rescue};
use tuneforge_core::config::ProxyEndpoint;
use tuneforge_core::layout::{PROXY_JOURNAL_DIR, RAW_INTERACTIONS};
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::Redactor;
use tuneforge_proxy::{
    ApiKey, Capture, Expert, Proxy, ProxyEvents, ProxyOptions, Rescue, Served, Upstream,
};

use super::Context;
use crate::cli::ProxyArgs;
use crate::exit::Exit;

/// One whole line on stderr, written at once, errors ignored: a server whose terminal
/// went away (a closed pipe) keeps serving instead of dying on its next log line.
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let line = format!($($arg)*);
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }};
}
pub(crate) use say;

/// A secret from the environment variable `var` names; `what` says what it is for.
fn secret(var: Option<&str>, what: &str) -> Result<Option<ApiKey>> {
    let Some(var) = var else {
        return Ok(None);
    };
    match ApiKey::from_env(var) {
        Some(key) => Ok(Some(key)),
        None => bail!(
            "{what} comes from the environment variable {var}, which is not set (or empty); export it and retry"
        ),
    }
}

/// One served request, as a line on stderr (or JSON on stdout with --json).
struct Lines {
    json: bool,
}

#[derive(Serialize)]
struct ServedLine<'a> {
    method: &'a str,
    path: &'a str,
    status: u16,
    bytes: u64,
    ms: f64,
    ending: String,
}

impl ProxyEvents for Lines {
    fn served(&self, s: &Served) {
        let ending = match &s.ending {
            tuneforge_proxy::Ending::Complete => "complete".to_owned(),
            tuneforge_proxy::Ending::ClientGone => "client gone".to_owned(),
            tuneforge_proxy::Ending::Refused => "refused".to_owned(),
            tuneforge_proxy::Ending::UpstreamFailed(m) => m.clone(),
        };
        let ms = s.elapsed.as_secs_f64() * 1000.0;
        if self.json {
            let line = ServedLine {
                method: &s.method,
                path: &s.path,
                status: s.status,
                bytes: s.bytes,
                ms,
                ending,
            };
            // A reader that went away is not the proxy's problem: it keeps serving.
            let _ = writeln!(
                std::io::stdout().lock(),
                "{}",
                serde_json::to_string(&line).expect("lines serialize")
            );
        } else {
            say!(
                "{} {} {} {} B {:.0} ms ({ending})",
                s.method,
                s.path,
                s.status,
                s.bytes,
                ms
            );
        }
    }

    fn journal_failed(&self, message: &str) {
        say!("warning: journal: {message}");
    }

    fn escalated(&self, expert: &str, outcome: &Result<String, String>) {
        match outcome {
            Ok(what) => say!("captured a rescue by {expert}: {what}"),
            Err(why) => say!("warning: {expert}'s answer: {why}"),
        }
    }
}

/// `NAME=VALUE` flags into a map; `flag` names the flag in errors.
fn pairs(values: &[String], flag: &str) -> Result<BTreeMap<String, String>> {
    values
        .iter()
        .map(|v| match v.split_once('=') {
            Some((name, value)) if !name.trim().is_empty() && !value.trim().is_empty() => {
                Ok((name.trim().to_owned(), value.trim().to_owned()))
            }
            _ => bail!("{flag} {v:?}: expected NAME=VALUE"),
        })
        .collect()
}

/// The experts of `pipeline.yaml` with the flags laid over them, their keys read from the
/// environment.
pub(crate) fn experts(
    config: &BTreeMap<String, ProxyEndpoint>,
    urls: &[String],
    models: &[String],
    key_envs: &[String],
) -> Result<BTreeMap<String, Expert>> {
    let mut merged = config.clone();
    for (name, url) in pairs(urls, "--expert")? {
        merged.entry(name).or_default().url = Some(url);
    }
    for (name, model) in pairs(models, "--expert-model")? {
        let Some(e) = merged.get_mut(&name) else {
            bail!("--expert-model {name}=…: no expert {name}; add --expert {name}=URL");
        };
        e.model = Some(model);
    }
    for (name, var) in pairs(key_envs, "--expert-key-env")? {
        let Some(e) = merged.get_mut(&name) else {
            bail!("--expert-key-env {name}=…: no expert {name}; add --expert {name}=URL");
        };
        e.api_key_env = Some(var);
    }
    merged
        .into_iter()
        .map(|(name, e)| {
            let Some(url) = e.url else {
                bail!("expert {name} has no URL: set proxy.experts.{name}.url or pass --expert {name}=URL");
            };
            let api_key = secret(e.api_key_env.as_deref(), &format!("expert {name}'s API key"))?;
            Ok((
                name,
                Expert {
                    upstream: Upstream { url, api_key },
                    model: e.model,
                },
            ))
        })
        .collect()
}

/// Rescues redacted and appended to the workspace's `raw/interactions.jsonl`.
struct WorkspaceCapture {
    ws: Workspace,
    redactor: Option<Redactor>,
}

impl Capture for WorkspaceCapture {
    fn capture(&self, rescue: Rescue) -> Result<String, String> {
        let outcome = capture_rescue(
            &self.ws,
            self.redactor.as_ref(),
            CaptureRescue {
                query: rescue.query,
                local_answer: rescue.local_answer,
                expert_answer: rescue.expert_answer,
                local_model: rescue.local_model,
                expert_model: rescue.expert_model,
            },
            Stamp::now(),
        )
        .map_err(|e| e.to_string())?;
        Ok(format!(
            "{} (domain {}, line {} of {RAW_INTERACTIONS})",
            outcome.collected.interaction_id, outcome.collected.domain, outcome.collected.line
        ))
    }
}

pub fn proxy(ctx: &Context, args: ProxyArgs) -> Result<Exit> {
    let ws = ctx.workspace()?;
    let config = &ws.config.proxy;
    let Some(local_url) = args.local.or_else(|| config.local.url.clone()) else {
        bail!(
            "no local model to forward to: pass --local http://127.0.0.1:8080/v1 (your llama-server, Ollama or vLLM) or set proxy.local.url in pipeline.yaml"
        );
    };
    let local_key_env = args
        .local_key_env
        .or_else(|| config.local.api_key_env.clone());
    let token_env = args.token_env.or_else(|| config.token_env.clone());
    let options = ProxyOptions {
        listen: args.listen.unwrap_or(config.listen),
        local: Upstream {
            url: local_url.clone(),
            api_key: secret(local_key_env.as_deref(), "the local endpoint's API key")?,
        },
        token: secret(token_env.as_deref(), "the proxy token")?,
        max_body_bytes: usize::try_from(config.max_body_bytes).unwrap_or(usize::MAX),
        connect_timeout: Duration::from_secs(config.connect_timeout_secs),
        idle_timeout: Duration::from_secs(config.idle_timeout_secs),
        journal_dir: Some(ws.path(PROXY_JOURNAL_DIR)),
        local_model: args.local_model.or_else(|| config.local.model.clone()),
        experts: experts(
            &config.experts,
            &args.expert,
            &args.expert_model,
            &args.expert_key_env,
        )?,
        escalation_patterns: config.escalation_patterns.clone(),
        capture: Some(Arc::new(WorkspaceCapture {
            redactor: ws
                .config
                .redact
                .enabled
                .then(|| Redactor::new(&ws.config.redact)),
            ws: ws.clone(),
        })),
    };
    let events = Arc::new(Lines { json: ctx.json });
    let journal = ws.path(PROXY_JOURNAL_DIR);
    until_ctrl_c("proxy", |stop| async move {
        let proxy = Proxy::bind(options, events).await?;
        let addr = proxy.local_addr();
        say!(
            "tuneforge proxy: http://{addr}/v1 -> {local_url}\n  point your editor or agent's OpenAI base URL at http://{addr}/v1; chat exchanges are journaled in {}; Ctrl-C stops",
            journal.display()
        );
        proxy.serve(stop).await?;
        Ok(())
    })?;
    Ok(Exit::Success)
}

/// Runs a server on a runtime of its own until Ctrl-C: the first lets the requests in
/// flight finish (`serve` gets the signal as a future), a second one ends the process.
pub(crate) fn until_ctrl_c<F, Fut>(what: &str, serve: F) -> Result<()>
where
    F: FnOnce(std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>) -> Fut,
    Fut: std::future::Future<Output = Result<()>>,
{
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .with_context(|| format!("cannot start the {what}'s runtime"))?;
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let _ = ctrlc::set_handler(move || {
        if stop.send_replace(true) {
            std::process::exit(130);
        }
    });
    runtime.block_on(serve(Box::pin(async move {
        let _ = stopped.wait_for(|stop| *stop).await;
    })))
}
