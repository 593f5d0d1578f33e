//! The facts of one PHP file: namespace, classes, plugins (by attribute or annotation),
//! hooks (procedural and `#[Hook]`), `\Drupal::` calls inside classes, and the services a
//! class takes by injection (`create()` and its constructor).
//!
//! Names are resolved through the file's `use` imports, so `#[Block(…)]` under
//! `use Drupal\Core\Block\Attribute\Block;` is known as that class. A plugin is a class
//! attribute from an `…\Attribute\…` namespace (or a docblock annotation from an
//! `…\Annotation\…` one, or either with an `id`); its type is the attribute's short name.

use std::collections::BTreeMap;

use serde::Serialize;
use tree_sitter::Node;

use crate::annotation::{Annotation, parse_annotations};
use crate::parse::{
    Position, children_of_kind, parse, string_value, syntax_errors, text, use_clause, visit,
};

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PhpFacts {
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub syntax_errors: Vec<Position>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub namespace: Option<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub strict_types: bool,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub classes: Vec<ClassFacts>,
    /// Top-level functions.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub functions: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub hooks: Vec<HookFact>,
    /// Names made by `class_alias('Original', 'Alias')` (a backwards-compatibility layer
    /// such as `Drupal\Core\Serialization\Yaml`): they exist at run time.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub class_aliases: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ClassFacts {
    pub name: String,
    /// Fully qualified, without the leading `\`.
    pub fqcn: String,
    /// `class`, `interface`, `trait` or `enum`.
    pub kind: &'static str,
    pub line: usize,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub extends: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub implements: Vec<String>,
    /// Attributes on the class, fully qualified.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub attributes: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plugin: Option<PluginFact>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub drupal_calls: Vec<DrupalCall>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub injected: Vec<Injected>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// What each method does, as far as its signature, docblock and body show.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub method_outlines: Vec<MethodOutline>,
    /// The docblock's first paragraph (its summary), annotations left out.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// The text of the docblock's `@deprecated` tag ("in drupal:11.3.0 and is removed from
    /// drupal:13.0.0. Use …"), or empty when the tag has none: the class is on its way out
    /// and makes no example.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub deprecated: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PluginFact {
    /// The attribute's or annotation's short name: `Block`, `FieldFormatter`, ….
    #[serde(rename = "type")]
    pub plugin_type: String,
    /// Its fully qualified class, when imported.
    pub declared_with: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub label: Option<String>,
    /// `attribute` or `annotation`.
    pub declared_by: &'static str,
    /// Both forms are present (a class mid-migration).
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub also_annotated: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HookFact {
    /// `form_alter`, `help`, ….
    pub hook: String,
    /// `procedural` (a `<module>_<hook>()` function) or `attribute` (`#[Hook]`).
    pub style: &'static str,
    /// The function, or `Class::method`.
    pub implementation: String,
    pub line: usize,
    /// A procedural function marked `#[LegacyHook]`: the backwards-compatible twin of an
    /// OOP hook (Drupal 11.1+), kept for older cores.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub legacy: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DrupalCall {
    /// `service`, `entityTypeManager`, `messenger`, ….
    pub method: String,
    /// The service id of `\Drupal::service('id')`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    pub line: usize,
    pub column: usize,
    /// The enclosing method is static, so injection does not reach it.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub in_static_method: bool,
}

/// One method as an explanation walks through it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct MethodOutline {
    pub name: String,
    /// `public`, `protected` or `private` (`public` when unstated).
    pub visibility: &'static str,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub is_static: bool,
    /// Its parameters' names, with `$`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub params: Vec<String>,
    /// The declared return type, as written.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub returns: Option<String>,
    /// Its docblock's summary.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary: Option<String>,
    /// Its docblock is `{@inheritdoc}`: the contract is documented on a parent or interface.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub inherits_doc: bool,
    /// Calls on the object's dependencies, `property->method` (`entityTypeManager->getStorage`),
    /// each once, in order.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub uses: Vec<String>,
    /// What the body touches, each once: `cache metadata` (`#cache`, cacheability
    /// objects), `access result`, `entity query` (with or without `accessCheck`),
    /// `translation` (`t()`), `render array`, `event dispatch`, `exception`, `redirect`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub touches: Vec<&'static str>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Injected {
    /// `create` (`$container->get('id')`) or `constructor` (a typed parameter).
    pub via: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub service: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub type_name: Option<String>,
}

/// "Implements hook_x()." says which hook, not what the method does: the paragraph after
/// it, when the docblock has one (and it is short), joins it.
fn hook_summary(summary: String, doc: Option<&str>) -> String {
    const LONGEST: usize = 300;
    if !summary.starts_with("Implements ") {
        return summary;
    }
    let Some(description) = doc
        .and_then(crate::annotation::description)
        .filter(|d| d.len() <= LONGEST)
    else {
        return summary;
    };
    let mut chars = description.chars();
    let first = chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect::<String>())
        .unwrap_or_default();
    format!("{}: {first}", summary.trim_end_matches('.'))
}

/// What the file's `use` imports and namespace make of names.
struct Names {
    namespace: Option<String>,
    imports: BTreeMap<String, String>,
}

impl Names {
    /// A class name as written, fully qualified, without the leading `\`.
    fn resolve(&self, name: &str) -> String {
        if let Some(abs) = name.strip_prefix('\\') {
            return abs.to_owned();
        }
        let (first, rest) = match name.split_once('\\') {
            Some((f, r)) => (f, Some(r)),
            None => (name, None),
        };
        if let Some(full) = self.imports.get(first) {
            return match rest {
                Some(r) => format!("{full}\\{r}"),
                None => full.clone(),
            };
        }
        match &self.namespace {
            Some(ns) => format!("{ns}\\{name}"),
            None => name.to_owned(),
        }
    }
}

fn short(name: &str) -> &str {
    name.rsplit('\\').next().unwrap_or(name)
}

/// Analyze one PHP file. `module` is the machine name procedural hooks are prefixed with
/// (the file name's first part for `.module`, `.install`, `.theme`, `.inc` files).
pub fn php_facts(source: &str, module: Option<&str>) -> PhpFacts {
    php_facts_of(&parse(source), source, module)
}

/// [`php_facts`] of an already parsed tree.
pub fn php_facts_of(tree: &tree_sitter::Tree, source: &str, module: Option<&str>) -> PhpFacts {
    let root = tree.root_node();
    let (names, strict_types) = file_header(root, source);
    let mut classes = Vec::new();
    let mut functions = Vec::new();
    let mut hooks = Vec::new();
    let mut previous_comment: Option<Node<'_>> = None;
    visit(root, &mut |n| {
        match n.kind() {
            "comment" => {
                previous_comment = Some(n);
                return false;
            }
            "class_declaration"
            | "interface_declaration"
            | "trait_declaration"
            | "enum_declaration" => {
                let doc = previous_comment.take().map(|c| text(c, source));
                classes.push(class_facts(n, source, &names, doc, &mut hooks));
                return false;
            }
            "function_definition" => {
                let doc = previous_comment.take().map(|c| text(c, source));
                if let Some(name) = n.child_by_field_name("name").map(|x| text(x, source)) {
                    functions.push(name.to_owned());
                    if let Some(hook) = procedural_hook(name, doc, module) {
                        let legacy = n
                            .child_by_field_name("attributes")
                            .is_some_and(|a| text(a, source).contains("LegacyHook"));
                        hooks.push(HookFact {
                            hook,
                            style: "procedural",
                            implementation: name.to_owned(),
                            line: Position::of(n).line,
                            legacy,
                        });
                    }
                }
                return false;
            }
            "program" | "namespace_definition" | "compound_statement" => return true,
            _ => {}
        }
        if n.kind() != "namespace_use_declaration" && n.kind() != "php_tag" {
            previous_comment = None;
        }
        false
    });
    PhpFacts {
        syntax_errors: syntax_errors(tree, source),
        namespace: names.namespace,
        strict_types,
        classes,
        functions,
        hooks,
        class_aliases: class_aliases(source),
    }
}

/// The aliases a file declares with literal `class_alias()` calls.
fn class_aliases(source: &str) -> Vec<String> {
    static ALIAS: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"\bclass_alias\(\s*['"][^'"]+['"]\s*,\s*['"]\\?([A-Za-z_][A-Za-z0-9_\\]*)['"]"#,
        )
        .expect("the class_alias pattern compiles")
    });
    if !source.contains("class_alias") {
        return Vec::new();
    }
    ALIAS
        .captures_iter(source)
        .map(|c| c[1].replace("\\\\", "\\"))
        .collect()
}

/// The file's namespace and `use` imports (which resolve its names) and whether it
/// declares `strict_types=1`, read from the top level and namespace blocks only: PHP
/// allows them nowhere else, and function bodies are not walked.
fn file_header(root: Node<'_>, source: &str) -> (Names, bool) {
    let mut names = Names {
        namespace: None,
        imports: BTreeMap::new(),
    };
    let mut strict_types = false;
    visit(root, &mut |n| match n.kind() {
        "namespace_definition" => {
            if let Some(name) = n.child_by_field_name("name") {
                names.namespace = Some(text(name, source).to_owned());
            }
            true
        }
        "namespace_use_clause" => {
            if let Some((key, full)) = use_clause(n, source) {
                names.imports.insert(key, full);
            }
            false
        }
        "declare_statement" => {
            strict_types |= text(n, source).replace(' ', "").contains("strict_types=1");
            false
        }
        "program" | "namespace_use_declaration" | "namespace_use_group" | "compound_statement" => {
            true
        }
        _ => false,
    });
    (names, strict_types)
}

/// A procedural hook: documented as `Implements hook_x().`, or in a `.install` file one of
/// the hooks that live there.
fn procedural_hook(name: &str, doc: Option<&str>, module: Option<&str>) -> Option<String> {
    if let Some(doc) = doc
        && let Some(at) = doc.find("Implements hook_")
    {
        let rest = &doc[at + "Implements hook_".len()..];
        let hook: String = rest
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_')
            .collect();
        if !hook.is_empty() {
            return Some(hook);
        }
    }
    let module = module?;
    let suffix = name.strip_prefix(module)?.strip_prefix('_')?;
    let install_hooks = ["install", "uninstall", "schema", "requirements"];
    (install_hooks.contains(&suffix)
        || suffix
            .strip_prefix("update_")
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit())))
    .then(|| suffix.to_owned())
}

/// An attribute's fully qualified name and its arguments (`name: value` or positional).
struct Attribute<'t> {
    name: String,
    args: Vec<(Option<String>, Node<'t>)>,
    line: usize,
}

fn attributes<'t>(node: Node<'t>, source: &str, names: &Names) -> Vec<Attribute<'t>> {
    let Some(list) = node.child_by_field_name("attributes") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    visit(list, &mut |n| {
        if n.kind() != "attribute" {
            return true;
        }
        let name = n
            .named_child(0)
            .map(|c| names.resolve(text(c, source)))
            .unwrap_or_default();
        let mut args = Vec::new();
        if let Some(params) = n.child_by_field_name("parameters") {
            for arg in children_of_kind(params, "argument") {
                let key = arg
                    .child_by_field_name("name")
                    .map(|k| text(k, source).to_owned());
                let value = arg.named_child((arg.named_child_count() as u32).saturating_sub(1));
                if let Some(v) = value {
                    args.push((key, v));
                }
            }
        }
        out.push(Attribute {
            name,
            args,
            line: Position::of(n).line,
        });
        false
    });
    out
}

/// The first string inside a node: `'x'`, or `new TranslatableMarkup('x')`, or `t('x')`.
fn first_string(node: Node<'_>, source: &str) -> Option<String> {
    let mut found = None;
    visit(node, &mut |n| {
        if found.is_some() {
            return false;
        }
        if let Some(s) = string_value(n, source) {
            found = Some(s);
            return false;
        }
        true
    });
    found
}

fn arg<'t>(attr: &Attribute<'t>, key: &str, position: usize) -> Option<Node<'t>> {
    attr.args
        .iter()
        .find(|(k, _)| k.as_deref() == Some(key))
        .or_else(|| attr.args.iter().filter(|(k, _)| k.is_none()).nth(position))
        .map(|(_, v)| *v)
}

fn is_hook_attribute(name: &str) -> bool {
    name == "Drupal\\Core\\Hook\\Attribute\\Hook" || name == "Hook" || name.ends_with("\\Hook")
}

/// The facts of one class-like declaration. Hooks it implements by attribute go to
/// `hooks`, the file's list, since a hook belongs to the module, not the class.
fn class_facts(
    node: Node<'_>,
    source: &str,
    names: &Names,
    doc: Option<&str>,
    hooks: &mut Vec<HookFact>,
) -> ClassFacts {
    let name = node
        .child_by_field_name("name")
        .map(|n| text(n, source).to_owned())
        .unwrap_or_default();
    let fqcn = names.resolve(&name);
    let kind = match node.kind() {
        "interface_declaration" => "interface",
        "trait_declaration" => "trait",
        "enum_declaration" => "enum",
        _ => "class",
    };
    let (extends, implements) = supertypes(node, source, names);
    let attrs = attributes(node, source, names);
    let annotations: Vec<Annotation> = doc.map(parse_annotations).unwrap_or_default();
    let plugin = plugin_of(&attrs, &annotations, source, names);
    class_hooks(&name, &attrs, source, hooks);
    let members = node
        .child_by_field_name("body")
        .map(|body| members(body, &name, source, names, hooks))
        .unwrap_or_default();
    ClassFacts {
        name,
        fqcn,
        kind,
        line: Position::of(node).line,
        extends,
        implements,
        attributes: attrs.iter().map(|a| a.name.clone()).collect(),
        plugin,
        drupal_calls: members.drupal_calls,
        injected: members.injected,
        methods: members.methods,
        method_outlines: members.outlines,
        summary: doc.and_then(crate::annotation::summary),
        deprecated: doc.and_then(crate::annotation::deprecated),
    }
}

/// The class a declaration extends and the interfaces it implements, resolved.
fn supertypes(node: Node<'_>, source: &str, names: &Names) -> (Option<String>, Vec<String>) {
    let mut extends = None;
    let mut implements = Vec::new();
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        match child.kind() {
            "base_clause" => {
                extends = child.named_child(0).map(|c| names.resolve(text(c, source)));
            }
            "class_interface_clause" => {
                let mut c2 = child.walk();
                implements.extend(
                    child
                        .named_children(&mut c2)
                        .map(|c| names.resolve(text(c, source))),
                );
            }
            _ => {}
        }
    }
    (extends, implements)
}

/// The plugin a class declares: by an attribute (which wins, noting an annotation left
/// beside it), else by a docblock annotation.
fn plugin_of(
    attrs: &[Attribute<'_>],
    annotations: &[Annotation],
    source: &str,
    names: &Names,
) -> Option<PluginFact> {
    // Drupal's plugin attributes live in `Drupal\…\Attribute\`; Symfony's (`#[Route]`,
    // `#[AsEventListener]`) declare no plugin.
    let plugin_attr = attrs.iter().find(|a| {
        !is_hook_attribute(&a.name)
            && !a.name.starts_with("Symfony\\")
            && ((a.name.starts_with("Drupal\\") && a.name.contains("\\Attribute\\"))
                || arg(a, "id", 99).is_some())
    });
    // Drupal's annotation classes; Doctrine's own (`@Target`, `@Attributes`) describe
    // annotation classes, not plugins.
    let plugin_annotation = annotations.iter().find(|a| {
        let full = names.resolve(&a.name);
        !full.starts_with("Doctrine\\")
            && (full.contains("\\Annotation\\") || a.values.contains_key("id"))
    });
    match (plugin_attr, plugin_annotation) {
        (Some(a), annotated) => Some(PluginFact {
            plugin_type: short(&a.name).to_owned(),
            declared_with: a.name.clone(),
            id: arg(a, "id", 0).and_then(|v| first_string(v, source)),
            label: arg(a, "admin_label", 99)
                .or_else(|| arg(a, "label", 99))
                .and_then(|v| first_string(v, source)),
            declared_by: "attribute",
            also_annotated: annotated.is_some(),
        }),
        (None, Some(an)) => Some(PluginFact {
            plugin_type: short(&an.name).to_owned(),
            declared_with: names.resolve(&an.name),
            id: an.values.get("id").cloned(),
            label: an
                .values
                .get("admin_label")
                .or_else(|| an.values.get("label"))
                .cloned(),
            declared_by: "annotation",
            also_annotated: false,
        }),
        (None, None) => None,
    }
}

/// Hooks declared on the class itself: `#[Hook('x', method: 'y')]`, `__invoke` when no
/// method is named.
fn class_hooks(class: &str, attrs: &[Attribute<'_>], source: &str, hooks: &mut Vec<HookFact>) {
    for a in attrs.iter().filter(|a| is_hook_attribute(&a.name)) {
        if let Some(hook) = arg(a, "hook", 0).and_then(|v| first_string(v, source)) {
            let method = arg(a, "method", 99)
                .and_then(|v| first_string(v, source))
                .unwrap_or_else(|| "__invoke".to_owned());
            hooks.push(HookFact {
                hook,
                style: "attribute",
                implementation: format!("{class}::{method}"),
                line: a.line,
                legacy: false,
            });
        }
    }
}

/// What a class body's methods say: their names, `\Drupal::` calls and injected
/// services, in source order.
#[derive(Default)]
struct Members {
    methods: Vec<String>,
    outlines: Vec<MethodOutline>,
    drupal_calls: Vec<DrupalCall>,
    injected: Vec<Injected>,
}

/// Every method of a class body: its `#[Hook]` attributes (into `hooks`), the services
/// its constructor takes, and the calls in its body.
fn members(
    body: Node<'_>,
    class: &str,
    source: &str,
    names: &Names,
    hooks: &mut Vec<HookFact>,
) -> Members {
    let mut out = Members::default();
    let mut docs: Vec<(usize, &str)> = Vec::new();
    let mut last_comment: Option<&str> = None;
    let mut cursor = body.walk();
    for child in body.named_children(&mut cursor) {
        match child.kind() {
            "comment" => last_comment = Some(text(child, source)),
            "method_declaration" => {
                if let Some(doc) = last_comment.take().filter(|d| d.starts_with("/**")) {
                    docs.push((child.start_byte(), doc));
                }
            }
            // Attributes sit between a docblock and its method, inside the declaration.
            _ => last_comment = None,
        }
    }
    for method in children_of_kind(body, "method_declaration") {
        let doc = docs
            .iter()
            .find(|(at, _)| *at == method.start_byte())
            .map(|(_, d)| *d);
        out.outlines.push(method_outline(method, doc, source));
        let mname = method
            .child_by_field_name("name")
            .map(|n| text(n, source).to_owned())
            .unwrap_or_default();
        for a in attributes(method, source, names)
            .iter()
            .filter(|a| is_hook_attribute(&a.name))
        {
            if let Some(hook) = arg(a, "hook", 0).and_then(|v| first_string(v, source)) {
                hooks.push(HookFact {
                    hook,
                    style: "attribute",
                    implementation: format!("{class}::{mname}"),
                    line: a.line,
                    legacy: false,
                });
            }
        }
        if mname == "__construct" {
            constructor_injection(method, source, names, &mut out.injected);
        }
        if let Some(mbody) = method.child_by_field_name("body") {
            let is_static = children_of_kind(method, "static_modifier").len() == 1;
            method_calls(mbody, &mname, is_static, source, &mut out);
        }
        out.methods.push(mname);
    }
    out
}

/// What one method declares and what its body touches.
fn method_outline(method: Node<'_>, doc: Option<&str>, source: &str) -> MethodOutline {
    let name = method
        .child_by_field_name("name")
        .map(|n| text(n, source).to_owned())
        .unwrap_or_default();
    let visibility = children_of_kind(method, "visibility_modifier")
        .first()
        .map(|v| match text(*v, source) {
            "private" => "private",
            "protected" => "protected",
            _ => "public",
        })
        .unwrap_or("public");
    let is_static = !children_of_kind(method, "static_modifier").is_empty();
    let params = method
        .child_by_field_name("parameters")
        .map(|ps| {
            let mut c = ps.walk();
            ps.named_children(&mut c)
                .filter_map(|p| p.child_by_field_name("name"))
                .map(|n| text(n, source).to_owned())
                .collect()
        })
        .unwrap_or_default();
    let returns = method
        .child_by_field_name("return_type")
        .map(|r| text(r, source).trim_start_matches(':').trim().to_owned());
    let inherits_doc = doc.is_some_and(|d| d.to_ascii_lowercase().contains("{@inheritdoc}"));
    let summary = doc
        .and_then(crate::annotation::summary)
        .filter(|s| !s.to_ascii_lowercase().contains("inheritdoc"))
        .map(|s| hook_summary(s, doc));
    let mut uses: Vec<String> = Vec::new();
    let mut touches: Vec<&'static str> = Vec::new();
    let mut touch = |t: &'static str| {
        if !touches.contains(&t) {
            touches.push(t);
        }
    };
    if let Some(body) = method.child_by_field_name("body") {
        let code = text(body, source);
        if code.contains("'#cache'")
            || code.contains("\"#cache\"")
            || code.contains("CacheableMetadata")
            || code.contains("addCacheableDependency")
            || code.contains("Cache::merge")
        {
            touch("cache metadata");
        }
        if code.contains("AccessResult::") {
            touch("access result");
        }
        if code.contains("->getQuery(") || code.contains("entityQuery(") {
            touch(if code.contains("->accessCheck(") {
                "entity query (access checked)"
            } else {
                "entity query"
            });
        }
        if code.contains("->t(") || code.contains("new TranslatableMarkup(") {
            touch("translation");
        }
        if code.contains("'#type'") || code.contains("'#theme'") || code.contains("'#markup'") {
            touch("render array");
        }
        if code.contains("->dispatch(") {
            touch("event dispatch");
        }
        if code.contains("throw new ") {
            touch("exception");
        }
        if code.contains("RedirectResponse") || code.contains("->setRedirect") {
            touch("redirect");
        }
        visit(body, &mut |n| {
            if n.kind() == "member_call_expression" {
                let object = n.child_by_field_name("object");
                let prop = object
                    .filter(|o| o.kind() == "member_access_expression")
                    .filter(|o| {
                        o.child_by_field_name("object")
                            .is_some_and(|v| text(v, source) == "$this")
                    })
                    .and_then(|o| o.child_by_field_name("name"))
                    .map(|p| text(p, source));
                let call = n.child_by_field_name("name").map(|m| text(m, source));
                if let (Some(prop), Some(call)) = (prop, call) {
                    let used = format!("{prop}->{call}");
                    if !uses.contains(&used) {
                        uses.push(used);
                    }
                }
            }
            true
        });
    }
    MethodOutline {
        name,
        visibility,
        is_static,
        params,
        returns,
        summary,
        inherits_doc,
        uses,
        touches,
    }
}

/// A constructor's class-typed parameters: the services an autowired or `create()`-built
/// class receives. Scalars and arrays are configuration, not services.
fn constructor_injection(
    method: Node<'_>,
    source: &str,
    names: &Names,
    injected: &mut Vec<Injected>,
) {
    let Some(params) = method.child_by_field_name("parameters") else {
        return;
    };
    let mut c = params.walk();
    for p in params.named_children(&mut c) {
        let ty = p.child_by_field_name("type");
        if let Some(ty) = ty.filter(|t| t.kind() != "primitive_type") {
            let t = text(ty, source).trim_start_matches('?');
            if !matches!(t, "array" | "string" | "int" | "bool" | "float" | "mixed") {
                injected.push(Injected {
                    via: "constructor",
                    service: None,
                    type_name: Some(names.resolve(t)),
                });
            }
        }
    }
}

/// The calls in a method body that matter for injection: `\Drupal::` calls (the global
/// container), and in `create()` the services taken with `$container->get('id')`.
fn method_calls(body: Node<'_>, method: &str, is_static: bool, source: &str, out: &mut Members) {
    visit(body, &mut |n| {
        match n.kind() {
            "scoped_call_expression" => {
                let scope = n.child_by_field_name("scope").map(|s| text(s, source));
                if matches!(scope, Some("\\Drupal" | "Drupal")) {
                    let call = n
                        .child_by_field_name("name")
                        .map(|m| text(m, source).to_owned())
                        .unwrap_or_default();
                    let service = (call == "service")
                        .then(|| {
                            n.child_by_field_name("arguments")
                                .and_then(|a| first_string(a, source))
                        })
                        .flatten();
                    out.drupal_calls.push(DrupalCall {
                        method: call,
                        service,
                        line: Position::of(n).line,
                        column: Position::of(n).column,
                        in_static_method: is_static,
                    });
                }
            }
            "member_call_expression" if method == "create" => {
                let object = n.child_by_field_name("object").map(|o| text(o, source));
                let call = n.child_by_field_name("name").map(|m| text(m, source));
                if object == Some("$container") && call == Some("get") {
                    out.injected.push(Injected {
                        via: "create",
                        service: n
                            .child_by_field_name("arguments")
                            .and_then(|a| first_string(a, source)),
                        type_name: None,
                    });
                }
            }
            _ => {}
        }
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const BLOCK: &str = r#"<?php

declare(strict_types=1);

namespace Drupal\demo\Plugin\Block;

use Drupal\Core\Block\Attribute\Block;
use Drupal\Core\Block\BlockBase;
use Drupal\Core\StringTranslation\TranslatableMarkup;
use Drupal\Core\Hook\Attribute\Hook;

/**
 * Provides a greeting.
 */
#[Block(
  id: 'demo_greeting',
  admin_label: new TranslatableMarkup('Greeting'),
)]
final class Greeting extends BlockBase implements ContainerFactoryPluginInterface {

  public function __construct(array $configuration, private readonly EntityTypeManagerInterface $etm, ?LoggerInterface $logger) {
  }

  public static function create(ContainerInterface $container, array $configuration) {
    return new static($configuration, $container->get('entity_type.manager'), $container->get('logger.factory'));
  }

  #[Hook('form_alter')]
  public function formAlter(array &$form): void {
    $x = \Drupal::service('renderer');
    \Drupal::messenger()->addStatus('x');
  }
}
"#;

    #[test]
    fn an_attribute_plugin_with_injection_and_drupal_calls() {
        let f = php_facts(BLOCK, None);
        assert!(f.syntax_errors.is_empty());
        assert!(f.strict_types);
        assert_eq!(f.namespace.as_deref(), Some("Drupal\\demo\\Plugin\\Block"));
        let c = &f.classes[0];
        assert_eq!(c.fqcn, "Drupal\\demo\\Plugin\\Block\\Greeting");
        assert_eq!(c.extends.as_deref(), Some("Drupal\\Core\\Block\\BlockBase"));
        let p = c.plugin.as_ref().unwrap();
        assert_eq!(p.plugin_type, "Block");
        assert_eq!(p.declared_with, "Drupal\\Core\\Block\\Attribute\\Block");
        assert_eq!(p.id.as_deref(), Some("demo_greeting"));
        assert_eq!(p.label.as_deref(), Some("Greeting"));
        assert_eq!(p.declared_by, "attribute");
        let services: Vec<_> = c
            .injected
            .iter()
            .filter_map(|i| i.service.as_deref())
            .collect();
        assert_eq!(services, ["entity_type.manager", "logger.factory"]);
        let types: Vec<_> = c
            .injected
            .iter()
            .filter_map(|i| i.type_name.as_deref())
            .collect();
        assert_eq!(
            types,
            [
                "Drupal\\demo\\Plugin\\Block\\EntityTypeManagerInterface",
                "Drupal\\demo\\Plugin\\Block\\LoggerInterface"
            ]
        );
        let calls: Vec<_> = c
            .drupal_calls
            .iter()
            .map(|d| (d.method.as_str(), d.service.as_deref(), d.line))
            .collect();
        assert_eq!(
            calls,
            [("service", Some("renderer"), 30), ("messenger", None, 31)]
        );
        assert_eq!(
            f.hooks,
            [HookFact {
                hook: "form_alter".into(),
                style: "attribute",
                implementation: "Greeting::formAlter".into(),
                line: 28,
                legacy: false,
            }]
        );
    }

    #[test]
    fn grouped_imports_resolve() {
        let src = "<?php\nnamespace Drupal\\m\\Plugin\\Block;\nuse Drupal\\Core\\Block\\{Attribute\\Block, BlockBase};\n#[Block(id: 'm_b')]\nclass B extends BlockBase {}\n";
        let f = php_facts(src, None);
        let c = &f.classes[0];
        assert_eq!(c.extends.as_deref(), Some("Drupal\\Core\\Block\\BlockBase"));
        assert_eq!(
            c.plugin.as_ref().unwrap().declared_with,
            "Drupal\\Core\\Block\\Attribute\\Block"
        );
    }

    #[test]
    fn an_annotated_plugin_and_procedural_hooks() {
        let src = r#"<?php

namespace Drupal\demo\Plugin\Field\FieldFormatter;

use Drupal\Core\Field\FormatterBase;

/**
 * Plugin implementation of the 'demo' formatter.
 *
 * @FieldFormatter(
 *   id = "demo_plain",
 *   label = @Translation("Plain"),
 *   field_types = {"string"}
 * )
 */
class Plain extends FormatterBase {}
"#;
        let f = php_facts(src, None);
        let p = f.classes[0].plugin.as_ref().unwrap();
        assert_eq!(
            (
                p.plugin_type.as_str(),
                p.id.as_deref(),
                p.label.as_deref(),
                p.declared_by
            ),
            (
                "FieldFormatter",
                Some("demo_plain"),
                Some("Plain"),
                "annotation"
            )
        );

        let module = "<?php\n\n/**\n * @file\n */\n\n/**\n * Implements hook_form_alter().\n */\nfunction demo_form_alter(&$form) {}\n\nfunction demo_helper() {}\n";
        let f = php_facts(module, Some("demo"));
        assert_eq!(f.functions, ["demo_form_alter", "demo_helper"]);
        assert_eq!(f.hooks.len(), 1);
        assert_eq!(f.hooks[0].hook, "form_alter");
        assert_eq!(f.hooks[0].style, "procedural");
        let install =
            "<?php\nfunction demo_schema() { return []; }\nfunction demo_update_10001() {}\n";
        let hooks: Vec<_> = php_facts(install, Some("demo"))
            .hooks
            .into_iter()
            .map(|h| h.hook)
            .collect();
        assert_eq!(hooks, ["schema", "update_10001"]);
    }

    #[test]
    fn class_aliases_are_names_that_exist() {
        let facts = php_facts(
            "<?php\n// phpcs:ignoreFile\nclass_alias('\\Drupal\\Component\\Serialization\\Yaml', '\\Drupal\\Core\\Serialization\\Yaml');\n",
            None,
        );
        assert_eq!(facts.class_aliases, ["Drupal\\Core\\Serialization\\Yaml"]);
    }

    #[test]
    fn methods_are_outlined_from_signature_docblock_and_body() {
        let src = r#"<?php
namespace Drupal\demo\Plugin\Block;

final class Recent extends BlockBase {

  public function __construct(array $configuration, protected EntityTypeManagerInterface $entityTypeManager) {}

  /**
   * {@inheritdoc}
   */
  #[\Override]
  public function build(): array {
    $ids = $this->entityTypeManager->getStorage('node')->getQuery()->accessCheck(TRUE)->range(0, 5)->execute();
    return ['#theme' => 'item_list', '#items' => $ids, '#title' => $this->t('Recent'), '#cache' => ['tags' => ['node_list']]];
  }

  /**
   * Loads the nodes to list.
   */
  protected static function load(int $limit) {
    throw new \LogicException('no');
  }

  /**
   * Implements hook_page_attachments().
   *
   * Adds the demo library for users who may see it.
   *
   * @see demo_preprocess()
   */
  #[Hook('page_attachments')]
  public function pageAttachments(array &$page): void {}

}
"#;
        let facts = php_facts(src, None);
        let outlines = &facts.classes[0].method_outlines;
        assert_eq!(outlines.len(), 4);
        // A hook's "Implements …" line says which hook; the next paragraph says what it does.
        assert_eq!(
            outlines[3].summary.as_deref(),
            Some(
                "Implements hook_page_attachments(): adds the demo library for users who may see it."
            )
        );
        let build = &outlines[1];
        assert_eq!(build.name, "build");
        assert!(build.inherits_doc && build.summary.is_none());
        assert_eq!(build.returns.as_deref(), Some("array"));
        assert_eq!(build.uses, ["entityTypeManager->getStorage"]);
        assert_eq!(
            build.touches,
            [
                "cache metadata",
                "entity query (access checked)",
                "translation",
                "render array"
            ]
        );
        let load = &outlines[2];
        assert_eq!((load.visibility, load.is_static), ("protected", true));
        assert_eq!(load.summary.as_deref(), Some("Loads the nodes to list."));
        assert_eq!(load.params, ["$limit"]);
        assert_eq!(load.touches, ["exception"]);
    }

    #[test]
    fn symfony_attributes_declare_no_plugin() {
        let facts = php_facts(
            "<?php\nnamespace Drupal\\user\\Form;\n\nuse Symfony\\Component\\Routing\\Attribute\\Route;\n\n#[Route(path: '/admin/people/cancel', name: 'user.multiple_cancel_confirm')]\nclass UserMultipleCancelConfirm extends ConfirmFormBase {\n}\n",
            None,
        );
        assert!(
            facts.classes[0].plugin.is_none(),
            "{:?}",
            facts.classes[0].plugin
        );
    }
}
