//! Where the bytes of case files live: one interface (`object_store`) over a folder on this
//! machine (the default, beside the SQLite file) or, later, S3-compatible storage. Files are
//! written once under a fresh key and never changed, so copying the folder after a database
//! backup keeps every file that backup names.

use std::path::Path;
use std::sync::Arc;

use object_store::local::LocalFileSystem;
use object_store::memory::InMemory;
use object_store::path::Path as ObjectPath;
use object_store::{ObjectStore, ObjectStoreExt, PutPayload};

use crate::error::{ServiceError, ServiceResult};

/// The file store, or none: without one, uploads are refused and nothing is kept half.
#[derive(Clone, Default)]
pub struct Files(Option<Arc<dyn ObjectStore>>);

impl std::fmt::Debug for Files {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.0 {
            Some(store) => write!(f, "Files({store})"),
            None => f.write_str("Files(none)"),
        }
    }
}

impl Files {
    /// Files in `dir` (created if missing).
    pub fn in_folder(dir: &Path) -> anyhow::Result<Files> {
        std::fs::create_dir_all(dir)
            .map_err(|e| anyhow::anyhow!("cannot create the file folder {}: {e}", dir.display()))?;
        let store = LocalFileSystem::new_with_prefix(dir)
            .map_err(|e| anyhow::anyhow!("cannot use {} for files: {e}", dir.display()))?;
        Ok(Files(Some(Arc::new(store))))
    }

    /// Files in memory, gone when the process ends: for tests.
    pub fn in_memory() -> Files {
        Files(Some(Arc::new(InMemory::new())))
    }

    fn store(&self) -> ServiceResult<&Arc<dyn ObjectStore>> {
        self.0.as_ref().ok_or_else(|| {
            ServiceError::Unavailable(
                "no file store is set up (setting files_dir); files cannot be kept".to_owned(),
            )
        })
    }

    /// Writes `bytes` under `key`.
    pub(crate) async fn put(&self, key: &str, bytes: Vec<u8>) -> ServiceResult<()> {
        self.store()?
            .put(&ObjectPath::from(key), PutPayload::from(bytes))
            .await
            .map_err(ServiceError::internal)?;
        Ok(())
    }

    /// The bytes under `key`.
    pub(crate) async fn get(&self, key: &str) -> ServiceResult<Vec<u8>> {
        let got = self
            .store()?
            .get(&ObjectPath::from(key))
            .await
            .map_err(ServiceError::internal)?;
        Ok(got.bytes().await.map_err(ServiceError::internal)?.to_vec())
    }
}
