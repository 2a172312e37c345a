//! The subcommands of the `weft` command-line tool and what they share.

pub mod calculator;
pub mod component;
pub mod inspect;
pub mod link;
pub mod link_cmd;
pub mod run_cmd;
pub mod values;
pub mod wast_cmd;
pub mod wave;

use std::fmt;

/// Why a subcommand failed: a one-line message and, for traps, the Wasm backtrace.
///
/// `main` prints it as `error: MESSAGE` followed by the backtrace, on standard error.
#[derive(Debug)]
pub struct Failure {
    /// What went wrong, on one line.
    pub message: String,
    /// The trap's backtrace, already formatted one frame per line.
    pub backtrace: Option<String>,
}

impl Failure {
    /// A failure with just a message.
    pub fn new(message: impl Into<String>) -> Failure {
        Failure {
            message: one_line(&message.into()),
            backtrace: None,
        }
    }

    /// A failure from an error of the interpreter, keeping the backtrace of a trap.
    pub fn from_error(err: &weft::Error) -> Failure {
        Failure {
            message: one_line(&err.to_string()),
            backtrace: err.as_trap().map(format_backtrace),
        }
    }

    /// The same failure with `prefix: ` before its message.
    pub fn context(mut self, prefix: impl fmt::Display) -> Failure {
        self.message = format!("{prefix}: {}", self.message);
        self
    }
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

/// Joins the non-empty lines of `text`, trimmed, with single spaces, so every error the
/// tool prints takes exactly one line. The source snippets that text-format errors draw
/// under their `--> FILE:LINE:COL` line (`  |`, `3 | code`, `  |   ^`) are left out.
pub fn one_line(text: &str) -> String {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !is_snippet_line(l))
        .collect::<Vec<_>>()
        .join(" ")
}

/// Whether a trimmed line is part of a source snippet: `| ...` or `12 | ...`.
fn is_snippet_line(line: &str) -> bool {
    let rest = line.trim_start_matches(|c: char| c.is_ascii_digit());
    rest == "|" || rest.starts_with("| ") || (rest.len() < line.len() && rest.starts_with(" |"))
}

/// How many frames at each end of a long backtrace are printed.
const BACKTRACE_EDGE: usize = 10;

/// Formats a trap's backtrace like [`weft::Trap::backtrace_string`] (`  N: name`, innermost
/// first), but leaves out the middle of very deep ones (a runaway recursion has
/// 100 000 frames), saying how many frames were skipped.
pub fn format_backtrace(trap: &weft::Trap) -> String {
    let frames = trap.backtrace();
    if frames.len() <= 2 * BACKTRACE_EDGE + 1 {
        return trap.backtrace_string();
    }
    let mut out = String::new();
    for (i, frame) in frames.iter().enumerate().take(BACKTRACE_EDGE) {
        out.push_str(&format!("  {i}: {frame}\n"));
    }
    let skipped = frames.len() - 2 * BACKTRACE_EDGE;
    out.push_str(&format!("  ... {skipped} frames omitted ...\n"));
    let tail = frames.len() - BACKTRACE_EDGE;
    for (i, frame) in frames.iter().enumerate().skip(tail) {
        out.push_str(&format!("  {i}: {frame}\n"));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_line_joins_lines() {
        assert_eq!(one_line("a\n\n  b  \nc"), "a b c");
        assert_eq!(one_line("single"), "single");
        assert_eq!(one_line("a | b"), "a | b");
    }

    #[test]
    fn one_line_drops_source_snippets() {
        let wat_error = "expected a i32\n     --> s.wat:3:14\n      |\n    3 |     i32.const)\n      |              ^";
        assert_eq!(one_line(wat_error), "expected a i32 --> s.wat:3:14");
    }
}
