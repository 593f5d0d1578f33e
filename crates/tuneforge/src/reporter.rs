//! The binary's [`Reporter`]: indicatif bars and log lines on stderr.

use indicatif::{MultiProgress, ProgressBar, ProgressDrawTarget, ProgressStyle};
use tuneforge_core::reporter::{Reporter, Task};

pub struct TermReporter {
    multi: MultiProgress,
    bars: bool,
    info: bool,
}

impl TermReporter {
    /// `bars`: draw progress (off with --no-progress, --json or a non-terminal stderr);
    /// `info`: print step lines (off with --json).
    pub fn new(bars: bool, info: bool) -> Self {
        let multi = MultiProgress::new();
        if !bars {
            multi.set_draw_target(ProgressDrawTarget::hidden());
        }
        Self { multi, bars, info }
    }

    /// A bar drawn with the others, so that lines printed meanwhile land above it instead
    /// of under its next redraw.
    pub fn add_bar(&self, bar: ProgressBar) -> ProgressBar {
        if self.bars {
            self.multi.add(bar)
        } else {
            ProgressBar::hidden()
        }
    }

    fn line(&self, text: &str) {
        if self.bars {
            let _ = self.multi.println(text);
        } else {
            eprintln!("{text}");
        }
    }
}

struct BarTask(ProgressBar);

impl Task for BarTask {
    fn advance(&self, n: u64) {
        self.0.inc(n);
    }
    fn finish(&self) {
        self.0.finish_and_clear();
    }
}

impl Reporter for TermReporter {
    fn task(&self, label: &str, total: Option<u64>) -> Box<dyn Task + '_> {
        let bar = match total {
            Some(t) => ProgressBar::new(t).with_style(
                ProgressStyle::with_template(
                    "{msg} [{bar:30}] {percent}% {elapsed_precise} ETA {eta}",
                )
                .expect("static template")
                .progress_chars("=> "),
            ),
            None => ProgressBar::new_spinner(),
        };
        let bar = self.multi.add(bar.with_message(label.to_owned()));
        Box::new(BarTask(bar))
    }

    fn warn(&self, message: &str) {
        self.line(&format!("warning: {message}"));
    }

    fn info(&self, message: &str) {
        if self.info {
            self.line(message);
        }
    }
}
