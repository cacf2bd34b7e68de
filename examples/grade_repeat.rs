//! Grades one answer from `benches/inputs/` a given number of times, for instruction counts that
//! do not move with the machine's load (timings on a shared VM vary by a third between runs;
//! callgrind's counts repeat exactly). Compare two builds by instructions per grade:
//!
//! ```text
//! cargo build --release --example grade_repeat
//! valgrind --tool=callgrind --callgrind-out-file=/tmp/cg.%p \
//!     target/release/examples/grade_repeat polygon_a polygon_a_traced 50
//! ```
//! and the same with `0` grades; (Ir₅₀ − Ir₀) / 50 is one whole grade (parse, validate, project,
//! measure, build the result). A key that is a LineString is graded as `draw_line` with the
//! metric given as a fourth argument (`hausdorff` when absent).

use std::collections::HashMap;
use std::process::ExitCode;

use kartskola::grading::{Exercise, Layer, grade};
use serde_json::{Value, json};

/// The server's allocator, as in the grading benchmark.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn input(name: &str) -> Result<Value, String> {
    let path = format!("{}/benches/inputs/{name}.json", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).map_err(|e| format!("{path}: {e}"))?;
    serde_json::from_str(&text).map_err(|e| format!("{path}: {e}"))
}

fn run(args: &[String]) -> Result<(), String> {
    let [key, answer, count, rest @ ..] = args else {
        return Err("usage: grade_repeat KEY ANSWER COUNT [METRIC]".to_owned());
    };
    let count: usize = count.parse().map_err(|e| format!("COUNT: {e}"))?;
    let key = input(key)?;
    let (kind, grading) = if key["type"] == "LineString" {
        let metric = rest.first().map_or("hausdorff", String::as_str);
        (
            "draw_line",
            json!({"full_within_m": 200, "zero_beyond_m": 2000, "metric": metric}),
        )
    } else {
        ("draw_polygon", json!({}))
    };
    let none: HashMap<String, Layer> = HashMap::new();
    let exercise = Exercise::build(
        "repeat",
        kind,
        grading,
        vec![],
        vec![],
        Some(&key.to_string()),
        [10.0, 55.0, 25.0, 69.5],
        &none,
    )
    .map_err(|e| format!("{e:?}"))?;
    let body =
        serde_json::to_vec(&json!({"geometry": input(answer)?})).map_err(|e| e.to_string())?;
    let mut score = 0.0;
    for _ in 0..count {
        score = grade(&exercise, std::hint::black_box(&body))
            .map_err(|e| e.to_string())?
            .score;
    }
    println!("{count} grades, score {score}");
    Ok(())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("{e}");
            ExitCode::FAILURE
        }
    }
}
