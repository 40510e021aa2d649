-- Custom SQL migration file, put your code below! --
-- Full-text index over what a user searches: subject, sender, recipients and the plain-text body
-- (for HTML-only mail the store keeps a text rendition in text_body). External content
-- (https://sqlite.org/fts5.html#external_content_tables): the text lives once, in messages;
-- the triggers below keep the index in step with every insert, update and delete.
CREATE VIRTUAL TABLE `messages_fts` USING fts5(
	`subject`, `from_addr`, `to_addr`, `text_body`,
	content='messages', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ai` AFTER INSERT ON `messages` BEGIN
	INSERT INTO `messages_fts`(rowid, `subject`, `from_addr`, `to_addr`, `text_body`)
	VALUES (new.`id`, new.`subject`, new.`from_addr`, new.`to_addr`, new.`text_body`);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ad` AFTER DELETE ON `messages` BEGIN
	INSERT INTO `messages_fts`(`messages_fts`, rowid, `subject`, `from_addr`, `to_addr`, `text_body`)
	VALUES ('delete', old.`id`, old.`subject`, old.`from_addr`, old.`to_addr`, old.`text_body`);
END;
--> statement-breakpoint
-- Only when an indexed column really changes: priority, label and sync bookkeeping updates
-- must not rewrite the index.
CREATE TRIGGER `messages_fts_au` AFTER UPDATE OF `subject`, `from_addr`, `to_addr`, `text_body` ON `messages`
WHEN old.`subject` IS NOT new.`subject` OR old.`from_addr` IS NOT new.`from_addr`
	OR old.`to_addr` IS NOT new.`to_addr` OR old.`text_body` IS NOT new.`text_body`
BEGIN
	INSERT INTO `messages_fts`(`messages_fts`, rowid, `subject`, `from_addr`, `to_addr`, `text_body`)
	VALUES ('delete', old.`id`, old.`subject`, old.`from_addr`, old.`to_addr`, old.`text_body`);
	INSERT INTO `messages_fts`(rowid, `subject`, `from_addr`, `to_addr`, `text_body`)
	VALUES (new.`id`, new.`subject`, new.`from_addr`, new.`to_addr`, new.`text_body`);
END;
--> statement-breakpoint
-- Index whatever rows already exist (none on a new database; harmless either way).
INSERT INTO `messages_fts`(`messages_fts`) VALUES ('rebuild');
