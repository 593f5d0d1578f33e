//! `tuneforge discover` on local directories and git repositories the test creates.

mod common;

use std::path::Path;
use std::process::Command;

use common::*;

fn git(dir: &Path, args: &[&str]) -> String {
    let out = Command::new("git")
        .args([
            "-c",
            "user.name=t",
            "-c",
            "user.email=t@example.com",
            "-c",
            "init.defaultBranch=main",
        ])
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "git {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_owned()
}

fn commit(repo: &Path, file: &str, content: &str) -> String {
    std::fs::write(repo.join(file), content).unwrap();
    git(repo, &["add", "."]);
    git(repo, &["commit", "-q", "-m", file]);
    git(repo, &["rev-parse", "HEAD"])
}

fn sources(ws: &Path, yaml: &str) {
    let cfg = std::fs::read_to_string(ws.join("pipeline.yaml")).unwrap();
    assert!(cfg.contains("sources: []"));
    std::fs::write(ws.join("pipeline.yaml"), cfg.replace("sources: []", yaml)).unwrap();
}

fn discovered(ws: &Path, extra: &[&str]) -> serde_json::Value {
    let out = tf_in(ws)
        .args(["--json", "discover"])
        .args(extra)
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    serde_json::from_slice(&out.stdout).unwrap()
}

fn source<'a>(doc: &'a serde_json::Value, name: &str) -> &'a serde_json::Value {
    doc["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == name)
        .unwrap_or_else(|| panic!("no source {name} in {doc}"))
}

#[test]
fn local_and_git_sources_are_pinned_and_reused_until_refresh() {
    let (tmp, ws) = workspace();
    let repo = tmp.path().join("lib");
    std::fs::create_dir_all(&repo).unwrap();
    git(&repo, &["init", "-q"]);
    let tagged = commit(&repo, "a.php", "<?php\n");
    git(&repo, &["tag", "-a", "v1.0.0", "-m", "release"]);
    let head = commit(&repo, "b.php", "<?php // 2\n");
    let module = ws.join("code/my_module");
    std::fs::create_dir_all(module.join("src")).unwrap();
    std::fs::write(
        module.join("my_module.info.yml"),
        "name: My\ncore_version_requirement: ^11\n",
    )
    .unwrap();
    std::fs::write(module.join("src/Thing.php"), "<?php\n").unwrap();
    let url = repo.display().to_string();
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: path, name: my-module, path: code/my_module}}\n  - {{type: git, name: lib, url: {url}, ref: main}}\n  - {{type: git, name: lib-release, url: {url}, ref: v1.0.0}}\n  - {{type: git, name: lib-pinned, url: {url}, ref: {tagged}}}\n  - {{type: git, name: lib-relative, url: ../lib, ref: main}}\n  - {{type: git, name: lib-tag-ref, url: {url}, ref: refs/tags/v1.0.0}}\n  - {{type: git, name: lib, url: {url}, ref: main}}\n  - {{type: urls, name: notes, urls: [https://example.org/page.html, ftp://example.org/x]}}\n"
        ),
    );

    let doc = discovered(&ws, &[]);
    let m = source(&doc, "my-module");
    assert_eq!(m["status"], "kept");
    assert_eq!(m["files"], 2);
    assert_eq!(source(&doc, "lib")["commit"], head.as_str());
    // An annotated tag pins the commit it points at, not the tag object.
    assert_eq!(source(&doc, "lib-release")["commit"], tagged.as_str());
    assert_eq!(source(&doc, "lib-pinned")["commit"], tagged.as_str());
    // Relative to the workspace, whatever the current directory.
    assert_eq!(source(&doc, "lib-relative")["commit"], head.as_str());
    assert_eq!(source(&doc, "lib-tag-ref")["commit"], tagged.as_str());
    let dups: Vec<_> = doc["sources"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|s| s["name"] == "lib")
        .collect();
    assert_eq!(dups[1]["status"], "dropped");
    assert_eq!(source(&doc, "notes/1")["status"], "kept");
    assert_eq!(source(&doc, "notes/2")["status"], "dropped");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("sources/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["stage"], "discover");
    assert_eq!(
        manifest["report"]["candidates"].as_array().unwrap().len(),
        9
    );

    // A new upstream commit changes nothing until --refresh: a fresh network stage is not re-queried.
    let newer = commit(&repo, "c.php", "<?php // 3\n");
    let run = tf_in(&ws)
        .args(["--json", "run", "--only", "discover"])
        .output()
        .unwrap();
    let run: serde_json::Value = serde_json::from_slice(&run.stdout).unwrap();
    assert_eq!(stage(&run, "discover")["ran"], false);

    // A local change makes discover stale, and says which source; git pins are reused.
    std::fs::write(module.join("src/Thing.php"), "<?php // changed\n").unwrap();
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(text.contains("input path:my-module changed"), "{text}");
    let doc = discovered(&ws, &[]);
    assert_eq!(source(&doc, "lib")["commit"], head.as_str());
    assert!(
        source(&doc, "lib")["reason"]
            .as_str()
            .unwrap()
            .contains("pinned by an earlier run")
    );

    // --refresh re-resolves.
    let doc = discovered(&ws, &["--refresh"]);
    assert_eq!(source(&doc, "lib")["commit"], newer.as_str());
    assert_eq!(source(&doc, "lib-release")["commit"], tagged.as_str());

    // Offline, a network stage keeps its last outputs.
    let out = tf_in(&ws)
        .args(["--offline", "--json", "discover", "--force"])
        .output()
        .unwrap();
    let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(stage(&doc["run"], "discover")["ran"], false);
    assert!(
        stage(&doc["run"], "discover")["reason"]
            .as_str()
            .unwrap()
            .starts_with("offline")
    );
}

#[test]
fn a_missing_directory_is_dropped_with_the_fix() {
    let (_tmp, ws) = workspace();
    sources(
        &ws,
        "sources:\n  - {type: path, name: nowhere, path: does/not/exist}\n",
    );
    let doc = discovered(&ws, &[]);
    let c = source(&doc, "nowhere");
    assert_eq!(c["status"], "dropped");
    assert!(
        c["reason"]
            .as_str()
            .unwrap()
            .contains("fix `path` in pipeline.yaml"),
        "{c}"
    );
}

/// A git repository at `repo` with one commit; its path as a source URL.
fn one_commit_repo(repo: &Path) -> String {
    std::fs::create_dir_all(repo).unwrap();
    git(repo, &["init", "-q"]);
    commit(repo, "a.php", "<?php\n");
    repo.display().to_string()
}

#[test]
fn an_unresolvable_source_is_dropped_and_retried_next_run() {
    let (tmp, ws) = workspace();
    let url = one_commit_repo(&tmp.path().join("lib"));
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: git, name: gone, url: {url}, ref: no-such-branch}}\n  - {{type: git, name: nowhere, url: ../no-repo-here, ref: main}}\n"
        ),
    );
    let doc = discovered(&ws, &[]);
    let gone = source(&doc, "gone");
    assert_eq!(gone["status"], "dropped");
    assert!(
        gone["reason"].as_str().unwrap().contains("no-such-branch"),
        "{gone}"
    );
    let nowhere = source(&doc, "nowhere")["reason"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(nowhere.contains("fatal:"), "{nowhere}");
    // Not fresh: the next run tries again.
    let text = stdout(&tf_in(&ws).arg("status").output().unwrap());
    assert!(text.contains("could not resolve gone, nowhere"), "{text}");
    git(Path::new(&url), &["branch", "no-such-branch"]);
    let doc = discovered(&ws, &[]);
    assert_eq!(source(&doc, "gone")["status"], "kept");
}

#[path = "../../tuneforge-sources/tests/support/mod.rs"]
mod support;

#[test]
fn contrib_discovery_through_the_stage_and_zero_downloads_on_rerun() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/drupal");
    let read = |rel: &str| std::fs::read(fixtures.join(rel)).unwrap();
    let server = support::Server::start();
    let listing = read(
        "api-d7/node.json__type=project_module&field_project_type=full&status=1&limit=1&page=0.json",
    );
    let mut page: serde_json::Value = serde_json::from_slice(&listing).unwrap();
    page["last"] =
        serde_json::json!("https://www.drupal.org/api-d7/node?type=project_module&page=0");
    server.ok(
        "/api-d7/node.json?type=project_module&field_project_type=full&status=1&limit=100&page=0",
        &serde_json::to_vec(&page).unwrap(),
    );
    server.ok(
        "/8/packages.json",
        &read("packages.drupal.org/8/packages.json"),
    );
    server.ok(
        "/files/packages/8/p2/drupal/example_module.json",
        &read("packages.drupal.org/files/packages/8/p2/drupal/example_module.json"),
    );
    let (_tmp, ws) = workspace();
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: drupal-contrib, api_url: {b}/api-d7, packages_url: {b}/8, min_usage: 1000}}\n",
            b = server.base
        ),
    );
    let doc = discovered(&ws, &[]);
    let c = source(&doc, "drupal/example_module");
    assert_eq!(c["status"], "kept", "{c}");
    assert_eq!(c["release"], "2.1.0");
    assert_eq!(c["git_ref"], "2.1.0");
    let requests = server.log().len();
    assert_eq!(requests, 3);

    // Fresh: the stage does not run, no request is made. Acquire then cannot reach the
    // project's git repository (git.drupalcode.org, not served here): the run fails, naming it.
    let out = tf_in(&ws).arg("run").output().unwrap();
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("acquire: could not fetch drupal/example_module"),
        "{}",
        stderr(&out)
    );
    assert_eq!(server.log().len(), requests);
    // --refresh revalidates: every request is conditional, nothing is downloaded again.
    let doc = discovered(&ws, &["--refresh"]);
    assert_eq!(source(&doc, "drupal/example_module")["release"], "2.1.0");
    let log = server.log();
    assert_eq!(log.len(), 2 * requests);
    assert!(
        log[requests..].iter().all(|l| l.if_none_match.is_some()),
        "{log:?}"
    );
}

#[test]
fn acquire_fetches_the_pinned_commit_cleans_it_and_reuses_it() {
    let (tmp, ws) = workspace();
    let repo = tmp.path().join("lib");
    std::fs::create_dir_all(repo.join("src")).unwrap();
    git(&repo, &["init", "-q"]);
    std::fs::write(repo.join("src/Thing.php"), "<?php\nfinal class Thing {}\n").unwrap();
    std::fs::write(repo.join("logo.png"), b"\x89PNG\r\n\x1a\n\0\0\0binary").unwrap();
    std::fs::write(repo.join("huge.sql"), "x".repeat(2 << 20)).unwrap();
    std::os::unix::fs::symlink("../../../../etc/passwd", repo.join("src/escape")).unwrap();
    std::os::unix::fs::symlink("Thing.php", repo.join("src/alias.php")).unwrap();
    let pinned = commit(
        &repo,
        "lib.info.yml",
        "name: Lib\ncore_version_requirement: ^11\n",
    );
    commit(&repo, "later.php", "<?php // after the pin\n");
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: git, name: lib, url: {}, ref: {pinned}}}\n",
            repo.display()
        ),
    );
    let out = tf_in(&ws)
        .args(["--json", "run", "--only", "discover"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let out = tf_in(&ws)
        .args(["--json", "run", "--only", "acquire"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));

    let code = ws.join("raw/code/lib");
    assert!(code.join("src/Thing.php").is_file());
    assert!(
        code.join("src/alias.php").exists(),
        "a symlink inside the repo stays"
    );
    assert!(
        !code.join("later.php").exists(),
        "exactly the pinned commit"
    );
    assert!(!code.join(".git").exists());
    for gone in ["logo.png", "huge.sql", "src/escape"] {
        assert!(
            std::fs::symlink_metadata(code.join(gone)).is_err(),
            "{gone} kept"
        );
    }
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    let r = &manifest["report"]["repositories"][0];
    assert_eq!(r["commit"], pinned.as_str());
    assert_eq!(r["outcome"], "fetched");
    let skipped: Vec<&str> = r["skipped"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["path"].as_str().unwrap())
        .collect();
    assert_eq!(skipped, vec!["huge.sql", "logo.png", "src/escape"]);
    let first_fetched_at = r["fetched_at"].clone();
    assert!(first_fetched_at.as_str().is_some_and(|t| t.ends_with('Z')));

    // A rerun reuses what is there; an interrupted fetch is redone from scratch.
    let out = tf_in(&ws)
        .args(["--json", "acquire", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["report"]["repositories"][0]["outcome"], "reused");
    assert_eq!(
        manifest["report"]["repositories"][0]["fetched_at"], first_fetched_at,
        "a reused repository keeps the time it was fetched"
    );
    // Killed before its manifest was written: what was finished is still reused.
    std::fs::remove_file(ws.join("raw/manifest.json")).unwrap();
    let out = tf_in(&ws).args(["--json", "acquire"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    assert_eq!(manifest["report"]["repositories"][0]["outcome"], "reused");
    assert_eq!(
        manifest["report"]["repositories"][0]["commit"],
        pinned.as_str()
    );
    std::fs::remove_dir_all(&code).unwrap();
    std::fs::create_dir_all(ws.join("raw/code/.staging-lib/half")).unwrap();
    let out = tf_in(&ws)
        .args(["--json", "acquire", "--force"])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    let r = &manifest["report"]["repositories"][0];
    assert_eq!(r["outcome"], "fetched");
    assert_eq!(r["refetched"], true);
    assert!(!ws.join("raw/code/.staging-lib").exists());
    assert!(code.join("src/Thing.php").is_file());
}

#[test]
fn docs_pages_are_acquired_as_served_and_robots_txt_is_honored() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/drupal");
    let cn: serde_json::Value = serde_json::from_slice(
        &std::fs::read(
            fixtures.join("api-d7/node.json__type=changenotice&field_project=3060.json"),
        )
        .unwrap(),
    )
    .unwrap();
    let server = support::Server::start();
    let mut page = cn.clone();
    let mut nodes = Vec::new();
    for nid in ["10", "11", "12"] {
        let mut n = cn["list"][0].clone();
        n["nid"] = serde_json::json!(nid);
        server.ok(
            &format!("/api-d7/node/{nid}.json"),
            &serde_json::to_vec(&n).unwrap(),
        );
        nodes.push(n);
    }
    page["list"] = serde_json::json!(nodes);
    page["last"] = serde_json::json!(
        "https://www.drupal.org/api-d7/node?type=changenotice&field_project=3060&page=0"
    );
    server.ok(
        "/api-d7/node.json?type=changenotice&field_project=3060&page=0",
        &serde_json::to_vec(&page).unwrap(),
    );
    server.ok(
        "/robots.txt",
        b"User-agent: *\nDisallow: /api-d7/node/12.json\n",
    );
    server.ok("/guide/intro.html", b"<html><body>Intro</body></html>");
    // The API reference: a topic index in api.drupal.org's shape, and the topic pages.
    server.ok(
        "/api/drupal/groups/11.x",
        br#"<table class="views-table"><tbody>
<tr><td><a href="/api/drupal/core%21core.api.php/group/hooks/11.x">Hooks</a></td><td>Define functions that alter the behavior of Drupal core.</td></tr>
<tr><td><a href="/api/drupal/core%21core.api.php/group/plugin_api/11.x">Plugin API</a></td><td>Using the Plugin API</td></tr>
<tr><td><a href="/api/drupal/core%21core.api.php/group/cache/11.x">Cache API</a></td><td>Information about the Drupal Cache API</td></tr>
<tr><td><a href="/api/drupal/core%21core.api.php/group/hooks/10.3.x">Hooks (10.3.x)</a></td><td></td></tr>
</tbody></table>"#,
    );
    for topic in ["hooks", "plugin_api", "cache"] {
        server.ok(
            &format!("/api/drupal/core%21core.api.php/group/{topic}/11.x"),
            format!("<html><body><h1>{topic}</h1></body></html>").as_bytes(),
        );
    }
    let (_tmp, ws) = workspace();
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: drupal-docs, api_url: {b}/api-d7, security_advisories: false, api_site: {b}, api_topics: [hooks, plugin_api, no_such_topic]}}\n  - {{type: urls, name: guide, urls: [{b}/guide/intro.html]}}\n",
            b = server.base
        ),
    );
    tf_in(&ws)
        .args(["run", "--only", "discover"])
        .assert()
        .success();
    let out = tf_in(&ws).args(["acquire"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let host = server
        .base
        .trim_start_matches("http://")
        .split(':')
        .next()
        .unwrap()
        .to_owned();
    let saved = ws.join(format!("raw/docs/{host}/api-d7/node/10.json"));
    let served = std::fs::read(&saved).unwrap();
    let original: serde_json::Value = serde_json::from_slice(&served).unwrap();
    assert_eq!(original["nid"], "10", "saved as served");
    assert!(
        !ws.join(format!("raw/docs/{host}/api-d7/node/12.json"))
            .exists()
    );
    assert_eq!(
        server.requests_to("/api-d7/node/12.json"),
        0,
        "robots.txt is obeyed"
    );
    assert_eq!(
        std::fs::read(ws.join(format!("raw/docs/{host}/guide/intro.html"))).unwrap(),
        b"<html><body>Intro</body></html>"
    );
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    let docs = manifest["report"]["docs"].as_array().unwrap();
    let by = |name: &str| docs.iter().find(|d| d["name"] == name).unwrap();
    assert_eq!(by("changenotice/10")["status"], "network");
    assert_eq!(by("changenotice/12")["status"], "disallowed");
    assert_eq!(by("api-topic/hooks")["status"], "network");
    assert!(
        ws.join(format!(
            "raw/docs/{host}/api/drupal/core_21core.api.php/group/plugin_api/11.x.html"
        ))
        .is_file()
    );
    assert!(docs.iter().all(|d| d["name"] != "api-topic/cache"));
    assert_eq!(
        server.requests_to("/api/drupal/core%21core.api.php/group/cache/11.x"),
        0,
        "a topic left out of api_topics is not fetched"
    );
    let discovery: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("sources/manifest.json")).unwrap()).unwrap();
    let candidates = discovery["report"]["candidates"].as_array().unwrap();
    let missing = candidates
        .iter()
        .find(|c| c["name"] == "api-topic/no_such_topic")
        .unwrap();
    assert_eq!(missing["status"], "dropped");
    assert!(
        missing["reason"]
            .as_str()
            .unwrap()
            .contains("check its name in api_topics")
    );
    let fetched_at: Vec<serde_json::Value> = docs.iter().map(|d| d["fetched_at"].clone()).collect();
    assert!(
        docs.iter()
            .filter(|d| d["status"] == "network")
            .all(|d| d["fetched_at"].as_str().is_some_and(|t| t.ends_with('Z')))
    );

    // Again, forced: conditional requests answered 304, the files stay.
    tf_in(&ws).args(["acquire", "--force"]).assert().success();
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    let docs = manifest["report"]["docs"].as_array().unwrap();
    assert!(
        docs.iter()
            .filter(|d| d["name"] != "changenotice/12")
            .all(|d| d["status"] == "not-modified")
    );
    assert_eq!(std::fs::read(&saved).unwrap(), served);
    let refetched_at: Vec<serde_json::Value> =
        docs.iter().map(|d| d["fetched_at"].clone()).collect();
    assert_eq!(
        refetched_at, fetched_at,
        "a 304 keeps the time of the download it revalidated"
    );
}

#[test]
fn git_over_smart_http_from_git_http_backend() {
    use std::os::unix::ffi::OsStrExt;
    let (tmp, ws) = workspace();
    let src = tmp.path().join("src");
    std::fs::create_dir_all(&src).unwrap();
    git(&src, &["init", "-q"]);
    std::fs::write(
        src.join("module.info.yml"),
        "name: M\ncore_version_requirement: ^11\n",
    )
    .unwrap();
    std::fs::write(src.join("data.bin"), b"\0\x01\x02binary").unwrap();
    std::fs::write(src.join("dump.sql"), "y".repeat(3 << 20)).unwrap();
    std::os::unix::fs::symlink("/etc/hostname", src.join("outside")).unwrap();
    let odd = std::ffi::OsStr::from_bytes(b"odd\xffname.php");
    std::fs::write(src.join(odd), "<?php\n").unwrap();
    let tagged = commit(&src, "a.php", "<?php // 1\n");
    git(&src, &["tag", "-a", "1.0.0", "-m", "release"]);
    commit(&src, "b.php", "<?php // 2\n");
    let root = tmp.path().join("served");
    std::fs::create_dir_all(&root).unwrap();
    git(
        &root,
        &["clone", "-q", "--bare", src.to_str().unwrap(), "lib.git"],
    );

    let server = support::Server::start();
    server.serve_git(&root);
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: git, name: lib, url: {}/git/lib.git, ref: 1.0.0}}\n",
            server.base
        ),
    );
    let doc = discovered(&ws, &[]);
    assert_eq!(source(&doc, "lib")["commit"], tagged.as_str(), "{doc}");
    let out = tf_in(&ws).args(["acquire"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let code = ws.join("raw/code/lib");
    assert!(code.join("a.php").is_file());
    assert!(!code.join("b.php").exists());
    assert!(
        code.join(odd).is_file(),
        "a path that is not UTF-8 is kept as it is"
    );
    for gone in ["data.bin", "dump.sql", "outside"] {
        assert!(
            std::fs::symlink_metadata(code.join(gone)).is_err(),
            "{gone}"
        );
    }
    assert!(
        server
            .log()
            .iter()
            .any(|l| l.target.contains("git-upload-pack"))
    );
}

#[test]
fn kill_during_acquire_then_rerun_fetches_nothing_finished_twice() {
    let (tmp, ws) = workspace();
    let mut yaml = String::from("sources:\n");
    for i in 0..16 {
        let repo = tmp.path().join(format!("r{i}"));
        std::fs::create_dir_all(&repo).unwrap();
        git(&repo, &["init", "-q"]);
        for f in 0..30 {
            std::fs::write(
                repo.join(format!("f{f}.php")),
                format!("<?php // {i} {f}\n"),
            )
            .unwrap();
        }
        commit(&repo, "x.php", "<?php\n");
        yaml.push_str(&format!(
            "  - {{type: git, name: r{i}, url: {}, ref: main}}\n",
            repo.display()
        ));
    }
    sources(&ws, &yaml);
    tf_in(&ws)
        .args(["run", "--only", "discover"])
        .assert()
        .success();
    let bin = assert_cmd::cargo::cargo_bin("tuneforge");
    let started = std::time::Instant::now();
    let mut child = Command::new(&bin)
        .args(["--no-progress", "--workspace"])
        .arg(&ws)
        .args(["acquire"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Kill once some repositories are in place and others are not.
    let code = ws.join("raw/code");
    let done = || {
        std::fs::read_dir(&code)
            .map(|d| {
                d.flatten()
                    .filter(|e| !e.file_name().to_string_lossy().starts_with('.'))
                    .count()
            })
            .unwrap_or(0)
    };
    while done() < 3 && started.elapsed() < std::time::Duration::from_secs(60) {
        std::thread::sleep(std::time::Duration::from_millis(5));
    }
    let _ = child.kill();
    let _ = child.wait();
    let finished: Vec<String> = std::fs::read_dir(&code)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| !n.starts_with('.'))
        .collect();
    assert!(!finished.is_empty());

    let out = tf_in(&ws).args(["--json", "acquire"]).output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(ws.join("raw/manifest.json")).unwrap()).unwrap();
    let repos = manifest["report"]["repositories"].as_array().unwrap();
    assert_eq!(repos.len(), 16);
    for r in repos {
        let name = r["name"].as_str().unwrap();
        if finished.iter().any(|f| f == name) {
            assert_eq!(
                r["outcome"], "reused",
                "{name} was finished before the kill"
            );
        } else {
            assert_eq!(r["outcome"], "fetched", "{name}: {r}");
        }
        assert!(
            ws.join(format!("raw/code/{name}/x.php")).is_file(),
            "{name} complete"
        );
    }
    let leftovers = std::fs::read_dir(&code)
        .unwrap()
        .flatten()
        .filter(|e| {
            let n = e.file_name().to_string_lossy().into_owned();
            // A discarded directory may outlive the rerun while a killed run's git child
            // still writes to it; it is never read, and the next run removes it.
            n.starts_with(".staging-") && !n.starts_with(".staging-discarded-")
        })
        .count();
    assert_eq!(leftovers, 0);
}

#[test]
fn discover_waits_out_a_429_and_a_500_from_drupal_org() {
    let fixtures = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/drupal");
    let read = |rel: &str| std::fs::read(fixtures.join(rel)).unwrap();
    let server = support::Server::start();
    let mut page: serde_json::Value = serde_json::from_slice(&read(
        "api-d7/node.json__type=project_module&field_project_type=full&status=1&limit=1&page=0.json",
    ))
    .unwrap();
    page["last"] = serde_json::json!("https://www.drupal.org/api-d7/node?page=0");
    let listing =
        "/api-d7/node.json?type=project_module&field_project_type=full&status=1&limit=100&page=0";
    server.route(
        listing,
        vec![
            support::Reply::Status {
                code: 429,
                retry_after: Some(1),
            },
            support::Reply::Ok {
                body: serde_json::to_vec(&page).unwrap(),
                etag: None,
            },
        ],
    );
    server.route(
        "/8/packages.json",
        vec![
            support::Reply::Status {
                code: 500,
                retry_after: None,
            },
            support::Reply::Ok {
                body: read("packages.drupal.org/8/packages.json"),
                etag: None,
            },
        ],
    );
    server.ok(
        "/files/packages/8/p2/drupal/example_module.json",
        &read("packages.drupal.org/files/packages/8/p2/drupal/example_module.json"),
    );
    let (_tmp, ws) = workspace();
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: drupal-contrib, api_url: {b}/api-d7, packages_url: {b}/8}}\n",
            b = server.base
        ),
    );
    let doc = discovered(&ws, &[]);
    assert_eq!(
        source(&doc, "drupal/example_module")["status"],
        "kept",
        "{doc}"
    );
    assert_eq!(server.requests_to(listing), 2, "retried after the 429");
    assert_eq!(
        server.requests_to("/8/packages.json"),
        2,
        "retried after the 500"
    );
}

/// A source that cannot be reached fails `run`, naming it, before any dataset is built
/// without it; the manifest stays incomplete, so the next run tries again.
#[test]
fn an_unreachable_source_fails_the_run_naming_it() {
    let (tmp, ws) = workspace();
    let url = one_commit_repo(&tmp.path().join("lib"));
    sources(
        &ws,
        &format!(
            "sources:\n  - {{type: git, name: good, url: {url}, ref: main}}\n  - {{type: git, name: nowhere, url: ../no-repo-here, ref: main}}\n"
        ),
    );
    let out = tf_in(&ws).arg("run").output().unwrap();
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(err.contains("discover: could not resolve nowhere"), "{err}");
    assert!(
        !ws.join("raw/manifest.json").exists(),
        "acquire did not run"
    );
    // Asked for by name, discover shows every source and succeeds.
    assert_eq!(source(&discovered(&ws, &[]), "good")["status"], "kept");
}
