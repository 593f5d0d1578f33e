//! The facts of Drupal's YAML files: services (`*.services.yml`), routes (`*.routing.yml`,
//! with their requirements) and Single Directory Components (`*.component.yml`).

use serde::Serialize;
use serde_json::Value;

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ServiceFact {
    pub id: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub class: Option<String>,
    /// `@other` references among its arguments, without the `@`.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub arguments: Vec<String>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    pub autowire: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias_of: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RouteFact {
    pub name: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The handler from `defaults`: the value of `_controller`, `_form`, `_entity_form`, ….
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler: Option<String>,
    /// Which of those keys it is (`_form`, `_controller`, …).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub handler_key: Option<String>,
    /// `requirements` as written (`_permission`, `_access`, `_csrf_token`, …).
    pub requirements: serde_json::Map<String, Value>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub methods: Vec<String>,
    /// `alias: other.route`: this name stands for another route, which has the access.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub alias: Option<String>,
    pub line: usize,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ComponentFact {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub props: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub required: Vec<String>,
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub slots: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(untagged)]
pub enum YamlFacts {
    Services { services: Vec<ServiceFact> },
    Routes { routes: Vec<RouteFact> },
    Component { component: ComponentFact },
}

#[derive(Debug, thiserror::Error)]
#[error("{message}")]
pub struct YamlError {
    pub message: String,
}

/// The line of a top-level or indented key, for pointing at a definition.
fn line_of(text: &str, key: &str) -> usize {
    text.lines()
        .position(|l| {
            let t = l.trim_start();
            t.strip_prefix(key).is_some_and(|r| r.starts_with(':'))
                || t.strip_prefix(&format!("'{key}'"))
                    .is_some_and(|r| r.starts_with(':'))
                || t.strip_prefix(&format!("\"{key}\""))
                    .is_some_and(|r| r.starts_with(':'))
        })
        .map_or(0, |i| i + 1)
}

fn strings(v: Option<&Value>) -> Vec<String> {
    match v {
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(|x| x.as_str().map(str::to_owned))
            .collect(),
        Some(Value::String(s)) => vec![s.clone()],
        _ => Vec::new(),
    }
}

/// Facts of a YAML file by its name; `Ok(None)` for YAML files without facts here.
pub fn yaml_facts(rel: &str, text: &str) -> Result<Option<YamlFacts>, YamlError> {
    let kind = if rel.ends_with(".services.yml") {
        "services"
    } else if rel.ends_with(".routing.yml") {
        "routes"
    } else if rel.ends_with(".component.yml") {
        "component"
    } else {
        return Ok(None);
    };
    if text.trim().is_empty() {
        return Ok(None);
    }
    let doc: Value = serde_saphyr::from_str(text).map_err(|e| YamlError {
        message: e.to_string(),
    })?;
    Ok(Some(match kind {
        "services" => {
            // `_defaults` is kept as an entry of its own (a snippet of the file needs it),
            // and its `autowire` applies to every service that does not say otherwise.
            let default_autowire = doc
                .get("services")
                .and_then(|s| s.get("_defaults"))
                .and_then(|d| d.get("autowire"))
                .and_then(Value::as_bool)
                .unwrap_or(false);
            let services = doc
                .get("services")
                .and_then(Value::as_object)
                .map(|m| {
                    m.iter()
                        .map(|(id, def)| ServiceFact {
                            id: id.clone(),
                            class: def.get("class").and_then(Value::as_str).map(str::to_owned),
                            arguments: strings(def.get("arguments"))
                                .into_iter()
                                .filter_map(|a| {
                                    a.strip_prefix('@')
                                        .map(|s| s.trim_start_matches('?').to_owned())
                                })
                                .collect(),
                            autowire: def
                                .get("autowire")
                                .and_then(Value::as_bool)
                                .unwrap_or(default_autowire),
                            alias_of: def
                                .as_str()
                                .and_then(|s| s.strip_prefix('@'))
                                .or_else(|| def.get("alias").and_then(Value::as_str))
                                .map(str::to_owned),
                            tags: def
                                .get("tags")
                                .and_then(Value::as_array)
                                .map(|tags| {
                                    tags.iter()
                                        .filter_map(|t| {
                                            t.get("name").and_then(Value::as_str).or(t.as_str())
                                        })
                                        .map(str::to_owned)
                                        .collect()
                                })
                                .unwrap_or_default(),
                            line: line_of(text, id),
                        })
                        .collect()
                })
                .unwrap_or_default();
            YamlFacts::Services { services }
        }
        "routes" => {
            let routes = doc
                .as_object()
                .map(|m| {
                    m.iter()
                        .filter(|(_, def)| def.is_object())
                        .map(|(name, def)| {
                            let defaults = def.get("defaults");
                            let found = [
                                "_controller",
                                "_form",
                                "_entity_form",
                                "_entity_list",
                                "_entity_view",
                            ]
                            .iter()
                            .find_map(|k| {
                                defaults
                                    .and_then(|d| d.get(*k))
                                    .and_then(Value::as_str)
                                    .map(|v| ((*k).to_owned(), v.to_owned()))
                            });
                            let (handler_key, handler) = match found {
                                Some((k, v)) => (Some(k), Some(v)),
                                None => (None, None),
                            };
                            RouteFact {
                                name: name.clone(),
                                path: def.get("path").and_then(Value::as_str).map(str::to_owned),
                                handler,
                                handler_key,
                                requirements: def
                                    .get("requirements")
                                    .and_then(Value::as_object)
                                    .cloned()
                                    .unwrap_or_default(),
                                methods: strings(def.get("methods")),
                                alias: def.get("alias").and_then(Value::as_str).map(str::to_owned),
                                line: line_of(text, name),
                            }
                        })
                        .collect()
                })
                .unwrap_or_default();
            YamlFacts::Routes { routes }
        }
        _ => {
            let keys = |v: Option<&Value>| -> Vec<String> {
                v.and_then(Value::as_object)
                    .map(|m| m.keys().cloned().collect())
                    .unwrap_or_default()
            };
            let props = doc.get("props");
            YamlFacts::Component {
                component: ComponentFact {
                    name: doc.get("name").and_then(Value::as_str).map(str::to_owned),
                    status: doc.get("status").and_then(Value::as_str).map(str::to_owned),
                    props: keys(props.and_then(|p| p.get("properties"))),
                    required: strings(props.and_then(|p| p.get("required"))),
                    slots: keys(doc.get("slots")),
                },
            }
        }
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn services_routes_and_components() {
        let services = "services:\n  _defaults:\n    autowire: true\n  demo.loader:\n    class: Drupal\\demo\\Loader\n    arguments: ['@entity_type.manager', '@?logger.factory', '%param%']\n    tags:\n      - { name: event_subscriber }\n  Drupal\\demo\\Loader: '@demo.loader'\n";
        let Some(YamlFacts::Services { services }) =
            yaml_facts("demo.services.yml", services).unwrap()
        else {
            panic!("services");
        };
        assert_eq!(services.len(), 3);
        // `_defaults` is an entry too (a snippet of the file needs it), and its autowire
        // applies to the services that do not say otherwise.
        assert_eq!(services[0].id, "_defaults");
        let services = &services[1..];
        assert_eq!(services[0].id, "demo.loader");
        assert!(services[0].autowire, "inherited from _defaults");
        assert_eq!(
            services[0].arguments,
            ["entity_type.manager", "logger.factory"]
        );
        assert_eq!(services[0].tags, ["event_subscriber"]);
        assert_eq!(services[0].line, 4);
        assert_eq!(services[1].alias_of.as_deref(), Some("demo.loader"));

        let routes = "demo.settings:\n  path: '/admin/config/demo'\n  defaults:\n    _form: '\\Drupal\\demo\\Form\\SettingsForm'\n    _title: 'Demo'\n  requirements:\n    _permission: 'administer site configuration'\ndemo.delete:\n  path: '/demo/{id}/delete'\n  defaults:\n    _controller: '\\Drupal\\demo\\Controller\\X::delete'\n  methods: [POST]\n  requirements:\n    _csrf_token: 'TRUE'\n";
        let Some(YamlFacts::Routes { routes }) = yaml_facts("demo.routing.yml", routes).unwrap()
        else {
            panic!("routes");
        };
        assert_eq!(routes[0].name, "demo.settings");
        assert_eq!(
            routes[0].handler.as_deref(),
            Some("\\Drupal\\demo\\Form\\SettingsForm")
        );
        assert_eq!(
            routes[0].requirements["_permission"],
            "administer site configuration"
        );
        assert_eq!(routes[1].methods, ["POST"]);
        assert_eq!(routes[1].line, 8);

        let sdc = "name: Card\nstatus: stable\nprops:\n  type: object\n  required: [title]\n  properties:\n    title: {type: string}\n    url: {type: string}\nslots:\n  body: {title: Body}\n";
        let Some(YamlFacts::Component { component }) =
            yaml_facts("components/card/card.component.yml", sdc).unwrap()
        else {
            panic!("component");
        };
        assert_eq!(component.props, ["title", "url"]);
        assert_eq!(component.required, ["title"]);
        assert_eq!(component.slots, ["body"]);
        assert!(yaml_facts("demo.info.yml", "name: x\n").unwrap().is_none());
        assert!(yaml_facts("demo.routing.yml", "a: [\n").is_err());
    }
}
