//! A `hushgate serve` child process for end-to-end tests: started on a free loopback port,
//! its stderr drained for its whole life (so logging never blocks it), killed and reaped on
//! drop, also when a test panics. Shared by tests/common and tests/e2e.

use std::io::{BufRead, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

pub struct Served {
    child: Child,
    /// `http://127.0.0.1:PORT/v1`
    pub base: String,
    log: Arc<Mutex<String>>,
}

impl Served {
    /// Spawns `cmd` (a `hushgate … serve --listen 127.0.0.1:0` command); the receiver gets
    /// the base URL once it listens. Spawn several, then [`Served::wait`] each, to start
    /// replicas at the same moment.
    pub fn spawn(mut cmd: Command) -> (Served, Receiver<String>) {
        let mut child = cmd
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let stderr = child.stderr.take().unwrap();
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = channel();
        let sink = Arc::clone(&log);
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).split(b'\n') {
                let Ok(line) = line else { break };
                let line = String::from_utf8_lossy(&line);
                if let Some((_, url)) = line.split_once(" listening on ") {
                    let _ = tx.send(url.trim().to_owned());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let served = Served {
            child,
            base: String::new(),
            log,
        };
        (served, rx)
    }

    /// Spawns `cmd` and waits (at most 30 s) until it listens.
    pub fn start(cmd: Command) -> Served {
        let (served, rx) = Served::spawn(cmd);
        served.wait(rx)
    }

    /// Waits (at most 30 s) for the address a spawned gateway prints.
    pub fn wait(mut self, rx: Receiver<String>) -> Served {
        match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(base) => self.base = base,
            Err(_) => {
                let status = self.child.try_wait().unwrap();
                panic!(
                    "hushgate serve did not print its address within 30 s (exit: {status:?}); \
                     stderr:\n{}",
                    self.log()
                );
            }
        }
        assert!(
            self.base.starts_with("http://127.0.0.1:") && self.base.ends_with("/v1"),
            "{}",
            self.base
        );
        self
    }

    /// What the gateway wrote on stderr so far.
    pub fn log(&self) -> String {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Panics (with the log) if the gateway exited.
    pub fn assert_running(&mut self) {
        if let Some(status) = self.child.try_wait().unwrap() {
            panic!("hushgate serve exited ({status}); stderr:\n{}", self.log());
        }
    }

    /// SIGKILL (`Child::kill` on unix), and reap.
    pub fn kill9(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM through the `kill` utility, then waits (at most 20 s) for the exit.
    pub fn terminate(&mut self) -> ExitStatus {
        let pid = self.child.id().to_string();
        let sent = Command::new("kill").args(["-TERM", &pid]).status().unwrap();
        assert!(sent.success(), "kill -TERM {pid} failed");
        let deadline = Instant::now() + Duration::from_secs(20);
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                return status;
            }
            assert!(
                Instant::now() < deadline,
                "the gateway did not stop within 20 s of SIGTERM:\n{}",
                self.log()
            );
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

impl Drop for Served {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
