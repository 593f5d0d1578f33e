//! robots.txt, as crawlers read it: the group for our user agent (else `*`), `Allow` and
//! `Disallow` rules by longest match (an `Allow` wins a tie), `*` and `$` in patterns.

/// `(allow, pattern)`.
type Rule = (bool, String);

/// A `User-agent` group: its agents (lower case) and rules.
type Group = (Vec<String>, Vec<Rule>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Robots {
    /// (allow, pattern) of the group that applies to us.
    rules: Vec<Rule>,
}

impl Robots {
    /// Parse robots.txt for `agent` (matched case-insensitively as a substring of the
    /// group's `User-agent`, as crawlers do).
    pub fn parse(text: &str, agent: &str) -> Self {
        let agent = agent.to_ascii_lowercase();
        let mut groups: Vec<Group> = Vec::new();
        let mut in_agents = false;
        for line in text.lines() {
            let line = line.split('#').next().unwrap_or("").trim();
            let Some((key, value)) = line.split_once(':') else {
                continue;
            };
            let (key, value) = (key.trim().to_ascii_lowercase(), value.trim().to_owned());
            match key.as_str() {
                "user-agent" => {
                    if !in_agents {
                        groups.push((Vec::new(), Vec::new()));
                    }
                    in_agents = true;
                    if let Some(g) = groups.last_mut() {
                        g.0.push(value.to_ascii_lowercase());
                    }
                }
                "allow" | "disallow" => {
                    in_agents = false;
                    if let Some(g) = groups.last_mut()
                        && !value.is_empty()
                    {
                        g.1.push((key == "allow", value));
                    }
                }
                _ => in_agents = false,
            }
        }
        let ours = groups
            .iter()
            .find(|(agents, _)| {
                agents
                    .iter()
                    .any(|a| a != "*" && agent.contains(a.as_str()))
            })
            .or_else(|| {
                groups
                    .iter()
                    .find(|(agents, _)| agents.iter().any(|a| a == "*"))
            });
        Self {
            rules: ours.map(|g| g.1.clone()).unwrap_or_default(),
        }
    }

    /// May `path` (with its query) be fetched?
    pub fn allows(&self, path: &str) -> bool {
        let mut best: Option<(usize, bool)> = None;
        for (allow, pattern) in &self.rules {
            if matches(pattern, path) {
                let len = pattern.len();
                best = match best {
                    Some((l, a)) if l > len || (l == len && a) => Some((l, a)),
                    _ => Some((len, *allow)),
                };
            }
        }
        best.is_none_or(|(_, allow)| allow)
    }
}

/// A robots.txt pattern: a path prefix where `*` matches anything and a final `$`
/// anchors the end.
fn matches(pattern: &str, path: &str) -> bool {
    let (pattern, anchored) = match pattern.strip_suffix('$') {
        Some(p) => (p, true),
        None => (pattern, false),
    };
    let parts: Vec<&str> = pattern.split('*').collect();
    let mut at = 0;
    for (i, part) in parts.iter().enumerate() {
        if i == 0 {
            if !path.starts_with(part) {
                return false;
            }
            at = part.len();
        } else if let Some(found) = path[at..].find(part) {
            at += found + part.len();
        } else {
            return false;
        }
    }
    if anchored {
        let last = parts.last().copied().unwrap_or("");
        parts.len() > 1 && path.ends_with(last) || at == path.len()
    } else {
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const TXT: &str = "User-agent: *\nDisallow: /search\nDisallow: /*?page=\nAllow: /search/help\nDisallow: /*.pdf$\n\nUser-agent: BadBot\nDisallow: /\n";

    #[test]
    fn longest_match_wins_and_allow_breaks_ties() {
        let r = Robots::parse(TXT, "tuneforge/0.1");
        assert!(r.allows("/api-d7/node/1.json"));
        assert!(!r.allows("/search?q=x"));
        assert!(r.allows("/search/help"));
        assert!(!r.allows("/node?page=2"));
        assert!(!r.allows("/files/a.pdf"));
        assert!(r.allows("/files/a.pdf.txt"));
        let bad = Robots::parse(TXT, "BadBot/2");
        assert!(!bad.allows("/anything"));
        assert!(Robots::parse("", "x").allows("/"));
    }
}
