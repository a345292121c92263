//! Where the bytes of case files live: one interface (`object_store`) over a folder on this
//! machine (the default, beside the SQLite file) or S3-compatible storage (AWS S3, MinIO, Ceph,
//! Alibaba OSS and Huawei OBS in their S3 mode). Files are written once under a fresh key (or,
//! for a citizen's photos, a key made of their checksum) and never changed, so copying the
//! folder after a database backup keeps every file that backup names.

use std::path::Path;
use std::sync::Arc;

use object_store::aws::AmazonS3Builder;
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

    /// Files in the S3-compatible bucket `bucket`. `endpoint` is the service's URL (none: AWS
    /// itself), `region` its region (none: `AWS_DEFAULT_REGION`, else `us-east-1`). The
    /// credentials come from the environment only (`AWS_ACCESS_KEY_ID`,
    /// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`), never from a settings file, and are never
    /// written to a log.
    pub fn in_s3(
        bucket: &str,
        endpoint: Option<&str>,
        region: Option<&str>,
    ) -> anyhow::Result<Files> {
        let mut builder = AmazonS3Builder::from_env().with_bucket_name(bucket);
        if let Some(endpoint) = endpoint {
            // Another service than AWS: path-style requests (`endpoint/bucket/key`), which
            // every S3-compatible server answers; plain HTTP only if the URL says so.
            builder = builder
                .with_endpoint(endpoint)
                .with_virtual_hosted_style_request(false)
                .with_allow_http(endpoint.starts_with("http://"));
        }
        if let Some(region) = region {
            builder = builder.with_region(region);
        }
        let store = builder
            .build()
            .map_err(|e| anyhow::anyhow!("cannot use the S3 bucket {bucket} for files: {e}"))?;
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

    /// Every key under `prefix` (all with `""`), sorted: for checks that a refused upload
    /// left nothing behind, and for operators comparing the store with the database.
    pub async fn keys(&self, prefix: &str) -> ServiceResult<Vec<String>> {
        use futures_util::TryStreamExt;
        let prefix = (!prefix.is_empty()).then(|| ObjectPath::from(prefix));
        let mut keys: Vec<String> = self
            .store()?
            .list(prefix.as_ref())
            .map_ok(|meta| meta.location.to_string())
            .try_collect()
            .await
            .map_err(ServiceError::internal)?;
        keys.sort();
        Ok(keys)
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

#[cfg(test)]
mod tests {
    use super::*;

    async fn round_trip(files: &Files) {
        let key = format!("test/{}", hex::encode(rand::random::<[u8; 8]>()));
        let bytes = "现场照片".as_bytes().to_vec();
        files.put(&key, bytes.clone()).await.expect("put");
        // Written again under the same key (a retried report): harmless.
        files.put(&key, bytes.clone()).await.expect("put again");
        assert_eq!(files.get(&key).await.expect("get"), bytes);
        assert!(files.get("test/missing").await.is_err());
        assert!(files.keys("test").await.expect("keys").contains(&key));
    }

    #[tokio::test]
    async fn a_folder_keeps_what_is_put() {
        let dir = tempfile::tempdir().expect("temp dir");
        round_trip(&Files::in_folder(dir.path()).expect("folder")).await;
        round_trip(&Files::in_memory()).await;
        let none = Files::default();
        assert!(matches!(
            none.put("a", vec![1]).await,
            Err(ServiceError::Unavailable(_))
        ));
    }

    /// `GREENLINE_TEST_S3_URL` is `http://host:port/bucket` of an S3-compatible server whose
    /// bucket exists (`.ci/run` starts moto's server); the credentials are the environment's
    /// `AWS_ACCESS_KEY_ID` and `AWS_SECRET_ACCESS_KEY` (any pair for moto).
    #[tokio::test]
    #[ignore = "needs an S3-compatible server: run by .ci/run with GREENLINE_TEST_S3_URL"]
    async fn an_s3_bucket_keeps_what_is_put() {
        let url = std::env::var("GREENLINE_TEST_S3_URL")
            .expect("GREENLINE_TEST_S3_URL names an S3-compatible server and bucket");
        let (endpoint, bucket) = url
            .trim_end_matches('/')
            .rsplit_once('/')
            .expect("the URL ends with the bucket");
        for key in ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] {
            assert!(
                std::env::var_os(key).is_some(),
                "{key} is set (any value for moto)"
            );
        }
        let files = Files::in_s3(bucket, Some(endpoint), Some("us-east-1")).expect("s3");
        round_trip(&files).await;
    }
}
