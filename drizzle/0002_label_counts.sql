-- Custom SQL migration file, put your code below! --
-- Local mirror counts per label (label_local_counts) and the message date copied onto
-- message_labels, both kept by triggers so that listing labels and paging a label's messages
-- read indexes instead of scanning 100k-message mailboxes. Nothing else writes these columns.
--
-- A message's unread state is its UNREAD label row. Adding a label counts it (and as unread when
-- the message has UNREAD); adding UNREAD itself makes every label of that message one more unread.
-- Removal mirrors both. Each trigger looks at the current rows only, so any order of label
-- inserts/deletes (including cascades from deleting a message) leaves exact counts.
CREATE TRIGGER `message_labels_counts_ai` AFTER INSERT ON `message_labels` BEGIN
	INSERT INTO `label_local_counts`(`account_id`, `label_id`, `messages_total`, `messages_unread`)
	VALUES (
		new.`account_id`, new.`label_id`, 1,
		CASE WHEN new.`label_id` <> 'UNREAD' AND EXISTS (
			SELECT 1 FROM `message_labels` WHERE `message_id` = new.`message_id` AND `label_id` = 'UNREAD'
		) THEN 1 ELSE 0 END
	)
	ON CONFLICT(`account_id`, `label_id`) DO UPDATE SET
		`messages_total` = `messages_total` + 1,
		`messages_unread` = `messages_unread` + excluded.`messages_unread`;
	UPDATE `label_local_counts` SET `messages_unread` = `messages_unread` + 1
	WHERE new.`label_id` = 'UNREAD' AND `account_id` = new.`account_id`
		AND `label_id` IN (SELECT `label_id` FROM `message_labels` WHERE `message_id` = new.`message_id`);
END;
--> statement-breakpoint
CREATE TRIGGER `message_labels_counts_ad` AFTER DELETE ON `message_labels` BEGIN
	UPDATE `label_local_counts` SET
		`messages_total` = `messages_total` - 1,
		`messages_unread` = `messages_unread` - CASE WHEN old.`label_id` = 'UNREAD' OR EXISTS (
			SELECT 1 FROM `message_labels` WHERE `message_id` = old.`message_id` AND `label_id` = 'UNREAD'
		) THEN 1 ELSE 0 END
	WHERE `account_id` = old.`account_id` AND `label_id` = old.`label_id`;
	UPDATE `label_local_counts` SET `messages_unread` = `messages_unread` - 1
	WHERE old.`label_id` = 'UNREAD' AND `account_id` = old.`account_id`
		AND `label_id` IN (SELECT `label_id` FROM `message_labels` WHERE `message_id` = old.`message_id`);
END;
--> statement-breakpoint
-- A label row always carries its message's date (null while the message is a stub).
CREATE TRIGGER `message_labels_date_ai` AFTER INSERT ON `message_labels`
WHEN new.`internal_date` IS NOT (SELECT `internal_date` FROM `messages` WHERE `id` = new.`message_id`)
BEGIN
	UPDATE `message_labels` SET `internal_date` = (SELECT `internal_date` FROM `messages` WHERE `id` = new.`message_id`)
	WHERE `message_id` = new.`message_id` AND `label_id` = new.`label_id`;
END;
--> statement-breakpoint
CREATE TRIGGER `messages_label_date_au` AFTER UPDATE OF `internal_date` ON `messages`
WHEN old.`internal_date` IS NOT new.`internal_date`
BEGIN
	UPDATE `message_labels` SET `internal_date` = new.`internal_date` WHERE `message_id` = new.`id`;
END;
--> statement-breakpoint
-- Backfill from any rows already stored (none on a new database).
UPDATE `message_labels` SET `internal_date` = (SELECT `internal_date` FROM `messages` WHERE `id` = `message_labels`.`message_id`);
--> statement-breakpoint
INSERT INTO `label_local_counts`(`account_id`, `label_id`, `messages_total`, `messages_unread`)
SELECT ml.`account_id`, ml.`label_id`, count(*), count(u.`message_id`)
FROM `message_labels` ml
LEFT JOIN `message_labels` u ON u.`message_id` = ml.`message_id` AND u.`label_id` = 'UNREAD'
GROUP BY ml.`account_id`, ml.`label_id`;
