//! The Drupal 11 rule checker as `analyze`, `generate`, `gate` and `tuneforge check` load
//! it: over the mined deprecation list when there is one.

use std::path::Path;

use tuneforge_core::config::PipelineConfig;
use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::rules::{CheckOptions, Checker, DeprecationIndex};

use super::rules::read_deprecation_list;
use crate::PipelineError;

/// The Drupal 11 rule checker over `records` (the mined deprecation list, when there is one).
pub fn checker_with(records: Option<Vec<Deprecation>>, require_strict_types: bool) -> Checker {
    Checker::new(
        records.map(DeprecationIndex::new),
        CheckOptions {
            require_strict_types,
            admits_drupal_11: Some(tuneforge_sources::compat::admits_any_11),
        },
    )
}

/// The Drupal 11 rule checker, with the mined deprecation list at `list` when given.
pub fn load_checker(
    list: Option<&Path>,
    require_strict_types: bool,
) -> Result<Checker, PipelineError> {
    let records = list.map(read_deprecation_list).transpose()?;
    Ok(checker_with(records, require_strict_types))
}

/// The checker a workspace's config asks for: its `rules.deprecations` list when it exists.
pub fn workspace_checker(config: &PipelineConfig, root: &Path) -> Result<Checker, PipelineError> {
    let list = root.join(&config.rules.deprecations);
    load_checker(
        list.is_file().then_some(list.as_path()),
        config.rules.require_strict_types,
    )
}
