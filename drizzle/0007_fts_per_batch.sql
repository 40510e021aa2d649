-- Custom SQL migration file, put your code below! --
-- The full-text index (migration search) as the sync writes it: a message whose details are written (a stub that
-- becomes a message, details_fetched 0 → 1, or a row inserted with its details) is indexed by the writer
-- (db/message-details.ts, saveMessageDetails), once per batch for all its messages, no longer by these triggers one
-- message at a time. FTS5 writes its pending terms out as a new segment at every statement's savepoint (every write
-- statement with triggers opens one), so a trigger per message made a segment per message and their merging: about
-- a third of the sync's cost of storing a message (issue 14). Every other change (stubs inserted, deletes, a fetched
-- message fetched again) is still kept in step by the triggers; the index holds the same entries as before, so
-- nothing in an existing mirror changes.
DROP TRIGGER `messages_fts_ai`;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ai` AFTER INSERT ON `messages` WHEN new.`details_fetched` = 0 BEGIN
	INSERT INTO `messages_fts`(rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES (new.`id`, new.`subject`, new.`from_addr`, new.`to_addr`, new.`cc_addr`, new.`bcc_addr`, new.`text_body`, new.`attachment_names`);
END;
--> statement-breakpoint
DROP TRIGGER `messages_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_au` AFTER UPDATE OF `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names` ON `messages`
WHEN NOT (old.`details_fetched` = 0 AND new.`details_fetched` = 1) AND (
	old.`subject` IS NOT new.`subject` OR old.`from_addr` IS NOT new.`from_addr` OR old.`to_addr` IS NOT new.`to_addr`
	OR old.`cc_addr` IS NOT new.`cc_addr` OR old.`bcc_addr` IS NOT new.`bcc_addr` OR old.`text_body` IS NOT new.`text_body`
	OR old.`attachment_names` IS NOT new.`attachment_names`)
BEGIN
	INSERT INTO `messages_fts`(`messages_fts`, rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES ('delete', old.`id`, old.`subject`, old.`from_addr`, old.`to_addr`, old.`cc_addr`, old.`bcc_addr`, old.`text_body`, old.`attachment_names`);
	INSERT INTO `messages_fts`(rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES (new.`id`, new.`subject`, new.`from_addr`, new.`to_addr`, new.`cc_addr`, new.`bcc_addr`, new.`text_body`, new.`attachment_names`);
END;
