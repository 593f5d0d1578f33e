//! A loopback server in drupal.org's shapes for `bench/sources_bench.sh`: `N` contrib
//! projects over listing pages of 100, Composer metadata for the `KEPT` most used ones
//! pointing at git repositories served with `git http-backend` from `GIT_ROOT`.
//!
//!     fixture_server <fixtures/drupal dir> <git root> <projects> <kept>
//!
//! Prints its base URL on stdout, then serves until killed.

// An example is a program of its own: its output is the point.
#![allow(clippy::print_stdout, clippy::print_stderr)]

#[path = "../tests/support/mod.rs"]
mod support;

use serde_json::{Value, json};

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let [_, fixtures, git_root, projects, kept] = args.as_slice() else {
        eprintln!("usage: fixture_server <fixtures/drupal> <git root> <projects> <kept>");
        std::process::exit(2);
    };
    let projects: usize = projects.parse().expect("projects is a number");
    let kept: usize = kept.parse().expect("kept is a number");
    let read = |rel: &str| -> Value {
        let path = std::path::Path::new(fixtures).join(rel);
        serde_json::from_slice(&std::fs::read(&path).expect("fixture")).expect("fixture JSON")
    };
    let listing = read(
        "api-d7/node.json__type=project_module&field_project_type=full&status=1&limit=1&page=0.json",
    );
    let p2 = read("packages.drupal.org/files/packages/8/p2/drupal/example_module.json");
    let server = support::Server::start();
    server.serve_git(std::path::Path::new(git_root));
    let pages = projects.div_ceil(100);
    for page in 0..pages {
        let list: Vec<Value> = (page * 100..((page + 1) * 100).min(projects))
            .map(|i| {
                let mut n = listing["list"][0].clone();
                n["nid"] = json!((100_000 + i).to_string());
                n["field_project_machine_name"] = json!(format!("m{i:05}"));
                // The first `kept` projects are the only ones above the usage threshold.
                let usage = if i < kept { 100_000 - i } else { 10 };
                n["project_usage"] = json!({ "1.0.x": usage });
                n
            })
            .collect();
        let mut body = listing.clone();
        body["list"] = json!(list);
        body["last"] = json!(format!(
            "https://www.drupal.org/api-d7/node?type=project_module&page={}",
            pages - 1
        ));
        server.ok(
            &format!(
                "/api-d7/node.json?type=project_module&field_project_type=full&status=1&limit=100&page={page}"
            ),
            &serde_json::to_vec(&body).unwrap(),
        );
    }
    server.ok(
        "/8/packages.json",
        &serde_json::to_vec(&read("packages.drupal.org/8/packages.json")).unwrap(),
    );
    for i in 0..kept {
        let name = format!("m{i:05}");
        let mut versions = p2["packages"]["drupal/example_module"].clone();
        for v in versions.as_array_mut().unwrap() {
            v["source"]["url"] = json!(format!("{}/git/{name}.git", server.base));
            v["source"]["reference"] = json!("1.0.0");
        }
        let doc = json!({ "packages": { format!("drupal/{name}"): versions } });
        server.ok(
            &format!("/files/packages/8/p2/drupal/{name}.json"),
            &serde_json::to_vec(&doc).unwrap(),
        );
    }
    println!("{}", server.base);
    loop {
        std::thread::park();
    }
}
