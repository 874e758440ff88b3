//! Server functions, grouped by the area of the product that calls them. Each one authorizes,
//! calls a plain service function in `crate::server` and hands back its result.

pub mod account;
pub mod admin;
pub mod agent;
pub mod articles;
pub mod auth;
pub mod customers;
pub mod portal;
pub mod requests;
pub mod uploads;

use leptos::server_fn::{Bytes, ContentType, Decodes, Encodes, Format, FormatType, codec::Post};
use serde::{Serialize, de::DeserializeOwned};

/// How every server function answers: JSON, as the framework's default, but decoded in the
/// browser from text. Hydrated resources arrive as text, and serde_json compiles each model's
/// deserializer once per kind of input, so decoding responses from bytes would put a second
/// copy of every deserializer in the client.
pub type JsonText = Post<JsonTextEncoding>;

pub struct JsonTextEncoding;

impl ContentType for JsonTextEncoding {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonTextEncoding {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonTextEncoding {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}
