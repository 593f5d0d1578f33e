//! The commit a fresh fetch checked out and its committer time, read from the files of its
//! `.git/` rather than from one more `git` process: `HEAD` (detached, or a branch whose ref
//! is loose or packed) and the commit object (loose, or whole in a pack found through the
//! pack's version 2 index). Anything else (SHA-256, reftable, a commit stored as a delta, a
//! committer line git itself would have to interpret) gives `None`, and the caller asks
//! `git log`.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::Path;

/// The most of a commit object read: its headers come first and are short.
const MAX_COMMIT_BYTES: u64 = 64 << 10;

/// HEAD's commit id and its committer time as RFC 3339 UTC (what `git log -1
/// --format=%H%n%cI`, restated in UTC, says), or `None` when the files do not say it plainly.
pub fn head_commit(git_dir: &Path) -> Option<(String, String)> {
    let id = head_id(git_dir)?;
    let commit = read_commit(git_dir, &id)?;
    let time = committer_time(&commit)?;
    Some((id, time))
}

fn head_id(git_dir: &Path) -> Option<String> {
    let head = std::fs::read_to_string(git_dir.join("HEAD")).ok()?;
    let head = head.trim();
    let id = match head.strip_prefix("ref:") {
        None => head.to_owned(),
        Some(name) => ref_id(git_dir, name.trim())?,
    };
    (id.len() == 40 && id.bytes().all(|b| b.is_ascii_hexdigit())).then(|| id.to_ascii_lowercase())
}

/// A branch's commit: its loose ref file, else its line in `packed-refs`.
fn ref_id(git_dir: &Path, name: &str) -> Option<String> {
    if !name.starts_with("refs/") || name.split('/').any(|p| p.is_empty() || p.starts_with('.')) {
        return None;
    }
    if let Ok(loose) = std::fs::read_to_string(git_dir.join(name)) {
        return Some(loose.trim().to_owned());
    }
    let packed = std::fs::read_to_string(git_dir.join("packed-refs")).ok()?;
    packed
        .lines()
        .filter(|l| !l.starts_with('#') && !l.starts_with('^'))
        .find_map(|l| {
            let (id, r) = l.split_once(' ')?;
            (r.trim() == name).then(|| id.to_owned())
        })
}

/// The body of commit `id` (its headers at least): loose, else in a pack.
fn read_commit(git_dir: &Path, id: &str) -> Option<Vec<u8>> {
    let objects = git_dir.join("objects");
    if let Ok(file) = File::open(objects.join(&id[..2]).join(&id[2..])) {
        let mut data = Vec::new();
        flate2::read::ZlibDecoder::new(file)
            .take(MAX_COMMIT_BYTES)
            .read_to_end(&mut data)
            .ok()?;
        let nul = data.iter().position(|&b| b == 0)?;
        data.starts_with(b"commit ")
            .then(|| data.split_off(nul + 1))
    } else {
        let raw = hex_bytes(id)?;
        std::fs::read_dir(objects.join("pack"))
            .ok()?
            .flatten()
            .map(|e| e.path())
            .filter(|p| p.extension().is_some_and(|x| x == "idx"))
            .find_map(|idx| {
                let offset = pack_offset(&idx, &raw)?;
                packed_commit(&idx.with_extension("pack"), offset)
            })
    }
}

fn hex_bytes(id: &str) -> Option<[u8; 20]> {
    let mut out = [0u8; 20];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(id.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(out)
}

/// Where object `id` starts in the pack of index `idx` (index version 2, SHA-1).
fn pack_offset(idx: &Path, id: &[u8; 20]) -> Option<u64> {
    let data = std::fs::read(idx).ok()?;
    if data.get(..8)? != b"\xfftOc\0\0\0\x02" {
        return None;
    }
    let word = |at: usize| -> Option<usize> {
        let bytes: [u8; 4] = data.get(at..at + 4)?.try_into().ok()?;
        Some(u32::from_be_bytes(bytes) as usize)
    };
    let fanout = |i: usize| word(8 + 4 * i);
    let count = fanout(255)?;
    let names = 8 + 4 * 256;
    let (mut lo, mut hi) = match id[0] {
        0 => (0, fanout(0)?),
        b => (fanout(usize::from(b) - 1)?, fanout(usize::from(b))?),
    };
    while lo < hi {
        let mid = lo + (hi - lo) / 2;
        match data
            .get(names + 20 * mid..names + 20 * mid + 20)?
            .cmp(&id[..])
        {
            std::cmp::Ordering::Less => lo = mid + 1,
            std::cmp::Ordering::Greater => hi = mid,
            std::cmp::Ordering::Equal => {
                let offsets = names + 24 * count;
                let small = word(offsets + 4 * mid)?;
                if small & 0x8000_0000 == 0 {
                    return Some(small as u64);
                }
                let at = offsets + 4 * count + 8 * (small & 0x7fff_ffff);
                return Some(u64::from_be_bytes(data.get(at..at + 8)?.try_into().ok()?));
            }
        }
    }
    None
}

/// The commit stored whole at `offset` of `pack`; `None` for any other kind of entry (a
/// delta among them).
fn packed_commit(pack: &Path, offset: u64) -> Option<Vec<u8>> {
    let mut file = File::open(pack).ok()?;
    file.seek(SeekFrom::Start(offset)).ok()?;
    let mut reader = BufReader::new(file);
    let mut byte = [0u8; 1];
    reader.read_exact(&mut byte).ok()?;
    const COMMIT: u8 = 1;
    if (byte[0] >> 4) & 7 != COMMIT {
        return None;
    }
    let mut size = u64::from(byte[0] & 0x0f);
    let mut shift = 4;
    while byte[0] & 0x80 != 0 {
        reader.read_exact(&mut byte).ok()?;
        if shift > 56 {
            return None;
        }
        size |= u64::from(byte[0] & 0x7f) << shift;
        shift += 7;
    }
    let mut body = Vec::new();
    flate2::bufread::ZlibDecoder::new(reader)
        .take(size.min(MAX_COMMIT_BYTES))
        .read_to_end(&mut body)
        .ok()?;
    Some(body)
}

/// From a commit's headers, the committer time (`committer Name <email> 1700000000 +0200`)
/// as RFC 3339 UTC; `None` unless the line ends in plain seconds and a `±hhmm` zone.
fn committer_time(commit: &[u8]) -> Option<String> {
    let line = commit
        .split(|&b| b == b'\n')
        .take_while(|l| !l.is_empty())
        .find_map(|l| l.strip_prefix(b"committer "))?;
    let after_email = &line[line.iter().rposition(|&b| b == b'>')? + 1..];
    let after_email = std::str::from_utf8(after_email).ok()?;
    let mut fields = after_email.split(' ').filter(|f| !f.is_empty());
    let (seconds, zone) = (fields.next()?, fields.next()?);
    let plain = |s: &str| !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit());
    if fields.next().is_some()
        || !plain(seconds)
        || seconds.len() > 12
        || zone.len() != 5
        || !matches!(zone.as_bytes()[0], b'+' | b'-')
        || !plain(&zone[1..])
    {
        return None;
    }
    tuneforge_core::time::unix_rfc3339(seconds.parse().ok()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::Command;

    fn git(dir: &Path, args: &[&str], date: &str) -> String {
        let out = Command::new("git")
            .args(["-c", "user.name=Tëst", "-c", "user.email=t@example.com"])
            .args([
                "-c",
                "init.defaultBranch=main",
                "-c",
                "advice.detachedHead=false",
            ])
            .args(args)
            .envs(
                [("GIT_COMMITTER_DATE", date), ("GIT_AUTHOR_DATE", date)]
                    .into_iter()
                    .filter(|_| !date.is_empty()),
            )
            .current_dir(dir)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "git {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// What acquire asked git before: `git log -1 --format=%H%n%cI`, the time in UTC.
    fn from_git(repo: &Path) -> (String, String) {
        let out = git(repo, &["log", "-1", "--format=%H%n%cI"], "");
        let mut lines = out.lines();
        let id = lines.next().unwrap().to_owned();
        let time = tuneforge_core::time::to_utc_rfc3339(lines.next().unwrap()).unwrap();
        (id, time)
    }

    #[test]
    fn head_and_committer_time_agree_with_git_for_every_way_acquire_fetches() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tmp.path().join("src");
        std::fs::create_dir_all(&src).unwrap();
        git(&src, &["init", "-q"], "");
        for (i, date) in [
            "2020-02-03T04:05:06+05:30",
            "2021-07-01T23:59:59-08:00",
            "2024-12-31T12:00:00+00:00",
        ]
        .iter()
        .enumerate()
        {
            std::fs::write(src.join(format!("f{i}.txt")), format!("{i}\n")).unwrap();
            git(&src, &["add", "."], date);
            git(&src, &["commit", "-q", "-m", &format!("commit {i}")], date);
        }
        git(
            &src,
            &["tag", "-a", "-m", "tag", "1.0.0", "HEAD~1"],
            "2022-01-01T00:00:00Z",
        );
        git(&src, &["branch", "stable", "HEAD~2"], "");
        let url = format!("file://{}", src.display());
        let pinned = from_git(&src).0;
        let clone = |name: &str, args: &[&str]| {
            let dir = tmp.path().join(name);
            let mut all = vec![
                "clone",
                "-q",
                "--depth",
                "1",
                "--no-tags",
                "--single-branch",
            ];
            all.extend_from_slice(args);
            all.extend_from_slice(&[url.as_str(), name]);
            git(tmp.path(), &all, "");
            dir
        };
        let fetch = |name: &str, unpack_limit: &str| {
            let dir = tmp.path().join(name);
            std::fs::create_dir_all(&dir).unwrap();
            git(&dir, &["init", "-q"], "");
            let limit = format!("fetch.unpackLimit={unpack_limit}");
            git(
                &dir,
                &["-c", &limit, "fetch", "-q", "--depth", "1", &url, &pinned],
                "",
            );
            git(&dir, &["checkout", "-q", "--detach", "FETCH_HEAD"], "");
            dir
        };
        let repos = [
            clone("tag", &["--branch", "1.0.0"]),
            clone("branch", &["--branch", "stable"]),
            clone("default", &[]),
            fetch("commit-packed", "1"),
            fetch("commit-loose", "100"),
        ];
        let mut times = std::collections::BTreeSet::new();
        for repo in &repos {
            let expected = from_git(repo);
            assert_eq!(
                head_commit(&repo.join(".git")).as_ref(),
                Some(&expected),
                "{}",
                repo.display()
            );
            times.insert(expected.1);
        }
        assert_eq!(times.len(), 3, "three commits, three zones: {times:?}");
        assert!(times.contains("2020-02-02T22:35:06Z"), "{times:?}");
        // The branch's ref packed, as `git pack-refs` leaves it.
        let branch = &repos[1];
        git(branch, &["pack-refs", "--all"], "");
        assert!(!branch.join(".git/refs/heads/stable").exists());
        assert_eq!(head_commit(&branch.join(".git")), Some(from_git(branch)));
    }

    #[test]
    fn what_is_not_plain_is_left_to_git() {
        let commit = |line: &str| format!("tree 1\nauthor a <a> 1 +0000\n{line}\n\nmsg\n");
        let time = |line: &str| committer_time(commit(line).as_bytes());
        assert_eq!(
            time("committer N <n@x> 1700000000 +0200").as_deref(),
            Some("2023-11-14T22:13:20Z")
        );
        assert_eq!(time("committer N <n@x> 1700000000"), None);
        assert_eq!(time("committer N <n@x> -5 +0000"), None);
        assert_eq!(time("committer N <n@x> 17e8 +0000"), None);
        assert_eq!(time("committer N <n@x> 1700000000 +02:00"), None);
        assert_eq!(
            committer_time(b"tree 1\n\ncommitter N <n@x> 1 +0000\n"),
            None
        );
        let tmp = tempfile::tempdir().unwrap();
        std::fs::write(tmp.path().join("HEAD"), "ref: refs/heads/.invalid\n").unwrap();
        assert_eq!(head_commit(tmp.path()), None, "reftable");
    }
}
