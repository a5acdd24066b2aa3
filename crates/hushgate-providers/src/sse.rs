//! An incremental parser for server-sent events (the `text/event-stream`
//! format every OpenAI-style upstream streams in).
//!
//! Bytes are pushed as they arrive, split anywhere (inside a `data:` line,
//! between a CR and its LF, inside a UTF-8 character); complete events come
//! out. Only the current line and the current event are held, never the
//! stream, and both are capped: a hostile upstream sending a 10 MB line
//! without a newline gets an error once the cap is reached, not an unbounded
//! buffer.
//!
//! Follows the WHATWG event-stream grammar (lines end with CRLF, LF or CR;
//! `:` starts a comment; `field: value` with one optional space; `data` lines
//! of one event are joined with `\n`; a blank line dispatches; a leading BOM
//! is skipped), with two deliberate differences for a gateway: invalid UTF-8
//! is an error instead of being replaced with U+FFFD, and a stream that ends
//! in the middle of an event is reported by [`SseParser::finish`] instead of
//! being silently discarded.
//!
//! ```
//! use hushgate_providers::sse::SseParser;
//!
//! let mut parser = SseParser::new(1 << 20);
//! let mut events = Vec::new();
//! parser.push(b"data: {\"a\"", &mut events).unwrap();
//! parser.push(b":1}\r\n\r\ndata: [DONE]\n\n", &mut events).unwrap();
//! parser.finish().unwrap();
//! assert_eq!(events[0].data, "{\"a\":1}");
//! assert!(events[1].is_done());
//! ```

use std::pin::Pin;
use std::task::{Context, Poll};

use bytes::Bytes;
use futures::Stream;

/// Default cap on one event (all its lines) and on one line: 1 MiB. OpenAI's
/// chunks are a few hundred bytes; a megabyte leaves room for logprobs and
/// large tool-call argument deltas.
pub const DEFAULT_MAX_EVENT_BYTES: usize = 1 << 20;

/// One dispatched event.
#[derive(Clone, PartialEq, Eq)]
pub struct SseEvent {
    /// The `event:` field, if the upstream sent one (OpenAI does not).
    pub event: Option<String>,
    /// The `data:` lines joined with `\n`.
    pub data: String,
    /// The last `id:` field seen in this event, if any.
    pub id: Option<String>,
}

impl SseEvent {
    /// OpenAI's end-of-stream sentinel, `data: [DONE]`.
    pub fn is_done(&self) -> bool {
        self.data == "[DONE]"
    }
}

// Event data is upstream content (pseudonymized, but still content): Debug
// shows its size only, so an event logged by accident leaks nothing.
impl std::fmt::Debug for SseEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SseEvent")
            .field("event", &self.event)
            .field("data_bytes", &self.data.len())
            .field("done", &self.is_done())
            .finish()
    }
}

/// Why a stream could not be parsed. The parser is unusable afterwards.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SseError {
    /// One event (or one line) grew past the cap.
    #[error("server-sent event larger than {max} bytes")]
    EventTooLarge { max: usize },
    /// A line is not valid UTF-8.
    #[error("server-sent event is not valid UTF-8")]
    InvalidUtf8,
    /// The stream ended inside an event (an unterminated line, or fields
    /// without the blank line that dispatches them).
    #[error("stream ended in the middle of a server-sent event")]
    UnexpectedEof,
    /// `push` or `finish` was called after an error.
    #[error("server-sent event parser used after an error")]
    Failed,
}

/// Incremental event-stream parser. See the [module docs](self).
#[derive(Debug)]
pub struct SseParser {
    max_event_bytes: usize,
    /// Bytes of the current, unterminated line.
    line: Vec<u8>,
    /// The previous chunk ended with CR: a leading LF in the next one belongs
    /// to that line ending.
    skip_lf: bool,
    /// Whether the start of the stream (and a possible BOM) is behind us.
    started: bool,
    /// Fields of the event being built.
    data: String,
    has_data: bool,
    event: Option<String>,
    id: Option<String>,
    /// Bytes of the lines of the current event, for the cap.
    event_bytes: usize,
    /// Whether the current event has seen any line (for `finish`).
    in_event: bool,
    failed: bool,
}

const BOM: &[u8] = b"\xEF\xBB\xBF";

impl SseParser {
    /// A parser refusing events (and lines) longer than `max_event_bytes`.
    pub fn new(max_event_bytes: usize) -> SseParser {
        SseParser {
            max_event_bytes,
            line: Vec::new(),
            skip_lf: false,
            started: false,
            data: String::new(),
            has_data: false,
            event: None,
            id: None,
            event_bytes: 0,
            in_event: false,
            failed: false,
        }
    }

    /// Parses `chunk`, appending every event it completes to `out`.
    pub fn push(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if self.failed {
            return Err(SseError::Failed);
        }
        let result = if self.started {
            self.push_started(chunk, out)
        } else {
            self.push_first(chunk, out)
        };
        if result.is_err() {
            self.failed = true;
        }
        result
    }

    /// Before the first byte that is not a BOM prefix: the BOM may itself be
    /// split across chunks, so up to two bytes are held back until it is
    /// known whether they start one.
    fn push_first(&mut self, chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        let mut head = std::mem::take(&mut self.line);
        let held = head.len();
        let take = (BOM.len() - held).min(chunk.len());
        head.extend_from_slice(chunk.get(..take).unwrap_or_default());
        if head.len() < BOM.len() && BOM.starts_with(&head) {
            self.line = head;
            return Ok(());
        }
        self.started = true;
        if head == BOM {
            self.push_started(chunk.get(take..).unwrap_or_default(), out)
        } else {
            // Not a BOM: replay the held bytes, then the whole chunk.
            self.push_started(head.get(..held).unwrap_or_default(), out)?;
            self.push_started(chunk, out)
        }
    }

    fn push_started(&mut self, mut chunk: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        // An empty chunk must not forget a pending CR.
        if self.skip_lf && !chunk.is_empty() {
            self.skip_lf = false;
            if let Some(rest) = chunk.strip_prefix(b"\n") {
                chunk = rest;
            }
        }
        while let Some(i) = memchr::memchr2(b'\n', b'\r', chunk) {
            let (head, tail) = chunk.split_at(i);
            let is_cr = tail.first() == Some(&b'\r');
            let mut rest = tail.get(1..).unwrap_or_default();
            if is_cr {
                match rest.first() {
                    Some(b'\n') => rest = rest.get(1..).unwrap_or_default(),
                    Some(_) => {}
                    None => self.skip_lf = true,
                }
            }
            if self.line.is_empty() {
                self.check_size(head.len())?;
                self.line_done(head, out)?;
            } else {
                self.check_size(self.line.len() + head.len())?;
                let mut line = std::mem::take(&mut self.line);
                line.extend_from_slice(head);
                let r = self.line_done(&line, out);
                // Keep the allocation for the next partial line.
                line.clear();
                self.line = line;
                r?;
            }
            chunk = rest;
        }
        if !chunk.is_empty() {
            self.check_size(self.line.len() + chunk.len())?;
            self.line.extend_from_slice(chunk);
        }
        Ok(())
    }

    /// Ends the stream: an error if it stopped inside an event.
    pub fn finish(&mut self) -> Result<(), SseError> {
        if self.failed {
            return Err(SseError::Failed);
        }
        // A stream shorter than a BOM: what was held back is a partial line.
        if !self.line.is_empty() || self.in_event {
            self.failed = true;
            return Err(SseError::UnexpectedEof);
        }
        Ok(())
    }

    fn check_size(&self, line_len: usize) -> Result<(), SseError> {
        if self.event_bytes.saturating_add(line_len) > self.max_event_bytes {
            return Err(SseError::EventTooLarge {
                max: self.max_event_bytes,
            });
        }
        Ok(())
    }

    fn line_done(&mut self, line: &[u8], out: &mut Vec<SseEvent>) -> Result<(), SseError> {
        if line.is_empty() {
            self.dispatch(out);
            return Ok(());
        }
        self.in_event = true;
        self.event_bytes += line.len();
        if line.first() == Some(&b':') {
            return Ok(()); // comment (keep-alive)
        }
        let line = std::str::from_utf8(line).map_err(|_| SseError::InvalidUtf8)?;
        let (field, value) = match line.split_once(':') {
            Some((field, value)) => (field, value.strip_prefix(' ').unwrap_or(value)),
            None => (line, ""),
        };
        match field {
            "data" => {
                if self.has_data {
                    self.data.push('\n');
                }
                self.data.push_str(value);
                self.has_data = true;
            }
            "event" => self.event = Some(value.to_owned()),
            // An id containing NUL is ignored, per the spec.
            "id" if !value.contains('\0') => self.id = Some(value.to_owned()),
            // `retry` and unknown fields are ignored, per the spec.
            _ => {}
        }
        Ok(())
    }

    fn dispatch(&mut self, out: &mut Vec<SseEvent>) {
        if self.has_data {
            out.push(SseEvent {
                event: self.event.take(),
                data: std::mem::take(&mut self.data),
                id: self.id.take(),
            });
        }
        self.data.clear();
        self.has_data = false;
        self.event = None;
        self.id = None;
        self.event_bytes = 0;
        self.in_event = false;
    }
}

/// A stream of parsed events over a stream of byte chunks: what
/// [`UpstreamStream::events`](crate::UpstreamStream::events) returns, usable
/// over any byte stream.
///
/// Ends after the upstream's byte stream ends (checking it did not stop in
/// the middle of an event); a parse error is yielded once and ends the stream.
pub struct SseStream<S> {
    inner: S,
    parser: SseParser,
    ready: std::collections::VecDeque<SseEvent>,
    scratch: Vec<SseEvent>,
    error: Option<SseError>,
    done: bool,
}

impl<S> SseStream<S> {
    /// Parses `inner`'s bytes with events capped at `max_event_bytes`.
    pub fn new(inner: S, max_event_bytes: usize) -> SseStream<S> {
        SseStream {
            inner,
            parser: SseParser::new(max_event_bytes),
            ready: Default::default(),
            scratch: Vec::new(),
            error: None,
            done: false,
        }
    }
}

impl<S, E> Stream for SseStream<S>
where
    S: Stream<Item = Result<Bytes, E>> + Unpin,
    E: From<SseError>,
{
    type Item = Result<SseEvent, E>;

    fn poll_next(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Option<Self::Item>> {
        let this = &mut *self;
        loop {
            // Events completed before a parse error still go out first.
            if let Some(event) = this.ready.pop_front() {
                return Poll::Ready(Some(Ok(event)));
            }
            if let Some(e) = this.error.take() {
                return Poll::Ready(Some(Err(e.into())));
            }
            if this.done {
                return Poll::Ready(None);
            }
            match Pin::new(&mut this.inner).poll_next(cx) {
                Poll::Pending => return Poll::Pending,
                Poll::Ready(Some(Ok(chunk))) => {
                    let pushed = this.parser.push(&chunk, &mut this.scratch);
                    this.ready.extend(this.scratch.drain(..));
                    if let Err(e) = pushed {
                        this.done = true;
                        this.error = Some(e);
                    }
                }
                Poll::Ready(Some(Err(e))) => {
                    this.done = true;
                    return Poll::Ready(Some(Err(e)));
                }
                Poll::Ready(None) => {
                    this.done = true;
                    this.error = this.parser.finish().err();
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn parse_chunks(chunks: &[&[u8]]) -> Result<Vec<SseEvent>, SseError> {
        let mut p = SseParser::new(1024);
        let mut out = Vec::new();
        for c in chunks {
            p.push(c, &mut out)?;
        }
        p.finish()?;
        Ok(out)
    }

    fn data(events: &[SseEvent]) -> Vec<&str> {
        events.iter().map(|e| e.data.as_str()).collect()
    }

    #[test]
    fn openai_stream() {
        let ev =
            parse_chunks(&[b"data: {\"x\":1}\n\ndata: {\"x\":2}\n\ndata: [DONE]\n\n"]).unwrap();
        assert_eq!(data(&ev), ["{\"x\":1}", "{\"x\":2}", "[DONE]"]);
        assert!(ev[2].is_done() && !ev[0].is_done());
    }

    #[test]
    fn line_endings_crlf_cr_lf_and_split_crlf() {
        for chunks in [
            &[&b"data: a\r\n\r\ndata: b\r\r"[..]][..],
            &[b"data: a\r", b"\n\r", b"\ndata: b\n", b"\n"],
            &[b"data: a\n\ndata: b\r", b"\r"],
            // Regression: an empty chunk between a CR and its LF.
            &[b"data: a\r", b"", b"\n\r\ndata: b\n\n"],
        ] {
            assert_eq!(
                data(&parse_chunks(chunks).unwrap()),
                ["a", "b"],
                "{chunks:?}"
            );
        }
    }

    #[test]
    fn comments_fields_multiline_and_no_space() {
        let ev = parse_chunks(&[
            b": keep-alive\n\nevent: delta\nid: 7\ndata:one\ndata:  two\nretry: 10\nfoo\ndata\n\n",
        ])
        .unwrap();
        assert_eq!(ev.len(), 1);
        assert_eq!(ev[0].data, "one\n two\n");
        assert_eq!(ev[0].event.as_deref(), Some("delta"));
        assert_eq!(ev[0].id.as_deref(), Some("7"));
    }

    #[test]
    fn event_without_data_is_not_dispatched() {
        let ev = parse_chunks(&[b"event: ping\n\n: hi\n\ndata: x\n\n"]).unwrap();
        assert_eq!(data(&ev), ["x"]);
        assert_eq!(ev[0].event, None, "event type is reset by the blank line");
    }

    #[test]
    fn bom_is_skipped_even_when_split() {
        let ev = parse_chunks(&[b"\xEF", b"\xBB", b"\xBFdata: x\n\n"]).unwrap();
        assert_eq!(data(&ev), ["x"]);
        // Only at the very start.
        let ev = parse_chunks(&[b"data: \xEF\xBB\xBFx\n\n"]).unwrap();
        assert_eq!(ev[0].data, "\u{feff}x");
    }

    #[test]
    fn utf8_split_across_chunks_is_fine_and_invalid_is_an_error() {
        let ev = parse_chunks(&[b"data: caf\xC3", b"\xA9\n\n"]).unwrap();
        assert_eq!(ev[0].data, "café");
        assert_eq!(
            parse_chunks(&[b"data: \xff\xfe\n\n"]),
            Err(SseError::InvalidUtf8)
        );
    }

    #[test]
    fn huge_line_without_newline_is_an_error_not_a_buffer() {
        let mut p = SseParser::new(1 << 20);
        let mut out = Vec::new();
        p.push(b"data: ", &mut out).unwrap();
        let block = vec![b'a'; 64 * 1024];
        let mut err = None;
        for _ in 0..(10 * 16) {
            if let Err(e) = p.push(&block, &mut out) {
                err = Some(e);
                break;
            }
            assert!(p.line.len() <= 1 << 20);
        }
        assert_eq!(err, Some(SseError::EventTooLarge { max: 1 << 20 }));
        assert_eq!(p.push(b"\n\n", &mut out), Err(SseError::Failed));
    }

    #[test]
    fn many_small_lines_in_one_event_are_capped_too() {
        let mut p = SseParser::new(100);
        let mut out = Vec::new();
        let r = (0..50).try_for_each(|_| p.push(b"data: 0123456789\n", &mut out));
        assert_eq!(r, Err(SseError::EventTooLarge { max: 100 }));
    }

    #[test]
    fn comments_between_events_do_not_accumulate() {
        let mut p = SseParser::new(100);
        let mut out = Vec::new();
        for _ in 0..1000 {
            p.push(b": keep-alive 0123456789\n\n", &mut out).unwrap();
        }
        p.finish().unwrap();
        assert!(out.is_empty());
    }

    #[test]
    fn truncated_stream_is_reported() {
        assert_eq!(
            parse_chunks(&[b"data: {\"x\""]),
            Err(SseError::UnexpectedEof)
        );
        assert_eq!(parse_chunks(&[b"data: x\n"]), Err(SseError::UnexpectedEof));
        assert_eq!(parse_chunks(&[b"\xEF\xBB"]), Err(SseError::UnexpectedEof));
        assert_eq!(parse_chunks(&[b"data: x\n\n"]).unwrap().len(), 1);
        assert_eq!(parse_chunks(&[b""]).unwrap().len(), 0);
    }

    #[test]
    fn debug_does_not_show_data() {
        let ev = parse_chunks(&[b"data: secret-canary\n\n"]).unwrap();
        assert!(!format!("{ev:?}").contains("canary"));
    }

    #[tokio::test]
    async fn stream_adapter_yields_events_then_errors() {
        use futures::StreamExt;
        let chunks: Vec<Result<Bytes, SseError>> = vec![
            Ok(Bytes::from_static(b"data: a\n\nda")),
            Ok(Bytes::from_static(b"ta: b\n\ndata: \xff\n\n")),
        ];
        let s = SseStream::new(futures::stream::iter(chunks), 1024);
        let got: Vec<_> = s.collect::<Vec<_>>().await;
        assert_eq!(got.len(), 3);
        assert_eq!(got[0].as_ref().unwrap().data, "a");
        assert_eq!(got[1].as_ref().unwrap().data, "b");
        assert_eq!(got[2], Err(SseError::InvalidUtf8));
    }

    /// Events and how to write them, for the chunking property.
    fn arb_stream() -> impl Strategy<Value = (Vec<u8>, Vec<String>)> {
        let line = "[^\r\n]{0,20}";
        let event = (
            prop::collection::vec(line, 1..4),
            prop::option::of("[a-z]{1,8}"),
            any::<bool>(),
        );
        (
            prop::collection::vec(event, 0..8),
            prop::sample::select(vec!["\n", "\r\n", "\r"]),
            any::<bool>(),
        )
            .prop_map(|(events, eol, bom)| {
                let mut bytes = Vec::new();
                if bom {
                    bytes.extend_from_slice(BOM);
                }
                let mut expected = Vec::new();
                for (lines, name, comment) in events {
                    if comment {
                        bytes.extend_from_slice(format!(": ping{eol}").as_bytes());
                    }
                    if let Some(name) = name {
                        bytes.extend_from_slice(format!("event: {name}{eol}").as_bytes());
                    }
                    for l in &lines {
                        bytes.extend_from_slice(format!("data: {l}{eol}").as_bytes());
                    }
                    bytes.extend_from_slice(eol.as_bytes());
                    expected.push(lines.join("\n"));
                }
                (bytes, expected)
            })
    }

    proptest! {
        // Cheap cases; more of them found the empty-chunk-after-CR bug.
        #![proptest_config(ProptestConfig::with_cases(2048))]

        #[test]
        fn any_chunking_parses_to_the_same_events(
            (bytes, expected) in arb_stream(),
            cuts in prop::collection::vec(any::<prop::sample::Index>(), 0..12),
        ) {
            let mut cuts: Vec<usize> = cuts.iter().map(|i| i.index(bytes.len() + 1)).collect();
            cuts.sort_unstable();
            let mut chunks = Vec::new();
            let mut at = 0;
            for c in cuts {
                chunks.push(&bytes[at..c]);
                at = c;
            }
            chunks.push(&bytes[at..]);
            let whole = parse_chunks(&[&bytes]).unwrap();
            let split = parse_chunks(&chunks).unwrap();
            prop_assert_eq!(&whole, &split);
            prop_assert_eq!(data(&whole), expected.iter().map(String::as_str).collect::<Vec<_>>());
        }

        #[test]
        fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..400), cut in 0usize..400) {
            let cut = cut.min(bytes.len());
            let mut p = SseParser::new(64);
            let mut out = Vec::new();
            let _ = p.push(&bytes[..cut], &mut out).and_then(|()| p.push(&bytes[cut..], &mut out));
            let _ = p.finish();
        }
    }
}
