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
                    let now = a.fetch_add(1, Ordering::SeqCst) + 1;
                    m.fetch_max(now, Ordering::SeqCst);
                    let _ = serve(stream, &s);
                    a.fetch_sub(1, Ordering::SeqCst);
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

fn serve(stream: TcpStream, state: &Mutex<State>) -> std::io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut line = String::new();
    reader.read_line(&mut line)?;
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    let mut if_none_match = None;
    loop {
        let mut h = String::new();
        if reader.read_line(&mut h)? == 0 || h == "\r\n" {
            break;
        }
        if let Some((k, v)) = h.split_once(':')
            && k.eq_ignore_ascii_case("if-none-match")
        {
            if_none_match = Some(v.trim().to_owned());
        }
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
            std::thread::sleep(delay);
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
