//! RS256 with the platform's WebCrypto (`crypto.subtle`): a signature costs a fraction of a
//! millisecond in workerd, where the `rsa` crate compiled to wasm takes ~12 ms. Each signing key is
//! imported once per isolate as a non-extractable `CryptoKey` and kept by `kid`.

use std::cell::RefCell;
use std::rc::Rc;

use async_trait::async_trait;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{CryptoKey, SubtleCrypto};

use crate::core::error::{CoreError, CoreResult};
use crate::core::oauth::keys::{SealedSigningKey, SigningKey};
use crate::core::oauth::tokens::{signing_input, Signer, SignerFactory};

const ALGORITHM: &str = "RSASSA-PKCS1-v1_5";

thread_local! {
    /// Imported keys of this isolate, by `kid`.
    static IMPORTED: RefCell<Vec<(String, Rc<WebCryptoSigner>)>> = const { RefCell::new(Vec::new()) };
}

fn js(e: JsValue) -> CoreError {
    CoreError::Internal(format!(
        "WebCrypto: {}",
        e.as_string().unwrap_or_else(|| format!("{e:?}"))
    ))
}

fn subtle() -> CoreResult<SubtleCrypto> {
    let crypto = js_sys::Reflect::get(&js_sys::global(), &"crypto".into()).map_err(js)?;
    Ok(js_sys::Reflect::get(&crypto, &"subtle".into())
        .map_err(js)?
        .unchecked_into())
}

/// The DER body of a PEM block.
fn pem_der(pem: &[u8]) -> CoreResult<Vec<u8>> {
    let text = std::str::from_utf8(pem).map_err(|_| CoreError::Internal("signing key: PEM is not text".into()))?;
    let body: String = text.lines().filter(|l| !l.starts_with("-----")).collect();
    STANDARD
        .decode(body.trim())
        .map_err(|e| CoreError::Internal(format!("signing key: PEM: {e}")))
}

/// One imported signing key.
pub struct WebCryptoSigner {
    kid: String,
    key: CryptoKey,
}

impl WebCryptoSigner {
    async fn import(key: &SigningKey) -> CoreResult<Self> {
        let der = js_sys::Uint8Array::from(pem_der(&key.private_pem)?.as_slice());
        let algorithm = js_sys::Object::new();
        js_sys::Reflect::set(&algorithm, &"name".into(), &ALGORITHM.into()).map_err(js)?;
        js_sys::Reflect::set(&algorithm, &"hash".into(), &"SHA-256".into()).map_err(js)?;
        let usages = js_sys::Array::of1(&"sign".into());
        let promise = subtle()?
            .import_key_with_object("pkcs8", &der, &algorithm, false, &usages)
            .map_err(js)?;
        let key_value = JsFuture::from(promise).await.map_err(js)?;
        Ok(Self {
            kid: key.kid.clone(),
            key: key_value.unchecked_into(),
        })
    }
}

#[async_trait(?Send)]
impl Signer for WebCryptoSigner {
    async fn sign(&self, claims: &Value) -> CoreResult<String> {
        let input = signing_input(&self.kid, claims)?;
        let promise = subtle()?
            .sign_with_str_and_u8_array(ALGORITHM, &self.key, input.as_bytes())
            .map_err(js)?;
        let signature = js_sys::Uint8Array::new(&JsFuture::from(promise).await.map_err(js)?).to_vec();
        Ok(format!("{input}.{}", URL_SAFE_NO_PAD.encode(signature)))
    }
}

/// WebCrypto signers, each key imported once per isolate.
pub struct WebCryptoSigners;

#[async_trait(?Send)]
impl SignerFactory for WebCryptoSigners {
    async fn signer(&self, key: &SealedSigningKey, kek: &[u8; 32]) -> CoreResult<Rc<dyn Signer>> {
        if let Some(found) = IMPORTED.with(|k| {
            k.borrow()
                .iter()
                .find(|(kid, _)| *kid == key.kid)
                .map(|(_, s)| s.clone())
        }) {
            return Ok(found);
        }
        let signer = Rc::new(WebCryptoSigner::import(&key.open(kek)?).await?);
        IMPORTED.with(|k| {
            let mut k = k.borrow_mut();
            // Keys rotate rarely; keep the last few.
            if k.len() >= 4 {
                k.remove(0);
            }
            k.push((key.kid.clone(), signer.clone()));
        });
        Ok(signer)
    }
}
