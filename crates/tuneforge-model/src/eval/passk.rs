//! pass@k with the unbiased estimator of Chen et al. (2021): from `n` samples of which `c`
//! pass, the chance that at least one of `k` drawn without replacement passes,
//! `1 - C(n-c, k) / C(n, k)`, computed as a product so large `n` does not overflow.

/// The unbiased pass@k estimate, or `None` when `k` is 0 or more than the `n` samples drawn
/// (or `c > n`): such a figure would be made up.
pub fn pass_at_k(n: u64, c: u64, k: u64) -> Option<f64> {
    if k == 0 || k > n || c > n {
        return None;
    }
    if n - c < k {
        return Some(1.0);
    }
    // C(n-c, k) / C(n, k) = prod_{i = n-c+1}^{n} (1 - k / i)
    let miss: f64 = ((n - c + 1)..=n)
        .map(|i| 1.0 - k as f64 / i as f64)
        .product();
    Some(1.0 - miss)
}

/// The mean pass@k over tasks, each given as `(n, c)`; tasks with fewer than `k` samples
/// make the figure undefined.
pub fn mean_pass_at_k(tasks: &[(u64, u64)], k: u64) -> Option<f64> {
    if tasks.is_empty() {
        return None;
    }
    let mut sum = 0.0;
    for &(n, c) in tasks {
        sum += pass_at_k(n, c, k)?;
    }
    Some(sum / tasks.len() as f64)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-12
    }

    #[test]
    fn matches_hand_computed_values() {
        // k = 1 is the pass rate.
        assert!(close(pass_at_k(10, 3, 1).unwrap(), 0.3));
        // 1 - C(7,2)/C(10,2) = 1 - 21/45.
        assert!(close(pass_at_k(10, 3, 2).unwrap(), 1.0 - 21.0 / 45.0));
        // 1 - C(15,5)/C(20,5) = 1 - 3003/15504.
        assert!(close(pass_at_k(20, 5, 5).unwrap(), 1.0 - 3003.0 / 15504.0));
        // Greedy decoding: one sample.
        assert_eq!(pass_at_k(1, 1, 1), Some(1.0));
        assert_eq!(pass_at_k(1, 0, 1), Some(0.0));
        assert_eq!(pass_at_k(5, 0, 3), Some(0.0));
        // Fewer failures than draws: some draw must pass.
        assert_eq!(pass_at_k(5, 3, 3), Some(1.0));
    }

    #[test]
    fn undefined_figures_are_refused() {
        assert_eq!(pass_at_k(3, 1, 4), None);
        assert_eq!(pass_at_k(3, 1, 0), None);
        assert_eq!(pass_at_k(3, 4, 1), None);
        assert_eq!(mean_pass_at_k(&[(10, 3), (2, 1)], 5), None);
        assert_eq!(mean_pass_at_k(&[], 1), None);
        assert!(close(mean_pass_at_k(&[(10, 3), (10, 7)], 1).unwrap(), 0.5));
    }

    #[test]
    fn large_sample_counts_do_not_overflow() {
        let p = pass_at_k(1000, 500, 100).unwrap();
        assert!(p > 0.999_999 && p <= 1.0, "{p}");
    }
}
