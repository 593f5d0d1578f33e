//! `merge BASE_DIR ADAPTER_DIR OUT_DIR`: the streaming merge alone, for `bench/merge_bench.sh`
//! (which measures its wall time and peak memory against PEFT's). Prints the report as JSON.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use tuneforge_core::reporter::Silent;
use tuneforge_export::adapter::Adapter;
use tuneforge_export::merge::merge;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [base, adapter, out] = args.as_slice() else {
        eprintln!("usage: merge BASE_DIR ADAPTER_DIR OUT_DIR");
        std::process::exit(2);
    };
    let run = || -> Result<_, tuneforge_export::ExportError> {
        let adapter = Adapter::read(Path::new(adapter))?;
        merge(Path::new(base), &adapter, Path::new(out), &Silent)
    };
    match run() {
        Ok(report) => println!(
            "{}",
            serde_json::to_string(&report).expect("reports serialize")
        ),
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
