//! Streaming SHA-256 of files.

use std::fs::File;
use std::io::Read;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::error::{CoreError, CoreResult};

/// Hex SHA-256 of a file, read in 256 KiB chunks.
pub fn sha256_file(path: &Path) -> CoreResult<String> {
    let display = path.display().to_string();
    let mut file = File::open(path).map_err(|e| CoreError::io(&display, e))?;
    let mut hasher = Sha256::new();
    let mut buf = vec![0u8; 256 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| CoreError::io(&display, e))?;
        if n == 0 {
            break;
        }
        hasher.update(&buf[..n]);
    }
    Ok(hex::encode(hasher.finalize()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn hashes_known_content() {
        let mut f = tempfile::NamedTempFile::new().expect("temp file");
        f.write_all(b"abc").expect("write");
        let h = sha256_file(f.path()).expect("hash");
        assert_eq!(h, "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    }

    #[test]
    fn missing_file_is_io_error() {
        let err = sha256_file(Path::new("/nonexistent/zephyr/file")).unwrap_err();
        assert_eq!(err.code(), "ZE_IO");
    }
}
