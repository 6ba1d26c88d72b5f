-- Petitions (issue 9): petitions, their signatures and the one-time e-mail
-- confirmation tokens. Times are Unix nanoseconds in UTC.

-- One row per petition. signatures is the confirmed count, kept by the
-- signature writes in the same transaction as the signature, so that
-- GET .../count reads one row instead of counting. doc holds the rest of
-- the petition as JSON (its signatures, level and version are the columns).
CREATE TABLE petitions (
    id           TEXT PRIMARY KEY,
    status       TEXT NOT NULL,
    category     TEXT NOT NULL DEFAULT '',
    ward         TEXT NOT NULL DEFAULT '',
    signatures   INTEGER NOT NULL DEFAULT 0,
    level        INTEGER NOT NULL DEFAULT 0,
    created_at   INTEGER NOT NULL,
    closes_at    INTEGER,
    version      INTEGER NOT NULL,
    doc          TEXT NOT NULL
);

CREATE INDEX petitions_status_created ON petitions (status, created_at DESC);
CREATE INDEX petitions_status_signatures ON petitions (status, signatures DESC, created_at DESC);

-- One row per identity and petition: identity is the sha256 of the
-- normalised e-mail address or of the Telegram chat id, so the UNIQUE
-- constraint is what stops a second signature, whatever the races.
CREATE TABLE petition_signatures (
    id           TEXT PRIMARY KEY,
    petition_id  TEXT NOT NULL REFERENCES petitions (id),
    identity     TEXT NOT NULL,
    method       TEXT NOT NULL,
    status       TEXT NOT NULL,
    email        TEXT NOT NULL DEFAULT '',
    email_domain TEXT NOT NULL DEFAULT '',
    chat_id      INTEGER NOT NULL DEFAULT 0,
    name         TEXT NOT NULL DEFAULT '',
    show_name    INTEGER NOT NULL DEFAULT 0,
    language     TEXT NOT NULL DEFAULT '',
    ip           TEXT NOT NULL DEFAULT '',
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    UNIQUE (petition_id, identity)
);

CREATE INDEX petition_signatures_list ON petition_signatures (petition_id, id);
CREATE INDEX petition_signatures_domain ON petition_signatures (petition_id, email_domain);
CREATE INDEX petition_signatures_ip ON petition_signatures (petition_id, ip);

-- One-time confirmation tokens, stored hashed. A signer who asks again
-- before confirming gets another token for the same pending signature.
CREATE TABLE petition_tokens (
    token_hash   TEXT PRIMARY KEY,
    signature_id TEXT NOT NULL REFERENCES petition_signatures (id),
    expires_at   INTEGER NOT NULL
);

CREATE INDEX petition_tokens_expires ON petition_tokens (expires_at);
