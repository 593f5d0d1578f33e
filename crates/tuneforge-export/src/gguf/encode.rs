//! f32 values into a GGUF tensor type's bytes.

use super::format::GgmlType;

/// `values` (whole rows, so whole blocks) in `ty`. Float types round to nearest even, as
/// numpy and torch do; q8_0 is ggml's reference quantizer (a block of 32 values as one f16
/// scale, `max|x| / 127`, and 32 bytes rounded half away from zero).
pub fn encode(values: &[f32], ty: GgmlType) -> Vec<u8> {
    match ty {
        GgmlType::F32 => values.iter().flat_map(|v| v.to_le_bytes()).collect(),
        GgmlType::F16 => values
            .iter()
            .flat_map(|v| half::f16::from_f32(*v).to_le_bytes())
            .collect(),
        GgmlType::Bf16 => values
            .iter()
            .flat_map(|v| half::bf16::from_f32(*v).to_le_bytes())
            .collect(),
        GgmlType::Q8_0 => {
            let mut out = Vec::with_capacity(values.len() / 32 * 34);
            for block in values.chunks(32) {
                let amax = block.iter().fold(0f32, |m, v| m.max(v.abs()));
                let d = amax / 127.0;
                let id = if d == 0.0 { 0.0 } else { 1.0 / d };
                out.extend_from_slice(&half::f16::from_f32(d).to_le_bytes());
                out.extend(block.iter().map(|v| (v * id).round() as i8 as u8));
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
}
