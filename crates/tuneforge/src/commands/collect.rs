use std::path::PathBuf;

use anyhow::{Result, anyhow, bail};
use tuneforge_capture::collect::{CollectError, CollectRequest, Stamp, Texts, collect as append};
use tuneforge_capture::rescue::{Rescue, capture_rescue};
use tuneforge_capture::text_source::TextSource;
use tuneforge_core::layout::PROXY_JOURNAL_DIR;
use tuneforge_core::layout::RAW_INTERACTIONS;
use tuneforge_core::records::SOURCE_MANUAL;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::Redactor;
use tuneforge_proxy::journal::read_journal;
use tuneforge_proxy::{consult, last_local_exchange};

use super::Context;
use super::proxy::experts;
use crate::cli::CollectArgs;
use crate::exit::Exit;

fn source(inline: Option<String>, file: Option<PathBuf>) -> TextSource {
    match (inline, file) {
        (Some(text), _) => TextSource::Inline(text),
        (None, Some(p)) if p.as_os_str() == "-" => TextSource::Stdin,
        (None, Some(p)) => TextSource::File(p),
        // clap requires one of the two.
        (None, None) => TextSource::Inline(String::new()),
    }
}

pub fn collect(ctx: &Context, args: CollectArgs) -> Result<Exit> {
    let ws = ctx.workspace()?;
    if args.last {
        return collect_last(ctx, &ws, args);
    }
    let sources = [
        ("query", source(args.query, args.query_file)),
        (
            "local-answer",
            source(args.local_answer, args.local_answer_file),
        ),
        (
            "expert-answer",
            source(args.expert_answer, args.expert_answer_file),
        ),
    ];
    let from_stdin: Vec<_> = sources
        .iter()
        .filter(|(_, s)| matches!(s, TextSource::Stdin))
        .map(|(flag, _)| format!("--{flag}-file -"))
        .collect();
    if from_stdin.len() > 1 {
        return Err(CollectError::SeveralFromStdin {
            flags: from_stdin.join(" and "),
        }
        .into());
    }
    let mut stdin = std::io::stdin().lock();
    let mut texts = Vec::with_capacity(3);
    for (flag, src) in &sources {
        texts.push((src.read(flag, &mut stdin)?, src.describe(flag)));
    }
    let mut texts = texts.into_iter();
    let (query, local_answer, expert_answer) = (
        texts.next().expect("three texts"),
        texts.next().expect("three texts"),
        texts.next().expect("three texts"),
    );
    let outcome = append(
        &ws,
        CollectRequest {
            texts: Texts {
                query,
                local_answer,
                expert_answer,
            },
            domain: args.domain,
            local_model: args.local_model,
            expert_model: args.expert_model,
            adapter: args.adapter,
            source: SOURCE_MANUAL.to_owned(),
        },
        Stamp::now(),
    )?;
    if let Some(torn) = outcome.torn_line_closed {
        ctx.reporter.warn(&format!(
            "{RAW_INTERACTIONS} line {torn} was cut off by an interrupted writer; it was closed off and kept, and `tuneforge validate` will report it"
        ));
    }
    ctx.emit(&outcome, || {
        let how = match &outcome.detection {
            None => "given".to_owned(),
            Some(d) => format!("detected: {}", d.reason),
        };
        let mut text = format!(
            "recorded {} as line {} of raw/interactions.jsonl (domain {}, {how})",
            outcome.interaction_id, outcome.line, outcome.domain
        );
        if args.explain {
            match &outcome.detection {
                None => text.push_str("\n  --domain was given, so no keywords were matched"),
                Some(d) if d.scores.is_empty() => {
                    text.push_str("\n  no keyword of any rule matched")
                }
                Some(d) => {
                    for s in &d.scores {
                        let kws: Vec<String> = s
                            .keywords
                            .iter()
                            .map(|k| format!("{:?}×{}", k.keyword, k.count))
                            .collect();
                        text.push_str(&format!(
                            "\n  {:<24} {:>3} match(es): {}",
                            s.domain,
                            s.matches,
                            kws.join(", ")
                        ));
                    }
                }
            }
        }
        text
    });
    Ok(Exit::Success)
}

/// `collect --last`: the proxy journal's last local exchange, escalated to an expert now.
fn collect_last(ctx: &Context, ws: &Workspace, args: CollectArgs) -> Result<Exit> {
    let journal_dir = ws.path(PROXY_JOURNAL_DIR);
    let read = read_journal(&journal_dir)?;
    for problem in &read.problems {
        ctx.reporter.warn(problem);
    }
    let Some(last) = last_local_exchange(&read) else {
        bail!(
            "no exchange with the local model in {}: run `tuneforge proxy`, ask through it, then collect --last",
            journal_dir.display()
        );
    };
    let config = &ws.config.proxy;
    let experts = experts(&config.experts, &[], &[], &[])?;
    let name = match (&args.expert, experts.len()) {
        (Some(name), _) => name.clone(),
        (None, 1) => experts.keys().next().cloned().unwrap_or_default(),
        (None, 0) => bail!("no expert to ask: add one under proxy.experts in pipeline.yaml"),
        (None, _) => bail!(
            "several experts are configured ({}); say which with --expert NAME",
            experts.keys().cloned().collect::<Vec<_>>().join(", ")
        ),
    };
    let Some(expert) = experts.get(&name) else {
        bail!(
            "no expert named {name:?} in proxy.experts (configured: {})",
            experts.keys().cloned().collect::<Vec<_>>().join(", ")
        );
    };
    let timeout = std::time::Duration::from_secs(config.idle_timeout_secs.max(1));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let answer = runtime
        .block_on(consult(expert, &last.request, timeout))
        .map_err(|e| anyhow!("expert {name}: {e}"))?;
    let redactor = ws
        .config
        .redact
        .enabled
        .then(|| Redactor::new(&ws.config.redact));
    let outcome = capture_rescue(
        ws,
        redactor.as_ref(),
        Rescue {
            query: last.query,
            local_answer: last.local_answer,
            expert_answer: answer,
            local_model: args.local_model.or(last.local_model),
            expert_model: Some(expert.model.clone().unwrap_or(name.clone())),
        },
        Stamp::now(),
    )?;
    ctx.emit(&outcome, || {
        format!(
            "recorded {} as line {} of {RAW_INTERACTIONS} (domain {}): the exchange of {} rescued by {name}",
            outcome.collected.interaction_id,
            outcome.collected.line,
            outcome.collected.domain,
            last.location
        )
    });
    Ok(Exit::Success)
}
