//! A LoRA adapter merged into its base, streaming: each base shard is memory-mapped, the
//! adapted weights of that shard become `W + scale·B·A` (computed in f32, written in the
//! weight's own dtype), every other tensor is copied from the map, and the shard is written
//! before the next one is read. Peak memory is about the merged tensors of one shard.
//!
//! The output is a complete model directory (weights with the base's shard names and
//! index, config, generation config, tokenizer files, chat template), assembled in a
//! staging directory and renamed into place, so an interrupted or failed merge (a full
//! disk) leaves nothing a later command would take for a model.

use std::borrow::Cow;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use safetensors::tensor::{Dtype, SafeTensors, TensorView};
use serde::Serialize;
use tuneforge_core::fsio::{self, StagingDir};
use tuneforge_core::reporter::Reporter;

use crate::ExportError;
use crate::adapter::{Adapter, LoraPair};

/// The shard index transformers writes beside sharded weights.
pub const SHARD_INDEX: &str = "model.safetensors.index.json";
/// The weights of an unsharded model.
pub const SINGLE_SHARD: &str = "model.safetensors";

/// A safetensors file, memory-mapped.
pub struct MappedFile {
    pub path: PathBuf,
    map: memmap2::Mmap,
}

impl MappedFile {
    pub fn open(path: &Path) -> Result<Self, ExportError> {
        let file =
            std::fs::File::open(path).map_err(|e| ExportError::io("cannot open", path, e))?;
        // SAFETY: the file is only read; a writer truncating it underneath would make the
        // reads fault, which no tuneforge command does to its inputs.
        let map = unsafe { memmap2::Mmap::map(&file) }
            .map_err(|e| ExportError::io("cannot map", path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            map,
        })
    }

    /// Its tensors; a truncated or damaged file is an error naming it.
    pub fn tensors(&self) -> Result<SafeTensors<'_>, ExportError> {
        SafeTensors::deserialize(&self.map).map_err(|e| ExportError::Weights {
            path: self.path.clone(),
            message: format!("{e}: the file is truncated or not safetensors; download it again"),
        })
    }

    /// The `__metadata__` of its header (`format: pt` and the like), kept in the output.
    fn metadata(&self) -> Option<HashMap<String, String>> {
        SafeTensors::read_metadata(&self.map)
            .ok()
            .and_then(|(_, m)| m.metadata().clone())
    }
}

/// The base's weight files and which one holds each tensor.
pub(crate) struct Shards {
    pub(crate) files: Vec<String>,
    /// Tensor name → shard file; empty for a single file.
    pub(crate) weight_map: BTreeMap<String, String>,
    /// The index as read (its `metadata` is rewritten).
    pub(crate) index: Option<serde_json::Value>,
}

impl Shards {
    /// Every weight name of the checkpoint: the index's, or the single file's header's.
    pub(crate) fn weight_names(&self, base: &Path) -> Result<BTreeSet<String>, ExportError> {
        if self.index.is_some() {
            return Ok(self.weight_map.keys().cloned().collect());
        }
        let file = MappedFile::open(&base.join(SINGLE_SHARD))?;
        Ok(file
            .tensors()?
            .names()
            .into_iter()
            .map(String::from)
            .collect())
    }
}

pub(crate) fn read_shards(base: &Path) -> Result<Shards, ExportError> {
    let index_path = base.join(SHARD_INDEX);
    if index_path.is_file() {
        let bytes = std::fs::read(&index_path)
            .map_err(|e| ExportError::io("cannot read", &index_path, e))?;
        let index: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| ExportError::Weights {
                path: index_path.clone(),
                message: format!("not a shard index: {e}"),
            })?;
        let map = index["weight_map"]
            .as_object()
            .ok_or_else(|| ExportError::Weights {
                path: index_path.clone(),
                message: "no `weight_map`".into(),
            })?;
        let mut weight_map = BTreeMap::new();
        for (name, file) in map {
            let file = file
                .as_str()
                .filter(|f| !f.contains('/') && !f.contains(".."))
                .ok_or_else(|| ExportError::Weights {
                    path: index_path.clone(),
                    message: format!("`{name}` maps to {file}, not a file name beside the index"),
                })?;
            weight_map.insert(name.clone(), file.to_owned());
        }
        let files: BTreeSet<String> = weight_map.values().cloned().collect();
        for file in &files {
            if !base.join(file).is_file() {
                return Err(ExportError::Weights {
                    path: index_path.clone(),
                    message: format!(
                        "names the shard {file}, which is missing\n  hint: download the model again"
                    ),
                });
            }
        }
        return Ok(Shards {
            files: files.into_iter().collect(),
            weight_map,
            index: Some(index),
        });
    }
    if base.join(SINGLE_SHARD).is_file() {
        return Ok(Shards {
            files: vec![SINGLE_SHARD.to_owned()],
            weight_map: BTreeMap::new(),
            index: None,
        });
    }
    Err(ExportError::Weights {
        path: base.to_path_buf(),
        message: format!(
            "no {SINGLE_SHARD} and no {SHARD_INDEX}: not a safetensors model directory"
        ),
    })
}

/// What a merge wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MergeReport {
    pub out_dir: PathBuf,
    pub shards: usize,
    pub tensors: usize,
    /// Base weights that received an update.
    pub merged: usize,
    pub bytes: u64,
}

/// A tensor to write: borrowed from the base's map, or merged when the writer asks for its
/// bytes, so that only one merged tensor is in memory at a time.
struct Out<'a> {
    view: TensorView<'a>,
    update: Option<Update<'a>>,
    release: &'a Release<'a>,
}

/// Gives the pages of tensors already written back to the kernel: the writer asks for one
/// tensor's bytes at a time, so when it asks for the next, the previous one is on disk.
/// Without this, every page of the shard read so far would stay in the process's memory
/// until the shard is unmapped.
pub(crate) struct Release<'a> {
    map: &'a memmap2::Mmap,
    last: std::cell::Cell<Option<(usize, usize)>>,
}

impl<'a> Release<'a> {
    pub(crate) fn new(map: &'a MappedFile) -> Self {
        Self {
            map: &map.map,
            last: std::cell::Cell::new(None),
        }
    }

    pub(crate) fn serving(&self, bytes: &[u8]) {
        if let Some((start, end)) = self.last.take() {
            // 4 KiB pages; where pages are larger the call fails, which only keeps them.
            let page = 4096;
            let (from, to) = (start.div_ceil(page) * page, end / page * page);
            if to > from {
                // SAFETY: a read-only file mapping: dropping its pages discards clean copies
                // of the file, which a later read would fetch again.
                let _ = unsafe {
                    self.map.unchecked_advise_range(
                        memmap2::UncheckedAdvice::DontNeed,
                        from,
                        to - from,
                    )
                };
            }
        }
        let start = bytes.as_ptr() as usize - self.map.as_ptr() as usize;
        self.last.set(Some((start, start + bytes.len())));
    }
}

/// A checked low-rank update of one weight.
pub(crate) struct Update<'a> {
    pub(crate) a: TensorView<'a>,
    pub(crate) b: TensorView<'a>,
    pub(crate) rank: usize,
    pub(crate) scale: f32,
}

impl safetensors::View for &Out<'_> {
    fn dtype(&self) -> Dtype {
        self.view.dtype()
    }
    fn shape(&self) -> &[usize] {
        self.view.shape()
    }
    fn data(&self) -> Cow<'_, [u8]> {
        self.release.serving(self.view.data());
        match &self.update {
            None => Cow::Borrowed(self.view.data()),
            Some(u) => Cow::Owned(apply(&self.view, u)),
        }
    }
    fn data_len(&self) -> usize {
        self.view.data().len()
    }
}

/// The values of an f32, bf16 or f16 tensor as f32 (others were refused before).
pub(crate) fn to_f32(view: &TensorView<'_>) -> Vec<f32> {
    bytes_to_f32(view.data(), view.dtype())
}

/// Values of `dtype` (f32, bf16 or f16) as f32.
pub(crate) fn bytes_to_f32(bytes: &[u8], dtype: Dtype) -> Vec<f32> {
    // Both cores: a 7B merge converts billions of values each way.
    match dtype {
        Dtype::BF16 => bytes
            .par_chunks_exact(2)
            .map(|b| half::bf16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        Dtype::F16 => bytes
            .par_chunks_exact(2)
            .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32())
            .collect(),
        _ => bytes
            .par_chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect(),
    }
}

/// `values` in `dtype` (round to nearest even, as torch does).
pub(crate) fn from_f32(values: &[f32], dtype: Dtype) -> Vec<u8> {
    let width = match dtype {
        Dtype::BF16 | Dtype::F16 => 2,
        _ => 4,
    };
    let mut out = vec![0u8; values.len() * width];
    out.par_chunks_exact_mut(width)
        .zip(values.par_iter())
        .for_each(|(o, v)| match dtype {
            Dtype::BF16 => o.copy_from_slice(&half::bf16::from_f32(*v).to_le_bytes()),
            Dtype::F16 => o.copy_from_slice(&half::f16::from_f32(*v).to_le_bytes()),
            _ => o.copy_from_slice(&v.to_le_bytes()),
        });
    out
}

/// `w += scale · B·A` for `w` of shape `[out, in]`, `b` `[out, r]`, `a` `[r, in]`: an sgemm
/// per block of output rows, the blocks in parallel (rows are independent).
pub(crate) fn add_low_rank(
    w: &mut [f32],
    a: &[f32],
    b: &[f32],
    rank: usize,
    inputs: usize,
    scale: f32,
) {
    let rows = w.len() / inputs;
    let block = rows.div_ceil(rayon::current_num_threads().max(1)).max(1);
    w.par_chunks_mut(block * inputs)
        .zip(b.par_chunks(block * rank))
        .for_each(|(w_rows, b_rows)| {
            let m = w_rows.len() / inputs;
            // SAFETY: the slices hold m×rank (b), rank×inputs (a) and m×inputs (w) values,
            // row-major with the strides given; w is not aliased.
            unsafe {
                matrixmultiply::sgemm(
                    m,
                    rank,
                    inputs,
                    scale,
                    b_rows.as_ptr(),
                    rank as isize,
                    1,
                    a.as_ptr(),
                    inputs as isize,
                    1,
                    1.0,
                    w_rows.as_mut_ptr(),
                    inputs as isize,
                    1,
                );
            }
        });
}

/// The update of one base weight, checked: shapes that fit and float dtypes.
pub(crate) fn update<'a>(
    weight: &TensorView<'_>,
    pair: &LoraPair,
    adapter: &SafeTensors<'a>,
    base_path: &Path,
    adapter_path: &Path,
) -> Result<Update<'a>, ExportError> {
    let name = pair.base_key();
    let shape = weight.shape();
    let view = |key: &str| {
        adapter.tensor(key).map_err(|e| ExportError::Weights {
            path: adapter_path.to_path_buf(),
            message: e.to_string(),
        })
    };
    let (a, b) = (view(&pair.a_key)?, view(&pair.b_key)?);
    let rank = pair.rank as usize;
    if shape.len() != 2 || a.shape() != [rank, shape[1]] || b.shape() != [shape[0], rank] {
        return Err(ExportError::Mismatch {
            message: format!(
                "`{name}` is {shape:?} in the base, but the adapter's update is {:?} × {:?}: the adapter was trained on another model",
                b.shape(),
                a.shape()
            ),
        });
    }
    for (view, key, path) in [
        (weight, name.as_str(), base_path),
        (&a, pair.a_key.as_str(), adapter_path),
        (&b, pair.b_key.as_str(), adapter_path),
    ] {
        if !matches!(view.dtype(), Dtype::F32 | Dtype::BF16 | Dtype::F16) {
            return Err(ExportError::Weights {
                path: path.to_path_buf(),
                message: format!(
                    "`{key}` is {:?}; only f32, bf16 and f16 weights can be merged (a quantized base cannot)",
                    view.dtype()
                ),
            });
        }
    }
    Ok(Update {
        a,
        b,
        rank,
        scale: pair.scale as f32,
    })
}

/// `W + scale·B·A` in the weight's dtype (dtypes were checked by [`update`]).
fn apply(weight: &TensorView<'_>, u: &Update<'_>) -> Vec<u8> {
    let mut w = to_f32(weight);
    add_low_rank(
        &mut w,
        &to_f32(&u.a),
        &to_f32(&u.b),
        u.rank,
        weight.shape()[1],
        u.scale,
    );
    from_f32(&w, weight.dtype())
}

/// Files of the base copied as they are: everything but the weights and their index.
fn copy_support_files(base: &Path, out: &Path) -> Result<(), ExportError> {
    let entries = std::fs::read_dir(base).map_err(|e| ExportError::io("cannot list", base, e))?;
    for entry in entries {
        let entry = entry.map_err(|e| ExportError::io("cannot list", base, e))?;
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().into_owned();
        if !path.is_file()
            || name.ends_with(".safetensors")
            || name == SHARD_INDEX
            || name.starts_with('.')
        {
            continue;
        }
        std::fs::copy(&path, out.join(&name))
            .map_err(|e| ExportError::io("cannot copy", &path, e))?;
    }
    Ok(())
}

/// Merges `adapter` into the model in `base` and writes the result to `out`.
pub fn merge(
    base: &Path,
    adapter: &Adapter,
    out: &Path,
    reporter: &dyn Reporter,
) -> Result<MergeReport, ExportError> {
    let shards = read_shards(base)?;
    let adapter_path = adapter.dir.join(crate::adapter::ADAPTER_WEIGHTS);
    let adapter_file = MappedFile::open(&adapter_path)?;
    let adapter_tensors = adapter_file.tensors()?;
    // Every update must land on a base weight; the shard of each is known before writing.
    let names = shards.weight_names(base)?;
    let mut by_shard: BTreeMap<&str, BTreeMap<String, &LoraPair>> = BTreeMap::new();
    for pair in adapter.pairs.values() {
        let key = pair.base_key();
        let found = checkpoint_names(&key).into_iter().find_map(|name| {
            if shards.index.is_some() {
                let shard = shards.weight_map.get(&name)?;
                Some((shard.as_str(), name))
            } else {
                names.contains(&name).then_some((SINGLE_SHARD, name))
            }
        });
        let Some((shard, name)) = found else {
            return Err(missing_weight(&key, base));
        };
        by_shard.entry(shard).or_default().insert(name, pair);
    }
    let staging = StagingDir::create(out)?;
    match write_merged(
        base,
        &shards,
        by_shard,
        &adapter_tensors,
        &adapter_path,
        &staging,
        reporter,
    ) {
        Ok(report) => {
            staging.commit()?;
            Ok(MergeReport {
                out_dir: out.to_path_buf(),
                ..report
            })
        }
        Err(e) => {
            // A failed merge (a full disk) leaves no half-written model behind.
            let _ = std::fs::remove_dir_all(staging.path());
            Err(e)
        }
    }
}

/// Writes every shard, the index and the support files into `staging`.
fn write_merged(
    base: &Path,
    shards: &Shards,
    mut by_shard: BTreeMap<&str, BTreeMap<String, &LoraPair>>,
    adapter_tensors: &SafeTensors<'_>,
    adapter_path: &Path,
    staging: &StagingDir,
    reporter: &dyn Reporter,
) -> Result<MergeReport, ExportError> {
    let mut report = MergeReport {
        out_dir: staging.path().to_path_buf(),
        shards: shards.files.len(),
        tensors: 0,
        merged: 0,
        bytes: 0,
    };
    let task = reporter.task("merging", Some(shards.files.len() as u64));
    for file in &shards.files {
        let path = base.join(file);
        let mapped = MappedFile::open(&path)?;
        let tensors = mapped.tensors()?;
        let release = Release::new(&mapped);
        let wanted = by_shard.remove(file.as_str()).unwrap_or_default();
        let mut outs: Vec<(String, Out<'_>)> = Vec::new();
        let mut found = 0;
        for (name, view) in tensors.tensors() {
            // Checked now, computed when the writer reaches it.
            let update = match wanted.get(&name) {
                Some(pair) => {
                    found += 1;
                    Some(update(&view, pair, adapter_tensors, &path, adapter_path)?)
                }
                None => None,
            };
            outs.push((
                name,
                Out {
                    view,
                    update,
                    release: &release,
                },
            ));
        }
        if found != wanted.len() {
            let missing = wanted
                .keys()
                .find(|k| tensors.tensor(k).is_err())
                .cloned()
                .unwrap_or_default();
            return Err(missing_weight(&missing, base));
        }
        outs.sort_by(|a, b| a.0.cmp(&b.0));
        report.tensors += outs.len();
        report.merged += found;
        report.bytes += outs
            .iter()
            .map(|(_, o)| o.view.data().len() as u64)
            .sum::<u64>();
        let target = staging.path().join(file);
        safetensors::serialize_to_file(
            outs.iter().map(|(n, o)| (n.as_str(), o)),
            mapped.metadata(),
            &target,
        )
        .map_err(|e| ExportError::Write {
            path: target.clone(),
            message: e.to_string(),
        })?;
        task.advance(1);
    }
    task.finish();
    if let Some((shard, pairs)) = by_shard.into_iter().next() {
        let key = pairs.keys().next().cloned().unwrap_or_default();
        return Err(ExportError::Weights {
            path: base.join(SHARD_INDEX),
            message: format!("maps `{key}` to {shard}, which it does not list among its shards"),
        });
    }
    if let Some(index) = &shards.index {
        let mut index = index.clone();
        index["metadata"] = serde_json::json!({"total_size": report.bytes});
        fsio::write_json_atomic(&staging.path().join(SHARD_INDEX), &index)?;
    }
    copy_support_files(base, staging.path())?;
    Ok(report)
}

/// Where a weight named as the loaded model names it may sit in the checkpoint's files:
/// the name itself, or the layout transformers converts it from on load (multimodal
/// Mistral3 checkpoints keep `language_model.model.…` on disk for the `model.language_model.…`
/// of the loaded model, and `language_model.lm_head` for `lm_head`).
pub(crate) fn checkpoint_names(key: &str) -> Vec<String> {
    let mut names = vec![key.to_owned()];
    for (loaded, on_disk) in [
        ("model.language_model.", "language_model.model."),
        ("model.vision_tower.", "vision_tower."),
        ("model.multi_modal_projector.", "multi_modal_projector."),
        ("lm_head.", "language_model.lm_head."),
    ] {
        if let Some(rest) = key.strip_prefix(loaded) {
            names.push(format!("{on_disk}{rest}"));
        }
    }
    names
}

pub(crate) fn missing_weight(key: &str, base: &Path) -> ExportError {
    ExportError::Mismatch {
        message: format!(
            "the adapter updates `{key}`, which {} does not have: the adapter was trained on another model",
            base.display()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_low_rank_update_is_b_times_a_scaled() {
        // w [2, 3], b [2, 1], a [1, 3].
        let mut w = vec![1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
        add_low_rank(&mut w, &[1.0, 0.0, -1.0], &[2.0, 0.5], 1, 3, 0.5);
        assert_eq!(w, vec![2.0, 2.0, 2.0, 4.25, 5.0, 5.75]);
    }

    #[test]
    fn bf16_rounds_to_nearest_even() {
        let bytes = from_f32(&[1.0 + 1.0 / 256.0], Dtype::BF16);
        assert_eq!(
            half::bf16::from_le_bytes([bytes[0], bytes[1]]).to_f32(),
            1.0
        );
    }
}
