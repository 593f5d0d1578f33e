//! What the generator tests share: a source file of the checkout `code/site/`.

use tuneforge_generate::corpus::{Provenance, SourceFile};

/// A file at `rel` in the site checkout, as `clean` hands it on.
pub fn site_file(rel: &str, text: &str) -> SourceFile {
    let path = format!("code/site/{rel}");
    SourceFile {
        rel: rel.to_owned(),
        text: text.to_owned(),
        provenance: Provenance {
            source_ref: "path:site@0123456789ab".into(),
            timestamp: "2026-11-01T00:00:00Z".into(),
            license: Some("GPL-2.0-or-later".into()),
        },
        group: path.clone(),
        duplicate_of: None,
        path,
    }
}
