//! OpenAI's response shapes, built from a request and an answer.

use serde_json::{Value, json};

/// What the model "says": text, or one tool call.
pub(crate) enum Answer {
    Text(String),
    ToolCall { name: String, arguments: String },
}

pub(crate) fn now() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// A rough token count: four bytes a token, at least one for non-empty text.
pub(crate) fn tokens(s: &str) -> u64 {
    (s.len() as u64).div_ceil(4)
}

/// The text of a content value: a string, or the `text` of `text` parts.
fn content_text(content: &Value) -> String {
    match content {
        Value::String(s) => s.clone(),
        Value::Array(parts) => parts
            .iter()
            .filter(|p| p.get("type").and_then(Value::as_str) == Some("text"))
            .filter_map(|p| p.get("text").and_then(Value::as_str))
            .collect::<Vec<_>>()
            .join(""),
        _ => String::new(),
    }
}

/// The last user message's text (chat), the prompt (completions), or the
/// input (embeddings, first item).
pub(crate) fn user_text(body: &Value) -> String {
    if let Some(messages) = body.get("messages").and_then(Value::as_array) {
        return messages
            .iter()
            .rev()
            .find(|m| m.get("role").and_then(Value::as_str) == Some("user"))
            .and_then(|m| m.get("content"))
            .map(content_text)
            .unwrap_or_default();
    }
    for key in ["prompt", "input"] {
        match body.get(key) {
            Some(Value::String(s)) => return s.clone(),
            Some(Value::Array(items)) => {
                if let Some(s) = items.first().and_then(Value::as_str) {
                    return s.to_owned();
                }
            }
            _ => {}
        }
    }
    String::new()
}

/// The prompt size in tokens: every string the request holds.
pub(crate) fn prompt_tokens(body: &Value) -> u64 {
    fn walk(v: &Value) -> u64 {
        match v {
            Value::String(s) => tokens(s),
            Value::Array(a) => a.iter().map(walk).sum(),
            Value::Object(o) => o.values().map(walk).sum(),
            _ => 0,
        }
    }
    body.get("messages")
        .or_else(|| body.get("prompt"))
        .or_else(|| body.get("input"))
        .map_or(0, walk)
        .max(1)
}

/// The first tool's function name, if the request offers tools.
pub(crate) fn first_tool_name(body: &Value) -> Option<String> {
    body.get("tools")?
        .as_array()?
        .first()?
        .get("function")?
        .get("name")?
        .as_str()
        .map(str::to_owned)
}

pub(crate) fn model(body: &Value, fallback: &str) -> String {
    body.get("model")
        .and_then(Value::as_str)
        .unwrap_or(fallback)
        .to_owned()
}

pub(crate) fn usage(prompt: u64, completion: u64) -> Value {
    json!({
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
    })
}

fn answer_tokens(answer: &Answer) -> u64 {
    match answer {
        Answer::Text(t) => tokens(t),
        Answer::ToolCall { arguments, .. } => tokens(arguments),
    }
}

pub(crate) const TOOL_CALL_ID: &str = "call_double_0";

/// A non-streaming `chat.completion`.
pub(crate) fn chat_completion(id: &str, model: &str, prompt: u64, answer: &Answer) -> Value {
    let (message, finish) = match answer {
        Answer::Text(t) => (
            json!({"role": "assistant", "content": t, "refusal": null}),
            "stop",
        ),
        Answer::ToolCall { name, arguments } => (
            json!({
                "role": "assistant",
                "content": null,
                "refusal": null,
                "tool_calls": [{
                    "id": TOOL_CALL_ID,
                    "type": "function",
                    "function": {"name": name, "arguments": arguments},
                }],
            }),
            "tool_calls",
        ),
    };
    json!({
        "id": id,
        "object": "chat.completion",
        "created": now(),
        "model": model,
        "system_fingerprint": "fp_double",
        "choices": [{"index": 0, "message": message, "logprobs": null, "finish_reason": finish}],
        "usage": usage(prompt, answer_tokens(answer)),
    })
}

/// The events of a streamed chat completion (JSON values, before framing),
/// `pieces` being the answer text (or tool arguments) split into deltas.
pub(crate) fn chat_chunks(
    id: &str,
    model: &str,
    prompt: u64,
    answer: &Answer,
    pieces: &[&str],
    include_usage: bool,
) -> Vec<Value> {
    let created = now();
    let chunk = |delta: Value, finish: Option<&str>| {
        let mut c = json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_double",
            "choices": [{"index": 0, "delta": delta, "logprobs": null, "finish_reason": finish}],
        });
        if include_usage {
            c["usage"] = Value::Null;
        }
        c
    };
    let mut out = Vec::new();
    match answer {
        Answer::Text(_) => {
            out.push(chunk(
                json!({"role": "assistant", "content": "", "refusal": null}),
                None,
            ));
            for p in pieces {
                out.push(chunk(json!({"content": p}), None));
            }
            out.push(chunk(json!({}), Some("stop")));
        }
        Answer::ToolCall { name, .. } => {
            out.push(chunk(
                json!({
                    "role": "assistant",
                    "content": null,
                    "tool_calls": [{
                        "index": 0,
                        "id": TOOL_CALL_ID,
                        "type": "function",
                        "function": {"name": name, "arguments": ""},
                    }],
                }),
                None,
            ));
            for p in pieces {
                out.push(chunk(
                    json!({"tool_calls": [{"index": 0, "function": {"arguments": p}}]}),
                    None,
                ));
            }
            out.push(chunk(json!({}), Some("tool_calls")));
        }
    }
    if include_usage {
        out.push(json!({
            "id": id,
            "object": "chat.completion.chunk",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_double",
            "choices": [],
            "usage": usage(prompt, answer_tokens(answer)),
        }));
    }
    out
}

/// A non-streaming `text_completion`.
pub(crate) fn text_completion(id: &str, model: &str, prompt: u64, text: &str) -> Value {
    json!({
        "id": id,
        "object": "text_completion",
        "created": now(),
        "model": model,
        "system_fingerprint": "fp_double",
        "choices": [{"text": text, "index": 0, "logprobs": null, "finish_reason": "stop"}],
        "usage": usage(prompt, tokens(text)),
    })
}

/// The events of a streamed text completion.
pub(crate) fn text_chunks(
    id: &str,
    model: &str,
    prompt: u64,
    text: &str,
    pieces: &[&str],
    include_usage: bool,
) -> Vec<Value> {
    let created = now();
    let chunk = |t: &str, finish: Option<&str>| {
        let mut c = json!({
            "id": id,
            "object": "text_completion",
            "created": created,
            "model": model,
            "system_fingerprint": "fp_double",
            "choices": [{"text": t, "index": 0, "logprobs": null, "finish_reason": finish}],
        });
        if include_usage {
            c["usage"] = Value::Null;
        }
        c
    };
    let mut out: Vec<Value> = pieces.iter().map(|p| chunk(p, None)).collect();
    out.push(chunk("", Some("stop")));
    if include_usage {
        out.push(json!({
            "id": id,
            "object": "text_completion",
            "created": created,
            "model": model,
            "choices": [],
            "usage": usage(prompt, tokens(text)),
        }));
    }
    out
}

/// Embeddings for every input: 8 numbers derived from the input's bytes, so
/// equal inputs get equal vectors.
pub(crate) fn embeddings(body: &Value, model: &str) -> Value {
    let inputs: Vec<String> = match body.get("input") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items.iter().map(|i| i.to_string()).collect(),
        _ => Vec::new(),
    };
    let data: Vec<Value> = inputs
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let mut v = [0f32; 8];
            for (j, b) in text.bytes().enumerate() {
                v[j % 8] += f32::from(b) / 255.0;
            }
            let norm = v.iter().map(|x| x * x).sum::<f32>().sqrt().max(1e-6);
            let v: Vec<f32> = v.iter().map(|x| x / norm).collect();
            json!({"object": "embedding", "index": i, "embedding": v})
        })
        .collect();
    let prompt: u64 = inputs.iter().map(|s| tokens(s)).sum();
    json!({
        "object": "list",
        "data": data,
        "model": model,
        "usage": {"prompt_tokens": prompt, "total_tokens": prompt},
    })
}

pub(crate) fn models(ids: &[String]) -> Value {
    let created = now();
    let data: Vec<Value> = ids
        .iter()
        .map(|id| json!({"id": id, "object": "model", "created": created, "owned_by": "double"}))
        .collect();
    json!({"object": "list", "data": data})
}

/// OpenAI's error body.
pub(crate) fn error(message: &str, kind: &str, code: Option<&str>) -> Value {
    json!({"error": {"message": message, "type": kind, "param": null, "code": code}})
}

/// Splits `s` at the given byte offsets, each moved forward to a character
/// boundary (a delta must be valid UTF-8 JSON text). Empty pieces are dropped.
pub(crate) fn split_at(s: &str, offsets: impl IntoIterator<Item = usize>) -> Vec<&str> {
    let mut out = Vec::new();
    let mut start = 0;
    for mut at in offsets {
        if at <= start {
            continue;
        }
        if at >= s.len() {
            break;
        }
        while !s.is_char_boundary(at) {
            at += 1;
        }
        if let Some(p) = s.get(start..at) {
            out.push(p);
        }
        start = at;
    }
    if let Some(p) = s.get(start..).filter(|p| !p.is_empty()) {
        out.push(p);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_respects_char_boundaries() {
        assert_eq!(split_at("abcdefg", [3, 6]), ["abc", "def", "g"]);
        assert_eq!(split_at("aé€b", [1, 2, 3, 4]), ["a", "é", "€", "b"]);
        assert_eq!(split_at("ab", [0, 5]), ["ab"]);
        assert!(split_at("", [1]).is_empty());
    }

    #[test]
    fn user_text_shapes() {
        let chat = json!({"messages": [
            {"role": "user", "content": "first"},
            {"role": "assistant", "content": "x"},
            {"role": "user", "content": [{"type": "text", "text": "a"}, {"type": "image_url"}, {"type": "text", "text": "b"}]},
        ]});
        assert_eq!(user_text(&chat), "ab");
        assert_eq!(user_text(&json!({"prompt": ["p", "q"]})), "p");
        assert_eq!(user_text(&json!({"input": "i"})), "i");
    }
}
