//! Typed CBUI requests: one type per pipeline, validated when built, rendered to canonical pairs.
//!
//! **One schema.** Each pipeline, each optional group (address, validity, usage limits) and the
//! common parameters are declared once, by one `param_struct!` invocation (`pipelines.rs`, and
//! `Common` below): the fields (wire name, Rust type, required or optional), the groups a
//! pipeline takes and its cross-field rules (`schema::Rule`). From that one declaration the
//! macro makes both readers' inputs:
//! - the typed struct with its reader and writer ([`CbuiRequest`], for the backend, the emulator
//!   and the CLI);
//! - its `Shape`, the same declaration as data: each field's name, whether it is required and the
//!   check its type gets (`schema::Kind`, taken from the Rust type, so length limits come with
//!   it), the groups and the rules. The browser's [`CheckedPairs`] reads only these tables, so
//!   the wasm carries no per-pipeline struct code.
//!
//! Both readers run the same rule evaluator (`schema::check_rules`) over the wire pairs, in the
//! same order, and take the groups a pipeline accepts from its shape. Adding a parameter is one
//! line in its `param_struct!`; a rule, one entry in its `rules`. A value type used in a field
//! must say its `Kind` (`schema::FieldValue`), or the declaration does not compile.
//! `tests/it/params/` still runs both readers on every fixture and requires the same answer.

pub mod pipelines;
pub(crate) mod schema;
pub mod table;
pub mod values;
pub(crate) mod wire;

use alloc::{string::String, vec::Vec};
use core::fmt;

pub use pipelines::{
    Address, EditToken, MultiUse, Recipient, Recurring, SetupPostpaid, SetupPrepaid, SingleUse, UsageLimits,
    Validity,
};
pub use table::CheckedPairs;
pub use values::{
    AmountType, CallerKey, CallerReference, CobrandingStyle, Description, DisplayAmount, FpsBool, HttpUrl,
    ParamValue, PaymentMethod, PaymentMethods, Percent, Period, PeriodUnit, SignatureMethod, Text, TokenId,
    TokenList, UnixTime, UsageLimitType, UsageLimitValue,
};

use self::schema::{Group, Rule};
use self::wire::{ParamReader, ParamWriter};
use super::amount::{Amount, Currency};
use super::canonical::{signed_url, CanonicalQuery, HttpMethod, StringToSign};
use super::endpoint::Endpoint;
use super::error::{CoreError, ParamRule};

/// The CBUI `version` every request carries.
pub const CBUI_VERSION: &str = "2009-01-09";

/// The Signature Version every request carries.
pub const SIGNATURE_VERSION: &str = "2";

/// FPS's sandbox CBUI start URL.
pub const SANDBOX_CBUI: &str = "https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start";

/// FPS's production CBUI start URL.
pub const PRODUCTION_CBUI: &str = "https://authorize.payments.amazon.com/cobranded-ui/actions/start";

/// Where the shopper is sent: FPS's sandbox, production, or a custom URL (the local emulator).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CbuiEndpoint(Endpoint);

impl CbuiEndpoint {
    /// FPS's sandbox.
    pub fn sandbox() -> Self {
        Self::custom(SANDBOX_CBUI).unwrap_or_else(|_| unreachable!("constant URL parses"))
    }

    /// FPS's production service.
    pub fn production() -> Self {
        Self::custom(PRODUCTION_CBUI).unwrap_or_else(|_| unreachable!("constant URL parses"))
    }

    /// A custom CBUI start URL, such as the local emulator's; must have no query.
    pub fn custom(url: &str) -> Result<Self, CoreError> {
        Endpoint::parse_without_query(url).map(CbuiEndpoint)
    }

    /// `sandbox`, `production`, or an absolute URL.
    pub fn parse(text: &str) -> Result<Self, CoreError> {
        // The constants parse (see `sandbox`); no panic path on the way, which would bring
        // `core::fmt` into the wasm.
        Self::custom(match text {
            "sandbox" => SANDBOX_CBUI,
            "production" => PRODUCTION_CBUI,
            url => url,
        })
    }

    /// The parsed URL.
    pub fn endpoint(&self) -> &Endpoint {
        &self.0
    }
}

/// The pipeline-specific part of a CBUI request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Pipeline {
    /// One payment.
    SingleUse(SingleUse),
    /// Many payments up to a cap.
    MultiUse(MultiUse),
    /// A fixed amount every period.
    Recurring(Recurring),
    /// A seller registers as recipient.
    Recipient(Recipient),
    /// A prepaid instrument.
    SetupPrepaid(SetupPrepaid),
    /// A postpaid instrument.
    SetupPostpaid(SetupPostpaid),
    /// Change a token's payment method.
    EditToken(EditToken),
}

/// The names of the seven pipelines, as `pipelineName` carries them.
pub const PIPELINE_NAMES: &[&str] = &[
    "SingleUse",
    "MultiUse",
    "Recurring",
    "Recipient",
    "SetupPrepaid",
    "SetupPostpaid",
    "EditToken",
];

impl Pipeline {
    /// The `pipelineName` value.
    pub fn name(&self) -> &'static str {
        match self {
            Pipeline::SingleUse(_) => "SingleUse",
            Pipeline::MultiUse(_) => "MultiUse",
            Pipeline::Recurring(_) => "Recurring",
            Pipeline::Recipient(_) => "Recipient",
            Pipeline::SetupPrepaid(_) => "SetupPrepaid",
            Pipeline::SetupPostpaid(_) => "SetupPostpaid",
            Pipeline::EditToken(_) => "EditToken",
        }
    }

    fn read(name: &str, reader: &mut ParamReader<'_>) -> Result<Self, CoreError> {
        Ok(match name {
            "SingleUse" => Pipeline::SingleUse(SingleUse::read(reader)?),
            "MultiUse" => Pipeline::MultiUse(MultiUse::read(reader)?),
            "Recurring" => Pipeline::Recurring(Recurring::read(reader)?),
            "Recipient" => Pipeline::Recipient(Recipient::read(reader)?),
            "SetupPrepaid" => Pipeline::SetupPrepaid(SetupPrepaid::read(reader)?),
            "SetupPostpaid" => Pipeline::SetupPostpaid(SetupPostpaid::read(reader)?),
            "EditToken" => Pipeline::EditToken(EditToken::read(reader)?),
            _ => {
                return Err(CoreError::param(
                    "pipelineName",
                    ParamRule::NotOneOf {
                        allowed: PIPELINE_NAMES,
                    },
                ))
            }
        })
    }

    fn write(&self, writer: &mut ParamWriter) {
        match self {
            Pipeline::SingleUse(p) => p.write(writer),
            Pipeline::MultiUse(p) => p.write(writer),
            Pipeline::Recurring(p) => p.write(writer),
            Pipeline::Recipient(p) => p.write(writer),
            Pipeline::SetupPrepaid(p) => p.write(writer),
            Pipeline::SetupPostpaid(p) => p.write(writer),
            Pipeline::EditToken(p) => p.write(writer),
        }
    }

    /// The reference that identifies this request to the caller (`callerReference`, or
    /// `callerReferenceSender` for the Setup pipelines).
    pub fn caller_reference(&self) -> &CallerReference {
        match self {
            Pipeline::SingleUse(p) => &p.caller_reference,
            Pipeline::MultiUse(p) => &p.caller_reference,
            Pipeline::Recurring(p) => &p.caller_reference,
            Pipeline::Recipient(p) => &p.caller_reference,
            Pipeline::SetupPrepaid(p) => &p.caller_reference_sender,
            Pipeline::SetupPostpaid(p) => &p.caller_reference_sender,
            Pipeline::EditToken(p) => &p.caller_reference,
        }
    }

    /// The amount a payment under this token will be, where the pipeline states one
    /// (`transactionAmount`, or `fundingAmount` for SetupPrepaid).
    pub fn amount(&self) -> Option<Amount> {
        match self {
            Pipeline::SingleUse(p) => Some(p.transaction_amount),
            Pipeline::MultiUse(p) => p.transaction_amount,
            Pipeline::Recurring(p) => Some(p.transaction_amount),
            Pipeline::SetupPrepaid(p) => Some(p.funding_amount),
            Pipeline::Recipient(_) | Pipeline::SetupPostpaid(_) | Pipeline::EditToken(_) => None,
        }
    }

    /// The currency stated (`currencyCode`), USD when absent.
    pub fn currency(&self) -> Currency {
        let code = match self {
            Pipeline::SingleUse(p) => p.currency_code,
            Pipeline::MultiUse(p) => p.currency_code,
            Pipeline::Recurring(p) => p.currency_code,
            Pipeline::SetupPrepaid(p) => p.currency_code,
            Pipeline::SetupPostpaid(p) => p.currency_code,
            Pipeline::Recipient(_) | Pipeline::EditToken(_) => None,
        };
        code.unwrap_or_default()
    }
}

impl fmt::Display for Pipeline {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

wire::param_struct! {
    /// Parameters every pipeline shares.
    Common {
        /// The caller's access key id.
        required caller_key: CallerKey = "callerKey",
        /// Where CBUI sends the shopper back; may carry the merchant's own query.
        required return_url: HttpUrl = "returnURL",
        /// The MAC used to sign (HmacSHA256 by default).
        optional signature_method: SignatureMethod = "signatureMethod",
        /// `logo` (default) or `banner`.
        optional cobranding_style: CobrandingStyle = "cobrandingStyle",
        /// The caller's logo (at most 215×40 px, on HTTPS).
        optional cobranding_url: HttpUrl = "cobrandingUrl",
        /// Text about the caller's site, shown on the pages.
        optional website_description: Description = "websiteDescription",
    }
    rules: [Rule::ReturnQuery("returnURL")]
}

/// A complete, validated CBUI request for one pipeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CbuiRequest {
    common: Common,
    pipeline: Pipeline,
    address: Option<Address>,
    validity: Option<Validity>,
    usage_limits: Option<UsageLimits>,
}

impl CbuiRequest {
    /// Builds a request from typed parts, checking every cross-field rule. Parameter groups the
    /// pipeline does not take are refused. An unset signature method becomes HmacSHA256.
    pub fn new(
        common: Common,
        pipeline: Pipeline,
        address: Option<Address>,
        validity: Option<Validity>,
        usage_limits: Option<UsageLimits>,
    ) -> Result<Self, CoreError> {
        let (_, shape) = schema::pipeline(pipeline.name())?;
        for (present, group) in [
            (address.is_some(), Group::Address),
            (validity.is_some(), Group::Validity),
            (usage_limits.is_some(), Group::UsageLimits),
        ] {
            if present && !shape.takes(group) {
                let first = group.shape().fields.first().map_or("", |field| field.name);
                return Err(CoreError::param(first, ParamRule::Unknown));
            }
        }
        let mut common = common;
        common.signature_method.get_or_insert(SignatureMethod::HmacSha256);
        let request = CbuiRequest {
            common,
            pipeline,
            address,
            validity,
            usage_limits,
        };
        // The cross-field rules are checked on the wire pairs, as the table reader checks them:
        // one declaration and one evaluator for both.
        schema::check_rules(shape, &request.pairs())?;
        Ok(request)
    }

    /// Parses untrusted decoded pairs (from a browser or a form) into a validated request.
    ///
    /// `pipelineName` selects the pipeline; `version` and `signatureVersion` may be present only
    /// with their fixed values; a signature, an unknown name, a duplicate or an invalid value
    /// is an error naming the parameter.
    pub fn from_pairs<'a, I>(pairs: I) -> Result<Self, CoreError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        Self::read(ParamReader::new(pairs)?)
    }

    /// Like [`Self::from_pairs`], but reads a name that differs from a documented one only in
    /// letter case as the documented one, as real CBUI did with what clients sent (boto 2's
    /// `CallerReference` beside `callerReference`): the documented spelling wins when both are
    /// present, the other is ignored. For the emulator's CBUI only: what the merchant signs
    /// stays exact ([`Self::from_pairs`]).
    pub fn from_sent_pairs<'a, I>(pairs: I) -> Result<Self, CoreError>
    where
        I: IntoIterator<Item = (&'a str, &'a str)>,
    {
        Self::read(ParamReader::case_tolerant(pairs)?)
    }

    fn read(mut reader: ParamReader<'_>) -> Result<Self, CoreError> {
        let name = reader
            .raw("pipelineName")
            .ok_or_else(|| CoreError::param("pipelineName", ParamRule::Missing))?;
        reader.fixed("version", &[CBUI_VERSION])?;
        reader.fixed("signatureVersion", &[SIGNATURE_VERSION])?;
        let common = Common::read(&mut reader)?;
        let pipeline = Pipeline::read(name, &mut reader)?;
        let (_, shape) = schema::pipeline(name)?;
        let address = if shape.takes(Group::Address) {
            Some(Address::read(&mut reader)?)
        } else {
            None
        };
        let validity = if shape.takes(Group::Validity) {
            Some(Validity::read(&mut reader)?)
        } else {
            None
        };
        let usage_limits = if shape.takes(Group::UsageLimits) {
            Some(UsageLimits::read(&mut reader)?)
        } else {
            None
        };
        reader.finish()?;
        CbuiRequest::new(
            common,
            pipeline,
            address.filter(|a| a != &Address::default()),
            validity.filter(|v| v != &Validity::default()),
            usage_limits.filter(|u| u != &UsageLimits::default()),
        )
    }

    /// The shared parameters.
    pub fn common(&self) -> &Common {
        &self.common
    }

    /// The pipeline and its parameters.
    pub fn pipeline(&self) -> &Pipeline {
        &self.pipeline
    }

    /// The address shown on the confirmation page, if any.
    pub fn address(&self) -> Option<&Address> {
        self.address.as_ref()
    }

    /// The validity window, if any.
    pub fn validity(&self) -> Option<&Validity> {
        self.validity.as_ref()
    }

    /// The usage limits, if any.
    pub fn usage_limits(&self) -> Option<&UsageLimits> {
        self.usage_limits.as_ref()
    }

    /// The signature method in effect (HmacSHA256 unless stated).
    pub fn signature_method(&self) -> SignatureMethod {
        self.common
            .signature_method
            .unwrap_or(SignatureMethod::HmacSha256)
    }

    /// Every parameter to send except the signature, as wire name and value.
    ///
    /// Always includes `pipelineName`, `version`, `signatureMethod` and `signatureVersion`.
    pub fn pairs(&self) -> Vec<(&'static str, String)> {
        let mut writer = ParamWriter::default();
        writer.literal("pipelineName", self.pipeline.name());
        writer.literal("version", CBUI_VERSION);
        writer.literal("signatureVersion", SIGNATURE_VERSION);
        self.common.write(&mut writer);
        self.pipeline.write(&mut writer);
        if let Some(address) = &self.address {
            address.write(&mut writer);
        }
        if let Some(validity) = &self.validity {
            validity.write(&mut writer);
        }
        if let Some(limits) = &self.usage_limits {
            limits.write(&mut writer);
        }
        writer.0
    }

    /// The canonical query of [`CbuiRequest::pairs`].
    pub fn canonical_query(&self) -> CanonicalQuery {
        let pairs = self.pairs();
        CanonicalQuery::new(pairs.iter().map(|(n, v)| (*n, v.as_str())))
    }

    /// The exact string to sign for sending this request to `endpoint`.
    pub fn string_to_sign(&self, endpoint: &CbuiEndpoint) -> StringToSign {
        StringToSign::new(HttpMethod::Get, endpoint.endpoint(), &self.canonical_query())
    }

    /// The URL the shopper is sent to: the canonical query plus `signature` (base64, as the
    /// signer produced it).
    pub fn signed_url(&self, endpoint: &CbuiEndpoint, signature: &str) -> String {
        signed_url(
            endpoint.endpoint(),
            &self.canonical_query(),
            "signature",
            signature,
        )
    }
}
