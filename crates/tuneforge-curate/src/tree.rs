//! `tuneforge dedup` over any directory: every regular file (of the given extensions) read
//! and fingerprinted in parallel, then the same detector `clean` uses, each cluster keeping
//! its shortest path (the canonical copy, not one nested in a fixture or vendor directory).

use std::path::Path;

use rayon::prelude::*;
use serde::Serialize;
use tuneforge_core::fsio::{IoError, list_files};
use tuneforge_core::reporter::Reporter;

use crate::dedup::{DedupError, DedupOptions, DedupReport, Fingerprint, dedup, fingerprint};

#[derive(Debug, thiserror::Error)]
pub enum DedupTreeError {
    #[error(transparent)]
    Io(#[from] IoError),
    #[error(transparent)]
    Dedup(#[from] DedupError),
}

/// A file that could not be read; it takes no part in dedup.
#[derive(Debug, Clone, Serialize)]
pub struct Unreadable {
    pub path: String,
    pub error: String,
}

/// The duplicates of a tree. The report's document indices point into `paths`.
#[derive(Debug)]
pub struct TreeDedup {
    /// The files compared, relative to the tree.
    pub paths: Vec<String>,
    /// Their total size.
    pub bytes: u64,
    pub report: DedupReport,
    pub unreadable: Vec<Unreadable>,
}

/// Finds exact and near duplicates among the files of `dir` whose names end with one of
/// `extensions` (every file when it is empty).
pub fn dedup_tree(
    dir: &Path,
    extensions: &[String],
    options: &DedupOptions,
    reporter: &dyn Reporter,
) -> Result<TreeDedup, DedupTreeError> {
    let files: Vec<(String, std::path::PathBuf)> = list_files(dir)
        .map_err(|e| IoError::new("cannot read the tree", dir, e))?
        .files
        .into_iter()
        .filter(|(rel, _)| extensions.is_empty() || extensions.iter().any(|e| rel.ends_with(e)))
        .collect();

    let task = reporter.task("dedup: reading", Some(files.len() as u64));
    let read: Vec<Result<(Fingerprint, u64), String>> = files
        .par_iter()
        .map(|(_, path)| {
            let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
            task.advance(1);
            Ok((fingerprint(&bytes), bytes.len() as u64))
        })
        .collect();
    task.finish();
    let mut paths = Vec::with_capacity(files.len());
    let mut prints = Vec::with_capacity(files.len());
    let mut unreadable = Vec::new();
    let mut bytes = 0;
    for ((rel, _), r) in files.into_iter().zip(read) {
        match r {
            Ok((print, n)) => {
                paths.push(rel);
                prints.push(print);
                bytes += n;
            }
            Err(error) => {
                reporter.warn(&format!("{rel}: not read: {error}"));
                unreadable.push(Unreadable { path: rel, error });
            }
        }
    }

    let prefer = |a: usize, b: usize| {
        paths[a]
            .len()
            .cmp(&paths[b].len())
            .then_with(|| paths[a].cmp(&paths[b]))
    };
    let report = dedup(&prints, &prefer, options, reporter)?;
    Ok(TreeDedup {
        paths,
        bytes,
        report,
        unreadable,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shortest_path_of_a_cluster_is_kept_and_extensions_filter() {
        let tmp = tempfile::tempdir().unwrap();
        let text = "one two three four five six seven eight nine ten eleven twelve\n";
        std::fs::create_dir_all(tmp.path().join("deep/fixture")).unwrap();
        std::fs::write(tmp.path().join("a.php"), text).unwrap();
        std::fs::write(tmp.path().join("deep/fixture/a.php"), text).unwrap();
        std::fs::write(tmp.path().join("a.txt"), text).unwrap();
        let found = dedup_tree(
            tmp.path(),
            &[".php".to_string()],
            &DedupOptions::default(),
            &tuneforge_core::reporter::Silent,
        )
        .unwrap();
        assert_eq!(found.paths, ["a.php", "deep/fixture/a.php"]);
        assert_eq!(found.report.clusters.len(), 1);
        assert_eq!(found.paths[found.report.clusters[0].kept], "a.php");
        assert_eq!(found.bytes, 2 * text.len() as u64);
    }
}
