//! Typed CBUI requests: every pipeline builds and round-trips, and every validation rule refuses
//! what it should, naming the parameter and the rule. Every input here also goes through the
//! table reader the browser module uses (`CheckedPairs`), which must give the same pairs or the
//! same error.

// Grouped by what they test; the helpers below are shared by all three.
mod agreement;
mod pipelines;
mod rules;

use fps_core::error::ParamRule;
use fps_core::params::{CbuiRequest, CheckedPairs};
use fps_core::CoreError;

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
