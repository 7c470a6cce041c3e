//! Zola's image functions: `get_image_metadata` and `resize_image` (ops
//! `scale`, `fit_width`, `fit_height`, `fit`, `fill`; formats `auto`, `jpg`,
//! `png`, `webp`, `gif`). Resized images are written under
//! `processed_images/` with a hash of the source and the operation in the
//! name, so the same call gives the same file and another call another one.
//! Paths are looked up as `load_data` does (site root, `content/`, `static/`)
//! and may not leave the site.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::io::Cursor;
use std::path::{Component, Path, PathBuf};
use std::sync::{Arc, Mutex, OnceLock};

use image::{DynamicImage, ImageFormat, imageops::FilterType};
use serde_json::json;
use tera::{Tera, Value};

use crate::cache::{Cache, Key};
use crate::config::Config;

/// The images `resize_image` made during a build: output path → bytes;
/// with the persistent cache, each encoded image is also kept there, so a
/// later build with the same source and operation does not encode it again.
#[derive(Debug, Clone, Default)]
pub struct Processed {
    made: Arc<Mutex<BTreeMap<String, Vec<u8>>>>,
    disk: Arc<OnceLock<Cache>>,
    /// Names of the cache entries this build used (the others are pruned).
    used: Arc<Mutex<HashSet<String>>>,
}

impl Processed {
    /// Everything made so far, leaving the registry empty.
    pub fn take(&self) -> BTreeMap<String, Vec<u8>> {
        std::mem::take(&mut *self.made.lock().unwrap_or_else(|e| e.into_inner()))
    }

    /// Keep encoded images in `cache` from now on (once per build).
    pub fn use_cache(&self, cache: Cache) {
        let _ = self.disk.set(cache);
    }

    /// Drop the cached images this build did not ask for, so the cache
    /// holds one site's images, not every size ever made. Call after a
    /// build that rendered every template.
    pub fn prune_cache(&self) {
        if let Some(cache) = self.disk.get() {
            let used = self.used.lock().unwrap_or_else(|e| e.into_inner());
            cache.prune(crate::cache::IMAGES, &used);
        }
    }

    fn has(&self, name: &str) -> bool {
        self.made.lock().unwrap_or_else(|e| e.into_inner()).contains_key(name)
    }

    fn put(&self, name: String, bytes: Vec<u8>) {
        self.made.lock().unwrap_or_else(|e| e.into_inner()).insert(name, bytes);
    }

    /// The encoded image under cache key `key`: from the cache when there,
    /// else made by `encode` and stored.
    fn encoded(&self, key: u64, encode: impl FnOnce() -> Result<Vec<u8>, String>) -> Result<Vec<u8>, String> {
        let Some(cache) = self.disk.get() else { return encode() };
        let name = format!("{key:016x}.bin");
        self.used.lock().unwrap_or_else(|e| e.into_inner()).insert(name.clone());
        let entry = format!("{}/{name}", crate::cache::IMAGES);
        if let Some(bytes) = cache.read::<Vec<u8>>(&entry) {
            return Ok(bytes);
        }
        let bytes = encode()?;
        cache.write(&entry, &bytes);
        Ok(bytes)
    }
}

/// Register both functions on `tera`.
pub fn register(tera: &mut Tera, config: &Config, root: &Path, processed: Processed) {
    let lookup = Lookup::new(config, root);
    let lookup2 = lookup.clone();
    tera.register_function("get_image_metadata", move |args: &HashMap<String, Value>| {
        super::templates::note_unkeyed();
        let path = args.get("path").and_then(Value::as_str).ok_or("get_image_metadata needs path=\"…\"")?;
        let allow_missing = args.get("allow_missing").and_then(Value::as_bool).unwrap_or(false);
        let Some(file) = lookup.find(path)? else {
            return if allow_missing {
                Ok(Value::Null)
            } else {
                Err(format!("get_image_metadata: no image `{path}` in the site, content/ or static/").into())
            };
        };
        metadata(&file).map_err(|e| format!("get_image_metadata: {path}: {e}").into())
    });
    let base_url = config.base_url.clone();
    let site = root.to_path_buf();
    tera.register_function("resize_image", move |args: &HashMap<String, Value>| {
        // Its image is written only when it runs: the output is rendered every build.
        super::templates::note_unkeyed();
        let path = args.get("path").and_then(Value::as_str).ok_or("resize_image needs path=\"…\"")?;
        let file = lookup2
            .find(path)?
            .ok_or_else(|| format!("resize_image: no image `{path}` in the site, content/ or static/"))?;
        let rel = crate::content::rel_to(&site, &file);
        resize(&file, &rel, args, &processed, &base_url).map_err(|e| format!("resize_image: {path}: {e}").into())
    });
}

/// Where `get_image_metadata` and `resize_image` look for a path.
#[derive(Debug, Clone)]
pub struct Lookup {
    root: PathBuf,
    base_path: String,
    /// The site's languages other than the default: `ca/blog/x.jpg` is also
    /// looked for as `blog/x.jpg`, where Zola finds the copy of a section's
    /// asset it has already written under `public/ca/blog/`.
    langs: Vec<String>,
    /// `themes/NAME/static`, searched last as Zola does.
    theme_static: Option<PathBuf>,
}

impl Lookup {
    pub fn new(config: &Config, root: &Path) -> Self {
        Lookup {
            root: root.to_path_buf(),
            base_path: config.base_path().to_string(),
            langs: config.languages.keys().filter(|l| **l != config.default_language).cloned().collect(),
            theme_static: (!config.theme.is_empty()).then(|| root.join("themes").join(&config.theme).join("static")),
        }
    }

    /// The file `path` names, looked up from the site root, then `content/`,
    /// then `static/`, then the theme's `static/`; an error for a path that
    /// would leave the site. A URL path of the site (`/base/blog/post/img.png`)
    /// is taken without the base path, and a translation's URL path
    /// (`/fr/blog/img.png`) as the page's own directory.
    pub fn find(&self, path: &str) -> tera::Result<Option<PathBuf>> {
        let root = self.root.as_path();
        let bp = self.base_path.as_str();
        let path_in_site = if bp.is_empty() { path } else { path.strip_prefix(bp).unwrap_or(path) };
        let rel = Path::new(path_in_site.trim_start_matches("@/").trim_start_matches('/'));
        if rel.components().any(|c| !matches!(c, Component::Normal(_) | Component::CurDir)) {
            return Err(format!("`{path}` is not a path inside the site").into());
        }
        let mut dirs = vec![root.to_path_buf(), root.join("content"), root.join("static")];
        dirs.extend(self.theme_static.clone());
        let in_dirs =
            |rel: &Path| dirs.iter().map(|d| d.join(rel)).find(|p| p.is_file() && crate::inside::within_site(root, p));
        if let Some(found) = in_dirs(rel) {
            return Ok(Some(found));
        }
        let unprefixed = self.langs.iter().find_map(|l| rel.strip_prefix(l).ok());
        Ok(unprefixed.and_then(|r| {
            let file = root.join("content").join(r);
            (file.is_file() && crate::inside::within_site(root, &file)).then_some(file)
        }))
    }
}

/// `{width, height, format, mime}` of a raster image or an SVG.
fn metadata(file: &Path) -> Result<Value, String> {
    let ext = file.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "svg" {
        let text = std::fs::read_to_string(file).map_err(|e| e.to_string())?;
        let (w, h) = svg_size(&text);
        return Ok(json!({"width": w, "height": h, "format": "svg", "mime": "image/svg+xml"}));
    }
    let (w, h) = image::image_dimensions(file).map_err(|e| e.to_string())?;
    let format = ImageFormat::from_path(file).map_err(|e| e.to_string())?;
    let name = format.extensions_str().first().copied().unwrap_or("");
    Ok(json!({"width": w, "height": h, "format": name, "mime": format.to_mime_type()}))
}

/// An SVG's size from its `width`/`height` attributes, else its `viewBox`.
fn svg_size(text: &str) -> (u32, u32) {
    let tag = text.find("<svg").map_or("", |i| &text[i..text[i..].find('>').map_or(text.len(), |j| i + j)]);
    let attr = |name: &str| -> Option<f64> {
        let at = tag.find(&format!(" {name}=\""))? + name.len() + 3;
        let value: String = tag[at..].chars().take_while(|c| c.is_ascii_digit() || *c == '.').collect();
        value.parse().ok()
    };
    let view_box = || -> Option<(f64, f64)> {
        let at = tag.find("viewBox=\"")? + 9;
        let nums: Vec<f64> = tag[at..].split('"').next()?.split([' ', ',']).filter_map(|n| n.parse().ok()).collect();
        Some((*nums.get(2)?, *nums.get(3)?))
    };
    match (attr("width"), attr("height"), view_box()) {
        (Some(w), Some(h), _) => (w as u32, h as u32),
        (_, _, Some((w, h))) => (w as u32, h as u32),
        _ => (0, 0),
    }
}

/// Resize as Zola's `resize_image` does, register the output, and return
/// `{url, static_path, width, height, orig_width, orig_height}`. The output
/// is named, as Zola names it, by the source's path and the operation (two
/// copies of one image in two bundles give two files); the cache keys the
/// encoded bytes by the source's bytes and the operation alone.
fn resize(
    file: &Path,
    rel: &Path,
    args: &HashMap<String, Value>,
    processed: &Processed,
    base_url: &str,
) -> Result<Value, String> {
    let op = args.get("op").and_then(Value::as_str).unwrap_or("fill");
    let width = args.get("width").and_then(Value::as_u64).map(|n| n as u32);
    let height = args.get("height").and_then(Value::as_u64).map(|n| n as u32);
    let quality = args.get("quality").and_then(Value::as_u64).unwrap_or(75).clamp(1, 100) as u8;
    let format_arg = args.get("format").and_then(Value::as_str).unwrap_or("auto");
    let source = std::fs::read(file).map_err(|e| e.to_string())?;
    let src_format = image::guess_format(&source).map_err(|e| e.to_string())?;
    let (ext, format) = match format_arg {
        "auto" => match src_format {
            ImageFormat::Jpeg => ("jpg", ImageFormat::Jpeg),
            ImageFormat::WebP => ("webp", ImageFormat::WebP),
            ImageFormat::Gif => ("gif", ImageFormat::Gif),
            _ => ("png", ImageFormat::Png),
        },
        "jpg" | "jpeg" => ("jpg", ImageFormat::Jpeg),
        "png" => ("png", ImageFormat::Png),
        "webp" => ("webp", ImageFormat::WebP),
        "gif" => ("gif", ImageFormat::Gif),
        other => return Err(format!("unknown format `{other}` (auto, jpg, png, webp or gif)")),
    };
    let (ow, oh) = image::image_dimensions(file).map_err(|e| e.to_string())?;
    let (tw, th) = target_size(op, width, height, ow, oh)?;
    let stem = file.file_stem().and_then(|s| s.to_str()).unwrap_or("image");
    let operation = format!("{op}|{width:?}|{height:?}|{ext}|{quality}");
    let mut key = rel.to_string_lossy().replace('\\', "/").into_bytes();
    key.push(0);
    key.extend_from_slice(&source);
    key.extend_from_slice(operation.as_bytes());
    let name = format!("{stem}.{:016x}.{ext}", crate::hash::fnv1a(&key));
    let out = format!("processed_images/{name}");
    if !processed.has(&out) {
        let cache_key = Key::new().add(source.as_slice()).add(&operation).finish();
        let bytes = processed.encoded(cache_key, || {
            let img = image::load_from_memory(&source).map_err(|e| e.to_string())?;
            encode(&apply(img, op, tw, th), format, quality)
        })?;
        processed.put(out.clone(), bytes);
    }
    Ok(json!({
        "url": format!("{base_url}/{out}"),
        "static_path": format!("static/{out}"),
        "width": tw, "height": th, "orig_width": ow, "orig_height": oh,
    }))
}

/// The output size of `op` for a `ow`×`oh` source.
fn target_size(op: &str, w: Option<u32>, h: Option<u32>, ow: u32, oh: u32) -> Result<(u32, u32), String> {
    let ratio = |a: u32, b: u32, c: u32| ((u64::from(a) * u64::from(b)) / u64::from(c.max(1))).max(1) as u32;
    let need = |v: Option<u32>, name: &str| v.filter(|n| *n > 0).ok_or(format!("`{op}` needs {name} above 0"));
    Ok(match op {
        "scale" | "fill" => (need(w, "width")?, need(h, "height")?),
        "fit_width" => {
            let w = need(w, "width")?.min(ow);
            (w, ratio(oh, w, ow))
        }
        "fit_height" => {
            let h = need(h, "height")?.min(oh);
            (ratio(ow, h, oh), h)
        }
        "fit" => {
            let (w, h) = (need(w, "width")?, need(h, "height")?);
            if ow <= w && oh <= h {
                (ow, oh)
            } else if u64::from(ow) * u64::from(h) > u64::from(oh) * u64::from(w) {
                (w, ratio(oh, w, ow))
            } else {
                (ratio(ow, h, oh), h)
            }
        }
        other => return Err(format!("unknown op `{other}` (scale, fit_width, fit_height, fit or fill)")),
    })
}

fn apply(img: DynamicImage, op: &str, w: u32, h: u32) -> DynamicImage {
    match op {
        "fill" => img.resize_to_fill(w, h, FilterType::Lanczos3),
        _ if (w, h) == (img.width(), img.height()) => img,
        _ => img.resize_exact(w, h, FilterType::Lanczos3),
    }
}

fn encode(img: &DynamicImage, format: ImageFormat, quality: u8) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::new());
    match format {
        ImageFormat::Jpeg => {
            let enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality);
            img.to_rgb8().write_with_encoder(enc).map_err(|e| e.to_string())?;
        }
        ImageFormat::WebP => img.to_rgba8().write_to(&mut out, format).map_err(|e| e.to_string())?,
        _ => img.write_to(&mut out, format).map_err(|e| e.to_string())?,
    }
    Ok(out.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_follow_zola_ops() {
        assert_eq!(target_size("fit_width", Some(100), None, 400, 200), Ok((100, 50)));
        assert_eq!(target_size("fit_height", None, Some(50), 400, 200), Ok((100, 50)));
        assert_eq!(target_size("fit", Some(100), Some(100), 400, 200), Ok((100, 50)));
        assert_eq!(target_size("fit", Some(800), Some(800), 400, 200), Ok((400, 200)));
        assert_eq!(target_size("fill", Some(30), Some(30), 400, 200), Ok((30, 30)));
        assert!(target_size("spin", Some(1), Some(1), 1, 1).is_err());
    }

    #[test]
    fn svg_sizes() {
        assert_eq!(svg_size(r#"<svg width="24" height="12">"#), (24, 12));
        assert_eq!(svg_size(r#"<svg viewBox="0 0 48 24">"#), (48, 24));
    }
}
