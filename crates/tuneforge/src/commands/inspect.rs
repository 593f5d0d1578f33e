//! `inspect`: a sample as the model sees it, its trained spans highlighted.

use anyhow::Result;

use super::Context;
use super::train::resolve_model;
use crate::exit::Exit;

pub fn inspect(ctx: &Context, args: crate::cli::InspectArgs) -> Result<Exit> {
    use std::io::IsTerminal;
    use tuneforge_core::records::TrainOn;
    use tuneforge_tokens::{ChatTemplate, TrainTurns};

    let file = if args.dataset.is_dir() {
        args.dataset.join("train.jsonl")
    } else {
        args.dataset.clone()
    };
    let samples = tuneforge_train::run::read_samples(&file)?;
    let Some(sample) = args.sample.checked_sub(1).and_then(|i| samples.get(i)) else {
        return Err(crate::exit::UsageError(format!(
            "{}: no sample {} (it has {})",
            file.display(),
            args.sample,
            samples.len()
        ))
        .into());
    };
    let model = resolve_model(ctx, &args.model, args.revision.as_deref())?;
    let template = ChatTemplate::from_model_dir(&model.dir)?;
    let turns = match sample.train_on {
        TrainOn::AllAssistant => TrainTurns::All,
        TrainOn::LastAssistant => TrainTurns::Last,
    };
    let rendered = template.render_chat(
        &tuneforge_tokens::sample_messages(sample),
        None,
        false,
        turns,
    )?;
    // NO_COLOR (no-color.org): any non-empty value turns colour off.
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let color = std::io::stdout().is_terminal() && !ctx.json && !no_color;
    let (open, close) = if color {
        ("\x1b[1;32m", "\x1b[0m")
    } else {
        ("⟦", "⟧")
    };
    let mut text = String::new();
    let mut at = 0;
    for span in &rendered.assistant_spans {
        text.push_str(&rendered.text[at..span.start]);
        text.push_str(open);
        text.push_str(&rendered.text[span.clone()]);
        text.push_str(close);
        at = span.end;
    }
    text.push_str(&rendered.text[at..]);
    let doc = serde_json::json!({
        "id": sample.id,
        "text": rendered.text,
        "trained_spans": rendered.assistant_spans.iter().map(|s| [s.start, s.end]).collect::<Vec<_>>(),
    });
    ctx.emit(&doc, || {
        format!(
            "sample {} ({}), {} trained span(s):\n{text}",
            args.sample,
            sample.id,
            rendered.assistant_spans.len()
        )
    });
    Ok(Exit::Success)
}
