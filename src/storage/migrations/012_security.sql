-- Sign-in failures per account (throttled across API replicas), second factors, and why a webhook failed.

-- One row per failed sign-in, by the email typed (known or not): at most N in a window, then 429.
create table sign_in_failures (
  id bigserial primary key,
  account text not null,
  at timestamptz not null
);
create index sign_in_failures_account_idx on sign_in_failures (account, at);
create index sign_in_failures_at_idx on sign_in_failures (at);

-- TOTP: the secret while enrolling (pending) and once confirmed; recovery codes as sha256 hashes, each used
-- once; the last time step accepted, so a code cannot be replayed.
alter table users add column totp_secret text;
alter table users add column totp_pending_secret text;
alter table users add column totp_enabled_at timestamptz;
alter table users add column totp_recovery_hashes text[];
alter table users add column totp_last_step bigint;

-- A failed attempt's category (refused_target, dns_failed, timeout, http_5xx, …), beside its sentence.
alter table webhook_attempts add column failure text;
alter table webhook_deliveries add column last_failure text;
