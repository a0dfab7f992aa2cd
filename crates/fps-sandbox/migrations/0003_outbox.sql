-- The e-mails FPS would send the sender (payment succeeded or failed, settlement failed, refund),
-- kept so a tester can read them on the emulator's /outbox page.
CREATE TABLE sender_emails (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    to_email TEXT NOT NULL,
    subject TEXT NOT NULL,
    body TEXT NOT NULL,
    transaction_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    at INTEGER NOT NULL
);
CREATE UNIQUE INDEX sender_emails_once ON sender_emails (transaction_id, kind);
