CREATE TABLE wallets (
    id       BIGINT PRIMARY KEY,
    owner    TEXT   NOT NULL,
    currency TEXT   NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    balance  BIGINT NOT NULL DEFAULT 0
);

CREATE TABLE transfers (
    id         BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    reference  TEXT   NOT NULL UNIQUE,
    from_id    BIGINT NOT NULL REFERENCES wallets (id),
    to_id      BIGINT NOT NULL REFERENCES wallets (id),
    amount     BIGINT NOT NULL CHECK (amount > 0),
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
