//! A whole model as one GGUF file: the base's weights (with an adapter merged on the way,
//! when one is given) in llama.cpp's names, layout and tensor types, the architecture's
//! hyperparameters and the tokenizer.
//!
//! Streaming: the header is written from the checkpoint's shapes, then each tensor is
//! converted in blocks of rows (the adapter's `scale·B·A` for those rows added in f32, the
//! rotary permutation applied, the rows encoded), so memory holds one block, not the model
//! and not a merged copy of it on disk.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use rayon::prelude::*;
use safetensors::tensor::{Dtype, TensorView};
use serde::Serialize;
use tuneforge_core::reporter::Reporter;

use super::arch::{Architecture, permute_rows};
use super::encode::encode;
use super::format::{GgmlType, GgufWriter, TensorInfo, Value};
use super::vocab::tokenizer_metadata;
use crate::ExportError;
use crate::adapter::{Adapter, LoraPair};
use crate::merge::{
    MappedFile, Release, SINGLE_SHARD, Update, add_low_rank, bytes_to_f32, checkpoint_names,
    missing_weight, read_shards, update,
};

/// The tensor types of a model GGUF: one type for every weight matrix, or llama.cpp's
/// Q4_K_M mix.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ModelType {
    F32,
    F16,
    Bf16,
    Q8_0,
    /// Every weight matrix q4_K (`llama-quantize --pure … Q4_K_S`).
    Q4K,
    /// llama.cpp's Q4_K_M: q4_K, with the output head (or a tied embedding) in q6_K and,
    /// in the first and last eighth of the layers and every third layer between,
    /// `attn_v` and `ffn_down` in q6_K.
    Q4KM,
}

/// Where a tensor sits, for the Q4_K_M recipe.
#[derive(Debug, Clone, Copy)]
pub struct Placement {
    /// Its block (`blk.N.`), if any.
    pub layer: Option<usize>,
    pub n_layers: usize,
    /// The model has no `output.weight`: the embedding is also the output head.
    pub tied: bool,
}

impl ModelType {
    pub const NAMES: &'static str = "f32, f16, bf16, q8_0, q4_k or q4_k_m";

    pub fn parse(s: &str) -> Option<Self> {
        match s.to_ascii_lowercase().as_str() {
            "f32" => Some(Self::F32),
            "f16" => Some(Self::F16),
            "bf16" => Some(Self::Bf16),
            "q8_0" => Some(Self::Q8_0),
            "q4_k" => Some(Self::Q4K),
            "q4_k_m" => Some(Self::Q4KM),
            _ => None,
        }
    }

    pub fn name(self) -> &'static str {
        match self {
            Self::F32 => "f32",
            Self::F16 => "f16",
            Self::Bf16 => "bf16",
            Self::Q8_0 => "q8_0",
            Self::Q4K => "q4_k",
            Self::Q4KM => "q4_k_m",
        }
    }

    /// llama.cpp's `general.file_type` (its `llama_ftype`).
    fn file_type(self) -> u32 {
        match self {
            Self::F32 => 0,
            Self::F16 => 1,
            Self::Q8_0 => 7,
            Self::Q4K => 14,
            Self::Q4KM => 15,
            Self::Bf16 => 32,
        }
    }

    /// The type of one tensor. Vectors and norms stay f32, as llama.cpp keeps them. A
    /// matrix whose rows are not whole blocks takes llama-quantize's fallback (q4_K →
    /// q5_0, q6_K → q8_0), or f16 when even that does not fit.
    pub fn tensor_type(self, name: &str, shape: &[usize], at: Placement) -> GgmlType {
        if shape.len() < 2 || !name.ends_with("weight") || name.contains("_norm.weight") {
            return GgmlType::F32;
        }
        let wanted = match self {
            Self::F32 => return GgmlType::F32,
            Self::F16 => return GgmlType::F16,
            Self::Bf16 => return GgmlType::Bf16,
            Self::Q8_0 => GgmlType::Q8_0,
            Self::Q4K => GgmlType::Q4K,
            Self::Q4KM => {
                // llama.cpp's `use_more_bits`.
                let more_bits =
                    |i: usize, n: usize| i < n / 8 || i >= 7 * n / 8 || (i - n / 8) % 3 == 2;
                let module = name.rsplit('.').nth(1).unwrap_or("");
                let head = name == "output.weight" || (at.tied && name == "token_embd.weight");
                match (head, module, at.layer) {
                    (true, _, _) => GgmlType::Q6K,
                    (false, "attn_v" | "ffn_down", Some(i)) if more_bits(i, at.n_layers) => {
                        GgmlType::Q6K
                    }
                    _ => GgmlType::Q4K,
                }
            }
        };
        let columns = shape[shape.len() - 1] as u64;
        let fits = |t: GgmlType| columns.is_multiple_of(t.block().0);
        let fallback = match wanted {
            GgmlType::Q4K => GgmlType::Q5_0,
            GgmlType::Q6K => GgmlType::Q8_0,
            _ => GgmlType::F16,
        };
        [wanted, fallback, GgmlType::F16]
            .into_iter()
            .find(|t| fits(*t))
            .unwrap_or(GgmlType::F16)
    }
}

/// What a GGUF export wrote.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct GgufReport {
    pub path: PathBuf,
    pub architecture: String,
    pub tensor_type: ModelType,
    pub tensors: usize,
    /// Weights an adapter update was merged into.
    pub merged: usize,
    pub bytes: u64,
}

/// One checkpoint tensor on its way into the file.
struct Planned<'a> {
    view: TensorView<'a>,
    info: TensorInfo,
    update: Option<Update<'a>>,
    heads: Option<usize>,
    shard: usize,
}

/// Writes the model in `base` (with `adapter` merged, if any) to the GGUF file `out`.
pub fn export_model(
    base: &Path,
    adapter: Option<&Adapter>,
    out: &Path,
    ty: ModelType,
    name: &str,
    reporter: &dyn Reporter,
) -> Result<GgufReport, ExportError> {
    let arch = Architecture::of_model(base)?;
    let shards = read_shards(base)?;
    let maps = shards
        .files
        .iter()
        .map(|f| MappedFile::open(&base.join(f)))
        .collect::<Result<Vec<_>, _>>()?;
    let views = maps
        .iter()
        .map(MappedFile::tensors)
        .collect::<Result<Vec<_>, _>>()?;
    let adapter_file = adapter
        .map(|a| MappedFile::open(&a.dir.join(crate::adapter::ADAPTER_WEIGHTS)))
        .transpose()?;
    let adapter_tensors = adapter_file.as_ref().map(MappedFile::tensors).transpose()?;

    // Which checkpoint tensor each adapter pair updates.
    let mut pairs_by_name: BTreeMap<String, &LoraPair> = BTreeMap::new();
    if let Some(adapter) = adapter {
        let names: BTreeMap<String, ()> = views
            .iter()
            .flat_map(|v| v.names().into_iter().map(|n| (n.to_owned(), ())))
            .collect();
        for pair in adapter.pairs.values() {
            let key = pair.base_key();
            let found = checkpoint_names(&key)
                .into_iter()
                .find(|n| names.contains_key(n))
                .ok_or_else(|| missing_weight(&key, base))?;
            pairs_by_name.insert(found, pair);
        }
    }

    let config_path = base.join("config.json");
    let bad_config = |message: String| ExportError::Weights {
        path: config_path.clone(),
        message,
    };
    let mut planned: Vec<Planned<'_>> = Vec::new();
    for (shard, tensors) in views.iter().enumerate() {
        let path = base.join(&shards.files[shard]);
        let mut in_shard = tensors.tensors();
        // File order: each shard is read front to back.
        in_shard.sort_by_key(|(_, v)| v.data().as_ptr() as usize);
        for (hf_name, view) in in_shard {
            let Some(gguf_name) = arch.gguf_name(&hf_name).map_err(|m| ExportError::Weights {
                path: path.clone(),
                message: m,
            })?
            else {
                if pairs_by_name.contains_key(&hf_name) {
                    return Err(ExportError::Mismatch {
                        message: format!(
                            "the adapter updates `{hf_name}`, which GGUF leaves out of the model file (llama.cpp loads the vision tower from a separate projector); train adapters on the text model only"
                        ),
                    });
                }
                continue;
            };
            if !matches!(view.dtype(), Dtype::F32 | Dtype::BF16 | Dtype::F16) {
                return Err(ExportError::Weights {
                    path: path.clone(),
                    message: format!(
                        "`{hf_name}` is {:?}; only f32, bf16 and f16 checkpoints are exported to GGUF",
                        view.dtype()
                    ),
                });
            }
            let update = match (pairs_by_name.get(&hf_name), &adapter_tensors, adapter) {
                (Some(pair), Some(tensors), Some(a)) => Some(update(
                    &view,
                    pair,
                    tensors,
                    &path,
                    &a.dir.join(crate::adapter::ADAPTER_WEIGHTS),
                )?),
                _ => None,
            };
            let heads = arch.permutation_heads(&gguf_name);
            // The type is set below, once every tensor (and so the output head) is known.
            let info = TensorInfo::new(&gguf_name, view.shape(), GgmlType::F32);
            planned.push(Planned {
                view,
                info,
                update,
                heads,
                shard,
            });
        }
    }
    if !planned.iter().any(|p| p.info.name == "token_embd.weight") {
        return Err(ExportError::Weights {
            path: base.to_path_buf(),
            message: format!(
                "no embedding weights found in {}: the checkpoint is incomplete",
                shards.files.first().map_or(SINGLE_SHARD, String::as_str)
            ),
        });
    }

    // llama.cpp's order: tensors outside the blocks, then block by block, each by name.
    planned.sort_by(|a, b| layer_order(&a.info.name).cmp(&layer_order(&b.info.name)));
    let tied = !planned.iter().any(|p| p.info.name == "output.weight");
    let n_layers = arch.text["num_hidden_layers"].as_u64().unwrap_or(0) as usize;
    for p in &mut planned {
        let at = Placement {
            layer: block_of(&p.info.name),
            n_layers,
            tied,
        };
        p.info.ty = ty.tensor_type(&p.info.name, p.view.shape(), at);
    }

    let mut metadata = vec![
        ("general.architecture".to_owned(), Value::from(arch.name)),
        ("general.type".to_owned(), Value::from("model")),
        ("general.name".to_owned(), Value::from(name)),
        ("general.file_type".to_owned(), Value::U32(ty.file_type())),
        ("general.quantization_version".to_owned(), Value::U32(2)),
    ];
    metadata.extend(arch.hyperparameters().map_err(bad_config)?);
    metadata.extend(tokenizer_metadata(base, arch.vocab_size, arch.permute_qk)?);

    let total: u64 = planned.iter().filter_map(|p| p.info.bytes()).sum();
    let task = reporter.task("writing GGUF", Some(total));
    let mut writer = GgufWriter::create(
        out,
        &metadata,
        planned.iter().map(|p| p.info.clone()).collect(),
    )?;
    let releases: Vec<Release<'_>> = maps.iter().map(Release::new).collect();
    let mut merged = 0;
    for p in &planned {
        releases[p.shard].serving(p.view.data());
        writer.begin_tensor(&p.info.name)?;
        write_rows(&mut writer, p)?;
        writer.end_tensor()?;
        merged += usize::from(p.update.is_some());
        task.advance(p.info.bytes().unwrap_or(0));
    }
    task.finish();
    let bytes = writer.finish()?;
    Ok(GgufReport {
        path: out.to_path_buf(),
        architecture: arch.name.to_owned(),
        tensor_type: ty,
        tensors: planned.len(),
        merged,
        bytes,
    })
}

/// `blk.N.` → N.
fn block_of(name: &str) -> Option<usize> {
    name.strip_prefix("blk.")?.split('.').next()?.parse().ok()
}

/// The order llama.cpp's loader (and so llama-quantize) keeps tensors in.
fn layer_order(name: &str) -> (i64, &str) {
    (block_of(name).map_or(-1, |b| b as i64), name)
}

/// Values per block of rows: about 16 MB of f32.
const BLOCK_VALUES: usize = 4 << 20;

/// Converts and writes one tensor in blocks of rows.
fn write_rows(writer: &mut GgufWriter, p: &Planned<'_>) -> Result<(), ExportError> {
    let bad = |message: String| ExportError::Mismatch {
        message: format!("`{}`: {message}", p.info.name),
    };
    let shape = p.view.shape();
    let rows = shape.first().copied().unwrap_or(1).max(1);
    let elt = p.view.dtype().bitsize() / 8;
    let cols = p.view.data().len() / elt / rows;
    // A permuted tensor is cut at head boundaries (the permutation stays within a head).
    let unit = match p.heads {
        Some(h) if h > 0 && rows % h == 0 => rows / h,
        Some(h) => {
            return Err(bad(format!(
                "{rows} rows do not split into {h} rotary heads"
            )));
        }
        None => 1,
    };
    let per_block = ((BLOCK_VALUES / cols.max(1)) / unit).max(1) * unit;
    let (b, a) = match &p.update {
        Some(u) => (
            bytes_to_f32(u.b.data(), u.b.dtype()),
            bytes_to_f32(u.a.data(), u.a.dtype()),
        ),
        None => (Vec::new(), Vec::new()),
    };
    let data = p.view.data();
    let mut start = 0;
    while start < rows {
        let end = (start + per_block).min(rows);
        let mut values = bytes_to_f32(&data[start * cols * elt..end * cols * elt], p.view.dtype());
        if let Some(u) = &p.update {
            add_low_rank(
                &mut values,
                &a,
                &b[start * u.rank..end * u.rank],
                u.rank,
                cols,
                u.scale,
            );
        }
        if p.heads.is_some() {
            values = permute_rows(&values, end - start, (end - start) / unit).map_err(bad)?;
        }
        // Rows encode independently: split the block across threads, keep the order.
        let chunk_rows = (end - start)
            .div_ceil(rayon::current_num_threads().max(1))
            .max(1);
        let encoded: Vec<Vec<u8>> = values
            .par_chunks(chunk_rows * cols)
            .map(|rows| encode(rows, p.info.ty))
            .collect();
        for piece in &encoded {
            writer.write_data(piece)?;
        }
        start = end;
    }
    Ok(())
}
