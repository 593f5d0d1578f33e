//! A LoRA adapter merged into its base, streaming: each base shard is memory-mapped, the
//! adapted weights become `W + scale·B·A` (computed in f32 a block of rows at a time on
//! every core, written in the weight's own dtype), every other tensor is copied from the
//! map. A writer thread writes (and syncs) what the merging threads hand it, so the disk
//! and the cores work at once; at most a few merged tensors are in memory at a time.
//!
//! The output is a complete model directory (weights with the base's shard names and
//! index, config, generation config, tokenizer files, chat template), assembled in a
//! staging directory and renamed into place, so an interrupted or failed merge (a full
//! disk) leaves nothing a later command would take for a model.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::mpsc;

use rayon::prelude::*;
use safetensors::tensor::{Dtype, Metadata, SafeTensors, TensorInfo, TensorView};
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

    /// Gives the pages of `bytes` (a slice of this map) back to the kernel once they are
    /// used: without this, every page read so far would count in the process's memory
    /// until the file is unmapped. Pages shared with a neighbouring tensor are kept.
    pub(crate) fn drop_pages(&self, bytes: &[u8]) {
        let start = (bytes.as_ptr() as usize).wrapping_sub(self.map.as_ptr() as usize);
        if bytes.is_empty() || start >= self.map.len() {
            return;
        }
        let end = start + bytes.len();
        // 4 KiB pages; where pages are larger the call fails, which only keeps them.
        let page = 4096;
        let (from, to) = (start.div_ceil(page) * page, end / page * page);
        if to > from {
            // SAFETY: a read-only file mapping: dropping its pages discards clean copies of
            // the file, which a later read would fetch again.
            let _ = unsafe {
                self.map
                    .unchecked_advise_range(memmap2::UncheckedAdvice::DontNeed, from, to - from)
            };
        }
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

/// Gives the pages of tensors already written back to the kernel, for a writer that asks
/// for one tensor's bytes at a time: when it asks for the next, the previous one is on disk.
pub(crate) struct Release<'a> {
    map: &'a MappedFile,
    last: std::cell::Cell<Option<&'a [u8]>>,
}

impl<'a> Release<'a> {
    pub(crate) fn new(map: &'a MappedFile) -> Self {
        Self {
            map,
            last: std::cell::Cell::new(None),
        }
    }

    pub(crate) fn serving(&self, bytes: &'a [u8]) {
        if let Some(last) = self.last.replace(Some(bytes)) {
            self.map.drop_pages(last);
        }
    }
}

/// A checked low-rank update of one weight.
pub(crate) struct Update<'a> {
    pub(crate) a: TensorView<'a>,
    pub(crate) b: TensorView<'a>,
    pub(crate) rank: usize,
    pub(crate) scale: f32,
}

/// The values of an f32, bf16 or f16 tensor as f32 (others were refused before).
pub(crate) fn to_f32(view: &TensorView<'_>) -> Vec<f32> {
    bytes_to_f32(view.data(), view.dtype())
}

/// Values per block when a conversion or a merge is cut into blocks for the cores: 4 MB
/// of f32, reused scratch on each thread.
const BLOCK_VALUES: usize = 1 << 20;

/// Values of `dtype` (f32, bf16 or f16) as f32.
pub(crate) fn bytes_to_f32(bytes: &[u8], dtype: Dtype) -> Vec<f32> {
    let width = dtype.bitsize() / 8;
    let mut out = vec![0f32; bytes.len() / width];
    // Both cores: a 7B merge converts billions of values each way.
    out.par_chunks_mut(BLOCK_VALUES)
        .zip(bytes.par_chunks(BLOCK_VALUES * width))
        .for_each(|(o, b)| decode_into(b, dtype, o));
    out
}

/// `values` in `dtype` (round to nearest even, as torch does).
pub(crate) fn from_f32(values: &[f32], dtype: Dtype) -> Vec<u8> {
    let width = dtype.bitsize() / 8;
    let mut out = vec![0u8; values.len() * width];
    out.par_chunks_mut(BLOCK_VALUES * width)
        .zip(values.par_chunks(BLOCK_VALUES))
        .for_each(|(o, v)| encode_into(v, dtype, o));
    out
}

/// `bytes` of `dtype` (f32, bf16 or f16) decoded into `out`, one value per element. Plain
/// loops over fixed-width chunks, which the compiler vectorizes.
fn decode_into(bytes: &[u8], dtype: Dtype, out: &mut [f32]) {
    match dtype {
        Dtype::BF16 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *o = f32::from_bits(u32::from(u16::from_le_bytes([b[0], b[1]])) << 16);
            }
        }
        Dtype::F16 => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(2)) {
                *o = half::f16::from_le_bytes([b[0], b[1]]).to_f32();
            }
        }
        _ => {
            for (o, b) in out.iter_mut().zip(bytes.chunks_exact(4)) {
                *o = f32::from_le_bytes([b[0], b[1], b[2], b[3]]);
            }
        }
    }
}

/// `values` encoded as `dtype` into `out` (round to nearest even).
fn encode_into(values: &[f32], dtype: Dtype, out: &mut [u8]) {
    match dtype {
        Dtype::BF16 => {
            for (o, v) in out.chunks_exact_mut(2).zip(values) {
                o.copy_from_slice(&half::bf16::from_f32(*v).to_le_bytes());
            }
        }
        Dtype::F16 => {
            for (o, v) in out.chunks_exact_mut(2).zip(values) {
                o.copy_from_slice(&half::f16::from_f32(*v).to_le_bytes());
            }
        }
        _ => {
            for (o, v) in out.chunks_exact_mut(4).zip(values) {
                o.copy_from_slice(&v.to_le_bytes());
            }
        }
    }
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
        .for_each(|(w_rows, b_rows)| add_low_rank_rows(w_rows, a, b_rows, rank, inputs, scale));
}

/// [`add_low_rank`] on this thread.
fn add_low_rank_rows(w: &mut [f32], a: &[f32], b: &[f32], rank: usize, inputs: usize, scale: f32) {
    let m = w.len() / inputs;
    // SAFETY: the slices hold m×rank (b), rank×inputs (a) and m×inputs (w) values,
    // row-major with the strides given; w is not aliased.
    unsafe {
        matrixmultiply::sgemm(
            m,
            rank,
            inputs,
            scale,
            b.as_ptr(),
            rank as isize,
            1,
            a.as_ptr(),
            inputs as isize,
            1,
            1.0,
            w.as_mut_ptr(),
            inputs as isize,
            1,
        );
    }
}

thread_local! {
    /// Each merging thread's f32 rows, reused from block to block and tensor to tensor (a
    /// fresh buffer per block would be zeroed and faulted in by the kernel every time).
    static SCRATCH: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// `W + scale·B·A` in the weight's dtype, written into `out` (`W`'s size): blocks of rows
/// decoded, updated and encoded by one thread each, so every value is touched while it is
/// in cache and no f32 copy of the whole weight is made.
fn merge_into(weight: &TensorView<'_>, u: &Update<'_>, out: &mut [u8]) {
    let (a, b) = (to_f32(&u.a), to_f32(&u.b));
    let dtype = weight.dtype();
    let width = dtype.bitsize() / 8;
    let inputs = weight.shape()[1].max(1);
    let rows_per_block = (BLOCK_VALUES / inputs).max(1);
    let bytes_per_block = rows_per_block * inputs * width;
    out.par_chunks_mut(bytes_per_block)
        .zip(weight.data().par_chunks(bytes_per_block))
        .zip(b.par_chunks(rows_per_block * u.rank))
        .for_each(|((out, w), b)| {
            SCRATCH.with(|scratch| {
                let mut scratch = scratch.borrow_mut();
                let n = w.len() / width;
                if scratch.len() < n {
                    scratch.resize(n, 0.0);
                }
                let rows = &mut scratch[..n];
                decode_into(w, dtype, rows);
                add_low_rank_rows(rows, &a, b, u.rank, inputs, u.scale);
                encode_into(rows, dtype, out);
            });
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

/// One output shard: its tensors in file order, each with its update if it has one.
struct ShardPlan<'a> {
    target: PathBuf,
    /// The safetensors header: its length, then the JSON padded to 8 bytes.
    header: Vec<u8>,
    tensors: Vec<(TensorView<'a>, Option<Update<'a>>)>,
    map: &'a MappedFile,
}

/// What the merging threads hand the writer thread, in file order.
enum Piece<'a> {
    /// A new file begins with these bytes (its header).
    Begin(PathBuf, Vec<u8>),
    /// A tensor copied from a base shard; its pages are dropped once written.
    Copied(&'a [u8], &'a MappedFile),
    /// A merged tensor; its buffer goes back to be reused.
    Merged(Vec<u8>),
    /// The file is complete: synced and closed.
    End,
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
    // Every shard is mapped up front, so the writer can finish one while the next is merged.
    let maps = shards
        .files
        .iter()
        .map(|file| MappedFile::open(&base.join(file)))
        .collect::<Result<Vec<_>, _>>()?;
    let mut plans = Vec::with_capacity(maps.len());
    for (file, mapped) in shards.files.iter().zip(&maps) {
        let wanted = by_shard.remove(file.as_str()).unwrap_or_default();
        let mut tensors = Vec::new();
        let mut found = 0;
        // Checked now, before anything is written.
        for (name, view) in mapped.tensors()?.tensors() {
            let update = match wanted.get(&name) {
                Some(pair) => {
                    found += 1;
                    Some(update(
                        &view,
                        pair,
                        adapter_tensors,
                        &mapped.path,
                        adapter_path,
                    )?)
                }
                None => None,
            };
            tensors.push((name, view, update));
        }
        if found != wanted.len() {
            let names: BTreeSet<&str> = tensors.iter().map(|(n, ..)| n.as_str()).collect();
            let missing = wanted
                .keys()
                .find(|k| !names.contains(k.as_str()))
                .cloned()
                .unwrap_or_default();
            return Err(missing_weight(&missing, base));
        }
        // safetensors' own order: by dtype alignment, largest first, then by name.
        tensors.sort_by(|(ln, lv, _), (rn, rv, _)| rv.dtype().cmp(&lv.dtype()).then(ln.cmp(rn)));
        let target = staging.path().join(file);
        let header = safetensors_header(&tensors, mapped.metadata(), &target)?;
        report.tensors += tensors.len();
        report.merged += found;
        report.bytes += tensors
            .iter()
            .map(|(_, v, _)| v.data().len() as u64)
            .sum::<u64>();
        plans.push(ShardPlan {
            target,
            header,
            tensors: tensors.into_iter().map(|(_, v, u)| (v, u)).collect(),
            map: mapped,
        });
    }
    if let Some((shard, pairs)) = by_shard.into_iter().next() {
        let key = pairs.keys().next().cloned().unwrap_or_default();
        return Err(ExportError::Weights {
            path: base.join(SHARD_INDEX),
            message: format!("maps `{key}` to {shard}, which it does not list among its shards"),
        });
    }

    let task = reporter.task("merging", Some(report.bytes));
    std::thread::scope(|scope| {
        // Two pieces queued: enough to keep the disk busy, few merged tensors in memory.
        let (to_writer, pieces) = mpsc::sync_channel::<Piece<'_>>(2);
        let (give_back, spare) = mpsc::channel::<Vec<u8>>();
        let writer = scope.spawn(move || write_pieces(pieces, &give_back));
        let merging = (|| {
            // A failed send means the writer stopped on an error, which it returns.
            let send = |piece| to_writer.send(piece).map_err(|_| ());
            for plan in &plans {
                send(Piece::Begin(plan.target.clone(), plan.header.clone()))?;
                for (view, update) in &plan.tensors {
                    let bytes = view.data();
                    let piece = match update {
                        None => Piece::Copied(bytes, plan.map),
                        Some(u) => {
                            let mut out = spare.try_recv().unwrap_or_default();
                            if out.len() < bytes.len() {
                                out.resize(bytes.len(), 0);
                            }
                            out.truncate(bytes.len());
                            merge_into(view, u, &mut out);
                            plan.map.drop_pages(bytes);
                            Piece::Merged(out)
                        }
                    };
                    send(piece)?;
                    task.advance(bytes.len() as u64);
                }
                send(Piece::End)?;
            }
            Ok::<(), ()>(())
        })();
        drop(to_writer);
        let written = writer
            .join()
            .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
        written?;
        merging.map_err(|()| ExportError::Write {
            path: staging.path().to_path_buf(),
            message: "the writer stopped without saying why".into(),
        })
    })?;
    task.finish();
    if let Some(index) = &shards.index {
        let mut index = index.clone();
        index["metadata"] = serde_json::json!({"total_size": report.bytes});
        fsio::write_json_atomic(&staging.path().join(SHARD_INDEX), &index)?;
    }
    copy_support_files(base, staging.path())?;
    Ok(report)
}

/// The header of a safetensors file holding `tensors` in this order: the JSON's length as
/// a little-endian u64, then the JSON (built and checked by the safetensors crate) padded
/// with spaces to a multiple of 8 bytes, as the crate's own writer pads it.
fn safetensors_header<T>(
    tensors: &[(String, TensorView<'_>, T)],
    metadata: Option<HashMap<String, String>>,
    target: &Path,
) -> Result<Vec<u8>, ExportError> {
    let invalid = |message: String| ExportError::Write {
        path: target.to_path_buf(),
        message,
    };
    let mut offset = 0;
    let infos = tensors
        .iter()
        .map(|(name, view, _)| {
            let end = offset + view.data().len();
            let info = TensorInfo {
                dtype: view.dtype(),
                shape: view.shape().to_vec(),
                data_offsets: (offset, end),
            };
            offset = end;
            (name.clone(), info)
        })
        .collect();
    let metadata = Metadata::new(metadata, infos).map_err(|e| invalid(e.to_string()))?;
    let mut json = serde_json::to_vec(&metadata).map_err(|e| invalid(e.to_string()))?;
    json.resize(json.len().next_multiple_of(8), b' ');
    let mut header = (json.len() as u64).to_le_bytes().to_vec();
    header.extend_from_slice(&json);
    Ok(header)
}

/// The writer thread: writes the pieces in order, syncs each file when it ends, and gives
/// merged buffers back. Stops at the first error, which names the file.
fn write_pieces(
    pieces: mpsc::Receiver<Piece<'_>>,
    give_back: &mpsc::Sender<Vec<u8>>,
) -> Result<(), ExportError> {
    let mut open: Option<(PathBuf, std::fs::File)> = None;
    let failed = |path: &Path, e: std::io::Error| ExportError::Write {
        path: path.to_path_buf(),
        message: format!("cannot write: {e}"),
    };
    for piece in pieces {
        let bytes = match &piece {
            Piece::Begin(path, header) => {
                let file = std::fs::File::create(path).map_err(|e| failed(path, e))?;
                open = Some((path.clone(), file));
                header.as_slice()
            }
            Piece::Copied(bytes, _) => bytes,
            Piece::Merged(bytes) => bytes.as_slice(),
            Piece::End => {
                if let Some((path, file)) = open.take() {
                    file.sync_data().map_err(|e| failed(&path, e))?;
                }
                continue;
            }
        };
        let Some((path, file)) = open.as_mut() else {
            unreachable!("every piece comes after its file's Begin");
        };
        file.write_all(bytes).map_err(|e| failed(path, e))?;
        match piece {
            Piece::Copied(bytes, map) => map.drop_pages(bytes),
            Piece::Merged(buffer) => {
                let _ = give_back.send(buffer);
            }
            Piece::Begin(..) | Piece::End => {}
        }
    }
    Ok(())
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

    /// The header written beside the streamed tensors is the one safetensors' own writer
    /// makes for them, byte for byte, so the files are the same as the crate would write.
    #[test]
    fn the_header_is_the_one_safetensors_writes() {
        let data: Vec<(String, Dtype, Vec<usize>, Vec<u8>)> = vec![
            ("b.weight".into(), Dtype::BF16, vec![2, 3], vec![1; 12]),
            ("a.weight".into(), Dtype::BF16, vec![3], vec![2; 6]),
            ("norm".into(), Dtype::F32, vec![2], vec![3; 8]),
        ];
        let views: Vec<(String, TensorView<'_>)> = data
            .iter()
            .map(|(n, d, s, b)| (n.clone(), TensorView::new(*d, s.clone(), b).unwrap()))
            .collect();
        let metadata = HashMap::from([("format".to_owned(), "pt".to_owned())]);
        let whole = safetensors::serialize(views.clone(), Some(metadata.clone())).unwrap();
        let mut ordered: Vec<(String, TensorView<'_>, ())> =
            views.into_iter().map(|(n, v)| (n, v, ())).collect();
        ordered.sort_by(|(ln, lv, _), (rn, rv, _)| rv.dtype().cmp(&lv.dtype()).then(ln.cmp(rn)));
        let header = safetensors_header(&ordered, Some(metadata), Path::new("x")).unwrap();
        let data: Vec<u8> = ordered
            .iter()
            .flat_map(|(_, v, _)| v.data().to_vec())
            .collect();
        assert_eq!([header, data].concat(), whole);
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
