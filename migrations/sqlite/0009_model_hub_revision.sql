-- Models read from the Hugging Face Hub (issue #16) remember where they came from: the
-- revision the user named (branch, tag or commit) and the commit it resolved to, so
-- `model refresh` can tell what changed. Older rows and hand-made models carry NULL.
ALTER TABLE model ADD COLUMN hf_revision TEXT CHECK (hf_revision IS NULL OR length(hf_revision) <= 200);
ALTER TABLE model ADD COLUMN hf_commit TEXT CHECK (hf_commit IS NULL OR (length(hf_commit) = 40 AND hf_commit NOT GLOB '*[^0-9a-f]*'));
