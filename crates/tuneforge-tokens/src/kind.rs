//! The [`ErrorKind`] of this crate's errors.

use tuneforge_core::error::{ErrorKind, HasKind};

use crate::PrepError;
use crate::encode::{EncodeError, TokenizerError};
use crate::pack::PackError;
use crate::template::TemplateError;
use crate::write::WriteError;

impl HasKind for TemplateError {
    fn kind(&self) -> ErrorKind {
        match self {
            TemplateError::Read { .. } => ErrorKind::Io,
            // The model directory's template or a conversation it cannot render: the
            // model or the sample is the user's to change.
            TemplateError::NotFound { .. }
            | TemplateError::BadConfig { .. }
            | TemplateError::NoDefault { .. }
            | TemplateError::Syntax { .. }
            | TemplateError::PercentFormatting { .. }
            | TemplateError::EmptyConversation
            | TemplateError::BadMessage { .. }
            | TemplateError::ReservedCharacter { .. }
            | TemplateError::FloatFormatting { .. }
            | TemplateError::Raised { .. }
            | TemplateError::Render { .. }
            | TemplateError::AssistantFirst { .. }
            | TemplateError::NotPrefixStable { .. }
            | TemplateError::NestedGeneration => ErrorKind::Usage,
        }
    }
}

impl HasKind for TokenizerError {
    fn kind(&self) -> ErrorKind {
        match self {
            TokenizerError::Read { .. } => ErrorKind::Io,
            TokenizerError::Load { .. } => ErrorKind::Usage,
        }
    }
}

impl HasKind for EncodeError {
    fn kind(&self) -> ErrorKind {
        match self {
            EncodeError::Template(e) => e.kind(),
            EncodeError::Tokenizer(_) => ErrorKind::Data,
        }
    }
}

impl HasKind for PackError {
    fn kind(&self) -> ErrorKind {
        match self {
            PackError::ZeroMaxLen => ErrorKind::Usage,
            PackError::TooLong { .. } | PackError::Empty { .. } => ErrorKind::Data,
        }
    }
}

impl HasKind for WriteError {
    fn kind(&self) -> ErrorKind {
        match self {
            WriteError::Io(e) => e.kind(),
            WriteError::Serialize { .. } | WriteError::Corrupt { .. } => ErrorKind::Data,
        }
    }
}

impl HasKind for PrepError {
    fn kind(&self) -> ErrorKind {
        match self {
            PrepError::ZeroMaxLen | PrepError::BadSplitName(_) | PrepError::DuplicateSplit(_) => {
                ErrorKind::Usage
            }
            PrepError::NoSamples | PrepError::AllRejected { .. } => ErrorKind::Data,
            PrepError::Pack(e) => e.kind(),
            PrepError::Write(e) => e.kind(),
        }
    }
}
