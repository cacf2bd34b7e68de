//! Reading content files: text, TOML with line numbers in its errors, and sorted folder listings.

use std::path::{Path, PathBuf};

use serde::de::DeserializeOwned;

use super::error::{ContentErrors, line_of};

pub(super) fn read_text(path: &Path, errors: &mut ContentErrors) -> Option<String> {
    match std::fs::read(path) {
        Ok(bytes) => match String::from_utf8(bytes) {
            Ok(text) => Some(text),
            Err(_) => {
                errors.push(path, None, "is not UTF-8 text");
                None
            }
        },
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            errors.push(path, None, "is missing");
            None
        }
        Err(e) => {
            errors.push(path, None, format!("cannot be read: {e}"));
            None
        }
    }
}

/// Parses TOML into `T`; a failure is recorded with its line, and `None` returned.
pub(super) fn toml_from<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    errors: &mut ContentErrors,
) -> Option<T> {
    toml_with_offset(path, text, 0, errors)
}

/// As [`toml_from`], for TOML that starts `line_offset` lines into its file (front matter).
pub(super) fn toml_with_offset<T: DeserializeOwned>(
    path: &Path,
    text: &str,
    line_offset: usize,
    errors: &mut ContentErrors,
) -> Option<T> {
    match toml::from_str::<T>(text) {
        Ok(value) => Some(value),
        Err(e) => {
            let line = e.span().map(|span| line_of(text, span.start) + line_offset);
            errors.push(path, line, e.message().trim().to_owned());
            None
        }
    }
}

/// Entries of a folder, sorted by name; `dirs` picks folders or files.
pub(super) fn entries(dir: &Path, dirs: bool, errors: &mut ContentErrors) -> Vec<PathBuf> {
    let read = match std::fs::read_dir(dir) {
        Ok(read) => read,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Vec::new(),
        Err(e) => {
            errors.push(dir, None, format!("cannot be listed: {e}"));
            return Vec::new();
        }
    };
    let mut out: Vec<PathBuf> = read
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir() == dirs)
        .filter(|path| {
            !path
                .file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('.'))
        })
        .collect();
    out.sort();
    out
}

/// `03-coordinates` → (3, "coordinates"); names without an `NN-` prefix give `None`.
pub(super) fn ordered_name(name: &str) -> Option<(u32, &str)> {
    let (number, slug) = name.split_once('-')?;
    if number.is_empty() || !number.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    Some((number.parse().ok()?, slug))
}

pub(super) fn file_name(path: &Path) -> &str {
    path.file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
}
