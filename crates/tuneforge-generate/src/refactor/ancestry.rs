//! What a class inherits, read from the sources: its ancestors, the properties they and
//! their traits declare, and the container factory (`create()` or an entity handler's
//! `createInstance()`) the nearest of them defines.
//!
//! Injection rewrites need this to stay correct beyond the direct base class: a subclass
//! of `ConfirmFormBase` is a `FormBase` subclass, and a field widget inherits a
//! `create()` whose constructor it must not repeat. Only what the sources declare counts;
//! an ancestor outside them makes the answer unknown, and unknown means no rewrite.

use tree_sitter::Node;
use tuneforge_php::facts::ClassFacts;
use tuneforge_php::parse::{parse, text};

use super::injection::class_body;
use super::{resolve_name, short};
use crate::corpus::Corpus;

/// Properties that core traits declare, for when the trait itself is not in the sources.
const TRAIT_PROPERTIES: &[(&str, &[&str])] = &[
    ("StringTranslationTrait", &["stringTranslation"]),
    ("MessengerTrait", &["messenger"]),
    ("RedirectDestinationTrait", &["redirectDestination"]),
    ("LoggerChannelTrait", &["loggerFactory"]),
    (
        "DependencySerializationTrait",
        &["_serviceIds", "_entityStorages"],
    ),
];

/// PHP's own type names, which are never imported.
const BUILTIN_TYPES: &[&str] = &[
    "array", "string", "int", "float", "bool", "mixed", "callable", "iterable", "object", "null",
    "false", "true", "void", "never", "static", "self", "parent",
];

/// A trait use inside a class body: `use FooTrait;`, `use A, B { … }`.
static TRAIT_USE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
    regex::Regex::new(r"(?m)^\s*use\s+([\w\\]+(?:\s*,\s*[\w\\]+)*)\s*[;{]")
        .expect("a valid pattern")
});

/// The ancestors of a class, nearest first, each with its file; an error names the first
/// one the sources do not declare.
pub(super) fn ancestors<'c>(
    corpus: &'c Corpus,
    c: &ClassFacts,
) -> Result<Vec<(usize, &'c ClassFacts)>, String> {
    let mut chain = Vec::new();
    let mut next = c.extends.clone();
    while let Some(parent) = next {
        let Some((file, facts)) = corpus.class_file(&parent) else {
            return Err(format!(
                "its ancestor {parent} is not in the sources, so what it declares is unknown"
            ));
        };
        if chain.len() > 32
            || chain
                .iter()
                .any(|(_, a): &(usize, &ClassFacts)| a.fqcn == facts.fqcn)
        {
            return Err(format!("its ancestry loops at {parent}"));
        }
        chain.push((file, facts));
        next = facts.extends.clone();
    }
    Ok(chain)
}

/// The properties a class body declares itself and through the traits it uses.
pub(super) fn own_properties(corpus: &Corpus, source: &str, body: Node<'_>) -> Vec<String> {
    let mut names = super::injection::declared_properties(source, body);
    let body_text = &source[body.byte_range()];
    for uses in TRAIT_USE.captures_iter(body_text) {
        for name in uses[1].split(',').map(str::trim) {
            let fqcn = resolve_name(source, name);
            match corpus.class_file(&fqcn) {
                Some((file, _)) => {
                    let trait_text = &corpus.files[file].text;
                    let tree = parse(trait_text);
                    if let Ok(trait_body) = trait_body(&tree, trait_text, short(&fqcn)) {
                        names.extend(super::injection::declared_properties(
                            trait_text, trait_body,
                        ));
                    }
                }
                None => {
                    if let Some((_, props)) =
                        TRAIT_PROPERTIES.iter().find(|(t, _)| *t == short(&fqcn))
                    {
                        names.extend(props.iter().map(|p| (*p).to_owned()));
                    }
                }
            }
        }
    }
    names
}

/// The body of the trait named `name`.
fn trait_body<'t>(
    tree: &'t tree_sitter::Tree,
    source: &str,
    name: &str,
) -> Result<Node<'t>, String> {
    let mut found = None;
    tuneforge_php::parse::visit(tree.root_node(), &mut |n| {
        if n.kind() == "trait_declaration"
            && n.child_by_field_name("name").map(|x| text(x, source)) == Some(name)
        {
            found = n.child_by_field_name("body");
        }
        found.is_none()
    });
    found.ok_or_else(|| format!("the trait {name} is not in its file"))
}

/// Every property the ancestors (and their traits) declare.
pub(super) fn inherited_properties(corpus: &Corpus, chain: &[(usize, &ClassFacts)]) -> Vec<String> {
    let mut names = Vec::new();
    for (file, facts) in chain {
        let source = &corpus.files[*file].text;
        let tree = parse(source);
        if let Ok(body) = class_body(&tree, source, &facts.name) {
            names.extend(own_properties(corpus, source, body));
        }
    }
    names
}

/// The container factory a class inherits: the nearest ancestor's static `create()` or
/// `createInstance()` whose first parameter is the container, with its signature written
/// for the subclass's file (types by short name, with the imports they need).
#[derive(Debug, Clone, PartialEq)]
pub(super) struct InheritedFactory {
    /// The class that defines it.
    pub(super) owner: String,
    /// `create` or `createInstance`.
    pub(super) method: String,
    /// The parameter list as the override declares it (without parentheses).
    pub(super) params: String,
    /// The parameters' names, with `$`, to pass on to the parent.
    pub(super) names: Vec<String>,
    /// The declared return type, as written.
    pub(super) returns: Option<String>,
    /// The classes the parameter and return types name.
    pub(super) imports: Vec<String>,
}

impl InheritedFactory {
    /// The container parameter's name, with `$`.
    pub(super) fn container(&self) -> &str {
        self.names.first().map_or("$container", String::as_str)
    }
}

/// The nearest container factory among `chain`, if any; an error when the nearest
/// `create()` is not a container factory (an entity's `create(array $values)`) or its
/// signature cannot be carried over.
pub(super) fn inherited_factory(
    corpus: &Corpus,
    chain: &[(usize, &ClassFacts)],
) -> Result<Option<InheritedFactory>, String> {
    for (file, facts) in chain {
        let Some(method) = facts
            .method_outlines
            .iter()
            .find(|m| m.is_static && (m.name == "create" || m.name == "createInstance"))
        else {
            continue;
        };
        if method.params.first().map(String::as_str) != Some("$container") {
            return Ok(None);
        }
        let source = &corpus.files[*file].text;
        let tree = parse(source);
        let body = class_body(&tree, source, &facts.name)?;
        let declaration = method_node(body, source, &method.name)
            .ok_or_else(|| format!("{}::{}() is not in its file", facts.fqcn, method.name))?;
        let parameters = declaration
            .child_by_field_name("parameters")
            .ok_or("the factory has no parameter list")?;
        let mut imports = Vec::new();
        let mut params = Vec::new();
        let mut names = Vec::new();
        let mut cursor = parameters.walk();
        for p in parameters.named_children(&mut cursor) {
            if p.kind() != "simple_parameter" {
                return Err(format!(
                    "{}::{}() has a {} parameter, which is not carried over",
                    facts.fqcn,
                    method.name,
                    p.kind()
                ));
            }
            let name = p
                .child_by_field_name("name")
                .map(|n| text(n, source).to_owned())
                .ok_or("a parameter without a name")?;
            let ty = p
                .child_by_field_name("type")
                .map(|t| written_type(source, text(t, source), &mut imports));
            let default = p
                .child_by_field_name("default_value")
                .map(|d| text(d, source));
            if default.is_some_and(|d| d.contains("::")) {
                return Err("a parameter's default names a constant".to_owned());
            }
            let mut param = String::new();
            if let Some(ty) = ty {
                param.push_str(&ty);
                param.push(' ');
            }
            param.push_str(&name);
            if let Some(default) = default {
                param.push_str(" = ");
                param.push_str(default);
            }
            params.push(param);
            names.push(name);
        }
        let returns = declaration
            .child_by_field_name("return_type")
            .map(|r| written_type(source, text(r, source), &mut imports));
        return Ok(Some(InheritedFactory {
            owner: facts.fqcn.clone(),
            method: method.name.clone(),
            params: params.join(", "),
            names,
            returns,
            imports,
        }));
    }
    Ok(None)
}

/// The method declaration named `name` in a class body.
fn method_node<'t>(body: Node<'t>, source: &str, name: &str) -> Option<Node<'t>> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor).find(|n| {
        n.kind() == "method_declaration"
            && n.child_by_field_name("name").map(|x| text(x, source)) == Some(name)
    })
}

/// A type as written in `source`, with each class in it by its short name and its fully
/// qualified name added to `imports`.
fn written_type(source: &str, ty: &str, imports: &mut Vec<String>) -> String {
    let mut out = String::new();
    let mut word = String::new();
    let mut flush = |word: &mut String, out: &mut String| {
        if word.is_empty() {
            return;
        }
        if BUILTIN_TYPES.contains(&word.to_ascii_lowercase().as_str()) {
            out.push_str(word);
        } else {
            let fqcn = resolve_name(source, word);
            out.push_str(short(&fqcn));
            if !imports.contains(&fqcn) {
                imports.push(fqcn);
            }
        }
        word.clear();
    };
    for ch in ty.chars() {
        if ch.is_alphanumeric() || ch == '_' || ch == '\\' {
            word.push(ch);
        } else {
            flush(&mut word, &mut out);
            out.push(ch);
        }
    }
    flush(&mut word, &mut out);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn types_are_written_by_short_name_with_their_imports() {
        let source = "<?php\n\nnamespace Drupal\\a;\n\nuse Symfony\\Component\\DependencyInjection\\ContainerInterface;\n\nclass A {}\n";
        let mut imports = Vec::new();
        assert_eq!(
            written_type(source, "ContainerInterface", &mut imports),
            "ContainerInterface"
        );
        assert_eq!(
            written_type(source, "?Local|array", &mut imports),
            "?Local|array"
        );
        assert_eq!(
            imports,
            vec![
                "Symfony\\Component\\DependencyInjection\\ContainerInterface".to_owned(),
                "Drupal\\a\\Local".to_owned()
            ]
        );
        assert_eq!(written_type(source, "static", &mut imports), "static");
        assert_eq!(imports.len(), 2);
    }
}
