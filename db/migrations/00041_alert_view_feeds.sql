-- +goose Up
-- An alert shows the feeds' new fields too (00040).
CREATE OR REPLACE VIEW alert_transactions AS
SELECT t.id, t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name,
    b.bank_name, b.account_number, b.account_name,
    t.sub_account, t.payment_code
FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id;

-- +goose Down
DROP VIEW alert_transactions;
CREATE VIEW alert_transactions AS
SELECT t.id, t.amount, t.description, t.balance_after, t.occurred_at, t.reference,
    t.counter_account_name, t.counter_account_number, t.counter_bank_name,
    b.bank_name, b.account_number, b.account_name
FROM transactions t JOIN bank_accounts b ON b.id = t.bank_account_id;
