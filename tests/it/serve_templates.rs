//! Template edits in the dev server re-render only the outputs whose template
//! closure holds the edited file, and the result is what a full build makes.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use attache::incremental::{Engine, Update};
use attache::watch::{Batch, classify};

use crate::watch::{full_build, sample_copy};

/// One edit of the sequence: the file, its new text (`None`: delete it), and
/// how the rebuild must go.
struct Step {
    rel: &'static str,
    text: Option<String>,
    expect: Expect,
}

#[derive(Debug, PartialEq)]
enum Expect {
    /// Re-rendered by the template fast path, at most this many outputs.
    Fast(usize),
    /// Either way (an article edit).
    Any,
    /// A full build (a new or deleted template, a shortcode).
    Full,
    /// The build fails naming the file (and, when given, the line).
    Fails(Option<u64>),
}

fn rebuild(engine: &mut Engine, root: &Path, rel: &str, text: Option<&str>) -> Update {
    let path = root.join(rel);
    match text {
        Some(t) => {
            std::fs::create_dir_all(path.parent().expect("parent")).expect("dir");
            std::fs::write(&path, t).expect("write");
        }
        None => std::fs::remove_file(&path).expect("delete"),
    }
    let paths: BTreeSet<_> = [Path::new(rel).to_path_buf()].into_iter().collect();
    engine.rebuild(Some(&Batch { kind: classify(&paths), paths }))
}

fn same_as_full_build(engine: &Engine, opts: &attache::site::BuildOptions, what: &str) {
    let expected = full_build(opts).expect("the full build succeeds");
    let got: BTreeMap<String, Vec<u8>> = engine.files().iter().map(|(k, v)| (k.clone(), v.as_ref().clone())).collect();
    let missing: Vec<&String> = expected.keys().filter(|k| !got.contains_key(*k)).collect();
    let extra: Vec<&String> = got.keys().filter(|k| !expected.contains_key(*k)).collect();
    let differ: Vec<&String> =
        expected.iter().filter(|(k, v)| got.get(*k).is_some_and(|g| g != *v)).map(|(k, _)| k).collect();
    assert!(
        missing.is_empty() && extra.is_empty() && differ.is_empty(),
        "{what}: missing {missing:?}, extra {extra:?}, differ {differ:?}"
    );
}

/// Edits of `page.html`, `index.html`, a macro, an included partial, a feed
/// template, a shortcode, a new and a deleted template, a syntax error and a
/// render error (each then repaired): after each, the served files equal a
/// fresh full build byte for byte, and the edits that can take the fast
/// path do, re-rendering only their outputs.
#[test]
fn template_edits_rerender_their_closure_and_equal_a_full_build() {
    for plain_assets in [true, false] {
        let site = sample_copy();
        let root = site.path().to_path_buf();
        // Outputs that call `resize_image` always take a full build (the
        // images written follow from what is rendered): the sample's
        // articles drop their images here, and one takes it back at the end.
        let imaged = "content/europe/budapest-memorandum.md";
        let with_image = std::fs::read_to_string(root.join(imaged)).expect("article");
        for e in walkdir::WalkDir::new(root.join("content")).into_iter().filter_map(Result::ok) {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            if text.contains("\nimage = ") {
                std::fs::write(e.path(), text.replace("\nimage = ", "\nimage_off = ")).expect("write");
            }
        }
        let opts = attache::site::BuildOptions { root: root.clone(), plain_assets, ..Default::default() };
        let mut engine = Engine::new(opts.clone());
        assert!(engine.rebuild(None).failure.is_none(), "first build");
        let pages = engine.files().keys().filter(|k| k.ends_with(".html")).count();
        let theme = root.join("themes/default/templates");
        let read = |name: &str| std::fs::read_to_string(theme.join(name)).expect("template");
        let (page, index, macros, base) =
            (read("page.html"), read("index.html"), read("macros.html"), read("base.html"));
        let term = read("shortcodes/term.html");
        let page_with = |s: &str| page.replacen("{% endblock head %}", &format!("{s}{{% endblock head %}}"), 1);
        let steps = vec![
            Step {
                rel: "themes/default/templates/index.html",
                text: Some(index.replacen("{% block content %}", "{% block content %}<p>Home edit</p>", 1)),
                expect: Expect::Fast(4),
            },
            Step {
                rel: "themes/default/templates/page.html",
                text: Some(page_with("<meta name=\"edit\" content=\"1\">")),
                expect: Expect::Fast(pages / 4),
            },
            Step {
                rel: "themes/default/templates/macros.html",
                text: Some(macros.replacen("{% macro date(d, lang) -%}", "{% macro date(d, lang) -%}<!-- m -->", 1)),
                expect: Expect::Fast(pages),
            },
            // A partial the site adds (new: a full build), included by page.html.
            Step { rel: "templates/partials/note.html", text: Some("<p>note one</p>".into()), expect: Expect::Full },
            Step {
                rel: "themes/default/templates/page.html",
                text: Some(page_with("{% include \"partials/note.html\" %}")),
                expect: Expect::Fast(pages / 4),
            },
            Step {
                rel: "templates/partials/note.html",
                text: Some("<p>note {{ page.title }}</p>".into()),
                expect: Expect::Fast(pages / 4),
            },
            // A syntax error names the file and line; the last good site stays.
            Step {
                rel: "templates/partials/note.html",
                text: Some("<p>note</p>\n{% if %}\n".into()),
                expect: Expect::Fails(Some(2)),
            },
            Step {
                rel: "templates/partials/note.html",
                text: Some("<p>note two</p>".into()),
                expect: Expect::Fast(pages),
            },
            // A render error (a filter that does not exist) fails the same way.
            Step {
                rel: "themes/default/templates/index.html",
                text: Some(index.replacen("{% block content %}", "{% block content %}{{ 1 | no_such_filter }}", 1)),
                expect: Expect::Fails(None),
            },
            Step { rel: "themes/default/templates/index.html", text: Some(index.clone()), expect: Expect::Fast(4) },
            // The site's own feed template: new, then edited.
            Step {
                rel: "templates/atom.xml",
                text: Some("<feed>{% for p in pages %}<entry>{{ p.title }}</entry>{% endfor %}</feed>".into()),
                expect: Expect::Full,
            },
            Step {
                rel: "templates/atom.xml",
                text: Some("<feed>{% for p in pages %}<e>{{ p.title }}</e>{% endfor %}</feed>".into()),
                expect: Expect::Fast(pages / 2),
            },
            Step { rel: "templates/atom.xml", text: None, expect: Expect::Full },
            // A shortcode changes Markdown: a full build.
            Step {
                rel: "themes/default/templates/shortcodes/term.html",
                text: Some(format!("{term}<!-- t -->")),
                expect: Expect::Full,
            },
            Step { rel: "themes/default/templates/page.html", text: Some(page.clone()), expect: Expect::Fast(pages) },
            Step { rel: "templates/partials/note.html", text: None, expect: Expect::Full },
            Step {
                rel: "themes/default/templates/base.html",
                text: Some(base.replacen("</body>", "<!-- b --></body>", 1)),
                expect: Expect::Fast(pages),
            },
            Step { rel: imaged, text: Some(with_image), expect: Expect::Any },
            Step {
                rel: "themes/default/templates/page.html",
                text: Some(page_with("<!-- image -->")),
                expect: Expect::Full,
            },
        ];
        for (n, step) in steps.iter().enumerate() {
            let what = format!("step {n} ({}, plain_assets {plain_assets})", step.rel);
            let update = rebuild(&mut engine, &root, step.rel, step.text.as_deref());
            match step.expect {
                Expect::Fails(line) => {
                    let json = update.failure.as_ref().map(|f| f.to_json()).unwrap_or_default();
                    let named = json.as_array().is_some_and(|l| {
                        l.iter().any(|e| e["file"] == step.rel && line.is_none_or(|n| e["line"].as_u64() == Some(n)))
                    });
                    assert!(named, "{what}: the failure names the file: {json}");
                    assert!(full_build(&opts).is_none(), "{what}: a full build fails too");
                    continue;
                }
                Expect::Full => assert_eq!(update.rerendered, 0, "{what}: a full build"),
                Expect::Any => {}
                Expect::Fast(most) => {
                    assert!(update.failure.is_none(), "{what}: {:?}", update.failure.map(|f| f.to_json()));
                    assert!(
                        update.rerendered > 0 && update.rerendered <= most,
                        "{what}: {} outputs re-rendered, expected the fast path with at most {most}",
                        update.rerendered
                    );
                }
            }
            assert!(update.failure.is_none(), "{what}: {:?}", update.failure.map(|f| f.to_json()));
            same_as_full_build(&engine, &opts, &what);
        }
        // `sed -i` writes a temporary file beside the template and renames it
        // over it: the batch names both, and the fast path still applies.
        let not_found = read("404.html").replacen("{% block content %}", "{% block content %}<p>sed</p>", 1);
        std::fs::write(theme.join("404.html"), not_found).expect("write");
        let paths: BTreeSet<_> = ["themes/default/templates/404.html", "themes/default/templates/sedX1b2c3"]
            .into_iter()
            .map(std::path::PathBuf::from)
            .collect();
        let update = engine.rebuild(Some(&Batch { kind: classify(&paths), paths }));
        assert!((1..=4).contains(&update.rerendered), "a renamed temporary file: {}", update.rerendered);
        same_as_full_build(&engine, &opts, "after sed -i");
    }
}
