//! Names masked out of a file, for the second shingling of dedup: boilerplate such as the
//! thousands of `*.info.yml` files or test stubs differs only by names, so with the names
//! replaced by one placeholder word its copies become near duplicates of each other.
//!
//! Masked: string literals, PHP variables other than `$this`, the name after a declaring
//! keyword (`class X`, `function x`, `namespace A\B`, `use A\B`, `extends X`, …), numbers,
//! and in YAML every value (keys and structure stay).

use std::sync::LazyLock;

use regex::Regex;

/// The word a masked name becomes.
const NAME: &str = "NAME";

static STRING: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"'(?:[^'\\\n]|\\.)*'|"(?:[^"\\\n]|\\.)*""#).expect("valid pattern")
});
static VARIABLE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\$(?:this\b)?[A-Za-z_][A-Za-z0-9_]*").expect("valid pattern"));
static DECLARED: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"(?i)\b(class|interface|trait|enum|function|namespace|use|extends|implements|new|const|instanceof)(\s+)[\\A-Za-z_][\\A-Za-z0-9_]*",
    )
    .expect("valid pattern")
});
static NUMBER: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"\b\d+(?:\.\d+)*\b").expect("valid pattern"));
static YAML_VALUE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"(?m)^([ \t]*(?:-[ \t]+)?(?:[A-Za-z0-9_.\-]+|'[^'\n]*'|\x22[^\x22\n]*\x22)[ \t]*:)[ \t]+[^\n#]+|^([ \t]*-)[ \t]+(?:[^\n:#]|:[^ \n])+$")
        .expect("valid pattern")
});

/// `text` with its names replaced by one placeholder word.
pub fn mask_names(rel: &str, text: &str) -> String {
    if rel.ends_with(".yml") || rel.ends_with(".yaml") {
        return YAML_VALUE
            .replace_all(text, |c: &regex::Captures<'_>| match (c.get(1), c.get(2)) {
                (Some(key), _) => format!("{} {NAME}", key.as_str()),
                (None, Some(dash)) => format!("{} {NAME}", dash.as_str()),
                _ => c[0].to_owned(),
            })
            .into_owned();
    }
    let text = STRING.replace_all(text, NAME);
    let text = VARIABLE.replace_all(&text, |c: &regex::Captures<'_>| {
        if c[0].starts_with("$this") && c[0].len() == 5 {
            c[0].to_owned()
        } else {
            NAME.to_owned()
        }
    });
    let text = DECLARED.replace_all(&text, format!("${{1}}${{2}}{NAME}").as_str());
    NUMBER.replace_all(&text, NAME).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn two_info_files_differ_only_by_names() {
        let a = "name: 'Token filter'\ntype: module\ndescription: Filters tokens.\ncore_version_requirement: ^10 || ^11\npackage: Filters\ndependencies:\n  - drupal:filter\n";
        let b = "name: Pathauto\ntype: module\ndescription: 'Automatic URL aliases.'\ncore_version_requirement: ^11\npackage: Path\ndependencies:\n  - drupal:path\n";
        assert_eq!(mask_names("a.info.yml", a), mask_names("b.info.yml", b));
        assert!(mask_names("a.info.yml", a).starts_with("name: NAME\ntype: NAME\n"));
    }

    #[test]
    fn php_names_go_and_structure_stays() {
        let a = "<?php\nnamespace Drupal\\foo\\Tests;\nclass FooTest extends BrowserTestBase {\n  protected $defaultTheme = 'stark';\n  public function testFoo(): void {\n    $this->drupalGet('foo/1');\n  }\n}\n";
        let b = "<?php\nnamespace Drupal\\bar\\Tests;\nclass BarTest extends BrowserTestBase {\n  protected $theme = 'olivero';\n  public function testBar(): void {\n    $this->drupalGet('bar/22');\n  }\n}\n";
        let (ma, mb) = (mask_names("FooTest.php", a), mask_names("BarTest.php", b));
        assert_eq!(ma, mb);
        assert!(ma.contains("$this->drupalGet(NAME)"), "{ma}");
        assert!(ma.contains("public function NAME(): void"), "{ma}");
    }
}
