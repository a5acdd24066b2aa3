//! `hushgate-double`: the provider double as a standalone process, for
//! scripts (load benchmarks) that need an upstream without a test harness.
//!
//! ```sh
//! hushgate-double [--port N] [--chunk N] [--threads N]
//! ```
//!
//! Serves OpenAI's wire format on `127.0.0.1:PORT` (port 0, the default,
//! picks a free one) with [`Behaviour::echo`]: answers repeat the last user
//! message. Streamed answers are split every `--chunk` bytes (default: one
//! delta per word). Prints its base URL (`http://127.0.0.1:PORT/v1`) on
//! stdout, then serves until killed. Received requests are forgotten every
//! second, so memory stays flat under load.

use std::net::{Ipv4Addr, SocketAddr};
use std::process::ExitCode;
use std::time::Duration;

use hushgate_testkit::{Behaviour, ProviderDouble};

const USAGE: &str = "usage: hushgate-double [--port N] [--chunk N] [--threads N]

  --port N     loopback port to listen on (default 0: a free port)
  --chunk N    split streamed answers every N bytes (default: one delta per word)
  --threads N  async runtime worker threads (default 1)

Echoes the last user message in OpenAI's wire format (chat, completions,
embeddings, models; streaming too). Prints its base URL, serves until killed.";

struct Args {
    port: u16,
    chunk: Option<usize>,
    threads: usize,
}

fn parse(mut argv: impl Iterator<Item = String>) -> Result<Args, String> {
    let mut args = Args {
        port: 0,
        chunk: None,
        threads: 1,
    };
    while let Some(flag) = argv.next() {
        if flag == "-h" || flag == "--help" {
            return Err(String::new());
        }
        let value = argv.next().ok_or_else(|| format!("{flag} needs a value"))?;
        let bad = |_| format!("{flag}: not a number: {value:?}");
        match flag.as_str() {
            "--port" => args.port = value.parse().map_err(bad)?,
            "--chunk" => args.chunk = Some(value.parse().map_err(bad)?),
            "--threads" => args.threads = value.parse::<usize>().map_err(bad)?.max(1),
            _ => return Err(format!("unknown option {flag}")),
        }
    }
    Ok(args)
}

fn main() -> ExitCode {
    let args = match parse(std::env::args().skip(1)) {
        Ok(a) => a,
        Err(e) if e.is_empty() => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(e) => {
            eprintln!("hushgate-double: {e}\n\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.threads)
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => {
            eprintln!("hushgate-double: cannot start the runtime: {e}");
            return ExitCode::FAILURE;
        }
    };
    runtime.block_on(async {
        let behaviour = match args.chunk {
            Some(n) => Behaviour::echo().chunked(n),
            None => Behaviour::echo(),
        };
        let addr = SocketAddr::from((Ipv4Addr::LOCALHOST, args.port));
        let double = match ProviderDouble::start_on(addr, behaviour).await {
            Ok(d) => d,
            Err(e) => {
                eprintln!("hushgate-double: cannot listen on {addr}: {e}");
                return ExitCode::FAILURE;
            }
        };
        println!("{}", double.base_url());
        loop {
            tokio::time::sleep(Duration::from_secs(1)).await;
            double.clear_requests();
        }
    })
}
