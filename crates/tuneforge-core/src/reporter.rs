//! How library code tells the user what it is doing without printing.
//!
//! Stages take a `&dyn Reporter`. The binary implements it with progress bars and log lines
//! (or JSON / nothing); tests use [`Silent`] or a collecting reporter.

/// A unit of long work with an optional known size.
pub trait Task: Send + Sync {
    /// `n` more units done.
    fn advance(&self, n: u64);
    /// The work is over (successfully or not); the bar disappears.
    fn finish(&self);
}

pub trait Reporter: Sync {
    /// Start a task; `total` is the number of units when known (bytes, records).
    fn task(&self, label: &str, total: Option<u64>) -> Box<dyn Task + '_>;
    /// Something the user should know about that does not stop the work.
    fn warn(&self, message: &str);
    /// A step finished or a fact worth a line at normal verbosity.
    fn info(&self, message: &str);
}

/// Reports nothing.
pub struct Silent;

struct NoTask;

impl Task for NoTask {
    fn advance(&self, _: u64) {}
    fn finish(&self) {}
}

impl Reporter for Silent {
    fn task(&self, _: &str, _: Option<u64>) -> Box<dyn Task + '_> {
        Box::new(NoTask)
    }
    fn warn(&self, _: &str) {}
    fn info(&self, _: &str) {}
}
