//! The review page in a real headless browser (Debian's chromium, driven over WebDriver by
//! chromium-driver): the captures are listed, and the keyboard alone accepts, rejects,
//! re-domains, edits and switches to the diff, each decision landing in `reviews.jsonl`.
//! `scripts/test.sh` installs both packages and sets `TUNEFORGE_REQUIRE_BROWSER`.
// It says on stderr when it skips.
#![allow(clippy::print_stderr)]

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{Value, json};
use tuneforge_proxy::review::{ReviewOptions, ReviewServer, new_token};

/// chromedriver and chromium, or `None` to skip (an error under TUNEFORGE_REQUIRE_BROWSER).
fn browser() -> Option<(PathBuf, PathBuf)> {
    let find = |names: &[&str]| {
        names.iter().find_map(|n| {
            std::env::var_os("PATH").and_then(|paths| {
                std::env::split_paths(&paths)
                    .map(|p| p.join(n))
                    .find(|p| p.is_file())
            })
        })
    };
    match (
        find(&["chromedriver"]),
        find(&["chromium", "chromium-browser"]),
    ) {
        (Some(driver), Some(chromium)) => Some((driver, chromium)),
        _ if std::env::var_os("TUNEFORGE_REQUIRE_BROWSER").is_some() => {
            panic!(
                "TUNEFORGE_REQUIRE_BROWSER is set but chromedriver or chromium is missing (apt-get install chromium chromium-driver)"
            )
        }
        _ => {
            eprintln!(
                "skipped: no chromium and chromedriver (apt-get install chromium chromium-driver)"
            );
            None
        }
    }
}

struct Driver {
    child: Child,
    url: String,
    client: reqwest::Client,
    session: String,
}

impl Drop for Driver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Driver {
    async fn start(driver: &Path, chromium: &Path) -> Self {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let child = Command::new(driver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let url = format!("http://127.0.0.1:{port}");
        // reqwest is built without a TLS provider of its own; plain HTTP still needs one set.
        let _ = rustls::crypto::ring::default_provider().install_default();
        let client = reqwest::Client::new();
        for _ in 0..200 {
            if client.get(format!("{url}/status")).send().await.is_ok() {
                break;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let mut driver = Self {
            child,
            url,
            client,
            session: String::new(),
        };
        let created = driver
            .call(
                "POST",
                "/session",
                json!({"capabilities": {"alwaysMatch": {
                    "browserName": "chrome",
                    "goog:chromeOptions": {
                        "binary": chromium,
                        "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,800"]
                    }
                }}}),
            )
            .await;
        driver.session = created["sessionId"].as_str().unwrap().to_owned();
        driver
    }

    async fn call(&self, method: &str, path: &str, body: Value) -> Value {
        self.try_call(method, path, body)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    async fn try_call(&self, method: &str, path: &str, body: Value) -> Result<Value, Value> {
        let path = path.replace("{s}", &self.session);
        let request = match method {
            "GET" => self.client.get(format!("{}{path}", self.url)),
            "DELETE" => self.client.delete(format!("{}{path}", self.url)),
            _ => self.client.post(format!("{}{path}", self.url)).json(&body),
        };
        let answer: Value = request.send().await.unwrap().json().await.unwrap();
        if answer["value"]["error"].is_null() {
            Ok(answer["value"].clone())
        } else {
            Err(answer)
        }
    }

    /// Keys pressed one after the other; `\u{E009}` is Control, `\u{E007}` Enter,
    /// `\u{E015}` ArrowDown (WebDriver's key codes).
    async fn keys(&self, keys: &[&str]) {
        let mut actions = Vec::new();
        for key in keys {
            actions.push(json!({"type": "keyDown", "value": key}));
            actions.push(json!({"type": "keyUp", "value": key}));
        }
        self.call(
            "POST",
            "/session/{s}/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    /// Control + Enter.
    async fn ctrl_enter(&self) {
        let actions = json!([
            {"type": "keyDown", "value": "\u{E009}"},
            {"type": "keyDown", "value": "\u{E007}"},
            {"type": "keyUp", "value": "\u{E007}"},
            {"type": "keyUp", "value": "\u{E009}"}
        ]);
        self.call(
            "POST",
            "/session/{s}/actions",
            json!({"actions": [{"type": "key", "id": "keyboard", "actions": actions}]}),
        )
        .await;
    }

    /// The element's text. The page redraws as decisions come back, so an element found
    /// may be gone a moment later ("stale"): then it is looked up again.
    async fn text(&self, css: &str) -> String {
        for _ in 0..50 {
            if let Some(text) = self.try_text(css).await {
                return text;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("no element {css}");
    }

    async fn try_text(&self, css: &str) -> Option<String> {
        let element = self
            .try_call(
                "POST",
                "/session/{s}/element",
                json!({"using": "css selector", "value": css}),
            )
            .await
            .ok()?;
        let id = element
            .as_object()
            .and_then(|o| o.values().next())
            .and_then(Value::as_str)?
            .to_owned();
        self.try_call(
            "GET",
            &format!("/session/{{s}}/element/{id}/text"),
            json!({}),
        )
        .await
        .ok()?
        .as_str()
        .map(str::to_owned)
    }

    /// Waits until the element's text contains `part` (the page redraws once the server
    /// has answered, a moment after the decision is on disk).
    async fn wait_text(&self, css: &str, part: &str) {
        for _ in 0..200 {
            if self.text(css).await.contains(part) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        panic!("{css} never showed {part:?}: {:?}", self.text(css).await);
    }

    async fn count(&self, css: &str) -> usize {
        self.call(
            "POST",
            "/session/{s}/elements",
            json!({"using": "css selector", "value": css}),
        )
        .await
        .as_array()
        .unwrap()
        .len()
    }
}

fn interaction(id: &str, minute: u32, query: &str, expert: &str) -> String {
    json!({
        "messages": [
            {"role": "user", "content": query},
            {"role": "assistant", "content": "Call \\Drupal::service('x')."},
            {"role": "user", "content": "consult claude"},
            {"role": "assistant", "content": expert}
        ],
        "metadata": {
            "domain": "general-coding", "local_model": "qwen", "expert_model": "claude",
            "adapter": null, "timestamp": format!("2026-12-07T10:{minute:02}:00.000Z"),
            "interaction_id": id, "source": "proxy-capture"
        }
    })
    .to_string()
}

/// The decisions file once it has `n` lines.
async fn decisions(path: &Path, n: usize) -> Vec<Value> {
    for _ in 0..300 {
        let text = std::fs::read_to_string(path).unwrap_or_default();
        let lines: Vec<Value> = text
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        if lines.len() >= n {
            return lines;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    panic!("{} did not get {n} decisions", path.display());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_keyboard_alone_reviews_every_capture() {
    let Some((chromedriver, chromium)) = browser() else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let interactions = dir.path().join("interactions.jsonl");
    let reviews = dir.path().join("reviews.jsonl");
    let lines = [
        interaction(
            "int_a",
            1,
            "Oldest: inject a service?",
            "Use constructor injection.",
        ),
        interaction(
            "int_b",
            2,
            "Middle: a block plugin?",
            "```php\n#[Block(id: \"x\")]\nclass X extends BlockBase {}\n```",
        ),
        interaction("int_c", 3, "Newest: a hook?", "Use #[Hook('form_alter')]."),
    ];
    std::fs::write(&interactions, lines.join("\n") + "\n").unwrap();
    let server = ReviewServer::bind(ReviewOptions {
        listen: "127.0.0.1:0".parse().unwrap(),
        interactions,
        reviews: reviews.clone(),
        domains: vec!["general-coding".into(), "drupal-plugins".into()],
        token: new_token().unwrap(),
    })
    .await
    .unwrap();
    let url = server.url();
    tokio::spawn(server.serve(std::future::pending()));

    let driver = Driver::start(&chromedriver, &chromium).await;
    driver
        .call("POST", "/session/{s}/url", json!({"url": url}))
        .await;
    for _ in 0..200 {
        if driver.count("nav li").await == 3 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    assert_eq!(driver.count("nav li").await, 3);
    assert!(
        driver
            .text("#detail .query")
            .await
            .contains("Newest: a hook?")
    );

    // a: accept the newest, and the page moves on to the next.
    driver.keys(&["a"]).await;
    let d = decisions(&reviews, 1).await;
    assert_eq!(
        (d[0]["interaction_id"].as_str(), d[0]["verdict"].as_str()),
        (Some("int_c"), Some("accept"))
    );
    driver.wait_text("#detail .query", "Middle").await;
    // The block plugin's answer is highlighted code; r rejects it.
    for _ in 0..100 {
        if driver.count("#detail pre .attr").await > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(
        driver.count("#detail pre .kw").await > 0,
        "keywords highlighted"
    );
    driver.keys(&["r"]).await;
    let d = decisions(&reviews, 2).await;
    assert_eq!(
        (d[1]["interaction_id"].as_str(), d[1]["verdict"].as_str()),
        (Some("int_b"), Some("reject"))
    );

    driver.wait_text("#detail .query", "Oldest").await;
    // d, ArrowDown, Enter: the oldest moves to the second domain.
    driver.keys(&["d", "\u{E015}", "\u{E007}"]).await;
    let d = decisions(&reviews, 3).await;
    assert_eq!(d[2]["interaction_id"], "int_a");
    assert_eq!(d[2]["domain"], "drupal-plugins");
    driver
        .wait_text("#detail .info", "captured as general-coding")
        .await;

    // e, type, Ctrl+Enter: the expert answer edited (and accepted).
    driver.keys(&["e"]).await;
    driver.keys(&["N", "B", ":", " "]).await;
    driver.ctrl_enter().await;
    let d = decisions(&reviews, 4).await;
    // Headings are upper case on screen, and WebDriver reads what is shown.
    driver
        .wait_text("#detail .cols .col:nth-child(2) h2", "EDITED")
        .await;
    assert_eq!(d[3]["interaction_id"], "int_a");
    assert_eq!(d[3]["verdict"], "accept");
    assert_eq!(
        d[3]["domain"], "drupal-plugins",
        "the domain change is kept"
    );
    assert_eq!(d[3]["expert_answer"], "NB: Use constructor injection.");

    // v: the diff of local and expert answers.
    driver.keys(&["v"]).await;
    assert!(driver.count("#detail .diff .add").await > 0);
    let counts = driver.text("#counts").await;
    assert_eq!(counts, "3 captures · 2 accepted · 1 rejected · 0 undecided");
    driver.call("DELETE", "/session/{s}", json!({})).await;
}
