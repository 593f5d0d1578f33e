//! ggml's block quantizers, written from the format's definition and ggml's reference
//! algorithms (the ones `llama-quantize` runs when it has no importance matrix), so a file
//! quantized here carries the same blocks as one quantized by llama.cpp.
//!
//! * q8_0: 32 values as an f16 scale `max|x| / 127` and 32 signed bytes.
//! * q5_0: 32 values as an f16 scale `max / -16` and 5-bit quants (low nibbles + high bits).
//! * q4_K: 256 values in 8 groups of 32, each group `scale·q - min` with 6-bit group scales
//!   and mins under two f16 super-scales; each group's (scale, min) is fitted by a weighted
//!   least-squares search (`fit_scale_min`).
//! * q6_K: 256 values in 16 groups of 16, signed 6-bit quants, 8-bit group scales under an
//!   f16 super-scale; each group's scale is searched around `max / -32` (`fit_scale`).
//!
//! Every function takes whole blocks; the caller checks row lengths.

/// Rounds to the nearest integer, ties to even, as ggml's `nearest_int` does (by adding
/// 1.5·2²³, which leaves the integer in the low mantissa bits). Valid for |x| < 2²².
#[inline(always)]
fn nearest_int(x: f32) -> i32 {
    let bits = (x + 12_582_912.0).to_bits() as i32;
    (bits & 0x007f_ffff) - 0x0040_0000
}

/// Below this, a group is all zeros.
const GROUP_MAX_EPS: f32 = 1e-15;

fn f16_bytes(v: f32) -> [u8; 2] {
    half::f16::from_f32(v).to_le_bytes()
}

fn f16_value(v: f32) -> f32 {
    half::f16::from_f32(v).to_f32()
}

pub fn q8_0(values: &[f32], out: &mut Vec<u8>) {
    for block in values.chunks_exact(32) {
        let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
        let d = amax / 127.0;
        let id = if d == 0.0 { 0.0 } else { 1.0 / d };
        out.extend_from_slice(&f16_bytes(d));
        // roundf: half away from zero, which is what Rust's round does.
        out.extend(block.iter().map(|v| (v * id).round() as i8 as u8));
    }
}

pub fn q5_0(values: &[f32], out: &mut Vec<u8>) {
    for block in values.chunks_exact(32) {
        let (mut amax, mut max) = (0f32, 0f32);
        for &v in block {
            if amax < v.abs() {
                amax = v.abs();
                max = v;
            }
        }
        let d = max / -16.0;
        let id = if d == 0.0 { 0.0 } else { 1.0 / d };
        out.extend_from_slice(&f16_bytes(d));
        let mut qh = 0u32;
        let mut qs = [0u8; 16];
        for j in 0..16 {
            // C's (int8_t) cast truncates toward zero; the value is in [0.5, 32.5].
            let q = |x: f32| ((x * id + 16.5) as i8).min(31) as u8;
            let (x0, x1) = (q(block[j]), q(block[j + 16]));
            qs[j] = (x0 & 0x0f) | ((x1 & 0x0f) << 4);
            qh |= u32::from((x0 & 0x10) >> 4) << j;
            qh |= u32::from((x1 & 0x10) >> 4) << (j + 16);
        }
        out.extend_from_slice(&qh.to_le_bytes());
        out.extend_from_slice(&qs);
    }
}

/// The (scale, min) of one group for `x ≈ scale·q + min` with `q` in `0..=nmax`, minimizing
/// the weighted squared error over `nstep + 1` candidate scales; `levels` receives the q.
/// Returns `(scale, -min)`.
#[inline(always)]
fn fit_scale_min(x: &[f32], weights: &[f32], nmax: i32, levels: &mut [u8]) -> (f32, f32) {
    const RMIN: f32 = -1.0;
    const RDELTA: f32 = 0.1;
    const NSTEP: i32 = 20;
    let n = x.len();
    let (mut min, mut max) = (x[0], x[0]);
    let mut sum_w = weights[0];
    let mut sum_x = sum_w * x[0];
    for i in 1..n {
        min = min.min(x[i]);
        max = max.max(x[i]);
        sum_w += weights[i];
        sum_x += weights[i] * x[i];
    }
    if min > 0.0 {
        min = 0.0;
    }
    if max == min {
        levels.iter_mut().for_each(|l| *l = 0);
        return (0.0, -min);
    }
    let mut iscale = nmax as f32 / (max - min);
    let mut scale = 1.0 / iscale;
    let mut best_error = 0f32;
    for i in 0..n {
        let l = nearest_int(iscale * (x[i] - min)).clamp(0, nmax);
        levels[i] = l as u8;
        let diff = scale * l as f32 + min - x[i];
        best_error += weights[i] * (diff * diff);
    }
    let mut aux = [0u8; 32];
    for is in 0..=NSTEP {
        iscale = (RMIN + RDELTA * is as f32 + nmax as f32) / (max - min);
        let (mut sum_l, mut sum_l2, mut sum_xl) = (0f32, 0f32, 0f32);
        for i in 0..n {
            let l = nearest_int(iscale * (x[i] - min)).clamp(0, nmax);
            aux[i] = l as u8;
            let (w, l) = (weights[i], l as f32);
            sum_l += w * l;
            sum_l2 += w * l * l;
            sum_xl += w * l * x[i];
        }
        let det = sum_w * sum_l2 - sum_l * sum_l;
        if det > 0.0 {
            let mut this_scale = (sum_w * sum_xl - sum_x * sum_l) / det;
            let mut this_min = (sum_l2 * sum_x - sum_l * sum_xl) / det;
            if this_min > 0.0 {
                this_min = 0.0;
                this_scale = sum_xl / sum_l2;
            }
            let mut error = 0f32;
            for i in 0..n {
                let diff = this_scale * aux[i] as f32 + this_min - x[i];
                error += weights[i] * (diff * diff);
            }
            if error < best_error {
                levels[..n].copy_from_slice(&aux[..n]);
                best_error = error;
                scale = this_scale;
                min = this_min;
            }
        }
    }
    (scale, -min)
}

/// Runs `$generic` compiled for AVX2 when the CPU has it: the groups' integer clamps and
/// float sums vectorize there, and not with the baseline x86-64 instructions (SSE2 has no
/// 32-bit integer min/max). Same arithmetic, same bytes: Rust never fuses multiply-adds.
macro_rules! with_avx2 {
    ($name:ident, $generic:ident) => {
        pub fn $name(values: &[f32], out: &mut Vec<u8>) {
            #[cfg(target_arch = "x86_64")]
            {
                #[target_feature(enable = "avx2")]
                unsafe fn avx2(values: &[f32], out: &mut Vec<u8>) {
                    $generic(values, out)
                }
                if std::arch::is_x86_feature_detected!("avx2") {
                    // SAFETY: the CPU has AVX2, checked just above.
                    return unsafe { avx2(values, out) };
                }
            }
            $generic(values, out)
        }
    };
}

with_avx2!(q4_k, q4_k_generic);
with_avx2!(q6_k, q6_k_generic);

#[inline(always)]
fn q4_k_generic(values: &[f32], out: &mut Vec<u8>) {
    for x in values.chunks_exact(256) {
        let mut levels = [0u8; 256];
        let mut scales = [0f32; 8];
        let mut mins = [0f32; 8];
        let (mut max_scale, mut max_min) = (0f32, 0f32);
        for j in 0..8 {
            let group = &x[32 * j..32 * j + 32];
            let sum_x2: f32 = group.iter().fold(0.0, |s, v| s + v * v);
            let av_x = (sum_x2 / 32.0).sqrt();
            let mut weights = [0f32; 32];
            for (w, v) in weights.iter_mut().zip(group) {
                *w = av_x + v.abs();
            }
            let (scale, min) = fit_scale_min(group, &weights, 15, &mut levels[32 * j..32 * j + 32]);
            scales[j] = scale;
            mins[j] = min;
            max_scale = max_scale.max(scale);
            max_min = max_min.max(min);
        }
        let inv_scale = if max_scale > 0.0 {
            63.0 / max_scale
        } else {
            0.0
        };
        let inv_min = if max_min > 0.0 { 63.0 / max_min } else { 0.0 };
        let mut packed = [0u8; 12];
        for j in 0..8 {
            // The C stores nearest_int in a uint8_t before clamping: keep that wrap.
            let ls = (nearest_int(inv_scale * scales[j]) as u8).min(63);
            let lm = (nearest_int(inv_min * mins[j]) as u8).min(63);
            if j < 4 {
                packed[j] = ls;
                packed[j + 4] = lm;
            } else {
                packed[j + 4] = (ls & 0x0f) | ((lm & 0x0f) << 4);
                packed[j - 4] |= (ls >> 4) << 6;
                packed[j] |= (lm >> 4) << 6;
            }
        }
        let d = f16_value(max_scale / 63.0);
        let dmin = f16_value(max_min / 63.0);
        for j in 0..8 {
            let (sc, m) = scale_min_k4(j, &packed);
            let dj = d * f32::from(sc);
            if dj == 0.0 {
                continue;
            }
            let dm = dmin * f32::from(m);
            for i in 0..32 {
                let l = nearest_int((x[32 * j + i] + dm) / dj).clamp(0, 15);
                levels[32 * j + i] = l as u8;
            }
        }
        out.extend_from_slice(&f16_bytes(max_scale / 63.0));
        out.extend_from_slice(&f16_bytes(max_min / 63.0));
        out.extend_from_slice(&packed);
        for j in (0..256).step_by(64) {
            out.extend((0..32).map(|l| levels[j + l] | (levels[j + l + 32] << 4)));
        }
    }
}

/// Group `j`'s 6-bit scale and min from q4_K's 12 packed bytes.
#[inline(always)]
fn scale_min_k4(j: usize, q: &[u8; 12]) -> (u8, u8) {
    if j < 4 {
        (q[j] & 63, q[j + 4] & 63)
    } else {
        (
            (q[j + 4] & 0x0f) | ((q[j - 4] >> 6) << 4),
            (q[j + 4] >> 4) | ((q[j] >> 6) << 4),
        )
    }
}

/// The scale of one group for signed quants in `-nmax..nmax`, weighted by `x²`: starts
/// from `max / -nmax` and tries 18 nearby scales, keeping the best fit. `levels` receives
/// `q + nmax`.
#[inline(always)]
fn fit_scale(x: &[f32], nmax: i32, levels: &mut [i8]) -> f32 {
    let (mut amax, mut max) = (0f32, 0f32);
    for &v in x {
        if v.abs() > amax {
            amax = v.abs();
            max = v;
        }
    }
    if amax < GROUP_MAX_EPS {
        levels.iter_mut().for_each(|l| *l = 0);
        return 0.0;
    }
    let quantize = |iscale: f32, v: f32| nearest_int(iscale * v).clamp(-nmax, nmax - 1);
    let mut iscale = -(nmax as f32) / max;
    let (mut sum_lx, mut sum_l2) = (0f32, 0f32);
    for (i, &v) in x.iter().enumerate() {
        let l = quantize(iscale, v);
        levels[i] = (l + nmax) as i8;
        let (w, l) = (v * v, l as f32);
        sum_lx += w * v * l;
        sum_l2 += w * l * l;
    }
    let mut scale = if sum_l2 != 0.0 { sum_lx / sum_l2 } else { 0.0 };
    let mut best = scale * sum_lx;
    for is in -9..=9 {
        if is == 0 {
            continue;
        }
        iscale = -(nmax as f32 + 0.1 * is as f32) / max;
        sum_lx = 0.0;
        sum_l2 = 0.0;
        for &v in x {
            let (w, l) = (v * v, quantize(iscale, v) as f32);
            sum_lx += w * v * l;
            sum_l2 += w * l * l;
        }
        if sum_l2 > 0.0 && sum_lx * sum_lx > best * sum_l2 {
            for (i, &v) in x.iter().enumerate() {
                levels[i] = (quantize(iscale, v) + nmax) as i8;
            }
            scale = sum_lx / sum_l2;
            best = scale * sum_lx;
        }
    }
    scale
}

#[inline(always)]
fn q6_k_generic(values: &[f32], out: &mut Vec<u8>) {
    for x in values.chunks_exact(256) {
        let mut levels = [0i8; 256];
        let mut scales = [0f32; 16];
        let (mut max_scale, mut max_abs_scale) = (0f32, 0f32);
        for ib in 0..16 {
            let scale = fit_scale(
                &x[16 * ib..16 * ib + 16],
                32,
                &mut levels[16 * ib..16 * ib + 16],
            );
            scales[ib] = scale;
            if scale.abs() > max_abs_scale {
                max_abs_scale = scale.abs();
                max_scale = scale;
            }
        }
        if max_abs_scale < GROUP_MAX_EPS {
            out.extend_from_slice(&[0u8; 210]);
            continue;
        }
        let iscale = -128.0 / max_scale;
        let d = f16_value(1.0 / iscale);
        let mut group_scales = [0i8; 16];
        for ib in 0..16 {
            group_scales[ib] = nearest_int(iscale * scales[ib]).min(127) as i8;
        }
        for j in 0..16 {
            let dj = d * f32::from(group_scales[j]);
            if dj == 0.0 {
                continue;
            }
            for i in 0..16 {
                let l = nearest_int(x[16 * j + i] / dj).clamp(-32, 31);
                levels[16 * j + i] = (l + 32) as i8;
            }
        }
        let mut ql = [0u8; 128];
        let mut qh = [0u8; 64];
        for (half, j) in (0..256).step_by(128).enumerate() {
            let (ql, qh) = (
                &mut ql[64 * half..64 * half + 64],
                &mut qh[32 * half..32 * half + 32],
            );
            for l in 0..32 {
                let q = |k: usize| levels[j + l + k] as u8;
                ql[l] = (q(0) & 0x0f) | ((q(64) & 0x0f) << 4);
                ql[l + 32] = (q(32) & 0x0f) | ((q(96) & 0x0f) << 4);
                qh[l] =
                    (q(0) >> 4) | ((q(32) >> 4) << 2) | ((q(64) >> 4) << 4) | ((q(96) >> 4) << 6);
            }
        }
        out.extend_from_slice(&ql);
        out.extend_from_slice(&qh);
        out.extend(group_scales.iter().map(|&s| s as u8));
        out.extend_from_slice(&f16_bytes(1.0 / iscale));
    }
}

#[cfg(test)]
pub(crate) mod dequantize {
    //! The inverse of each quantizer, for the tests' round trips (llama.cpp itself is
    //! the reference in tests/gguf.rs).

    pub fn q4_k(bytes: &[u8]) -> Vec<f32> {
        let mut out = Vec::new();
        for b in bytes.chunks_exact(144) {
            let d = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
            let dmin = half::f16::from_le_bytes([b[2], b[3]]).to_f32();
            let packed: [u8; 12] = b[4..16].try_into().unwrap();
            let qs = &b[16..];
            for chunk in 0..4 {
                for part in 0..2 {
                    let (sc, m) = super::scale_min_k4(chunk * 2 + part, &packed);
                    for l in 0..32 {
                        let q = qs[chunk * 32 + l];
                        let q = if part == 0 { q & 0x0f } else { q >> 4 };
                        out.push(d * f32::from(sc) * f32::from(q) - dmin * f32::from(m));
                    }
                }
            }
        }
        out
    }

    pub fn q6_k(bytes: &[u8]) -> Vec<f32> {
        let mut out = Vec::new();
        for b in bytes.chunks_exact(210) {
            let (ql, qh, sc) = (&b[..128], &b[128..192], &b[192..208]);
            let d = half::f16::from_le_bytes([b[208], b[209]]).to_f32();
            let mut block = [0f32; 256];
            for half in 0..2 {
                for l in 0..32 {
                    let (ql, qh) = (&ql[64 * half..], &qh[32 * half..]);
                    let q1 = ((ql[l] & 0x0f) | ((qh[l] & 3) << 4)) as i32 - 32;
                    let q2 = ((ql[l + 32] & 0x0f) | (((qh[l] >> 2) & 3) << 4)) as i32 - 32;
                    let q3 = ((ql[l] >> 4) | (((qh[l] >> 4) & 3) << 4)) as i32 - 32;
                    let q4 = ((ql[l + 32] >> 4) | (((qh[l] >> 6) & 3) << 4)) as i32 - 32;
                    let s = |k: usize| f32::from(sc[8 * half + k] as i8);
                    let base = 128 * half;
                    block[base + l] = d * s(l / 16) * q1 as f32;
                    block[base + l + 32] = d * s(2 + l / 16) * q2 as f32;
                    block[base + l + 64] = d * s(4 + l / 16) * q3 as f32;
                    block[base + l + 96] = d * s(6 + l / 16) * q4 as f32;
                }
            }
            out.extend_from_slice(&block);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn wave(n: usize) -> Vec<f32> {
        (0..n)
            .map(|i| ((i as f32) * 0.37).sin() * (1.0 + (i % 7) as f32 * 0.3))
            .collect()
    }

    fn rmse(a: &[f32], b: &[f32]) -> f32 {
        (a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum::<f32>() / a.len() as f32).sqrt()
    }

    #[test]
    fn nearest_int_rounds_ties_to_even() {
        assert_eq!(
            [0.5f32, 1.5, 2.5, -0.5, -1.5, 3.49, -7.51].map(nearest_int),
            [0, 2, 2, 0, -2, 3, -8]
        );
    }

    #[test]
    fn q4_k_and_q6_k_round_trip_within_their_precision() {
        let x = wave(512);
        let mut bytes = Vec::new();
        q4_k(&x, &mut bytes);
        assert_eq!(bytes.len(), 2 * 144);
        let q4 = rmse(&x, &dequantize::q4_k(&bytes));
        bytes.clear();
        q6_k(&x, &mut bytes);
        assert_eq!(bytes.len(), 2 * 210);
        let q6 = rmse(&x, &dequantize::q6_k(&bytes));
        // Values span about ±2.8, so a group's range over 15 steps (4 bits) is ~0.37 wide
        // (uniform rounding error ~0.37/√12 ≈ 0.11), over 63 steps (6 bits) ~0.09 (≈ 0.026).
        assert!(
            q4 < 0.11 && q6 < 0.026 && q6 < q4 / 3.0,
            "q4_K {q4}, q6_K {q6}"
        );
    }

    #[test]
    fn zero_blocks_stay_zero() {
        let mut bytes = Vec::new();
        q4_k(&[0.0; 256], &mut bytes);
        assert!(dequantize::q4_k(&bytes).iter().all(|v| *v == 0.0));
        bytes.clear();
        q6_k(&[0.0; 256], &mut bytes);
        assert_eq!(bytes, vec![0u8; 210]);
    }
}
