-- Acknowledgements no longer keep a watermark in the machine row: the service acknowledges a
-- frame's highest sequence number once the transaction holding it has committed (the agent sends
-- in order and resends what was not acknowledged). Updating the wide machine row for every
-- reported transition doubled the write cost of ingest and made concurrent batches deadlock.
alter table machine drop column unit_seq;
