//! The usage chunk kept from a client that did not ask for it.
//!
//! To journal token counts the proxy sets `stream_options.include_usage` on streaming chat
//! requests that did not; the upstream then ends its stream with one extra event, `choices`
//! empty and `usage` filled, which such a client does not expect (some take an empty
//! `choices` for an error). This filter passes the stream through event by event and drops
//! that one. Chunks made of whole events that cannot be it pass as they are, uncopied.

use bytes::Bytes;

#[derive(Default)]
pub(crate) struct UsageFilter {
    /// An event begun in one chunk and not yet ended.
    pending: Vec<u8>,
}

/// Where the last complete event of `bytes` ends (after its blank line).
fn last_event_end(bytes: &[u8]) -> Option<usize> {
    let lf = memchr::memmem::rfind(bytes, b"\n\n").map(|i| i + 2);
    let crlf = memchr::memmem::rfind(bytes, b"\r\n\r\n").map(|i| i + 4);
    lf.max(crlf)
}

/// Whether one event is the usage-only chunk: `data: {...}` with `choices` empty and a
/// `usage` object.
fn is_usage_only(event: &[u8]) -> bool {
    if memchr::memmem::find(event, b"\"usage\"").is_none() {
        return false;
    }
    let text = String::from_utf8_lossy(event);
    let data: String = text
        .lines()
        .filter_map(|l| l.strip_prefix("data:"))
        .map(|d| d.strip_prefix(' ').unwrap_or(d))
        .collect::<Vec<_>>()
        .join("\n");
    let Ok(value) = serde_json::from_str::<serde_json::Value>(&data) else {
        return false;
    };
    value["choices"].as_array().is_some_and(Vec::is_empty) && value["usage"].is_object()
}

/// The events of `bytes` (whole events only) without the usage-only one.
fn without_usage(bytes: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(bytes.len());
    let mut rest = bytes;
    while !rest.is_empty() {
        let end = [
            memchr::memmem::find(rest, b"\n\n").map(|i| i + 2),
            memchr::memmem::find(rest, b"\r\n\r\n").map(|i| i + 4),
        ]
        .into_iter()
        .flatten()
        .min()
        .unwrap_or(rest.len());
        let (event, tail) = rest.split_at(end);
        if !is_usage_only(event) {
            out.extend_from_slice(event);
        }
        rest = tail;
    }
    out
}

impl UsageFilter {
    /// What of `chunk` goes to the client now: the events it completes, minus the usage
    /// chunk. An event still open waits for the chunk that ends it.
    pub(crate) fn pass(&mut self, chunk: &Bytes) -> Bytes {
        if self.pending.is_empty()
            && (chunk.ends_with(b"\n\n") || chunk.ends_with(b"\r\n\r\n"))
            && memchr::memmem::find(chunk, b"\"usage\"").is_none()
        {
            return chunk.clone();
        }
        self.pending.extend_from_slice(chunk);
        let Some(end) = last_event_end(&self.pending) else {
            return Bytes::new();
        };
        let whole: Vec<u8> = self.pending.drain(..end).collect();
        Bytes::from(without_usage(&whole))
    }

    /// The end of the stream: whatever is left, an unfinished last event included.
    pub(crate) fn finish(&mut self) -> Bytes {
        Bytes::from(without_usage(&std::mem::take(&mut self.pending)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const CONTENT: &str =
        "data: {\"choices\":[{\"index\":0,\"delta\":{\"content\":\"Hi\"}}],\"usage\":null}\n\n";
    const USAGE: &str =
        "data: {\"choices\":[],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":1}}\n\n";
    const DONE: &str = "data: [DONE]\n\n";

    #[test]
    fn the_usage_chunk_is_dropped_wherever_the_chunks_cut() {
        let stream = format!("{CONTENT}{USAGE}{DONE}");
        let expected = format!("{CONTENT}{DONE}");
        // Every way of cutting the stream in two, and byte by byte.
        for cut in 0..=stream.len() {
            let mut f = UsageFilter::default();
            let mut out = Vec::new();
            for part in [&stream[..cut], &stream[cut..]] {
                out.extend_from_slice(&f.pass(&Bytes::copy_from_slice(part.as_bytes())));
            }
            out.extend_from_slice(&f.finish());
            assert_eq!(String::from_utf8(out).unwrap(), expected, "cut at {cut}");
        }
        let mut f = UsageFilter::default();
        let mut out = Vec::new();
        for b in stream.as_bytes() {
            out.extend_from_slice(&f.pass(&Bytes::copy_from_slice(&[*b])));
        }
        out.extend_from_slice(&f.finish());
        assert_eq!(String::from_utf8(out).unwrap(), expected);
    }

    #[test]
    fn content_chunks_pass_uncopied_and_usage_in_a_content_chunk_stays() {
        let mut f = UsageFilter::default();
        let chunk = Bytes::from_static(b"data: {\"choices\":[{\"index\":0}]}\n\n");
        let passed = f.pass(&chunk);
        assert_eq!(passed.as_ptr(), chunk.as_ptr(), "no copy");
        // A content chunk that also carries usage is the client's.
        let both = "data: {\"choices\":[{\"index\":0,\"delta\":{}}],\"usage\":{\"total_tokens\":2}}\r\n\r\n";
        assert_eq!(f.pass(&Bytes::from(both)), both.as_bytes());
    }
}
