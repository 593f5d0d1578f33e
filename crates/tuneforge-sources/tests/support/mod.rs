//! A real HTTP/1.1 server on 127.0.0.1 for tests, written on raw TCP so it can also
//! misbehave in ways a mock library cannot: a body shorter than its Content-Length, a hang
//! mid-body, 429 with Retry-After, 500s. It logs every request it receives.
#![allow(dead_code)]

use std::collections::HashMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// What the server does for one request to a route.
#[derive(Clone, Debug)]
pub enum Reply {
    /// Waits `delay`, then answers 200 with `body`.
    Slow {
        body: Vec<u8>,
        delay: Duration,
    },
    /// 200 with this body and ETag; a matching If-None-Match gets 304.
    Ok {
        body: Vec<u8>,
        etag: Option<String>,
    },
    Status {
        code: u16,
        retry_after: Option<u64>,
    },
    /// Declares `declared` bytes, sends `body`, closes.
    Truncated {
        declared: usize,
        body: Vec<u8>,
    },
    /// Sends headers and half the body, then stalls for `stall`.
    Hang {
        body: Vec<u8>,
        stall: Duration,
    },
}

#[derive(Clone, Debug)]
pub struct Logged {
    pub target: String,
    pub if_none_match: Option<String>,
}

#[derive(Default)]
struct State {
    /// Serve `/git/<repo>/…` with `git http-backend` from this directory (smart HTTP).
    git_root: Option<std::path::PathBuf>,
    /// Per target: replies to give in turn; the last one repeats.
    routes: HashMap<String, Vec<Reply>>,
    served: HashMap<String, usize>,
    log: Vec<Logged>,
}

pub struct Server {
    pub base: String,
    state: Arc<Mutex<State>>,
    active: Arc<AtomicUsize>,
    max_active: Arc<AtomicUsize>,
}

impl Server {
    pub fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(State::default()));
        let active = Arc::new(AtomicUsize::new(0));
        let max_active = Arc::new(AtomicUsize::new(0));
        let (s, a, m) = (state.clone(), active.clone(), max_active.clone());
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let (s, a, m) = (s.clone(), a.clone(), m.clone());
                std::thread::spawn(move || {
                    let _ = serve(stream, &s, &a, &m);
                });
            }
        });
        Self {
            base,
            state,
            active,
            max_active,
        }
    }

    /// Replies for `target` (path and query), given in turn; the last repeats.
    pub fn route(&self, target: &str, replies: Vec<Reply>) {
        self.state
            .lock()
            .unwrap()
            .routes
            .insert(target.to_owned(), replies);
    }

    /// Serve the repositories under `root` at `<base>/git/<name>` through
    /// `git http-backend`, the server side of git's smart HTTP protocol.
    pub fn serve_git(&self, root: &std::path::Path) {
        self.state.lock().unwrap().git_root = Some(root.to_path_buf());
    }

    pub fn ok(&self, target: &str, body: &[u8]) {
        self.route(
            target,
            vec![Reply::Ok {
                body: body.to_vec(),
                etag: Some(format!("\"{}\"", body.len())),
            }],
        );
    }

    pub fn url(&self, target: &str) -> String {
        format!("{}{target}", self.base)
    }

    pub fn log(&self) -> Vec<Logged> {
        self.state.lock().unwrap().log.clone()
    }

    pub fn requests_to(&self, target: &str) -> usize {
        self.log().iter().filter(|l| l.target == target).count()
    }

    pub fn max_concurrent(&self) -> usize {
        self.max_active.load(Ordering::SeqCst)
    }
}

/// Run `git http-backend` as a CGI program for one request.
fn serve_git(
    mut reader: BufReader<TcpStream>,
    mut out: TcpStream,
    root: &std::path::Path,
    method: &str,
    rest: &str,
    headers: &[(String, String)],
) -> std::io::Result<()> {
    let header = |name: &str| {
        headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.clone())
    };
    let mut body = Vec::new();
    if let Some(len) = header("content-length").and_then(|l| l.parse::<usize>().ok()) {
        body.resize(len, 0);
        reader.read_exact(&mut body)?;
    } else if header("transfer-encoding").is_some_and(|t| t.contains("chunked")) {
        loop {
            let mut size = String::new();
            reader.read_line(&mut size)?;
            let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
            let mut chunk = vec![0u8; n + 2];
            reader.read_exact(&mut chunk)?;
            if n == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..n]);
        }
    }
    let (path, query) = rest.split_once('?').unwrap_or((rest, ""));
    let mut child = std::process::Command::new("git")
        .arg("http-backend")
        .env("GIT_PROJECT_ROOT", root)
        .env("GIT_HTTP_EXPORT_ALL", "1")
        .env("REQUEST_METHOD", method)
        .env("PATH_INFO", path)
        .env("QUERY_STRING", query)
        .env("CONTENT_TYPE", header("content-type").unwrap_or_default())
        .env("CONTENT_LENGTH", body.len().to_string())
        .env("GIT_PROTOCOL", header("git-protocol").unwrap_or_default())
        .env("REMOTE_ADDR", "127.0.0.1")
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .spawn()?;
    child.stdin.take().unwrap().write_all(&body)?;
    let output = child.wait_with_output()?;
    let raw = output.stdout;
    let split = raw
        .windows(4)
        .position(|w| w == b"\r\n\r\n")
        .map(|i| (i, 4))
        .or_else(|| raw.windows(2).position(|w| w == b"\n\n").map(|i| (i, 2)))
        .unwrap_or((raw.len(), 0));
    let head = String::from_utf8_lossy(&raw[..split.0]).into_owned();
    let payload = &raw[(split.0 + split.1).min(raw.len())..];
    let mut status = "200 OK".to_owned();
    let mut lines = Vec::new();
    for l in head.lines() {
        match l.split_once(':') {
            Some((k, v)) if k.eq_ignore_ascii_case("status") => status = v.trim().to_owned(),
            Some(_) => lines.push(l.to_owned()),
            None => {}
        }
    }
    write!(out, "HTTP/1.1 {status}\r\n")?;
    for l in lines {
        write!(out, "{l}\r\n")?;
    }
    write!(
        out,
        "Content-Length: {}\r\nConnection: close\r\n\r\n",
        payload.len()
    )?;
    out.write_all(payload)?;
    out.flush()
}

/// `active`/`max_active` count requests inside a `Reply::Slow` delay only: a response is
/// written after its request leaves the count, so a client that starts its next request on
/// reading a response is never counted twice (counting whole connections would be).
fn serve(
    stream: TcpStream,
    state: &Mutex<State>,
    active: &AtomicUsize,
    max_active: &AtomicUsize,
) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let method = line.split_whitespace().next().unwrap_or("GET").to_owned();
    let mut if_none_match = None;
    let mut headers: Vec<(String, String)> = Vec::new();
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':') {
            if k.eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(v.trim().to_owned());
            }
            headers.push((k.trim().to_ascii_lowercase(), v.trim().to_owned()));
        }
    }
    let git_root = state.lock().unwrap().git_root.clone();
    if let (Some(root), Some(rest)) = (git_root, target.strip_prefix("/git")) {
        state.lock().unwrap().log.push(Logged {
            target: target.clone(),
            if_none_match: None,
        });
        return serve_git(reader, stream, &root, &method, rest, &headers);
    }
    let reply = {
        let mut st = state.lock().unwrap();
        st.log.push(Logged {
            target: target.clone(),
            if_none_match: if_none_match.clone(),
        });
        let n = *st.served.get(&target).unwrap_or(&0);
        st.served.insert(target.clone(), n + 1);
        st.routes
            .get(&target)
            .map(|r| r[n.min(r.len() - 1)].clone())
            .unwrap_or(Reply::Status {
                code: 404,
                retry_after: None,
            })
    };
    let mut out = stream;
    match reply {
        Reply::Ok { body, etag } => {
            if etag.is_some() && if_none_match == etag {
                write!(
                    out,
                    "HTTP/1.1 304 Not Modified\r\nConnection: close\r\n\r\n"
                )?;
            } else {
                write!(
                    out,
                    "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n",
                    body.len()
                )?;
                if let Some(e) = etag {
                    write!(out, "ETag: {e}\r\n")?;
                }
                write!(out, "\r\n")?;
                out.write_all(&body)?;
            }
        }
        Reply::Status { code, retry_after } => {
            write!(
                out,
                "HTTP/1.1 {code} Status\r\nContent-Length: 0\r\nConnection: close\r\n"
            )?;
            if let Some(s) = retry_after {
                write!(out, "Retry-After: {s}\r\n")?;
            }
            write!(out, "\r\n")?;
        }
        Reply::Truncated { declared, body } => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {declared}\r\nConnection: close\r\n\r\n"
            )?;
            out.write_all(&body)?;
        }
        Reply::Slow { body, delay } => {
            let now = active.fetch_add(1, Ordering::SeqCst) + 1;
            max_active.fetch_max(now, Ordering::SeqCst);
            std::thread::sleep(delay);
            active.fetch_sub(1, Ordering::SeqCst);
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body)?;
        }
        Reply::Hang { body, stall } => {
            write!(
                out,
                "HTTP/1.1 200 OK\r\nContent-Length: {}\r\nConnection: close\r\n\r\n",
                body.len()
            )?;
            out.write_all(&body[..body.len() / 2])?;
            out.flush()?;
            std::thread::sleep(stall);
        }
    }
    out.flush()?;
    // Drain anything left so the client sees a clean close.
    let _ = reader
        .get_mut()
        .set_read_timeout(Some(Duration::from_millis(50)));
    let _ = reader.read(&mut [0u8; 64]);
    Ok(())
}
