//! Compiled payload schemas per event type, so publishing does not read the
//! catalog and compile a schema for every event. An entry is trusted for a
//! short time (`TTL`): a change made through this node applies at once, one
//! made through another node within `TTL`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use herald_store::{EventType, Store, StoreError};

use crate::error::ApiError;

const TTL: Duration = Duration::from_secs(1);

type Entry = (Instant, Option<Arc<CompiledType>>);

pub struct CompiledType {
    pub event_type: EventType,
    pub validator: jsonschema::Validator,
}

#[derive(Default)]
pub struct SchemaCache {
    entries: Mutex<HashMap<String, Entry>>,
}

impl SchemaCache {
    /// The event type's compiled schema, or `None` when the type is not in
    /// the catalog or has no schema.
    pub async fn get(&self, store: &dyn Store, name: &str) -> Result<Option<Arc<CompiledType>>, ApiError> {
        if let Some((at, hit)) = self.entries.lock().map_err(|_| ApiError::internal())?.get(name) {
            if at.elapsed() < TTL {
                return Ok(hit.clone());
            }
        }
        let compiled = match store.get_event_type(name).await {
            Ok(et) => match &et.schema {
                Some(schema) => {
                    let validator = jsonschema::validator_for(schema).map_err(|e| {
                        tracing::error!(event_type = %et.name, error = %e, "stored schema does not compile");
                        ApiError::internal()
                    })?;
                    Some(Arc::new(CompiledType { event_type: et, validator }))
                }
                None => None,
            },
            Err(StoreError::NotFound(_)) => None,
            Err(e) => return Err(e.into()),
        };
        self.entries
            .lock()
            .map_err(|_| ApiError::internal())?
            .insert(name.to_owned(), (Instant::now(), compiled.clone()));
        Ok(compiled)
    }

    pub fn forget(&self, name: &str) {
        if let Ok(mut entries) = self.entries.lock() {
            entries.remove(name);
        }
    }
}
