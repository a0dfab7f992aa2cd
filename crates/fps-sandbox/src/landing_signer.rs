//! RSA-SHA1 signatures of what the emulator sends to merchants (CBUI returns and IPNs), the
//! X.509 certificate served at `certificateUrl`, and the check behind VerifySignature.
//!
//! String to sign as `fps-protocol.md` section 4 says: method (`GET` for a return, `POST` for an
//! IPN), landing host (lowercase, non-default port only), landing path, canonical query of every
//! parameter but `signature`; RSA PKCS#1 v1.5 with SHA-1.

use std::str::FromStr;
use std::time::Duration;

use base64::engine::general_purpose::STANDARD;
use base64::Engine as _;
use rsa::pkcs1v15::{Signature, SigningKey, VerifyingKey};
use rsa::pkcs8::{DecodePrivateKey, EncodePrivateKey, LineEnding};
use rsa::signature::{Keypair, SignatureEncoding, Signer, Verifier};
use rsa::RsaPrivateKey;
use sha1::Sha1;
use sha2::Sha256;
use x509_cert::builder::{Builder, CertificateBuilder, Profile};
use x509_cert::der::EncodePem;
use x509_cert::name::Name;
use x509_cert::serial_number::SerialNumber;
use x509_cert::spki::SubjectPublicKeyInfoOwned;
use x509_cert::time::Validity;

use super::store::{Store, StoreError};
use fps_core::canonical::{CanonicalQuery, HttpMethod, StringToSign};
use fps_core::Endpoint;

/// `signatureMethod` of everything the emulator signs.
pub const RSA_SHA1: &str = "RSA-SHA1";

/// Path of the certificate, as under FPS's API hosts.
pub const CERTIFICATE_PATH: &str = "/certs/090909/PKICert.pem";

/// Bits of the generated key.
const KEY_BITS: usize = 2048;

/// Why the signing key could not be set up.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Key generation, encoding or certificate building failed.
    #[error("sandbox signing key: {0}")]
    Crypto(String),
}

fn crypto(e: impl std::fmt::Display) -> KeyError {
    KeyError::Crypto(e.to_string())
}

/// The emulator's RSA key and certificate.
#[derive(Clone)]
pub struct LandingSigner {
    signing: SigningKey<Sha1>,
    verifying: VerifyingKey<Sha1>,
    certificate_pem: String,
}

impl std::fmt::Debug for LandingSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("LandingSigner([key redacted])")
    }
}

impl LandingSigner {
    /// Loads the key kept in the store, or makes one (with its self-signed certificate) and
    /// keeps it, so a restart signs with the same key.
    pub async fn load_or_create(store: &Store) -> Result<Self, KeyError> {
        if let Some((key_pem, cert_pem)) = store.signing_key().await? {
            let key = RsaPrivateKey::from_pkcs8_pem(&key_pem).map_err(crypto)?;
            return Ok(Self::from_parts(key, cert_pem));
        }
        let key = tokio::task::spawn_blocking(|| RsaPrivateKey::new(&mut rand::rngs::OsRng, KEY_BITS))
            .await
            .map_err(crypto)?
            .map_err(crypto)?;
        let cert_pem = self_signed_certificate(&key)?;
        let key_pem = key.to_pkcs8_pem(LineEnding::LF).map_err(crypto)?;
        store.save_signing_key(&key_pem, &cert_pem).await?;
        Ok(Self::from_parts(key, cert_pem))
    }

    fn from_parts(key: RsaPrivateKey, certificate_pem: String) -> Self {
        let signing = SigningKey::<Sha1>::new(key);
        let verifying = signing.verifying_key();
        LandingSigner {
            signing,
            verifying,
            certificate_pem,
        }
    }

    /// The certificate, PEM.
    pub fn certificate_pem(&self) -> &str {
        &self.certificate_pem
    }

    /// The string to sign for data landing at `endpoint` by `method` with these decoded pairs.
    pub fn string_to_sign(
        method: HttpMethod,
        endpoint: &Endpoint,
        pairs: &[(String, String)],
    ) -> StringToSign {
        let query = CanonicalQuery::new(pairs.iter().map(|(n, v)| (n.as_str(), v.as_str())));
        StringToSign::new(method, endpoint, &query)
    }

    /// Signs: base64 (standard, padded, one line) of the RSA-SHA1 signature.
    pub fn sign(&self, method: HttpMethod, endpoint: &Endpoint, pairs: &[(String, String)]) -> String {
        let sts = Self::string_to_sign(method, endpoint, pairs);
        let signature: Signature = self.signing.sign(sts.as_str().as_bytes());
        STANDARD.encode(signature.to_bytes())
    }

    /// Checks a signature made by [`LandingSigner::sign`]. Line feeds in the base64 (as FPS
    /// sometimes wrapped it) are ignored; any other whitespace (a `+` decoded to a space) fails.
    pub fn verify(
        &self,
        method: HttpMethod,
        endpoint: &Endpoint,
        pairs: &[(String, String)],
        signature: &str,
    ) -> bool {
        let compact: String = signature.chars().filter(|&c| c != '\n' && c != '\r').collect();
        let Ok(bytes) = STANDARD.decode(compact) else {
            return false;
        };
        let Ok(signature) = Signature::try_from(bytes.as_slice()) else {
            return false;
        };
        let sts = Self::string_to_sign(method, endpoint, pairs);
        self.verifying.verify(sts.as_str().as_bytes(), &signature).is_ok()
    }
}

fn self_signed_certificate(key: &RsaPrivateKey) -> Result<String, KeyError> {
    let cert_signer = SigningKey::<Sha256>::new(key.clone());
    let subject = Name::from_str("CN=fps-checkout sandbox,O=fps-checkout,C=US").map_err(crypto)?;
    let spki = SubjectPublicKeyInfoOwned::from_key(key.to_public_key()).map_err(crypto)?;
    let validity = Validity::from_now(Duration::from_secs(20 * 365 * 24 * 3600)).map_err(crypto)?;
    let serial: u32 = rand::random::<u32>() | 1;
    let builder = CertificateBuilder::new(
        Profile::Root,
        SerialNumber::from(serial),
        validity,
        subject,
        spki,
        &cert_signer,
    )
    .map_err(crypto)?;
    let certificate = builder.build::<Signature>().map_err(crypto)?;
    certificate.to_pem(LineEnding::LF).map_err(crypto)
}
