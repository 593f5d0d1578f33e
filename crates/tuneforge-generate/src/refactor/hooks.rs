//! Procedural hooks in a `.module` file → a class in `src/Hook/` with `#[Hook]` methods
//! (Drupal 11.1+). Each function's docblock, parameters and body move as written, one
//! indentation level deeper.

use tree_sitter::Node;
use tuneforge_php::deprecations::Deprecation;
use tuneforge_php::facts::{HookFact, PhpFacts};
use tuneforge_php::parse::{parse, text};
use tuneforge_php::rules::Checker;

use super::{generator, use_lines, verify};
use crate::Emitter;
use crate::corpus::{Corpus, SourceFile};
use crate::phrasing::{fenced, fill};

/// `form_alter` → `formAlter`; `event_calendar` → `EventCalendar` with `upper_first`.
pub(crate) fn camel(snake: &str, upper_first: bool) -> String {
    let mut out = String::new();
    for (i, part) in snake
        .split(['_', '.'])
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let mut chars = part.chars();
        if let Some(c) = chars.next() {
            if i == 0 && !upper_first {
                out.extend(c.to_lowercase());
            } else {
                out.extend(c.to_uppercase());
            }
            out.push_str(chars.as_str());
        }
    }
    out
}

/// Every line after the first indented by `by` spaces (blank lines left empty).
pub(crate) fn indent_rest(block: &str, by: usize) -> String {
    let pad = " ".repeat(by);
    let mut lines = block.lines();
    let mut out = lines.next().unwrap_or("").to_owned();
    for l in lines {
        out.push('\n');
        if !l.trim().is_empty() {
            out.push_str(&pad);
            out.push_str(l);
        }
    }
    out
}

struct Function<'t> {
    node: Node<'t>,
    doc: Option<Node<'t>>,
}

/// The file's top-level functions with the docblock just above each.
fn functions<'t>(root: Node<'t>) -> Vec<Function<'t>> {
    let mut out = Vec::new();
    let mut previous: Option<Node<'t>> = None;
    let mut cursor = root.walk();
    for child in root.named_children(&mut cursor) {
        if child.kind() == "function_definition" {
            let doc = previous.filter(|p| {
                p.kind() == "comment" && p.end_position().row + 1 >= child.start_position().row
            });
            out.push(Function { node: child, doc });
        }
        previous = Some(child);
    }
    out
}

/// Every `.module` file with procedural hooks that can move: a sample with their hook
/// class, or a dropped candidate with the reason it could not be made.
pub(super) fn run(
    corpus: &Corpus,
    checker: &Checker,
    deprecations: &[Deprecation],
    out: &mut Emitter,
) {
    let generator = generator("hook");
    let removed = super::removed::removed_in_11(deprecations);
    for (file, facts) in corpus.facts.iter().enumerate() {
        let Some(php) = facts.as_ref().and_then(|f| f.php.as_ref()) else {
            continue;
        };
        let f = &corpus.files[file];
        let Some((module, movable)) = movable_hooks(f, php) else {
            continue;
        };
        match hook_class(corpus, checker, &removed, f, &module, &movable) {
            Ok(moved) => {
                let (user, answer) = hook_sample(out, f, &module, &movable, &moved);
                out.emit(&generator, "drupal-hooks", file, user, answer);
            }
            Err(reason) => out.drop(&generator, f.cite(), reason),
        }
    }
}

/// Hooks core requires to stay procedural (HookCollectorPass throws otherwise).
const STAY: &[&str] = &[
    "install",
    "uninstall",
    "schema",
    "requirements",
    "module_preinstall",
    "module_preuninstall",
    "update_last_removed",
    "hook_info",
    "module_implements_alter",
    "install_tasks",
    "install_tasks_alter",
    "removed_post_updates",
];

/// The module of a `.module` file and the procedural hooks that can move to a class, each
/// with its hook name; `None` when there is nothing to move (not a `.module` file, a file
/// that does not parse, only hooks that must stay procedural). Only a module's `.module`
/// file: `.install` hooks stay procedural, and a theme's hooks are not collected from
/// `src/Hook/`.
fn movable_hooks<'f>(
    f: &SourceFile,
    php: &'f PhpFacts,
) -> Option<(String, Vec<(String, &'f HookFact)>)> {
    let hooks: Vec<_> = php
        .hooks
        .iter()
        .filter(|h| h.style == "procedural" && !h.legacy)
        .collect();
    if hooks.is_empty() || !php.syntax_errors.is_empty() {
        return None;
    }
    let module = f.file_name().split('.').next().map(str::to_owned)?;
    if !f.file_name().ends_with(".module") {
        return None;
    }
    // The hook is the function's name without the module prefix: a docblock saying
    // "Implements hook_form_FORM_ID_alter()" names the pattern, not the hook.
    let prefix = format!("{module}_");
    let movable: Vec<(String, &HookFact)> = hooks
        .into_iter()
        .filter_map(|h| {
            let hook = h.implementation.strip_prefix(&prefix)?.to_owned();
            (!STAY.contains(&hook.as_str())
                && !hook.starts_with("update_")
                && !hook.starts_with("post_update_"))
            .then_some((hook, h))
        })
        .collect();
    (!movable.is_empty()).then_some((module, movable))
}

/// A module's hooks as a class, ready to be a sample.
struct HookClass<'d> {
    class: String,
    /// The class file, verified against the rules.
    output: String,
    /// How many constructor parameters replaced `\Drupal::` calls.
    injected: usize,
    /// The removed functions replaced on the way.
    used: Vec<&'d Deprecation>,
}

/// The hooks of `f` moved into a class in `src/Hook/`: each function becomes a `#[Hook]`
/// method; functions Drupal 11 removed are replaced and `\Drupal::` calls injected, since
/// the class must run on Drupal 11; the result must pass the rules. The reason when not.
fn hook_class<'d>(
    corpus: &Corpus,
    checker: &Checker,
    removed: &[&'d Deprecation],
    f: &SourceFile,
    module: &str,
    movable: &[(String, &HookFact)],
) -> Result<HookClass<'d>, String> {
    let class = hook_class_name(corpus, module);
    let methods = hook_methods(&f.text, movable)?;
    let output = class_file(&f.text, module, &class, &methods);
    let (output, used) = match super::removed::replace_removed(&output, removed, true)? {
        Some((text, used)) => (text, used),
        None => (output, Vec::new()),
    };
    // Hook classes are autowired services: `\Drupal::` calls become constructor
    // parameters. When a service's type is unknown the calls stay, and the gate judges.
    let (output, injected) = match super::injection::rewrite(
        corpus,
        Some(module),
        &output,
        &class,
        &[],
        super::injection::Factory::None,
    ) {
        Ok((text, deps)) => (text, deps.len()),
        Err(_) => (output, 0),
    };
    let path = format!("src/Hook/{class}.php");
    verify(
        checker,
        &path,
        &output,
        &["procedural-hook", "removed-symbol"],
    )?;
    Ok(HookClass {
        class,
        output,
        injected,
        used,
    })
}

/// `<Module>Hooks`, or `<Module>ModuleHooks` when the module already has a class of that
/// name in `src/Hook/`.
fn hook_class_name(corpus: &Corpus, module: &str) -> String {
    let base = format!("{}Hooks", camel(module, true));
    let taken = |name: &str| {
        corpus
            .class_file(&format!("Drupal\\{module}\\Hook\\{name}"))
            .is_some()
    };
    if taken(&base) {
        format!("{}ModuleHooks", camel(module, true))
    } else {
        base
    }
}

/// One `#[Hook]` method per movable hook, in order; the reason names the first function
/// whose definition (or body) is not found.
fn hook_methods(source: &str, movable: &[(String, &HookFact)]) -> Result<Vec<String>, String> {
    let tree = parse(source);
    let defined = functions(tree.root_node());
    let imported: Vec<String> = use_lines(source)
        .into_iter()
        .map(|(n, _)| n.rsplit(['\\', ' ']).next().unwrap_or(&n).to_owned())
        .collect();
    movable
        .iter()
        .map(|(hook, h)| {
            defined
                .iter()
                .find(|fun| {
                    fun.node
                        .child_by_field_name("name")
                        .map(|n| text(n, source))
                        == Some(h.implementation.as_str())
                })
                .and_then(|func| hook_method(func, hook, source, &imported))
                .ok_or_else(|| format!("cannot find the definition of {}()", h.implementation))
        })
        .collect()
}

/// A function as a method: its docblock (or a generated one), parameters, return type and
/// body moved as written, one level deeper. Names of global classes resolve against the
/// new namespace, so they are qualified. `None` for a function without a body.
fn hook_method(
    func: &Function<'_>,
    hook: &str,
    source: &str,
    imported: &[String],
) -> Option<String> {
    let global = global_class_names(func.node, source, imported);
    let params = func
        .node
        .child_by_field_name("parameters")
        .map(|p| qualified(source, p.byte_range(), &global))
        .unwrap_or_else(|| "()".to_owned());
    let ret = func
        .node
        .child_by_field_name("return_type")
        .map(|r| format!(": {}", qualified(source, r.byte_range(), &global)))
        .unwrap_or_default();
    let body = func.node.child_by_field_name("body")?;
    let doc = func
        .doc
        .map(|d| format!("  {}\n", indent_rest(text(d, source), 2)))
        .unwrap_or_else(|| format!("  /**\n   * Implements hook_{hook}().\n   */\n"));
    Some(format!(
        "{doc}  #[Hook('{hook}')]\n  public function {}{params}{ret} {}",
        camel(hook, false),
        indent_rest(&qualified(source, body.byte_range(), &global), 2)
    ))
}

/// The class file: the module file's imports plus `Hook`, sorted, and the methods.
fn class_file(source: &str, module: &str, class: &str, methods: &[String]) -> String {
    let mut imports: Vec<String> = use_lines(source).into_iter().map(|(n, _)| n).collect();
    imports.push("Drupal\\Core\\Hook\\Attribute\\Hook".to_owned());
    imports.sort_by_key(|n| n.to_ascii_lowercase());
    imports.dedup();
    let uses: String = imports.iter().map(|n| format!("use {n};\n")).collect();
    format!(
        "<?php\n\nnamespace Drupal\\{module}\\Hook;\n\n{uses}\n/**\n * Hook implementations for the {module} module.\n */\nclass {class} {{\n\n{}\n\n}}\n",
        methods.join("\n\n")
    )
}

/// The request (phrased by the sample's key) and the answer: the class file, what moved
/// and what to do with the old functions, and what changed on the way.
fn hook_sample(
    out: &Emitter<'_>,
    f: &SourceFile,
    module: &str,
    movable: &[(String, &HookFact)],
    moved: &HookClass<'_>,
) -> (String, String) {
    let HookClass {
        class,
        output,
        injected,
        used,
    } = moved;
    let names: Vec<String> = movable
        .iter()
        .map(|(_, h)| format!("`{}()`", h.implementation))
        .collect();
    let key = format!("{}#hook", f.cite());
    let ask = out.pick(
        &key,
        &[
            "Move the procedural hook implementations in {file} to a Drupal 11 OOP hook class.\n\n{code}",
            "Drupal 11.1 supports object-oriented hooks. Convert {names} from {file} into #[Hook] methods.\n\n{code}",
            "Refactor these hooks of the {module} module into a class in src/Hook/:\n\n{code}",
        ],
    );
    let user = fill(
        ask,
        &[
            ("file", f.file_name()),
            ("names", &crate::templates::list_of(&names)),
            ("module", module),
            ("code", &fenced("php", &f.text)),
        ],
    );
    let answer = format!(
        "Create `src/Hook/{class}.php`:\n\n{}\n\nEach function became a method marked `#[Hook('…')]`, keeping its docblock, parameters and body. Classes in `src/Hook/` are registered as autowired services, so nothing else needs registering. Then delete {} from `{}`; a module that must still run on Drupal older than 11.1 keeps each function instead, marked `#[LegacyHook]`, calling the new method.",
        fenced("php", output),
        crate::templates::list_of(&names),
        f.file_name()
    );
    let answer = if *injected == 0 {
        answer
    } else {
        format!(
            "{answer}\n\nThe `\\Drupal::` calls of the functions became {injected} constructor parameters: the class is autowired, so the container passes the services in."
        )
    };
    let answer = if used.is_empty() {
        answer
    } else {
        format!(
            "{answer}\n\nCalls to functions Drupal 11 removed were replaced on the way:\n{}",
            super::removed::notes(used)
        )
    };
    (user, answer)
}

/// Scalar and special type names that are not classes.
const NOT_CLASSES: &[&str] = &[
    "array", "bool", "callable", "false", "float", "int", "iterable", "mixed", "never", "null",
    "object", "parent", "self", "static", "string", "true", "void",
];

/// Byte offsets of unqualified class names in a function of a file without a namespace
/// (so global classes) that the file does not import: `new Foo`, `Foo::x`, `catch (Foo`,
/// `instanceof Foo`, parameter and return types.
fn global_class_names(func: Node<'_>, source: &str, imported: &[String]) -> Vec<usize> {
    let mut out = Vec::new();
    let mut consider = |n: Node<'_>| {
        if n.kind() == "name" {
            let t = text(n, source);
            if !NOT_CLASSES.contains(&t.to_ascii_lowercase().as_str())
                && !imported.iter().any(|i| i == t)
            {
                out.push(n.start_byte());
            }
        }
    };
    tuneforge_php::parse::visit(func, &mut |n| {
        match n.kind() {
            "object_creation_expression" => {
                if let Some(c) = n.named_child(0) {
                    consider(c);
                }
            }
            "scoped_call_expression"
            | "class_constant_access_expression"
            | "scoped_property_access_expression" => {
                if let Some(c) = n.child_by_field_name("scope").or_else(|| n.named_child(0)) {
                    consider(c);
                }
            }
            "named_type" => {
                if let Some(c) = n.named_child(0) {
                    consider(c);
                }
            }
            "binary_expression" => {
                if n.child_by_field_name("operator")
                    .is_some_and(|o| text(o, source) == "instanceof")
                    && let Some(c) = n.child_by_field_name("right")
                {
                    consider(c);
                }
            }
            _ => {}
        }
        true
    });
    out.sort_unstable();
    out.dedup();
    out
}

/// The text of `range` with `\` put before each offset of `at` inside it.
fn qualified(source: &str, range: std::ops::Range<usize>, at: &[usize]) -> String {
    let mut out = String::with_capacity(range.len() + at.len());
    let mut last = range.start;
    for &i in at.iter().filter(|&&i| i >= range.start && i < range.end) {
        out.push_str(&source[last..i]);
        out.push('\\');
        last = i;
    }
    out.push_str(&source[last..range.end]);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn global_classes_are_qualified_in_the_new_namespace() {
        let source = "<?php\nuse Drupal\\node\\NodeInterface;\nfunction m_x(NodeInterface $n, ArrayObject $a): ?stdClass {\n  try { $o = new stdClass(); DateTime::createFromFormat('Y', '1'); } catch (Exception $e) {}\n  return $a instanceof Countable ? NULL : $o;\n}\n";
        let tree = parse(source);
        let func = functions(tree.root_node()).remove(0).node;
        let at = global_class_names(func, source, &["NodeInterface".to_owned()]);
        assert_eq!(
            qualified(source, func.byte_range(), &at),
            "function m_x(NodeInterface $n, \\ArrayObject $a): ?\\stdClass {\n  try { $o = new \\stdClass(); \\DateTime::createFromFormat('Y', '1'); } catch (\\Exception $e) {}\n  return $a instanceof \\Countable ? NULL : $o;\n}"
        );
    }

    #[test]
    fn names_and_indentation() {
        assert_eq!(camel("form_alter", false), "formAlter");
        assert_eq!(camel("event_calendar", true), "EventCalendar");
        assert_eq!(
            indent_rest("{\n  a();\n\n  b();\n}", 2),
            "{\n    a();\n\n    b();\n  }"
        );
    }
}
