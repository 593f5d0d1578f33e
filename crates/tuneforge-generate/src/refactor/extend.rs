//! `\Drupal::` calls in a class that already has a constructor → one more constructor
//! parameter per service, passed in where the class is built: its `create()` (the last
//! argument of `new static(…)`), its `services.yml` entry (one more `arguments:` item), or
//! autowiring (a hook class, an autowired service: `#[Autowire(service: …)]`).
//!
//! The class's existing constructor and its callers are left as they are but for the new
//! parameter at the end, which is why the sample says that code constructing the class
//! directly (a subclass, a test) must pass it too.

use tree_sitter::Node;
use tuneforge_php::facts::ClassFacts;
use tuneforge_php::parse::{parse, text, visit};
use tuneforge_php::rules::Checker;
use tuneforge_php::yaml::{ServiceFact, YamlFacts};

use super::injection::{Dependency, class_body, container_calls};
use super::{edit_uses, short, verify};
use crate::Emitter;
use crate::corpus::{Corpus, SourceFile};
use crate::phrasing::{fenced, fill};
use crate::templates::{list_of, yaml_entry};

/// How the extended class gets its new arguments.
pub(super) enum Passed {
    /// The last argument of `new static(…)` in its `create()`.
    Create,
    /// One more item of its `services.yml` entry's `arguments:`; the entry as rewritten.
    Yaml { file: String, entry: String },
    /// The container autowires the constructor.
    Autowire,
    /// Nothing new: the constructor takes every service the calls need already.
    AlreadyInjected,
}

pub(super) struct Extended {
    pub output: String,
    /// The services added to the constructor.
    pub deps: Vec<Dependency>,
    /// The services the constructor took already, which the calls now use.
    pub reused: Vec<Dependency>,
    pub passed: Passed,
}

/// Whether the constructor stores the service `d` needs in the property of `d`'s name
/// already: a parameter of that name (or its snake_case form) that is promoted or
/// assigned to the property, typed as the service (an account proxy's interface and the
/// account interface count as one: the calls made on either are the account's).
fn constructor_holds(
    source: &str,
    constructor: Node<'_>,
    params: Node<'_>,
    d: &Dependency,
) -> bool {
    let snake = super::injection::snake(&d.property);
    let body = constructor
        .child_by_field_name("body")
        .map(|b| text(b, source))
        .unwrap_or("");
    let mut cursor = params.walk();
    params.named_children(&mut cursor).any(|p| {
        let Some(name) = p
            .child_by_field_name("name")
            .map(|n| text(n, source).trim_start_matches('$'))
        else {
            return false;
        };
        if name != d.property && name != snake {
            return false;
        }
        let stored = p.kind() == "property_promotion_parameter" && name == d.property
            || body.contains(&format!("$this->{} = ${name};", d.property));
        let Some(ty) = p
            .child_by_field_name("type")
            .map(|t| text(t, source).trim_start_matches('?'))
        else {
            return false;
        };
        let ty = super::resolve_name(source, ty);
        let unproxied = |t: &str| short(t).replace("Proxy", "");
        stored && (ty == d.type_fqcn || unproxied(&ty) == unproxied(&d.type_fqcn))
    })
}

/// The services.yml entry registering class `fqcn`, with the text of its file.
fn service_entry<'c>(
    corpus: &'c Corpus,
    fqcn: &str,
) -> Option<(usize, &'c [ServiceFact], &'c ServiceFact)> {
    corpus
        .files
        .iter()
        .enumerate()
        .filter(|(_, f)| f.path.ends_with(".services.yml"))
        .find_map(|(i, _)| {
            let Some(YamlFacts::Services { services }) = corpus.yaml(i) else {
                return None;
            };
            services
                .iter()
                .find(|s| {
                    s.alias_of.is_none()
                        && (s.class.as_deref() == Some(fqcn) || (s.class.is_none() && s.id == fqcn))
                })
                .map(|s| (i, services.as_slice(), s))
        })
}

/// The class `c` of `file` with its `\Drupal::` calls turned into constructor parameters
/// added after the existing ones, or why not.
pub(super) fn extend(
    corpus: &Corpus,
    checker: &Checker,
    file: usize,
    c: &ClassFacts,
    module: Option<&str>,
) -> Result<Extended, String> {
    let f = &corpus.files[file];
    if let Some((_, child)) = super::injection::builds_itself(corpus, &c.fqcn) {
        return Err(format!(
            "{} extends it with its own constructor or factory, which would not pass the new arguments",
            child.fqcn
        ));
    }
    let source = &f.text;
    let tree = parse(source);
    let body = class_body(&tree, source, &c.name)?;
    let constructor =
        method(body, source, "__construct").ok_or("has no constructor of its own to extend")?;
    let params = constructor
        .child_by_field_name("parameters")
        .ok_or("the constructor has no parameter list")?;
    let (all_deps, mut calls) = container_calls(corpus, module, body, source)?;
    let declared = super::ancestry::own_properties(corpus, source, body);
    // A service the constructor takes already is used, not injected twice.
    let (reused, deps): (Vec<Dependency>, Vec<Dependency>) = all_deps
        .into_iter()
        .partition(|d| constructor_holds(source, constructor, params, d));
    let existing: Vec<&str> = {
        let mut cursor = params.walk();
        params
            .named_children(&mut cursor)
            .filter_map(|p| p.child_by_field_name("name"))
            .map(|n| text(n, source).trim_start_matches('$'))
            .collect()
    };
    for d in &deps {
        if declared.contains(&d.property) || existing.contains(&d.property.as_str()) {
            return Err(format!(
                "the class already has a property or parameter named ${}",
                d.property
            ));
        }
    }
    if deps.is_empty() {
        let edits = calls.drain(..).map(|c| (c.range, c.replacement)).collect();
        let output = apply_and_verify(checker, &f.path, source, edits, &[])?;
        return Ok(Extended {
            output,
            deps,
            reused,
            passed: Passed::AlreadyInjected,
        });
    }
    // Where the arguments come from decides the parameters' attributes.
    let factory = method(body, source, "create");
    let passed = if let Some(create) = factory {
        // Only the container factory: an entity's `create(array $values)` is not one.
        let takes_container = create
            .child_by_field_name("parameters")
            .is_some_and(|p| text(p, source).contains("ContainerInterface $container"));
        if !takes_container {
            return Err(
                "its create() is not a container factory (no ContainerInterface $container)"
                    .to_owned(),
            );
        }
        Passed::Create
    } else if f.rel.contains("/src/Hook/") {
        Passed::Autowire
    } else {
        match service_entry(corpus, &c.fqcn) {
            Some((_, services, entry))
                if entry.autowire || services.iter().any(|s| s.id == "_defaults" && s.autowire) =>
            {
                Passed::Autowire
            }
            Some((yml, _, entry)) => {
                let yml_file = &corpus.files[yml];
                let original = yaml_entry(&yml_file.text, entry.line)
                    .ok_or("its services.yml entry could not be cut out")?;
                let ids: Vec<String> = deps.iter().map(Dependency::yaml_argument).collect();
                Passed::Yaml {
                    file: yml_file.rel.clone(),
                    entry: add_arguments(&original, &ids)?,
                }
            }
            None => {
                return Err(
                    "neither a create() nor a services.yml entry passes its constructor arguments"
                        .to_owned(),
                );
            }
        }
    };
    let new_params: Vec<String> = deps
        .iter()
        .map(|d| {
            let autowire = if matches!(passed, Passed::Autowire) {
                format!("{} ", d.autowire_attribute())
            } else {
                String::new()
            };
            format!(
                "{autowire}protected readonly {} ${}",
                short(&d.type_fqcn),
                d.property
            )
        })
        .collect();
    let mut edits: Vec<(std::ops::Range<usize>, String)> =
        calls.drain(..).map(|c| (c.range, c.replacement)).collect();
    edits.push(append_to_list(source, params, &new_params)?);
    if matches!(passed, Passed::Create) {
        let create = method(body, source, "create").expect("checked above");
        let construction = new_static(create, source)
            .ok_or("its create() does not end in `new static(…)` to pass the services to")?;
        let gets: Vec<String> = deps.iter().map(|d| d.container_get("$container")).collect();
        edits.push(append_to_list(source, construction, &gets)?);
    }
    let mut add: Vec<&str> = deps.iter().flat_map(Dependency::imports).collect();
    if matches!(passed, Passed::Autowire) {
        add.push("Symfony\\Component\\DependencyInjection\\Attribute\\Autowire");
    }
    let output = apply_and_verify(checker, &f.path, source, edits, &add)?;
    Ok(Extended {
        output,
        deps,
        reused,
        passed,
    })
}

/// The request and the answer for an extended class: the class as rewritten, the
/// services.yml entry when it changed, and what callers must now pass.
pub(super) fn sample(
    out: &Emitter<'_>,
    f: &SourceFile,
    c: &ClassFacts,
    module: Option<&str>,
    extended: &Extended,
) -> (String, String) {
    let services: Vec<String> = extended
        .deps
        .iter()
        .map(|d| format!("`{}`", d.service))
        .collect();
    let held_only = matches!(extended.passed, Passed::AlreadyInjected);
    let key = format!("{}#injection", f.cite());
    let (key, asks): (String, &[&str]) = if held_only {
        (
            format!("{key}#held"),
            &[
                "`{class}` still calls `\\Drupal::` in places. Refactor it to use dependency injection.\n\n{code}",
                "Remove the `\\Drupal::` calls from this class from {module}.\n\n{code}",
            ],
        )
    } else {
        (
            key,
            &[
                "`{class}` already takes its dependencies in the constructor but still calls `\\Drupal::` in places. Inject those services too.\n\n{code}",
                "Refactor this class from {module} so it no longer reaches for the global container: add the services it fetches with `\\Drupal::` to its constructor.\n\n{code}",
            ],
        )
    };
    let user = fill(
        out.pick(&key, asks),
        &[
            ("class", &c.name),
            ("module", module.unwrap_or("Drupal core")),
            ("code", &fenced("php", &f.text)),
        ],
    );
    if held_only {
        let held = held_properties(&extended.reused);
        let answer = format!(
            "{}\n\nThe constructor already receives what these calls fetched, so nothing new needs injecting: each `\\Drupal::` call now uses {} instead. The constructor, its arguments and the way the container builds the class stay as they were.",
            fenced("php", &extended.output),
            list_of(&held),
        );
        return (user, answer);
    }
    let how = match &extended.passed {
        Passed::Create => format!(
            "`create()` passes {} as the last {} of `new static(…)`.",
            list_of(&services),
            if services.len() == 1 {
                "argument"
            } else {
                "arguments"
            }
        ),
        Passed::Autowire => format!(
            "The container autowires the constructor; {}.",
            super::injection::autowire_note(&extended.deps)
        ),
        Passed::Yaml { file, .. } => format!(
            "The container builds the class from its entry in `{file}`, so {} {} its `arguments:` in the same order:",
            list_of(&services),
            if services.len() == 1 { "joins" } else { "join" }
        ),
        Passed::AlreadyInjected => unreachable!("answered above"),
    };
    let mut answer = format!(
        "{}\n\nThe services now come in as promoted, read-only constructor parameters after the existing ones, and every `\\Drupal::` call became a property of the object. {how}",
        fenced("php", &extended.output),
    );
    if let Passed::Yaml { entry, .. } = &extended.passed {
        answer.push_str(&format!("\n\n{}", fenced("yaml", entry)));
    }
    if !extended.reused.is_empty() {
        let held = held_properties(&extended.reused);
        answer.push_str(&format!(
            "\n\nThe constructor already received {}, so the calls that fetched {} now use {}.",
            list_of(&held),
            if held.len() == 1 { "it" } else { "them" },
            if held.len() == 1 {
                "the property"
            } else {
                "those properties"
            },
        ));
    }
    answer.push_str(&format!(
        "\n\nCode that constructs `{}` directly (a subclass calling `parent::__construct()`, a unit test) must pass the new arguments too.",
        c.name
    ));
    (user, answer)
}

/// `source` with `edits` applied (from the last, so earlier offsets stay valid) and `add`
/// imported, verified: the rules the rewrite exists for must no longer fire.
fn apply_and_verify(
    checker: &Checker,
    path: &str,
    source: &str,
    mut edits: Vec<(std::ops::Range<usize>, String)>,
    add: &[&str],
) -> Result<String, String> {
    edits.sort_by_key(|(r, _)| std::cmp::Reverse(r.start));
    let mut output = source.to_owned();
    for (range, replacement) in edits {
        output.replace_range(range, &replacement);
    }
    let output = edit_uses(&output, add, &[]);
    verify(
        checker,
        path,
        &output,
        &["drupal-service-in-class", "drupal-static-in-class"],
    )?;
    Ok(output)
}

/// The properties the constructor already held, as the answer names them.
fn held_properties(reused: &[Dependency]) -> Vec<String> {
    reused
        .iter()
        .map(|d| format!("`$this->{}`", d.property))
        .collect()
}

/// The method `name` of a class body.
fn method<'t>(body: Node<'t>, source: &str, name: &str) -> Option<Node<'t>> {
    let mut cursor = body.walk();
    body.named_children(&mut cursor).find(|m| {
        m.kind() == "method_declaration"
            && m.child_by_field_name("name").map(|n| text(n, source)) == Some(name)
    })
}

/// The argument list of the `new static(…)` a `create()` returns.
fn new_static<'t>(create: Node<'t>, source: &str) -> Option<Node<'t>> {
    let mut found = None;
    visit(create, &mut |n| {
        if n.kind() == "object_creation_expression"
            && text(n, source)
                .trim_start_matches("new")
                .trim_start()
                .starts_with("static")
        {
            found = n
                .named_children(&mut n.walk())
                .find(|c| c.kind() == "arguments");
        }
        found.is_none()
    });
    found
}

/// The edit appending `items` to a parenthesised list node (parameters or arguments),
/// in the list's own layout: one per line when it is written that way.
fn append_to_list(
    source: &str,
    list: Node<'_>,
    items: &[String],
) -> Result<(std::ops::Range<usize>, String), String> {
    let written = text(list, source);
    let inner = written
        .strip_prefix('(')
        .and_then(|w| w.strip_suffix(')'))
        .ok_or("an argument list that is not in parentheses")?;
    let close = list.end_byte() - 1;
    if inner.trim().is_empty() {
        return Ok((close..close, items.join(", ")));
    }
    if inner.contains('\n') {
        // One item per line: the indentation of the last line that has one.
        let indent: String = inner
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty())
            .map(|l| l.chars().take_while(|c| c.is_whitespace()).collect())
            .unwrap_or_else(|| "    ".to_owned());
        let trimmed_end = inner.trim_end();
        let comma = if trimmed_end.ends_with(',') { "" } else { "," };
        let start = list.start_byte() + 1 + trimmed_end.len();
        let mut text = comma.to_owned();
        for item in items {
            text.push_str(&format!("\n{indent}{item},"));
        }
        return Ok((start..start, text));
    }
    let trimmed_end = inner.trim_end().trim_end_matches(',');
    let start = list.start_byte() + 1 + trimmed_end.len();
    let appended = format!(", {}", items.join(", "));
    // A one-line list that would run past 80 columns goes one item per line, as Drupal's
    // coding standards want.
    let line_start = source[..list.start_byte()].rfind('\n').map_or(0, |n| n + 1);
    let line_end = source[close..]
        .find('\n')
        .map_or(source.len(), |n| close + n);
    if line_end - line_start + appended.len() <= 80 {
        return Ok((start..close, appended));
    }
    let indent: String = source[line_start..]
        .chars()
        .take_while(|c| *c == ' ' || *c == '\t')
        .collect();
    let mut cursor = list.walk();
    let mut lines: Vec<String> = list
        .named_children(&mut cursor)
        .filter(|n| n.kind() != "comment")
        .map(|n| text(n, source).to_owned())
        .collect();
    lines.extend(items.iter().cloned());
    let body: String = lines.iter().map(|l| format!("\n{indent}  {l},")).collect();
    Ok((list.start_byte() + 1..close, format!("{body}\n{indent}")))
}

/// A services.yml entry with `ids` added to its `arguments:` (a flow list on one line, a
/// block list, or none yet).
fn add_arguments(entry: &str, ids: &[String]) -> Result<String, String> {
    let lines: Vec<&str> = entry.lines().collect();
    let child_indent = lines
        .get(1)
        .map(|l| l.chars().take_while(|c| *c == ' ').count())
        .unwrap_or(4);
    let pad = " ".repeat(child_indent);
    let Some(at) = lines
        .iter()
        .position(|l| l.trim_start().starts_with("arguments:"))
    else {
        let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
        out.push(format!("{pad}arguments: [{}]", ids.join(", ")));
        return Ok(out.join("\n"));
    };
    let line = lines[at];
    let value = line.trim_start().trim_start_matches("arguments:").trim();
    let mut out: Vec<String> = lines.iter().map(|l| (*l).to_owned()).collect();
    if let Some(flow) = value.strip_prefix('[').and_then(|v| v.strip_suffix(']')) {
        let items = if flow.trim().is_empty() {
            ids.join(", ")
        } else {
            format!("{}, {}", flow.trim(), ids.join(", "))
        };
        out[at] = format!("{pad}arguments: [{items}]");
        return Ok(out.join("\n"));
    }
    if value.is_empty() {
        // A block list: after its last `- ` item.
        let mut last = at;
        while last + 1 < lines.len() && lines[last + 1].trim_start().starts_with("- ") {
            last += 1;
        }
        let item_indent = if last > at {
            lines[last].chars().take_while(|c| *c == ' ').count()
        } else {
            child_indent + 2
        };
        for (k, id) in ids.iter().enumerate() {
            out.insert(last + 1 + k, format!("{}- {id}", " ".repeat(item_indent)));
        }
        return Ok(out.join("\n"));
    }
    Err(format!(
        "its services.yml arguments are written in a form not edited: {value}"
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn arguments_are_added_in_the_entry_s_own_form() {
        let ids = ["'@messenger'".to_owned()];
        assert_eq!(
            add_arguments("  a.b:\n    class: X\n    arguments: ['@c']", &ids).unwrap(),
            "  a.b:\n    class: X\n    arguments: ['@c', '@messenger']"
        );
        assert_eq!(
            add_arguments(
                "  a.b:\n    class: X\n    arguments:\n      - '@c'\n    tags: []",
                &ids
            )
            .unwrap(),
            "  a.b:\n    class: X\n    arguments:\n      - '@c'\n      - '@messenger'\n    tags: []"
        );
        assert_eq!(
            add_arguments("  a.b:\n    class: X", &ids).unwrap(),
            "  a.b:\n    class: X\n    arguments: ['@messenger']"
        );
    }
}
