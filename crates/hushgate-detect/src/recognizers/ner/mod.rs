//! Names, places and organisations: gazetteers plus context.
//!
//! PERSON lives in [`person`]; its word [`tokenize`]r and the embedded
//! [`gazetteer`] lists can be reused by other text recognizers.
use std::sync::Arc;

use crate::options::DetectOptions;
use crate::recognizer::TextRecognizer;

pub mod gazetteer;
pub mod keywords;
pub mod person;
pub mod tokenize;

pub(crate) fn recognizers(_o: &DetectOptions) -> Vec<Arc<dyn TextRecognizer>> {
    vec![Arc::new(person::PersonRecognizer::new())]
}
