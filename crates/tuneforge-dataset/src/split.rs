//! Deterministic, seeded assignment of samples to train / valid / test.
//!
//! A sample's split depends only on the seed and its duplicate key (a hash of its content),
//! not on the other samples: a sample stays in its split when more data arrives, so a
//! sample tested on in v1 is never trained on in v2, and exact duplicates (which share a
//! key) can never straddle two splits. A domain with fewer samples than
//! `process.min_domain_samples_for_holdout` goes to train entirely; when it reaches the
//! threshold it is split for the first time, the one case where samples move (out of
//! train), and `process` warns about it.

use serde::{Deserialize, Serialize};
use tuneforge_core::config::SplitConfig;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Split {
    Train,
    Valid,
    Test,
}

impl Split {
    pub fn name(self) -> &'static str {
        match self {
            Split::Train => "train",
            Split::Valid => "valid",
            Split::Test => "test",
        }
    }

    pub fn index(self) -> usize {
        self as usize
    }
}

/// Samples per split.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SplitCounts {
    pub train: u64,
    pub valid: u64,
    pub test: u64,
}

impl SplitCounts {
    pub fn add(&mut self, split: Split) {
        match split {
            Split::Train => self.train += 1,
            Split::Valid => self.valid += 1,
            Split::Test => self.test += 1,
        }
    }
    pub fn total(&self) -> u64 {
        self.train + self.valid + self.test
    }
}

/// A point in [0, 1) from the seed and the sample's duplicate key.
pub fn unit_interval(seed: u64, dedup_key: &[u8; 32]) -> f64 {
    let mut hasher = blake3::Hasher::new();
    hasher.update(b"tuneforge-split-v1");
    hasher.update(&seed.to_le_bytes());
    hasher.update(dedup_key);
    let bytes = hasher.finalize();
    let mut first = [0u8; 8];
    first.copy_from_slice(&bytes.as_bytes()[..8]);
    // 53 bits: exactly representable in an f64.
    (u64::from_le_bytes(first) >> 11) as f64 / (1u64 << 53) as f64
}

pub fn assign(seed: u64, dedup_key: &[u8; 32], split: &SplitConfig, holdout: bool) -> Split {
    if !holdout {
        return Split::Train;
    }
    let u = unit_interval(seed, dedup_key);
    if u < split.train.get() {
        Split::Train
    } else if u < split.train.get() + split.valid.get() {
        Split::Valid
    } else {
        Split::Test
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proportions_follow_the_config() {
        let cfg = SplitConfig::default();
        let mut counts = [0usize; 3];
        for i in 0u32..20_000 {
            let key = *blake3::hash(&i.to_le_bytes()).as_bytes();
            counts[assign(42, &key, &cfg, true).index()] += 1;
        }
        assert!((15_500..16_500).contains(&counts[0]), "{counts:?}");
        assert!((1_700..2_300).contains(&counts[1]), "{counts:?}");
        assert!((1_700..2_300).contains(&counts[2]), "{counts:?}");
    }

    #[test]
    fn seed_changes_assignment_and_small_domains_train_only() {
        let cfg = SplitConfig::default();
        let keys: Vec<[u8; 32]> = (0u32..200)
            .map(|i| *blake3::hash(&i.to_le_bytes()).as_bytes())
            .collect();
        let a: Vec<_> = keys.iter().map(|k| assign(1, k, &cfg, true)).collect();
        let b: Vec<_> = keys.iter().map(|k| assign(2, k, &cfg, true)).collect();
        assert_ne!(a, b);
        assert!(
            keys.iter()
                .all(|k| assign(1, k, &cfg, false) == Split::Train)
        );
    }
}
