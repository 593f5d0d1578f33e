//! The journal: every chat exchange's raw request and raw response bytes, appended before
//! anything is parsed, so a parser fixed later can re-read all history.
//!
//! One JSON Lines file per UTC day under the journal directory (`raw/proxy/` of the
//! workspace). An exchange is two entries with the same `exchange` id: the request, written
//! before the request is forwarded, and the response, written when the answer has ended
//! (or broke off, or the client left). A request without a response is an exchange the
//! proxy did not live to finish (`kill -9`). Entries go through a channel to one writer
//! thread, which appends whatever has queued up as one locked, synced batch, so the
//! requests never wait for the disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use serde::{Deserialize, Serialize};
use tuneforge_core::fsio::{AppendLog, SyncHandle};

/// A body as it was: text when it is UTF-8 (JSON and server-sent events are), else bytes.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum RawBody {
    #[serde(rename = "body")]
    Text(String),
    #[serde(rename = "body_bytes")]
    Bytes(Vec<u8>),
}

impl RawBody {
    pub fn new(bytes: Vec<u8>) -> Self {
        match String::from_utf8(bytes) {
            Ok(text) => RawBody::Text(text),
            Err(e) => RawBody::Bytes(e.into_bytes()),
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            RawBody::Text(t) => t.as_bytes(),
            RawBody::Bytes(b) => b,
        }
    }
}

/// How an exchange ended, as the journal says it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JournalEnding {
    Complete,
    ClientGone,
    UpstreamFailed,
    Refused,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RequestEntry {
    pub exchange: String,
    /// RFC 3339 UTC, to the millisecond.
    pub time: String,
    pub method: String,
    pub path: String,
    /// Without credentials (`authorization`, `cookie`, API-key headers).
    pub headers: BTreeMap<String, String>,
    #[serde(flatten)]
    pub body: RawBody,
    /// The expert the request was escalated to; absent for the local model.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub escalated_to: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ResponseEntry {
    pub exchange: String,
    pub time: String,
    /// What the client got (0 when it went away before any status).
    pub status: u16,
    pub headers: BTreeMap<String, String>,
    /// The upstream's bytes as they came, cut at the journal's limit if `truncated`.
    #[serde(flatten)]
    pub body: RawBody,
    pub ending: JournalEnding,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    pub elapsed_ms: f64,
    /// The proxy asked for the usage chunk (`stream_options.include_usage`) the client had
    /// not asked for, and kept it from the client.
    #[serde(default)]
    pub usage_added: bool,
    #[serde(default)]
    pub truncated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "entry", rename_all = "snake_case")]
pub enum Entry {
    Request(RequestEntry),
    Response(ResponseEntry),
}

/// Headers never journaled: credentials.
const SECRET_HEADERS: [&str; 6] = [
    "authorization",
    "proxy-authorization",
    "cookie",
    "set-cookie",
    "x-api-key",
    "api-key",
];

/// `headers` as the journal keeps them: names lowercase, repeated values joined, secrets out.
pub(crate) fn journal_headers(headers: &axum::http::HeaderMap) -> BTreeMap<String, String> {
    let mut out: BTreeMap<String, String> = BTreeMap::new();
    for (name, value) in headers {
        let name = name.as_str();
        if SECRET_HEADERS.contains(&name) {
            continue;
        }
        let value = String::from_utf8_lossy(value.as_bytes());
        out.entry(name.to_owned())
            .and_modify(|v| {
                v.push_str(", ");
                v.push_str(&value);
            })
            .or_insert_with(|| value.into_owned());
    }
    out
}

/// Now, RFC 3339 UTC to the millisecond.
pub(crate) fn now() -> String {
    let now = jiff::Timestamp::now();
    now.round(jiff::Unit::Millisecond)
        .unwrap_or(now)
        .to_string()
}

/// An entry on its way to the writer; `written` hears when it is in the file (a request
/// waits for that before it is forwarded).
pub(crate) struct Queued {
    pub(crate) entry: Entry,
    pub(crate) written: Option<tokio::sync::oneshot::Sender<()>>,
}

/// The sending side of the journal; entries are written in the order they are sent.
pub(crate) struct JournalWriter {
    sender: Option<mpsc::Sender<Queued>>,
    threads: Vec<std::thread::JoinHandle<()>>,
}

impl JournalWriter {
    /// Starts the writer thread and the thread that syncs behind it; `failed` hears every
    /// batch that could not be written or synced.
    pub(crate) fn start(dir: PathBuf, failed: impl Fn(String) + Send + Sync + 'static) -> Self {
        let failed = std::sync::Arc::new(failed);
        let (sender, entries) = mpsc::channel::<Queued>();
        let (to_sync, syncs) = mpsc::channel::<SyncHandle>();
        let sync_failed = failed.clone();
        let threads = [
            std::thread::Builder::new()
                .name("tuneforge-journal".into())
                .spawn(move || write_batches(&dir, &entries, &to_sync, &*failed)),
            std::thread::Builder::new()
                .name("tuneforge-journal-sync".into())
                .spawn(move || sync_behind(&syncs, &*sync_failed)),
        ]
        .into_iter()
        .flatten()
        .collect();
        Self {
            sender: Some(sender),
            threads,
        }
    }

    /// A sender for the exchanges to use; the threads end when every sender is gone.
    pub(crate) fn sender(&self) -> mpsc::Sender<Queued> {
        self.sender.clone().expect("the journal is not finished")
    }

    /// Writes and syncs what is queued and stops the threads.
    pub(crate) fn finish(&mut self) {
        self.sender.take();
        for thread in self.threads.drain(..) {
            let _ = thread.join();
        }
    }
}

impl Drop for JournalWriter {
    fn drop(&mut self) {
        self.finish();
    }
}

/// The journal file of the UTC day an entry is written on.
fn day_file(dir: &Path) -> PathBuf {
    let day = jiff::Timestamp::now()
        .to_zoned(jiff::tz::TimeZone::UTC)
        .date();
    dir.join(format!("{day}.jsonl"))
}

/// Writes whatever has queued as one batch, tells the waiting requests, and hands the file
/// to the sync thread, so no write waits for the disk.
fn write_batches(
    dir: &Path,
    entries: &mpsc::Receiver<Queued>,
    to_sync: &mpsc::Sender<SyncHandle>,
    failed: &dyn Fn(String),
) {
    let mut log: Option<AppendLog> = None;
    let mut batch = Vec::new();
    let mut waiting = Vec::new();
    while let Ok(first) = entries.recv() {
        batch.clear();
        for queued in std::iter::once(first).chain(entries.try_iter()) {
            serde_json::to_writer(&mut batch, &queued.entry).expect("entries serialize");
            batch.push(b'\n');
            waiting.extend(queued.written);
        }
        let path = day_file(dir);
        if log.as_ref().is_none_or(|l| l.path() != path) {
            log = match AppendLog::open(&path) {
                Ok(l) => Some(l),
                Err(e) => {
                    failed(format!("{e}; these exchanges are not journaled"));
                    None
                }
            };
        }
        if let Some(l) = log.as_mut() {
            match l.append(&batch).and_then(|()| l.sync_handle()) {
                Ok(handle) => {
                    let _ = to_sync.send(handle);
                }
                Err(e) => failed(format!("{e}; these exchanges are not journaled")),
            }
        }
        // Written or not, the requests go on: the developer's editor keeps working.
        for written in waiting.drain(..) {
            let _ = written.send(());
        }
    }
}

/// Syncs the journal behind the writer: of the handles queued meanwhile, the last is
/// enough (one file per day; a day change queues the old file's handle first).
fn sync_behind(syncs: &mpsc::Receiver<SyncHandle>, failed: &dyn Fn(String)) {
    while let Ok(first) = syncs.recv() {
        let mut pending = vec![first];
        pending.extend(syncs.try_iter());
        pending.dedup_by(|b, a| a.path() == b.path());
        for handle in pending {
            if let Err(e) = AppendLog::sync(&handle) {
                failed(e.to_string());
            }
        }
    }
}

/// One exchange read back: its request, and its response unless the proxy died first.
#[derive(Debug, Clone)]
pub struct Exchange {
    pub request: RequestEntry,
    pub response: Option<ResponseEntry>,
    /// `file:line` of the request entry.
    pub location: String,
}

/// What [`read_journal`] found.
#[derive(Debug, Default)]
pub struct JournalRead {
    /// In the order their requests were written.
    pub exchanges: Vec<Exchange>,
    /// Lines that are not entries (`file:line: why`): a line torn by a writer killed
    /// mid-write, or damage. They are reported, not guessed at.
    pub problems: Vec<String>,
}

#[derive(Debug, thiserror::Error)]
#[error("cannot read the journal {path}: {source}")]
pub struct JournalError {
    pub path: PathBuf,
    #[source]
    pub source: std::io::Error,
}

/// Every exchange of the journal directory, oldest first. A missing directory is an empty
/// journal.
pub fn read_journal(dir: &Path) -> Result<JournalRead, JournalError> {
    let failed = |path: &Path| {
        let path = path.to_path_buf();
        move |source| JournalError { path, source }
    };
    let mut files: Vec<PathBuf> = match std::fs::read_dir(dir) {
        Ok(entries) => entries
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
            .collect(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(JournalRead::default()),
        Err(e) => return Err(failed(dir)(e)),
    };
    files.sort();
    let mut read = JournalRead::default();
    let mut open: BTreeMap<String, usize> = BTreeMap::new();
    for file in files {
        let text = std::fs::read(&file).map_err(failed(&file))?;
        for (n, line) in text.split(|b| *b == b'\n').enumerate() {
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let location = format!("{}:{}", file.display(), n + 1);
            match serde_json::from_slice::<Entry>(line) {
                Ok(Entry::Request(request)) => {
                    open.insert(request.exchange.clone(), read.exchanges.len());
                    read.exchanges.push(Exchange {
                        request,
                        response: None,
                        location,
                    });
                }
                Ok(Entry::Response(response)) => match open.remove(&response.exchange) {
                    Some(i) => read.exchanges[i].response = Some(response),
                    None => read.problems.push(format!(
                        "{location}: a response to exchange {} whose request is not in the journal",
                        response.exchange
                    )),
                },
                Err(e) => read.problems.push(format!(
                    "{location}: not a journal entry ({e}); a writer killed mid-line leaves one such line"
                )),
            }
        }
    }
    Ok(read)
}
