pub mod scan;

use std::path::Path;

use anyhow::Context;
use hushgate_config::Config;
use hushgate_detect::Engine;

/// Loads the config (or the defaults) and builds the detection engine.
pub fn engine(config: Option<&Path>, threshold: Option<f32>) -> anyhow::Result<Engine> {
    let mut cfg = match config {
        Some(path) => Config::load(path)?,
        None => Config::default(),
    };
    if let Some(t) = threshold {
        cfg.detection.threshold = t;
    }
    Engine::with_options(&cfg.detection).context("cannot build the detection engine")
}
