//! How the redactor behaves on real code: counts per kind (redacted and allowlisted) over
//! every file of some trees, and sample lines per kind, shown after redaction (a survey
//! must not print the secrets it finds).
//!
//!     cargo run --release -p tuneforge-curate --example redact_survey -- \
//!         [--ext php,yml,js] [--samples 40] /usr/share/php /usr/share/mediawiki

// An example is a program of its own: its output is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::collections::BTreeMap;

use tuneforge_core::config::RedactConfig;
use tuneforge_core::fsio::list_files;
use tuneforge_curate::redact::{RedactionCounts, Redactor};

fn main() {
    let mut exts = vec!["php".to_owned()];
    let mut limit = 40usize;
    let mut dirs = Vec::new();
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--ext" => {
                exts = args
                    .next()
                    .unwrap_or_default()
                    .split(',')
                    .map(str::to_owned)
                    .collect()
            }
            "--samples" => limit = args.next().and_then(|n| n.parse().ok()).unwrap_or(limit),
            _ => dirs.push(a),
        }
    }
    if dirs.is_empty() {
        eprintln!("usage: redact_survey [--ext php,yml] [--samples N] DIR...");
        std::process::exit(2);
    }
    let redactor = Redactor::new(&RedactConfig::default());
    let (mut counts, mut allowlisted) = (RedactionCounts::new(), RedactionCounts::new());
    let mut samples: BTreeMap<String, Vec<String>> = BTreeMap::new();
    let (mut files, mut bytes, mut hit) = (0usize, 0usize, 0usize);
    let started = std::time::Instant::now();
    for dir in &dirs {
        let Ok(listing) = list_files(std::path::Path::new(dir)) else {
            eprintln!("{dir}: not readable");
            continue;
        };
        for (rel, path) in listing.files {
            if !exts.iter().any(|e| rel.ends_with(&format!(".{e}"))) {
                continue;
            }
            let Ok(text) = std::fs::read_to_string(&path) else {
                continue;
            };
            files += 1;
            bytes += text.len();
            let mut found = RedactionCounts::new();
            let out = redactor.redact_with_allowlisted(&text, &mut found, &mut allowlisted);
            if found.is_empty() {
                continue;
            }
            hit += 1;
            for (kind, n) in &found {
                *counts.entry(kind.clone()).or_default() += n;
            }
            for (i, line) in out.lines().enumerate() {
                for kind in found.keys() {
                    if line.contains(&format!("<REDACTED:{kind}>")) {
                        let shown: String = line.trim().chars().take(160).collect();
                        samples
                            .entry(kind.clone())
                            .or_default()
                            .push(format!("{dir}/{rel}:{}: {shown}", i + 1));
                    }
                }
            }
        }
    }
    println!(
        "{files} files, {} MB, {hit} with redactions, {:.2?}",
        bytes / 1_000_000,
        started.elapsed()
    );
    println!("redacted: {counts:?}");
    println!("allowlisted: {allowlisted:?}");
    for (kind, lines) in &samples {
        println!("== {kind} ({} lines)", lines.len());
        let step = (lines.len() / limit.max(1)).max(1);
        for l in lines.iter().step_by(step).take(limit) {
            println!("  {l}");
        }
    }
}
