//! File writes that a crash cannot leave half-done.
//!
//! * [`write_atomic`]: whole files go to a temp file in the same directory, are synced and
//!   renamed over the target, so a reader sees the old file or the new one, never a prefix.
//! * [`append_line_locked`]: one JSON Lines record appended under an exclusive `flock`,
//!   as a single `write_all`, then synced. Concurrent writers never interleave.
//! * [`AppendLog`]: the same for a stream of records, the file kept open and each batch of
//!   lines locked and written together, synced apart (a journal's group commit).
//! * [`StagingDir`]: a directory built beside its final name and renamed into place.
//! * [`Discarder`]: directories renamed aside at once and deleted on a thread of their own.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use thiserror::Error;

/// An I/O failure with the path it happened on.
#[derive(Debug, Error)]
#[error("{action} {path}: {source}")]
pub struct IoError {
    pub action: &'static str,
    pub path: PathBuf,
    #[source]
    pub source: io::Error,
}

impl IoError {
    pub fn new(action: &'static str, path: &Path, source: io::Error) -> Self {
        Self {
            action,
            path: path.to_path_buf(),
            source,
        }
    }
}

/// Shorthand for mapping an `io::Error` to an [`IoError`] naming `path`.
pub fn at<'a>(action: &'static str, path: &'a Path) -> impl FnOnce(io::Error) -> IoError + 'a {
    move |source| IoError::new(action, path, source)
}

const TEMP_PREFIX: &str = ".tmp-";

/// Temp files that become the user's files, with the mode a plain `File::create` gives
/// (0666 less the umask: usually 0644), not the 0600 of a secret temp file: a model written
/// here may be served by another user's llama-server.
fn temp_builder() -> tempfile::Builder<'static, 'static> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(TEMP_PREFIX);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o666));
    }
    builder
}

/// Write `bytes` to `path` atomically (temp file in the same directory + fsync + rename).
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<(), IoError> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(at("cannot create directory", dir))?;
    let mut tmp = temp_builder()
        .tempfile_in(dir)
        .map_err(at("cannot create a temp file in", dir))?;
    tmp.write_all(bytes).map_err(at("cannot write", path))?;
    tmp.as_file().sync_all().map_err(at("cannot sync", path))?;
    tmp.persist(path)
        .map_err(|e| IoError::new("cannot rename a temp file onto", path, e.error))?;
    Ok(())
}

/// A temp file beside `path` for a writer that streams more than fits in memory; hand it to
/// [`persist`] when complete. Dropped unpersisted (an error, a full disk), it is removed; a
/// killed process leaves it for [`remove_stale_temp_files`].
pub fn temp_file_beside(path: &Path) -> Result<tempfile::NamedTempFile, IoError> {
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(at("cannot create directory", dir))?;
    temp_builder()
        .tempfile_in(dir)
        .map_err(at("cannot create a temp file in", dir))
}

/// Sync a [`temp_file_beside`] and rename it onto `path`, durably.
pub fn persist(tmp: tempfile::NamedTempFile, path: &Path) -> Result<(), IoError> {
    tmp.as_file().sync_all().map_err(at("cannot sync", path))?;
    tmp.persist(path)
        .map_err(|e| IoError::new("cannot rename a temp file onto", path, e.error))?;
    sync_dir(parent_dir(path))
}

/// Serialize `value` as pretty JSON with a final newline and write it atomically.
pub fn write_json_atomic<T: serde::Serialize>(path: &Path, value: &T) -> Result<(), IoError> {
    let mut bytes = serde_json::to_vec_pretty(value)
        .map_err(|e| IoError::new("cannot serialize", path, io::Error::other(e)))?;
    bytes.push(b'\n');
    write_atomic(path, &bytes)
}

fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    }
}

/// What [`append_line_locked`] found and did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppendOutcome {
    /// 1-based line number of the appended record.
    pub line: u64,
    /// Set when the file did not end in a newline: a writer was killed mid-line. A newline
    /// was written first so the torn line stays on its own line; this is its line number.
    pub torn_line_closed: Option<u64>,
}

/// Append one record (`line` must not contain a newline; one is added) to `path` under an
/// exclusive lock. The whole line goes out in one `write_all` and is synced before the lock
/// is released.
pub fn append_line_locked(path: &Path, line: &str) -> Result<AppendOutcome, IoError> {
    debug_assert!(!line.contains('\n'));
    let dir = parent_dir(path);
    fs::create_dir_all(dir).map_err(at("cannot create directory", dir))?;
    let mut file = OpenOptions::new()
        .read(true)
        .append(true)
        .create(true)
        .open(path)
        .map_err(at("cannot open", path))?;
    file.lock().map_err(at("cannot lock", path))?;
    let result = append_under_lock(&mut file, path, line);
    // Closing the file releases the lock too; unlocking explicitly keeps the order obvious.
    let _ = file.unlock();
    result
}

/// Whether the file's last byte is not a newline: a writer was killed mid-line.
fn ends_torn(file: &mut File, path: &Path) -> Result<bool, IoError> {
    let len = file.metadata().map_err(at("cannot stat", path))?.len();
    if len == 0 {
        return Ok(false);
    }
    file.seek(SeekFrom::Start(len - 1))
        .map_err(at("cannot seek in", path))?;
    let mut last = [0u8; 1];
    file.read_exact(&mut last)
        .map_err(at("cannot read", path))?;
    Ok(last[0] != b'\n')
}

fn append_under_lock(file: &mut File, path: &Path, line: &str) -> Result<AppendOutcome, IoError> {
    let torn = ends_torn(file, path)?;
    // Counting lines is a read of the whole file; appends are interactive and rare, and the
    // line number is what lets a user find the record.
    let existing_lines = count_lines(file, path)?;
    let mut buf = Vec::with_capacity(line.len() + 2);
    if torn {
        buf.push(b'\n');
    }
    buf.extend_from_slice(line.as_bytes());
    buf.push(b'\n');
    file.write_all(&buf).map_err(at("cannot append to", path))?;
    file.sync_data().map_err(at("cannot sync", path))?;
    let torn_line_closed = torn.then_some(existing_lines + 1);
    let line_no = existing_lines + 1 + u64::from(torn);
    Ok(AppendOutcome {
        line: line_no,
        torn_line_closed,
    })
}

fn count_lines(file: &mut File, path: &Path) -> Result<u64, IoError> {
    file.seek(SeekFrom::Start(0))
        .map_err(at("cannot seek in", path))?;
    let mut buf = vec![0u8; 1 << 16];
    let mut count = 0u64;
    loop {
        let n = file.read(&mut buf).map_err(at("cannot read", path))?;
        if n == 0 {
            break;
        }
        count += buf[..n].iter().filter(|&&b| b == b'\n').count() as u64;
    }
    Ok(count)
}

/// A JSON Lines file appended to in batches, kept open between them: each batch is written
/// under an exclusive lock (other processes append with [`append_line_locked`] or their own
/// `AppendLog`), in one `write_all`. A torn last line left by a killed writer is closed with
/// a newline first. Once written, a batch survives the process being killed; [`sync`] makes
/// it survive the machine, and may run on another thread (a journal's writer goes on writing
/// while the disk syncs).
///
/// [`sync`]: AppendLog::sync
pub struct AppendLog {
    path: PathBuf,
    file: File,
}

impl AppendLog {
    pub fn open(path: &Path) -> Result<Self, IoError> {
        let dir = parent_dir(path);
        fs::create_dir_all(dir).map_err(at("cannot create directory", dir))?;
        let file = OpenOptions::new()
            .read(true)
            .append(true)
            .create(true)
            .open(path)
            .map_err(at("cannot open", path))?;
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Appends `lines`: whole lines, each ending in a newline.
    pub fn append(&mut self, lines: &[u8]) -> Result<(), IoError> {
        debug_assert!(lines.is_empty() || lines.ends_with(b"\n"));
        let path = self.path.as_path();
        self.file.lock().map_err(at("cannot lock", path))?;
        let result = (|| {
            if ends_torn(&mut self.file, path)? {
                self.file
                    .write_all(b"\n")
                    .map_err(at("cannot append to", path))?;
            }
            self.file
                .write_all(lines)
                .map_err(at("cannot append to", path))
        })();
        let _ = self.file.unlock();
        result
    }

    /// What was appended so far made durable, through a handle of its own.
    pub fn sync(file: &SyncHandle) -> Result<(), IoError> {
        file.file.sync_data().map_err(at("cannot sync", &file.path))
    }

    /// A handle for [`AppendLog::sync`] on another thread.
    pub fn sync_handle(&self) -> Result<SyncHandle, IoError> {
        Ok(SyncHandle {
            file: self
                .file
                .try_clone()
                .map_err(at("cannot open", &self.path))?,
            path: self.path.clone(),
        })
    }
}

/// An [`AppendLog`]'s file, for syncing it elsewhere.
pub struct SyncHandle {
    file: File,
    path: PathBuf,
}

impl SyncHandle {
    pub fn path(&self) -> &Path {
        &self.path
    }
}

/// Read a file that [`append_line_locked`] appends to, under a shared lock, so a record
/// being appended is read whole or not at all. A missing file is `Ok(None)`.
pub fn read_appended(path: &Path) -> Result<Option<Vec<u8>>, IoError> {
    let mut file = match File::open(path) {
        Ok(f) => f,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(IoError::new("cannot open", path, e)),
    };
    file.lock_shared().map_err(at("cannot lock", path))?;
    let mut bytes = Vec::new();
    let read = file
        .read_to_end(&mut bytes)
        .map_err(at("cannot read", path));
    let _ = file.unlock();
    read?;
    Ok(Some(bytes))
}

/// A directory assembled under a hidden staging name next to `final_path` and renamed into
/// place by [`StagingDir::commit`]. A crash leaves only the staging directory, which
/// [`remove_stale_staging`] clears on the next run.
pub struct StagingDir {
    staging: PathBuf,
    final_path: PathBuf,
}

const STAGING_PREFIX: &str = ".staging-";

impl StagingDir {
    pub fn create(final_path: &Path) -> Result<Self, IoError> {
        let dir = parent_dir(final_path);
        let name = final_path
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default();
        let staging = dir.join(format!("{STAGING_PREFIX}{name}"));
        if staging.exists() {
            discard(&staging)?;
        }
        fs::create_dir_all(&staging).map_err(at("cannot create directory", &staging))?;
        Ok(Self {
            staging,
            final_path: final_path.to_path_buf(),
        })
    }

    pub fn path(&self) -> &Path {
        &self.staging
    }

    /// Rename into place. Whatever is at the final path (a version being repaired, or a
    /// half-deleted leftover of an interrupted run) is first renamed to a staging name,
    /// which the next [`remove_stale_staging`] clears if this run dies, then removed.
    pub fn commit(self) -> Result<PathBuf, IoError> {
        let final_path = self.commit_unsynced()?;
        sync_dir(parent_dir(&final_path))?;
        Ok(final_path)
    }

    /// [`StagingDir::commit`] but for its last step, the sync of the parent directory that
    /// makes the rename durable: for a caller renaming many directories into one parent,
    /// which syncs it once ([`sync_dir`]) after the last and before it records them.
    pub fn commit_unsynced(self) -> Result<PathBuf, IoError> {
        sync_dir(&self.staging)?;
        if self.final_path.exists() {
            let name = self
                .final_path
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
                .unwrap_or_default();
            let trash = parent_dir(&self.final_path).join(format!("{STAGING_PREFIX}old-{name}"));
            if trash.exists() {
                fs::remove_dir_all(&trash).map_err(at("cannot remove", &trash))?;
            }
            fs::rename(&self.final_path, &trash)
                .map_err(at("cannot move aside", &self.final_path))?;
            fs::remove_dir_all(&trash).map_err(at("cannot remove", &trash))?;
        }
        fs::rename(&self.staging, &self.final_path).map_err(at(
            "cannot rename a staging directory onto",
            &self.final_path,
        ))?;
        Ok(self.final_path)
    }
}

/// Sync a directory: the names created, renamed or removed in it are durable.
pub fn sync_dir(dir: &Path) -> Result<(), IoError> {
    File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(at("cannot sync directory", dir))
}

/// Remove a directory an interrupted run left behind. It is first renamed aside, because
/// a process of that run (a `git` child outliving its killed parent) may still be writing
/// into it; if it cannot be removed now, the next cleanup tries again.
fn discard(path: &Path) -> Result<(), IoError> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let aside = parent_dir(path).join(format!(
        "{STAGING_PREFIX}discarded-{}-{nanos}",
        name.trim_start_matches(STAGING_PREFIX)
    ));
    fs::rename(path, &aside).map_err(at("cannot move aside", path))?;
    let _ = fs::remove_dir_all(&aside);
    Ok(())
}

/// Directories deleted on a thread of their own, so that whoever discards one does not wait
/// for the deletion (on a filesystem mounted with `discard`, each freed block can cost
/// milliseconds). Each is first renamed aside into `dir` under the name [`remove_discarded`]
/// clears, so one still there when the process dies goes on the next cleanup.
/// [`Discarder::finish`] (or dropping it) waits until every one is gone.
pub struct Discarder {
    dir: PathBuf,
    count: std::sync::atomic::AtomicU64,
    queue: Option<std::sync::mpsc::Sender<PathBuf>>,
    worker: Option<std::thread::JoinHandle<()>>,
}

impl Discarder {
    /// Set discarded directories aside in `dir`, which must be on their filesystem.
    pub fn new(dir: &Path) -> Self {
        let (queue, rx) = std::sync::mpsc::channel::<PathBuf>();
        let worker = std::thread::spawn(move || {
            for path in rx {
                let _ = fs::remove_dir_all(&path);
            }
        });
        Self {
            dir: dir.to_path_buf(),
            count: std::sync::atomic::AtomicU64::new(0),
            queue: Some(queue),
            worker: Some(worker),
        }
    }

    /// Rename `path` aside now, named after `label`, and delete it in the background.
    pub fn discard(&self, path: &Path, label: &str) -> Result<(), IoError> {
        let n = self
            .count
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        let aside = self
            .dir
            .join(format!("{STAGING_PREFIX}discarded-{label}-{nanos}-{n}"));
        fs::rename(path, &aside).map_err(at("cannot move aside", path))?;
        if let Some(Err(unsent)) = self.queue.as_ref().map(|q| q.send(aside)) {
            // The worker is gone: delete here.
            let _ = fs::remove_dir_all(unsent.0);
        }
        Ok(())
    }

    /// Wait until everything discarded so far is deleted.
    pub fn finish(mut self) {
        self.wait();
    }

    fn wait(&mut self) {
        drop(self.queue.take());
        if let Some(worker) = self.worker.take() {
            let _ = worker.join();
        }
    }
}

impl Drop for Discarder {
    fn drop(&mut self) {
        self.wait();
    }
}

/// Remove, as far as possible now, what [`discard`] set aside in `dir` earlier.
pub fn remove_discarded(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry
            .file_name()
            .to_string_lossy()
            .starts_with(&format!("{STAGING_PREFIX}discarded-"))
        {
            let _ = fs::remove_dir_all(entry.path());
        }
    }
}

/// Remove staging directories an interrupted run left in `dir`.
pub fn remove_stale_staging(dir: &Path) -> Result<(), IoError> {
    remove_entries(dir, STAGING_PREFIX, true)
}

/// Remove temp files that [`write_atomic`] leaves behind when a process is killed between
/// creating and renaming them.
pub fn remove_stale_temp_files(dir: &Path) -> Result<(), IoError> {
    remove_entries(dir, TEMP_PREFIX, false)
}

/// Remove the directories (`dirs`) or files in `dir` whose name starts with `prefix`.
fn remove_entries(dir: &Path, prefix: &str, dirs: bool) -> Result<(), IoError> {
    let entries = match fs::read_dir(dir) {
        Ok(e) => e,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(()),
        Err(e) => return Err(IoError::new("cannot list", dir, e)),
    };
    for entry in entries {
        let entry = entry.map_err(at("cannot list", dir))?;
        let Ok(kind) = entry.file_type() else {
            continue;
        };
        if !entry.file_name().to_string_lossy().starts_with(prefix) {
            continue;
        }
        let p = entry.path();
        if dirs && kind.is_dir() {
            discard(&p)?;
        } else if !dirs && kind.is_file() {
            fs::remove_file(&p).map_err(at("cannot remove", &p))?;
        }
    }
    Ok(())
}

/// Copy a directory tree (regular files and directories only).
pub fn copy_tree(from: &Path, to: &Path) -> Result<(), IoError> {
    fs::create_dir_all(to).map_err(at("cannot create directory", to))?;
    let mut entries: Vec<_> = fs::read_dir(from)
        .map_err(at("cannot list", from))?
        .collect::<Result<_, _>>()
        .map_err(at("cannot list", from))?;
    entries.sort_by_key(|e| e.file_name());
    for entry in entries {
        let src = entry.path();
        let dst = to.join(entry.file_name());
        let kind = entry.file_type().map_err(at("cannot stat", &src))?;
        if kind.is_dir() {
            copy_tree(&src, &dst)?;
        } else if kind.is_file() {
            fs::copy(&src, &dst).map_err(at("cannot copy", &src))?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atomic_write_replaces_whole_file() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("sub/a.json");
        write_atomic(&p, b"one").unwrap();
        write_atomic(&p, b"two").unwrap();
        assert_eq!(fs::read(&p).unwrap(), b"two");
        let leftovers: Vec<_> = fs::read_dir(p.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp files left behind");
    }

    #[test]
    fn an_append_log_writes_batches_and_closes_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("j/log.jsonl");
        let mut log = AppendLog::open(&p).unwrap();
        log.append(b"{\"a\":1}\n{\"a\":2}\n").unwrap();
        // Another writer killed mid-line.
        OpenOptions::new()
            .append(true)
            .open(&p)
            .unwrap()
            .write_all(b"{\"torn")
            .unwrap();
        log.append(b"{\"a\":3}\n").unwrap();
        AppendLog::sync(&log.sync_handle().unwrap()).unwrap();
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "{\"a\":1}\n{\"a\":2}\n{\"torn\n{\"a\":3}\n"
        );
    }

    #[test]
    fn append_closes_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("x.jsonl");
        fs::write(&p, "{\"a\":1}\n{\"a\":").unwrap();
        let out = append_line_locked(&p, "{\"b\":2}").unwrap();
        assert_eq!(out.torn_line_closed, Some(2));
        assert_eq!(out.line, 3);
        assert_eq!(
            fs::read_to_string(&p).unwrap(),
            "{\"a\":1}\n{\"a\":\n{\"b\":2}\n"
        );
        let again = append_line_locked(&p, "{}").unwrap();
        assert_eq!(
            again,
            AppendOutcome {
                line: 4,
                torn_line_closed: None
            }
        );
    }

    #[test]
    fn commit_replaces_a_leftover_directory() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v1");
        fs::create_dir_all(&target).unwrap();
        fs::write(target.join("half"), "x").unwrap();
        let st = StagingDir::create(&target).unwrap();
        fs::write(st.path().join("whole"), "y").unwrap();
        st.commit().unwrap();
        assert!(!target.join("half").exists());
        assert!(target.join("whole").exists());
        assert_eq!(fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn discarded_directories_go_in_the_background_or_on_the_next_cleanup() {
        let dir = tempfile::tempdir().unwrap();
        let work = dir.path().join(".staging-a");
        for n in ["x", "y"] {
            fs::create_dir_all(work.join(n).join("sub")).unwrap();
            fs::write(work.join(n).join("sub/f"), "z").unwrap();
        }
        let discarder = Discarder::new(dir.path());
        discarder.discard(&work.join("x"), "a.x").unwrap();
        discarder.discard(&work.join("y"), "a.y").unwrap();
        assert!(!work.join("x").exists(), "set aside at once");
        discarder.finish();
        let left: Vec<_> = fs::read_dir(dir.path())
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(left, vec![std::ffi::OsString::from(".staging-a")]);
        // One set aside by a process that died before deleting it: the next cleanup.
        let aside = dir.path().join(".staging-discarded-a.x-1-0");
        fs::create_dir_all(aside.join("sub")).unwrap();
        remove_discarded(dir.path());
        assert!(!aside.exists());
    }

    #[test]
    fn staging_dir_commits_and_stale_ones_are_removed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("v1");
        let st = StagingDir::create(&target).unwrap();
        fs::write(st.path().join("f"), "x").unwrap();
        st.commit().unwrap();
        assert_eq!(fs::read_to_string(target.join("f")).unwrap(), "x");
        let st2 = StagingDir::create(&dir.path().join("v2")).unwrap();
        let staging = st2.path().to_path_buf();
        drop(st2);
        remove_stale_staging(dir.path()).unwrap();
        assert!(!staging.exists());
        assert!(target.exists());
    }
}

/// The regular files of a tree, as [`list_files`] finds them.
#[derive(Debug, Default)]
pub struct FileListing {
    /// `(path relative to the root with `/` separators, full path)`, sorted by the relative
    /// path's bytes, so every walk of the same tree lists it in the same order.
    pub files: Vec<(String, PathBuf)>,
    /// Symbolic links found and not followed.
    pub symlinks: u64,
}

/// Every regular file under `root`, `.git/` left out and symlinks not followed (counted).
pub fn list_files(root: &Path) -> io::Result<FileListing> {
    fn walk(root: &Path, dir: &Path, out: &mut FileListing) -> io::Result<()> {
        for entry in fs::read_dir(dir)? {
            let entry = entry?;
            let kind = entry.file_type()?;
            let path = entry.path();
            if kind.is_symlink() {
                out.symlinks += 1;
            } else if kind.is_dir() {
                if entry.file_name() != ".git" {
                    walk(root, &path, out)?;
                }
            } else if kind.is_file() {
                let rel = path
                    .strip_prefix(root)
                    .unwrap_or(&path)
                    .to_string_lossy()
                    .replace('\\', "/");
                out.files.push((rel, path));
            }
        }
        Ok(())
    }
    let mut listing = FileListing::default();
    walk(root, root, &mut listing)?;
    listing.files.sort_unstable_by(|a, b| a.0.cmp(&b.0));
    Ok(listing)
}
