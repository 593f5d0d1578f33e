//! `gguf BASE_DIR OUT.gguf TYPE [ADAPTER_DIR]`: a model GGUF (the adapter merged on the
//! way, if given), and `gguf --adapter BASE_DIR ADAPTER_DIR OUT.gguf TYPE`: an adapter GGUF;
//! for the GGUF tests and benchmarks. Prints the report as JSON.
#![allow(clippy::print_stdout, clippy::print_stderr)]

use std::path::Path;

use tuneforge_core::reporter::Silent;
use tuneforge_export::adapter::Adapter;
use tuneforge_export::gguf::{AdapterType, ModelType, export_adapter, export_model};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let [flag, base, adapter, out, ty] = args.as_slice()
        && flag == "--adapter"
    {
        let Some(ty) = AdapterType::parse(ty) else {
            eprintln!("unknown adapter type {ty}");
            std::process::exit(2);
        };
        let run = || -> Result<_, tuneforge_export::ExportError> {
            let adapter = Adapter::read(Path::new(adapter))?;
            export_adapter(
                Path::new(base),
                &adapter,
                Path::new(out),
                ty,
                "tiny",
                &Silent,
            )
        };
        print_or_exit(run());
        return;
    }
    let (base, out, ty, adapter) = match args.as_slice() {
        [b, o, t] => (b, o, t, None),
        [b, o, t, a] => (b, o, t, Some(a)),
        _ => {
            eprintln!("usage: gguf BASE_DIR OUT.gguf f32|f16|bf16|q8_0|q4_k|q4_k_m [ADAPTER_DIR]");
            std::process::exit(2);
        }
    };
    let Some(ty) = ModelType::parse(ty) else {
        eprintln!("unknown type {ty}");
        std::process::exit(2);
    };
    let run = || -> Result<_, tuneforge_export::ExportError> {
        let adapter = adapter.map(|a| Adapter::read(Path::new(a))).transpose()?;
        export_model(
            Path::new(base),
            adapter.as_ref(),
            Path::new(out),
            ty,
            "tiny",
            &Silent,
        )
    };
    print_or_exit(run());
}

fn print_or_exit<T: serde::Serialize>(result: Result<T, tuneforge_export::ExportError>) {
    match result {
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
