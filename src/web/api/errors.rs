//! The core's errors as the page reads them: `{code, params, message}`, so that
//! the page writes each in the reader's language (`t('errors.<code>', params)`,
//! www/errors.js) and never parses the English `message`, which stays for
//! native users, the console and the tests.

use wasm_bindgen::prelude::*;

use crate::Error;

/// `{code, params: {name: text}, message}` of a core error.
pub(crate) fn error_json(error: &Error) -> serde_json::Value {
    let params: serde_json::Map<String, serde_json::Value> = error
        .params()
        .into_iter()
        .map(|(name, value)| (name.to_string(), value.into()))
        .collect();
    serde_json::json!({ "code": error.code(), "params": params, "message": error.to_string() })
}

/// A core error as a thrown JS `Error`: its message the English text, with
/// `code` and `params` properties beside it.
pub(crate) fn throw(error: Error) -> JsValue {
    let thrown = js_sys::Error::new(&error.to_string());
    let json = error_json(&error);
    let params = super::parse_json(&json["params"].to_string()).unwrap_or(JsValue::NULL);
    // Setting a property on a fresh Error cannot fail; if it did, the message still stands.
    let _ = js_sys::Reflect::set(&thrown, &"code".into(), &error.code().into());
    let _ = js_sys::Reflect::set(&thrown, &"params".into(), &params);
    thrown.into()
}

/// Every code a core error can have, as JSON: the catalogue test checks that
/// each has a message (`errors.<code>`) in every language.
#[wasm_bindgen(js_name = errorCodes)]
pub fn error_codes() -> String {
    serde_json::to_string(Error::CODES).unwrap_or_default()
}
