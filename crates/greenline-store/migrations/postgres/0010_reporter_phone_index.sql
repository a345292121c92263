-- The call-taker's desk looks up earlier cases from the caller's phone number. Phones are kept
-- as typed (digits with '-', spaces or a leading '+'), so the index is on the digits alone: the
-- store's query spells this very expression.
CREATE INDEX reporters_phone_digits
    ON reporters ((REPLACE(REPLACE(REPLACE(phone, '-', ''), ' ', ''), '+', '')));
