//! Helpers shared by the integration tests.

use std::path::Path;

/// The worker venv's python `scripts/test.sh` made (`tuneforge setup --with-tests`), or
/// `None` (the test skips) when the tests run without it; under `TUNEFORGE_REQUIRE_PYTHON=1`
/// (CI) its absence fails the test.
pub fn worker_python() -> Option<String> {
    match std::env::var("TUNEFORGE_WORKER_PYTHON") {
        Ok(p) if Path::new(&p).is_file() => Some(p),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_PYTHON").is_some() => {
            panic!("TUNEFORGE_REQUIRE_PYTHON is set but TUNEFORGE_WORKER_PYTHON is not a file")
        }
        _ => None,
    }
}
