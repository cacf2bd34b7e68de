//! Build script: makes sure the npm dependencies are installed (so `cargo run` and `cargo test`
//! are the only commands a newcomer needs), then embeds the application's assets (our CSS and JS
//! from `static/css` and `static/js`, and the prebuilt OpenLayers and proj4 files) into the
//! binary under a content-hash version, so they are cached for a year and never go stale.

use std::collections::hash_map::DefaultHasher;
use std::fmt::Write as _;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::Command;

/// Prebuilt files from npm, served as `vendor/<name>`.
const VENDOR: &[(&str, &str)] = &[
    ("ol.js", "node_modules/ol/dist/ol.js"),
    ("ol.css", "node_modules/ol/ol.css"),
    ("proj4.js", "node_modules/proj4/dist/proj4.js"),
];

fn main() {
    let root =
        PathBuf::from(std::env::var("CARGO_MANIFEST_DIR").expect("cargo sets CARGO_MANIFEST_DIR"));
    println!("cargo:rerun-if-changed=package.json");
    println!("cargo:rerun-if-changed=package-lock.json");
    println!("cargo:rerun-if-changed=static/css");
    println!("cargo:rerun-if-changed=static/js");

    if VENDOR.iter().any(|(_, path)| !root.join(path).is_file()) {
        npm_ci(&root);
    }

    let mut files: Vec<(String, PathBuf)> = Vec::new();
    for dir in ["css", "js"] {
        for path in walk(&root.join("static").join(dir)) {
            let rel = path
                .strip_prefix(root.join("static"))
                .expect("walked under static/");
            files.push((rel.to_string_lossy().replace('\\', "/"), path));
        }
    }
    for (name, path) in VENDOR {
        println!("cargo:rerun-if-changed={path}");
        files.push((format!("vendor/{name}"), root.join(path)));
    }
    files.sort();

    let mut hasher = DefaultHasher::new();
    let mut table = String::from(
        "/// (path under the version, content type, bytes)\npub static ASSETS: &[(&str, &str, &[u8])] = &[\n",
    );
    for (name, path) in &files {
        let bytes = std::fs::read(path)
            .unwrap_or_else(|e| panic!("cannot read asset {}: {e}", path.display()));
        name.hash(&mut hasher);
        bytes.hash(&mut hasher);
        let _ = writeln!(
            table,
            "    ({name:?}, {:?}, include_bytes!({:?})),",
            content_type(name),
            path.display().to_string()
        );
    }
    table.push_str("];\n");
    let version = format!("{:012x}", hasher.finish() & 0xffff_ffff_ffff);
    let _ = writeln!(
        table,
        "/// Changes whenever any asset changes.\npub const ASSET_VERSION: &str = {version:?};"
    );
    let out =
        PathBuf::from(std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("assets.rs");
    std::fs::write(&out, table).expect("write assets.rs");
}

fn npm_ci(root: &Path) {
    let lock = root.join("package-lock.json");
    let args: &[&str] = if lock.is_file() {
        &["ci", "--no-audit", "--no-fund"]
    } else {
        &["install", "--no-audit", "--no-fund"]
    };
    let status = Command::new("npm").args(args).current_dir(root).status();
    match status {
        Ok(status) if status.success() => {}
        Ok(status) => panic!(
            "`npm {}` failed ({status}); Kartskola needs Node.js and npm to install its map library",
            args.join(" ")
        ),
        Err(e) => panic!("cannot run npm ({e}); install Node.js and npm, then build again"),
    }
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let Ok(read) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in read.flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            out.push(path);
        }
    }
    out
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("css") => "text/css; charset=utf-8",
        Some("js" | "mjs") => "text/javascript; charset=utf-8",
        Some("svg") => "image/svg+xml",
        Some("png") => "image/png",
        Some("woff2") => "font/woff2",
        _ => "application/octet-stream",
    }
}
