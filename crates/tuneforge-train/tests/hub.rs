//! Model resolution against a hub on loopback: the real tiny model the worker builds is
//! served in the Hugging Face API's shapes (revision JSON, `resolve/` URLs, a redirect to a
//! CDN path, ETag / X-Linked-Etag headers, a body cut short once), resolved into the cache
//! layout, and loaded by transformers with `HF_HUB_OFFLINE=1`.

mod common;

use common::worker_python;

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::Path;
use std::process::Command;
use std::sync::{Arc, Mutex};

use tuneforge_core::reporter::Silent;
use tuneforge_train::hub::{HubOptions, ModelSource, resolve};

const COMMIT: &str = "0123456789abcdef0123456789abcdef01234567";

fn python(worker: &str) -> Command {
    let mut command = Command::new(worker);
    command.env(
        "PYTHONPATH",
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../python/src"),
    );
    command
}

struct Hub {
    endpoint: String,
    requests: Arc<Mutex<Vec<String>>>,
}

/// Serves `files` as repo `org/tiny` at [`COMMIT`]. The first full GET of
/// `model.safetensors` is cut off halfway, so the client must resume with `Range`.
fn serve(files: BTreeMap<String, Vec<u8>>) -> Hub {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    let requests = Arc::new(Mutex::new(Vec::new()));
    let seen = requests.clone();
    let files = Arc::new(files);
    std::thread::spawn(move || {
        let cut_once = Arc::new(Mutex::new(true));
        for stream in listener.incoming().flatten() {
            let (files, seen, cut_once) = (files.clone(), seen.clone(), cut_once.clone());
            std::thread::spawn(move || handle(stream, &files, &seen, &cut_once));
        }
    });
    Hub { endpoint, requests }
}

fn handle(
    mut stream: TcpStream,
    files: &BTreeMap<String, Vec<u8>>,
    seen: &Mutex<Vec<String>>,
    cut_once: &Mutex<bool>,
) {
    let mut reader = BufReader::new(stream.try_clone().unwrap());
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    let path = line.split_whitespace().nth(1).unwrap_or("/").to_string();
    let mut range_from = None;
    let mut authorization = None;
    loop {
        let mut header = String::new();
        if reader.read_line(&mut header).unwrap_or(0) == 0 || header == "\r\n" {
            break;
        }
        let lower = header.to_ascii_lowercase();
        if let Some(v) = lower.strip_prefix("range: bytes=") {
            range_from = v.trim().trim_end_matches('-').parse::<usize>().ok();
        }
        if let Some(v) = lower.strip_prefix("authorization:") {
            // Header names are case-insensitive; the value is compared as sent.
            authorization = Some(header[header.len() - v.len()..].trim().to_string());
        }
    }
    seen.lock().unwrap().push(match range_from {
        Some(from) => format!("{path} range={from}"),
        None => path.clone(),
    });
    assert_eq!(
        authorization.as_deref(),
        Some("Bearer hf_test_token"),
        "every request carries the token"
    );
    if path == "/api/models/org/tiny/revision/main?blobs=true" {
        let mut siblings: Vec<serde_json::Value> = files
            .iter()
            .map(|(name, bytes)| serde_json::json!({"rfilename": name, "size": bytes.len()}))
            .collect();
        // Files a training run does not need: never requested.
        siblings.push(serde_json::json!({"rfilename": "pytorch_model.bin", "size": 9}));
        siblings.push(serde_json::json!({"rfilename": ".gitattributes", "size": 9}));
        let body = serde_json::json!({"id": "org/tiny", "sha": COMMIT, "siblings": siblings});
        respond(&mut stream, "200 OK", "", body.to_string().as_bytes());
        return;
    }
    let resolve_prefix = format!("/org/tiny/resolve/{COMMIT}/");
    if let Some(name) = path.strip_prefix(&resolve_prefix) {
        if name.ends_with(".safetensors") {
            // As the hub does for LFS files: redirect to the CDN.
            let location = format!(
                "Location: /cdn/{name}\r\nX-Linked-Etag: \"{}\"\r\n",
                etag(name)
            );
            respond(&mut stream, "302 Found", &location, b"");
            return;
        }
        return serve_file(&mut stream, files, name, range_from, false);
    }
    if let Some(name) = path.strip_prefix("/cdn/") {
        let cut = {
            let mut once = cut_once.lock().unwrap();
            std::mem::replace(&mut *once, false) && range_from.is_none()
        };
        return serve_file(&mut stream, files, name, range_from, cut);
    }
    respond(&mut stream, "404 Not Found", "", b"no such path");
}

fn respond(stream: &mut TcpStream, status: &str, headers: &str, body: &[u8]) {
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Length: {}\r\nConnection: close\r\n{headers}\r\n",
        body.len()
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
}

fn etag(name: &str) -> String {
    blake3::hash(name.as_bytes()).to_hex()[..40].to_string()
}

fn serve_file(
    stream: &mut TcpStream,
    files: &BTreeMap<String, Vec<u8>>,
    name: &str,
    range_from: Option<usize>,
    cut: bool,
) {
    let Some(bytes) = files.get(name) else {
        return respond(stream, "404 Not Found", "", b"");
    };
    let tag = format!("ETag: \"{}\"\r\n", etag(name));
    match range_from {
        Some(from) => {
            let range = format!(
                "{tag}Content-Range: bytes {from}-{}/{}\r\n",
                bytes.len() - 1,
                bytes.len()
            );
            respond(stream, "206 Partial Content", &range, &bytes[from..]);
        }
        None if cut => {
            // Announce the whole body, send half, hang up.
            let head = format!(
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n{tag}\r\n",
                bytes.len()
            );
            let _ = stream.write_all(head.as_bytes());
            let _ = stream.write_all(&bytes[..bytes.len() / 2]);
            let _ = stream.flush();
        }
        None => respond(stream, "200 OK", &tag, bytes),
    }
}

fn read_dir_files(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| {
            let mut bytes = Vec::new();
            std::fs::File::open(&p)
                .unwrap()
                .read_to_end(&mut bytes)
                .unwrap();
            (p.file_name().unwrap().to_str().unwrap().to_string(), bytes)
        })
        .collect()
}

#[test]
fn a_tiny_model_comes_from_hf_endpoint_into_the_cache_layout_and_loads_offline() {
    let Some(worker) = worker_python() else {
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let model_dir = tmp.path().join("built");
    let status = python(&worker)
        .args(["-m", "tuneforge_worker", "tiny", "--arch", "qwen2", "--out"])
        .arg(&model_dir)
        .status()
        .unwrap();
    assert!(status.success());
    let files = read_dir_files(&model_dir);
    assert!(
        files.contains_key("model.safetensors"),
        "{:?}",
        files.keys()
    );
    let hub = serve(files.clone());
    let cache = tmp.path().join("hf-cache");
    let options = HubOptions::from_env()
        .with_endpoint(&hub.endpoint)
        .with_cache_dir(&cache)
        .with_token(Some("hf_test_token".into()))
        .with_offline(false)
        .with_backoff(std::time::Duration::from_millis(10));
    let source = ModelSource::parse("org/tiny", None).unwrap();

    let resolved = resolve(&source, &options, &Silent).unwrap();
    assert_eq!(resolved.commit.as_deref(), Some(COMMIT));
    let repo = cache.join("models--org--tiny");
    assert_eq!(resolved.dir, repo.join("snapshots").join(COMMIT));
    assert_eq!(
        std::fs::read_to_string(repo.join("refs/main")).unwrap(),
        COMMIT
    );
    let expected: Vec<String> = files.keys().cloned().collect();
    assert_eq!(resolved.files, expected);
    for (name, bytes) in &files {
        let link = resolved.dir.join(name);
        let target = std::fs::read_link(&link).unwrap();
        assert!(target.starts_with("../../blobs"), "{target:?}");
        assert_eq!(&std::fs::read(&link).unwrap(), bytes, "{name}");
    }
    // The LFS file's blob is named by X-Linked-Etag, the others by ETag.
    assert!(repo.join("blobs").join(etag("model.safetensors")).is_file());
    assert!(repo.join("blobs").join(etag("config.json")).is_file());
    let requests = hub.requests.lock().unwrap().clone();
    assert!(
        requests
            .iter()
            .any(|r| r.starts_with("/cdn/model.safetensors range=")),
        "the cut download resumed: {requests:?}"
    );
    assert!(!requests.iter().any(|r| r.contains("pytorch_model.bin")));
    assert!(!requests.iter().any(|r| r.contains(".gitattributes")));
    let total: u64 = files.values().map(|b| b.len() as u64).sum();
    assert!(resolved.downloaded_bytes >= total);

    // Again: only the revision is asked for.
    let before = hub.requests.lock().unwrap().len();
    let again = resolve(&source, &options, &Silent).unwrap();
    assert_eq!(again.downloaded_bytes, 0);
    assert_eq!(hub.requests.lock().unwrap().len(), before + 1);

    // Offline: the cache alone answers.
    let offline = options
        .clone()
        .with_endpoint("http://127.0.0.1:9")
        .with_offline(true);
    let cached = resolve(&source, &offline, &Silent).unwrap();
    assert_eq!(cached.dir, resolved.dir);
    let missing = ModelSource::parse("org/other", None).unwrap();
    let err = resolve(&missing, &offline, &Silent)
        .unwrap_err()
        .to_string();
    assert!(err.contains("run once online"), "{err}");

    // transformers finds it in the cache with the network off and gets the same logits.
    let check = r#"
import sys, torch
from transformers import AutoModelForCausalLM
cached = AutoModelForCausalLM.from_pretrained("org/tiny", revision="main")
built = AutoModelForCausalLM.from_pretrained(sys.argv[1])
ids = torch.tensor([[1, 2, 3, 4, 5]])
with torch.no_grad():
    diff = (cached(ids).logits - built(ids).logits).abs().max().item()
print(diff)
"#;
    let out = python(&worker)
        .env("HF_HUB_OFFLINE", "1")
        .env("HF_HUB_CACHE", &cache)
        .env_remove("HF_HOME")
        .args(["-c", check])
        .arg(&model_dir)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let diff: f64 = String::from_utf8_lossy(&out.stdout).trim().parse().unwrap();
    assert_eq!(diff, 0.0);
}

#[test]
fn a_gated_repo_says_to_set_hf_token() {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let endpoint = format!("http://{}", listener.local_addr().unwrap());
    std::thread::spawn(move || {
        for mut stream in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = stream.read(&mut buf);
            let _ = stream.write_all(
                b"HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
            );
        }
    });
    let tmp = tempfile::tempdir().unwrap();
    let options = HubOptions::from_env()
        .with_endpoint(&endpoint)
        .with_cache_dir(tmp.path())
        .with_offline(false);
    let err = resolve(
        &ModelSource::parse("ministral-3-8b", None).unwrap(),
        &options,
        &Silent,
    )
    .unwrap_err()
    .to_string();
    assert!(err.contains("HTTP 401"), "{err}");
    assert!(err.contains("HF_TOKEN"), "{err}");
    assert!(err.contains("Ministral-3-8B"), "{err}");
}
