//! GGUF: the file llama.cpp, Ollama and LM Studio load.
//!
//! * [`format`]: the container, written streaming, and its header read back.
//! * [`arch`]: llama.cpp's architecture names, hyperparameters and tensor names.
//! * [`vocab`]: the tokenizer metadata.
//! * [`model`]: a whole model (an adapter merged on the way) as one GGUF file.
//! * [`lora`]: an adapter as a GGUF adapter file.

pub mod arch;
mod encode;
pub mod format;
pub mod lora;
pub mod model;
mod quant;
pub mod vocab;

pub use format::{GgmlType, GgufWriter, TensorInfo, Value, read_header};
pub use lora::{AdapterGgufReport, AdapterType, export_adapter};
pub use model::{GgufReport, ModelType, export_model};
