//! `hushgate scan`: find sensitive values in files or stdin.

use std::collections::BTreeMap;
use std::io::{self, BufRead, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, ValueEnum};
use hushgate_detect::text::byte_to_char_offsets;
use hushgate_detect::{Engine, Finding};
use serde::{Deserialize, Serialize};

/// Find sensitive values in text and report their type, position and score.
#[derive(Args)]
#[command(
    long_about = "Find sensitive values in text and report their type, position and score.\n\n\
Reads each FILE, or standard input when none is given. Values are masked in the output \
unless --show-values is given.\n\n\
With --jsonl, reads lines {\"id\": \"...\", \"text\": \"...\"} from standard input and writes \
one line per input, in order: {\"id\": \"...\", \"entities\": [{\"type\", \"start\", \"end\", \
\"score\"}]}. Offsets there are Unicode code-point offsets (Python string indices), end \
exclusive. A malformed line gets {\"id\": null, \"error\": \"...\"} and processing continues.",
    after_help = "Examples:\n  \
echo 'Call Dr. Ana Ruiz at +1 415 555 0132' | hushgate scan\n  \
hushgate scan --show-values --threshold 0.6 note.txt\n  \
hushgate scan --format json *.log > findings.json\n  \
hushgate scan --jsonl < ../shared/eval/dev.jsonl > pred.jsonl\n\n\
Exit status: 0 when the scan ran (findings or not), 1 on an error such as an unreadable file."
)]
pub struct ScanArgs {
    /// Files to scan; standard input when none.
    #[arg(value_name = "FILE")]
    files: Vec<PathBuf>,

    /// JSON Lines in and out (the evaluation contract); reads standard input.
    #[arg(long, conflicts_with_all = ["files", "format", "show_values"])]
    jsonl: bool,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Print the matched values instead of masking them. They are sensitive:
    /// do not paste the output anywhere you would not paste the input.
    #[arg(long)]
    show_values: bool,

    /// Report findings scoring at least this (0.0-1.0); overrides the config.
    #[arg(long, value_name = "SCORE")]
    threshold: Option<f32>,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    /// One aligned row per finding.
    Table,
    /// One JSON document per file.
    Json,
}

pub fn run(config: Option<&Path>, args: ScanArgs) -> anyhow::Result<ExitCode> {
    let engine = super::engine(config, args.threshold)?;
    let stdout = io::stdout().lock();
    let mut out = BufWriter::with_capacity(1 << 16, stdout);
    if args.jsonl {
        jsonl(&engine, io::stdin().lock(), &mut out)?;
    } else {
        let inputs: Vec<Option<PathBuf>> = if args.files.is_empty() {
            vec![None]
        } else {
            args.files.into_iter().map(Some).collect()
        };
        for input in inputs {
            let (name, text) = read_input(input.as_deref())?;
            let findings = engine.scan(&text);
            match args.format {
                Format::Table => table(&mut out, &name, &text, &findings, args.show_values)?,
                Format::Json => json(&mut out, &name, &text, &findings, args.show_values)?,
            }
        }
    }
    out.flush()?;
    Ok(ExitCode::SUCCESS)
}

pub(crate) fn read_input(path: Option<&Path>) -> anyhow::Result<(String, String)> {
    let mut bytes = Vec::new();
    let name = match path {
        Some(p) => {
            bytes = std::fs::read(p).with_context(|| format!("cannot read {}", p.display()))?;
            p.display().to_string()
        }
        None => {
            io::stdin()
                .lock()
                .read_to_end(&mut bytes)
                .context("cannot read standard input")?;
            "<stdin>".to_owned()
        }
    };
    // Invalid UTF-8 is replaced, not rejected: offsets then refer to the
    // replaced text, and nothing after a bad byte is skipped.
    let text = match String::from_utf8(bytes) {
        Ok(s) => s,
        Err(e) => String::from_utf8_lossy(e.as_bytes()).into_owned(),
    };
    Ok((name, text))
}

/// One input line of the JSONL contract (extra keys are ignored).
#[derive(Deserialize)]
pub(crate) struct JsonlIn {
    pub(crate) id: serde_json::Value,
    pub(crate) text: String,
}

#[derive(Serialize)]
struct JsonlEntity<'a> {
    #[serde(rename = "type")]
    entity_type: &'a str,
    start: usize,
    end: usize,
    score: f32,
}

#[derive(Serialize)]
struct JsonlOut<'a> {
    id: &'a serde_json::Value,
    entities: Vec<JsonlEntity<'a>>,
}

/// The line written in place of a malformed input line.
#[derive(Serialize)]
pub(crate) struct JsonlError {
    pub(crate) id: Option<()>,
    pub(crate) error: String,
}

/// The evaluation contract; see the command's long help.
pub fn jsonl(engine: &Engine, input: impl BufRead, out: &mut impl Write) -> anyhow::Result<()> {
    let mut input = input;
    let mut line = Vec::new();
    let mut n = 0usize;
    loop {
        line.clear();
        let read = input
            .read_until(b'\n', &mut line)
            .context("cannot read standard input")?;
        if read == 0 {
            break;
        }
        n += 1;
        if line.ends_with(b"\n") {
            line.pop();
            if line.ends_with(b"\r") {
                line.pop();
            }
        }
        match parse_line(&line) {
            Ok(rec) => {
                let findings = engine.scan(&rec.text);
                let mut bounds = Vec::with_capacity(findings.len() * 2);
                for f in &findings {
                    bounds.push(f.start);
                    bounds.push(f.end);
                }
                let chars = byte_to_char_offsets(&rec.text, &bounds);
                let entities = findings
                    .iter()
                    .enumerate()
                    .map(|(i, f)| JsonlEntity {
                        entity_type: f.entity_type.as_str(),
                        start: chars[2 * i],
                        end: chars[2 * i + 1],
                        score: (f.score * 1000.0).round() / 1000.0,
                    })
                    .collect();
                serde_json::to_writer(
                    &mut *out,
                    &JsonlOut {
                        id: &rec.id,
                        entities,
                    },
                )?;
            }
            Err(error) => {
                let error = format!("line {n}: {error}");
                serde_json::to_writer(&mut *out, &JsonlError { id: None, error })?;
            }
        }
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Parses one JSONL line (without its line break); the error says what is
/// wrong and where, never the content.
pub(crate) fn parse_line(line: &[u8]) -> Result<JsonlIn, String> {
    let s = std::str::from_utf8(line)
        .map_err(|e| format!("not valid UTF-8 (bad byte at offset {})", e.valid_up_to()))?;
    if s.trim().is_empty() {
        return Err("empty line; expected {\"id\": ..., \"text\": ...}".to_owned());
    }
    // serde_json's messages name the field and position, never the content.
    serde_json::from_str::<JsonlIn>(s)
        .map_err(|e| format!("not a {{\"id\", \"text\"}} object: {e}"))
}

fn mask(value: &str) -> String {
    let n = value.chars().count();
    "*".repeat(n.min(12))
}

fn table(
    out: &mut impl Write,
    name: &str,
    text: &str,
    findings: &[Finding],
    show: bool,
) -> anyhow::Result<()> {
    writeln!(out, "{name}: {} finding(s)", findings.len())?;
    if findings.is_empty() {
        return Ok(());
    }
    let positions = line_columns(text, findings);
    let values: Vec<String> = findings
        .iter()
        .map(|f| {
            let v = &text[f.start..f.end];
            if show {
                v.replace('\n', "⏎").replace('\t', "⇥")
            } else {
                mask(v)
            }
        })
        .collect();
    let wt = findings
        .iter()
        .map(|f| f.entity_type.as_str().len())
        .max()
        .unwrap_or(4)
        .max(4);
    let wv = values
        .iter()
        .map(|v| v.chars().count())
        .max()
        .unwrap_or(5)
        .clamp(5, 60);
    let wp = positions.iter().map(|p| p.len()).max().unwrap_or(8).max(8);
    writeln!(
        out,
        "  {:<wt$}  {:<wv$}  {:<wp$}  {:>5}  RECOGNIZER",
        "TYPE", "VALUE", "LINE:COL", "SCORE"
    )?;
    for ((f, v), p) in findings.iter().zip(&values).zip(&positions) {
        writeln!(
            out,
            "  {:<wt$}  {:<wv$}  {:<wp$}  {:>5.2}  {}",
            f.entity_type.as_str(),
            v,
            p,
            f.score,
            f.recognizer
        )?;
    }
    Ok(())
}

/// 1-based line and column (in characters) of each finding's start.
fn line_columns(text: &str, findings: &[Finding]) -> Vec<String> {
    let mut out = Vec::with_capacity(findings.len());
    let (mut line, mut line_start, mut pos) = (1usize, 0usize, 0usize);
    for f in findings {
        if f.start < pos {
            line = 1 + text[..f.start].matches('\n').count();
            line_start = text[..f.start].rfind('\n').map_or(0, |i| i + 1);
        } else {
            for (i, b) in text.as_bytes()[pos..f.start].iter().enumerate() {
                if *b == b'\n' {
                    line += 1;
                    line_start = pos + i + 1;
                }
            }
        }
        pos = f.start;
        let col = text[line_start..f.start].chars().count() + 1;
        out.push(format!("{line}:{col}"));
    }
    out
}

#[derive(Serialize)]
struct JsonDoc<'a> {
    file: &'a str,
    findings: Vec<JsonFinding<'a>>,
    counts: BTreeMap<&'a str, usize>,
}

#[derive(Serialize)]
struct JsonFinding<'a> {
    #[serde(rename = "type")]
    entity_type: &'a str,
    /// Code-point offsets, as in --jsonl.
    start: usize,
    end: usize,
    byte_start: usize,
    byte_end: usize,
    score: f32,
    recognizer: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    value: Option<&'a str>,
}

fn json(
    out: &mut impl Write,
    name: &str,
    text: &str,
    findings: &[Finding],
    show: bool,
) -> anyhow::Result<()> {
    let mut bounds = Vec::with_capacity(findings.len() * 2);
    for f in findings {
        bounds.push(f.start);
        bounds.push(f.end);
    }
    let chars = byte_to_char_offsets(text, &bounds);
    let mut counts = BTreeMap::new();
    for f in findings {
        *counts.entry(f.entity_type.as_str()).or_insert(0) += 1;
    }
    let doc = JsonDoc {
        file: name,
        findings: findings
            .iter()
            .enumerate()
            .map(|(i, f)| JsonFinding {
                entity_type: f.entity_type.as_str(),
                start: chars[2 * i],
                end: chars[2 * i + 1],
                byte_start: f.start,
                byte_end: f.end,
                score: (f.score * 1000.0).round() / 1000.0,
                recognizer: f.recognizer,
                value: show.then(|| &text[f.start..f.end]),
            })
            .collect(),
        counts,
    };
    serde_json::to_writer(&mut *out, &doc)?;
    out.write_all(b"\n")?;
    Ok(())
}
