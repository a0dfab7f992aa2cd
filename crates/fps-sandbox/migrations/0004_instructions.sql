-- Tokens installed by InstallPaymentInstruction on the caller's own account (caller and
-- recipient tokens of the 2007 API): the GK instruction evaluated at each payment and the
-- token's friendly name. NULL for tokens installed through the CBUI pipelines.
ALTER TABLE tokens ADD COLUMN payment_instruction TEXT;
ALTER TABLE tokens ADD COLUMN friendly_name TEXT;
