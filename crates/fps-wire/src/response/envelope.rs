//! The two XML envelopes of an FPS answer, told apart by the root element's name:
//! `<Action>Response` (its result and request id) and the error envelope.

use quick_xml::events::Event;
use quick_xml::Reader;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};

use crate::error::{ErrorCode, FpsError};
use crate::vocabulary::ActionName;

#[derive(Deserialize)]
struct Metadata {
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

/// `<Action>Response`: its result (an `<Action>Result` of any action of the vocabulary) and
/// metadata, matched by name; other elements and attributes are skipped.
struct Envelope<R> {
    result: Option<R>,
    metadata: Option<Metadata>,
}

impl<'de, R: Deserialize<'de>> Deserialize<'de> for Envelope<R> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(EnvelopeVisitor(PhantomData))
    }
}

/// Reads the children of `<Action>Response` by name.
struct EnvelopeVisitor<R>(PhantomData<R>);

impl<'de, R: Deserialize<'de>> Visitor<'de> for EnvelopeVisitor<R> {
    type Value = Envelope<R>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an <Action>Response element")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Envelope<R>, A::Error> {
        let mut envelope = Envelope {
            result: None,
            metadata: None,
        };
        while let Some(name) = map.next_key::<String>()? {
            if name == "ResponseMetadata" {
                if envelope.metadata.is_some() {
                    return Err(de::Error::duplicate_field("ResponseMetadata"));
                }
                envelope.metadata = Some(map.next_value()?);
            } else if ActionName::of_result(&name).is_some() {
                if envelope.result.is_some() {
                    return Err(de::Error::duplicate_field("<Action>Result"));
                }
                envelope.result = Some(map.next_value()?);
            } else {
                map.next_value::<de::IgnoredAny>()?;
            }
        }
        Ok(envelope)
    }
}

#[derive(Deserialize)]
struct ErrorEnvelope {
    #[serde(rename = "Errors")]
    errors: Option<ErrorList>,
    #[serde(rename = "Error", default)]
    bare_errors: Vec<ErrorXml>,
    #[serde(rename = "RequestID")]
    request_id_capital: Option<String>,
    #[serde(rename = "RequestId")]
    request_id: Option<String>,
}

#[derive(Deserialize)]
struct ErrorList {
    #[serde(rename = "Error", default)]
    errors: Vec<ErrorXml>,
}

#[derive(Deserialize)]
struct ErrorXml {
    #[serde(rename = "Code")]
    code: Option<String>,
    #[serde(rename = "Message")]
    message: Option<String>,
}

/// The local name of the document's root element.
fn root_name(xml: &str) -> Option<String> {
    let mut reader = Reader::from_str(xml);
    loop {
        match reader.read_event() {
            Ok(Event::Start(start)) | Ok(Event::Empty(start)) => {
                return Some(String::from_utf8_lossy(start.local_name().as_ref()).into_owned())
            }
            Ok(Event::Eof) | Err(_) => return None,
            Ok(_) => {}
        }
    }
}

/// Reads the error envelope (`Response > Errors > Error`, or the SDK-mock `ErrorResponse`), if the
/// body is one.
pub fn parse_error(body: &str, http_status: u16) -> Option<FpsError> {
    let root = root_name(body)?;
    if root != "Response" && root != "ErrorResponse" {
        return None;
    }
    let envelope: ErrorEnvelope = quick_xml::de::from_str(body).ok()?;
    let mut errors = envelope.errors.map(|e| e.errors).unwrap_or_default();
    errors.extend(envelope.bare_errors);
    let first = errors.into_iter().next()?;
    let code = first.code?;
    Some(FpsError::Service {
        code: ErrorCode::from_wire(code.trim()),
        message: first.message.unwrap_or_default().chars().take(300).collect(),
        request_id: envelope
            .request_id_capital
            .or(envelope.request_id)
            .unwrap_or_else(|| "-".to_owned()),
        http_status,
    })
}

/// Untrusted text from an answer, for an error message: its first 40 characters, quoted and
/// escaped, and never more than 200 characters however they escape (found by fuzzing: an
/// element name of any length went into the message whole).
pub(crate) fn quoted(text: &str) -> String {
    format!("{:?}", text.chars().take(40).collect::<String>())
        .chars()
        .take(200)
        .collect()
}

/// Parses `<{action}Response>` into its result and request id.
pub(crate) fn parse_success<R: DeserializeOwned>(
    action: ActionName,
    body: &str,
) -> Result<(R, Option<String>), FpsError> {
    let malformed = |reason: String| FpsError::Malformed {
        action: action.as_str(),
        reason,
    };
    let root = root_name(body).ok_or_else(|| malformed("not XML".to_owned()))?;
    let expected = action.response();
    if root != expected {
        return Err(malformed(format!(
            "root element {}, not <{expected}>",
            quoted(&root)
        )));
    }
    let envelope: Envelope<R> =
        quick_xml::de::from_str(body).map_err(|e| malformed(e.to_string().chars().take(200).collect()))?;
    let result = envelope
        .result
        .ok_or_else(|| malformed(format!("no <{action}Result>")))?;
    Ok((result, envelope.metadata.and_then(|m| m.request_id)))
}
