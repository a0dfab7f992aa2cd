//! Every validation rule refuses what it should, naming the parameter and the rule: unknown and
//! fixed parameters, lengths, URLs, enumerations, amounts, dates, and the cross-field rules.

use super::{build, minimal, refused, with, TOKEN};
use fps_core::error::{AmountRule, ParamRule, UrlRule};
use fps_core::params::SignatureMethod;
use fps_core::{Amount, CoreError};

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
