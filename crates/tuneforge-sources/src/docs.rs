//! Docs discovery on drupal.org: change records of Drupal core and security advisories,
//! read from their api-d7 listings. Each record becomes a candidate whose location is its
//! node's JSON, which acquisition saves as served.

use serde::Deserialize;
use tuneforge_core::config::ContentKind;
use tuneforge_core::reporter::Reporter;

use crate::contrib::{ContribError, fetch_listing};
use crate::discover::{Candidate, CandidateKind, Status};
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
    /// The API reference site (`https://api.drupal.org`).
    pub api_site: &'a str,
    /// The branch whose API reference is read (`11.x`).
    pub api_branch: &'a str,
}

/// Which records to keep.
pub struct DocsPolicy {
    pub change_records: bool,
    pub security_advisories: bool,
    /// Change records for versions before this one are dropped.
    pub change_records_since: Version,
    pub api_reference: bool,
    /// Only these topics of the API reference; empty means every listed topic.
    pub api_topics: Vec<String>,
}

/// The page of the API reference that links every topic of a branch.
pub fn topics_index_url(api_site: &str, branch: &str) -> String {
    format!(
        "{}/api/drupal/groups/{branch}",
        api_site.trim_end_matches('/')
    )
}

/// Topic links on the index page, `(topic, absolute URL)` in page order, each once. A topic
/// page is `/api/drupal/<file>/group/<topic>/<branch>`; `<file>` is the URL-encoded file that
/// defines the group (`core%21core.api.php`).
fn topic_links(index_url: &str, html: &str, branch: &str) -> Vec<(String, String)> {
    let pattern = format!(
        r#"href\s*=\s*["']([^"'#?]*/group/([A-Za-z0-9_.-]+)/{})["']"#,
        regex::escape(branch)
    );
    let Ok(re) = regex::Regex::new(&pattern) else {
        return Vec::new();
    };
    let Ok(base) = reqwest::Url::parse(index_url) else {
        return Vec::new();
    };
    let mut seen = std::collections::BTreeSet::new();
    re.captures_iter(html)
        .filter_map(|c| {
            let url = base.join(&c[1].replace("&amp;", "&")).ok()?;
            seen.insert(c[2].to_owned())
                .then(|| (c[2].to_owned(), url.to_string()))
        })
        .collect()
}

/// Topic pages of the API reference, read from the branch's topic index.
fn discover_api_topics(
    http: &Http,
    endpoints: &DocsEndpoints<'_>,
    wanted: &[String],
) -> Result<Vec<Candidate>, ContribError> {
    let index = topics_index_url(endpoints.api_site, endpoints.api_branch);
    let page = http.get_one(&index)?;
    let links = topic_links(
        &index,
        &String::from_utf8_lossy(&page.body),
        endpoints.api_branch,
    );
    if links.is_empty() {
        return Err(ContribError::Shape {
            url: index,
            message: format!(
                "no topic links of branch {} on the page; check api_site and api_branch",
                endpoints.api_branch
            ),
        });
    }
    let mut out: Vec<Candidate> = links
        .iter()
        .map(|(topic, url)| {
            let mut c = Candidate::new(
                &format!("api-topic/{topic}"),
                CandidateKind::DrupalDocs,
                ContentKind::Docs,
                url,
            );
            if wanted.is_empty() || wanted.contains(topic) {
                c.reason = format!("API topic {topic} ({})", endpoints.api_branch);
            } else {
                c.status = Status::Dropped;
                c.reason = format!("API topic {topic}: not in api_topics");
            }
            c
        })
        .collect();
    for topic in wanted
        .iter()
        .filter(|t| !links.iter().any(|(l, _)| l == *t))
    {
        let mut c = Candidate::new(
            &format!("api-topic/{topic}"),
            CandidateKind::DrupalDocs,
            ContentKind::Docs,
            &index,
        );
        c.status = Status::Dropped;
        c.reason =
            format!("API topic {topic} is not listed at {index}; check its name in api_topics");
        out.push(c);
    }
    Ok(out)
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
        CandidateKind::DrupalDocs,
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
    if policy.api_reference {
        out.extend(discover_api_topics(http, endpoints, &policy.api_topics)?);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn topic_links_are_resolved_and_filtered_by_branch() {
        let html = r#"<table><tr><td><a href="/api/drupal/core%21core.api.php/group/hooks/11.x">Hooks</a></td></tr>
<tr><td><a href='https://api.drupal.org/api/drupal/core%21lib%21Drupal%21Core%21Plugin%21PluginBase.php/group/plugin_api/11.x'>Plugin API</a></td></tr>
<tr><td><a href="/api/drupal/core%21core.api.php/group/hooks/11.x">Hooks again</a></td></tr>
<tr><td><a href="/api/drupal/core%21core.api.php/group/hooks/10.3.x">Hooks 10.3</a></td></tr>
<tr><td><a href="/api/drupal/core%21core.api.php/function/hook_help/11.x">hook_help</a></td></tr></table>"#;
        let links = topic_links(
            "https://api.drupal.org/api/drupal/groups/11.x",
            html,
            "11.x",
        );
        assert_eq!(
            links,
            vec![
                (
                    "hooks".to_owned(),
                    "https://api.drupal.org/api/drupal/core%21core.api.php/group/hooks/11.x"
                        .to_owned()
                ),
                (
                    "plugin_api".to_owned(),
                    "https://api.drupal.org/api/drupal/core%21lib%21Drupal%21Core%21Plugin%21PluginBase.php/group/plugin_api/11.x".to_owned()
                ),
            ]
        );
    }
}
