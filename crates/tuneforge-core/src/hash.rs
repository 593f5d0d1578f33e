//! Content hashing. Every hash in tuneforge is blake3, written as lower-case hex.

use std::io;
use std::path::Path;

/// blake3 of a byte slice, as hex.
pub fn hash_bytes(bytes: &[u8]) -> String {
    blake3::hash(bytes).to_hex().to_string()
}

/// blake3 and length of a file's content. Large files are memory-mapped and hashed on all
/// cores; small ones are read in one go.
pub fn hash_file(path: &Path) -> io::Result<(String, u64)> {
    let mut hasher = blake3::Hasher::new();
    hasher.update_mmap_rayon(path)?;
    let len = std::fs::metadata(path)?.len();
    Ok((hasher.finalize().to_hex().to_string(), len))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn file_and_bytes_hash_agree() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("x");
        std::fs::write(&path, b"hello").unwrap();
        assert_eq!(hash_file(&path).unwrap(), (hash_bytes(b"hello"), 5));
    }
}
