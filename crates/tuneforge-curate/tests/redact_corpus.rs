//! A small Drupal-like code base seeded with one secret of each kind, run through the
//! redactor: every secret must be gone, each kind counted, allowlisted values kept and
//! counted apart, and every other byte of the code unchanged.
//!
//! The seeded secrets are assembled at run time from pieces, so that no complete
//! provider-shaped token sits in the repository for secret scanners to trip on.
//!
//! False positives on real code are measured by `examples/redact_survey.rs`.

use tuneforge_core::config::RedactConfig;
use tuneforge_curate::redact::{RedactionCounts, Redactor};

/// One seeded secret: the file it is in, its kind, and its text.
struct Seed {
    file: &'static str,
    kind: &'static str,
    secret: String,
}

fn seed(file: &'static str, kind: &'static str, pieces: &[&str]) -> Seed {
    Seed {
        file,
        kind,
        secret: pieces.concat(),
    }
}

const SETTINGS: &str = "web/sites/default/settings.php";
const SERVICES: &str = "web/modules/custom/acme_api/acme_api.services.yml";
const CLIENT: &str = "web/modules/custom/acme_api/src/AcmeClient.php";
const SCHEMA: &str = "web/modules/custom/acme_api/config/schema/acme_api.schema.yml";
const SCRIPT: &str = "web/modules/custom/acme_api/js/acme_api.js";
const README: &str = "web/modules/custom/acme_api/README.md";
const CONFIG: &str = "config/sync/acme_api.settings.yml";

fn seeds() -> Vec<Seed> {
    vec![
        seed(SETTINGS, "db_credentials", &["drupal", "_app"]),
        seed(SETTINGS, "db_credentials", &["Wq7-tR2", "!kZp9"]),
        seed(SETTINGS, "ip_address", &["10.1.", "2.3"]),
        seed(
            SERVICES,
            "google_api_key",
            &["AIza", "SyD3f8Kq2LmN7pR4tV9wX1zB6cH0jG5sE_u"],
        ),
        seed(CLIENT, "email", &["jane.roe", "@acme-corp.io"]),
        seed(
            CLIENT,
            "stripe_key",
            &["sk_", "live_", "51Hx8QkL2mN9pR4tV7wX3zB6"],
        ),
        seed(
            CLIENT,
            "openai_key",
            &["sk-", "proj-", "Ab12Cd34Ef56Gh78Ij90Kl12Mn34"],
        ),
        seed(
            CLIENT,
            "github_token",
            &["gh", "p_", "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"],
        ),
        seed(
            CLIENT,
            "gitlab_token",
            &["gl", "pat-", "xY9zA8bC7dE6fG5hI4jK"],
        ),
        seed(CLIENT, "aws_key", &["AK", "IA", "Q3EGRDT7XK2MN5PL"]),
        seed(
            CLIENT,
            "aws_secret",
            &["wJ4lrXUtnFEMIK7MDENG", "bPxRfiCY9x2kLq8vZ3mB"],
        ),
        seed(CLIENT, "high_entropy", &["Zk3pQ9vX2mL7", "tR4wB8nC1yH6"]),
        seed(
            CLIENT,
            "private_key",
            &[
                "-----BEGIN ",
                "PRIVATE KEY-----\n",
                "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7\n",
                "VJTUt9Us8cKjMzEfYyjiWA4R4/M2bS1GB4t7NXp98C3SC6dVMvDuictGeurT8jNb\n",
                "-----END ",
                "PRIVATE KEY-----",
            ],
        ),
        seed(CLIENT, "ip_address", &["2a00:1450:", "4001:81c::200e"]),
        seed(
            CLIENT,
            "slack_webhook",
            &[
                "https://hooks.",
                "slack.com/services/",
                "T0AB12CD3/B0EF45GH6/",
                "q1W2e3R4t5Y6u7I8o9P0a1S2",
            ],
        ),
        seed(
            CLIENT,
            "jwt",
            &[
                "eyJhbGciOiJIUzI1NiJ9",
                ".eyJzdWIiOiJhY21lLWRlbW8ifQ",
                ".Kx9vQ2mL7tR4wB8nC1yH6Zk3pQ9vX2m",
            ],
        ),
        seed(
            SCRIPT,
            "anthropic_key",
            &["sk-", "ant-", "api03-", "Qw8Er7Ty6Ui5Op4As3Df2Gh1"],
        ),
        seed(CONFIG, "password", &["S3cure-", "Config-Pass!"]),
    ]
}

/// The corpus, with `{kind}` markers where the seeds of that kind go, in order.
fn templates() -> Vec<(&'static str, &'static str)> {
    vec![
        (
            SETTINGS,
            r#"<?php

/**
 * @file
 * Drupal site-specific configuration file.
 *
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
  'username' => '{db_credentials}',
  'password' => '{db_credentials}',
  'host' => 'db',
  'port' => '3306',
  'driver' => 'mysql',
  'prefix' => '',
  'collation' => 'utf8mb4_general_ci',
];

$databases['migrate']['default'] = [
  'database' => 'legacy',
  'username' => getenv('MIGRATE_DB_USER'),
  'password' => getenv('MIGRATE_DB_PASS'),
  'host' => '127.0.0.1',
  'port' => '3307',
  'driver' => 'mysql',
];

$settings['hash_salt'] = file_get_contents('/var/private/salt.txt');
$settings['reverse_proxy'] = TRUE;
$settings['reverse_proxy_addresses'] = ['{ip_address}'];
$settings['trusted_host_patterns'] = ['^www\.example\.com$'];
$settings['config_sync_directory'] = '../config/sync';
"#,
        ),
        (
            SERVICES,
            r#"parameters:
  acme_api.api_key: '{google_api_key}'
  acme_api.endpoint: 'https://api.acme-corp.io/v2'
services:
  acme_api.client:
    class: Drupal\acme_api\AcmeClient
    arguments: ['@http_client', '@config.factory', '@password_generator', '%acme_api.api_key%']
  acme_api.token_generator:
    class: Drupal\acme_api\TokenGenerator
    arguments: ['@csrf_token']
"#,
        ),
        (
            CLIENT,
            r#"<?php

namespace Drupal\acme_api;

use Drupal\Core\Config\ConfigFactoryInterface;
use Drupal\Core\Password\PasswordGeneratorInterface;
use GuzzleHttp\ClientInterface;

/**
 * Talks to the Acme API.
 *
 * @author Jane Roe <{email}>
 */
class AcmeClient {

  const UPSTREAM_COMMIT = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4';

  const FIXTURE_UUID = '0b1c2d3e-4f50-4a6b-8c7d-9e0f1a2b3c4d';

  /**
   * Hard-coded credentials: exactly what redaction must catch.
   */
  private const CREDENTIALS = [
    'stripe' => '{stripe_key}',
    'openai' => '{openai_key}',
    'github' => '{github_token}',
    'gitlab' => '{gitlab_token}',
    'aws_access_key_id' => '{aws_key}',
    'aws_secret_access_key' => '{aws_secret}',
    'signing_key' => '{high_entropy}',
  ];

  private const TEST_KEY = <<<'PEM'
{private_key}
PEM;

  public function __construct(
    protected ClientInterface $httpClient,
    protected ConfigFactoryInterface $configFactory,
    protected PasswordGeneratorInterface $passwordGenerator,
  ) {}

  public function buildForm(array $form): array {
    $form['pass'] = ['#type' => 'password_confirm', '#size' => 25];
    $form['api_key'] = [
      '#type' => 'password',
      '#title' => $this->t('API key'),
      '#default_value' => $this->configFactory->get('acme_api.settings')->get('api_key'),
    ];
    return $form;
  }

  public function createAccount(string $name): array {
    $password = $this->passwordGenerator->generate();
    $token = \Drupal::csrfToken()->get('acme_api');
    return ['name' => $name, 'password' => $password, 'token' => 'csrf_token'];
  }

  public function isSupported(): bool {
    return version_compare(\Drupal::VERSION, '10.3.0', '>=')
      && version_compare(\Drupal::VERSION, '12.0.0.0', '<');
  }

  public function endpoints(): array {
    return [
      'primary' => 'https://[{ip_address}]:8443/v2',
      'bind' => '0.0.0.0',
      'webhook' => '{slack_webhook}',
      'demo_jwt' => '{jwt}',
      'class' => TokenGenerator::class,
    ];
  }

}
"#,
        ),
        (
            SCHEMA,
            r#"acme_api.settings:
  type: config_object
  label: 'Acme API settings'
  mapping:
    username:
      type: string
      label: 'User name'
    password:
      type: password
      label: 'Password'
    api_key:
      type: string
      label: 'API key'
"#,
        ),
        (
            SCRIPT,
            r#"(function (Drupal, once) {
  const ANTHROPIC_KEY = '{anthropic_key}';
  const highlight = [{ token: 'comment', regex: '#.*$' }];

  Drupal.behaviors.acmeApi = {
    attach(context) {
      once('acme-api', '.acme-api', context).forEach((el) => {
        const password = el.querySelector('input[type=password]');
        el.dataset.rules = JSON.stringify(highlight);
        password.setAttribute('autocomplete', 'new-password');
      });
    },
  };
})(Drupal, once);
"#,
        ),
        (
            README,
            r#"# Acme API

Requires Drupal 10.3 or 11.x and PHP 8.3.6 or newer.

For local testing, point `acme_api.endpoint` at `http://192.0.2.10:8080`, a
documentation address. Questions go to webmaster@example.com.
"#,
        ),
        (
            CONFIG,
            r#"endpoint: 'https://api.acme-corp.io/v2'
username: acme_bot
password: '{password}'
api_key: ''
timeout: 30
"#,
        ),
    ]
}

/// The corpus files with their seeds filled in.
fn corpus(seeds: &[Seed]) -> Vec<(&'static str, String)> {
    templates()
        .into_iter()
        .map(|(file, template)| {
            let mut text = template.to_owned();
            for s in seeds.iter().filter(|s| s.file == file) {
                let marker = format!("{{{}}}", s.kind);
                let at = text
                    .find(&marker)
                    .unwrap_or_else(|| panic!("{file} has no {marker} left"));
                text.replace_range(at..at + marker.len(), &s.secret);
            }
            assert!(
                !text.contains("{db_credentials}"),
                "{file}: unfilled marker"
            );
            (file, text)
        })
        .collect()
}

#[test]
fn seeded_corpus_comes_out_clean_and_otherwise_intact() {
    let seeds = seeds();
    let files = corpus(&seeds);
    let redactor = Redactor::new(&RedactConfig::default());
    let mut counts = RedactionCounts::new();
    let mut allowlisted = RedactionCounts::new();
    let mut outputs = Vec::new();
    for (file, text) in &files {
        let out = redactor.redact_with_allowlisted(text, &mut counts, &mut allowlisted);
        outputs.push((*file, text, out.into_owned()));
    }

    for (file, input, output) in &outputs {
        // Every seeded secret of this file is gone …
        let mut expected = input.to_string();
        for s in seeds.iter().filter(|s| s.file == *file) {
            assert!(
                !output.contains(&s.secret),
                "{file}: the {} secret is still there",
                s.kind
            );
            expected = expected.replacen(&s.secret, &format!("<REDACTED:{}>", s.kind), 1);
        }
        // … replaced by its typed placeholder, and not one other byte changed.
        if *output != expected {
            for (a, b) in expected.lines().zip(output.lines()) {
                if a != b {
                    panic!("{file}: expected\n  {a}\nbut got\n  {b}");
                }
            }
            panic!("{file}: output differs from the expected text");
        }
    }
    if std::env::var_os("REDACT_CORPUS_PRINT").is_some() {
        for (file, _, output) in &outputs {
            println!("== {file}\n{output}");
        }
    }
    // No secret leaks into another file either.
    for s in &seeds {
        assert!(outputs.iter().all(|(_, _, o)| !o.contains(&s.secret)));
    }

    // Each seeded kind counted once per seed, and nothing else counted.
    let mut expected_counts = RedactionCounts::new();
    for s in &seeds {
        *expected_counts.entry(s.kind.to_owned()).or_default() += 1;
    }
    assert_eq!(counts, expected_counts);
    let placeholders: usize = outputs
        .iter()
        .map(|(_, _, o)| o.matches("<REDACTED:").count())
        .sum();
    assert_eq!(counts.values().sum::<u64>(), placeholders as u64);

    // Allowlisted values stay, counted apart: one e-mail address, and the loopback
    // database host, the bind address and the documentation address.
    assert_eq!(
        allowlisted,
        RedactionCounts::from([("email".to_owned(), 1), ("ip_address".to_owned(), 3)])
    );
    let all: String = outputs.iter().map(|(_, _, o)| o.as_str()).collect();
    for kept in [
        "webmaster@example.com",
        "'127.0.0.1'",
        "'0.0.0.0'",
        "192.0.2.10:8080",
    ] {
        assert!(all.contains(kept), "{kept} was not kept");
    }

    // A second pass finds nothing more.
    for (file, _, output) in &outputs {
        let mut again = RedactionCounts::new();
        let twice = redactor.redact(output, &mut again);
        assert_eq!(&twice, output, "{file}");
        assert!(again.is_empty(), "{file}: {again:?}");
    }
}
