//! Zola's template functions that Attaché's own set lacks: `load_data`,
//! `get_taxonomy_url`, `get_taxonomy_term` and `trans`, with Zola's arguments, so Zola themes
//! render unchanged.

use std::collections::HashMap;
use std::path::{Component, Path, PathBuf};

use tera::{Tera, Value};

use super::templates::SharedIndex;
use crate::config::{Config, toml_to_json};

/// Register the functions on `tera`.
pub fn register(tera: &mut Tera, config: &Config, root: &Path, index: SharedIndex) {
    tera.register_tester("containing", containing);
    let site = root.to_path_buf();
    tera.register_function("load_data", move |args: &HashMap<String, Value>| load_data(&site, args));

    let rule = config.slugify.taxonomies;
    let (base_url, tax_slugs) = (
        config.base_url.clone(),
        config.taxonomies.keys().map(|k| (k.clone(), crate::slug::path(k, rule))).collect::<HashMap<_, _>>(),
    );
    let index_for_url = index.clone();
    tera.register_function("get_taxonomy_url", move |args: &HashMap<String, Value>| {
        let index = &index_for_url;
        let kind = args.get("kind").and_then(Value::as_str).ok_or("get_taxonomy_url needs kind=\"…\"")?;
        let name = args.get("name").and_then(Value::as_str).ok_or("get_taxonomy_url needs name=\"…\"")?;
        let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
        // The term's own permalink when the site index has it (its slug may differ).
        if let Some(ix) = index.snapshot_taxonomy(kind)
            && let Some(url) = ix["terms"].as_array().and_then(|terms| {
                terms.iter().find(|t| t["name"].as_str() == Some(name)).and_then(|t| t["permalink"].as_str())
            })
        {
            return Ok(Value::String(url.to_string()));
        }
        match tax_slugs.get(kind) {
            Some(slug) => Ok(Value::String(format!("{base_url}/{slug}/{}/", crate::slug::path(name, rule)))),
            None if !required => Ok(Value::Null),
            None => Err(format!("get_taxonomy_url: no taxonomy `{kind}` in config.toml").into()),
        }
    });

    let idx = index.clone();
    tera.register_function("get_taxonomy_term", move |args: &HashMap<String, Value>| {
        let kind = args.get("kind").and_then(Value::as_str).ok_or("get_taxonomy_term needs kind=\"…\"")?;
        let term = args.get("term").and_then(Value::as_str).ok_or("get_taxonomy_term needs term=\"…\"")?;
        let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
        match idx.taxonomy_term(kind, term) {
            Some(v) => Ok(v),
            None if !required => Ok(Value::Null),
            None => Err(format!("get_taxonomy_term: no term `{term}` in taxonomy `{kind}`").into()),
        }
    });

    let default_lang = config.default_language.clone();
    let mut translations: HashMap<String, toml::Table> = HashMap::new();
    translations.insert(default_lang.clone(), config.translations.clone());
    for (lang, table) in &config.languages {
        if let Some(toml::Value::Table(t)) = table.get("translations") {
            translations.entry(lang.clone()).or_default().extend(t.clone());
        }
    }
    tera.register_function("trans", move |args: &HashMap<String, Value>| {
        let key = args.get("key").and_then(Value::as_str).ok_or("trans needs key=\"…\"")?;
        let lang = args.get("lang").and_then(Value::as_str).unwrap_or(&default_lang);
        translations
            .get(lang)
            .and_then(|t| t.get(key))
            .map(toml_to_json)
            .ok_or_else(|| format!("trans: no translation `{key}` for language `{lang}`").into())
    });
}

/// `load_data(path=…, format=…, required=…)`: a file of the site (looked up
/// from the site root, then `content/`, then `static/`), parsed by its
/// format: TOML, JSON, YAML and CSV become data, anything else text. A path
/// may not leave the site; `required=false` makes a missing file `null`.
fn load_data(root: &Path, args: &HashMap<String, Value>) -> tera::Result<Value> {
    if args.contains_key("url") {
        return Err("load_data: `url` is not supported (builds do not use the network); use a local `path`".into());
    }
    let path = args.get("path").and_then(Value::as_str).ok_or("load_data needs path=\"…\"")?;
    let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
    let rel = Path::new(path.trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(format!("load_data: `{path}` is not a path inside the site").into());
    }
    let found: Option<PathBuf> = ["", "content", "static"]
        .iter()
        .map(|dir| root.join(dir).join(rel))
        .find(|p| p.is_file() && crate::inside::within_site(root, p));
    let Some(file) = found else {
        return if required {
            Err(format!("load_data: no file `{path}` in the site, content/ or static/").into())
        } else {
            Ok(Value::Null)
        };
    };
    let text = std::fs::read_to_string(&file).map_err(|e| format!("load_data: {path}: {e}"))?;
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    let format = args.get("format").and_then(Value::as_str).map_or(ext, str::to_ascii_lowercase);
    parse(&text, &format).map_err(|e| format!("load_data: {path}: {e}").into())
}

/// `text` as data of `format` (a file extension or Zola's format name).
fn parse(text: &str, format: &str) -> Result<Value, String> {
    match format {
        "toml" => text.parse::<toml::Table>().map(|t| toml_to_json(&toml::Value::Table(t))).map_err(|e| e.to_string()),
        "json" => serde_json::from_str(text).map_err(|e| e.to_string()),
        "yaml" | "yml" => serde_yaml::from_str(text).map_err(|e| e.to_string()),
        "csv" => Ok(csv(text)),
        _ => Ok(Value::String(text.to_string())),
    }
}

/// CSV as Zola gives it: `{headers: [...], records: [[...], ...]}`.
fn csv(text: &str) -> Value {
    let mut rows = csv_rows(text).into_iter();
    let headers = rows.next().unwrap_or_default();
    serde_json::json!({ "headers": headers, "records": rows.collect::<Vec<_>>() })
}

/// RFC 4180 rows: fields split on commas, `"…"` quoting with `""` for a quote.
fn csv_rows(text: &str) -> Vec<Vec<String>> {
    let mut rows = Vec::new();
    let (mut row, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        match c {
            '"' if quoted && chars.peek() == Some(&'"') => {
                chars.next();
                field.push('"');
            }
            '"' => quoted = !quoted,
            ',' if !quoted => row.push(std::mem::take(&mut field)),
            '\r' if !quoted => {}
            '\n' if !quoted => {
                row.push(std::mem::take(&mut field));
                rows.push(std::mem::take(&mut row));
            }
            c => field.push(c),
        }
    }
    if !field.is_empty() || !row.is_empty() {
        row.push(field);
        rows.push(row);
    }
    rows
}

/// Tera's `containing` test, where a list also contains a section value
/// when its `relative_path` is the string asked for: Zola passes
/// `section.subsections` as paths (`"blog/_index.md"`), Attaché as values,
/// and Zola themes ask `subsections is containing("blog/_index.md")`.
fn containing(value: Option<&Value>, args: &[Value]) -> tera::Result<bool> {
    let needle = args.first().ok_or("the `containing` test needs one argument")?;
    Ok(match value {
        Some(Value::String(s)) => needle.as_str().is_some_and(|n| s.contains(n)),
        Some(Value::Array(items)) => items.iter().any(|item| {
            item == needle
                || needle.as_str().is_some_and(|n| item.get("relative_path").and_then(Value::as_str) == Some(n))
        }),
        Some(Value::Object(map)) => needle.as_str().is_some_and(|n| map.contains_key(n)),
        Some(_) => return Err("the `containing` test works on strings, arrays and objects".into()),
        None => return Err("the `containing` test was given an undefined value".into()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn csv_with_quotes() {
        let v = csv("a,b\n1,\"x, \"\"y\"\"\"\n");
        assert_eq!(v["headers"], serde_json::json!(["a", "b"]));
        assert_eq!(v["records"], serde_json::json!([["1", "x, \"y\""]]));
    }
}
