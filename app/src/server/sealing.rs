//! Secrets the server must read back, such as the passwords of the IMAP mailboxes it polls,
//! are sealed before they are stored: a copy of the database, or a backup of it, does not give
//! them away without the key, which lives in a file of its own.

use base64::{Engine, engine::general_purpose::STANDARD};
use ring::{
    aead::{Aad, CHACHA20_POLY1305, LessSafeKey, NONCE_LEN, Nonce, UnboundKey},
    rand::{SecureRandom, SystemRandom},
};
use std::{fs, io::Write, path::Path};

const KEY_LEN: usize = 32;

#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("could not read the key file {path}: {source}")]
    Read { path: String, source: std::io::Error },
    #[error("could not create the key file {path}: {source}")]
    Create { path: String, source: std::io::Error },
    #[error("the key file {path} does not hold a key: it should be one line of base64 for {KEY_LEN} bytes")]
    Malformed { path: String },
}

/// The key that seals and opens stored secrets (ChaCha20-Poly1305, a fresh nonce per seal).
pub struct SealingKey(LessSafeKey);

impl SealingKey {
    /// A new random key, for a server that keeps none (tests) or a first start.
    pub fn generate() -> Self {
        Self::from_bytes(&random::<KEY_LEN>())
    }

    /// Reads the key at `path`, or creates it there, readable by its owner only, when the
    /// file does not exist yet. Every node of one database must be given the same file.
    pub fn load_or_create(path: &Path) -> Result<Self, KeyError> {
        match fs::read_to_string(path) {
            Err(error) if error.kind() == std::io::ErrorKind::NotFound => match create(path) {
                Ok(key) => Ok(key),
                // Another server of the same database made it first: use theirs.
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => Self::load_or_create(path),
                Err(source) => Err(KeyError::Create { path: path.display().to_string(), source }),
            },
            Err(source) => Err(KeyError::Read { path: path.display().to_string(), source }),
            Ok(text) => STANDARD
                .decode(text.trim())
                .ok()
                .and_then(|bytes| <[u8; KEY_LEN]>::try_from(bytes).ok())
                .map(|bytes| Self::from_bytes(&bytes))
                .ok_or_else(|| KeyError::Malformed { path: path.display().to_string() }),
        }
    }

    fn from_bytes(bytes: &[u8; KEY_LEN]) -> Self {
        Self(LessSafeKey::new(UnboundKey::new(&CHACHA20_POLY1305, bytes).expect("a ChaCha20-Poly1305 key is 32 bytes")))
    }

    /// `secret` sealed for storage: base64 of the nonce, the ciphertext and its tag.
    pub fn seal(&self, secret: &str) -> String {
        let nonce = random::<NONCE_LEN>();
        let mut sealed = secret.as_bytes().to_vec();
        self.0
            .seal_in_place_append_tag(Nonce::assume_unique_for_key(nonce), Aad::empty(), &mut sealed)
            .expect("a secret is far shorter than ChaCha20-Poly1305's limit");
        STANDARD.encode([nonce.as_slice(), &sealed].concat())
    }

    /// The secret inside `sealed`, or `None` when it was sealed with another key or altered.
    pub fn open(&self, sealed: &str) -> Option<String> {
        let mut bytes = STANDARD.decode(sealed).ok()?;
        if bytes.len() < NONCE_LEN {
            return None;
        }
        let mut ciphertext = bytes.split_off(NONCE_LEN);
        let nonce = Nonce::try_assume_unique_for_key(&bytes).ok()?;
        let secret = self.0.open_in_place(nonce, Aad::empty(), &mut ciphertext).ok()?;
        String::from_utf8(secret.to_vec()).ok()
    }
}

fn random<const N: usize>() -> [u8; N] {
    let mut bytes = [0; N];
    SystemRandom::new().fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// Writes a new key beside `path`, then links it into place: whoever reads `path` sees a
/// whole key or none, and of two servers creating it at once, one wins.
fn create(path: &Path) -> std::io::Result<SealingKey> {
    if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
        fs::create_dir_all(dir)?;
    }
    let bytes = random::<KEY_LEN>();
    let draft = path.with_extension(format!("new-{}", std::process::id()));
    let mut options = fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let written = options.open(&draft).and_then(|mut file| file.write_all(format!("{}\n", STANDARD.encode(bytes)).as_bytes()));
    let linked = written.and_then(|()| fs::hard_link(&draft, path));
    let _ = fs::remove_file(&draft);
    linked?;
    tracing::info!(path = %path.display(), "created the key that seals stored secrets: back it up apart from the database");
    Ok(SealingKey::from_bytes(&bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_sealed_secret_opens_only_with_its_key_and_unaltered() {
        let key = SealingKey::generate();
        let sealed = key.seal("hunter2 ünïcode");
        assert!(!sealed.contains("hunter2"));
        assert_ne!(sealed, key.seal("hunter2 ünïcode"), "each seal has its own nonce");
        assert_eq!(key.open(&sealed).as_deref(), Some("hunter2 ünïcode"));
        assert_eq!(SealingKey::generate().open(&sealed), None, "another key");
        let mut altered = STANDARD.decode(&sealed).unwrap();
        *altered.last_mut().unwrap() ^= 1;
        assert_eq!(key.open(&STANDARD.encode(altered)), None, "altered");
        assert_eq!(key.open("not base64!"), None);
        assert_eq!(key.open(""), None);
    }

    #[test]
    fn the_key_file_is_created_once_then_read_back() {
        let dir = std::env::temp_dir().join(format!("helpdesk-sealing-{}", std::process::id()));
        let path = dir.join("keys/helpdesk.key");
        let sealed = SealingKey::load_or_create(&path).unwrap().seal("s3cret");
        assert_eq!(SealingKey::load_or_create(&path).unwrap().open(&sealed).as_deref(), Some("s3cret"));
        #[cfg(unix)]
        assert_eq!(std::os::unix::fs::PermissionsExt::mode(&fs::metadata(&path).unwrap().permissions()) & 0o777, 0o600);
        fs::write(&path, "too short").unwrap();
        assert!(matches!(SealingKey::load_or_create(&path), Err(KeyError::Malformed { .. })));
        fs::remove_dir_all(dir).unwrap();
    }
}
