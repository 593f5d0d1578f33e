//! MinHash signatures and LSH banding.
//!
//! Permutation `k` maps a shingle hash `h` to `fmix32(fold(h) ^ seed_k)`: murmur3's
//! finalizer is a bijection of 32-bit words with full avalanche, so each seed gives an
//! independent-looking order of the shingles, and the whole signature is one tight loop of
//! 32-bit multiplies that the compiler vectorizes (8 lanes with AVX2, 16 with AVX-512). The
//! seeds come from splitmix64 over a fixed seed, so signatures are the same on every
//! machine and run.
//!
//! Candidate pairs share one band (`rows` consecutive signature values) exactly. The
//! banding is chosen for recall: the most rows per band (fewest chance candidates) whose
//! bands still make a pair at the threshold a candidate with probability ≥ the target.

use serde::Serialize;

/// Signature values per document.
pub const DEFAULT_PERMUTATIONS: usize = 256;

pub struct MinHasher {
    seeds: Vec<u32>,
}

#[inline(always)]
fn fmix32(mut x: u32) -> u32 {
    x ^= x >> 16;
    x = x.wrapping_mul(0x85eb_ca6b);
    x ^= x >> 13;
    x = x.wrapping_mul(0xc2b2_ae35);
    x ^= x >> 16;
    x
}

fn splitmix64(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[inline(always)]
fn fold(h: u64) -> u32 {
    (h ^ (h >> 32)) as u32
}

/// Lanes updated together: four AVX-512 (or eight AVX2) registers of minima stay in
/// registers while every shingle passes, instead of 256 minima going through memory.
const BLOCK: usize = 64;

#[inline(always)]
fn signature_generic(seeds: &[u32], shingles: &[u64], mins: &mut [u32]) {
    let mut blocks = mins.chunks_exact_mut(BLOCK).zip(seeds.chunks_exact(BLOCK));
    for (m, s) in &mut blocks {
        let (m, s): (&mut [u32; BLOCK], &[u32; BLOCK]) = (
            m.try_into().expect("exact chunk"),
            s.try_into().expect("exact chunk"),
        );
        let mut acc = *m;
        for &h in shingles {
            let x = fold(h);
            for k in 0..BLOCK {
                acc[k] = acc[k].min(fmix32(x ^ s[k]));
            }
        }
        *m = acc;
    }
    let done = mins.len() / BLOCK * BLOCK;
    for (m, &s) in mins[done..].iter_mut().zip(&seeds[done..]) {
        for &h in shingles {
            *m = (*m).min(fmix32(fold(h) ^ s));
        }
    }
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx512f")]
fn signature_avx512(seeds: &[u32], shingles: &[u64], mins: &mut [u32]) {
    signature_generic(seeds, shingles, mins)
}

#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2")]
fn signature_avx2(seeds: &[u32], shingles: &[u64], mins: &mut [u32]) {
    signature_generic(seeds, shingles, mins)
}

impl MinHasher {
    pub fn new(permutations: usize, seed: u64) -> Self {
        let mut state = seed;
        let seeds = (0..permutations)
            .map(|_| splitmix64(&mut state) as u32)
            .collect();
        Self { seeds }
    }

    pub fn permutations(&self) -> usize {
        self.seeds.len()
    }

    /// The signature of a shingle set: per permutation, the smallest value of any shingle.
    pub fn signature(&self, shingles: &[u64]) -> Vec<u32> {
        let mut mins = vec![u32::MAX; self.seeds.len()];
        #[cfg(target_arch = "x86_64")]
        {
            if std::arch::is_x86_feature_detected!("avx512f") {
                // SAFETY: the CPU was just seen to support AVX-512F.
                unsafe { signature_avx512(&self.seeds, shingles, &mut mins) };
                return mins;
            }
            if std::arch::is_x86_feature_detected!("avx2") {
                // SAFETY: the CPU was just seen to support AVX2.
                unsafe { signature_avx2(&self.seeds, shingles, &mut mins) };
                return mins;
            }
        }
        signature_generic(&self.seeds, shingles, &mut mins);
        mins
    }
}

/// How a signature is cut into bands for LSH.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Banding {
    pub bands: usize,
    pub rows: usize,
}

impl Banding {
    /// The probability that a pair with Jaccard `j` shares at least one band.
    pub fn candidate_probability(&self, j: f64) -> f64 {
        1.0 - (1.0 - j.powi(self.rows as i32)).powi(self.bands as i32)
    }

    /// The banding with the most rows per band (fewest chance candidates) for which a pair
    /// at `threshold` becomes a candidate with probability at least `recall`, using as many
    /// of the `permutations` as whole bands allow. `None` if no banding reaches `recall`.
    pub fn for_recall(permutations: usize, threshold: f64, recall: f64) -> Option<Self> {
        (1..=permutations)
            .rev()
            .map(|rows| Banding {
                bands: permutations / rows,
                rows,
            })
            .find(|b| b.candidate_probability(threshold) >= recall)
    }

    /// The band keys of a signature, one per band.
    pub fn keys(&self, signature: &[u32]) -> Vec<u64> {
        let mut bytes = Vec::with_capacity(self.rows * 4);
        signature
            .chunks_exact(self.rows)
            .take(self.bands)
            .enumerate()
            .map(|(band, rows)| {
                bytes.clear();
                for r in rows {
                    bytes.extend_from_slice(&r.to_le_bytes());
                }
                xxhash_rust::xxh3::xxh3_64_with_seed(&bytes, band as u64)
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::shingle::{jaccard, shingles};

    #[test]
    fn the_default_banding_reaches_the_recall_target() {
        let b = Banding::for_recall(256, 0.85, 0.99).unwrap();
        assert_eq!(
            b,
            Banding {
                bands: 25,
                rows: 10
            }
        );
        assert!(b.candidate_probability(0.85) >= 0.99);
        // One more row per band would miss it.
        let tighter = Banding {
            bands: 256 / 11,
            rows: 11,
        };
        assert!(tighter.candidate_probability(0.85) < 0.99);
        assert!(Banding::for_recall(4, 0.85, 0.999_999).is_none());
    }

    #[test]
    fn vectorized_and_plain_signatures_agree() {
        let set = shingles(&"lorem ipsum dolor sit amet consectetur adipiscing elit ".repeat(20));
        for permutations in [256, 100] {
            let hasher = MinHasher::new(permutations, 1);
            let plain: Vec<u32> = hasher
                .seeds
                .iter()
                .map(|&s| set.iter().map(|&h| fmix32(fold(h) ^ s)).min().unwrap())
                .collect();
            assert_eq!(hasher.signature(&set), plain);
        }
    }

    #[test]
    fn agreement_of_signatures_estimates_jaccard() {
        let words: Vec<String> = (0..400).map(|i| format!("w{i}")).collect();
        let a = words.join(" ");
        let mut changed = words.clone();
        for w in changed.iter_mut().step_by(40) {
            *w = format!("{w}x");
        }
        let b = changed.join(" ");
        let (sa, sb) = (shingles(&a), shingles(&b));
        let truth = jaccard(&sa, &sb);
        let hasher = MinHasher::new(256, 1);
        let (ga, gb) = (hasher.signature(&sa), hasher.signature(&sb));
        let agree = ga.iter().zip(&gb).filter(|(x, y)| x == y).count() as f64 / 256.0;
        // The estimate's standard error at 256 permutations is about 0.03.
        assert!(
            (agree - truth).abs() < 0.1,
            "estimate {agree}, truth {truth}"
        );
    }
}
