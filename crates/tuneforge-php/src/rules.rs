//! The Drupal 11 rules of `tuneforge check` and the quality gate: each with an id, a
//! severity, a message and a fix hint. PHP is read with tree-sitter (never by regex over
//! the text, which cannot tell a string from code); Drupal YAML through its facts.
//!
//! The removed/deprecated-symbol rules read the mined deprecation list
//! ([`crate::deprecations`]); without one they are reported as skipped, never as passed.

use std::collections::{BTreeMap, HashMap};
use std::sync::LazyLock;

use regex::Regex;
use serde::Serialize;
use tree_sitter::Node;

use crate::analyze::is_php;
use crate::deprecations::Deprecation;
use crate::facts::{ClassFacts, PhpFacts, php_facts_of};
use crate::parse::{Position, parse, position_in, syntax_errors, text, use_clause, visit};
use crate::yaml::{RouteFact, YamlFacts, yaml_facts};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Error,
    Warning,
    Info,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Error => "error",
            Self::Warning => "warning",
            Self::Info => "info",
        }
    }
}

#[derive(Debug, Clone, Copy, Serialize)]
pub struct Rule {
    pub id: &'static str,
    pub severity: Severity,
    pub summary: &'static str,
    pub hint: &'static str,
}

macro_rules! rules {
    ($($name:ident = ($id:literal, $sev:ident, $summary:literal, $hint:literal);)*) => {
        $(pub const $name: Rule = Rule { id: $id, severity: Severity::$sev, summary: $summary, hint: $hint };)*
        /// Every rule, in the order of this table.
        pub const RULES: &[Rule] = &[$($name),*];
    };
}

rules! {
    SYNTAX_ERROR = ("syntax-error", Error, "PHP that does not parse",
        "fix the syntax; the error is at or just before this position");
    PLUGIN_ANNOTATION = ("plugin-annotation", Warning, "plugin declared by a docblock annotation",
        "declare it with the PHP attribute core has for this plugin type (e.g. #[Block(id: …, admin_label: new TranslatableMarkup(…))] from Drupal\\Core\\Block\\Attribute\\Block); annotations are deprecated for plugin types with attributes");
    PLUGIN_BOTH = ("plugin-annotation-and-attribute", Info, "plugin declared by both an attribute and an annotation",
        "remove the docblock annotation; the attribute is what Drupal 11 reads");
    PROCEDURAL_HOOK = ("procedural-hook", Warning, "procedural hook implementation where an OOP hook applies (Drupal 11.1+)",
        "move it to a method of a class in src/Hook/ marked #[Hook('<hook>')] (Drupal\\Core\\Hook\\Attribute\\Hook), with its services injected");
    DRUPAL_SERVICE = ("drupal-service-in-class", Warning, "\\Drupal::service() inside a class",
        "inject the service: take it in the constructor (or create() for plugins and forms) instead of asking the global container");
    DRUPAL_STATIC = ("drupal-static-in-class", Warning, "\\Drupal:: shortcut inside a class",
        "inject the service behind the shortcut (e.g. entity_type.manager, messenger, current_user, config.factory) through the constructor or create()");
    REMOVED_SYMBOL = ("removed-symbol", Error, "use of a symbol removed from Drupal 11",
        "use the replacement the deprecation names; the change record explains the move");
    DEPRECATED_SYMBOL = ("deprecated-symbol", Warning, "use of a symbol deprecated for removal",
        "use the replacement the deprecation names before it is removed");
    LEGACY_API = ("legacy-api", Error, "a procedural API removed before Drupal 10",
        "use its service or entity API replacement");
    SQL_CONCAT = ("sql-concatenation", Error, "SQL built by concatenation or interpolation",
        "pass values as placeholders (:name => $value) or use the query builder with ->condition()");
    MARKUP_UNESCAPED = ("markup-unescaped", Error, "#markup built from variables by concatenation or interpolation",
        "use '#plain_text', a render array with '#theme'/'#type', or $this->t() with @/% placeholders");
    T_CONCAT = ("t-concatenation", Warning, "t() with a concatenated or interpolated string",
        "pass a literal with placeholders: t('Hello @name', ['@name' => $name]); concatenated strings cannot be translated");
    STRICT_TYPES = ("strict-types-missing", Info, "no declare(strict_types=1)",
        "add declare(strict_types=1); after the opening tag (this project requires it)");
    PHP_REMOVED_FUNCTION = ("php-removed-function", Error, "a PHP function removed or deprecated in PHP 8",
        "use the modern equivalent (foreach instead of each(), closures instead of create_function(), preg_* instead of ereg*, mb_convert_encoding() instead of utf8_encode())");
    PHP_REMOVED_CAST = ("php-removed-cast", Error, "the (unset) or (real) cast, removed in PHP 8",
        "assign null or use (float)");
    PHP_DOLLAR_BRACE = ("php-dollar-brace-interpolation", Warning, "\"${var}\" string interpolation, deprecated in PHP 8.2",
        "write \"{$var}\" instead");
    PHP_SHORT_TAG = ("php-short-open-tag", Error, "a short open tag <?",
        "use <?php");
    EVAL = ("eval", Error, "eval()",
        "never evaluate code from strings; call the code directly");
    UNSERIALIZE = ("unserialize-without-allowed-classes", Warning, "unserialize() without allowed_classes",
        "pass ['allowed_classes' => FALSE] (or the list you expect), or store JSON");
    GLOBAL_IN_CLASS = ("global-in-class", Warning, "a global variable inside a class",
        "inject what the global held (current_user for $user, the request stack, config)");
    DEBUG_CODE = ("debug-code", Warning, "debugging output left in code",
        "remove it, or log through an injected logger");
    ROUTE_NO_ACCESS = ("route-access-missing", Error, "a route without an access requirement",
        "add requirements: _permission, _entity_access, _custom_access or _role");
    ROUTE_CSRF = ("route-csrf-missing", Error, "a state-changing route without CSRF protection",
        "add requirements: _csrf_token: 'TRUE' (links from Url::fromRoute get the token), or make it a form route (_form)");
    ROUTE_OPEN_ADMIN = ("route-admin-open-access", Error, "an /admin route open to everyone (_access: 'TRUE')",
        "require a permission: _permission: 'administer …'");
    INFO_CORE = ("info-core-version-requirement", Error, "an .info.yml whose core_version_requirement does not admit Drupal 11",
        "set core_version_requirement: ^10.3 || ^11 (or ^11)");
    INFO_LEGACY_CORE = ("info-legacy-core-key", Warning, "the Drupal 8 'core: 8.x' key in an .info.yml",
        "remove it; core_version_requirement says which Drupal versions the extension supports");
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    pub file: String,
    pub line: usize,
    pub column: usize,
    pub rule: &'static str,
    pub severity: Severity,
    pub message: String,
    pub hint: &'static str,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Skipped {
    pub rule: &'static str,
    pub reason: String,
}

/// Options of a check run.
#[derive(Debug, Clone, Default)]
pub struct CheckOptions {
    pub require_strict_types: bool,
    /// Whether a Composer constraint admits a Drupal 11 release (Composer's semantics live
    /// in `tuneforge-sources`, above this crate). Without it, an .info.yml is only checked
    /// for having a `core_version_requirement`.
    pub admits_drupal_11: Option<fn(&str) -> bool>,
}

/// The deprecation list, indexed by symbol.
#[derive(Debug, Default)]
pub struct DeprecationIndex {
    by_symbol: HashMap<String, Deprecation>,
}

impl DeprecationIndex {
    pub fn new(records: Vec<Deprecation>) -> Self {
        let mut by_symbol = HashMap::new();
        // A deprecation of some calls only (an argument left out) cannot be told from the
        // symbol: those are not rules about every call.
        for r in records.into_iter().filter(|r| r.condition.is_none()) {
            if let Some(s) = r.symbol.clone() {
                by_symbol.entry(s.to_ascii_lowercase()).or_insert(r);
            }
        }
        Self { by_symbol }
    }

    pub fn len(&self) -> usize {
        self.by_symbol.len()
    }

    pub fn is_empty(&self) -> bool {
        self.by_symbol.is_empty()
    }

    /// PHP names are case-insensitive (functions, classes, methods).
    fn get(&self, symbol: &str) -> Option<&Deprecation> {
        self.by_symbol
            .get(&symbol.trim_start_matches('\\').to_ascii_lowercase())
    }
}

pub struct Checker {
    deprecations: Option<DeprecationIndex>,
    options: CheckOptions,
}

impl Checker {
    pub fn new(deprecations: Option<DeprecationIndex>, options: CheckOptions) -> Self {
        Self {
            deprecations,
            options,
        }
    }

    /// Rules that cannot run, and why.
    pub fn skipped(&self) -> Vec<Skipped> {
        match &self.deprecations {
            Some(_) => Vec::new(),
            None => [REMOVED_SYMBOL.id, DEPRECATED_SYMBOL.id]
                .into_iter()
                .map(|rule| Skipped {
                    rule,
                    reason: "skipped: no deprecation list (run `tuneforge rules mine <core>` or the rules stage)".to_owned(),
                })
                .collect(),
        }
    }

    /// The findings of one file, by its path (which decides PHP or YAML) and text.
    pub fn check(&self, path: &str, source: &str) -> Vec<Finding> {
        let mut out = Vec::new();
        if is_php(path) {
            let module = path
                .rsplit('/')
                .next()
                .filter(|n| {
                    [".module", ".inc", ".install", ".theme"]
                        .iter()
                        .any(|e| n.ends_with(e))
                })
                .and_then(|n| n.split('.').next());
            self.check_php(path, source, module, &mut out);
        } else if path.ends_with(".yml") || path.ends_with(".yaml") {
            check_yaml(path, source, self.options.admits_drupal_11, &mut out);
        }
        sort_findings(&mut out);
        out
    }

    /// A PHP file's findings and its facts from one parse (`analyze` wants both).
    /// `module` prefixes its procedural hooks.
    pub fn check_php_with_facts(
        &self,
        path: &str,
        source: &str,
        module: Option<&str>,
    ) -> (Vec<Finding>, PhpFacts) {
        let mut out = Vec::new();
        let facts = self.check_php(path, source, module, &mut out);
        sort_findings(&mut out);
        (out, facts)
    }

    /// Every PHP rule over one parse of the file: first the rules about the file as a
    /// whole, then those read from its facts, then one walk of the tree for the rules about
    /// single nodes (one walk, not one per rule: the gate checks every block of every
    /// sample). Findings are sorted afterwards by position and rule; the order here only
    /// matters between findings of one rule at one position, and each rule emits its own in
    /// tree order.
    fn check_php(
        &self,
        path: &str,
        source: &str,
        module: Option<&str>,
        out: &mut Vec<Finding>,
    ) -> PhpFacts {
        let file = CheckedFile { path, source };
        check_short_open_tag(&file, out);
        let tree = parse(source);
        check_syntax(&file, &tree, out);
        let facts = php_facts_of(&tree, source, module);
        if self.options.require_strict_types {
            check_strict_types(&file, &facts, out);
        }
        for class in &facts.classes {
            check_plugin_declaration(&file, class, out);
            check_container_calls(&file, class, out);
        }
        check_procedural_hooks(&file, &facts, out);
        // Without a deprecation list the symbol rules are skipped (and say so in
        // `skipped`), so the file's names need not be resolved.
        let symbols = self.deprecations.as_ref().map(|index| SymbolCheck {
            index,
            names: FileNames::of(tree.root_node(), source),
        });
        let mut class_depth = 0usize;
        walk_classes(tree.root_node(), &mut class_depth, &mut |n, in_class| {
            check_node(&file, symbols.as_ref(), n, in_class, out);
        });
        facts
    }
}

/// The file being checked: every finding names it, and takes its severity and hint from
/// the rule table, so the table stays the one place they are written.
struct CheckedFile<'a> {
    path: &'a str,
    source: &'a str,
}

impl<'a> CheckedFile<'a> {
    fn finding(&self, rule: &Rule, pos: Position, message: String) -> Finding {
        Finding {
            file: self.path.to_owned(),
            line: pos.line,
            column: pos.column,
            rule: rule.id,
            severity: rule.severity,
            message,
            hint: rule.hint,
        }
    }

    /// A finding at the start of `node`, its column counted in characters.
    fn at(&self, rule: &Rule, node: Node<'_>, message: String) -> Finding {
        self.finding(rule, position_in(node, self.source), message)
    }

    /// A finding on a line of a file that has no columns worth giving (YAML, facts).
    fn on_line(&self, rule: &Rule, line: usize, message: String) -> Finding {
        self.finding(
            rule,
            Position {
                line: line.max(1),
                column: 1,
            },
            message,
        )
    }

    fn text(&self, node: Node<'_>) -> &'a str {
        text(node, self.source)
    }
}

fn sort_findings(out: &mut [Finding]) {
    out.sort_by(|a, b| (a.line, a.column, a.rule).cmp(&(b.line, b.column, b.rule)));
}

// ---------------------------------------------------------------------------------------
// Rules about the file as a whole.

/// [`PHP_SHORT_TAG`]: `<?` opens PHP only where `short_open_tag` is on, so the same file
/// is code on one server and text on another. Read from the text: tree-sitter takes `<?`
/// for inline HTML.
fn check_short_open_tag(file: &CheckedFile<'_>, out: &mut Vec<Finding>) {
    let trimmed = file.source.trim_start();
    let head = trimmed.get(..5).unwrap_or(trimmed).to_ascii_lowercase();
    if head.starts_with("<?")
        && !head.starts_with("<?php")
        && !head.starts_with("<?=")
        && !head.starts_with("<?xml")
    {
        out.push(file.on_line(&PHP_SHORT_TAG, 1, PHP_SHORT_TAG.summary.to_owned()));
    }
}

/// [`SYNTAX_ERROR`]: every error or missing node tree-sitter recovered from.
fn check_syntax(file: &CheckedFile<'_>, tree: &tree_sitter::Tree, out: &mut Vec<Finding>) {
    for pos in syntax_errors(tree, file.source) {
        out.push(file.finding(&SYNTAX_ERROR, pos, "syntax error".to_owned()));
    }
}

/// [`STRICT_TYPES`], when the project requires it: only files that open with `<?php` (a
/// template of inline HTML has no place for the declaration).
fn check_strict_types(file: &CheckedFile<'_>, facts: &PhpFacts, out: &mut Vec<Finding>) {
    if !facts.strict_types && file.source.contains("<?php") {
        out.push(file.on_line(&STRICT_TYPES, 1, STRICT_TYPES.summary.to_owned()));
    }
}

// ---------------------------------------------------------------------------------------
// Rules read from the file's facts.

/// [`PLUGIN_ANNOTATION`] and [`PLUGIN_BOTH`]: Drupal 11 reads plugin attributes, and
/// annotations are deprecated wherever the plugin type has one.
fn check_plugin_declaration(file: &CheckedFile<'_>, class: &ClassFacts, out: &mut Vec<Finding>) {
    let Some(p) = &class.plugin else { return };
    // Drupal 11's #[MigrateSource] has no `source_module` parameter, so Migrate Drupal's
    // source plugins that need one keep their annotation (as core's do).
    let must_stay = p.plugin_type == "MigrateSource"
        && docblock_before(file.source, class.line).contains("source_module");
    if p.declared_by == "annotation" && !must_stay {
        out.push(file.on_line(
            &PLUGIN_ANNOTATION,
            class.line,
            format!(
                "{} plugin {} is declared by the @{} annotation",
                p.plugin_type, class.name, p.plugin_type
            ),
        ));
    } else if p.also_annotated {
        out.push(file.on_line(
            &PLUGIN_BOTH,
            class.line,
            format!(
                "{} has both #[{}] and an @{} annotation",
                class.name, p.plugin_type, p.plugin_type
            ),
        ));
    }
}

/// The docblock that ends right above line `line` (1-based), or "".
fn docblock_before(source: &str, line: usize) -> String {
    let lines: Vec<&str> = source.lines().take(line.saturating_sub(1)).collect();
    let mut block = Vec::new();
    for l in lines.iter().rev() {
        let t = l.trim();
        if t.starts_with("#[") || t.ends_with(")]") || t.is_empty() && block.is_empty() {
            continue;
        }
        block.push(t);
        if t.starts_with("/**") {
            block.reverse();
            return block.join("\n");
        }
        if !(t.starts_with('*') || t.starts_with("*/")) {
            break;
        }
    }
    String::new()
}

/// Classes the container does not build, so nothing can be injected into them: entities
/// (created by their storage), typed data definitions (value objects), entity queries
/// (created with `new` by their query factory).
/// Whether the class is built outside the service container (entities, entity types,
/// entity queries, typed data definitions), so it cannot take services through its
/// constructor and `\Drupal::` is how it reaches them.
pub fn built_outside_the_container(class: &ClassFacts) -> bool {
    let base = class.extends.as_deref().unwrap_or("");
    let base = base.rsplit('\\').next().unwrap_or(base);
    class.name.ends_with("EntityBase")
        || class.name.ends_with("EntityType")
        || base.ends_with("EntityType")
        || class.fqcn.contains("\\Entity\\Query\\")
        || class
            .implements
            .iter()
            .any(|i| i.ends_with("\\EntityInterface"))
        || class.attributes.iter().any(|a| a.ends_with("EntityType"))
        || base.ends_with("EntityBase")
        || base.ends_with("EntityBundleBase")
        || base == "EntityDisplayBase"
        || base.ends_with("DataDefinition")
        || base.ends_with("DataDefinitionBase")
}

/// Whether the call on `line` is a backwards-compatibility fallback: core deprecates a
/// missing constructor argument with `@trigger_error(…, E_USER_DEPRECATED)` and fetches the
/// service from the container right after, until the argument becomes required.
pub fn bc_fallback(source: &str, line: usize) -> bool {
    let lines: Vec<&str> = source.lines().collect();
    let from = line.saturating_sub(4);
    let to = line.saturating_sub(1).min(lines.len());
    lines[from..to]
        .iter()
        .any(|l| l.contains("trigger_error(") && l.contains("deprecated"))
}

/// [`DRUPAL_SERVICE`] and [`DRUPAL_STATIC`]: a class that asks the global container
/// cannot be given a mock. Left alone: calls in static methods (injection does not reach
/// them), traits (their host class takes the services), classes the container does not
/// build, and backwards-compatibility fallbacks for a constructor argument.
fn check_container_calls(file: &CheckedFile<'_>, class: &ClassFacts, out: &mut Vec<Finding>) {
    if class.kind == "trait" || built_outside_the_container(class) {
        return;
    }
    for call in class
        .drupal_calls
        .iter()
        .filter(|c| !c.in_static_method && !bc_fallback(file.source, c.line))
    {
        let pos = Position {
            line: call.line,
            column: call.column,
        };
        out.push(match &call.service {
            Some(service) => file.finding(
                &DRUPAL_SERVICE,
                pos,
                format!("\\Drupal::service('{service}') in {}", class.name),
            ),
            None if call.method == "service" => file.finding(
                &DRUPAL_SERVICE,
                pos,
                format!("\\Drupal::service() in {}", class.name),
            ),
            None => file.finding(
                &DRUPAL_STATIC,
                pos,
                format!("\\Drupal::{}() in {}", call.method, class.name),
            ),
        });
    }
}

/// Procedural hooks that stay procedural in Drupal 11 (install-time and info hooks, theme
/// preprocess before 11.2): no OOP form to move them to.
const PROCEDURAL_ONLY: &[&str] = &[
    "install",
    "uninstall",
    "schema",
    "requirements",
    "update_dependencies",
    "update_last_removed",
    "hook_info",
    "module_implements_alter",
    "install_tasks",
    "install_tasks_alter",
    "removed_post_updates",
];

/// [`PROCEDURAL_HOOK`]: a hook with an OOP form (Drupal 11.1+). Themes implement hooks
/// procedurally, and a `#[LegacyHook]` function is the kept twin of an OOP hook.
fn check_procedural_hooks(file: &CheckedFile<'_>, facts: &PhpFacts, out: &mut Vec<Finding>) {
    if file.path.ends_with(".theme") {
        return;
    }
    for hook in facts
        .hooks
        .iter()
        .filter(|h| h.style == "procedural" && !h.legacy)
    {
        let stays = PROCEDURAL_ONLY.contains(&hook.hook.as_str())
            || hook.hook.starts_with("update_")
            || hook.hook.starts_with("post_update_")
            || hook.hook.starts_with("preprocess");
        if !stays {
            out.push(file.on_line(
                &PROCEDURAL_HOOK,
                hook.line,
                format!("{}() implements hook_{}", hook.implementation, hook.hook),
            ));
        }
    }
}

// ---------------------------------------------------------------------------------------
// Rules about single nodes, in one walk of the tree.

/// Visit every node, telling whether it is inside a class body.
fn walk_classes<'t>(node: Node<'t>, depth: &mut usize, f: &mut dyn FnMut(Node<'t>, bool)) {
    f(node, *depth > 0);
    let is_class = matches!(
        node.kind(),
        "class_declaration" | "trait_declaration" | "enum_declaration" | "anonymous_class"
    );
    if is_class {
        *depth += 1;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        walk_classes(child, depth, f);
    }
    if is_class {
        *depth -= 1;
    }
}

/// The node rules, by the kind of node each looks at. `symbols` is `None` without a
/// deprecation list.
fn check_node(
    file: &CheckedFile<'_>,
    symbols: Option<&SymbolCheck<'_>>,
    n: Node<'_>,
    in_class: bool,
    out: &mut Vec<Finding>,
) {
    match n.kind() {
        "function_call_expression" => check_function_call(file, symbols, n, out),
        "member_call_expression" => check_method_call(file, n, out),
        "scoped_call_expression"
        | "object_creation_expression"
        | "namespace_use_clause"
        | "class_constant_access_expression"
        | "base_clause"
        | "class_interface_clause" => {
            if let Some(symbols) = symbols {
                symbols.check_use(file, n, out);
            }
        }
        "array_element_initializer" => check_markup(file, n, out),
        "cast_expression" => check_removed_cast(file, n, out),
        "dynamic_variable_name" => check_dollar_brace(file, n, out),
        "global_declaration" if in_class => check_global_in_class(file, n, out),
        _ => {}
    }
}

/// A function call as the call rules read it.
struct FunctionCall<'t, 'a> {
    node: Node<'t>,
    /// As written, without a leading `\`.
    name: &'a str,
    /// PHP function names are case-insensitive.
    lower: String,
    arguments: Option<Node<'t>>,
    /// The first argument's expression.
    first: Option<Node<'t>>,
}

impl<'t, 'a> FunctionCall<'t, 'a> {
    fn of(file: &CheckedFile<'a>, node: Node<'t>) -> Option<Self> {
        let name = file
            .text(node.child_by_field_name("function")?)
            .trim_start_matches('\\');
        let arguments = node.child_by_field_name("arguments");
        Some(Self {
            node,
            name,
            lower: name.to_ascii_lowercase(),
            arguments,
            first: arguments
                .and_then(|a| a.named_child(0))
                .and_then(|a| a.named_child(0)),
        })
    }

    fn argument_count(&self) -> usize {
        self.arguments.map_or(0, |a| a.named_child_count())
    }
}

/// The rules about a called function. The first five name disjoint sets of functions, so
/// at most one of them speaks; [`SQL_CONCAT`] and the symbol rules look at every call.
fn check_function_call(
    file: &CheckedFile<'_>,
    symbols: Option<&SymbolCheck<'_>>,
    n: Node<'_>,
    out: &mut Vec<Finding>,
) {
    let Some(call) = FunctionCall::of(file, n) else {
        return;
    };
    out.extend(
        eval_call(file, &call)
            .or_else(|| php_removed_function(file, &call))
            .or_else(|| debug_output(file, &call))
            .or_else(|| legacy_api(file, &call))
            .or_else(|| unserialize_without_allowed_classes(file, &call))
            .or_else(|| t_of_runtime_string(file, &call)),
    );
    out.extend(db_query_of_runtime_sql(file, &call));
    // An unqualified call falls back to the global function; Drupal's procedural API is
    // global, so that is the name the list has.
    if let Some(symbols) = symbols {
        symbols.check(file, call.name, n, out);
    }
}

/// [`EVAL`].
fn eval_call(file: &CheckedFile<'_>, call: &FunctionCall<'_, '_>) -> Option<Finding> {
    (call.lower == "eval")
        .then(|| file.at(&EVAL, call.node, "eval() runs a string as code".to_owned()))
}

const PHP_REMOVED: &[&str] = &[
    "each",
    "create_function",
    "money_format",
    "ereg",
    "eregi",
    "ereg_replace",
    "eregi_replace",
    "split",
    "spliti",
    "mysql_query",
    "mysql_connect",
    "mysql_fetch_assoc",
    "mysql_real_escape_string",
    "utf8_encode",
    "utf8_decode",
    "get_magic_quotes_gpc",
    "restore_include_path",
];

/// [`PHP_REMOVED_FUNCTION`]: a fatal error on PHP 8, or soon.
fn php_removed_function(file: &CheckedFile<'_>, call: &FunctionCall<'_, '_>) -> Option<Finding> {
    PHP_REMOVED.contains(&call.lower.as_str()).then(|| {
        file.at(
            &PHP_REMOVED_FUNCTION,
            call.node,
            format!("{}() is removed or deprecated in PHP 8", call.name),
        )
    })
}

const DEBUG_FUNCTIONS: &[&str] = &[
    "var_dump",
    "print_r",
    "var_export",
    "debug_zval_dump",
    "dpm",
    "dsm",
    "dvm",
    "kint",
    "ksm",
    "dd",
    "dump",
];

/// [`DEBUG_CODE`]: output meant for a developer's screen. `print_r($x, TRUE)` and
/// `var_export($x, TRUE)` return a string instead, so they are not output.
fn debug_output(file: &CheckedFile<'_>, call: &FunctionCall<'_, '_>) -> Option<Finding> {
    let returns_string =
        matches!(call.lower.as_str(), "print_r" | "var_export") && call.argument_count() >= 2;
    (DEBUG_FUNCTIONS.contains(&call.lower.as_str()) && !returns_string).then(|| {
        file.at(
            &DEBUG_CODE,
            call.node,
            format!("{}() left in code", call.name),
        )
    })
}

/// Procedural APIs removed before Drupal 10 that models still write (from the Drupal 8/9
/// change records); the mined list cannot know them, since 11.x no longer has their code.
const LEGACY_APIS: &[(&str, &str)] = &[
    (
        "drupal_set_message",
        "\\Drupal::messenger()->addMessage(), or the injected messenger service",
    ),
    (
        "db_query",
        "the injected database connection: $this->connection->query()",
    ),
    ("db_select", "$this->connection->select()"),
    ("db_insert", "$this->connection->insert()"),
    ("db_update", "$this->connection->update()"),
    ("db_delete", "$this->connection->delete()"),
    (
        "entity_load",
        "$entityTypeManager->getStorage($type)->load($id)",
    ),
    (
        "entity_load_multiple",
        "$entityTypeManager->getStorage($type)->loadMultiple($ids)",
    ),
    ("node_load", "Node::load() or the node storage"),
    ("user_load", "User::load() or the user storage"),
    ("file_load", "File::load() or the file storage"),
    ("drupal_render", "the renderer service: $renderer->render()"),
    (
        "format_date",
        "the date.formatter service: $dateFormatter->format()",
    ),
    (
        "file_unmanaged_copy",
        "the file_system service: $fileSystem->copy()",
    ),
    (
        "file_unmanaged_move",
        "the file_system service: $fileSystem->move()",
    ),
    (
        "file_unmanaged_delete",
        "the file_system service: $fileSystem->delete()",
    ),
    (
        "drupal_get_path",
        "the extension.list.module service: ->getPath()",
    ),
    (
        "entity_get_form_display",
        "the entity_display.repository service",
    ),
    (
        "entity_get_display",
        "the entity_display.repository service",
    ),
    (
        "variable_get",
        "the config.factory service (configuration) or state",
    ),
    (
        "variable_set",
        "the config.factory service (configuration) or state",
    ),
    ("check_plain", "Html::escape()"),
    ("drupal_goto", "return a RedirectResponse"),
];

/// [`LEGACY_API`]: a call that fails on Drupal 10 and 11, with what replaced it.
fn legacy_api(file: &CheckedFile<'_>, call: &FunctionCall<'_, '_>) -> Option<Finding> {
    let (_, instead) = LEGACY_APIS.iter().find(|(f, _)| *f == call.lower)?;
    Some(file.at(
        &LEGACY_API,
        call.node,
        format!(
            "{}() was removed before Drupal 10; use {instead}",
            call.name
        ),
    ))
}

/// [`UNSERIALIZE`]: without `allowed_classes`, the data decides which objects are built
/// (and whose magic methods run).
fn unserialize_without_allowed_classes(
    file: &CheckedFile<'_>,
    call: &FunctionCall<'_, '_>,
) -> Option<Finding> {
    (call.lower == "unserialize" && call.argument_count() < 2).then(|| {
        file.at(
            &UNSERIALIZE,
            call.node,
            "unserialize() can instantiate any class".to_owned(),
        )
    })
}

// ---------------------------------------------------------------------------------------
// Strings built at run time where a literal belongs.

/// [`T_CONCAT`] for `t()`: translators see the literal, so a string spliced at run time is
/// never translated.
fn t_of_runtime_string(file: &CheckedFile<'_>, call: &FunctionCall<'_, '_>) -> Option<Finding> {
    if call.lower != "t" {
        return None;
    }
    let arg = call
        .first
        .filter(|a| built_from_variables(*a, file.source))?;
    Some(file.at(
        &T_CONCAT,
        arg,
        "t() gets a string built at run time".to_owned(),
    ))
}

/// [`SQL_CONCAT`] for `db_query()` (also a [`LEGACY_API`]): the injection is the worse
/// problem, so it is reported too.
fn db_query_of_runtime_sql(file: &CheckedFile<'_>, call: &FunctionCall<'_, '_>) -> Option<Finding> {
    if call.lower != "db_query" {
        return None;
    }
    let arg = call
        .first
        .filter(|a| built_from_variables(*a, file.source))?;
    Some(file.at(
        &SQL_CONCAT,
        arg,
        "the query string is built from variables".to_owned(),
    ))
}

/// [`SQL_CONCAT`] for `->query()` and [`T_CONCAT`] for `->t()` / `->formatPlural()`.
fn check_method_call(file: &CheckedFile<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    let name = n
        .child_by_field_name("name")
        .map(|x| file.text(x))
        .unwrap_or("");
    let first = n
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0))
        .and_then(|a| a.named_child(0));
    let runtime = || first.filter(|a| built_from_variables(*a, file.source));
    match name {
        "query" => {
            if let Some(arg) = runtime().filter(|a| !only_table_names_spliced(file.text(*a))) {
                out.push(file.at(
                    &SQL_CONCAT,
                    arg,
                    "->query() gets SQL built from variables".to_owned(),
                ));
            }
        }
        "t" | "formatPlural" => {
            if let Some(arg) = runtime() {
                out.push(file.at(
                    &T_CONCAT,
                    arg,
                    format!("->{name}() gets a string built at run time"),
                ));
            }
        }
        _ => {}
    }
}

/// Whether the only values spliced into a query string are table names in Drupal's
/// `{table}` placeholders (`'SELECT … FROM {' . $this->getRevisionTable() . '} WHERE …'`):
/// the table name comes from code, and the braces get the prefix, so nothing a user typed
/// reaches the SQL.
fn only_table_names_spliced(arg: &str) -> bool {
    static TABLE: LazyLock<Regex> = LazyLock::new(|| {
        Regex::new(r#"\{(['"])\s*\.\s*[^'"\.;]+?\s*\.\s*(['"])\}"#)
            .expect("the table pattern compiles")
    });
    static JOIN: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r#"(['"])\s*\.\s*(['"])"#).expect("the join pattern compiles"));
    let tables = TABLE.replace_all(arg, "{table}");
    if tables == arg {
        return false;
    }
    let joined = JOIN.replace_all(&tables, "");
    let t = joined.trim();
    let single = t.len() >= 2
        && t.starts_with('\'')
        && t.ends_with('\'')
        && !t[1..t.len() - 1].contains('\'');
    let double = t.len() >= 2
        && t.starts_with('"')
        && t.ends_with('"')
        && !t[1..t.len() - 1].contains(['"', '$']);
    single || double
}

/// [`MARKUP_UNESCAPED`]: `#markup` is filtered for XSS but not escaped, so variables
/// spliced into it are HTML.
fn check_markup(file: &CheckedFile<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    let key = n.named_child(0);
    let value = n.named_child(1);
    if let (Some(k), Some(v)) = (key, value)
        && matches!(file.text(k), "'#markup'" | "\"#markup\"")
        && built_from_variables(v, file.source)
    {
        out.push(file.at(
            &MARKUP_UNESCAPED,
            v,
            "#markup gets variables spliced into HTML".to_owned(),
        ));
    }
}

/// A string made at run time from variables: `'a' . $b`, `"a $b"`, `sprintf(…, $b)` is not
/// counted (a format string is a literal).
fn built_from_variables(node: Node<'_>, source: &str) -> bool {
    match node.kind() {
        "binary_expression" => {
            let op = node
                .child_by_field_name("operator")
                .map(|o| text(o, source));
            op == Some(".") && has_variable(node, source)
        }
        "encapsed_string" => has_variable(node, source),
        "parenthesized_expression" => node
            .named_child(0)
            .is_some_and(|c| built_from_variables(c, source)),
        _ => false,
    }
}

/// Whether a call returns safe markup whatever surrounds it: `t()` / `->t()` /
/// `formatPlural()` of a literal string (placeholders escape their values), and the
/// escaping helpers of `Html`, `Xss` and `SafeMarkup`.
fn is_safe_call(n: Node<'_>, source: &str) -> bool {
    let name = n
        .child_by_field_name("name")
        .or_else(|| n.child_by_field_name("function"))
        .map(|x| text(x, source).trim_start_matches('\\'));
    let first_arg = n
        .child_by_field_name("arguments")
        .and_then(|a| a.named_child(0))
        .and_then(|a| a.named_child(0));
    match (n.kind(), name) {
        ("function_call_expression" | "member_call_expression", Some("t" | "formatPlural")) => {
            first_arg.is_some_and(|a| {
                a.kind() == "string" || (a.kind() == "encapsed_string" && !has_variable(a, source))
            })
        }
        (
            "scoped_call_expression",
            Some("escape" | "filter" | "filterAdmin" | "checkPlain" | "checkAdminXss"),
        ) => {
            let scope = n.child_by_field_name("scope").map(|s| text(s, source));
            scope.is_some_and(|s| {
                let short = s.rsplit('\\').next().unwrap_or(s);
                matches!(short, "Html" | "Xss" | "SafeMarkup")
            })
        }
        _ => false,
    }
}

fn has_variable(node: Node<'_>, source: &str) -> bool {
    let mut found = false;
    visit(node, &mut |n| {
        if found {
            return false;
        }
        if matches!(
            n.kind(),
            "function_call_expression" | "member_call_expression" | "scoped_call_expression"
        ) && is_safe_call(n, source)
        {
            return false;
        }
        if matches!(
            n.kind(),
            "variable_name"
                | "dynamic_variable_name"
                | "member_access_expression"
                | "subscript_expression"
        ) {
            found = true;
            return false;
        }
        true
    });
    found
}

// ---------------------------------------------------------------------------------------
// PHP 8 and class hygiene.

/// [`PHP_REMOVED_CAST`]: `(unset)` and `(real)` are parse errors on PHP 8.
fn check_removed_cast(file: &CheckedFile<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    let ty = n
        .child_by_field_name("type")
        .map(|t| file.text(t).to_ascii_lowercase());
    if let Some(t) = ty.filter(|t| t.contains("unset") || t.contains("real")) {
        out.push(file.at(&PHP_REMOVED_CAST, n, format!("{t} cast")));
    }
}

/// [`PHP_DOLLAR_BRACE`]: `"${var}"` in a string, deprecated in PHP 8.2.
fn check_dollar_brace(file: &CheckedFile<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    if n.parent().is_some_and(|p| p.kind() == "encapsed_string") && file.text(n).starts_with("${") {
        out.push(file.at(
            &PHP_DOLLAR_BRACE,
            n,
            format!("{} in a string", file.text(n)),
        ));
    }
}

/// [`GLOBAL_IN_CLASS`]: a class reading globals hides what it depends on; what the global
/// held is a service to inject.
fn check_global_in_class(file: &CheckedFile<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
    out.push(file.at(
        &GLOBAL_IN_CLASS,
        n,
        format!("{} inside a class", file.text(n).trim_end_matches(';')),
    ));
}

// ---------------------------------------------------------------------------------------
// Deprecated and removed symbols.

/// Names as the file resolves them (its namespace and `use` imports), so a use through an
/// import or alias is looked up under the fully qualified name the deprecation list has.
struct FileNames {
    namespace: String,
    /// By lower-cased alias: PHP class names are case-insensitive.
    imports: BTreeMap<String, String>,
}

impl FileNames {
    fn of(root: Node<'_>, source: &str) -> Self {
        let mut imports: BTreeMap<String, String> = BTreeMap::new();
        let mut namespace = String::new();
        visit(root, &mut |n| {
            match n.kind() {
                "namespace_definition" => {
                    if let Some(name) = n.child_by_field_name("name") {
                        namespace = text(name, source).to_owned();
                    }
                }
                "namespace_use_clause" => {
                    if let Some((key, full)) = use_clause(n, source) {
                        imports.insert(key.to_ascii_lowercase(), full);
                    }
                    return false;
                }
                _ => {}
            }
            true
        });
        Self { namespace, imports }
    }

    /// A class name as written, fully qualified, without the leading `\`.
    fn resolve(&self, name: &str) -> String {
        if let Some(abs) = name.strip_prefix('\\') {
            return abs.to_owned();
        }
        let (first, rest) = name
            .split_once('\\')
            .map_or((name, None), |(f, r)| (f, Some(r)));
        if let Some(full) = self.imports.get(&first.to_ascii_lowercase()) {
            return match rest {
                Some(r) => format!("{full}\\{r}"),
                None => full.clone(),
            };
        }
        if self.namespace.is_empty() {
            name.to_owned()
        } else {
            format!("{}\\{name}", self.namespace)
        }
    }
}

/// [`REMOVED_SYMBOL`] and [`DEPRECATED_SYMBOL`]: uses of a symbol the mined deprecation
/// list names.
struct SymbolCheck<'a> {
    index: &'a DeprecationIndex,
    names: FileNames,
}

impl SymbolCheck<'_> {
    /// The symbols a node uses (static calls, `new`, imports, class constants, parents and
    /// interfaces), resolved as PHP would. `self`, `static` and `parent` name the class
    /// itself, never a listed symbol.
    fn check_use(&self, file: &CheckedFile<'_>, n: Node<'_>, out: &mut Vec<Finding>) {
        let names = &self.names;
        match n.kind() {
            "scoped_call_expression" => {
                let scope = n
                    .child_by_field_name("scope")
                    .map(|s| file.text(s))
                    .unwrap_or("");
                let name = n
                    .child_by_field_name("name")
                    .map(|x| file.text(x))
                    .unwrap_or("");
                if !matches!(scope, "self" | "static" | "parent") {
                    let class = names.resolve(scope);
                    self.check(file, &format!("{class}::{name}"), n, out);
                    self.check(file, &class, n, out);
                }
            }
            "object_creation_expression" => {
                if let Some(c) = n
                    .named_child(0)
                    .filter(|c| matches!(c.kind(), "name" | "qualified_name"))
                {
                    self.check(file, &names.resolve(file.text(c)), n, out);
                }
            }
            "namespace_use_clause" => {
                if let Some((_, full)) = use_clause(n, file.source) {
                    self.check(file, &full, n, out);
                }
            }
            "class_constant_access_expression" => {
                let class = n.named_child(0).map(|c| file.text(c));
                let constant = n.named_child(1).map(|c| file.text(c));
                if let (Some(class), Some(constant)) = (class, constant)
                    && !matches!(class, "self" | "static" | "parent")
                    && constant != "class"
                {
                    self.check(
                        file,
                        &format!("{}::{constant}", names.resolve(class)),
                        n,
                        out,
                    );
                }
            }
            "base_clause" | "class_interface_clause" => {
                let mut c = n.walk();
                for name in n.named_children(&mut c) {
                    self.check(file, &names.resolve(file.text(name)), name, out);
                }
            }
            _ => {}
        }
    }

    /// A finding when `symbol` is listed: removed when its removal version is 11 or
    /// earlier (the code cannot run on Drupal 11), deprecated otherwise.
    fn check(&self, file: &CheckedFile<'_>, symbol: &str, node: Node<'_>, out: &mut Vec<Finding>) {
        let Some(d) = self.index.get(symbol) else {
            return;
        };
        let removed_by_11 = d
            .removed_in
            .split('.')
            .next()
            .and_then(|m| m.parse::<u32>().ok())
            .is_some_and(|m| m <= 11);
        let rule = if removed_by_11 {
            &REMOVED_SYMBOL
        } else {
            &DEPRECATED_SYMBOL
        };
        let mut message = format!(
            "{} is deprecated in drupal:{} and removed from drupal:{}",
            d.symbol.as_deref().unwrap_or(symbol),
            d.deprecated_in,
            d.removed_in
        );
        if !d.replacement.is_empty() {
            message.push_str(&format!(": {}", d.replacement));
        }
        if let Some(cr) = d.change_records.first() {
            message.push_str(&format!(" ({cr})"));
        }
        out.push(file.at(rule, node, message));
    }
}

// ---------------------------------------------------------------------------------------
// Drupal YAML.

/// The YAML rules: an `.info.yml` by its keys, a `*.routing.yml` route by route.
fn check_yaml(
    path: &str,
    source: &str,
    admits_11: Option<fn(&str) -> bool>,
    out: &mut Vec<Finding>,
) {
    let file = CheckedFile { path, source };
    if path.ends_with(".info.yml") {
        check_info_yml(&file, admits_11, out);
        return;
    }
    let Ok(Some(YamlFacts::Routes { routes })) = yaml_facts(path, source) else {
        return;
    };
    for route in &routes {
        check_route(&file, route, out);
    }
}

/// [`INFO_LEGACY_CORE`] and [`INFO_CORE`]: an extension whose info file does not admit
/// Drupal 11 is not installed there. Without Composer's semantics (`admits_11`), only the
/// key's presence is checked. A file that does not parse is left to the YAML tools.
fn check_info_yml(
    file: &CheckedFile<'_>,
    admits_11: Option<fn(&str) -> bool>,
    out: &mut Vec<Finding>,
) {
    let doc: Result<serde_json::Value, _> = serde_saphyr::from_str(file.source);
    let Ok(doc) = doc else { return };
    let line_of = |key: &str| {
        file.source
            .lines()
            .position(|l| l.starts_with(&format!("{key}:")))
            .map_or(1, |i| i + 1)
    };
    if doc.get("core").is_some() {
        out.push(file.on_line(
            &INFO_LEGACY_CORE,
            line_of("core"),
            "core: key of Drupal 8".to_owned(),
        ));
    }
    // Core's own extensions say `version: VERSION` (filled in at packaging) and need no
    // requirement: they are core.
    let core_extension = doc.get("version").and_then(|v| v.as_str()) == Some("VERSION");
    match doc.get("core_version_requirement").and_then(|v| v.as_str()) {
        None if core_extension => {}
        None => out.push(file.on_line(&INFO_CORE, 1, "no core_version_requirement".to_owned())),
        Some(req) => {
            if admits_11.is_some_and(|admits| !admits(req)) {
                out.push(file.on_line(
                    &INFO_CORE,
                    line_of("core_version_requirement"),
                    format!("core_version_requirement {req:?} does not admit Drupal 11"),
                ));
            }
        }
    }
}

/// Requirement keys that decide access (core's access checks; any `*_access` key counts
/// too, since contrib adds its own).
const ACCESS: &[&str] = &[
    "_permission",
    "_access",
    "_entity_access",
    "_entity_create_access",
    "_entity_create_any_access",
    "_custom_access",
    "_role",
    "_user_is_logged_in",
    "_access_admin_menu_block_page",
    "_field_ui_view_mode_access",
    "_field_ui_form_mode_access",
    "_access_theme",
];

/// Route requirements that match the request rather than check access.
const NOT_ACCESS: &[&str] = &[
    "_format",
    "_method",
    "_content_type_format",
    "_module_dependencies",
];

/// The route rules: [`ROUTE_NO_ACCESS`] (and then nothing else: a route without access
/// checks is denied to everyone but the superuser), [`ROUTE_OPEN_ADMIN`], [`ROUTE_CSRF`].
fn check_route(file: &CheckedFile<'_>, route: &RouteFact, out: &mut Vec<Finding>) {
    // An alias stands for another route, whose requirements apply.
    if route.alias.is_some() {
        return;
    }
    // Any requirement key with a leading underscore, other than the few that only match
    // the request, is an access check: core's and the custom ones a module registers as a
    // service tagged `access_check` (`_access_system_cron`, `_node_add_access`, …).
    let has_access = route.requirements.keys().any(|k| {
        ACCESS.contains(&k.as_str()) || (k.starts_with('_') && !NOT_ACCESS.contains(&k.as_str()))
    });
    if !has_access {
        out.push(file.on_line(
            &ROUTE_NO_ACCESS,
            route.line,
            format!("route {} has no access requirement", route.name),
        ));
        return;
    }
    let path_str = route.path.as_deref().unwrap_or("");
    let open = route
        .requirements
        .get("_access")
        .and_then(|v| v.as_str())
        // Drupal opens a route on exactly 'TRUE'.
        .is_some_and(|v| v == "TRUE");
    if open && path_str.starts_with("/admin") {
        out.push(file.on_line(
            &ROUTE_OPEN_ADMIN,
            route.line,
            format!("route {} ({path_str}) is open to everyone", route.name),
        ));
    }
    if changes_state(route) && !csrf_protected(route) {
        out.push(file.on_line(
            &ROUTE_CSRF,
            route.line,
            format!(
                "route {} ({path_str}) changes state without _csrf_token",
                route.name
            ),
        ));
    }
}

/// Whether a route is protected from cross-site requests: a form (forms carry their own
/// token), a `_csrf_token` requirement, or the request-header check on a route limited to
/// methods other than GET and HEAD (the header check skips those two).
fn csrf_protected(route: &RouteFact) -> bool {
    let is_form = matches!(route.handler_key.as_deref(), Some("_form" | "_entity_form"));
    let unsafe_methods_only = !route.methods.is_empty()
        && route
            .methods
            .iter()
            .all(|m| !matches!(m.to_ascii_uppercase().as_str(), "GET" | "HEAD"));
    // A custom access check (`_access_system_cron` checks the cron key in the path) is
    // the route's own protection against forged requests.
    let custom_check = route.requirements.keys().any(|k| k.starts_with("_access_"));
    is_form
        || custom_check
        || route.requirements.contains_key("_csrf_token")
        || (route
            .requirements
            .contains_key("_csrf_request_header_token")
            && unsafe_methods_only)
}

/// Route paths whose last segment names a state change.
const STATE_CHANGING: &[&str] = &[
    "delete",
    "remove",
    "toggle",
    "enable",
    "disable",
    "approve",
    "publish",
    "unpublish",
    "cancel",
    "revert",
    "clear",
    "flush",
    "reset",
];

/// Verbs that are also nouns of listing pages (`/admin/structure/block`): a state change
/// only right after a `{parameter}` (`/user/{user}/block`).
const STATE_CHANGING_AFTER_PARAMETER: &[&str] = &["block", "unblock"];

/// Whether a route changes state: it accepts a writing method, or it is a controller
/// reached by a link whose path names a state change (`…/delete`).
fn changes_state(route: &RouteFact) -> bool {
    let writes = route.methods.iter().any(|m| {
        matches!(
            m.to_ascii_uppercase().as_str(),
            "POST" | "PUT" | "PATCH" | "DELETE"
        )
    });
    let path_str = route.path.as_deref().unwrap_or("");
    let segments: Vec<&str> = path_str.split('/').filter(|s| !s.is_empty()).collect();
    let last = segments
        .iter()
        .rev()
        .find(|s| !s.starts_with('{'))
        .copied()
        .unwrap_or("");
    let after_parameter = segments.len() >= 2
        && segments[segments.len() - 2].starts_with('{')
        && STATE_CHANGING_AFTER_PARAMETER.contains(&last);
    let controller = route.handler_key.as_deref() == Some("_controller");
    writes || (controller && (STATE_CHANGING.contains(&last) || after_parameter))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn checker() -> Checker {
        let index = DeprecationIndex::new(vec![
            Deprecation {
                source: "docblock".into(),
                file: "includes/common.inc".into(),
                line: 10,
                kind: "function".into(),
                symbol: Some("format_size".into()),
                deprecated_in: "10.2.0".into(),
                removed_in: "11.0.0".into(),
                replacement: "Use \\Drupal\\Core\\StringTranslation\\ByteSizeMarkup::create()."
                    .into(),
                change_records: vec!["https://www.drupal.org/node/2999981".into()],
                condition: None,
            },
            Deprecation {
                source: "docblock".into(),
                file: "modules/file/file.module".into(),
                line: 25,
                kind: "function".into(),
                symbol: Some("file_get_content_headers".into()),
                deprecated_in: "11.2.0".into(),
                removed_in: "12.0.0".into(),
                replacement: "Use FileInterface::getDownloadHeaders() instead.".into(),
                change_records: vec![],
                condition: None,
            },
            Deprecation {
                source: "docblock".into(),
                file: "lib/Drupal/Core/File/FileSystemInterface.php".into(),
                line: 5,
                kind: "constant".into(),
                symbol: Some("Drupal\\Core\\File\\FileSystemInterface::EXISTS_REPLACE".into()),
                deprecated_in: "10.3.0".into(),
                removed_in: "12.0.0".into(),
                replacement: "Use FileExists::Replace.".into(),
                change_records: vec![],
                condition: None,
            },
            Deprecation {
                source: "docblock".into(),
                file: "lib/Drupal/Core/Old.php".into(),
                line: 5,
                kind: "class".into(),
                symbol: Some("Drupal\\Core\\Old\\Thing".into()),
                deprecated_in: "10.1.0".into(),
                removed_in: "11.0.0".into(),
                replacement: "Use NewThing.".into(),
                change_records: vec![],
                condition: None,
            },
        ]);
        Checker::new(
            Some(index),
            CheckOptions {
                require_strict_types: true,
                admits_drupal_11: Some(|c| c.contains("11")),
            },
        )
    }

    /// (rule, file name, violating source, clean source)
    const CASES: &[(&str, &str, &str, &str)] = &[
        (
            "syntax-error",
            "a.php",
            "<?php\nfunction f( {\n",
            "<?php\nfunction f() {}\n",
        ),
        (
            "plugin-annotation",
            "src/Plugin/Block/B.php",
            "<?php\nnamespace Drupal\\d\\Plugin\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n/**\n * @Block(\n *   id = \"d_b\",\n *   admin_label = @Translation(\"B\")\n * )\n */\nclass B extends BlockBase {}\n",
            "<?php\nnamespace Drupal\\d\\Plugin\\Block;\nuse Drupal\\Core\\Block\\Attribute\\Block;\nuse Drupal\\Core\\Block\\BlockBase;\n#[Block(id: 'd_b')]\nclass B extends BlockBase {}\n",
        ),
        (
            "plugin-annotation-and-attribute",
            "src/Plugin/Block/B.php",
            "<?php\nuse Drupal\\Core\\Block\\Attribute\\Block;\n/**\n * @Block(\n *   id = \"d_b\"\n * )\n */\n#[Block(id: 'd_b')]\nclass B {}\n",
            "<?php\nuse Drupal\\Core\\Block\\Attribute\\Block;\n/**\n * A block.\n */\n#[Block(id: 'd_b')]\nclass B {}\n",
        ),
        (
            "procedural-hook",
            "d.module",
            "<?php\n/**\n * Implements hook_form_alter().\n */\nfunction d_form_alter(&$form) {}\n",
            "<?php\n/**\n * Implements hook_install().\n */\nfunction d_install() {}\n",
        ),
        (
            "drupal-service-in-class",
            "src/C.php",
            "<?php\nclass C {\n  public function f() {\n    return \\Drupal::service('renderer');\n  }\n}\n",
            "<?php\nclass C {\n  public function __construct(private RendererInterface $renderer) {}\n  public static function create($c) {\n    return new static(\\Drupal::service('renderer'));\n  }\n}\n",
        ),
        (
            "drupal-static-in-class",
            "src/C.php",
            "<?php\nclass C {\n  public function f() {\n    \\Drupal::messenger()->addStatus('x');\n  }\n}\n",
            "<?php\nfunction d_f() {\n  \\Drupal::messenger()->addStatus('x');\n}\n",
        ),
        (
            "removed-symbol",
            "a.php",
            "<?php\n$s = format_size(100);\nuse Drupal\\Core\\Old\\Thing;\n$t = new Thing();\n",
            "<?php\n$s = ByteSizeMarkup::create(100);\n",
        ),
        (
            "deprecated-symbol",
            "a.php",
            "<?php\n$h = file_get_content_headers($file);\n",
            "<?php\n$h = $file->getDownloadHeaders();\n",
        ),
        (
            "legacy-api",
            "a.php",
            "<?php\ndrupal_set_message('Saved');\n",
            "<?php\n$this->messenger()->addStatus('Saved');\n",
        ),
        (
            "sql-concatenation",
            "a.php",
            "<?php\n$r = $this->connection->query(\"SELECT * FROM {node} WHERE title = '\" . $title . \"'\");\n",
            "<?php\n$r = $this->connection->query('SELECT * FROM {node} WHERE title = :t', [':t' => $title]);\n",
        ),
        (
            "markup-unescaped",
            "a.php",
            "<?php\n$build = ['#markup' => '<p>' . $name . '</p>'];\n",
            "<?php\n$build = ['#markup' => $this->t('<p>@name</p>', ['@name' => $name])];\n",
        ),
        (
            "t-concatenation",
            "a.php",
            "<?php\n$m = $this->t(\"Hello $name\");\n",
            "<?php\n$m = $this->t('Hello @name', ['@name' => $name]);\n",
        ),
        (
            "strict-types-missing",
            "a.php",
            "<?php\nclass A {}\n",
            "<?php\n\ndeclare(strict_types=1);\n\nclass A {}\n",
        ),
        (
            "php-removed-function",
            "a.php",
            "<?php\n$f = create_function('$a', 'return $a;');\n",
            "<?php\n$f = fn($a) => $a;\n",
        ),
        (
            "php-removed-cast",
            "a.php",
            "<?php\n$a = (unset) $b;\n",
            "<?php\n$a = null;\n",
        ),
        (
            "php-dollar-brace-interpolation",
            "a.php",
            "<?php\n$s = \"Hello ${name}\";\n",
            "<?php\n$s = \"Hello {$name}\";\n",
        ),
        (
            "php-short-open-tag",
            "a.php",
            "<? echo 1;\n",
            "<?php echo 1;\n",
        ),
        (
            "eval",
            "a.php",
            "<?php\neval($code);\n",
            "<?php\n$f($code);\n",
        ),
        (
            "unserialize-without-allowed-classes",
            "a.php",
            "<?php\n$v = unserialize($data);\n",
            "<?php\n$v = unserialize($data, ['allowed_classes' => FALSE]);\n",
        ),
        (
            "global-in-class",
            "src/C.php",
            "<?php\nclass C {\n  public function f() {\n    global $user;\n  }\n}\n",
            "<?php\nfunction d_f() {\n  global $conf;\n}\n",
        ),
        (
            "debug-code",
            "a.php",
            "<?php\nvar_dump($x);\n",
            "<?php\n$this->logger->debug('x');\n",
        ),
        (
            "route-access-missing",
            "d.routing.yml",
            "d.page:\n  path: '/d'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::page'\n",
            "d.page:\n  path: '/d'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::page'\n  requirements:\n    _permission: 'access content'\n",
        ),
        (
            "route-csrf-missing",
            "d.routing.yml",
            "d.delete:\n  path: '/d/{id}/delete'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::delete'\n  requirements:\n    _permission: 'administer d'\n",
            "d.delete:\n  path: '/d/{id}/delete'\n  defaults:\n    _controller: '\\Drupal\\d\\Controller\\C::delete'\n  requirements:\n    _permission: 'administer d'\n    _csrf_token: 'TRUE'\n",
        ),
        (
            "route-admin-open-access",
            "d.routing.yml",
            "d.settings:\n  path: '/admin/config/d'\n  defaults:\n    _form: '\\Drupal\\d\\Form\\SettingsForm'\n  requirements:\n    _access: 'TRUE'\n",
            "d.settings:\n  path: '/admin/config/d'\n  defaults:\n    _form: '\\Drupal\\d\\Form\\SettingsForm'\n  requirements:\n    _permission: 'administer site configuration'\n",
        ),
        (
            "info-core-version-requirement",
            "d.info.yml",
            "name: D\ntype: module\ncore_version_requirement: ^9 || ^10\n",
            "name: D\ntype: module\ncore_version_requirement: ^10.3 || ^11\n",
        ),
        (
            "info-legacy-core-key",
            "d.info.yml",
            "name: D\ntype: module\ncore: 8.x\ncore_version_requirement: ^11\n",
            "name: D\ntype: module\ncore_version_requirement: ^11\n",
        ),
    ];

    #[test]
    fn every_rule_fires_on_its_violation_and_not_on_the_clean_form() {
        let checker = checker();
        for (rule, path, bad, good) in CASES {
            let found = checker.check(path, bad);
            assert!(
                found.iter().any(|f| f.rule == *rule),
                "{rule}: not found in the violating sample; found {found:#?}"
            );
            let clean = checker.check(path, good);
            assert!(
                clean.iter().all(|f| f.rule != *rule),
                "{rule}: fired on the clean sample: {clean:#?}"
            );
        }
        let covered: Vec<&str> = CASES.iter().map(|c| c.0).collect();
        for rule in RULES {
            assert!(covered.contains(&rule.id), "{} has no test case", rule.id);
        }
        assert!(RULES.len() >= 20);
    }

    #[test]
    fn deprecated_class_constants_through_grouped_imports() {
        let src = "<?php\n\ndeclare(strict_types=1);\n\nuse Drupal\\Core\\File\\{FileSystemInterface as FS};\n\n$f->copy($a, $b, FS::EXISTS_REPLACE);\n$c = FS::class;\n";
        let found = checker().check("a.php", src);
        assert_eq!(found.len(), 1, "{found:#?}");
        assert_eq!(
            (found[0].rule, found[0].line, found[0].column),
            ("deprecated-symbol", 7, 18)
        );
        assert!(found[0].message.contains("FileExists::Replace"));
    }

    #[test]
    fn spliced_input_is_caught_even_through_t() {
        let c = checker();
        for bad in [
            "$b = ['#markup' => '<p>' . $this->t($input) . '</p>'];",
            "$b = ['#markup' => \"<p>{$this->t($input)}</p>\"];",
            "$b = ['#markup' => '<p>' . $items->filter() . '</p>'];",
        ] {
            let src = format!("<?php\n\ndeclare(strict_types=1);\n\n{bad}\n");
            assert!(
                c.check("a.php", &src)
                    .iter()
                    .any(|f| f.rule == "markup-unescaped"),
                "{bad}"
            );
        }
        let escaped = "<?php\n\ndeclare(strict_types=1);\n\n$b = ['#markup' => '<p>' . Html::escape($name) . '</p>'];\n";
        assert!(
            c.check("a.php", escaped).is_empty(),
            "{:#?}",
            c.check("a.php", escaped)
        );
    }

    #[test]
    fn state_changing_links_need_a_token() {
        let c = checker();
        let routes = "a.flush:\n  path: '/admin/flush'\n  defaults:\n    _controller: '\\\\M::flush'\n  requirements:\n    _permission: 'x'\nb.block:\n  path: '/user/{user}/block'\n  defaults:\n    _controller: '\\\\M::block'\n  requirements:\n    _permission: 'x'\nc.get:\n  path: '/m/{node}/delete'\n  defaults:\n    _controller: '\\\\M::delete'\n  requirements:\n    _permission: 'x'\n    _csrf_request_header_token: 'TRUE'\n";
        let flagged: Vec<usize> = c
            .check("m.routing.yml", routes)
            .iter()
            .filter(|f| f.rule == "route-csrf-missing")
            .map(|f| f.line)
            .collect();
        assert_eq!(flagged, [1, 7, 13]);
    }

    #[test]
    fn known_good_drupal_patterns_pass() {
        let c = checker();
        let markup = "<?php\n\ndeclare(strict_types=1);\n\n$b = ['#markup' => '<p>' . $this->t('Hello') . '</p>'];\n";
        assert!(
            c.check("a.php", markup).is_empty(),
            "{:#?}",
            c.check("a.php", markup)
        );
        let legacy = "<?php\n\ndeclare(strict_types=1);\n\n/**\n * Implements hook_help().\n */\n#[LegacyHook]\nfunction m_help($r) {}\n";
        assert!(
            c.check("m.module", legacy).is_empty(),
            "{:#?}",
            c.check("m.module", legacy)
        );
        let facts = crate::facts::php_facts(legacy, Some("m"));
        assert!(facts.hooks[0].legacy, "{facts:?}");
        let theme = "<?php\n\ndeclare(strict_types=1);\n\n/**\n * Implements hook_preprocess_page().\n */\nfunction t_form_alter(&$f) {}\n/**\n * Implements hook_form_alter().\n */\nfunction t_x(&$f) {}\n";
        assert!(
            c.check("t.theme", theme).is_empty(),
            "{:#?}",
            c.check("t.theme", theme)
        );
        let upper = "<?PHP\n\ndeclare(strict_types=1);\n\necho 1;\n";
        assert!(
            c.check("a.php", upper).is_empty(),
            "{:#?}",
            c.check("a.php", upper)
        );
    }

    #[test]
    fn routes_that_protect_themselves_are_not_flagged() {
        let routes = "a.delete:\n  path: '/a/{x}/delete'\n  defaults:\n    _entity_form: 'a.delete'\n  requirements:\n    _entity_access: 'a.delete'\nb.cancel:\n  path: '/b/cancel'\n  defaults:\n    _form: '\\Drupal\\m\\Confirm\\CancelConfirm'\n  requirements:\n    _permission: 'x'\nc.blocks:\n  path: '/admin/structure/c/block'\n  defaults:\n    _controller: '\\Drupal\\m\\C::list'\n  requirements:\n    _permission: 'x'\nd.api:\n  path: '/api/d'\n  methods: [POST]\n  defaults:\n    _controller: '\\Drupal\\m\\D::post'\n  requirements:\n    _permission: 'x'\n    _csrf_request_header_token: 'TRUE'\ne.open:\n  path: '/admin/e'\n  defaults:\n    _controller: '\\Drupal\\m\\E::x'\n  requirements:\n    _access: 'true'\n";
        let found = checker().check("m.routing.yml", routes);
        let rules: Vec<&str> = found.iter().map(|f| f.rule).collect();
        assert!(rules.is_empty(), "{found:#?}");
        let only_format = "f.json:\n  path: '/f'\n  defaults:\n    _controller: '\\Drupal\\m\\F::x'\n  requirements:\n    _format: json\n";
        let found = checker().check("m.routing.yml", only_format);
        assert_eq!(found[0].rule, "route-access-missing", "{found:#?}");
    }

    #[test]
    fn findings_carry_position_severity_and_hint() {
        let found = checker().check(
            "a.php",
            "<?php\n\ndeclare(strict_types=1);\n\n$s = format_size(100);\n",
        );
        assert_eq!(found.len(), 1, "{found:#?}");
        let f = &found[0];
        assert_eq!(
            (f.line, f.column, f.rule, f.severity),
            (5, 6, "removed-symbol", Severity::Error)
        );
        assert!(f.message.contains("removed from drupal:11.0.0"));
        assert!(f.message.contains("ByteSizeMarkup::create()"));
        assert!(f.message.contains("https://www.drupal.org/node/2999981"));
        assert!(!f.hint.is_empty());
    }

    #[test]
    fn without_a_list_the_symbol_rules_are_skipped_not_passed() {
        let checker = Checker::new(None, CheckOptions::default());
        let skipped = checker.skipped();
        let rules: Vec<&str> = skipped.iter().map(|s| s.rule).collect();
        assert_eq!(rules, ["removed-symbol", "deprecated-symbol"]);
        assert!(
            skipped[0]
                .reason
                .starts_with("skipped: no deprecation list")
        );
        assert!(
            checker
                .check("a.php", "<?php\nformat_size(1);\n")
                .is_empty()
        );
    }

    /// Correct core code that the rules once flagged (read on core/modules/node, block and
    /// lib/Drupal/Core/Entity): each case is core's own pattern, cut down.
    #[test]
    fn cores_own_patterns_are_not_findings() {
        let c = Checker::new(None, CheckOptions::default());
        let rules = |path: &str, src: &str| -> Vec<&'static str> {
            c.check(path, src).into_iter().map(|f| f.rule).collect()
        };
        // Core's extensions carry `version: VERSION` and no core_version_requirement.
        assert!(
            rules(
                "node.info.yml",
                "name: Node\ntype: module\npackage: Core\nversion: VERSION\n"
            )
            .is_empty()
        );
        assert_eq!(
            rules("x.info.yml", "name: X\ntype: module\n"),
            ["info-core-version-requirement"]
        );
        // A route alias has its target's access; a custom access check is access.
        let routes = "entity.node.add_page:\n  alias: 'node.add_page'\nsystem.cron:\n  path: '/cron/{key}'\n  defaults:\n    _controller: '\\Drupal\\system\\CronController::run'\n  requirements:\n    _access_system_cron: 'TRUE'\n";
        assert!(
            rules("system.routing.yml", routes).is_empty(),
            "{:?}",
            rules("system.routing.yml", routes)
        );
        // A table name in `{…}` is not user input.
        let storage = "<?php\nclass NodeStorage {\n  public function ids($node) {\n    return $this->database->query('SELECT [vid] FROM {' . $this->getRevisionTable() . '} WHERE [nid] = :nid', [':nid' => $node->id()])->fetchCol();\n  }\n  public function bad($x) {\n    return $this->database->query('SELECT * FROM {node} WHERE nid = ' . $x);\n  }\n}\n";
        assert_eq!(rules("NodeStorage.php", storage), ["sql-concatenation"]);
        // A backwards-compatibility fallback for a constructor argument, a trait, an
        // entity: nothing to inject into.
        let bc = "<?php\nclass Grants {\n  public function __construct(?Cache $cache = NULL) {\n    if (!$cache) {\n      @trigger_error('Calling without $cache is deprecated in drupal:11.3.0.', E_USER_DEPRECATED);\n      $cache = \\Drupal::service('node.cache');\n    }\n  }\n  public function build() {\n    return \\Drupal::service('renderer');\n  }\n}\n";
        assert_eq!(rules("Grants.php", bc), ["drupal-service-in-class"]);
        let entity = "<?php\nnamespace Drupal\\node\\Entity;\nuse Drupal\\Core\\Entity\\Attribute\\ConfigEntityType;\n#[ConfigEntityType(id: 'node_type')]\nclass NodeType extends ConfigEntityBundleBase {\n  public function isLocked() {\n    return \\Drupal::state()->get('node.type.locked');\n  }\n}\n";
        assert!(rules("NodeType.php", entity).is_empty());
        let a_trait = "<?php\ntrait Listener {\n  public function go() {\n    return \\Drupal::languageManager();\n  }\n}\n";
        assert!(rules("Listener.php", a_trait).is_empty());
        // Migrate Drupal's sources with source_module stay annotated in Drupal 11.
        let source = "<?php\nnamespace Drupal\\node\\Plugin\\migrate\\source\\d6;\n\n/**\n * View modes.\n *\n * @MigrateSource(\n *   id = \"d6_view_mode\",\n *   source_module = \"content\"\n * )\n */\nclass ViewMode extends ViewModeBase {\n}\n";
        assert!(
            rules("ViewMode.php", source).is_empty(),
            "{:?}",
            rules("ViewMode.php", source)
        );
    }
}
