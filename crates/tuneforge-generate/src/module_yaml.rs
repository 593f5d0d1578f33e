//! `template:menu-links` and `template:permissions`: a module's `*.links.{menu,task,action,
//! contextual}.yml` and `*.permissions.yml`, asked for by what they declare (each link's
//! title, route and place; each permission's name and title) and answered with the file.
//!
//! The request lists the entries the file has, so the answer is fully specified by it; the
//! notes say what each kind of file does in Drupal, which does not depend on the entries.

use serde_json::Value;

use crate::Emitter;
use crate::corpus::{Corpus, Extension};
use crate::phrasing::{fenced, fill};
use crate::templates::{generator, list_of};

/// The most entries a request lists; a larger file is not asked for entry by entry.
const LISTED_ENTRIES: usize = 12;

/// One kind of links file.
struct LinkKind {
    /// `links.menu.yml`.
    suffix: &'static str,
    /// What its entries are, for the request: `menu links`.
    entries: &'static str,
    /// What the file does, for the answer.
    note: &'static str,
}

const LINK_KINDS: &[LinkKind] = &[
    LinkKind {
        suffix: "links.menu.yml",
        entries: "menu links",
        note: "Each entry is a static menu link: `parent` places it under another link's ID (such as `system.admin_structure`), `route_name` says where it goes, and the entry's own key is the link's ID. Drupal reads the file when caches are rebuilt; no code registers it.",
    },
    LinkKind {
        suffix: "links.task.yml",
        entries: "local tasks (tabs)",
        note: "Each entry is a local task, a tab: tabs that share a `base_route` are shown together on that route's pages, and `weight` orders them. Drupal reads the file when caches are rebuilt; no code registers it.",
    },
    LinkKind {
        suffix: "links.action.yml",
        entries: "local actions",
        note: "Each entry is a local action, the button above a listing: `appears_on` lists the routes whose pages show it and `route_name` is where it leads. Drupal reads the file when caches are rebuilt; no code registers it.",
    },
    LinkKind {
        suffix: "links.contextual.yml",
        entries: "contextual links",
        note: "Each entry is a contextual link: `group` ties it to the render elements that declare the same `#contextual_links` group, and `route_name` is where it leads. Drupal reads the file when caches are rebuilt; no code registers it.",
    },
];

/// A YAML file's top-level mapping, when it is one.
fn mapping(text: &str) -> Option<serde_json::Map<String, Value>> {
    match serde_saphyr::from_str::<Value>(text).ok()? {
        Value::Object(map) => Some(map),
        _ => None,
    }
}

fn string_field<'v>(entry: &'v Value, name: &str) -> Option<&'v str> {
    entry.get(name).and_then(Value::as_str)
}

/// A link entry for the request: `'Contact forms' (route entity.contact_form.collection,
/// under system.admin_structure)`.
fn link_line(id: &str, entry: &Value) -> Option<String> {
    let title = string_field(entry, "title")?;
    let route = string_field(entry, "route_name");
    let mut place = Vec::new();
    if let Some(route) = route {
        place.push(format!("route `{route}`"));
    }
    if let Some(parent) = string_field(entry, "parent") {
        place.push(format!("under `{parent}`"));
    }
    if let Some(base) = string_field(entry, "base_route") {
        place.push(format!("tab of `{base}`"));
    }
    if let Some(on) = entry.get("appears_on").and_then(Value::as_array) {
        let routes: Vec<String> = on
            .iter()
            .filter_map(Value::as_str)
            .map(|r| format!("`{r}`"))
            .collect();
        if !routes.is_empty() {
            place.push(format!("on {}", list_of(&routes)));
        }
    }
    if let Some(group) = string_field(entry, "group") {
        place.push(format!("group `{group}`"));
    }
    Some(if place.is_empty() {
        format!("\"{title}\" (`{id}`)")
    } else {
        format!("\"{title}\" (`{id}`: {})", place.join(", "))
    })
}

/// The extensions' YAML files whose path `wanted` picks (test code left out), each with
/// its extension and its top-level mapping; a file that is not a mapping is dropped.
fn yaml_files<'c>(
    corpus: &'c Corpus,
    out: &mut Emitter,
    generator: &str,
    wanted: impl Fn(&str) -> bool,
) -> Vec<(usize, &'c Extension, serde_json::Map<String, Value>)> {
    let mut found = Vec::new();
    for (file, f) in corpus.files.iter().enumerate() {
        if !wanted(&f.path) || tuneforge_core::source_path::is_test_path(&f.rel) {
            continue;
        }
        let Some(ext) = corpus.extension(file) else {
            continue;
        };
        match mapping(&f.text) {
            Some(entries) => found.push((file, ext, entries)),
            None => out.drop(generator, f.cite(), "the file is not a YAML mapping"),
        }
    }
    found
}

/// A request that lists a file's entries one per line: one of `asks` (picked by `key`)
/// with `{module}`, `{kind}`, `{file}`, `{entries}` and `{list}` filled in.
fn listed_request(
    out: &Emitter,
    key: &str,
    asks: &[&str],
    ext: &Extension,
    file: &str,
    lines: &[String],
    entries: &str,
) -> String {
    let list: String = lines.iter().map(|l| format!("- {l}\n")).collect();
    fill(
        out.pick(key, asks),
        &[
            ("entries", entries),
            ("module", &ext.name),
            ("kind", ext.kind),
            ("file", file),
            ("list", list.trim_end()),
        ],
    )
}

pub fn run_links(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("menu-links");
    let files = yaml_files(corpus, out, &generator, |path| {
        LINK_KINDS
            .iter()
            .any(|k| path.ends_with(&format!(".{}", k.suffix)))
    });
    for (file, ext, entries) in files {
        let f = &corpus.files[file];
        let src = f.cite();
        let Some(kind) = LINK_KINDS
            .iter()
            .find(|k| f.path.ends_with(&format!(".{}", k.suffix)))
        else {
            continue;
        };
        if entries.len() > LISTED_ENTRIES {
            out.drop(
                &generator,
                src,
                format!("{} entries: too many to ask for one by one", entries.len()),
            );
            continue;
        }
        let lines: Option<Vec<String>> = entries.iter().map(|(id, e)| link_line(id, e)).collect();
        let Some(lines) = lines.filter(|l| !l.is_empty()) else {
            out.drop(
                &generator,
                src,
                "an entry has no plain `title` (a derivative or a translated title class)",
            );
            continue;
        };
        let user = listed_request(
            out,
            &format!("{src}#menu-links"),
            &[
                "Add these {entries} to the {module} {kind}:\n{list}",
                "Write `{file}` for {module}, declaring the {entries}:\n{list}",
            ],
            ext,
            f.file_name(),
            &lines,
            kind.entries,
        );
        let answer = format!(
            "`{}`:\n\n{}\n\n{}",
            f.file_name(),
            fenced("yaml", &f.text),
            kind.note
        );
        out.emit(&generator, "drupal-routing", file, user, answer);
    }
}

pub fn run_permissions(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("permissions");
    let files = yaml_files(corpus, out, &generator, |path| {
        path.ends_with(".permissions.yml")
    });
    for (file, ext, entries) in files {
        let f = &corpus.files[file];
        let src = f.cite();
        // `permission_callbacks` builds permissions in code; the request lists only the
        // static ones, and the answer notes the callback.
        let callbacks: Vec<String> = entries
            .get("permission_callbacks")
            .and_then(Value::as_array)
            .map(|a| {
                a.iter()
                    .filter_map(Value::as_str)
                    .map(|c| format!("`{c}`"))
                    .collect()
            })
            .unwrap_or_default();
        let permissions: Vec<(&String, &Value)> = entries
            .iter()
            .filter(|(name, _)| name.as_str() != "permission_callbacks")
            .collect();
        if permissions.is_empty() || permissions.len() > LISTED_ENTRIES {
            out.drop(
                &generator,
                src,
                format!(
                    "{} static permissions: nothing to list, or too many to ask for one by one",
                    permissions.len()
                ),
            );
            continue;
        }
        let lines: Option<Vec<String>> = permissions
            .iter()
            .map(|(name, e)| {
                let title = string_field(e, "title")?;
                let restricted = e
                    .get("restrict access")
                    .and_then(Value::as_bool)
                    .unwrap_or(false);
                Some(format!(
                    "`{name}`: \"{title}\"{}",
                    if restricted { ", restricted" } else { "" }
                ))
            })
            .collect();
        let Some(lines) = lines else {
            out.drop(&generator, src, "a permission has no plain `title`");
            continue;
        };
        let user = listed_request(
            out,
            &format!("{src}#permissions"),
            &[
                "Define the permissions of the {module} {kind}:\n{list}",
                "Write `{file}` with these permissions:\n{list}",
            ],
            ext,
            f.file_name(),
            &lines,
            "permissions",
        );
        let mut answer = format!(
            "`{}`:\n\n{}\n\nThe key is the machine name that routes (`_permission`) and code (`$account->hasPermission()`) check; `title` and `description` are what the Permissions page shows.",
            f.file_name(),
            fenced("yaml", &f.text),
        );
        if f.text.contains("restrict access: true") {
            answer.push_str(" `restrict access: true` adds a warning that the permission should only go to trusted roles.");
        }
        if !callbacks.is_empty() {
            answer.push_str(&format!(
                " `permission_callbacks` names {}, which returns further permissions built in code (one per bundle, for example).",
                list_of(&callbacks)
            ));
        }
        out.emit(&generator, "drupal-security", file, user, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_entries_say_their_title_route_and_place() {
        let links = mapping("entity.contact_form.collection:\n  title: 'Contact forms'\n  parent: system.admin_structure\n  route_name: entity.contact_form.collection\nnode.add_page:\n  route_name: entity.node.add_page\n  title: 'Add content'\n  appears_on:\n    - system.admin_content\n").unwrap();
        let lines: Vec<String> = links
            .iter()
            .map(|(id, e)| link_line(id, e).unwrap())
            .collect();
        assert_eq!(
            lines,
            [
                "\"Contact forms\" (`entity.contact_form.collection`: route `entity.contact_form.collection`, under `system.admin_structure`)",
                "\"Add content\" (`node.add_page`: route `entity.node.add_page`, on `system.admin_content`)"
            ]
        );
        assert_eq!(
            link_line("x", &serde_json::json!({"route_name": "a"})),
            None
        );
    }
}
