//! The seven CBUI pipelines' parameters (`fps-protocol.md` section 3), the optional groups each
//! takes and their cross-field rules: each declared once, here (see `params/mod.rs`).

use super::schema::Rule;
use super::values::{
    AddressLine, AmountType, CallerReference, Description, DisplayAmount, FpsBool, PaymentMethods, Percent,
    Period, ShortText, TokenId, TokenList, UnixTime, UsageLimitType, UsageLimitValue,
};
use super::wire::param_struct;
use crate::amount::{Amount, Currency};

param_struct! {
    /// A postal address shown on the confirmation page (ignored when `collectShippingAddress=True`).
    #[derive(Default)]
    Address {
        /// Recipient's name.
        optional name: AddressLine = "addressName",
        /// First line.
        optional line1: AddressLine = "addressLine1",
        /// Second line.
        optional line2: AddressLine = "addressLine2",
        /// City.
        optional city: AddressLine = "city",
        /// State or region.
        optional state: ShortText = "state",
        /// Country.
        optional country: AddressLine = "country",
        /// Postal code.
        optional zip: ShortText = "zip",
        /// Phone number.
        optional phone_number: ShortText = "phoneNumber",
    }
}

param_struct! {
    /// When a token may be used (`validityStart`, `validityExpiry`, Unix seconds).
    #[derive(Default)]
    Validity {
        /// First second the token may be used.
        optional start: UnixTime = "validityStart",
        /// Second at which the token expires.
        optional expiry: UnixTime = "validityExpiry",
    }
    rules: [Rule::Later {
        field: "validityExpiry",
        earlier: "validityStart",
        reason: "must be later than validityStart",
    }]
}

param_struct! {
    /// Up to two usage limits (`usageLimitType1`, `usageLimitPeriod1`, `usageLimitValue1`, and `...2`).
    #[derive(Default)]
    UsageLimits {
        /// What the first limit counts.
        optional type1: UsageLimitType = "usageLimitType1",
        /// The first limit's period.
        optional period1: Period = "usageLimitPeriod1",
        /// The first limit's value.
        optional value1: UsageLimitValue = "usageLimitValue1",
        /// What the second limit counts.
        optional type2: UsageLimitType = "usageLimitType2",
        /// The second limit's period.
        optional period2: Period = "usageLimitPeriod2",
        /// The second limit's value.
        optional value2: UsageLimitValue = "usageLimitValue2",
    }
    rules: [
        Rule::UsageLimit { kind: "usageLimitType1", period: "usageLimitPeriod1", value: "usageLimitValue1" },
        Rule::UsageLimit { kind: "usageLimitType2", period: "usageLimitPeriod2", value: "usageLimitValue2" },
    ]
}

param_struct! {
    /// A token for one payment (the default pipeline for a Pay Now button).
    SingleUse {
        /// The caller's unique reference for this token.
        required caller_reference: CallerReference = "callerReference",
        /// The amount the sender authorizes.
        required transaction_amount: Amount = "transactionAmount",
        /// Currency (USD, the default).
        optional currency_code: Currency = "currencyCode",
        /// Payment methods offered.
        optional payment_method: PaymentMethods = "paymentMethod",
        /// Why the sender pays, shown on the pages.
        optional payment_reason: Description = "paymentReason",
        /// The recipient's token, in a marketplace.
        optional recipient_token: TokenId = "recipientToken",
        /// `True` asks for a token usable with Reserve.
        optional reserve: FpsBool = "reserve",
        /// `True` makes the CBUI collect and return a shipping address.
        optional collect_shipping_address: FpsBool = "collectShippingAddress",
        /// Display-only: item total.
        optional item_total: DisplayAmount = "itemTotal",
        /// Display-only: shipping.
        optional shipping: DisplayAmount = "shipping",
        /// Display-only: handling.
        optional handling: DisplayAmount = "handling",
        /// Display-only: discount.
        optional discount: DisplayAmount = "discount",
        /// Display-only: tax.
        optional tax: DisplayAmount = "tax",
        /// Display-only: gift wrapping.
        optional gift_wrapping: DisplayAmount = "giftWrapping",
    }
    groups: [Address]
}

param_struct! {
    /// A token for many payments up to a lifetime cap.
    MultiUse {
        /// The caller's unique reference for this token.
        required caller_reference: CallerReference = "callerReference",
        /// The lifetime cap of all payments.
        required global_amount_limit: Amount = "globalAmountLimit",
        /// How `transactionAmount` constrains each payment.
        optional amount_type: AmountType = "amountType",
        /// The per-payment amount (with `amountType`).
        optional transaction_amount: Amount = "transactionAmount",
        /// `True` when recipients co-brand the pages; needs `recipientTokenList`.
        optional is_recipient_cobranding: FpsBool = "isRecipientCobranding",
        /// The recipients allowed.
        optional recipient_token_list: TokenList = "recipientTokenList",
        /// Currency (USD, the default).
        optional currency_code: Currency = "currencyCode",
        /// Payment methods offered.
        optional payment_method: PaymentMethods = "paymentMethod",
        /// Why the sender pays.
        optional payment_reason: Description = "paymentReason",
        /// `True` makes the CBUI collect and return a shipping address.
        optional collect_shipping_address: FpsBool = "collectShippingAddress",
    }
    groups: [Address, Validity, UsageLimits]
    rules: [
        Rule::Requires { field: "amountType", other: "transactionAmount" },
        Rule::NotAbove {
            field: "transactionAmount",
            limit: "globalAmountLimit",
            reason: "must not exceed globalAmountLimit",
        },
        Rule::WithFlag { flag: "isRecipientCobranding", field: "recipientTokenList" },
    ]
}

param_struct! {
    /// A token for a fixed amount charged every period.
    Recurring {
        /// The caller's unique reference for this token.
        required caller_reference: CallerReference = "callerReference",
        /// The amount charged each period.
        required transaction_amount: Amount = "transactionAmount",
        /// How often (`1 Month`).
        required recurring_period: Period = "recurringPeriod",
        /// Currency (USD, the default).
        optional currency_code: Currency = "currencyCode",
        /// Payment methods offered.
        optional payment_method: PaymentMethods = "paymentMethod",
        /// Why the sender pays.
        optional payment_reason: Description = "paymentReason",
        /// The recipient's token, in a marketplace.
        optional recipient_token: TokenId = "recipientToken",
        /// `True` when the recipient co-brands the pages.
        optional is_recipient_cobranding: FpsBool = "isRecipientCobranding",
        /// `True` makes the CBUI collect and return a shipping address.
        optional collect_shipping_address: FpsBool = "collectShippingAddress",
    }
    groups: [Address, Validity]
}

param_struct! {
    /// A seller (recipient) registers with a marketplace and accepts its fees.
    Recipient {
        /// The caller's unique reference for this registration.
        required caller_reference: CallerReference = "callerReference",
        /// `True` when the recipient pays the FPS fee.
        required recipient_pays_fee: FpsBool = "recipientPaysFee",
        /// The largest fixed marketplace fee the recipient accepts.
        optional max_fixed_fee: Amount = "maxFixedFee",
        /// The largest variable marketplace fee the recipient accepts, in percent.
        optional max_variable_fee: Percent = "maxVariableFee",
        /// Payment methods the recipient accepts.
        optional payment_method: PaymentMethods = "paymentMethod",
    }
    // The fee caps are validated by their types; FPS sources disagree on whether both are
    // required, so neither is.
    groups: [Validity]
}

param_struct! {
    /// A prepaid instrument funded once by the sender.
    SetupPrepaid {
        /// The caller's reference for the sender token.
        required caller_reference_sender: CallerReference = "callerReferenceSender",
        /// The caller's reference for the funding token.
        required caller_reference_funding: CallerReference = "callerReferenceFunding",
        /// The prepaid amount.
        required funding_amount: Amount = "fundingAmount",
        /// Payment methods offered.
        optional payment_method: PaymentMethods = "paymentMethod",
        /// Why the sender pays.
        optional payment_reason: Description = "paymentReason",
        /// Currency (USD, the default).
        optional currency_code: Currency = "currencyCode",
    }
    groups: [Address, Validity]
    rules: [Rule::Differs {
        field: "callerReferenceFunding",
        other: "callerReferenceSender",
        reason: "must differ from callerReferenceSender",
    }]
}

param_struct! {
    /// A postpaid (credit) instrument settled later.
    SetupPostpaid {
        /// The caller's reference for the sender token.
        required caller_reference_sender: CallerReference = "callerReferenceSender",
        /// The caller's reference for the settlement token.
        required caller_reference_settlement: CallerReference = "callerReferenceSettlement",
        /// The credit limit.
        required credit_limit: Amount = "creditLimit",
        /// The lifetime cap.
        required global_amount_limit: Amount = "globalAmountLimit",
        /// Payment methods offered.
        optional payment_method: PaymentMethods = "paymentMethod",
        /// Why the sender pays.
        optional payment_reason: Description = "paymentReason",
        /// Currency (USD, the default).
        optional currency_code: Currency = "currencyCode",
    }
    groups: [Address, Validity, UsageLimits]
    rules: [
        Rule::Differs {
            field: "callerReferenceSettlement",
            other: "callerReferenceSender",
            reason: "must differ from callerReferenceSender",
        },
        Rule::NotAbove {
            field: "creditLimit",
            limit: "globalAmountLimit",
            reason: "must not exceed globalAmountLimit",
        },
    ]
}

param_struct! {
    /// Changes the payment method of an existing token.
    EditToken {
        /// The caller's unique reference for this edit.
        required caller_reference: CallerReference = "callerReference",
        /// The token to edit (`tokenId`, as Amazon's own library sends it).
        required token_id: TokenId = "tokenId",
        /// The new payment methods.
        optional payment_method: PaymentMethods = "paymentMethod",
    }
}
