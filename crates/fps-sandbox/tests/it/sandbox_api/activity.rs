//! GetAccountActivity: its filters, and paging exactly by the StartTimeForNextTransaction it answers.

use crate::sandbox_support::*;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_activity_filters_and_pages() {
    let h = Harness::start(20, None).await;
    let start = now_iso(-60);
    let mut ids = Vec::new();
    for n in 0..3 {
        let token = h
            .single_use_token(&format!("tok-a{n}"), "3.00", "ABT", false)
            .await;
        ids.push(
            h.pay("Pay", &token, &format!("act-{n}"), "3.00")
                .await
                .tag("TransactionId")
                .unwrap(),
        );
    }
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &ids[0]),
            ("CallerReference", "act-r"),
        ])
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    let all = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &start)])
        .await;
    assert_eq!(all.status, 200, "{}", all.body);
    assert_eq!(all.tag("BatchSize").unwrap(), "4");
    assert!(all.tag("StartTimeForNextTransaction").is_none());
    assert_eq!(all.tags("Role").len(), 12, "three TransactionParts each");
    let refunds = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &start),
            ("FPSOperation", "Refund"),
        ])
        .await;
    assert_eq!(refunds.tag("BatchSize").unwrap(), "1");
    assert_eq!(refunds.tag("FPSOperation").unwrap(), "Refund");
    let page = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &start),
            ("MaxBatchSize", "2"),
            ("SortOrderByDate", "Ascending"),
        ])
        .await;
    assert_eq!(page.tag("BatchSize").unwrap(), "2");
    assert!(page.tag("StartTimeForNextTransaction").is_some());
    assert_eq!(page.tags("TransactionId")[0], ids[0]);
    let future = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &now_iso(3600))])
        .await;
    assert_eq!(future.tag("BatchSize").unwrap(), "0");
    let other = h
        .call_as(
            OTHER_KEY,
            &[("Action", "GetAccountActivity"), ("StartDate", &start)],
        )
        .await;
    assert_eq!(other.tag("BatchSize").unwrap(), "0");
    assert_eq!(
        h.call(&[("Action", "GetAccountActivity")]).await.error_code(),
        "InvalidParams"
    );
    let bad = h
        .call(&[
            ("Action", "GetAccountActivity"),
            ("StartDate", &start),
            ("Status", "Lost"),
        ])
        .await;
    assert_eq!(bad.error_code(), "InvalidParams");
    h.sandbox.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn account_activity_pages_exactly_by_start_time_for_next_transaction() {
    let h = Harness::start(20, None).await;
    let start = now_iso(-60);
    let mut ids = Vec::new();
    for n in 0..5 {
        let token = h
            .single_use_token(&format!("tok-page{n}"), "2.00", "ABT", false)
            .await;
        ids.push(
            h.pay("Pay", &token, &format!("page-{n}"), "2.00")
                .await
                .tag("TransactionId")
                .unwrap(),
        );
    }
    // Oldest first: the next batch starts at StartTimeForNextTransaction.
    let mut seen = Vec::new();
    let mut from = start.clone();
    for round in 0.. {
        assert!(round < 5, "paging does not end");
        let page = h
            .call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", &from),
                ("MaxBatchSize", "2"),
                ("SortOrderByDate", "Ascending"),
            ])
            .await;
        assert_eq!(page.status, 200, "{}", page.body);
        let batch = page.tags("TransactionId");
        assert_eq!(page.tag("BatchSize").unwrap(), batch.len().to_string());
        seen.extend(batch);
        match page.tag("StartTimeForNextTransaction") {
            Some(next) => from = next,
            None => break,
        }
    }
    assert_eq!(seen, ids, "every transaction once, in order");
    // Newest first: the next batch ends at it.
    let mut seen = Vec::new();
    let mut end: Option<String> = None;
    for round in 0.. {
        assert!(round < 5, "paging does not end");
        let mut params = vec![
            ("Action", "GetAccountActivity"),
            ("StartDate", start.as_str()),
            ("MaxBatchSize", "2"),
        ];
        if let Some(end) = &end {
            params.push(("EndDate", end.as_str()));
        }
        let page = h.call(&params).await;
        seen.extend(page.tags("TransactionId"));
        match page.tag("StartTimeForNextTransaction") {
            Some(next) => end = Some(next),
            None => break,
        }
    }
    ids.reverse();
    assert_eq!(seen, ids);
    // Each transaction has a DateReceived of its own.
    let all = h
        .call(&[("Action", "GetAccountActivity"), ("StartDate", &start)])
        .await;
    let mut dates = all.tags("DateReceived");
    dates.dedup();
    assert_eq!(dates.len(), 5, "{}", all.body);
    // Role: the caller's part. It received the five payments and sends the refund of one.
    let refund = h
        .call(&[
            ("Action", "Refund"),
            ("TransactionId", &ids[0]),
            ("CallerReference", "page-refund"),
        ])
        .await;
    assert_eq!(refund.status, 200, "{}", refund.body);
    let count = |role: &'static str| {
        let start = start.clone();
        let h = &h;
        async move {
            h.call(&[
                ("Action", "GetAccountActivity"),
                ("StartDate", &start),
                ("Role", role),
            ])
            .await
            .tag("BatchSize")
            .unwrap()
        }
    };
    assert_eq!(count("Caller").await, "6");
    assert_eq!(count("Recipient").await, "5");
    assert_eq!(count("Sender").await, "1");
    h.sandbox.stop().await;
}
