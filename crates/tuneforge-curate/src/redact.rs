//! Redaction of secrets and personal data in captured text.
//!
//! Each rule replaces what it finds with a typed placeholder, `<REDACTED:aws_key>`, and
//! counts it by type; the secret itself is never returned, logged or stored. Rules are
//! regular expressions over prose and pasted config (interactions), checked first all at
//! once with a `RegexSet` so clean text costs one pass.
//!
//! Assignment rules (`password = "…"`) replace the value only, so the surrounding code
//! still reads correctly; a value that is an expression (followed by `(`, `[` or `.`) is
//! code, not a secret, and is left alone.

use std::borrow::Cow;
use std::collections::BTreeMap;

use regex::{Captures, Regex, RegexSet};
use tuneforge_core::config::RedactConfig;

/// Placeholder prefix; text already carrying it is never redacted again.
pub const PLACEHOLDER_PREFIX: &str = "<REDACTED:";

/// Findings per type (`aws_key` → 2). Sorted, so manifests are deterministic.
pub type RedactionCounts = BTreeMap<String, u64>;

struct Rule {
    kind: &'static str,
    regex: Regex,
    /// Replace only the `value` (or `value_bare`) group, keeping the key around it.
    value_only: bool,
    /// Extra check on a match; `false` keeps the text.
    accept: AcceptFn,
}

pub struct Redactor {
    rules: Vec<Rule>,
    set: RegexSet,
    email_allowlist: Vec<String>,
}

fn always(_: &Captures<'_>, _: &str, _: &Redactor) -> bool {
    true
}

fn email_outside_allowlist(caps: &Captures<'_>, _: &str, r: &Redactor) -> bool {
    let addr = &caps[0];
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    // `git@host:org/repo` is an SSH remote, not a person's address.
    if local == "git" {
        return false;
    }
    let domain = domain.to_ascii_lowercase();
    !r.email_allowlist
        .iter()
        .any(|allowed| domain == *allowed || domain.ends_with(&format!(".{allowed}")))
}

/// (kind, pattern, value_only, accept). Order matters where patterns overlap: the more specific
/// provider token comes before the generic one.
fn rule_table(emails: bool) -> Vec<(&'static str, &'static str, bool, AcceptFn)> {
    let mut rules: Vec<(&'static str, &'static str, bool, AcceptFn)> = vec![
        (
            "private_key",
            r"-----BEGIN (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----(?s:.*?)(?:-----END (?:[A-Z0-9]+ )*PRIVATE KEY(?: BLOCK)?-----|\z)",
            false,
            always,
        ),
        (
            "aws_key",
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b",
            false,
            always,
        ),
        (
            "aws_secret",
            r#"(?i)aws_?secret(?:_?access)?_?key["']?\s*[:=]\s*["']?(?P<value>[A-Za-z0-9/+=]{40})\b"#,
            true,
            always,
        ),
        (
            "github_token",
            r"\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
            false,
            always,
        ),
        (
            "gitlab_token",
            r"\bglpat-[A-Za-z0-9_\-]{20,}",
            false,
            always,
        ),
        (
            "slack_token",
            r"\bxox[abposr]-[A-Za-z0-9\-]{10,}",
            false,
            always,
        ),
        (
            "slack_webhook",
            r"https://hooks\.slack\.com/services/[A-Za-z0-9/_\-]+",
            false,
            always,
        ),
        ("google_api_key", r"\bAIza[0-9A-Za-z_\-]{35}", false, always),
        (
            "anthropic_key",
            r"\bsk-ant-[A-Za-z0-9_\-]{20,}",
            false,
            always,
        ),
        (
            "openai_key",
            r"\bsk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_\-]{20,}",
            false,
            always,
        ),
        (
            "stripe_key",
            r"\b[rs]k_(?:live|test)_[A-Za-z0-9]{16,}",
            false,
            always,
        ),
        (
            "jwt",
            r"\beyJ[A-Za-z0-9_\-]{8,}\.eyJ[A-Za-z0-9_\-]{8,}\.[A-Za-z0-9_\-]{8,}",
            false,
            always,
        ),
        (
            "bearer_token",
            r"(?i)\bbearer\s+(?P<value>[A-Za-z0-9._~+/\-]{16,}=*)",
            true,
            always,
        ),
        (
            "basic_auth",
            r#"\b(?:curl|wget|http)\b[^\n]*?\s(?:-u\s*|--user(?:\s+|=))["']?[A-Za-z0-9._@\-]+:(?P<value>[^\s"']+)"#,
            true,
            always,
        ),
        (
            "auth_header",
            r"(?i)\bauthorization\s*:\s*(?:basic|token|digest|apikey)\s+(?P<value>[A-Za-z0-9._~+/=\-]{8,})",
            true,
            always,
        ),
        (
            "password",
            r#"\bmysql(?:dump|admin|import|sh)?\b[^\n]*?\s-p(?P<value>[^\s"'\-][^\s"']*)"#,
            true,
            always,
        ),
        (
            "password",
            r#"--password[ \t]+(?P<value>[^\s"'\-][^\s"']*)"#,
            true,
            literal_value_any,
        ),
        (
            "url_credentials",
            // Up to the last `@` before the host: passwords may contain `@`.
            r"\b[a-z][a-z0-9+.\-]*://[^\s/:@]*:(?P<value>[^\s/]+)@",
            true,
            always,
        ),
        (
            "password",
            // A key ending in one of these words (`DB_PASSWORD`, `hash_salt`, `_authToken`,
            // `$settings['password']`), then `:`, `=` or `=>` on the same line.
            r#"(?i)[A-Za-z0-9_\-]*(?:password|passwd|pwd|secret|salt|api[_-]?key|token|private[_-]?key)["']?\]?[ \t]*(?::|=|=>)[ \t]*(?:(?P<quote>["'])(?P<value>[^"'\n]{4,}?)["']|(?P<value_bare>[^\s"',;()\[\]{}]{6,}))"#,
            true,
            literal_value_any,
        ),
    ];
    if emails {
        rules.push((
            "email",
            r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b",
            false,
            email_outside_allowlist,
        ));
    }
    rules
}

type AcceptFn = fn(&Captures<'_>, &str, &Redactor) -> bool;

/// An assigned value is a secret only when it is a literal: a bare value followed by a call
/// or an index, or a dotted name, is code; placeholders and variables are not secrets.
fn literal_value_any(caps: &Captures<'_>, text: &str, _: &Redactor) -> bool {
    let value = caps.name("value").or_else(|| caps.name("value_bare"));
    let Some(value) = value else { return false };
    let v = value.as_str();
    if caps.name("quote").is_none() {
        if is_type_name(v) {
            return false;
        }
        let next = text[value.end()..].chars().next();
        if matches!(next, Some('(' | '[')) || v.contains('(') || v.contains("->") {
            return false;
        }
        // A bare dotted name (`settings.password`) is a reference, not a secret.
        if v.contains('.')
            && v.chars()
                .all(|c| c.is_alphanumeric() || c == '.' || c == '_')
        {
            return false;
        }
    }
    literal_value_checks(v)
}

/// Type names after a key are declarations (`password: string`, `pub api_key: String`,
/// GraphQL `password: String!`), not values.
fn is_type_name(v: &str) -> bool {
    const TYPES: &[&str] = &[
        "string", "number", "boolean", "bool", "integer", "int", "float", "double", "str", "bytes",
        "object", "unknown", "required", "optional", "nullable",
    ];
    let bare = v.trim_end_matches(['!', '?', ';']);
    TYPES.contains(&bare.to_ascii_lowercase().as_str())
        || (bare.starts_with(|c: char| c.is_ascii_uppercase())
            && bare.chars().all(|c| c.is_ascii_alphabetic()))
        || v.contains('<')
}

/// Validation rules (`'required|min:8'`) name constraints, not secrets.
fn is_validation_rule(v: &str) -> bool {
    v.contains('|')
        && v.split('|').all(|rule| {
            let name = rule.split(':').next().unwrap_or("");
            !name.is_empty() && name.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
}

fn literal_value_checks(v: &str) -> bool {
    !(v.starts_with(PLACEHOLDER_PREFIX)
        || v.chars().all(|c| c.is_ascii_digit())
        || is_validation_rule(v)
        || v.starts_with('<')
        || v.starts_with('$')
        || v.starts_with('%')
        || v.starts_with("{{")
        || v.starts_with("process.env")
        || v.starts_with("os.environ")
        || v.chars()
            .all(|c| c == '*' || c == 'x' || c == 'X' || c == '.'))
}

impl Redactor {
    pub fn new(config: &RedactConfig) -> Self {
        let table = rule_table(config.emails);
        let rules: Vec<Rule> = table
            .into_iter()
            .map(|(kind, pattern, value_only, accept)| Rule {
                kind,
                // ASCII word boundaries: a Unicode `\b` keeps the regex engine off its fast
                // DFA whenever the text has a non-ASCII character, which prose often has.
                regex: Regex::new(&pattern.replace(r"\b", r"(?-u:\b)"))
                    .expect("redaction patterns are valid"),
                value_only,
                accept,
            })
            .collect();
        let set = RegexSet::new(rules.iter().map(|r| r.regex.as_str()))
            .expect("redaction patterns are valid");
        Self {
            rules,
            set,
            email_allowlist: config
                .email_allowlist
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
        }
    }

    /// Replace every finding in `text`, adding to `counts`. Borrowed when nothing matched.
    pub fn redact<'t>(&self, text: &'t str, counts: &mut RedactionCounts) -> Cow<'t, str> {
        let hits = self.set.matches(text);
        if !hits.matched_any() {
            return Cow::Borrowed(text);
        }
        let mut current = Cow::Borrowed(text);
        for index in hits.iter() {
            let rule = &self.rules[index];
            let mut found = 0u64;
            let replaced = rule.regex.replace_all(&current, |caps: &Captures<'_>| {
                let whole = caps.get(0).expect("group 0 always matches");
                let target = if rule.value_only {
                    caps.name("value")
                        .or_else(|| caps.name("value_bare"))
                        .unwrap_or(whole)
                } else {
                    whole
                };
                if target.as_str().starts_with(PLACEHOLDER_PREFIX)
                    || !(rule.accept)(caps, &current, self)
                {
                    return whole.as_str().to_owned();
                }
                found += 1;
                let mut out = String::with_capacity(whole.len());
                out.push_str(&current[whole.start()..target.start()]);
                out.push_str(PLACEHOLDER_PREFIX);
                out.push_str(rule.kind);
                out.push('>');
                out.push_str(&current[target.end()..whole.end()]);
                out
            });
            if found > 0 {
                *counts.entry(rule.kind.to_owned()).or_default() += found;
                current = Cow::Owned(replaced.into_owned());
            }
        }
        current
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn redact(text: &str) -> (String, RedactionCounts) {
        let r = Redactor::new(&RedactConfig::default());
        let mut counts = RedactionCounts::new();
        let out = r.redact(text, &mut counts).into_owned();
        (out, counts)
    }

    const SEEDED: &[(&str, &str, &str)] = &[
        (
            "aws_key",
            "key id AKIAIOSFODNN7EXAMPLE here",
            "AKIAIOSFODNN7EXAMPLE",
        ),
        (
            "aws_secret",
            "aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
            "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY",
        ),
        (
            "github_token",
            "token ghp_0123456789abcdefghijABCDEFGHIJ012345 used",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345",
        ),
        (
            "gitlab_token",
            "glpat-abcdefghij0123456789",
            "glpat-abcdefghij0123456789",
        ),
        (
            "slack_token",
            "xoxb-1234567890-abcdefghij",
            "xoxb-1234567890-abcdefghij",
        ),
        (
            "google_api_key",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
            "AIzaSyA-1234567890abcdefghijklmnopqrstu",
        ),
        (
            "anthropic_key",
            "sk-ant-api03-abcdefghijklmnopqrstuvwx",
            "sk-ant-api03-abcdefghijklmnopqrstuvwx",
        ),
        (
            "openai_key",
            "sk-proj-abcdefghijklmnopqrstuvwx1234",
            "sk-proj-abcdefghijklmnopqrstuvwx1234",
        ),
        (
            "bearer_token",
            "curl -H 'Authorization: Bearer abcdef0123456789abcdef' https://api",
            "abcdef0123456789abcdef",
        ),
        (
            "basic_auth",
            "curl -u admin:s3cr3tPass https://x",
            "s3cr3tPass",
        ),
        (
            "url_credentials",
            "postgres://app:hunter2pw@db:5432/x",
            "hunter2pw",
        ),
        ("password", "DB_PASSWORD=Tr0ub4dor&3", "Tr0ub4dor&3"),
        ("password", "password: \"correct-horse\"", "correct-horse"),
        (
            "password",
            "password: \"correct horse battery staple\"",
            "correct horse battery staple",
        ),
        ("password", "mysql -u root -pS3cretPw mydb", "S3cretPw"),
        (
            "auth_header",
            "curl -H \"Authorization: Basic dXNlcjpzZWNyZXQ=\" https://x",
            "dXNlcjpzZWNyZXQ=",
        ),
        (
            "auth_header",
            "Authorization: Token 9f8e7d6c5b4a39281706",
            "9f8e7d6c5b4a39281706",
        ),
        (
            "basic_auth",
            "curl --user=admin:s3cr3tPass https://x",
            "s3cr3tPass",
        ),
        (
            "password",
            "$settings['password'] = 'hunter2hunter2';",
            "hunter2hunter2",
        ),
        (
            "password",
            "$config['smtp.settings']['smtp_password'] = 'Sm7pS3cret';",
            "Sm7pS3cret",
        ),
        (
            "password",
            "$settings['hash_salt'] = 'aB3dE5fG7hI9';",
            "aB3dE5fG7hI9",
        ),
        ("password", "export PGPASSWORD=Pg5ecretPw", "Pg5ecretPw"),
        (
            "password",
            "//registry.npmjs.org/:_authToken=npm_AbC123dEf456",
            "npm_AbC123dEf456",
        ),
        ("password", "mysql --password Sup3rS3cret db", "Sup3rS3cret"),
        (
            "password",
            "PRIVATE-TOKEN: s3cr3t-t0k3n-value",
            "s3cr3t-t0k3n-value",
        ),
        (
            "url_credentials",
            "redis://:Sup3rS3cretValue@cache:6379",
            "Sup3rS3cretValue",
        ),
        (
            "basic_auth",
            "curl -uadmin:s3cr3tPass https://x",
            "s3cr3tPass",
        ),
        (
            "url_credentials",
            "postgres://app:p@ssw0rdXYZ@db:5432/x",
            "ssw0rdXYZ",
        ),
        (
            "email",
            "mail ops.lead@acme-corp.io now",
            "ops.lead@acme-corp.io",
        ),
        (
            "private_key",
            "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----",
            "MIIEowIBAAKCAQEA",
        ),
    ];

    #[test]
    fn each_seeded_secret_is_replaced_by_its_typed_placeholder() {
        for (kind, text, secret) in SEEDED {
            let (out, counts) = redact(text);
            assert!(!out.contains(secret), "{kind}: {out}");
            assert!(out.contains(&format!("<REDACTED:{kind}>")), "{kind}: {out}");
            assert_eq!(counts.get(*kind), Some(&1), "{kind}: {counts:?}");
        }
    }

    #[test]
    fn code_and_allowlisted_addresses_are_left_alone() {
        for text in [
            "password = request.form['password']",
            "$password = $this->config->get('password');",
            "const token = getToken();",
            "write to info@example.com",
            "git clone git@github.com:org/repo.git",
            "the password field must be required",
            "password: <REDACTED:password>",
            "built_at=$(date -u +%Y-%m-%dT%H:%M:%SZ)",
            "  password: string;",
            "pub password: String,\npub api_key: Vec<u8>,",
            "type User { password: String! }",
            "api_key:\n  enabled: true",
            "'password' => 'required|min:8|confirmed',",
            "max_tokens: 4096000",
            "token_type: bearer",
            "'#type' => 'password',",
            "$form['pass'] = ['#type' => 'password_confirm'];",
        ] {
            let (out, counts) = redact(text);
            assert_eq!(out, text, "{counts:?}");
        }
    }

    #[test]
    fn assignments_keep_their_key_and_quotes() {
        let (out, _) = redact("password: \"correct-horse\"");
        assert_eq!(out, "password: \"<REDACTED:password>\"");
        let (out, _) = redact("curl -u admin:s3cr3tPass https://x");
        assert_eq!(out, "curl -u admin:<REDACTED:basic_auth> https://x");
    }

    #[test]
    fn redaction_is_idempotent() {
        for (_, text, _) in SEEDED {
            let (once, _) = redact(text);
            let (twice, counts) = redact(&once);
            assert_eq!(once, twice);
            assert!(counts.is_empty(), "{counts:?}");
        }
    }
}
