use std::path::PathBuf;

use anyhow::Result;
use tuneforge_capture::collect::{CollectError, CollectRequest, Stamp, Texts, collect as append};
use tuneforge_capture::text_source::TextSource;
use tuneforge_core::layout::RAW_INTERACTIONS;
use tuneforge_core::records::SOURCE_MANUAL;
use tuneforge_core::reporter::Reporter;

use super::Context;
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
