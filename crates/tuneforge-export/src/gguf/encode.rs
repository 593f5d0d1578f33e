//! f32 values into a GGUF tensor type's bytes.

use safetensors::Dtype;

use super::format::GgmlType;
use super::quant;
use crate::merge::from_f32;

/// `values` (whole rows, so whole blocks) in `ty`. Float types round to nearest even, as
/// numpy and torch do; quantized types are ggml's reference quantizers ([`quant`]).
pub fn encode(values: &[f32], ty: GgmlType) -> Vec<u8> {
    match ty {
        GgmlType::F32 => from_f32(values, Dtype::F32),
        GgmlType::F16 => from_f32(values, Dtype::F16),
        GgmlType::Bf16 => from_f32(values, Dtype::BF16),
        GgmlType::Q5_0 | GgmlType::Q8_0 | GgmlType::Q4K | GgmlType::Q6K => {
            let (per_block, block_bytes) = ty.block();
            let mut out =
                Vec::with_capacity(values.len() / per_block as usize * block_bytes as usize);
            match ty {
                GgmlType::Q5_0 => quant::q5_0(values, &mut out),
                GgmlType::Q8_0 => quant::q8_0(values, &mut out),
                GgmlType::Q4K => quant::q4_k(values, &mut out),
                _ => quant::q6_k(values, &mut out),
            }
            out
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn q8_0_blocks_hold_a_scale_and_rounded_bytes() {
        let mut values = vec![0f32; 32];
        values[0] = 127.0;
        values[1] = -63.5;
        values[2] = 0.5;
        let bytes = encode(&values, GgmlType::Q8_0);
        assert_eq!(bytes.len(), 34);
        assert_eq!(half::f16::from_le_bytes([bytes[0], bytes[1]]).to_f32(), 1.0);
        // Half away from zero: -63.5 → -64, 0.5 → 1.
        assert_eq!(&bytes[2..5], &[127u8, (-64i8) as u8, 1]);
        assert_eq!(encode(&[0f32; 32], GgmlType::Q8_0)[..2], [0, 0]);
    }

    #[test]
    fn q5_0_keeps_the_fifth_bit_apart() {
        // max = -16 → d = 1: x + 16 rounds into 0..=31.
        let values: Vec<f32> = (0..32).map(|i| i as f32 - 16.0).collect();
        let bytes = encode(&values, GgmlType::Q5_0);
        assert_eq!(bytes.len(), 22);
        assert_eq!(half::f16::from_le_bytes([bytes[0], bytes[1]]).to_f32(), 1.0);
        let qh = u32::from_le_bytes(bytes[2..6].try_into().unwrap());
        for (i, v) in values.iter().enumerate() {
            let low = if i < 16 {
                bytes[6 + i] & 0x0f
            } else {
                bytes[6 + i - 16] >> 4
            };
            let q = u32::from(low) | (((qh >> i) & 1) << 4);
            assert_eq!(q as f32 - 16.0, *v, "value {i}");
        }
    }
}
