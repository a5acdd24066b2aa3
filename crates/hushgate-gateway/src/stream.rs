//! Streamed answers: the upstream's events in, restored events out, one at a
//! time.
//!
//! Each text that streams as deltas (a choice's `content`, `refusal` or
//! completion `text`, each tool call's `function.arguments`) gets its own
//! [`StreamRestorer`], which holds back only a tail that could still become
//! a placeholder. What is held is released into the chunk that carries the
//! choice's `finish_reason`, or into one extra chunk before `data: [DONE]`
//! (or before an error) when the upstream never finished the choice. So the
//! client sees every byte, restored, and the gateway never holds more than
//! one event plus a placeholder's length per text.

use std::collections::BTreeMap;
use std::sync::Arc;

use bytes::Bytes;
use futures::{Stream, StreamExt};
use hushgate_providers::{EventStream, UpstreamError};
use hushgate_redact::{StreamMode, StreamRestorer, Vault};
use serde_json::{Map, Value, json};

/// Which streamed text of a choice.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Slot {
    Content,
    Refusal,
    /// A legacy completion's `text`.
    Text,
    Tool(u64),
    /// The legacy `function_call.arguments`.
    FunctionCall,
}

/// What the stream saw, reported once when it ends (or is dropped because
/// the client went away).
#[derive(Debug, Default, Clone)]
pub struct StreamEnd {
    /// The upstream's `usage` chunk, when `stream_options.include_usage` asked for it.
    pub usage: Option<Value>,
    /// Placeholders the model invented (left as they were).
    pub unknown_placeholders: usize,
    /// `Some(kind)` when the stream ended on an upstream error.
    pub error: Option<&'static str>,
    /// The client went away before the end.
    pub cancelled: bool,
}

type OnEnd = Box<dyn FnOnce(StreamEnd) + Send>;

struct State {
    upstream: EventStream,
    vault: Option<Arc<Vault>>,
    chat: bool,
    slots: BTreeMap<(u64, Slot), StreamRestorer<Arc<Vault>>>,
    /// Where a delta is restored into before it replaces the original; the two buffers
    /// swap, so a stream allocates for its longest delta, not per delta.
    scratch: String,
    template: Map<String, Value>,
    end: StreamEnd,
    on_end: Option<OnEnd>,
    finished: bool,
}

impl Drop for State {
    fn drop(&mut self) {
        if let Some(f) = self.on_end.take() {
            let mut end = std::mem::take(&mut self.end);
            end.cancelled = !self.finished;
            f(end);
        }
    }
}

/// Restores `upstream` as SSE bytes for the client. `vault` is `None` when
/// nothing was replaced (a self-hosted route): events pass through re-encoded
/// but unchanged. `chat` selects `chat.completion.chunk` (else legacy
/// `text_completion`) for the chunks this stream adds.
pub fn restore_events(
    upstream: EventStream,
    vault: Option<Arc<Vault>>,
    chat: bool,
    on_end: impl FnOnce(StreamEnd) + Send + 'static,
) -> impl Stream<Item = Result<Bytes, std::convert::Infallible>> + Send {
    let state = State {
        upstream,
        vault: vault.filter(|v| !v.is_empty()),
        chat,
        slots: BTreeMap::new(),
        scratch: String::new(),
        template: Map::new(),
        end: StreamEnd::default(),
        on_end: Some(Box::new(on_end)),
        finished: false,
    };
    futures::stream::unfold(state, |mut st| async move {
        if st.finished {
            return None;
        }
        let mut out = Vec::new();
        match st.upstream.next().await {
            Some(Ok(event)) if event.is_done() => {
                st.flush_all(&mut out);
                out.extend_from_slice(b"data: [DONE]\n\n");
                st.finish();
            }
            Some(Ok(event)) => match serde_json::from_str::<Value>(&event.data) {
                Ok(Value::Object(chunk)) if chunk.contains_key("error") => {
                    // An error the upstream streamed: sanitized, then the end.
                    let up = UpstreamError::parse(
                        axum::http::StatusCode::OK,
                        event.data.as_bytes(),
                        None,
                    );
                    st.flush_all(&mut out);
                    push_error(
                        &mut out,
                        "upstream_error",
                        "upstream_stream_error",
                        &up.message,
                    );
                    st.end.error = Some("upstream_stream_error");
                    st.finish();
                }
                Ok(Value::Object(mut chunk)) => {
                    st.on_chunk(&mut chunk);
                    push_event(&mut out, &Value::Object(chunk));
                }
                _ => {
                    st.flush_all(&mut out);
                    push_error(
                        &mut out,
                        "upstream_error",
                        "upstream_protocol",
                        "The provider sent a stream event that is not a JSON object; the stream was ended.",
                    );
                    st.end.error = Some("protocol");
                    st.finish();
                }
            },
            Some(Err(e)) => {
                st.flush_all(&mut out);
                let message = format!("The provider's stream failed: {e}");
                push_error(&mut out, "upstream_error", e.kind().as_str(), &message);
                st.end.error = Some(e.kind().as_str());
                st.finish();
            }
            None => {
                // Ended without `[DONE]`: an upstream cut short.
                st.flush_all(&mut out);
                push_error(
                    &mut out,
                    "upstream_error",
                    "upstream_incomplete",
                    "The provider's stream ended before `data: [DONE]`.",
                );
                st.end.error = Some("incomplete");
                st.finish();
            }
        }
        Some((Ok(Bytes::from(out)), st))
    })
}

fn push_event(out: &mut Vec<u8>, v: &Value) {
    out.extend_from_slice(b"data: ");
    // Serializing a Value cannot fail.
    let _ = serde_json::to_writer(&mut *out, v);
    out.extend_from_slice(b"\n\n");
}

fn push_error(out: &mut Vec<u8>, kind: &str, code: &str, message: &str) {
    push_event(
        out,
        &json!({"error": {"message": message, "type": kind, "param": null, "code": code}}),
    );
}

impl State {
    fn finish(&mut self) {
        self.finished = true;
        if let Some(f) = self.on_end.take() {
            f(std::mem::take(&mut self.end));
        }
    }

    fn restorer(&mut self, idx: u64, slot: Slot) -> Option<&mut StreamRestorer<Arc<Vault>>> {
        let vault = Arc::clone(self.vault.as_ref()?);
        let mode = match slot {
            Slot::Tool(_) | Slot::FunctionCall => StreamMode::Json,
            _ => StreamMode::Text,
        };
        match self.slots.entry((idx, slot)) {
            std::collections::btree_map::Entry::Occupied(e) => Some(e.into_mut()),
            std::collections::btree_map::Entry::Vacant(e) => {
                let tenant = vault.tenant().clone();
                // The vault's own tenant: this cannot fail. Were it to, the
                // text passes with its placeholders, which reveal nothing.
                Some(e.insert(StreamRestorer::new(vault, &tenant, mode).ok()?))
            }
        }
    }

    fn push(&mut self, idx: u64, slot: Slot, s: &mut String) {
        let mut scratch = std::mem::take(&mut self.scratch);
        scratch.clear();
        if let Some(r) = self.restorer(idx, slot) {
            r.push_into(s, &mut scratch);
            std::mem::swap(s, &mut scratch);
        }
        self.scratch = scratch;
    }

    fn on_chunk(&mut self, chunk: &mut Map<String, Value>) {
        for k in ["id", "object", "created", "model", "system_fingerprint"] {
            if let Some(v) = chunk.get(k) {
                self.template.insert(k.to_owned(), v.clone());
            }
        }
        if let Some(u) = chunk.get("usage").filter(|u| u.is_object()) {
            self.end.usage = Some(u.clone());
        }
        let Some(Value::Array(choices)) = chunk.get_mut("choices") else {
            return;
        };
        for (pos, choice) in choices.iter_mut().enumerate() {
            let idx = choice
                .get("index")
                .and_then(Value::as_u64)
                .unwrap_or(pos as u64);
            if let Some(delta) = choice.get_mut("delta").and_then(Value::as_object_mut) {
                self.restore_delta(idx, delta);
            }
            if let Some(Value::String(text)) = choice.get_mut("text") {
                self.push(idx, Slot::Text, text);
            }
            if choice.get("finish_reason").is_some_and(Value::is_string) {
                let held = self.take_held(idx);
                if let Some(obj) = choice.as_object_mut() {
                    merge_held(obj, held, self.chat);
                }
            }
        }
    }

    fn restore_delta(&mut self, idx: u64, delta: &mut Map<String, Value>) {
        if let Some(Value::String(s)) = delta.get_mut("content") {
            self.push(idx, Slot::Content, s);
        }
        if let Some(Value::String(s)) = delta.get_mut("refusal") {
            self.push(idx, Slot::Refusal, s);
        }
        if let Some(Value::Array(calls)) = delta.get_mut("tool_calls") {
            for (pos, call) in calls.iter_mut().enumerate() {
                let t = call
                    .get("index")
                    .and_then(Value::as_u64)
                    .unwrap_or(pos as u64);
                if let Some(Value::String(args)) = call.pointer_mut("/function/arguments") {
                    self.push(idx, Slot::Tool(t), args);
                }
            }
        }
        if let Some(Value::String(args)) = delta
            .get_mut("function_call")
            .and_then(|f| f.get_mut("arguments"))
        {
            self.push(idx, Slot::FunctionCall, args);
        }
    }

    /// Removes choice `idx`'s restorers, returning what they held, restored.
    fn take_held(&mut self, idx: u64) -> Vec<(Slot, String)> {
        let keys: Vec<(u64, Slot)> = self
            .slots
            .range((idx, Slot::Content)..)
            .take_while(|((i, _), _)| *i == idx)
            .map(|(k, _)| *k)
            .collect();
        let mut held = Vec::new();
        for k in keys {
            if let Some(mut r) = self.slots.remove(&k) {
                let rest = r.finish();
                self.end.unknown_placeholders += r.unknown();
                if !rest.is_empty() {
                    held.push((k.1, rest));
                }
            }
        }
        held
    }

    /// Releases everything still held, as one chunk per choice.
    fn flush_all(&mut self, out: &mut Vec<u8>) {
        let idxs: Vec<u64> = {
            let mut v: Vec<u64> = self.slots.keys().map(|(i, _)| *i).collect();
            v.dedup();
            v
        };
        for idx in idxs {
            let held = self.take_held(idx);
            if held.is_empty() {
                continue;
            }
            let mut choice = Map::new();
            choice.insert("index".into(), idx.into());
            if self.chat {
                choice.insert("delta".into(), Value::Object(Map::new()));
            } else {
                choice.insert("text".into(), Value::String(String::new()));
            }
            merge_held(&mut choice, held, self.chat);
            choice.insert("finish_reason".into(), Value::Null);
            let mut chunk = self.template.clone();
            if !chunk.contains_key("object") {
                let object = if self.chat {
                    "chat.completion.chunk"
                } else {
                    "text_completion"
                };
                chunk.insert("object".into(), object.into());
            }
            chunk.insert("choices".into(), json!([choice]));
            push_event(out, &Value::Object(chunk));
        }
    }
}

/// Appends held text to a choice: into `delta` (chat) or `text` (legacy).
fn merge_held(choice: &mut Map<String, Value>, held: Vec<(Slot, String)>, chat: bool) {
    for (slot, rest) in held {
        if !chat {
            append(choice, "text", &rest);
            continue;
        }
        let delta = choice
            .entry("delta")
            .or_insert_with(|| Value::Object(Map::new()));
        let Some(delta) = delta.as_object_mut() else {
            continue;
        };
        match slot {
            Slot::Content | Slot::Text => append(delta, "content", &rest),
            Slot::Refusal => append(delta, "refusal", &rest),
            Slot::FunctionCall => {
                let fc = delta.entry("function_call").or_insert_with(|| json!({}));
                if let Some(fc) = fc.as_object_mut() {
                    append(fc, "arguments", &rest);
                }
            }
            Slot::Tool(t) => {
                let calls = delta.entry("tool_calls").or_insert_with(|| json!([]));
                let Some(calls) = calls.as_array_mut() else {
                    continue;
                };
                let pos = calls
                    .iter()
                    .position(|c| c.get("index").and_then(Value::as_u64) == Some(t));
                let call = match pos {
                    Some(p) => &mut calls[p],
                    None => {
                        calls.push(json!({"index": t, "function": {}}));
                        let last = calls.len() - 1;
                        &mut calls[last]
                    }
                };
                if let Some(f) = call
                    .as_object_mut()
                    .map(|c| c.entry("function").or_insert_with(|| json!({})))
                    .and_then(Value::as_object_mut)
                {
                    append(f, "arguments", &rest);
                }
            }
        }
    }
}

fn append(obj: &mut Map<String, Value>, key: &str, rest: &str) {
    match obj.get_mut(key) {
        Some(Value::String(s)) => s.push_str(rest),
        _ => {
            obj.insert(key.to_owned(), Value::String(rest.to_owned()));
        }
    }
}
