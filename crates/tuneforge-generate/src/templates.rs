//! Template families: instructions written from a real file's facts, answered with the real
//! file. Each family names the facts it needs; a file without them is listed as dropped
//! with the missing fact, never padded with invented text.

use tuneforge_php::facts::{ClassFacts, MethodOutline};
use tuneforge_php::yaml::{RouteFact, ServiceFact, YamlFacts};

use crate::Emitter;
use crate::corpus::{Corpus, Extension};
use crate::phrasing::{Described, clause, fenced, fill};
use crate::refactor::plugin_decl;
use tuneforge_core::text::with_article;

/// One task family.
pub struct Family {
    pub name: &'static str,
    pub run: fn(&Corpus, &mut Emitter),
}

/// Bumped when a family's output changes, so datasets say which wording they hold.
const VERSION: u32 = 2;

pub const FAMILIES: &[Family] = &[
    Family {
        name: "plugin",
        run: plugins,
    },
    Family {
        name: "hook-class",
        run: hook_classes,
    },
    Family {
        name: "service",
        run: services,
    },
    Family {
        name: "route-controller",
        run: routes,
    },
    Family {
        name: "route-form",
        run: route_forms,
    },
    Family {
        name: "component",
        run: components,
    },
    Family {
        name: "twig-template",
        run: crate::twig_templates::run,
    },
    Family {
        name: "menu-links",
        run: crate::module_yaml::run_links,
    },
    Family {
        name: "permissions",
        run: crate::module_yaml::run_permissions,
    },
    Family {
        name: "config-schema",
        run: crate::config_schema::run,
    },
    Family {
        name: "dependency-injection",
        run: injection,
    },
    Family {
        name: "explain-class",
        run: explain,
    },
    Family {
        name: "upgrade-10-11",
        run: upgrade,
    },
];

/// `template:<family>@<version>`.
pub fn generator(family: &str) -> String {
    format!("template:{family}@{VERSION}")
}

/// `FieldFormatter` → `field formatter`.
pub fn words(camel: &str) -> String {
    let mut out = String::new();
    let chars: Vec<char> = camel.chars().collect();
    for (i, c) in chars.iter().enumerate() {
        let boundary = i > 0
            && c.is_uppercase()
            && (chars[i - 1].is_lowercase() || chars.get(i + 1).is_some_and(|n| n.is_lowercase()));
        if boundary {
            out.push(' ');
        }
        out.extend(c.to_lowercase());
    }
    out
}

fn short(fqcn: &str) -> &str {
    fqcn.rsplit('\\').next().unwrap_or(fqcn)
}

/// `a`, `a and b`, `a, b and c`.
pub(crate) fn list_of(items: &[String]) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

/// The file's path inside its extension.
fn inside<'a>(corpus: &'a Corpus, file: usize, ext: &Extension) -> &'a str {
    &corpus.files[file].path[ext.dir.len()..]
}

/// Code from a test directory teaches tests, not the task: families skip it.
fn is_test(corpus: &Corpus, file: usize) -> bool {
    tuneforge_core::source_path::is_test_path(&corpus.files[file].rel)
}

/// The classes a family considers, with their extension, skipping test code.
fn candidates(corpus: &Corpus) -> impl Iterator<Item = (usize, &ClassFacts, &Extension)> {
    corpus
        .classes()
        .filter(move |(f, c)| c.kind == "class" && !is_test(corpus, *f))
        .filter_map(move |(f, c)| corpus.extension(f).map(|e| (f, c, e)))
}

/// Why a class is refactor material rather than an example of Drupal 11 code: it calls
/// `\Drupal::` or uses symbols on the deprecation list.
fn legacy(corpus: &Corpus, file: usize, c: &ClassFacts) -> Option<String> {
    if let Some(note) = &c.deprecated {
        return Some(if note.is_empty() {
            "the class is @deprecated; it is not an example of Drupal 11 code".to_owned()
        } else {
            format!("the class is @deprecated ({note}); it is not an example of Drupal 11 code")
        });
    }
    if let Some(call) = c.drupal_calls.first() {
        return Some(format!(
            "the class calls \\Drupal::{}() (line {}); it is refactor material, not an example",
            call.method, call.line
        ));
    }
    let uses = corpus.facts[file]
        .as_ref()
        .map(|f| f.deprecated_uses.as_slice())
        .unwrap_or_default();
    uses.first().map(|u| {
        format!("the file uses a deprecated symbol (line {}: {}); it is refactor material, not an example", u.line, u.message)
    })
}

/// The docblock summary a family writes its instruction from, if the class can be an
/// example at all; otherwise why not.
fn example_summary<'c>(corpus: &Corpus, file: usize, c: &'c ClassFacts) -> Result<&'c str, String> {
    if let Some(reason) = legacy(corpus, file, c) {
        return Err(reason);
    }
    c.summary
        .as_deref()
        .ok_or_else(|| "the class has no docblock summary to write the instruction from".to_owned())
}

fn code_answer(intro: &str, lang: &str, code: &str, notes: &str) -> String {
    let mut out = format!("{intro}\n\n{}", fenced(lang, code));
    if !notes.is_empty() {
        out.push_str("\n\n");
        out.push_str(notes);
    }
    out
}

/// A class's dependencies, each named once: by service id when `create()` fetches them
/// (the constructor's typed parameters are the same dependencies again), else by the
/// constructor parameter's type.
fn injected_services(c: &ClassFacts) -> Vec<String> {
    let by_id: Vec<String> = c
        .injected
        .iter()
        .filter(|i| i.via == "create")
        .filter_map(|i| i.service.as_deref().map(|s| format!("`{s}`")))
        .collect();
    let named = if by_id.is_empty() {
        c.injected
            .iter()
            .filter_map(|i| i.type_name.as_deref().map(|t| format!("`{}`", short(t))))
            .collect()
    } else {
        by_id
    };
    let mut seen = std::collections::BTreeSet::new();
    named
        .into_iter()
        .filter(|n| seen.insert(n.clone()))
        .collect()
}

fn plugins(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("plugin");
    for (file, c, ext) in candidates(corpus) {
        let Some(p) = &c.plugin else { continue };
        if p.declared_by != "attribute" || p.also_annotated {
            continue;
        }
        let src = corpus.files[file].cite();
        let summary = match example_summary(corpus, file, c) {
            Ok(s) => s,
            Err(reason) => {
                out.drop(&generator, src, reason);
                continue;
            }
        };
        let Some(id) = &p.id else {
            out.drop(&generator, src, "the plugin has no id");
            continue;
        };
        if p.plugin_type == "PluginID" {
            out.drop(
                &generator,
                src,
                "declared with the generic #[PluginID] attribute, which does not name the plugin type",
            );
            continue;
        }
        let kind = words(&p.plugin_type);
        let label = p
            .label
            .as_ref()
            .map(|l| format!(", labelled \"{l}\""))
            .unwrap_or_default();
        let key = format!("{src}#plugin");
        let ask = out.pick(
            &key,
            &[
                "Create {a_kind} plugin for the {module} module in Drupal 11{that}. Use the plugin ID `{id}`{label} and declare it with a PHP 8.3 attribute.",
                "In my {module} module I need {a_kind} plugin{that}: ID `{id}`{label}. Write the class for Drupal 11, declared with the #[{type}] attribute.",
                "Write the Drupal 11 {kind} plugin `{id}` for the {module} module{that}. Use PHP attributes, not annotations.",
                "Drupal 11: add {a_kind} plugin to {module}{that}. Plugin ID: `{id}`{label}.",
            ],
        );
        let user = fill(
            ask,
            &[
                ("a_kind", &with_article(&kind)),
                ("kind", &kind),
                ("module", &ext.name),
                ("that", &Described::new(summary).that),
                ("id", id),
                ("label", &label),
                ("type", &p.plugin_type),
            ],
        );
        let intro = format!(
            "{} `{}`, in `{}`:",
            out.pick(
                &key,
                &[
                    "Here is the plugin class",
                    "The plugin is the class",
                    "This is"
                ]
            ),
            c.fqcn,
            inside(corpus, file, ext)
        );
        let mut notes = format!(
            "The `#[{}]` attribute (`{}`) declares the plugin, so Drupal 11 discovers it from the class itself; no docblock annotation is needed.",
            p.plugin_type, p.declared_with
        );
        let services = injected_services(c);
        if !services.is_empty() {
            notes.push_str(&format!(
                " Its dependencies ({}) come in through `create()` and the constructor.",
                list_of(&services)
            ));
        }
        let answer = code_answer(&intro, "php", &corpus.files[file].text, &notes);
        out.emit(&generator, "drupal-plugins", file, user, answer);
    }
}

/// The `#[Hook]` hooks a class implements.
fn class_hooks(corpus: &Corpus, file: usize, c: &ClassFacts) -> Vec<String> {
    let Some(php) = corpus.facts[file].as_ref().and_then(|f| f.php.as_ref()) else {
        return Vec::new();
    };
    php.hooks
        .iter()
        .filter(|h| h.style == "attribute")
        .filter(|h| {
            let owner = h.implementation.split("::").next().unwrap_or("");
            owner == c.name || owner == c.fqcn
        })
        .map(|h| format!("hook_{}()", h.hook))
        .collect()
}

/// A hook class's summary for its instruction, unless it only repeats the hooks the
/// instruction names already ("Implements hook_page_attachments() for system").
fn hook_class_described(summary: &str) -> String {
    if summary
        .trim_start()
        .to_ascii_lowercase()
        .starts_with("implements hook")
    {
        String::new()
    } else {
        Described::new(summary).that
    }
}

fn hook_classes(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("hook-class");
    for (file, c, ext) in candidates(corpus) {
        let hooks = class_hooks(corpus, file, c);
        if hooks.is_empty() {
            continue;
        }
        let src = corpus.files[file].cite();
        let summary = match example_summary(corpus, file, c) {
            Ok(s) => s,
            Err(reason) => {
                out.drop(&generator, src, reason);
                continue;
            }
        };
        let key = format!("{src}#hook-class");
        let ask = out.pick(
            &key,
            &[
                "Implement {hooks} for the {module} {kind} as Drupal 11 OOP hooks: a class `{class}`{that}.",
                "Write a Drupal 11.1+ hook class for {module}{that}. It should implement {hooks} with #[Hook] attributes.",
                "Using object-oriented hooks (Drupal 11.1+), create `{class}` in the {module} {kind}{that}, implementing {hooks}.",
            ],
        );
        let user = fill(
            ask,
            &[
                ("hooks", &list_of(&hooks)),
                ("module", &ext.name),
                ("kind", ext.kind),
                ("class", &c.name),
                ("that", &hook_class_described(summary)),
            ],
        );
        let intro = format!("`{}`, in `{}`:", c.fqcn, inside(corpus, file, ext));
        let mut notes = if ext.kind == "theme" {
            "Classes in the theme's `src/Hook/` directory are registered as autowired services, as a module's are since Drupal 11.1, and each method marked `#[Hook('…')]` implements that hook, so no function in the `.theme` file is needed.".to_owned()
        } else {
            "Since Drupal 11.1, classes in a module's `src/Hook/` directory are registered as autowired services, and each method marked `#[Hook('…')]` implements that hook, so no function in the `.module` file is needed.".to_owned()
        };
        let services = injected_services(c);
        if !services.is_empty() {
            notes.push_str(&format!(
                " The class takes {} through its constructor.",
                list_of(&services)
            ));
        }
        let answer = code_answer(&intro, "php", &corpus.files[file].text, &notes);
        out.emit(&generator, "drupal-hooks", file, user, answer);
    }
}

/// The lines of the YAML mapping entry starting at `line` (1-based): the key line and every
/// following line indented deeper (or blank).
pub fn yaml_entry(text: &str, line: usize) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let first = *lines.get(line.checked_sub(1)?)?;
    let indent = first.len() - first.trim_start().len();
    let mut out = vec![first];
    for l in &lines[line..] {
        let deeper = l.len() - l.trim_start().len() > indent;
        if l.trim().is_empty() || deeper {
            out.push(l);
        } else {
            break;
        }
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    Some(out.join("\n"))
}

/// The `services:` snippet registering one service: `_defaults`, its entry and its aliases.
fn services_snippet(text: &str, services: &[ServiceFact], service: &ServiceFact) -> Option<String> {
    let mut parts = Vec::new();
    if let Some(defaults) = services.iter().find(|s| s.id == "_defaults") {
        parts.push(yaml_entry(text, defaults.line)?);
    }
    parts.push(yaml_entry(text, service.line)?);
    for alias in services
        .iter()
        .filter(|s| s.alias_of.as_deref() == Some(service.id.as_str()))
    {
        parts.push(yaml_entry(text, alias.line)?);
    }
    Some(format!("services:\n{}", parts.join("\n")))
}

fn services(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("service");
    for ext in &corpus.extensions {
        let Some(yml) = corpus.extension_file(ext, &format!("{}.services.yml", ext.name)) else {
            continue;
        };
        let Some(YamlFacts::Services { services }) = corpus.yaml(yml) else {
            continue;
        };
        for service in services {
            if service.id == "_defaults" || service.alias_of.is_some() {
                continue;
            }
            let class = service
                .class
                .clone()
                .or_else(|| service.id.contains('\\').then(|| service.id.clone()));
            let Some(class) = class else { continue };
            // Core's or another module's class: the answer would not be this module's code.
            let Some((file, c)) = corpus
                .class_file(&class)
                .filter(|(f, _)| corpus.extension(*f).is_some_and(|e| e.dir == ext.dir))
            else {
                continue;
            };
            let src = corpus.files[file].cite();
            let summary = match example_summary(corpus, file, c) {
                Ok(s) => s,
                Err(reason) => {
                    out.drop(&generator, src, reason);
                    continue;
                }
            };
            let Some(snippet) = services_snippet(&corpus.files[yml].text, services, service) else {
                out.drop(
                    &generator,
                    src,
                    "its services.yml entry could not be cut out",
                );
                continue;
            };
            let named = services
                .iter()
                .find(|s| s.alias_of.as_deref() == Some(service.id.as_str()))
                .map(|a| a.id.clone())
                .unwrap_or_else(|| service.id.clone());
            let key = format!("{src}#service:{}", service.id);
            let autowired =
                service.autowire || services.iter().any(|s| s.id == "_defaults" && s.autowire);
            let wiring = if autowired {
                "with autowiring"
            } else if snippet.contains("parent:") {
                "with its parent service"
            } else if !snippet.contains("arguments:") {
                "with no arguments"
            } else {
                "with its arguments listed"
            };
            let ask = out.pick(
                &key,
                &[
                    "Create a service for the {module} module{that}. Register it as `{id}` in `{module}.services.yml` {wiring}.",
                    "I need a Drupal 11 service `{id}` in {module}{that}. Write the class and its `{module}.services.yml` entry ({wiring}).",
                    "Add a service class `{class}` to {module}{that}. Show the class and how it is registered in `{module}.services.yml`.",
                ],
            );
            let user = fill(
                ask,
                &[
                    ("module", &ext.name),
                    ("that", &Described::new(summary).that),
                    ("id", &named),
                    ("wiring", wiring),
                    ("class", &c.name),
                ],
            );
            let answer = format!(
                "The service class, `{}`:\n\n{}\n\nIts registration in `{}.services.yml`:\n\n{}",
                inside(corpus, file, ext),
                fenced("php", &corpus.files[file].text),
                ext.name,
                fenced("yaml", &snippet)
            );
            out.emit(&generator, "drupal-services", file, user, answer);
        }
    }
}

fn requirement_text(route: &RouteFact) -> String {
    let parts: Vec<String> = route
        .requirements
        .iter()
        .map(|(k, v)| match v.as_str() {
            Some(s) => format!("`{k}: '{s}'`"),
            None => format!("`{k}: {v}`"),
        })
        .collect();
    if parts.is_empty() {
        return "no access requirement".to_owned();
    }
    list_of(&parts)
}

fn routes(corpus: &Corpus, out: &mut Emitter) {
    route_samples(corpus, out, RouteKind::Controller);
}

fn route_forms(corpus: &Corpus, out: &mut Emitter) {
    route_samples(corpus, out, RouteKind::Form);
}

/// What a route's handler is: a controller method (`_controller`) or a form class
/// (`_form`).
#[derive(Clone, Copy, PartialEq, Eq)]
enum RouteKind {
    Controller,
    Form,
}

/// The methods of a form class that a route sample keeps: what the form builder calls and
/// what the class needs to be built.
const FORM_METHODS: &[&str] = &[
    "getFormId",
    "getEditableConfigNames",
    "buildForm",
    "validateForm",
    "submitForm",
    "__construct",
    "create",
];

fn route_samples(corpus: &Corpus, out: &mut Emitter, kind: RouteKind) {
    let (generator, handler_key) = match kind {
        RouteKind::Controller => (generator("route-controller"), "_controller"),
        RouteKind::Form => (generator("route-form"), "_form"),
    };
    for ext in &corpus.extensions {
        let Some(yml) = corpus.extension_file(ext, &format!("{}.routing.yml", ext.name)) else {
            continue;
        };
        let Some(YamlFacts::Routes { routes }) = corpus.yaml(yml) else {
            continue;
        };
        for route in routes {
            if route.handler_key.as_deref() != Some(handler_key) {
                continue;
            }
            let Some(handler) = route.handler.as_deref() else {
                continue;
            };
            let (class, method) = match kind {
                RouteKind::Controller => match handler.split_once("::") {
                    Some((class, method)) => (class, method),
                    None => continue,
                },
                RouteKind::Form => (handler, "buildForm"),
            };
            let Some((file, c)) = corpus
                .class_file(class)
                .filter(|(f, _)| corpus.extension(*f).is_some_and(|e| e.dir == ext.dir))
            else {
                continue;
            };
            let src = corpus.files[file].cite();
            let summary = match example_summary(corpus, file, c) {
                Ok(s) => s,
                Err(reason) => {
                    out.drop(&generator, src, reason);
                    continue;
                }
            };
            let Some(path) = &route.path else {
                out.drop(&generator, src, "the route has no path");
                continue;
            };
            let Some(snippet) = yaml_entry(&corpus.files[yml].text, route.line) else {
                out.drop(
                    &generator,
                    src,
                    "its routing.yml entry could not be cut out",
                );
                continue;
            };
            let key = format!("{src}#route:{}", route.name);
            let ask = match kind {
                RouteKind::Controller => out.pick(
                    &key,
                    &[
                        "Add a page at `{path}` to the {module} module: a route `{name}` served by `{class}::{method}()`, a controller{that}. Access: {requirements}.",
                        "In Drupal 11, create the route `{name}` (path `{path}`) for {module} and its controller method `{class}::{method}()`, in a controller{that}. Require {requirements}.",
                        "Write a Drupal 11 controller for {module}{that}, and the routing entry `{name}` mapping `{path}` to its `{method}()` method ({requirements}).",
                    ],
                ),
                RouteKind::Form => out.pick(
                    &key,
                    &[
                        "Add a page at `{path}` to the {module} module that shows the form `{class}`{that}: the route `{name}` and the form class. Access: {requirements}.",
                        "In Drupal 11, create the route `{name}` (path `{path}`) for {module} and the form `{class}` it shows{that}. Require {requirements}.",
                        "Write a Drupal 11 form for {module}{that}, and the routing entry `{name}` that shows it at `{path}` ({requirements}).",
                    ],
                ),
            };
            let user = fill(
                ask,
                &[
                    ("path", path),
                    ("module", &ext.name),
                    ("name", &route.name),
                    ("class", &c.name),
                    ("method", method),
                    ("that", &Described::new(summary).that),
                    ("requirements", &requirement_text(route)),
                ],
            );
            // The routed method (for a form, what the form builder calls) and what the
            // class needs (properties, constructor, create()).
            let keep: Vec<&str> = match kind {
                RouteKind::Controller => vec![method, "__construct", "create"],
                RouteKind::Form => FORM_METHODS.to_vec(),
            };
            let (code, left_out) = class_excerpt(&corpus.files[file].text, &c.name, &keep)
                .unwrap_or_else(|| (corpus.files[file].text.clone(), 0));
            let what = match kind {
                RouteKind::Controller => "the method this route calls",
                RouteKind::Form => "the methods the form builder calls",
            };
            let mut answer = format!(
                "The route, in `{}.routing.yml`:\n\n{}\n\nThe {}, `{}`{}:\n\n{}",
                ext.name,
                fenced("yaml", &snippet),
                if kind == RouteKind::Form {
                    "form"
                } else {
                    "controller"
                },
                inside(corpus, file, ext),
                if left_out > 0 {
                    format!(
                        ", with {what} and what it needs ({left_out} other method{} left out)",
                        if left_out == 1 { "" } else { "s" }
                    )
                } else {
                    String::new()
                },
                fenced("php", &code),
            );
            if kind == RouteKind::Form {
                answer.push_str("\n\nA `_form` route needs no controller: the form builder builds the class (through `create()` when it has one), takes its ID from `getFormId()`, renders `buildForm()`, and calls `validateForm()` and `submitForm()` when the form is submitted.");
            }
            out.emit(&generator, "drupal-routing", file, user, answer);
        }
    }
}

/// The file with every method of class `class` removed except `keep` (with the docblock
/// before each removed one), and how many were removed; `None` when the class is not
/// found or nothing would be removed.
fn class_excerpt(source: &str, class: &str, keep: &[&str]) -> Option<(String, usize)> {
    use tuneforge_php::parse::{parse, text};
    let tree = parse(source);
    let mut body = None;
    tuneforge_php::parse::visit(tree.root_node(), &mut |n| {
        if n.kind() == "class_declaration"
            && n.child_by_field_name("name").map(|x| text(x, source)) == Some(class)
        {
            body = n.child_by_field_name("body");
        }
        body.is_none()
    });
    let body = body?;
    let mut cursor = body.walk();
    let children: Vec<_> = body.named_children(&mut cursor).collect();
    let mut cut: Vec<std::ops::Range<usize>> = Vec::new();
    for (i, m) in children.iter().enumerate() {
        if m.kind() != "method_declaration" {
            continue;
        }
        let name = m
            .child_by_field_name("name")
            .map(|n| text(n, source))
            .unwrap_or("");
        if keep.contains(&name) {
            continue;
        }
        let mut start = m.start_byte();
        if i > 0 && children[i - 1].kind() == "comment" {
            start = children[i - 1].start_byte();
        }
        // Whole lines: from the blank line before it through the end of its last line.
        let line_start = source[..start].rfind('\n').map_or(0, |p| p + 1);
        let end = source[m.end_byte()..]
            .find('\n')
            .map_or(source.len(), |p| m.end_byte() + p + 1);
        let from = if source[..line_start].ends_with("\n\n") {
            line_start - 1
        } else {
            line_start
        };
        cut.push(from..end);
    }
    if cut.is_empty() {
        return None;
    }
    let removed = cut.len();
    let mut out = source.to_owned();
    for r in cut.into_iter().rev() {
        out.replace_range(r, "");
    }
    Some((out, removed))
}

fn components(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("component");
    for (file, f) in corpus.files.iter().enumerate() {
        let Some(YamlFacts::Component { component }) = corpus.yaml(file) else {
            continue;
        };
        let Some(ext) = corpus.extension(file) else {
            continue;
        };
        let src = f.cite();
        let machine = f.file_name().trim_end_matches(".component.yml").to_owned();
        let dir = &f.path[..f.path.len() - f.file_name().len()];
        let Some(twig) = corpus.index_of(&format!("{dir}{machine}.twig")) else {
            out.drop(
                &generator,
                src,
                format!("no {machine}.twig beside the component's YAML"),
            );
            continue;
        };
        let meta: serde_json::Value = serde_saphyr::from_str(&f.text).unwrap_or_default();
        // Core's components name themselves and leave the description out; the name, props
        // and slots still say what to build.
        let description = match (
            meta.get("description").and_then(|d| d.as_str()),
            meta.get("name").and_then(|n| n.as_str()),
        ) {
            (Some(d), _) => d.trim().to_owned(),
            (None, Some(name)) => format!("a component named \"{}\"", name.trim()),
            (None, None) => {
                out.drop(
                    &generator,
                    src,
                    "the component has neither a description nor a name to write the instruction from",
                );
                continue;
            }
        };
        let description = description.as_str();
        let props: Vec<String> = component.props.iter().map(|p| format!("`{p}`")).collect();
        let slots: Vec<String> = component.slots.iter().map(|s| format!("`{s}`")).collect();
        let mut spec = String::new();
        if !props.is_empty() {
            spec.push_str(&format!(" Props: {}", list_of(&props)));
            if !component.required.is_empty() {
                let required: Vec<String> = component
                    .required
                    .iter()
                    .map(|r| format!("`{r}`"))
                    .collect();
                spec.push_str(&format!(" ({} required)", list_of(&required)));
            }
            spec.push('.');
        }
        if !slots.is_empty() {
            spec.push_str(&format!(" Slots: {}.", list_of(&slots)));
        }
        let key = format!("{src}#component");
        let ask = out.pick(
            &key,
            &[
                "Create a Single Directory Component `{machine}` in the {module} {kind}: {description}.{spec}",
                "Build an SDC for Drupal 11 named `{machine}` ({kind} {module}). {Description}{spec}",
                "Write the component metadata and Twig template for a `{machine}` Single Directory Component in the {module} {kind}; {description}.{spec}",
            ],
        );
        let user = fill(
            ask,
            &[
                ("machine", &machine),
                ("module", &ext.name),
                ("kind", ext.kind),
                ("description", &clause(description)),
                ("Description", &{
                    let d = capitalized(description.trim());
                    if d.ends_with('.') { d } else { format!("{d}.") }
                }),
                ("spec", &spec),
            ],
        )
        .replace(".. ", ". ")
        .replace(". .", ".");
        let rel_dir = &dir[ext.dir.len()..];
        let mut answer = format!(
            "`{rel_dir}{machine}.component.yml` describes the component:\n\n{}\n\n`{rel_dir}{machine}.twig` renders it:\n\n{}",
            fenced("yaml", &f.text),
            fenced("twig", &corpus.files[twig].text)
        );
        if let Some(css) = corpus.index_of(&format!("{dir}{machine}.css")) {
            answer.push_str(&format!(
                "\n\nIts stylesheet, `{rel_dir}{machine}.css`, is attached automatically:\n\n{}",
                fenced("css", &corpus.files[css].text)
            ));
        }
        answer.push_str(&format!(
            "\n\nUse it from another template with `{{{{ include('{}:{machine}', {{...}}) }}}}`; Drupal finds components by directory, with no registration.",
            ext.name
        ));
        out.emit(&generator, "drupal-components", file, user, answer);
    }
}

fn capitalized(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// What a class is, for an instruction: `form`, `block plugin`, `controller`, ….
fn class_role(c: &ClassFacts) -> String {
    if let Some(p) = &c.plugin {
        return format!("{} plugin", words(&p.plugin_type));
    }
    let base = c.extends.as_deref().map(short).unwrap_or("");
    if base.ends_with("FormBase") {
        if base == "ConfigFormBase" {
            "configuration form".to_owned()
        } else {
            "form".to_owned()
        }
    } else if base == "ControllerBase" || c.fqcn.contains("\\Controller\\") {
        "controller".to_owned()
    } else {
        "class".to_owned()
    }
}

fn injection(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("dependency-injection");
    for (file, c, ext) in candidates(corpus) {
        let services = injected_services(c);
        let creates = c.methods.iter().any(|m| m == "create");
        let role = class_role(c);
        if services.is_empty() || !creates || role == "class" {
            continue;
        }
        let src = corpus.files[file].cite();
        let summary = match example_summary(corpus, file, c) {
            Ok(s) => s,
            Err(reason) => {
                out.drop(&generator, src, reason);
                continue;
            }
        };
        let key = format!("{src}#di");
        let ask = out.pick(
            &key,
            &[
                "Write {a_role} for the {module} module{that}. Inject {services} through `create()` and the constructor instead of calling `\\Drupal::`.",
                "Drupal 11, module {module}: I need {a_role}, `{class}`{that}. Use dependency injection for {services}.",
                "Create `{class}`, {a_role} in {module}{that}, with {services} injected (no service locator calls).",
            ],
        );
        let user = fill(
            ask,
            &[
                ("a_role", &with_article(&role)),
                ("module", &ext.name),
                ("that", &Described::new(summary).that),
                ("services", &list_of(&services)),
                ("class", &c.name),
            ],
        );
        let intro = format!("`{}`, in `{}`:", c.fqcn, inside(corpus, file, ext));
        let notes = format!(
            "`create()` takes {} from the container and hands {} to the constructor, which keeps {} as {}. Nothing reaches for the global container, so the class can be unit-tested with mocks.",
            list_of(&services),
            if services.len() == 1 { "it" } else { "them" },
            if services.len() == 1 { "it" } else { "them" },
            if services.len() == 1 {
                "a property"
            } else {
                "properties"
            }
        );
        let answer = code_answer(&intro, "php", &corpus.files[file].text, &notes);
        out.emit(&generator, "drupal-services", file, user, answer);
    }
}

/// Classes that show Drupal 11 code as it should be (no `\Drupal::` calls, no deprecated
/// symbols, a docblock summary), with the domain their samples take.
pub(crate) fn example_classes(corpus: &Corpus) -> impl Iterator<Item = (usize, &'static str)> + '_ {
    candidates(corpus)
        .filter(move |(file, c, _)| {
            example_summary(corpus, *file, c).is_ok()
                && corpus.files[*file].duplicate_of.is_none()
                && c.plugin
                    .as_ref()
                    .is_none_or(|p| p.declared_by == "attribute")
        })
        .map(move |(file, c, _)| (file, domain_of(c, corpus, file)))
}

fn domain_of(c: &ClassFacts, corpus: &Corpus, file: usize) -> &'static str {
    if c.plugin.is_some() {
        "drupal-plugins"
    } else if !class_hooks(corpus, file, c).is_empty() {
        "drupal-hooks"
    } else if class_role(c) == "controller" {
        "drupal-routing"
    } else if !c.injected.is_empty() || c.fqcn.contains("\\Form\\") {
        "drupal-services"
    } else {
        "drupal-general"
    }
}

fn explain(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("explain-class");
    for (file, c, ext) in candidates(corpus) {
        let src = corpus.files[file].cite();
        if c.deprecated.is_some() {
            out.drop(
                &generator,
                src,
                "the class is @deprecated; explaining it would teach code on its way out",
            );
            continue;
        }
        if c.fqcn.contains("\\Annotation\\") {
            out.drop(
                &generator,
                src,
                "an annotation class: it only describes how a plugin type is declared",
            );
            continue;
        }
        let Some(summary) = &c.summary else {
            out.drop(
                &generator,
                src,
                "the class has no docblock summary to explain it from",
            );
            continue;
        };
        let mut points = Vec::new();
        if let Some(p) = &c.plugin {
            let label = p
                .label
                .as_ref()
                .map(|l| format!(" (\"{l}\")"))
                .unwrap_or_default();
            let id = p.id.as_ref().map(|i| format!(" `{i}`")).unwrap_or_default();
            points.push(match p.declared_by {
                "attribute" => format!(
                    "It is the {} plugin{id}{label}, declared with the `#[{}]` attribute, which is how Drupal 11 discovers plugins.",
                    words(&p.plugin_type),
                    p.plugin_type
                ),
                _ => format!(
                    "It is the {} plugin{id}{label}, declared with a `@{}` docblock annotation. {}",
                    words(&p.plugin_type),
                    p.plugin_type,
                    annotation_status(corpus, file, &p.plugin_type)
                ),
            });
        }
        if let Some(base) = &c.extends {
            points.push(format!("It extends `{}`.", short(base)));
        }
        if !c.implements.is_empty() {
            let names: Vec<String> = c
                .implements
                .iter()
                .map(|i| format!("`{}`", short(i)))
                .collect();
            points.push(format!("It implements {}.", list_of(&names)));
        }
        let hooks = class_hooks(corpus, file, c);
        if !hooks.is_empty() {
            points.push(format!(
                "It implements {} as {}, so Drupal 11.1+ calls it without any `.module` function.",
                list_of(&hooks),
                if hooks.len() == 1 {
                    "a `#[Hook]` method"
                } else {
                    "`#[Hook]` methods"
                }
            ));
        }
        let services = injected_services(c);
        if !services.is_empty() {
            // Services come from the container only through create() or autowiring (a
            // hook class); other constructors just take objects.
            // A container factory takes the container: `create(ContainerInterface
            // $container, …)`; a static `create(array $values)` is not one.
            let factory = c
                .method_outlines
                .iter()
                .any(|m| m.name == "create" && m.params.first().is_some_and(|p| p == "$container"));
            let from_container = factory || !class_hooks(corpus, file, c).is_empty();
            points.push(if from_container {
                format!(
                    "Its dependencies, {}, are injected through {}.",
                    list_of(&services),
                    if factory {
                        "`create()` and its constructor"
                    } else {
                        "its autowired constructor"
                    }
                )
            } else {
                format!("Its constructor takes {}.", list_of(&services))
            });
        }
        if !c.drupal_calls.is_empty() {
            let mut calls: Vec<String> = c
                .drupal_calls
                .iter()
                .map(|d| match &d.service {
                    Some(s) => format!("`\\Drupal::service('{s}')`"),
                    None => format!("`\\Drupal::{}()`", d.method),
                })
                .collect();
            // Each call once, in order of first use.
            let mut seen = std::collections::BTreeSet::new();
            calls.retain(|c| seen.insert(c.clone()));
            // Injection is advice only where the container builds the class and the call is
            // in an instance method.
            let advice = if tuneforge_php::rules::built_outside_the_container(c) {
                "the container does not build entities and their kin, so they cannot take services through a constructor and this is how they reach them".to_owned()
            } else if c.drupal_calls.iter().all(|d| d.in_static_method) {
                "the calls are in static methods, which constructor injection does not reach"
                    .to_owned()
            } else {
                match corpus.subclasses(&c.fqcn).count() {
                    0 => "in Drupal 11 these services should be injected instead, which also makes the class testable".to_owned(),
                    1 => "injecting them instead changes the constructor that the class in these sources that extends it calls, so that class would have to change too".to_owned(),
                    n => format!(
                        "injecting them instead changes the constructor that the {n} classes in these sources that extend it call, so those would have to change too"
                    ),
                }
            };
            points.push(format!(
                "It reaches for the global container with {}; {advice}.",
                list_of(&calls)
            ));
        }
        let key = format!("{src}#explain:{}", c.name);
        let ask = out.pick(
            &key,
            &[
                "Explain what this class from the {module} module does:\n\n{code}",
                "What does `{class}` do? It is in the {module} module.\n\n{code}",
                "I found this class in a Drupal module ({module}). Walk me through it.\n\n{code}",
            ],
        );
        let user = fill(
            ask,
            &[
                ("module", &ext.name),
                ("class", &c.name),
                ("code", &fenced("php", &corpus.files[file].text)),
            ],
        );
        let mut answer = format!("`{}` {}.", c.name, crate::phrasing::predicate(summary));
        if !points.is_empty() {
            answer.push_str("\n\n");
            answer.push_str(&points.join(" "));
        }
        let walk = method_walk(corpus, c, &services);
        if !walk.is_empty() {
            answer.push_str("\n\nMethod by method:\n\n");
            answer.push_str(&walk.join("\n"));
        }
        let notes = drupal11_notes(c);
        if !notes.is_empty() {
            answer.push_str("\n\n");
            answer.push_str(&notes.join(" "));
        }
        out.emit(&generator, domain_of(c, corpus, file), file, user, answer);
    }
}

/// What the sources say about declaring a plugin type by annotation: whether it has an
/// attribute class (and whether that can take this plugin's arguments), and whether the
/// annotation class is deprecated. Nothing is claimed that the sources do not show.
fn annotation_status(corpus: &Corpus, file: usize, plugin_type: &str) -> String {
    let Some(attribute) = corpus.attribute_class(plugin_type) else {
        return "The sources declare no attribute class for this plugin type, so the annotation is how its plugins are declared.".to_owned();
    };
    // A key of this plugin's annotation that the attribute's constructor does not take
    // (Drupal 11's #[MigrateSource] has no `source_module`) keeps the plugin annotated.
    let keys: Vec<String> = tuneforge_php::annotation::parse_annotations(&corpus.files[file].text)
        .into_iter()
        .find(|a| a.name == plugin_type)
        .map(|a| a.values.into_keys().collect())
        .unwrap_or_default();
    let params = corpus.attribute_parameters(attribute).unwrap_or_default();
    if let Some(key) = keys
        .iter()
        .find(|k| !params.is_empty() && !params.contains(&k.as_str()))
    {
        return format!(
            "The sources also have the `#[{plugin_type}]` attribute (`{attribute}`), but it takes no `{key}`, so plugins that need one keep the annotation."
        );
    }
    let annotation = attribute.replacen("\\Attribute\\", "\\Annotation\\", 1);
    let deprecated = corpus
        .class_file(&annotation)
        .and_then(|(_, a)| a.deprecated.clone())
        .map(|note| {
            if note.is_empty() {
                " The annotation class is deprecated.".to_owned()
            } else {
                format!(
                    " The annotation class is deprecated {}.",
                    note.trim_end_matches('.')
                )
            }
        })
        .unwrap_or_default();
    format!(
        "Its plugin type also has the `#[{plugin_type}]` attribute (`{attribute}`), which core's converted plugins use, so new code should declare it that way.{deprecated}"
    )
}

/// Methods an explanation walks through, at most; the rest are counted.
const WALKED_METHODS: usize = 12;

/// One line per method: its signature, what its docblock says it does (or where its
/// contract is documented), which dependencies it calls and what its body touches.
/// Where an `{@inheritdoc}` method's contract is documented: the nearest parent class or
/// interface in the sources whose method of that name has a summary of its own, with that
/// summary.
fn documented_contract<'c>(
    corpus: &'c Corpus,
    c: &ClassFacts,
    method: &str,
) -> Option<(&'c str, &'c str)> {
    let mut queue: std::collections::VecDeque<String> = c
        .extends
        .iter()
        .chain(c.implements.iter())
        .cloned()
        .collect();
    let mut seen = std::collections::HashSet::new();
    while let Some(fqcn) = queue.pop_front() {
        if !seen.insert(fqcn.clone()) || seen.len() > 64 {
            continue;
        }
        let Some((_, owner)) = corpus.class_file(&fqcn) else {
            continue;
        };
        if let Some(summary) = owner
            .method_outlines
            .iter()
            .find(|m| m.name == method && !m.inherits_doc)
            .and_then(|m| m.summary.as_deref())
        {
            return Some((owner.name.as_str(), summary));
        }
        queue.extend(owner.extends.iter().chain(owner.implements.iter()).cloned());
    }
    None
}

fn method_walk(corpus: &Corpus, c: &ClassFacts, services: &[String]) -> Vec<String> {
    let mut lines = Vec::new();
    // Methods whose whole story is "implements the documented contract" (and whose
    // contract the sources do not document) are named together, once, when there are
    // several.
    let contract_only = |m: &MethodOutline| {
        m.inherits_doc
            && m.summary.is_none()
            && m.uses.is_empty()
            && m.touches.is_empty()
            && documented_contract(corpus, c, &m.name).is_none()
    };
    let grouped: Vec<String> = c
        .method_outlines
        .iter()
        .filter(|m| contract_only(m))
        .map(|m| format!("`{}()`", m.name))
        .collect();
    let grouped = if grouped.len() > 1 {
        grouped
    } else {
        Vec::new()
    };
    let walked: Vec<&MethodOutline> = c
        .method_outlines
        .iter()
        .filter(|m| grouped.is_empty() || !contract_only(m))
        .collect();
    for m in walked.iter().take(WALKED_METHODS) {
        let mut traits = Vec::new();
        if m.visibility != "public" {
            traits.push(m.visibility);
        }
        if m.is_static {
            traits.push("static");
        }
        let params = m.params.join(", ");
        let returns = m
            .returns
            .as_deref()
            .map(|r| format!(": {r}"))
            .unwrap_or_default();
        let mut line = format!("- `{}({params}){returns}`", m.name);
        if !traits.is_empty() {
            line.push_str(&format!(" ({})", traits.join(", ")));
        }
        let mut said = Vec::new();
        match m.name.as_str() {
            "create" if m.is_static && !services.is_empty() => said.push(format!(
                "builds the object from the service container, taking {}",
                list_of(services)
            )),
            "__construct" if !services.is_empty() && m.summary.is_none() => {
                said.push("receives the dependencies and keeps them as properties".to_owned())
            }
            _ => {}
        }
        if let Some(summary) = &m.summary {
            said.push(clause(summary));
        } else if let Some((owner, summary)) = m
            .inherits_doc
            .then(|| documented_contract(corpus, c, &m.name))
            .flatten()
        {
            said.push(format!("{} (as `{owner}` documents it)", clause(summary)));
        } else if m.inherits_doc {
            let from = c
                .extends
                .as_deref()
                .map(|b| format!("`{}` or an interface it implements", short(b)))
                .unwrap_or_else(|| "the interface it implements".to_owned());
            said.push(format!("implements the contract documented on {from}"));
        }
        if !m.uses.is_empty() {
            let calls: Vec<String> = m.uses.iter().map(|u| format!("`{u}()`")).collect();
            said.push(format!("calls {}", list_of(&calls)));
        }
        let touches: Vec<String> = m
            .touches
            .iter()
            .map(|t| {
                match *t {
                    "cache metadata" => "adds cache metadata",
                    "access result" => "returns an access result",
                    "entity query (access checked)" => "runs an entity query with an access check",
                    "entity query" => "runs an entity query without `accessCheck()`",
                    "translation" => "translates its text",
                    "render array" => "builds a render array",
                    "event dispatch" => "dispatches an event",
                    "exception" => "can throw an exception",
                    "redirect" => "redirects",
                    other => other,
                }
                .to_owned()
            })
            .collect();
        said.extend(touches);
        if !said.is_empty() {
            line.push_str(": ");
            line.push_str(&said.join("; "));
        }
        line.push('.');
        lines.push(line);
    }
    if !grouped.is_empty() {
        let from = c
            .extends
            .as_deref()
            .map(|b| format!("`{}` or an interface it implements", short(b)))
            .unwrap_or_else(|| "the interfaces it implements".to_owned());
        lines.push(format!(
            "- {} implement the contract documented on {from}.",
            list_of(&grouped)
        ));
    }
    if walked.len() > WALKED_METHODS {
        lines.push(format!(
            "- …and {} more methods.",
            walked.len() - WALKED_METHODS
        ));
    }
    lines
}

/// What the code does that fails or is discouraged on Drupal 11, from its facts.
fn drupal11_notes(c: &ClassFacts) -> Vec<String> {
    let mut notes = Vec::new();
    let unchecked: Vec<String> = c
        .method_outlines
        .iter()
        .filter(|m| m.touches.contains(&"entity query"))
        .map(|m| format!("`{}()`", m.name))
        .collect();
    if !unchecked.is_empty() {
        notes.push(format!(
            "Note for Drupal 11: the entity query in {} does not call `accessCheck()`; since Drupal 10 a content entity query without it throws, so state `->accessCheck(TRUE)` (or `FALSE` where bypassing access is intended).",
            list_of(&unchecked)
        ));
    }
    notes
}

fn upgrade(corpus: &Corpus, out: &mut Emitter) {
    let generator = generator("upgrade-10-11");
    // Per plugin type, how many plugins of the sources (outside tests) are declared with
    // the attribute, and how many there are: what the answers say instead of a claim
    // about core.
    let mut declared: std::collections::HashMap<&str, (usize, usize)> =
        std::collections::HashMap::new();
    for (file, c) in corpus.classes() {
        if is_test(corpus, file) {
            continue;
        }
        if let Some(q) = &c.plugin {
            let counts = declared.entry(q.plugin_type.as_str()).or_default();
            counts.0 += usize::from(q.declared_by == "attribute");
            counts.1 += 1;
        }
    }
    for (file, c, ext) in candidates(corpus) {
        let Some(p) = &c.plugin else { continue };
        if p.declared_by != "attribute" || p.also_annotated {
            continue;
        }
        let src = corpus.files[file].cite();
        let Some(id) = &p.id else {
            out.drop(&generator, src, "the plugin has no id");
            continue;
        };
        if p.plugin_type == "PluginID" {
            out.drop(
                &generator,
                src,
                "declared with the generic #[PluginID] attribute, which has no annotation counterpart",
            );
            continue;
        }
        let text = &corpus.files[file].text;
        let diff = match plugin_decl::attribute_to_annotation_diff(text, &p.plugin_type) {
            Ok(d) => d,
            Err(reason) => {
                out.drop(&generator, src, reason);
                continue;
            }
        };
        if let Some(reason) = legacy(corpus, file, c) {
            out.drop(&generator, src, reason);
            continue;
        }
        // The annotation class is what code being upgraded uses; where the sources have
        // none, there is nothing to upgrade from. Whether it is deprecated, and since when,
        // is what its own docblock says.
        let annotation_class = p
            .declared_with
            .replacen("\\Attribute\\", "\\Annotation\\", 1);
        let Some((_, annotation)) = corpus.class_file(&annotation_class) else {
            out.drop(
                &generator,
                src,
                format!("the sources declare no annotation class {annotation_class} for this plugin type: nothing to upgrade from"),
            );
            continue;
        };
        let status = match annotation.deprecated.as_deref() {
            Some("") => ", which is deprecated".to_owned(),
            Some(note) => format!(", which is deprecated {}", note.trim_end_matches('.')),
            None => {
                let (by_attribute, all) = declared
                    .get(p.plugin_type.as_str())
                    .copied()
                    .unwrap_or_default();
                format!(
                    ", which still works in this version of Drupal; {by_attribute} of the {all} {} plugins in these sources are declared with the attribute",
                    words(&p.plugin_type)
                )
            }
        };
        let kind = words(&p.plugin_type);
        let key = format!("{src}#upgrade");
        let ask = out.pick(
            &key,
            &[
                "We still declare our {kind} plugins with `@{type}` docblock annotations. How do I declare `{id}` in the {module} module with the PHP attribute Drupal 11 uses instead?",
                "Convert the declaration of the {kind} plugin `{id}` ({module} module) from a docblock annotation to a PHP attribute, and explain what changes.",
                "What changes when the {kind} plugin `{id}` of {module} moves from the `@{type}` annotation to the `#[{type}]` attribute?",
            ],
        );
        let user = fill(
            ask,
            &[
                ("kind", &kind),
                ("id", id),
                ("module", &ext.name),
                ("type", &p.plugin_type),
            ],
        );
        // Argument by argument, as this plugin declares them.
        let mapping = plugin_decl::argument_mapping(text, &p.plugin_type).unwrap_or_default();
        let mut by_argument = String::new();
        if !mapping.is_empty() {
            by_argument.push_str("\n\nArgument by argument:\n");
            for (annotation, attribute) in &mapping {
                let line = if annotation.ends_with("{ … }") {
                    format!(
                        "\n- `{}` keeps its entries, written as a PHP array: `{}`",
                        annotation.trim_end_matches(" = { … }"),
                        attribute
                    )
                } else {
                    format!("\n- `{annotation}` becomes `{attribute}`")
                };
                by_argument.push_str(&line);
            }
        }
        let answer = format!(
            "Drupal discovers {kind} plugins from the `#[{t}]` attribute (`{w}`), and from the `@{t}` docblock annotation (`{annotation_class}`){status}. With the attribute the declaration is PHP: named arguments, `new TranslatableMarkup()` where the annotation had `@Translation()`, and PHP itself checks the syntax instead of a comment parser.\n\n{}{by_argument}\n\nThe class body does not change; only the declaration and its `use` imports do (the attribute class{} in, {}the annotation class out).",
            fenced("diff", &diff),
            if diff.contains("TranslatableMarkup(") {
                " and `TranslatableMarkup`"
            } else {
                ""
            },
            if diff.contains("@Translation(") {
                "`Drupal\\Core\\Annotation\\Translation` and "
            } else {
                ""
            },
            t = p.plugin_type,
            w = p.declared_with,
        );
        out.emit(&generator, "drupal-upgrade", file, user, answer);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_route_excerpt_keeps_the_routed_method_and_what_it_needs() {
        let source = "<?php\n\nnamespace Drupal\\x\\Controller;\n\nclass XController extends ControllerBase {\n\n  protected $a;\n\n  public function __construct($a) {\n    $this->a = $a;\n  }\n\n  /**\n   * Lists things.\n   */\n  public function list() {\n    return [];\n  }\n\n  /**\n   * Shows one.\n   */\n  #[\\Override]\n  public function show($id) {\n    return ['#markup' => $id];\n  }\n\n  protected function helper() {\n    return 1;\n  }\n\n}\n";
        let (out, removed) =
            class_excerpt(source, "XController", &["show", "__construct", "create"]).unwrap();
        assert_eq!(removed, 2);
        assert_eq!(
            out,
            "<?php\n\nnamespace Drupal\\x\\Controller;\n\nclass XController extends ControllerBase {\n\n  protected $a;\n\n  public function __construct($a) {\n    $this->a = $a;\n  }\n\n  /**\n   * Shows one.\n   */\n  #[\\Override]\n  public function show($id) {\n    return ['#markup' => $id];\n  }\n\n}\n"
        );
        let tree = tuneforge_php::parse::parse(&out);
        assert!(tuneforge_php::parse::syntax_errors(&tree, &out).is_empty());
        assert!(
            class_excerpt(
                source,
                "XController",
                &["list", "show", "helper", "__construct"]
            )
            .is_none()
        );
    }

    #[test]
    fn camel_case_reads_as_words() {
        assert_eq!(words("FieldFormatter"), "field formatter");
        assert_eq!(words("Block"), "block");
        assert_eq!(words("QueueWorker"), "queue worker");
        assert_eq!(words("ViewsField"), "views field");
    }

    #[test]
    fn yaml_entries_end_at_the_next_sibling() {
        let text = "services:\n  _defaults:\n    autowire: true\n\n  a.b:\n    class: X\n    arguments: ['@c']\n  d: ~\n";
        assert_eq!(
            yaml_entry(text, 5).unwrap(),
            "  a.b:\n    class: X\n    arguments: ['@c']"
        );
        assert_eq!(
            yaml_entry(text, 2).unwrap(),
            "  _defaults:\n    autowire: true"
        );
        assert_eq!(yaml_entry(text, 8).unwrap(), "  d: ~");
        assert_eq!(yaml_entry(text, 99), None);
    }
}
