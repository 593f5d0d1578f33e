//! The `analyze` stage: facts of every cleaned PHP and Drupal YAML file, one line per file
//! in `analysis/facts.jsonl`.

use rayon::prelude::*;
use serde_json::{Value, json};
use tuneforge_core::config::PipelineConfig;
use tuneforge_core::layout::{ANALYSIS_DIR, CLEAN_DIR, CLEAN_FILES, FACTS};
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;

use super::checker::workspace_checker;
use super::clean::read_clean_listing;
use super::{Stage, StageContext, StageRun, existing};
use crate::PipelineError;

/// Writes `analysis/facts.jsonl`.
pub struct AnalyzeStage;

impl Stage for AnalyzeStage {
    fn name(&self) -> &'static str {
        "analyze"
    }
    fn dir(&self) -> &'static str {
        ANALYSIS_DIR
    }
    fn depends_on(&self) -> &'static [&'static str] {
        &["clean"]
    }
    fn nothing_to_do(&self, ws: &Workspace) -> Option<String> {
        (!ws.path(CLEAN_FILES).exists()).then(|| "nothing cleaned yet".to_owned())
    }
    fn inputs(&self, ws: &Workspace) -> Result<Vec<String>, PipelineError> {
        // The deprecation list, when mined, adds each file's deprecated uses.
        Ok(existing(
            ws,
            [CLEAN_FILES.to_owned(), ws.config.rules.deprecations.clone()],
        ))
    }
    fn config_slice(&self, c: &PipelineConfig) -> Value {
        json!({"deprecations": c.rules.deprecations})
    }
    fn run(
        &self,
        ws: &Workspace,
        _: &StageContext,
        reporter: &dyn Reporter,
    ) -> Result<StageRun, PipelineError> {
        use tuneforge_php::analyze::{Input, analyze, is_php};

        let paths: Vec<String> = read_clean_listing(ws)?
            .into_iter()
            .map(|k| k.path)
            .collect();
        let wanted: Vec<&String> = paths
            .iter()
            .filter(|p| is_php(p) || p.ends_with(".yml"))
            .collect();
        let inputs: Vec<Input> = wanted
            .par_iter()
            .map(|p| {
                let full = ws.path(CLEAN_DIR).join(p.as_str());
                std::fs::read_to_string(&full)
                    .map(|text| Input {
                        path: (*p).clone(),
                        text,
                    })
                    .map_err(tuneforge_core::fsio::at("cannot read", &full))
            })
            .collect::<Result<_, _>>()?;
        let list = ws.path(&ws.config.rules.deprecations);
        let checker = if list.is_file() {
            Some(workspace_checker(&ws.config, &ws.root)?)
        } else {
            None
        };
        let facts = analyze(&inputs, checker.as_ref(), reporter);
        let deprecated_uses: usize = facts.iter().map(|f| f.deprecated_uses.len()).sum();
        let text = tuneforge_core::jsonl::to_lines(&facts);
        tuneforge_core::fsio::write_atomic(&ws.path(FACTS), text.as_bytes())?;

        let php: Vec<&tuneforge_php::facts::PhpFacts> =
            facts.iter().filter_map(|f| f.php.as_ref()).collect();
        let classes = php.iter().flat_map(|p| &p.classes);
        let mut plugins: std::collections::BTreeMap<String, u64> = Default::default();
        let mut by_attribute = 0u64;
        let mut by_annotation = 0u64;
        for c in classes.clone() {
            if let Some(p) = &c.plugin {
                *plugins.entry(p.plugin_type.clone()).or_default() += 1;
                if p.declared_by == "attribute" {
                    by_attribute += 1;
                } else {
                    by_annotation += 1;
                }
            }
        }
        let hooks = php.iter().flat_map(|p| &p.hooks);
        let procedural = hooks.clone().filter(|h| h.style == "procedural").count();
        let oop = hooks.clone().count() - procedural;
        let with_errors = php.iter().filter(|p| !p.syntax_errors.is_empty()).count();
        let drupal_calls: usize = classes.clone().map(|c| c.drupal_calls.len()).sum();
        let yaml_errors = facts.iter().filter(|f| f.yaml_error.is_some()).count();
        let count = |pick: fn(&tuneforge_php::yaml::YamlFacts) -> usize| -> usize {
            facts.iter().filter_map(|f| f.yaml.as_ref()).map(pick).sum()
        };
        use tuneforge_php::yaml::YamlFacts as Y;
        let services = count(|y| match y {
            Y::Services { services } => services.len(),
            _ => 0,
        });
        let routes = count(|y| match y {
            Y::Routes { routes } => routes.len(),
            _ => 0,
        });
        let components = count(|y| matches!(y, Y::Component { .. }) as usize);
        let summary = format!(
            "{} PHP files ({} with syntax errors), {} classes, {} plugins ({} by attribute, {} by annotation), {} hooks ({} procedural, {} #[Hook]), {} \\Drupal:: calls in classes; {} services, {} routes, {} components ({} YAML files unreadable)",
            php.len(),
            with_errors,
            classes.clone().count(),
            by_attribute + by_annotation,
            by_attribute,
            by_annotation,
            procedural + oop,
            procedural,
            oop,
            drupal_calls,
            services,
            routes,
            components,
            yaml_errors
        );
        Ok(StageRun {
            outputs: vec![FileDigest::from_bytes(
                FACTS,
                text.as_bytes(),
                Some(facts.len() as u64),
            )],
            report: json!({
                "php_files": php.len(),
                "php_files_with_syntax_errors": with_errors,
                "classes": classes.count(),
                "plugins": plugins,
                "plugins_by_attribute": by_attribute,
                "plugins_by_annotation": by_annotation,
                "hooks": {"procedural": procedural, "attribute": oop},
                "drupal_calls_in_classes": drupal_calls,
                "services": services,
                "routes": routes,
                "components": components,
                "yaml_files_unreadable": yaml_errors,
                "deprecated_uses": if checker.is_some() { json!(deprecated_uses) } else { json!("skipped: no deprecation list") },
            }),
            summary,
            incomplete: None,
        })
    }
}
