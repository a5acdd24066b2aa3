"""The official OpenAI Python SDK against a running Hushgate, one phase per run.

Run by ../sdk.rs with the pinned SDK of requirements.txt; the gateway runs as a
real process in front of a provider double whose behaviour the Rust side sets
before each phase:

  chat            the double echoes the user's text, streamed every 3 bytes
  tools           the double answers with a tool call echoing the text as arguments
  upstream_error  the double answers 500
  upstream_rate_limit  the double answers 429

Environment: HUSHGATE_BASE_URL (http://ADDR/v1), HUSHGATE_KEY, HUSHGATE_E2E_TEXT
(a text full of sensitive values), HUSHGATE_E2E_MAX_MESSAGES (the gateway's
[server] max_messages). Exits non-zero, naming the failed check, on any failure.
"""

import json
import os
import sys
import traceback

import openai

BASE_URL = os.environ["HUSHGATE_BASE_URL"]
KEY = os.environ["HUSHGATE_KEY"]
TEXT = os.environ["HUSHGATE_E2E_TEXT"]
MAX_MESSAGES = int(os.environ["HUSHGATE_E2E_MAX_MESSAGES"])
CHAT_MODEL = "gpt-4o-mini"
EMBEDDING_MODEL = "text-embedding-3-small"

# No SDK retries: every status is asserted as the gateway sent it, at once.
client = openai.OpenAI(base_url=BASE_URL, api_key=KEY, max_retries=0, timeout=30)


class CheckFailed(Exception):
    pass


def check(cond, what, got=None):
    if not cond:
        raise CheckFailed(what if got is None else f"{what}; got {got!r}")


def user(text):
    return [{"role": "user", "content": text}]


def expect_error(cls, status, call, what):
    """`call()` must raise the SDK's `cls` with HTTP `status` and an OpenAI error body."""
    try:
        call()
    except cls as e:
        check(e.status_code == status, f"{what}: status {status}", e.status_code)
        check(isinstance(e.body, dict) and isinstance(e.body.get("message"), str),
              f"{what}: OpenAI error body", e.body)
        check(TEXT not in str(e) and TEXT not in json.dumps(e.body),
              f"{what}: the error echoes the prompt", str(e))
        return e
    except openai.APIStatusError as e:
        raise CheckFailed(f"{what}: expected {cls.__name__} ({status}), got "
                          f"{type(e).__name__} ({e.status_code}): {e}") from e
    raise CheckFailed(f"{what}: expected {cls.__name__} ({status}), but the call succeeded")


# --- chat phase ---------------------------------------------------------------------------

def chat_non_streaming():
    r = client.chat.completions.create(model=CHAT_MODEL, messages=user(TEXT))
    check(r.object == "chat.completion", "chat: object", r.object)
    check(r.choices[0].message.role == "assistant", "chat: role", r.choices[0].message.role)
    check(r.choices[0].message.content == TEXT,
          "chat: the answer has the original values restored", r.choices[0].message.content)
    check(r.usage is not None and r.usage.total_tokens > 0, "chat: usage", r.usage)


def chat_streaming():
    stream = client.chat.completions.create(
        model=CHAT_MODEL, messages=user(TEXT), stream=True,
        stream_options={"include_usage": True})
    parts, usage, chunks = [], None, 0
    for chunk in stream:
        chunks += 1
        check(chunk.object == "chat.completion.chunk", "stream: object", chunk.object)
        for c in chunk.choices:
            if c.delta.content:
                parts.append(c.delta.content)
        if chunk.usage is not None:
            check(chunk.choices == [], "stream: the usage chunk has no choices", chunk.choices)
            usage = chunk.usage
    text = "".join(parts)
    check(text == TEXT, "stream: reassembled text has the original values restored", text)
    # Chunks of 3 bytes: many deltas, so placeholders were split across them upstream.
    check(len(parts) > 10, "stream: the answer arrived in many deltas", len(parts))
    check(usage is not None and usage.total_tokens > 0,
          "stream: include_usage gives a usage chunk", usage)


def completions():
    r = client.completions.create(model=CHAT_MODEL, prompt=TEXT)
    check(r.object == "text_completion", "completions: object", r.object)
    check(r.choices[0].text == TEXT, "completions: restored", r.choices[0].text)
    text = "".join(c.choices[0].text for c in
                   client.completions.create(model=CHAT_MODEL, prompt=TEXT, stream=True)
                   if c.choices)
    check(text == TEXT, "completions (stream): restored", text)


def embeddings():
    r = client.embeddings.create(model=EMBEDDING_MODEL, input=[TEXT, "plain words"])
    check(len(r.data) == 2, "embeddings: one per input", len(r.data))
    check([d.index for d in r.data] == [0, 1], "embeddings: indexes", [d.index for d in r.data])
    for d in r.data:
        check(len(d.embedding) > 0 and all(isinstance(x, float) for x in d.embedding),
              "embeddings: float vectors", d.embedding[:4])
    r = client.embeddings.create(model=EMBEDDING_MODEL, input=TEXT)
    check(len(r.data) == 1, "embeddings: a single string input", len(r.data))


def models():
    ids = [m.id for m in client.models.list()]
    check(CHAT_MODEL in ids and EMBEDDING_MODEL in ids, "models: the aliases are listed", ids)
    for m in client.models.list().data:
        check(m.object == "model", "models: object", m.object)


def errors():
    bad = openai.OpenAI(base_url=BASE_URL, api_key="hg_0000000000000000_not-a-real-key-at-all",
                        max_retries=0)
    expect_error(openai.AuthenticationError, 401,
                 lambda: bad.chat.completions.create(model=CHAT_MODEL, messages=user("hi")),
                 "bad key")
    expect_error(openai.AuthenticationError, 401, lambda: bad.models.list(), "bad key (models)")
    e = expect_error(openai.NotFoundError, 404,
                     lambda: client.chat.completions.create(model="gpt-5-turbo",
                                                            messages=user(TEXT)),
                     "unknown model")
    check(e.code == "model_not_found", "unknown model: code", e.code)
    e = expect_error(openai.BadRequestError, 400,
                     lambda: client.chat.completions.create(
                         model=CHAT_MODEL, messages=user("x") * (MAX_MESSAGES + 1)),
                     "too many messages")
    check(e.param == "messages", "too many messages: param", e.param)
    # `omit` drops the field from the body: a request without `model`.
    e = expect_error(openai.BadRequestError, 400,
                     lambda: client.chat.completions.create(model=openai.omit,
                                                            messages=user("hi")),
                     "missing model")
    check(e.param == "model", "missing model: param", e.param)


# --- tools phase --------------------------------------------------------------------------

TOOLS = [{"type": "function", "function": {
    "name": "send_note", "description": "Sends a note to a patient",
    "parameters": {"type": "object", "properties": {"text": {"type": "string"}},
                   "required": ["text"]}}}]


def tool_args_ok(args, what):
    try:
        parsed = json.loads(args)
    except json.JSONDecodeError as e:
        raise CheckFailed(f"{what}: arguments are not JSON ({e}): {args!r}") from e
    check(parsed == {"text": TEXT}, f"{what}: arguments hold the original values", parsed)


def tool_calls_non_streaming():
    r = client.chat.completions.create(model=CHAT_MODEL, messages=user(TEXT), tools=TOOLS)
    calls = r.choices[0].message.tool_calls
    check(calls and len(calls) == 1, "tools: one tool call", calls)
    check(calls[0].function.name == "send_note", "tools: name", calls[0].function.name)
    check(r.choices[0].finish_reason == "tool_calls", "tools: finish_reason",
          r.choices[0].finish_reason)
    tool_args_ok(calls[0].function.arguments, "tools")


def tool_calls_streaming():
    stream = client.chat.completions.create(model=CHAT_MODEL, messages=user(TEXT), tools=TOOLS,
                                            stream=True)
    args, names, deltas = {}, {}, 0
    for chunk in stream:
        for c in chunk.choices:
            for tc in c.delta.tool_calls or []:
                deltas += 1
                if tc.function and tc.function.name:
                    names[tc.index] = tc.function.name
                if tc.function and tc.function.arguments:
                    args[tc.index] = args.get(tc.index, "") + tc.function.arguments
    check(list(args) == [0], "tools (stream): one tool call", list(args))
    check(names.get(0) == "send_note", "tools (stream): name", names)
    check(deltas > 10, "tools (stream): arguments arrived in many deltas", deltas)
    tool_args_ok(args[0], "tools (stream)")


# --- upstream_error phase -----------------------------------------------------------------

def upstream_error():
    e = expect_error(openai.InternalServerError, 502,
                     lambda: client.chat.completions.create(model=CHAT_MODEL,
                                                            messages=user(TEXT)),
                     "upstream failure")
    check(isinstance(e, openai.APIStatusError), "upstream failure: APIStatusError", type(e))
    expect_error(openai.InternalServerError, 502,
                 lambda: list(client.chat.completions.create(model=CHAT_MODEL,
                                                             messages=user(TEXT), stream=True)),
                 "upstream failure (stream)")


def upstream_rate_limit():
    e = expect_error(openai.RateLimitError, 429,
                     lambda: client.chat.completions.create(model=CHAT_MODEL,
                                                            messages=user(TEXT)),
                     "upstream rate limit")
    check(e.response.headers.get("retry-after") is not None, "upstream rate limit: retry-after",
          dict(e.response.headers))


PHASES = {
    "chat": [chat_non_streaming, chat_streaming, completions, embeddings, models, errors],
    "tools": [tool_calls_non_streaming, tool_calls_streaming],
    "upstream_error": [upstream_error],
    "upstream_rate_limit": [upstream_rate_limit],
}


def main():
    phase = sys.argv[1] if len(sys.argv) > 1 else ""
    if phase not in PHASES:
        print(f"usage: openai_sdk.py {{{','.join(PHASES)}}}", file=sys.stderr)
        return 2
    print(f"openai {openai.__version__}, phase {phase}", file=sys.stderr)
    failed = 0
    for step in PHASES[phase]:
        try:
            step()
            print(f"  ok    {step.__name__}", file=sys.stderr)
        except CheckFailed as e:
            failed += 1
            print(f"  FAIL  {step.__name__}: {e}", file=sys.stderr)
        except Exception:  # an SDK error where none was expected
            failed += 1
            print(f"  FAIL  {step.__name__}: unexpected exception\n{traceback.format_exc()}",
                  file=sys.stderr)
    if failed:
        print(f"{failed} check(s) failed in phase {phase}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
