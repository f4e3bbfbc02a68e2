CREATE TABLE payments (
    id         BIGINT PRIMARY KEY GENERATED ALWAYS AS IDENTITY,
    merchant   TEXT        NOT NULL,
    amount     BIGINT      NOT NULL CHECK (amount > 0),
    currency   TEXT        NOT NULL,
    created_at TIMESTAMPTZ NOT NULL DEFAULT now()
);
