//! Contrib discovery against a loopback server serving drupal.org's shapes from
//! `fixtures/drupal/`, scaled up to several listing pages.

mod support;

use std::path::PathBuf;
use std::time::Duration;

use serde_json::{Value, json};
use support::Server;
use tuneforge_core::reporter::Silent;
use tuneforge_sources::contrib::{ContribEndpoints, discover_contrib};
use tuneforge_sources::discover::Status;
use tuneforge_sources::drupalorg::ContribPolicy;
use tuneforge_sources::http::{Http, HttpOptions};

fn fixture(rel: &str) -> Value {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures/drupal")
        .join(rel);
    serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap()
}

const LISTING: &str =
    "api-d7/node.json__type=project_module&field_project_type=full&status=1&limit=1&page=0.json";
const P2: &str = "packages.drupal.org/files/packages/8/p2/drupal";

/// A project node shaped like the fixture's, renamed, with its own usage and coverage.
fn node(name: &str, nid: u64, usage: u64, coverage: &str, maintenance: &str) -> Value {
    let mut n = fixture(LISTING)["list"][0].clone();
    n["field_project_machine_name"] = json!(name);
    n["nid"] = json!(nid.to_string());
    n["title"] = json!(name);
    n["project_usage"] = json!({"2.1.x": usage});
    n["field_security_advisory_coverage"] = json!(coverage);
    n["taxonomy_vocabulary_44"]["id"] = json!(maintenance);
    n
}

/// The fixture's p2 file for `name`, optionally rewritten.
fn p2(file: &str, name: &str, edit: impl Fn(&mut Value)) -> Vec<u8> {
    let mut doc = fixture(&format!("{P2}/{file}"));
    let versions = doc["packages"]["drupal/example_module"].take();
    doc["packages"] = json!({ format!("drupal/{name}"): versions });
    edit(&mut doc);
    serde_json::to_vec(&doc).unwrap()
}

fn listing_target(page: u64) -> String {
    format!(
        "/api-d7/node.json?type=project_module&field_project_type=full&status=1&limit=100&page={page}"
    )
}

#[test]
fn pages_projects_and_releases_from_the_fixture_shapes() {
    let server = Server::start();
    let mut projects = vec![
        node("plain", 1, 50_000, "covered", "13028"),
        node("minified", 2, 40_000, "covered", "13028"),
        node("no_core", 3, 30_000, "covered", "13028"),
        node("old_core", 4, 20_000, "covered", "13028"),
        node("no_metadata", 5, 10_000, "covered", "13028"),
        node("uncovered", 6, 9_000, "not-covered", "13028"),
        node("unsupported", 7, 8_000, "covered", "13032"),
    ];
    for i in 0..243 {
        projects.push(node(
            &format!("small_{i:03}"),
            100 + i,
            10 + i,
            "covered",
            "13028",
        ));
    }
    let pages: Vec<&[Value]> = projects.chunks(100).collect();
    for (i, chunk) in pages.iter().enumerate() {
        let mut page = fixture(LISTING);
        page["list"] = json!(chunk);
        page["last"] = json!(format!(
            "https://www.drupal.org/api-d7/node?type=project_module&field_project_type=full&status=1&limit=100&page={}",
            pages.len() - 1
        ));
        server.ok(
            &listing_target(i as u64),
            &serde_json::to_vec(&page).unwrap(),
        );
    }
    server.ok(
        "/8/packages.json",
        &serde_json::to_vec(&fixture("packages.drupal.org/8/packages.json")).unwrap(),
    );
    let meta = |name: &str| format!("/files/packages/8/p2/drupal/{name}.json");
    server.ok(&meta("plain"), &p2("example_module.json", "plain", |_| {}));
    server.ok(
        &meta("minified"),
        &p2("example_module.minified.json", "minified", |_| {}),
    );
    server.ok(
        &meta("no_core"),
        &p2("example_module.json", "no_core", |d| {
            d["packages"]["drupal/no_core"][0]["require"]
                .as_object_mut()
                .unwrap()
                .remove("drupal/core");
        }),
    );
    server.ok(
        &meta("old_core"),
        &p2("example_module.json", "old_core", |d| {
            for v in d["packages"]["drupal/old_core"].as_array_mut().unwrap() {
                v["require"]["drupal/core"] = json!("^9.5 || ^10");
            }
        }),
    );

    let cache = tempfile::tempdir().unwrap();
    let http = Http::new(HttpOptions {
        per_host_interval: Duration::ZERO,
        backoff: Duration::from_millis(10),
        ..HttpOptions::polite(cache.path().to_path_buf())
    })
    .unwrap();
    let endpoints = ContribEndpoints {
        api_url: &format!("{}/api-d7", server.base),
        packages_url: &format!("{}/8", server.base),
        page_size: 100,
    };
    let policy = ContribPolicy {
        min_usage: 1000,
        require_security_coverage: true,
        excluded_maintenance: vec!["13032".into()],
        excluded_development: vec!["9994".into()],
    };
    let found = discover_contrib(&http, &endpoints, &policy, &Silent).unwrap();
    assert_eq!(found.len(), 250, "every listed project is a candidate");
    let get = |name: &str| {
        found
            .iter()
            .find(|c| c.name == format!("drupal/{name}"))
            .unwrap()
    };

    let plain = get("plain");
    assert_eq!(plain.status, Status::Kept);
    assert_eq!(plain.release.as_deref(), Some("2.1.0"));
    assert_eq!(plain.git_ref.as_deref(), Some("2.1.0"));
    assert_eq!(
        plain.location,
        "https://git.drupalcode.org/project/example_module.git"
    );
    assert_eq!(plain.usage, Some(50_000));
    assert_eq!(get("minified").status, Status::Kept);
    assert_eq!(get("no_core").status, Status::PendingInfoYml);
    assert!(
        get("old_core")
            .reason
            .contains("no stable release admits Drupal 11")
    );
    assert!(get("no_metadata").reason.contains("no Composer metadata"));
    assert!(get("uncovered").reason.contains("security advisory"));
    assert!(get("unsupported").reason.contains("13032"));
    assert!(get("small_000").reason.contains("below min_usage"));
    assert_eq!(found[0].name, "drupal/plain", "most used first");

    // Every page once; metadata only for the five projects kept by the listing.
    for page in 0..3 {
        assert_eq!(server.requests_to(&listing_target(page)), 1);
    }
    let p2_requests = server
        .log()
        .iter()
        .filter(|l| l.target.contains("/p2/"))
        .count();
    assert_eq!(p2_requests, 5);

    // Again: conditional requests, all answered 304, same result.
    let before = server.log().len();
    let again = discover_contrib(&http, &endpoints, &policy, &Silent).unwrap();
    assert_eq!(again, found);
    let log = server.log();
    let revalidated = &log[before..];
    assert!(
        revalidated
            .iter()
            .filter(|l| !l.target.contains("no_metadata"))
            .all(|l| l.if_none_match.is_some())
    );
}

#[test]
fn change_records_and_security_advisories_from_their_listings() {
    let server = Server::start();
    let cn = fixture("api-d7/node.json__type=changenotice&field_project=3060.json");
    let record = cn["list"][0].clone();
    let with = |nid: &str, to: &str, status: &str| {
        let mut r = record.clone();
        r["nid"] = json!(nid);
        r["field_change_to"] = json!(to);
        r["field_change_record_status"] = json!(status);
        r
    };
    let page = |list: Vec<Value>, last: u64| {
        let mut p = cn.clone();
        p["list"] = json!(list);
        p["last"] = json!(format!(
            "https://www.drupal.org/api-d7/node?type=changenotice&field_project=3060&page={last}"
        ));
        serde_json::to_vec(&p).unwrap()
    };
    server.ok(
        "/api-d7/node.json?type=changenotice&field_project=3060&page=0",
        &page(
            vec![
                with("1", "11.1.0", "published"),
                with("2", "9.3.0", "published"),
            ],
            1,
        ),
    );
    server.ok(
        "/api-d7/node.json?type=changenotice&field_project=3060&page=1",
        &page(
            vec![
                with("3", "10.3.0", "draft"),
                with("4", "10.1.0", "published"),
            ],
            1,
        ),
    );
    server.ok(
        "/api-d7/node.json?type=sa&status=1&page=0",
        &serde_json::to_vec(&fixture("api-d7/node.json__type=sa&status=1.json")).unwrap(),
    );
    // The SA fixture says it has 29 pages; serve the rest empty.
    for p in 1..=28 {
        server.ok(
            &format!("/api-d7/node.json?type=sa&status=1&page={p}"),
            b"{\"list\": []}",
        );
    }
    let cache = tempfile::tempdir().unwrap();
    let http = Http::new(HttpOptions {
        per_host_interval: Duration::ZERO,
        per_host_concurrency: 4,
        ..HttpOptions::polite(cache.path().to_path_buf())
    })
    .unwrap();
    let api = format!("{}/api-d7", server.base);
    let found = tuneforge_sources::docs::discover_docs(
        &http,
        &tuneforge_sources::docs::DocsEndpoints {
            api_url: &api,
            core_project: "3060",
            api_site: &server.base,
            api_branch: "11.x",
        },
        &tuneforge_sources::docs::DocsPolicy {
            change_records: true,
            security_advisories: true,
            change_records_since: tuneforge_sources::version::Version::parse("10.0.0").unwrap(),
            api_reference: false,
            api_topics: Vec::new(),
        },
        &Silent,
    )
    .unwrap();
    let get = |name: &str| found.iter().find(|c| c.name == name).unwrap();
    assert_eq!(get("changenotice/1").status, Status::Kept);
    assert_eq!(get("changenotice/1").location, format!("{api}/node/1.json"));
    assert!(get("changenotice/2").reason.contains("before 10.0.0"));
    assert!(get("changenotice/3").reason.contains("not published"));
    assert_eq!(get("changenotice/4").status, Status::Kept);
    assert_eq!(get("sa/3561234").status, Status::Kept);

    // An API reference index without topic links of the branch is an error that says so.
    server.ok(
        "/api/drupal/groups/11.x",
        br#"<a href="/api/drupal/core%21core.api.php/group/hooks/10.3.x">Hooks</a>"#,
    );
    let err = tuneforge_sources::docs::discover_docs(
        &http,
        &tuneforge_sources::docs::DocsEndpoints {
            api_url: &api,
            core_project: "3060",
            api_site: &server.base,
            api_branch: "11.x",
        },
        &tuneforge_sources::docs::DocsPolicy {
            change_records: false,
            security_advisories: false,
            change_records_since: tuneforge_sources::version::Version::parse("10.0.0").unwrap(),
            api_reference: true,
            api_topics: Vec::new(),
        },
        &Silent,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("/api/drupal/groups/11.x"), "{err}");
    assert!(err.contains("check api_site and api_branch"), "{err}");
    assert_eq!(found.len(), 5);
}
