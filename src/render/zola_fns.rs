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
    tera.register_filter("base64_encode", base64_encode);
    tera.register_filter("base64_decode", base64_decode);
    let site = root.to_path_buf();
    let theme = config.theme.clone();
    tera.register_function("load_data", move |args: &HashMap<String, Value>| load_data(&site, &theme, args));
    let (site, theme, idx) = (root.to_path_buf(), config.theme.clone(), index.clone());
    tera.register_function("get_hash", move |args: &HashMap<String, Value>| get_hash(&idx, &site, &theme, args));

    let rule = config.slugify.taxonomies;
    let (base_url, tax_slugs) = (
        config.base_url.clone(),
        config.taxonomies.keys().map(|k| (k.clone(), crate::slug::path(k, rule))).collect::<HashMap<_, _>>(),
    );
    let index_for_url = index.clone();
    let default_lang = config.default_language.clone();
    tera.register_function("get_taxonomy_url", move |args: &HashMap<String, Value>| {
        let index = &index_for_url;
        let kind = args.get("kind").and_then(Value::as_str).ok_or("get_taxonomy_url needs kind=\"…\"")?;
        let name = args.get("name").and_then(Value::as_str).ok_or("get_taxonomy_url needs name=\"…\"")?;
        let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
        let lang = args.get("lang").and_then(Value::as_str).filter(|l| *l != default_lang);
        let key = super::templates::taxonomy_key(kind, lang, &default_lang);
        // The term's own permalink when the site index has it (its slug may differ).
        if let Some(ix) = index.snapshot_taxonomy(&key)
            && let Some(url) = ix["terms"].as_array().and_then(|terms| {
                terms.iter().find(|t| t["name"].as_str() == Some(name)).and_then(|t| t["permalink"].as_str())
            })
        {
            return Ok(Value::String(url.to_string()));
        }
        let lang_prefix = lang.map(|l| format!("/{l}")).unwrap_or_default();
        match tax_slugs.get(kind) {
            Some(slug) => {
                Ok(Value::String(format!("{base_url}{lang_prefix}/{slug}/{}/", crate::slug::path(name, rule))))
            }
            None if !required => Ok(Value::Null),
            None => Err(format!("get_taxonomy_url: no taxonomy `{kind}` in config.toml").into()),
        }
    });

    let idx = index.clone();
    let default_lang = config.default_language.clone();
    tera.register_function("get_taxonomy_term", move |args: &HashMap<String, Value>| {
        let kind = args.get("kind").and_then(Value::as_str).ok_or("get_taxonomy_term needs kind=\"…\"")?;
        let term = args.get("term").and_then(Value::as_str).ok_or("get_taxonomy_term needs term=\"…\"")?;
        let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
        let key = super::templates::taxonomy_key(kind, args.get("lang").and_then(Value::as_str), &default_lang);
        match idx.taxonomy_term(&key, term) {
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
    let theme_words = theme_translations(root, &config.theme);
    let words = Words::new(&translations, &theme_words, &default_lang);
    tera.register_function("trans", move |args: &HashMap<String, Value>| {
        let key = args.get("key").and_then(Value::as_str).ok_or("trans needs key=\"…\"")?;
        let lang = args.get("lang").and_then(Value::as_str).unwrap_or(&default_lang);
        words.get(lang, key).cloned().ok_or_else(|| {
            format!("trans: no translation `{key}` for language `{lang}`, nor for `{default_lang}`").into()
        })
    });
}

/// What `trans` answers, merged once per build: a theme calls it a dozen
/// times per page, and looking through five tables each time was most of
/// its cost. For each language: the site's words in that language, then in
/// the default language, then the theme's (`theme.toml`) in either, then
/// the theme's English: a half-translated interface beats a failed build,
/// and a site that sets no translations still gets its theme's interface.
struct Words {
    /// Language → key → the word, for every language some table names.
    by_lang: rustc_hash::FxHashMap<String, rustc_hash::FxHashMap<String, Value>>,
    /// The same for any other language (the default's and the theme's English).
    other: rustc_hash::FxHashMap<String, Value>,
}

impl Words {
    fn new(site: &HashMap<String, toml::Table>, theme: &HashMap<String, toml::Table>, default: &str) -> Self {
        let merged = |lang: Option<&str>| {
            let tables = [
                lang.and_then(|l| site.get(l)),
                site.get(default),
                lang.and_then(|l| theme.get(l)),
                theme.get(default),
                theme.get("en"),
            ];
            let mut words = rustc_hash::FxHashMap::default();
            for table in tables.into_iter().flatten() {
                for (k, v) in table {
                    words.entry(k.clone()).or_insert_with(|| toml_to_json(v));
                }
            }
            words
        };
        let by_lang = site.keys().chain(theme.keys()).map(|l| (l.clone(), merged(Some(l)))).collect();
        Words { by_lang, other: merged(None) }
    }

    fn get(&self, lang: &str, key: &str) -> Option<&Value> {
        self.by_lang.get(lang).unwrap_or(&self.other).get(key)
    }
}

/// The interface strings a theme ships, per language: `[translations.LANG]`
/// of its `theme.toml` (as Hugo themes ship `i18n/LANG.toml`; Zola themes
/// have none, so nothing changes for them). Unreadable files give none.
fn theme_translations(root: &Path, theme: &str) -> HashMap<String, toml::Table> {
    if theme.is_empty() {
        return HashMap::new();
    }
    let Ok(text) = std::fs::read_to_string(root.join("themes").join(theme).join("theme.toml")) else {
        return HashMap::new();
    };
    let Ok(table) = text.parse::<toml::Table>() else { return HashMap::new() };
    match table.get("translations") {
        Some(toml::Value::Table(langs)) => {
            langs.iter().filter_map(|(lang, words)| Some((lang.clone(), words.as_table()?.clone()))).collect()
        }
        _ => HashMap::new(),
    }
}

/// `load_data(path=…, format=…, required=…)`: a file of the site (looked up
/// from the site root, then `content/`, then `static/`, then the theme's
/// `static/`, where Zola themes keep the icons they inline), parsed by its
/// format: TOML, JSON, YAML and CSV become data, anything else text. A path
/// may not leave the site; `required=false` makes a missing file `null`.
fn load_data(root: &Path, theme: &str, args: &HashMap<String, Value>) -> tera::Result<Value> {
    if args.contains_key("url") {
        return Err("load_data: `url` is not supported (builds do not use the network); use a local `path`".into());
    }
    let path = args.get("path").and_then(Value::as_str).ok_or("load_data needs path=\"…\"")?;
    let required = args.get("required").and_then(Value::as_bool).unwrap_or(true);
    let found = find_file(root, theme, path).map_err(|e| format!("load_data: {e}"))?;
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

/// The file a template function's `path` names: looked up from the site
/// root, then `content/`, then `static/`, then the theme's `static/` (where
/// Zola themes keep the icons and scripts they inline or hash). A path that
/// would leave the site is an error; one that names no file is `None`.
pub fn find_file(root: &Path, theme: &str, path: &str) -> Result<Option<PathBuf>, String> {
    let rel = Path::new(path.trim_start_matches("@/").trim_start_matches('/'));
    if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
        return Err(format!("`{path}` is not a path inside the site"));
    }
    let theme_static = if theme.is_empty() { None } else { Some(root.join("themes").join(theme).join("static")) };
    Ok(["", "content", "static"]
        .iter()
        .map(|dir| root.join(dir))
        .chain(theme_static)
        .map(|dir| dir.join(rel))
        .find(|p| p.is_file() && crate::inside::within_site(root, p)))
}

/// Zola's `get_hash(path=… | literal=…, sha_type=256|384|512, base64=true)`:
/// the SHA-2 digest of a file or a string, Base64 (for `integrity="sha384-…"`)
/// or hex.
fn get_hash(index: &SharedIndex, root: &Path, theme: &str, args: &HashMap<String, Value>) -> tera::Result<Value> {
    use sha2::Digest as _;
    let path = args.get("path").and_then(Value::as_str);
    let literal = args.get("literal").and_then(Value::as_str);
    let bytes = match (path, literal) {
        (Some(path), None) => {
            index.site_file(root, theme, path).map_err(|e| format!("get_hash: {e}"))?.ok_or_else(|| {
                format!("get_hash: no file `{path}` in the site, content/, static/ or the theme's static/")
            })?
        }
        (None, Some(text)) => text.as_bytes().to_vec(),
        _ => return Err("get_hash needs one of path=\"…\" or literal=\"…\"".into()),
    };
    let digest: Vec<u8> = match args.get("sha_type").and_then(Value::as_u64).unwrap_or(384) {
        256 => sha2::Sha256::digest(&bytes).to_vec(),
        384 => sha2::Sha384::digest(&bytes).to_vec(),
        512 => sha2::Sha512::digest(&bytes).to_vec(),
        other => return Err(format!("get_hash: sha_type must be 256, 384 or 512, not {other}").into()),
    };
    Ok(Value::String(if args.get("base64").and_then(Value::as_bool).unwrap_or(true) {
        use base64::Engine as _;
        base64::engine::general_purpose::STANDARD.encode(digest)
    } else {
        digest.iter().map(|b| format!("{b:02x}")).collect()
    }))
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

/// Zola's `base64_encode` filter: a string's UTF-8 bytes in standard Base64
/// (themes use it to keep e-mail addresses away from scrapers).
fn base64_encode(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    use base64::Engine as _;
    let text = tera::try_get_value!("base64_encode", "value", String, value);
    Ok(Value::String(base64::engine::general_purpose::STANDARD.encode(text)))
}

/// Zola's `base64_decode` filter; the decoded bytes must be UTF-8 text.
fn base64_decode(value: &Value, _: &HashMap<String, Value>) -> tera::Result<Value> {
    use base64::Engine as _;
    let text = tera::try_get_value!("base64_decode", "value", String, value);
    let bytes = base64::engine::general_purpose::STANDARD
        .decode(text.trim())
        .map_err(|e| format!("base64_decode: `{text}` is not Base64: {e}"))?;
    String::from_utf8(bytes)
        .map(Value::String)
        .map_err(|_| "base64_decode: the decoded bytes are not UTF-8 text".into())
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
