//! Unit tests of the order rules (`order.rs`), kept apart to keep that module short.

use super::*;
use OrderState::*;
use TransactionStatus as T;

#[test]
fn states_round_trip() {
    for state in OrderState::ALL {
        assert_eq!(OrderState::parse(state.as_str()), Some(state));
    }
    assert_eq!(OrderState::parse("PAID"), None);
}

#[test]
fn statuses_only_move_forward() {
    assert_eq!(
        next_state(Charging, Mode::Pay, Which::Charge, T::Success),
        Some(Paid)
    );
    assert_eq!(
        next_state(Pending, Mode::Pay, Which::Charge, T::Success),
        Some(Paid)
    );
    assert_eq!(
        next_state(Pending, Mode::Reserve, Which::Charge, T::Reserved),
        Some(Reserved)
    );
    assert_eq!(
        next_state(Reserved, Mode::Reserve, Which::Charge, T::Cancelled),
        Some(Cancelled)
    );
    assert_eq!(
        next_state(Settling, Mode::Reserve, Which::Charge, T::Cancelled),
        Some(Cancelled),
        "a reserve cancelled under a settle never leaves the order settling"
    );
    assert_eq!(
        next_state(Settling, Mode::Reserve, Which::Settle, T::Success),
        Some(Paid)
    );
    assert_eq!(
        next_state(Settling, Mode::Reserve, Which::Charge, T::Failure),
        Some(Failed)
    );
    assert_eq!(
        next_state(Settling, Mode::Reserve, Which::Settle, T::Failure),
        Some(Failed)
    );
    // Late or repeated notifications never move an order back.
    assert_eq!(next_state(Paid, Mode::Pay, Which::Charge, T::Pending), None);
    assert_eq!(next_state(Paid, Mode::Pay, Which::Charge, T::Success), None);
    assert_eq!(next_state(Paid, Mode::Pay, Which::Charge, T::Failure), None);
    assert_eq!(
        next_state(Reserved, Mode::Reserve, Which::Charge, T::Pending),
        None
    );
    assert_eq!(
        next_state(Cancelled, Mode::Reserve, Which::Charge, T::Reserved),
        None
    );
    assert_eq!(next_state(Open, Mode::Pay, Which::Charge, T::Success), None);
    // A mode mismatch does not fit.
    assert_eq!(next_state(Pending, Mode::Pay, Which::Charge, T::Reserved), None);
}

#[test]
fn money_rules() {
    assert!(check_settle(Reserved, 500, 500).is_ok());
    assert!(matches!(
        check_settle(Reserved, 501, 500),
        Err(RuleError::TooMuch { .. })
    ));
    assert!(matches!(
        check_settle(Paid, 1, 500),
        Err(RuleError::WrongState { .. })
    ));
    assert!(check_cancel(Pending).is_ok());
    assert!(check_cancel(Reserved).is_ok());
    assert!(check_cancel(Paid).is_err());
    assert!(check_refund(Paid, 300, 500, 200).is_ok());
    assert!(matches!(
        check_refund(Paid, 301, 500, 200),
        Err(RuleError::TooMuch { .. })
    ));
    assert!(check_refund(Reserved, 1, 500, 0).is_err());
    assert_eq!(money(1234), "12.34");
}

#[test]
fn attempts_have_their_own_caller_reference() {
    assert_eq!(caller_reference("ord-1f", 1), "ord-1f");
    assert_eq!(caller_reference("ord-1f", 2), "ord-1f-a2");
    for attempt in 1..=MAX_ATTEMPTS {
        let named = caller_reference("ord-1f", attempt);
        assert_eq!(split_caller_reference(&named), ("ord-1f", attempt));
        assert!(names_attempt(&named, "ord-1f", attempt));
        assert!(!names_attempt(&named, "ord-1f", attempt + 1));
        assert!(!names_attempt(&named, "ord-2f", attempt));
    }
    // Anything that is not an attempt suffix names attempt 1 of itself.
    for plain in [
        "ord-1f",
        "ord-1f-a",
        "ord-1f-a1",
        "ord-1f-a02",
        "ord-1f-ab",
        "ord-1f-a99999",
        "-a",
    ] {
        assert_eq!(split_caller_reference(plain), (plain, 1), "{plain}");
    }
}

#[test]
fn only_failed_orders_are_authorized_again() {
    assert!(check_reauthorize(Failed, 1).is_ok());
    assert!(check_reauthorize(Failed, MAX_ATTEMPTS - 1).is_ok());
    assert_eq!(
        check_reauthorize(Failed, MAX_ATTEMPTS),
        Err(RuleError::TooManyAttempts { limit: MAX_ATTEMPTS })
    );
    for state in OrderState::ALL.into_iter().filter(|s| *s != Failed) {
        assert!(
            matches!(check_reauthorize(state, 1), Err(RuleError::WrongState { .. })),
            "{state}"
        );
    }
}

#[test]
fn shoppers_cancel_only_before_money_is_taken() {
    for state in OrderState::ALL {
        let allowed = matches!(state, Open | Pending | Reserved);
        assert_eq!(check_shopper_cancel(state).is_ok(), allowed, "{state}");
    }
}

#[test]
fn attention_lists_failures_and_overdue_outcomes() {
    let now = 1_000_000;
    assert_eq!(
        attention(Failed, Some("FPS declined the payment"), now, None, now).as_deref(),
        Some("FPS declined the payment")
    );
    assert!(attention(Failed, None, now, None, now).is_some());
    let old = now - STUCK_AFTER_SECONDS;
    for state in [Charging, Settling, Pending] {
        assert!(
            attention(state, None, now - 1, None, now).is_none(),
            "{state} fresh"
        );
        assert!(
            attention(state, None, old, None, now).is_some(),
            "{state} overdue"
        );
    }
    for state in [Open, Reserved, Paid, Refunded, Cancelled] {
        assert!(attention(state, Some("x"), old, None, now).is_none(), "{state}");
    }
    // A reserve is flagged in its last day, with the time left.
    let far = now + 3 * 24 * 3600;
    assert!(attention(Reserved, None, old, Some(far), now).is_none());
    let near = now + 5 * 3600;
    assert_eq!(
        attention(Reserved, None, old, Some(near), now).as_deref(),
        Some("the reserve expires in 5 hours: settle or cancel it")
    );
}
