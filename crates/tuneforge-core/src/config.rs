//! `pipeline.yaml`: the one configuration file of a workspace.
//!
//! The file is read into typed structs with `deny_unknown_fields`, so an unknown key, a
//! wrong type and a bad value are all errors that name the line, the key and what is
//! allowed. Checks that involve several fields live in `TryFrom` conversions of the
//! smallest struct that holds them, so serde-saphyr locates their errors too.
//!
//! Every section but `domains` has a default; `tuneforge init` writes the file with every
//! option spelled out ([`render_pipeline_yaml`]), and a test keeps that text and
//! [`PipelineConfig::preset`] in agreement.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Workspace presets: they differ in sources and domains.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Preset {
    Drupal11,
    Interactions,
}

impl Preset {
    pub fn name(self) -> &'static str {
        match self {
            Preset::Drupal11 => "drupal11",
            Preset::Interactions => "interactions",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PipelineConfig {
    /// Schema version of this file.
    #[serde(default = "default_version")]
    pub version: SchemaVersion,
    /// Seed of every random choice (splits, phrasing); same seed, same dataset.
    #[serde(default = "default_seed")]
    pub seed: u64,
    #[serde(default)]
    pub sources: Vec<SourceConfig>,
    pub domains: DomainsConfig,
    #[serde(default)]
    pub http: HttpConfig,
    #[serde(default)]
    pub collect: CollectConfig,
    #[serde(default)]
    pub redact: RedactConfig,
    #[serde(default)]
    pub clean: CleanConfig,
    #[serde(default)]
    pub rules: RulesConfig,
    #[serde(default)]
    pub gate: GateConfig,
    #[serde(default)]
    pub process: ProcessConfig,
    #[serde(default)]
    pub package: PackageConfig,
    #[serde(default)]
    pub eval: EvalConfig,
    #[serde(default)]
    pub teacher: TeacherConfig,
    #[serde(default)]
    pub proxy: ProxyConfig,
    #[serde(default)]
    pub validate: ValidateConfig,
    #[serde(default)]
    pub retrain: RetrainConfig,
    #[serde(default)]
    pub train: TrainConfig,
}

/// The only schema version this build reads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "u32", into = "u32")]
pub struct SchemaVersion;

impl TryFrom<u32> for SchemaVersion {
    type Error = String;
    fn try_from(v: u32) -> Result<Self, String> {
        if v == 1 {
            Ok(SchemaVersion)
        } else {
            Err(format!(
                "version: {v} is not supported by tuneforge {}; allowed: 1",
                crate::TOOL_VERSION
            ))
        }
    }
}

impl From<SchemaVersion> for u32 {
    fn from(_: SchemaVersion) -> u32 {
        1
    }
}

fn default_version() -> SchemaVersion {
    SchemaVersion
}
fn default_seed() -> u64 {
    42
}

/// Where code and docs come from. Read by `discover`; every variant names its kind in a
/// `type` tag.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "kebab-case", deny_unknown_fields)]
pub enum SourceConfig {
    /// A local directory, hashed like a pinned commit.
    Path {
        name: String,
        path: PathBuf,
        #[serde(default)]
        kind: ContentKind,
    },
    /// Any git repository URL (or local path) at a branch or tag, pinned to a commit.
    Git {
        name: String,
        url: String,
        #[serde(rename = "ref")]
        git_ref: String,
        #[serde(default)]
        kind: ContentKind,
    },
    /// Drupal core at a branch of its repository.
    DrupalCore {
        #[serde(default = "default_core_url")]
        url: String,
        #[serde(default = "default_core_branch")]
        branch: String,
    },
    /// Contrib modules from drupal.org whose `drupal/core` constraint admits 11.
    DrupalContrib {
        #[serde(default = "default_drupal_api")]
        api_url: String,
        #[serde(default = "default_packages_url")]
        packages_url: String,
        #[serde(default = "default_min_usage")]
        min_usage: u64,
        #[serde(default = "default_true")]
        require_security_coverage: bool,
        /// drupal.org maintenance status term ids (vocabulary 44) that drop a project.
        #[serde(default = "default_excluded_maintenance")]
        exclude_maintenance_terms: Vec<String>,
        /// drupal.org development status term ids (vocabulary 46) that drop a project.
        #[serde(default = "default_excluded_development")]
        exclude_development_terms: Vec<String>,
        /// Projects per listing page (drupal.org serves at most 100).
        #[serde(default = "default_page_size")]
        page_size: u64,
    },
    /// Change records and security advisories from drupal.org.
    DrupalDocs {
        #[serde(default = "default_drupal_api")]
        api_url: String,
        #[serde(default = "default_true")]
        change_records: bool,
        #[serde(default = "default_true")]
        security_advisories: bool,
        /// The drupal.org node id of the Drupal core project.
        #[serde(default = "default_core_project")]
        core_project: String,
        /// Change records for versions before this one are left out.
        #[serde(default = "default_change_records_since")]
        change_records_since: String,
        /// Topic pages of the API reference: every topic linked from
        /// `<api_site>/api/drupal/groups/<api_branch>` (empty `api_topics`) or the listed ones.
        #[serde(default = "default_true")]
        api_reference: bool,
        #[serde(default = "default_api_site")]
        api_site: String,
        #[serde(default = "default_api_branch")]
        api_branch: String,
        #[serde(default)]
        api_topics: Vec<String>,
    },
    /// Single pages to fetch as docs.
    Urls { name: String, urls: Vec<String> },
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ContentKind {
    #[default]
    Code,
    Docs,
}

fn default_core_url() -> String {
    "https://git.drupalcode.org/project/drupal.git".to_owned()
}
fn default_core_branch() -> String {
    "11.x".to_owned()
}
fn default_drupal_api() -> String {
    "https://www.drupal.org/api-d7".to_owned()
}
fn default_packages_url() -> String {
    "https://packages.drupal.org/8".to_owned()
}
fn default_min_usage() -> u64 {
    1000
}
/// 13032: "Unsupported".
fn default_excluded_maintenance() -> Vec<String> {
    vec!["13032".to_owned()]
}
/// 9994: "Obsolete".
fn default_excluded_development() -> Vec<String> {
    vec!["9994".to_owned()]
}
fn default_api_site() -> String {
    "https://api.drupal.org".to_owned()
}
fn default_api_branch() -> String {
    "11.x".to_owned()
}
fn default_core_project() -> String {
    "3060".to_owned()
}
fn default_change_records_since() -> String {
    "10.0.0".to_owned()
}
fn default_page_size() -> u64 {
    100
}
fn default_true() -> bool {
    true
}

/// A domain name: it becomes a directory name, so lower-case letters, digits and dashes.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DomainName(String);

impl DomainName {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    pub fn parse(s: &str) -> Result<Self, String> {
        let ok = !s.is_empty()
            && s.len() <= 64
            && s.as_bytes()[0].is_ascii_alphanumeric()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-');
        if ok {
            Ok(Self(s.to_owned()))
        } else {
            Err(format!(
                "domain name {s:?} is not allowed: use lower-case letters, digits and dashes \
                 (at most 64), starting with a letter or digit, e.g. \"drupal-plugins\""
            ))
        }
    }
}

impl TryFrom<String> for DomainName {
    type Error = String;
    fn try_from(s: String) -> Result<Self, String> {
        Self::parse(&s)
    }
}

impl From<DomainName> for String {
    fn from(d: DomainName) -> String {
        d.0
    }
}

impl std::fmt::Display for DomainName {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Domains of this workspace and the keyword rules that assign them.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "DomainsConfigRaw")]
pub struct DomainsConfig {
    /// The domain of an interaction no rule matches.
    pub default: DomainName,
    /// In order: on a tie, the rule listed first wins.
    pub rules: Vec<DomainRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct DomainsConfigRaw {
    default: DomainName,
    #[serde(default)]
    rules: Vec<DomainRule>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DomainRule {
    pub name: DomainName,
    /// Case-insensitive whole words or phrases.
    pub keywords: Vec<String>,
}

impl TryFrom<DomainsConfigRaw> for DomainsConfig {
    type Error = String;
    fn try_from(raw: DomainsConfigRaw) -> Result<Self, String> {
        let mut seen = std::collections::BTreeSet::new();
        for rule in &raw.rules {
            if !seen.insert(rule.name.as_str()) {
                return Err(format!(
                    "domains.rules: domain {:?} is listed twice; merge its keywords into one rule",
                    rule.name.as_str()
                ));
            }
            if rule.keywords.is_empty() {
                return Err(format!(
                    "domains.rules: domain {:?} has no keywords; add at least one or remove the rule",
                    rule.name.as_str()
                ));
            }
            if let Some(k) = rule.keywords.iter().find(|k| k.trim().is_empty()) {
                return Err(format!(
                    "domains.rules: domain {:?} has an empty keyword {k:?}",
                    rule.name.as_str()
                ));
            }
        }
        Ok(Self {
            default: raw.default,
            rules: raw.rules,
        })
    }
}

impl DomainsConfig {
    /// Every configured domain: the rules' domains in order, then the default if no rule
    /// names it.
    pub fn names(&self) -> Vec<&str> {
        let mut names: Vec<&str> = self.rules.iter().map(|r| r.name.as_str()).collect();
        if !names.contains(&self.default.as_str()) {
            names.push(self.default.as_str());
        }
        names
    }

    pub fn contains(&self, name: &str) -> bool {
        self.default.as_str() == name || self.rules.iter().any(|r| r.name.as_str() == name)
    }
}

/// How network stages treat the hosts they talk to.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct HttpConfig {
    /// Requests in flight at once per host.
    pub per_host_concurrency: u64,
    /// Minimum time between the starts of two requests to one host, in milliseconds.
    pub per_host_interval_ms: u64,
    /// Retries after the first attempt (429, 5xx, timeouts, broken connections).
    pub retries: u32,
    /// Whole-request timeout, in seconds.
    pub timeout_secs: u64,
}

impl Default for HttpConfig {
    fn default() -> Self {
        Self {
            per_host_concurrency: 2,
            per_host_interval_ms: 250,
            retries: 4,
            timeout_secs: 30,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CollectConfig {
    /// Largest query or answer `collect` accepts, in bytes.
    pub max_text_bytes: u64,
}

impl Default for CollectConfig {
    fn default() -> Self {
        Self {
            max_text_bytes: 1 << 20,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RedactConfig {
    pub enabled: bool,
    /// Replace e-mail addresses too.
    pub emails: bool,
    /// E-mail domains (and their subdomains) left as they are.
    pub email_allowlist: Vec<String>,
    /// Replace IPv4 and IPv6 addresses too.
    pub ip_addresses: bool,
    /// Address ranges left as they are. Addresses kept because of this list (or of
    /// `email_allowlist`) are counted apart from redactions.
    pub ip_allowlist: Vec<IpRange>,
}

impl Default for RedactConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            emails: true,
            email_allowlist: vec![
                "example.com".into(),
                "example.org".into(),
                "example.net".into(),
            ],
            ip_addresses: true,
            // Loopback, the unspecified address (bind configs) and the documentation
            // ranges of RFC 5737 and RFC 3849: no one's address.
            ip_allowlist: [
                "127.0.0.0/8",
                "::1/128",
                "0.0.0.0/32",
                "192.0.2.0/24",
                "198.51.100.0/24",
                "203.0.113.0/24",
                "2001:db8::/32",
            ]
            .into_iter()
            .map(|r| IpRange::try_from(r.to_owned()).expect("default ranges are valid"))
            .collect(),
        }
    }
}

/// An address range in CIDR notation (`10.0.0.0/8`, `2001:db8::/32`); a bare address is
/// a range of one. Checked when the file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct IpRange {
    addr: std::net::IpAddr,
    prefix: u8,
}

impl IpRange {
    /// Whether `ip` is in the range. An IPv4-mapped IPv6 address (`::ffff:127.0.0.1`) is
    /// also checked as the IPv4 address it carries.
    pub fn contains(&self, ip: std::net::IpAddr) -> bool {
        use std::net::IpAddr;
        let ip = match ip {
            IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
            v4 => v4,
        };
        match (self.addr, ip) {
            (IpAddr::V4(net), IpAddr::V4(a)) => {
                let mask = u32::MAX
                    .checked_shl(32 - u32::from(self.prefix))
                    .unwrap_or(0);
                u32::from(net) & mask == u32::from(a) & mask
            }
            (IpAddr::V6(net), IpAddr::V6(a)) => {
                let mask = u128::MAX
                    .checked_shl(128 - u32::from(self.prefix))
                    .unwrap_or(0);
                u128::from(net) & mask == u128::from(a) & mask
            }
            _ => false,
        }
    }
}

impl TryFrom<String> for IpRange {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        let (addr, prefix) = v.split_once('/').unwrap_or((&v, ""));
        let addr: std::net::IpAddr = addr.trim().parse().map_err(|_| {
            format!("{v:?} is not an IP address range (like 10.0.0.0/8 or 2001:db8::/32)")
        })?;
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = if prefix.is_empty() && !v.contains('/') {
            max
        } else {
            match prefix.trim().parse::<u8>() {
                Ok(p) if p <= max => p,
                _ => return Err(format!("{v:?}: the prefix length must be 0 to {max}")),
            }
        };
        Ok(Self { addr, prefix })
    }
}

impl From<IpRange> for String {
    fn from(r: IpRange) -> String {
        format!("{}/{}", r.addr, r.prefix)
    }
}

/// A regular expression, checked when the file is read.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Pattern(String);

impl Pattern {
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for Pattern {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        match regex::Regex::new(&v) {
            Ok(_) => Ok(Self(v)),
            Err(e) => Err(format!("{v:?} is not a valid regular expression: {e}")),
        }
    }
}

impl From<Pattern> for String {
    fn from(p: Pattern) -> String {
        p.0
    }
}

/// A path glob: `*` and `?` within one path segment, `**` across segments. A glob without
/// `/` matches the file name alone (`*.min.js`), like a `.gitignore` line.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct Glob(String);

impl Glob {
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The regular expression a path relative to the tree's root is matched against.
    pub fn to_regex(&self) -> String {
        let g = &self.0;
        let mut out = String::from(if g.contains('/') { "^" } else { "(?:^|/)" });
        let mut rest = g.trim_start_matches('/');
        while let Some(c) = rest.chars().next() {
            if let Some(tail) = rest.strip_prefix("**/") {
                out.push_str("(?:.*/)?");
                rest = tail;
            } else if let Some(tail) = rest.strip_prefix("**") {
                out.push_str(".*");
                rest = tail;
            } else {
                match c {
                    '*' => out.push_str("[^/]*"),
                    '?' => out.push_str("[^/]"),
                    _ => out.push_str(&regex::escape(&c.to_string())),
                }
                rest = &rest[c.len_utf8()..];
            }
        }
        out.push('$');
        out
    }
}

impl TryFrom<String> for Glob {
    type Error = String;
    fn try_from(v: String) -> Result<Self, String> {
        if v.trim().is_empty() {
            return Err("an empty glob matches nothing; remove it".to_owned());
        }
        let glob = Self(v);
        match regex::Regex::new(&glob.to_regex()) {
            Ok(_) => Ok(glob),
            Err(e) => Err(format!("{:?} is not a usable glob: {e}", glob.0)),
        }
    }
}

impl From<Glob> for String {
    fn from(g: Glob) -> String {
        g.0
    }
}

/// `clean`: what code and docs files are kept, how they are normalized, and how duplicates
/// are found.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanConfig {
    /// Files kept by name ending; any other file is listed as dropped.
    pub extensions: Vec<String>,
    /// Directories whose files are vendored or built, not the project's own.
    pub exclude_dirs: Vec<String>,
    /// Files dropped by glob: lock files, minified assets.
    pub exclude_files: Vec<Glob>,
    /// Text in a file's first lines that marks it as generated.
    pub generated_markers: Vec<String>,
    /// A comment at the top of a file matching one of these is a license banner and is
    /// removed (its SPDX id, if any, is kept as metadata).
    pub license_patterns: Vec<Pattern>,
    pub max_file_bytes: u64,
    /// Code-quality filters in the spirit of StarCoder2's.
    pub max_line_length: u64,
    pub max_mean_line_length: f64,
    pub min_alphanumeric_fraction: Fraction,
    pub dedup: CleanDedupConfig,
}

impl Default for CleanConfig {
    fn default() -> Self {
        let s = |v: &[&str]| v.iter().map(|x| (*x).to_owned()).collect::<Vec<_>>();
        Self {
            extensions: s(&[
                ".php", ".module", ".inc", ".install", ".theme", ".profile", ".engine", ".yml",
                ".yaml", ".twig", ".js", ".css", ".md", ".txt", ".rst", ".html", ".json",
            ]),
            exclude_dirs: s(&["vendor", "node_modules", "bower_components", ".git"]),
            exclude_files: s(&[
                "*.min.js",
                "*.min.css",
                "*.map",
                "composer.lock",
                "package-lock.json",
                "yarn.lock",
            ])
            .into_iter()
            .map(Glob)
            .collect(),
            generated_markers: s(&[
                "@generated",
                "DO NOT EDIT",
                "auto-generated",
                "autogenerated",
                "This file was generated",
            ]),
            license_patterns: s(&[
                r"(?i)GNU (?:Lesser |Affero )?General Public License",
                r"(?i)\bcopyright\b",
                r"(?i)@license\b",
                r"SPDX-License-Identifier",
                r"(?i)licensed under",
                r"(?i)permission is hereby granted",
            ])
            .into_iter()
            .map(Pattern)
            .collect(),
            max_file_bytes: 1 << 20,
            max_line_length: 1000,
            max_mean_line_length: 100.0,
            min_alphanumeric_fraction: Fraction(0.25),
            dedup: CleanDedupConfig::default(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CleanDedupConfig {
    /// Files whose word 5-gram shingles reach this Jaccard are near duplicates.
    pub threshold: Fraction,
    /// The chance that a pair at the threshold is compared at all (sets the LSH banding).
    pub target_recall: Fraction,
    pub masked: MaskedDedupConfig,
}

impl Default for CleanDedupConfig {
    fn default() -> Self {
        Self {
            threshold: Fraction(0.85),
            target_recall: Fraction(0.99),
            masked: MaskedDedupConfig::default(),
        }
    }
}

/// The Drupal 11 rules of `check` and `gate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RulesConfig {
    /// The mined deprecation list (`tuneforge rules mine`), workspace-relative.
    pub deprecations: String,
    /// Report PHP files without `declare(strict_types=1);`.
    pub require_strict_types: bool,
}

impl Default for RulesConfig {
    fn default() -> Self {
        Self {
            deprecations: crate::layout::DEFAULT_DEPRECATIONS.to_owned(),
            require_strict_types: false,
        }
    }
}

/// The quality gate: a sample is rejected when its findings of a severity exceed the
/// maximum for that severity.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct GateConfig {
    pub max_errors: u64,
    pub max_warnings: u64,
    /// `null`: notes never reject.
    pub max_notes: Option<u64>,
    /// Run php -l, phpcs and phpstan when they are installed.
    pub external_tools: bool,
    /// Paths of the tools; `null` finds each on PATH.
    pub php: Option<String>,
    pub phpcs: Option<String>,
    pub phpstan: Option<String>,
}

impl Default for GateConfig {
    fn default() -> Self {
        Self {
            max_errors: 0,
            max_warnings: 3,
            max_notes: None,
            external_tools: true,
            php: None,
            phpcs: None,
            phpstan: None,
        }
    }
}

/// `package`: the full dataset (generated samples and interactions). Splits, holdout and
/// export formats are the `process` section's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct PackageConfig {
    pub decontamination: DecontaminationConfig,
    pub composition: CompositionConfig,
}

impl Default for PackageConfig {
    fn default() -> Self {
        Self {
            decontamination: DecontaminationConfig {
                ngram: 13,
                threshold: 0.5,
            },
            composition: CompositionConfig::default(),
        }
    }
}

/// What a packaged dataset may be made of. `package` removes what exceeds these limits
/// and counts every removal with its reason. Captured interactions are never removed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct CompositionConfig {
    /// Keep samples made from test code (test suites, test modules, fixtures).
    pub include_tests: bool,
    /// Samples one source file may feed; the rest, across its generators in turn, go.
    pub max_per_source_file: u64,
    /// The largest share of the dataset one generator family may hold.
    pub max_generator_share: Fraction,
    /// The longest trained answer, in tokens (chars/4).
    pub max_answer_tokens: u64,
}

impl Default for CompositionConfig {
    fn default() -> Self {
        Self {
            include_tests: false,
            max_per_source_file: 6,
            max_generator_share: Fraction(0.2),
            max_answer_tokens: 4096,
        }
    }
}

/// A training sample whose word n-grams overlap the test split (or the eval prompts) by
/// more than `threshold` of its own n-grams is dropped from training.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DecontaminationConfig {
    pub ngram: usize,
    pub threshold: f64,
}

/// The teacher model `generate` asks for synthetic samples (OSS-Instruct: a real snippet
/// from the corpus seeds a problem and its solution). Any OpenAI-compatible endpoint.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeacherConfig {
    /// Up to `/v1` (`http://127.0.0.1:8080/v1`, `https://api.openai.com/v1`); `null` skips
    /// synthesis.
    pub base_url: Option<String>,
    pub model: Option<String>,
    /// The name of the environment variable holding the API key (never the key itself).
    pub api_key_env: Option<String>,
    pub concurrency: u64,
    pub timeout_secs: u64,
    pub retries: u32,
    pub temperature: f64,
    pub max_tokens: u64,
    /// Tokens (prompt + completion) one run may spend on requests the cache cannot answer;
    /// `null` for no limit.
    pub token_budget: Option<u64>,
    /// Snippets sent as seeds, chosen by the seed among the corpus's Drupal 11 classes.
    pub max_seeds: u64,
    pub prompts: TeacherPrompts,
}

/// Prompt templates; `{module}`, `{path}` and `{snippet}` are filled in.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TeacherPrompts {
    pub system: String,
    pub oss_instruct: String,
}

impl Default for TeacherPrompts {
    fn default() -> Self {
        Self {
            system: "You are an expert Drupal 11 developer. You write PHP 8.3 code that follows Drupal coding standards: attributes instead of annotations, dependency injection instead of \\Drupal:: calls, OOP hooks, strict types.".to_owned(),
            oss_instruct: "Here is a code snippet from the Drupal module {module} ({path}):\n\n```php\n{snippet}\n```\n\nInspired by it, write a new, self-contained task a Drupal 11 developer might ask for, and its complete solution. Answer with exactly two sections:\n\n## Problem\n<the task, as the developer would ask it>\n\n## Solution\n<a short explanation and the complete code in ```php blocks>".to_owned(),
        }
    }
}

impl Default for TeacherConfig {
    fn default() -> Self {
        Self {
            base_url: None,
            model: None,
            api_key_env: None,
            concurrency: 4,
            timeout_secs: 120,
            retries: 4,
            temperature: 0.2,
            max_tokens: 1024,
            token_budget: None,
            max_seeds: 100,
            prompts: TeacherPrompts::default(),
        }
    }
}

/// `tuneforge proxy`: the OpenAI-compatible server an editor or agent talks to, in front of
/// the local model. Flags override every field.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxyConfig {
    /// Address and port; anything but loopback needs `token_env`.
    pub listen: std::net::SocketAddr,
    /// The name of the environment variable holding the token clients must send as their
    /// API key (never the token itself).
    pub token_env: Option<String>,
    pub local: ProxyEndpoint,
    /// The stronger models a developer can consult, by the name they type.
    pub experts: std::collections::BTreeMap<String, ProxyEndpoint>,
    /// What a user turn says to escalate, `{expert}` standing for an expert's name;
    /// matched against the whole turn, case-insensitively.
    pub escalation_patterns: Vec<String>,
    /// Largest request body accepted; larger ones get a 413.
    pub max_body_bytes: u64,
    pub connect_timeout_secs: u64,
    /// Longest silence from the local model, before its answer starts or in the middle.
    pub idle_timeout_secs: u64,
}

/// An OpenAI-compatible endpoint behind the proxy.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProxyEndpoint {
    /// Up to `/v1`.
    pub url: Option<String>,
    /// The model asked for (an expert's), or recorded in captures (the local one); `null`:
    /// the model the client asks for.
    pub model: Option<String>,
    /// The name of the environment variable holding its API key.
    pub api_key_env: Option<String>,
}

impl Default for ProxyConfig {
    fn default() -> Self {
        Self {
            listen: std::net::SocketAddr::from(([127, 0, 0, 1], 8787)),
            token_env: None,
            local: ProxyEndpoint::default(),
            experts: std::collections::BTreeMap::new(),
            escalation_patterns: vec!["consult {expert}".to_owned()],
            max_body_bytes: 4 << 20,
            connect_timeout_secs: 10,
            idle_timeout_secs: 300,
        }
    }
}

/// `tuneforge eval`'s settings (flags override them) and the evaluation prompts kept out
/// of training.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct EvalConfig {
    /// Files of evaluation prompts (JSON Lines with a `prompt` or `messages` field, or plain
    /// text, one prompt per line), relative to the workspace. Training samples that
    /// overlap them are dropped at packaging.
    pub prompts: Vec<String>,
    /// `drupal11`, `php-exec` or JSON Lines files; empty means both built-in suites.
    pub suites: Vec<String>,
    /// The base model: a registry name, `org/name` or a directory.
    pub model: Option<String>,
    pub revision: Option<String>,
    /// A training run directory, or `latest`.
    pub adapter: Option<String>,
    /// An OpenAI-compatible endpoint (up to `/v1`); without one the worker generates.
    pub endpoint: Option<String>,
    /// The model name the endpoint serves the base under.
    pub served_model: Option<String>,
    /// The name the endpoint serves the adapter under (vLLM's `--lora-modules` name).
    pub served_adapter: Option<String>,
    /// A second endpoint serving the adapter (llama.cpp's server started with `--lora`).
    pub adapter_endpoint: Option<String>,
    /// The NAME of the environment variable holding the endpoint's key.
    pub api_key_env: Option<String>,
    /// `chat` (instruct models) or `completion` (base models; executable suites only).
    pub mode: Option<String>,
    pub samples: Option<u32>,
    pub temperature: Option<f64>,
    pub top_p: Option<f64>,
    pub max_tokens: Option<u64>,
    pub seed: Option<u64>,
    /// Only the first N tasks of each suite.
    pub limit: Option<usize>,
    /// Requests in flight to an endpoint.
    pub concurrency: Option<usize>,
    /// Seconds an endpoint request may take.
    pub timeout_secs: Option<u64>,
    /// Prompts per batch in the worker.
    pub batch_size: Option<u32>,
    pub bf16: Option<bool>,
    pub load_in_4bit: Option<bool>,
    /// Seconds an executable problem's program may run.
    pub exec_timeout_secs: Option<u64>,
    /// Loss and perplexity of each local model on the adapter's test split (default: on
    /// when the worker generates and the adapter's dataset has a test split).
    pub perplexity: Option<bool>,
}

impl EvalConfig {
    /// `self`'s settings, with `under`'s where `self` has none (flags over the file).
    pub fn over(self, under: &EvalConfig) -> EvalConfig {
        let u = under.clone();
        EvalConfig {
            prompts: if self.prompts.is_empty() {
                u.prompts
            } else {
                self.prompts
            },
            suites: if self.suites.is_empty() {
                u.suites
            } else {
                self.suites
            },
            model: self.model.or(u.model),
            revision: self.revision.or(u.revision),
            adapter: self.adapter.or(u.adapter),
            endpoint: self.endpoint.or(u.endpoint),
            served_model: self.served_model.or(u.served_model),
            served_adapter: self.served_adapter.or(u.served_adapter),
            adapter_endpoint: self.adapter_endpoint.or(u.adapter_endpoint),
            api_key_env: self.api_key_env.or(u.api_key_env),
            mode: self.mode.or(u.mode),
            samples: self.samples.or(u.samples),
            temperature: self.temperature.or(u.temperature),
            top_p: self.top_p.or(u.top_p),
            max_tokens: self.max_tokens.or(u.max_tokens),
            seed: self.seed.or(u.seed),
            limit: self.limit.or(u.limit),
            concurrency: self.concurrency.or(u.concurrency),
            timeout_secs: self.timeout_secs.or(u.timeout_secs),
            batch_size: self.batch_size.or(u.batch_size),
            bf16: self.bf16.or(u.bf16),
            load_in_4bit: self.load_in_4bit.or(u.load_in_4bit),
            exec_timeout_secs: self.exec_timeout_secs.or(u.exec_timeout_secs),
            perplexity: self.perplexity.or(u.perplexity),
        }
    }
}

/// A second shingling with names masked (string literals, variables, declared names,
/// numbers, YAML values), for boilerplate that differs only by names.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct MaskedDedupConfig {
    pub enabled: bool,
    pub threshold: Fraction,
    /// Files it applies to.
    pub files: Vec<Glob>,
}

impl Default for MaskedDedupConfig {
    fn default() -> Self {
        Self {
            enabled: true,
            threshold: Fraction(0.9),
            files: ["*.info.yml", "**/tests/**"]
                .into_iter()
                .map(|g| Glob(g.to_owned()))
                .collect(),
        }
    }
}

/// A fraction between 0 and 1.
#[derive(Debug, Clone, Copy, PartialEq, PartialOrd, Serialize, Deserialize)]
#[serde(try_from = "f64", into = "f64")]
pub struct Fraction(f64);

impl Fraction {
    pub fn get(self) -> f64 {
        self.0
    }
}

impl TryFrom<f64> for Fraction {
    type Error = String;
    fn try_from(v: f64) -> Result<Self, String> {
        if (0.0..=1.0).contains(&v) {
            Ok(Self(v))
        } else {
            Err(format!(
                "{v} is not a fraction: allowed values are 0.0 to 1.0"
            ))
        }
    }
}

impl From<Fraction> for f64 {
    fn from(f: Fraction) -> f64 {
        f.0
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(try_from = "SplitConfigRaw")]
pub struct SplitConfig {
    pub train: Fraction,
    pub valid: Fraction,
    pub test: Fraction,
}

#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct SplitConfigRaw {
    train: Fraction,
    valid: Fraction,
    test: Fraction,
}

impl TryFrom<SplitConfigRaw> for SplitConfig {
    type Error = String;
    fn try_from(r: SplitConfigRaw) -> Result<Self, String> {
        let sum = r.train.0 + r.valid.0 + r.test.0;
        if (sum - 1.0).abs() > 1e-9 {
            return Err(format!(
                "process.split: train + valid + test must add up to 1.0, they add up to {sum}"
            ));
        }
        Ok(Self {
            train: r.train,
            valid: r.valid,
            test: r.test,
        })
    }
}

impl Default for SplitConfig {
    fn default() -> Self {
        Self {
            train: Fraction(0.8),
            valid: Fraction(0.1),
            test: Fraction(0.1),
        }
    }
}

/// Dataset export formats written beside the canonical splits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ExportFormat {
    /// `{"messages": [...]}` for TRL / Axolotl `chat_template`.
    Messages,
    /// `{"instruction", "input", "output"}`.
    Alpaca,
    /// `{"prompt", "chosen", "rejected"}` from interactions.
    Preference,
}

impl ExportFormat {
    pub const ALL: [ExportFormat; 3] = [Self::Messages, Self::Alpaca, Self::Preference];
    pub fn dir_name(self) -> &'static str {
        match self {
            Self::Messages => "messages",
            Self::Alpaca => "alpaca",
            Self::Preference => "preference",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ProcessConfig {
    pub split: SplitConfig,
    /// A domain with fewer samples than this goes to train entirely: a valid or test split
    /// of one or two samples measures nothing.
    pub min_domain_samples_for_holdout: u64,
    pub formats: Vec<ExportFormat>,
}

impl Default for ProcessConfig {
    fn default() -> Self {
        Self {
            split: SplitConfig::default(),
            min_domain_samples_for_holdout: 10,
            formats: ExportFormat::ALL.to_vec(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ValidateConfig {
    /// Warn when one domain holds more than this share of the dataset.
    pub max_domain_share: Fraction,
    /// Warn when a domain has fewer samples than this.
    pub min_domain_samples: u64,
}

impl Default for ValidateConfig {
    fn default() -> Self {
        Self {
            max_domain_share: Fraction(0.6),
            min_domain_samples: 10,
        }
    }
}

/// `train:` settings, and also the flags of `tuneforge train`: every field is optional, and
/// an unset one falls through to the next level (flags > pipeline.yaml > hardware profile >
/// model registry > the preset's defaults).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct TrainConfig {
    /// A registry model, a Hugging Face repo id or a model directory.
    pub model: Option<String>,
    pub revision: Option<String>,
    /// A hardware profile (`rtx4070-12gb`, `rtx3090-24gb`, `rtx4090-24gb`, `l40s-48gb`,
    /// `gpu-96gb`).
    pub profile: Option<String>,
    pub lora_r: Option<u32>,
    pub lora_alpha: Option<u32>,
    pub lora_dropout: Option<f64>,
    pub lora_targets: Option<Vec<String>>,
    pub epochs: Option<f64>,
    pub max_steps: Option<u64>,
    pub learning_rate: Option<f64>,
    pub micro_batch: Option<u32>,
    pub grad_accum: Option<u32>,
    pub max_seq_len: Option<u32>,
    pub load_in_4bit: Option<bool>,
    pub bf16: Option<bool>,
    pub gradient_checkpointing: Option<bool>,
    pub eval_every: Option<u64>,
    pub save_every: Option<u64>,
    pub seed: Option<u64>,
}

impl TrainConfig {
    /// `self` where set, else `under`.
    pub fn over(self, under: &TrainConfig) -> TrainConfig {
        let under = under.clone();
        TrainConfig {
            model: self.model.or(under.model),
            revision: self.revision.or(under.revision),
            profile: self.profile.or(under.profile),
            lora_r: self.lora_r.or(under.lora_r),
            lora_alpha: self.lora_alpha.or(under.lora_alpha),
            lora_dropout: self.lora_dropout.or(under.lora_dropout),
            lora_targets: self.lora_targets.or(under.lora_targets),
            epochs: self.epochs.or(under.epochs),
            max_steps: self.max_steps.or(under.max_steps),
            learning_rate: self.learning_rate.or(under.learning_rate),
            micro_batch: self.micro_batch.or(under.micro_batch),
            grad_accum: self.grad_accum.or(under.grad_accum),
            max_seq_len: self.max_seq_len.or(under.max_seq_len),
            load_in_4bit: self.load_in_4bit.or(under.load_in_4bit),
            bf16: self.bf16.or(under.bf16),
            gradient_checkpointing: self.gradient_checkpointing.or(under.gradient_checkpointing),
            eval_every: self.eval_every.or(under.eval_every),
            save_every: self.save_every.or(under.save_every),
            seed: self.seed.or(under.seed),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct RetrainConfig {
    /// Advise retraining after this many new interactions since the last `train`.
    pub new_interactions: u64,
    /// Advise retraining when a domain crosses this many examples.
    pub domain_examples: u64,
}

impl Default for RetrainConfig {
    fn default() -> Self {
        Self {
            new_interactions: 50,
            domain_examples: 200,
        }
    }
}

/// `pipeline.yaml` could not be used.
#[derive(Debug, Error)]
pub enum ConfigError {
    #[error("cannot read {}: {source}", path.display())]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{}: not valid UTF-8 (byte {offset}); save it as UTF-8", path.display())]
    Utf8 { path: PathBuf, offset: usize },
    #[error("{}:{line}:{column}: {message}{snippet}", path.display())]
    Invalid {
        path: PathBuf,
        line: u64,
        column: u64,
        /// What is wrong and what is allowed.
        message: String,
        /// The offending lines, marked (starts with a newline; empty when unknown).
        snippet: String,
    },
}

/// A type error names no key ("invalid u64"): say which setting it is (`process.seed`) and
/// what it takes.
fn name_the_key(text: &str, line: u64, message: String) -> String {
    let expects = match message.as_str() {
        "invalid u64" | "invalid u32" | "invalid usize" => "a whole number, 0 or more",
        "invalid i64" | "invalid i32" => "a whole number",
        "invalid f64" | "invalid f32" => "a number",
        "invalid bool" | "invalid boolean" => "true or false",
        _ => return message,
    };
    match key_path_at(text, line) {
        Some(key) => format!("`{key}`: {message}: give {expects}"),
        None => format!("{message}: give {expects}"),
    }
}

/// The dotted path of the mapping key on 1-based `line` (`process.max_text_bytes`): its own
/// key and the keys of the less indented lines above it.
fn key_path_at(text: &str, line: u64) -> Option<String> {
    let lines: Vec<&str> = text.lines().collect();
    let index = usize::try_from(line).ok()?.checked_sub(1)?;
    let key_of = |l: &str| -> Option<(usize, String)> {
        let trimmed = l.trim_start();
        let indent = l.len() - trimmed.len();
        let body = trimmed.strip_prefix("- ").unwrap_or(trimmed);
        let (key, _) = body.split_once(':')?;
        let key = key.trim();
        (!key.is_empty()
            && key
                .chars()
                .all(|c| c.is_alphanumeric() || c == '_' || c == '-'))
        .then(|| (indent, key.to_string()))
    };
    let (mut indent, key) = key_of(lines.get(index)?)?;
    let mut path = vec![key];
    for l in lines[..index].iter().rev() {
        if l.trim().is_empty() || l.trim_start().starts_with('#') {
            continue;
        }
        if let Some((i, k)) = key_of(l)
            && i < indent
        {
            path.push(k);
            indent = i;
            if i == 0 {
                break;
            }
        }
    }
    path.reverse();
    Some(path.join("."))
}

impl PipelineConfig {
    /// Read and check `pipeline.yaml`.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let bytes = std::fs::read(path).map_err(|source| ConfigError::Read {
            path: path.to_path_buf(),
            source,
        })?;
        let text = std::str::from_utf8(&bytes).map_err(|e| ConfigError::Utf8 {
            path: path.to_path_buf(),
            offset: e.valid_up_to(),
        })?;
        Self::parse(text, path)
    }

    /// Parse `text` as the content of `path` (used only in messages).
    pub fn parse(text: &str, path: &Path) -> Result<Self, ConfigError> {
        if text.trim().is_empty() {
            return Err(ConfigError::Invalid {
                path: path.to_path_buf(),
                line: 1,
                column: 1,
                message: "the file is empty; `tuneforge init --preset interactions <dir>` \
                          writes a complete one to start from"
                    .to_owned(),
                snippet: String::new(),
            });
        }
        serde_saphyr::from_str(text).map_err(|e| {
            let (line, column) = e
                .location()
                .map(|l| (l.line(), l.column()))
                .unwrap_or((0, 0));
            let rendered = e
                .to_string()
                .replace("<input>", &path.display().to_string());
            // serde-saphyr renders "error: line L column C: message" and then the snippet.
            let (first, rest) = rendered.split_once('\n').unwrap_or((&rendered, ""));
            let prefix = format!("line {line} column {column}: ");
            let message = first
                .trim_start_matches("error: ")
                .trim_start_matches(prefix.as_str())
                .to_owned();
            let message = name_the_key(text, line, message);
            let snippet = if rest.is_empty() {
                String::new()
            } else {
                format!("\n{rest}")
            };
            ConfigError::Invalid {
                path: path.to_path_buf(),
                line,
                column,
                message,
                snippet,
            }
        })
    }

    /// The configuration `tuneforge init --preset <preset>` writes.
    pub fn preset(preset: Preset) -> Self {
        let (sources, domains) = match preset {
            Preset::Interactions => (Vec::new(), interactions_domains()),
            Preset::Drupal11 => (drupal11_sources(), drupal11_domains()),
        };
        Self {
            version: SchemaVersion,
            seed: default_seed(),
            sources,
            domains,
            http: HttpConfig::default(),
            collect: CollectConfig::default(),
            redact: RedactConfig::default(),
            clean: CleanConfig::default(),
            rules: RulesConfig::default(),
            gate: GateConfig::default(),
            process: ProcessConfig::default(),
            package: PackageConfig::default(),
            eval: EvalConfig::default(),
            teacher: TeacherConfig::default(),
            proxy: ProxyConfig::default(),
            validate: ValidateConfig::default(),
            retrain: RetrainConfig::default(),
            train: TrainConfig::default(),
        }
    }
}

fn rule(name: &str, keywords: &[&str]) -> DomainRule {
    DomainRule {
        name: DomainName(name.to_owned()),
        keywords: keywords.iter().map(|k| (*k).to_owned()).collect(),
    }
}

fn interactions_domains() -> DomainsConfig {
    DomainsConfig {
        default: DomainName("general-coding".into()),
        rules: vec![
            rule(
                "zddc-naming",
                &["zddc", "trackingnumber", "revision", "status code"],
            ),
            rule(
                "html-architecture",
                &["html", "spa", "single-file", "es module", "vanilla js"],
            ),
            rule("build-system", &["build.sh", "dist/", "template.html"]),
            rule("coding-debugging", &["debug", "error", "fix", "console"]),
            rule(
                "reasoning-architecture",
                &["reason", "analyze", "architecture", "design"],
            ),
        ],
    }
}

fn drupal11_domains() -> DomainsConfig {
    DomainsConfig {
        default: DomainName("drupal-general".into()),
        rules: vec![
            rule(
                "drupal-plugins",
                &[
                    "plugin",
                    "block",
                    "field formatter",
                    "field widget",
                    "queue worker",
                    "attribute",
                ],
            ),
            rule(
                "drupal-hooks",
                &["hook", "form_alter", "#[hook", "hooks class"],
            ),
            rule(
                "drupal-services",
                &[
                    "service",
                    "services.yml",
                    "dependency injection",
                    "container",
                    "autowire",
                ],
            ),
            rule(
                "drupal-routing",
                &["route", "routing.yml", "controller", "access check"],
            ),
            rule(
                "drupal-components",
                &["single directory component", "sdc", "component.yml", "twig"],
            ),
            rule(
                "drupal-upgrade",
                &[
                    "deprecated",
                    "drupal 10",
                    "drupal 11",
                    "upgrade",
                    "removed in",
                ],
            ),
            rule(
                "drupal-security",
                &["security", "xss", "csrf", "sql injection", "sanitize"],
            ),
        ],
    }
}

fn drupal11_sources() -> Vec<SourceConfig> {
    vec![
        SourceConfig::DrupalCore {
            url: default_core_url(),
            branch: default_core_branch(),
        },
        SourceConfig::DrupalContrib {
            api_url: default_drupal_api(),
            packages_url: default_packages_url(),
            min_usage: default_min_usage(),
            require_security_coverage: true,
            exclude_maintenance_terms: default_excluded_maintenance(),
            exclude_development_terms: default_excluded_development(),
            page_size: default_page_size(),
        },
        SourceConfig::DrupalDocs {
            api_url: default_drupal_api(),
            change_records: true,
            security_advisories: true,
            core_project: default_core_project(),
            change_records_since: default_change_records_since(),
            api_reference: true,
            api_site: default_api_site(),
            api_branch: default_api_branch(),
            api_topics: Vec::new(),
        },
        SourceConfig::Git {
            name: "symfony-docs".into(),
            url: "https://github.com/symfony/symfony-docs.git".into(),
            git_ref: "7.4".into(),
            kind: ContentKind::Docs,
        },
    ]
}

const SOURCES_INTERACTIONS: &str = r#"# Where code and docs come from (read by `discover`). This preset learns from captured
# interactions only, so there are none. Each entry has a `type`:
#   - {type: path, name: my-module, path: ../my_module}
#   - {type: git, name: my-repo, url: https://git.example.org/repo.git, ref: main, kind: code}
#   - {type: drupal-core, branch: 11.x}
#   - {type: drupal-contrib, min_usage: 1000}
#   - {type: drupal-docs}
#   - {type: urls, name: notes, urls: [https://example.org/page.html]}
sources: []
"#;

const SOURCES_DRUPAL11: &str = r#"# Where code and docs come from (read by `discover`). Each entry has a `type`:
# path (a local directory), git (any repository at a branch or tag, pinned to a commit),
# drupal-core, drupal-contrib, drupal-docs, urls.
sources:
  - type: drupal-core
    url: https://git.drupalcode.org/project/drupal.git
    branch: 11.x
  # Contrib modules whose drupal/core constraint admits Drupal 11.
  - type: drupal-contrib
    api_url: https://www.drupal.org/api-d7
    packages_url: https://packages.drupal.org/8
    min_usage: 1000                  # summed over a project's branches
    require_security_coverage: true
    exclude_maintenance_terms: ["13032"]   # drupal.org term ids: 13032 = Unsupported
    exclude_development_terms: ["9994"]    # 9994 = Obsolete
    page_size: 100                   # projects per listing page (drupal.org's maximum)
  # Change records and security advisories.
  - type: drupal-docs
    api_url: https://www.drupal.org/api-d7
    change_records: true
    security_advisories: true
    core_project: "3060"             # drupal.org node id of Drupal core
    change_records_since: "10.0.0"   # older change records are left out
    api_reference: true              # topic pages of the API reference
    api_site: https://api.drupal.org
    api_branch: "11.x"
    api_topics: []                   # empty: every topic listed at <api_site>/api/drupal/groups/<api_branch>
  - type: git
    name: symfony-docs
    url: https://github.com/symfony/symfony-docs.git
    ref: "7.4"
    kind: docs                        # code | docs
"#;

const DOMAINS_INTERACTIONS: &str = r#"# Domains are categories of samples; each becomes dataset/v<N>/domains/<name>/.
# `collect` picks a domain from these keyword rules when --domain is not given: keywords
# match case-insensitively as whole words or phrases in the query and the expert answer;
# the rule with the most matches wins, a tie goes to the rule listed first, and no match
# gives `default`.
domains:
  default: general-coding
  rules:
    - name: zddc-naming
      keywords: [zddc, trackingnumber, revision, status code]
    - name: html-architecture
      keywords: [html, spa, single-file, es module, vanilla js]
    - name: build-system
      keywords: [build.sh, dist/, template.html]
    - name: coding-debugging
      keywords: [debug, error, fix, console]
    - name: reasoning-architecture
      keywords: [reason, analyze, architecture, design]
"#;

const DOMAINS_DRUPAL11: &str = r##"# Domains are categories of samples; each becomes dataset/v<N>/domains/<name>/.
# Generators assign Drupal domains themselves; `collect` picks one from these keyword
# rules when --domain is not given: keywords match case-insensitively as whole words or
# phrases in the query and the expert answer; the rule with the most matches wins, a tie
# goes to the rule listed first, and no match gives `default`.
domains:
  default: drupal-general
  rules:
    - name: drupal-plugins
      keywords: [plugin, block, field formatter, field widget, queue worker, attribute]
    - name: drupal-hooks
      keywords: [hook, form_alter, "#[hook", hooks class]
    - name: drupal-services
      keywords: [service, services.yml, dependency injection, container, autowire]
    - name: drupal-routing
      keywords: [route, routing.yml, controller, access check]
    - name: drupal-components
      keywords: [single directory component, sdc, component.yml, twig]
    - name: drupal-upgrade
      keywords: [deprecated, drupal 10, drupal 11, upgrade, removed in]
    - name: drupal-security
      keywords: [security, xss, csrf, sql injection, sanitize]
"##;

const COMMON: &str = r#"
# Network stages (discover, acquire): politeness towards each host. The defaults suit
# drupal.org; raise them only for servers you run yourself.
http:
  per_host_concurrency: 2
  per_host_interval_ms: 250
  retries: 4                         # with backoff from 1 s, honoring Retry-After
  timeout_secs: 30

collect:
  max_text_bytes: 1048576            # largest query or answer accepted, in bytes

# Secrets and personal data are replaced by typed placeholders such as <REDACTED:aws_key>
# before anything reaches processed/ or dataset/. raw/ keeps what was captured.
redact:
  enabled: true
  emails: true
  email_allowlist: [example.com, example.org, example.net]   # and their subdomains
  ip_addresses: true
  # Loopback, unspecified and documentation ranges (CIDR). Values kept because of an
  # allowlist are counted apart from redactions.
  ip_allowlist: [127.0.0.0/8, "::1/128", 0.0.0.0/32, 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24, "2001:db8::/32"]

process:
  # Deterministic, seeded split by a hash of each sample's content: a sample stays in its
  # split when others are added, and duplicates are removed before splitting.
  split: {train: 0.8, valid: 0.1, test: 0.1}
  # A domain with fewer samples goes entirely to train.
  min_domain_samples_for_holdout: 10
  formats: [messages, alpaca, preference]   # written beside the canonical splits

package:
  # `package` splits by group (a source file and its duplicates) with the `process` split
  # ratios, stratified by domain and generator. A training sample sharing more than
  # `threshold` of its word n-grams with the test split or an eval prompt is dropped.
  decontamination: {ngram: 13, threshold: 0.5}
  # What the dataset may be made of; every sample these limits remove is counted, with the
  # reason, in the version's manifest and card. Captured interactions are never removed.
  composition:
    include_tests: false             # samples made from tests/, fixtures and test modules
    max_per_source_file: 6           # samples one source file may feed
    max_generator_share: 0.2         # of the dataset, per generator family
    max_answer_tokens: 4096          # trained answer length, chars/4

# `tuneforge eval`: flags override these. Without an endpoint the worker generates
# (transformers + PEFT, the chat template training used), on the GPU when there is one.
eval:
  prompts: []                        # files of evaluation prompts, kept out of training
  suites: []                         # drupal11, php-exec or JSON Lines files; [] is both built-in suites
  model: null                        # the base model; default: the adapter's
  revision: null
  adapter: null                      # a run directory under adapters/, or latest
  endpoint: null                     # an OpenAI-compatible server (vLLM, llama.cpp, Ollama), up to /v1
  served_model: null                 # the name the endpoint serves the base under
  served_adapter: null               # the adapter's name there (vLLM --lora-modules NAME=DIR)
  adapter_endpoint: null             # or a second server with the adapter (llama-server --lora)
  api_key_env: null                  # the NAME of the variable holding the endpoint's key
  mode: null                         # chat (default) or completion (base models, executable suites)
  samples: null                      # answers per task (1; more needs a temperature)
  temperature: null                  # 0: greedy
  top_p: null
  max_tokens: null                   # 1024
  seed: null                         # sample s uses seed + s
  limit: null                        # only the first N tasks of each suite
  concurrency: null                  # endpoint requests in flight (4)
  timeout_secs: null                 # per endpoint request (300)
  batch_size: null                   # worker prompts per batch (8)
  bf16: null
  load_in_4bit: null
  exec_timeout_secs: null            # per executable problem (15)
  perplexity: null                   # test-split loss and perplexity through the worker (on)

teacher:
  # Any OpenAI-compatible endpoint: vLLM, llama.cpp server, Ollama (http://127.0.0.1:11434/v1),
  # OpenAI, Gemini's or Anthropic's OpenAI-compatible endpoints. null skips synthesis.
  base_url: null
  model: null
  api_key_env: null                  # the NAME of the variable holding the key, e.g. OPENAI_API_KEY
  concurrency: 4
  timeout_secs: 120
  retries: 4                         # on 429 and 5xx, honouring Retry-After
  temperature: 0.2
  max_tokens: 1024
  token_budget: null                 # tokens one run may spend on uncached requests
  max_seeds: 100                     # corpus snippets sent as OSS-Instruct seeds
  # prompts: {system: "...", oss_instruct: "... {module} {path} {snippet} ..."}

# `tuneforge proxy`: point your editor or agent (Continue, Aider, Zed, Open WebUI, any OpenAI
# client) at http://<listen>/v1; its requests reach the local model unchanged.
proxy:
  listen: 127.0.0.1:8787             # another address needs token_env
  token_env: null                    # the NAME of the variable holding the token clients send as their API key
  local:
    url: null                        # up to /v1: llama-server http://127.0.0.1:8080/v1, Ollama http://127.0.0.1:11434/v1
    model: null                      # the name captures record (default: what the client asks for)
    api_key_env: null
  # Who "consult <name>" reaches, e.g.
  #   claude: {url: https://api.anthropic.com/v1, model: claude-sonnet-4-5, api_key_env: ANTHROPIC_API_KEY}
  experts: {}
  escalation_patterns: ["consult {expert}"]   # a whole user turn; case-insensitive
  max_body_bytes: 4194304            # larger requests get a 413
  connect_timeout_secs: 10
  idle_timeout_secs: 300             # longest silence from the local model, before or mid-answer

validate:
  max_domain_share: 0.6              # warn when one domain holds more of the dataset
  min_domain_samples: 10             # warn when a domain has fewer samples

# `tuneforge train` settings; flags override them, and what is unset here falls through to
# the hardware profile, the model registry and the defaults (LoRA r 64, alpha 64, dropout
# 0.05 on q/k/v/o, lr 1e-4 cosine with 10% warm-up, 3 epochs, micro-batch 4 x accumulation 2).
train:
  model: null                        # qwen2.5-coder-7b-instruct, ministral-3-8b, org/name or a directory
  revision: null
  profile: null                      # rtx4070-12gb, rtx3090-24gb, rtx4090-24gb, l40s-48gb, gpu-96gb
  lora_r: null
  lora_alpha: null
  lora_dropout: null
  lora_targets: null
  epochs: null
  max_steps: null
  learning_rate: null
  micro_batch: null
  grad_accum: null
  max_seq_len: null
  load_in_4bit: null
  bf16: null
  gradient_checkpointing: null
  eval_every: null
  save_every: null
  seed: null

# `tuneforge status` advises retraining when either threshold is reached.
retrain:
  new_interactions: 50               # new interactions since the last `train`
  domain_examples: 200               # a domain crossing this many examples

# `clean`: which acquired files are kept, how they are normalized (license banners out,
# LF line endings, no trailing whitespace, one final newline; indentation untouched) and
# how duplicates are found. Every dropped file is listed with its reason.
clean:
  extensions: [.php, .module, .inc, .install, .theme, .profile, .engine, .yml, .yaml, .twig, .js, .css, .md, .txt, .rst, .html, .json]
  exclude_dirs: [vendor, node_modules, bower_components, .git]
  exclude_files: ["*.min.js", "*.min.css", "*.map", composer.lock, package-lock.json, yarn.lock]
  generated_markers: ["@generated", DO NOT EDIT, auto-generated, autogenerated, This file was generated]
  license_patterns:                  # a top comment matching one is a license banner
    - (?i)GNU (?:Lesser |Affero )?General Public License
    - (?i)\bcopyright\b
    - (?i)@license\b
    - SPDX-License-Identifier
    - (?i)licensed under
    - (?i)permission is hereby granted
  max_file_bytes: 1048576
  max_line_length: 1000              # longer lines: minified or data, not code
  max_mean_line_length: 100
  min_alphanumeric_fraction: 0.25
  dedup:
    threshold: 0.85                  # exact Jaccard of word 5-gram shingles
    target_recall: 0.99              # chance a pair at the threshold is compared
    masked:                          # boilerplate that differs only by names
      enabled: true
      threshold: 0.9
      files: ["*.info.yml", "**/tests/**"]

# The Drupal 11 rules of `tuneforge check` and the quality gate.
rules:
  # Mined from the acquired Drupal core by the `rules` stage (or `tuneforge rules mine DIR`);
  # without it the removed-symbol rule reports "skipped: no deprecation list".
  deprecations: rules/deprecations.jsonl
  require_strict_types: false        # report PHP files without declare(strict_types=1)

# The quality gate: every code block of every trained assistant message is checked (the
# rules above, tree-sitter syntax, and php -l, phpcs and phpstan when installed). A sample
# is rejected when its findings of a severity exceed the maximum.
gate:
  max_errors: 0
  max_warnings: 3
  max_notes: null                    # null: notes never reject
  external_tools: true
  php: null                          # a path, or null to find it on PATH
  phpcs: null
  phpstan: null
"#;

/// The commented `pipeline.yaml` for a preset: every option at its default.
pub fn render_pipeline_yaml(preset: Preset) -> String {
    render_pipeline_yaml_with_sources(preset, None)
}

/// [`render_pipeline_yaml`] with the `sources:` block replaced (the quickstart's own).
pub fn render_pipeline_yaml_with_sources(preset: Preset, sources: Option<&str>) -> String {
    let (default_sources, domains) = match preset {
        Preset::Interactions => (SOURCES_INTERACTIONS, DOMAINS_INTERACTIONS),
        Preset::Drupal11 => (SOURCES_DRUPAL11, DOMAINS_DRUPAL11),
    };
    let sources = sources.unwrap_or(default_sources);
    format!(
        "# tuneforge workspace ({preset} preset). Every option is shown at its default.\n\
         # Stages read this file; `tuneforge status` says which are stale after an edit.\n\
         version: 1\n\
         seed: 42                           # seeds splits and every random choice\n\n\
         {sources}\n{domains}{COMMON}",
        preset = preset.name()
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<PipelineConfig, ConfigError> {
        PipelineConfig::parse(text, Path::new("pipeline.yaml"))
    }

    #[test]
    fn rendered_presets_load_as_their_defaults() {
        for preset in [Preset::Interactions, Preset::Drupal11] {
            let text = render_pipeline_yaml(preset);
            let cfg = parse(&text).unwrap_or_else(|e| panic!("{preset:?}: {e}"));
            assert_eq!(cfg, PipelineConfig::preset(preset), "{preset:?}");
        }
    }

    #[test]
    fn a_type_error_names_its_key_and_what_it_takes() {
        let text = render_pipeline_yaml(Preset::Interactions)
            .replace("max_text_bytes: 1048576", "max_text_bytes: -5");
        let err = parse(&text).unwrap_err().to_string();
        assert!(
            err.contains("`collect.max_text_bytes`: invalid u64: give a whole number, 0 or more"),
            "{err}"
        );
        let text = render_pipeline_yaml(Preset::Interactions).replace("seed: 42", "seed: lots");
        let err = parse(&text).unwrap_err().to_string();
        assert!(err.contains("`seed`: invalid u64"), "{err}");
    }

    #[test]
    fn minimal_file_gets_defaults() {
        let cfg = parse("domains:\n  default: misc\n").unwrap();
        assert_eq!(cfg.process, ProcessConfig::default());
        assert_eq!(cfg.domains.names(), vec!["misc"]);
    }

    fn err(text: &str) -> (u64, String) {
        match parse(text).unwrap_err() {
            ConfigError::Invalid { line, message, .. } => (line, message),
            other => panic!("{other}"),
        }
    }

    #[test]
    fn unknown_key_names_line_and_allowed_keys() {
        let (line, msg) = err("domains:\n  default: misc\nproces:\n  split: {}\n");
        assert_eq!(line, 3);
        assert!(msg.contains("unknown field `proces`"), "{msg}");
        assert!(msg.contains("process"), "{msg}");
    }

    #[test]
    fn wrong_type_and_bad_values_are_located() {
        let (line, msg) = err("domains:\n  default: misc\nseed: many\n");
        assert_eq!(line, 3, "{msg}");
        let (line, msg) = err(
            "domains:\n  default: misc\nprocess:\n  split: {train: 0.8, valid: 0.3, test: 0.1}\n",
        );
        assert_eq!(line, 4, "{msg}");
        assert!(msg.contains("add up to 1.0"), "{msg}");
        let (_, msg) = err("domains:\n  default: Misc Stuff\n");
        assert!(msg.contains("lower-case"), "{msg}");
        let (line, msg) = err("domains:\n  default: misc\nprocess:\n  formats: [parquet]\n");
        assert_eq!(line, 4);
        assert!(msg.contains("messages, alpaca, preference"), "{msg}");
        let (_, msg) = err("version: 2\ndomains:\n  default: misc\n");
        assert!(msg.contains("allowed: 1"), "{msg}");
    }

    #[test]
    fn duplicate_domain_rules_are_rejected() {
        let (_, msg) = err(
            "domains:\n  default: misc\n  rules:\n    - {name: a, keywords: [x]}\n    - {name: a, keywords: [y]}\n",
        );
        assert!(msg.contains("listed twice"), "{msg}");
    }

    #[test]
    fn truncated_and_empty_files_are_errors_not_panics() {
        let full = render_pipeline_yaml(Preset::Interactions);
        for cut in (0..full.len()).step_by(97) {
            if !full.is_char_boundary(cut) {
                continue;
            }
            let _ = parse(&full[..cut]);
        }
        assert!(parse("").is_err());
        assert!(parse("domains: [").is_err());
    }

    #[test]
    fn source_entries_need_a_known_type() {
        let (_, msg) = err("domains:\n  default: misc\nsources:\n  - type: ftp\n    url: x\n");
        assert!(msg.contains("ftp"), "{msg}");
    }

    proptest::proptest! {
        // The loader never panics, whatever arrives: random text, or the real file with a
        // byte range replaced by random text (truncations, stray keys, broken indentation).
        #[test]
        fn loader_never_panics_on_random_text(text in ".{0,400}") {
            let _ = parse(&text);
        }

        #[test]
        fn loader_never_panics_on_mutated_config(
            at in 0usize..4000,
            len in 0usize..40,
            insert in "[ -~\n]{0,20}",
        ) {
            let full = render_pipeline_yaml(Preset::Drupal11);
            let start = at.min(full.len());
            let end = (start + len).min(full.len());
            if full.is_char_boundary(start) && full.is_char_boundary(end) {
                let mutated = format!("{}{}{}", &full[..start], insert, &full[end..]);
                if let Err(ConfigError::Invalid { line, .. }) = parse(&mutated) {
                    proptest::prop_assert!(line as usize <= mutated.lines().count() + 1);
                }
            }
        }
    }
}
