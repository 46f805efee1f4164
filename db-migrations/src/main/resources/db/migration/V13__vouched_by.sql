-- Who vouches for an invitation or a service account: the person at the root of the maker's chain
-- (the maker itself when a person made it; the person who made the API token, through any chain of
-- tokens, when a token did). When that person is removed or demoted, what they vouch for and may no
-- longer make is revoked; an invitation is accepted only while its voucher may still invite.
-- Null on rows made before: the maker (invited_by, added_by) stands in.
alter table invitation add column vouched_by text check (length(vouched_by) <= 300);
alter table member add column vouched_by text check (length(vouched_by) <= 300);
