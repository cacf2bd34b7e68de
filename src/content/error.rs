//! Content errors are collected, not thrown: an author with five mistakes sees all five at once,
//! each with the file (and line, where the format gives one) it is in.

use std::fmt;
use std::path::{Path, PathBuf};

/// One problem in one content file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ContentError {
    pub path: PathBuf,
    pub line: Option<usize>,
    pub message: String,
}

impl fmt::Display for ContentError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.line {
            Some(line) => write!(f, "{}:{line}: {}", self.path.display(), self.message),
            None => write!(f, "{}: {}", self.path.display(), self.message),
        }
    }
}

/// Every problem found while loading, in the order found.
#[derive(Debug, Default)]
pub struct ContentErrors {
    errors: Vec<ContentError>,
    root: PathBuf,
}

impl ContentErrors {
    pub(crate) fn new(root: &Path) -> Self {
        Self {
            errors: Vec::new(),
            root: root.to_path_buf(),
        }
    }

    /// Records a problem; paths are shown relative to the content root.
    pub(crate) fn push(&mut self, path: &Path, line: Option<usize>, message: impl Into<String>) {
        let path = path.strip_prefix(&self.root).unwrap_or(path).to_path_buf();
        self.errors.push(ContentError {
            path,
            line,
            message: message.into(),
        });
    }

    pub fn is_empty(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn len(&self) -> usize {
        self.errors.len()
    }

    pub fn iter(&self) -> impl Iterator<Item = &ContentError> {
        self.errors.iter()
    }
}

impl fmt::Display for ContentErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for error in &self.errors {
            writeln!(f, "{error}")?;
        }
        let n = self.errors.len();
        write!(f, "{n} content error{}", if n == 1 { "" } else { "s" })
    }
}

impl std::error::Error for ContentErrors {}

/// The 1-based line of a byte offset, for errors that carry a span.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    text.get(..offset)
        .map_or(1, |before| before.matches('\n').count() + 1)
}
