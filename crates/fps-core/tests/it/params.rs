//! Typed CBUI requests: every pipeline builds and round-trips, and every validation rule refuses
//! what it should, naming the parameter and the rule. Every input here also goes through the
//! table reader the browser module uses (`CheckedPairs`), which must give the same pairs or the
//! same error.

use fps_core::error::{AmountRule, ParamRule, UrlRule};
use fps_core::params::{
    Address, CbuiEndpoint, CbuiRequest, CheckedPairs, Common, EditToken, MultiUse, Pipeline, Recipient,
    Recurring, SetupPostpaid, SetupPrepaid, SignatureMethod, SingleUse, UsageLimits, Validity,
    PRODUCTION_CBUI,
};
use fps_core::{Amount, CoreError};

const KEY: &str = "AKIAIOSFODNN7EXAMPLE";
const TOKEN: &str = "I39FL7UFPBCJHUR5ICSDPX1RGP6ND6M5QZNQJKXGFT7CA9QNPJ6CH1GTAOHEMGEE";

/// The smallest valid parameter set of each pipeline.
fn minimal(pipeline: &str) -> Vec<(&'static str, String)> {
    let mut pairs = vec![
        ("pipelineName", pipeline.to_owned()),
        ("callerKey", KEY.to_owned()),
        ("returnURL", "https://shop.example/thanks?order=7".to_owned()),
    ];
    let specific: &[(&'static str, &str)] = match pipeline {
        "SingleUse" => &[("callerReference", "ref-1"), ("transactionAmount", "0.90")],
        "MultiUse" => &[("callerReference", "ref-1"), ("globalAmountLimit", "100")],
        "Recurring" => &[
            ("callerReference", "ref-1"),
            ("transactionAmount", "9.99"),
            ("recurringPeriod", "1 Month"),
        ],
        "Recipient" => &[("callerReference", "ref-1"), ("recipientPaysFee", "True")],
        "SetupPrepaid" => &[
            ("callerReferenceSender", "s-1"),
            ("callerReferenceFunding", "f-1"),
            ("fundingAmount", "50"),
        ],
        "SetupPostpaid" => &[
            ("callerReferenceSender", "s-1"),
            ("callerReferenceSettlement", "t-1"),
            ("creditLimit", "20"),
            ("globalAmountLimit", "100"),
        ],
        "EditToken" => &[("callerReference", "ref-1"), ("tokenId", TOKEN)],
        other => panic!("{other}"),
    };
    pairs.extend(specific.iter().map(|(n, v)| (*n, (*v).to_owned())));
    pairs
}

/// The typed reader's answer, after checking that the table reader (the browser module's) agrees:
/// the same pipeline and pairs, or the same error.
#[track_caller]
fn build(pairs: &[(&str, String)]) -> Result<CbuiRequest, CoreError> {
    let typed = CbuiRequest::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str())));
    let table = CheckedPairs::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str())));
    match (&typed, &table) {
        (Ok(request), Ok(checked)) => {
            assert_eq!(request.pairs(), checked.pairs(), "pairs differ for {pairs:?}");
            assert_eq!(request.pipeline().name(), checked.pipeline());
        }
        (Err(a), Err(b)) => assert_eq!(a, b, "errors differ for {pairs:?}"),
        _ => panic!("the readers disagree on {pairs:?}: typed {typed:?}, table {table:?}"),
    }
    typed
}

fn with(pipeline: &str, extra: &[(&'static str, &str)]) -> Result<CbuiRequest, CoreError> {
    let mut pairs = minimal(pipeline);
    for (name, value) in extra {
        pairs.retain(|(n, _)| n != name);
        pairs.push((name, (*value).to_owned()));
    }
    build(&pairs)
}

fn without(pipeline: &str, name: &str) -> Result<CbuiRequest, CoreError> {
    let mut pairs = minimal(pipeline);
    pairs.retain(|(n, _)| *n != name);
    build(&pairs)
}

#[track_caller]
fn refused(result: Result<CbuiRequest, CoreError>, param: &str, rule: ParamRule) {
    match result {
        Err(CoreError::Param { param: p, rule: r }) => {
            assert_eq!((p.as_str(), &r), (param, &rule));
            let text = CoreError::Param { param: p, rule: r }.to_string();
            assert!(text.contains(param), "message names the parameter: {text}");
        }
        other => panic!("expected {param} {rule:?}, got {other:?}"),
    }
}

use fps_core::params::PIPELINE_NAMES as PIPELINES;

#[test]
fn every_pipeline_builds_and_round_trips() {
    for &name in PIPELINES {
        let request = build(&minimal(name)).unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(request.pipeline().name(), name);
        assert_eq!(request.signature_method(), SignatureMethod::HmacSha256);
        let pairs = request.pairs();
        for fixed in [
            ("version", "2009-01-09"),
            ("signatureVersion", "2"),
            ("signatureMethod", "HmacSHA256"),
        ] {
            assert!(
                pairs.iter().any(|(n, v)| (*n, v.as_str()) == fixed),
                "{name} lacks {fixed:?}"
            );
        }
        let again = CbuiRequest::from_pairs(pairs.iter().map(|(n, v)| (*n, v.as_str()))).unwrap();
        assert_eq!(again, request, "{name} round trip");
    }
}

#[test]
fn every_required_parameter_is_required() {
    for &name in PIPELINES {
        for (param, _) in minimal(name) {
            let expected = if param == "pipelineName" {
                "pipelineName"
            } else {
                param
            };
            refused(without(name, param), expected, ParamRule::Missing);
        }
    }
}

#[test]
fn unknown_duplicate_and_signature_parameters_are_refused() {
    refused(
        with("SingleUse", &[("colour", "red")]),
        "colour",
        ParamRule::Unknown,
    );
    refused(
        with("SingleUse", &[("signature", "abc=")]),
        "signature",
        ParamRule::Unknown,
    );
    refused(
        with("SingleUse", &[("SignatureMethod", "HmacSHA256")]),
        "SignatureMethod",
        ParamRule::Unknown,
    );
    // Parameters of another pipeline are unknown here.
    refused(
        with("SingleUse", &[("recurringPeriod", "1 Month")]),
        "recurringPeriod",
        ParamRule::Unknown,
    );
    refused(
        with("EditToken", &[("addressName", "Ann")]),
        "addressName",
        ParamRule::Unknown,
    );
    refused(
        with("SingleUse", &[("validityStart", "1700000000")]),
        "validityStart",
        ParamRule::Unknown,
    );
    let mut pairs = minimal("SingleUse");
    pairs.push(("transactionAmount", "0.90".to_owned()));
    refused(build(&pairs), "transactionAmount", ParamRule::Duplicate);
    let mut bogus = minimal("SingleUse");
    bogus[0].1 = "Bogus".to_owned();
    refused(
        build(&bogus),
        "pipelineName",
        ParamRule::NotOneOf {
            allowed: fps_core::params::PIPELINE_NAMES,
        },
    );
}

#[test]
fn fixed_values_must_match() {
    assert!(with(
        "SingleUse",
        &[("version", "2009-01-09"), ("signatureVersion", "2")]
    )
    .is_ok());
    refused(
        with("SingleUse", &[("version", "2010-08-28")]),
        "version",
        ParamRule::NotOneOf {
            allowed: &["2009-01-09"],
        },
    );
    refused(
        with("SingleUse", &[("signatureVersion", "1")]),
        "signatureVersion",
        ParamRule::NotOneOf { allowed: &["2"] },
    );
    refused(
        with("SingleUse", &[("signatureMethod", "HmacSHA512")]),
        "signatureMethod",
        ParamRule::NotOneOf {
            allowed: SignatureMethod::WIRE,
        },
    );
    let sha1 = with("SingleUse", &[("signatureMethod", "HmacSHA1")]).unwrap();
    assert_eq!(sha1.signature_method(), SignatureMethod::HmacSha1);
}

#[test]
fn lengths_are_bounded() {
    assert!(with("SingleUse", &[("callerReference", &"r".repeat(128))]).is_ok());
    refused(
        with("SingleUse", &[("callerReference", &"r".repeat(129))]),
        "callerReference",
        ParamRule::TooLong { max: 128 },
    );
    refused(
        with("SingleUse", &[("callerReference", "")]),
        "callerReference",
        ParamRule::TooShort { min: 1 },
    );
    // 43 three-byte characters are 129 bytes: bytes are counted, the stricter reading.
    refused(
        with("SingleUse", &[("callerReference", &"€".repeat(43))]),
        "callerReference",
        ParamRule::TooLong { max: 128 },
    );
    refused(
        with("SingleUse", &[("callerReference", "a\nb")]),
        "callerReference",
        ParamRule::Format {
            expected: "text without control characters",
        },
    );
    refused(
        with("SingleUse", &[("paymentReason", &"x".repeat(1025))]),
        "paymentReason",
        ParamRule::TooLong { max: 1024 },
    );
    refused(
        with("SingleUse", &[("zip", &"1".repeat(33))]),
        "zip",
        ParamRule::TooLong { max: 32 },
    );
    refused(
        with("SingleUse", &[("callerKey", "SHORTKEY")]),
        "callerKey",
        ParamRule::TooShort { min: 16 },
    );
    assert!(matches!(
        with("SingleUse", &[("callerKey", "akiaiosfodnn7example")]),
        Err(CoreError::Param {
            rule: ParamRule::Format { .. },
            ..
        })
    ));
}

#[test]
fn urls_must_be_absolute_http() {
    let url_rule = |value: &str, rule: UrlRule| {
        refused(
            with("SingleUse", &[("returnURL", value)]),
            "returnURL",
            ParamRule::Url(rule),
        )
    };
    url_rule("/thanks", UrlRule::NotHttp);
    url_rule("javascript:alert(1)", UrlRule::NotHttp);
    url_rule("https://shop.example/thanks#done", UrlRule::Fragment);
    url_rule("https://shop.example/ thanks", UrlRule::NotEncoded);
    assert!(with("SingleUse", &[("returnURL", "http://127.0.0.1:8080/thanks")]).is_ok());
    refused(
        with("SingleUse", &[("cobrandingUrl", "ftp://x/logo.png")]),
        "cobrandingUrl",
        ParamRule::Url(UrlRule::NotHttp),
    );
    for reserved in ["status", "tokenID", "signature", "callerReference"] {
        let result = with(
            "SingleUse",
            &[("returnURL", &format!("https://shop.example/t?{reserved}=x"))],
        );
        assert!(
            matches!(result, Err(CoreError::Param { ref param, rule: ParamRule::Conflict { .. } }) if param == "returnURL"),
            "{reserved}"
        );
    }
}

#[test]
fn enumerations_are_exact() {
    let one_of = |pipeline: &str, param: &'static str, value: &str| {
        assert!(
            matches!(with(pipeline, &[(param, value)]), Err(CoreError::Param { param: ref p, rule: ParamRule::NotOneOf { .. } }) if p == param),
            "{param}={value}"
        );
    };
    one_of("SingleUse", "cobrandingStyle", "Logo");
    one_of("SingleUse", "currencyCode", "EUR");
    one_of("SingleUse", "reserve", "true");
    one_of("SingleUse", "collectShippingAddress", "yes");
    one_of("SingleUse", "paymentMethod", "CC,BTC");
    one_of("MultiUse", "amountType", "exact");
    one_of("MultiUse", "usageLimitType1", "Hours");
    assert!(with(
        "SingleUse",
        &[
            ("cobrandingStyle", "banner"),
            ("reserve", "True"),
            ("paymentMethod", "CC,ABT")
        ]
    )
    .is_ok());
    refused(
        with("SingleUse", &[("paymentMethod", "CC,CC")]),
        "paymentMethod",
        ParamRule::Conflict {
            reason: "lists a payment method twice",
        },
    );
}

#[test]
fn amounts_follow_the_amount_rules() {
    refused(
        with("SingleUse", &[("transactionAmount", "1,000.00")]),
        "transactionAmount",
        ParamRule::Amount(AmountRule::NotDecimal),
    );
    refused(
        with("SingleUse", &[("transactionAmount", "0")]),
        "transactionAmount",
        ParamRule::Amount(AmountRule::Zero),
    );
    refused(
        with("SingleUse", &[("transactionAmount", "1.001")]),
        "transactionAmount",
        ParamRule::Amount(AmountRule::TooManyDecimals),
    );
    refused(
        with("SingleUse", &[("tax", "-1")]),
        "tax",
        ParamRule::Amount(AmountRule::NotDecimal),
    );
    let request = with("SingleUse", &[("transactionAmount", "1.5")]).unwrap();
    assert_eq!(request.pipeline().amount(), Some(Amount::parse("1.50").unwrap()));
    assert!(request
        .pairs()
        .contains(&("transactionAmount", "1.50".to_owned())));
}

#[test]
fn dates_and_periods_are_validated() {
    assert!(with(
        "MultiUse",
        &[("validityStart", "1700000000"), ("validityExpiry", "1800000000")]
    )
    .is_ok());
    let format = |param: &'static str, value: &str| {
        assert!(
            matches!(with("MultiUse", &[(param, value)]), Err(CoreError::Param { param: ref p, rule: ParamRule::Format { .. } }) if p == param),
            "{param}={value}"
        );
    };
    format("validityStart", "2024-01-01");
    format("validityStart", "-5");
    format("validityStart", "0");
    format("validityExpiry", "123456789012");
    refused(
        with(
            "MultiUse",
            &[("validityStart", "1800000000"), ("validityExpiry", "1700000000")],
        ),
        "validityExpiry",
        ParamRule::Conflict {
            reason: "must be later than validityStart",
        },
    );
    for good in ["1 Month", "6 Months", "1 Hour", "2 Weeks", "1 Year", "30 Days"] {
        assert!(with("Recurring", &[("recurringPeriod", good)]).is_ok(), "{good}");
    }
    for bad in [
        "Month",
        "0 Month",
        "6 Month",
        "1 Months",
        "1 month",
        "1  Month",
        "1000 Days",
        "1 Fortnight",
    ] {
        assert!(
            matches!(
                with("Recurring", &[("recurringPeriod", bad)]),
                Err(CoreError::Param {
                    rule: ParamRule::Format { .. },
                    ..
                })
            ),
            "{bad}"
        );
    }
}

#[test]
fn multi_use_cross_field_rules() {
    refused(
        with("MultiUse", &[("amountType", "Maximum")]),
        "amountType",
        ParamRule::Requires {
            other: "transactionAmount",
        },
    );
    assert!(with(
        "MultiUse",
        &[("amountType", "Maximum"), ("transactionAmount", "5")]
    )
    .is_ok());
    refused(
        with("MultiUse", &[("transactionAmount", "101")]),
        "transactionAmount",
        ParamRule::Conflict {
            reason: "must not exceed globalAmountLimit",
        },
    );
    refused(
        with("MultiUse", &[("isRecipientCobranding", "True")]),
        "recipientTokenList",
        ParamRule::Missing,
    );
    refused(
        with("MultiUse", &[("recipientTokenList", TOKEN)]),
        "recipientTokenList",
        ParamRule::Requires {
            other: "isRecipientCobranding",
        },
    );
    let list = format!("{TOKEN},{TOKEN}");
    assert!(with(
        "MultiUse",
        &[("isRecipientCobranding", "True"), ("recipientTokenList", &list)]
    )
    .is_ok());
    refused(
        with("MultiUse", &[("usageLimitType1", "Count")]),
        "usageLimitValue1",
        ParamRule::Missing,
    );
    refused(
        with("MultiUse", &[("usageLimitValue2", "5")]),
        "usageLimitValue2",
        ParamRule::Requires {
            other: "usageLimitType2",
        },
    );
    refused(
        with("MultiUse", &[("usageLimitPeriod1", "1 Month")]),
        "usageLimitPeriod1",
        ParamRule::Requires {
            other: "usageLimitType1",
        },
    );
    refused(
        with(
            "MultiUse",
            &[("usageLimitType1", "Count"), ("usageLimitValue1", "2.5")],
        ),
        "usageLimitValue1",
        ParamRule::Format {
            expected: "a whole number for a Count limit",
        },
    );
    assert!(with(
        "MultiUse",
        &[
            ("usageLimitType1", "Amount"),
            ("usageLimitValue1", "2.50"),
            ("usageLimitPeriod1", "1 Month"),
            ("usageLimitType2", "Count"),
            ("usageLimitValue2", "3")
        ]
    )
    .is_ok());
}

#[test]
fn setup_and_recipient_rules() {
    refused(
        with("SetupPrepaid", &[("callerReferenceFunding", "s-1")]),
        "callerReferenceFunding",
        ParamRule::Conflict {
            reason: "must differ from callerReferenceSender",
        },
    );
    refused(
        with("SetupPostpaid", &[("callerReferenceSettlement", "s-1")]),
        "callerReferenceSettlement",
        ParamRule::Conflict {
            reason: "must differ from callerReferenceSender",
        },
    );
    refused(
        with("SetupPostpaid", &[("creditLimit", "200")]),
        "creditLimit",
        ParamRule::Conflict {
            reason: "must not exceed globalAmountLimit",
        },
    );
    assert!(with(
        "Recipient",
        &[("maxFixedFee", "0.50"), ("maxVariableFee", "12.5")]
    )
    .is_ok());
    for bad in ["100.01", "-1", "1.234", "abc", "5.", ""] {
        assert!(
            matches!(
                with("Recipient", &[("maxVariableFee", bad)]),
                Err(CoreError::Param {
                    rule: ParamRule::Format { .. },
                    ..
                })
            ),
            "{bad}"
        );
    }
    refused(
        with("EditToken", &[("tokenId", "short")]),
        "tokenId",
        ParamRule::TooShort { min: 16 },
    );
}

#[test]
fn accessors_expose_the_policy_relevant_fields() {
    let request = with("SingleUse", &[("currencyCode", "USD")]).unwrap();
    assert_eq!(request.pipeline().caller_reference().as_str(), "ref-1");
    assert_eq!(request.common().caller_key.as_str(), KEY);
    assert_eq!(
        request.common().return_url.as_str(),
        "https://shop.example/thanks?order=7"
    );
    assert!(matches!(request.pipeline(), Pipeline::SingleUse(p) if p.transaction_amount.minor_units() == 90));
    let prepaid = build(&minimal("SetupPrepaid")).unwrap();
    assert_eq!(prepaid.pipeline().caller_reference().as_str(), "s-1");
    assert_eq!(prepaid.pipeline().amount().map(|a| a.minor_units()), Some(5000));
}

#[test]
fn endpoints() {
    assert_eq!(
        CbuiEndpoint::parse("production").unwrap().endpoint().as_str(),
        PRODUCTION_CBUI
    );
    assert_eq!(
        CbuiEndpoint::parse("sandbox").unwrap().endpoint().host(),
        "authorize.payments-sandbox.amazon.com"
    );
    let local = CbuiEndpoint::parse("http://127.0.0.1:8123/cobranded-ui/actions/start").unwrap();
    assert_eq!(local.endpoint().signed_host(), "127.0.0.1:8123");
    assert!(CbuiEndpoint::parse("http://127.0.0.1:8123/start?x=1").is_err());
    assert!(CbuiEndpoint::parse("Sandbox").is_err());
}

#[test]
fn signed_url_carries_every_parameter_and_the_signature() {
    let request = build(&minimal("SingleUse")).unwrap();
    let url = request.signed_url(&CbuiEndpoint::sandbox(), "ab+/=");
    assert!(url.starts_with("https://authorize.payments-sandbox.amazon.com/cobranded-ui/actions/start?"));
    assert!(url.ends_with("&signature=ab%2B%2F%3D"));
    assert!(url.contains("returnURL=https%3A%2F%2Fshop.example%2Fthanks%3Forder%3D7"));
}

/// Values that exercise every value type's rules (and their normalisation: `1` is `1.00`,
/// `01 Month` is `1 Month`, `0001` is `1`), for the reader agreement test.
const PROBES: &[&str] = &[
    "",
    " ",
    "0",
    "1",
    "01",
    "0001",
    "9",
    "0.90",
    "1.5",
    "12.345",
    "100",
    "100.00",
    "1000000.01",
    "-1",
    "1,000",
    "True",
    "False",
    "true",
    "USD",
    "EUR",
    "CC",
    "ABT,ACH,CC",
    "CC,CC",
    "ACH,",
    "1 Month",
    "01 Month",
    "2 Months",
    "2 Month",
    "0 Day",
    "1000 Days",
    "1 Fortnight",
    "Count",
    "Amount",
    "Exact",
    "Maximum",
    "5.5",
    "05",
    "100.01",
    "logo",
    "banner",
    "HmacSHA1",
    "HmacSHA256",
    "1700000000",
    "1600000000",
    "99999999999",
    "SingleUse",
    "Recipient",
    "2009-01-09",
    "2",
    "ref-1",
    "s-1",
    "a\u{7}b",
    "https://shop.example/thanks",
    "https://shop.example/r?status=SA",
    "http://127.0.0.1:8080/x?order=1",
    "ftp://x.example/",
    "/relative",
    KEY,
    TOKEN,
    "I39FL7UFPBCJHUR5ICSDPX1RGP6ND6M5QZNQJKXGFT7CA9QNPJ6CH1GTAOHEMGEE,AAAAAAAAAAAAAAAA",
];

/// Every parameter name a pipeline or group knows, plus the fixed ones and a few strangers.
fn all_names() -> Vec<&'static str> {
    let mut names: Vec<&'static str> =
        vec!["pipelineName", "version", "signatureVersion", "signature", "foo"];
    for list in [
        Common::PARAMS,
        SingleUse::PARAMS,
        MultiUse::PARAMS,
        Recurring::PARAMS,
        Recipient::PARAMS,
        SetupPrepaid::PARAMS,
        SetupPostpaid::PARAMS,
        EditToken::PARAMS,
        Address::PARAMS,
        Validity::PARAMS,
        UsageLimits::PARAMS,
    ] {
        for name in list {
            if !names.contains(name) {
                names.push(name);
            }
        }
    }
    names
}

#[test]
fn the_table_reader_agrees_with_the_typed_reader_on_every_name_and_probe() {
    let names = all_names();
    let mut checked = 0;
    for &pipeline in PIPELINES {
        let _ = build(&minimal(pipeline));
        for &name in &names {
            let _ = without(pipeline, name);
            for &probe in PROBES {
                let _ = with(pipeline, &[(name, probe)]);
                checked += 1;
            }
        }
    }
    assert!(checked >= 7 * 50 * 60, "{checked} cases");
}

#[test]
fn the_table_reader_agrees_with_the_typed_reader_on_cross_field_rules() {
    // Pairs of fields whose rules depend on each other, each with every probe value.
    let related: &[[&str; 2]] = &[
        ["amountType", "transactionAmount"],
        ["transactionAmount", "globalAmountLimit"],
        ["isRecipientCobranding", "recipientTokenList"],
        ["callerReferenceSender", "callerReferenceFunding"],
        ["callerReferenceSender", "callerReferenceSettlement"],
        ["creditLimit", "globalAmountLimit"],
        ["validityStart", "validityExpiry"],
        ["usageLimitType1", "usageLimitValue1"],
        ["usageLimitType1", "usageLimitPeriod1"],
        ["usageLimitType2", "usageLimitValue2"],
        ["usageLimitPeriod2", "usageLimitValue2"],
        ["returnURL", "signatureMethod"],
    ];
    for &pipeline in PIPELINES {
        for [first, second] in related {
            for &a in PROBES {
                for &b in PROBES {
                    let _ = with(pipeline, &[(first, a), (second, b)]);
                }
            }
        }
    }
    // Three-field usage limits, valid and not.
    for kind in ["Count", "Amount", "Other"] {
        for value in ["3", "3.50", "0"] {
            for period in [None, Some("1 Month"), Some("2 Weeks")] {
                let mut extra = vec![("usageLimitType1", kind), ("usageLimitValue1", value)];
                extra.extend(period.map(|p| ("usageLimitPeriod1", p)));
                let _ = with("MultiUse", &extra);
                let _ = with("SetupPostpaid", &extra);
            }
        }
    }
}
