CREATE TABLE `blobs` (
	`id` integer PRIMARY KEY NOT NULL,
	`hash` blob NOT NULL,
	`size` integer NOT NULL,
	`codec` integer DEFAULT 0 NOT NULL,
	`data` blob NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `blobs_hash` ON `blobs` (`hash`);--> statement-breakpoint
CREATE TABLE `source_pieces` (
	`message_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`blob_id` integer,
	`size` integer NOT NULL,
	PRIMARY KEY(`message_id`, `seq`),
	FOREIGN KEY (`message_id`) REFERENCES `messages`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE INDEX `source_pieces_blob` ON `source_pieces` (`blob_id`);--> statement-breakpoint
ALTER TABLE `attachments` ADD `blob_id` integer;--> statement-breakpoint
ALTER TABLE `attachments` ADD `transfer_encoding` text;--> statement-breakpoint
-- A blob goes with the last piece of an original that uses it (an attachment sent twice is stored once, so it stays
-- while either message does). Runs for pieces deleted with their message (ON DELETE CASCADE) too.
CREATE TRIGGER `source_pieces_release` AFTER DELETE ON `source_pieces`
WHEN OLD.`blob_id` IS NOT NULL
BEGIN
  DELETE FROM `blobs` WHERE `id` = OLD.`blob_id`
    AND NOT EXISTS (SELECT 1 FROM `source_pieces` WHERE `blob_id` = OLD.`blob_id`);
END;
