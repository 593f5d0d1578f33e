//! Padding-free packing: documents (encoded samples) are placed whole into rows of at most
//! `max_seq_len` tokens, and each row records its documents' lengths (`seq_lengths`) so
//! the trainer restarts `position_ids` per document and no document attends to another
//! (ARCHITECTURE.md, "Packed training").
//!
//! Placement is *best-fit decreasing*: documents sorted by length, longest first (ties in
//! input order), each put into the open row with the least room that still fits it
//! (ties: the oldest row), or a new row. It is deterministic for a given input order,
//! needs no seed, and wastes little: like first-fit decreasing it never needs more than
//! about 11/9 of the optimal number of rows. Within a row, documents keep their placement
//! order; rows are in creation order (the trainer shuffles rows).

use std::collections::BTreeSet;

use rayon::prelude::*;
use thiserror::Error;

use crate::encode::EncodedSample;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum PackError {
    #[error("max_seq_len must be at least 1")]
    ZeroMaxLen,
    #[error(
        "document {index} ({id}) has {len} tokens, more than max_seq_len {max}; encode with the same max_seq_len so over-long samples are dropped or truncated first"
    )]
    TooLong {
        index: usize,
        id: String,
        len: usize,
        max: usize,
    },
    #[error("document {index} ({id}) is empty")]
    Empty { index: usize, id: String },
}

/// One packed row.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PackedRow {
    pub input_ids: Vec<u32>,
    pub labels: Vec<i64>,
    /// Lengths of the documents concatenated in this row, in order; they sum to the row's
    /// length.
    pub seq_lengths: Vec<usize>,
}

impl PackedRow {
    pub fn len(&self) -> usize {
        self.input_ids.len()
    }

    pub fn is_empty(&self) -> bool {
        self.input_ids.is_empty()
    }
}

/// All rows of a split.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Packed {
    pub max_seq_len: usize,
    pub rows: Vec<PackedRow>,
}

impl Packed {
    /// Real tokens in all rows.
    pub fn tokens(&self) -> usize {
        self.rows.iter().map(PackedRow::len).sum()
    }

    pub fn documents(&self) -> usize {
        self.rows.iter().map(|r| r.seq_lengths.len()).sum()
    }

    /// Real tokens / (rows × max_seq_len): the share of a padded batch that is data.
    /// 0 for no rows.
    pub fn efficiency(&self) -> f64 {
        let capacity = self.rows.len() * self.max_seq_len;
        if capacity == 0 {
            0.0
        } else {
            self.tokens() as f64 / capacity as f64
        }
    }
}

/// Assign documents of the given lengths to rows (best-fit decreasing). Returns, per row,
/// the indices of its documents. Every length must be in `1..=max_seq_len`.
pub fn plan_rows(lengths: &[usize], max_seq_len: usize) -> Vec<Vec<usize>> {
    let mut order: Vec<usize> = (0..lengths.len()).collect();
    order.sort_by(|&a, &b| lengths[b].cmp(&lengths[a]).then(a.cmp(&b)));
    let mut rows: Vec<Vec<usize>> = Vec::new();
    // (room left, row index) of rows with room; the smallest fitting room is found with a
    // range query.
    let mut open: BTreeSet<(usize, usize)> = BTreeSet::new();
    for doc in order {
        let len = lengths[doc];
        let fit = open.range((len, 0)..).next().copied();
        match fit {
            Some((room, row)) => {
                open.remove(&(room, row));
                rows[row].push(doc);
                if room > len {
                    open.insert((room - len, row));
                }
            }
            None => {
                rows.push(vec![doc]);
                if max_seq_len > len {
                    open.insert((max_seq_len - len, rows.len() - 1));
                }
            }
        }
    }
    rows
}

/// Pack encoded documents into rows of at most `max_seq_len` tokens.
pub fn pack(docs: &[EncodedSample], max_seq_len: usize) -> Result<Packed, PackError> {
    if max_seq_len == 0 {
        return Err(PackError::ZeroMaxLen);
    }
    for (index, d) in docs.iter().enumerate() {
        if d.is_empty() {
            return Err(PackError::Empty {
                index,
                id: d.id.clone(),
            });
        }
        if d.len() > max_seq_len {
            return Err(PackError::TooLong {
                index,
                id: d.id.clone(),
                len: d.len(),
                max: max_seq_len,
            });
        }
    }
    let lengths: Vec<usize> = docs.iter().map(EncodedSample::len).collect();
    // Rows are independent once planned: they are filled on all cores (filling them one
    // by one was a tenth of `prepare`'s wall time, on one core while the other idled).
    let rows = plan_rows(&lengths, max_seq_len)
        .into_par_iter()
        .map(|members| {
            let len = members.iter().map(|&i| docs[i].len()).sum();
            let mut row = PackedRow {
                input_ids: Vec::with_capacity(len),
                labels: Vec::with_capacity(len),
                seq_lengths: Vec::with_capacity(members.len()),
            };
            for i in members {
                row.input_ids.extend_from_slice(&docs[i].input_ids);
                row.labels.extend_from_slice(&docs[i].labels);
                row.seq_lengths.push(docs[i].len());
            }
            row
        })
        .collect();
    Ok(Packed { max_seq_len, rows })
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn doc(id: usize, len: usize) -> EncodedSample {
        EncodedSample {
            id: format!("d{id}"),
            input_ids: (0..len).map(|t| (id * 1000 + t) as u32).collect(),
            labels: (0..len)
                .map(|t| if t % 2 == 0 { -100 } else { t as i64 })
                .collect(),
        }
    }

    /// Every document appears exactly once, whole and contiguous, in some row.
    fn check(docs: &[EncodedSample], packed: &Packed) {
        let mut seen = vec![0usize; docs.len()];
        for row in &packed.rows {
            assert!(row.len() <= packed.max_seq_len);
            assert_eq!(row.seq_lengths.iter().sum::<usize>(), row.len());
            assert_eq!(row.labels.len(), row.len());
            let mut at = 0;
            for &l in &row.seq_lengths {
                let ids = &row.input_ids[at..at + l];
                let owner = (ids[0] / 1000) as usize;
                assert_eq!(ids, docs[owner].input_ids.as_slice());
                assert_eq!(&row.labels[at..at + l], docs[owner].labels.as_slice());
                seen[owner] += 1;
                at += l;
            }
        }
        assert!(seen.iter().all(|&n| n == 1), "lost or duplicated: {seen:?}");
    }

    #[test]
    fn best_fit_decreasing_fills_rows() {
        let docs: Vec<_> = [6, 4, 3, 3, 2, 2]
            .iter()
            .enumerate()
            .map(|(i, &l)| doc(i, l))
            .collect();
        let packed = pack(&docs, 10).unwrap();
        check(&docs, &packed);
        let lens: Vec<_> = packed.rows.iter().map(|r| r.seq_lengths.clone()).collect();
        assert_eq!(lens, [vec![6, 4], vec![3, 3, 2, 2]]);
        assert_eq!(packed.tokens(), 20);
        assert!((packed.efficiency() - 1.0).abs() < 1e-12);
        let packed = pack(&docs[..1], 8).unwrap();
        assert!((packed.efficiency() - 0.75).abs() < 1e-12);
        assert_eq!(pack(&[], 8).unwrap().efficiency(), 0.0);
    }

    #[test]
    fn bad_documents_are_errors() {
        assert!(matches!(
            pack(&[doc(0, 9)], 8),
            Err(PackError::TooLong { len: 9, .. })
        ));
        assert!(matches!(
            pack(&[doc(0, 0)], 8),
            Err(PackError::Empty { .. })
        ));
        assert_eq!(pack(&[doc(0, 1)], 0), Err(PackError::ZeroMaxLen));
    }

    proptest! {
        #[test]
        fn packing_keeps_every_document_once(
            lens in proptest::collection::vec(1usize..=64, 0..120),
            max in 64usize..200,
        ) {
            let docs: Vec<_> = lens.iter().enumerate().map(|(i, &l)| doc(i, l)).collect();
            let packed = pack(&docs, max).unwrap();
            check(&docs, &packed);
            let total: usize = lens.iter().sum();
            prop_assert_eq!(packed.tokens(), total);
            prop_assert_eq!(packed.documents(), docs.len());
            // Never worse than one row per document, and deterministic.
            prop_assert!(packed.rows.len() <= docs.len());
            prop_assert_eq!(&pack(&docs, max).unwrap(), &packed);
            if !packed.rows.is_empty() {
                let eff = total as f64 / (packed.rows.len() * max) as f64;
                prop_assert!((packed.efficiency() - eff).abs() < 1e-12);
            }
        }
    }
}
