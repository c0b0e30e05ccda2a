//! `manifest.sig`: who sealed an evidence folder.
//!
//! The manifest's hashes show that no file changed since the manifest was written — unless
//! whoever changed a file wrote a new manifest too. An Ed25519 signature over the manifest's
//! bytes, checked against a public key the reader already trusts, closes that gap: these files
//! came from the holder of that key, unchanged. It does not prove *when* they were sealed (the
//! times inside are the sealer's word); an RFC 3161 timestamp over the same bytes would.
//!
//! Keys are PEM files in the formats OpenSSL uses (PKCS#8 private, SPKI public), so
//! `openssl genpkey -algorithm ed25519` makes one as well as `vedetta evidence keygen`.

use std::fs;
use std::io::{self, Write};
use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD as BASE64;
use ed25519_dalek::pkcs8::{DecodePrivateKey, DecodePublicKey, EncodePrivateKey, EncodePublicKey};
use ed25519_dalek::{Signature, Signer as _, SigningKey, VerifyingKey};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::manifest::MANIFEST_FILE;

/// The signature's file name, beside the manifest.
pub const SIGNATURE_FILE: &str = "manifest.sig";
const ALGORITHM: &str = "ed25519";

/// What `manifest.sig` holds.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
struct SignatureFile {
    algorithm: String,
    /// [`key_id`] of the key that signed.
    key_id: String,
    /// The signer's public key, raw 32 bytes in base64: whoever holds the folder can see which
    /// key signed it; whether to trust that key is the reader's call (`verify --key`).
    public_key: String,
    /// Over the exact bytes of `manifest.json`, base64.
    signature: String,
}

/// A key that could not be used.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    #[error("cannot read {}: {source}", path.display())]
    Read { path: PathBuf, source: io::Error },
    #[error("{} is not an Ed25519 {what} key in PEM (make one with `vedetta evidence keygen`)", path.display())]
    Format { path: PathBuf, what: &'static str },
    #[error("cannot write {}: {source}", path.display())]
    Write { path: PathBuf, source: io::Error },
}

/// The private half, for sealing.
#[derive(Clone)]
pub struct SealKey(SigningKey);

impl std::fmt::Debug for SealKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SealKey({})", key_id(&self.0.verifying_key()))
    }
}

impl SealKey {
    /// Reads a PKCS#8 PEM private key (`-----BEGIN PRIVATE KEY-----`).
    pub fn load(path: &Path) -> Result<SealKey, KeyError> {
        let pem = read_key_file(path)?;
        SigningKey::from_pkcs8_pem(&pem)
            .map(SealKey)
            .map_err(|_| KeyError::Format {
                path: path.to_path_buf(),
                what: "private",
            })
    }

    pub fn key_id(&self) -> String {
        key_id(&self.0.verifying_key())
    }
}

/// The public half, for checking.
#[derive(Debug, Clone)]
pub struct TrustedKey(VerifyingKey);

impl TrustedKey {
    /// Reads an SPKI PEM public key (`-----BEGIN PUBLIC KEY-----`).
    pub fn load(path: &Path) -> Result<TrustedKey, KeyError> {
        let pem = read_key_file(path)?;
        VerifyingKey::from_public_key_pem(&pem)
            .map(TrustedKey)
            .map_err(|_| KeyError::Format {
                path: path.to_path_buf(),
                what: "public",
            })
    }

    pub fn key_id(&self) -> String {
        key_id(&self.0)
    }
}

/// A short, stable name for a public key: `ed25519:` and the first 16 hex digits of the
/// SHA-256 of its 32 bytes.
pub fn key_id(key: &VerifyingKey) -> String {
    let digest = Sha256::digest(key.as_bytes());
    let hex: String = digest[..8].iter().map(|b| format!("{b:02x}")).collect();
    format!("{ALGORITHM}:{hex}")
}

fn read_key_file(path: &Path) -> Result<String, KeyError> {
    // Key files are a few hundred bytes; anything larger is not one.
    let meta = fs::metadata(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })?;
    if !meta.is_file() || meta.len() > 16 * 1024 {
        return Err(KeyError::Format {
            path: path.to_path_buf(),
            what: "PEM",
        });
    }
    fs::read_to_string(path).map_err(|source| KeyError::Read {
        path: path.to_path_buf(),
        source,
    })
}

/// Makes a new key pair: `<stem>.key` (private, mode 0600, never overwritten) and `<stem>.pub`.
/// Returns the two paths and the key id.
pub fn generate(stem: &Path) -> Result<(PathBuf, PathBuf, String), KeyError> {
    let private_path = stem.with_extension("key");
    let public_path = stem.with_extension("pub");
    let mut seed = [0u8; 32];
    rand::RngCore::fill_bytes(&mut rand::rngs::OsRng, &mut seed);
    let key = SigningKey::from_bytes(&seed);
    let private = key
        .to_pkcs8_pem(Default::default())
        .expect("an Ed25519 key always encodes");
    let public = key
        .verifying_key()
        .to_public_key_pem(Default::default())
        .expect("an Ed25519 key always encodes");
    let write_error = |path: &Path| {
        let path = path.to_path_buf();
        move |source| KeyError::Write { path, source }
    };
    {
        use std::os::unix::fs::OpenOptionsExt;
        let mut f = fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .mode(0o600)
            .open(&private_path)
            .map_err(write_error(&private_path))?;
        f.write_all(private.as_bytes())
            .and_then(|()| f.sync_all())
            .map_err(write_error(&private_path))?;
    }
    fs::write(&public_path, public.as_bytes()).map_err(write_error(&public_path))?;
    Ok((private_path, public_path, key_id(&key.verifying_key())))
}

/// Signs `dir/manifest.json` as it is now, writing `dir/manifest.sig` atomically.
pub fn sign(dir: &Path, key: &SealKey) -> io::Result<()> {
    let manifest = fs::read(dir.join(MANIFEST_FILE))?;
    let signature = key.0.sign(&manifest);
    let file = SignatureFile {
        algorithm: ALGORITHM.into(),
        key_id: key.key_id(),
        public_key: BASE64.encode(key.0.verifying_key().as_bytes()),
        signature: BASE64.encode(signature.to_bytes()),
    };
    let json = serde_json::to_vec_pretty(&file).map_err(io::Error::other)?;
    let tmp = dir.join(temp_name());
    let result = fs::File::create(&tmp)
        .and_then(|mut f| f.write_all(&json).and_then(|()| f.sync_all()))
        .and_then(|()| fs::rename(&tmp, dir.join(SIGNATURE_FILE)));
    if result.is_err() {
        let _ = fs::remove_file(&tmp);
    }
    result
}

/// The name the signature is written under before it is renamed into place.
pub(super) fn temp_name() -> String {
    format!(".{SIGNATURE_FILE}.{}.tmp", std::process::id())
}

/// What the folder's signature says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureCheck {
    /// No `manifest.sig`.
    Unsigned,
    /// Signed, and the signature matches the manifest; by `trusted` when a key was given and it
    /// is that key.
    Valid { key_id: String, trusted: bool },
    /// Validly signed, but by another key than the one given: someone re-sealed the folder.
    OtherKey { key_id: String, expected: String },
    /// The signature does not match the manifest (or cannot be read): the manifest changed
    /// after it was signed.
    Invalid { reason: String },
}

impl SignatureCheck {
    /// Whether the folder passes: always when no key is asked for and no broken signature is
    /// there; only a valid signature by the given key when one is.
    pub fn passes(&self, key_given: bool) -> bool {
        match self {
            SignatureCheck::Unsigned => !key_given,
            SignatureCheck::Valid { .. } => true,
            SignatureCheck::OtherKey { .. } | SignatureCheck::Invalid { .. } => false,
        }
    }
}

/// Checks `dir/manifest.sig` against `dir/manifest.json`, and against `trusted` if given.
pub fn check(dir: &Path, trusted: Option<&TrustedKey>) -> SignatureCheck {
    let invalid = |reason: &str| SignatureCheck::Invalid {
        reason: reason.into(),
    };
    let raw = match fs::read(dir.join(SIGNATURE_FILE)) {
        Ok(raw) => raw,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return SignatureCheck::Unsigned,
        Err(_) => return invalid("manifest.sig cannot be read"),
    };
    let Ok(file) = serde_json::from_slice::<SignatureFile>(&raw) else {
        return invalid("manifest.sig is not a vedetta signature");
    };
    if file.algorithm != ALGORITHM {
        return invalid("manifest.sig names an unknown algorithm");
    }
    let public = BASE64
        .decode(&file.public_key)
        .ok()
        .and_then(|b| <[u8; 32]>::try_from(b).ok())
        .and_then(|b| VerifyingKey::from_bytes(&b).ok());
    let Some(public) = public else {
        return invalid("manifest.sig holds no valid public key");
    };
    let signature = BASE64
        .decode(&file.signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok());
    let Some(signature) = signature else {
        return invalid("manifest.sig holds no valid signature");
    };
    let Ok(manifest) = fs::read(dir.join(MANIFEST_FILE)) else {
        return invalid("manifest.json cannot be read");
    };
    if public.verify_strict(&manifest, &signature).is_err() {
        return invalid("the signature does not match manifest.json");
    }
    let key_id = key_id(&public);
    match trusted {
        Some(t) if t.0 != public => SignatureCheck::OtherKey {
            key_id,
            expected: t.key_id(),
        },
        Some(_) => SignatureCheck::Valid {
            key_id,
            trusted: true,
        },
        None => SignatureCheck::Valid {
            key_id,
            trusted: false,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn keys(dir: &Path, name: &str) -> (SealKey, TrustedKey) {
        let (private, public, id) = generate(&dir.join(name)).unwrap();
        let seal = SealKey::load(&private).unwrap();
        let trusted = TrustedKey::load(&public).unwrap();
        assert_eq!(seal.key_id(), id);
        assert_eq!(trusted.key_id(), id);
        (seal, trusted)
    }

    #[test]
    fn a_signed_manifest_checks_against_its_key_and_no_other() {
        let keydir = tempfile::tempdir().unwrap();
        let (seal, trusted) = keys(keydir.path(), "monitor");
        let (forger, forger_pub) = keys(keydir.path(), "forger");
        let dir = tempfile::tempdir().unwrap();
        fs::write(dir.path().join(MANIFEST_FILE), b"{\"files\":[]}").unwrap();
        assert_eq!(check(dir.path(), None), SignatureCheck::Unsigned);
        assert!(!SignatureCheck::Unsigned.passes(true));

        sign(dir.path(), &seal).unwrap();
        let valid = check(dir.path(), Some(&trusted));
        assert_eq!(
            valid,
            SignatureCheck::Valid {
                key_id: seal.key_id(),
                trusted: true
            }
        );
        assert!(matches!(
            check(dir.path(), Some(&forger_pub)),
            SignatureCheck::OtherKey { .. }
        ));

        // A re-written manifest no longer matches the signature…
        fs::write(dir.path().join(MANIFEST_FILE), b"{\"files\":[1]}").unwrap();
        assert!(matches!(
            check(dir.path(), Some(&trusted)),
            SignatureCheck::Invalid { .. }
        ));
        // …and re-signing it with another key is told apart from the trusted one.
        sign(dir.path(), &forger).unwrap();
        assert!(!check(dir.path(), Some(&trusted)).passes(true));
    }

    #[test]
    fn keygen_never_overwrites_a_private_key_and_keeps_it_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let (private, _, _) = generate(&dir.path().join("k")).unwrap();
        assert_eq!(
            fs::metadata(&private).unwrap().permissions().mode() & 0o777,
            0o600
        );
        assert!(matches!(
            generate(&dir.path().join("k")),
            Err(KeyError::Write { .. })
        ));
        assert!(matches!(
            TrustedKey::load(&private),
            Err(KeyError::Format { .. })
        ));
    }
}
