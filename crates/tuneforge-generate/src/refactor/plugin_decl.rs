//! Plugin declarations in both forms: Drupal 10's docblock annotation
//! (`@Block(id = "x", admin_label = @Translation("X"))`) and Drupal 11's attribute
//! (`#[Block(id: 'x', admin_label: new TranslatableMarkup('X'))]`), converted through one
//! value model. What has no mechanical counterpart (a nested annotation other than
//! `@Translation`, an object other than `TranslatableMarkup`) is an error naming it.

/// An argument value either form can hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Value {
    Str(String),
    /// `@Translation("X", context = "Y")` / `new TranslatableMarkup('X', [], ['context' => 'Y'])`.
    Translation {
        text: String,
        context: Option<String>,
    },
    List(Vec<Value>),
    Map(Vec<(String, Value)>),
    /// A number, boolean, constant or class name, as written.
    Bare(String),
}

/// The arguments of one declaration: named (`Some(key)`) or positional.
pub type Args = Vec<(Option<String>, Value)>;

struct Cursor<'a> {
    s: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    fn skip_ws(&mut self) {
        while let Some(c) = self.peek() {
            if c.is_whitespace() || c == '*' && self.in_doc() {
                self.at += c.len_utf8();
            } else {
                break;
            }
        }
    }
    /// Inside annotation text the comment's leading `*` of each line is whitespace.
    fn in_doc(&self) -> bool {
        self.s[..self.at]
            .rfind('\n')
            .is_some_and(|nl| self.s[nl + 1..self.at].trim().is_empty())
    }
    fn peek(&self) -> Option<char> {
        self.s[self.at..].chars().next()
    }
    fn eat(&mut self, token: &str) -> bool {
        self.skip_ws();
        if self.s[self.at..].starts_with(token) {
            self.at += token.len();
            true
        } else {
            false
        }
    }
    fn rest(&self) -> &'a str {
        &self.s[self.at..]
    }
    fn quoted(&mut self) -> Result<String, String> {
        self.skip_ws();
        let q = self.peek().ok_or("a string was cut short")?;
        self.at += 1;
        let mut out = String::new();
        let mut chars = self.rest().char_indices();
        while let Some((i, c)) = chars.next() {
            if c == q {
                // Doctrine doubles a quote inside a string: "say ""hi""".
                if q == '"' && self.rest()[i + 1..].starts_with('"') {
                    out.push('"');
                    chars.next();
                    continue;
                }
                self.at += i + 1;
                return Ok(out);
            }
            if c == '\\' && q == '\'' {
                if let Some((_, n)) = chars.next() {
                    if n != '\'' && n != '\\' {
                        out.push('\\');
                    }
                    out.push(n);
                }
                continue;
            }
            out.push(c);
        }
        Err("a string is never closed".to_owned())
    }
    fn ident(&mut self) -> String {
        self.skip_ws();
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || c == '_'))
            .unwrap_or(self.rest().len());
        let w = self.rest()[..len].to_owned();
        self.at += len;
        w
    }
    fn word(&mut self) -> String {
        self.skip_ws();
        let len = self
            .rest()
            .find(|c: char| !(c.is_alphanumeric() || matches!(c, '_' | '\\' | ':' | '.' | '-')))
            .unwrap_or(self.rest().len());
        let w = self.rest()[..len].to_owned();
        self.at += len;
        w
    }
}

/// Parse the inside of an annotation's parentheses.
pub fn parse_annotation_args(s: &str) -> Result<Args, String> {
    let mut c = Cursor { s, at: 0 };
    args(&mut c, ')', annotation_value, &["=", ":"])
}

/// Parse the inside of an attribute's parentheses.
pub fn parse_attribute_args(s: &str) -> Result<Args, String> {
    let mut c = Cursor { s, at: 0 };
    args(&mut c, ')', php_value, &[":"])
}

type ValueParser = fn(&mut Cursor) -> Result<Value, String>;

fn args(c: &mut Cursor, close: char, value: ValueParser, seps: &[&str]) -> Result<Args, String> {
    let mut out = Vec::new();
    loop {
        c.skip_ws();
        if c.peek().is_none() || c.peek() == Some(close) {
            return Ok(out);
        }
        let start = c.at;
        // A key: a name, or in annotations a quoted string (`{"time" = 60}`).
        let key = if matches!(c.peek(), Some('"')) && seps.contains(&"=") {
            c.quoted().ok()
        } else {
            let k = c.ident();
            (!k.is_empty()).then_some(k)
        };
        c.skip_ws();
        let named =
            key.is_some() && !c.rest().starts_with("::") && seps.iter().any(|sep| c.eat(sep));
        let key = if named {
            key
        } else {
            c.at = start;
            None
        };
        out.push((key, value(c)?));
        if !c.eat(",") {
            c.skip_ws();
            return match c.peek() {
                None => Ok(out),
                Some(ch) if ch == close => Ok(out),
                Some(ch) => Err(format!("unexpected `{ch}` in the arguments")),
            };
        }
    }
}

fn annotation_value(c: &mut Cursor) -> Result<Value, String> {
    c.skip_ws();
    match c.peek() {
        Some('"') => Ok(Value::Str(c.quoted()?)),
        Some('{') => {
            c.at += 1;
            let items = args(c, '}', annotation_value, &["=", ":"])?;
            if !c.eat("}") {
                return Err("a `{` list is never closed".to_owned());
            }
            Ok(collection(items))
        }
        Some('@') => {
            c.at += 1;
            let name = c.word();
            if name != "Translation" {
                return Err(format!(
                    "the nested annotation @{name} has no mechanical attribute form"
                ));
            }
            if !c.eat("(") {
                return Err("@Translation without arguments".to_owned());
            }
            let inner = args(c, ')', annotation_value, &["=", ":"])?;
            if !c.eat(")") {
                return Err("@Translation( is never closed".to_owned());
            }
            translation(inner)
        }
        Some(_) => {
            let w = c.word();
            if w.is_empty() {
                Err(format!(
                    "cannot read the value at `{}`",
                    first_line(c.rest())
                ))
            } else {
                Ok(Value::Bare(w))
            }
        }
        None => Err("a value is missing".to_owned()),
    }
}

fn php_value(c: &mut Cursor) -> Result<Value, String> {
    c.skip_ws();
    match c.peek() {
        Some('\'' | '"') => Ok(Value::Str(c.quoted()?)),
        Some('[') => {
            c.at += 1;
            let items = php_array(c)?;
            Ok(collection(items))
        }
        Some(_) if c.rest().starts_with("new ") => {
            c.at += 4;
            let class = c.word();
            if class.trim_start_matches('\\').rsplit('\\').next() != Some("TranslatableMarkup") {
                return Err(format!("`new {class}(…)` has no annotation form"));
            }
            if !c.eat("(") {
                return Err("new TranslatableMarkup without arguments".to_owned());
            }
            let inner = args(c, ')', php_value, &[":"])?;
            if !c.eat(")") {
                return Err("new TranslatableMarkup( is never closed".to_owned());
            }
            // (string, arguments, options): the context is options['context'].
            let text = match inner.first() {
                Some((None, Value::Str(s))) => s.clone(),
                _ => return Err("TranslatableMarkup without a literal string".to_owned()),
            };
            let context = match inner.get(2) {
                Some((None, Value::Map(m))) => m.iter().find_map(|(k, v)| match v {
                    Value::Str(s) if k == "context" => Some(s.clone()),
                    _ => None,
                }),
                _ => None,
            };
            Ok(Value::Translation { text, context })
        }
        Some(_) => {
            let w = c.word();
            if w.is_empty() {
                Err(format!(
                    "cannot read the value at `{}`",
                    first_line(c.rest())
                ))
            } else {
                Ok(Value::Bare(w))
            }
        }
        None => Err("a value is missing".to_owned()),
    }
}

/// `[a, 'k' => b]` after its `[`.
fn php_array(c: &mut Cursor) -> Result<Args, String> {
    let mut out = Vec::new();
    loop {
        c.skip_ws();
        if c.eat("]") {
            return Ok(out);
        }
        let first = php_value(c)?;
        if c.eat("=>") {
            let key = match first {
                Value::Str(s) | Value::Bare(s) => s,
                other => return Err(format!("an array key {other:?} cannot be a key")),
            };
            out.push((Some(key), php_value(c)?));
        } else {
            out.push((None, first));
        }
        if !c.eat(",") {
            if c.eat("]") {
                return Ok(out);
            }
            return Err("an array is never closed".to_owned());
        }
    }
}

fn collection(items: Args) -> Value {
    if items.iter().all(|(k, _)| k.is_none()) {
        Value::List(items.into_iter().map(|(_, v)| v).collect())
    } else {
        Value::Map(
            items
                .into_iter()
                .enumerate()
                .map(|(i, (k, v))| (k.unwrap_or_else(|| i.to_string()), v))
                .collect(),
        )
    }
}

fn translation(inner: Args) -> Result<Value, String> {
    let text = match inner.first() {
        Some((None, Value::Str(s))) => s.clone(),
        _ => return Err("@Translation without a string".to_owned()),
    };
    let context = inner.iter().find_map(|(k, v)| match (k.as_deref(), v) {
        (Some("context"), Value::Str(s)) => Some(s.clone()),
        _ => None,
    });
    Ok(Value::Translation { text, context })
}

fn first_line(s: &str) -> &str {
    s.lines().next().unwrap_or("").trim()
}

fn php_string(s: &str) -> String {
    format!("'{}'", s.replace('\\', "\\\\").replace('\'', "\\'"))
}

fn annotation_string(s: &str) -> String {
    format!("\"{}\"", s.replace('"', "\"\""))
}

/// A value as PHP source.
pub fn to_php(v: &Value) -> String {
    match v {
        Value::Str(s) => php_string(s),
        Value::Translation { text, context } => match context {
            Some(ctx) => format!(
                "new TranslatableMarkup({}, [], ['context' => {}])",
                php_string(text),
                php_string(ctx)
            ),
            None => format!("new TranslatableMarkup({})", php_string(text)),
        },
        Value::List(items) => format!(
            "[{}]",
            items.iter().map(to_php).collect::<Vec<_>>().join(", ")
        ),
        Value::Map(pairs) => format!(
            "[{}]",
            pairs
                .iter()
                .map(|(k, v)| format!("{} => {}", php_key(k), to_php(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Bare(b) => php_bare(b),
    }
}

fn php_key(k: &str) -> String {
    if k.parse::<i64>().is_ok() {
        k.to_owned()
    } else {
        php_string(k)
    }
}

/// `true` → `TRUE` (Drupal's style); a namespaced constant gets its leading `\`.
fn php_bare(b: &str) -> String {
    match b.to_ascii_lowercase().as_str() {
        "true" | "false" | "null" => b.to_ascii_uppercase(),
        _ if b.contains('\\') && !b.starts_with('\\') => format!("\\{b}"),
        _ => b.to_owned(),
    }
}

/// A value as annotation source.
pub fn to_annotation(v: &Value) -> String {
    match v {
        Value::Str(s) => annotation_string(s),
        Value::Translation { text, context } => match context {
            Some(ctx) => format!(
                "@Translation({}, context = {})",
                annotation_string(text),
                annotation_string(ctx)
            ),
            None => format!("@Translation({})", annotation_string(text)),
        },
        Value::List(items) => format!(
            "{{{}}}",
            items
                .iter()
                .map(to_annotation)
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Map(pairs) => format!(
            "{{{}}}",
            pairs
                .iter()
                .map(|(k, v)| format!("{} = {}", annotation_string(k), to_annotation(v)))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        Value::Bare(b) => match b.to_ascii_lowercase().as_str() {
            "true" | "false" | "null" => b.to_ascii_uppercase(),
            _ => b.trim_start_matches('\\').to_owned(),
        },
    }
}

/// `#[Type(…)]`, one named argument per line as core writes them.
pub fn render_attribute(plugin_type: &str, args: &Args) -> String {
    if args.iter().all(|(k, _)| k.is_none()) {
        let values: Vec<String> = args.iter().map(|(_, v)| to_php(v)).collect();
        return format!("#[{plugin_type}({})]", values.join(", "));
    }
    let mut out = format!("#[{plugin_type}(\n");
    for (k, v) in args {
        match k {
            Some(k) => out.push_str(&format!("  {k}: {},\n", to_php(v))),
            None => out.push_str(&format!("  {},\n", to_php(v))),
        }
    }
    out.push_str(")]");
    out
}

/// The docblock lines ` * @Type(` … ` * )` of an annotation.
pub fn render_annotation(plugin_type: &str, args: &Args) -> Vec<String> {
    if args.iter().all(|(k, _)| k.is_none()) {
        let values: Vec<String> = args.iter().map(|(_, v)| to_annotation(v)).collect();
        return vec![format!(" * @{plugin_type}({})", values.join(", "))];
    }
    let mut out = vec![format!(" * @{plugin_type}(")];
    for (k, v) in args {
        match k {
            Some(k) => out.push(format!(" *   {k} = {},", to_annotation(v))),
            None => out.push(format!(" *   {},", to_annotation(v))),
        }
    }
    out.push(" * )".to_owned());
    out
}

/// The index of the bracket closing the one at `open`, skipping quoted strings.
pub fn matching(text: &str, open: usize) -> Option<usize> {
    let mut depth = 0usize;
    let mut quote: Option<char> = None;
    let mut escaped = false;
    for (k, c) in text[open..].char_indices() {
        if let Some(q) = quote {
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == q {
                quote = None;
            }
            continue;
        }
        match c {
            '"' | '\'' => quote = Some(c),
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => {
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    return Some(open + k);
                }
            }
            _ => {}
        }
    }
    None
}

/// Where the class attribute `#[Type(…)]` is in a file: the byte range of the whole
/// attribute and of its arguments.
pub fn find_attribute(
    text: &str,
    plugin_type: &str,
) -> Option<(std::ops::Range<usize>, std::ops::Range<usize>)> {
    let needle = format!("#[{plugin_type}(");
    let start = text
        .match_indices(&needle)
        .map(|(i, _)| i)
        .find(|&i| text[..i].ends_with('\n') || i == 0)?;
    let open = start + needle.len() - 1;
    let close = matching(text, open)?;
    let end = text[close..].find(']')? + close + 1;
    Some((start..end, open + 1..close))
}

/// How each argument of the file's `#[Type(…)]` reads in the annotation and in the
/// attribute: `("admin_label = @Translation(\"Recent\")", "admin_label: new
/// TranslatableMarkup('Recent')")`; a list or map is named by its key only.
pub fn argument_mapping(text: &str, plugin_type: &str) -> Result<Vec<(String, String)>, String> {
    let (_, inner) = find_attribute(text, plugin_type)
        .ok_or_else(|| format!("no #[{plugin_type}(…)] attribute at the start of a line"))?;
    let args = parse_attribute_args(&text[inner])?;
    Ok(args
        .iter()
        .map(|(key, value)| {
            let compound = matches!(value, Value::List(_) | Value::Map(_));
            let (annotation, attribute) = if compound {
                ("{ … }".to_owned(), "[ … ]".to_owned())
            } else {
                (to_annotation(value), to_php(value))
            };
            match key {
                Some(k) => (format!("{k} = {annotation}"), format!("{k}: {attribute}")),
                None => (annotation, attribute),
            }
        })
        .collect())
}

/// A `diff` of the declaration of a plugin from its Drupal 10 (annotation) form to the
/// Drupal 11 (attribute) form the file has.
pub fn attribute_to_annotation_diff(text: &str, plugin_type: &str) -> Result<String, String> {
    let (whole, inner) = find_attribute(text, plugin_type)
        .ok_or_else(|| format!("no #[{plugin_type}(…)] attribute at the start of a line"))?;
    let args = parse_attribute_args(&text[inner])?;
    // The docblock just above the attribute, if any.
    let before = &text[..whole.start];
    let doc_lines: Vec<&str> = match before.trim_end().strip_suffix("*/") {
        Some(_) => {
            let open = before.rfind("/**").ok_or("an unopened docblock")?;
            before[open..].trim_end().lines().collect()
        }
        None => Vec::new(),
    };
    let class_line = text[whole.end..]
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    let mut out = Vec::new();
    match doc_lines.split_last() {
        Some((close, body)) => {
            out.extend(body.iter().map(|l| format!(" {l}")));
            out.push("- *".to_owned());
            out.extend(
                render_annotation(plugin_type, &args)
                    .into_iter()
                    .map(|l| format!("-{l}")),
            );
            out.push(format!(" {close}"));
        }
        None => {
            out.push("-/**".to_owned());
            out.extend(
                render_annotation(plugin_type, &args)
                    .into_iter()
                    .map(|l| format!("-{l}")),
            );
            out.push("- */".to_owned());
        }
    }
    out.extend(
        render_attribute(plugin_type, &args)
            .lines()
            .map(|l| format!("+{l}")),
    );
    out.push(format!(" {class_line}"));
    Ok(out.join("\n"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_become_attributes_and_back() {
        let ann = r#"
 *   id = "recipe_latest",
 *   admin_label = @Translation("Latest recipes"),
 *   category = @Translation("Recipes", context = "Block category"),
 *   cron = {"time" = 60},
 *   field_types = {"string", "text"},
 *   weight = 10,
 *   cacheable = true,
 *   type = Drupal\filter\Plugin\FilterInterface::TYPE_MARKUP_LANGUAGE
 * "#;
        let args = parse_annotation_args(ann).unwrap();
        let attr = render_attribute("Block", &args);
        assert_eq!(
            attr,
            "#[Block(\n  id: 'recipe_latest',\n  admin_label: new TranslatableMarkup('Latest recipes'),\n  category: new TranslatableMarkup('Recipes', [], ['context' => 'Block category']),\n  cron: ['time' => 60],\n  field_types: ['string', 'text'],\n  weight: 10,\n  cacheable: TRUE,\n  type: \\Drupal\\filter\\Plugin\\FilterInterface::TYPE_MARKUP_LANGUAGE,\n)]"
        );
        let inner = &attr["#[Block(".len()..attr.len() - 2];
        let back = parse_attribute_args(inner).unwrap();
        assert_eq!(
            render_attribute("Block", &back),
            attr,
            "the attribute reads back"
        );
        assert_eq!(
            render_annotation("Block", &back),
            render_annotation("Block", &args),
            "both forms give the same annotation"
        );
    }

    #[test]
    fn positional_and_escaped_values() {
        let args = parse_attribute_args("'it\\'s'").unwrap();
        assert_eq!(args, vec![(None, Value::Str("it's".into()))]);
        assert_eq!(
            render_attribute("ViewsField", &args),
            "#[ViewsField('it\\'s')]"
        );
        assert_eq!(
            render_annotation("ViewsField", &args),
            vec![" * @ViewsField(\"it's\")"]
        );
    }

    #[test]
    fn what_has_no_counterpart_is_named() {
        let e = parse_annotation_args(
            "context_definitions = {\"node\" = @ContextDefinition(\"entity:node\")}",
        )
        .unwrap_err();
        assert!(e.contains("@ContextDefinition"), "{e}");
        let e = parse_attribute_args("deriver: new Deriver()").unwrap_err();
        assert!(e.contains("new Deriver"), "{e}");
    }

    #[test]
    fn the_upgrade_diff_shows_both_declarations() {
        let text = "<?php\n\nnamespace Drupal\\a\\Plugin\\Block;\n\n/**\n * Shows things.\n */\n#[Block(\n  id: 'a_b',\n  admin_label: new TranslatableMarkup('A'),\n)]\nfinal class B extends BlockBase {\n}\n";
        let diff = attribute_to_annotation_diff(text, "Block").unwrap();
        assert_eq!(
            diff,
            " /**\n  * Shows things.\n- *\n- * @Block(\n- *   id = \"a_b\",\n- *   admin_label = @Translation(\"A\"),\n- * )\n  */\n+#[Block(\n+  id: 'a_b',\n+  admin_label: new TranslatableMarkup('A'),\n+)]\n final class B extends BlockBase {"
        );
    }
}
