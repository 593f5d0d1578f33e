//! Contrib discovery on drupal.org: every listing page of full modules, the projects kept
//! by usage, security coverage and status, then each kept project's Composer metadata for
//! the newest stable release that admits Drupal 11.

use serde_json::Value;
use tuneforge_core::config::ContentKind;
use tuneforge_core::reporter::Reporter;

use crate::discover::{Candidate, CandidateKind, Status};
use crate::drupalorg::{
    ContribPolicy, ListingPage, ProjectNode, ReleaseChoice, last_page, listing_url, parse_p2,
    pick_release, select_projects,
};
use crate::http::{Http, HttpError};

/// Where drupal.org's services are (configurable, so tests point them at loopback).
pub struct ContribEndpoints<'a> {
    pub api_url: &'a str,
    pub packages_url: &'a str,
    pub page_size: u64,
}

/// A failure that stops contrib discovery as a whole (the listing or the Composer
/// repository could not be read).
#[derive(Debug, thiserror::Error)]
pub enum ContribError {
    #[error(transparent)]
    Http(#[from] HttpError),
    #[error("{url}: {message}")]
    Shape { url: String, message: String },
}

fn shape(url: &str, message: impl Into<String>) -> ContribError {
    ContribError::Shape {
        url: url.to_owned(),
        message: message.into(),
    }
}

/// The p2 URL template from the repository's `packages.json` (`metadata-url`, relative to
/// the repository's host), with `%package%` left to fill in.
fn metadata_template(http: &Http, packages_url: &str) -> Result<String, ContribError> {
    let root = format!("{}/packages.json", packages_url.trim_end_matches('/'));
    let doc: Value = serde_json::from_slice(&http.get_one(&root)?.body)
        .map_err(|e| shape(&root, format!("not JSON: {e}")))?;
    let template = doc
        .get("metadata-url")
        .and_then(Value::as_str)
        .ok_or_else(|| shape(&root, "no metadata-url: not a Composer 2 repository"))?;
    let base = reqwest::Url::parse(&root).map_err(|e| shape(&root, e.to_string()))?;
    let joined = base
        .join(template)
        .map_err(|e| shape(&root, format!("metadata-url {template:?}: {e}")))?;
    // Url::join percent-encodes `%package%`'s percent signs; restore the placeholder.
    Ok(joined.as_str().replace("%25package%25", "%package%"))
}

/// Every node of an api-d7 listing: page 0 says how many pages there are (`last`), the
/// rest are fetched together.
pub fn fetch_listing<T: serde::de::DeserializeOwned>(
    http: &Http,
    url_for_page: impl Fn(u64) -> String,
    label: &str,
    reporter: &dyn Reporter,
) -> Result<Vec<T>, ContribError> {
    let parse_page = |url: &str, body: &[u8]| -> Result<ListingPage<T>, ContribError> {
        serde_json::from_slice(body).map_err(|e| shape(url, format!("not a listing page: {e}")))
    };
    let first_url = url_for_page(0);
    let first = parse_page(&first_url, &http.get_one(&first_url)?.body)?;
    let last = last_page(&first).unwrap_or(0);
    let urls: Vec<String> = (1..=last).map(url_for_page).collect();
    let task = reporter.task(label, Some(last + 1));
    task.advance(1);
    let mut nodes = first.list;
    for (url, page) in urls.iter().zip(http.get_all(&urls, task.as_ref())) {
        nodes.extend(parse_page(url, &page?.body)?.list);
    }
    task.finish();
    Ok(nodes)
}

/// Discover contrib modules: one candidate per listed project, in order of usage.
pub fn discover_contrib(
    http: &Http,
    endpoints: &ContribEndpoints<'_>,
    policy: &ContribPolicy,
    reporter: &dyn Reporter,
) -> Result<Vec<Candidate>, ContribError> {
    let projects: Vec<ProjectNode> = fetch_listing(
        http,
        |page| listing_url(endpoints.api_url, endpoints.page_size, page),
        "discover: drupal.org project pages",
        reporter,
    )?;

    let choices = select_projects(&projects, policy);
    let kept: Vec<&str> = choices
        .iter()
        .filter(|c| c.kept)
        .map(|c| c.name.as_str())
        .collect();
    let template = metadata_template(http, endpoints.packages_url)?;
    let p2_urls: Vec<String> = kept
        .iter()
        .map(|name| template.replace("%package%", &format!("drupal/{name}")))
        .collect();
    let task = reporter.task("discover: Composer metadata", Some(p2_urls.len() as u64));
    let mut metadata = kept
        .iter()
        .zip(http.get_all(&p2_urls, task.as_ref()))
        .zip(&p2_urls);
    task.finish();

    let mut out = Vec::with_capacity(choices.len());
    for choice in &choices {
        let mut c = Candidate::new(
            &format!("drupal/{}", choice.name),
            CandidateKind::DrupalContrib,
            ContentKind::Code,
            &format!(
                "{}/node/{}",
                endpoints.api_url.trim_end_matches('/'),
                choice.nid
            ),
        );
        c.usage = Some(choice.usage);
        if !choice.kept {
            c.status = Status::Dropped;
            c.reason = choice.reason.clone();
            out.push(c);
            continue;
        }
        let ((_, fetched), url) = metadata
            .next()
            .expect("one metadata result per kept project");
        match fetched {
            Err(HttpError::Status { status: 404, .. }) => {
                c.status = Status::Dropped;
                c.reason = format!("no Composer metadata at {url}");
            }
            Err(e) => {
                c.status = Status::Dropped;
                c.reason = e.to_string();
                c.unresolved = true;
            }
            Ok(f) => match parse_p2(&f.body, &format!("drupal/{}", choice.name)) {
                Err(e) => {
                    c.status = Status::Dropped;
                    c.reason = format!("{url}: {e}");
                }
                Ok(versions) => apply_release(&mut c, pick_release(&versions)),
            },
        }
        out.push(c);
    }
    Ok(out)
}

fn apply_release(c: &mut Candidate, choice: ReleaseChoice) {
    match choice {
        ReleaseChoice::Compatible {
            version,
            constraint,
            git_url,
            tag,
        } => {
            c.reason = format!("{version} admits Drupal 11 (drupal/core {constraint})");
            c.core_constraint = Some(constraint);
            c.release = Some(version);
            if let Some(url) = git_url {
                c.location = url;
            }
            c.git_ref = tag;
        }
        ReleaseChoice::PendingInfoYml {
            version,
            git_url,
            tag,
            why,
        } => {
            c.status = Status::PendingInfoYml;
            c.reason = format!(
                "{version}: {why}; acquire reads core_version_requirement from its info.yml"
            );
            c.release = Some(version);
            if let Some(url) = git_url {
                c.location = url;
            }
            c.git_ref = tag;
        }
        ReleaseChoice::Incompatible { newest_stable } => {
            c.status = Status::Dropped;
            c.reason = match newest_stable {
                Some(v) => format!("no stable release admits Drupal 11 (newest stable: {v})"),
                None => "no stable release".to_owned(),
            };
        }
    }
}
