-- Sign-ins to the account pages (/account): a random id carried by an HttpOnly, SameSite=Strict
-- cookie, the account's e-mail, the token every form of the pages must carry back (CSRF), and
-- when the sign-in lapses (real time).
CREATE TABLE account_sessions (
    id TEXT PRIMARY KEY,
    email TEXT NOT NULL,
    form_token TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX account_sessions_by_expiry ON account_sessions (expires_at);
