//! Redaction of secrets and personal data, in captured interactions and in source code
//! (PHP, YAML, JavaScript, Markdown) cleaned for training.
//!
//! Each rule replaces what it finds with a typed placeholder, `<REDACTED:aws_key>`, and
//! counts it by type; the secret itself is never returned, logged or stored. Rules are
//! regular expressions, checked first all at once with a `RegexSet` so clean text costs
//! one pass; where a regular expression cannot decide (is this a literal or an
//! expression, a valid address, random enough to be a key?) a check in code confirms the
//! match. Two kinds of finding are passes of their own, because a regular expression is
//! the wrong tool for them: database credentials (nested PHP arrays) and IP addresses.
//!
//! Assignment rules (`password = "…"`) replace the value only, so the surrounding code
//! still reads correctly; a value that is an expression (followed by `(`, `[` or `.`) is
//! code, not a secret, and is left alone.
//!
//! Code is full of things shaped like secrets that are not, and a false positive damages
//! the code the model learns from, so the code-facing rules are narrow on purpose. The
//! exclusions come from running the rules over Debian's PHP (Symfony, Laravel, Doctrine,
//! MediaWiki, phpMyAdmin), JavaScript and Markdown, with the ignored survey in
//! `tests/redact_corpus.rs`:
//!
//! - **Allowlists.** E-mail domains and IP ranges named in the config are kept. They are
//!   counted too, apart from redactions ([`Redactor::redact_with_allowlisted`]), so a
//!   manifest shows what was deliberately kept; they never add to the redaction counts,
//!   which callers sum as "things removed".
//! - **IP addresses** (`ip_address`) are validated by `std::net`, so versions (`11.3.5`,
//!   `1.2.3.4.5`), octets above 255 and `Foo::bar` are not addresses. A valid dotted quad
//!   is still not taken for an address when the line calls it something else just before
//!   it (`version`, `since`, `update … to`, `section`, `§`, `RFC`, `OID`: four-part
//!   versions such as `'10.0.0.0'` in a version compare, section numbers), when a version
//!   suffix follows (`1.3.0.1-dev`), when a plain number precedes it (SVG path data:
//!   `1.6 1.5.1.4` is three numbers), when it ends in `.0.0` (a /16 or larger network, or
//!   again a version), when it is a netmask, broadcast or multicast address (well-known
//!   constants, nobody's machine), or when it is the network address of the CIDR block
//!   written after it (`192.168.1.0/24`, `fe80::/10`: a range, not a host). Private
//!   addresses (`10.1.2.3`) are redacted like public ones: they map someone's network.
//! - **Database credentials** (`db_credentials`) in a Drupal `settings.php`: inside a
//!   `$databases… = [ … ]` (or `array( … )`) assignment, and in single-key assignments
//!   such as `$databases['default']['default']['password'] = '…'`, the literal values of
//!   `username` and `password`, and of `host` when it is a qualified name
//!   (`db.internal.acme.io`). A host that is `localhost`, a one-label service name (`db`,
//!   `mariadb`: meaningful only inside its own network) or an IP address (left to the IP
//!   pass and its allowlist) stays; one under an allowlisted e-mail domain
//!   (`db.example.com`) stays and is counted as allowlisted. Empty strings, expressions
//!   (`getenv('DB_PASS')`, `$_ENV[…]`, `"$user"`) and the documentation's own
//!   placeholders (`sqlusername`, `sqlpassword`) stay too.
//! - **High-entropy strings** (`high_entropy`): a quoted literal assigned with `=`, `=>`
//!   or `:` whose value is at least 24 characters of `[A-Za-z0-9+/=_-]` with upper case,
//!   lower case and digits, at least [`HIGH_ENTROPY_MIN_BITS`] bits of Shannon entropy
//!   per character, and the frequent switches between letter case and digits of random
//!   text ([`HIGH_ENTROPY_MIN_SWITCHES`]); identifiers, paths and class names switch
//!   rarely (`testGetAuthProvider2`), so they stay. Hex strings (commit SHAs, checksums,
//!   UUIDs) and subresource-integrity hashes (`sha384-…`) are public and stay.
//! - **Passwords and tokens in config** (`password`): a secret-named key (`password`,
//!   `secret`, `token`, `api_key`, `salt`, …) followed by a literal. PHP such as
//!   `'#type' => 'password'`, `$password = $generator->generate();`, `'password' =>
//!   $password`, `Token::TYPE_KEYWORD`, ternaries, and YAML `password: ''` stay, and so do
//!   values that name rather than hold a secret: identifiers (`'token' => 'csrf_token'`,
//!   `PASSWORD_DEFAULT`, `keywordMapper`), Drupal tokens (`[site:name]`), paths, type
//!   names, labels and messages (`'Passwort'`, `"Heslo:"`), masks (`'******'`) and the
//!   usual dummies. Tokens, keys and salts are made by machines, so for those a short
//!   value or one without digits or mixed case stays as well; passwords are chosen by
//!   people, so a lower-case word or phrase (`hunter two`) is still redacted. A query
//!   parameter's value (`?access_token=…&page=2`) ends at `&`.
//! - **URL credentials** (`url_credentials`): not when the "URL" is a pattern
//!   (`https://(?:[a-z0-9_]+@)?host`), the password is filled in elsewhere (`${DB_PASS}`,
//!   `%env(…)%`) or it is the documentation's `user:pass@`.

use std::borrow::Cow;
use std::collections::BTreeMap;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::LazyLock;

use regex::{Captures, Regex, RegexSet};
use tuneforge_core::config::{IpRange, RedactConfig};

/// Placeholder prefix; text already carrying it is never redacted again.
pub const PLACEHOLDER_PREFIX: &str = "<REDACTED:";

/// Findings per type (`aws_key` → 2). Sorted, so manifests are deterministic.
pub type RedactionCounts = BTreeMap<String, u64>;

/// Least Shannon entropy, in bits per character, of a `high_entropy` value. Random
/// base62 text of 24 characters measures about 4.2 (its expected distinct characters
/// bound it below log2(24) ≈ 4.58); identifiers measure 3.3 to 3.9, so entropy alone
/// cannot separate them: [`HIGH_ENTROPY_MIN_SWITCHES`] does most of the work. With both
/// thresholds, 97% of random 24-character base62 strings that have upper case, lower case
/// and digits are caught, and 99% from 28 characters.
pub const HIGH_ENTROPY_MIN_BITS: f64 = 3.7;

/// Least share of neighbouring character pairs that switch class (upper case, lower
/// case, digit, other) in a `high_entropy` value. Random base62 text switches at about
/// 0.62 of pairs; camelCase identifiers, paths and alphabets (`ABC…xyz0123456789`) at
/// 0.03 to 0.3.
pub const HIGH_ENTROPY_MIN_SWITCHES: f64 = 0.35;

/// Settings arrays longer than this are not followed to their end: an unbalanced bracket
/// in a comment must not turn the rest of a file into a credentials array.
const DATABASES_SPAN_LIMIT: usize = 8 * 1024;

/// What a rule's check decides about one match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Verdict {
    Redact,
    /// Not a secret (code, a placeholder, a version number): left alone, not counted.
    Keep,
    /// A real address left alone because an allowlist names it: counted apart.
    Allowlisted,
}

impl From<bool> for Verdict {
    fn from(redact: bool) -> Self {
        if redact {
            Verdict::Redact
        } else {
            Verdict::Keep
        }
    }
}

type AcceptFn = fn(&Captures<'_>, &str, &Redactor) -> Verdict;

struct Rule {
    kind: &'static str,
    regex: Regex,
    /// Replace only the `value` (or `value_bare`) group, keeping the key around it.
    value_only: bool,
    /// Check on a match, given the text it was found in.
    accept: AcceptFn,
}

pub struct Redactor {
    rules: Vec<Rule>,
    set: RegexSet,
    email_allowlist: Vec<String>,
    ip_addresses: bool,
    ip_allowlist: Vec<IpRange>,
}

fn always(_: &Captures<'_>, _: &str, _: &Redactor) -> Verdict {
    Verdict::Redact
}

/// File extensions that follow `@` in asset names (`logo@2x.png`), not mail domains. None
/// is a top-level domain (`.md`, Moldova's, is left out on purpose).
const FILE_EXTENSIONS: &[&str] = &[
    "png", "jpg", "jpeg", "gif", "svg", "webp", "avif", "ico", "bmp", "css", "js", "mjs", "ts",
    "json", "php", "html", "twig", "yml", "yaml", "txt", "xml", "map", "woff", "woff2", "ttf",
    "min",
];

fn email_outside_allowlist(caps: &Captures<'_>, _: &str, r: &Redactor) -> Verdict {
    let addr = &caps[0];
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return Verdict::Keep;
    };
    // `git@host:org/repo` is an SSH remote, not a person's address.
    if local == "git" {
        return Verdict::Keep;
    }
    let domain = domain.to_ascii_lowercase();
    let tld = domain.rsplit('.').next().unwrap_or("");
    if FILE_EXTENSIONS.contains(&tld) {
        return Verdict::Keep;
    }
    if r.email_domain_allowed(&domain) {
        Verdict::Allowlisted
    } else {
        Verdict::Redact
    }
}

/// (kind, pattern, value_only, accept). Order matters where patterns overlap: the more
/// specific provider token comes before the generic one, and a provider's key before the
/// generic high-entropy rule.
fn rule_table(config: &RedactConfig) -> Vec<(&'static str, &'static str, bool, AcceptFn)> {
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
            r#"(?i)aws_?secret(?:_?access)?_?key["']?\]?\s*(?::|=>?)\s*["']?(?P<value>[A-Za-z0-9/+=]{40})\b"#,
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
            "password",
            // A secret-named parameter of a URL query: the value ends at `&`.
            r"[?&](?P<key>[A-Za-z0-9_\-]*(?i:password|passwd|pwd|secret|api[_-]?key|token))=(?P<value>[^&\s\x22'#<>]{4,})",
            true,
            query_value,
        ),
        (
            "url_credentials",
            // Up to the last `@` before the host: passwords may contain `@`.
            r"\b[a-z][a-z0-9+.\-]*://(?P<user>[^\s/:@]*):(?P<value>[^\s/]+)@",
            true,
            url_password,
        ),
        (
            "password",
            // A key ending in one of these words (`DB_PASSWORD`, `hash_salt`, `_authToken`,
            // `$settings['password']`), then `:`, `=` or `=>` on the same line.
            r#"(?i)(?P<key>[A-Za-z0-9_\-]*(?:password|passwd|pwd|secret|salt|api[_-]?key|token|private[_-]?key))["']?\]?[ \t]*(?P<op>:|=>|=)[ \t]*(?:(?P<quote>["'])(?P<value>[^"'\n]{4,}?)["']|(?P<value_bare>[^\s"',;()\[\]{}:][^\s"',;()\[\]{}]{5,}))"#,
            true,
            password_value,
        ),
        (
            "high_entropy",
            r#"(?:=>|[=:])[ \t]*(?P<quote>["'])(?P<value>[A-Za-z0-9+/=_\-]{24,})["']"#,
            true,
            high_entropy_literal,
        ),
    ];
    if config.emails {
        rules.push((
            "email",
            r"\b[A-Za-z0-9._%+\-]+@[A-Za-z0-9\-]+(?:\.[A-Za-z0-9\-]+)*\.[A-Za-z]{2,}\b",
            false,
            email_outside_allowlist,
        ));
    }
    rules
}

/// An assigned value is a secret only when it is a literal: a bare value followed by a call
/// or an index, or a dotted name, is code; placeholders and variables are not secrets.
fn literal_value_any(caps: &Captures<'_>, text: &str, _: &Redactor) -> Verdict {
    literal_value(caps, text).into()
}

fn literal_value(caps: &Captures<'_>, text: &str) -> bool {
    let value = caps.name("value").or_else(|| caps.name("value_bare"));
    let Some(value) = value else { return false };
    let v = value.as_str();
    if caps.name("quote").is_none() {
        if is_type_name(v) {
            return false;
        }
        // `= getToken()`, `= function (form) {`: a call or a definition.
        let next = text[value.end()..]
            .trim_start_matches([' ', '\t'])
            .chars()
            .next();
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

/// The `password` rule on code: a literal, and not one of the many other things code
/// assigns to secret-named keys. Each exclusion below comes from false positives found
/// by running the rules over Debian's PHP (Symfony, Laravel, MediaWiki, phpMyAdmin).
fn password_value(caps: &Captures<'_>, text: &str, _: &Redactor) -> Verdict {
    if !literal_value(caps, text) {
        return Verdict::Keep;
    }
    let (Some(whole), Some(key), Some(op)) = (caps.get(0), caps.name("key"), caps.name("op"))
    else {
        return Verdict::Keep;
    };
    let Some(value) = caps.name("value").or_else(|| caps.name("value_bare")) else {
        return Verdict::Keep;
    };
    let v = value.as_str();
    let quote = caps.name("quote").map(|q| q.as_str());
    let before_key = &text[..key.start()];
    // A URL query parameter: the `query_value` rule's, which ends the value at `&`.
    if quote.is_none() && before_key.ends_with(['?', '&']) {
        return Verdict::Keep;
    }
    if op.as_str() == ":" {
        // A PHP variable before a colon is in prose or a string (`"'$token': expected"`),
        // never a key.
        if before_key.ends_with('$') {
            return Verdict::Keep;
        }
        // A ternary, not a YAML or JSON key: `$a['token'] : 'x'` (no key has a `]` before
        // its colon) and `? 'newpassword' : 'x'`.
        let between = &text[key.end()..op.start()];
        let before = text[..whole.start()]
            .trim_end_matches(['\'', '"'])
            .trim_end();
        if between.contains(']') || before.ends_with('?') {
            return Verdict::Keep;
        }
    }
    let keep = match quote {
        // The match ran from one literal's closing quote to the next one's opening quote:
        // `'PRIVATE-TOKEN: '.$auth['username']`.
        Some(_) if v.starts_with(['.', ',', ')', ']', ';', ' ', '\t']) => true,
        // PHP (and shell) interpolate in double quotes: `":B:{$row->id}"`.
        Some("\"") if interpolates(v) => true,
        Some(_) => is_type_keyword(v),
        // `self::$nullToken`, `PasswordBroker::INVALID_TOKEN`, `&$input`, `DqlToken|null`,
        // and a JavaScript variable (`password: passwordInput`).
        None => v.contains("::") || v.starts_with('&') || is_type_union(v) || is_camel_case_name(v),
    };
    let machine_made = !key_holds_human_password(key.as_str());
    let not_a_secret = keep
        || is_masked(v)
        || is_path(v)
        || is_code_identifier(v)
        || is_label_of(key.as_str(), v)
        || names_a_secret(v)
        || is_doc_placeholder(v)
        || is_prose_or_label(v)
        || (machine_made && is_not_machine_token(v));
    (!not_a_secret).into()
}

/// Passwords are chosen by people and may be words; tokens, keys and salts are made by
/// machines.
fn key_holds_human_password(key: &str) -> bool {
    let key = key.to_ascii_lowercase();
    ["password", "passwd", "pwd"]
        .iter()
        .any(|w| key.ends_with(w))
}

/// Text for people rather than a secret: a translated label or message (`"Heslo:"`,
/// `"Das Passwort, das für…"`, `"Token lipsă. $1"`), a sentence, or one capitalized word
/// (`"Passwort"`). Words without punctuation may be a passphrase and stay suspect.
fn is_prose_or_label(v: &str) -> bool {
    let spaced = v.contains(char::is_whitespace);
    let non_ascii_letters = v.chars().any(|c| c.is_alphabetic() && !c.is_ascii());
    let message_parameter = v
        .match_indices('$')
        .any(|(i, _)| v[i + 1..].starts_with(|c: char| c.is_ascii_digit()));
    let sentence = spaced && (v.ends_with(['.', ':', '!', '?', ')']) || v.contains(", "));
    let word = v.trim_end_matches(['.', ':']);
    let mut chars = word.chars();
    let capitalized_word = chars.next().is_some_and(|c| c.is_ascii_uppercase())
        && chars.all(|c| c.is_ascii_lowercase());
    let label = v.ends_with(':') && !spaced;
    non_ascii_letters || (spaced && message_parameter) || sentence || capitalized_word || label
}

/// Machine-made tokens, keys and salts are long and carry digits or mixed case; a short
/// value, a phrase, or a lower-case name (`token: "comment"`,
/// `token: "entity.other.attribute-name.xml"` in a syntax highlighter) is not one.
fn is_not_machine_token(v: &str) -> bool {
    let has = |f: fn(&char) -> bool| v.chars().any(|c| f(&c));
    let digits = has(char::is_ascii_digit);
    v.len() < 12
        || v.contains(char::is_whitespace)
        || !(digits || (has(char::is_ascii_uppercase) && has(char::is_ascii_lowercase)))
        // camelCase names (`keywordMapper`, `constant.language.fslLanguage`) switch case
        // rarely; random letters switch at every other character.
        || (!digits && class_switches(v) < HIGH_ENTROPY_MIN_SWITCHES)
}

/// The password of a URL's userinfo, unless the "URL" is a pattern
/// (`https://(?:[a-z0-9_]+@)?host`, `scheme://user_name[:password]@host`: `?`, `[` and `]`
/// cannot appear in userinfo) or the documentation's `user:pass@`.
fn url_password(caps: &Captures<'_>, _: &str, _: &Redactor) -> Verdict {
    let (Some(user), Some(value)) = (caps.name("user"), caps.name("value")) else {
        return Verdict::Keep;
    };
    let pattern = |s: &str| s.contains(['?', '[', ']', '{', '}', '<', '>', '"', '\'', '|']);
    let v = value.as_str();
    // `${DB_PASS}`, `$PASS`, Symfony's `%env(DB_PASS)%`: filled in elsewhere.
    let filled_in = v.starts_with('$') || (v.starts_with('%') && v.ends_with('%'));
    let not_a_secret = pattern(user.as_str()) || pattern(v) || filled_in || is_doc_placeholder(v);
    (!not_a_secret).into()
}

/// A secret-named URL query parameter's value (`?access_token=…&`).
fn query_value(caps: &Captures<'_>, _: &str, _: &Redactor) -> Verdict {
    let Some(v) = caps.name("value").map(|m| m.as_str()) else {
        return Verdict::Keep;
    };
    (literal_value_checks(v)
        && !v.contains(['{', '$'])
        && !names_a_secret(v)
        && !is_doc_placeholder(v))
    .into()
}

/// Does a double-quoted value interpolate a variable (`{$x}`, `${x}`, `$name`)?
fn interpolates(v: &str) -> bool {
    v.contains("{$")
        || v.contains("${")
        || v.match_indices('$')
            .any(|(i, _)| v[i + 1..].starts_with(|c: char| c.is_ascii_alphabetic() || c == '_'))
}

/// A masked or elided value (`******`, `'**unsaved**'`, `` `TMP` ``), not a secret.
fn is_masked(v: &str) -> bool {
    v.contains("**") || v.starts_with('`')
}

/// A file path or URL to one (`/Auth/Password.php`, `file://…`, `keys/site.pem`): where a
/// secret is kept, not the secret.
fn is_path(v: &str) -> bool {
    const EXTENSIONS: &[&str] = &[
        "php", "pem", "key", "crt", "cer", "p12", "pfx", "json", "yml", "yaml", "txt", "ini", "env",
    ];
    if v.contains(char::is_whitespace) {
        return false;
    }
    let rooted = ["/", "./", "../", "~/", "file://"]
        .iter()
        .any(|p| v.starts_with(p));
    let file = v
        .rsplit_once('.')
        .is_some_and(|(stem, ext)| !stem.is_empty() && EXTENSIONS.contains(&ext));
    rooted || file
}

/// A value naming a secret rather than holding one (`'userBadToken'`, `'wpLoginToken'`,
/// `'userlogin-yourpassword'`): letters and separators only, with a secret word inside.
fn names_a_secret(v: &str) -> bool {
    let lower = v.to_ascii_lowercase();
    v.chars()
        .all(|c| c.is_ascii_alphabetic() || matches!(c, '_' | '-' | '.'))
        && ["password", "passwd", "token", "secret", "passphrase"]
            .iter()
            .any(|w| lower.contains(w))
}

/// A lower camelCase name without digits (`keywordMapper`), as a bare value a variable.
fn is_camel_case_name(v: &str) -> bool {
    v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.contains(|c: char| c.is_ascii_uppercase())
        && v.chars().all(|c| c.is_ascii_alphabetic())
}

/// Values that name things in code rather than hold secrets: lower-case snake_case or
/// dotted names with at least one separator (`csrf_token`, `user.pass`), names with two
/// or more dots (`markup.heading.1`), constants (`PASSWORD_DEFAULT`, `__DIR__`), Drupal
/// tokens (`[site:name]`) and class names (`\Foo\Bar`).
fn is_code_identifier(v: &str) -> bool {
    let snake_or_dotted = v.contains(['_', '.'])
        && v.starts_with(|c: char| c.is_ascii_lowercase())
        && v.chars()
            .all(|c| c.is_ascii_lowercase() || c == '_' || c == '.');
    let constant = v.contains('_')
        && v.contains(|c: char| c.is_ascii_uppercase())
        && v.starts_with(|c: char| c.is_ascii_uppercase() || c == '_')
        && v.chars()
            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_');
    // `markup.heading.1`, `support.function.C99.c`: scope and route names. Tokens with
    // dots (JWTs) are caught by their own rule first.
    let dotted_name = v.matches('.').count() >= 2
        && v.starts_with(|c: char| c.is_ascii_alphabetic())
        && v.split('.').all(|seg| {
            (1..=24).contains(&seg.len())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        });
    let drupal_token = v.starts_with('[') && v.ends_with(']') && v.contains(':');
    let class_name = v.contains('\\')
        && v.split('\\').filter(|s| !s.is_empty()).all(|s| {
            s.starts_with(|c: char| c.is_ascii_alphabetic())
                && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
        });
    snake_or_dotted || constant || dotted_name || drupal_token || class_name
}

/// A value that is its key's own name as a label (`'password' => 'Password'`,
/// `'api_key' => 'API key'`): a form or schema label, not a secret.
fn is_label_of(key: &str, v: &str) -> bool {
    let norm = |s: &str| -> String {
        s.chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .map(|c| c.to_ascii_lowercase())
            .collect()
    };
    let (k, v) = (norm(key), norm(v));
    !v.is_empty() && (k == v || k.ends_with(&v))
}

/// Type names of PHP, its docblock dialects and config schemas, lower-case.
const TYPES: &[&str] = &[
    "string",
    "number",
    "boolean",
    "bool",
    "integer",
    "int",
    "float",
    "double",
    "str",
    "bytes",
    "object",
    "unknown",
    "required",
    "optional",
    "nullable",
    "mixed",
    "array",
    "callable",
    "iterable",
    "resource",
    "non-empty-string",
    "numeric-string",
    "class-string",
    "positive-int",
    "array-key",
];

/// A quoted type name (`'setPassword' => 'bool'`, schema `type: 'string'`).
fn is_type_keyword(v: &str) -> bool {
    TYPES.contains(&v.to_ascii_lowercase().as_str())
}

/// A type union in a declaration or docblock (`token: DqlToken|null`).
fn is_type_union(v: &str) -> bool {
    v.contains('|')
        && v.split('|').all(|t| {
            let t = t.trim_start_matches('?');
            t.starts_with(|c: char| c.is_ascii_alphabetic() || c == '\\')
                && t.chars()
                    .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '\\' | '-'))
        })
}

/// Type names after a key are declarations (`password: string`, `pub api_key: String`,
/// GraphQL `password: String!`), not values.
fn is_type_name(v: &str) -> bool {
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
        || !v.contains(char::is_alphanumeric)
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

fn high_entropy_literal(caps: &Captures<'_>, _: &str, _: &Redactor) -> Verdict {
    let (Some(quote), Some(value)) = (caps.name("quote"), caps.name("value")) else {
        return Verdict::Keep;
    };
    // The closing quote must be the opening one: `'abc"` is two strings' ends.
    if !caps[0].ends_with(quote.as_str()) {
        return Verdict::Keep;
    }
    looks_random(value.as_str()).into()
}

/// Shannon entropy of `s` in bits per character.
fn shannon_entropy(s: &str) -> f64 {
    let mut freq = [0u32; 256];
    for b in s.bytes() {
        freq[usize::from(b)] += 1;
    }
    let n = s.len() as f64;
    freq.iter()
        .filter(|&&c| c > 0)
        .map(|&c| {
            let p = f64::from(c) / n;
            -p * p.log2()
        })
        .sum()
}

/// Share of neighbouring characters whose class (upper, lower, digit, other) differs.
fn class_switches(s: &str) -> f64 {
    let class = |b: u8| match b {
        b'A'..=b'Z' => 0u8,
        b'a'..=b'z' => 1,
        b'0'..=b'9' => 2,
        _ => 3,
    };
    let bytes = s.as_bytes();
    if bytes.len() < 2 {
        return 0.0;
    }
    let switches = bytes
        .windows(2)
        .filter(|w| class(w[0]) != class(w[1]))
        .count();
    switches as f64 / (bytes.len() - 1) as f64
}

/// Is `v` (already of the `high_entropy` alphabet and length) random enough to be a key?
fn looks_random(v: &str) -> bool {
    let has = |f: fn(&u8) -> bool| v.as_bytes().iter().any(f);
    if !(has(u8::is_ascii_uppercase) && has(u8::is_ascii_lowercase) && has(u8::is_ascii_digit)) {
        return false;
    }
    // Checksums, commit SHAs and UUIDs: public, and code compares against them.
    if v.bytes().all(|b| b.is_ascii_hexdigit() || b == b'-') {
        return false;
    }
    // Subresource integrity hashes: public by design.
    if ["sha256-", "sha384-", "sha512-"]
        .iter()
        .any(|p| v.starts_with(p))
    {
        return false;
    }
    shannon_entropy(v) >= HIGH_ENTROPY_MIN_BITS
        && class_switches(v) >= HIGH_ENTROPY_MIN_SWITCHES
        && !made_of_words(v)
}

/// Is `v` mostly words, as an identifier is (`CKEditor5MediaAndFilterSettingsInSync`,
/// `entity_reference_revisions2`)? Cut into capitalised or lower-case runs (`CKEditor`,
/// `Media`, `And`, `5`), at least [`WORD_SHARE`] of its characters are in runs with three
/// or more lower-case letters. Random text of the same alphabet has almost no such runs.
fn made_of_words(v: &str) -> bool {
    const WORD_SHARE: f64 = 0.6;
    let bytes = v.as_bytes();
    let mut in_words = 0usize;
    let mut i = 0;
    while i < bytes.len() {
        let start = i;
        while i < bytes.len() && bytes[i].is_ascii_uppercase() {
            i += 1;
        }
        let lower_start = i;
        while i < bytes.len() && bytes[i].is_ascii_lowercase() {
            i += 1;
        }
        if i - lower_start >= 3 {
            in_words += i - start;
        }
        if i == start {
            // A digit or a separator: a run of its own.
            i += 1;
        }
    }
    in_words as f64 >= WORD_SHARE * bytes.len() as f64
}

/// Does the line before a dotted quad call it something else: a version
/// (`version_compare($v, '10.0.0.0')`, `@deprecated 1.5.1.2`, `update V8 to 11.8.172.15`),
/// a section of a standard (`RFC 4122, Section 4.2.1.1`, `§11.5.1.1`) or an OID?
fn not_an_address_context(before: &str) -> bool {
    const WORDS: &[&str] = &[
        "version",
        "release",
        "deprecated",
        "since",
        "section",
        "sect.",
        "\u{a7}",
        "rfc",
        "chapter",
        "standard",
        "spec",
        "oid",
        "upgrade",
        "downgrade",
        "update",
        "bump",
        "v8",
        "chrome",
    ];
    let line = before.rsplit('\n').next().unwrap_or(before);
    let mut start = line.len().saturating_sub(48);
    while !line.is_char_boundary(start) {
        start += 1;
    }
    let window = line[start..].to_lowercase();
    WORDS.iter().any(|w| window.contains(w))
}

/// Does a plain number (not an address) come right before, as in SVG path data
/// (`2.4-2.3 1.5.1.4 1.6`) where `1.5.1.4` is the numbers 1.5, .1 and .4?
fn after_plain_number(before: &str) -> bool {
    let gap = before.trim_end_matches([' ', ',']);
    if before.len() - gap.len() > 2 {
        return false;
    }
    let head = gap.trim_end_matches(|c: char| c.is_ascii_digit() || c == '.' || c == '-');
    let number = &gap[head.len()..];
    number.contains(|c: char| c.is_ascii_digit()) && number.matches('.').count() < 3
}

/// The prefix length of a CIDR block written right after an address (`/24`), if any.
fn cidr_prefix(after: &str) -> Option<u32> {
    let digits = after.strip_prefix('/')?;
    let end = digits
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(digits.len());
    digits[..end].parse().ok()
}

static ADDRESS_PUNCT: LazyLock<Regex> =
    LazyLock::new(|| Regex::new("[.:]").expect("valid pattern"));

/// Bytes addresses are written with: hex digits, `:` and `.`.
fn address_byte(b: u8) -> bool {
    b.is_ascii_hexdigit() || b == b':' || b == b'.'
}

/// A character that makes a neighbouring run part of a word (`self::a1`, `v1.2.3.4`).
fn word_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// The addresses one run of address bytes holds, each with its byte range: the run as
/// an IPv6 address, or else the dotted quads between its colons (`10.1.2.3:8080`).
fn addresses_in_run(text: &str, start: usize, end: usize) -> Vec<(usize, usize, IpAddr)> {
    let run = text[start..end].trim_end_matches('.');
    if run.matches(':').count() >= 2 {
        // A colon after the address (`fe80::1:` in prose) is not part of it; `::` is.
        let shorter = run.strip_suffix(':').filter(|r| !r.ends_with(':'));
        for candidate in std::iter::once(run).chain(shorter) {
            if let Ok(v6) = candidate.parse::<Ipv6Addr>() {
                return vec![(start, start + candidate.len(), IpAddr::V6(v6))];
            }
        }
    }
    let mut found = Vec::new();
    let mut at = start;
    for segment in run.split(':') {
        let quad = segment.trim_end_matches('.');
        if quad.matches('.').count() == 3
            && quad.bytes().all(|b| b.is_ascii_digit() || b == b'.')
            && let Ok(v4) = quad.parse::<Ipv4Addr>()
        {
            found.push((at, at + quad.len(), IpAddr::V4(v4)));
        }
        at += segment.len() + 1;
    }
    found
}

/// Is this dotted quad, with the text around it, someone's address?
fn ipv4_verdict(addr: Ipv4Addr, before: &str, after: &str, r: &Redactor) -> Verdict {
    // A version with a suffix: `1.3.0.1-motley`, `12.4.254.14-node.11`.
    let version_suffix =
        after.starts_with('-') && after[1..].starts_with(|c: char| c.is_ascii_alphabetic());
    if version_suffix || not_an_address_context(before) || after_plain_number(before) {
        return Verdict::Keep;
    }
    if r.ip_allowed(IpAddr::V4(addr)) {
        return Verdict::Allowlisted;
    }
    if v4_not_a_host(addr, after) {
        return Verdict::Keep;
    }
    Verdict::Redact
}

/// Well-known constants rather than anyone's machine: a netmask or broadcast address, a
/// multicast group, an address ending in `.0.0` (a /16 or larger network, or a version
/// such as `10.0.0.0`), or the network address of the CIDR block written after it.
fn v4_not_a_host(addr: Ipv4Addr, after: &str) -> bool {
    let bits = u32::from(addr);
    let netmask = bits >= 0xFF00_0000 && (!bits).wrapping_add(1).is_power_of_two();
    let network = cidr_prefix(after)
        .filter(|&p| p <= 32)
        .is_some_and(|p| bits & !u32::MAX.checked_shl(32 - p).unwrap_or(0) == 0);
    bits & 0xFFFF == 0 || netmask || network || addr.is_multicast() || addr.is_broadcast()
}

/// Is this IPv6 address (`written` as in the text) someone's address?
fn ipv6_verdict(addr: Ipv6Addr, written: &str, after: &str, r: &Redactor) -> Verdict {
    // `A::B` and `Def::cafe` parse as addresses; real ones carry a digit.
    if !written.contains(|c: char| c.is_ascii_digit()) || addr.is_unspecified() {
        return Verdict::Keep;
    }
    if r.ip_allowed(IpAddr::V6(addr)) {
        return Verdict::Allowlisted;
    }
    let bits = u128::from(addr);
    let network = cidr_prefix(after)
        .filter(|&p| p <= 128)
        .is_some_and(|p| bits & !u128::MAX.checked_shl(128 - p).unwrap_or(0) == 0);
    let netmask = bits.leading_ones() >= 8 && bits.leading_ones() + bits.trailing_zeros() == 128;
    // An IPv4 address in IPv6 form (`::ffff:255.255.255.0`, `::ffff:ff00`) is judged as
    // the IPv4 address.
    let v4_constant = addr.to_ipv4().is_some_and(|v4| v4_not_a_host(v4, ""));
    if network || netmask || v4_constant || addr.is_multicast() {
        return Verdict::Keep;
    }
    Verdict::Redact
}

static DATABASES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"\$databases(?P<index>(?:[ \t]*\[[^\]\n]*\])*)[ \t]*=[ \t\r\n]*")
        .expect("valid pattern")
});
static INDEX_KEY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"\[[ \t]*['"]?(?P<key>[^'"\]]*)['"]?[ \t]*\]"#).expect("valid pattern")
});
static DATABASE_ENTRY: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r#"(?i)['"](?P<key>username|password|host)['"][ \t]*=>[ \t]*(?:'(?P<sq>(?:[^'\\\n]|\\.)*)'|"(?P<dq>(?:[^"\\\n]|\\.)*)")"#,
    )
    .expect("valid pattern")
});

/// The byte range inside the quoted literal that `rest` starts with, if it does.
fn quoted_literal(rest: &str) -> Option<(usize, usize, char)> {
    let quote = rest.chars().next().filter(|c| matches!(c, '\'' | '"'))?;
    let bytes = rest.as_bytes();
    let mut i = 1;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => i += 2,
            b'\n' => return None,
            b if char::from(b) == quote => return Some((1, i, quote)),
            _ => i += 1,
        }
    }
    None
}

/// Where the bracket opened at `open` closes (one past it), at most
/// [`DATABASES_SPAN_LIMIT`] bytes on. Quotes end at a line's end, so an apostrophe in a
/// comment cannot hide the rest of the file.
fn matching_close(text: &str, open: usize) -> usize {
    let bytes = text.as_bytes();
    let mut limit = (open + DATABASES_SPAN_LIMIT).min(bytes.len());
    while !text.is_char_boundary(limit) {
        limit -= 1;
    }
    let mut depth = 0usize;
    let mut quote = None;
    let mut i = open;
    while i < limit {
        let b = bytes[i];
        match quote {
            Some(q) => {
                if b == b'\\' {
                    i += 1;
                } else if b == q || b == b'\n' {
                    quote = None;
                }
            }
            None => match b {
                b'\'' | b'"' => quote = Some(b),
                b'[' | b'(' => depth += 1,
                b']' | b')' => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return i + 1;
                    }
                }
                _ => {}
            },
        }
        i += 1;
    }
    limit
}

/// Values documentation and tests use in place of credentials, and literal booleans.
fn is_doc_placeholder(v: &str) -> bool {
    const PLACEHOLDERS: &[&str] = &[
        "username",
        "password",
        "user",
        "pass",
        "passwd",
        "sqlusername",
        "sqlpassword",
        "dbuser",
        "dbusername",
        "dbpass",
        "dbpassword",
        "databaseusername",
        "databasepassword",
        "yourusername",
        "yourpassword",
        "passphrase",
        "secret",
        "token",
        "example",
        "dummy",
        "placeholder",
        "foobar",
        "123abc",
        "abc123",
        "empty",
        "none",
        "null",
        "true",
        "false",
    ];
    let norm: String = v
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    PLACEHOLDERS.contains(&norm.as_str())
}

impl Redactor {
    pub fn new(config: &RedactConfig) -> Self {
        let table = rule_table(config);
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
        let set = regex::RegexSetBuilder::new(rules.iter().map(|r| r.regex.as_str()))
            .dfa_size_limit(
                std::env::var("DFA")
                    .ok()
                    .and_then(|v| v.parse().ok())
                    .unwrap_or(2 << 20),
            )
            .build()
            .expect("redaction patterns are valid");
        Self {
            rules,
            set,
            email_allowlist: config
                .email_allowlist
                .iter()
                .map(|d| d.to_ascii_lowercase())
                .collect(),
            ip_addresses: config.ip_addresses,
            ip_allowlist: config.ip_allowlist.clone(),
        }
    }

    fn email_domain_allowed(&self, domain: &str) -> bool {
        self.email_allowlist.iter().any(|allowed| {
            domain == allowed
                || (domain.len() > allowed.len()
                    && domain.ends_with(allowed.as_str())
                    && domain.as_bytes()[domain.len() - allowed.len() - 1] == b'.')
        })
    }

    fn ip_allowed(&self, ip: IpAddr) -> bool {
        self.ip_allowlist.iter().any(|range| range.contains(ip))
    }

    /// Replace every finding in `text`, adding to `counts`. Borrowed when nothing matched.
    /// Values kept because of an allowlist are not counted here; see
    /// [`Redactor::redact_with_allowlisted`].
    pub fn redact<'t>(&self, text: &'t str, counts: &mut RedactionCounts) -> Cow<'t, str> {
        let mut allowlisted = RedactionCounts::new();
        self.redact_with_allowlisted(text, counts, &mut allowlisted)
    }

    /// [`Redactor::redact`], also counting in `allowlisted` (by kind: `email`,
    /// `ip_address`, `db_credentials`) the values left alone only because an allowlist
    /// names them. Those are never added to `counts`: a total of `counts` is the number of
    /// placeholders inserted.
    pub fn redact_with_allowlisted<'t>(
        &self,
        text: &'t str,
        counts: &mut RedactionCounts,
        allowlisted: &mut RedactionCounts,
    ) -> Cow<'t, str> {
        let mut current = Cow::Borrowed(text);
        // A plain substring test first: the pass costs nothing on files without it.
        if text.contains("$databases")
            && let Some(out) = self.redact_databases(text, counts, allowlisted)
        {
            current = Cow::Owned(out);
        }
        // No rule's regex runs on text the set found nothing in.
        for index in self.set.matches(text).iter() {
            let rule = &self.rules[index];
            let mut found = 0u64;
            let mut kept = 0u64;
            let replaced = rule.regex.replace_all(&current, |caps: &Captures<'_>| {
                let whole = caps.get(0).expect("group 0 always matches");
                let target = if rule.value_only {
                    caps.name("value")
                        .or_else(|| caps.name("value_bare"))
                        .unwrap_or(whole)
                } else {
                    whole
                };
                if target.as_str().starts_with(PLACEHOLDER_PREFIX) {
                    return whole.as_str().to_owned();
                }
                match (rule.accept)(caps, &current, self) {
                    Verdict::Keep => return whole.as_str().to_owned(),
                    Verdict::Allowlisted => {
                        kept += 1;
                        return whole.as_str().to_owned();
                    }
                    Verdict::Redact => {}
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
            if kept > 0 {
                *allowlisted.entry(rule.kind.to_owned()).or_default() += kept;
            }
            if found > 0 {
                *counts.entry(rule.kind.to_owned()).or_default() += found;
                current = Cow::Owned(replaced.into_owned());
            }
        }
        if self.ip_addresses
            && let Some(out) = self.redact_addresses(&current, counts, allowlisted)
        {
            current = Cow::Owned(out);
        }
        current
    }

    /// The `ip_address` pass. A scan for runs of hex digits, `:` and `.` rather than a
    /// regular expression: an IPv6 pattern is expensive to run over code (PHP's `::` is
    /// on most lines; the pattern tripled the cost of redaction), and runs make the
    /// boundaries plain: an address touching a letter is part of a word (`self::a1`,
    /// `v1.2.3.4`), and a run with four dots (`1.2.3.4.5`) is no address. `None` when it
    /// replaced nothing.
    fn redact_addresses(
        &self,
        text: &str,
        counts: &mut RedactionCounts,
        allowlisted: &mut RedactionCounts,
    ) -> Option<String> {
        let bytes = text.as_bytes();
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        let mut kept = 0u64;
        let mut done = 0;
        // Every address has a `.` or `:`; the regex finds them with a vectorized search.
        for punct in ADDRESS_PUNCT.find_iter(text) {
            if punct.start() < done {
                continue;
            }
            let mut start = punct.start();
            while start > 0 && address_byte(bytes[start - 1]) {
                start -= 1;
            }
            let mut end = punct.start();
            let (mut colons, mut dots) = (0, 0);
            while end < bytes.len() && address_byte(bytes[end]) {
                colons += usize::from(bytes[end] == b':');
                dots += usize::from(bytes[end] == b'.');
                end += 1;
            }
            done = end;
            // Counting from the found character is enough: it is the run's first `.` or
            // `:`, found in order.
            if colons < 2 && dots < 3 {
                continue;
            }
            for (s, e, addr) in addresses_in_run(text, start, end) {
                let (before, after) = (&text[..s], &text[e..]);
                // Part of a word: `self::a1`, `v1.2.3.4`, `Foo::B2`.
                if before.chars().next_back().is_some_and(word_char)
                    || after.chars().next().is_some_and(word_char)
                {
                    continue;
                }
                let verdict = match addr {
                    IpAddr::V4(v4) => ipv4_verdict(v4, before, after, self),
                    IpAddr::V6(v6) => ipv6_verdict(v6, &text[s..e], after, self),
                };
                match verdict {
                    Verdict::Redact => cuts.push((s, e)),
                    Verdict::Allowlisted => kept += 1,
                    Verdict::Keep => {}
                }
            }
        }
        if kept > 0 {
            *allowlisted.entry("ip_address".to_owned()).or_default() += kept;
        }
        if cuts.is_empty() {
            return None;
        }
        *counts.entry("ip_address".to_owned()).or_default() += cuts.len() as u64;
        Some(splice(text, &cuts, "ip_address"))
    }

    /// The `db_credentials` pass over Drupal `$databases` assignments. `None` when it
    /// replaced nothing.
    fn redact_databases(
        &self,
        text: &str,
        counts: &mut RedactionCounts,
        allowlisted: &mut RedactionCounts,
    ) -> Option<String> {
        let mut cuts: Vec<(usize, usize)> = Vec::new();
        let mut kept = 0u64;
        let mut judge = |key: &str, start: usize, end: usize, quote: char| match self
            .database_value(key, &text[start..end], quote)
        {
            Verdict::Redact => cuts.push((start, end)),
            Verdict::Allowlisted => kept += 1,
            Verdict::Keep => {}
        };
        for caps in DATABASES.captures_iter(text) {
            let whole = caps.get(0).expect("group 0 always matches");
            let rest = &text[whole.end()..];
            // `==` and `=>` compare or key; only `=` assigns.
            if rest.starts_with(['=', '>']) {
                continue;
            }
            let last_key = INDEX_KEY
                .captures_iter(&caps["index"])
                .last()
                .map(|c| c["key"].to_ascii_lowercase());
            if let Some(key) = last_key.filter(|k| is_credential_key(k)) {
                if let Some((s, e, quote)) = quoted_literal(rest) {
                    judge(&key, whole.end() + s, whole.end() + e, quote);
                }
                continue;
            }
            let open = if rest.starts_with('[') {
                0
            } else if rest
                .get(..6)
                .is_some_and(|a| a.eq_ignore_ascii_case("array("))
            {
                5
            } else {
                continue;
            };
            let start = whole.end() + open;
            let end = matching_close(text, start);
            for entry in DATABASE_ENTRY.captures_iter(&text[start..end]) {
                let (value, quote) = match (entry.name("sq"), entry.name("dq")) {
                    (Some(v), _) => (v, '\''),
                    (_, Some(v)) => (v, '"'),
                    _ => continue,
                };
                let key = entry["key"].to_ascii_lowercase();
                judge(&key, start + value.start(), start + value.end(), quote);
            }
        }
        if kept > 0 {
            *allowlisted.entry("db_credentials".to_owned()).or_default() += kept;
        }
        if cuts.is_empty() {
            return None;
        }
        cuts.sort_unstable();
        cuts.dedup();
        // Spans from two overlapping arrays (an unbalanced one runs into the next) are the
        // same values found twice.
        let mut at = 0;
        cuts.retain(|&(start, end)| {
            let fresh = start >= at;
            at = at.max(end);
            fresh
        });
        *counts.entry("db_credentials".to_owned()).or_default() += cuts.len() as u64;
        Some(splice(text, &cuts, "db_credentials"))
    }

    /// Is this `username`, `password` or `host` value in a `$databases` array a secret?
    fn database_value(&self, key: &str, v: &str, quote: char) -> Verdict {
        if v.is_empty()
            || !literal_value_checks(v)
            || (quote == '"' && v.contains('$'))
            || is_doc_placeholder(v)
        {
            return Verdict::Keep;
        }
        if key != "host" {
            return Verdict::Redact;
        }
        let host = v
            .trim()
            .trim_start_matches('[')
            .trim_end_matches(']')
            .to_ascii_lowercase();
        // An address is the IP rule's, with its allowlist; a one-label name (`db`) means
        // something only inside its own network.
        if host == "localhost"
            || host.ends_with(".localhost")
            || host.parse::<IpAddr>().is_ok()
            || !host.contains('.')
        {
            return Verdict::Keep;
        }
        if self.email_domain_allowed(&host) {
            return Verdict::Allowlisted;
        }
        Verdict::Redact
    }
}

/// `text` with each of the sorted, disjoint `cuts` replaced by the `kind` placeholder.
fn splice(text: &str, cuts: &[(usize, usize)], kind: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    for &(start, end) in cuts {
        out.push_str(&text[at..start]);
        out.push_str(PLACEHOLDER_PREFIX);
        out.push_str(kind);
        out.push('>');
        at = end;
    }
    out.push_str(&text[at..]);
    out
}

fn is_credential_key(key: &str) -> bool {
    matches!(key, "username" | "password" | "host")
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
        (
            "ip_address",
            "$settings['reverse_proxy_addresses'] = ['10.1.2.3'];",
            "10.1.2.3",
        ),
        ("ip_address", "upstream at 203.0.114.7:8080", "203.0.114.7"),
        (
            "ip_address",
            "listen [2a00:1450:4001:81c::200e]:443;",
            "2a00:1450:4001:81c::200e",
        ),
        (
            "ip_address",
            "peer fe80::2618:1234:ab11:3b9c%en0 up",
            "fe80::2618:1234:ab11:3b9c",
        ),
        (
            "ip_address",
            "mapped ::ffff:10.9.8.7 here",
            "::ffff:10.9.8.7",
        ),
        ("ip_address", "REDIS_URL=redis:10.9.8.7:6379", "10.9.8.7"),
        ("ip_address", "http://10.9.8.7:8080/status", "10.9.8.7"),
        ("ip_address", "reached 10.9.8.7.", "10.9.8.7"),
        (
            "db_credentials",
            "$databases['default']['default']['password'] = 'Zq8-wP3x';",
            "Zq8-wP3x",
        ),
        (
            "high_entropy",
            "$config['acme.settings']['signing_key'] = 'Zk3pQ9vX2mL7tR4wB8nC1yH6';",
            "Zk3pQ9vX2mL7tR4wB8nC1yH6",
        ),
        (
            "password",
            "https://api.acme.io/v1/items?access_token=Qm9vX2tleTEyMw&page=2",
            "Qm9vX2tleTEyMw",
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
    fn redact_all(text: &str) -> (String, RedactionCounts, RedactionCounts) {
        let r = Redactor::new(&RedactConfig::default());
        let (mut counts, mut allowlisted) = (RedactionCounts::new(), RedactionCounts::new());
        let out = r
            .redact_with_allowlisted(text, &mut counts, &mut allowlisted)
            .into_owned();
        (out, counts, allowlisted)
    }

    fn assert_untouched(texts: &[&str]) {
        for text in texts {
            let (out, counts, _) = redact_all(text);
            assert_eq!(&out, text, "{counts:?}");
            assert!(counts.is_empty(), "{text}: {counts:?}");
        }
    }

    #[test]
    fn drupal_password_look_alikes_are_code() {
        assert_untouched(&[
            "'#type' => 'password',",
            "$form['pass'] = ['#type' => 'password_confirm'];",
            "$form['pass'] = ['#type' => 'password_confirm', '#size' => 25];",
            "$password = $this->passwordGenerator->generate();",
            "$password = \\Drupal::service('password_generator')->generate(10);",
            "'password' => $password,",
            "'pass' => $account->getPassword(),",
            "password: ''",
            "password:\n  type: password\n  label: 'Password'",
            "api_key:\n  type: string\n  label: 'API key'",
            "'#title' => $this->t('Password'),",
            "'password' => 'Password',",
            "$settings['hash_salt'] = file_get_contents('/var/private/salt.txt');",
            "$settings['hash_salt'] = '';",
            "$token = \\Drupal::csrfToken()->get('acme');",
            "'token' => 'csrf_token',",
            "'#token' => FALSE,",
            "$form['#token'] = 'acme_form';",
            "'text' => '[site:name] at [current-user:mail]', 'token' => '[node:title]',",
            "const ACCESS_TOKEN_TTL = 3600;",
            "if ($token === Token::TYPE_KEYWORD) {",
            "$stream->expect(/* Token::PUNCTUATION_TYPE */ 9, ')');",
            "$maintClass = CreateBotPassword::class;",
            "'class' => ApiValidatePassword::class,",
            "$this->token = self::$nullToken;",
            "'password' => PASSWORD_DEFAULT,",
            "'illuminate\\\\auth\\\\resetpassword' => '/Notifications/ResetPassword.php',",
            "'LightnCandy\\\\Token' => __DIR__ . '/..' . '/src/Token.php',",
            "$headers[] = 'PRIVATE-TOKEN: '.$auth['username'];",
            "$password = is_array($token) ? $token[\"token\"] : 'private-token';",
            "return $signup ? 'wpCreateaccountToken' : 'wpLoginToken';",
            "$row->user_password = \":B:{$row->user_id}:{$row->user_password}\";",
            "'bp_token' => '**unsaved**',",
            "$prop['password'] = 'true';",
            "'setPassword' => 'bool',",
            "/** @var array{token: DqlToken|null, nesting: int} */",
            "$context['error'][] = \"Error in '$token': expect '$expect' but the token ended\";",
            "token : keywordMapper,",
            "Functions.suggestPassword = function (passwordForm) {",
            "{ token: \"comment\", regex: \"#.*$\" },",
            "token: 'support.function.C99.c',",
            "\"userlogin-yourpassword\": \"Passwort\",",
            "\"authform-newtoken\": \"Token lipsă. $1\",",
            "'action=login&lgname=user&lgpassword=password&lgtoken=123ABC'",
            "Use http://user:pass@localhost:8057 as the proxy.",
            "'https://(?:[a-z0-9_]+@)?gerrit.example.org/r/(.*)' => 'x',",
            "db_url: \"mysql://${DB_USER}:${DB_PASS}@db/drupal\"",
        ]);
    }

    #[test]
    fn versions_and_other_dotted_numbers_are_not_addresses() {
        assert_untouched(&[
            "Drupal 11.3.5 requires PHP 8.3.",
            "1.2.3.4.5 is not an address; neither is 999.1.1.1 or 01.02.03.04",
            "if (version_compare(\\Drupal::VERSION, '10.0.0.0', '<')) {",
            "'version' => '8.1.2.3',",
            "@deprecated in 1.5.1.2",
            "see RFC 4122, Section 4.2.1.1.",
            "DCE 1.1, \u{a7}11.5.1.1",
            "* v8: update to 3.14.5.9",
            "zlib: '1.3.0.1-motley-7d77fb7'",
            "'OID 1.3.101.110'",
            "<path d=\"M2.4-2.3 1.5.1.4 1.6 1\"/>",
            "$mask = '255.255.255.0'; $all = '255.255.255.255';",
            "$ranges = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '192.168.1.0/24'];",
            "mdns 224.0.0.251 and ssdp 239.255.255.250",
            "$v6 = ['fe80::/10', 'fc00::/7', 'ff02::1', '::ffff:0:0/96'];",
            "$mask = 'ffff:ffff:ffff:ffff:0000:0000:0000:0000'; $m = '::ffff:ffff:ff00';",
            "return self::A1 + Foo::B2; $x = Def::cafe;",
            "a::before { content: ''; } li::marker",
            "fingerprint 16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48",
            "at 12:34:56 on 2024-01-01T12:34:56Z",
            "std::vector<int> v; std::map m;",
        ]);
    }

    #[test]
    fn allowlisted_addresses_are_kept_and_counted_apart() {
        let text = "db 127.0.0.1, bind 0.0.0.0, doc 192.0.2.10 and 198.51.100.7 and \
                    203.0.113.200, v6 ::1 and 2001:db8::42 and ::ffff:127.0.0.1, mail \
                    webmaster@example.com and ops@lists.example.org; private 10.1.2.3";
        let (out, counts, allowlisted) = redact_all(text);
        assert_eq!(
            out,
            text.replace("10.1.2.3", "<REDACTED:ip_address>"),
            "only the private address goes"
        );
        assert_eq!(counts, RedactionCounts::from([("ip_address".into(), 1)]));
        assert_eq!(
            allowlisted,
            RedactionCounts::from([("email".into(), 2), ("ip_address".into(), 8)])
        );
        // The plain API gives the same text and the same redaction counts.
        let (plain, plain_counts) = redact(text);
        assert_eq!(plain, out);
        assert_eq!(plain_counts, counts);
    }

    #[test]
    fn ip_allowlist_and_switch_come_from_config() {
        let config = RedactConfig {
            ip_allowlist: vec![IpRange::try_from("10.0.0.0/8".to_owned()).unwrap()],
            ..RedactConfig::default()
        };
        let r = Redactor::new(&config);
        let (mut counts, mut allowlisted) = (RedactionCounts::new(), RedactionCounts::new());
        let out =
            r.redact_with_allowlisted("a 10.1.2.3 b 127.0.0.1", &mut counts, &mut allowlisted);
        assert_eq!(out, "a 10.1.2.3 b <REDACTED:ip_address>");
        assert_eq!(allowlisted.get("ip_address"), Some(&1));

        let off = Redactor::new(&RedactConfig {
            ip_addresses: false,
            ..RedactConfig::default()
        });
        let mut counts = RedactionCounts::new();
        assert_eq!(off.redact("host 10.1.2.3", &mut counts), "host 10.1.2.3");
        assert!(counts.is_empty());

        for bad in [
            "10.0.0.0/33",
            "::1/129",
            "example.com",
            "10.0.0/8",
            "10.0.0.0/x",
        ] {
            assert!(IpRange::try_from(bad.to_owned()).is_err(), "{bad}");
        }
        let single = IpRange::try_from("192.0.2.5".to_owned()).unwrap();
        assert_eq!(String::from(single), "192.0.2.5/32");
    }

    #[test]
    fn settings_php_database_credentials() {
        let text = r#"<?php
/**
 * @code
 * $databases['default']['default'] = [
 *   'database' => 'databasename',
 *   'username' => 'sqlusername',
 *   'password' => 'sqlpassword',
 *   'host' => 'localhost',
 * ];
 * @endcode
 */
$databases['default']['default'] = [
  'database' => 'drupal',
  'username' => 'drupal_app',
  'password' => 'T0p-S3cret!',
  'host' => 'db.internal.acme.io',
  'port' => '3306',
  'driver' => 'mysql',
  'prefix' => '',
];
$databases['default']['replica'][] = array(
  'username' => "replica_ro",
  'password' => 'it\'s-a-s3cret',
  'host' => 'mariadb',
);
$databases['migrate']['default'] = [
  'username' => getenv('MIGRATE_DB_USER'),
  'password' => $_ENV['MIGRATE_DB_PASS'],
  'host' => '127.0.0.1',
  'password_note' => 'unrelated',
];
$databases['default']['default']['username'] = "$user";
$databases['default']['default']['host'] = 'db.example.com';
if ($databases == []) {}
"#;
        let (out, counts, allowlisted) = redact_all(text);
        let expected = text
            .replace("'drupal_app'", "'<REDACTED:db_credentials>'")
            .replace("'T0p-S3cret!'", "'<REDACTED:db_credentials>'")
            .replace("'db.internal.acme.io'", "'<REDACTED:db_credentials>'")
            .replace("\"replica_ro\"", "\"<REDACTED:db_credentials>\"")
            .replace(r"'it\'s-a-s3cret'", "'<REDACTED:db_credentials>'");
        assert_eq!(out, expected);
        assert_eq!(
            counts,
            RedactionCounts::from([("db_credentials".into(), 5)])
        );
        // The documentation host, and 127.0.0.1 through the IP rule.
        assert_eq!(
            allowlisted,
            RedactionCounts::from([("db_credentials".into(), 1), ("ip_address".into(), 1)])
        );
    }

    #[test]
    fn high_entropy_literals_are_secrets_and_names_are_not() {
        let (out, counts, _) = redact_all(
            "const SIGNING = 'Zk3pQ9vX2mL7tR4wB8nC1yH6';\n$c['client_id'] = \"u7Hq2Lm9Xw4Rt8Kp3Vz6Nc1Bd5\";",
        );
        assert_eq!(
            out,
            "const SIGNING = '<REDACTED:high_entropy>';\n$c['client_id'] = \"<REDACTED:high_entropy>\";"
        );
        assert_eq!(counts.get("high_entropy"), Some(&2));
        assert_untouched(&[
            "const UPSTREAM = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';",
            "$uuid = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';",
            "$chars = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';",
            "'test' => 'testGetAuthenticationProvider2',",
            "$id = 'OATHAuthAuthenticatedOver2FA';",
            "$path = 'core/modules/system/tests/Fixtures/Theme2Test';",
            "integrity: 'sha384-oqVuAfXRKap7fdgcCY5uykM6R9GqQ8K0uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC'",
            "$short = 'Zk3pQ9vX2mL7tR4';",
            "'icon' => 'wikimedia-userAvatar-base20',",
            // A plugin id from core's CKEditor 5 module: an identifier, however it switches case.
            "$id = 'CKEditor5MediaAndFilterSettingsInSync';",
            "'id' => 'ViewsExposedFormBlock2ResultsSummary',",
        ]);
    }

    #[test]
    fn emails_in_asset_names_are_not_addresses() {
        assert_untouched(&[
            "background: url(logo@2x.png);",
            "srcset=\"icon@3x.webp 3x\"",
        ]);
    }

    #[test]
    fn allowlisted_counts_never_reach_redaction_counts() {
        let r = Redactor::new(&RedactConfig::default());
        let (mut counts, mut allowlisted) = (RedactionCounts::new(), RedactionCounts::new());
        let text = "mail a@example.com from 127.0.0.1 and 2001:db8::1";
        let out = r.redact_with_allowlisted(text, &mut counts, &mut allowlisted);
        assert!(matches!(out, Cow::Borrowed(_)), "nothing was replaced");
        assert!(counts.is_empty(), "{counts:?}");
        assert_eq!(allowlisted.values().sum::<u64>(), 3);
    }
}
