use anyhow::{Context as _, Result};
use tuneforge_sources::compat::{check, drupal11};
use tuneforge_sources::version::{InvalidVersion, Version};

use super::Context;
use crate::cli::CompatArgs;
use crate::exit::Exit;

pub fn compat(ctx: &Context, args: CompatArgs) -> Result<Exit> {
    let core = Version::parse(&args.core).context(format!(
        "--core {}: give a Drupal 11 release such as 11.3.5",
        args.core
    ))?;
    if !drupal11().contains(&core) {
        return Err(anyhow::Error::new(InvalidVersion {
            input: args.core.clone(),
            message: "not a Drupal 11 release".to_owned(),
        })
        .context("--core names the latest Drupal 11 release, e.g. 11.3.5"));
    }
    let report = check(&args.constraint, &core);
    let yes = |b: bool| if b { "yes" } else { "no" };
    ctx.emit(&report, || {
        let mut rows = vec![("constraint", report.constraint.clone())];
        match &report.error {
            Some(e) => rows.push(("parsed", format!("no: {e}"))),
            None => {
                let intervals = if report.intervals.is_empty() {
                    "none".to_owned()
                } else {
                    report.intervals.join(" || ")
                };
                rows.push(("versions", intervals));
                if !report.branches.is_empty() {
                    rows.push(("branches", report.branches.join(", ")));
                }
            }
        }
        // Words for people; --json keeps the field names (admits_any_11, …).
        rows.push(("any Drupal 11", yes(report.admits_any_11).to_owned()));
        rows.push(("Drupal 11.0", yes(report.admits_11_0).to_owned()));
        rows.push((
            "latest Drupal 11",
            format!("{} ({})", yes(report.admits_latest_11), report.core),
        ));
        rows.push((
            "no upper bound",
            if report.unbounded_upper {
                "yes: it also admits Drupal 12 and later, untested".to_owned()
            } else {
                "no".to_owned()
            },
        ));
        rows.iter()
            .map(|(k, v)| format!("{k:<17} {v}"))
            .collect::<Vec<_>>()
            .join("\n")
    });
    Ok(if report.parsed {
        Exit::Success
    } else {
        Exit::Usage
    })
}
