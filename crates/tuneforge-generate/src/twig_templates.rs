//! `template:twig-template`: a theme or module's `*.html.twig` template, asked for by what
//! its `@file` docblock says it renders and the variables it prints, answered with the file
//! and what the template itself shows (the preprocess that feeds it, the template it
//! overrides or extends, the library it attaches, the component it includes).
//!
//! Everything in the request and the notes is read from the template, its docblock and the
//! other templates of the sources; a template whose docblock does not say what it renders
//! is dropped, not described.

use std::sync::LazyLock;

use regex::Regex;

use crate::Emitter;
use crate::corpus::{Corpus, Extension};
use crate::phrasing::{fenced, fill};
use crate::templates::{generator, list_of};

/// How many variables a request names at most: enough to say what the template prints.
const NAMED_VARIABLES: usize = 8;

/// `Theme override to display a node.` → (`to`, `display a node`); the owner's name
/// (`Olivero's`), `Default`, `theme`, `file` and the like are what comes before.
static PURPOSE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?i)^(?:[\w ]+?'s\s+)?(?:default\s+)?(?:[\w]+\s+)?(?:theme\s+)?(?:override|implementation|template)(?:\s+file)?\s+(to|for|of)\s+(.+?)\.?$")
        .expect("a valid pattern")
});
/// A printed or tested variable: `{{ label }}`, `{{ content|without('links') }}`,
/// `{% if display_submitted %}`.
static USED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?:\{\{-?|\{%-?\s*(?:if|elseif|for\s+\w+(?:\s*,\s*\w+)?\s+in))\s+(?:not\s+)?([a-z_][a-z0-9_]*)(\s*\()?")
        .expect("a valid pattern")
});
static LIBRARY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"attach_library\(\s*['"]([\w.-]+/[\w.-]+)['"]\s*\)"#).expect("a valid pattern")
});
static EXTENDS: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r#"\{%-?\s*extends\s+['"]([^'"]+)['"]"#).expect("a valid pattern"));
static BLOCK: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\{%-?\s*block\s+(\w+)").expect("a valid pattern"));
static COMPONENT: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"(?:include|embed)\s*\(?\s*['"]([\w-]+:[\w-]+)['"]"#).expect("a valid pattern")
});
static SEE_PREPROCESS: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"@see\s+\\?([\w\\]*(?:::)?(?:template_)?[pP]reprocess\w*\(\))")
        .expect("a valid pattern")
});

/// What a template's docblock says.
#[derive(Debug, PartialEq)]
struct Docblock {
    /// The first sentence after `@file`.
    summary: String,
    /// The names in its "Available variables" list, top level only.
    variables: Vec<String>,
    /// The preprocess it names with `@see`.
    preprocess: Option<String>,
}

/// The `{# /** @file … */ #}` docblock at the top of a template, and where the template's
/// own markup starts.
fn docblock(text: &str) -> Option<(Docblock, usize)> {
    let start = text.find("{#")?;
    let end = start + text[start..].find("#}")? + 2;
    let comment = &text[start..end];
    if !comment.contains("@file") {
        return None;
    }
    let lines: Vec<&str> = comment
        .lines()
        .map(|l| {
            l.trim()
                .trim_start_matches("{#")
                .trim_start_matches("/**")
                .trim_start_matches('*')
                .trim_end_matches("#}")
                .trim_end_matches("*/")
        })
        .collect();
    let after_file = lines.iter().position(|l| l.trim() == "@file")? + 1;
    let mut summary = String::new();
    for line in &lines[after_file..] {
        let line = line.trim();
        if line.is_empty() {
            if summary.is_empty() {
                continue;
            }
            break;
        }
        if !summary.is_empty() {
            summary.push(' ');
        }
        summary.push_str(line);
    }
    let mut variables = Vec::new();
    let mut in_list = false;
    for line in &lines {
        if line
            .trim()
            .to_ascii_lowercase()
            .starts_with("available variables")
        {
            in_list = true;
            continue;
        }
        if !in_list {
            continue;
        }
        // Top-level items are "- name: …" one space in; nested ones are indented more.
        if let Some(item) = line.strip_prefix(" - ") {
            if let Some((name, _)) = item.split_once(':') {
                let name = name.trim();
                if !name.is_empty() && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_') {
                    variables.push(name.to_owned());
                }
            }
        } else if line.trim().starts_with('@') {
            in_list = false;
        }
    }
    let preprocess = SEE_PREPROCESS
        .captures(comment)
        .map(|c| c[1].trim_start_matches('\\').to_owned());
    if summary.is_empty() {
        return None;
    }
    Some((
        Docblock {
            summary,
            variables,
            preprocess,
        },
        end,
    ))
}

/// What a summary says the template is for: `to display a node`, `for a field`.
fn purpose(summary: &str) -> Option<String> {
    let caps = PURPOSE.captures(summary.trim())?;
    let connective = match &caps[1].to_ascii_lowercase()[..] {
        "to" => "to",
        _ => "for",
    };
    // "for a view template to display a list of rows": the purpose is what that template
    // is for.
    static NESTED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?i)^(?:an?\s+|the\s+)?(?:[\w-]+\s+)?template\s+(to|for)\s+(.+)$")
            .expect("a valid pattern")
    });
    if let Some(inner) = NESTED.captures(&caps[2]) {
        return Some(format!("{} {}", inner[1].to_ascii_lowercase(), &inner[2]));
    }
    Some(format!("{connective} {}", &caps[2]))
}

/// The variables the markup prints or tests, each once, in order of first use.
fn used_variables(markup: &str) -> Vec<String> {
    // Twig's own names, and the globals every template gets; a name followed by `(` is a
    // function call (`link(…)`, `path(…)`), not a variable.
    const TWIG_WORDS: &[&str] = &[
        "not",
        "true",
        "false",
        "null",
        "loop",
        "_self",
        "directory",
        "is_front",
        "logged_in",
        "is_admin",
    ];
    let mut out: Vec<String> = Vec::new();
    for caps in USED.captures_iter(markup) {
        if caps.get(2).is_some() {
            continue;
        }
        let name = caps[1].to_owned();
        if !TWIG_WORDS.contains(&name.as_str()) && !out.contains(&name) {
            out.push(name);
        }
    }
    out
}

/// The names a request lists: documented variables the markup uses (in the docblock's
/// order), else the used ones; `attributes`-style plumbing last, at most
/// [`NAMED_VARIABLES`].
fn named_variables(doc: &Docblock, used: &[String]) -> Vec<String> {
    let mut names: Vec<String> = if doc.variables.is_empty() {
        used.to_vec()
    } else {
        doc.variables
            .iter()
            .filter(|v| used.contains(v))
            .cloned()
            .collect()
    };
    let plumbing =
        |n: &String| n.ends_with("attributes") || n.ends_with("_prefix") || n.ends_with("_suffix");
    names.sort_by_key(|n| plumbing(n));
    names.truncate(NAMED_VARIABLES);
    names
}

/// Whether a path is a theme template: under a `templates/` directory, not a help topic
/// or a component (those have their own families).
fn is_theme_template(path: &str) -> bool {
    path.ends_with(".html.twig")
        && path.contains("/templates/")
        && !path.contains("/help_topics/")
        && !path.contains("/components/")
}

/// The `template_preprocess_*()` functions the sources define.
fn preprocess_functions(corpus: &Corpus) -> std::collections::HashSet<String> {
    static DEFINED: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r"(?m)^function\s+(template_preprocess\w*)\s*\(").expect("a valid pattern")
    });
    corpus
        .files
        .iter()
        .filter(|f| {
            [".php", ".module", ".inc", ".theme", ".engine"]
                .iter()
                .any(|e| f.path.ends_with(e))
        })
        .flat_map(|f| DEFINED.captures_iter(&f.text).map(|c| c[1].to_owned()))
        .collect()
}

/// Whether the preprocess a docblock names exists in the sources: a function they define,
/// or a method of a class they declare. Stale `@see` lines are not repeated as fact.
fn preprocess_exists(
    corpus: &Corpus,
    functions: &std::collections::HashSet<String>,
    name: &str,
) -> bool {
    let name = name.trim_end_matches("()");
    match name.split_once("::") {
        Some((class, method)) => corpus
            .class_file(class)
            .is_some_and(|(_, c)| c.methods.iter().any(|m| m == method)),
        None => functions.contains(name),
    }
}

pub fn run(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("twig-template");
    let functions = preprocess_functions(corpus);
    for (file, f) in corpus.files.iter().enumerate() {
        if !is_theme_template(&f.path) {
            continue;
        }
        if tuneforge_core::source_path::is_test_path(&f.rel) {
            continue;
        }
        let src = f.cite();
        let Some(ext) = corpus.extension(file) else {
            out.drop(&generator, src, "the template belongs to no extension");
            continue;
        };
        let Some((mut doc, markup_at)) = docblock(&f.text) else {
            out.drop(
                &generator,
                src,
                "the template has no @file docblock to say what it renders",
            );
            continue;
        };
        if f.text[..markup_at].contains("@deprecated") {
            out.drop(
                &generator,
                src,
                "the template is @deprecated: not an example to learn from",
            );
            continue;
        }
        let Some(purpose) = purpose(&doc.summary) else {
            out.drop(
                &generator,
                src,
                format!(
                    "the docblock summary \"{}\" does not say what the template renders",
                    doc.summary
                ),
            );
            continue;
        };
        doc.preprocess = doc
            .preprocess
            .filter(|p| preprocess_exists(corpus, &functions, p));
        let markup = &f.text[markup_at..];
        if markup.lines().filter(|l| !l.trim().is_empty()).count() < 2 {
            out.drop(&generator, src, "the template has next to no markup");
            continue;
        }
        let used = used_variables(markup);
        let names = named_variables(&doc, &used);
        let libraries: Vec<String> = LIBRARY
            .captures_iter(markup)
            .map(|c| format!("`{}`", &c[1]))
            .collect();
        let extends = EXTENDS.captures(markup).map(|c| c[1].to_owned());
        let blocks: Vec<String> = BLOCK
            .captures_iter(markup)
            .map(|c| format!("`{}`", &c[1]))
            .collect();
        let components: Vec<String> = {
            let mut v: Vec<String> = COMPONENT
                .captures_iter(markup)
                .map(|c| format!("`{}`", &c[1]))
                .collect();
            v.dedup();
            v
        };
        let name = f.file_name();
        let path = &f.path[ext.dir.len()..];
        let mut spec = String::new();
        if !names.is_empty() {
            let listed: Vec<String> = names.iter().map(|n| format!("`{n}`")).collect();
            spec.push_str(&format!(" It prints {}.", list_of(&listed)));
        }
        if let Some(parent) = &extends {
            spec.push_str(&format!(
                " Extend `{parent}`{}.",
                if blocks.is_empty() {
                    String::new()
                } else {
                    format!(" and override {}", list_of(&blocks))
                }
            ));
        }
        if !libraries.is_empty() {
            spec.push_str(&format!(
                " Attach the {} {}.",
                list_of(&libraries),
                if libraries.len() == 1 {
                    "library"
                } else {
                    "libraries"
                }
            ));
        }
        if !components.is_empty() {
            spec.push_str(&format!(
                " Render it with the {} {}.",
                list_of(&components),
                if components.len() == 1 {
                    "component"
                } else {
                    "components"
                }
            ));
        }
        let key = format!("{src}#twig-template");
        let ask = out.pick(
            &key,
            &[
                "Write the `{name}` template for the {ext} {kind}: the template {purpose}.{spec}",
                "Drupal 11 theming: in the {ext} {kind}, create `{path}`, the template {purpose}.{spec}",
                "I need the Twig template {purpose} in my {kind} `{ext}`; it goes in `{path}`.{spec}",
            ],
        );
        let user = fill(
            ask,
            &[
                ("name", name),
                ("ext", &ext.name),
                ("kind", ext.kind),
                ("purpose", &purpose),
                ("path", path),
                ("spec", &spec),
            ],
        );
        let notes = notes(
            corpus,
            file,
            ext,
            &doc,
            markup,
            &extends,
            &libraries,
            &components,
        );
        let mut answer = format!("`{path}`:\n\n{}", fenced("twig", &f.text));
        if !notes.is_empty() {
            answer.push_str("\n\n");
            answer.push_str(&notes.join(" "));
        }
        out.emit(&generator, "drupal-components", file, user, answer);
    }
}

/// What the template shows, one sentence each, each read from the template or the other
/// templates of the sources.
#[allow(clippy::too_many_arguments)]
fn notes(
    corpus: &Corpus,
    file: usize,
    ext: &Extension,
    doc: &Docblock,
    markup: &str,
    extends: &Option<String>,
    libraries: &[String],
    components: &[String],
) -> Vec<String> {
    let f = &corpus.files[file];
    let name = f.file_name();
    let mut notes = Vec::new();
    if let Some(preprocess) = &doc.preprocess {
        notes.push(format!("Its variables are prepared by `{preprocess}`."));
    }
    let stem = name.trim_end_matches(".html.twig");
    if let Some((base, _)) = stem.split_once("--") {
        notes.push(format!(
            "The `--` in its name makes it a theme suggestion: Drupal uses it instead of `{base}.html.twig` only where that suggestion applies."
        ));
    }
    if ext.kind == "theme" {
        let overridden = corpus
            .files
            .iter()
            .enumerate()
            .filter(|(i, o)| {
                *i != file
                    && o.file_name() == name
                    && is_theme_template(&o.path)
                    && !tuneforge_core::source_path::is_test_path(&o.rel)
            })
            .find_map(|(i, _)| corpus.extension(i).filter(|e| e.kind == "module"));
        if let Some(module) = overridden {
            notes.push(format!(
                "It overrides the {} module's `{name}`: the active theme's template of the same file name wins, with nothing to register.",
                module.name
            ));
        }
    } else {
        notes.push(
            "A theme overrides it by putting a template of the same file name in its own `templates/` directory."
                .to_owned(),
        );
    }
    if let Some(parent) = extends {
        notes.push(format!(
            "It extends `{parent}` and replaces only the blocks it redefines; the rest of the markup comes from the parent template."
        ));
    }
    if markup.contains("attributes.addClass(") {
        notes.push("Classes are added with `attributes.addClass()`, so the classes and attributes that modules set in preprocess stay on the element.".to_owned());
    }
    if !libraries.is_empty() {
        notes.push(format!(
            "`attach_library()` adds {} only to pages where this template renders.",
            list_of(libraries)
        ));
    }
    if !components.is_empty() {
        notes.push(format!(
            "The markup itself comes from the single-directory {} {}, which the template fills with its variables.",
            if components.len() == 1 { "component" } else { "components" },
            list_of(components)
        ));
    }
    if markup.contains("|without(") {
        notes.push("`content|without(…)` prints the content except the parts it names, which the template prints elsewhere or leaves out.".to_owned());
    }
    if markup.contains("|t") || markup.contains("{% trans") {
        notes.push(
            "Interface text goes through `|t` or `{% trans %}`, so it can be translated."
                .to_owned(),
        );
    }
    notes
}

#[cfg(test)]
mod tests {
    use super::*;

    const NODE: &str = "{#\n/**\n * @file\n * Theme override to display a node.\n *\n * Available variables:\n * - node: The node entity with limited access to object properties and methods.\n *   - id: The node ID.\n * - label: (optional) The title of the node.\n * - content: All node items.\n * - attributes: HTML attributes for the containing element.\n * - unused: Never printed.\n *\n * @see \\Drupal\\node\\Hook\\NodeThemeHooks::preprocessNode()\n */\n#}\n{{ attach_library('olivero/node') }}\n<article{{ attributes.addClass('node') }}>\n  {% if label %}<h2>{{ label }}</h2>{% endif %}\n  {{ content|without('links') }}\n  {{ link(label, url) }} {{ link }}\n</article>\n";

    #[test]
    fn the_docblock_says_what_the_template_renders_and_receives() {
        let (doc, at) = docblock(NODE).unwrap();
        assert_eq!(doc.summary, "Theme override to display a node.");
        assert_eq!(
            doc.variables,
            ["node", "label", "content", "attributes", "unused"]
        );
        assert_eq!(
            doc.preprocess.as_deref(),
            Some("Drupal\\node\\Hook\\NodeThemeHooks::preprocessNode()")
        );
        assert!(NODE[at..].trim_start().starts_with("{{ attach_library"));
        let used = used_variables(&NODE[at..]);
        assert_eq!(used, ["attributes", "label", "content", "link"]);
        assert_eq!(
            named_variables(&doc, &used),
            ["label", "content", "attributes"]
        );
    }

    #[test]
    fn purposes_from_core_summaries() {
        assert_eq!(
            purpose("Theme override to display a node.").as_deref(),
            Some("to display a node")
        );
        assert_eq!(
            purpose("Default theme implementation for a field.").as_deref(),
            Some("for a field")
        );
        assert_eq!(
            purpose("Olivero's theme override for the search form block.").as_deref(),
            Some("for the search form block")
        );
        assert_eq!(
            purpose("Theme override of an image.").as_deref(),
            Some("for an image")
        );
        assert_eq!(
            purpose("Template file for a views exposed form.").as_deref(),
            Some("for a views exposed form")
        );
        assert_eq!(
            purpose("Default theme implementation for a view template to display a list of rows.")
                .as_deref(),
            Some("to display a list of rows")
        );
        assert_eq!(purpose("Renders things."), None);
    }
}
