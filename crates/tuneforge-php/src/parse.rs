//! tree-sitter over PHP: parsing, syntax errors with their positions, and small helpers for
//! walking the tree.

use serde::Serialize;
use tree_sitter::{Node, Tree};

/// A 1-based line and column, as editors and linters show them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

impl Position {
    pub fn of(node: Node<'_>) -> Self {
        let p = node.start_position();
        Self {
            line: p.row + 1,
            column: p.column + 1,
        }
    }
}

/// Parse PHP source (a file with `<?php`, or a template with inline HTML).
pub fn parse(source: &str) -> Tree {
    let mut parser = tree_sitter::Parser::new();
    parser
        .set_language(&tree_sitter_php::LANGUAGE_PHP.into())
        .expect("the bundled grammar matches the tree-sitter runtime");
    let normalized = visibility_before_readonly(source);
    parser
        .parse(normalized.as_deref().unwrap_or(source), None)
        .expect("no timeout or cancellation is set, so parsing always returns a tree")
}

/// `source` with `readonly protected` written `protected readonly`, when it has any: PHP
/// takes the modifiers in either order, the grammar only visibility first. The two have
/// the same length, so every byte offset into the tree is an offset into `source` (only a
/// modifier node's own text differs).
fn visibility_before_readonly(source: &str) -> Option<String> {
    static SWAPPED: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"\breadonly(\s+)(public|protected|private)\b")
            .expect("the modifier pattern compiles")
    });
    if !source.contains("readonly") || !SWAPPED.is_match(source) {
        return None;
    }
    Some(SWAPPED.replace_all(source, "${2}${1}readonly").into_owned())
}

/// Where the tree has syntax errors (`ERROR` or missing nodes), in source order, with
/// character columns.
pub fn syntax_errors(tree: &Tree, source: &str) -> Vec<Position> {
    let mut out = Vec::new();
    if !tree.root_node().has_error() {
        return out;
    }
    visit(tree.root_node(), &mut |n| {
        if n.is_error() || n.is_missing() {
            out.push(position_in(n, source));
            false
        } else {
            n.has_error()
        }
    });
    out
}

/// Depth-first, in source order; `f` returns whether to descend into the node's children.
pub fn visit<'t>(node: Node<'t>, f: &mut dyn FnMut(Node<'t>) -> bool) {
    if !f(node) {
        return;
    }
    let mut cursor = node.walk();
    for child in node.children(&mut cursor) {
        visit(child, f);
    }
}

pub fn text<'s>(node: Node<'_>, source: &'s str) -> &'s str {
    &source[node.byte_range()]
}

/// The children of a node with the given kind.
pub fn children_of_kind<'t>(node: Node<'t>, kind: &str) -> Vec<Node<'t>> {
    let mut cursor = node.walk();
    node.children(&mut cursor)
        .filter(|c| c.kind() == kind)
        .collect()
}

/// The value of a string literal node (`'x'` or `"x"`), without quotes; `None` for
/// anything else (an interpolated string's parts are joined as written).
pub fn string_value(node: Node<'_>, source: &str) -> Option<String> {
    match node.kind() {
        "string" | "encapsed_string" => {
            let t = text(node, source);
            Some(t[1..t.len().saturating_sub(1)].to_owned())
        }
        _ => None,
    }
}

/// A `use` clause as `(the name it imports under, the fully qualified name)`, with the
/// prefix of a grouped import (`use A\B\{C, D as E};`) applied.
pub fn use_clause(node: Node<'_>, source: &str) -> Option<(String, String)> {
    let name = node.named_child(0)?;
    let mut full = text(name, source).trim_start_matches('\\').to_owned();
    if let Some(group) = node.parent().filter(|p| p.kind() == "namespace_use_group")
        && let Some(decl) = group.parent()
        && let Some(prefix) = children_of_kind(decl, "namespace_name").first()
    {
        full = format!("{}\\{full}", text(*prefix, source).trim_start_matches('\\'));
    }
    let key = node
        .child_by_field_name("alias")
        .map(|a| text(a, source).to_owned())
        .unwrap_or_else(|| full.rsplit('\\').next().unwrap_or(&full).to_owned());
    Some((key, full))
}

/// [`Position`] with the column in characters, as editors count them (tree-sitter's is
/// in bytes).
pub fn position_in(node: Node<'_>, source: &str) -> Position {
    let p = node.start_position();
    let line_start = node.start_byte() - p.column;
    let column = source
        .get(line_start..node.start_byte())
        .map_or(p.column, |prefix| prefix.chars().count());
    Position {
        line: p.row + 1,
        column: column + 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn php_8_3_syntax_parses_cleanly() {
        let src = "<?php\nfinal readonly class X {\n  public const string A = 'a';\n  #[\\Override]\n  public function f(): static { return static::{'A'}; }\n}\nenum Suit: string { case H = 'h'; }\n";
        assert!(syntax_errors(&parse(src), src).is_empty());
    }

    #[test]
    fn grouped_imports_and_character_columns() {
        let src = "<?php\nuse Drupal\\Core\\Block\\{Attribute\\Block, BlockBase as Base};\n$s = 'ééé'; f($x);\n";
        let tree = parse(src);
        let mut clauses = Vec::new();
        let mut call = None;
        visit(tree.root_node(), &mut |n| {
            if n.kind() == "namespace_use_clause" {
                clauses.push(use_clause(n, src).unwrap());
            }
            if n.kind() == "function_call_expression" {
                call = Some(position_in(n, src));
            }
            true
        });
        assert_eq!(
            clauses,
            [
                (
                    "Block".to_owned(),
                    "Drupal\\Core\\Block\\Attribute\\Block".to_owned()
                ),
                (
                    "Base".to_owned(),
                    "Drupal\\Core\\Block\\BlockBase".to_owned()
                ),
            ]
        );
        assert_eq!(
            call,
            Some(Position {
                line: 3,
                column: 13
            })
        );
    }

    #[test]
    fn errors_have_positions() {
        let src = "<?php\nfunction f( {\n  return 1;\n}\n";
        let errors = syntax_errors(&parse(src), src);
        assert!(!errors.is_empty());
        assert_eq!(errors[0].line, 2);
    }

    #[test]
    fn readonly_before_visibility_parses_as_php_accepts_it() {
        let source = "<?php\nfinal class A {\n  public function __construct(\n    readonly protected TimeInterface $time,\n  ) {}\n}\n";
        let tree = parse(source);
        assert!(syntax_errors(&tree, source).is_empty());
        let normalized = visibility_before_readonly(source).unwrap();
        assert_eq!(normalized.len(), source.len());
        assert!(normalized.contains("protected readonly TimeInterface"));
    }
}
