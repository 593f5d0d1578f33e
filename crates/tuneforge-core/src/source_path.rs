//! What a path inside a source says about the code it holds, and the path a sample cites.

/// Whether `rel` (a path inside a source) is test code: a PHPUnit suite, a test module or
/// theme, a fixture, or one of core's `testing*` install profiles. Test code teaches how
/// Drupal is tested, not the task a sample asks for, so generators leave it out by default
/// and dataset statistics count it.
pub fn is_test_path(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    let dirs = &parts[..parts.len().saturating_sub(1)];
    dirs.iter().enumerate().any(|(i, d)| {
        matches!(
            *d,
            "tests" | "Tests" | "test" | "fixtures" | "Fixtures" | "test_modules" | "test_themes"
        ) || (d.starts_with("testing") && i > 0 && dirs[i - 1] == "profiles")
    })
}

/// The path inside its source that a sample's `metadata.source` cites, when it cites a
/// file: `git:<name>@<commit>:<path>` and `path:<name>@<hash>:<path>` give `<path>`.
pub fn cited_path(source: &str) -> Option<&str> {
    let rest = source
        .strip_prefix("git:")
        .or_else(|| source.strip_prefix("path:"))?;
    let (_, after_at) = rest.split_once('@')?;
    after_at.split_once(':').map(|(_, path)| path)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn test_suites_modules_fixtures_and_testing_profiles_are_test_code() {
        for p in [
            "core/modules/node/tests/src/Kernel/NodeTest.php",
            "core/modules/system/tests/modules/menu_test/src/Controller/TestControllers.php",
            "core/tests/Drupal/Tests/Component/Annotation/Doctrine/Fixtures/AnnotationTargetClass.php",
            "core/profiles/testing_multilingual/testing_multilingual.info.yml",
            "tests/src/Unit/FooTest.php",
            "core/modules/system/tests/themes/test_theme/components/x/x.component.yml",
        ] {
            assert!(is_test_path(p), "{p}");
        }
        for p in [
            "core/modules/node/src/Plugin/Block/SyndicateBlock.php",
            "core/lib/Drupal/Core/Test/TestDatabase.php",
            "core/profiles/standard/standard.info.yml",
            "core/modules/testing_helper/src/Foo.php",
            "tests.php",
        ] {
            assert!(!is_test_path(p), "{p}");
        }
    }

    #[test]
    fn cited_paths_follow_the_pin() {
        assert_eq!(
            cited_path("git:drupal-core@401b0999:core/modules/node/node.module"),
            Some("core/modules/node/node.module")
        );
        assert_eq!(cited_path("path:local@abc123:src/A.php"), Some("src/A.php"));
        assert_eq!(cited_path("interaction"), None);
        assert_eq!(cited_path("https://www.drupal.org/node/1"), None);
    }
}
