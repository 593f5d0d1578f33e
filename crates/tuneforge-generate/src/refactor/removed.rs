//! A call to a function Drupal 11 removed → the replacement its deprecation names, when the
//! deprecation message names one plain callable (`Use date_default_timezone_get() instead.`,
//! `Use \Drupal\Core\StringTranslation\ByteSizeMarkup::create() instead.`) taking the same
//! arguments. Anything longer ("… and, if necessary, an inline implementation") is not
//! mechanical and is listed as dropped.

use std::sync::LazyLock;

use regex::Regex;
use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::parse::{parse, text, visit};
use tuneforge_php::rules::Checker;

use super::{edit_uses, generator, short, verify};
use crate::Emitter;
use crate::corpus::Corpus;
use crate::phrasing::{fenced, fill};

static PLAIN_REPLACEMENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^Use (\\?[A-Za-z_][\w\\]*::\w+|\\Drupal::service\('[\w.]+'\)->\w+|\w+)\(\) instead\.?$",
    )
    .expect("a valid pattern")
});

/// What a call to a removed function becomes.
#[derive(Debug, Clone, PartialEq)]
enum Replacement {
    Function(String),
    /// `ByteSizeMarkup::create`, imported from the class.
    Static {
        class: String,
        method: String,
    },
    /// `\Drupal::service('id')->method`: fine in procedural code only.
    Service(String),
}

fn replacement(d: &Deprecation) -> Option<Replacement> {
    let caps = PLAIN_REPLACEMENT.captures(d.replacement.trim())?;
    let callable = caps.get(1)?.as_str();
    Some(if callable.starts_with("\\Drupal::service(") {
        Replacement::Service(callable.to_owned())
    } else if let Some((class, method)) = callable.split_once("::") {
        Replacement::Static {
            class: class.trim_start_matches('\\').to_owned(),
            method: method.to_owned(),
        }
    } else {
        Replacement::Function(callable.to_owned())
    })
}

/// The major version a record says the symbol is removed in (`11.0.0` → 11).
fn removed_major(d: &Deprecation) -> Option<u32> {
    d.removed_in.split('.').next()?.parse().ok()
}

/// The symbols the deprecation list says are gone by Drupal 11.
pub(super) fn removed_in_11(deprecations: &[Deprecation]) -> Vec<&Deprecation> {
    deprecations
        .iter()
        .filter(|d| {
            d.kind == "function" && d.symbol.is_some() && removed_major(d).is_some_and(|m| m <= 11)
        })
        .collect()
}

/// `text` with every call to a removed function replaced, and the records used; `None`
/// when it calls none. A replacement that is a service call lands inside a class only with
/// `service_in_class` (the caller then injects it).
pub(super) fn replace_removed<'d>(
    source: &str,
    removed: &[&'d Deprecation],
    service_in_class: bool,
) -> Result<Option<(String, Vec<&'d Deprecation>)>, String> {
    let tree = parse(source);
    let mut edits: Vec<(std::ops::Range<usize>, String)> = Vec::new();
    let mut used: Vec<&Deprecation> = Vec::new();
    let mut imports: Vec<String> = Vec::new();
    let mut problem: Option<String> = None;
    visit(tree.root_node(), &mut |n| {
        if n.kind() != "function_call_expression" {
            return true;
        }
        let Some(name) = n.child_by_field_name("function") else {
            return true;
        };
        let called = text(name, source).trim_start_matches('\\');
        let Some(d) = removed.iter().find(|d| d.symbol.as_deref() == Some(called)) else {
            return true;
        };
        let Some(r) = replacement(d) else {
            problem = Some(format!(
                "{called}(): the deprecation's replacement is not one plain call (\"{}\")",
                d.replacement
            ));
            return false;
        };
        let mut in_class = false;
        let mut p = n.parent();
        while let Some(node) = p {
            if node.kind() == "class_declaration" {
                in_class = true;
                break;
            }
            p = node.parent();
        }
        let new_name = match &r {
            Replacement::Function(fun) => fun.clone(),
            Replacement::Static { class, method } => {
                imports.push(class.clone());
                format!("{}::{method}", short(class))
            }
            Replacement::Service(call) if in_class && !service_in_class => {
                problem = Some(format!(
                    "{called}() is replaced by {call}(), a service the class should inject (see refactor:injection)"
                ));
                return false;
            }
            Replacement::Service(call) => call.clone(),
        };
        edits.push((name.byte_range(), new_name));
        if !used.iter().any(|u| u.symbol == d.symbol) {
            used.push(d);
        }
        true
    });
    if let Some(p) = problem {
        return Err(p);
    }
    if edits.is_empty() {
        return Ok(None);
    }
    let mut output = source.to_owned();
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    for (range, new) in edits {
        output.replace_range(range, &new);
    }
    if !imports.is_empty() {
        let add: Vec<&str> = imports.iter().map(String::as_str).collect();
        output = edit_uses(&output, &add, &[]);
    }
    Ok(Some((output, used)))
}

/// What a removal note says, one line per record.
pub(super) fn notes(used: &[&Deprecation]) -> String {
    used.iter()
        .map(|d| {
            let record = d
                .change_records
                .first()
                .map(|c| format!(" (change record: {c})"))
                .unwrap_or_default();
            format!(
                "- `{}()` was deprecated in drupal:{} and removed from drupal:{}. {}{record}",
                d.symbol.as_deref().unwrap_or(""),
                d.deprecated_in,
                d.removed_in,
                d.replacement.trim()
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

pub(super) fn run(
    corpus: &Corpus,
    checker: &Checker,
    deprecations: &[Deprecation],
    out: &mut Emitter,
) {
    let generator = generator("removed-symbol");
    let removed = removed_in_11(deprecations);
    if removed.is_empty() {
        return;
    }
    for (file, facts) in corpus.facts.iter().enumerate() {
        let Some(facts) = facts else { continue };
        if !facts
            .deprecated_uses
            .iter()
            .any(|u| u.rule == "removed-symbol")
        {
            continue;
        }
        let f = &corpus.files[file];
        let src = f.cite();
        // A class that also calls \Drupal:: and can take injection is rewritten whole, once,
        // by refactor:injection.
        let injectable = facts.php.as_ref().is_some_and(|p| {
            p.classes.iter().any(|c| {
                !c.drupal_calls.is_empty() && super::injection::applies(corpus, file, c).is_ok()
            })
        });
        if injectable {
            out.drop(
                &generator,
                src,
                "the class also calls \\Drupal::; refactor:injection rewrites it whole, removed functions included",
            );
            continue;
        }
        let (output, used) = match replace_removed(&f.text, &removed, false) {
            Ok(Some(done)) => done,
            Ok(None) => continue,
            Err(p) => {
                out.drop(&generator, src, p);
                continue;
            }
        };
        if let Err(reason) = verify(checker, &f.path, &output, &["removed-symbol"]) {
            out.drop(&generator, src, reason);
            continue;
        }
        let symbols: Vec<String> = used
            .iter()
            .filter_map(|d| d.symbol.as_ref())
            .map(|s| format!("`{s}()`"))
            .collect();
        let notes = notes(&used);
        let module = corpus
            .extension(file)
            .map(|e| e.name.as_str())
            .unwrap_or("a module");
        let key = format!("{src}#removed");
        let ask = out.pick(
            &key,
            &[
                "This code from {module} calls {symbols}, removed in Drupal 11. Update it.\n\n{code}",
                "Make {file} work on Drupal 11: it still uses {symbols}.\n\n{code}",
                "Upgrade this file for Drupal 11 by replacing the removed API calls.\n\n{code}",
            ],
        );
        let user = fill(
            ask,
            &[
                ("module", module),
                ("symbols", &crate::templates::list_of(&symbols)),
                ("file", f.file_name()),
                ("code", &fenced("php", &f.text)),
            ],
        );
        let answer = format!("{}\n\nWhat changed:\n{}", fenced("php", &output), notes);
        out.emit(&generator, "drupal-upgrade", file, user, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn record(symbol: &str, replacement: &str) -> Deprecation {
        Deprecation {
            source: "docblock".into(),
            file: "f".into(),
            line: 1,
            kind: "function".into(),
            symbol: Some(symbol.into()),
            deprecated_in: "10.2.0".into(),
            removed_in: "11.0.0".into(),
            replacement: replacement.into(),
            change_records: vec![],
            condition: None,
        }
    }

    #[test]
    fn only_plain_replacements_are_mechanical() {
        assert_eq!(
            replacement(&record(
                "format_size",
                "Use \\Drupal\\Core\\StringTranslation\\ByteSizeMarkup::create() instead."
            )),
            Some(Replacement::Static {
                class: "Drupal\\Core\\StringTranslation\\ByteSizeMarkup".into(),
                method: "create".into()
            })
        );
        assert_eq!(
            replacement(&record(
                "drupal_get_user_timezone",
                "Use date_default_timezone_get() instead."
            )),
            Some(Replacement::Function("date_default_timezone_get".into()))
        );
        assert_eq!(
            replacement(&record(
                "x",
                "Use \\Drupal::service('theme.registry')->reset() instead."
            )),
            Some(Replacement::Service(
                "\\Drupal::service('theme.registry')->reset".into()
            ))
        );
        assert_eq!(
            replacement(&record(
                "user_role_names",
                "Use \\Drupal\\user\\Entity\\Role::loadMultiple() and, if necessary, an inline implementation instead."
            )),
            None
        );
    }
}
