//! Python semantics that chat templates silently depend on.
//!
//! transformers renders templates with Jinja2, so every value a template prints goes through
//! Python's `str()`, every `tojson` is `json.dumps(x, ensure_ascii=False)` and every
//! `.strip()` uses Python's idea of whitespace. minijinja does each of these slightly
//! differently (Rust float formatting, HTML-safe JSON, Rust whitespace), and any difference
//! changes the training text. This module holds the Python-exact versions; `template`
//! registers them (items 2–4 of [`crate::template`]'s list).

use std::fmt::Write as _;

use minijinja::value::{Kwargs, Rest, ValueKind, from_args};
use minijinja::{Error, ErrorKind, State, Value};

/// Python's `str.isspace()` for one character: Rust's White_Space set plus the four
/// ASCII information separators U+001C–U+001F, which Python treats as whitespace too.
pub fn is_py_whitespace(c: char) -> bool {
    c.is_whitespace() || ('\u{1c}'..='\u{1f}').contains(&c)
}

/// Python `repr(float)` (also `str(float)` and what `json.dumps` writes): the shortest
/// digits that round-trip, in positional notation when the decimal exponent is in
/// `[-4, 16)`, else `1e-05` / `1.5e+16` style; integral values keep a `.0`.
pub fn py_float_repr(x: f64) -> String {
    if x.is_nan() {
        return "nan".into();
    }
    if x.is_infinite() {
        return if x < 0.0 { "-inf" } else { "inf" }.into();
    }
    if x == 0.0 {
        return if x.is_sign_negative() { "-0.0" } else { "0.0" }.into();
    }
    // Rust's `{:e}` gives the same shortest round-trip digits as Python's repr.
    let sci = format!("{:e}", x.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((sci.as_str(), "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    let sign = if x < 0.0 { "-" } else { "" };
    if !(-4..16).contains(&exp) {
        let (first, rest) = digits.split_at(1);
        let frac = if rest.is_empty() {
            String::new()
        } else {
            format!(".{rest}")
        };
        let esign = if exp < 0 { '-' } else { '+' };
        return format!("{sign}{first}{frac}e{esign}{:02}", exp.unsigned_abs());
    }
    // Positional: the decimal point sits after `exp + 1` digits.
    let point = exp + 1;
    let body = if point <= 0 {
        format!("0.{}{digits}", "0".repeat(point.unsigned_abs() as usize))
    } else if point as usize >= digits.len() {
        format!("{digits}{}.0", "0".repeat(point as usize - digits.len()))
    } else {
        let (int, frac) = digits.split_at(point as usize);
        format!("{int}.{frac}")
    };
    format!("{sign}{body}")
}

/// Whether minijinja's own float display (used by `~` and `format`) differs from Python:
/// it never uses exponent notation, Python does outside `[1e-4, 1e16)`.
pub fn float_display_differs(x: f64) -> bool {
    x.is_finite() && x != 0.0 && py_float_repr(x).contains('e')
}

/// Python's printable test for `repr` of non-ASCII characters, approximated without a
/// Unicode category table: control characters (Cc), separators other than the space
/// (Zs/Zl/Zp), the common format characters (Cf) and private-use code points are
/// escaped. Unassigned code points are treated as printable (Python escapes them).
fn py_is_printable(c: char) -> bool {
    if c == ' ' {
        return true;
    }
    if c.is_control() || c.is_whitespace() {
        return false;
    }
    let cp = c as u32;
    let format_chars = matches!(cp,
        0xAD | 0x600..=0x605 | 0x61C | 0x6DD | 0x70F | 0x180E | 0x200B..=0x200F
        | 0x202A..=0x202E | 0x2060..=0x2064 | 0x2066..=0x206F | 0xFEFF | 0xFFF9..=0xFFFB
        | 0x110BD | 0x1D173..=0x1D17A | 0xE0001 | 0xE0020..=0xE007F);
    let private_use = matches!(cp, 0xE000..=0xF8FF | 0xF0000..=0xFFFFD | 0x100000..=0x10FFFD);
    !(format_chars || private_use)
}

/// Python `repr(str)`: single quotes unless the text has a `'` and no `"`.
pub fn py_str_repr(s: &str) -> String {
    let quote = if s.contains('\'') && !s.contains('"') {
        '"'
    } else {
        '\''
    };
    let mut out = String::with_capacity(s.len() + 2);
    out.push(quote);
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if c == quote => {
                out.push('\\');
                out.push(c);
            }
            c if (c as u32) < 0x20 || c as u32 == 0x7f => {
                let _ = write!(out, "\\x{:02x}", c as u32);
            }
            c if (c as u32) < 0x7f || py_is_printable(c) => out.push(c),
            c => {
                let cp = c as u32;
                let _ = if cp < 0x100 {
                    write!(out, "\\x{cp:02x}")
                } else if cp < 0x10000 {
                    write!(out, "\\u{cp:04x}")
                } else {
                    write!(out, "\\U{cp:08x}")
                };
            }
        }
    }
    out.push(quote);
    out
}

fn float_of(v: &Value) -> Option<f64> {
    (v.is_number() && !v.is_integer())
        .then(|| f64::try_from(v.clone()).ok())
        .flatten()
}

/// Python `str(x)` of a template value: what Jinja2 prints for `{{ x }}`, `x|string` and
/// each item of `join`. Undefined prints as nothing, as in Jinja2.
pub fn py_str(v: &Value) -> String {
    match v.kind() {
        ValueKind::Undefined => String::new(),
        ValueKind::String => v.as_str().unwrap_or_default().to_owned(),
        _ => py_repr(v),
    }
}

/// Python `repr(x)`: how values appear inside a printed list or dict.
pub fn py_repr(v: &Value) -> String {
    let mut out = String::new();
    write_repr(&mut out, v);
    out
}

fn write_repr(out: &mut String, v: &Value) {
    match v.kind() {
        ValueKind::Undefined => {}
        ValueKind::None => out.push_str("None"),
        ValueKind::Bool => out.push_str(if v.is_true() { "True" } else { "False" }),
        ValueKind::Number => match float_of(v) {
            Some(f) => out.push_str(&py_float_repr(f)),
            None => {
                let _ = write!(out, "{v}");
            }
        },
        ValueKind::String => out.push_str(&py_str_repr(v.as_str().unwrap_or_default())),
        ValueKind::Seq => {
            let tuple = v.is_tuple();
            out.push(if tuple { '(' } else { '[' });
            let mut n = 0;
            if let Ok(items) = v.try_iter() {
                for (i, item) in items.enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &item);
                    n += 1;
                }
            }
            if tuple && n == 1 {
                out.push(',');
            }
            out.push(if tuple { ')' } else { ']' });
        }
        ValueKind::Map => {
            out.push('{');
            if let Ok(keys) = v.try_iter() {
                for (i, key) in keys.enumerate() {
                    if i > 0 {
                        out.push_str(", ");
                    }
                    write_repr(out, &key);
                    out.push_str(": ");
                    write_repr(out, &v.get_item(&key).unwrap_or_default());
                }
            }
            out.push('}');
        }
        _ => {
            let _ = write!(out, "{v}");
        }
    }
}

/// The arguments of HF's `tojson` filter, which forwards them to `json.dumps`.
#[derive(Debug, Clone, PartialEq)]
pub struct JsonOptions {
    pub ensure_ascii: bool,
    /// `None`: one line. `Some(s)`: newline + `s` per nesting level (Python's int indent
    /// `n` is `n` spaces).
    pub indent: Option<String>,
    pub item_separator: String,
    pub key_separator: String,
    pub sort_keys: bool,
}

impl Default for JsonOptions {
    fn default() -> Self {
        Self {
            ensure_ascii: false,
            indent: None,
            item_separator: ", ".into(),
            key_separator: ": ".into(),
            sort_keys: false,
        }
    }
}

/// `json.dumps(v, **opts)` with Python's exact output.
pub fn py_json_dumps(v: &Value, opts: &JsonOptions) -> Result<String, Error> {
    let mut out = String::new();
    write_json(&mut out, v, opts, 0)?;
    Ok(out)
}

fn write_json_str(out: &mut String, s: &str, ensure_ascii: bool) {
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if (c as u32) < 0x20 => {
                let _ = write!(out, "\\u{:04x}", c as u32);
            }
            c if ensure_ascii && (c as u32) > 0x7e => {
                let mut buf = [0u16; 2];
                for unit in c.encode_utf16(&mut buf) {
                    let _ = write!(out, "\\u{unit:04x}");
                }
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

fn json_float(f: f64) -> String {
    if f.is_nan() {
        "NaN".into()
    } else if f.is_infinite() {
        if f < 0.0 { "-Infinity" } else { "Infinity" }.into()
    } else {
        py_float_repr(f)
    }
}

/// A dict key as `json.dumps` writes it: strings as they are, numbers, bools and None
/// converted to their JSON spelling.
fn json_key(key: &Value) -> Result<String, Error> {
    Ok(match key.kind() {
        ValueKind::String => key.as_str().unwrap_or_default().to_owned(),
        ValueKind::Bool => if key.is_true() { "true" } else { "false" }.into(),
        ValueKind::None => "null".into(),
        ValueKind::Number => match float_of(key) {
            Some(f) => json_float(f),
            None => key.to_string(),
        },
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("keys must be str, int, float, bool or None, not {other}"),
            ));
        }
    })
}

fn newline_indent(out: &mut String, opts: &JsonOptions, level: usize) {
    if let Some(ind) = &opts.indent {
        out.push('\n');
        for _ in 0..level {
            out.push_str(ind);
        }
    }
}

fn write_json(out: &mut String, v: &Value, opts: &JsonOptions, level: usize) -> Result<(), Error> {
    match v.kind() {
        ValueKind::None => out.push_str("null"),
        ValueKind::Bool => out.push_str(if v.is_true() { "true" } else { "false" }),
        ValueKind::Number => match float_of(v) {
            Some(f) => out.push_str(&json_float(f)),
            None => {
                let _ = write!(out, "{v}");
            }
        },
        ValueKind::String => write_json_str(out, v.as_str().unwrap_or_default(), opts.ensure_ascii),
        ValueKind::Seq => {
            let items: Vec<Value> = v.try_iter()?.collect();
            if items.is_empty() {
                out.push_str("[]");
                return Ok(());
            }
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(&opts.item_separator);
                }
                newline_indent(out, opts, level + 1);
                write_json(out, item, opts, level + 1)?;
            }
            newline_indent(out, opts, level);
            out.push(']');
        }
        ValueKind::Map => {
            let mut entries = Vec::new();
            for key in v.try_iter()? {
                let value = v.get_item(&key)?;
                entries.push((json_key(&key)?, value));
            }
            if entries.is_empty() {
                out.push_str("{}");
                return Ok(());
            }
            if opts.sort_keys {
                entries.sort_by(|a, b| a.0.cmp(&b.0));
            }
            out.push('{');
            for (i, (key, value)) in entries.iter().enumerate() {
                if i > 0 {
                    out.push_str(&opts.item_separator);
                }
                newline_indent(out, opts, level + 1);
                write_json_str(out, key, opts.ensure_ascii);
                out.push_str(&opts.key_separator);
                write_json(out, value, opts, level + 1)?;
            }
            newline_indent(out, opts, level);
            out.push('}');
        }
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("Object of type {other} is not JSON serializable"),
            ));
        }
    }
    Ok(())
}

/// Python's `str.strip/lstrip/rstrip(chars)`: `chars` None means Python whitespace.
pub fn py_strip<'a>(s: &'a str, chars: Option<&str>, left: bool, right: bool) -> &'a str {
    let matches = |c: char| match chars {
        Some(set) => set.contains(c),
        None => is_py_whitespace(c),
    };
    let mut out = s;
    if left {
        out = out.trim_start_matches(matches);
    }
    if right {
        out = out.trim_end_matches(matches);
    }
    out
}

/// Python's `str.split(sep=None, maxsplit=-1)`.
pub fn py_split(s: &str, sep: Option<&str>, maxsplit: i64) -> Result<Vec<String>, Error> {
    let limit = usize::try_from(maxsplit).ok();
    match sep {
        Some("") => Err(Error::new(ErrorKind::InvalidOperation, "empty separator")),
        Some(sep) => Ok(match limit {
            Some(n) => s.splitn(n + 1, sep).map(str::to_owned).collect(),
            None => s.split(sep).map(str::to_owned).collect(),
        }),
        None => {
            let mut parts = Vec::new();
            let mut rest = py_strip(s, None, true, false);
            while !rest.is_empty() {
                if limit.is_some_and(|n| parts.len() == n) {
                    parts.push(rest.to_owned());
                    break;
                }
                let end = rest.find(is_py_whitespace).unwrap_or(rest.len());
                parts.push(rest[..end].to_owned());
                rest = py_strip(&rest[end..], None, true, false);
            }
            Ok(parts)
        }
    }
}

/// Python's `str.splitlines(keepends=False)` with its full set of line boundaries.
pub fn py_splitlines(s: &str, keepends: bool) -> Vec<String> {
    let is_break = |c: char| {
        matches!(
            c,
            '\n' | '\r'
                | '\u{b}'
                | '\u{c}'
                | '\u{1c}'
                | '\u{1d}'
                | '\u{1e}'
                | '\u{85}'
                | '\u{2028}'
                | '\u{2029}'
        )
    };
    let mut lines = Vec::new();
    let mut start = 0;
    let mut iter = s.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        if !is_break(c) {
            continue;
        }
        let mut end = i + c.len_utf8();
        if c == '\r' && iter.peek().is_some_and(|(_, n)| *n == '\n') {
            iter.next();
            end += 1;
        }
        lines.push(
            if keepends {
                &s[start..end]
            } else {
                &s[start..i]
            }
            .to_owned(),
        );
        start = end;
    }
    if start < s.len() {
        lines.push(s[start..].to_owned());
    }
    lines
}

/// Jinja2's output rule: `{{ x }}` prints `str(x)`.
pub fn formatter(out: &mut minijinja::Output, _: &mut State, value: &Value) -> Result<(), Error> {
    out.write_str(&py_str(value))
        .map_err(|_| Error::new(ErrorKind::WriteFailure, "cannot write template output"))
}

/// HF's `tojson(x, ensure_ascii=False, indent=None, separators=None, sort_keys=False)`.
pub fn tojson_filter(value: &Value, args: Rest<Value>, kwargs: Kwargs) -> Result<Value, Error> {
    const NAMES: [&str; 4] = ["ensure_ascii", "indent", "separators", "sort_keys"];
    if args.len() > NAMES.len() {
        return Err(Error::new(
            ErrorKind::TooManyArguments,
            "tojson takes at most 4 arguments",
        ));
    }
    let arg = |i: usize| -> Result<Value, Error> {
        let positional = args.get(i).cloned();
        let keyword = kwargs.get::<Option<Value>>(NAMES[i])?;
        match (positional, keyword) {
            (Some(_), Some(_)) => Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("tojson got multiple values for argument '{}'", NAMES[i]),
            )),
            (Some(v), None) | (None, Some(v)) => Ok(v),
            (None, None) => Ok(Value::from(())),
        }
    };
    let ensure_ascii = arg(0)?;
    let indent = arg(1)?;
    let separators = arg(2)?;
    let sort_keys = arg(3)?;
    kwargs.assert_all_used()?;
    let indent = match indent.kind() {
        ValueKind::None | ValueKind::Undefined => None,
        ValueKind::String => Some(indent.as_str().unwrap_or_default().to_owned()),
        ValueKind::Number if indent.is_integer() => {
            let n = i64::try_from(indent.clone()).unwrap_or(0);
            Some(" ".repeat(usize::try_from(n).unwrap_or(0)))
        }
        other => {
            return Err(Error::new(
                ErrorKind::InvalidOperation,
                format!("tojson indent must be an int, a string or None, not {other}"),
            ));
        }
    };
    let (item_separator, key_separator) = match separators.kind() {
        ValueKind::None | ValueKind::Undefined => {
            let item = if indent.is_some() { "," } else { ", " };
            (item.to_owned(), ": ".to_owned())
        }
        _ => {
            let parts: Vec<Value> = separators.try_iter()?.collect();
            match parts.as_slice() {
                [item, key] if item.as_str().is_some() && key.as_str().is_some() => (
                    item.as_str().unwrap_or_default().to_owned(),
                    key.as_str().unwrap_or_default().to_owned(),
                ),
                _ => {
                    return Err(Error::new(
                        ErrorKind::InvalidOperation,
                        "tojson separators must be an (item_separator, key_separator) pair of strings",
                    ));
                }
            }
        }
    };
    let opts = JsonOptions {
        ensure_ascii: ensure_ascii.is_true(),
        indent,
        item_separator,
        key_separator,
        sort_keys: sort_keys.is_true(),
    };
    Ok(Value::from(py_json_dumps(value, &opts)?))
}

/// Jinja2's `string` filter: Python `str()`.
pub fn string_filter(value: &Value) -> Value {
    Value::from(py_str(value))
}

/// Jinja2's `join(d='', attribute=None)`: `d.join(str(x) for x in value)`.
pub fn join_filter(
    value: &Value,
    d: Option<String>,
    attribute: Option<Value>,
) -> Result<Value, Error> {
    if value.is_undefined() || value.is_none() {
        return Ok(Value::from(""));
    }
    if let Some(s) = value.as_str() {
        // Joining a string joins its characters.
        let sep = d.unwrap_or_default();
        return Ok(Value::from(
            s.chars().map(String::from).collect::<Vec<_>>().join(&sep),
        ));
    }
    let mut parts = Vec::new();
    for item in value.try_iter()? {
        let item = match &attribute {
            Some(attr) => lookup_attribute(&item, attr)?,
            None => item,
        };
        parts.push(py_str(&item));
    }
    Ok(Value::from(parts.join(&d.unwrap_or_default())))
}

/// Jinja2's attribute getter: an int index, or a dotted path of keys / indices.
fn lookup_attribute(item: &Value, attr: &Value) -> Result<Value, Error> {
    if attr.is_integer() {
        return item.get_item(attr);
    }
    let mut current = item.clone();
    for part in attr.as_str().unwrap_or_default().split('.') {
        current = match part.parse::<i64>() {
            Ok(i) => current.get_item(&Value::from(i))?,
            Err(_) => current.get_attr(part)?,
        };
    }
    Ok(current)
}

/// Jinja2's `trim(chars=None)`: `str(value).strip(chars)` with Python whitespace.
pub fn trim_filter(value: &Value, chars: Option<Value>) -> Value {
    let s = py_str(value);
    let chars = chars.as_ref().and_then(|c| c.as_str().map(str::to_owned));
    Value::from(py_strip(&s, chars.as_deref(), true, true))
}

/// Python string methods that the pycompat callback gets wrong (Rust whitespace, Rust
/// `Display` in `join`); everything else goes on to `minijinja_contrib::pycompat`.
pub fn unknown_method(
    state: &mut State,
    value: &Value,
    method: &str,
    args: &[Value],
) -> Result<Value, Error> {
    if let Some(s) = value.as_str() {
        match method {
            "strip" | "lstrip" | "rstrip" => {
                let (chars,): (Option<Value>,) = from_args(args)?;
                let chars = chars.as_ref().and_then(|c| c.as_str().map(str::to_owned));
                let (l, r) = match method {
                    "strip" => (true, true),
                    "lstrip" => (true, false),
                    _ => (false, true),
                };
                return Ok(Value::from(py_strip(s, chars.as_deref(), l, r)));
            }
            "split" => {
                let (sep, maxsplit, kwargs): (Option<Value>, Option<i64>, Kwargs) =
                    from_args(args)?;
                let sep = match sep {
                    Some(v) => Some(v),
                    None => kwargs.get::<Option<Value>>("sep")?,
                };
                let maxsplit = match maxsplit {
                    Some(n) => n,
                    None => kwargs.get::<Option<i64>>("maxsplit")?.unwrap_or(-1),
                };
                kwargs.assert_all_used()?;
                let sep = sep.as_ref().and_then(|v| v.as_str().map(str::to_owned));
                let parts = py_split(s, sep.as_deref(), maxsplit)?;
                return Ok(Value::from(parts));
            }
            "splitlines" => {
                let (keepends,): (Option<bool>,) = from_args(args)?;
                return Ok(Value::from(py_splitlines(s, keepends.unwrap_or(false))));
            }
            "isspace" => {
                let () = from_args(args)?;
                return Ok(Value::from(
                    !s.is_empty() && s.chars().all(is_py_whitespace),
                ));
            }
            "join" => {
                let (items,): (Value,) = from_args(args)?;
                let mut parts = Vec::new();
                for (i, item) in items.try_iter()?.enumerate() {
                    match item.as_str() {
                        Some(p) => parts.push(p.to_owned()),
                        None => {
                            return Err(Error::new(
                                ErrorKind::InvalidOperation,
                                format!(
                                    "sequence item {i}: expected str instance, {} found",
                                    item.kind()
                                ),
                            ));
                        }
                    }
                }
                return Ok(Value::from(parts.join(s)));
            }
            _ => {}
        }
    }
    minijinja_contrib::pycompat::unknown_method_callback(state, value, method, args)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn float_repr_matches_python() {
        let cases = [
            (1e-05, "1e-05"),
            (1e16, "1e+16"),
            (1e15, "1000000000000000.0"),
            (0.0001, "0.0001"),
            (-0.0, "-0.0"),
            (0.0, "0.0"),
            (1.0, "1.0"),
            (0.1, "0.1"),
            (2.5e-07, "2.5e-07"),
            (123.456, "123.456"),
            (1e22, "1e+22"),
            (-1.5e-10, "-1.5e-10"),
            (123456789.125, "123456789.125"),
            (1.7976931348623157e308, "1.7976931348623157e+308"),
            (5e-324, "5e-324"),
            (12345678901234567.0, "1.2345678901234568e+16"),
            (f64::NAN, "nan"),
            (f64::NEG_INFINITY, "-inf"),
        ];
        for (x, want) in cases {
            assert_eq!(py_float_repr(x), want, "{x:?}");
        }
        assert!(float_display_differs(1e-05));
        assert!(!float_display_differs(0.5));
    }

    #[test]
    fn str_repr_matches_python() {
        assert_eq!(py_str_repr("it's"), "\"it's\"");
        assert_eq!(py_str_repr("say \"hi\""), "'say \"hi\"'");
        assert_eq!(py_str_repr("both ' and \""), "'both \\' and \"'");
        assert_eq!(py_str_repr("ü\n🚀\t\u{1}\u{7f}"), "'ü\\n🚀\\t\\x01\\x7f'");
        assert_eq!(
            py_str_repr("\u{a0}\u{200b}\u{e000}"),
            "'\\xa0\\u200b\\ue000'"
        );
    }

    fn v(json: &str) -> Value {
        Value::from(minijinja::value::Serde(
            serde_json::from_str::<serde_json::Value>(json).unwrap(),
        ))
    }

    #[test]
    fn str_of_containers_is_python_repr() {
        let meta = v(r#"{"k": "v", "f": 1e-05, "b": true, "n": null, "l": [1, 2.5, "it's"]}"#);
        assert_eq!(
            py_str(&meta),
            "{'k': 'v', 'f': 1e-05, 'b': True, 'n': None, 'l': [1, 2.5, \"it's\"]}"
        );
        assert_eq!(py_str(&Value::from("plain")), "plain");
        assert_eq!(py_str(&Value::UNDEFINED), "");
        assert_eq!(py_str(&Value::from(())), "None");
        assert_eq!(py_str(&Value::from(-0.0)), "-0.0");
    }

    #[test]
    fn json_dumps_matches_python() {
        let x = v(
            r#"{"a": "<b> & 'c' é 🚀\u0001\n", "f": [1e-05, 1e16, -0.0, 1.0, 3], "e": {}, "l": []}"#,
        );
        let default = py_json_dumps(&x, &JsonOptions::default()).unwrap();
        assert_eq!(
            default,
            r#"{"a": "<b> & 'c' é 🚀\u0001\n", "f": [1e-05, 1e+16, -0.0, 1.0, 3], "e": {}, "l": []}"#
        );
        let ascii = JsonOptions {
            ensure_ascii: true,
            ..JsonOptions::default()
        };
        assert_eq!(
            py_json_dumps(&v(r#""é🚀\u007f""#), &ascii).unwrap(),
            r#""\u00e9\ud83d\ude80\u007f""#
        );
        let pretty = JsonOptions {
            indent: Some("  ".into()),
            item_separator: ",".into(),
            sort_keys: true,
            ..JsonOptions::default()
        };
        assert_eq!(
            py_json_dumps(&v(r#"{"b": [1, {"z": null}], "a": true}"#), &pretty).unwrap(),
            "{\n  \"a\": true,\n  \"b\": [\n    1,\n    {\n      \"z\": null\n    }\n  ]\n}"
        );
    }

    #[test]
    fn python_whitespace_includes_information_separators() {
        let s = "\u{1c}\u{1d} a b \u{1e}\u{1f}";
        assert_eq!(py_strip(s, None, true, true), "a b");
        assert_eq!(py_strip(s, None, true, false), "a b \u{1e}\u{1f}");
        assert_eq!(py_strip("xxaxx", Some("x"), false, true), "xxa");
        assert_eq!(
            py_split("\u{1c} alpha\u{a0}beta\tgamma \u{1f}", None, -1).unwrap(),
            ["alpha", "beta", "gamma"]
        );
        assert_eq!(py_split("  a b  c  ", None, 1).unwrap(), ["a", "b  c  "]);
        assert_eq!(py_split("a,b,,c", Some(","), 2).unwrap(), ["a", "b", ",c"]);
        assert!(py_split("a", Some(""), -1).is_err());
        assert_eq!(py_splitlines("a\r\nb\u{1c}c\n", false), ["a", "b", "c"]);
        assert_eq!(py_splitlines("a\r\nb", true), ["a\r\n", "b"]);
    }

    #[test]
    fn trim_and_join_filters_use_python_str() {
        assert_eq!(
            trim_filter(&Value::from("\u{1f} x \u{1c}"), None).as_str(),
            Some("x")
        );
        let items = v(r#"[1e-05, true, null, "s", 1e16]"#);
        assert_eq!(
            join_filter(&items, Some(", ".into()), None)
                .unwrap()
                .as_str(),
            Some("1e-05, True, None, s, 1e+16")
        );
        assert_eq!(
            string_filter(&v(r#"[1.0, "a"]"#)).as_str(),
            Some("[1.0, 'a']")
        );
    }
}
