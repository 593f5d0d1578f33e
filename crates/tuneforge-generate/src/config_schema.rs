//! `template:config-schema`: one top-level entry of a module's `config/schema/*.schema.yml`
//! (a settings object, a configuration entity, a plugin's settings), asked for by its name,
//! label and the keys it holds (with their labels), answered with the entry as written.
//! When the module installs a default configuration of that exact name, the request shows
//! it: writing the schema for existing configuration is the everyday form of the task.
//!
//! The entry is cut from the file's text, so comments and order stay as the author wrote
//! them; the request and the notes say only what the entry itself declares.

use crate::Emitter;
use crate::corpus::Corpus;
use crate::phrasing::{fenced, fill};
use crate::templates::{generator, list_of};

/// The most keys a request names; an entry with more names these and says how many more.
const NAMED_KEYS: usize = 10;
/// Default configuration longer than this is not quoted in the request.
const QUOTED_DEFAULT_BYTES: usize = 1500;

/// One top-level entry of a schema file.
#[derive(Debug, PartialEq)]
struct Entry {
    /// `node.settings`, `node.type.*`, `field.widget.settings.string_textfield`.
    key: String,
    /// The entry's text, with the comment lines directly above it.
    text: String,
    /// Its `type:`.
    ty: Option<String>,
    /// Its `label:`, unquoted.
    label: Option<String>,
    /// The keys of its `mapping:`, each with its label.
    keys: Vec<(String, Option<String>)>,
    /// Its `constraints:` names, at any depth.
    constraints: Vec<String>,
    /// It uses the translatable `label` or `text` types somewhere.
    translatable: bool,
    /// It has a `sequence:`.
    sequence: bool,
}

fn unquote(value: &str) -> String {
    let v = value.trim();
    v.strip_prefix('\'')
        .and_then(|v| v.strip_suffix('\''))
        .or_else(|| v.strip_prefix('"').and_then(|v| v.strip_suffix('"')))
        .unwrap_or(v)
        .replace("''", "'")
}

/// Leading spaces of a line.
fn indent(line: &str) -> usize {
    line.len() - line.trim_start_matches(' ').len()
}

/// The top-level entries of a schema file, in order.
fn entries(text: &str) -> Vec<Entry> {
    let lines: Vec<&str> = text.lines().collect();
    let starts: Vec<usize> = lines
        .iter()
        .enumerate()
        .filter(|(_, l)| {
            !l.is_empty() && !l.starts_with([' ', '#', '\t']) && l.trim_end().ends_with(':')
        })
        .map(|(i, _)| i)
        .collect();
    let mut out = Vec::new();
    for (n, &start) in starts.iter().enumerate() {
        let end = starts.get(n + 1).copied().unwrap_or(lines.len());
        // The comment lines directly above belong to the entry; trailing comments and blank
        // lines before the next entry do not.
        let mut first = start;
        while first > 0 && lines[first - 1].starts_with('#') {
            first -= 1;
        }
        let mut last = end;
        while last > start + 1
            && (lines[last - 1].trim().is_empty() || lines[last - 1].starts_with('#'))
        {
            last -= 1;
        }
        let body = &lines[start + 1..last];
        let key = unquote(lines[start].trim_end().trim_end_matches(':'));
        out.push(parse_entry(key, lines[first..last].join("\n"), body));
    }
    out
}

fn parse_entry(key: String, text: String, body: &[&str]) -> Entry {
    let unit = body
        .iter()
        .map(|l| indent(l))
        .filter(|&i| i > 0)
        .min()
        .unwrap_or(2);
    let field = |line: &str, depth: usize, name: &str| -> Option<String> {
        (indent(line) == unit * depth)
            .then(|| line.trim_start().strip_prefix(&format!("{name}:")))
            .flatten()
            .map(unquote)
    };
    let ty = body.iter().find_map(|l| field(l, 1, "type"));
    let label = body.iter().find_map(|l| field(l, 1, "label"));
    let mut keys: Vec<(String, Option<String>)> = Vec::new();
    let mut in_mapping = false;
    for line in body {
        if line.trim().is_empty() || line.trim_start().starts_with('#') {
            continue;
        }
        let depth = indent(line);
        if depth == unit {
            in_mapping = line.trim() == "mapping:";
            continue;
        }
        if !in_mapping {
            continue;
        }
        if depth == unit * 2 && line.trim_end().ends_with(':') {
            keys.push((unquote(line.trim().trim_end_matches(':')), None));
        } else if depth == unit * 3
            && let Some(label) = field(line, 3, "label")
            && let Some(last) = keys.last_mut()
        {
            last.1.get_or_insert(label);
        }
    }
    let mut constraints = Vec::new();
    let mut under_constraints: Option<usize> = None;
    for line in body {
        let depth = indent(line);
        let trimmed = line.trim();
        if trimmed.is_empty() || trimmed.starts_with('#') {
            continue;
        }
        if let Some(at) = under_constraints {
            if depth <= at {
                under_constraints = None;
            } else if depth == at + unit
                && let Some((name, _)) = trimmed.split_once(':')
                && !constraints.iter().any(|c| c == name)
            {
                constraints.push(name.to_owned());
            }
        }
        if trimmed == "constraints:" {
            under_constraints = Some(depth);
        }
    }
    let translatable = body.iter().any(|l| {
        matches!(
            l.trim(),
            "type: label" | "type: text" | "type: required_label"
        )
    });
    let sequence = body.iter().any(|l| l.trim() == "sequence:");
    Entry {
        key,
        text,
        ty,
        label,
        keys,
        constraints,
        translatable,
        sequence,
    }
}

/// What kind of configuration a schema type declares, for the request.
fn what(ty: Option<&str>) -> String {
    match ty {
        Some("config_object") => "a simple configuration object".to_owned(),
        Some("config_entity") => "a configuration entity".to_owned(),
        Some(base) if !is_base_type(base) => format!("a `{base}` mapping"),
        _ => "a mapping".to_owned(),
    }
}

/// Whether a schema type is a base type of core's own (`config_object`, `mapping`, …),
/// not another entry the mapping builds on.
fn is_base_type(ty: &str) -> bool {
    matches!(ty, "config_object" | "config_entity" | "mapping")
}

pub fn run(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("config-schema");
    for (file, f) in corpus.files.iter().enumerate() {
        if !(f.path.ends_with(".schema.yml") && f.path.contains("/config/schema/")) {
            continue;
        }
        if tuneforge_core::source_path::is_test_path(&f.rel) {
            continue;
        }
        let Some(ext) = corpus.extension(file) else {
            continue;
        };
        let schema_file = f.file_name();
        for entry in entries(&f.text) {
            let src = f.cite();
            if entry.keys.is_empty() {
                out.drop(
                    &generator,
                    src,
                    format!(
                        "`{}` declares no mapping keys to ask for (a type alias or a sequence)",
                        entry.key
                    ),
                );
                continue;
            }
            let named: Vec<String> = entry
                .keys
                .iter()
                .take(NAMED_KEYS)
                .map(|(k, label)| match label {
                    Some(l) if !l.eq_ignore_ascii_case(k) => format!("`{k}` ({l})"),
                    _ => format!("`{k}`"),
                })
                .collect();
            let keys = if entry.keys.len() > NAMED_KEYS {
                format!(
                    "{} and {} more",
                    named.join(", "),
                    entry.keys.len() - NAMED_KEYS
                )
            } else {
                list_of(&named)
            };
            let label = entry
                .label
                .as_deref()
                .map(|l| format!(" ({l})"))
                .unwrap_or_default();
            let default = corpus
                .extension_file(ext, &format!("config/install/{}.yml", entry.key))
                .map(|i| &corpus.files[i].text)
                .filter(|t| t.len() <= QUOTED_DEFAULT_BYTES && !t.trim().is_empty());
            let key = format!("{src}#config-schema:{}", entry.key);
            let ask = if default.is_some() {
                out.pick(
                    &key,
                    &[
                        "The {module} {kind} installs this default configuration as `config/install/{name}.yml`. Write its configuration schema.\n\n{yaml}",
                        "Write the config schema for `{name}`{label} so Drupal 11 can validate and translate it. Its default values:\n\n{yaml}",
                    ],
                )
            } else {
                out.pick(
                    &key,
                    &[
                        "Write the configuration schema for `{name}`{label} in the {module} {kind}: {what} with {keys}.",
                        "Drupal 11: declare the config schema of `{name}`{label}, {what} holding {keys}, in `config/schema/{file}`.",
                        "In {module}, `{name}`{label} is {what}; {its_keys} {keys}. Define its schema.",
                    ],
                )
            };
            let user = fill(
                ask,
                &[
                    ("module", &ext.name),
                    ("kind", ext.kind),
                    ("name", &entry.key),
                    ("label", &label),
                    (
                        "yaml",
                        &default.map(|d| fenced("yaml", d)).unwrap_or_default(),
                    ),
                    ("what", &what(entry.ty.as_deref())),
                    ("keys", &keys),
                    (
                        "its_keys",
                        if entry.keys.len() == 1 {
                            "its key is"
                        } else {
                            "its keys are"
                        },
                    ),
                    ("file", schema_file),
                ],
            );
            let mut answer = format!(
                "In `config/schema/{schema_file}`:\n\n{}",
                fenced("yaml", &entry.text)
            );
            let notes = notes(&entry);
            if !notes.is_empty() {
                answer.push_str("\n\n");
                answer.push_str(&notes.join(" "));
            }
            out.emit(&generator, "drupal-general", file, user, answer);
        }
    }
}

/// What the entry shows, one sentence each.
fn notes(entry: &Entry) -> Vec<String> {
    let mut notes = Vec::new();
    match entry.ty.as_deref() {
        Some("config_object") => notes.push(
            "`type: config_object` brings the keys every simple configuration has (`langcode`, `_core`), so the mapping lists only the module's own settings.".to_owned(),
        ),
        Some("config_entity") => notes.push(
            "`type: config_entity` brings the keys every configuration entity has (`uuid`, `langcode`, `status`, `dependencies`), so the mapping lists only this entity's own properties.".to_owned(),
        ),
        _ => {}
    }
    if let Some(base) = entry.ty.as_deref().filter(|t| !is_base_type(t)) {
        notes.push(format!(
            "`type: {base}` makes it build on that type's mapping, so it lists only the keys it adds or changes."
        ));
    }
    if let Some(prefix) = entry.key.strip_suffix(".*") {
        notes.push(format!(
            "The `*` stands for any ID, so this one entry describes every `{prefix}.…` configuration object."
        ));
    }
    if entry.translatable {
        notes.push(
            "Values typed `label` or `text` are translatable, so configuration translation offers them to translators.".to_owned(),
        );
    }
    if entry.sequence {
        notes.push(
            "A `sequence` is a list whose items all have the type given under it.".to_owned(),
        );
    }
    if !entry.constraints.is_empty() {
        let names: Vec<String> = entry.constraints.iter().map(|c| format!("`{c}`")).collect();
        notes.push(format!(
            "The {} {} checked when the configuration is validated.",
            list_of(&names),
            if names.len() == 1 {
                "constraint is"
            } else {
                "constraints are"
            }
        ));
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    const SCHEMA: &str = "# Schema for the configuration files of the node module.\n\nnode.settings:\n  type: config_object\n  label: 'Node settings'\n  constraints:\n    FullyValidatable: ~\n  mapping:\n    use_admin_theme:\n      type: boolean\n      label: 'Use administration theme when editing or creating content'\n\n# The content type.\nnode.type.*:\n  type: config_entity\n  label: 'Content type'\n  mapping:\n    name:\n      type: required_label\n      label: 'Name'\n    preview_mode:\n      type: integer\n      label: 'Preview before submitting'\n      constraints:\n        Choice:\n          choices: [0, 1, 2]\n    types:\n      type: sequence\n      sequence:\n        type: string\n\nnode.alias:\n  type: string\n  label: 'Alias'\n";

    #[test]
    fn entries_are_cut_with_their_comments_keys_and_labels() {
        let all = entries(SCHEMA);
        assert_eq!(
            all.iter().map(|e| e.key.as_str()).collect::<Vec<_>>(),
            ["node.settings", "node.type.*", "node.alias"]
        );
        let settings = &all[0];
        assert_eq!(settings.ty.as_deref(), Some("config_object"));
        assert_eq!(settings.label.as_deref(), Some("Node settings"));
        assert_eq!(
            settings.keys,
            [(
                "use_admin_theme".to_owned(),
                Some("Use administration theme when editing or creating content".to_owned())
            )]
        );
        assert_eq!(settings.constraints, ["FullyValidatable"]);
        assert!(settings.text.starts_with("node.settings:") && settings.text.ends_with("content'"));
        let ty = &all[1];
        assert!(
            ty.text.starts_with("# The content type.\nnode.type.*:"),
            "{}",
            ty.text
        );
        assert_eq!(
            ty.keys.iter().map(|(k, _)| k.as_str()).collect::<Vec<_>>(),
            ["name", "preview_mode", "types"]
        );
        assert_eq!(ty.constraints, ["Choice"]);
        assert!(ty.translatable && ty.sequence);
        assert!(all[2].keys.is_empty());
    }
}
