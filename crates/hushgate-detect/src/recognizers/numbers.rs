use std::sync::Arc;

use crate::options::DetectOptions;
use crate::recognizer::PatternRecognizer;

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn PatternRecognizer>> {
    Vec::new()
}
