//! Names, places and organisations: gazetteers plus context.
use std::sync::Arc;

use crate::options::DetectOptions;
use crate::recognizer::TextRecognizer;

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn TextRecognizer>> {
    Vec::new()
}
