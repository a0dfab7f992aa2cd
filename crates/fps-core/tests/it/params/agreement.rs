//! The table reader (`CheckedPairs`, the browser module's) agrees with the typed reader on every
//! parameter name with every probe value, and on the cross-field rules.

use super::{build, minimal, with, without, KEY, PIPELINES, TOKEN};
use fps_core::params::{
    Address, Common, EditToken, MultiUse, Recipient, Recurring, SetupPostpaid, SetupPrepaid, SingleUse,
    UsageLimits, Validity,
};

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
