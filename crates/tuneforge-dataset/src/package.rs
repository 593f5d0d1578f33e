//! `package`: gated samples (generated and captured) → `dataset/v<N>/`.
//!
//! Splits are by group: every sample of one group (a source file with its duplicate
//! cluster; a captured interaction alone) lands in the same split, so no test sample's
//! source was trained on. Groups are stratified by (domain, kind of generator): within each
//! stratum they are ordered by a seeded hash of the group and cut at the configured
//! ratios, so each stratum is split in the same proportions and a group keeps its split
//! as long as its stratum's size does not move the cut.
//!
//! Then decontamination: a training sample that shares more than the threshold of its word
//! n-grams with the test split (or with an evaluation prompt) is dropped and listed.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use tuneforge_core::config::{ExportFormat, PipelineConfig};
use tuneforge_core::layout::dataset_version_dir;
use tuneforge_core::manifest::FileDigest;
use tuneforge_core::records::Sample;
use tuneforge_core::reporter::Reporter;
use tuneforge_core::workspace::Workspace;
use tuneforge_curate::redact::RedactionCounts;
use xxhash_rust::xxh3::xxh3_64;

use crate::error::ProcessError;
use crate::split::{Split, SplitCounts, unit_interval};
use crate::stats::{self, source_name};
use crate::version::{
    COMPOSITION_CHART, Contaminated, DataFile, DatasetFacts, DatasetWrite, DecontaminationReport,
    PackageFacts, WrittenDataset, build_dataset_files, serialize_all, write_dataset,
};

/// An evaluation prompt to keep out of training.
pub struct EvalPrompt {
    /// `<file>:<line>`.
    pub origin: String,
    pub text: String,
}

pub struct PackageInput {
    pub samples: Vec<Sample>,
    /// The file the samples came from (`quality/accepted.jsonl`).
    pub source: FileDigest,
    pub sources: serde_json::Value,
    pub rules: serde_json::Value,
    pub gate: serde_json::Value,
    /// `None`: no eval prompt files are configured.
    pub eval_prompts: Option<Vec<EvalPrompt>>,
}

pub struct PackageOutput {
    pub version: u32,
    pub dir: String,
    pub write: DatasetWrite,
    pub counts: SplitCounts,
    pub facts: PackageFacts,
    pub outputs: Vec<FileDigest>,
}

/// The kind of a generator: `template:plugin@1` → `template`.
pub fn generator_kind(generator: &str) -> &str {
    generator.split([':', '@']).next().unwrap_or(generator)
}

fn group_of(s: &Sample) -> &str {
    s.metadata.group.as_deref().unwrap_or(&s.id)
}

/// Seeded group splits, stratified by (domain, generator kind) of each group's first sample.
pub fn assign_groups(
    samples: &[Sample],
    config: &PipelineConfig,
    train_only: &BTreeSet<String>,
) -> Vec<Split> {
    let mut strata: BTreeMap<(String, String), Vec<&str>> = BTreeMap::new();
    let mut seen: HashSet<&str> = HashSet::new();
    for s in samples {
        let g = group_of(s);
        if seen.insert(g) {
            let key = (
                s.metadata.domain.clone(),
                generator_kind(&s.metadata.generator).to_owned(),
            );
            strata.entry(key).or_default().push(g);
        }
    }
    let split = &config.process.split;
    let mut of_group: HashMap<&str, Split> = HashMap::new();
    for ((domain, _), mut groups) in strata {
        if train_only.contains(&domain) {
            for g in groups {
                of_group.insert(g, Split::Train);
            }
            continue;
        }
        // Each group's place is hashed once, not on every comparison.
        groups.sort_by_cached_key(|g| {
            let u = unit_interval(config.seed, blake3::hash(g.as_bytes()).as_bytes());
            (u.to_bits(), *g)
        });
        let n = groups.len() as f64;
        let test = (n * split.test.get()).round() as usize;
        let valid = (n * split.valid.get()).round() as usize;
        for (i, g) in groups.into_iter().enumerate() {
            let s = if i < test {
                Split::Test
            } else if i < test + valid {
                Split::Valid
            } else {
                Split::Train
            };
            of_group.insert(g, s);
        }
    }
    samples.iter().map(|s| of_group[group_of(s)]).collect()
}

/// An n-gram found in this many samples or more is boilerplate, not leakage.
pub const BOILERPLATE_SAMPLES: u32 = 10;

/// Lower-cased word n-gram hashes of a text; a text shorter than `n` words is one n-gram.
fn ngrams(text: &str, n: usize) -> HashSet<u64> {
    let words: Vec<String> = text.split_whitespace().map(str::to_lowercase).collect();
    if words.is_empty() {
        return HashSet::new();
    }
    if words.len() < n {
        return HashSet::from([xxh3_64(words.join(" ").as_bytes())]);
    }
    words
        .windows(n)
        .map(|w| xxh3_64(w.join(" ").as_bytes()))
        .collect()
}

fn sample_text(s: &Sample) -> String {
    s.messages
        .iter()
        .map(|m| m.content.as_str())
        .collect::<Vec<_>>()
        .join("\n")
}

/// Training samples overlapping the test split or the eval prompts beyond the threshold,
/// boilerplate n-grams (in [`BOILERPLATE_SAMPLES`] samples or more) left out.
pub fn contaminated(
    samples: &[Sample],
    splits: &[Split],
    eval: &[EvalPrompt],
    ngram: usize,
    threshold: f64,
) -> Vec<(usize, Contaminated)> {
    let grams: Vec<HashSet<u64>> = samples
        .iter()
        .map(|s| ngrams(&sample_text(s), ngram))
        .collect();
    // An n-gram in many samples is a generator's boilerplate ("The class body does not
    // change; …"), not evidence that a test sample leaked: leave it out of the comparison.
    let mut df: HashMap<u64, u32> = HashMap::new();
    for set in &grams {
        for g in set {
            *df.entry(*g).or_default() += 1;
        }
    }
    let common = |g: &u64| df.get(g).is_some_and(|n| *n >= BOILERPLATE_SAMPLES);
    let mut owner: HashMap<u64, String> = HashMap::new();
    for ((s, split), set) in samples.iter().zip(splits).zip(&grams) {
        if *split == Split::Test {
            for g in set.iter().filter(|g| !common(g)) {
                owner.entry(*g).or_insert_with(|| s.id.clone());
            }
        }
    }
    for p in eval {
        for g in ngrams(&p.text, ngram) {
            owner
                .entry(g)
                .or_insert_with(|| format!("eval:{}", p.origin));
        }
    }
    let mut out = Vec::new();
    for (i, (s, split)) in samples.iter().zip(splits).enumerate() {
        if *split != Split::Train {
            continue;
        }
        let own: Vec<&u64> = grams[i].iter().filter(|g| !common(g)).collect();
        if own.is_empty() {
            continue;
        }
        let mut hits: BTreeMap<&str, u64> = BTreeMap::new();
        for g in &own {
            if let Some(o) = owner.get(g) {
                *hits.entry(o.as_str()).or_default() += 1;
            }
        }
        let total_hits: u64 = hits.values().sum();
        let overlap = total_hits as f64 / own.len() as f64;
        if overlap > threshold {
            let top = hits
                .iter()
                .max_by(|a, b| a.1.cmp(b.1).then(b.0.cmp(a.0)))
                .map(|(o, _)| (*o).to_owned())
                .unwrap_or_default();
            out.push((
                i,
                Contaminated {
                    id: s.id.clone(),
                    generator: s.metadata.generator.clone(),
                    overlaps: top,
                    overlap: (overlap * 10_000.0).round() / 10_000.0,
                },
            ));
        }
    }
    out
}

/// Axolotl's dataset section for the messages export.
fn axolotl_yaml() -> String {
    let mut out = String::from(
        "# Axolotl dataset sections for this version (paths relative to this directory).\n",
    );
    for (key, split) in [("datasets", "train"), ("test_datasets", "valid")] {
        out.push_str(&format!(
            "{key}:\n  - path: messages/{split}.jsonl\n    ds_type: json\n    split: train\n    type: chat_template\n    field_messages: messages\n    message_property_mappings:\n      role: role\n      content: content\n    roles_to_train: [assistant]\n"
        ));
    }
    out
}

/// LLaMA-Factory's `dataset_info.json` for the messages and Alpaca exports.
fn llamafactory_info(formats: &[ExportFormat]) -> String {
    let mut info = serde_json::Map::new();
    for split in ["train", "valid", "test"] {
        if formats.contains(&ExportFormat::Messages) {
            info.insert(
                format!("tuneforge_{split}"),
                serde_json::json!({
                    "file_name": format!("messages/{split}.jsonl"),
                    "formatting": "sharegpt",
                    "columns": {"messages": "messages"},
                    "tags": {"role_tag": "role", "content_tag": "content", "user_tag": "user", "assistant_tag": "assistant", "system_tag": "system"}
                }),
            );
        }
        if formats.contains(&ExportFormat::Alpaca) {
            info.insert(
                format!("tuneforge_alpaca_{split}"),
                serde_json::json!({
                    "file_name": format!("alpaca/{split}.jsonl"),
                    "columns": {"prompt": "instruction", "query": "input", "response": "output"}
                }),
            );
        }
    }
    let mut out = serde_json::to_string_pretty(&serde_json::Value::Object(info)).expect("json");
    out.push('\n');
    out
}

/// Package `input` into the next `dataset/v<N>` (or find it unchanged).
pub fn package(
    ws: &Workspace,
    input: PackageInput,
    reporter: &dyn Reporter,
) -> Result<PackageOutput, ProcessError> {
    let config = &ws.config;
    let mut samples = input.samples;
    let mut ids = HashSet::new();
    samples.retain(|s| ids.insert(s.id.clone()));
    let (samples, mut composition) =
        crate::composition::apply(samples, &config.package.composition, config.seed);
    if composition.total() > 0 {
        let reasons: Vec<String> = composition
            .removed
            .iter()
            .map(|(reason, n)| format!("{n} {reason}"))
            .collect();
        reporter.info(&format!(
            "package: the composition policy removed {} samples: {}",
            composition.total(),
            reasons.join(", ")
        ));
    }

    let mut domains: BTreeMap<&str, u64> = BTreeMap::new();
    for s in &samples {
        *domains.entry(s.metadata.domain.as_str()).or_default() += 1;
    }
    let min_holdout = config.process.min_domain_samples_for_holdout;
    let train_only: BTreeSet<String> = domains
        .iter()
        .filter(|(_, n)| **n < min_holdout)
        .map(|(d, _)| (*d).to_owned())
        .collect();
    let splits = assign_groups(&samples, config, &train_only);

    let d = config.package.decontamination;
    let eval = input.eval_prompts.as_deref().unwrap_or_default();
    let dirty = contaminated(&samples, &splits, eval, d.ngram, d.threshold);
    let drop: HashSet<usize> = dirty.iter().map(|(i, _)| *i).collect();
    let test_samples = splits.iter().filter(|s| **s == Split::Test).count() as u64;
    for (_, c) in &dirty {
        reporter.warn(&format!(
            "package: {} ({}) dropped from train: {:.0}% of its {}-grams are in {}",
            c.id,
            c.generator,
            c.overlap * 100.0,
            d.ngram,
            c.overlaps
        ));
    }
    let kept: Vec<(Sample, Split)> = samples
        .into_iter()
        .zip(splits)
        .enumerate()
        .filter(|(i, _)| !drop.contains(i))
        .map(|(_, p)| p)
        .collect();
    // Decontamination shrank the total: the shares are held again on what is written.
    let (samples, splits): (Vec<Sample>, Vec<Split>) = crate::composition::cap_shares(
        kept,
        |(s, _)| s,
        config.package.composition.max_generator_share.get(),
        config.seed,
        &mut composition,
    )
    .into_iter()
    .unzip();

    let mut counts = SplitCounts::default();
    let mut by_domain: BTreeMap<String, SplitCounts> = BTreeMap::new();
    let mut by_generator: BTreeMap<String, SplitCounts> = BTreeMap::new();
    for (s, split) in samples.iter().zip(&splits) {
        counts.add(*split);
        by_domain
            .entry(s.metadata.domain.clone())
            .or_default()
            .add(*split);
        by_generator
            .entry(s.metadata.generator.clone())
            .or_default()
            .add(*split);
    }
    let groups = samples.iter().map(group_of).collect::<HashSet<_>>().len() as u64;
    let licenses: BTreeSet<String> = samples
        .iter()
        .filter_map(|s| s.metadata.license.clone())
        .collect();
    let mut license_samples: BTreeMap<String, u64> = BTreeMap::new();
    let mut licenses_by_source: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for s in &samples {
        let license = s
            .metadata
            .license
            .clone()
            .unwrap_or_else(|| crate::version::UNKNOWN_LICENSE.to_owned());
        *license_samples.entry(license.clone()).or_default() += 1;
        licenses_by_source
            .entry(source_name(&s.metadata.source).to_owned())
            .or_default()
            .insert(license);
    }
    let facts = PackageFacts {
        license_samples,
        licenses_by_source: licenses_by_source
            .into_iter()
            .map(|(k, v)| (k, v.into_iter().collect()))
            .collect(),
        sources: input.sources,
        rules: input.rules,
        groups,
        licenses: licenses.into_iter().collect(),
        by_domain,
        by_generator,
        gate: input.gate,
        decontamination: DecontaminationReport {
            ngram: d.ngram,
            threshold: d.threshold,
            test_samples,
            eval_prompts: match &input.eval_prompts {
                None => "no eval prompts configured".to_owned(),
                Some(p) => format!("{} prompts compared", p.len()),
            },
            dropped: dirty.into_iter().map(|(_, c)| c).collect(),
        },
        composition,
        stats: Some(stats::compute(&samples)),
    };

    let serialized = serialize_all(&samples);
    let mut files = build_dataset_files(config, &samples, &serialized, &splits);
    files.push(DataFile {
        rel: "axolotl.yaml".to_owned(),
        bytes: axolotl_yaml().into_bytes(),
        records: 0,
    });
    if let Some(stats) = &facts.stats {
        files.push(DataFile {
            rel: COMPOSITION_CHART.to_owned(),
            bytes: stats::composition_svg(stats).into_bytes(),
            records: 0,
        });
    }
    files.push(DataFile {
        rel: "dataset_info.json".to_owned(),
        bytes: llamafactory_info(&config.process.formats).into_bytes(),
        records: 0,
    });
    let WrittenDataset {
        version,
        write,
        files,
    } = write_dataset(
        ws,
        reporter,
        files,
        DatasetFacts {
            seed: config.seed,
            split: config.process.split,
            min_domain_samples_for_holdout: min_holdout,
            formats: config.process.formats.clone(),
            source: input.source,
            counts: counts.clone(),
            train_only_domains: train_only.into_iter().collect(),
            redactions: RedactionCounts::new(),
            package: Some(facts.clone()),
        },
    )?;
    let dir = dataset_version_dir(version);
    let outputs = files
        .into_iter()
        .map(|mut f| {
            f.path = format!("{dir}/{}", f.path);
            f
        })
        .collect();
    Ok(PackageOutput {
        version,
        dir,
        write,
        counts,
        facts,
        outputs,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn samples_are_counted_by_the_source_they_came_from() {
        assert_eq!(
            source_name("path:sample-modules@785a3050:modules/x.php"),
            "sample-modules"
        );
        assert_eq!(
            source_name("git:drupal-core@401b0999:core/lib/X.php"),
            "drupal-core"
        );
        assert_eq!(
            source_name("https://www.drupal.org/node/3354231"),
            "www.drupal.org"
        );
        assert_eq!(
            source_name("manual-expert-consultation"),
            "manual-expert-consultation"
        );
    }
    use tuneforge_core::records::{Message, Role, SampleMetadata, TrainOn, sample_id};

    fn sample(text: &str, group: &str, domain: &str, generator: &str) -> Sample {
        let messages = vec![
            Message::new(Role::User, "q"),
            Message::new(Role::Assistant, text),
        ];
        Sample {
            id: sample_id(&messages),
            messages,
            train_on: TrainOn::AllAssistant,
            metadata: SampleMetadata {
                domain: domain.into(),
                source: "s".into(),
                generator: generator.into(),
                license: None,
                timestamp: "t".into(),
                local_model: None,
                expert_model: None,
                adapter: None,
                interaction_id: None,
                group: Some(group.into()),
            },
        }
    }

    #[test]
    fn groups_never_straddle_splits_and_strata_are_cut_in_proportion() {
        let config = PipelineConfig::preset(tuneforge_core::config::Preset::Drupal11);
        let mut samples = Vec::new();
        for g in 0..50 {
            for k in 0..3 {
                samples.push(sample(
                    &format!("answer {g} {k}"),
                    &format!("file{g}"),
                    "drupal-plugins",
                    "template:plugin@1",
                ));
            }
        }
        let splits = assign_groups(&samples, &config, &BTreeSet::new());
        let mut of_group: HashMap<&str, Split> = HashMap::new();
        for (s, split) in samples.iter().zip(&splits) {
            let prior = of_group.insert(group_of(s), *split);
            assert!(
                prior.is_none_or(|p| p == *split),
                "a group straddles splits"
            );
        }
        let test_groups = of_group.values().filter(|s| **s == Split::Test).count();
        let valid_groups = of_group.values().filter(|s| **s == Split::Valid).count();
        assert_eq!((test_groups, valid_groups), (5, 5), "10% each of 50 groups");
        let again = assign_groups(&samples, &config, &BTreeSet::new());
        assert_eq!(again, splits, "the same seed gives the same splits");
    }

    #[test]
    fn boilerplate_shared_by_many_samples_is_not_leakage() {
        let tail = "the class body does not change only the declaration and its use imports do";
        let samples: Vec<Sample> = (0..12)
            .map(|i| {
                sample(
                    &format!("plugin number {i} alpha beta {i} gamma {tail}"),
                    &format!("g{i}"),
                    "d",
                    "template:x@1",
                )
            })
            .collect();
        let mut splits = vec![Split::Train; 12];
        splits[0] = Split::Test;
        assert!(contaminated(&samples, &splits, &[], 5, 0.5).is_empty());
    }

    #[test]
    fn training_samples_overlapping_the_test_split_are_dropped() {
        let shared =
            "the quick brown fox jumps over the lazy dog again and again until the end of the day";
        let samples = vec![
            sample(shared, "a", "d", "template:x@1"),
            sample(
                &format!("{shared} with a small tail"),
                "b",
                "d",
                "template:x@1",
            ),
            sample(
                "something entirely different written here for the training split only",
                "c",
                "d",
                "template:x@1",
            ),
        ];
        let splits = vec![Split::Test, Split::Train, Split::Train];
        let dirty = contaminated(&samples, &splits, &[], 13, 0.5);
        assert_eq!(dirty.len(), 1);
        assert_eq!(dirty[0].0, 1);
        assert_eq!(dirty[0].1.overlaps, samples[0].id);
        let eval = [EvalPrompt {
            origin: "eval.jsonl:1".into(),
            text: samples[2].messages[1].content.clone(),
        }];
        let dirty = contaminated(&samples, &[Split::Train; 3], &eval, 5, 0.5);
        assert_eq!(dirty.iter().map(|(i, _)| *i).collect::<Vec<_>>(), vec![2]);
        assert_eq!(dirty[0].1.overlaps, "eval:eval.jsonl:1");
    }
}
