//! The HTTP client against a real server on loopback that misbehaves on purpose.

mod support;

use std::time::Duration;

use support::{Reply, Server};
use tuneforge_core::reporter::{Reporter, Silent};
use tuneforge_sources::http::{Http, HttpError, HttpOptions, Origin};

fn client(cache: &std::path::Path) -> HttpOptions {
    HttpOptions {
        timeout: Duration::from_millis(1500),
        backoff: Duration::from_millis(10),
        per_host_interval: Duration::ZERO,
        ..HttpOptions::polite(cache.to_path_buf())
    }
}

fn count(stat: &std::sync::atomic::AtomicU64) -> u64 {
    stat.load(std::sync::atomic::Ordering::Relaxed)
}

#[test]
fn a_second_fetch_is_a_conditional_request_answered_304() {
    let server = Server::start();
    server.ok("/p2/a.json", b"{\"a\":1}");
    let cache = tempfile::tempdir().unwrap();
    let http = Http::new(client(cache.path())).unwrap();
    let first = http.get_one(&server.url("/p2/a.json")).unwrap();
    assert_eq!(first.origin, Origin::Network);
    let second = http.get_one(&server.url("/p2/a.json")).unwrap();
    assert_eq!(second.origin, Origin::NotModified);
    assert_eq!(second.body, b"{\"a\":1}");
    let log = server.log();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1].if_none_match.as_deref(), Some("\"7\""));
    assert_eq!(count(&http.stats.full_downloads), 1);
    assert_eq!(count(&http.stats.not_modified), 1);
}

#[test]
fn retries_429_honoring_retry_after_and_500s() {
    let server = Server::start();
    server.route(
        "/busy",
        vec![
            Reply::Status {
                code: 429,
                retry_after: Some(1),
            },
            Reply::Ok {
                body: b"ok".to_vec(),
                etag: None,
            },
        ],
    );
    server.route(
        "/flaky",
        vec![
            Reply::Status {
                code: 500,
                retry_after: None,
            },
            Reply::Status {
                code: 503,
                retry_after: None,
            },
            Reply::Ok {
                body: b"fine".to_vec(),
                etag: None,
            },
        ],
    );
    server.route(
        "/down",
        vec![Reply::Status {
            code: 502,
            retry_after: None,
        }],
    );
    let cache = tempfile::tempdir().unwrap();
    let http = Http::new(HttpOptions {
        retries: 2,
        ..client(cache.path())
    })
    .unwrap();
    assert_eq!(http.get_one(&server.url("/busy")).unwrap().body, b"ok");
    assert_eq!(count(&http.stats.retry_after_waits), 1);
    assert_eq!(http.get_one(&server.url("/flaky")).unwrap().body, b"fine");
    assert_eq!(server.requests_to("/flaky"), 3);
    match http.get_one(&server.url("/down")) {
        Err(HttpError::Failed {
            attempts: 3,
            message,
            ..
        }) => assert!(message.contains("502")),
        other => panic!("{other:?}"),
    }
    // A 404 is an answer, not a fault: no retry.
    assert!(matches!(
        http.get_one(&server.url("/missing")),
        Err(HttpError::Status { status: 404, .. })
    ));
    assert_eq!(server.requests_to("/missing"), 1);
}

#[test]
fn short_bodies_and_stalls_are_retried() {
    let server = Server::start();
    let body = b"0123456789".repeat(100);
    server.route(
        "/short",
        vec![
            Reply::Truncated {
                declared: 1000,
                body: body[..300].to_vec(),
            },
            Reply::Ok {
                body: body.clone(),
                etag: None,
            },
        ],
    );
    server.route(
        "/stall",
        vec![
            Reply::Hang {
                body: body.clone(),
                stall: Duration::from_secs(4),
            },
            Reply::Ok {
                body: body.clone(),
                etag: None,
            },
        ],
    );
    let cache = tempfile::tempdir().unwrap();
    let http = Http::new(client(cache.path())).unwrap();
    assert_eq!(http.get_one(&server.url("/short")).unwrap().body, body);
    assert_eq!(server.requests_to("/short"), 2);
    assert_eq!(http.get_one(&server.url("/stall")).unwrap().body, body);
    assert_eq!(server.requests_to("/stall"), 2);
}

#[test]
fn offline_answers_from_the_cache_only_and_bodies_are_capped() {
    let server = Server::start();
    server.ok("/a", b"cached");
    server.ok("/big", &vec![b'x'; 5000]);
    let cache = tempfile::tempdir().unwrap();
    Http::new(client(cache.path()))
        .unwrap()
        .get_one(&server.url("/a"))
        .unwrap();
    let offline = Http::new(HttpOptions {
        offline: true,
        ..client(cache.path())
    })
    .unwrap();
    let hit = offline.get_one(&server.url("/a")).unwrap();
    assert_eq!(
        (hit.origin, hit.body.as_slice()),
        (Origin::Cache, &b"cached"[..])
    );
    assert!(matches!(
        offline.get_one(&server.url("/b")),
        Err(HttpError::Offline { .. })
    ));
    assert_eq!(server.log().len(), 1, "offline makes no request");
    let small = Http::new(HttpOptions {
        max_body_bytes: 1000,
        ..client(cache.path())
    })
    .unwrap();
    assert!(matches!(
        small.get_one(&server.url("/big")),
        Err(HttpError::TooLarge { .. })
    ));
}

#[test]
fn concurrency_per_host_is_bounded_and_results_keep_their_order() {
    let server = Server::start();
    let urls: Vec<String> = (0..12)
        .map(|i| {
            let target = format!("/page/{i}");
            server.route(
                &target,
                vec![Reply::Slow {
                    body: format!("{i:04}").into_bytes(),
                    delay: Duration::from_millis(100),
                }],
            );
            server.url(&target)
        })
        .collect();
    let cache = tempfile::tempdir().unwrap();
    let http = Http::new(HttpOptions {
        per_host_concurrency: 2,
        ..client(cache.path())
    })
    .unwrap();
    let task = Silent.task("t", None);
    let results = http.get_all(&urls, task.as_ref());
    for (i, r) in results.iter().enumerate() {
        assert_eq!(r.as_ref().unwrap().body, format!("{i:04}").into_bytes());
    }
    // Two at a time: never more, and the limit was actually reached.
    assert_eq!(server.max_concurrent(), 2);
}
