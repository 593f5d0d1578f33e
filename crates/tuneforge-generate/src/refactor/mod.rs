//! Refactor pairs: legacy code found in the corpus, rewritten mechanically into its Drupal
//! 11 form. The input may break the Drupal 11 rules by design; the output must re-parse
//! and pass them (no error, and the finding the refactor exists for gone), or the pair is
//! dropped with the reason.

mod ancestry;
mod extend;
mod hooks;
mod injection;
pub mod plugin_decl;
mod removed;

use std::collections::BTreeMap;

use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::rules::{Checker, Severity};

use crate::Emitter;
use crate::corpus::Corpus;
use crate::phrasing::fenced;

pub struct Kind {
    pub name: &'static str,
    pub run: fn(&Corpus, &Checker, &[Deprecation], &mut Emitter),
}

const VERSION: u32 = 1;

pub const KINDS: &[Kind] = &[
    Kind {
        name: "annotation",
        run: annotations,
    },
    Kind {
        name: "hook",
        run: hooks::run,
    },
    Kind {
        name: "injection",
        run: injection::run,
    },
    Kind {
        name: "removed-symbol",
        run: removed::run,
    },
];

/// `refactor:<kind>@<version>`.
pub fn generator(kind: &str) -> String {
    format!("refactor:{kind}@{VERSION}")
}

/// Check a rewritten file: it must parse, have no error finding, and have none of the
/// findings the refactor removes. The reason names the first problem.
pub fn verify(checker: &Checker, path: &str, output: &str, gone: &[&str]) -> Result<(), String> {
    for f in checker.check(path, output) {
        if f.severity == Severity::Error || gone.contains(&f.rule) {
            return Err(format!(
                "the rewritten code fails {} at line {}: {}",
                f.rule, f.line, f.message
            ));
        }
    }
    Ok(())
}

/// The `use` imports of a PHP file, as written (`Drupal\Core\Block\BlockBase`), with the
/// byte range of each statement's line.
fn use_lines(text: &str) -> Vec<(String, std::ops::Range<usize>)> {
    let mut out = Vec::new();
    let mut at = 0;
    for line in text.split_inclusive('\n') {
        let t = line.trim();
        if let Some(rest) = t.strip_prefix("use ")
            && let Some(name) = rest.strip_suffix(';')
            && !line.starts_with([' ', '\t'])
            && !name.contains('{')
        {
            out.push((
                name.trim().trim_start_matches('\\').to_owned(),
                at..at + line.len(),
            ));
        }
        if t.starts_with("class ")
            || t.starts_with("final class ")
            || t.starts_with("abstract class ")
        {
            break;
        }
        at += line.len();
    }
    out
}

/// Whether the file imports a class under the short name `name`.
pub(super) fn use_lines_imported(text: &str, name: &str) -> bool {
    use_lines(text)
        .iter()
        .any(|(import, _)| match import.split_once(" as ") {
            Some((_, alias)) => alias.trim() == name,
            None => short(import) == name,
        })
}

/// The fully qualified name a class name written in a PHP file stands for: through the
/// file's `use` imports (aliases included), else in the file's namespace.
pub(super) fn resolve_name(text: &str, name: &str) -> String {
    if let Some(absolute) = name.strip_prefix('\\') {
        return absolute.to_owned();
    }
    let (first, rest) = match name.split_once('\\') {
        Some((first, rest)) => (first, Some(rest)),
        None => (name, None),
    };
    let imported = use_lines(text).into_iter().find_map(|(import, _)| {
        let (path, alias) = match import.split_once(" as ") {
            Some((path, alias)) => (path.trim().to_owned(), alias.trim().to_owned()),
            None => (import.clone(), short(&import).to_owned()),
        };
        (alias == first).then_some(path)
    });
    let head = imported.unwrap_or_else(|| {
        let namespace = text
            .lines()
            .find_map(|l| l.strip_prefix("namespace ")?.strip_suffix(';'))
            .map(str::trim);
        match namespace {
            Some(ns) => format!("{ns}\\{first}"),
            None => first.to_owned(),
        }
    });
    match rest {
        Some(rest) => format!("{head}\\{rest}"),
        None => head,
    }
}

/// `text` with the imports in `remove` dropped and those in `add` inserted, each at its
/// sorted place among the file's `use` statements (others, grouped imports included, stay
/// as they are); a file without imports gets them after its namespace line, or after its
/// opening tag and file docblock.
pub fn edit_uses(text: &str, add: &[&str], remove: &[&str]) -> String {
    let mut out = text.to_owned();
    for (name, range) in use_lines(text).into_iter().rev() {
        if remove.contains(&name.as_str()) {
            out.replace_range(range, "");
        }
    }
    let mut wanted: Vec<&str> = add.iter().map(|a| a.trim_start_matches('\\')).collect();
    wanted.sort_by_key(|n| n.to_ascii_lowercase());
    wanted.dedup();
    for name in wanted {
        let present = use_lines(&out);
        if present
            .iter()
            .any(|(n, _)| n == name || n.starts_with(&format!("{name} as ")))
        {
            continue;
        }
        let line = format!("use {name};\n");
        let key = name.to_ascii_lowercase();
        if let Some((_, r)) = present.iter().find(|(n, _)| n.to_ascii_lowercase() > key) {
            out.insert_str(r.start, &line);
        } else if let Some((_, r)) = present.last() {
            out.insert_str(r.end, &line);
        } else {
            let at = import_position(&out);
            out.insert_str(at, &format!("\n{line}"));
        }
    }
    out
}

/// Where a file's first import goes: after the namespace line, else after the opening tag
/// and the file docblock.
fn import_position(text: &str) -> usize {
    let line_end = |from: usize| text[from..].find('\n').map_or(text.len(), |e| from + e + 1);
    if let Some(ns) = text.find("\nnamespace ") {
        return line_end(ns + 1);
    }
    let Some(open) = text.find("<?php") else {
        return 0;
    };
    let mut at = line_end(open);
    let rest = text[at..].trim_start_matches('\n');
    if rest.starts_with("/**") {
        let start = text.len() - rest.len();
        if let Some(close) = text[start..].find("*/") {
            at = line_end(start + close);
        }
    }
    at
}

/// The class's short name from a fully qualified one.
fn short(fqcn: &str) -> &str {
    fqcn.rsplit('\\').next().unwrap_or(fqcn)
}

/// The attribute class Drupal 11 has for an annotation class. Core moved them from
/// `…\Annotation\X` to `…\Attribute\X`; the few under `Drupal\Core\Annotation` went to
/// their subsystem's namespace.
pub fn attribute_class(annotation_fqcn: &str, plugin_type: &str) -> Option<String> {
    const CORE: &[(&str, &str)] = &[
        ("QueueWorker", "Drupal\\Core\\Queue\\Attribute\\QueueWorker"),
        ("Action", "Drupal\\Core\\Action\\Attribute\\Action"),
        ("Mail", "Drupal\\Core\\Mail\\Attribute\\Mail"),
        ("Block", "Drupal\\Core\\Block\\Attribute\\Block"),
        ("Condition", "Drupal\\Core\\Condition\\Attribute\\Condition"),
        (
            "FieldFormatter",
            "Drupal\\Core\\Field\\Attribute\\FieldFormatter",
        ),
        ("FieldWidget", "Drupal\\Core\\Field\\Attribute\\FieldWidget"),
        ("FieldType", "Drupal\\Core\\Field\\Attribute\\FieldType"),
        ("Filter", "Drupal\\filter\\Attribute\\Filter"),
        (
            "Constraint",
            "Drupal\\Core\\Validation\\Attribute\\Constraint",
        ),
        ("ViewsField", "Drupal\\views\\Attribute\\ViewsField"),
        ("ViewsFilter", "Drupal\\views\\Attribute\\ViewsFilter"),
        ("ViewsArgument", "Drupal\\views\\Attribute\\ViewsArgument"),
        ("ViewsSort", "Drupal\\views\\Attribute\\ViewsSort"),
        ("RestResource", "Drupal\\rest\\Attribute\\RestResource"),
        ("DataType", "Drupal\\Core\\TypedData\\Attribute\\DataType"),
        ("ImageEffect", "Drupal\\image\\Attribute\\ImageEffect"),
    ];
    if let Some((_, full)) = CORE.iter().find(|(t, _)| *t == plugin_type) {
        return Some((*full).to_owned());
    }
    annotation_fqcn
        .contains("\\Annotation\\")
        .then(|| annotation_fqcn.replacen("\\Annotation\\", "\\Attribute\\", 1))
}

/// The named arguments of the `#[<type>(…)]` attribute in `code` that the attribute class's
/// constructor does not take, when the sources declare the class; `None` when all are
/// taken or the class is not in the sources (PHP would reject an unknown named argument
/// when the plugin is discovered).
fn unknown_attribute_arguments(
    corpus: &Corpus,
    attribute: &str,
    plugin_type: &str,
    code: &str,
) -> Option<Vec<String>> {
    let params = corpus.attribute_parameters(attribute)?;
    let open = format!("#[{plugin_type}(");
    let start = code.find(&open)? + open.len();
    // The attribute ends at the `)]` that closes it, at the start of a line or after the
    // last argument.
    let end = code[start..].find(")]").map(|e| start + e)?;
    let mut unknown = Vec::new();
    let mut depth = 0i32;
    for line in code[start..end].lines() {
        let trimmed = line.trim_start();
        if depth == 0
            && let Some((name, _)) = trimmed.split_once(':')
        {
            let name = name.trim();
            if !name.is_empty()
                && name.chars().all(|c| c.is_alphanumeric() || c == '_')
                && !params.contains(&name)
            {
                unknown.push(name.to_owned());
            }
        }
        depth += line.matches(['[', '(']).count() as i32 - line.matches([']', ')']).count() as i32;
    }
    (!unknown.is_empty()).then_some(unknown)
}

/// The attribute class of a plugin type, as the sources declare it: the one class named
/// `…\Attribute\<type>`. Where the sources hold Drupal core, that is the only answer (an
/// attribute class core lacks does not exist); without core, core's known attribute
/// classes and the `Annotation` → `Attribute` namespace move are used.
fn resolve_attribute(
    corpus: &Corpus,
    attributes: &BTreeMap<&str, Vec<&str>>,
    annotation_fqcn: &str,
    plugin_type: &str,
) -> Option<String> {
    match attributes.get(plugin_type).map(Vec::as_slice) {
        Some([one]) => return Some((*one).to_owned()),
        Some(many) if !many.is_empty() => {
            // Several (a module's own and core's): the one whose root the annotation shares.
            let root = |f: &str| f.split('\\').take(2).collect::<Vec<_>>().join("\\");
            let own = root(annotation_fqcn);
            if let Some(found) = many.iter().find(|f| root(f) == own) {
                return Some((*found).to_owned());
            }
        }
        _ => {}
    }
    if corpus
        .class_file(tuneforge_php::class_index::CORE_SENTINEL)
        .is_some()
    {
        return None;
    }
    attribute_class(annotation_fqcn, plugin_type)
}

fn annotations(corpus: &Corpus, checker: &Checker, _: &[Deprecation], out: &mut Emitter) {
    let generator = generator("annotation");
    // Attribute classes the sources declare, by short name.
    let mut attributes: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (_, c) in corpus.classes() {
        if c.fqcn.contains("\\Attribute\\") {
            attributes
                .entry(c.name.as_str())
                .or_default()
                .push(c.fqcn.as_str());
        }
    }
    for (file, c) in corpus.classes() {
        let Some(p) = &c.plugin else { continue };
        if p.declared_by != "annotation" {
            continue;
        }
        let f = &corpus.files[file];
        let src = f.cite();
        if tuneforge_core::source_path::is_test_path(&f.rel) {
            out.drop(
                &generator,
                src,
                "test code (a fixture or test plugin) is not converted",
            );
            continue;
        }
        if c.fqcn.contains("\\Annotation\\") {
            out.drop(
                &generator,
                src,
                "an annotation class itself, not a plugin: it stays as it is",
            );
            continue;
        }
        let Some(attribute) =
            resolve_attribute(corpus, &attributes, &p.declared_with, &p.plugin_type)
        else {
            out.drop(
                &generator,
                src,
                format!(
                    "the sources declare no attribute class for @{}",
                    p.plugin_type
                ),
            );
            continue;
        };
        let output =
            match annotation_to_attribute(&f.text, &p.plugin_type, &p.declared_with, &attribute) {
                Ok(o) => o,
                Err(reason) => {
                    out.drop(&generator, src, reason);
                    continue;
                }
            };
        if let Err(reason) = verify(
            checker,
            &f.path,
            &output,
            &["plugin-annotation", "plugin-annotation-and-attribute"],
        ) {
            out.drop(&generator, src, reason);
            continue;
        }
        if let Some(unknown) =
            unknown_attribute_arguments(corpus, &attribute, &p.plugin_type, &output)
        {
            out.drop(
                &generator,
                src,
                format!(
                    "the annotation's {} not a parameter of {attribute}'s constructor",
                    if unknown.len() == 1 {
                        format!("key `{}` is", unknown[0])
                    } else {
                        format!(
                            "keys {} are",
                            unknown
                                .iter()
                                .map(|k| format!("`{k}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        )
                    }
                ),
            );
            continue;
        }
        let from_module = corpus
            .extension(file)
            .map(|e| format!(" from the {} module", e.name))
            .unwrap_or_default();
        let key = format!("{src}#annotation");
        let ask = out.pick(
            &key,
            &[
                "Convert this {kind} plugin{from_module} to Drupal 11: declare it with a PHP attribute instead of the docblock annotation.\n\n{code}",
                "Refactor for Drupal 11 (annotations for {kind} plugins are deprecated):\n\n{code}",
                "Update this plugin class to use PHP 8 attributes the way Drupal 11 expects.\n\n{code}",
            ],
        );
        let user = crate::phrasing::fill(
            ask,
            &[
                ("kind", &crate::templates::words(&p.plugin_type)),
                ("from_module", &from_module),
                ("code", &fenced("php", &f.text)),
            ],
        );
        let answer = format!(
            "{}\n\nThe `@{t}` annotation became the `#[{t}]` attribute from `{attribute}`: each `key = value` pair is now a named argument, `@Translation(\"…\")` is `new TranslatableMarkup('…')`, and `{{…}}` lists are PHP arrays. The imports follow: the attribute class and `TranslatableMarkup` in, the annotation classes out. The class body is unchanged.",
            fenced("php", &output),
            t = p.plugin_type
        );
        out.emit(&generator, "drupal-upgrade", file, user, answer);
    }
}

/// Rewrite a file's `@Type(…)` class annotation into a `#[Type(…)]` attribute.
pub fn annotation_to_attribute(
    text: &str,
    plugin_type: &str,
    annotation_fqcn: &str,
    attribute_fqcn: &str,
) -> Result<String, String> {
    let needle = format!("@{plugin_type}(");
    let at = text
        .find(&needle)
        .ok_or_else(|| format!("no {needle}…) in the file"))?;
    let doc_start = text[..at]
        .rfind("/**")
        .ok_or("the annotation is not in a docblock")?;
    let doc_end = text[at..]
        .find("*/")
        .map(|e| at + e + 2)
        .ok_or("an unclosed docblock")?;
    let open = at + needle.len() - 1;
    let close =
        plugin_decl::matching(text, open).ok_or("the annotation's parenthesis is never closed")?;
    if close > doc_end {
        return Err("the annotation runs past its docblock".to_owned());
    }
    let args = plugin_decl::parse_annotation_args(&text[open + 1..close])?;
    // The annotation's import may also name the parent class (`@Constraint` through
    // Symfony's `Constraint`, which the class extends): removing it would break the class.
    let imported_as = annotation_fqcn
        .rsplit('\\')
        .next()
        .unwrap_or(annotation_fqcn);
    let code_after = &text[doc_end..];
    let used = regex::Regex::new(&format!(
        r"\b(?:extends|implements|new|instanceof)\s+{n}\b|\b{n}::",
        n = regex::escape(imported_as)
    ))
    .expect("an escaped name makes a valid pattern");
    if used.is_match(code_after) {
        return Err(format!(
            "`{imported_as}` is both the annotation and a class the code uses; rewrite it by hand (alias one of them)"
        ));
    }
    // The docblock without the annotation's lines (and the blank ` *` line before them).
    let line_start = text[..at].rfind('\n').map_or(0, |n| n + 1);
    let line_end = text[close..]
        .find('\n')
        .map_or(text.len(), |n| close + n + 1);
    if line_start <= doc_start || line_end > doc_end {
        return Err(
            "the annotation shares a line with the docblock's opening or closing; not rewritten mechanically"
                .to_owned(),
        );
    }
    let mut head = text[doc_start..line_start].to_owned();
    while head.ends_with(" *\n") {
        head.truncate(head.len() - " *\n".len());
        if !head.ends_with('\n') {
            break;
        }
    }
    let tail = &text[line_end..doc_end];
    let docblock = format!("{head}{tail}");
    let docblock = if docblock
        .lines()
        .filter(|l| l.trim() != "*" && l.trim() != "/**" && l.trim() != "*/")
        .count()
        == 0
    {
        String::new()
    } else {
        format!("{docblock}\n")
    };
    let after = text[doc_end..].trim_start_matches(['\r', '\n']);
    let attribute = plugin_decl::render_attribute(plugin_type, &args);
    let rewritten = format!("{}{docblock}{attribute}\n{after}", &text[..doc_start]);
    let mut add = vec![attribute_fqcn];
    if args_use_translation(&args) {
        add.push("Drupal\\Core\\StringTranslation\\TranslatableMarkup");
    }
    Ok(edit_uses(
        &rewritten,
        &add,
        &["Drupal\\Core\\Annotation\\Translation", annotation_fqcn],
    ))
}

fn args_use_translation(args: &plugin_decl::Args) -> bool {
    fn has(v: &plugin_decl::Value) -> bool {
        match v {
            plugin_decl::Value::Translation { .. } => true,
            plugin_decl::Value::List(items) => items.iter().any(has),
            plugin_decl::Value::Map(pairs) => pairs.iter().any(|(_, v)| has(v)),
            _ => false,
        }
    }
    args.iter().any(|(_, v)| has(v))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LEGACY: &str = "<?php\n\nnamespace Drupal\\recipe_box\\Plugin\\Block;\n\nuse Drupal\\Core\\Annotation\\Translation;\nuse Drupal\\Core\\Block\\Annotation\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n\n/**\n * Shows the latest recipes.\n *\n * @Block(\n *   id = \"recipe_box_latest\",\n *   admin_label = @Translation(\"Latest recipes\")\n * )\n */\nclass LatestRecipesBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build() {\n    return ['#markup' => $this->t('Recipes')];\n  }\n\n}\n";

    #[test]
    fn an_annotated_block_becomes_an_attributed_one() {
        let out = annotation_to_attribute(
            LEGACY,
            "Block",
            "Drupal\\Core\\Block\\Annotation\\Block",
            "Drupal\\Core\\Block\\Attribute\\Block",
        )
        .unwrap();
        assert_eq!(
            out,
            "<?php\n\nnamespace Drupal\\recipe_box\\Plugin\\Block;\n\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\nuse Drupal\\Core\\StringTranslation\\TranslatableMarkup;\n\n/**\n * Shows the latest recipes.\n */\n#[Block(\n  id: 'recipe_box_latest',\n  admin_label: new TranslatableMarkup('Latest recipes'),\n)]\nclass LatestRecipesBlock extends BlockBase {\n\n  /**\n   * {@inheritdoc}\n   */\n  public function build() {\n    return ['#markup' => $this->t('Recipes')];\n  }\n\n}\n"
        );
        let checker = Checker::new(None, Default::default());
        verify(
            &checker,
            "x/LatestRecipesBlock.php",
            &out,
            &["plugin-annotation"],
        )
        .unwrap();
        assert!(
            verify(
                &checker,
                "x/LatestRecipesBlock.php",
                LEGACY,
                &["plugin-annotation"]
            )
            .is_err()
        );
    }

    #[test]
    fn attribute_classes_follow_core() {
        assert_eq!(
            attribute_class("Drupal\\Core\\Annotation\\QueueWorker", "QueueWorker").unwrap(),
            "Drupal\\Core\\Queue\\Attribute\\QueueWorker"
        );
        assert_eq!(
            attribute_class("Drupal\\my\\Annotation\\Widgetish", "Widgetish").unwrap(),
            "Drupal\\my\\Attribute\\Widgetish"
        );
        assert_eq!(attribute_class("Widgetish", "Widgetish"), None);
    }
}
