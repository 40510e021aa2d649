DROP INDEX `messages_thread`;--> statement-breakpoint
CREATE INDEX `messages_thread_date` ON `messages` (`account_id`,`thread_id`,`internal_date`);