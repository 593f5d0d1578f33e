//! The Drupal 11 flags of `drupal/core` constraints, table-driven, and the same table
//! cross-checked against composer/semver itself (Debian's `composer` package) when `php`
//! is installed. `scripts/test.sh` installs it and sets TUNEFORGE_REQUIRE_COMPOSER=1, so in
//! CI the cross-check always runs.
// Its helpers say on stderr what they skipped or measured, as the tests themselves may.
#![allow(clippy::print_stderr)]

use std::io::Write;
use std::process::{Command, Stdio};

use tuneforge_sources::compat::check;
use tuneforge_sources::version::Version;

const CORE: &str = "11.3.5";

/// (constraint, Some([admits_any_11, admits_11_0, admits_latest_11, unbounded_upper]) or
/// None for a parse error).
const CASES: &[(&str, Option<[bool; 4]>)] = &[
    ("^11", Some([true, true, true, false])),
    ("^10", Some([false, false, false, false])),
    ("^10.3 || ^11", Some([true, true, true, false])),
    ("^10.3 | ^11", Some([true, true, true, false])),
    ("^10.3||^11", Some([true, true, true, false])),
    ("^10.3 ^11", Some([false, false, false, false])),
    ("^10.3, ^11", Some([false, false, false, false])),
    (">=10.3 <12", Some([true, true, true, false])),
    (">= 10.3, < 12", Some([true, true, true, false])),
    (">=8.8", Some([true, true, true, true])),
    (">8", Some([true, true, true, true])),
    (">= 11", Some([true, true, true, true])),
    ("~11.0", Some([true, true, true, false])),
    ("~11.1.0", Some([true, false, false, false])),
    ("~10", Some([false, false, false, false])),
    ("11.x", Some([true, true, true, false])),
    ("11.*", Some([true, true, true, false])),
    ("11.2.*", Some([true, false, false, false])),
    ("11.x-dev", Some([true, false, false, false])),
    ("11.0.x-dev", Some([true, false, false, false])),
    ("dev-11.x", Some([false, false, false, false])),
    ("10.3.0 - 11.2", Some([true, true, false, false])),
    ("10.3 - 11.3.5", Some([true, true, true, false])),
    ("11.0.0-beta1 - 11.0.0", Some([true, true, false, false])),
    ("11.0.0", Some([true, true, false, false])),
    ("11", Some([true, true, false, false])),
    ("=11.0.0", Some([true, true, false, false])),
    ("==11.3.5", Some([true, false, true, false])),
    ("!=11.0.0", Some([true, false, true, true])),
    ("<>11.0.0", Some([true, false, true, true])),
    ("<11", Some([false, false, false, false])),
    ("<=11.0", Some([true, true, false, false])),
    (">10 <=11.0.0-beta1", Some([true, false, false, false])),
    ("^11@dev", Some([true, true, true, false])),
    ("^11@beta", Some([true, true, true, false])),
    (">=11@beta", Some([true, true, true, true])),
    (">=11.0.0-beta1", Some([true, true, true, true])),
    ("^11.0.0-RC1", Some([true, true, true, false])),
    ("v11.1.0", Some([true, false, false, false])),
    ("^v11", Some([true, true, true, false])),
    ("^11.1", Some([true, false, true, false])),
    ("^11.0.0.1", Some([true, false, true, false])),
    ("^8 || ^9 || ^10 || ^11", Some([true, true, true, false])),
    ("^9.5 || ^10 || ^11.0", Some([true, true, true, false])),
    (">=9 <11", Some([false, false, false, false])),
    (">=10.3 <11 || >=11.1", Some([true, false, true, true])),
    ("^12", Some([false, false, false, false])),
    ("^0.1", Some([false, false, false, false])),
    ("*", Some([true, true, true, true])),
    ("x", Some([true, true, true, true])),
    ("@dev", Some([true, true, true, true])),
    ("~>11", None),
    ("", None),
    ("   ", None),
    ("^10 ||", None),
    ("|| ^11", None),
    ("^10 || || ^11", None),
    ("^10,,^11", None),
    ("foo", None),
    ("^", None),
    (">=", None),
    ("^11.x", None),
    ("^10,\t^11", None),
    ("10.3 -  11.2", None),
    ("10.3  - 11.2", None),
    ("abcé", None),
    ("^1 || 1.0é", None),
];

#[test]
fn at_least_forty_cases() {
    assert!(CASES.len() >= 40);
}

#[test]
fn table_of_drupal11_flags() {
    let core = Version::parse(CORE).unwrap();
    let mut wrong = Vec::new();
    for (constraint, expected) in CASES {
        let got = check(constraint, &core);
        let flags = got.parsed.then_some([
            got.admits_any_11,
            got.admits_11_0,
            got.admits_latest_11,
            got.unbounded_upper,
        ]);
        if flags != *expected {
            wrong.push(format!(
                "{constraint:?}: expected {expected:?}, got {flags:?} (intervals {:?}, error {:?})",
                got.intervals, got.error
            ));
        }
    }
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
}

/// Whether composer/semver can be run; with TUNEFORGE_REQUIRE_COMPOSER set, it must.
fn composer_available() -> bool {
    let available = std::path::Path::new("/usr/share/php/Composer/Semver/autoload.php").exists()
        && Command::new("php")
            .arg("-v")
            .output()
            .is_ok_and(|o| o.status.success());
    if !available {
        assert!(
            std::env::var_os("TUNEFORGE_REQUIRE_COMPOSER").is_none(),
            "TUNEFORGE_REQUIRE_COMPOSER is set but php or composer/semver is missing (apt-get install composer)"
        );
        eprintln!("skipped: php with composer/semver not installed (apt-get install composer)");
    }
    available
}

#[test]
fn cross_check_with_composer_semver() {
    if composer_available() {
        let constraints: Vec<String> = CASES.iter().map(|(c, _)| (*c).to_owned()).collect();
        compare_with_composer(&constraints);
    }
}

/// Constraints generated from the grammar composer accepts (and some it rejects), from a
/// fixed seed, all compared with composer/semver.
#[test]
fn generated_constraints_agree_with_composer_semver() {
    if !composer_available() {
        return;
    }
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        ((state >> 33) as usize) % n
    };
    let ops = [
        "", "^", "~", ">=", ">", "<=", "<", "!=", "==", "= ", ">= ", "v", "~>",
    ];
    let nums = ["0", "1", "8", "9", "10", "11", "12"];
    let suffixes = [
        "", "", "", "-dev", "-beta1", "-RC1", "-alpha2", "@dev", "@beta", ".x", ".*", ".x-dev",
        "-p1",
    ];
    let joins = [" ", ",", ", ", " || ", "|", "||", " - "];
    let mut constraints = Vec::new();
    for _ in 0..600 {
        let parts = 1 + next(3);
        let mut c = String::new();
        for p in 0..parts {
            if p > 0 {
                c.push_str(joins[next(joins.len())]);
            }
            let op = ops[next(ops.len())];
            let len = 1 + next(4);
            let version: Vec<&str> = (0..len).map(|_| nums[next(nums.len())]).collect();
            c.push_str(op);
            c.push_str(&version.join("."));
            c.push_str(suffixes[next(suffixes.len())]);
        }
        constraints.push(c);
    }
    let composer = compare_with_composer(&constraints);
    // The generated set must exercise both outcomes, or agreement would mean little.
    let parsed: Vec<_> = composer.iter().filter(|r| r["parsed"] == true).collect();
    let admit = parsed.iter().filter(|r| r["admits_any_11"] == true).count();
    let unbounded = parsed
        .iter()
        .filter(|r| r["unbounded_upper"] == true)
        .count();
    eprintln!(
        "{} generated: {} parsed, {admit} admit 11, {unbounded} unbounded",
        composer.len(),
        parsed.len()
    );
    assert!(
        parsed.len() >= 200 && parsed.len() <= 550,
        "{}",
        parsed.len()
    );
    assert!(admit >= 50 && admit + 50 <= parsed.len(), "{admit}");
    assert!(unbounded >= 20, "{unbounded}");
}

/// Run composer/semver on `constraints`, assert it agrees with tuneforge on every flag, and
/// return its rows.
fn compare_with_composer(constraints: &[String]) -> Vec<serde_json::Value> {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/composer_semver.php");
    let input = serde_json::json!({
        "core": CORE,
        "constraints": constraints,
    });
    let mut child = Command::new("php")
        .arg(script)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.to_string().as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(out.status.success());
    let composer: Vec<serde_json::Value> = serde_json::from_slice(&out.stdout).unwrap();
    let core = Version::parse(CORE).unwrap();
    let mut wrong = Vec::new();
    for (row, constraint) in composer.iter().zip(constraints) {
        let ours = check(constraint, &core);
        let theirs = |k: &str| row[k].as_bool();
        let agree = theirs("parsed") == Some(ours.parsed)
            && (!ours.parsed
                || (theirs("admits_any_11") == Some(ours.admits_any_11)
                    && theirs("admits_11_0") == Some(ours.admits_11_0)
                    && theirs("admits_latest_11") == Some(ours.admits_latest_11)
                    && theirs("unbounded_upper") == Some(ours.unbounded_upper)));
        if !agree {
            wrong.push(format!(
                "{constraint:?}: composer {row}, tuneforge {ours:?}"
            ));
        }
    }
    assert_eq!(composer.len(), constraints.len());
    assert!(wrong.is_empty(), "\n{}", wrong.join("\n"));
    composer
}
