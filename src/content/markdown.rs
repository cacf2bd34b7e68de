//! Lesson Markdown: split at inline exercise lines, rendered to HTML once at load time.
//! Raw HTML is never passed through: `check` reports it, and rendering escapes it as text.

use pulldown_cmark::{CowStr, Event, Options, Parser, Tag, html};

/// A piece of a lesson body, in reading order.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Block {
    /// Rendered, safe HTML.
    Html(String),
    /// `{{ exercise <id> }}` on a line of its own.
    Exercise(String),
}

/// A problem in lesson Markdown, with its 1-based line within the body.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MarkdownProblem {
    pub line: usize,
    pub message: String,
}

fn options() -> Options {
    Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH | Options::ENABLE_FOOTNOTES
}

/// Splits the body at inline exercise lines and renders each part.
pub fn render(body: &str) -> (Vec<Block>, Vec<MarkdownProblem>) {
    let mut blocks = Vec::new();
    let mut problems = Vec::new();
    let mut chunk = String::new();
    let mut chunk_first_line = 1;
    for (index, line) in body.lines().enumerate() {
        let line_no = index + 1;
        if let Some(id) = inline_exercise(line) {
            flush(&mut chunk, chunk_first_line, &mut blocks, &mut problems);
            blocks.push(Block::Exercise(id.to_owned()));
            chunk_first_line = line_no + 1;
        } else if line.trim_start().starts_with("{{") {
            problems.push(MarkdownProblem {
                line: line_no,
                message: format!(
                    "'{}' is not an inline exercise; write {{{{ exercise <id> }}}} alone on its line",
                    line.trim()
                ),
            });
            chunk.push_str(line);
            chunk.push('\n');
        } else {
            chunk.push_str(line);
            chunk.push('\n');
        }
    }
    flush(&mut chunk, chunk_first_line, &mut blocks, &mut problems);
    (blocks, problems)
}

/// `{{ exercise m1-place-lulea }}` → `m1-place-lulea`.
fn inline_exercise(line: &str) -> Option<&str> {
    let inner = line.trim().strip_prefix("{{")?.strip_suffix("}}")?.trim();
    let id = inner.strip_prefix("exercise")?;
    id.starts_with(char::is_whitespace)
        .then(|| id.trim())
        .filter(|id| !id.is_empty() && !id.contains(char::is_whitespace))
}

fn flush(
    chunk: &mut String,
    first_line: usize,
    blocks: &mut Vec<Block>,
    problems: &mut Vec<MarkdownProblem>,
) {
    if chunk.trim().is_empty() {
        chunk.clear();
        return;
    }
    let mut html_out = String::new();
    let parser = Parser::new_ext(chunk, options()).into_offset_iter();
    let line_at =
        |offset: usize| first_line + chunk.get(..offset).map_or(0, |s| s.matches('\n').count());
    let mut events = Vec::new();
    for (event, range) in parser {
        match event {
            Event::Html(raw) | Event::InlineHtml(raw) => {
                problems.push(MarkdownProblem {
                    line: line_at(range.start),
                    message: format!(
                        "raw HTML is not allowed in lessons: '{}'; use Markdown instead",
                        raw.trim()
                    ),
                });
                events.push(Event::Text(raw));
            }
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                let safe = safe_url(&dest_url);
                if !safe {
                    problems.push(MarkdownProblem {
                        line: line_at(range.start),
                        message: format!("link to '{dest_url}' is not allowed; use http(s), mailto or a relative link"),
                    });
                }
                let dest_url = if safe {
                    dest_url
                } else {
                    CowStr::Borrowed("#")
                };
                events.push(Event::Start(Tag::Link {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            Event::Start(Tag::Image {
                link_type,
                dest_url,
                title,
                id,
            }) => {
                // Images from elsewhere would load from the internet; only relative paths.
                let relative = !dest_url.contains(':') && !dest_url.starts_with("//");
                if !relative {
                    problems.push(MarkdownProblem {
                        line: line_at(range.start),
                        message: format!("image '{dest_url}' must be a relative path; nothing is loaded from the internet"),
                    });
                }
                let dest_url = if relative {
                    dest_url
                } else {
                    CowStr::Borrowed("")
                };
                events.push(Event::Start(Tag::Image {
                    link_type,
                    dest_url,
                    title,
                    id,
                }));
            }
            other => events.push(other),
        }
    }
    html::push_html(&mut html_out, events.into_iter());
    blocks.push(Block::Html(html_out));
    chunk.clear();
}

fn safe_url(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    match lower.find(':') {
        None => true,
        Some(colon) => {
            // A colon after a path separator or query is part of a relative link.
            if lower[..colon].contains(['/', '?', '#']) {
                return true;
            }
            matches!(&lower[..colon], "http" | "https" | "mailto")
        }
    }
}

/// The plain text of a short Markdown snippet (titles, prompts in lists).
pub fn render_inline(text: &str) -> String {
    let (blocks, _) = render(text);
    blocks
        .into_iter()
        .filter_map(|b| match b {
            Block::Html(html) => Some(html),
            Block::Exercise(_) => None,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn html(blocks: &[Block]) -> String {
        blocks
            .iter()
            .map(|b| match b {
                Block::Html(h) => h.clone(),
                Block::Exercise(id) => format!("[{id}]"),
            })
            .collect()
    }

    #[test]
    fn markdown_becomes_html() {
        let (blocks, problems) = render("# Rubrik\n\nEn *karta*.\n");
        assert!(problems.is_empty());
        assert_eq!(
            html(&blocks),
            "<h1>Rubrik</h1>\n<p>En <em>karta</em>.</p>\n"
        );
    }

    #[test]
    fn raw_html_is_reported_and_escaped() {
        let (blocks, problems) = render("Hej\n\n<script>alert(1)</script>\n\nText <b>fet</b>\n");
        assert_eq!(problems.len(), 3, "{problems:?}");
        assert_eq!(problems[0].line, 3);
        let out = html(&blocks);
        assert!(!out.contains("<script>") && !out.contains("<b>"), "{out}");
        assert!(out.contains("&lt;script&gt;"), "{out}");
    }

    #[test]
    fn inline_exercises_split_the_body() {
        let (blocks, problems) = render("Före\n\n{{ exercise m1-a }}\n\nEfter\n");
        assert!(problems.is_empty());
        assert_eq!(blocks.len(), 3);
        assert_eq!(blocks[1], Block::Exercise("m1-a".into()));
    }

    #[test]
    fn malformed_inline_exercise_is_reported_with_its_line() {
        let (_, problems) = render("a\n{{ exercis m1 }}\n");
        assert_eq!(problems.len(), 1);
        assert_eq!(problems[0].line, 2);
    }

    #[test]
    fn javascript_links_are_refused() {
        let (blocks, problems) =
            render("[x](javascript:alert(1)) [y](https://lantmateriet.se) [z](../a)\n");
        assert_eq!(problems.len(), 1);
        let out = html(&blocks);
        assert!(!out.contains("javascript"), "{out}");
        assert!(out.contains("https://lantmateriet.se"));
    }
}
