//! Which strings of a request a provider reads, and so which are scanned.
//!
//! Scan by default: every string value anywhere in the body (message
//! content and text parts, system prompts, assistant `tool_calls` arguments
//! and `tool` results in the history, tool and function descriptions,
//! `prediction`, `response_format` schemas and examples, `user`, `metadata`,
//! fields added by a newer API version...) except a short list of fields
//! that are identifiers or enums, where a placeholder would break the
//! request and a value cannot be sensitive. Gateways that scan only
//! `messages[].content` leak exactly in the fields they skip.
//!
//! Object keys are not scanned: they are field and schema property names.
//! Media (`image_url`, `input_audio`, `file` parts) is not text; the caller
//! decides whether unscanned content may pass ([`Walk::media_parts`]).

use serde_json::Value;

/// Keys whose string values are identifiers or enums, never content.
const SKIP_KEYS: &[&str] = &[
    "model",
    "role",
    "type",
    "id",
    "tool_call_id",
    "object",
    "finish_reason",
    "tool_choice",
    "encoding_format",
    "reasoning_effort",
    "service_tier",
    "modalities",
    "voice",
    "format",
    "detail",
    "required",
    "$ref",
    "pattern",
    "file_id",
];

/// Keys holding media rather than text.
const MEDIA_KEYS: &[&str] = &["image_url", "input_audio", "file", "audio"];

/// `name` is an identifier inside these objects (a function's or a JSON
/// schema's name); elsewhere (a message's participant `name`) it is content.
const NAME_IS_ID_IN: &[&str] = &["function", "json_schema", "function_call"];

/// What a walk over a request body found besides text.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Walk {
    /// Media parts (images, audio, files) that were not scanned.
    pub media_parts: usize,
}

/// Calls `f` on every scanned string of `body`, in a fixed order (so two
/// walks over the same value visit the same strings in the same order).
pub fn for_each_text(body: &mut Value, f: &mut dyn FnMut(&mut String)) -> Walk {
    let mut walk = Walk::default();
    visit(body, None, f, &mut walk);
    walk
}

fn visit(v: &mut Value, key: Option<&str>, f: &mut dyn FnMut(&mut String), walk: &mut Walk) {
    match v {
        Value::String(s) => f(s),
        Value::Array(items) => {
            for item in items {
                visit(item, key, f, walk);
            }
        }
        Value::Object(map) => {
            for (k, child) in map.iter_mut() {
                let k = k.as_str();
                if MEDIA_KEYS.contains(&k) && (child.is_object() || k == "image_url") {
                    walk.media_parts += 1;
                } else if SKIP_KEYS.contains(&k) && !child.is_object()
                    || k == "name" && key.is_some_and(|p| NAME_IS_ID_IN.contains(&p))
                {
                    // An identifier or enum (arrays of them too).
                } else {
                    visit(child, Some(k), f, walk);
                }
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn texts(mut v: Value) -> (Vec<String>, Walk) {
        let mut out = Vec::new();
        let walk = for_each_text(&mut v, &mut |s| out.push(s.clone()));
        (out, walk)
    }

    #[test]
    fn scans_every_field_a_provider_reads() {
        let body = json!({
            "model": "gpt-4o-mini",
            "user": "user-jane@example.org",
            "messages": [
                {"role": "system", "content": "system text"},
                {"role": "user", "name": "jane", "content": [
                    {"type": "text", "text": "part text"},
                    {"type": "image_url", "image_url": {"url": "data:image/png;base64,AAAA"}}
                ]},
                {"role": "assistant", "tool_calls": [{"id": "call_1", "type": "function",
                    "function": {"name": "lookup", "arguments": "{\"q\":\"args text\"}"}}]},
                {"role": "tool", "tool_call_id": "call_1", "content": "tool result"}
            ],
            "tools": [{"type": "function", "function": {"name": "lookup",
                "description": "tool description",
                "parameters": {"type": "object", "properties": {"q": {"type": "string",
                    "description": "param description"}}, "required": ["q"]}}}],
            "prediction": {"type": "content", "content": "predicted"},
            "response_format": {"type": "json_schema", "json_schema": {"name": "answer",
                "schema": {"type": "object", "examples": ["example text"]}}},
            "tool_choice": "auto",
            "future_field": {"nested": "future text"}
        });
        let (got, walk) = texts(body);
        for want in [
            "user-jane@example.org",
            "system text",
            "jane",
            "part text",
            "{\"q\":\"args text\"}",
            "tool result",
            "tool description",
            "param description",
            "predicted",
            "example text",
            "future text",
        ] {
            assert!(got.iter().any(|g| g == want), "{want} not scanned: {got:?}");
        }
        for skipped in [
            "gpt-4o-mini",
            "system",
            "user",
            "call_1",
            "function",
            "lookup",
            "answer",
            "auto",
            "q",
        ] {
            assert!(!got.iter().any(|g| g == skipped), "{skipped} scanned");
        }
        assert!(!got.iter().any(|g| g.starts_with("data:image")));
        assert_eq!(walk.media_parts, 1);
    }

    #[test]
    fn two_walks_visit_the_same_strings_in_order() {
        let mut body = json!({"b": ["x", {"c": "y"}], "a": "z", "messages": [{"content": "w"}]});
        let (first, _) = texts(body.clone());
        let mut i = 0;
        for_each_text(&mut body, &mut |s| {
            *s = format!("{i}");
            i += 1;
        });
        let (second, _) = texts(body);
        assert_eq!(second.len(), first.len());
        assert_eq!(
            second,
            (0..first.len()).map(|i| i.to_string()).collect::<Vec<_>>()
        );
    }
}
