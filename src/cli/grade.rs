//! `kartskola grade EXERCISE_DIR ANSWER.json`: authors try keys, tests and tools grade answers.
//! The exercise is loaded with the content root's layers (the folder two levels up from the
//! exercise, or `--content-dir`), exactly as the server loads it.

use std::path::Path;
use std::process::ExitCode;

use crate::config::CommonArgs;
use crate::content;
use crate::grading;

pub(super) fn run(common: &CommonArgs, exercise_dir: &Path, answer: &Path) -> ExitCode {
    let Some(id) = exercise_dir.file_name().and_then(|n| n.to_str()) else {
        eprintln!(
            "error: {} is not an exercise folder",
            exercise_dir.display()
        );
        return ExitCode::FAILURE;
    };
    // exercises/<id> lives in a content root; default to that root unless one was given.
    let root = match &common.content_dir {
        Some(dir) => dir.clone(),
        None => exercise_dir
            .canonicalize()
            .ok()
            .and_then(|p| p.parent().and_then(Path::parent).map(Path::to_path_buf))
            .unwrap_or_else(|| ".".into()),
    };
    let exercise = match content::load_exercise(&root, id) {
        Ok(exercise) => exercise,
        Err(errors) => {
            eprintln!("{errors}");
            return ExitCode::FAILURE;
        }
    };
    let bytes = match std::fs::read(answer) {
        Ok(bytes) => bytes,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", answer.display());
            return ExitCode::FAILURE;
        }
    };
    match grading::grade(&exercise.grader, &bytes) {
        Ok(result) => match serde_json::to_string_pretty(&result) {
            Ok(json) => {
                print_out(&json);
                ExitCode::SUCCESS
            }
            Err(e) => {
                eprintln!("error: {e}");
                ExitCode::FAILURE
            }
        },
        Err(error) => {
            let body = serde_json::json!({ "error": {
                "code": error.code(),
                "message": error.message(grading::Lang::En),
                "detail": error.detail,
            }});
            print_out(&body.to_string());
            ExitCode::from(2)
        }
    }
}

/// Writes to stdout without panicking when the reader has gone (`kartskola grade … | head`).
fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "{text}");
}
