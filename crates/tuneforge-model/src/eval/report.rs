//! `report.md` and `report.html`: pass@1 by suite and category for every model, the base
//! against the adapter when the run compares them, and the tasks that regressed. The HTML
//! page is one file with inline SVG charts (no script, no network), so it opens anywhere.

use std::fmt::Write as _;

use super::metrics::{Metrics, SuiteMetrics};

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

fn pass1(m: &SuiteMetrics) -> f64 {
    m.pass_at.get("pass@1").copied().unwrap_or(0.0)
}

/// The Markdown report.
pub fn markdown(metrics: &Metrics) -> String {
    let mut out = String::new();
    let s = &metrics.settings;
    let _ = writeln!(out, "# Evaluation `{}`\n", metrics.run);
    let _ = writeln!(
        out,
        "Decoding: temperature {}, top-p {}, up to {} new tokens, {} sample(s) per task, seed {}. tuneforge {}.\n",
        s.decoding.temperature,
        s.decoding.top_p,
        s.decoding.max_tokens,
        s.decoding.samples,
        s.decoding.seed,
        metrics.tool_version
    );
    let _ = writeln!(
        out,
        "| model | base model | adapter | backend |\n|---|---|---|---|"
    );
    for m in &s.models {
        let adapter = m
            .adapter
            .as_ref()
            .map(|a| a.display().to_string())
            .unwrap_or_else(|| "—".into());
        let backend = match &m.endpoint {
            Some(url) => format!("{} ({url})", m.backend),
            None => m.backend.clone(),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {adapter} | {backend}, {} |",
            m.label, m.model, m.mode
        );
    }
    out.push('\n');
    if let Some(c) = &metrics.comparison {
        let _ = writeln!(out, "## {} against {}\n", c.adapter, c.base);
        let _ = writeln!(
            out,
            "| suite | tasks | {} pass@1 | {} pass@1 | wins | losses | ties | p (McNemar) | verdict |\n|---|---|---|---|---|---|---|---|---|",
            c.base, c.adapter
        );
        for (suite, sc) in &c.suites {
            let _ = writeln!(
                out,
                "| {suite} | {} | {} | {} | {} | {} | {} | {:.3} | **{}** |",
                sc.tasks,
                pct(sc.base_pass_at_1),
                pct(sc.adapter_pass_at_1),
                sc.wins,
                sc.losses,
                sc.ties,
                sc.p_value,
                sc.verdict
            );
        }
        out.push('\n');
        for (suite, sc) in &c.suites {
            if !sc.regressions.is_empty() {
                let _ = writeln!(
                    out,
                    "Regressions in {suite} ({}): {}\n",
                    sc.regressions.len(),
                    sc.regressions.join(", ")
                );
            }
        }
    }
    if let Some(t) = &metrics.test_split {
        let _ = writeln!(
            out,
            "## Test split\n\nLoss and perplexity over the trained tokens of `{}`:\n\n| model | documents | tokens | loss | perplexity |\n|---|---|---|---|---|",
            t.file.display()
        );
        for (label, score) in &t.scores {
            let _ = writeln!(
                out,
                "| {label} | {} | {} | {:.4} | {:.2} |",
                score.documents, score.tokens, score.loss, score.perplexity
            );
        }
        out.push('\n');
    }
    for suite in &s.suites {
        let _ = writeln!(out, "## {} ({} tasks)\n", suite.name, suite.tasks);
        let labels: Vec<&str> = s.models.iter().map(|m| m.label.as_str()).collect();
        let _ = write!(out, "| | {} |\n|---|", labels.join(" | "));
        for _ in &labels {
            out.push_str("---|");
        }
        out.push('\n');
        let row = |name: &str, value: &dyn Fn(&SuiteMetrics) -> String| {
            let cells: Vec<String> = labels
                .iter()
                .map(|l| {
                    metrics
                        .models
                        .get(*l)
                        .and_then(|m| m.get(&suite.name))
                        .map(value)
                        .unwrap_or_else(|| "—".into())
                })
                .collect();
            format!("| {name} | {} |\n", cells.join(" | "))
        };
        out.push_str(&row("pass@1", &|m| pct(pass1(m))));
        for k in ["pass@10", "pass@100"] {
            if metrics.models.values().any(|m| {
                m.get(&suite.name)
                    .is_some_and(|m| m.pass_at.contains_key(k))
            }) {
                out.push_str(&row(k, &|m| {
                    m.pass_at.get(k).map(|p| pct(*p)).unwrap_or_default()
                }));
            }
        }
        out.push_str(&row("answers passed", &|m| {
            format!("{}/{}", m.passed, m.answers)
        }));
        let categories: std::collections::BTreeSet<&String> = metrics
            .models
            .values()
            .filter_map(|m| m.get(&suite.name))
            .flat_map(|m| m.categories.keys())
            .collect();
        if categories.len() > 1 {
            for category in categories {
                out.push_str(&row(category, &|m| {
                    m.categories
                        .get(category)
                        .map(|c| pct(c.pass_at_1))
                        .unwrap_or_else(|| "—".into())
                }));
            }
        }
        out.push('\n');
        for label in &labels {
            if let Some(m) = metrics.models.get(*label).and_then(|m| m.get(&suite.name)) {
                let mut checks: Vec<(&String, &u64)> = m.failed_checks.iter().collect();
                checks.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
                if !checks.is_empty() {
                    let top: Vec<String> = checks
                        .iter()
                        .take(8)
                        .map(|(name, n)| format!("`{name}` {n}"))
                        .collect();
                    let _ = writeln!(out, "{label}: most failed checks: {}\n", top.join(", "));
                }
            }
        }
    }
    out.push_str("Every answer is in `sample_outputs/`, every verdict in `results.jsonl`.\n");
    out
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

const COLORS: [&str; 4] = ["#8c8c8c", "#1f77b4", "#d62728", "#2ca02c"];

/// A horizontal bar chart: one group per row, one bar per model, pass@1 from 0 to 100%.
fn chart(title: &str, rows: &[(String, Vec<f64>)], labels: &[&str]) -> String {
    let bar = 12.0;
    let group = bar * labels.len() as f64 + 10.0;
    let left = 190.0;
    let width = 420.0;
    let top = 30.0;
    let height = top + group * rows.len() as f64 + 30.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{}" height="{height}" role="img" aria-label="{}">"#,
        left + width + 60.0,
        escape(title)
    );
    let _ = write!(
        svg,
        r#"<text x="0" y="16" font-size="14" font-weight="bold">{}</text>"#,
        escape(title)
    );
    for tick in [0.0, 0.25, 0.5, 0.75, 1.0] {
        let x = left + width * tick;
        let _ = write!(
            svg,
            r##"<line x1="{x}" y1="{top}" x2="{x}" y2="{}" stroke="#ddd"/><text x="{x}" y="{}" font-size="10" text-anchor="middle">{:.0}%</text>"##,
            height - 25.0,
            height - 12.0,
            tick * 100.0
        );
    }
    for (i, (name, values)) in rows.iter().enumerate() {
        let y0 = top + group * i as f64;
        let _ = write!(
            svg,
            r#"<text x="{}" y="{}" font-size="11" text-anchor="end">{}</text>"#,
            left - 6.0,
            y0 + group / 2.0,
            escape(name)
        );
        for (j, v) in values.iter().enumerate() {
            let y = y0 + bar * j as f64;
            let _ = write!(
                svg,
                r#"<rect x="{left}" y="{y}" width="{:.1}" height="{}" fill="{}"><title>{}: {}</title></rect><text x="{:.1}" y="{}" font-size="9">{}</text>"#,
                (width * v).max(1.0),
                bar - 2.0,
                COLORS[j % COLORS.len()],
                escape(labels[j]),
                pct(*v),
                left + (width * v).max(1.0) + 3.0,
                y + bar - 3.0,
                pct(*v)
            );
        }
    }
    svg.push_str("</svg>");
    svg
}

/// The HTML report: the Markdown report's tables and a chart per suite.
pub fn html(metrics: &Metrics) -> String {
    let labels: Vec<&str> = metrics
        .settings
        .models
        .iter()
        .map(|m| m.label.as_str())
        .collect();
    let mut body = String::new();
    let legend: Vec<String> = labels
        .iter()
        .enumerate()
        .map(|(i, l)| {
            format!(
                r#"<span style="color:{}">&#9632;</span> {}"#,
                COLORS[i % COLORS.len()],
                escape(l)
            )
        })
        .collect();
    let _ = write!(body, "<p>{}</p>", legend.join(" &nbsp; "));
    for suite in &metrics.settings.suites {
        let of = |label: &str| metrics.models.get(label).and_then(|m| m.get(&suite.name));
        let mut rows = vec![(
            "all tasks".to_owned(),
            labels
                .iter()
                .map(|l| of(l).map(pass1).unwrap_or(0.0))
                .collect(),
        )];
        let categories: std::collections::BTreeSet<&String> = labels
            .iter()
            .filter_map(|l| of(l))
            .flat_map(|m| m.categories.keys())
            .collect();
        if categories.len() > 1 {
            for category in categories {
                rows.push((
                    category.clone(),
                    labels
                        .iter()
                        .map(|l| {
                            of(l)
                                .and_then(|m| m.categories.get(category))
                                .map(|c| c.pass_at_1)
                                .unwrap_or(0.0)
                        })
                        .collect(),
                ));
            }
        }
        body.push_str(&chart(
            &format!("{}: pass@1 by category", suite.name),
            &rows,
            &labels,
        ));
    }
    let md = escape(&markdown(metrics));
    format!(
        "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>tuneforge eval {}</title>\n<style>body{{font-family:system-ui,sans-serif;max-width:980px;margin:2em auto;padding:0 1em}}pre{{white-space:pre-wrap;background:#f6f6f6;padding:1em}}svg{{display:block;margin:1.5em 0}}</style></head>\n<body><h1>Evaluation {}</h1>\n{body}\n<h2>Tables</h2><pre>{md}</pre></body></html>\n",
        escape(&metrics.run),
        escape(&metrics.run)
    )
}
