//! The GGUF container, version 3: a header (magic, version, counts), metadata key/values,
//! tensor descriptions with offsets into the data section, then the tensor data, every
//! tensor starting on an `alignment` boundary.
//!
//! [`GgufWriter`] streams: the header is written from the tensors' names, shapes and
//! types (known before any data is computed), then each tensor's bytes in the declared
//! order, so a model larger than memory is written one tensor at a time. The file is a
//! temp file beside the target until [`GgufWriter::finish`] renames it into place: a
//! failed write (a full disk) leaves nothing a later run could load.
//!
//! [`read_header`] reads a header back (metadata and tensor descriptions), for checks.

use std::io::{BufWriter, Read, Seek, Write};
use std::path::{Path, PathBuf};

use tuneforge_core::fsio;

use crate::ExportError;

const MAGIC: &[u8; 4] = b"GGUF";
const VERSION: u32 = 3;
/// `general.alignment` when a file does not say: what llama.cpp assumes and writes.
pub const DEFAULT_ALIGNMENT: u64 = 32;

/// The tensor types this crate writes, with ggml's numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum GgmlType {
    F32,
    F16,
    Q5_0,
    Q8_0,
    Q4K,
    Q6K,
    Bf16,
}

impl GgmlType {
    pub fn id(self) -> u32 {
        match self {
            GgmlType::F32 => 0,
            GgmlType::F16 => 1,
            GgmlType::Q5_0 => 6,
            GgmlType::Q8_0 => 8,
            GgmlType::Q4K => 12,
            GgmlType::Q6K => 14,
            GgmlType::Bf16 => 30,
        }
    }

    const ALL: [GgmlType; 7] = [
        GgmlType::F32,
        GgmlType::F16,
        GgmlType::Q5_0,
        GgmlType::Q8_0,
        GgmlType::Q4K,
        GgmlType::Q6K,
        GgmlType::Bf16,
    ];

    pub fn from_id(id: u32) -> Option<Self> {
        Self::ALL.into_iter().find(|t| t.id() == id)
    }

    pub fn name(self) -> &'static str {
        match self {
            GgmlType::F32 => "f32",
            GgmlType::F16 => "f16",
            GgmlType::Q5_0 => "q5_0",
            GgmlType::Q8_0 => "q8_0",
            GgmlType::Q4K => "q4_K",
            GgmlType::Q6K => "q6_K",
            GgmlType::Bf16 => "bf16",
        }
    }

    /// Values per block and bytes per block.
    pub fn block(self) -> (u64, u64) {
        match self {
            GgmlType::F32 => (1, 4),
            GgmlType::F16 | GgmlType::Bf16 => (1, 2),
            GgmlType::Q5_0 => (32, 22),
            GgmlType::Q8_0 => (32, 34),
            GgmlType::Q4K => (256, 144),
            GgmlType::Q6K => (256, 210),
        }
    }
}

/// A metadata value.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    U32(u32),
    I32(i32),
    U64(u64),
    F32(f32),
    Bool(bool),
    String(String),
    Strings(Vec<String>),
    I32s(Vec<i32>),
    F32s(Vec<f32>),
}

impl Value {
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_u64(&self) -> Option<u64> {
        match self {
            Value::U32(v) => Some(u64::from(*v)),
            Value::U64(v) => Some(*v),
            Value::I32(v) => u64::try_from(*v).ok(),
            _ => None,
        }
    }

    pub fn as_f32(&self) -> Option<f32> {
        match self {
            Value::F32(v) => Some(*v),
            _ => None,
        }
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Self {
        Value::String(s.to_owned())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Self {
        Value::String(s)
    }
}

// The numbers of GGUF's value types.
const T_U8: u32 = 0;
const T_I8: u32 = 1;
const T_U16: u32 = 2;
const T_I16: u32 = 3;
const T_U32: u32 = 4;
const T_I32: u32 = 5;
const T_F32: u32 = 6;
const T_BOOL: u32 = 7;
const T_STRING: u32 = 8;
const T_ARRAY: u32 = 9;
const T_U64: u32 = 10;
const T_I64: u32 = 11;
const T_F64: u32 = 12;

/// A tensor as the header describes it. `shape` is in the Hugging Face (row-major) order,
/// outermost first; the file stores the reverse (ggml's `ne`, innermost first).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TensorInfo {
    pub name: String,
    pub shape: Vec<u64>,
    pub ty: GgmlType,
}

impl TensorInfo {
    pub fn new(name: impl Into<String>, shape: &[usize], ty: GgmlType) -> Self {
        Self {
            name: name.into(),
            shape: shape.iter().map(|&d| d as u64).collect(),
            ty,
        }
    }

    /// Values in the tensor.
    pub fn elements(&self) -> u64 {
        self.shape.iter().product()
    }

    /// Bytes of its data; `None` when its rows are not a whole number of blocks.
    pub fn bytes(&self) -> Option<u64> {
        let (per_block, block_bytes) = self.ty.block();
        let row = *self.shape.last()?;
        row.is_multiple_of(per_block)
            .then(|| self.elements() / per_block * block_bytes)
    }
}

fn pad(n: u64, alignment: u64) -> u64 {
    n.div_ceil(alignment) * alignment
}

struct Encoder(Vec<u8>);

impl Encoder {
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn string(&mut self, s: &str) {
        self.u64(s.len() as u64);
        self.0.extend_from_slice(s.as_bytes());
    }
    fn value(&mut self, value: &Value) {
        match value {
            Value::U32(v) => {
                self.u32(T_U32);
                self.u32(*v);
            }
            Value::I32(v) => {
                self.u32(T_I32);
                self.0.extend_from_slice(&v.to_le_bytes());
            }
            Value::U64(v) => {
                self.u32(T_U64);
                self.u64(*v);
            }
            Value::F32(v) => {
                self.u32(T_F32);
                self.0.extend_from_slice(&v.to_le_bytes());
            }
            Value::Bool(v) => {
                self.u32(T_BOOL);
                self.0.push(u8::from(*v));
            }
            Value::String(s) => {
                self.u32(T_STRING);
                self.string(s);
            }
            Value::Strings(items) => {
                self.array_head(T_STRING, items.len());
                for s in items {
                    self.string(s);
                }
            }
            Value::I32s(items) => {
                self.array_head(T_I32, items.len());
                for v in items {
                    self.0.extend_from_slice(&v.to_le_bytes());
                }
            }
            Value::F32s(items) => {
                self.array_head(T_F32, items.len());
                for v in items {
                    self.0.extend_from_slice(&v.to_le_bytes());
                }
            }
        }
    }
    fn array_head(&mut self, ty: u32, len: usize) {
        self.u32(T_ARRAY);
        self.u32(ty);
        self.u64(len as u64);
    }
}

/// A GGUF file being written: header first, then each tensor's data in declared order.
pub struct GgufWriter {
    path: PathBuf,
    out: BufWriter<tempfile::NamedTempFile>,
    tensors: Vec<TensorInfo>,
    sizes: Vec<u64>,
    next: usize,
    /// Bytes written of the tensor begun last, while one is open.
    open: Option<u64>,
    alignment: u64,
    written: u64,
}

impl GgufWriter {
    /// Starts `path` with `metadata` and the description of every tensor that will follow.
    /// `general.alignment`, when in `metadata`, sets the alignment.
    pub fn create(
        path: &Path,
        metadata: &[(String, Value)],
        tensors: Vec<TensorInfo>,
    ) -> Result<Self, ExportError> {
        let alignment = metadata
            .iter()
            .find(|(k, _)| k == "general.alignment")
            .and_then(|(_, v)| v.as_u64())
            .unwrap_or(DEFAULT_ALIGNMENT);
        let mut header = Encoder(Vec::new());
        header.0.extend_from_slice(MAGIC);
        header.u32(VERSION);
        header.u64(tensors.len() as u64);
        header.u64(metadata.len() as u64);
        for (key, value) in metadata {
            header.string(key);
            header.value(value);
        }
        let mut sizes = Vec::with_capacity(tensors.len());
        let mut offset = 0;
        for t in &tensors {
            let size = t.bytes().ok_or_else(|| ExportError::Mismatch {
                message: format!(
                    "`{}` has rows of {} values, not a whole number of {} blocks ({} values); export it as f16 or bf16",
                    t.name,
                    t.shape.last().copied().unwrap_or(0),
                    t.ty.name(),
                    t.ty.block().0
                ),
            })?;
            header.string(&t.name);
            header.u32(t.shape.len() as u32);
            for d in t.shape.iter().rev() {
                header.u64(*d);
            }
            header.u32(t.ty.id());
            header.u64(offset);
            offset = pad(offset + size, alignment);
            sizes.push(size);
        }
        let header_len = pad(header.0.len() as u64, alignment);
        header.0.resize(header_len as usize, 0);
        let tmp = fsio::temp_file_beside(path)?;
        let mut out = BufWriter::with_capacity(1 << 20, tmp);
        out.write_all(&header.0)
            .map_err(|e| ExportError::io("cannot write", path, e))?;
        Ok(Self {
            path: path.to_path_buf(),
            out,
            tensors,
            sizes,
            next: 0,
            open: None,
            alignment,
            written: header_len,
        })
    }

    /// The description of the tensor whose data comes next, if any.
    pub fn next_tensor(&self) -> Option<&TensorInfo> {
        self.tensors.get(self.next)
    }

    /// Writes the data of the next declared tensor, which must be `name` and of its size.
    pub fn write_tensor(&mut self, name: &str, data: &[u8]) -> Result<(), ExportError> {
        self.begin_tensor(name)?;
        self.write_data(data)?;
        self.end_tensor()
    }

    /// Starts the data of the next declared tensor, which must be `name`; its bytes follow
    /// in any number of [`GgufWriter::write_data`] calls, closed by
    /// [`GgufWriter::end_tensor`].
    pub fn begin_tensor(&mut self, name: &str) -> Result<(), ExportError> {
        match self.tensors.get(self.next) {
            Some(info) if info.name == name && self.open.is_none() => {
                self.open = Some(0);
                Ok(())
            }
            Some(info) => Err(ExportError::Mismatch {
                message: format!("GGUF writer: `{}` comes next, not `{name}`", info.name),
            }),
            None => Err(ExportError::Mismatch {
                message: format!("GGUF writer: `{name}` was not declared in the header"),
            }),
        }
    }

    /// Appends bytes to the tensor begun last.
    pub fn write_data(&mut self, data: &[u8]) -> Result<(), ExportError> {
        let size = self.sizes.get(self.next).copied().unwrap_or(0);
        let Some(done) = self.open.as_mut() else {
            return Err(ExportError::Mismatch {
                message: "GGUF writer: data written outside a tensor".into(),
            });
        };
        *done += data.len() as u64;
        if *done > size {
            return Err(self.wrong_size());
        }
        self.out
            .write_all(data)
            .map_err(|e| ExportError::io("cannot write", &self.path, e))
    }

    /// Closes the tensor begun last, which must have received exactly its size.
    pub fn end_tensor(&mut self) -> Result<(), ExportError> {
        let size = self.sizes.get(self.next).copied().unwrap_or(0);
        if self.open != Some(size) {
            return Err(self.wrong_size());
        }
        let padded = pad(size, self.alignment);
        self.out
            .write_all(&vec![0u8; (padded - size) as usize])
            .map_err(|e| ExportError::io("cannot write", &self.path, e))?;
        self.written += padded;
        self.next += 1;
        self.open = None;
        Ok(())
    }

    fn wrong_size(&self) -> ExportError {
        let name = self.tensors.get(self.next).map_or("", |t| t.name.as_str());
        ExportError::Mismatch {
            message: format!(
                "GGUF writer: `{name}` takes {} bytes, but {} were given",
                self.sizes.get(self.next).copied().unwrap_or(0),
                self.open.unwrap_or(0)
            ),
        }
    }

    /// Checks that every tensor was written, syncs and renames the file into place.
    /// Returns its size in bytes.
    pub fn finish(self) -> Result<u64, ExportError> {
        if let Some(missing) = self.tensors.get(self.next) {
            return Err(ExportError::Mismatch {
                message: format!(
                    "GGUF writer: `{}` was declared but not written",
                    missing.name
                ),
            });
        }
        let tmp = self
            .out
            .into_inner()
            .map_err(|e| ExportError::io("cannot write", &self.path, e.into_error()))?;
        fsio::persist(tmp, &self.path)?;
        Ok(self.written)
    }
}

/// A GGUF file's header: its metadata and its tensors with their offsets (from the start
/// of the data section).
#[derive(Debug, Clone)]
pub struct Header {
    pub version: u32,
    pub metadata: Vec<(String, Value)>,
    pub tensors: Vec<(TensorInfo, u64)>,
    /// Where the data section starts in the file.
    pub data_start: u64,
}

impl Header {
    pub fn get(&self, key: &str) -> Option<&Value> {
        self.metadata.iter().find(|(k, _)| k == key).map(|(_, v)| v)
    }
}

/// Reads the header of the GGUF file at `path`. Values of types this crate does not write
/// are read and kept as the nearest kind (or skipped for arrays of them).
pub fn read_header(path: &Path) -> Result<Header, ExportError> {
    let file = std::fs::File::open(path).map_err(|e| ExportError::io("cannot open", path, e))?;
    let mut r = Decoder {
        inner: std::io::BufReader::new(file),
        path,
    };
    let mut magic = [0u8; 4];
    r.bytes(&mut magic)?;
    if &magic != MAGIC {
        return Err(r.bad("not a GGUF file (no GGUF magic)"));
    }
    let version = r.u32()?;
    if !(2..=3).contains(&version) {
        return Err(r.bad(&format!(
            "GGUF version {version}; versions 2 and 3 are read"
        )));
    }
    let n_tensors = r.u64()?;
    let n_kv = r.u64()?;
    let mut metadata = Vec::new();
    for _ in 0..n_kv {
        let key = r.string()?;
        let ty = r.u32()?;
        if let Some(value) = r.value(ty)? {
            metadata.push((key, value));
        }
    }
    let mut tensors = Vec::new();
    for _ in 0..n_tensors {
        let name = r.string()?;
        let dims = r.u32()?;
        if dims > 8 {
            return Err(r.bad(&format!("`{name}` has {dims} dimensions")));
        }
        let mut shape = Vec::new();
        for _ in 0..dims {
            shape.push(r.u64()?);
        }
        shape.reverse();
        let id = r.u32()?;
        let ty = GgmlType::from_id(id)
            .ok_or_else(|| r.bad(&format!("`{name}` has ggml type {id}, which is not read")))?;
        let offset = r.u64()?;
        tensors.push((TensorInfo { name, shape, ty }, offset));
    }
    let alignment = metadata
        .iter()
        .find(|(k, _)| k == "general.alignment")
        .and_then(|(_, v)| v.as_u64())
        .unwrap_or(DEFAULT_ALIGNMENT);
    let pos = r
        .inner
        .stream_position()
        .map_err(|e| ExportError::io("cannot read", path, e))?;
    Ok(Header {
        version,
        metadata,
        tensors,
        data_start: pad(pos, alignment),
    })
}

struct Decoder<'a, R> {
    inner: R,
    path: &'a Path,
}

impl<R: Read> Decoder<'_, R> {
    fn bad(&self, message: &str) -> ExportError {
        ExportError::Weights {
            path: self.path.to_path_buf(),
            message: message.to_owned(),
        }
    }
    fn bytes(&mut self, buf: &mut [u8]) -> Result<(), ExportError> {
        self.inner
            .read_exact(buf)
            .map_err(|_| self.bad("truncated GGUF header"))
    }
    fn u32(&mut self) -> Result<u32, ExportError> {
        let mut b = [0u8; 4];
        self.bytes(&mut b)?;
        Ok(u32::from_le_bytes(b))
    }
    fn u64(&mut self) -> Result<u64, ExportError> {
        let mut b = [0u8; 8];
        self.bytes(&mut b)?;
        Ok(u64::from_le_bytes(b))
    }
    fn string(&mut self) -> Result<String, ExportError> {
        let len = self.u64()?;
        if len > 1 << 30 {
            return Err(self.bad("a GGUF string longer than 1 GiB"));
        }
        let mut buf = vec![0u8; len as usize];
        self.bytes(&mut buf)?;
        String::from_utf8(buf).map_err(|_| self.bad("a GGUF string is not UTF-8"))
    }
    fn scalar(&mut self, ty: u32) -> Result<Option<Value>, ExportError> {
        let width = match ty {
            T_U8 | T_I8 | T_BOOL => 1,
            T_U16 | T_I16 => 2,
            T_U32 | T_I32 | T_F32 => 4,
            T_U64 | T_I64 | T_F64 => 8,
            T_STRING => return Ok(Some(Value::String(self.string()?))),
            _ => return Err(self.bad(&format!("unknown GGUF value type {ty}"))),
        };
        let mut b = [0u8; 8];
        self.bytes(&mut b[..width])?;
        let v = match ty {
            T_BOOL => Value::Bool(b[0] != 0),
            T_U8 => Value::U32(u32::from(b[0])),
            T_I8 => Value::I32(i32::from(b[0] as i8)),
            T_U16 => Value::U32(u32::from(u16::from_le_bytes([b[0], b[1]]))),
            T_I16 => Value::I32(i32::from(i16::from_le_bytes([b[0], b[1]]))),
            T_U32 => Value::U32(u32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            T_I32 => Value::I32(i32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            T_F32 => Value::F32(f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            T_U64 => Value::U64(u64::from_le_bytes(b)),
            T_I64 => Value::U64(i64::from_le_bytes(b) as u64),
            _ => Value::F32(f64::from_le_bytes(b) as f32),
        };
        Ok(Some(v))
    }
    fn value(&mut self, ty: u32) -> Result<Option<Value>, ExportError> {
        if ty != T_ARRAY {
            return self.scalar(ty);
        }
        let elem = self.u32()?;
        let len = self.u64()?;
        if len > 1 << 28 {
            return Err(self.bad("a GGUF array longer than 2^28 items"));
        }
        let mut items = Vec::with_capacity(len as usize);
        for _ in 0..len {
            items.push(self.scalar(elem)?);
        }
        let items = items.into_iter().flatten();
        Ok(Some(match elem {
            T_STRING => {
                Value::Strings(items.filter_map(|v| v.as_str().map(String::from)).collect())
            }
            T_F32 | T_F64 => Value::F32s(items.filter_map(|v| v.as_f32()).collect()),
            _ => Value::I32s(
                items
                    .filter_map(|v| match v {
                        Value::I32(i) => Some(i),
                        Value::U32(u) => Some(u as i32),
                        Value::Bool(b) => Some(i32::from(b)),
                        _ => None,
                    })
                    .collect(),
            ),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_written_file_reads_back_with_aligned_offsets() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.gguf");
        let metadata = vec![
            ("general.architecture".to_owned(), Value::from("qwen2")),
            ("qwen2.block_count".to_owned(), Value::U32(2)),
            (
                "tokenizer.ggml.tokens".to_owned(),
                Value::Strings(vec!["a".into(), "b".into()]),
            ),
            (
                "tokenizer.ggml.token_type".to_owned(),
                Value::I32s(vec![1, 3]),
            ),
            (
                "tokenizer.ggml.add_bos_token".to_owned(),
                Value::Bool(false),
            ),
        ];
        let tensors = vec![
            TensorInfo::new("a", &[3], GgmlType::F32),
            TensorInfo::new("b", &[2, 32], GgmlType::Q8_0),
        ];
        let mut w = GgufWriter::create(&path, &metadata, tensors.clone()).unwrap();
        w.write_tensor("a", &[1u8; 12]).unwrap();
        w.write_tensor("b", &[2u8; 68]).unwrap();
        let size = w.finish().unwrap();
        let bytes = std::fs::read(&path).unwrap();
        assert_eq!(bytes.len() as u64, size);
        let header = read_header(&path).unwrap();
        assert_eq!(header.version, 3);
        assert_eq!(header.metadata, metadata);
        assert_eq!(header.data_start % 32, 0);
        assert_eq!(header.tensors[0], (tensors[0].clone(), 0));
        assert_eq!(header.tensors[1], (tensors[1].clone(), 32));
        let b = (header.data_start + 32) as usize;
        assert_eq!(&bytes[b..b + 68], &[2u8; 68][..]);
        // Only this file in the directory: no temp file left.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn every_type_reads_back_from_its_number() {
        for ty in GgmlType::ALL {
            assert_eq!(GgmlType::from_id(ty.id()), Some(ty));
        }
    }

    #[test]
    fn a_writer_dropped_before_finishing_leaves_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.gguf");
        let tensors = vec![TensorInfo::new("a", &[4], GgmlType::F32)];
        let mut w = GgufWriter::create(&path, &[], tensors).unwrap();
        assert!(w.write_tensor("b", &[0u8; 16]).is_err());
        assert!(w.write_tensor("a", &[0u8; 15]).is_err());
        drop(w);
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[test]
    fn a_finish_with_tensors_missing_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("m.gguf");
        let tensors = vec![TensorInfo::new("a", &[4], GgmlType::F32)];
        let w = GgufWriter::create(&path, &[], tensors).unwrap();
        assert!(
            w.finish()
                .unwrap_err()
                .to_string()
                .contains("`a` was declared")
        );
        assert!(!path.exists());
    }

    #[test]
    fn rows_that_are_not_whole_blocks_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let tensors = vec![TensorInfo::new("w", &[4, 48], GgmlType::Q8_0)];
        let e = GgufWriter::create(&dir.path().join("m.gguf"), &[], tensors)
            .err()
            .unwrap();
        assert!(e.to_string().contains("not a whole number of q8_0 blocks"));
    }
}
