//! Docs discovery on drupal.org: change records of Drupal core and security advisories,
//! read from their api-d7 listings. Each record becomes a candidate whose location is its
//! node's JSON, which acquisition saves as served.

use serde::Deserialize;
use tuneforge_core::config::ContentKind;
use tuneforge_core::reporter::Reporter;

use crate::contrib::{ContribError, fetch_listing};
use crate::discover::{Candidate, Status};
use crate::http::Http;
use crate::version::Version;

#[derive(Debug, Clone, Deserialize)]
struct DocNode {
    nid: String,
    #[serde(default)]
    title: String,
    /// The version a change record applies from (`11.1.0`).
    #[serde(default)]
    field_change_to: Option<String>,
    #[serde(default)]
    field_change_record_status: Option<String>,
}

pub struct DocsEndpoints<'a> {
    pub api_url: &'a str,
    /// The node id of the Drupal core project (3060 on drupal.org).
    pub core_project: &'a str,
}

/// Which records to keep.
pub struct DocsPolicy {
    pub change_records: bool,
    pub security_advisories: bool,
    /// Change records for versions before this one are dropped.
    pub change_records_since: Version,
}

pub fn changenotice_url(api_url: &str, core_project: &str, page: u64) -> String {
    format!(
        "{}/node.json?type=changenotice&field_project={core_project}&page={page}",
        api_url.trim_end_matches('/')
    )
}

pub fn sa_url(api_url: &str, page: u64) -> String {
    format!(
        "{}/node.json?type=sa&status=1&page={page}",
        api_url.trim_end_matches('/')
    )
}

fn node_candidate(api_url: &str, prefix: &str, node: &DocNode) -> Candidate {
    let api = api_url.trim_end_matches('/');
    let mut c = Candidate::new(
        &format!("{prefix}/{}", node.nid),
        "drupal-docs",
        ContentKind::Docs,
        &format!("{api}/node/{}.json", node.nid),
    );
    c.reason = node.title.clone();
    c
}

/// Discover change records and security advisories.
pub fn discover_docs(
    http: &Http,
    endpoints: &DocsEndpoints<'_>,
    policy: &DocsPolicy,
    reporter: &dyn Reporter,
) -> Result<Vec<Candidate>, ContribError> {
    let mut out = Vec::new();
    if policy.change_records {
        let records: Vec<DocNode> = fetch_listing(
            http,
            |p| changenotice_url(endpoints.api_url, endpoints.core_project, p),
            "discover: change records",
            reporter,
        )?;
        for node in &records {
            let mut c = node_candidate(endpoints.api_url, "changenotice", node);
            let since = &policy.change_records_since;
            let target = node.field_change_to.as_deref().map(Version::parse);
            if node
                .field_change_record_status
                .as_deref()
                .is_some_and(|s| s != "published")
            {
                c.status = Status::Dropped;
                c.reason = format!("{}: not published", node.title);
            } else if let Some(Ok(v)) = &target
                && v < since
            {
                c.status = Status::Dropped;
                c.reason = format!("{}: a change in {v}, before {since}", node.title);
            } else if let Some(Ok(v)) = &target {
                c.reason = format!("{} (from {v})", node.title);
                c.release = node.field_change_to.clone();
            }
            out.push(c);
        }
    }
    if policy.security_advisories {
        let advisories: Vec<DocNode> = fetch_listing(
            http,
            |p| sa_url(endpoints.api_url, p),
            "discover: security advisories",
            reporter,
        )?;
        out.extend(
            advisories
                .iter()
                .map(|n| node_candidate(endpoints.api_url, "sa", n)),
        );
    }
    Ok(out)
}
