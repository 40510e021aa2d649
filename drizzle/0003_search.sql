ALTER TABLE `messages` ADD `bcc_addr` text;--> statement-breakpoint
ALTER TABLE `messages` ADD `attachment_names` text;--> statement-breakpoint
CREATE INDEX `messages_message_id_header` ON `messages` (`account_id`,`message_id_header`);--> statement-breakpoint
CREATE INDEX `messages_account_size` ON `messages` (`account_id`,`size_estimate`);--> statement-breakpoint
CREATE INDEX `messages_search` ON `messages` (`id`,`account_id`,`internal_date`,`gmail_id`);--> statement-breakpoint
-- Gmail search (issue 13): the full-text index also covers Cc, Bcc and attachment names. FTS5 tables cannot
-- gain columns, so the index is dropped and rebuilt from the messages table (external content, as in
-- migration fts); attachment names already stored are copied beside the message first.
DROP TRIGGER `messages_fts_ai`;
--> statement-breakpoint
DROP TRIGGER `messages_fts_ad`;
--> statement-breakpoint
DROP TRIGGER `messages_fts_au`;
--> statement-breakpoint
DROP TABLE `messages_fts`;
--> statement-breakpoint
UPDATE `messages` SET `attachment_names` = (
	SELECT group_concat(`filename`, char(10)) FROM `attachments` a
	WHERE a.`message_id` = `messages`.`id` AND a.`filename` IS NOT NULL AND a.`filename` <> ''
) WHERE `id` IN (SELECT `message_id` FROM `attachments`);
--> statement-breakpoint
CREATE VIRTUAL TABLE `messages_fts` USING fts5(
	`subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`,
	content='messages', content_rowid='id',
	tokenize='unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ai` AFTER INSERT ON `messages` BEGIN
	INSERT INTO `messages_fts`(rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES (new.`id`, new.`subject`, new.`from_addr`, new.`to_addr`, new.`cc_addr`, new.`bcc_addr`, new.`text_body`, new.`attachment_names`);
END;
--> statement-breakpoint
CREATE TRIGGER `messages_fts_ad` AFTER DELETE ON `messages` BEGIN
	INSERT INTO `messages_fts`(`messages_fts`, rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES ('delete', old.`id`, old.`subject`, old.`from_addr`, old.`to_addr`, old.`cc_addr`, old.`bcc_addr`, old.`text_body`, old.`attachment_names`);
END;
--> statement-breakpoint
-- Only when an indexed column really changes: priority, label and sync bookkeeping updates must not rewrite the index.
CREATE TRIGGER `messages_fts_au` AFTER UPDATE OF `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names` ON `messages`
WHEN old.`subject` IS NOT new.`subject` OR old.`from_addr` IS NOT new.`from_addr` OR old.`to_addr` IS NOT new.`to_addr`
	OR old.`cc_addr` IS NOT new.`cc_addr` OR old.`bcc_addr` IS NOT new.`bcc_addr` OR old.`text_body` IS NOT new.`text_body`
	OR old.`attachment_names` IS NOT new.`attachment_names`
BEGIN
	INSERT INTO `messages_fts`(`messages_fts`, rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES ('delete', old.`id`, old.`subject`, old.`from_addr`, old.`to_addr`, old.`cc_addr`, old.`bcc_addr`, old.`text_body`, old.`attachment_names`);
	INSERT INTO `messages_fts`(rowid, `subject`, `from_addr`, `to_addr`, `cc_addr`, `bcc_addr`, `text_body`, `attachment_names`)
	VALUES (new.`id`, new.`subject`, new.`from_addr`, new.`to_addr`, new.`cc_addr`, new.`bcc_addr`, new.`text_body`, new.`attachment_names`);
END;
--> statement-breakpoint
INSERT INTO `messages_fts`(`messages_fts`) VALUES ('rebuild');
